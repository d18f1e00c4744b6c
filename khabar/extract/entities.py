"""Places, people and organisations: gazetteer hits, title and organisation cues, names propagated in a document.

``EntityTagger`` is the interface every tagger follows (the rule tagger here, a trained tagger elsewhere);
``entity_key`` gives the canonical key shared by all of them; ``CombinedTagger`` merges several taggers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from itertools import islice
from typing import Protocol

from khabar.article import Mention
from khabar.extract.gazetteer import PREFIXES, Hit, fold, gazetteer, is_latin
from khabar.lang.normalize import normalize

KINDS = ("PERS", "LOC", "ORG", "MISC")
LOC, ORG, TITLE = 1, 2, 3  # marks on _Doc.covered
_LOC_MARK, _ORG_MARK, _TITLE_MARK = bytes([LOC]), bytes([ORG]), bytes([TITLE])
_LATIN_WORD, _ALI = "latin", "ali"  # verdicts of RuleTagger._word_verdict that need the document


class EntityTagger(Protocol):
    """Anything that finds entity mentions in a text, with offsets into that text."""

    def tag(self, text: str, *, lang: str | None = None, title: str | None = None) -> list[Mention]:
        """The mentions in ``text`` (``title`` may help, but offsets are into ``text``)."""
        ...


# Words that never belong to a person's name after a title (normalised).
STOPWORDS = frozenset(normalize(w) for w in """
في من إلى الى عن على أن ان إن أنه انه أنها إنه قد لقد خلال مع الذي التي الذين اللذين هذا هذه ذلك تلك هنا هناك
بين حول بعد قبل عند منذ حتى كان كانت يكون ما لا لم لن أو او ثم كما أي اي كل عبر ضد دون لدى وفق حسب بحسب أيضا ايضا
اليوم أمس غدا يوم الليلة صباح مساء السبت الأحد الاثنين الثلاثاء الأربعاء الخميس الجمعة وقال قال قالت يقول تقول أكد
اكد أكدت يؤكد تؤكد أعلن أعلنت يعلن أشار أشارت يشير أوضح أوضحت يوضح أضاف أضافت يضيف صرح صرحت أفاد أفادت ذكر ذكرت
أعرب أعربت يعرب بحث بحثت ناقش التقى يلتقي استقبل يستقبل زار يزور وصل يصل غادر رحب دعا يدعو طالب يطالب شدد أجرى
هاتفي هاتفيا اتصال اتصالا بيان تصريح تصريحات مؤتمر صحفي نفسه نفسها بدوره بدورها أمام امام جديد جديدة سابق السابق
وزير وزيرة الوزير رئيس نائب سفير مدير عضو الأمين العام عقب إثر اثر وسط جراء بسبب نحو تجاه إزاء ازاء رغم خلف فوق
تحت قرب لدي عليه عليها إليه إليها منه منها فيه فيها له لها لهم بها به ولي خادم عضوا وزيرا رئيسا نائبا سفيرا مديرا
""".split())
# Tokens that join a name's parts (normalised): بن، ابن، بنت، أبو، عبد، آل
CONNECTORS = frozenset(normalize(w) for w in "بن ابن بنت أبو ابو أبي عبد آل ولد".split())
DUAL_TITLES = frozenset(normalize(w) for w in "الرئيسين الرئيسان وزيري وزيرا الزعيمين الزعيمان".split())
LATIN_CONNECTORS = frozenset("de du la le van von al el bin da di".split())
# capitalised words after a title that are not names («ministre de la Santé», «Bakanı Yeni»)
LATIN_STOP = frozenset("""santé défense sénat intérieur affaires justice culture éducation état finances économie
travail agriculture environnement transports armées health defense interior foreign affairs state treasury
justice education energy house senate the a an of and et ou yeni türkiye ve ile""".split())
ORDINALS = frozenset(normalize(w) for w in """الأول الاول الثاني الثالث الرابع الخامس السادس السابع الثامن التاسع
العاشر الأخير الأولى الثانية الثالثة الرابعة الخامسة الأخيرة الجديد الجديدة""".split())
_TOKEN = re.compile(r"\w+|[^\w\s]")
_CLITIC = re.compile(r"^(?:[وف]?(?:بال|كال|لل|ال|ب|ل|ك)|[وف])")


def strip_clitics(word: str) -> str:
    """A normalised word without its clitic prefixes (و ف ب ل ك ال), kept at three letters or more."""
    for n in (4, 3, 2, 1):
        if len(word) - n >= 3 and word[:n] in PREFIXES:
            return word[n:]
    return word


# Names that begin with a letter that is also a clitic (normalised): never stripped.
_CLITIC_INITIAL_NAMES = frozenset(normalize(w) for w in """
وليد وائل وسام وفاء وديع وجدي وحيد وزير ولي فيصل فهد فاطمة فؤاد فريد فادي فارس فرانسوا فلاديمير فرانك فابيوس
بوتين بشار بدر بكر باسم بيل باراك بان بلير بوش بايدن براون بيريز بن ليلى لطفي لافروف لبيد لوبان لينا كمال كريم كيري
كاظم كلينتون كامل كاميرون كوفي كيم كينيدي""".split())


def surname_form(word: str) -> str:
    """A person key's word: a normalised token without the conjunction و/ف (وبوتين -> بوتين)."""
    if word in _CLITIC_INITIAL_NAMES:
        return word
    for n in (2, 1):
        head, rest = word[:n], word[n:]
        if len(rest) >= 3 and head in ("و", "ف", "وب", "فب", "ول", "فل", "ب", "ل", "ك") and (
                rest in _CLITIC_INITIAL_NAMES or n == 1 and head in ("و", "ف")):
            return rest
    return word


