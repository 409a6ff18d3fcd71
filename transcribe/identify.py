"""Each stretch of speech with its language, before it is decoded (the engine's step 2).

Whisper's language identification runs on every stretch of speech (a VAD chunk, or a turn
inside one), among the languages the project expects (``transcribe.languages`` chooses):

- On a CPU each 30-second piece is encoded once, and each stretch's language is read from its
  own frames of that encoder output; the engine keeps the output (``encoder.EncoderCache``) and the
  piece's decode finds it again. A stretch those frames leave unclear is identified again on
  its own, padded to 15 seconds, as every stretch is with CUDA.
- A chunk of ``LID_SPLIT_S`` or more is identified part by part between its pauses: the VAD's
  chunks run on over the half-second pause between two speakers, and where the parts are heard
  in different languages the chunk becomes one chunk per turn (``by_turns``).
- A stretch in which Whisper hears none of the expected languages, or is unsure which of them
  (``languages.doubtful``), is decoded in each of them, and the reading Whisper is surest of
  wins (``Identifier.read_in_each``); when every reading failed, the stretch is left without
  transcript.
- Up to ``ISLAND_MAX`` stretches in a row told Russian with Kazakh beside them
  (``islands_to_read``) are read in Kazakh too, or decided again from their readings in each
  language when they have them, and are Kazakh when its reading is the surer one or writes
  Kazakh's own letters nearly as surely (``languages.letters_kept``).
- After the decode, a stretch written in English (Latin letters) that Whisper was unsure of, in a
  project that also expects a Cyrillic language, is identified again on its own and moves to the
  language found there (``Identifier.recheck``): a piece's frames lend a stretch some of its
  English neighbour's English.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from . import guards
from .guards import CYRILLIC_LANGUAGES
from .language_turns import ISLAND_MAX as ISLAND_MAX
from .language_turns import LID_ISLAND_S as LID_ISLAND_S
from .language_turns import by_turns as by_turns
from .language_turns import by_votes as by_votes
from .language_turns import islands_to_read as islands_to_read
from .language_turns import settle_islands as settle_islands
from .languages import (
    HEARD_KEEPS_SHARE,
    LID_MIN_S,
    LID_SURE,
    OWN_LETTERS,
    choose,
    credited,
    decoded_score,
    doubtful,
    ear_kept,
    english_to_the_ear,
    expected_share,
    fill_gaps,
    foreign,
    heard_kept,
    language_probabilities,
    letters_kept,
    piece_features,
    reading_kept,
    stretch_probabilities,
)
from .stream import SAMPLE_RATE, Audio, split_at_pauses, vad_chunks

#: identification from a piece's shared encoder frames is taken when the chosen language has at
#: least this share of what the expected languages got; else the stretch is encoded on its own
LID_SHARED_SURE = 0.8
#: a chunk of speech this long may hold turns in other languages: its parts between pauses are
#: identified one by one (each at least ``LID_PART_MIN_S``: shorter ones join their neighbour)
LID_SPLIT_S = 4.0
LID_PART_MIN_S = 1.5
#: reading a stretch in each expected language stops after this many tokens a second of it (a
#: Kazakh word is three or four of Whisper's tokens, said in a third of a second)
READ_TOKENS_PER_S = 20
#: the "language" of a stretch no expected language reads: it is left without transcript, and
#: its segment's language is unknown (None) until a coder sets it
UNKNOWN = ""
#: a stretch decoded in English (a language in Latin letters) in a project that also expects one in
#: Cyrillic, whose words Whisper gave a mean probability under this, is identified again on its
#: own (``Identifier.recheck``): on ``mixed-real`` and the synthetic ``mixed`` (two rounds each),
#: the English turns decoded in English scored 0.72 to 0.96, while six Kazakh or Russian turns
#: that a piece's shared frames heard as English (0.76 to 0.87; on their own 0.30 to 0.33) were
#: written as English words nobody said at 0.31 to 0.50
RECHECK_BELOW = 0.6


class Identifier:
    """Identifies the stretches of a batch for one ``Transcriber``.

    Args:
        model: the faster-whisper ``WhisperModel``.
        device: "cpu" or "cuda" (the shared encoder pass is CPU only).
        slots: the engine's semaphore: at most one model call per replica.
        encode: the engine's cached encoder (features of one piece to its output).
        decode: the engine's decode, ``decode(audio, groups, language, max_new_tokens=None)``.
        batch_size: pieces decoded at once.
    """

    def __init__(
        self,
        model: Any,
        device: str,
        slots: threading.BoundedSemaphore,
        encode: Callable[[np.ndarray], np.ndarray],
        decode: Callable[..., list[Any]],
        batch_size: int,
    ) -> None:
        self.model = model
        self.device = device
        self._slots = slots
        self._encode = encode
        self._decode = decode
        self.batch_size = batch_size
        # the model whose identification is used: the transcribing one, or another when its
        # own cannot be trusted (``use_model``, ``transcribe.lid_check``)
        self.lid = model
        # what each stretch of the audio last identified was heard as on its own, by
        # ``chunk_key`` (``_alone``: a stretch asked again is not heard again)
        self._audio: weakref.ReferenceType[np.ndarray] | None = None
        self._heard_alone: dict[tuple[int, int], dict[str, float]] = {}
        # what each stretch of the batch that Whisper was unsure of was heard as on its own
        self._odd_heard: dict[tuple[int, int], dict[str, float]] = {}

    def use_model(self, lid: Any) -> None:
        """Identify with ``lid`` (a multilingual faster-whisper model) instead of the model that
        decodes: its encoder output is its own, never the decode's."""
        self.lid = lid
        self._heard_alone = {}

    def _lid_encoded(self, piece: np.ndarray) -> np.ndarray:
        """A piece's encoder output for identification (shared with the decode when one model
        does both)."""
        if self.lid is self.model:
            return self._encode(piece_features(self.model, piece))
        with self._slots:
            return np.asarray(self.lid.encode(piece_features(self.lid, piece)[None])).copy()

    def identify(
        self,
        audio: Audio,
        groups: list[list[dict[str, int]]],
        allowed: list[str],
        speech: list[dict[str, int]] | None = None,
        on_step: Callable[[float], None] | None = None,
    ) -> tuple[list[tuple[dict[str, int], str]], dict[tuple[int, int], list[Any] | None]]:
        """Each chunk with its language (among the expected ones when the project says;
        ``UNKNOWN`` for one that no language reads), and the chunks already decoded while
        choosing it (their segments; None: no language reads them), by ``chunk_key``.

        On a CPU each piece is encoded once, and each stretch's language is read from its own
        frames of that encoder output; the output is kept, and the piece's decode uses it again
        when the piece is decoded as it was packed (one language in it). The frames of a
        stretch also carry some of its neighbours (the encoder looks at the whole piece): a
        stretch whose language is not clear from them (``LID_SHARED_SURE``) is identified again
        on its own, padded to 15 seconds, as every stretch is elsewhere (CUDA).

        When Whisper hears none of the expected languages in a stretch, or is unsure which
        (``languages.doubtful``), the stretch is decoded in each of them and the language whose text
        Whisper is surest of is taken (``read_in_each``).

        ``speech``: the chunks the VAD found. A piece's chunks keep their short pauses
        (``stream.keep_pauses``), so one of them may hold several of the VAD's; each of those
        is a stretch of its own here, as the VAD cut it.

        ``on_step``: told how far the identification is (0..1) after each piece is heard and
        after the stretches read in each language (for progress between batches).
        """
        step = on_step or (lambda _fraction: None)
        self._odd_heard = {}
        chunks: list[dict[str, int]] = []
        found: list[str | None] = []
        strange: list[int] = []  # stretches in none of the expected languages, by Whisper
        total: dict[str, float] = {}  # probabilities summed over the stretches, by duration
        for g, group in enumerate(groups, 1):
            encoded = None
            if self.device == "cpu" and any(
                c["end"] - c["start"] >= LID_MIN_S * SAMPLE_RATE for c in group
            ):
                piece = np.concatenate([audio[c["start"] : c["end"]] for c in group])
                encoded = self._lid_encoded(piece)
            offset = 0
            for joined in group:
                # the VAD's chunks inside it (pauses of a second or less between them): a
                # short one heard otherwise than those either side is a name, not a turn
                heard_in = [
                    (
                        chunk,
                        self._hear(audio, encoded, chunk, offset - joined["start"], allowed, total),
                    )
                    for chunk in vad_chunks(joined, speech or [])
                ]
                settled_parts = iter(settle_islands([p for _, ps in heard_in for p in ps]))
                for chunk, ps in heard_in:
                    mine = [next(settled_parts) for _ in ps]
                    for turn, told, odd in by_turns(chunk, mine):
                        if odd:
                            strange.append(len(chunks))
                        chunks.append(turn)
                        found.append(told)
                offset += joined["end"] - joined["start"]
            step(0.5 * g / len(groups))
        if len(allowed) == 1:
            found = by_votes(found, total, allowed[0])
        elif not allowed:  # nothing expected: Russian heard here as Polish is Russian throughout
            found = by_votes(found, total, "")
        fallback = choose(total, allowed)[0] if total else (allowed or ["en"])[0]
        codes = fill_gaps(found, fallback)
        settled: dict[tuple[int, int], list[Any] | None] = {}
        strange_read = dict(
            zip(strange, self.readings(audio, [chunks[i] for i in strange], allowed), strict=True)
        )
        abroad = self._abroad(audio, chunks, strange, allowed)
        for i, readings in strange_read.items():
            if i in abroad and (kept := _abroad_kept(readings, abroad[i], allowed)) is not None:
                codes[i], settled[chunk_key(chunks[i])] = kept
                continue
            read_as, segments = _chosen(readings, reading_kept)
            if read_as in CYRILLIC_LANGUAGES and codes[i] in OWN_LETTERS and read_as != codes[i]:
                # read best in Russian, heard as Kazakh: how clearly (``heard_kept``)
                probs = self._alone(audio, chunks[i])
                code = choose(probs, allowed)[0]
                if code == codes[i] and credited(probs, allowed)[code] >= HEARD_KEEPS_SHARE:
                    by_ear = functools.partial(heard_kept, heard=code)
                    read_as, segments = _chosen(readings, by_ear)
            read_as, segments, guess = self._by_ear(
                audio, chunks[i], readings, read_as, segments, allowed
            )
            codes[i] = _read_language(read_as, segments, codes[i])
            if guess and codes[i] not in CYRILLIC_LANGUAGES:
                codes[i] = UNKNOWN  # English heard there is Whisper's lean to it
            settled[chunk_key(chunks[i])] = segments
        step(0.8)
        for (heard_as, own), islands in islands_to_read(codes, allowed).items():
            keep = functools.partial(_own_or_heard, own=own, heard_as=heard_as)
            fresh = [i for i in islands if i not in strange_read]
            read = self.read_in_each(audio, [chunks[i] for i in fresh], [heard_as, own], keep=keep)
            chosen = dict(zip(fresh, read, strict=True))
            # a stretch already read in each language (Whisper was unsure what it heard) and
            # written in Russian beside Kazakh is decided again, from its readings, by Kazakh's
            # letters: the real Kazakh opening a recording, "Алға қарай бес метр жүр тоқта",
            # was "Ольга Грайбисмитр Жирторта" (-0.545) against "Алғағра ебес митр жір токта."
            chosen.update({i: _chosen(strange_read[i], keep) for i in islands if i not in fresh})
            for i, (read_as, segments) in chosen.items():
                if read_as == own:  # else decoded in the language heard, with its piece
                    codes[i] = own
                    settled[chunk_key(chunks[i])] = segments
        step(1.0)
        return list(zip(chunks, codes, strict=True)), settled

    def _abroad(
        self, audio: Audio, chunks: list[dict[str, int]], strange: list[int], allowed: list[str]
    ) -> dict[int, tuple[str, tuple[float, list[Any]]]]:
        """The stretches (of ``strange``, by index) that Whisper, hearing each on its own,
        clearly hears in a language the project does not expect, where it expects several
        (``languages.foreign``), each with that language and its reading in it (score,
        segments): read only in the expected languages, an English turn in a Russian and
        Kazakh project came out as the Kazakh "Бұлің тарды длейт, бұс"."""
        if len(allowed) < 2:
            return {}
        heard: dict[int, str] = {}
        for i in strange:
            probs = self._odd_heard.get(chunk_key(chunks[i])) or self._alone(audio, chunks[i])
            other = foreign(probs, allowed)
            if other is not None:
                heard[i] = other
        out: dict[int, tuple[str, tuple[float, list[Any]]]] = {}
        for other in sorted(set(heard.values())):
            mine = [i for i in heard if heard[i] == other]
            read = self.readings(audio, [chunks[i] for i in mine], [other])
            out.update({i: (other, r[other]) for i, r in zip(mine, read, strict=True)})
        return out

    def recheck(
        self,
        audio: Audio,
        chunks: list[dict[str, int]],
        decoded: list[Any],
        code: str,
        allowed: list[str],
    ) -> tuple[
        list[tuple[dict[str, int], str]],
        list[tuple[dict[str, int], str, list[Any] | None]],
        dict[tuple[int, int], list[dict[str, int]]],
    ]:
        """The stretches decoded in ``code``, a language in Latin letters, that belong to
        another: Whisper's lean to English. A piece's shared encoder frames carry some of a
        neighbour's English, and a Kazakh or Russian stretch beside an English turn may be heard
        as English there (0.87) while on its own Whisper gives English 0.33; decoded in English
        it comes out as fluent English nobody said. Each stretch whose words in ``decoded``
        Whisper was unsure of (``RECHECK_BELOW``) is identified on its own, as a stretch unclear
        from the frames is: heard clearly in ``code`` it stays; heard clearly in another expected
        language it moves there, to be decoded; doubtful, it is read in each expected language
        like any doubtful stretch, and moves with the reading kept when that is not ``code``'s
        (segments None: every reading failed, speech without transcript in the language heard).

        A stretch Whisper was sure of as a whole may hold a part it was not: a Russian turn
        run on into an English one without a pause long enough for the VAD ("Much of them give
        internet to us or simply sell emits", 0.48, then "Hello, we live in a small village",
        0.89: 0.62 together). A stretch identified part by part (``LID_SPLIT_S``) is checked
        part by part too; when one of its parts moves, the stretch is replaced by its parts
        (``pieces``: stretch -> its parts).

        Only in a project that also expects a language written in Cyrillic, where the script
        shows what the frames got wrong. Returns the stretches to decode in another language
        (stretch, language), those read already (stretch, language, segments) and the
        stretches cut into parts."""
        to_decode: list[tuple[dict[str, int], str]] = []
        read_already: list[tuple[dict[str, int], str, list[Any] | None]] = []
        pieces: dict[tuple[int, int], list[dict[str, int]]] = {}
        if code in CYRILLIC_LANGUAGES or not any(a in CYRILLIC_LANGUAGES for a in allowed):
            return to_decode, read_already, pieces
        unsure: list[dict[str, int]] = []
        part_of: dict[tuple[int, int], dict[str, int]] = {}
        for chunk in chunks:
            if _mean_probability(decoded, chunk) < RECHECK_BELOW:
                unsure.append(chunk)
                continue
            parts = _parts(audio, chunk)
            for part in parts if len(parts) > 1 else []:
                if _mean_probability(decoded, part) < RECHECK_BELOW:
                    unsure.append(part)
                    part_of[chunk_key(part)] = chunk
                    pieces[chunk_key(chunk)] = parts
        to_read: list[tuple[dict[str, int], dict[str, float]]] = []
        for chunk in unsure:
            probs = self._alone(audio, chunk)
            if doubtful(probs, allowed):
                to_read.append((chunk, probs))
            elif (heard_in := choose(probs, allowed)[0]) != code:
                to_decode.append((chunk, heard_in))
        readings = self.readings(audio, [c for c, _ in to_read], allowed)
        for (chunk, probs), read in zip(to_read, readings, strict=True):
            read_as, segments = _chosen(read, reading_kept)
            read_as, segments, _guess = self._by_ear(audio, chunk, read, read_as, segments, allowed)
            found = _read_language(read_as, segments, choose(probs, allowed)[0])
            if segments is None:  # every reading failed: the English decode is not what was said
                # either, and English heard there is Whisper's lean to it: no language
                read_already.append((chunk, found if found != code else UNKNOWN, None))
            elif found != code:
                read_already.append((chunk, found, segments))
        moved = {chunk_key(c) for c, _ in to_decode} | {chunk_key(c) for c, _, _ in read_already}
        cut = {chunk_key(part_of[key]) for key in moved if key in part_of}
        return to_decode, read_already, {key: parts for key, parts in pieces.items() if key in cut}

    def _by_ear(
        self,
        audio: Audio,
        chunk: dict[str, int],
        read: dict[str, tuple[float, list[Any]]],
        read_as: str | None,
        segments: list[Any] | None,
        allowed: list[str],
    ) -> tuple[str | None, list[Any] | None, bool]:
        """A stretch's reading kept (``read_as``, ``segments``, from its readings ``read``),
        checked against what Whisper hears in it on its own, and whether it is English guessed
        at speech Whisper does not place (then its segments are None). Where the stretch is
        English to Whisper's ear (``english_to_the_ear``) an English reading scoring a hair
        below a Cyrillic one is kept (``ear_kept``; one Whisper would call failed, under
        ``guards.LOGPROB_SILENT``, leaves speech without transcript in English), and an English
        reading Whisper was unsure of is what was said, not a guess (``guessed_in_latin``);
        elsewhere ``guessed_in_latin`` decides. The stretch is heard on its own only where
        either could change the reading kept."""
        guess = guessed_in_latin(read_as, segments, allowed)
        if "en" not in allowed or (read_as not in CYRILLIC_LANGUAGES and not guess):
            return read_as, segments, False
        texts = {
            c: (score, " ".join(str(s.text) for s in mine)) for c, (score, mine) in read.items()
        }
        if not guess and ear_kept(texts, read_as) != "en":
            return read_as, segments, False  # no English reading near the Cyrillic one
        if english_to_the_ear(self._alone(audio, chunk), allowed):
            score, english = read["en"]  # a failed reading: speech without transcript
            return "en", (english if score >= guards.LOGPROB_SILENT else None), False
        return read_as, (None if guess else segments), guess

    def untranscribed_language(
        self, audio: Audio, part: dict[str, int], code: str, allowed: list[str]
    ) -> str:
        """The language of speech without transcript (``part``) left in a stretch decoded in
        ``code``, a language in Latin letters, in a project that also expects one in Cyrillic:
        ``code`` when Whisper, hearing the part on its own, hears it clearly; another expected
        language heard clearly there; else ``UNKNOWN``. The shared frames of a piece lean to
        English: espeak-ng Russian and Kazakh recorded through a microphone ran on into an
        English sentence without a pause, the stretch was heard as English and decoded in it,
        and its first 7.4 s (heard alone as German, Thai, English 0.32) gave no word: a
        placeholder marked EN over speech that was not English. Elsewhere ``code``."""
        if code in CYRILLIC_LANGUAGES or not any(a in CYRILLIC_LANGUAGES for a in allowed):
            return code
        probs = self._alone(audio, part)
        if code not in allowed and foreign(probs, allowed) == code:
            return code  # a language the project does not expect, clearly heard there
        return UNKNOWN if doubtful(probs, allowed) else choose(probs, allowed)[0]

    def other_language_alone(
        self, audio: Audio, part: dict[str, int], code: str, allowed: list[str]
    ) -> str | None:
        """The expected language other than ``code`` that Whisper clearly hears in ``part``
        on its own (not ``doubtful``), or None: speech without transcript left in a stretch
        decoded in ``code`` that is the end of another voice's turn, begun over it
        (``engine.Transcriber._read_hole``)."""
        if len(allowed) < 2:
            return None
        probs = self._alone(audio, part)
        if doubtful(probs, allowed):
            return None
        heard = choose(probs, allowed)[0]
        return heard if heard != code and heard in allowed else None

    def heard_alone(self, audio: Audio, part: dict[str, int]) -> dict[str, float]:
        """Whisper's language probabilities for ``part`` encoded on its own (``_alone``): the
        language of speech without transcript inside a stretch (``hole_language``)."""
        return self._alone(audio, part)

    def _hear(
        self,
        audio: Audio,
        encoded: np.ndarray | None,
        chunk: dict[str, int],
        base: int,
        allowed: list[str],
        total: dict[str, float],
    ) -> list[tuple[dict[str, int], str | None, bool]]:
        """A chunk's parts between pauses (the chunk itself when short), each with the language
        heard in it (None: too short or unsure) and whether Whisper heard none of the expected
        languages. ``base + sample``: where a sample of the window lies in the encoded piece.
        Adds each part's probabilities, by its length, to ``total``."""
        parts = _parts(audio, chunk)
        heard_parts: list[tuple[dict[str, int], str | None, bool]] = []
        for part in parts:
            n = part["end"] - part["start"]
            if n < LID_MIN_S * SAMPLE_RATE:
                heard_parts.append((part, None, False))
                continue
            if len(allowed) == 1:  # one expected language: only speech clearly in another
                at = base + part["start"]
                probs = self.doubtful_probabilities(audio, encoded, part, at, allowed)
                other = foreign(probs, allowed) if probs else None
                if probs and other is not None:  # its group's languages get votes (``by_votes``)
                    for code, p in probs.items():
                        total[code] = total.get(code, 0.0) + p * n
                heard_parts.append((part, other or allowed[0], False))
                continue
            probs = self.probabilities(audio, encoded, part, base + part["start"], allowed)
            for code, p in probs.items():
                total[code] = total.get(code, 0.0) + p * n
            code, share = choose(probs, allowed)
            # Without expected languages, an unsure guess among all of Whisper's languages is
            # not taken: the stretch follows its neighbours.
            sure = code if allowed or share >= LID_SURE else None
            odd = doubtful(probs, allowed)
            if odd:  # heard on its own (``probabilities``): may be in another language
                self._odd_heard[chunk_key(part)] = probs
            heard_parts.append((part, sure, odd))
        return heard_parts

    def probabilities(
        self,
        audio: Audio,
        encoded: np.ndarray | None,
        part: dict[str, int],
        at: int,
        allowed: list[str],
    ) -> dict[str, float]:
        """Whisper's language probabilities for a stretch: from its frames of the piece's
        encoder output (``encoded``, the stretch starting at sample ``at`` of the piece) when
        they are clear (one expected language stands out, and Whisper hears the expected
        languages at all), else from the stretch on its own."""
        if encoded is not None:
            probs = self._from_frames(encoded, part, at)
            sure = choose(probs, allowed)[1] >= LID_SHARED_SURE
            if sure and not doubtful(probs, allowed):
                return probs
        return self._alone(audio, part)

    def doubtful_probabilities(
        self,
        audio: Audio,
        encoded: np.ndarray | None,
        part: dict[str, int],
        at: int,
        allowed: list[str],
    ) -> dict[str, float] | None:
        """Whisper's language probabilities for a stretch when the project expects one
        language (``allowed``) and the stretch may be in another (``languages.foreign``
        decides), else None. The piece's frames clear most stretches (the expected language
        has at least half of Whisper's belief); a doubtful one is identified on its own, and
        only that counts (a piece's frames carry some of its neighbours: espeak's English was
        heard there as Finnish)."""
        if (
            encoded is not None
            and expected_share(self._from_frames(encoded, part, at), allowed[0]) >= 0.5
        ):
            return None
        return self._alone(audio, part)

    def _from_frames(self, encoded: np.ndarray, part: dict[str, int], at: int) -> dict[str, float]:
        """A stretch's language probabilities from its frames of the piece's encoder output
        (the stretch starts at sample ``at`` of the piece)."""
        with self._slots:
            return stretch_probabilities(self.lid, encoded, at, at + part["end"] - part["start"])

    def _alone(self, audio: Audio, part: dict[str, int]) -> dict[str, float]:
        """A stretch's language probabilities from the stretch encoded on its own (once for
        each stretch of one audio: ``heard_kept`` asks again for what ``probabilities`` heard)."""
        if self._audio is None or self._audio() is not audio:
            self._audio, self._heard_alone = weakref.ref(audio), {}
        key = chunk_key(part)
        if key not in self._heard_alone:
            with self._slots:
                clip = audio[part["start"] : part["end"]]
                self._heard_alone[key] = language_probabilities(self.lid, clip)
        return self._heard_alone[key]

    def read_in_each(
        self,
        audio: Audio,
        chunks: list[dict[str, int]],
        allowed: list[str],
        keep: Callable[[dict[str, tuple[float, str]]], str | None] = reading_kept,
    ) -> list[tuple[str | None, list[Any] | None]]:
        """Decode each chunk in every expected language; for each, the language read best
        (``keep`` of the readings' ``decoded_score`` and text: ``reading_kept``) and its
        segments (``_chosen``)."""
        return [_chosen(read, keep) for read in self.readings(audio, chunks, allowed)]

    def readings(
        self, audio: Audio, chunks: list[dict[str, int]], allowed: list[str]
    ) -> list[dict[str, tuple[float, list[Any]]]]:
        """Each chunk decoded in every expected language: language -> (``decoded_score``, the
        segments), by chunk."""
        readings: list[dict[str, tuple[float, list[Any]]]] = [{} for _ in chunks]
        for first in range(0, len(chunks), self.batch_size):
            part = chunks[first : first + self.batch_size]
            if self.device == "cpu":
                for c in part:  # encoded once: each language's decode finds it again
                    self._encode(piece_features(self.model, audio[c["start"] : c["end"]]))
            longest = max(c["end"] - c["start"] for c in part) / SAMPLE_RATE
            cap = int(READ_TOKENS_PER_S * longest) + 10  # a reading stuck in a loop stops
            for code in allowed:
                decoded = self._decode(audio, [[c] for c in part], code, max_new_tokens=cap)
                for k, chunk in enumerate(part):
                    mine = [seg for seg in decoded if within(seg, chunk)]
                    readings[first + k][code] = (decoded_score(mine, code), mine)
        return readings


