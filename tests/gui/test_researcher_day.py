"""A researcher's day in the window at laptop sizes, by its menus and buttons: a transcript
imported, coded and retrieved, every export of the window and of Analysis written through its
file dialog and read back; languages set, corrected and filtered on in Kazakh capitals."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QMessageBox

from gui.menu_keys import readable
from storage import Project, SegmentDraft
from tests.gui.test_keyboard_task import type_text

YES = QMessageBox.StandardButton.Yes


def menu_entry(window: Any, *path: str) -> Any:
    """The menu bar's entry at ``path`` (each step a part of an item's text as shown)."""
    actions = window.menuBar().actions()
    for step in path:
        found = next((a for a in actions if step in readable(a.text())), None)
        assert found is not None, f"{step!r} not in {[readable(a.text()) for a in actions]}"
        if found.menu() is None:
            return found
        actions = found.menu().actions()
    raise AssertionError(f"{path} is a menu, not an entry")


def _session(project: Project) -> tuple[str, list[str]]:
    session = project.sessions.add_session("Фокус-группа Алматы")
    lines = [
        ("Біздің ауылда емхана жоқ", "P1", "kk"),
        ("В селе нет больницы", "P2", "ru"),
        ("", None, None),  # speech nobody has typed yet
        ("the clinic is far", "P3", "en"),
    ]
    project.transcript.add_segments(
        session.id,
        [
            SegmentDraft(
                i * 2000, i * 2000 + 1800, text, speaker=who, language=lang, untranscribed=not text
            )
            for i, (text, who, lang) in enumerate(lines)
        ],
    )
    return session.id, [s.id for s in project.transcript.segments(session.id)]


def test_retrieval_names_a_coded_speech_without_transcript_and_plays_it(
    window: Any, project: Project, idle: Any, qtbot: Any
) -> None:
    """A coded segment nobody has typed yet was a blank row in Retrieval: it now says what it
    is, as the transcript does, and Enter on it plays it."""
    from gui.retrieval import HEADERS

    sid, ids = _session(project)
    code = project.codebook.ensure_code_path("Доступ")
    for seg_id in ids:
        project.codebook.apply_code(seg_id, code.id)
    window.sessions.reload_sessions()
    window.editing.reload_codebook()
    window.sessions.open_session(sid)
    idle(window)
    panel = window.retrieval
    window.retrieval_dock.show()
    panel.select_code(code.id)
    idle(window)
    col = HEADERS.index("Coded text")
    shown = [panel.model.index(r, col).data() for r in range(panel.model.rowCount())]
    assert shown[:2] + shown[3:] == [
        "Біздің ауылда емхана жоқ",
        "В селе нет больницы",
        "the clinic is far",
    ]
    assert shown[2].startswith("Speech without transcript"), shown
    assert panel.model.index(2, col).data(Qt.ItemDataRole.FontRole).italic()
    played: list[tuple[str, str]] = []
    panel.play_requested.connect(lambda s, g: played.append((s, g)))
    panel.table.setFocus()
    panel.table.setCurrentIndex(panel.model.index(2, col))
    QTest.keyClick(panel.table, Qt.Key.Key_Return)
    assert played == [(sid, ids[2])]


SRT = """1
00:00:00,000 --> 00:00:03,000
Интервьюер: Расскажите, куда вы ходите, когда болеете?

2
00:00:03,500 --> 00:00:08,000
Әлия: Біздің ауылда емхана жоқ, дәрігер алыс.