@cache
def _org_key_of_text(norm: str) -> str:
    """An organisation key from its normalised text: curated where the gazetteer knows it."""
    e = gazetteer().lookup(norm)
    if e is not None and e.kind == "ORG":
        return e.key
    words = norm.split()
    if words:
        w = words[0]
        if w.startswith("لل"):
            words[0] = "ا" + w[1:]
        elif w[:1] in ("و", "ف", "ب", "ل") and (w[1:] in gazetteer().org_cues or w[1:3] == "ال"):
            words[0] = w[1:]
    return "org:" + " ".join(words)


def person_key(words: Sequence[str]) -> str:
    """The key of a person from the normalised words of the name.

    The surname (last word, «عبد الله» joined); for a name with «بن» the given name and the father's name:
    «سلمان بن عبدالعزيز آل سعود» -> pers:سلمان بن عبدالعزيز.
    """
    ws: list[str] = []
    for w in words:
        if ws and ws[-1] in ("عبد", "ابو") and w not in CONNECTORS:
            ws[-1] += w
        else:
            ws.append(w)
    for i, w in enumerate(ws[1:-1], 1):
        if w in ("بن", "ابن", "بنت"):
            return f"pers:{surname_form(ws[0]) if i == 1 else ws[0]} بن {ws[i + 1]}"
    names = [w for w in ws if w not in CONNECTORS] or ws or [""]
    return "pers:" + surname_form(names[-1]) if len(names) == 1 else "pers:" + names[-1]


def entity_key(text: str, kind: str, lang: str | None = None) -> str:
    """The canonical key of a mention: loc:RU / loc:karabakh / loc:gn<geonameid>, pers:<surname>, org:<slug>."""
    norm = normalize(text)
    norm = re.sub(r"[^\w\s'-]", " ", norm).split()
    norm = " ".join(norm)
    if kind == "PERS":
        return person_key(norm.split())
    if kind == "ORG":
        return _org_key_of_text(norm)
    if kind == "LOC":
        e = gazetteer().lookup(norm)
        if e is not None and e.kind == "LOC":
            return e.key
        return "loc:" + " ".join(strip_clitics(w) for w in norm.split()[:1]) + (
            " " + " ".join(norm.split()[1:]) if len(norm.split()) > 1 else "")
    return kind.lower() + ":" + norm


