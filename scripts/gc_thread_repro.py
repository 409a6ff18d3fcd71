"""Reproduction (not a test): a reference cycle freed by a worker thread's garbage collection
deletes the Qt objects Python owns in that worker thread.

Run: ``QT_QPA_PLATFORM=offscreen python -X faulthandler scripts/gc_thread_repro.py MODE``

- ``where``: in which thread the C++ destructor of a parentless object, held only by a
  reference cycle, runs when a worker's ``gc.collect()`` frees it. Shiboken moves the delete
  of Qt's own QWidget classes to the GUI thread; a Python subclass (every window, dialog and
  panel of an app) and a non-widget object are deleted in the worker.
- ``window``: five parentless windows of a Python class (a list view each) in cycles,
  collected by a worker while the GUI thread paints: segfault (3 runs of 3 on PySide6 6.12).
- ``hang``: the same with the GUI thread waiting for the worker: ~QWidget closes its native
  window and waits for the GUI thread, which waits for the worker (stacks dumped after 8 s).
- ``timer``: a running parentless QTimer in a cycle, collected by a worker: segfault.
- ``auto``: automatic collection on; a worker makes garbage until a collection falls due, in
  the worker, while the GUI thread paints five such windows: segfault.
- ``policy``: ``auto`` with ``gui.heap.collect_in_gui_thread()`` (the app's): survives.
"""

from __future__ import annotations

import faulthandler
import gc
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QDialog, QListView, QMenu, QWidget
from shiboken6 import Shiboken

import gui  # noqa: F401 - the binding work-around (gui/qtcompat.py), as in the app


class Window(QWidget):
    """A window of a Python class, as an app's are: a list of 200 rows."""

    def __init__(self) -> None:
        super().__init__()
        self.model = QStandardItemModel(self)
        for row in range(200):
            self.model.appendRow(QStandardItem(f"row {row}"))
        self.view = QListView(self)
        self.view.setModel(self.model)
        self.me = self  # a reference cycle: only the cyclic collector frees it


def collect_in(name: str) -> threading.Thread:
    worker = threading.Thread(target=gc.collect, name=name)
    worker.start()
    return worker


def where() -> None:
    class SubWidget(QWidget):
        pass

    class SubMenu(QMenu):
        pass

    class SubDialog(QDialog):
        pass

    for cls in (QWidget, QMenu, QDialog, QTimer, SubWidget, SubMenu, SubDialog):
        gone_in: list[str] = []

        def record(*_: object, into: list[str] = gone_in) -> None:
            into.append(threading.current_thread().name)

        obj = cls()
        obj.me = obj
        obj.destroyed.connect(record, Qt.ConnectionType.DirectConnection)
        del obj
        collect_in("worker").join()
        QApplication.processEvents()  # runs a delete Shiboken moved to the GUI thread
        print(f"{cls.__name__:10s} deleted in: {gone_in}")


def windows(paint: bool) -> None:
    made = [Window() for _ in range(5)]
    for window in made:
        window.show()
    QApplication.processEvents()
    views = [window.view for window in made]
    del made, window
    worker = collect_in("worker")
    end = time.monotonic() + 1
    while paint and time.monotonic() < end:
        for view in views:
            if Shiboken.isValid(view):
                view.viewport().repaint()
        QApplication.processEvents()
    worker.join()
    print("survived")


def timer() -> None:
    running = QTimer()
    running.me = running
    running.start(5)
    del running
    worker = collect_in("worker")
    end = time.monotonic() + 0.5
    while time.monotonic() < end:
        QApplication.processEvents()
    worker.join()
    print("survived")


def allocating(cycles: int) -> None:
    """Windows in cycles, then a worker makes garbage until a collection falls due, while the
    GUI thread paints."""
    made = [Window() for _ in range(5)]
    for window in made:
        window.show()
    QApplication.processEvents()
    views = [window.view for window in made]
    del made, window

    def work() -> None:
        for _ in range(cycles):
            cycle: list[object] = []
            cycle.append(cycle)

    worker = threading.Thread(target=work, name="worker")
    worker.start()
    end = time.monotonic() + 1.5
    while time.monotonic() < end:
        for view in views:
            if not Shiboken.isValid(view):
                continue
            view.viewport().repaint()
        QApplication.processEvents()
    worker.join()
    print("survived")


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "where"
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    gc.disable()  # only the worker's collection below runs
    faulthandler.dump_traceback_later(8, exit=True)
    if mode == "where":
        where()
    elif mode == "window":
        windows(paint=True)
    elif mode == "hang":
        windows(paint=False)
    elif mode == "timer":
        timer()
    elif mode in ("auto", "policy"):
        gc.enable()  # the automatic collection, as in any Python program
        if mode == "policy":
            from gui.heap import collect_in_gui_thread

            collect_in_gui_thread()
        allocating(5_000)
    faulthandler.cancel_dump_traceback_later()


if __name__ == "__main__":
    main()
