"""Patterns and limits shared by the transcript import (``transcript_import``), its line
reader (``transcript_timed``), its Word reader (``transcript_docx``) and ``frame_times``: a
module of their own, so that none imports another's."""

from __future__ import annotations

import re

MAX_TRANSCRIPT_BYTES = 50 * 1024**2
#: Speech rate for the length of a last line the file gives no end, in a session without
#: audio, and for the time of an oTranscribe paragraph after the last timestamp: about 2.5
#: words a second, as Russian and Kazakh (and English) interviews are spoken (a line of 10
#: words lasts 4 s), so that it shows on the timeline and in exports.
WORDS_PER_SECOND = 2.5

STAMP = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
#: a time span at the start of a line: Whisper's ``[00:00.000 --> 00:05.000]  text``, NVivo's
#: ``0:00:00.0 - 0:00:10.6``
#: MS Teams' transcripts (.docx, .txt) write times without leading zeros: ``0:0:5.240``
_SPAN_STAMP = rf"(?:{STAMP}|\d{{1,2}}:\d{{1,2}}:\d{{1,2}}(?:[.,]\d{{1,3}})?)"
LEAD_RANGE = re.compile(
    rf"^\s*[\[(]?(?P<s>{_SPAN_STAMP})\s*(?:-->|[-\u2013\u2014])\s*(?P<e>{_SPAN_STAMP})[\])]?"
    r"(?:\s*[|:\-\u2013\u2014](?=\s)|(?=\s)|$)\s*"
)
#: how the tools set a heading's time apart from the name: two spaces or more, a tab, brackets
#: (Otter's ``Speaker 1  0:05``, Teams' ``Petrov, Ivan   0:03``, ``Anna [0:05]``); a single
#: space is how a sentence runs on ("Позвоните Мне 10:15"), so such a line is a heading only
#: when its name is a speaker elsewhere in the file
TOOL_GAP = re.compile(r".*(?:\s\s|\t|[\[(]).*", re.S)
#: a line holding only a time (``00:01:23``, ``[0:05]``, ``(1:02:03.5)``)
STAMP_ALONE = re.compile(rf"^\s*[\[(]?({STAMP})[\])]?\s*$")

#: a diarisation's numbered label ("S00", "SPEAKER_01", "Speaker 2", "Спикер 3"): a voice of
#: this recording, never the participant who bears such a name in another session; and,
#: alone on the line under a time (Trint's, DaVinci Resolve's layout), a speaker's name even
#: where that voice speaks once
NUMBERED_LABEL = re.compile(
    r"^(?:s|speaker|спикер|сөйлеуші|говорящий|участник)[ _-]?\d+$", re.IGNORECASE
)


def is_label(text: str) -> bool:
    """A speaker label as a heading shows it: up to four words that each start with a capital
    letter or a digit (``Speaker 1``, ``Айгерим``, ``Ә.Н.``, ``SPEAKER_00``)."""
    words = text.split()
    return (
        0 < len(words) <= 4
        and all(w[0].isupper() or w[0].isdigit() for w in words)
        and any(ch.isalpha() for ch in text)
    )


#: words that open a sentence and may take a colon in speech ("Итак: начнём", "Значит: так",
#: "Сонымен: бастайық", "So: what now"), never anybody's name: Russian, Kazakh and English
#: discourse words. A label of one of them is what was said, however often it stands so; a
#: label speakers use ("Вопрос", "Ответ", "Интервьюер") is none of them.
DISCOURSE_WORDS = frozenset(
    """
    итак значит короче например кстати впрочем однако ладно итого вывод внимание напоминаю
    слушайте смотрите представьте понимаете знаете допустим конечно кроме причём притом зато
    поэтому потом сначала дальше далее теперь ну вот так да нет хорошо ок окей слушай смотри
    представь понимаешь знаешь кароче типа вообще короче-говоря во-первых во-вторых в-третьих
    в-общем вообщем то-есть наконец
    сонымен яғни мысалы біріншіден екіншіден үшіншіден қысқасы айтпақшы демек сонда әрине
    жарайды міне енді осылайша сондықтан алайда бірақ иә жоқ жалпы негізі шынымен
    so well anyway now note listen look first second third finally however okay ok right yes
    no basically actually honestly example summary remember
    """.split()
)


def is_discourse(label: str) -> bool:
    """Whether a label is a discourse word (``DISCOURSE_WORDS``): speech, not a speaker."""
    return label.strip().casefold() in DISCOURSE_WORDS
