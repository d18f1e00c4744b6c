"""Arabic named entities (PERS, LOC, ORG, MISC): a CRF over token features plus a small neural tagger (run in
numpy) whose log-probabilities join the CRF's state scores, both trained on ANERcorp and shipped.

``NerTagger().tag(text)`` gives ``Mention``s with character offsets; ``NerModel.load().tag_tokens(tokens)``
gives BIO tags for tokenised sentences. ``khabar train ner`` (``khabar.extract.ner_train``) rebuilds
``khabar/resources/ner/``.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from khabar.article import Mention
from khabar.extract.entities import EntityTagger, entity_key
from khabar.extract.ner_crf import CrfWeights, viterbi
from khabar.extract.ner_features import FeatureExtractor, Gazetteer, split_proclitic
from khabar.extract.ner_vectors import load_clusters
from khabar.lang.normalize import normalize

if TYPE_CHECKING:
    import numpy as np

RESOURCES = Path(__file__).resolve().parents[1] / "resources" / "ner"
DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "anercorp" / "train.txt"
MODEL_FULL = "anercorp-full.crfsuite"  # trained on all of the shared train split: what NerTagger uses
MODEL_HELDOUT = "anercorp-heldout.crfsuite"  # trained without the dev block: what `khabar eval ner` scores
META = "meta.json"
KINDS = ("PERS", "LOC", "ORG", "MISC")
# Sentences either side whose names a sentence borrows when text has no document boundaries (ANERcorp);
# tuned on a slice of the training block held out from the model (the last sixth of it), never on the dev block.
WINDOW = 15
# FeatureExtractor options of newly trained models (kept in meta.json)
FEATURES = {"ngrams": True, "wide": 0, "cluster_bigrams": True, "core_context": [1, 2, 3]}
CORE_CLUSTERS = "core_clusters.tsv"  # clusters of clitic-split cores (khabar.extract.ner_vectors)
# The neural tagger added to the CRF (khabar.extract.ner_neural): epochs, the weight of its log-probabilities
# beside the CRF's state scores, and its core vectors (the commonest ``cores``, first ``dims`` SVD dimensions).
# Chosen on a slice of the training block held out from both models (its last sixth), never on the dev block.
NEURAL = {"epochs": 20, "weight": 1.0, "dims": 64, "cores": 60_000}

Sentence = list[tuple[str, str]]


class ConllError(ValueError):
    """A CoNLL file that cannot be read, with the file and line named."""


def read_conll(path: str | Path, *, tags: bool = True) -> list[Sentence]:
    """Sentences of ``(token, tag)`` from a file: one token a line, tag in the last column, blank line between.

    With ``tags=False`` the tag column is optional and ignored (tags come back as "O").
    """
    sentences: list[Sentence] = []
    current: Sentence = []
    with open(path, encoding="utf-8-sig") as f:
        for lineno, line in enumerate(f, 1):
            parts = line.split()
            if not parts:
                if current:
                    sentences.append(current)
                    current = []
                continue
            if tags:
                if len(parts) < 2:
                    raise ConllError(f"{path}:{lineno}: expected 'token tag', got {line.strip()!r}")
                tag = parts[-1]
                if tag != "O" and (tag[:2] not in ("B-", "I-") or not tag[2:]):
                    raise ConllError(f"{path}:{lineno}: bad tag {tag!r} (want O, B-TYPE or I-TYPE)")
                current.append((parts[0], tag))
            else:
                current.append((parts[0], "O"))
    if current:
        sentences.append(current)
    return sentences


def write_conll(sentences: Iterable[tuple[Sequence[str], Sequence[str]]], out) -> None:
    """Write ``(tokens, tags)`` sentences as 'token tag' lines with a blank line after each sentence."""
    for tokens, tags in sentences:
        for tok, tag in zip(tokens, tags, strict=True):
            out.write(f"{tok} {tag}\n")
        out.write("\n")


def dev_split(sentences: Sequence[Sentence], dev_fraction: float = 1 / 6) -> tuple[list[Sentence], list[Sentence]]:
    """``(train, dev)``: dev is the contiguous final block of sentences holding the last ``dev_fraction`` of tokens.

    The corpus is sequential news text, so a random split would leak the same stories' entities into dev.
    """
    total = sum(len(s) for s in sentences)
    limit = total * (1 - dev_fraction)
    seen = 0
    for i, s in enumerate(sentences):
        if seen >= limit:
            return list(sentences[:i]), list(sentences[i:])
        seen += len(s)
    return list(sentences), []


# --- the model -------------------------------------------------------------------------------------------


def make_extractor(resources: Path = RESOURCES, features: dict | None = None) -> FeatureExtractor:
    """The feature extractor with the word clusters, lexicons and feature options the models there were built with."""
    if features is None:
        meta = resources / META
        features = json.loads(meta.read_text(encoding="utf-8")).get("features", {}) if meta.is_file() else {}
        features = {"ngrams": False, **features}  # models from before the n-gram features recorded none
    clusters = load_clusters(resources / "clusters.tsv")
    core = load_clusters(resources / CORE_CLUSTERS) if features.get("core_context") is not None else None
    return FeatureExtractor(clusters, Gazetteer.load(resources / "gazetteer.tsv"), core_clusters=core, **features)


def neural_path(model_path: Path) -> Path:
    """The neural tagger beside a CRF model: ``anercorp-full.crfsuite`` -> ``anercorp-full.nn.npz``."""
    return model_path.with_name(model_path.name.removesuffix(".crfsuite") + ".nn.npz")


class NerModel:
    """A trained CRF (and the neural tagger beside it, when there is one) with its feature extractor: BIO tags.

    With a neural tagger, each token's label scores are the CRF's state scores plus ``weight`` times the neural
    tagger's log-probabilities, decoded with the CRF's transitions; without one, crfsuite decodes alone.
    """

    def __init__(self, model_path: Path, extractor: FeatureExtractor, *, neural: bool = True):
        import pycrfsuite

        self.path = model_path
        self.extractor = extractor
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(model_path))
        self._lock = threading.Lock()
        self.neural = None
        self.weight = 0.0
        nn_path = neural_path(model_path)
        meta = model_path.parent / META
        if neural and nn_path.is_file() and meta.is_file():
            from khabar.extract.ner_neural import NeuralModel

            self.weight = float(json.loads(meta.read_text(encoding="utf-8")).get("neural", {}).get("weight", 1.0))
            self.neural = NeuralModel.load(nn_path, extractor.gazetteer)
            self._crf = CrfWeights.load(model_path)
            if self._crf.labels != self.neural.labels:
                raise ValueError(f"{nn_path}: labels differ from {model_path.name}'s")

    @classmethod
    def load(cls, name: str = MODEL_FULL, resources: Path = RESOURCES) -> NerModel:
        """Open a shipped model (``MODEL_FULL`` or ``MODEL_HELDOUT``) from ``resources``."""
        path = resources / name
        if not path.is_file():
            raise FileNotFoundError(f"{path}: NER model missing; rebuild it with `khabar train ner`")
        return cls(path, make_extractor(resources))

    def tag_tokens(self, tokens: Sequence[str]) -> list[str]:
        """BIO tags of one tokenised sentence."""
        if not tokens:
            return []
        if self.neural is not None:
            return self.decode(self.label_scores(tokens))
        feats = self.extractor.sentence(tokens)
        with self._lock:  # a crfsuite Tagger is not thread-safe
            tags = self._tagger.tag(feats)
        return repair_bio(tags)

    @property
    def labels(self) -> list[str]:
        """The BIO labels, in the order of ``label_scores``' columns."""
        return self._crf.labels if self.neural is not None else list(self._tagger.labels())

    def label_scores(self, tokens: Sequence[str]) -> np.ndarray:
        """The (n_tokens, n_labels) scores a model with a neural tagger decodes: the CRF's state scores plus
        ``weight`` times the neural tagger's log-probabilities."""
        if self.neural is None:
            raise ValueError(f"{self.path.name}: label scores need the neural tagger beside the CRF")
        types, extras, gaz = self.extractor.sentence_parts(tokens)
        scores = self._crf.sentence_scores(tokens, types, extras)
        scores += self.weight * self.neural.log_probs(tokens, gaz, [t[6] for t in types])
        return scores

    def decode(self, scores: np.ndarray) -> list[str]:
        """BIO tags of label scores (``label_scores``, or other scores added to them), with the CRF's transitions."""
        labels = self._crf.labels
        return repair_bio([labels[i] for i in viterbi(scores, self._crf.trans)])

    def tag_sentences(self, sentences: Iterable[Sequence[str]]) -> Iterator[list[str]]:
        """BIO tags of each tokenised sentence."""
        for tokens in sentences:
            yield self.tag_tokens(tokens)

    def tag_document(self, sentences: Sequence[Sequence[str]], window: int = WINDOW) -> list[list[str]]:
        """BIO tags of running text's sentences, each borrowing the names found ``window`` sentences either side."""
        tags = [self.tag_tokens(tokens) for tokens in sentences]
        propagate_window(sentences, tags, window)
        return tags


