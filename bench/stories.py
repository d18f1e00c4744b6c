"""Benchmark: all SaudiNewsNet articles added in arrival order to a Newsroom (the default configuration).

    python bench/stories.py [--data ../shared/data/saudinewsnet] [--limit N] [--embed title|lead|none]
                            [--all-pairs 5000] [--single 1000]

Prints total time (wall and CPU) with the time of each stage (analyse, embed, cluster, store), articles/s, the
latency of one add at the end (the last ``--single`` articles added one at a time through the whole pipeline,
and the clustering step alone), peak memory, the number of stories, the time to reopen the store (replay), and
the clustering without its indexes (every open story compared) on the first ``--all-pairs`` articles beside the
indexed clusterer on the same items, for the ratio.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load(data: Path, limit: int | None):
    """SaudiNewsNet through khabar's reader, in arrival order (date extracted, then origin)."""
    from khabar.read import read

    articles = list(read(sorted(data.glob("*.zip")), on_error=lambda e: print("error:", e, file=sys.stderr)))
    articles.sort(key=lambda a: (a.published.isoformat() if a.published else "", a.origin or ""))
    return articles[:limit] if limit else articles


class Clocks:
    """Wall and CPU seconds spent inside wrapped functions, by stage."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)

    def wrap(self, name: str, fn):
        def timed(*args, **kwargs):
            w, c = time.perf_counter(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.wall[name] += time.perf_counter() - w
                self.cpu[name] += time.process_time() - c
        return timed


class AllPairs:
    """The indexed clusterer with its candidate lookup replaced by every open story."""

    def __init__(self, config=None):
        from khabar.stories import StoryClusterer

        inner = StoryClusterer(config)

        def every(entries, day, exclude=0):
            out = []
            for sid, s in inner.stories.items():
                if sid == exclude or s.merged_into is not None or s.closed:
                    continue
                if day and s.last and (day - s.last).days > inner.config.window_days:
                    continue
                out.append(sid)
            return out

        inner._lookup = every
        self.inner = inner


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "saudinewsnet")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--embed", default="none", choices=["title", "lead", "none"], help="default: as khabar add")
    ap.add_argument("--all-pairs", type=int, default=5000, help="0 skips the all-pairs comparison")
    ap.add_argument("--single", type=int, default=1000, help="last articles added one at a time (latency)")
    args = ap.parse_args()
    import khabar.newsroom as newsroom
    from khabar.newsroom import Newsroom
    from khabar.stories import StoryClusterer

    t = time.perf_counter()
    articles = load(args.data, args.limit)
    t_read = time.perf_counter() - t
    print(f"{len(articles)} articles read in {t_read:.1f} s", file=sys.stderr)

    clocks = Clocks()
    items = []
    newsroom.analyze = clocks.wrap("analyse", newsroom.analyze)
    newsroom.embed_texts = clocks.wrap("embed", newsroom.embed_texts)
    make_item = newsroom.item_from_article

    def recording_item(article, vec):
        item = make_item(article, vec)
        items.append(item)
        return item

    newsroom.item_from_article = clocks.wrap("item", recording_item)
    n_single = min(args.single, len(articles))
    bulk, tail = articles[: len(articles) - n_single], articles[len(articles) - n_single:]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        room = Newsroom.open(db, embed=args.embed)
        room.clusterer.add = clocks.wrap("cluster", room.clusterer.add)
        room.store.put = clocks.wrap("store", room.store.put)
        w0, c0 = time.perf_counter(), time.process_time()
        batch = 64
        for start in range(0, len(bulk), batch):
            room.add(bulk[start:start + batch], batch_size=batch)
            if start % 3200 == 0:
                done = start + batch
                print(f"  {done} added, {done / (time.perf_counter() - w0):.0f}/s", file=sys.stderr)
        single: list[float] = []
        cluster_single: list[float] = []
        for article in tail:  # one add at a time at the end: the whole pipeline, one transaction each
            before = clocks.wall["cluster"]
            t = time.perf_counter()
            room.add([article], batch_size=1)
            single.append(time.perf_counter() - t)
            cluster_single.append(clocks.wall["cluster"] - before)
        total, cpu = time.perf_counter() - w0, time.process_time() - c0
        n_stories = len(room.stories())
        multi = sum(1 for ids in room.stories().values() if len(ids) > 1)
        live = sum(1 for s in room.clusterer.stories.values() if s.merged_into is None and not s.closed)
        room.close()
        t = time.perf_counter()
        again = Newsroom.open(db, embed=args.embed)
        t_replay = time.perf_counter() - t
        same = ({k: set(v) for k, v in again.clusterer.clusters().items()}
                == {k: set(v) for k, v in room.clusterer.clusters().items()})
        t = time.perf_counter()  # baseline: every item weighed and indexed, closed stories too (no spans)
        StoryClusterer().restore(again.store.placed(), again.store.merges())
        t_replay_all = time.perf_counter() - t
        again.close()

    n = min(args.all_pairs, len(items))
    if n:
        t = time.perf_counter()
        idx = StoryClusterer()
        idx.add_many(items[:n])
        t_idx = time.perf_counter() - t
        brute = AllPairs()
        t = time.perf_counter()
        brute.inner.add_many(items[:n])
        t_all = time.perf_counter() - t

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"articles: {len(articles)} (read in {t_read:.1f} s, not counted below); embed: {args.embed}")
    print(f"total add (analyse→embed→cluster→store): {total:.1f} s wall, {cpu:.1f} s CPU; "
          f"{len(articles) / total:.0f} articles/s wall, {len(articles) / cpu:.0f} per CPU second")
    for stage in ("analyse", "embed", "item", "cluster", "store"):
        print(f"  {stage:8} {clocks.wall[stage]:8.1f} s wall {clocks.cpu[stage]:8.1f} s CPU")
    print(f"stories: {n_stories} ({multi} with more than one article; {live} open at the end)")
    print(f"one add at the end (last {n_single}, whole pipeline, own transaction): p50 {pct(single, .5):.1f} ms, "
          f"p99 {pct(single, .99):.1f} ms; clustering step alone: p50 {pct(cluster_single, .5):.2f} ms, "
          f"p99 {pct(cluster_single, .99):.2f} ms")
    print(f"reopen (restore {len(articles)} stored items into the clusterer): {t_replay:.1f} s; same stories: {same}; "
          f"weighing every item (no spans) {t_replay_all:.1f} s")
    if n:
        print(f"first {n}: indexed {t_idx:.1f} s vs all pairs {t_all:.1f} s: {t_all / max(t_idx, 1e-9):.1f}x; "
              f"stories {len(idx.clusters())} vs {len(brute.inner.clusters())}")
    print(f"peak memory (RSS): {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
