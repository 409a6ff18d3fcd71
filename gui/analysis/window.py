"""The Analysis window: a non-modal window with a filter bar and four tabs (``gui.analysis.tabs``).

Every number comes from ``analysis/`` and is computed on a worker (``gui.tasks``) over its own
read-only connection to the project (so the GUI thread never waits on a long query), one job
per tab at a time: a newer request makes an older result stale and it is dropped. The window
follows edits: ``schedule_refresh()`` (connected by ``gui.analysis.launcher`` to the edit
signals) recomputes the shown tab shortly after the last change while the window is visible.
Exports (chart: PNG/SVG via matplotlib; table: xlsx/csv) go through ``analysis.exports`` with
the pseudonym and consent protections of every export, and are logged in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFontMetrics, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from analysis.filters import Facets, Filters
from analysis.table import Table
from gui.analysis.frequencies import FrequenciesTab
from gui.analysis.tabs import (
    AnalysisTab,
    CooccurrenceTab,
    MatrixTab,
    TimelineTab,
)
from gui.app_state import AppState
from gui.consent import confirm_consent, nobody_note
from gui.flow_row import FlowLayout
from gui.fmt import plural
from gui.layout import fit_to_screen
from gui.menu_keys import keep_mnemonics, marked, menu_name
from gui.status_text import FitLabel
from gui.tasks import TaskHandle, TaskRunner
from storage import Project


class CheckListMenu(QMenu):
    """A menu of checkable entries that stays open while they are ticked (by click, Space or
    Enter): picking several sessions meant reopening it for each. Escape or a click outside
    closes it."""

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        action = self.actionAt(event.position().toPoint())
        if action is not None and action.isCheckable() and action.isEnabled():
            action.trigger()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        action = self.activeAction()
        keys = (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if event.key() in keys and action is not None and action.isCheckable():
            if action.isEnabled():
                action.trigger()
            return
        # an entry's underlined letter ticks it and the menu stays open, as a click does
        typed = event.text().lower()
        lettered = [a for a in self.actions() if typed and marked(a.text()) == typed]
        plain = not event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier
        if plain and lettered and lettered[0].isCheckable() and lettered[0].isEnabled():
            self.setActiveAction(lettered[0])
            lettered[0].trigger()
            return
        super().keyPressEvent(event)


class FilterBar(QWidget):
    """Coder, sessions, speaker, attribute and date filters shared by every tab."""

    changed = Signal()
    invalid = Signal(str)  # why a typed filter was refused

    def __init__(self) -> None:
        super().__init__()
        lay = FlowLayout(self, spacing=8)  # wraps onto a second row in a narrow window
        lay.setContentsMargins(6, 4, 6, 0)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.coder = QComboBox()
        self.speaker = QComboBox()
        self.attribute = QComboBox()
        # a push button with a menu keeps room for its arrow (a tool button drew it over the
        # text's last letter: "All session⌄s")
        self.sessions_button = QPushButton("All sessions")
        self.sessions_menu = CheckListMenu(self)  # stays open while sessions are ticked
        self.sessions_button.setMenu(self.sessions_menu)
        keep_mnemonics(self.sessions_menu)  # a session's letter ticks it
        self.date_from = QLineEdit()
        self.date_to = QLineEdit()
        self._dates: dict[QLineEdit, str | None] = {self.date_from: None, self.date_to: None}
        width = QFontMetrics(self.date_from.font()).horizontalAdvance("YYYY-MM-DD") + 16
        for edit, tip in (
            (self.date_from, "sessions dated on or after this day (YYYY-MM-DD)"),
            (self.date_to, "sessions dated on or before this day (YYYY-MM-DD)"),
        ):
            edit.setPlaceholderText("YYYY-MM-DD")
            edit.setToolTip(tip)
            edit.setFixedWidth(width)
            edit.editingFinished.connect(lambda e=edit: self._date_edited(e))
        for group in (
            [QLabel("Coder"), self.coder],
            [QLabel("Sessions"), self.sessions_button],
            [QLabel("Speaker"), self.speaker],
            [QLabel("Attribute"), self.attribute],
            [QLabel("Dates"), self.date_from, QLabel("to"), self.date_to],
        ):
            box = QWidget()  # a label stays with its field when the row wraps
            row = QHBoxLayout(box)
            row.setContentsMargins(0, 0, 0, 0)
            for widget in group:
                row.addWidget(widget)
            lay.addWidget(box)
        for box in (self.coder, self.speaker, self.attribute):
            box.setMinimumContentsLength(7)
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            box.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.session_actions: list[QAction] = []

    def set_facets(self, f: Facets) -> None:
        """Offer the project's coders, sessions, speakers and attribute values."""
        for box, items in (
            (self.coder, [("Any coder", None)] + [(c, c) for c in f.coders]),
            (self.speaker, [("Any speaker", None)] + [(s, s) for s in f.speakers]),
            (
                self.attribute,
                [("Any", None)]
                + [(f"{k} = {v}", (k, v)) for k, vs in f.attributes.items() for v in vs]
                + [(f"kind = {k}", ("session.kind", k)) for k in f.kinds]
                + [(f"place = {p}", ("session.place", p)) for p in f.places]
                + [(f"moderator = {m}", ("session.moderator", m)) for m in f.moderators],
            ),
        ):
            current = box.currentData()
            box.blockSignals(True)
            box.clear()
            for text, data in items:
                box.addItem(text, data)
            box.setCurrentIndex(max(box.findData(current), 0))
            box.blockSignals(False)
        chosen = {a.data() for a in self.session_actions if a.isChecked()}
        self.sessions_menu.clear()
        self.session_actions = []
        for sid, title in f.sessions:
            action = self.sessions_menu.addAction(menu_name(title))  # "R&D" whole; cut if long
            action.setToolTip(title)
            action.setCheckable(True)
            action.setData(sid)
            action.setChecked(sid in chosen)
            action.toggled.connect(self._sessions_toggled)
            self.session_actions.append(action)
        self._label_sessions()

    def _label_sessions(self) -> None:
        n = sum(a.isChecked() for a in self.session_actions)
        self.sessions_button.setText("All sessions" if not n else plural(n, "session"))
        # no session: its menu was empty and opened onto nothing
        self.sessions_button.setEnabled(bool(self.session_actions))
        self.sessions_button.setToolTip("" if self.session_actions else "No sessions yet.")

    def _sessions_toggled(self, _on: bool) -> None:
        self._label_sessions()
        self.changed.emit()

    def _date_edited(self, edit: QLineEdit) -> None:
        """Take a typed date; one that is not a date is refused (the last good one stays)."""
        import datetime

        text = edit.text().strip()
        try:
            value = datetime.date.fromisoformat(text).isoformat() if text else None
        except ValueError:
            edit.setStyleSheet("border: 1px solid #b00020;")
            self.invalid.emit(f"{text} is not a date: write YYYY-MM-DD, e.g. 2024-05-31.")
            return
        edit.setStyleSheet("")
        if value is not None and value != text:
            edit.setText(value)
        if value != self._dates[edit]:
            self._dates[edit] = value
            self.changed.emit()

    def filters(self) -> Filters:
        """The filters as chosen."""
        attribute = self.attribute.currentData()
        return Filters(
            coders=(self.coder.currentData(),) if self.coder.currentData() else (),
            sessions=tuple(str(a.data()) for a in self.session_actions if a.isChecked()),
            speakers=(self.speaker.currentData(),) if self.speaker.currentData() else (),
            attributes=(tuple(attribute),) if attribute else (),
            date_from=self._dates[self.date_from],
            date_to=self._dates[self.date_to],
        )


