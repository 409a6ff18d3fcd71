"""A deleted session comes back whole: ``Sessions.restore_session`` writes back every row the
deletion copied into ``deleted_sessions`` (schema 0011) and moves its audio back into media/.
Before, ``delete_session`` kept only the audio: transcript, codings, memos and speakers were
gone for good (and a session with a redaction or a consent of its own could not be deleted at
all: a raw FOREIGN KEY error)."""

from __future__ import annotations

import math
import os
import sqlite3
import struct
import wave
import zipfile
from pathlib import Path
from typing import Any

import pytest

from storage import Project, SegmentDraft
from storage.core.errors import InvalidInputError, NotFoundError
from storage.core.ids import now_iso
from storage.privacy.models import ExportPrivacy
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import team

#: what a delete-then-restore may change, documented in ``storage.sessions.deleted``: the
#: restored rows' ``updated_at``, the versions and ``undeleted:`` markers it records, the FTS
#: index's internal pages (compared by searching instead)
_NOT_COMPARED_TABLES = {"row_versions", "deleted_sessions", "audit_log", "_sqlite_migrations"}


def tone(path: Path, seconds: float = 1.0, hz: int = 440) -> Path:
    """A real 16 kHz mono WAV of a sine tone."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        n = int(16000 * seconds)
        w.writeframes(
            b"".join(
                struct.pack("<h", int(8000 * math.sin(2 * math.pi * hz * i / 16000)))
                for i in range(n)
            )
        )
    return path


def state(project: Project) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the project (``updated_at`` and the FTS shadow tables left out)."""
    conn = project.store.conn
    result: dict[str, list[tuple[Any, ...]]] = {}
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'segments_fts%'"
    ).fetchall():
        if name in _NOT_COMPARED_TABLES:
            continue
        cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{name}")') if r[1] != "updated_at"]
        sel = ", ".join(f'"{c}"' for c in cols)
        rows = conn.execute(f'SELECT {sel} FROM "{name}"').fetchall()
        result[name] = sorted((tuple(r) for r in rows), key=repr)
    return result


def rich_session(project: Project, tmp: Path, title: str = "Focus group 2") -> dict[str, Any]:
    """A session with audio, segments, codings (one with a memo), memos on the session, a
    segment and a coding, a redaction, a speaker mapped to a participant with a consent, a
    speaker turn, a marker and a transcription state."""
    s = project.sessions.import_audio(tone(tmp / f"{title}.wav", 2.0), title=title)
    segs = project.transcript.add_segments(
        s.id,
        [
            SegmentDraft(0, 900, "Ivan said the clinic was closed.", "S1"),
            SegmentDraft(900, 1900, "Мы ждали врача три часа.", "S2"),
        ],
    )
    code = project.codebook.ensure_code_path("Services/Health")
    c1 = project.codebook.apply_code(segs[0].id, code.id)
    project.codebook.apply_code(segs[1].id, code.id, start_cp=3, end_cp=8)
    project.codebook.update_coding(c1.id, memo="key quote")
    project.codebook.add_memo("session", s.id, "Noisy room.")
    project.codebook.add_memo("segment", segs[1].id, "Check the translation.")
    project.codebook.add_memo("coding", c1.id, "Why closed?")
    project.redactions.redact(segs[0].id, 0, 4)
    person = project.sessions.add_participant("P01")
    project.sessions.map_speaker(s.id, "S1", person.id)
    project.consent.set_consent(person.id, session_id=s.id, recording=True, quotation=True)
    project.sessions.add_marker(s.id, 500, "door slams")
    with project.store.tx() as db:
        db.conn.execute(
            "INSERT INTO speaker_turns (id, session_id, run_id, run_at, start_ms, end_ms, "
            "speaker, created_by, created_at, updated_at) VALUES ('t1', ?, 'r1', '2026-01-01', "
            "0, 900, 'S1', 'coder-a', '2026-01-01', '2026-01-01')",
            (s.id,),
        )
        db.conn.execute(
            "INSERT INTO transcription_state (session_id, model, status, updated_at) "
            "VALUES (?, 'small', 'done', '2026-01-01')",
            (s.id,),
        )
    return {"session": s, "segments": segs, "code": code, "person": person}


