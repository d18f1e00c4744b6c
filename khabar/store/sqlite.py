"""The embedded default store: SQLite in WAL mode, one transaction a batch, so an interrupted add loses nothing."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path

import numpy as np

from khabar.article import Article, Dateline, DateMention, Mention, Quote, Sentence
from khabar.stories import StoryItem

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT UNIQUE NOT NULL,
  story INTEGER NOT NULL,
  published TEXT,
  outlet TEXT,
  title TEXT,
  record TEXT NOT NULL,         -- the analysed article as JSON
  terms TEXT NOT NULL,          -- the StoryItem: term counts as JSON
  keys TEXT NOT NULL,
  embedding BLOB,
  lang TEXT                     -- the StoryItem's language (cross-language scoring)
);
CREATE INDEX IF NOT EXISTS articles_story ON articles(story);
CREATE TABLE IF NOT EXISTS merges (gone INTEGER PRIMARY KEY, keep INTEGER NOT NULL);
"""


def _parse_day(value: str | None) -> date | datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)


def article_from_record(rec: dict) -> Article:
    """Rebuild an analysed Article from its stored JSON record."""
    a = Article(text=rec.get("text") or "", title=rec.get("title"), id=rec["id"], url=rec.get("url"),
                outlet=rec.get("outlet"), agency=rec.get("agency"), author=rec.get("author"),
                place=rec.get("place"), published=_parse_day(rec.get("published")), lang=rec.get("lang"),
                origin=rec.get("origin"), meta=rec.get("meta") or {})
    a.sentences = [Sentence(**s) for s in rec.get("sentence_spans", [])]
    a.entities = [Mention(**m) for m in rec.get("entities", [])]
    a.dates = [DateMention(**{**m, "date": date.fromisoformat(m["date"])}) for m in rec.get("dates", [])]
    a.quotes = [Quote(**q) for q in rec.get("quotes", [])]
    dl = rec.get("dateline")
    if dl:
        a.dateline = Dateline(**{**dl, "date": date.fromisoformat(dl["date"]) if dl.get("date") else None})
    a.line_langs = [tuple(x) for x in rec.get("line_langs", [])]
    a.analyzed = True
    return a


def article_record(a: Article) -> dict:
    """The JSON record stored for an article (analysis included, sentence spans kept)."""
    rec = a.to_dict()
    rec["sentence_spans"] = [{"text": s.text, "start": s.start, "end": s.end, "lang": s.lang} for s in a.sentences]
    rec.pop("sentences", None)
    rec.pop("analyzed", None)
    return rec


class SQLiteStore:
    """Articles, their clustering features and story membership in one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.db = sqlite3.connect(self.path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(articles)")}
        if "lang" not in columns:  # a store written before items kept their language
            with self.db:
                self.db.execute("ALTER TABLE articles ADD COLUMN lang TEXT")

    def has(self, article_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE id=?", (article_id,)).fetchone() is not None

    def put(self, rows: Iterable[tuple[Article, StoryItem, int]], merges: dict[int, int],
            moves: dict[str, int] | None = None) -> int:
        added = 0
        with self.db:  # one transaction: all of the batch, or none of it
            for article, item, story in rows:
                emb = None if item.embedding is None else np.asarray(item.embedding, np.float32).tobytes()
                cur = self.db.execute(
                    "INSERT OR IGNORE INTO articles(id, story, published, outlet, title, record, terms, keys, embedding,"
                    " lang) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (article.id, story, article.published.isoformat() if article.published else None,
                     article.outlet, article.title, json.dumps(article_record(article), ensure_ascii=False),
                     json.dumps(item.terms, ensure_ascii=False), json.dumps(sorted(item.keys), ensure_ascii=False),
                     emb, item.lang),
                )
                added += cur.rowcount
            self.db.executemany("INSERT OR REPLACE INTO merges(gone, keep) VALUES (?,?)", merges.items())
            if moves:  # articles moved between stories by re-clustering
                self.db.executemany("UPDATE articles SET story=? WHERE id=?", [(s, a) for a, s in moves.items()])
        return added

    def items(self) -> Iterator[StoryItem]:
        for item, _ in self.placed():
            yield item

    def placed(self) -> Iterator[tuple[StoryItem, int]]:
        """Every stored (StoryItem, story id it was stored under), in arrival order."""
        for aid, story, published, terms, keys, emb, lang in self.db.execute(
            "SELECT id, story, published, terms, keys, embedding, COALESCE(lang, NULLIF(json_extract(record, '$.lang'), 'und'))"
            " FROM articles ORDER BY seq"
        ):
            day = _parse_day(published)
            if isinstance(day, datetime):
                day = day.date()
            yield (StoryItem(id=aid, terms=Counter(json.loads(terms)), keys=frozenset(json.loads(keys)),
                             embedding=None if emb is None else np.frombuffer(emb, np.float32).copy(), day=day,
                             lang=lang),
                   story)

    def spans(self) -> Iterator[tuple[int, date | None]]:
        """Every stored (story id, day) in arrival order: a cheap pass before ``placed``."""
        for story, published in self.db.execute("SELECT story, published FROM articles ORDER BY seq"):
            day = _parse_day(published)
            yield story, day.date() if isinstance(day, datetime) else day

    def merges(self) -> dict[int, int]:
        """Stored story merges: gone id -> the id it was merged into."""
        return dict(self.db.execute("SELECT gone, keep FROM merges"))

    def articles(self, ids: Iterable[str]) -> list[Article]:
        out = []
        for aid in ids:
            row = self.db.execute("SELECT record FROM articles WHERE id=?", (aid,)).fetchone()
            if row:
                out.append(article_from_record(json.loads(row[0])))
        return out

    def memberships(self) -> dict[int, list[str]]:
        merged = self.merges()

        def live(sid: int) -> int:
            while sid in merged:
                sid = merged[sid]
            return sid

        groups: dict[int, list[str]] = defaultdict(list)
        for aid, story in self.db.execute("SELECT id, story FROM articles ORDER BY seq"):
            groups[live(story)].append(aid)
        return dict(groups)

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    def close(self) -> None:
        self.db.close()
