"""The consent question before an export: it says what is unknown and where to fix it, offers
Link speakers… and "don't ask again" for unknown consent (kept in the project), and still asks
every time about a participant who refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

import gui.consent
from storage import Project
from tests.gui.test_exchange_menu import _options, _seed
from tests.gui.test_team_menu import _action, _answer_files

REAL_ASK = gui.consent.ask  # the conftest answers it through QMessageBox.question
EXPORT = "Export this transcript (txt, docx, srt, vtt, json)…"


class Box:
    """Answers the real consent box: records its text and whether it offered "don't ask again"
    and Link speakers…, ticks the box when told, clicks the button named."""

    def __init__(self, click: str, *, tick: bool = False) -> None:
        self.click, self.tick = click, tick
        self.seen: list[tuple[str, bool, list[str]]] = []

    def __call__(self, box: QMessageBox) -> int:
        names = [b.text() for b in box.buttons()]
        self.seen.append((box.text(), box.checkBox() is not None, names))
        if self.tick and box.checkBox() is not None:
            box.checkBox().setChecked(True)
        next(b for b in box.buttons() if self.click in b.text()).click()
        return 0


@pytest.fixture
def seeded(window: Any, idle: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    sid = _seed(window.project)
    window.sessions.reload_sessions()
    window.sessions.open_segment_session(sid)
    idle(window)
    monkeypatch.setattr(gui.consent, "ask", REAL_ASK)
    _options(monkeypatch)
    return window


def _export(w: Any, idle: Any, monkeypatch: pytest.MonkeyPatch, out: Path, box: Box) -> None:
    monkeypatch.setattr(QMessageBox, "exec", lambda self: box(self))
    _answer_files(monkeypatch, getSaveFileName=out)
    _action(w, "&File", EXPORT).trigger()
    idle(w)


def test_unknown_consent_can_be_not_asked_again_until_it_changes(
    seeded: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every export asked about the speaker S1, not linked to a participant: the question says
    so plainly, names Session details, and "don't ask again" keeps quiet for this session's
    exports (in the project) until its speakers or consent change; a refusal is asked about on
    every export, with no way to silence it."""
    w = seeded
    project: Project = w.project
    sid = project.sessions.all()[0].id
    box = Box("Export anyway", tick=True)
    _export(w, idle, monkeypatch, tmp_path / "1.txt", box)
    assert (tmp_path / "1.txt").is_file()
    ((text, can_remember, buttons),) = box.seen
    assert "S1" in text and "not linked to a participant" in text, text
    assert "Session details" in text and can_remember
    assert "Link speakers…" in buttons
    # not asked again, the choice kept in the project (not in the user's settings)
    box = Box("Export anyway")
    for name in ("2.txt", "3.srt"):
        _export(w, idle, monkeypatch, tmp_path / name, box)
        assert (tmp_path / name).is_file()
    assert box.seen == []
    assert project.consent_notes.is_acknowledged(sid, "export")
    assert not any("consent" in key.lower() for key in w.settings.q.allKeys())
    # something changed: S1 is linked to a participant whose consent is not recorded
    person = project.sessions.add_participant("P01")
    project.sessions.map_speaker(sid, "S1", person.id)
    box = Box("Export anyway")
    _export(w, idle, monkeypatch, tmp_path / "4.txt", box)
    ((text, _r, _b),) = box.seen
    assert "P01: no consent to transcription and quotation is recorded" in text, text
    # a refusal: asked on every export, no "don't ask again"
    project.consent.set_consent(person.id, sid, transcription=True, quotation=False)
    for name in ("5.txt", "6.txt"):
        box = Box("Cancel", tick=True)
        _export(w, idle, monkeypatch, tmp_path / name, box)
        ((text, can_remember, _b),) = box.seen
        assert "P01 refused quotation" in text and not can_remember, text
        assert not (tmp_path / name).exists()


def test_link_speakers_opens_the_session_details_of_that_session(
    seeded: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = seeded
    box = Box("Link speakers…")
    _export(w, idle, monkeypatch, tmp_path / "t.txt", box)
    assert len(box.seen) == 1
    assert not (tmp_path / "t.txt").exists()  # the export waits for the speakers
    panel = w.docks.session_panel
    assert not panel.visibleRegion().isEmpty()  # Session details in front
    assert panel.speakers.rowCount() == 1 and panel.speakers.item(0, 0).text() == "S1"


def test_link_speakers_from_the_retrieval_export(
    seeded: Any, qtbot: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Retrieval's Export CSV… asks the same question; its Link speakers… shows Session
    details too (it offered no way there)."""
    w = seeded
    code = w.project.codebook.find_code("Services/Health")
    w.editing.reload_codebook()
    idle(w)
    w.docks.retrieve_code(code.id)
    idle(w)
    qtbot.waitUntil(lambda: w.retrieval.model.rowCount() == 2)
    box = Box("Link speakers…")
    monkeypatch.setattr(QMessageBox, "exec", lambda self: box(self))
    out = tmp_path / "r.csv"
    w.retrieval._export(str(out))
    idle(w)
    assert len(box.seen) == 1 and "Link speakers…" in box.seen[0][2]
    assert not out.exists()
    assert not w.docks.session_panel.visibleRegion().isEmpty()


def test_a_speaker_is_linked_to_a_new_participant_from_session_details(
    seeded: Any, qtbot: Any, idle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Link speakers… led to Session details, where a speaker's participant could only be
    chosen among participants already added: none, for a new researcher. New participant…
    in the speaker's list asks a pseudonym and links the speaker to them; Cancel changes
    nothing."""
    from gui.ask_dialog import AskDialog

    w = seeded
    project: Project = w.project
    sid = project.sessions.all()[0].id
    w.docks.show_details()
    panel = w.docks.session_panel
    qtbot.waitUntil(lambda: panel.speakers.rowCount() == 1)
    box = panel.speakers.cellWidget(0, 1)
    asked: list[str] = []

    def answer(reply: tuple[str, bool]) -> Any:
        def get_text(_parent: Any, _title: str, label: str, text: str = "", **_k: Any) -> Any:
            asked.append(f"{label} [{text}]")
            return reply

        return staticmethod(get_text)

    monkeypatch.setattr(AskDialog, "ask", answer(("", False)))
    box.setCurrentIndex(box.findText("New participant…"))
    idle(w)
    assert box.currentText() == "—" and project.sessions.participants() == []
    monkeypatch.setattr(AskDialog, "ask", answer(("P07", True)))
    box.setCurrentIndex(box.findText("New participant…"))
    idle(w)
    assert "S1" in asked[-1] and "[P01]" in asked[-1]  # a pseudonym is suggested
    (person,) = project.sessions.participants()
    assert person.pseudonym == "P07"
    assert [(s.label, s.participant_id) for s in project.sessions.session_speakers(sid)] == [
        ("S1", person.id)
    ]
    # consent is no longer unknown for S1: it is P07's, not recorded yet
    problems = project.consent.consent_problems(sid, "export")
    assert [(p.pseudonym, p.participant_id) for p in problems] == [("P07", person.id)]
    w.undo_stack.undo()  # Edit ▸ Undo takes the link back
    idle(w)
    assert [s.participant_id for s in project.sessions.session_speakers(sid)] == [None]
