"""The Models page of the settings: list, install, import, remove and time Whisper models.

Every slow step (downloading, unpacking, removing a folder, measuring speed) runs through
``gui.tasks``; the page shows progress and one line of outcome, and can cancel a download
(what was fetched is kept, the next Install resumes it). Only one job runs at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui.ask_dialog import AskDialog
from gui.fmt import plural
from gui.layout import grow_for
from gui.menu_keys import keep_mnemonics
from gui.models import in_use, listing, wording
from gui.models.whisper_models import WhisperModelsTable, speed_text
from gui.select_row import select_row
from gui.tasks import TaskContext, TaskHandle, TaskRunner
from transcribe.models import DEMO_RECORDING, ModelInfo

if TYPE_CHECKING:
    from storage import Project

TEST_AUDIO = DEMO_RECORDING
NOTE = (
    "Models are downloaded only when you click Install… (from the Hugging Face hub, or the "
    "mirror in HF_ENDPOINT) and are checked before use; transcription never downloads. "
    "Import… takes a model folder or a .zip / .tar.gz copied from a colleague or a USB stick."
)


def install_item(name: str) -> str:
    """A catalogue model as the Install dialog offers it: "small (about 486 MB)", or a size
    measured, "base (147.9 MB)" (``transcribe.model_download.download_size``)."""
    from transcribe.model_download import download_size

    size = download_size(name)
    return f"{name} ({size})" if size else name


#: what Measure speed does (its tooltip)
MEASURE_TIP = (
    "Transcribe 10 s of the demo recording with the selected model and show its speed on "
    "this computer (in Speed here)"
)


class ModelsPage(QWidget):
    """Lists the models with size, languages, source and measured speed; manages them."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        runner: TaskRunner | None = None,
        cache_dir: Path | None = None,
        test_audio: Path = TEST_AUDIO,
        project: Project | None = None,
        transcribing: Callable[[], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner or TaskRunner(self)
        self.cache_dir = cache_dir
        self.project = project  # the open project: removing its model warns
        # whether the open project is being transcribed now: its model is not removed then
        self.transcribing = transcribing or (lambda: False)
        self.test_audio = test_audio
        self.handle: TaskHandle | None = None
        #: the listing that reads files not checked yet, in the background (``refresh``)
        self.check_handle: TaskHandle | None = None
        self._list_again: tuple[str | None] | None = None  # refresh asked for during the check
        self._damage_said = ""  # what a damaged model, selected, said (gone with it)
        self.table = WhisperModelsTable(self)
        self.view = QTableView(self)
        self.view.setModel(self.table)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.install_button = QPushButton("Install…", self)
        self.import_button = QPushButton("Import…", self)
        menu = QMenu(self.import_button)
        menu.addAction("From a folder…", self.ask_import_folder)
        menu.addAction("From an archive (.zip, .tar.gz)…", self.ask_import_archive)
        self.import_button.setMenu(menu)
        keep_mnemonics(menu)
        self.remove_button = QPushButton("Remove", self)
        self.verify_button = QPushButton("Verify", self)
        self.verify_button.setToolTip(
            "Read the model's files again and compare them with the checksums recorded for "
            "them (finds a damaged copy of the same size)"
        )
        self.measure_button = QPushButton("Measure speed", self)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.hide()
        self.install_button.clicked.connect(self.ask_install)
        self.remove_button.clicked.connect(self.ask_remove)
        self.verify_button.clicked.connect(self.start_verify)
        self.measure_button.clicked.connect(self.start_measure)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar(self)
        self.progress.hide()
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(self.status.fontMetrics().lineSpacing() * 3 + 4)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.hide()  # until there is something to say: blank, it was a 55 px empty box
        note = QLabel(NOTE, self)
        note.setWordWrap(True)
        note.setMinimumHeight(note.fontMetrics().lineSpacing() * 2 + 4)
        buttons = QHBoxLayout()
        for button in (
            self.install_button,
            self.import_button,
            self.remove_button,
            self.verify_button,
            self.measure_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(note)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._selected_changed())
        self.runner.task_finished.connect(self._finished)
        self.refresh()

    # ------------------------------------------------------------------ state
    def refresh(self, select: str | None = None) -> None:
        """Read the models and their measured speeds again. Files never checked or changed
        since (``model_checksums``; the first time: the bundled tiny.en and the packaged base,
        about 370 MB) are read in the background: the table shows at once, the page says
        "Checking …" and its buttons wait, then the rows show what the check found."""
        chosen = self.selected()
        current = select or (chosen.name if chosen is not None else None)
        models, first = listing.list_at_once(self.cache_dir)
        self._show(models, current)
        if self.check_handle is not None:  # what it lists is older: it lists again when done
            self._list_again = (current,)
        elif first is not None:
            self._check_in_background(current, first)

    def _show(self, models: list[ModelInfo], current: str | None) -> None:
        from transcribe.model_speed import read_speeds

        using, why = self.project_model(models)
        self.table.set_models(models, read_speeds(self.cache_dir), using, why)
        grow_for(self)  # rows longer or more than the dialog opened for, whole
        for row, info in enumerate(self.table.rows):
            if info.name == current:
                select_row(self.view, row)
        self._update_buttons()

    def _check_in_background(self, current: str | None, first: tuple[str, int]) -> None:
        """List the models again on a worker thread, reading the files not checked yet."""
        said = (self.status.text(), self.status.styleSheet())
        self._list_again = None
        line = [""]

        def checking_said(name: str, size: int) -> None:
            line[0] = listing.checking_line(name, size)
            self._say(line[0])

        def done(models: list[ModelInfo]) -> None:
            if self.status.text() == line[0]:  # what was said before the check, back
                self.status.setText(said[0])
                self.status.setVisible(bool(said[0]))
                self.status.setStyleSheet(said[1])
            again = self._list_again
            self.check_handle = None
            self.progress.setVisible(self.busy())
            if again is not None:  # asked for while the check ran: list what is there now
                self.refresh(select=again[0])
            else:  # the row selected meanwhile stays selected
                chosen = self.selected()
                self._show(models, chosen.name if chosen is not None else current)

        def failed(exc: BaseException) -> None:
            self._say(f"Checking the models failed: {exc}", error=True)

        checking_said(*first)
        self.progress.setRange(0, 0)
        self.progress.setFormat("")
        self.progress.show()
        self.check_handle = listing.check_in_background(
            self.runner,
            self.cache_dir,
            on_checking=checking_said,
            on_done=done,
            on_error=failed,
        )
        self._update_buttons()

    def selected(self) -> ModelInfo | None:
        """The model selected in the table."""
        rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        return self.table.model_at(rows[0].row()) if rows else None

    def select(self, name: str) -> None:
        """Select a model by name."""
        for row, info in enumerate(self.table.rows):
            if info.name == name:
                select_row(self.view, row)

    def showEvent(self, event: QShowEvent) -> None:  # Qt's name
        """The tab comes in front: the models listed while it was behind General read whole
        (``grow_for`` leaves a page not shown alone)."""
        super().showEvent(event)
        grow_for(self)

    def sizeHint(self) -> QSize:  # Qt's name
        """Wide enough for the table's columns whole and tall enough for its rows (up to 12)
        with a status line shown (the settings dialog opens at it, as far as the screen
        allows): at Qt's default the dialog was 521 px wide and the Source column read
        "package (base-…" beside "base ✓ this project"; 380 px tall, five models and a line
        of outcome left two and a half rows in sight."""
        hint = super().sizeHint()
        view = self.view
        rows = min(self.table.rowCount(), 12) * view.verticalHeader().defaultSectionSize()
        table = view.horizontalHeader().sizeHint().height() + rows + 2 * view.frameWidth()
        box = self.layout()
        spacing = box.spacing() if box is not None else 0
        status = 0 if self.status.isVisibleTo(self) else self.status.minimumHeight() + spacing
        hint.setHeight(hint.height() + max(0, table - view.sizeHint().height()) + status)
        view, header = self.view, self.view.horizontalHeader()
        columns = sum(
            max(view.sizeHintForColumn(c), header.sectionSizeHint(c))
            for c in range(self.table.columnCount())
        )
        scroll = view.verticalScrollBar().sizeHint().width()
        layout, sides = self.layout(), 0
        if layout is not None:
            sides = layout.contentsMargins().left() + layout.contentsMargins().right()
        need = columns + 2 * view.frameWidth() + scroll + sides
        return QSize(max(hint.width(), need), hint.height())

    def busy(self) -> bool:
        """True while a job of this page runs (the background check of the models included)."""
        return self.handle is not None or self.check_handle is not None

    def _update_buttons(self) -> None:
        from transcribe.model_store import checksums_for

        info = self.selected()
        idle = not self.busy()
        self.install_button.setEnabled(idle)
        self.import_button.setEnabled(idle)
        self.remove_button.setEnabled(idle and info is not None and info.removable)
        if info is not None and not info.removable:  # greyed out: say why (a tooltip shows
            row = self.table.rows.index(info)  # on a disabled button too)
            source = self.table.index(row, 4).data()
            self.remove_button.setToolTip(
                f"“{info.name}” comes with this installation ({source}): only models "
                "installed or imported here can be removed."
            )
        else:
            self.remove_button.setToolTip("Delete the selected model's files from this machine")
        self.verify_button.setEnabled(idle and info is not None and bool(checksums_for(info)))
        self.measure_button.setEnabled(idle and info is not None and self.test_audio.is_file())
        # every model read "not measured" and the button was greyed out without a word: how
        # to get the speed shown was nowhere on the page
        self.measure_button.setToolTip(
            MEASURE_TIP
            if info is not None
            else MEASURE_TIP.replace("the selected model", "a model selected in the list")
        )
        self.cancel_button.setVisible(self.handle is not None)

    def _selected_changed(self) -> None:
        """A damaged model, selected, says what is wrong and the repair under the buttons (in
        its tooltip only, a red 'DAMAGED' row told nothing to a user who did not hover)."""
        self._update_buttons()
        info = self.selected()
        if info is not None and info.damaged and not self.busy():
            repair = wording.window_repair(info)
            self._damage_said = f"{info.name} is damaged ({info.damaged}): {repair}."
            self._say(self._damage_said, error=True)
        elif self._damage_said and self.status.text() == self._damage_said:
            self._say("")  # the line of the model selected before

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))
        self.status.setStyleSheet("color: #b00020;" if error else "")

    # ------------------------------------------------------------------ jobs
    def _run(self, title: str, job: Any, on_done: Any, *, determinate: bool) -> None:
        about = self.selected()  # what a failure's repair is about (Verify, Remove)
        self._say(title)
        self.progress.setRange(0, 1000 if determinate else 0)
        self.progress.setValue(0)
        self.progress.show()

        def failed(exc: BaseException) -> None:
            from transcribe.model_download import DownloadCancelled
            from transcribe.model_store import ImportCancelled, ModelDamagedError, Stopped

            if isinstance(exc, DownloadCancelled):
                self._say("Download stopped; Install the same model again to resume it.")
            elif isinstance(exc, Stopped):
                imported = isinstance(exc, ImportCancelled)
                self._say(
                    "Import stopped; nothing was imported." if imported else "Verification stopped."
                )
            else:  # advice for a terminal, said with the page's buttons
                self._say(wording.in_window(str(exc), about) or type(exc).__name__, error=True)
            if isinstance(exc, ModelDamagedError):  # the row says DAMAGED, as `models` does
                self.refresh()

        self.handle = self.runner.submit(
            title, job, on_done=on_done, on_error=failed, on_progress=self._progress
        )
        self._update_buttons()

    def _finished(self, handle: TaskHandle) -> None:
        if handle is self.check_handle:  # failed (done clears it)
            self.check_handle = None
        elif handle is self.handle:
            self.handle = None
        if not self.busy():
            self.progress.hide()
        self._update_buttons()

    def _progress(self, value: object) -> None:
        from transcribe.model_download import CONVERTING, DownloadProgress

        if isinstance(value, DownloadProgress) and value.filename == CONVERTING:
            self.progress.setRange(0, 0)  # busy: the converter says nothing until it is done
            self.progress.setFormat("Converting to CTranslate2…")
            self._say("Downloaded and verified; converting the checkpoint to CTranslate2…")
        elif isinstance(value, DownloadProgress):
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(value.fraction * 1000))
            self.progress.setFormat(
                f"{value.filename}: {value.done / 1e6:,.0f} of {value.total / 1e6:,.0f} MB"
            )
        elif isinstance(value, tuple) and len(value) == 2 and value[1]:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(value[0] / value[1] * 1000))
            self.progress.setFormat(f"{value[0] / 1e6:,.0f} of {value[1] / 1e6:,.0f} MB")

    def cancel(self) -> None:
        """Stop the running job (a download keeps what it fetched)."""
        if self.handle is not None:
            self.handle.cancel()
            self._say("Stopping…")

    def shutdown(self, msecs: int = 15000) -> None:
        """Cancel the running job and wait for it (the dialog is closing)."""
        self.cancel()
        if self.check_handle is not None:
            self.check_handle.drop_callbacks()
            self.check_handle.cancel()
        self.runner.wait(msecs)

    # ------------------------------------------------------------------ install
    def ask_install(self) -> None:
        from transcribe.model_download import CATALOG

        spec, ok = AskDialog.ask(
            self,
            "Install a Whisper model",
            "A name, or a Hugging Face repository of a Whisper model (owner/name): a "
            "CTranslate2 conversion, or a Transformers checkpoint (most fine-tunes), which is "
            "converted here. It is downloaded once, checked, and kept for offline use. Each "
            "name says how much it downloads (about, where not measured).",
            install_item("small"),
            items=[install_item(name) for name in CATALOG],
            editable=True,
        )
        # "small (about 486 MB)": the name (names and repositories have no spaces)
        if ok and spec.strip():
            self.start_install(spec.split()[0])

    def start_install(self, spec: str) -> None:
        """Download, verify and install a model in the background."""
        from transcribe.model_download import InstallResult, install_model

        cache_dir = self.cache_dir

        def job(ctx: TaskContext) -> InstallResult:
            return install_model(
                spec, cache_dir=cache_dir, progress=ctx.progress, cancel=ctx.cancel
            )

        def done(result: InstallResult) -> None:
            info = result.model
            if result.status == "installed":
                how = "verified, converted to CTranslate2" if info.converted else "verified"
                self._say(f"Installed {info.name} ({info.size_bytes / 1e6:,.0f} MB, {how}).")
            elif result.status == "already installed":
                self._say(f"{info.name} is already installed and up to date.")
            else:
                self._say(f"{info.name} is already available ({info.source}).")
            self.refresh(select=info.name)

        self._run(f"Installing {spec}…", job, done, determinate=True)

    # ------------------------------------------------------------------ import
    def ask_import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a Whisper model folder")
        if folder:
            self.start_import(Path(folder))

    def ask_import_archive(self) -> None:
        path = QFileDialog.getOpenFileName(
            self,
            "Import a Whisper model archive",
            "",
            "Model archives (*.zip *.tar *.tar.gz *.tgz)",
        )[0]
        if path:
            self.start_import(Path(path))

    def start_import(self, source: Path, name: str | None = None) -> None:
        """Check, copy or unpack, and install a model from a folder or archive; when its name
        (``name``, else the folder's or archive's) is taken or cannot name an imported model,
        ask for another first (cancelled: nothing is imported)."""
        from transcribe.model_store import default_import_name, import_model
        from transcribe.models import folder_of_models

        pick = ("import them one at a time", "import that folder")
        # not the CLI's words
        shelf = folder_of_models(source, pick, "Import… ▸ From a folder…:", importing=True)
        if shelf is not None:
            self._say(shelf, error=True)
            return
        wanted = default_import_name(source) if name is None else name
        problem = self.import_name_problem(wanted)
        if problem is not None:
            chosen = self.ask_import_name(wanted, problem)
            if chosen is None:
                self._say("Nothing imported.")
                return
            name = chosen
        cache_dir = self.cache_dir

        def job(ctx: TaskContext) -> ModelInfo:
            return import_model(
                source,
                name=name,
                cache_dir=cache_dir,
                progress=lambda d, t: ctx.progress((d, t)),
                cancel=ctx.cancel,
            )

        def done(info: ModelInfo) -> None:
            how = ", converted to CTranslate2" if info.converted else ""
            self._say(f"Imported {info.name} ({info.size_bytes / 1e6:,.0f} MB{how}).")
            self.refresh(select=info.name)

        self._run(f"Importing {source.name}…", job, done, determinate=True)

    def import_name_problem(self, name: str) -> str | None:
        """Why an imported model cannot take ``name`` here (``wording.import_name_problem``)."""
        return wording.import_name_problem(name, self.cache_dir)

    def ask_import_name(self, wanted: str, problem: str) -> str | None:
        """Ask for the imported model's name, offering a free one like ``wanted``; asked
        again while the name typed cannot be used. None when cancelled."""
        from transcribe.model_store import free_import_name

        text = free_import_name(wanted, self.cache_dir)
        while True:
            text, ok = AskDialog.ask(
                self, "Import a Whisper model", f"{problem}\nImport it under another name:", text
            )
            if not ok:
                return None
            text = text.strip()
            problem = self.import_name_problem(text) or ""
            if not problem:
                return text

    # ------------------------------------------------------------------ remove
    def project_uses(self, info: ModelInfo) -> bool:
        """True when the open project transcribes with ``info`` (``gui.models.in_use``)."""
        return in_use.project_uses(self.project, info)

    def project_model(self, models: list[ModelInfo]) -> tuple[str | None, str]:
        """The model the open project transcribes with, and why (``gui.models.in_use``)."""
        return in_use.project_model(self.project, models)

    def _fallback(self) -> str:
        return in_use.fallback(self.project)

    def other_projects(self, info: ModelInfo) -> list[str]:
        """The folders of other projects recorded as having chosen ``info``
        (``transcribe.model_choices``; the CLI's `models remove` refuses for them)."""
        from transcribe.model_choices import projects_choosing

        if not info.removable:
            return []
        here = str(self.project.folder.resolve()) if self.project is not None else None
        return [f for f in projects_choosing(info, self.cache_dir) if f != here]

    def ask_remove(self) -> None:
        info = self.selected()
        if info is None:
            return
        busy = in_use.running_with(self.project, info, self.table.rows, self.transcribing())
        if busy:
            self._say(busy, error=True)
            return
        question = f"Remove {info.name} ({info.size_bytes / 1e6:,.0f} MB) from this computer?"
        note = in_use.removal_note(self.project, info, self.table.rows)
        if note:
            question += f"\n\n{note}"
        others = self.other_projects(info)
        if others:
            question += (
                f"\n\nOther projects chose {info.name} in their settings: "
                f"{', '.join(others)}; they will transcribe with the default for their "
                "languages."
            )
        answer = QMessageBox.question(self, "Remove model", question)
        if answer == QMessageBox.StandardButton.Yes:
            self.remove_selected()

    def remove_selected(self) -> None:
        """Remove the selected model (installed or imported ones only)."""
        from transcribe.model_store import remove_model

        info = self.selected()
        if info is None:
            return
        cache_dir = self.cache_dir
        name = info.name

        def done(removed: ModelInfo) -> None:
            said = f"Removed {removed.name}."
            if self.project is not None and self.project_uses(removed):
                said += (
                    f" {self.project.name} will transcribe with {self._fallback()} (the default "
                    "for its languages) instead; File ▸ Project settings chooses another."
                )
            self._say(said)
            self.refresh()

        self._run(
            f"Removing {name}…",
            lambda _ctx: remove_model(name, cache_dir),
            done,
            determinate=False,
        )

    # ------------------------------------------------------------------ verify
    def start_verify(self) -> None:
        """Read the selected model's files against the checksums recorded at install."""
        from transcribe.model_store import verify_model

        info = self.selected()
        if info is None:
            return
        cache_dir, name = self.cache_dir, info.name

        def job(ctx: TaskContext) -> ModelInfo:
            return verify_model(
                name, cache_dir, progress=lambda d, t: ctx.progress((d, t)), cancel=ctx.cancel
            )

        def done(checked: ModelInfo) -> None:
            self._say(f"{checked.name}: every file matches the checksum recorded for it.")
            self.refresh(select=checked.name)

        self._run(f"Verifying {name}…", job, done, determinate=True)

    # ------------------------------------------------------------------ speed
    def start_measure(self) -> None:
        """Transcribe a few seconds of the demo recording with the selected model; show RTF."""
        from transcribe.model_speed import SpeedResult, measure_speed
        from transcribe.models import resolve_model

        info = self.selected()
        if info is None:
            return
        name = info.name if info.path is None else str(info.path)
        cache_dir, audio = self.cache_dir, self.test_audio

        def job(ctx: TaskContext) -> SpeedResult | None:
            resolved = resolve_model(name, cache_dir)  # assembles base on first use
            resolved.name = info.name
            return measure_speed(resolved, audio, cancel=ctx.cancel, cache_dir=cache_dir)

        def done(result: SpeedResult | None) -> None:
            if result is None:
                self._say("Speed measurement stopped.")
                return
            record = {"rtf": result.rtf}
            self._say(
                f"{result.model}: {speed_text(record)} on this computer (RTF {result.rtf:.3f}, "
                f"{result.audio_s:.0f} s of speech in {result.elapsed_s:.1f} s, "
                f"{plural(result.threads, 'thread')})."
            )
            self.refresh(select=info.name)

        self._run(f"Measuring the speed of {info.name}…", job, done, determinate=False)
