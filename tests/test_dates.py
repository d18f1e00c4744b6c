"""Dates mentioned in a text: absolute, Hijri, numeric and relative to the publication date."""

from __future__ import annotations

import json
import zipfile
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khabar.extract.dates import find_dates, parse_date_text

REF = date(2020, 10, 10)  # a Saturday, the seeds' day


def _one(text: str, ref: date | None = REF, lang: str | None = None):
    found = find_dates(text, ref, lang)
    assert len(found) == 1, (text, found)
    return found[0]


def test_seed_001_dates(seeds_dir):
    text = next(seeds_dir.glob("001_*.txt")).read_text(encoding="utf-8")
    found = find_dates(text, REF, "ar")
    days = {m.date for m in found}
    assert date(2020, 9, 27) in days
    assert date(2020, 10, 10) in days
    sept = [m for m in found if m.date == date(2020, 9, 27)]
    assert sept[0].text == "27 أيلول/سبتمبر الماضي"
    assert {m.text for m in found} >= {"10 اكتوبر 2020ء", "فجر السبت", "الليلة الماضية", "صباح اليوم"}
    for m in found:
        assert text[m.start:m.end] == m.text


def test_seed_000_today_saturday(seeds_dir):
    text = next(seeds_dir.glob("000_*.txt")).read_text(encoding="utf-8")
    found = find_dates(text, REF, "ar")
    sat = [m for m in found if m.text == "اليوم السبت"]
    assert sat and sat[0].date == REF


@pytest.mark.parametrize(
    ("text", "expected", "granularity"),
    [
        ("10 اكتوبر 2020", date(2020, 10, 10), "day"),
        ("١٠ أكتوبر ٢٠٢٠", date(2020, 10, 10), "day"),
        ("۱۰ اکتوبر ۲۰۲۰ء", date(2020, 10, 10), "day"),
        ("27 أيلول/سبتمبر الماضي", date(2020, 9, 27), "day"),
        ("3 تشرين الثاني المقبل", date(2020, 11, 3), "day"),
        ("15 كانون الثاني/يناير", date(2021, 1, 15), "day"),
        ("15 مارس آذار", date(2021, 3, 15), "day"),
        ("5 كانون الأول الماضي", date(2019, 12, 5), "day"),
        ("اليوم السبت", REF, "day"),
        ("اليوم (السبت)", REF, "day"),
        ("اليوم", REF, "day"),
        ("صباح اليوم", REF, "day"),
        ("أمس", date(2020, 10, 9), "day"),
        ("امس الجمعة", date(2020, 10, 9), "day"),
        ("أمس الأول", date(2020, 10, 8), "day"),
        ("أول من أمس", date(2020, 10, 8), "day"),
        ("مساء أول من أمس", date(2020, 10, 8), "day"),
        ("الليلة قبل الماضية", date(2020, 10, 8), "day"),
        ("البارحة", date(2020, 10, 9), "day"),
        ("غداً الأحد", date(2020, 10, 11), "day"),
        ("الليلة الماضية", date(2020, 10, 9), "day"),
        ("فجر السبت", REF, "day"),
        ("مساء الجمعة", date(2020, 10, 9), "day"),
        ("يوم الخميس", date(2020, 10, 8), "day"),
        ("الثلاثاء الماضي", date(2020, 10, 6), "day"),
        ("السبت الماضي", date(2020, 10, 3), "day"),
        ("الجمعة المقبلة", date(2020, 10, 16), "day"),
        ("الأحد القادم", date(2020, 10, 11), "day"),
        ("الأسبوع الماضي", date(2020, 9, 28), "week"),
        ("الأسبوع المقبل", date(2020, 10, 12), "week"),
        ("الشهر الماضي", date(2020, 9, 1), "month"),
        ("العام الماضي", date(2019, 1, 1), "year"),
        ("أكتوبر 2020", date(2020, 10, 1), "month"),
        ("شهر تموز (يوليو) الماضي", date(2020, 7, 1), "month"),
        ("عام 2019", date(2019, 1, 1), "year"),
        ("10/10/2020", date(2020, 10, 10), "day"),
        ("2020-10-10", date(2020, 10, 10), "day"),
        ("10/25/2020", date(2020, 10, 25), "day"),
        ("October 10, 2020", date(2020, 10, 10), "day"),
        ("10 Oct 2020", date(2020, 10, 10), "day"),
        ("on Tuesday", date(2020, 10, 6), "day"),
        ("last Friday", date(2020, 10, 9), "day"),
        ("next Monday", date(2020, 10, 12), "day"),
        ("yesterday", date(2020, 10, 9), "day"),
        ("last week", date(2020, 9, 28), "week"),
        ("10 octobre 2020", date(2020, 10, 10), "day"),
        ("1er octobre", date(2020, 10, 1), "day"),
        ("mardi dernier", date(2020, 10, 6), "day"),
        ("hier", date(2020, 10, 9), "day"),
        ("avant-hier", date(2020, 10, 8), "day"),
        ("la semaine dernière", date(2020, 9, 28), "week"),
        ("10 Ekim 2020", date(2020, 10, 10), "day"),
        ("10 Ekim'de", date(2020, 10, 10), "day"),
        ("dün", date(2020, 10, 9), "day"),
        ("salı günü", date(2020, 10, 6), "day"),
        ("geçen hafta", date(2020, 9, 28), "week"),
    ],
)
def test_resolved(text, expected, granularity):
    m = _one(text)
    assert (m.date, m.granularity) == (expected, granularity)
    assert m.text == text
    assert (m.start, m.end) == (0, len(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 شوال 1436هـ", date(2015, 7, 21)),
        ("5 شوال 1436 هـ", date(2015, 7, 21)),
        ("1436/10/05هـ", date(2015, 7, 21)),
        ("26 شوال 1436", date(2015, 8, 11)),
        ("1 رمضان 1441", date(2020, 4, 24)),
        ("10 ذي الحجة 1441هـ", date(2020, 7, 31)),
    ],
)
def test_hijri(text, expected):
    m = _one(text, ref=None)
    assert (m.date, m.calendar) == (expected, "hijri")


