"""A task by keyboard alone: Tab leaves every list and text box of the workbench and walks each
panel as it is read; keys go to the focused widget only (QTest on ``focusWidget()``)."""

from __future__ import annotations

import itertools
from typing import Any

from PySide6.QtCore import QEvent, QRect, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from storage import Project, SegmentDraft


def _session(project: Project) -> str:
    session = project.sessions.add_session("Сұхбат: Әлия Құрманғазы")
    project.transcript.add_segments(
        session.id,
        [
            SegmentDraft(
                i * 2000, i * 2000 + 1800, f"сегмент {i} қазақ тілінде", "S1", language="kk"
            )
            for i in range(4)
        ],
    )
    project.codebook.ensure_code_path("Қызмет/Кезек")
    return session.id


def _tab(times: int) -> list[QWidget]:
    """Tab pressed ``times`` on whatever has the focus: the widgets it went to."""
    went = []
    for _ in range(times):
        focused = QApplication.focusWidget()
        assert focused is not None
        QTest.keyClick(focused, Qt.Key.Key_Tab)
        went.append(QApplication.focusWidget())
    return went


def type_text(widget: QWidget, text: str) -> None:
    """Type ``text`` as a keyboard does (QTest.keyClicks takes only ASCII: a Cyrillic letter
    stopped Qt with an assertion)."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))


def _open(window: Any, project: Project, idle: Any) -> str:
    sid = _session(project)
    window.sessions.reload_sessions()
    window.sessions.open_session(sid)
    idle(window)
    window.activateWindow()
    return sid


def test_tab_leaves_the_sessions_list_the_transcript_and_the_segments_text(
    window: Any, project: Project, idle: Any, qtbot: Any
) -> None:
    """Tab moved from cell to cell of the sessions list and of the transcript and never left
    them, and typed a tab into the segment's words: the keyboard stayed where it was."""
    sid = _open(window, project, idle)
    for start in (window.sessions_view, window.transcript, window.segment_editor):
        start.setFocus()
        qtbot.waitUntil(start.hasFocus)
        went = _tab(3)
        assert went[0] is not start, type(start).__name__
    window.transcript.go_to_row(0)
    window.segment_editor.setFocus()
    before = window.segment_editor.toPlainText()
    _tab(1)
    assert window.segment_editor.toPlainText() == before
    assert "\t" not in project.transcript.segments(sid)[0].text
    # from the transcript, Tab reaches the segment's text below it first
    window.transcript.setFocus()
    assert _tab(1)[0] is window.segment_editor


def _rect(widget: QWidget, panel: QWidget) -> QRect:
    return QRect(widget.mapTo(panel, widget.rect().topLeft()), widget.size())


def _read_out_of_order(panel: QWidget, first: QWidget) -> list[str]:
    """Pairs of controls of ``panel`` Tab takes in another order than they are read (the next
    one lower, or on the same line further right), from ``first`` until it leaves."""
    first.setFocus()
    chain = [first]
    for _ in range(40):
        went = _tab(1)[0]
        if went is None or not panel.isAncestorOf(went) or went in chain:
            break
        chain.append(went)
    wrong = []
    for a, b in itertools.pairwise(chain):
        ra, rb = _rect(a, panel), _rect(b, panel)
        same_line = rb.top() < ra.bottom() and ra.top() < rb.bottom()
        if not (rb.top() >= ra.bottom() - 2 or (same_line and rb.left() > ra.left())):
            wrong.append(f"{type(a).__name__} {ra.getRect()} -> {type(b).__name__} {rb.getRect()}")
    return wrong + ([] if len(chain) > 2 else [f"Tab left at once: {chain}"])


def test_tab_reads_the_codebook_and_the_search_row_in_order(
    window: Any, project: Project, idle: Any, qtbot: Any
) -> None:
    """The codebook's tool bar (over the tree) came after Add link (under it), and Tab went
    from the search box to the language list at the far right, then back to Word forms."""
    _open(window, project, idle)
    codebook = window.codebook
    codebook.select_code(project.codebook.find_code("Қызмет/Кезек").id)
    idle(window)
    assert _read_out_of_order(codebook, codebook.toolbar.buttons[0]) == []
    search = window.search_panel
    window.search_dock.raise_()
    type_text(search.query, "ҚАЗАҚ")  # Kazakh capitals find "қазақ"
    QTest.keyClick(search.query, Qt.Key.Key_Return)
    idle(window)
    assert search.results.count() > 0
    assert _read_out_of_order(search, search.query) == []


