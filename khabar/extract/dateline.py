"""The dateline at the start of a wire-style body: outlet, agency, place and date, with its span.

Shapes: ``(پاکستان پوائنٹ نیوز / سبوتنيك - 10 اكتوبر 2020ء)``, ``الرياض (واس) -``, ``القاهرة - (أ ف ب) -``,
``لندن - رويترز:``, ``دمشق-سانا``, ``واشنطن ـ «الشرق الأوسط»:``, ``(د ب أ)``, ``واس- الرياض:``,
``عبدالله البرقاوي-سبق-الرياض:``, ``الرياض 26 شوال 1436 هـ الموافق 11 أغسطس 2015 م واس /``, ``PARIS (Reuters) -``.
A candidate counts only when it names a known agency or outlet (khabar.extract.agencies), or, for a bracketed
dateline, a date: an ordinary first sentence with a dash or parentheses is not a dateline.
"""

from __future__ import annotations

import re
from datetime import date

from khabar.article import Dateline
from khabar.extract.agencies import ANY_AGENCY, Agency, has_alias, lookup
from khabar.extract.dates import parse_date_text
from khabar.lang.normalize import normalize

_HEAD_CHARS = 300  # a dateline starts within this many characters of the body
_HEADLINE_MAX = 200  # a first line this short, followed by more text, may be a headline
_MIN_BODY = 20  # a dateline is followed by a body
_LEADING = " \t\r\n\xa0\u200b\u200e\u200f\ufeff\u202a\u202b\u202c"  # spacing and marks before the first word

# A word: letters (tatweel inside a word, never alone), with inner dots and apostrophes.
_WORD = r"(?!ـ)[^\W\d_](?:[^\W\d_]|[.'’\u200c\u064b-\u065f\u0670])*"
_SEG = rf"{_WORD}(?:[ \t\xa0]+{_WORD}){{0,4}}"
_QSEG = rf"[«\"“]?{_SEG}[»\"”]?"
# tatweel stands for a dash only after a space: «واشنطن ـ», never the «لـ» of «لـ«عكاظ»».
_DASH = r"(?:[ \t\xa0]*[-–—]+[ \t\xa0]*|[ \t\xa0]+[ـ_]+[ \t\xa0]*)"
_EOL = r"[ \t\xa0]*(?:\r?\n\s*|$)"  # a dateline on a line of its own
_JUNK = re.compile(r"(?:Next\s+Previous\s+|المصدر\s*:\s*)")  # a crawler's menu; the Emirati «المصدر:» label

