"""NER quality: exact-match span precision, recall and F1 (micro and per type), CoNLL style."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from khabar.extract.ner import (
    DEFAULT_DATA,
    MODEL_FULL,
    MODEL_HELDOUT,
    RESOURCES,
    WINDOW,
    ConllError,
    NerModel,
    dev_split,
    read_conll,
    spans,
)


def evaluate(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> dict[str, dict[str, float]]:
    """Span scores of predicted against gold BIO tag sequences: {'micro'|TYPE: {precision, recall, f1, support}}.

    A predicted entity counts only when its start, end and type all match a gold one (conlleval's rule).
    """
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold sentences but {len(pred)} predicted")
    tp: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    for g, p in zip(gold, pred, strict=True):
        if len(g) != len(p):
            raise ValueError(f"sentence of {len(g)} gold tags but {len(p)} predicted")
        gs, ps = set(spans(g)), set(spans(p))
        for s in gs:
            n_gold[s[2]] += 1
        for s in ps:
            n_pred[s[2]] += 1
        for s in gs & ps:
            tp[s[2]] += 1
    scores: dict[str, dict[str, float]] = {}
    kinds = sorted(set(n_gold) | set(n_pred))
    for kind in ["micro", *kinds]:
        t = sum(tp.values()) if kind == "micro" else tp[kind]
        ng = sum(n_gold.values()) if kind == "micro" else n_gold[kind]
        np_ = sum(n_pred.values()) if kind == "micro" else n_pred[kind]
        prec = t / np_ if np_ else 0.0
        rec = t / ng if ng else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        scores[kind] = {"precision": prec, "recall": rec, "f1": f1, "support": ng}
    return scores


def format_scores(scores: dict[str, dict[str, float]]) -> str:
    """A small table of the scores."""
    lines = [f"{'':6} {'prec':>6} {'rec':>6} {'F1':>6} {'gold':>6}"]
    for kind, s in scores.items():
        lines.append(f"{kind:6} {s['precision']:6.3f} {s['recall']:6.3f} {s['f1']:6.3f} {int(s['support']):6d}")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``khabar eval ner``."""
    parser.add_argument("file", nargs="?", type=Path, default=None,
                        help="CoNLL file 'token tag' (default: the dev block of the shared ANERcorp train split)")
    parser.add_argument("--model", type=Path, default=None,
                        help=f"a .crfsuite model, with the neural tagger beside it when there is one (default: "
                             f"{MODEL_HELDOUT}, trained without the dev block, for the dev block; {MODEL_FULL}, the "
                             f"shipped tagger, for a FILE)")
    parser.add_argument("--no-neural", dest="neural", action="store_false",
                        help="score the CRF alone, without the neural tagger beside it")
    parser.add_argument("--window", type=int, default=WINDOW,
                        help="sentences either side whose names each sentence borrows (running text without "
                             "document boundaries, as ANERcorp); 0: every sentence alone")


def run(args: argparse.Namespace) -> int:
    """Tag the file (default: the dev block, with the held-out model) and print span P/R/F1."""
    path = args.file or DEFAULT_DATA
    try:
        sentences = read_conll(path)
    except (OSError, ConllError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if args.file is None:
        sentences = dev_split(sentences)[1]
    model_path = args.model or RESOURCES / (MODEL_HELDOUT if args.file is None else MODEL_FULL)
    from khabar.extract.ner import make_extractor

    model = NerModel(model_path, make_extractor(model_path.parent), neural=args.neural)
    gold = [[t for _, t in s] for s in sentences]
    tokens = [[w for w, _ in s] for s in sentences]
    pred = model.tag_document(tokens, args.window) if args.window > 0 else [model.tag_tokens(t) for t in tokens]
    where = f"{path} (dev block)" if args.file is None else str(path)
    kind = "CRF + neural" if model.neural is not None else "CRF alone"
    print(f"{where}: {len(sentences)} sentences, {sum(map(len, gold))} tokens, model {model_path.name} ({kind}), "
          f"window ±{args.window}")
    print(format_scores(evaluate(gold, pred)))
    return 0
