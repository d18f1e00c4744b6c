"""The store interface: what the Newsroom needs to keep articles, clustering features and story membership."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Protocol

from khabar.article import Article
from khabar.stories import StoryItem


class Store(Protocol):
    """Persistent articles, StoryItems (in arrival order) and story membership."""

    def has(self, article_id: str) -> bool: ...

    def put(self, rows: Iterable[tuple[Article, StoryItem, int]], merges: dict[int, int],
            moves: dict[str, int] | None = None) -> int:
        """Store (article, item, story id) rows, story merges and moved articles (id -> story id) in one
        transaction; return rows added."""
        ...

    def items(self) -> Iterator[StoryItem]:
        """Every stored StoryItem in arrival order (to rebuild the clusterer)."""
        ...

    def placed(self) -> Iterator[tuple[StoryItem, int]]:
        """Every stored (StoryItem, story id) in arrival order (to restore the clusterer without re-scoring)."""
        ...

    def spans(self) -> Iterator[tuple[int, date | None]]:
        """Every stored (story id, day) in arrival order (which stories are closed, before ``placed``)."""
        ...

    def merges(self) -> dict[int, int]:
        """Stored story merges: gone id -> kept id."""
        ...

    def articles(self, ids: Iterable[str]) -> list[Article]: ...

    def memberships(self) -> dict[int, list[str]]:
        """Live story id -> article ids, with merges applied."""
        ...

    def count(self) -> int: ...

    def close(self) -> None: ...
