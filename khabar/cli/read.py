"""``khabar read PATH... [--json]``: read and analyse articles, print each one."""

from __future__ import annotations

import argparse
import json
import sys

from rich.panel import Panel
from rich.table import Table

from khabar.article import Article
from khabar.cli.display import bidi, console, error_line, progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("read", help="read and analyse articles (files, directories, archives)")
    p.add_argument("paths", nargs="+", help="files or directories (txt, html, json, jsonl, csv, rss, zip)")
    p.add_argument("--json", action="store_true", help="one JSON object a line")
    p.add_argument("--no-analysis", action="store_true", help="print articles as read, without analysis")
    p.add_argument("--ner", action="store_true",
                   help="also run the trained Arabic NER tagger (slower: ~10 ms an article) beside the rules")
    p.set_defaults(func=run)


def article_json(article: Article) -> dict:
    """The JSON record of an analysed article (the `khabar read --json` schema)."""
    d = article.to_dict()
    d["entities"] = [{"text": m.text, "kind": m.kind, "key": m.key} for m in article.entities]
    d["dates"] = [{"text": m.text, "date": m.date.isoformat()} for m in article.dates]
    d["quotes"] = [{"speaker": q.speaker, "speaker_key": q.speaker_key, "text": q.text} for q in article.quotes]
    d.pop("analyzed", None)
    return d


def show(article: Article) -> None:
    """A human-readable panel of one analysed article."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold cyan", no_wrap=True)
    grid.add_column()
    fields = [
        ("id", article.id),
        ("outlet", article.outlet),
        ("agency", article.agency),
        ("published", article.published.isoformat() if article.published else None),
        ("lang", article.lang),
        ("url", article.url),
        ("dateline", article.dateline.text if article.dateline else None),
    ]
    for name, value in fields:
        if value:
            grid.add_row(name, bidi(str(value)))
    for lang_run, lang in article.line_langs[:5]:
        grid.add_row("also " + lang, bidi(lang_run))
    by_kind: dict[str, list[str]] = {}
    for m in article.entities:
        label = f"{m.text} ({m.key})"
        if label not in by_kind.setdefault(m.kind, []):
            by_kind[m.kind].append(label)
    for kind, labels in sorted(by_kind.items()):
        grid.add_row(kind, "، ".join(bidi(x) for x in labels))
    if article.dates:
        grid.add_row("dates", ", ".join(f"{bidi(d.text)} → {d.date.isoformat()}" for d in article.dates))
    for q in article.quotes:
        grid.add_row("quote", f"{bidi(q.speaker)}: {bidi(q.text[:160])}")
    grid.add_row("sentences", str(len(article.sentences)))
    title = bidi(article.title or (article.sentences[0].text[:80] if article.sentences else article.id))
    console.print(Panel(grid, title=title, title_align="right" if article.lang in ("ar", "fa", "ur") else "left"))


def run(args: argparse.Namespace) -> int:
    from khabar.analyze import analyze
    from khabar.read import ReadError, read

    tagger = None
    if args.ner:
        from khabar.extract.ner import combined_tagger

        tagger = combined_tagger()
    failures = 0

    def on_error(err: ReadError) -> None:
        nonlocal failures
        failures += 1
        error_line(str(err))

    for article in progress(read(args.paths, on_error=on_error), "reading"):
        if not args.no_analysis:
            try:
                analyze(article, tagger=tagger)
            except Exception as exc:  # one bad article never stops the batch
                failures += 1
                error_line(f"{article.origin or article.id}: analysis failed: {exc!r}")
                continue
        if args.json:
            sys.stdout.write(json.dumps(article_json(article), ensure_ascii=False) + "\n")
        else:
            show(article)
    return 1 if failures else 0
