"""Work-arounds for bugs of the Qt binding, detected at run time (so fixed versions skip them).

PySide6 6.12 on Python 3.11 returns ``None`` from void methods (``painter.drawLine``,
``widget.update``, ``QCoreApplication.processEvents`` ...) and ``True`` from ``Signal.emit`` without
taking a reference for them: each call steals one reference. Python 3.12+ makes these singletons
immortal, so there it is harmless; on 3.11 the interpreter frees ``None`` after a few thousand
calls and aborts ("Fatal Python error: none_dealloc" / "bool_dealloc") - painting a waveform does
that in seconds.

``protect_singletons()`` (run when ``gui`` is imported) measures the leak once and, only when it
happens, raises the reference counts of ``None``, ``True`` and ``False`` by 2**40 - at a million
stolen references a second that lasts twelve days - and ``emit`` also gives back what each emit
takes. Over-counting an object that is never freed is harmless.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, QPointF, Signal

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None
_BUMP = 1 << 40


class _Probe(QObject):
    sig = Signal(object)


def _stolen(obj: object, call: Any, n: int = 16) -> int:
    before = sys.getrefcount(obj)
    for _ in range(n):
        call()
    stolen = before - sys.getrefcount(obj)
    for _ in range(max(0, stolen)):
        _incref(obj)  # give back what the probe took
    return stolen


def _steals_true() -> bool:
    probe = _Probe()
    return _stolen(True, lambda: probe.sig.emit(None)) >= 16


def _steals_none() -> bool:
    point = QPointF()
    return _stolen(None, lambda: point.setX(1.0)) >= 16


STEALS_TRUE = _steals_true()
STEALS_NONE = _steals_none()


def _bump(obj: object) -> None:
    """Add ``_BUMP`` to an object's reference count (CPython: ``ob_refcnt`` is the first field)."""
    refcnt = ctypes.c_ssize_t.from_address(id(obj))
    if refcnt.value < _BUMP // 2:
        refcnt.value += _BUMP


def protect_singletons() -> None:
    """Keep ``None``/``True``/``False`` alive despite the binding's reference leak (if any)."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    if STEALS_NONE:
        _bump(None)
    if STEALS_TRUE or STEALS_NONE:
        _bump(True)
        _bump(False)


def emit(signal: Any, *args: Any) -> None:
    """``signal.emit(*args)``, giving back the reference to ``True`` a buggy binding steals."""
    result = signal.emit(*args)
    if STEALS_TRUE and result is True:
        _incref(True)


protect_singletons()
