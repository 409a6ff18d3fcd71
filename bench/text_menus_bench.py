"""The cost per event of the text-box menus' letters (``gui.text_menus``).

Sends a burst of mouse moves and paints to a plain widget of a window with a line box and a
text box in it, three ways in the same run: no letters at all, the letters' filter installed
on the whole application (as it was: every event of every object went through its Python
``eventFilter``), and the letters as the app now gives them (a text box's menu lettered as it
takes the focus, a filter on that menu alone while it shows). Prints microseconds per event,
best of five bursts.

Usage: QT_QPA_PLATFORM=offscreen python bench/text_menus_bench.py [--events N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget


def burst(app: QApplication, target: QWidget, events: int) -> float:
    """Microseconds per event: ``events`` mouse moves, one repaint every tenth."""
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for i in range(events):
            at = QPointF(i % 50, 5)
            move = QMouseEvent(
                QEvent.Type.MouseMove,
                at,
                at,
                Qt.MouseButton.NoButton,
                Qt.MouseButton.NoButton,
                Qt.KeyboardModifier.NoModifier,
            )
            app.sendEvent(target, move)
            if i % 10 == 0:
                target.repaint()
        best = min(best, time.perf_counter() - start)
    return best / events * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    from gui.text_menus import TextBoxMenuLetters, letter_text_box_menus

    window = QWidget()
    layout = QVBoxLayout(window)
    target = QWidget()
    target.setMouseTracking(True)
    target.setMinimumSize(200, 100)
    for widget in (QLineEdit(), QPlainTextEdit(), target):
        layout.addWidget(widget)
    window.show()
    app.processEvents()
    bare = burst(app, target, args.events)
    app_wide = TextBoxMenuLetters()
    app.installEventFilter(app_wide)
    app_filter = burst(app, target, args.events)
    app.removeEventFilter(app_wide)
    letters = letter_text_box_menus(app)
    app.processEvents()
    now = burst(app, target, args.events)
    print(f"events per burst: {args.events:,} (mouse moves, a repaint every tenth)")
    print(f"no letters:                        {bare:6.2f} us/event")
    print(f"filter on the application (peer):  {app_filter:6.2f} us/event")
    print(f"letters on focus (now):            {now:6.2f} us/event")
    del letters


if __name__ == "__main__":
    main()
