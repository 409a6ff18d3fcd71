"""Names replaced across the project reach the kept copies of deleted sessions.

Before, ``apply_pseudonyms`` rewrote the live rows only: a deleted session's copy
(``deleted_sessions``, schema 0011) kept the real names in ``project.db`` until it was
restored (the restore replaced them then) or forgotten. Now the project-wide replacement
rewrites the copies in its transaction (``storage.privacy.kept_copies``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storage import Project, SegmentDraft
from storage.core.models import Word
from tests.hardening_support import run_cli

#: the real names of the mapping, casefolded: any inflected form holds one of them
_REAL = ("ерлан", "айгерим", "айгерім")


def _no_real_name(text: str) -> None:
    folded = text.casefold()
    assert not [name for name in _REAL if name in folded], text


def _raw_copies(p: Project) -> str:
    """Every column of every ``deleted_sessions`` row, as stored, and its JSON decoded."""
    parts = []
    for row in p.store.rows("SELECT * FROM deleted_sessions"):
        for value in tuple(row):
            parts.append(str(value))
            if isinstance(value, str) and value[:1] in "[{":
                parts.append(repr(json.loads(value)))
    return "\n".join(parts)


def _live_dump(p: Project) -> str:
    return "\n".join(
        str(v)
        for table in ("segments", "memos", "codings", "speaker_turns", "session_speakers")
        for row in p.store.rows(f"SELECT * FROM {table}")
        for v in tuple(row)
    )


def _session_full_of_names(p: Project) -> dict[str, str]:
    s = p.sessions.add_session("FG Shymkent", kind="focus_group")
    text = "Я сказал Ерлану, что Ерлана нет."
    words = [Word(0, 300, "Я"), Word(300, 600, " сказал"), Word(600, 900, " Ерлану,")]
    words += [Word(900, 1100, " что"), Word(1100, 1400, " Ерлана"), Word(1400, 1600, " нет.")]
    seg, seg2 = p.transcript.add_segments(
        s.id,
        [
            SegmentDraft(0, 1600, text, speaker="Ерлан", words=words),
            SegmentDraft(2000, 3000, "Ерланом и Айгерімге все довольны.", speaker="АЙГЕРИМ"),
        ],
    )
    code = p.codebook.ensure_code_path("Доверие")
    coding = p.codebook.apply_code(seg2.id, code.id, start_cp=0, end_cp=7, memo="Ерлан: да")
    p.codebook.add_memo("coding", coding.id, "Почему Айгерим?")
    p.codebook.add_memo("segment", seg.id, "Спросить Ерлана ещё раз", title="Ерлан")
    p.codebook.add_memo("session", s.id, "Модератор знает Ерлана и Айгерим.")
    at = seg2.text.index("все")  # a span after the names: it must stay on its word
    redaction = p.redactions.redact(seg2.id, at, at + 3)
    person = p.sessions.add_participant("P01")
    p.sessions.map_speaker(s.id, "Ерлан", person.id)
    with p.store.tx() as db:
        db.conn.execute(
            "INSERT INTO speaker_turns (id, session_id, run_id, run_at, start_ms, end_ms, "
            "speaker, created_by, created_at, updated_at) VALUES ('t1', ?, 'r1', '2026-01-01', "
            "0, 1600, 'ерлан', 'ann', '2026-01-01', '2026-01-01')",
            (s.id,),
        )
    return {
        "session": s.id,
        "segment": seg.id,
        "segment2": seg2.id,
        "coding": coding.id,
        "redaction": redaction.id,
    }


def test_replacing_names_rewrites_the_kept_copy_of_a_deleted_session(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.fieldscribe", coder="ann") as p:
        p.privacy.set_pseudonym("Ерлан", "Данияр")
        p.privacy.set_pseudonym("Айгерим", "Сауле")
        other = p.sessions.add_session("FG Almaty", kind="focus_group")
        p.transcript.add_segments(other.id, [SegmentDraft(0, 1000, "Ерлан пришёл.")])
        made = _session_full_of_names(p)
        p.sessions.delete_session(made["session"], force=True)
        assert "Ерлану" in _raw_copies(p)  # the copy holds the text (the premise)
        kept_before = p.store.one("SELECT deleted_at, counts, audio FROM deleted_sessions")

        applied = p.privacy.apply_pseudonyms()

        _no_real_name(_raw_copies(p))
        assert (applied.replaced, applied.deleted_sessions) == (1, 1)
        kept = p.store.one("SELECT deleted_at, counts, audio FROM deleted_sessions")
        assert tuple(kept) == tuple(kept_before)  # only its rows changed
        (entry,) = p.audit.entries(action="pseudonym_apply")
        assert entry.details["deleted_sessions"] == 1
        assert p.transcript.search("Ерлан*") == []

        report = p.sessions.restore_session(made["session"])

        _no_real_name(_live_dump(p))
        assert report.describe()[-1] == (
            "Names were replaced across the project after this session was deleted: it came "
            "back with the pseudonyms."
        )
        got = p.transcript.get_segment(made["segment"])
        assert got.text == "Я сказал Данияру, что Данияра нет."
        assert got.speaker == "Данияр"
        assert "".join(w.text for w in got.words) == got.text
        seg2 = p.transcript.get_segment(made["segment2"])
        assert seg2.text == "Данияром и Саулеге все довольны."
        assert seg2.speaker == "Сауле"
        coding = p.store.one("SELECT start_cp, end_cp FROM codings WHERE id = ?", (made["coding"],))
        assert seg2.text[coding["start_cp"] : coding["end_cp"]] == "Данияром"
        red = p.store.one(
            "SELECT start_cp, end_cp FROM redactions WHERE id = ?", (made["redaction"],)
        )
        assert seg2.text[red["start_cp"] : red["end_cp"]] == "все"
        labels = p.store.rows(
            "SELECT label FROM session_speakers WHERE session_id = ?", (made["session"],)
        )
        assert [r["label"] for r in labels] == ["Данияр"]
        assert {
            h.segment_id for h in p.transcript.search("Данияр*", session_id=made["session"])
        } == {
            made["segment"],
            made["segment2"],
        }


def test_a_rejected_form_stays_in_the_kept_copy_and_a_session_apply_leaves_copies(
    tmp_path: Path,
) -> None:
    """A form rejected as another person (not replaced in the live text) is not replaced in
    the copies either; replacing names in one session does not touch deleted sessions."""
    with Project.create(tmp_path / "p.fieldscribe", coder="ann") as p:
        p.privacy.set_pseudonym("Ерлан", "Данияр")
        live = p.sessions.add_session("FG Almaty", kind="focus_group")
        p.transcript.add_segments(live.id, [SegmentDraft(0, 1000, "Ерланова улица и Ерлан.")])
        first = p.sessions.add_session("FG Taraz", kind="focus_group")
        p.transcript.add_segments(first.id, [SegmentDraft(0, 1000, "Ерлан пришёл.")])
        gone = p.sessions.add_session("FG Shymkent", kind="focus_group")
        p.transcript.add_segments(gone.id, [SegmentDraft(0, 1000, "Ерланова улица, Ерлану.")])
        p.sessions.delete_session(gone.id)

        one = p.privacy.apply_pseudonyms(session_id=first.id)
        assert (one.replaced, one.deleted_sessions) == (1, 0)
        assert "Ерлану" in _raw_copies(p)  # a session's apply is about that session

        cands = p.privacy.pseudonym_candidates()
        street = [c.id for c in cands if c.matched.startswith("Ерланова")]
        assert len(street) == 1
        applied = p.privacy.apply_pseudonyms([c.id for c in cands if c.id not in street])
        raw = _raw_copies(p)
        assert "Ерлану" not in raw and "Данияру" in raw
        assert applied.deleted_sessions == 1
        assert "Ерланова улица" in raw  # rejected as another person: kept, as in the live text


def test_the_command_line_says_deleted_sessions_had_names_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "p.fieldscribe"
    with Project.create(folder, coder="ann") as p:
        p.privacy.set_pseudonym("Ерлан", "Данияр")
        gone = p.sessions.add_session("FG Shymkent", kind="focus_group")
        p.transcript.add_segments(gone.id, [SegmentDraft(0, 1000, "Ерлану сказали.")])
        p.sessions.delete_session(gone.id)
    code, out, _err = run_cli(capsys, "pseudonym", folder, "--apply")
    assert code == 0
    assert out.splitlines()[-1] == (
        "Names were replaced in 1 deleted session too (kept to be restored)."
    )
    with Project.open(folder) as p:
        _no_real_name(_raw_copies(p))
