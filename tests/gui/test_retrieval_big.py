"""The Retrieval panel with the codings of a big project (a merged focus-group series)."""

from __future__ import annotations

from typing import Any

from gui.retrieval import RetrievalModel, RetrievalPanel
from gui.tasks import TaskRunner
from storage import Project
from storage.codebook.retrieval import RetrievedCoding

LONG_PATH = "Доверие/Қазақ тілі/Электронное правительство/Очереди в ЦОНе"


def _coding(i: int, path: str = "Доверие") -> RetrievedCoding:
    return RetrievedCoding(
        coding_id=f"c{i}", code_id="k", code_path=path, coder="aigerim", memo=None,
        segment_id=f"s{i}", session_id="g", session_title=f"Фокус-группа {i % 12 + 1}",
        start_ms=i * 3000, end_ms=i * 3000 + 2500, speaker=f"Спикер {i % 8 + 1}",
        participant=None, start_cp=None, end_cp=None, text="Мы не доверяем порталу.",
        language="ru",
    )  # fmt: skip


def test_columns_fit_the_longest_texts_anywhere_reading_few_cells(
    qtbot: Any, project: Project, monkeypatch: Any
) -> None:
    """A code of a merged focus-group series retrieved 5,000 codings: fitting the columns read
    every cell on the GUI thread (a second's freeze after each coding, each merge), and still
    cut a sub-code's path that first came further down than 1,000 rows. The columns fit the
    longest texts wherever they are, measuring a few of them."""
    runner = TaskRunner()
    panel = RetrievalPanel(project, runner)
    qtbot.addWidget(panel)
    panel.resize(1366, 300)
    panel.show()
    panel.set_in_front(True)
    rows = [_coding(i) for i in range(5000)]
    rows[4500] = _coding(4500, LONG_PATH)
    reads = [0]
    real = RetrievalModel.data

    def counted(self: Any, index: Any, role: int = 0) -> Any:
        reads[0] += 1
        return real(self, index, role)

    monkeypatch.setattr(RetrievalModel, "data", counted)
    panel._loaded(rows)
    assert panel.model.rowCount() == 5000
    table = panel.table
    need = table.fontMetrics().horizontalAdvance(LONG_PATH)
    cap = table.viewport().width() * 2 // 5
    assert table.columnWidth(0) >= min(need, cap), (table.columnWidth(0), need, cap)
    latest = table.fontMetrics().horizontalAdvance("4:09:57")  # the last coding's time
    assert table.columnWidth(2) >= latest
    assert reads[0] < 2000, reads[0]  # cells read to fit: not every row's (35,000 here)
