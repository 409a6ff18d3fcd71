"""The pipelined engine: energy gate before the VAD, batch plans, two decoders, prefetch."""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.transcribe_audio import SENTENCES, speech_with_pauses
from transcribe import stream
from transcribe.batches import Prefetch, plan_batches
from transcribe.engine import Transcriber
from transcribe.model_load import plan_workers
from transcribe.stream import SAMPLE_RATE, PcmReader, Window, detect_speech, quiet_slices

S = SAMPLE_RATE


def _noise(seconds: float, db: float, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(int(seconds * S)) * 10 ** (db / 20)).astype(np.float32)


def test_quiet_slices_skip_only_slices_without_a_loud_frame() -> None:
    audio = _noise(300, -65)
    audio[70 * S : 70 * S + S // 2] += _noise(0.5, -40, seed=2)  # a half-second sound at 70 s
    quiet = quiet_slices(audio, 60 * S)
    assert quiet == {0, 120 * S, 180 * S, 240 * S}  # the slice 60-120 s is kept for the VAD
    # noisy recordings are never gated: steady noise at -40 dBFS with a weak voice 6 dB above
    noisy = _noise(300, -40)
    noisy[200 * S : 203 * S] += _noise(3, -34, seed=4)
    assert quiet_slices(noisy, 60 * S) == set()
    assert quiet_slices(_noise(300, -30), 60 * S) == set()
    # too short to judge, or a tail shorter than a slice: never skipped
    assert quiet_slices(_noise(0.5, -65), 60 * S) == set()
    assert 240 * S not in quiet_slices(_noise(250, -65), 60 * S)


@pytest.mark.slow
def test_the_gate_does_not_change_what_the_vad_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Speech, three minutes of room noise, a quiet speaker (20 dB under the others): the same
    speech chunks with and without the gate, and the silent minutes skip the VAD."""
    wav = speech_with_pauses(tmp_path, SENTENCES[:2])
    with PcmReader(wav) as reader:
        speech = reader.read(S * 60)
    noise = _noise(200, -62)
    quiet_speaker = speech * 0.1
    audio = np.concatenate([speech, noise, quiet_speaker, noise[: 30 * S]])
    audio[: len(audio)] += _noise(len(audio) / S, -62, seed=3)[: len(audio)]
    seen: list[int] = []
    import faster_whisper.vad as fvad  # detect_speech imports it on each call: count there

    original = fvad.get_speech_timestamps

    def counting(piece, options):  # type: ignore[no-untyped-def]
        seen.append(len(piece))
        return original(piece, options)

    monkeypatch.setattr(fvad, "get_speech_timestamps", counting)
    gated = detect_speech(audio)
    gated_calls = len(seen)
    monkeypatch.setattr(stream, "quiet_slices", lambda a, step: set())
    seen.clear()
    plain = detect_speech(audio)
    assert gated == plain
    assert len(plain) >= 4  # both speakers' sentences are there
    quiet_start = (len(speech) + len(noise)) / S
    assert any(c["start"] / S >= quiet_start - 1 for c in gated), "the quiet speaker is found"
    assert gated_calls < len(seen)  # at least one silent minute skipped the VAD


def test_speech_recorded_very_quietly_is_found(tmp_path: Path) -> None:
    """A speaker far from the recorder (peak -62 dBFS): the VAD, given the audio as recorded,
    finds no speech at all; the lifted copy finds the same chunks as at a normal level."""
    from faster_whisper.vad import get_speech_timestamps

    wav = speech_with_pauses(tmp_path, SENTENCES[:4])
    with PcmReader(wav) as reader:
        loud = reader.read(S * 60)
    quiet = (loud * 10 ** (-60 / 20)).astype(np.float32)
    assert 20 * np.log10(np.abs(quiet).max()) < -60
    assert get_speech_timestamps(quiet, stream.vad_options()) == []  # what the VAD alone hears
    found, normal = detect_speech(quiet), detect_speech(loud)
    assert len(found) == len(normal) == 4
    for a, b in zip(found, normal, strict=True):
        assert abs(a["start"] - b["start"]) <= S // 5 and abs(a["end"] - b["end"]) <= S // 5
    # the parts a long chunk is cut into for identification are found the same way
    whole = {"start": 0, "end": len(quiet)}
    assert len(stream.split_at_pauses(quiet, whole, S)) == len(
        stream.split_at_pauses(loud, whole, S)
    )


def test_only_quiet_audio_is_lifted_for_the_vad_and_never_past_its_limit() -> None:
    normal = _noise(2, -20)
    assert stream.for_vad(normal) is normal  # a normal level is left as it is
    quiet = _noise(2, -90)  # its peak is about -77 dBFS: lifted by the cap, not to -20
    lifted = stream.for_vad(quiet)
    gain_db = 20 * np.log10(np.abs(lifted).max() / np.abs(quiet).max())
    assert gain_db == pytest.approx(stream.VAD_LIFT_MAX_DB, abs=0.01)  # capped
    assert lifted.dtype == np.float32
    assert np.array_equal(stream.for_vad(np.zeros(100, np.float32)), np.zeros(100, np.float32))


def test_faint_noise_alone_is_not_taken_for_speech_once_lifted() -> None:
    """Room noise and mains hum between -65 and -45 dBFS, lifted for the VAD: still no speech."""
    rng = np.random.default_rng(5)
    t = np.arange(60 * S) / S
    hum = np.sin(2 * np.pi * 50 * t) + 0.5 * np.sin(2 * np.pi * 150 * t)
    for db in (-45, -55, -65):
        for sound in (rng.standard_normal(60 * S), hum + 0.1 * rng.standard_normal(60 * S)):
            audio = (sound / np.abs(sound).max() * 10 ** (db / 20)).astype(np.float32)
            assert detect_speech(audio) == []


@pytest.mark.slow
def test_speech_found_in_two_reads_joins_at_the_border(tmp_path: Path) -> None:
    """A window that grows runs the VAD over the new audio only: a sentence cut by the end of
    the first read is one chunk again, and the chunks match those of one pass over it all."""
    wav = speech_with_pauses(tmp_path, SENTENCES[:3])
    with PcmReader(wav) as reader:
        audio = reader.read(S * 60)
    whole = detect_speech(audio)
    middle = whole[1]
    border = (middle["start"] + middle["end"]) // 2  # inside the second sentence
    first = detect_speech(audio[:border])
    assert first[-1]["end"] == border  # the first read ends in the middle of speech
    joined = stream.extend_speech(first, audio, border)
    assert len(joined) == len(whole)
    assert any(c["start"] < border < c["end"] for c in joined)  # no cut at the border
    for a, b in zip(joined, whole, strict=True):
        assert abs(a["start"] - b["start"]) <= S // 2 and abs(a["end"] - b["end"]) <= S // 2


def _window(seconds: float, chunks: list[tuple[float, float]]) -> Window:
    speech = [{"start": int(a * S), "end": int(b * S)} for a, b in chunks]
    return Window(start_ms=10_000, audio=np.zeros(int(seconds * S), np.float32), speech=speech)


def test_batch_plans_cover_the_window_in_order_and_feed_every_worker() -> None:
    # four pieces of about 25 s each
    window = _window(200, [(0, 25), (30, 55), (60, 85), (90, 115)])
    window.final = True
    one = plan_batches(window, 4, workers=1)
    two = plan_batches(window, 4, workers=2)
    assert [len(p.groups) for p in one] == [4]
    assert [len(p.groups) for p in two] == [2, 2]
    for plans in (one, two):
        assert plans[0].start_ms == 10_000 and plans[-1].done_ms == window.end_ms
        assert all(a.done_ms == b.start_ms for a, b in itertools_pairwise(plans))
        assert [p.final for p in plans] == [False] * (len(plans) - 1) + [True]
    # the done mark between batches lies in the pause between their pieces (55 s .. 60 s)
    assert 10_000 + 55_000 <= two[0].done_ms <= 10_000 + 60_000
    # a window without speech is one empty plan covering it all
    empty = plan_batches(_window(60, []), 4, workers=2)
    assert len(empty) == 1 and empty[0].groups == [] and empty[0].done_ms == 70_000


def itertools_pairwise(items: list) -> list:  # type: ignore[type-arg]
    return list(itertools.pairwise(items))


def test_two_single_thread_decoders_on_a_cpu() -> None:
    assert plan_workers("cpu", 2) == (2, 1)
    assert plan_workers("cpu", 8) == (2, 4)
    assert plan_workers("cpu", 1) == (1, 1)
    assert plan_workers("cuda", 4) == (1, 4)


def test_prefetch_reads_ahead_and_close_stops_the_reader() -> None:
    produced: list[int] = []
    closed = threading.Event()

    def windows():  # type: ignore[no-untyped-def]
        try:
            for i in range(100):
                produced.append(i)
                yield _window(1, [])
        finally:
            closed.set()

    prefetch = Prefetch(windows())
    iterator = iter(prefetch)
    next(iterator)
    time.sleep(0.3)
    assert len(produced) <= 2  # one handed out, one read ahead (memory: windows can be large)
    prefetch.close()
    assert closed.wait(2), "the generator was closed"
    assert not prefetch._thread.is_alive()


def test_close_does_not_wait_for_a_growing_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cancel within a second: a window growing over a long quiet recording (each VAD call
    slow here) stops between VAD calls when the reader is closed, not at the window's end
    (no VAD call starts once the reader is told to stop; not a timing, which load can skew)."""
    from transcribe.stream import speech_windows

    late: list[int] = []  # VAD calls begun after the stop

    def slow_vad(
        chunks: list[dict[str, int]], audio: np.ndarray, start: int, **_: object
    ) -> list[dict[str, int]]:
        if stop.is_set():
            late.append(start)
        time.sleep(0.5)  # no speech: the window keeps growing (three calls a window)
        return chunks

    monkeypatch.setattr(stream, "extend_speech", slow_vad)
    stop = threading.Event()
    audio = np.zeros(3600 * S, np.float32)
    prefetch = Prefetch(speech_windows(audio, window_s=300, stop=stop.is_set), stop)
    iterator = iter(prefetch)
    next(iterator)  # the first window (1.5 s); the reader now grows the second
    time.sleep(0.25)
    prefetch.close()
    assert not prefetch._thread.is_alive()
    assert late == []


def test_prefetch_hands_errors_to_the_consumer() -> None:
    def broken():  # type: ignore[no-untyped-def]
        yield _window(1, [])
        raise ValueError("bad audio")

    with pytest.raises(ValueError, match="bad audio"):
        list(Prefetch(broken()))


@pytest.mark.slow
def test_parallel_decoding_gives_the_same_transcript_in_order(tmp_path: Path) -> None:
    """Two decoders at once (threads=2) and one (threads=1): the same segments, in order."""
    wav = speech_with_pauses(tmp_path, SENTENCES[:6])
    one = Transcriber("tiny.en", threads=1, device="cpu", batch_size=1, window_s=12)
    two = Transcriber("tiny.en", threads=2, device="cpu", batch_size=1, window_s=12)
    assert one.workers == 1 and two.workers == 2
    chunks_one = list(one.transcribe_chunks(wav))
    chunks_two = list(two.transcribe_chunks(wav))
    assert len(chunks_two) >= 3  # several batches, decoded two at a time
    done = [c.done_ms for c in chunks_two]
    assert done == sorted(done) and chunks_two[-1].final
    assert all(a.done_ms == b.start_ms for a, b in itertools_pairwise(chunks_two))
    texts_one = [s.text for c in chunks_one for s in c.segments]
    texts_two = [s.text for c in chunks_two for s in c.segments]
    assert texts_two == texts_one


def _chunks(*spans: tuple[float, float]) -> list[dict[str, int]]:
    return [{"start": int(a * S), "end": int(b * S)} for a, b in spans]


def test_a_window_ends_after_a_full_piece() -> None:
    from transcribe.stream import full_pieces_cut, pack_pieces

    # 29 + 29 s of speech (their one-second pauses kept) fill two pieces; 8 s more would be a
    # third piece, mostly empty
    speech = _chunks((0, 14), (15, 29), (30, 44), (45, 59), (62, 70))
    assert pack_pieces(speech) == [_chunks((0, 29)), _chunks((30, 59)), _chunks((62, 70))]
    cut = full_pieces_cut(speech, 75 * S)
    assert 59 * S < cut < 62 * S  # in the pause before the short piece: it goes to the next
    # the last piece nearly full (25 s of 30): the cut stays
    assert full_pieces_cut(_chunks((0, 28), (30, 55)), 60 * S) == 60 * S
    # a single piece: the cut stays (the window must make progress)
    assert full_pieces_cut(_chunks((0, 5), (10, 15)), 20 * S) == 20 * S
    # no pause between the pieces (speech split at 30 s): the cut stays
    assert full_pieces_cut(_chunks((0, 29), (29, 35)), 40 * S) == 40 * S


def _windows_over(
    monkeypatch: pytest.MonkeyPatch,
    turns: list[tuple[float, float]],
    seconds: int,
    vad_parallel: list[bool] | None = None,
) -> list[Window]:
    """The windows of a ``seconds``-long recording whose VAD finds ``turns`` (in seconds);
    ``vad_parallel`` collects whether each VAD call may use two threads."""
    from transcribe.stream import speech_windows

    position = 0.0  # absolute time of the window being built

    def fake_extend(
        chunks: list[dict[str, int]],
        audio: np.ndarray,
        start: int,
        *,
        parallel: bool = True,
        stop: object = None,
    ) -> list[dict[str, int]]:
        # the turns within audio[start:], in the buffer's samples (the buffer starts at
        # position); a turn cut by the previous end of the buffer is joined again
        if vad_parallel is not None:
            vad_parallel.append(parallel)
        lo, hi = position + start / S, position + len(audio) / S
        out = [dict(c) for c in chunks]
        for a, b in turns:
            if b <= lo or a >= hi:
                continue
            chunk = {
                "start": int((max(a, lo) - position) * S),
                "end": int((min(b, hi) - position) * S),
            }
            if out and out[-1]["end"] >= chunk["start"]:
                out[-1]["end"] = chunk["end"]
            else:
                out.append(chunk)
        return out

    windows = []
    monkeypatch.setattr(stream, "extend_speech", fake_extend)
    for window in speech_windows(np.zeros(seconds * S, np.float32), window_s=300):
        windows.append(window)
        position = window.end_ms / 1000
    assert windows[0].start_ms == 0 and windows[-1].final
    assert all(a.end_ms == b.start_ms for a, b in itertools_pairwise(windows))
    assert windows[-1].end_ms == seconds * 1000
    return windows


def test_windows_of_a_long_recording_pack_full_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Speech every few seconds for 20 minutes: every window but the last ends with a full
    piece, and the windows cover the recording without gaps or overlaps."""
    from transcribe.stream import pack_pieces

    seconds = 1200
    turns = [(t, t + 6.5) for t in range(0, seconds - 10, 9)]  # 6.5 s of speech every 9 s
    parallel: list[bool] = []
    windows = _windows_over(monkeypatch, turns, seconds, parallel)
    # two VAD threads only for the first window (read before the decoders start)
    assert parallel[0] and not any(parallel[1:]) and len(parallel) >= len(windows)
    for window in windows[:-1]:
        pieces = pack_pieces(window.speech)
        last = sum(c["end"] - c["start"] for c in pieces[-1]) / S
        assert len(pieces) == 1 or last >= 24, (window.start_ms, last)
    # dense speech: the windows keep their size (300 s, the first 120 s)
    assert max(len(w.audio) for w in windows) <= 300 * S
    assert len(windows[0].audio) <= 120 * S


def test_a_window_with_little_speech_grows_across_a_break(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two minutes of talk, a 10-minute break, 150 s of talk: the talk either side of the break is
    packed into the same pieces (one window), instead of a half-empty piece on each side."""
    from transcribe.stream import SPARSE_GROWTH, pack_pieces

    seconds = 900
    turns = [(t, t + 6.5) for t in range(0, 130, 9)] + [(t, t + 6.5) for t in range(750, 894, 9)]
    windows = _windows_over(monkeypatch, turns, seconds)
    assert len(windows) == 2
    second = windows[1]
    assert len(second.audio) <= SPARSE_GROWTH * 300 * S  # memory stays bounded
    before_break = (140 * 1000 - second.start_ms) * S // 1000
    mixed = [p for p in pack_pieces(second.speech) if p[0]["start"] < before_break < p[-1]["end"]]
    assert mixed, "no piece holds speech from both sides of the break"


def test_growth_stops_at_its_limit_in_a_long_silence(monkeypatch: pytest.MonkeyPatch) -> None:
    """An hour without speech: windows grow to their limit, no further (bounded memory)."""
    from transcribe.stream import SPARSE_GROWTH

    windows = _windows_over(monkeypatch, [(5.0, 9.0), (3590.0, 3595.0)], 3600)
    assert max(len(w.audio) for w in windows) <= SPARSE_GROWTH * 300 * S
    assert len(windows) >= 3600 // (SPARSE_GROWTH * 300)


def test_the_allocator_is_limited_to_two_arenas_on_glibc() -> None:
    import platform

    from transcribe.memory import tune_allocator

    expected = platform.libc_ver()[0] == "glibc"
    assert tune_allocator() is expected
    assert tune_allocator() is expected  # once per process, then a no-op


def test_a_short_pause_stays_in_the_piece_a_long_one_is_cut_out() -> None:
    from transcribe.stream import keep_pauses, pack_pieces

    # pauses of 0.8, 3, 0.5, 0.9 (the chunk would grow to 30 s: not joined) and 8 s
    speech = _chunks((0, 5), (5.8, 9), (12, 20), (20.5, 27), (27.9, 42), (50, 51))
    assert keep_pauses(speech) == _chunks((0, 9), (12, 27), (27.9, 42), (50, 51))
    assert pack_pieces(speech) == [_chunks((0, 9), (12, 27)), _chunks((27.9, 42), (50, 51))]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3 * S), st.integers(1, 20 * S)), max_size=30))
