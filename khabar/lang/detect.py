"""Language identification: script rules for Arabic-script text (ar / fa / ur), lingua for the rest.

``detect_lang`` names the language of a text (ISO 639-1, or "und"); ``line_langs`` finds the runs of a text
(lines or parts of lines) written in another language than the document's, such as the Urdu outlet name in an
Arabic dateline. Lingua is restricted to a small set of languages and built once, lazily, on first need: text
in Arabic script never loads it unless the letters leave the question open.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

SNIPPET = 600  # characters looked at by detect_lang
LINGUA_SNIPPET = 400  # characters handed to lingua
MIN_CONFIDENCE = 0.5  # lingua confidence below which a text is "und"
RUN_CONFIDENCE = 0.7  # stricter, for runs inside a line
MAX_LINGUA_LINES = 12  # whole lines outside Arabic script that line_langs hands to lingua, per text

LANGUAGES = (
    "ARABIC", "PERSIAN", "URDU", "ENGLISH", "FRENCH", "TURKISH", "RUSSIAN", "GERMAN", "SPANISH",
    "ITALIAN", "PORTUGUESE", "HEBREW", "CHINESE", "INDONESIAN", "AZERBAIJANI", "HINDI", "DUTCH",
)

_ARABIC_BLOCKS = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
_WORD = re.compile(r"[^\W\d_]{2,}")

# Letters that set a language apart within Arabic script.
_AR_MARKS = "\u064a\u0643\u0629\u0649"  # ي ك ة ى: Arabic yeh, kaf, teh marbuta, alef maqsura
_FA_UR_FORMS = "\u06cc\u06a9"  # ی ک: the Persian/Urdu yeh and kaf
_FA_UR_LETTERS = "\u067e\u0686\u0698\u06af"  # پ چ ژ گ
_UR_LETTERS = "\u0679\u0688\u0691\u06ba\u06d2\u06c1\u06be\u06c3"  # ٹ ڈ ڑ ں ے ہ ھ ۃ
_PS_LETTERS = "\u067c\u0689\u0693\u0696\u069a\u0681\u0685\u06ab\u06cd\u06d0"  # ټ ډ ړ ږ ښ ځ څ ګ ۍ ې
_KU_LETTERS = "\u0695\u06b5\u06ce\u06c6\u06d5"  # ڕ ڵ ێ ۆ ە (Sorani Kurdish)

# Function words that only Arabic, or only Persian/Urdu, use.
_AR_FUNCTION_WORDS = frozenset("في من على إلى الى أن إن ان عن مع التي الذي هذا هذه ذلك قال لم لن كان".split())
_FA_UR_FUNCTION_WORDS = frozenset(
    "در از به که را این آن است با برای می شد کرد هم تا کے کی کا میں نے ہے اور سے کو پر یہ وہ تھا".split()
)
# Persian/Urdu letters below U+0680 (پ ٹ ټ), which no lead byte sets apart.
_NOT_ARABIC_LANG = re.compile("[\u067e\u0679\u067c]")
_MIN_OTHER_LETTERS = 12  # letters in other scripts a line needs before its runs are looked at
_LINK = re.compile(r"(?:https?:|www\.)\S*|\S*@\S+|#\w+|\S+\.(?:com|org|net|gov|edu|info|sa|uk|fr)\b\S*")
# Where a line is cut into runs: slashes, brackets, bars, and dashes with a space on one side at least.
_RUN_SEPARATOR = re.compile(r"[/|()\[\]{}«»\"]|\s[-–—]+|[-–—]+\s|\s[:؛]\s")


def _count(text: str, letters: str) -> int:
    return sum(text.count(c) for c in letters)


# UTF-8 lead bytes: Arabic block (U+0600–06FF) and letters of other scripts (ASCII letters, Latin extended,
# Greek, Cyrillic, Hebrew, Indic, CJK). Counting bytes with bytes.translate runs at memory speed.
_ARABIC_LEADS = bytes(range(0xD8, 0xDC))
_OTHER_LEADS = (
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    + bytes(range(0xC3, 0xCA)) + bytes(range(0xCE, 0xD8)) + b"\xe0" + bytes(range(0xE3, 0xEA))
)


def _script_counts(text: str) -> tuple[int, int]:
    """(characters in Arabic script, letters in any other script) of ``text``, counted on its UTF-8 bytes."""
    b = text.encode("utf-8", "surrogatepass")
    n = len(b)
    return n - len(b.translate(None, _ARABIC_LEADS)), n - len(b.translate(None, _OTHER_LEADS))


@lru_cache(maxsize=1)
def _detector() -> Any:
    """The lingua detector over LANGUAGES, built once (its models load lazily, per language)."""
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(*(getattr(Language, n) for n in LANGUAGES)).build()


def _lingua(text: str, min_confidence: float) -> str:
    """Lingua's best language for ``text`` if its confidence reaches ``min_confidence``, else "und"."""
    values = _detector().compute_language_confidence_values(text[:LINGUA_SNIPPET])
    if not values or values[0].value < min_confidence:
        return "und"
    return values[0].language.iso_code_639_1.name.lower()


