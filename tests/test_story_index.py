"""The embedding index behind story candidates: exact search, removal, and stories found by embedding alone."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import numpy as np
import pytest

from khabar.stories import StoryClusterer, StoryConfig, StoryItem
from khabar.story_index import EmbeddingIndex


def unit(*xs: float) -> np.ndarray:
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_search_is_exact_ordered_and_floored():
    idx = EmbeddingIndex(3)
    idx.add("a", unit(1, 0, 0))
    idx.add("b", unit(1, 1, 0))
    idx.add("c", unit(0, 0, 1))
    idx.add("a", unit(0, 1, 0))  # already in: ignored
    got = idx.search(unit(1, 0.1, 0), k=3)
    assert [i for i, _ in got] == ["a", "b", "c"]
    assert got[0][1] == pytest.approx(float(unit(1, 0.1, 0) @ unit(1, 0, 0)), abs=1e-6)
    assert [i for i, _ in idx.search(unit(1, 0.1, 0), k=3, floor=0.5)] == ["a", "b"]
    assert idx.remove(["a", "zz"]) == 1 and "a" not in idx and len(idx) == 2
    assert [i for i, _ in idx.search(unit(1, 0, 0), k=5)] == ["b", "c"]
    with pytest.raises(ValueError, match="dimensions"):
        idx.add("d", unit(1, 0))


def items_sharing_only_an_embedding() -> list[StoryItem]:
    day = date(2020, 10, 10)
    e = unit(1, 2, 3, 4)
    return [
        StoryItem(id="x", terms=Counter("ceasefire karabakh moscow".split()), embedding=e, day=day),
        StoryItem(id="y", terms=Counter("truce caucasus talks".split()), embedding=e, day=day),  # no shared word
        StoryItem(id="z", terms=Counter("football league final".split()), embedding=unit(4, -3, 2, -1), day=day),
    ]


def test_a_story_is_found_through_embeddings_when_no_term_or_key_is_shared():
    cfg = StoryConfig(w_embed=10.0, recluster=False)  # embeddings decide here
    c = StoryClusterer(cfg)
    ids = c.add_many(items_sharing_only_an_embedding())
    assert ids[0] == ids[1] != ids[2]
    # without embeddings the two share no index entry, so they never meet
    bare = [StoryItem(id=i.id, terms=i.terms, day=i.day) for i in items_sharing_only_an_embedding()]
    ids = StoryClusterer(cfg).add_many(bare)
    assert len(set(ids)) == 3


def test_closed_stories_leave_the_index():
    cfg = StoryConfig(w_embed=10.0, recluster=False, prune_every=1, window_days=3)
    c = StoryClusterer(cfg)
    first, _, _ = items_sharing_only_an_embedding()
    c.add(first)
    later = StoryItem(id="late", terms=Counter(["weather"]), embedding=unit(0, 0, 0, 1), day=first.day + timedelta(30))
    c.add(later)  # the newest day moves on: the first story closes and its member leaves the index
    assert "x" not in c._emb_index and "late" in c._emb_index
    again = StoryItem(id="again", terms=Counter(["truce"]), embedding=first.embedding, day=later.day)
    assert c.add(again) != c.story_of("x")
