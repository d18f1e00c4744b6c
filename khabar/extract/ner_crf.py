"""A crfsuite model's weights in numpy: per-token label scores and Viterbi decoding that can add other scores.

pycrfsuite decodes only its own scores; reading the weights out lets the tagger add a neural tagger's
log-probabilities (``khabar.extract.ner_neural``) to the CRF's state scores before decoding.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np


def _cache_path(model: Path) -> Path | None:
    """Where the numpy copy of a model's weights is kept: ``$KHABAR_CACHE`` or ``~/.cache/khabar``, by content."""
    import hashlib
    import os

    try:
        digest = hashlib.sha1(model.read_bytes()).hexdigest()[:16]
    except OSError:
        return None
    root = Path(os.environ.get("KHABAR_CACHE") or Path.home() / ".cache" / "khabar").expanduser()
    return root / "ner" / f"{model.stem}-{digest}.npz"


class CrfWeights:
    """State weights (attribute x label) and transition weights (label x label) of a first-order crfsuite CRF."""

    def __init__(self, labels: list[str], attrs: dict[str, int], state: np.ndarray, trans: np.ndarray):
        self.labels = labels
        self.attrs = attrs
        self.state = state  # (n_attrs + 1, n_labels); the last row is zeros (unknown attributes)
        self.trans = trans  # trans[i, j]: score of label j following label i
        self._types: dict[str, np.ndarray] = {}

    @classmethod
    def load(cls, path: Path) -> CrfWeights:
        """The weights of a .crfsuite model, from a numpy copy in the cache when one was written for its bytes."""
        cached = _cache_path(path)
        if cached is not None and cached.is_file():
            try:
                with np.load(cached, allow_pickle=False) as z:
                    attrs = {a: i for i, a in enumerate(str(z["attrs"]).split("\n"))} if str(z["attrs"]) else {}
                    return cls([str(x) for x in z["labels"]], attrs, z["state"], z["trans"])
            except (OSError, ValueError, KeyError):
                pass  # a damaged copy: read the model again and rewrite it
        weights = cls.read(path)
        if cached is not None:
            weights.save(cached)
        return weights

    def save(self, path: Path) -> None:
        """Write the weights as an npz (atomically; a cache that cannot be written is skipped)."""
        if any("\n" in a for a in self.attrs):
            return  # attribute names are stored newline-joined
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npz")
            np.savez(tmp, labels=np.array(self.labels), attrs=np.array("\n".join(self.attrs)),
                     state=self.state, trans=self.trans)
            tmp.replace(path)
        except OSError:
            pass

    @classmethod
    def read(cls, path: Path) -> CrfWeights:
        """Read the weights of a .crfsuite model (through pycrfsuite's dump, about a second)."""
        import pycrfsuite

        tagger = pycrfsuite.Tagger()
        tagger.open(str(path))
        info = tagger.info()
        tagger.close()
        labels = [lab for lab, _ in sorted(info.labels.items(), key=lambda x: int(x[1]))]
        index = {lab: i for i, lab in enumerate(labels)}
        attrs: dict[str, int] = {}
        rows, cols, vals = [], [], []
        for (attr, lab), w in info.state_features.items():
            a = attrs.setdefault(attr, len(attrs))
            rows.append(a)
            cols.append(index[lab])
            vals.append(w)
        state = np.zeros((len(attrs) + 1, len(labels)), dtype=np.float32)
        state[rows, cols] = vals
        trans = np.zeros((len(labels), len(labels)), dtype=np.float32)
        for (a, b), w in info.transitions.items():
            trans[index[a], index[b]] = w
        return cls(labels, attrs, state, trans)

    def scores(self, feats: Sequence[Sequence[str]]) -> np.ndarray:
        """State scores ``(n_tokens, n_labels)`` of a sentence's feature lists."""
        unknown = len(self.attrs)
        get = self.attrs.get
        idx: list[int] = []
        starts: list[int] = []
        for f in feats:
            starts.append(len(idx))
            idx.extend([get(a, unknown) for a in f] or [unknown])
        return np.add.reduceat(self.state[idx], starts, axis=0)

    def sentence_scores(self, tokens: Sequence[str], types: Sequence[tuple], extras: Sequence[Sequence[str]],
                        ) -> np.ndarray:
        """State scores of a sentence from ``FeatureExtractor.sentence_parts``: what depends on a token type alone
        (its own features, the context features it lends its neighbours) is scored once per type and cached."""
        rows = []
        for tok, t in zip(tokens, types, strict=True):
            r = self._types.get(tok)
            if r is None:
                r = self.scores([t[0], *t[1]])  # own, then lent to the tokens at +2, +1, -1, -2 from it
                if len(self._types) < 500_000:
                    self._types[tok] = r
            rows.append(r)
        by_type = np.stack(rows)  # (n, 5, L)
        out = by_type[:, 0] + self.scores(extras)
        for slot, off in ((1, 2), (2, 1), (3, -1), (4, -2)):
            if off > 0:
                out[off:] += by_type[:-off, slot]
            else:
                out[:off] += by_type[-off:, slot]
        return out


def viterbi(scores: np.ndarray, trans: np.ndarray) -> list[int]:
    """The best label sequence of state ``scores`` (n, L) and transition scores ``trans`` (L, L)."""
    n = len(scores)
    if n == 0:
        return []
    back = np.zeros((n, scores.shape[1]), dtype=np.int64)
    best = scores[0].copy()
    for t in range(1, n):
        cand = best[:, None] + trans
        back[t] = cand.argmax(axis=0)
        best = cand[back[t], np.arange(len(best))] + scores[t]
    path = [int(best.argmax())]
    for t in range(n - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]