def test_hijri_without_year_uses_ref():
    m = _one("5 شوال", ref=date(2015, 7, 25))
    assert m.date == date(2015, 7, 21) and m.calendar == "hijri"


def test_spa_date_pair_agrees():
    found = find_dates("الرياض 26 شوال 1436 هـ الموافق 11 أغسطس 2015 م واس", None)
    assert [(m.calendar, m.date) for m in found] == [("hijri", date(2015, 8, 11)), ("gregorian", date(2015, 8, 11))]


def test_relative_needs_ref():
    found = find_dates("قال اليوم السبت إن اجتماع 10 أكتوبر 2020 تأجل إلى الثلاثاء المقبل", None)
    assert [m.text for m in found] == ["10 أكتوبر 2020"]


def test_spans_in_running_text():
    text = "وأعلنت موسكو فجر السبت، عن اتفاق. واندلعت في ٢٧ أيلول/سبتمبر الماضي اشتباكات."
    found = find_dates(text, REF, "ar")
    assert [(m.text, m.date) for m in found] == [
        ("فجر السبت", REF),
        ("٢٧ أيلول/سبتمبر الماضي", date(2020, 9, 27)),
    ]
    for m in found:
        assert text[m.start:m.end] == m.text


@pytest.mark.parametrize(
    ("text", "lang", "span", "expected"),
    [
        ("حتى مساء يوم الخميس 4/6/2020، في", "ar", "مساء يوم الخميس 4/6/2020", date(2020, 6, 4)),
        ("أعلنت اليوم السبت الموافق 10 أكتوبر 2020 أن", "ar", "اليوم السبت الموافق 10 أكتوبر 2020", REF),
        ("annoncé ce mardi 12 mai, par", "fr", "ce mardi 12 mai", date(2020, 5, 12)),
        ("on Tuesday, May 12, 2020 the", "en", "on Tuesday, May 12, 2020", date(2020, 5, 12)),
    ],
)
def test_weekday_then_date_is_one_mention(text, lang, span, expected):
    (m,) = find_dates(text, REF, lang)
    assert (m.text, m.date) == (span, expected)


def test_weekday_picks_the_year():
    # 10 Oct was a Saturday in 2020: with a March reference the weekday, not nearness, picks the year
    (m,) = find_dates("السبت 10 أكتوبر", date(2020, 3, 25), "ar")
    assert m.date == date(2020, 10, 10)
    (m,) = find_dates("10 أكتوبر", date(2020, 3, 25), "ar")
    assert m.date == date(2019, 10, 10)


