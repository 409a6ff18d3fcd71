"""The control table's rows for the File, Edit, Playback, Code and Memos menus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.gui.every_control import (
    YES,
    Check,
    Harness,
    codings,
    control,
    export_answers,
    trigger,
    written,
    zipped,
)


# ---------------------------------------------------------------------- File
@control("File ▸ New project…", effect="asks a folder; a project is made there and opened")
def _new_project(h: Harness) -> None:
    folder = h.tmp / "Fresh.fieldscribe"
    h.file_answer = lambda _c, _f: str(folder)
    h.accept("NewProjectDialog", lambda d: d.coder.setText("Aigerim"))
    trigger(h, "File ▸ New project…")
    h.qtbot.waitUntil(lambda: h.window.project is not None and h.window.project.folder == folder)


@control("File ▸ Open project…", effect="asks a folder; that project opens")
def _open_project(h: Harness) -> None:
    other = h.tmp / "Other.fieldscribe"
    from storage import Project

    Project.create(other, name="Other", coder="amina").close()
    h.file_answer = lambda _c, _f: str(other)
    trigger(h, "File ▸ Open project…")
    h.qtbot.waitUntil(lambda: h.window.project is not None and h.window.project.name == "Other")


@control(
    "File ▸ Open recent",
    effect="lists the recent projects (greyed out: none yet); the one chosen opens",
)
def _open_recent(h: Harness) -> None:
    other = h.tmp / "Other.fieldscribe"
    from storage import Project

    Project.create(other, name="Other", coder="amina").close()
    h.window.settings.add_recent(str(other))
    menu = h.window.recent_menu
    menu.aboutToShow.emit()
    entries = [a.text() for a in menu.actions()]
    assert entries[:2] == [str(other), str(h.project.folder)]
    menu.actions()[0].trigger()
    h.wait()
    assert h.window.project.name == "Other"
    h.window.settings.q.remove("recent")
    menu.aboutToShow.emit()
    assert [(a.text(), a.isEnabled()) for a in menu.actions()] == [
        ("No recent projects yet", False)
    ]


@control("File ▸ Open the demo project", effect="the demo project opens (its session listed)")
def _open_demo(h: Harness) -> None:
    h.window.projects.close_project()
    trigger(h, "File ▸ Open the demo project")
    h.qtbot.waitUntil(lambda: h.window.project is not None)
    assert h.window.project.name == "Demo: e-government focus group"


def teammate_bundle(
    h: Harness, coder: str = "bob", edit: str | None = None, code: str = "Access"
) -> Path:
    """A teammate's bundle of the demo: their own coding of segment 0 (``edit``: and their
    text of segment 1)."""
    from storage import Project
    from storage.team.bundle_export import export_bundle_file

    folder = h.tmp / f"{coder}.fieldscribe"
    if not folder.exists():  # started from the lead's bundle, as a teammate does
        export_bundle_file(h.project, h.tmp / "lead.fsbundle")
        Project.from_bundle(h.tmp / "lead.fsbundle", folder, coder=coder).close()
    with Project.open(folder) as theirs:
        seg = theirs.transcript.segments(h.sid)[0]
        found = theirs.codebook.ensure_code_path(code)
        theirs.codebook.apply_code(seg.id, found.id, coder=coder)
        if edit is not None:
            second = theirs.transcript.segments(h.sid)[1]
            theirs.transcript.update_segment(second.id, text=edit)
        bundle = h.tmp / f"{coder}.fsbundle"
        export_bundle_file(theirs, bundle)
    return bundle


@control(
    "File ▸ New project from a team bundle…",
    "Main window ▸ StartPage ▸ Start from a team bundle…",
    effect="asks a bundle, then a new folder; the project made from it opens",
)
def _from_bundle(h: Harness) -> None:
    bundle = teammate_bundle(h)
    folder = h.tmp / "Mine.fieldscribe"
    h.file_answer = lambda caption, _f: str(bundle if "bundle" in caption else folder)
    h.window.projects.close_project()
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: h.window.project is not None)
    assert h.window.project.folder == folder
    assert len(h.window.project.codebook.codings()) == 10


@control("File ▸ Import audio…", effect="asks audio files; a session is added for each")
def _import_audio(h: Harness) -> None:
    from tests.media import espeak

    wav = espeak(h.tmp / "интервью.wav", "The clinic is far from the village.")
    h.file_answer = lambda _c, _f: str(wav)
    h.input_answer = lambda _t, items: next(i for i in items if "nterview" in i)
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: len(h.project.sessions.all()) == 2)
    h.qtbot.waitUntil(lambda: h.window.sessions_model.rowCount() == 2)


@control(
    "File ▸ Locate missing audio…",
    effect="asks a folder; each recording the project lacks found there (by its content) is "
    "copied in, and the session shown plays it",
)
def _locate_audio(h: Harness) -> None:
    import shutil

    h.select(row=0, code=None)
    media = h.project.sessions.media_path(h.sid)
    stick = h.tmp / "usb"
    stick.mkdir()
    shutil.copy(media, stick / "from the lead.wav")
    media.unlink()  # as a colleague's copy from a bundle made without the audio
    h.window.sessions.reopen_session(h.sid)
    h.wait()
    label = h.window.transcript_label
    assert "no audio" in label.full_text() and "Locate missing audio" in label.toolTip()
    assert "Locate missing audio" in h.window.waveform.empty_text
    h.file_answer = lambda _c, _f: str(stick)
    trigger(h, h.current)
    h.wait()
    assert media.read_bytes() == (stick / "from the lead.wav").read_bytes()
    assert "audio found in" in h.message()
    assert "no audio" not in label.full_text() and h.window.waveform.empty_text == "No audio"
    assert h.window.player.source == media


@control(
    "File ▸ Import a REFI-QDA project (.qdpx)…",
    effect="asks a .qdpx; its codes and sources are added to the open project",
)
def _import_qdpx(h: Harness) -> None:
    from storage import Project
    from storage.interop.qdpx_export import export_qdpx

    other = h.tmp / "Elsewhere.fieldscribe"
    with Project.create(other, name="Elsewhere", coder="zed") as p:
        p.codebook.ensure_code_path("Imported/From NVivo")
        export_qdpx(p, h.tmp / "elsewhere.qdpx")
    h.file_answer = lambda _c, _f: str(h.tmp / "elsewhere.qdpx")
    h.box_answer = YES
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: h.project.codebook.find_code("Imported/From NVivo") is not None)


@control(
    "File ▸ Export as REFI-QDA project (.qdpx)…",
    effect="asks the protections and a file; writes a .qdpx with the demo's codes and codings",
)
def _export_qdpx(h: Harness) -> None:
    path = export_answers(h, "demo.qdpx")
    trigger(h, h.current)
    written(h, path)
    qde = zipped(path, "project.qde")
    assert "Trust and privacy" in qde and qde.count("<Coding ") == 9


@control(
    "File ▸ Import a transcript into this session (srt, vtt, noScribe html, txt, docx)…",
    effect="asks a transcript file; its segments replace the session's (refused, said, "
    "while the session has codings)",
)
def _import_transcript(h: Harness) -> None:
    trigger(h, h.current)  # the demo is coded: said at once, nothing asked
    assert "coded segments" in h.window.last_error and not h.files
    new = h.project.sessions.add_session("Second interview")
    h.window.sessions.reload_sessions()
    h.wait()
    h.window.sessions.open_session(new.id)
    h.wait()
    srt = h.tmp / "t.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:02,000\nСәлеметсіз бе\n", encoding="utf-8")
    h.file_answer = lambda _c, _f: str(srt)
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: h.project.transcript.segment_count(new.id) == 1)
    assert h.project.transcript.segments(new.id)[0].text == "Сәлеметсіз бе"


@control(
    "File ▸ Import a transcript as a new session (no audio needed)…",
    effect="asks a transcript file; a new session without audio holds its segments",
)
def _import_transcript_session(h: Harness) -> None:
    before = len(h.project.sessions.all())
    srt = h.tmp / "Фокус-топ.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:02,000\nАйгүл: Сәлеметсіз бе\n", encoding="utf-8")
    h.file_answer = lambda _c, _f: str(srt)
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: len(h.project.sessions.all()) == before + 1)
    (made,) = [s for s in h.project.sessions.all() if s.title == "Фокус-топ"]
    assert [(g.speaker, g.text) for g in h.project.transcript.segments(made.id)] == [
        ("Айгүл", "Сәлеметсіз бе")
    ]
    h.qtbot.waitUntil(lambda: h.window.segment_model.rowCount() == 1)  # opened, shown
    assert h.window.state.session is not None and h.window.state.session.id == made.id


@control(
    "File ▸ Import a codebook (.qdc, .qdpx, .csv, .xlsx, .docx)…",
    effect="asks a codebook file; its codes are added",
)
def _import_codebook(h: Harness) -> None:
    csv = h.tmp / "codes.csv"
    csv.write_text("path,colour,description\nЗдоровье/Очереди,#ff0000,\n", encoding="utf-8")
    h.file_answer = lambda _c, _f: str(csv)
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: h.project.codebook.find_code("Здоровье/Очереди") is not None)


@control(
    "File ▸ Export the codebook (.qdc, .csv, .xlsx, .docx)…",
    effect="asks a file; writes the seven codes (CSV)",
)
def _export_codebook(h: Harness) -> None:
    path = export_answers(h, "codebook.csv")
    trigger(h, h.current)
    written(h, path)
    text = path.read_text(encoding="utf-8-sig")
    for name in ("Trust and privacy", "Connectivity", "Service centres", "Corruption"):
        assert name in text


@control(
    "File ▸ Export this transcript (txt, docx, srt, vtt, json)…",
    effect="asks a file; writes the shown session's eight segments (srt)",
)
def _export_transcript(h: Harness) -> None:
    path = export_answers(h, "transcript.srt")
    trigger(h, h.current)
    written(h, path)
    text = path.read_text(encoding="utf-8")
    assert "much faster than before" in text and text.count(" --> ") == 8


@control("File ▸ Export codings (.xlsx, .csv)…", effect="asks a file; writes the 9 codings (CSV)")
def _export_codings(h: Harness) -> None:
    path = export_answers(h, "codings.csv")
    trigger(h, h.current)
    written(h, path)
    lines = path.read_text(encoding="utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + 9 and "Corruption" in "".join(lines)


@control("File ▸ Settings…", effect="the Settings dialog; OK keeps the coder name typed")
def _settings(h: Harness) -> None:
    h.accept("SettingsDialog", lambda d: d.coder.setText("Aigerim"))
    trigger(h, h.current)
    assert h.window.settings.coder == "Aigerim"


@control(
    "File ▸ Project settings (languages, model)…",
    effect="the project's languages and model; OK records them in the project",
)
def _project_settings(h: Harness) -> None:
    h.accept("LanguagesDialog", lambda d: d.field.edit.setText("kk, ru"))
    trigger(h, h.current)
    assert type(h.dialogs[-1]).__name__ == "LanguagesDialog"
    assert h.project.languages == ["kk", "ru"]


@control(
    "File ▸ Coder name for this project…",
    effect="asks a name (for the lead's name, whose copy this is); the project codes as it",
)
def _project_coder(h: Harness) -> None:
    lead = h.project.team.lead
    h.accept("CoderNameDialog", lambda d: d.name.setText("Dana"))

    def mine(box: Any) -> int:  # "I am <lead>": the lead codes as Dana from now on
        (button,) = [b for b in box.buttons() if b.text().startswith("I am")]
        button.click()
        return 0

    h.dialog_answers["QMessageBox"] = mine
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: h.project.coder == "Dana")
    assert h.window.projects.coder_label.text() == "Coding as Dana"
    if lead is not None and lead != "Dana":
        assert h.project.team.lead == "Dana"  # asked, and the lead renamed with it


@control("File ▸ Close project", effect="the project closes; the start page shows")
def _close(h: Harness) -> None:
    trigger(h, h.current)
    assert h.window.project is None and h.window.stack.currentIndex() == 0


@control("File ▸ Quit", effect="the window closes")
def _quit(h: Harness) -> None:
    trigger(h, h.current)
    assert not h.window.isVisible() and h.window.project is None


# ---------------------------------------------------------------------- Edit
@control("Edit ▸ Undo", effect="undoes the last edit (greyed out with none)")
def _undo(h: Harness) -> None:
    before = h.segment().text
    h.window.segment_editor.setPlainText("Changed by hand.")
    h.window.segment_editor.commit()
    h.wait()
    assert h.project.transcript.get_segment(h.segment().id).text == "Changed by hand."
    trigger(h, h.current)
    assert h.project.transcript.get_segment(h.segment().id).text == before


@control("Edit ▸ Redo", effect="redoes the edit undone (greyed out with none)")
def _redo(h: Harness) -> None:
    seg = h.segment()
    h.window.segment_editor.setPlainText("Changed by hand.")
    h.window.segment_editor.commit()
    h.wait()
    h.window.undo_stack.undo()
    h.wait()
    trigger(h, h.current)
    assert h.project.transcript.get_segment(seg.id).text == "Changed by hand."


@control("Edit ▸ Split segment at cursor", effect="the segment becomes two at the text cursor")
def _split(h: Harness) -> None:
    editor = h.window.segment_editor
    cursor = editor.textCursor()
    cursor.setPosition(len("For me the problem is trust,"))
    editor.setTextCursor(cursor)
    trigger(h, h.current)
    texts = [s.text for s in h.project.transcript.segments(h.sid)]
    assert len(texts) == 9 and "For me the problem is trust," in texts


@control("Edit ▸ Merge with next segment", effect="the segment and the next become one")
def _merge(h: Harness) -> None:
    trigger(h, h.current)
    texts = [s.text for s in h.project.transcript.segments(h.sid)]
    assert len(texts) == 7 and any(t.startswith("For me") and "service center" in t for t in texts)


@control(
    "Edit ▸ Delete segment",
    effect="asks when codings or corrected text go with it; the selected segments go, the next "
    "is selected, Undo brings them back with their codings",
)
def _delete_segment(h: Harness) -> None:
    seg = h.segment()
    coded = {c.id for c in h.project.codebook.codings(segment_id=seg.id)}
    assert coded  # the demo's row 2 is coded: the question is asked
    after = h.window.segment_model.segment(h.window.transcript.currentIndex().row() + 1)
    trigger(h, h.current)  # Cancel: nothing goes
    assert len(h.project.transcript.segments(h.sid)) == 8 and h.boxes
    h.box_answer = YES
    trigger(h, h.current)
    h.wait()
    assert seg.id not in {s.id for s in h.project.transcript.segments(h.sid)}
    assert h.segment().id == after.id
    # a new transcription of the session leaves that speech out
    assert (seg.start_ms, seg.end_ms) in h.project.transcription.deleted_spans(h.sid)
    h.window.undo_stack.undo()
    h.wait()
    assert (seg.start_ms, seg.end_ms) not in h.project.transcription.deleted_spans(h.sid)
    assert h.project.transcript.get_segment(seg.id).text == seg.text
    assert {c.id for c in h.project.codebook.codings(segment_id=seg.id)} == coded


@control("Edit ▸ Change speaker…", effect="offers the speakers; the segment gets the one chosen")
def _speaker(h: Harness) -> None:
    h.input_answer = lambda _t, items: "Daniyar" if "Daniyar" in items else None
    seg = h.segment()
    trigger(h, h.current)
    assert h.project.transcript.get_segment(seg.id).speaker == "Daniyar"


@control("Edit ▸ Set language…", effect="offers languages; the segment gets the one chosen")
def _language(h: Harness) -> None:
    h.input_answer = lambda _t, items: next(i for i in items if "(kk)" in i)
    seg = h.segment()
    trigger(h, h.current)
    assert h.project.transcript.get_segment(seg.id).language == "kk"


@control("Edit ▸ Insert timestamp", effect="the play position goes into the text as [m:ss.t]")
def _timestamp(h: Harness) -> None:
    h.window.player.seek(15200)
    trigger(h, h.current)
    assert "[0:15.2]" in h.window.segment_editor.toPlainText()


@control("Edit ▸ Edit segment text", effect="the text editor takes the keyboard")
def _edit_text(h: Harness) -> None:
    h.window.activateWindow()
    h.window.transcript.setFocus()
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: h.window.segment_editor.hasFocus())


@control("Edit ▸ Next segment", effect="the next segment is current (the editor keeps the keys)")
def _next_segment(h: Harness) -> None:
    row = h.window.transcript.currentIndex().row()
    trigger(h, h.current)
    assert h.window.transcript.currentIndex().row() == row + 1
    assert h.window.segment_editor.toPlainText() == h.segment().text


@control("Edit ▸ Previous segment", effect="the previous segment is current")
def _previous_segment(h: Harness) -> None:
    row = h.window.transcript.currentIndex().row()
    trigger(h, h.current)
    assert h.window.transcript.currentIndex().row() == row - 1


@control("Edit ▸ Go to time…", effect="asks a time; the segment playing then is current")
def _go_to_time(h: Harness) -> None:
    model = h.window.segment_model
    target = model.segment(model.rowCount() - 1)
    h.input_answer = lambda _t, _items: f"0:{target.start_ms // 1000 + 0.5:04.1f}"
    trigger(h, h.current)
    assert h.inputs[-1][1] == "Go to time" and h.segment().id == target.id


@control("Edit ▸ Find in project…", effect="the Search dock in front, its box taking the keys")
def _find(h: Harness) -> None:
    h.window.activateWindow()
    trigger(h, h.current)
    assert h.dock("Search") is h.window.search_panel
    h.qtbot.waitUntil(lambda: h.window.search_panel.query.hasFocus())


# ---------------------------------------------------------------------- Playback
@control("Playback ▸ Play / pause", "Main window ▸ PlayerBar ▸ F4", effect="playback starts")
def _play(h: Harness) -> None:
    player = h.window.player
    asked: list[str] = []
    player._player.play = lambda: asked.append("play")  # offscreen: no audio device
    trigger(h, h.current)
    assert asked == ["play"] and player.source is not None


@control("Playback ▸ Back", "Main window ▸ PlayerBar ▸ F3", effect="the position goes back 5 s")
def _back(h: Harness) -> None:
    h.window.player.seek(20000)
    trigger(h, h.current)
    assert h.window.player.position() == 15000


@control("Playback ▸ Forward", "Main window ▸ PlayerBar ▸ F5", effect="the position goes on 5 s")
def _forward(h: Harness) -> None:
    h.window.player.seek(20000)
    trigger(h, h.current)
    assert h.window.player.position() == 25000


@control("Playback ▸ Play current segment", effect="plays from the selected segment's start")
def _play_segment(h: Harness) -> None:
    asked: list[str] = []
    h.window.player._player.play = lambda: asked.append("play")
    trigger(h, h.current)
    assert asked == ["play"] and h.window.player.position() == h.segment().start_ms


@control("Playback ▸ Slower", effect="the speed goes one step down")
def _slower(h: Harness) -> None:
    trigger(h, h.current)
    assert h.window.player.speed() == 0.75


@control("Playback ▸ Faster", effect="the speed goes one step up")
def _faster(h: Harness) -> None:
    trigger(h, h.current)
    assert h.window.player.speed() == 1.25


@control("Playback ▸ Normal speed", effect="the speed goes back to 1×")
def _normal(h: Harness) -> None:
    h.window.player.set_speed(1.5)
    trigger(h, h.current)
    assert h.window.player.speed() == 1.0


# ---------------------------------------------------------------------- Code
@control(
    "Code ▸ New code…",
    "Codebook menu ▸ New code",
    effect="asks a name; the code is added to the codebook",
)
def _new_code(h: Harness) -> None:
    h.input_answer = lambda _t, _i: "Очереди"
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: h.project.codebook.find_code("Очереди") is not None)


@control("Codebook menu ▸ Sub-code", effect="asks a name; a code under the selected one is added")
def _sub_code(h: Harness) -> None:
    h.input_answer = lambda _t, _i: "Kiosks"
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: h.project.codebook.find_code("Trust and privacy/Kiosks") is not None)


@control(
    "Code ▸ Code selection with the current code",
    effect="the words selected get the codebook's current code",
)
def _code_selection(h: Harness) -> None:
    h.select_words("once I upload it")
    before = codings(h)
    trigger(h, h.current)
    assert codings(h) == before + 1
    mine = [c for c in h.project.codebook.codings() if c.coder == "amina"]
    assert h.segment().text[mine[0].start_cp : mine[0].end_cp] == "once I upload it"


def _pin_check(n: int) -> Check:
    def check(h: Harness) -> None:
        code = h.project.codebook.find_code("Corruption")
        assert code is not None
        h.window.editing.pins.pin_code(code.id, n)
        before = codings(h)
        trigger(h, f"Code ▸ Pinned code {n}")
        assert codings(h) == before + 1
        assert any(c.code_id == code.id and c.coder == "amina" for c in
                   h.project.codebook.codings())  # fmt: skip

    return check


for _n in range(1, 10):
    control(f"Code ▸ Pinned code {_n}", effect="the code pinned to the key codes the segment")(
        _pin_check(_n)
    )


def _coded_segment(h: Harness) -> None:
    """Segment 3: the example coder's Connectivity and Service centres spans."""
    h.select(row=3)


