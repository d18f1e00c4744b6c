"""Training the NER tagger: ``khabar train ner`` (CRFs on ANERcorp, the neural taggers beside them, the
gazetteer snapshot, entity words and, on request, the word clusters), written into a models directory."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from khabar.extract.ner import (
    CORE_CLUSTERS,
    DEFAULT_DATA,
    FEATURES,
    META,
    MODEL_FULL,
    MODEL_HELDOUT,
    NEURAL,
    RESOURCES,
    WINDOW,
    ConllError,
    NerModel,
    Sentence,
    dev_split,
    make_extractor,
    neural_path,
    read_conll,
)
from khabar.extract.ner_crf import CrfWeights
from khabar.extract.ner_features import FeatureExtractor, Gazetteer
from khabar.lang.normalize import normalize


def train_model(
    sentences: Sequence[Sentence],
    out_path: Path,
    extractor: FeatureExtractor,
    *,
    c1: float = 0.01,
    c2: float = 0.05,
    max_iterations: int = 150,
    min_freq: int = 1,
    progress: bool = True,
) -> float:
    """Train a CRF (L-BFGS, elastic net) on ``(token, tag)`` sentences into ``out_path``; return seconds spent.

    The model is written to a temporary file and renamed, so an interrupted run leaves the old model whole.
    """
    import pycrfsuite
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    t0 = time.perf_counter()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  disable=not progress, transient=True) as bar:
        feats_task = bar.add_task(f"features {out_path.name}", total=len(sentences))

        class _Trainer(pycrfsuite.Trainer):
            def on_iteration(self, log, info):  # noqa: D102 - crfsuite callback
                bar.update(iter_task, completed=info.get("num", 0))

        trainer = _Trainer(verbose=False)
        for s in sentences:
            trainer.append(extractor.sentence([t for t, _ in s]), [tag for _, tag in s])
            bar.advance(feats_task)
        iter_task = bar.add_task(f"L-BFGS {out_path.name}", total=max_iterations)
        trainer.set_params({
            "c1": c1,
            "c2": c2,
            "max_iterations": max_iterations,
            "feature.minfreq": min_freq,
            "feature.possible_transitions": True,
        })
        out_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = out_path.with_suffix(out_path.suffix + ".tmp")
        trainer.train(str(tmp))
        os.replace(tmp, out_path)
    return time.perf_counter() - t0


def build_gazetteer() -> Gazetteer:
    """A snapshot of the shared gazetteer (places, organisations, titles, organisation cues) and of the personal
    names (``khabar.extract.ner_names``; below the others where a form is both) for features.

    Kept beside the model so its features never drift from the ones it was trained with.
    """
    from khabar.extract.gazetteer import gazetteer
    from khabar.extract.ner_names import load_names

    g = gazetteer()
    entries: dict[str, str] = {}
    for form, e in g.forms.items():
        norm = normalize(form)
        if e.kind in ("LOC", "ORG") and not norm.isascii() and len(norm) >= 2 and len(norm.split()) <= 4:
            entries.setdefault(norm, e.kind)
    for kind, forms in (("TITLE", g.titles), ("ORGCUE", g.org_cues)):
        for form in forms:
            norm = normalize(form)
            if not norm.isascii() and len(norm.split()) <= 4:
                entries[norm] = kind
    for name in load_names():
        if name:
            entries.setdefault(name, "PERS")
    return Gazetteer(entries)


def entity_words(sentences: Iterable[Sentence]) -> set[str]:
    """Normalised words of three letters or more inside gold entities."""
    out: set[str] = set()
    for s in sentences:
        for tok, tag in s:
            norm = normalize(tok)
            if tag != "O" and len(norm) >= 3:
                out.add(norm)
    return out


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``khabar train ner``."""
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="ANERcorp-style CoNLL file (token tag)")
    parser.add_argument("--seed", type=int, default=0, help="recorded; L-BFGS training is deterministic")
    parser.add_argument("--out", type=Path, default=RESOURCES, help="directory of the models (default: shipped)")
    parser.add_argument("--c1", type=float, default=0.01, help="L1 penalty (sparser, smaller model)")
    parser.add_argument("--c2", type=float, default=0.05, help="L2 penalty")
    parser.add_argument("--iterations", type=int, default=150, help="L-BFGS iterations")
    parser.add_argument("--heldout-only", action="store_true", help="train only the model without the dev block")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N sentences (quick checks)")
    parser.add_argument("--no-neural", dest="neural", action="store_false",
                        help="train the CRF alone (the neural tagger beside it needs torch, a training-only extra)")
    parser.add_argument("--rebuild-clusters", action="store_true",
                        help="recompute clusters.tsv and core_clusters.tsv from SaudiNewsNet (and the training "
                             "block's text) before training (about 15 minutes)")


def _saudinewsnet_texts(data: Path) -> Iterator[str]:
    """Titles and bodies of the SaudiNewsNet articles in ../shared/data (beside the ANERcorp directory)."""
    import zipfile

    root = data.resolve().parents[1] / "saudinewsnet"
    paths = sorted(root.glob("*.zip"))
    if not paths:
        raise FileNotFoundError(f"{root}: no SaudiNewsNet zips to build the word clusters from")
    for path in paths:
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                for d in json.loads(z.read(name)):
                    yield (d.get("title") or "") + "\n" + (d.get("content") or "")


def _core_cluster_texts(data: Path, train: Sequence[Sentence]) -> Iterator[str]:
    """SaudiNewsNet, then the training block's text (never the dev block's, so dev words stay unseen)."""
    yield from _saudinewsnet_texts(data)
    yield "\n".join(" ".join(w for w, _ in s) for s in train)


