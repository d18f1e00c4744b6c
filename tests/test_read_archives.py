"""Archives read as they are (zip, tar, gzip), and SaudiNewsNet: the shipped day and the whole corpus."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import time
import zipfile
from collections import Counter
from datetime import date, datetime
from pathlib import Path

from khabar.article import Article
from khabar.read import ReadError, read

EXAMPLE_DAY = Path(__file__).resolve().parents[1] / "examples" / "saudinewsnet" / "2015-07-23.zip"
ROWS = [
    {"title": "عنوان أول", "text": "نص أول."},
    {"title": "عنوان ثان", "text": "نص ثان."},
]
JSONL = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS) + "{broken\n"


def read_all(paths, **kw) -> tuple[list[Article], list[ReadError]]:
    """Articles and errors, reading on after errors."""
    errors: list[ReadError] = []
    return list(read(paths, on_error=errors.append, **kw)), errors


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_zip_members_in_name_order_with_origins(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("deep.txt", "خبر\n\nنص عميق.")
    z = make_zip(tmp_path / "batch.zip", {
        "b/rows.jsonl": JSONL.encode(),
        "a.txt": "عنوان\n\nنص الخبر.\n/انتهى/".encode("cp1256"),
        "__MACOSX/._a.txt": b"\x00\x05\x16\x07",
        "c/.DS_Store": b"\x00\x00\x00\x01Bud1",
        "d/empty.json": b"",
        "e/nested.zip": inner.getvalue(),
    })
    articles, errors = read_all(z)
    assert [a.origin for a in articles] == [
        f"{z}/a.txt", f"{z}/b/rows.jsonl:1", f"{z}/b/rows.jsonl:2", f"{z}/e/nested.zip/deep.txt"
    ]
    assert articles[0].title == "عنوان" and articles[0].text == "نص الخبر."
    assert [str(e).removeprefix(str(z)) for e in errors] == [
        "/b/rows.jsonl:3: invalid JSON at column 2: Expecting property name enclosed in double quotes",
        "/d/empty.json: empty file",
    ]


def test_tar_gz_and_gzip(tmp_path: Path) -> None:
    t = tmp_path / "batch.tar.gz"
    with tarfile.open(t, "w:gz") as tf:
        for name, data in {"x/rows.jsonl": JSONL.encode(), "x/a.txt": "نص.".encode()}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    g = tmp_path / "rows.jsonl.gz"
    g.write_bytes(gzip.compress(JSONL.encode()))
    articles, errors = read_all([t, g])
    assert [a.origin for a in articles] == [  # a tar is read in archive order, in one pass
        f"{t}/x/rows.jsonl:1", f"{t}/x/rows.jsonl:2", f"{t}/x/a.txt", f"{tmp_path}/rows.jsonl:1", f"{tmp_path}/rows.jsonl:2"
    ]
    assert [e.row for e in errors] == [3, 3]


def test_damaged_archives_are_one_error_each(tmp_path: Path) -> None:
    (tmp_path / "a.zip").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "b.tar.gz").write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    good = make_zip(tmp_path / "c.zip", {"x.txt": "نص.".encode()})
    articles, errors = read_all(tmp_path)
    assert [a.origin for a in articles] == [f"{good}/x.txt"]
    assert [Path(e.path).name for e in errors] == ["a.zip", "b.tar.gz"]


def test_archive_member_over_the_size_limit(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "x.zip", {"big.json": json.dumps([ROWS[0]] * 200).encode(), "small.txt": "نص.".encode()})
    articles, errors = read_all(z, max_size=1000)
    assert [a.origin for a in articles] == [f"{z}/small.txt"]
    assert [e.reason.split(" (")[0] for e in errors] == ["file too large"]


def test_the_shipped_saudinewsnet_day() -> None:
    articles, errors = read_all(EXAMPLE_DAY)
    assert not errors and len(articles) == 1318
    assert articles[0].origin == f"{EXAMPLE_DAY}/2015-07-23.json:1"
    assert articles[-1].origin == f"{EXAMPLE_DAY}/2015-07-23.json:1318"
    assert Counter(a.outlet for a in articles)["alriyadh"] == 231
    assert all(a.meta["source"] == a.outlet for a in articles)
    assert {a.published_date for a in articles} == {date(2015, 7, 23)}
    assert all(isinstance(a.published, datetime) and a.url.startswith("http") for a in articles)
    assert sum(1 for a in articles if a.meta.get("empty")) == 2
    with zipfile.ZipFile(EXAMPLE_DAY) as zf:
        raw = json.loads(zf.read("2015-07-23.json"))
    assert [a.url for a in articles] == [r["url"] for r in raw]
    assert all(a.text == r["content"].strip() for a, r in zip(articles, raw, strict=True))


def test_all_of_saudinewsnet(shared_data: Path) -> None:
    zips = sorted((shared_data / "saudinewsnet").glob("*.zip"))
    assert len(zips) == 18
    start = time.perf_counter()
    articles, errors = read_all(zips)
    elapsed = time.perf_counter() - start
    assert errors == []
    assert len(articles) == 31030
    assert len({a.origin for a in articles}) == 31030
    assert Counter(a.outlet for a in articles)["was"] > 0
    print(f"read {len(articles)} SaudiNewsNet articles in {elapsed:.1f} s ({len(articles) / elapsed:.0f}/s)")
