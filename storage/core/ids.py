"""Row ids (time-ordered UUIDs) and timestamps, the same on every laptop."""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from datetime import UTC, datetime

_id_lock = threading.Lock()
_id_last = [0, 0]  # the last id's (unix milliseconds, 74 random-and-counter bits)
_ID_RAND_BITS = 74


def new_id() -> str:
    """Return a new globally unique row id: a time-ordered UUID (version 7, RFC 9562).

    48 bits of Unix time in milliseconds, then 74 random bits; ids made by one process are
    strictly increasing (within a millisecond the random part counts up by a random step), so
    the rows a coder makes one after another sit next to each other in the id indexes, which
    keeps inserts (a merge of that coder's bundle) near-sequential. Still an ordinary UUID text
    (ids of older projects, version 4, are as valid); it reveals when the row was made, as the
    row's ``created_at`` does.
    """
    with _id_lock:
        ms = time.time_ns() // 1_000_000
        last_ms, last_rand = _id_last
        if ms > last_ms:
            rand = secrets.randbits(_ID_RAND_BITS - 1)  # top bit clear: room to count up
        else:
            ms, rand = last_ms, last_rand + 1 + secrets.randbits(16)
            if rand >> _ID_RAND_BITS:  # the counter ran over: borrow the next millisecond
                ms, rand = last_ms + 1, secrets.randbits(_ID_RAND_BITS - 1)
        _id_last[0], _id_last[1] = ms, rand
    rand_a, rand_b = rand >> 62, rand & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return str(uuid.UUID(int=value))


def now_iso() -> str:
    """Return the current UTC time as ISO 8601 with milliseconds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def local_minute(iso: str) -> str:
    """A time the project stores (UTC, ``2026-03-02T08:09:41.123Z``) in the computer's own
    time zone, to the minute: ``2026-03-02 13:09`` in Almaty. Text that is not such a time is
    shown as it is."""
    try:
        when = datetime.fromisoformat(version_time(iso))
    except ValueError:
        return iso
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


def version_time(version: str) -> str:
    """The time a row's version (``updated_at``) says, without the marks later steps add: a
    segment repaired at open ends "~words" (``storage.core.stale_words``), a version merged
    after another "+" (``storage.team.merge_same_name``)."""
    return version.split("~", 1)[0].rstrip("+")
