"""Attributions and quotes: who said (or reported) what, from speech verbs, «في بيان», «وفق/بحسب» and quote marks."""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

import ahocorasick

from khabar.article import Mention, Quote

_A = "[اأإآ]"
# Arabic speech and report verbs (past, masculine and feminine), with an optional و/ف conjunction.
_AR_VERBS = [
    "قال", "قالت", f"{_A}علن", f"{_A}علنت", f"{_A}كد", f"{_A}كدت", f"{_A}وضح", f"{_A}وضحت", f"{_A}شار", f"{_A}شارت",
    f"{_A}ضاف", f"{_A}ضافت", "صرح", "صرحت", f"{_A}فاد", f"{_A}فادت", "ذكر", "ذكرت", "نقل عن", "نقلت عن",
    "شدد", "شددت", "لفت", "لفتت", f"{_A}عرب", f"{_A}عربت", "تابع", "تابعت", "كشف", "كشفت", "نفى", "نفت",
    "اعتبر", "اعتبرت", "رأى", "رأت", "قالوا", "ذكروا", f"{_A}كدوا",
]
_AR_ACCORDING_WORDS = ["وفقا ل", "وفقاً ل", "وفق", "بحسب", "حسب", "نقلا عن", "نقلاً عن"]


class _Cue(NamedTuple):
    """A cue found in the text: its span and whether it is a speech verb or «بحسب»-like."""

    start: int
    end: int
    text: str
    according: bool


@cache
def _cue_automaton() -> ahocorasick.Automaton:
    """Speech verbs and «بحسب»-like cues, with hamza spellings and the و/ف conjunction, in one automaton."""
    auto = ahocorasick.Automaton()
    forms: dict[str, bool] = {}
    for pattern in _AR_VERBS:
        for alef in "اأإآ":
            forms[pattern.replace(_A, alef)] = False
    for w in _AR_ACCORDING_WORDS:
        forms[w] = True
    for form, according in forms.items():
        for conj in ("", "و", "ف"):
            auto.add_word(conj + form, (len(conj + form), according))
    auto.make_automaton()
    return auto


def _cues(text: str) -> list[_Cue]:
    """Cue words on word boundaries (the longest at each end position)."""
    out: list[_Cue] = []
    n = len(text)
    for end_idx, (length, according) in _cue_automaton().iter(text):
        start, end = end_idx + 1 - length, end_idx + 1
        if start > 0 and text[start - 1].isalnum():
            continue
        if not according and end < n and text[end].isalnum():
            continue
        if according and end < n and text[end].isalnum() and not text[end - 1] == "ل":
            continue
        if out and out[-1].start <= start < out[-1].end:
            if end - start <= out[-1].end - out[-1].start:
                continue
            out.pop()
        out.append(_Cue(start, end, text[start:end], according))
    return out


_LATIN = re.compile(r"[A-Za-z]{4}")
_EN_VERB = re.compile(
    r"\b(?:said|says|told|stated|announced|added|declared|according to|a déclaré|a affirmé|a indiqué|"
    r"a ajouté|a annoncé|a dit|selon|dedi|açıkladı|söyledi|belirtti|ifade etti|kaydetti|göre)\b"
)
# what ends the speaker: a colon, a quote mark, «أن/إن/بأن», a comma or a full stop
_SPEAKER_END = re.compile(r"[:：\"«“„]|(?<![\w])(?:ب?[أاإ]ن(?:ه|ها)?|عن|إلى|الى)(?![\w])|[،,.؛\n]")
_QUOTE_OPEN = "\"«“„"
_QUOTE_CLOSE = {"\"": "\"", "«": "»", "“": "”", "„": "“"}
_SENTENCE_END = re.compile(r"[.!؟?\n]")
_INTRO = re.compile(r"[\s،,]*(?:[:：]\s*)?(?:ب?[أاإ]ن(?:ه|ها)?\s+)?")
_ALIAS = re.compile(r"\s*[\"«“(][^\"»”)\n]{1,30}[\"»”)]")  # «الرئاسة الروسية "الكرملين"»
_STATEMENT = re.compile(r"(?:في|عبر)\s+(?:بيان|تغريدة|تصريح|تصريحات|مؤتمر\s+صحفي|حديث|مقابلة)")
SPEAKER_KINDS = ("PERS", "ORG")


def _quoted_or_clause(text: str, pos: int, limit: int) -> tuple[int, int]:
    """The span of what was said from ``pos``: a quotation if one opens before the sentence ends, else the clause."""
    end_sent = _SENTENCE_END.search(text, pos)
    sent_end = end_sent.start() if end_sent else len(text)
    sent_end = min(sent_end, limit)
    i = pos
    while i < sent_end:
        ch = text[i]
        if ch in _QUOTE_OPEN:
            close = text.find(_QUOTE_CLOSE[ch], i + 1)
            nxt = text.find("\n", i + 1)
            if close == -1 or (nxt != -1 and nxt < close):
                close = nxt if nxt != -1 else len(text)
            if text.count(" ", i, close) >= 3:  # a quotation, not a quoted name such as "تويتر"
                return i + 1, close
            i = close
        i += 1
    m = _INTRO.match(text, pos)
    start = m.end() if m else pos
    return start, sent_end


def _speaker(entities: list[Mention], start: int, end: int, reach: int = 50) -> Mention | None:
    """The first person or organisation that starts within ``reach`` characters of ``start`` and ends by ``end``."""
    for m in entities:
        if m.kind in SPEAKER_KINDS and m.start >= start and m.end <= end and m.start - start <= reach:
            return m
    return None


