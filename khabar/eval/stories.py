"""Story clustering quality: BCubed on ECB+ dev (cluster = event) beside TF-IDF + average link; same-story F1 on SemEval pairs."""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from khabar.eval.data import shared_data_path


def bcubed(pred: Sequence[Sequence[str]], gold: dict[str, str]) -> tuple[float, float, float]:
    """BCubed precision, recall and F1 of predicted clusters against gold labels (item -> class)."""
    pred_of = {item: i for i, cluster in enumerate(pred) for item in cluster}
    items = [x for x in gold if x in pred_of]
    by_pred: dict[int, list[str]] = defaultdict(list)
    by_gold: dict[str, list[str]] = defaultdict(list)
    for x in items:
        by_pred[pred_of[x]].append(x)
        by_gold[gold[x]].append(x)
    p = r = 0.0
    for x in items:
        same_pred = by_pred[pred_of[x]]
        same_gold = by_gold[gold[x]]
        correct = sum(1 for y in same_pred if gold[y] == gold[x])
        p += correct / len(same_pred)
        r += correct / len(same_gold)
    n = len(items) or 1
    p, r = p / n, r / n
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def load_ecb(path: Path) -> list[dict]:
    """ECB+ dev documents: id, topic, cluster (the event), title, text, lang."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def tfidf_average_link(docs: list[dict], threshold: float) -> list[list[str]]:
    """The baseline: TF-IDF cosine, average-link agglomerative clustering cut at ``1 - threshold``."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(sublinear_tf=True, min_df=1).fit_transform(
        [(d.get("title") or "") + "\n" + d["text"] for d in docs]
    )
    dist = pdist(matrix.toarray(), metric="cosine")
    labels = fcluster(linkage(dist, method="average"), t=1 - threshold, criterion="distance")
    clusters: dict[int, list[str]] = defaultdict(list)
    for d, label in zip(docs, labels, strict=True):
        clusters[int(label)].append(d["id"])
    return list(clusters.values())


def khabar_items(docs: list[dict], embed: str = "none"):
    """Analyse the documents and make StoryItems (embedding the title, title and lead, or nothing, as ``add`` does)."""
    from khabar.analyze import analyze
    from khabar.article import Article
    from khabar.newsroom import embed_texts
    from khabar.stories import item_from_article

    articles = []
    for d in docs:
        a = Article(text=d["text"], title=d.get("title"), id=d["id"], lang=d.get("lang"))
        articles.append(analyze(a))
    vectors = embed_texts(articles, embed)
    return [item_from_article(a, v) for a, v in zip(articles, vectors, strict=True)]


def semeval_same_story(embed: str, config=None) -> tuple[float, float, float, int]:
    """Same-story precision/recall/F1 on SemEval pairs: is the pair put in one story by batch clustering?

    Term weights come from document frequencies over all the pairs' articles (no labels used), since two
    articles alone give no IDF.
    """
    from collections import Counter

    from khabar.stories import StoryConfig, cluster

    pairs = []
    with open(shared_data_path("semeval2022_train_pairs.jsonl"), encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if rec["Overall"] <= 1.5 or rec["Overall"] >= 3:
                pairs.append(rec)
    docs: dict[str, dict] = {}
    for rec in pairs:
        for side in ("1", "2"):
            ids = str(rec["pair_id"]).split("_")
            key = ids[int(side) - 1] if len(ids) == 2 else f"{rec['pair_id']}_{side}"  # one article, one entry
            docs.setdefault(key, {"id": key, "title": rec[f"title{side}"], "text": rec[f"text{side}"] or "",
                                  "lang": rec[f"lang{side}"]})
            rec[f"_key{side}"] = key
    items = {it.id: it for it in khabar_items(list(docs.values()), embed)}
    df: Counter = Counter()
    for it in items.values():
        df.update(it.terms.keys())
    cfg = config or StoryConfig()
    tp = fp = fn = 0
    for rec in pairs:
        pair = [items[rec["_key1"]], items[rec["_key2"]]]
        together = len(cluster(pair, cfg, df=(df, len(items)))) == 1
        same = rec["Overall"] <= 1.5
        tp += together and same
        fp += together and not same
        fn += same and not together
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0), len(pairs)


def incremental(items, config) -> list[list[str]]:
    """The StoryClusterer (what ``khabar add`` runs) over the items in order."""
    from khabar.stories import StoryClusterer

    c = StoryClusterer(config)
    c.add_many(items)
    return list(c.clusters().values())


