"""What a speaker said survives a transcript import as it was written: a line of speech is
never read as a heading ("Speaker 1  0:05") or a time, whatever its capitals and numbers."""

from __future__ import annotations

import io
from pathlib import Path

import docx
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from storage.interop import parse_transcript

_QUICK = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}
_LETTERS = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі"
_word = st.text(alphabet=_LETTERS, min_size=1, max_size=9).flatmap(
    lambda w: st.sampled_from([w, w.capitalize(), w.upper()])
)
_number = st.one_of(
    st.integers(0, 2025).map(str),
    st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda t: f"{t[0]}:{t[1]:02d}"),
    st.tuples(st.integers(0, 23), st.integers(0, 59), st.integers(0, 59)).map(
        lambda t: f"{t[0]}:{t[1]:02d}:{t[2]:02d}"
    ),
    st.tuples(st.integers(0, 23), st.integers(0, 59), st.integers(0, 59), st.integers(0, 99)).map(
        lambda t: f"{t[0]:02d}:{t[1]:02d}:{t[2]:02d}{':;'[t[3] % 2]}{t[3]:02d}"
    ),
)
_mark = st.sampled_from(["", "", "", ",", ".", "?", "!", ":", ";", "…", " —"])
#: a line of speech: words (lower case, Title Case, CAPITALS, Russian and Kazakh letters),
#: numbers, clock and frame times, punctuation; it starts with a word, as speech does
_speech = st.tuples(
    _word,
    st.lists(st.tuples(st.one_of(_word, _word, _number), _mark), max_size=7),
).map(lambda t: " ".join([t[0], *(w + m for w, m in t[1])]))


#: speech whose first word is in lower case: no name, whatever follows (a colon too)
_lower = _speech.map(lambda t: t[0].lower() + t[1:])


@st.composite
def _turns(draw: st.DrawFn, named: bool = True) -> list[tuple[int, str | None, list[str]]]:
    """Turns: a start (whole seconds, increasing), a speaker (or none), one to three lines of
    speech."""
    t, turns = 0, []
    for _ in range(draw(st.integers(1, 4))):
        t += draw(st.integers(1, 600))
        who = draw(st.sampled_from(["Speaker 1", "Speaker 2"])) if named else None
        first = draw(_speech if named else _lower)
        words, k = first.split(" "), draw(st.integers(0, 3))
        if not named and 0 < k < len(words):  # a colon after a word: "он сказал: приходи"
            words[k - 1] += ":"
            first = " ".join(words)
        turns.append((t, who, [first, *draw(st.lists(_speech, max_size=2))]))
    return turns


def _stamp(seconds: int, frames: bool) -> str:
    h, m, s = seconds // 3600, seconds // 60 % 60, seconds % 60
    return f"{h:02d}:{m:02d}:{s:02d}" + (":00" if frames else "")


def _lines(turns: list[tuple[int, str | None, list[str]]], layout: str, frames: bool) -> list[str]:
    out = []
    for t, who, said in turns:
        if layout == "heading":  # Otter's and Teams' turns: the speaker and time over the text
            out += [f"{who}  {_stamp(t, frames)}", *said, ""]
        elif who is None:  # a time, then what was said (Whisper's and others' text)
            out += [f"[{_stamp(t, frames)}] {said[0]}", *said[1:]]
        else:
            out += [f"[{_stamp(t, frames)}] {who}: {said[0]}", *said[1:]]
    return out


