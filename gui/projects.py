"""Opening, creating and closing projects (and the demo), the Settings and Project settings
dialogs.

``ProjectsController`` owns ``AppState.project``: it opens a project (closing the previous one),
creates its edit context and project docks, and emits ``project_opened`` / ``project_closed``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox

from gui.app_state import AppState
from gui.chrome import WindowChrome
from gui.editing import EditingController
from gui.languages import LanguagesDialog, describe
from gui.onboarding import CoderNameDialog, NewProjectDialog
from gui.project_docks import ProjectDocks
from gui.qtcompat import emit
from gui.sessions import SessionsController
from gui.settings import Settings, SettingsDialog, default_coder
from gui.start_page import StartPage
from gui.tasks import TaskRunner
from gui.transcription import TranscriptionController
from gui.undo import EditContext
from gui.views import WorkbenchViews
from storage import FieldScribeError, Project
from storage.core import left_behind
from transcribe.model_choices import record_choice
from transcribe.models import ModelInfo, pick_multilingual


@dataclass(frozen=True)
class ProjectChoices:
    """What File ▸ Project settings chose: the languages the project expects, its model (None:
    the default for those languages) and how new transcripts write numbers."""

    languages: list[str]
    model: str | None
    numbers: str


def model_choices(
    models: list[ModelInfo], chosen: str | None
) -> tuple[list[str], list[str], str | None]:
    """What Project settings offers among ``models``: the names of those not damaged
    (``chosen`` too, when it is a model folder given by its path: ``models use DIR FOLDER``),
    the English-only ones, and the multilingual one an English-only choice gives way to."""
    available = [m for m in models if not m.damaged]
    usable = [m.name for m in available]
    if chosen and chosen not in usable and Path(chosen).expanduser().is_dir():
        usable.append(chosen)
    english_only = [m.name for m in available if not m.multilingual]
    return usable, english_only, pick_multilingual(models)


class ProjectsController:
    """File menu: new, open, demo, close, settings."""

    def __init__(
        self,
        state: AppState,
        chrome: WindowChrome,
        runner: TaskRunner,
        undo_stack: QUndoStack,
        settings: Settings,
        views: WorkbenchViews,
        docks: ProjectDocks,
        sessions: SessionsController,
        editing: EditingController,
        transcription: TranscriptionController,
        start_page: StartPage,
        *,
        show_workbench: Callable[[], None],
        show_start: Callable[[], None],
    ) -> None:
        self.state = state
        self.chrome = chrome
        self.runner = runner
        self.undo_stack = undo_stack
        self.settings = settings
        self.views = views
        self.docks = docks
        self.sessions = sessions
        self.editing = editing
        self.transcription = transcription
        self.start_page = start_page
        self.show_workbench = show_workbench  # the window's pages: the workbench with its docks
        self.show_start = show_start  # ... or the start page
        # asked before the project closes (a recording running: stop and save it?); False keeps it
        self.may_close: Callable[[], bool] = lambda: True
        #: whom the open copy codes as, at the status bar's right ("Coding as alice")
        self.coder_label = QLabel(chrome.window)
        self.coder_label.setObjectName("coderLabel")
        self.coder_label.hide()
        chrome.window.statusBar().addPermanentWidget(self.coder_label)
        start_page.new_requested.connect(self.new_project_dialog)
        start_page.open_requested.connect(self.open_project_dialog)
        start_page.demo_requested.connect(self.open_demo)
        start_page.recent_requested.connect(lambda f: self.open_project(Path(f)))

    def new_project_dialog(self) -> None:
        while True:  # a folder that exists is refused at once, not after the whole dialog
            folder = QFileDialog.getSaveFileName(
                self.chrome.window,
                "New FieldScribe project",
                "",
                "FieldScribe project (*.fieldscribe)",
            )[0]
            if not folder:
                return
            path = Path(folder)
            if path.suffix != ".fieldscribe":
                path = path.with_name(path.name + ".fieldscribe")
            try:
                Project.check_new_folder(path)
                break
            except FieldScribeError as exc:
                self.chrome.show_error(exc)
        dialog = NewProjectDialog(path.stem, self.settings.coder, self.chrome.window)
        if not dialog.exec():
            return  # nothing created
        self.create_project(
            path,
            dialog.result_codes,
            name=dialog.name.text().strip(),
            coder=dialog.coder.text().strip(),
        )

    def create_project(
        self,
        path: Path,
        languages: str | list[str] = "",
        *,
        name: str | None = None,
        coder: str | None = None,
    ) -> Project | None:
        """Create a project (its display ``name``, coded by ``coder``) expecting ``languages``
        and show it; an unknown code (or any other problem) is shown and nothing is created."""
        from storage.core.languages import parse_languages

        who = coder or self.settings.coder
        try:
            codes = parse_languages(languages)  # checked before the folder is made
            project = Project.create(path, name=name or None, coder=who)
        except FieldScribeError as exc:
            self.chrome.show_error(exc)
            return None
        if codes:
            project.set_languages(codes)
        if coder and not self.settings.has_coder:
            self.settings.coder = coder  # the first name given becomes the general one
        self.set_project(project)
        self.tell_left_behind()
        return project

    def tell_left_behind(self) -> None:
        """Say in the status bar what a killed FieldScribe left half done and opening the
        project cleared or finished (``storage.core.left_behind``), as the command line does."""
        lines = left_behind.take()
        if lines:
            self.chrome.message(" ".join(lines))

    def project_coder_dialog(self) -> None:
        """File ▸ Coder name for this project: code the open project under another name."""
        project = self.state.project
        if project is None:
            return
        dialog = CoderNameDialog(project.coder, self.chrome.window, project=project.name)
        if not dialog.exec():
            return
        name, lead = dialog.value(), project.team.lead
        rename_lead = True
        if lead is not None and lead == project.coder and name != lead:
            # a colleague's copy started from the lead's bundle on the lead's laptop codes as
            # the lead at first: renamed, it took the lead with it, and its bundle made the
            # colleague lead of the lead's own project
            answer = self.ask_whose_copy(lead, name)
            if answer is None:
                return
            rename_lead = answer
        self.set_project_coder(name, rename_lead=rename_lead)

    def ask_whose_copy(self, lead: str, name: str) -> bool | None:
        """Renaming the lead's coder name: is this copy the lead's (True: the lead is renamed)
        or someone else's (False: the lead stays); None when cancelled."""
        box = QMessageBox(self.chrome.window)
        box.setWindowTitle("Coder name for this project")
        box.setIcon(QMessageBox.Icon.Question)
        box.setText(
            f"{lead} leads this project. Are you {lead}, coding as {name} from now on (the "
            f"lead is renamed here and, with your next bundle, in every copy), or is this "
            f"copy {name}'s (it started from {lead}'s bundle; {lead} stays the lead)?"
        )
        mine = box.addButton(f"I am {lead}", QMessageBox.ButtonRole.YesRole)
        theirs = box.addButton(f"This copy is {name}'s", QMessageBox.ButtonRole.NoRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(theirs)
        box.exec()
        clicked = box.clickedButton()
        if clicked is mine:
            return True
        if clicked is theirs:
            return False
        return None

    def set_project_coder(self, name: str, *, rename_lead: bool = True) -> None:
        """Code the open project under ``name`` from now on (remembered for this project);
        ``rename_lead=False``: this copy is someone else's, the project's lead stays."""
        project = self.state.project
        if project is None or not name.strip():
            return
        name = name.strip()

        def done(_coder: object) -> None:
            self.chrome.message(f"You now code {project.name} as {name}.", 5000)
            self.show_coder()
            self.editing.reload_codebook()

        def job(_ctx: object) -> object:
            # kept in the project: this copy's identity
            return project.coders.code_as(name, rename_lead=rename_lead)

        self.runner.submit("Coder", job, on_done=done, on_error=self.chrome.show_error, serial=True)

    def project_settings_dialog(self) -> None:
        """Project ▸ settings: the languages the project expects (changeable at any time), its
        model and how numbers are written. The models are listed as last checked and the
        dialog shows at once; files not checked yet (the first time: the bundled tiny.en and
        the packaged base, about 370 MB) are read on a worker thread (``gui.models.listing``),
        then the choices follow what the check found (a damaged model is not offered)."""
        from gui.models import listing

        project = self.state.project
        if project is None:
            return
        models, first = listing.list_at_once()
        chosen = project.model
        usable, english_only, multilingual = model_choices(models, chosen)
        dialog = LanguagesDialog(
            project.languages,
            self.chrome.window,
            title=f"Project settings — {project.name}",
            models=usable,
            model=chosen,
            numbers=project.numbers,
            english_only=english_only,
            multilingual=multilingual,
        )

        def checked(found: list[ModelInfo]) -> None:
            dialog.set_models(*model_choices(found, chosen))
            dialog.show_checking("")

        def checking(name: str, size: int) -> None:
            dialog.show_checking(listing.checking_line(name, size))

        def failed(exc: BaseException) -> None:
            dialog.show_checking(f"Checking the models failed: {exc}")

        handle = None
        if first is not None:
            checking(*first)
            handle = listing.check_in_background(
                self.runner, None, on_checking=checking, on_done=checked, on_error=failed
            )
        accepted = dialog.exec()
        if handle is not None:  # closed during the check: it stops after the file it reads
            handle.drop_callbacks()
            handle.cancel()
        if accepted:
            self.apply_settings(
                ProjectChoices(
                    dialog.result_codes,
                    dialog.result_model,
                    dialog.result_numbers or project.numbers,
                )
            )

    def set_languages(self, codes: list[str]) -> None:
        """Change the open project's languages only (its model and numbers stay)."""
        project = self.state.project
        if project is not None:
            self.apply_settings(ProjectChoices(codes, project.model, project.numbers))

    def apply_settings(self, choices: ProjectChoices) -> None:
        """Save what Project settings chose (languages, model, numbers) in the background,
        after pending writes."""
        project = self.state.project
        if project is None:
            return

        def job(_ctx: object) -> list[str]:
            saved = project.set_languages(choices.languages)
            project.set_model(choices.model)
            record_choice(project.folder, choices.model)  # `models remove` warns
            project.set_numbers(choices.numbers)
            return saved

        def done(saved: list[str]) -> None:
            chosen = f"; model: {project.model}" if project.model else ""
            chosen += "; numbers as digits" if project.numbers == "digits" else ""
            self.chrome.message(f"Project languages: {describe(saved)}{chosen}.", 6000)
            self.sessions.reload_sessions()  # the language filters follow

        self.runner.submit(
            "Languages",
            job,
            on_done=done,
            on_error=self.chrome.show_error,
            serial=True,
        )

    def open_project_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self.chrome.window, "Open a FieldScribe project folder"
        )
        if folder:
            self.open_project(Path(folder))

    def open_project(self, folder: Path) -> bool:
        """Open a project folder (quick: the database opens lazily)."""
        try:
            # as the copy's own coder (kept in it), not the name of the person last at this
            # laptop: copies of one project share its id, and people share laptops
            project = Project.open(folder)
            older = self.settings.take_project_coder(project.id)  # an older version kept it
            own = older or project.coders.own or self.settings.coder
            if older or own != project.coders.own:
                project.coders.code_as(own)
        except FieldScribeError as exc:
            # the command line's hint names a command; here the menu says how
            text = str(exc).replace(
                "create one with `fieldscribe new`",
                "open the folder named NAME.fieldscribe, or create one with File ▸ New project",
            )
            self.chrome.show_error(text if text != str(exc) else exc)
            return False
        self.set_project(project)
        self.tell_left_behind()
        return True

    def open_demo(self) -> None:
        """Open (creating it the first time, in the background) the demo project."""
        from gui.demo import add_demo_examples, demo_session_id, open_or_create_demo

        self.settings.demo_offered = True
        self.start_page.show_demo_offer(False)
        coder = self.settings.coder
        self.chrome.message("Preparing the demo project…")

        def done(result: tuple[Project, bool]) -> None:
            project, _created = result
            name = self.settings.coder
            if project.coder == default_coder() != name:
                # made (or kept) under the neutral name, a name given since: the first start's
                # dialog answered while the demo was being prepared. The demo is made with the
                # Settings name, never a name its user chose for it.
                try:
                    project.coders.code_as(name)
                except FieldScribeError as exc:
                    self.chrome.show_error(exc)
            self.set_project(project)
            sid = demo_session_id(project)
            if sid is not None and project.transcript.segment_count(sid) == 0:
                # its progress replaces the message; the examples follow a finished transcript
                self.transcription.start_transcription(sid, then=add_demo_examples)
            else:  # "Preparing…" stayed in the status bar while nothing was being prepared
                self.chrome.message(f"Opened the demo project ({project.folder}).", 10000)

        self.runner.submit("Demo project", lambda _ctx: open_or_create_demo(coder), on_done=done)

    def set_project(self, project: Project) -> None:
        """Show a project (closing the previous one)."""
        if not self.close_project():  # the open one stays (its recording goes on)
            project.close()
            return
        self.state.project = project
        self.state.ctx = EditContext(
            project,
            self.runner,
            self.editing.apply_outcome,
            self.chrome.show_error,
            stack=self.undo_stack,
        )
        self.undo_stack.clear()
        self.settings.add_recent(str(project.folder))
        self.chrome.window.setWindowTitle(f"{project.name} — FieldScribe")
        self.show_coder()
        self.docks.open(project)
        if self.docks.session_panel is not None:  # its speaker mappings go on the undo stack
            self.docks.session_panel.edit_context = lambda: self.state.ctx
        self.show_workbench()
        self.editing.reload_codebook()
        self.sessions.reload_sessions(select_first=True)
        emit(self.state.project_opened, project)
        # once the window shows the project: restore recordings a crash left unfinished
        QTimer.singleShot(0, lambda: self._recover_recordings(project))

    def _recover_recordings(self, project: Project) -> None:
        from gui.recording_finish import recover_unfinished

        if self.state.project is not project:
            return  # closed or replaced meanwhile
        try:
            sessions = recover_unfinished(project, self.chrome.window)
        except FieldScribeError as exc:
            self.chrome.show_error(exc)
            return
        if sessions and self.state.project is project:
            self.sessions.reload_sessions()

    def close_project(self) -> bool:
        """Close the open project (waits for running writes); False when the user keeps it
        open (``may_close``: a recording runs and they go on recording)."""
        if self.state.project is None:
            return True
        if not self.may_close():
            return False
        self.views.segment_editor.commit()
        self.runner.cancel_all()
        self.runner.wait(15000)
        self.runner.forget_pending()  # results for the closed project are not shown
        self.transcription.reset()
        self.sessions.reset()
        self.sessions.edits.project_closed()
        self.docks.close()
        self.undo_stack.clear()
        self.state.project.close()
        self.state.project = None
        self.state.session = None
        self.state.ctx = None
        self.chrome.window.setWindowTitle("FieldScribe")
        self.show_coder()
        self.chrome.clear_message()  # "Transcribed: 4 segments." stayed over the next project
        emit(self.state.project_closed)
        self.show_start()
        return True

    def apply_player_settings(self) -> None:
        """Skip and rewind steps of the player, from the settings."""
        player = self.views.player
        player.skip_ms = int(self.settings.skip_s * 1000)
        player.rewind_ms = int(self.settings.rewind_s * 1000)

    def settings_dialog(self) -> None:
        coder = self.settings.coder
        transcription = self.transcription
        dialog = SettingsDialog(
            self.settings,
            self.chrome.window,
            project=self.state.project,
            transcribing=lambda: bool(transcription.running or transcription.retranscribing),
        )
        if dialog.exec():
            self.apply_player_settings()
            if self.settings.coder != coder:
                self.coder_changed(self.settings.coder)

    def show_coder(self) -> None:
        """The status bar says whom the open project's copy codes as."""
        project = self.state.project
        if project is None:
            self.coder_label.hide()
            return
        self.coder_label.setText(f"Coding as {project.coder}")
        self.coder_label.setToolTip(
            "The name on your codings and edits in this project, kept in it. "
            "File ▸ Coder name for this project… changes it."
        )
        self.coder_label.show()

    def coder_changed(self, name: str) -> None:
        """The general coder name changed: new projects get it. The open project keeps whom it
        codes as (its own, kept in it), unless it still codes under the neutral name a first
        start offered (no name had been given yet)."""
        project = self.state.project
        if project is None or project.coder == name:
            return
        if project.coder != default_coder():
            self.chrome.message(
                f"New projects are coded as {name}; {project.name} stays coded as "
                f"{project.coder} (File ▸ Coder name for this project…).",
                8000,
            )
            return

        def done(_coder: object) -> None:
            self.chrome.message(f"You now code as {name}.", 5000)
            self.show_coder()
            self.editing.reload_codebook()

        self.runner.submit(
            "Coder",
            lambda _ctx: project.coders.code_as(name),
            on_done=done,
            on_error=self.chrome.show_error,
            serial=True,
        )
