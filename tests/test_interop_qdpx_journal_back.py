"""Notes an import kept in the journal because the text of their source was missing from the
.qdpx move to their source when the whole file is imported later: one copy, where the whole file
alone puts them (they stayed in the journal, a second copy of each beside the one on the
source). What the researcher wrote in the journal meanwhile moves with them, a note deleted
there stays deleted, and importing the whole file once more changes nothing."""

from __future__ import annotations

from pathlib import Path

from storage import Project
from storage.interop import import_qdpx
from tests.test_interop_other_tools import DATA, content

LACKING, WHOLE = DATA / "bad_missing_source.qdpx", DATA / "qualcoder.qdpx"


def _journal(folder: Path) -> dict[str, str]:
    with Project.open(folder, readonly=True) as p:
        return {m.text: m.id for m in p.codebook.memos() if m.target_type == "journal"}


def test_unedited_notes_move_and_a_third_import_adds_nothing(tmp_path: Path) -> None:
    folder, alone = tmp_path / "p", tmp_path / "alone"
    import_qdpx(LACKING, folder, coder="me")
    assert sorted(_journal(folder)) == sorted(
        ["Проверить расстояние.", "She avoids the word клиника."]
    )
    report = import_qdpx(WHOLE, folder, coder="me")
    assert any(
        n.startswith("2 notes kept in the journal by an earlier import") for n in report.notes
    )
    import_qdpx(WHOLE, alone, coder="me")
    assert content(folder) == content(alone)
    import_qdpx(WHOLE, folder, coder="me")
    assert content(folder) == content(alone)


def test_notes_edited_in_the_journal_move_with_the_edits(tmp_path: Path) -> None:
    folder, alone = tmp_path / "p", tmp_path / "alone"
    import_qdpx(LACKING, folder, coder="me")
    ids = _journal(folder)
    with Project.open(folder) as p:
        p.codebook.update_memo(ids["She avoids the word клиника."], "Она избегает слова клиника.")
        p.codebook.update_memo(ids["Проверить расстояние."], "Проверено: 40 км.")
    import_qdpx(WHOLE, folder, coder="me")
    import_qdpx(WHOLE, alone, coder="me")
    got, whole = content(folder), content(alone)
    assert got["memos"] == sorted(
        [m for m in whole["memos"] if m[2] != "She avoids the word клиника."]  # type: ignore[attr-defined]
        + [("session", "colin", "Она избегает слова клиника.")]
    )
    assert got["coding memos"] == ["Сорок минут: Проверено: 40 км."]
    for same in ("codes", "codings", "segments", "participants"):
        assert got[same] == whole[same], same
    import_qdpx(WHOLE, folder, coder="me")  # the file's older texts do not come back beside them
    assert content(folder) == got


def test_a_note_deleted_from_the_journal_stays_deleted(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    import_qdpx(LACKING, folder, coder="me")
    with Project.open(folder) as p:
        p.codebook.delete_memo(_journal(folder)["She avoids the word клиника."])
    import_qdpx(WHOLE, folder, coder="me")
    got = content(folder)
    assert all("клиника" not in m[2] for m in got["memos"])  # type: ignore[attr-defined]
    assert got["coding memos"] == ["Сорок минут: Проверить расстояние."]


def test_a_note_on_a_missing_transcript_moves_to_its_coding(tmp_path: Path) -> None:
    """The same for a recording whose transcript's text was missing: the note on its coded
    passage becomes the coding's memo, the journal keeps only the note that belongs there."""
    from tests.interop_support import write_qdpx
    from tests.test_interop_qdpx_losses_named import _av_files, _av_qde, _g

    whole = _av_files(tmp_path)
    cut = {k: v for k, v in whole.items() if _g(60) not in k}
    folder = tmp_path / "p"
    import_qdpx(write_qdpx(tmp_path / "cut.qdpx", _av_qde(), cut), folder, coder="me")
    assert sorted(_journal(folder)) == ["Бәрі жақсы.", "Емхана жабылды."]
    import_qdpx(write_qdpx(tmp_path / "whole.qdpx", _av_qde(), whole), folder, coder="me")
    assert sorted(_journal(folder)) == ["Бәрі жақсы."]
    with Project.open(folder, readonly=True) as p:
        assert [c.memo for c in p.codebook.codings()] == ["Емхана жабылды."]
