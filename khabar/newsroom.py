"""The stateful engine used by the CLI, the Python API and the web: a store, the clusterer, and story views."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from khabar.analyze import analyze
from khabar.article import Article
from khabar.stories import StoryClusterer, StoryConfig, StoryItem, item_from_article


@dataclass
class AddReport:
    """What one ``add`` did."""

    seen: int = 0
    added: int = 0
    duplicates: int = 0
    failed: int = 0


def embed_texts(articles: list[Article], mode: str) -> list[np.ndarray | None]:
    """Embeddings for clustering: of the title ("title"), of title and lead ("lead"), or none ("none")."""
    if mode == "none" or not articles:
        return [None] * len(articles)
    from khabar.vectors.embed import get_encoder

    if mode == "title":
        texts = [a.title or (a.sentences[0].text if a.sentences else a.text[:200]) for a in articles]
    else:
        texts = [(a.title or "") + "\n" + " ".join(s.text for s in a.sentences[:3]) for a in articles]
    return list(get_encoder().encode(texts, kind="passage"))


class Newsroom:
    """Articles in a store, grouped into stories incrementally; rebuilt from the store on open."""

    def __init__(self, store, config: StoryConfig | None = None, embed: str = "none", tagger=None) -> None:
        self.store = store
        self.embed = embed
        self.tagger = tagger  # entity tagger for analysis (None: the rule tagger)
        self.clusterer = StoryClusterer(config)
        self._stored_merges = store.merges()
        # the stored stories, without re-scoring; stories closed by the end are not weighed
        self.clusterer.restore(store.placed(), self._stored_merges, store.spans())

    @classmethod
    def open(cls, path: str | Path = "khabar.db", **kwargs) -> Newsroom:
        """A Newsroom on an SQLite file (created when absent)."""
        from khabar.store.sqlite import SQLiteStore

        return cls(SQLiteStore(path), **kwargs)

    def add(self, articles: Iterable[Article], batch_size: int = 64,
            on_error: Callable[[str], None] | None = None, on_article: Callable[[], None] | None = None) -> AddReport:
        """Analyse, cluster and store articles; one transaction a batch, so an interruption keeps whole batches."""
        report = AddReport()
        batch: list[Article] = []
        pending: set[str] = set()

        def flush() -> None:
            if not batch:
                return
            vectors = embed_texts(batch, self.embed)
            placed: list[tuple[Article, StoryItem]] = []
            for article, vec in zip(batch, vectors, strict=True):
                item = item_from_article(article, vec)
                self.clusterer.add(item)
                placed.append((article, item))
            # stored under the story each is in now (a later add of the batch may have moved it by re-clustering)
            rows = [(article, item, self.clusterer.story_of(item.id)) for article, item in placed]
            known = len(self._stored_merges)
            new = dict(list(self.clusterer.merged.items())[known:])  # only merges made since the last batch
            moves = self.clusterer.take_moves()  # earlier articles moved by re-clustering: stored in the same transaction
            report.added += self.store.put(rows, new, moves)
            self._stored_merges.update(new)
            batch.clear()
            pending.clear()

        for article in articles:
            report.seen += 1
            if on_article:
                on_article()
            if article.id in pending or self.store.has(article.id):
                report.duplicates += 1
                continue
            try:
                analyze(article, tagger=self.tagger)
            except Exception as exc:  # one bad article never stops a batch
                report.failed += 1
                if on_error:
                    on_error(f"{article.origin or article.id}: analysis failed: {exc!r}")
                continue
            batch.append(article)
            pending.add(article.id)
            if len(batch) >= batch_size:
                flush()
        flush()
        return report

    def stories(self) -> dict[int, list[str]]:
        """Live stories: id -> article ids."""
        return self.store.memberships()

    def story_articles(self, story_id: int) -> list[Article]:
        """The analysed articles of one story, in arrival order."""
        members = self.stories().get(story_id)
        if members is None:
            raise KeyError(f"no story {story_id}")
        return self.store.articles(members)

    def close(self) -> None:
        self.store.close()
