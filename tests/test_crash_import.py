"""``import`` killed (SIGKILL) while it copies recordings into ``media/``: the project is as it
was, and what the killed copy wrote goes at the next write, so that the same import run again
leaves exactly the files the project knows.

Before, a kill left the half-written ``media/.ID.wav.part`` (up to the size of the recording),
or, with several files, the finished copies of the first ones under their final names, none of
them known to the project and never removed: each crash of a long import cost the disk a copy
of the recordings.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.crash_support import count, integrity, rows, run_cli, run_killed_at
from tests.hardening_support import make_project, tone_wav


@pytest.mark.parametrize(
    ("nth", "after"),
    [
        (1, False),  # the first copy opened, nothing copied yet
        (1, True),  # the first copy written whole, not renamed
        (2, False),  # the first file copied, the second starting
        (3, True),  # all three copied, none committed
    ],
)
def test_import_killed_while_copying_leaves_no_stray_audio(
    tmp_path: Path, nth: int, after: bool
) -> None:
    folder = tmp_path / "Study.fieldscribe"
    make_project(folder, tone_wav(tmp_path / "first.wav"))
    files = [tone_wav(tmp_path / f"new{i}.wav", seconds=2.0, freq=300.0 + 50 * i) for i in range(3)]
    before = sorted(p.name for p in (folder / "media").iterdir())

    run_killed_at("shutil:copyfileobj", "import", folder, *files, nth=nth, after=after)
    assert integrity(folder) == "ok"
    assert count(folder, "sessions") == 1  # nothing half-imported shows

    done = run_cli("import", folder, *files)
    assert done.returncode == 0, done.stderr
    assert count(folder, "sessions") == 4
    known = {Path(str(r[0])).name for r in rows(folder, "SELECT path FROM media")}
    on_disk = {p.name for p in (folder / "media").iterdir()}
    assert on_disk == known, f"stray files: {sorted(on_disk - known)} (before: {before})"


def test_merge_killed_before_its_commit_leaves_no_stray_audio(tmp_path: Path) -> None:
    """The audio of a bundle made ``--with-media`` used to take its own name in ``media/`` as
    soon as it was copied: a merge killed before its commit left those copies, unknown to the
    project, for good (unless the same bundle was merged again)."""
    folder = tmp_path / "Study.fieldscribe"
    make_project(folder, tone_wav(tmp_path / "first.wav"))
    other = tmp_path / "Other.fieldscribe"
    make_project(other, tone_wav(tmp_path / "other.wav", seconds=3.0, freq=300.0))
    bundle = tmp_path / "other.fsbundle"
    assert run_cli("bundle", "export", other, "-o", bundle, "--with-media").returncode == 0
    merge = ("bundle", "merge", folder, bundle, "--allow-other-project")

    run_killed_at("storage.team.merge:MergeSession.commit", *merge)
    assert integrity(folder) == "ok" and count(folder, "sessions") == 1
    # the next FieldScribe to write the project (another command) finds nothing stray
    assert run_cli("languages", folder, "--set", "ru").returncode == 0
    known = {Path(str(r[0])).name for r in rows(folder, "SELECT path FROM media")}
    assert {p.name for p in (folder / "media").iterdir()} == known

    done = run_cli(*merge)
    assert done.returncode == 0, done.stderr
    assert count(folder, "sessions") == count(folder, "media") == 2
    known = {Path(str(r[0])).name for r in rows(folder, "SELECT path FROM media")}
    assert {p.name for p in (folder / "media").iterdir()} == known
