"""Word counts of Arabic news text, the evidence the clitic splitter weighs (is «وتين» a word, or «بوتين»?).

The counts ship in khabar/resources/lang/ar_counts.tsv.gz; rebuild them from SaudiNewsNet with

    python -m khabar.lang.vocab [--data ../shared/data/saudinewsnet] [--min-count 5]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import zipfile
from collections import Counter
from functools import lru_cache
from pathlib import Path

RESOURCE = Path(__file__).resolve().parents[1] / "resources" / "lang" / "ar_counts.tsv.gz"
_WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def word_counts() -> dict[str, int]:
    """Normalised word → count in the reference corpus (empty when the resource is absent)."""
    if not RESOURCE.exists():
        return {}
    counts: dict[str, int] = {}
    with gzip.open(RESOURCE, "rt", encoding="utf-8") as fh:
        for line in fh:
            word, _, n = line.rstrip("\n").partition("\t")
            counts[word] = int(n)
    return counts


def build(data: Path, min_count: int) -> Counter[str]:
    """Count normalised words of titles and bodies in the SaudiNewsNet zip files under ``data``."""
    from rich.progress import track

    from khabar.lang.normalize import normalize

    counts: Counter[str] = Counter()
    for path in track(sorted(data.glob("*.zip")), description="counting words"):
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                for rec in json.loads(zf.read(name)):
                    text = (rec.get("title") or "") + "\n" + (rec.get("content") or "")
                    counts.update(_WORD.findall(normalize(text)))
    return Counter({w: n for w, n in counts.items() if n >= min_count})


def main(argv: list[str] | None = None) -> int:
    """Rebuild the shipped counts."""
    default = Path(__file__).resolve().parents[3] / "shared" / "data" / "saudinewsnet"
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=default)
    ap.add_argument("--min-count", type=int, default=5)
    args = ap.parse_args(argv)
    counts = build(args.data, args.min_count)
    RESOURCE.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(RESOURCE, "wb", mtime=0) as fh:
        for word, n in sorted(counts.items(), key=lambda x: (-x[1], x[0])):
            fh.write(f"{word}\t{n}\n".encode())
    print(f"{len(counts)} words → {RESOURCE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
