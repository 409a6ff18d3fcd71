"""QualCoder's transcripts (a media file's text, typed or exported there) as it stamps times:
``[hh.mm.ss]``, ``[mm.ss]``, ``{hh:mm:ss}``, ``#hh:mm:ss.sss#`` and ``[mmm:ss]`` (total
minutes). All but the last were refused: "cannot tell the transcript format"."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.interop import parse_transcript


@pytest.mark.parametrize(
    ("first", "second", "starts"),
    [
        ("[00.00.01]", "[01.02.05]", [1000, 3725000]),
        ("[01.02]", "[75.30]", [62000, 4530000]),
        ("{00:00:01}", "{01:02:05}", [1000, 3725000]),
        ("#00:00:01.500#", "#00:00:05.25#", [1500, 5250]),
        ("[05:30]", "[75:10]", [330000, 4510000]),
    ],
)
def test_qualcoder_timestamps(tmp_path: Path, first: str, second: str, starts: list[int]) -> None:
    path = tmp_path / "qc.txt"
    path.write_text(
        f"{first} Интервьюер: Расскажите, #1 в списке.\nпродолжение\n{second} Айгерим: Жақсы.\n",
        encoding="utf-8",
    )
    drafts = parse_transcript(path).drafts
    assert [(d.start_ms, d.speaker, d.text) for d in drafts] == [
        (starts[0], "Интервьюер", "Расскажите, #1 в списке. продолжение"),
        (starts[1], "Айгерим", "Жақсы."),
    ]


def test_an_f4_end_mark_is_still_an_end(tmp_path: Path) -> None:
    path = tmp_path / "f4.txt"
    path.write_text("I: Расскажите. #00:00:02-5#\nB: Жақсы. #00:00:04-0#\n", encoding="utf-8")
    assert [(d.start_ms, d.end_ms) for d in parse_transcript(path).drafts] == [
        (0, 2500), (2500, 4000),
    ]  # fmt: skip
