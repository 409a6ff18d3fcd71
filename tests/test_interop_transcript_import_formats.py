"""Transcripts as researchers bring them: Word documents, encodings, line ends, caption quirks,
Cyrillic and Kazakh speakers, and bad files (refused with one line, the session untouched)."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main as cli_main
from storage import InvalidInputError, Project
from storage.core.languages import guess_language
from storage.interop import import_transcript, parse_transcript
from tests.interop_support import db_fingerprint, make_wav


def _cues(path: Path, fmt: str = "auto") -> list[tuple[int, int, str | None, str]]:
    return [(d.start_ms, d.end_ms, d.speaker, d.text) for d in parse_transcript(path, fmt).drafts]


def _put(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _docx(
    tmp_path: Path, name: str, paragraphs: list[str], rows: list[list[str]] | None = None
) -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if rows:
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for row, cells in zip(table.rows, rows, strict=True):
            for cell, text in zip(row.cells, cells, strict=True):
                cell.text = text
    path = tmp_path / name
    document.save(str(path))
    return path


@pytest.fixture(scope="module")
def wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_wav(tmp_path_factory.mktemp("audio"))


@pytest.fixture()
def session(tmp_path: Path, wav: Path) -> tuple[Path, str, int]:
    folder = tmp_path / "p.fieldscribe"
    with Project.create(folder, coder="me") as p:
        p.set_languages("ru,kk,en")
        s = p.sessions.import_audio(wav, title="speech")
        return folder, s.id, s.duration_ms


# ---------------------------------------------------------------------- Word documents
def test_docx_maxqda_and_numbered_speaker_paragraphs(tmp_path: Path) -> None:
    path = _docx(tmp_path, "t.docx", [
        "Интервью 3, Алматы",
        "[00:01:23] Interviewer: Расскажите о себе.",
        "00:01:30 Speaker 1: Мен Алматыданмын.",
        "and more of it",
        "(00:01:41) Айгерим: Жақсы. #00:01:45-4#",
    ])  # fmt: skip
    parsed = parse_transcript(path)
    assert parsed.format == "docx"
    assert [(d.start_ms, d.end_ms, d.speaker, d.text) for d in parsed.drafts] == [
        (83000, 90000, "Interviewer", "Расскажите о себе."),
        (90000, 101000, "Speaker 1", "Мен Алматыданмын. and more of it"),
        (101000, 105400, "Айгерим", "Жақсы."),
    ]
    assert any("Интервью 3, Алматы" in n for n in parsed.notes)  # reported, not lost


def test_docx_otter_headings_time_alone_and_table_rows(tmp_path: Path) -> None:
    path = _docx(
        tmp_path,
        "otter.docx",
        ["Speaker 1  0:05", "Hello there.", "It was at noon.", "Ә.Н.  0:09", "Сәлем.",
         "0:12", "Interviewer: a question"],
        rows=[["00:00:20", "Айгерим", "Иә, солай."], ["00:00:25", "SPEAKER_00", "ok"]],
    )  # fmt: skip
    assert _cues(path) == [
        (5000, 9000, "Speaker 1", "Hello there. It was at noon."),
        (9000, 12000, "Ә.Н.", "Сәлем."),
        (12000, 20000, "Interviewer", "a question"),
        (20000, 25000, "Айгерим", "Иә, солай."),
        (25000, 25000, "SPEAKER_00", "ok"),
    ]


def test_docx_noscribe_edited_in_word(tmp_path: Path) -> None:
    """noScribe writes the speaker before the time; such paragraphs were refused as having no
    timestamps."""
    path = _docx(tmp_path, "noscribe.docx", [
        "speech", "Transcribed with noScribe vers. 0.7", "(1 seconds pause)",
        "S01: [00:00:00] Hello, this is a short interview. //S02: Yes.",
        "Айгерим: [00:00:02] Иә, әрине.",
    ])  # fmt: skip
    parsed = parse_transcript(path)
    assert [(d.start_ms, d.end_ms, d.speaker, d.text) for d in parsed.drafts] == [
        (0, 2000, "S01", "Hello, this is a short interview. //S02: Yes."),
        (2000, 2000, "Айгерим", "Иә, әрине."),
    ]
    assert "3 lines before the first timestamp" in parsed.notes[0]


def test_docx_speaker_names_in_bold_without_a_colon(tmp_path: Path) -> None:
    """ "[00:00:01] **Интервьюер**<tab>text" gave no speaker and the text "Интервьюер\ttext";
    "**Әлия** [00:01:05] text" was refused as a document without timestamps. A name in bold
    next to a time is now the speaker; bold words inside the text stay text."""
    document = docx.Document()
    rows = [
        ("[00:00:01] ", "Интервьюер", "\tРасскажите о себе."),
        ("", "Әлия", " [00:01:05]\tМен мұғаліммін. Важно"),
        ("[00:02:00] ", "Speaker 2", "\tДа, это так."),
    ]
    for before, name, after in rows:
        paragraph = document.add_paragraph(before)
        paragraph.add_run(name).bold = True
        paragraph.add_run(after)
    paragraph = document.add_paragraph("Дальше ")
    paragraph.add_run("очень").bold = True
    paragraph.add_run(" важно.")
    paragraph = document.add_paragraph("")
    paragraph.add_run("Айгерим").bold = True
    paragraph.add_run(" 10:30 пришла.")
    paragraph = document.add_paragraph("10:30 ")
    paragraph.add_run("Важно").bold = True
    paragraph.add_run(" это.")
    paragraph = document.add_paragraph("[00:03:00] Анна: ")
    paragraph.add_run("Коррупция").bold = True
    paragraph.add_run(" [sic] везде.")
    path = tmp_path / "bold.docx"
    document.save(str(path))
    assert _cues(path) == [
        (1000, 65000, "Интервьюер", "Расскажите о себе."),
        (65000, 120000, "Әлия", "Мен мұғаліммін. Важно"),
        (
            120000,
            180000,
            "Speaker 2",
            "Да, это так. Дальше очень важно. Айгерим 10:30 пришла. 10:30 Важно это.",
        ),
        (180000, 180000, "Анна", "Коррупция [sic] везде."),
    ]


def test_docx_f4transkript_end_marks(tmp_path: Path) -> None:
    """f4 puts a mark at the end of each paragraph only: each starts where the last ended."""
    path = _docx(tmp_path, "f4.docx", ["I: Wie geht es? #00:00:05-2#", "B: Gut. #00:00:09-8#"])
    assert _cues(path) == [(0, 5200, "I", "Wie geht es?"), (5200, 9800, "B", "Gut.")]


def test_docx_with_a_line_break_inside_a_paragraph(tmp_path: Path) -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("Speaker 2  1:02")
    paragraph.add_run().add_break()
    paragraph.add_run("Текст после разрыва строки.")
    path = tmp_path / "br.docx"
    document.save(str(path))
    assert _cues(path) == [(62000, 62000, "Speaker 2", "Текст после разрыва строки.")]


def test_docx_tracked_changes_and_content_controls(tmp_path: Path) -> None:
    """A transcript corrected in Word with Track Changes lost every inserted word (and text in
    content controls): python-docx's paragraph text has plain runs only."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run(tag: str, text: str) -> object:
        r, t = OxmlElement("w:r"), OxmlElement(tag)
        t.text = text
        r.append(t)
        return r

    document = docx.Document()
    paragraph = document.add_paragraph("[00:00:01] Айгерим: Мен ")
    paragraph.paragraph_format.tab_stops.add_tab_stop(docx.shared.Inches(1))
    ins = OxmlElement("w:ins")
    ins.set(qn("w:id"), "1")
    ins.set(qn("w:author"), "editor")
    ins.append(run("w:t", "Алматыданмын"))
    deleted = OxmlElement("w:del")
    deleted.set(qn("w:id"), "2")
    deleted.set(qn("w:author"), "editor")
    deleted.append(run("w:delText", "Астанаданмын"))
    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    content.append(run("w:t", ", рақмет."))
    sdt.append(content)
    for element in (ins, deleted, sdt):
        paragraph._p.append(element)
    path = tmp_path / "tracked.docx"
    document.save(str(path))
    assert _cues(path) == [(1000, 1000, "Айгерим", "Мен Алматыданмын, рақмет.")]


