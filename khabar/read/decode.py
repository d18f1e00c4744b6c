"""Bytes to text: UTF-8 (with or without BOM), UTF-16/32, windows-1256 and ISO-8859-6, never silently mangled."""

from __future__ import annotations

import codecs
import re

# Bytes that never occur in text: C0 controls other than tab, newlines, form feed and escape, and DEL.
_CONTROL = bytes([*range(0, 9), 11, *range(14, 27), *range(28, 32), 127])
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a zip archive",
    b"\x1f\x8b": "gzip data",
    b"\xfd7zXZ": "xz data",
    b"\x7fELF": "an executable",
    b"RIFF": "a RIFF (audio/video/webp) file",
    b"OggS": "an Ogg file",
    b"ID3": "an MP3 file",
    b"\xd0\xcf\x11\xe0": "an Office (OLE) document",
    b"SQLite format 3": "an SQLite database",
}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# A byte sequence that is well-formed multibyte UTF-8 (2, 3 or 4 bytes).
_ASCII = bytes(range(128))
_UTF8_MULTI = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_ARABIC_LETTER = re.compile("[\u0621-\u064a\u0671-\u06d3\u06fa-\u06fc]")
_LATIN1_LETTER = re.compile("[\u00c0-\u00ff]")
_C1_OR_PRIVATE = re.compile("[\u0080-\u009f\ue000-\uf8ff]")
_TAG = re.compile(r"<[^<>]*>")
_IMPLAUSIBLE = re.compile("[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\ue000-\uf8ff]")
_ARABIC_WORD = re.compile("[\u0621-\u064a]{2}")
_ARTICLE = re.compile("(?<![\u0621-\u064a])ال")
_MIXED = re.compile("[\u0621-\u064a][A-Za-z\u00c0-\u00ff]|[A-Za-z\u00c0-\u00ff][\u0621-\u064a]")
LEGACY = ("cp1256", "iso8859-6")
# high bytes of UTF-16 code units in Arabic text: ASCII, Arabic and its supplements, punctuation, presentation forms
_UTF16_HIGH = (0x00, 0x06, 0x07, 0x08, 0x20, 0xFB, 0xFC, 0xFD, 0xFE)


class DecodeError(ValueError):
    """Bytes that are not text in an encoding khabar can read with confidence."""


def binary_kind(data: bytes) -> str | None:
    """What a byte string is, if it is plainly not text ("a PNG image", "binary data"); None for text."""
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            return what
    return None


