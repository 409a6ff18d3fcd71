"""Speech that Whisper skipped in a piece is decoded again (engine's second pass)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from tests.transcribe_audio import SENTENCES, normalise, speech_with_pauses
from transcribe.batches import InFlight, plan_batches
from transcribe.coverage import not_repeated, uncovered_pieces, word_spans
from transcribe.engine import Transcriber
from transcribe.stream import SAMPLE_RATE, Window, speech_windows

S = SAMPLE_RATE


def seg(text: str, words: list[tuple[float, float, str]]) -> SimpleNamespace:
    """A decoded segment shaped like faster-whisper's (times in seconds)."""
    ws = [SimpleNamespace(start=a, end=b, word=w, probability=0.9) for a, b, w in words]
    start = ws[0].start if ws else 0.0
    end = ws[-1].end if ws else 0.0
    return SimpleNamespace(
        text=text, start=start, end=end, words=ws, avg_logprob=-0.2, no_speech_prob=0.01
    )


def test_fully_covered_chunks_are_not_decoded_again() -> None:
    chunks = [{"start": 0, "end": 3 * S}, {"start": 4 * S, "end": 7 * S}]
    decoded = [seg(" a b", [(0.1, 1.4, " a"), (1.5, 2.9, " b")])]
    decoded.append(seg(" c d", [(4.2, 5.5, " c"), (5.6, 6.8, " d")]))
    assert uncovered_pieces(chunks, word_spans(decoded)) == []


def test_a_skipped_chunk_and_an_early_stop_are_decoded_again() -> None:
    chunks = [
        {"start": 0, "end": 3 * S},
        {"start": 4 * S, "end": 8 * S},  # skipped entirely
        {"start": 9 * S, "end": 20 * S},  # Whisper stopped after 7 s of it
    ]
    decoded = [seg(" a b", [(0.1, 1.4, " a"), (1.5, 2.9, " b")])]
    decoded.append(seg(" c", [(9.1, 16.0, " c")]))
    missed = uncovered_pieces(chunks, word_spans(decoded))
    spans = [(c["start"] / S, c["end"] / S) for group in missed for c in group]
    assert spans[0] == (4.0, 8.0)  # the whole chunk
    assert spans[1] == (16.25, 20.0)  # the rest after the last word (and its margin)
    assert len(spans) == 2


def test_short_gaps_between_words_are_not_decoded_again() -> None:
    chunks = [{"start": 0, "end": 10 * S}]
    decoded = [seg(" a b", [(0.0, 4.0, " a"), (5.0, 10.0, " b")])]  # a 1 s gap
    assert uncovered_pieces(chunks, word_spans(decoded)) == []


def test_a_retry_repeating_nearby_words_is_dropped() -> None:
    first = [seg(" We met on Tuesday.", [(0.0, 0.5, " We"), (0.6, 1.0, " met"), (1.1, 1.5, " on")])]
    first[0].words.append(SimpleNamespace(start=1.6, end=2.4, word=" Tuesday.", probability=0.9))
    repeat = seg(" met on Tuesday", [(3.0, 3.5, " met"), (3.6, 4.0, " on"), (4.1, 4.9, " Tuesday")])
    new = seg(" The bus was late.", [(5.0, 5.4, " The"), (5.5, 6.0, " bus"), (6.1, 7.0, " late")])
    far = seg(" met on Tuesday", [(40.0, 40.5, " met"), (40.6, 41.0, " on"), (41.1, 42.0, " x")])
    assert not_repeated([repeat, new, far], first) == [new, far]


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
    results = [tr._run_batch(window, plan, "en") for plan in plan_batches(window, 4)]
    text = normalise(" ".join(d.text for r in results for d in r.segments))
    assert len(calls) == 2  # the first pass and one retry
    assert "mayor promised a public meeting" in text
    assert text.count("mayor") == 1
    assert "committee met on" in text
    starts = [d.start_ms for r in results for d in r.segments]
    assert starts == sorted(starts)


