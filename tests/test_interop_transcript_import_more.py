"""More transcripts as other tools write them: Premiere / Transcriptive frame times, Word
speaker names bold through a style, YouTube rolling captions in .srt without repeat cues."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE

from storage.interop import parse_transcript


def _cues(path: Path, fmt: str = "auto") -> list[tuple[int, int, str | None, str]]:
    return [(d.start_ms, d.end_ms, d.speaker, d.text) for d in parse_transcript(path, fmt).drafts]


def _put(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------- Word styles
def test_docx_speaker_names_bold_through_a_character_style(tmp_path: Path) -> None:
    """Names set bold by a character style ("Speaker", based on a bold one) rather than by the
    run's own bold were read as text: "Интервьюер\\tРасскажите" with no speaker."""
    document = docx.Document()
    strong = document.styles.add_style("Strong name", WD_STYLE_TYPE.CHARACTER)
    strong.font.bold = True
    speaker = document.styles.add_style("Speaker", WD_STYLE_TYPE.CHARACTER)
    speaker.base_style = strong  # bold through the style it is based on
    for before, name, after in [
        ("[00:00:01] ", "Интервьюер", "\tРасскажите о себе."),
        ("", "Әлия", " [00:01:05]\tМен мұғаліммін."),
    ]:
        paragraph = document.add_paragraph(before)
        paragraph.add_run(name, style="Speaker")
        paragraph.add_run(after)
    paragraph = document.add_paragraph("[00:02:00] Дальше ")
    paragraph.add_run("очень", style="Strong name")  # bold inside the text stays text
    paragraph.add_run(" важно.")
    path = tmp_path / "styled.docx"
    document.save(str(path))
    assert _cues(path) == [
        (1000, 65000, "Интервьюер", "Расскажите о себе."),
        (65000, 120000, "Әлия", "Мен мұғаліммін."),
        (120000, 120000, None, "Дальше очень важно."),
    ]


def test_docx_speaker_names_bold_through_the_paragraph_style(tmp_path: Path) -> None:
    """A paragraph style that is bold, its text runs set back to regular: the bold start of
    each paragraph is the speaker's name."""
    document = docx.Document()
    turn = document.styles.add_style("Turn", WD_STYLE_TYPE.PARAGRAPH)
    turn.font.bold = True
    for before, name, after in [
        ("[00:00:01] ", "Интервьюер", "\tРасскажите о себе."),
        ("[00:00:04] ", "Speaker 2", "\tДа."),
    ]:
        paragraph = document.add_paragraph(before, style="Turn")
        paragraph.runs[0].bold = False
        paragraph.add_run(name)  # bold from the paragraph's style
        paragraph.add_run(after).bold = False
    path = tmp_path / "paragraph-style.docx"
    document.save(str(path))
    assert _cues(path) == [
        (1000, 4000, "Интервьюер", "Расскажите о себе."),
        (4000, 4000, "Speaker 2", "Да."),
    ]


# ---------------------------------------------------------------------- rolling .srt
ROLLING_SRT = (
    "1\n00:00:00,160 --> 00:00:03,000\nпривет всем это\n\n"
    "2\n00:00:03,000 --> 00:00:05,880\nпривет всем это\nнаш канал\n\n"
    "3\n00:00:05,880 --> 00:00:08,000\nнаш канал\nи сегодня\n\n"
    "4\n00:00:08,000 --> 00:00:10,500\nи сегодня\nмы поговорим\n"
)


def test_srt_rolling_captions_without_the_short_repeat_cues(tmp_path: Path) -> None:
    """YouTube's rolling captions converted to .srt by a tool that also dropped the 10 ms cues
    (each cue repeats the line before and adds one): every line came twice ("привет всем это
    наш канал", "наш канал и сегодня"). Each is now kept once, with a note."""
    parsed = parse_transcript(_put(tmp_path, "yt.srt", ROLLING_SRT))
    assert [(d.start_ms, d.end_ms, d.text) for d in parsed.drafts] == [
        (160, 3000, "привет всем это"),
        (3000, 5880, "наш канал"),
        (5880, 8000, "и сегодня"),
        (8000, 10500, "мы поговорим"),
    ]
    assert any("3 lines that a cue repeated" in n for n in parsed.notes), parsed.notes


def test_srt_rolling_captions_of_three_lines(tmp_path: Path) -> None:
    """Three lines shown, two carried over each time: every line came three times."""
    path = _put(tmp_path, "yt3.srt", (
        "1\n00:00:00,000 --> 00:00:02,000\nодин\nдва\nтри\n\n"
        "2\n00:00:02,000 --> 00:00:04,000\nдва\nтри\nчетыре\n\n"
        "3\n00:00:04,000 --> 00:00:06,000\nтри\nчетыре\nпять\n"
    ))  # fmt: skip
    assert [d.text for d in parse_transcript(path).drafts] == ["один два три", "четыре", "пять"]


def test_srt_that_repeats_a_line_now_and_then_is_not_rolling(tmp_path: Path) -> None:
    """Subtitles where one cue starts with the line the one before ended with, once among
    several, are not rolling captions: every cue keeps its text."""
    path = _put(tmp_path, "film.srt", (
        "1\n00:00:01,000 --> 00:00:02,000\nДа.\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\nДа.\nНет.\n\n"
        "3\n00:00:05,000 --> 00:00:06,000\nПочему?\nПотому.\n\n"
        "4\n00:00:07,000 --> 00:00:08,000\nХорошо.\nПока.\n"
    ))  # fmt: skip
    assert [d.text for d in parse_transcript(path).drafts] == [
        "Да.", "Да. Нет.", "Почему? Потому.", "Хорошо. Пока.",
    ]  # fmt: skip


