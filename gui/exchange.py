"""File ▸ exchange with other tools: REFI-QDA projects (.qdpx), codebooks (.qdc, .csv),
transcripts (txt, docx, srt, vtt, json) and codings (xlsx, csv).

Every export asks what the command line's options say (``cli/common.py`` ``add_privacy``):
pseudonyms and redactions on by default, optionally only consented participants; and, unless only
consented participants go out, warns first when consent does not cover exporting
(``gui.consent.confirm_consent``, the same ``consent_problems`` the privacy panel reads).
The writing is done by the same storage functions as the CLI (``storage.interop``), which log
each export in the audit log. Imports into the open project go through its own ``Project`` and
refresh the workbench in place (``imported``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QWidget,
)

from gui.app_state import AppState
from gui.chrome import WindowChrome
from gui.consent import confirm_consent, nobody_note, voices_note
from gui.export_options import ExportOptionsDialog, kept_segments, others
from gui.fmt import file_name, plural, wrote_codings
from gui.import_questions import (
    ask_outside_folder,
    qdpx_refusal,
)
from gui.progress import export_failed, export_job, run_with_progress
from gui.qtcompat import emit
from gui.tasks import TaskContext, TaskRunner
from gui.transcript_imports import TranscriptImports
from storage import FieldScribeError, Project
from storage.privacy.models import ExportPrivacy

TRANSCRIPT_FILTERS = {
    "txt": "Plain text (*.txt)",
    "docx": "Word document (*.docx)",
    "srt": "SubRip subtitles (*.srt)",
    "vtt": "WebVTT subtitles (*.vtt)",
    "json": "JSON (*.json)",
}


class ExchangeActions(QObject):
    """The File menu's imports and exports."""

    imported = Signal()  # the open project changed (codebook, sessions): refresh in place
    session_made = Signal(str)  # a transcript made a new session: open it

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
        self.coder, self.set_project = coder, set_project
        self.last_report = ""
        self.progress: Any = None
        self.project_actions: list[Any] = []
        self.transcripts = TranscriptImports(self)  # File ▸ Import a transcript…

    def build_menu(self) -> None:
        """Add the File menu entries (after Import audio…)."""
        a = self.chrome.add_menu_action
        a("&File", "Import a REFI-QDA project (.qdpx)…", self.import_qdpx_dialog)
        entries = [
            ("Export as REFI-QDA project (.qdpx)…", self.export_qdpx_dialog),
            (
                "Import a transcript into this session (srt, vtt, noScribe html, txt, docx)…",
                self.transcripts.import_transcript_dialog,
            ),
            (
                "Import a transcript as a new session (no audio needed)…",
                self.transcripts.import_transcript_session_dialog,
            ),
            ("Import a codebook (.qdc, .qdpx, .csv, .xlsx, .docx)…", self.import_codebook_dialog),
            ("Export the codebook (.qdc, .csv, .xlsx, .docx)…", self.export_codebook_dialog),
            ("Export this transcript (txt, docx, srt, vtt, json)…", self.export_transcript_dialog),
            ("Export codings (.xlsx, .csv)…", self.export_codings_dialog),
        ]
        self.project_actions = [a("&File", text, slot) for text, slot in entries]

    @property
    def parent_widget(self) -> QWidget:
        return self.chrome.window

    # ------------------------------------------------------------------ helpers
    def _options(self, title: str, sessions: list[str], **kw: Any) -> ExportOptionsDialog | None:
        """Ask the protections; warn on consent; None when the user stops."""
        project = self.state.project
        if project is None:
            return None
        dialog = ExportOptionsDialog(title, self.parent_widget, **kw)
        if not dialog.exec():
            return None
        if dialog.consented.isChecked():
            return dialog
        details = lambda sid: emit(self.state.details_requested, sid)  # noqa: E731
        if not confirm_consent(
            self.parent_widget, project, sessions, "export", "Export", show_details=details
        ):
            return None
        # a .qdpx with its audio: someone who refused recording is heard ("export" needs
        # transcription and quotation only); asked where someone refused it
        with_audio = bool(kw.get("media")) and dialog.media.isChecked()
        unheard = [s for s in sessions if with_audio and _refused(project, s, "recording")]
        if unheard and not confirm_consent(
            self.parent_widget, project, unheard, "recording", "Export", show_details=details
        ):
            return None
        return dialog

    def _save(self, title: str, default: str, filters: str) -> Path | None:
        default = file_name(default)  # a project named "Demo: focus group" (":" on Windows)
        path, chosen = QFileDialog.getSaveFileName(self.parent_widget, title, default, filters)
        if not path:
            return None
        result = Path(path)
        offered = {f".{s.lower()}" for s in re.findall(r"\*\.([\w.]+)", filters)}
        if result.suffix.lower() not in offered and "(*." in chosen:
            # no ending, or a dot of the name's own ("Интервью 12.05.2024" with Word chosen was
            # refused as a ".2024" file): the kind chosen in the list, added to the name
            kind = chosen.split("(*.", 1)[1].split(")")[0].split()[0]
            result = result.with_name(f"{result.name}.{kind}")
        return result

    def _run(
        self,
        name: str,
        job: Callable[[TaskContext], Any],
        done: Callable[[Any], str],
        *,
        writes: bool = False,
        output: Path | None = None,
        words: Callable[[BaseException], BaseException | str] | None = None,
    ) -> Any:
        """Run ``job`` with progress; ``writes``: on the serial lane, after pending edits;
        ``output``: the file an export writes (Cancel leaves it as it was); ``words``: an
        error in the workbench's words."""

        def finished(result: Any) -> None:
            self._report(done(result))

        def show_error(exc: BaseException) -> None:
            self.chrome.show_error(words(exc) if words is not None else exc)

        failed = (
            export_failed(output, self._report, show_error) if output is not None else show_error
        )
        handle, self.progress = run_with_progress(
            self.parent_widget, self.runner, name, export_job(job) if output else job,
            on_done=finished, on_error=failed, serial=writes,
        )  # fmt: skip
        return handle

    def _report(self, text: str) -> None:
        self.last_report = text
        self.chrome.report(text)

    def _all_sessions(self) -> list[str]:
        project = self.state.project
        return [s.id for s in project.sessions.all()] if project is not None else []

    # ------------------------------------------------------------------ REFI-QDA
    def import_qdpx_dialog(self) -> None:
        """Into the open project, or (on the start page) into a new project folder."""
        name, _ = QFileDialog.getOpenFileName(
            self.parent_widget,
            "Import a REFI-QDA project",
            "",
            # a .qdpx is a zip: exports saved or sent as .zip are shown too
            "REFI-QDA project (*.qdpx *.QDPX *.zip);;All files (*)",
        )
        if not name:
            return
        archive = Path(name)
        if self.state.project is not None:
            project = self.state.project

            def into_open(files: list[tuple[str, str]]) -> None:
                if self.state.project is not project:  # closed or switched meanwhile
                    return
                go, media_dir = self.ask_outside(archive, files)
                if go:
                    self.import_qdpx(archive, media_dir=media_dir)

            self.outside_folder(archive, into_open)
            return
        folder, _ = QFileDialog.getSaveFileName(
            self.parent_widget,
            "New project folder",
            f"{archive.stem}.fieldscribe",
            "FieldScribe project (*.fieldscribe)",
        )
        if folder:
            path = Path(folder)
            if path.suffix != ".fieldscribe":
                path = path.with_name(path.name + ".fieldscribe")

            def into_new(files: list[tuple[str, str]]) -> None:
                go, media_dir = self.ask_outside(archive, files)
                if go:
                    self.import_qdpx(archive, path, media_dir=media_dir)

            self.outside_folder(archive, into_new)

    def look_first(self, title: str, look: Callable[[], Any], then: Callable[[Any], None]) -> Any:
        """Read a file before an import asks about it (``look``: no writes) on a worker, not
        the GUI thread: a 97 MB project.qde took 17 s, a 100,000-line transcript's frame times
        3 s. A busy dialog shows after 0.3 s; its Cancel drops the answer (nothing is
        imported) and says so. ``then`` gets the answer on the GUI thread."""
        handle, dialog = run_with_progress(
            self.parent_widget,
            self.runner,
            title,
            lambda _ctx: look(),
            on_done=then,
            on_error=self.chrome.show_error,
        )

        def cancelled() -> None:
            handle.drop_callbacks()
            dialog.hide()
            dialog.deleteLater()
            self._report(f"{title}: cancelled; nothing was imported.")

        dialog.canceled.connect(cancelled)
        self.progress = dialog
        return handle

    def outside_folder(self, archive: Path, then: Callable[[list[tuple[str, str]]], None]) -> Any:
        """Find the files ``archive`` names outside itself (``files_outside``, off the GUI
        thread) and give them to ``then``; none where the archive cannot be read (the import
        says why)."""

        def look() -> list[tuple[str, str]]:
            from storage.interop.qdpx_import import files_outside

            try:
                return files_outside(archive)
            except FieldScribeError:
                return []

        return self.look_first(f"Reading {archive.name}", look, then)

    def ask_outside(self, archive: Path, files: list[tuple[str, str]]) -> tuple[bool, Path | None]:
        """Whether to import ``archive``, and the folder to look in for the ``files`` it names
        outside itself (the CLI's --media-dir), asked naming each (None: there are none, or
        the user goes on without them). A file that cannot be read is said by the import."""
        if not files:
            return True, None
        return ask_outside_folder(self.parent_widget, archive.name, files)

    def import_qdpx(
        self, archive: Path, folder: Path | None = None, media_dir: Path | None = None
    ) -> Any:
        """Import ``archive`` into the open project (``folder`` None) or a new project;
        ``media_dir``: the folder to look in for recordings named outside the archive."""
        from storage.interop.qdpx_import import import_qdpx, import_qdpx_into

        project = self.state.project
        coder = self.coder()

        def job(_ctx: TaskContext) -> Any:
            if folder is None and project is not None:
                return import_qdpx_into(project, archive, media_dir=media_dir), None
            assert folder is not None
            report = import_qdpx(archive, folder, coder=coder, media_dir=media_dir)
            return report, Project.open(folder, coder=coder)

        def done(result: Any) -> str:
            report, opened = result
            if opened is not None:
                self.set_project(opened)
            else:
                emit(self.imported)
            return str(report.describe())

        return self._run(
            "Import a REFI-QDA project", job, done, writes=folder is None, words=qdpx_refusal
        )

    def export_qdpx_dialog(self) -> None:
        project = self.state.project
        if project is None:
            return
        dialog = self._options("Export as REFI-QDA project", self._all_sessions(), media=True)
        if dialog is None:
            return
        path = self._save(
            "Export as REFI-QDA project", f"{project.name}.qdpx", "REFI-QDA project (*.qdpx)"
        )
        if path is not None:
            self.export_qdpx(path, dialog.privacy(), with_media=dialog.media.isChecked())

    def export_qdpx(self, path: Path, privacy: ExportPrivacy, *, with_media: bool = True) -> Any:
        from storage.interop.qdpx_export import export_qdpx

        project = self.state.project
        assert project is not None

        def job(_ctx: TaskContext) -> tuple[Any, str]:
            summary = export_qdpx(project, path, with_media=with_media, privacy=privacy)
            sessions = [s.id for s in project.sessions.all()]
            heard = voices_note(project, sessions, privacy) if with_media else ""
            return summary, nobody_note(project, sessions, privacy) + heard

        def done(result: tuple[Any, str]) -> str:
            summary, unknown = result
            lines = [
                f"Wrote {path.name}: {plural(summary.sources, 'source')}, "
                f"{plural(summary.segments, 'segment')}, {plural(summary.codes, 'code')}, "
                f"{plural(summary.codings, 'coding')}, {plural(summary.media_files, 'media file')}."
                + unknown
            ]
            lines += [f"note: {n}" for n in summary.notes_for_user]
            return "\n".join(lines)

        return self._run(
            "Export a REFI-QDA project",
            job,
            done,
            output=path,
            words=qdpx_refusal,
        )

    # ------------------------------------------------------------------ codebook
    def import_codebook_dialog(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self.parent_widget,
            "Import a codebook",
            "",
            "Codebooks (*.qdc *.qdpx *.csv *.xlsx *.docx);;REFI-QDA codebook (*.qdc);;"
            "REFI-QDA project's codebook (*.qdpx);;CSV (*.csv);;Excel (*.xlsx);;"
            "FieldScribe's Word codebook (*.docx)",
        )
        if name:
            self.import_codebook(Path(name))

    def import_codebook(self, path: Path) -> Any:
        from storage.interop.qdc import import_codebook

        project = self.state.project
        assert project is not None

        def done(report: Any) -> str:
            emit(self.imported)
            lines = [
                f"Imported {path.name}: {plural(report.codes, 'new code')}, {report.codes_reused} "
                "already in the codebook."
            ]
            return "\n".join(lines + [f"note: {n}" for n in report.notes])

        return self._run(
            "Import a codebook", lambda _ctx: import_codebook(project, path), done, writes=True
        )

    def export_codebook_dialog(self) -> None:
        project = self.state.project
        if project is None:
            return
        dialog = ExportOptionsDialog("Export the codebook", self.parent_widget, redact=False)
        dialog.consented.setVisible(False)  # a codebook holds no participant's words
        if not dialog.exec():
            return
        path = self._save(
            "Export the codebook",
            f"{project.name}-codebook.qdc",
            "REFI-QDA codebook (*.qdc);;CSV: Taguette, spreadsheets (*.csv);;Excel (*.xlsx);;"
            "Word (*.docx)",
        )
        if path is not None:
            privacy = ExportPrivacy(pseudonymise=dialog.pseudonyms.isChecked())
            self.export_codebook(path, privacy)

    def export_codebook(self, path: Path, privacy: ExportPrivacy) -> Any:
        from storage.interop.qdc import export_codebook

        project = self.state.project
        assert project is not None
        return self._run(
            "Export the codebook",
            lambda _ctx: export_codebook(project, path, privacy=privacy),
            lambda _p: f"Wrote the codebook to {path.name}.",
            output=path,
        )

    # ------------------------------------------------------------------ transcript, codings
    def export_transcript_dialog(self) -> None:
        project, session = self.state.project, self.state.session
        if project is None:
            return
        if session is None:
            self.chrome.show_error("Open a session first: its transcript is what is exported.")
            return
        dialog = self._options("Export this transcript", [session.id])
        if dialog is None:
            return
        path = self._save(
            "Export this transcript",
            f"{session.title}.docx",
            ";;".join(TRANSCRIPT_FILTERS[f] for f in ("docx", "txt", "srt", "vtt", "json")),
        )
        if path is not None:
            self.export_transcript(path, dialog.privacy())

    def export_transcript(self, path: Path, privacy: ExportPrivacy) -> Any:
        from storage.interop.transcript_export import export_transcript

        project, session = self.state.project, self.state.session
        assert project is not None and session is not None
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in TRANSCRIPT_FILTERS:
            self.chrome.show_error(
                f"{path.name}: choose .txt, .docx, .srt, .vtt or .json; nothing was written."
            )
            return None
        sid = session.id

        def job(_ctx: TaskContext) -> tuple[tuple[int, int, int], str]:
            export_transcript(project, sid, fmt, path, privacy=privacy)
            return kept_segments(project, sid, privacy), nobody_note(project, [sid], privacy)

        def done(result: tuple[tuple[int, int, int], str]) -> str:
            kept, unknown = result
            said = f"Wrote the transcript of {session.title} to {path.name} ({fmt})."
            held, total, _ = kept
            if held < total:  # a file of fewer segments than shown, or an empty one
                said += f" It holds {held} of {plural(total, 'segment')}: {others(kept)}."
            return said + unknown

        return self._run("Export a transcript", job, done, output=path)

    def export_codings_dialog(self) -> None:
        project = self.state.project
        if project is None:
            return
        dialog = self._options("Export codings", self._all_sessions())
        if dialog is None:
            return
        path = self._save(
            "Export codings", f"{project.name}-codings.xlsx", "Excel (*.xlsx);;CSV (*.csv)"
        )
        if path is not None:
            self.export_codings(path, dialog.privacy())

    def export_codings(self, path: Path, privacy: ExportPrivacy) -> Any:
        from storage.interop.codings_export import (
            export_codings,
            kept_codings,
            unlabelled_left_out,
        )

        project = self.state.project
        assert project is not None

        def job(_ctx: TaskContext) -> tuple[int, int, int, str]:
            export_codings(project, path, privacy=privacy)
            kept, total = kept_codings(project, privacy)
            unlabelled = unlabelled_left_out(project, privacy) if kept < total else 0
            coded = project.transcript.get_segments(
                {c.segment_id for c in project.codebook.codings()}
            )
            sessions = sorted({g.session_id for g in coded.values()})
            return kept, total, unlabelled, nobody_note(project, sessions, privacy)

        return self._run(
            "Export codings",
            job,
            lambda kept: wrote_codings(path, kept[0], kept[1], unlabelled=kept[2]) + kept[3],
            output=path,
        )


def _refused(project: Any, session_id: str, purpose: str) -> bool:
    """Whether someone in a session refused ``purpose`` (recording: in a session that has its
    audio; without it nobody is heard)."""
    if purpose == "recording" and not project.sessions.media_for_session(session_id):
        return False
    return any(p.refused for p in project.consent.consent_problems(session_id, purpose))
