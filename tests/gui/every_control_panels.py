"""The control table's rows for the start page, the status bar and the docks' buttons."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication

from gui.select_row import select_row
from tests.gui.every_control import (
    YES,
    Check,
    Harness,
    control,
    export_answers,
    trigger,
    written,
)
from tests.gui.every_control_menus import _new_project, _open_project, teammate_bundle


# ---------------------------------------------------------------------- start page
def _start_page(h: Harness) -> None:
    h.window.projects.close_project()
    h.wait()


@control("Main window ▸ StartPage ▸ New project…", effect="as File ▸ New project…")
def _start_new(h: Harness) -> None:
    _start_page(h)
    _new_project(h)


@control("Main window ▸ StartPage ▸ Open project…", effect="as File ▸ Open project…")
def _start_open(h: Harness) -> None:
    _start_page(h)
    _open_project(h)


@control(
    "Main window ▸ StartPage ▸ Demo project",
    "Main window ▸ StartPage ▸ Open the demo project",
    effect="the demo project opens",
)
def _start_demo(h: Harness) -> None:
    _start_page(h)
    h.window.start_page.show_demo_offer(True)
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: h.window.project is not None)
    assert h.window.project.name == "Demo: e-government focus group"


@control(
    "Main window ▸ StartPage ▸ Import a REFI-QDA project (.qdpx)…",
    effect="asks a .qdpx and a new folder; the project made from it opens",
)
def _start_qdpx(h: Harness) -> None:
    from storage.interop.qdpx_export import export_qdpx

    export_qdpx(h.project, h.tmp / "demo.qdpx")
    _start_page(h)
    folder = h.tmp / "FromNVivo.fieldscribe"
    h.file_answer = lambda caption, _f: str(
        folder if caption == "New project folder" else h.tmp / "demo.qdpx"
    )
    h.box_answer = YES
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: h.window.project is not None and h.window.project.folder == folder)
    h.qtbot.waitUntil(lambda: len(h.window.project.codebook.codings()) == 9)


# ---------------------------------------------------------------------- status bar
@control(
    "Main window ▸ FitStatusBar ▸ Cancel re-transcription",
    effect="a running re-transcription of a segment stops (hidden while none runs)",
)
def _cancel_retranscription(h: Harness) -> None:
    import threading

    started = threading.Event()

    def slow(p: Any, segment_id: str, *, language: Any = None, cancel: Any = None) -> Any:
        started.set()
        cancel.wait(10)
        from transcribe.runner import TranscriptionCancelled  # type: ignore[attr-defined]

        raise TranscriptionCancelled()

    h.window.transcription.segment_retranscriber = slow
    before = h.segment().text
    h.window.transcription.retranscribe_current()
    h.qtbot.waitUntil(started.is_set)
    h.qtbot.waitUntil(h.window.cancel_segment_button.isVisible)
    trigger(h, h.current)
    assert not h.window.transcription.retranscribing
    assert not h.window.cancel_segment_button.isVisible()
    assert h.project.transcript.get_segment(h.segment().id).text == before


# ---------------------------------------------------------------------- typing left unsaved
def _typing_left(h: Harness, *, changed: bool = False) -> str:
    """Typing into the second segment kept as a crash leaves it, offered back in the bar."""
    w = h.window
    seg = w.segment_model.segment(1)
    base = "an older text" if changed else seg.text
    h.project.unsaved_text.keep(seg.id, seg.session_id, base, "typed before a crash")
    w.unsaved_text.offer(h.project)
    assert w.unsaved_bar.isVisible()
    return str(seg.id)


@control(
    "Main window ▸ UnsavedTextBar ▸ Restore",
    effect="the text typed before a crash goes into the segment editor, not saved yet",
)
def _unsaved_restore(h: Harness) -> None:
    segment_id = _typing_left(h)
    trigger(h, h.current)
    h.wait()
    editor = h.window.segment_editor
    assert editor.segment.id == segment_id and editor.toPlainText() == "typed before a crash"
    assert editor.is_dirty() and not h.window.unsaved_bar.isVisible()


@control(
    "Main window ▸ UnsavedTextBar ▸ Copy text",
    effect="the typed text of a segment changed since is on the clipboard (shown instead of "
    "Restore)",
)
def _unsaved_copy(h: Harness) -> None:
    _typing_left(h, changed=True)
    QApplication.clipboard().clear()
    trigger(h, h.current)
    assert QApplication.clipboard().text() == "typed before a crash"


@control(
    "Main window ▸ UnsavedTextBar ▸ Discard",
    effect="the typed text is deleted from the project folder; the bar goes",
)
def _unsaved_discard(h: Harness) -> None:
    segment_id = _typing_left(h)
    trigger(h, h.current)
    assert not h.project.unsaved_text.path(segment_id).exists()
    assert not h.window.unsaved_bar.isVisible()


# ---------------------------------------------------------------------- docks
@control("Search ▸ SearchPanel ▸ Code hits…", effect="asks a code; every hit is coded with it")
def _code_hits(h: Harness) -> None:
    h.window.search_panel.query.setText("portal")
    h.window.search_panel.query.returnPressed.emit()
    h.qtbot.waitUntil(lambda: h.window.search_panel.results.count() == 2)
    h.input_answer = lambda _t, items: "Health services"
    trigger(h, h.current)
    health = h.project.codebook.find_code("Health services")
    coded = {c.segment_id for c in h.project.codebook.codings(code_id=health.id)}
    assert len(coded) == 3  # the example's 2 (one of them a hit) and the other hit


@control(
    "Session details ▸ SessionPanel ▸ Save session details",
    effect="the details typed are saved in the project",
)
def _save_details(h: Harness) -> None:
    trigger(h, "View ▸ Session details")
    panel = h.window.session_panel
    panel.place.setText("Алматы")
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: h.project.sessions.get_session(h.sid).place == "Алматы")


@control(
    "Session details ▸ SessionPanel ▸ Add participant",
    effect="asks a pseudonym; the participant is added",
)
def _add_participant(h: Harness) -> None:
    trigger(h, "View ▸ Session details")
    h.input_answer = lambda _t, _i: "Жанар"
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: "Жанар" in [p.pseudonym for p in h.project.sessions.participants()])


@control("Retrieval ▸ RetrievalPanel ▸ Retrieve", effect="lists the chosen code's codings")
def _retrieve_button(h: Harness) -> None:
    trigger(h, "View ▸ Retrieval")
    panel = h.window.retrieval
    panel.code_box.setCurrentIndex(panel.code_box.findText("Health services"))
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: panel.model.rowCount() == 2)


@control(
    "Retrieval ▸ RetrievalPanel ▸ Export CSV…",
    effect="writes the listed codings to CSV (greyed out until some are listed)",
)
def _retrieval_csv(h: Harness) -> None:
    trigger(h, "Codebook menu ▸ Retrieve segments")
    panel = h.window.retrieval
    h.qtbot.waitUntil(lambda: panel.model.rowCount() == 2)
    path = export_answers(h, "retrieval.csv")
    trigger(h, h.current)
    written(h, path)
    text = path.read_text(encoding="utf-8-sig")
    assert "personal data" in text and len(text.strip().splitlines()) == 3


# ---------------------------------------------------------------------- Speakers dock
def _speakers(h: Harness, label: str = "Bakyt") -> Any:
    trigger(h, "Speakers ▸ Speakers of this session")
    panel = h.window.extra_panels.speaker_panel()
    row = next(r for r in range(panel.table.rowCount()) if panel._label(r) == label)
    select_row(panel.table, row)
    h.wait()
    return panel


def _speaker_of_row2(h: Harness) -> str:
    return h.project.transcript.segments(h.sid)[2].speaker  # type: ignore[no-any-return]


@control("Speakers ▸ SpeakerPanel ▸ Rename…", effect="asks a name; the speaker's segments get it")
def _rename_speaker(h: Harness) -> None:
    _speakers(h)
    h.input_answer = lambda _t, _i: "Бақыт"
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: _speaker_of_row2(h) == "Бақыт")


@control(
    "Speakers ▸ SpeakerPanel ▸ Merge into…",
    effect="offers the other speakers; the speaker's segments go to the one chosen",
)
def _merge_speaker(h: Harness) -> None:
    # the demo links each speaker to a participant of their own, and two people are not
    # merged (the window says why): Bakyt is unlinked first, as a detection's extra label is
    _speakers(h)
    h.input_answer = lambda _t, items: "Chynara"
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: "linked to participant" in h.window.last_error)
    assert _speaker_of_row2(h) == "Bakyt"
    h.project.sessions.map_speaker(h.sid, "Bakyt", None)
    _speakers(h)
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: _speaker_of_row2(h) == "Chynara")


@control(
    "Speakers ▸ SpeakerPanel ▸ Participant…",
    effect="offers the participants; the speaker is linked to the one chosen",
)
def _map_speaker(h: Harness) -> None:
    _speakers(h)
    h.input_answer = lambda _t, items: "Elmira"
    trigger(h, h.current)
    names = {p.id: p.pseudonym for p in h.project.sessions.participants()}

    def mapped() -> str | None:
        speakers = h.project.sessions.session_speakers(h.sid)
        pid = next(s.participant_id for s in speakers if s.label == "Bakyt")
        return names.get(pid or "")

    h.qtbot.waitUntil(lambda: mapped() == "Elmira")


# ---------------------------------------------------------------------- Ethics dock
def _ethics_tab(h: Harness, tab: str) -> Any:
    trigger(h, f"Ethics ▸ {tab}")
    return h.dock("Ethics")


@control("Ethics ▸ ConsentTab ▸ Save consent", effect="the answers shown are recorded")
def _save_consent(h: Harness) -> None:
    tab = _ethics_tab(h, "Consent").consent
    tab.participant.setCurrentIndex(tab.participant.findText("Aigerim"))
    for box in tab.answers.values():
        box.setCurrentIndex(box.findText("yes"))
    trigger(h, h.current)
    pids = {p.id: p.pseudonym for p in h.project.sessions.participants()}
    assert [pids[c.participant_id] for c in h.project.consent.consents()] == ["Aigerim"]


@control(
    "Ethics ▸ ConsentTab ▸ Check session",
    effect="says who in the session lacks consent for the purpose",
)
def _check_session(h: Harness) -> None:
    tab = _ethics_tab(h, "Consent").consent
    trigger(h, h.current)  # the session open in the workbench is chosen
    assert "Aigerim" in tab.status.text()
    tab.session.setCurrentIndex(tab.session.findData(None))  # "All sessions"
    trigger(h, h.current)
    assert tab.status.text() == "Choose a session to check."


@control("Ethics ▸ PseudonymTab ▸ Add", effect="the real name -> pseudonym mapping is kept")
def _add_pseudonym(h: Harness) -> None:
    tab = _ethics_tab(h, "Pseudonyms").pseudonyms
    tab.real.setText("Aigerim")
    tab.pseudonym.setText("P01")
    trigger(h, h.current)
    assert [(m.real_name, m.pseudonym) for m in h.project.privacy.pseudonyms()] == [
        ("Aigerim", "P01")
    ]


def _mapped(h: Harness) -> Any:
    h.project.transcript.update_segment(
        h.project.transcript.segments(h.sid)[1].id, text="Aigerim used the portal."
    )
    h.project.privacy.set_pseudonym("Aigerim", "P01")
    return _ethics_tab(h, "Pseudonyms").pseudonyms


@control("Ethics ▸ PseudonymTab ▸ Review occurrences", effect="lists where the real name occurs")
def _review(h: Harness) -> None:
    tab = _mapped(h)
    trigger(h, h.current)
    assert tab.candidates.rowCount() == 1
    assert "Aigerim → P01" in tab.detail.text()  # the current occurrence, under the table


@control(
    "Ethics ▸ PseudonymTab ▸ Replace checked occurrences",
    effect="asks; Yes replaces the real name in the transcript",
)
def _replace(h: Harness) -> None:
    _mapped(h)
    trigger(h, "Ethics ▸ PseudonymTab ▸ Review occurrences")
    h.box_answer = YES
    trigger(h, h.current)
    assert h.project.transcript.segments(h.sid)[1].text == "P01 used the portal."


def _redacted(h: Harness) -> Any:
    seg = h.segment()
    start = seg.text.index("personal data")
    h.project.redactions.redact(seg.id, start, start + len("personal data"), "private")
    tab = _ethics_tab(h, "Redactions").redactions
    select_row(tab.table, 0)
    return tab


@control("Ethics ▸ RedactionTab ▸ Un-redact", effect="the selected redaction is taken away")
def _unredact(h: Harness) -> None:
    _redacted(h)
    trigger(h, h.current)
    assert h.project.redactions.all(segment_id=h.segment().id) == []


@control(
    "Ethics ▸ RedactionTab ▸ Destroy original…",
    effect="asks; Yes removes the redacted words from the project for good",
)
def _destroy(h: Harness) -> None:
    _redacted(h)
    h.box_answer = YES
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: "personal data" not in h.project.transcript.get_segment(
        h.segment().id).text)  # fmt: skip


@control("Ethics ▸ AuditTab ▸ Refresh", effect="the audit log lists what was done since")
def _audit(h: Harness) -> None:
    tab = _ethics_tab(h, "Audit log").audit
    before = tab.table.rowCount()
    h.project.privacy.set_pseudonym("Bakyt", "P02")
    trigger(h, h.current)
    assert tab.table.rowCount() == before + 1
    assert tab.status.text().startswith(f"{before + 1} entr")


# ---------------------------------------------------------------------- team panels
def _two_coders(h: Harness) -> None:
    """amina codes one segment as well: agreement compares her with the example coder."""
    code = h.project.codebook.find_code("Corruption")
    h.project.codebook.apply_code(h.segment().id, code.id)


@control(
    "Agreement ▸ AgreementWidget ▸ Recompute",
    effect="the figures are computed again and the panel says when and whether they changed",
)
def _recompute(h: Harness) -> None:
    trigger(h, "Team ▸ Inter-coder agreement")
    panel = h.dock("Agreement")
    _two_coders(h)
    trigger(h, h.current)
    assert "figures updated" in panel.recomputed_label.text()  # type: ignore[attr-defined]
    assert panel.chooser.chosen() == ["amina", "example"]  # type: ignore[attr-defined]


@control(
    "Agreement ▸ AgreementWidget ▸ Export…",
    effect="the table shown is written to the .csv chosen, one row per code and all codes",
)
def _agreement_export(h: Harness) -> None:
    trigger(h, "Team ▸ Inter-coder agreement")
    panel = h.dock("Agreement")
    _two_coders(h)
    panel.refresh()  # type: ignore[attr-defined]
    h.wait()
    path = h.saving_to("agreement.csv")
    trigger(h, h.current)
    written(h, path)
    rows = path.read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) > 2 and any("all codes" in row for row in rows), rows
    assert panel.recomputed_label.text() == "Wrote agreement.csv"  # type: ignore[attr-defined]


def _compare(title: str, menu: str) -> Check:
    def check(h: Harness) -> None:
        trigger(h, menu)
        panel = h.dock(title)
        chooser = panel.chooser  # type: ignore[attr-defined]
        if h.current.endswith("▸ example"):
            _two_coders(h)
            panel.refresh()  # type: ignore[attr-defined]
            h.wait()
            assert chooser.chosen() == ["amina", "example"]
            trigger(h, h.current)  # unticks the example coder
            assert chooser.chosen() == ["amina"]
        else:
            trigger(h, h.current)
            assert chooser.menu() in h.dialogs or chooser.menu().isVisible()

    return check


for _title, _menu in (
    ("Agreement", "Team ▸ Inter-coder agreement"),
    ("Disagreements", "Team ▸ Disagreements"),
):
    _widget = f"{_title} ▸ {'AgreementWidget' if _title == 'Agreement' else 'DisagreementWidget'}"
    control(f"{_widget} ▸ Compare: …", effect="the coders to compare, ticked")(
        _compare(_title, _menu)
    )
    control(
        f"{_widget} ▸ Compare: … ▸ example",
        effect="unticked: the panel compares the other coders (greyed out when the last one)",
    )(_compare(_title, _menu))


def _conflicted(h: Harness) -> Any:
    """bob and amina both changed segment 1's text: the merge leaves a conflict."""
    bundle = teammate_bundle(h, edit="bob's words")
    second = h.project.transcript.segments(h.sid)[1]
    h.project.transcript.update_segment(second.id, text="amina's words")
    h.window.team_actions.merge_bundles([bundle])
    h.wait()
    h.qtbot.waitUntil(lambda: len(h.project.team.conflicts()) == 1)
    trigger(h, "Team ▸ Resolve merge conflicts…")
    dialog = h.window_of("ConflictDialog")
    dialog.list.setCurrentRow(0)  # type: ignore[attr-defined]
    h.wait()
    return dialog, second.id


