"""Writing a file so that it appears whole or not at all."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def staged(dest: Path, *, fsync: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``dest``; on success move it onto ``dest``.

    On any exception the temporary file is removed and the exception propagates unchanged, so
    callers keep their own error messages. With ``fsync`` the data is flushed to disk first.
    """
    tmp = dest.with_name(f".{dest.name}.part")
    try:
        yield tmp
        if fsync:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def copy_file(src: Path, dest: Path) -> None:
    """Copy ``src`` to ``dest`` via a temporary file, fsynced, removed on any failure."""
    with staged(dest, fsync=True) as tmp, open(src, "rb") as fin, open(tmp, "wb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)
