"""Pairwise similarity: Pearson by grouped 5-fold cross-validation on the SemEval-2022 training pairs.

Sign convention: we report corr(predicted score, gold score), both on the task's 1–4 scale (1 = most similar),
so a positive correlation means agreement. The TF-IDF baseline is reported as corr(-cosine, gold) in the
same run, with the same sign convention.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from khabar.compare import (
    DEFAULT_REGRESSOR,
    DIMENSIONS,
    ENCODER,
    REGRESSORS,
    TRAINED_VIEWS,
    article_groups,
    make_encode,
    make_regressor,
    read_pairs,
    targets,
    training_matrix,
)
from khabar.features import FEATURES, GATE, QUERY_VIEWS, body_of, parse_views
from khabar.vectors.lexical import LexicalModel

LANGS = ("ar", "tr", "fr")


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson's r (NaN when either side is constant or there are fewer than 3 points)."""
    if len(x) < 3 or np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def grouped_folds(groups: np.ndarray, k: int = 5, seed: int = 0) -> np.ndarray:
    """A fold number a pair, whole groups at a time (pairs that share an article stay in one fold)."""
    rng = np.random.default_rng(seed)
    uniq = np.unique(groups)
    rng.shuffle(uniq)
    fold_of = {g: i % k for i, g in enumerate(uniq)}
    return np.array([fold_of[g] for g in groups])


def cross_validate(X: np.ndarray, Y: np.ndarray, groups: np.ndarray, *, regressor: str = DEFAULT_REGRESSOR,
                   k: int = 5, seed: int = 0, gate: int | None = None) -> np.ndarray:
    """Out-of-fold predictions (n, 7) on the 1–4 scale (every model, scaler and spline fitted on the training folds)."""
    from threadpoolctl import threadpool_limits

    folds = grouped_folds(groups, k, seed)
    P = np.zeros_like(Y)
    X = np.nan_to_num(X, nan=0.0)
    # one thread: on a shared, loaded machine the gradient boosting's OpenMP threads slow each other down ~10x
    with threadpool_limits(limits=1):
        for f in range(k):
            train, test = folds != f, folds == f
            P[test] = make_regressor(regressor, seed, gate=gate).fit(X[train], Y[train]).predict(X[test])
    return np.clip(P, 1.0, 4.0)


def report(P: np.ndarray, Y: np.ndarray, baseline: np.ndarray, langs: np.ndarray) -> dict[str, Any]:
    """Pearson per language and overall: the model on every dimension, the TF-IDF baseline on Overall."""
    o = DIMENSIONS.index("Overall")
    out: dict[str, Any] = {}
    for lang in (*LANGS, "all"):
        m = np.ones(len(Y), bool) if lang == "all" else langs == lang
        if not m.any():
            continue
        out[lang] = {
            "pairs": int(m.sum()),
            "model": {d: round(pearson(P[m, i], Y[m, i]), 4) for i, d in enumerate(DIMENSIONS)},
            "tfidf_baseline_overall": round(pearson(-baseline[m], Y[m, o]), 4),
        }
    return out


def evaluate(pairs_path: str | Path, *, regressor: str = DEFAULT_REGRESSOR, seed: int = 0, k: int = 5,
             encoder: str | None = ENCODER, views: str = TRAINED_VIEWS, limit: int | None = None, progress: Any = None,
             more_seeds: tuple[int, ...] = ()) -> dict[str, Any]:
    """The cross-validated report on a labelled pairs file; with ``more_seeds``, also the mean over fold seeds."""
    rows = [r for _, r, _ in read_pairs(pairs_path) if r is not None and all(d in r for d in DIMENSIONS)]
    rows = rows[:limit] if limit else rows
    texts = {(r.get("title" + s) or "") + " " + body_of(r.get("text" + s)) for r in rows for s in "12"}
    lexical = LexicalModel().fit(sorted(texts))
    X = training_matrix(rows, lexical, make_encode(encoder) if encoder else None, parse_views(views), progress)
    Y = targets(rows)
    groups, langs = article_groups(rows), np.array([r.get("lang1") or "" for r in rows])
    base = X[:, FEATURES.index("w_all")]
    reports = [report(cross_validate(X, Y, groups, regressor=regressor, k=k, seed=s, gate=FEATURES.index(GATE)), Y,
                      base, langs) for s in (seed, *(s for s in more_seeds if s != seed))]
    out = {"sign": "corr(predicted, gold) on the 1-4 scale; baseline: corr(-tfidf cosine, gold)",
           "folds": k, "seed": seed, "regressor": regressor, "encoder": encoder, "views": views,
           "query_views": list(QUERY_VIEWS), "by_lang": reports[0]}
    if len(reports) > 1:
        out["seeds"] = [seed, *(s for s in more_seeds if s != seed)]
        out["mean_over_seeds"] = {lang: {"pairs": r["pairs"], "tfidf_baseline_overall": r["tfidf_baseline_overall"],
                                         "model": {d: round(float(np.mean([x[lang]["model"][d] for x in reports])), 4)
                                                   for d in DIMENSIONS}}
                                  for lang, r in reports[0].items()}
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from khabar.eval.data import shared_data_dir

    parser.add_argument("--pairs", default=str(shared_data_dir() / "semeval2022_train_pairs.jsonl"))
    parser.add_argument("--regressor", default=DEFAULT_REGRESSOR, choices=REGRESSORS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--more-seeds", default="", help="also these fold seeds (e.g. 1,2): their mean is reported too")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--views", default=TRAINED_VIEWS, help="views embedded, by language (see train compare)")
    parser.add_argument("--encoder", default=ENCODER, help="encoder backend for the embedding features")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pairs (a quick look)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args: argparse.Namespace) -> int:
    from rich.table import Table

    from khabar.cli.display import console, error_line, progress

    if not Path(args.pairs).exists():
        error_line(f"{args.pairs}: not found (set KHABAR_DATA)")
        return 1
    t0 = time.time()
    more = tuple(int(s) for s in args.more_seeds.split(",") if s.strip())
    res = evaluate(args.pairs, regressor=args.regressor, seed=args.seed, k=args.folds, views=args.views,
                   encoder=args.encoder, limit=args.limit,
                   progress=progress, more_seeds=more)
    if args.json:
        print(json.dumps(res, indent=1))
        return 0
    table = Table(title=f"compare: Pearson, grouped {res['folds']}-fold CV (seed {res['seed']}, {res['regressor']}); "
                        "corr(predicted, gold), 1-4 scale", title_justify="left", padding=(0, 0, 0, 1), box=None)
    table.add_column("lang", no_wrap=True)
    table.add_column("pairs", justify="right")
    table.add_column("TF-IDF", justify="right")
    for d in DIMENSIONS:  # one space of padding on the left of each: the table fits 80 columns
        table.add_column(d[:4] if d != "Overall" else "OVERALL", justify="right", no_wrap=True)
    for lang, r in res["by_lang"].items():
        table.add_row(lang, str(r["pairs"]), f"{r['tfidf_baseline_overall']:.3f}",
                      *(f"{r['model'][d]:.3f}" for d in DIMENSIONS))
    for lang, r in res.get("mean_over_seeds", {}).items():
        table.add_row(f"{lang} mean", str(r["pairs"]),
                      f"{r['tfidf_baseline_overall']:.3f}", *(f"{r['model'][d]:.3f}" for d in DIMENSIONS))
    console.print(table)
    if "seeds" in res:
        console.print(f"mean: the mean over fold seeds {', '.join(map(str, res['seeds']))}")
    console.print(f"{time.time() - t0:.0f} s")
    return 0
