"""Every keyboard shortcut of the main window is unique (an ambiguous one triggers nothing)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from PySide6.QtGui import QAction


def test_no_shortcut_is_used_twice(window: Any) -> None:
    keys = Counter(
        seq.toString()
        for action in window.findChildren(QAction)
        for seq in action.shortcuts()
        if not seq.isEmpty()
    )
    twice = {k: n for k, n in keys.items() if n > 1}
    assert twice == {}
    assert {"F3", "F4", "F5", "Ctrl+Space", "Ctrl+Z", "Ctrl+Shift+S", "Ctrl+T"} <= set(keys)
