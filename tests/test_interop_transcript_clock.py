"""Transcripts timed by the clock (Zoom's saved captions, ``08:02:33 >> ANNA: …``) placed on
their recording: ``import-transcript --starts-at HH:MM:SS`` takes the clock time the
recording began off each time; without it a file past the recording's end is refused with
what to do, and a line before the start or past the end after the shift is refused, the
project untouched. Times that pass midnight count on into the next day."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main as cli_main
from storage import Project
from storage.core.errors import InvalidInputError
from storage.interop import parse_transcript
from storage.interop.transcript_clock import zoom_name_start
from storage.interop.transcript_import import import_transcript_as_session
from tests.interop_support import db_fingerprint, make_wav, put_text

DAY = 86_400


def _clock(seconds: int) -> str:
    seconds %= DAY
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _sha(folder: Path) -> str:
    return hashlib.sha256((folder / "project.db").read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def zoom_recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real recording (espeak-ng, about 5 s) named as Zoom names its cloud recordings."""
    folder = tmp_path_factory.mktemp("zoom")
    wav = make_wav(folder, "Hello everyone, welcome. Thanks for joining us today, a short test.")
    return wav.rename(folder / "GMT20231201-080233_Recording.wav")


@pytest.fixture
def project(tmp_path: Path, zoom_recording: Path) -> Iterator[tuple[Path, str]]:
    folder = tmp_path / "p"
    with Project.create(folder, coder="me") as p:
        sid = p.sessions.import_audio(zoom_recording, title="zoom").id
    yield folder, sid


_CAPTIONS = "08:02:35 >> ANNA: Hello everyone, welcome.\n08:02:38 >> BORIS: Thanks for joining.\n"


def _import(folder: Path, sid: str, path: Path, *extra: str) -> int:
    return cli_main(["import-transcript", str(folder), "--session", sid, str(path), *extra])


def test_starts_at_places_the_captions_on_the_recording(
    project: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The captions were refused ("is this the transcript of another recording?": 8 h is past
    a 5 s recording); the clock time the recording began places them."""
    folder, sid = project
    path = put_text(tmp_path, "meeting_saved_closed_caption.txt", _CAPTIONS)
    assert _import(folder, sid, path, "--starts-at", "08:02:34") == 0
    out = capsys.readouterr().out
    assert "placed on a recording begun at 08:02:34" in out, out
    with Project.open(folder) as p:
        segs = p.transcript.segments(sid)
    assert [(s.start_ms, s.speaker) for s in segs] == [(1000, "ANNA"), (4000, "BORIS")]


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        ((), "its times look like times of day (first 08:02:35)"),
        (("--starts-at", "08:02:36"), "is 1.0 s before the recording began (--starts-at 08:02:36)"),
        (("--starts-at", "08:01:00"), "with the recording begun at 08:01:00, a segment starts at"),
        (("--starts-at", "8h"), "--starts-at '8h': give the clock time the recording began"),
        (("--starts-at", "24:00:00"), "--starts-at '24:00:00': give the clock time"),
    ],
)
def test_refused_in_one_line_and_the_project_untouched(
    project: tuple[Path, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: tuple[str, ...],
    said: str,
) -> None:
    folder, sid = project
    path = put_text(tmp_path, "meeting_saved_closed_caption.txt", _CAPTIONS)
    rows, sha = db_fingerprint(folder), _sha(folder)
    assert _import(folder, sid, path, *extra) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and said in err, err
    assert "Nothing was imported" in err or "nothing was imported" in err
    assert "another recording" not in err, err
    assert (db_fingerprint(folder), _sha(folder)) == (rows, sha)


def test_the_refusal_offers_the_start_the_file_name_gives_in_both_zones(
    project: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str], almaty: None
) -> None:
    """Zoom's cloud recording says when it began in UTC (GMT20231201-080233), the captions
    their local time: both are said, the local one offered, nothing shifted unasked."""
    folder, sid = project
    path = put_text(tmp_path, "meeting_saved_closed_caption.txt", _CAPTIONS)
    assert _import(folder, sid, path) != 0
    err = capsys.readouterr().err
    assert "(GMT20231201-080233) says it began at 08:02:33 UTC, 14:02:33 in this computer's" in err
    assert "(UTC+06:00)" in err and "--starts-at 14:02:33 if so" in err, err


def test_a_name_without_a_start_offers_nothing() -> None:
    assert zoom_name_start(["speech.wav", "GMT20231301-080233_Recording.m4a"]) is None
    named = zoom_name_start(["audio1.m4a", "GMT20240615-235959_Recording_640x360.mp4"])
    assert named is not None and named.utc.strftime("%Y-%m-%d %H:%M:%S") == "2024-06-15 23:59:59"


def test_the_times_pass_midnight_in_the_files_order(tmp_path: Path) -> None:
    """23:59:58 then 00:00:03: the second line went back 24 hours (read as typed late and
    moved up to 23:59:58); it is 5 s later, the next day's."""
    path = put_text(
        tmp_path, "meeting_saved_closed_caption.txt",
        "23:59:58 >> ANNA: Hello.\n00:00:03 >> BORIS: Hi.\n00:00:09 Still me.\n",
    )  # fmt: skip
    parsed = parse_transcript(path)
    starts = [d.start_ms for d in parsed.drafts]
    assert starts == [86_398_000, 86_403_000, 86_409_000]
    assert any("pass midnight (23:59:58, then 00:00:03)" in n for n in parsed.notes), parsed.notes


def test_a_new_session_of_clock_times_is_told_of_starts_at(tmp_path: Path) -> None:
    path = put_text(tmp_path, "meeting_saved_closed_caption.txt", _CAPTIONS)
    with Project.create(tmp_path / "p", coder="me") as p:
        _sid, result = import_transcript_as_session(p, path)
    assert any("the first line is at 08:02:35" in n and "--starts-at" in n for n in result.notes)


# -- the shift against a model: offsets from the start, as clock times that may pass midnight --
_SAID = ["Hello everyone.", "Привет всем.", "Иә, дұрыс.", "Thanks for joining us today."]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.integers(0, DAY - 1),
    first=st.integers(-120, 3600),
    gaps=st.lists(st.integers(1, 7200), max_size=5),
    said=st.lists(st.sampled_from(_SAID), min_size=6, max_size=6),
)
def test_the_shift_against_a_model(
    tmp_path: Path, start: int, first: int, gaps: list[int], said: list[str]
) -> None:
    """Each line's clock time is the start plus its offset, modulo a day (a meeting may run
    past midnight); the segments start at the offsets. A first line before the start is
    refused and no session is made."""
    offsets = [first]
    for gap in gaps:
        offsets.append(offsets[-1] + gap)
    names = ["ANNA", "BORIS"]
    lines = [
        f"{_clock(start + o)} >> {names[i % 2]}: {said[i]}" for i, o in enumerate(offsets)
    ]  # fmt: skip
    path = put_text(tmp_path, "meeting_saved_closed_caption.txt", "\n".join(lines) + "\n")
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    try:
        with Project.create(folder / "p", coder="me") as p:
            if first < 0:
                with pytest.raises(InvalidInputError, match="before the recording began"):
                    import_transcript_as_session(p, path, starts_at=_clock(start))
                assert p.sessions.all() == []
                return
            sid, _result = import_transcript_as_session(p, path, starts_at=_clock(start))
            segs = p.transcript.segments(sid)
        assert [s.start_ms for s in segs] == [o * 1000 for o in offsets]
        assert [s.end_ms for s in segs[:-1]] == [o * 1000 for o in offsets[1:]]
    finally:
        shutil.rmtree(folder)
