"""The control table's rows for the Transcription, View, Speakers, Ethics and Team menus
and the sessions list's and the codebook's context menus."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QAbstractButton, QApplication

from tests.gui.every_control import (
    YES,
    Check,
    Harness,
    buttons,
    codings,
    control,
    dock_name,
    menu_actions_of,
    trigger,
    written,
)
from tests.gui.every_control_menus import teammate_bundle


# ---------------------------------------------------------------------- Transcription
@control(
    "Transcription ▸ Transcribe session",
    effect="asks before replacing the transcript; Yes transcribes the session again",
)
def _transcribe(h: Harness) -> None:
    h.box_answer = YES
    trigger(h, h.current)
    assert "Transcribe again?" in [title for _k, title, _t in h.boxes]
    h.qtbot.waitUntil(lambda: h.project.transcript.segment_count(h.sid) == 4)


@control(
    "Transcription ▸ Transcribe session in…",
    effect="asks a language; the whole session is transcribed in it",
)
def _transcribe_in(h: Harness) -> None:
    from tests.gui.gui_helpers import make_fake_transcriber

    fake, languages = make_fake_transcriber(), []

    def transcriber(p: Any, sid: str, *, language: str | None = None, **kw: Any) -> Any:
        languages.append(language)
        return fake(p, sid, language=language, **kw)

    h.window.transcription.transcriber = transcriber
    h.box_answer = YES
    h.input_answer = lambda _t, items: next(i for i in items if "(kk)" in i)
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: languages == ["kk"])


@control(
    "Transcription ▸ Transcribe on a cluster…",
    effect="asks the cluster; transcribes there (offers this machine's workers)",
)
def _cluster(h: Harness) -> None:
    trigger(h, h.current)
    assert h.inputs and h.inputs[-1][1] == "Transcribe on a cluster"


@control(
    "Transcription ▸ Cancel transcription",
    "Main window ▸ FitStatusBar ▸ Cancel transcription",
    effect="a running transcription stops (greyed out, hidden, while none runs)",
)
def _cancel(h: Harness) -> None:
    from tests.gui.gui_helpers import make_fake_transcriber

    h.window.transcription.transcriber = make_fake_transcriber(delay_s=0.5)
    h.box_answer = YES
    h.window.transcription.start_transcription(h.sid)
    QApplication.processEvents()
    h.qtbot.waitUntil(lambda: bool(h.window.transcription.running))
    found = dict(menu_actions_of(h)) | dict(buttons(h.window))
    target = found[h.current]
    target.trigger() if not isinstance(target, QAbstractButton) else target.click()
    h.wait()
    assert h.project.transcript.segment_count(h.sid) < 4
    assert not h.window.transcription.running


def _fake_retranscriber(h: Harness) -> list[tuple[str, str | None]]:
    calls: list[tuple[str, str | None]] = []

    def fake(p: Any, segment_id: str, *, language: str | None = None, cancel: Any = None) -> Any:
        calls.append((segment_id, language))
        return p.transcript.update_segment(segment_id, text="Heard again.", language=language)

    h.window.transcription.segment_retranscriber = fake
    return calls


@control("Transcription ▸ Re-transcribe segment", effect="the segment's audio is heard again")
def _retranscribe(h: Harness) -> None:
    calls = _fake_retranscriber(h)
    seg = h.segment()
    trigger(h, h.current)
    assert calls == [(seg.id, seg.language)]
    assert h.project.transcript.get_segment(seg.id).text == "Heard again."


@control(
    "Transcription ▸ Re-transcribe segment in…",
    effect="asks a language; the segment is heard again in it",
)
def _retranscribe_in(h: Harness) -> None:
    calls = _fake_retranscriber(h)
    seg = h.segment()
    h.input_answer = lambda _t, items: next(i for i in items if "(ru)" in i)
    trigger(h, h.current)
    assert calls == [(seg.id, "ru")]


# ---------------------------------------------------------------------- View
def _dock_toggle(title: str) -> Check:
    def check(h: Harness) -> None:
        dock = next(d for d in h.window.findChildren(type(h.window.sessions_dock))
                    if dock_name(d) == title)  # fmt: skip
        dock.hide()
        trigger(h, h.current)
        assert h.dock(title) is dock.widget()
        trigger(h, h.current)  # in front: the entry hides it
        assert dock.isHidden()

    return check


for _title in ("Sessions", "Codebook", "Search"):
    control(f"View ▸ {_title}", effect=f"the {_title} dock in front (hidden when in front)")(
        _dock_toggle(_title)
    )


@control("View ▸ Next pane", effect="the keyboard goes to the next pane (F6)")
def _next_pane(h: Harness) -> None:
    h.window.activateWindow()
    h.window.sessions_view.setFocus()
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: h.window.transcript.hasFocus())


@control("View ▸ Previous pane", effect="the keyboard goes to the previous pane (Shift+F6)")
def _previous_pane(h: Harness) -> None:
    h.window.activateWindow()
    h.window.transcript.setFocus()
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: h.window.sessions_view.hasFocus())


@control("View ▸ Float or dock the pane in focus", effect="the focused pane floats, then docks")
def _float_pane(h: Harness) -> None:
    h.window.activateWindow()
    h.window.codebook.tree.setFocus()
    h.qtbot.waitUntil(h.window.codebook.tree.hasFocus)
    trigger(h, h.current)
    assert h.window.codebook_dock.isFloating()
    trigger(h, h.current)
    assert not h.window.codebook_dock.isFloating()


@control("View ▸ Reset layout", effect="a hidden dock comes back in its place")
def _reset(h: Harness) -> None:
    h.window.codebook_dock.hide()
    trigger(h, h.current)
    assert h.window.codebook_dock.isVisible()


@control("View ▸ Analysis…", effect="the Analysis window, on the demo's codings")
def _analysis(h: Harness) -> None:
    trigger(h, h.current)
    assert h.window_of("AnalysisWindow").windowTitle().startswith("Analysis — Demo")


def _panel(title: str, cls: str) -> Check:
    def check(h: Harness) -> None:
        trigger(h, h.current)
        assert type(h.dock(title)).__name__ == cls

    return check


for _name, _title, _cls in (
    ("View ▸ Session details", "Session details", "QScrollArea"),
    ("View ▸ Retrieval", "Retrieval", "RetrievalPanel"),
    ("Record ▸ Record a session…", "Record", "RecordPanel"),
    ("Speakers ▸ Speakers of this session", "Speakers", "SpeakerPanel"),
    ("Team ▸ Inter-coder agreement", "Agreement", "AgreementWidget"),
    ("Team ▸ Disagreements", "Disagreements", "DisagreementWidget"),
):
    control(_name, effect=f"the {_title} dock in front")(_panel(_title, _cls))


def _ethics(tab: int) -> Check:
    def check(h: Harness) -> None:
        trigger(h, h.current)
        panel = h.dock("Ethics")
        assert panel.currentIndex() == tab  # type: ignore[attr-defined]

    return check


for _tab, _name in enumerate(("Consent", "Pseudonyms", "Redactions", "Audit log")):
    control(f"Ethics ▸ {_name}", effect=f"the Ethics dock on its {_name} tab")(_ethics(_tab))


# ---------------------------------------------------------------------- Speakers
@control("Speakers ▸ Detect speakers…", effect="asks how many speakers; detection runs")
def _detect(h: Harness) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []

    def diarize(project: Any, session_id: str, **kw: Any) -> Any:
        seen.append((session_id, kw))
        return None

    h.window.extra_panels.diarizer = diarize
    trigger(h, h.current)
    dialog = h.window_of("SpeakerCountDialog")
    dialog.accept()  # type: ignore[attr-defined]
    h.wait()
    assert seen and seen[0][0] == h.sid


@control(
    "Speakers ▸ Cancel speaker detection",
    effect="a running detection stops (greyed out while none runs)",
)
def _cancel_detect(h: Harness) -> None:
    import threading

    started = threading.Event()

    def diarize(project: Any, session_id: str, *, cancel: Any = None, **kw: Any) -> Any:
        started.set()
        assert cancel is not None
        cancel.wait(10)
        from transcribe.diarize.backend import DiarizationCancelled

        raise DiarizationCancelled("cancelled")

    h.window.extra_panels.diarizer = diarize
    h.window.extra_panels.detect_speakers(h.sid)
    h.qtbot.waitUntil(started.is_set)
    QApplication.processEvents()
    trigger(h, h.current)
    assert not h.window.extra_panels.diarizing
    assert not h.window.extra_panels.act_cancel_detect.isEnabled()


# ---------------------------------------------------------------------- Ethics
@control("Ethics ▸ Redact the selected words…", effect="asks a category; the words are redacted")
def _redact(h: Harness) -> None:
    h.select_words("personal data")
    h.input_answer = lambda _t, _i: "private"
    trigger(h, h.current)
    reds = h.project.redactions.all(segment_id=h.segment().id)
    assert len(reds) == 1 and h.segment().text[reds[0].start_cp : reds[0].end_cp] == "personal data"


# ---------------------------------------------------------------------- Team
@control("Team ▸ Export a bundle…", effect="asks how and where; writes a bundle others can merge")
def _export_bundle(h: Harness) -> None:
    h.accept("BundleExportDialog")
    path = h.saving_to("mine.fsbundle")
    trigger(h, h.current)
    written(h, path)


@control(
    "Team ▸ Merge bundles into this project…",
    effect="asks bundles; their codings are merged in and a report says so",
)
def _merge_bundles(h: Harness) -> None:
    bundle = teammate_bundle(h)
    h.file_answer = lambda _c, _f: str(bundle)
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: codings(h) == 10)
    assert "bob" in h.window.team_actions.last_report


@control(
    "Team ▸ Export my public key (for encrypted bundles)…",
    effect="asks a file; writes this coder's public key",
)
def _public_key(h: Harness) -> None:
    path = h.saving_to("amina.pub")
    trigger(h, h.current)
    written(h, path)
    assert "amina" in path.read_text(encoding="utf-8") or path.read_text().strip()


@control("Team ▸ Project lead…", effect="shows the lead; OK records the name typed")
def _lead(h: Harness) -> None:
    h.accept("LeadDialog", lambda d: (d.name.setText("Dana"), d.take_over.setChecked(True)))
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: h.project.team.lead == "Dana")


@control(
    "Team ▸ Keep same-name codes apart when merging",
    effect="ticked: a teammate's code of the same name stays a code of its own in a merge",
)
def _apart(h: Harness) -> None:
    trigger(h, h.current)
    assert h.window.team_actions.act_apart.isChecked()
    bundle = teammate_bundle(h, code="Queues")  # made by bob and by amina, each on their own
    h.project.codebook.ensure_code_path("Queues")
    h.file_answer = lambda _c, _f: str(bundle)
    trigger(h, "Team ▸ Merge bundles into this project…")
    h.qtbot.waitUntil(lambda: codings(h) == 10)
    names = [c.path for c in h.project.codebook.codes()]
    assert names.count("Queues") == 2


@control(
    "Team ▸ Resolve merge conflicts…",
    effect="the merge conflicts window, listing the open conflicts",
)
def _conflicts(h: Harness) -> None:
    trigger(h, h.current)
    assert h.window_of("ConflictDialog").windowTitle() == "Merge conflicts"


@control(
    "Team ▸ Blind coding (see only my codings)",
    effect="the transcript shows only this coder's codings (recorded in the project)",
)
def _blind(h: Harness) -> None:
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: h.project.get_meta("blind_coding") == "1")
    h.qtbot.waitUntil(lambda: not h.window.segment_model.margin_codes(3))


# ---------------------------------------------------------------------- Help
@control("Help ▸ Keyboard shortcuts…", effect="a table of every key opens beside the work")
def _shortcuts(h: Harness) -> None:
    trigger(h, h.current)
    dialog = h.window.shortcuts_dialog
    h.qtbot.waitUntil(dialog.isVisible)
    assert ("Playback", "Play / pause", "F4 or Ctrl+Space") in dialog.rows
    dialog.close()


# ---------------------------------------------------------------------- context menus
@control("Sessions list ▸ Rename session… (F2)", effect="asks a title; the session gets it")
def _rename_session(h: Harness) -> None:
    h.input_answer = lambda _t, _i: "Фокус-группа"
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: h.project.sessions.all()[0].title == "Фокус-группа")


@control(
    "Sessions list ▸ Delete session… (Delete)",
    effect="asks (saying it is coded); Yes deletes the session",
)
def _delete_session(h: Harness) -> None:
    h.box_answer = YES
    trigger(h, h.current)
    assert "coded segments" in h.boxes[0][2]
    h.qtbot.waitUntil(lambda: not h.project.sessions.all())


@control(
    "File ▸ Deleted sessions…",
    "Sessions list ▸ Deleted sessions…",
    effect="lists the deleted sessions (not modal); Restore brings the selected one back with "
    "its transcript and codings",
)
def _deleted_sessions(h: Harness) -> None:
    n, sid = codings(h), h.sid
    h.project.sessions.delete_session(sid, force=True)
    h.window.sessions.reload_sessions()
    h.wait()
    trigger(h, h.current)
    dialog = h.window.sessions.edits.dialog
    assert dialog is not None and dialog.table.rowCount() == 1
    dialog.restore_button.click()
    h.qtbot.waitUntil(lambda: [s.id for s in h.project.sessions.all()] == [sid])
    h.wait()
    assert codings(h) == n and dialog.empty.isVisible()
    dialog.close()


@control(
    "Main window ▸ FitStatusBar ▸ Undo",
    effect="shown for 30 s after a session is deleted: brings it back (hidden otherwise)",
)
def _undo_delete(h: Harness) -> None:
    n, sid = codings(h), h.sid
    h.window.sessions.edits.delete_session(sid, force=True)
    h.qtbot.waitUntil(lambda: not h.project.sessions.all())
    h.wait()
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: [s.id for s in h.project.sessions.all()] == [sid])
    assert codings(h) == n


@control("Codebook menu ▸ Rename", effect="the selected code's name opens for typing")
def _rename_code(h: Harness) -> None:
    trigger(h, h.current)
    assert h.window.codebook.tree.state() == h.window.codebook.tree.State.EditingState


@control("Codebook menu ▸ Colour…", effect="asks a colour; the code gets it")
def _colour(h: Harness) -> None:
    trigger(h, h.current)
    assert h.colours
    h.qtbot.waitUntil(
        lambda: h.project.codebook.find_code("Trust and privacy").colour.lower() == "#123456"
    )


@control("Codebook menu ▸ Describe…", effect="asks a definition; the code keeps it")
def _describe(h: Harness) -> None:
    h.input_answer = lambda _t, _i: "Доверие к порталу"
    trigger(h, h.current)
    h.qtbot.waitUntil(
        lambda: h.project.codebook.find_code("Trust and privacy").description == "Доверие к порталу"
    )


@control("Codebook menu ▸ Merge into…", effect="offers the other codes; the code merges into one")
def _merge_code(h: Harness) -> None:
    h.input_answer = lambda _t, items: next(i for i in items if "Corruption" in i)
    h.box_answer = YES
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: h.project.codebook.find_code("Trust and privacy") is None)
    corruption = h.project.codebook.find_code("Corruption")
    assert len(h.project.codebook.codings(code_id=corruption.id)) == 3


@control("Codebook menu ▸ Delete", effect="asks (saying it has codings); Yes deletes the code")
def _delete_code(h: Harness) -> None:
    h.box_answer = YES
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: h.project.codebook.find_code("Trust and privacy") is None)
    assert codings(h) == 7


@control("Codebook menu ▸ Pin to key…", effect="asks a key; the code is pinned to it")
def _pin(h: Harness) -> None:
    h.input_answer = lambda _t, _i: 3
    trigger(h, h.current)
    code = h.project.codebook.find_code("Trust and privacy")
    assert h.window.editing.pins.pinned_codes()[2] == code.id
    assert any("Pinned code 3: Trust and privacy" in a.text()
               for a in h.window.chrome.menus["&Code"].actions())  # fmt: skip


@control(
    "Codebook menu ▸ Retrieve segments",
    effect="the Retrieval dock lists the code's segments",
)
def _retrieve(h: Harness) -> None:
    trigger(h, h.current)
    panel = h.dock("Retrieval")
    h.qtbot.waitUntil(lambda: panel.model.rowCount() == 2)  # type: ignore[attr-defined]


@control("Codebook menu ▸ Collapse all", effect="every branch of the codebook closes")
def _collapse(h: Harness) -> None:
    tree, model = h.window.codebook.tree, h.window.codebook.model
    access = model.index_of(h.project.codebook.find_code("Access").id)
    assert tree.isExpanded(access)
    trigger(h, h.current)
    assert not tree.isExpanded(access)


@control("Codebook menu ▸ Expand all", effect="every branch of the codebook opens")
def _expand(h: Harness) -> None:
    tree, model = h.window.codebook.tree, h.window.codebook.model
    access = model.index_of(h.project.codebook.find_code("Access").id)
    tree.collapseAll()
    trigger(h, h.current)
    assert tree.isExpanded(access)


@control(
    "Codebook menu ▸ Add link…",
    effect="asks the other code, the link's name and direction; the Links list shows the link",
)
def _add_link(h: Harness) -> None:
    def answer(_title: str, items: list[str]) -> str:
        if any("Corruption" in i for i in items):
            return next(i for i in items if "Corruption" in i)
        return items[0]  # the first name offered ("is cause of"), one way

    h.input_answer = answer
    trigger(h, h.current)
    links = h.window.codebook.links.model
    h.qtbot.waitUntil(lambda: links.rowCount() == 1)
    assert links.data(links.index(0, 0)) == "→ is cause of → Corruption"
    (link,) = h.project.links.all()
    assert (link.origin.label, link.target.label) == (
        "code 'Trust and privacy'",
        "code 'Corruption'",
    )


@control(
    "Codebook menu ▸ Remove link",
    effect="the link selected in the Links list goes (greyed out while none is selected)",
)
def _remove_link(h: Harness) -> None:
    code = {c.path: c.id for c in h.project.codebook.codes()}
    h.window.editing.links.add_link(code["Trust and privacy"], code["Corruption"], "is cause of")
    h.wait()
    box = h.window.codebook.links
    h.qtbot.waitUntil(lambda: box.model.rowCount() == 1)
    box.view.setCurrentIndex(box.model.index(0, 0))
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: box.model.rowCount() == 0)
    assert h.project.links.all() == []
