"""Throughput of `khabar compare` in batch (pairs/s), embeddings cached and uncached, beside a TF-IDF cosine baseline.

Usage: nice -n 10 .venv/bin/python bench/compare.py [--pairs N] [--lang ar]
Reads ../shared/data/semeval2022_train_pairs.jsonl (or $KHABAR_DATA).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=30, help="how many pairs to score")
    parser.add_argument("--lang", default="ar", help="language of the pairs (ar, tr, fr or all)")
    args = parser.parse_args()

    from khabar.eval.data import shared_data_path

    path = shared_data_path("semeval2022_train_pairs.jsonl")
    rows = [json.loads(line) for line in open(path, encoding="utf-8")]
    rows = [r for r in rows if args.lang == "all" or r["lang1"] == args.lang][: args.pairs]
    n = len(rows)
    chars = sum(len(r["text1"]) + len(r["text2"]) for r in rows) / (2 * n)
    print(f"{n} {args.lang} pairs from {path.name}, {chars:.0f} characters an article on average")

    # baseline: TF-IDF cosine of each pair, the vectorizer fitted on the batch (scikit-learn)
    from sklearn.feature_extraction.text import TfidfVectorizer

    t = time.perf_counter()
    docs = [r["title1"] + " " + r["text1"] for r in rows] + [r["title2"] + " " + r["text2"] for r in rows]
    V = TfidfVectorizer(sublinear_tf=True).fit_transform(docs)
    _ = [float(V[i].multiply(V[i + n]).sum()) for i in range(n)]
    base = time.perf_counter() - t
    print(f"  baseline TF-IDF cosine (sklearn)      {n / base:9.1f} pairs/s")

    from khabar.compare import default_model, make_encode, score_rows

    model = default_model()
    print(f"  model: {model.meta.get('regressor')} on {len(model.meta['features'])} features, "
          f"encoder {model.encoder}, views {model.meta['views']}")
    with tempfile.TemporaryDirectory() as tmp:
        old = os.environ.get("KHABAR_CACHE")
        os.environ["KHABAR_CACHE"] = tmp  # an empty embedding cache: every view is embedded
        try:
            t = time.perf_counter()
            score_rows(rows, model=model, encode=make_encode(model.encoder))
            cold = time.perf_counter() - t
            t = time.perf_counter()
            score_rows(rows, model=model, encode=make_encode(model.encoder))
            warm = time.perf_counter() - t
        finally:
            if old is None:
                os.environ.pop("KHABAR_CACHE", None)
            else:
                os.environ["KHABAR_CACHE"] = old
    print(f"  khabar compare, embeddings uncached   {n / cold:9.2f} pairs/s")
    print(f"  khabar compare, embeddings cached     {n / warm:9.2f} pairs/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