def _chosen(
    read: dict[str, tuple[float, list[Any]]],
    keep: Callable[[dict[str, tuple[float, str]]], str | None],
) -> tuple[str | None, list[Any] | None]:
    """The language ``keep`` chooses from a stretch's readings (language -> (score, segments))
    and that reading's segments. Where even the best reading is one Whisper would call failed
    (mean log-probability under ``guards.LOGPROB_SILENT``), the text would be invented: the
    segments are None (speech without transcript, a coder's to type) and the language that
    best guess (``identify`` gives such a stretch the language heard instead: a failed
    reading, most often fluent English, names no language)."""
    texts = {
        c: (score, " ".join(guards.cut_loop_text(str(s.text)) for s in mine))
        for c, (score, mine) in read.items()
    }
    kept = keep(texts)
    if kept is None:
        return None, None
    score, mine = read[kept]
    return kept, mine if score >= guards.LOGPROB_SILENT else None


def _abroad_kept(
    read: dict[str, tuple[float, list[Any]]],
    abroad: tuple[str, tuple[float, list[Any]]],
    allowed: list[str],
) -> tuple[str, list[Any] | None] | None:
    """The language and segments of a stretch Whisper clearly heard in a language the project
    does not expect (``abroad``: that language and its reading), read in the expected ones too
    (``read``): that language, with its reading, when that reading is the one kept among them
    all (``reading_kept``) and Whisper was sure of its words (``RECHECK_BELOW``); without
    transcript (None) where it is one Whisper would call failed (``guards.LOGPROB_SILENT``) or
    no reading gives a word. None (the expected languages decide, as for any stretch they are
    unsure of) where another reading is surer, Whisper was unsure of the words, or an expected
    language with letters of its own reads it with them nearly as surely (``letters_kept``):
    real Kazakh is heard as Lithuanian (0.90), and its Russian reading may be the surest."""
    other, (score, segments) = abroad
    texts = {
        c: (s, " ".join(guards.cut_loop_text(str(seg.text)) for seg in mine))
        for c, (s, mine) in {**read, other: (score, segments)}.items()
    }
    if any(letters_kept(texts, own) for own in allowed if own in OWN_LETTERS):
        return None
    kept = reading_kept(texts)
    if kept is None:  # no reading gives a word: speech without transcript, in what was heard
        return other, None
    if kept != other:
        return None
    if score < guards.LOGPROB_SILENT:
        return other, None
    # words Whisper was unsure of: its guess at speech it does not place (``guessed_in_latin``):
    # espeak-ng's Kazakh on the bench's ``mixed``, heard as Hungarian, was read surest in it,
    # "Söndövájt szám, pár végirkeljek elvért jázomák voltam"
    return (other, segments) if _mean_probability(segments, None) >= RECHECK_BELOW else None