_PAREN = re.compile(rf"\(\s*(?P<inner>[^()\n]{{2,120}}?)\s*\)(?P<tail>{_EOL}|[ \t\xa0]*[-–—ـ:]*[ \t\xa0]*)")
_PLACE_PAREN = re.compile(
    rf"(?P<place>{_SEG})(?:[ \t\xa0]*[,،][ \t\xa0]*(?P<pdate>[^()\n,،]{{3,40}}?))?[ \t\xa0]*(?:[-–—ـ][ \t\xa0]*)?"
    rf"\((?P<ag>[^()\n]{{1,40}})\)(?P<tail>[ \t\xa0]*[-–—ـ:]+[ \t\xa0]*|{_EOL})"
)
# The agency slot is the alternation of every known alias, so the regex itself finds where the credit ends.
_AGQ = rf"[«\"“]?(?:{ANY_AGENCY})(?!\w)[»\"”]?"
_AGS = rf"{_AGQ}(?:[ \t\xa0]*[،,][ \t\xa0]*{_AGQ})*"
_PRE = rf"{_QSEG}(?:(?:[ \t\xa0]*[،,][ \t\xa0]*|{_DASH}){_QSEG}){{0,2}}"  # reporters, or reporter and place
_POST = rf"{_SEG}(?:[ \t\xa0]*\([^()\n]{{1,25}}\))?"
_HARD_TAIL = rf"[ \t\xa0]*[:/]\s*|{_EOL}"
_ANY_TAIL = rf"{_HARD_TAIL}|[ \t\xa0]*[-–—]+[ \t\xa0]+|[ \t\xa0]+ـ+[ \t\xa0]+|[ \t\xa0]+"
_PRE_AG_POST = re.compile(rf"(?P<pre>{_PRE}){_DASH}(?P<ag>{_AGS}){_DASH}(?P<post>{_POST})(?P<tail>{_HARD_TAIL})")
_AG_POST = re.compile(rf"(?P<ag>{_AGS}){_DASH}(?P<post>{_POST})(?P<tail>{_HARD_TAIL})")
_AG_FILLER = re.compile(rf"(?P<ag>{_AGS}){_DASH}(?P<post>متابعات|متابعة|وكالات)(?P<tail>{_ANY_TAIL})")
_AG_LINE = re.compile(rf"(?P<ag>{_AGS})(?P<tail>{_EOL})")  # «المصدر: وام» on its own line
_PRE_AG = re.compile(rf"(?P<pre>{_PRE}){_DASH}(?P<ag>{_AGS})(?P<tail>{_ANY_TAIL})")
_PLACE_DATE = re.compile(
    rf"(?P<place>{_SEG})[ \t\xa0]*(?:في[ \t\xa0]+)?(?P<date>\d[^\n/:()]{{3,70}})"
    rf"(?:[ \t\xa0]+|[ \t\xa0]*[-–—ـ][ \t\xa0]*)(?P<ag>{_QSEG})(?P<tail>[ \t\xa0]*[/:]\s*|[ \t\xa0]*[-–—]+[ \t\xa0]+|{_EOL})"
)
# «عمان 6 حزيران (بترا)», «موسكو في 2 مايو/ وام /», «رام الله في 25 يونيو /بنا/»
_PLACE_DATE_CREDIT = re.compile(
    rf"(?P<place>{_SEG})[ \t\xa0]*(?:في[ \t\xa0]+)?(?P<date>\d{{1,2}}[ \t\xa0]+{_WORD}(?:[ \t\xa0]+\d{{4}})?)"
    rf"[ \t\xa0]*(?:\((?P<ag>{_AGS})\)|/[ \t\xa0]*(?P<ag2>{_AGS})[ \t\xa0]*/)(?P<tail>[ \t\xa0]*[-–—:]*[ \t\xa0]*)"
)
_PHOTO_CREDIT = re.compile(r"[ \t\xa0]*\((?:تصوير|رصد|تحرير)[^()]*\)")
_SPLIT_INNER = re.compile(r"[ \t]*(?:/|،|,|[ \t][-–—ـ][ \t]|(?<=\D)[-–—](?=\D))[ \t]*")
# Parts that credit no place: «متابعة», «خاص», «وكالات».
_FILLERS = {"متابعه", "متابعات", "خاص", "وكالات", "الوكالات", "ترجمه", "تقرير", "متابعه خاصه", "menafn"}


def _clean(part: str) -> str:
    return part.strip(" \t«»\"“”")


def _start_positions(text: str) -> list[int]:
    """Where a dateline may start: the first line, and the line after a short headline."""
    out: list[int] = []
    p = len(text) - len(text.lstrip(_LEADING))
    junk = _JUNK.match(text, p)
    if junk:
        p = junk.end()
    out.append(p)
    nl = text.find("\n", p)
    if 0 <= nl - p <= _HEADLINE_MAX:
        q = nl
        while q < len(text) and (text[q].isspace() or text[q] in _LEADING):
            q += 1
        if q < min(len(text), p + _HEAD_CHARS):
            junk = _JUNK.match(text, q)
            out.append(junk.end() if junk else q)
    return out


def _assign(known: list[Agency]) -> tuple[str | None, str | None]:
    """(outlet, agency) from the agencies and outlets a dateline credits, in order."""
    outlet = next((a.name for a in known if a.kind == "outlet"), None)
    agency = next((a.name for a in known if a.kind == "agency"), None)
    return outlet, agency


def _place(part: str | None) -> str | None:
    if not part:
        return None
    place = _clean(_PHOTO_CREDIT.sub("", part))
    if place.endswith(" في"):  # «رام الله في 25 يونيو»
        place = place[:-3].rstrip()
    if not place or normalize(place) in _FILLERS or len(place.split()) > 4:
        return None
    return place


def _from_paren(m: re.Match[str]) -> tuple[str | None, str | None, str | None, date | None] | None:
    known: list[Agency] = []
    places: list[str] = []
    when: date | None = None
    for part in _SPLIT_INNER.split(m.group("inner")):
        part = _clean(part)
        if not part:
            continue
        agency = lookup(part)
        if agency is not None:
            known.append(agency)
            continue
        d = parse_date_text(part) if any(c.isdigit() for c in part) else None
        if d is not None and when is None:
            when = d
            continue
        if any(c.isdigit() for c in part) or len(part.split()) > 3:
            return None
        places.append(part)
    if not known and (when is None or len(places) > 1):
        return None
    outlet, agency = _assign(known)
    return outlet, agency, _place(places[0]) if places else None, when