3
00:00:08,500 --> 00:00:11,000
Интервьюер: А автобус ходит?
"""

#: (menu entry, the filter chosen in its file dialog, what the file written must hold)
EXPORTS = [
    ("Export as REFI-QDA", "qdpx", "Доступ/Больница"),
    ("Export the codebook", "qdc", "Больница"),
    ("Export the codebook", "csv", "Доступ/Больница"),
    ("Export the codebook", "xlsx", "Доступ/Больница"),
    ("Export the codebook", "docx", "Больница"),
    ("Export this transcript", "docx", "Біздің ауылда емхана жоқ"),
    ("Export this transcript", "txt", "Әлия: Біздің ауылда емхана жоқ"),
    ("Export this transcript", "srt", "Біздің ауылда емхана жоқ"),
    ("Export this transcript", "vtt", "<v Әлия>Біздің ауылда емхана жоқ"),
    ("Export this transcript", "json", "Біздің ауылда емхана жоқ"),
    ("Export codings", "xlsx", "Біздің ауылда емхана жоқ, дәрігер"),
    ("Export codings", "csv", "Біздің ауылда емхана жоқ, дәрігер"),
]


def _typed(name: Path, kind: str, offered: list[str]) -> Any:
    """A save dialog's answer: ``name`` typed without its ending, the ``kind`` chosen in its
    list of kinds (``offered`` gets the list)."""

    def save(*args: Any, **_k: Any) -> tuple[str, str]:
        filters = str(args[3]).split(";;")
        offered.extend(filters)
        return str(name), next(f for f in filters if f"*.{kind})" in f or f"*.{kind} " in f)

    return save


def read_back(path: Path) -> str:
    """What a file written holds, as text (a zip's members and a workbook's cells too)."""
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        cells = [
            c for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row
        ]
        return "\n".join(str(c) for c in cells if c is not None)
    if path.suffix in (".docx", ".qdpx"):
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return path.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("size", [(1024, 700), (1366, 768)])
def test_a_coder_s_day_every_export_of_the_window_writes_what_the_project_holds(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    project: Project,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    idle: Any,
    size: tuple[int, int],
) -> None:
    """Import a transcript (File menu), code a segment (Code menu), then every export of the
    File menu through its file dialog, a name typed without its ending and the kind chosen in
    the list: each file is there, of that kind, and holds the project's words."""
    from gui.exchange import ExportOptionsDialog
    from tests.gui.gui_helpers import main_window

    source = tmp_path / "Интервью 12.05.srt"
    source.write_text(SRT, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(ExportOptionsDialog, "exec", lambda _self: 1)  # protections as offered
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *_a, **_k: YES))
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *_a, **_k: (str(source), ""))
    )
    with main_window(qtbot, qsettings, fake_transcriber, project) as w:
        w.resize(*size)
        menu_entry(w, "File", "as a new session").trigger()
        idle(w)
        (session,) = project.sessions.all()
        assert session.title == "Интервью 12.05"
        w.sessions.open_session(session.id)
        idle(w)
        code = project.codebook.ensure_code_path("Доступ/Больница")
        w.editing.reload_codebook()
        idle(w)
        w.codebook.select_code(code.id)
        w.transcript.go_to_row(1)
        menu_entry(w, "Code", "Code selection with the current code").trigger()
        idle(w)
        (coding,) = project.codebook.codings()
        assert project.transcript.get_segment(coding.segment_id).speaker == "Әлия"
        for n, (entry, kind, holds) in enumerate(EXPORTS):
            offered: list[str] = []
            monkeypatch.setattr(
                QFileDialog,
                "getSaveFileName",
                staticmethod(_typed(out / f"export{n}", kind, offered)),
            )
            menu_entry(w, "File", entry).trigger()
            idle(w)
            written = out / f"export{n}.{kind}"
            assert written.is_file(), (entry, kind, offered, w.statusBar().currentMessage())
            assert holds in read_back(written), (entry, kind)
            assert written.name in w.statusBar().currentMessage()
        rows = list(csv.DictReader((out / "export11.csv").open(encoding="utf-8-sig")))
        assert [(r["code"], r["speaker"], r["coder"]) for r in rows] == [
            ("Доступ/Больница", "Әлия", "coder-a")
        ]
        cues = json.loads((out / "export9.json").read_text(encoding="utf-8"))["segments"]
        assert [c["speaker"] for c in cues] == ["Интервьюер", "Әлия", "Интервьюер"]
        w.grab().save(str(tmp_path / "day.png"))


def test_retrieval_analysis_and_bundle_exports_by_their_buttons_at_1024x700(
    window: Any,
    project: Project,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    idle: Any,
    qtbot: Any,
) -> None:
    """Retrieval's Export CSV… button, each Analysis tab's Export ▸ Table (CSV chosen, the
    name typed without its ending) and Team ▸ Export a bundle…: each writes its file, and
    the file holds the codings two coders made."""
    import sqlite3

    from gui.analysis.window import AnalysisWindow
    from gui.team_actions import BundleExportDialog
    from storage.team.bundle_open import open_bundle

    sid, ids = _session(project)
    code = project.codebook.ensure_code_path("Доступ/Больница")
    for seg_id in ids[:3]:
        project.codebook.apply_code(seg_id, code.id)
    project.codebook.apply_code(ids[3], code.id, coder="coder-b")
    window.resize(1024, 700)
    window.sessions.reload_sessions()
    window.editing.reload_codebook()
    window.sessions.open_session(sid)
    idle(window)
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *_a, **_k: YES))
    monkeypatch.setattr("gui.exchange.ExportOptionsDialog.exec", lambda _self: 1)

    def save_as(name: str, kind: str) -> None:
        save = _typed(tmp_path / name, kind, [])
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save))

    panel = window.retrieval
    window.retrieval_dock.show()
    panel.select_code(code.id)
    idle(window)
    save_as("retrieved", "csv")
    qtbot.mouseClick(panel.export_btn, Qt.MouseButton.LeftButton)
    idle(window)
    rows = list(csv.DictReader((tmp_path / "retrieved.csv").open(encoding="utf-8-sig")))
    assert sorted((r["coder"], r["language"], r["coded_text"]) for r in rows) == [
        ("coder-a", "", ""),  # the speech without transcript: no words to quote
        ("coder-a", "kk", "Біздің ауылда емхана жоқ"),
        ("coder-a", "ru", "В селе нет больницы"),
        ("coder-b", "en", "the clinic is far"),
    ]
    menu_entry(window, "View", "Analysis").trigger()
    idle(window)
    (analysis,) = [t for t in QApplication.topLevelWidgets() if isinstance(t, AnalysisWindow)]
    analysis.resize(1024, 700)
    for i in range(analysis.tabs.count()):
        analysis.tabs.setCurrentIndex(i)
        idle(window)
        tab = analysis.tabs.widget(i)
        menu = tab.export_button.menu()
        assert isinstance(menu, QMenu)
        table = next(a for a in menu.actions() if readable(a.text()).startswith("Table"))
        save_as(f"tab{i}", "csv")
        table.trigger()
        idle(window)
        written = tmp_path / f"tab{i}.csv"
        assert written.is_file(), (analysis.tabs.tabText(i), analysis.status.text())
        assert "Больница" in written.read_text(encoding="utf-8-sig"), analysis.tabs.tabText(i)
    analysis.close()
    monkeypatch.setattr(BundleExportDialog, "exec", lambda _self: 1)
    save_as("for-lead", "fsbundle")
    menu_entry(window, "Team", "Export a bundle").trigger()
    idle(window)
    bundle = tmp_path / "for-lead.fsbundle"
    assert bundle.is_file(), window.statusBar().currentMessage()
    with open_bundle(bundle) as opened, sqlite3.connect(opened.db_path) as db:
        coders = sorted(r[0] for r in db.execute("SELECT coder FROM codings"))
    assert coders == ["coder-a", "coder-a", "coder-a", "coder-b"]


