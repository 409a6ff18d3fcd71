"""Other tools' exports, as their published formats have them (fixtures in
``tests/data/exchange``, made by its ``build.py``): REFI-QDA projects shaped like QualCoder's,
NVivo's (upper-case GUIDs, CRLF), MAXQDA's (text held in the project file) and ATLAS.ti's
(a recording with its transcript and sync points), a bare one, their codebooks (.qdc), and
transcripts of noScribe, oTranscribe, Otter, Word, SubRip and WebVTT. Each arrives whole: every
code, coding on the same Cyrillic words, memo, speaker and time; exported and imported again,
nothing is lost or doubled; a damaged file is refused in one line, the project unchanged."""

from __future__ import annotations

import sqlite3
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from storage import Project
from storage.core.errors import InvalidInputError
from storage.interop import import_qdpx
from storage.interop.qdc import import_codebook
from storage.interop.qdpx_export import export_qdpx
from storage.interop.qdpx_import import files_outside, import_qdpx_into
from storage.interop.transcript_import import import_transcript

DATA = Path(__file__).parent / "data" / "exchange"


def silence_wav(seconds: float, rate: int = 16000) -> bytes:
    """A silent mono 16-bit WAV."""
    data = b"\0\0" * int(seconds * rate)
    head = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt "
    head += struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return head + b"data" + struct.pack("<I", len(data)) + data


CODES = [
    ("Здоровье", "#e53935", "Всё о медицинской помощи"),
    ("Здоровье/Аптека", "#43a047", None),
    ("Здоровье/Больница", "#1e88e5", None),
    ("Транспорт", "#fdd835", None),
]
TEXT_CODINGS = [
    ("Здоровье", "colin", "больница закрылась"),
    ("Здоровье", "colin", "емхана жоқ, врача нет"),
    ("Здоровье/Аптека", "Айгерим", "до аптеки ехать сорок минут"),
    ("Здоровье/Больница", "Айгерим", "больница"),
    ("Транспорт", "colin", "Автобус ходит два раза в день"),
]
SPEAKERS = ["Интервьюер", "Айгүл", "Интервьюер", "Айгүл"]


def content(folder: Path) -> dict[str, object]:
    """What a user sees of a project: codes, codings with their words, memos, segments."""
    with Project.open(folder, readonly=True) as p:
        codes = {c.id: c for c in p.codebook.codes()}
        segments = [s for ses in p.sessions.all() for s in p.transcript.segments(ses.id)]
        by_id = {s.id: s for s in segments}
        codings = []
        for c in p.codebook.codings():
            text = by_id[c.segment_id].text
            words = text[c.start_cp : c.end_cp] if c.start_cp is not None else text
            codings.append((codes[c.code_id].path, c.coder, words))
        return {
            "codes": sorted((c.path, c.colour, c.description) for c in codes.values()),
            "codings": sorted(codings),
            "coding memos": sorted(c.memo for c in p.codebook.codings() if c.memo),
            "memos": sorted((m.target_type, m.created_by, m.text) for m in p.codebook.memos()),
            "segments": [(s.start_ms, s.end_ms, s.speaker, s.text) for s in segments],
            "participants": sorted(
                (x.pseudonym, sorted(x.attributes.items())) for x in p.sessions.participants()
            ),
        }


@pytest.mark.parametrize("tool", ["qualcoder", "nvivo", "maxqda"])
def test_a_coded_interview_of_each_tool_arrives_whole(tmp_path: Path, tool: str) -> None:
    report = import_qdpx(DATA / f"{tool}.qdpx", tmp_path / "p.fieldscribe", coder="me")
    assert (report.sessions, report.segments, report.codes, report.codings, report.memos) == (
        1,
        4,
        4,
        5,
        3,
    )
    assert report.not_imported == []  # its set of sources is in the session's notes
    assert any("1 set of sources ('Сельские интервью')" in n for n in report.notes)
    got = content(tmp_path / "p.fieldscribe")
    assert got["codes"] == CODES
    assert got["codings"] == TEXT_CODINGS
    assert got["coding memos"] == ["Сорок минут: Проверить расстояние."]
    assert got["memos"] == [
        ("code", "Айгерим", "Только стационар."),
        ("project", "Айгерим", "Первое интервью в селе."),
        ("session", "colin", "She avoids the word клиника."),
    ]
    assert [s[2] for s in got["segments"]] == SPEAKERS  # type: ignore[index]
    assert got["participants"] == [("Айгүл", [("Возраст", "47"), ("Село", "Караой")])]


