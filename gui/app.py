"""Application start-up: ``python main.py`` (start page), ``--demo``, ``--project DIR``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The GUI's own arguments."""
    parser = argparse.ArgumentParser(prog="fieldscribe", description="FieldScribe desktop app")
    parser.add_argument("--demo", action="store_true", help="open (or create) the demo project")
    parser.add_argument("--project", type=Path, help="open this project folder")
    return parser.parse_args(argv)


def configure(app: QCoreApplication) -> None:
    """Name the application, make its selection colour readable (``gui.contrast``) and give
    Qt's own text-box menus their underlined letters (``gui.text_menus``)."""
    from PySide6.QtWidgets import QApplication

    from gui.contrast import readable_palette
    from gui.text_menus import letter_text_box_menus

    app.setApplicationName("FieldScribe")
    app.setOrganizationName("FieldScribe")
    if isinstance(app, QApplication):
        app.setPalette(readable_palette(app.palette()))
        letter_text_box_menus(app)  # Qt's own text-box menus get their letters too


def run_app(argv: list[str]) -> int:
    """Start the Qt application and show the main window."""
    from PySide6.QtWidgets import QApplication

    from gui.heap import collect_in_gui_thread
    from gui.main_window import MainWindow
    from storage.core.tempdirs import sweep_stale

    args = parse_args(argv)
    sweep_stale()  # clear copies a killed FieldScribe left in the temporary folder
    app = QApplication.instance() or QApplication(sys.argv[:1])
    configure(app)
    # only the GUI thread frees reference cycles: a Qt object Python owns is deleted by the
    # thread that frees it, and a worker deleting a window crashed or hung (gui/heap.py)
    collect_in_gui_thread()
    window = MainWindow(warm_models=True)  # the first transcription finds its model loaded
    window.show()
    from gui.terminate import close_on_terminate

    restore = close_on_terminate(window.terminate, window)  # a logout closes as Quit does
    from gui.onboarding import first_start

    first_start(window.settings, window, window.projects.coder_changed)  # asked once
    if args.demo:
        window.projects.open_demo()
    elif args.project is not None:
        window.projects.open_project(args.project)
    try:
        return int(app.exec())
    finally:
        restore()