def _nul_encoding(sample: bytes) -> str | None:
    """UTF-16/32 without a BOM, told by where the NUL bytes fall; None when the pattern is not text-like."""
    n = len(sample) - len(sample) % 4
    if n < 4:
        return None
    s = sample[:n]
    # UTF-32: three NULs in most code units
    if s[2::4].count(0) > 0.9 * (n // 4) and s[3::4].count(0) > 0.9 * (n // 4):
        return "utf-32-le"
    if s[0::4].count(0) > 0.9 * (n // 4) and s[1::4].count(0) > 0.9 * (n // 4):
        return "utf-32-be"
    even, odd = s[0::2].count(0), s[1::2].count(0)
    # ASCII spaces, digits and punctuation give NULs on one side only; Arabic letters give 0x06 there instead.
    if odd > 8 * even and odd >= 0.1 * (n // 2):
        return "utf-16-le"
    if even > 8 * odd and even >= 0.1 * (n // 2):
        return "utf-16-be"
    return None


def _utf16_by_high_bytes(sample: bytes) -> str | None:
    """UTF-16 without a BOM or NULs (Arabic with no ASCII at all): one side of each pair is 0x06 and kin."""
    n = len(sample) - len(sample) % 2
    if n < 4 or len(sample) % 2:
        return None

    def share(b: bytes) -> float:
        return sum(b.count(x) for x in _UTF16_HIGH) / len(b)

    even, odd = sample[0:n:2], sample[1:n:2]
    if share(odd) > 0.9 and share(even) < 0.5:
        return "utf-16-le"
    if share(even) > 0.9 and share(odd) < 0.5:
        return "utf-16-be"
    return None


def _plausible_text(text: str) -> bool:
    """Decoded text with no controls or private-use characters where a writer could not have put them."""
    probe = text[:65536]
    return len(_IMPLAUSIBLE.findall(probe)) <= max(2, len(probe) // 33)  # scraped text has up to ~1% (SUB)


def _legacy_score(text: str) -> int:
    """How much a decoding looks like Arabic text; not above 0 when it does not.

    Arabic letters count for it; Latin-1 letters, C1 controls and Arabic letters glued to Latin ones (a sign
    of accented Latin text read through an Arabic code page) count against it.
    """
    arabic = len(_ARABIC_LETTER.findall(text))
    if not _ARABIC_WORD.search(text):
        return 0
    return (
        arabic
        + 5 * len(_ARTICLE.findall(text))  # words start with «ال»; the other code page makes it «ان» or «اف»
        - 3 * len(_LATIN1_LETTER.findall(text))
        - 10 * len(_C1_OR_PRIVATE.findall(text))
        - 10 * len(_MIXED.findall(text))
    )


def _prose(text: str) -> str:
    """The text outside markup tags, for judging a decoding of HTML or XML by its words."""
    return _TAG.sub(" ", text) if text.lstrip()[:1] == "<" else text


def _utf8_error(data: bytes, err: UnicodeDecodeError) -> str | None:
    """The reason to refuse a UTF-8 decoding failure as nearly-UTF-8, or None when the bytes may be legacy."""
    if err.reason == "unexpected end of data" and err.end >= len(data) - 3:
        # bytes before the cut are valid: a UTF-8 file truncated mid-character (a lone high byte may be cp1256)
        if _UTF8_MULTI.search(data, 0, err.start) or err.end - err.start > 1:
            return f"truncated UTF-8: the file ends inside a multibyte character (byte {err.start})"
    high = len(data.translate(None, _ASCII))
    found = _UTF8_MULTI.findall(data)
    stray = high - sum(map(len, found))  # high bytes outside well-formed sequences
    # legacy Arabic text forms a well-formed sequence only by chance; damaged UTF-8 is mostly well-formed
    if len(found) >= 2 and len(found) >= 4 * stray:
        return f"invalid UTF-8 at byte {err.start} ({err.reason}) in otherwise UTF-8 text"
    return None


def decode(data: bytes, *, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data`` to text and name its encoding; raise DecodeError when it is binary or undecidable.

    ``declared`` is a charset named by the document itself (an HTML meta or XML declaration), tried when the
    bytes are not UTF-8. Line endings are not touched here.
    """
    if not data:
        raise DecodeError("empty file")
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(name)
            except UnicodeDecodeError as err:
                raise DecodeError(f"invalid {name.upper()} after its byte-order mark at byte {err.start + len(bom)} ({err.reason})") from None
            return text, name + ("-sig" if name == "utf-8" else "")
    what = binary_kind(data)
    if what:
        raise DecodeError(f"binary file ({what})")
    if b"\x00" in data:
        name = _nul_encoding(data[:65536]) or _utf16_by_high_bytes(data[:65536])
        if name is None:
            raise DecodeError("binary file (NUL bytes)")
        try:
            text = data.decode(name)
        except UnicodeDecodeError as err:
            raise DecodeError(f"binary file (NUL bytes; not {name.upper()}: {err.reason} at byte {err.start})") from None
        if not _plausible_text(text):
            raise DecodeError("binary file (NUL bytes)")
        return text, name
    sample = data[:65536]
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    name = _utf16_by_high_bytes(sample) if controls > max(2, len(sample) // 33) else None
    if name:
        try:
            text = data.decode(name)
            if _plausible_text(text):
                return text, name
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        reason = _utf8_error(data, err)
        if reason:
            raise DecodeError(reason) from None
    else:
        # valid UTF-8 with a few stray controls (scraped text has them) is text; mostly controls is not
        if controls > max(8, len(sample) // 10):
            raise DecodeError("binary file (control bytes)")
        return text, "utf-8"
    if controls > max(2, len(sample) // 33):
        raise DecodeError("binary file (control bytes)")
    return _decode_legacy(data, declared)


def _decode_legacy(data: bytes, declared: str | None) -> tuple[str, str]:
    """Not UTF-8: the declared charset, else the Arabic code page that gives plausible Arabic, else refuse."""
    if declared:
        try:
            name = codecs.lookup(declared).name
            if name not in ("utf-8", "ascii"):
                text = data.decode(name)
                if _plausible_text(text) and (name not in LEGACY or _legacy_score(_prose(text)) > 0):
                    return text, name
        except (LookupError, UnicodeDecodeError):
            pass
    best: tuple[int, str, str] | None = None
    for name in LEGACY:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        score = _legacy_score(_prose(text))
        if best is None or score > best[0]:
            best = (score, text, name)
    if best is not None and best[0] > 0 and _plausible_text(best[1]):
        return best[1], best[2]
    raise DecodeError("unknown encoding: not UTF-8, UTF-16, windows-1256 or ISO-8859-6 text")


def peek_text(head: bytes) -> str:
    """A lenient decoding of a file's first bytes, for sniffing its format only."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return head[len(bom):].decode(name, "ignore")
    if b"\x00" in head:
        name = _nul_encoding(head)
        if name:
            return head[: len(head) - len(head) % 4].decode(name, "ignore")
        return ""
    return head.decode("utf-8", "ignore")
