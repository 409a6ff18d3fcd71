"""How far a running transcription is, between the reports it makes.

A transcription writes its text after each batch of speech, which on a laptop is every 20 to
60 seconds, and in between reports how far the batches being decoded are (their languages
identified piece by piece, then each language decoded: ``transcribe.batches.InFlight``), every
few seconds. Between reports the figure would stand still; ``LiveEstimate`` moves it on at the
rate the last report implies and counts the time left down; before the first report with a
rate (the first seconds) it says how long the run has taken so far.

No Qt here: the transcription controller asks it once a second.
"""

from __future__ import annotations

from dataclasses import dataclass

from gui.fmt import fmt_ms, plural

#: an estimate never says more than this until the run reports it got there
MAX_ESTIMATE = 0.99


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
        return Shown(self._shown, eta, max(0.0, now - self.started))


def cancelled_text(shown_pct: int, added: int, resumed_ms: int) -> str:
    """The status line after a cancel: ``shown_pct`` was on screen, the run wrote ``added``
    segments and began at ``resumed_ms`` (0: from the start). Text is written a minute or two
    of speech at a time, so a cancel before the first batch keeps nothing from this run."""
    at = f" at {shown_pct} %" if shown_pct else ""
    if added:
        return (
            f"Transcription cancelled{at}; {plural(added, 'segment')} kept. "
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
