"""Analysis: language, sentences, dateline, dates, entities and quotes of an Article, in one pass."""

from __future__ import annotations

from khabar.article import Article
from khabar.extract.dateline import find_dateline
from khabar.extract.dates import find_dates
from khabar.extract.entities import EntityTagger, default_tagger
from khabar.extract.quotes import find_quotes
from khabar.lang.detect import detect_lang, line_langs
from khabar.lang.segment import split_sentences


def analyze(article: Article, *, tagger: EntityTagger | None = None) -> Article:
    """Fill the analysis fields of ``article`` (in place) and return it; the original text is kept as read."""
    if article.analyzed:
        return article
    text = article.text or ""
    article.lang = article.lang or detect_lang((article.title or "") + "\n" + text[:2000])
    article.line_langs = line_langs(text, article.lang)
    dateline = find_dateline(text)
    if dateline is not None:
        article.dateline = dateline
        article.outlet = article.outlet or dateline.outlet
        article.agency = article.agency or dateline.agency
        article.place = article.place or dateline.place
        if article.published is None and dateline.date is not None:
            article.published = dateline.date
    body_start = dateline.end if dateline is not None else 0
    article.sentences = split_sentences(text, start=body_start, lang=article.lang)
    article.dates = find_dates(text, article.published_date, lang=article.lang)
    article.entities = (tagger or default_tagger()).tag(text, lang=article.lang, title=article.title)
    article.quotes = find_quotes(text, article.entities, lang=article.lang)
    article.analyzed = True
    return article
