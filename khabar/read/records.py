"""Records (JSON objects, CSV rows) to Articles through a field mapping; unmapped fields kept in ``meta``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from khabar.article import Article, article_id
from khabar.read.dates import parse_date
from khabar.read.errors import ReadError
from khabar.read.text import strip_trailer

# Article field → input fields tried in order. Newspaper-style names first, then SaudiNewsNet's
# (source, url, date_extracted, title, author, content).
DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "maintext", "article", "article_text", "full_text"),
    "title": ("title", "headline"),
    "published": ("publish_date", "published", "date", "date_publish", "pubDate", "published_at", "publishedAt", "datetime", "date_extracted"),
    "url": ("url", "link", "canonical_url"),
    "outlet": ("outlet", "source", "site_name", "sitename", "source_domain", "publisher"),
    "author": ("author", "authors", "byline"),
    "id": ("id", "_id", "guid"),
    "lang": ("lang", "language"),
}
FIELDS = tuple(DEFAULT_FIELDS)


def field_plan(mapping: Mapping[str, str] | None) -> dict[str, tuple[str, ...]]:
    """The input fields tried for each Article field: a user mapping ({"text": "body_field"}) overrides."""
    plan = dict(DEFAULT_FIELDS)
    for target, name in (mapping or {}).items():
        if target not in plan:
            raise ValueError(f"mapping names {target!r}, not an Article field read from records ({', '.join(FIELDS)})")
        plan[target] = (name,) if name else ()
    return plan


def _text(value: Any) -> str:
    """A text field as a string: lists of paragraphs joined by blank lines."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n\n".join(_text(v) for v in value if v is not None)
    return str(value)


def _name(value: Any) -> str:
    """A name-like field (author, outlet) as a string: lists joined, objects by their name."""
    if isinstance(value, Mapping):
        value = value.get("name") or value.get("title") or value.get("id")
    if isinstance(value, list):
        return ", ".join(n for n in (_name(v) for v in value) if n)
    return _text(value).strip()


class FieldMapper:
    """Records to Articles under one field plan; which candidates a record has is cached by its keys."""

    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        self.plan = field_plan(mapping)
        self._present: dict[tuple[str, ...], list[tuple[str, list[str]]]] = {}

    def present(self, record: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
        """For each Article field, the candidate input fields this record has, in order of preference."""
        keys = tuple(record)
        hit = self._present.get(keys)
        if hit is None:
            have = set(keys)
            hit = [(target, [n for n in names if n in have]) for target, names in self.plan.items()]
            if len(self._present) > 1024:
                self._present.clear()
            self._present[keys] = hit
        return hit

    def article(self, record: Mapping[str, Any], origin: str, row: int | None = None) -> Article:
        """An Article from one record; ReadError when it holds no text, title, url or id."""
        return to_article(record, self.present(record), origin, row)


def to_article(
    record: Mapping[str, Any], present: list[tuple[str, list[str]]], origin: str, row: int | None
) -> Article:
    """An Article from one record, given the candidate fields it has (``FieldMapper.present``)."""
    got: dict[str, Any] = {}
    used: set[str] = set()
    for target, names in present:
        for name in names:
            value = record[name]
            if value is None or value == "" or value == []:
                continue
            got[target] = value
            used.add(name)
            break
    meta = {k: v for k, v in record.items() if k not in used and v is not None and v != "" and v != []}
    text = strip_trailer(_text(got.get("text")))
    title = " ".join(_text(got.get("title")).split()) or None
    url = _text(got.get("url")).strip() or None
    outlet = _name(got.get("outlet")) or None
    if isinstance(record.get("source"), str) and record["source"]:
        meta["source"] = record["source"]
    published = None
    if "published" in got:
        published = parse_date(got["published"])
        if published is None:
            meta["unparsed_date"] = got["published"]
    id_ = _text(got.get("id")).strip()
    if not text and not title:
        if not url and not id_:
            raise ReadError(origin, "empty article (no text or title)", row)
        # a record of a page whose body was not captured (e.g. a video page): kept, with an id from its url
        id_ = id_ or article_id("", url or "")
        meta["empty"] = True
    return Article(
        text=text,
        title=title,
        id=id_,
        url=url,
        outlet=outlet,
        author=_name(got.get("author")) or None,
        published=published,
        lang=_text(got.get("lang")).strip() or None,
        origin=origin if row is None else f"{origin}:{row}",
        meta=meta,
    )
