"""Token features for the Arabic NER tagger: form, clitics, light stem, affixes, shape, context, lexicons."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from khabar.lang.normalize import normalize

# Proclitics, longest first: conjunction + preposition + article combinations of Arabic orthography.
_PROCLITICS = (
    "وبال", "وكال", "فبال", "وللا", "ولل", "فلل", "وال", "فال", "بال", "كال", "لل", "ال",
    "وب", "ول", "وك", "فب", "فل", "و", "ف", "ب", "ل", "ك", "س",
)
_ENCLITICS = ("هما", "كما", "ها", "هم", "هن", "كم", "كن", "نا", "ه", "ك", "ي")
_SUFFIXES = ("يين", "يون", "يه", "ات", "ون", "ين", "ان", "يا", "ي", "ه")

_ARABIC = re.compile(r"[\u0621-\u064a\u066e-\u06d3]")
_LATIN = re.compile(r"[a-z]")
_DIGIT = re.compile(r"[0-9]")


class Gazetteer:
    """Phrases (normalised, space-joined) and their entity types, matched longest-first over a sentence."""

    def __init__(self, entries: dict[str, str] | None = None, max_len: int = 4):
        self.entries = entries or {}
        self.max_len = max_len

    @classmethod
    def load(cls, path: Path) -> Gazetteer:
        """Read 'phrase<TAB>TYPE' lines; an absent file gives an empty gazetteer."""
        entries: dict[str, str] = {}
        if path.is_file():
            with open(path, encoding="utf-8") as f:
                for line in f:
                    phrase, _, kind = line.rstrip("\n").partition("\t")
                    if phrase and kind:
                        entries[phrase] = kind
        return cls(entries)

    def save(self, path: Path) -> None:
        """Write 'phrase<TAB>TYPE' lines, sorted."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            for phrase in sorted(self.entries):
                f.write(f"{phrase}\t{self.entries[phrase]}\n")

    def tags(self, norms: Sequence[str], variants: Sequence[Sequence[str]]) -> list[str]:
        """A BIO gazetteer tag per token ('' outside); the first token of a match may shed a proclitic."""
        out = [""] * len(norms)
        if not self.entries:
            return out
        i, n = 0, len(norms)
        while i < n:
            hit = 0
            for length in range(min(self.max_len, n - i), 0, -1):
                tail = " ".join(norms[i + 1 : i + length])
                for first in variants[i]:
                    kind = self.entries.get(f"{first} {tail}" if tail else first)
                    if kind:
                        out[i] = "B-" + kind
                        for j in range(i + 1, i + length):
                            out[j] = "I-" + kind
                        hit = length
                        break
                if hit:
                    break
            i += hit or 1
        return out


def split_proclitic(word: str) -> tuple[str, str]:
    """``(proclitic, rest)`` of a normalised word: the longest known proclitic leaving at least 3 letters."""
    for p in _PROCLITICS:
        if word.startswith(p) and len(word) - len(p) >= 3:
            return p, word[len(p):]
    return "", word


def light_stem(word: str) -> str:
    """A light stem of a normalised word: proclitics, then one enclitic or plural/nisba suffix removed."""
    _, rest = split_proclitic(word)
    for s in _SUFFIXES + _ENCLITICS:
        if rest.endswith(s) and len(rest) - len(s) >= 3:
            return rest[: -len(s)]
    return rest


def word_shape(word: str) -> str:
    """A coarse shape class: arabic, latin, digit, mixed or punct, with a length bucket."""
    if _ARABIC.search(word):
        kind = "ar" if not _DIGIT.search(word) else "ar9"
    elif _LATIN.search(word):
        kind = "lat" if not _DIGIT.search(word) else "lat9"
    elif _DIGIT.search(word):
        kind = "num"
    else:
        return "punct"
    n = len(word)
    return f"{kind}{'s' if n <= 2 else 'm' if n <= 5 else 'l'}"


def _split_clitics(token: str) -> tuple[str, str, str]:
    """``khabar.lang.tokens.split_clitics`` (corpus-informed cuts), or this module's proclitic cut without it."""
    try:
        from khabar.lang.tokens import split_clitics
    except ImportError:
        pro, rest = split_proclitic(normalize(token))
        return pro, rest, ""
    return split_clitics(token)