@control("Code ▸ Remove a coding…", effect="offers the segment's codings; the one chosen goes")
def _remove_coding(h: Harness) -> None:
    _coded_segment(h)
    h.input_answer = lambda _t, items: next(i for i in items if "Connectivity" in i)
    trigger(h, h.current)
    assert codings(h) == 8
    assert not h.project.codebook.codings(code_id=h.project.codebook.find_code(
        "Access/Connectivity").id)  # fmt: skip


@control(
    "Code ▸ Re-assign a coding…",
    effect="the user's own coding chosen moves to the code chosen; another coder's (the "
    "demo's example coder's) is said to be theirs, not moved",
)
def _reassign(h: Harness) -> None:
    _coded_segment(h)
    h.input_answer = lambda title, items: next(
        i for i in items if ("Connectivity" if title == "Re-assign a coding" else "Corruption")
        == i.split(" ")[0].split("/")[-1]
    )  # fmt: skip
    corruption = h.project.codebook.find_code("Corruption")
    trigger(h, h.current)
    assert "example's coding is example's: only example can re-assign it" in h.message()
    assert len(h.project.codebook.codings(code_id=corruption.id)) == 1
    h.select(row=3, code="Access/Connectivity")
    connectivity = h.project.codebook.find_code("Access/Connectivity")
    h.window.editing.apply_code(connectivity.id)  # the user's own, on the whole segment
    h.wait()
    h.input_answer = lambda title, items: next(
        i for i in items
        if ("Connectivity" if title == "Re-assign a coding" else "Corruption")
        == i.split(" ")[0].split("/")[-1] and "· example" not in i
    )  # fmt: skip
    trigger(h, h.current)
    assert len(h.project.codebook.codings(code_id=corruption.id)) == 2


