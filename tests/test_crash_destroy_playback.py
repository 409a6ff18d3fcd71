"""``redact --destroy`` killed (SIGKILL) after its commit, before the silenced copy took the clear
recording's place: the redacted words are destroyed, the clear audio still lies in ``media/``.

Exports refused to carry it, but everything else that reads a session's recording (the
workbench's player and waveform, transcription, telling speakers apart: all through
``Sessions.media_path``) still read the clear file whenever the open could not finish the
destroy: a project opened read-only, or one whose silenced copy was lost. Now ``media_path``
refuses in one line while the destroy is unfinished, and an open for writing finishes it first
(the clear audio is gone, then the recording plays).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from storage import Project
from storage.core.errors import AudioError, UnfinishedDestroyError
from storage.transcript.transcript import SegmentDraft
from tests.crash_support import rows, run_killed_at
from tests.hardening_support import fingerprint, tone_wav


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def half_destroyed(tmp_path: Path) -> tuple[Path, str, Path]:
    """A project whose destroy was killed after its commit; its session id and clear file."""
    folder = tmp_path / "Study.fieldscribe"
    with Project.create(folder, name="Study", coder="coder-a") as project:
        session = project.sessions.import_audio(tone_wav(tmp_path / "tone.wav", seconds=2.0))
        (segment,) = project.transcript.add_segments(
            session.id, [SegmentDraft(0, 900, "Anna said the clinic opened")]
        )
        project.redactions.redact(segment.id, 0, 4, "name")
    clear = folder / str(rows(folder, "SELECT path FROM media")[0][0])
    clear_sha = _sha(clear)
    run_killed_at("storage.privacy.redaction:finish", "redact", folder, "--destroy", "--all")
    assert _sha(clear) == clear_sha  # the kill left the clear recording
    return folder, session.id, clear


def test_read_only_nothing_reads_the_clear_recording(
    half_destroyed: tuple[Path, str, Path],
) -> None:
    folder, session_id, clear = half_destroyed
    before = fingerprint(folder)
    with Project.open(folder, readonly=True) as project:
        with pytest.raises(UnfinishedDestroyError) as told:
            project.sessions.media_path(session_id)
    message = str(told.value)
    assert "\n" not in message and str(clear) in message and "redact --destroy" in message
    assert "can be written" in message  # what finishes it
    assert fingerprint(folder) == before  # nothing changed

    with Project.open(folder) as project:  # an open for writing finishes the destroy first
        played = project.sessions.media_path(session_id)
        assert played == clear and _sha(played) == str(
            rows(folder, "SELECT sha256 FROM media")[0][0]
        )


def test_a_lost_silenced_copy_keeps_the_clear_recording_unread(
    half_destroyed: tuple[Path, str, Path],
) -> None:
    folder, session_id, clear = half_destroyed
    (silenced,) = (folder / "media").glob(".*.redacted.*")
    silenced.unlink()  # the open for writing cannot finish it now
    for readonly in (False, True):
        with Project.open(folder, readonly=readonly) as project:
            with pytest.raises(UnfinishedDestroyError, match="silenced copy is missing"):
                project.sessions.media_path(session_id)
    clear.unlink()  # the person deleted it, as the message asks: the destroy is done
    with Project.open(folder) as project:
        with pytest.raises(AudioError, match="missing from the project") as told:
            project.sessions.media_path(session_id)
        assert not isinstance(told.value, UnfinishedDestroyError)
