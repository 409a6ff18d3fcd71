"""Every control of FieldScribe's GUI does something a user can see (a tester found "a CSV
button that did nothing"). ``CONTROLS`` is the table: each menu entry, context-menu entry and
button of the main window, its docks and panels, the Analysis window, the merge conflicts
window, Settings and Project settings -> the effect a user sees. Each is triggered on the demo
project in the state a user works in (its session shown, a segment and a code selected), with
the dialogs answered, and its effect checked. A control that appears without a row in the table
fails ``test_every_control_is_in_the_table``; every control triggered with nothing selected
gives a message, or is greyed out (``test_nothing_selected_is_said``)."""

from __future__ import annotations

import re
import sqlite3
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox

from tests.gui.every_control import (
    Harness,
    all_controls,
    buttons,
    demo_template,
    menu_actions,
    observe,
    open_demo_window,
)

YES = QMessageBox.StandardButton.Yes
Check = Callable[[Harness], None]
#: control name -> (what a user sees, the check)
CONTROLS: dict[str, tuple[str, Check]] = {}


def control(*names: str, effect: str) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        for name in names:
            assert name not in CONTROLS, name
            CONTROLS[name] = (effect, check)
        return check

    return register


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_template(tmp_path_factory.mktemp("demo") / "Demo.fieldscribe")


@pytest.fixture
def h(
    template: Path, tmp_path: Path, qtbot: Any, qsettings: Any, fake_transcriber: Any, idle: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Harness]:  # fmt: skip
    for harness in open_demo_window(template, tmp_path, qtbot, qsettings, fake_transcriber, idle):
        harness.patch(monkeypatch)
        harness.monkeypatch = monkeypatch
        harness.select()
        yield harness


def trigger(h: Harness, name: str) -> None:
    """Trigger the control ``name`` (a menu entry, or a button of a panel already open)."""
    found = dict(menu_actions_of(h))
    if name not in found:
        tops = [h.window, *QApplication.topLevelWidgets(), *h.dialogs]
        for top in tops:
            found.update(buttons(top))
    assert name in found, f"{name} not found"
    target = found[name]
    assert target.isEnabled(), f"{name} is greyed out"
    menu = target.menu() if isinstance(target, QAbstractButton) else None
    if isinstance(target, QAbstractButton) and menu is not None:
        target.click()  # its menu pops up: taken as shown, then closed
        if menu.isVisible():
            h.dialogs.append(menu)  # type: ignore[arg-type]
            menu.close()
    elif isinstance(target, QAbstractButton):
        target.click()
    else:
        target.trigger()
    h.wait()


def menu_actions_of(h: Harness) -> Iterator[tuple[str, Any]]:
    for top in h.window.menuBar().actions():
        yield from menu_actions(top.menu(), top.text().replace("&", ""))
    yield from ((f"Sessions list ▸ {a.text()}", a) for a in h.window.sessions_view.actions())
    codebook = h.window.codebook
    for a in [*codebook.actions(), codebook.act_expand_all, codebook.act_collapse_all]:
        yield f"Codebook menu ▸ {a.text()}", a


def rows(h: Harness, sql: str, *args: Any) -> list[Any]:
    """Read the project's database as another program would (what was committed)."""
    with sqlite3.connect(h.project.folder / "project.db") as db:
        return db.execute(sql, args).fetchall()


def codings(h: Harness) -> int:
    return len(h.project.codebook.codings())


