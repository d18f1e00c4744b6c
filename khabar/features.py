"""Pair features for compare: what two articles share, as numbers a model can learn the seven scores from."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import numpy as np
from scipy import sparse

from khabar.lang.normalize import normalize, normalize_digits
from khabar.vectors.lexical import LexicalModel, cosine, terms

LEAD_CHARS = 400
HEAD_CHARS = 1000
TAIL_CHARS = 600

_MOJIBAKE = re.compile(r"[ÃÂØÙÐÑ][\x80-\xbf\u0152-\u0178\u2018-\u203a]|\ufffd")


def repair(text: str) -> str:
    """Undo UTF-8 read as cp1252/latin-1 (``Ã©`` for ``é``) when that is what happened; else the text as is."""
    if len(_MOJIBAKE.findall(text[:2000])) < 3:
        return text
    # a scrape often loses the byte after "Ã" when it was a no-break space (à): put it back first
    raw = text.replace("Ã ", "à ").replace("Â ", " ")
    for codec in ("cp1252", "latin-1"):
        try:
            fixed = raw.encode(codec, errors="strict").decode("utf-8", errors="replace")
        except UnicodeError:
            continue
        if len(_MOJIBAKE.findall(fixed[:2000])) < len(_MOJIBAKE.findall(text[:2000])):
            return fixed
    return text


def is_garbled(text: str | None) -> bool:
    """True when a body is missing, too short to say anything, or mojibake (a failed scrape)."""
    if not text or len(text.strip()) < 40:
        return True
    sample = repair(text[:2000])
    bad = len(_MOJIBAKE.findall(sample))
    letters = sum(1 for c in sample if unicodedata.category(c).startswith("L"))
    return bad * 50 > max(1, len(sample)) or letters < 0.3 * len(sample)


def _cut(text: str, n: int, *, from_end: bool = False) -> str:
    """At most ``n`` characters of ``text``, cut at a space so no word is split."""
    if len(text) <= n:
        return text
    if from_end:
        part = text[-n:]
        i = part.find(" ")
        return part[i + 1:] if 0 <= i < 40 else part
    part = text[:n]
    i = part.rfind(" ")
    return part[:i] if i > n - 40 else part


def body_of(text: str | None) -> str:
    """The body as one spaced line, or '' when it is garbled."""
    if is_garbled(text):
        return ""
    return " ".join(repair(text or "").split())


_FIRST = re.compile(r"[^.!?؟\n]{20,}?[.!?؟\n]")


def title_of(title: str | None, text: str | None) -> str:
    """The title, or, for an article read without one, its first sentence (at most 200 characters)."""
    title = " ".join((title or "").split())
    if title:
        return title
    body = body_of(text)
    m = _FIRST.match(repair(text or "").strip()) if body else None
    return _cut(" ".join(m.group(0).split()) if m else body, 200)


HEAD_SENTS, TAIL_SENTS, SENT_CHARS = 16, 4, 300


def body_sentences(body: str, lang: str | None = None) -> list[str]:
    """The body's sentences of three words or more, each cut to ``SENT_CHARS``: the first 16 and the last 4."""
    from khabar.lang.segment import split_sentences

    if not body:
        return []
    sents = [" ".join(s.text.split()) for s in split_sentences(body, lang=lang)]
    sents = [_cut(s, SENT_CHARS) for s in sents if len(s.split()) >= 3]
    if len(sents) > HEAD_SENTS + TAIL_SENTS:
        sents = sents[:HEAD_SENTS] + sents[-TAIL_SENTS:]
    return sents


def views(title: str | None, text: str | None) -> dict[str, str]:
    """The texts embedded for an article: title, lead, and body (head and tail of a long one, HFL's trick)."""
    title = title_of(title, text)
    body = body_of(text)
    if len(body) > HEAD_CHARS + TAIL_CHARS:
        full = _cut(body, HEAD_CHARS) + " … " + _cut(body, TAIL_CHARS, from_end=True)
    else:
        full = body
    return {"title": title, "lead": _cut(body, LEAD_CHARS), "body": full}


