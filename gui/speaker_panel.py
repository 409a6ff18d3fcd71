"""Speakers of a session: list with rename / merge / map-to-participant, and a timeline strip.

The main window hosts ``SpeakerPanel(project, session_id=None, parent=None)`` and calls
``set_session(id)`` when the user opens a session. Edits go through ``Project`` methods (each one
transaction) and are hand-made corrections, so a later automatic re-run will not overwrite them
without asking. ``speakersChanged`` tells the rest of the window to reload segments.

In the workbench the dock's edits (rename, merge, participant) are undoable commands
(``gui.undo``) pushed on the window's undo stack: ``edit_context`` returns the open project's
``EditContext``, and the command's outcome refreshes this panel. Without one (a panel on its
own) they run directly.

The strip (``self.timeline``) is ``gui.speaker_timeline.SpeakerTimeline`` showing the whole
session: the same widget as the workbench's strip under the waveform (``speaker_colour`` and
``PALETTE`` are re-exported here for older imports).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.ask_dialog import AskDialog
from gui.fmt import plural
from gui.select_row import select_row
from gui.speaker_timeline import PALETTE, SpeakerTimeline, speaker_colour
from gui.undo import (
    NO_PARTICIPANT,
    EditContext,
    MapSpeakerCommand,
    MergeSpeakersCommand,
    RenameSpeakerCommand,
)
from storage.core.errors import FieldScribeError

__all__ = ["PALETTE", "SpeakerPanel", "SpeakerTimeline", "speaker_colour"]


def _fmt(ms: int) -> str:
    seconds = ms // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


class SpeakerPanel(QWidget):
    """The speakers of one session, with hand corrections and a timeline."""

    speakersChanged = Signal()

    COLUMNS = ("Speaker", "Talk", "Segs", "Participant")
    #: header tooltips (the short headers leave the speaker's name room in a narrow dock)
    COLUMN_TIPS = (
        "Speaker label",
        "Talk time (m:ss): the length of its segments",
        "Segments",
        "Participant (who it is)",
    )

    def __init__(
        self, project: Any, session_id: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.project = project
        self.session_id: str | None = None
        self._participants: dict[str, str] = {}
        #: the open project's undo context (edits become undoable commands), when hosted
        self.edit_context: Callable[[], EditContext | None] | None = None

        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        for col, tip in enumerate(self.COLUMN_TIPS):
            header_item = self.table.horizontalHeaderItem(col)
            if header_item is not None:
                header_item.setToolTip(tip)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        # all four columns stay visible in a narrow dock: Talk and Segments as wide as their
        # contents, Participant up to a third of the width, Speaker takes the rest (long names
        # are elided, with the full name in the tooltip)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(36)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Fixed)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setWordWrap(False)
        self.table.viewport().installEventFilter(self)
        self.timeline = SpeakerTimeline()
        self.status = QLabel()
        self.rename_button = QPushButton("Rename…")
        self.merge_button = QPushButton("Merge into…")
        self.map_button = QPushButton("Participant…")
        self.rename_button.clicked.connect(self._ask_rename)
        self.merge_button.clicked.connect(self._ask_merge)
        self.map_button.clicked.connect(self._ask_map)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        buttons = QHBoxLayout()
        for b in (self.rename_button, self.merge_button, self.map_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.timeline)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.set_session(session_id)

    # ----------------------------------------------------------------- layout
    def eventFilter(self, watched: Any, event: Any) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_columns()
        return super().eventFilter(watched, event)

    def _fit_columns(self) -> None:
        """Participant: its contents, at most a third of the width (elided below that)."""
        header = self.table.horizontalHeader()
        width = self.table.viewport().width()
        wanted = max(header.sectionSizeHint(3), self.table.sizeHintForColumn(3))
        self.table.setColumnWidth(3, max(header.minimumSectionSize(), min(wanted, width // 3)))

    # ----------------------------------------------------------------- data
    def set_session(self, session_id: str | None) -> None:
        """Show the speakers of this session (None: nothing)."""
        self.session_id = session_id
        self.refresh()

    def labels(self) -> list[str]:
        """The speaker labels shown, in order of first appearance."""
        return [self._label(r) for r in range(self.table.rowCount())]

    def _label(self, row: int) -> str:
        item = self.table.item(row, 0)
        return item.text() if item is not None else ""

    def refresh(self) -> None:
        """Reload speakers and timeline from the project."""
        self.table.setRowCount(0)
        if self.session_id is None:
            self.timeline.set_turns([], [], 0)
            # an empty strip was a blank line over the table: it shows when it has turns
            self.timeline.hide()
            self.status.setText("No session open.")
            self._update_buttons()
            return
        self._participants = {p.id: p.pseudonym for p in self.project.sessions.participants()}
        stats = self.project.speakers.speaker_stats(self.session_id)
        for row, stat in enumerate(stats):
            self.table.insertRow(row)
            name = QTableWidgetItem(stat.label)
            name.setData(Qt.ItemDataRole.DecorationRole, speaker_colour(row))
            tip = stat.label
            if stat.edited_count:
                tip += f"\n{plural(stat.edited_count, 'segment')} corrected by hand"
            name.setToolTip(tip)
            cells = [
                name,
                QTableWidgetItem(_fmt(stat.total_ms)),
                QTableWidgetItem(str(stat.segment_count)),
                QTableWidgetItem(self._participants.get(stat.participant_id or "", "")),
            ]
            cells[3].setToolTip(cells[3].text())
            for col, item in enumerate(cells):
                self.table.setItem(row, col, item)
        self._fit_columns()
        turns = self.project.speakers.speaker_turns(self.session_id)
        session = self.project.sessions.get_session(self.session_id)
        self.timeline.set_turns(turns, [s.label for s in stats], session.duration_ms)
        self.timeline.setVisible(self.timeline.has_speakers())
        unlabelled = sum(
            1 for seg in self.project.transcript.segments(self.session_id) if seg.speaker is None
        )
        self.status.setText(
            plural(len(stats), "speaker")
            + (f", {plural(unlabelled, 'segment')} without speaker" if unlabelled else "")
        )
        self._update_buttons()

    def selected_labels(self) -> list[str]:
        """Labels of the selected rows."""
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [self._label(r) for r in rows]

    def select_label(self, label: str) -> None:
        """Select the row of a label."""
        self.table.clearSelection()
        for r in range(self.table.rowCount()):
            if self._label(r) == label:
                select_row(self.table, r)

    def _update_buttons(self) -> None:
        one = len(self.selected_labels()) == 1
        self.rename_button.setEnabled(one)
        self.merge_button.setEnabled(one and self.table.rowCount() > 1)
        self.map_button.setEnabled(one)

    # ----------------------------------------------------------------- actions
    def rename(self, old: str, new: str) -> bool:
        """Rename a speaker; False (with the reason in the status line) when refused."""
        new = new.strip()
        if self.session_id is not None and new != old and new in self.labels():
            self.status.setText(
                f"Speaker {new!r} already exists in this session; merge {old!r} into it instead."
            )
            return False
        sid = self.session_id

        def command(ctx: EditContext) -> Any:
            return RenameSpeakerCommand(ctx, sid or "", old, new)

        return self._edit(command, lambda: self.project.speakers.rename_speaker(sid, old, new))

    def merge(self, source: str, target: str) -> bool:
        """Merge ``source`` into ``target``."""
        sid = self.session_id
        if source == target:
            self.status.setText(f"Cannot merge speaker {source!r} into itself.")
            return False

        def command(ctx: EditContext) -> Any:
            return MergeSpeakersCommand(ctx, sid or "", source, target)

        return self._edit(
            command, lambda: self.project.speakers.merge_speakers(sid, source, target)
        )

    def reassign(self, segment_ids: list[str], label: str) -> bool:
        """Give a selection of segments (from the transcript view) to a speaker."""
        return self._run(lambda: self.project.speakers.reassign_segments(segment_ids, label))

    def map_to_participant(self, label: str, participant_id: str | None) -> bool:
        """Map a speaker to a participant (None clears)."""
        sid = self.session_id
        who = self._participants.get(participant_id or "", NO_PARTICIPANT)

        def command(ctx: EditContext) -> Any:
            return MapSpeakerCommand(ctx, sid or "", label, participant_id, who)

        return self._edit(
            command, lambda: self.project.sessions.map_speaker(sid, label, participant_id)
        )

    def _edit(self, command: Callable[[EditContext], Any], direct: Callable[[], Any]) -> bool:
        """Push ``command`` on the window's undo stack (its outcome refreshes this panel);
        run ``direct`` when the panel has no undo context."""
        if self.session_id is None:
            return False
        ctx = self.edit_context() if self.edit_context is not None else None
        if ctx is None or ctx.stack is None or ctx.project is not self.project:
            return self._run(direct)
        ctx.stack.push(command(ctx))
        return True

    def _run(self, action: Any) -> bool:
        if self.session_id is None:
            return False
        try:
            action()
        except FieldScribeError as exc:
            self.refresh()
            self.status.setText(str(exc))
            return False
        self.refresh()
        self.speakersChanged.emit()
        return True

    def _ask_rename(self) -> None:
        (old,) = self.selected_labels() or [""]
        if not old:
            return
        new, ok = AskDialog.ask(self, "Rename speaker", f"New name for {old}:", old)
        if ok and new.strip() and new.strip() != old:
            if new.strip() in self.labels():
                answer = QMessageBox.question(
                    self, "Merge speakers", f"{new.strip()} exists. Merge {old} into it?"
                )
                if answer == QMessageBox.StandardButton.Yes:
                    self.merge(old, new.strip())
                return
            self.rename(old, new.strip())

    def _ask_merge(self) -> None:
        (source,) = self.selected_labels() or [""]
        others = [label for label in self.labels() if label != source]
        if not source or not others:
            return
        target, ok = AskDialog.ask(
            self, "Merge speakers", f"Give all of {source}'s segments to:", others[0], items=others
        )
        if ok and target:
            self.merge(source, target)

    def _ask_map(self) -> None:
        (label,) = self.selected_labels() or [""]
        if not label:
            return
        if not self._participants:  # a list of "(no participant)" alone was a dead end
            self.status.setText(
                "This project has no participants yet: add them in View ▸ Session details "
                f"(Add participant), then map {label} to one."
            )
            return
        names = [NO_PARTICIPANT, *self._participants.values()]
        ids: list[str | None] = [None, *self._participants.keys()]
        choice, ok = AskDialog.ask(
            self, "Map to participant", f"Who is {label}?", names[0], items=names
        )
        if ok:
            self.map_to_participant(label, ids[names.index(choice)])
