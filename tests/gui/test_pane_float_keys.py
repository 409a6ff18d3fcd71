"""A pane floats and docks again by key (View ▸ Float or dock the pane in focus,
Ctrl+Shift+F6): its title bar's float button was for the mouse alone."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _press_on_focus(qtbot: Any) -> None:
    focused = QApplication.focusWidget()
    assert focused is not None
    QTest.keyClick(focused, Qt.Key.Key_F6, CTRL_SHIFT)
    qtbot.wait(20)


def test_the_pane_in_focus_floats_and_docks_by_key_the_keyboard_staying_in_it(
    window: Any, qtbot: Any
) -> None:
    dock, tree = window.codebook_dock, window.codebook.tree
    window.activateWindow()
    tree.setFocus()
    qtbot.waitUntil(tree.hasFocus)
    _press_on_focus(qtbot)
    assert dock.isFloating() and dock.isVisible()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is tree)
    assert "Codebook is a window of its own" in window.statusBar().currentMessage()
    _press_on_focus(qtbot)  # from inside the floating pane: the key still reaches it
    assert not dock.isFloating() and dock.isVisible()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is tree)


def test_with_the_focus_in_no_pane_nothing_floats_and_it_says_how(window: Any, qtbot: Any) -> None:
    from gui.chrome import NO_PANE

    window.activateWindow()
    window.transcript.setFocus()  # the transcript is the window's middle, not a dock
    qtbot.waitUntil(window.transcript.hasFocus)
    docks = [d for d in window.findChildren(type(window.codebook_dock))]
    _press_on_focus(qtbot)
    assert not any(d.isFloating() for d in docks)
    assert window.statusBar().currentMessage() == NO_PANE
