"""The time left of a running transcription, steady and honest.

A run reports how far it is after every batch written and, in between, from how far the
batches being decoded are (``Progress.estimated``). Those reports come every few seconds to a
minute and are uneven: an estimate between batches runs ahead of what is written, a written
batch can lag behind it, and the first minute says little. ``elapsed x remaining / done``
computed afresh at each report therefore jumped: the GUI counts the last figure down between
reports, and the next report replaced it at once ("1 min 04 s left", then "2 min 06 s" 3 s
later; "6 s left" at 94 %, then "14 s" at 96 %).

``TimeLeft`` instead
- measures the rate over the last ``WINDOW_S`` seconds of reports (since the run began while it
  is younger), so it follows a change of speed (another language, the machine busier) and
  forgets the first minute;
- counts the time it said down between reports, as the GUI does; a new figure below that is
  said at once, one above it is reached gradually (half of the difference in about
  ``SETTLE_S`` x 0.7 seconds): the figure shown never jumps up by much between close reports,
  and settles on the new rate when the rate changed.
"""

from __future__ import annotations

import math
from collections import deque

#: the rate is measured over this many seconds of reports
WINDOW_S = 60.0
#: no time left is said before the run has gone on this long (seconds): the first reports,
#: a batch or two, say little of the rate
FIRST_S = 20.0
#: the time left moves toward a new figure with this time constant (seconds)
SETTLE_S = 30.0


class TimeLeft:
    """The time left of one run, from its reports (``update``); no clock of its own."""

    def __init__(self, started: float, from_ms: int, total_ms: int) -> None:
        self.total_ms = total_ms
        self._started = started
        self._samples: deque[tuple[float, int]] = deque([(started, from_ms)])
        self._eta: float | None = None  # the last figure given
        self._at = started  # when

    def update(self, now: float, done_ms: int) -> float | None:
        """The run is ``done_ms`` far at ``now`` (never less than before): the seconds left to
        say (None: no rate yet)."""
        if done_ms >= self.total_ms:
            self._eta, self._at = 0.0, now
            return 0.0
        while len(self._samples) > 1 and self._samples[1][0] <= now - WINDOW_S:
            self._samples.popleft()  # the oldest kept is the last one at least WINDOW_S ago
        then, then_ms = self._samples[0]
        if done_ms > self._samples[-1][1] or now > self._samples[-1][0]:
            self._samples.append((now, done_ms))
        if done_ms <= then_ms or now <= then:
            return self._counted(now)
        if now - self._started < FIRST_S:
            return None
        fresh = (now - then) * (self.total_ms - done_ms) / (done_ms - then_ms)
        if self._eta is None:
            eta = fresh
        else:
            counted = max(0.0, self._eta - (now - self._at))
            # quicker than thought: said at once; slower: the figure rises gradually
            if fresh <= counted:
                eta = fresh
            else:
                eta = counted + (fresh - counted) * (1.0 - math.exp(-(now - self._at) / SETTLE_S))
        self._eta, self._at = eta, now
        return eta

    def _counted(self, now: float) -> float | None:
        """The last figure counted down to ``now`` (no new rate to tell)."""
        if self._eta is None:
            return None
        return max(0.0, self._eta - (now - self._at))