def repair_bio(tags: Sequence[str]) -> list[str]:
    """Tags with every I- that does not continue a span of its type turned into B-."""
    out = list(tags)
    prev = "O"
    for i, t in enumerate(out):
        if t.startswith("I-") and prev[2:] != t[2:]:
            out[i] = "B-" + t[2:]
        prev = out[i]
    return out


_MODELS: dict[tuple[str, str], NerModel] = {}
_MODELS_LOCK = threading.Lock()


def shipped_model(name: str = MODEL_FULL, resources: Path = RESOURCES) -> NerModel:
    """The shipped model, loaded once per process."""
    key = (name, str(resources))
    with _MODELS_LOCK:
        if key not in _MODELS:
            _MODELS[key] = NerModel.load(name, resources)
        return _MODELS[key]


# --- raw text --------------------------------------------------------------------------------------------

# Words (letters, digits, Arabic marks and tatweel, inner hyphen/apostrophe-free) or single punctuation marks.
_TOKEN = re.compile(r"[\w\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]+|[^\w\s]")
_SENT_END = {".", "!", "?", "؟", "\n"}


def tokenize(text: str) -> list[list[tuple[str, int, int]]]:
    """Sentences of ``(token, start, end)`` as ANERcorp tokenises them: punctuation apart, clitics attached."""
    sentences: list[list[tuple[str, int, int]]] = []
    current: list[tuple[str, int, int]] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        if "\n" in text[pos : m.start()] and current:
            sentences.append(current)
            current = []
        tok = m.group()
        current.append((tok, m.start(), m.end()))
        pos = m.end()
        if tok in _SENT_END and len(current) > 1:
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return sentences


def spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """``(first, last + 1, type)`` token spans of BIO tags, CoNLL style (an I- after another type opens a span)."""
    out: list[tuple[int, int, str]] = []
    start, kind = -1, ""
    for i, t in enumerate([*tags, "O"]):
        inside = t.startswith("I-") and kind == t[2:] and start >= 0
        if inside:
            continue
        if start >= 0:
            out.append((start, i, kind))
            start, kind = -1, ""
        if t != "O" and i < len(tags):
            start, kind = i, t[2:]
    return out


@dataclass
class NerTagger:
    """The EntityTagger of the shipped NER model: ``tag(text, lang=, title=)`` -> mentions with offsets and keys."""

    model_name: str = MODEL_FULL
    resources: Path = RESOURCES

    @property
    def model(self) -> NerModel:
        """The model, loaded on first use and shared by every tagger of the process."""
        return shipped_model(self.model_name, self.resources)

    def tag(self, text: str, *, lang: str | None = None, title: str | None = None) -> list[Mention]:
        """Named entities of ``text`` (and of ``title`` when given, offsets -1) in order of appearance."""
        if lang is not None and lang not in ("ar", "ara", "arb"):
            return []
        mentions = self._tag_text(text, lang)
        if title:
            heads = self._tag_text(title, lang)
            for m in heads:
                m.start = m.end = -1
            mentions = heads + mentions
        return mentions

    def _tag_text(self, text: str, lang: str | None) -> list[Mention]:
        sents = tokenize(text)
        tokens = [[t for t, _, _ in sent] for sent in sents]
        with _one_blas_thread():  # a sentence's products are small: a second BLAS thread doubles CPU, not speed
            tags = [self.model.tag_tokens(toks) for toks in tokens]
        names = propagate(tokens, tags)
        out: list[Mention] = []
        for sent, toks, tg in zip(sents, tokens, tags, strict=True):
            for a, b, kind in spans(tg):
                start, end = sent[a][1], sent[b - 1][2]
                start += _clitic_length(toks[a], self.resources, names)
                surface = text[start:end]
                out.append(Mention(surface, kind, entity_key(surface, kind, lang or "ar"), start, end, source="ner"))
        return out