def arabic_script_lang(text: str, *, strict: bool = False, n: int = 0) -> str:
    """Which Arabic-script language ``text`` is in, from its letters; "und" where letters don't settle it.

    Arabic shows the article «ال» often (some 6% of its letters start one; Persian and Urdu about 1%), and ي ك ة ى;
    Persian and Urdu show ی ک and پ چ ژ گ, Urdu also ٹ ڈ ڑ ں ے ہ ھ. ``strict`` (for short runs) asks for clear
    evidence and answers "und" otherwise.
    """
    n = n or _script_counts(text)[0] or 1
    ar = _count(text, _AR_MARKS)
    al = text.count("ال")
    forms = _count(text, _FA_UR_FORMS)
    extra = _count(text, _FA_UR_LETTERS)
    ur = _count(text, _UR_LETTERS)
    ps = _count(text, _PS_LETTERS)
    ku = _count(text, _KU_LETTERS)
    if ps >= 2 and ps > ur and ps >= ku and ps >= 0.01 * n:
        return "ps"
    if ku >= 2 and ku > ur and ku >= 0.01 * n:
        return "ku"
    if forms + extra + ur == 0:
        return "ar" if ar or al or not strict else "und"
    if al >= max(1.0, 0.03 * n) and (ar or al >= 2 or strict) and ur < 0.01 * n:
        return "ar"  # Arabic, even when typed with a Persian keyboard (ی ک)
    words = text.split()
    ar_words = sum(1 for w in words if w in _AR_FUNCTION_WORDS)
    if ar_words > sum(1 for w in words if w in _FA_UR_FUNCTION_WORDS):
        return "ar" if ar or al or not strict else "und"  # «مؤکدا أن إیران»: Arabic words, Persian keyboard
    if ar > forms + ur and not strict:
        # Arabic forms dominate; Persian written with Arabic yeh/kaf still shows پ چ ژ گ often.
        return "und" if extra >= 0.008 * n and extra >= ar / 4 else "ar"
    if strict and ar:
        return "und"
    if ur and (ur >= 0.01 * n or (strict and ur >= 1)):
        return "ur"
    if ur:
        return "und"
    if strict and forms < 2 and not extra:
        return "und"
    return "fa"


def detect_lang(text: str) -> str:
    """The ISO 639-1 code of the language of ``text`` ("und" when empty or unsure); looks at a bounded snippet."""
    snippet = text[:SNIPPET]
    arabic, other = _script_counts(snippet)
    letters = arabic + other
    if letters < 0.3 * len(snippet) and not unicodedata.is_normalized("NFKC", snippet):
        snippet = unicodedata.normalize("NFKC", snippet)  # legacy presentation forms (ﺍﻟﺮﺋﻴﺲ)
        arabic, other = _script_counts(snippet)
        letters = arabic + other
    if letters < 2:
        return "und"
    if arabic >= 0.6 * letters:
        lang = arabic_script_lang(snippet, n=arabic)
        if lang != "und":
            return lang
        guess = _lingua(snippet, MIN_CONFIDENCE)
        return guess if guess in ("ar", "fa", "ur") else ("ar" if arabic >= 0.9 * letters else guess)
    return _lingua(snippet, MIN_CONFIDENCE)


