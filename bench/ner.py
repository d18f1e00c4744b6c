"""Benchmark: tokens/s and dev-block F1 of the shipped NER tagger on one core, beside a gazetteer-lookup tagger.

    python bench/ner.py [--data ../shared/data/anercorp/train.txt] [--model full|heldout] [--repeat 3]
                        [--articles 300]

The taggers (gazetteer lookup, the CRF alone, the CRF with the neural tagger beside it) run in the same process
pinned to one CPU (BLAS on one thread), on the dev block of the shared ANERcorp train split (the contiguous last
sixth). F1 is printed with the held-out model only (the full model saw the dev block). "cold" is the first pass
(every word type new to the caches), "warm" the best later pass.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # one core: before numpy loads
    os.environ[_var] = "1"

import argparse  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from khabar.eval.ner import evaluate  # noqa: E402
from khabar.extract.ner import (  # noqa: E402
    DEFAULT_DATA,
    MODEL_FULL,
    MODEL_HELDOUT,
    RESOURCES,
    WINDOW,
    NerModel,
    dev_split,
    make_extractor,
    neural_path,
    read_conll,
)
from khabar.extract.ner_features import Gazetteer  # noqa: E402


class GazetteerTagger:
    """Baseline: longest-match lookup of the shipped gazetteer snapshot (places, organisations), no model."""

    def __init__(self, resources: Path = RESOURCES) -> None:
        g = Gazetteer.load(resources / "gazetteer.tsv")
        self.gazetteer = Gazetteer({k: v for k, v in g.entries.items() if v in ("LOC", "ORG")})
        self.extractor = make_extractor(resources)
        self.extractor.gazetteer = self.gazetteer

    def tag_tokens(self, tokens: list[str]) -> list[str]:
        types = [self.extractor._type_features(t) for t in tokens]
        return [t or "O" for t in self.gazetteer.tags([t[2] for t in types], [t[3] for t in types])]


def timed(tag, sentences: list[list[str]], repeat: int) -> tuple[tuple[float, float], tuple[float, float], list]:
    """(wall, CPU) tokens/s of the first pass (cold feature cache) and of the best later pass; first-pass tags.

    CPU time (``process_time``) is what one core delivers when the machine is shared; wall time is shown too.
    """
    n = sum(map(len, sentences))
    w0, c0 = time.perf_counter(), time.process_time()
    tags = [tag(s) for s in sentences]
    cold = (n / (time.perf_counter() - w0), n / (time.process_time() - c0))
    warm = (0.0, 0.0)
    for _ in range(max(0, repeat - 1)):
        w0, c0 = time.perf_counter(), time.process_time()
        for s in sentences:
            tag(s)
        warm = max(warm, (n / (time.perf_counter() - w0), n / (time.process_time() - c0)), key=lambda x: x[1])
    return cold, warm, tags


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--model", choices=["full", "heldout"], default="heldout")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--articles", type=int, default=300, help="articles for the raw-text figure (0: skip)")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    dev = dev_split(read_conll(args.data))[1]
    tokens = [[w for w, _ in s] for s in dev]
    gold = [[t for _, t in s] for s in dev]
    print(f"dev block: {len(dev)} sentences, {sum(map(len, tokens))} tokens; one core; figures in tokens/s")
    name = MODEL_FULL if args.model == "full" else MODEL_HELDOUT
    t0 = time.perf_counter()
    model = NerModel(RESOURCES / name, make_extractor())
    load = time.perf_counter() - t0
    crf = NerModel(RESOURCES / name, make_extractor(), neural=False)
    rows = [("gazetteer lookup (baseline)", GazetteerTagger().tag_tokens), (f"CRF alone ({args.model})", crf.tag_tokens)]
    if model.neural is not None:
        rows.append((f"CRF + neural ({args.model})", model.tag_tokens))
    nn = neural_path(RESOURCES / name)
    nn_mb = f" + {nn.stat().st_size / 1e6:.1f} MB neural" if nn.is_file() else ""
    print(f"model load: {load:.2f}s, {(RESOURCES / name).stat().st_size / 1e6:.1f} MB CRF{nn_mb}")
    print(f"{'tagger':40} {'cold wall':>10} {'cold CPU':>10} {'warm wall':>10} {'warm CPU':>10} {'F1':>6}")
    for label, tag in rows:
        cold, warm, tags = timed(tag, tokens, args.repeat)
        f1 = evaluate(gold, tags)["micro"]["f1"]
        shown = f"{f1:6.3f}" if args.model == "heldout" or "baseline" in label else "  seen"
        print(f"{label:40} {cold[0]:10,.0f} {cold[1]:10,.0f} {warm[0]:10,.0f} {warm[1]:10,.0f} {shown}")
    n = sum(map(len, tokens))  # running text: each sentence also borrows its neighbours' names (eval's default)
    w0, c0 = time.perf_counter(), time.process_time()
    tags = model.tag_document(tokens, WINDOW)
    wall, cpu = n / (time.perf_counter() - w0), n / (time.process_time() - c0)
    f1 = evaluate(gold, tags)["micro"]["f1"]
    shown = f"{f1:6.3f}" if args.model == "heldout" else "  seen"
    print(f"{f'  + ±{WINDOW}-sentence propagation':40} {'':10} {'':10} {wall:10,.0f} {cpu:10,.0f} {shown}")
    if args.articles:
        bench_articles(args.articles)


def bench_articles(n: int) -> None:
    """Raw-text throughput of ``NerTagger.tag`` (tokenising, tagging, propagation, keys) on shipped articles."""
    import json
    import zipfile

    from khabar.extract.ner import NerTagger

    path = Path(__file__).resolve().parents[1] / "examples" / "saudinewsnet" / "2015-07-23.zip"
    if not path.is_file():
        return
    with zipfile.ZipFile(path) as z:
        texts = [d.get("content") or "" for d in json.loads(z.read(z.namelist()[0]))][:n]
    words = sum(len(t.split()) for t in texts)
    tagger = NerTagger()
    for passes in ("cold", "warm"):
        w0, c0 = time.perf_counter(), time.process_time()
        found = sum(len(tagger.tag(t, lang="ar")) for t in texts)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        print(f"NerTagger.tag on {len(texts)} SaudiNewsNet articles ({words} words, {passes}): "
              f"{words / wall:,.0f} words/s wall, {words / cpu:,.0f} words/s CPU, {found} mentions")


if __name__ == "__main__":
    main()
