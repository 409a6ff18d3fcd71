"""The finished panels reached from the main window: speakers, ethics, recovery, REC title."""

from __future__ import annotations

import importlib.util
import subprocess
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from storage import Project
from storage.recordings.recording import ActiveRecording
from storage.recordings.wavfile import wav_header
from tests.gui.gui_helpers import Asked
from transcribe.diarize.backend import DiarizationCancelled

YES, NO = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
CANCEL = QMessageBox.StandardButton.Cancel


def _action(window: Any, menu: str, text: str) -> Any:
    return next(a for a in window.chrome.menus[menu].actions() if a.text() == text)


def _transcribed(window: Any, qtbot: Any, idle: Any, wav: Path) -> str:
    window.transcription.import_files([wav])
    idle(window)
    sid = window.project.sessions.all()[0].id
    window.transcription.start_transcription(sid)
    idle(window)
    qtbot.waitUntil(lambda: window.segment_model.rowCount() == 4, timeout=30000)
    return sid


def _speakers(window: Any) -> list[str | None]:
    model = window.segment_model
    return [model.segment(r).speaker for r in range(model.rowCount())]


def test_speakers_dock_follows_the_session_and_edits_reload_the_transcript(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path, tmp_path: Path
) -> None:
    sid = _transcribed(window, qtbot, idle, speech_wav)
    _action(window, "&Speakers", "Speakers of this session").trigger()
    panel = window.extra_panels.docks["speakers"].widget()
    assert panel.session_id == sid
    assert sorted(panel.labels()) == ["Moderator", "P1", "P2"]

    assert panel.rename("P1", "Amira")  # a hand edit in the dock...
    idle(window)
    qtbot.waitUntil(lambda: "Amira" in _speakers(window), timeout=30000)
    assert _speakers(window) == ["Moderator", "Amira", "P2", "Amira"]  # ...shows in the transcript

    # another session selected: the dock follows
    tone = tmp_path / "tone.wav"
    subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", str(tone), "synth", "1", "sine", "440"])
    window.transcription.import_files([tone])
    idle(window)
    other = next(s.id for s in window.project.sessions.all() if s.id != sid)
    window.sessions.open_segment_session(other)
    idle(window)
    assert panel.session_id == other and panel.labels() == []
    window.sessions.open_segment_session(sid)
    idle(window)
    assert panel.session_id == sid and "Amira" in panel.labels()


@pytest.mark.skipif(
    importlib.util.find_spec("torch") is not None, reason="the speakers extra is installed"
)
def test_detect_speakers_prefills_the_count_and_explains_the_missing_extra(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path
) -> None:
    project: Project = window.project
    sid = _transcribed(window, qtbot, idle, speech_wav)
    for label, name in (("P1", "Amira"), ("P2", "Bo")):
        project.sessions.map_speaker(sid, label, project.sessions.add_participant(name).id)
    before = [(s.id, s.speaker, s.text) for s in project.transcript.segments(sid)]

    _action(window, "&Speakers", "Detect speakers…").trigger()
    dialog = window.extra_panels.speaker_dialog
    assert dialog is not None
    assert dialog.exact.isChecked() and dialog.count.value() == 2  # two participants mapped
    assert dialog.options() == {"num_speakers": 2}
    dialog.between.setChecked(True)
    dialog.minimum.setValue(2)
    dialog.maximum.setValue(4)
    assert dialog.options() == {"min_speakers": 2, "max_speakers": 4}
    dialog.accept()
    idle(window)
    qtbot.waitUntil(lambda: "pip install" in window.last_error, timeout=30000)
    assert "speakers" in window.last_error
    assert [(s.id, s.speaker, s.text) for s in project.transcript.segments(sid)] == before
    assert window.extra_panels.diarizing == {}


