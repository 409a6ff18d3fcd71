"""Typing not saved yet survives a crash: kept while the coder types, offered back on open.

``UnsavedTextKeeper`` writes what is typed into the segment editor (or into the transcript
table's own editor, a double-click on a text) to the project's ``drafts`` folder
(``project.unsaved_text``) about a second after the last keystroke, and again the moment the
edit is committed; once the edit's write has landed (``TaskRunner.after_writes``) the file goes,
and Esc in the table's editor (which drops the typing on purpose) removes it at once. When a
project opens with such files left behind (the program was killed, the power went),
``UnsavedTextBar`` above the transcript offers each back: Restore puts the text into the editor,
not saved, for the coder to check; Discard deletes it. When the segment's text changed since (a
merge, a new transcription) or the segment is gone, the bar says so and offers to copy the typed
text instead, so it is never dropped silently. An edit whose write did not land (its segment was
deleted or replaced meanwhile) keeps its file and is offered at once, not only at the next
open. A project open read-only keeps nothing, and the bar offers only Copy text (it says why).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QTextCursor
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from gui.app_state import AppState
from gui.chrome import WindowChrome
from gui.fmt import fmt_ms
from gui.models.segments import COL_TEXT
from gui.sessions import SessionsController
from gui.tasks import TaskRunner
from gui.transcript_delegates import TextDelegate
from gui.views import WorkbenchViews
from storage import Project
from storage.core.errors import FieldScribeError
from storage.core.ids import local_minute
from storage.core.models import Segment
from storage.transcript.unsaved import UnsavedText

#: how long after the last keystroke the typed text is written
KEEP_AFTER_MS = 1000


def describe(kept: UnsavedText, session_title: str | None, *, readonly: bool = False) -> str:
    """The bar's sentence for one piece of typed text left behind (``readonly``: the project
    is open read-only, so it can only be copied)."""
    when = local_minute(kept.saved_at)
    day, _, minute = when.rpartition(" ")
    at = f"at {minute}" if day and minute else f"at {when}"
    # the session too: the transcript may show another one, with a segment of that number
    where = f" of “{session_title}”" if session_title else ""
    if kept.state == "gone":
        return (
            f"Text typed into a segment{where} {at} was not saved, and that segment no longer "
            "exists (merged, deleted or transcribed again). Copy the text to keep it."
        )
    speaker = f"{kept.speaker}, " if kept.speaker else ""
    segment = f"segment {kept.number} ({speaker}{fmt_ms(kept.start_ms)}){where}"
    if kept.state == "changed":
        return (
            f"Text typed into {segment} {at} was not saved, and the segment's text has changed "
            "since (a merge or a new transcription). Copy the text to put it back by hand."
        )
    if readonly:
        return (
            f"Text typed into {segment} {at} was not saved. The project is open read-only: "
            "copy the text to keep it."
        )
    return f"Text typed into {segment} {at} was not saved."


class UnsavedTextBar(QFrame):
    """A bar above the transcript offering back typing a crash left unsaved (not modal)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unsavedTextBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#unsavedTextBar { background: #fff4d6; border: 1px solid #d9a400; }"
            " #unsavedTextBar QLabel { color: #3d2e00; }"
        )
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # names and titles as they are
        self.restore_button = QPushButton("Restore", self)
        self.copy_button = QPushButton("Copy text", self)
        self.discard_button = QPushButton("Discard", self)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 4, 4)
        row.addWidget(self.label, 1)
        for button in (self.restore_button, self.copy_button, self.discard_button):
            row.addWidget(button)
        self.hide()

    def show_text(
        self, kept: UnsavedText, sentence: str, place: str, readonly: bool = False
    ) -> None:
        """Show one piece of typed text; ``place`` is "" or " (1 of 3)"; ``readonly``: the
        project is open read-only (the text can only be copied: nothing can be written)."""
        self.label.setText(sentence + place)
        self.label.setToolTip(kept.text)  # what was typed, whole
        restore = kept.state == "current" and not readonly
        self.restore_button.setVisible(restore)
        self.copy_button.setVisible(not restore)
        self.discard_button.setVisible(not readonly)
        self.show()


