"""The harness of tests/gui/test_gui_every_control.py: the demo project open in the main window
in the state a user works in (its session shown, a segment and a code selected), every blocking
dialog answered and recorded, and every control of the GUI found by a name that stays put."""

from __future__ import annotations

import shutil
import sqlite3
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QColorDialog,
    QDialog,
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMenuBar,
    QMessageBox,
    QPushButton,
    QTabBar,
    QToolButton,
    QWidget,
)

from gui.ask_dialog import AskDialog
from gui.demo import add_demo_examples, open_or_create_demo
from storage import Project, SegmentDraft
from tests.gui.modal_guard import answer_menus
from tests.gui.test_demo_examples import HEARD

Answer = Callable[[Any], Any]

#: Qt's own small buttons (tab-bar scrolling, a line edit's clear button, the menu bar's »)
_QT_PARTS = (QTabBar, QLineEdit, QMenuBar)
#: containers that name no place of their own
_GENERIC = {
    "QWidget",
    "QFrame",
    "QScrollArea",
    "QStackedWidget",
    "QTabWidget",
    "QSplitter",
    "QDialogButtonBox",
    "QGroupBox",
}


def demo_template(folder: Path) -> Path:
    """The demo project as it is once transcribed (what Whisper wrote) with its examples."""
    project, created = open_or_create_demo("amina", folder=folder)
    assert created
    sid = project.sessions.all()[0].id
    project.transcript.add_segments(sid, [SegmentDraft(a, b, t) for a, b, t in HEARD])
    assert add_demo_examples(project, sid) == 9
    project.close()
    return folder