def test_delete_then_restore_gives_the_project_back(project: Project, tmp_path: Path) -> None:
    other = project.sessions.add_session("Interview 1")
    project.transcript.add_segments(other.id, [SegmentDraft(0, 500, "Untouched words.")])
    made = rich_session(project, tmp_path)
    s = made["session"]
    audio = project.sessions.media_path(s.id)
    before = state(project)
    tombstones_before = before["deletions"]

    report = project.sessions.delete_session(s.id, force=True)
    assert report.removed == {
        "codings": 2,
        "segments": 2,
        "markers": 1,
        "session_speakers": 1,
        "speaker_turns": 1,
        "media": 1,
        "memos": 3,
        "redactions": 1,
        "consents": 1,
    }
    assert not audio.exists()
    assert [d.title for d in project.sessions.deleted_sessions()] == ["Focus group 2"]
    assert project.transcript.search("clinic") == []
    assert project.sessions.all() == [project.sessions.get_session(other.id)]

    restored = project.sessions.restore_session("focus group 2")  # its title, any case
    assert restored.describe() == [
        "Restored session 'Focus group 2' (2 segments, 2 codings, 3 memos)."
    ]
    after = state(project)
    assert after == before  # every row with its ids, tombstones gone (but the others')
    assert after["deletions"] == tombstones_before
    assert audio.is_file() and not any((project.media_dir / ".deleted").iterdir())
    assert [h.segment_id for h in project.transcript.search("clinic")] == [made["segments"][0].id]
    assert [h.segment_id for h in project.transcript.search("врача")] == [made["segments"][1].id]
    conn = project.store.conn
    conn.execute("INSERT INTO segments_fts (segments_fts) VALUES ('integrity-check')")
    assert project.sessions.deleted_sessions() == []
    # each restored row: the deletion it undid, for merges (storage/history/undo.py's marker)
    marks = conn.execute(
        "SELECT table_name, count(*) FROM row_versions WHERE version LIKE 'undeleted:%' "
        "GROUP BY table_name ORDER BY 1"
    ).fetchall()
    assert dict(marks) == {
        "codings": 2,
        "consents": 1,
        "markers": 1,
        "media": 1,
        "memos": 3,
        "redactions": 1,
        "segments": 2,
        "session_speakers": 1,
        "sessions": 1,
        "speaker_turns": 1,
    }


def test_the_copy_survives_a_restart_and_a_second_deletion(tmp_path: Path) -> None:
    folder = tmp_path / "P.fieldscribe"
    with Project.create(folder, coder="ann") as p:
        made = rich_session(p, tmp_path)
        p.sessions.delete_session(made["session"].id, force=True)
    with Project.open(folder, readonly=True) as p:
        (kept,) = p.sessions.deleted_sessions()
        assert (kept.title, kept.deleted_by, kept.counts["segments"]) == ("Focus group 2", "ann", 2)
        assert kept.audio == ["media/.deleted/Focus group 2.wav"]
    with Project.open(folder, coder="ann") as p:
        p.sessions.restore_session(made["session"].id[:8])  # the start of its id
        p.sessions.delete_session(made["session"].id, force=True)
        p.sessions.restore_session(made["session"].id)
        assert len(p.transcript.segments(made["session"].id)) == 2
        assert len(p.codebook.codings()) == 2


def test_bad_references_change_nothing(project: Project, tmp_path: Path) -> None:
    made = rich_session(project, tmp_path)
    with pytest.raises(NotFoundError, match="No deleted session with id or title 'nope'"):
        project.sessions.restore_session("nope")
    with pytest.raises(NotFoundError, match="Session 'Focus group 2' is not deleted"):
        project.sessions.restore_session("Focus group 2")
    before = state(project)
    project.sessions.delete_session(made["session"].id, force=True)
    twin = project.sessions.add_session("Twin")
    project.sessions.delete_session(twin.id)
    other = project.sessions.add_session("Twin")
    project.sessions.delete_session(other.id)
    deleted = state(project)
    with pytest.raises(InvalidInputError, match="'twin' names 2 deleted sessions"):
        project.sessions.restore_session("twin")
    assert state(project) == deleted
    project.sessions.restore_session(made["session"].id)
    assert state(project)["segments"] == before["segments"]


def test_a_title_taken_meanwhile_gets_restored(project: Project, tmp_path: Path) -> None:
    made = rich_session(project, tmp_path)
    project.sessions.delete_session(made["session"].id, force=True)
    project.sessions.add_session("focus group 2 ")
    report = project.sessions.restore_session(made["session"].id)
    assert report.title == "Focus group 2 (restored)"
    assert report.describe()[1] == (
        "Another session is titled 'Focus group 2' now: the restored one is titled "
        "'Focus group 2 (restored)'."
    )
    assert project.sessions.get_session(made["session"].id).title == "Focus group 2 (restored)"


