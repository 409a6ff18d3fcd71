"""Which language each stretch of speech is in, and whether a text is in that language's script.

Whisper identifies the language of 30 seconds of audio from its encoder output; FieldScribe asks
it for every stretch of speech (a VAD chunk), so a recording that switches between Russian,
Kazakh and English is transcribed stretch by stretch in the language spoken, never translated.

When the project says which languages it expects, the choice is made only among them. Whisper
spreads its belief over related languages (Kazakh speech scores on Azerbaijani, Turkish, Tatar
or Bashkir, which had more training data), so the probability of every language Whisper knows
is credited to the expected language of its family before choosing: Kazakh is then no longer
taken for Azerbaijani or Turkish.

When the expected languages get almost none of Whisper's belief (``heard``; it names Hungarian
or Latin for a Kazakh voice it knows badly), or the one chosen gets less than ``LID_DOUBT``
(``doubtful``), the choice among them is noise: the engine then
decodes the stretch in each of them and keeps the reading Whisper is surest of
(``decoded_score``), or none when every reading failed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from storage.core.languages import KAZAKH_LETTERS

from . import guards
from .guards import CYRILLIC_LANGUAGES
from .stream import SAMPLE_RATE, detect_speech

LID_MIN_S = 1.0  # shorter stretches take the language of their neighbours
LID_SURE = 0.5  # without expected languages, a guess less sure than this is not taken
LID_HEARD = 0.5  # expected languages heard less than this: decoding decides (``heard``)
LID_DOUBT = 0.7  # the chosen language (with its family) heard less than this: decoding decides
_N_FRAMES = 3000  # Whisper's 30-second input
_LID_FRAMES = 1500  # language identification: clips are padded to 15 seconds

# Families of related languages (Whisper codes): a language not expected by the project lends
# its probability to the expected language of its family.
FAMILIES: tuple[frozenset[str], ...] = (
    frozenset("kk az tr tt ba uz tk".split()),  # Turkic
    frozenset("ru uk be".split()),  # East Slavic
    frozenset("bg mk sr bs hr sl".split()),  # South Slavic
    frozenset("pl cs sk".split()),  # West Slavic
    frozenset("en nl de af lb fy".split()),  # West Germanic
    frozenset("sv da no nn is fo".split()),  # North Germanic
    frozenset("fr es pt it ca gl oc ro la".split()),  # Romance
    frozenset("fa tg ps".split()),  # Iranian
    frozenset("hi ur pa gu mr ne bn as sa sd".split()),  # Indo-Aryan
    frozenset("ar he mt".split()),  # Semitic
    frozenset("zh yue".split()),  # Chinese
    frozenset("fi et".split()),  # Finnic
    frozenset("lt lv".split()),  # Baltic
    frozenset("id ms jw su tl".split()),  # Malayo-Polynesian
)

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


def credited(probs: dict[str, float], allowed: Sequence[str]) -> dict[str, float]:
    """Each allowed language's probability, plus what the other languages of its family got
    (a language whose family has no allowed language, or two, lends nothing)."""
    scores = {code: probs.get(code, 0.0) for code in allowed}
    for code, p in probs.items():
        if code in scores:
            continue
        family = next((f for f in FAMILIES if code in f), None)
        if family is None:
            continue
        kin = [a for a in allowed if a in family]
        if len(kin) == 1:
            scores[kin[0]] += p
    return scores


def choose(probs: dict[str, float], allowed: Sequence[str]) -> tuple[str, float]:
    """The most probable language among ``allowed`` (all when empty), and its share.

    With ``allowed``, each other language's probability goes to the allowed language of its
    family (if any); the share is the winner's part of what the allowed languages got.
    """
    if not allowed:
        best = max(probs, key=lambda k: probs[k])
        return best, probs[best]
    scores = credited(probs, allowed)
    total = sum(scores.values())
    best = max(allowed, key=lambda k: scores[k])
    return best, (scores[best] / total if total > 0 else 0.0)


def heard(probs: dict[str, float], allowed: Sequence[str]) -> float:
    """How much of Whisper's belief went to the expected languages (and their families).

    Below ``LID_HEARD`` Whisper recognises none of them in a stretch (it names Hungarian or
    Latin for a Kazakh voice it knows badly): its choice among them is then a guess, and
    decoding decides instead (``decoded_score``)."""
    return sum(credited(probs, allowed).values())


def doubtful(probs: dict[str, float], allowed: Sequence[str]) -> bool:
    """Whether Whisper's choice among two or more expected languages is too unsure to take:
    it hears none of them (``heard`` under ``LID_HEARD``), or it gives the one chosen, with its
    family, less than ``LID_DOUBT``. An espeak-ng Kazakh turn was heard as English 0.45, and
    decoded in English it came out as English words nobody said ("In the end I couldn't
    cosmet cutsy"); real speech is heard at 0.9 and more in its language but for a few short
    or noisy stretches, which decoding in each language reads in their language again."""
    if len(allowed) < 2:
        return False
    scores = credited(probs, allowed)  # ``choose`` takes the highest of these, ``heard`` their sum
    if sum(scores.values()) < LID_HEARD or max(scores.values()) < LID_DOUBT:
        return True
    return letters_decide(scores, allowed)


#: Whisper (``base``) hears real Kazakh as Russian at times: an utterance of the real Kazakh
#: speech (tests/data/kazakh) got Russian 0.70 and the Turkic languages 0.15 (Turkish 0.06,
#: Kazakh 0.06, Azerbaijani 0.03), and decoded in Russian it came out "Ольга Грайвисмитр жив
#: -тохта" for "Алға қарай бес метр жүр тоқта". Real Russian gives the Turkic languages 0.02
#: to 0.04 (the 94 stretches of ``ru-real``, ``ru-real-noisy`` and ``mixed-real``'s Russian
#: turns heard as Russian). A stretch heard as Russian with at least this much for a language
#: that has letters of its own (Kazakh, with its family) is read in each language, and the
#: letters decide (``reading_kept``).
OWN_LETTERS_RIVAL = 0.1


def letters_decide(scores: dict[str, float], allowed: Sequence[str]) -> bool:
    """Whether a stretch whose credited probabilities (``credited``) choose a Cyrillic language
    gives an expected language with letters of its own (``OWN_LETTERS``) at least
    ``OWN_LETTERS_RIVAL``: Whisper's Russian for Kazakh speech, which reading decides."""
    best = max(allowed, key=lambda code: scores[code])
    return (
        best in CYRILLIC_LANGUAGES
        and best not in OWN_LETTERS
        and any(code in OWN_LETTERS and scores[code] >= OWN_LETTERS_RIVAL for code in allowed)
    )


#: a stretch is told to be in a language the project does not expect only when Whisper gives
#: that language (with those it takes it for) at least ``LID_FOREIGN`` and the expected ones
#: (likewise, all together) at most ``FOREIGN_EXPECTED_MAX``; anything less clear is decoded in
#: an expected language
LID_FOREIGN = 0.6
FOREIGN_EXPECTED_MAX = 0.15

# Languages Whisper takes for one another (Russian speech heard as part Ukrainian, Bulgarian or
# Polish, Kazakh as Turkish or Azerbaijani): unlike ``FAMILIES``, English is not German.
CONFUSED: tuple[frozenset[str], ...] = (
    frozenset("kk az tr tt ba uz tk".split()),
    frozenset("ru uk be bg mk sr bs hr sl pl cs sk".split()),  # base hears Russian as these
    frozenset("no nn da sv".split()),
    frozenset("nl af".split()),
    frozenset("es gl ca".split()),
    frozenset("fa tg".split()),
    frozenset("hi ur".split()),
    frozenset("zh yue".split()),
    frozenset("id ms jw su".split()),
)


def confused_with(code: str) -> frozenset[str]:
    """The languages Whisper takes ``code`` for (``CONFUSED``), itself included."""
    return next((group for group in CONFUSED if code in group), frozenset({code}))


def foreign(probs: dict[str, float], expected: str | Sequence[str]) -> str | None:
    """The language a stretch is clearly in when it is none of ``expected`` (the project's
    language, or its languages) nor one Whisper takes for them, or None: Whisper gives the
    expected languages (with the languages it confuses with them, ``CONFUSED``) together at
    most ``FOREIGN_EXPECTED_MAX`` and one other such group at least ``LID_FOREIGN``; the
    language is that group's most probable. A recording in another language than the project
    says is then transcribed in the language spoken instead of translated into an expected
    one (Whisper, told a language, translates) or written in its letters as words nobody said
    (a project expecting Russian and Kazakh wrote an English turn, heard as English 0.83, as
    "Бұлің тарды длейт, бұс")."""
    wanted = [expected] if isinstance(expected, str) else list(expected)
    mine = frozenset().union(*(confused_with(code) for code in wanted))
    if expected_share(probs, wanted) > FOREIGN_EXPECTED_MAX:
        return None
    groups: dict[frozenset[str], float] = {}
    for code, p in probs.items():
        if code not in mine:
            groups[confused_with(code)] = groups.get(confused_with(code), 0.0) + p
    if not groups:
        return None
    best = max(groups, key=lambda group: groups[group])
    if groups[best] < LID_FOREIGN:
        return None
    return max((code for code in probs if code in best), key=lambda code: probs[code])


def expected_share(probs: dict[str, float], expected: str | Sequence[str]) -> float:
    """What Whisper gives ``expected`` (a language, or several) and the languages it takes for
    them (``CONFUSED``)."""
    wanted = [expected] if isinstance(expected, str) else list(expected)
    mine = frozenset().union(*(confused_with(code) for code in wanted))
    return sum(p for code, p in probs.items() if code in mine)


#: what a reading holds when it failed, whatever else it says: the outros of the subtitled videos
#: Whisper learnt from ("We'll see you in the next video", "don't forget to subscribe to the
#: channel"), which ``base`` writes over speech it forces into English; such a segment is no sign
#: of the language (``decoded_score``; only there: "subscribe" may be said in an interview)
_FAILED_READING = re.compile(
    r"next video|subscribe|for watching|amara org|продолжение следует|спасибо за просмотр"
    r"|подписывайтесь"
)


def decoded_score(segments: Sequence[Any], language: str) -> float:
    """How well a stretch decoded in ``language``: Whisper's mean log-probability of the words
    the guards would keep in that language's script; ``-inf`` without any. Whisper's decoder is
    far surer of speech in the language spoken: on Kazakh speech it forces into English, it
    loops or invents a stock phrase ("I'll see you in the next video"), and real Russian scores
    -0.2 to -0.45 decoded in Russian against -0.5 to -0.75 decoded in Kazakh.

    What a failed reading is made of does not count, or it would look sure: a stock phrase or
    a video outro (``_FAILED_READING``), a word stuck in a loop inside a word and what follows
    it, and a word or phrase said over and over ("әй әй әй әй", "No, no, no, no": the repeats
    are easy to predict; ``guards.collapse_repeats`` keeps the first), and a long phrase said
    again at once (``guards.said_again``: an English reading of espeak-ng Kazakh said one
    twice and beat the Kazakh reading, -0.87 against -0.94; counted once it scores -1.18).
    Scored from the words' probabilities (the decode gives them); segments without words count
    by their mean token log-probability, weighed by the length of the text before any loop."""
    total = weight = 0.0
    for seg in segments:
        whole = str(seg.text).strip()
        text = guards.cut_loop_text(whole)
        if _FAILED_READING.search(guards.normalise(text)):
            continue
        cand = guards.Candidate(
            text, float(seg.start), float(seg.end), seg.avg_logprob, seg.no_speech_prob
        )
        if why_dropped(cand, None, language) is not None:
            continue
        words = guards.timed_words(getattr(seg, "words", None) or [])
        if words:
            kept = [w for w in guards.collapse_repeats(guards.cut_loop(words)) if w.word.strip()]
            while (again := guards.said_again(kept)) is not None:
                del kept[again[0] : again[0] + again[1]]
            total += sum(math.log(max(w.probability, 1e-6)) for w in kept)
            weight += len(kept)
            continue
        length = max(float(seg.end) - float(seg.start), 0.1)
        # a word stuck in a loop ends the text the guards keep: the segment weighs as much as
        # the text before it (a loop is a failed decode, not a sign of the language: Whisper
        # loops on Kazakh read in Kazakh as on Kazakh read in Russian)
        length *= len(text) / max(len(whole.replace(guards.BROKEN, "")), 1)
        total += float(seg.avg_logprob) * length
        weight += length
    return total / weight if weight else float("-inf")


#: letters a language writes and its Cyrillic neighbours do not: Kazakh's ә ғ қ ң ө ұ ү һ і
#: (about 16 % of the letters of Kazakh text; 10 to 24 % of each of our reference sentences)
OWN_LETTERS = {"kk": KAZAKH_LETTERS}
#: a reading whose letters are at least this share of its language's own ones heard that
#: language's sounds (``reading_kept``)...
OWN_LETTERS_SHARE = 0.1
#: ... and beats a reading in another Cyrillic language that scores at most this much better
OWN_LETTERS_MARGIN = 0.25
#: ... or at most this much better where Kazakh is expected there: beside Kazakh stretches, or
#: in a project that expects only Kazakh (``letters_kept``). Real Kazakh heard as Russian, read
#: in Kazakh with its letters, scored 0.11 to 0.31 below its Russian reading; real Russian read
#: in Kazakh with as many of them (10 % or more), 0.51 and more below (80 sentences of
#: festvox-ru: ``bench/own_letters_bench.py``). espeak-ng's Russian, whose Kazakh reading
#: scored 0.27 below its Russian one with a third of its letters Kazakh's own ("Сәсіңа, штопы
#: өсі сейсіңа" for "Спасибо, что пришли сегодня"), is why the wider margin needs Kazakh beside
#: the stretch
OWN_LETTERS_BESIDE_MARGIN = 0.35
#: Whisper leans to English (most of what it learned was English): read in English, speech it
#: does not hear clearly comes out as fluent English a shade surer than the reading in the
#: language spoken. espeak-ng Russian, read in each of ru, kk, en: "I'm not using my camera
#: shoot here, it's metallic" -0.985 against the Russian reading's -1.004, and on the bench's
#: mixed recording English -0.88 against -0.89 and -1.15. An English reading is kept over a
#: Cyrillic one only when it is surer by more than this (``reading_kept``)
ENGLISH_MARGIN = 0.05


def own_letters_share(text: str, language: str) -> float:
    """The share of a text's letters that are ``language``'s own (``OWN_LETTERS``); 0 for a
    language without any."""
    own = OWN_LETTERS.get(language)
    letters = [c for c in text.lower() if c.isalpha()]
    if not own or not letters:
        return 0.0
    return sum(c in own for c in letters) / len(letters)


#: Two to four letters four times in a row inside a word, or one letter five times: a reading
#: that stutters so has failed, though the loop is too short for ``guards`` to cut it.
#: espeak-ng Russian recorded through a microphone ("Сегодня мы поговорим о государственных
#: услугах", read in Russian at -0.47) was read in Kazakh at -0.69 ending "о том, қағағағағы
#: пағағы паға", its Kazakh letters a sign of Kazakh sounds to ``reading_kept``
STUTTER = re.compile(r"([^\W\d_]{2,4}?)\1{3,}|([^\W\d_])\2{4,}")


def said_over_and_over(text: str) -> bool:
    """Whether a text repeats a word or a phrase in a row (``guards.collapse_repeats``), or
    stutters inside a word (``STUTTER``): the sign of a failed reading, whatever its letters."""
    if STUTTER.search(text):
        return True
    words = [guards.WordT(0.0, 0.0, w, 1.0) for w in text.split()]
    return len(guards.collapse_repeats(words)) < len(words)


def reading_kept(readings: dict[str, tuple[float, str]]) -> str | None:
    """Which of a stretch's readings (language -> (``decoded_score``, text)) to keep.

    The best score wins, but for two cases. An English reading is kept over a Cyrillic one only
    when it scores more than ``ENGLISH_MARGIN`` better (Whisper's lean to English: fluent
    English over speech it does not hear clearly is a translation, not what was said), unless
    the Cyrillic one says a word or phrase over and over. And Whisper's Russian decoder writes
    any speech in Cyrillic quite surely, Kazakh too ("Мин-мин-ликетник, Козмет-терд" for "Мен,
    мен, кетдік козмет"), and may score above the Kazakh reading of it. The Kazakh decoder
    writes the letters of sounds Russian lacks (ә, ө, ү, ұ, қ, ғ, ң...) only when it hears them:
    read in Kazakh, 15 stretches of real Russian speech had 0 to 7 % of their letters Kazakh's
    own (mostly none), and Kazakh stretches 9 to 52 %. So a reading in a language with letters
    of its own (``OWN_LETTERS``) that has at least ``OWN_LETTERS_SHARE`` of them is kept over a
    reading in another Cyrillic language that scores at most ``OWN_LETTERS_MARGIN`` better,
    unless it says a word or a phrase over and over (``said_over_and_over``: "Бұліқ өбің әй әй
    әй әй", a failed reading, is no sign of Kazakh sounds). None when no reading scored at all.
    """
    scored = {code: r for code, r in readings.items() if r[0] > float("-inf")}
    if not scored:
        return None
    best = max(scored, key=lambda code: scored[code][0])
    if best == "en":
        best = _taken_over(scored, best, ENGLISH_MARGIN, lambda code, _: code in CYRILLIC_LANGUAGES)
    if best not in CYRILLIC_LANGUAGES or best in OWN_LETTERS:
        return best
    return _taken_over(scored, best, OWN_LETTERS_MARGIN, writes_own_letters)


#: A stretch Whisper was unsure of, read in each expected language, whose Russian reading beat
#: its Kazakh one though Whisper, hearing it on its own, gave Kazakh (with its family) at least
#: this share of its belief: the real Kazakh "ISSAI туралы ақпарат бер" (Turkish 0.45, Kazakh
#: 0.11, Azerbaijani 0.09, Russian 0.08) was read "Иссай, Туралла, ах, Варапель." (-0.67) and
#: "Исай Туралі Ахварат белі." (-0.83, 9 % of its letters Kazakh's own, under
#: ``OWN_LETTERS_SHARE``). Real Russian is heard as Russian at 0.9 and more (``heard_kept``).
HEARD_KEEPS_SHARE = 0.5


def heard_kept(readings: dict[str, tuple[float, str]], heard: str) -> str | None:
    """``reading_kept``, but where Whisper heard the stretch clearly enough as ``heard``, a
    language with letters of its own (its share at least ``HEARD_KEEPS_SHARE``, decided by the
    caller), the reading in it is kept over a surer one in another Cyrillic language scoring at
    most ``OWN_LETTERS_MARGIN`` better, with or without its letters: two signs, what Whisper
    heard and what it read, against one. Whisper's Russian decoder writes Kazakh speech in
    Cyrillic quite surely; a short Kazakh phrase may have few of Kazakh's own letters."""
    kept = reading_kept(readings)
    if kept is None or kept == heard or kept not in CYRILLIC_LANGUAGES or heard not in OWN_LETTERS:
        return kept
    scored = {code: r for code, r in readings.items() if r[0] > float("-inf")}
    return _taken_over(scored, kept, OWN_LETTERS_MARGIN, lambda code, _text: code == heard)


def writes_own_letters(code: str, text: str) -> bool:
    """Whether a reading in ``code`` heard that language's own sounds: at least
    ``OWN_LETTERS_SHARE`` of its letters are the language's own (``OWN_LETTERS``)."""
    return code in OWN_LETTERS and own_letters_share(text, code) >= OWN_LETTERS_SHARE


def letters_kept(readings: dict[str, tuple[float, str]], own: str) -> bool:
    """Whether the reading in ``own``, a language with letters of its own (``OWN_LETTERS``),
    is kept over the others (language -> (``decoded_score``, text)): it does not say a word or
    phrase over and over, and it is the surest reading, or it writes at least
    ``OWN_LETTERS_SHARE`` of them and scores at most ``OWN_LETTERS_BESIDE_MARGIN`` below the
    surest other reading (``identify.islands_to_read``). The real Kazakh "сосын солға қарай екі метр
    жүр", heard as Russian, was read "Сосын солға карай ек митржер." (-0.73, one letter in 24
    Kazakh's own) and in Russian "Сосу сол вакера и к митржер." (-0.785); real Russian read in
    Kazakh scored 0.11 and more below its Russian reading (80 sentences of festvox-ru:
    ``bench/own_letters_bench.py``)."""
    score, text = readings.get(own, (float("-inf"), ""))
    best_other = max((s for code, (s, _) in readings.items() if code != own), default=float("-inf"))
    if score == float("-inf") or said_over_and_over(text):
        return False
    return score >= best_other or (
        writes_own_letters(own, text) and score >= best_other - OWN_LETTERS_BESIDE_MARGIN
    )


def _taken_over(
    scored: dict[str, tuple[float, str]],
    best: str,
    margin: float,
    may: Callable[[str, str], bool],
) -> str:
    """The surest reading that ``may`` (language, text) lets take ``best``'s place, scoring at
    most ``margin`` below it and not saying a word or phrase over and over; ``best`` when none
    does (``reading_kept``)."""
    rivals = [
        code
        for code, (score, text) in scored.items()
        if may(code, text) and score >= scored[best][0] - margin and not said_over_and_over(text)
    ]
    return max(rivals, key=lambda code: scored[code][0]) if rivals else best


#: Real English Whisper is unsure of may be read best in Kazakh or Russian by a hair: an AMI
#: meeting's "Oh, Ebenezer, I didn't mean sorry." (-1.046), heard on its own as English 0.46 and
#: Kazakh and Russian 0.000 and 0.001, came out as the Kazakh "ебенейзі еддемі сөй" (-0.994).
#: A stretch Whisper, hearing it on its own, names English first with at least ``EAR_ENGLISH``
#: while giving each expected Cyrillic language (with its family) under ``EAR_CYRILLIC_MAX`` is
#: English to its ear (``english_to_the_ear``); there the English reading is kept over a
#: Cyrillic one scoring at most ``EAR_ENGLISH_MARGIN`` better (``ear_kept``): two signs, what
#: Whisper heard and what it read, against one. The Kazakh and Russian that Whisper cannot
#: place and reads best in English (``identify.guessed_in_latin``) is heard as Welsh, Latin
#: or Hungarian, English 0.01 to 0.33: not English to its ear.
EAR_ENGLISH = 0.4
EAR_CYRILLIC_MAX = 0.05
EAR_ENGLISH_MARGIN = 0.1


def english_to_the_ear(probs: dict[str, float], allowed: Sequence[str]) -> bool:
    """Whether Whisper, hearing a stretch on its own (``probs``), names English first, with at
    least ``EAR_ENGLISH``, and gives every expected Cyrillic language (with its family) under
    ``EAR_CYRILLIC_MAX``; only where the project expects English."""
    if "en" not in allowed or not probs or max(probs, key=lambda c: probs[c]) != "en":
        return False
    if probs["en"] < EAR_ENGLISH:
        return False
    got = credited(probs, allowed)
    return all(got[c] < EAR_CYRILLIC_MAX for c in allowed if c in CYRILLIC_LANGUAGES)


def ear_kept(readings: dict[str, tuple[float, str]], kept: str | None) -> str | None:
    """``kept`` (``reading_kept``'s choice), or the English reading where ``kept`` is in a
    Cyrillic language scoring at most ``EAR_ENGLISH_MARGIN`` better than it and the English
    one says no word or phrase over and over; for a stretch English to Whisper's ear
    (``english_to_the_ear``, decided by the caller)."""
    english = readings.get("en")
    if kept not in CYRILLIC_LANGUAGES or english is None or english[0] == float("-inf"):
        return kept
    scored = {code: r for code, r in readings.items() if r[0] > float("-inf")}
    return _taken_over(scored, kept, EAR_ENGLISH_MARGIN, lambda code, _text: code == "en")


def language_probabilities(model: Any, clip: np.ndarray) -> dict[str, float]:
    """Whisper's language probabilities for a clip (16 kHz mono, at most 30 s used).

    A short clip is padded (with silence, as Whisper was trained) to 15 seconds rather than 30:
    the encoder's cost grows with its input, and on our recordings 15 s identified the language
    as often as 30 s, where the clip alone (no padding) took German for English more often.
    """
    from faster_whisper.audio import pad_or_trim

    clip = clip[: 30 * SAMPLE_RATE]
    features = model.feature_extractor(clip, padding=0)[:, :_N_FRAMES]
    frames = max(_LID_FRAMES, features.shape[1] + features.shape[1] % 2)  # an even count
    return _detected(model, model.encode(np.ascontiguousarray(pad_or_trim(features, frames))))


def speech_probabilities(model: Any, audio: np.ndarray, seconds: int) -> dict[str, float] | None:
    """Whisper's language probabilities for the first ``seconds`` of the speech voice detection
    finds in ``audio`` (its pauses left out), heard as identification hears a stretch; None
    when it finds no speech."""
    speech = detect_speech(audio)
    if not speech:
        return None
    clip = np.concatenate([audio[c["start"] : c["end"]] for c in speech])
    return language_probabilities(model, clip[: seconds * SAMPLE_RATE])


def _detected(model: Any, encoded: Any) -> dict[str, float]:
    """The decoder's language probabilities for one encoder output, by code ("<|ru|>": "ru")."""
    result = model.model.detect_language(encoded)[0]
    return {token[2:-2]: float(p) for token, p in result}


_SAMPLES_PER_FRAME = 320  # one frame of Whisper's encoder output: 20 ms


def piece_features(model: Any, piece: np.ndarray) -> np.ndarray:
    """The features of a piece of speech (at most 30 s), ``[n_mels, 3000]``, exactly as
    faster-whisper's batched pipeline computes them for a clip, so that the encoder output
    made for identification is found again when the piece is decoded."""
    from faster_whisper.audio import pad_or_trim

    return np.asarray(pad_or_trim(model.feature_extractor(piece)[..., :-1]))


def stretch_probabilities(
    model: Any, encoded: np.ndarray, start: int, end: int
) -> dict[str, float]:
    """Whisper's language probabilities for the stretch at samples ``[start, end)`` of a
    piece, from the piece's encoder output (``[1, frames, width]``): the decoder's first step
    looks at that stretch's frames only."""
    import ctranslate2

    frames = encoded.shape[1]
    first = min(start // _SAMPLES_PER_FRAME, frames - 1)
    last = min(max(first + 1, -(-end // _SAMPLES_PER_FRAME)), frames)
    view = ctranslate2.StorageView.from_array(np.ascontiguousarray(encoded[:, first:last]))
    return _detected(model, view)


def fill_gaps(found: list[str | None], fallback: str) -> list[str]:
    """Give stretches without a language (too short, or unsure) the language of the previous
    stretch (the next one at the start; ``fallback`` when none has one)."""
    out: list[str] = []
    previous = next((code for code in found if code is not None), fallback)
    for code in found:
        previous = code or previous
        out.append(previous)
    return out


def wrong_script(text: str, language: str | None) -> bool:
    """Whether a text is mostly in the other script than its language's (Latin over Russian or
    Kazakh speech, Cyrillic over English): translated or transliterated, not what was said."""
    if not language:
        return False
    cyrillic, latin = len(_CYRILLIC.findall(text)), len(_LATIN.findall(text))
    if language in CYRILLIC_LANGUAGES:
        return latin > max(3, 2 * cyrillic)
    return cyrillic > max(3, 2 * latin)


def why_dropped(
    cand: guards.Candidate, speech: Sequence[tuple[float, float]] | None, language: str | None
) -> str | None:
    """Why decoded text in ``language`` is not kept (``guards.rejection``'s reason, or "wrong
    script": translated or transliterated, not what was said), or None to keep it."""
    why = guards.rejection(cand, speech, language)
    if why is None and wrong_script(cand.text, language):
        why = "wrong script"
    return why
