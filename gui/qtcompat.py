"""Work-arounds for bugs of the Qt binding, detected at run time (so fixed versions skip them).

PySide6 6.12 on Python 3.11: every Python-side ``SignalInstance.emit()`` returns ``True`` without
taking a reference for it, so each emit steals one reference to ``True``. After a few hundred emits
the interpreter frees ``True`` and aborts ("Fatal Python error: bool_dealloc"). Python 3.12+ makes
``True`` immortal, and a fixed PySide6 does not steal; ``emit`` below measures the leak once and
only compensates when it happens.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    sig = Signal(object)


def _steals_true() -> bool:
    probe = _Probe()
    probe.sig.connect(lambda _v: None)
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.sig.emit(None)
    stolen = before - sys.getrefcount(True)
    for _ in range(max(0, stolen)):
        _incref(True)  # give back what the probe took
    return stolen >= 8


STEALS_TRUE = _steals_true()


def emit(signal: Any, *args: Any) -> None:
    """``signal.emit(*args)``, safe from the reference leak described above."""
    result = signal.emit(*args)
    if STEALS_TRUE and result is True:
        _incref(True)
