"""Benchmark: the language layer on SaudiNewsNet articles, stage by stage, beside a str.split baseline.

    python bench/lang.py [--data ../shared/data/saudinewsnet] [--limit 5000]   (--limit 0: all 31,030)

Articles are loaded first (plain zipfile + json); then each stage runs over all of them and prints ms per
article (CPU time of this process), articles/s and, for tokens, tokens/s. ``terms`` runs twice: with a cold
memo (first sight of every surface token) and warm.
"""

from __future__ import annotations

import argparse
import json
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "saudinewsnet"


def load(data: Path, limit: int) -> list[tuple[str, str]]:
    """(title, content) of the first ``limit`` articles (all when 0)."""
    out: list[tuple[str, str]] = []
    for path in sorted(data.glob("*.zip")):
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                for rec in json.loads(zf.read(name)):
                    out.append((rec.get("title") or "", rec.get("content") or ""))
                    if limit and len(out) >= limit:
                        return out
    return out


def stage(name: str, arts: list[tuple[str, str]], fn: Callable[[tuple[str, str]], object]) -> list[object]:
    """Run ``fn`` over the articles and print its cost."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = [fn(a) for a in arts]
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    n = len(arts)
    print(f"{name:26s} {cpu / n * 1e3:8.3f} ms/article (cpu) {n / cpu:10.0f} articles/s   wall {wall:6.2f} s")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=5000)
    args = ap.parse_args()
    if not args.data.is_dir():
        print(f"no data at {args.data}")
        return 1
    arts = load(args.data, args.limit)
    chars = sum(len(t) + len(c) for t, c in arts)
    print(f"{len(arts)} articles, {chars / len(arts):.0f} characters each on average")

    from khabar.lang.detect import _detector, detect_lang, line_langs
    from khabar.lang.normalize import normalize
    from khabar.lang.segment import split_sentences
    from khabar.lang.tokens import terms, tokenize
    from khabar.lang.vocab import word_counts

    word_counts()
    _detector().compute_language_confidence_values("warm up the detector with some English words")

    stage("baseline: str.split", arts, lambda a: a[1].split())
    langs = stage("detect_lang (title+2000)", arts, lambda a: detect_lang(a[0] + "\n" + a[1][:2000]))
    print("   languages:", dict(Counter(langs).most_common(6)))
    runs = stage("line_langs", arts, lambda a: line_langs(a[1], "ar"))
    print("   articles with runs in another language:", sum(1 for r in runs if r))
    sents = stage("split_sentences", arts, lambda a: split_sentences(a[1], lang="ar"))
    print(f"   sentences per article: {sum(map(len, sents)) / len(arts):.1f}")  # type: ignore[arg-type]
    stage("normalize", arts, lambda a: normalize(a[1]))
    stage("tokenize", arts, lambda a: tokenize(a[1]))
    for label in ("terms (cold memo)", "terms (warm memo)"):
        c0 = time.process_time()
        out = stage(label, arts, lambda a: terms(a[1], "ar"))
        n_tok = sum(map(len, out))  # type: ignore[arg-type]
        print(f"   {n_tok / (time.process_time() - c0):,.0f} tokens/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
