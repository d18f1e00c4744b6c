"""Pairwise similarity of StoryItems: the weighted term vectors (terms and a names channel), the year agreement
count, and the all-pairs matrix that batch clustering cuts (the same terms as the incremental clusterer's score)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from khabar.story_item import NAME_MARK, StoryItem, split_keys

if TYPE_CHECKING:
    from khabar.stories import StoryConfig


def year_agreements(a: Counter, b: Counter) -> int:
    """Pairs of members, one from each side, that name a common year (Counters of members' year sets)."""
    return sum(ca * cb for ya, ca in a.items() for yb, cb in b.items() if not ya.isdisjoint(yb))


def weighted(terms: Counter, df: Counter, n_docs: int, name_share: float,
             background: tuple[dict[str, int], int] | None = None) -> dict[str, float]:
    """Unit TF-IDF vectors of the terms and of the names channel, scaled so that a dot product gives
    ``(1 - name_share) * term cosine + name_share * names cosine``. Document frequencies are the items' own plus
    ``background`` (term -> df, number of documents) where given."""
    bg, bg_n = background or ({}, 0)
    n1 = n_docs + bg_n + 1
    plain: dict[str, float] = {}
    names: dict[str, float] = {}
    for t, c in terms.items():
        if c > 0:
            name = t[:1] == NAME_MARK
            d = df.get(t, 0) + bg.get(t[1:] if name else t, 0) + 1
            (names if name else plain)[t] = (1.0 + math.log(c)) * (math.log(n1 / d) + 1.0)
    out: dict[str, float] = {}
    for part, share in ((plain, 1.0 - name_share), (names, name_share)):
        if part and share > 0:
            scale = math.sqrt(share) / math.sqrt(math.fsum([v * v for v in part.values()]))
            out.update({t: v * scale for t, v in part.items()})
    return out


DENSE_LIMIT = 4_000_000  # Gram matrices of up to this many cells are made dense (small sets: faster than sparse)


def gram(rows: list[int], cols: list[int], vals: Sequence[float] | None, shape: tuple[int, int]) -> np.ndarray:
    """The off-diagonal of ``M @ M.T`` (dense) for the matrix with entries ``vals`` (ones if None) at unique
    (row, col) positions. Columns of one row only are dropped first, so the diagonal is not the rows' norms."""
    r = np.asarray(rows, np.int64)
    c = np.asarray(cols, np.int64)
    data = np.ones(len(r)) if vals is None else np.fromiter(vals, np.float64, len(r))
    keep = np.bincount(c, minlength=shape[1])[c] > 1 if len(c) else np.zeros(0, bool)
    r, c, data = r[keep], c[keep], data[keep]
    if not len(c):
        return np.zeros((shape[0], shape[0]))
    used, c = np.unique(c, return_inverse=True)
    if shape[0] * len(used) <= DENSE_LIMIT:
        m = np.zeros((shape[0], len(used)))
        m[r, c] = data
        return m @ m.T
    from scipy.sparse import csr_matrix

    sm = csr_matrix((data, (r, c)), shape=(shape[0], len(used)), dtype=np.float64)
    return (sm @ sm.T).toarray()


def similarity_matrix(items: Sequence[StoryItem], config: StoryConfig | None = None,
                      df: tuple[Counter, int] | None = None,
                      background: tuple[dict[str, int], int] | None = None,
                      vectors: Sequence[dict[str, float]] | None = None) -> np.ndarray:
    """All-pairs similarity of items, on the same terms as ``StoryClusterer.similarity`` but with corpus IDF.

    ``df`` (term -> document frequency, number of documents) replaces the items' own frequencies, for a handful of
    items whose own IDF means nothing (two articles of a pair, say); ``background`` adds to them as in
    ``weighted``. ``vectors`` (the items' ``weighted`` term vectors, made already) replaces the weighing.
    """
    if config is None:
        from khabar.stories import StoryConfig

        config = StoryConfig()
    cfg = config
    given = df
    vocab: dict[str, int] = {}
    df = Counter()
    for it in items:
        df.update(it.terms.keys())
    rows, cols, vals = [], [], []
    n = len(items)
    idf_n = n
    if given is not None:
        df, idf_n = given
    for r, it in enumerate(items):
        vec = vectors[r] if vectors is not None else weighted(it.terms, df, idf_n, cfg.name_share, background)
        rows.extend([r] * len(vec))
        cols.extend([vocab.setdefault(t, len(vocab)) for t in vec])
        vals.extend(vec.values())
    term_sim = gram(rows, cols, vals, (n, max(1, len(vocab))))
    split = [split_keys(it.keys) for it in items]
    dated_text = [i for i, (_, years) in enumerate(split) if years]
    if len(dated_text) > 1 and cfg.year_boost:  # both name a common year: the term similarity counts more
        year_ids: dict[int, int] = {}
        yr, yc = [], []
        for r, i in enumerate(dated_text):
            for y in sorted(split[i][1]):
                yr.append(r)
                yc.append(year_ids.setdefault(y, len(year_ids)))
        common_year = gram(yr, yc, None, (len(dated_text), len(year_ids))) > 0
        idx = np.ix_(dated_text, dated_text)
        term_sim[idx] *= 1.0 + cfg.year_boost * common_year
    score = cfg.w_terms * term_sim
    weight = np.full((n, n), cfg.w_terms)
    keyed = [i for i, (keys, _) in enumerate(split) if keys]
    if len(keyed) > 1:
        key_ids: dict[str, int] = {}
        kr, kc = [], []
        for r, i in enumerate(keyed):
            for k in split[i][0]:
                kr.append(r)
                kc.append(key_ids.setdefault(k, len(key_ids)))
        counts = gram(kr, kc, None, (len(keyed), len(key_ids)))  # keys shared by two items
        sizes = np.bincount(kr, minlength=len(keyed)).astype(np.float64)  # an item's keys are unique
        shared = counts / np.minimum.outer(sizes, sizes)
        idx = np.ix_(keyed, keyed)
        score[idx] += cfg.w_keys * shared
        weight[idx] += cfg.w_keys
    with_emb = [i for i, it in enumerate(items) if it.embedding is not None]
    if with_emb:
        e = np.stack([items[i].embedding for i in with_emb])
        sem = np.clip((e @ e.T - cfg.embed_floor) / (1 - cfg.embed_floor), 0, 1)
        idx = np.ix_(with_emb, with_emb)
        score[idx] += cfg.w_embed * sem
        weight[idx] += cfg.w_embed
    sim = score / weight
    langs = np.array([it.lang or "" for it in items])
    cross = (langs[:, None] != langs[None, :]) & (langs[:, None] != "") & (langs[None, :] != "")
    if cross.any():  # across languages terms cannot match: shared entity keys and embeddings decide
        key_part = np.zeros((n, n))
        if len(keyed) > 1:
            share = np.where(counts >= cfg.cross_min_keys, counts / np.minimum.outer(sizes, sizes), 0.0)
            key_part[np.ix_(keyed, keyed)] = share
        x_score = cfg.cross_w_keys * key_part
        x_weight = np.full((n, n), cfg.cross_w_keys)
        if with_emb:
            x_score[np.ix_(with_emb, with_emb)] += cfg.cross_w_embed * sem
            x_weight[np.ix_(with_emb, with_emb)] += cfg.cross_w_embed
        sim = np.where(cross, x_score / x_weight, sim)
    dated = [i for i, it in enumerate(items) if it.day]
    if len(dated) > 1:
        ordinal = np.array([items[i].day.toordinal() for i in dated], dtype=np.float64)
        gap = np.abs(ordinal[:, None] - ordinal[None, :])
        idx = np.ix_(dated, dated)
        sim[idx] *= np.where(gap > 1, np.exp(-gap / cfg.decay_days), 1.0)
    np.fill_diagonal(sim, 1.0)
    return sim
