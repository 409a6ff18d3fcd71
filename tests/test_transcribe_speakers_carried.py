"""Transcribing a session again carries the old segments' speaker labels onto the new segments.

Speaker detection writes its labels on untouched Whisper segments (``speaker_edited = 0``), and
``speaker rename`` names them ("Speaker 2" -> "P07") without making them hand-set. A new
transcription replaces those segments; their labels used to go with them, silently (the new
segments had no speaker, the Speakers dock and the speaker strip's segment labels were empty).
Now each new segment takes the label whose old segments cover more than half of it, and the run
says how many took one and how many (across a change of speaker) did not.

Whisper is faked (as in tests/test_transcribe_protect.py): it writes ``FakeWhisper.drafts``.
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
from storage.core.models import Segment
from storage.speakers.speakers import SegmentRelabel
from tests.fake_whisper import TOTAL_MS, OneBatchWhisper, one_batch_fixtures
from tests.hardening_support import run_cli
from transcribe.carry import SpeakerSpans
from transcribe.runner import transcribe_session


class FakeWhisper(OneBatchWhisper):
    """Writes ``drafts`` in one batch over the whole recording (``tests.fake_whisper``)."""

    drafts: ClassVar[list[Any]] = []


fake_whisper, wav = one_batch_fixtures(FakeWhisper)


def _detected(
    folder: Path, wav: Path, old: list[tuple[int, int, str | None]]
) -> tuple[Project, str]:
    """A project whose one session was transcribed into ``old`` segments, then labelled by
    speaker detection (``None``: no label)."""
    project = Project.create(folder, name="Study", coder="coder-a")
    sid = project.sessions.import_audio(wav, title="FG").id
    FakeWhisper.drafts = [(s, e, f"Фраза {i}.") for i, (s, e, _who) in enumerate(old)]
    transcribe_session(project, sid)
    segments = project.transcript.segments(sid)
    by_time = {(s, e): who for s, e, who in old}
    plan = [
        SegmentRelabel(g.id, [by_time[(g.start_ms, g.end_ms)] or ""])
        for g in segments
        if by_time[(g.start_ms, g.end_ms)]
    ]
    turns = [(s, e, who) for s, e, who in old if who and e > s]
    project.speakers.apply_speaker_labels(sid, plan, turns=turns)
    return project, sid


def _model_speaker(start: int, end: int, old: list[tuple[int, int, str | None]]) -> str | None:
    """Independent of ``transcribe.carry``: millisecond by millisecond, the one label whose old
    segments hold more than half of ``[start, end)`` while every other label's hold at most a
    tenth of it (a moment: the one label around it)."""
    if end <= start:
        around = {who for s, e, who in old if who and s <= start < e}
        return next(iter(around)) if len(around) == 1 else None
    held: dict[str, int] = {}
    for ms in range(start, end):
        for who in {who for s, e, who in old if who and s <= ms < e}:
            held[who] = held.get(who, 0) + 1
    winners = [
        who
        for who, n in held.items()
        if 2 * n > end - start and all(10 * m <= end - start for o, m in held.items() if o != who)
    ]
    return winners[0] if len(winners) == 1 else None


def _model_word_speaker(
    segment: Segment,
    old: list[tuple[int, int, str | None]],
    turns: list[tuple[int, int, str | None]],
) -> str | None:
    """The one label said at the middles of a segment's words (the old segments', else the
    turns'), or None where its words have none or several."""
    said = set()
    for w in segment.words:
        middle = (w.start_ms + w.end_ms) // 2
        who = _model_speaker(middle, middle, old) or _model_speaker(middle, middle, turns)
        if who:
            said.add(who)
    return said.pop() if len(said) == 1 else None


