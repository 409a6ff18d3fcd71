"""The stored speaker timeline: store/replace, follow hand edits, undo, travel in bundles."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from cli import main as cli_main
from storage import InUseError, InvalidInputError, NotFoundError, Project, SegmentDraft
from storage.core.schema import applied_names
from storage.history.undo import UndoScope
from storage.interop.transcript_export import render_transcript
from storage.speakers.speakers import SegmentRelabel
from storage.team.bundle import InvalidBundleError
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import dump, rebuild

# The backend's timeline: speech in 0.2-3.8 s, a pause, 4.5-9.5 s; Speaker 2 from 5.0 s; and
# 11-12 s of Speaker 1 that no segment holds.
TURNS = [(200, 3800, "Speaker 1"), (4500, 5000, "Speaker 1"), (5000, 9500, "Speaker 2"),
         (11000, 12000, "Speaker 1")]  # fmt: skip


def _timeline(project: Project, session_id: str) -> list[tuple[int, int, str | None]]:
    return project.speakers.speaker_turns(session_id)


def _turn_rows(project: Project) -> list[tuple[object, ...]]:
    return [
        tuple(r)
        for r in project.store.rows(
            "SELECT id, session_id, run_id, run_at, start_ms, end_ms, speaker, created_by, "
            "created_at FROM speaker_turns ORDER BY start_ms, id"
        )
    ]


@pytest.fixture
def session(project: Project) -> str:
    s = project.sessions.add_session("Focus group 1", kind="focus_group")
    project.transcript.add_segments(
        s.id,
        [
            SegmentDraft(0, 4000, "Thank you all for coming."),
            SegmentDraft(4000, 7000, "So what about e-services?"),
            SegmentDraft(7000, 10000, "We book online now."),
        ],
    )
    segs = project.transcript.segments(s.id)
    plan = [
        SegmentRelabel(segs[0].id, ["Speaker 1"]),
        SegmentRelabel(segs[1].id, ["Speaker 1", "Speaker 2"], [(7, 5000)]),
        SegmentRelabel(segs[2].id, ["Speaker 2"]),
    ]
    project.speakers.apply_speaker_labels(s.id, plan, turns=TURNS)
    return s.id


# --------------------------------------------------------------------------- store / read
def test_migration_creates_the_table_and_its_history_trigger(project: Project) -> None:
    assert "0006_speaker_turns" in applied_names(project.db)
    cols = {r[1] for r in project.store.rows("PRAGMA table_info(speaker_turns)")}
    assert {"id", "session_id", "run_id", "run_at", "start_ms", "end_ms", "speaker",
            "created_by", "created_at", "updated_at"} <= cols  # fmt: skip
    triggers = {
        r[0] for r in project.store.rows("SELECT name FROM sqlite_master WHERE type='trigger'")
    }
    assert "speaker_turns_version_history" in triggers


def test_labels_and_timeline_are_stored_together(project: Project, session: str) -> None:
    assert _timeline(project, session) == TURNS
    assert [s.speaker for s in project.transcript.segments(session)] == [
        "Speaker 1", "Speaker 1", "Speaker 2", "Speaker 2"]  # fmt: skip
    turns = project.speakers.turns.stored(session)
    assert len({t.run_id for t in turns}) == 1 and all(t.created_by == "coder-a" for t in turns)
    # talk time is the segments' (as analyze matrix counts it): the timeline said 3600 + 500 +
    # 1000 ms for Speaker 1 (speech outside segments counted, pauses not) and 4500 for Speaker 2
    stats = {s.label: s for s in project.speakers.speaker_stats(session)}
    assert stats["Speaker 1"].total_ms == 4000 + 1000
    assert stats["Speaker 2"].total_ms == 2000 + 3000
    assert stats["Speaker 1"].segment_count == 2 and stats["Speaker 1"].first_ms == 200


def test_talk_time_is_what_the_segments_and_analyze_matrix_count(
    project: Project, session: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``speakers --list`` (and the Speakers dock) said the detection's turns: Speaker 2 talked
    4.5 s there, while a hand count over its segments, and ``analyze matrix --measure talk_ms``
    by speaker, gave 5.0 s. All three say the segments' time now."""
    code = project.codebook.ensure_code_path("Everything")
    for seg in project.transcript.segments(session):
        project.codebook.apply_code(seg.id, code.id)
    by_hand: dict[str, int] = {}
    for seg in project.transcript.segments(session):
        assert seg.speaker is not None
        by_hand[seg.speaker] = by_hand.get(seg.speaker, 0) + seg.end_ms - seg.start_ms
    folder = project.folder
    project.close()
    assert cli_main(["speakers", str(folder), "--session", session, "--list", "--json"]) == 0
    listed = {r["label"]: r["total_ms"] for r in json.loads(capsys.readouterr().out)}
    assert listed == by_hand == {"Speaker 1": 5000, "Speaker 2": 5000}
    assert cli_main([
        "analyze", str(folder), "matrix", "--columns", "speaker", "--measure", "talk_ms",
        "--json",
    ]) == 0  # fmt: skip
    matrix = json.loads(capsys.readouterr().out)
    columns = [c["key"] for c in matrix["columns"]]
    (cells,) = matrix["cells"]
    assert dict(zip(columns, cells, strict=True)) == by_hand