@settings(max_examples=150, **_QUICK)
@given(
    turns=_turns(),
    layout=st.sampled_from(["bracket", "heading"]),
    frames=st.booleans(),
    word=st.booleans(),
)
def test_speech_lines_survive_byte_for_byte(
    tmp_path: Path, turns, layout: str, frames: bool, word: bool
) -> None:
    """Title-cased speech with a time in it ("Позвоните Мне 10:15:20:05") was read as a
    heading: a new turn of the speaker "Позвоните Мне" ten hours in, the line gone from the
    text; a frame time in it was rewritten as a clock time."""
    lines = _lines(turns, layout, frames)
    if word:
        document = docx.Document()
        for line in lines:
            document.add_paragraph(line)
        buffer = io.BytesIO()
        document.save(buffer)
        path = tmp_path / "t.docx"
        path.write_bytes(buffer.getvalue())
    else:
        path = tmp_path / "t.txt"
        path.write_bytes("\r\n".join(lines).encode("utf-8"))
    drafts = parse_transcript(path).drafts
    assert [(d.start_ms, d.speaker, d.text) for d in drafts] == [
        (t * 1000, who, " ".join(said)) for t, who, said in turns
    ]


def _srt(turns: list[tuple[int, str | None, list[str]]]) -> str:
    def clock(seconds: int) -> str:
        return f"{_stamp(seconds, False)},000"

    return "\n".join(
        f"{i}\n{clock(t)} --> {clock(t + 1)}\n" + "\n".join(said) + "\n"
        for i, (t, _w, said) in enumerate(turns, 1)
    )


@settings(max_examples=100, **_QUICK)
@given(turns=_turns(named=False), style=st.sampled_from(["txt", "frames", "srt"]))
def test_speech_after_a_time_is_no_speaker(tmp_path: Path, turns, style: str) -> None:
    """A sentence with a colon after a time ("[00:00:05] он сказал: приходи", or in a cue of
    Whisper's subtitles) gave the speaker "он сказал" and the text "приходи": words in lower
    case before a colon are a label only when the same label speaks again (``интервьюер: ...``
    in every turn)."""
    assume(len({said[0].partition(":")[0] for _t, _w, said in turns}) == len(turns))
    path = tmp_path / ("t.srt" if style == "srt" else "t.txt")
    text = _srt(turns) if style == "srt" else "\n".join(_lines(turns, "bracket", style == "frames"))
    path.write_bytes(text.encode("utf-8"))
    drafts = parse_transcript(path).drafts
    assert [(d.start_ms, d.speaker, d.text) for d in drafts] == [
        (t * 1000, None, " ".join(said)) for t, _w, said in turns
    ]


