"""Limits on untrusted zip files, checked before anything is unpacked.

``entry_count`` reads the number of members from the zip's end records (a few bytes at the end
of the file), so an archive with a million members is refused before ``zipfile`` parses its
central directory. ``check_declared`` checks each member's declared unpacked size, the total
and the compression ratio; ``check_free_space`` that the unpacked members fit in a folder.
Unpacking then stops at each member's declared size (the readers in
``storage.team.bundle_members`` and ``storage.interop.safe_zip``), so a member that lies about its
size is cut off.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
#: room kept free in a folder besides what is unpacked into it
FREE_MARGIN = 64 << 20


@dataclass(frozen=True)
class ZipCaps:
    """Limits on an untrusted archive."""

    max_members: int
    max_member_bytes: int
    max_total_bytes: int
    #: a member larger than ``ratio_min_bytes`` that inflates more than this is refused
    max_ratio: int = 200
    ratio_min_bytes: int = 1 << 20
    #: the central directory (every member's name and sizes) may not be larger than this
    max_directory_bytes: int = 64 << 20


def entry_count(path: Path) -> tuple[int, int] | None:
    """The number of members and the central directory's size, from the end records.

    None when the end record is missing (not a zip file, or damaged: ``zipfile`` says which).
    """
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        tail_len = min(size, 22 + 0xFFFF)
        fh.seek(size - tail_len)
        tail = fh.read(tail_len)
        at = tail.rfind(_EOCD)
        if at < 0 or len(tail) - at < 22:
            return None
        entries = int.from_bytes(tail[at + 10 : at + 12], "little")
        directory = int.from_bytes(tail[at + 12 : at + 16], "little")
        locator = tail[at - 20 : at] if at >= 20 else b""
        if locator[:4] == _ZIP64_LOCATOR:
            offset = int.from_bytes(locator[8:16], "little")
            if 0 <= offset <= size - 56:
                fh.seek(offset)
                record = fh.read(56)
                if record[:4] == _ZIP64_EOCD:
                    entries = max(entries, int.from_bytes(record[32:40], "little"))
                    directory = max(directory, int.from_bytes(record[40:48], "little"))
    return entries, directory


def check_count(path: Path, caps: ZipCaps, refuse: Callable[[str], Exception]) -> None:
    """Refuse an archive whose end records announce too many members or too large a directory.

    Cheap (reads the end of the file only): call it before opening the archive with ``zipfile``.
    """
    found = entry_count(path)
    if found is None:
        return  # not a zip (or damaged): the caller's zipfile check says so
    entries, directory = found
    if entries > caps.max_members:
        raise refuse(f"it has {entries} members (at most {caps.max_members})")
    if directory > caps.max_directory_bytes:
        raise refuse(
            f"its member list takes {directory} bytes (at most {caps.max_directory_bytes})"
        )


def check_declared(
    infos: Iterable[zipfile.ZipInfo], caps: ZipCaps, refuse: Callable[[str], Exception]
) -> int:
    """Check the members' declared sizes and ratios; return their total unpacked size."""
    total = 0
    for count, info in enumerate(infos, 1):
        if count > caps.max_members:
            raise refuse(f"it has more than {caps.max_members} members")
        if info.file_size > caps.max_member_bytes:
            raise refuse(
                f"member {info.filename!r} unpacks to {info.file_size} bytes "
                f"(at most {caps.max_member_bytes})"
            )
        ratio = info.file_size // max(1, info.compress_size)
        if info.file_size > caps.ratio_min_bytes and ratio > caps.max_ratio:
            raise refuse(
                f"member {info.filename!r} inflates {ratio} times (at most {caps.max_ratio}; "
                "a zip bomb?)"
            )
        total += info.file_size
        if total > caps.max_total_bytes:
            raise refuse(f"its members unpack to more than {caps.max_total_bytes} bytes")
    return total


def check_free_space(folder: Path, needed: int, refuse: Callable[[str], Exception]) -> None:
    """Refuse when ``needed`` bytes (plus a margin) do not fit in ``folder``'s file system."""
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return
    if needed + FREE_MARGIN > free:
        raise refuse(
            f"it unpacks to {needed >> 20} MiB and {folder} has {free >> 20} MiB free "
            "(free some space or set TMPDIR to a larger folder)"
        )