def test_docx_import_through_the_cli_with_languages(session, tmp_path: Path) -> None:
    folder, sid, duration = session
    path = _docx(tmp_path, "t.docx", [
        "[00:00:00] Интервьюер: Расскажите, пожалуйста.",
        "[00:00:01] Айгерим: Мен білмеймін, короче.",
        "[00:00:02] Interviewer: Thank you.",
    ])  # fmt: skip
    assert cli_main(["import-transcript", str(folder), "--session", sid, str(path)]) == 0
    with Project.open(folder, readonly=True) as p:
        segs = p.transcript.segments(sid)
    assert [(s.start_ms, s.end_ms, s.speaker, s.text, s.language) for s in segs] == [
        (0, 1000, "Интервьюер", "Расскажите, пожалуйста.", "ru"),
        (1000, 2000, "Айгерим", "Мен білмеймін, короче.", "kk"),
        (2000, duration, "Interviewer", "Thank you.", "en"),
    ]


def test_docx_without_timestamps_is_refused_with_one_line(session, tmp_path: Path) -> None:
    folder, sid, _ = session
    path = _docx(tmp_path, "plain.docx", ["Интервьюер: Расскажите.", "Айгерим: Жақсы."])
    before = db_fingerprint(folder)
    with Project.open(folder) as p, pytest.raises(InvalidInputError) as err:
        import_transcript(p, sid, path)
    message = str(err.value)
    assert "no timestamps" in message and "\n" not in message and str(path) in message
    assert db_fingerprint(folder) == before


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("fake.docx", "[00:00:01] A: text typed in a .docx name", "not a Word document"),
        ("broken.docx", b"PK\x03\x04" + b"\x00" * 60, "Word document is incomplete or damaged"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 4, "old Word .doc"),
        ("scan.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 4, "a PDF"),
        ("noise.srt", bytes(range(256)) * 16, "binary file"),
        ("empty.vtt", b"", "empty"),
        ("blank.txt", b"\xef\xbb\xbf \r\n\r\n", "empty"),
        ("bom-only.srt", b"\xff\xfe", "empty"),
    ],
)
def test_bad_files_are_refused_and_the_session_untouched(
    session, tmp_path: Path, name: str, data: str | bytes, message: str
) -> None:
    folder, sid, _ = session
    path = _put(tmp_path, name, data)
    before = db_fingerprint(folder)
    with Project.open(folder) as p, pytest.raises(InvalidInputError, match=message) as err:
        import_transcript(p, sid, path)
    assert "\n" not in str(err.value) and str(path) in str(err.value)
    assert db_fingerprint(folder) == before


def test_a_zip_that_is_not_a_docx_is_refused(session, tmp_path: Path) -> None:
    import zipfile

    folder, sid, _ = session
    path = tmp_path / "notes.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    before = db_fingerprint(folder)
    with Project.open(folder) as p, pytest.raises(InvalidInputError, match="not a Word document"):
        import_transcript(p, sid, path)
    assert db_fingerprint(folder) == before


@pytest.mark.parametrize("name", ["late.srt", "late.docx"])
def test_a_transcript_longer_than_the_audio_is_refused(session, tmp_path: Path, name) -> None:
    folder, sid, _ = session
    if name.endswith(".docx"):
        path = _docx(tmp_path, name, ["[00:00:00] A: hi", "[00:20:00] B: much later"])
    else:
        path = _put(tmp_path, name, "1\n00:00:00,000 --> 00:00:01,000\nhi\n\n"
                                    "2\n00:20:00,000 --> 00:20:01,000\nlater\n")  # fmt: skip
    before = db_fingerprint(folder)
    with Project.open(folder) as p, pytest.raises(InvalidInputError, match="another recording"):
        import_transcript(p, sid, path)
    assert db_fingerprint(folder) == before


# ---------------------------------------------------------------------- encodings, line ends
SRT_RU = "1\r\n00:00:01,000 --> 00:00:02,500\r\nИнтервьюер: Привет, как дела?\r\n\r\n"


def test_lone_cr_line_ends(tmp_path: Path) -> None:
    """Old Mac line ends made one line of the whole file: one segment held every line."""
    path = _put(tmp_path, "t.txt", "[00:00:01] Айгерим: Сәлем\r[00:00:03] Ә.Н.: Привет\r")
    assert _cues(path) == [(1000, 3000, "Айгерим", "Сәлем"), (3000, 3000, "Ә.Н.", "Привет")]
    path = _put(tmp_path, "t.srt", SRT_RU.replace("\r\n", "\r"))
    assert _cues(path) == [(1000, 2500, "Интервьюер", "Привет, как дела?")]


# ---------------------------------------------------------------------- srt
def test_srt_speaker_after_tags_and_dialogue_dashes(tmp_path: Path) -> None:
    """``{\\an8}`` stayed in the text and ``- SPEAKER_00`` became the speaker."""
    path = _put(tmp_path, "t.srt", (
        "1\n00:00:01,000 --> 00:00:02,000\n{\\an8}<i>- SPEAKER_00: Айгерим келді</i>\n\n"
        "2\n00:00:02,500 --> 00:00:04,000\n- Как дела?\n- Хорошо.\n\n"
        "3\n00:00:04,000 --> 00:00:05,000\n<b>Ә.Н.:</b> <font color=\"red\">Иә</font>\n\n"
        "4\n00:00:05,000 --> 00:00:06,000\nInterviewer:\nNext question.\n\n"
        "5\n00:00:06,000 --> 00:00:07,000\nThe reasons are:\nmoney, time.\n"
    ))  # fmt: skip
    assert _cues(path) == [
        (1000, 2000, "SPEAKER_00", "Айгерим келді"),
        (2500, 3308, None, "Как дела?"),  # two people: a turn each (7 letters and 6)
        (3308, 4000, None, "Хорошо."),
        (4000, 5000, "Ә.Н.", "Иә"),
        (5000, 6000, "Interviewer", "Next question."),
        (6000, 7000, None, "The reasons are: money, time."),
    ]


def test_whisperx_bracketed_speakers(tmp_path: Path) -> None:
    """WhisperX writes its speakers "[SPEAKER_00]: text" (.srt, .vtt): the label stayed in the
    text and the segments had no speaker; now it is the speaker. "[смеётся] text" (no colon
    after the bracket) stays text."""
    srt = _put(tmp_path, "wx.srt", (
        "1\n00:00:01,000 --> 00:00:03,000\n[SPEAKER_00]: Привет всем.\n\n"
        "2\n00:00:03,500 --> 00:00:05,000\n[SPEAKER_01]: Сәлем.\n\n"
        "3\n00:00:05,000 --> 00:00:06,000\n[смеётся] Да.\n"
    ))  # fmt: skip
    assert _cues(srt) == [
        (1000, 3000, "SPEAKER_00", "Привет всем."),
        (3500, 5000, "SPEAKER_01", "Сәлем."),
        (5000, 6000, None, "[смеётся] Да."),
    ]
    vtt = _put(tmp_path, "wx.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n[Айгерим Н.]: Иә.\n")
    assert _cues(vtt) == [(1000, 3000, "Айгерим Н.", "Иә.")]


