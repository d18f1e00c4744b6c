"""JSON, JSON lines and CSV/TSV records: field mapping, dates, meta, and per-row errors."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from khabar.article import Article, article_id
from khabar.read import ReadError, parse_date, read

SNN = {  # a SaudiNewsNet record
    "source": "was",
    "url": "http://www.spa.gov.sa/1379563",
    "date_extracted": "2015-07-23 19:28:17",
    "title": "خادم الحرمين الشريفين يتلقى اتصالاً هاتفياً",
    "author": "",
    "content": "تلقى خادم الحرمين الشريفين الملك سلمان بن عبدالعزيز آل سعود اتصالاً هاتفياً اليوم.",
}
NEWS = {  # a newspaper-style record (news-please / newspaper3k field names)
    "headline": "Iran backs Karabakh ceasefire",
    "maintext": "Rouhani told Putin that Iran supports the ceasefire.",
    "date_publish": "2020-10-10T08:00:00Z",
    "source_domain": "example.com",
    "authors": ["A. Writer", "B. Writer"],
    "link": "https://example.com/a",
    "language": "en",
    "id": "news-1",
    "section": "world",
}


def read_all(paths, **kw) -> tuple[list[Article], list[ReadError]]:
    """Articles and errors, reading on after errors."""
    errors: list[ReadError] = []
    return list(read(paths, on_error=errors.append, **kw)), errors


def write_json(path: Path, doc) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_saudinewsnet_record(tmp_path: Path) -> None:
    (a,) = read(write_json(tmp_path / "day.json", [SNN]))
    assert a.title == SNN["title"] and a.text == SNN["content"]
    assert a.outlet == "was" and a.meta["source"] == "was"
    assert a.url == SNN["url"]
    assert a.published == datetime(2015, 7, 23, 19, 28, 17)
    assert a.author is None and "author" not in a.meta  # empty fields are not kept
    assert a.origin == f"{tmp_path / 'day.json'}:1"
    assert a.id == article_id(SNN["title"], SNN["content"])


def test_newspaper_style_record(tmp_path: Path) -> None:
    (a,) = read(write_json(tmp_path / "one.json", NEWS))
    assert (a.title, a.text, a.outlet, a.url, a.lang, a.id) == (
        NEWS["headline"], NEWS["maintext"], "example.com", NEWS["link"], "en", "news-1"
    )
    assert a.author == "A. Writer, B. Writer"
    assert a.published == datetime(2020, 10, 10, 8, 0, tzinfo=UTC)
    assert a.meta == {"section": "world"}
    assert a.origin == str(tmp_path / "one.json")  # a single object has no row


@pytest.mark.parametrize("shape", ["array", "articles", "object"])
def test_json_shapes(tmp_path: Path, shape: str) -> None:
    doc = {"array": [SNN, NEWS], "articles": {"status": "ok", "articles": [SNN, NEWS]}, "object": SNN}[shape]
    articles, errors = read_all(write_json(tmp_path / "x.json", doc))
    assert not errors
    assert [a.title for a in articles] == [SNN["title"], NEWS["headline"]][: 1 if shape == "object" else 2]


def test_user_mapping_overrides_the_defaults(tmp_path: Path) -> None:
    rec = {"hed": "عنوان", "body_field": "النص", "text": "ليس هذا", "when": "2020-10-10", "outlet_name": "مهر"}
    p = write_json(tmp_path / "x.json", [rec])
    (a,) = read(p, mapping={"text": "body_field", "title": "hed", "published": "when", "outlet": "outlet_name"})
    assert (a.title, a.text, a.published, a.outlet) == ("عنوان", "النص", date(2020, 10, 10), "مهر")
    assert a.meta == {"text": "ليس هذا"}  # the unmapped field is kept
    with pytest.raises(ValueError, match="not an Article field"):
        list(read(p, mapping={"body": "text"}))


def test_json_records_with_errors_go_on(tmp_path: Path) -> None:
    p = write_json(tmp_path / "x.json", [SNN, {"title": "", "content": " "}, "not an object", NEWS])
    articles, errors = read_all(p)
    assert [a.origin.rsplit(":", 1)[1] for a in articles] == ["1", "4"]
    assert [(e.row, e.reason.split(" (")[0]) for e in errors] == [(2, "empty article"), (3, "not a JSON object but str")]


def test_malformed_json_file_is_one_error(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('[{"title": "x", "text": "y"},\n {"title": ', encoding="utf-8")
    (tmp_path / "b.json").write_text("[]", encoding="utf-8")
    articles, errors = read_all(tmp_path)
    assert not articles
    assert [str(e).replace(str(tmp_path) + "/", "") for e in errors] == [
        "a.json: invalid JSON at line 2 column 12: Expecting value",
        "b.json: no records (an empty JSON array)",
    ]


def test_record_without_text_or_title_but_with_a_url_is_kept_with_its_own_id(tmp_path: Path) -> None:
    recs = [dict(SNN, title="", content=" ", url=f"http://x/{i}") for i in range(3)]
    articles, errors = read_all(write_json(tmp_path / "x.json", recs))
    assert not errors and len(articles) == 3
    assert all(a.meta["empty"] and a.text == "" and a.title is None for a in articles)
    assert len({a.id for a in articles}) == 3


# --- JSON lines ------------------------------------------------------------------------------------------


def test_jsonl_bad_lines_are_errors_for_their_rows(tmp_path: Path) -> None:
    lines = [json.dumps(SNN, ensure_ascii=False), "{not json", "", '"a string"', json.dumps({"x": 1}), json.dumps(NEWS)]
    p = tmp_path / "x.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    articles, errors = read_all(p)
    assert [a.origin for a in articles] == [f"{p}:1", f"{p}:6"]
    assert [(e.row, e.reason.split(":")[0].split(" (")[0]) for e in errors] == [
        (2, "invalid JSON at column 2"), (4, "not a JSON object but str"), (5, "empty article")
    ]


def test_jsonl_line_with_invalid_utf8_is_an_error_for_that_row(tmp_path: Path) -> None:
    good = json.dumps(SNN, ensure_ascii=False).encode()
    bad = good.replace("خادم".encode(), "خادم".encode()[:3] + b"\xff", 1)
    p = tmp_path / "x.ndjson"
    p.write_bytes(b"\n".join([good, bad, good]) + b"\n")
    articles, errors = read_all(p)
    assert len(articles) == 2 and [e.row for e in errors] == [2] and "UTF-8" in errors[0].reason


@pytest.mark.parametrize("encoding", ["utf-16", "cp1256", "utf-8-sig"])
def test_jsonl_in_other_encodings(tmp_path: Path, encoding: str) -> None:
    p = tmp_path / "x.jsonl"
    p.write_bytes("".join(json.dumps(SNN, ensure_ascii=False) + "\n" for _ in range(3)).encode(encoding))
    articles, errors = read_all(p)
    assert not errors and [a.title for a in articles] == [SNN["title"]] * 3


# --- CSV and TSV -----------------------------------------------------------------------------------------

CSV = (
    "title,text,published,url,section\n"
    "عنوان أول,نص أول,2020-10-10,http://a/1,سياسة\n"
    '"عنوان، ثان","نص ثان\n\nفي فقرتين",Sat 10 Oct 2020 08:00:00 +0300,http://a/2,\n'
    "عنوان ثالث,نص ثالث\n"
    ",,,,\n"
    ",,2020-10-12,,\n"
    "عنوان خامس,,2020-10-13,,\n"
)


def test_csv_rows(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text(CSV, encoding="utf-8")
    articles, errors = read_all(p)
    assert [a.origin for a in articles] == [f"{p}:2", f"{p}:3", f"{p}:9"]  # row 3 spans lines 3-5
    first, second, fifth = articles
    assert (first.title, first.text, first.published, first.meta) == ("عنوان أول", "نص أول", date(2020, 10, 10), {"section": "سياسة"})
    assert second.title == "عنوان، ثان" and second.text == "نص ثان\n\nفي فقرتين"
    assert second.published == datetime(2020, 10, 10, 8, 0, tzinfo=timezone(timedelta(hours=3)))
    assert fifth.title == "عنوان خامس" and fifth.text == ""
    assert [(e.row, e.reason) for e in errors] == [
        (6, "row has 2 fields, the header has 5"),
        (8, "empty article (no text or title)"),
    ]


def test_csv_with_bom_semicolons_and_unparsable_date(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_bytes("\ufeffheadline;body;date\nعنوان;نص;قبل يومين\n".encode())
    (a,) = read(p)
    assert (a.title, a.text, a.published, a.meta) == ("عنوان", "نص", None, {"unparsed_date": "قبل يومين"})


def test_tsv_in_cp1256_with_mapping(tmp_path: Path) -> None:
    p = tmp_path / "x.tsv"
    p.write_bytes("رقم\tالعنوان\tالنص\n7\tعنوان\tنص عربي، فيه فاصلة\n".encode("cp1256"))
    (a,) = read(p, mapping={"id": "رقم", "title": "العنوان", "text": "النص"})
    assert (a.id, a.title, a.text) == ("7", "عنوان", "نص عربي، فيه فاصلة")


def test_csv_row_with_invalid_utf8_is_an_error_for_that_row(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_bytes("title,text\nعنوان,نص\n".encode() + "عنوان,نص".encode()[:-1] + b"\n" + "عنوان,نص\n".encode())
    articles, errors = read_all(p)
    assert len(articles) == 2 and [e.row for e in errors] == [3]


def test_csv_with_only_a_header_is_an_error(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("title,text\n\n", encoding="utf-8")
    articles, errors = read_all(p)
    assert not articles and [str(e) for e in errors] == [f"{p}: no rows below the header"]


def test_csv_sniffed_by_extension_only(tmp_path: Path) -> None:
    p = tmp_path / "x.txt"
    p.write_text("title,text\nعنوان,نص\n", encoding="utf-8")
    (a,) = read(p)
    assert a.title is None and a.text == "title,text\nعنوان,نص"  # a .txt is text, whatever it looks like


# --- dates -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2015-07-23 19:28:17", datetime(2015, 7, 23, 19, 28, 17)),
        ("2020-10-10", date(2020, 10, 10)),
        ("2020-10-10T08:00:00Z", datetime(2020, 10, 10, 8, tzinfo=UTC)),
        ("2020-10-10T08:00:00.123+03:00", datetime(2020, 10, 10, 8, 0, 0, 123000, tzinfo=timezone(timedelta(hours=3)))),
        ("Sat, 10 Oct 2020 08:00:00 GMT", datetime(2020, 10, 10, 8, tzinfo=UTC)),
        ("2020/10/10", date(2020, 10, 10)),
        (1602316800, datetime(2020, 10, 10, 8, tzinfo=UTC)),
        (1602316800000, datetime(2020, 10, 10, 8, tzinfo=UTC)),
        ("", None),
        ("yesterday", None),
        ("2020-13-45", None),
        (None, None),
        (True, None),
        ({"$date": 1}, None),
    ],
)
def test_parse_date(value, expected) -> None:
    assert parse_date(value) == expected
