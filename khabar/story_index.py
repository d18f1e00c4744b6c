"""Story candidates by embedding: exact inner-product search (faiss) over the members of open stories."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


class EmbeddingIndex:
    """Unit embeddings of items, searchable by cosine; items are added as they arrive and removed when their story
    closes, so the index holds only what can still be joined. Flat (exact) search keeps results deterministic."""

    def __init__(self, dim: int) -> None:
        import faiss

        self.dim = dim
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self._item_of: dict[int, str] = {}  # faiss id -> item id
        self._key_of: dict[str, int] = {}  # item id -> faiss id
        self._next = 0

    def __len__(self) -> int:
        return len(self._key_of)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._key_of

    def add(self, item_id: str, vector: np.ndarray) -> None:
        """Index one item's embedding (a no-op when the item is already in)."""
        if item_id in self._key_of:
            return
        vec = np.ascontiguousarray(vector, dtype=np.float32).reshape(1, -1)
        if vec.shape[1] != self.dim:
            raise ValueError(f"embedding of {item_id!r} has {vec.shape[1]} dimensions, the index {self.dim}")
        key = self._next
        self._next += 1
        self._index.add_with_ids(vec, np.array([key], dtype=np.int64))
        self._item_of[key] = item_id
        self._key_of[item_id] = key

    def remove(self, item_ids: Iterable[str]) -> int:
        """Drop items (those not indexed are ignored); the number dropped."""
        keys = [self._key_of.pop(i) for i in item_ids if i in self._key_of]
        if keys:
            self._index.remove_ids(np.array(keys, dtype=np.int64))
            for key in keys:
                del self._item_of[key]
        return len(keys)

    def search(self, vector: np.ndarray, k: int, floor: float = -1.0) -> list[tuple[str, float]]:
        """The ``k`` nearest items with cosine at least ``floor``, nearest first (ties: earliest indexed)."""
        if not self._key_of or k <= 0:
            return []
        vec = np.ascontiguousarray(vector, dtype=np.float32).reshape(1, -1)
        sims, keys = self._index.search(vec, min(k, len(self._key_of)))
        hits = [(float(s), int(key)) for s, key in zip(sims[0], keys[0], strict=True) if key >= 0 and s >= floor]
        hits.sort(key=lambda h: (-h[0], h[1]))
        return [(self._item_of[key], s) for s, key in hits]