def test_sessions_without_a_timeline_fall_back_to_segments(project: Project) -> None:
    s = project.sessions.add_session("Imported")
    project.transcript.add_segments(
        s.id,
        [SegmentDraft(0, 1000, "Hello.", speaker="Ann"), SegmentDraft(1000, 1500, "(noise)")],
    )
    assert not project.speakers.turns.has_timeline(s.id)
    assert _timeline(project, s.id) == [(0, 1000, "Ann"), (1000, 1500, None)]
    assert project.speakers.speaker_stats(s.id)[0].total_ms == 1000


def test_a_rerun_replaces_the_timeline_with_tombstones(project: Project, session: str) -> None:
    old = {t.id for t in project.speakers.turns.stored(session)}
    project.speakers.turns.save(session, [(0, 10000, "Speaker 1")])
    assert _timeline(project, session) == [(0, 10000, "Speaker 1")]
    tombs = {r[0] for r in project.store.rows(
        "SELECT row_id FROM deletions WHERE table_name = 'speaker_turns'")}  # fmt: skip
    assert tombs == old
    assert len(project.store.rows("SELECT 1 FROM speaker_turns")) == 1


@pytest.mark.parametrize(
    ("turns", "message"),
    [
        ([(500, 500, "Speaker 1")], "Invalid speaker turn 500-500"),
        ([(-5, 500, "Speaker 1")], "Invalid speaker turn -5-500"),
        ([(0, 500, "  ")], "label of 1 to 200"),
        ([(0, 500, "x" * 201)], "label of 1 to 200"),
    ],
)
def test_bad_turns_change_nothing(project: Project, session: str, turns, message) -> None:
    before = dump(project.folder)
    segs = project.transcript.segments(session)
    with pytest.raises(InvalidInputError, match=message):
        project.speakers.apply_speaker_labels(
            session, [SegmentRelabel(segs[0].id, ["Speaker 9"])], turns=turns
        )
    with pytest.raises(InvalidInputError, match=message):
        project.speakers.turns.save(session, turns)
    assert dump(project.folder) == before


def test_unknown_session(project: Project) -> None:
    with pytest.raises(NotFoundError, match="No session"):
        project.speakers.turns.save("nope", [(0, 1, "A")])


def test_deleting_the_session_deletes_its_timeline(project: Project, session: str) -> None:
    ids = {t.id for t in project.speakers.turns.stored(session)}
    project.sessions.delete_session(session)
    assert not project.store.rows("SELECT 1 FROM speaker_turns")
    tombs = {r[0] for r in project.store.rows(
        "SELECT row_id FROM deletions WHERE table_name = 'speaker_turns'")}  # fmt: skip
    assert ids <= tombs


