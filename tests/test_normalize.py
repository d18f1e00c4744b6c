"""Matching normalisation: each fold on its own, idempotence (hypothesis), offsets back to the original."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from khabar.lang.normalize import normalize, normalize_digits, normalize_with_offsets, strip_marks

ARABIC_ALPHABET = (
    "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئىةـًٌٍَُِّْٰ٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹پچژگکیےہھ"
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202e\u2066\u2069\ufeff\u061c"
    "ﻻﺓﻷﷲ eé\u0301ẞßİ AZaz09.,،؛:!?؟\n\t\u00a0"
)


def test_diacritics_removed() -> None:
    assert normalize("مُحَمَّدٌ") == "محمد"
    assert normalize("السَّلَامُ عَلَيْكُمْ") == "السلام عليكم"


def test_tatweel_removed() -> None:
    assert normalize("الرئيـــــس") == "الرييس"
    assert normalize("مـحـمـد") == "محمد"


def test_alef_and_hamza_forms() -> None:
    assert normalize("أحمد إبراهيم آمال ٱلله") == "احمد ابراهيم امال الله"
    assert normalize("مسؤول") == "مسوول"
    assert normalize("رئيس") == "رييس"


def test_alef_maqsura_and_teh_marbuta() -> None:
    assert normalize("على") == normalize("علي") == "علي"
    assert normalize("مدرسة") == "مدرسه"


def test_digits() -> None:
    assert normalize("٢٠٢٠") == "2020"
    assert normalize("۱۳۹۹") == "1399"
    assert normalize_digits("في ١٠ اكتوبر ٢٠٢٠") == "في 10 اكتوبر 2020"


def test_bidi_and_zero_width_removed() -> None:
    assert normalize("\u200fروسيا\u200e") == "روسيا"
    assert normalize("می\u200cخواهم") == "ميخواهم"
    assert normalize("\ufeffبوتين\u2067\u2069") == "بوتين"
    assert normalize("\u202bقره\u202c باغ") == "قره باغ"


def test_persian_urdu_letters_folded() -> None:
    assert normalize("پاکستان") == "باكستان"
    assert normalize("ایران") == normalize("ايران")


def test_presentation_forms_and_case() -> None:
    assert normalize("ﻻ") == "لا"
    assert normalize("ﺓ") == "ه"
    assert normalize("Vladimir PUTIN") == "vladimir putin"


def test_whitespace_collapsed() -> None:
    assert normalize("  قال \n\n  الرئيس\t ") == "قال الرييس"
    assert normalize("") == ""


def test_strip_marks_keeps_letters() -> None:
    assert strip_marks("الرَّئِيسُ للأنبـاء ٢٠٢٠") == "الرئيس للأنباء 2020"
    assert strip_marks("مدرسة على") == "مدرسة على"


def test_offsets_point_to_original() -> None:
    text = "قال الرَّئيسُ"
    folded, offsets = normalize_with_offsets(text)
    assert len(folded) == len(offsets)
    assert folded == "قال الرييس"
    assert [text[i] for i in offsets] == [c for c in "قال الرئيس"]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ARABIC_ALPHABET, max_size=60))
def test_normalize_idempotent_arabic(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=40))
def test_normalize_idempotent_any_unicode(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