def test_srt_a_literal_angle_bracket_is_text(tmp_path: Path) -> None:
    """Everything between "<" and ">" was taken for a tag and dropped."""
    cue = "1\n00:00:01,000 --> 00:00:02,000\nА: 5 < 6 и 7 > 3, <i>да</i>\n"
    path = _put(tmp_path, "t.srt", cue)
    assert _cues(path) == [(1000, 2000, "А", "5 < 6 и 7 > 3, да")]


def test_srt_and_vtt_times_without_milliseconds(tmp_path: Path) -> None:
    """Some converters write SubRip times in whole seconds (``00:01:05 --> 00:01:09``): the
    file was refused, "no timed segments found as srt; check the file or give --format"."""
    srt = "1\n00:00:00 --> 00:00:04\nДобрый день.\n\n2\n01:00:04 --> 01:00:09,5\nМен кезекте.\n"
    assert _cues(_put(tmp_path, "t.srt", srt)) == [
        (0, 4000, None, "Добрый день."),
        (3604000, 3609500, None, "Мен кезекте."),
    ]
    vtt = "WEBVTT\n\n00:05 --> 00:07\n<v Айгүл>Сәлем\n"
    assert _cues(_put(tmp_path, "t.vtt", vtt)) == [(5000, 7000, "Айгүл", "Сәлем")]


def test_srt_cue_with_an_unreadable_time_is_named(tmp_path: Path) -> None:
    """A cue whose time line is broken ("00:00:0x --> 00:00:09") was joined, number, time and
    all, to the cue before ("Назад 2 00:00:0x --> 00:00:09 Плохо"), the report saying only
    "3 lines after a blank line inside a cue were joined to that cue"."""
    srt = "1\n00:00:01,000 --> 00:00:02,000\nНазад\n\n2\n00:00:0x --> 00:00:09\nПлохо\n"
    parsed = parse_transcript(_put(tmp_path, "t.srt", srt))
    assert len(parsed.drafts) == 1
    (note,) = [n for n in parsed.notes if "joined" in n]
    assert "1 time line that could not be read (the first: '00:00:0x --> 00:00:09')" in note


def test_srt_lines_outside_cues_are_reported_not_lost(tmp_path: Path) -> None:
    path = _put(tmp_path, "t.srt", (
        "Transcript of interview 4\n\n"
        "1\n00:00:01,000 --> 00:00:02,000\nfirst line\n\nafter a blank line\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\nsecond\n"
    ))  # fmt: skip
    parsed = parse_transcript(path)
    assert [(d.start_ms, d.text) for d in parsed.drafts] == [
        (1000, "first line after a blank line"),
        (3000, "second"),
    ]
    assert any("joined" in n for n in parsed.notes)
    assert any("Transcript of interview 4" in n for n in parsed.notes)


# ---------------------------------------------------------------------- vtt
def test_vtt_cue_without_its_blank_line_keeps_its_last_line(tmp_path: Path) -> None:
    path = _put(tmp_path, "t.vtt", (
        "WEBVTT\n\n00:01.000 --> 00:02.000\nfirst\nstill the first cue\n"
        "00:02.000 --> 00:03.000\nsecond\n"
    ))  # fmt: skip
    texts = [d.text for d in parse_transcript(path).drafts]
    assert texts == ["first still the first cue", "second"]


def test_vtt_blocks_settings_ids_short_times_and_overlaps(tmp_path: Path) -> None:
    path = _put(tmp_path, "t.vtt", (
        "WEBVTT - interview\nKind: captions\n\n"
        "STYLE\n::cue { color: yellow }\n\n"
        "REGION\nid:r1 width:40%\n\n"
        "NOTE a comment\nover two lines\n\n"
        "cue-1\n01:02.500 --> 01:04.000 line:0 position:10% align:start\n"
        "<v.loud Anna><c.red>Hi</c> <lang kk>сәлем</lang>\n\n"
        "01:03.000 --> 01:05.000\nOverlapping &amp; <i>later</i>\n"
    ))  # fmt: skip
    parsed = parse_transcript(path)
    assert [(d.start_ms, d.end_ms, d.speaker, d.text, d.language) for d in parsed.drafts] == [
        (62500, 64000, "Anna", "Hi сәлем", "kk"),
        (63000, 65000, None, "Overlapping & later", None),
    ]
    assert parsed.notes == []


def test_cue_times_without_hours_past_an_hour(tmp_path: Path) -> None:
    """A cue at "120:01.000" (minutes past 59, the hours left out) was glued into the text of
    the cue above ("hi 120:01.000 --> 120:03.500 Anna: later"); now it is its own cue."""
    vtt = _put(tmp_path, "t.vtt", (
        "WEBVTT\n\n00:01.000 --> 00:03.500\nАнна: привет\n\n"
        "120:01.000 --> 120:03,500\nАнна: позже\n"
    ))  # fmt: skip
    assert _cues(vtt) == [
        (1000, 3500, "Анна", "привет"),
        (7201000, 7203500, "Анна", "позже"),
    ]
    srt = _put(
        tmp_path,
        "t.srt",
        "1\n59:59,000 --> 60:01,000\nАнна: раз\n\n2\n100:00,000 --> 100:02,000\nдва\n",
    )
    assert _cues(srt) == [(3599000, 3601000, "Анна", "раз"), (6000000, 6002000, None, "два")]


def test_vtt_a_line_for_each_voice_is_a_segment_for_each_speaker(tmp_path: Path) -> None:
    """ "<v A>Hi</v> <v B>Hello" gave A both lines, B's name lost; then A's segment held
    "Hi Ә.Н.: Сәлем", Ә.Н.'s words A's (retrieved, searched and coded as A's). A cue with a
    line for each voice is a segment for each, as a dialogue of '- Name: …' lines."""
    path = _put(tmp_path, "t.vtt", (
        "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Speaker 1>Hi</v>\n<v Ә.Н.>Сәлем\n\n"
        "00:02.000 --> 00:03.000\n<v Speaker 1>One</v>\n<v Speaker 1>voice\n\n"
        "00:04.000 --> 00:06.000\n<v Айгерім>Бірінші 😀 жол,\nжалғасы\n"
        "<v.loud Ерлан Б.>Екінші <b>жол</b> 𝔸\n"
    ))  # fmt: skip
    parsed = parse_transcript(path)
    assert [(d.start_ms, d.end_ms, d.speaker, d.text) for d in parsed.drafts] == [
        (1000, 1286, "Speaker 1", "Hi"),
        (1286, 2000, "Ә.Н.", "Сәлем"),
        (2000, 3000, "Speaker 1", "One voice"),
        (4000, 5259, "Айгерім", "Бірінші 😀 жол, жалғасы"),  # 17 letters of 27
        (5259, 6000, "Ерлан Б.", "Екінші жол 𝔸"),
    ]
    assert any("WebVTT voices) became a segment per speaker" in n for n in parsed.notes)


