"""The workbench window's own menus: File (projects, import, settings, close) and View (the
docks, pane cycling, Reset layout), the Sessions list's context actions and keys, and which of
them need an open project. The controllers build their menus themselves (Edit, Code, Transcription,
Team, ...); this is what the window adds around them. ``w`` is the window: the functions set the
actions on it (``w.act_import``, ``w.recent_menu``...), where its pages and tests find them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from gui.chrome import dock_view_action, float_or_dock
from gui.keyboard import KeysOf, PaneCycler
from gui.menu_keys import menu_name
from gui.shortcuts_help import show_shortcuts


def build_menus(w: Any) -> None:
    """The menu bar's File and View menus (each controller builds its own menu), and the
    sessions list's context actions and keys (F2 rename, Delete)."""
    a = w.chrome.add_menu_action
    file = w.chrome.menu("&File")
    projects = w.projects
    a("&File", "New project…", projects.new_project_dialog, QKeySequence.StandardKey.New)
    a("&File", "Open project…", projects.open_project_dialog, QKeySequence.StandardKey.Open)
    w.recent_menu = file.addMenu("Open recent")
    w.recent_menu.aboutToShow.connect(lambda: fill_recent(w))
    a("&File", "Open the demo project", projects.open_demo)
    a("&File", "New project from a team bundle…", w.team_actions.new_from_bundle_dialog)
    file.addSeparator()
    w.act_import = a("&File", "Import audio…", w.transcription.import_dialog, "Ctrl+I")
    w.act_locate_audio = a("&File", "Locate missing audio…", w.missing_audio.locate_dialog)
    w.act_deleted_sessions = a(
        "&File", "Deleted sessions…", w.sessions.edits.deleted_sessions_dialog
    )
    file.addSeparator()
    w.exchange.build_menu()
    file.addSeparator()
    a("&File", "Settings…", projects.settings_dialog)
    w.act_project_settings = a(
        "&File", "Project settings (languages, model)…", projects.project_settings_dialog
    )
    w.act_project_coder = a("&File", "Coder name for this project…", projects.project_coder_dialog)
    w.act_close = a("&File", "Close project", projects.close_project, "Ctrl+W")
    quit_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Quit)
    # the platform may give Quit no key (Qt's own on some Linux desktops): Ctrl+Q
    a("&File", "Quit", w.close).setShortcuts(quit_keys or [QKeySequence("Ctrl+Q")])
    w.editing.build_menus()
    w.act_undo, w.act_redo = w.editing.act_undo, w.editing.act_redo
    w.transcription.build_menu()
    w.act_transcribe = w.transcription.act_transcribe
    w.act_cancel_transcription = w.transcription.act_cancel_transcription
    menus = w.chrome.menus
    w.chrome.menu("&View")
    menus["View"] = menus["&View"]
    for dock in (w.sessions_dock, w.codebook_dock, w.search_dock):
        menus["View"].addAction(dock_view_action(dock))
    menus["View"].addSeparator()
    w.panes = PaneCycler(
        [w.sessions_view, w.transcript, w.codebook.tree, w.search_panel.query],
        w,
    )
    a("&View", "Next pane", w.panes.next, "F6")
    a("&View", "Previous pane", w.panes.previous, "Shift+F6")
    # the docks' float and close buttons are for the mouse: the pane in focus floats or
    # docks by key (Qt gives a floating pane the window's keys)
    w.act_float_pane = a(
        "&View",
        "Float or dock the pane in focus",
        lambda: w.chrome.message(float_or_dock(w), 8000),
        "Ctrl+Shift+F6",
    )
    a("&View", "Reset layout", w.reset_layout)
    menus["View"].addSeparator()
    w.sessions_view.addAction(w.act_transcribe)
    w.sessions_view.addAction(w.act_cancel_transcription)
    for text, slot in (
        ("Rename session… (F2)", w.sessions.edits.rename_session_dialog),
        ("Delete session… (Delete)", w.sessions.edits.delete_session_dialog),
        ("Deleted sessions…", w.sessions.edits.deleted_sessions_dialog),
    ):
        action = QAction(text, w.sessions_view)
        action.triggered.connect(lambda _c=False, f=slot: f())
        w.sessions_view.addAction(action)
    w.session_keys = KeysOf(
        w.sessions_view,
        {
            Qt.Key.Key_F2: w.sessions.edits.rename_session_dialog,
            Qt.Key.Key_Delete: w.sessions.edits.delete_session_dialog,
        },
    )


def build_help_menu(w: Any) -> None:
    """Help ▸ Keyboard shortcuts… (F1), the last menu (it lists the keys of all the others)."""
    w.act_shortcuts = w.chrome.add_menu_action(
        "&Help", "Keyboard shortcuts…", lambda: show_shortcuts(w), "F1"
    )


def fill_recent(w: Any) -> None:
    """File ▸ Open recent, as it opens."""
    w.recent_menu.clear()
    folders = w.settings.recent()
    for folder in folders:  # a folder's "&" shown as it is, not as an underlined letter
        # a folder is longer than a name: 100 characters (about 620 px), its middle cut
        item = w.recent_menu.addAction(menu_name(folder, keep_end=True, most=100))
        item.setStatusTip(folder)  # whole in the status bar
        item.triggered.connect(lambda _c=False, f=folder: w.projects.open_project(Path(f)))
    if not folders:  # an empty submenu opened onto nothing
        w.recent_menu.addAction("No recent projects yet").setEnabled(False)


def enable_project_menus(w: Any, enabled: bool) -> None:
    """Menus that need an open project are greyed out on the start page (no silent no-ops)."""
    w.act_import.setEnabled(enabled)
    w.act_locate_audio.setEnabled(enabled)
    w.act_deleted_sessions.setEnabled(enabled)
    w.act_close.setEnabled(enabled)
    w.act_project_settings.setEnabled(enabled)
    for action in w.exchange.project_actions:
        action.setEnabled(enabled)
    w.act_project_coder.setEnabled(enabled)
    for title, menu in w.chrome.menus.items():
        if title not in ("&File", "&Help"):
            menu.menuAction().setEnabled(enabled)
