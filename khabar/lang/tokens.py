"""Tokens, Arabic clitics and light stems: the terms that TF-IDF, MinHash and indexes are built on.

``split_clitics`` cuts a word into proclitics (و ف ب ك ل س and the article ال), core and pronoun suffix; where
a cut is doubtful («بوتين» is not ب + وتين) it asks word counts of Arabic news (``khabar.lang.vocab``) whether the
core stands as a word of its own. ``stem`` adds a light suffix strip (Light10-like) and folds the result to the
matching form; ``terms`` memoises it per surface token.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import Any

from khabar.lang.normalize import normalize, strip_marks
from khabar.lang.vocab import word_counts

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")
_ARABIC_WORD = re.compile("[\u0621-\u064a\u066e-\u06d3\u06fa-\u06ff]+")
_LATIN = re.compile("[A-Za-z\u00c0-\u024f]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")

# (prefix, has article), tried longest first; ل + ال is written لل.
_PROCLITICS: list[tuple[str, bool]] = sorted(
    [(c + p, art) for c in ("", "و", "ف") for p, art in (
        ("ال", True), ("بال", True), ("كال", True), ("لل", True),
        ("ب", False), ("ك", False), ("ل", False), ("س", False),
    )] + [("و", False), ("ف", False)],
    key=lambda x: -len(x[0]),
)
# What may follow a cut proclitic: after و/ف a preposition, the article or س; after ب/ك/ل the article.
_FOLLOWERS: dict[str, tuple[tuple[str, bool], ...]] = {
    c: tuple(x for x in _PROCLITICS if x[0][0] not in "وف") for c in ("و", "ف")
} | {p: (("ال", True),) for c in ("", "و", "ف") for p in (c + "ب", c + "ك", c + "ل")}
_SUFFIXES = ("هما", "كما", "هم", "هن", "كم", "كن", "ها", "نا", "ني", "ه", "ك", "ي")
# Third person and «نا» are common in news; «ك», «ي», «ني», «كم»… (you, me) need stronger evidence («فرنك»).
_THIRD_PERSON = frozenset(("هما", "هم", "هن", "ها", "ه", "نا"))
_MULTI_SUFFIXES = frozenset(("هما", "كما", "هم", "هن", "كم", "كن", "ها"))
_FUTURE_NEXT = "يتنأا"  # س marks the future only before an imperfect prefix

# Words that only look cliticised (normalised form): no proclitic is cut from them…
NOT_PREFIXED = frozenset(
    normalize(w) for w in """الله الذي التي الذين اللذين اللتين اللاتي اللواتي اللذان اللتان الا إلا إلى الى
    الآن الان ألف الف ألمانيا ألماني ألمانية ألمان ألبانيا ألاسكا ألكسندر ألبرت ألفريد إلياس إليسا والد والدة ولد بلد بلاد فلسطين كتاب كلام لبنان ليبيا بريطانيا فرنسا فنزويلا بولندا
    بلجيكا بلغاريا كندا كوريا كوبا سوريا سويسرا بنك بيان بيت لجنة فيلم فريق فكرة كلية بوتين باريس برلين لندن
    كابل بغداد بيروت بكين فيصل فاسد فارس فرنك فائدة ولاية وزير وزارة وكالة وفد وقت وضع وسط فيروس فقط كان كانت لكن لكي لقد""".split()
)
# … and no pronoun suffix from these.
NOT_SUFFIXED = frozenset(
    normalize(w) for w in """الله هناك هنالك ذلك تلك كذلك لذلك أولئك اولئك هنا هكذا اتجاه مياه شباك ملك
    فلك سلك مالك بنك""".split()
)
# Particles that keep only two letters before a pronoun suffix: منهم، عنها، فيه، إليه.
_SHORT_CORES = frozenset(normalize(w) for w in "من عن في إلى الى على لدى مع أن إن لأن كأن لكن".split())

# Two-letter words a conjunction may stand before: «وفي», «ومن», «فلا».
_SHORT_REST = frozenset("في من عن لا ما لم لن قد هو هي هم كل إن أن ان لو".split())
_MIN_CORE = 3  # letters a core keeps after a proclitic or suffix is cut (2 after the article)
_STRIP_RATIO = {"article": 0.003, "conj": 0.05, "prep": 0.5, "suffix": 0.05}
_MIN_EVIDENCE = {"article": 3, "conj": 3, "prep": 20, "suffix": 3}


def _count(word: str) -> int:
    return word_counts().get(normalize(word), 0)


_OTHER_PREFIXES = ("و", "ف", "ب", "ل", "ال", "وال", "بال", "لل")


def _support(rest: str, prefix: str) -> int:
    """How often ``rest`` stands alone or behind other proclitics: a productive base («ضمان»: وضمان، بضمان…)."""
    return _count(rest) + sum(_count(p + rest) for p in _OTHER_PREFIXES if p != prefix)


def _rest_evidence(rest: str) -> int:
    """How often the rest after a proclitic, or its light stem («الدارسين» → دارسين → دارس), stands alone."""
    n = _count(rest)
    if n < _MIN_EVIDENCE["article"] and len(rest) >= 4:
        for suffix in ("ات", "ون", "ين", "ة", "ي"):
            if rest.endswith(suffix) and len(rest) - len(suffix) >= _MIN_CORE:
                n = max(n, _count(rest[: -len(suffix)]))
    return n


def _evidence(core: str) -> int:
    """How often a core before a suffix (or its full form: ت→ة, و→وا) stands alone in the reference counts."""
    n = _count(core)
    if core.endswith("ت"):
        n = max(n, _count(core[:-1] + "ة"))
    if core.endswith("و"):
        n = max(n, _count(core + "ا"))
    return n


def _proclitic(
    word: str, allowed: tuple[tuple[str, bool], ...] = _PROCLITICS, after_prep: bool = False
) -> tuple[str, str]:
    """(proclitics, rest) of an Arabic word: the cut whose rest the counts support best, else a safe rule.

    A cut is taken again on its rest («و» + «بالرئيس» → «وبال» + «رئيس»), within what may follow it; after a
    preposition an initial «ال» is the article whenever its rest is a known word at all («فب» + «التالي»).
    """
    whole = _count(word)
    best: tuple[int, str, str] | None = None
    candidates = []
    for prefix, article in allowed:
        if not word.startswith(prefix):
            continue
        rest = word[len(prefix):]
        if len(rest) < (2 if article else _MIN_CORE) and not (prefix in ("و", "ف") and rest in _SHORT_REST):
            continue
        if prefix.endswith("س") and rest[0] not in _FUTURE_NEXT:
            continue
        kind = "article" if article else "conj" if prefix in ("و", "ف") else "prep"
        candidates.append((prefix, rest, kind))
        # Weigh the rest against the word as it would be without the conjunction: «وبوتين» → بوتين, not ب + وتين.
        base = whole if prefix[0] not in "وف" or len(prefix) == 1 else max(whole, _count(word[1:]))
        n = _rest_evidence(rest)
        ratio = 0.0 if after_prep and article else _STRIP_RATIO[kind]
        if kind == "prep" and n >= _MIN_EVIDENCE[kind] and n < ratio * base:
            n_ok = _support(rest, prefix) >= ratio * base  # «لضمان»: ضمان is rarer, but a productive base
        else:
            n_ok = n >= ratio * base
        if n >= _MIN_EVIDENCE[kind] and n_ok and (best is None or n > best[0]):
            best = (n, prefix, rest)
    if best is None and whole < _MIN_EVIDENCE["conj"]:
        # An unknown word: trust the article, the conjunction and the future mark before a verb.
        for prefix, rest, kind in candidates:
            if len(rest) < _MIN_CORE or normalize(rest) in NOT_PREFIXED and kind != "conj":
                continue
            if kind != "prep" or (prefix.endswith("س") and len(rest) >= 4):
                best = (0, prefix, rest)
                break
    if best is None:
        # A rare definite word («الوفاض», «الناديان»): the article stands before four letters or more.
        for prefix, rest, kind in candidates:
            if kind == "article" and len(rest) >= 4 and normalize(rest) not in NOT_PREFIXED:
                best = (0, prefix, rest)
                break
    if best is None:
        return "", word
    _, prefix, rest = best
    follow = _FOLLOWERS.get(prefix, ())
    if follow and normalize(rest) not in NOT_PREFIXED:
        more, rest = _proclitic(rest, follow, after_prep=prefix[-1] in "بكل")
        prefix += more
    return prefix, rest


def _suffix(word: str) -> tuple[str, str]:
    """(core, pronoun suffix) of a word without article, cut only where the core stands as a word."""
    whole = _count(word)
    for suffix in _SUFFIXES:
        if not word.endswith(suffix):
            continue
        core = word[: -len(suffix)]
        if len(core) < _MIN_CORE and not (len(core) == 2 and normalize(core) in _SHORT_CORES):
            continue
        n = _evidence(core)
        ratio = _STRIP_RATIO["suffix"] if suffix in _THIRD_PERSON else _STRIP_RATIO["prep"]
        if n >= _MIN_EVIDENCE["suffix"] and n >= ratio * whole:
            return core, suffix
        if whole < _MIN_EVIDENCE["suffix"] and suffix in _MULTI_SUFFIXES and len(core) >= _MIN_CORE:
            return core, suffix
    return word, ""


@lru_cache(maxsize=200_000)
def split_clitics(token: str) -> tuple[str, str, str]:
    """(proclitics, core, enclitics) of an Arabic token, e.g. «وبالرئيس» → («وبال», «رئيس», «»).

    Diacritics and tatweel are dropped first; the three parts concatenate to that form. Non-Arabic tokens and
    words that only look cliticised (والد، بلد، فلسطين…) come back whole as the core.
    """
    word = strip_marks(token)
    if len(word) < 3 or not _ARABIC_WORD.fullmatch(word):
        return "", word, ""
    if normalize(word) in NOT_PREFIXED:
        return "", word, ""
    prefix, rest = _proclitic(word)
    if prefix.endswith(("ال", "لل")) or normalize(rest) in NOT_SUFFIXED:
        return prefix, rest, ""  # the article and a pronoun suffix never come together
    core, suffix = _suffix(rest)
    return prefix, core, suffix


# Light10-like noun/verb suffixes, tried in this order on the matching form; each cut keeps ≥ 3 letters.
_LIGHT_SUFFIXES = ("ات", "ون", "ين", "يه", "ه", "ي")
_NEEDS_EVIDENCE = frozenset(("ون", "ين"))  # «بوتين», «فلسطين» end so without being plurals


def _light_stem(core: str) -> str:
    """The light stem of an Arabic core in matching form (folded): plural, feminine and nisba endings cut."""
    w = normalize(core)
    if w in NOT_PREFIXED or w in NOT_SUFFIXED:
        return w
    for suffix in _LIGHT_SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= _MIN_CORE:
            stem = w[: -len(suffix)]
            if suffix in _NEEDS_EVIDENCE and word_counts().get(stem, 0) < _MIN_EVIDENCE["suffix"]:
                continue
            w = stem
    return w


_SNOWBALL = {
    "en": "english", "fr": "french", "de": "german", "es": "spanish", "it": "italian", "pt": "portuguese",
    "nl": "dutch", "ru": "russian", "ro": "romanian", "sv": "swedish", "da": "danish", "fi": "finnish",
    "hu": "hungarian", "no": "norwegian",
}


@cache
def _snowball(lang: str) -> Any:
    """nltk's Snowball stemmer for ``lang`` (imported only when a non-Arabic text asks for it)."""
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer(_SNOWBALL[lang])


