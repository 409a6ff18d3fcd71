"""Rows selected from code stay selected whatever modifier keys are held.

``QTableView.selectRow`` reads the keys held at that moment: with Shift it selects nothing (no
anchor), with Ctrl it deselects a row already selected. A GUI test failed in CI when a test
before it in the same process had sent Shift+F6 (``QTest.keyClick`` releases the key with
Shift still in the event, so Qt goes on believing Shift is held): Ethics ▸ Redactions:
Un-redact found no row selected.
``select_row`` selects as a plain click does; the product's tables and the tests use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from gui.fit import fill_table, new_table
from gui.select_row import select_row

MODIFIERS = [
    Qt.KeyboardModifier.NoModifier,
    Qt.KeyboardModifier.ShiftModifier,
    Qt.KeyboardModifier.ControlModifier,
    Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
]


@pytest.fixture
def held(qtbot: Any) -> Iterator[Any]:
    """``held(mods)``: the application believes ``mods`` are held down (a key pressed, not
    released), until the test ends."""
    line = QLineEdit()
    qtbot.addWidget(line)

    def hold(mods: Qt.KeyboardModifier) -> None:
        QTest.keyPress(line, Qt.Key.Key_A, mods)
        assert QApplication.keyboardModifiers() == mods

    yield hold
    QTest.keyRelease(line, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier)


def _selected(table: Any) -> list[int]:
    return sorted({i.row() for i in table.selectedIndexes()})


@pytest.mark.parametrize("mods", MODIFIERS)
def test_select_row_ignores_held_keys(qtbot: Any, held: Any, mods: Any) -> None:
    table = new_table(["a", "b"])
    qtbot.addWidget(table)
    fill_table(table, [["x", "y"], ["z", "w"], ["u", "v"]])
    held(mods)
    select_row(table, 1)
    assert _selected(table) == [1]
    assert table.currentIndex().row() == 1
    select_row(table, 1)  # again: Ctrl no longer toggles it off
    assert _selected(table) == [1]
    select_row(table, 2)  # another: the one before is let go, Shift extends nothing
    assert _selected(table) == [2]
    select_row(table, 7)  # no such row: nothing changes
    assert _selected(table) == [2]


def test_the_qt_call_it_replaces_does_depend_on_them(qtbot: Any, held: Any) -> None:
    """Why select_row exists: the plain Qt call under Shift selects nothing."""
    table = new_table(["a"])
    qtbot.addWidget(table)
    fill_table(table, [["x"], ["y"]])
    held(Qt.KeyboardModifier.ShiftModifier)
    table.selectRow(0)
    assert _selected(table) == []


def test_a_test_that_leaves_shift_held(qtbot: Any) -> None:
    """Shift+F6 as a GUI test sends it: Qt believes Shift is still held afterwards (the
    autouse ``no_keys_left_held`` lets go of it before the next test)."""
    line = QLineEdit()
    qtbot.addWidget(line)
    line.show()
    QTest.keyClick(line, Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.keyboardModifiers() == Qt.KeyboardModifier.ShiftModifier


def test_the_next_test_starts_with_no_key_held() -> None:
    """Runs after the one above (file order): nothing is held any more."""
    assert QApplication.keyboardModifiers() == Qt.KeyboardModifier.NoModifier
