"""StoryClusterer: determinism, restore from stored placements, closing idle stories, names and numbers."""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from khabar.article import Article
from khabar.stories import (
    NAME_MARK,
    StoryClusterer,
    StoryConfig,
    StoryItem,
    cluster,
    item_from_article,
    similarity_matrix,
    split_keys,
    text_years,
    weighted,
)

TOPICS = [
    "earthquake turkey malatya dead rescue rubble",
    "election parliament vote ballot turnout party",
    "football final goal league cup stadium",
    "oil price opec barrel output market",
    "flood rain river evacuated homes storm",
]


def stream(n: int = 300, seed: int = 1) -> list[StoryItem]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        topic = rng.randrange(len(TOPICS))
        words = TOPICS[topic].split()
        terms = Counter(rng.sample(words, 4) + [f"noise{rng.randrange(5000)}" for _ in range(3)])
        out.append(StoryItem(id=f"a{i}", terms=terms, day=date(2024, 1, 1) + timedelta(days=i // 10)))
    return out


def test_same_items_same_stories():
    items = stream()
    a, b = StoryClusterer(), StoryClusterer()
    assert a.add_many(items) == b.add_many(items)
    assert a.clusters() == b.clusters()
    assert 1 < len(a.clusters()) < len(items)


def test_restore_gives_the_stored_stories():
    items = stream()
    live = StoryClusterer(StoryConfig(prune_every=50))
    live.add_many(items)
    placed = [(it, live.story_of(it.id)) for it in items]  # as stored: where each is now (re-clustering moves some)
    restored = StoryClusterer(StoryConfig(prune_every=50))
    restored.restore(placed, dict(live.merged))
    assert ({k: set(v) for k, v in restored.clusters().items()}
            == {k: set(v) for k, v in live.clusters().items()})
    more = stream(40, seed=2)
    for it in more:
        it.id = "b" + it.id
        it.day = date(2024, 1, 31)
    assert [live.add(it) for it in more] == [restored.add(it) for it in more]


def test_idle_stories_are_closed_and_unindexed():
    cfg = StoryConfig(window_days=3, prune_every=1)
    c = StoryClusterer(cfg)
    first = c.add(StoryItem("x", Counter("quake malatya rescue".split()), day=date(2024, 1, 1)))
    c.add(StoryItem("y", Counter("budget vote parliament".split()), day=date(2024, 1, 10)))
    assert c.stories[first].closed and not c.stories[first].vsum
    again = c.add(StoryItem("z", Counter("quake malatya rescue".split()), day=date(2024, 1, 10)))
    assert again != first


def test_names_and_numbers_tell_lookalike_events_apart():
    def art(i: int, title: str) -> Article:
        a = Article(text=title, title=title, id=str(i), lang="en")
        a.analyzed = True
        return a

    titles = [
        "Boxing champion Klitschko stops Rahman in the seventh round in Mannheim",
        "Boxing champion Klitschko stops Rahman in seventh round to keep belts in Mannheim",
        "Boxing champion Klitschko stops Thompson in the sixth round in Bern",
        "Boxing champion Klitschko stops Thompson in sixth round to keep belts in Bern",
    ]
    plain = [item_from_article(art(i, t), name_weight=0) for i, t in enumerate(titles)]
    named = [item_from_article(art(i, t)) for i, t in enumerate(titles)]
    assert named[0].terms["rahman"] > plain[0].terms["rahman"]
    assert named[0].terms["boxing"] == plain[0].terms["boxing"]  # a sentence-initial capital is no name
    cfg = StoryConfig(batch_threshold=0.45)
    assert sorted(sorted(g) for g in cluster(named, cfg)) == [["0", "1"], ["2", "3"]]
    assert named[0].terms[NAME_MARK + "rahman"] == 2 and NAME_MARK + "boxing" not in named[0].terms
    # without the names' weight and their own channel the two fights read as one story
    assert len(cluster(plain, StoryConfig(batch_threshold=0.45, name_share=0.0))) == 1


def test_years_named_in_the_text():
    a = Article(text="The 2008 quake (magnitude 6.1) was stronger than in 1999; 20081 people, 2,000 homes.",
                title="Quake", id="q", lang="en")
    a.analyzed = True
    assert text_years(a) == {2008, 1999}  # not 20081 nor 2,000
    assert split_keys(item_from_article(a).keys)[1] == frozenset({2008, 1999})
    a.published = datetime(2008, 5, 1)  # the publication year: the day gap weighs it, every article names it
    assert text_years(a) == {1999}


def test_names_channel_share_of_the_term_cosine():
    a = Counter({"quake": 2, "island": 1, NAME_MARK + "qeshm": 1, NAME_MARK + "2005": 1})
    b = Counter({"quake": 1, "homes": 1, NAME_MARK + "qeshm": 1})
    df, n, share = Counter({"quake": 2, "island": 1, "homes": 1, NAME_MARK + "qeshm": 2, NAME_MARK + "2005": 1}), 2, 0.3

    def cos(x: dict, y: dict) -> float:
        return sum(x[t] * y.get(t, 0.0) for t in x) / math.sqrt(sum(v * v for v in x.values()) *
                                                               sum(v * v for v in y.values()))

    plain = [weighted(Counter({t: c for t, c in x.items() if t[0] != NAME_MARK}), df, n, 0.0) for x in (a, b)]
    names = [weighted(Counter({t: c for t, c in x.items() if t[0] == NAME_MARK}), df, n, 1.0) for x in (a, b)]
    va, vb = weighted(a, df, n, share), weighted(b, df, n, share)
    dot = sum(w * vb.get(t, 0.0) for t, w in va.items())
    assert dot == pytest.approx((1 - share) * cos(*plain) + share * cos(*names))
    assert sum(w * w for w in va.values()) == pytest.approx(1.0)


def test_a_common_year_raises_term_similarity_in_batch_and_incremental():
    words = Counter("earthquake island province magnitude villages rescue".split())
    other = Counter("earthquake island province magnitude homes wounded".split())

    def pair(y1: int, y2: int) -> list[StoryItem]:
        return [StoryItem("a", words, keys=frozenset({f"year:{y1}"})),
                StoryItem("b", other, keys=frozenset({f"year:{y2}"}))]

    cfg = StoryConfig()
    same, diff = similarity_matrix(pair(2005, 2005), cfg)[0, 1], similarity_matrix(pair(2005, 2008), cfg)[0, 1]
    assert 0 < diff < same == pytest.approx(diff * (1 + cfg.year_boost))
    sims = []
    for y1, y2 in ((2005, 2005), (2005, 2008)):
        c = StoryClusterer(StoryConfig(threshold=1.1))  # each item its own story
        first, second = pair(y1, y2)
        c.add(first)
        sims.append(c.similarity(second, c.stories[c.assignment["a"]]))
    assert 0 < sims[1] < sims[0] == pytest.approx(sims[1] * (1 + cfg.year_boost))


def test_restore_with_spans_leaves_closed_stories_unweighed():
    items = stream()
    live = StoryClusterer(StoryConfig(prune_every=50))
    live.add_many(items)
    placed = [(it, live.story_of(it.id)) for it in items]
    restored = StoryClusterer(StoryConfig(prune_every=50))
    restored.restore(placed, dict(live.merged), [(sid, it.day) for it, sid in placed])
    assert restored.clusters() == live.clusters()
    closed = [s for s in restored.stories.values() if s.closed]
    assert closed and all(not s.vsum and not s.posted for s in closed)
    assert not any(s.id in p for p in restored._postings.values() for s in closed)
    more = stream(40, seed=2)
    for it in more:
        it.id = "b" + it.id
        it.day = date(2024, 1, 31)
    assert [live.add(it) for it in more] == [restored.add(it) for it in more]
