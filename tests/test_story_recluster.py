"""Local re-clustering in the StoryClusterer: a story that took in a look-alike event splits, and the store keeps it."""

from __future__ import annotations

from collections import Counter

from khabar.article import Article
from khabar.newsroom import Newsroom
from khabar.store.sqlite import SQLiteStore
from khabar.stories import StoryClusterer, StoryConfig, StoryItem, cluster

QUAKE = "earthquake malatya rescue rubble dead turkey"
FLOOD = "flood river evacuated homes storm rain"


def items() -> list[StoryItem]:
    words = [QUAKE, FLOOD, QUAKE, FLOOD, QUAKE]
    return [StoryItem(id=f"a{i}", terms=Counter(w.split() + ["today", f"x{i}"])) for i, w in enumerate(words)]


def test_a_mixed_story_splits_as_batch_clustering_does():
    its = items()
    c = StoryClusterer(StoryConfig(threshold=0.0, merge_threshold=2.0, recluster_max=0))  # items kept, not re-clustered
    sids = set(c.add_many(its))
    assert len(sids) == 1  # everything joined one story
    (sid,) = sids
    c.config.recluster_max = 60
    assert c.recluster([sid])
    got = {frozenset(m) for m in c.clusters().values()}
    assert got == {frozenset({"a0", "a2", "a4"}), frozenset({"a1", "a3"})}
    assert got == {frozenset(g) for g in cluster(its, c.config, df=(c._df, c._n_docs), background=c._background)}
    assert c.clusters()[sid] == ["a0", "a2", "a4"]  # the larger part keeps the id, the other gets a new one
    assert c.take_moves() == {"a1": sid + 1, "a3": sid + 1} and c.take_moves() == {}
    assert not c.recluster([sid, sid + 1])  # stable: nothing more to change


def test_restore_after_moves_gives_the_same_stories_and_scores_alike():
    its = items()
    live = StoryClusterer(StoryConfig(threshold=0.05))
    live.add_many(its)
    restored = StoryClusterer(StoryConfig(threshold=0.05))
    restored.restore([(it, live.story_of(it.id)) for it in its], dict(live.merged))
    assert restored.clusters() == live.clusters()
    new = StoryItem(id="n", terms=Counter(FLOOD.split()))
    assert restored.add(new) == live.add(new)


def test_moves_are_stored_and_survive_reopening(tmp_path):
    texts = [("Earthquake in Malatya", "An earthquake hit Malatya in Turkey. Rescue teams searched the rubble."),
             ("Floods in Jeddah", "Floods hit Jeddah after heavy rain. Homes near the river were evacuated."),
             ("Malatya earthquake toll", "The earthquake in Malatya killed dozens. Rescue teams dug in the rubble."),
             ("Jeddah floods", "Heavy rain flooded Jeddah. The river rose and homes were evacuated.")]
    arts = [Article(text=t + " Officials said so on Monday.", title=h, id=f"d{i}", lang="en")
            for i, (h, t) in enumerate(texts)]
    db = tmp_path / "k.db"
    room = Newsroom(SQLiteStore(db), StoryConfig(threshold=0.0, merge_threshold=2.0, batch_threshold=0.5))
    moved: list[dict] = []
    put = room.store.put
    room.store.put = lambda rows, merges, moves=None: moved.append(moves) or put(rows, merges, moves)
    assert room.add(arts, batch_size=2).added == 4
    stored = {frozenset(v) for v in room.stories().values()}
    assert stored == {frozenset(v) for v in room.clusterer.clusters().values()}
    assert stored == {frozenset({"d0", "d2"}), frozenset({"d1", "d3"})}
    assert any(moved)  # d1 joined d0's story on arrival and was moved out when the batch took it apart
    room.close()
    again = Newsroom(SQLiteStore(db), StoryConfig(threshold=0.0, merge_threshold=2.0, batch_threshold=0.5))
    assert again.clusterer.clusters() == {k: v for k, v in room.clusterer.clusters().items()}
    assert again.add(arts).added == 0  # re-adding is a no-op
    again.close()
