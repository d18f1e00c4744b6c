"""The per-story view: who published when, what the sources agree on, what each adds, where they disagree."""

from __future__ import annotations

import copy
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

import numpy as np

from khabar.align import align, numbers, similarity_matrix
from khabar.article import Article
from khabar.disjoint import DisjointSets
from khabar.lang.normalize import normalize_digits
from khabar.lang.tokens import terms

AGREE_THRESHOLD = 0.20  # sentence similarity at which two sources state the same fact
MAX_SOURCES = 12  # independent sources whose sentences are aligned (the earliest ones)


@dataclass
class SourceEntry:
    """One article of the story as a line of its timeline."""

    id: str
    outlet: str | None
    agency: str | None
    published: str | None
    title: str | None
    url: str | None
    dateline: dict | None
    source_group: int
    source: str = ""  # the name shown for this article: outlet, agency, site, or the agency it credits
    credited: list[str] = field(default_factory=list)
    copy_of: str | None = None


@dataclass
class Fact:
    """A statement made by several independent sources: one sentence from each."""

    text: str
    sentences: dict[str, str]  # article id -> sentence


@dataclass
class Addition:
    """A sentence only one source has, or the details one source adds to a shared fact."""

    article: str
    text: str
    details: list[str] = field(default_factory=list)
    shared: bool = False  # True when the sentence states a shared fact and only ``details`` are new


@dataclass
class Dispute:
    """The same slot given differently by two sources."""

    slot: str
    values: dict[str, str]  # article id -> value
    sentences: dict[str, str]


@dataclass
class StoryView:
    """Everything a person needs to read one story across its sources."""

    story: int | str
    headline: str
    lang: str | None
    summary: list[str]
    timeline: list[SourceEntry]
    broke_it: str | None
    agreed: list[Fact]
    adds: dict[str, list[Addition]]
    disputes: list[Dispute]
    quotes: list[dict]

    def to_dict(self) -> dict:
        return asdict(self)


def _when(a: Article) -> tuple[int, str]:
    p = a.published
    if isinstance(p, datetime):
        return (0, p.isoformat())
    if isinstance(p, date):
        return (0, p.isoformat())
    return (1, "")


def credited(a: Article) -> list[str]:
    """Agencies the article credits: its dateline or attribution, or an agency quoted as the reporter."""
    from khabar.copies import credited_agencies
    from khabar.extract.agencies import find_agency

    names = dict.fromkeys(credited_agencies(a))
    for q in a.quotes:
        found = find_agency(q.speaker)
        if found:
            names.setdefault(found[0], None)
    return list(names)


def _source_name(a: Article) -> str:
    if a.outlet or a.agency:
        return a.outlet or a.agency  # type: ignore[return-value]
    if a.url and "//" in a.url:
        return a.url.split("/")[2]
    names = credited(a)
    return f"{names[0]} (credited)" if names else a.id


def _sentences(a: Article) -> list[str]:
    return [s.text for s in a.sentences] or ([a.text] if a.text else [])


def _copy_groups(arts: list[Article]) -> tuple[list[int], dict[int, int]]:
    """Source groups by near-duplicate detection: a copy of an earlier article is the same source, counted once."""
    from khabar.copies import find_copies

    index_of = {a.id: x for x, a in enumerate(arts)}
    group = list(range(len(arts)))
    copy_of: dict[int, int] = {}
    for g in find_copies([copy.copy(a) for a in arts], with_alignment=False):  # it may rename repeated ids
        root = index_of.get(g.origin)
        if root is None:
            continue
        for m in g.members:
            x = index_of.get(m.id)
            if x is None or x == root:
                continue
            group[x] = root
            if m.source in index_of:
                copy_of[x] = index_of[m.source]
    return group, copy_of


_SLOT = re.compile(r"(\d+(?:[.,:]\d+)*)\s+(\S+)")


def _slots(sentence: str, lang: str | None) -> dict[str, str]:
    """Number slots of a sentence: the counted noun's stem -> the number (e.g. ساعة -> 10)."""
    out: dict[str, str] = {}
    for num, word in _SLOT.findall(normalize_digits(sentence)):
        stems = terms(word, lang)
        if stems:
            out[stems[-1]] = num
    return out


def _details(a: Article, i: int, other_text: str, other_keys: set[str], other_dates: set) -> list[str]:
    """What sentence ``i`` of ``a`` states that no other source does: numbers, named entities and dates."""
    if i >= len(a.sentences):
        return []
    sent = a.sentences[i]
    other_numbers = set(numbers(other_text))
    out: dict[str, None] = {}
    for d in a.dates:
        if sent.start <= d.start < sent.end and d.date not in other_dates:
            out.setdefault(d.text, None)
    for m in a.entities:
        if sent.start <= m.start < sent.end and m.key not in other_keys:
            out.setdefault(m.text, None)
    for match in _SLOT.finditer(normalize_digits(sent.text)):
        if match.group(1) not in other_numbers and not any(match.group(1) in k for k in out):
            out.setdefault(sent.text[match.start():match.end()], None)
    return list(out)