def test_detected_and_renamed_speakers_survive_a_new_transcription(
    tmp_path: Path, wav: Path, fake_whisper: type[FakeWhisper]
) -> None:
    """Before: every new segment had no speaker (6 labels lost, no question, no note)."""
    old: list[tuple[int, int, str | None]] = [
        (0, 1000, "Speaker 1"),
        (1000, 2000, "Speaker 1"),
        (2000, 3000, "Speaker 2"),
        (3000, 4000, "Speaker 2"),
        (4000, 6000, "Speaker 1"),
    ]
    project, sid = _detected(tmp_path / "P.fieldscribe", wav, old)
    try:
        project.speakers.rename_speaker(sid, "Speaker 2", "P07")  # a coder named them
        stats = project.transcription.transcript_stats(sid)
        assert (stats.protected, stats.labelled) == (0, 5)  # nothing refuses the run
        # Whisper cuts the audio elsewhere this time; one segment lies across a change
        FakeWhisper.drafts = [
            (100, 1900, "Раз."),
            (2050, 2900, "Два."),
            # 80 % P07, 20 % Speaker 1: both speak in it, neither label is right for it all
            (3200, 4200, "Три."),
            (4600, 5900, ""),  # a placeholder takes its speaker too
        ]
        summary = transcribe_session(project, sid)
        got = [(g.start_ms, g.speaker) for g in project.transcript.segments(sid)]
        assert got == [(100, "Speaker 1"), (2050, "P07"), (3200, None), (4600, "Speaker 1")]
        assert (summary.speakers_carried, summary.speakers_missing) == (3, 1)
        # carried labels stay automatic: a later detection may replace them
        assert project.speakers.speaker_edited_count(sid) == 0
        note = next(n for n in summary.notes if n.startswith("Speakers carried over"))
        assert "3 new segments took the speaker label" in note
        assert (
            "1 new segment across a change of speaker (or where no speaker is known) has none"
            in note
        )
        assert "fieldscribe speaker DIR assign --segment ID --speaker NAME" in note
        assert f"fieldscribe speakers DIR --session {sid}" in note
        assert "Edit ▸ Change speaker…" in note.gui  # type: ignore[attr-defined]
        assert "Speakers ▸ Detect speakers…" in note.gui  # type: ignore[attr-defined]
    finally:
        project.close()


def test_where_the_old_run_heard_nothing_the_detected_turns_give_the_speaker(
    tmp_path: Path, wav: Path, fake_whisper: type[FakeWhisper]
) -> None:
    """The old run missed speech that speaker detection found (its turn has no segment);
    Whisper writes a segment there now. No old segment says who spoke, but detection's
    timeline does. (Speech a coder deleted is left out: tests/test_transcribe_deleted_speech.py.)"""
    project = Project.create(tmp_path / "P.fieldscribe", name="Study", coder="coder-a")
    try:
        sid = project.sessions.import_audio(wav, title="FG").id
        FakeWhisper.drafts = [(0, 3000, "Раз.")]
        transcribe_session(project, sid)
        only = project.transcript.segments(sid)[0]
        turns = [(0, 3000, "Speaker 1"), (3000, 6000, "Speaker 2")]
        project.speakers.apply_speaker_labels(
            sid, [SegmentRelabel(only.id, ["Speaker 1"])], turns=turns
        )
        FakeWhisper.drafts = [(0, 3000, "Раз."), (3000, 6000, "Два.")]
        summary = transcribe_session(project, sid)
        got = [g.speaker for g in project.transcript.segments(sid)]
        assert got == ["Speaker 1", "Speaker 2"]
        assert (summary.speakers_carried, summary.speakers_missing) == (2, 0)
    finally:
        project.close()


def test_a_session_without_speakers_says_nothing_of_them(
    tmp_path: Path, wav: Path, fake_whisper: type[FakeWhisper]
) -> None:
    project, sid = _detected(tmp_path / "P.fieldscribe", wav, [(0, 3000, None)])
    try:
        FakeWhisper.drafts = [(0, 1500, "Раз."), (1500, 3000, "Два.")]
        summary = transcribe_session(project, sid)
        assert (summary.speakers_carried, summary.speakers_missing) == (0, 0)
        assert not [n for n in summary.notes if "Speakers carried" in n]
        assert [g.speaker for g in project.transcript.segments(sid)] == [None, None]
    finally:
        project.close()


