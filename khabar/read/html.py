"""HTML pages through trafilatura: main text, title, date, site name (outlet), author and canonical url."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import date, datetime, time

import trafilatura

from khabar.article import Article
from khabar.read.dates import parse_date
from khabar.read.errors import ReadError
from khabar.read.options import Options
from khabar.read.source import Source
from khabar.read.text import strip_trailer

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_LANG = re.compile(r"""<html[^>]*?\slang\s*=\s*["']?([A-Za-z]{2,3})\b""", re.I)
_META_DATE = re.compile(
    r"""<meta\s[^>]*?(?:property|name|itemprop)\s*=\s*["'](?:article:published_time|og:published_time|datePublished|"""
    r"""pubdate|publishdate|publish[-_]date|dc\.date\.issued|dcterms\.created|sailthru\.date)["'][^>]*>""",
    re.I,
)
_CONTENT = re.compile(r"""\scontent\s*=\s*["']([^"']+)["']""", re.I)
_DATE_PARAMS = {"extensive_search": False, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)


def declared_charset(head: bytes) -> str | None:
    """The charset an HTML page declares in a meta element, if any."""
    m = _CHARSET.search(head)
    return m.group(1).decode("ascii") if m else None


def parse_html(html: str, origin: str) -> Article:
    """An Article from the HTML of one page; ReadError when no article text can be found."""
    try:
        doc = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, include_tables=True, date_extraction_params=_DATE_PARAMS
        )
    except Exception as err:  # lxml and trafilatura raise many kinds on broken markup
        raise ReadError(origin, f"malformed HTML ({type(err).__name__}: {err})") from None
    if doc is None:
        raise ReadError(origin, "no article text found in the HTML")
    title = " ".join((doc.title or "").split()) or None
    text = (doc.text or "").strip()
    if title and text.startswith(title):  # trafilatura keeps the page's <h1> as the first line of the body
        first, _, rest = text.partition("\n")
        if first.strip() == title:
            text = rest
    text = strip_trailer(text)
    if not any(c.isalpha() for c in text[:2000]):
        raise ReadError(origin, "empty article (no text found in the HTML)")
    meta = {k: v for k, v in (("hostname", doc.hostname), ("description", doc.description)) if v}
    return Article(
        text=text,
        title=title,
        url=doc.url or None,
        outlet=doc.sitename or None,
        author=doc.author or None,
        published=_published(html, doc.date),
        lang=doc.language or _page_lang(html),
        origin=origin,
        meta=meta,
    )


def _published(html: str, found: str | None) -> datetime | date | None:
    """The page's publication time from its meta elements, else the day trafilatura found (a date, not midnight)."""
    for m in _META_DATE.finditer(html, 0, 200_000):
        content = _CONTENT.search(m.group(0))
        when = parse_date(content.group(1)) if content else None
        if when is not None:
            return when
    when = parse_date(found) if found else None
    if isinstance(when, datetime) and when.tzinfo is None and when.time() == time():
        return when.date()  # htmldate gives midnight when it only knows the day
    return when


def _page_lang(html: str) -> str | None:
    """The language named by the page's ``<html lang>``, as a lower-case ISO 639 code."""
    m = _LANG.search(html, 0, 4096)
    return m.group(1).lower() if m else None


def read_html(src: Source, opts: Options) -> Iterator[Article]:
    """One Article from an HTML page."""
    declared = declared_charset(src.head(4096))
    yield parse_html(src.read_text(opts.max_size, declared=declared), src.name)