def test_a_chunk_retaken_whole_that_stops_early_again_is_decoded_from_where_words_end() -> None:
    """Seen on real Russian: the last chunk of a recording held two sentences, Whisper read the
    first and ended, and read only the first again when the chunk was retaken whole; the second
    sentence became speech without transcript. Now the speech still without words is decoded
    on its own."""
    tr = object.__new__(Transcriber)
    tr.batch_size = 4
    tr._in_flight = InFlight()
    chunk = {"start": 0, "end": 14 * S}
    window = Window(0, np.zeros(15 * S, dtype=np.float32), [chunk], final=True)
    asked: list[list[tuple[float, float]]] = []

    def decode(audio, groups, language, max_new_tokens=None):  # type: ignore[no-untyped-def]
        pieces = [(c["start"] / S, c["end"] / S) for g in groups for c in g]
        asked.append(pieces)
        if pieces[0][0] == 0.0:  # the chunk from its start: the first sentence, then the end
            # (each word no longer than its letters allow: ``drafts.plausible_times``)
            return [seg(" Это была ракета, и она летела далеко.", [
                (0.2, 1.0, " Это"), (1.1, 2.0, " была"), (2.1, 3.0, " ракета,"),
                (3.1, 3.6, " и"), (3.7, 4.5, " она"), (4.6, 5.3, " летела"),
                (5.4, 6.0, " далеко.")])]  # fmt: skip
        start = pieces[0][0]
        return [seg(" Аванс шесть фельетонов, и все они были написаны быстро.", [
            (start + 0.2, start + 1.0, " Аванс"), (start + 1.1, start + 2.0, " шесть"),
            (8.35, 9.6, " фельетонов,"), (9.7, 10.0, " и"), (10.1, 10.6, " все"),
            (10.7, 11.2, " они"), (11.3, 11.9, " были"), (12.0, 12.8, " написаны"),
            (12.9, 13.5, " быстро.")])]  # fmt: skip

    tr._decode = decode  # type: ignore[method-assign]
    (plan,) = plan_batches(window, 4)
    result = tr._run_batch(window, plan, "ru")
    assert asked == [[(0.0, 14.0)], [(0.0, 14.0)], [(6.25, 14.0)]]
    texts = [d.text for d in result.segments]
    assert texts == [
        "Это была ракета, и она летела далеко.",
        "Аванс шесть фельетонов, и все они были написаны быстро.",
    ]
    assert not any(d.untranscribed for d in result.segments)


def test_no_segment_runs_past_its_batch_into_the_next() -> None:
    """Seen on an AAC recording: Whisper put a stretch's last word, "әг", at 51.10-52.58 s, in
    the silence it pads the piece with, and the next batch's Russian began at 52.16 s: two
    segments at once in every export. A batch's segments end where its part of the recording
    does (``BatchPlan.done_ms``); no word is dropped."""
    tr = object.__new__(Transcriber)
    tr.batch_size = 1
    tr._in_flight = InFlight()
    chunks = [{"start": 0, "end": 25 * S}, {"start": 25 * S, "end": 40 * S}]  # two pieces
    window = Window(0, np.zeros(45 * S, dtype=np.float32), chunks, final=True)

    def decode(audio, groups, language, max_new_tokens=None):  # type: ignore[no-untyped-def]
        start = groups[0][0]["start"] / S
        if start == 0.0:  # the last word placed in the padding, past the chunk's end
            return [seg(" Бастық әг", [(23.0, 24.0, " Бастық"), (24.7, 25.42, " әг")])]
        return [seg(" окна многоэтажных", [(25.1, 26.0, " окна"), (26.1, 27.5, " многоэтажных")])]

    tr._decode = decode  # type: ignore[method-assign]
    plans = plan_batches(window, 1)
    assert [p.done_ms for p in plans] == [25000, 45000]
    first, second = (tr._run_batch(window, plan, "kk").segments for plan in plans)
    assert max(d.end_ms for d in first) == 25000 <= min(d.start_ms for d in second)
    segments = [d for d in first + second if d.text]  # the rest: speech without transcript
    assert [d.text for d in segments] == ["Бастық әг", "окна многоэтажных"]
    assert [(d.start_ms, d.end_ms) for d in segments] == [(23000, 25000), (25100, 27500)]
    assert [(w.start_ms, w.end_ms) for w in segments[0].words] == [(23000, 24000), (24700, 25000)]


def test_only_chunks_retaken_whole_are_decoded_a_third_time() -> None:
    chunks = [{"start": 0, "end": 10 * S}, {"start": 14 * S, "end": 20 * S}]
    words = [(0.0, 3.0)]  # the first chunk mostly without words, the second without any
    spans = [[(c["start"] / S, c["end"] / S) for c in g] for g in uncovered_pieces(chunks, words)]
    assert spans == [[(0.0, 10.0), (14.0, 20.0)]]  # both taken whole
    spans = [
        [(c["start"] / S, c["end"] / S) for c in g]
        for g in uncovered_pieces(chunks, words, whole=False)
    ]
    assert spans == [[(3.25, 10.0), (14.0, 20.0)]]  # only where no word is
