"""Lexical vectors: TF-IDF over normalised light stems and over character n-grams, hashed to a fixed width.

The IDF of each hashed bucket is fitted on a corpus (the SemEval training texts) and shipped as a numpy array,
so a single pair is weighted as in a collection without any state but two small arrays.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse

from khabar.lang.normalize import normalize

N_FEATURES = 1 << 18
CHAR_RANGE = (3, 5)
_WORD = re.compile(r"\w+", re.UNICODE)
_ARABIC = re.compile(r"[\u0600-\u06ff]")
# short function words of the three training languages and English: they carry no story
_STOP = (
    """في من على الى إلى عن ان أن إن هذا هذه ذلك التي الذي الذين كان كانت قد لا ما مع او أو بين بعد قبل عند كل
    وقد وفي ومن وان وأن وكان ثم حيث الا إلا لم لن هو هي هم انه أنه انها أنها
    ve bir bu da de ile için olarak olan gibi daha en çok ama veya ki ne mi o şu her ya
    le la les de des du un une et en à au aux dans pour par sur que qui est sont a été ce cette ses son sa il elle
    the of and to in a is that for on with as was by at from be it an are this"""
)
STOPWORDS = frozenset(normalize(w) for w in _STOP.split())
_AR_PREFIXES = ("وبال", "وال", "بال", "كال", "فال", "لل", "ال", "و", "ب", "ل", "ف")
_AR_SUFFIXES = ("هما", "كما", "ات", "ان", "ين", "ون", "ها", "هم", "نا", "كم", "ية", "يه", "ه", "ي")


def _light_stem_ar(word: str) -> str:
    """Strip one clitic prefix and one suffix from a normalised Arabic word, keeping at least three letters."""
    for p in _AR_PREFIXES:
        if word.startswith(p) and len(word) - len(p) >= 3:
            word = word[len(p):]
            break
    for s in _AR_SUFFIXES:
        if word.endswith(s) and len(word) - len(s) >= 3:
            word = word[: -len(s)]
            break
    return word


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    """A light stem of one normalised word: Arabic clitics off, Latin words cut to five letters (Turkish, French)."""
    if _ARABIC.search(word):
        return _light_stem_ar(word)
    return word[:5] if len(word) > 5 else word


def _fallback_terms(text: str, lang: str | None = None) -> list[str]:
    """Normalised light stems of the content words of ``text``."""
    return [_stem(w) for w in _WORD.findall(normalize(text)) if w not in STOPWORDS and not w.isdigit()]


def terms(text: str, lang: str | None = None) -> list[str]:
    """Matching terms of ``text``: normalised light stems, stopwords and bare numbers left out."""
    try:
        from khabar.lang.tokens import terms as clitic_terms
    except ImportError:  # the analysis layer's tokenizer is optional here
        return _fallback_terms(text, lang)
    return [t if _ARABIC.search(t) else t[:5] for t in clitic_terms(text, lang)
            if t not in STOPWORDS and not t.isdigit()]


def char_grams(text: str, lo: int = CHAR_RANGE[0], hi: int = CHAR_RANGE[1]) -> list[str]:
    """Character n-grams (within words, padded by a space) of the normalised text."""
    out: list[str] = []
    for w in _WORD.findall(normalize(text)):
        if w in STOPWORDS:
            continue
        w = f" {w} "
        for n in range(lo, hi + 1):
            out.extend(w[i:i + n] for i in range(0, max(1, len(w) - n + 1)))
    return out


def _bucket(token: str, space: str) -> int:
    """A stable hash bucket (Python's str hash is salted per process; crc32 is not)."""
    return zlib.crc32((space + token).encode("utf-8")) % N_FEATURES


@lru_cache(maxsize=500_000)
def _bucket_w(token: str) -> int:
    return _bucket(token, "w")


@lru_cache(maxsize=2_000_000)
def _bucket_c(token: str) -> int:
    return _bucket(token, "c")


def counts(tokens: Iterable[str], space: str) -> Counter[int]:
    """Term counts by hash bucket; ``space`` is "w" (words) or "c" (character n-grams)."""
    fn = _bucket_w if space == "w" else _bucket_c
    return Counter(fn(t) for t in tokens)


def doc_counts(text: str) -> tuple[Counter[int], Counter[int]]:
    """Bucket counts of the words and of the character n-grams of ``text``."""
    return counts(terms(text), "w"), counts(char_grams(text), "c")


class LexicalModel:
    """Hashed TF-IDF (sublinear tf, smoothed idf, L2 rows) for words and character n-grams."""

    def __init__(self, idf_w: np.ndarray | None = None, idf_c: np.ndarray | None = None) -> None:
        self.idf_w = idf_w if idf_w is not None else np.ones(N_FEATURES, dtype=np.float32)
        self.idf_c = idf_c if idf_c is not None else np.ones(N_FEATURES, dtype=np.float32)

    def fit(self, texts: Iterable[str]) -> LexicalModel:
        """Fit the two IDF arrays on a corpus of texts."""
        df_w = np.zeros(N_FEATURES, dtype=np.float64)
        df_c = np.zeros(N_FEATURES, dtype=np.float64)
        n = 0
        for text in texts:
            w, c = doc_counts(text)
            df_w[list(w)] += 1
            df_c[list(c)] += 1
            n += 1
        self.idf_w = (np.log((1 + n) / (1 + df_w)) + 1).astype(np.float32)
        self.idf_c = (np.log((1 + n) / (1 + df_c)) + 1).astype(np.float32)
        return self

    def vector(self, bag: Counter[int], space: str) -> sparse.csr_matrix:
        """An L2-normalised TF-IDF row from bucket counts."""
        idf = self.idf_w if space == "w" else self.idf_c
        if not bag:
            return sparse.csr_matrix((1, N_FEATURES), dtype=np.float32)
        idx = np.fromiter(bag.keys(), dtype=np.int64, count=len(bag))
        tf = np.fromiter(bag.values(), dtype=np.float32, count=len(bag))
        val = (1 + np.log(tf)) * idf[idx]
        val /= max(float(np.linalg.norm(val)), 1e-12)
        order = np.argsort(idx)
        return sparse.csr_matrix((val[order], idx[order], [0, len(idx)]), shape=(1, N_FEATURES))

    def vectors(self, text: str) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """The word and character TF-IDF rows of ``text``."""
        w, c = doc_counts(text)
        return self.vector(w, "w"), self.vector(c, "c")

    def save(self, path: str | Path) -> None:
        """Store the IDF arrays (float16) in one .npz file."""
        np.savez_compressed(path, idf_w=self.idf_w.astype(np.float16), idf_c=self.idf_c.astype(np.float16))

    @classmethod
    def load(cls, path: str | Path) -> LexicalModel:
        """Load IDF arrays written by ``save``."""
        with np.load(path, allow_pickle=False) as z:
            return cls(z["idf_w"].astype(np.float32), z["idf_c"].astype(np.float32))


def cosine(a: sparse.csr_matrix, b: sparse.csr_matrix) -> float:
    """Cosine of two L2-normalised sparse rows."""
    return float(a.multiply(b).sum())
