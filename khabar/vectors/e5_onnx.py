"""onnxruntime kernels (attention, GELU) for the numpy e5 forward pass; the matrix products stay in BLAS."""

from __future__ import annotations

import numpy as np


def available() -> bool:
    """True when onnxruntime and onnx are importable."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def _session(graph, threads: int = 1):
    """An onnxruntime CPU session for a one-graph model built in memory (nothing read from disk)."""
    from onnx import helper

    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18),
                                                    helper.make_opsetid("com.microsoft", 1)])
    return session(model.SerializeToString(), threads)


def session(model: bytes, threads: int = 1, disabled: tuple[str, ...] = ()):
    """An onnxruntime CPU session for a serialised model, sequential on ``threads`` threads, quiet."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3
    return ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"], disabled_optimizers=list(disabled))


class OrtKernels:
    """Softmax attention (com.microsoft MultiHeadAttention) and bias + erf GELU (BiasGelu) as ORT sessions.

    Each session runs on one thread; callers parallelise over batches (ORT releases the GIL in run()).
    """

    def __init__(self, hidden: int, heads: int, ffn: int) -> None:
        from onnx import TensorProto as T
        from onnx import helper as h

        self.hidden, self.heads = hidden, heads
        attn = h.make_graph(
            [h.make_node("Split", ["qkv"], ["q", "k", "v"], axis=2, num_outputs=3),
             h.make_node("MultiHeadAttention", ["q", "k", "v", "", "mask"], ["ctx"], domain="com.microsoft",
                         num_heads=heads, scale=1.0)],  # queries come pre-scaled by 1/sqrt(head dim)
            "e5_attention",
            [h.make_tensor_value_info("qkv", T.FLOAT, ["B", "L", 3 * hidden]),
             h.make_tensor_value_info("mask", T.INT32, ["B", "L"])],
            [h.make_tensor_value_info("ctx", T.FLOAT, ["B", "L", hidden])])
        gelu = h.make_graph(
            [h.make_node("BiasGelu", ["x", "b"], ["y"], domain="com.microsoft")],
            "e5_gelu",
            [h.make_tensor_value_info("x", T.FLOAT, ["M", ffn]), h.make_tensor_value_info("b", T.FLOAT, [ffn])],
            [h.make_tensor_value_info("y", T.FLOAT, ["M", ffn])])
        self._attn = _session(attn)
        self._gelu = _session(gelu)

    def attention(self, qkv: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """(B, L, 3 * hidden) packed q|k|v and a (B, L) int32 key mask (1 = token) -> (B, L, hidden) context."""
        return self._attn.run(None, {"qkv": qkv, "mask": mask})[0]

    def bias_gelu(self, x: np.ndarray, bias: np.ndarray) -> np.ndarray:
        """Exact-erf GELU of x + bias for a (M, ffn) float32 array (a new array)."""
        return self._gelu.run(None, {"x": x, "b": bias})[0]