@dataclass
class Harness:
    """The demo open in the window, and what the dialogs were asked and answered."""

    window: Any
    qtbot: Any
    idle: Callable[..., None]
    tmp: Path
    #: the control being checked; the test's monkeypatch
    current: str = ""
    monkeypatch: Any = None
    #: blocking dialogs shown (``exec``), their answer by class name (default: Cancel)
    dialogs: list[QDialog] = field(default_factory=list)
    dialog_answers: dict[str, Answer] = field(default_factory=dict)
    #: QMessageBox.question/warning/... : (kind, title, text); the answer given
    boxes: list[tuple[str, str, str]] = field(default_factory=list)
    box_answer: Any = QMessageBox.StandardButton.Cancel
    #: file dialogs: (kind, caption, filter); the path given ("" is Cancel)
    files: list[tuple[str, str, str]] = field(default_factory=list)
    file_answer: Callable[[str, str], str] = lambda _caption, _filter: ""
    #: AskDialog and QInputDialog: (kind, title, items offered); the answer given (None: Cancel)
    inputs: list[tuple[str, str, list[str]]] = field(default_factory=list)
    input_answer: Callable[[str, list[str]], Any] = lambda _title, _items: None
    colours: list[str] = field(default_factory=list)
    #: the player was asked to play (offscreen there is no audio device to hear it)
    played: list[int] = field(default_factory=list)

    @property
    def project(self) -> Project:
        return self.window.project  # type: ignore[no-any-return]

    @property
    def sid(self) -> str:
        return self.project.sessions.all()[0].id

    def segment(self) -> Any:
        """The selected segment."""
        row, model = self.window.transcript.currentIndex().row(), self.window.segment_model
        return model.segment(row) if 0 <= row < model.rowCount() else None

    def message(self) -> str:
        return str(self.window.statusBar().currentMessage())

    def wait(self) -> None:
        QApplication.processEvents()
        self.idle(self.window)

    def select(self, row: int = 2, code: str | None = "Trust and privacy") -> None:
        """The demo's session shown, its segment ``row`` selected, ``code`` current."""
        w = self.window
        if w.session is None or w.session.id != self.sid:
            w.sessions.open_session(self.sid)
            self.wait()
        self.qtbot.waitUntil(lambda: w.segment_model.rowCount() > row)
        w.transcript.setCurrentIndex(w.segment_model.index(row, 0))
        if code is not None:
            found = self.project.codebook.find_code(code)
            assert found is not None
            w.codebook.select_code(found.id)
        self.wait()

    def select_words(self, words: str) -> None:
        """Select ``words`` in the segment editor (the selected segment's text)."""
        editor = self.window.segment_editor
        start = editor.toPlainText().index(words)
        editor.select_cp(start, start + len(words))

    def accept(self, cls: str, fill: Callable[[Any], Any] = lambda _d: None) -> None:
        """Answer the next ``cls`` dialog: ``fill`` it, then OK (its own ``accept``)."""

        def answer(dialog: Any) -> int:
            fill(dialog)
            dialog.accept()
            return int(dialog.result())

        self.dialog_answers[cls] = answer

    def dialog(self, cls: str) -> QDialog:
        """The last blocking dialog of class ``cls`` shown."""
        found = [d for d in self.dialogs if type(d).__name__ == cls]
        assert found, f"no {cls} shown; shown: {[type(d).__name__ for d in self.dialogs]}"
        return found[-1]

    def window_of(self, cls: str) -> QWidget:
        """The visible top-level window of class ``cls`` (a dialog that does not block)."""
        self.wait()
        tops = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        found = [w for w in tops if type(w).__name__ == cls]
        assert found, f"no {cls} shown; shown: {[type(w).__name__ for w in tops]}"
        return found[-1]

    def dock(self, title: str) -> QWidget:
        """The panel of the dock ``title``, which must be in front."""
        self.wait()
        for dock in self.window.findChildren(QDockWidget):
            if dock_name(dock) == title:
                assert dock.isVisible() and not dock.visibleRegion().isEmpty(), title
                return dock.widget()  # type: ignore[no-any-return]
        raise AssertionError(f"no dock {title}")

    def saving_to(self, name: str) -> Path:
        """The next save dialog answers ``tmp/out/name``."""
        out = self.tmp / "out"
        out.mkdir(exist_ok=True)
        path = out / name
        self.file_answer = lambda _c, _f: str(path)
        return path

    def patch(self, monkeypatch: Any) -> None:
        h = self

        def exec_(dialog: QDialog) -> int:
            h.dialogs.append(dialog)
            answer = h.dialog_answers.get(type(dialog).__name__)
            result = int(answer(dialog)) if answer is not None else 0
            if not result and isinstance(dialog, QDialog) and not isinstance(dialog, QMessageBox):
                dialog.reject()  # closed as a user closes it (its done() runs)
            return result

        def box(kind: str) -> Callable[..., Any]:
            def ask(_parent: Any, title: str, text: str, *_a: Any, **_k: Any) -> Any:
                h.boxes.append((kind, title, text))
                return h.box_answer

            return staticmethod(ask)

        def file(kind: str, many: bool = False) -> Callable[..., Any]:
            def ask(_parent: Any, caption: str = "", _dir: str = "", filt: str = "", *_a: Any,
                    **_k: Any) -> Any:  # fmt: skip
                h.files.append((kind, caption, filt))
                path = h.file_answer(caption, filt)
                if kind == "dir":
                    return path
                if many:
                    return ([path] if path else [], filt)
                return (path, filt.split(";;")[0] if path else "")

            return staticmethod(ask)

        def text(_parent: Any, title: str, *_a: Any, **_k: Any) -> Any:
            h.inputs.append(("text", title, []))
            answer = h.input_answer(title, [])
            return ("", False) if answer is None else (answer, True)

        def ask(_parent: Any, title: str, _label: str, _text: str = "", *,
                items: Any = None, **_k: Any) -> Any:  # fmt: skip
            if items is None:  # a line of text
                return text(_parent, title)
            h.inputs.append(("item", title, list(items)))
            answer = h.input_answer(title, list(items))
            return ("", False) if answer is None else (answer, True)

        def colour(*_a: Any, **_k: Any) -> QColor:
            h.colours.append("asked")
            return QColor("#123456")

        player = h.window.player._player
        monkeypatch.setattr(player, "play", lambda: h.played.append(h.window.player.position()))
        monkeypatch.setattr(QDialog, "exec", exec_)
        monkeypatch.setattr(QMessageBox, "exec", exec_)
        for kind in ("question", "warning", "information", "critical"):
            monkeypatch.setattr(QMessageBox, kind, box(kind))
        monkeypatch.setattr(QFileDialog, "getSaveFileName", file("save"))
        monkeypatch.setattr(QFileDialog, "getOpenFileName", file("open"))
        monkeypatch.setattr(QFileDialog, "getOpenFileNames", file("open", many=True))
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", file("dir"))
        monkeypatch.setattr(AskDialog, "ask", staticmethod(ask))
        monkeypatch.setattr(QInputDialog, "getInt", staticmethod(text))
        monkeypatch.setattr(QColorDialog, "getColor", staticmethod(colour))
        # a menu's exec (a context menu): taken as shown, nothing chosen
        answer_menus(monkeypatch, lambda menu: h.dialogs.append(menu))


