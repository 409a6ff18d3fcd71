"""The remembered layout at the next start, and View ▸ Reset layout: they look like a first start.

Qt retires the tab bars of a replaced dock layout with ``deleteLater()`` and leaves them shown;
the checks read the window right after it opened (``processEvents``, no event loop that would
delete them), as a walkthrough script that drives the window does.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QTabBar

from storage import Project, SegmentDraft

TEXTS = ["Bribes for small things are normal here.", "Nobody trusts the portal."]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "Study.fieldscribe"
    with Project.create(path, name="Study", coder="coder-a") as p:
        s = p.sessions.add_session("Coded", "interview")
        p.transcript.add_segments(
            s.id, [SegmentDraft(i * 3000, i * 3000 + 2500, t) for i, t in enumerate(TEXTS)]
        )
    return path


def start(qtbot: Any, settings: QSettings, folder: Path) -> Any:
    """The app's start: the window, then the project opened from the start page."""
    from gui.main_window import MainWindow

    settings.setValue("transcribe_after_import", "false")
    settings.setValue("coder_name", "coder-a")
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.show()
    assert w.projects.open_project(folder), w.last_error
    settle(w)
    return w


def settle(w: Any, timeout: float = 30) -> None:
    """Background work done and its results shown, by ``processEvents`` only (an event loop,
    such as ``qtbot.wait``'s, would delete what Qt left for deletion)."""
    start, end = time.monotonic(), time.monotonic() + timeout
    while w.runner.busy() or time.monotonic() < start + 0.2:
        assert time.monotonic() < end, "background work did not end"
        QApplication.processEvents()
        time.sleep(0.005)


def seen_tab_bars(w: Any) -> list[tuple[str, ...]]:
    """The tab bars one sees in the window (Qt parks the unused ones outside it)."""
    bars = [
        b
        for b in w.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
        if b.isVisible() and b.count() and w.rect().intersects(b.geometry())
    ]
    return sorted(tuple(b.tabText(i) for i in range(b.count())) for b in bars)


def core_places(w: Any) -> dict[str, tuple[Qt.DockWidgetArea, list[str]]]:
    return {
        d.objectName(): (
            w.dockWidgetArea(d),
            sorted(t.objectName() for t in w.tabifiedDockWidgets(d)),
        )
        for d in (w.sessions_dock, w.codebook_dock, w.search_dock)
    }


def close(w: Any) -> None:
    w.runner.cancel_all()
    w.close()


@pytest.mark.parametrize("change", ["nothing", "panels and results"])
def test_the_next_start_looks_like_the_first(
    qtbot: Any, qsettings: QSettings, folder: Path, change: str
) -> None:
    first = start(qtbot, qsettings, folder)
    bars, places = seen_tab_bars(first), core_places(first)
    search_height = first.search_dock.height()
    assert bars == [("Search", "Retrieval"), ("Sessions", "Details")]
    if change != "nothing":
        first.extra_panels.show_privacy(1)
        first.extra_panels.show_agreement()
        # results made the bottom docks tall (as retrieved codings do)
        first.resizeDocks([first.search_dock], [200], Qt.Orientation.Vertical)
        settle(first)
    close(first)

    second = start(qtbot, qsettings, folder)
    assert any(k.startswith("layout/") for k in qsettings.allKeys())  # a layout was saved
    assert seen_tab_bars(second) == bars  # no stray "Sessions | Session details" bar
    assert core_places(second) == places
    # nothing is listed yet: the bottom docks are their query rows again, as at the first start
    assert abs(second.search_dock.height() - search_height) <= 30
    assert second.search_dock.height() <= 110
    assert all(d.height() > 150 for d in (second.sessions_dock, second.codebook_dock))
    close(second)


def test_reset_layout_is_the_first_start_again(
    qtbot: Any, qsettings: QSettings, folder: Path
) -> None:
    first = start(qtbot, qsettings, folder)
    bars, places = seen_tab_bars(first), core_places(first)
    close(first)

    w = start(qtbot, qsettings, folder)
    # the user tabbed the codebook behind Search and opened Ethics beside the sessions
    w.tabifyDockWidget(w.search_dock, w.codebook_dock)
    w.extra_panels.show_privacy(0)
    w.tabifyDockWidget(w.sessions_dock, w.extra_panels.docks["privacy"])
    settle(w)
    assert seen_tab_bars(w) != bars

    w.reset_layout()
    settle(w)
    assert seen_tab_bars(w) == bars
    assert core_places(w) == places
    assert not w.extra_panels.docks["privacy"].isVisible()
    assert w.codebook_dock.width() >= 200 and w.search_dock.height() <= 110
    assert all(
        d.isVisible() for d in w.findChildren(QDockWidget) if d in (w.sessions_dock, w.search_dock)
    )
    close(w)


def test_view_menu_brings_a_tabbed_dock_to_the_front_and_hides_it_when_in_front(
    window: Any, idle: Any
) -> None:
    """View ▸ Session details, behind Sessions, hid it (Qt's toggle); it now comes to the front."""
    from PySide6.QtWidgets import QApplication, QDockWidget

    docks = {d.windowTitle(): d for d in window.findChildren(QDockWidget)}
    details = docks["Details"]  # its tab's label; the View menu's entry names it whole
    docks["Sessions"].raise_()
    QApplication.processEvents()
    assert details.visibleRegion().isEmpty()  # behind Sessions
    [action] = [a for a in window.chrome.menus["View"].actions() if a.text() == "Session details"]
    action.trigger()
    QApplication.processEvents()
    assert not details.isHidden() and not details.visibleRegion().isEmpty()
    assert action.isChecked()
    action.trigger()  # in front: hidden
    QApplication.processEvents()
    assert details.isHidden() and not action.isChecked()
    action.trigger()
    QApplication.processEvents()
    assert not details.isHidden() and not details.visibleRegion().isEmpty()
