"""Datelines at the start of a body, and the table of agencies and outlets they credit."""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khabar.extract.agencies import AGENCY_PATTERN, agencies_in, find_agency, iter_agencies
from khabar.extract.dateline import find_dateline

# ---------------------------------------------------------------- agencies


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("واس", "Saudi Press Agency"),
        ("(واس)", "Saudi Press Agency"),
        ("وكالة الأنباء السعودية", "Saudi Press Agency"),
        ("سبوتنيك", "Sputnik"),
        ("مهر", "Mehr News Agency"),
        ("وكالة مهر للأنباء", "Mehr News Agency"),
        ("إرنا", "IRNA"),
        ("ارنا", "IRNA"),
        ("رويترز", "Reuters"),
        ("Reuters", "Reuters"),
        ("أ ف ب", "AFP"),
        ("أ.ف.ب", "AFP"),
        ("فرانس برس", "AFP"),
        ("أ ب", "AP"),
        ("أسوشيتد برس", "AP"),
        ("د ب أ", "DPA"),
        ("د.ب.أ", "DPA"),
        ("قنا", "QNA"),
        ("وام", "WAM"),
        ("سانا", "SANA"),
        ("بترا", "Petra"),
        ("كونا", "KUNA"),
        ("الأناضول", "Anadolu Agency"),
        ("شينخوا", "Xinhua"),
        ("أ ش أ", "MENA"),
        ("تسنيم", "Tasnim News Agency"),
        ("فارس", "Fars News Agency"),
        ("إيسنا", "ISNA"),
        ("پاکستان پوائنٹ نیوز", "Pakistan Point News"),
        ("«الشرق الأوسط»", "Asharq Al-Awsat"),
        ("Anadolu Ajansı", "Anadolu Agency"),
        ("Agence France-Presse", "AFP"),
    ],
)
def test_find_agency(name, canonical):
    found = find_agency(name)
    assert found is not None and found[0] == canonical


def test_find_agency_unknown():
    assert find_agency("الرياض") is None
    assert find_agency("") is None
    assert find_agency("وزارة الخارجية") is None


def test_agencies_in_credits_and_mentions():
    text = (
        "وأفادت وكالة مهر للأنباء أن جلالي أعلن. وقال لوكالة فرانس برس إن الوضع هادئ (أ ف ب). "
        "وذكرت وكالة أنباء الشرق الأوسط الرسمية أن الاجتماع انتهى. وقال مسؤول لـ«الشرق الأوسط» إن..."
    )
    assert agencies_in(text) == ["Mehr News Agency", "AFP", "MENA", "Asharq Al-Awsat"]


def test_strict_aliases_need_a_cue():
    # «مهر» (dowry), «فارس» (a name), «سبق» (a verb), «الشرق الأوسط» (the region), «map» are ordinary words here
    text = "دفع مهر العروس. التقى فارس بصديقه. سبق أن قال إن الشرق الأوسط منطقة مهمة. See the map."
    assert agencies_in(text) == []
    assert agencies_in("نقلت وكالة فارس عن مصدر") == ["Fars News Agency"]
    assert agencies_in("الرياض (واس) قال") == ["Saudi Press Agency"]


def test_agencies_in_latin_scripts():
    assert agencies_in("Selon l'AFP et l'agence Reuters, le président a déclaré (AP)") == ["AFP", "Reuters", "AP"]
    assert agencies_in("Anadolu Ajansı muhabirine konuşan yetkili, DHA ve İHA da aktardı. (İHA)") == [
        "Anadolu Agency", "IHA"]
    assert agencies_in("The AP said the map shows afp and aa") == []


def test_iter_agencies_spans():
    text = "قال لرويترز إن (واس) نقلت و«الشرق الأوسط» كتبت"
    spans = [(a.name, text[s:e]) for a, s, e in iter_agencies(text)]
    assert spans == [("Reuters", "رويترز"), ("Saudi Press Agency", "واس"), ("Asharq Al-Awsat", "الشرق الأوسط")]


def test_agency_pattern_matches_variants():
    found = [m.group() for m in AGENCY_PATTERN.finditer("القاهرة (أ.ف.ب) - قال، وفي أنقرة (AA) - وفي map")]
    assert found == ["أ.ف.ب", "AA"]


# ---------------------------------------------------------------- datelines


def test_seed_001_dateline(seeds_dir):
    text = next(seeds_dir.glob("001_*.txt")).read_text(encoding="utf-8")
    d = find_dateline(text)
    assert d is not None
    assert (d.outlet, d.agency, d.date) == ("Pakistan Point News", "Sputnik", date(2020, 10, 10))
    assert d.text == "(پاکستان پوائنٹ نیوز / سبوتنيك - 10 اكتوبر 2020ء)"
    assert text[d.start:d.start + len(d.text)] == d.text
    assert text[d.end:].startswith("أعرب الرئيس الإيراني")


