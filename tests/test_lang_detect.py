"""Language of articles and of the runs inside their lines (the seed's Urdu dateline in an Arabic article)."""

from __future__ import annotations

from pathlib import Path

import pytest

from khabar.lang.detect import arabic_script_lang, detect_lang, line_langs

SNIPPETS = {
    "ar": "قال الرئيس يوم السبت إن المحادثات ستستمر الأسبوع المقبل في موسكو.",
    "fa": "رئیس جمهور روز شنبه گفت که مذاکرات هفته آینده در مسکو ادامه خواهد داشت.",
    "ur": "صدر نے ہفتے کے روز کہا کہ مذاکرات اگلے ہفتے ماسکو میں جاری رہیں گے۔",
    "en": "The president said on Saturday that the talks would continue in Moscow next week.",
    "fr": "Le président a déclaré samedi que les négociations se poursuivraient à Moscou la semaine prochaine.",
    "tr": "Cumhurbaşkanı cumartesi günü müzakerelerin gelecek hafta Moskova'da devam edeceğini söyledi.",
    "ru": "Президент заявил в субботу, что переговоры продолжатся в Москве на следующей неделе.",
    "de": "Der Präsident sagte am Samstag, die Gespräche würden nächste Woche in Moskau fortgesetzt.",
    "es": "El presidente dijo el sábado que las conversaciones continuarán en Moscú la próxima semana.",
}


@pytest.mark.parametrize("lang", sorted(SNIPPETS))
def test_snippets(lang: str) -> None:
    assert detect_lang(SNIPPETS[lang]) == lang


def test_seeds_are_arabic(seeds_dir: Path) -> None:
    for path in sorted(seeds_dir.glob("*.txt")):
        assert detect_lang(path.read_text()) == "ar", path.name


def test_empty_and_unsure() -> None:
    assert detect_lang("") == "und"
    assert detect_lang("12 345 — 2020") == "und"
    assert detect_lang("  \n ") == "und"


def test_presentation_forms() -> None:
    assert detect_lang("ﻗﺎﻝ ﺍﻟﺮﺋﻴﺲ ﺍﻟﺮﻭﺳﻲ ﻓﻼﺩﻳﻤﻴﺮ ﺑﻮﺗﻴﻦ") == "ar"


def test_arabic_script_rules() -> None:
    assert arabic_script_lang("پاکستان پوائنٹ نیوز", strict=True) == "ur"
    assert arabic_script_lang("سبوتنيك", strict=True) == "ar"
    assert arabic_script_lang("قره باغ", strict=True) == "und"
    assert arabic_script_lang(SNIPPETS["fa"]) == "fa"
    assert arabic_script_lang(SNIPPETS["ur"]) == "ur"
    # An Arabic text naming Pakistan stays Arabic.
    assert arabic_script_lang("زار الرئيس الباكستاني عمران خان پاکستان يوم الأحد والتقى رئيس الوزراء") == "ar"


def test_seed_dateline_urdu_run(seeds_dir: Path) -> None:
    text = next(seeds_dir.glob("001_*.txt")).read_text()
    assert line_langs(text, "ar") == [("پاکستان پوائنٹ نیوز", "ur")]
    assert line_langs(next(seeds_dir.glob("000_*.txt")).read_text(), "ar") == []


def test_dateline_alone() -> None:
    runs = line_langs("(پاکستان پوائنٹ نیوز / سبوتنيك - 10 اكتوبر 2020ء) أعرب الرئيس الإيراني عن دعمه", "ar")
    assert runs == [("پاکستان پوائنٹ نیوز", "ur")]


def test_whole_foreign_line() -> None:
    text = "قال الرئيس\nThe president said on Saturday that the talks would continue.\nانتهى"
    assert line_langs(text, "ar") == [("The president said on Saturday that the talks would continue.", "en")]
    # In an English document the two-word Arabic line is reported; the lone word «انتهى» is too short to tell.
    assert line_langs(text, "en") == [("قال الرئيس", "ar")]


def test_short_runs_names_and_digits_not_reported() -> None:
    text = 'اللقاح الروسي المطور "سبوتنيك V" و"كوفيد-19" وفلاديمير بوتين (Vladimir Putin) في 08:00 GMT'
    assert line_langs(text, "ar") == []


def test_persian_run_in_arabic() -> None:
    text = "نقلت وكالة مهر عن المسؤول قوله (ما آماده کمک هستیم) في تغريدة"
    assert line_langs(text, "ar") == [("ما آماده کمک هستیم", "fa")]


def test_arabic_typed_with_persian_letters_stays_arabic() -> None:
    # SaudiNewsNet has Arabic typed with Persian yeh/kaf (ی ک): still Arabic, never a Persian run.
    line = "وقالت: إن حجم المساعدات الغذائیة التي یقدمها برنامج الأغذیة العالمي إلى اللاجئین السوریین انخفض"
    assert detect_lang(line) == "ar"
    assert line_langs(line, "ar") == []
    assert line_langs("بدوره، مؤکدا أن إیران تدافع بقوة", "ar") == []
    assert detect_lang("مشهد") == "ar"


def test_links_code_and_mixed_runs_not_reported() -> None:
    text = (
        "للتسجيل http://www.mcs.gov.sa/InformationCenter/News/MinistryNews/Documents/Default.aspx\n"
        "تواصل twitter:@Dr_AhmedKhalil ahkhalil25@hotmail.com\n"
        "right no-repeat; padding:10px 5px; font:bold 12px Tahoma; color: #7b7a7a;\n"
        "ومنها tostaditas، وTiraditos، وTartars"
    )
    assert line_langs(text, "ar") == []


def test_lines_inside_an_english_article() -> None:
    text = (
        "The president said on Saturday that the talks would continue in Moscow next week.\n"
        "Le président a déclaré samedi que les négociations se poursuivraient à Moscou.\n"
        "قال الرئيس إن المحادثات ستستمر"
    )
    assert line_langs(text, "en") == [
        ("Le président a déclaré samedi que les négociations se poursuivraient à Moscou.", "fr"),
        ("قال الرئيس إن المحادثات ستستمر", "ar"),
    ]
