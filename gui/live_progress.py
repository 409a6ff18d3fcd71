"""How far a running transcription is, between the reports it makes.

A transcription writes its text after each batch of speech, which on a laptop is every 20 to
60 seconds, and in between reports how far the batches being decoded are (their languages
identified piece by piece, then each language decoded: ``transcribe.batches.InFlight``), every
few seconds. Between reports the figure would stand still; ``LiveEstimate`` moves it on at the
rate the last report implies and counts the time left down; before the first report with a
rate (the first seconds) it says how long the run has taken so far.

The time left each report gives (``transcribe.progress.TimeLeft``) is steady between reports
a few seconds apart, yet batches written 20 to 60 s apart at an uneven pace moved it by
minutes at once: "1:55 left", then "4:10", then "0:40". What is shown moves toward each new
figure gradually instead, counted down meanwhile: up with the time constant ``RISE_S``, down
(quicker than thought) with ``FALL_S``; a run that reached its end says so at once.

No Qt here: the transcription controller asks it once a second.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gui.fmt import fmt_ms, plural

#: an estimate never says more than this until the run reports it got there
MAX_ESTIMATE = 0.99
#: the time left shown moves toward a higher figure with this time constant (seconds): 1/30
#: of the difference in a second, so that 1:55 toward 4:10 reads 1:59, 2:03, ...
RISE_S = 30.0
#: and toward a lower one with this one: a run quicker than thought counts down faster
FALL_S = 10.0


@dataclass(frozen=True)
class Shown:
    """What to show now: the fraction done, the seconds left (None: not known yet) and the
    seconds since the run began."""

    fraction: float
    eta_s: float | None
    elapsed_s: float


class LiveEstimate:
    """The progress of one run as reported, carried forward in time."""

    def __init__(self, started: float, resumed: float = 0.0) -> None:
        """``resumed``: how far an earlier run of the session wrote its text (a run that goes
        on from there), shown until the run's first report, which replaces it (the run may
        start over: another model, or the model gone)."""
        self.started = started
        self._fraction = min(1.0, max(0.0, resumed))  # last reported
        self._eta: float | None = None
        self._at = started  # when it was reported
        self._shown = self._fraction  # the largest fraction shown so far (never goes back)
        self._provisional = resumed > 0  # no report yet: ``resumed`` may be taken back
        self._left: tuple[float, float] | None = None  # the time left shown last, and when

    def report(self, fraction: float, eta_s: float | None, now: float) -> None:
        """The run reported ``fraction`` done and ``eta_s`` seconds left at ``now``."""
        if self._provisional:  # the run's own figure, even below where it was thought to resume
            self._provisional, self._shown = False, 0.0
        self._fraction = min(1.0, max(0.0, fraction))
        self._eta = None if eta_s is None else max(0.0, eta_s)
        self._at = now

    def at(self, now: float) -> Shown:
        """What to show at ``now``: the reported fraction moved on at the reported rate, never
        less than was shown before, never past ``MAX_ESTIMATE`` unless reported."""
        since = max(0.0, now - self._at)
        fraction, eta = self._fraction, self._eta
        if eta is not None and eta > 0 and fraction < 1.0:
            moved = fraction + (1.0 - fraction) * min(1.0, since / eta)
            fraction = min(moved, max(fraction, MAX_ESTIMATE))
            eta = max(0.0, eta - since)
        self._shown = max(self._shown, fraction)
        return Shown(self._shown, self._steady(eta, now), max(0.0, now - self.started))

    def _steady(self, eta: float | None, now: float) -> float | None:
        """The time left to show at ``now``: the last one shown counted down, moved toward
        ``eta`` (the last report's figure counted down) by ``RISE_S`` or ``FALL_S``."""
        if eta is None or self._left is None or self._fraction >= 1.0:
            self._left = None if eta is None else (eta, now)
            return eta
        shown, when = self._left
        since = max(0.0, now - when)
        counted = max(0.0, shown - since)
        settle = RISE_S if eta > counted else FALL_S
        left = counted + (eta - counted) * (1.0 - math.exp(-since / settle))
        self._left = (left, now)
        return left


def cancelled_text(shown_pct: int, added: int, resumed_ms: int, in_all: int = 0) -> str:
    """The status line after a cancel: ``shown_pct`` was on screen, the run wrote ``added``
    segments and began at ``resumed_ms`` (0: from the start); the session holds ``in_all``.
    Text is written a minute or two of speech at a time, so a cancel before the first batch
    keeps nothing from this run."""
    at = f" at {shown_pct} %" if shown_pct else ""
    if added:
        more = f" ({in_all} in the session)" if in_all > added else ""
        return (
            f"Transcription cancelled{at}; {plural(added, 'segment')} kept{more}. "
            "Transcribe again to resume."
        )
    if resumed_ms:  # an earlier run's text stays; the next run goes on after it
        return (
            f"Transcription cancelled{at}, before its next part was saved: the text up to "
            f"{fmt_ms(resumed_ms)} is kept; Transcribe goes on from there."
        )
    return (
        f"Transcription cancelled{at}, before its first part was saved: nothing was kept; "
        "Transcribe starts over."
    )
