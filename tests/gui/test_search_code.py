"""Search and code: the hits of a search, in several sessions, coded in one undoable step."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from gui.ask_dialog import AskDialog
from storage import Project


@pytest.fixture
def texts(project: Project) -> dict[str, str]:
    ids = {}
    for title, lines in (
        ("Алматы", ["Жұмыс таппадым, қалаға көштім", "The salary was too low"]),
        ("Шымкент", ["Қазақстанда жұмыс көп емес", "Деньги нужны для семьи"]),
    ):
        sid = project.sessions.add_session(title).id
        for i, text in enumerate(lines):
            ids[text] = project.transcript.add_segment(sid, i * 1000, i * 1000 + 900, text).id
    project.codebook.add_code("Migration")
    project.codebook.add_code("Жұмыс")
    return ids


def test_search_hits_are_coded_in_one_step_and_undone(
    texts: dict[str, str], window: Any, qtbot: Any, idle: Any, monkeypatch: Any
) -> None:
    """The Search dock found 'жұмыс' in two sessions, but nothing coded what it found (only
    `fieldscribe autocode` did): each hit had to be opened and coded by hand."""
    idle(window)
    panel = window.search_panel
    assert not panel.code_button.isVisibleTo(panel)
    panel.query.setText("жұмыс")
    qtbot.keyClick(panel.query, Qt.Key.Key_Return)
    idle(window)
    assert panel.results.count() == 2 and panel.code_button.isVisibleTo(panel)
    asked: list[tuple[str, list[str]]] = []

    def pick(_parent: Any, _title: str, label: str, _text: str, items: list[str], **_k: Any):
        asked.append((label, items))
        return "Жұмыс", True

    monkeypatch.setattr(AskDialog, "ask", staticmethod(pick))
    panel.code_button.click()
    idle(window)
    code = window.project.codebook.find_code("Жұмыс")
    assert code is not None and "2 segments" in asked[0][0] and "Migration" in asked[0][1]
    coded = {c.segment_id for c in window.project.codebook.codings(code_id=code.id)}
    want = {texts["Жұмыс таппадым, қалаға көштім"], texts["Қазақстанда жұмыс көп емес"]}
    assert coded == want
    window.undo_stack.undo()
    idle(window)
    assert window.project.codebook.codings(code_id=code.id) == []
    # the selected hits only
    panel.results.item(1).setSelected(True)
    panel.code_button.click()
    idle(window)
    coded = {c.segment_id for c in window.project.codebook.codings(code_id=code.id)}
    assert coded == {panel.results.item(1).data(Qt.ItemDataRole.UserRole + 1).segment_id}


@pytest.fixture
def series(project: Project) -> tuple[str, str]:
    """A session whose 510 segments say "данных" (and one that does not), and a code."""
    from storage import SegmentDraft

    sid = project.sessions.add_session("Фокус-группа 1").id
    project.transcript.add_segments(
        sid, [SegmentDraft(i * 1000, i * 1000 + 900, f"Хранение данных {i}") for i in range(510)]
    )
    project.transcript.add_segment(sid, 600_000, 600_900, "Без совпадения")
    return sid, project.codebook.add_code("Данные").id


def test_a_search_that_finds_more_than_it_lists_says_how_many_it_found(
    project: Project,
    series: tuple[str, str],
    window: Any,
    qtbot: Any,
    idle: Any,
    monkeypatch: Any,
) -> None:
    """On a focus-group series a common word was in 4,500 segments; the dock listed the best
    500 and said "500 segments found", and Code hits… coded those 500 as if they were all (its
    tooltip then sent the user to the command line's autocode for the rest). Now it codes every
    segment found, or the hits selected."""
    sid, code_id = series
    idle(window)
    panel = window.search_panel
    panel.query.setText("ДАННЫХ")
    qtbot.keyClick(panel.query, Qt.Key.Key_Return)
    idle(window)
    assert panel.results.count() == 500
    assert panel.info.text() == "500 of 510 segments found"
    assert "codes all 510" in panel.info.toolTip()
    asked: list[str] = []

    def pick(_parent: Any, _title: str, label: str, _text: str, items: list[str], **_k: Any):
        asked.append(label)
        return "Данные", True

    monkeypatch.setattr(AskDialog, "ask", staticmethod(pick))
    panel.code_button.click()
    idle(window)
    coded = {c.segment_id for c in project.codebook.codings(code_id=code_id)}
    found = {s.id for s in project.transcript.segments(sid) if "данных" in s.text}
    assert asked == ["Code 510 segments found with:"] and coded == found and len(found) == 510
    window.undo_stack.undo()
    idle(window)
    panel.results.item(3).setSelected(True)  # a hit selected: only it
    panel.code_button.click()
    idle(window)
    coded = {c.segment_id for c in project.codebook.codings(code_id=code_id)}
    assert coded == {panel.results.item(3).data(Qt.ItemDataRole.UserRole + 1).segment_id}
    panel.query.setText("данных 7")  # fewer found: all listed, nothing more said
    qtbot.keyClick(panel.query, Qt.Key.Key_Return)
    idle(window)
    assert panel.info.text() == "1 segment found"
    assert panel.info.toolTip() == ""


def test_code_hits_says_how_many_were_found_coded_and_coded_already(
    texts: dict[str, str], window: Any, qtbot: Any, idle: Any, monkeypatch: Any
) -> None:
    """Code hits… coded what a search found and said nothing: with one of the two hits coded
    before, the codebook's count rose by one and nothing told why (the undo step read "Code 2
    search hits")."""
    code = window.project.codebook.find_code("Жұмыс")
    window.project.codebook.apply_code(texts["Қазақстанда жұмыс көп емес"], code.id)
    idle(window)
    panel = window.search_panel
    panel.query.setText("жұмыс")
    qtbot.keyClick(panel.query, Qt.Key.Key_Return)
    idle(window)
    monkeypatch.setattr(AskDialog, "ask", staticmethod(lambda *_a, **_k: ("Жұмыс", True)))
    panel.code_button.click()
    idle(window)
    said = "Found 2 segments: coded 1 with 'Жұмыс', 1 had it already."
    assert window.statusBar().currentMessage() == said
    window.undo_stack.undo()
    idle(window)
    assert window.statusBar().currentMessage() == f"Undone: {said}"
    assert len(window.project.codebook.codings(code_id=code.id)) == 1
