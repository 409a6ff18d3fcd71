"""The window's chrome shared by its panels: menus, docks, status messages and error reports.

The window creates one ``WindowChrome`` for itself; controllers and panels receive it to add menu
actions and docks, to show a message in the status bar or an error, and as the parent of their
dialogs, so none of them needs the window class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QMenu,
    QMessageBox,
    QWidget,
)

from gui.menu_keys import keep_mnemonics
from gui.status_text import FitStatusBar
from storage import FieldScribeError


def bring_to_front(dock: QDockWidget) -> None:
    """Show a dock, in front of the docks it is tabbed with.

    ``QWidget.raise_`` does nothing to a widget that is already last among its siblings, and a
    tabbed dock only becomes the current tab on the z-order event a real raise sends: once the
    Search dock had been raised (the first start raises it) and the Retrieval tab was then
    clicked, Edit ▸ Find in project… and View ▸ Search left Search behind Retrieval, the cursor
    in its hidden query box. Lowering the dock first makes the raise a real one."""
    dock.show()
    dock.lower()
    dock.raise_()


def dock_view_action(dock: QDockWidget, text: str | None = None) -> QAction:
    """The View menu's entry for a dock (``text``: its full name, else its title): it brings
    the dock to the front, from behind the dock it is tabbed with too (Qt's own toggle hid a
    dock that was only behind another, so "View ▸ Session details" made it disappear); a dock
    already in front is hidden."""
    action = QAction(text or dock.windowTitle(), dock)
    action.setCheckable(True)
    action.setChecked(not dock.isHidden())

    def follow(_visible: bool) -> None:
        action.setChecked(not dock.isHidden())

    def triggered(_checked: bool) -> None:
        if not dock.isHidden() and not dock.visibleRegion().isEmpty():
            dock.hide()  # in front: the entry hides it
        else:
            bring_to_front(dock)
        action.setChecked(not dock.isHidden())

    dock.visibilityChanged.connect(follow)
    action.triggered.connect(triggered)
    return action


def dock_in_focus(window: QMainWindow) -> QDockWidget | None:
    """The dock of ``window`` (docked or floating) that holds the keyboard focus, if any."""
    widget = QApplication.focusWidget()
    while widget is not None:
        if isinstance(widget, QDockWidget) and widget.parentWidget() is window:
            return widget
        widget = widget.parentWidget()
    return None


#: what View ▸ Float or dock the pane in focus says with the focus in no pane
NO_PANE = "Put the cursor in a pane first (F6 goes from pane to pane), then float or dock it."


def float_or_dock(window: QMainWindow) -> str:
    """View ▸ Float or dock the pane in focus: the pane holding the keyboard becomes a window
    of its own, or goes back into the main window, the keyboard staying in it (its title
    bar's buttons were for the mouse alone). Returns what is said in the status bar."""
    dock = dock_in_focus(window)
    if dock is None:
        return NO_PANE
    focused = QApplication.focusWidget()
    dock.setFloating(not dock.isFloating())
    dock.show()
    (dock if dock.isFloating() else window).activateWindow()
    if focused is not None:
        focused.setFocus(Qt.FocusReason.ShortcutFocusReason)
    name = dock.windowTitle()
    if dock.isFloating():
        return f"{name} is a window of its own now; the same key docks it again."
    return f"{name} is back in the main window."


#: what a project's entry says when its key is pressed with no project open
NO_PROJECT = "Open a project first: File ▸ Open project…, New project… or Open the demo project."


class WindowChrome:
    """Menus, docks, status bar and error boxes of a ``QMainWindow``."""

    def __init__(self, window: QMainWindow) -> None:
        self.window = window  # also the parent of dialogs
        # messages made to fit (a long path cut off the advice after it), whole on hover
        window.setStatusBar(FitStatusBar(window))
        self.menus: dict[str, QMenu] = {}
        self.last_error = ""

    def menu(self, title: str) -> QMenu:
        """The top-level menu with this title (created if new)."""
        if title not in self.menus:
            self.menus[title] = self.window.menuBar().addMenu(title)
            keep_mnemonics(self.menus[title])  # each item's underlined letter, as it opens
        return self.menus[title]

    def add_menu_action(
        self,
        menu: str,
        text: str,
        slot: Callable[[], Any],
        shortcut: str | QKeySequence | QKeySequence.StandardKey | None = None,
    ) -> QAction:
        """Add an action to a menu."""
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        owner = self.menu(menu)

        def run(_checked: bool = False) -> None:
            # its menu greyed out (no project open: the start page), its key still reached it
            # and nothing happened (Ctrl+Shift+R, Ctrl+J, Ctrl+R on the start page)
            if not owner.menuAction().isEnabled():
                self.message(NO_PROJECT, 6000)
                return
            slot()

        action.triggered.connect(run)
        owner.addAction(action)
        self.window.addAction(action)
        return action

    def add_dock(
        self,
        widget: QWidget,
        title: str,
        area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea,
        *,
        tabify_with: QDockWidget | None = None,
        name: str | None = None,
    ) -> QDockWidget:
        """Host a panel in a dock (listed in the View menu once there is one). ``title`` is
        its title bar's and its tab's label; ``name``, where that is short, the panel's full
        name (the View menu's entry, and the layout remembered under it)."""
        dock = QDockWidget(title, self.window)
        dock.setObjectName((name or title).replace(" ", "_"))
        dock.setWidget(widget)
        self.window.addDockWidget(area, dock)
        if tabify_with is not None:
            self.window.tabifyDockWidget(tabify_with, dock)
        if "View" in self.menus:
            self.menus["View"].addAction(dock_view_action(dock, name))
        return dock

    def remove_dock(self, dock: QDockWidget) -> None:
        """Take a dock out of the window and delete it (with its panel)."""
        self.window.removeDockWidget(dock)
        dock.deleteLater()

    def message(self, text: str, timeout_ms: int = 0) -> None:
        """Show a message in the status bar (for ``timeout_ms``; 0 until the next one)."""
        self.window.statusBar().showMessage(text, timeout_ms)

    def clear_message(self) -> None:
        """Take the status bar's message away (what it said belonged to a closed project)."""
        self.window.statusBar().clearMessage()

    def show_error(self, exc: BaseException | str) -> None:
        """Tell the user, without blocking: status bar and a window-modal message box."""
        text = str(exc)
        expected = isinstance(exc, FieldScribeError | str)
        self.last_error = text
        self.message(text, 8000)
        self._box(
            QMessageBox.Icon.Warning if expected else QMessageBox.Icon.Critical,
            "FieldScribe" if expected else "FieldScribe: unexpected error",
            text if expected else f"{type(exc).__name__}: {text}",
        )

    def report(self, text: str) -> QMessageBox:
        """Tell what long work did: its first line in the status bar, the whole in a
        window-modal box that does not block."""
        self.message(text.splitlines()[0], 10000)
        return self._box(QMessageBox.Icon.Information, "FieldScribe", text)

    def _box(self, icon: QMessageBox.Icon, title: str, text: str) -> QMessageBox:
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self.window)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        fit_lines(box, text)  # once shown: a message box sizes its wrapped text as it shows
        return box


