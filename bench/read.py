"""Benchmark: read and analyse all SaudiNewsNet articles (no embeddings), beside a plain json+split baseline.

    python bench/read.py [--data ../shared/data/saudinewsnet] [--limit N] [--workers 2] [--stages]

Prints, for khabar and for the baseline measured in the same run: articles, wall seconds, articles/s (wall),
CPU seconds (process time, workers included), CPU ms per article and articles per CPU-second, errors; then peak
memory (RSS) and the load average. On a shared machine wall time also counts waiting for a core: the CPU figures
are the steadier ones. Models (lingua, gazetteer) load once before the timing; their load time is printed.
``--limit N`` takes N articles from the first days, spread so that every worker has a share (the same
articles for both sides). ``--stages`` adds the CPU ms per article of each analysis stage.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 300  # articles/s for analysis without embeddings (issue 2)
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "saudinewsnet"
# warm-up text: an Arabic wire story with an English line, so that lingua's models load outside the timing
WARM_UP = (
    "الرياض (واس) - قال وزير الخارجية الأمير سعود الفيصل اليوم السبت إن الاجتماع عقد في جدة.\n"
    "The minister said on Monday that the meeting would be held in Jeddah next week.\n"
)


@dataclass
class Tally:
    """What one batch of articles gave: counts, errors and CPU seconds (total and per stage)."""

    articles: int = 0
    entities: int = 0
    dates: int = 0
    quotes: int = 0
    errors: list[str] = field(default_factory=list)
    cpu: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)

    def add(self, other: Tally) -> None:
        """Fold another tally into this one."""
        self.articles += other.articles
        self.entities += other.entities
        self.dates += other.dates
        self.quotes += other.quotes
        self.errors += other.errors
        self.cpu += other.cpu
        for k, v in other.stages.items():
            self.stages[k] = self.stages.get(k, 0.0) + v


def peak_rss_mb() -> float:
    """Peak resident memory of this process and of its largest finished child, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def records(path: str) -> list[dict]:
    """The JSON records of one SaudiNewsNet zip, in order."""
    with zipfile.ZipFile(path) as zf:
        return [rec for name in zf.namelist() for rec in json.loads(zf.read(name))]


def baseline(todo: list[tuple[str, int | None]]) -> tuple[int, int]:
    """Plain JSON loading and str.split over the same articles, the floor any reader pays: (articles, words)."""
    n = words = 0
    for path, limit in todo:
        for rec in records(path)[:limit]:
            words += len((rec.get("title") or "").split()) + len((rec.get("content") or "").split())
            n += 1
    return n, words


def analyse_zip(path: str, limit: int | None = None, stages: bool = False) -> Tally:
    """Read and analyse (up to ``limit`` articles of) one zip; errors are counted, never fatal.

    ``stages``: also time each analysis stage (eight clock reads an article, about 20 µs of CPU).
    """
    from khabar.analyze import analyze
    from khabar.read import read

    tally = Tally()
    c0 = time.process_time()
    for article in read(path, on_error=lambda e: tally.errors.append(str(e))):
        try:
            analyze(article, timings=tally.stages if stages else None)
        except Exception as exc:  # counted, never fatal
            tally.errors.append(f"{article.origin}: {exc!r}")
            continue
        tally.articles += 1
        tally.entities += len(article.entities)
        tally.dates += len(article.dates)
        tally.quotes += len(article.quotes)
        if limit and tally.articles >= limit:
            break
    tally.cpu = time.process_time() - c0
    return tally


