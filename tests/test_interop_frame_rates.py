"""Frame times at 29.97 and other given rates: each time placed where the video has it, checked
against an independent count of the frames (a timecode generator), not the reader's formula."""

from __future__ import annotations

import functools
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main as cli_main
from storage import InvalidInputError, Project
from storage.interop import parse_transcript
from tests.interop_support import db_fingerprint, make_wav

_QUICK = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}


def _labels(nominal: int, drop: bool, count: int) -> list[str]:
    """The timecode labels of the first ``count`` frames, as a timecode generator counts
    them: frames tick 0..nominal-1; in drop-frame the first two labels of each minute but
    every tenth are skipped (SMPTE 12M)."""
    h = m = s = f = 0
    out = []
    while len(out) < count:
        if not (drop and s == 0 and f < 2 and m % 10 != 0):
            out.append(f"{h:02d}:{m:02d}:{s:02d}{';' if drop else ':'}{f:02d}")
        f += 1
        if f == nominal:
            f, s = 0, s + 1
        if s == 60:
            s, m = 0, m + 1
        if m == 60:
            m, h = 0, h + 1
    return out


# two hours of labels, drop-frame and not: made by the test that reads them (0.4 s of CPU
# that each test process spent collecting this file, whether it ran its tests or not)
_HOURS_DF = 2 * 107_892 + 1
_HOURS_NDF = 2 * 108_000 + 1


@functools.cache
def _hours(drop: bool) -> list[str]:
    return _labels(30, drop, _HOURS_DF if drop else _HOURS_NDF)


def _starts(tmp_path: Path, stamps: list[str], fps: str | None = None) -> list[int]:
    path = tmp_path / "t.txt"
    path.write_text(
        "".join(f"[{stamp}] Speaker {i % 2 + 1}: реплика {i}\n" for i, stamp in enumerate(stamps)),
        encoding="utf-8",
    )
    parsed = parse_transcript(path, fps=fps) if fps else parse_transcript(path)
    return [d.start_ms for d in parsed.drafts]


def _ms(frame: int, fps: Fraction) -> int:
    return round(frame * 1000 / fps)


@settings(max_examples=60, **_QUICK)
@given(frames=st.lists(st.integers(0, _HOURS_DF - 1), min_size=1, max_size=5, unique=True))
def test_drop_frame_times_are_29_97(tmp_path: Path, frames: list[int]) -> None:
    """HH:MM:SS;FF was read at 30 frames a second, the semicolon ignored."""
    frames.sort()
    got = _starts(tmp_path, [_hours(True)[n] for n in frames])
    assert got == [_ms(n, Fraction(30000, 1001)) for n in frames]


@settings(max_examples=60, **_QUICK)
@given(frames=st.lists(st.integers(0, _HOURS_NDF - 1), min_size=1, max_size=5, unique=True))
def test_non_drop_frame_times_at_a_given_29_97(tmp_path: Path, frames: list[int]) -> None:
    """With the rate given, 29.97 non-drop-frame times were still read at 30: 3.6 s early
    after an hour."""
    frames.sort()
    got = _starts(tmp_path, [_hours(False)[n] for n in frames], fps="29.97")
    assert got == [_ms(n, Fraction(30000, 1001)) for n in frames]


@pytest.mark.parametrize(("fps", "nominal", "rate"), [
    ("25", 25, Fraction(25)), ("23.976", 24, Fraction(24000, 1001)), ("30", 30, Fraction(30)),
])  # fmt: skip
def test_other_given_rates(tmp_path: Path, fps: str, nominal: int, rate: Fraction) -> None:
    labels = _labels(nominal, False, 3600 * nominal + 2)
    picks = [0, 1, nominal - 1, nominal, 3600 * nominal + 1]
    assert _starts(tmp_path, [labels[n] for n in picks], fps=fps) == [_ms(n, rate) for n in picks]


def test_an_hour_at_29_97(tmp_path: Path) -> None:
    assert _starts(tmp_path, ["01:00:00:00"], fps="29.97") == [3_603_600]
    assert _starts(tmp_path, ["01:00:00;00"]) == [3_599_996]
    assert _starts(tmp_path, ["01:00:00:00"]) == [3_600_000]  # unknown rate: 30, as before
    parsed = parse_transcript(tmp_path / "t.txt")
    assert any("does not say its rate" in n for n in parsed.notes), parsed.notes


def test_a_frame_number_the_rate_does_not_have_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("[00:00:01:27] Anna: Да.\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"t\.txt: the frame time 00:00:01:27 has frame 27"):
        parse_transcript(path, fps="25")
    path.write_text("[00:00:01;10] Anna: Да.\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="drop-frame"):
        parse_transcript(path, fps="25")


def test_cli_fps_and_a_bad_file_leaves_the_project_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "p.fieldscribe"
    with Project.create(folder, coder="me") as p:
        sid = p.sessions.import_audio(make_wav(tmp_path), title="s").id
    path = tmp_path / "t.txt"
    path.write_text("[00:00:00:10] Anna: Да.\n[00:00:01:27] Boris: Нет.\n", encoding="utf-8")
    before = db_fingerprint(folder)
    assert (
        cli_main(["import-transcript", str(folder), "--session", sid, str(path), "--fps", "25"])
        != 0
    )
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "frame 27" in err, err
    assert db_fingerprint(folder) == before
    assert (
        cli_main(["import-transcript", str(folder), "--session", sid, str(path), "--fps", "29.97"])
        == 0
    )
    with Project.open(folder) as p:
        assert [s.start_ms for s in p.transcript.segments(sid)] == [334, 1902]