def _peaks_known(template: Path, folder: Path) -> None:
    """The waveform's peaks of the copy's audio in the (test's own) peaks cache, as after the
    project's first opening: the same audio was decoded once for the template, not again for
    each of the table's rows (about 0.6 s each on a loaded 2-core machine)."""
    from gui.waveform import _cache_key, cache_dir, compute_peaks

    made = template.parent / "peaks"
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    for media in sorted((folder / "media").iterdir()):
        original = template / "media" / media.name
        known = made / f"{_cache_key(original)}.f32"
        if not known.is_file():
            compute_peaks(original, cache=made)
        shutil.copyfile(known, cache / f"{_cache_key(media)}.f32")


def open_demo_window(
    template: Path, tmp: Path, qtbot: Any, qsettings: Any, transcriber: Any, idle: Any
) -> Iterator[Harness]:
    from PySide6.QtWidgets import QApplication

    from gui.main_window import MainWindow

    before = set(QApplication.topLevelWidgets())
    folder = tmp / "Demo.fieldscribe"
    shutil.copytree(template, folder)
    _peaks_known(template, folder)
    qsettings.setValue("transcribe_after_import", "false")
    qsettings.setValue("coder", "amina")
    w = MainWindow(transcriber=transcriber, settings=qsettings)
    qtbot.addWidget(w)
    w.show()  # then the project opens, as the app does (File ▸ Open, a recent project)
    assert w.projects.open_project(folder)
    idle(w)
    harness = Harness(w, qtbot, idle, tmp)
    yield harness
    w.runner.cancel_all()
    # a recording a control started asks, as the window closes, whether to stop and save it:
    # Save, as a user ending the day (the usual Cancel goes on recording, with the window
    # open and the recording written on into the next tests)
    harness.box_answer = QMessageBox.StandardButton.Save
    w.close()
    assert not w.isVisible(), "the main window stayed open"
    # the windows a control opened (Analysis, Settings, memos...) go too: left open, their
    # timers ran in later tests of the same worker
    for widget in set(QApplication.topLevelWidgets()) - before:
        if widget.isVisible():
            widget.close()


# ---------------------------------------------------------------------- finding controls
def _key_text(text: str) -> str:
    text = text.replace("&", "")
    if text.startswith("Pinned code "):
        return text.split(":")[0]
    if text.startswith(("Undo", "Redo")):  # "Undo Change text": the edit it undoes
        return text[:4]
    if text.startswith("Compare:"):
        return "Compare: …"
    return text


def menu_actions(menu: QMenu, prefix: str) -> Iterator[tuple[str, QAction]]:
    for action in menu.actions():
        if action.isSeparator():
            continue
        name = f"{prefix} ▸ {_key_text(action.text())}"
        sub = action.menu()
        if isinstance(sub, QMenu) and action.text().replace("&", "") == "Open recent":
            yield name, action  # filled with the recent projects as it opens
        elif isinstance(sub, QMenu):
            yield from menu_actions(sub, name)
        else:
            yield name, action