def test_codings_of_a_code_deleted_meanwhile_are_left_out_and_counted(
    project: Project, tmp_path: Path
) -> None:
    made = rich_session(project, tmp_path)
    segs = made["segments"]
    trust = project.codebook.ensure_code_path("Trust")
    kept_coding = project.codebook.apply_code(segs[0].id, trust.id)
    project.sessions.delete_session(made["session"].id, force=True)
    project.codebook.delete_code(made["code"].id)  # Services/Health: no codings left to block
    project.sessions.delete_participant(made["person"].id)
    report = project.sessions.restore_session(made["session"].id)
    assert report.left_out == {
        "codings of deleted codes": 2,
        "consents of deleted participants": 1,
    }
    assert "Left out: 2 codings of deleted codes (deleted meanwhile)." in report.describe()
    # one of a kind reads as one ("1 consents of deleted participants" before)
    assert "Left out: 1 consent of a deleted participant (deleted meanwhile)." in report.describe()
    assert [c.id for c in project.codebook.codings()] == [kept_coding.id]
    # the memo on a left-out coding stays out with it; the others come back
    memos = {m.target_type: m.text for m in project.codebook.memos()}
    assert memos == {"session": "Noisy room.", "segment": "Check the translation."}
    (mapping,) = project.sessions.session_speakers(made["session"].id)[:1]
    assert mapping.participant_id is None  # as delete_participant leaves a mapping


def test_audio_goes_back_under_a_free_name_when_its_path_was_taken(
    project: Project, tmp_path: Path
) -> None:
    made = rich_session(project, tmp_path)
    path = project.sessions.media_path(made["session"].id)
    rel = path.relative_to(project.folder).as_posix()
    project.sessions.delete_session(made["session"].id, force=True)
    path.write_bytes(b"someone else's file")
    report = project.sessions.restore_session(made["session"].id)
    assert report.audio == [rel.replace(".wav", " (restored).wav")]
    assert path.read_bytes() == b"someone else's file"
    assert project.sessions.media_path(made["session"].id).name.endswith(" (restored).wav")
    assert project.sessions.media_path(made["session"].id).stat().st_size > 1000


def test_missing_kept_audio_is_said_and_the_rest_comes_back(
    project: Project, tmp_path: Path
) -> None:
    made = rich_session(project, tmp_path)
    project.sessions.delete_session(made["session"].id, force=True)
    (project.media_dir / ".deleted" / "Focus group 2.wav").unlink()
    report = project.sessions.restore_session(made["session"].id)
    assert report.audio_missing == ["media/.deleted/Focus group 2.wav"]
    assert any(
        "Its audio was not found at media/.deleted/Focus group 2.wav" in x
        for x in report.describe()
    )
    assert len(project.transcript.segments(made["session"].id)) == 2