def test_noscribe_vtt_overlapping_speech_is_said_by_the_same_speakers(tmp_path: Path) -> None:
    """noScribe's WebVTT export writes speech over another speaker's as a cue of the voice
    ``//S02`` (its overlap mark): S02 and //S02 were two speakers of the session (linked to
    participants, retrieved and counted apart)."""
    path = _put(tmp_path, "noscribe.vtt", (
        "WEBVTT Сұхбат\n\nNOTE\nTranscribed with noScribe vers. 0.7 Audio file: ./ауыл.mp3\n\n"
        "1\n00:00:00.000 --> 00:00:02.500\n<v S01>Сәлеметсіз бе, 😀 бастайық.\n\n"
        "2\n00:00:02.600 --> 00:00:03.100\n<v //S02>//S02: Иә.\n\n"
        "3\n00:00:03.100 --> 00:00:05.000\n<v S01>// Ауылда емхана бар ма?\n\n"
        "4\n00:00:05.200 --> 00:00:07.000\n<v S02>Жоқ, 𝔸 қалада ғана.\n"
    ))  # fmt: skip
    parsed = parse_transcript(path)
    assert [(d.start_ms, d.speaker, d.text) for d in parsed.drafts] == [
        (0, "S01", "Сәлеметсіз бе, 😀 бастайық."),
        (2600, "S02", "//S02: Иә."),  # the overlap as noScribe marks it, in the text
        (3100, "S01", "// Ауылда емхана бар ма?"),
        (5200, "S02", "Жоқ, 𝔸 қалада ғана."),
    ]


def test_vtt_youtube_rolling_captions(tmp_path: Path) -> None:
    """A cue whose first line is a single space was split from its text (the text reported as
    a block without timing), and every line came twice."""
    path = _put(tmp_path, "yt.vtt", (
        "WEBVTT\nKind: captions\nLanguage: ru\n\n"
        "00:00:00.000 --> 00:00:02.000 align:start position:0%\n \n"
        "привет<00:00:00.500><c> всем</c>\n\n"
        "00:00:02.000 --> 00:00:02.010 align:start position:0%\nпривет всем\n \n\n"
        "00:00:02.010 --> 00:00:04.000 align:start position:0%\nпривет всем\n"
        "как<00:00:02.500><c> дела</c>\n"
    ))  # fmt: skip
    parsed = parse_transcript(path)
    assert [(d.start_ms, d.end_ms, d.text) for d in parsed.drafts] == [
        (0, 2000, "привет всем"),
        (2010, 4000, "как дела"),
    ]
    assert any("rolling captions" in n for n in parsed.notes)


# ---------------------------------------------------------------------- timestamped text
def test_srt_youtube_rolling_captions_converted_without_word_times(tmp_path: Path) -> None:
    """YouTube's automatic captions converted to .srt (yt-dlp) lose their word timings: every
    line came in twice or three times ("привет всем это наш канал", "наш канал и сегодня");
    now each line is kept once, as from the .vtt. A subtitle that says a line again stays."""
    path = _put(tmp_path, "yt.srt", (
        "1\n00:00:00,160 --> 00:00:02,990\nпривет всем это\n\n"
        "2\n00:00:02,990 --> 00:00:03,000\nпривет всем это\n\n"
        "3\n00:00:03,000 --> 00:00:05,870\nпривет всем это\nнаш канал\n\n"
        "4\n00:00:05,870 --> 00:00:05,880\nнаш канал\n\n"
        "5\n00:00:05,880 --> 00:00:08,000\nнаш канал\nи сегодня\n"
    ))  # fmt: skip
    parsed = parse_transcript(path)
    assert [(d.start_ms, d.end_ms, d.text) for d in parsed.drafts] == [
        (160, 2990, "привет всем это"),
        (3000, 5870, "наш канал"),
        (5880, 8000, "и сегодня"),
    ]
    assert any("rolling captions" in n for n in parsed.notes)
    plain = _put(tmp_path, "plain.srt", (
        "1\n00:00:01,000 --> 00:00:02,000\nДа.\n\n"
        "2\n00:00:02,000 --> 00:00:02,040\nДа.\n\n"
        "3\n00:00:03,000 --> 00:00:04,000\nДа.\nНет.\n"
    ))  # fmt: skip
    assert [d.text for d in parse_transcript(plain).drafts] == ["Да.", "Да.", "Да. Нет."]


def test_timestamped_txt_stamp_styles_and_cyrillic_speakers(tmp_path: Path) -> None:
    path = _put(tmp_path, "t.txt", (
        "[00:00:01.250] Интервьюер: Расскажите о себе.\n"
        "(00:00:04) Айгерим: Мен Алматыданмын.\n"
        "00:00:07 - Ә.Н.: Иә.\n"
        "00:00:08 – SPEAKER_01: dash of another kind\n"
        "[00:10] Respondent: short stamp\n"
    ))  # fmt: skip
    assert _cues(path) == [
        (1250, 4000, "Интервьюер", "Расскажите о себе."),
        (4000, 7000, "Айгерим", "Мен Алматыданмын."),
        (7000, 8000, "Ә.Н.", "Иә."),
        (8000, 10000, "SPEAKER_01", "dash of another kind"),
        (10000, 10000, "Respondent", "short stamp"),
    ]


def test_txt_otranscribe_bare_minute_stamps(tmp_path: Path) -> None:
    """oTranscribe's plain-text export ("01:02 Интервьюер: text", a bare minutes:seconds time)
    was refused ("cannot tell the transcript format"); now each such line starts a segment.
    In a file with another timestamp style a line starting "10:30" stays text."""
    path = _put(tmp_path, "otr.txt", (
        "Интервью, Алматы\n00:05 Интервьюер: Расскажите о себе.\n"
        "01:02 Әлия: Мен мұғаліммін.\nЕщё строка.\n1:00:10 Интервьюер: Спасибо.\n"
    ))  # fmt: skip
    parsed = parse_transcript(path)
    assert parsed.format == "timestamped-txt"
    assert [(d.start_ms, d.end_ms, d.speaker, d.text) for d in parsed.drafts] == [
        (5000, 62000, "Интервьюер", "Расскажите о себе."),
        (62000, 3610000, "Әлия", "Мен мұғаліммін. Ещё строка."),
        (3610000, 3610000, "Интервьюер", "Спасибо."),
    ]
    mixed = _put(tmp_path, "mixed.txt", "[00:00:05] Анна: Мы встретились\n10:30 утра у ЦОНа.\n")
    assert _cues(mixed) == [(5000, 5000, "Анна", "Мы встретились 10:30 утра у ЦОНа.")]
    backwards = _put(tmp_path, "b.txt", "10:30 утра\n09:00 вечера\n")
    with pytest.raises(InvalidInputError, match="cannot tell the transcript format"):
        parse_transcript(backwards)


def test_txt_f4_and_otter_styles_are_recognised(tmp_path: Path) -> None:
    """Both were refused as 'cannot tell the transcript format'."""
    f4 = _put(tmp_path, "f4.txt", "I: Wie geht es? #00:00:05-2#\nB: Gut. #00:00:09-8#\n")
    assert _cues(f4) == [(0, 5200, "I", "Wie geht es?"), (5200, 9800, "B", "Gut.")]
    otter = _put(tmp_path, "otter.txt", "Speaker 1  0:05\nHello.\nWe met at 10:30\n\n"
                                        "Speaker 2  0:09\nHi.\n")  # fmt: skip
    assert _cues(otter) == [
        (5000, 9000, "Speaker 1", "Hello. We met at 10:30"),
        (9000, 9000, "Speaker 2", "Hi."),
    ]


