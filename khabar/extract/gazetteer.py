"""The shipped gazetteer (places, organisations, titles, organisation cues) and its Aho-Corasick matcher.

Matching runs on a folded copy of the text that keeps one character per original character where it can
(``fold``), so a hit maps back to the original span. Arabic clitic prefixes (و ف ب ل ك ال and their
combinations) are allowed before a hit; any other letter before or after it is not a token boundary.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

import ahocorasick

from khabar.lang.normalize import fold_char, normalize, normalize_with_offsets

RESOURCES = Path(__file__).resolve().parents[1] / "resources" / "gazetteer"

# clitic prefixes allowed before a gazetteer hit (normalised letters); a bare «ك» is left out: كورونا ≠ ك+ورونا
PREFIXES = frozenset(
    ["", "و", "ف", "ب", "ل", "ال", "وال", "فال", "بال", "كال", "لل", "ولل", "فلل", "وب", "ول", "فب", "فل",
     "وبال", "فبال", "وكال", "فكال"]
)
# prefixes that end in the article, for forms stored without their own «ال»
AL_PREFIXES = frozenset(p for p in PREFIXES if p.endswith("ال") or p.endswith("لل"))
_PREFIX_ENDS = frozenset(p[-1] for p in PREFIXES if p)  # و ف ب ل: the letter right before a prefixed hit


def _fold_table() -> tuple[dict[int, str | None], frozenset[int]]:
    """A translate table that folds Arabic-script letters one to one and deletes marks."""
    table: dict[int, str | None] = {}
    deleted = set()
    for cp in list(range(0x0600, 0x0700)) + list(range(0x0750, 0x0780)) + [
        0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0xFEFF, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
        0x2066, 0x2067, 0x2068, 0x2069,
    ]:
        ch = chr(cp)
        f = fold_char(ch)
        if f == "":
            table[cp] = None
            deleted.add(cp)
        elif len(f) == 1 and f != ch:
            table[cp] = f
    for ws in "\t\n\r\x0b\x0c\u00a0\u2028\u2029\u3000\u2009\u200a\u202f":
        table[ord(ws)] = " "
    return table, frozenset(deleted)


_TABLE, _DELETED = _fold_table()
_COMMON = [(a, _TABLE[ord(a)]) for a in "أإآىةؤئ\n\xa0\t\r"]
_RARE_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_TABLE)
                                  if chr(c) not in "أإآىةؤئ\n\xa0\t\r" and _TABLE[c] is not None
                                  and not chr(c).isdigit()) + "]")
_DIGITS = {c: _TABLE[c] for c in _TABLE if chr(c).isdigit()}
_DELETED_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_DELETED)) + "]")


class Deletions:
    """Maps an index of the folded text to the original where some characters (marks) were deleted."""

    __slots__ = ("_after",)

    def __init__(self, deleted: list[int]) -> None:
        # the folded index before which the j-th deleted character stood
        self._after = [d - j for j, d in enumerate(deleted)]

    @classmethod
    def from_parts(cls, parts: list[str]) -> Deletions:
        """The map of a text cut at each deleted character into ``parts`` (what stood between them)."""
        d = cls.__new__(cls)
        d._after = list(accumulate(map(len, parts[:-1])))
        return d

    def __getitem__(self, i: int) -> int:
        return i + bisect_right(self._after, i)


def fold(text: str) -> tuple[str, Sequence[int] | Deletions | None]:
    """The matching form of ``text`` and, when its length differs, a map from its indices to the original.

    ``None`` means the folded text is aligned one to one with the original (the common case).
    """
    if _RARE_RE.search(text) is None:
        # the common case: a few str.replace calls are far faster than a dict-based translate
        out = text
        for a, b in _COMMON:
            if a in out:
                out = out.replace(a, b)
        out = out.lower()
    else:
        out = text.translate(_TABLE).lower()
    if len(out) == len(text):
        if out.isascii() or not _DELETED_RE.search(text):
            return out, None
    if len(text.lower()) == len(text):
        if len(out) == len(text):
            # the marks are still in ``out``, where they stand in ``text``: split them out in one pass
            parts = _DELETED_RE.split(out)
            return "".join(parts), Deletions.from_parts(parts)
        deleted = [m.start() for m in _DELETED_RE.finditer(text)]
        out = _DELETED_RE.sub("", out)
        if len(out) + len(deleted) == len(text):
            return out, Deletions(deleted)
    folded, offsets = normalize_with_offsets(text)
    return folded, offsets


def is_latin(word: str) -> bool:
    """Whether a word is written in a script with capitals (no Arabic-script letter in it)."""
    return not any("\u0600" <= ch <= "\u08ff" or "\ufb50" <= ch <= "\ufeff" for ch in word)


@dataclass(frozen=True, slots=True)
class Entry:
    """What a gazetteer form names: kind (LOC, ORG, TITLE, ORGCUE), key, and whether it lost its «ال»."""

    kind: str
    key: str
    needs_al: bool = False
    latin: bool = False


class Hit(NamedTuple):
    """A gazetteer hit on the folded text: span of the form itself (clitic prefix excluded)."""

    start: int
    end: int
    entry: Entry
    prefix: str


def _read(name: str) -> list[str]:
    return [ln for ln in (RESOURCES / name).read_text("utf-8").splitlines() if ln.strip() and not ln.startswith("#")]


class Gazetteer:
    """Forms from gazetteer.tsv, titles.txt and org_cues.txt in one automaton over folded text."""

    def __init__(self, directory: Path = RESOURCES) -> None:
        self.forms: dict[str, Entry] = {}
        for ln in _read("gazetteer.tsv"):
            form, kind, key = ln.split("\t")
            self.forms[form] = Entry(kind, key, latin=is_latin(form))
        self.titles = {normalize(t) for t in _read("titles.txt")}
        self.org_cues = {normalize(t) for t in _read("org_cues.txt")}
        self.stop = {normalize(t) for t in _read("stop.txt")}
        self.common = frozenset(_read("common.txt"))
        self.function_words = frozenset(normalize(w) for ln in _read("function_words.txt") for w in ln.split())
        self.first_names = frozenset(normalize(w) for ln in _read("first_names.txt") for w in ln.split())
        auto = ahocorasick.Automaton()
        entries: dict[str, list[Entry]] = {}
        for form, e in self.forms.items():
            entries.setdefault(form, []).append(e)
            if form.startswith("ال") and len(form) > 4 and form[2:] not in self.forms:
                entries.setdefault(form[2:], []).append(Entry(e.kind, e.key, needs_al=True))
        for t in self.titles:
            entries.setdefault(t, []).append(Entry("TITLE", t, latin=is_latin(t)))
        for c in self.org_cues:
            entries.setdefault(c, []).append(Entry("ORGCUE", c))
        for f in self.first_names:
            entries.setdefault(f, []).append(Entry("FIRST", f))
        for form, es in entries.items():
            auto.add_word(form, (len(form), tuple(es)))
        auto.make_automaton()
        self._auto = auto

    def lookup(self, form: str) -> Entry | None:
        """The LOC/ORG entry of a normalised form, also with a clitic prefix or «ال» removed."""
        e = self.forms.get(form)
        if e is not None:
            return e
        for n in (1, 2, 3, 4):
            if form[:n] in PREFIXES and len(form) - n >= 3:
                e = self.forms.get(form[n:]) or (self.forms.get("ال" + form[n:]) if form[:n] in AL_PREFIXES else None)
                if e is not None:
                    return e
        return None

    def hits(self, folded: str, original: str, offsets: Sequence[int] | Deletions | None) -> list[Hit]:
        """All hits on token boundaries (with allowed clitic prefixes); Latin hits must be capitalised."""
        out: list[Hit] = []
        append = out.append
        make = tuple.__new__  # Hit(...) without the Python-level __new__
        n = len(folded)
        for end, (length, entries) in self._auto.iter(folded):
            end += 1
            if end < n and folded[end].isalnum():
                continue
            start = end - length
            if start == 0 or not folded[start - 1].isalpha():
                prefix = ""
            elif folded[start - 1] not in _PREFIX_ENDS:
                continue  # inside a word: no clitic prefix ends with this letter
            else:
                p = start - 1
                while p > 0 and folded[p - 1].isalpha() and start - p <= 4:
                    p -= 1
                if p > 0 and folded[p - 1].isalpha():
                    continue
                prefix = folded[p:start]
                if prefix not in PREFIXES:
                    continue
            for e in entries:
                if e.needs_al:
                    if prefix not in AL_PREFIXES:
                        continue
                elif prefix and (e.latin or not folded[start].isalpha()):  # prefix is in PREFIXES here
                    continue
                if e.latin and e.kind != "TITLE":
                    o = offsets[start] if offsets else start
                    if not original[o].isupper():
                        continue
                    oe = offsets[end - 1] + 1 if offsets else end
                    if length <= 3 and not original[o:oe].isupper():  # UN, EU, WHO: acronyms only in capitals
                        continue
                append(make(Hit, (start, end, e, prefix)))
        return out


@cache
def gazetteer() -> Gazetteer:
    """The shipped gazetteer, loaded once."""
    return Gazetteer()
