"""Benchmark: khabar.read alone (no analysis) on all SaudiNewsNet zips and on the same articles in other formats.

    python bench/readers.py [--data ../shared/data/saudinewsnet] [--repeat 3]
    python bench/readers.py --encodings    # every text re-encoded six ways: how many decode back wrong

Each line gives articles/s (wall and CPU) and errors beside the baseline measured in the same run: the zips
opened with zipfile and json.loads, each record's title and content passed through str.split (the floor
any reader pays). The other formats hold the same records, written to a temporary folder first.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "saudinewsnet"


def baseline(zips: list[Path]) -> tuple[int, int]:
    """Plain zip + json.loads + str.split over every record: (articles, errors)."""
    n = 0
    for z in zips:
        with zipfile.ZipFile(z) as zf:
            for name in zf.namelist():
                for rec in json.loads(zf.read(name)):
                    (rec.get("title") or "").split()
                    (rec.get("content") or "").split()
                    n += 1
    return n, 0


def khabar_read(paths: list[Path]) -> tuple[int, int]:
    """khabar.read over paths: (articles, errors)."""
    from khabar.read import read

    errors: list[object] = []
    n = sum(1 for _ in read(paths, on_error=errors.append))
    return n, len(errors)


def timed(fn: Callable[[], tuple[int, int]], repeat: int) -> tuple[int, int, float, float]:
    """The best wall and CPU seconds of ``repeat`` runs, with the counts of the last."""
    best_wall = best_cpu = float("inf")
    n = errs = 0
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        n, errs = fn()
        best_wall = min(best_wall, time.perf_counter() - w)
        best_cpu = min(best_cpu, time.process_time() - c)
    return n, errs, best_wall, best_cpu


def write_formats(zips: list[Path], out: Path, sample: int) -> dict[str, list[Path]]:
    """The first ``sample`` records as JSON lines, CSV and one .txt file each."""
    records: list[dict] = []
    for z in zips:
        with zipfile.ZipFile(z) as zf:
            for name in zf.namelist():
                records += json.loads(zf.read(name))
        if len(records) >= sample:
            break
    records = records[:sample]
    jsonl = out / "sample.jsonl"
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    csv_path = out / "sample.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(records[0]))
        w.writeheader()
        w.writerows(records)
    txt = out / "txt"
    txt.mkdir()
    for i, r in enumerate(records):
        if r["content"].strip() or r["title"].strip():
            (txt / f"{i:06d}.txt").write_text(f"{r['title']}\n\n{r['content']}", encoding="utf-8")
    cp1256 = out / "cp1256"
    cp1256.mkdir()
    for i, r in enumerate(records[:2000]):
        if r["content"].strip():
            (cp1256 / f"{i:06d}.txt").write_bytes(r["content"].encode("cp1256", "replace"))
    return {"jsonl": [jsonl], "csv": [csv_path], "txt files": [txt], "txt cp1256": [cp1256]}


def encoding_check(zips: list[Path]) -> None:
    """Every SaudiNewsNet text re-encoded six ways and decoded back: how many come back different or refused."""
    from khabar.read.decode import DecodeError, decode

    encodings = ("utf-8", "utf-16", "utf-16-le", "utf-16-be", "cp1256", "iso8859-6")
    tried = {e: 0 for e in encodings}
    wrong = {e: 0 for e in encodings}
    refused = {e: 0 for e in encodings}
    cpu = time.process_time()
    for z in zips:
        with zipfile.ZipFile(z) as zf:
            for name in zf.namelist():
                for rec in json.loads(zf.read(name)):
                    text = f"{rec['title']}\n\n{rec['content']}".strip()
                    for enc in encodings if text else ():
                        data = text.encode(enc, "replace")
                        tried[enc] += 1
                        try:
                            got, _ = decode(data)
                        except DecodeError:
                            refused[enc] += 1
                            continue
                        wrong[enc] += got.lstrip("\ufeff") != data.decode(enc).lstrip("\ufeff")
    cpu = time.process_time() - cpu
    print(f"{'encoding':12}{'texts':>8}{'wrong':>7}{'refused':>9}")
    for enc in encodings:
        print(f"{enc:12}{tried[enc]:>8}{wrong[enc]:>7}{refused[enc]:>9}")
    print(f"{sum(tried.values())} decodings in {cpu:.1f} s CPU ({sum(tried.values()) / cpu:.0f}/s)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each; the best is reported")
    ap.add_argument("--sample", type=int, default=10000, help="records written in the other formats")
    ap.add_argument("--encodings", action="store_true", help="instead: the re-encoding check of the decoder")
    args = ap.parse_args()
    zips = sorted(args.data.glob("*.zip"))
    if not zips:
        print(f"no SaudiNewsNet zips in {args.data}", file=sys.stderr)
        return 2
    if args.encodings:
        encoding_check(zips)
        return 0
    import khabar.read  # noqa: F401  (imports outside the timing)

    rows = [("baseline (zip + json + split)", *timed(lambda: baseline(zips), args.repeat))]
    rows.append(("khabar.read: 18 SaudiNewsNet zips", *timed(lambda: khabar_read(zips), args.repeat)))
    with tempfile.TemporaryDirectory() as tmp:
        for name, paths in write_formats(zips, Path(tmp), args.sample).items():
            rows.append((f"khabar.read: {name}", *timed(lambda p=paths: khabar_read(p), args.repeat)))
    print(f"{'':36}{'articles':>9}{'errors':>7}{'wall s':>8}{'CPU s':>7}{'art/s wall':>11}{'art/s CPU':>10}")
    for name, n, errs, wall, cpu in rows:
        print(f"{name:36}{n:>9}{errs:>7}{wall:>8.2f}{cpu:>7.2f}{n / wall:>11.0f}{n / cpu:>10.0f}")
    base_cpu, snn_cpu = rows[0][4], rows[1][4]
    print(f"khabar.read / baseline CPU time on SaudiNewsNet: {snn_cpu / base_cpu:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
