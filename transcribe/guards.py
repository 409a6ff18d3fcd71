"""Guards against Whisper's known failures, applied to every segment before it is stored.

- Text invented over silence or noise: segments Whisper itself marks as probably silent
  (``no_speech_prob`` high and ``avg_logprob`` low), segments with a very low average
  log-probability, segments whose words mostly lie outside the speech found by VAD, and the
  stock phrases Whisper invents over noise ("Thank you.", "Thanks for watching!") when they come
  with low confidence.
- A phrase repeated in a loop: repeated n-grams are collapsed to one occurrence (a long phrase
  written twice and begun a third time where the text ends is a loop cut short: once too); a
  segment that still compresses too well (gzip ratio above 2.4) is dropped.
- A word stuck in a loop ("болталығығығығығығ"): a syllable repeated inside one word, where the
  decoder lost its place and wrote on until its token limit. The text is cut before that word
  (what follows was not heard, it was invented), and the character a token limit cut in half
  (U+FFFD) is removed.
"""

from __future__ import annotations

import difflib
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

NO_SPEECH_PROB = 0.6
LOGPROB_SILENT = -1.0
LOGPROB_FLOOR = -1.6
COMPRESSION_RATIO = 2.4
MIN_SPEECH_OVERLAP = 0.3

_STOCK_PHRASES = {
    "thank you",
    "thank you very much",
    "thanks for watching",
    "thank you for watching",
    "thanks for listening",
    "please subscribe",
    "subscribe to my channel",
    "subtitles by the amara org community",
    "you",
    "bye",
    "so",
    "okay",
    "the end",
    "music",
    "applause",
    # what base wrote over espeak-ng's Kazakh forced into English (languages_bench)
    "i'll see you in the next video",
    "see you in the next video",
    "i'll see you in the next video bye bye",
    "if you have any questions please let us know in the comments",
    "if you have any questions let us know in the comments",
    "please like and subscribe",
    # Russian: what Whisper learnt from subtitled videos
    "продолжение следует",
    "спасибо за просмотр",
    "спасибо за внимание",
    "благодарю за внимание",
    "подписывайтесь на канал",
    "субтитры сделал dimatorzok",
    "субтитры создавались сообществом amara org",
    "редактор субтитров а семкин корректор а егорова",
    "музыка",
    "аплодисменты",
    # Kazakh
    "рахмет",
    "назарларыңызға рахмет",
    "көргеніңізге рахмет",
    "арнаға жазылыңыз",
    # German, French, Spanish (common project languages too)
    "untertitel im auftrag des zdf",
    "untertitel der amara org community",
    "vielen dank fürs zuschauen",
    "vielen dank",
    "sous titres réalisés par la communauté d'amara org",
    "merci d'avoir regardé",
    "gracias por ver el video",
    "subtítulos realizados por la comunidad de amara org",
}
#: the calls to action of the videos Whisper learnt from, which it strings together in any order
#: over speech it cannot read ("Ставьте лайк и подписывайтесь!", "Like and subscribe, and hit
#: the bell"): a text made only of these is a stock phrase (``is_stock``)
_OUTRO_PART = (
    r"(?:ставьте|ставь|поставьте) лайки?|подпи(?:сывайтесь|шитесь)(?: на (?:наш |мой )?канал)?"
    r"|не забудьте подписаться(?: на (?:наш |мой )?канал)?|(?:жмите|нажмите) на колокольчик"
    r"|спасибо за просмотр|(?:арнамызға|арнаға) жазылыңыз|лайк басыңыз"
    r"|(?:please )?(?:like (?:this video|and subscribe)|subscribe)|don't forget to subscribe"
    r"|hit the bell"
    r"|subscribe to (?:my|our|the) channel|(?:i'll )?see you in the next video"
    r"|thanks? (?:you )?for watching"
)
_OUTRO = re.compile(rf"(?:{_OUTRO_PART})(?: (?:и|and|а также|also)? ?(?:{_OUTRO_PART}))*")
_NORMALISE = re.compile(r"[^\w\s']+")
# a sentence's last mark, then any closing quotes or brackets (Russian text closes with », as in
# «Спасибо.»)
_SENTENCE_END = re.compile(r"[.?!…。？！]['\"”’»)\]]*$")


