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
