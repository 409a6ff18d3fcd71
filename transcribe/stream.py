"""Long audio in bounded memory: decode with ffmpeg, cut into windows at silences.

A recording of several hours is never held in memory. ``PcmReader`` streams 16 kHz mono samples
from an ``ffmpeg`` subprocess; ``speech_windows`` reads about ``window_s`` seconds at a time, runs
voice-activity detection (Silero VAD, shipped with faster-whisper as ONNX) over the window, and
cuts it in a pause near its end so that no word is cut in half; what follows the cut is carried
over to the next window.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from storage.core.audio import ffmpeg_path
from storage.core.errors import AudioError

SAMPLE_RATE = 16000
Audio = npt.NDArray[np.float32]


class PcmReader:
    """Reads 16 kHz mono float32 samples of a media file from an ffmpeg subprocess."""

    def __init__(self, path: str | Path, start_ms: int = 0) -> None:
        self.path = Path(path)
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        cmd = [ffmpeg_path(), "-nostdin", "-hide_banner", "-loglevel", "error"]
        if start_ms > 0:
            cmd += ["-ss", f"{start_ms / 1000:.3f}"]
        cmd += ["-i", str(self.path), "-vn", "-f", "s16le", "-ac", "1", "-ar", str(SAMPLE_RATE)]
        cmd += ["-"]
        try:
            self._proc: subprocess.Popen[bytes] | None = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._stderr
            )
        except OSError as exc:
            self._stderr.close()
            raise AudioError(f"{self.path}: cannot start ffmpeg ({exc}).") from exc
        self.samples_read = 0
        self.eof = False

    def read(self, n_samples: int) -> Audio:
        """Read up to ``n_samples`` samples (fewer only at the end of the stream).

        Raises:
            AudioError: ffmpeg could not decode anything from the file.
        """
        if self.eof or self._proc is None or self._proc.stdout is None:
            return np.zeros(0, dtype=np.float32)
        want = n_samples * 2
        chunks: list[bytes] = []
        got = 0
        while got < want:
            data = self._proc.stdout.read(min(want - got, 1 << 20))
            if not data:
                self.eof = True
                break
            chunks.append(data)
            got += len(data)
        raw = b"".join(chunks)
        raw = raw[: len(raw) - len(raw) % 2]
        samples = np.frombuffer(raw, dtype=np.int16).astype(np.float32) / 32768.0
        self.samples_read += len(samples)
        if self.eof:
            self._finish()
        return samples

    def _finish(self) -> None:
        if self._proc is None:
            return
        code = self._proc.wait()
        self._proc = None
        if code != 0 and self.samples_read == 0:
            self._stderr.seek(0)
            lines = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
            reason = lines[-1] if lines else f"ffmpeg exit code {code}"
            raise AudioError(
                f"{self.path}: the audio cannot be decoded ({reason}); the file may be damaged: "
                "import the original recording again."
            )

    def close(self) -> None:
        """Stop ffmpeg (if still running) and release its resources."""
        if self._proc is not None:
            with contextlib.suppress(OSError):
                self._proc.kill()
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                self._proc.wait(timeout=5)
            if self._proc.stdout is not None:
                self._proc.stdout.close()
            self._proc = None
        self._stderr.close()

    def __enter__(self) -> PcmReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class Window:
    """A piece of audio ready to transcribe."""

    start_ms: int  # absolute time of audio[0]
    audio: Audio
    speech: list[dict[str, int]] = field(default_factory=list)  # VAD chunks (samples, in window)
    final: bool = False

    @property
    def end_ms(self) -> int:
        """Absolute time of the end of the window."""
        return self.start_ms + round(len(self.audio) * 1000 / SAMPLE_RATE)


def vad_options(**overrides: Any) -> Any:
    """Silero VAD settings used everywhere (speech chunks of at most 30 s)."""
    from faster_whisper.vad import VadOptions

    settings: dict[str, Any] = {
        "threshold": 0.5,
        "min_speech_duration_ms": 120,
        "min_silence_duration_ms": 400,
        "speech_pad_ms": 300,
        "max_speech_duration_s": 29.0,
    }
    settings.update(overrides)
    return VadOptions(**settings)


VAD_SLICE_S = 60


def available_cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


GATE_FRAME = 512  # samples per frame of the energy gate (32 ms)
GATE_DB = 12.0  # a frame this much louder than the noise floor may hold speech
GATE_MAX_DBFS = -50.0  # ... and so may any frame louder than this, whatever the floor


def quiet_slices(audio: Audio, step: int) -> set[int]:
    """Offsets of the ``step``-sample slices of an array that are quiet from end to end.

    A cheap energy gate in front of the VAD: a slice whose frames are all quiet in absolute terms
    (under ``GATE_MAX_DBFS``) and no louder than the recording's noise floor (its 10th-percentile
    frame energy) plus ``GATE_DB`` holds no speech anyone could transcribe, so long quiet
    stretches (breaks, a recorder left running) skip the neural VAD. Noisy recordings (a cafe,
    a car) are never gated. The other slices go through the VAD whole, exactly as without it.
    """
    n = len(audio) // GATE_FRAME
    if n < 32:
        return set()
    frames = audio[: n * GATE_FRAME].reshape(n, GATE_FRAME).astype(np.float64)
    level = 10.0 * np.log10(np.mean(frames * frames, axis=1) + 1e-12)
    loud = level > min(float(np.percentile(level, 10)) + GATE_DB, GATE_MAX_DBFS)
    quiet = set()
    for offset in range(0, n * GATE_FRAME, step):
        first, last = offset // GATE_FRAME, min(n, (offset + step) // GATE_FRAME)
        whole = offset + step <= n * GATE_FRAME  # a tail shorter than a frame is not gated
        if whole and not loud[first:last].any():
            quiet.add(offset)
    return quiet


VAD_QUIET_DBFS = -40.0  # a slice whose loudest sample is under this is lifted for the VAD ...
VAD_LIFT_TO_DBFS = -20.0  # ... so that its loudest sample is here
VAD_LIFT_MAX_DB = 50.0  # ... by at most this much


def for_vad(audio: Audio) -> Audio:
    """The audio the VAD is given: a quiet stretch lifted to a normal level, anything else as is.

    Silero VAD misses speech that is recorded very quietly (a far speaker, a recorder across the
    room, a phone's low gain): the first 90 s of ``ru-real`` turned down to a peak of -62 dBFS
    lost 5 of its 88 s of speech. Whisper reads such audio well (its features are scaled to
    their own maximum), so only the VAD's copy is lifted: by up to ``VAD_LIFT_MAX_DB``, to a peak
    of ``VAD_LIFT_TO_DBFS``. Quiet stretches that hold nothing but a faint hiss are left to the
    energy gate (``quiet_slices``) before this.
    """
    if len(audio) == 0:
        return audio
    peak = float(np.max(np.abs(audio)))
    if peak <= 0.0 or 20.0 * np.log10(peak) >= VAD_QUIET_DBFS:
        return audio
    gain = min(10.0 ** (VAD_LIFT_TO_DBFS / 20.0) / peak, 10.0 ** (VAD_LIFT_MAX_DB / 20.0))
    return (audio * np.float32(gain)).astype(np.float32)


NARROW_FROM_HZ = 3600.0  # a telephone passes 300-3400 Hz: nothing of its speech lies above this
NARROW_SHARE = 1e-3  # ... a slice with less of its power above it (wideband speech: 1e-2) is
NARROW_THRESHOLD = 0.3  # ... narrowband, and its VAD threshold this (the usual one: 0.5)


def narrowband(audio: Audio) -> bool:
    """Whether a stretch of audio holds nothing above ``NARROW_FROM_HZ``: a telephone call.

    Silero VAD hears telephone-band speech (300-3400 Hz, an 8 kHz phone recording) with a
    probability of 0.3 to 0.5 where it hears the same speech full-band with 0.9: at its usual
    threshold of 0.5 a band-passed festvox-ru recording lost 13 of its 44 s of speech, six
    seconds at a time, without a placeholder (the VAD never called them speech), and four other
    sentences lost all but their first 9 of 27 s; at 0.3 the VAD finds the same speech in the
    call as in the full band (27.3 s of 27.5), and line noise alone is still none. Wideband
    speech puts 1 to 2 % of its power above 3.6 kHz (an 8 kHz recording, low-passed at
    4 kHz, 0.3 %), a telephone band-pass a millionth or less.
    """
    n = len(audio) // GATE_FRAME
    if n == 0:
        return False
    frames = audio[: n * GATE_FRAME].reshape(n, GATE_FRAME).astype(np.float64)
    power = np.abs(np.fft.rfft(frames * np.hanning(GATE_FRAME), axis=1)) ** 2
    freqs = np.fft.rfftfreq(GATE_FRAME, 1.0 / SAMPLE_RATE)
    total = float(power[:, freqs >= 100.0].sum())
    if total <= 1e-9:  # digital silence: nothing to say about its band
        return False
    return float(power[:, freqs >= NARROW_FROM_HZ].sum()) < NARROW_SHARE * total


def speech_timestamps(audio: Audio, **overrides: Any) -> list[dict[str, int]]:
    """Silero VAD's speech chunks of a stretch (``vad_options`` with ``overrides``): a quiet
    stretch lifted first (``for_vad``), a telephone-band one heard at ``NARROW_THRESHOLD``."""
    from faster_whisper.vad import get_speech_timestamps

    if narrowband(audio):
        overrides = {"threshold": NARROW_THRESHOLD, **overrides}
    return list(get_speech_timestamps(for_vad(audio), vad_options(**overrides)))


def detect_speech(audio: Audio) -> list[dict[str, int]]:
    """Speech chunks (``start``/``end`` in samples) of an audio array, by Silero VAD.

    The VAD runs over slices of ``VAD_SLICE_S`` seconds (its memory use grows with the length it
    is given: a ten-minute window at once costs hundreds of MB), except those ``quiet_slices``
    finds silent; chunks that meet at a slice border are joined again when the result stays
    under 30 s.
    """
    return extend_speech([], audio, 0)


def extend_speech(
    chunks: list[dict[str, int]],
    audio: Audio,
    start: int,
    *,
    parallel: bool = True,
    stop: Callable[[], bool] | None = None,
) -> list[dict[str, int]]:
    """Add the speech of ``audio[start:]`` to ``chunks`` (the speech found before ``start``).

    Used when a window grows: only the new audio goes through the VAD; a chunk that runs into
    ``start`` is joined with one that continues after it, as at any slice border.
    ``parallel``: two slices at a time when there are two cores (only while nothing else runs:
    beside two busy decoders a second VAD thread slows everything down by about 5 %).
    ``stop``: asked before each slice; once it returns True the rest is skipped (the result
    is then incomplete: the caller stops too).
    """
    limit = int(vad_options().max_speech_duration_s * SAMPLE_RATE)
    step = VAD_SLICE_S * SAMPLE_RATE
    part = audio[start:]
    skip = quiet_slices(part, step)
    slices = [
        (offset, min(offset + step, len(part)))
        for offset in range(0, len(part), step)
        if offset not in skip and min(offset + step, len(part)) - offset >= SAMPLE_RATE // 10
    ]

    def slice_speech(bounds: tuple[int, int]) -> list[dict[str, int]]:
        if stop is not None and stop():
            return []
        return speech_timestamps(part[bounds[0] : bounds[1]])

    # The slices are independent (the VAD starts afresh on each): two run at once when there
    # are two cores or more (ONNX Runtime releases the GIL).
    if parallel and len(slices) > 1 and available_cores() >= 2:
        with ThreadPoolExecutor(2, thread_name_prefix="fieldscribe-vad") as pool:
            found = list(pool.map(slice_speech, slices))
    else:
        found = [slice_speech(bounds) for bounds in slices]
    chunks = [dict(c) for c in chunks]
    for (offset, _end), speech in zip(slices, found, strict=True):
        offset += start
        for c in speech:
            begin, end = int(c["start"]) + offset, int(c["end"]) + offset
            if (
                chunks
                and begin <= chunks[-1]["end"] + SAMPLE_RATE // 50
                and offset > 0
                and chunks[-1]["end"] >= offset - SAMPLE_RATE // 2
                and end - chunks[-1]["start"] <= limit
            ):
                chunks[-1]["end"] = max(chunks[-1]["end"], end)
            elif chunks and begin < chunks[-1]["end"]:
                chunks.append({"start": chunks[-1]["end"], "end": end})
            else:
                chunks.append({"start": begin, "end": end})
    return [c for c in chunks if c["end"] > c["start"]]


PAUSE_MS = 250  # a pause inside a VAD chunk that may part two speakers' turns


def split_at_pauses(audio: Audio, chunk: dict[str, int], least: int) -> list[dict[str, int]]:
    """A chunk of speech cut in the middle of its own pauses of ``PAUSE_MS`` or more: contiguous
    parts that cover it, each at least ``least`` samples long.

    The VAD's chunks run on over the short pauses between two turns (a pause of half a second
    between a Kazakh answer and a Russian one), so a chunk may hold more than one language;
    its parts are identified one by one. The longest pauses are cut first (a turn ends in a
    longer pause than a breath inside a sentence), and a pause is cut only where the parts
    either side of it stay ``least`` long: "...как у той женщины, | с искоркой. || For young
    people..." is cut at the turn, not at the comma, so the last words of the Russian turn are
    not heard (and written) as English.
    """
    found = speech_timestamps(
        audio[chunk["start"] : chunk["end"]],
        min_silence_duration_ms=PAUSE_MS,
        speech_pad_ms=30,
        min_speech_duration_ms=250,
        max_speech_duration_s=float("inf"),
    )
    pauses = sorted(
        ((b["start"] - a["end"], chunk["start"] + (a["end"] + b["start"]) // 2)
         for a, b in pairwise(found)),
        key=lambda pause: -pause[0],
    )  # fmt: skip
    bounds = [chunk["start"], chunk["end"]]
    for _length, cut in pauses:
        if all(abs(cut - bound) >= least for bound in bounds):
            bounds.append(cut)
    bounds.sort()
    return [{"start": a, "end": b} for a, b in pairwise(bounds) if b > a]


def choose_cut(speech: list[dict[str, int]], length: int) -> int:
    """Where to end a window of ``length`` samples: in the latest real pause of its second half.

    Pauses are the gaps between VAD speech chunks (and after the last one). The cut goes in the
    middle of the latest pause of at least 0.2 s in the second half of the window; failing that,
    the latest pause anywhere; failing that (speech without a single pause), the window's end.
    """
    gaps: list[tuple[int, int]] = []
    previous_end = 0
    for chunk in speech:
        if chunk["start"] > previous_end:
            gaps.append((previous_end, chunk["start"]))
        previous_end = max(previous_end, chunk["end"])
    if previous_end < length:
        gaps.append((previous_end, length))
    gaps = [g for g in gaps if g[0] > 0]
    if not speech:
        return length
    min_gap = SAMPLE_RATE // 5
    good = [g for g in gaps if g[1] - g[0] >= min_gap and (g[0] + g[1]) // 2 >= length // 2]
    pool = good or [g for g in gaps if g[1] > g[0]]
    if not pool:
        return length
    start, end = pool[-1]
    return (start + end) // 2


MAX_PIECE_S = 30.0  # speech packed into one piece for Whisper (its 30-second input)


#: a pause this short between two chunks of speech stays in the piece, as it was recorded
KEEP_PAUSE_S = 1.0
#: a chunk with the pauses kept is at most this long (Silero's own ``max_speech_duration_s``)
MAX_CHUNK_S = 29.0


def keep_pauses(speech: list[dict[str, int]]) -> list[dict[str, int]]:
    """Join chunks of speech whose pause is at most ``KEEP_PAUSE_S``, pause included.

    Whisper reads speech better with its pauses: pieces made of sentences glued end to start
    (each pause cut down to the VAD's padding) gave more errors than the recording as it was
    (`bench/languages_bench.py`: en-unique CER 3.7 % -> 3.2 %, 18 minutes of real Russian
    3.4 % -> 3.2 %). A longer pause (a break, a silence between questions) is still cut out.
    """
    joined: list[dict[str, int]] = []
    for chunk in speech:
        if (
            joined
            and chunk["start"] - joined[-1]["end"] <= KEEP_PAUSE_S * SAMPLE_RATE
            and chunk["end"] - joined[-1]["start"] <= MAX_CHUNK_S * SAMPLE_RATE
        ):
            joined[-1] = {"start": joined[-1]["start"], "end": max(joined[-1]["end"], chunk["end"])}
        else:
            joined.append(dict(chunk))
    return joined


def vad_chunks(joined: dict[str, int], speech: list[dict[str, int]]) -> list[dict[str, int]]:
    """The VAD's chunks that ``keep_pauses`` joined into ``joined`` (itself if none is)."""
    inside = [c for c in speech if joined["start"] <= c["start"] and c["end"] <= joined["end"]]
    return inside or [joined]


def pack_pieces(speech: list[dict[str, int]]) -> list[list[dict[str, int]]]:
    """Pack consecutive speech chunks into pieces of at most ``MAX_PIECE_S`` of speech, short
    pauses kept (``keep_pauses``)."""
    limit = int(MAX_PIECE_S * SAMPLE_RATE)
    pieces: list[list[dict[str, int]]] = []
    current: list[dict[str, int]] = []
    length = 0
    for chunk in keep_pauses(speech):
        n = chunk["end"] - chunk["start"]
        if n <= 0:
            continue
        if current and length + n > limit:
            pieces.append(current)
            current, length = [], 0
        current.append(chunk)
        length += n
    if current:
        pieces.append(current)
    return pieces


def full_pieces_cut(speech: list[dict[str, int]], cut: int) -> int:
    """Move a window's cut back so that the window ends with a full piece of speech.

    Whisper decodes 30 seconds at a time whatever the piece holds, so a window whose last piece
    holds 8 s of speech pays a whole encoder pass for it. Ending the window in the pause before
    that piece hands its speech to the next window, where it is packed with what follows. The
    cut stays where it is when the window has a single piece, or the last piece is nearly full.
    """
    pieces = pack_pieces(
        [{"start": c["start"], "end": min(c["end"], cut)} for c in speech if c["start"] < cut]
    )
    if len(pieces) < 2:
        return cut
    last = pieces[-1]
    if sum(c["end"] - c["start"] for c in last) >= 0.8 * MAX_PIECE_S * SAMPLE_RATE:
        return cut
    before = pieces[-2][-1]["end"]
    start = last[0]["start"]
    if start <= before:  # no pause between the two pieces (a chunk split at 30 s)
        return cut
    return (before + start) // 2


#: the first window is this short so that decoding starts within a second (the next windows
#: are read and run through the VAD while the first is decoded)
FIRST_WINDOW_S = 120.0


def speech_windows(
    source: str | Path | Audio,
    *,
    start_ms: int = 0,
    window_s: float = 600.0,
    stop: Callable[[], bool] | None = None,
) -> Iterator[Window]:
    """Yield windows of at most about ``window_s`` seconds, cut at pauses, with their VAD chunks.

    Args:
        source: a media file (decoded by ffmpeg, streamed) or a 16 kHz mono float32 array.
        start_ms: start here (resume); the file is seeked, the array sliced.
        window_s: the window length to aim for.
        stop: asked between reads and VAD slices; when it returns True the generator ends
            (a window that grows over a long recording is not read to its end first).

    Raises:
        AudioError: the file cannot be decoded.
    """
    window = int(window_s * SAMPLE_RATE)
    if isinstance(source, np.ndarray):
        array = np.asarray(source, dtype=np.float32).reshape(-1)
        pos = int(start_ms * SAMPLE_RATE / 1000)

        def read(n: int) -> Audio:
            nonlocal pos
            out = array[pos : pos + n]
            pos += len(out)
            return out

        yield from _windows(read, lambda: pos >= len(array), start_ms, window, stop)
        return
    with PcmReader(source, start_ms) as reader:
        yield from _windows(reader.read, lambda: reader.eof, start_ms, window, stop)


#: a window whose speech fills less than half of it grows (by ``window_s`` at a time, up to this
#: many times ``window_s``), so that the speech either side of a long break is packed into full
#: 30-second pieces instead of two half-empty ones
SPARSE_GROWTH = 3


def _speech_samples(speech: list[dict[str, int]]) -> int:
    return sum(c["end"] - c["start"] for c in speech)


def _windows(
    read: Any, at_eof: Any, start_ms: int, window: int, stop: Callable[[], bool] | None = None
) -> Iterator[Window]:
    stopped = stop or (lambda: False)
    full = window
    window = min(window, int(FIRST_WINDOW_S * SAMPLE_RATE))  # the first one is short
    first = True
    buffer = np.zeros(0, dtype=np.float32)
    speech: list[dict[str, int]] = []  # VAD chunks of buffer[:scanned]
    scanned = 0
    buffer_start = start_ms
    offset_samples = 0  # samples consumed since start_ms (exact times without rounding drift)
    while True:
        limit = window
        while True:
            if len(buffer) < limit and not at_eof():
                more = read(limit - len(buffer))
                buffer = np.concatenate((buffer, more)) if len(buffer) else more
            if stopped():
                return
            if scanned < len(buffer):
                # the first window is read before any decoding starts: both cores are free
                speech = extend_speech(speech, buffer, scanned, parallel=first, stop=stop)
                if stopped():
                    return
                scanned = len(buffer)
            sparse = _speech_samples(speech) < window // 2
            if at_eof() or not sparse or limit >= SPARSE_GROWTH * window:
                break
            limit += window
        eof = bool(at_eof())
        if len(buffer) == 0:
            return
        cut = len(buffer) if eof else full_pieces_cut(speech, choose_cut(speech, len(buffer)))
        inside = [
            {"start": c["start"], "end": min(c["end"], cut)} for c in speech if c["start"] < cut
        ]
        final = eof and cut == len(buffer)
        yield Window(start_ms=buffer_start, audio=buffer[:cut], speech=inside, final=final)
        if final:
            return
        buffer = buffer[cut:].copy()
        speech = [
            {"start": max(c["start"], cut) - cut, "end": c["end"] - cut}
            for c in speech
            if c["end"] > cut
        ]
        scanned = len(buffer)
        window = full
        first = False
        offset_samples += cut
        buffer_start = start_ms + round(offset_samples * 1000 / SAMPLE_RATE)
