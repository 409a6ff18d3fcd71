"""Speech that Whisper skipped in a piece is decoded again (engine's second pass)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.transcribe_audio import SENTENCES, normalise, speech_with_pauses
from transcribe.engine import (
    Transcriber,
    _not_repeated,
    _plan_batches,
    _uncovered,
    _word_spans,
)
from transcribe.stream import SAMPLE_RATE, Window, speech_windows

S = SAMPLE_RATE


def seg(text: str, words: list[tuple[float, float, str]]) -> SimpleNamespace:
    """A decoded segment shaped like faster-whisper's (times in seconds)."""
    ws = [SimpleNamespace(start=a, end=b, word=w, probability=0.9) for a, b, w in words]
    start = ws[0].start if ws else 0.0
    end = ws[-1].end if ws else 0.0
    return SimpleNamespace(text=text, start=start, end=end, words=ws)


def test_fully_covered_chunks_are_not_decoded_again() -> None:
    chunks = [{"start": 0, "end": 3 * S}, {"start": 4 * S, "end": 7 * S}]
    decoded = [seg(" a b", [(0.1, 1.4, " a"), (1.5, 2.9, " b")])]
    decoded.append(seg(" c d", [(4.2, 5.5, " c"), (5.6, 6.8, " d")]))
    assert _uncovered(chunks, _word_spans(decoded)) == []


def test_a_skipped_chunk_and_an_early_stop_are_decoded_again() -> None:
    chunks = [
        {"start": 0, "end": 3 * S},
        {"start": 4 * S, "end": 8 * S},  # skipped entirely
        {"start": 9 * S, "end": 20 * S},  # Whisper stopped after 7 s of it
    ]
    decoded = [seg(" a b", [(0.1, 1.4, " a"), (1.5, 2.9, " b")])]
    decoded.append(seg(" c", [(9.1, 16.0, " c")]))
    missed = _uncovered(chunks, _word_spans(decoded))
    spans = [(c["start"] / S, c["end"] / S) for group in missed for c in group]
    assert spans[0] == (4.0, 8.0)  # the whole chunk
    assert spans[1] == (16.25, 20.0)  # the rest after the last word (and its margin)
    assert len(spans) == 2


def test_short_gaps_between_words_are_not_decoded_again() -> None:
    chunks = [{"start": 0, "end": 10 * S}]
    decoded = [seg(" a b", [(0.0, 4.0, " a"), (5.0, 10.0, " b")])]  # a 1 s gap
    assert _uncovered(chunks, _word_spans(decoded)) == []


def test_a_retry_repeating_nearby_words_is_dropped() -> None:
    first = [seg(" We met on Tuesday.", [(0.0, 0.5, " We"), (0.6, 1.0, " met"), (1.1, 1.5, " on")])]
    first[0].words.append(SimpleNamespace(start=1.6, end=2.4, word=" Tuesday.", probability=0.9))
    repeat = seg(" met on Tuesday", [(3.0, 3.5, " met"), (3.6, 4.0, " on"), (4.1, 4.9, " Tuesday")])
    new = seg(" The bus was late.", [(5.0, 5.4, " The"), (5.5, 6.0, " bus"), (6.1, 7.0, " late")])
    far = seg(" met on Tuesday", [(40.0, 40.5, " met"), (40.6, 41.0, " on"), (41.1, 42.0, " x")])
    assert _not_repeated([repeat, new, far], first) == [new, far]


@pytest.mark.slow
def test_speech_left_out_of_a_piece_is_recovered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real model: the words of the last sentence are removed from the first pass (as when
    Whisper stops early); the second pass finds that sentence again, once."""
    path = speech_with_pauses(tmp_path, SENTENCES[:3])
    tr = Transcriber("tiny.en", threads=2, device="cpu")
    window: Window = next(iter(speech_windows(path)))
    last_start = window.speech[-1]["start"] / S
    real_decode = Transcriber._decode
    calls: list[int] = []

    def first_pass_stops_early(self: Transcriber, audio, groups, language):  # type: ignore[no-untyped-def]
        decoded = real_decode(self, audio, groups, language)
        calls.append(len(groups))
        if len(calls) == 1:  # the first pass: forget every word of the last chunk
            for s in decoded:
                s.words = [w for w in s.words if (w.start + w.end) / 2 < last_start]
            decoded = [s for s in decoded if s.words]
        return decoded

    monkeypatch.setattr(Transcriber, "_decode", first_pass_stops_early)
    results = [tr._run_batch(window, plan, "en") for plan in _plan_batches(window, 4)]
    text = normalise(" ".join(d.text for r in results for d in r.segments))
    assert len(calls) == 2  # the first pass and one retry
    assert "mayor promised a public meeting" in text
    assert text.count("mayor") == 1
    assert "committee met on" in text
    starts = [d.start_ms for r in results for d in r.segments]
    assert starts == sorted(starts)
