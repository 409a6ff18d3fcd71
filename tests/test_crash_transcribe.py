"""``transcribe`` killed (SIGKILL: a laptop's battery running out) on a minute of speech: the
project opens, passes ``PRAGMA integrity_check``, keeps the segments written before the kill,
and the same command resumes where it stopped, to a transcript that says what an uninterrupted
run says: no segment twice, none lost.

Measured by hand the same way with the base model on real Russian speech (the kill after a
delay or after N segments were written, six points over a three-minute recording): every kill
left a consistent project; a resumed run's text differed from an uninterrupted one's at most by
a word Whisper read differently where the resumed window started (a 1-word difference in 21
segments).

What is written, and when, does not depend on the model or the language: the runs here use
the bundled ``tiny.en`` on twelve English sentences (espeak-ng, two voices). With ``base`` on
a minute of real Russian (festvox-ru) they took 60 s of CPU; an uninterrupted run 12.4 s of CPU
against 6.4 s now (one process, a 2-core machine others loaded).

The runs read 20-second windows (``WINDOWS``) instead of the 120 s first and 300 s later ones,
so that one minute of speech is written in several windows, each its own transaction, as two
and a half minutes are with the real windows (those took 104 s of CPU for these tests with
``base``, for a 150 s recording decoded about five times over).
"""

from __future__ import annotations

import itertools
import re
import subprocess
from pathlib import Path

import jiwer
import pytest

from storage import Project
from tests.crash_support import count, integrity, rows, run_cli, run_killed_at
from tests.transcribe_audio import SENTENCES, speech_with_pauses

pytestmark = pytest.mark.slow

ADD = "storage.transcript.transcription:Transcription.add_transcribed"
END = "storage.transcript.transcription:Transcription.end_transcription"
#: every transcribing process here reads windows of about 20 s (the first one too)
WINDOWS = (
    "import transcribe.engine as e, transcribe.stream as s\ne.WINDOW_S = s.FIRST_WINDOW_S = 20.0"
)
TRANSCRIBE = ("transcribe", "--all", "--model", "tiny.en")


def _transcribe(folder: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(TRANSCRIBE[0], folder, *TRANSCRIBE[1:], setup=WINDOWS)


def _killed_at(target: str, folder: Path, *, after: bool) -> None:
    run_killed_at(target, TRANSCRIBE[0], folder, *TRANSCRIBE[1:], after=after, setup=WINDOWS)


def _normalise(text: str) -> str:
    text = text.lower().replace("ё", "е").replace("-", " ")
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """About 60 s of speech (twelve sentences: three windows of 20 s, so the run writes its
    segments in more than one transaction) and what was said."""
    sentences = SENTENCES * 2
    return speech_with_pauses(tmp_path_factory.mktemp("speech"), sentences), " ".join(sentences)


@pytest.fixture(scope="module")
def uninterrupted(
    tmp_path_factory: pytest.TempPathFactory, recording: tuple[Path, str]
) -> list[tuple[int, int, str]]:
    folder = _project(tmp_path_factory.mktemp("whole"), recording[0])
    done = _transcribe(folder)
    assert done.returncode == 0, done.stderr
    return _segments(folder)


def _project(where: Path, audio: Path) -> Path:
    """A project expecting English with the recording imported (as ``fieldscribe new --coder ann
    --languages en`` and ``import`` make it: the commands' own crashes are tests/test_crash_new_
    project.py's and test_crash_import.py's)."""
    folder = where / "Study.fieldscribe"
    with Project.create(folder, coder="ann") as project:
        project.set_languages("en")
        project.sessions.import_audio(audio)
    return folder


def _segments(folder: Path) -> list[tuple[int, int, str]]:
    return [
        (int(str(a)), int(str(b)), str(t))
        for a, b, t in rows(folder, "SELECT start_ms, end_ms, text FROM segments ORDER BY start_ms")
    ]


def _state(folder: Path) -> tuple[str, int, int]:
    status, done, total = rows(folder, "SELECT status, done_ms, total_ms FROM transcription_state")[
        0
    ]
    return str(status), int(str(done)), int(str(total))


def _same_as_uninterrupted(
    got: list[tuple[int, int, str]], want: list[tuple[int, int, str]], said: str
) -> None:
    # no segment twice: none overlaps the one before it
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(got)), got
    heard = _normalise(" ".join(t for _, _, t in got))
    whole = _normalise(" ".join(t for _, _, t in want))
    assert abs(len(got) - len(want)) <= 1, (got, want)
    assert jiwer.cer(whole, heard) < 0.03, (heard, whole)  # a word read differently at most
    assert jiwer.cer(_normalise(said), heard) < 0.12, heard


def test_killed_after_its_first_segments_resumes_without_duplicates(
    tmp_path: Path, recording: tuple[Path, str], uninterrupted: list[tuple[int, int, str]]
) -> None:
    folder = _project(tmp_path, recording[0])
    _killed_at(ADD, folder, after=True)
    assert integrity(folder) == "ok"
    status, done_ms, total_ms = _state(folder)
    kept = _segments(folder)
    assert status == "running" and 0 < done_ms < total_ms and kept
    listed = run_cli("sessions", folder)
    assert listed.returncode == 0 and "interrupted" in listed.stdout

    resumed = _transcribe(folder)
    assert resumed.returncode == 0, resumed.stderr
    assert "resumed at" in resumed.stdout  # not started again from the beginning
    assert _state(folder) == ("done", total_ms, total_ms)
    got = _segments(folder)
    # the report counts this run's segments, and says what the session holds in all (it said
    # "13 segments added" of a session's 40, nothing more)
    added = re.search(r": (\d+) segments? added", resumed.stdout)
    in_all = re.search(r"The session has (\d+) segments? in all now", resumed.stdout)
    assert added and in_all, resumed.stdout
    assert int(added.group(1)) == len(got) - len(kept) and int(in_all.group(1)) == len(got)
    assert got[: len(kept)] == kept  # what was written before the kill stays as it was
    _same_as_uninterrupted(got, uninterrupted, recording[1])


@pytest.mark.parametrize(
    ("target", "after"),
    [
        (ADD, False),  # the first segments being written: nothing is
        (END, False),  # every segment written, the run not yet marked done
    ],
)
def test_killed_before_or_after_every_write_finishes_the_same(
    tmp_path: Path,
    recording: tuple[Path, str],
    uninterrupted: list[tuple[int, int, str]],
    target: str,
    after: bool,
) -> None:
    folder = _project(tmp_path, recording[0])
    _killed_at(target, folder, after=after)
    assert integrity(folder) == "ok"
    before = _segments(folder)
    again = _transcribe(folder)
    assert again.returncode == 0, again.stderr
    assert _state(folder)[0] == "done"
    got = _segments(folder)
    if before:  # all of it was written: the run is only finished, nothing written twice
        assert got == before
        assert "nothing left to transcribe" in again.stdout, again.stdout
    _same_as_uninterrupted(got, uninterrupted, recording[1])
    assert count(folder, "sessions") == 1
