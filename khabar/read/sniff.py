"""Which reader a document needs: by its extension, else by its first bytes."""

from __future__ import annotations

import re

from khabar.read.decode import peek_text

FORMATS = ("text", "html", "json", "jsonl", "csv", "tsv", "feed", "zip", "tar", "gzip")
ARCHIVES = ("zip", "tar", "gzip")
_BY_SUFFIX = {
    ".txt": "text", ".text": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".json": "json",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".jsonlines": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv", ".tab": "tsv",
    ".xml": "feed", ".rss": "feed", ".atom": "feed", ".rdf": "feed",
    ".zip": "zip",
    ".tar": "tar", ".tgz": "tar", ".tbz2": "tar", ".txz": "tar",
    ".tar.gz": "tar", ".tar.bz2": "tar", ".tar.xz": "tar",
    ".gz": "gzip",
}
_ALIASES = {"txt": "text", "htm": "html", "ndjson": "jsonl", "rss": "feed", "atom": "feed", "xml": "feed", "gz": "gzip"}
_FEED = re.compile(r"<(?:rss|feed|rdf:RDF)[\s>]", re.I)
_HTML = re.compile(r"<(?:!doctype\s+html|html|head|body|article|div|p)[\s>]", re.I)


def canonical_format(fmt: str) -> str:
    """A format name as the readers know it ("txt" → "text"); ValueError for an unknown one."""
    name = _ALIASES.get(fmt.lower().lstrip("."), fmt.lower().lstrip("."))
    if name not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return name


def format_by_name(name: str) -> str | None:
    """The format an extension names, or None."""
    lower = name.lower()
    for n in (3, 2, 1):
        parts = lower.rsplit("/", 1)[-1].split(".")
        if len(parts) > n:
            suffix = "." + ".".join(parts[-n:])
            if suffix in _BY_SUFFIX:
                return _BY_SUFFIX[suffix]
    return None


def format_by_content(head: bytes) -> str:
    """The format told by a document's first bytes; "text" when nothing else fits."""
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\x1f\x8b") or head.startswith(b"BZh") or head.startswith(b"\xfd7zXZ"):
        return "gzip"
    if len(head) > 262 and head[257:262] == b"ustar":
        return "tar"
    text = peek_text(head).lstrip("\ufeff \t\r\n")
    if text.startswith(("{", "[")):
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        if len(lines) > 1 and all(ln.startswith("{") and ln.endswith("}") for ln in lines[:-1]):
            return "jsonl"
        return "json"
    if text.startswith("<"):
        if _FEED.search(text[:2048]):
            return "feed"
        if text.startswith("<?xml") and not _HTML.search(text[:4096]):
            return "feed"
        return "html"
    return "text"
