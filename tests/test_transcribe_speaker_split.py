"""A new segment across a change of speaker is split at the change (``transcribe.carry``).

Before, re-transcribing a session gave such a segment no speaker label, and the run only said
how many there were. Now, when the segment has word timings, it is cut at the word boundary
nearest the change: each part keeps the language, its own words and its own text, and takes its
speaker. Without word timings it stays whole and the run says so, as before.

Whisper is faked (as in tests/test_transcribe_speakers_carried.py): it writes
``FakeWhisper.drafts``, with words.
"""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage import Project
from storage.core.models import Word
from storage.speakers.speakers import SegmentRelabel
from storage.transcript.transcript import SegmentDraft
from tests.fake_whisper import OneBatchWhisper, one_batch_fixtures
from tests.hardening_support import run_cli
from transcribe.carry import SpeakerSpans, carry_speakers
from transcribe.runner import transcribe_session


class FakeWhisper(OneBatchWhisper):
    """Writes ``drafts`` in one batch over the whole recording (``tests.fake_whisper``)."""

    drafts: ClassVar[list[Any]] = []


fake_whisper, wav = one_batch_fixtures(FakeWhisper)


def _timed(start_ms: int, tokens: list[tuple[int, int, str]], **kw: Any) -> SegmentDraft:
    """A draft whose text is its words' text (Whisper's words start with a space)."""
    words = [Word(s, e, f" {t}", 0.9) for s, e, t in tokens]
    text = "".join(w.text for w in words).strip()
    return SegmentDraft(start_ms, tokens[-1][1], text, words=words, language="kk", **kw)


def _labelled(folder: Path, wav: Path, old: list[tuple[int, int, str]]) -> tuple[Project, str]:
    """A session transcribed into ``old`` segments, labelled by speaker detection."""
    project = Project.create(folder, name="Study", coder="coder-a")
    sid = project.sessions.import_audio(wav, title="FG").id
    FakeWhisper.drafts = [SegmentDraft(s, e, f"Фраза {i}.") for i, (s, e, _w) in enumerate(old)]
    transcribe_session(project, sid)
    plan = [
        SegmentRelabel(g.id, [who])
        for g, (_s, _e, who) in zip(project.transcript.segments(sid), old, strict=True)
    ]
    project.speakers.apply_speaker_labels(sid, plan, turns=old)
    return project, sid


def test_a_new_segment_across_a_change_of_speaker_is_split_there(
    tmp_path: Path, wav: Path, fake_whisper: type[FakeWhisper]
) -> None:
    """Before: one segment 2000-4000 with no speaker (its words are half A's, half B's)."""
    old = [(0, 3000, "Speaker 1"), (3000, 6000, "Speaker 2")]
    project, sid = _labelled(tmp_path / "P.fieldscribe", wav, old)
    try:
        across = _timed(
            2000,
            [
                (2000, 2400, "Сәлем"),
                (2400, 2950, "бәріне."),
                (3100, 3500, "Мен"),
                (3500, 4000, "де."),
            ],
        )
        untimed = SegmentDraft(4500, 5500, "Без слов.", language="ru")
        FakeWhisper.drafts = [_timed(0, [(0, 900, "Раз."), (1000, 1900, "Два.")]), across]
        summary = transcribe_session(project, sid)
        got = [
            (g.start_ms, g.end_ms, g.speaker, g.text, g.language, [w.text for w in g.words])
            for g in project.transcript.segments(sid)
        ]
        assert got == [
            (0, 1900, "Speaker 1", "Раз. Два.", "kk", [" Раз.", " Два."]),
            (2000, 3100, "Speaker 1", "Сәлем бәріне.", "kk", [" Сәлем", " бәріне."]),
            (3100, 4000, "Speaker 2", "Мен де.", "kk", [" Мен", " де."]),
        ]
        assert (summary.speakers_carried, summary.speakers_missing) == (3, 0)
        assert summary.speakers_split == 1
        note = next(n for n in summary.notes if n.startswith("Speakers carried over"))
        assert "1 new segment across a change of speaker was split at the word nearest" in note
        # without word timings it stays whole, with no label, and the run says so
        FakeWhisper.drafts = [untimed, _timed(2500, [(2500, 2900, "Да."), (3100, 3400, "Нет.")])]
        summary = transcribe_session(project, sid)
        got2 = [(g.start_ms, g.speaker, g.text) for g in project.transcript.segments(sid)]
        assert got2 == [
            (2500, "Speaker 1", "Да."),
            (3100, "Speaker 2", "Нет."),
            (4500, "Speaker 2", "Без слов."),
        ]
        FakeWhisper.drafts = [SegmentDraft(2000, 4000, "Через смену.", language="ru")]
        summary = transcribe_session(project, sid)
        assert [g.speaker for g in project.transcript.segments(sid)] == [None]
        assert (summary.speakers_split, summary.speakers_missing) == (0, 1)
        assert any("across a change of speaker (or where no" in n for n in summary.notes)
    finally:
        project.close()


