"""RSS and Atom feeds from a file (feedparser): each entry an Article, its HTML stripped to text."""

from __future__ import annotations

import calendar
import html as htmllib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import feedparser

from khabar.article import Article
from khabar.read.errors import ReadError
from khabar.read.options import Options
from khabar.read.source import Source
from khabar.read.text import strip_trailer

_XML_DECL = re.compile(r"""^\s*<\?xml([^>]*?)encoding\s*=\s*["'][^"']*["']""")
_XML_CHARSET = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_BLOCK = re.compile(r"(?i)</?(?:p|div|br|li|h[1-6]|blockquote|tr|section|article)\b[^>]*>")
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BREAKS = re.compile(r"\s*\n\s*(?:\n\s*)+")


def html_to_text(fragment: str) -> str:
    """Plain text from an HTML fragment: block ends become paragraph breaks, tags dropped, entities decoded."""
    if "<" not in fragment and "&" not in fragment:
        return fragment.strip()
    text = _BLOCK.sub("\n\n", fragment)
    text = htmllib.unescape(_TAG.sub("", text))
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BREAKS.sub("\n\n", text).strip()


def _when(entry: Any) -> datetime | None:
    """An entry's publication (else update) time, in UTC."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        t = entry.get(key)
        if t:
            return datetime.fromtimestamp(calendar.timegm(t), tz=UTC)
    return None


def _body(entry: Any) -> str:
    """An entry's fullest text: its content if given, else its summary."""
    contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
    best = max(contents, key=len) if contents else entry.get("summary", "")
    return html_to_text(best or "")


def read_feed(src: Source, opts: Options) -> Iterator[Article | ReadError]:
    """Articles from the entries of an RSS or Atom feed file."""
    m = _XML_CHARSET.match(src.head(512))
    text = src.read_text(opts.max_size, declared=m.group(1).decode("ascii") if m else None)
    # decoded here (BOM, UTF-16, Arabic code pages); feedparser gets UTF-8 with a declaration that says so
    data = _XML_DECL.sub(r'<?xml\1encoding="utf-8"', text, count=1).encode("utf-8")
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    version = parsed.get("version", "")
    if not parsed.entries:
        if parsed.bozo and not version:
            err = parsed.get("bozo_exception")
            raise ReadError(src.name, f"not an RSS/Atom feed ({err})")
        raise ReadError(src.name, "feed has no entries" if version else "not an RSS/Atom feed")
    entries = list(parsed.entries)
    exc = parsed.get("bozo_exception")
    if parsed.bozo and hasattr(exc, "getLineNumber") and exc.getLineNumber() >= text.count("\n") + 1:
        # cut off at the end: an entry opened after the last one closed is incomplete, so it is dropped
        closed = max(text.rfind("</item>"), text.rfind("</entry>"))
        if re.search(r"<(?:item|entry)[\s>]", text[closed + 1 if closed >= 0 else 0:]):
            entries = entries[:-1]
        yield ReadError(src.name, f"truncated feed ({exc.getMessage()} at line {exc.getLineNumber()}); {len(entries)} complete entries read")
    outlet = html_to_text(parsed.feed.get("title", "")) or None
    lang = (parsed.feed.get("language") or "").split("-")[0].lower() or None
    for i, entry in enumerate(entries, 1):
        title = " ".join(html_to_text(entry.get("title", "")).split()) or None
        body = strip_trailer(_body(entry))
        if not body and not title:
            yield ReadError(src.name, "empty article (entry has no title or text)", i)
            continue
        yield Article(
            text=body,
            title=title,
            id=entry.get("id") or "",
            url=entry.get("link") or None,
            outlet=outlet,
            author=entry.get("author") or None,
            published=_when(entry),
            lang=lang,
            origin=f"{src.name}:{i}",
            meta={"feed": version} | ({"tags": [t["term"] for t in entry.get("tags", []) if t.get("term")]} if entry.get("tags") else {}),
        )
