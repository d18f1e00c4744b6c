"""Normalisation for matching: Arabic orthographic variants, digits and invisible marks folded; display text kept.

``normalize`` gives the matching form of a text. ``normalize_with_offsets`` also gives, for each character of
the result, the index of the original character it came from, so a match found on the normalised form can be
shown on the original.
"""

from __future__ import annotations

import unicodedata

# Arabic diacritics (tashkeel, Quranic marks, superscript alef) and tatweel: removed.
_REMOVED = (
    [chr(c) for c in range(0x0610, 0x061B)]
    + [chr(c) for c in range(0x064B, 0x0660)]
    + ["\u0670", "\u0640"]
    + [chr(c) for c in range(0x06D6, 0x06DD)]
    + [chr(c) for c in range(0x06DF, 0x06E5)]
    + [chr(c) for c in range(0x06E7, 0x06E9)]
    + [chr(c) for c in range(0x06EA, 0x06EE)]
    # bidi controls and zero-width characters
    + ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\ufeff"]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
)

_MAPPED = {
    # alef forms
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    # alef maqsura and Persian/Urdu yeh
    "ى": "ي", "ی": "ي", "ې": "ي", "ۍ": "ي", "ے": "ي",
    # hamza carriers
    "ؤ": "و", "ئ": "ي",
    # teh marbuta and Persian/Urdu heh forms
    "ة": "ه", "ۀ": "ه", "ە": "ه", "ہ": "ه", "ھ": "ه", "ۃ": "ه",
    # Persian/Urdu kaf, and other regional letters folded to their Arabic base
    "ک": "ك", "ڪ": "ك", "گ": "ك", "ڤ": "ف", "پ": "ب", "چ": "ج", "ژ": "ز",
    # Arabic punctuation kept as its Latin counterpart for tokenising
    "٫": ".", "٬": ",",
}
for _i in range(10):
    _MAPPED[chr(0x0660 + _i)] = str(_i)  # Arabic-Indic digits
    _MAPPED[chr(0x06F0 + _i)] = str(_i)  # Persian / Urdu digits

_TABLE = {ord(c): None for c in _REMOVED}
_TABLE.update({ord(k): v for k, v in _MAPPED.items()})



def fold_char(ch: str) -> str:
    """The matching form of one character ('' when it is removed)."""
    out = ch.translate(_TABLE)
    if out and not out.isascii():
        out = unicodedata.normalize("NFKC", out)
    return out.casefold()


# The same folds as (from, to) pairs: a chain of str.replace over the letters present is ~8× faster than
# str.translate with a non-ASCII table.
_PAIRS = tuple((chr(k), v or "") for k, v in _TABLE.items())


def _replace(text: str, pairs: tuple[tuple[str, str], ...] = _PAIRS) -> str:
    for src, dst in pairs:
        if src in text:
            text = text.replace(src, dst)
    return text


def _fold(text: str) -> str:
    text = _replace(text)
    if not unicodedata.is_normalized("NFKC", text):
        # NFKC may expose characters (presentation forms) that the table folds.
        text = _replace(unicodedata.normalize("NFKC", text))
    return text.casefold()


def normalize(text: str) -> str:
    """The matching form of a text: variants folded, diacritics and invisible marks removed, case folded.

    Whitespace runs become one space. Idempotent: ``normalize(normalize(t)) == normalize(t)``.
    """
    if not text:
        return ""
    out = _fold(text)
    for _ in range(4):  # removing a mark or case folding can leave a sequence NFKC would still compose
        if unicodedata.is_normalized("NFKC", out):
            break
        out = _fold(out)
    return " ".join(out.split())


def normalize_digits(text: str) -> str:
    """Arabic-Indic and Persian digits to ASCII, nothing else changed (length preserved)."""
    return _replace(text, _MARKS_PAIRS[-20:])


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """``normalize`` without collapsing spaces, with the original index of each output character."""
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        folded = fold_char(ch)
        if ch.isspace():
            folded = " "
        for f in folded:
            chars.append(f)
            offsets.append(i)
    return "".join(chars), offsets


_MARKS_PAIRS = tuple((c, "") for c in _REMOVED) + tuple(
    (chr(base + i), str(i)) for base in (0x0660, 0x06F0) for i in range(10)
)


def strip_marks(text: str) -> str:
    """Diacritics, tatweel and invisible marks removed, digits to ASCII; letters (hamza, ة, ى) kept as written."""
    return _replace(text, _MARKS_PAIRS)
