"""Subtitles keep ``&nbsp;`` (U+00A0), ``&lrm;``/``&rlm;`` and other invisible format characters
(zero-width spaces, word joiners, a byte order mark inside the text) in what was said: search
for the word then found nothing. A transcript import reads a no-break space as a space and
leaves the marks out; a .qdpx text, whose code-point positions codings refer to, is kept as
written."""

from __future__ import annotations

import zipfile
from pathlib import Path

from storage import Project
from storage.interop import import_qdpx, parse_transcript
from storage.interop.transcript_import import import_transcript_as_session

VTT = (
    "WEBVTT\n\n"
    "00:00:01.000 --> 00:00:03.000\n<v Ерлан&nbsp;Б.>&lrm;Базарда&nbsp;сауда жақсы.\n\n"
    "00:00:04.000 --> 00:00:06.000\n&rlm;Ауыл\u200bшаруашылығы\u2060 туралы\ufeff айтайық.\n\n"
    "00:00:07.000 --> 00:00:08.000\nКоманда 👩\u200d💻 жұмыс істейді.\n"
)


def test_vtt_no_break_spaces_and_invisible_marks(tmp_path: Path) -> None:
    path = tmp_path / "bazaar.vtt"
    path.write_text(VTT, encoding="utf-8")
    assert [(d.speaker, d.text) for d in parse_transcript(path).drafts] == [
        ("Ерлан Б.", "Базарда сауда жақсы."),
        (None, "Ауылшаруашылығы туралы айтайық."),
        (None, "Команда 👩\u200d💻 жұмыс істейді."),  # an emoji's joiner is no mark
    ]
    folder = tmp_path / "p.fieldscribe"
    with Project.create(folder, coder="lead") as proj:
        sid, _result = import_transcript_as_session(proj, path)
        assert [h.segment_id for h in proj.transcript.search("Базарда")]
        assert [h.segment_id for h in proj.transcript.search("Ауылшаруашылығы")]
        assert [h.segment_id for h in proj.transcript.search('"сауда жақсы"')]
        assert {s.label for s in proj.sessions.session_speakers(sid)} == {"Ерлан Б."}


def test_srt_and_timestamped_text_marks_before_a_speaker_or_a_time(tmp_path: Path) -> None:
    srt = tmp_path / "a.srt"
    srt.write_text(
        "1\n00:00:01,000 --> 00:00:03,000\n\u200eАйгүл:\u00a0Біздің\u00a0ауылда емхана жоқ.\n",
        encoding="utf-8",
    )
    assert [(d.speaker, d.text) for d in parse_transcript(srt).drafts] == [
        ("Айгүл", "Біздің ауылда емхана жоқ.")
    ]
    txt = tmp_path / "a.txt"
    txt.write_text(
        "\u200f[00:00:01] Интервьюер: Расскажите\u00a0о поликлинике.\n"
        "[00:00:05] \u2066Айгүл\u2069: Емхана\u00adжоқ.\n",
        encoding="utf-8",
    )
    assert [(d.start_ms, d.speaker, d.text) for d in parse_transcript(txt).drafts] == [
        (1000, "Интервьюер", "Расскажите о поликлинике."),
        (5000, "Айгүл", "Емханажоқ."),
    ]


def test_qdpx_text_keeps_its_characters_and_coding_positions(tmp_path: Path) -> None:
    """Codings of a .qdpx text count code points of the text as written: its no-break spaces
    and marks stay, the coded words are those the file says."""
    text = "Ерлан:\u00a0\u200eБазарда сауда\u00a0жақсы.\nекінші жол\n"
    start = text.index("сауда")
    end = start + len("сауда\u00a0жақсы")
    ns = "urn:QDA-XML:project:1.0"
    qde = (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{ns}" name="v" origin="Other">'
        '<CodeBook><Codes><Code guid="a1000000-0000-4000-8000-000000000001" name="trade" '
        'isCodable="true"/></Codes></CodeBook><Sources>'
        '<TextSource guid="a1000000-0000-4000-8000-000000000002" name="doc" '
        'plainTextPath="internal://a.txt"><PlainTextSelection '
        f'guid="a1000000-0000-4000-8000-000000000003" startPosition="{start}" '
        f'endPosition="{end}"><Coding guid="a1000000-0000-4000-8000-000000000004">'
        '<CodeRef targetGUID="a1000000-0000-4000-8000-000000000001"/></Coding>'
        "</PlainTextSelection></TextSource></Sources></Project>"
    )
    archive = tmp_path / "in.qdpx"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("project.qde", qde)
        zf.writestr("sources/a.txt", text.encode())
    import_qdpx(archive, tmp_path / "q.fieldscribe", coder="me")
    with Project.open(tmp_path / "q.fieldscribe", readonly=True) as proj:
        segments = {g.id: g for s in proj.sessions.all() for g in proj.transcript.segments(s.id)}
        (coding,) = proj.codebook.codings()
        seg = segments[coding.segment_id]
        assert "\u200e" in "".join(g.text for g in segments.values())
        assert seg.text[coding.start_cp : coding.end_cp] == "сауда\u00a0жақсы"