# --------------------------------------------------------------------------- hand edits
def test_rename_and_merge_relabel_the_timeline(project: Project, session: str) -> None:
    project.speakers.rename_speaker(session, "Speaker 2", "Amina")
    assert [t[2] for t in _timeline(project, session)] == [
        "Speaker 1", "Speaker 1", "Amina", "Speaker 1"]  # fmt: skip
    with pytest.raises(InvalidInputError, match="already exists"):
        project.speakers.rename_speaker(session, "Speaker 1", "Amina")
    project.speakers.merge_speakers(session, "Speaker 1", "Amina")
    assert {t[2] for t in _timeline(project, session)} == {"Amina"}
    assert [s.label for s in project.speakers.speaker_stats(session)] == ["Amina"]


def test_a_label_only_on_the_timeline_can_be_renamed(project: Project, session: str) -> None:
    project.speakers.turns.save(session, [*TURNS, (13000, 14000, "Speaker 3")])
    assert "Speaker 3" in [s.label for s in project.speakers.speaker_stats(session)]
    project.speakers.rename_speaker(session, "Speaker 3", "Bo")
    assert _timeline(project, session)[-1] == (13000, 14000, "Bo")


def test_reassigning_a_segment_cuts_the_timeline_at_its_bounds(
    project: Project, session: str
) -> None:
    segs = project.transcript.segments(session)
    assert (segs[1].start_ms, segs[1].end_ms) == (4000, 5000)
    project.speakers.reassign_segments(
        [segs[2].id], "Amina"
    )  # 5000-7000, inside one Speaker 2 turn
    assert _timeline(project, session) == [
        (200, 3800, "Speaker 1"),
        (4500, 5000, "Speaker 1"),
        (5000, 7000, "Amina"),
        (7000, 9500, "Speaker 2"),
        (11000, 12000, "Speaker 1"),
    ]
    # the parts cut from one turn stay in its run
    assert len({t.run_id for t in project.speakers.turns.stored(session)}) == 1
    project.transcript.update_segment(segs[0].id, speaker="Bo")  # 0-4000: the turn lies inside
    assert _timeline(project, session)[0] == (200, 3800, "Bo")
    project.transcript.update_segment(segs[0].id, clear_speaker=True)  # nobody: the turn goes
    assert _timeline(project, session)[0] == (4500, 5000, "Speaker 1")


def test_a_span_without_turns_gets_one(project: Project, session: str) -> None:
    (seg,) = project.transcript.add_segments(session, [SegmentDraft(10000, 10800, "Mm.")])
    project.speakers.reassign_segments([seg.id], "Speaker 2")
    assert (10000, 10800, "Speaker 2") in _timeline(project, session)


def test_hand_edits_of_sessions_without_timeline_write_none(project: Project) -> None:
    s = project.sessions.add_session("Imported")
    (seg,) = project.transcript.add_segments(s.id, [SegmentDraft(0, 1000, "Hello.", speaker="Ann")])
    project.speakers.reassign_segments([seg.id], "Bo")
    project.speakers.rename_speaker(s.id, "Bo", "Cy")
    assert not project.store.rows("SELECT 1 FROM speaker_turns")


def test_undo_and_redo_restore_the_timeline(project: Project, session: str) -> None:
    segs = project.transcript.segments(session)
    before = _turn_rows(project)
    scope = UndoScope.of(segments=[segs[2].id])
    _, record = project.history.record_edit(
        scope, lambda: project.transcript.update_segment(segs[2].id, speaker="Amina")
    )
    after = _turn_rows(project)
    assert len(after) == len(before) + 1  # 5000-9500 cut at 7000
    project.history.undo_edit(record)
    assert _turn_rows(project) == before  # same ids, bounds and labels
    assert project.transcript.segments(session)[2].speaker == "Speaker 2"
    project.history.redo_edit(record)
    assert _turn_rows(project) == after


def test_rerun_refusal_keeps_the_timeline(project: Project, session: str) -> None:
    seg = project.transcript.segments(session)[0]
    project.speakers.reassign_segments([seg.id], "Bo")
    before = dump(project.folder)
    with pytest.raises(InUseError):
        project.speakers.apply_speaker_labels(session, [], turns=[(0, 100, "Speaker 1")])
    assert dump(project.folder) == before


# --------------------------------------------------------------------------- exports
def test_json_export_has_the_timeline(project: Project, session: str) -> None:
    data = json.loads(render_transcript(project, session, "json"))
    assert [(t["start_ms"], t["end_ms"], t["speaker"]) for t in data["speaker_turns"]] == TURNS