@pytest.mark.skipif(
    importlib.util.find_spec("torch") is not None, reason="the speakers extra is installed"
)
def test_detect_speakers_asks_before_replacing_hand_edits(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project: Project = window.project
    sid = _transcribed(window, qtbot, idle, speech_wav)
    project.speakers.rename_speaker(sid, "P2", "Bo")  # a hand correction
    no = Asked(NO)
    monkeypatch.setattr(QMessageBox, "question", no)
    window.extra_panels.detect_speakers(sid)
    idle(window)
    assert len(no.texts) == 1 and "corrected by hand" in no.texts[0]
    assert window.last_error == ""  # declined: nothing else happens
    assert project.speakers.speaker_edited_count(sid) == 1

    yes = Asked(YES)
    monkeypatch.setattr(QMessageBox, "question", yes)
    window.extra_panels.detect_speakers(sid, num_speakers=2)
    idle(window)
    qtbot.waitUntil(lambda: "pip install" in window.last_error, timeout=30000)
    # the re-run with replace=True got past the hand-edit check to the (missing) backend
    assert len(yes.texts) == 1
    assert project.speakers.speaker_edited_count(sid) == 1


def test_detect_speakers_again_asks_in_the_workbench_words(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Detecting speakers again over hand corrections asked "1 segments of session 'x' have
    speakers corrected by hand; nothing was changed. Re-run with --replace to overwrite them."
    (the command line's words) in the workbench."""
    from storage.core.errors import InUseError

    project: Project = window.project
    sid = _transcribed(window, qtbot, idle, speech_wav)
    first = project.transcript.segments(sid)[0]
    window.editing.set_speaker([first.id], "Bo")  # a hand correction
    idle(window)
    assert project.speakers.speaker_edited_count(sid) == 1
    title = project.sessions.get_session(sid).title

    def diarizer(project: Any, session_id: str, **kw: Any) -> Any:
        if not kw.get("replace"):  # what transcribe.speakers.diarize_session raises
            raise InUseError(
                f"1 segment of session {title!r} has its speaker corrected by hand; "
                "nothing was changed. Re-run with --replace to overwrite it."
            )
        return None

    window.extra_panels.diarizer = diarizer
    no = Asked(NO)
    monkeypatch.setattr(QMessageBox, "question", no)
    window.extra_panels.detect_speakers(sid)
    idle(window)
    (text,) = no.texts
    assert "--replace" not in text and "1 segments" not in text, text
    assert f"1 segment of “{title}” has a speaker you corrected by hand" in text, text
    assert window.last_error == ""


def test_detecting_one_speaker_says_so_in_english(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path
) -> None:
    """Detection said "Detected 1 speakers." and a tooltip "1 segments corrected by hand"."""
    from types import SimpleNamespace

    project: Project = window.project
    sid = _transcribed(window, qtbot, idle, speech_wav)
    first = project.transcript.segments(sid)[0]
    window.editing.set_speaker([first.id], "Bo")  # a hand correction
    idle(window)

    def diarizer(project: Any, session_id: str, **kw: Any) -> Any:
        return SimpleNamespace(speakers=["Speaker 1"])

    window.extra_panels.diarizer = diarizer
    window.extra_panels.detect_speakers(sid, replace=True)
    idle(window)
    assert "Detected 1 speaker." in window.statusBar().currentMessage()
    panel = window.extra_panels.show_speakers()
    row = panel.labels().index("Bo")
    assert "1 segment corrected by hand" in panel.table.item(row, 0).toolTip()


def test_detect_speakers_progress_and_cancel(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path
) -> None:
    sid = _transcribed(window, qtbot, idle, speech_wav)
    calls: list[dict[str, Any]] = []
    started = threading.Event()

    def diarizer(project: Any, session_id: str, **kw: Any) -> Any:
        calls.append({"session_id": session_id, **kw})
        kw["progress"](0.25, "finding speech")
        started.set()
        assert kw["cancel"].wait(10)
        raise DiarizationCancelled("Speaker detection was cancelled; nothing was changed.")

    window.extra_panels.diarizer = diarizer
    window.extra_panels.detect_speakers(sid, max_speakers=3)
    assert started.wait(5)
    qtbot.waitUntil(lambda: "25 %" in window.statusBar().currentMessage(), timeout=30000)
    _action(window, "&Speakers", "Cancel speaker detection").trigger()
    idle(window)
    assert "cancelled" in window.statusBar().currentMessage()
    assert window.last_error == ""
    assert calls[0]["session_id"] == sid and calls[0]["max_speakers"] == 3
    assert calls[0]["replace"] is False


def test_ethics_menu_opens_the_privacy_tabs(window: Any) -> None:
    from gui.privacy_panel import PrivacyPanel

    texts = [a.text() for a in window.chrome.menus["Eth&ics"].actions() if not a.isSeparator()]
    assert texts == [
        "Consent",
        "Pseudonyms",
        "Redactions",
        "Audit log",
        "Redact the selected words…",
    ]
    _action(window, "Eth&ics", "Audit log").trigger()
    panel = window.extra_panels.docks["privacy"].widget()
    assert isinstance(panel, PrivacyPanel) and panel.currentIndex() == 3
    _action(window, "Eth&ics", "Pseudonyms").trigger()
    assert window.extra_panels.docks["privacy"].widget() is panel
    assert panel.currentIndex() == 1 and panel.isVisible()


def test_transcription_warns_when_consent_is_missing(
    window: Any, idle: Any, speech_wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project: Project = window.project
    window.transcription.import_files([speech_wav])
    idle(window)
    sid = project.sessions.all()[0].id
    amira = project.sessions.add_participant("Amira")
    project.sessions.map_speaker(sid, "P1", amira.id)
    project.consent.set_consent(amira.id, None, recording=True, transcription=False)

    cancel = Asked(CANCEL)
    monkeypatch.setattr(QMessageBox, "question", cancel)
    assert window.transcription.start_transcription(sid) is None
    idle(window)
    assert len(cancel.texts) == 1 and "Amira" in cancel.texts[0]
    assert "transcription" in cancel.texts[0]
    assert project.transcript.segment_count(sid) == 0  # nothing transcribed

    yes = Asked(YES)
    monkeypatch.setattr(QMessageBox, "question", yes)
    assert window.transcription.start_transcription(sid) is not None
    idle(window)
    assert len(yes.texts) == 1 and project.transcript.segment_count(sid) == 4

    project.consent.set_consent(amira.id, None, recording=True, transcription=True)
    for label in ("Moderator", "P2"):  # the transcript brought new speakers: map them too
        pid = project.sessions.add_participant(label.lower()).id
        project.sessions.map_speaker(sid, label, pid)
        project.consent.set_consent(pid, sid, recording=True, transcription=True)
    ask = Asked(NO)
    monkeypatch.setattr(QMessageBox, "question", ask)
    # consent complete: no consent question
    window.transcription.start_transcription(sid, replace=True)
    idle(window)
    assert ask.texts == [] and project.transcript.segment_count(sid) == 4


def test_retrieval_export_warns_when_consent_is_missing(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    project: Project = window.project
    sid = _transcribed(window, qtbot, idle, speech_wav)
    code = project.codebook.add_code("Trust")
    seg = next(s for s in project.transcript.segments(sid) if "trust" in s.text)
    project.codebook.apply_code(seg.id, code.id)
    window.editing.reload_codebook()
    idle(window)
    window.retrieval.select_code(code.id)
    idle(window)
    qtbot.waitUntil(lambda: window.retrieval.model.rowCount() == 1, timeout=30000)
    bo = project.sessions.add_participant("Bo")
    project.sessions.map_speaker(sid, "P1", bo.id)
    project.consent.set_consent(bo.id, None, transcription=True, quotation=False)
    out = tmp_path / "out.csv"
    from gui.exchange import ExportOptionsDialog

    monkeypatch.setattr(ExportOptionsDialog, "exec", lambda self: 1)  # protections as offered
    cancel = Asked(CANCEL)
    monkeypatch.setattr(QMessageBox, "question", cancel)
    window.retrieval._export(str(out))
    idle(window)
    assert len(cancel.texts) == 1 and "Bo" in cancel.texts[0] and "export" in cancel.texts[0]
    assert not out.exists()

    yes = Asked(YES)
    monkeypatch.setattr(QMessageBox, "question", yes)
    window.retrieval._export(str(out))
    idle(window)
    assert out.exists() and "trust" in out.read_text(encoding="utf-8")


def test_retrieval_export_hides_redactions_and_is_logged(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """Retrieval's Export CSV… wrote redacted words in clear and left no audit entry, where
    File ▸ Export codings hid them: it now asks the same protections and is logged."""
    import csv

    from gui.exchange import ExportOptionsDialog

    project: Project = window.project
    sid = _transcribed(window, qtbot, idle, speech_wav)
    code = project.codebook.add_code("Trust")
    seg = next(s for s in project.transcript.segments(sid) if "trust" in s.text)
    start = seg.text.index("trust")
    project.codebook.apply_code(seg.id, code.id, start_cp=start, end_cp=len(seg.text))
    project.redactions.redact(seg.id, start, start + len("trust"), "TOPIC")
    window.editing.reload_codebook()
    idle(window)
    window.retrieval.select_code(code.id)
    idle(window)
    qtbot.waitUntil(lambda: window.retrieval.model.rowCount() == 1, timeout=30000)
    monkeypatch.setattr(ExportOptionsDialog, "exec", lambda self: 1)
    monkeypatch.setattr(QMessageBox, "question", Asked(YES))  # speakers without consent
    out = tmp_path / "retrieved.csv"
    window.retrieval._export(str(out))
    idle(window)
    (row,) = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert "trust" not in row["coded_text"] and "[TOPIC]" in row["coded_text"]
    assert "trust" not in row["segment_text"] and row["code"] == "Trust"
    logged = [e.details for e in project.audit.entries(action="export")]
    assert [d["redacted"] for d in logged if d["file"] == "retrieved.csv"] == [True]

    def unprotected(self: Any) -> int:  # the lead's own copy: protections off, still logged
        self.redactions.setChecked(False)
        return 1

    monkeypatch.setattr(ExportOptionsDialog, "exec", unprotected)
    window.retrieval._export(str(out))
    idle(window)
    (row,) = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert row["coded_text"].startswith("trust")
    logged = [e.details for e in project.audit.entries(action="export")]
    assert sorted(d["redacted"] for d in logged if d["file"] == "retrieved.csv") == [False, True]


def _crashed_recording(folder: Path, seconds: float = 1.5) -> None:
    """A recording whose process died: stale header sizes, journal lock released."""
    rate = 16000
    rec = ActiveRecording(folder, sample_rate=rate, channels=1, title="Group A")
    t = np.arange(int(seconds * rate)) / rate
    rec.feed((np.sin(2 * np.pi * 440 * t) * 12000).astype("<i2").tobytes())
    rec.writer.close()
    with open(rec.wav_path, "r+b") as fh:
        fh.write(wav_header(rate, 1, 2, 0))
    rec.release()


def test_opening_a_project_restores_an_unfinished_recording(
    window: Any, qtbot: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a: told.append(text))
    with Project.create(tmp_path / "Crash.fieldscribe", coder="coder-a") as crashed:
        folder = crashed.folder
        _crashed_recording(folder)
        assert crashed.sessions.all() == []
    assert window.projects.open_project(folder)
    qtbot.waitUntil(lambda: window.sessions_model.rowCount() == 1, timeout=30000)
    idle(window)
    session = window.project.sessions.all()[0]
    assert "(Group A)" in session.title and session.duration_ms == 1500
    assert len(told) == 1 and "Restored" in told[0]
    # opening it again restores nothing twice
    window.projects.close_project()
    assert window.projects.open_project(folder)
    qtbot.wait(50)
    idle(window)
    assert len(window.project.sessions.all()) == 1 and len(told) == 1


def test_recording_shows_in_the_window_title(window: Any) -> None:
    _action(window, "&Record", "Record a session…").trigger()
    panel = window.extra_panels.docks["record"].widget()
    assert window.windowTitle() == "Study — FieldScribe"
    panel.title_hint.emit("● REC 12:34")
    assert window.windowTitle() == "● REC 12:34 — Study — FieldScribe"
    panel.title_hint.emit("")
    assert window.windowTitle() == "Study — FieldScribe"


def test_a_search_hit_says_its_words_were_just_redacted(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path, monkeypatch: Any
) -> None:
    """A day at 1366x768: words of a segment listed by Search were redacted; the hit went on
    reading as before, without the "redacted: [PLACE]" that hits holding redacted words show,
    until the search was run again. The hits are read again once words are redacted."""
    from gui.ask_dialog import AskDialog

    _transcribed(window, qtbot, idle, speech_wav)
    window.transcript.go_to_row(1)
    idle(window)
    editor = window.segment_editor
    word = editor.toPlainText().split()[0].strip(".,")
    panel = window.search_panel
    panel.query.setText(word)
    window.sessions.run_search(word)
    idle(window)
    hits = [panel.results.item(i).text() for i in range(panel.results.count())]
    assert hits and not any("redacted" in hit for hit in hits), hits
    editor.select_cp(0, len(word))
    monkeypatch.setattr(AskDialog, "ask", staticmethod(lambda *_a, **_k: ("place", True)))
    window.extra_panels.redact_selection()
    idle(window)
    hits = [panel.results.item(i).text() for i in range(panel.results.count())]
    assert any(hit.endswith(" · redacted: [PLACE]") for hit in hits), hits


def test_redacted_words_are_marked_in_the_editor(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path, monkeypatch: Any
) -> None:
    """Ethics ▸ Redact the selected words… changed nothing on screen: the words looked as
    before, in the editor as in any later visit. They are struck through on grey, and their
    tooltip says what exports show; un-redacting takes the mark away."""
    from PySide6.QtGui import QTextCursor

    from gui.ask_dialog import AskDialog
    from gui.select_row import select_row

    project: Project = window.project
    _transcribed(window, qtbot, idle, speech_wav)
    window.transcript.go_to_row(1)
    idle(window)
    editor = window.segment_editor
    text = editor.toPlainText()
    word = text.split()[0]
    cursor = editor.textCursor()
    cursor.setPosition(0)
    cursor.setPosition(len(word), QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)

    def struck() -> list[tuple[int, int]]:
        return [
            (s.cursor.selectionStart(), s.cursor.selectionEnd())
            for s in editor.extraSelections()
            if s.format.fontStrikeOut()
        ]

    assert struck() == []
    monkeypatch.setattr(AskDialog, "ask", staticmethod(lambda *_a, **_k: ("name", True)))
    window.extra_panels.redact_selection()
    idle(window)
    qtbot.waitUntil(lambda: struck() == [(0, len(word))], timeout=30000)
    assert any("exports show [NAME]" in tip for _a, _b, tip, _coding in editor._spans)
    # another segment and back: still marked
    window.transcript.go_to_row(0)
    idle(window)
    assert struck() == []
    window.transcript.go_to_row(1)
    idle(window)
    assert struck() == [(0, len(word))]
    assert len(project.redactions.all()) == 1
    tab = window.extra_panels.show_privacy(2).redactions  # Ethics ▸ Redactions: Un-redact
    select_row(tab.table, 0)  # as a click does, whatever keys a test before left held
    assert tab._selected() == [r.id for r in project.redactions.all()]
    tab.remove.click()
    idle(window)
    assert tab.status.text() == ""  # no refusal
    assert project.redactions.all() == []
    window.transcript.go_to_row(0)
    window.transcript.go_to_row(1)
    idle(window)
    assert struck() == []


def test_redacted_words_are_marked_in_the_transcript_table(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path, monkeypatch: Any, tmp_path: Path
) -> None:
    """Redacted words were struck through only in the segment editor: the transcript table
    showed them as any other words, so a coder reading the table did not see what exports
    hide. The table strikes them through on grey too, its tooltip says what exports show, and
    un-redacting takes the mark away."""
    from PySide6.QtGui import QTextCursor

    from gui.ask_dialog import AskDialog
    from gui.models.segments import COL_TEXT, REDACTIONS_ROLE
    from gui.search_panel import HIT_ROLE

    project: Project = window.project
    _transcribed(window, qtbot, idle, speech_wav)
    window.transcript.go_to_row(1)
    idle(window)
    model, view = window.segment_model, window.transcript
    index = model.index(1, COL_TEXT)
    word = model.segment(1).text.split()[0]

    def cell() -> Any:
        view.scrollTo(index)
        return view.viewport().grab(view.visualRect(index)).toImage()

    view.clearSelection()  # the highlight would hide the mark
    idle(window)
    before = cell()
    editor = window.segment_editor
    cursor = editor.textCursor()
    cursor.setPosition(0)
    cursor.setPosition(len(word), QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    monkeypatch.setattr(AskDialog, "ask", staticmethod(lambda *_a, **_k: ("name", True)))
    window.extra_panels.redact_selection()
    qtbot.waitUntil(lambda: bool(index.data(REDACTIONS_ROLE)), timeout=30000)
    assert index.data(REDACTIONS_ROLE) == [(0, len(word), "[NAME]")]
    tip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert f"Redacted “{word}”: exports show [NAME]" in tip
    view.clearSelection()
    idle(window)
    after = cell()
    assert after != before  # the row is painted differently: struck through on grey
    # search results say it too: a hit in that segment names what exports show
    panel = window.search_panel
    window.sessions.run_search(word)
    idle(window)
    qtbot.waitUntil(lambda: panel.results.count() > 0, timeout=30000)
    hit = next(
        panel.results.item(i)
        for i in range(panel.results.count())
        if panel.results.item(i).data(HIT_ROLE).segment_id == model.segment(1).id
    )
    assert hit.text().endswith(" · redacted: [NAME]")
    assert f"Redacted “{word}”: exports show [NAME]" in hit.toolTip()
    # un-redacted (Ethics ▸ Redactions rewrites the text): the mark goes
    (red,) = project.redactions.all()
    project.redactions.remove_redaction(red.id)
    window.extra_panels.text_rewritten.emit()
    idle(window)
    qtbot.waitUntil(lambda: not model.index(1, COL_TEXT).data(REDACTIONS_ROLE), timeout=30000)
    view.clearSelection()
    idle(window)
    assert cell() == before