def zipped(path: Path, member: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(member).decode("utf-8")


def export_answers(h: Harness, name: str) -> Path:
    """The options dialog accepted, consent answered Yes, the file saved as ``name``."""
    h.dialog_answers["ExportOptionsDialog"] = lambda _d: 1
    h.box_answer = YES
    return h.saving_to(name)


def written(h: Harness, path: Path) -> None:
    h.qtbot.waitUntil(path.is_file)
    h.wait()
    assert path.stat().st_size > 0


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
    "File ▸ Import a codebook (.qdc, .csv, .xlsx)…",
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


@control("File ▸ Coder name for this project…", effect="asks a name; the project codes as it")
def _project_coder(h: Harness) -> None:
    h.accept("CoderNameDialog", lambda d: d.name.setText("Dana"))
    trigger(h, h.current)
    h.qtbot.waitUntil(lambda: h.project.coder == "Dana")
    assert h.window.projects.coder_label.text() == "Coding as Dana"


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


@control("Code ▸ Re-assign a coding…", effect="the coding chosen moves to the code chosen")
def _reassign(h: Harness) -> None:
    _coded_segment(h)
    h.input_answer = lambda title, items: next(
        i for i in items if ("Connectivity" if title == "Re-assign a coding" else "Corruption")
        == i.split(" ")[0].split("/")[-1]
    )  # fmt: skip
    trigger(h, h.current)
    corruption = h.project.codebook.find_code("Corruption")
    assert len(h.project.codebook.codings(code_id=corruption.id)) == 2


@control("Code ▸ Coding memo…", effect="the memo typed is kept on the coding chosen")
def _coding_memo(h: Harness) -> None:
    _coded_segment(h)
    h.input_answer = lambda title, items: (
        next(i for i in items if "Connectivity" in i) if items else "Плохой интернет"
    )
    trigger(h, h.current)
    assert "Плохой интернет" in [c.memo for c in h.project.codebook.codings()]


# ---------------------------------------------------------------------- Memos
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
                    if d.windowTitle() == title)  # fmt: skip
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
    panel.table.selectRow(row)
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
    _speakers(h)
    h.input_answer = lambda _t, items: "Chynara"
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
    assert [pids[c.participant_id] for c in h.project.privacy.consents()] == ["Aigerim"]


@control(
    "Ethics ▸ ConsentTab ▸ Check session",
    effect="says who in the session lacks consent for the purpose",
)
def _check_session(h: Harness) -> None:
    tab = _ethics_tab(h, "Consent").consent
    trigger(h, h.current)  # "All sessions" chosen
    assert tab.status.text() == "Choose a session to check."
    tab.session.setCurrentIndex(tab.session.findData(h.sid))
    trigger(h, h.current)
    assert "Aigerim" in tab.status.text()


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
    assert "Aigerim → P01" in tab.candidates.item(0, 1).text()


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
    tab.table.selectRow(0)
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


# ---------------------------------------------------------------------- Analysis window
def _analysis_tab(h: Harness, attr: str) -> tuple[Any, Any]:
    trigger(h, "View ▸ Analysis…")
    window = h.window_of("AnalysisWindow")
    tab = getattr(window, attr)
    window.tabs.setCurrentWidget(tab)  # type: ignore[attr-defined]
    h.wait()
    return window, tab


_TABS = {
    "MatrixTab": "matrix",
    "CooccurrenceTab": "cooccurrence",
    "TimelineTab": "timeline",
    "FrequenciesTab": "frequencies",
}


def _analysis_export(h: Harness) -> None:
    cls, what = h.current.split(" ▸ ")[1], h.current.split(" ▸ ")[-1]
    window, _tab = _analysis_tab(h, _TABS[cls])
    if what == "Export":  # the button: its menu of exports
        trigger(h, h.current)
        assert h.dialogs and [a.text() for a in h.dialogs[-1].actions()] == [
            "Chart (PNG, SVG)…",
            "Table (xlsx, csv)…",
        ]
        return
    chart = what.startswith("Chart")
    path = h.saving_to(f"{cls}.{'png' if chart else 'csv'}")
    trigger(h, h.current)
    h.qtbot.waitUntil(path.is_file)
    h.wait()
    if chart:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        text = path.read_text(encoding="utf-8-sig")
        assert len(text.strip().splitlines()) >= 2, text
    assert window.status.text().startswith("Wrote")  # type: ignore[attr-defined]


for _cls in _TABS:
    control(f"Analysis ▸ {_cls} ▸ Export", effect="its menu: chart or table")(_analysis_export)
    control(
        f"Analysis ▸ {_cls} ▸ Export ▸ Chart (PNG, SVG)…",
        effect="asks a file; writes the tab's chart as a picture",
    )(_analysis_export)
    control(
        f"Analysis ▸ {_cls} ▸ Export ▸ Table (xlsx, csv)…",
        effect="asks a file; writes the tab's table",
    )(_analysis_export)


@control(
    "Analysis ▸ FrequenciesTab ▸ Export lines…",
    effect="asks a file; writes the keyword-in-context lines of the word typed",
)
def _kwic(h: Harness) -> None:
    _window, tab = _analysis_tab(h, "frequencies")
    tab.what.setCurrentIndex(tab.what.findData("words"))
    tab.kwic_word.setText("portal")
    tab.kwic_word.returnPressed.emit()
    h.wait()
    h.qtbot.waitUntil(lambda: len(tab.kwic.lines) == 2)
    path = h.saving_to("kwic.csv")
    trigger(h, h.current)
    h.qtbot.waitUntil(path.is_file)
    h.wait()
    assert path.read_text(encoding="utf-8-sig").count("portal") >= 2


