"""The Details dock (Session details) of a focus group at 1024x700 and 1366x768: six speakers
and six participants, every button and cell read whole, Add participant in sight."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QPushButton

from storage import Project, SegmentDraft
from tests.gui.test_laptop_panels import SIZES, _laptop

SPEAKERS = ("Модератор", "Айгерім", "Бақыт", "Чынара", "Данияр", "Эльмира")
ATTRIBUTES = {"age group": "30-39", "gender": "f", "village": "Қарасу"}


@pytest.fixture
def focus_group(tmp_path: Path, speech_wav: Path) -> Iterator[Project]:
    """A focus group: six speakers, eight segments, six participants with three attributes
    each, four of them linked to a speaker."""
    with Project.create(tmp_path / "FG.fieldscribe", name="FG", coder="amina") as p:
        s = p.sessions.import_audio(speech_wav, kind="focus_group", title="Фокус-группа Алматы")
        drafts = [
            SegmentDraft(i * 400, i * 400 + 350, "Очередь большая.", speaker=SPEAKERS[i % 6])
            for i in range(8)
        ]
        p.transcript.add_segments(s.id, drafts)
        for i, label in enumerate(SPEAKERS):
            person = p.sessions.add_participant(f"P{i + 1:02d}", ATTRIBUTES)
            if i < 4:
                p.sessions.map_speaker(s.id, label, person.id)
        yield p


def _reads_whole(button: QAbstractButton) -> bool:
    """The text ``button`` paints fits its width (a ``FitButton`` paints its short label where
    the long one does not fit)."""
    shown = getattr(button, "shown_text", button.text)()
    needed = getattr(button, "width_for", None)
    if needed is not None:
        return button.width() >= needed(shown)
    return button.width() >= button.sizeHint().width()


def _details(qtbot: Any, w: Any) -> tuple[Any, Any]:
    w.docks.show_details()
    panel = w.session_panel
    qtbot.waitUntil(lambda: panel.speakers.rowCount() == 6, timeout=10000)
    qtbot.waitUntil(lambda: panel.participants.rowCount() == 6, timeout=10000)
    qtbot.waitUntil(lambda: not w.runner.busy(), timeout=10000)
    qtbot.wait(100)
    return panel, w.docks.session_panel_dock.widget()


@pytest.mark.parametrize("size", SIZES)
def test_a_focus_group_of_six_reads_whole_in_the_details_dock(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    focus_group: Project,
    size: Any,
    monkeypatch: Any,
) -> None:
    """With six speakers and six participants the form was 750 px in the 534 px dock at
    1024x700 (602 at 1366x768): Add participant lay 740 px down, below the fold, the speakers'
    rows 30 px each and the attributes wrapped onto two lines cut at 'gender=f; ...'. Rows are
    one line, the attributes elided with the whole text in the tooltip, and Add participant sits
    by the Participants heading, in sight; every button and speaker's choice reads whole."""
    w = _laptop(qtbot, qsettings, fake_transcriber, focus_group, size, monkeypatch)
    panel, scroll = _details(qtbot, w)
    room = scroll.viewport().height()
    add = next(b for b in panel.findChildren(QPushButton) if b.text() == "Add participant")
    bottom = add.mapTo(scroll.viewport(), add.rect().bottomLeft()).y()
    assert 0 <= bottom <= room, (bottom, room)
    for button in panel.findChildren(QAbstractButton):
        if button.isVisible():
            assert _reads_whole(button), (button.text(), button.width(), button.sizeHint())
    for label in panel.findChildren(QLabel):
        if label.isVisible() and not label.wordWrap():
            assert label.width() >= label.sizeHint().width(), label.text()
    for table in (panel.speakers, panel.participants):
        assert table.verticalScrollBar().maximum() == 0, table.height()  # every row in sight
        line = table.fontMetrics().lineSpacing()
        assert all(table.rowHeight(r) < 2 * line for r in range(6)), table.rowHeight(0)
    for row in range(6):
        box = panel.speakers.cellWidget(row, 1)
        assert isinstance(box, QComboBox)
        text = box.fontMetrics().horizontalAdvance(box.currentText())
        assert box.width() - 24 >= text, (box.currentText(), box.width())
        cell = panel.participants.item(row, 1)
        assert cell.toolTip() == cell.text() == "age group=30-39; gender=f; village=Қарасу"
    # one scroll to the end shows the participants' table whole
    scroll.verticalScrollBar().setValue(scroll.verticalScrollBar().maximum())
    qtbot.wait(50)
    table = panel.participants
    top = table.mapTo(scroll.viewport(), table.rect().topLeft()).y()
    assert top >= 0 and top + table.height() <= room, (top, table.height(), room)
    assert scroll.verticalScrollBar().maximum() <= room // 2, scroll.verticalScrollBar().maximum()
    w.close()


def test_a_narrowed_details_dock_shows_short_labels_not_cut_ones(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, focus_group: Project, monkeypatch: Any
) -> None:
    """The user narrows the Sessions group to 212 px (the list's own width): the form scrolled
    sideways (24 px) and 'Save session detail' was cut at the dock's edge. Buttons take their
    short labels ('Save', 'Add…'), whole, the long one in their tooltips."""
    w = _laptop(qtbot, qsettings, fake_transcriber, focus_group, (1024, 700), monkeypatch)
    panel, scroll = _details(qtbot, w)
    w.resizeDocks([w.docks.session_panel_dock], [212], Qt.Orientation.Horizontal)
    qtbot.wait(100)
    assert w.docks.session_panel_dock.width() <= 230
    assert scroll.horizontalScrollBar().maximum() == 0  # nothing out of sight sideways
    buttons = [b for b in panel.findChildren(QPushButton) if b.isVisible()]
    assert {b.text() for b in buttons} >= {"Save session details", "Add participant"}
    for button in buttons:
        assert _reads_whole(button), (button.text(), button.width(), button.sizeHint())
        right = button.mapTo(scroll.viewport(), button.rect().topRight()).x()
        assert right < scroll.viewport().width(), (button.text(), right)
        shown = getattr(button, "shown_text", button.text)()
        if shown != button.text():
            assert button.toolTip().startswith(button.text()), button.toolTip()
    w.close()
