"""Incremental story clustering: each article joins the best-matching open story or starts a new one.

An article is reduced to a ``StoryItem`` (weighted terms, entity keys, an optional embedding, a date). Candidate
stories come from inverted indexes over rare terms and entity keys (and faiss over story embeddings), so one add
costs about the same however many stories are stored. Stories that converge are merged. Deterministic: the same
items in the same order give the same stories.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np


@dataclass(slots=True)
class StoryItem:
    """What clustering needs of an article."""

    id: str
    terms: Counter  # term -> count (title terms counted more)
    keys: frozenset[str] = frozenset()  # entity keys (loc:RU, pers:…)
    embedding: np.ndarray | None = None
    day: date | None = None


@dataclass
class StoryConfig:
    """Parameters of the similarity between an article and a story, and of the join/merge decisions."""

    threshold: float = 0.30  # join the best story at or above this similarity
    batch_threshold: float = 0.25  # batch mode: average-link cut
    merge_threshold: float = 0.45  # merge two stories whose centroids reach this
    w_terms: float = 0.55
    w_keys: float = 0.10
    w_embed: float = 0.25
    embed_floor: float = 0.80  # e5 cosines bunch up: rescale [floor, 1] to [0, 1]
    window_days: int = 7  # stories idle longer than this are closed
    decay_days: float = 4.0  # similarity penalty grows with the day gap
    max_postings_terms: int = 12  # rare terms of an article used for candidate lookup
    max_candidates: int = 40
    centroid_terms: int = 300  # terms kept in a story centroid


@dataclass
class Story:
    """A story under construction: its members and running centroids."""

    id: int
    members: list[str] = field(default_factory=list)
    terms: Counter = field(default_factory=Counter)
    keys: Counter = field(default_factory=Counter)
    embed_sum: np.ndarray | None = None
    first: date | None = None
    last: date | None = None
    merged_into: int | None = None
    vec: dict[str, float] | None = None  # weighted centroid, recomputed after the story changes

    def embedding(self) -> np.ndarray | None:
        if self.embed_sum is None:
            return None
        n = float(np.linalg.norm(self.embed_sum))
        return self.embed_sum / n if n else None


class StoryClusterer:
    """Online clustering of StoryItems into stories; ``add`` returns the story id an item joined."""

    def __init__(self, config: StoryConfig | None = None) -> None:
        self.config = config or StoryConfig()
        self.stories: dict[int, Story] = {}
        self.assignment: dict[str, int] = {}
        self._df: Counter = Counter()
        self._n_docs = 0
        self._term_postings: dict[str, set[int]] = defaultdict(set)
        self._key_postings: dict[str, set[int]] = defaultdict(set)
        self._next_id = 1

    # -- weights -------------------------------------------------------------------------------------------
    def idf(self, term: str) -> float:
        return math.log((self._n_docs + 1) / (self._df.get(term, 0) + 1)) + 1.0

    def _weighted(self, terms: Counter) -> dict[str, float]:
        vec = {t: (1.0 + math.log(c)) * self.idf(t) for t, c in terms.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items()}

    def _key_weight(self, key: str) -> float:
        return 1.0 if key.startswith("pers:") else 0.8 if key.startswith("org:") else 0.5

    # -- similarity ----------------------------------------------------------------------------------------
    def similarity(self, item: StoryItem, story: Story, vec: dict[str, float] | None = None) -> float:
        """Similarity in [0, 1] of an item to a story (terms, entity keys, embedding, day gap)."""
        cfg = self.config
        vec = vec if vec is not None else self._weighted(item.terms)
        if story.vec is None:
            story.vec = self._weighted(story.terms)
        cvec = story.vec
        s_terms = sum(w * cvec.get(t, 0.0) for t, w in vec.items())
        weights = cfg.w_terms
        score = cfg.w_terms * s_terms
        if item.keys and story.keys:  # entity keys count only where both sides have some
            total = sum(self._key_weight(k) for k in item.keys)
            shared = sum(self._key_weight(k) for k in item.keys if k in story.keys)
            score += cfg.w_keys * shared / total
            weights += cfg.w_keys
        emb = story.embedding()
        if item.embedding is not None and emb is not None:
            cos = float(item.embedding @ emb)
            score += cfg.w_embed * max(0.0, (cos - cfg.embed_floor) / (1.0 - cfg.embed_floor))
            weights += cfg.w_embed
        score /= weights
        if item.day and story.first and story.last:
            gap = max((story.first - item.day).days, (item.day - story.last).days, 0)
            score *= math.exp(-gap / cfg.decay_days) if gap > 1 else 1.0
        return score

    def _candidates(self, item: StoryItem, vec: dict[str, float]) -> list[int]:
        cfg = self.config
        hits: Counter = Counter()
        rare = sorted(vec, key=lambda t: (-vec[t], t))[: cfg.max_postings_terms]
        for t in rare:
            for sid in self._term_postings.get(t, ()):
                hits[sid] += 1
        for k in item.keys:
            for sid in self._key_postings.get(k, ()):
                hits[sid] += 1
        out = []
        for sid, _ in sorted(hits.items(), key=lambda x: (-x[1], x[0])):
            story = self.stories[sid]
            if story.merged_into is not None:
                continue
            if item.day and story.last and (item.day - story.last).days > cfg.window_days:
                continue
            out.append(sid)
            if len(out) >= cfg.max_candidates:
                break
        return out

    # -- updates -------------------------------------------------------------------------------------------
    def add(self, item: StoryItem) -> int:
        """Place one item: join the best open story above threshold, or start a new story."""
        if item.id in self.assignment:
            return self.resolve(self.assignment[item.id])
        self._n_docs += 1
        self._df.update(item.terms.keys())
        vec = self._weighted(item.terms)
        best, best_sim = None, self.config.threshold
        for sid in self._candidates(item, vec):
            sim = self.similarity(item, self.stories[sid], vec)
            if sim >= best_sim:
                best, best_sim = sid, sim
        if best is None:
            best = self._next_id
            self._next_id += 1
            self.stories[best] = Story(id=best)
        self._join(self.stories[best], item, vec)
        self.assignment[item.id] = best
        self._maybe_merge(best)
        return self.resolve(best)

    def add_many(self, items: Iterable[StoryItem]) -> list[int]:
        return [self.add(item) for item in items]

    def _join(self, story: Story, item: StoryItem, vec: dict[str, float]) -> None:
        story.members.append(item.id)
        story.vec = None
        story.terms.update(item.terms)
        if len(story.terms) > self.config.centroid_terms * 2:
            story.terms = Counter(dict(story.terms.most_common(self.config.centroid_terms)))
        story.keys.update(item.keys)
        if item.embedding is not None:
            story.embed_sum = item.embedding.copy() if story.embed_sum is None else story.embed_sum + item.embedding
        if item.day:
            story.first = min(story.first or item.day, item.day)
            story.last = max(story.last or item.day, item.day)
        for t in sorted(vec, key=lambda t: (-vec[t], t))[: self.config.max_postings_terms]:
            self._term_postings[t].add(story.id)
        for k in item.keys:
            self._key_postings[k].add(story.id)

    def _story_item(self, story: Story) -> StoryItem:
        return StoryItem(id=f"story:{story.id}", terms=story.terms, keys=frozenset(story.keys),
                         embedding=story.embedding(), day=story.last)

    def _maybe_merge(self, sid: int) -> None:
        """Merge the grown story with another open story whose centroid has converged on it."""
        story = self.stories[sid]
        if len(story.members) < 2:
            return
        as_item = self._story_item(story)
        vec = self._weighted(as_item.terms)
        for other in self._candidates(as_item, vec):
            if other == sid:
                continue
            if self.similarity(as_item, self.stories[other], vec) >= self.config.merge_threshold:
                self._merge(keep=min(sid, other), gone=max(sid, other))
                return

    def _merge(self, keep: int, gone: int) -> None:
        a, b = self.stories[keep], self.stories[gone]
        a.members.extend(b.members)
        a.vec = None
        a.terms.update(b.terms)
        a.keys.update(b.keys)
        if b.embed_sum is not None:
            a.embed_sum = b.embed_sum.copy() if a.embed_sum is None else a.embed_sum + b.embed_sum
        days = [d for d in (a.first, a.last, b.first, b.last) if d]
        a.first, a.last = (min(days), max(days)) if days else (None, None)
        b.merged_into = keep
        b.members = []
        for postings in (self._term_postings, self._key_postings):
            for sids in postings.values():
                if gone in sids:
                    sids.discard(gone)
                    sids.add(keep)

    def resolve(self, sid: int) -> int:
        """The live story a (possibly merged) story id now lives in."""
        while self.stories[sid].merged_into is not None:
            sid = self.stories[sid].merged_into  # type: ignore[assignment]
        return sid

    def clusters(self) -> dict[int, list[str]]:
        """Live stories: id -> member ids, in order of addition."""
        return {sid: list(s.members) for sid, s in sorted(self.stories.items()) if s.merged_into is None}


def similarity_matrix(items: Sequence[StoryItem], config: StoryConfig | None = None) -> np.ndarray:
    """All-pairs similarity of items, on the same terms as ``StoryClusterer.similarity`` but with corpus IDF."""
    from scipy.sparse import csr_matrix

    cfg = config or StoryConfig()
    vocab: dict[str, int] = {}
    df: Counter = Counter()
    for it in items:
        df.update(it.terms.keys())
    rows, cols, vals = [], [], []
    n = len(items)
    for r, it in enumerate(items):
        for t, c in it.terms.items():
            rows.append(r)
            cols.append(vocab.setdefault(t, len(vocab)))
            vals.append((1.0 + math.log(c)) * (math.log((n + 1) / (df[t] + 1)) + 1.0))
    m = csr_matrix((vals, (rows, cols)), shape=(n, max(1, len(vocab))), dtype=np.float64)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1))).ravel()
    norms[norms == 0] = 1.0
    m = csr_matrix(m.multiply(1.0 / norms[:, None]))
    score = cfg.w_terms * (m @ m.T).toarray()
    weight = np.full((n, n), cfg.w_terms)
    keyed = [i for i, it in enumerate(items) if it.keys]
    for a in keyed:
        for b in keyed:
            if a < b:
                shared = len(items[a].keys & items[b].keys) / min(len(items[a].keys), len(items[b].keys))
                score[a, b] += cfg.w_keys * shared
                score[b, a] += cfg.w_keys * shared
                weight[a, b] += cfg.w_keys
                weight[b, a] += cfg.w_keys
    with_emb = [i for i, it in enumerate(items) if it.embedding is not None]
    if with_emb:
        e = np.stack([items[i].embedding for i in with_emb])
        sem = np.clip((e @ e.T - cfg.embed_floor) / (1 - cfg.embed_floor), 0, 1)
        idx = np.ix_(with_emb, with_emb)
        score[idx] += cfg.w_embed * sem
        weight[idx] += cfg.w_embed
    sim = score / weight
    days = [it.day for it in items]
    for a in range(n):
        for b in range(a + 1, n):
            if days[a] and days[b]:
                gap = abs((days[a] - days[b]).days)
                if gap > 1:
                    sim[a, b] = sim[b, a] = sim[a, b] * math.exp(-gap / cfg.decay_days)
    np.fill_diagonal(sim, 1.0)
    return sim


BATCH_EXACT_LIMIT = 4000  # up to this many items, batch mode runs exact average-link clustering


def cluster(items: Sequence[StoryItem], config: StoryConfig | None = None) -> list[list[str]]:
    """Batch mode: re-cluster a whole corpus; lists of member ids, deterministic.

    Up to ``BATCH_EXACT_LIMIT`` items: average-link agglomerative clustering of the full similarity matrix, cut
    at ``config.batch_threshold``. Beyond: the incremental clusterer over items sorted by day, then id.
    """
    cfg = config or StoryConfig()
    order = sorted(items, key=lambda it: (it.day or date.min, it.id))
    if 1 < len(order) <= BATCH_EXACT_LIMIT:
        from scipy.cluster.hierarchy import fcluster, linkage
        from scipy.spatial.distance import squareform

        dist = 1.0 - similarity_matrix(order, cfg)
        dist = np.clip((dist + dist.T) / 2, 0.0, None)
        np.fill_diagonal(dist, 0.0)
        labels = fcluster(linkage(squareform(dist, checks=False), method="average"),
                          t=1.0 - cfg.batch_threshold, criterion="distance")
        groups: dict[int, list[str]] = defaultdict(list)
        for it, label in zip(order, labels, strict=True):
            groups[int(label)].append(it.id)
        return sorted(groups.values(), key=lambda g: order.index(next(x for x in order if x.id == g[0])))
    clusterer = StoryClusterer(cfg)
    clusterer.add_many(order)
    return list(clusterer.clusters().values())


def item_from_article(article, embedding: np.ndarray | None = None, title_weight: int = 2) -> StoryItem:
    """The StoryItem of an analysed Article: its body terms, title terms counted ``title_weight`` times."""
    from khabar.lang.tokens import terms

    counts: Counter = Counter()
    lang = article.lang
    if article.title:
        for _ in range(title_weight):
            counts.update(terms(article.title, lang))
    body = " ".join(s.text for s in article.sentences) if article.sentences else article.text
    counts.update(terms(body, lang))
    keys = frozenset(m.key for m in article.entities if m.key)
    return StoryItem(id=article.id, terms=counts, keys=keys, embedding=embedding, day=article.published_date)
