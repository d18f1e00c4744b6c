"""Word clusters of clitic-split cores for the NER tagger: PPMI-SVD context vectors, spherical k-means.

Unlabelled news text is cut into clitic pieces («وبالرئيس» → «وبال+», «رئيس»), so a name and its cliticised
forms share one core; each core gets k-means cluster ids at several granularities (``KS``). Deterministic given
the seed (one-thread k-means). Rebuilt by ``khabar train ner --rebuild-clusters`` into ``core_clusters.tsv``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from khabar.lang.normalize import normalize

KS = (64, 256, 1024, 4096)
_WORD = re.compile(r"[\w\u064b-\u065f\u0670\u0640]+|[^\w\s]")


def core_of(token: str) -> str:
    """The normalised clitic-free core of a token (the key of the core clusters)."""
    from khabar.lang.tokens import split_clitics

    core = split_clitics(token)[1]
    return normalize(core) or core


def _pieces(token: str) -> tuple[str, ...]:
    """The clitic pieces of a token: «proclitic+», core, «+enclitic» (empty pieces left out)."""
    from khabar.lang.tokens import split_clitics

    pro, core, enc = split_clitics(token)
    core = normalize(core) or core
    out = [normalize(pro) + "+"] if pro else []
    if core:
        out.append(core)
    if enc:
        out.append("+" + normalize(enc))
    return tuple(out)


def context_vectors(seq, n_ids: int, *, vocab_size: int, context_size: int, dims: int, min_count: int,
                    seed: int):
    """``(order, u, s)``: the ids of the commonest tokens of ``seq`` (count >= ``min_count``, at most
    ``vocab_size``), commonest first, and the truncated SVD (``dims``) of their PPMI matrix against the
    ``context_size`` commonest tokens at offsets -2, -1, +1, +2; ``seq`` holds token ids, -1 at document bounds."""
    import numpy as np
    from scipy.sparse import coo_matrix, csr_matrix
    from scipy.sparse.linalg import svds

    counts = np.bincount(seq[seq >= 0], minlength=n_ids)
    order = np.argsort(-counts, kind="stable")
    order = order[counts[order] >= min_count][:vocab_size]
    rank = np.full(n_ids + 1, -1, dtype=np.int64)  # index -1 (boundary) maps to -1 too
    rank[order] = np.arange(len(order))
    r = rank[seq]
    rows, cols = [], []
    offsets = (-2, -1, 1, 2)
    for k, off in enumerate(offsets):
        a = r[max(0, -off) : len(r) - max(0, off)]
        b = r[max(0, off) : len(r) - max(0, -off)]
        keep = (a >= 0) & (b >= 0) & (b < context_size)
        rows.append(a[keep])
        cols.append(b[keep] + k * context_size)
    rows_a, cols_a = np.concatenate(rows), np.concatenate(cols)
    m = coo_matrix((np.ones(len(rows_a), dtype=np.float64), (rows_a, cols_a)),
                   shape=(len(order), len(offsets) * context_size)).tocsr()
    total = m.sum()
    row_sum = np.asarray(m.sum(axis=1)).ravel()
    col_sum = np.asarray(m.sum(axis=0)).ravel() ** 0.75  # context smoothing as in word2vec
    col_p = col_sum / col_sum.sum()
    m = m.tocoo()
    pmi = np.log((m.data / total) / ((row_sum[m.row] / total) * col_p[m.col]))
    keep = pmi > 0
    ppmi = csr_matrix((pmi[keep], (m.row[keep], m.col[keep])), shape=m.shape)
    u, s, _ = svds(ppmi, k=dims, random_state=seed)
    return order, u, s


def core_vectors(
    texts: Iterable[str],
    *,
    vocab_size: int = 100_000,
    context_size: int = 5_000,
    dims: int = 128,
    min_count: int = 3,
    seed: int = 0,
    progress=None,
):
    """``(cores, vectors)``: the commonest cores (count >= ``min_count``) and their PPMI-SVD context vectors.

    Contexts are the ``context_size`` commonest pieces at offsets -2, -1, +1, +2 of the clitic-split stream.
    """
    import numpy as np

    ids: dict[str, int] = {}
    cache: dict[str, tuple[str, ...]] = {}
    stream: list[int] = []
    for text in texts:
        for tok in _WORD.findall(text):
            pieces = cache.get(tok)
            if pieces is None:
                pieces = _pieces(tok)
                if len(cache) < 3_000_000:
                    cache[tok] = pieces
            for p in pieces:
                i = ids.get(p)
                if i is None:
                    i = ids[p] = len(ids)
                stream.append(i)
        stream.append(-1)  # document boundary
        if progress is not None:
            progress()
    seq = np.asarray(stream, dtype=np.int64)
    del stream
    order, u, s = context_vectors(seq, len(ids), vocab_size=vocab_size, context_size=context_size, dims=dims,
                                  min_count=min_count, seed=seed)
    top = np.argsort(-s)
    vec = (u[:, top] * np.sqrt(s[top])).astype(np.float32)
    words = [""] * len(ids)
    for w, i in ids.items():
        words[i] = w
    return [words[i] for i in order], vec


def kmeans_ids(vectors, ks: Sequence[int] = KS, seed: int = 1) -> list[list[int]]:
    """Spherical k-means cluster ids of each vector at every ``k`` (faiss, one thread: deterministic)."""
    import faiss
    import numpy as np

    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        v = vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9)
        v = np.ascontiguousarray(v, dtype=np.float32)
        out = []
        for k in ks:
            km = faiss.Kmeans(v.shape[1], k, niter=25, seed=seed, spherical=True, max_points_per_centroid=100_000)
            km.train(v)
            _, labels = km.index.search(v, 1)
            out.append([int(x) for x in labels.ravel()])
        return out
    finally:
        faiss.omp_set_num_threads(threads)


def build_core_clusters(texts: Iterable[str], *, ks: Sequence[int] = KS, seed: int = 0,
                        progress=None) -> dict[str, tuple[str, ...]]:
    """Core -> cluster ids (one per k in ``ks``), from unlabelled text."""
    cores, vec = core_vectors(texts, seed=seed, progress=progress)
    labels = kmeans_ids(vec, ks, seed=seed + 1)
    return {c: tuple(str(lab[j]) for lab in labels) for j, c in enumerate(cores)}


def load_clusters(path: Path) -> dict[str, tuple[str, ...]]:
    """Word (or core) -> cluster ids from a 'word<TAB>id1<TAB>id2...' file (empty when absent)."""
    out: dict[str, tuple[str, ...]] = {}
    if not path.is_file():
        return out
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2:
                out[parts[0]] = tuple(parts[1:])
    return out