# ---------------------------------------------------------------------- frame times
def test_premiere_frame_times_at_an_unknown_rate(tmp_path: Path) -> None:
    """Premiere / Transcriptive write HH:MM:SS:FF; the file was refused ("cannot tell the
    transcript format"). Frames below 25 leave the rate open: 30 is taken, with a note."""
    path = _put(tmp_path, "premiere.txt", (
        "[00:00:01:15] Speaker 1: Здравствуйте.\n"
        "[00:00:04:00] Speaker 2: Сәлеметсіз бе.\n"
        "00:00:07:24\n"
        "Speaker 1: Начнём.\n"
    ))  # fmt: skip
    parsed = parse_transcript(path)
    assert [(d.start_ms, d.speaker, d.text) for d in parsed.drafts] == [
        (1500, "Speaker 1", "Здравствуйте."),
        (4000, "Speaker 2", "Сәлеметсіз бе."),
        (7800, "Speaker 1", "Начнём."),
    ]
    [note] = [n for n in parsed.notes if "frame" in n]
    assert "30 frames a second: the file does not say its rate" in note


def test_premiere_frame_spans_at_30_fps(tmp_path: Path) -> None:
    """A frame number of 25 or more rules out 25 fps; a span of frame times is a segment's
    start and end (Premiere's text export: the span, the speaker below, then the text)."""
    path = _put(tmp_path, "spans.txt", (
        "00:00:00:00 - 00:00:02:29\nSpeaker 1\nHello there.\n\n"
        "00:00:03:10 - 00:00:05:00\nSpeaker 2\nHi.\n"
    ))  # fmt: skip
    parsed = parse_transcript(path)
    assert [(d.start_ms, d.end_ms, d.speaker, d.text) for d in parsed.drafts] == [
        (0, 2967, "Speaker 1", "Hello there."),
        (3333, 5000, "Speaker 2", "Hi."),
    ]
    assert any("frame numbers up to 29" in n for n in parsed.notes), parsed.notes


def test_frame_times_in_a_word_document(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("[00:00:01:15] Anna: Hello.")
    document.add_paragraph("[00:00:03:00] Boris: Hi.")
    path = tmp_path / "frames.docx"
    document.save(str(path))
    assert _cues(path) == [(1500, 3000, "Anna", "Hello."), (3000, 3000, "Boris", "Hi.")]


def test_a_frame_like_number_in_what_was_said_is_kept(tmp_path: Path) -> None:
    """Every HH:MM:SS:FF anywhere in a line was rewritten as a clock time, inside what a
    speaker said too ("10:15:20:05" read "10:15:20.167"). Only a time where the importer
    reads one (a line's start, a span, after a speaker label, a heading) is converted."""
    said = "Позвоните 10:15:20:05 или 1:02:03;04 — так и запишите."
    path = _put(tmp_path, "said.txt", (
        f"[00:00:01:15] Anna: {said}\n"
        f"00:00:03:00 - 00:00:04:10 Boris: {said}\n"
        f"Anna: [00:00:05:00] {said}\n"
        f"Boris (00:00:06:00): {said}\n"
        "Anna 00:00:07:00\n"
        f"{said}\n"
    ))  # fmt: skip
    assert _cues(path) == [
        (1500, 3000, "Anna", said),
        (3000, 4333, "Boris", said),
        (5000, 6000, "Anna", said),
        (6000, 7000, "Boris", said),
        (7000, 7000, "Anna", said),
    ]


def test_a_frame_like_number_in_speech_does_not_set_the_rate(tmp_path: Path) -> None:
    """A four-part number in speech with a last part of 30 or more ("score 1:02:03:45") left
    every frame time of the file unread: the file was refused as of no known format."""
    path = _put(tmp_path, "rate.txt", (
        "[00:00:01:15] Anna: Счёт 1:02:03:45 в нашу пользу\n[00:00:03:00] Boris: Да.\n"
    ))  # fmt: skip
    parsed = parse_transcript(path)
    assert [(d.start_ms, d.text) for d in parsed.drafts] == [
        (1500, "Счёт 1:02:03:45 в нашу пользу"), (3000, "Да."),
    ]  # fmt: skip
    [note] = [n for n in parsed.notes if "frame" in n]
    assert note.startswith("2 frame times"), note


def test_a_frame_like_number_in_a_word_document_is_kept(tmp_path: Path) -> None:
    """In a Word document too; a table's time cell with a frame time is a time (the row was
    read as text, its speaker cell in it)."""
    document = docx.Document()
    document.add_paragraph("[00:00:01:15] Anna: Внутренний 10:15:20:05 и 20:15:20:05")
    table = document.add_table(rows=1, cols=3)
    for cell, value in zip(
        table.rows[0].cells, ("00:00:03:00", "Boris", "Счёт 1:02:03:04 в нашу пользу"), strict=True
    ):
        cell.text = value
    path = tmp_path / "said.docx"
    document.save(str(path))
    assert _cues(path) == [
        (1500, 3000, "Anna", "Внутренний 10:15:20:05 и 20:15:20:05"),
        (3000, 3000, "Boris", "Счёт 1:02:03:04 в нашу пользу"),
    ]
