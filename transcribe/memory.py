"""Keep the C allocator from hoarding memory during long transcriptions (glibc only).

Decoding runs in several threads (two decoders, the window reader, the VAD) that allocate and
free many buffers of a few MB. With glibc's defaults up to eight arenas per core are created
and each keeps freed memory for reuse, so the resident size of a long run climbs far above
what is in use: a one-hour recording peaked at 995 MB. Two arenas bring that to about 590 MB
(``bench/transcribe_bench.py --hours``) and make decoding no slower (forcing buffers of 1 MB
and more to be mapped afresh each time would save another 100 MB but cost a fifth more CPU).
Elsewhere (macOS, Windows, musl) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

_M_ARENA_MAX = -8
ARENA_MAX = 2

_done = False


def tune_allocator() -> bool:
    """Limit glibc to ``ARENA_MAX`` arenas (once per process); return whether it is in effect."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    _done = bool(mallopt(_M_ARENA_MAX, ARENA_MAX))
    return _done