def jobs(zips: list[Path], per_zip: dict[str, int], limit: int | None, workers: int = 1) -> list[tuple[str, int | None]]:
    """(zip, article limit) pairs, largest first.

    With ``limit``: spread evenly over the first days, as few as hold the limit but at least one per worker
    (each zip read is parsed whole, so a thin spread over every day would weigh the reading more).
    """
    if not limit:  # whole zips, the big ones first (by file size), so that workers finish together
        return [(str(z), None) for z in sorted(zips, key=lambda z: -z.stat().st_size)]
    sizes = [per_zip.get(str(z), 0) for z in zips]
    k = next((i + 1 for i in range(len(zips)) if sum(sizes[:i + 1]) >= limit), len(zips))
    k = min(len(zips), max(k, workers))
    names, sizes = [str(z) for z in zips[:k]], sizes[:k]
    take = [0] * k
    left = min(limit, sum(sizes))
    while left:
        open_ = [i for i in range(k) if take[i] < sizes[i]]
        share = max(1, left // len(open_))
        for i in open_:
            more = min(share, sizes[i] - take[i], left)
            take[i] += more
            left -= more
    return sorted(((names[i], take[i]) for i in range(k) if take[i]), key=lambda j: -(j[1] or 0))


def run(todo: list[tuple[str, int | None]], workers: int, stages: bool = False) -> Tally:
    """Analyse the jobs in this process or in ``workers`` forked processes (which inherit the loaded models)."""
    total = Tally()
    t0 = time.perf_counter()

    def progress(name: str, t: Tally) -> None:
        rate = total.articles / (time.perf_counter() - t0)
        print(f"  {Path(name).name}: {t.articles} articles, {total.articles} done, {rate:.0f}/s so far",
              file=sys.stderr)

    if workers > 1:
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
            futures = {pool.submit(analyse_zip, path, lim, stages): path for path, lim in todo}
            for fut in as_completed(futures):
                t = fut.result()
                total.add(t)
                progress(futures[fut], t)
    else:
        for path, lim in todo:
            t = analyse_zip(path, lim, stages)
            total.add(t)
            progress(path, t)
    return total


def row(name: str, n: int, wall: float, cpu: float, errors: int) -> str:
    """One line of the results table."""
    return (f"{name:30}{n:>9}{wall:>9.2f}{n / wall:>9.0f}{cpu:>9.2f}{cpu / max(n, 1) * 1e3:>12.3f}"
            f"{n / max(cpu, 1e-9):>11.0f}{errors:>8}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=None, help="stop after N articles")
    ap.add_argument("--workers", type=int, default=1, help="processes for khabar's analysis")
    ap.add_argument("--stages", action="store_true", help="CPU ms per article of each analysis stage")
    args = ap.parse_args()
    zips = sorted(args.data.glob("*.zip"))
    if not zips:
        print(f"no SaudiNewsNet zips in {args.data}", file=sys.stderr)
        return 2
    load_before = os.getloadavg()[0]

    # with --limit, articles are spread over the first zips: count them first (not timed)
    per_zip = {str(z): len(records(str(z))) for z in zips} if args.limit else {}
    todo = jobs(zips, per_zip, args.limit, args.workers)
    t0, c0 = time.perf_counter(), time.process_time()
    n_base, words = baseline(todo)
    t_base, c_base = time.perf_counter() - t0, time.process_time() - c0

    t0, c0 = time.perf_counter(), time.process_time()
    from khabar.analyze import STAGES, analyze
    from khabar.article import Article

    analyze(Article(text=WARM_UP, title="تجربة"))
    t_warm, c_warm = time.perf_counter() - t0, time.process_time() - c0

    t0, c0 = time.perf_counter(), time.process_time()
    total = run(todo, args.workers, args.stages)
    t_k, c_parent = time.perf_counter() - t0, time.process_time() - c0
    c_k = total.cpu if args.workers > 1 else c_parent  # workers: their own CPU; the parent only waits
    n = total.articles

    print(f"cores: {os.cpu_count()}, workers: {args.workers}, load average: {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after")
    print(f"imports and model loading (once, not timed below): {t_warm:.2f} s wall, {c_warm:.2f} s CPU")
    print(f"{'':30}{'articles':>9}{'wall s':>9}{'art/s':>9}{'CPU s':>9}{'CPU ms/art':>12}{'art/CPU s':>11}"
          f"{'errors':>8}")
    print(row("baseline (json + str.split)", n_base, t_base, c_base, 0))
    print(row("khabar read + analyze", n, t_k, c_k, len(total.errors)))
    if args.workers > 1:
        print(f"  (parent process CPU while waiting: {c_parent:.2f} s)")
    print(f"ratio khabar/baseline: wall {t_k / t_base:.1f}x, CPU {c_k / max(c_base, 1e-9):.1f}x; words: {words}; "
          f"entities: {total.entities}; dates: {total.dates}; quotes: {total.quotes}")
    procs = min(args.workers, os.cpu_count() or 1)
    print(f"target {TARGET} articles/s: {n / t_k:.0f}/s wall ({'met' if n / t_k >= TARGET else 'not met'}); "
          f"CPU-bound rate with {procs} process(es) on idle cores: about {n / max(c_k, 1e-9) * procs:.0f}/s")
    if args.stages:
        print("analysis CPU ms per article: " + ", ".join(
            f"{s} {total.stages.get(s, 0.0) / max(n, 1) * 1e3:.3f}" for s in STAGES)
              + f"; reading and the rest {(c_k - sum(total.stages.values())) / max(n, 1) * 1e3:.3f}")
    print(f"peak memory (RSS, largest process): {peak_rss_mb():.0f} MB")
    for e in total.errors[:20]:
        print("error:", e)
    return 1 if total.errors else 0


if __name__ == "__main__":
    sys.exit(main())