def test_json_export_pseudonymises_the_timeline(project: Project, session: str) -> None:
    project.speakers.rename_speaker(session, "Speaker 2", "Amina Diallo")
    project.privacy.set_pseudonym("Amina Diallo", "P-07")
    data = json.loads(render_transcript(project, session, "json"))
    labels = {t["speaker"] for t in data["speaker_turns"]}
    assert labels == {"Speaker 1", "P-07"}


def test_cli_json_export(project: Project, session: str, tmp_path: Path, capsys) -> None:
    folder = project.folder
    project.close()
    out = tmp_path / "t.json"
    assert cli_main([
        "export", str(folder), "--session", session, "--format", "json", "-o", str(out),
        "--export-anyway",
    ]) == 0  # fmt: skip
    assert len(json.loads(out.read_text())["speaker_turns"]) == len(TURNS)


# --------------------------------------------------------------------------- bundles
def _lead(tmp_path: Path) -> tuple[Project, str]:
    lead = Project.create(tmp_path / "lead.fieldscribe", coder="lead")
    s = lead.sessions.add_session("FG")
    lead.transcript.add_segments(
        s.id, [SegmentDraft(0, 4000, "One."), SegmentDraft(4000, 10000, "Two.")]
    )
    segs = lead.transcript.segments(s.id)
    lead.speakers.apply_speaker_labels(
        s.id,
        [SegmentRelabel(segs[0].id, ["Speaker 1"]), SegmentRelabel(segs[1].id, ["Speaker 2"])],
        turns=TURNS,
    )
    return lead, s.id


def _turns_of(folder: Path, session_id: str) -> list[tuple[int, int, str | None]]:
    with Project.open(folder, readonly=True) as p:
        return p.speakers.speaker_turns(session_id)


def test_timeline_travels_and_reruns_replace_it_elsewhere(tmp_path: Path) -> None:
    lead, sid = _lead(tmp_path)
    export_bundle(lead, tmp_path / "lead.fsbundle")
    with Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "a", coder="alice") as a:
        assert a.speakers.speaker_turns(sid) == TURNS
    lead.speakers.turns.save(sid, [(0, 10000, "Speaker 1")])  # re-run on the lead's laptop
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    with Project.open(tmp_path / "a") as a:
        (summary,) = merge_bundles(a, [tmp_path / "lead2.fsbundle"])
        assert summary.table("speaker_turns").deleted == len(TURNS)
        assert summary.table("speaker_turns").added == 1
        assert a.speakers.speaker_turns(sid) == [(0, 10000, "Speaker 1")]
        assert len(a.store.rows("SELECT 1 FROM speaker_turns")) == 1
        again = dump(a.folder)
        merge_bundles(a, [tmp_path / "lead2.fsbundle"])  # idempotent
        assert {k: v for k, v in dump(a.folder).items() if k != "row_versions"} == {
            k: v for k, v in again.items() if k != "row_versions"
        }
    lead.close()


def test_merge_order_does_not_matter(tmp_path: Path) -> None:
    """Alice renames a speaker; Bob re-runs detection: both orders give one timeline."""
    lead, sid = _lead(tmp_path)
    export_bundle(lead, tmp_path / "lead.fsbundle")
    lead.close()
    for name in ("alice", "bob"):
        Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / name, coder=name).close()
    with Project.open(tmp_path / "alice") as a:
        a.speakers.rename_speaker(sid, "Speaker 2", "Amina")
        export_bundle(a, tmp_path / "alice.fsbundle")
    with Project.open(tmp_path / "bob") as b:
        b.speakers.turns.save(sid, [(0, 6000, "Speaker 1"), (6000, 10000, "Speaker 2")])
        export_bundle(b, tmp_path / "bob.fsbundle")
    results = []
    for order in (("alice", "bob"), ("bob", "alice")):
        dest = tmp_path / f"m-{'-'.join(order)}"
        Project.from_bundle(tmp_path / "lead.fsbundle", dest, coder="lead").close()
        with Project.open(dest) as m:
            merge_bundles(m, [tmp_path / f"{n}.fsbundle" for n in order])
        results.append((_turns_of(dest, sid), dump(dest)["speaker_turns"]))
    assert results[0] == results[1]
    # Bob's re-run deleted the turns Alice relabelled: his timeline is the one left
    assert results[0][0] == [(0, 6000, "Speaker 1"), (6000, 10000, "Speaker 2")]


