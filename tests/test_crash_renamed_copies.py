"""An import or a merge killed (SIGKILL) in the instant between renaming its audio copies into
``media/`` and committing the rows that name them: the next open for writing removes those
copies (only files its own staging listed, never a file the person put there), says so in one
line, and the same command run again leaves exactly the files the project knows.

Before, a copy renamed just before the commit and then killed stayed in ``media/`` for good,
under a name no row had: a copy of the interview nobody could see or remove from FieldScribe.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.crash_support import count, integrity, rows, run_cli, run_killed_at
from tests.hardening_support import make_project, tone_wav


def _known(folder: Path) -> set[str]:
    return {Path(str(r[0])).name for r in rows(folder, "SELECT path FROM media")}


def _on_disk(folder: Path) -> set[str]:
    return {p.name for p in (folder / "media").iterdir()}


def _swept_by_the_next_write(folder: Path, strays: int) -> None:
    """A user's own file in media/ stays; the killed command's copies go, said once."""
    mine = folder / "media" / "my-backup.wav"
    mine.write_bytes(b"RIFF-the person's own file")
    # under their own names, no row naming them (beside the hidden .part of the other)
    assert len({n for n in _on_disk(folder) - _known(folder) if n[0] != "."}) == strays + 1
    done = run_cli("languages", folder, "--set", "ru")
    assert done.returncode == 0, done.stderr
    told = [line for line in done.stderr.splitlines() if "killed before its commit" in line]
    assert len(told) == 1 and f"removed {strays} audio cop" in told[0], done.stderr
    assert _on_disk(folder) == _known(folder) | {"my-backup.wav"}
    assert mine.read_bytes() == b"RIFF-the person's own file"
    mine.unlink()


@pytest.mark.parametrize("nth", [1, 2])  # one of two copies renamed, or both
def test_import_killed_between_rename_and_commit(tmp_path: Path, nth: int) -> None:
    folder = tmp_path / "Study.fieldscribe"
    make_project(folder, tone_wav(tmp_path / "first.wav"))
    files = [tone_wav(tmp_path / f"new{i}.wav", seconds=2.0, freq=300.0 + 50 * i) for i in range(2)]

    run_killed_at("os:replace", "import", folder, *files, nth=nth, after=True)
    assert integrity(folder) == "ok" and count(folder, "sessions") == 1
    _swept_by_the_next_write(folder, strays=nth)

    done = run_cli("import", folder, *files)
    assert done.returncode == 0, done.stderr
    assert count(folder, "sessions") == 3
    assert _on_disk(folder) == _known(folder)


def test_merge_killed_between_rename_and_commit(tmp_path: Path) -> None:
    folder = tmp_path / "Study.fieldscribe"
    make_project(folder, tone_wav(tmp_path / "first.wav"))
    other = tmp_path / "Other.fieldscribe"
    make_project(other, tone_wav(tmp_path / "other.wav", seconds=3.0, freq=300.0))
    bundle = tmp_path / "other.fsbundle"
    assert run_cli("bundle", "export", other, "-o", bundle, "--with-media").returncode == 0
    merge = ("bundle", "merge", folder, bundle, "--allow-other-project")

    run_killed_at("os:replace", *merge, nth=1, after=True)
    assert integrity(folder) == "ok" and count(folder, "sessions") == 1
    _swept_by_the_next_write(folder, strays=1)

    done = run_cli(*merge)
    assert done.returncode == 0, done.stderr
    assert count(folder, "sessions") == count(folder, "media") == 2
    assert _on_disk(folder) == _known(folder)