def test_a_failed_restore_changes_nothing(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = rich_session(project, tmp_path)
    project.sessions.delete_session(made["session"].id, force=True)
    deleted = state(project)
    kept = sorted((project.media_dir / ".deleted").iterdir())

    from storage.sessions import deleted as module

    def broken(*_a: object, **_k: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(module.DeletedSessions, "_undelete", broken)
    with pytest.raises(sqlite3.OperationalError):
        project.sessions.restore_session(made["session"].id)
    assert state(project) == deleted
    assert sorted((project.media_dir / ".deleted").iterdir()) == kept


def test_bundles_never_carry_a_deleted_session(project: Project, tmp_path: Path) -> None:
    made = rich_session(project, tmp_path)
    project.sessions.delete_session(made["session"].id, force=True)
    for name, privacy in (
        ("plain", None),
        ("consented", ExportPrivacy(consented_only="quotation")),
    ):
        out = tmp_path / f"{name}.fsbundle"
        export_bundle(project, out, privacy=privacy)
        with zipfile.ZipFile(out) as zf:
            data = zf.read("project.db")
        assert "врача".encode() not in data and b"Noisy room" not in data, name
        db = tmp_path / f"{name}.db"
        db.write_bytes(data)
        conn = sqlite3.connect(db)
        assert conn.execute("SELECT count(*) FROM deleted_sessions").fetchone() == (0,)
        conn.close()


def _copies(tmp: Path) -> tuple[Project, Project, str]:
    """Two coders' copies of one lead project; ``a`` holds a coded session with a memo."""
    lead, segs, coders = team(tmp, "a", "b")
    a, b = coders["a"], coders["b"]
    session_id = a.transcript.get_segment(segs[0]).session_id
    code = a.codebook.find_code("Services/Health")
    assert code is not None
    coding = a.codebook.apply_code(segs[0], code.id)
    a.codebook.add_memo("coding", coding.id, "a's thought")
    a.codebook.add_memo("session", session_id, "a's session note")
    lead.close()
    return a, b, session_id


def _shown(project: Project, session_id: str) -> tuple[int, int, int]:
    return (
        len(project.transcript.segments(session_id)),
        len(project.codebook.codings()),
        len(project.codebook.memos()),
    )


def test_merge_a_deleted_and_restored_session(tmp_path: Path) -> None:
    a, b, sid = _copies(tmp_path)
    export_bundle(a, tmp_path / "a1.fsbundle")
    merge_bundles(b, [tmp_path / "a1.fsbundle"])
    assert _shown(b, sid) == (6, 1, 2)
    a.sessions.delete_session(sid, force=True)
    a.sessions.restore_session(sid)
    export_bundle(a, tmp_path / "a2.fsbundle")
    summary = merge_bundles(b, [tmp_path / "a2.fsbundle"])
    assert _shown(b, sid) == (6, 1, 2)
    assert b.team.conflicts() == [], summary
    assert b.store.scalar("SELECT count(*) FROM deletions") == 0


def test_merge_a_deletion_then_its_restore(tmp_path: Path) -> None:
    a, b, sid = _copies(tmp_path)
    a.sessions.delete_session(sid, force=True)
    export_bundle(a, tmp_path / "a1.fsbundle")
    merge_bundles(b, [tmp_path / "a1.fsbundle"])
    assert [s.id for s in b.sessions.all()] == []
    restored_at = now_iso()
    a.sessions.restore_session(sid)
    export_bundle(a, tmp_path / "a2.fsbundle")
    export_bundle(a, tmp_path / "a2-since.fsbundle", since=restored_at)  # what changed since
    merge_bundles(b, [tmp_path / "a2-since.fsbundle"])
    assert [s.id for s in b.sessions.all()] == [sid]
    assert _shown(b, sid) == (6, 1, 2)
    assert b.team.conflicts() == []
    assert b.store.scalar("SELECT count(*) FROM deletions") == 0
    # and a copy that merges both bundles in one go has it too
    c = Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "c.fieldscribe", coder="c")
    merge_bundles(c, [tmp_path / "a1.fsbundle", tmp_path / "a2.fsbundle"])
    assert [s.id for s in c.sessions.all()] == [sid]


def test_names_replaced_across_the_project_since_are_said(project: Project, tmp_path: Path) -> None:
    made = rich_session(project, tmp_path)
    project.sessions.delete_session(made["session"].id, force=True)
    project.audit.log_event("pseudonym_apply", "project", None, {"replaced": 3})
    report = project.sessions.restore_session(made["session"].id)
    assert report.names_replaced_since
    assert report.describe()[-1].startswith(
        "Names were replaced across the project after this session was deleted"
    )


def test_a_session_a_merge_brought_back_is_not_restored_but_can_be_forgotten(
    project: Project, tmp_path: Path
) -> None:
    made = rich_session(project, tmp_path)
    sid = made["session"].id
    project.sessions.delete_session(sid, force=True)
    with project.store.tx() as db:  # as a merge that kept the session would (its row back)
        db.conn.execute(
            "INSERT INTO sessions (id, title, kind, status, created_by, created_at, updated_at) "
            "VALUES (?, 'Focus group 2', 'interview', 'imported', 'bob', '2026', '2026')",
            (sid,),
        )
    assert project.sessions.deleted_sessions() == []
    before = state(project)
    with pytest.raises(InvalidInputError, match="is in the project again"):
        project.sessions.restore_session(sid)
    assert state(project) == before
    assert project.sessions.forget_deleted_session(sid).session_id == sid
    assert project.store.scalar("SELECT count(*) FROM deleted_sessions") == 0
    (entry,) = project.audit.entries(action="session_forget")  # who destroyed what
    assert (entry.target_id, entry.actor) == (sid, "coder-a")
    assert entry.details["segments"] == 2


def test_read_only_or_unwritable_media_changes_nothing(project: Project, tmp_path: Path) -> None:
    from storage.core.errors import ReadOnlyError

    made = rich_session(project, tmp_path)
    sid = made["session"].id
    project.sessions.delete_session(sid, force=True)
    folder = project.folder
    project.close()
    with Project.open(folder, readonly=True) as p:
        with pytest.raises(ReadOnlyError, match="opened read-only; nothing was changed"):
            p.sessions.restore_session(sid)
    assert (folder / "media" / ".deleted" / "Focus group 2.wav").is_file()
    with Project.open(folder, coder="coder-a") as p:
        before = state(p)

        def refused(src: object, dest: object) -> None:
            raise PermissionError(13, "Permission denied", str(dest))

        with pytest.MonkeyPatch.context() as mp:  # a media folder that cannot be written
            mp.setattr(os, "replace", refused)
            with pytest.raises(ReadOnlyError, match="could not be moved back"):
                p.sessions.restore_session(sid)
        assert state(p) == before
        assert (folder / "media" / ".deleted" / "Focus group 2.wav").is_file()


def test_a_restore_after_names_were_replaced_brings_no_real_name_back(tmp_path: Path) -> None:
    """Names replaced across the project (privacy --apply) while a session was deleted came
    back with the restore (only a warning said so): its segments, word timings, speaker
    labels and memos now get the project's current replacement in the restore's transaction,
    inflected forms included. (An apply now rewrites the kept copies too,
    tests/test_deleted_sessions_names.py; this is a copy kept before it did.)"""
    from storage.core.models import Word

    with Project.create(tmp_path / "p.fieldscribe", coder="ann") as p:
        p.privacy.set_pseudonym("Ерлан", "Данияр")
        other = p.sessions.add_session("FG Almaty", kind="focus_group")
        p.transcript.add_segments(other.id, [SegmentDraft(0, 1000, "Ерлан пришёл.")])
        s = p.sessions.add_session("FG Shymkent", kind="focus_group")
        text = "Я сказал Ерлану, что Ерлана нет."
        words = [Word(0, 300, "Я"), Word(300, 600, " сказал"), Word(600, 900, " Ерлану,")]
        words += [Word(900, 1100, " что"), Word(1100, 1400, " Ерлана"), Word(1400, 1600, " нет.")]
        seg, seg2 = p.transcript.add_segments(
            s.id,
            [
                SegmentDraft(0, 1600, text, speaker="Ерлан", words=words),
                SegmentDraft(2000, 3000, "Ерланом все довольны.", speaker="SPEAKER_01"),
            ],
        )
        code = p.codebook.ensure_code_path("Доверие")
        coding = p.codebook.apply_code(seg2.id, code.id, start_cp=0, end_cp=7, memo="Ерлан: да")
        p.codebook.add_memo("segment", seg.id, "Спросить Ерлана ещё раз", title="Ерлан")
        p.codebook.add_memo("session", s.id, "Модератор знает Ерлана.")
        p.sessions.delete_session(s.id, force=True)
        copy = p.store.one("SELECT rows FROM deleted_sessions")["rows"]
        applied = p.privacy.apply_pseudonyms()
        assert applied.replaced == 1  # the other session's one
        with p.store.tx() as db:  # a copy an older version kept: its apply left the names
            db.conn.execute("UPDATE deleted_sessions SET rows = ?", (copy,))
        report = p.sessions.restore_session(s.id)
        dump = "\n".join(
            str(v)
            for table in ("segments", "memos", "codings", "speaker_turns", "session_speakers")
            for row in p.store.rows(f"SELECT * FROM {table}")
            for v in tuple(row)
        )
        assert "Ерлан" not in dump and "ерлан" not in dump.casefold()
        assert report.names_replaced_since and report.names_replaced == 3
        assert (
            "3 names in its transcript were replaced by their pseudonyms" in (report.describe()[-1])
        )
        got = p.transcript.get_segment(seg.id)
        assert got.text == "Я сказал Данияру, что Данияра нет."
        assert got.speaker == "Данияр"
        assert "".join(w.text for w in got.words) == got.text
        assert p.transcript.search("Ерлан*") == []
        assert {h.segment_id for h in p.transcript.search("Данияр*", session_id=s.id)} == {
            seg.id,
            seg2.id,
        }
        span = p.transcript.get_segment(seg2.id).text
        kept = p.store.one("SELECT start_cp, end_cp FROM codings WHERE id = ?", (coding.id,))
        assert span[kept["start_cp"] : kept["end_cp"]] == "Данияром"
        assert p.store.one("SELECT count(*) AS n FROM deleted_sessions")["n"] == 0