def held_out(items, docs, gold, grid, make_config, run) -> tuple[float, float, float]:
    """BCubed on each half of the topics with the threshold chosen on the other half (2 folds by topic parity)."""
    held: list[tuple[float, float, float, int]] = []
    for fold in (0, 1):
        tune = [it for it, d in zip(items, docs, strict=True) if d["topic"] % 2 == fold]
        test = [it for it, d in zip(items, docs, strict=True) if d["topic"] % 2 != fold]
        best = max(grid, key=lambda t: bcubed(run(tune, make_config(t)), gold)[2])
        held.append((*bcubed(run(test, make_config(best)), gold), len(test)))
    n = sum(h[3] for h in held)
    return tuple(sum(h[i] * h[3] for h in held) / n for i in range(3))  # type: ignore[return-value]


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ecb", type=Path, default=None, help="ECB+ dev JSONL (default ../shared/data/ecbplus_dev.jsonl)")
    p.add_argument("--embed", choices=["title", "lead", "none"], default="none",
                   help="what of each article is embedded (default: none, as khabar add)")
    p.add_argument("--no-embed", action="store_true", help="same as --embed none")
    p.add_argument("--no-semeval", action="store_true", help="skip the SemEval pairs")
    p.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    from khabar.stories import StoryConfig, cluster

    embed = "none" if args.no_embed else args.embed
    path = args.ecb or shared_data_path("ecbplus_dev.jsonl")
    docs = load_ecb(path)
    gold = {d["id"]: d["cluster"] for d in docs}
    results: dict[str, dict] = {}

    grid = [round(x, 2) for x in np.arange(0.05, 0.61, 0.025)]
    base = {t: bcubed(tfidf_average_link(docs, t), gold) for t in grid}
    t_best = max(base, key=lambda t: base[t][2])
    results["baseline tfidf+average-link (threshold tuned on ECB+ dev)"] = {
        "threshold": t_best, "P": base[t_best][0], "R": base[t_best][1], "F1": base[t_best][2]}

    items = khabar_items(docs, embed)
    cfg = StoryConfig()
    p, r, f = bcubed(cluster(items, cfg), gold)
    results["khabar batch (default threshold)"] = {"threshold": cfg.batch_threshold, "P": p, "R": r, "F1": f}
    p, r, f = held_out(items, docs, gold, grid, lambda t: StoryConfig(batch_threshold=t), cluster)
    results["khabar batch, threshold tuned on other topics (2-fold)"] = {
        "threshold": float("nan"), "P": p, "R": r, "F1": f}
    shares, boosts = (0.2, 0.36, 0.5), (0.0, 0.25, 0.5, 1.0)
    weight_grid = [(t, ns, yb) for ns in shares for yb in boosts for t in grid[6:16]]
    p, r, f = held_out(items, docs, gold, weight_grid,
                       lambda x: StoryConfig(batch_threshold=x[0], name_share=x[1], year_boost=x[2]), cluster)
    results["khabar batch, threshold + name share + year boost on other topics"] = {
        "threshold": float("nan"), "P": p, "R": r, "F1": f}
    p, r, f = bcubed(incremental(items, cfg), gold)
    results["khabar incremental, as khabar add (default threshold)"] = {
        "threshold": cfg.threshold, "P": p, "R": r, "F1": f}
    inc_grid = [round(x, 2) for x in np.arange(0.15, 0.41, 0.025)]
    p, r, f = held_out(items, docs, gold, inc_grid, lambda t: StoryConfig(threshold=t, merge_threshold=t),
                       incremental)
    results["khabar incremental, threshold tuned on other topics (2-fold)"] = {
        "threshold": float("nan"), "P": p, "R": r, "F1": f}

    if not args.no_semeval:
        p, r, f, n_pairs = semeval_same_story(embed, cfg)
        results[f"SemEval train: {n_pairs} pairs, same story (Overall<=1.5) vs not (>=3)"] = {
            "threshold": cfg.batch_threshold, "P": p, "R": r, "F1": f}
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"ECB+ dev: {len(docs)} documents, {len(set(gold.values()))} events; BCubed; embed: {embed}")
        print(f"{'system':66}{'thr':>6}{'P':>8}{'R':>8}{'F1':>8}")
        for name, m in results.items():
            print(f"{name:66}{m['threshold']:>6.3f}{m['P']:>8.3f}{m['R']:>8.3f}{m['F1']:>8.3f}")
    return 0
