"""Application start-up (placeholder main window until the workbench lands)."""

from __future__ import annotations

import sys


def run_app(argv: list[str]) -> int:
    """Start the Qt application and show the main window."""
    from PySide6.QtWidgets import QApplication, QListWidget, QMainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("FieldScribe")
    window.setCentralWidget(QListWidget())
    window.resize(900, 600)
    window.show()
    return int(app.exec())
