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

The parts live in their own modules: ``model_load`` (device, threads, replicas, languages),
``encoder`` (the encoder piece by piece and its cache), ``batches`` (plans, progress between
results, read-ahead), ``coverage`` (speech without words, decoded again) and ``drafts``
(decoded pieces into segment drafts and placeholders).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import numpy as np

from storage.core.models import NUMBER_STYLES
from storage.transcript.transcript import SegmentDraft

from . import guards
from .background import background_voices
from .batches import BatchPlan, ChunkResult, InFlight, Prefetch, plan_batches
from .coverage import (
    mostly_uncovered,
    not_repeated,
    uncovered_pieces,
    without_words_in,
    word_spans,
)
from .crosstalk import crosstalk
from .drafts import by_language, end_before_next, main_language, placeholders, to_drafts
from .encoder import ENCODE_ONE_BY_ONE, EncoderCache, OneByOneEncoder, digit_tokens
from .guards import CYRILLIC_LANGUAGES
from .heard_apart import heard_apart
from .hole_language import heard_on_its_own, language_in_part
from .identify import UNKNOWN, Identifier, chunk_key
from .memory import tune_allocator
from .model_load import check_language, check_languages, default_threads, load_model, plan_workers
from .models import ModelInfo, resolve_model
from .stream import SAMPLE_RATE, Audio, Window, pack_pieces, speech_windows, vad_chunks

log = logging.getLogger(__name__)