@control("Analysis ▸ FilterBar ▸ All sessions", effect="its menu: the sessions to count, ticked")
def _sessions_filter(h: Harness) -> None:
    _analysis_tab(h, "matrix")
    trigger(h, h.current)
    assert h.dialogs and [a.text() for a in h.dialogs[-1].actions()] == [
        "Focus group: online public services"
    ]


@control(
    "Analysis ▸ FilterBar ▸ All sessions ▸ Focus group: online public services",
    effect="ticked: the tabs count that session only (the button says how many)",
)
def _session_ticked(h: Harness) -> None:
    window, _tab = _analysis_tab(h, "matrix")
    trigger(h, h.current)
    bar = window.filter_bar  # type: ignore[attr-defined]
    assert bar.filters().sessions == (h.sid,) and bar.sessions_button.text() == "1 session"


# ---------------------------------------------------------------------- Settings
def in_settings(h: Harness, body: Callable[[Any], Any], ok: bool = False) -> None:
    """File ▸ Settings…; ``body(dialog)`` while it is open (its models checked)."""
    ran: list[bool] = []

    def answer(d: Any) -> int:
        h.qtbot.waitUntil(lambda: not d.models.busy())
        h.dialogs.append(d)
        body(d)
        ran.append(True)
        return 1 if ok else 0

    h.dialog_answers["SettingsDialog"] = answer
    trigger(h, "File ▸ Settings…")
    assert ran


def _select_model(h: Harness, page: Any, name: str) -> None:
    page.select(name)
    h.wait()
    assert page.selected() is not None and page.selected().name == name


@control(
    "FieldScribe settings ▸ ModelsPage ▸ Install…",
    effect="offers the models to download (small first)",
)
def _install(h: Harness) -> None:
    in_settings(h, lambda _d: trigger(h, h.current))
    assert h.inputs[-1][1] == "Install a Whisper model" and "small" in h.inputs[-1][2]


@control("FieldScribe settings ▸ ModelsPage ▸ Import…", effect="its menu: a folder or an archive")
def _import_menu(h: Harness) -> None:
    in_settings(h, lambda _d: trigger(h, h.current))
    assert [a.text() for a in h.dialogs[-1].actions()] == [
        "From a folder…",
        "From an archive (.zip, .tar.gz)…",
    ]


def _import_model(h: Harness) -> None:
    empty = h.tmp / "not a model"
    empty.mkdir()
    (h.tmp / "bad.zip").write_bytes(b"not a zip")
    said: list[str] = []

    h.input_answer = lambda _t, _i: "mymodel"  # the name asked for a folder's odd name

    def body(d: Any) -> None:
        h.file_answer = lambda _c, _f: str(empty if "folder" in _c else h.tmp / "bad.zip")
        trigger(h, h.current)
        h.qtbot.waitUntil(lambda: not d.models.busy())
        said.append(d.models.status.text())

    in_settings(h, body)
    assert h.files and said[0], "nothing said"
    assert ("not a model" in said[0] or "bad.zip" in said[0]) and "#b00020" in (
        h.dialogs[-1].models.status.styleSheet()  # type: ignore[attr-defined]
    ), said


control(
    "FieldScribe settings ▸ ModelsPage ▸ Import… ▸ From a folder…",
    effect="asks a folder; imports the model there (one that is not: says so, in red)",
)(_import_model)
control(
    "FieldScribe settings ▸ ModelsPage ▸ Import… ▸ From an archive (.zip, .tar.gz)…",
    effect="asks an archive; imports the model in it (a bad file: says so, in red)",
)(_import_model)


@control("FieldScribe settings ▸ ModelsPage ▸ Remove", effect="asks; Yes deletes the model")
def _remove_model(h: Harness) -> None:
    from transcribe import model_store
    from transcribe.models import bundled_model_path

    tiny = bundled_model_path()
    assert tiny is not None
    source = h.tmp / "usb" / "kk"
    source.mkdir(parents=True)
    for f in tiny.iterdir():
        (source / f.name).write_bytes(f.read_bytes())
    info = model_store.import_model(source, load_check=False)
    assert info.path is not None and info.path.is_dir()
    h.box_answer = YES

    def body(d: Any) -> None:
        _select_model(h, d.models, "kk")
        trigger(h, h.current)
        h.qtbot.waitUntil(lambda: not d.models.busy())

    in_settings(h, body)
    assert h.boxes[-1][1] == "Remove model" and not info.path.exists()