def test_languages_set_in_the_new_project_dialog_corrected_and_searched_by_keyboard(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    idle: Any,
) -> None:
    """New project: "kz" typed is refused in the dialog (it stays open, nothing is made), the
    names typed in Russian and Kazakh are taken; a segment's language is corrected with Ctrl+L
    and re-transcribed (a fake engine that hears Kazakh: the real one is
    test_languages_gui's); Search, in Kazakh capitals, then filtered by language with the
    keyboard, finds it in Kazakh only."""
    from PySide6.QtWidgets import QDialog, QDialogButtonBox

    from gui.onboarding import NewProjectDialog
    from tests.gui.gui_helpers import main_window

    folder = tmp_path / "Алматы зерттеу"
    seen: list[tuple[bool, str]] = []

    def fill(dialog: NewProjectDialog) -> int:
        dialog.show()
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        edit = dialog.languages.edit
        type_text(edit, "ru, kz, en")
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        seen.append((dialog.isVisible(), dialog.languages.status.text()))
        assert not folder.with_suffix(".fieldscribe").exists()  # nothing made yet
        edit.clear()
        type_text(edit, "Русский, қазақша, en")
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        return int(dialog.result())

    monkeypatch.setattr(NewProjectDialog, "exec", fill)
    monkeypatch.setattr(QDialog, "exec", lambda _self: 1)  # Import audio's kind: as offered
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *_a, **_k: (str(folder), ""))
    )

    def ask(_parent: Any, _title: str, _label: str, _text: str = "", *, items: Any = None,
            **_k: Any) -> Any:  # fmt: skip
        return next((x for x in items if x.endswith("(kk)")), items[0]), True

    monkeypatch.setattr("gui.ask_dialog.AskDialog.ask", staticmethod(ask))
    with main_window(qtbot, qsettings, fake_transcriber) as w:
        w.resize(1024, 700)
        menu_entry(w, "File", "New project").trigger()
        idle(w)
        (refused,) = seen
        assert refused[0] and "did you mean kk (Kazakh)" in refused[1]
        project = w.project
        assert project is not None and project.languages == ["ru", "kk", "en"]
        clip = Path(__file__).parents[1] / "data" / "kazakh" / "ksc_example_1.flac"
        session = project.sessions.import_audio(clip, title="Сұхбат")
        project.transcript.add_segments(
            session.id, [SegmentDraft(0, 1500, "алга карай", speaker="S1", language="ru")]
        )
        w.sessions.reload_sessions()
        w.sessions.open_session(session.id)
        idle(w)
        w.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
        w.transcript.go_to_row(0)
        w.transcript.setFocus()
        QTest.keyClick(w.transcript, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        idle(w)
        (seg,) = project.transcript.segments(session.id)
        assert seg.language == "kk" and seg.text == "алга карай"

        def heard(p: Project, segment_id: str, *, language: str | None = None, **_k: Any) -> Any:
            return p.transcript.replace_transcription(
                segment_id, text="Алға қарай жүр", words=[], confidence=0.9, language=language
            )

        w.transcription.segment_retranscriber = heard
        menu_entry(w, "Transcription", "Re-transcribe segment").trigger()
        idle(w)
        assert project.transcript.get_segment(seg.id).text == "Алға қарай жүр", (
            w.statusBar().currentMessage(),
            w.last_error,
        )
        search = w.search_panel
        QTest.keyClick(w.transcript, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(search.query.hasFocus)
        type_text(search.query, "ҚАРАЙ")
        QTest.keyClick(search.query, Qt.Key.Key_Return)
        idle(w)
        found = {}
        search.language_box.setFocus()
        for i in range(search.language_box.count()):
            if i:
                QTest.keyClick(search.language_box, Qt.Key.Key_Down)
                idle(w)
            found[search.language_box.currentData()] = search.results.count()
        assert found == {None: 1, "ru": 0, "kk": 1, "en": 0, "": 0}