#: the height Show Details adds to a message box (Qt's details pane is 100 px and its frame)
DETAILS_PX = 130


def fit_lines(box: QMessageBox, text: str) -> None:
    """Keep ``box`` on the screen: a text taller than the screen (an import's report listing 40
    pictures it could not take made a box 2,076 px tall on a 768 px laptop, its OK button off
    the screen) shows the lines that fit and "… N more lines", the whole text under Show
    Details (scrolls)."""
    screen = box.screen() or QGuiApplication.primaryScreen()
    room = (screen.availableGeometry().height() if screen is not None else 600) * 0.9
    lines = text.splitlines()
    if box.frameGeometry().height() <= room or len(lines) < 2:
        return
    box.setDetailedText(text)
    for keep in range(len(lines) - 1, 0, -1):
        box.setText(_first_lines(lines, keep))
        if box.frameGeometry().height() + DETAILS_PX <= room:
            break
    if screen is not None:  # on the screen, over its window, with room for its details
        area, frame = screen.availableGeometry(), box.frameGeometry()
        over = box.parentWidget()
        frame.moveCenter(over.frameGeometry().center() if over is not None else area.center())
        bottom = area.bottom() - frame.height() - DETAILS_PX
        frame.moveTop(max(area.top(), min(frame.top(), bottom)))
        box.move(frame.topLeft())


def _first_lines(lines: list[str], keep: int) -> str:
    rest = len(lines) - keep
    more = "line" if rest == 1 else "lines"
    return "\n".join([*lines[:keep], f"… {rest} more {more}: Show Details… has them all."])
