"""Archives walked as they are: zip (members in name order), tar (plain or compressed; in archive order) and single
gzip/bz2/xz files."""

from __future__ import annotations

import bz2
import gzip
import lzma
import tarfile
import zipfile
from collections.abc import Iterator
from functools import partial
from typing import BinaryIO

from khabar.read.errors import ReadError
from khabar.read.source import Source

_DECOMPRESS = {b"\x1f\x8b": gzip.open, b"BZh": bz2.open, b"\xfd7zXZ": lzma.open}


def skipped(member: str) -> bool:
    """Whether an archive member is bookkeeping rather than content (hidden files, macOS resource forks)."""
    parts = member.replace("\\", "/").split("/")
    return any(p.startswith(".") or p == "__MACOSX" for p in parts if p)


def members(src: Source, kind: str) -> Iterator[Source | ReadError]:
    """The documents inside an archive, each a Source named ``archive/member``."""
    if kind == "zip":
        yield from _zip_members(src)
    elif kind == "tar":
        yield from _tar_members(src)
    else:
        yield from _compressed_member(src)


def _zip_members(src: Source) -> Iterator[Source | ReadError]:
    """Members of a zip archive."""
    with src.open() as raw:  # ZipFile leaves a stream it was handed open
        try:
            zf = zipfile.ZipFile(raw)
        except (zipfile.BadZipFile, OSError, EOFError) as err:
            raise ReadError(src.name, f"not a readable zip archive ({err})") from None
        with zf:
            yield from _zip_infos(src, zf)


def _zip_infos(src: Source, zf: zipfile.ZipFile) -> Iterator[Source | ReadError]:
    """Sources over the members of an open zip archive, in name order."""
    infos = sorted((i for i in zf.infolist() if not i.is_dir() and not skipped(i.filename)), key=lambda i: i.filename)
    for info in infos:
        if info.flag_bits & 0x1:
            yield ReadError(f"{src.name}/{info.filename}", "encrypted zip member")
            continue
        yield Source(f"{src.name}/{info.filename}", partial(zf.open, info), info.file_size)


def _tar_members(src: Source) -> Iterator[Source | ReadError]:
    """Members of a tar archive, compressed or not."""
    with src.open() as raw:  # TarFile leaves a stream it was handed open
        try:
            tf = tarfile.open(fileobj=raw, mode="r:*")
        except (tarfile.TarError, OSError, EOFError) as err:
            raise ReadError(src.name, f"not a readable tar archive ({err})") from None
        with tf:
            yield from _tar_infos(src, tf)


def _tar_infos(src: Source, tf: tarfile.TarFile) -> Iterator[Source | ReadError]:
    """Sources over the regular-file members of an open tar archive, in archive order (one pass when compressed)."""
    try:
        infos = [m for m in tf.getmembers() if m.isfile() and not skipped(m.name)]
    except (tarfile.TarError, OSError, EOFError) as err:
        raise ReadError(src.name, f"damaged tar archive ({err})") from None
    for info in infos:
        yield Source(f"{src.name}/{info.name}", partial(_tar_open, tf, info), info.size)


def _tar_open(tf: tarfile.TarFile, info: tarfile.TarInfo) -> BinaryIO:
    """A member's bytes as a stream."""
    f = tf.extractfile(info)
    assert f is not None  # regular files only
    return f


def _compressed_member(src: Source) -> Iterator[Source | ReadError]:
    """The one document of a gzip, bz2 or xz file: named after it without the compression suffix."""
    head = src.head(6)
    opener = next((o for magic, o in _DECOMPRESS.items() if head.startswith(magic)), None)
    if opener is None:
        raise ReadError(src.name, "not gzip, bz2 or xz data")
    inner = src.name.rsplit(".", 1)[0] if "." in src.name.rsplit("/", 1)[-1] else src.name + ".out"

    def open_inner() -> BinaryIO:
        return opener(src.open())

    try:
        with open_inner() as f:
            probe = f.read(512)
    except (OSError, EOFError, lzma.LZMAError) as err:
        raise ReadError(src.name, f"damaged compressed file ({err})") from None
    if len(probe) > 262 and probe[257:262] == b"ustar":
        yield from _tar_members(Source(src.name, open_inner, None))
        return
    yield Source(inner, open_inner, None)
