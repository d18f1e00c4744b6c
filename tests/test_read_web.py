"""HTML pages (trafilatura) and RSS/Atom feeds read from files."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from khabar.article import Article
from khabar.read import ReadError, read
from khabar.read.feed import html_to_text

P1 = "أعرب الرئيس الإيراني حسن روحاني خلال اتصال هاتفي أجراه بالرئيس الروسي فلاديمير بوتين عن دعم إيران لوقف إطلاق النار."
P2 = "وقالت الرئاسة الروسية في بيان إن الرئيسين بحثا التعاون في مكافحة فيروس كورونا ولقاح سبوتنيك الروسي."
PAGE = f"""<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="{{charset}}">
<title>روحاني يؤكد دعم إيران لوقف إطلاق النار | وكالة الأنباء</title>
<link rel="canonical" href="https://news.example/2020/10/10/rouhani-putin">
<meta property="og:site_name" content="وكالة الأنباء">
<meta property="article:published_time" content="2020-10-10T11:30:00+03:00">
</head><body>
<nav><a href="/">الرئيسية</a> | <a href="/world">العالم</a></nav>
<article><h1>روحاني يؤكد دعم إيران لوقف إطلاق النار</h1>
<p>{P1}</p><p>{P2} /انتهى/</p></article>
<footer>جميع الحقوق محفوظة</footer></body></html>"""


def read_all(paths, **kw) -> tuple[list[Article], list[ReadError]]:
    """Articles and errors, reading on after errors."""
    errors: list[ReadError] = []
    return list(read(paths, on_error=errors.append, **kw)), errors


@pytest.mark.parametrize("charset", ["utf-8", "windows-1256"])
def test_html_page(tmp_path: Path, charset: str) -> None:
    p = tmp_path / "page.html"
    p.write_bytes(PAGE.replace("{charset}", charset).encode("cp1256" if charset != "utf-8" else "utf-8"))
    (a,) = read(p)
    assert a.title == "روحاني يؤكد دعم إيران لوقف إطلاق النار"
    assert a.text == f"{P1}\n{P2}"  # no navigation, footer, repeated headline or trailer
    assert a.outlet == "وكالة الأنباء"
    assert a.url == "https://news.example/2020/10/10/rouhani-putin"
    assert a.published == datetime(2020, 10, 10, 11, 30, tzinfo=timezone(timedelta(hours=3)))
    assert a.lang == "ar"
    assert a.origin == str(p)


def test_html_date_from_the_url_is_a_day_and_no_date_is_none(tmp_path: Path) -> None:
    page = PAGE.replace("{charset}", "utf-8").replace(
        '<meta property="article:published_time" content="2020-10-10T11:30:00+03:00">', ""
    )
    (tmp_path / "a.html").write_text(page, encoding="utf-8")
    (tmp_path / "b.html").write_text(page.replace("2020/10/10/", ""), encoding="utf-8")
    a, b = read(tmp_path)
    assert a.published == date(2020, 10, 10) and b.published is None


def test_html_without_article_text_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.htm").write_text("<html><head><title>x</title></head><body><nav>|</nav></body></html>")
    (tmp_path / "b.html").write_text("<html><body><p>" + "<<<>>>" * 5)
    (tmp_path / "c.html").write_text(PAGE.replace("{charset}", "utf-8"), encoding="utf-8")
    articles, errors = read_all(tmp_path)
    assert [Path(a.origin).name for a in articles] == ["c.html"]
    assert [Path(e.path).name for e in errors] == ["a.htm", "b.html"]
    assert all("found in the HTML" in e.reason for e in errors)


RSS = """<?xml version="1.0" encoding="windows-1256"?>
<rss version="2.0"><channel><title>وكالة الأنباء</title><language>ar-SA</language>
<item><title>خبر &amp; أول</title><link>https://news.example/1</link><guid>news-1</guid>
<pubDate>Sat, 10 Oct 2020 08:00:00 GMT</pubDate><author>مراسل</author><category>سياسة</category>
<description>&lt;p&gt;نص &lt;b&gt;الخبر&lt;/b&gt; الأول.&lt;/p&gt;&lt;p&gt;فقرة ثانية.&lt;/p&gt; /انتهى/</description></item>
<item><title>خبر ثان</title><link>https://news.example/2</link><description>نص ثان.</description></item>
<item><title></title><description></description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Example wire</title>
<entry><title>Ceasefire holds</title><link href="https://wire.example/a"/><id>urn:wire:a</id>
<updated>2020-10-10T09:00:00Z</updated><published>2020-10-10T08:00:00Z</published>
<summary>Short.</summary><content type="html">&lt;p&gt;The ceasefire &lt;i&gt;held&lt;/i&gt; overnight.&lt;/p&gt;</content></entry>
</feed>"""


def test_rss_feed_in_cp1256(tmp_path: Path) -> None:
    p = tmp_path / "feed.rss"
    p.write_bytes(RSS.encode("cp1256"))
    articles, errors = read_all(p)
    first, second = articles
    assert (first.title, first.text) == ("خبر & أول", "نص الخبر الأول.\n\nفقرة ثانية.")
    assert (first.id, first.url, first.outlet, first.lang, first.author) == (
        "news-1", "https://news.example/1", "وكالة الأنباء", "ar", "مراسل"
    )
    assert first.published == datetime(2020, 10, 10, 8, tzinfo=UTC)
    assert first.meta["tags"] == ["سياسة"] and first.origin == f"{p}:1"
    assert second.published is None and len(second.id) == 16  # no guid: the text hash
    assert [(e.row, e.reason) for e in errors] == [(3, "empty article (entry has no title or text)")]


def test_atom_feed_prefers_full_content(tmp_path: Path) -> None:
    p = tmp_path / "wire.atom"
    p.write_text(ATOM, encoding="utf-8")
    (a,) = read(p)
    assert (a.title, a.text, a.id, a.url, a.outlet) == (
        "Ceasefire holds", "The ceasefire held overnight.", "urn:wire:a", "https://wire.example/a", "Example wire"
    )
    assert a.published == datetime(2020, 10, 10, 8, tzinfo=UTC)


def test_feed_sniffed_without_extension_and_non_feed_xml_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "feed").write_text(ATOM, encoding="utf-8")
    (tmp_path / "other.xml").write_text('<?xml version="1.0"?><root><a>not a feed</a></root>', encoding="utf-8")
    (tmp_path / "truncated.xml").write_text(ATOM[:120], encoding="utf-8")
    articles, errors = read_all(tmp_path)
    assert [a.title for a in articles] == ["Ceasefire holds"]
    assert [(Path(e.path).name, e.reason.split(" (")[0]) for e in errors] == [
        ("other.xml", "not an RSS/Atom feed"), ("truncated.xml", "truncated feed")
    ]


def test_truncated_feed_keeps_its_complete_entries(tmp_path: Path) -> None:
    p = tmp_path / "cut.rss"
    p.write_text(RSS[: RSS.index("<item><title>خبر ثان") + 40], encoding="utf-8")
    articles, errors = read_all(p)
    assert [a.title for a in articles] == ["خبر & أول"]
    assert len(errors) == 1 and errors[0].reason.startswith("truncated feed") and errors[0].path == str(p)


def test_html_to_text() -> None:
    assert html_to_text("<p>أ&nbsp;ب</p><p>ج <br/>د</p>") == "أ ب\n\nج\n\nد"
    assert html_to_text("plain") == "plain"