@control(
    "FieldScribe settings ▸ ModelsPage ▸ Verify",
    effect="reads the model's files again and says they match their checksums",
)
def _verify(h: Harness) -> None:
    said: list[str] = []

    def body(d: Any) -> None:
        page = d.models
        name = next(i.name for i in page.table.rows if i.source.startswith("bundled") or True)
        _select_model(h, page, name)
        trigger(h, h.current)
        h.qtbot.waitUntil(lambda: not page.busy())
        said.append(page.status.text())

    in_settings(h, body)
    assert "every file matches the checksum" in said[0], said


@control(
    "FieldScribe settings ▸ ModelsPage ▸ Measure speed",
    "FieldScribe settings ▸ ModelsPage ▸ Cancel",
    effect="transcribes a test recording and says how fast (Cancel, shown meanwhile, stops it)",
)
def _measure(h: Harness) -> None:
    said: list[str] = []

    def body(d: Any) -> None:
        page = d.models
        _select_model(h, page, page.table.rows[0].name)
        trigger(h, "FieldScribe settings ▸ ModelsPage ▸ Measure speed")
        if h.current.endswith("Cancel"):
            h.qtbot.waitUntil(lambda: not page.cancel_button.isHidden())
            trigger(h, h.current)
        h.qtbot.waitUntil(lambda: not page.busy(), timeout=120_000)
        said.append(page.status.text())

    in_settings(h, body)
    if h.current.endswith("Cancel"):
        assert said == ["Speed measurement stopped."]
    else:
        assert "×" in said[0] or "real time" in said[0], said


@control("FieldScribe settings ▸ OK", effect="the settings typed are kept")
def _settings_ok(h: Harness) -> None:
    def body(d: Any) -> None:
        d.coder.setText("Aigerim")
        trigger(h, h.current)

    in_settings(h, body)
    assert h.window.settings.coder == "Aigerim"


@control("FieldScribe settings ▸ Cancel", effect="the settings typed are dropped")
def _settings_cancel(h: Harness) -> None:
    def body(d: Any) -> None:
        d.coder.setText("Aigerim")
        trigger(h, h.current)
        assert d.result() == 0 and not d.isVisible()

    in_settings(h, body)
    assert h.window.settings.coder == "amina"


def _project_settings_button(h: Harness) -> None:
    def answer(d: Any) -> int:
        h.dialogs.append(d)
        d.field.edit.setText("kk, ru")
        trigger(h, h.current)
        return int(d.result())

    h.dialog_answers["LanguagesDialog"] = answer
    trigger(h, "File ▸ Project settings (languages, model)…")
    ok = h.current.endswith("OK")
    assert h.project.languages == (["kk", "ru"] if ok else [])


control("Project settings ▸ OK", effect="the languages typed are kept in the project")(
    _project_settings_button
)
control("Project settings ▸ Cancel", effect="nothing changes")(_project_settings_button)


