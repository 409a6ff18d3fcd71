"""The Ethics dock's tabs and the recording markers list read whole in the 290 px dock of a
1024x700 screen: nothing scrolls sideways; narrow columns wrap, and a cell's whole text is in
its tooltip."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QTableWidget

from gui.fit import CELL_PADDING_PX, MAX_LINES, wrapped
from storage import Project
from storage.recordings.recording import RecordingMarker
from tests.gui.test_laptop_fit import _window, project  # noqa: F401  (the fixture)

DOCK_PX = 290  # the Ethics dock's width at 1024x700 (a walkthrough)


def _shot(tmp_path: Path, name: str) -> str:
    return str(Path(os.environ.get("FIELDSCRIBE_SHOTS", tmp_path)) / name)


def _lines(layout: Any, text: str) -> list[str]:
    """The lines a ``QTextLayout`` broke ``text`` into."""
    lines = [layout.lineAt(i) for i in range(layout.lineCount())]
    return [text[line.textStart() : line.textStart() + line.textLength()] for line in lines]


def test_narrow_cells_wrap_at_spaces_and_break_only_a_word_too_long(qapp: Any) -> None:
    """Qt's TextWrapAnywhere filled each line to its end and broke whatever word was there."""
    from PySide6.QtGui import QFont, QFontMetrics

    font = QFont()
    metrics = QFontMetrics(font)
    text = "hidden in exports"
    layout, tall = wrapped(text, font, metrics.horizontalAdvance("exports") + 2)
    assert [line.strip() for line in _lines(layout, text)] == ["hidden", "in", "exports"]
    assert tall >= 3 * metrics.height()
    word = "поликлинике"  # alone wider than its column: broken inside, nothing lost
    layout, _tall = wrapped(f"в {word}", font, metrics.horizontalAdvance(word) // 2)
    lines = [line.strip() for line in _lines(layout, f"в {word}")]
    assert lines[0] == "в" and "".join(lines[1:]) == word and len(lines) >= 3
    layout, _tall = wrapped("one\ntwo", font, 500)  # a line end stays one
    assert layout.lineCount() == 2


def _sideways(view: QAbstractItemView) -> int:
    """How far the view scrolls sideways (0: it reads whole in its width)."""
    if isinstance(view, QTableWidget):
        header = view.horizontalHeader()
        used = sum(header.sectionSize(c) for c in range(view.columnCount()))
        return max(view.horizontalScrollBar().maximum(), used - view.viewport().width())
    return view.horizontalScrollBar().maximum()


@pytest.mark.parametrize("size", [(1024, 700), (1366, 768)])
def test_ethics_tabs_read_whole_in_the_dock(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    project: Project,  # noqa: F811
    idle: Any,
    tmp_path: Path,
    size: Any,
) -> None:
    """The Redactions tab's "Where" column, the consent records' eight columns and the audit
    log's ids were past the dock's right edge: one had to scroll sideways to read them."""
    (session,) = project.sessions.all()
    segs = project.transcript.segments(session.id)
    project.redactions.redact(segs[0].id, 4, 17, "place")
    project.redactions.redact(segs[1].id, 0, 8, None)
    person = project.sessions.add_participant("Айгерім К.")
    project.privacy.set_consent(
        person.id, session.id, recording=True, transcription=True, date="2026-03-02",
        form_ref="forms/aigerim-2026-03-02.pdf",
    )  # fmt: skip
    w = _window(qtbot, qsettings, fake_transcriber, project, size)
    idle(w)
    w.resize(*size)
    panel = w.extra_panels.show_privacy(2)
    dock = w.extra_panels.docks["privacy"]
    w.resizeDocks([dock], [DOCK_PX], Qt.Orientation.Horizontal)
    qtbot.wait(100)
    idle(w)
    assert abs(dock.width() - DOCK_PX) < 20
    # every tab shows whole in the bar, none behind scroll arrows (Audit log was), and its
    # tooltip names it in full
    bar = panel.tabBar()
    for i, name in enumerate(["Consent", "Pseudonyms", "Redactions", "Audit log"]):
        assert bar.rect().contains(bar.tabRect(i)), (bar.tabText(i), bar.tabRect(i), bar.width())
        assert bar.tabRect(i).width() >= bar.tabSizeHint(i).width(), bar.tabText(i)  # not elided
        assert panel.tabToolTip(i).startswith(name)
    for i in range(panel.count()):
        panel.setCurrentIndex(i)
        qtbot.wait(50)
        dock.grab().save(_shot(tmp_path, f"ethics_{size[0]}_{i}.png"))
        views = panel.widget(i).findChildren(QAbstractItemView)
        for view in (v for v in views if v.isVisible() and isinstance(v, QTableWidget)):
            assert _sideways(view) <= 0, (panel.tabText(i), _sideways(view))
    # the columns of short words (who, what) read whole; ids and long places take the rest
    audit = panel.audit.table
    for row in range(audit.rowCount()):
        for col in (1, 2):  # Who, Action: "aigerim", "redact" were cut into "aigeri|m"
            room = audit.columnWidth(col) - CELL_PADDING_PX - 1
            assert wrapped(audit.item(row, col).text(), audit.font(), room)[0].lineCount() == 1
    # what a narrow column cuts off is in the tooltip: the redaction's place, whole
    table = panel.redactions.table
    where = table.item(0, 3)
    assert where.text().startswith("Фокус-группа Алматы · ")
    assert where.toolTip().startswith(where.text())
    # the words wrap onto a second line rather than leaving the dock, inside a word too
    # long for its column: each redaction's cells are drawn whole

    assert table.rowHeight(0) > table.fontMetrics().lineSpacing() * 1.5
    for row in range(table.rowCount()):
        for col in range(table.columnCount()):
            room = table.columnWidth(col) - CELL_PADDING_PX
            text = table.item(row, col).text()
            layout, tall = wrapped(text, table.font(), room)
            cut = MAX_LINES * table.fontMetrics().lineSpacing()  # the tooltip has it whole
            assert min(tall, cut) <= table.rowHeight(row), (row, col, text)
            # a word is broken only when it alone is wider than the column ("hidden in
            # expo|rts" was broken at the line's end)
            lines = _lines(layout, text)
            assert "".join(lines) == text
            for word in text.split():
                if wrapped(word, table.font(), room)[0].lineCount() == 1:
                    assert any(word in line for line in lines), (word, lines, room)


def test_recording_markers_wrap_in_the_dock(qtbot: Any, project: Project) -> None:  # noqa: F811
    """A marker with a note ran past the Record dock's edge (the list scrolled sideways)."""
    from gui.record_panel import RecordPanel

    panel = RecordPanel(project)
    qtbot.addWidget(panel)
    panel.resize(DOCK_PX, 600)
    panel.show()
    qtbot.waitExposed(panel)
    note = "the participant from Almaty talks about queues at the polyclinic, then the doctors"
    panel._on_marker(RecordingMarker(83_000, "Q3 Access to services", note))
    panel._on_marker(RecordingMarker(95_000, "marker", ""))
    qtbot.wait(50)
    markers = panel.marker_list
    assert _sideways(markers) == 0
    first = markers.item(0)
    assert first.toolTip() == f"01:23  Q3 Access to services — {note}"
    assert markers.visualItemRect(first).height() > markers.fontMetrics().lineSpacing() * 1.5


def test_ethics_tabs_scroll_in_a_short_dock(qtbot: Any, project: Project) -> None:  # noqa: F811
    """The Ethics tab beside a tall bottom panel at 1024x700 is about 300 px high: the consent
    form's eight rows were crushed into each other (combos over their labels). Each row keeps
    its height; the tab scrolls to the rest."""
    from itertools import pairwise

    from PySide6.QtWidgets import QComboBox, QLineEdit

    from gui.privacy_panel import PrivacyPanel

    panel = PrivacyPanel(project)
    qtbot.addWidget(panel)
    hint = panel.minimumSizeHint()  # as ExtraPanels._dock lowers it for a laptop
    panel.setMinimumSize(min(hint.width(), 320), min(hint.height(), 200))
    panel.resize(DOCK_PX, 300)
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.height() == 300
    fields = panel.consent.findChildren(QComboBox) + panel.consent.findChildren(QLineEdit)
    assert len(fields) >= 8
    for field in fields:
        assert field.height() >= field.sizeHint().height(), field
    tops = sorted(f.mapTo(panel.consent, f.rect().topLeft()).y() for f in fields)
    assert all(b - a >= fields[0].sizeHint().height() for a, b in pairwise(tops))


def test_the_occurrences_context_reads_first_in_the_dock(qtbot: Any, project: Project) -> None:  # noqa: F811
    """At 290 px the pseudonym review's Context column (what the reviewer reads to tell whether
    it is this person) was 58 px, a word a line and cut, while Replace and Change took the rest;
    now its words are whole, and a check box's label starts after the box, not under it."""
    from PySide6.QtWidgets import QStyleOptionViewItem

    from gui.fit import WrapDelegate
    from gui.privacy_panel import PrivacyPanel
    from storage import SegmentDraft

    (session,) = project.sessions.all()
    text = "Айгерім сказала, что Айгерімге очередь в поликлинике не нравится."
    project.transcript.add_segments(session.id, [SegmentDraft(4000, 6000, text, language="ru")])
    project.privacy.set_pseudonym("Айгерім", "P01")
    panel = PrivacyPanel(project)
    qtbot.addWidget(panel)
    panel.resize(DOCK_PX - 4, 560)
    panel.show()
    panel.setCurrentIndex(1)
    tab = panel.pseudonyms
    tab.load_candidates()
    qtbot.wait(50)
    table = tab.candidates
    assert table.rowCount() >= 2
    for row in range(table.rowCount()):
        for col in (1, 2):  # Change, Context: no word broken (the context's was)
            item = table.item(row, col)
            room = table.columnWidth(col) - CELL_PADDING_PX - 1
            for word in item.text().split():
                assert wrapped(word, table.font(), room)[0].lineCount() == 1, (word, room)
    delegate = table.itemDelegate()
    assert isinstance(delegate, WrapDelegate)
    option = QStyleOptionViewItem()
    option.initFrom(table)
    option.rect = table.visualRect(table.model().index(0, 0))
    delegate.initStyleOption(option, table.model().index(0, 0))
    assert option.features & QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    indicator = table.style().pixelMetric(table.style().PixelMetric.PM_IndicatorWidth)
    assert delegate._text_rect(option).left() >= option.rect.left() + indicator
