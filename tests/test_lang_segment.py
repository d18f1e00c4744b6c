"""Sentence segmentation: splits at . ! ? ؟ and line breaks, not at «،» «؛» «:» or abbreviations; loses nothing."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from khabar.lang.segment import split_sentences


def texts(text: str, start: int = 0) -> list[str]:
    return [s.text for s in split_sentences(text, start)]


def test_splits_at_terminators() -> None:
    assert texts("قال الرئيس. ثم غادر! هل عاد؟ نعم") == ["قال الرئيس.", "ثم غادر!", "هل عاد؟", "نعم"]


def test_no_split_at_comma_semicolon_colon() -> None:
    text = "ولفت الى ان المشاورات، بين البلدين؛ مستمرة: وقال السفير جلالي: ان الجمهورية ترحب."
    assert texts(text) == [text]


def test_no_split_after_arabic_abbreviations() -> None:
    assert texts("قال د. محمد إن أ.د. علي وصل. ثم ذهب م. خالد") == [
        "قال د. محمد إن أ.د. علي وصل.",
        "ثم ذهب م. خالد",
    ]
    assert len(texts("ج. ق. ص. هي اختصارات")) == 1


def test_dotted_acronyms_in_arabic_letters() -> None:
    assert texts("قالت بي. بي. سي. إن الرئيس وصل. ثم غادر") == ["قالت بي. بي. سي. إن الرئيس وصل.", "ثم غادر"]
    assert texts("ذكرت شبكة سي. إن. إن. الأمريكية ذلك. وأضافت") == [
        "ذكرت شبكة سي. إن. إن. الأمريكية ذلك.",
        "وأضافت",
    ]
    assert texts("هل ذهب أو. لا") == ["هل ذهب أو.", "لا"]  # a lone «أو.» is a word, not an acronym


def test_era_mark_after_a_year_ends_a_sentence() -> None:
    assert texts("في عام 2015 م. وقال الوزير") == ["في عام 2015 م.", "وقال الوزير"]
    assert texts("قال م. خالد إن العمل انتهى. ثم") == ["قال م. خالد إن العمل انتهى.", "ثم"]


def test_no_split_after_latin_abbreviations_numbers_urls() -> None:
    text = "Mr. Smith met Dr. J. Doe at 3.5 km on 10.10.2020 near St. Paul, see www.example.com/a.html now."
    assert texts(text) == [text]
    assert texts("U.S. forces left. They returned.") == ["U.S. forces left.", "They returned."]
    assert texts("He told me. The answer was no. See No. 5 now.") == ["He told me.", "The answer was no.", "See No. 5 now."]


def test_closing_quote_stays_with_its_sentence() -> None:
    assert texts('قال: "نعم." ثم ذهب. وقال «لا.» وانتهى') == ['قال: "نعم."', "ثم ذهب.", "وقال «لا.»", "وانتهى"]


def test_paragraph_and_line_breaks_split() -> None:
    assert texts("العنوان\n\nالفقرة الأولى\nسطر ثان") == ["العنوان", "الفقرة الأولى", "سطر ثان"]


def test_glued_full_stop_between_arabic_words() -> None:
    assert texts("انتهى العام.وقال الوزير") == ["انتهى العام.", "وقال الوزير"]


def test_list_numbers_are_not_sentences() -> None:
    assert texts("1. أول\n2. ثاني") == ["1. أول", "2. ثاني"]


def test_start_and_spans() -> None:
    text = "(سبوتنيك - 10 اكتوبر 2020) أعرب الرئيس عن دعمه. وقال."
    start = text.index(")") + 1
    sents = split_sentences(text, start=start, lang="ar")
    assert [s.text for s in sents] == ["أعرب الرئيس عن دعمه.", "وقال."]
    for s in sents:
        assert text[s.start:s.end] == s.text and s.start >= start and s.lang == "ar"


def test_seeds(seeds_dir: Path) -> None:
    seed0 = (seeds_dir / next(p.name for p in seeds_dir.iterdir() if p.name.startswith("000"))).read_text()
    sents = texts(seed0)
    # Every sentence ends at a terminator or a line end, none at «،».
    assert not any(s.endswith("،") for s in sents)
    assert "وقال : ان رئيس الجمهورية الاسلامية الايرانية هنأ في الاتصال الهاتفي مع الرئيس الروسي فلاديمير " \
        "بوتين لمناسبة عيد ميلاده." in sents
    assert any(s.startswith("ولفت") for s in sents) is False  # «، ولفت» stays inside its sentence
    assert len(sents) == 15
    seed1 = (seeds_dir / next(p.name for p in seeds_dir.iterdir() if p.name.startswith("001"))).read_text()
    sents1 = texts(seed1)
    assert sents1[0] == "روحاني يؤكد خلال اتصال هاتفي ببوتين دعم إيران لوقف إطلاق النار في قره باغ - الكرملين"
    assert sents1[2].endswith('من أجل التوصل في أقرب وقت ممكن إلى تسوية سلمية".')
    assert len(sents1) == 12


ALPHABET = "ابتجدرسعلمنهويةىأ د م. .!?؟،؛:\"'»«)(\n\n \t\u00a0\u2029Dr.Mr 3.5 10.10 abcXYZ"


def _check_lossless(text: str, start: int) -> None:
    sents = split_sentences(text, start)
    pos = start
    for s in sents:
        assert s.start >= pos and s.end > s.start
        assert text[s.start:s.end] == s.text == s.text.strip() and s.text
        assert text[pos:s.start].strip() == ""
        pos = s.end
    assert text[pos:].strip() == ""


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=120), st.integers(min_value=0, max_value=20))
def test_segmentation_loses_no_characters(text: str, start: int) -> None:
    _check_lossless(text, min(start, len(text)))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_segmentation_loses_no_characters_any_unicode(text: str) -> None:
    _check_lossless(text, 0)
