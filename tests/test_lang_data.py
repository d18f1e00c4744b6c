"""The language layer on real SaudiNewsNet articles: Arabic detected, segmentation lossless, terms sane."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from khabar.lang.detect import detect_lang, line_langs
from khabar.lang.segment import split_sentences
from khabar.lang.tokens import terms


def _articles(data: Path, limit: int | None) -> Iterator[tuple[str, str]]:
    n = 0
    for path in sorted((data / "saudinewsnet").glob("*.zip")):
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                for rec in json.loads(zf.read(name)):
                    yield rec.get("title") or "", rec.get("content") or ""
                    n += 1
                    if limit and n >= limit:
                        return


def _check(data: Path, limit: int | None) -> None:
    total = arabic = 0
    for title, text in _articles(data, limit):
        if len(text.split()) < 20:
            continue  # empty or near-empty records
        total += 1
        lang = detect_lang(title + "\n" + text[:2000])
        arabic += lang == "ar"
        pos = 0
        for s in split_sentences(text):
            assert text[pos:s.start].strip() == "" and text[s.start:s.end] == s.text
            pos = s.end
        assert text[pos:].strip() == ""
        runs = line_langs(text, lang)
        assert all(lang not in ("und", other) for _, other in runs)
    assert total > 0
    assert arabic >= 0.995 * total, (arabic, total)


def test_first_articles(shared_data: Path) -> None:
    _check(shared_data, 400)
    got = terms("وأكد وزير الخارجية السعودي عادل الجبير للصحفيين أن المملكة", "ar")
    assert got == ["اكد", "وزير", "خارج", "سعود", "عادل", "جبير", "صحف", "ان", "مملك"]


@pytest.mark.slow
def test_all_articles(shared_data: Path) -> None:
    _check(shared_data, None)