def guessed_in_latin(read_as: str | None, segments: list[Any] | None, allowed: list[str]) -> bool:
    """Whether a stretch read in each expected language is kept in one written in Latin
    letters (English) that Whisper was unsure of (its words' mean probability under
    ``RECHECK_BELOW``), in a project that also expects a language written in Cyrillic: then
    it is Whisper's English guess at speech it does not place, not what was said, and the
    stretch is left without transcript. espeak-ng's Kazakh, heard as Welsh and Latin (English
    0.03), read in Russian and Kazakh in loops, came out "Master Koshyadya
    Glyaskilborin-shyadya, Kenyorya Skirkelsys, Aweb, Tastad." (0.42) and "Bevat, Arta, Nandar,
    Göljönder, Krobener, Serkump, Joter, Jog." (0.42); English said in English reads at 0.72
    to 0.96."""
    if read_as is None or segments is None or read_as in CYRILLIC_LANGUAGES:
        return False
    if not any(code in CYRILLIC_LANGUAGES for code in allowed):
        return False
    probs = [float(w.probability) for seg in segments for w in seg.words or []]
    return bool(probs) and sum(probs) / len(probs) < RECHECK_BELOW


def _parts(audio: Audio, chunk: dict[str, int]) -> list[dict[str, int]]:
    """The parts a chunk is identified in: between its pauses when ``LID_SPLIT_S`` or longer
    (each at least ``LID_PART_MIN_S``), else the chunk itself."""
    if chunk["end"] - chunk["start"] < LID_SPLIT_S * SAMPLE_RATE:
        return [chunk]
    return split_at_pauses(audio, chunk, int(LID_PART_MIN_S * SAMPLE_RATE))


