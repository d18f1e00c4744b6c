"""Readers: files, directories and archives of text, HTML, JSON, JSON lines, CSV/TSV and RSS/Atom → Articles.

``read(paths)`` yields one ``Article`` per article found. Bad input gives a ``ReadError`` naming the file (and
row): raised when ``on_error`` is None, else handed to ``on_error`` while reading goes on.

One module a format: ``text`` (headline line, body as written, wire trailers removed), ``html`` (trafilatura),
``jsondoc`` (JSON and JSON lines) and ``table`` (CSV/TSV) through ``records`` (the field mapping), ``feed``
(feedparser), ``archive`` (zip, tar, gzip). ``decode`` turns bytes into text (UTF-8 with or without BOM,
UTF-16/32, windows-1256, ISO-8859-6) or refuses them; ``sniff`` picks the format; ``source`` gives every
document, on disk or in an archive, a name for ``Article.origin`` and a way to open its bytes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path

from khabar.article import Article
from khabar.read.archive import members
from khabar.read.dates import parse_date
from khabar.read.errors import ReadError
from khabar.read.feed import read_feed
from khabar.read.html import read_html
from khabar.read.jsondoc import read_json, read_jsonl
from khabar.read.options import Options
from khabar.read.records import DEFAULT_FIELDS, FieldMapper, field_plan
from khabar.read.sniff import ARCHIVES, FORMATS, canonical_format, format_by_content, format_by_name
from khabar.read.source import DEFAULT_MAX_SIZE, Source
from khabar.read.table import read_csv
from khabar.read.text import read_text

__all__ = [
    "DEFAULT_FIELDS", "DEFAULT_MAX_SIZE", "FORMATS", "FieldMapper", "ReadError", "Source",
    "iter_sources", "parse_date", "read", "read_bytes", "read_source",
]

ErrorHandler = Callable[[ReadError], None]
_READERS = {
    "text": read_text,
    "html": read_html,
    "json": read_json,
    "jsonl": read_jsonl,
    "csv": read_csv,
    "tsv": partial(read_csv, tsv=True),
    "feed": read_feed,
}
# Files a directory walk passes over: the project's own notes, not articles.
_WALK_SKIP_PREFIXES = ("readme", "license", "licence", "notice", "changelog")


def read(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    on_error: ErrorHandler | None = None,
    mapping: dict[str, str] | None = None,
    fmt: str | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
) -> Iterator[Article]:
    """Articles from files, directories (walked recursively, in name order) and archives.

    ``mapping`` maps Article fields to record fields ({"text": "body_field"}) for JSON and CSV; ``fmt`` forces
    the format of every file (archives are still opened as archives); ``max_size`` (bytes) caps a single
    document read whole (JSON lines and CSV stream row by row).
    """
    opts = _options(mapping, fmt, max_size)
    yield from _dispatch(_items(iter_sources(paths), opts), on_error)


def read_bytes(
    data: bytes,
    name: str = "<bytes>",
    *,
    on_error: ErrorHandler | None = None,
    mapping: dict[str, str] | None = None,
    fmt: str | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
) -> Iterator[Article]:
    """Articles from one document held in memory (an upload); ``name`` gives its format by extension."""
    opts = _options(mapping, fmt, max_size)
    yield from _dispatch(_items([Source.from_bytes(name, data)], opts), on_error)


def _dispatch(items: Iterable[Article | ReadError], on_error: ErrorHandler | None) -> Iterator[Article]:
    """Articles passed on; each error raised, or handed to ``on_error`` so the batch goes on."""
    for item in items:
        if isinstance(item, ReadError):
            if on_error is None:
                raise item
            on_error(item)
        else:
            yield item


def _options(mapping: dict[str, str] | None, fmt: str | None, max_size: int) -> Options:
    """Checked options: a bad mapping or format is the caller's mistake, raised at once."""
    field_plan(mapping)
    return Options(mapping=dict(mapping or {}), fmt=canonical_format(fmt) if fmt else None, max_size=max_size)


def _items(sources: Iterable[Source | ReadError], opts: Options) -> Iterator[Article | ReadError]:
    """Articles and errors from sources, in order."""
    for src in sources:
        if isinstance(src, ReadError):
            yield src
        else:
            yield from read_source(src, opts)


def iter_sources(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> Iterator[Source | ReadError]:
    """The files named, with directories walked recursively in sorted order (hidden entries skipped)."""
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    for p in paths:
        path = Path(p)
        if path.is_dir():
            yield from _walk(path)
        elif path.is_file():
            yield _file_source(path)
        elif path.exists():
            yield ReadError(str(path), "not a regular file")
        else:
            yield ReadError(str(path), "no such file or directory")


def _walk(root: Path, seen: set[str] | None = None) -> Iterator[Source | ReadError]:
    """Files under a directory, depth first, names sorted; hidden files and folders and README/LICENSE skipped."""
    seen = set() if seen is None else seen
    real = os.path.realpath(root)
    if real in seen:  # a symbolic link back up the tree
        return
    seen.add(real)
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as err:
        yield ReadError(str(root), f"cannot list directory ({err.strerror})")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = root / entry.name
        if entry.is_dir():
            yield from _walk(path, seen)
        elif entry.is_file() and not entry.name.lower().startswith(_WALK_SKIP_PREFIXES):
            yield _file_source(path)


def _file_source(path: Path) -> Source:
    """A source over a file on disk."""
    try:
        size = path.stat().st_size
    except OSError:
        size = None
    return Source(str(path), partial(open, path, "rb"), size)


def read_source(src: Source, opts: Options) -> Iterator[Article | ReadError]:
    """Articles and errors from one source, archives opened; no exception escapes for bad input."""
    try:
        fmt = format_by_name(src.name)
        if fmt not in ARCHIVES:
            fmt = opts.fmt or fmt or format_by_content(src.head(4096))
            if fmt not in ARCHIVES and src.size == 0:
                raise ReadError(src.name, "empty file")
        if fmt in ARCHIVES:
            for member in members(src, fmt):
                if isinstance(member, ReadError):
                    yield member
                else:
                    yield from read_source(member, opts)
            return
        yield from _READERS[fmt](src, opts)
    except ReadError as err:
        yield err
    except OSError as err:
        yield ReadError(src.name, f"cannot read ({err.strerror or err})")
    except Exception as err:  # a reader's bug or a library's crash on odd input must not stop the batch
        yield ReadError(src.name, f"unexpected {type(err).__name__}: {err}")
