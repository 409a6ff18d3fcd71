"""Session details: metadata, speakers mapped to participants, and the participants list."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QPainter, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.ask_dialog import AskDialog
from gui.fit import FitButton
from gui.keyboard import tab_in_order
from gui.qtcompat import emit
from gui.undo import NO_PARTICIPANT, EditContext, MapSpeakerCommand, ParticipantCommand
from storage.core.models import KIND_LABELS, Participant, Session

if TYPE_CHECKING:
    from gui.tasks import TaskRunner
    from storage import Project


ATTRIBUTES_FORM = "key=value; key=value"
#: what an empty Attributes cell shows, greyed (the hint above the table took two lines)
ATTRIBUTES_EXAMPLE = "age group=30-39; role=farmer"


class AttributeSyntaxError(ValueError):
    """Attribute text that is not ``key=value; key=value`` (the message says so, one line)."""


def parse_attributes(text: str) -> dict[str, str]:
    """``"age group=30-39; gender=f"`` -> dict (blank parts ignored; blank text: ``{}``).

    Raises:
        AttributeSyntaxError: a part without ``=`` or without a key (nothing is guessed, so a
            typo never wipes the attributes it was meant to change).
    """
    result: dict[str, str] = {}
    for part in text.replace("\n", ";").split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise AttributeSyntaxError(
                f"Attributes not changed: {part.strip()!r} is not key=value; "
                f"write them as {ATTRIBUTES_FORM}."
            )
        result[key.strip()] = value.strip()
    return result


def format_attributes(attributes: dict[str, str]) -> str:
    """The inverse of ``parse_attributes``."""
    return "; ".join(f"{k}={v}" for k, v in sorted(attributes.items()))


def _item(text: str) -> QTableWidgetItem:
    """A cell of ``text``, whole in its tooltip (the cell elides it where its column is narrow)."""
    item = QTableWidgetItem(text)
    item.setToolTip(text)
    return item


#: the speakers' participant choice that makes a new participant
NEW_PARTICIPANT = "\x00new"


class RowsTable(QTableWidget):
    """A table of the Session details form as tall as its rows, ``LEAST`` to ``MOST`` of them
    (it scrolls past ``MOST``). Both tables kept four rows at least and asked for Qt's 192 px:
    one speaker and no participant left 300 px blank, the form 734 px tall, and Add
    participant below the fold of the dock at 1024x700 and 1366x768 alike.

    Its rows are one line (and a speaker's participant choice) tall: Qt's 30 px rows and
    attributes wrapped onto two lines made a focus group's six speakers and six participants
    a 750 px form in the 534 px dock at 1024x700. A cell too long for its column is elided,
    whole in its tooltip."""

    LEAST, MOST = 2, 8
    FIRST = 100  # px: the first column's width where the table has room

    def __init__(self, rows: int, columns: int, parent: QWidget | None = None) -> None:
        super().__init__(rows, columns, parent)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        # Tab goes on past the table (its speakers' participant lists on the way): it went
        # from a speaker to their list and back for ever, the rest of the form out of reach
        self.setTabKeyNavigation(False)
        rows_header = self.verticalHeader()
        rows_header.setMinimumSectionSize(1)
        rows_header.setDefaultSectionSize(self.fontMetrics().lineSpacing() + 10)
        model = self.model()
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset):
            signal.connect(self.updateGeometry)  # the form is laid out for the new count

    def _rows_height(self, rows: int) -> int:
        header = self.horizontalHeader().sizeHint().height()
        row = self.verticalHeader().defaultSectionSize()
        return header + rows * row + 2 * self.frameWidth()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # the first column (a speaker's label, a pseudonym) gives way in a narrowed dock: at
        # its 100 px the table scrolled sideways at 212 px, the participant choice cut
        self.setColumnWidth(0, min(self.FIRST, self.viewport().width() * 45 // 100))

    def _height(self) -> int:
        return self._rows_height(max(self.LEAST, min(self.rowCount(), self.MOST)))

    def sizeHint(self) -> QSize:  # Qt's name
        hint = super().sizeHint()
        hint.setHeight(self._height())
        return hint

    def minimumSizeHint(self) -> QSize:  # Qt's name
        # as tall as its rows: in a short dock the form scrolls, the table keeps its rows in
        # sight (squeezed to two rows, a focus group's six scrolled inside it)
        hint = super().minimumSizeHint()
        hint.setHeight(self._height())
        return hint


class _ExampleDelegate(QStyledItemDelegate):
    """An empty cell shows ``example`` greyed: the form its text takes."""

    def __init__(self, example: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.example = example

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().paint(painter, option, index)
        if index.data():
            return
        painter.save()
        painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
        rect = option.rect.adjusted(4, 0, -4, 0)
        text = option.fontMetrics.elidedText(
            self.example, Qt.TextElideMode.ElideRight, rect.width()
        )
        painter.drawText(
            rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), text
        )
        painter.restore()


class SessionPanel(QWidget):
    """Edit the current session's metadata and who its speakers are."""

    changed = Signal(str)  # session id (saved)
    error = Signal(object)
    message = Signal(str)  # what a save did, for the status bar

    def __init__(self, project: Project, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.project, self.runner = project, runner
        self.session: Session | None = None
        self.title = QLineEdit(self)
        self.kind = QComboBox(self)
        for key, label in KIND_LABELS.items():
            self.kind.addItem(label, key)
        self.date = QLineEdit(self)
        self.date.setPlaceholderText("YYYY-MM-DD")
        self.place = QLineEdit(self)
        self.moderator = QLineEdit(self)
        self.notes = QPlainTextEdit(self)
        self.notes.setTabChangesFocus(True)  # Tab goes on to Save (it typed a tab)
        self.notes.setMaximumHeight(self.fontMetrics().lineSpacing() * 3 + 10)  # three lines
        save = FitButton("Save session details", "Save", self)
        save.clicked.connect(self.save)
        form = QFormLayout()
        form.setVerticalSpacing(4)
        form.addRow("Title", self.title)
        form.addRow("Kind", self.kind)
        form.addRow("Date", self.date)
        form.addRow("Place", self.place)
        form.addRow("Moderator", self.moderator)
        form.addRow("Notes", self.notes)
        form.addRow("", save)

        # each table as tall as its rows (a focus group's speakers all in sight, up to eight)
        self.speakers = RowsTable(0, 2, self)
        self.speakers.setHorizontalHeaderLabels(["Speaker", "Participant"])
        self.speakers.horizontalHeader().setStretchLastSection(True)
        self.speakers.verticalHeader().setVisible(False)

        self.participants = RowsTable(0, 2, self)
        self.participants.setHorizontalHeaderLabels(["Pseudonym", "Attributes"])
        self.participants.horizontalHeader().setStretchLastSection(True)
        self.participants.verticalHeader().setVisible(False)
        hint = f"Attributes as {ATTRIBUTES_EXAMPLE}"
        attributes_header = self.participants.horizontalHeaderItem(1)
        if attributes_header is not None:
            attributes_header.setToolTip(hint)
        self.participants.setItemDelegateForColumn(
            1, _ExampleDelegate(ATTRIBUTES_EXAMPLE, self.participants)
        )
        self.participants.itemChanged.connect(self._participant_edited)
        # by the Participants heading, in sight with a focus group's speakers listed above
        # (below the participants it lay 740 px down the 534 px dock at 1024x700)
        add = self.add_button = FitButton("Add participant", "Add…", self)
        add.clicked.connect(self._add_participant)
        heading = QHBoxLayout()
        participants = QLabel("<b>Participants</b>", self)
        participants.setToolTip(hint)
        heading.addWidget(participants)
        heading.addStretch(1)
        heading.addWidget(add)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Speakers of this session</b>", self))
        layout.addWidget(self.speakers)
        layout.addLayout(heading)
        layout.addWidget(self.participants)
        #: one line under the participants: why an edit was refused ("" when none was)
        self.attributes_notice = QLabel(self)
        self.attributes_notice.setWordWrap(True)
        self.attributes_notice.setStyleSheet("color: #b00020;")
        self.attributes_notice.hide()
        layout.addWidget(self.attributes_notice)
        self._participants: list[Participant] = []
        self._reveal = ""  # a participant just added: selected and shown once listed
        self._loading = False
        #: the window's undo context (set by the window): speaker mappings become undoable
        self.edit_context: Callable[[], EditContext | None] | None = None

    def show_session(self, session: Session | None) -> None:
        """Fill the form; participants and speakers are read in the background."""
        project = self.project
        sid = session.id if session else None
        self.runner.submit(
            "Session details",
            lambda _ctx: (
                project.sessions.participants(),
                project.sessions.session_speakers(sid) if sid else [],
            ),
            on_done=lambda result: (
                self._fill(session, *result)
                if (self.session.id if self.session else None) == sid
                else None
            ),
            serial=True,
        )
        self.session = session

    def _fill(
        self, session: Session | None, participants: list[Participant], speakers: list[Any]
    ) -> None:
        self.session = session
        self.setEnabled(session is not None)
        self._loading = True
        s = session
        self.title.setText(s.title if s else "")
        self.kind.setCurrentIndex(max(0, self.kind.findData(s.kind if s else "interview")))
        self.date.setText(s.date or "" if s else "")
        self.place.setText(s.place or "" if s else "")
        self.moderator.setText(s.moderator or "" if s else "")
        for field in (self.title, self.date, self.place, self.moderator):
            # from its start: a title longer than the dock's field showed its end ("oup: online
            # public services"), the cursor left at the end of the text set
            field.setCursorPosition(0)
        self.notes.setPlainText(s.notes or "" if s else "")
        self._participants = participants
        self.participants.setRowCount(len(self._participants))
        for row, p in enumerate(self._participants):
            self.participants.setItem(row, 0, _item(p.pseudonym))
            self.participants.setItem(row, 1, _item(format_attributes(p.attributes)))
        if self._reveal:
            self._reveal_participant(self._reveal)
            self._reveal = ""
        self.speakers.setRowCount(len(speakers))
        lists: list[QWidget] = []  # the speakers' participant lists, reached by Tab in turn
        for row, sp in enumerate(speakers):
            item = _item(sp.label)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.speakers.setItem(row, 0, item)
            box = QComboBox(self.speakers)
            box.addItem("—", None)
            for p in self._participants:
                box.addItem(p.pseudonym, p.id)
            # linking a speaker needs a participant: one can be made here (there were none
            # to choose after the consent question's Link speakers…)
            box.addItem("New participant…", NEW_PARTICIPANT)
            box.setToolTip("The participant who speaks as this speaker (their consent applies)")
            box.setCurrentIndex(max(0, box.findData(sp.participant_id)))
            box.currentIndexChanged.connect(
                lambda _i, label=sp.label, b=box, was=sp.participant_id: (
                    self._new_participant_for(label, b, was)
                    if b.currentData() == NEW_PARTICIPANT
                    else self._map(label, b.currentData())
                )
            )
            self.speakers.setCellWidget(row, 1, box)
            lists.append(box)
        # Tab: the table, its lists, then Add participant and the participants (the lists,
        # made last, came after the Retrieval dock; Add participant after the table below it)
        tab_in_order([self.speakers, *lists, self.add_button, self.participants])
        self._loading = False

    def _run(self, name: str, fn: Any, said: str = "") -> None:
        sid = self.session.id if self.session else ""

        def done(_result: Any) -> None:
            emit(self.changed, sid)
            if said:
                emit(self.message, said)

        self.runner.submit(
            name, lambda _ctx: fn(), on_done=done, on_error=self.error.emit, serial=True
        )

    def save(self) -> None:
        """Write the metadata."""
        if self.session is None:
            return
        sid, project = self.session.id, self.project
        fields = {
            "title": self.title.text().strip() or self.session.title,
            "kind": self.kind.currentData(),
            "date": self.date.text().strip() or None,
            "place": self.place.text().strip() or None,
            "moderator": self.moderator.text().strip() or None,
            "notes": self.notes.toPlainText().strip() or None,
        }
        # said in the status bar: a saved place or note shows nowhere else
        said = f"Saved the details of “{fields['title']}”."
        self._run("Save session", lambda: project.sessions.update_session(sid, **fields), said)

    def _map(self, label: str, participant_id: str | None) -> None:
        if self._loading or self.session is None:
            return
        sid, project = self.session.id, self.project
        who = next(
            (p.pseudonym for p in self._participants if p.id == participant_id), NO_PARTICIPANT
        )
        self._edit(
            "Map speaker",
            lambda ctx: MapSpeakerCommand(ctx, sid, label, participant_id, who),
            lambda: project.sessions.map_speaker(sid, label, participant_id),
        )

    def _new_participant_for(self, label: str, box: QComboBox, was: str | None) -> None:
        """New participant… chosen for speaker ``label``: a pseudonym asked, the participant
        added and the speaker linked to them (Cancel leaves the speaker as it was)."""
        if self._loading or self.session is None:
            return
        box.blockSignals(True)  # back to what it showed until the participant exists
        box.setCurrentIndex(max(0, box.findData(was)))
        box.blockSignals(False)
        suggested = f"P{len(self._participants) + 1:02d}"
        name, ok = AskDialog.ask(
            self,
            "New participant",
            f"Pseudonym of the participant who speaks as “{label}”\n"
            "(what exports show; not their real name):",
            suggested,
        )
        if not ok or not name.strip():
            return
        sid, project = self.session.id, self.project

        def added(participant: Participant) -> None:
            self._participants.append(participant)
            self._edit(
                "Map speaker",
                lambda ctx: MapSpeakerCommand(
                    ctx, sid, label, participant.id, participant.pseudonym
                ),
                lambda: project.sessions.map_speaker(sid, label, participant.id),
            )
            emit(self.changed, sid)

        self.runner.submit(
            "Add participant",
            lambda _ctx: project.sessions.add_participant(name.strip(), {}),
            on_done=added,
            on_error=self.error.emit,
            serial=True,
        )

    def _edit(
        self, name: str, command: Callable[[EditContext], Any], direct: Callable[[], Any]
    ) -> None:
        """Push ``command`` on the window's undo stack (Ctrl+Z takes it back, as in the
        Speakers dock); run ``direct`` in the background when the panel has no undo context."""
        ctx = self.edit_context() if self.edit_context is not None else None
        if ctx is None or ctx.stack is None or ctx.project is not self.project:
            self._run(name, direct)
        else:
            ctx.stack.push(command(ctx))

    def _add_participant(self) -> None:
        name, ok = AskDialog.ask(self, "Add participant", "Pseudonym:")
        if ok and name.strip():
            self.add_participant(name.strip(), {})

    def add_participant(self, pseudonym: str, attributes: dict[str, str]) -> None:
        """Add a participant in the background; it is shown selected once listed, the status
        bar says so (at 1024x700 the list is below the fold and the 7th row past its four: Add
        participant seemed to do nothing)."""
        project = self.project
        self._reveal = pseudonym
        self._run(
            "Add participant",
            lambda: project.sessions.add_participant(pseudonym, attributes),
            said=f"Added participant “{pseudonym}”: type their attributes beside the name.",
        )

    def _reveal_participant(self, pseudonym: str) -> None:
        """Select ``pseudonym``'s row (the last of that name) and scroll it into sight, in
        its table and in the dock's scroll area."""
        rows = [r for r, p in enumerate(self._participants) if p.pseudonym == pseudonym]
        if not rows:
            return
        table = self.participants
        table.setCurrentCell(rows[-1], 1)
        table.scrollTo(table.model().index(rows[-1], 1))
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if parent is not None:
            parent.ensureWidgetVisible(table)

    def _participant_edited(self, item: QTableWidgetItem) -> None:
        if self._loading or item.row() >= len(self._participants):
            return
        p = self._participants[item.row()]
        project = self.project
        self._loading = True  # its tooltip follows the text typed (no edit of its own)
        item.setToolTip(item.text())
        self._loading = False
        if item.column() == 0:
            name = item.text().strip()
            old, new = {"pseudonym": p.pseudonym}, {"pseudonym": name}
            self._edit(
                "Rename participant",
                lambda ctx: ParticipantCommand(ctx, p.id, old, new, f"Rename {name}"),
                lambda: project.sessions.update_participant(p.id, pseudonym=name),
            )
        else:
            try:
                attrs = parse_attributes(item.text())
            except AttributeSyntaxError as exc:
                self._loading = True  # put the old values back without writing them again
                item.setText(format_attributes(p.attributes))
                item.setToolTip(item.text())
                self._loading = False
                self.attributes_notice.setText(str(exc))
                self.attributes_notice.show()
                return
            self.attributes_notice.hide()
            before = {"attributes": dict(p.attributes)}
            p.attributes = dict(attrs)
            text = f"Attributes of {p.pseudonym}"
            self._edit(
                "Participant attributes",
                lambda ctx: ParticipantCommand(ctx, p.id, before, {"attributes": attrs}, text),
                lambda: project.sessions.update_participant(p.id, attributes=attrs),
            )
