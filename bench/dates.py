"""Benchmark: datelines, dates and agency credits over SaudiNewsNet, beside a str.split baseline and dateparser.

    python bench/dates.py [--data ../shared/data/saudinewsnet] [--limit N] [--dateparser-sample 200]

Prints, for the same articles in the same run: wall and CPU ms per article for ``str.split`` (the floor), ``find_dates``,
``find_dateline`` and ``agencies_in``; mentions per article; the share of articles with a dateline, by source;
and, when dateparser is installed, its ``search_dates`` on a small sample (the slow path the brief ruled out).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zipfile
from collections import Counter
from datetime import date, datetime
from pathlib import Path

from khabar.extract.agencies import agencies_in
from khabar.extract.dateline import find_dateline
from khabar.extract.dates import find_dates

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "saudinewsnet"


def load(data: Path, limit: int | None) -> list[tuple[str, str, date]]:
    """(source, content, extraction day) for each article."""
    out: list[tuple[str, str, date]] = []
    for z in sorted(data.glob("*.zip")):
        day = date.fromisoformat(z.stem)
        with zipfile.ZipFile(z) as zf:
            for name in zf.namelist():
                for rec in json.loads(zf.read(name)):
                    out.append((rec.get("source") or "", rec.get("content") or "", day))
                    if limit and len(out) >= limit:
                        return out
    return out


def timed(fn, items) -> tuple[float, float, int]:
    """Wall and CPU (process) milliseconds per item, and the summed size of the results.

    CPU time is the steadier figure on a shared machine, where wall time also counts waiting for a core.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    total = 0
    for item in items:
        got = fn(item)
        total += len(got) if hasattr(got, "__len__") else int(got is not None)
    n = max(1, len(items))
    return (time.perf_counter() - wall) / n * 1e3, (time.process_time() - cpu) / n * 1e3, total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--dateparser-sample", type=int, default=200)
    args = ap.parse_args()
    if not args.data.is_dir():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    arts = load(args.data, args.limit)
    n = len(arts)
    words = sum(len(c.split()) for _, c, _ in arts) / max(1, n)
    print(f"{n} articles, {words:.0f} words on average")
    split = timed(lambda a: a[1].split(), arts)
    dates = timed(lambda a: find_dates(a[1], a[2], "ar"), arts)
    lines = timed(lambda a: find_dateline(a[1]), arts)
    ags = timed(lambda a: agencies_in(a[1]), arts)
    print(f"{'':24} {'wall ms':>8} {'cpu ms':>8}  (per article)")
    print(f"{'baseline str.split':24} {split[0]:8.3f} {split[1]:8.3f}")
    print(f"{'find_dates':24} {dates[0]:8.3f} {dates[1]:8.3f}  {dates[2] / n:.2f} mentions/article")
    print(f"{'find_dateline':24} {lines[0]:8.3f} {lines[1]:8.3f}  {lines[2] / n:.1%} articles with a dateline")
    print(f"{'agencies_in':24} {ags[0]:8.3f} {ags[1]:8.3f}  {ags[2] / n:.2f} agencies/article")
    total, hits = Counter(), Counter()
    for source, content, _ in arts:
        total[source] += 1
        hits[source] += find_dateline(content) is not None
    print("datelines by source: " + ", ".join(f"{s} {hits[s]}/{total[s]}" for s in sorted(total)))
    try:
        from dateparser.search import search_dates
    except ImportError:
        print("dateparser: not installed (baseline skipped)")
        return 0
    sample = arts[: args.dateparser_sample]

    def with_dateparser(a: tuple[str, str, date]) -> list:
        base = datetime(a[2].year, a[2].month, a[2].day)
        return search_dates(a[1], languages=["ar"], settings={"RELATIVE_BASE": base}) or []

    dp = timed(with_dateparser, sample)
    own = timed(lambda a: find_dates(a[1], a[2], "ar"), sample)
    print(f"{'dateparser.search_dates':24} {dp[0]:8.3f} {dp[1]:8.3f}  on the first {len(sample)} "
          f"(find_dates on them: {own[0]:.3f} wall, {own[1]:.3f} cpu)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
