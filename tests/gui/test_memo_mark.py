"""The memo mark (✎) beside a segment's time reads on a row and on a selected row."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QRect
from PySide6.QtGui import QColor, QImage, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QTableView

from gui.models.segments import memo_icon


def _luminance(c: QColor) -> float:
    def lin(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(c.red()) + 0.7152 * lin(c.green()) + 0.0722 * lin(c.blue())


def _contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _mark_contrast(image: QImage, rect: QRect) -> float:
    """The contrast of the mark's strongest pixel with the cell's background (a corner)."""
    background = image.pixelColor(rect.left(), rect.top())
    return max(
        _contrast(image.pixelColor(x, y), background)
        for x in range(rect.left(), rect.right() + 1)
        for y in range(rect.top(), rect.bottom() + 1)
    )


def test_the_memo_mark_reads_on_a_selected_row_and_on_another(qtbot) -> None:  # type: ignore[no-untyped-def]
    model = QStandardItemModel(2, 1)
    for row in range(2):
        item = QStandardItem("0:00")
        item.setIcon(memo_icon())  # as the transcript's Time column shows it
        model.setItem(row, 0, item)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(200, 120)
    view.show()
    view.selectionModel().select(
        model.index(0, 0),
        QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
    )
    view.setFocus()
    qtbot.wait(20)
    image = view.viewport().grab().toImage()
    for row in (0, 1):  # selected, then not
        cell = view.visualRect(model.index(row, 0))
        icon = QRect(cell.left() + 1, cell.top() + 1, 20, cell.height() - 2)  # text: right
        found = _mark_contrast(image, icon)
        assert found >= 3.0, (row, found)  # WCAG's bar for a graphic that must be seen