class FeatureExtractor:
    """Feature strings of every token of a sentence; features of a word type are built once and cached."""

    def __init__(self, clusters: dict[str, tuple[str, ...]] | None = None, gazetteer: Gazetteer | None = None,
                 *, ngrams: bool = True, wide: int = 0, cluster_bigrams: bool = False,
                 core_clusters: dict[str, tuple[str, ...]] | None = None, core_context: Sequence[int] = ()):
        self.clusters = clusters or {}
        self.gazetteer = gazetteer or Gazetteer()
        self.ngrams = ngrams  # 3- and 4-letter prefix and suffix of the clitic-free core (helps unseen names)
        self.wide = wide  # bag of the words 3..wide tokens away (0: none)
        self.cluster_bigrams = cluster_bigrams  # cluster ids of the word paired with its neighbours'
        self.core_clusters = core_clusters or {}  # clusters of clitic-split cores (khabar.extract.ner_vectors)
        self.core_context = tuple(core_context)  # core-cluster levels given for the words at -2, -1, +1, +2
        self._cache: dict[str, tuple] = {}

    def _cluster_feats(self, norm: str, *backoff: str) -> list[str]:
        return self._cluster_feats_ids(norm, *backoff)[0]

    def _cluster_feats_ids(self, norm: str, *backoff: str) -> tuple[list[str], tuple[str, ...]]:
        """Cluster features of a word and its cluster ids ('' for none)."""
        c = self.clusters.get(norm)
        if c is not None:
            return [f"c{i}={v}" for i, v in enumerate(c)], c
        for form in backoff:  # an unseen form: the clusters of its clitic-free core or stem
            c = self.clusters.get(form)
            if c is not None:
                return [f"cs{i}={v}" for i, v in enumerate(c)], c
        return ["c=none"], ("none", "none", "none")

    def _type_features(self, token: str) -> tuple:
        """Features of a word type at position 0, its (shorter) context features at -2, -1, +1, +2, its normalised
        form, the forms a gazetteer may match, its cluster ids, its core's cluster ids and its normalised
        ``(form, proclitic, core, enclitic)``."""
        hit = self._cache.get(token)
        if hit is not None:
            return hit
        norm = normalize(token) or token
        pro, rest = split_proclitic(norm)
        stem = light_stem(norm)
        shape = word_shape(norm)
        pro2, core, enc = _split_clitics(token)
        core = normalize(core) or core
        npro, nenc = normalize(pro2), normalize(enc)
        clus, cids = self._cluster_feats_ids(norm, normalize(pro2[-2:] + core) if pro2.endswith("ال") else core,
                                             rest, stem)
        kids = self.core_clusters.get(core) if self.core_clusters else None
        local = [
            "b",
            f"w={norm}",
            f"r={rest}",
            f"st={stem}",
            f"pc={pro}",
            f"p2={norm[:2]}",
            f"p3={norm[:3]}",
            f"s2={norm[-2:]}",
            f"s3={norm[-3:]}",
            f"rs2={rest[-2:]}",
            f"sh={shape}",
            f"cc={core}",
            f"cp={npro}|{nenc}",
            *clus,
        ]
        if self.ngrams:
            local += [f"cp3={core[:3]}", f"cp4={core[:4]}", f"cs3={core[-3:]}", f"cs4={core[-4:]}"]
        if token != norm:
            local.append(f"raw={token}")
        ctx_base = [f"w={norm}", f"st={stem}", f"sh={shape}", *clus[:2]]
        if self.core_clusters:
            kids = kids or ("none",) * len(next(iter(self.core_clusters.values())))
            local += [f"k{i}={v}" for i, v in enumerate(kids)]
            ctx_base += [f"k{i}={kids[i]}" for i in self.core_context if i < len(kids)]
        ctx = [[f"{off}{f}" for f in ctx_base] for off in ("-2:", "-1:", "+1:", "+2:")]
        variants = (norm, rest, "ال" + rest) if pro.endswith("ال") else (norm, rest) if pro else (norm,)
        result = (local, ctx, norm, variants, cids, kids or (), (norm, npro, core, nenc))
        if len(self._cache) < 500_000:
            self._cache[token] = result
        return result

    def sentence(self, tokens: Sequence[str]) -> list[list[str]]:
        """The feature list of each token of one sentence."""
        types, extras, _ = self.sentence_parts(tokens)
        n = len(tokens)
        out: list[list[str]] = []
        for i in range(n):
            feats = list(types[i][0])
            for off, slot in ((-2, 0), (-1, 1), (1, 2), (2, 3)):
                if 0 <= i + off < n:
                    feats.extend(types[i + off][1][slot])
            feats.extend(extras[i])
            out.append(feats)
        return out

    def sentence_parts(self, tokens: Sequence[str]) -> tuple[list[tuple], list[list[str]], list[str]]:
        """``(types, extras, gazetteer tags)`` of a sentence: a token's features are its type's own (``types[i][0]``),
        the context features of its neighbours' types (``types[i + off][1][slot]`` for offsets -2, -1, +1, +2 in
        slots 0..3), and ``extras[i]``, the features that pair it with its neighbours or depend on the sentence."""
        types = [self._type_features(t) for t in tokens]
        n = len(tokens)
        gaz = self.gazetteer.tags([t[2] for t in types], [t[3] for t in types])
        out: list[list[str]] = []
        for i in range(n):
            local = types[i][0]
            feats: list[str] = []
            if gaz[i]:
                feats.append("g=" + gaz[i])
            if i >= 1 and gaz[i - 1]:
                feats.append("-1:g=" + gaz[i - 1])
            if i + 1 < n and gaz[i + 1]:
                feats.append("+1:g=" + gaz[i + 1])
            if i >= 1:
                feats.append(f"bg-={local[1][2:]}|{types[i - 1][0][1][2:]}")
            else:
                feats.append("BOS")
            if i + 1 < n:
                feats.append(f"bg+={local[1][2:]}|{types[i + 1][0][1][2:]}")
            else:
                feats.append("EOS")
            for j in range(max(0, i - self.wide), min(n, i + self.wide + 1)):
                if abs(j - i) > 2:
                    feats.append("win=" + types[j][2])
            if self.cluster_bigrams:
                c, k = types[i][4], types[i][5]
                if i >= 1:
                    feats.append(f"cb-={types[i - 1][4][1]}|{c[1]}")
                    if k:
                        feats.append(f"kb-={types[i - 1][5][1]}|{k[1]}")
                if i + 1 < n:
                    feats.append(f"cb+={c[1]}|{types[i + 1][4][1]}")
                    if k:
                        feats.append(f"kb+={k[1]}|{types[i + 1][5][1]}")
                if 1 <= i < n - 1:
                    feats.append(f"cb3={types[i - 1][4][0]}|{c[0]}|{types[i + 1][4][0]}")
            out.append(feats)
        return types, out, gaz


