"""A long report (an import listing what it could not take) stays on a laptop's screen: the
lines that fit, the whole text under Show Details (gui/chrome.py ``fit_lines``)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QMainWindow, QPushButton

from gui.chrome import WindowChrome

LINE = (
    "  - PictureSource 'Фото поля №{} — кошара у реки, вид с севера.jpg': picture sources are "
    "not supported (1 coded area not imported)."
)


@pytest.mark.parametrize("lines", [45, 12])
def test_a_report_taller_than_the_screen_shows_what_fits_and_the_rest_under_details(
    qtbot: Any, lines: int
) -> None:
    """40 pictures a REFI-QDA import could not take made the report box 2,076 px tall on a
    768 px laptop (1,320 px at 1024x700): the OK button and the end of the report were off
    the screen."""
    window = QMainWindow()
    qtbot.addWidget(window)
    window.resize(700, 500)
    window.show()
    text = "\n".join(["Imported interview.qdpx: 12 sessions.", *map(LINE.format, range(lines))])
    box = WindowChrome(window).report(text)
    qtbot.wait(50)
    area = box.screen().availableGeometry()
    assert area.contains(box.frameGeometry())
    if box.detailedText():  # cut: what is shown starts the report, the whole is in Details
        assert box.detailedText() == text
        shown = box.text().splitlines()
        assert shown[:-1] == text.splitlines()[: len(shown) - 1]
        assert shown[-1].endswith("more lines: Show Details… has them all.")
        details = next(b for b in box.findChildren(QPushButton) if "Details" in b.text())
        details.click()
        qtbot.wait(50)
        assert area.contains(box.frameGeometry())
    else:
        assert box.text() == text
    assert bool(box.detailedText()) == (lines == 45)
    box.close()