_DIGITS = re.compile(r"\d{2,}")
_CAPS = re.compile(r"\b[A-ZÇĞİÖŞÜÂÉÈÊÎÔ][\wçğıöşüâéèêîôàù'’-]{2,}")
_URL_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
EMBED_VIEWS = ("title", "lead", "body")
SENTS = "sents"  # the view of body sentences, embedded one by one (matched sentence to sentence)
VIEW_KINDS = (*EMBED_VIEWS, SENTS)
UNRELATED_COSINE = 0.75  # e5 cosine of unrelated texts: what a missing view counts as
# views embedded with e5's "query: " prefix, which its authors advise for symmetric tasks on short texts: titles
# (ar-ar title cosine against gold Overall -0.58 with it, -0.52 as passages; tr -0.54 against -0.40); leads, bodies
# and sentences correlate as well or better as passages
QUERY_VIEWS = ("title",)


@dataclass(slots=True)
class Profile:
    """What one article contributes to a pair's features; computed once per article."""

    title: str
    body: str
    lang: str | None
    views: dict[str, str]
    sentences: list[str]
    lex: dict[str, tuple[sparse.csr_matrix, sparse.csr_matrix]]
    shingles: frozenset[str]
    numbers: frozenset[str]
    caps: frozenset[str]
    url_words: frozenset[str]
    domain: str
    keywords: frozenset[int] = frozenset()
    sets: dict[str, frozenset[str]] = field(default_factory=dict)  # entity keys by kind, days, months
    emb: dict[str, np.ndarray | None] = field(default_factory=dict)
    sent_emb: np.ndarray | None = None  # (sentences, dim) when the "sents" view is embedded
    sent_lex: sparse.csr_matrix | None = None  # character TF-IDF rows of the sentences


def _shingles(tokens: list[str], k: int = 3) -> frozenset[str]:
    """Word k-shingles of a token list (the whole list when shorter)."""
    if len(tokens) < k:
        return frozenset([" ".join(tokens)]) if tokens else frozenset()
    return frozenset(" ".join(tokens[i:i + k]) for i in range(len(tokens) - k + 1))


def _url_parts(url: str | None) -> tuple[str, frozenset[str]]:
    """The host (without www.) and the slug words of a URL."""
    if not url:
        return "", frozenset()
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.")
    return host, frozenset(normalize(w) for w in _URL_WORD.findall(unquote(parts.path)))


def profile(title: str | None, text: str | None, *, lang: str | None = None, url: str | None = None,
            lexical: LexicalModel | None = None, sets: dict[str, list[str]] | None = None) -> Profile:
    """The article's views, TF-IDF rows, shingles, numbers, proper-noun candidates and URL words."""
    lexical = lexical or LexicalModel()
    title = title_of(title, text)
    body = body_of(text)
    v = views(title, text)
    lex = {"title": lexical.vectors(title), "lead": lexical.vectors(v["lead"]),
           "all": lexical.vectors(title + " " + body)}
    domain, url_words = _url_parts(url)
    raw = title + " " + body
    sents = body_sentences(body, lang)
    return Profile(
        title=title, body=body, lang=lang, views=v, sentences=sents, lex=lex,
        shingles=_shingles(terms(body)),
        numbers=frozenset(_DIGITS.findall(normalize_digits(raw))),
        caps=frozenset(normalize(m) for m in _CAPS.findall(raw)),
        url_words=url_words, domain=domain, keywords=_top(lex["all"][0], 12),
        sent_lex=sparse.vstack([lexical.vectors(s)[1] for s in sents]).tocsr() if sents else None,
        sets={k: frozenset(v) for k, v in (sets or {}).items()},
    )


def _top(row: sparse.csr_matrix, k: int) -> frozenset[int]:
    """The ``k`` heaviest buckets of a TF-IDF row: the article's keywords."""
    if row.nnz <= k:
        return frozenset(int(i) for i in row.indices)
    top = np.argpartition(-row.data, k)[:k]
    return frozenset(int(i) for i in row.indices[top])


ViewSpec = dict[str, tuple[str, ...]]  # language (or "*" for any other) -> the views embedded


