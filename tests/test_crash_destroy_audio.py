"""``redact --destroy`` killed (SIGKILL) at a point hypothesis draws, around the silenced audio
and the commit: the project is always in one of two states, says which, and the same command
finishes it. Never the clear audio under a reported success.

Before, the silenced copy took the clear file's place inside the transaction: killed after that
and before the commit, the text stayed unredacted with the audio silenced, and the media row's
sha256 named the clear file that was gone, until the command was run again (and nothing said
so). Now the text and the rows (naming the silenced copy) commit first with the list of files
still to swap, the swap follows, and the next open for writing finishes a swap a kill cut off.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from storage import Project
from storage.transcript.transcript import SegmentDraft
from tests.crash_support import integrity, rows, run_cli, run_killed_at
from tests.hardening_support import tone_wav

TEXTS = ["Anna said the clinic opened", "then Boris waited an hour", "nobody named here"]
COMMAND = ("redact", "--destroy", "--all")
# (function, after its return): each is reached once by the command, in this order
KILL_POINTS = [
    ("storage.privacy.redaction:redact_audio", False),  # before the silenced copy
    ("storage.privacy.redaction:redact_audio", True),  # the copy written, nothing committed
    ("storage.privacy.redaction:Redactions._destroy_in_typing", True),  # in the transaction
    ("storage.privacy.audit:AuditLog.log_event", True),  # its last write before the commit
    ("storage.core.store:Store.bump_privacy_epoch", False),  # committed, audio swapped
]
NEW_KILL_POINTS = [  # only in the code that commits before it swaps
    # (as the destroy calls it: opening the project calls audio_swap's own, with nothing to do)
    ("storage.privacy.redaction:finish", False),  # committed, the clear audio still there
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("destroy")
    folder = where / "Study.fieldscribe"
    with Project.create(folder, name="Study", coder="coder-a") as project:
        session = project.sessions.import_audio(tone_wav(where / "tone.wav", seconds=3.0))
        segments = project.transcript.add_segments(
            session.id,
            [SegmentDraft(i * 1000, i * 1000 + 900, text) for i, text in enumerate(TEXTS)],
        )
        for seg, word in zip(segments, ("Anna", "Boris"), strict=False):
            start = seg.text.index(word)
            project.redactions.redact(seg.id, start, start + len(word), "name")
    return folder


def _state(folder: Path) -> tuple[list[str], list[int], str, str]:
    """Texts, the redactions' destroyed flags, the media row's sha256 and its file's."""
    texts = [str(r[0]) for r in rows(folder, "SELECT text FROM segments ORDER BY start_ms")]
    flags = [int(str(r[0])) for r in rows(folder, "SELECT destroyed FROM redactions ORDER BY id")]
    path, sha = rows(folder, "SELECT path, sha256 FROM media")[0]
    on_disk = hashlib.sha256((folder / str(path)).read_bytes()).hexdigest()
    return texts, flags, str(sha), on_disk


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in (folder / "media").iterdir() if p.name.startswith("."))


@pytest.fixture(scope="module")
def finished(template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[object, ...]:
    folder = tmp_path_factory.mktemp("whole") / "Study.fieldscribe"
    shutil.copytree(template, folder)
    done = run_cli(COMMAND[0], folder, *COMMAND[1:])
    assert done.returncode == 0, done.stderr
    return _state(folder)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(point=st.sampled_from(KILL_POINTS + NEW_KILL_POINTS))
@example(point=KILL_POINTS[2])  # always: the point the old code left inconsistent
@example(point=(NEW_KILL_POINTS or KILL_POINTS)[0])  # and the swap left to the next open
def test_destroy_killed_anywhere_is_all_or_finished_on_the_next_open(
    template: Path,
    finished: tuple[list[str], list[int], str, str],
    tmp_path_factory: pytest.TempPathFactory,
    point: tuple[str, bool],
) -> None:
    folder = tmp_path_factory.mktemp("killed") / "Study.fieldscribe"
    shutil.copytree(template, folder)
    before = _state(folder)
    clear_sha = before[3]
    run_killed_at(point[0], COMMAND[0], folder, *COMMAND[1:], after=point[1])
    assert integrity(folder) == "ok"
    texts, flags, row_sha, disk_sha = _state(folder)
    if point in NEW_KILL_POINTS:  # the state the old code could not be in: the swap to do
        assert flags != before[1] and disk_sha == clear_sha
    if flags == before[1]:  # not committed: all as it was, the clear audio what the row names
        assert (texts, row_sha, disk_sha) == (before[0], before[2], clear_sha)
        told = ""
    else:  # committed: the text destroyed and the row naming the silenced copy
        assert (texts, flags, row_sha) == finished[:3]
        told = "killed while destroying redacted originals"
        if disk_sha == clear_sha:  # the swap not done yet: a read says so
            listed = run_cli("redact", folder, "--list")
            assert listed.returncode == 0 and told in listed.stderr, listed.stderr
        else:
            told = ""
    again = run_cli(COMMAND[0], folder, *COMMAND[1:])
    assert again.returncode == 0, again.stderr
    assert told in again.stderr
    assert _state(folder) == finished  # the same as an uninterrupted run
    assert _state(folder)[3] != clear_sha
    assert _hidden(folder) == []  # no silenced copy, no clear one, left hidden


def test_a_lost_silenced_copy_is_said_on_every_open_never_finished_silently(
    template: Path, tmp_path: Path
) -> None:
    """Killed after the commit, then the hidden silenced copy deleted by hand: the clear audio
    cannot be replaced; every open for writing says so, and the record of it stays."""
    folder = tmp_path / "Study.fieldscribe"
    shutil.copytree(template, folder)
    clear_sha = _state(folder)[3]
    run_killed_at(NEW_KILL_POINTS[0][0], COMMAND[0], folder, *COMMAND[1:])
    (silenced,) = (folder / "media").glob(".*.redacted.*")
    silenced.unlink()
    for _ in range(2):
        opened = run_cli("languages", folder, "--set", "ru")
        assert opened.returncode == 0, opened.stderr
        assert "is missing, so the clear audio is still there" in opened.stderr, opened.stderr
    assert _state(folder)[3] == clear_sha  # (nothing said it was done)
