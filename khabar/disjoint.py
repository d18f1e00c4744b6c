"""Disjoint sets (union-find): the groups that pairwise links make, for copies, compare folds and story facts."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

T = TypeVar("T", bound=Hashable)


class DisjointSets(Generic[T]):
    """Union-find with path halving; the smallest member (by ``<``) names its group, so results are stable."""

    def __init__(self, items: Iterable[T] = ()) -> None:
        self.parent: dict[T, T] = {x: x for x in items}

    def find(self, x: T) -> T:
        parent = self.parent
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: T, b: T) -> T:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            keep, gone = (ra, rb) if ra < rb else (rb, ra)  # type: ignore[operator]
            self.parent[gone] = keep
            return keep
        return ra

    def groups(self) -> dict[T, list[T]]:
        """Root -> members, members in insertion order."""
        out: dict[T, list[T]] = {}
        for x in list(self.parent):
            out.setdefault(self.find(x), []).append(x)
        return out
