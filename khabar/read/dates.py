"""Publication dates from metadata: ISO 8601, "YYYY-MM-DD HH:MM:SS", RFC 2822, epoch seconds; else None."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}|\d{8}")
_SLASHED = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def parse_date(value: Any) -> datetime | date | None:
    """A date (day only) or datetime (with its zone when given) from a metadata value; None when unparsable."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    s = value.strip()
    if not s:
        return None
    try:
        if _DAY.fullmatch(s):
            return date.fromisoformat(s)
        return datetime.fromisoformat(s)
    except ValueError:
        pass
    m = _SLASHED.fullmatch(s)
    if m:
        try:
            y, mo, d = (int(x) for x in m.group(1, 2, 3))
            if m.group(4) is None:
                return date(y, mo, d)
            return datetime(y, mo, d, int(m.group(4)), int(m.group(5)), int(m.group(6) or 0))
        except ValueError:
            return None
    try:
        return parsedate_to_datetime(s)
    except (TypeError, ValueError, IndexError):
        return None
