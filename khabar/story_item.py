"""What story clustering needs of an article (``StoryItem``) and how it is made from an analysed Article.

Terms (title counted more), names and numbers counted more in the terms and again in a channel of their own
(``NAME_MARK`` + term), entity keys, and the years the text names (``YEAR_KEY`` + year, among the keys, so that a
stored item keeps them).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np


@dataclass(slots=True)
class StoryItem:
    """What clustering needs of an article."""

    id: str
    terms: Counter  # term -> count (title terms, names, numbers counted more); "#"+term: the names channel
    keys: frozenset[str] = frozenset()  # entity keys (loc:RU, pers:…) and years named in the text (year:2008)
    embedding: np.ndarray | None = None
    day: date | None = None
    lang: str | None = None


YEAR_KEY = "year:"  # keys of the years a text names
NAME_MARK = "#"  # terms of the names channel (tokens never hold "#")
NAME_WEIGHT = 3  # extra counts of a name or number in the terms (chosen on ECB+ dev; see khabar eval stories)


def split_keys(keys: Iterable[str]) -> tuple[list[str], frozenset[int]]:
    """Entity keys (sorted) and the years named in the text, from an item's keys."""
    entity, years = [], []
    for k in sorted(keys):
        if k.startswith(YEAR_KEY):
            years.append(int(k[len(YEAR_KEY):]))
        else:
            entity.append(k)
    return entity, frozenset(years)


NAME_OR_NUMBER = re.compile(r"(?<![.!?:\n]\s)(?<![.!?:\n])(?<!^)\b[A-Z][\w'’-]+|\b\d[\d,.]*\d\b|\b\d\b")


def marked_terms(text: str, article) -> Counter:
    """Terms of the words that tell look-alike events apart: names (capitalised mid-sentence, entity mentions)
    and numbers."""
    from khabar.lang.tokens import terms

    found = NAME_OR_NUMBER.findall(text)
    found.extend(m.text for m in article.entities if m.text and not m.text[:1].isascii())  # Latin: capitals
    return Counter(terms("\n".join(found), article.lang)) if found else Counter()


YEAR = re.compile(r"(?<!\d)(?<!\d[.,])(19[5-9]\d|20[0-4]\d)(?!\d)(?![.,]\d)")


def text_years(article) -> set[int]:
    """Years the article names (Gregorian date mentions and four-digit years 1950-2049 in its title and text),
    less the year it was published in: that one the day gap already weighs, and every article of a stream names
    it."""
    from khabar.lang.normalize import normalize_digits

    years = {m.date.year for m in article.dates if m.date and m.calendar == "gregorian"}
    years.update(int(y) for y in YEAR.findall(normalize_digits(f"{article.title or ''}\n{article.text}")))
    published = article.published_date
    return years - {published.year} if published else years


def item_from_article(article, embedding: np.ndarray | None = None, title_weight: int = 2,
                      name_weight: int = NAME_WEIGHT) -> StoryItem:
    """The StoryItem of an analysed Article: body terms, title terms counted ``title_weight`` times, and names and
    numbers counted ``name_weight`` times more."""
    from khabar.lang.tokens import terms

    counts: Counter = Counter()
    lang = article.lang
    title = article.title or ""
    if title:
        counts.update({t: c * title_weight for t, c in Counter(terms(title, lang)).items()})
    body = " ".join(s.text for s in article.sentences) if article.sentences else article.text
    counts.update(terms(body, lang))
    for t, c in marked_terms(title + "\n" + body, article).items():
        if name_weight:
            counts[t] += name_weight * c
        counts[NAME_MARK + t] += c
    keys = frozenset([m.key for m in article.entities if m.key] + [f"{YEAR_KEY}{y}" for y in text_years(article)])
    return StoryItem(id=article.id, terms=counts, keys=keys, embedding=embedding, day=article.published_date,
                     lang=article.lang if article.lang and article.lang != "und" else None)
