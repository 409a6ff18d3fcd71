"""The Whisper engine: faster-whisper (CTranslate2) with VAD, batching and guards.

Shaped like faster-whisper's API: load a model once (``Transcriber``), then ``transcribe`` yields
segments as they are produced. The pipeline, for each window of about five minutes (streamed from
ffmpeg, see ``transcribe.stream``):

1. Silero VAD finds the speech; silence is never shown to Whisper (no text invented over it).
2. Speech chunks are packed into pieces of at most 30 s (pauses of a second or less kept, as
   recorded: ``stream.keep_pauses``), decoded in batches by
   ``faster_whisper.BatchedInferencePipeline`` with word timestamps and without conditioning
   on previous text (so a mistake cannot propagate into a loop or swallow later sentences).
3. Each decoded piece goes through ``transcribe.guards`` (repeats collapsed, silent / unsure /
   repetitive / stock-phrase text dropped) and is split into sentence-like segments at
   sentence ends and pauses, using the word timings.

On a CPU with two or more threads the work is pipelined so that every core stays busy: the
next window is read and run through the VAD in a background thread while the current one is
decoded, and the model runs as ``workers`` single-threaded replicas (CTranslate2's
``num_workers``) that decode two batches at once. Small Whisper models parallelise poorly
inside one batch (their matrices are small), so two one-thread decodes side by side do more
work per second than one two-thread decode. Results are still yielded in audio order.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import logging
import queue
import threading
from collections import OrderedDict, deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from storage.core.models import NUMBER_STYLES, Word
from storage.transcript.transcript import SegmentDraft

from . import guards
from .identify import Identifier, chunk_key, within
from .languages import why_dropped
from .memory import tune_allocator
from .models import ModelError, ModelInfo, resolve_model
from .stream import (
    SAMPLE_RATE,
    Audio,
    Window,
    available_cores,
    pack_pieces,
    speech_windows,
    vad_chunks,
)

log = logging.getLogger(__name__)

WINDOW_S = 300.0  # audio decoded and held in memory at once (default of ``Transcriber``)
BATCH_SIZE = 4  # 30-second pieces decoded together (default of ``Transcriber``)
BEAM_SIZE = 5  # beam search width (default of ``Transcriber``); see docs/transcription.md
# the part of a batch's work taken by identifying its stretches' languages (the rest is
# decoding them), for progress between batches (``InFlight``)
IDENTIFY_SHARE = 0.4


@dataclass
class ChunkResult:
    """The segments of one batch of audio, and how far the audio is done after it."""

    segments: list[SegmentDraft]
    start_ms: int  # the batch covers [start_ms, done_ms) of the recording
    done_ms: int
    language: str | None
    final: bool = False
    dropped: list[str] = field(default_factory=list)  # why pieces were rejected (for tests)


def pick_device(device: str = "auto") -> tuple[str, str]:
    """Return (device, compute_type): CUDA float16 when available, else CPU int8."""
    if device not in ("auto", "cpu", "cuda"):
        raise ModelError(f"Unknown device {device!r}; use auto, cpu or cuda.")
    if device in ("auto", "cuda"):
        try:
            import ctranslate2

            if ctranslate2.get_cuda_device_count() > 0:
                return "cuda", "float16"
        except (ImportError, RuntimeError, OSError):
            pass
        if device == "cuda":
            log.warning("CUDA is not available; transcribing on the CPU instead.")
    return "cpu", "int8"


def default_threads() -> int:
    """CPU threads for decoding: the cores available, at most 8."""
    return max(1, min(8, available_cores()))


def plan_workers(device: str, threads: int) -> tuple[int, int]:
    """Return (replicas, threads per replica) for ``threads`` CPU threads on ``device``.

    On a CPU, one single-thread replica per thread, at most two (beyond two, the threads go
    into each replica); on CUDA one replica (the GPU is the bottleneck).
    """
    if device != "cpu" or threads < 2:
        return 1, max(1, threads)
    return 2, max(1, threads // 2)


@lru_cache(maxsize=2)
def _load(path: str, device: str, compute_type: str, threads: int) -> Any:
    from faster_whisper import WhisperModel

    workers, per_worker = plan_workers(device, threads)
    try:
        return WhisperModel(
            path,
            device=device,
            compute_type=compute_type,
            cpu_threads=per_worker,
            num_workers=workers,
            local_files_only=True,
        )
    except (RuntimeError, ValueError, OSError) as exc:
        from .models import load_failure_advice

        raise ModelError(
            f"{path}: missing or corrupt model folder ({str(exc).splitlines()[0][:200]})"
            f"{load_failure_advice(Path(path))}."
        ) from exc


def load_model(info: ModelInfo, *, threads: int | None, device: str) -> tuple[Any, str]:
    """Load (once, cached) a faster-whisper ``WhisperModel``; return it and the device used."""
    assert info.path is not None
    dev, compute = pick_device(device)
    n = threads or default_threads()
    try:
        return _load(str(info.path), dev, compute, n), dev
    except ModelError:
        if dev != "cuda":
            raise
        log.warning("Loading the model on CUDA failed; using the CPU.")
        return _load(str(info.path), "cpu", "int8", n), "cpu"


class Transcriber:
    """A loaded Whisper model with FieldScribe's pipeline.

    Args:
        model_spec: a model name or folder (see ``transcribe.models.resolve_model``), a
            resolved ``ModelInfo``, or None for the default ``tiny.en``.
        threads: CPU threads (default: the available cores, at most 8).
        device: "auto" (CUDA if available, else CPU), "cpu" or "cuda" (falls back to CPU).
        beam_size: beam search width (default ``BEAM_SIZE``).
        batch_size: how many 30-second pieces are decoded together (default ``BATCH_SIZE``).
        window_s: seconds of audio decoded and held in memory at once (default ``WINDOW_S``).

    Raises:
        ModelError: the model is not found, or its folder is missing or corrupt.
    """

    def __init__(
        self,
        model_spec: str | Path | ModelInfo | None = None,
        *,
        threads: int | None = None,
        device: str = "auto",
        beam_size: int = BEAM_SIZE,
        batch_size: int | None = None,
        window_s: float | None = None,
        cache_dir: Path | None = None,
        numbers: str = NUMBER_STYLES[0],
    ) -> None:
        if isinstance(model_spec, ModelInfo):
            self.info = model_spec
        else:
            spec = None if model_spec is None else str(model_spec)
            self.info = resolve_model(spec, cache_dir)
        self.threads = threads or default_threads()
        tune_allocator()  # before the decoding threads exist
        self.model, self.device = load_model(self.info, threads=self.threads, device=device)
        self.beam_size = beam_size
        # "words": numbers as said ("восьми с половиной"), digit tokens suppressed; "digits"
        self.numbers = numbers
        self._digit_tokens: tuple[int, ...] | None = None
        self.batch_size = batch_size or BATCH_SIZE
        self.window_s = window_s or WINDOW_S
        self.workers = plan_workers(self.device, self.threads)[0]
        self._slots = threading.BoundedSemaphore(self.workers)
        self._allowed: list[str] = []  # the languages identification chooses among
        self._in_flight = InFlight()  # how far the batches being decoded are
        # encoder outputs of the pieces identified last, found again when they are decoded
        # (and the stretches read in each language, ``Identifier.read_in_each``)
        self._encoded = _EncoderCache(2 * self.batch_size * self.workers)
        self._identifier = Identifier(
            self.model, self.device, self._slots, self._encode, self._decode, self.batch_size
        )
        from faster_whisper.vad import get_vad_model

        get_vad_model()  # loaded once now, not when the first window is waiting for it

    @property
    def name(self) -> str:
        """The model's name."""
        return self.info.name

    def in_flight_ms(self) -> int:
        """The part of the recording that the batches being decoded by ``transcribe_chunks``
        have done, estimated from their steps (milliseconds, beyond the last batch yielded).
        Safe to call from any thread."""
        return self._in_flight.ms()

    def identify_with(self, info: ModelInfo) -> None:
        """Identify each stretch's language with another, multilingual model (``info``); this
        one still decodes every stretch, in the language found (``transcribe.lid_check``)."""
        lid, _device = load_model(info, threads=self.threads, device=self.device)
        self._identifier.use_model(lid)

    @property
    def multilingual(self) -> bool:
        """Whether the model knows languages other than English."""
        return bool(self.model.model.is_multilingual)

    def check_language(self, language: str | None) -> str | None:
        """Validate a requested language code; return it normalised (None: detect).

        Raises:
            ModelError: an English-only model was asked for another language, or the code is
                unknown.
        """
        return check_language(self.info, language, self.model)

    def check_languages(self, languages: list[str] | None) -> list[str]:
        """Validate the languages a project expects for this model; return them normalised.

        Raises:
            ModelError: an English-only model was given other languages, or the model does not
                know one of them.
        """
        return check_languages(self.check_language, languages)

    def transcribe(
        self,
        audio: str | Path | Audio,
        *,
        language: str | None = None,
        languages: list[str] | None = None,
        start_ms: int = 0,
        cancel: threading.Event | None = None,
    ) -> Iterator[SegmentDraft]:
        """Transcribe a media file or a 16 kHz mono float32 array; yield segments as produced.

        Args:
            audio: a file path (decoded by ffmpeg in windows) or an array.
            language: a language code for the whole recording, or None to identify the
                language of every stretch of speech (English-only models: "en").
            languages: the languages the project expects: identification chooses only among
                them (one language: that one, no identification).
            start_ms: start here (times stay absolute: the file is seeked, not shifted).
            cancel: stop between batches when set.
        """
        for chunk in self.transcribe_chunks(
            audio, language=language, languages=languages, start_ms=start_ms, cancel=cancel
        ):
            yield from chunk.segments

    def transcribe_chunks(
        self,
        audio: str | Path | Audio,
        *,
        language: str | None = None,
        languages: list[str] | None = None,
        start_ms: int = 0,
        cancel: threading.Event | None = None,
    ) -> Iterator[ChunkResult]:
        """Like ``transcribe``, grouped by batch with how far the audio is done after each.

        Batches are decoded ``self.workers`` at a time (a new one starts as soon as a worker is
        free) and yielded in audio order; the next window is read and run through the VAD in
        the background meanwhile. After ``cancel``
        is set no new batch starts (those already started finish in the background).
        """
        language, self._allowed = self.resolve_languages(language, languages)
        self._in_flight = InFlight()
        stop = threading.Event()
        windows = _Prefetch(
            speech_windows(audio, start_ms=start_ms, window_s=self.window_s, stop=stop.is_set),
            stop,
        )
        plans = (
            (window, plan)
            for window in windows
            for plan in _plan_batches(window, self.batch_size, self.workers)
        )
        pool = ThreadPoolExecutor(self.workers, thread_name_prefix="fieldscribe-decode")
        ordered: deque[Future[ChunkResult]] = deque()  # submitted, not yet yielded
        running: set[Future[ChunkResult]] = set()
        exhausted = False
        try:
            while True:
                # keep every worker busy (a batch whose retry takes long does not hold up the
                # next ones), reading at most a few batches ahead of what was yielded
                while (
                    not exhausted
                    and len(running) < self.workers
                    and len(ordered) < 3 * self.workers
                    and not (cancel is not None and cancel.is_set())
                ):
                    item = next(plans, None)
                    if item is None:
                        exhausted = True
                        break
                    self._in_flight.begin(item[1])
                    job = pool.submit(self._run_batch, item[0], item[1], language)
                    running.add(job)
                    ordered.append(job)
                if (cancel is not None and cancel.is_set()) or not ordered:
                    return
                if not ordered[0].done():
                    wait(running, return_when=FIRST_COMPLETED)
                running = {job for job in running if not job.done()}
                while ordered and ordered[0].done():
                    result = ordered.popleft().result()
                    self._in_flight.end(result.start_ms)
                    yield result
                    if cancel is not None and cancel.is_set():
                        return
        finally:
            windows.close()
            pool.shutdown(wait=False, cancel_futures=True)

    def resolve_languages(
        self, language: str | None, languages: list[str] | None
    ) -> tuple[str | None, list[str]]:
        """The language a run decodes in (None: each stretch's own, identified among the
        expected ones) and the expected languages, both checked against the model."""
        language = self.check_language(language)
        allowed = self.check_languages(languages)
        # one expected language: still identified, so that speech clearly in another language
        # is transcribed in that language, not translated (``Identifier.doubtful_probabilities``)
        if language is None and not self.multilingual:
            language = "en"
        return language, allowed

    def transcribe_window(
        self,
        window: Window,
        *,
        language: str | None = None,
        languages: list[str] | None = None,
        split: int = 1,
    ) -> list[ChunkResult]:
        """Decode one window (read and voice-detected elsewhere: a cluster worker's piece),
        batch by batch in order, exactly as ``transcribe_chunks`` decodes its windows.

        ``split``: make at least this many batches of a short window (one per worker).
        """
        language, self._allowed = self.resolve_languages(language, languages)
        return [
            self._run_batch(window, plan, language)
            for plan in _plan_batches(window, self.batch_size, split)
        ]

    # ------------------------------------------------------------------ internals
    def _run_batch(self, window: Window, plan: _BatchPlan, language: str | None) -> ChunkResult:
        """Decode one batch of pieces (and again the speech it left out); guard and split.

        Without a fixed ``language`` every stretch of speech (VAD chunk) is given its language
        first, and the stretches are packed into pieces of one language each. Speech that
        yields no text at all becomes a "speech without transcript" placeholder.
        """
        if not plan.groups:
            return ChunkResult([], plan.start_ms, plan.done_ms, language, plan.final)
        speech_s = [(c["start"] / SAMPLE_RATE, c["end"] / SAMPLE_RATE) for c in window.speech]
        settled: dict[tuple[int, int], list[Any] | None] = {}
        tally = self._in_flight  # this run's (a cancelled run's batch may finish later)
        decoding_from = 0.0  # the part of the batch's work done before decoding
        if language is None:
            tagged, settled = self._identifier.identify(
                window.audio,
                plan.groups,
                self._allowed,
                window.speech,
                on_step=lambda f: tally.advance(plan.start_ms, IDENTIFY_SHARE * f),
            )
            decoding_from = IDENTIFY_SHARE
        else:
            # the VAD's own chunks: a piece keeps the short pauses between them, but speech
            # left without text (retried, or a placeholder) is measured on the speech alone
            tagged = [
                (c, language)
                for g in plan.groups
                for joined in g
                for c in vad_chunks(joined, window.speech)
            ]
        drafts: list[SegmentDraft] = []
        dropped: list[str] = []
        runs = _by_language(tagged)
        r = 0
        while r < len(runs):  # a stretch checked again may move to a run of its own (below)
            code, run = runs[r]
            r += 1
            todo = [c for c in run if chunk_key(c) not in settled]
            decoded = self._decode(window.audio, pack_pieces(todo), code) if todo else []
            if language is None and todo:
                # a stretch the shared frames took for English that is not: decoded again
                to_decode, read = self._identifier.recheck(
                    window.audio, todo, decoded, code, self._allowed
                )
                settled.update({chunk_key(c): segments for c, _, segments in read})
                moved = [(c, new) for c, new, _ in read] + to_decode
                if moved:
                    gone = {chunk_key(c) for c, _ in moved}
                    run = [c for c in run if chunk_key(c) not in gone]
                    decoded = _without_words_in(decoded, [c for c, _ in moved])
                    runs.extend(_by_language(moved))
            for chunk in run:
                decoded.extend(settled.get(chunk_key(chunk)) or [])
            # Whisper sometimes stops early in a piece or skips a sentence: speech that no
            # word covers is decoded again on its own (once). Speech no language could read
            # (``settled`` None) is not: it is left without transcript.
            readable = [c for c in run if settled.get(chunk_key(c), []) is not None]
            spans = _word_spans(decoded)
            self._decode_again(window.audio, _uncovered(readable, spans), code, decoded)
            # a chunk taken again whole in which Whisper stopped early once more (it read
            # the same first sentences and ended): only the speech still without words
            retaken = [c for c in readable if _mostly_uncovered(c, spans)]
            again = _uncovered(retaken, _word_spans(decoded), whole=False)
            self._decode_again(window.audio, again, code, decoded)
            found: list[SegmentDraft] = []
            for seg in decoded:
                found.extend(_to_drafts(seg, speech_s, window.start_ms, dropped, code))
            found.extend(_placeholders(run, found, window.start_ms, code))
            drafts.extend(found)
            tally.advance(plan.start_ms, decoding_from + (1 - decoding_from) * r / len(runs))
        drafts.sort(key=lambda d: d.start_ms)
        _end_before_next(drafts)
        return ChunkResult(
            drafts, plan.start_ms, plan.done_ms, language or _main_language(drafts), plan.final,
            dropped,
        )  # fmt: skip

    def _decode_again(
        self, audio: Audio, missed: list[list[dict[str, int]]], code: str, decoded: list[Any]
    ) -> None:
        """Decode the missed pieces, a batch at a time; add what the first pass lacks."""
        for r in range(0, len(missed), self.batch_size):
            again = self._decode(audio, missed[r : r + self.batch_size], code)
            decoded.extend(_not_repeated(again, decoded))

    def _suppressed(self) -> list[int]:
        """Tokens Whisper may not write: its own default set (-1), and with numbers written
        as said every token with a digit in it."""
        if self.numbers == "digits":
            return [-1]
        if self._digit_tokens is None:
            self._digit_tokens = digit_tokens(self.model)
        return [-1, *self._digit_tokens]

    def _encode(self, features: np.ndarray) -> np.ndarray:
        """The encoder output of one piece's features (kept for its decode)."""
        cached = self._encoded.get(features)
        if cached is not None:
            return cached
        with self._slots:
            encoded = np.asarray(self.model.encode(features[None])).copy()
        self._encoded.put(features, encoded)
        return encoded

    def _decode(
        self,
        audio: Audio,
        groups: list[list[dict[str, int]]],
        language: str,
        max_new_tokens: int | None = None,
    ) -> list[Any]:
        """Decode groups of speech chunks (one piece each) in one batch; times in the window."""
        from faster_whisper import BatchedInferencePipeline
        from faster_whisper.transcribe import restore_speech_timestamps

        chunks = [c for g in groups for c in g]
        compact = np.concatenate([audio[c["start"] : c["end"]] for c in chunks])
        clips = []
        offset = 0
        for group in groups:
            length = sum(c["end"] - c["start"] for c in group)
            # a quarter sample later: faster-whisper's int(seconds * rate) gives back exactly
            # these samples (no float rounding down), so the features match identification's
            clips.append(
                {
                    "start": (offset + 0.25) / SAMPLE_RATE,
                    "end": (offset + length + 0.25) / SAMPLE_RATE,
                }
            )
            offset += length
        with self._slots:  # at most one decode per model replica
            one_by_one = ENCODE_ONE_BY_ONE and self.device == "cpu"
            model = _OneByOneEncoder(self.model, self._encoded) if one_by_one else self.model
            pipeline = BatchedInferencePipeline(model)
            segments, _info = pipeline.transcribe(
                compact,
                language=language,
                clip_timestamps=clips,
                batch_size=len(clips),
                beam_size=self.beam_size,
                word_timestamps=True,
                vad_filter=False,
                without_timestamps=True,
                condition_on_previous_text=False,
                log_progress=False,
                max_new_tokens=max_new_tokens,
                suppress_tokens=self._suppressed(),
            )
            decoded = list(restore_speech_timestamps(segments, chunks, SAMPLE_RATE))
        return decoded