@control(
    "Code ▸ Coding memo…",
    effect="the memo typed is kept on the coding chosen, one of the user's own; another "
    "coder's (the demo's example coder's) is shown, not changed",
)
def _coding_memo(h: Harness) -> None:
    _coded_segment(h)
    h.input_answer = lambda title, items: (
        next(i for i in items if "Connectivity" in i) if items else "Плохой интернет"
    )
    before = [c.memo for c in h.project.codebook.codings()]
    trigger(h, h.current)
    assert "The memo of example's coding is example's" in h.message()
    assert [c.memo for c in h.project.codebook.codings()] == before
    h.select(row=3, code="Access/Connectivity")
    connectivity = h.project.codebook.find_code("Access/Connectivity")
    h.window.editing.apply_code(connectivity.id)  # the user's own, on the whole segment
    h.wait()
    h.input_answer = lambda title, items: (
        next(i for i in items if "Connectivity" in i and "· example" not in i)
        if items
        else "Плохой интернет"
    )
    trigger(h, h.current)
    assert "Плохой интернет" in [c.memo for c in h.project.codebook.codings()]


@control(
    "Code ▸ Link passage to…",
    effect="offers the segment's codings, then codes, passages, memos, participants and the "
    "session; the passage chosen is linked to the one chosen under the name and direction given",
)
def _link_passage(h: Harness) -> None:
    _coded_segment(h)

    def answer(title: str, items: list[str]) -> str:
        if title == "Link passage to":  # which of the segment's codings
            return next(i for i in items if "Connectivity" in i)
        if any(i.startswith("one way") for i in items):
            return items[0]
        if "is cause of" in items:
            return "is cause of"
        return next(i for i in items if i == "code 'Trust and privacy'")

    h.input_answer = answer
    before = len(h.project.links.all())
    trigger(h, h.current)
    h.wait()
    made = [k for k in h.project.links.all() if k.origin.kind == "coding"]
    assert len(h.project.links.all()) == before + 1 and len(made) == 1
    assert made[0].target.label == "code 'Trust and privacy'"
    assert made[0].origin.label.startswith("passage in ")


