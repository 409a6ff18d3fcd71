"""A project from before code names were compared without case, holding "Trust" and "trust"
under one parent (made here with SQL, as the older rule allowed), merges bundles: no coding is
lost, nothing crashes, and a coder's copy keeps taking the lead's bundles afterwards."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from storage import Project, SegmentDraft
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles


def _old_pair(tmp_path: Path) -> tuple[list[str], str, str]:
    """The lead (closed): segments, "Отношение/Trust" and, beside it, "trust" (inserted)."""
    lead = Project.create(tmp_path / "lead.fieldscribe", name="L", coder="lead")
    session = lead.sessions.add_session("S")
    drafts = [SegmentDraft(i * 1000, i * 1000 + 900, f"Сегмент {i} про доверие") for i in range(6)]
    segs = [s.id for s in lead.transcript.add_segments(session.id, drafts)]
    upper = lead.codebook.ensure_code_path("Отношение/Trust").id
    lead.close()
    conn = sqlite3.connect(tmp_path / "lead.fieldscribe" / "project.db")
    cols = [r[1] for r in conn.execute("PRAGMA table_info(codes)")]
    row = dict(
        zip(
            cols, conn.execute("SELECT * FROM codes WHERE id = ?", (upper,)).fetchone(), strict=True
        )
    )
    lower = str(uuid.uuid4())
    # a second after "Trust" (a fixed date went stale: after it "trust" was the older one)
    later = datetime.fromisoformat(row["created_at"].replace("Z", "+00:00")) + timedelta(seconds=1)
    row.update(id=lower, name="trust", created_at=later.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z")
    row["updated_at"] = row["created_at"]
    conn.execute(
        f"INSERT INTO codes ({','.join(row)}) VALUES ({','.join('?' * len(row))})", [*row.values()]
    )
    conn.commit()
    conn.close()
    return segs, upper, lower


def _units(project: Project) -> set[tuple[str, str, object, object]]:
    return {(c.segment_id, c.coder, c.start_cp, c.end_cp) for c in project.codebook.codings()}


def test_a_coders_copy_takes_the_lead_s_bundle_after_the_lead_merged_trust_and_trust(
    tmp_path: Path,
) -> None:
    segs, upper, lower = _old_pair(tmp_path)
    lead = Project.open(tmp_path / "lead.fieldscribe")
    lead.codebook.apply_code(segs[0], upper)
    lead.codebook.apply_code(segs[1], lower)
    export_bundle(lead, tmp_path / "lead.fsbundle")
    lead.close()
    coder = Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "b.fieldscribe", coder="b")
    coder.codebook.apply_code(segs[3], lower)  # one segment coded with both spellings
    coder.codebook.apply_code(segs[3], upper)
    coder.codebook.apply_code(segs[5], lower, start_cp=0, end_cp=7)
    export_bundle(coder, tmp_path / "b.fsbundle")
    coder.close()
    lead = Project.open(tmp_path / "lead.fieldscribe")
    merge_bundles(lead, [tmp_path / "b.fsbundle"])  # the two codes become one, the oldest
    assert [c.path for c in lead.codebook.codes()] == ["Отношение", "Отношение/Trust"]
    units = _units(lead)
    assert units == {
        (segs[0], "lead", None, None),
        (segs[1], "lead", None, None),
        (segs[3], "b", None, None),
        (segs[5], "b", 0, 7),
    }
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    lead.close()
    coder = Project.open(tmp_path / "b.fieldscribe")
    coder.codebook.apply_code(segs[2], lower)  # coded meanwhile, on the lower spelling
    merge_bundles(coder, [tmp_path / "lead2.fsbundle"])  # refused before: codings_unique
    assert [c.path for c in coder.codebook.codes()] == ["Отношение", "Отношение/Trust"]
    assert _units(coder) == units | {(segs[2], "b", None, None)}
    # the lead's deletion of "trust", held open for b's coding, went with the merge
    assert coder.team.conflicts() == []
    export_bundle(coder, tmp_path / "b2.fsbundle")
    coder.close()
    lead = Project.open(tmp_path / "lead.fieldscribe")
    merge_bundles(lead, [tmp_path / "b2.fsbundle"])
    assert _units(lead) == units | {(segs[2], "b", None, None)}
    lead.close()
