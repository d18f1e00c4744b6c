"""The read API, plain text in the seeds' shape, encodings and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from khabar.article import Article
from khabar.read import ReadError, read, read_bytes
from khabar.read.decode import DecodeError, decode
from khabar.read.text import split_title, strip_trailer

HEADLINE = "الرئيس يستقبل وزير الخارجية"
BODY = (
    "الرياض (واس) - استقبل الرئيس اليوم وزير الخارجية، وبحث معه العلاقات الثنائية بين البلدين.\n\n"
    "وقال المتحدث باسم الرئاسة: إن اللقاء تناول التطورات في المنطقة."
)
ARTICLE = f"{HEADLINE}\n\n{BODY}\n/انتهى/\n"


def read_all(paths, **kw) -> tuple[list[Article], list[ReadError]]:
    """Articles and errors from paths, reading on after errors."""
    errors: list[ReadError] = []
    return list(read(paths, on_error=errors.append, **kw)), errors


# --- the seeds -------------------------------------------------------------------------------------------


def test_seed_001_title_is_its_first_line(seeds_dir: Path) -> None:
    path = seeds_dir / "001_84deb27a2029d957.txt"
    raw = path.read_text(encoding="utf-8")
    (a,) = read(path)
    assert a.title == raw.splitlines()[0].strip()
    assert a.title.startswith("روحاني يؤكد") and a.title.endswith("الكرملين")
    assert a.text.startswith("(پاکستان پوائنٹ نیوز / سبوتنيك - 10 اكتوبر 2020ء)")  # dateline kept in the text
    assert a.text == raw.split("\n\n", 1)[1].strip()
    assert a.origin == str(path)


def test_seed_000_has_no_title_and_loses_its_trailer(seeds_dir: Path) -> None:
    path = seeds_dir / "000_a83c2042202123ac.txt"
    raw = path.read_text(encoding="utf-8")
    (a,) = read(path)
    assert a.title is None
    assert raw.rstrip().endswith("/انتهى/")
    assert "انتهى" not in a.text[-20:]
    assert a.text.endswith("بشأن لقاح سبوتنيك الروسي.")
    assert a.text == raw.strip().removesuffix("/انتهى/").rstrip()  # otherwise the display text as written
    assert a.text.startswith("اشار السفير الايراني لدى موسكو كاظم جلالي")


def test_seeds_directory_in_name_order_with_stable_ids(seeds_dir: Path) -> None:
    first = list(read(seeds_dir))
    again = list(read([str(p) for p in sorted(seeds_dir.iterdir())]))
    assert [Path(a.origin).name for a in first] == ["000_a83c2042202123ac.txt", "001_84deb27a2029d957.txt"]
    assert [a.id for a in first] == [a.id for a in again]
    assert len({a.id for a in first}) == 2 and all(len(a.id) == 16 for a in first)


# --- the API -------------------------------------------------------------------------------------------


def test_read_error_names_file_and_row() -> None:
    assert str(ReadError("a/b.jsonl", "invalid JSON", 7)) == "a/b.jsonl:7: invalid JSON"
    err = ReadError("a/b.txt", "empty file")
    assert (err.path, err.row, err.reason, str(err)) == ("a/b.txt", None, "empty file", "a/b.txt: empty file")
    assert isinstance(err, Exception)


def test_errors_raise_without_handler_and_are_passed_on_with_one(tmp_path: Path) -> None:
    (tmp_path / "a_empty.txt").write_bytes(b"")
    (tmp_path / "b_good.txt").write_text(ARTICLE, encoding="utf-8")
    with pytest.raises(ReadError, match="a_empty.txt: empty file"):
        list(read(tmp_path))
    articles, errors = read_all(tmp_path)
    assert [a.title for a in articles] == [HEADLINE]
    assert [(Path(e.path).name, e.reason) for e in errors] == [("a_empty.txt", "empty file")]


def test_directory_walk_is_recursive_sorted_and_skips_hidden(tmp_path: Path) -> None:
    for rel in ["b/2.txt", "b/10.txt", "a.txt", "c/d/e.txt", ".hidden.txt", ".git/x.txt", "README.md"]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(f"نص المقال {rel}.", encoding="utf-8")
    articles, errors = read_all(tmp_path)
    assert not errors
    assert [Path(a.origin).relative_to(tmp_path).as_posix() for a in articles] == [
        "a.txt", "b/10.txt", "b/2.txt", "c/d/e.txt"
    ]


def test_a_symlink_loop_is_walked_once(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("نص.", encoding="utf-8")
    (tmp_path / "a" / "loop").symlink_to(tmp_path)
    articles, errors = read_all(tmp_path)
    assert not errors and [Path(a.origin).name for a in articles] == ["x.txt"]


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    articles, errors = read_all([tmp_path / "nope.txt"])
    assert not articles and len(errors) == 1 and errors[0].reason == "no such file or directory"


def test_fmt_forces_the_format_and_unknown_format_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "dump.dat"
    p.write_text(json.dumps({"headline": "عنوان", "body": "نص"}), encoding="utf-8")
    (a,) = read(p, fmt="json")
    assert (a.title, a.text) == ("عنوان", "نص")
    (b,) = read(p, fmt="text")
    assert b.text.startswith("{")
    with pytest.raises(ValueError, match="unknown format"):
        list(read(p, fmt="docx"))


@pytest.mark.parametrize(
    ("content", "expect"),
    [
        (json.dumps({"title": "ع", "text": "نص"}), ("ع", "نص")),
        ('{"title": "a", "text": "x"}\n{"title": "b", "text": "y"}\n', ("a", "x")),
        ("<html><body><article><p>" + "نص الخبر الكامل هنا. " * 20 + "</p></article></body></html>", (None, "نص الخبر")),
        (ARTICLE, (HEADLINE, "الرياض (واس)")),
    ],
)
def test_format_sniffed_when_the_extension_is_unknown(tmp_path: Path, content: str, expect) -> None:
    p = tmp_path / "article.unknown"
    p.write_text(content, encoding="utf-8")
    articles, errors = read_all(p)
    assert not errors
    assert articles[0].title == expect[0] and articles[0].text.startswith(expect[1])


def test_read_bytes_reads_an_upload() -> None:
    (a,) = read_bytes(ARTICLE.encode("cp1256"), "upload.txt")
    assert (a.title, a.origin) == (HEADLINE, "upload.txt")
    with pytest.raises(ReadError, match="empty file"):
        list(read_bytes(b"", "upload.txt"))


# --- plain text ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "trailer", ["/انتهى/", "/ انتهى /", "(انتهى)", "-انتهى-", "- انتهى -", "/ح/", "/ع.ا/", "/انتهى/ /ح/", "انتهى"]
)
def test_trailer_marks_removed(trailer: str) -> None:
    assert strip_trailer(f"{BODY}\n{trailer}\n") == BODY
    assert strip_trailer(f"{BODY} {trailer}") == BODY


@pytest.mark.parametrize("ending", ["(واس)", "في 2020/10/10", "وانتهى الاجتماع", "الى الحل/"])
def test_text_endings_that_are_not_trailers_are_kept(ending: str) -> None:
    text = f"{BODY} {ending}"
    assert strip_trailer(text) == text


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (f"{HEADLINE}\n\n{BODY}", HEADLINE),
        (f"{HEADLINE}.\n\n{BODY}", None),  # a sentence, not a headline
        (f"{HEADLINE}؟\n\n{BODY}", None),
        (f"{HEADLINE}\nسطر ثان\n\n{BODY}", None),  # a first paragraph of two lines
        (HEADLINE, None),  # nothing after it
        (f"{'كلمة ' * 60}\n\n{BODY}", None),  # too long for a headline
        ("(سبوتنيك - 10 اكتوبر 2020)\n\n" + BODY, None),  # a dateline on its own line
    ],
)
def test_headline_line(text: str, title: str | None) -> None:
    assert split_title(text)[0] == title


def test_display_text_kept_exactly(tmp_path: Path) -> None:
    body = "قالَ المتحدثُ  إنّ الاجتمـــاع\u200f «ناجح».\n\n\tوأضاف: ١٠ أكتوبر.\u00a0 ٢٠٢٠"
    p = tmp_path / "a.txt"
    p.write_text(f"  \n{body}\n\n", encoding="utf-8")
    (a,) = read(p)
    assert a.text == body


def test_crlf_line_endings_become_newlines(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_bytes(ARTICLE.replace("\n", "\r\n").encode("utf-8"))
    (a,) = read(p)
    assert a.title == HEADLINE and a.text == BODY


def test_text_with_only_a_trailer_is_an_empty_article(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("\n/انتهى/\n", encoding="utf-8")
    _, errors = read_all(tmp_path)
    assert len(errors) == 1 and "empty article" in errors[0].reason


# --- encodings -------------------------------------------------------------------------------------------

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1256", "iso8859-6"]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_encoding_reads_the_same_article(tmp_path: Path, encoding: str) -> None:
    p = tmp_path / f"a-{encoding}.txt"
    p.write_bytes(ARTICLE.encode(encoding))
    articles, errors = read_all(p)
    assert not errors
    (a,) = articles
    assert (a.title, a.text) == (HEADLINE, BODY)


@pytest.mark.parametrize("encoding", ["cp1256", "iso8859-6", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_seed_in_legacy_and_utf16_encodings(tmp_path: Path, seeds_dir: Path, encoding: str) -> None:
    seed = seeds_dir / "000_a83c2042202123ac.txt"
    (tmp_path / "seed.txt").write_bytes(seed.read_text(encoding="utf-8").encode(encoding))
    (expected,) = read(seed)
    (got,) = read(tmp_path / "seed.txt")
    assert (got.title, got.text, got.id) == (expected.title, expected.text, expected.id)


@pytest.mark.parametrize(
    ("encoding", "name"),
    [("cp1256", "cp1256"), ("iso8859-6", "iso8859-6"), ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be"),
     ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16-le")],
)
def test_decode_names_the_encoding(encoding: str, name: str) -> None:
    text, got = decode(BODY.encode(encoding))
    assert (text.lstrip("\ufeff"), got) == (BODY, name)


def test_cp1256_and_iso8859_6_told_apart_on_one_word() -> None:
    assert decode("قال".encode("cp1256")) == ("قال", "cp1256")
    assert decode("قال".encode("iso8859-6")) == ("قال", "iso8859-6")


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("كاريكاتير", "utf-16-le"),  # no BOM, no ASCII, so no NUL bytes either
        ("كاريكاتير", "utf-16-be"),
        ("ركن الإرشاد", "iso8859-6"),  # every byte an Arabic letter in cp1256 too: «ال» decides
        ("فضل الصبر", "iso8859-6"),
        ("معلمة تبوك.. من المخطئ؟!\n\n \x1a حادثة جامعة تبوك التي نتج عنها وفاة معلمة \x1a", "cp1256"),  # SUBs
    ],
)
def test_hard_cases_from_saudinewsnet(text: str, encoding: str) -> None:
    assert decode(text.encode(encoding)) == (text, encoding)


def test_accented_latin_is_not_read_as_arabic() -> None:
    with pytest.raises(DecodeError, match="unknown encoding"):
        decode("Le président a déclaré que la réunion était terminée.".encode("latin-1"))


# --- bad input -------------------------------------------------------------------------------------------

_UTF8 = ARTICLE.rstrip().removesuffix("/انتهى/").rstrip().encode("utf-8")
BAD = {
    "empty.txt": (b"", "empty file"),
    "blank.txt": (b" \n\t\n", "empty file"),
    "image.png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file (a PNG image)"),
    "photo.txt": (b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)), "binary file (a JPEG image)"),
    "nuls.txt": (b"abc\x00\x00\x01\x02def\x00" * 50, "binary file"),
    "noise.txt": (bytes((i * 7919) % 256 for i in range(4000)), "binary file"),
    "truncated.txt": (_UTF8 + "ة".encode()[:1], "truncated UTF-8"),
    "invalid.txt": (_UTF8[:40] + b"\xff" + _UTF8[40:], "invalid UTF-8 at byte"),
    "latin1.txt": ("Le président a déclaré.".encode("latin-1"), "unknown encoding"),
    "broken.json": (b'{"title": "x", "text": ', "invalid JSON at line 1"),
    "broken.html": (b"<html><body><div></div>" + b"<<<>>>" * 3, "found in the HTML"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_gives_one_error_and_the_batch_goes_on(tmp_path: Path, name: str) -> None:
    data, reason = BAD[name]
    (tmp_path / name).write_bytes(data)
    (tmp_path / "zz_good.txt").write_text(ARTICLE, encoding="utf-8")
    articles, errors = read_all(tmp_path)
    assert [Path(a.origin).name for a in articles] == ["zz_good.txt"]
    assert len(errors) == 1, errors
    assert errors[0].path == str(tmp_path / name)
    assert reason in errors[0].reason


@pytest.mark.parametrize("cut", ["ب".encode()[:1], "€".encode()[:1], "€".encode()[:2], "😀".encode()[:3]])
def test_truncated_utf8_is_never_read_as_cp1256(cut: bytes) -> None:
    with pytest.raises(DecodeError, match="truncated UTF-8"):
        decode("خبر عاجل: انتهى الاجتماع في الرياض".encode() + cut)


def test_a_50_mb_file_is_refused_without_being_read(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
        f.seek(0)
        f.write(ARTICLE.encode())
    (tmp_path / "small.txt").write_text(ARTICLE, encoding="utf-8")
    articles, errors = read_all(tmp_path)
    assert len(articles) == 1 and len(errors) == 1
    assert errors[0].path == str(big) and "file too large (52.4 MB" in errors[0].reason


def test_size_limit_is_configurable_and_streams_are_exempt(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE * 10, encoding="utf-8")
    rows = "".join(json.dumps({"title": f"{i}", "text": BODY}, ensure_ascii=False) + "\n" for i in range(50))
    (tmp_path / "b.jsonl").write_text(rows, encoding="utf-8")
    articles, errors = read_all(tmp_path, max_size=2000)
    assert [e.reason.split(" (")[0] for e in errors] == ["file too large"]
    assert len(articles) == 50
    articles, errors = read_all(tmp_path)
    assert not errors and len(articles) == 51


# --- properties ------------------------------------------------------------------------------------------

_LETTERS = "ءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىي"
_WORDS = st.text(alphabet=_LETTERS, min_size=2, max_size=8)
_SEPS = st.sampled_from([" ", " ", " ", "، ", ". ", "\n", "\n\n", " 2020 ", " (واس) ", ": "])
_TEXTS = st.lists(st.tuples(_WORDS, _SEPS), min_size=1, max_size=40).map(lambda xs: "".join(w + s for w, s in xs).strip())


@settings(max_examples=300, deadline=None)
@given(_TEXTS, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32", "cp1256", "iso8859-6"]))
def test_decoding_gives_back_the_text(text: str, encoding: str) -> None:
    # a few letters share their byte in both Arabic code pages: a text of only those is ambiguous, so ask for
    # ي, one of the commonest letters, which tells cp1256 (0xED) and ISO-8859-6 (0xEA) apart
    assume(encoding not in ("cp1256", "iso8859-6") or "ي" in text)
    assert decode(text.encode(encoding))[0] == text


@settings(max_examples=200, deadline=None)
@given(_TEXTS, st.sampled_from(["", "\n/انتهى/", " (انتهى)", "\n-انتهى-\n", " /ح/"]))
def test_reading_loses_only_the_trailer(text: str, trailer: str) -> None:
    (a,) = read_bytes((text + trailer).encode("utf-8"), "a.txt")
    body = strip_trailer(text)
    assert strip_trailer(a.text) == a.text
    if a.title is None:
        assert a.text == body
    else:  # the headline and the body, split at the first paragraph break, whatever its width
        assert body.startswith(a.title) and body.endswith(a.text)
        assert body[len(a.title): len(body) - len(a.text)].strip() == ""