@control("Merge conflicts ▸ Keep mine", effect="the conflict is resolved with the lead's text")
def _keep_mine(h: Harness) -> None:
    _dialog, sid = _conflicted(h)
    trigger(h, h.current)
    assert h.project.team.conflicts() == []
    assert h.project.transcript.get_segment(sid).text == "amina's words"


@control("Merge conflicts ▸ Keep theirs", effect="the conflict is resolved with bob's text")
def _keep_theirs(h: Harness) -> None:
    _dialog, sid = _conflicted(h)
    trigger(h, h.current)
    assert h.project.team.conflicts() == []
    assert h.project.transcript.get_segment(sid).text == "bob's words"


@control("Merge conflicts ▸ Edit…", effect="asks the text; the conflict is resolved with it")
def _edit_conflict(h: Harness) -> None:
    _dialog, sid = _conflicted(h)
    h.input_answer = lambda _t, _i: "agreed words"
    trigger(h, h.current)
    assert h.project.transcript.get_segment(sid).text == "agreed words"


@control("Merge conflicts ▸ Close", effect="the window closes")
def _close_conflicts(h: Harness) -> None:
    trigger(h, "Team ▸ Resolve merge conflicts…")
    h.window_of("ConflictDialog")
    trigger(h, h.current)
    assert all(type(w).__name__ != "ConflictDialog" or not w.isVisible()
               for w in QApplication.topLevelWidgets())  # fmt: skip
