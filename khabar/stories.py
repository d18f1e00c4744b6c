"""Incremental story clustering: each article joins the best-matching open story or starts a new one.

An article is reduced to a ``StoryItem`` (``khabar.story_item``: terms, names and numbers counted more and again as
a channel of their own, entity keys, the years the text names, an optional embedding, a date). It joins the open
story with the best average-link similarity (mean similarity to the members: one dot product against the sum of
their unit vectors; the term part counts ``1 + year_boost`` times for members naming a common year, which tells
look-alike events of different years apart). Document frequencies are the stream's own plus a shipped background
table, so the first articles of a stream are weighed well. Candidate stories come from postings of each
member's rarest terms and of entity keys, and (with embeddings) from a faiss index of open stories' members
(``khabar.story_index``); stories idle for ``window_days`` are closed and swept from the
postings, so one add costs about the same however many articles are stored. Stories that converge are merged.
After each add, the story it touched and its best-scoring neighbours (up to ``recluster_max`` members, kept in
memory while their stories are open) are re-clustered with batch average link, and split or regrouped where that
differs: an early greedy join of a look-alike event is undone once more of either event has arrived.
Deterministic: the same items in the same order give the same stories. ``cluster`` is the batch mode.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from khabar.align import background_df
from khabar.story_index import EmbeddingIndex
from khabar.story_item import (
    NAME_MARK,
    NAME_WEIGHT,
    YEAR_KEY,
    StoryItem,
    item_from_article,
    marked_terms,
    split_keys,
    text_years,
)
from khabar.story_similarity import similarity_matrix, weighted, year_agreements

__all__ = [  # the item helpers live in khabar.story_item; importable from here as before
    "NAME_MARK", "NAME_WEIGHT", "YEAR_KEY", "Story", "StoryClusterer", "StoryConfig", "StoryItem", "cluster",
    "item_from_article", "marked_terms", "similarity_matrix", "split_keys", "text_years", "weighted",
    "year_agreements",
]


@dataclass
class StoryConfig:
    """Parameters of the similarity between an article and a story, and of the join/merge decisions."""

    threshold: float = 0.30  # join the best story at or above this similarity (average link to its members)
    batch_threshold: float = 0.32  # batch mode: average-link cut
    merge_threshold: float = 0.30  # merge two open stories whose average-link similarity reaches this
    w_terms: float = 0.55
    w_keys: float = 0.04  # English keys are sparse: more weight lowered ECB+ F1
    w_embed: float = 0.10  # ECB+ dev: title embeddings at 0.25 lowered F1 (0.894 vs 0.908 without)
    embed_floor: float = 0.85  # e5 cosines bunch up: rescale [floor, 1] to [0, 1]
    window_days: int = 7  # stories idle longer than this are closed
    decay_days: float = 4.0  # similarity penalty grows with the day gap
    max_postings_terms: int = 12  # rare terms of an article used for candidate lookup
    max_candidates: int = 20  # stories scored per add, those sharing the most index entries first
    merge_candidates: int = 5
    centroid_terms: int = 300  # terms kept in a story centroid
    prune_every: int = 2000  # adds between sweeps that drop closed stories from the indexes
    # across languages terms cannot match: entity keys (shared across scripts) and embeddings decide
    cross_w_keys: float = 0.6
    cross_w_embed: float = 0.4
    cross_min_keys: int = 3  # fewer shared keys than this count for nothing across languages
    name_share: float = 0.36  # of the term cosine given to names and numbers (their own unit vector)
    background_df: bool = True  # document frequencies: the stream's own plus khabar/resources/idf (a cold start
    # weighs the first articles well)
    year_boost: float = 0.5  # term similarity x (1 + year_boost) where both texts name a common year
    recluster: bool = True  # after each join: batch average link (batch_threshold) over the story and neighbours
    recluster_neighbours: int = 3  # best-scoring candidate stories (the joined one counts) also re-clustered
    recluster_floor: float = 0.15  # neighbours scoring below this stay out of it
    recluster_max: int = 60  # local sets larger than this are left alone (one add stays fast)


@dataclass(slots=True)
class Story:
    """A story under construction: its members and running sums (average link to members is one dot product)."""

    id: int
    members: list[str] = field(default_factory=list)
    vsum: dict[str, float] = field(default_factory=dict)  # sum of the members' unit TF-IDF vectors (trimmed)
    keys: Counter = field(default_factory=Counter)
    embed_sum: np.ndarray | None = None
    first: date | None = None
    last: date | None = None
    merged_into: int | None = None
    posted: set[str] = field(default_factory=set)  # index entries (terms, "\x00"+key) that point at this story
    closed: bool = False
    langs: Counter = field(default_factory=Counter)
    years: Counter = field(default_factory=Counter)  # members' year sets (frozenset) -> members naming them
    _emb: np.ndarray | None = None  # cached mean member embedding

    def embedding(self) -> np.ndarray | None:
        """The mean of the members' (unit) embeddings, cached until the story changes."""
        if self._emb is None and self.embed_sum is not None and self.members:
            self._emb = self.embed_sum / len(self.members)
        return self._emb