def _read_language(read_as: str | None, segments: list[Any] | None, heard: str) -> str:
    """The language of a stretch read in each expected language (``_chosen``'s language and
    segments): ``UNKNOWN`` ("", no badge) when no language reads it at all; the one heard when
    every reading failed (segments None: a failed reading, most often fluent English, is no sign
    of a language); else the reading's."""
    if not read_as:
        return UNKNOWN
    return read_as if segments is not None else heard


def _own_or_heard(readings: dict[str, tuple[float, str]], own: str, heard_as: str) -> str:
    """``own`` when its reading is kept by its letters (``letters_kept``), else ``heard_as``."""
    return own if letters_kept(readings, own) else heard_as


def _mean_probability(decoded: list[Any], chunk: dict[str, int] | None) -> float:
    """The mean probability Whisper gave the decoded words inside a chunk (all of them: None;
    1.0 without any: speech without words is left to the placeholders)."""
    probs = [
        float(w.probability)
        for seg in decoded
        for w in seg.words or []
        if chunk is None or within(w, chunk)
    ]
    return sum(probs) / len(probs) if probs else 1.0


def chunk_key(chunk: dict[str, int]) -> tuple[int, int]:
    """A chunk's (start, end): how the stretches read while identifying are found again."""
    return chunk["start"], chunk["end"]


def within(seg: Any, chunk: dict[str, int]) -> bool:
    """Whether a decoded segment or word (times in seconds) is the speech of a chunk
    (samples): its middle lies in it."""
    middle = (float(seg.start) + float(seg.end)) / 2 * SAMPLE_RATE
    return chunk["start"] <= middle <= chunk["end"]