def test_keeping_pauses_adds_only_short_pauses_and_no_chunk_grows_past_the_limit(
    steps: list[tuple[int, int]],
) -> None:
    """Against a model: the joined chunks cover exactly the speech plus the pauses of one
    second or less that lie between two chunks joined; each is at most 29 s unless it was one
    chunk already; a pause between two of them is longer than a second, or joining would
    pass 29 s."""
    from transcribe.stream import KEEP_PAUSE_S, MAX_CHUNK_S, keep_pauses

    speech, at = [], 0
    for pause, length in steps:
        speech.append({"start": at + pause, "end": at + pause + length})
        at += pause + length
    joined = keep_pauses(speech)
    pause_max, chunk_max = KEEP_PAUSE_S * S, MAX_CHUNK_S * S
    inside = [
        [c for c in speech if j["start"] <= c["start"] and c["end"] <= j["end"]] for j in joined
    ]
    assert [c for group in inside for c in group] == speech  # each chunk in exactly one
    for j, group in zip(joined, inside, strict=True):
        assert (j["start"], j["end"]) == (group[0]["start"], group[-1]["end"])
        assert all(b["start"] - a["end"] <= pause_max for a, b in itertools.pairwise(group))
        assert len(group) == 1 or j["end"] - j["start"] <= chunk_max
    for a, after in zip(joined[:-1], inside[1:], strict=True):  # what the next would join
        b = after[0]
        assert b["start"] - a["end"] > pause_max or b["end"] - a["start"] > chunk_max