def parse_views(spec: str) -> ViewSpec:
    """``"title;ar=title,lead,body"`` → {"*": ("title",), "ar": ("title", "lead", "body")}."""
    out: ViewSpec = {"*": EMBED_VIEWS}
    for part in filter(None, (s.strip() for s in spec.split(";"))):
        lang, _, names = part.rpartition("=")
        kinds = tuple(n for n in names.split(",") if n)
        if not set(kinds) <= set(VIEW_KINDS):
            raise ValueError(f"views must be among {','.join(VIEW_KINDS)}: {part!r}")
        out[lang or "*"] = kinds
    return out


def format_views(views: ViewSpec) -> str:
    """The inverse of ``parse_views``."""
    return ";".join((f"{k}=" if k != "*" else "") + ",".join(v) for k, v in sorted(views.items(), key=lambda x: x[0] != "*"))


def embed_profiles(profiles: list[Profile], encode: Callable[..., np.ndarray],
                   kinds: ViewSpec | tuple[str, ...] = EMBED_VIEWS, query: tuple[str, ...] = ()) -> None:
    """Fill ``emb`` of each profile: one vector a non-empty view it is given (by language), in one batch a kind.

    The views named in ``query`` are embedded with ``encode(texts, kind="query")`` (e5's "query: " prefix), the
    rest as passages with ``encode(texts)``.
    """
    spec = kinds if isinstance(kinds, dict) else {"*": tuple(kinds)}

    def of(p: Profile) -> tuple[str, ...]:
        return spec.get(p.lang or "", spec.get("*", EMBED_VIEWS))

    texts = {p.views[k] for p in profiles for k in of(p) if k not in query and k != SENTS and p.views[k]}
    texts |= {s for p in profiles if SENTS in of(p) for s in p.sentences}
    ordered = sorted(texts)
    vecs = dict(zip(ordered, encode(ordered), strict=True)) if ordered else {}
    qtexts = sorted({p.views[k] for p in profiles for k in of(p) if k in query and p.views[k]})
    qvecs = dict(zip(qtexts, encode(qtexts, kind="query"), strict=True)) if qtexts else {}
    for p in profiles:
        p.emb = {k: (qvecs if k in query else vecs).get(p.views[k]) for k in of(p) if k != SENTS}
        p.sent_emb = np.stack([vecs[s] for s in p.sentences]) if SENTS in of(p) and p.sentences else None