def neural_vectors(data: Path, train: Sequence[Sentence], seed: int = 0):
    """``(cores, vectors)`` of the neural tagger: PPMI-SVD vectors of clitic-split cores of SaudiNewsNet and the
    training block's text (never the dev block's), cut to ``NEURAL``'s size."""
    from threadpoolctl import threadpool_limits

    from khabar.extract.ner_vectors import core_vectors

    with threadpool_limits(limits=1):  # one BLAS thread: the same vectors on every machine and run
        cores, vec = core_vectors(_core_cluster_texts(data, train), seed=seed)
    n = NEURAL["cores"]
    return cores[:n], vec[:n, : NEURAL["dims"]]


def train_neural_model(sentences: Sequence[Sentence], out_path: Path, extractor: FeatureExtractor, labels: list[str],
                       cores: list[str], vectors, *, seed: int = 0, epochs: int | None = None,
                       progress: bool = True) -> float:
    """Train the neural tagger (torch, one thread) on ``(token, tag)`` sentences into ``out_path``; seconds spent."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from khabar.extract.ner_neural import save_model, train_neural

    t0 = time.perf_counter()
    epochs = epochs or NEURAL["epochs"]
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  disable=not progress, transient=True) as bar:
        task = bar.add_task(f"epochs {out_path.name}", total=epochs)
        weights, vocab = train_neural(sentences, cores, vectors, extractor.gazetteer, labels, epochs=epochs,
                                      seed=seed, progress=lambda e: bar.update(task, completed=e + 1))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    save_model(out_path, weights, vocab, labels)
    return time.perf_counter() - t0


def train_cli(args: argparse.Namespace) -> int:
    """``khabar train ner``: the held-out model (scored on the dev block), then the model on all the data."""
    from khabar.eval.ner import evaluate, format_scores

    try:
        sentences = read_conll(args.data)
    except (OSError, ConllError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if args.limit:
        sentences = sentences[: args.limit]
    train, dev = dev_split(sentences)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    if args.rebuild_clusters:
        from khabar.extract.ner_features import build_clusters, save_clusters
        from khabar.extract.ner_vectors import build_core_clusters

        print("word clusters from SaudiNewsNet ...")
        save_clusters(build_clusters(_saudinewsnet_texts(args.data), seed=args.seed), out / "clusters.tsv")
        print("core clusters from SaudiNewsNet and the training block ...")
        save_clusters(build_core_clusters(_core_cluster_texts(args.data, train), seed=args.seed),
                      out / CORE_CLUSTERS)
    elif out.resolve() != RESOURCES.resolve():
        for name in ("clusters.tsv", CORE_CLUSTERS):  # the word clusters travel with the models
            src = RESOURCES / name
            if src.is_file() and not (out / name).is_file():
                (out / name).write_bytes(src.read_bytes())
    build_gazetteer().save(out / "gazetteer.tsv")
    words = entity_words(sentences) - {w for s in sentences for w, t in s if t == "O" for w in [normalize(w)]}
    (out / "entity_words.txt").write_text("\n".join(sorted(words)) + "\n", encoding="utf-8")
    extractor = make_extractor(out, FEATURES)
    params = dict(c1=args.c1, c2=args.c2, max_iterations=args.iterations)
    secs = train_model(train, out / MODEL_HELDOUT, extractor, **params)
    neural = getattr(args, "neural", True)
    if neural:
        labels = CrfWeights.load(out / MODEL_HELDOUT).labels
        print("core vectors for the neural tagger (SaudiNewsNet and the training block) ...")
        cores, vectors = neural_vectors(args.data, train, args.seed)
        nsecs = train_neural_model(train, neural_path(out / MODEL_HELDOUT), extractor, labels, cores, vectors,
                                   seed=args.seed)
        print(f"held-out neural tagger: {nsecs:.0f}s")
    else:
        for name in (MODEL_HELDOUT, MODEL_FULL):  # a CRF-only run leaves no stale neural tagger beside it
            neural_path(out / name).unlink(missing_ok=True)
    meta = {
        "data": str(args.data),
        "seed": args.seed,
        "params": params,
        "features": FEATURES,
        "window": WINDOW,
        "neural": NEURAL if neural else None,
    }
    (out / META).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    model = NerModel(out / MODEL_HELDOUT, extractor)
    gold = [[t for _, t in s] for s in dev]
    tokens = [[w for w, _ in s] for s in dev]
    sentence_scores = evaluate(gold, [model.tag_tokens(t) for t in tokens])
    scores = evaluate(gold, model.tag_document(tokens))
    print(f"held-out model: {len(train)} sentences, {secs:.0f}s; dev block ({len(dev)} sentences), "
          f"sentences alone micro F1 {sentence_scores['micro']['f1']:.3f}; with ±{WINDOW}-sentence propagation:")
    print(format_scores(scores))
    meta.update({
        "train_sentences": len(train),
        "dev_sentences": len(dev),
        "dev_scores": scores,
        "dev_scores_sentences_alone": sentence_scores,
    })
    if not args.heldout_only:
        secs = train_model(sentences, out / MODEL_FULL, extractor, **params)
        print(f"full model: {len(sentences)} sentences, {secs:.0f}s")
        if neural:
            nsecs = train_neural_model(sentences, neural_path(out / MODEL_FULL), extractor, labels, cores, vectors,
                                       seed=args.seed)
            print(f"full neural tagger: {nsecs:.0f}s")
        meta["full_sentences"] = len(sentences)
    (out / META).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0
