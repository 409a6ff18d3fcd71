"""The project journal (memos with no target: ``Codebook.add_memo("journal", None, ...)``)
killed (SIGKILL) while it is written, and while a .qdpx import moves the notes an earlier import
kept there to their places (``qdpx_import.note_places.from_journal``): every journal write and
every move is all or nothing, and the same import run again ends as an uninterrupted one.

A .qdpx imported into an existing project used to copy its recordings straight under their own
names in ``media/`` inside its transaction: killed before the commit, they stayed there named by
no row. They are now listed before each is written (``atomic.renaming``) and the next open for
writing removes them (``test_qdpx_import_into_a_project_killed_leaves_no_stray_audio``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main as cli_main
from storage import Project
from storage.interop import import_qdpx
from tests.crash_support import integrity, rows, run_cli, run_code_killed_at, run_killed_at
from tests.hardening_support import make_project, tone_wav
from tests.test_interop_other_tools import DATA, content

LACKING, WHOLE = DATA / "bad_missing_source.qdpx", DATA / "qualcoder.qdpx"
MOVE = "storage.interop.qdpx_import.people:from_journal"  # (as the import calls it)


def _journal(folder: Path) -> dict[str, str]:
    with Project.open(folder, readonly=True) as p:
        return {m.id: m.text for m in p.codebook.memos() if m.target_type == "journal"}


@pytest.fixture(scope="module")
def kept(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose journal holds two notes of a file lacking a source's text, one edited
    by the researcher since."""
    folder = tmp_path_factory.mktemp("journal") / "p.fieldscribe"
    import_qdpx(LACKING, folder, coder="me")
    journal = _journal(folder)
    assert len(journal) == 2
    with Project.open(folder) as p:
        memo = next(i for i, text in journal.items() if "клиника" in text)
        p.codebook.update_memo(memo, "Она избегает слова клиника.")
    return folder


@pytest.fixture(scope="module")
def moved(kept: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """What the whole file's import, uninterrupted, makes of it."""
    folder = tmp_path_factory.mktemp("moved") / "p.fieldscribe"
    shutil.copytree(kept, folder)
    done = run_cli("qdpx", "import", WHOLE, folder)
    assert done.returncode == 0, done.stderr
    assert _journal(folder) == {}  # both moved to their places
    return content(folder)


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(nth=st.integers(1, 2), after=st.booleans())
def test_notes_moved_out_of_the_journal_killed_move_all_or_none(
    kept: Path,
    moved: dict[str, object],
    tmp_path_factory: pytest.TempPathFactory,
    nth: int,
    after: bool,
) -> None:
    folder = tmp_path_factory.mktemp("killed") / "p.fieldscribe"
    shutil.copytree(kept, folder)
    before = content(folder)
    run_killed_at(MOVE, "qdpx", "import", WHOLE, folder, nth=nth, after=after)
    assert integrity(folder) == "ok"
    assert content(folder) == before  # no note both in the journal and in its place
    again = run_cli("qdpx", "import", WHOLE, folder)
    assert again.returncode == 0, again.stderr
    assert content(folder) == moved


_WRITES = {
    # what the journal's window does: add a note, edit one, delete one
    "add": ("sqlite_utils.db:Table.insert", "p.codebook.add_memo('journal', None, 'New note')"),
    "edit": ("sqlite_utils.db:Table.update", "p.codebook.update_memo(MEMO, 'Changed')"),
    "delete": ("storage.core.store:Store.tombstone", "p.codebook.delete_memo(MEMO)"),
}


@pytest.mark.parametrize("write", sorted(_WRITES))
def test_a_journal_write_killed_before_its_commit_changes_nothing(
    kept: Path, tmp_path: Path, write: str
) -> None:
    folder = tmp_path / "p.fieldscribe"
    shutil.copytree(kept, folder)
    before = _journal(folder)
    target, call = _WRITES[write]
    code = (
        "from storage import Project\n"
        f"p = Project.open({str(folder)!r})\n"
        f"MEMO = {sorted(before)[0]!r}\n"
        f"{call}\n"
    )
    run_code_killed_at(target, code, after=True)  # written, not committed
    assert integrity(folder) == "ok"
    assert _journal(folder) == before
    assert rows(folder, "SELECT count(*) FROM deletions WHERE row_id IN (?, ?)", tuple(before)) == [
        (0,)
    ]


def test_qdpx_import_into_a_project_killed_leaves_no_stray_audio(tmp_path: Path) -> None:
    lead = tmp_path / "lead.fieldscribe"
    make_project(lead, tone_wav(tmp_path / "tone.wav"))
    qdpx = tmp_path / "lead.qdpx"
    assert cli_main(["qdpx", "export", str(lead), "-o", str(qdpx)]) == 0
    folder = tmp_path / "other.fieldscribe"
    make_project(folder, tone_wav(tmp_path / "other.wav", seconds=2.0, freq=300.0))
    known = {p.name for p in (folder / "media").iterdir()}

    # the recording written under its own name in media/, the transaction not committed
    run_killed_at("storage.core.audio:probe", "qdpx", "import", qdpx, folder, after=True)
    assert integrity(folder) == "ok"
    strays = {p.name for p in (folder / "media").iterdir() if p.name[0] != "."} - known
    assert len(strays) == 1
    done = run_cli("languages", folder, "--set", "ru")
    assert done.returncode == 0 and "removed 1 audio copy" in done.stderr, done.stderr
    assert {p.name for p in (folder / "media").iterdir()} == known

    again = run_cli("qdpx", "import", qdpx, folder)
    assert again.returncode == 0, again.stderr
    named = {Path(str(r[0])).name for r in rows(folder, "SELECT path FROM media")}
    assert {p.name for p in (folder / "media").iterdir()} == named and len(named) == 2
