"""Sentence segmentation with character spans: splits at . ! ? ؟ and line breaks, not at «،» or abbreviations."""

from __future__ import annotations

import re

from khabar.article import Sentence

_ARABIC_LETTERS = "\u0621-\u064a\u066e-\u06d3\u06fa-\u06ff"
_CLOSERS = "\"'»”’)\\]›"
# A line break, a run of terminators (with closing quotes/brackets) before a space or the end, or a full stop
# glued between two Arabic words ("العام.وقال").
_BOUNDARY = re.compile(
    f"[\\n\\r\\u2028\\u2029\\x85]"
    f"|[.!?؟۔…。]+[{_CLOSERS}]*(?=\\s|$)"
    f"|(?<=[{_ARABIC_LETTERS}]{{2}})\\.(?=[{_ARABIC_LETTERS}])"
)
_LINE_BREAKS = "\n\r\u2028\u2029\x85"
_OPENERS = "\"'«“‘([‹"

# Latin abbreviations after which a full stop does not end a sentence: titles and months as written, and a few
# compared lower-cased. «No.» only counts before a number.
ABBREVIATIONS = frozenset(
    """Mr Mrs Ms Dr Prof St Gen Col Lt Sgt Capt Cmdr Adm Gov Sen Rep Jr Sr Mt Ave Rd Blvd Inc Ltd Co Corp Bros
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Mme Mlle Mgr Ste Av Fig Figs Vol Vols Dept Univ""".split()
)
LOWER_ABBREVIATIONS = frozenset("etc vs cf approx e.g i.e al fig figs vol vols pp dept univ n°".split())
_NUMBER_ABBREVIATIONS = frozenset("No Nos no nos Nr nr".split())


# Latin letters as Arabic writes them in dotted acronyms: «بي. بي. سي.», «سي. إن. إن.», «إم. بي. سي.».
LETTER_NAMES = frozenset(
    """بي سي دي تي جي إس اس إم ام إن آي اي إي يو إف اف إل كيه إتش اتش آر ار كيو دبليو واي إكس اكس زد أو او
    إيه ايه""".split()
)


def _word_before(text: str, end: int, floor: int) -> tuple[str, int]:
    """The whitespace-delimited word ending at ``end`` (openers stripped) and where it starts."""
    k = end
    while k > floor and not text[k - 1].isspace():
        k -= 1
    return text[k:end].lstrip(_OPENERS), k


def _word_after(text: str, start: int) -> str:
    """The whitespace-delimited word after position ``start``."""
    k = start
    while k < len(text) and text[k].isspace() and text[k] not in _LINE_BREAKS:
        k += 1
    e = k
    while e < len(text) and not text[e].isspace():
        e += 1
    return text[k:e]


def _is_letter_name(word: str) -> bool:
    return word.endswith(".") and word[:-1] in LETTER_NAMES


def _is_abbreviation(text: str, dot: int, floor: int) -> bool:
    """Whether the full stop at ``dot`` closes an abbreviation (د. م. ص., J., Dr., U.S., بي. بي. سي., «1.»)."""
    word, k = _word_before(text, dot, floor)
    if not word:
        return False
    if len(word) == 1 and word.isalpha():
        if word == "م":
            # «2015 م.» closes a date (and often a sentence); «م. خالد» is an engineer.
            before, _ = _word_before(text, max(k - 1, floor), floor)
            return not before.isdigit()
        return True  # Arabic د. م. أ. ص. ج. ق., Latin initials
    if word in LETTER_NAMES:
        before, _ = _word_before(text, max(k - 1, floor), floor)
        return _is_letter_name(before) or _is_letter_name(_word_after(text, dot + 1))
    if word in ABBREVIATIONS or word.lower() in LOWER_ABBREVIATIONS:
        return True
    if word in _NUMBER_ABBREVIATIONS:
        return _word_after(text, dot + 1)[:1].isdigit()
    if "." in word:
        parts = word.split(".")
        if all(len(p) <= 2 and p.isalpha() for p in parts):
            return True  # U.S., أ.د., e.g.
    if word.isdigit() and len(word) <= 2:
        # A list number at the start of a line: "1. ..."
        j = k
        while j > floor and text[j - 1] in " \t":
            j -= 1
        return j == floor or text[j - 1] in _LINE_BREAKS
    return False


def _span(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def split_sentences(text: str, start: int = 0, lang: str | None = None) -> list[Sentence]:
    """The sentences of ``text[start:]``, each with its span in ``text`` and text stripped of outer whitespace.

    Everything of ``text[start:]`` outside the spans is whitespace: nothing is lost.
    """
    out: list[Sentence] = []
    seg = start

    def emit(s: int, e: int) -> None:
        s, e = _span(text, s, e)
        if e > s:
            out.append(Sentence(text[s:e], s, e, lang))

    for m in _BOUNDARY.finditer(text, start):
        mark = m.group()
        if mark in _LINE_BREAKS:
            emit(seg, m.start())
            seg = m.end()
            continue
        if mark == "." and _is_abbreviation(text, m.start(), seg):
            continue
        emit(seg, m.end())
        seg = m.end()
    emit(seg, len(text))
    return out
