"""An on-disk cache of embeddings keyed by (encoder cache key: model and numeric path, kind, text hash), in sqlite."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from khabar.vectors.embed import Encoder

SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
  model TEXT NOT NULL,
  kind TEXT NOT NULL,
  hash BLOB NOT NULL,
  vec BLOB NOT NULL,
  PRIMARY KEY (model, kind, hash)
) WITHOUT ROWID
"""
_CHUNK = 500  # sqlite host-parameter budget per query


def default_path() -> Path:
    """`$KHABAR_CACHE/embeddings.sqlite`, else `~/.cache/khabar/embeddings.sqlite`."""
    base = os.environ.get("KHABAR_CACHE")
    root = Path(base).expanduser() if base else Path.home() / ".cache" / "khabar"
    return root / "embeddings.sqlite"


def text_hash(text: str) -> bytes:
    """A 16-byte blake2b digest of the UTF-8 text."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class EmbeddingCache:
    """A sqlite store of float32 vectors; safe to share between threads of one process."""

    _default: dict[Path, EmbeddingCache] = {}

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute(SCHEMA)
        self._conn.commit()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @classmethod
    def default(cls) -> EmbeddingCache:
        """The process-wide cache at `default_path()` (re-read each call so $KHABAR_CACHE is honoured)."""
        path = default_path()
        if path not in cls._default:
            cls._default[path] = cls(path)
        return cls._default[path]

    def get(self, model: str, kind: str, texts: Sequence[str], dim: int) -> list[np.ndarray | None]:
        """Look up each text; a missing one is None."""
        hashes = [text_hash(t) for t in texts]
        found: dict[bytes, bytes] = {}
        with self._lock:
            for i in range(0, len(hashes), _CHUNK):
                part = list(set(hashes[i:i + _CHUNK]))
                marks = ",".join("?" * len(part))
                rows = self._conn.execute(
                    f"SELECT hash, vec FROM embeddings WHERE model=? AND kind=? AND hash IN ({marks})",
                    [model, kind, *part],
                ).fetchall()
                found.update(rows)
        out: list[np.ndarray | None] = []
        for h in hashes:
            blob = found.get(h)
            vec = np.frombuffer(blob, dtype=np.float32) if blob is not None else None
            out.append(vec if vec is not None and vec.shape[0] == dim else None)
        return out

    def put(self, model: str, kind: str, texts: Sequence[str], vecs: np.ndarray) -> None:
        """Store one vector per text (replacing any old one)."""
        rows = [(model, kind, text_hash(t), np.ascontiguousarray(v, dtype=np.float32).tobytes())
                for t, v in zip(texts, vecs, strict=True)]
        with self._lock:
            self._conn.executemany("INSERT OR REPLACE INTO embeddings VALUES (?,?,?,?)", rows)
            self._conn.commit()

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0])

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()
        EmbeddingCache._default.pop(self.path, None)

    def encode_with(
        self, encoder: Encoder, texts: Sequence[str], *, kind: str = "passage", batch_size: int = 32,
        show_progress: bool = False,
    ) -> np.ndarray:
        """Embed `texts` with `encoder`, computing (and storing) only the ones not cached yet."""
        texts = list(texts)
        out = np.empty((len(texts), encoder.dim), dtype=np.float32)
        cached = self.get(encoder.cache_key or encoder.name, kind, texts, encoder.dim)
        todo: dict[str, list[int]] = {}
        for i, (t, v) in enumerate(zip(texts, cached, strict=True)):
            if v is None:
                todo.setdefault(t, []).append(i)
            else:
                out[i] = v
        self.hits += len(texts) - sum(len(ix) for ix in todo.values())
        self.misses += len(todo)
        if todo:
            new = list(todo)
            vecs = encoder.encode(new, kind=kind, batch_size=batch_size, show_progress=show_progress)
            for t, v in zip(new, vecs, strict=True):
                out[todo[t]] = v
            self.put(encoder.cache_key or encoder.name, kind, new, vecs)
        return out


class CachedEncoder(Encoder):
    """Wrap an encoder so every `encode` goes through an `EmbeddingCache`."""

    def __init__(self, encoder: Encoder, cache: EmbeddingCache | None = None) -> None:
        self.encoder = encoder
        self.cache = cache if cache is not None else EmbeddingCache.default()
        self.name = encoder.name
        self.cache_key = encoder.cache_key
        self.dim = encoder.dim

    def _encode_all(self, texts: list[str], *, kind: str, batch_size: int, show_progress: bool) -> np.ndarray:
        """Embed `texts`, reading cached vectors and storing new ones."""
        return self.cache.encode_with(self.encoder, texts, kind=kind, batch_size=batch_size,
                                      show_progress=show_progress)
