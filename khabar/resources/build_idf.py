"""Rebuild khabar/resources/idf/df.tsv: background document frequencies of stems, counted on SaudiNewsNet.

    python -m khabar.resources.build_idf [--data ../shared/data/saudinewsnet] [--min-df 3]

Also counted: the texts of the SemEval-2022 training pairs (Turkish, French, Arabic), and scikit-learn's English
stop words as if seen in every article. Sentence alignment weighs stems by these frequencies, so that two sentences sharing «قال» or «اليوم» are not
taken to state one fact. Only the frequencies are shipped (no text), terms seen in fewer than ``--min-df``
articles are dropped.
"""

from __future__ import annotations

import argparse
import json
import zipfile
from collections import Counter
from pathlib import Path

from khabar.lang.tokens import terms

OUT = Path(__file__).resolve().parent / "idf" / "df.tsv"


def main() -> int:
    root = Path(__file__).resolve().parents[2]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=root.parent / "shared" / "data" / "saudinewsnet")
    ap.add_argument("--min-df", type=int, default=3)
    args = ap.parse_args()
    df: Counter = Counter()
    n_docs = 0
    for z in sorted(args.data.glob("*.zip")):
        with zipfile.ZipFile(z) as zf:
            for name in zf.namelist():
                for rec in json.loads(zf.read(name)):
                    df.update(set(terms((rec.get("title") or "") + "\n" + (rec.get("content") or ""), "ar")))
                    n_docs += 1
        print(f"{z.name}: {n_docs} articles, {len(df)} terms")
    pairs = args.data.parent / "semeval2022_train_pairs.jsonl"
    if pairs.exists():
        seen: set[str] = set()
        with open(pairs, encoding="utf-8") as f:
            for line in f:
                rec = json.loads(line)
                for k in ("1", "2"):
                    text = (rec.get("title" + k) or "") + "\n" + (rec.get("text" + k) or "")
                    if text.strip() and rec.get("url" + k) not in seen:
                        seen.add(rec.get("url" + k))
                        df.update(set(terms(text, rec.get("lang" + k))))
                        n_docs += 1
        print(f"{pairs.name}: {len(seen)} texts")
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    for word in ENGLISH_STOP_WORDS:
        for term in terms(word, "en"):
            df[term] = n_docs
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(f"#docs\t{n_docs}\n")
        for term, count in sorted(df.items(), key=lambda kv: (-kv[1], kv[0])):
            if count >= args.min_df and "\t" not in term:
                f.write(f"{term}\t{count}\n")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
