"""What `pseudonym --apply` and `redact --destroy` remove, and where (docs/PRIVACY.md).

The raw bytes of project.db, project.db-wal and project.db-shm are searched after each
operation, with a merge conflict open on the segment and another connection reading the file.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from storage import Project
from storage.core.errors import AudioError, InUseError
from storage.history.undo import UndoScope
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.media import espeak
from tests.teamwork_helpers import team
from tests.test_privacy_destroy import TEXT, _seed

NAME = "Zhumabekova"  # a real name, mapped to a pseudonym
PLACE = "Shymkentbay"  # a place, redacted and destroyed


def _hits(folder: Path, word: str) -> list[str]:
    """Files of project.db* whose raw bytes hold ``word`` (UTF-8, any case)."""
    found = []
    for p in sorted(folder.iterdir()):
        if p.name.startswith("project.db") and p.is_file():
            data = p.read_bytes().lower()
            if word.lower().encode() in data:
                found.append(p.name)
    return found


@pytest.fixture
def conflicted(tmp_path: Path) -> tuple[Project, str]:
    """A lead with an open conflict on a segment whose every version names NAME and PLACE."""
    lead, segs, coders = team(tmp_path, "alice", "bob")
    seg = segs[1]
    coders["alice"].transcript.update_segment(seg, text=f"alice: {NAME} lives in {PLACE} now")
    coders["bob"].transcript.update_segment(seg, text=f"bob: {NAME} moved to {PLACE} last year")
    for name, p in coders.items():
        export_bundle(p, tmp_path / f"{name}.fsbundle")
        p.close()
    merge_bundles(lead, [tmp_path / "alice.fsbundle", tmp_path / "bob.fsbundle"])
    (conflict,) = lead.team.conflicts()
    assert conflict.row_id == seg and all(NAME in v.values["text"] for v in conflict.versions)
    lead.codebook.add_memo("segment", seg, f"{NAME} asked us to change her name")
    lead.store.checkpoint()
    return lead, seg


def _reader(folder: Path) -> sqlite3.Connection:
    """A second connection with an open read transaction (another program reading the file)."""
    conn = sqlite3.connect(folder / "project.db", isolation_level=None)
    conn.execute("BEGIN")
    conn.execute("SELECT count(*) FROM segments").fetchone()
    return conn


def test_pseudonyms_reach_conflicts_memos_undo_and_the_raw_file(
    conflicted: tuple[Project, str],
) -> None:
    lead, seg = conflicted
    folder = lead.folder
    lead.privacy.set_pseudonym(NAME, "P07")
    _, record = lead.history.record_edit(
        UndoScope.of(segments=[seg]),
        lambda: lead.transcript.update_segment(seg, text=f"{NAME} said so in {PLACE}"),
    )
    assert _hits(folder, NAME)  # before: everywhere

    reader = _reader(folder)  # an old snapshot pinned: refused before anything changes
    with pytest.raises(InUseError, match=r"another program is reading project\.db"):
        lead.privacy.apply_pseudonyms()
    assert NAME in lead.transcript.get_segment(seg).text
    reader.close()

    lead.privacy.apply_pseudonyms()
    assert NAME not in lead.transcript.get_segment(seg).text
    (conflict,) = lead.team.conflicts()
    assert all(NAME not in json.dumps(v.values) for v in conflict.versions)
    assert all("P07" in v.values["text"] for v in conflict.versions)
    assert all(NAME not in (m.text + (m.title or "")) for m in lead.codebook.memos())
    with pytest.raises(InUseError, match="can no longer be undone"):
        lead.history.undo_edit(record)
    assert NAME not in lead.transcript.get_segment(seg).text
    # the only copy left is the mapping itself (real name -> pseudonym), by design
    with lead.store.tx() as db:
        db.conn.execute("DELETE FROM pseudonyms")
    lead.privacy.apply_pseudonyms()  # nothing left to replace; wipes again
    assert _hits(folder, NAME) == []
    # resolving keeps the pseudonymised text (it used to bring the real name back)
    lead.team.resolve_conflict(conflict.id, keep=0)
    assert NAME not in lead.transcript.get_segment(seg).text
    lead.store.checkpoint()
    assert _hits(folder, NAME) == []


def test_destroy_reaches_conflicts_and_the_raw_file_with_a_reader(
    conflicted: tuple[Project, str],
) -> None:
    lead, seg = conflicted
    folder = lead.folder
    text = lead.transcript.get_segment(seg).text
    start = text.index(PLACE)
    red = lead.redactions.redact(seg, start, start + len(PLACE), "PLACE")
    lead.store.checkpoint()
    # a reader whose snapshot is current: the operation runs, but the wipe cannot complete
    reader = _reader(folder)
    with pytest.raises(InUseError, match=r"another program holds project\.db open"):
        lead.redactions.destroy_redactions([red.id])
    assert PLACE not in lead.transcript.get_segment(seg).text  # gone from the tables
    reader.close()
    lead.redactions.destroy_redactions([red.id])  # again: nothing left to destroy, wipes
    (conflict,) = lead.team.conflicts()
    assert all(PLACE not in json.dumps(v.values) for v in conflict.versions)
    assert all("[PLACE]" in v.values["text"] for v in conflict.versions)
    assert _hits(folder, PLACE) == []
    lead.team.resolve_conflict(conflict.id, keep=0)
    assert PLACE not in lead.transcript.get_segment(seg).text


def test_redact_destroy_of_a_new_span_that_fails_changes_nothing(
    project: Project, tmp_path: Path
) -> None:
    speech = espeak(tmp_path / "speech.wav", TEXT)
    session_id, seg_id, _ = _seed(project, speech, words=False)
    project.sessions.media_path(session_id).write_bytes(b"RIFF" + b"\x00" * 64)
    dump = list(project.db.conn.iterdump())
    with pytest.raises(AudioError):
        project.redactions.destroy_span(seg_id, 0, 2, "PLACE")
    assert list(project.db.conn.iterdump()) == dump  # no redaction, tombstone or audit entry