WINDOW_S = 300.0  # audio decoded and held in memory at once (default of ``Transcriber``)
BATCH_SIZE = 4  # 30-second pieces decoded together (default of ``Transcriber``)
#: a phrase written again is heard again alone (``Transcriber._hear``) with this much audio
#: either side of its words (their times are Whisper's, a shade tight)
HEAR_PAD_S = 0.15
#: speech without transcript heard clearly in another expected language than its stretch's is
#: decoded in it from this far before it (``Transcriber._read_hole``): on ``focus-overlap`` an
#: English turn began 1 s before a Russian one ended, and its last 1.5 s were left without text
HOLE_BACK_S = 1.0
#: ... and that reading is kept when its words' mean probability is at least this
HOLE_READ_SURE = 0.7
BEAM_SIZE = 5  # beam search width (default of ``Transcriber``); see docs/transcription.md
# the part of a batch's work taken by identifying its stretches' languages (the rest is
# decoding them), for progress between batches (``InFlight``)
IDENTIFY_SHARE = 0.4


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
        self._encoded = EncoderCache(2 * self.batch_size * self.workers)
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
        the background meanwhile. After ``cancel`` is set no new batch starts; those already
        started are still yielded, in order, as they finish (what they decoded is not lost),
        unless the caller stops iterating first.
        """
        language, self._allowed = self.resolve_languages(language, languages)
        self._in_flight = InFlight()
        stop = threading.Event()
        windows = Prefetch(
            speech_windows(audio, start_ms=start_ms, window_s=self.window_s, stop=stop.is_set),
            stop,
        )
        plans = (
            (window, plan)
            for window in windows
            for plan in plan_batches(window, self.batch_size, self.workers)
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
                if not ordered:  # the end, or cancelled and every started batch yielded
                    return
                if not ordered[0].done():
                    wait(running, return_when=FIRST_COMPLETED)
                running = {job for job in running if not job.done()}
                while ordered and ordered[0].done():
                    result = ordered.popleft().result()
                    self._in_flight.end(result.start_ms)
                    yield result
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
            for plan in plan_batches(window, self.batch_size, split)
        ]

    # ------------------------------------------------------------------ internals
    def _run_batch(self, window: Window, plan: BatchPlan, language: str | None) -> ChunkResult:
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
        runs = by_language(tagged)
        r = 0
        while r < len(runs):  # a stretch checked again may move to a run of its own (below)
            code, run = runs[r]
            r += 1
            todo = [c for c in run if chunk_key(c) not in settled]
            decoded = self._decode(window.audio, pack_pieces(todo), code) if todo else []
            if language is None and todo:
                # a stretch the shared frames took for English that is not: decoded again
                to_decode, read, pieces = self._identifier.recheck(
                    window.audio, todo, decoded, code, self._allowed
                )
                settled.update({chunk_key(c): segments for c, _, segments in read})
                moved = [(c, new) for c, new, _ in read] + to_decode
                run = [part for c in run for part in pieces.get(chunk_key(c), [c])]
                if moved:
                    gone = {chunk_key(c) for c, _ in moved}
                    run = [c for c in run if chunk_key(c) not in gone]
                    decoded = without_words_in(decoded, [c for c, _ in moved])
                    runs.extend(by_language(moved))
            for chunk in run:
                decoded.extend(settled.get(chunk_key(chunk)) or [])
            # Whisper sometimes stops early in a piece or skips a sentence: speech that no
            # word covers is decoded again on its own (once). Speech no language could read
            # (``settled`` None) is not: it is left without transcript.
            readable = [c for c in run if settled.get(chunk_key(c), []) is not None]
            spans = word_spans(decoded)
            self._decode_again(window.audio, uncovered_pieces(readable, spans), code, decoded)
            # a chunk taken again whole in which Whisper stopped early once more (it read
            # the same first sentences and ended): only the speech still without words
            retaken = [c for c in readable if mostly_uncovered(c, spans)]
            again = uncovered_pieces(retaken, word_spans(decoded), whole=False)
            self._decode_again(window.audio, again, code, decoded)
            found: list[SegmentDraft] = []
            for seg in decoded:
                found.extend(
                    to_drafts(
                        seg, speech_s, window.start_ms, dropped, code,
                        functools.partial(self._hear, window.audio, code),
                    )
                )  # fmt: skip
            if language is None:
                # a sentence of a longer stretch heard alone in another language: a switch
                # with no pause to cut at; not written in this one (a translation)
                found = heard_apart(
                    found, window, run, code, self._allowed,
                    other_language=self._identifier.other_language_alone,
                    decode=self._decode, speech_s=speech_s, dropped=dropped,
                )  # fmt: skip
            holes = placeholders(run, found, window.start_ms, code)
            if language is None:
                # the end of a turn begun over this one, in another language: read in its own
                holes = [
                    read
                    for hole in holes
                    for read in self._read_hole(window, hole, code, run, speech_s, dropped)
                ]
                by_reading = {chunk_key(c) for c in run if settled.get(chunk_key(c)) is not None}
                holes = [
                    self._hole_language(window, hole, code, run, by_reading)
                    if hole.untranscribed
                    else hole
                    for hole in holes
                ]
            found.extend(holes)
            drafts.extend(found)
            tally.advance(plan.start_ms, decoding_from + (1 - decoding_from) * r / len(runs))
        drafts.sort(key=lambda d: d.start_ms)
        # a television in the pauses: voices far below the speakers are not written
        drafts = background_voices(drafts, window.audio, window.start_ms, dropped)
        # several people at once: not one voice, and words Whisper is unsure of
        drafts = crosstalk(drafts, window.audio, window.start_ms, dropped)
        end_before_next(drafts, until=plan.done_ms)
        return ChunkResult(
            drafts, plan.start_ms, plan.done_ms, language or main_language(drafts), plan.final,
            dropped,
        )  # fmt: skip

    def _hear(self, audio: Audio, code: str, start: float, end: float) -> list[guards.WordT]:
        """The words of a stretch of the window (seconds) decoded alone in ``code``: is a
        phrase the decoder wrote again said again there (``drafts.said_again_parts``)?"""
        pad = round(HEAR_PAD_S * SAMPLE_RATE)
        part = {
            "start": max(0, round(start * SAMPLE_RATE) - pad),
            "end": min(len(audio), round(end * SAMPLE_RATE) + pad),
        }
        if part["end"] <= part["start"]:
            return []
        return guards.timed_words(
            w for seg in self._decode(audio, [[part]], code) for w in (seg.words or [])
        )

    def _read_hole(
        self,
        window: Window,
        hole: SegmentDraft,
        code: str,
        run: list[dict[str, int]],
        speech_s: list[tuple[float, float]],
        dropped: list[str],
    ) -> list[SegmentDraft]:
        """A placeholder left in a stretch decoded in ``code``, or what it says where it is the
        end of a turn in another expected language begun over the last one (a focus group:
        the next speaker starts before the last has finished). The stretch was told as a whole,
        in the language of the turn it began with, and decoded in it; the other voice's last
        words gave no text in it. Heard on its own, the placeholder is clearly in another
        expected language (``Identifier.other_language_alone``): it is decoded in that language
        from ``HOLE_BACK_S`` before it (where the voice began, within its stretch of speech:
        the placeholder alone is the turn's last words, cut from the sentence they end), and
        its reading kept when Whisper was sure of its words (``HOLE_READ_SURE``), they pass the
        guards and their script fits the language (``to_drafts``), and some lie in the
        placeholder. Else the placeholder stays."""
        a = (hole.start_ms - window.start_ms) * SAMPLE_RATE // 1000
        b = min(len(window.audio), (hole.end_ms - window.start_ms) * SAMPLE_RATE // 1000)
        part = {"start": a, "end": b}
        heard = self._identifier.other_language_alone(window.audio, part, code, self._allowed)
        if heard is None:
            return [hole]
        begins = min((c["start"] for c in run if c["start"] <= a < c["end"]), default=a)
        back = {"start": max(begins, a - round(HOLE_BACK_S * SAMPLE_RATE)), "end": b}
        read: list[SegmentDraft] = []
        for seg in self._decode(window.audio, [[back]], heard):
            read.extend(to_drafts(seg, speech_s, window.start_ms, dropped, heard))
        words = [w for d in read for w in d.words]
        inside = [w for w in words if hole.start_ms <= (w.start_ms + w.end_ms) / 2 < hole.end_ms]
        sure = sum(w.probability or 0.0 for w in words) / max(1, len(words))
        if not inside or sure < HOLE_READ_SURE:
            text = " ".join(d.text for d in read)
            dropped.append(f"unsure in {heard} over speech without transcript: {text[:60]}")
            return [hole]
        return read

    def _hole_language(
        self,
        window: Window,
        hole: SegmentDraft,
        code: str,
        run: list[dict[str, int]],
        by_reading: set[tuple[int, int]],
    ) -> SegmentDraft:
        """A placeholder in a stretch decoded in ``code``, with the language Whisper hears in it
        on its own where ``code`` may be its lean to English
        (``Identifier.untranscribed_language``), or, in Russian or Kazakh, where the placeholder
        is only a part of its stretch and ``code`` was heard on the rest
        (``hole_language``; ``by_reading``: the stretches decided by their readings)."""
        part = {
            "start": (hole.start_ms - window.start_ms) * SAMPLE_RATE // 1000,
            "end": (hole.end_ms - window.start_ms) * SAMPLE_RATE // 1000,
        }
        allowed = self._allowed
        if code in CYRILLIC_LANGUAGES and code in allowed and len(allowed) > 1:
            if not heard_on_its_own(part, run):
                return hole
            decided = any(
                chunk_key(c) in by_reading
                for c in run
                if c["start"] < part["end"] and part["start"] < c["end"]
            )
            probs = self._identifier.heard_alone(window.audio, part)
            heard = language_in_part(probs, code, allowed, read=decided, unknown=UNKNOWN)
        else:
            heard = self._identifier.untranscribed_language(window.audio, part, code, allowed)
        return dataclasses.replace(hole, language=heard or None)

    def _decode_again(
        self, audio: Audio, missed: list[list[dict[str, int]]], code: str, decoded: list[Any]
    ) -> None:
        """Decode the missed pieces, a batch at a time; add what the first pass lacks."""
        for r in range(0, len(missed), self.batch_size):
            again = self._decode(audio, missed[r : r + self.batch_size], code)
            decoded.extend(
                not_repeated(again, decoded, hear=functools.partial(self._hear, audio, code))
            )

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
            model = OneByOneEncoder(self.model, self._encoded) if one_by_one else self.model
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
