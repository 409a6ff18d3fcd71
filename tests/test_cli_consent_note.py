"""The note that consent to export is unknown comes after the export is written, never above
a refusal. ``export-codings DIR --output ' '`` (found by test_cli_fuzz) printed "note: consent
to export is unknown for “Interview”: S1 ...; exported all the same." and then "fieldscribe:
error: ...: coded segments are exported to .csv or .xlsx files.": it said exported for an export
refused, and a refusal is one line."""

from __future__ import annotations

from pathlib import Path

from storage import Project
from storage.transcript.transcript import SegmentDraft
from tests.test_cli import fs


def _coded_interview(tmp_path: Path) -> tuple[Path, str]:
    """A coded interview whose speaker is linked to nobody: consent to export unknown."""
    folder = tmp_path / "I.fieldscribe"
    with Project.create(folder, name="I", coder="lead") as p:
        sid = p.sessions.add_session("Interview", "interview").id
        [seg] = p.transcript.add_segments(sid, [SegmentDraft(0, 900, "Су нашар.", speaker="S1")])
        p.codebook.apply_code(seg.id, p.codebook.ensure_code_path("Су").id)
    return folder, sid


def test_a_refused_export_says_one_line_and_no_note(tmp_path: Path) -> None:
    folder, sid = _coded_interview(tmp_path)
    for args in (
        ("export-codings", folder, "--output", tmp_path / "codings.txt"),
        ("export", folder, "--session", sid, "--format", "txt", "-o", tmp_path / "no" / "t.txt"),
    ):
        said = fs(*args, ok=False)
        assert said.returncode == 1, said.stderr
        lines = said.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("fieldscribe: error: "), said.stderr


def test_a_written_export_still_notes_the_unknown_consent(tmp_path: Path) -> None:
    folder, sid = _coded_interview(tmp_path)
    for args in (
        ("export-codings", folder, "--output", tmp_path / "codings.csv"),
        ("export", folder, "--session", sid, "--format", "txt", "-o", tmp_path / "t.txt"),
        ("qdpx", "export", folder, "-o", tmp_path / "p.qdpx"),
    ):
        said = fs(*args)
        assert said.stdout.startswith("Wrote"), said.stdout
        assert said.stderr.startswith("note: consent to export is unknown for “Interview”"), (
            said.stderr
        )
