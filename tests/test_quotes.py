"""Quotes and attributions: speaker after the verb, «أن»/colon/quote marks, the previous speaker."""

from __future__ import annotations

from khabar.extract.entities import default_tagger
from khabar.extract.quotes import find_quotes


def quotes(text: str):
    return find_quotes(text, default_tagger().tag(text), lang="ar")


def test_seed_000_mehr_and_jalali(seeds_dir):
    qs = quotes((seeds_dir / "000_a83c2042202123ac.txt").read_text("utf-8"))
    speakers = {q.speaker_key for q in qs}
    assert {"org:mehr", "pers:جلالي"} <= speakers
    mehr = next(q for q in qs if q.speaker_key == "org:mehr")
    assert mehr.speaker == "وكالة مهر للأنباء"
    assert mehr.text.startswith("جلالي أعلن")
    jalali = [q for q in qs if q.speaker == "السفير جلالي"]
    assert jalali and jalali[0].text.startswith("الجمهورية الاسلامية الايرانية ترحب")


def test_seed_001_kremlin_and_lavrov(seeds_dir):
    text = (seeds_dir / "001_84deb27a2029d957.txt").read_text("utf-8")
    qs = quotes(text)
    kremlin = [q for q in qs if q.speaker_key == "org:kremlin"]
    assert kremlin[0].speaker == "الرئاسة الروسية"
    assert kremlin[0].text.startswith("أعرب الرئيس الإيراني حسن روحاني")
    lavrov = next(q for q in qs if q.speaker_key == "pers:لافروف")
    assert lavrov.text.startswith("سيتم التوافق")
    for q in qs:
        assert text[q.start:q.end] == q.text or text[q.start:q.end].strip() == q.text


def test_no_speaker_takes_the_previous_one():
    text = "وقال السفير جلالي: ان المحادثات مفيدة جدا. وأضاف: ان التعاون مستمر بين البلدين."
    qs = quotes(text)
    assert [q.speaker_key for q in qs] == ["pers:جلالي", "pers:جلالي"]
    assert qs[1].text.startswith("التعاون مستمر")


def test_according_to():
    text = "ارتفع عدد الضحايا إلى عشرة أشخاص، بحسب وكالة مهر للأنباء."
    qs = quotes(text)
    assert qs and qs[0].speaker_key == "org:mehr" and qs[0].text.startswith("ارتفع عدد الضحايا")


def test_unknown_subject_is_not_a_speaker():
    assert quotes("وقال مصدر: ان الطقس حار جدا اليوم.") == []


def test_english_said():
    text = 'President Vladimir Putin said: "We support the ceasefire in Karabakh fully."'
    qs = find_quotes(text, default_tagger().tag(text), lang=None)
    assert qs == find_quotes(text, default_tagger().tag(text), lang="en")
    assert qs and qs[0].speaker_key == "pers:putin"
    assert qs[0].text == "We support the ceasefire in Karabakh fully."


def test_person_after_a_long_title_is_the_speaker():
    text = "وأكد المشرف العام على العلاقات العامة بوزارة الحج الأستاذ علي بن محمد الغامدي أن اللجان رصدت مخالفات كثيرة."
    qs = quotes(text)
    assert [q.speaker_key for q in qs] == ["pers:علي بن محمد"]
    assert qs[0].text.startswith("اللجان رصدت")


def test_object_after_the_verb_is_not_a_speaker():
    text = "كشفت الصحيفة عن تلقي النادي اتصالات من الاتحاد السعودي لكرة القدم بشأن المدرب."
    assert [q for q in quotes(text) if q.speaker_key == "org:الاتحاد السعودي"] == []
