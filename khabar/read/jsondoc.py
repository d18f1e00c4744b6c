"""JSON documents (an object, an array, or {"articles": [...]}) and JSON lines, one record an Article."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from khabar.article import Article
from khabar.read.errors import ReadError
from khabar.read.options import Options
from khabar.read.records import FieldMapper
from khabar.read.source import Source, iter_lines

_WRAPPERS = ("articles", "items", "data", "results", "documents", "docs", "records")


def _records(doc: Any) -> tuple[list[Any], bool]:
    """The records of a JSON document, and whether they were a list (so each has a row number)."""
    if isinstance(doc, list):
        return doc, True
    if isinstance(doc, Mapping):
        for key in _WRAPPERS:
            inner = doc.get(key)
            if isinstance(inner, list):
                return inner, True
        return [doc], False
    return [doc], False


def read_json(src: Source, opts: Options) -> Iterator[Article | ReadError]:
    """Articles from a JSON document; a record that is not an object, or is empty, is an error for its row."""
    text = src.read_text(opts.max_size)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise ReadError(src.name, f"invalid JSON at line {err.lineno} column {err.colno}: {err.msg}") from None
    mapper = FieldMapper(opts.mapping)
    records, listed = _records(doc)
    if listed and not records:
        raise ReadError(src.name, "no records (an empty JSON array)")
    for i, rec in enumerate(records, 1):
        row = i if listed else None
        if not isinstance(rec, Mapping):
            yield ReadError(src.name, f"not a JSON object but {type(rec).__name__}", row)
            continue
        try:
            yield mapper.article(rec, src.name, row)
        except ReadError as err:
            yield err


def read_jsonl(src: Source, opts: Options) -> Iterator[Article | ReadError]:
    """Articles from JSON lines, read line by line; a line that is not a JSON object is an error for its row."""
    mapper = FieldMapper(opts.mapping)
    loads = json.loads
    for n, line in iter_lines(src, opts.max_size):
        if isinstance(line, ReadError):
            yield line
            continue
        if not line.strip():
            continue
        try:
            rec = loads(line)
        except json.JSONDecodeError as err:
            yield ReadError(src.name, f"invalid JSON at column {err.colno}: {err.msg}", n)
            continue
        if not isinstance(rec, Mapping):
            yield ReadError(src.name, f"not a JSON object but {type(rec).__name__}", n)
            continue
        try:
            yield mapper.article(rec, src.name, n)
        except ReadError as err:
            yield err
