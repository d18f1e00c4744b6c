"""``khabar add``, ``khabar stories`` and ``khabar story``: ingest into a store, list stories, show one."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from khabar.cli.display import bidi, console, error_line, progress

if TYPE_CHECKING:
    from khabar.view import StoryView

DEFAULT_DB = "khabar.db"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("add", help="read, analyse and add articles to the store, grouping them into stories")
    p.add_argument("paths", nargs="+")
    p.add_argument("--db", default=DEFAULT_DB, help=f"SQLite store (default ./{DEFAULT_DB})")
    p.add_argument("--embed", choices=["title", "lead", "none"], default="none",
                   help="what of each article is embedded for clustering (default: none; title embeddings "
                   "cost ~16 ms CPU an article, 31k articles then take >10 min)")
    p.add_argument("--batch", type=int, default=64, help="articles per committed transaction")
    p.add_argument("--ner", action="store_true", help="also run the trained Arabic NER tagger (slower)")
    p.set_defaults(func=run_add)

    p = sub.add_parser("stories", help="list the stories of a store, or cluster a JSONL file statelessly")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--input", type=Path, help="JSONL (id, title, text, published, url, outlet, lang): "
                   "cluster it and print [{story, articles}] without touching a database")
    p.add_argument("--json", action="store_true")
    p.add_argument("--html", type=Path, metavar="DIR", help="write one HTML page a story and an index")
    p.add_argument("--min-size", type=int, default=1, help="list only stories with at least this many articles")
    p.add_argument("--embed", choices=["title", "lead", "none"], default="title")
    p.set_defaults(func=run_stories)

    p = sub.add_parser("story", help="show one story: timeline, agreed, adds, disputes, quotes")
    p.add_argument("story_id", type=int)
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--format", choices=["text", "json", "markdown", "html"], default="text")
    p.set_defaults(func=run_story)


def run_add(args: argparse.Namespace) -> int:
    from khabar.newsroom import Newsroom
    from khabar.read import read

    failures = 0

    def on_error(message) -> None:
        nonlocal failures
        failures += 1
        error_line(str(message))

    tagger = None
    if args.ner:
        from khabar.extract.ner import combined_tagger

        tagger = combined_tagger()
    room = Newsroom.open(args.db, embed=args.embed, tagger=tagger)
    try:
        report = room.add(progress(read(args.paths, on_error=on_error), "adding"), batch_size=args.batch,
                          on_error=on_error)
    finally:
        stories = room.stories()
        room.close()
    console.print(f"{report.added} added, {report.duplicates} already stored, {failures} failed; "
                  f"{len(stories)} stories in {args.db}")
    return 1 if failures else 0


def _stateless(args: argparse.Namespace) -> int:
    from khabar.analyze import analyze
    from khabar.article import Article
    from khabar.newsroom import embed_texts
    from khabar.read import read
    from khabar.stories import cluster, item_from_article

    failures = 0

    def on_error(err) -> None:
        nonlocal failures
        failures += 1
        error_line(str(err))

    articles: list[Article] = []
    for a in progress(read(args.input, on_error=on_error, fmt="jsonl"), "analysing"):
        try:
            articles.append(analyze(a))
        except Exception as exc:
            on_error(f"{a.origin or a.id}: analysis failed: {exc!r}")
    vectors = embed_texts(articles, args.embed)
    groups = cluster([item_from_article(a, v) for a, v in zip(articles, vectors, strict=True)])
    out = [{"story": i + 1, "articles": ids} for i, ids in enumerate(groups)]
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        for s in out:
            console.print(f"story {s['story']}: {', '.join(s['articles'])}")
    return 1 if failures else 0


def run_stories(args: argparse.Namespace) -> int:
    if args.input:
        return _stateless(args)
    from khabar.newsroom import Newsroom

    if not Path(args.db).exists():
        error_line(f"{args.db}: no such store (run `khabar add PATH...` first)")
        return 1
    room = Newsroom.open(args.db, embed=args.embed)
    try:
        stories = {sid: ids for sid, ids in room.stories().items() if len(ids) >= args.min_size}
        ordered = sorted(stories.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        if args.html:
            from khabar.view import build_view
            from khabar.view_render import to_html

            args.html.mkdir(parents=True, exist_ok=True)
            rows = []
            for sid, _ids in progress(ordered, "writing pages", total=len(ordered)):
                view = build_view(sid, room.story_articles(sid))
                (args.html / f"story-{sid}.html").write_text(to_html(view), encoding="utf-8")
                rows.append((sid, view))
            (args.html / "index.html").write_text(_index_html(rows), encoding="utf-8")
            console.print(f"wrote {len(rows)} story pages to {args.html}/ (open {args.html / 'index.html'})")
        elif args.json:
            print(json.dumps([{"story": sid, "articles": ids} for sid, ids in ordered], ensure_ascii=False))
        else:
            for sid, ids in ordered:
                arts = room.store.articles(ids[:1])
                title = (arts[0].title or (arts[0].sentences[0].text if arts[0].sentences else "")) if arts else ""
                console.print(f"[bold]{sid:>6}[/bold]  {len(ids):>4} articles  {bidi(title[:90])}")
    finally:
        room.close()
    return 0


def _index_html(rows) -> str:
    import html

    items = "\n".join(
        f'<li><a href="story-{sid}.html">{html.escape(v.headline or str(sid))}</a> '
        f'<span dir="ltr">({len(v.timeline)})</span></li>' for sid, v in rows)
    return ('<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>khabar stories</title>'
            '<style>body{font-family:sans-serif;max-width:50rem;margin:2rem auto;line-height:1.8}</style></head>'
            f"<body><h1>القصص الإخبارية — stories</h1><ol>{items}</ol></body></html>")


def run_story(args: argparse.Namespace) -> int:
    from khabar.newsroom import Newsroom
    from khabar.view import build_view
    from khabar.view_render import to_html, to_json, to_markdown

    room = Newsroom.open(args.db)
    try:
        try:
            view = build_view(args.story_id, room.story_articles(args.story_id))
        except KeyError:
            error_line(f"{args.db}: no story {args.story_id}")
            return 1
    finally:
        room.close()
    if args.format == "json":
        print(to_json(view))
    elif args.format == "markdown":
        print(to_markdown(view))
    elif args.format == "html":
        sys.stdout.write(to_html(view))
    else:
        print_view(view)
    return 0


def print_view(view: StoryView) -> None:
    """Rich terminal output, each right-to-left line isolated so mixed fields keep their order."""
    from rich.rule import Rule

    from khabar.view_render import labels, source_of

    L = labels(view)
    console.print(Rule(bidi(view.headline)))
    for title, lines in (
        (L["summary"], view.summary),
        (L["timeline"], [f"{t.published or '?'}  {bidi(t.source or t.id)}"
                         + (f" / {bidi(t.agency)}" if t.agency and t.outlet else "")
                         + (f"  [{L['dateline']}: {bidi(t.dateline['text'])}]" if t.dateline else "")
                         for t in view.timeline]),
        (L["agreed"], [f.text for f in view.agreed]),
        (L["disputes"], [f"{d.slot}: " + "; ".join(f"{source_of(view, a)}={v}" for a, v in d.values.items())
                         for d in view.disputes]),
        (L["quotes"], [f"{q['speaker']}: {q['text'][:200]}" for q in view.quotes]),
    ):
        console.print(f"[bold]{bidi(title)}[/bold]")
        for line in lines or [L["none"]]:
            console.print("  • " + bidi(line), soft_wrap=True, markup=False)
    console.print(f"[bold]{bidi(L['adds'])}[/bold]")
    for aid, items in view.adds.items():
        console.print("  " + bidi(source_of(view, aid)), style="bold cyan")
        for it in items:
            extra = f"  ⟨{', '.join(it.details)}⟩" if it.shared and it.details else ""
            console.print("    • " + bidi(it.text + extra), soft_wrap=True, markup=False)