# ---------------------------------------------------------------------- Record dock
def _recording(h: Harness, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The Record dock with a microphone that has sent 0.7 s of audio, recording."""
    from PySide6.QtCore import QByteArray
    from PySide6.QtMultimedia import QAudioDevice

    from gui.record_panel import RecordPanel
    from gui.recording_engine import Recorder
    from storage.recordings.recording import ActiveRecording

    class Mic:
        pending = b"\0\0" * (16000 * 7 // 10)

        def readAll(self) -> QByteArray:  # Qt's name
            data, self.pending = self.pending, b""
            return QByteArray(data)

    def start(self: Recorder) -> ActiveRecording:
        self.recording = ActiveRecording(
            self.folder, sample_rate=16000, channels=1, sample_width=2, device="test",
            guide=self.guide,
        )  # fmt: skip
        self._io = Mic()  # type: ignore[assignment]
        self.state_changed.emit("recording")
        return self.recording

    monkeypatch.setattr(Recorder, "start", start)
    monkeypatch.setattr(RecordPanel, "_current_device", lambda _self: QAudioDevice())
    trigger(h, "Record ▸ Record a session…")
    panel = h.dock("Record")
    panel.ask_details = False  # type: ignore[attr-defined]
    panel.device_combo.addItem("Test microphone", "test")  # type: ignore[attr-defined]
    panel.device_combo.setCurrentIndex(panel.device_combo.count() - 1)  # type: ignore[attr-defined]
    panel.guide_edit.setPlainText("How do you book?\nAnd then?")  # type: ignore[attr-defined]
    panel._update_buttons()  # type: ignore[attr-defined]
    if not h.current.endswith(("● Record", "Load guide…")):
        trigger(h, "Record ▸ _UpAndDown ▸ ● Record")
        panel.recorder._can_mark()  # type: ignore[attr-defined]  # the audio sent is read
        h.wait()
    return panel


def _record_check(h: Harness) -> None:
    panel = _recording(h, h.monkeypatch)
    what = h.current.split(" ▸ ")[-1]
    if what == "Load guide…":
        guide = h.tmp / "guide.txt"
        guide.write_text("Как вы записываетесь к врачу?\nЧто потом?\n", encoding="utf-8")
        h.file_answer = lambda _c, _f: str(guide)
        trigger(h, h.current)
        assert "Как вы записываетесь к врачу?" in panel.guide_edit.toPlainText()
        return
    if what == "● Record":
        trigger(h, h.current)
        assert panel.is_recording and panel.recorder.recording is not None
    elif what == "Marker (M)":
        panel.note_edit.setText("Aigerim arrives")
        trigger(h, h.current)
        assert [m.note for m in panel.recorder.recording.markers] == ["Aigerim arrives"]
    elif what == "Next question (N)":
        trigger(h, h.current)
        assert panel.question_label.text() == "Q1: How do you book?"
    elif what == "Pause":
        trigger(h, h.current)
        assert panel.recorder.is_paused and panel.pause_button.text() == "Resume"
    elif what == "■ Stop":
        trigger(h, h.current)
        h.qtbot.waitUntil(lambda: len(h.project.sessions.all()) == 2)
        h.qtbot.waitUntil(lambda: not panel.is_recording and panel.recorder is None)
        return
    if panel.recorder is not None and panel.is_recording:
        panel.stop_recording()
        h.qtbot.waitUntil(lambda: panel.recorder is None)


for _what, _effect in (
    ("_UpAndDown ▸ ● Record", "recording starts from the chosen microphone (greyed out: none)"),
    ("_UpAndDown ▸ Pause", "the recording pauses; the button says Resume"),
    ("_UpAndDown ▸ ■ Stop", "the recording stops and is saved as a new session"),
    ("_UpAndDown ▸ Marker (M)", "a marker with the note typed, at the audio heard now"),
    ("GuideBox ▸ Next question (N)", "the guide's next question is stamped and shown"),
    ("GuideBox ▸ Load guide…", "asks a file; its questions fill the interview guide"),
):
    control(f"Record ▸ {_what}", effect=_effect)(_record_check)


# ---------------------------------------------------------------------- team dialogs
def in_dialog(h: Harness, cls: str, menu: str, body: Callable[[Any], Any]) -> None:
    """``menu``'s dialog ``cls``; ``body(dialog)`` while it is open; its result returned."""
    ran: list[bool] = []

    def answer(d: Any) -> int:
        h.dialogs.append(d)
        body(d)
        ran.append(True)
        return int(d.result())

    h.dialog_answers[cls] = answer
    trigger(h, menu)
    assert ran


@control(
    "Export a team bundle ▸ Browse…",
    effect="asks a teammate's public key; its path is filled in and that choice ticked",
)
def _browse_key(h: Harness) -> None:
    key = h.tmp / "bob.pub"
    h.file_answer = lambda _c, _f: str(key)

    def body(d: Any) -> None:
        trigger(h, h.current)
        assert d.key_file.text() == str(key) and d.with_key.isChecked()

    in_dialog(h, "BundleExportDialog", "Team ▸ Export a bundle…", body)


@control(
    "Export a team bundle ▸ Export…",
    effect="a passphrase typed twice differently is refused, said; a plain bundle is written",
)
def _bundle_export_button(h: Harness) -> None:
    path = h.saving_to("plain.fsbundle")

    def body(d: Any) -> None:
        d.with_passphrase.setChecked(True)
        d.passphrase.setText("сезам")
        d.confirm.setText("сезаm")
        trigger(h, h.current)
        assert d.problem.text() == "The two passphrases differ." and not d.result()
        d.plain.setChecked(True)
        trigger(h, h.current)
        assert d.result() == 1

    in_dialog(h, "BundleExportDialog", "Team ▸ Export a bundle…", body)
    written(h, path)


@control("Export a team bundle ▸ Cancel", effect="nothing is written")
def _bundle_cancel(h: Harness) -> None:
    h.saving_to("never.fsbundle")
    in_dialog(h, "BundleExportDialog", "Team ▸ Export a bundle…", lambda _d: trigger(h, h.current))
    h.wait()
    assert not h.files and not (h.tmp / "out" / "never.fsbundle").exists()


@control("Project lead ▸ Record as lead", effect="the name typed is recorded as the lead")
def _record_lead(h: Harness) -> None:
    def body(d: Any) -> None:
        d.name.setText("Dana")
        d.take_over.setChecked(True)
        trigger(h, h.current)

    in_dialog(h, "LeadDialog", "Team ▸ Project lead…", body)
    h.qtbot.waitUntil(lambda: h.project.team.lead == "Dana")


@control("Project lead ▸ Cancel", effect="the lead stays as it was")
def _lead_cancel(h: Harness) -> None:
    before = h.project.team.lead

    def body(d: Any) -> None:
        d.name.setText("Dana")
        trigger(h, h.current)

    in_dialog(h, "LeadDialog", "Team ▸ Project lead…", body)
    h.wait()
    assert h.project.team.lead == before


# ---------------------------------------------------------------------- the tests
@pytest.mark.parametrize("name", sorted(CONTROLS))
def test_control(h: Harness, name: str) -> None:
    h.current = name
    CONTROLS[name][1](h)


def test_every_control_is_in_the_table(h: Harness) -> None:
    """A control added without a row here fails: a new button is checked from its first day."""
    found = set(all_controls(h))
    missing, gone = sorted(found - set(CONTROLS)), sorted(set(CONTROLS) - found)
    assert not missing, "controls missing from CONTROLS:\n" + "\n".join(missing)
    assert not gone, "controls in CONTROLS that are gone:\n" + "\n".join(gone)


def _nothing_selected(h: Harness) -> None:
    """The session shown, no segment and no code selected."""
    w = h.window
    w.transcript.setCurrentIndex(w.segment_model.index(-1, 0))
    w.transcript.clearSelection()
    w.codebook.tree.setCurrentIndex(w.codebook.model.index(-1, 0))
    w.codebook.tree.clearSelection()
    h.wait()
    assert h.segment() is None and w.codebook.current_code() is None


def _menu_names() -> list[str]:
    """The menus' and context menus' entries (not the panels' buttons)."""
    return sorted(
        n
        for n in CONTROLS
        if n.split(" ▸ ")[0] in _MENUS and not re.fullmatch(r"_?[A-Z]\w+", n.split(" ▸ ")[1])
    )


_MENUS = {"File", "Edit", "Playback", "Code", "Memos", "Transcription", "View", "Record",
          "Speakers", "Ethics", "Team", "Sessions list", "Codebook menu"}  # fmt: skip
#: what these do is already so: the layout is the default one, the demo's branches are open
#: (and a new project's codebook has none to open or close)
_ALREADY = {"View ▸ Reset layout", "Codebook menu ▸ Expand all", "Codebook menu ▸ Collapse all"}


@pytest.mark.parametrize("name", _menu_names())
def test_nothing_selected_is_said(h: Harness, name: str) -> None:
    """Each menu entry with no segment or code selected: greyed out, or it does something a
    user sees (a message at least), never nothing."""
    _nothing_selected(h)
    _said_or_greyed(h, name)


def _said_or_greyed(h: Harness, name: str) -> None:
    action = dict(menu_actions_of(h))[name]
    if not action.isEnabled() or name in _ALREADY:
        return
    h.window.player.seek(10_000)  # Back and Normal speed have something to do
    h.window.player.set_speed(1.5)
    h.window.statusBar().clearMessage()
    changed = observe(h)
    action.trigger()
    h.wait()
    assert changed(), f"{name} did nothing a user can see"


@pytest.mark.parametrize("name", _menu_names())
def test_no_session_is_said(h: Harness, name: str) -> None:
    """The same in a project with no session yet (a new project): greyed out, or said."""
    from storage import Project

    Project.create(h.tmp / "New.fieldscribe", name="New", coder="amina").close()
    assert h.window.projects.open_project(h.tmp / "New.fieldscribe")
    h.wait()
    assert h.window.session is None
    _said_or_greyed(h, name)


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("Code ▸ Remove a coding…", "Remove a coding: select the coded segment"),
        ("Code ▸ Re-assign a coding…", "Re-assign a coding: select the coded segment"),
        ("Code ▸ Coding memo…", "Coding memo: select the coded segment"),
        ("Playback ▸ Play current segment", "Select the segment to play"),
    ],
)
def test_what_needs_a_segment_says_so(h: Harness, name: str, said: str) -> None:
    """These did nothing at all with no segment selected."""
    _nothing_selected(h)
    trigger(h, name)
    assert h.message().startswith(said) and not h.inputs and not h.played


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("Sessions list ▸ Rename session… (F2)", "No session to rename"),
        ("Sessions list ▸ Delete session… (Delete)", "No session to delete"),
        ("Transcription ▸ Transcribe session", "Select the session to transcribe"),
        ("Transcription ▸ Transcribe on a cluster…", "Select the session to transcribe"),
    ],
)
def test_what_needs_a_session_says_so(h: Harness, name: str, said: str) -> None:
    """These did nothing at all in a project with no session yet."""
    from storage import Project

    Project.create(h.tmp / "New.fieldscribe", name="New", coder="amina").close()
    assert h.window.projects.open_project(h.tmp / "New.fieldscribe")
    h.wait()
    trigger(h, name)
    assert h.message().startswith(said) and not h.inputs and not h.boxes


