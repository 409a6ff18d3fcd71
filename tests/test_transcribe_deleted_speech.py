"""Speech a coder deleted does not come back when the session is transcribed again.

Before, a segment's deletion left a tombstone naming the row only (re-transcription's own
replacements leave the same kind), so a new transcription wrote the deleted speech again (the
small talk before the interview, a hallucination). Now ``Transcript.delete_segment`` records the
session and time span in the tombstone (schema 0009), a re-transcription leaves out new segments
lying mostly (half or more) inside such spans and says how many, undoing the deletion forgets
it, and the span travels in bundles with the tombstone.

Whisper is faked (as in tests/test_transcribe_speakers_carried.py).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Project
from storage.history.undo import UndoScope
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.fake_whisper import TOTAL_MS, OneBatchWhisper, one_batch_fixtures
from tests.hardening_support import run_cli
from transcribe.runner import transcribe_session

OLD = [(0, 1500, "Как доехали?"), (1500, 4000, "Расскажите о себе."), (4000, 6000, "Я учитель.")]


class FakeWhisper(OneBatchWhisper):
    """Writes ``drafts`` in one batch over the whole recording (``tests.fake_whisper``)."""

    drafts: ClassVar[list[Any]] = []


fake_whisper, wav = one_batch_fixtures(FakeWhisper)


def _transcribed(
    folder: Path, wav: Path, old: list[tuple[int, int, str]] = OLD
) -> tuple[Project, str]:
    project = Project.create(folder, name="Study", coder="coder-a")
    sid = project.sessions.import_audio(wav, title="FG").id
    FakeWhisper.drafts = old
    transcribe_session(project, sid)
    return project, sid


def _texts(project: Project, sid: str) -> list[str]:
    return [g.text for g in project.transcript.segments(sid)]


def test_a_deleted_segment_does_not_come_back(
    tmp_path: Path, wav: Path, fake_whisper: type[FakeWhisper]
) -> None:
    """Before: "Как доехали?" (deleted small talk) was back after the second transcription."""
    project, sid = _transcribed(tmp_path / "P.fieldscribe", wav)
    try:
        small_talk = project.transcript.segments(sid)[0]
        project.transcript.delete_segment(small_talk.id)
        assert project.transcription.deleted_spans(sid) == [(0, 1500)]
        # Whisper cuts elsewhere this time: 1000 of 1400 ms in the deleted span -> left out;
        # the next one has 100 of 2600 ms in it -> written
        FakeWhisper.drafts = [(100, 1500, "Как доехали?"), (1400, 4000, "Расскажите."), OLD[2]]
        summary = transcribe_session(project, sid)
        assert _texts(project, sid) == ["Расскажите.", "Я учитель."]
        assert summary.segments_left_out == 1
        assert summary.segments_added == 2
        note = next(n for n in summary.notes if "left out" in n)
        assert note == (
            "1 new segment was left out because it lies mostly in speech a coder deleted from "
            "this session (what a deleted segment said is not transcribed again)."
        )
    finally:
        project.close()


def test_undoing_the_deletion_forgets_it_and_redoing_records_it_again(
    tmp_path: Path, wav: Path, fake_whisper: type[FakeWhisper]
) -> None:
    project, sid = _transcribed(tmp_path / "P.fieldscribe", wav)
    try:
        gone = project.transcript.segments(sid)[0].id
        _, record = project.history.record_edit(
            UndoScope.of(segments=[gone]), lambda: project.transcript.delete_segment(gone)
        )
        assert project.transcription.deleted_spans(sid) == [(0, 1500)]
        project.history.undo_edit(record)
        assert project.transcription.deleted_spans(sid) == []
        project.history.redo_edit(record)
        assert project.transcription.deleted_spans(sid) == [(0, 1500)]
        project.history.undo_edit(record)
        FakeWhisper.drafts = OLD
        summary = transcribe_session(project, sid)
        assert _texts(project, sid) == [t for _s, _e, t in OLD]
        assert summary.segments_left_out == 0
        assert not [n for n in summary.notes if "left out" in n]
    finally:
        project.close()


def test_replacements_and_merges_of_segments_record_no_speech(
    tmp_path: Path, wav: Path, fake_whisper: type[FakeWhisper]
) -> None:
    """Only a person's deletion removes speech: a transcription replacing its own segments, a
    merge of two segments and a transcript import replacing the transcript do not."""
    project, sid = _transcribed(tmp_path / "P.fieldscribe", wav)
    try:
        transcribe_session(project, sid)  # replaces the 3 untouched segments
        first = project.transcript.segments(sid)[0]
        project.transcript.merge_with_next(first.id)
        srt = tmp_path / "t.srt"
        srt.write_text("1\n00:00:00,000 --> 00:00:02,000\nПривет.\n", encoding="utf-8")
        from storage.interop.transcript_import import import_transcript

        import_transcript(project, sid, srt, replace=True)
        assert project.transcription.deleted_spans(sid) == []
    finally:
        project.close()


def test_the_command_line_says_how_many_were_left_out(
    tmp_path: Path,
    wav: Path,
    fake_whisper: type[FakeWhisper],
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "P.fieldscribe"
    project, sid = _transcribed(folder, wav)
    project.transcript.delete_segment(project.transcript.segments(sid)[2].id)
    project.close()
    FakeWhisper.drafts = OLD
    code, out, err = run_cli(capsys, "transcribe", folder, "--session", "FG")
    assert code == 0, err
    assert "Note: 1 new segment was left out because it lies mostly in speech a coder" in out
    code, out, err = run_cli(capsys, "transcribe", folder, "--session", "FG", "--json")
    assert code == 0, err
    assert json.loads(out)["segments_left_out"] == 1
    code, out, err = run_cli(capsys, "segments", folder, "--session", "FG", "--json")
    assert [g["text"] for g in json.loads(out)] == [OLD[0][2], OLD[1][2]]


def test_the_deleted_speech_travels_in_a_bundle(
    tmp_path: Path, wav: Path, fake_whisper: type[FakeWhisper]
) -> None:
    """A coder deletes the small talk on their laptop; the lead merges their bundle and
    transcribes the session again: the small talk stays out there too."""
    lead, sid = _transcribed(tmp_path / "lead.fieldscribe", wav)
    try:
        export_bundle(lead, tmp_path / "lead.fsbundle")
        coder = Project.from_bundle(
            tmp_path / "lead.fsbundle", tmp_path / "b.fieldscribe", coder="b"
        )
        try:
            coder.transcript.delete_segment(coder.transcript.segments(sid)[0].id)
            export_bundle(coder, tmp_path / "b.fsbundle")
        finally:
            coder.close()
        merge_bundles(lead, [tmp_path / "b.fsbundle"])
        assert lead.transcription.deleted_spans(sid) == [(0, 1500)]
        FakeWhisper.drafts = OLD
        summary = transcribe_session(lead, sid)
        assert summary.segments_left_out == 1
        assert _texts(lead, sid) == [OLD[1][2], OLD[2][2]]
    finally:
        lead.close()


# ---------------------------------------------------------------- the property
_TIMES = st.integers(0, 59).map(lambda t: t * 100)


@st.composite
def _spans(draw: Any, min_length: int) -> list[tuple[int, int]]:
    out = []
    for start in sorted(set(draw(st.lists(_TIMES, max_size=6)))):
        length = draw(st.integers(min_length, 25)) * 100
        out.append((start, min(TOTAL_MS, start + length)))
    return out


def _left_out_model(s: int, e: int, deleted: list[tuple[int, int]]) -> bool:
    """Independent of the runner: millisecond by millisecond, whether half or more of
    ``[s, e)`` lies in the deleted spans (a moment: whether one holds it)."""
    if e == s:
        return any(a <= s < b for a, b in deleted)
    inside = sum(1 for ms in range(s, e) if any(a <= ms < b for a, b in deleted))
    return 2 * inside >= e - s


@settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(
    old=_spans(min_length=1),
    new=_spans(min_length=0),
    plan=st.lists(st.sampled_from(["delete", "undo", "redo"]), max_size=8),
    picks=st.lists(st.integers(0, 5), min_size=8, max_size=8),
)
def test_new_segments_are_left_out_where_the_deletions_still_standing_are(
    old: list[tuple[int, int]],
    new: list[tuple[int, int]],
    plan: list[str],
    picks: list[int],
    wav: Path,
    fake_whisper: type[FakeWhisper],
) -> None:
    """Any segments, any deletions, undos and redos of them, any new segments: the new
    transcript holds exactly the new segments that do not lie mostly in what is still
    deleted (a model of the undo stack says what is), and the summary counts the others."""
    with tempfile.TemporaryDirectory() as tmp:
        texts = [(s, e, f"Старая {i}.") for i, (s, e) in enumerate(old)]
        project, sid = _transcribed(Path(tmp) / "P.fieldscribe", wav, texts)
        try:
            done: list[tuple[Any, tuple[int, int]]] = []  # the undo stack: (record, span)
            undone: list[tuple[Any, tuple[int, int]]] = []
            for step, pick in zip(plan, picks, strict=False):
                segments = project.transcript.segments(sid)
                if step == "delete" and segments:
                    seg = segments[pick % len(segments)]
                    _, record = project.history.record_edit(
                        UndoScope.of(segments=[seg.id]),
                        lambda seg=seg: project.transcript.delete_segment(seg.id),
                    )
                    done.append((record, (seg.start_ms, seg.end_ms)))
                    undone.clear()  # a new edit drops the redo stack
                elif step == "undo" and done:
                    project.history.undo_edit(done[-1][0])
                    undone.append(done.pop())
                elif step == "redo" and undone:
                    project.history.redo_edit(undone[-1][0])
                    done.append(undone.pop())
            deleted = [span for _r, span in done]
            assert sorted(project.transcription.deleted_spans(sid)) == sorted(deleted)
            FakeWhisper.drafts = [(s, e, f"Новая {i}.") for i, (s, e) in enumerate(new)]
            summary = transcribe_session(project, sid, replace=True)
            want = [(s, e) for s, e in new if not _left_out_model(s, e, deleted)]
            got = [(g.start_ms, g.end_ms) for g in project.transcript.segments(sid)]
            assert sorted(got) == sorted(want)
            assert summary.segments_left_out == len(new) - len(want)
        finally:
            project.close()
