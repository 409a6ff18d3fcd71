"""Speaker turns inside a subtitle cue: a WebVTT voice tag after text on the same line
(``Алдымен <v Ерлан Б.>сосын``) made "Алдымен Ерлан Б." the speaker; broadcast captions'
``>>`` lines and two ``- `` dialogue lines without names were one segment. Each turn is a
segment now, the cue's time shared by the length of their lines, as for named voices."""

from __future__ import annotations

from pathlib import Path

from storage.interop import parse_transcript


def _drafts(tmp_path: Path, name: str, text: str) -> list[tuple[int, int, str | None, str]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return [(d.start_ms, d.end_ms, d.speaker, d.text) for d in parse_transcript(path).drafts]


def test_vtt_voice_after_text_on_a_line_starts_its_turn(tmp_path: Path) -> None:
    vtt = (
        "WEBVTT\n\n00:01.000 --> 00:03.000\nАлдымен <v Ерлан Б.>сосын базарға бардық.\n\n"
        "00:04.000 --> 00:06.000\n<v Анна>Сәлем,\nқалайсыз? <v Ерлан Б.>Жақсы.\n\n"
        "00:07.000 --> 00:08.000\n<v Анна>Бір <v Анна>екі\n\n"
        "00:09.000 --> 00:10.000\nАлдымен <v Ерлан Б.>\n"
    )
    assert _drafts(tmp_path, "a.vtt", vtt) == [
        (1000, 1560, None, "Алдымен"),  # 7 letters of 25: before any voice, nobody's
        (1560, 3000, "Ерлан Б.", "сосын базарға бардық."),
        (4000, 5444, "Анна", "Сәлем, қалайсыз?"),  # the line above's voice speaks on
        (5444, 6000, "Ерлан Б.", "Жақсы."),
        (7000, 8000, "Анна", "Бір екі"),  # the same voice again: one turn
        (9000, 10000, None, "Алдымен"),  # a voice without words: no turn, its name no text
    ]


def test_broadcast_turns_and_unnamed_dialogue_dashes_are_a_segment_each(tmp_path: Path) -> None:
    for name, head in (("b.srt", "1\n"), ("b.vtt", "WEBVTT\n\n")):
        text = (
            f"{head}00:00:01,000 --> 00:00:03,000\n>> Добрый вечер.\n>> Здравствуйте.\n\n"
            "00:00:04,000 --> 00:00:06,000\nи так далее.\n&gt;&gt; ANNA: Спасибо.\n\n"
            "00:00:07,000 --> 00:00:08,000\n>> Один голос.\n\n"
            "00:00:09,000 --> 00:00:11,000\n- Как дела?\n- Хорошо.\n"
        ).replace(",", "." if name.endswith("vtt") else ",")
        got = _drafts(tmp_path, name, text)
        assert got == [
            (1000, 1957, None, "Добрый вечер."),  # 11 letters of 23: speakers unknown
            (1957, 3000, None, "Здравствуйте."),
            (4000, 5125, None, "и так далее."),  # before the ">>": the speaker before's
            (5125, 6000, "ANNA", "Спасибо."),  # a named turn names its speaker
            (7000, 8000, None, "Один голос."),  # one turn: one segment, the ">>" left out
            (9000, 10077, None, "Как дела?"),
            (10077, 11000, None, "Хорошо."),
        ], (name, got)