def dock_name(dock: QDockWidget) -> str:
    """A dock's full name, as the View menu says it ("Session details", whose tab reads
    "Details")."""
    return dock.objectName().replace("_", " ") or dock.windowTitle()


def _place(button: QWidget, top: QWidget) -> str:
    """Where a button is: its dock or window, and the panel part holding it."""
    area, part = "", ""
    widget = button.parentWidget()
    while widget is not None:
        cls = type(widget).__name__
        if isinstance(widget, QDockWidget):
            area = dock_name(widget)
            break
        if widget is top or widget.isWindow():
            main = type(widget).__name__ == "MainWindow"
            area = "Main window" if main else widget.windowTitle().split(" — ")[0]
            break
        if not part and cls not in _GENERIC:
            part = cls
        widget = widget.parentWidget()
    return f"{area} ▸ {part}" if part else area


def buttons(top: QWidget) -> Iterator[tuple[str, QAbstractButton]]:
    """The push and tool buttons in ``top`` (and the actions of their menus)."""
    for button in top.findChildren(QAbstractButton):
        if not isinstance(button, QPushButton | QToolButton):
            continue
        if isinstance(button.parentWidget(), _QT_PARTS):
            continue
        label = _key_text(button.text() or button.toolTip())
        name = f"{_place(button, top)} ▸ {label}"
        yield name, button
        menu = button.menu()
        if isinstance(menu, QMenu):
            yield from menu_actions(menu, name)  # type: ignore[misc]


def all_controls(h: Harness) -> dict[str, QAction | QAbstractButton]:
    """Every control a user can reach: the menus, the sessions list's and the codebook's
    context menus, the buttons of the window, of every panel opened from the menus, of the
    Analysis window, the merge conflicts window and the two settings dialogs."""
    w = h.window
    found: dict[str, QAction | QAbstractButton] = {}

    def add(pairs: Iterator[tuple[str, Any]]) -> None:
        for name, control in pairs:
            same = control.defaultAction() if isinstance(control, QToolButton) else control
            if any(known in (control, same) for known in found.values()):
                continue  # a menu's action also in a context menu, a tool button's action
            assert name not in found or found[name] is control, f"two controls named {name}"
            found[name] = control

    for top in w.menuBar().actions():
        add(menu_actions(top.menu(), _key_text(top.text())))
    add((f"Sessions list ▸ {a.text()}", a) for a in w.sessions_view.actions())
    add((f"Transcript menu ▸ {a.text()}", a) for a in w.transcript.actions())
    codebook = w.codebook
    add(
        (f"Codebook menu ▸ {a.text()}", a)
        for a in [*codebook.actions(), codebook.act_expand_all, codebook.act_collapse_all]
    )
    for path in (
        ("View", "Session details"),
        ("View", "Retrieval"),
        ("Record", "Record a session…"),
        ("Speakers", "Speakers of this session"),
        ("Ethics", "Consent"),
        ("Team", "Inter-coder agreement"),
        ("Team", "Disagreements"),
        ("View", "Analysis…"),
        ("Team", "Resolve merge conflicts…"),
        ("File", "Settings…"),
        ("File", "Project settings (languages, model)…"),
        ("Team", "Export a bundle…"),
        ("Team", "Project lead…"),
    ):
        found[" ▸ ".join(path)].trigger()
        h.wait()
    add(buttons(w))
    for cls in ("AnalysisWindow", "ConflictDialog"):
        add(buttons(h.window_of(cls)))
    add(buttons(h.dialog("SettingsDialog")))
    for cls in ("LanguagesDialog", "BundleExportDialog", "LeadDialog"):
        add(buttons(h.dialog(cls)))
    return found