class StoryClusterer:
    """Online clustering of StoryItems into stories; ``add`` returns the story id an item joined.

    An item joins the open story with the highest average-link similarity (the mean of its similarities to the
    members, kept exact for terms by summing the members' unit vectors) when it reaches ``threshold``.
    Candidates come from postings of each member's rarest terms and entity keys, and from the stories holding the
    item's nearest embeddings (faiss, exact search over open stories' members); closed stories (idle longer than
    ``window_days`` behind the newest item) are swept from the postings and their sums dropped, so memory and
    time per add stay bounded as the store grows.
    """

    def __init__(self, config: StoryConfig | None = None) -> None:
        self.config = config or StoryConfig()
        self.stories: dict[int, Story] = {}
        self.assignment: dict[str, int] = {}
        self.merged: dict[int, int] = {}  # gone story -> the story it was merged into
        self._df: Counter = Counter()
        self._n_docs = 0
        self._postings: dict[str, set[int]] = defaultdict(set)
        self._next_id = 1
        self._newest: date | None = None
        self._since_prune = 0
        self._background = background_df() if self.config.background_df else None
        self._kept: dict[str, tuple[StoryItem, dict[str, float], list[str]]] = {}  # members of open stories
        self._arrival: dict[str, int] = {}  # arrival number of each kept item
        self._seq = 0
        self.moves: dict[str, int] = {}  # item id -> story it was moved to by a re-clustering (until taken)
        self._emb_index: EmbeddingIndex | None = None  # embeddings of open stories' members (faiss)

    # -- weights -------------------------------------------------------------------------------------------
    def _weighted(self, terms: Counter) -> dict[str, float]:
        """TF-IDF of the terms and of the names channel, each a unit vector scaled by its share."""
        return weighted(terms, self._df, self._n_docs, self.config.name_share, self._background)

    @staticmethod
    def _key_weight(key: str) -> float:
        return 1.0 if key.startswith("pers:") else 0.8 if key.startswith("org:") else 0.5

    # -- similarity ----------------------------------------------------------------------------------------
    def _score(self, vec: dict[str, float], keys: Sequence[str], emb: np.ndarray | None,
               first: date | None, last: date | None, story: Story, scale: float,
               key_total: float | None = None, lang: str | None = None, years: Counter | None = None) -> float:
        if lang and story.langs and lang not in story.langs:
            score = self._cross_score(keys, emb, story)
        else:
            score = self._same_score(vec, keys, emb, story, scale, key_total, years)
        return score * self._decay(first, last, story)

    def _same_score(self, vec: dict[str, float], keys: Sequence[str], emb: np.ndarray | None, story: Story,
                    scale: float, key_total: float | None, years: Counter | None) -> float:
        """Similarity to a story in the same language: average link over terms (raised where both name a common
        year), shared keys, embeddings."""
        cfg = self.config
        vsum = story.vsum
        shared_terms = vec.keys() & vsum.keys()  # set intersection in C; the sum runs over shared terms only
        dot = math.fsum([vec[t] * vsum[t] for t in shared_terms])  # exactly rounded: no hash-order effects
        if years and story.years and cfg.year_boost:  # mean term link times the share of pairs naming a common year
            dot *= 1.0 + cfg.year_boost * year_agreements(years, story.years) / scale
        score = cfg.w_terms * dot / scale
        weights = cfg.w_terms
        if keys and story.keys:  # entity keys count only where both sides have some
            skeys = story.keys
            total = key_total if key_total is not None else sum(self._key_weight(k) for k in keys)
            shared = sum([self._key_weight(k) for k in keys if k in skeys])
            score += cfg.w_keys * shared / total
            weights += cfg.w_keys
        other = story.embedding()
        if emb is not None and other is not None:
            cos = float(emb @ other)
            score += cfg.w_embed * max(0.0, (cos - cfg.embed_floor) / (1.0 - cfg.embed_floor))
            weights += cfg.w_embed
        return score / weights

    def _decay(self, first: date | None, last: date | None, story: Story) -> float:
        """The day-gap factor between an item (or story) spanning first..last and a story."""
        if first and last and story.first and story.last:
            gap = max((story.first - last).days, (first - story.last).days, 0)
            if gap > 1:
                return math.exp(-gap / self.config.decay_days)
        return 1.0

    def _cross_score(self, keys: Sequence[str], emb: np.ndarray | None, story: Story) -> float:
        """Similarity to a story in other languages: shared entity keys and embeddings, never terms."""
        cfg = self.config
        shared = [k for k in keys if k in story.keys]
        score, weights = 0.0, cfg.cross_w_keys
        if len(shared) >= cfg.cross_min_keys:
            score += cfg.cross_w_keys * len(shared) / min(len(keys), len(story.keys))
        other = story.embedding()
        if emb is not None and other is not None:
            score += cfg.cross_w_embed * max(0.0, (float(emb @ other) - cfg.embed_floor) / (1.0 - cfg.embed_floor))
            weights += cfg.cross_w_embed
        return score / weights

    def similarity(self, item: StoryItem, story: Story, vec: dict[str, float] | None = None,
                   key_total: float | None = None) -> float:
        """Similarity of an item to a story (0 to 1, up to 1 + year_boost where years agree): average link over
        terms and names, plus keys, embedding, day gap."""
        vec = vec if vec is not None else self._weighted(item.terms)
        keys, years = split_keys(item.keys)
        return self._score(vec, keys, item.embedding, item.day, item.day, story, max(1, len(story.members)),
                           key_total, item.lang, Counter({years: 1}) if years else None)

    def _lookup(self, entries: Iterable[str], day: date | None, exclude: int = 0) -> list[int]:
        cfg = self.config
        hits: Counter = Counter()
        for e in entries:
            posting = self._postings.get(e)
            if posting:
                hits.update(posting)
        hits.pop(exclude, None)
        out = []
        ranked = hits.most_common(3 * cfg.max_candidates)  # ties in first-seen order: deterministic
        for sid, _ in ranked:
            story = self.stories[sid]
            if story.merged_into is not None or story.closed:
                continue
            if day and story.last and (day - story.last).days > cfg.window_days:
                continue
            out.append(sid)
            if len(out) >= cfg.max_candidates:
                break
        return out

    def _candidates(self, entries: list[str], item: StoryItem) -> list[int]:
        """Open stories sharing index entries with the item, then those holding its nearest embeddings."""
        found = self._lookup(entries, item.day)
        if item.embedding is None or self._emb_index is None:
            return found
        cfg = self.config
        for member, _ in self._emb_index.search(item.embedding, cfg.max_candidates, cfg.embed_floor):
            sid = self.story_of(member)
            story = self.stories[sid]
            late = item.day and story.last and (item.day - story.last).days > cfg.window_days
            if sid in found or story.closed or late:
                continue
            found.append(sid)
        return found

    def _entries(self, vec: dict[str, float], keys: Iterable[str]) -> list[str]:
        rare = heapq.nsmallest(self.config.max_postings_terms, vec.items(), key=lambda x: (-x[1], x[0]))
        return [t for t, _ in rare] + ["\x00" + k for k in sorted(keys)]  # sorted: same order in every process

    # -- updates -------------------------------------------------------------------------------------------
    def add(self, item: StoryItem) -> int:
        """Place one item: join the best open story above threshold, or start a new story."""
        if item.id in self.assignment:
            return self.resolve(self.assignment[item.id])
        self._n_docs += 1
        self._df.update(item.terms.keys())
        vec = self._weighted(item.terms)
        keys, years = split_keys(item.keys)  # keys sorted: bit-identical scores in every process
        entries = self._entries(vec, keys)
        best, best_sim = None, self.config.threshold
        key_total = sum(self._key_weight(k) for k in keys)
        own_years = Counter({years: 1}) if years else None
        scored: list[tuple[float, int]] = []
        for sid in self._candidates(entries, item):
            story = self.stories[sid]
            sim = self._score(vec, keys, item.embedding, item.day, item.day, story, max(1, len(story.members)),
                              key_total, item.lang, own_years)
            scored.append((sim, sid))
            if sim >= best_sim:
                best, best_sim = sid, sim
        if best is None:
            best = self._next_id
            self._next_id += 1
            self.stories[best] = Story(id=best)
        story = self.stories[best]
        self._keep(item, vec, entries)
        self._join(story, item, vec, entries)
        self.assignment[item.id] = best
        if item.day and (self._newest is None or item.day > self._newest):
            self._newest = item.day
        if len(story.members) > 1:
            self._maybe_merge(best)
        if self.config.recluster:
            scored.sort(key=lambda x: (-x[0], x[1]))
            near = [sid for sim, sid in scored if sim >= self.config.recluster_floor][: self.config.recluster_neighbours]
            self.recluster([self.resolve(best)] + [self.resolve(sid) for sid in near])
        self._since_prune += 1
        if self._since_prune >= self.config.prune_every:
            self.prune()
        return self.resolve(best)

    def add_many(self, items: Iterable[StoryItem]) -> list[int]:
        return [self.add(item) for item in items]

    def restore(self, placed: Iterable[tuple[StoryItem, int]], merges: dict[int, int] | None = None,
                spans: Iterable[tuple[int, date | None]] | None = None) -> None:
        """Rebuild the state from stored (item, story id) pairs in arrival order and stored merges (gone -> keep),
        without scoring: each item goes straight to the live story it was stored in, so reopening a store costs
        a fraction of adding its articles again and gives exactly the stored stories. ``spans`` (every stored
        (story id, day), a cheap first pass) tells which stories are closed by the end: their items only count
        in the document frequencies and the members, unweighed and unindexed."""
        merges = dict(merges or {})

        def live(sid: int) -> int:
            while sid in merges:
                sid = merges[sid]
            return sid

        closing: set[int] = set()
        if spans is not None:
            last: dict[int, date | None] = {}
            for stored, day in spans:
                sid = live(stored)
                last[sid] = max(last.get(sid) or day, day) if day else last.get(sid)
            newest = max((d for d in last.values() if d), default=None)
            closing = {s for s, d in last.items() if d and newest and (newest - d).days > self.config.window_days}
        for item, stored in placed:
            if item.id in self.assignment:
                continue
            self._n_docs += 1
            self._df.update(item.terms.keys())
            sid = live(stored)
            story = self.stories.get(sid)
            if story is None:
                story = self.stories[sid] = Story(id=sid, closed=sid in closing)
            if story.closed:  # closed by the end: no vector, no postings
                self._seq += 1
                story.members.append(item.id)
                story.first = min(story.first or item.day, item.day) if item.day else story.first
                story.last = max(story.last or item.day, item.day) if item.day else story.last
                self.assignment[item.id] = stored
                if item.day and (self._newest is None or item.day > self._newest):
                    self._newest = item.day
                continue
            vec = self._weighted(item.terms)
            entries = self._entries(vec, split_keys(item.keys)[0])
            self._keep(item, vec, entries)
            self._join(story, item, vec, entries)
            self.assignment[item.id] = stored
            if item.day and (self._newest is None or item.day > self._newest):
                self._newest = item.day
            self._since_prune += 1
            if self._since_prune >= self.config.prune_every:
                self.prune()
        for gone, keep in merges.items():
            self.stories.setdefault(gone, Story(id=gone)).merged_into = keep
            self.merged[gone] = keep
        known = set(self.stories) | set(merges) | set(merges.values())
        self._next_id = max(known, default=0) + 1

    def _keep(self, item: StoryItem, vec: dict[str, float], entries: list[str]) -> None:
        """Keep an item of an open story (with its vector as weighed on arrival) for local re-clustering."""
        self._seq += 1
        if item.embedding is not None:
            if self._emb_index is None:
                self._emb_index = EmbeddingIndex(len(item.embedding))
            self._emb_index.add(item.id, item.embedding)
        if self.config.recluster:
            self._kept[item.id] = (item, vec, entries)
            self._arrival[item.id] = self._seq

    def recluster(self, sids: Iterable[int]) -> bool:
        """Re-cluster the members of some open stories with batch average link (``batch_threshold``) and rebuild
        the stories where the result differs. A group keeps the id of the old story it shares most members with
        (ties: the smaller id), others get new ids; an old story left without a group is recorded as merged into
        the group that took most of its members. Moved members are noted in ``moves``. True if anything changed."""
        sids = sorted({s for s in sids if self.stories[s].merged_into is None and not self.stories[s].closed})
        members = [m for s in sids for m in self.stories[s].members]
        if len(members) < 2 or len(members) > self.config.recluster_max or any(m not in self._kept for m in members):
            return False
        old_of = {m: s for s in sids for m in self.stories[s].members}
        groups = cluster([self._kept[m][0] for m in members], self.config,
                         vectors=[self._kept[m][1] for m in members])  # vectors as weighed on arrival
        if {frozenset(g) for g in groups} == {frozenset(self.stories[s].members) for s in sids}:
            return False
        groups = sorted((sorted(g, key=self._arrival.__getitem__) for g in groups),
                        key=lambda g: self._arrival[g[0]])
        overlap = sorted(((-sum(old_of[m] == s for m in g), s, i) for i, g in enumerate(groups) for s in sids
                          if any(old_of[m] == s for m in g)))
        ids: dict[int, int] = {}
        for _, s, i in overlap:
            if i not in ids and s not in ids.values():
                ids[i] = s
        for i in range(len(groups)):
            if i not in ids:
                ids[i] = self._next_id
                self._next_id += 1
        for s in sids:  # unindex the old stories; rebuilt below from their kept members
            for e in self.stories[s].posted:
                posting = self._postings.get(e)
                if posting is not None:
                    posting.discard(s)
        new_of = {m: ids[i] for i, g in enumerate(groups) for m in g}
        for i, g in enumerate(groups):
            story = self.stories[ids[i]] = Story(id=ids[i])
            for m in g:
                self._join(story, *self._kept[m])
                if old_of[m] != ids[i]:
                    self.assignment[m] = self.moves[m] = ids[i]
        for s in sids:
            if s not in new_of.values():
                took = Counter(new_of[m] for m in members if old_of[m] == s)
                keep = min(took, key=lambda x: (-took[x], x))
                self.stories[s] = Story(id=s, merged_into=keep)
                self.merged[s] = keep
        return True

    def take_moves(self) -> dict[str, int]:
        """The members moved between stories since the last call (item id -> story id)."""
        moves, self.moves = self.moves, {}
        return moves

    def story_of(self, item_id: str) -> int:
        """The live story an item is in now."""
        return self.resolve(self.assignment[item_id])

    def _trim(self, story: Story) -> None:
        limit = self.config.centroid_terms
        if len(story.vsum) > 2 * limit:
            keep = sorted(story.vsum.items(), key=lambda x: (-x[1], x[0]))[:limit]
            story.vsum = dict(keep)

    def _join(self, story: Story, item: StoryItem, vec: dict[str, float], entries: list[str]) -> None:
        story.members.append(item.id)
        vsum = story.vsum
        for t, w in vec.items():
            vsum[t] = vsum.get(t, 0.0) + w
        self._trim(story)
        keys, years = split_keys(item.keys)
        story.keys.update(keys)
        if years:
            story.years[years] += 1
        if item.lang:
            story.langs[item.lang] += 1
        if item.embedding is not None:
            story.embed_sum = item.embedding.astype(np.float32, copy=True) if story.embed_sum is None \
                else story.embed_sum + item.embedding
        story._emb = None
        if item.day:
            story.first = min(story.first or item.day, item.day)
            story.last = max(story.last or item.day, item.day)
        for e in entries:
            if e not in story.posted:
                self._postings[e].add(story.id)
                story.posted.add(e)

    def _maybe_merge(self, sid: int) -> None:
        """Merge the grown story with an open story whose average-link similarity to it reaches the threshold."""
        story = self.stories[sid]
        n = len(story.members)
        vec = story.vsum  # scored against the other story's sum, scaled by both sizes
        keys = sorted(story.keys)
        emb = story.embedding()
        best, best_sim = None, self.config.merge_threshold
        top_keys = [k for k, _ in sorted(story.keys.items(), key=lambda x: (-x[1], x[0]))[:8]]
        key_total = sum(self._key_weight(k) for k in keys)
        for other in self._lookup(self._entries(vec, top_keys), story.last, exclude=sid)[: self.config.merge_candidates]:
            o = self.stories[other]
            sim = self._score(vec, keys, emb, story.first, story.last, o, n * len(o.members), key_total,
                              years=story.years)
            if sim >= best_sim:
                best, best_sim = other, sim
        if best is not None:
            self._merge(keep=min(sid, best), gone=max(sid, best))

    def _merge(self, keep: int, gone: int) -> None:
        a, b = self.stories[keep], self.stories[gone]
        a.members.extend(b.members)
        for t, w in b.vsum.items():
            a.vsum[t] = a.vsum.get(t, 0.0) + w
        self._trim(a)
        a.keys.update(b.keys)
        a.langs.update(b.langs)
        a.years.update(b.years)
        if b.embed_sum is not None:
            a.embed_sum = b.embed_sum.copy() if a.embed_sum is None else a.embed_sum + b.embed_sum
        a._emb = None
        days = [d for d in (a.first, a.last, b.first, b.last) if d]
        a.first, a.last = (min(days), max(days)) if days else (None, None)
        b.merged_into = keep
        self.merged[gone] = keep
        for e in b.posted:
            posting = self._postings.get(e)
            if posting is not None:
                posting.discard(gone)
                posting.add(keep)
            a.posted.add(e)
        b.members, b.vsum, b.keys, b.embed_sum, b.posted, b.years = [], {}, Counter(), None, set(), Counter()

    def prune(self) -> int:
        """Close stories idle longer than ``window_days`` behind the newest item: unindex them, drop their sums."""
        self._since_prune = 0
        if self._newest is None:
            return 0
        closed = 0
        for story in self.stories.values():
            if story.closed or story.merged_into is not None or story.last is None:
                continue
            if (self._newest - story.last).days > self.config.window_days:
                for e in story.posted:
                    posting = self._postings.get(e)
                    if posting is not None:
                        posting.discard(story.id)
                        if not posting:
                            del self._postings[e]
                story.closed = True
                if self._emb_index is not None:
                    self._emb_index.remove(story.members)
                for m in story.members:
                    self._kept.pop(m, None)
                    self._arrival.pop(m, None)
                story.posted, story.vsum, story.keys, story.embed_sum, story._emb = set(), {}, Counter(), None, None
                story.years = Counter()
                closed += 1
        return closed

    def resolve(self, sid: int) -> int:
        """The live story a (possibly merged) story id now lives in."""
        while sid in self.merged:
            sid = self.merged[sid]
        return sid

    def clusters(self) -> dict[int, list[str]]:
        """Live stories: id -> member ids, in order of addition."""
        return {sid: list(s.members) for sid, s in sorted(self.stories.items()) if s.merged_into is None}


