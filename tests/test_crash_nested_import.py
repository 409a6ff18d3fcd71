"""A ``qdpx import`` (or an audio import) run inside an outer transaction, whose commit is the one
that counts: the list of the copies taking their names in ``media/`` lives until that commit.

Before, the inner import removed its list when its own (nested, savepoint) block ended: killed
(SIGKILL) before the outer commit, its audio stayed in ``media/`` under a name no row had and
no list named, for good; and an outer transaction that rolled back left the copies there too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import Project
from storage.interop.qdpx_import import import_qdpx_into
from tests.crash_support import count, integrity, rows, run_cli, run_code_killed_at
from tests.hardening_support import make_project, tone_wav


def _known(folder: Path) -> set[str]:
    return {Path(str(r[0])).name for r in rows(folder, "SELECT path FROM media")}


def _on_disk(folder: Path) -> set[str]:
    return {p.name for p in (folder / "media").iterdir() if not p.name.startswith(".")}


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A ``.qdpx`` carrying one session's audio (from another project)."""
    other = tmp_path / "Other.fieldscribe"
    make_project(other, tone_wav(tmp_path / "other.wav", seconds=2.0, freq=300.0))
    qdpx = tmp_path / "other.qdpx"
    done = run_cli("qdpx", "export", other, "-o", qdpx)
    assert done.returncode == 0, done.stderr
    return qdpx


_NESTED = """
from storage import Project
from storage.interop import qdpx_import
with Project.open({folder!r}) as project, project.transaction():
    qdpx_import.import_qdpx_into(project, {archive!r})
    project.set_meta("after_the_import", "x")  # the outer transaction goes on
"""


def test_a_nested_qdpx_import_killed_before_the_outer_commit_leaves_no_audio(
    tmp_path: Path, archive: Path
) -> None:
    folder = tmp_path / "Study.fieldscribe"
    make_project(folder, tone_wav(tmp_path / "first.wav"))
    before = _on_disk(folder)
    code = _NESTED.format(folder=str(folder), archive=str(archive))
    # killed once the import has returned (its copies renamed), before the outer commit
    run_code_killed_at("storage.interop.qdpx_import:import_qdpx_into", code, after=True)
    assert integrity(folder) == "ok" and count(folder, "sessions") == 1
    assert len(_on_disk(folder) - _known(folder)) == 1  # the copy, under its own name

    done = run_cli("languages", folder, "--set", "ru")  # the next write
    assert done.returncode == 0, done.stderr
    told = [line for line in done.stderr.splitlines() if "killed before its commit" in line]
    assert len(told) == 1 and "removed 1 audio copy" in told[0], done.stderr
    assert _on_disk(folder) == _known(folder) == before
    assert not [p for p in (folder / "media").iterdir() if p.name.startswith(".renaming-")]


class _Rollback(Exception):
    pass


def test_a_nested_import_whose_outer_transaction_rolls_back_leaves_no_audio(
    tmp_path: Path, archive: Path
) -> None:
    folder = tmp_path / "Study.fieldscribe"
    make_project(folder, tone_wav(tmp_path / "first.wav"))
    before = _on_disk(folder)
    extra = tone_wav(tmp_path / "extra.wav", seconds=2.0, freq=500.0)
    with Project.open(folder) as project:
        with pytest.raises(_Rollback), project.transaction():
            import_qdpx_into(project, archive)
            project.sessions.import_audio(extra, title="Extra")
            assert len(_on_disk(folder)) == len(before) + 2
            raise _Rollback
        assert count(folder, "sessions") == 1
        assert _on_disk(folder) == _known(folder) == before
        assert not [p for p in (folder / "media").iterdir() if p.name.startswith(".")]
        # and nested blocks that commit keep their copies, the list gone at the outer commit
        with project.transaction():
            import_qdpx_into(project, archive)
            project.sessions.import_audio(extra, title="Extra")
            assert [p for p in (folder / "media").iterdir() if p.name.startswith(".renaming-")]
        assert not [p for p in (folder / "media").iterdir() if p.name.startswith(".renaming-")]
    assert count(folder, "sessions") == 3
    assert _on_disk(folder) == _known(folder) and len(_known(folder)) == 3
