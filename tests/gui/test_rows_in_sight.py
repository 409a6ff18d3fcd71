"""The segments of an Analysis cell: rows as tall as their text, measured as they show."""

from __future__ import annotations

from typing import Any

from analysis.filters import Filters
from analysis.matrix import SegmentHit
from gui.analysis.models import HitsModel
from gui.analysis.tabs import CooccurrenceTab

TEXT = " ".join(["Мы не доверяем порталу государственных услуг, кезек өте ұзын."] * 4)


def _hits(n: int) -> list[SegmentHit]:
    return [
        SegmentHit(f"s{i}", "g", f"Фокус-группа {i % 12 + 1}", i * 3000, i * 3000 + 2500,
                   f"Спикер {i % 8 + 1}", TEXT)
        for i in range(n)
    ]  # fmt: skip


def test_a_cell_of_thousands_of_segments_measures_the_rows_in_sight(
    qtbot: Any, monkeypatch: Any
) -> None:
    """Clicking a co-occurrence cell of a focus-group series (410 segments) froze the Analysis
    window for 0.17 s measuring every row's wrapped text, a cell of thousands for seconds.
    The rows in sight are as tall as their text at once; the others when scrolled to."""
    tab = CooccurrenceTab(lambda *_a, **_k: None, Filters)
    qtbot.addWidget(tab)
    tab.resize(1000, 600)
    tab.show()
    qtbot.waitExposed(tab)
    view = tab.hits_view
    reads = [0]
    real = HitsModel.data

    def counted(self: Any, index: Any, role: int = 0) -> Any:
        reads[0] += 1
        return real(self, index, role)

    monkeypatch.setattr(HitsModel, "data", counted)
    tab._show_hits((_hits(3000), {}))
    assert reads[0] < 3000, reads[0]  # not a cell of every row read (12,000 here)

    def fitted(row: int) -> bool:  # as tall as Qt's fit of the whole table makes it
        header = view.verticalHeader()
        return view.rowHeight(row) == max(view.sizeHintForRow(row), header.sectionSizeHint(row))

    in_sight = range(max(0, view.rowAt(0)), view.rowAt(view.viewport().height() - 1) + 1)
    assert len(in_sight) >= 2 and all(fitted(r) for r in in_sight)
    assert view.rowHeight(2999) == view.verticalHeader().defaultSectionSize()  # not yet
    view.scrollToBottom()
    qtbot.waitUntil(lambda: fitted(2999) and fitted(2990))


def test_a_hidden_view_measures_nothing_until_it_shows(qtbot: Any) -> None:
    """A closed Analysis window's rows were measured still when its timer ran (in a later test
    of the same worker, where the model's calls then failed): hidden, nothing is measured; shown,
    the rows in sight are."""
    tab = CooccurrenceTab(lambda *_a, **_k: None, Filters)
    qtbot.addWidget(tab)
    tab.resize(1000, 600)
    tab._show_hits((_hits(50), {}))
    rows = tab.hits_rows
    qtbot.wait(50)
    assert rows.fitted == set()
    tab.show()
    qtbot.waitExposed(tab)
    qtbot.waitUntil(lambda: 0 in rows.fitted)