def test_seed_000_has_no_dateline(seeds_dir):
    text = next(seeds_dir.glob("000_*.txt")).read_text(encoding="utf-8")
    assert find_dateline(text) is None


@pytest.mark.parametrize(
    ("text", "outlet", "agency", "place", "body"),
    [
        ("(پاکستان پوائنٹ نیوز / سبوتنيك - 10 اكتوبر 2020ء) أعرب", "Pakistan Point News", "Sputnik", None, "أعرب"),
        ("الرياض (واس) - أعلن", None, "Saudi Press Agency", "الرياض", "أعلن"),
        ("الرياض - واس: أعلن", None, "Saudi Press Agency", "الرياض", "أعلن"),
        ("القاهرة - (أ ف ب) - قال", None, "AFP", "القاهرة", "قال"),
        ("لندن - رويترز: قال", None, "Reuters", "لندن", "قال"),
        ("دمشق-سانا بدأت", None, "SANA", "دمشق", "بدأت"),
        ("واشنطن ـ «الشرق الأوسط»: قال", "Asharq Al-Awsat", None, "واشنطن", "قال"),
        ("(د ب أ) قال", None, "DPA", None, "قال"),
        ("طهران - إرنا - قال", None, "IRNA", "طهران", "قال"),
        ("بوجومبورا - د.ب.أ\nذكر المتحدث", None, "DPA", "بوجومبورا", "ذكر"),
        ("PARIS (Reuters) - The", None, "Reuters", "PARIS", "The"),
        ("ANKARA (AA) - Turkish", None, "Anadolu Agency", "ANKARA", "Turkish"),
        ("Paris (AFP) - Le", None, "AFP", "Paris", "Le"),
        ("واس- الرياض: وقع وزير", None, "Saudi Press Agency", "الرياض", "وقع"),
        ("سبق- الرياض: عقد", "Sabq", None, "الرياض", "عقد"),
        ("عبدالله البرقاوي-سبق-الرياض: اخترق", "Sabq", None, "الرياض", "اخترق"),
        ("محمد أبو شعر- سبق: بلغت", "Sabq", None, None, "بلغت"),
        ("سبق- متابعة: حصل", "Sabq", None, None, "حصل"),
        ("رويترز- لونبورج (ألمانيا): قال", None, "Reuters", "لونبورج (ألمانيا)", "قال"),
        ("سعد الفراج – عين اليوم\nأفصح الممثل", "Ain Alyoum", None, None, "أفصح"),
        (" Next Previous عين اليوم – مكة المكرمة\n تحت رعاية", "Ain Alyoum", None, "مكة المكرمة", "تحت"),
        ("عين اليوم – واس /  استقبل", "Ain Alyoum", "Saudi Press Agency", None, "استقبل"),
        ("سبق، واس- الباحة: جذبت", "Sabq", "Saudi Press Agency", "الباحة", "جذبت"),
        ("عمان 6 حزيران (بترا) أعلنت", None, "Petra", "عمان", "أعلنت"),
        ("رام الله في 25 يونيو /بنا/ سجلت", None, "BNA", "رام الله", "سجلت"),
        ("موسكو في 2 مايو/ وام / أعلنت", None, "WAM", "موسكو", "أعلنت"),
        ("طهران(إسنا) - عقدت", None, "ISNA", "طهران", "عقدت"),
        ("الرباط ـ «القدس العربي» : الروائي", "Al-Quds Al-Arabi", None, "الرباط", "الروائي"),
        ("المصدر: رويترز\n\nقالت", None, "Reuters", None, "قالت"),
        ("المصدر: دبي ـ البيان\n\nسباق", "Al Bayan", None, "دبي", "سباق"),
        ("Viyana(AA)-Viyana Şehir", None, "Anadolu Agency", "Viyana", "Viyana"),
        ("(Belga) Un incendie", None, "Belga", None, "Un"),
    ],
)
def test_dateline_shapes(text, outlet, agency, place, body):
    text = text + " الفعاليات المميزة لمهرجان العسل الدولي الثامن في المنطقة."
    d = find_dateline(text)
    assert d is not None, text
    assert (d.outlet, d.agency, d.place) == (outlet, agency, place)
    assert text[d.end:].startswith(body)
    assert text[d.start:d.start + len(d.text)] == d.text


