"""Transcript layouts that lost or misplaced words: YouTube's rolling captions with a line
said twice, Trint's "time / speaker / text" paragraphs."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from storage.interop import parse_transcript


def _put(tmp_path: Path, name: str, data: str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8"))
    return path


def _clock(ms: int) -> str:
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def _karaoke(line: str, start: int, end: int) -> str:
    """A line as YouTube writes it while it is spoken: each word after the first at its time."""
    words = line.split(" ")
    step = max(1, (end - start) // (len(words) + 1))
    out = words[0]
    for n, word in enumerate(words[1:], 1):
        out += f"<{_clock(start + n * step)}><c> {word}</c>"
    return out


def youtube_vtt(utterances: list[str], span_ms: int = 2000) -> str:
    """YouTube's automatic captions as it lays them out: a cue shows the line before it again
    (scrolled up) and the new line, timed word by word; a 10 ms cue then shows the new line
    alone as it stands, and the next cue starts when it ends."""
    out = ["WEBVTT\nKind: captions\nLanguage: ru\n"]
    start, previous = 0, " "
    for line in utterances:
        end = start + span_ms
        out.append(
            f"{_clock(start)} --> {_clock(end)} align:start position:0%\n"
            f"{previous}\n{_karaoke(line, start, end)}\n"
        )
        out.append(f"{_clock(end)} --> {_clock(end + 10)} align:start position:0%\n{line}\n \n")
        start, previous = end + 10, line
    return "\n".join(out)


def test_youtube_rolling_captions_keep_a_line_said_twice(tmp_path: Path) -> None:
    """Two consecutive "Да." lost the second: the carried-over line and the new one were both
    taken for repeats."""
    path = _put(tmp_path, "yt.vtt", youtube_vtt(["Ты придёшь завтра?", "Да.", "Да.", "Хорошо"]))
    parsed = parse_transcript(path)
    assert [(d.start_ms, d.end_ms, d.text) for d in parsed.drafts] == [
        (0, 2000, "Ты придёшь завтра?"),
        (2010, 4010, "Да."),
        (4020, 6020, "Да."),
        (6030, 8030, "Хорошо"),
    ]
    assert any(n.startswith("4 cues") and "rolling" in n for n in parsed.notes)


def test_a_repeated_cue_with_its_own_time_is_speech(tmp_path: Path) -> None:
    """A karaoke file without carried-over lines: "Иә." said again, two seconds long, is a
    second utterance; only the 10 ms snapshot of a line is a rolling repeat."""
    path = _put(tmp_path, "kk.vtt", (
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:02.000\nСен<00:00:01.000><c> келесің бе?</c>\n\n"
        "00:00:02.000 --> 00:00:02.010\nСен келесің бе?\n\n"
        "00:00:02.010 --> 00:00:03.000\nИә.\n\n"
        "00:00:03.000 --> 00:00:04.000\nИә.\n"
    ))  # fmt: skip
    parsed = parse_transcript(path)
    assert [(d.start_ms, d.text) for d in parsed.drafts] == [
        (0, "Сен келесің бе?"),
        (2010, "Иә."),
        (3000, "Иә."),
    ]


_WORDS = st.sampled_from(["Да.", "Иә.", "нет", "Сәлем", "hello", "ну", "қазақ", "😀", "Yes."])
_UTTERANCE = st.lists(_WORDS, min_size=1, max_size=4).map(" ".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(utterances=["Да.", "Да."])
@example(utterances=["Да.", "Да.", "Да."])
@given(st.lists(_UTTERANCE, min_size=1, max_size=8))
def test_youtube_rolling_captions_give_each_utterance_once(
    tmp_path_factory: pytest.TempPathFactory, utterances: list[str]
) -> None:
    """Whatever is said, repeats included, each utterance comes back once, in order, at the
    time of the cue that spoke it. (Words timed one by one mark a file as rolling captions: the
    first line has several; a file without such marks is read as ordinary captions.)"""
    utterances = ["Ну что, начнём?", *utterances]
    path = _put(tmp_path_factory.mktemp("yt"), "yt.vtt", youtube_vtt(utterances))
    parsed = parse_transcript(path)
    assert [d.text for d in parsed.drafts] == utterances
    assert [d.start_ms for d in parsed.drafts] == [n * 2010 for n in range(len(utterances))]


# ---------------------------------------------------------------------- Trint's paragraphs
_TRINT = (
    "Интервью 3\n\n"
    "00:00:01\nАйгерим Б.\nРасскажите о себе.\nГде вы выросли?\n\n"
    "00:00:06\nНұрлан\nМен Алматыда өстім.\nПотом переехал.\n\n"
    "00:00:12\nАйгерим Б.\nВы скучаете?\n\n"
    "00:00:15\nДа.\n\n"
    "00:00:17\nYes.\nI mean it, really.\n\n"
    "00:00:20\nӘ.Н.:\nИә, әрине.\nСпасибо.\n\n"
    "00:00:24\nНұрлан\nЕщё одно.\nВсё.\n"
)


def _segments(path: Path) -> list[tuple[int, str | None, str]]:
    return [(d.start_ms, d.speaker, d.text) for d in parse_transcript(path).drafts]


_TRINT_WANT = [
    (1000, "Айгерим Б.", "Расскажите о себе. Где вы выросли?"),
    (6000, "Нұрлан", "Мен Алматыда өстім. Потом переехал."),
    (12000, "Айгерим Б.", "Вы скучаете?"),
    (15000, None, "Да."),
    (17000, None, "Yes. I mean it, really."),
    (20000, "Ә.Н.", "Иә, әрине. Спасибо."),
    (24000, "Нұрлан", "Ещё одно. Всё."),
]


def test_trint_time_speaker_text_lines(tmp_path: Path) -> None:
    """A speaker's name on the line under the time went into the text ("Нұрлан Мен Алматыда
    өстім."); a name that stands there again, or ends with ':', is the speaker; a one-word
    answer ("Да.", "Yes.") stays text."""
    path = _put(tmp_path, "trint.txt", _TRINT)
    assert _segments(path) == _TRINT_WANT
    assert any(
        "speaker's name" in n and "Айгерим Б., Нұрлан" in n for n in parse_transcript(path).notes
    )


def test_trint_layout_in_word(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for line in _TRINT.split("\n"):
        document.add_paragraph(line)
    path = tmp_path / "trint.docx"
    document.save(str(path))
    assert _segments(path) == _TRINT_WANT


def test_a_short_line_seen_once_stays_text(tmp_path: Path) -> None:
    """Without a second sighting or a ':' a short first line is no speaker ("Алматы" as the
    first words of an answer)."""
    path = _put(tmp_path, "t.txt", (
        "00:00:01\nАлматы\nвот где я вырос.\n\n00:00:04\nАстана\nпотом.\n"
    ))  # fmt: skip
    assert _segments(path) == [
        (1000, None, "Алматы вот где я вырос."),
        (4000, None, "Астана потом."),
    ]


_NAMES = st.sampled_from(["Айгерим", "Нұрлан", "Ә.Н.", "Speaker 1", "Ерлан Б.", "Anna"])
_SENTENCE = st.lists(
    st.sampled_from(["Да", "да", "Иә", "мен", "өстім", "hello", "Yes", "қазақ", "😀"]),
    min_size=1,
    max_size=4,
).flatmap(lambda words: st.sampled_from(".?!").map(lambda end: " ".join(words) + end))
_TURN = st.tuples(st.one_of(st.none(), _NAMES), st.lists(_SENTENCE, min_size=1, max_size=3))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TURN, min_size=1, max_size=8))
def test_trint_paragraphs_against_a_model(
    tmp_path_factory: pytest.TempPathFactory, turns: list[tuple[str | None, list[str]]]
) -> None:
    """Each paragraph's name is its speaker when the name heads another paragraph too, or is a
    numbered label ("Speaker 1"); another name seen once stays in the text; sentences are
    never taken for names."""
    text = "".join(
        f"00:00:{3 * n:02d}\n"
        + "".join(f"{line}\n" for line in ([who] if who else []) + lines)
        + "\n"
        for n, (who, lines) in enumerate(turns)
    )
    heads = [who for who, _lines in turns if who]
    want = []
    for n, (who, lines) in enumerate(turns):
        if who and (heads.count(who) >= 2 or who == "Speaker 1"):  # numbered: a voice
            want.append((3000 * n, who, " ".join(lines)))
        else:
            want.append((3000 * n, None, " ".join(([who] if who else []) + lines)))
    path = _put(tmp_path_factory.mktemp("trint"), "t.txt", text)
    assert _segments(path) == want


def test_an_empty_timed_cue_in_rolling_captions_is_kept(tmp_path: Path) -> None:
    """An empty cue of its own length was counted as a rolling repeat and left out; it is
    speech without transcript (import_transcript flags it, with a note)."""
    path = _put(tmp_path, "yt.vtt", (
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:02.000\n \nСен<00:00:01.000><c> келесің бе?</c>\n\n"
        "00:00:02.000 --> 00:00:02.010\nСен келесің бе?\n \n\n"
        "00:00:02.010 --> 00:00:05.000\n \n \n"
    ))  # fmt: skip
    parsed = parse_transcript(path)
    assert [(d.start_ms, d.end_ms, d.text) for d in parsed.drafts] == [
        (0, 2000, "Сен келесің бе?"),
        (2010, 5000, ""),
    ]