def test_a_recording_with_its_transcript_keeps_speakers_times_and_codings(tmp_path: Path) -> None:
    report = import_qdpx(DATA / "atlas_audio.qdpx", tmp_path / "p.fieldscribe", coder="me")
    assert (report.sessions, report.segments, report.codings, report.media_files) == (1, 4, 2, 1)
    got = content(tmp_path / "p.fieldscribe")
    segments = got["segments"]
    assert [(s[0], s[1], s[2]) for s in segments] == [  # type: ignore[attr-defined]
        (0, 3500, "Интервьюер"), (3500, 8200, "Айгүл"),
        (8200, 10400, "Интервьюер"), (10400, 12000, "Айгүл"),
    ]  # fmt: skip
    assert [(c[0], c[1], c[2][:16]) for c in got["codings"]] == [  # type: ignore[attr-defined]
        ("Здоровье/Аптека", "Айгерим", "В нашем селе бол"),
        ("Транспорт", "colin", "А автобус ходит?"),
    ]


@pytest.mark.parametrize("name", ["qualcoder", "nvivo", "maxqda", "atlas_audio", "minimal"])
def test_export_and_import_again_loses_and_doubles_nothing(tmp_path: Path, name: str) -> None:
    first = tmp_path / "first.fieldscribe"
    import_qdpx(DATA / f"{name}.qdpx", first, coder="me")
    with Project.open(first) as p:
        export_qdpx(p, tmp_path / "again.qdpx")
    import_qdpx(tmp_path / "again.qdpx", tmp_path / "second.fieldscribe", coder="me")
    assert content(tmp_path / "second.fieldscribe") == content(first)
    with Project.open(first) as p:  # into the project it came from: nothing doubled
        import_qdpx_into(p, tmp_path / "again.qdpx")
        import_qdpx_into(p, DATA / f"{name}.qdpx")
    assert content(first) == content(tmp_path / "second.fieldscribe")


@pytest.mark.parametrize("tool", ["qualcoder", "nvivo", "maxqda"])
def test_each_tools_codebook_arrives_nested_with_colours(tmp_path: Path, tool: str) -> None:
    with Project.create(tmp_path / "p.fieldscribe", coder="me") as p:
        import_codebook(p, DATA / f"{tool}.qdc")
        assert sorted((c.path, c.colour, c.description) for c in p.codebook.codes()) == CODES


def dump(folder: Path) -> str:
    conn = sqlite3.connect(folder / "project.db")
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("bad_truncated", "is incomplete or damaged: it starts like a REFI-QDA project"),
        ("bad_xml", "project.qde: malformed XML (unclosed token: line 1, column 80)"),
    ],
)
def test_a_damaged_file_is_refused_in_one_line_and_changes_nothing(
    tmp_path: Path, name: str, says: str
) -> None:
    project = tmp_path / "p.fieldscribe"
    import_qdpx(DATA / "minimal.qdpx", project, coder="me")
    before = dump(project)
    for into in (project, tmp_path / "new.fieldscribe"):
        with pytest.raises(InvalidInputError) as refused:
            import_qdpx(DATA / f"{name}.qdpx", into, coder="me")
        assert says in str(refused.value) and "\n" not in str(refused.value)
    assert dump(project) == before and not (tmp_path / "new.fieldscribe").exists()


MISSING = (
    "Text source 'Интервью Айгүл': its text "
    "'internal://7d3f0014-5c1a-4e2b-9a6d-000000000014.txt' is missing from the archive, which "
    "names it as its own (a copy cut short, or an export that failed: the rest was imported; "
    "import the file again into this project once it is whole, and what is missing is added, "
    "nothing doubled); 5 coded selections were not imported."
)