def jaccard(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    """|a ∩ b| / |a ∪ b|, 0 when both are empty."""
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def containment(a: frozenset[str], b: frozenset[str]) -> float:
    """The larger share of one set found in the other (a copy inside a longer article scores 1)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _ecos(a: np.ndarray | None, b: np.ndarray | None) -> float:
    """Cosine of two unit vectors, or NaN when one is missing."""
    if a is None or b is None:
        return float("nan")
    return float(np.dot(a, b))


CROSS_FEATURES = ("w_title_lead", "w_cross_mean", "e_title_lead", "kw25_j", "kw12_shared", "num_c", "num_shared",
                  "caps_shared")
SENT_FEATURES = ("s_bma", "s_max", "s_mean", "s_close", "s_doc", "s_lead", "s_title_x", "l_bma", "l_max")
FEATURES = (
    "w_all", "c_all", "w_title", "c_title", "w_lead", "c_lead", "w_cross", "c_cross",
    "shingle_j", "shingle_c", "num_j", "caps_j", "url_j", "same_domain",
    "e_title", "e_lead", "e_body", "e_cross", "e_max",
    "len_min", "len_ratio", "no_body", "same_lang", "kw_j",
    "places_j", "people_j", "orgs_j", "ents_j", "ents_shared", "days_j", "months_j",
    *CROSS_FEATURES, *SENT_FEATURES, "lang_ar", "lang_tr",
)
# both articles Arabic: the pairs whose lead, body and sentences are embedded (see compare.TRAINED_VIEWS); the
# regressors' spline member fits these pairs curves of their own
GATE = "lang_ar"
SET_KINDS = ("places", "people", "organisations", "days", "months")


def pair_features(a: Profile, b: Profile) -> np.ndarray:
    """The pair's feature row, in the order of ``FEATURES``; a missing body falls back on the title."""
    def cos(x: str, y: str, i: int) -> float:
        return cosine(a.lex[x][i], b.lex[y][i])

    no_body = float(not a.body) + float(not b.body)
    w_title, c_title = cos("title", "title", 0), cos("title", "title", 1)
    w_all, c_all = cos("all", "all", 0), cos("all", "all", 1)
    w_lead, c_lead = cos("lead", "lead", 0), cos("lead", "lead", 1)
    w_cross = max(cos("title", "all", 0), cos("all", "title", 0))
    c_cross = max(cos("title", "all", 1), cos("all", "title", 1))
    if no_body:
        w_lead, c_lead = w_title, c_title
    e_title = _ecos(a.emb.get("title"), b.emb.get("title"))
    e_lead = _ecos(a.emb.get("lead"), b.emb.get("lead"))
    e_body = _ecos(a.emb.get("body"), b.emb.get("body"))
    crosses = [c for c in (_ecos(a.emb.get("title"), b.emb.get("body")), _ecos(a.emb.get("body"), b.emb.get("title")),
                           e_title) if c == c]
    e_cross = max(crosses) if crosses else float("nan")
    e_title = e_title if e_title == e_title else UNRELATED_COSINE
    e_lead = e_lead if e_lead == e_lead else e_title
    e_body = e_body if e_body == e_body else e_title
    e_cross = e_cross if e_cross == e_cross else e_title
    la, lb = len(a.body) + len(a.title), len(b.body) + len(b.title)
    return np.array([
        w_all, c_all, w_title, c_title, w_lead, c_lead, w_cross, c_cross,
        jaccard(a.shingles, b.shingles), containment(a.shingles, b.shingles),
        jaccard(a.numbers, b.numbers), jaccard(a.caps, b.caps), jaccard(a.url_words, b.url_words),
        float(bool(a.domain) and a.domain == b.domain),
        e_title, e_lead, e_body, e_cross, max(e_title, e_lead, e_body),
        np.log1p(min(la, lb)), np.log1p(min(la, lb)) - np.log1p(max(la, lb)), no_body,
        float(a.lang == b.lang) if a.lang and b.lang else 1.0,
        jaccard(a.keywords, b.keywords),
        *_set_features(a, b),
        *_cross_features(a, b, e_title), *sentence_features(a, b, e_body, c_lead),
        float(a.lang == b.lang == "ar"), float(a.lang == b.lang == "tr"),
    ], dtype=np.float32)


def _cross_features(a: Profile, b: Profile, e_title: float) -> list[float]:
    """One article's title against the other's lead, both cross directions averaged, keyword and number overlaps."""
    def cos(x: str, y: str) -> float:
        return cosine(a.lex[x][0], b.lex[y][0])

    tl = [_ecos(a.emb.get("title"), b.emb.get("lead")), _ecos(a.emb.get("lead"), b.emb.get("title"))]
    tl = [c for c in tl if c == c]
    shared_numbers = len(a.numbers & b.numbers)
    return [max(cos("title", "lead"), cos("lead", "title")), (cos("title", "all") + cos("all", "title")) / 2,
            max(tl, default=e_title), jaccard(_top(a.lex["all"][0], 25), _top(b.lex["all"][0], 25)),
            len(a.keywords & b.keywords) / 12, shared_numbers / max(1, min(len(a.numbers), len(b.numbers))),
            float(np.log1p(shared_numbers)), float(np.log1p(len(a.caps & b.caps)))]


def _match(sims: np.ndarray) -> tuple[float, float, float, float]:
    """Best-match average both ways, the best pair, the mean, and the share of sentences with a close match."""
    row, col = sims.max(axis=1), sims.max(axis=0)
    return (float((row.mean() + col.mean()) / 2), float(sims.max()), float(sims.mean()),
            float(((row >= 0.9).mean() + (col >= 0.9).mean()) / 2))


def sentence_features(a: Profile, b: Profile, fallback: float, lexical_fallback: float) -> list[float]:
    """Sentence-to-sentence matches (embedding and character TF-IDF): what two articles say alike, line by line."""
    if a.sent_emb is not None and b.sent_emb is not None:
        bma, best, mean, close = _match(a.sent_emb @ b.sent_emb.T)
        da, db = a.sent_emb.mean(axis=0), b.sent_emb.mean(axis=0)
        doc = float(da @ db / max(float(np.linalg.norm(da) * np.linalg.norm(db)), 1e-12))
        lead = float(a.sent_emb[0] @ b.sent_emb[0])
        ta, tb = a.emb.get("title"), b.emb.get("title")
        crosses = [float((b.sent_emb @ ta).max())] if ta is not None else []
        crosses += [float((a.sent_emb @ tb).max())] if tb is not None else []
        tx = max(crosses, default=fallback)
    else:
        bma = best = mean = doc = lead = tx = fallback
        close = 0.0
    if a.sent_lex is not None and b.sent_lex is not None:
        lbma, lbest, _, _ = _match((a.sent_lex @ b.sent_lex.T).toarray())
    else:
        lbma = lbest = lexical_fallback
    return [bma, best, mean, close, doc, lead, tx, lbma, lbest]


OVERLAPS = ("w_all", "c_lead", "w_title", "shingle_c", "num_j", "caps_j", "kw_j", "ents_j", "days_j")
UNRELATED_MAX_COSINE = 0.82


def no_common_ground(x: np.ndarray) -> bool:
    """The features show nothing shared: no words, n-grams, numbers or entities, and embeddings at chance level."""
    f = dict(zip(FEATURES, x, strict=True))
    return all(f[k] < 0.02 for k in OVERLAPS) and f["e_max"] < UNRELATED_MAX_COSINE


def _set_features(a: Profile, b: Profile) -> list[float]:
    """Overlaps of entity keys (places, people, organisations, all) and of the days and months mentioned."""
    def s(p: Profile, k: str) -> frozenset[str]:
        return p.sets.get(k, frozenset())

    ea = s(a, "places") | s(a, "people") | s(a, "organisations")
    eb = s(b, "places") | s(b, "people") | s(b, "organisations")
    return [jaccard(s(a, "places"), s(b, "places")), jaccard(s(a, "people"), s(b, "people")),
            jaccard(s(a, "organisations"), s(b, "organisations")), jaccard(ea, eb), float(np.log1p(len(ea & eb))),
            jaccard(s(a, "days"), s(b, "days")), jaccard(s(a, "months"), s(b, "months"))]


def identical(a: Profile, b: Profile) -> bool:
    """The two say exactly the same thing: same normalised title and body (not merely the same id)."""
    if not (a.title or a.body):
        return False
    return normalize(a.title) == normalize(b.title) and normalize(a.body) == normalize(b.body)


ENTITY_KINDS = {"LOC": "places", "GPE": "places", "PERS": "people", "PER": "people", "ORG": "organisations"}


def entity_sets(article: Any) -> dict[str, list[str]]:
    """Keys of the places, people and organisations, and the days and months mentioned, of an analysed article."""
    out: dict[str, set[str]] = {"places": set(), "people": set(), "organisations": set(), "days": set(),
                                "months": set()}
    for m in article.entities:
        kind = ENTITY_KINDS.get(m.kind.upper())
        if kind:
            out[kind].add(m.key)
    for d in article.dates:
        if d.granularity == "day":
            out["days"].add(d.date.isoformat())
        out["months"].add(d.date.isoformat()[:7])
    return {k: sorted(v) for k, v in out.items()}


def analysed_sets(title: str | None, text: str | None, lang: str | None = None) -> dict[str, list[str]]:
    """``entity_sets`` of an article given as title and text (analysed here; empty sets when analysis fails)."""
    from khabar.analyze import analyze
    from khabar.article import Article

    try:
        return entity_sets(analyze(Article(text=body_of(text) and repair(text or ""), title=title or "", lang=lang)))
    except Exception:  # analysis is best effort here: a pair is still compared on everything else
        return entity_sets(Article(text=""))
