"""Labelled synthetic copies from real SaudiNewsNet articles: precision and recall by kind of edit.

For N real articles (seeded choice, no two sharing an 8-word run) it makes one copy per syndication-like edit
and two hard negatives, indexes everything with ``CopyIndex`` and scores the verified pairs; baselines in the
same run: datasketch MinHashLSH (same shingles and Jaccard threshold, candidates taken as answers) and the
exact-Jaccard-only rule.

    .venv/bin/python bench/synthetic_copies.py --n 1000 --seed 0
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from khabar.article import Article
from khabar.copyindex import CopyIndex, exact_overlap
from khabar.vectors import minhash as mh

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "saudinewsnet"
EDITS = ["dateline", "drop_last", "reorder", "words", "lead", "combo"]
NEGATIVES = ["same_story", "shared_terms"]
_DATELINES = ["الرياض - واس", "جدة – واس:", "(رويترز) -", "القاهرة (أ ف ب) -", "موسكو - سبوتنيك",
              "طهران - وكالة مهر للأنباء:", "دبي – وام", "الرياض 26 شوال 1436 هـ الموافق 11 أغسطس 2015 م واس"]


def load(path: Path) -> list[Article]:
    """All SaudiNewsNet articles, read by khabar.read."""
    from khabar.read import read

    return list(read(path, on_error=lambda e: print(f"skipped: {e}", file=sys.stderr)))


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


def ngrams8(text: str) -> set[int]:
    w = mh.word_hashes(text)
    if len(w) < 8:
        return set()
    return set(mh._windows(w, 8).tolist())


def change_words(text: str, share: float, rng: random.Random, vocab: list[str]) -> str:
    """Change ``share`` of the words: half substituted, a quarter deleted, a quarter with a word inserted."""
    out = []
    for para in paragraphs(text):
        words = []
        for w in para.split():
            if rng.random() < share:
                r = rng.random()
                if r < 0.5:
                    words.append(rng.choice(vocab))
                elif r < 0.75:
                    continue
                else:
                    words.extend([w, rng.choice(vocab)])
            else:
                words.append(w)
        out.append(" ".join(words))
    return "\n".join(out)


def edit(kind: str, text: str, rng: random.Random, vocab: list[str], other: str) -> str:
    """One syndication-like copy of ``text``."""
    paras = paragraphs(text)
    if kind == "dateline":
        return rng.choice(_DATELINES) + " " + text.strip()
    if kind == "drop_last":
        return "\n".join(paras[:-1])
    if kind == "reorder":
        shuffled = paras[:]
        while shuffled == paras:
            rng.shuffle(shuffled)
        return "\n".join(shuffled)
    if kind == "words":
        return change_words(text, rng.uniform(0.05, 0.20), rng, vocab)
    if kind == "lead":
        own = " ".join(" ".join(paragraphs(other)).split()[: rng.randint(40, 80)])
        return own + "\n" + text
    if kind == "combo":  # a wire item retold: dateline, closing paragraph dropped, some words changed
        t = change_words("\n".join(paras[:-1]), rng.uniform(0.05, 0.10), rng, vocab)
        return rng.choice(_DATELINES) + " " + t
    raise ValueError(kind)


def build(articles: list[Article], n: int, seed: int) -> tuple[list[Article], dict[tuple[str, str], str], dict]:
    """Items to index and labelled pairs {(source id, item id): kind}."""
    rng = random.Random(seed)
    pool = [a for a in articles if len(paragraphs(a.text or "")) >= 3 and len((a.text or "").split()) >= 100]
    rng.shuffle(pool)
    grams = {}
    used: set[int] = set()
    sources: list[Article] = []
    for a in pool:
        g = ngrams8(a.text)
        if g & used:
            continue
        used |= g
        grams[a.id] = g
        sources.append(a)
        if len(sources) >= n:
            break
    vocab = sorted({w for a in pool[:2000] for w in (a.text or "").split() if w.isalpha() and len(w) > 2})
    # TF-IDF neighbours for "same story" negatives
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [a.text or "" for a in articles]
    vec = TfidfVectorizer(analyzer=mh.words, min_df=2, max_df=0.3, sublinear_tf=True)
    X = vec.fit_transform(texts)
    pos = {a.id: i for i, a in enumerate(articles)}
    S = X[[pos[a.id] for a in sources]]
    sims = (S @ X.T).toarray()
    terms = np.array(vec.get_feature_names_out())
    items: list[Article] = list(sources)
    labels: dict[tuple[str, str], str] = {}
    stats = Counter()
    source_ids = {a.id for a in sources}
    # texts borrowed for a lead paragraph or a shared-terms negative come from outside every source's family
    fillers = [a for a in pool[len(sources) * 2:] if a.id not in source_ids]
    for k, src in enumerate(sources):
        others: list[Article] = []
        for _ in range(1000):
            a = rng.choice(fillers)
            if len((a.text or "").split()) >= 40 and not (ngrams8(a.text) & used):
                others.append(a)
                if len(others) == 2:
                    break
        for kind in EDITS:
            copy = Article(text=edit(kind, src.text, rng, vocab, others[0].text), title=src.title,
                           id=f"{src.id}~{kind}", outlet="copy", published=src.published)
            items.append(copy)
            labels[(src.id, copy.id)] = kind
        # a real article of the same story: most similar by TF-IDF, sharing no 8-word run
        order = np.argsort(-sims[k])
        for j in order[1:40]:
            cand = articles[j]
            if sims[k, j] < 0.25:
                break
            if cand.id == src.id or cand.id in source_ids or (src.text or "") == (cand.text or ""):
                continue
            g = ngrams8(cand.text)
            if g & used:  # shares no 8-word run with any source, or with another negative
                stats["same_story_skipped_8gram"] += 1
                continue
            used |= g
            neg = Article(text=cand.text, title=cand.title, id=f"{src.id}~same_story~{cand.id}",
                          outlet=cand.outlet, published=cand.published)
            items.append(neg)
            labels[(src.id, neg.id)] = "same_story"
            break
        else:
            stats["same_story_none"] += 1
        # another article made to share the source's key terms (entities, terms), different text
        row = S[k].toarray().ravel()
        top = list(terms[np.argsort(-row)[:25]])
        base = others[1]
        used |= ngrams8(base.text)
        words = (base.text or "").split()
        for i in rng.sample(range(len(words)), k=max(1, len(words) // 7)):
            words[i] = rng.choice(top)
        neg = Article(text=" ".join(words), id=f"{src.id}~shared_terms", outlet="neg", published=src.published)
        items.append(neg)
        labels[(src.id, neg.id)] = "shared_terms"
    return items, labels, dict(stats)


def family(item_id: str) -> str:
    return item_id.split("~", 1)[0]


def score(name: str, predicted: set[tuple[str, str]], labels: dict[tuple[str, str], str],
          items: list[Article]) -> dict:
    """Recall by edit, false positives by negative kind, overall precision and recall."""
    pred = {tuple(sorted(p)) for p in predicted}
    by_kind: Counter = Counter()
    hit: Counter = Counter()
    for (s, i), kind in labels.items():
        by_kind[kind] += 1
        if tuple(sorted((s, i))) in pred:
            hit[kind] += 1
    neg_kinds = {k for k in NEGATIVES}
    tp = sum(hit[k] for k in EDITS)
    fn = sum(by_kind[k] - hit[k] for k in EDITS)
    fp_labelled = sum(hit[k] for k in neg_kinds)
    # unlabelled predictions: within a family of copies (true) or across families (false)
    labelled = {tuple(sorted(p)) for p in labels}
    is_copy = {i for (s, i), k in labels.items() if k in EDITS} | {s for s, _ in labels}
    kind_of = {i: k for (_, i), k in labels.items()}
    wrong: Counter = Counter()  # false pairs by the kind of the items in them
    for (s, i), kind in labels.items():
        if kind in NEGATIVES and tuple(sorted((s, i))) in pred:
            wrong[kind] += 1
    sib = cross = 0
    examples = []
    for a, b in sorted(pred - labelled):
        if a in is_copy and b in is_copy and family(a) == family(b):
            sib += 1
        else:
            cross += 1
            examples.append((a, b))
            for x in {kind_of.get(a, "source"), kind_of.get(b, "source")}:
                wrong[x] += 1
    precision = (tp + sib) / max(1, tp + sib + fp_labelled + cross)
    recall = tp / max(1, tp + fn)
    return {"name": name, "precision": precision, "recall": recall, "tp": tp, "fn": fn, "fp_labelled": fp_labelled,
            "siblings": sib, "cross": cross, "cross_examples": examples[:5], "wrong": dict(wrong),
            "by_kind": {k: (hit[k], by_kind[k]) for k in EDITS + NEGATIVES}}


def show(r: dict, seconds: float) -> None:
    print(f"\n{r['name']}  ({seconds:.1f} s)")
    print(f"  precision {r['precision']:.4f}  recall {r['recall']:.4f}  (tp {r['tp']}, fn {r['fn']}, "
          f"fp on hard negatives {r['fp_labelled']}, copy-sibling pairs {r['siblings']}, "
          f"cross-family pairs {r['cross']})")
    if r["cross_examples"]:
        print("  cross-family examples:", ", ".join(f"{a}|{b}" for a, b in r["cross_examples"]))
    for k in EDITS:
        h, n = r["by_kind"][k]
        w = r["wrong"].get(k, 0)
        print(f"  {k:<13} recall {h:>5}/{n:<5} {h / max(1, n):.3f}   precision {h / max(1, h + w):.3f} "
              f"({w} false pairs hold a copy of this kind)")
    for k in NEGATIVES:
        h, n = r["by_kind"][k]
        print(f"  {k:<13} matched {h:>4}/{n:<5} {h / max(1, n):.3f}   (hard negatives: lower is better)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--n", type=int, default=1000, help="real source articles")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threshold", type=float, default=0.3, help="Jaccard threshold")
    ap.add_argument("--containment", type=float, default=0.5, help="containment threshold")
    ap.add_argument("--shingle", type=int, default=3)
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--dump", type=Path, help="write per-pair scores (tsv) here")
    args = ap.parse_args(argv)
    if not args.data.exists():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    articles = load(args.data)
    items, labels, stats = build(articles, args.n, args.seed)
    print(f"{args.n} sources, {len(items)} items, {len(labels)} labelled pairs; built in "
          f"{time.perf_counter() - t0:.1f} s; {stats}")

    t = time.perf_counter()
    idx = CopyIndex(args.threshold, args.containment, shingle=args.shingle)
    matches = idx.add_many(items)
    show(score(f"khabar CopyIndex (Jaccard >= {args.threshold} or containment >= {args.containment}, "
               f"k={args.shingle})", {(m.a, m.b) for m in matches}, labels, items), time.perf_counter() - t)

    if args.dump:
        with args.dump.open("w") as f:
            f.write("kind\tjaccard\tcontained_source\tcontained_item\n")
            for (s, i), kind in labels.items():
                j, ca, cb = exact_overlap(idx.shingles(s), idx.shingles(i))
                f.write(f"{kind}\t{j:.4f}\t{ca:.4f}\t{cb:.4f}\n")

    if not args.no_baseline:
        from datasketch import MinHash, MinHashLSH

        t = time.perf_counter()
        sets = [idx.shingles(a.id) for a in items]
        mhs = MinHash.bulk([s.tolist() for s in sets], num_perm=128, hashfunc=int)
        lsh = MinHashLSH(threshold=args.threshold, num_perm=128)
        for a, m in zip(items, mhs, strict=True):
            lsh.insert(a.id, m)
        cand = {(a.id, b) for a, m in zip(items, mhs, strict=True) for b in lsh.query(m) if b != a.id}
        show(score(f"baseline datasketch MinHashLSH(threshold={args.threshold}), candidates as answers",
                   cand, labels, items), time.perf_counter() - t)
        t = time.perf_counter()
        pos = {a.id: i for i, a in enumerate(items)}
        verified = {p for p in cand if exact_overlap(sets[pos[p[0]]], sets[pos[p[1]]])[0] >= args.threshold}
        show(score(f"baseline datasketch candidates verified by exact Jaccard >= {args.threshold} only",
                   verified, labels, items), time.perf_counter() - t)
    return 0


if __name__ == "__main__":
    sys.exit(main())