class _Doc:
    """A text folded for matching, with its tokens (spans on the folded text)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded, self.offsets = fold(text)
        size = len(self.folded) + 1
        self.covered = bytearray(size)  # per character: 0, or LOC / ORG / TITLE below
        self.cache: dict[int, list[tuple[int, int, str]]] = {}

    def tokens_from(self, pos: int, n: int = 12) -> list[tuple[int, int, str]]:
        """Up to ``n`` tokens (start, end, text) of the folded text from ``pos``."""
        out = self.cache.get(pos)
        if out is None:
            out = [(m.start(), m.end(), m.group()) for m in islice(_TOKEN.finditer(self.folded, pos), n)]
            self.cache[pos] = out
        return out

    def orig(self, start: int, end: int) -> tuple[int, int]:
        """The original span of a folded span."""
        if self.offsets is None:
            return start, end
        return self.offsets[start], self.offsets[end - 1] + 1


    def is_upper(self, start: int) -> bool:
        """Whether the original character at a folded position is a capital letter."""
        o = self.offsets[start] if self.offsets else start
        return self.text[o].isupper()


def _select(mentions: Iterable[tuple[int, int, str, str, str]], size: int) -> list[tuple[int, int, str, str, str]]:
    """Non-overlapping spans: longer first, then earlier (``size``: length of the text they lie in)."""
    chosen: list[tuple[int, int, str, str, str]] = []
    taken = bytearray(size + 1)
    for m in sorted(mentions, key=lambda m: (m[0] - m[1], m[0])):
        if taken.find(1, m[0], m[1]) == -1:
            chosen.append(m)
            taken[m[0]:m[1]] = b"\x01" * (m[1] - m[0])
    chosen.sort()
    return chosen


class RuleTagger:
    """Gazetteer places and organisations, people after titles, organisations after cue words."""

    max_name_tokens = 6
    max_org_tokens = 6

    def tag(self, text: str, *, lang: str | None = None, title: str | None = None) -> list[Mention]:
        """Mentions in ``text``, offsets into it; known names are propagated through the document."""
        if not text:
            return []
        g = gazetteer()
        doc = _Doc(text)
        hits = g.hits(doc.folded, text, doc.offsets)
        size = len(doc.folded)
        places: list[tuple[int, int, str, str, str]] = []
        title_hits: list[tuple[int, int, str, str, str]] = []
        firsts: list[Hit] = []
        cues: list[Hit] = []
        for h in hits:  # one pass: hits by kind, in text order
            kind = h.entry.kind
            if kind == "LOC" or kind == "ORG":
                places.append((h.start - (2 if h.prefix.endswith("ال") else 0), h.end, kind, h.entry.key, "gazetteer"))
            elif kind == "TITLE":
                title_hits.append((h.start, h.end, "TITLE", h.entry.key, ""))
            elif kind == "FIRST":
                firsts.append(h)
            elif kind == "ORGCUE":
                cues.append(h)
        ents = _select(places, size)
        cov = doc.covered
        for s, e, kind, _, _ in ents:
            cov[s:e] = (_LOC_MARK if kind == "LOC" else _ORG_MARK) * (e - s)
        found: list[tuple[int, int, str, str, str]] = list(ents)
        titles = _select(title_hits, size)
        for s, e, *_ in titles:
            if not cov[s]:
                cov[s:e] = _TITLE_MARK * (e - s)
        for s, e, _, key, _ in titles:
            if cov[s] == TITLE:
                found += self._names_after(doc, e, key in DUAL_TITLES)
        for h in firsts:
            if not cov[h.start] and (h.start == 0 or not cov[h.start - 1]):
                # «محمد بن سلمان», «جون كيري»: a known given name and at least one more name word
                found += [p for p in self._names_after(doc, h.start, False, skip=False)
                          if doc.folded.count(" ", p[0], p[1]) >= 1 and p[0] == h.start]
        for h in cues:
            if not cov[h.start]:
                org = self._org_after(doc, h)
                if org is not None:
                    found.append(org)
        found += self._propagate(doc, found)
        out = []
        for s, e, kind, key, source in _select(found, size):
            os_, oe = doc.orig(s, e)
            out.append(Mention(text[os_:oe], kind, key, os_, oe, source))
        return out

    def __init__(self) -> None:
        g = gazetteer()
        self._stop = (STOPWORDS | g.function_words) - {"علي"}  # «على» (on) and «علي» (Ali) fold alike
        self._common = g.common
        self._verdicts: dict[str, bool | str] = {}  # memo of _word_verdict (bounded in _name_token_ok)

    def _name_token_ok(self, doc: _Doc, tok: tuple[int, int, str]) -> bool:
        """Whether a token may be part of a person's name (not covered, not a stopword or common noun)."""
        s, e, w = tok
        if doc.covered[s]:
            return False
        verdict = self._verdicts.get(w)
        if verdict is None:
            if len(self._verdicts) >= 200_000:
                self._verdicts.clear()
            verdict = self._verdicts[w] = self._word_verdict(w)
        if verdict is _ALI:
            return doc.text[doc.orig(s, e)[1] - 1] != "ى"  # «على» is the preposition, «علي» the name
        if verdict is _LATIN_WORD:
            return doc.is_upper(s)
        return verdict  # type: ignore[return-value]

    def _word_verdict(self, w: str) -> bool | str:
        """What the word alone says of a name token: True, False, or _ALI / _LATIN_WORD (the document decides)."""
        if not w.isalpha() or len(w) < 2 or w in self._stop:
            return False
        if w == "علي":
            return _ALI
        if is_latin(w):
            return _LATIN_WORD if w not in LATIN_STOP else False
        if w.startswith("ال") or w in self._common or (w[0] in "وفبل" and w[1:] in self._stop):
            return False
        if w in _CLITIC_INITIAL_NAMES:
            return True
        if w[0] in "بلك" and (w[1:] in self._common or w[1] == "ت" and len(w) >= 5 or gazetteer().lookup(w[1:])):
            return False  # «بتشكيل», «لتعزيز», «بجدة»: a preposition on a noun, not a name
        if w.endswith(("اته", "اتها", "تهم", "اتهم")):
            return False  # «تدريباته»: a noun with a pronoun suffix
        bare = strip_clitics(w)
        return bare not in self._stop and bare not in self._common

    def _names_after(self, doc: _Doc, pos: int, dual: bool, skip: bool = True) -> list[tuple[int, int, str, str, str]]:
        """People named after a title: skip adjectives («الروسي»), «لدى موسكو» and a comma, then take names."""
        toks = doc.tokens_from(pos, 16)
        cov = doc.covered
        j = 0
        skipped = 0 if skip else 4
        while j < len(toks) and skipped < 4:
            w = toks[j][2]
            c = cov[toks[j][0]]
            if c == LOC or (w.startswith(("ال", "وال")) and not is_latin(w) and c != TITLE):
                j += 1
            elif w in ("de", "du", "of", "d") and any(cov[t[0]] == LOC for t in toks[j + 1:j + 4]):
                j = next(i for i in range(j + 1, j + 4) if cov[toks[i][0]] == LOC) + 1  # «président de la France»
            elif w in ("لدي", "في") and j + 1 < len(toks) and cov[toks[j + 1][0]] == LOC:
                j += 2
            else:
                break
            skipped += 1
        if skip and j < len(toks) and toks[j][2] in ("،", ",", "(") and skipped <= 4:
            j += 1
        out = []
        for _ in range(2 if dual else 1):
            k = j
            names: list[int] = []
            free = 0  # name words not bound by a connector: an Arabic name after a title has at most two
            while k < len(toks) and len(names) < self.max_name_tokens:
                w = toks[k][2]
                bound = bool(names) and toks[k - 1][2] in CONNECTORS
                if w in CONNECTORS and names and k + 1 < len(toks):
                    names.append(k)
                elif bound and w.isalpha():
                    names.append(k)
                elif free >= 2 and not is_latin(w) or free >= 3:
                    break
                elif names and w in LATIN_CONNECTORS and k + 1 < len(toks):
                    names.append(k)  # «Ursula von der Leyen»
                elif (names and free < 2 and w.startswith("ال") and len(w) >= 5 and w[2:] not in self._common
                      and w not in self._stop and not cov[toks[k][0]]):
                    names.append(k)  # «الأمير خالد الفيصل»
                    free += 1
                elif w in ("(", ")") and names and k + 1 < len(toks) and toks[k + 1][2].isalpha():
                    pass  # «الرئيس (فلاديمير) بوتين»
                elif names and w.startswith("و") and not is_latin(w):
                    break
                elif self._name_token_ok(doc, toks[k]):
                    names.append(k)
                    free += 1
                else:
                    break
                k += 1
            while names and toks[names[-1]][2] in CONNECTORS | LATIN_CONNECTORS:
                names.pop()
            if not names:
                break
            s, e = toks[names[0]][0], toks[names[-1]][1]
            out.append((s, e, "PERS", person_key([toks[i][2] for i in names if toks[i][2].isalpha()]), "rules"))
            if not dual or k >= len(toks) or not toks[k][2].startswith("و") or len(toks[k][2]) < 4:
                break
            # «الرئيسين روحاني وبوتين»: the second name after the conjunction
            s2 = toks[k][0] + 1
            w2 = toks[k][2][1:]
            if w2 in self._stop or w2 in self._common or w2.startswith("ال"):
                break
            out.append((s2, toks[k][1], "PERS", "pers:" + w2, "rules"))
            break
        return out

    def _org_after(self, doc: _Doc, hit: Hit) -> tuple[int, int, str, str, str] | None:
        """An organisation opened by a cue word: «وكالة مهر للأنباء», «وزارة الشؤون الإسلامية»."""
        toks = doc.tokens_from(hit.end, self.max_org_tokens)
        cov = doc.covered
        j = k = 0
        definite = hit.prefix.endswith(("ال", "لل")) or hit.entry.key.startswith("ال")
        named_after = 0  # «جامعة الملك عبدالعزيز»: up to two name words after الملك / الأمير
        while k < len(toks):
            w = toks[k][2]
            c = cov[toks[k][0]]
            if named_after and w.isalpha() and (w in CONNECTORS or self._name_token_ok(doc, toks[k])):
                named_after -= 1
                k += 1
                continue
            if not w.isalpha() or w in self._stop or w in ORDINALS or c == ORG:
                break
            if c == TITLE:
                if w in ("الملك", "الامير", "الشيخ"):
                    named_after = 3
                    k += 1
                    continue
                break
            if w.startswith(("ال", "لل", "وال", "بال")) or c == LOC:
                k += 1
            elif k == j and not definite and not w.startswith(("و", "ف")) and strip_clitics(w) not in self._stop \
                    and w not in self._common:
                k += 1  # a bare name right after the cue: «وكالة مهر»
            else:
                break
        while k > j and toks[k - 1][2].startswith("و") and not toks[k - 1][2].startswith("وال"):
            k -= 1
        if k == j or all(cov[toks[i][0]] == LOC or toks[i][2].startswith("وال") for i in range(j, k)) and k - j > 1:
            return None
        start = hit.start - (2 if hit.prefix.endswith("ال") else 0)
        end = toks[k - 1][1]
        return start, end, "ORG", _org_key_of_text(" ".join(doc.folded[start:end].split())), "rules"

    def _propagate(self, doc: _Doc, found: Sequence[tuple[int, int, str, str, str]]) -> list[tuple[int, int, str, str, str]]:
        """Later mentions of a name found after a title: «روحاني», «وبوتين», «السفير جلالي»."""
        surnames = {}
        for s, e, kind, key, _ in found:
            if kind == "PERS":
                words = doc.folded[s:e].split()
                last = words[-1] if words else ""
                if len(last) >= 3 and key == "pers:" + last and last not in self._common and last not in self._stop \
                        and last != "علي":  # «على» (on) folds to «علي»: never propagated
                    surnames[last] = key
        if not surnames:
            return []
        out = []
        folded, cov = doc.folded, doc.covered
        for name, key in surnames.items():
            latin = is_latin(name)
            i = folded.find(name)
            while i != -1:
                end = i + len(name)
                if (end >= len(folded) or not folded[end].isalnum()) and cov[i] not in (LOC, ORG) and (
                        not latin or doc.is_upper(i)):
                    p = i
                    while p > 0 and folded[p - 1].isalpha() and i - p <= 4:
                        p -= 1
                    if (p == 0 or not folded[p - 1].isalpha()) and folded[p:i] in PREFIXES:
                        out.append((i, end, "PERS", key, "rules"))
                i = folded.find(name, end)
        return out


