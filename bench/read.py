"""Benchmark: read and analyse all SaudiNewsNet articles (no embeddings), beside a plain json+split baseline.

    python bench/read.py [--data ../shared/data/saudinewsnet] [--limit N] [--workers 2]

Prints articles/s, peak memory (RSS) and errors for khabar and for the baseline, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "saudinewsnet"


def peak_rss_mb() -> float:
    """Peak resident memory of this process and its finished children, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def baseline(zips: list[Path], limit: int | None) -> tuple[int, int]:
    """Plain JSON loading and str.split: the floor any reader pays."""
    n = words = 0
    for z in zips:
        with zipfile.ZipFile(z) as zf:
            for name in zf.namelist():
                for rec in json.loads(zf.read(name)):
                    words += len((rec.get("title") or "").split()) + len((rec.get("content") or "").split())
                    n += 1
                    if limit and n >= limit:
                        return n, words
    return n, words


def analyse_zip(path: str, limit: int | None = None) -> tuple[int, int, int, list[str]]:
    """Read and analyse one zip; return (articles, entities, dates, error lines)."""
    from khabar.analyze import analyze
    from khabar.read import read

    errors: list[str] = []
    n = ents = dates = 0
    for article in read(path, on_error=lambda e: errors.append(str(e))):
        try:
            analyze(article)
        except Exception as exc:  # counted, never fatal
            errors.append(f"{article.origin}: {exc!r}")
            continue
        n += 1
        ents += len(article.entities)
        dates += len(article.dates)
        if limit and n >= limit:
            break
    return n, ents, dates, errors


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=None, help="stop after N articles (single worker only)")
    ap.add_argument("--workers", type=int, default=1, help="processes for khabar's analysis")
    args = ap.parse_args()
    zips = sorted(args.data.glob("*.zip"))
    if not zips:
        print(f"no SaudiNewsNet zips in {args.data}", file=sys.stderr)
        return 2

    t0 = time.perf_counter()
    n_base, words = baseline(zips, args.limit)
    t_base = time.perf_counter() - t0

    # warm-up: load models and gazetteers once, outside the timing
    from khabar.analyze import analyze
    from khabar.article import Article

    analyze(Article(text="الرياض (واس) - قال الرئيس اليوم إن الاجتماع عقد في جدة.", title="تجربة"))

    t0 = time.perf_counter()
    n = ents = dates = 0
    errors: list[str] = []
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers) as pool:
            for r in pool.map(analyse_zip, [str(z) for z in zips]):
                n, ents, dates = n + r[0], ents + r[1], dates + r[2]
                errors += r[3]
    else:
        for z in zips:
            left = args.limit - n if args.limit else None
            r = analyse_zip(str(z), left)
            n, ents, dates = n + r[0], ents + r[1], dates + r[2]
            errors += r[3]
            print(f"  {z.name}: {r[0]} articles, {n / (time.perf_counter() - t0):.0f}/s so far", file=sys.stderr)
            if args.limit and n >= args.limit:
                break
    t_k = time.perf_counter() - t0

    print(f"cores: {os.cpu_count()}, workers: {args.workers}")
    print(f"{'':28}{'articles':>10}{'seconds':>10}{'articles/s':>12}{'errors':>8}")
    print(f"{'baseline (json + str.split)':28}{n_base:>10}{t_base:>10.2f}{n_base / t_base:>12.0f}{0:>8}")
    print(f"{'khabar read + analyze':28}{n:>10}{t_k:>10.2f}{n / t_k:>12.0f}{len(errors):>8}")
    print(f"ratio baseline/khabar time: {t_k / t_base:.1f}x; words: {words}; entities: {ents}; dates: {dates}")
    print(f"peak memory (RSS): {peak_rss_mb():.0f} MB")
    for e in errors[:20]:
        print("error:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
