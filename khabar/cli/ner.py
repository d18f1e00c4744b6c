"""``khabar ner --conll IN [--out OUT]``: tag a tokenised file with the shipped NER model."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from khabar.cli.display import error_line


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ner", help="named entities (BIO) of a CoNLL file: one token a line, blank between sentences")
    p.add_argument("--conll", type=Path, required=True, help="input: a token a line (a second column is ignored)")
    p.add_argument("--out", type=Path, default=None, help="output file (default: stdout)")
    p.add_argument("--model", type=Path, default=None, help="a .crfsuite model (default: the shipped full model)")
    p.add_argument("--window", type=int, default=None,
                   help="names found are also tagged where they repeat within N sentences either side "
                        "(default: the shipped setting; 0: each sentence alone)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write every input line back with the predicted tag appended as the last column."""
    from khabar.extract.ner import WINDOW, ConllError, NerModel, make_extractor, read_conll, shipped_model

    try:
        sentences = read_conll(args.conll, tags=False)
        with open(args.conll, encoding="utf-8-sig") as f:
            lines = [ln.rstrip("\r\n") for ln in f]
    except (OSError, UnicodeDecodeError, ConllError) as e:
        error_line(f"{args.conll}: {e}")
        return 1
    try:
        model = NerModel(args.model, make_extractor(args.model.parent)) if args.model else shipped_model()
    except (OSError, FileNotFoundError) as e:
        error_line(str(e))
        return 1
    window = WINDOW if args.window is None else args.window
    tagged = model.tag_document([[w for w, _ in s] for s in sentences], window=window)
    tags = iter([t for s in tagged for t in s])
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    try:
        for ln in lines:
            out.write(f"{ln.strip()} {next(tags)}\n" if ln.split() else "\n")
    finally:
        if args.out:
            out.close()
    return 0