def test_the_command_line_says_the_speakers_were_carried(
    tmp_path: Path,
    wav: Path,
    fake_whisper: type[FakeWhisper],
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "P.fieldscribe"
    project, _sid = _detected(folder, wav, [(0, 3000, "Speaker 1"), (3000, 6000, "Speaker 2")])
    project.close()
    FakeWhisper.drafts = [(0, 2000, "Раз."), (2000, 4000, "Два."), (4000, 6000, "Три.")]
    code, out, err = run_cli(capsys, "transcribe", folder, "--session", "FG")
    assert code == 0, err
    assert "Note: Speakers carried over: 2 new segments took the speaker label" in out
    assert "1 new segment across a change of speaker" in out
    code, out, err = run_cli(capsys, "segments", folder, "--session", "FG", "--json")
    assert code == 0, err
    assert [g["speaker"] for g in json.loads(out)] == ["Speaker 1", None, "Speaker 2"]
    # again, with --json: the counts (two labelled segments lie in the new ones' places)
    code, out, err = run_cli(capsys, "transcribe", folder, "--session", "FG", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert (result["speakers_carried"], result["speakers_missing"]) == (2, 1)


_TIMES = st.integers(0, 59).map(lambda t: t * 100)


@st.composite
def _segments(draw: Any, labels: bool) -> list[tuple[int, int, str | None]]:
    out = []
    for start in sorted(set(draw(st.lists(_TIMES, max_size=6)))):
        length = draw(st.integers(0 if not labels else 1, 20)) * 100
        who = draw(st.sampled_from(["A", "B", "C", None])) if labels else ""
        out.append((start, min(TOTAL_MS, start + length), who))
    return [(s, e, who) for s, e, who in out if e > s or not labels]


@settings(max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(old=_segments(labels=True), new=_segments(labels=False))
def test_every_new_segment_gets_the_speaker_it_lies_mostly_in(
    old: list[tuple[int, int, str | None]],
    new: list[tuple[int, int, str | None]],
    wav: Path,
    fake_whisper: type[FakeWhisper],
) -> None:
    """Any labelled old segments, any new ones: each new segment has the label the
    millisecond model gives it, and the counts in the summary add up."""
    with tempfile.TemporaryDirectory() as tmp:
        project, sid = _detected(Path(tmp) / "P.fieldscribe", wav, old)
        try:
            FakeWhisper.drafts = [(s, e, f"Новая {i}.") for i, (s, e, _w) in enumerate(new)]
            summary = transcribe_session(project, sid)
            got = sorted(
                (g.start_ms, g.end_ms, g.speaker) for g in project.transcript.segments(sid)
            )
            want = sorted((s, e, _model_speaker(s, e, old)) for s, e, _w in new)
            assert got == want
            labelled = any(who for _s, _e, who in old)
            carried = sum(1 for *_t, who in want if who)
            assert summary.speakers_carried == carried
            assert summary.speakers_missing == (len(want) - carried if labelled else 0)
        finally:
            project.close()


@settings(max_examples=300, deadline=None, database=None)
@given(
    old=st.lists(
        st.tuples(st.integers(0, 50), st.integers(0, 30), st.sampled_from(["A", "B", "C"])),
        max_size=8,
    ),
    start=st.integers(0, 60),
    length=st.integers(0, 40),
)
def test_speaker_for_agrees_with_the_millisecond_model(
    old: list[tuple[int, int, str]], start: int, length: int
) -> None:
    """Overlapping old segments (of one label or several), moments and spans alike."""
    spans = [(s, s + n, who) for s, n, who in old]
    lookup: SpeakerSpans = SpeakerSpans(spans)
    expected = _model_speaker(start, start + length, list(spans))
    assert lookup.speaker_for(start, start + length) == expected


@pytest.mark.slow
def test_with_the_real_model_and_speaker_detection(tmp_path: Path) -> None:
    """A real meeting clip (AMI, two speakers): transcribed with tiny.en, speakers detected,
    one renamed, then transcribed again with another beam (Whisper cuts it differently).
    Before: every new segment had no speaker. Measured: 12 labelled segments, then 4 new
    ones, 2 of them labelled (the other two hold both speakers)."""
    from tests.speakers_data import DEV00, need_backend
    from transcribe.speakers import diarize_session

    need_backend()
    with Project.create(tmp_path / "M.fieldscribe", coder="coder-a") as project:
        project.set_languages("en")
        (session,) = project.sessions.import_audio_files([DEV00], kind="focus_group")
        transcribe_session(project, session.id)
        diarize_session(project, session.id)
        first = sorted({g.speaker for g in project.transcript.segments(session.id) if g.speaker})
        assert len(first) == 2
        project.speakers.rename_speaker(session.id, first[0], "Moderator")
        old = [(g.start_ms, g.end_ms, g.speaker) for g in project.transcript.segments(session.id)]
        turns = project.speakers.speaker_turns(session.id)
        summary = transcribe_session(project, session.id, beam_size=1)
        new = project.transcript.segments(session.id)
        assert [(g.start_ms, g.end_ms) for g in new] != [(s, e) for s, e, _w in old]
        # a segment across a change of speaker is split between its words: two parts of one
        # follow each other with no gap and different labels, and each part's label is the
        # one at its words' middles, not the one holding most of its time (a part runs on to
        # where the next part's first word starts, past the change)
        joins = {
            i
            for i in range(len(new) - 1)
            if new[i].end_ms == new[i + 1].start_ms and new[i].speaker != new[i + 1].speaker
        }
        parts = joins | {i + 1 for i in joins}
        for i, g in enumerate(new):
            if i in parts:
                want = _model_word_speaker(g, old, list(turns))
            else:
                want = _model_speaker(g.start_ms, g.end_ms, old)
                if want is None:
                    want = _model_speaker(g.start_ms, g.end_ms, list(turns))
            assert g.speaker == want, (g.start_ms, g.end_ms)
        labelled = sum(1 for g in new if g.speaker)
        assert labelled >= 1 and "Moderator" in {g.speaker for g in new}
        assert (summary.speakers_carried, summary.speakers_missing) == (
            labelled,
            len(new) - labelled,
        )
