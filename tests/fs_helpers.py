"""Real file-system conditions for bad-input tests: read-only folders and full disks.

As root (CI and the dev machine) permissions are not enforced, so these use a real tmpfs
mount (read-only, or tiny); otherwise they fall back to chmod, which binds normal users.
"""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def _mount(target: Path, options: str) -> bool:
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True
    )
    return result.returncode == 0


@contextlib.contextmanager
def small_disk(target: Path, size: str = "256k") -> Iterator[Path]:
    """A folder on a tiny tmpfs that fills up quickly (root only)."""
    target.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not _mount(target, f"size={size}"):
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """Make ``folder`` unwritable: a read-only remount of a tmpfs as root, else chmod."""
    if os.geteuid() == 0:
        result = subprocess.run(
            ["mount", "--bind", "-o", "ro", str(folder), str(folder)], capture_output=True
        )
        if result.returncode != 0:
            pytest.skip("cannot bind-mount read-only here")
        subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True)
        try:
            probe = folder / ".probe"
            try:
                probe.write_text("x")
            except OSError:
                pass
            else:
                probe.unlink()
                pytest.skip("read-only bind mount is not enforced here")
            yield folder
        finally:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)
    else:
        mode = folder.stat().st_mode
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
        try:
            yield folder
        finally:
            folder.chmod(mode)
