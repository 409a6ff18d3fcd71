"""A recording's transcript in a REFI-QDA file held as subtitles (.srt or WebVTT: Transana and
others keep one for a video, and QualCoder reads them so) or as NVivo's table rows."""

# ruff: noqa: E501  (test data: XML as the tools write it)
from __future__ import annotations

from pathlib import Path

import pytest

from storage import Project
from storage.interop import import_qdpx
from storage.interop.cue_lines import cue_lines
from tests.interop_support import write_qdpx

SRT = (
    "1\r\n00:00:01,000 --> 00:00:04,500\r\nАйгүл: Сәлеметсіз бе!\r\n\r\n"
    "2\r\n00:00:05,000 --> 00:00:09,000\r\nИван: Здравствуйте, начнём.\r\n\r\n"
)
VTT = (
    "WEBVTT\nKind: captions\nLanguage: ru\n\nNOTE записано в Алматы\n\n"
    "00:01.000 --> 00:04.500\nАйгүл: Сәлеметсіз бе!\n\n"
    "intro\n00:05.000 --> 00:09.000\nИван: Здравствуйте,\nначнём.\n"
)


def _project(name: str, text: str, fragment: str) -> str:
    start = text.index(fragment)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="Transana 5.1">
<Users><User guid="AB000000-0000-4000-8000-000000000001" name="Анна"/></Users>
<CodeBook><Codes><Code guid="C0000000-0000-4000-8000-000000000001" name="Сәлем" isCodable="true"/></Codes></CodeBook>
<Sources><VideoSource guid="D0000000-0000-4000-8000-000000000001" name="Видео.mp4" path="internal://v.mp4">
<Transcript guid="D0000000-0000-4000-8000-000000000002" name="{name}" plainTextPath="internal://{name}">
<SyncPoint guid="E0000000-0000-4000-8000-000000000001" position="{start}" timeStamp="5000"/>
<SyncPoint guid="E0000000-0000-4000-8000-000000000002" position="{start + len(fragment)}" timeStamp="6000"/>
<TranscriptSelection guid="F0000000-0000-4000-8000-000000000001" fromSyncPoint="E0000000-0000-4000-8000-000000000001" toSyncPoint="E0000000-0000-4000-8000-000000000002" creatingUser="AB000000-0000-4000-8000-000000000001">
<Coding guid="F0000000-0000-4000-8000-000000000002" creatingUser="AB000000-0000-4000-8000-000000000001"><CodeRef targetGUID="C0000000-0000-4000-8000-000000000001"/></Coding></TranscriptSelection>
</Transcript></VideoSource></Sources></Project>"""


@pytest.mark.parametrize(
    ("name", "text", "segments"),
    [
        (
            "Видео.srt",
            SRT,
            [
                (1000, 4500, "Айгүл", "Сәлеметсіз бе!"),
                (5000, 9000, "Иван", "Здравствуйте, начнём."),
            ],
        ),
        (
            "Видео.vtt",
            VTT,
            [
                (1000, 4500, "Айгүл", "Сәлеметсіз бе!"),
                # a cue of two lines shares its time out by their length (19 and 7 characters)
                (5000, 5000 + 4000 * 19 // 26, "Иван", "Здравствуйте,"),
                (5000 + 4000 * 19 // 26, 9000, None, "начнём."),
            ],
        ),
    ],
)
def test_a_subtitle_transcript_is_read_cue_by_cue(
    tmp_path: Path, name: str, text: str, segments: list[tuple[int, int, str | None, str]]
) -> None:
    """Its cue numbers and time lines became segments ("1", "-> 00:00:04,500", out of order)
    and the speech segments got times from nowhere."""
    archive = write_qdpx(
        tmp_path / "t.qdpx",
        _project(name, text, "Здравствуйте"),
        {f"sources/{name}": text.encode()},
    )
    report = import_qdpx(archive, tmp_path / "t.fieldscribe", coder="me")
    with Project.open(tmp_path / "t.fieldscribe", readonly=True) as p:
        (session,) = p.sessions.all()
        got = p.transcript.segments(session.id)
        assert [(g.start_ms, g.end_ms, g.speaker, g.text) for g in got] == segments
        (coding,) = p.codebook.codings()
        coded = next(g for g in got if g.id == coding.segment_id)
        assert coded.text[coding.start_cp : coding.end_cp] == "Здравствуйте"
    assert any("subtitles" in note for note in report.notes)


@pytest.mark.parametrize(
    "text",
    [
        "[00:00:01] Анна: Здравствуйте.\n[00:00:05] Болат: Сәлем.\n",
        "00:00:01,000 --> 00:00:02,000\nтекст\n\nАнна: а это --> без времени\n",
        "Интервью 3\n\n00:00:01,000 --> 00:00:02,000\nтекст\n",
    ],
)
def test_other_transcripts_are_no_subtitles(text: str) -> None:
    assert cue_lines(text) is None


NVIVO_ROWS = [
    (
        "0:00:00.0 - 0:00:05.2\tЗдравствуйте, расскажите о себе.\tInterviewer\r\n"
        "0:00:05.2 - 0:00:12.8\tМен мұғаліммін, работаю в школе.\tАйгүл\r\n"
    ),
    (
        "Timespan\tSpeaker\tContent\r\n"
        "0:00:00.0 - 0:00:05.2\tInterviewer\tЗдравствуйте, расскажите о себе.\r\n"
        "0:00:05.2 - 0:00:12.8\tАйгүл\tМен мұғаліммін, работаю в школе.\r\n"
    ),
    (
        "0:00:00.0 - 0:00:05.2 | Interviewer: Здравствуйте, расскажите о себе.\n"
        "0:00:05.2 - 0:00:12.8 | Айгүл: Мен мұғаліммін, работаю в школе.\n"
    ),
]


@pytest.mark.parametrize("text", NVIVO_ROWS)
def test_a_transcript_of_nvivo_table_rows_is_read_row_by_row(tmp_path: Path, text: str) -> None:
    """NVivo keeps a recording's transcript as a table (timespan, content, speaker): its rows
    as lines kept the timespan in the text and the speaker in it too ("0:00:05.2 - 0:00:12.8
    | Айгүл" as the speaker), at times read from the half of the span left."""
    archive = write_qdpx(
        tmp_path / "t.qdpx",
        _project("tr.txt", text, "работаю в школе").replace("Transana 5.1", "NVivo 14"),
        {"sources/tr.txt": b"\xff\xfe" + text.encode("utf-16-le")},
    )
    report = import_qdpx(archive, tmp_path / "t.fieldscribe", coder="me")
    with Project.open(tmp_path / "t.fieldscribe", readonly=True) as p:
        (session,) = p.sessions.all()
        got = p.transcript.segments(session.id)
        assert [(g.start_ms, g.end_ms, g.speaker, g.text) for g in got] == [
            (0, 5200, "Interviewer", "Здравствуйте, расскажите о себе."),
            (5200, 12800, "Айгүл", "Мен мұғаліммін, работаю в школе."),
        ]
        (coding,) = p.codebook.codings()
        assert got[1].id == coding.segment_id
        assert got[1].text[coding.start_cp : coding.end_cp] == "работаю в школе"
    assert any("transcript table" in note for note in report.notes)


def test_a_dialogue_line_of_a_subtitle_transcript_names_its_speaker_without_the_dash() -> None:
    """Walk: in a .qdpx transcript held as subtitles, a cue's dialogue lines
    ("- Ерлан: Привет" / "- Айгүл: Сәлем") became the speakers "- Ерлан" and "- Айгүл"; the
    name after the dash is the speaker now, and an unnamed dash line keeps its dash as text."""
    text = "1\n00:00:04,000 --> 00:00:09,000\n- Ерлан: Привет\n- Айгүл: Сәлем\n- Как дела?\n"
    lines = cue_lines(text)
    assert lines is not None
    got = [(x.speaker, x.text, text[x.text_start : x.text_end]) for x in lines]
    assert got == [
        ("Ерлан", "Привет", "Привет"),
        ("Айгүл", "Сәлем", "Сәлем"),
        (None, "- Как дела?", "- Как дела?"),
    ]