class UnsavedTextKeeper(QObject):
    """Keeps the segment editor's unsaved typing in the project folder and offers it back."""

    def __init__(
        self,
        state: AppState,
        chrome: WindowChrome,
        runner: TaskRunner,
        views: WorkbenchViews,
        sessions: SessionsController,
        bar: UnsavedTextBar,
    ) -> None:
        super().__init__(bar)
        self.state, self.chrome, self.runner = state, chrome, runner
        self.views, self.sessions, self.bar = views, sessions, bar
        self._offered: list[UnsavedText] = []
        self._offered_total = 0
        self._restoring: UnsavedText | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(KEEP_AFTER_MS)
        self._timer.timeout.connect(self.keep_now)
        # the transcript table's own editor (double-click a text): the segment as stored and
        # the text typed; what was kept from it last
        self._inline: tuple[Segment, str] | None = None
        self._inline_kept: str | None = None
        self._inline_timer = QTimer(self)
        self._inline_timer.setSingleShot(True)
        self._inline_timer.setInterval(KEEP_AFTER_MS)
        self._inline_timer.timeout.connect(self.keep_inline_now)
        delegate = views.transcript.itemDelegateForColumn(COL_TEXT)
        if isinstance(delegate, TextDelegate):
            delegate.typed.connect(self._inline_typed)
            delegate.cancelled.connect(self._inline_cancelled)
        views.segment_model.edit_requested.connect(self._inline_committed)
        editor = views.segment_editor
        editor.textChanged.connect(self._typed)
        editor.text_committed.connect(self._committed)
        views.transcript.current_row_changed.connect(lambda _row: self._restore_when_shown())
        state.project_opened.connect(self._opened)
        state.project_closed.connect(self._closed)
        bar.restore_button.clicked.connect(self.restore)
        bar.copy_button.clicked.connect(self.copy)
        bar.discard_button.clicked.connect(self.discard)

    # ------------------------------------------------------------------ keeping
    def _typed(self) -> None:
        if self.views.segment_editor.is_dirty():
            self._timer.start()  # again: a second after the last keystroke

    def keep_now(self) -> None:
        """Write the editor's text, when it is typing not saved yet."""
        self._timer.stop()
        editor, project = self.views.segment_editor, self.state.project
        seg = editor.segment
        if project is None or project.readonly or seg is None or not editor.is_dirty():
            return
        self._keep(project, seg.id, seg.session_id, editor.base_text, editor.toPlainText())

    def _keep(
        self, project: Project, segment_id: str, session_id: str, base: str, text: str
    ) -> None:
        try:
            project.unsaved_text.keep(segment_id, session_id, base, text)
        except FieldScribeError as exc:  # a full disk: say so, typing goes on
            self.chrome.message(str(exc), 10000)

    def _committed(self, segment_id: str, old: str, new: str) -> None:
        """The edit goes to the project: keep its final text until the write has landed (the
        last keystrokes may be younger than the last kept text), then drop the file."""
        self._timer.stop()
        seg = self.views.segment_editor.segment
        if seg is not None and seg.id == segment_id:
            self._saving(segment_id, seg.session_id, old, new)

    def _saving(self, segment_id: str, session_id: str, old: str, new: str) -> None:
        project = self.state.project
        if project is None or project.readonly:
            return
        self._keep(project, segment_id, session_id, old, new)

        def saved() -> None:
            if self.state.project is not project:
                return
            try:
                if project.unsaved_text.clear(segment_id, text=new, saved=True):
                    return
                kept = project.unsaved_text.read(segment_id)
            except FieldScribeError as exc:
                self.chrome.message(str(exc), 10000)
                return
            if kept is not None and kept.text == new and kept.stored_text != new:
                # the edit did not land (the segment was deleted, merged away or transcribed
                # again meanwhile): the kept typing is all there is of it, offered at once
                self.offer_now(kept)

        self.runner.after_writes(saved)

    # ------------------------------------------------------------------ the table's editor
    def _inline_typed(self, segment: Segment, text: str) -> None:
        self._inline = (segment, text)
        self._inline_timer.start()

    def keep_inline_now(self) -> None:
        """Write what is typed in the transcript table's editor, when it differs from the
        stored text."""
        self._inline_timer.stop()
        project = self.state.project
        if self._inline is None or project is None or project.readonly:
            return
        segment, text = self._inline
        if text != segment.text:
            self._keep(project, segment.id, segment.session_id, segment.text, text)
            self._inline_kept = text

    def _inline_cancelled(self, segment: Segment) -> None:
        """Esc in the table's editor drops the typing on purpose: so does the kept copy."""
        self._inline_timer.stop()
        kept, self._inline, self._inline_kept = self._inline_kept, None, None
        project = self.state.project
        if kept is not None and project is not None and not project.readonly:
            try:
                project.unsaved_text.clear(segment.id, text=kept)
            except FieldScribeError as exc:
                self.chrome.message(str(exc), 10000)

    def _inline_committed(self, segment_id: str, what: str, value: object) -> None:
        inline = self._inline
        if what != "text" or inline is None or inline[0].id != segment_id:
            return
        self._inline_timer.stop()
        self._inline, self._inline_kept = None, None
        segment = inline[0]
        self._saving(segment_id, segment.session_id, segment.text, str(value))

    # ------------------------------------------------------------------ offering back
    def _opened(self, project: Project) -> None:
        # once the window shows the project and its sessions
        # the bar as context: a window destroyed before the timer fires never calls it
        QTimer.singleShot(0, self.bar, lambda: self.offer(project))

    def _closed(self) -> None:
        self._timer.stop()
        self._inline_timer.stop()
        self._inline, self._inline_kept = None, None
        self._offered, self._restoring = [], None
        self.bar.hide()

    def offer(self, project: Project) -> None:
        """Offer back the typing the project's last run left unsaved, one at a time."""
        if self.state.project is not project:
            return
        self._offered = project.unsaved_text.left()
        self._offered_total = len(self._offered)
        self._show_next()

    def offer_now(self, kept: UnsavedText) -> None:
        """Offer typing that could not be saved in this run, first (not only at the next
        open)."""
        self._offered = [kept, *(k for k in self._offered if k.segment_id != kept.segment_id)]
        self._offered_total = max(self._offered_total, len(self._offered))
        self._show_next()

    def _show_next(self) -> None:
        project = self.state.project
        if not self._offered or project is None:
            self.bar.hide()
            return
        kept = self._offered[0]
        try:  # from the project: the sessions list may not be loaded yet
            title: str | None = project.sessions.get_session(kept.session_id).title
        except FieldScribeError:  # the session is gone too
            title = None
        total = self._offered_total
        number = total - len(self._offered) + 1
        place = f"\u00a0({number}\u00a0of\u00a0{total})" if total > 1 else ""  # never broken
        self.bar.show_text(
            kept, describe(kept, title, readonly=project.readonly), place, project.readonly
        )

    def reread(self) -> None:
        """The project changed underneath (a merge, Ethics replaced names or destroyed words):
        the texts offered are read again from their files (a privacy operation rewrote them;
        their segments may have changed or gone); those removed meanwhile are dropped."""
        project = self.state.project
        if project is None or not self._offered:
            return
        fresh = (project.unsaved_text.read(k.segment_id) for k in self._offered)
        self._offered = [k for k in fresh if k is not None]
        self._show_next()

    def _first(self) -> UnsavedText | None:
        """The text shown, as its file and its segment stand now; None (and the bar shows
        where things stand) when that is not what the bar said."""
        project = self.state.project
        if not self._offered or project is None:
            return None
        shown = self._offered[0]
        fresh = project.unsaved_text.read(shown.segment_id)
        if fresh is None or (fresh.state, fresh.text) != (shown.state, shown.text):
            self.reread()
            return None
        return fresh

    def restore(self) -> None:
        """Show the segment and put the typed text into the editor, not saved yet (when its
        segment still holds the text it was typed over)."""
        project = self.state.project
        if project is None or project.readonly or not self._offered:
            return
        if self._first() is None:  # changed meanwhile: the bar says how, and offers Copy
            self.chrome.message("The kept text changed meanwhile; the bar shows it now.", 8000)
            return
        self._restoring = self._offered.pop(0)
        self.sessions.open_segment(self._restoring.session_id, self._restoring.segment_id)
        self._restore_when_shown()
        self._show_next()

    def _restore_when_shown(self) -> None:
        kept, editor = self._restoring, self.views.segment_editor
        if kept is None or editor.segment is None or editor.segment.id != kept.segment_id:
            return
        self._restoring = None
        cursor = QTextCursor(editor.document())
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(kept.text)  # one step: Ctrl+Z gives the stored text back
        editor.setFocus()
        self.chrome.message(
            "Restored the typed text: check it, then press Ctrl+Enter or Esc to save it.", 10000
        )

    def copy(self) -> None:
        """Put the typed text on the clipboard (the segment changed or is gone, or the project
        is open read-only: then the file stays, and the bar goes on to the next one)."""
        if not self._offered:
            return
        kept = self._first()
        if kept is None:  # rewritten or gone meanwhile: the bar shows it as it is now
            self.chrome.message("The kept text changed meanwhile; the bar shows it now.", 8000)
            return
        QGuiApplication.clipboard().setText(kept.text)
        project = self.state.project
        if project is not None and project.readonly:
            self._offered.pop(0)
            self.chrome.message(
                "Copied the typed text; it stays kept for when the project can be written.",
                10000,
            )
            self._show_next()
            return
        self.chrome.message("Copied the typed text; Discard when it is safe.", 10000)

    def discard(self) -> None:
        """Delete the typed text shown."""
        project = self.state.project
        if not self._offered or project is None:
            return
        kept = self._offered.pop(0)
        try:
            project.unsaved_text.clear(kept.segment_id)
        except FieldScribeError as exc:
            self.chrome.show_error(exc)
        self._show_next()
