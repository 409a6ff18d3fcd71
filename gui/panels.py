"""Panels of other modules hosted by the main window: recording, speakers, ethics, teamwork.

They are created lazily (the first time their menu action is used) and removed when the project
closes, because each holds the open ``Project``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QGridLayout,
    QLabel,
    QMessageBox,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from storage import FieldScribeError

if TYPE_CHECKING:
    from gui.main_window import MainWindow
    from gui.speaker_panel import SpeakerPanel


def confirm_consent(
    parent: QWidget, project: Any, session_ids: Iterable[str], purpose: str, doing: str
) -> bool:
    """Warn when consent does not cover ``purpose``; True when the user goes on (or all is well).

    ``doing`` names the action for the question, e.g. "Transcribe this session".
    """
    from gui.privacy_panel import consent_warning

    warnings: list[str] = []
    for sid in dict.fromkeys(session_ids):
        try:
            text = consent_warning(project, sid, purpose)
        except FieldScribeError as exc:
            text = str(exc)
        if text:
            if len(warnings) < 5:
                title = project.get_session(sid).title
                warnings.append(f"{title}:\n{text}")
            else:
                warnings.append("… and more sessions.")
                break
    if not warnings:
        return True
    answer = QMessageBox.question(
        parent,
        "Consent",
        "\n\n".join(warnings) + f"\n\n{doing} anyway?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


class SpeakerCountDialog(QDialog):
    """How many speakers to look for: automatic, exactly N, or between a minimum and maximum."""

    def __init__(self, known: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Detect speakers")
        grid = QGridLayout(self)
        self.auto = QRadioButton("Detect the number automatically")
        self.exact = QRadioButton("Exactly")
        self.between = QRadioButton("Between")
        self.group = QButtonGroup(self)
        for b in (self.auto, self.exact, self.between):
            self.group.addButton(b)
        self.count = QSpinBox()
        self.minimum = QSpinBox()
        self.maximum = QSpinBox()
        for box in (self.count, self.minimum, self.maximum):
            box.setRange(1, 50)
        self.count.setValue(max(known, 1))
        self.minimum.setValue(1)
        self.maximum.setValue(max(known, 2) + 2)
        (self.exact if known else self.auto).setChecked(True)
        grid.addWidget(self.auto, 0, 0, 1, 4)
        grid.addWidget(self.exact, 1, 0)
        grid.addWidget(self.count, 1, 1)
        grid.addWidget(QLabel("speakers"), 1, 2)
        grid.addWidget(self.between, 2, 0)
        grid.addWidget(self.minimum, 2, 1)
        grid.addWidget(QLabel("and"), 2, 2)
        grid.addWidget(self.maximum, 2, 3)
        if known:
            hint = f"{known} participants are mapped to this session."
            grid.addWidget(QLabel(hint), 3, 0, 1, 4)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        grid.addWidget(buttons, 4, 0, 1, 4)

    def options(self) -> dict[str, Any]:
        """Keyword arguments for ``diarize_session``."""
        if self.exact.isChecked():
            return {"num_speakers": self.count.value()}
        if self.between.isChecked():
            return {"min_speakers": self.minimum.value(), "max_speakers": self.maximum.value()}
        return {}


class ExtraPanels:
    """Record, Speakers, Ethics and Team menus; one dock per panel and project."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.docks: dict[str, QDockWidget] = {}
        self.diarizer: Callable[..., Any] | None = None  # default: transcribe.speakers
        self.diarizing: dict[str, Any] = {}  # session id -> TaskHandle
        self.speaker_dialog: SpeakerCountDialog | None = None
        self.title_hint = ""
        a = window.add_menu_action
        a("&Record", "Record a session…", self.show_recorder, "Ctrl+Shift+R")
        a("&Speakers", "Speakers of this session", self.show_speakers)
        a("&Speakers", "Detect speakers…", self.detect_speakers_dialog)
        a("&Speakers", "Cancel speaker detection", self.cancel_diarization)
        for tab, text in enumerate(("Consent", "Pseudonyms", "Redactions", "Audit log")):
            a("E&thics", text, partial(self.show_privacy, tab))
        a("&Team", "Inter-coder agreement", self.show_agreement)
        a("&Team", "Disagreements", self.show_disagreements)
        a("&Team", "Resolve merge conflicts…", self.show_conflicts)
        self.blind_action = a("&Team", "Blind coding (see only my codings)", self.toggle_blind)
        self.blind_action.setCheckable(True)
        window.project_opened.connect(self._opened)
        window.project_closed.connect(self.close_all)
        window.session_changed.connect(self._session_changed)

    def _opened(self, project: Any) -> None:
        self.blind_action.setChecked(project.get_meta("blind_coding") == "1")

    def _dock(self, key: str, title: str, make: Any, area: Qt.DockWidgetArea) -> Any:
        window = self.window
        if window.project is None:
            return None
        dock = self.docks.get(key)
        if dock is None:
            widget = make(window.project)
            dock = window.add_dock(widget, title, area)
            self.docks[key] = dock
        dock.show()
        dock.raise_()
        return dock.widget()

    def close_all(self) -> None:
        """Remove every panel (the project closed)."""
        for dock in self.docks.values():
            self.window.removeDockWidget(dock)
            dock.deleteLater()
        self.docks.clear()
        self.diarizing.clear()
        self.speaker_dialog = None
        self.title_hint = ""

    # ------------------------------------------------------------------ recording
    def show_recorder(self) -> Any:
        from gui.record_panel import RecordPanel

        panel = self._dock("record", "Record", RecordPanel, Qt.DockWidgetArea.LeftDockWidgetArea)
        if panel is not None and not getattr(panel, "_hosted", False):
            panel._hosted = True
            w = self.window
            panel.recording_finished.connect(lambda sid: self._recorded(sid))
            panel.transcribe_requested.connect(lambda sid: w.start_transcription(sid))
            panel.message.connect(lambda text: w.statusBar().showMessage(text, 6000))
            panel.title_hint.connect(self.show_title_hint)
        return panel

    def show_title_hint(self, hint: str) -> None:
        """Put the recording state ("● REC 12:34") in front of the window title ("" clears)."""
        window = self.window
        self.title_hint = hint
        base = f"{window.project.name} — FieldScribe" if window.project else "FieldScribe"
        window.setWindowTitle(f"{hint} — {base}" if hint else base)

    def _recorded(self, session_id: str) -> None:
        self.window.reload_sessions()
        self.window.open_segment_session(session_id)

    # ------------------------------------------------------------------ speakers
    def show_speakers(self) -> Any:
        """The speakers of the selected session, in a dock that follows the selection."""
        from gui.speaker_panel import SpeakerPanel

        window = self.window
        sid = window.session.id if window.session is not None else None
        area = Qt.DockWidgetArea.RightDockWidgetArea
        panel = self._dock("speakers", "Speakers", lambda p: SpeakerPanel(p, sid), area)
        if panel is not None and not getattr(panel, "_hosted", False):
            panel._hosted = True
            panel.speakersChanged.connect(lambda: self._speakers_changed(panel.session_id))
            panel.timeline.seek_requested.connect(window.player.play_from)
        return panel

    def speaker_panel(self) -> SpeakerPanel | None:
        """The Speakers dock's panel, when it was opened."""
        dock = self.docks.get("speakers")
        return dock.widget() if dock is not None else None  # type: ignore[return-value]

    def _session_changed(self, session: Any) -> None:
        panel = self.speaker_panel()
        if panel is not None:
            panel.set_session(session.id if session is not None else None)

    def _speakers_changed(self, session_id: str | None) -> None:
        window = self.window
        if session_id is None:
            return
        window.refresh_transcript(session_id)
        window.refresh_session_row(session_id)
        window.refresh_speaker_strip()
        if window.session_panel is not None and window.session is not None:
            window.session_panel.show_session(window.session)

    def detect_speakers_dialog(self) -> SpeakerCountDialog | None:
        """Ask how many speakers to look for, then detect them in the selected session."""
        window = self.window
        if window.project is None or window.session is None:
            window.statusBar().showMessage("Select a session first.", 4000)
            return None
        project, sid = window.project, window.session.id
        mapped = {s.participant_id for s in project.session_speakers(sid) if s.participant_id}
        dialog = SpeakerCountDialog(len(mapped), window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.detect_speakers(sid, **dialog.options()))
        dialog.destroyed.connect(lambda _o=None: setattr(self, "speaker_dialog", None))
        self.speaker_dialog = dialog
        dialog.open()
        return dialog

    def detect_speakers(self, session_id: str, *, replace: bool = False, **counts: Any) -> Any:
        """Run speaker detection in the background, with progress and cancel."""
        window = self.window
        if window.project is None:
            return None
        if session_id in self.diarizing:
            window.statusBar().showMessage("Speakers are already being detected.", 4000)
            return self.diarizing[session_id]
        diarize = self.diarizer
        if diarize is None:
            from transcribe.speakers import diarize_session

            diarize = diarize_session
        project = window.project

        def job(ctx: Any) -> Any:
            return diarize(
                project,
                session_id,
                replace=replace,
                progress=lambda f, stage: ctx.progress((f, stage)),
                cancel=ctx.cancel,
                **counts,
            )

        def progress(value: Any) -> None:
            fraction, stage = value
            window.statusBar().showMessage(f"Detecting speakers {int(fraction * 100)} % ({stage})")

        handle = window.runner.submit(
            "Detect speakers",
            job,
            on_done=lambda report: self._diarized(session_id, report),
            on_error=lambda exc: self._diarize_failed(session_id, exc, counts),
            on_progress=progress,
        )
        self.diarizing[session_id] = handle
        return handle

    def cancel_diarization(self) -> None:
        """Stop every running speaker detection (nothing is written)."""
        for handle in self.diarizing.values():
            handle.cancel()
        if self.diarizing:
            self.window.statusBar().showMessage("Cancelling speaker detection…", 4000)

    def _diarized(self, session_id: str, report: Any) -> None:
        self.diarizing.pop(session_id, None)
        window = self.window
        found = len(getattr(report, "speakers", []))
        window.statusBar().showMessage(f"Detected {found} speakers.", 8000)
        panel = self.speaker_panel()
        if panel is not None:
            panel.refresh()
        self._speakers_changed(session_id)
        window.reload_sessions()

    def _diarize_failed(self, session_id: str, exc: BaseException, counts: dict[str, Any]) -> None:
        self.diarizing.pop(session_id, None)
        window = self.window
        name = type(exc).__name__
        if name == "DiarizationCancelled":
            window.statusBar().showMessage(str(exc), 8000)
            return
        if name == "InUseError":
            answer = QMessageBox.question(
                window,
                "Detect speakers again?",
                f"{exc}\n\nReplace the speakers corrected by hand?",
            )
            if answer == QMessageBox.StandardButton.Yes:
                self.detect_speakers(session_id, replace=True, **counts)
            return
        window.show_error(exc)

    # ------------------------------------------------------------------ ethics
    def show_privacy(self, tab: int = 0) -> Any:
        """Consent, pseudonyms, redactions and the audit log, on the given tab."""
        from gui.privacy_panel import PrivacyPanel

        area = Qt.DockWidgetArea.RightDockWidgetArea
        fresh = "privacy" not in self.docks
        panel = self._dock("privacy", "Ethics", PrivacyPanel, area)
        if panel is not None:
            if not fresh:
                panel.refresh()
            panel.setCurrentIndex(tab)
        return panel

    # ------------------------------------------------------------------ teamwork
    def show_agreement(self) -> Any:
        from gui.teamwork import AgreementWidget

        area = Qt.DockWidgetArea.BottomDockWidgetArea
        return self._dock("agreement", "Agreement", AgreementWidget, area)

    def show_disagreements(self) -> Any:
        from gui.teamwork import DisagreementWidget

        area = Qt.DockWidgetArea.BottomDockWidgetArea
        return self._dock("disagreements", "Disagreements", DisagreementWidget, area)

    def show_conflicts(self) -> Any:
        from gui.teamwork import ConflictDialog

        window = self.window
        if window.project is None:
            return None
        dialog = ConflictDialog(window.project, window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.resolved.connect(lambda _id: self._changed())
        dialog.open()
        return dialog

    def toggle_blind(self) -> None:
        """Turn blind coding on or off for the project."""
        window = self.window
        if window.project is None:
            return
        project, on = window.project, self.blind_action.isChecked()
        window.runner.submit(
            "Blind coding",
            lambda _ctx: project.set_meta("blind_coding", "1" if on else "0"),
            on_done=lambda _r: self._changed(),
            on_error=window.show_error,
            serial=True,
        )

    def _changed(self) -> None:
        self.window.reload_codebook()
        self.window._reload_codings()
        self.window.reload_sessions()
