"""Printing helpers shared by the commands: tables, JSON, times, a progress bar."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from typing import Any, Literal, TextIO

from storage.core.words import plural as plural  # the counts of every layer's messages
from storage.core.words import verb as verb
from storage.privacy.models import why_left_out


def fmt_ms(ms: int | None) -> str:
    """Format milliseconds as H:MM:SS.mmm (or M:SS.mmm under an hour)."""
    if ms is None:
        return ""
    seconds, milli = divmod(int(ms), 1000)
    minutes, sec = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    if hours:
        return f"{hours}:{minute:02d}:{sec:02d}.{milli:03d}"
    return f"{minute}:{sec:02d}.{milli:03d}"


def wrote_kept(
    kept: int, total: int, what: str, path: Any, folder: str, *, unlabelled: int = 0
) -> str:
    """ "Wrote 3 of 8 segments to F: 5 left out, their segments' speakers have no consent to
    export (link ... and record it with ...)." (or "Wrote 8 segments to F."). ``folder``: the
    project folder, quoted for a shell; ``unlabelled``: how many of those left out are (of)
    segments without a speaker, in a session where not everyone known consented."""
    if kept == total:
        return f"Wrote {plural(kept, what)} to {path}."
    left = total - kept
    # a speaker linked to nobody is left out too: linking comes before recording consent
    link = f"link speakers to participants with fieldscribe speaker {folder} map ..."
    fix = f"{link} and record it with fieldscribe consent {folder} ..."
    if unlabelled:  # speech of nobody known: give it a speaker, or record everyone's consent
        fix = (
            f"detect speakers with fieldscribe speakers {folder} --session ID or give the "
            f"segments a speaker with fieldscribe speaker {folder} assign ..., {link}, and "
            f"record consent with fieldscribe consent {folder} ..."
        )
    why = why_left_out(left - unlabelled, unlabelled)
    return f"Wrote {kept} of {plural(total, what)} to {path}: {left} left out{why} ({fix})."


def print_json(data: Any, out: TextIO | None = None) -> None:
    """Print data as pretty JSON (UTF-8, not ASCII-escaped)."""
    out = out or sys.stdout
    json.dump(data, out, ensure_ascii=False, indent=2, default=str)
    out.write("\n")


def print_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], out: TextIO | None = None
) -> None:
    """Print rows as a plain aligned table."""
    out = out or sys.stdout
    text_rows = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in text_rows:
        for i, value in enumerate(row[:-1]):
            widths[i] = max(widths[i], len(value))

    def line(values: Sequence[str]) -> str:
        cells = [v.ljust(widths[i]) for i, v in enumerate(values[:-1])]
        return "  ".join([*cells, values[-1]]).rstrip()

    out.write(line(list(headers)) + "\n")
    for row in text_rows:
        out.write(line(row) + "\n")


class ProgressBar:
    """A one-line terminal progress bar with elapsed time and ETA; silent when not a TTY."""

    def __init__(self, label: str, enabled: bool | None = None, out: TextIO | None = None) -> None:
        self.out = out or sys.stderr
        self.enabled = self.out.isatty() if enabled is None else enabled
        self.label = label
        self.started = time.monotonic()
        self._last = 0.0
        self._from: float | None = None  # the fraction done when the bar first drew
        self._width = 0  # the length of the line drawn last (a shorter one blanks the rest)

    def update(
        self, fraction: float, detail: str = "", eta_s: float | Literal["own"] | None = "own"
    ) -> None:
        """Redraw for a fraction in [0, 1] (at most 10 times a second).

        ``eta_s``: the time left as the caller knows it (None: not known yet); "own": the
        bar estimates it from the progress made since it first drew, so a run that resumes
        at 26 % is not taken to have done that 26 % in its first seconds.
        """
        if not self.enabled:
            return
        now = time.monotonic()
        fraction = max(0.0, min(1.0, fraction))
        if self._from is None:
            self._from = fraction
        if now - self._last < 0.1 and fraction < 1:
            return
        self._last = now
        elapsed = now - self.started
        eta: float | None
        if eta_s == "own":
            made = fraction - self._from
            eta = elapsed * (1 - fraction) / made if made > 0.001 else None
        else:
            eta = None if eta_s is None else float(eta_s)
        left = "     -" if eta is None else f"{eta:5.0f}s"
        filled = int(fraction * 30)
        bar = "#" * filled + "-" * (30 - filled)
        line = (
            f"\r{self.label} [{bar}] {fraction * 100:5.1f}%  {elapsed:5.0f}s elapsed"
            f"  ETA {left} {detail}"[:160]
        )
        self.out.write(line.ljust(self._width))
        self._width = len(line)
        self.out.flush()

    def close(self) -> None:
        """End the bar's line."""
        if self.enabled:
            self.out.write("\n")
            self.out.flush()
