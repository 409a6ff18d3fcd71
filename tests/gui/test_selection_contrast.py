"""Text on a selection, a badge or a tint reads at WCAG AA (4.5:1).

Fusion's selection blue (#308cc6) under white text read 3.7:1; the app now darkens it
(``gui.contrast.readable_palette``, applied by ``gui.app.configure``). The places that paint
their own colours with text on them are measured with the same helper: code names in the
transcript's margin, coded spans tinted over the row or the selection, the amber of speech
without transcript, the analysis tables' shaded cells and the language badges.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionViewItem

from analysis.table import Header, Table
from gui.analysis.models import CodeTableModel, shade
from gui.app import run_app
from gui.contrast import TEXT_CONTRAST, contrast_ratio, readable_palette
from gui.languages import _BADGE_COLOURS, _OTHER_COLOURS, badge_colour
from gui.models.segments import PLACEHOLDER_BACKGROUND, PLACEHOLDER_COLOUR
from gui.transcript_delegates import CodeMarginDelegate, TextDelegate
from storage.codebook.codebook import PALETTE

Role, Group = QPalette.ColorRole, QPalette.ColorGroup


def test_contrast_ratio_is_wcag_s() -> None:
    assert contrast_ratio(QColor("black"), QColor("white")) == pytest.approx(21.0)
    assert contrast_ratio(QColor("#777777"), QColor("white")) == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio(QColor("#308cc6"), QColor("white")) == pytest.approx(3.69, abs=0.01)


def test_the_app_selection_is_readable_and_still_blue(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch, private_dirs: Any
) -> None:
    """The palette the app runs with (``run_app``), from the style's own."""
    standard = qapp.style().standardPalette()
    before = qapp.palette()
    qapp.setPalette(standard)
    seen: dict[str, QPalette] = {}

    def fake_exec(_app: Any = None) -> int:  # instead of the event loop: look, then close
        seen["palette"] = QApplication.palette()
        for w in QApplication.topLevelWidgets():
            if w.isVisible():
                w.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", fake_exec)
    monkeypatch.setattr("gui.onboarding.first_start", lambda *_a: None)
    try:
        assert run_app([]) == 0
    finally:
        qapp.setPalette(before)
    palette = seen["palette"]
    for group in (Group.Active, Group.Inactive):
        fill = palette.color(group, Role.Highlight)
        text = palette.color(group, Role.HighlightedText)
        assert contrast_ratio(fill, text) >= TEXT_CONTRAST, (group, fill.name())
        was = standard.color(group, Role.Highlight)
        assert abs(fill.hsvHue() - was.hsvHue()) <= 3  # the same blue, darker
        assert fill.hsvSaturation() >= was.hsvSaturation() - 10
        assert contrast_ratio(fill, was) < 1.5  # not a different colour altogether
    # a palette that passes already (a dark theme) is left as it is
    dark = QPalette(standard)
    dark.setColor(Role.Highlight, QColor("#1a4f80"))
    assert readable_palette(dark).color(Role.Highlight) == QColor("#1a4f80")


def _option(palette: QPalette, *, selected: bool, background: QColor | None = None) -> Any:
    opt = QStyleOptionViewItem()
    opt.palette = palette
    if selected:
        opt.state |= QStyle.StateFlag.State_Selected
    if background is not None:
        opt.backgroundBrush = background
    return opt


def test_code_names_in_the_margin_read_on_the_row_and_the_selection(qapp: QApplication) -> None:
    palette = readable_palette(qapp.style().standardPalette())
    for colour in PALETTE:
        for selected, under in ((False, Role.Base), (True, Role.Highlight)):
            opt = _option(palette, selected=selected)
            ink = CodeMarginDelegate.name_colour(opt, QColor(colour), selected=selected)
            ratio = contrast_ratio(ink, palette.color(under))
            assert ratio >= TEXT_CONTRAST, (colour, selected, ink.name(), round(ratio, 2))


def test_coded_spans_tinted_on_any_row_keep_the_text_readable(qapp: QApplication) -> None:
    palette = readable_palette(qapp.style().standardPalette())
    rows = [
        (_option(palette, selected=True), palette.color(Role.HighlightedText)),
        (_option(palette, selected=False), palette.color(Role.Text)),
        (_option(palette, selected=False, background=QColor(255, 236, 160)), QColor("black")),
    ]
    for colour in PALETTE:
        for opt, ink in rows:
            fill = TextDelegate.span_background(opt, QColor(colour))
            assert fill.alpha() == 255
            ratio = contrast_ratio(fill, ink)
            assert ratio >= TEXT_CONTRAST, (colour, fill.name(), round(ratio, 2))
            assert fill != opt.palette.color(Role.Highlight)  # still tinted: the span shows


def test_the_amber_of_speech_without_transcript_reads() -> None:
    """On its row's background in the transcript, and on the sessions list's white."""
    assert contrast_ratio(PLACEHOLDER_COLOUR, PLACEHOLDER_BACKGROUND) >= TEXT_CONTRAST
    assert contrast_ratio(PLACEHOLDER_COLOUR, QColor("white")) >= TEXT_CONTRAST


def test_shaded_analysis_cells_have_readable_numbers() -> None:
    n = 20
    table = Table(
        "matrix",
        "segments",
        [Header(f"c{i}", f"Code {i}") for i in range(n + 1)],
        [Header("s", "Session")],
        [[i] for i in range(n + 1)],
    )
    model = CodeTableModel()
    model.set_table(table)
    for display in ("shaded", "symbols"):
        model.set_options(display=display)
        for row in range(1, model.rowCount()):
            index = model.index(row, 0)
            fill = model.data(index, Qt.ItemDataRole.BackgroundRole).color()
            brush = model.data(index, Qt.ItemDataRole.ForegroundRole)
            ink = brush.color() if brush is not None else QColor("black")
            ratio = contrast_ratio(fill, ink)
            assert ratio >= TEXT_CONTRAST, (display, row, fill.name(), ink.name(), round(ratio, 2))
    assert shade(0.0) == QColor("white")


def test_language_badges_read_under_their_white_letters() -> None:
    colours = [QColor(c) for c in (*_BADGE_COLOURS.values(), *_OTHER_COLOURS)]
    colours += [badge_colour(code) for code in ("ru", "kk", "en", "de", "uz", "ky", "tr")]
    for colour in colours:
        assert contrast_ratio(colour, QColor("white")) >= TEXT_CONTRAST, colour.name()
