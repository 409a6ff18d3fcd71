"""The binding work-around keeps None and True alive however many Qt calls are made."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from PySide6.QtCore import QObject, QPointF, Signal

from gui import qtcompat
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


def test_a_million_void_calls_do_not_free_none() -> None:
    """Without the work-around this aborts the interpreter on PySide6 6.12 + Python 3.11."""
    code = (
        "import gui\n"
        "from PySide6.QtCore import QPointF\n"
        "p = QPointF()\n"
        "for _ in range(1_000_000): p.setX(1.0)\n"
        "print('alive')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd="."
    )
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.strip() == "alive"
    if qtcompat.STEALS_NONE:
        assert sys.getrefcount(None) > 1 << 39
    QPointF()  # the module stays importable next to a plain binding
