"""Team ▸ bundles from the workbench: export a bundle, merge bundles into the open project, and
start a new project from a bundle (File menu and start page).

The app that holds the project does the merge through its own ``Project`` (the command line's
``bundle merge`` refuses while the workbench has the project open): bundles merge one after
another on the serial lane of ``gui.tasks``, with a progress dialog whose Cancel stops before the
next bundle. A refused bundle changes nothing (``storage.team.merging.merge_bundles``), its
reason is shown, and the workbench stays open on the project, refreshed in place through
``AppState.project_changed``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from gui.app_state import AppState
from gui.ask_dialog import AskDialog
from gui.chrome import WindowChrome
from gui.fmt import file_name, plural
from gui.merge_report import Stopped, describe_merge, describe_stopped, refusal
from gui.progress import export_failed, export_job, run_with_progress
from gui.qtcompat import emit
from gui.tasks import TaskContext, TaskRunner
from storage import FieldScribeError, Project
from storage.privacy.models import ExportPrivacy

BUNDLE_FILTER = "FieldScribe bundle (*.fsbundle *.fsbundle.enc);;All files (*)"


@dataclass
class BundleExportOptions:
    """What the Export a bundle dialog asks."""

    with_media: bool = False
    passphrase: str | None = None
    recipient_files: list[Path] = field(default_factory=list)
    pseudonymise: bool = True
    redact: bool = True
    consented_only: bool = False


class BundleExportDialog(QDialog):
    """With or without media; plain, with a passphrase or for a teammate's public key."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export a team bundle")
        self.setMinimumWidth(520)
        intro = QLabel(
            "A bundle carries the sessions, transcripts, codebook and your codings to the lead "
            "or a teammate, who merges it. Names are replaced by their pseudonyms and redacted "
            "spans stay hidden unless you turn that off below.",
            self,
        )
        intro.setWordWrap(True)
        self.with_media = QCheckBox("Include the audio files (larger bundle)", self)
        self.pseudonyms = QCheckBox("Use pseudonyms for real names", self)
        self.pseudonyms.setChecked(True)
        self.redactions = QCheckBox("Keep redacted spans hidden", self)
        self.redactions.setChecked(True)
        # as bundle export --consented-only: a participant left out travels not at all
        self.consented = QCheckBox("Leave out participants without consent to export", self)
        self.consented.setToolTip(
            "their words, audio, speaker labels, participant row and attributes, consent "
            "records, voice profiles and the memos that name them stay in this project"
        )
        self.plain = QRadioButton("Not encrypted", self)
        self.with_passphrase = QRadioButton("Encrypted with a passphrase", self)
        self.with_key = QRadioButton("Encrypted for a teammate's public key", self)
        self.group = QButtonGroup(self)
        for b in (self.plain, self.with_passphrase, self.with_key):
            self.group.addButton(b)
        self.plain.setChecked(True)
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("passphrase")
        self.confirm = QLineEdit(self)
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm.setPlaceholderText("the same passphrase again")
        self.key_file = QLineEdit(self)
        self.key_file.setPlaceholderText("teammate's public key file (.pub)")
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_file, 1)
        key_row.addWidget(browse)
        self.problem = QLabel("", self)
        self.problem.setStyleSheet("color: #a00;")
        form = QFormLayout()
        form.addRow(self.plain)
        form.addRow(self.with_passphrase)
        form.addRow("Passphrase:", self.passphrase)
        form.addRow("Again:", self.confirm)
        form.addRow(self.with_key)
        form.addRow("Key file:", key_row)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export…")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.with_media)
        layout.addWidget(self.pseudonyms)
        layout.addWidget(self.redactions)
        layout.addWidget(self.consented)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.group.buttonToggled.connect(lambda *_a: self._enable())
        self._enable()

    def _enable(self) -> None:
        for w in (self.passphrase, self.confirm):
            w.setEnabled(self.with_passphrase.isChecked())
        self.key_file.setEnabled(self.with_key.isChecked())

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "A teammate's public key", "", "Public key (*.pub *.pem);;All files (*)"
        )
        if path:
            self.key_file.setText(path)
            self.with_key.setChecked(True)

    def check(self) -> str:
        """What keeps the dialog from being accepted ("" when nothing)."""
        if self.with_passphrase.isChecked():
            if not self.passphrase.text():
                return "Type a passphrase."
            if self.passphrase.text() != self.confirm.text():
                return "The two passphrases differ."
        if self.with_key.isChecked():
            return _key_problem(Path(self.key_file.text()))
        return ""

    def _accept(self) -> None:
        problem = self.check()
        self.problem.setText(problem)
        if not problem:
            self.accept()

    def options(self) -> BundleExportOptions:
        """The choices made."""
        return BundleExportOptions(
            with_media=self.with_media.isChecked(),
            passphrase=self.passphrase.text() if self.with_passphrase.isChecked() else None,
            recipient_files=[Path(self.key_file.text())] if self.with_key.isChecked() else [],
            pseudonymise=self.pseudonyms.isChecked(),
            redact=self.redactions.isChecked(),
            consented_only=self.consented.isChecked(),
        )


