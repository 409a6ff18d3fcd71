"""File ▸ imports ask what the command line's options say: the frame rate of a transcript's
frame times (--fps) and the folder holding what a .qdpx names outside its archive
(--media-dir). The real dialogs are answered here, and grabbed as pictures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from storage import Project, SegmentDraft
from tests.gui.test_team_menu import _action, _answer_files, _app_window
from tests.interop_support import make_wav, write_qdpx

#: the real modal loops (conftest makes an unanswered one fail): these tests answer them
_REAL_EXEC = {QDialog: QDialog.exec, QMessageBox: QMessageBox.exec}

IMPORT_TRANSCRIPT = "Import a transcript into this session (srt, vtt, noScribe html, txt, docx)…"
IMPORT_QDPX = "Import a REFI-QDA project (.qdpx)…"


@pytest.fixture(autouse=True)
def real_dialogs(monkeypatch: pytest.MonkeyPatch, modal_dialogs_fail: None) -> None:
    for cls, exec_ in _REAL_EXEC.items():
        monkeypatch.setattr(cls, "exec", exec_)


def _answer_modal(
    shots: Path,
    answer: Callable[[QWidget], None],
    seen: list[QWidget],
    kind: str | None = None,
) -> None:
    """When a dialog opens modally (of the class named ``kind``, if given: a busy window may
    come first): note it, save a picture of it, answer it."""

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if (
            dialog is None
            or not dialog.isVisible()
            or (kind is not None and type(dialog).__name__ != kind)
        ):
            QTimer.singleShot(20, look)
            return
        seen.append(dialog)
        QApplication.processEvents()
        shots.mkdir(parents=True, exist_ok=True)
        assert dialog.grab().save(str(shots / f"{type(dialog).__name__}-{len(seen)}.png"))
        screen = dialog.screen().availableGeometry()
        assert dialog.frameGeometry().width() <= screen.width(), dialog.frameGeometry()
        assert dialog.frameGeometry().height() <= screen.height(), dialog.frameGeometry()
        answer(dialog)

    QTimer.singleShot(0, look)


def _click(text: str) -> Callable[[QWidget], None]:
    def click(dialog: QWidget) -> None:
        for button in dialog.findChildren(QPushButton):
            if button.text().replace("&", "") == text:
                button.click()
                return
        raise AssertionError(f"no button {text!r}")

    return click


def _pick_rate(rate: str | None, then: str = "Import") -> Callable[[QWidget], None]:
    def pick(dialog: QWidget) -> None:
        combo = dialog.findChild(QComboBox)
        assert combo is not None
        combo.setCurrentIndex(combo.findData(rate))
        _click(then)(dialog)

    return pick


@pytest.fixture
def empty_session(window: Any, idle: Any) -> Any:
    sid = window.project.sessions.add_session("Interview 2").id
    window.sessions.reload_sessions()
    window.sessions.open_segment_session(sid)
    idle(window)
    return window, sid


#: Premiere's frame times: frame 15 is 0.6 s at 25 frames a second, 0.5 s at 30
_FRAMES = "[00:00:01:15] Айгүл: Біз ХҚКО-ға бардық.\n[00:00:04:00] Болат: Кезек ұзын болды.\n"


@pytest.mark.parametrize(
    ("rate", "starts"), [("25", [1600, 4000]), (None, [1500, 4000]), ("29.97", [1502, 4004])]
)
def test_a_transcript_with_frame_times_asks_their_rate(
    empty_session: Any,
    idle: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    rate: str | None,
    starts: list[int],
) -> None:
    """The GUI read every frame time at 30 frames a second (or as the file's drop-frame
    marks said) with no way to give the rate, as the CLI's --fps does: a 25 fps video's
    transcript landed up to 0.16 s early, a 29.97 one 3.6 s early after an hour."""
    w, sid = empty_session
    path = tmp_path / "premiere.txt"
    path.write_text(_FRAMES, encoding="utf-8")
    _answer_files(monkeypatch, getOpenFileName=path)
    seen: list[QWidget] = []
    _answer_modal(tmp_path / "shots", _pick_rate(rate), seen)
    _action(w, "&File", IMPORT_TRANSCRIPT).trigger()
    idle(w)
    assert [type(d).__name__ for d in seen] == ["FrameRateDialog"]
    said_in_dialog = " ".join(label.text() for label in seen[0].findChildren(QLabel))
    assert "premiere.txt gives 2 times as frames (HH:MM:SS:FF" in said_in_dialog
    segs = w.project.transcript.segments(sid)
    assert [(s.start_ms, s.speaker) for s in segs] == [(starts[0], "Айгүл"), (starts[1], "Болат")]
    said = f"at {rate} frames a second, as given" if rate else "read at 30 frames a second"
    assert said in w.exchange.last_report, w.exchange.last_report


def test_cancelling_the_rate_imports_nothing_and_a_clock_file_is_not_asked(
    empty_session: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w, sid = empty_session
    path = tmp_path / "premiere.txt"
    path.write_text(_FRAMES, encoding="utf-8")
    _answer_files(monkeypatch, getOpenFileName=path)
    seen: list[QWidget] = []
    _answer_modal(tmp_path / "shots", _pick_rate("25", then="Cancel"), seen)
    _action(w, "&File", IMPORT_TRANSCRIPT).trigger()
    idle(w)
    assert len(seen) == 1 and w.project.transcript.segments(sid) == []
    clock = tmp_path / "clock.txt"  # clock times, and a frame time said in the speech
    clock.write_text("[00:00:01] Анна: Позвоните Мне 10:15:20:05\n", encoding="utf-8")
    _answer_files(monkeypatch, getOpenFileName=clock)
    _action(w, "&File", IMPORT_TRANSCRIPT).trigger()
    idle(w)
    assert len(seen) == 1  # no question
    assert [s.text for s in w.project.transcript.segments(sid)] == ["Позвоните Мне 10:15:20:05"]


def _outside_archive(tmp_path: Path) -> tuple[Path, Path, str, str]:
    """A .qdpx naming a recording and a text outside it, and the folder holding both."""
    folder = tmp_path / "from colleague"
    make_wav(folder, "Short words.").rename(folder / "talk 1.wav")
    (folder / "texts").mkdir()
    (folder / "texts" / "interview1.txt").write_text(
        "Мы ходили в ЦОН.\nКезек ұзын болды.\n", encoding="utf-8"
    )
    talk, text = "c3000000-0000-4000-8000-000000000001", "c3000000-0000-4000-8000-000000000002"
    qde = (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="ext"><Sources>'
        f'<AudioSource guid="{talk}" name="Talk" path="C:\\Data\\talk%201.wav"/>'
        f'<TextSource guid="{text}" name="Interview 1" '
        'plainTextPath="relative://texts/interview1.txt"/>'
        "</Sources></Project>"
    )
    return write_qdpx(tmp_path / "ext.qdpx", qde), folder, talk, text


@pytest.mark.parametrize("choice", ["Choose the folder…", "Import without them", "Cancel"])
def test_a_qdpx_with_files_outside_it_asks_for_their_folder_naming_them(
    window: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, choice: str
) -> None:
    """A text the file linked outside its archive was only listed as not imported, and the
    folder was offered (after the import) only for recordings, so the text source could not be
    read from the GUI as `qdpx import --media-dir` reads it. Now the import asks first, names
    each file missing, and reads what the chosen folder holds."""
    w = window
    archive, folder, talk, text = _outside_archive(tmp_path)
    _answer_files(monkeypatch, getOpenFileName=archive, getExistingDirectory=folder)
    seen: list[QWidget] = []
    _answer_modal(tmp_path / "shots", _click(choice), seen)
    _action(w, "&File", IMPORT_QDPX).trigger()
    idle(w)
    assert w.last_error == ""
    assert len(seen) == 1 and isinstance(seen[0], QMessageBox)
    asked = seen[0].text()
    assert "ext.qdpx names 2 files that are not inside it" in asked
    assert "the recording of 'Talk': talk 1.wav" in asked
    assert "the text of 'Interview 1': interview1.txt" in asked
    project: Project = w.project
    titles = sorted(s.title for s in project.sessions.all())
    if choice == "Cancel":
        assert titles == []
        return
    media = project.sessions.media_for_session(talk)
    if choice == "Choose the folder…":
        assert titles == ["Interview 1", "Talk"]
        assert [m.original_name for m in media] == ["talk 1.wav"]
        lines = [s.text.strip() for s in project.transcript.segments(text)]
        assert lines == ["Мы ходили в ЦОН.", "Кезек ұзын болды."]
        assert (folder / "talk 1.wav").is_file()  # copied, not moved
    else:  # as before: the recording and the text are said to be missing
        assert titles == ["Talk"] and media == []
        report = w.exchange.last_report
        assert "'talk 1.wav'" not in report and "its text 'relative://texts" in report


def test_a_new_project_from_a_qdpx_asks_too_and_a_whole_archive_asks_nothing(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    idle: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    archive, folder, _talk, text = _outside_archive(tmp_path)
    w = _app_window(qtbot, qsettings, fake_transcriber)
    target = tmp_path / "imported.fieldscribe"
    _answer_files(
        monkeypatch, getOpenFileName=archive, getSaveFileName=target, getExistingDirectory=folder
    )
    seen: list[QWidget] = []
    _answer_modal(tmp_path / "shots", _click("Choose the folder…"), seen)
    w.start_page.import_qdpx.click()
    idle(w)
    assert len(seen) == 1 and w.project is not None and w.project.folder == target
    assert next(s.text for s in w.project.transcript.segments(text)) == "Мы ходили в ЦОН."
    # a project whose files are all inside its archive: no question
    from storage.interop.qdpx_export import export_qdpx

    whole = tmp_path / "whole.qdpx"
    src = Project.create(tmp_path / "src.fieldscribe", coder="x")
    session = src.sessions.add_session("Field notes")
    src.transcript.add_segments(session.id, [SegmentDraft(0, 0, "Rain all day.")])
    export_qdpx(src, whole)
    src.close()
    _answer_files(monkeypatch, getOpenFileName=whole)
    _action(w, "&File", IMPORT_QDPX).trigger()
    idle(w)
    assert len(seen) == 1 and "Field notes" in [s.title for s in w.project.sessions.all()]
    w.close()


@pytest.mark.parametrize("kind", ["transcript", "qdpx"])
def test_the_files_an_import_asks_about_are_read_off_the_gui_thread(
    empty_session: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """The GUI thread read a .qdpx's project.qde for the files it names outside itself and a
    transcript for its frame times: a 97 MB project.qde froze the window 17 s, a 100,000-line
    transcript 3 s. Both are read on a worker now."""
    import threading

    import gui.transcript_imports
    import storage.interop.qdpx_import as qdpx_import

    w, sid = empty_session
    on_gui: list[bool] = []
    files_outside = qdpx_import.files_outside
    frame_time_count = gui.transcript_imports.frame_time_count

    def outside(archive: Any) -> Any:
        on_gui.append(threading.current_thread() is threading.main_thread())
        return files_outside(archive)

    def frames(path: Any) -> int:
        on_gui.append(threading.current_thread() is threading.main_thread())
        return frame_time_count(path)

    monkeypatch.setattr(qdpx_import, "files_outside", outside)
    monkeypatch.setattr(gui.transcript_imports, "frame_time_count", frames)
    seen: list[QWidget] = []
    if kind == "transcript":
        path = tmp_path / "premiere.txt"
        path.write_text(_FRAMES, encoding="utf-8")
        _answer_files(monkeypatch, getOpenFileName=path)
        _answer_modal(tmp_path / "shots", _pick_rate("25"), seen)
        _action(w, "&File", IMPORT_TRANSCRIPT).trigger()
        idle(w)
        assert [s.start_ms for s in w.project.transcript.segments(sid)] == [1600, 4000]
    else:
        archive, folder, _talk, _text = _outside_archive(tmp_path)
        _answer_files(monkeypatch, getOpenFileName=archive, getExistingDirectory=folder)
        _answer_modal(tmp_path / "shots", _click("Import without them"), seen)
        _action(w, "&File", IMPORT_QDPX).trigger()
        idle(w)
        assert "Talk" in [s.title for s in w.project.sessions.all()]
    assert on_gui == [False]


def test_a_slow_look_at_a_file_shows_a_busy_dialog_whose_cancel_imports_nothing(
    empty_session: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import gui.transcript_imports

    w, sid = empty_session
    release = threading.Event()

    def slow(_path: Any) -> int:
        release.wait(20)
        return 0

    monkeypatch.setattr(gui.transcript_imports, "frame_time_count", slow)
    path = tmp_path / "big.txt"
    path.write_text("[00:00:01] Анна: Да.\n", encoding="utf-8")
    _answer_files(monkeypatch, getOpenFileName=path)
    seen: list[QWidget] = []
    _answer_modal(tmp_path / "shots", _click("Cancel"), seen)
    _action(w, "&File", IMPORT_TRANSCRIPT).trigger()
    qtbot_wait = 0
    while not seen and qtbot_wait < 100:  # the busy dialog shows after 0.3 s
        QApplication.processEvents()
        threading.Event().wait(0.05)
        qtbot_wait += 1
    assert seen and "Reading big.txt" in seen[0].windowTitle()
    release.set()
    idle(w)
    assert w.project.transcript.segments(sid) == []
    assert w.exchange.last_report == "Reading big.txt: cancelled; nothing was imported."
