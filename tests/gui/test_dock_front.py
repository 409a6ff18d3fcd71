"""Edit ▸ Find in project…, View ▸ Search and Retrieve segments bring their dock in front of
the one it is tabbed with, however the tabs were switched before.

``QWidget.raise_`` does nothing to a dock already last among the window's children, and a
tabbed dock becomes the current tab only on the z-order event a real raise sends: after the
Retrieval tab was clicked, Ctrl+F put the cursor in the Search box hidden behind Retrieval
(what was typed went nowhere in sight), and View ▸ Search did nothing at all."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDockWidget, QTabBar


def _tabs(window: Any) -> QTabBar:
    return next(
        t
        for t in window.findChildren(QTabBar)
        if {t.tabText(i) for i in range(t.count())} >= {"Search", "Retrieval"}
    )


def _click_tab(window: Any, qtbot: Any, title: str) -> None:
    tabs = _tabs(window)
    tabs.setCurrentIndex(next(i for i in range(tabs.count()) if tabs.tabText(i) == title))
    qtbot.wait(50)


def _in_front(window: Any, title: str) -> bool:
    dock = next(d for d in window.findChildren(QDockWidget) if d.windowTitle() == title)
    return dock.isVisible() and not dock.visibleRegion().isEmpty()


def _action(window: Any, menu: str, text: str) -> Any:
    for top in window.menuBar().actions():
        if top.text().replace("&", "") == menu:
            return next(a for a in top.menu().actions() if a.text().replace("&", "") == text)
    raise AssertionError(f"{menu} ▸ {text}")


def test_find_and_view_search_bring_the_search_dock_in_front(
    window: Any, qtbot: Any, idle: Any
) -> None:
    """As the workbench opens a project, the Retrieval tab is in front of Search while Search
    is the window's last dock (the start raised it before Retrieval's tab came in front)."""
    idle(window)
    assert _in_front(window, "Retrieval") and not _in_front(window, "Search")
    _action(window, "Edit", "Find in project…").trigger()
    qtbot.wait(50)
    assert _in_front(window, "Search")
    _click_tab(window, qtbot, "Retrieval")
    _action(window, "View", "Search").trigger()
    qtbot.wait(50)
    assert _in_front(window, "Search")
