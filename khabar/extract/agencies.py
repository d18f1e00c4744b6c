"""News agencies and outlets: aliases in Arabic, Persian, Urdu, English, French and Turkish to one canonical name.

``find_agency`` looks a name up on its matching form; ``agencies_in`` and ``iter_agencies`` spot agencies credited
or named in running text. Aliases that are also ordinary words or places (مهر, فارس, سبق, الشرق الأوسط, AP…)
are *strict*: in running text they count only when bracketed («واس», (رويترز)) or after a cue such as
«وكالة» / «صحيفة»; in a dateline, whose shape is unmistakable, every alias counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from khabar.lang.normalize import _MAPPED, normalize


@dataclass(frozen=True, slots=True)
class Agency:
    """A news agency or outlet: canonical English name, short key and kind ("agency" or "outlet")."""

    name: str
    key: str
    kind: str


# (canonical name, key, kind, free aliases, strict aliases)
_TABLE: list[tuple[str, str, str, list[str], list[str]]] = [
    ("Saudi Press Agency", "spa", "agency",
     ["وكالة الأنباء السعودية", "Saudi Press Agency"], ["واس", "SPA"]),
    ("Sputnik", "sputnik", "agency",
     ["سبوتنيك", "سبوتنك", "سپوتنک", "اسپوتنیک", "Sputnik", "Спутник"], []),
    ("Mehr News Agency", "mehr", "agency",
     ["وكالة مهر للأنباء", "وكالة مهر", "وكالة أنباء مهر", "خبرگزاری مهر", "Mehr News Agency", "Mehr News"],
     ["مهر", "Mehr"]),
    ("IRNA", "irna", "agency",
     ["إرنا", "ايرنا", "ایرنا", "وكالة الجمهورية الإسلامية للأنباء", "IRNA"], []),
    ("Reuters", "reuters", "agency", ["رويترز", "رويتر", "رائٹرز", "رويترس", "Reuters", "Reuter"], []),
    ("AFP", "afp", "agency",
     ["أ ف ب", "أ.ف.ب", "أ. ف. ب", "أف ب", "فرانس برس", "فرانس پرس", "فرانس بريس", "وكالة الصحافة الفرنسية",
      "خبرگزاری فرانسه", "Agence France-Presse", "Agence France Presse", "AFP"], []),
    ("AP", "ap", "agency",
     ["أسوشيتد برس", "أسوشييتد برس", "أسوشيتدبرس", "اسوشيتد برس", "أسوشيتيد برس", "آسوشیتدپرس",
      "Associated Press"], ["أ ب", "أ.ب", "AP"]),
    ("DPA", "dpa", "agency",
     ["د ب أ", "د.ب.أ", "د. ب. أ", "وكالة الأنباء الألمانية", "dpa", "DPA"], ["الألمانية"]),
    ("QNA", "qna", "agency", ["وكالة الأنباء القطرية", "QNA"], ["قنا"]),
    ("WAM", "wam", "agency", ["وكالة أنباء الإمارات", "WAM"], ["وام"]),
    ("SANA", "sana", "agency", ["الوكالة العربية السورية للأنباء", "SANA"], ["سانا"]),
    ("Petra", "petra", "agency", ["وكالة الأنباء الأردنية"], ["بترا", "Petra"]),
    ("KUNA", "kuna", "agency", ["كونا", "وكالة الأنباء الكويتية", "KUNA"], []),
    ("Anadolu Agency", "aa", "agency",
     ["وكالة الأناضول", "الأناضول للأنباء", "Anadolu Ajansı", "Anadolu Agency", "Agence Anadolu"],
     ["الأناضول", "AA", "Anadolu"]),
    ("Xinhua", "xinhua", "agency", ["شينخوا", "شينغوا", "شين خوا", "Xinhua", "Chine nouvelle"], []),
    ("MENA", "mena", "agency", ["أ ش أ", "أ.ش.أ", "وكالة أنباء الشرق الأوسط", "MENA"], []),
    ("Tasnim News Agency", "tasnim", "agency", ["وكالة تسنيم", "Tasnim"], ["تسنيم"]),
    ("Fars News Agency", "fars", "agency", ["وكالة فارس", "Fars News"], ["فارس", "Fars"]),
    ("ISNA", "isna", "agency", ["إيسنا", "إسنا", "ایسنا", "ISNA"], []),
    ("UPI", "upi", "agency", ["يو بي آي", "يو.بي.آي", "يونايتد برس", "United Press International", "UPI"], []),
    ("BNA", "bna", "agency", ["وكالة أنباء البحرين", "BNA"], ["بنا"]),
    ("Oman News Agency", "ona", "agency", ["وكالة الأنباء العمانية"], ["العمانية", "ONA"]),
    ("APS", "aps", "agency", ["وكالة الأنباء الجزائرية", "Algérie Presse Service"], ["واج", "APS"]),
    ("MAP", "map", "agency", ["وكالة المغرب العربي للأنباء", "لاماب"], ["MAP"]),
    ("TAP", "tap", "agency", ["وكالة تونس أفريقيا للأنباء"], ["وات", "TAP"]),
    ("NNA", "nna", "agency", ["الوكالة الوطنية للإعلام"], ["NNA"]),
    ("INA", "ina", "agency", ["وكالة الأنباء العراقية"], ["واع", "INA"]),
    ("Saba", "saba", "agency", ["وكالة الأنباء اليمنية"], ["سبأ", "Saba"]),
    ("SUNA", "suna", "agency", ["وكالة السودان للأنباء", "SUNA"], ["سونا"]),
    ("WAFA", "wafa", "agency", ["وكالة الأنباء الفلسطينية"], ["وفا", "WAFA"]),
    ("TASS", "tass", "agency", ["إيتار تاس", "ايتار تاس", "TASS"], ["تاس"]),
    ("RIA Novosti", "ria", "agency", ["ريا نوفوستي", "نوفوستي", "RIA Novosti"], []),
    ("Interfax", "interfax", "agency", ["إنترفاكس", "انترفاكس", "Interfax"], []),
    ("Kyodo", "kyodo", "agency", ["كيودو", "Kyodo"], []),
    ("Yonhap", "yonhap", "agency", ["يونهاب", "Yonhap"], []),
    ("EFE", "efe", "agency", ["إفي", "EFE"], []),
    ("ANSA", "ansa", "agency", ["آنسا", "ANSA"], []),
    ("Bloomberg", "bloomberg", "agency", ["بلومبرغ", "بلومبيرغ", "بلومبرج", "Bloomberg"], []),
    ("APP", "app", "agency", ["اے پی پی", "Associated Press of Pakistan"], ["APP"]),
    ("IHA", "iha", "agency", ["İhlas Haber Ajansı"], ["İHA"]),
    ("DHA", "dha", "agency", ["Demirören Haber Ajansı", "Doğan Haber Ajansı"], ["DHA"]),
    # outlets
    ("Pakistan Point News", "pakistanpoint", "outlet",
     ["پاکستان پوائنٹ نیوز", "باكستان بوينت نيوز", "Pakistan Point News", "UrduPoint"], []),
    ("Asharq Al-Awsat", "aawsat", "outlet", ["Asharq Al-Awsat"], ["الشرق الأوسط"]),
    ("Sabq", "sabq", "outlet", [], ["سبق"]),
    ("Ain Alyoum", "3alyoum", "outlet", ["عين اليوم"], []),
    ("Al Riyadh", "alriyadh", "outlet", ["جريدة الرياض", "صحيفة الرياض"], []),
    ("Okaz", "okaz", "outlet", ["عكاظ"], []),
    ("Al Madina", "almadina", "outlet", ["صحيفة المدينة"], []),
    ("Al Eqtisadiya", "aleqtisadiya", "outlet", [], ["الاقتصادية"]),
    ("Al Jazirah", "aljazirah", "outlet", ["صحيفة الجزيرة", "جريدة الجزيرة"], []),
    ("Al Watan", "alwatan", "outlet", [], ["الوطن"]),
    ("Al Yaum", "alyaum", "outlet", ["صحيفة اليوم", "جريدة اليوم"], []),
    ("Al Weeam", "alweeam", "outlet", [], ["الوئام"]),
    ("Al Jazeera", "aljazeera", "outlet", ["الجزيرة نت", "قناة الجزيرة", "Al Jazeera"], ["الجزيرة"]),
    ("Al Arabiya", "alarabiya", "outlet", ["العربية نت", "قناة العربية", "Al Arabiya"], ["العربية"]),
    ("Sky News Arabia", "skynewsarabia", "outlet", ["سكاي نيوز عربية", "سكاي نيوز"], []),
    ("RT", "rt", "outlet", ["روسيا اليوم", "آر تي", "RT Arabic"], ["RT"]),
    ("BBC", "bbc", "outlet", ["بي بي سي", "هيئة الإذاعة البريطانية", "BBC"], []),
    ("CNN", "cnn", "outlet", ["سي إن إن", "سي ان ان", "CNN"], []),
    ("Al Mayadeen", "almayadeen", "outlet", ["الميادين"], []),
    ("Al-Ahram", "alahram", "outlet", ["الأهرام"], []),
    ("Press TV", "presstv", "outlet", ["برس تي في", "Press TV"], []),
    ("Al-Alam", "alalam", "outlet", ["قناة العالم"], []),
    ("Hürriyet", "hurriyet", "outlet", ["Hürriyet", "حريت"], []),
    ("Le Monde", "lemonde", "outlet", ["Le Monde", "لوموند"], []),
    ("Al-Quds Al-Arabi", "alqudsalarabi", "outlet", ["القدس العربي", "Al-Quds Al-Arabi"], []),
    ("Al Bayan", "albayan", "outlet", ["صحيفة البيان"], ["البيان"]),
    ("Emarat Al Youm", "emaratalyoum", "outlet", ["الإمارات اليوم"], []),
    ("Al Ghad", "alghad", "outlet", ["صحيفة الغد"], ["الغد"]),
    ("Belga", "belga", "agency", ["Belga", "بلغا"], []),
]


def _compact(key: str) -> str:
    return re.sub(r"[\s.\-]", "", key)


def _build() -> tuple[dict[str, Agency], list[str], list[str]]:
    by_alias: dict[str, Agency] = {}
    free: list[str] = []
    strict: list[str] = []
    for name, key, kind, free_aliases, strict_aliases in _TABLE:
        agency = Agency(name, key, kind)
        for alias in [name, *free_aliases, *strict_aliases]:
            by_alias.setdefault(normalize(alias), agency)
            by_alias.setdefault(_compact(normalize(alias)), agency)
        free.extend(free_aliases)
        strict.extend(strict_aliases)
    return by_alias, free, strict


_BY_ALIAS, _FREE, _STRICT = _build()
AGENCIES: list[Agency] = list({a.key: a for a in _BY_ALIAS.values()}.values())

# Variants of each matching character as written, so patterns run on the original text and keep its offsets.
_VARIANTS: dict[str, set[str]] = {}
for _src, _dst in _MAPPED.items():
    _VARIANTS.setdefault(_dst, {_dst}).add(_src)


def _alias_units(alias: str) -> list[str]:
    """The regex units (one per character or gap) matching ``alias`` as written, tolerant of variants."""
    if _keep_case(alias):
        return [re.escape(c) for c in alias]
    folded = normalize(alias)
    units: list[str] = []
    tokens = folded.split(" ")
    acronym = all(len(t.strip(".")) <= 1 for t in tokens)
    for ti, token in enumerate(tokens):
        if ti:
            units.append(r"[\s.]*" if acronym else r"\s+")
        for ch in token:
            if ch == ".":
                units.append(r"\.?\s*")
            elif ch == "-":
                units.append(r"[-\s]?")
            elif ch in _VARIANTS:
                units.append("[" + "".join(sorted(re.escape(c) for c in _VARIANTS[ch])) + "]")
            elif ch.isalpha() and ch.upper() != ch:
                units.append(f"[{re.escape(ch)}{re.escape(ch.upper())}]")
            else:
                units.append(re.escape(ch))
    return units


def alias_regex(alias: str) -> str:
    """A regex source matching ``alias`` as written, tolerant of alef/yeh/heh/kaf variants, dots and spacing."""
    return "".join(_alias_units(alias))


def _keep_case(alias: str) -> bool:
    # Latin acronyms (AP, AA, MAP) must keep their case, or every "map" and "aa" would be an agency.
    return alias.isascii() and alias.replace(".", "").isupper() and len(alias) <= 5


def trie_regex(unit_lists: list[list[str]]) -> str:
    """One regex for many alternatives, factored as a trie so the engine branches once per shared prefix."""
    trie: dict = {}
    for units in unit_lists:
        node = trie
        for u in units:
            node = node.setdefault(u, {})
        node[""] = {}

    def emit(node: dict) -> str:
        ends = "" in node
        branches = [u + emit(child) for u, child in node.items() if u != ""]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and not ends else "(?:" + "|".join(branches) + ")"
        if ends:
            # longest first: the optional tail is tried before stopping here
            return body + "?" if body.startswith("(?:") else "(?:" + body + ")?"
        return body

    return emit(trie)


def _alternation(aliases: list[str]) -> str:
    return trie_regex([_alias_units(a) for a in sorted(set(aliases))])


# Any alias as written, free or strict (tolerant of letter variants): for datelines and other modules' patterns.
ANY_AGENCY = _alternation(_FREE + _STRICT + [n for n, *_ in _TABLE])
AGENCY_PATTERN = re.compile(rf"(?<!\w)(?:{ANY_AGENCY})(?!\w)")


def find_agency(name: str) -> tuple[str, str] | None:
    """The (canonical name, key) of an agency or outlet written ``name``, or None when unknown."""
    agency = lookup(name)
    return (agency.name, agency.key) if agency else None


@lru_cache(maxsize=4096)
def lookup(name: str) -> Agency | None:
    """The Agency written ``name`` (any alias, bracketed or after «وكالة»), or None."""
    key = normalize(name).strip(" ()«»\"“”'[]:-–—ـ/،,.")
    if not key:
        return None
    if key in _BY_ALIAS:
        return _BY_ALIAS[key]
    if _compact(key) in _BY_ALIAS:
        return _BY_ALIAS[_compact(key)]
    for prefix in ("وكاله انباء ", "وكاله الانباء ", "وكاله ", "صحيفه ", "جريده ", "قناه ", "موقع "):
        if key.startswith(prefix) and key[len(prefix):] in _BY_ALIAS:
            return _BY_ALIAS[key[len(prefix):]]
    if key.endswith(" للانباء") and key[: -len(" للانباء")] in _BY_ALIAS:
        return _BY_ALIAS[key[: -len(" للانباء")]]
    return None


# Length-preserving fold for matching by Aho-Corasick on the original offsets: each pair is one str.replace,
# far faster than str.translate with a dict on non-ASCII text.
_LIGHT = [("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ٱ", "ا"), ("ى", "ي"), ("ی", "ي"), ("ے", "ي"), ("ئ", "ي"),
          ("ؤ", "و"), ("ة", "ه"), ("ۀ", "ه"), ("ہ", "ه"), ("ھ", "ه"), ("ک", "ك"), ("گ", "ك"), ("پ", "ب"),
          ("\n", " "), ("\t", " "), ("\xa0", " "), ("\u200f", " "), ("\u200e", " "), ("İ", "i")]


def fold_light(text: str) -> str:
    """A length-preserving matching form: alef, yeh, heh, kaf variants folded, spacing unified, lower case."""
    for a, b in _LIGHT:
        if a in text:
            text = text.replace(a, b)
    return text.lower()


def _alias_keys(alias: str) -> set[str]:
    key = " ".join(fold_light(alias).split())
    keys = {key}
    if all(len(t.strip(".")) <= 1 for t in key.split()) or "." in key:
        letters = [c for c in key if c not in " ."]
        keys |= {" ".join(letters), ".".join(letters), ". ".join(letters), "".join(letters)}
    return keys


def _automaton() -> ahocorasick.Automaton:
    auto = ahocorasick.Automaton()
    entries: dict[str, tuple[Agency, bool]] = {}
    for name, _key, _kind, free_aliases, strict_aliases in _TABLE:
        agency = _BY_ALIAS[normalize(name)]
        # a canonical name that is also a strict alias (AP, MAP, IHA) stays strict
        name_strict = fold_light(name) in {fold_light(a) for a in strict_aliases}
        aliases = [(name, name_strict), *((a, False) for a in free_aliases), *((a, True) for a in strict_aliases)]
        for alias, strict in aliases:
            for key in _alias_keys(alias):
                if len(key) < 2:
                    continue
                if key not in entries or (entries[key][1] and not strict):
                    entries[key] = (agency, strict or len(key.replace(" ", "")) <= 2)
    for key, (agency, strict) in entries.items():
        auto.add_word(key, (len(key), agency, strict))
    auto.make_automaton()
    return auto


_AUTO = _automaton()
_CUE_WORDS = {"وكاله", "صحيفه", "جريده", "قناه", "موقع", "خبركزاري", "agency", "agence", "ajansı", "newspaper"}
_CUE_WORDS |= {p + w for w in list(_CUE_WORDS) for p in ("ل", "و", "ب", "ول", "وب", "ف", "فل")}
_OPENERS = "(«\"“['{"
_CLOSERS = ")»\"”]'}"
_CLITICS = ("", "و", "ف", "ل", "ب", "ك", "ول", "وب", "فل", "فب", "لل")
# A name after one of these words is a product named after the agency («لقاح سبوتنيك», "Sputnik V"), not a credit.
_PRODUCT_WORDS = {"لقاح", "اللقاح", "للقاح", "لقاحات", "بلقاح", "ولقاح", "مصل", "vaccine", "vaccin", "vacuna", "aşı"}


def _hits(text: str) -> list[tuple[int, int, Agency]]:
    """Agency mentions in ``text``: (start, end, agency), longest first where they overlap."""
    folded = fold_light(text)
    found: list[tuple[int, int, Agency]] = []
    for end, (length, agency, strict) in _AUTO.iter(folded):
        start = end - length + 1
        after = folded[end + 1] if end + 1 < len(folded) else " "
        if after.isalnum():
            continue
        # the word it starts must be the alias itself or the alias behind a clitic (و ف ل ب لـ)
        ws = start
        while ws > 0 and (folded[ws - 1].isalnum() or folded[ws - 1] == "ـ"):
            ws -= 1
        if folded[ws:start].rstrip("ـ") not in _CLITICS:
            continue
        if ws < start and not folded[start].isalpha():
            continue
        if _keep_case_name(agency, text[start:end + 1]) is False or _names_product(folded, ws, end + 1):
            continue
        if strict:
            before = folded[:ws].rstrip()
            rest = folded[end + 1:end + 4].lstrip()
            if not (before and before[-1] in _OPENERS and rest and rest[0] in _CLOSERS):
                words = before[-40:].split()
                cue = words[-1] if words else ""
                if cue in ("انباء", "الانباء") and len(words) > 1:
                    cue = words[-2]
                if cue not in _CUE_WORDS:
                    continue
        found.append((start, end + 1, agency))
    found.sort(key=lambda h: (h[0], -h[1]))
    kept: list[tuple[int, int, Agency]] = []
    for hit in found:
        if kept and hit[0] < kept[-1][1]:
            continue
        kept.append(hit)
    return kept


def _names_product(folded: str, start: int, end: int) -> bool:
    """Whether the name spanning ``folded[start:end]`` names a product: «لقاح سبوتنيك», "Sputnik V"."""
    before = folded[max(0, start - 30):start].rstrip(" «\"“(").split()
    after = folded[end:end + 4]
    return bool(before and before[-1] in _PRODUCT_WORDS) or after[:2] in (" v", "-v") and (
        len(after) < 3 or not after[2].isalnum())


def _keep_case_name(agency: Agency, written: str) -> bool | None:
    """False when a Latin acronym alias (AP, AA, MAP) is written in lower case, i.e. is an ordinary word."""
    if written.isascii() and written.replace(".", "").replace(" ", "").isalpha() and len(written) <= 5:
        return written.isupper() or written == "dpa"
    return None


def has_alias(text: str) -> bool:
    """Whether any alias, free or strict, occurs in ``text`` as a whole word (a cheap pre-check for datelines)."""
    folded = fold_light(text)
    n = len(folded)
    for end, (length, _agency, _strict) in _AUTO.iter(folded):
        start = end - length + 1
        if (start == 0 or not folded[start - 1].isalpha()) and (end + 1 == n or not folded[end + 1].isalnum()):
            return True
    return False


def iter_agencies(text: str) -> Iterator[tuple[Agency, int, int]]:
    """Each agency or outlet named or credited in ``text``, with the span of its name in ``text``."""
    for start, end, agency in _hits(text):
        yield agency, start, end


def agencies_in(text: str) -> list[str]:
    """Canonical names of the agencies and outlets named or credited in ``text``, in order of first mention."""
    seen: dict[str, None] = {}
    for _, _, agency in _hits(text):
        seen.setdefault(agency.name, None)
    return list(seen)