def _out_of_sight(h: Harness, top: Any) -> list[str]:
    """The buttons of ``top`` shown but cut off (a scroll area scrolled to them first)."""
    from PySide6.QtWidgets import QDockWidget, QScrollArea

    screen = top.screen().availableGeometry()
    size = top.size()  # (offscreen puts a window 2 px in, for a frame it does not draw)
    laptop = screen.width() >= 1024 and screen.height() >= 700  # not the 800-px test screen
    fits = top is h.window or not laptop or size.boundedTo(screen.size()) == size
    assert fits, f"{type(top).__name__} {size} {screen}"
    cut = []
    for name, button in buttons(top):
        if not isinstance(button, QAbstractButton) or not button.isVisible():
            continue
        dock = button.parentWidget()
        while dock is not None and not isinstance(dock, QDockWidget):
            dock = dock.parentWidget()
        if dock is not None and dock.visibleRegion().isEmpty():
            continue  # a tab behind another: its turn comes when it is in front
        scroll = button.parentWidget()
        while scroll is not None and not isinstance(scroll, QScrollArea):
            scroll = scroll.parentWidget()
        if scroll is not None:
            scroll.ensureWidgetVisible(button)
            QApplication.processEvents()
        if button.visibleRegion().boundingRect() != button.rect():
            cut.append(f"{name}: {button.visibleRegion().boundingRect()} of {button.rect()}")
    return cut