ENCODE_ONE_BY_ONE = True


def digit_tokens(model: Any) -> tuple[int, ...]:
    """The text tokens of ``model`` that write a digit ("12", " 200", "8,": 427 of the
    multilingual models' 50,257, 1,692 of the English-only ones'), suppressed so that numbers
    are written as said.

    Whisper, not conditioned on earlier text, writes most numbers as digits, and in Russian or
    Kazakh digits lose what was said: "восьми с половиной метров" came out "8 5 метров",
    "с двенадцати лет" as "с 12 лет" (the case ending gone). Special tokens (timestamps,
    languages) come after end-of-text and are never suppressed.
    """
    tokenizer = model.hf_tokenizer
    end = tokenizer.token_to_id("<|endoftext|>")
    return tuple(i for i in range(end) if any(c.isdigit() for c in tokenizer.decode([i])))


class _OneByOneEncoder:
    """A ``WhisperModel`` whose ``encode`` runs the pieces of a batch one at a time.

    Batching helps the decoder, not the encoder: on a CPU a batch of 30-second pieces costs
    more time per piece, and its attention buffers (about 54 MB a piece) add up.
    """

    def __init__(self, model: Any, cache: _EncoderCache | None = None) -> None:
        self._model = model
        self._cache = cache or _EncoderCache(0)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    def encode(self, features: Any) -> Any:
        import ctranslate2

        if features.ndim == 2:
            features = features[None]
        parts = []
        for one in features:
            part = self._cache.get(one)
            if part is None:
                part = np.asarray(self._model.encode(one[None]))
            parts.append(part)
        return ctranslate2.StorageView.from_array(np.ascontiguousarray(np.concatenate(parts)))


