"""Dates mentioned in a text (Arabic first; English, French, Turkish basics), resolved against the publication date.

Compiled regexes run over a length-preserving matching form of the text (letter variants and Arabic-Indic
digits folded, lower case), so every mention keeps its span in the original. Absolute dates (Gregorian with
MSA, Levantine, Maghrebi, Urdu, English, French and Turkish month names; Hijri; numeric) need no reference;
relative ones («اليوم السبت», «أمس», «الثلاثاء الماضي», «27 أيلول/سبتمبر الماضي», «الأسبوع الماضي») need ``ref``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta

import ahocorasick
from hijridate import Gregorian, Hijri

from khabar.article import DateMention
from khabar.extract.agencies import fold_light

_ARABIC_DIGITS = re.compile(r"[\u0660-\u0669\u06f0-\u06f9]+")


_DIGIT_CHARS = [chr(c) for c in (*range(0x0660, 0x066A), *range(0x06F0, 0x06FA))]


def _fold_digits(text: str) -> str:
    """Arabic-Indic and Persian digits to ASCII (length preserved); fast when there are none."""
    if not any(c in text for c in _DIGIT_CHARS):
        return text
    return _ARABIC_DIGITS.sub(lambda m: "".join(str(int(c)) for c in m.group()), text)


def _matching_form(text: str) -> str:
    """The text folded for matching, same length as ``text``."""
    return _fold_digits(fold_light(text))


# ---------------------------------------------------------------- vocabulary (written naturally, folded below)
_MONTHS: dict[int, list[str]] = {
    1: ["يناير", "كانون الثاني", "جانفي", "جنوری", "ژانویه", "january", "jan", "janvier", "ocak"],
    2: ["فبراير", "شباط", "فيفري", "فروری", "فوریه", "february", "feb", "février", "fevrier", "févr", "şubat"],
    3: ["مارس", "آذار", "مارچ", "march", "mar", "mars", "mart"],
    4: ["أبريل", "إبريل", "ابريل", "نيسان", "أفريل", "اپریل", "آوریل", "april", "apr", "avril", "nisan"],
    5: ["مايو", "أيار", "ماي", "مئی", "may", "mai", "mayıs"],
    6: ["يونيو", "يونيه", "حزيران", "جوان", "جون", "ژوئن", "june", "jun", "juin", "haziran"],
    7: ["يوليو", "يوليه", "تموز", "جويلية", "جولائی", "ژوئیه", "july", "jul", "juillet", "juil", "temmuz"],
    8: ["أغسطس", "اغسطس", "آب", "أوت", "اگست", "اوت", "august", "aug", "août", "aout", "ağustos"],
    9: ["سبتمبر", "أيلول", "شتنبر", "ستمبر", "سپتامبر", "september", "sept", "sep", "septembre", "eylül"],
    10: ["أكتوبر", "اكتوبر", "تشرين الأول", "أكتوبر", "اکتوبر", "اکتبر", "october", "oct", "octobre", "ekim"],
    11: ["نوفمبر", "تشرين الثاني", "نونبر", "نومبر", "نوامبر", "november", "nov", "novembre", "kasım"],
    12: ["ديسمبر", "كانون الأول", "دجنبر", "دسمبر", "دسامبر", "december", "dec", "décembre", "decembre", "aralık"],
}
_HIJRI_MONTHS: dict[int, list[str]] = {
    1: ["محرم"],
    2: ["صفر"],
    3: ["ربيع الأول", "ربيع أول"],
    4: ["ربيع الثاني", "ربيع الآخر", "ربيع ثاني"],
    5: ["جمادى الأولى", "جمادى الأول", "جمادى أول"],
    6: ["جمادى الآخرة", "جمادى الثانية", "جمادى الآخر", "جمادى ثاني"],
    7: ["رجب"],
    8: ["شعبان"],
    9: ["رمضان"],
    10: ["شوال"],
    11: ["ذو القعدة", "ذي القعدة"],
    12: ["ذو الحجة", "ذي الحجة"],
}
# Monday = 0, as date.weekday()
_WEEKDAYS: dict[int, list[str]] = {
    0: ["الاثنين", "الإثنين", "monday", "lundi", "pazartesi"],
    1: ["الثلاثاء", "tuesday", "mardi", "salı"],
    2: ["الأربعاء", "الاربعاء", "wednesday", "mercredi", "çarşamba"],
    3: ["الخميس", "thursday", "jeudi", "perşembe"],
    4: ["الجمعة", "friday", "vendredi", "cuma"],
    5: ["السبت", "saturday", "samedi", "cumartesi"],
    6: ["الأحد", "الاحد", "sunday", "dimanche", "pazar"],
}
_PAST = ["الماضي", "الماضية", "المنصرم", "المنصرمة", "الفائت", "الفائتة", "السابق", "last", "dernier", "dernière",
         "passé", "geçen", "geçtiğimiz"]
_FUTURE = ["المقبل", "المقبلة", "القادم", "القادمة", "next", "prochain", "prochaine", "gelecek", "önümüzdeki"]
_CURRENT = ["الجاري", "الجارية", "الحالي", "الحالية", "this", "ce", "cette", "bu"]


def _fold_word(word: str) -> str:
    return fold_light(word)


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted({_fold_word(w) for w in words}, key=len, reverse=True))


def _index(table: dict[int, list[str]]) -> dict[str, int]:
    return {_fold_word(w): k for k, ws in table.items() for w in ws}


_MONTH_OF = _index(_MONTHS)
_HIJRI_OF = _index(_HIJRI_MONTHS)
_WEEKDAY_OF = _index(_WEEKDAYS)
_REL_OF = {_fold_word(w): -1 for w in _PAST} | {_fold_word(w): 1 for w in _FUTURE} | {
    _fold_word(w): 0 for w in _CURRENT
}

_B = r"(?<!\w)"  # word start
_E = r"(?!\w)"  # word end
_MONTH = rf"(?:{_alt([w for ws in _MONTHS.values() for w in ws])})"
_HMONTH = rf"(?:{_alt([w for ws in _HIJRI_MONTHS.values() for w in ws])})"
_WEEKDAY = rf"(?:{_alt([w for ws in _WEEKDAYS.values() for w in ws])})"
# «أيلول/سبتمبر», «تموز (يوليو)», «(سبتمبر) أيلول»: the first month names the date, the second repeats it.
_ARABIC_SCRIPT_MONTHS = [w for ws in _MONTHS.values() for w in ws if "\u0600" <= w[0] <= "\u06ff"]
_MONTH_ARABIC_SCRIPT = rf"(?:{_alt(_ARABIC_SCRIPT_MONTHS)})"
_PAIR = rf"(?:\s*[/-]\s*{_MONTH}|\s*\(\s*{_MONTH}\s*\)|\s+{_MONTH_ARABIC_SCRIPT}(?!\w))?"  # «مارس آذار» too
_MONTHX = rf"(?P<m>{_MONTH})\.?{_PAIR}(?:['’]\w+)?"
_YEAR_TAIL = r"(?:\s*[،,]?\s*(?:من\s+)?(?:عام\s+|سنه\s+|العام\s+)?(?P<y>\d{4})(?!\d)(?:\s*(?:م|ء)(?!\w))?)"
_LATIN_ORD = r"(?:er|st|nd|rd|th|\.)?"

# Resolvers get the match, the reference date and return (date, granularity, calendar) or None.
Resolver = Callable[[re.Match[str], date | None], tuple[date, str, str] | None]


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _hijri(y: int, m: int, d: int) -> date | None:
    try:
        g = Hijri(y, m, d).to_gregorian()
    except (ValueError, OverflowError):
        return None
    return date(*g.datetuple())


def _rel(m: re.Match[str]) -> int | None:
    word = m.groupdict().get("rel")
    return _REL_OF.get(word) if word else None


def _pick_year(make: Callable[[int], date | None], ref: date, rel: int | None, ref_year: int) -> date | None:
    """The year for a day-month without one: before ref («الماضي»), after it («المقبل»), else the nearest."""
    cands = [d for y in (ref_year - 1, ref_year, ref_year + 1) if (d := make(y)) is not None]
    if not cands:
        return None
    if rel == -1:
        past = [d for d in cands if d <= ref]
        return max(past) if past else None
    if rel == 1:
        future = [d for d in cands if d >= ref]
        return min(future) if future else None
    if rel == 0:
        return make(ref_year)
    return min(cands, key=lambda d: (abs((d - ref).days), d > ref))


def _day_month(m: re.Match[str], ref: date | None) -> tuple[date, str, str] | None:
    day, month = int(m.group("d")), _MONTH_OF[m.group("m")]
    if m.group("y"):
        d = _safe_date(int(m.group("y")), month, day)
        return (d, "day", "gregorian") if d else None
    if ref is None:
        return None
    d = _pick_year(lambda y: _safe_date(y, month, day), ref, _rel(m), ref.year)
    return (d, "day", "gregorian") if d else None


def _hijri_day_month(m: re.Match[str], ref: date | None) -> tuple[date, str, str] | None:
    day, month = int(m.group("d")), _HIJRI_OF[m.group("m")]
    if m.group("y"):
        d = _hijri(int(m.group("y")), month, day)
        return (d, "day", "hijri") if d else None
    if ref is None:
        return None
    try:
        hy = Gregorian(ref.year, ref.month, ref.day).to_hijri().year
    except (ValueError, OverflowError):
        return None
    cands = [d for y in (hy - 1, hy, hy + 1) if (d := _hijri(y, month, day)) is not None]
    if not cands:
        return None
    rel = _rel(m)
    if rel == -1:
        cands = [d for d in cands if d <= ref] or cands
        return max(cands), "day", "hijri"
    if rel == 1:
        cands = [d for d in cands if d >= ref] or cands
        return min(cands), "day", "hijri"
    return min(cands, key=lambda d: abs((d - ref).days)), "day", "hijri"


def _numeric(m: re.Match[str], ref: date | None) -> tuple[date, str, str] | None:
    y, mo, d = int(m.group("y")), int(m.group("mo")), int(m.group("d"))
    if mo > 12 and d <= 12:
        mo, d = d, mo
    if m.group("h") or 1300 <= y <= 1500:
        out = _hijri(y, mo, d)
        return (out, "day", "hijri") if out else None
    if not 1900 <= y <= 2100:
        return None
    out = _safe_date(y, mo, d)
    return (out, "day", "gregorian") if out else None


def _month_year(m: re.Match[str], ref: date | None) -> tuple[date, str, str] | None:
    y = int(m.group("y"))
    if m.group("m") in _HIJRI_OF:
        out = _hijri(y, _HIJRI_OF[m.group("m")], 1)
        return (out, "month", "hijri") if out else None
    if not 1900 <= y <= 2100:
        return None
    return date(y, _MONTH_OF[m.group("m")], 1), "month", "gregorian"


def _month_rel(m: re.Match[str], ref: date | None) -> tuple[date, str, str] | None:
    if ref is None:
        return None
    rel = _rel(m)
    name = m.group("m")
    if name in _HIJRI_OF:
        month = _HIJRI_OF[name]
        try:
            hy = Gregorian(ref.year, ref.month, ref.day).to_hijri().year
        except (ValueError, OverflowError):
            return None
        make = lambda y: _hijri(y, month, 1)  # noqa: E731
        cal = "hijri"
    else:
        month, hy, cal = _MONTH_OF[name], ref.year, "gregorian"
        make = lambda y: _safe_date(y, month, 1)  # noqa: E731
    start_of_ref_month = ref.replace(day=1) if cal == "gregorian" else ref
    d = _pick_year(make, start_of_ref_month if rel != 1 else ref, rel, hy)
    return (d, "month", cal) if d else None


def _year(m: re.Match[str], ref: date | None) -> tuple[date, str, str] | None:
    y = int(m.group("y"))
    if m.group("h") or 1300 <= y <= 1500:
        out = _hijri(y, 1, 1)
        return (out, "year", "hijri") if out else None
    if not 1900 <= y <= 2100:
        return None
    return date(y, 1, 1), "year", "gregorian"


_TODAY_WORDS = {"اليوم": 0, "الليله": 0, "today": 0, "tonight": 0, "aujourd'hui": 0, "aujourd’hui": 0, "bugün": 0,
                "امس": -1, "بالامس": -1, "البارحه": -1, "yesterday": -1, "hier": -1, "dün": -1,
                "غدا": 1, "غدًا": 1, "غداً": 1, "الغد": 1, "tomorrow": 1, "demain": 1, "yarın": 1}


def _relative_day(m: re.Match[str], ref: date | None) -> tuple[date, str, str] | None:
    if ref is None:
        return None
    word = " ".join(m.group("w").split())
    if word in ("اول من امس", "الليله قبل الماضيه"):
        offset = -2
    elif word.startswith(("امس", "بالامس")) or word in ("avant-hier", "önceki gün", "evvelki gün"):
        offset = -2 if (m.group("first") or word in ("avant-hier", "önceki gün", "evvelki gün")) else -1
    elif word.startswith("بعد"):
        offset = 2
    elif word in ("الليله الماضيه", "last night", "la nuit dernière", "dün gece", "dün akşam"):
        offset = -1
    else:
        offset = _TODAY_WORDS.get(word, 0)
    d = ref + timedelta(days=offset)
    wd = m.groupdict().get("wd")
    if wd and offset == 0:
        d = _weekday_from(ref, _WEEKDAY_OF[wd], None)
    return d, "day", "gregorian"


def _weekday_from(ref: date, wd: int, rel: int | None) -> date:
    if rel == -1:
        return ref - timedelta(days=(ref.weekday() - wd) % 7 or 7)
    if rel == 1:
        return ref + timedelta(days=(wd - ref.weekday()) % 7 or 7)
    return ref - timedelta(days=(ref.weekday() - wd) % 7)


def _weekday(m: re.Match[str], ref: date | None) -> tuple[date, str, str] | None:
    if ref is None:
        return None
    rel = _rel(m)
    if rel is None and m.groupdict().get("pre"):
        rel = _REL_OF.get(m.group("pre").split()[0])
    return _weekday_from(ref, _WEEKDAY_OF[m.group("wd")], rel), "day", "gregorian"


_UNIT = {"الاسبوع": "week", "الشهر": "month", "العام": "year", "السنه": "year", "week": "week", "month": "month",
         "year": "year", "semaine": "week", "mois": "month", "année": "year", "an": "year", "hafta": "week",
         "ay": "month", "yıl": "year", "sene": "year"}


def _unit_rel(m: re.Match[str], ref: date | None) -> tuple[date, str, str] | None:
    if ref is None:
        return None
    unit = _UNIT[m.group("u")]
    rel = _REL_OF.get(m.group("rel"), 0)
    if unit == "week":
        monday = ref - timedelta(days=ref.weekday())
        return monday + timedelta(weeks=rel), "week", "gregorian"
    if unit == "month":
        y, mo = divmod(ref.year * 12 + ref.month - 1 + rel, 12)
        return date(y, mo + 1, 1), "month", "gregorian"
    return date(ref.year + rel, 1, 1), "year", "gregorian"


_RELWORD = rf"(?:{_alt(_PAST + _FUTURE + _CURRENT)})"
_PART_OF_DAY = r"(?:صباح|مساء|ظهر|عصر|فجر|ليل|ليله|نهار|منتصف\s+ليل|منذ|حتى|مطلع|خلال|طيله)"

# (priority, languages or None for all, pattern, resolver, triggers): a lower priority number wins an overlap;
# a pattern is tried only near one of its trigger words or digit runs ("DIGIT:sep|day|year"), starting at the
# trigger's token or up to BACK=n tokens before it.
_SPECS: list[tuple[int, frozenset[str] | None, str, Resolver, str]] = [
    (0, None, r"(?<![\d/.\-])(?P<d>\d{1,2})[/.\-](?P<mo>\d{1,2})[/.\-](?P<y>\d{4})(?![\d/\-]|\.\d)"
              r"(?:\s*(?P<h>هـ|ه)(?!\w))?", _numeric, "DIGIT:sep"),
    (0, None, r"(?<![\d/.\-])(?P<y>\d{4})[/\-](?P<mo>\d{1,2})[/\-](?P<d>\d{1,2})(?![\d/\-])"
              r"(?:\s*(?P<h>هـ|ه)(?!\w))?", _numeric, "DIGIT:sep"),
    (1, None, rf"(?<!\d)(?P<d>\d{{1,2}})\s*(?:من\s+)?(?:شهر\s+)?(?P<m>{_HMONTH}){_E}"
              r"(?:\s*[،,]?\s*(?:من\s+)?(?:عام\s+|سنه\s+)?(?P<y>\d{4})(?!\d)(?:\s*(?:هـ|ه)(?!\w))?)?"
              rf"(?:\s+(?P<rel>{_RELWORD}){_E})?", _hijri_day_month, "DIGIT:day"),
    (1, None, rf"(?<![\d.])(?P<d>\d{{1,2}}){_LATIN_ORD}\s*(?:من\s+)?(?:شهر\s+)?{_MONTHX}{_E}{_YEAR_TAIL}?"
              rf"(?:\s+(?P<rel>{_RELWORD}){_E})?", _day_month, "DIGIT:day"),
    (1, frozenset({"en", "tr", "fr"}), rf"{_B}{_MONTHX}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)"
              r"(?:\s*,?\s*(?P<y>\d{4})(?!\d))?", _day_month, "MONTH"),
    (2, None, rf"{_B}(?:شهر\s+)?(?P<m>{_MONTH}|{_HMONTH})\.?{_PAIR}"
              r"\s*[،,]?\s*(?:من\s+)?(?:عام\s+|سنه\s+|العام\s+)?(?P<y>\d{4})(?!\d)(?:\s*(?:م|ء|هـ|ه)(?!\w))?",
     _month_year, "MONTH HMONTH BACK=1"),
    (2, frozenset({"ar", "fa", "ur"}), rf"{_B}(?P<c>[وف]?[لب]?)(?:شهر\s+)?(?P<m>{_MONTH}|{_HMONTH})"
              rf"{_PAIR}\s+(?P<rel>{_RELWORD}){_E}", _month_rel, "MONTH HMONTH BACK=1"),
    (3, frozenset({"ar", "fa", "ur"}), r"(?<!\w)[وف]?(?:عام|سنه|العام)\s+(?P<y>\d{4})(?!\d)"
              r"(?:\s*(?:(?P<h>هـ|ه)|م)(?!\w))?", _year, "DIGIT:year BACK=1"),
    (3, frozenset({"en", "fr", "tr"}), r"(?<!\w)(?:in|en|since|depuis)\s+(?P<y>\d{4})(?!\d)(?P<h>)", _year,
     "DIGIT:year BACK=1"),
    (3, frozenset({"tr"}), r"(?<!\d)(?P<y>\d{4})\s+yıl\w*(?P<h>)", _year, "DIGIT:year"),
    # relative days
    (4, frozenset({"ar", "fa", "ur"}),
     rf"(?<!\w)(?P<c>[وف])?(?:{_PART_OF_DAY}\s+)?(?P<w>الليله\s+قبل\s+الماضيه|الليله\s+الماضيه|اول\s+من\s+امس|اليوم|الليله|بالامس|امس|البارحه|الغد|غد(?:اً|ًا|ا)(?!ء)"
     rf"|بعد\s+غد)(?:\s+(?P<first>الاول))?(?:\s*\(?\s*(?P<wd>{_WEEKDAY})\)?)?{_E}", _relative_day,
     "الليله اليوم بالامس امس البارحه الغد غد غدٍ غدا غدًا غداً BACK=3"),
    (4, frozenset({"en"}), r"(?<!\w)(?P<w>today|tonight|yesterday|tomorrow|last\s+night)(?P<first>)(?!\w)",
     _relative_day, "today tonight yesterday tomorrow night BACK=1"),
    (4, frozenset({"fr"}), r"(?<!\w)(?P<w>aujourd['’]hui|avant-hier|hier|demain|la\s+nuit\s+dernière)(?P<first>)(?!\w)",
     _relative_day, "aujourd avant hier demain nuit BACK=1"),
    (4, frozenset({"tr"}), r"(?<!\w)(?P<w>bugün|dün\s+gece|dün\s+akşam|dün|yarın|önceki\s+gün|evvelki\s+gün)"
                           r"(?P<first>)(?:kü|ki)?(?!\w)", _relative_day, "bugün bugünkü dün dünkü yarın önceki evvelki"),
    # weekdays
    (5, frozenset({"ar", "fa", "ur"}),
     rf"(?<!\w)(?P<c>[وف])?(?:{_PART_OF_DAY}\s+)?(?:يوم\s+)?(?P<wd>{_WEEKDAY})(?:\s+(?P<rel>{_RELWORD}))?{_E}",
     _weekday, "WEEKDAY BACK=2"),
    (5, frozenset({"en"}), rf"(?<!\w)(?:(?P<pre>last|next|this|on)\s+)?(?P<wd>{_WEEKDAY}){_E}", _weekday,
     "WEEKDAY BACK=1"),
    (5, frozenset({"fr"}), rf"(?<!\w)(?:(?P<pre>ce)\s+)?(?P<wd>{_WEEKDAY})(?:\s+(?P<rel>{_RELWORD}))?{_E}",
     _weekday, "WEEKDAY BACK=1"),
    (5, frozenset({"tr"}), rf"(?<!\w)(?:(?P<pre>geçen|geçtiğimiz|önümüzdeki|gelecek|bu)\s+)?(?P<wd>{_WEEKDAY})"
                           r"(?:\s+(?:günü|akşamı|sabahı|gecesi))?(?!\w)", _weekday,
     "WEEKDAY BACK=1"),
    # last week / next month / this year
    (6, frozenset({"ar", "fa", "ur"}),
     rf"(?<!\w)(?P<c>[وف]?[لب]?)(?P<u>الاسبوع|الشهر|العام|السنه)\s+(?P<rel>{_RELWORD}){_E}", _unit_rel,
     "الاسبوع الشهر العام السنه"),
    (6, frozenset({"en"}), r"(?<!\w)(?P<rel>last|next|this)\s+(?P<u>week|month|year)(?!\w)", _unit_rel,
     "week month year BACK=1"),
    (6, frozenset({"fr"}), rf"(?<!\w)(?:la|le|l['’]|cette|ce)\s*(?P<u>semaine|mois|année|an)\s+(?P<rel>{_RELWORD})(?!\w)",
     _unit_rel, "semaine mois année an BACK=1"),
    (6, frozenset({"tr"}), r"(?<!\w)(?P<rel>geçen|geçtiğimiz|gelecek|önümüzdeki|bu)\s+(?P<u>hafta|ay|yıl|sene)\w*",
     _unit_rel, "hafta ay yıl sene BACK=1"),
]
_COMPILED = [(prio, langs, re.compile(pat), fn) for prio, langs, pat, fn, _ in _SPECS]
_TRIGGER_SETS = {
    "MONTH": [w for ws in _MONTHS.values() for w in ws],
    "HMONTH": [w for ws in _HIJRI_MONTHS.values() for w in ws],
    "WEEKDAY": [w for ws in _WEEKDAYS.values() for w in ws],
    "PARTOFDAY": ["صباح", "مساء", "ظهر", "عصر", "فجر", "ليل", "ليله", "نهار", "منتصف", "منذ", "حتى", "مطلع", "خلال",
                  "طيله"],
}


def _trigger_automaton(group: str | None) -> ahocorasick.Automaton:
    words: dict[str, set[int]] = {}
    for i, (_prio, langs, _pat, _fn, triggers) in enumerate(_SPECS):
        if group is not None and langs is not None and group not in langs:
            continue
        for trig in triggers.split():
            if trig.startswith(("DIGIT", "BACK=")):
                continue
            for w in _TRIGGER_SETS.get(trig, [trig]):
                words.setdefault(_fold_word(w), set()).add(i)
    auto = ahocorasick.Automaton()
    for w, specs in words.items():
        auto.add_word(w, (len(w), tuple((i, _BACK[i]) for i in sorted(specs))))
    auto.make_automaton()
    return auto


def _back(triggers: str) -> int:
    return next((int(t[5:]) for t in triggers.split() if t.startswith("BACK=")), 0)


_BACK = [_back(spec[4]) for spec in _SPECS]
_GROUPS = (None, "ar", "en", "fr", "tr")
_TRIGGERS = {g: _trigger_automaton(g) for g in _GROUPS}
# Digit-run specs by what follows the run: a separator (10/10/2020), a day (1-2 digits) or a year (4 digits).
_DIGIT_SPECS = {
    (g, kind): tuple((i, _BACK[i]) for i, spec in enumerate(_SPECS)
                     if f"DIGIT:{kind}" in spec[4].split() and (g is None or spec[1] is None or g in spec[1]))
    for g in _GROUPS for kind in ("sep", "day", "year")
}
_DIGIT_RUN = re.compile(r"[0-9]+")


def _starts(work: str, pos: int, back: int) -> list[int]:
    """``pos``, the start of its token and of up to ``back`` tokens before it (spaces are " " in ``work``):
    where a phrase such as «صباح اليوم», «مساء يوم الخميس», «last Tuesday» or «عام 2015» may begin."""
    out = [pos]
    ts = work.rfind(" ", 0, pos) + 1
    for n in range(back + 1):
        k = ts
        while k < out[-1] and not work[k].isalnum():  # «(صباح», «"عام»: start after the punctuation
            k += 1
        if k < out[-1]:
            out.append(k)
        if n == back or ts < 2:
            break
        j = ts - 1
        while j > 0 and work[j - 1] == " ":
            j -= 1
        if ts - j > 2:
            break
        ts = work.rfind(" ", 0, j) + 1
    return out


def _candidates(work: str, group: str | None) -> set[tuple[int, int]]:
    """(position, spec index) pairs worth trying: near each trigger word or digit run."""
    out: set[tuple[int, int]] = set()
    n = len(work)
    for m in _DIGIT_RUN.finditer(work):
        start, end = m.span()
        after = work[end] if end < n else " "
        if after in "/.-" and end + 1 < n and work[end + 1].isdigit():
            kinds = ("sep",)
        elif end - start <= 2:
            kinds = ("day",)
        elif end - start == 4:
            kinds = ("year",)
        else:
            continue
        for kind in kinds:
            for i, back in _DIGIT_SPECS[group, kind]:
                for p in _starts(work, start, back) if back else (start,):
                    out.add((p, i))
    for end, (length, specs) in _TRIGGERS[group].iter(work):
        if end + 1 < n and work[end + 1].isalpha():
            continue  # triggers are whole words («آب» inside «كتاب» is not August)
        start = end - length + 1
        if start and work[start - 1].isalpha() and start - _word_start(work, start) > 3:
            continue
        for i, back in specs:
            for p in _starts(work, start, back):
                out.add((p, i))
    return out


def _word_start(work: str, pos: int) -> int:
    while pos > 0 and work[pos - 1].isalpha():
        pos -= 1
    return pos


# A bare weekday after these words is an institution or a habit, not a date («صلاة الجمعة», «كل خميس»).
_NOT_A_DATE_BEFORE = {"صلاه", "لصلاه", "بصلاه", "خطبه", "خطيب", "سوره", "جامع", "مسجد", "كل", "ايام", "ليالي",
                      "يومي", "يوما", "every", "chaque", "les", "her"}
# «الخميس 4/6/2020», «ce mardi 12 mai», «Tuesday, May 12, 2020»: a weekday naming the date written after it
_WEEKDAY_THEN_DATE = re.compile(r"[\s,،(]*(?:الموافق|le|den)?[\s,،(]*")
_OUTLET_CUES = {"عين", "صحيفه", "جريده", "لصحيفه", "لجريده", "بصحيفه", "بجريده"}
_NOT_TODAY_AFTER = re.compile(r"\s+(?:الوطني|العالمي|الدولي|التالي|الاول|الثاني|الثالث|الاخير|الذي|نفسه|ذاته|"
                              r"السابق|الموعود|الواحد|الكامل)(?!\w)")
_LANG_GROUP = {"ar": "ar", "fa": "ar", "ur": "ar", "en": "en", "fr": "fr", "tr": "tr"}


def _plausible(spec_fn: Resolver, m: re.Match[str], work: str) -> bool:
    """Cheap vetoes for look-alikes: «عين اليوم» (an outlet), «اليوم الوطني», «صلاة الجمعة»."""
    if spec_fn is _relative_day and m.group("w") == "اليوم":
        before = work[max(0, m.start("w") - 12): m.start("w")].rstrip(" «\"“(").split()
        if before and before[-1] in _OUTLET_CUES:  # «عين اليوم», «صحيفة اليوم»: outlets
            return False
        if m.group("first"):
            return False  # «اليوم الأول»: the first day (of a feast, a visit), not today
        if not m.group("wd") and _NOT_TODAY_AFTER.match(work, m.end("w")):
            return False
    if spec_fn is _weekday and not m.groupdict().get("rel") and not m.groupdict().get("pre"):
        whole = m.group()
        if m.start("wd") == (m.end("c") if m.groupdict().get("c") else m.start()):  # bare: no «يوم»/«مساء»
            prev = work[max(0, m.start() - 12): m.start()].split()
            if prev and prev[-1] in _NOT_A_DATE_BEFORE:
                return False
            if m.group("wd") == "pazar" and not whole.endswith(("günü", "akşamı", "sabahı", "gecesi")):
                return False
    return True


def find_dates(text: str, ref: date | None, lang: str | None = None) -> list[DateMention]:
    """Dates mentioned in ``text``, resolved against the publication date ``ref`` where relative, in text order."""
    if not text:
        return []
    if isinstance(ref, datetime):
        ref = ref.date()
    work = _matching_form(text)
    group = _LANG_GROUP.get((lang or "")[:2]) if lang else None
    # (priority, start, end, (date, granularity, calendar), (weekday named or None, year written))
    found: list[tuple[int, int, int, tuple[date, str, str], tuple[int | None, bool]]] = []
    for pos, i in _candidates(work, group):
        prio, langs, rx, fn = _COMPILED[i]
        if langs is not None and group is not None and group not in langs:
            continue
        if ref is None and prio >= 4:
            continue
        m = rx.match(work, pos)
        if m is None or not _plausible(fn, m, work):
            continue
        resolved = fn(m, ref)
        if resolved is not None:
            groups = m.groupdict()
            start = m.end("c") if groups.get("c") else m.start()
            meta = (_WEEKDAY_OF.get(groups.get("wd") or ""), bool(groups.get("y")))
            found.append((prio, start, m.end(), resolved, meta))
    found.sort(key=lambda f: (f[0], f[1] - f[2], f[1]))
    kept: list[tuple[int, int, int, tuple[date, str, str], tuple[int | None, bool]]] = []
    for f in found:
        if not any(f[1] < k[2] and k[1] < f[2] for k in kept):
            kept.append(f)
    kept.sort(key=lambda f: f[1])
    out: list[DateMention] = []
    prev: tuple[int, tuple[int | None, bool]] | None = None
    for prio, start, end, (d, gran, cal), meta in kept:
        if (out and prev is not None and prev[0] >= 4 and prio <= 1 and gran == "day"
                and out[-1].granularity == "day" and _WEEKDAY_THEN_DATE.fullmatch(work, out[-1].end, start)):
            start = out.pop().start
            weekday = prev[1][0]
            if weekday is not None and not meta[1] and cal == "gregorian" and d.weekday() != weekday:
                d = _year_matching_weekday(d, weekday, ref) or d
        out.append(DateMention(text=text[start:end], date=d, start=start, end=end, granularity=gran, calendar=cal))
        prev = (prio, meta)
    return out


def _year_matching_weekday(d: date, weekday: int, ref: date | None) -> date | None:
    """«الثلاثاء 10 أكتوبر» without a year: the nearby year in which that day is that weekday."""
    cands = [x for y in (d.year - 1, d.year, d.year + 1) if (x := _safe_date(y, d.month, d.day)) and x.weekday() == weekday]
    if not cands:
        return None
    return min(cands, key=lambda x: abs((x - (ref or d)).days))


def parse_date_text(s: str) -> date | None:
    """The date written in ``s`` alone («10 اكتوبر 2020ء», «2020-10-10», «5 شوال 1436هـ»), or None."""
    mentions = [m for m in find_dates(s, None) if m.granularity == "day"]
    if not mentions:
        return None
    gregorian = [m for m in mentions if m.calendar == "gregorian"]
    return (gregorian or mentions)[0].date
