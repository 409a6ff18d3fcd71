"""Reading a CTranslate2 ``model.bin`` header without loading the model.

The file (``ctranslate2.specs.model_spec.ModelSpec._serialize``, binary version 5 and later) is:
a uint32 version, the spec name (uint16 length, bytes ending in NUL), a uint32 revision, a
uint32 number of variables, then each variable: its name, a uint8 rank, one uint32 per
dimension, a uint8 type, a uint32 byte count and the bytes; then the aliases. Walking the
variables' headers (a few hundred small reads and seeks) tells whether the file holds all the
bytes they announce: a half-finished copy is named as such before CTranslate2 refuses it with
"Variable '...' has an invalid payload size".
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

_MIN_WALKED_VERSION = 5  # the layout above; older files are left to CTranslate2


def _string(fh: BinaryIO) -> bytes | None:
    raw = fh.read(2)
    if len(raw) < 2:
        return None
    (length,) = struct.unpack("<H", raw)
    data = fh.read(length)
    return data.rstrip(b"\0") if len(data) == length else None


def cut_short(path: Path) -> int | None:
    """The size of a ``model.bin`` that ends before the bytes its variables announce (a copy
    that did not finish), else None (whole, or not a file this can tell about)."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(4)
            if len(head) < 4 or struct.unpack("<I", head)[0] < _MIN_WALKED_VERSION:
                return None
            if _string(fh) is None:
                return size
            counts = fh.read(8)
            if len(counts) < 8:
                return size
            _revision, variables = struct.unpack("<II", counts)
            for _ in range(variables):
                if _string(fh) is None:
                    return size
                rank = fh.read(1)
                if not rank:
                    return size
                if len(fh.read(4 * rank[0] + 1)) < 4 * rank[0] + 1:
                    return size
                raw = fh.read(4)
                if len(raw) < 4:
                    return size
                end = fh.tell() + struct.unpack("<I", raw)[0]
                if end > size:
                    return size
                fh.seek(end)
            raw = fh.read(4)
            if len(raw) < 4:
                return size
            for _ in range(2 * struct.unpack("<I", raw)[0]):  # each alias: two names
                if _string(fh) is None:
                    return size
    except OSError:
        return None
    return None