def _subject(entities: list[Mention], start: int, end: int) -> Mention | None:
    """The subject after a verb: the first person within reach (titles come first), else the first organisation.

    «وأكد المشرف العام على العلاقات العامة بوزارة الحج الأستاذ علي بن محمد الغامدي أن …» -> the person.
    """
    person = next((m for m in entities if m.kind == "PERS" and start <= m.start and m.end <= end
                   and m.start - start <= PERSON_REACH), None)
    return person or _speaker(entities, start, end)


PERSON_REACH = 90
# after these the verb's subject came before it («كشف عن», «أشار إلى»): no subject follows
_OBJECT_FIRST = re.compile(r"\s*(?:عن|الى|إلى|على|في|ب[ا-ي]|ل[ا-ي])(?:\s|$)|\s*(?:عن|الى|إلى|على)\s")
_BODY_MARK = re.compile(r"[:：]|(?<![\w])ب?[أاإ]ن(?:ه|ها)?(?![\w])")


def find_quotes(text: str, entities: list[Mention], lang: str | None = None) -> list[Quote]:
    """Who said what: speech verbs with the speaker after them (Arabic) or beside them (English, French, Turkish)."""
    if not text:
        return []
    ents = sorted((m for m in entities if m.kind in SPEAKER_KINDS), key=lambda m: m.start)
    quotes: list[Quote] = []
    last_end = -1
    prev_speaker: tuple[str, str] | None = None
    cues = _cues(text)
    for m in cues:
        if m.according or m.start < last_end:
            continue
        after = m.end
        stop = _SPEAKER_END.search(text, after)
        window_end = stop.start() if stop else len(text)
        window_end = min(window_end, after + 150)
        if _OBJECT_FIRST.match(text, after):
            # «جلالي أعلن في تغريدة …», «X كشف عن …»: a subject just before the verb, or none
            who = next((e for e in ents if 0 <= m.start - e.end <= 3), None)
            if who is None:
                continue
            window_end = after
        else:
            who = _subject(ents, after, window_end)
        stmt = _STATEMENT.search(text, after, min(len(text), after + 60))
        if who is not None:
            speaker = text[after:who.end].strip(" ،,(\"«")
            key = who.key
            if len(speaker) > 80:
                speaker, key = who.text, who.key
        elif text[after:window_end].strip() == "":
            if prev_speaker is None:
                continue
            speaker, key = prev_speaker
        else:
            continue  # the verb's subject is not a known person or organisation
        body_from = max(who.end, after) if who is not None else after
        if stop is not None and _BODY_MARK.match(text, stop.start()) and stop.start() >= body_from:
            body_from = stop.start()  # «… الغامدي أن …»: what was said starts at «أن»
        alias = _ALIAS.match(text, body_from)
        if alias is not None:
            body_from = alias.end()
        if stmt is not None and stmt.start() - body_from < 10:
            body_from = stmt.end()
        q_start, q_end = _quoted_or_clause(text, body_from, len(text))
        said = text[q_start:q_end].strip()
        if len(said) < 8:
            continue
        quotes.append(Quote(speaker, said, cue=m.text, start=q_start, end=q_end, speaker_key=key))
        prev_speaker = (speaker, key)
        inner = _speaker(ents, q_start, q_end, reach=3)
        if inner is not None and inner.kind == "PERS" and any(c.start == inner.end + 1 for c in cues):
            prev_speaker = (inner.text, inner.key)  # «أفادت وكالة مهر أن جلالي أعلن …»: then «وقال» is Jalali
        last_end = q_end
    for m in cues:
        if not m.according:
            continue
        who = next((e for e in ents if 0 <= e.start - m.end <= 3), None)
        if who is None or any(q.start <= m.start < q.end for q in quotes):
            continue
        sent_start = max(text.rfind(c, 0, m.start) for c in ".\n!؟?") + 1
        said = text[sent_start:m.start].strip(" ،,")
        if len(said) >= 8:
            quotes.append(Quote(text[m.end:who.end].strip(), said, cue=m.text, start=sent_start,
                                end=m.start, speaker_key=who.key))
    if lang in ("ar", "fa", "ur") or (lang is None and _LATIN.search(text) is None):
        return sorted(quotes, key=lambda q: q.start)
    for m in _EN_VERB.finditer(text):
        if any(q.start <= m.start() < q.end for q in quotes):
            continue
        before = [e for e in ents if 0 <= m.start() - e.end <= 40]
        after_ = [e for e in ents if 0 <= e.start - m.end() <= 25]
        who = before[-1] if before else (after_[0] if after_ else None)
        if who is None:
            continue
        sent_start = max(text.rfind(c, 0, who.start) for c in ".\n!?") + 1
        sent_end_m = _SENTENCE_END.search(text, m.end())
        sent_end = sent_end_m.start() if sent_end_m else len(text)
        q_start, q_end = _quoted_or_clause(text, sent_start, sent_end)
        if q_end <= q_start:
            continue
        said = text[q_start:q_end].strip()
        if len(said) >= 8 and not any(q.start == q_start and q.end == q_end for q in quotes):
            quotes.append(Quote(who.text, said, cue=m.group(), start=q_start, end=q_end, speaker_key=who.key))
    return sorted(quotes, key=lambda q: q.start)
