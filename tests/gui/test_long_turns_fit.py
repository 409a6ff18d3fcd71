"""Long turns (three sentences, wrapped onto three or four lines) at 1024x700 and 1366x768:
a panel opened under the transcript (Retrieval, Agreement, Disagreements) leaves it three whole
rows, and the panel its six."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storage import Project
from tests.gui.test_laptop_fit import (
    LAPTOP,
    RU,
    _kept_at,
    _whole_rows,
    _window,
    focus_group,
    panels_shown,
)

LONG = RU + " Мы ждали три часа, потом ушли домой, а на следующий день всё повторилось снова."


@pytest.fixture
def long_turns(tmp_path: Path, speech_wav: Path) -> Iterator[Project]:
    """Twelve segments, every third a three-sentence Russian turn, coded by two coders."""
    with Project.create(tmp_path / "Almaty.fieldscribe", name="Almaty", coder="aigerim") as p:
        segs = focus_group(p, speech_wav, LONG)
    with Project.open(tmp_path / "Almaty.fieldscribe", coder="bakyt") as other:
        for i, path in enumerate(["Услуги/Денсаулық", "Очереди", "Доверие", "Цифровые услуги"]):
            code = other.codebook.ensure_code_path(path)
            for seg in segs[i + 3 : i + 8]:
                other.codebook.apply_code(seg.id, code.id)
    with Project.open(tmp_path / "Almaty.fieldscribe", coder="aigerim") as p:
        yield p


@pytest.mark.parametrize("size", list(LAPTOP))
def test_a_panel_under_long_turns_leaves_the_transcript_three_whole_rows(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    long_turns: Project,
    idle: Any,
    size: Any,
    monkeypatch: Any,
) -> None:
    """The transcript kept five one-line rows (140 px at 1024x700) under Retrieval, and a long
    turn is 80 px: two rows whole (80 + 38 px), the third cut by 6 px. The segment editor
    below it asked for Qt's 70 px. The transcript now keeps three of its rows whole as they
    are, the editor three lines (52 px), and Retrieval still shows six codings."""
    w = _window(qtbot, qsettings, fake_transcriber, long_turns, size)
    idle(w)
    qtbot.waitUntil(lambda: w.segment_model.rowCount() == 12, timeout=10000)
    _kept_at(w, size, monkeypatch)
    code = w.project.codebook.find_code("Услуги/Денсаулық")
    openers = {
        "Retrieval": lambda: (w.docks.retrieve_code(code.id), w.retrieval.table)[1],
        "Agreement": lambda: w.extra_panels.show_agreement().view,
        "Disagreements": lambda: w.extra_panels.show_disagreements().table,
    }
    for name, table in panels_shown(w, qtbot, idle, size, openers, settle_ms=200):
        transcript = w.transcript
        heights = [transcript.rowHeight(r) for r in range(3)]
        assert heights[0] >= heights[2] + 20, heights  # a long turn on top (3 or 4 lines)
        assert _whole_rows(transcript) >= 3, (name, heights, transcript.viewport().height())
        assert _whole_rows(table) >= 6, (name, _whole_rows(table), table.height())
    w.close()
