"""FlowRow: buttons left to right, a new line where the next would pass the edge."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QPushButton, QWidget

from gui.flow_row import FlowRow


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    labels=st.lists(st.text("Record Pause Stop Marker", min_size=1, max_size=18), max_size=6),
    width=st.integers(40, 500),
)
def test_widgets_stay_inside_in_order_without_overlap(
    qtbot: Any, labels: list[str], width: int
) -> None:
    """Each widget keeps its size hint, none overlap, each line starts at the left edge, a
    widget goes to the next line only when it would pass the right edge on this one (checked
    against the lines laid out independently from the widths), and the height is the lines'."""
    holder = QWidget()
    qtbot.addWidget(holder)
    row = FlowRow(holder, spacing=6)
    buttons = [QPushButton(label) for label in labels]
    for b in buttons:
        row.addWidget(b)
    row.setGeometry(QRect(0, 0, width, 0))
    lines: list[list[int]] = []  # the model: widths filled left to right
    x = 0
    for b in buttons:
        w = b.sizeHint().width()
        if lines and x + w > width:
            lines.append([w])
            x = w + 6
        elif lines:
            lines[-1].append(w)
            x += w + 6
        else:
            lines.append([w])
            x = w + 6
    tops = sorted({b.geometry().top() for b in buttons})
    assert len(tops) == len(lines)
    shown = [[b.geometry().width() for b in buttons if b.geometry().top() == t] for t in tops]
    assert shown == lines
    rects = [b.geometry() for b in buttons]
    for i, a in enumerate(rects):
        assert a.size() == buttons[i].sizeHint()
        assert a.left() == 0 or a.right() < max(width, a.width())  # inside, or alone too wide
        for b in rects[i + 1 :]:
            assert not a.intersects(b)
    tall = max((r.bottom() + 1 for r in rects), default=0)
    assert row.minimumSize().height() == tall