def _key_problem(path: Path) -> str:
    """What is wrong with a teammate's public key file ("" when nothing)."""
    from storage.privacy.crypto import load_public_key

    if not path.is_file():
        return "Choose the teammate's public key file."
    try:
        load_public_key(path)
    except FieldScribeError:
        return (
            f"{path.name} is not a FieldScribe public key: ask your teammate for the file "
            "Team ▸ Export my public key… writes."
        )
    return ""


@contextlib.contextmanager
def opened_bundle(path: Path, passphrase: str | None, project: Project | None) -> Iterator[Path]:
    """``path``, or a decrypted private copy of it (the passphrase, else this project's key)."""
    from storage.privacy.bundle import decrypted_copy
    from storage.privacy.crypto import is_encrypted

    if not is_encrypted(path):
        yield path
        return
    identities = []
    if not passphrase and project is not None and project.privacy.identity_path().is_file():
        identities.append(project.privacy.load_identity(None))
    with decrypted_copy(path, passphrase=passphrase or None, identities=identities) as plain:
        yield plain


class TeamActions(QObject):
    """Team ▸ Export a bundle… / Merge bundles…, File ▸ New project from a bundle…."""

    merged = Signal(object)  # list[MergeSummary]: the open project changed

    def __init__(
        self,
        state: AppState,
        chrome: WindowChrome,
        runner: TaskRunner,
        *,
        coder: Callable[[], str],
        set_project: Callable[[Project], None],
    ) -> None:
        super().__init__(chrome.window)
        self.state, self.chrome, self.runner = state, chrome, runner
        self.coder = coder
        self.set_project = set_project
        self.progress: Any = None  # the progress dialog of the running work (tests look at it)
        self.last_report = ""
        self.report_box: QMessageBox | None = None
        self.act_apart: QAction | None = None

    def build_menu(self) -> None:
        """Put Export a bundle… and Merge bundles… at the top of the Team menu."""
        menu = self.chrome.menu("Te&am")
        first = menu.actions()[0] if menu.actions() else None
        a = self.chrome.add_menu_action
        self.act_export = a("Te&am", "Export a bundle…", self.export_bundle_dialog)
        self.act_merge = a("Te&am", "Merge bundles into this project…", self.merge_bundles_dialog)
        self.act_key = a(
            "Te&am", "Export my public key (for encrypted bundles)…", self.export_public_key_dialog
        )
        self.act_lead = a("Te&am", "Project lead…", self.lead_dialog)
        self.act_apart = a("Te&am", "Keep same-name codes apart when merging", lambda: None)
        self.act_apart.setCheckable(True)
        self.act_apart.setToolTip(
            "Off (the default): codes that coders created on their own with the same path "
            "become one code. On: they stay separate codes (agreement still pairs them by path)."
        )
        if first is not None:
            menu.insertActions(
                first,
                [self.act_export, self.act_merge, self.act_key, self.act_lead, self.act_apart],
            )
            menu.insertSeparator(first)

    @property
    def parent_widget(self) -> QWidget:
        return self.chrome.window

    # ------------------------------------------------------------------ export
    def export_bundle_dialog(self) -> None:
        """Ask how, then where; export in the background."""
        project = self.state.project
        if project is None:
            return
        dialog = BundleExportDialog(self.parent_widget)
        if not dialog.exec():
            return
        options = dialog.options()
        suffix = ".fsbundle.enc" if options.passphrase or options.recipient_files else ".fsbundle"
        default = file_name(f"{project.name}-{project.coder}{suffix}".replace(" ", "_"))
        path, _ = QFileDialog.getSaveFileName(
            self.parent_widget, "Export a team bundle", default, BUNDLE_FILTER
        )
        if path:
            if not path.endswith((".fsbundle", ".fsbundle.enc")):
                path += suffix  # else the merge dialog's filter would not show it
            self.export_bundle(Path(path), options)

    def export_bundle(self, path: Path, options: BundleExportOptions) -> Any:
        """Write the open project's bundle to ``path``; Cancel removes what was written."""
        from storage.privacy.crypto import load_public_key
        from storage.team.bundle_export import export_bundle_file

        project = self.state.project
        if project is None:
            return None
        privacy = ExportPrivacy(
            pseudonymise=options.pseudonymise,
            redact=options.redact,
            consented_only="export" if options.consented_only else None,
        )

        def job(ctx: TaskContext) -> Any:
            ctx.progress((0, 1, f"Writing {path.name}…"))
            recipients = [load_public_key(p) for p in options.recipient_files]
            return export_bundle_file(
                project,
                path,
                with_media=options.with_media,
                privacy=privacy,
                passphrase=options.passphrase,
                recipients=recipients,
            )

        def done(info: Any) -> None:
            counts = info.counts
            how = " encrypted," if options.passphrase or options.recipient_files else ""
            media = " with the audio," if options.with_media else ""
            self._report(
                f"Wrote {path.name}:{how}{media} {plural(counts['sessions'], 'session')}, "
                f"{plural(counts['segments'], 'segment')}, {plural(counts['codes'], 'code')}, "
                f"{plural(counts['codings'], 'coding')}."
            )

        handle, self.progress = run_with_progress(
            self.parent_widget,
            self.runner,
            "Export a bundle",
            export_job(job),
            on_done=done,
            on_error=export_failed(path, self._report, self.chrome.show_error),
        )
        return handle

    # ------------------------------------------------------------------ merge
    def merge_bundles_dialog(self) -> None:
        """Pick one or many bundles; ask the passphrase of encrypted ones; merge them."""
        from storage.privacy.crypto import is_encrypted

        project = self.state.project
        if project is None:
            return
        paths, _ = QFileDialog.getOpenFileNames(
            self.parent_widget, "Merge team bundles into this project", "", BUNDLE_FILTER
        )
        if not paths:
            return
        secrets: dict[Path, str | None] = {}
        for name in paths:
            path = Path(name)
            secrets[path] = None
            if path.is_file() and is_encrypted(path):
                has_key = project.privacy.identity_path().is_file()
                hint = " (leave empty to use your team key)" if has_key else ""
                text, ok = AskDialog.ask(
                    self.parent_widget,
                    "Encrypted bundle",
                    f"Passphrase of {path.name}{hint}:",
                    password=True,
                )
                if not ok:
                    return
                secrets[path] = text or None
        apart = self.act_apart is not None and self.act_apart.isChecked()
        self.merge_bundles(list(secrets), secrets, keep_same_name_apart=apart)

    def merge_bundles(
        self,
        paths: list[Path],
        secrets: dict[Path, str | None] | None = None,
        *,
        keep_same_name_apart: bool = False,
    ) -> Any:
        """Merge bundles into the open project, one after another (Cancel: before the next)."""
        from storage.team.merging import merge_bundles

        project = self.state.project
        if project is None:
            return None
        secrets = secrets or {}
        same_name = False if keep_same_name_apart else None

        def job(ctx: TaskContext) -> tuple[list[Any], int, Stopped | None]:
            summaries: list[Any] = []
            for i, path in enumerate(paths):
                if ctx.cancelled:
                    break
                ctx.progress((i, len(paths), f"Merging {path.name} ({i + 1} of {len(paths)})…"))
                try:
                    with opened_bundle(path, secrets.get(path), project) as plain:
                        summaries += merge_bundles(
                            project, [plain], shown=[path], merge_same_name=same_name
                        )
                except FieldScribeError as exc:
                    if not summaries:
                        raise  # nothing merged: the refusal alone says it all
                    # the bundles before it did merge: say so, and why this one did not
                    return summaries, len(project.team.conflicts()), (path, exc)
            return summaries, len(project.team.conflicts()), None

        def done(result: tuple[list[Any], int, Stopped | None]) -> None:
            summaries, open_conflicts, stopped = result
            emit(self.merged, summaries)
            if stopped is None:
                self._report(describe_merge(summaries, len(paths), open_conflicts))
                return
            self.last_report = describe_stopped(summaries, len(paths), open_conflicts, *stopped)
            self.chrome.show_error(self.last_report)

        def failed(exc: BaseException) -> None:
            emit(self.merged, [])  # the bundles before the refused one did merge
            self.chrome.show_error(refusal(exc))

        handle, self.progress = run_with_progress(
            self.parent_widget,
            self.runner,
            "Merge bundles",
            job,
            on_done=done,
            on_error=failed,
            total=len(paths),
            serial=True,
        )
        return handle

    # ------------------------------------------------------------------ team key
    def export_public_key_dialog(self) -> None:
        """Ask where; write this coder's public key (making the team key pair first)."""
        project = self.state.project
        if project is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self.parent_widget,
            "Export my public key",
            file_name(f"{project.coder}.pub"),
            "Public key (*.pub);;All files (*)",
        )
        if path:
            self.export_public_key(Path(path if path.endswith(".pub") else path + ".pub"))

    def export_public_key(self, path: Path) -> Any:
        """Write this coder's public key to ``path``, making the team key pair when there is
        none. The "Encrypted for a teammate's public key" choice needs such a file, and only
        the command line made one (``keys DIR generate``, ``export-public``): a refused key
        file told a workbench user to run it."""
        from storage.core.atomic import staged
        from storage.privacy.crypto import public_key_text

        project = self.state.project
        if project is None:
            return None

        def job(_ctx: TaskContext) -> bool:
            made = not project.privacy.identity_path().is_file()
            if made:
                public = project.privacy.generate_identity()
            else:
                public = project.privacy.load_identity(None).public_key()
            with staged(path, chosen=True) as tmp:
                tmp.write_text(public_key_text(public, project.coder), encoding="utf-8")
            return made

        def done(made: bool) -> None:
            new = " (your team key was made now)" if made else ""
            self._report(
                f"Wrote your public key to {path.name}{new}. Send it to the teammates who "
                "encrypt bundles for you; merge those bundles with an empty passphrase."
            )

        return self.runner.submit(
            "Export my public key", job, on_done=done, on_error=self.chrome.show_error, serial=True
        )

    # ------------------------------------------------------------------ new from a bundle
    def new_from_bundle_dialog(self) -> None:
        """Pick a bundle and a new project folder; create the project and open it."""
        from storage.privacy.crypto import is_encrypted

        name, _ = QFileDialog.getOpenFileName(
            self.parent_widget, "Start a project from a team bundle", "", BUNDLE_FILTER
        )
        if not name:
            return
        bundle = Path(name)
        passphrase = None
        if bundle.is_file() and is_encrypted(bundle):
            text, ok = AskDialog.ask(
                self.parent_widget,
                "Encrypted bundle",
                f"Passphrase of {bundle.name}:",
                password=True,
            )
            if not ok:
                return
            passphrase = text
        stem = bundle.name.split(".")[0]
        folder, _ = QFileDialog.getSaveFileName(
            self.parent_widget,
            "New project folder",
            f"{stem}-{self.coder()}.fieldscribe",
            "FieldScribe project (*.fieldscribe)",
        )
        if not folder:
            return
        path = Path(folder)
        if path.suffix != ".fieldscribe":
            path = path.with_name(path.name + ".fieldscribe")
        self.new_from_bundle(bundle, path, passphrase)

    def new_from_bundle(self, bundle: Path, folder: Path, passphrase: str | None = None) -> Any:
        """Create ``folder`` from ``bundle`` in the background, then open it."""
        coder = self.coder()

        def job(ctx: TaskContext) -> Project:
            ctx.progress((0, 1, f"Unpacking {bundle.name}…"))
            with opened_bundle(bundle, passphrase, None) as plain:
                return Project.from_bundle(plain, folder, coder=coder)

        def done(project: Project) -> None:
            self.set_project(project)
            # the name first: a laptop's status bar shortens what comes before the advice,
            # and it read "Started Болат.fieldscribe from for-Болат.fsbundle: you code as Бо…"
            said = (
                f"You code as {coder} in {folder.name}, started from {bundle.name}; export "
                "your bundle with Team ▸ Export a bundle… when you are done."
            )
            if project.team.lead == coder:
                # on the lead's laptop a colleague's copy starts under the lead's name: her
                # codings went under it, and merged as the lead's own
                said += (
                    f"\n\n{coder} is the project's lead. If this copy is not {coder}'s, "
                    "choose its coder's name before coding (File ▸ Coder name for this "
                    f"project…), or the codings made here count as {coder}'s."
                )
            missing = project.missing_audio.missing()
            if missing:
                said += (
                    f"\n\nThe bundle holds no audio ({plural(len(missing), 'recording')}): "
                    "to play the sessions and type speech without transcript, get the "
                    "recordings from the bundle's author and copy them in with File ▸ Locate "
                    "missing audio… (from a folder or a USB stick)."
                )
            self._report(said)

        handle, self.progress = run_with_progress(
            self.parent_widget,
            self.runner,
            "New project from a bundle",
            job,
            on_done=done,
            on_error=self.chrome.show_error,
        )
        return handle

    # ------------------------------------------------------------------ lead
    def lead_dialog(self) -> None:
        """Team ▸ Project lead…: show who leads; record the lead (or hand it over)."""
        from gui.team_lead import LeadDialog

        project = self.state.project
        if project is None:
            return
        dialog = LeadDialog(project, self.parent_widget)
        if dialog.exec():
            self.set_lead(dialog.value(), take_over=dialog.take_over.isChecked())

    def set_lead(self, name: str, *, take_over: bool = False) -> Any:
        """Record ``name`` as the open project's lead (after pending edits)."""
        project = self.state.project
        if project is None:
            return None

        def done(_none: object) -> None:
            self.chrome.message(f"{name} leads this project now.", 8000)

        return self.runner.submit(
            "Project lead",
            lambda _ctx: project.team.set_lead(name, take_over=take_over),
            on_done=done,
            on_error=self.chrome.show_error,
            serial=True,
        )

    def _report(self, text: str) -> None:
        """Tell what was done: status bar and a window-modal box that does not block."""
        self.last_report = text
        self.report_box = self.chrome.report(text)