def test_otter_closing_line_is_not_the_last_speakers_words(tmp_path: Path) -> None:
    """Otter ends its .txt and .docx exports with "Transcribed by https://otter.ai": it was
    imported as the end of the last speaker's turn."""
    said = "Speaker 1  0:05\r\nHello.\r\n\r\nАйгүл  0:09\r\nТранспорт, otter.ai\r\n\r\n"
    for footer in ("Transcribed by https://otter.ai", "transcribed by otter.ai/"):
        parsed = parse_transcript(_put(tmp_path, "otter.txt", f"\ufeff{said}{footer}\r\n\r\n"))
        assert [(d.speaker, d.text) for d in parsed.drafts] == [
            ("Speaker 1", "Hello."),
            ("Айгүл", "Транспорт, otter.ai"),
        ]
        assert any(footer in note for note in parsed.notes)
    word = _docx(
        tmp_path, "otter.docx", ["Speaker 1  0:05", "Hello.", "Transcribed by https://otter.ai"]
    )
    assert _cues(word) == [(5000, 5000, "Speaker 1", "Hello.")]
    # said in the middle of a turn, the words stay
    middle = _put(tmp_path, "m.txt", "Speaker 1  0:05\nTranscribed by otter.ai\nYes.\n")
    assert _cues(middle) == [(5000, 5000, "Speaker 1", "Transcribed by otter.ai Yes.")]


@pytest.mark.parametrize("arrow", ["→", "—>", "–>", "->", "⟶"])
def test_subtitle_arrows_word_autocorrect_writes(tmp_path: Path, arrow: str) -> None:
    """An .srt edited in Word (AutoCorrect makes "-->" an arrow "→", "--" an em dash) or by
    hand: the cue with such a time line went into the text of the cue before it, its number
    and times as words ("ok 2 00:00:04,000 → 00:00:06,000 вторая")."""
    cues = (
        f"1\r\n00:00:01,000 --> 00:00:03,500\r\nok\r\n\r\n"
        f"2\r\n00:00:04,000 {arrow} 00:00:06,000\r\nвторая\r\n\r\n"
        f"3\r\n00:01:07,250{arrow}00:01:08,000\r\n<i>третья</i>\r\n"
    )
    for name in ("edited.srt", "edited.txt"):
        parsed = parse_transcript(_put(tmp_path, name, cues))
        assert parsed.format == "srt"
        assert [(d.start_ms, d.end_ms, d.text) for d in parsed.drafts] == [
            (1000, 3500, "ok"),
            (4000, 6000, "вторая"),
            (67250, 68000, "третья"),
        ]
        assert any("2 time lines with" in note for note in parsed.notes)
    plain = parse_transcript(_put(tmp_path, "plain.srt", cues.replace(arrow, "-->")))
    assert not any("time line" in note for note in plain.notes)


def test_time_spans_whisper_and_nvivo_style(tmp_path: Path) -> None:
    """Whisper's own output ``[00:00.000 --> 00:05.120]  text`` and NVivo's ``0:00:00.0 -
    0:00:10.6 | text`` were refused or read with the end as part of the text."""
    whisper = _put(tmp_path, "w.txt", (
        "[00:00.000 --> 00:05.120]  Привет, как дела?\n"
        "[00:05.120 --> 00:09.000]  Жақсы, рақмет.\n"
        "[01:00:09.500 --> 01:00:11.000]  Later.\n"
    ))  # fmt: skip
    assert _cues(whisper) == [
        (0, 5120, None, "Привет, как дела?"),
        (5120, 9000, None, "Жақсы, рақмет."),
        (3609500, 3611000, None, "Later."),
    ]
    nvivo = _put(tmp_path, "nv.txt", "0:00:00.0 - 0:00:10.6 | Interviewer: text\n"
                                     "00:00:11 - Ә.Н.: Иә.\n")  # fmt: skip
    assert _cues(nvivo) == [(0, 10600, "Interviewer", "text"), (11000, 11000, "Ә.Н.", "Иә.")]


def test_ms_teams_transcript_times_and_names_under_them(tmp_path: Path) -> None:
    """A transcript downloaded from MS Teams ("0:0:5.240 --> 0:0:8.110", the name on the line
    under it, the text below) was refused as of unknown format (.txt) or as having no
    timestamps (.docx); now each span is a segment with its speaker, also a name said once."""
    entries = [
        ("0:0:0.0 --> 0:0:5.240", "Нурланова, Айгерим", "Добрый день, коллеги."),
        ("0:0:5.240 --> 0:0:8.110", "Petrov, Ivan", "Сәлеметсіздер ме."),
        ("0:0:8.110 --> 0:1:2.5", "Нурланова, Айгерим", "Начнём."),
    ]
    expected = [
        (0, 5240, "Нурланова, Айгерим", "Добрый день, коллеги."),
        (5240, 8110, "Petrov, Ivan", "Сәлеметсіздер ме."),
        (8110, 62500, "Нурланова, Айгерим", "Начнём."),
    ]
    txt = _put(tmp_path, "teams.txt", "\n\n".join("\n".join(e) for e in entries) + "\n")
    assert _cues(txt) == expected
    document = docx.Document()
    for entry in entries:
        for line in entry:
            document.add_paragraph(line)
    path = tmp_path / "teams.docx"
    document.save(str(path))
    assert _cues(path) == expected


def test_headings_with_surname_comma_given_name(tmp_path: Path) -> None:
    """MS Teams' newer transcripts (and Otter's with such account names) head each turn
    "Petrov, Ivan   0:03": the comma kept the heading from being read, so the file was refused,
    or its first turns were dropped as lines before the first timestamp."""
    path = _put(tmp_path, "teams.txt", (
        "Petrov, Ivan   0:03\nДобрый день.\n\nНурланова Айгерим   0:15\nСәлеметсіз бе.\n\n"
        "Petrov, Ivan   1:02:05\nДа.\n"
    ))  # fmt: skip
    assert _cues(path) == [
        (3000, 15000, "Petrov, Ivan", "Добрый день."),
        (15000, 3725000, "Нурланова Айгерим", "Сәлеметсіз бе."),
        (3725000, 3725000, "Petrov, Ivan", "Да."),
    ]
    alone = _put(tmp_path, "one.txt", "Petrov, Ivan   0:03\nДобрый день.\n")
    assert _cues(alone) == [(3000, 3000, "Petrov, Ivan", "Добрый день.")]


def test_docx_nvivo_table(tmp_path: Path) -> None:
    """NVivo exports a table: # | Timespan | Content | Speaker."""
    path = _docx(tmp_path, "nvivo.docx", ["Interview 5"], rows=[
        ["#", "Timespan", "Content", "Speaker"],
        ["1", "0:00:00.0 - 0:00:10.6", "Расскажите о себе.", "Interviewer"],
        ["2", "0:00:10.6 - 0:00:15.2", "Мен Алматыданмын.", "Айгерим"],
        ["3", "0:00:15.2 - 0:00:18.0", "ok", ""],
    ])  # fmt: skip
    parsed = parse_transcript(path)
    assert [(d.start_ms, d.end_ms, d.speaker, d.text) for d in parsed.drafts] == [
        (0, 10600, "Interviewer", "Расскажите о себе."),
        (10600, 15200, "Айгерим", "Мен Алматыданмын."),
        (15200, 18000, None, "ok"),
    ]
    # the title; the header row is no line of the transcript
    assert "1 line before the first timestamp" in parsed.notes[0]
    assert "Timespan" not in parsed.notes[0]