class _EncoderCache:
    """The encoder outputs of the last few pieces, by the digest of their features.

    Identification encodes each piece; its decode, moments later, finds the output here
    instead of running the encoder again. A piece packed otherwise for decoding (a language
    changes inside it) has other features and is encoded anew.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0

    @staticmethod
    def _key(features: np.ndarray) -> bytes:
        data = np.ascontiguousarray(features, dtype=np.float32)
        return hashlib.blake2b(data.tobytes(), digest_size=16).digest() + bytes(
            str(data.shape), "ascii"
        )

    def get(self, features: np.ndarray) -> np.ndarray | None:
        if not self._size:
            return None
        key = self._key(features)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self.hits += 1
            return found

    def put(self, features: np.ndarray, encoded: np.ndarray) -> None:
        if not self._size:
            return
        key = self._key(features)
        with self._lock:
            self._items[key] = encoded
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


def check_language(info: ModelInfo, language: str | None, model: Any = None) -> str | None:
    """Validate a requested language for a model (see ``Transcriber.check_language``)."""
    if language is None or language.strip().lower() in ("", "auto"):
        return None
    code = language.strip().lower()
    multilingual = info.multilingual if model is None else bool(model.model.is_multilingual)
    if not multilingual and code != "en":
        from .models import multilingual_advice

        raise ModelError(
            f"The model {info.name!r} is English-only and cannot transcribe {code!r}; "
            f"{multilingual_advice()}."
        )
    if model is not None:
        check_known(code, model.supported_languages)
    return code


def check_known(code: str, supported: Any) -> None:
    """Raise ``ModelError`` unless ``code`` is among a model's ``supported`` language codes."""
    if code not in supported:
        raise ModelError(
            f"Unknown language code {code!r}; use a Whisper code such as en, ru, kk, de, fr."
        )