def ends_sentence(word: str) -> bool:
    """Whether a word ends a sentence (``. ? ! …``, perhaps inside closing quotes)."""
    return bool(_SENTENCE_END.search(word.strip()))


@dataclass
class WordT:
    """A word with times in seconds (faster-whisper's ``Word`` shape)."""

    start: float
    end: float
    word: str
    probability: float


def timed_words(words: Iterable[Any]) -> list[WordT]:
    """faster-whisper's words (or anything of their shape) as ``WordT``."""
    return [WordT(float(w.start), float(w.end), str(w.word), float(w.probability)) for w in words]


@dataclass
class Candidate:
    """A decoded piece of text with the scores the guards look at."""

    text: str
    start: float
    end: float
    avg_logprob: float
    no_speech_prob: float
    words: list[WordT] = field(default_factory=list)


# a unit of two to four letters (perhaps with a hyphen) written six times or more in a row
# inside a word, or one letter eight times ("ығығығығығығ", "пергер-гер-гер-гер-гер-гер-гер",
# "ааааааааа"); "ха-ха-ха", "хахахаха" and "Ммм" are not loops, nor are digits
_LOOP = re.compile(r"([^\W\d_]{2,4}?-?)\1{5,}|([^\W\d_])\2{7,}")
BROKEN = "\ufffd"  # a multi-byte character cut in half by a token limit


def loop_start(text: str) -> int | None:
    """Where the word that starts a loop inside a word begins in ``text``, or None."""
    found = _LOOP.search(text)
    if found is None:
        return None
    before = text[: found.start()]
    spaces = [i for i, ch in enumerate(before) if ch.isspace()]
    return spaces[-1] if spaces else 0


def cut_loop_text(text: str) -> str:
    """``text`` without a broken character and without the looping word and what follows."""
    text = text.replace(BROKEN, "")
    at = loop_start(text)
    return text if at is None else text[:at].rstrip()


def cut_loop(words: Sequence[WordT]) -> list[WordT]:
    """The words before the first one stuck in a loop, each without a broken character."""
    out = []
    for w in words:
        text = w.word.replace(BROKEN, "")
        if _LOOP.search(text):
            break
        if text.strip():
            out.append(w if text == w.word else WordT(w.start, w.end, text, w.probability))
    return out


def compression_ratio(text: str) -> float:
    """gzip compression ratio of a text (high means repetitive)."""
    data = text.encode("utf-8")
    if not data:
        return 0.0
    return len(data) / len(zlib.compress(data))


def normalise(text: str) -> str:
    """Lower case, no punctuation, single spaces."""
    return " ".join(_NORMALISE.sub(" ", text.lower()).split())


#: a phrase of at least this many words written twice in a row and begun a third time where
#: the text ends is a loop the decoder was cut short in (``collapse_repeats``)
LOOP_CUT_SHORT_WORDS = 5


def collapse_repeats(words: Sequence[WordT], max_n: int = 12) -> list[WordT]:
    """Collapse a phrase repeated several times in a row to one occurrence.

    An n-gram (n >= 2) repeated three times or more in a row, or a single word repeated four
    times or more, is kept once. So is a loop the decoder was cut short in: a phrase of
    ``LOOP_CUT_SHORT_WORDS`` words or more written twice in a row and then begun a third time
    where the text ends ("алықтаған емес ем көзің жылесаң алықтаған емес ем көзің жылесаң
    алықтаған", espeak-ng Kazakh read by ``base``); the third start goes too. A phrase said
    twice (a question asked again) is kept, and so is a short one said twice and begun again.
    Words are compared without case and punctuation.
    """
    out = list(words)
    keys = [normalise(w.word) for w in out]
    cut = _loop_cut_short(keys, max_n)
    if cut is not None:
        del out[cut:]
        del keys[cut:]
    changed = True
    while changed:
        changed = False
        for n in range(1, max_n + 1):
            need = 4 if n == 1 else 3
            i = 0
            while i + n * need <= len(keys):
                gram = keys[i : i + n]
                if not any(gram):
                    i += 1
                    continue
                reps = 1
                while keys[i + reps * n : i + (reps + 1) * n] == gram:
                    reps += 1
                if reps >= need:
                    del out[i + n : i + reps * n]
                    del keys[i + n : i + reps * n]
                    changed = True
                i += 1
    return out