def test_rev_style_speaker_and_time_headings(tmp_path: Path) -> None:
    """Rev writes ``Speaker 1 (00:05):`` over the text; it was refused as having no times."""
    path = _put(tmp_path, "rev.txt", (
        "Speaker 1 (00:05):\nHello, how are you?\n\nАйгерим (01:02:03):\nЖақсы.\n"
        "Interviewer [01:02:09]: same line\n"
    ))  # fmt: skip
    assert _cues(path) == [
        (5000, 3723000, "Speaker 1", "Hello, how are you?"),
        (3723000, 3729000, "Айгерим", "Жақсы."),
        (3729000, 3729000, "Interviewer", "same line"),
    ]
    document = _docx(tmp_path, "rev.docx", ["Speaker 1 (00:05):", "Hello."])
    assert _cues(document) == [(5000, 5000, "Speaker 1", "Hello.")]


def test_a_title_with_a_time_is_not_a_segment(session, tmp_path: Path) -> None:
    """ "Interview 10:30" over a transcript became a segment at ten minutes: the import was
    refused as the transcript of another (longer) recording."""
    folder, sid, _ = session
    path = _docx(tmp_path, "titled.docx", [
        "Interview 10:30", "[00:00:00] Интервьюер: Сәлем.", "[00:00:01] Айгерим: Сәлем!", "0:02",
    ])  # fmt: skip
    with Project.open(folder) as p:
        result = import_transcript(p, sid, path)
        segs = [(s.start_ms, s.end_ms, s.text) for s in p.transcript.segments(sid)]
    assert segs == [(0, 1000, "Сәлем."), (1000, 2000, "Сәлем!")]  # the last time ends it
    assert any("'Interview 10:30'" in n and "before the first timestamp" in n for n in result.notes)
    assert any("1 heading or time line with" in n for n in result.notes)  # "0:02"


def test_txt_without_timestamps_says_it_needs_them(tmp_path: Path) -> None:
    path = _put(tmp_path, "t.txt", "Интервьюер: Расскажите.\nАйгерим: Жақсы.\n")
    with pytest.raises(InvalidInputError, match="needs timestamps"):
        parse_transcript(path)


# ---------------------------------------------------------------------- languages
@pytest.mark.parametrize("letter", list("әғқңөұүһіӘҒҚҢӨҰҮҺІ"))
def test_guess_language_knows_every_kazakh_letter(letter: str) -> None:
    assert guess_language(f"жан{letter}ар", ["ru", "kk", "en"]) == "kk"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Ну, мен білмеймін, короче.", "kk"),  # mixed: a Kazakh letter says Kazakh
        ("Ну, я не знаю, короче.", "ru"),
        # a Kazakh name in a Russian line is a name, not Kazakh (it made the line Kazakh)
        ("Я записалась к врачу через интернет, сказала Ғалия.", "ru"),
        ("Мы с Нұрланом и Әлией ждали три часа.", "ru"),
        ("Сәлеметсіз бе, Ғалия апай.", "kk"),  # a sentence's first word is not a name
        ("Айгерим: Жақсы.", "kk"),
        ("Ғалия пришла. Ол үйде.", "kk"),
        ("Well, I do not know.", "en"),
        ("12:30 ...", None),
    ],
)
def test_guess_language_on_mixed_text(text: str, language: str | None) -> None:
    assert guess_language(text, ["ru", "kk", "en"]) == language


# ---------------------------------------------------------------------- round trips
_LETTERS = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһіАБВГДЕЖЗӘҒҚҢӨҰҮҺІabcdefghXYZ"
_word = st.text(alphabet=_LETTERS, min_size=1, max_size=8)
_text = (
    st.lists(_word, min_size=1, max_size=6)
    .map(" ".join)
    .flatmap(lambda t: st.sampled_from(["", ".", "?", "!", ","]).map(lambda p: t + p))
)
_speaker = st.sampled_from([None, "Айгерим", "Ә.Н.", "SPEAKER_00", "Interviewer", "Speaker 2"])


#: tmp_path is shared by the examples: each writes its file anew before reading it
_QUICK: dict = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}


def _clock(ms: int, sep: str = ".") -> str:
    s, milli = divmod(ms, 1000)
    m, sec = divmod(s, 60)
    h, minute = divmod(m, 60)
    return f"{h:02d}:{minute:02d}:{sec:02d}{sep}{milli:03d}"


@st.composite
def _free_cues(draw: st.DrawFn) -> list[tuple[int, int, str | None, str]]:
    """Cues in any order of times (overlaps too), as caption files allow."""
    n = draw(st.integers(1, 6))
    cues = []
    for _ in range(n):
        start = draw(st.integers(0, 5 * 3600 * 1000))
        end = start + draw(st.integers(0, 60_000))
        cues.append((start, end, draw(_speaker), draw(_text)))
    return cues


@st.composite
def _chained_cues(draw: st.DrawFn) -> list[tuple[int, int, str | None, str]]:
    """Consecutive segments in tenths of a second (f4 end marks have no finer resolution)."""
    n = draw(st.integers(1, 6))
    t = draw(st.integers(0, 3600 * 10)) * 100
    cues = []
    for _ in range(n):
        end = t + draw(st.integers(1, 600)) * 100
        cues.append((t, end, draw(_speaker), draw(_text)))
        t = end + draw(st.integers(0, 50)) * 100
    return cues


def _line(speaker: str | None, text: str) -> str:
    return f"{speaker}: {text}" if speaker else text


def _split(text: str) -> str:
    """Captions wrap long lines: the parser joins them with a space."""
    words = text.split(" ")
    half = len(words) // 2
    return " ".join(words[:half]) + "\n" + " ".join(words[half:]) if half else text


@settings(max_examples=40, **_QUICK)
@given(cues=_free_cues(), crlf=st.booleans())
def test_round_trip_srt(tmp_path: Path, cues, crlf: bool) -> None:
    blocks = [f"{i}\n{_clock(s, ',')} --> {_clock(e, ',')}\n{_line(who, _split(text))}\n"
              for i, (s, e, who, text) in enumerate(cues, 1)]  # fmt: skip
    data = "\n".join(blocks)
    path = _put(tmp_path, "t.srt", data.replace("\n", "\r\n") if crlf else data)
    assert _cues(path) == cues


@settings(max_examples=40, **_QUICK)
@given(cues=_free_cues(), langs=st.lists(st.sampled_from([None, "ru", "kk", "en"]), min_size=6))
def test_round_trip_vtt(tmp_path: Path, cues, langs) -> None:
    blocks = ["WEBVTT\n"]
    for i, (s, e, who, text) in enumerate(cues):
        body = f"<lang {langs[i]}>{text}</lang>" if langs[i] else text
        voice = f"<v {who}>" if who else ""
        blocks.append(f"c{i}\n{_clock(s)} --> {_clock(e)} align:start\n{voice}{body}\n")
    path = _put(tmp_path, "t.vtt", "\n".join(blocks))
    parsed = parse_transcript(path).drafts
    assert [(d.start_ms, d.end_ms, d.speaker, d.text) for d in parsed] == cues
    assert [d.language for d in parsed] == langs[: len(cues)]


def _f4(ms: int) -> str:
    return f"#{_clock(ms)[:8]}-{ms % 1000 // 100}#"


