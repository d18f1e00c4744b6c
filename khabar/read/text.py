"""Plain text in the seeds' shape: an optional headline line, then the body as written; wire trailers removed."""

from __future__ import annotations

import re
from collections.abc import Iterator

from khabar.article import Article
from khabar.read.errors import ReadError
from khabar.read.options import Options
from khabar.read.source import Source

_END_MARK = r"(?:انتهى|انتهي|إنتهى|اِنتهى|نهاية|انتهى\s*الخبر)"
# Editors' initials between slashes (/ح/, /ع.ا/, /أ ف ب/) or an end mark between slashes, brackets or dashes,
# or a bare end mark after a sentence or line, repeated, at the very end of the body.
_TRAILER = re.compile(
    r"(?:\s*(?:"
    rf"[/\\]\s*(?:{_END_MARK}|[\u0621-\u064a]{{1,3}}(?:[\s.]+[\u0621-\u064a]{{1,3}}){{0,3}})\s*[/\\]"
    rf"|[(\[]\s*{_END_MARK}\s*[)\]]"
    rf"|[-–—*]+\s*{_END_MARK}\s*[-–—*]+"
    rf"|(?<=[\n.!?؟۔:»\")])\s*{_END_MARK}\s*[.]?"
    r"))+\s*$"
)
_TAIL = 120  # a trailer is short: look for it in the last characters only
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n\s*")
_SENTENCE_END = tuple(".!?؟۔…:;؛،,-–—")
MAX_TITLE_CHARS = 250
MAX_TITLE_WORDS = 40


def strip_trailer(text: str) -> str:
    """The body with outer whitespace and end-of-report marks (/انتهى/, (انتهى), -انتهى-, /ح/…) removed."""
    text = text.strip()
    tail_start = max(0, len(text) - _TAIL)
    if not text or (text[-1] not in "/\\" and "نته" not in text[tail_start:] and "نهاية" not in text[tail_start:]):
        return text  # the cheap test first: most bodies end with no mark at all
    m = _TRAILER.search(text, tail_start)
    if m:
        text = text[: m.start()].rstrip()
    return text


def split_title(text: str) -> tuple[str | None, str]:
    """The headline (a first paragraph of one short line with no closing punctuation, more text after) and body."""
    m = _PARAGRAPH_BREAK.search(text, 0, MAX_TITLE_CHARS + 2)
    if not m:
        return None, text
    first, rest = text[: m.start()].strip(), text[m.end():]
    if (
        not first
        or not rest.strip()
        or "\n" in first
        or len(first) > MAX_TITLE_CHARS
        or len(first.split()) > MAX_TITLE_WORDS
        or first.endswith(_SENTENCE_END)
        or (first.startswith("(") and first.endswith(")"))
    ):
        return None, text
    return first, rest


def parse_text(text: str, origin: str) -> Article:
    """An Article from the text of one plain-text document."""
    title, body = split_title(text.strip())
    body = strip_trailer(body)
    if not body and not title:
        raise ReadError(origin, "empty article (no text after removing the trailer)")
    return Article(text=body, title=title, origin=origin)


def read_text(src: Source, opts: Options) -> Iterator[Article]:
    """One Article from a plain-text file."""
    yield parse_text(src.read_text(opts.max_size), src.name)