def _key(key: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> QWidget:
    """``key`` pressed on the focused widget only; the widget that has the focus after it."""
    focused = QApplication.focusWidget()
    assert focused is not None, "nothing has the focus: the keyboard is lost"
    QTest.keyClick(focused, key, mods)
    now = QApplication.focusWidget()
    assert now is not None
    return now


def test_a_session_read_corrected_coded_and_searched_by_keyboard_alone(
    window: Any, project: Project, idle: Any, qtbot: Any
) -> None:
    """Open a session, move, correct a segment's words, code it whole and code a span, search
    in Kazakh capitals and open a hit: every step by keys sent to the focused widget. Down in
    the search box did nothing (Enter searched again): the hits were four Tabs away."""
    ctrl, shift = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
    sid = _session(project)
    window.sessions.reload_sessions()
    window.editing.reload_codebook()
    idle(window)
    window.activateWindow()
    window.player_bar.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    assert _key(Qt.Key.Key_F6) is window.sessions_view
    window.sessions_view.setCurrentIndex(window.sessions_model.index(0, 0))
    for _ in range(window.sessions_model.rowCount()):
        _key(Qt.Key.Key_Return)
        idle(window)
        if window.transcript.model().rowCount() == 4:
            break
        _key(Qt.Key.Key_Down)
    assert window.transcript.model().rowCount() == 4
    assert _key(Qt.Key.Key_F6) is window.transcript
    _key(Qt.Key.Key_Down)
    assert window.transcript.currentIndex().row() == 1
    editor = window.segment_editor
    assert _key(Qt.Key.Key_E, ctrl) is editor
    _key(Qt.Key.Key_End)
    type_text(editor, " түзетілді")
    assert _key(Qt.Key.Key_Escape) is window.transcript
    idle(window)
    second = project.transcript.segments(sid)[1]
    assert second.text.endswith("түзетілді")
    assert _key(Qt.Key.Key_F6) is window.codebook.tree
    code = project.codebook.find_code("Қызмет/Кезек")
    for _ in range(3):
        if window.codebook.current_code() == code:
            break
        _key(Qt.Key.Key_Down)
    assert window.codebook.current_code() == code
    _key(Qt.Key.Key_Return)  # code the current segment with it
    idle(window)
    assert [(c.segment_id, c.start_cp) for c in project.codebook.codings()] == [(second.id, None)]
    assert _key(Qt.Key.Key_F6, shift) is window.transcript
    assert _key(Qt.Key.Key_E, ctrl) is editor
    _key(Qt.Key.Key_Home)
    for _ in range(len("сегмент")):
        _key(Qt.Key.Key_Right, shift)
    _key(Qt.Key.Key_C, ctrl | shift)  # Code ▸ Code selection with the current code
    idle(window)
    spans = [(c.start_cp, c.end_cp) for c in project.codebook.codings()]
    assert sorted(spans, key=str) == [(0, len("сегмент")), (None, None)]
    search = window.search_panel
    assert _key(Qt.Key.Key_F, ctrl) is search.query
    type_text(search.query, "ТҮЗЕТІЛДІ")
    _key(Qt.Key.Key_Return)
    idle(window)
    assert search.results.count() == 1
    assert _key(Qt.Key.Key_Down) is search.results
    window.transcript.go_to_row(3)
    _key(Qt.Key.Key_Return)
    idle(window)
    assert window.transcript.currentIndex().row() == 1


def test_tab_walks_the_session_details_and_leaves_its_speakers_table(
    window: Any, project: Project, idle: Any
) -> None:
    """Session details: Tab went from a speaker to their participant list and back for ever
    (the rest of the form, and the window, out of the keyboard's reach); the lists came after
    the Retrieval dock, Add participant after the table under it."""
    sid = _session(project)
    project.transcript.add_segments(sid, [SegmentDraft(9000, 9900, "Иә", "S2", "kk")])
    window.sessions.reload_sessions()
    window.sessions.open_session(sid)
    window.docks.show_details()
    idle(window)
    panel = window.docks.session_panel
    assert panel is not None and panel.speakers.rowCount() == 2
    assert _read_out_of_order(panel, panel.title) == []
    add = next(b for b in panel.findChildren(QAbstractButton) if "Add" in b.text())
    panel.speakers.setFocus()
    went = _tab(4)
    assert add in went and panel.participants in went, [type(w).__name__ for w in went]