def observe(h: Harness) -> Callable[[], list[str]]:
    """What a user can see now; the returned call lists what changed since."""
    import hashlib
    import sqlite3

    w = h.window

    def look() -> dict[str, Any]:
        db: dict[str, str] = {}
        if w.project is not None:
            with sqlite3.connect(w.project.folder / "project.db") as con:
                for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'"):
                    rows = repr(con.execute(f"SELECT * FROM [{table}]").fetchall())
                    db[table] = hashlib.md5(rows.encode()).hexdigest()
        docks = {
            d.windowTitle(): d.isVisible() and not d.visibleRegion().isEmpty()
            for d in w.findChildren(QDockWidget)
        }
        tops = sorted(type(t).__name__ for t in QApplication.topLevelWidgets() if t.isVisible())
        return {
            "message": w.statusBar().currentMessage(),
            "error": w.chrome.last_error,
            "asked": (len(h.dialogs), len(h.boxes), len(h.files), len(h.inputs)),
            "docks": docks,
            "windows": tops,
            "focus": type(QApplication.focusWidget()).__name__,
            "player": (w.player.position(), w.player.speed()),
            "project": None if w.project is None else str(w.project.folder),
            "db": db,
            "checked": [a.isChecked() for a in w.findChildren(QAction) if a.isCheckable()],
            "editor": w.segment_editor.toPlainText(),
            "playing": list(h.played),
            "labels": [
                label.text()
                for top in QApplication.topLevelWidgets()
                if top.isVisible()
                for label in top.findChildren(QLabel)
                if label.isVisible()
            ],
            "expanded": [
                w.codebook.tree.isExpanded(w.codebook.model.index(r, 0))
                for r in range(w.codebook.model.rowCount())
            ],
        }

    before = look()

    def changed() -> list[str]:
        after = look()
        return [key for key in before if before[key] != after[key]]

    return changed


# ---------------------------------------------------------------------- the table
YES = QMessageBox.StandardButton.Yes
Check = Callable[[Harness], None]
#: control name -> (what a user sees, the check)
CONTROLS: dict[str, tuple[str, Check]] = {}


def control(*names: str, effect: str) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        for name in names:
            assert name not in CONTROLS, name
            CONTROLS[name] = (effect, check)
        return check

    return register


def trigger(h: Harness, name: str) -> None:
    """Trigger the control ``name`` (a menu entry, or a button of a panel already open)."""
    found = dict(menu_actions_of(h))
    if name not in found:
        tops = [h.window, *QApplication.topLevelWidgets(), *h.dialogs]
        for top in tops:
            found.update(buttons(top))
    assert name in found, f"{name} not found"
    target = found[name]
    assert target.isEnabled(), f"{name} is greyed out"
    menu = target.menu() if isinstance(target, QAbstractButton) else None
    if isinstance(target, QAbstractButton) and menu is not None:
        target.click()  # its menu pops up: taken as shown, then closed
        if menu.isVisible():
            h.dialogs.append(menu)  # type: ignore[arg-type]
            menu.close()
    elif isinstance(target, QAbstractButton):
        target.click()
    else:
        target.trigger()
    h.wait()


def menu_actions_of(h: Harness) -> Iterator[tuple[str, Any]]:
    for top in h.window.menuBar().actions():
        yield from menu_actions(top.menu(), top.text().replace("&", ""))
    yield from ((f"Sessions list ▸ {a.text()}", a) for a in h.window.sessions_view.actions())
    codebook = h.window.codebook
    for a in [*codebook.actions(), codebook.act_expand_all, codebook.act_collapse_all]:
        yield f"Codebook menu ▸ {a.text()}", a


def rows(h: Harness, sql: str, *args: Any) -> list[Any]:
    """Read the project's database as another program would (what was committed)."""
    with sqlite3.connect(h.project.folder / "project.db") as db:
        return db.execute(sql, args).fetchall()


def codings(h: Harness) -> int:
    return len(h.project.codebook.codings())


def zipped(path: Path, member: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(member).decode("utf-8")


def export_answers(h: Harness, name: str) -> Path:
    """The options dialog accepted, consent answered Yes, the file saved as ``name``."""
    h.dialog_answers["ExportOptionsDialog"] = lambda _d: 1
    h.box_answer = YES
    return h.saving_to(name)


def written(h: Harness, path: Path) -> None:
    h.qtbot.waitUntil(path.is_file)
    h.wait()
    assert path.stat().st_size > 0
