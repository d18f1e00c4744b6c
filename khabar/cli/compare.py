"""``khabar compare A B [--json]`` and ``khabar compare --pairs IN.jsonl --out OUT.jsonl``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rich.panel import Panel
from rich.table import Table

from khabar.cli.display import bidi, console, error_line, progress

BATCH = 32


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="compare two articles on the seven SemEval-2022 dimensions, with evidence")
    p.add_argument("files", nargs="*", help="two article files (any format `khabar read` takes; the first article of each)")
    p.add_argument("--json", action="store_true", help="print the comparison as JSON")
    p.add_argument("--pairs", help="batch mode: a JSONL file of pairs (id, title1, text1, title2, text2, ...)")
    p.add_argument("--out", help="batch mode: where to write one JSON line of scores a pair (default: stdout)")
    p.set_defaults(func=run)


def _first_article(path: str) -> Any:
    """The first article read from ``path`` (raises with the file named when there is none)."""
    from khabar.read import read

    errors: list[str] = []
    for article in read([path], on_error=lambda err: errors.append(str(err))):
        return article
    raise ValueError(errors[0] if errors else f"{path}: no article found")


def show(sim: Any, a: Any, b: Any) -> None:
    """A human-readable, right-to-left safe view of a comparison."""
    scores = Table(title="scores (1 = most similar … 4 = least similar)", title_justify="left")
    for d in sim.scores:
        scores.add_column(d, justify="right")
    scores.add_row(*(f"{v:.2f}" for v in sim.scores.values()))
    console.print(Panel(f"A: {bidi(a.title or a.id)}\nB: {bidi(b.title or b.id)}", title="compare"))
    console.print(scores)
    sims = Table.grid(padding=(0, 2))
    sims.add_column(style="bold cyan")
    sims.add_column()
    sims.add_row("lexical", "  ".join(f"{k} {v:.2f}" for k, v in sim.lexical.items()))
    sims.add_row("semantic", "  ".join(f"{k} {v:.2f}" for k, v in sim.semantic.items()))
    console.print(sims)
    ev = Table(title="evidence", title_justify="left", show_lines=False)
    ev.add_column("kind", style="bold cyan")
    ev.add_column("shared")
    ev.add_column("only A")
    ev.add_column("only B")
    for kind in sim.shared:
        ev.add_row(kind, *("، ".join(bidi(x) for x in side.get(kind, [])) or "—"
                           for side in (sim.shared, sim.only_a, sim.only_b)))
    if sim.shared:
        console.print(ev)
    if sim.aligned:
        al = Table(title="aligned sentences", title_justify="left", show_lines=True)
        al.add_column("sim", justify="right")
        al.add_column("A")
        al.add_column("B")
        for p in sim.aligned:
            al.add_row(f"{p.similarity:.2f}", bidi(p.a), bidi(p.b))
        console.print(al)
    for note in sim.notes:
        console.print(f"[yellow]note[/yellow]: {note}")


def run_pairs(args: argparse.Namespace) -> int:
    """Batch mode: score every pair of a JSONL file; a bad line gets an error line and the batch goes on."""
    from khabar.compare import default_model, make_encode, read_pairs, score_rows

    model = default_model()
    encode = make_encode(model.encoder)
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115
    failures = 0
    batch: list[tuple[int, dict[str, Any]]] = []

    def flush() -> None:
        nonlocal failures
        if not batch:
            return
        try:
            results = score_rows([r for _, r in batch], model=model, encode=encode)
        except Exception:  # one bad pair must not sink the batch: retry one by one
            results = []
            for n, r in batch:
                try:
                    results.extend(score_rows([r], model=model, encode=encode))
                except Exception as exc:
                    failures += 1
                    error_line(f"{args.pairs}:{n}: {type(exc).__name__}: {exc}")
                    results.append({})
        for (n, r), scores in zip(batch, results, strict=True):
            if scores:
                out.write(json.dumps({"id": r.get("id", r.get("pair_id", n)), **scores}, ensure_ascii=False) + "\n")
        out.flush()
        batch.clear()

    try:
        total = sum(1 for line in open(args.pairs, encoding="utf-8") if line.strip())
        for n, row, err in progress(read_pairs(args.pairs), "comparing", total):
            if err is not None:
                failures += 1
                error_line(err)
                continue
            batch.append((n, row))
            if len(batch) >= BATCH:
                flush()
        flush()
    finally:
        if out is not sys.stdout:
            out.close()
    return 1 if failures else 0


def run(args: argparse.Namespace) -> int:
    if args.pairs:
        return run_pairs(args)
    if len(args.files) != 2:
        error_line("give two article files, or --pairs IN.jsonl")
        return 2
    from khabar.compare import compare

    try:
        a, b = (_first_article(p) for p in args.files)
    except Exception as exc:
        error_line(str(exc))
        return 1
    sim = compare(a, b)
    if args.json:
        print(json.dumps(sim.to_dict(), ensure_ascii=False, indent=1))
    else:
        show(sim, a, b)
    return 0
