"""Sentence alignment between articles: which sentences say the same thing, and which details one adds.

Similarity of two sentences is the cosine of their IDF-weighted stem vectors (background document frequencies
shipped in khabar/resources/idf/, rebuilt by ``python -m khabar.resources.build_idf``), optionally blended
with embedding cosines. Pairs are matched one-to-one, best first, so a sentence that restates one fact twice
does not swallow a neighbour's new detail.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from khabar.lang.normalize import normalize_digits
from khabar.lang.tokens import terms

_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")


@lru_cache(maxsize=1)
def background_df() -> tuple[dict[str, int], int]:
    """Background document frequencies (term -> df) and the number of documents they were counted on."""
    path = resources.files("khabar.resources") / "idf" / "df.tsv"
    if not path.is_file():
        return {}, 1
    df: dict[str, int] = {}
    n_docs = 1
    with path.open(encoding="utf-8") as f:
        for line in f:
            term, _, count = line.rstrip("\n").partition("\t")
            if term == "#docs":
                n_docs = int(count)
            elif count:
                df[term] = int(count)
    return df, n_docs


def idf(term: str) -> float:
    """Smoothed inverse document frequency; unseen terms count as rare."""
    df, n = background_df()
    return math.log((n + 1) / (df.get(term, 0) + 1)) + 1.0


def sentence_vector(text: str, lang: str | None = None, local_df: Counter | None = None,
                    local_n: int = 0) -> dict[str, float]:
    """The L2-normalised IDF-weighted term vector of a sentence.

    With ``local_df`` (term -> number of sentences of the story holding it, out of ``local_n``) a term that runs
    through the whole story, such as the place it happens, weighs less: it is the topic, not a fact.
    """
    counts = Counter(terms(text, lang))
    vec = {t: c * idf(t) for t, c in counts.items()}
    if local_df is not None and local_n:
        vec = {t: w * math.log((local_n + 1) / (local_df.get(t, 0) + 1)) for t, w in vec.items()}
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {t: v / norm for t, v in vec.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def similarity_matrix(a: list[str], b: list[str], lang_a: str | None = None, lang_b: str | None = None,
                      emb_a: np.ndarray | None = None, emb_b: np.ndarray | None = None,
                      embed_floor: float = 0.82, embed_weight: float = 0.4) -> np.ndarray:
    """Sentence-by-sentence similarity in [0, 1]: lexical, blended with embeddings when given."""
    local_df: Counter = Counter()
    for s, lang in [(s, lang_a) for s in a] + [(s, lang_b) for s in b]:
        local_df.update(set(terms(s, lang)))
    n = len(a) + len(b)
    va = [sentence_vector(s, lang_a, local_df, n) for s in a]
    vb = [sentence_vector(s, lang_b, local_df, n) for s in b]
    sim = np.array([[cosine(x, y) for y in vb] for x in va], dtype=np.float32).reshape(len(a), len(b))
    if emb_a is not None and emb_b is not None and len(a) and len(b):
        sem = np.clip((emb_a @ emb_b.T - embed_floor) / (1 - embed_floor), 0, 1)
        sim = (1 - embed_weight) * sim + embed_weight * sem
    return sim


@dataclass(slots=True)
class AlignedPair:
    """Sentence ``i`` of one article matched to sentence ``j`` of another, with their similarity."""

    i: int
    j: int
    score: float


def align(sim: np.ndarray, threshold: float = 0.35) -> list[AlignedPair]:
    """One-to-one matching, best pairs first, of all pairs at or above ``threshold``."""
    pairs: list[AlignedPair] = []
    if sim.size == 0:
        return pairs
    used_i: set[int] = set()
    used_j: set[int] = set()
    order = np.argsort(-sim, axis=None, kind="stable")
    for flat in order:
        i, j = divmod(int(flat), sim.shape[1])
        score = float(sim[i, j])
        if score < threshold:
            break
        if i in used_i or j in used_j:
            continue
        used_i.add(i)
        used_j.add(j)
        pairs.append(AlignedPair(i, j, score))
    return sorted(pairs, key=lambda p: (p.i, p.j))


def numbers(text: str) -> list[str]:
    """The numbers written in a text (Arabic-Indic digits folded)."""
    return _NUMBER.findall(normalize_digits(text))


_WORD = re.compile(r"[\w\u0600-\u06FF:.,/-]+")


def novel_details(sentence: str, other_text: str, lang: str | None = None, min_idf: float = 4.0) -> list[str]:
    """Numbers and rare words of ``sentence`` (as written) that appear nowhere in ``other_text``: what it adds."""
    other_terms = set(terms(other_text, lang))
    other_numbers = set(numbers(other_text))
    out: list[str] = []
    for word in _WORD.findall(sentence):
        word = word.strip(":.,/-")
        if not word or word in out:
            continue
        nums = numbers(word)
        if nums:
            if any(n not in other_numbers for n in nums):
                out.append(word)
            continue
        stems = terms(word, lang)
        if stems and all(t not in other_terms and len(t) > 2 and idf(t) >= min_idf for t in stems):
            out.append(word)
    return out