def run_lang(run: str) -> str:
    """The language of a short run inside a line, or "und" when it is short or ambiguous (digits, names)."""
    arabic, other = _script_counts(run)
    letters = arabic + other
    if letters < 4:
        return "und"
    words = len(_WORD.findall(run))
    if arabic >= 0.8 * letters:
        if words < 2 and letters < 8:
            return "und"
        return arabic_script_lang(run, strict=True, n=arabic)
    if arabic > 0.05 * letters or words < 3 or letters < 12 or not _wordy(run, letters):
        return "und"
    return _lingua(run, RUN_CONFIDENCE)


def _wordy(text: str, letters: int) -> bool:
    """Whether ``text`` is mostly letters (prose or a name), not code, numbers or markup."""
    return letters >= 0.8 * (len(text) - text.count(" "))


def _blank_links(line: str) -> str:
    """``line`` with URLs, e-mail addresses, handles and hashtags blanked out (offsets kept)."""
    return _LINK.sub(lambda m: " " * len(m.group()), line) if ("@" in line or "." in line or "#" in line) else line


def _runs(line: str) -> list[tuple[int, int]]:
    """Spans of the runs of ``line`` between separators, stripped, non-empty."""
    spans = []
    pos = 0
    for m in [*_RUN_SEPARATOR.finditer(line), None]:
        end = m.start() if m else len(line)
        s, e = pos, end
        while s < e and line[s].isspace():
            s += 1
        while e > s and line[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
        if m:
            pos = m.end()
    return spans


def _maybe_foreign_in_arabic(text: str) -> bool:
    """Whether ``text`` holds a Persian/Urdu letter or enough letters of another script to name a language."""
    b = text.encode("utf-8", "surrogatepass")
    # Lead bytes DA/DB: U+0680–06FF, where Persian/Urdu/Pashto/Kurdish letters (ک ی ے گ چ ٹ…) live.
    if b"\xda" in b or b"\xdb" in b or _NOT_ARABIC_LANG.search(text):
        return True
    return len(b) - len(b.translate(None, _OTHER_LEADS)) >= _MIN_OTHER_LETTERS


def line_langs(text: str, doc_lang: str) -> list[tuple[str, str]]:
    """The runs of ``text`` (whole lines, or parts cut at / - ( ) etc.) whose language differs from ``doc_lang``.

    Each is (run text as written, language); runs too short or ambiguous to tell are never reported.
    """
    out: list[tuple[str, str]] = []
    if doc_lang == "ar" and not _maybe_foreign_in_arabic(text):
        return out
    budget = MAX_LINGUA_LINES
    for line in text.splitlines():
        if not line.strip():
            continue
        if doc_lang == "ar" and not _maybe_foreign_in_arabic(line):
            continue
        line = _blank_links(line)
        whole = line.strip()
        # A whole line in another language is reported as one run.
        if len(_WORD.findall(whole)) >= 4:
            arabic, other = _script_counts(whole)
            mixed = 0.05 < arabic / ((arabic + other) or 1) < 0.8
            if not mixed and _wordy(whole, arabic + other):
                if arabic == 0:
                    if budget <= 0:
                        continue  # lingua costs ~0.5 ms a line: long texts in other scripts get a bounded look
                    budget -= 1
                lang = detect_lang(whole)
                if lang not in ("und", doc_lang) and (arabic == 0 or arabic_script_lang(whole) == lang):
                    out.append((whole, lang))
                    continue
                if lang == doc_lang and arabic == 0:
                    continue  # a line in the document's own language and script
        spans = _runs(line)
        langs = [run_lang(line[s:e]) for s, e in spans]
        i = 0
        while i < len(spans):
            lang = langs[i]
            if lang in ("und", doc_lang):
                i += 1
                continue
            j = i
            # Merge neighbours of the same language, across undecided runs between them.
            k = i + 1
            while k < len(spans) and langs[k] in (lang, "und"):
                if langs[k] == lang:
                    j = k
                k += 1
            out.append((line[spans[i][0]:spans[j][1]], lang))
            i = j + 1
    return out