def test_two_reruns_show_the_newest_run_in_any_order(tmp_path: Path) -> None:
    lead, sid = _lead(tmp_path)
    export_bundle(lead, tmp_path / "lead.fsbundle")
    lead.close()
    runs = {"alice": [(0, 10000, "Speaker 1")], "bob": [(0, 5000, "A"), (5000, 10000, "B")]}
    for name, turns in runs.items():  # bob runs last: his run is the newest
        with Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / name, coder=name) as p:
            p.speakers.turns.save(sid, turns)
            export_bundle(p, tmp_path / f"{name}.fsbundle")
    shown = []
    for order in (("alice", "bob"), ("bob", "alice")):
        dest = tmp_path / f"m-{'-'.join(order)}"
        Project.from_bundle(tmp_path / "lead.fsbundle", dest, coder="lead").close()
        with Project.open(dest) as m:
            merge_bundles(m, [tmp_path / f"{n}.fsbundle" for n in order])
            shown.append(m.speakers.speaker_turns(sid))
            assert len(m.store.rows("SELECT 1 FROM speaker_turns")) == 3  # both runs arrived
            m.speakers.rename_speaker(sid, "A", "Amina")  # the next write drops the older run
            assert len(m.store.rows("SELECT 1 FROM speaker_turns")) == 2
    assert shown[0] == shown[1] == runs["bob"]


@pytest.mark.parametrize(
    ("sql", "what"),
    [
        ("UPDATE speaker_turns SET end_ms = start_ms", "CHECK"),
        ("UPDATE speaker_turns SET start_ms = -1", "CHECK"),
        ("UPDATE speaker_turns SET speaker = ''", "CHECK"),
        ("UPDATE speaker_turns SET start_ms = 'soon'", "'start_ms'"),
        ("UPDATE speaker_turns SET session_id = 'nowhere'", "refer to rows"),
    ],
)
def test_bad_turn_rows_refuse_the_bundle(tmp_path: Path, sql: str, what: str) -> None:
    lead, _sid = _lead(tmp_path)
    export_bundle(lead, tmp_path / "good.fsbundle")
    with Project.from_bundle(tmp_path / "good.fsbundle", tmp_path / "a", coder="alice") as a:
        a.speakers.turns.save(_sid, [(0, 500, "X")])  # turns the lead does not have yet
        export_bundle(a, tmp_path / "a.fsbundle")

    def change(conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute(sql)

    bad = rebuild(tmp_path / "a.fsbundle", tmp_path / "bad.fsbundle", db_change=change)
    before = dump(lead.folder)
    with pytest.raises(InvalidBundleError, match=what):
        merge_bundles(lead, [bad])
    assert dump(lead.folder) == before
    lead.close()


def test_bundles_pseudonymise_timeline_labels(tmp_path: Path) -> None:
    lead, sid = _lead(tmp_path)
    lead.speakers.rename_speaker(sid, "Speaker 2", "Amina Diallo")
    lead.privacy.set_pseudonym("Amina Diallo", "P-07")
    export_bundle(lead, tmp_path / "lead.fsbundle")
    with Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "a", coder="alice") as a:
        assert {t[2] for t in a.speakers.speaker_turns(sid)} == {"Speaker 1", "P-07"}
    lead.close()


def test_applying_pseudonyms_renames_timeline_labels(project: Project, session: str) -> None:
    project.speakers.rename_speaker(session, "Speaker 2", "Amina Diallo")
    project.privacy.set_pseudonym("Amina Diallo", "P-07")
    project.privacy.apply_pseudonyms()
    assert {t[2] for t in _timeline(project, session)} == {"Speaker 1", "P-07"}
    assert {s.speaker for s in project.transcript.segments(session)} == {"Speaker 1", "P-07"}