BATCH_EXACT_LIMIT = 4000  # up to this many items, batch mode runs exact average-link clustering


def cluster(items: Sequence[StoryItem], config: StoryConfig | None = None,
            df: tuple[Counter, int] | None = None,
            background: tuple[dict[str, int], int] | None = None,
            vectors: Sequence[dict[str, float]] | None = None) -> list[list[str]]:
    """Batch mode: re-cluster a whole corpus; lists of member ids, deterministic.

    Up to ``BATCH_EXACT_LIMIT`` items: average-link agglomerative clustering of the full similarity matrix, cut
    at ``config.batch_threshold``. Beyond: the incremental clusterer over items sorted by day, then id.
    """
    cfg = config or StoryConfig()
    order = sorted(items, key=lambda it: (it.day or date.min, it.id))
    if 1 < len(order) <= BATCH_EXACT_LIMIT:
        from scipy.cluster.hierarchy import fcluster, linkage
        from scipy.spatial.distance import squareform

        if vectors is not None:
            at = {it.id: v for it, v in zip(items, vectors, strict=True)}
            vectors = [at[it.id] for it in order]
        dist = 1.0 - similarity_matrix(order, cfg, df, background, vectors)
        dist = np.clip((dist + dist.T) / 2, 0.0, None)
        np.fill_diagonal(dist, 0.0)
        labels = fcluster(linkage(squareform(dist, checks=False), method="average"),
                          t=1.0 - cfg.batch_threshold, criterion="distance")
        groups: dict[int, list[str]] = defaultdict(list)
        for it, label in zip(order, labels, strict=True):
            groups[int(label)].append(it.id)
        rank = {it.id: i for i, it in enumerate(order)}
        return sorted(groups.values(), key=lambda g: rank[g[0]])
    clusterer = StoryClusterer(cfg)
    clusterer.add_many(order)
    return list(clusterer.clusters().values())