def _stem(token: str, lang: str | None) -> str:
    if _ARABIC_WORD.fullmatch(strip_marks(token)):
        _, core, _ = split_clitics(token)
        return _light_stem(core)
    word = normalize(token)
    if word.isdigit() or not word:
        return word
    if lang in _SNOWBALL:
        # Stem words of the document's own script only (a Latin name inside Russian text stays as written).
        own = _CYRILLIC if lang == "ru" else _LATIN
        if own.search(word):
            return _snowball(lang).stem(word)
    return word


_CACHE: dict[tuple[str, str | None], str] = {}
_CACHE_MAX = 500_000


def stem(token: str, lang: str | None = None) -> str:
    """The light stem of one token, in matching form: Arabic clitics and suffixes cut; other words lower-cased
    (and Snowball-stemmed when ``lang`` names a language it knows)."""
    key = (token, lang)
    out = _CACHE.get(key)
    if out is None:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        out = _CACHE[key] = _stem(token, lang)
    return out


def tokenize(text: str) -> list[str]:
    """Word and number tokens of ``text`` in matching form (``normalize``), punctuation dropped."""
    return _TOKEN.findall(normalize(text))


def terms(text: str, lang: str | None = None) -> list[str]:
    """The clitic-split light stems of ``text``, one a word or number, memoised per surface token."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)  # presentation forms (ﻻ ﺓ) and decomposed accents first
    cache = _CACHE
    out = []
    for tok in _TOKEN.findall(strip_marks(text)):
        t = cache.get((tok, lang))
        if t is None:
            t = stem(tok, lang)
        if t:
            out.append(t)
    return out
