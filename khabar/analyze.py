"""Analysis: language, sentences, dateline, dates, entities and quotes of an Article, in one pass."""

from __future__ import annotations

from time import process_time

from khabar.article import Article
from khabar.extract.dateline import find_dateline
from khabar.extract.dates import find_dates
from khabar.extract.entities import EntityTagger, default_tagger
from khabar.extract.quotes import find_quotes
from khabar.lang.detect import detect_lang, line_langs
from khabar.lang.segment import split_sentences

STAGES = ("lang", "line_langs", "dateline", "sentences", "dates", "entities", "quotes")
LANG_SNIPPET = 2000  # characters of the body (after the title) that decide the article's language


def analyze(article: Article, *, tagger: EntityTagger | None = None,
            timings: dict[str, float] | None = None) -> Article:
    """Fill the analysis fields of ``article`` (in place) and return it; the original text is kept as read.

    With ``timings``, the CPU seconds of each stage (``STAGES``) are added to it.
    """
    if article.analyzed:
        return article
    clock = _Clock(timings)
    text = article.text or ""
    article.lang = article.lang or detect_lang((article.title or "") + "\n" + text[:LANG_SNIPPET])
    clock("lang")
    article.line_langs = line_langs(text, article.lang)
    clock("line_langs")
    dateline = find_dateline(text)
    if dateline is not None:
        article.dateline = dateline
        article.outlet = article.outlet or dateline.outlet
        article.agency = article.agency or dateline.agency
        article.place = article.place or dateline.place
        if article.published is None and dateline.date is not None:
            article.published = dateline.date
    clock("dateline")
    body_start = dateline.end if dateline is not None else 0
    article.sentences = split_sentences(text, start=body_start, lang=article.lang)
    clock("sentences")
    article.dates = find_dates(text, article.published_date, lang=article.lang)
    clock("dates")
    article.entities = (tagger or default_tagger()).tag(text, lang=article.lang, title=article.title)
    clock("entities")
    article.quotes = find_quotes(text, article.entities, lang=article.lang)
    clock("quotes")
    article.analyzed = True
    return article


class _Clock:
    """Adds the CPU time since the last call to ``timings[stage]``; does nothing without ``timings``."""

    __slots__ = ("timings", "last")

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.last = process_time() if timings is not None else 0.0

    def __call__(self, stage: str) -> None:
        if self.timings is not None:
            now = process_time()
            self.timings[stage] = self.timings.get(stage, 0.0) + now - self.last
            self.last = now
