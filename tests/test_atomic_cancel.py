"""A staged write inside a cancelled ``cancellable`` block leaves the destination as it was."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from storage.core.atomic import cancellable, staged
from storage.core.errors import CancelledError


@pytest.mark.parametrize("earlier", [None, "before"])
def test_a_cancelled_write_is_not_moved_into_place(tmp_path: Path, earlier: str | None) -> None:
    dest = tmp_path / "out.txt"
    if earlier is not None:
        dest.write_text(earlier)
    with cancellable(lambda: True), pytest.raises(CancelledError, match="nothing was written"):
        with staged(dest) as tmp:
            tmp.write_text("after")
    assert (dest.read_text() if dest.exists() else None) == earlier
    assert [p.name for p in tmp_path.iterdir()] == ([] if earlier is None else ["out.txt"])


def test_not_cancelled_or_outside_a_block_writes(tmp_path: Path) -> None:
    dest = tmp_path / "out.txt"
    with cancellable(lambda: False), staged(dest) as tmp:
        tmp.write_text("one")
    assert dest.read_text() == "one"
    with staged(dest) as tmp:  # no block: nothing to ask
        tmp.write_text("two")
    assert dest.read_text() == "two"


def test_the_check_belongs_to_its_own_thread(tmp_path: Path) -> None:
    """A worker's cancelled export does not cancel a write in another thread."""
    inside = threading.Event()
    leave = threading.Event()

    def worker() -> None:
        with cancellable(lambda: True):
            inside.set()
            leave.wait(5)

    t = threading.Thread(target=worker)
    t.start()
    assert inside.wait(5)
    with staged(tmp_path / "main.txt") as tmp:
        tmp.write_text("kept")
    leave.set()
    t.join(5)
    assert (tmp_path / "main.txt").read_text() == "kept"