@functools.cache
def _blas_controller():
    """The threadpoolctl controller (it comes with scikit-learn), made once: making one scans the loaded libraries."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _one_blas_thread():
    """A context in which BLAS runs on one thread."""
    return _blas_controller().limit(limits=1, user_api="blas")


def combined_tagger() -> EntityTagger:
    """The rule tagger of ``khabar.extract.entities`` and the model merged: longer spans first, the rules on ties.

    The rules add what ANERcorp's annotation leaves out or cuts short (people after titles, organisations after
    cue words such as «وكالة», «مجموعة»); the model adds names with no title or gazetteer entry.
    """
    from khabar.extract.entities import CombinedTagger, RuleTagger

    return CombinedTagger([RuleTagger(), NerTagger()])


_CONJ_PREP = ("و", "ف", "ب", "ل")
# Words recur across sentences and articles: their matching forms are kept (propagation normalises every word
# of every sentence once per window, which was a sixth of tagging time)
_word_norm = functools.lru_cache(maxsize=1 << 18)(normalize)


def propagate(tokens: Sequence[Sequence[str]], tags: list[list[str]]) -> set[str]:
    """Tag (in place) untagged repeats of names the model found elsewhere in the same document; its name words.

    A person's full name also lends its last word: «فلاديمير بوتين» then «وبوتين». A repeat may carry a
    conjunction or preposition (و ف ب ل) on its first word.
    """
    known = known_names(tokens, tags)
    for toks, tg in zip(tokens, tags, strict=True):
        _apply_names(toks, tg, known)
    return {w for k in known for w in k}


def propagate_window(tokens: Sequence[Sequence[str]], tags: list[list[str]], window: int) -> None:
    """Tag (in place) untagged repeats of names found within ``window`` sentences either side of each sentence.

    For text without document boundaries (ANERcorp): each sentence borrows the model's names of its neighbours.
    """
    per = [known_names([toks], [tg]) for toks, tg in zip(tokens, tags, strict=True)]
    n = len(tokens)
    for i in range(n):
        known: dict[tuple[str, ...], str] = {}
        for j in sorted(range(max(0, i - window), min(n, i + window + 1)), key=lambda j: abs(j - i)):
            for k, v in per[j].items():
                known.setdefault(k, v)
        _apply_names(tokens[i], tags[i], known)


def known_names(tokens: Sequence[Sequence[str]], tags: Sequence[Sequence[str]]) -> dict[tuple[str, ...], str]:
    """Normalised word tuples of the tagged names (first word without a clitic) and their types."""
    known: dict[tuple[str, ...], str] = {}
    for toks, tg in zip(tokens, tags, strict=True):
        for a, b, kind in spans(tg):
            words = [_word_norm(t) for t in toks[a:b]]
            cut = _clitic_length(toks[a])
            if cut:
                words[0] = words[0][cut:]
            if b - a == 1 and len(words[0]) < 3:
                continue
            known.setdefault(tuple(words), kind)
            if kind == "PERS" and b - a >= 2 and len(words[-1]) >= 4:
                known.setdefault((words[-1],), "PERS")
    return known


def _apply_names(toks: Sequence[str], tg: list[str], known: dict[tuple[str, ...], str]) -> None:
    """Tag (in place) the untagged longest repeats of ``known`` names in one sentence."""
    if not known:
        return
    longest = max(map(len, known))
    norms = [_word_norm(t) for t in toks]
    n, i = len(toks), 0
    while i < n:
        hit = 0
        if tg[i] == "O":
            first = [norms[i]]
            if norms[i][:1] in _CONJ_PREP and len(norms[i]) >= 5:
                first.append(norms[i][1:])
            for length in range(min(longest, n - i), 0, -1):
                if any(t != "O" for t in tg[i : i + length]):
                    continue
                rest = tuple(norms[i + 1 : i + length])
                kind = next((known[k] for f in first if (k := (f, *rest)) in known), None)
                if kind:
                    tg[i : i + length] = ["B-" + kind] + ["I-" + kind] * (length - 1)
                    hit = length
                    break
        i += hit or 1


_ENTITY_WORDS: dict[Path, set[str]] = {}


def _entity_words(resources: Path = RESOURCES) -> set[str]:
    """Normalised words seen inside entities (training data and gazetteer): tells a clitic from a name's letter."""
    words = _ENTITY_WORDS.get(resources)
    if words is None:
        path = resources / "entity_words.txt"
        words = set(path.read_text(encoding="utf-8").split()) if path.is_file() else set()
        for phrase, kind in Gazetteer.load(resources / "gazetteer.tsv").entries.items():
            if kind in KINDS:
                words.update(phrase.split())
        _ENTITY_WORDS[resources] = words
    return words


def _clitic_length(token: str, resources: Path = RESOURCES, names: set[str] | frozenset[str] = frozenset()) -> int:
    """How many leading characters of an entity's first token are a conjunction or preposition (و ف ب ل ك)."""
    norm = _word_norm(token)
    if len(norm) != len(token) or len(norm) < 5:
        return 0  # with diacritics the offsets would drift; short words are rarely prefixed names
    pro, rest = split_proclitic(norm)
    if len(pro) <= 2 and not rest.startswith("ال"):
        # ANERcorp tags «وروسيا» whole: cut a clitic where the rest is a known name (a bare ك never: كورونا)
        known = _entity_words(resources)
        for p in ("وب", "ول", "فب", "فل", "و", "ف", "ب", "ل"):
            cut = norm[len(p):]
            if norm.startswith(p) and len(cut) >= 3 and (cut in known or cut in names):
                return len(p)
        return 0
    if pro in ("وال", "فال", "بال", "كال", "وبال", "فبال", "وكال"):
        return len(pro) - 2  # keep the article: الكرملين from والكرملين
    if pro in ("لل", "ولل", "فلل"):
        return 0  # لل swallowed the article's alef: the surface cannot be cut cleanly
    return 0