def test_a_file_missing_from_the_archive_loses_only_its_source(tmp_path: Path) -> None:
    """A .qdpx whose one text file is missing (a copy cut short) was refused whole: now the rest
    arrives (codes, the case, notes: those on the text in the journal), the report names the
    source and why, the workbench asks for no folder (the archive should hold it), and the whole
    file imported later into the same project adds the source with its codings and moves the
    notes on it out of the journal to their places, nothing doubled."""
    project = tmp_path / "p.fieldscribe"
    report = import_qdpx(DATA / "bad_missing_source.qdpx", project, coder="me")
    # one line: the source, why, and what that costs (it was two, the second "it has no
    # plain text", which was not why)
    assert [n for n in report.not_imported if "Интервью Айгүл" in n] == [MISSING]
    lacking = content(project)
    whole = tmp_path / "whole.fieldscribe"
    import_qdpx(DATA / "qualcoder.qdpx", whole, coder="me")
    expected = content(whole)
    assert lacking["codes"] == expected["codes"]
    assert lacking["participants"] == expected["participants"]
    assert lacking["segments"] == lacking["codings"] == []
    assert files_outside(DATA / "bad_missing_source.qdpx") == []
    assert "2 notes on a source whose text could not be read are in the project journal" in (
        " ".join(report.notes)
    )
    import_qdpx(DATA / "qualcoder.qdpx", project, coder="me")
    again = content(project)
    for kept in ("codes", "codings", "segments", "participants"):
        assert again[kept] == expected[kept], kept
    # the notes on the text leave the journal for their places: one copy, where the whole
    # file alone puts them (they stayed in the journal beside their copies on the source)
    assert again["memos"] == expected["memos"]
    assert again["coding memos"] == expected["coding memos"]
    assert expected["coding memos"] == ["Сорок минут: Проверить расстояние."]
    cli = subprocess.run(
        [
            sys.executable,
            "main.py",
            "qdpx",
            "import",
            str(DATA / "bad_missing_source.qdpx"),
            str(tmp_path / "cli.fieldscribe"),
            "--coder",
            "me",
        ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[1],
    )
    assert cli.returncode == 0 and "Интервью Айгүл" in cli.stdout, cli.stderr
    assert "missing from the archive" in cli.stdout


TURNS = [
    "Расскажите, куда вы ходите, когда болеете?",
    "В нашем селе больница закрылась, до аптеки ехать сорок минут.",
    "А автобус ходит?",
    "Автобус ходит два раза в день, емхана жоқ, врача нет.",
]


@pytest.mark.parametrize(
    ("name", "speakers", "starts"),
    [
        ("noscribe.html", ["S00", "S01", "S00", "S01"], [0, 3500, 8200, 10400]),
        ("otranscribe.otr", SPEAKERS, [0, 3500, 8200, 10400]),
        ("otter.txt", ["Speaker 1", "Speaker 2", "Speaker 1", "Speaker 2"], [0, 3000, 8000, 10000]),
        ("timestamps.docx", SPEAKERS, [0, 3000, 8000, 10000]),
        ("bom_crlf.srt", [None] * 4, [0, 3500, 8200, 10400]),
        (
            "voices.vtt",
            ["Интервьюер", "Айгүл Б.", "Интервьюер", "Айгүл Б."],
            [0, 3500, 8200, 10400],
        ),
    ],
)
def test_each_tools_transcript_arrives_with_speakers_and_times(
    tmp_path: Path, name: str, speakers: list[str | None], starts: list[int]
) -> None:
    wav = tmp_path / "talk.wav"  # 13 s of silence: the transcripts' times fit in it
    wav.write_bytes(silence_wav(13.0))
    with Project.create(tmp_path / "p.fieldscribe", coder="me") as p:
        session = p.sessions.import_audio(wav)
        import_transcript(p, session.id, DATA / name)
        segments = p.transcript.segments(session.id)
        assert [s.text for s in segments] == TURNS
        assert [s.speaker for s in segments] == speakers
        assert [s.start_ms for s in segments] == starts


def test_a_note_whose_text_the_archive_lacks_is_named_not_made_empty(tmp_path: Path) -> None:
    """NVivo names a note's text by ``plainTextPath``: missing from the archive, the note went
    in empty (""), then the import was refused whole; now the rest goes in, no memo stands
    empty for the note, and the report names it."""
    import zipfile

    with zipfile.ZipFile(DATA / "minimal.qdpx") as zf:
        qde = zf.read("project.qde").decode("utf-8")
        files = {n: zf.read(n) for n in zf.namelist() if n != "project.qde"}
    note = '<Notes><Note guid="7d3f0099-5c1a-4e2b-9a6d-000000000099" name="Итог" '
    note += 'plainTextPath="internal://итог.txt"/></Notes></Project>'
    with zipfile.ZipFile(tmp_path / "n.qdpx", "w") as zf:
        zf.writestr("project.qde", qde.replace("</Project>", note))
        for name, data in files.items():
            zf.writestr(name, data)
    report = import_qdpx(tmp_path / "n.qdpx", tmp_path / "p.fieldscribe", coder="me")
    assert (
        "Note 'Итог': its text 'internal://итог.txt' is missing from the archive, which names "
        "it as its own" in "\n".join(report.not_imported)
    )
    import_qdpx(DATA / "minimal.qdpx", tmp_path / "whole.fieldscribe", coder="me")
    assert content(tmp_path / "p.fieldscribe") == content(tmp_path / "whole.fieldscribe")


def test_a_text_whose_positions_count_its_byte_order_mark_keeps_its_words(
    tmp_path: Path,
) -> None:
    """QualCoder keeps the byte order mark of a text imported from a Notepad file as its first
    character, writes it into the .qdpx's text file and counts it in every position: each
    coding landed one character early ("ольница " for "больница"), without a word said."""
    report = import_qdpx(DATA / "qualcoder_bom.qdpx", tmp_path / "p.fieldscribe", coder="me")
    assert content(tmp_path / "p.fieldscribe")["codings"] == [
        ("Здоровье", "Айгерим", "емхана жоқ, врача нет"),
        ("Здоровье/Больница", "Айгерим", "больница"),
    ]
    assert any("byte order mark" in n for n in report.notes)
    with Project.open(tmp_path / "p.fieldscribe") as p:
        assert not p.transcript.segments(p.sessions.all()[0].id)[0].text.startswith("\ufeff")


def test_a_speaker_name_ending_in_a_full_stop_is_said_with_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """voices.vtt names "Айгүл Б.": the report read "speakers: Айгүл Б., Интервьюер." but, the
    initial last, "speakers: Интервьюер, Айгүл Б..", two full stops."""
    from cli import main as cli_main

    wav = tmp_path / "talk.wav"
    wav.write_bytes(silence_wav(13.0))
    folder = tmp_path / "p.fieldscribe"
    with Project.create(folder, coder="me") as p:
        session = p.sessions.import_audio(wav)
        result = import_transcript(p, session.id, DATA / "voices.vtt")
    result.speakers = ["Интервьюер", "Айгүл Б."]
    assert result.speakers_said() == "speakers: Интервьюер, Айгүл Б."
    otter = tmp_path / "otter.txt"
    otter.write_text("Speaker 1  0:01\nДа.\n\nАйгүл Б.  0:04\nНет.\n", encoding="utf-8")
    assert cli_main(["import-transcript", str(folder), str(otter), "--new-session"]) == 0
    assert "speakers: Speaker 1, Айгүл Б.\n" in capsys.readouterr().out


def test_typed_variables_keep_their_type_through_fieldscribe(tmp_path: Path) -> None:
    """QualCoder's Integer "Возраст" came back out of FieldScribe as a Text variable, so the
    next tool could no longer compare ages; values that only look like numbers stay Text."""
    import zipfile

    from storage.interop.qdpx_build import variable_type

    import_qdpx(DATA / "qualcoder.qdpx", tmp_path / "p.fieldscribe", coder="me")
    with Project.open(tmp_path / "p.fieldscribe") as p:
        export_qdpx(p, tmp_path / "out.qdpx")
    with zipfile.ZipFile(tmp_path / "out.qdpx") as zf:
        qde = zf.read("project.qde").decode("utf-8")
    assert 'name="Возраст" typeOfVariable="Integer"' in qde
    assert "<IntegerValue>47</IntegerValue>" in qde
    assert 'name="Село" typeOfVariable="Text"' in qde
    from lxml import etree

    from tests.interop_support import SCHEMA

    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(etree.fromstring(qde.encode("utf-8"))), schema.error_log
    assert variable_type(["47", "-3"]) == ("Integer", "IntegerValue")
    assert variable_type(["1.5", "2.25"]) == ("Float", "FloatValue")
    assert variable_type(["true", "false"]) == ("Boolean", "BooleanValue")
    assert variable_type(["2024-03-05"]) == ("Date", "DateValue")
    for texts in (["007"], ["1e3"], ["2024-02-30"], ["47", "сорок"], []):
        assert variable_type(texts) == ("Text", "TextValue"), texts
    import_qdpx(tmp_path / "out.qdpx", tmp_path / "again.fieldscribe", coder="me")
    assert content(tmp_path / "again.fieldscribe")["participants"] == [
        ("Айгүл", [("Возраст", "47"), ("Село", "Караой")])
    ]


def test_a_zip_naming_its_members_in_a_dos_code_page_is_read(tmp_path: Path) -> None:
    """An older Windows tool writes member names in cp866 without the zip's UTF-8 mark:
    Python reads them as cp437 ('sources/ê¡ΓÑαó∞ε ...'), so the text the project names
    ('Интервью Айгуль.txt') was "not inside the archive" and the import refused it."""
    report = import_qdpx(DATA / "maxqda_cp866.qdpx", tmp_path / "p.fieldscribe", coder="me")
    assert (report.sessions, report.segments, report.codings) == (1, 4, 1)
    assert content(tmp_path / "p.fieldscribe")["codings"] == [
        ("Здоровье/Больница", "me", "больница")
    ]