def test_spa_dateline_with_both_calendars():
    text = " الرياض 26 شوال 1436 هـ الموافق 11 أغسطس 2015 م واس\n دشنت اللجنة المنظمة للمنتدى الوطني الثاني"
    d = find_dateline(text)
    assert d is not None
    assert (d.agency, d.place, d.date) == ("Saudi Press Agency", "الرياض", date(2015, 8, 11))
    assert text[d.end:].startswith("دشنت")


def test_dateline_after_headline():
    text = "روحاني يؤكد دعم إيران لوقف إطلاق النار\n\nالرياض (واس) - أعرب الرئيس الإيراني عن دعمه للاتفاق."
    d = find_dateline(text)
    assert d is not None and d.agency == "Saudi Press Agency"
    assert d.start == text.index("الرياض")


@pytest.mark.parametrize(
    "text",
    [
        "ذكر هانز - بيتر بارتلس، مفوض شؤون الدفاع في البرلمان الألماني أن المهمة انتهت.",
        "الحدث الذي - ربما - كان جاذباً حد البهجة الطاغية على بهجة العيد.",
        'يعاني الطفل البريطاني "مورغان بيشوب" (خمس سنوات) من حالة أكزيما حادة أقعدته.',
        "ذكر مجموعة من العلماء اليوم (الأربعاء) أن حبوب منع الحمل توفر حماية طويلة.",
        "لم يكن تراجع المنتخب السعودي في تصنيف الاتحاد الدولي (فيفا) الصادر هذا الشهر مفاجئا.",
        "1917 - الحرب العالمية الأولى: الحكم بالإعدام في باريس على الراقصة الهولندية.",
        "كريستيان جروس / أعلن مدرب الأهلي في تصريحات تلفزيونية أنه باق.",
        "قال مسؤول - رفض ذكر اسمه: إن الاجتماع تأجل إلى موعد لاحق.",
        "وقال الأحمدي في تصريحات لـ «عكاظ»: ندعو كل مقاوم من أبناء الشعب.",
        "سبق أن قال الوزير - في مؤتمر صحافي: إن الخطة جاهزة للتنفيذ.",
        "سعودية ترسم رسومات على وجه طفل في فعاليات صيف المنطقة الشرقية.\n(واس)\n",
        "",
    ],
)
def test_false_datelines_rejected(text):
    assert find_dateline(text) is None


def _day(shared_data, day: str) -> list[dict]:
    with zipfile.ZipFile(shared_data / "saudinewsnet" / f"{day}.zip") as z:
        return json.loads(z.read(z.namelist()[0]))


def test_saudinewsnet_datelines(shared_data):
    """Wire-style sources get datelines; papers that print none get (almost) none."""
    articles = _day(shared_data, "2015-07-21") + _day(shared_data, "2015-08-11")
    total, hits, agencies = Counter(), Counter(), Counter()
    for a in articles:
        total[a["source"]] += 1
        d = find_dateline(a["content"])
        if d is not None:
            hits[a["source"]] += 1
            agencies[(a["source"], d.agency or d.outlet)] += 1
            assert a["content"][d.start:d.start + len(d.text)] == d.text
    assert hits["sabq"] >= 0.85 * total["sabq"]
    assert agencies[("was", "Saudi Press Agency")] >= 0.85 * total["was"]
    quiet = [s for s in ("alyaum", "aleqtisadiya", "almadina", "alwatan", "alweeam", "okaz") if total[s]]
    assert quiet and sum(hits[s] for s in quiet) <= 0.01 * sum(total[s] for s in quiet)


_PIECES = st.sampled_from(
    ["الرياض", " ", " - ", "-", "(", ")", "واس", "رويترز", "سبق", ":", "/", "\n", "«", "»", "ـ", "قال", "10 أكتوبر 2020",
     "PARIS", "(Reuters)", "أ ف ب", "عين اليوم", "، ", "متابعات", "ء", "٢٠٢٠"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=20).map("".join))
def test_dateline_span_property(text):
    d = find_dateline(text)
    if d is not None:
        assert 0 <= d.start <= d.end <= len(text)
        assert text[d.start:d.start + len(d.text)] == d.text
        assert d.agency or d.outlet or d.date


def test_products_named_after_an_agency_are_not_credits():
    # the Sputnik V vaccine is not a credit to the Sputnik agency; the agency itself still is
    assert agencies_in("أعلنت روسيا تسجيل لقاح «سبوتنيك» ضد كورونا") == []
    assert agencies_in("Russia's Sputnik V vaccine was registered") == []
    assert agencies_in("وقالت وكالة سبوتنيك إن لقاح سبوتنيك في فعال") == ["Sputnik"]
    assert agencies_in("موسكو (سبوتنيك) - قال الكرملين") == ["Sputnik"]