@settings(max_examples=40, **_QUICK)
@given(cues=_chained_cues(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_round_trip_timestamped_txt(tmp_path: Path, cues, encoding: str) -> None:
    lines = [f"[{_clock(s)}] {_line(who, text)} {_f4(e)}" for s, e, who, text in cues]
    path = _put(tmp_path, "t.txt", "\r\n".join(lines).encode(encoding))
    assert _cues(path) == cues


@settings(max_examples=25, **_QUICK)
@given(cues=_chained_cues(), style=st.sampled_from(["bracket", "heading"]))
def test_round_trip_docx(tmp_path: Path, cues, style: str) -> None:
    document = docx.Document()
    document.add_paragraph("Transcript")
    for s, e, who, text in cues:
        if style == "heading" and who:
            document.add_paragraph(f"{who}  {_clock(s)}")
            document.add_paragraph(f"{text} {_f4(e)}")
        else:
            document.add_paragraph(f"[{_clock(s)}] {_line(who, text)} {_f4(e)}")
    buffer = io.BytesIO()
    document.save(buffer)
    path = _put(tmp_path, "t.docx", buffer.getvalue())
    parsed = parse_transcript(path)
    assert [(d.start_ms, d.end_ms, d.speaker, d.text) for d in parsed.drafts] == cues
    assert parsed.notes and "'Transcript'" in parsed.notes[0]


# ---------------------------------------------------------------------- FieldScribe's own exports
KK = "Мен Алматыданмын, рақмет: x < y & z"


@pytest.mark.parametrize("fmt", ["txt", "srt", "vtt", "docx"])
def test_round_trip_through_fieldscribe_exports(project, tmp_path: Path, fmt: str) -> None:
    """The placeholder of speech without transcript came back as the text
    "[speech without transcript]" (its language guessed as English)."""
    from storage import SegmentDraft
    from storage.interop import export_transcript

    project.set_languages("ru,kk,en")
    source = project.sessions.add_session("A").id
    project.transcript.add_segments(source, [
        SegmentDraft(0, 2000, "Расскажите о себе.", speaker="Интервьюер", language="ru"),
        SegmentDraft(2000, 4000, KK, speaker="Айгерим", language="kk"),
        SegmentDraft(4000, 5000, "", speaker="Ә.Н.", untranscribed=True),
        SegmentDraft(5000, 7000, "Thank you - bye.", language="en"),
    ])  # fmt: skip
    path = export_transcript(project, source, fmt, tmp_path / f"t.{fmt}")
    target = project.sessions.add_session("B").id
    import_transcript(project, target, path)
    got = [
        (s.start_ms, s.end_ms, s.speaker, s.text, s.language, s.untranscribed)
        for s in project.transcript.segments(target)
    ]
    # txt and docx give starts only: the last line, in a session without audio, lasts as long
    # as its three words take to say (2.5 a second)
    last_end = 7000 if fmt in ("srt", "vtt") else 5000 + 1200
    assert got == [
        (0, 2000, "Интервьюер", "Расскажите о себе.", "ru", False),
        (2000, 4000, "Айгерим", KK, "kk", False),
        (4000, 5000, "Ә.Н.", "", None, True),
        (5000, last_end, None, "Thank you - bye.", "en", False),
    ]


_RICH = "абвгдеәғқңөұүһіABCxyz0123456789:-#[]().,?!{}"
_rich_text = (
    st.lists(st.text(alphabet=_RICH, min_size=1, max_size=8), min_size=1, max_size=6)
    .map(" ".join)
    .map(lambda t: t.strip().lstrip("- ").strip() or "x")  # a leading dash is a dialogue dash
)


@st.composite
def _named_cues(draw: st.DrawFn) -> list[tuple[int, str, str]]:
    """Cues with a speaker and text full of digits, colons, dashes, brackets and hashes."""
    t = draw(st.integers(0, 36_000)) * 100
    cues = []
    for _ in range(draw(st.integers(1, 5))):
        cues.append((t, draw(_speaker.filter(bool)), draw(_rich_text)))
        t += draw(st.integers(1, 600)) * 100
    return cues


@settings(max_examples=60, **_QUICK)
@given(cues=_named_cues(), fmt=st.sampled_from(["timestamped-txt", "srt", "vtt"]))
def test_round_trip_text_that_looks_like_times_and_names(tmp_path: Path, cues, fmt) -> None:
    if fmt == "timestamped-txt":
        data = "\n".join(f"[{_clock(s)}] {who}: {text}" for s, who, text in cues)
    elif fmt == "srt":
        data = "\n\n".join(f"{i}\n{_clock(s, ',')} --> {_clock(s + 50, ',')}\n{who}: {text}"
                           for i, (s, who, text) in enumerate(cues, 1))  # fmt: skip
    else:
        data = "WEBVTT\n\n" + "\n\n".join(
            f"{_clock(s)} --> {_clock(s + 50)}\n<v {who}>{text}" for s, who, text in cues
        )
    path = _put(tmp_path, "t.txt", data)
    assert [(d.start_ms, d.speaker, d.text) for d in parse_transcript(path, fmt).drafts] == cues


def test_a_timed_cue_without_text_is_speech_without_transcript(
    tmp_path: Path, session: tuple[Path, str, int]
) -> None:
    """A cue the other tool left empty: a flagged segment to play and type, and a note; it
    was an empty ordinary segment that nothing pointed out."""
    folder, sid, _ = session
    srt = tmp_path / "t.srt"
    srt.write_text(
        "1\n00:00:00,100 --> 00:00:00,900\nБірінші сөйлем.\n\n"
        "2\n00:00:01,000 --> 00:00:01,800\n\n"
        "3\n00:00:01,900 --> 00:00:02,500\nВторое предложение.\n",
        encoding="utf-8",
    )
    with Project.open(folder) as p:
        result = import_transcript(p, sid, srt)
        segs = p.transcript.segments(sid)
    assert [(s.text, s.untranscribed, s.language) for s in segs] == [
        ("Бірінші сөйлем.", False, "kk"),
        ("", True, None),
        ("Второе предложение.", False, "ru"),
    ]
    assert any("1 timed cue without text" in n for n in result.notes)


def test_txt_maxqda_timestamps_before_the_text(tmp_path: Path) -> None:
    """MAXQDA writes its timestamp ``#00:01:02-3#`` (tenths after the dash) before a
    paragraph's text as well as after it: a file of such lines was refused ("cannot tell the
    transcript format")."""
    path = _put(
        tmp_path,
        "maxqda.txt",
        "#00:00:01-2# I: Как вы сюда попали?\r\n#00:00:04-0# B: Автобуспен келдім.\r\n",
    )
    assert _cues(path) == [
        (1200, 4000, "I", "Как вы сюда попали?"),
        (4000, 4000, "B", "Автобуспен келдім."),
    ]


NVIVO_ROWS = [
    ("0:00:00.0 - 0:00:05.2", "Interviewer", "Здравствуйте, расскажите о себе."),
    ("0:00:05.2 - 0:00:12.8", "Айгүл", "Мен мұғаліммін, I work at a school."),
    ("0:00:12.8 - 0:00:15.0", "Interviewer", "Спасибо: продолжим."),
]
NVIVO_READ = [
    (0, 5200, "Interviewer", "Здравствуйте, расскажите о себе."),
    (5200, 12800, "Айгүл", "Мен мұғаліммін, I work at a school."),
    (12800, 15000, "Interviewer", "Спасибо: продолжим."),
]


@pytest.mark.parametrize("order", [(0, 1, 2), (0, 2, 1), (1, 0, 2)])
@pytest.mark.parametrize("header", [False, True])
def test_txt_nvivo_tab_separated_rows(tmp_path: Path, order: tuple[int, ...], header: bool) -> None:
    """NVivo imports and writes transcripts as tab-separated lines: a timespan, the text and
    the speaker in any order, perhaps under a header row. The speaker and a tab stayed in the
    text ("Здравствуйте, расскажите о себе.\tInterviewer", no speaker)."""
    names = ("Timespan", "Speaker", "Content")
    lines = ["\t".join(names[i] for i in order)] if header else []
    lines += ["\t".join(row[i] for i in order) for row in NVIVO_ROWS]
    path = _put(tmp_path, "nvivo.txt", "\r\n".join(lines) + "\r\n")
    assert _cues(path) == NVIVO_READ
    assert _cues(path, "timestamped-txt") == NVIVO_READ


@pytest.mark.parametrize(
    "header",
    [
        "Timespan\tContent\tSpeaker",
        "#\tTimespan\tContent\tSpeaker",
        "Интервал времени\tСодержимое\tДокладчик",
    ],
)
def test_txt_nvivo_header_row_is_no_line_of_the_transcript(tmp_path: Path, header: str) -> None:
    """A header row of NVivo's tab-separated transcript (its column names, in any language)
    was kept as a line before the first timestamp: the report said "1 line(s) before the
    first timestamp were not imported: 'Timespan Content Speaker'", as if speech were lost."""
    numbered = header.startswith("#")
    rows = [
        "\t".join(([str(n)] if numbered else []) + [span, text, who])
        for n, (span, who, text) in enumerate(NVIVO_ROWS, 1)
    ]
    path = _put(tmp_path, "nvivo.txt", "\ufeff" + "\r\n".join([header, *rows]) + "\r\n")
    parsed = parse_transcript(path)
    assert [(d.start_ms, d.end_ms, d.speaker, d.text) for d in parsed.drafts] == NVIVO_READ
    assert parsed.notes == []
    # a line of speech above the table, with no time, is still reported
    said = _put(tmp_path, "said.txt", "\r\n".join(["Да, конечно.\tнет\tАйгүл", *rows]))
    assert "1 line before the first timestamp" in parse_transcript(said).notes[0]


def test_txt_with_a_few_tabs_inside_speech_is_read_as_lines(tmp_path: Path) -> None:
    """A timestamped transcript whose text has a tab here and there is not a table."""
    path = _put(
        tmp_path,
        "t.txt",
        "[00:00:01] Анна: Добрый\tдень.\n[00:00:04] Болат: Сәлем.\n[00:00:06] Анна: Итак.\n",
    )
    assert [(s, sp) for s, _e, sp, _t in _cues(path)] == [(1000, "Анна"), (4000, "Болат"),
                                                          (6000, "Анна")]  # fmt: skip


def test_otranscribe_file(tmp_path: Path) -> None:
    """oTranscribe's own file (.otr): JSON whose text is the editor's HTML with timestamp spans
    (the exact time in data-timestamp, a rounded one shown); it was refused ("cannot tell the
    transcript format")."""
    import json

    stamp = '<span class="timestamp" contenteditable="false" data-timestamp="{}">{}</span>'
    body = (
        f"<p>{stamp.format(1.25, '00:01')} Анна: Здравствуйте, &laquo;как&raquo; дела?</p>"
        f"<p>{stamp.format(6.5, '00:06')} Болат: Жақсы,<br>рахмет&nbsp;сізге.</p>"
        f"<p>{stamp.format(3725.1, '1:02:05')} Анна: Итак: конец.</p>"
    )
    data = {"text": body, "media": "interview.wav", "media-source": "", "media-time": 12.3}
    path = _put(tmp_path, "interview.otr", json.dumps(data))
    assert (
        _cues(path)
        == _cues(path, "otranscribe")
        == [
            (1250, 6500, "Анна", "Здравствуйте, «как» дела?"),
            (6500, 3725100, "Болат", "Жақсы, рахмет сізге."),
            (3725100, 3725100, "Анна", "Итак: конец."),
        ]
    )
    page = _put(
        tmp_path,
        "interview.html",
        f"<html><head><title>Интервью</title></head><body>{body}</body></html>",
    )
    assert _cues(page) == _cues(path)  # the editor's HTML saved as a page
    plain = _put(tmp_path, "x.json", json.dumps({"text": "no times"}))
    with pytest.raises(InvalidInputError, match="not an oTranscribe file"):
        parse_transcript(plain, "otranscribe")


def test_a_word_transcript_cut_short_says_so(tmp_path: Path) -> None:
    """A .docx whose download stopped half-way: "not a Word document (.docx) that can be read
    (File is not a zip file)", as if it were no Word document at all."""
    whole = _docx(tmp_path, "whole.docx", ["[00:00:01] Айгуль: Мы ходили в ЦОН."]).read_bytes()
    cut = tmp_path / "cut.docx"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InvalidInputError) as refused:
        parse_transcript(cut)
    said = str(refused.value)
    assert "the Word document is incomplete or damaged" in said and "copy it again" in said
    assert "File is not a zip file" not in said


def test_a_cue_of_two_named_dialogue_lines_is_a_segment_per_speaker(tmp_path: Path) -> None:
    """Walk: "- Ерлан: …\\n- Айгүл: …" (the subtitle convention for two speakers in one cue)
    became one segment credited to Ерлан, Айгүл's words in it. Now each named line is a
    segment with its speaker, the cue's time shared by their letters; a cue of one speaker
    stays one segment, as before; unnamed dash lines are turns too (speaker unknown), and a
    label that is no name ("- Итак:") stays text in its turn."""
    cue = "- Ерлан: Сәлем, қалайсыз?\n- Айгүл: Жақсы.\n"
    for name, text in (
        ("d.srt", f"1\n00:00:01,000 --> 00:00:05,000\n{cue}\n"
                  "2\n00:00:05,000 --> 00:00:06,000\n- Как дела?\n- Хорошо.\n\n"
                  "3\n00:00:06,000 --> 00:00:07,000\n- Ерлан: один\n\n"
                  "4\n00:00:07,000 --> 00:00:09,000\n- Итак: начнём\n- Айгүл: да\n"),
        ("d.vtt", f"WEBVTT\n\n00:00:01.000 --> 00:00:05.000\n{cue}\n"
                  "00:00:05.000 --> 00:00:06.000\n- Как дела?\n- Хорошо.\n\n"
                  "00:00:06.000 --> 00:00:07.000\n- Ерлан: один\n\n"
                  "00:00:07.000 --> 00:00:09.000\n- Итак: начнём\n- Айгүл: да\n"),
    ):  # fmt: skip
        parsed = parse_transcript(_put(tmp_path, name, text))
        got = [(d.start_ms, d.end_ms, d.speaker, d.text) for d in parsed.drafts]
        # 13 letters and 5: 4000 ms shared 13:5
        assert got[:2] == [
            (1000, 3889, "Ерлан", "Сәлем, қалайсыз?"),
            (3889, 5000, "Айгүл", "Жақсы."),
        ], (name, got)
        assert got[2:] == [
            (5000, 5538, None, "Как дела?"),  # unnamed: a turn each, the speakers unknown
            (5538, 6000, None, "Хорошо."),
            (6000, 7000, "Ерлан", "один"),  # one dashed line: one speaker
            (7000, 8500, None, "Итак: начнём"),  # "Итак" is no name
            (8500, 9000, "Айгүл", "да"),
        ], (name, got)
        assert any("a segment per speaker" in n for n in parsed.notes), parsed.notes