def test_a_lower_case_label_that_speaks_again_is_a_speaker(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text(
        "[00:00:01] интервьюер: Расскажите.\n[00:00:03] он сказал: приходи\n"
        "[00:00:05] интервьюер: Ещё?\n",
        encoding="utf-8",
    )
    assert [(d.speaker, d.text) for d in parse_transcript(path).drafts] == [
        ("интервьюер", "Расскажите."), (None, "он сказал: приходи"), ("интервьюер", "Ещё?"),
    ]  # fmt: skip


def test_a_title_cased_line_with_a_frame_time_is_speech(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text(
        "[00:00:01] Анна: Запишите номер.\nПозвоните Мне 10:15:20:05\nи всё.\n"
        "[00:00:09] Борис: Хорошо.\n",
        encoding="utf-8",
    )
    drafts = parse_transcript(path).drafts
    assert [(d.start_ms, d.speaker, d.text) for d in drafts] == [
        (1000, "Анна", "Запишите номер. Позвоните Мне 10:15:20:05 и всё."),
        (9000, "Борис", "Хорошо."),
    ]


def test_a_frame_time_in_speech_does_not_unsettle_the_files_frame_times(tmp_path: Path) -> None:
    """A title-cased line of speech with a frame number of 30 or more left every frame time
    of the file unread (a rate this does not guess); at a given 25 fps, its frame 27 refused
    the file; and its frame time alone was reported as read at 30 frames a second."""
    path = tmp_path / "t.txt"
    path.write_text(
        "[00:00:01:15] Анна: Запишите.\nСчёт Был 10:15:20:45\nПозвоните Мне 10:15:20:27\n"
        "[00:00:04:00] Борис: Да.\n",
        encoding="utf-8",
    )
    for fps, first in ((None, 1500), ("25", 1600)):
        parsed = parse_transcript(path, fps=fps) if fps else parse_transcript(path)
        assert [(d.start_ms, d.text) for d in parsed.drafts] == [
            (first, "Запишите. Счёт Был 10:15:20:45 Позвоните Мне 10:15:20:27"),
            (4000, "Да."),
        ]
        [note] = [n for n in parsed.notes if "frame" in n]
        assert note.startswith("2 frame times"), note
    alone = tmp_path / "alone.txt"
    alone.write_text("[00:00:01] Анна: Запишите.\nПозвоните Мне 10:15:20:05\n", encoding="utf-8")
    assert not [n for n in parse_transcript(alone).notes if "frame" in n]


#: speaker labels as transcripts write them: Russian and Kazakh roles and names, diarisation's
_LABELS = ["Интервьюер", "Респондент 2", "Айгүл", "SPEAKER_01", "Speaker 1", "Ә.Н.", "Модератор"]
#: discourse words that open speech with a colon, in the cases speech writes them
_OPENERS = st.sampled_from(["Итак", "Значит", "Короче", "Сонымен", "Яғни", "So", "Well"]).flatmap(
    lambda w: st.sampled_from([w, w.lower(), w.upper()])
)


@st.composite
def _mixed(draw: st.DrawFn) -> list[tuple[int, str | None, str]]:
    """Turns (a start, the speaker, the text as imported): a labelled speaker's turn (a label
    once or again and again) or speech that opens with a discourse word and a colon."""
    t, turns = 0, []
    labels = draw(st.lists(st.sampled_from(_LABELS), min_size=1, max_size=3, unique=True))
    for _ in range(draw(st.integers(1, 6))):
        t += draw(st.integers(1, 600))
        if draw(st.booleans()):
            turns.append((t, draw(st.sampled_from(labels)), draw(_speech)))
        else:
            turns.append((t, None, f"{draw(_OPENERS)}: {draw(_lower)}"))
    return turns


@settings(max_examples=150, **_QUICK)
@given(turns=_mixed(), style=st.sampled_from(["txt", "frames", "srt"]))
def test_a_discourse_word_before_a_colon_is_speech(tmp_path: Path, turns, style: str) -> None:
    """ "[00:01:02] Итак: начнём" gave the speaker "Итак" and the text "начнём" (a word in
    capitals before a colon was a name, even said once). A discourse word is never a name,
    however often it opens a line; a label ("Интервьюер:", "Респондент 2:", "Айгүл:",
    "SPEAKER_01:") is a speaker, said once or again."""
    as_turns = [(t, who, [f"{who}: {said}" if who else said]) for t, who, said in turns]
    path = tmp_path / ("t.srt" if style == "srt" else "t.txt")
    if style == "srt":
        text = _srt(as_turns)
    else:
        text = "\n".join(f"[{_stamp(t, style == 'frames')}] {said[0]}" for t, _w, said in as_turns)
    path.write_bytes(text.encode("utf-8"))
    drafts = parse_transcript(path).drafts
    assert [(d.start_ms, d.speaker, d.text) for d in drafts] == [
        (t * 1000, who, said) for t, who, said in turns
    ]


def test_itak_is_speech_and_aigul_a_speaker(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text(
        "[00:00:01] Интервьюер: Здравствуйте.\n[00:01:02] Итак: начнём\n"
        "[00:01:05] Айгүл: Сәлем.\n[00:01:09] Итак: дальше\n",
        encoding="utf-8",
    )
    assert [(d.speaker, d.text) for d in parse_transcript(path).drafts] == [
        ("Интервьюер", "Здравствуйте."), (None, "Итак: начнём"),
        ("Айгүл", "Сәлем."), (None, "Итак: дальше"),
    ]  # fmt: skip
