"""Turns inside one chunk: a chunk in two languages is cut between its turns, and a turn is
cut at its pauses (identification part by part)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.identify_fakes import sample_span
from tests.transcribe_audio_helpers import join_turns
from transcribe.identify import (
    by_turns,
)
from transcribe.stream import SAMPLE_RATE

S = SAMPLE_RATE


# ----------------------------------------------------------------------------- turns in a chunk
def test_a_chunk_in_one_language_stays_whole() -> None:
    chunk = sample_span(0, 9)
    parts = [
        (sample_span(0, 3), "ru", False),
        (sample_span(3, 3.8), None, False),
        (sample_span(3.8, 9), "ru", False),
    ]
    assert by_turns(chunk, parts) == [(chunk, "ru", False)]


def test_a_chunk_holding_two_turns_is_cut_between_them() -> None:
    chunk = sample_span(0, 12)
    parts = [
        (sample_span(0, 4), "kk", True),
        (sample_span(4, 4.9), None, False),  # too short to tell: stays with its turn
        (sample_span(4.9, 8), "ru", False),
        (sample_span(8, 12), "en", False),
    ]
    assert by_turns(chunk, parts) == [
        (sample_span(0, 4.9), "kk", True),
        (sample_span(4.9, 8), "ru", False),
        (sample_span(8, 12), "en", False),
    ]


def test_a_turn_is_strange_only_when_every_part_told_was() -> None:
    chunk = sample_span(0, 9)
    parts = [
        (sample_span(0, 3), "kk", True),
        (sample_span(3, 6), "kk", False),
        (sample_span(6, 9), "en", True),
    ]
    assert by_turns(chunk, parts) == [
        (sample_span(0, 6), "kk", False),
        (sample_span(6, 9), "en", True),
    ]


@given(
    st.lists(
        st.tuples(st.integers(1, 5 * S), st.sampled_from(["ru", "kk", "en", None]), st.booleans()),
        min_size=1,
        max_size=12,
    )
)
def test_turns_cover_their_chunk_in_order_and_keep_every_part_language(parts_spec) -> None:
    """Against a model: the turns tile the chunk; each part lies in one turn, whose language
    is the part's own (when told) or that of a part before it in the turn (else the first told
    after it); neighbouring turns differ in language."""
    bounds = [0]
    for length, _, _ in parts_spec:
        bounds.append(bounds[-1] + length)
    parts = [
        ({"start": a, "end": b}, code, odd)
        for (a, b), (_, code, odd) in zip(itertools.pairwise(bounds), parts_spec, strict=True)
    ]
    chunk = {"start": 0, "end": bounds[-1]}
    turns = by_turns(chunk, parts)
    assert turns[0][0]["start"] == 0 and turns[-1][0]["end"] == bounds[-1]
    assert all(x[0]["end"] == y[0]["start"] for x, y in itertools.pairwise(turns))
    assert all(x[1] != y[1] for x, y in itertools.pairwise(turns))
    told = [code for _, code, _ in parts if code]
    assert [t[1] for t in turns if t[1]] == [
        c for i, c in enumerate(told) if i == 0 or told[i - 1] != c
    ]
    for part, code, _odd in parts:
        turn = next(t for t in turns if t[0]["start"] <= part["start"] < t[0]["end"])
        assert part["end"] <= turn[0]["end"]
        if code:
            assert turn[1] == code
    if len(turns) == 1:
        assert turns[0][0] is chunk


def test_split_at_pauses_cuts_in_the_pause_between_two_sentences(tmp_path: Path) -> None:
    from faster_whisper import decode_audio

    from tests.media import espeak
    from transcribe.stream import detect_speech, split_at_pauses

    a = espeak(tmp_path / "a.wav", "Thank you all for coming this evening.", speed=175)
    b = espeak(tmp_path / "b.wav", "Guten Tag, wir sprechen heute.", voice="de", speed=175)
    audio = decode_audio(str(join_turns(tmp_path, [a, b], pause_s=0.3)), S)
    speech = detect_speech(audio)
    chunk = {"start": speech[0]["start"], "end": speech[-1]["end"]}
    parts = split_at_pauses(audio, chunk, S)
    assert len(parts) == 2
    assert parts[0]["start"] == chunk["start"] and parts[-1]["end"] == chunk["end"]
    assert parts[0]["end"] == parts[1]["start"]
    # the cut is in the quiet between the two (espeak ends a sentence with its own pause)
    assert abs(parts[0]["end"] - len(decode_audio(str(a), S)) - 0.15 * S) < 0.3 * S
    # parts shorter than asked go with their neighbour: here, the whole chunk
    assert split_at_pauses(audio, chunk, 30 * S) == [chunk]


def _fake_vad(monkeypatch: pytest.MonkeyPatch, speech: list[tuple[int, int]]) -> None:
    """The VAD hears ``speech`` (samples from the chunk's start) in any chunk."""
    import faster_whisper.vad

    monkeypatch.setattr(
        faster_whisper.vad,
        "get_speech_timestamps",
        lambda _audio, _options: [{"start": a, "end": b} for a, b in speech],
    )


def test_split_at_pauses_cuts_the_turn_before_a_breath(monkeypatch: pytest.MonkeyPatch) -> None:
    """ "...как у той женщины, | с искоркой. || For young people...": a breath (0.3 s) then a
    turn (0.7 s) 0.9 s later; parts of 1.5 s at least. The turn is cut, not the breath, so the
    last Russian words are not heard (and written) as English."""
    from transcribe.stream import split_at_pauses

    _fake_vad(monkeypatch, [(0, int(4.0 * S)), (int(4.3 * S), int(5.2 * S)), (int(5.9 * S), 9 * S)])
    chunk = {"start": 10 * S, "end": 19 * S}
    parts = split_at_pauses(np.zeros(30 * S, np.float32), chunk, int(1.5 * S))
    turn = 10 * S + int(5.55 * S)
    assert parts == [{"start": 10 * S, "end": turn}, {"start": turn, "end": 19 * S}]


@given(
    st.lists(st.tuples(st.integers(1, 40), st.integers(1, 12)), min_size=1, max_size=12),
    st.integers(5, 30),
)
def test_split_at_pauses_cuts_the_longest_pauses_that_leave_long_enough_parts(
    runs: list[tuple[int, int]], least: int
) -> None:
    """Against a model: speech runs and pauses (tenths of a second); the parts cover the
    chunk, each at least ``least`` long, cut in the middle of pauses; and a pause left uncut
    is never longer than a cut one it does not stand too close to (the longest go first)."""
    import faster_whisper.vad

    from transcribe.stream import split_at_pauses

    speech, at = [], 0
    for talk, pause in runs:
        speech.append((at, at + talk))
        at += talk + pause
    end = speech[-1][1]
    original = faster_whisper.vad.get_speech_timestamps
    faster_whisper.vad.get_speech_timestamps = lambda _a, _o: [  # type: ignore[assignment]
        {"start": a, "end": b} for a, b in speech
    ]
    try:
        parts = split_at_pauses(np.zeros(end, np.float32), {"start": 0, "end": end}, least)
    finally:
        faster_whisper.vad.get_speech_timestamps = original
    assert parts[0]["start"] == 0 and parts[-1]["end"] == end
    assert all(a["end"] == b["start"] for a, b in itertools.pairwise(parts))
    if len(parts) > 1:
        assert all(p["end"] - p["start"] >= least for p in parts)
    middles = {(a[1] + b[0]) // 2: b[0] - a[1] for a, b in itertools.pairwise(speech)}
    cuts = [p["end"] for p in parts[:-1]]
    assert all(c in middles for c in cuts)
    bounds = [0, *cuts, end]
    for middle, length in middles.items():
        if middle in cuts:
            continue
        # uncut: too close to the chunk's edge, or to a cut pause at least as long
        near = [b for b in bounds if abs(middle - b) < least]
        assert any(b in (0, end) or middles[b] >= length for b in near)