def test_latin_month_takes_no_pair():
    (m,) = find_dates("On 10 March may be too late", REF, "en")
    assert m.text == "10 March"


def test_pair_inside_brackets_keeps_the_bracket_out():
    text = "انتخب محافظا للحزب الديموقراطي (2 تموز/يوليو)."
    (m,) = find_dates(text, REF)
    assert (m.text, m.date) == ("2 تموز/يوليو", date(2020, 7, 2))


@pytest.mark.parametrize(
    "text",
    [
        "عين اليوم – الرياض",  # an outlet's name
        "وقال لصحيفة «اليوم» إن",
        "اليوم الوطني للمملكة",  # national day
        "أداء صلاة الجمعة في الجامع",  # Friday prayer
        "كل جمعة يجتمعون",
        "قال الأمين العام للأمم المتحدة",
        "الخامس من القائمة",
        "وجبة الغداء",
        "رقم الهاتف 0501234567 والرمز 12-34",
        "حصل على 27 صوتا من 30",
        "the dünya and the world",
        "قتل سبعة مدنيين في اليوم الأول للعيد",  # the first day, not today
        "مكتبة الكتاب",  # «آب» (August) inside a word
        "ouvert chaque mardi",
    ],
)
def test_not_dates(text):
    assert find_dates(text, REF) == []


def test_lang_selects_relative_words():
    assert [m.text for m in find_dates("Il est arrivé hier soir.", REF, "fr")] == ["hier"]
    assert find_dates("hier", REF, "en") == []
    assert [m.date for m in find_dates("Saldırı dün gece oldu.", REF, "tr")] == [date(2020, 10, 9)]


def test_parse_date_text():
    assert parse_date_text("10 اكتوبر 2020ء") == date(2020, 10, 10)
    assert parse_date_text("پاکستان پوائنٹ نیوز / سبوتنيك - 10 اكتوبر 2020ء") == date(2020, 10, 10)
    assert parse_date_text("5 شوال 1436هـ") == date(2015, 7, 21)
    assert parse_date_text("2020-10-10") == date(2020, 10, 10)
    assert parse_date_text("26 شوال 1436 هـ الموافق 11 أغسطس 2015 م") == date(2015, 8, 11)
    assert parse_date_text("أمس") is None
    assert parse_date_text("لا تاريخ هنا") is None
    assert parse_date_text("31 فبراير 2020") is None


_ALPHABET = st.sampled_from(list("اأبتثجحخدذرسشصطعغفقكلمنهوية ٠١٢٣٤٥٦٧٨٩0123456789/-.()ـ\n") + [
    "اليوم ", "أمس ", "السبت ", "الماضي ", "أكتوبر ", "أيلول/سبتمبر ", "شوال ", "1436هـ ", "2020 ", "الأسبوع ",
])


@settings(max_examples=200, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_spans_ordered_and_disjoint(text):
    found = find_dates(text, REF)
    last_end = -1
    for m in found:
        assert text[m.start:m.end] == m.text
        assert m.start >= last_end
        last_end = m.end


def test_saudinewsnet_spa_pairs(shared_data):
    """On real SPA items («26 شوال 1436 هـ الموافق 11 أغسطس 2015 م») the Hijri and Gregorian dates agree."""
    with zipfile.ZipFile(shared_data / "saudinewsnet" / "2015-08-11.zip") as z:
        articles = json.loads(z.read(z.namelist()[0]))
    checked = exact = 0
    for a in articles:
        if a["source"] != "was":
            continue
        head = a["content"][:120]
        found = [m for m in find_dates(head, None) if m.granularity == "day"]
        hijri = [m.date for m in found if m.calendar == "hijri"]
        greg = [m.date for m in found if m.calendar == "gregorian"]
        if hijri and greg:
            # the wire's own Hijri and Gregorian dates differ by a day now and then (Umm al-Qura vs sighting)
            assert abs((hijri[0] - greg[0]).days) <= 1, head
            checked += 1
            exact += hijri[0] == greg[0]
    assert checked >= 50
    assert exact >= 0.9 * checked
