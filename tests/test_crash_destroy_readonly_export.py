"""An export from a project opened read-only while a ``redact --destroy`` killed (SIGKILL) after its
commit has not swapped the audio yet: the text is destroyed, the clear recording still lies in
``media/`` (the silenced copy waits beside it), and only an open for writing finishes the swap.

Exports open the project for writing when they can (``cli.common.open_for_export``): that open
finishes the swap first. When the folder cannot be written (a read-only USB stick, a shared
drive; here: ``project.lock`` cannot be opened, which is what decides "read-only" there) the
export opens it read-only. Before, ``bundle export --with-media`` and ``qdpx export`` then
carried the clear recording whose redacted words had just been destroyed. Now an export that
would carry the audio refuses in one line, and the project and the output path stay as they
were; without the audio it goes on.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from storage import Project
from storage.core.errors import AudioError
from storage.team.bundle_export import export_bundle
from storage.transcript.transcript import SegmentDraft
from tests.crash_support import rows, run_cli, run_killed_at
from tests.hardening_support import fingerprint, tone_wav

TEXTS = ["Anna said the clinic opened", "then Boris waited an hour"]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def half_destroyed(tmp_path: Path) -> tuple[Path, str]:
    """A project whose destroy was killed after its commit, before the audio swap, with its
    folder unwritable for FieldScribe; and the clear recording's sha256."""
    folder = tmp_path / "Study.fieldscribe"
    with Project.create(folder, name="Study", coder="coder-a") as project:
        session = project.sessions.import_audio(tone_wav(tmp_path / "tone.wav", seconds=3.0))
        segments = project.transcript.add_segments(
            session.id,
            [SegmentDraft(i * 1000, i * 1000 + 900, text) for i, text in enumerate(TEXTS)],
        )
        start = segments[0].text.index("Anna")
        project.redactions.redact(segments[0].id, start, start + 4, "name")
    path = str(rows(folder, "SELECT path FROM media")[0][0])
    clear = _sha((folder / path).read_bytes())
    run_killed_at("storage.privacy.redaction:finish", "redact", folder, "--destroy", "--all")
    assert (folder / path).is_file() and _sha((folder / path).read_bytes()) == clear
    # the lock file cannot be opened for writing: the open for writing says the folder is
    # read-only (as a PermissionError on a write-protected stick does; root ignores chmod)
    lock = folder / "project.lock"
    lock.unlink(missing_ok=True)
    lock.mkdir()
    return folder, clear


def _members(archive: Path) -> list[bytes]:
    with zipfile.ZipFile(archive) as zf:
        return [zf.read(n) for n in zf.namelist() if not n.endswith((".db", ".qde", ".json"))]


@pytest.mark.parametrize(
    "command",
    [
        ("bundle", "export", "{dir}", "-o", "{out}", "--with-media"),
        ("qdpx", "export", "{dir}", "-o", "{out}"),
    ],
)
def test_an_export_read_only_refuses_the_clear_audio_of_an_unfinished_destroy(
    half_destroyed: tuple[Path, str], tmp_path: Path, command: tuple[str, ...]
) -> None:
    folder, clear = half_destroyed
    out = tmp_path / "out.zip"
    before = fingerprint(folder)
    done = run_cli(*(a.format(dir=folder, out=out) for a in command))
    assert "is read-only here" in done.stderr, done.stderr  # it went the read-only way
    if out.exists():  # before: written, with the clear recording in it
        assert clear not in [_sha(m) for m in _members(out)]
    assert done.returncode == 1, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("fieldscribe: error:")]
    assert len(errors) == 1 and "redact --destroy" in errors[0] and "clear" in errors[0]
    assert "Traceback" not in done.stderr
    assert not out.exists()
    assert fingerprint(folder) == before


def test_without_the_audio_the_read_only_export_goes_on(half_destroyed: tuple[Path, str]) -> None:
    folder, _ = half_destroyed
    with Project.open(folder, readonly=True) as project:
        with pytest.raises(AudioError, match="clear"):
            export_bundle(project, folder.parent / "b.fsbundle", with_media=True)
        assert not (folder.parent / "b.fsbundle").exists()
        export_bundle(project, folder.parent / "b.fsbundle", with_media=False)
    assert (folder.parent / "b.fsbundle").is_file()