def _loop_cut_short(keys: Sequence[str], max_n: int) -> int | None:
    """Where the second occurrence of a loop cut short begins (``collapse_repeats``): the
    words end with a phrase of ``LOOP_CUT_SHORT_WORDS`` to ``max_n`` words, the same phrase
    again and the start of it (at least one word, not all; the last one perhaps cut short
    itself, by a token limit: "алық" for "алықтаған"); None when they do not."""
    size = len(keys)
    for n in range(LOOP_CUT_SHORT_WORDS, max_n + 1):
        for begun in range(n - 1, 0, -1):  # the earliest phase: the most text kept once
            first = size - 2 * n - begun
            if first < 0:
                continue
            gram = list(keys[first : first + n])
            tail = keys[first + 2 * n :]
            if (
                all(gram)
                and keys[first + n : first + 2 * n] == gram
                and tail[:-1] == gram[: begun - 1]
                and tail[-1]
                and gram[begun - 1].startswith(tail[-1])
            ):
                # a loop of whole copies ("X X X") also reads as its phase shifted by a word
                # or more ("X" less its first word, then that word): it starts where the
                # words before agree a phrase apart, and is cut after its first copy there
                # (before: "X Развернул", the next copy's first word left on its own)
                while first > 0 and keys[first - 1] == keys[first + n - 1]:
                    first -= 1
                return first + n
    return None


def said_again(
    words: Sequence[WordT], least: int = LOOP_CUT_SHORT_WORDS, within: int = 2
) -> tuple[int, int] | None:
    """The first phrase of ``least`` words or more said again at most ``within`` words after it
    ends: (where the repeat starts, its length in words), or None. Whisper's decoder, forcing
    speech into a language it does not hear, falls into saying a phrase again, and surely: base
    read an espeak-ng Kazakh turn in English as "I love you till you get to see me till you
    know I love you till you get to see me till you get to" (word probabilities 0.07-0.5 the
    first time, 0.7-0.98 the second). Words are compared without case and punctuation."""
    keys = [normalise(w.word) for w in words]
    for again in range(least, len(keys)):
        for first in range(again - least + 1):
            n = 0
            while (
                first + n < again and again + n < len(keys) and keys[first + n] == keys[again + n]
            ):
                n += 1
            if n >= least and again - first - n <= within and all(keys[first : first + n]):
                return again, n
    return None


def later_copies(
    words: Sequence[WordT], least: int = LOOP_CUT_SHORT_WORDS, within: int = 2
) -> list[tuple[int, int]]:
    """Every phrase of ``least`` words or more written again right after itself
    (``said_again``), in order: (where the copy starts, its length in words). A copy written
    again is found in turn ("X X X": the second and the third)."""
    found: list[tuple[int, int]] = []
    base = 0
    while (hit := said_again(words[base:], least, within)) is not None:
        found.append((base + hit[0], hit[1]))
        base += hit[0]
    return found


#: a copy a person said again is heard again alone (``heard_as``): its words, decoded on
#: their own, are at least this like the copy's (difflib's ratio over the words)...
HEARD_AGAIN_LIKENESS = 0.75
#: ... and Whisper is at least this sure of them (mean word probability); a decoder's loop
#: over speech it does not hear writes the phrase again surely only in its own wake
HEARD_AGAIN_PROBABILITY = 0.5
#: a copy spoken takes time: at least this many seconds a word (a loop's words are often
#: squeezed together or stacked at one instant)
HEARD_AGAIN_WORD_S = 0.12


