"""Settings shared by the readers of one ``read`` call."""

from __future__ import annotations

from dataclasses import dataclass, field

from khabar.read.source import DEFAULT_MAX_SIZE


@dataclass(frozen=True, slots=True)
class Options:
    """How to read: a field mapping for records, a forced format, and the size limit for single documents."""

    mapping: dict[str, str] = field(default_factory=dict)
    fmt: str | None = None
    max_size: int = DEFAULT_MAX_SIZE
