"""Ctrl+C during a long command: the first asks for a clean, resumable stop."""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any


def install_sigint(cancel: threading.Event, stopping: str | None = None) -> Any:
    """Ctrl+C sets ``cancel`` (a clean, resumable stop; ``stopping`` is said on stderr); a
    second Ctrl+C interrupts."""
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread():
        return previous

    def handler(signum: int, frame: Any) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.set()
        if stopping:
            print(f"\n{stopping}", file=sys.stderr, flush=True)

    signal.signal(signal.SIGINT, handler)
    return previous