@control(
    "Code ▸ Link…",
    effect="offers every end (codes, passages of the session shown, memos, participants, the "
    "session), then every other; the first chosen is linked to the second, a participant first",
)
def _link_any(h: Harness) -> None:
    person = h.project.sessions.add_participant("P3")

    def answer(title: str, items: list[str]) -> str:
        if any(i.startswith("one way") for i in items):
            return items[0]
        if "is cause of" in items:
            return "is cause of"
        if "participant 'P3'" in items:
            return "participant 'P3'"
        return next(i for i in items if i == "code 'Trust and privacy'")

    h.input_answer = answer
    trigger(h, h.current)
    h.wait()
    made = [k for k in h.project.links.all() if k.origin.id == person.id]
    assert [k.describe() for k in made] == [
        "participant 'P3' → is cause of → code 'Trust and privacy'"
    ]


# ---------------------------------------------------------------------- Memos
@control(
    "Memos ▸ Link a memo…",
    effect="offers the memos, then codes, passages of the session shown, memos, participants "
    "and the session; the memo chosen is linked to the one chosen (or says there is no memo)",
)
def _link_memo(h: Harness) -> None:
    trigger(h, h.current)
    assert "There are no memos to link yet" in h.message() or h.inputs
    h.project.codebook.add_memo("journal", None, "Интернет плохой.", title="Сеть")

    def answer(_title: str, items: list[str]) -> str:
        if all(i.startswith("memo") for i in items):
            return next(i for i in items if i == "memo 'Сеть'")
        if any(i.startswith("one way") for i in items):
            return items[0]
        if "is cause of" in items:
            return "is cause of"
        assert any(i.startswith("passage in ") for i in items)  # the session shown's
        return next(i for i in items if i == "code 'Trust and privacy'")

    h.input_answer = answer
    trigger(h, h.current)
    h.wait()
    made = [
        (k.origin.label, k.target.label) for k in h.project.links.all() if k.origin.kind == "memo"
    ]
    assert made == [("memo 'Сеть'", "code 'Trust and privacy'")]


def _memo_check(title: str) -> Check:
    def check(h: Harness) -> None:
        trigger(h, h.current)
        memo = h.window_of("MemoDialog")
        assert memo.windowTitle() == title

    return check


for _name, _title in (
    ("Memos ▸ Project journal…", "Project journal"),
    ("Memos ▸ Session memos…", "Memos: Focus group: online public services"),
    ("Memos ▸ Segment memos…", "Memos on the segment at 0:14.8"),
    ("Memos ▸ Code memos…", "Memos on code Trust and privacy"),
    ("Codebook menu ▸ Memo…", "Memos on code Trust and privacy"),
):
    control(_name, effect=f"the memo window “{_title}”")(_memo_check(_title))
