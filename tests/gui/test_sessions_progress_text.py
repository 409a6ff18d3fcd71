"""The Sessions list's running transcription: its "32 % · 1:15 left" is never on the bar."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QColor, QPalette

from gui.models.sessions import STATUS_COL, LiveStatus, SessionTableModel
from gui.select_row import select_row
from gui.sessions_view import LiveStatusDelegate, SessionsView
from storage.core.models import Session


def _luminance(c: QColor) -> float:
    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())


def _contrast(a: QColor, b: QColor) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("width", [212, 256, 325])  # the list at 1024x700, 1366x768, wider
def test_the_progress_text_never_sits_on_the_fill(qtbot: Any, width: int) -> None:
    """At 1366x768 the status cell drew "32 %" on the blue fill of its bar, light on blue
    and cut through the "%": it read like "82 %". The text keeps the row's colours and the
    bar runs below it: no row of pixels holds both the fill and a letter, the letters have
    the list's contrast against what is under them, and the fill is 32 % of the bar."""
    model = SessionTableModel()
    model.load(
        [
            Session(sid, title, "focus_group", "2026-03-02", None, None, None, "transcribing",
                    "ana", "2026-03-02T10:00:00", "2026-03-02T10:00:00", 40_000, 5, 0)
            for sid, title in (("s1", "FG Almaty, polyclinic 3"), ("s2", "Interview"))
        ]
    )  # fmt: skip
    view = SessionsView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(width, 200)
    view.show()
    model.set_live("s1", LiveStatus(0.32, 75))
    model.set_live("s2", LiveStatus(0.82, 75))
    view.fit_columns()
    select_row(view, 1)  # s2 selected: its text and bar on the selection colour
    qtbot.wait(20)
    image = view.viewport().grab().toImage()
    palette = view.palette()
    fill = palette.color(QPalette.ColorRole.Highlight)
    background = palette.color(QPalette.ColorRole.Base)
    rect = view.visualRect(model.index(0, STATUS_COL)).adjusted(1, 1, -1, -1)

    def is_fill(c: QColor) -> bool:  # the bar's blue, whatever shade the style gives it
        return c.hslSaturation() > 90 and abs(c.hslHue() - fill.hslHue()) < 25

    fill_rows: dict[int, int] = {}
    text_rows: set[int] = set()
    darkest = background
    for y in range(rect.top(), rect.bottom() + 1):
        for x in range(rect.left(), rect.right() + 1):
            c = image.pixelColor(x, y)
            if is_fill(c):
                fill_rows[y] = fill_rows.get(y, 0) + 1
            elif c.lightness() < 110:  # a letter's dark pixels (the list's text colour)
                text_rows.add(y)
                darkest = c if c.lightness() < darkest.lightness() else darkest
    assert text_rows and fill_rows, (text_rows, fill_rows)
    assert not text_rows & set(fill_rows), sorted(text_rows & set(fill_rows))
    assert max(text_rows) < min(fill_rows)  # the text above, the bar below
    assert _contrast(darkest, background) >= 7
    filled = max(fill_rows.values())
    assert abs(filled - 0.32 * (rect.width() - 4)) <= 4, (filled, rect.width())
    # the selected row: its bar shows on the selection colour too
    sel = view.visualRect(model.index(1, STATUS_COL))
    bar = LiveStatusDelegate.bar_rect(sel)
    inked = {image.pixelColor(x, bar.center().y()).name() for x in range(bar.left(), bar.right())}
    assert palette.color(QPalette.ColorRole.HighlightedText).name() in inked, inked
    assert len(inked) >= 2  # done and to do are told apart


def test_the_status_tooltip_says_how_many_are_coded_once() -> None:
    """Walkthrough (mixed-real-kk, two segments coded): hovering its status, "2 coded", showed
    "Transcribed · 2 coded (2 segments coded)"."""
    from PySide6.QtCore import Qt

    model = SessionTableModel()
    model.load(
        [
            Session("s1", "mixed-real-kk", "focus_group", "2026-12-07", None, None, None,
                    "transcribed", "ana", "2026-12-07T05:35:11", "2026-12-07T05:35:11", 58_381,
                    11, 2)
        ]
    )  # fmt: skip
    cell = model.index(0, STATUS_COL)
    assert cell.data() == "2 coded"
    tip = cell.data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Transcribed · 2 segments coded\n"), tip
    # running: the live status, then how many are coded
    model.set_live("s1", LiveStatus(0.42, 75.0))
    tip = cell.data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Transcribing: 42 % · 1:15 left (2 segments coded)\n"), tip
