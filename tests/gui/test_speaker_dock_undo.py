"""The Speakers dock's Rename…, Merge into… and Participant… are undoable commands."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtWidgets import QMessageBox

from gui.ask_dialog import AskDialog
from storage import Project, SegmentDraft


@pytest.fixture
def opened(window: Any, idle: Any) -> tuple[Any, str]:
    project: Project = window.project
    s = project.sessions.add_session("FG", kind="focus_group")
    project.transcript.add_segments(
        s.id,
        [
            SegmentDraft(0, 2000, "Welcome.", speaker="Speaker 1"),
            SegmentDraft(2000, 3000, "Hi.", speaker="Speaker 2"),
            SegmentDraft(3000, 6000, "Thanks for coming.", speaker="Speaker 1"),
        ],
    )
    window.sessions.reload_sessions()
    idle(window)
    window.sessions.open_segment_session(s.id)
    idle(window)
    panel = window.extra_panels.show_speakers()
    panel.set_session(s.id)
    return panel, s.id


def _speakers(window: Any) -> list[str | None]:
    model = window.segment_model
    return [model.segment(r).speaker for r in range(model.rowCount())]


def test_rename_and_merge_in_the_dock_are_what_ctrl_z_undoes(
    window: Any, idle: Any, opened: tuple[Any, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    panel, sid = opened
    first = window.segment_model.segment(0).id
    window.editing.set_language([first], "kk")  # an older, unrelated edit
    idle(window)
    panel.select_label("Speaker 2")
    monkeypatch.setattr(AskDialog, "ask", staticmethod(lambda *a, **k: ("Amina", True)))
    panel._ask_rename()
    idle(window)
    assert panel.labels() == ["Speaker 1", "Amina"]
    assert _speakers(window) == ["Speaker 1", "Amina", "Speaker 1"]
    assert window.undo_stack.undoText() == "Rename speaker Speaker 2 → Amina"
    # renaming onto an existing name merges (answered Yes): one more command
    panel.select_label("Amina")
    monkeypatch.setattr(AskDialog, "ask", staticmethod(lambda *a, **k: ("Speaker 1", True)))
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes)
    )
    panel._ask_rename()
    idle(window)
    assert panel.labels() == ["Speaker 1"]
    assert window.undo_stack.undoText() == "Merge speaker Amina into Speaker 1"
    window.undo_stack.undo()  # Ctrl+Z: the merge, nothing else
    idle(window)
    assert _speakers(window) == ["Speaker 1", "Amina", "Speaker 1"]
    assert panel.labels() == ["Speaker 1", "Amina"]
    window.undo_stack.undo()  # then the rename
    idle(window)
    assert _speakers(window) == ["Speaker 1", "Speaker 2", "Speaker 1"]
    assert panel.labels() == ["Speaker 1", "Speaker 2"]
    assert window.project.transcript.get_segment(first).language == "kk"  # untouched
    window.undo_stack.redo()
    window.undo_stack.redo()
    idle(window)
    assert _speakers(window) == ["Speaker 1"] * 3
    assert window.project.speakers.speaker_edited_count(sid) == 1  # the merge corrected one


def test_participant_mapping_in_the_dock_is_undoable(
    window: Any, idle: Any, opened: tuple[Any, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    panel, sid = opened
    window.project.sessions.add_participant("P-07")
    panel.refresh()
    panel.select_label("Speaker 2")
    monkeypatch.setattr(AskDialog, "ask", staticmethod(lambda *a, **k: ("P-07", True)))
    panel._ask_map()
    idle(window)
    assert panel.table.item(1, 3).text() == "P-07"
    assert window.undo_stack.undoText() == "Speaker Speaker 2 is P-07"
    window.undo_stack.undo()
    idle(window)
    assert panel.table.item(1, 3).text() == ""
    assert all(s.participant_id is None for s in window.project.sessions.session_speakers(sid))
    window.undo_stack.redo()
    idle(window)
    assert panel.table.item(1, 3).text() == "P-07"


def test_clearing_every_speaker_leaves_no_stale_speaker_and_undo_brings_it_back(
    window: Any, idle: Any, opened: tuple[Any, str]
) -> None:
    """The walkthrough: detection found 2, every segment's speaker cleared by hand, then one
    segment labelled Speaker 1 again: no leftover turns (talk time, ticks in the strips)."""
    panel, sid = opened
    project: Project = window.project
    project.speakers.turns.save(
        sid,
        [
            (0, 1900, "Speaker 1"),
            (2000, 3000, "Speaker 2"),
            (3000, 6000, "Speaker 1"),
            (6000, 8000, "Speaker 1"),
        ],  # 6-8 s: speech no segment holds
    )
    panel.refresh()
    ids = [window.segment_model.segment(r).id for r in range(3)]
    window.editing.set_speaker(ids, None)
    idle(window)
    assert panel.labels() == []
    assert all(who is None for _a, _b, who in project.speakers.speaker_turns(sid))
    window.editing.set_speaker([ids[1]], "Speaker 1")
    idle(window)
    assert panel.labels() == ["Speaker 1"]
    assert panel.table.item(0, 1).text() == "0:01"  # the 1 s segment, not 0:01 + leftovers
    labelled = [t for t in project.speakers.speaker_turns(sid) if t[2] is not None]
    assert labelled == [(2000, 3000, "Speaker 1")]
    window.undo_stack.undo()
    window.undo_stack.undo()
    idle(window)
    assert panel.labels() == ["Speaker 1", "Speaker 2"]
    assert (6000, 8000, "Speaker 1") in project.speakers.speaker_turns(sid)


def test_dock_follows_a_mapping_made_in_session_details(
    window: Any, idle: Any, opened: tuple[Any, str]
) -> None:
    panel, _sid = opened
    person = window.project.sessions.add_participant("P-07")
    details = window.session_panel
    details.show_session(window.session)
    idle(window)
    details._map("Speaker 2", person.id)  # the Participant box of Session details
    idle(window)
    assert panel.table.item(panel.labels().index("Speaker 2"), 3).text() == "P-07"


def test_a_mapping_chosen_in_session_details_is_what_ctrl_z_undoes(
    window: Any, idle: Any, opened: tuple[Any, str]
) -> None:
    """The Participant box of Session details maps through the undo stack, as the dock does:
    before, Ctrl+Z after it undid an older, unrelated edit and the mapping stayed."""
    panel, sid = opened
    first = window.segment_model.segment(0).id
    window.editing.set_language([first], "kk")  # an older, unrelated edit
    idle(window)
    person = window.project.sessions.add_participant("P-07")
    details = window.session_panel
    details.show_session(window.session)
    idle(window)
    row = [details.speakers.item(r, 0).text() for r in range(details.speakers.rowCount())]
    box = details.speakers.cellWidget(row.index("Speaker 2"), 1)
    box.setCurrentIndex(box.findData(person.id))  # what choosing P-07 in the box does
    idle(window)

    def mapped() -> dict[str, str | None]:
        return {s.label: s.participant_id for s in window.project.sessions.session_speakers(sid)}

    assert mapped()["Speaker 2"] == person.id
    assert window.undo_stack.undoText() == "Speaker Speaker 2 is P-07"
    window.undo_stack.undo()
    idle(window)
    assert mapped()["Speaker 2"] is None
    assert window.project.transcript.get_segment(first).language == "kk"  # untouched
    box = details.speakers.cellWidget(row.index("Speaker 2"), 1)  # the form shows it again
    assert box.currentData() is None
    assert panel.table.item(panel.labels().index("Speaker 2"), 3).text() == ""
    window.undo_stack.redo()
    idle(window)
    assert mapped()["Speaker 2"] == person.id
    assert details.speakers.cellWidget(row.index("Speaker 2"), 1).currentData() == person.id


def test_analysis_follows_speaker_edits_of_the_dock(
    window: Any, idle: Any, opened: tuple[Any, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    panel, sid = opened
    analysis = window.analysis.show()
    idle(window)
    calls: list[int] = []
    monkeypatch.setattr(analysis, "schedule_refresh", lambda: calls.append(1))
    assert panel.rename("Speaker 2", "Amina")
    idle(window)
    assert calls
    calls.clear()
    window.extra_panels.speakers_changed.emit(sid)  # detection finished, say
    assert calls


_names = st.sampled_from(["P-07", "P-08", "Айгерим", "Әсел"])
_attrs = st.dictionaries(
    st.sampled_from(["age group", "gender", "region"]),
    st.sampled_from(["30-39", "f", "Алматы", "m"]),
    max_size=3,
)
_steps = st.lists(
    st.one_of(
        st.tuples(st.just("rename"), _names),
        st.tuples(st.just("attributes"), _attrs),
        st.tuples(st.just("undo"), st.none()),
        st.tuples(st.just("redo"), st.none()),
    ),
    min_size=1,
    max_size=7,
)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=_steps)
def test_participant_edits_in_session_details_undo_like_a_stack(
    window: Any, idle: Any, opened: tuple[Any, str], steps: list[tuple[str, Any]]
) -> None:
    """Renaming a participant or typing their attributes in Session details is undone and
    redone as an undo stack would (checked against a model of one); before, neither was on
    the stack and Ctrl+Z undid an older edit."""
    from gui.session_panel import format_attributes

    project: Project = window.project
    window.undo_stack.clear()
    person = project.sessions.add_participant("P-07", {"age group": "30-39"})
    details = window.session_panel
    details.show_session(window.session)
    idle(window)
    history: list[tuple[str, dict[str, str]]] = [("P-07", {"age group": "30-39"})]
    at = 0
    for op, value in steps:
        row = [p.id for p in details._participants].index(person.id)
        if op in ("rename", "attributes"):
            name, attrs = history[at]
            new = (value, attrs) if op == "rename" else (name, value)
            if new == history[at]:
                continue  # typing what is there already changes nothing
            cell = details.participants.item(row, 0 if op == "rename" else 1)
            cell.setText(value if op == "rename" else format_attributes(value))
            history[at + 1 :] = [new]
            at += 1
        elif op == "undo" and at > 0:
            window.undo_stack.undo()
            at -= 1
        elif op == "redo" and at < len(history) - 1:
            window.undo_stack.redo()
            at += 1
        idle(window)
        stored = project.sessions.get_participant(person.id)
        assert (stored.pseudonym, stored.attributes) == history[at]
        row = [p.id for p in details._participants].index(person.id)  # the form shows it
        assert details.participants.item(row, 0).text() == history[at][0]
        assert details.participants.item(row, 1).text() == format_attributes(history[at][1])
    project.sessions.delete_participant(person.id)
