"""A researcher's day in the real window, with real speech and the real transcriber.

Usage: xvfb-run -a -s "-screen 0 1366x768x24" python scripts/day_walk.py --screen 1366x768
       [--audio FILE] [--out /tmp/day]

A new project (languages ru, kk, en); ``FILE`` imported and transcribed by the real model
(default: bench's ``mixed-real-kk`` recording, built here: real Russian and Kazakh speech with
English turns), the longest GUI-thread stall measured (``tests.gui.gui_helpers.StallMeter``);
then a Kazakh segment's language set and the segment re-transcribed, a text edited, two
Cyrillic words coded, a segment memo, a search in upper-case Kazakh letters, retrieval by code,
a segment played, a name pseudonymised, every transcript, codings, codebook and .qdpx export of
the File menu's dialogs written and read back (python-docx, openpyxl, csv, the .qdpx imported
into a new project), a second coder's codings and the Agreement panel, and Undo/Redo from the
keyboard. Prints what each step gave and saves a PNG of each view. Not a test: figures to read.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Day:
    """The window and the steps."""

    def __init__(self, folder: Path, out: Path, size: tuple[int, int], tmp: Path) -> None:
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication, QMessageBox

        from gui.main_window import MainWindow

        self.app = QApplication.instance() or QApplication(sys.argv)
        self.out, self.shots = out, 0
        settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
        settings.setValue("transcribe_after_import", "true")
        # the consent questions of an export: go on
        QMessageBox.question = staticmethod(  # type: ignore[method-assign]
            lambda *_a, **_k: QMessageBox.StandardButton.Yes
        )
        self.w = MainWindow(settings=settings, warm_models=True)  # the real transcriber, as the app
        self.w.show()
        self.w.resize(*size)
        self.w.activateWindow()  # keys reach the menus' shortcuts only in the active window
        self.w.windowHandle().requestActivate()
        assert self.w.projects.open_project(folder)
        self.pump(500)

    def pump(self, ms: int) -> None:
        end = time.monotonic() + ms / 1000
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.002)

    def idle(self, limit_s: float = 900) -> None:
        end = time.monotonic() + limit_s
        while self.w.runner.busy() and time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.002)
        self.pump(300)

    def shot(self, name: str, widget: Any = None) -> None:
        self.shots += 1
        (widget or self.w).grab().save(str(self.out / f"{self.shots:02d}-{name}.png"))

    def answer_reports(self, step: str) -> None:
        """Click OK on the report boxes a step opened (window-modal: while one is open the
        window takes no keys), printing what each said."""
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QMessageBox

        for box in self.app.topLevelWidgets():
            if isinstance(box, QMessageBox) and box.isVisible():
                print(f"  {step}: {box.text()[:150]!r}")
                ok = box.button(QMessageBox.StandardButton.Ok) or box.defaultButton()
                QTest.mouseClick(ok, Qt.MouseButton.LeftButton)
        self.pump(100)

    def transcribe(self, audio: Path) -> None:
        from tests.gui.gui_helpers import StallMeter

        meter = StallMeter()
        meter.start()
        began = time.monotonic()
        self.w.transcription.import_files([audio], kind="focus_group")
        self.idle()
        worst = meter.stop()
        print(f"import + transcription {time.monotonic() - began:.0f} s; longest GUI stall "
              f"{worst} ms of the program's own")  # fmt: skip
        print("  " + meter.where()[:1500].replace("\n", "\n  "))
        session = self.w.project.sessions.all()[0]
        for seg in self.w.project.transcript.segments(session.id):
            print(f"  {seg.start_ms / 1000:6.1f} {seg.language} {seg.text[:80]}")
        self.shot("transcribed")

    def edit_code_memo(self) -> Any:
        from PySide6.QtGui import QTextCursor

        w, project = self.w, self.w.project
        session = project.sessions.all()[0]
        segs = project.transcript.segments(session.id)
        kazakh = next((s for s in segs if s.language == "kk"), segs[-1])
        w.editing.set_language([kazakh.id], "kk")
        self.idle()
        from tests.gui.gui_helpers import StallMeter

        meter = StallMeter()
        meter.start()
        w.transcription.retranscribe_segment(kazakh.id, language="kk")
        self.idle()
        again = project.transcript.get_segment(kazakh.id)
        print(f"re-transcribed in kk (stall {meter.stop()} ms): {again.text!r}")
        self.shot("retranscribed")
        w.transcript.go_to_row(0)
        self.pump(200)
        editor = w.segment_editor
        cursor = editor.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        editor.setTextCursor(cursor)
        editor.insertPlainText(" (уточнить)")  # QTest types ASCII only
        w.editing.edit_text(segs[0].id, editor.toPlainText())
        self.idle()
        print("edited:", project.transcript.get_segment(segs[0].id).text[-30:])
        w.editing.add_code("Очереди")
        self.idle()
        code = project.codebook.find_code("Очереди")
        cursor = editor.textCursor()
        cursor.setPosition(0)
        words = QTextCursor.MoveOperation.NextWord
        cursor.movePosition(words, QTextCursor.MoveMode.KeepAnchor, 2)
        editor.setTextCursor(cursor)
        w.editing.apply_code(code.id)
        self.idle()
        print("coded spans:", [(c.start_cp, c.end_cp) for c in project.codebook.codings()])
        self.shot("coded-span")
        dialog = w.editing.memo_dialog("segment", segs[0].id, "Memos on the first segment")
        self.pump(300)
        if dialog is not None:
            dialog.text.setPlainText("Очередь — главная тема; проверить с Айгерім.")
            dialog.save()
            self.idle()
            self.shot("memo", dialog)
            dialog.close()
        print("memos:", len(project.codebook.memos("segment", segs[0].id)))
        return code

    def search_retrieve_play(self, code: Any) -> None:
        from PySide6.QtWidgets import QListView

        w, project = self.w, self.w.project
        words = [
            word.strip(".,!?")
            for s in project.transcript.segments(project.sessions.all()[0].id)
            if s.language == "kk"
            for word in s.text.split()
        ]
        own = next((x for x in words if set(x.lower()) & set("әғқңөұүһі")), "ҚАРАЙ")
        w.search_panel.query.setText(own.upper())
        w.search_panel.search_again()
        self.idle()
        hits = w.search_panel.findChild(QListView).model().rowCount()
        print(f"search {own.upper()!r}: {hits} rows")
        self.shot("search")
        w.docks.retrieve_code(code.id)
        self.idle()
        print("retrieved:", w.retrieval.table.model().rowCount(), "rows")
        self.shot("retrieval")
        w.reset_layout()
        self.pump(300)
        start = w.segment_model.segment(1).start_ms
        w.sessions.play_row(1)
        self.pump(1500)
        player = w.player
        print(f"played row 1 (from {start} ms): playing {player.is_playing()}, at "
              f"{player.position()} ms")  # fmt: skip
        player.pause()

    def pseudonym(self) -> None:
        w, project = self.w, self.w.project
        session = project.sessions.all()[0]
        said = " ".join(s.text for s in project.transcript.segments(session.id))
        # a surname the recording says (festvox-ru's first sentences: "Скайлс")
        name = "Скайлс" if "Скайлс" in said else said.split()[-1].strip(".,")
        project.privacy.set_pseudonym(name, "P1")
        w.extra_panels.show_privacy(1)
        self.pump(400)
        report = project.privacy.apply_pseudonyms(session_id=session.id)
        w.sessions.refresh_transcript(session.id)
        self.idle()
        print(f"pseudonym {name!r} -> P1: {report}")
        self.shot("ethics-names")

    def exports(self) -> None:
        import docx
        import openpyxl
        from PySide6.QtWidgets import QFileDialog

        from gui.export_options import ExportOptionsDialog

        ExportOptionsDialog.exec = lambda _self: 1  # type: ignore[method-assign,assignment]
        ex, out = self.w.exchange, self.out
        wrote: dict[str, int] = {}
        jobs = [(f"transcript.{f}", ex.export_transcript_dialog) for f in TRANSCRIPTS]
        jobs += [(f"codings.{f}", ex.export_codings_dialog) for f in ("xlsx", "csv")]
        jobs += [(f"codebook.{f}", ex.export_codebook_dialog) for f in CODEBOOKS]
        jobs += [("project.qdpx", ex.export_qdpx_dialog)]
        for name, dialog in jobs:
            path = out / name
            QFileDialog.getSaveFileName = staticmethod(  # type: ignore[method-assign]
                lambda *_a, _p=path, **_k: (str(_p), "")
            )
            dialog()
            self.idle()
            wrote[name] = path.stat().st_size if path.exists() else 0
            self.answer_reports(name)
        print("exports:", wrote)
        paragraphs = [p.text for p in docx.Document(str(out / "transcript.docx")).paragraphs]
        print("  docx:", paragraphs[:5])
        sheet = openpyxl.load_workbook(out / "codings.xlsx").active
        print("  codings.xlsx rows:", sheet.max_row if sheet is not None else None)
        with open(out / "codings.csv", encoding="utf-8") as f:
            print("  codings.csv rows:", sum(1 for _ in csv.reader(f)))
        print("  srt:", (out / "transcript.srt").read_text(encoding="utf-8")[:80].split("\n"))
        print("  vtt:", (out / "transcript.vtt").read_text(encoding="utf-8")[:80].split("\n"))
        again = Path(tempfile.mkdtemp(prefix="fieldscribe-reimport-")) / "Again.fieldscribe"
        cli = [sys.executable, str(ROOT / "main.py"), "qdpx", "import", str(out / "project.qdpx")]
        done = subprocess.run([*cli, str(again)], capture_output=True, text=True, check=False)
        print("  qdpx re-imported:", done.returncode, (done.stdout or done.stderr).strip()[-200:])
        self.shot("exports")

    def agreement_and_undo(self, folder: Path) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        from storage import Project

        w = self.w
        sid = w.project.sessions.all()[0].id
        w.projects.close_project()
        self.idle()
        with Project.open(folder, coder="bakyt") as other:
            code = other.codebook.ensure_code_path("Очереди")
            for seg in other.transcript.segments(sid)[:3]:
                other.codebook.apply_code(seg.id, code.id)
        assert w.projects.open_project(folder)
        self.idle()
        w.reset_layout()
        self.pump(300)
        panel = w.extra_panels.show_agreement()
        self.idle()
        print("agreement rows:", panel.view.model().rowCount())
        self.shot("agreement")
        seg = w.project.transcript.segments(sid)[1]
        w.transcript.go_to_row(1)
        w.editing.edit_text(seg.id, seg.text + " EDIT")
        self.idle()
        self.answer_reports("before Undo")
        shown = [t for t in self.app.topLevelWidgets() if t.isVisible() and t is not w]
        print("other windows shown:", [(type(t).__name__, t.windowTitle()) for t in shown])
        w.activateWindow()  # keys reach the menus' shortcuts only in the active window
        w.windowHandle().requestActivate()
        self.pump(300)
        w.transcript.setFocus()
        print(f"window active {w.isActiveWindow()}; Undo: {w.undo_stack.undoText()!r}")
        control = Qt.KeyboardModifier.ControlModifier
        QTest.keyClick(w.transcript, Qt.Key.Key_Z, control)
        self.idle()
        undone = w.project.transcript.get_segment(seg.id).text
        QTest.keyClick(w.transcript, Qt.Key.Key_Z, control | Qt.KeyboardModifier.ShiftModifier)
        self.idle()
        redone = w.project.transcript.get_segment(seg.id).text
        print(f"Ctrl+Z: {'undone' if undone == seg.text else 'NOT undone'}; Ctrl+Shift+Z: "
              f"{'redone' if redone == seg.text + ' EDIT' else 'NOT redone'}")  # fmt: skip
        self.shot("end")


TRANSCRIPTS = ("docx", "txt", "srt", "vtt", "json")
CODEBOOKS = ("qdc", "csv", "xlsx", "docx")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--screen", default="1366x768")
    parser.add_argument("--audio", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fieldscribe-day-"))
    out = args.out or tmp / "shots"
    out.mkdir(parents=True, exist_ok=True)
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME"):  # the model cache stays the user's
        os.environ[var] = str(tmp / var.lower())
    audio = args.audio
    if audio is None:
        from bench.language_corpus import build

        audio, _turns = build(tmp / "corpus", "mixed-real-kk")
    import gui  # noqa: F401 - before Qt widgets, as the app does
    from storage import Project

    folder = tmp / "Day.fieldscribe"
    with Project.create(folder, name="Day", coder="aigerim") as p:
        p.set_languages("ru,kk,en")
    width, height = (int(v) for v in args.screen.lower().split("x"))
    day = Day(folder, out, (width, height), tmp)
    print(f"screen {args.screen}, window {day.w.width()}x{day.w.height()}, PNGs in {out}")
    day.transcribe(audio)
    code = day.edit_code_memo()
    day.search_retrieve_play(code)
    day.pseudonym()
    day.exports()
    day.agreement_and_undo(folder)
    day.w.runner.cancel_all()


if __name__ == "__main__":
    main()
