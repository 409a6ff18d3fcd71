"""Speaker strip benchmark: the cost of one play-head tick on a long session's speaker strips.

During playback the player moves the play head about ten times a second, and both speaker
strips (the workbench's, under the waveform, and the Speakers dock's) repaint each time. This
prints the time to show new turns (``set_turns`` and the first repaint) and the median and worst
synchronous repaint time per tick for a session of N turns (a
3-hour focus group has about 5,000; a session whose timeline comes from 100,000 segments has
100,000), for:
- the workbench strip on the waveform's 30 s window (only the turns in view are looked at),
- the dock's whole-session strip (the spans drawn once into a pixmap, the play head on top),
and, as the peer measured in the same run, the same widget looking at every turn and painting
them all at every tick (no time window, no cached layer), as the dock's strip did before.

Usage: QT_QPA_PLATFORM=offscreen python bench/speaker_strip_bench.py [--turns 5000 100000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QApplication

from gui.speaker_timeline import SpeakerTimeline, Turn
from gui.waveform import WaveformStrip


class EveryTurn(SpeakerTimeline):
    """The peer: looks at every turn and paints every span at every repaint."""

    def turns_between(self, start_ms: int, end_ms: int) -> Iterator[Turn]:
        return iter(self._turns)

    def _spans_layer(self) -> QPixmap:
        layer = QPixmap(self.size())
        layer.fill()
        painter = QPainter(layer)
        self._paint_spans(painter)
        painter.end()
        return layer


def make_turns(n: int, speakers: int = 8) -> tuple[list[Turn], list[str]]:
    rng = random.Random(7)
    labels = [f"Speaker {k + 1}" for k in range(speakers)]
    turns: list[Turn] = []
    t = 0
    for _ in range(n):
        length = rng.randint(400, 3600)
        turns.append((t, t + length, rng.choice(labels)))
        t += length + rng.randint(50, 600)
    return turns, labels


def ticks(strip: SpeakerTimeline, waveform: WaveformStrip | None, duration: int) -> list[float]:
    """Repaint times (ms) for 40 play-head positions spread over the session."""
    out = []
    for k in range(40):
        ms = duration * k // 40
        t0 = time.perf_counter()
        if waveform is not None:
            waveform.set_position(ms)
        strip.set_position(ms)
        strip.repaint()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, nargs="+", default=[5000, 100000])
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    print(f"{'turns':>7}  {'strip':<34} {'new turns':>11} {'tick: median':>9} {'worst':>9}")
    print(f"{'':>7}  {'':<34} {'ms':>11} {'ms':>12} {'ms':>9}")
    for n in args.turns:
        turns, labels = make_turns(n)
        duration = turns[-1][1]
        for name, cls, follow in (
            ("workbench strip (30 s window)", SpeakerTimeline, True),
            ("  peer: every turn", EveryTurn, True),
            ("dock strip (whole session)", SpeakerTimeline, False),
            ("  peer: every turn", EveryTurn, False),
        ):
            waveform = WaveformStrip() if follow else None
            strip = cls.compact() if follow else cls()
            if waveform is not None:
                waveform.set_peaks(waveform._peaks, duration)
                strip.follow(waveform)
            strip.resize(900, strip.height())
            strip.show()
            app.processEvents()
            t0 = time.perf_counter()
            strip.set_turns(turns, labels, duration)
            strip.repaint()
            first = (time.perf_counter() - t0) * 1000
            times = ticks(strip, waveform, duration)
            print(
                f"{n:>7}  {name:<34} {first:>11.1f} "
                f"{statistics.median(times):>9.2f} {max(times):>9.2f}"
            )
            strip.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