def test_a_segment_whose_words_run_into_the_next_ends_where_the_next_starts() -> None:
    from storage.core.models import Word
    from storage.transcript.transcript import SegmentDraft
    from transcribe.drafts import end_before_next

    repeated = SegmentDraft(
        54_320, 61_300, "омша емес көзің көзің",
        words=[Word(54_320, 56_000, "омша"), Word(56_000, 58_000, "емес"),
               Word(58_000, 59_900, "көзің"), Word(59_900, 61_300, "көзің")],
    )  # fmt: skip
    following = SegmentDraft(
        60_340, 66_520, "Аптасыға бір", confidence=0.9, words=[Word(60_340, 66_520, "бір", 0.9)]
    )
    inside = SegmentDraft(61_000, 61_000, "-м", words=[Word(61_000, 61_000, "-м", 0.5)])
    drafts = [repeated, following, inside]
    end_before_next(drafts)
    assert repeated.end_ms == 60_340 and following.start_ms == 60_340
    assert [w.text for w in repeated.words] == ["омша", "емес", "көзің", "көзің"]  # none dropped
    times = [(w.start_ms, w.end_ms) for w in repeated.words[2:]]
    assert times == [(58_000, 59_900), (59_900, 60_340)]
    # the fragment of no length inside the next is no segment of its own: it joins it
    assert drafts == [repeated, following]
    assert following.text == "Аптасыға бір -м"
    assert [w.text for w in following.words] == ["бір", "-м"]
    assert (following.start_ms, following.end_ms) == (60_340, 66_520)
    assert following.confidence == 0.7  # the mean of its words' probabilities, as any segment's