def check_languages(check: Any, languages: list[str] | None) -> list[str]:
    """``languages`` checked one by one with ``check`` (a ``check_language`` method),
    normalised, in order, without repeats."""
    out: list[str] = []
    for code in languages or []:
        checked = check(code)
        if checked is not None and checked not in out:
            out.append(checked)
    return out


@dataclass
class _BatchPlan:
    """The pieces of one batch and the part of the recording its result completes."""

    groups: list[list[dict[str, int]]]
    start_ms: int
    done_ms: int
    final: bool


def _plan_batches(window: Window, batch_size: int, workers: int = 1) -> list[_BatchPlan]:
    """Split a window's speech into batches of pieces, in order, with their done marks.

    With several workers the batches of a short window are made smaller so that every worker
    gets one (a window with four pieces and two workers: two batches of two).
    """
    groups = pack_pieces(window.speech)
    if not groups:
        return [_BatchPlan([], window.start_ms, window.end_ms, window.final)]
    size = max(1, min(batch_size, -(-len(groups) // workers)))
    plans = []
    previous_ms = window.start_ms
    for b in range(0, len(groups), size):
        last = b + size >= len(groups)
        if last:
            done_ms = window.end_ms
        else:
            end = groups[b + size - 1][-1]["end"]
            start = groups[b + size][0]["start"]
            done_ms = window.start_ms + round((end + start) / 2 * 1000 / SAMPLE_RATE)
        plans.append(_BatchPlan(groups[b : b + size], previous_ms, done_ms, window.final and last))
        previous_ms = done_ms
    return plans


class InFlight:
    """How far the batches being decoded are, for progress between their results.

    A batch counts for its part of the recording (``_BatchPlan``: start_ms to done_ms) times
    the share of its work done (languages identified piece by piece, then each language's
    stretches decoded), until its result is yielded. Written from the decoding threads, read
    from the caller's. A batch whose work is all done but not yet yielded counts whole.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._batches: dict[int, tuple[int, float]] = {}  # start_ms -> (span ms, share done)

    def begin(self, plan: _BatchPlan) -> None:
        """A batch was handed to a decoding thread."""
        with self._lock:
            self._batches[plan.start_ms] = (max(0, plan.done_ms - plan.start_ms), 0.0)

    def advance(self, start_ms: int, share: float) -> None:
        """The batch starting at ``start_ms`` has done ``share`` (0..1) of its work (never
        less than it said before; a batch not begun here, a cluster's, is ignored)."""
        with self._lock:
            held = self._batches.get(start_ms)
            if held is not None and share > held[1]:
                self._batches[start_ms] = (held[0], min(1.0, share))

    def end(self, start_ms: int) -> None:
        """The batch's result was yielded (its part is now the caller's ``done_ms``)."""
        with self._lock:
            self._batches.pop(start_ms, None)

    def ms(self) -> int:
        """The milliseconds of the recording the unyielded batches have done."""
        with self._lock:
            return round(sum(span * share for span, share in self._batches.values()))


class _Prefetch:
    """Iterate a window generator in a background thread, one window ahead.

    Reading (ffmpeg) and the VAD of the next window then overlap the decoding of this one.
    ``close`` stops the thread and closes the generator (and with it the ffmpeg process).
    """

    _END = object()

    def __init__(self, source: Iterator[Window], stop: threading.Event | None = None) -> None:
        self._source = source
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=1)
        self._room = threading.Semaphore(1)  # at most one window read ahead of the decoders
        self._stop = stop or threading.Event()  # set by close(); the source may watch it too
        self._thread = threading.Thread(
            target=self._produce, name="fieldscribe-windows", daemon=True
        )
        self._thread.start()

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _wait_for_room(self) -> bool:
        while not self._stop.is_set():
            if self._room.acquire(timeout=0.1):
                return True
        return False

    def _produce(self) -> None:
        try:
            while self._wait_for_room():
                window = next(self._source, None)
                if window is None:
                    self._put(self._END)
                    break
                if not self._put(window):
                    break
        except BaseException as exc:  # raised again in the consuming thread
            self._put(exc)
        finally:
            close = getattr(self._source, "close", None)
            if close is not None:
                close()

    def __iter__(self) -> Iterator[Window]:
        while True:
            item = self._queue.get()
            self._room.release()
            if item is self._END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        """Stop reading ahead; wait (briefly) for the reader to close its file."""
        self._stop.set()
        self._thread.join(timeout=5)


MISSED_MIN_S = 1.5  # speech left without words this long is decoded again
_WORD_MARGIN_S = 0.25


def _word_spans(decoded: list[Any]) -> list[tuple[float, float]]:
    """The (start, end) seconds of every decoded word, sorted (a segment without words: its own)."""
    spans: list[tuple[float, float]] = []
    for seg in decoded:
        words = seg.words or []
        if words:
            spans.extend((float(w.start), float(w.end)) for w in words)
        elif str(seg.text).strip():
            spans.append((float(seg.start), float(seg.end)))
    spans.sort()
    return spans


def _uncovered(
    chunks: list[dict[str, int]], covered: list[tuple[float, float]], *, whole: bool = True
) -> list[list[dict[str, int]]]:
    """Speech of the chunks that no decoded word covers, packed into pieces like ``pack_pieces``.

    Words are widened by a quarter of a second each side (word timings are approximate). Where
    at least ``MISSED_MIN_S`` of a chunk is left without words, Whisper stopped early or skipped
    a sentence: the whole chunk is taken again when at most half of it is covered (and
    ``whole``), else only the spans without words (each at least ``MISSED_MIN_S`` long).
    """
    least = MISSED_MIN_S * SAMPLE_RATE
    missed: list[dict[str, int]] = []
    for chunk in chunks:
        free = _free_spans(chunk, covered)
        uncovered = sum(b - a for a, b in free)
        if uncovered < least:
            continue
        if whole and _taken_whole(chunk, uncovered):
            missed.append(dict(chunk))
        else:
            missed.extend({"start": round(a), "end": round(b)} for a, b in free if b - a >= least)
    return pack_pieces(missed)


def _mostly_uncovered(chunk: dict[str, int], covered: list[tuple[float, float]]) -> bool:
    """Whether ``_uncovered`` takes this chunk again whole (half of it or more without words)."""
    uncovered = sum(b - a for a, b in _free_spans(chunk, covered))
    return uncovered >= MISSED_MIN_S * SAMPLE_RATE and _taken_whole(chunk, uncovered)


def _taken_whole(chunk: dict[str, int], uncovered: float) -> bool:
    """A chunk with ``uncovered`` samples without words is decoded again whole (half of it or
    more: Whisper skipped or stopped, and the words it has may be misplaced)."""
    return uncovered * 2 >= chunk["end"] - chunk["start"]


def _free_spans(
    chunk: dict[str, int], covered: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    """The (start, end) samples of a chunk that no word covers (words are widened by
    ``_WORD_MARGIN_S`` each side; ``covered`` holds sorted (start, end) seconds)."""
    margin = _WORD_MARGIN_S * SAMPLE_RATE
    pos = float(chunk["start"])
    free: list[tuple[float, float]] = []
    for start_s, end_s in covered:
        start, end = start_s * SAMPLE_RATE - margin, end_s * SAMPLE_RATE + margin
        if end <= pos:
            continue
        if start >= chunk["end"]:
            break
        if start > pos:
            free.append((pos, start))
        pos = max(pos, end)
    if pos < chunk["end"]:
        free.append((pos, float(chunk["end"])))
    return free


def _not_repeated(again: list[Any], decoded: list[Any], near_s: float = 10.0) -> list[Any]:
    """The segments of a retry, less those whose words the first pass already has nearby.

    Word timings of a piece where Whisper skipped something are unreliable, so a repeat is
    recognised by its text: the retried words, in order, among the first pass's words within
    ``near_s`` seconds.
    """
    words = sorted(
        (
            (float(w.start), guards.normalise(str(w.word)))
            for seg in decoded
            for w in seg.words or []
        ),
    )
    kept = []
    for seg in again:
        said = guards.normalise(str(seg.text)).split()
        lo, hi = float(seg.start) - near_s, float(seg.end) + near_s
        nearby = " ".join(text for start, text in words if lo <= start <= hi and text)
        if said and f" {' '.join(said)} " in f" {nearby} ":
            continue
        kept.append(seg)
    return kept


def _to_drafts(
    seg: Any,
    speech: list[tuple[float, float]],
    offset_ms: int,
    dropped: list[str],
    language: str | None = None,
) -> list[SegmentDraft]:
    """Turn one decoded piece into guarded, sentence-like segment drafts in ``language``."""
    words = [
        guards.WordT(float(w.start), float(w.end), str(w.word), float(w.probability))
        for w in (seg.words or [])
    ]
    kept = guards.cut_loop(words)
    if len(kept) < len(words):
        dropped.append(f"loop: {''.join(w.word for w in words[len(kept) :])[:60]}")
    collapsed = guards.collapse_repeats(kept)
    text = (
        "".join(w.word for w in collapsed).strip()
        if words
        else guards.cut_loop_text(str(seg.text)).strip()
    )
    whole = guards.Candidate(
        text, float(seg.start), float(seg.end), seg.avg_logprob, seg.no_speech_prob, collapsed
    )
    why = why_dropped(whole, speech, language)
    if why is not None:
        dropped.append(f"{why}: {text[:60]}")
        return []
    if not collapsed:
        start, end = round(float(seg.start) * 1000), round(float(seg.end) * 1000)
        return [
            SegmentDraft(offset_ms + start, offset_ms + max(start, end), text, language=language)
        ]
    drafts = []
    for piece in split_sentences(collapsed):
        piece_text = "".join(w.word for w in piece).strip()
        cand = guards.Candidate(
            piece_text, piece[0].start, piece[-1].end, seg.avg_logprob, seg.no_speech_prob, piece
        )
        why = guards.rejection(cand, speech, language)
        if why is not None:
            dropped.append(f"{why}: {piece_text[:60]}")
            continue
        drafts.append(_draft(piece, piece_text, offset_ms, language))
    return drafts


def split_sentences(
    words: list[guards.WordT], *, pause_s: float = 1.0, sentence_pause_s: float = 0.3
) -> list[list[guards.WordT]]:
    """Split words into segments at long pauses, and at sentence ends followed by a pause.

    A word glued to the one before it (``_glued``: "-м" of "көзің-м") never starts a segment,
    and words Whisper placed at one instant (no duration: it could not align them, typically
    at the end of a piece, after a pause) are no segment of their own: they join the words
    before them (the first piece: after them), placed where those end (start). A fragment of
    no length was once stored inside the next turn's segment (espeak-ng kk.wav: "-м").
    """
    pieces: list[list[guards.WordT]] = []
    current: list[guards.WordT] = []
    for word in words:
        if current and not _glued(word.word):
            gap = word.start - current[-1].end
            long_piece = word.start - current[0].start > 12.0
            ends = guards.ends_sentence(current[-1].word)
            if gap >= pause_s or (ends and (gap >= sentence_pause_s or long_piece)):
                pieces.append(current)
                current = []
        current.append(word)
    if current:
        pieces.append(current)
    return _instants_joined(pieces)


def _glued(word: str) -> bool:
    """Whether a word of Whisper's continues the one before it: it starts with a hyphen or a
    mark ("-м", ","), not a space or a letter (languages written without spaces start words
    with a letter)."""
    first = word[:1]
    return bool(first) and not first.isspace() and not first.isalnum()


def _instants_joined(pieces: list[list[guards.WordT]]) -> list[list[guards.WordT]]:
    """The pieces, each one of no duration joined to the piece before it (the first: to the
    one after it), its words placed at that piece's end (start)."""
    out: list[list[guards.WordT]] = []
    for piece in pieces:
        if out and piece[-1].end <= piece[0].start:
            at = out[-1][-1].end
            out[-1] = out[-1] + [guards.WordT(at, at, w.word, w.probability) for w in piece]
        elif out and out[-1][-1].end <= out[-1][0].start:  # the first piece had no duration
            at = piece[0].start
            out[-1] = [guards.WordT(at, at, w.word, w.probability) for w in out[-1]] + piece
        else:
            out.append(piece)
    return out


def _draft(
    words: list[guards.WordT], text: str, offset_ms: int, language: str | None = None
) -> SegmentDraft:
    stored = [
        Word(
            offset_ms + round(w.start * 1000),
            offset_ms + round(max(w.end, w.start) * 1000),
            w.word.strip(),
            round(w.probability, 4),
        )
        for w in words
    ]
    start = stored[0].start_ms
    end = max(stored[-1].end_ms, start)
    confidence = guards.mean_probability(words)
    return SegmentDraft(
        start_ms=start,
        end_ms=end,
        text=text,
        confidence=None if confidence is None else round(confidence, 4),
        words=stored,
        language=language,
    )


def _end_before_next(drafts: list[SegmentDraft]) -> None:
    """End each segment (in start order) where the next one starts, when they overlap.

    Two readings of one stretch do not overlap, but their word times may: Whisper places the
    words of a phrase it repeats past the end of the speech ("...алықтаған емес ем көзің"
    written twice ran a second into the next turn on espeak-ng's Kazakh). A transcript's
    segments follow one another, as every export expects (overlapping SRT cues show two lines
    at once). Nothing is dropped: the segment's words that start inside the next one are
    placed at its new end.

    A segment with text that lies wholly inside the one before it (a fragment of no length
    included), or starts with it, in the same language, is no segment of its own: its text and
    words join that segment's (after them; nothing is dropped). The list is changed in place.
    """
    joined: list[SegmentDraft] = []
    for draft in drafts:
        prev = joined[-1] if joined else None
        if (
            prev is not None
            and draft.text
            and prev.text
            and draft.language == prev.language
            and (draft.end_ms <= prev.end_ms or draft.start_ms == prev.start_ms)
        ):
            prev.text = f"{prev.text} {draft.text}"
            prev.words = [*prev.words, *draft.words]
            prev.end_ms = max(prev.end_ms, draft.end_ms)
            probs = [w.probability for w in prev.words]
            if probs and all(p is not None for p in probs):
                prev.confidence = round(sum(p for p in probs if p is not None) / len(probs), 4)
            continue
        joined.append(draft)
    drafts[:] = joined
    for prev, nxt in itertools.pairwise(drafts):
        if not (prev.start_ms <= nxt.start_ms < prev.end_ms < nxt.end_ms):
            continue
        end = nxt.start_ms
        prev.end_ms = end
        prev.words = [
            Word(min(w.start_ms, end), min(w.end_ms, end), w.text, w.probability)
            for w in prev.words
        ]


PLACEHOLDER_MIN_S = 2.0  # speech this long without any text becomes a placeholder segment


def _placeholders(
    chunks: list[dict[str, int]], drafts: list[SegmentDraft], offset_ms: int, language: str
) -> list[SegmentDraft]:
    """ "Speech without transcript" segments for speech that no kept text covers.

    Speech (VAD) that is left without a word for ``PLACEHOLDER_MIN_S`` or more, after the
    second pass and the guards, is never dropped silently: it becomes an empty, flagged segment
    a coder can play and type. ``language`` "" (``identify.UNKNOWN``): the segment's language
    is unknown.
    """
    covered: list[tuple[float, float]] = []
    for d in drafts:
        spans = [(w.start_ms, w.end_ms) for w in d.words] or [(d.start_ms, d.end_ms)]
        covered.extend(((a - offset_ms) / 1000, (b - offset_ms) / 1000) for a, b in spans)
    covered.sort()
    out = []
    for chunk in _touching_joined(chunks):
        for a, b in _free_spans(chunk, covered):
            if b - a >= PLACEHOLDER_MIN_S * SAMPLE_RATE:
                start_ms = offset_ms + round(a * 1000 / SAMPLE_RATE)
                end_ms = offset_ms + round(b * 1000 / SAMPLE_RATE)
                out.append(
                    SegmentDraft(
                        start_ms, end_ms, "", language=language or None, untranscribed=True
                    )
                )
    return out


def _touching_joined(chunks: list[dict[str, int]]) -> list[dict[str, int]]:
    """Chunks that meet (the VAD cuts long speech into chunks that touch) joined into one: a
    stretch of speech without text across the meeting point is measured whole."""
    joined: list[dict[str, int]] = []
    for chunk in sorted(chunks, key=lambda c: c["start"]):
        if joined and chunk["start"] <= joined[-1]["end"]:
            joined[-1] = {"start": joined[-1]["start"], "end": max(joined[-1]["end"], chunk["end"])}
        else:
            joined.append(dict(chunk))
    return joined


def _without_words_in(decoded: list[Any], chunks: list[dict[str, int]]) -> list[Any]:
    """The decoded segments without the words inside ``chunks`` (a segment left without any
    is dropped): those stretches are decoded in another language."""

    def inside(seg_or_word: Any) -> bool:
        return any(within(seg_or_word, c) for c in chunks)

    out = []
    for seg in decoded:
        words = seg.words or []
        if not words:
            if not inside(seg):
                out.append(seg)
            continue
        kept = [w for w in words if not inside(w)]
        if len(kept) == len(words):
            out.append(seg)
        elif kept:
            part = copy.copy(seg)
            part.words, part.text = kept, "".join(str(w.word) for w in kept)
            part.start, part.end = kept[0].start, kept[-1].end
            out.append(part)
    return out


def _by_language(
    tagged: list[tuple[dict[str, int], str]],
) -> list[tuple[str, list[dict[str, int]]]]:
    """The chunks of a batch grouped by language, in order within each language, the
    languages in the order they are first heard: ``[(language, chunks), ...]``.

    A batch that switches language every few turns is then decoded in as few, as full pieces
    as a batch in one language (the chunks of a piece are apart in time anyway; their words
    are put back at their own times, and a sentence never spans the jump: it is a pause).
    """
    groups: dict[str, list[dict[str, int]]] = {}
    for chunk, code in tagged:
        groups.setdefault(code, []).append(chunk)
    return list(groups.items())


def _main_language(drafts: list[SegmentDraft]) -> str | None:
    """The language of most of the speech in some drafts (None without any)."""
    spoken: dict[str, int] = {}
    for d in drafts:
        if d.language:
            spoken[d.language] = spoken.get(d.language, 0) + d.end_ms - d.start_ms + 1
    return max(spoken, key=lambda k: spoken[k]) if spoken else None
