"""Counts in the workbench's words: "1 participant is mapped", "(1 passage)"."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel

from analysis.filters import Filters
from gui.analysis.frequencies import FrequenciesTab
from gui.panels import SpeakerCountDialog


@pytest.mark.parametrize(
    ("known", "said"),
    [
        (1, "1 participant is mapped to this session."),
        (3, "3 participants are mapped to this session."),
    ],
)
def test_detect_speakers_counts_the_mapped_participants_in_words(
    qtbot: Any, known: int, said: str
) -> None:
    """Detect speakers said "1 participants are mapped to this session."."""
    dialog = SpeakerCountDialog(known)
    qtbot.addWidget(dialog)
    assert said in [label.text() for label in dialog.findChildren(QLabel)]


@pytest.mark.parametrize(("passages", "said"), [(1, "(1 passage)"), (4, "(4 passages)")])
def test_word_frequencies_count_their_passages_in_words(
    qtbot: Any, passages: int, said: str
) -> None:
    """The word chart read "Most frequent words (1 passages)"."""
    tab = FrequenciesTab(lambda *a, **k: None, Filters)
    qtbot.addWidget(tab)
    tab._show_words(SimpleNamespace(note="", words=[("clinic", 3)], passages=passages))
    assert tab.chart.title() == f"Most frequent words {said}"