def build_view(story_id: int | str, articles: list[Article]) -> StoryView:
    """The view of a story from its analysed articles (any order; sorted by publication here)."""
    arts = sorted(articles, key=lambda a: (_when(a), a.id))
    group, copy_of = _copy_groups(arts)
    # sentence alignment runs over the earliest article of each source group, at most MAX_SOURCES of them
    reps = sorted({group[x] for x in range(len(arts))})[:MAX_SOURCES]
    sents = [_sentences(a) if x in reps else [] for x, a in enumerate(arts)]
    sims: dict[tuple[int, int], np.ndarray] = {}
    for ix, x in enumerate(reps):
        for y in reps[ix + 1:]:
            sims[(x, y)] = similarity_matrix(sents[x], sents[y], arts[x].lang, arts[y].lang)

    # facts: union of aligned sentences across independent sources
    sets: DisjointSets[tuple[int, int]] = DisjointSets((x, i) for x in range(len(arts)) for i in range(len(sents[x])))
    aligned_pairs: list[tuple[int, int, int, int]] = []
    for (x, y), sim in sims.items():
        if group[x] == group[y]:
            continue
        for p in align(sim, AGREE_THRESHOLD):
            aligned_pairs.append((x, p.i, y, p.j))
            sets.union((x, p.i), (y, p.j))
    clusters = sets.groups()
    agreed: list[Fact] = []
    in_fact: set[tuple[int, int]] = set()
    for root in sorted(clusters):
        members = clusters[root]
        if len({group[x] for x, _ in members}) < 2:
            continue
        in_fact.update(members)
        by_article: dict[str, str] = {}
        for x, i in sorted(members):
            by_article.setdefault(arts[x].id, sents[x][i])
        first_x, first_i = min(members)
        agreed.append(Fact(text=sents[first_x][first_i], sentences=by_article))

    adds: dict[str, list[Addition]] = {}
    for x, a in enumerate(arts):
        if copy_of.get(x) is not None or not sents[x]:
            continue  # a copy adds nothing of its own beyond what its group shows
        others = [y for y in range(len(arts)) if group[y] != group[x] and sents[y]]
        if not others:
            continue
        other_text = " ".join(s for y in others for s in sents[y])
        other_keys = {m.key for y in others for m in arts[y].entities}
        other_dates = {d.date for y in others for d in arts[y].dates}
        items: list[Addition] = []
        for i, s in enumerate(sents[x]):
            details = _details(a, i, other_text, other_keys, other_dates)
            if (x, i) not in in_fact:
                items.append(Addition(a.id, s, details))
            elif details:
                items.append(Addition(a.id, s, details, shared=True))
        adds[a.id] = items

    disputes: list[Dispute] = []
    for x, i, y, j in aligned_pairs:
        sx, sy = _slots(sents[x][i], arts[x].lang), _slots(sents[y][j], arts[y].lang)
        for slot in sorted(set(sx) & set(sy)):
            if sx[slot] != sy[slot] and not (set(numbers(sents[y][j])) & {sx[slot]}):
                disputes.append(Dispute(slot, {arts[x].id: sx[slot], arts[y].id: sy[slot]},
                                        {arts[x].id: sents[x][i], arts[y].id: sents[y][j]}))

    timeline = [
        SourceEntry(
            id=a.id, outlet=a.outlet, agency=a.agency,
            published=a.published.isoformat() if a.published else None, title=a.title, url=a.url,
            dateline=({"text": a.dateline.text, "outlet": a.dateline.outlet, "agency": a.dateline.agency,
                       "place": a.dateline.place,
                       "date": a.dateline.date.isoformat() if a.dateline.date else None} if a.dateline else None),
            source_group=group[x], copy_of=arts[copy_of[x]].id if x in copy_of else None,
            source=_source_name(a), credited=credited(a),
        )
        for x, a in enumerate(arts)
    ]
    dated = [a for a in arts if a.published]
    broke = _source_name(dated[0]) if dated else None
    titled = [a for a in arts if a.title]
    headline = titled[0].title if titled else (sents[0][0] if sents and sents[0] else "")
    summary = [f.text for f in agreed[:3]] or [s for s in sents[0][:2]] if sents else []
    quotes, seen_q = [], set()
    for a in arts:
        for q in a.quotes:
            key = (q.speaker_key or q.speaker, q.text[:60])
            if key not in seen_q:
                seen_q.add(key)
                quotes.append({"speaker": q.speaker, "text": q.text, "article": a.id, "source": _source_name(a)})
    langs = [a.lang for a in arts if a.lang]
    return StoryView(story=story_id, headline=headline or "", lang=max(set(langs), key=langs.count) if langs else None,
                     summary=summary, timeline=timeline, broke_it=broke, agreed=agreed, adds=adds,
                     disputes=disputes, quotes=quotes)
