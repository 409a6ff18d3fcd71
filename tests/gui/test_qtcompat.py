"""The emit work-around keeps ``True`` alive however many signals are emitted."""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import QObject, Signal

from gui.qtcompat import emit


class _Sender(QObject):
    sig = Signal(object)


def test_many_emits_do_not_leak_true(qtbot: Any) -> None:
    sender = _Sender()
    got: list[int] = []
    sender.sig.connect(got.append)
    before = sys.getrefcount(True)
    for i in range(2000):
        emit(sender.sig, i)
    assert len(got) == 2000
    assert sys.getrefcount(True) >= before - 5
