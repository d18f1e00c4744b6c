"""CSV and TSV with a header row, read row by row; a short, long or empty row is an error for its row."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator

from khabar.article import Article
from khabar.read.errors import ReadError
from khabar.read.options import Options
from khabar.read.records import FieldMapper
from khabar.read.source import Source, iter_lines

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def _delimiter(header: str, tsv: bool) -> str:
    """Tab for TSV; for CSV the most frequent of comma, semicolon and tab in the header line."""
    if tsv:
        return "\t"
    return max(",;\t", key=header.count) if any(c in header for c in ",;\t") else ","


def read_csv(src: Source, opts: Options, *, tsv: bool = False) -> Iterator[Article | ReadError]:
    """Articles from a CSV (or TSV) file whose first row names the fields."""
    mapper = FieldMapper(opts.mapping)
    errors: list[ReadError] = []
    state = {"line": 0}

    def lines() -> Iterator[str]:
        for n, line in iter_lines(src, opts.max_size):
            state["line"] = n
            if isinstance(line, ReadError):
                errors.append(line)
                continue
            yield line

    it = lines()
    header_line = next(it, None)
    if errors and header_line is None:
        yield from errors
        return
    if header_line is None:
        raise ReadError(src.name, "empty file")
    header_line = header_line.lstrip("\ufeff")
    delimiter = _delimiter(header_line, tsv)
    header = [h.strip() for h in next(csv.reader([header_line], delimiter=delimiter))]
    if not any(header):
        raise ReadError(src.name, "no header row", 1)
    reader = csv.reader(it, delimiter=delimiter, strict=False)
    rows = 0
    while True:
        start = state["line"] + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            yield ReadError(src.name, f"malformed CSV ({err})", start)
            continue
        yield from errors
        errors.clear()
        if not row or not any(cell.strip() for cell in row):
            continue
        rows += 1
        if len(row) != len(header):
            yield ReadError(src.name, f"row has {len(row)} fields, the header has {len(header)}", start)
            continue
        try:
            yield mapper.article(dict(zip(header, row, strict=True)), src.name, start)
        except ReadError as err:
            yield err
    yield from errors
    if not rows:
        yield ReadError(src.name, "no rows below the header")