def _split_list(group: str | None) -> list[str]:
    return [p for p in re.split(rf"[ \t\xa0]*[،,][ \t\xa0]*|{_DASH}", group) if p.strip()] if group else []


def _from_dashed(m: re.Match[str]) -> tuple[str | None, str | None, str | None, date | None] | None:
    groups = m.groupdict()
    pre = _split_list(groups.get("pre"))
    credits = _split_list(groups.get("ag"))
    known = [a for a in (lookup(_clean(p)) for p in credits) if a is not None]
    post = groups.get("post")
    if post and (extra := lookup(_clean(post))) is not None:
        known.append(extra)  # «عين اليوم – واس»: an outlet carrying an agency's item
        post = None
    if not known or sum(len(p.split()) for p in pre) > 6:
        return None
    tail = m.group("tail")
    if not tail.strip() and "\n" not in tail:
        # no colon, slash or dash after the credit («دمشق-سانا بدأت…»): only the tight «place-agency» shape
        if post or len(pre) != 1 or len(pre[0].split()) > 2 or known[0].kind != "agency":
            return None
    place: str | None = None
    if post:
        place = _place(post)
    elif pre:
        quoted = credits[0].lstrip()[:1] in "«\"“"
        # «الرياض - واس», «واشنطن ـ «الشرق الأوسط»», «دبي ـ البيان»; but «سعد الفراج – عين اليوم» is a byline
        if known[0].kind == "agency" or quoted or len(pre[-1].split()) == 1:
            place = _place(pre[-1])
    outlet, agency = _assign(known)
    return outlet, agency, place, None


def _from_place_paren(m: re.Match[str]) -> tuple[str | None, str | None, str | None, date | None] | None:
    credited = [lookup(_clean(p)) for p in _SPLIT_INNER.split(m.group("ag"))]
    known = [a for a in credited if a is not None]
    if not known or len(m.group("place").split()) > 3:
        return None
    when = parse_date_text(m.group("pdate")) if m.group("pdate") else None
    outlet, agency = _assign(known)
    return outlet, agency, _place(m.group("place")), when


def _from_place_date(m: re.Match[str]) -> tuple[str | None, str | None, str | None, date | None] | None:
    agency_entry = lookup(_clean(m.group("ag")))
    if agency_entry is None or len(m.group("place").split()) > 3:
        return None
    when = parse_date_text(m.group("date"))
    if when is None:
        return None
    outlet, agency = _assign([agency_entry])
    return outlet, agency, _place(m.group("place")), when


def _from_place_date_credit(m: re.Match[str]) -> tuple[str | None, str | None, str | None, date | None] | None:
    credits = _split_list(m.group("ag") or m.group("ag2"))
    known = [a for a in (lookup(_clean(p)) for p in credits) if a is not None]
    if not known or len(m.group("place").split()) > 3:
        return None
    outlet, agency = _assign(known)
    return outlet, agency, _place(m.group("place")), parse_date_text(m.group("date"))


_SHAPES = [
    (_PAREN, _from_paren),
    (_PLACE_PAREN, _from_place_paren),
    (_PLACE_DATE_CREDIT, _from_place_date_credit),
    (_PLACE_DATE, _from_place_date),
    (_PRE_AG_POST, _from_dashed),
    (_AG_POST, _from_dashed),
    (_AG_FILLER, _from_dashed),
    (_PRE_AG, _from_dashed),
    (_AG_LINE, _from_dashed),
]


def find_dateline(text: str) -> Dateline | None:
    """The dateline at the start of ``text`` (after an optional headline line), or None."""
    if not text:
        return None
    for p in _start_positions(text):
        line_end = text.find("\n", p, p + _HEAD_CHARS)
        head = text[p:line_end if line_end >= 0 else p + _HEAD_CHARS]
        # every shape but a bracketed date names a known agency or outlet: skip the costly ones when none is there
        shapes = _SHAPES if has_alias(head) else _SHAPES[:1]
        for rx, read in shapes:
            m = rx.match(text, p)
            if m is None:
                continue
            got = read(m)
            if got is None:
                continue
            outlet, agency, place, when = got
            end = m.end()
            if len(text) - end < _MIN_BODY or not text[end:end + 4 * _MIN_BODY].strip():
                continue  # a credit closing a short text, not a dateline opening a body
            written = text[p:end].rstrip(" \t\r\n\xa0-–—ـ:/")
            return Dateline(text=written, outlet=outlet, agency=agency, place=place, date=when, start=p, end=end)
    return None