class CombinedTagger:
    """Several taggers in one: overlapping mentions resolved longer first, then earlier, then by tagger order.

    Where a later tagger finds the same span as the gazetteer, the gazetteer's key is kept.
    """

    def __init__(self, taggers: Sequence[EntityTagger]) -> None:
        self.taggers = list(taggers)

    def tag(self, text: str, *, lang: str | None = None, title: str | None = None) -> list[Mention]:
        """The merged mentions of all taggers."""
        ranked: list[tuple[int, int, int, Mention]] = []
        for rank, tagger in enumerate(self.taggers):
            for m in tagger.tag(text, lang=lang, title=title):
                ranked.append((m.end - m.start, -m.start, -rank, m))
        by_span = {(m.start, m.end): m for *_, m in ranked if m.source == "gazetteer"}
        chosen: list[Mention] = []
        for *_, m in sorted(ranked, key=lambda r: (-r[0], -r[1], -r[2])):
            if any(m.start < c.end and c.start < m.end for c in chosen):
                continue
            g = by_span.get((m.start, m.end))
            chosen.append(g if g is not None else m)
        return sorted(chosen, key=lambda m: m.start)


@cache
def default_tagger() -> EntityTagger:
    """The shared rule tagger (gazetteer loaded on first use)."""
    return RuleTagger()
