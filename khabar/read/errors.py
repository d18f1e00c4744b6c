"""The one error every reader reports: which file (and row) could not be read, and why."""

from __future__ import annotations


class ReadError(Exception):
    """An input that could not be read: ``path`` (the origin), ``row`` (1-based, or None) and ``reason``."""

    def __init__(self, path: str, reason: str, row: int | None = None) -> None:
        self.path = str(path)
        self.row = row
        self.reason = reason
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path if self.row is None else f"{self.path}:{self.row}"
        return f"{where}: {self.reason}"

    def __reduce__(self):  # keep pickling (multiprocessing, Spark) working with the keyword layout
        return (type(self), (self.path, self.reason, self.row))
