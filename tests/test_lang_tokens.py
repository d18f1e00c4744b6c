"""Tokens, clitic splits (measured against a list), light stems and terms."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from khabar.lang.normalize import strip_marks
from khabar.lang.tokens import split_clitics, stem, terms, tokenize

# word → expected (proclitics+core+enclitics), written with "+" between the parts present.
CLITIC_LIST = """
والروسية وال+روسية | بالرئيس بال+رئيس | وبوتين و+بوتين | للأنباء لل+أنباء | فأعلنوها ف+أعلنو+ها
والد والد | بلد بلد | فلسطين فلسطين | كتاب كتاب | بوتين بوتين | بريطانيا بريطانيا | لبنان لبنان
وزير وزير | وزارة وزارة | وكالة وكالة | وقال و+قال | الاتصال ال+اتصال | بوقف ب+وقف | لوقف ل+وقف
سيتم س+يتم | ستباشران س+تباشران | حكومته حكومت+ه | نفسه نفس+ه | بلادنا بلاد+نا | هناك هناك | ذلك ذلك
الذي الذي | الله الله | المانيا المانيا | ألمانيا ألمانيا | إلى إلى | الى الى | وأفادت و+أفادت
والاقليمي وال+اقليمي | للاتفاق لل+اتفاق | بالوساطة بال+وساطة | وبوساطة وب+وساطة | كالعادة كال+عادة
فيروس فيروس | وفيروس و+فيروس | سوريا سوريا | لسوريا ل+سوريا | وسوريا و+سوريا | مسؤوليه مسؤولي+ه
اتجاه اتجاه | مياه مياه | عليها علي+ها | لدينا لدي+نا | منهم من+هم | منها من+ها | عليه علي+ه | إليه إلي+ه
رئيسها رئيس+ها | وزيرها وزير+ها | كتابه كتاب+ه | بيانها بيان+ها | ولفت و+لفت | فجر فجر | فرنسا فرنسا
وفرنسا و+فرنسا | وتركيا و+تركيا | كورونا كورونا | باغ باغ | لقاح لقاح | للقاح ل+لقاح | باللقاح بال+لقاح
ولاية ولاية | والولايات وال+ولايات | بين بين | بينها بين+ها | وبين و+بين | فيها في+ها | كما كما | لكن لكن
وكان و+كان | وهناك و+هناك | ليبيا ليبيا | بلجيكا بلجيكا | كوبا كوبا | بغداد بغداد | وبغداد و+بغداد
ببغداد ب+بغداد | ومشاورات و+مشاورات | بالتفصيل بال+تفصيل | لمكافحة ل+مكافحة | وكاميرا و+كاميرا
بقرار ب+قرار | لروسيا ل+روسيا | بمشاركة ب+مشاركة | لتعزيز ل+تعزيز | وللأمن ولل+أمن | فبالتالي فبال+تالي
فيصل فيصل | الماني الماني | المكرمة ال+مكرمة | وفي و+في | لضمان ل+ضمان | فرنك فرنك | بنيت بنيت
الدارسين ال+دارسين | سنفعل س+نفعل | فقضيتهم ف+قضيت+هم | وعليه و+علي+ه | غاراتها غارات+ها
الوفاض ال+وفاض | الناديان ال+ناديان | البانيا البانيا | وستكون وس+تكون | لمحاكمته ل+محاكمت+ه
"""


def _cases() -> list[tuple[str, str]]:
    return [tuple(c.split()) for c in CLITIC_LIST.replace("\n", "|").split("|") if c.strip()]  # type: ignore[misc]


def test_clitic_list() -> None:
    cases = _cases()
    assert len(cases) >= 90
    wrong = []
    for word, expected in cases:
        got = "+".join(p for p in split_clitics(word) if p)
        if got != expected:
            wrong.append((word, got, expected))
    assert not wrong, wrong


def test_named_splits() -> None:
    assert split_clitics("والروسية") == ("وال", "روسية", "")
    assert split_clitics("بالرئيس") == ("بال", "رئيس", "")
    assert split_clitics("وبوتين") == ("و", "بوتين", "")
    assert split_clitics("للأنباء") == ("لل", "أنباء", "")
    assert split_clitics("فأعلنوها") == ("ف", "أعلنو", "ها")


def test_short_and_foreign_tokens_whole() -> None:
    assert split_clitics("في") == ("", "في", "")
    assert split_clitics("بل") == ("", "بل", "")
    assert split_clitics("Putin") == ("", "Putin", "")
    assert split_clitics("2020") == ("", "2020", "")


def test_diacritics_dropped_before_split() -> None:
    assert split_clitics("وَالرُّوسِيَّة") == ("وال", "روسية", "")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ابتجدرسعلمنهويةىأإآؤئءكفقَُِّـ", min_size=1, max_size=12))
def test_parts_concatenate_to_token(token: str) -> None:
    pro, core, enc = split_clitics(token)
    assert pro + core + enc == strip_marks(token)
    assert core or not strip_marks(token)


def test_tokenize() -> None:
    assert tokenize("قال الرَّئيس: «نعم»، في ١٠ أكتوبر 2020 (3.5%)!") == [
        "قال", "الرييس", "نعم", "في", "10", "اكتوبر", "2020", "3.5",
    ]
    assert tokenize("Vladimir PUTIN's visit") == ["vladimir", "putin", "s", "visit"]


def test_stems_conflate_forms() -> None:
    assert stem("الروسية") == stem("الروسي") == stem("روسي") == stem("والروسية")
    assert stem("الإيرانية") == stem("الايراني") == stem("إيرانيون")
    assert stem("المفاوضات") == stem("مفاوضة")
    assert stem("للمسلمين") == stem("مسلم")
    assert stem("بوتين") == stem("وبوتين") == "بوتين"  # «ين» of a name is no plural
    assert stem("روسيا") != stem("روسي")
    assert stem("2020") == "2020"


def test_stems_of_other_languages() -> None:
    assert stem("Negotiations", "en") == stem("negotiation", "en")
    assert stem("Negotiations") == "negotiations"  # no language: lower-cased only
    assert stem("переговоры", "ru") == stem("переговоров", "ru")


def test_terms() -> None:
    text = "وأعلنت موسكو، عن توصل وزيري الخارجية الأذربيجاني والأرمني إلى اتفاق في ١٠ ساعات."
    got = terms(text, "ar")
    assert got[:3] == ["اعلنت", "موسكو", "عن"]
    assert "10" in got and stem("الأذربيجاني") in got and stem("الأرمنية") in got
    assert terms("") == []
    assert terms("ﺍﻟﺮﺋﻴﺲ") == terms("الرئيس") == ["رييس"]  # presentation forms
    assert terms("Pre\u0301sident", "fr") == terms("Président", "fr")
    assert terms("The talks continued", "en") == ["the", "talk", "continu"]
