"""Near-duplicates on all of SaudiNewsNet: khabar's CopyIndex against datasketch MinHashLSH, in one run.

Both get the same word 3-shingles (khabar.vectors.minhash) and the same Jaccard threshold; both have their
candidates verified by the same exact Jaccard. Ground truth: every pair at or above the threshold, by an exact
sparse all-pairs product. Also: memory per article, and the Saudi Press Agency (``was``) items republished by
the papers, with SPA as origin.

    nice -n 10 .venv/bin/python bench/copies.py            # ~4 minutes on 2 busy cores
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from khabar.article import Article
from khabar.copies import copy_groups, outlet_agency
from khabar.copyindex import CopyIndex, exact_overlap
from khabar.vectors import minhash as mh

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "saudinewsnet"


def load(path: Path) -> list[Article]:
    """Every SaudiNewsNet record as an Article with a unique id (31,030; some records repeat a text)."""
    from khabar.read import read

    arts = list(read(path, on_error=lambda e: print(f"skipped: {e}", file=sys.stderr)))
    for k, a in enumerate(arts):
        a.id = f"{k}:{a.id}"
    return arts


def exact_pairs(sets: list[np.ndarray], threshold: float, block: int = 2000) -> set[tuple[int, int]]:
    """All pairs with exact Jaccard >= threshold (sparse product of the document × shingle matrix)."""
    lens = np.array([len(s) for s in sets])
    allh = np.concatenate(sets)
    _, inv = np.unique(allh, return_inverse=True)
    rows = np.repeat(np.arange(len(sets)), lens)
    X = sp.csr_matrix((np.ones(len(allh), np.int32), (rows, inv)), shape=(len(sets), int(inv.max()) + 1))
    XT = X.T.tocsr()
    out: set[tuple[int, int]] = set()
    for s in range(0, len(sets), block):
        inter = (X[s:s + block] @ XT).tocoo()
        i, j, v = inter.row + s, inter.col, inter.data
        keep = i < j
        i, j, v = i[keep], j[keep], v[keep]
        jac = v / (lens[i] + lens[j] - v)
        ok = jac >= threshold
        out.update(zip(i[ok].tolist(), j[ok].tolist(), strict=True))
    return out


def run_khabar(ids, sets, published, threshold, containment, sample_rate=8):
    idx = CopyIndex(threshold, containment, sample_rate=sample_rate)
    matches = idx.add_sets(ids, sets, published)
    return idx, matches


def run_datasketch(ids, sets, threshold):
    from datasketch import MinHash, MinHashLSH

    mhs = MinHash.bulk([s.tolist() for s in sets], num_perm=128, hashfunc=int)
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    with lsh.insertion_session() as session:
        for id_, m in zip(ids, mhs, strict=True):
            session.insert(id_, m)
    cand = set()
    for k, m in enumerate(mhs):
        for other in lsh.query(m):
            j = int(other)
            if j != k:
                cand.add((min(k, j), max(k, j)))
    return lsh, mhs, cand


def peak(fn, *args):
    """(result, peak traced bytes) of one call."""
    gc.collect()
    tracemalloc.start()
    try:
        result = fn(*args)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--threshold", type=float, default=0.3, help="Jaccard threshold for both")
    ap.add_argument("--containment", type=float, default=0.5, help="khabar's containment threshold")
    ap.add_argument("--repeat", type=int, default=1, help="timing runs (best taken)")
    args = ap.parse_args(argv)
    if not args.data.exists():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    t = time.perf_counter()
    arts = load(args.data)
    n = len(arts)
    print(f"read {n} articles in {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    sets = mh.shingle_sets([mh.word_hashes(a.text or "") for a in arts], 3)
    t_shingles = time.perf_counter() - t
    print(f"shared word 3-shingles (normalise, hash): {t_shingles:.1f} s, {sum(map(len, sets))} shingles")
    ids = [str(k) for k in range(n)]
    published = [a.published for a in arts]

    # timings (no tracing), best of --repeat, alternating
    tk, tj, td = [], [], []
    for _ in range(args.repeat):
        gc.collect()
        t = time.perf_counter()
        idx, matches = run_khabar(ids, sets, published, args.threshold, args.containment)
        tk.append(time.perf_counter() - t)
        gc.collect()
        t = time.perf_counter()
        _, jmatches = run_khabar(ids, sets, published, args.threshold, 1.01, 0)
        tj.append(time.perf_counter() - t)
        gc.collect()
        t = time.perf_counter()
        lsh, mhs, cand = run_datasketch(ids, sets, args.threshold)
        t_ds_index = time.perf_counter() - t
        verified_ds = {p for p in cand if exact_overlap(sets[p[0]], sets[p[1]])[0] >= args.threshold}
        td.append(time.perf_counter() - t)
    t_k, t_j, t_d = min(tk), min(tj), min(td)
    del lsh, mhs

    # peak memory (traced, separate runs)
    (_, _), mem_k = peak(run_khabar, ids, sets, published, args.threshold, args.containment)
    (_, _, _), mem_d = peak(run_datasketch, ids, sets, args.threshold)

    truth = exact_pairs(sets, args.threshold)
    k_pairs = {(min(int(m.a), int(m.b)), max(int(m.a), int(m.b))) for m in matches}
    k_jac = {p for p in k_pairs if exact_overlap(sets[p[0]], sets[p[1]])[0] >= args.threshold}
    j_pairs = {(min(int(m.a), int(m.b)), max(int(m.a), int(m.b))) for m in jmatches}

    def recall(found: set) -> float:
        return len(found & truth) / max(1, len(truth))

    print(f"\nall {n} SaudiNewsNet articles, word 3-shingles, 128 hashes, Jaccard threshold {args.threshold}")
    print(f"exact all-pairs ground truth: {len(truth)} pairs with Jaccard >= {args.threshold}")
    print(f"{'':44}{'wall s':>8}{'peak MB':>9}{'pairs':>8}{'recall':>8}")
    print(f"{'khabar CopyIndex (sketch+LSH+verify)':44}{t_k:8.2f}{mem_k / 2**20:9.1f}{len(k_jac):8d}"
          f"{recall(k_jac):8.4f}")
    print(f"{'khabar CopyIndex, Jaccard only (no sampling)':44}{t_j:8.2f}{'':>9}{len(j_pairs):8d}"
          f"{recall(j_pairs):8.4f}")
    print(f"{'baseline datasketch MinHashLSH (+verify)':44}{t_d:8.2f}{mem_d / 2**20:9.1f}"
          f"{len(verified_ds):8d}{recall(verified_ds):8.4f}")
    print(f"  datasketch before verification: {t_ds_index:.2f} s, {len(cand)} candidates")
    print(f"speed ratio datasketch / khabar: {t_d / t_k:.1f}x (Jaccard + containment), {t_d / t_j:.1f}x (Jaccard "
          f"only, the same task as datasketch); with the shared shingling counted on both sides: "
          f"{(t_d + t_shingles) / (t_k + t_shingles):.1f}x and {(t_d + t_shingles) / (t_j + t_shingles):.1f}x")
    both = k_jac & verified_ds
    print(f"agreement: {len(both)} pairs found by both, {len(k_jac - verified_ds)} only khabar, "
          f"{len(verified_ds - k_jac)} only datasketch; Jaccard-agreement "
          f"{len(both) / max(1, len(k_jac | verified_ds)):.4f}")
    print(f"khabar also finds {len(k_pairs - k_jac)} contained pairs (containment >= {args.containment}, "
          f"Jaccard below {args.threshold}); {len(k_pairs)} verified pairs in all")
    print(f"memory: khabar index {idx.memory_bytes() / n:.0f} bytes/article (arrays + shingle sets + ids), "
          f"traced peak {mem_k / n:.0f} bytes/article; datasketch traced peak {mem_d / n:.0f} bytes/article")

    # end to end from text, as the CLI runs it
    t = time.perf_counter()
    idx2 = CopyIndex(args.threshold, args.containment)
    m2 = idx2.add_many(arts)
    print(f"khabar end to end from article text (add_many, batches of 4096): {time.perf_counter() - t:.1f} s, "
          f"{len(m2)} pairs")

    # SPA (was) republished by the papers
    by_id = {str(k): a for k, a in enumerate(arts)}
    keyed = [Article(text=a.text, title=a.title, id=str(k), outlet=a.outlet, published=a.published)
             for k, a in enumerate(arts)]
    t = time.perf_counter()
    groups = copy_groups(keyed, matches, with_alignment=False)
    t_groups = time.perf_counter() - t
    spa_groups = [g for g in groups if any(by_id[m.id].outlet == "was" for m in g.members)
                  and any(by_id[m.id].outlet != "was" for m in g.members)]
    spa_origin = [g for g in spa_groups if by_id[g.origin].outlet == "was"]
    copies = Counter(by_id[m.id].outlet for g in spa_origin for m in g.members[1:])
    spa_items = {m.id for g in spa_groups for m in g.members if by_id[m.id].outlet == "was"}
    reasons = Counter(g.reason.split(";")[0] for g in spa_origin)
    print(f"\ncopy groups: {len(groups)} (built in {t_groups:.1f} s); SPA ('was') items: "
          f"{sum(a.outlet == 'was' for a in arts)}")
    print(f"SPA items republished by papers: {len(spa_items)} SPA items in {len(spa_groups)} groups with papers; "
          f"{len(spa_origin)} groups have the SPA item as origin ({sum(copies.values())} paper copies linked: "
          f"{dict(copies.most_common())})")
    print(f"origin reasons in those groups: {dict(reasons)}")
    direct: Counter = Counter()  # SPA item -> paper copies that name it as their source
    for g in groups:
        for m in g.members:
            if m.source and by_id[m.source].outlet == "was" and by_id[m.id].outlet != "was":
                direct[m.source] += 1
    print(f"SPA items named as the direct source of paper copies: {len(direct)} SPA items, "
          f"{sum(direct.values())} paper copies")
    not_spa = [g for g in spa_groups if by_id[g.origin].outlet != "was"]
    for g in not_spa[:5]:
        print(f"  SPA not origin: origin {by_id[g.origin].outlet} ({g.reason}), {len(g.members)} members, "
              f"{Counter(by_id[m.id].outlet for m in g.members).most_common(4)}")
    assert outlet_agency("was") is not None
    return 0


if __name__ == "__main__":
    sys.exit(main())
