"""Reading a bundle's members out of its zip file, each checked against the manifest."""

from __future__ import annotations

import hashlib
import importlib
import os
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from storage.team.bundle import InvalidBundleError, refused


def damaged(path: Path, name: str, why: str) -> InvalidBundleError:
    """The refusal of a bundle whose member ``name`` is not what its manifest lists (``why``):
    one line naming the member, saying that the project was not touched and what to do."""
    return refused(
        f"{path}: {name} is damaged ({why})",
        "Ask for the bundle to be exported again, or copy it again.",
    )


def _load_inflater() -> tuple[Any, tuple[type[BaseException], ...]]:
    """ISA-L's zlib (inflates about twice as fast), else zlib: the module and its errors."""
    try:
        isal_zlib: Any = importlib.import_module("isal.isal_zlib")
    except ImportError:  # pragma: no cover - isal is a dependency; zlib does the same, slower
        return zlib, (zlib.error,)
    return isal_zlib, (isal_zlib.error, zlib.error)


_inflater, _INFLATE_ERRORS = _load_inflater()
#: inflated bytes handed on at once (small blocks: the allocator reuses their memory)
_OUT_BLOCK = 1 << 22


def _member_data_offset(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> int | None:
    """Where a member's (stored or deflated, not encrypted) bytes start in the zip file."""
    if (
        info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
        or info.flag_bits & 0x1
        or zf.fp is None
    ):
        return None
    zf.fp.seek(info.header_offset)
    header = zf.fp.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        return None
    name_len = int.from_bytes(header[26:28], "little")
    extra_len = int.from_bytes(header[28:30], "little")
    return info.header_offset + 30 + name_len + extra_len


def _read_member(
    path: Path, info: zipfile.ZipInfo, offset: int, size: int, sink: Callable[[memoryview], None]
) -> int:
    """Read a member straight from the zip file, inflating it if deflated; return its size.

    Stops at ``size`` + 1 bytes of output (a member larger than the manifest says is refused by
    the caller). The manifest's sha256, which the caller checks, is stronger than the zip's
    CRC-32, which is skipped.
    """
    try:
        return _read_member_unchecked(path, info, offset, size, sink)
    except _INFLATE_ERRORS as exc:
        raise damaged(path, info.filename, f"it cannot be unpacked: {exc}") from exc


def _read_member_unchecked(
    path: Path, info: zipfile.ZipInfo, offset: int, size: int, sink: Callable[[memoryview], None]
) -> int:
    written = 0
    left = info.compress_size
    inflater = _inflater.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    with open(path, "rb") as src:
        src.seek(offset)
        while left > 0 and written <= size:
            block = src.read(min(4 << 20, left))
            if not block:
                break
            left -= len(block)
            if inflater is None:
                out: bytes = block
                sink(memoryview(out))
                written += len(out)
                continue
            data = block
            while data and written <= size:
                out = inflater.decompress(data, min(_OUT_BLOCK, size + 1 - written))
                data = inflater.unconsumed_tail
                if out:
                    sink(memoryview(out))
                    written += len(out)
                if inflater.eof:
                    break
            if inflater.eof:
                break
        if inflater is not None and written <= size and not inflater.eof:
            out = inflater.flush()
            if out:
                sink(memoryview(out))
                written += len(out)
            if not inflater.eof:
                raise damaged(path, info.filename, "its compressed data ends early")
    return written


def extract_limited(
    path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, size: int, sha: str
) -> None:
    """Unpack member ``info`` of bundle ``path`` to ``target``, read-only.

    Refused (``InvalidBundleError``) when it is larger or smaller than ``size`` or its sha256 is
    not ``sha`` (the manifest's figures).
    """
    digest = hashlib.sha256()
    offset = _member_data_offset(zf, info) if info.file_size == size else None
    with open(target, "wb") as dst:

        def sink(view: memoryview) -> None:
            digest.update(view)
            dst.write(view)

        if offset is not None:
            # read (and inflated) straight from the file in large blocks: zipfile's reader
            # inflates with zlib in small steps and computes the CRC-32 on top
            written = _read_member(path, info, offset, size, sink)
        else:
            written = 0
            try:
                with zf.open(info) as src:
                    while True:
                        block = src.read(1 << 20)
                        if not block:
                            break
                        written += len(block)
                        if written > size:
                            break
                        sink(memoryview(block))
            except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
                raise damaged(path, info.filename, f"it cannot be unpacked: {exc}") from exc
    if written > size:
        raise damaged(
            path,
            info.filename,
            f"it unpacks to more than the {size} bytes the manifest lists, so its sha256 "
            "checksum cannot match",
        )
    if written != size:
        raise damaged(
            path,
            info.filename,
            f"it unpacks to {written} bytes, not the {size} the manifest lists, so its sha256 "
            "checksum cannot match",
        )
    if digest.hexdigest() != sha:
        raise damaged(
            path, info.filename, "it does not match the sha256 checksum the manifest lists"
        )
    os.chmod(target, 0o400)
