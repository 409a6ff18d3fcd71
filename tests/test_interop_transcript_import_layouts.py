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
    assert any(n.startswith("4 cue(s)") and "rolling" in n for n in parsed.notes)


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
