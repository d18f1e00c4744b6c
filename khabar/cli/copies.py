"""``khabar copies PATH... [--json] [--threshold X]``: copy groups with origin, members, reuse and additions."""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime

from rich.panel import Panel
from rich.table import Table

from khabar.cli.display import bidi, console, err_console, error_line, progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("copies", help="near-duplicates: copy groups, their origin, reused and added sentences")
    p.add_argument("paths", nargs="+", help="files or directories (txt, html, json, jsonl, csv, rss, zip)")
    p.add_argument("--json", action="store_true", help="one JSON object a group, a line")
    p.add_argument("--threshold", type=float, default=0.3,
                   help="exact Jaccard of word 3-shingles at or above which two articles are copies (0.3)")
    p.add_argument("--containment", type=float, default=0.5,
                   help="or: share of the smaller article found in the larger one (0.5)")
    p.add_argument("--limit", type=int, default=0, help="show at most this many groups (0: all)")
    p.add_argument("--adds", type=int, default=3, help="sentences shown of what each member adds (text output)")
    p.add_argument("--save-index", metavar="PATH", help="also save the copy index (.npz) for later streaming")
    p.set_defaults(func=run)


def _when(value: object) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat() if isinstance(value, date) else ""


def _short(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def show(group, k: int, adds: int) -> None:
    """A panel of one copy group: the origin first, each copy with its source, reuse and additions."""
    short = {m.id: ("origin" if i == 0 else f"#{i}") for i, m in enumerate(group.members)}
    table = Table(show_header=True, header_style="bold", expand=False, box=None, padding=(0, 1))
    for col in ("", "outlet", "published", "from", "J", "in src", "reused", "adds", "credits"):
        table.add_column(col, no_wrap=col != "credits")
    for i, m in enumerate(group.members):
        table.add_row(
            "origin" if i == 0 else f"#{i}",
            bidi(m.outlet or ""),
            _when(m.published),
            short.get(m.source or "", "") if m.source else ("" if i == 0 else "(root)"),
            f"{m.jaccard:.2f}" if i else "",
            f"{m.containment:.0%}" if i else "",
            f"{m.reused:.0%}" if i else "",
            str(len(m.adds)),
            ", ".join(m.credited),
        )
    lines = [table]
    for i, m in enumerate(group.members):
        if not m.adds or adds <= 0:
            continue
        label = "only in the origin" if i == 0 else f"#{i} adds"
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="cyan", no_wrap=True)
        grid.add_column()
        for s in m.adds[:adds]:
            grid.add_row(label, bidi(_short(s)))
            label = ""
        if len(m.adds) > adds:
            grid.add_row("", f"… {len(m.adds) - adds} more")
        lines.append(grid)
    origin = group.members[0]
    title = bidi(_short(origin.title or origin.id, 90))
    sub = f"origin: {bidi(origin.outlet or origin.id)} — {group.reason}"
    if group.agency and group.agency not in group.reason:
        sub += f"; credited: {group.agency}"
    from rich.console import Group

    console.print(Panel(Group(*lines), title=f"group {k}: {title}", subtitle=sub, title_align="left"))


def run(args: argparse.Namespace) -> int:
    from khabar.copies import copy_groups, unique_ids
    from khabar.copyindex import CopyIndex
    from khabar.read import ReadError, read

    failures = 0

    def on_error(err: ReadError) -> None:
        nonlocal failures
        failures += 1
        error_line(str(err))

    articles = unique_ids(list(progress(read(args.paths, on_error=on_error), "reading")))
    index = CopyIndex(args.threshold, args.containment)
    step = 2048
    batches = (articles[i:i + step] for i in range(0, len(articles), step))
    matches = []
    for batch in progress(batches, "finding copies", total=(len(articles) + step - 1) // step):
        matches.extend(index.add_many(batch))
    groups = copy_groups(articles, matches)
    if args.save_index:
        index.save(args.save_index)
    shown = groups[: args.limit] if args.limit else groups
    if args.json:
        for g in shown:
            d = g.to_dict()
            d["pairs"] = [{"a": m.a, "b": m.b, "jaccard": round(m.jaccard, 4),
                           "contained_a": round(m.contained_a, 4), "contained_b": round(m.contained_b, 4)}
                          for m in g.pairs]
            print(json.dumps(d, ensure_ascii=False))
    else:
        for k, g in enumerate(shown, 1):
            show(g, k, args.adds)
        in_groups = sum(len(g.members) for g in groups)
        err_console.print(f"{len(articles)} articles read, {len(groups)} copy groups holding {in_groups} articles"
                          + (f", {failures} inputs failed" if failures else ""))
    return 1 if failures else 0
