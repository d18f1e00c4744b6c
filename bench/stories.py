"""Benchmark: all SaudiNewsNet articles added in arrival order to a Newsroom (the default configuration).

    python bench/stories.py [--data ../shared/data/saudinewsnet] [--limit N] [--embed title|lead|none]
                            [--all-pairs 5000]

Prints total time, articles/s, add latency p50/p99 over the last 1,000 adds, peak memory and the number of
stories; then the same clustering without its indexes (every story compared) on the first ``--all-pairs``
articles, beside the indexed clusterer on the same articles, for the ratio.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load(data: Path, limit: int | None):
    """SaudiNewsNet through khabar's reader, in arrival order (date extracted, then origin)."""
    from khabar.read import read

    articles = list(read(sorted(data.glob("*.zip")), on_error=lambda e: print("error:", e, file=sys.stderr)))
    articles.sort(key=lambda a: (a.published.isoformat() if a.published else "", a.origin or ""))
    return articles[:limit] if limit else articles


class AllPairs:
    """The indexed clusterer with its candidate lookup replaced by every open story."""

    def __init__(self, config=None):
        from khabar.stories import StoryClusterer

        self.inner = StoryClusterer(config)
        self.inner._candidates = lambda item, vec: [
            sid for sid, s in sorted(self.inner.stories.items()) if s.merged_into is None]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "saudinewsnet")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--embed", default="title", choices=["title", "lead", "none"])
    ap.add_argument("--all-pairs", type=int, default=5000)
    args = ap.parse_args()
    from khabar.newsroom import Newsroom

    articles = load(args.data, args.limit)
    print(f"{len(articles)} articles loaded", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        room = Newsroom.open(Path(tmp) / "bench.db", embed=args.embed)
        latencies: list[float] = []
        t0 = time.perf_counter()
        batch = 64
        for start in range(0, len(articles), batch):
            chunk = articles[start:start + batch]
            t = time.perf_counter()
            room.add(chunk, batch_size=batch)
            latencies.append((time.perf_counter() - t) / len(chunk))
            if start % 3200 == 0:
                done = start + len(chunk)
                print(f"  {done} added, {done / (time.perf_counter() - t0):.0f}/s", file=sys.stderr)
        total = time.perf_counter() - t0
        n_stories = len(room.stories())
        multi = sum(1 for ids in room.stories().values() if len(ids) > 1)
        room.close()

    # per-add latency at the end: add the last articles one at a time into a warm clusterer
    from khabar.stories import StoryClusterer, item_from_article

    items = [item_from_article(a) for a in articles]  # analysed above, embeddings left out here
    warm = StoryClusterer()
    for it in items[:-1000]:
        warm.add(it)
    single = []
    for it in items[-1000:]:
        t = time.perf_counter()
        warm.add(it)
        single.append(time.perf_counter() - t)
    single.sort()
    p50, p99 = single[len(single) // 2] * 1000, single[int(len(single) * 0.99)] * 1000

    n = min(args.all_pairs, len(items))
    t = time.perf_counter()
    idx = StoryClusterer()
    for it in items[:n]:
        idx.add(it)
    t_idx = time.perf_counter() - t
    brute = AllPairs()
    t = time.perf_counter()
    for it in items[:n]:
        brute.inner.add(it)
    t_all = time.perf_counter() - t

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"articles: {len(articles)}; embed: {args.embed}")
    print(f"total add (read→analyse→embed→cluster→store): {total:.1f} s, {len(articles) / total:.0f} articles/s")
    print(f"stories: {n_stories} ({multi} with more than one article)")
    print(f"clustering latency per add at the end (warm, last 1,000): p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    print(f"first {n}: indexed {t_idx:.1f} s vs all pairs {t_all:.1f} s: {t_all / t_idx:.1f}x; stories "
          f"{len(idx.clusters())} vs {len(brute.inner.clusters())}")
    print(f"peak memory (RSS): {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
