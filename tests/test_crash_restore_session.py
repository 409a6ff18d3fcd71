"""``restore-session`` and ``delete-session`` killed (SIGKILL) between moving a deleted session's
audio and the commit of the rows that name it (or, for a deletion, between its commit and the
move): the next open for writing moves the recording to where the deleted session keeps it
(``media/.deleted/``), says so in one line, and ``restore-session`` then brings it all back.

Before, a restore killed after moving the audio back into ``media/`` left it there under a name
no row had, until the restore was run again (for good if the deleted session was forgotten
instead: a recording of a deleted session nobody could see); a deletion killed before its move
left the same. A hypothesis test draws the kill point among the restore's writes.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Project
from storage.transcript.transcript import SegmentDraft
from tests.crash_support import count, integrity, rows, run_cli, run_code_killed_at, run_killed_at
from tests.hardening_support import tone_wav

#: (function, after its return): reached once by ``restore-session``, in this order
RESTORE_POINTS = [
    ("os:replace", True),  # the audio back in media/ under its name, nothing committed
    ("storage.sessions.deleted:DeletedSessions._write", True),  # rows written, not committed
    ("storage.sessions.sessions:Sessions._replace_names", True),  # the last step before it
]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A project with one session and its audio; the audio's sha256."""
    where = tmp_path_factory.mktemp("restore")
    folder = where / "Study.fieldscribe"
    with Project.create(folder, name="Study", coder="coder-a") as project:
        session = project.sessions.import_audio(
            tone_wav(where / "tone.wav", seconds=2.0), title="Interview"
        )
        project.transcript.add_segments(session.id, [SegmentDraft(0, 900, "the clinic opened")])
        sha = _sha(project.sessions.media_path(session.id))
    return folder, sha


def _copy(template: Path, where: Path) -> Path:
    folder = where / "Study.fieldscribe"
    shutil.copytree(template, folder)
    return folder


def _media_files(folder: Path) -> list[str]:
    return sorted(p.name for p in (folder / "media").iterdir() if not p.name.startswith("."))


def _kept(folder: Path) -> list[Path]:
    trash = folder / "media" / ".deleted"
    return sorted(trash.iterdir()) if trash.is_dir() else []


def _put_back_by_the_next_write(folder: Path, sha: str) -> None:
    """The next open for writing moves the recording to .deleted/, says so, and the restore
    then brings the session back with its audio."""
    done = run_cli("languages", folder, "--set", "ru")
    assert done.returncode == 0, done.stderr
    told = [line for line in done.stderr.splitlines() if "deleted sessions back" in line]
    assert len(told) == 1 and "moved 1 recording" in told[0], done.stderr
    assert _media_files(folder) == []  # nothing under a name no row has
    assert [_sha(p) for p in _kept(folder)] == [sha]
    assert not [p for p in (folder / "media").iterdir() if p.name.startswith(".restoring-")]
    again = run_cli("restore-session", folder, "--session", "Interview")
    assert again.returncode == 0, again.stderr
    path = str(rows(folder, "SELECT path FROM media")[0][0])
    assert _sha(folder / path) == sha and _kept(folder) == []
    assert count(folder, "sessions") == 1 and integrity(folder) == "ok"


@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(point=st.sampled_from(RESTORE_POINTS))
def test_a_restore_killed_before_its_commit_leaves_no_audio_in_media(
    template: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory, point: tuple[str, bool]
) -> None:
    folder = _copy(template[0], tmp_path_factory.mktemp("killed"))
    assert run_cli("delete-session", folder, "--session", "Interview").returncode == 0
    assert _media_files(folder) == [] and len(_kept(folder)) == 1
    target, after = point
    run_killed_at(target, "restore-session", folder, "--session", "Interview", after=after)
    assert count(folder, "sessions") == 0 and integrity(folder) == "ok"
    assert len(_media_files(folder)) == 1 and _kept(folder) == []  # moved back, no row
    _put_back_by_the_next_write(folder, template[1])


def test_a_deletion_killed_before_moving_its_audio_leaves_none_in_media(
    template: tuple[Path, str], tmp_path: Path
) -> None:
    folder = _copy(template[0], tmp_path)
    run_killed_at(
        "storage.sessions.deleted:DeletedSessions.move_audio_away",
        "delete-session",
        folder,
        "--session",
        "Interview",
    )
    assert count(folder, "sessions") == count(folder, "media") == 0
    assert len(_media_files(folder)) == 1  # committed, the audio not moved away
    _put_back_by_the_next_write(folder, template[1])


def test_a_restore_killed_with_its_audio_under_a_free_name_is_put_back(
    template: tuple[Path, str], tmp_path: Path
) -> None:
    """The path was taken meanwhile: the restore moves the audio to "NAME (restored).EXT",
    a name only its list knows."""
    folder = _copy(template[0], tmp_path)
    assert run_cli("delete-session", folder, "--session", "Interview").returncode == 0
    path = str(rows(folder, "SELECT audio FROM deleted_sessions")[0][0])
    original = folder / path.split('"path": "')[1].split('"')[0]
    original.write_bytes(b"a file of the person's own")
    run_killed_at("os:replace", "restore-session", folder, "--session", "Interview", after=True)
    assert "(restored)" in " ".join(_media_files(folder))
    done = run_cli("languages", folder, "--set", "ru")
    assert "moved 1 recording" in done.stderr, done.stderr
    assert _media_files(folder) == [original.name]  # the person's file stays
    assert original.read_bytes() == b"a file of the person's own"
    assert [_sha(p) for p in _kept(folder)] == [template[1]]


_NESTED_DELETE = """
from storage import Project
with Project.open({folder!r}) as project, project.transaction():
    (session,) = project.sessions.all()
    project.sessions.delete_session(session.id)
    project.set_meta("after_the_deletion", "x")  # the outer transaction goes on
"""


def test_a_deletion_inside_an_outer_transaction_moves_the_audio_only_once_committed(
    template: tuple[Path, str], tmp_path: Path
) -> None:
    """(As resolving a conflict by keeping a session's deletion does.) Before, the audio went
    to media/.deleted/ when the inner block ended: killed (or rolled back) before the outer
    commit, the session was back and its recording gone from media/."""
    folder = _copy(template[0], tmp_path)
    with Project.open(folder) as project:
        with pytest.raises(ZeroDivisionError), project.transaction():
            (session,) = project.sessions.all()
            project.sessions.delete_session(session.id)
            1 / 0  # noqa: B018 - the outer transaction fails
        assert project.sessions.media_path(session.id).is_file()
    assert _kept(folder) == []
    code = _NESTED_DELETE.format(folder=str(folder))
    run_code_killed_at("storage.project:put_meta", code, after=True)
    done = run_cli("languages", folder, "--set", "ru")  # the next open for writing
    assert done.returncode == 0, done.stderr
    assert count(folder, "sessions") == 1  # the deletion never committed
    path = str(rows(folder, "SELECT path FROM media")[0][0])
    assert _sha(folder / path) == template[1] and _kept(folder) == []
