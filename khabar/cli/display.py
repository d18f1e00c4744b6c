"""Terminal display helpers shared by the commands: right-to-left safe text, progress bars, error lines."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

T = TypeVar("T")

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

_RTL_RANGES = ((0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF))


def is_rtl(text: str) -> bool:
    """True when the first strong letter of ``text`` is right-to-left (Arabic, Persian, Urdu, Hebrew)."""
    for ch in text:
        cp = ord(ch)
        if any(lo <= cp <= hi for lo, hi in _RTL_RANGES):
            return True
        if ch.isalpha():
            return False
    return False


def bidi(text: str) -> str:
    """Text made safe for a terminal line: isolated in its own direction, or reordered when asked.

    KHABAR_BIDI=visual reorders right-to-left text for terminals without bidi support (needs python-bidi);
    otherwise the text is wrapped in Unicode isolates (FSI … PDI) so neighbouring fields don't scramble it.
    """
    if not text:
        return text
    if os.environ.get("KHABAR_BIDI") == "visual" and is_rtl(text):
        try:
            from bidi.algorithm import get_display  # optional dependency

            return get_display(text)
        except ImportError:
            pass
    return "\u2068" + text + "\u2069"


def progress(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Iterate with a progress bar on stderr when it is a terminal (or KHABAR_PROGRESS=1)."""
    show = sys.stderr.isatty() or os.environ.get("KHABAR_PROGRESS") == "1"
    if not show:
        yield from items
        return
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            bar.advance(task)


def error_line(message: str) -> None:
    """One clear error line on stderr."""
    err_console.print(f"[red]error[/red]: {message}", soft_wrap=True, markup=True)
