"""The wrapping row of action buttons (``gui.action_bar``), against a model of the rule."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

SIZES = st.lists(st.tuples(st.integers(1, 120), st.integers(1, 40)), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(sizes=SIZES, width=st.integers(20, 400))
def test_items_fill_rows_in_order_and_wrap_only_when_the_next_does_not_fit(
    qapp: Any, sizes: list[tuple[int, int]], width: int
) -> None:
    """Model: left to right with a gap, a new row when the next item would cross the right
    edge (an item wider than the whole width has a row to itself); a row is as tall as its
    tallest item; the height asked for a width is what the rows take, margins included."""
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QSizePolicy, QSpacerItem

    from gui.flow_row import FlowLayout

    layout = FlowLayout(spacing=3)
    fixed = QSizePolicy.Policy.Fixed
    items = [QSpacerItem(w, h, fixed, fixed) for w, h in sizes]
    for item in items:
        layout.addItem(item)
    layout.setGeometry(QRect(0, 0, width, 1000))
    m = layout.contentsMargins()
    right = width - m.right()
    rows: list[list[int]] = [[]]
    x = m.left()
    for i, (w, _h) in enumerate(sizes):
        if rows[-1] and x + w > right:
            rows.append([])
            x = m.left()
        rows[-1].append(i)
        x += w + 3
    top = m.top()
    for row in rows:
        x = m.left()
        for i in row:
            geometry = items[i].geometry()
            assert (geometry.x(), geometry.y()) == (x, top)
            assert (geometry.width(), geometry.height()) == sizes[i]
            x += sizes[i][0] + 3
        top += max(sizes[i][1] for i in row) + 3
    assert layout.heightForWidth(width) == top - 3 + m.bottom()
    assert layout.count() == len(items)
    assert layout.takeAt(0) is items[0] and layout.itemAt(len(items)) is None


@given(st.text(max_size=40), st.sampled_from(["", ".docx", ".qdpx", ".fsbundle.enc"]))
def test_a_default_file_name_is_one_every_system_takes(title: str, suffix: str) -> None:
    """Default export names came from titles such as "Demo: e-government focus group" (":"
    is refused by Windows): no character Windows refuses, no trailing dot or space, never
    empty, and the suffix kept."""
    from gui.fmt import file_name

    name = file_name(title + suffix)
    assert name and not set(name) & set('<>:"/\\\\|?*')
    assert not any(ord(ch) < 32 for ch in name)
    assert not name.endswith((" ", "."))
    if suffix and title.strip(" .") and not set(title) & set('<>:"/\\\\|?*.'):
        assert name.endswith(suffix)
    assert file_name("Focus group: online public services.docx") == (
        "Focus group- online public services.docx"
    )


def test_the_button_with_the_keyboard_shows_a_frame_and_no_button_moves(qtbot: Any) -> None:
    """A flat button reached by Tab looked as the others (the style drew no focus on an
    auto-raised button): it now has a frame in the selection colour, in room every button
    keeps, so that the focus moving resizes none of them; under the mouse too (the hover
    rule had won over the focus one)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QAction, QPalette

    from gui.action_bar import ActionBar

    bar = ActionBar([QAction("New code"), QAction("Merge into")])
    qtbot.addWidget(bar)
    bar.resize(300, 60)
    bar.show()
    qtbot.waitExposed(bar)
    bar.activateWindow()
    qtbot.waitUntil(bar.isActiveWindow)
    first, second = bar.buttons
    second.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(second.hasFocus)
    unfocused, sizes = first.grab().toImage(), [b.size() for b in bar.buttons]
    first.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(first.hasFocus)
    focused = first.grab().toImage()
    assert [b.size() for b in bar.buttons] == sizes
    highlight = first.palette().color(QPalette.ColorRole.Highlight).rgb()
    framed = {focused.pixel(x, focused.height() // 2) for x in range(3)}
    assert highlight in framed, [hex(p) for p in framed]
    assert highlight not in {unfocused.pixel(x, unfocused.height() // 2) for x in range(3)}