class AnalysisWindow(QWidget):
    """Matrix, Co-occurrence, Timeline and Frequencies of the open project (non-modal)."""

    def __init__(
        self,
        state: AppState,
        runner: TaskRunner,
        play_segment: Callable[[str, str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Analysis")
        self.resize(1100, 720)
        fit_to_screen(self)  # a laptop screen may be smaller (1024×700)
        self.state = state
        self.runner = runner
        self._jobs: dict[str, int] = {}  # job name -> newest request number
        self._handles: dict[str, TaskHandle] = {}
        self._serial = 0
        self.filter_bar = FilterBar()
        self.filter_bar.changed.connect(self._filters_changed)
        self.filter_bar.invalid.connect(lambda why: self.say(why, error=True))
        self.tabs = QTabWidget()
        compute, filters = self.compute, self.filter_bar.filters
        self.matrix = MatrixTab(compute, filters)
        self.cooccurrence = CooccurrenceTab(compute, filters)
        self.timeline = TimelineTab(compute, filters)
        self.frequencies = FrequenciesTab(compute, filters)
        for tab, title in (
            (self.matrix, "Matrix"),
            (self.cooccurrence, "Co-occurrence"),
            (self.timeline, "Timeline"),
            (self.frequencies, "Frequencies"),
        ):
            self.tabs.addTab(tab, title)
            tab.play_segment.connect(play_segment)
            tab.export_requested.connect(lambda kind, t=tab: self.export_dialog(t, kind))
        self.tabs.currentChanged.connect(lambda _i: self.refresh())
        # one line: a long path is shortened in its folders ("Wrote /home/…/matrix.csv."),
        # whole on hover, as in the main window's status bar
        self.status = FitLabel("")
        self.status.setContentsMargins(8, 0, 8, 0)
        self._message = ""  # the last outcome (an export, a failure): stays until the next one
        self._message_is_error = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 4)
        lay.addWidget(self.filter_bar)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(self.status)
        # a bound method, not a lambda: Qt drops the connection when the window is deleted
        runner.task_finished.connect(self._task_finished)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(400)
        self._debounce.timeout.connect(self.reload)
        self.last_export: Path | None = None

    # ------------------------------------------------------------------ computing
    def compute(
        self, name: str, fn: Callable[[Project], Any], on_done: Callable[[Any], None]
    ) -> None:
        """Run ``fn(project)`` on a worker (read-only connection); ``on_done`` gets the result
        unless a newer ``name`` request came in meanwhile."""
        project = self.state.project
        if project is None:
            return
        folder = project.folder
        self._serial += 1
        serial = self._jobs[name] = self._serial
        old = self._handles.get(name)
        if old is not None and old.running:
            old.cancel()

        def job(_ctx: Any) -> Any:
            with Project.open(folder, readonly=True) as reader:
                return fn(reader)

        def done(result: Any) -> None:
            if self._jobs.get(name) == serial:
                on_done(result)
                self._busy_changed()

        def failed(exc: BaseException) -> None:
            if self._jobs.get(name) == serial:
                self.say(f"Could not compute the {name}: {exc}", error=True)

        self._handles[name] = self.runner.submit(
            f"analysis {name}", job, on_done=done, on_error=failed
        )
        self._busy_changed()

    def say(self, text: str, *, error: bool = False) -> None:
        """Show an outcome in the status line (red when ``error``); it stays there (computing
        shows "Computing…" meanwhile) until the next outcome replaces it."""
        self._message, self._message_is_error = text, error
        self._busy_changed()

    def _task_finished(self, _handle: object) -> None:
        self._busy_changed()

    def _busy_changed(self) -> None:
        running = [n for n, h in self._handles.items() if h.running]
        if running:
            text, error = ("Computing… " + self._message).strip(), self._message_is_error
        else:
            text, error = self._message, self._message_is_error
        self.status.setText(text)
        self.status.setStyleSheet("color: #b00020; font-weight: bold;" if error else "")

    def busy(self) -> bool:
        """True while a computation runs."""
        return any(h.running for h in self._handles.values())

    def reload(self) -> None:
        """Read the project's facets again, then recompute the shown tab."""
        self.compute("facets", _facets, self._set_facets)

    def _set_facets(self, result: Any) -> None:
        facets, choices = result
        self.filter_bar.blockSignals(True)
        self.filter_bar.set_facets(facets)
        self.filter_bar.blockSignals(False)
        self.matrix.set_column_choices(choices)
        self.frequencies.set_by_choices(choices)
        self.timeline.set_sessions(facets.sessions)
        self.frequencies.set_sources(facets.codes, facets.sessions)
        self.refresh()

    def _filters_changed(self) -> None:
        if self._message_is_error:
            self.say("")  # a refused filter's message goes once the filters are good again
        self.refresh()

    def refresh(self) -> None:
        """Recompute the shown tab."""
        tab = self.tabs.currentWidget()
        if isinstance(tab, AnalysisTab) and self.state.project is not None:
            tab.refresh()

    def schedule_refresh(self) -> None:
        """Recompute soon (after a burst of edits), if the window is visible."""
        if self.isVisible():
            self._debounce.start()

    # ------------------------------------------------------------------ exports
    def export_dialog(self, tab: AnalysisTab, kind: str) -> None:
        """Ask where to write the tab's chart or table, then write it."""
        if kind == "chart":
            filters_text = "PNG image (*.png);;SVG image (*.svg)"
        else:
            filters_text = "Excel workbook (*.xlsx);;CSV table (*.csv)"
        path, chosen = QFileDialog.getSaveFileName(self, "Export", "", filters_text)
        if not path:
            return
        self.export_to(tab, export_path(path, chosen, kind), kind)

    def export_to(self, tab: AnalysisTab, dest: Path, what: str = "") -> None:
        """Write the tab's current view to ``dest`` (by suffix), pseudonymised and logged
        (``what``: "kwic" for the keyword-in-context lines of the Frequencies tab)."""
        from analysis.exports import sessions_quoted

        project = self.state.project
        kind, data, percent = tab.export_data(what)
        if project is None or data is None or not kind:
            self.say("Nothing to export yet.", error=True)
            return
        if (isinstance(data, Table) and not data.rows) or (isinstance(data, list) and not data):
            # an empty view wrote a file of headers only and said "Wrote …"
            note = getattr(data, "note", "") or "The view is empty."
            self.say(f"Nothing to export: {note[:1].lower()}{note[1:]}", error=True)
            return
        sessions: list[str] = []
        if kind == "kwic" and not getattr(tab, "kwic_consented_shown", False):
            # keywords in context quote what participants said: asked as a transcript export
            # is (a refusal of quotation went out in the lines without a word)
            sessions = sorted(sessions_quoted(kind, data))
            way_out = "tick “Only consented” beside the word"
            if not confirm_consent(self, project, sessions, "export", "Export", leave_out=way_out):
                return
        elif kind == "words":  # a word list lists what they said, one word at a time
            sessions = sorted(sessions_quoted(kind, data))
            if not confirm_consent(self, project, sessions, "export", "Export", leave_out=""):
                return
        self.say(f"Exporting {dest.name}…")

        def job(_ctx: Any) -> tuple[Path, str]:
            return _export(project, kind, data, dest, percent), nobody_note(project, sessions)

        def done(result: tuple[Path, str]) -> None:
            path, unknown = result
            self.last_export = path
            self.say(f"Wrote {path}.{unknown}")

        def failed(exc: BaseException) -> None:
            self.say(f"Could not export {dest.name}: {exc}", error=True)

        self.runner.submit("analysis export", job, on_done=done, on_error=failed)


def export_path(path: str, chosen_filter: str, kind: str) -> Path:
    """The file to write for a save dialog's answer: a name whose suffix the kind cannot be
    written as ("matrix.txt" for a table) gets the chosen filter's suffix ("matrix.txt.csv")."""
    from analysis.charts import CHART_SUFFIXES
    from analysis.exports import TABLE_SUFFIXES

    dest = Path(path)
    allowed = CHART_SUFFIXES if kind == "chart" else TABLE_SUFFIXES
    if dest.suffix.lower() in allowed:
        return dest
    suffix = "." + chosen_filter.split("*.")[-1].rstrip(")").strip()
    if suffix not in allowed:
        suffix = allowed[0]
    return dest.with_name(dest.name + suffix)


def _facets(project: Project) -> Any:
    from analysis.filters import facets
    from analysis.matrix import column_choices

    return facets(project), column_choices(project)


def _export(project: Project, kind: str, data: Any, dest: Path, percent: str) -> Path:
    """Pseudonymise the labels of a computed result and write it (worker thread)."""
    from analysis.exports import export_scope, write_result
    from analysis.filters import Filters

    _, label = export_scope(project, Filters(), None)
    if kind in ("matrix", "cooccurrence", "frequencies"):
        data = data.relabelled(label)
    elif kind == "timeline":
        data = [t.relabelled(label) for t in data]
    # keyword-in-context lines come labelled as exports label (analysis.words)
    return write_result(project, kind, data, dest, percent=percent)
