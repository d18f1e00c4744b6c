"""Inputs as sources: a name for ``Article.origin`` and a way to open the bytes, whether on disk or in an archive."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from khabar.read.decode import DecodeError, binary_kind, decode, peek_text
from khabar.read.errors import ReadError

DEFAULT_MAX_SIZE = 20 * 1024 * 1024  # bytes: the largest single-document file read whole
HEAD_SIZE = 65536


@dataclass(frozen=True, slots=True)
class Source:
    """One input document: its name (the origin of what is read from it), its size if known, and its bytes."""

    name: str
    opener: Callable[[], BinaryIO]
    size: int | None = None

    def open(self) -> BinaryIO:
        """A fresh binary stream over the document."""
        return self.opener()

    def head(self, n: int = 4096) -> bytes:
        """The first ``n`` bytes."""
        with self.open() as f:
            return f.read(n)

    def read_bytes(self, max_size: int) -> bytes:
        """All bytes, refusing a document over ``max_size`` or an empty one."""
        if self.size is not None and self.size > max_size:
            raise ReadError(self.name, _too_large(self.size, max_size))
        with self.open() as f:
            data = f.read(max_size + 1)
        if len(data) > max_size:
            raise ReadError(self.name, _too_large(None, max_size))
        if not data.strip():
            raise ReadError(self.name, "empty file")
        return data

    def read_text(self, max_size: int, *, declared: str | None = None) -> str:
        """The whole document decoded, with line endings made ``\\n``."""
        data = self.read_bytes(max_size)
        try:
            text, _ = decode(data, declared=declared)
        except DecodeError as err:
            raise ReadError(self.name, str(err)) from None
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        return text

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> Source:
        """A source over bytes held in memory."""
        return cls(name, lambda: io.BytesIO(data), len(data))


def _too_large(size: int | None, limit: int) -> str:
    """The reason for refusing a document over the size limit."""
    mb = f"{size / 1e6:.1f} MB" if size is not None else f"more than {limit / 1e6:.1f} MB"
    return f"file too large ({mb}; the limit for a single document is {limit / 1e6:.1f} MB)"


def iter_lines(src: Source, max_size: int) -> Iterator[tuple[int, str | ReadError]]:
    """The decoded lines of a streaming document (JSON lines, CSV), numbered from 1; a bad line gives a ReadError."""
    with src.open() as f:
        head = f.read(HEAD_SIZE)
        if not head.strip():
            yield 0, ReadError(src.name, "empty file")
            return
        name = _stream_encoding(src, head)
        if name.startswith(("utf-16", "utf-32")):
            stream = io.TextIOWrapper(io.BufferedReader(_Chain(head, f)), encoding=name, errors="strict", newline=None)
            n = 0
            try:
                for n, line in enumerate(stream, 1):  # noqa: B007
                    yield n, line.lstrip("\ufeff") if n == 1 else line
            except UnicodeDecodeError as err:
                yield n + 1, ReadError(src.name, f"invalid {name.upper()} ({err.reason})", n + 1)
            return
        rest = io.BufferedReader(_Chain(head, f), 1 << 16)
        for n, raw in enumerate(rest, 1):
            if len(raw) > max_size:
                yield n, ReadError(src.name, _too_large(len(raw), max_size).replace("file", "row", 1), n)
                continue
            try:
                line = raw.decode(name)
            except UnicodeDecodeError:
                try:
                    line, _ = decode(raw)
                except DecodeError as err:
                    yield n, ReadError(src.name, str(err).replace("the file ends", "the line ends"), n)
                    continue
            if "\r" in line:
                line = line.replace("\r\n", "\n").replace("\r", "\n")
            yield n, line


def _stream_encoding(src: Source, head: bytes) -> str:
    """The encoding of a streaming document, judged from its first bytes."""
    what = binary_kind(head)
    if what:
        raise ReadError(src.name, f"binary file ({what})")
    probe = head if len(head) < HEAD_SIZE else head[: head.rfind(b"\n") + 1] or head
    try:
        _, name = decode(probe)
    except DecodeError as err:
        if "UTF-8" in str(err):
            return "utf-8"  # lines are decoded one by one: the bad ones are reported by row
        raise ReadError(src.name, str(err)) from None
    return "utf-8-sig" if name == "utf-8-sig" else name


class _Chain(io.RawIOBase):
    """A binary stream that replays bytes already read, then goes on with the rest of the stream."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(b), len(self._head))
            b[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(b))
        b[: len(data)] = data
        return len(data)


def sniff_text(src: Source) -> str:
    """The start of a document decoded leniently, for choosing its format."""
    return peek_text(src.head(4096))
