"""SIGTERM (a logout, a shutdown, ``kill``) closes the window as File ▸ Quit does, asking nothing.

Without it the window died as in a crash: a recording running was saved as a session only at
the next start (recovery), the project was left locked and its write-ahead log unmerged. Python
runs a signal handler only when the interpreter gets control, which Qt's event loop does not
give it: ``signal.set_wakeup_fd`` writes the signal's number into a socket that a
``QSocketNotifier`` watches, and the window is closed from the event loop.
"""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSocketNotifier


def close_on_terminate(close: Callable[[], Any], parent: Any) -> Callable[[], None]:
    """Call ``close`` in the GUI thread when the process gets SIGTERM; returns what puts the
    previous handler back (the app calls it once its event loop has ended)."""
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    theirs.setblocking(False)
    previous_fd = signal.set_wakeup_fd(theirs.fileno())
    previous = signal.signal(signal.SIGTERM, lambda *_args: None)  # the wakeup fd does the rest
    notifier = QSocketNotifier(ours.fileno(), QSocketNotifier.Type.Read, parent)

    def readable() -> None:
        try:
            numbers = ours.recv(64)
        except OSError:
            return
        if signal.SIGTERM in numbers:
            close()

    notifier.activated.connect(readable)

    def restore() -> None:
        notifier.setEnabled(False)
        signal.signal(signal.SIGTERM, previous)
        signal.set_wakeup_fd(previous_fd)
        ours.close()
        theirs.close()

    return restore