def heard_as(copy: Sequence[WordT], heard: Sequence[WordT]) -> bool:
    """Whether a phrase the decoder wrote again (``copy``, with its times) was said again: its
    own stretch of audio, decoded alone (``heard``), reads the same words, surely, and it lasts
    as long as words take. A person repeats a sentence (a moderator's question asked again, a
    slogan, a statement read twice); a decoder that lost its place writes a phrase again over
    speech that says something else."""
    if not copy or not heard:
        return False
    if copy[-1].end - copy[0].start < HEARD_AGAIN_WORD_S * len(copy):
        return False
    said = [normalise(w.word) for w in copy]
    read = [normalise(w.word) for w in heard]
    likeness = difflib.SequenceMatcher(None, said, read, autojunk=False).ratio()
    sure = sum(w.probability for w in heard) / len(heard)
    return likeness >= HEARD_AGAIN_LIKENESS and sure >= HEARD_AGAIN_PROBABILITY


def _overlap(start: float, end: float, speech: Sequence[tuple[float, float]]) -> float:
    total = 0.0
    for s, e in speech:
        if e <= start:
            continue
        if s >= end:
            break
        total += min(e, end) - max(s, start)
    return total


def speech_fraction(words: Sequence[WordT], speech: Sequence[tuple[float, float]]) -> float:
    """The fraction of the words' duration that lies in VAD speech (1.0 without words)."""
    spans = [(w.start, max(w.end, w.start + 0.02)) for w in words]
    duration = sum(e - s for s, e in spans)
    if duration <= 0:
        return 1.0
    return sum(_overlap(s, e, speech) for s, e in spans) / duration


def mean_probability(words: Sequence[WordT]) -> float | None:
    """The mean word probability, or None without words."""
    if not words:
        return None
    return sum(w.probability for w in words) / len(words)


def rejection(
    cand: Candidate,
    speech: Sequence[tuple[float, float]] | None,
    language: str | None = None,
) -> str | None:
    """Why a candidate must be dropped (a short reason), or None to keep it.

    Args:
        cand: the decoded text with its scores (repeats already collapsed).
        speech: VAD speech spans (seconds, same clock as the words), sorted; None to skip.
        language: the language the text was decoded in: a stock phrase of another script
            over it (English "Thank you for watching" over Russian speech) is dropped whatever
            its confidence.
    """
    text = cand.text.strip()
    if not normalise(text):
        return "empty"
    if cand.no_speech_prob > NO_SPEECH_PROB and cand.avg_logprob < LOGPROB_SILENT:
        return "no speech"
    if cand.avg_logprob < LOGPROB_FLOOR:
        return "low log-probability"
    if compression_ratio(text) > COMPRESSION_RATIO:
        return "repetitive"
    if (
        speech is not None
        and cand.words
        and speech_fraction(cand.words, speech) < MIN_SPEECH_OVERLAP
    ):
        return "outside speech"
    prob = mean_probability(cand.words)
    if is_stock(text) and (
        cand.no_speech_prob > 0.3 or (prob is not None and prob < 0.5) or _foreign(text, language)
    ):
        return "stock phrase over noise"
    if prob is not None and prob < 0.15 and len(cand.words) <= 4:
        return "unsure"
    return None


def is_stock(text: str) -> bool:
    """Whether a text is one of Whisper's stock phrases (``_STOCK_PHRASES``) or made only of the
    calls to action of videos (``_OUTRO``), in any order."""
    said = normalise(text)
    return said in _STOCK_PHRASES or _OUTRO.fullmatch(said) is not None


#: languages written in Cyrillic (Whisper codes)
CYRILLIC_LANGUAGES = frozenset("ru kk uk be bg mk sr mn tt ba tg".split())


def _foreign(text: str, language: str | None) -> bool:
    """Whether a text is written in another script than ``language`` uses."""
    if not language:
        return False
    cyrillic = any("\u0400" <= ch <= "\u04ff" for ch in text)
    return cyrillic != (language in CYRILLIC_LANGUAGES)