@given(
    st.lists(
        st.tuples(st.integers(0, 20_000), st.integers(0, 5_000), st.integers(1, 4)),
        max_size=8,
    ),
    st.one_of(st.none(), st.integers(0, 26_000)),
)
def test_segments_follow_one_another_after_any_overlap(
    spec: list[tuple[int, int, int]], until: int | None
) -> None:
    """Against a model: consecutive segments no longer overlap, and none lies inside another
    (one inside the one before joins it, after its text); no text or word is dropped or put out
    of order, and none leaves its segment; with ``until`` (the end of the batch's part of the
    recording) none ends after it, and those that ended before it keep their times."""
    from storage.core.models import Word
    from storage.transcript.transcript import SegmentDraft
    from transcribe.drafts import end_before_next

    drafts = []
    for k, (start, length, n) in enumerate(sorted(spec)):
        step = length // n
        words = [Word(start + i * step, start + (i + 1) * step, f"w{k}.{i}") for i in range(n)]
        drafts.append(SegmentDraft(start, start + length, f"s{k}", words=words))
    texts = [w.text for d in drafts for w in d.words]
    said = " ".join(d.text for d in drafts)
    inside_batch = [(d.start_ms, d.text) for d in drafts if until is None or d.end_ms <= until]
    end_before_next(drafts, until)
    if until is not None:
        assert all(d.end_ms <= until for d in drafts)
    starts = {d.text: d.start_ms for d in drafts}
    assert all(starts[text] == start for start, text in inside_batch if text in starts)
    assert [w.text for d in drafts for w in d.words] == texts  # none dropped, none moved
    assert " ".join(d.text for d in drafts) == said
    for d in drafts:
        assert all(d.start_ms <= w.start_ms <= w.end_ms <= d.end_ms for w in d.words)
    for a, b in itertools.pairwise(drafts):
        assert a.start_ms < b.start_ms and a.end_ms <= b.start_ms  # apart: none inside another