def test_words_not_found_in_the_text_leave_the_segment_whole(
    tmp_path: Path, wav: Path, fake_whisper: type[FakeWhisper]
) -> None:
    """Whisper's words and its text can differ (numbers written as digits): no cut is guessed."""
    project, sid = _labelled(
        tmp_path / "P.fieldscribe", wav, [(0, 3000, "Speaker 1"), (3000, 6000, "Speaker 2")]
    )
    try:
        draft = _timed(2000, [(2000, 2900, "двадцать"), (3100, 4000, "лет.")])
        draft.text = "20 лет."
        FakeWhisper.drafts = [draft]
        summary = transcribe_session(project, sid)
        assert [(g.text, g.speaker) for g in project.transcript.segments(sid)] == [
            ("20 лет.", None)
        ]
        assert (summary.speakers_split, summary.speakers_missing) == (0, 1)
    finally:
        project.close()


def test_the_command_line_says_how_many_were_split(
    tmp_path: Path,
    wav: Path,
    fake_whisper: type[FakeWhisper],
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "P.fieldscribe"
    project, _sid = _labelled(folder, wav, [(0, 3000, "Speaker 1"), (3000, 6000, "Speaker 2")])
    project.close()
    FakeWhisper.drafts = [_timed(2000, [(2000, 2900, "Иә."), (3100, 4000, "Жоқ.")])]
    code, out, err = run_cli(capsys, "transcribe", folder, "--session", "FG", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert (result["speakers_split"], result["speakers_carried"]) == (1, 2)
    assert any("was split at the word nearest the change" in n for n in result["notes"])


# ---------------------------------------------------------------- the property
def _turn_at(turns: list[tuple[int, int, str]], ms: int) -> str | None:
    """Independent of ``transcribe.carry``: the speaker whose turn holds the moment ``ms``."""
    for s, e, who in turns:
        if s <= ms < e:
            return who
    return None


@st.composite
def _case(draw: Any) -> tuple[list[tuple[int, int, str]], list[Word], str]:
    """Turns of speakers A, B, C with gaps between some; words over them (some touching, some
    with pauses, some zero-length); the text the words say, with spaces Whisper's way."""
    turns, t = [], draw(st.integers(0, 300))
    for _ in range(draw(st.integers(1, 6))):
        length = draw(st.integers(50, 1500))
        turns.append((t, t + length, draw(st.sampled_from("ABC"))))
        t += length + draw(st.sampled_from([0, 0, 100]))
    words, t = [], draw(st.integers(0, 500))
    alphabet = st.sampled_from(list("абвгдеёжәқңөұүһіxyz.,?"))
    for _ in range(draw(st.integers(1, 14))):
        t += draw(st.sampled_from([0, 0, 40, 300]))
        length = draw(st.integers(0, 700))
        token = "".join(draw(st.lists(alphabet, min_size=1, max_size=6)))
        words.append(Word(t, t + length, f" {token}"))
        t += length
    return turns, words, "".join(w.text for w in words)


@settings(max_examples=400, deadline=None, database=None)
@given(case=_case())
def test_every_word_ends_in_one_part_in_order_each_part_mostly_one_speaker(
    case: tuple[list[tuple[int, int, str]], list[Word], str],
) -> None:
    turns, words, text = case
    draft = SegmentDraft(words[0].start_ms, words[-1].end_ms, text.strip(), words=list(words))
    draft.language = "kk"
    done = carry_speakers([draft], SpeakerSpans([], fallback=SpeakerSpans(turns)))
    parts = done.drafts
    # every word in exactly one part, in order; the parts follow each other in time
    assert [w for p in parts for w in p.words] == words
    assert all(p.start_ms <= p.end_ms for p in parts)
    assert all(a.end_ms == b.start_ms for a, b in pairwise(parts))
    assert (parts[0].start_ms, parts[-1].end_ms) == (draft.start_ms, draft.end_ms)
    # the texts are the original, cut between words (whitespace at the cuts aside)
    assert "".join(p.text for p in parts).replace(" ", "") == text.replace(" ", "")
    assert " ".join(p.text for p in parts) == text.strip()
    for p in parts:
        assert p.language == "kk"
        assert p.text == "".join(w.text for w in p.words).strip()
    # each part's words lie mostly in one speaker's turns, and that is its speaker
    heard = [[_turn_at(turns, (w.start_ms + w.end_ms) // 2) for w in p.words] for p in parts]
    if len(parts) > 1:
        assert done.split == 1 and done.placed == len(parts)
        for p, said in zip(parts, heard, strict=True):
            known = [who for who in said if who]
            assert known and all(who == p.speaker for who in known)
        assert all(a.speaker != b.speaker for a, b in pairwise(parts))
    else:  # not split: the words say one speaker (or none), or the whole rule gave one
        known = {who for who in heard[0] if who}
        assert len(known) <= 1 or parts[0].speaker is not None