@pytest.mark.parametrize("size", [(1024, 700), (1366, 768)])
def test_every_button_is_in_sight(
    h: Harness, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window at a laptop's size, each panel in front in turn: every button it shows is
    whole in sight, or its panel scrolls to it; the other windows fit the screen (run with
    QT_QPA_PLATFORM=offscreen:configfile=…/screen_1024x700.json for a laptop's)."""
    for module in ("gui.layout", "gui.main_window", "gui.panels"):
        monkeypatch.setattr(f"{module}.fit_to_screen", lambda _w: None)
    h.window.resize(*size)
    h.wait()
    h.window.reset_layout()
    h.wait()
    assert (h.window.width(), h.window.height()) == size
    cut = _out_of_sight(h, h.window)
    for menu in (
        "View ▸ Session details",
        "View ▸ Retrieval",
        "Record ▸ Record a session…",
        "Speakers ▸ Speakers of this session",
        *(f"Ethics ▸ {tab}" for tab in ("Consent", "Pseudonyms", "Redactions", "Audit log")),
        "Team ▸ Inter-coder agreement",
        "Team ▸ Disagreements",
    ):
        trigger(h, menu)
        cut += _out_of_sight(h, h.window)
    trigger(h, "View ▸ Analysis…")
    analysis = h.window_of("AnalysisWindow")
    for i in range(analysis.tabs.count()):  # type: ignore[attr-defined]
        analysis.tabs.setCurrentIndex(i)  # type: ignore[attr-defined]
        h.wait()
        cut += _out_of_sight(h, analysis)
    _conflicted(h)
    cut += _out_of_sight(h, h.window_of("ConflictDialog"))

    def shown(d: Any) -> int:
        d.show()
        h.wait()
        if hasattr(d, "tabs"):
            h.qtbot.waitUntil(lambda: not d.models.busy())
            for i in range(d.tabs.count()):
                d.tabs.setCurrentIndex(i)
                h.wait()
                cut.extend(_out_of_sight(h, d))
        else:
            cut.extend(_out_of_sight(h, d))
        d.hide()
        return 0

    h.dialog_answers["SettingsDialog"] = h.dialog_answers["LanguagesDialog"] = shown
    trigger(h, "File ▸ Settings…")
    trigger(h, "File ▸ Project settings (languages, model)…")
    h.window.projects.close_project()
    h.window.start_page.show_demo_offer(True)
    h.wait()
    cut += _out_of_sight(h, h.window)
    assert not cut, "\n".join(sorted(set(cut)))


#: where each panel's buttons are: the menu entry that brings it in front
_PANEL_OF = {
    "Session details": "View ▸ Session details",
    "Retrieval": "View ▸ Retrieval",
    "Record": "Record ▸ Record a session…",
    "Speakers": "Speakers ▸ Speakers of this session",
    "Ethics ▸ ConsentTab": "Ethics ▸ Consent",
    "Ethics ▸ PseudonymTab": "Ethics ▸ Pseudonyms",
    "Ethics ▸ RedactionTab": "Ethics ▸ Redactions",
    "Ethics ▸ AuditTab": "Ethics ▸ Audit log",
    "Agreement": "Team ▸ Inter-coder agreement",
    "Disagreements": "Team ▸ Disagreements",
    "Analysis": "View ▸ Analysis…",
    "Merge conflicts": "Team ▸ Resolve merge conflicts…",
    "Search": "Edit ▸ Find in project…",
    "Main window ▸ PlayerBar": "View ▸ Codebook",  # always there
}


def _panel_buttons() -> list[str]:
    def in_panel(n: str) -> bool:
        return any(n.startswith(place + " ▸ ") for place in _PANEL_OF) and n.count(" ▸ ") >= 2

    return sorted(n for n in CONTROLS if in_panel(n) or n.startswith("Main window ▸ PlayerBar"))


@pytest.mark.parametrize("name", _panel_buttons())
def test_panel_buttons_with_nothing_selected(h: Harness, name: str) -> None:
    """Each panel's button, the panel just opened and nothing selected in it or in the
    transcript: hidden, greyed out, or it does something a user sees (a message at least)."""
    _nothing_selected(h)
    place = next(p for p in _PANEL_OF if name.startswith(p + " ▸ "))
    if not name.startswith("Main window"):
        trigger(h, _PANEL_OF[place])
    found: dict[str, Any] = {}
    for top in [h.window, *QApplication.topLevelWidgets()]:
        found.update(buttons(top))
    target = found[name]
    if isinstance(target, QAbstractButton) and (not target.isVisible() or not target.isEnabled()):
        return
    if not isinstance(target, QAbstractButton) and not target.isEnabled():
        return
    h.window.player.seek(10_000)
    h.window.statusBar().clearMessage()
    if name.endswith("Refresh"):
        h.qtbot.wait(1100)  # it says the time it read the log, to the second
    changed = observe(h)
    if isinstance(target, QAbstractButton):
        target.click()
        menu = target.menu()
        if menu is not None and menu.isVisible():
            h.dialogs.append(menu)  # type: ignore[arg-type]
            menu.close()
    else:
        target.trigger()
    h.wait()
    assert changed(), f"{name} did nothing a user can see"


@pytest.mark.parametrize("name", _menu_names())
def test_start_page_is_said(h: Harness, name: str) -> None:
    """The same on the start page (no project open): greyed out, or said."""
    h.window.projects.close_project()
    h.wait()
    if name.startswith("Codebook menu"):
        return  # the codebook is not on the start page
    menus = {t.replace("&", ""): m for t, m in h.window.chrome.menus.items()}
    menu = menus.get(name.split(" ▸ ")[0])
    action = dict(menu_actions_of(h)).get(name)
    if action is None:
        return  # a project's panel entry, gone with the project
    if menu is not None and not menu.menuAction().isEnabled() and action.shortcut().isEmpty():
        return  # the whole menu is greyed out, and no key reaches the entry
    _said_or_greyed(h, name)


@pytest.mark.parametrize(
    "keys", ["Ctrl+Shift+R", "Ctrl+J", "Ctrl+R", "Ctrl+Shift+C", "Ctrl+T", "Ctrl+Shift+A"]
)
def test_a_projects_key_on_the_start_page_says_to_open_one(h: Harness, keys: str) -> None:
    """The start page greys out the project's menus, but their keys still reached the entries
    (Record a session…, Project journal…, Transcribe session, …), which did nothing."""
    from PySide6.QtGui import QKeySequence
    from PySide6.QtTest import QTest

    from gui.chrome import NO_PROJECT

    h.window.projects.close_project()
    h.wait()
    h.window.activateWindow()
    combo = QKeySequence(keys)[0]
    QTest.keyClick(h.window, combo.key(), combo.keyboardModifiers())
    h.wait()
    assert h.message() == NO_PROJECT and h.window.project is None
