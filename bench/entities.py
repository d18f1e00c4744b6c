"""Benchmark: entity tagging and quotes per article on SaudiNewsNet, beside a str.split baseline.

    python bench/entities.py [--data ../shared/data/saudinewsnet] [--limit 5000]   (--limit 0: all 31,030)

Articles are loaded first (plain zipfile + json, language detected once); then each step runs over all of them
and prints wall and CPU (process time) ms per article and articles per CPU-second: ``str.split`` (the floor),
the gazetteer's fold and Aho-Corasick hits, the whole rule tagger, and ``find_quotes`` on the tagger's mentions.
Then what was found: mentions per article by kind, quotes per article and the share with a speaker key.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from khabar.article import Mention
from khabar.extract.entities import default_tagger
from khabar.extract.gazetteer import fold, gazetteer
from khabar.extract.quotes import find_quotes
from khabar.lang.detect import detect_lang

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "saudinewsnet"


def load(data: Path, limit: int) -> list[tuple[str, str, str]]:
    """(title, content, language) of the first ``limit`` articles (all when 0)."""
    out: list[tuple[str, str, str]] = []
    for path in sorted(data.glob("*.zip")):
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                for rec in json.loads(zf.read(name)):
                    title, text = rec.get("title") or "", rec.get("content") or ""
                    out.append((title, text, detect_lang(title + "\n" + text[:2000])))
                    if limit and len(out) >= limit:
                        return out
    return out


def step(name: str, items: list, fn: Callable[[object], object]) -> list[object]:
    """Run ``fn`` over ``items``, print its wall and CPU cost per item, and return the results."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = [fn(x) for x in items]
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    n = max(1, len(items))
    print(f"{name:38}{wall / n * 1e3:>10.3f}{cpu / n * 1e3:>10.3f}{n / max(cpu, 1e-9):>12.0f}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=5000, help="articles (0: all)")
    args = ap.parse_args()
    if not any(args.data.glob("*.zip")):
        print(f"no SaudiNewsNet zips in {args.data}", file=sys.stderr)
        return 2
    arts = load(args.data, args.limit)
    n = len(arts)
    t0, c0 = time.perf_counter(), time.process_time()
    tagger, g = default_tagger(), gazetteer()
    tagger.tag("قال الرئيس الروسي فلاديمير بوتين في موسكو")
    print(f"{n} articles, {sum(len(a[1]) for a in arts) / max(n, 1):.0f} characters on average; gazetteer and "
          f"tagger loaded in {time.perf_counter() - t0:.2f} s wall, {time.process_time() - c0:.2f} s CPU")
    print(f"{'per article':38}{'wall ms':>10}{'CPU ms':>10}{'art/CPU s':>12}")
    step("baseline str.split", arts, lambda a: a[1].split())
    step("fold (matching form)", arts, lambda a: fold(a[1]))

    def hits(a: tuple[str, str, str]) -> object:
        folded, offsets = fold(a[1])
        return g.hits(folded, a[1], offsets)

    step("gazetteer hits (fold + Aho-Corasick)", arts, hits)
    ents: list[list[Mention]] = step("tag (rule tagger)", arts,
                                     lambda a: tagger.tag(a[1], lang=a[2], title=a[0]))  # type: ignore[assignment]
    pairs = list(zip(arts, ents, strict=True))
    quotes = step("find_quotes (given the mentions)", pairs, lambda p: find_quotes(p[0][1], p[1], lang=p[0][2]))
    step("tag + find_quotes", arts,
         lambda a: find_quotes(a[1], tagger.tag(a[1], lang=a[2], title=a[0]), lang=a[2]))
    kinds = Counter(m.kind for ms in ents for m in ms)
    qs = [q for qq in quotes for q in qq]  # type: ignore[attr-defined]
    print("mentions per article: " + ", ".join(f"{k} {kinds[k] / max(n, 1):.2f}" for k in sorted(kinds)))
    print(f"quotes per article: {len(qs) / max(n, 1):.2f}; with a speaker key: "
          f"{sum(1 for q in qs if q.speaker_key) / max(len(qs), 1):.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