# --- word clusters from unlabelled text ------------------------------------------------------------------

_WORD = re.compile(r"[\w\u064b-\u065f\u0670\u0640]+|[^\w\s]")


def build_clusters(
    texts: Iterable[str],
    *,
    vocab_size: int = 80_000,
    context_size: int = 4_000,
    dims: int = 96,
    ks: Sequence[int] = (64, 256, 1024),
    min_count: int = 3,
    seed: int = 0,
) -> dict[str, tuple[str, ...]]:
    """Word -> k-means cluster ids (one per k in ``ks``) of PPMI-SVD context vectors of normalised words.

    Contexts are the ``context_size`` commonest words at offsets -2, -1, +1, +2; deterministic given ``seed``.
    """
    import numpy as np
    from sklearn.cluster import MiniBatchKMeans

    from khabar.extract.ner_vectors import context_vectors

    ids: dict[str, int] = {}
    stream: list[int] = []
    for text in texts:
        for tok in _WORD.findall(text):
            norm = normalize(tok) or tok
            i = ids.get(norm)
            if i is None:
                i = ids[norm] = len(ids)
            stream.append(i)
        stream.append(-1)  # document boundary
    seq = np.asarray(stream, dtype=np.int64)
    order, u, s = context_vectors(seq, len(ids), vocab_size=vocab_size, context_size=context_size, dims=dims,
                                  min_count=min_count, seed=seed)
    vec = u * np.sqrt(s)
    vec /= np.linalg.norm(vec, axis=1, keepdims=True) + 1e-9
    labels = []
    for k in ks:
        km = MiniBatchKMeans(n_clusters=k, random_state=seed, batch_size=4096, n_init=3)
        labels.append(km.fit_predict(vec))
    words = [None] * len(ids)
    for w, i in ids.items():
        words[i] = w
    return {words[i]: tuple(str(lab[j]) for lab in labels) for j, i in enumerate(order)}


def save_clusters(clusters: dict[str, tuple[str, ...]], path: Path) -> None:
    """Write 'word<TAB>id1<TAB>id2...' lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for w, c in clusters.items():
            f.write(w + "\t" + "\t".join(c) + "\n")
