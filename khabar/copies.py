"""Copies: near-duplicate pairs, the passages they share, copy groups and who published first.

``find_copies(articles)`` indexes the articles (``CopyIndex``: MinHash LSH candidates verified by exact
Jaccard and containment), joins verified pairs into groups, picks each group's origin and links every copy to
its most likely source, with the sentences it reuses and the sentences it adds.

Defaults, chosen on ``bench/synthetic_copies.py`` (word 3-shingles): a pair is a copy at Jaccard >= 0.3 or
when >= 50% of the smaller article's shingles are in the larger one. On 500 sources, copies with 5-20% of
words changed had containment >= 0.41 (1st percentile 0.48); 157 other real articles of the same story had
Jaccard <= 0.08 and containment <= 0.41 (all but five < 0.15). Groups are connected components of verified pairs, so
templated texts (weather, telegrams of congratulation) chain into large groups; each member still names the
one source it most likely copied.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

import numpy as np

from khabar.article import Article, Sentence
from khabar.copyindex import CopyIndex, CopyMatch, exact_overlap
from khabar.disjoint import DisjointSets
from khabar.extract.agencies import Agency, agencies_in, find_agency, lookup
from khabar.extract.dateline import find_dateline
from khabar.lang.segment import split_sentences
from khabar.vectors import minhash as mh

__all__ = ["Alignment", "CopyGroup", "CopyIndex", "CopyMatch", "CopyMember", "Passage", "align", "copy_groups",
           "credited_agencies", "find_copies", "outlet_agency", "unique_ids"]

# outlet codes of data sets that name an agency by a code the agency table does not hold (SaudiNewsNet: was = SPA)
_OUTLET_CODES = {"was": "Saudi Press Agency", "spa": "Saudi Press Agency"}


@dataclass(slots=True)
class Passage:
    """A reused sentence: its index and text in the copy, its best partner in the source, and the overlap."""

    index: int
    text: str
    source_index: int
    source_text: str
    overlap: float  # share of the sentence's word pairs found in the partner sentence


@dataclass(slots=True)
class Alignment:
    """Sentence alignment of a pair: passages of ``a`` found in ``b``, reused shares and what each one adds."""

    passages: list[Passage]
    reused_a: float  # share of a's words in sentences found in b
    reused_b: float
    added_a: list[str]  # a's sentences not found in b
    added_b: list[str]


@dataclass(slots=True)
class CopyMember:
    """One article of a copy group: where it came from (its source) and what it adds."""

    id: str
    title: str | None = None
    outlet: str | None = None
    published: datetime | date | None = None
    credited: list[str] = field(default_factory=list)  # agencies named in its dateline or attribution
    source: str | None = None  # its most likely source: a member published before it (None: origin, or a root)
    jaccard: float = 1.0
    containment: float = 1.0  # share of its shingles found in the source
    reused: float = 1.0  # share of its words in sentences found in the source
    adds: list[str] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)


@dataclass(slots=True)
class CopyGroup:
    """Articles carrying the same text: the origin first, then each copy linked to its source."""

    origin: str  # id of the member taken as the origin
    agency: str | None  # the agency credited as the text's source, when one is (may be outside the group)
    reason: str  # why the origin was chosen
    members: list[CopyMember]
    pairs: list[CopyMatch]

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        d = asdict(self)
        for m in d["members"]:
            if m["published"] is not None:
                m["published"] = m["published"].isoformat()
        return d


def outlet_agency(outlet: str | None) -> Agency | None:
    """The agency an outlet code stands for, when the outlet is itself a news agency (SaudiNewsNet "was": SPA)."""
    if not outlet:
        return None
    agency = lookup(_OUTLET_CODES.get(outlet.strip().casefold(), outlet))
    return agency if agency is not None and agency.kind == "agency" else None


def credited_agencies(article: Article) -> list[str]:
    """Canonical names of the agencies an article credits: its dateline or agency field, or its attribution.

    Looks at the opening line and the closing words (where datelines and «(واس)» credits sit), accepting
    there also the short aliases that ``agencies_in`` only takes in brackets (``الرياض ... م واس``).
    """
    names: dict[str, None] = {}
    dateline = article.dateline if article.dateline is not None else find_dateline(article.text or "")
    if dateline is not None and dateline.agency:
        names.setdefault(dateline.agency, None)
    if article.agency:
        found = find_agency(article.agency)
        names.setdefault(found[0] if found else article.agency, None)
    text = (article.text or "").strip()
    if not text:
        return list(names)
    first = text.split("\n", 1)[0]
    head = text[:300]
    for name in agencies_in(head):
        agency = lookup(name)
        if agency is None or agency.kind == "agency":
            names.setdefault(name, None)
    # a dateline line: the agency is its last word or words (``جدة 25 شوال 1436هـ ... م واس``)
    for part in (first[:160], text[-60:]):
        words = part.replace("(", " ").replace(")", " ").replace("-", " ").split()
        for n in (1, 2, 3):
            if len(words) >= n and len(words) <= 30:
                found = find_agency(" ".join(words[-n:]))
                if found and (lookup(found[0]) or Agency("", "", "agency")).kind == "agency":
                    names.setdefault(found[0], None)
    return list(names)


# ---- sentence alignment

@lru_cache(maxsize=4096)
def _sentences(text: str) -> tuple[tuple[Sentence, ...], tuple[np.ndarray, ...], tuple[int, ...]]:
    sents = tuple(s for s in split_sentences(text) if s.text.strip())
    hashes = [mh.word_hashes(s.text) for s in sents]
    return sents, tuple(mh.shingles_of_hashes(h, 2) for h in hashes), tuple(len(h) for h in hashes)


def _reuse(a: str, b: str, min_overlap: float) -> tuple[list[Passage], float, list[str]]:
    sa, pa, wa = _sentences(a)
    sb, pb, _ = _sentences(b)
    if not sa:
        return [], 0.0, []
    owner: dict[int, list[int]] = {}
    for j, bigrams in enumerate(pb):
        for h in bigrams.tolist():
            owner.setdefault(h, []).append(j)
    passages: list[Passage] = []
    added: list[str] = []
    reused_words = 0
    for i, bigrams in enumerate(pa):
        counts: dict[int, int] = {}
        shared = 0
        for h in bigrams.tolist():
            js = owner.get(h)
            if js:
                shared += 1
                for j in set(js):
                    counts[j] = counts.get(j, 0) + 1
        share = shared / len(bigrams) if len(bigrams) else 0.0
        if counts and share >= min_overlap:
            j = max(counts, key=lambda x: (counts[x], -x))
            passages.append(Passage(i, sa[i].text, j, sb[j].text, round(share, 3)))
            reused_words += wa[i]
        else:
            added.append(sa[i].text)
    total = sum(wa)
    return passages, (reused_words / total if total else 0.0), added


def align(a: Article | str, b: Article | str, min_overlap: float = 0.5) -> Alignment:
    """Sentence alignment: a sentence is reused when ``min_overlap`` of its word pairs occur in the other text."""
    ta = a.text if isinstance(a, Article) else a
    tb = b.text if isinstance(b, Article) else b
    passages, reused_a, added_a = _reuse(ta or "", tb or "", min_overlap)
    _, reused_b, added_b = _reuse(tb or "", ta or "", min_overlap)
    return Alignment(passages, reused_a, reused_b, added_a, added_b)


# ---- groups and origin

def _when(t: datetime | date | None) -> float | None:
    if t is None:
        return None
    if not isinstance(t, datetime):
        t = datetime(t.year, t.month, t.day)
    return t.replace(tzinfo=None).timestamp()


def copy_groups(articles: Sequence[Article] | dict[str, Article], matches: Iterable[CopyMatch], *,
                tie: timedelta = timedelta(hours=24), with_alignment: bool = True,
                min_overlap: float = 0.5) -> list[CopyGroup]:
    """Connected components of verified pairs, each with its origin and every copy linked to its source.

    Origin: a member that is itself the agency the other members credit; else, among the members published
    within ``tie`` of the earliest (or with no time), a news agency's own item, then the earliest. When copies
    credit an agency that is not in the group, ``CopyGroup.agency`` names it as the text's source.
    """
    by_id = articles if isinstance(articles, dict) else {a.id: a for a in articles}
    matches = [m for m in matches if m.a in by_id and m.b in by_id]
    sets: DisjointSets[str] = DisjointSets()
    for m in matches:
        sets.union(m.a, m.b)
    comps = sets.groups()
    pairs_of: dict[str, list[CopyMatch]] = {}
    for m in matches:
        pairs_of.setdefault(sets.find(m.a), []).append(m)
    groups = [_group(sorted(ids), pairs_of.get(root, []), by_id, tie, with_alignment, min_overlap)
              for root, ids in comps.items() if len(ids) > 1]
    groups.sort(key=lambda g: (-len(g.members), g.origin))
    return groups


def _group(ids: list[str], pairs: list[CopyMatch], by_id: dict[str, Article], tie: timedelta,
           with_alignment: bool, min_overlap: float) -> CopyGroup:
    arts = [by_id[i] for i in ids]
    credited = {a.id: credited_agencies(a) for a in arts}
    own = {a.id: outlet_agency(a.outlet) for a in arts}
    times = {a.id: _when(a.published) for a in arts}
    known = [t for t in times.values() if t is not None]
    first = min(known) if known else None
    # agencies credited by members other than the agency itself
    named = {n for a in arts for n in credited[a.id] if own[a.id] is None or own[a.id].name != n}

    def rank(a: Article) -> tuple:
        t = times[a.id]
        early = t is None or first is None or t <= first + tie.total_seconds()
        agency = own[a.id]
        return (0 if agency is not None and agency.name in named else 1,
                0 if early else 1,
                0 if agency is not None else 1,
                t if t is not None else float("inf"),
                a.id)

    order = sorted(arts, key=rank)
    origin = order[0]
    r0 = rank(origin)
    if r0[0] == 0:
        reason = f"the agency credited by the copies ({own[origin.id].name})"
    elif r0[2] == 0:
        reason = f"news agency's own item ({own[origin.id].name})"
    elif first is not None and times[origin.id] is not None:
        reason = "earliest publication"
    else:
        reason = "first seen (no publication times)"
    agency = own[origin.id].name if own[origin.id] is not None else None
    if agency is None and named:
        counts: dict[str, int] = {}
        for a in arts:
            for n in credited[a.id]:
                counts[n] = counts.get(n, 0) + 1
        agency = max(sorted(counts), key=lambda n: counts[n])
        if reason != "earliest publication" or len(known) < len(arts):
            reason += f"; text credited to {agency}"
    position = {a.id: k for k, a in enumerate(order)}
    nbrs: dict[str, list[tuple[str, CopyMatch]]] = {}
    for m in pairs:
        nbrs.setdefault(m.a, []).append((m.b, m))
        nbrs.setdefault(m.b, []).append((m.a, m))

    def precedes(n: str, m: str) -> bool:
        """Whether ``n`` can be the source of ``m``: credited by it, clearly earlier, or the wire within a tie."""
        an, am = own[n], own[m]
        if an is not None and an.name in credited[m] and (am is None or am.name != an.name):
            return True
        if am is not None and am.name in credited[n] and (an is None or an.name != am.name):
            return False
        tn, tm = times[n], times[m]
        if tn is not None and tm is not None and abs(tn - tm) > tie.total_seconds():
            return tn < tm
        if (an is None) != (am is None):
            return an is not None
        return position[n] < position[m]

    def contained(x: str, m: CopyMatch) -> float:
        return m.contained_a if m.a == x else m.contained_b

    members: list[CopyMember] = []
    not_in_copy: list[set[str]] = []  # per copy of the origin: origin sentences it lacks
    for a in order:
        mem = CopyMember(a.id, a.title, a.outlet, a.published, credited[a.id])
        if a.id != origin.id:
            earlier = [(y, m) for y, m in nbrs.get(a.id, []) if precedes(y, a.id)]
            # with no neighbour before it, it is a root of its own (joined to the group through later copies):
            # its figures are given against its closest neighbour, and no source is named
            cands = earlier or nbrs.get(a.id, [])
            best = max(contained(a.id, m) for _, m in cands)
            src, m = max(cands, key=lambda ym: (
                own[ym[0]] is not None and own[ym[0]].name in credited[a.id],  # the agency it credits
                own[ym[0]] is not None and contained(a.id, ym[1]) >= best - 0.1,  # the wire, nearly as close
                contained(a.id, ym[1]), ym[1].jaccard, -position[ym[0]]))
            mem.source = src if earlier else None
            mem.jaccard, mem.containment = round(m.jaccard, 4), round(contained(a.id, m), 4)
            if with_alignment:
                passages, reused, added = _reuse(a.text or "", by_id[src].text or "", min_overlap)
                mem.reused, mem.adds, mem.passages = round(reused, 4), added, passages
                if src == origin.id and earlier:
                    _, _, back = _reuse(origin.text or "", a.text or "", min_overlap)
                    not_in_copy.append(set(back))
        members.append(mem)
    if with_alignment and not_in_copy:
        # what the origin says that no copy taken from it repeats
        only = set.intersection(*not_in_copy)
        _, _, own_added = _reuse(origin.text or "", "", min_overlap)
        members[0].adds = [s for s in own_added if s in only]
        members[0].reused = 1.0
    return CopyGroup(origin.id, agency, reason, members, pairs)


def unique_ids(articles: Sequence[Article]) -> list[Article]:
    """The articles, a repeated id renamed ``id#2``, ``id#3``... (in place), so each can be told apart."""
    seen: set[str] = set()
    out = []
    for a in articles:
        if a.id in seen:
            base, k = a.id, 2
            while f"{base}#{k}" in seen:
                k += 1
            a.id = f"{base}#{k}"
        seen.add(a.id)
        out.append(a)
    return out


def find_copies(articles: Iterable[Article], *, threshold: float = 0.3, containment: float = 0.5,
                index: CopyIndex | None = None, tie: timedelta = timedelta(hours=24),
                with_alignment: bool = True, progress: Callable[[int], None] | None = None) -> list[CopyGroup]:
    """Copy groups among articles (ids made unique: a repeated id gets ``#2``, ``#3``...)."""
    arts = unique_ids(list(articles))
    idx = index or CopyIndex(threshold, containment)
    matches = idx.add_many(arts, progress=progress)
    return copy_groups(arts, matches, tie=tie, with_alignment=with_alignment)


def pair_overlap(a: Article, b: Article, shingle: int = 3) -> tuple[float, float, float]:
    """Exact (Jaccard, share of a in b, share of b in a) of two articles' word shingles."""
    sa, sb = mh.text_shingles(a.text or "", shingle), mh.text_shingles(b.text or "", shingle)
    return exact_overlap(sa, sb)
