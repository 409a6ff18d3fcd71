"""A new user's dialogs in the real window, driven with the keyboard and mouse (QTest).

Usage: xvfb-run -a -s "-screen 0 1366x768x24" python scripts/dialog_walk.py --screen 1366x768
       [--out /tmp/dialogs]

From an empty machine state (no settings, no models installed by the user, no project): the
first start's coder name; File ▸ New project (name, coder, languages typed); File ▸ Import
audio (the kind of session chosen); File ▸ Project settings (languages changed, a model
chosen); File ▸ Settings ▸ Models (a model imported from a folder, then removed); Ethics ▸
Pseudonyms (a name and its pseudonym typed, Review, Replace); Ethics ▸ Redact the selected
words; Team ▸ Export a bundle (encrypted); File ▸ New project from a team bundle; Team ▸ Merge
bundles (a coder's bundle); Team ▸ Inter-coder agreement; File ▸ Export / Import a .qdpx;
Help ▸ Keyboard shortcuts; with ``--record``, Record ▸ Record a session from a private
PulseAudio server's virtual microphone (tests/audio_fixtures.py; a marker by M, the Recorded
session dialog filled); Tab through each dialog. Each dialog is grabbed to a PNG (look at
them), and what each step left in the project is read back from disk and printed with OK or
PROBLEM. The file dialogs are the platform's: they are answered with the path (a user picks
it); every field of FieldScribe's own dialogs is typed or clicked. The transcriber is the
tests' fake one (scripts/day_walk.py runs the real one).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Walk:
    """The window, the dialogs and what they left on disk."""

    def __init__(
        self, out: Path, size: tuple[int, int], tmp: Path, *, real_transcriber: bool = False
    ) -> None:
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication

        from gui.main_window import MainWindow
        from tests.gui.gui_helpers import make_fake_transcriber

        self.app = QApplication.instance() or QApplication(sys.argv)
        self.out, self.tmp, self.shots, self.size = out, tmp, 0, size
        self.problems: list[str] = []
        self.settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
        if real_transcriber:  # as the app
            self.w = MainWindow(settings=self.settings)
        else:
            self.w = MainWindow(settings=self.settings, transcriber=make_fake_transcriber())
        self.w.show()
        # the screen as Qt lays out on it: at 125 % (QT_SCALE_FACTOR=1.25) a 1366x768 screen
        # is 1093x614, and a window of --screen's pixels went past its edges unseen
        screen = self.w.screen().availableGeometry()
        self.size = (min(size[0], screen.width()), min(size[1], screen.height()))
        self.w.resize(*self.size)
        self.w.activateWindow()
        self.pump(500)
        # a modal dialog nobody expected (a question a step did not plan for) is grabbed, said
        # and answered with its default button after a while, so the walk never hangs on it
        from PySide6.QtCore import QTimer

        self._seen: dict[int, float] = {}
        self.watchdog = QTimer()
        self.watchdog.timeout.connect(self._unanswered)
        self.watchdog.start(1000)
        self.too_big: dict[str, tuple[int, int]] = {}  # windows past the screen's edges
        self.measure = QTimer()
        self.measure.timeout.connect(self._measure)
        self.measure.start(150)

    def _unanswered(self) -> None:
        from PySide6.QtWidgets import QApplication, QMessageBox

        dialog = QApplication.activeModalWidget()
        if dialog is None:
            return
        first = self._seen.setdefault(id(dialog), time.monotonic())
        if time.monotonic() - first < 8:
            return
        text = dialog.text() if isinstance(dialog, QMessageBox) else dialog.windowTitle()
        print(f"  an unplanned {type(dialog).__name__}: {text[:300]!r}")
        self.shot(f"unplanned-{type(dialog).__name__}", dialog)
        button = dialog.defaultButton() if isinstance(dialog, QMessageBox) else None
        if button is not None:
            print(f"  answered {button.text()!r}")
            button.click()
        else:
            dialog.reject()

    def _measure(self) -> None:
        """Every window that shows fits the screen (its frame, title bar included)."""
        from PySide6.QtWidgets import QApplication

        screen = self.w.screen().availableGeometry()
        for top in QApplication.topLevelWidgets():
            if not top.isVisible() or top is self.w:
                continue
            frame = top.frameGeometry()
            if frame.width() > screen.width() or frame.height() > screen.height():
                name = f"{type(top).__name__} {top.windowTitle()!r}"
                if name not in self.too_big:
                    print(f"  PROBLEM: {name} is {frame.width()}x{frame.height()}")
                    self.problems.append(f"{name} larger than the screen")
                self.too_big[name] = (frame.width(), frame.height())

    # ------------------------------------------------------------------ helpers
    def pump(self, ms: int) -> None:
        end = time.monotonic() + ms / 1000
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.002)

    def idle(self, limit_s: float = 120) -> None:
        end = time.monotonic() + limit_s
        while self.w.runner.busy() and time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.002)
        self.pump(200)

    def until(self, what: Callable[[], Any], limit_s: float = 30) -> Any:
        end = time.monotonic() + limit_s
        while time.monotonic() < end:
            got = what()
            if got:
                return got
            self.app.processEvents()
            time.sleep(0.01)
        return None

    def shot(self, name: str, widget: Any) -> None:
        self.shots += 1
        path = self.out / f"{self.shots:02d}-{name}.png"
        widget.grab().save(str(path))
        print(f"  [{widget.width()}x{widget.height()}] {path.name}")

    def check(self, ok: bool, said: str) -> None:
        print(f"  {'OK' if ok else 'PROBLEM'}: {said}")
        if not ok:
            self.problems.append(said)

    def modal(self, fill: Callable[[Any], None], kind: str = "", *, required: bool = True) -> None:
        """Once a modal dialog (whose class name contains ``kind``) is up, ``fill`` it (from a
        timer: the dialog's own event loop is running then)."""
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        def poll(tries: int = 0) -> None:
            dialog = QApplication.activeModalWidget()
            if dialog is None or kind not in type(dialog).__name__:
                if tries < 400:
                    QTimer.singleShot(25, lambda: poll(tries + 1))
                elif required:
                    self.check(False, f"no {kind or 'modal'} dialog came up")
                return
            self.pump(150)  # laid out and painted
            try:
                fill(dialog)
            except Exception:
                self.check(False, f"filling {type(dialog).__name__}: {traceback.format_exc()}")
                dialog.reject()

        QTimer.singleShot(25, poll)

    def type_into(self, field: Any, text: str) -> None:
        """Select what the field holds and type ``text`` over it (QTest types Latin letters;
        the others are inserted as an input method would)."""
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        field.setFocus()
        QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        if text.isascii():
            QTest.keyClicks(field, text)
        else:
            field.insert(text) if hasattr(field, "insert") else field.insertPlainText(text)

    def click(self, button: Any) -> None:
        from PySide6.QtCore import QPoint, Qt
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QCheckBox, QRadioButton

        if not (button.isVisible() and button.isEnabled()):
            self.check(False, f"{button.text()!r} is hidden or greyed out")
        # a check box or radio button answers a click on its box and its words, not on the
        # empty room its row stretches it over
        at = (
            QPoint(8, button.height() // 2)
            if isinstance(button, QCheckBox | QRadioButton)
            else None
        )
        if at is None:
            QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        else:
            QTest.mouseClick(button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)

    def button(self, dialog: Any, text: str) -> Any:
        from PySide6.QtWidgets import QAbstractButton

        for b in dialog.findChildren(QAbstractButton):
            if b.text().replace("&", "") == text and b.isVisible():
                return b
        raise LookupError(f"no button {text!r} in {type(dialog).__name__}")

    def tab_chain(self, dialog: Any, name: str) -> None:
        """Tab through the dialog: every field and button is reached, none twice before all."""
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication

        seen: list[str] = []
        first = QApplication.focusWidget()
        for _ in range(40):
            focus = QApplication.focusWidget()
            if focus is None:
                break
            label = getattr(focus, "text", lambda: "")() if hasattr(focus, "text") else ""
            seen.append(f"{type(focus).__name__}:{str(label)[:18]}")
            QTest.keyClick(focus, Qt.Key.Key_Tab)
            if QApplication.focusWidget() is first:
                break
        print(f"  Tab order in {name}: " + " → ".join(seen))

    def save_answers(self, path: Path) -> None:
        from PySide6.QtWidgets import QFileDialog

        QFileDialog.getSaveFileName = staticmethod(  # type: ignore[method-assign]
            lambda *_a, **_k: (str(path), "")
        )

    def open_answers(self, *paths: Path) -> None:
        from PySide6.QtWidgets import QFileDialog

        QFileDialog.getOpenFileName = staticmethod(  # type: ignore[method-assign]
            lambda *_a, **_k: (str(paths[0]), "")
        )
        QFileDialog.getOpenFileNames = staticmethod(  # type: ignore[method-assign]
            lambda *_a, **_k: ([str(p) for p in paths], "")
        )
        QFileDialog.getExistingDirectory = staticmethod(  # type: ignore[method-assign]
            lambda *_a, **_k: str(paths[0])
        )

    def reports(self, step: str) -> list[str]:
        """Read and close the report boxes a step opened."""
        from PySide6.QtWidgets import QMessageBox

        said = []
        for box in self.app.topLevelWidgets():
            if isinstance(box, QMessageBox) and box.isVisible():
                said.append(box.text())
                print(f"  {step} said: {box.text()[:200]!r}")
                self.shot(f"{step}-report", box)
                box.accept()
        self.pump(100)
        return said

    # ------------------------------------------------------------------ steps
    def coder_name(self) -> None:
        from gui.onboarding import first_start

        dialog = self.until(lambda: first_start(self.w.settings, self.w))
        self.pump(200)
        self.shot("coder-name", dialog)
        self.type_into(dialog.findChild(type(self.w.search_panel.query)), "aigerim")
        self.tab_chain(dialog, "Coder name")
        self.click(self.button(dialog, "OK"))
        self.pump(100)
        self.check(self.w.settings.coder == "aigerim", f"coder name {self.w.settings.coder!r}")

    def new_project(self) -> Path:
        folder = self.tmp / "Field 2026.fieldscribe"
        self.save_answers(folder.with_suffix(""))

        def fill(d: Any) -> None:
            self.type_into(d.name, "Алматы interviews")
            self.type_into(d.languages.edit, "ru, kk, en")
            self.shot("new-project", d)
            self.tab_chain(d, "New project")
            self.click(self.button(d, "OK"))

        self.modal(fill, "NewProject")
        self.w.projects.new_project_dialog()
        self.idle()
        from storage import Project

        with Project.open(folder, readonly=True) as p:
            said = (p.name, p.coder, p.languages)
        self.check(said == ("Алматы interviews", "aigerim", ["ru", "kk", "en"]), f"project {said}")
        return folder

    def import_audio(self, audio: Path) -> None:
        self.open_answers(audio)

        def fill(d: Any) -> None:
            from PySide6.QtWidgets import QComboBox

            box = d.findChild(QComboBox)
            self.shot("import-kind", d)
            box.setCurrentIndex(box.findText("Focus group"))
            self.click(self.button(d, "OK"))

        self.modal(fill, "Ask")
        self.w.transcription.import_dialog()
        self.idle()
        self.until(lambda: self.w.project.transcript.segment_count(self._sid()), 20)
        self.idle()
        session = self.w.project.sessions.all()[0]
        n = self.w.project.transcript.segment_count(session.id)
        self.check(session.kind == "focus_group" and n > 0, f"imported {session.kind}, {n} segs")
        self.shot("window-after-import", self.w)

    def _sid(self) -> str:
        sessions = self.w.project.sessions.all()
        return sessions[0].id if sessions else ""

    def project_settings(self) -> None:
        chosen: list[str] = []

        def fill(d: Any) -> None:
            self.until(lambda: d.model_box is not None and d.model_box.count(), 60)
            self.pump(300)
            self.shot("project-settings", d)
            self.type_into(d.field.edit, "ru, kk")
            box = d.model_box
            items = [box.itemText(i) for i in range(box.count())]
            print(f"  models offered: {items}")
            box.setCurrentIndex(box.count() - 1)
            chosen.append(box.currentData() or box.currentText())
            self.shot("project-settings-filled", d)
            self.tab_chain(d, "Project settings")
            self.click(self.button(d, "OK"))

        self.modal(fill, "Languages")
        self.w.projects.project_settings_dialog()
        self.idle()
        from storage import Project

        with Project.open(self.w.project.folder, readonly=True) as p:
            said = (p.languages, p.model)
        self.check(said[0] == ["ru", "kk"], f"languages on disk {said[0]}")
        self.check(bool(chosen) and said[1] == chosen[0], f"model on disk {said[1]!r}, {chosen}")

    def models_page(self) -> None:
        """Settings ▸ Models: import a model folder under a new name, select it, remove it."""
        from transcribe.models import list_models

        tiny = next((m for m in list_models() if m.name.startswith("tiny")), None)
        if tiny is None or not getattr(tiny, "path", None):
            self.check(False, "no tiny model to import from")
            return
        self.open_answers(Path(tiny.path))

        def fill(d: Any) -> None:
            d.tabs.setCurrentIndex(1)
            page = d.models
            self.until(lambda: page.table.rowCount() > 0, 60)
            self.pump(300)
            self.shot("models-page", d)

            import_folder = page.import_button.menu().actions()[0]  # Import… ▸ From a folder…
            import_folder.trigger()  # its folder's name, free on an empty machine
            self.until(lambda: not page.busy(), 120)
            self.pump(500)
            first = [m.name for m in page.table.rows]

            def name(a: Any) -> None:  # the same folder again: its name is taken now
                self.shot("models-import-name", a)
                from PySide6.QtWidgets import QLineEdit

                self.type_into(a.findChild(QLineEdit), "tiny-copy")
                self.click(self.button(a, "OK"))

            self.modal(name, "Ask")
            import_folder.trigger()
            self.until(lambda: not page.busy(), 120)
            self.pump(500)
            names = [m.name for m in page.table.rows]
            self.check(len(first) == 3 and "tiny-copy" in names, f"imported: {first} then {names}")
            self.shot("models-imported", d)
            page.select(next(n for n in names if "copy" in n))
            self.pump(200)
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.question = staticmethod(  # type: ignore[method-assign]
                lambda *_a, **_k: QMessageBox.StandardButton.Yes
            )
            self.click(page.remove_button)
            self.until(lambda: not page.busy(), 60)
            self.pump(300)
            left = [m.name for m in page.table.rows]
            self.check(not any("copy" in n for n in left), f"after Remove: {left}")
            self.shot("models-removed", d)
            self.click(self.button(d, "OK"))

        self.modal(fill, "Settings")
        self.w.projects.settings_dialog()
        self.idle()

    def pseudonyms(self) -> None:
        w = self.w
        w.extra_panels.show_privacy(1)
        self.pump(400)
        panel = w.extra_panels.docks["privacy"].widget()
        from gui.pseudonym_tab import PseudonymTab

        tab = panel.findChild(PseudonymTab)
        words = [s.text.split()[0].strip(",.") for s in w.project.transcript.segments(self._sid())]
        name = words[0]
        self.type_into(tab.real, name)
        self.type_into(tab.pseudonym, "P1")
        self.click(tab.add)
        self.idle()
        self.click(tab.review)
        self.idle()
        self.shot("pseudonyms", w)
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.question = staticmethod(  # type: ignore[method-assign]
            lambda *_a, **_k: QMessageBox.StandardButton.Yes
        )
        self.click(tab.apply)
        self.idle()
        texts = [s.text for s in w.project.transcript.segments(self._sid())]
        self.check(any("P1" in t for t in texts), f"{name!r} -> P1 in {texts[:2]}")

    def redact(self) -> None:
        w = self.w
        w.transcript.go_to_row(1)
        self.pump(200)
        editor = w.segment_editor
        word = editor.toPlainText().split()[-1].strip(".,")
        start = editor.toPlainText().index(word)
        editor.select_cp(start, start + len(word))

        def fill(d: Any) -> None:
            self.shot("redact", d)
            self.click(self.button(d, "OK"))

        self.modal(fill, "Ask")
        w.extra_panels.redact_selection()
        self.idle()
        seg = w.segment_model.segment(1)
        got = [r for r in w.project.redactions.all() if r.segment_id == seg.id]
        self.check(bool(got), f"redacted {word!r}: {got}")

    def bundle_round(self) -> None:
        w, tmp = self.w, self.tmp
        bundle = tmp / "aigerim.fsbundle"
        self.save_answers(bundle)

        def fill(d: Any) -> None:
            self.click(d.with_passphrase)
            self.type_into(d.passphrase, "correct horse")
            self.type_into(d.confirm, "correct horse")
            self.shot("bundle-export", d)
            self.tab_chain(d, "Export a bundle")
            self.click(self.button(d, "Export…"))

        self.modal(fill, "Bundle")
        w.team_actions.export_bundle_dialog()
        self.idle()
        self.reports("bundle-export")
        self.check(bundle.exists(), f"bundle written: {bundle.exists()}")
        # a coder's copy made from it, coded by bakyt, and the bundle back
        copy = tmp / "Bakyt.fieldscribe"

        self.open_answers(bundle)
        self.save_answers(copy)
        passphrases = iter(["correct horse"])

        from gui.ask_dialog import AskDialog

        real_ask = AskDialog.ask

        def ask(*a: Any, **k: Any) -> Any:
            if k.get("password") or (len(a) > 1 and "assphrase" in str(a[1])):
                return next(passphrases, ""), True
            return real_ask(*a, **k)

        AskDialog.ask = staticmethod(ask)  # type: ignore[method-assign]
        w.team_actions.new_from_bundle_dialog()
        self.idle()
        self.reports("new-from-bundle")
        AskDialog.ask = staticmethod(real_ask)  # type: ignore[method-assign]
        self.check(copy.exists(), f"coder's copy made: {copy.exists()}")

    def coder_round(self, lead_folder: Path) -> None:
        """In the coder's copy (open now): File ▸ Coder name for this project -> bakyt (this
        copy is bakyt's), a code applied, Team ▸ Export a bundle; back in the lead's project,
        Team ▸ Merge bundles and Team ▸ Inter-coder agreement."""
        from PySide6.QtWidgets import QLineEdit, QMessageBox

        w = self.w
        copy = w.project.folder

        def name(d: Any) -> None:
            self.type_into(d.findChild(QLineEdit), "bakyt")
            self.shot("coder-name-for-project", d)

            def whose(box: Any) -> None:  # the lead's name on the copy: whose copy is it?
                self.shot("whose-copy", box)
                self.click(self.button(box, "This copy is bakyt's"))

            self.modal(whose, "QMessageBox")
            self.click(self.button(d, "OK"))

        self.modal(name, "CoderName")
        w.projects.project_coder_dialog()
        self.idle()
        self.check(w.project.coder == "bakyt", f"copy codes as {w.project.coder!r}")
        self.check(w.project.team.lead == "aigerim", f"lead stays {w.project.team.lead!r}")
        sid = self._sid()
        w.sessions.open_session(sid)
        self.idle()
        w.editing.add_code("Trust")
        self.idle()
        code = w.project.codebook.find_code("Trust")
        for row in (0, 1):
            w.transcript.go_to_row(row)
            self.pump(100)
            w.editing.apply_code(code.id)
            self.idle()
        bundle = self.tmp / "bakyt.fsbundle"
        self.save_answers(bundle)
        self.modal(lambda d: self.click(self.button(d, "Export…")), "Bundle")
        w.team_actions.export_bundle_dialog()
        self.idle()
        self.reports("bakyt-bundle")
        # the lead codes one of the two as well, then merges bakyt's bundle
        assert w.projects.open_project(lead_folder)
        self.idle()
        w.sessions.open_session(sid)
        self.idle()
        w.editing.add_code("Trust")
        self.idle()
        w.transcript.go_to_row(0)
        self.pump(100)
        w.editing.apply_code(w.project.codebook.find_code("Trust").id)
        self.idle()
        self.open_answers(bundle)
        QMessageBox.question = staticmethod(  # type: ignore[method-assign]
            lambda *_a, **_k: QMessageBox.StandardButton.Yes
        )
        w.team_actions.merge_bundles_dialog()
        self.idle()
        said = self.reports("merge")
        coders = sorted({c.coder for c in w.project.codebook.codings()})
        self.check(coders == ["aigerim", "bakyt"], f"codings at the lead by {coders}; {said[:1]}")
        panel = w.extra_panels.show_agreement()
        self.idle()
        self.pump(500)
        rows = panel.view.model().rowCount()
        self.check(rows > 0, f"agreement rows: {rows}")
        self.shot("agreement", w)
        self.check(copy.exists(), "the coder's copy is still there")

    def qdpx_round(self) -> None:
        w = self.w
        path = self.tmp / "exchange.qdpx"
        self.save_answers(path)

        def options(d: Any) -> None:
            self.shot("qdpx-export-options", d)
            self.tab_chain(d, "qdpx export options")

            def consent(box: Any) -> None:  # nobody's consent recorded: asked, export anyway
                print(f"  asked: {box.text()[:200]!r}")
                self.shot("consent-question", box)
                self.click(next(b for b in box.buttons() if "anyway" in b.text()))

            self.modal(consent, "QMessageBox", required=False)
            self.click(self.button(d, "OK") if self._has(d, "OK") else self.button(d, "Export…"))

        self.modal(options, "ExportOptions")
        w.exchange.export_qdpx_dialog()
        self.idle()
        self.reports("qdpx-export")
        self.check(path.exists() and path.stat().st_size > 0, f"qdpx written {path.exists()}")
        # on the start page: a new project from it
        w.projects.close_project()
        self.idle()
        again = self.tmp / "From qdpx.fieldscribe"
        self.open_answers(path)
        self.save_answers(again)
        w.exchange.import_qdpx_dialog()
        self.idle()
        self.reports("qdpx-import")
        from storage import Project

        if not again.exists():
            self.check(False, "no project made from the .qdpx")
            return
        with Project.open(again, readonly=True) as p:
            n = sum(p.transcript.segment_count(s.id) for s in p.sessions.all())
            codings = len(p.codebook.codings())
        self.check(n > 0 and codings > 0, f"from the .qdpx: {n} segments, {codings} codings")

    def record(self, mic: Any) -> None:
        """Record ▸ Record a session… by its key, the virtual microphone chosen, ● Record, a
        sentence played into it, a marker by M, ■ Stop, the details dialog filled (Save)."""
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication, QLineEdit

        from tests.audio_fixtures import espeak_wav

        w = self.w
        before = {s.id for s in w.project.sessions.all()}
        w.activateWindow()
        self.pump(200)
        shift_ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        QTest.keyClick(w, Qt.Key.Key_R, shift_ctrl)
        self.pump(500)
        panel = w.extra_panels.docks["record"].widget()
        self.check(panel.isVisible(), "Ctrl+Shift+R shows the Record panel")
        panel = panel if hasattr(panel, "device_combo") else panel.findChild(type(panel))
        combo = panel.device_combo
        index = combo.findData("fs_mic")
        self.check(index >= 0, f"fs_mic offered among {combo.count()} inputs")
        combo.setCurrentIndex(index)
        panel.auto_check.setChecked(False)  # the fake transcriber's words would not be heard
        self.click(panel.record_button)
        speech = espeak_wav(self.tmp / "said.wav", "Welcome to the focus group about services.")
        self.until(lambda: panel.recorder is not None and panel.recorder.has_audio, 15)
        mic.play(speech)
        self.until(lambda: panel.recorder.position_ms > 1500, 15)
        panel.setFocus()
        QTest.keyClick(panel, Qt.Key.Key_M)  # a marker from the keyboard
        self.pump(1500)
        self.shot("recording", w)

        def details(d: Any) -> None:
            self.type_into(d.findChild(QLineEdit), "Focus group Almaty")
            self.shot("recorded-session-details", d)
            self.tab_chain(d, "Recorded session")
            self.click(self.button(d, "Save"))

        self.click(panel.stop_button)
        dialog = self.until(
            lambda: next(
                (t for t in QApplication.topLevelWidgets()
                 if type(t).__name__ == "SessionDetailsDialog" and t.isVisible()),
                None,
            ),
            20,
        )  # fmt: skip
        if dialog is None:
            self.check(False, "no Recorded session dialog after Stop")
            return
        self.pump(200)
        details(dialog)
        self.idle()
        mic.stop_players()
        made = [s for s in w.project.sessions.all() if s.id not in before]
        self.check(len(made) == 1, f"{len(made)} session recorded")
        if made:
            session = made[0]
            markers = w.project.sessions.markers(session.id)
            self.check(
                session.title == "Focus group Almaty" and session.duration_ms > 1500,
                f"recorded {session.title!r}, {session.duration_ms} ms, {session.status}",
            )
            self.check(len(markers) == 1, f"markers {[m.label for m in markers]}")

    def _has(self, dialog: Any, text: str) -> bool:
        try:
            self.button(dialog, text)
        except LookupError:
            return False
        return True

    def help_keys(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        self.w.activateWindow()
        self.pump(200)
        QTest.keyClick(self.w, Qt.Key.Key_F1)
        dialog = self.until(lambda: getattr(self.w, "shortcuts_dialog", None), 5)
        if dialog is None:
            self.check(False, "F1 opened nothing")
            return
        self.pump(300)
        self.shot("keyboard-shortcuts", dialog)
        self.check(len(dialog.rows) > 30, f"{len(dialog.rows)} keys listed")
        dialog.close()

    # ------------------------------------------------------------------ run
    def run(self, step: Callable[[], Any], name: str) -> Any:
        print(f"== {name}")
        try:
            return step()
        except Exception:
            self.check(False, f"{name}: {traceback.format_exc()}")
            return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--screen", default="1366x768")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--record", action="store_true", help="record from a private PulseAudio's fs_mic too"
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fieldscribe-dialogs-"))
    out = args.out or tmp / "shots"
    out.mkdir(parents=True, exist_ok=True)
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):  # an empty machine
        os.environ[var] = str(tmp / var.lower())
    mic = None
    if args.record:  # before Qt: Qt Multimedia binds to a sound server once per process
        from tests.audio_fixtures import start_pulse

        mic = start_pulse()
        os.environ["PULSE_SERVER"] = mic.env["PULSE_SERVER"]
        os.environ["PULSE_COOKIE"] = mic.env["PULSE_COOKIE"]
    try:
        walk_all(args, out, tmp, mic)
    finally:
        if mic is not None:
            from tests.audio_fixtures import stop_pulse

            stop_pulse(mic)


def walk_all(args: Any, out: Path, tmp: Path, mic: Any) -> None:
    """Every step, in a new user's order."""
    import gui  # noqa: F401 - before Qt widgets, as the app does
    from gui.demo import DEMO_RECORDING

    width, height = (int(v) for v in args.screen.lower().split("x"))
    walk = Walk(out, (width, height), tmp)
    logical = walk.w.screen().availableGeometry().size().toTuple()
    print(f"screen {args.screen} ({logical} logical), window {walk.w.width()}x{walk.w.height()}")
    print(f"PNGs in {out}")
    walk.run(walk.coder_name, "first start: coder name")
    walk.run(walk.new_project, "File ▸ New project")
    walk.run(lambda: walk.import_audio(Path(DEMO_RECORDING)), "File ▸ Import audio")
    walk.run(walk.project_settings, "File ▸ Project settings")
    walk.run(walk.models_page, "File ▸ Settings ▸ Models")
    walk.run(walk.pseudonyms, "Ethics ▸ Pseudonyms")
    walk.run(walk.redact, "Ethics ▸ Redact the selected words")
    lead = walk.run(lambda: walk.w.project.folder, "the lead's project")
    walk.run(walk.bundle_round, "Team ▸ Export a bundle / New project from a bundle")
    walk.run(lambda: walk.coder_round(lead), "a coder's bundle merged; agreement")
    walk.run(walk.help_keys, "Help ▸ Keyboard shortcuts (F1)")
    if mic is not None:
        walk.run(lambda: walk.record(mic), "Record ▸ Record a session (virtual microphone)")
    walk.run(walk.qdpx_round, "File ▸ Export / Import a .qdpx")
    walk.w.runner.cancel_all()
    print(f"windows larger than the screen: {walk.too_big}")
    print(f"{len(walk.problems)} problems")
    for problem in walk.problems:
        print(" -", problem.splitlines()[0] if problem else problem)


if __name__ == "__main__":
    main()
