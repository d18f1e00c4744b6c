"""The gazetteer's matching fold keeps a map to the original; the tagger's word memo never changes an answer."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from khabar.extract.entities import RuleTagger, default_tagger
from khabar.extract.gazetteer import Deletions, fold

_ALPHABET = "ابتجدروسيلمنهوأإآىةؤئ ًٌٍَُِّْـ\u0610\u06d6\u200c\u200f\n\t\xa0،.«»İIaZ١۴ß"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=120))
def test_fold_maps_each_character_back(text):
    folded, offsets = fold(text)
    if offsets is None:
        assert len(folded) == len(text)
        return
    image = [offsets[i] for i in range(len(folded))]
    assert all(0 <= o < len(text) for o in image) and image == sorted(image)
    if isinstance(offsets, Deletions):  # only marks were dropped; the rest folds one to one
        assert all(fold(text[o])[0] == folded[i] for i, o in enumerate(image))
        assert all(fold(text[o])[0] == "" for o in set(range(len(text))) - set(image))


def test_fold_drops_marks_and_tatweel():
    folded, offsets = fold("بوتيـــنُ")
    assert folded == "بوتين" and [offsets[i] for i in range(5)] == [0, 1, 2, 3, 7]


_WORDS = ["الرئيس", "الروسي", "فلاديمير", "بوتين", "وبوتين", "على", "علي", "وزير", "الخارجية", "John", "Kerry",
          "said", "وكالة", "مهر", "للأنباء", "،", "في", "موسكو", "بن", "محمد", "راشد", "jalali", "قال"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=12), min_size=1, max_size=4))
def test_word_memo_gives_the_answers_of_a_fresh_tagger(texts):
    warm = default_tagger()
    for words in texts:
        text = " ".join(words)
        assert warm.tag(text) == RuleTagger().tag(text)
