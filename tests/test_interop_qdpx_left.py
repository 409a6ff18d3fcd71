"""REFI-QDA (.qdpx) import of what earlier imports left behind: media outside the archive
(looked for only in a folder the user names), colours in other forms, notes on cases, a lone
CR in LF text, and a transcript's description; each also exported again."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from storage import Project
from storage.interop import import_qdpx

NS = "urn:QDA-XML:project:1.0"
SRC = "a1000000-0000-4000-8000-000000000002"


def _g(n: int) -> str:
    return f"b2000000-0000-4000-8000-{n:012d}"


def write(path: Path, qde: str, files: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde)
        for name, data in (files or {}).items():
            zf.writestr(name, data)
    return path


def project(body: str, codes: str = "", origin: str = "Other tool") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<Project xmlns="{NS}" name="left" origin="{origin}">'
        f"<CodeBook><Codes>{codes}</Codes></CodeBook>{body}</Project>"
    )


def import_one(tmp_path: Path, qde: str, files: dict[str, bytes] | None = None, **kw):
    archive = write(tmp_path / "in.qdpx", qde, files)
    folder = tmp_path / "out.fieldscribe"
    report = import_qdpx(archive, folder, coder="me", **kw)
    return report, folder


# ------------------------------------------------------------------------------ colours
COLOURS = [
    ("#ABC", "#aabbcc"),
    ("#aBcDeF", "#abcdef"),
    ("12ab34", "#12ab34"),
    ("#11223380", "#112233"),
    ("rgb(0, 128, 255)", "#0080ff"),
    ("rgba(255,0,0,0.5)", "#ff0000"),
    ("rgb(100%, 50%, 0%)", "#ff8000"),
    ("Teal", "#008080"),
    ("light blue", "#add8e6"),
]


def test_colours_in_other_forms_are_read_and_unreadable_ones_are_reported(
    tmp_path: Path,
) -> None:
    """Before, ``rgb(...)``, colour names and ``#RRGGBBAA`` became a palette colour, and a
    colour that could not be read was replaced without a word."""
    codes = "".join(
        f'<Code guid="{_g(i)}" name="C{i}" isCodable="true" color="{colour}"/>'
        for i, (colour, _want) in enumerate(COLOURS)
    )
    codes += f'<Code guid="{_g(99)}" name="Odd" isCodable="true" color="sort of blue"/>'
    report, folder = import_one(tmp_path, project("", codes))
    with Project.open(folder, readonly=True) as p:
        got = {c.name: c.colour for c in p.codebook.codes()}
    assert {f"C{i}": got[f"C{i}"] for i in range(len(COLOURS))} == {
        f"C{i}": want for i, (_colour, want) in enumerate(COLOURS)
    }
    (line,) = [n for n in report.notes if "'Odd'" in n]
    assert "'sort of blue' could not be read" in line and got["Odd"] in line


# ------------------------------------------------------------------------ a lone CR in LF text
_LETTERS = "abcxyz АБВабв әғқ 😀"
_line = st.text(alphabet=_LETTERS + ",.!?", min_size=1, max_size=20).filter(
    lambda line: line.strip() != "" and not line.startswith(" ")
)


@st.composite
def _cr_documents(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    """A text whose lines end in LF, CRLF or CR alone (at least one CR alone, one LF), and
    spans on its characters (what a tool coded)."""
    lines = draw(st.lists(_line, min_size=3, max_size=7))
    ends = draw(
        st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=len(lines), max_size=len(lines))
    )
    ends[draw(st.integers(0, len(ends) - 2))] = "\r"
    ends[-1] = draw(st.sampled_from(["\n", "\r\n"]))
    text = "".join(line + end for line, end in zip(lines, ends, strict=True))
    inside = [i for i, ch in enumerate(text) if ch not in "\r\n"]
    spans = []
    for _ in range(draw(st.integers(1, 4))):
        a, b = sorted(draw(st.lists(st.sampled_from(inside), min_size=2, max_size=2)))
        spans.append((a, b + 1))
    return text, spans


def _coded_in_order(folder: Path) -> list[tuple[str, str]]:
    out = []
    with Project.open(folder, readonly=True) as p:
        (session,) = p.sessions.all()
        segments = p.transcript.segments(session.id)
        assert not any("\r" in g.text for g in segments)
        order = {g.id: i for i, g in enumerate(segments)}
        by_id = {g.id: g for g in segments}
        for c in sorted(p.codebook.codings(), key=lambda c: (order[c.segment_id], c.start_cp or 0)):
            text = by_id[c.segment_id].text
            if c.start_cp is not None:
                text = text[c.start_cp : c.end_cp]
            out.append((p.codebook.get_code(c.code_id).name, text))
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(document=("first line\rstill first?\nsecond\n", [(0, 16), (6, 27)]))
@given(_cr_documents())
def test_a_lone_cr_is_a_line_end_and_codings_keep_their_text(
    tmp_path_factory: pytest.TempPathFactory, document: tuple[str, list[tuple[int, int]]]
) -> None:
    """Before, a CR standing alone in LF text stayed inside a segment's text (and in every
    coded string across it). Now it ends a line; the coded strings are the same characters
    as the file's selections, line by line."""
    text, spans = document
    codes = "".join(
        f'<Code guid="{_g(n)}" name="Code {n}" isCodable="true"/>' for n in range(len(spans))
    )
    sels = "".join(
        f'<PlainTextSelection guid="{_g(100 + n)}" startPosition="{a}" endPosition="{b}">'
        f'<Coding guid="{_g(200 + n)}"><CodeRef targetGUID="{_g(n)}"/></Coding>'
        "</PlainTextSelection>"
        for n, (a, b) in enumerate(spans)
    )
    body = (
        f'<Sources><TextSource guid="{SRC}" name="doc" plainTextPath="internal://doc.txt">'
        f"{sels}</TextSource></Sources>"
    )
    tmp = tmp_path_factory.mktemp("cr")
    report, folder = import_one(tmp, project(body, codes), {"sources/doc.txt": text.encode()})
    got: dict[str, list[str]] = {}
    for code, piece in _coded_in_order(folder):
        got.setdefault(code, []).append(piece.rstrip(" \n"))
    for n, (a, b) in enumerate(spans):
        want = [part.rstrip(" ") for part in re.split(r"\r\n|\r|\n", text[a:b]) if part]
        assert got.get(f"Code {n}", []) == want, (text, a, b)
    assert any("CR alone" in n for n in report.notes)
    # and exported again (LF line ends), the same characters are coded
    from storage.interop import export_qdpx

    with Project.open(folder, readonly=True) as p:
        export_qdpx(p, tmp / "again.qdpx")
    import_qdpx(tmp / "again.qdpx", tmp / "again.fieldscribe", coder="me")
    assert _coded_in_order(tmp / "again.fieldscribe") == _coded_in_order(folder)


def test_a_lone_cr_in_a_transcript_ends_its_line(tmp_path: Path) -> None:
    """An audio transcript's lone CR was left inside the segment ("I: one\\rB: two")."""
    transcript = "I: Сәлем\rB: Қалайсыз?\nI: Жақсы\n"
    a = transcript.index("Қалайсыз")
    b = a + len("Қалайсыз")
    body = (
        f'<Sources><AudioSource guid="{SRC}" name="rec" path="internal://none.wav">'
        f'<Transcript guid="{_g(1)}" plainTextPath="internal://t.txt">'
        f'<SyncPoint guid="{_g(2)}" position="{a}" timeStamp="1000"/>'
        f'<SyncPoint guid="{_g(3)}" position="{b}" timeStamp="2000"/>'
        f'<TranscriptSelection guid="{_g(4)}" fromSyncPoint="{_g(2)}" toSyncPoint="{_g(3)}">'
        f'<Coding guid="{_g(5)}"><CodeRef targetGUID="{_g(6)}"/></Coding>'
        "</TranscriptSelection></Transcript></AudioSource></Sources>"
    )
    codes = f'<Code guid="{_g(6)}" name="Greeting" isCodable="true"/>'
    _report, folder = import_one(
        tmp_path, project(body, codes), {"sources/t.txt": transcript.encode()}
    )
    with Project.open(folder, readonly=True) as p:
        (session,) = p.sessions.all()
        segments = p.transcript.segments(session.id)
        assert [(g.speaker, g.text) for g in segments] == [
            ("I", "Сәлем"),
            ("B", "Қалайсыз?"),
            ("I", "Жақсы"),
        ]
    assert _coded_in_order(folder) == [("Greeting", "Қалайсыз")]


# ------------------------------------------------------------------ a transcript's description
def test_a_transcripts_description_is_kept_as_a_memo_on_its_session(tmp_path: Path) -> None:
    """Before, a ``Transcript``'s ``Description`` was dropped without a word."""
    body = (
        f'<Sources><AudioSource guid="{SRC}" name="rec" path="internal://none.wav">'
        f'<Transcript guid="{_g(1)}" name="Verbatim" plainTextPath="internal://t.txt">'
        "<Description>Typed by Aigerim; [..] marks inaudible speech.</Description>"
        "</Transcript>"
        f'<Transcript guid="{_g(2)}" name="Clean" plainTextPath="internal://t.txt">'
        "<Description>Тазартылған нұсқа</Description></Transcript></AudioSource></Sources>"
    )
    report, folder = import_one(tmp_path, project(body), {"sources/t.txt": b"I: one\nB: two\n"})
    with Project.open(folder, readonly=True) as p:
        sessions = {s.id: s.title for s in p.sessions.all()}
        kept = sorted(
            (sessions[m.target_id], m.title, m.text)
            for m in p.codebook.memos()
            if m.target_type == "session"
        )
    assert kept == [
        ("rec", "Transcript description", "Typed by Aigerim; [..] marks inaudible speech."),
        ("rec (Clean)", "Transcript description", "Тазартылған нұсқа"),
    ]
    assert sum("its description was kept as a memo" in n for n in report.notes) == 2


# ------------------------------------------------------------------------------ notes on cases
def _cases_qde() -> str:
    cases = (
        f'<Cases><Case guid="{_g(10)}" name="Anna"><Description>Nurse, night shifts</Description>'
        f'<NoteRef targetGUID="{_g(20)}"/></Case>'
        f'<Case guid="{_g(11)}" name="Bolat"/></Cases>'
    )
    notes = (
        f'<Notes><Note guid="{_g(20)}" name="Background"><PlainTextContent>Moved from Taraz'
        f"</PlainTextContent></Note>"
        f'<Note guid="{_g(21)}" name="Follow-up"><PlainTextContent>Call again in May'
        f"</PlainTextContent></Note>"
        f'<Note guid="{_g(22)}" name="Day one"><PlainTextContent>Rain</PlainTextContent></Note>'
        "</Notes>"
        f'<Links><Link guid="{_g(30)}" originGUID="{_g(21)}" targetGUID="{_g(11)}"/></Links>'
    )
    return project(cases + notes)


def _journal(folder: Path) -> list[tuple[str | None, str]]:
    with Project.open(folder, readonly=True) as p:
        return sorted((m.title, m.text) for m in p.codebook.memos() if m.target_type == "journal")


def _linked(folder: Path) -> dict[str, str]:
    """{memo text: participant} of the journal memos tied to a participant."""
    from storage.interop import exchange_meta

    with Project.open(folder, readonly=True) as p:
        names = {part.id: part.pseudonym for part in p.sessions.participants()}
        memos = {m.id: m.text for m in p.codebook.memos()}
        return {memos[m]: names[pid] for m, pid in exchange_meta.case_notes(p).items()}


def test_notes_on_cases_are_journal_memos_named_after_the_participant(tmp_path: Path) -> None:
    """Before, a note a case referred to (a NoteRef in the case, or a Link between the note
    and the case) became a journal entry like any other, with nothing saying whose it was,
    and an export lost the tie. FieldScribe keeps no memos on a participant: the note is in
    the journal under the participant's name, linked to it for exports; the report says
    where it went (and where the case's description went)."""
    report, folder = import_one(tmp_path, _cases_qde())
    assert _journal(folder) == [
        ("Anna: Background", "Moved from Taraz"),
        ("Bolat: Follow-up", "Call again in May"),
        ("Day one", "Rain"),
    ]
    assert _linked(folder) == {"Moved from Taraz": "Anna", "Call again in May": "Bolat"}
    with Project.open(folder, readonly=True) as p:
        anna = next(x for x in p.sessions.participants() if x.pseudonym == "Anna")
        assert anna.attributes == {"description": "Nurse, night shifts"}
    text = report.describe()
    assert "note 'Background' on case 'Anna' as 'Anna: Background'" in text
    assert "the notes on cases are in the project journal" in text
    assert "Case 'Anna': its description is the participant's attribute 'description'" in text
    assert "link (not supported" not in text  # the Link was read
    assert "links (not supported" not in text


def test_notes_on_cases_come_back_from_an_export_valid_against_the_schema(
    tmp_path: Path,
) -> None:
    """The export ties each such note to its case with a Link (the schema's Case has no
    NoteRef); importing that export gives the same journal, named once."""
    from lxml import etree

    from storage.interop import export_qdpx
    from tests.interop_support import SCHEMA

    _report, folder = import_one(tmp_path, _cases_qde())
    out = tmp_path / "again.qdpx"
    with Project.open(folder, readonly=True) as p:
        export_qdpx(p, out)
    with zipfile.ZipFile(out) as zf:
        doc = etree.fromstring(zf.read("project.qde"))
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(doc), schema.error_log
    assert len(doc.findall(f".//{{{NS}}}Link")) == 2
    again = tmp_path / "again.fieldscribe"
    report = import_qdpx(out, again, coder="me")
    assert _journal(again) == _journal(folder)
    assert _linked(again) == _linked(folder)
    assert "link (not supported" not in report.describe()
    assert "links (not supported" not in report.describe()


# ----------------------------------------------------------------- media outside the archive
@pytest.fixture(scope="module")
def wav_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from tests.interop_support import make_wav

    return make_wav(tmp_path_factory.mktemp("wav"), "Short words.").read_bytes()


PATHS = {
    1: ("relative://interviews/first.wav", "interviews/first.wav"),
    2: ("file:///C:/Users/Ann/Field%20work/second%20one.wav", "second one.wav"),
    3: ("C:\\Data\\Almaty\\third.wav", "third.wav"),
    4: ("/Users/ann/Research/fourth.wav", "fourth.wav"),
    5: ("relative://gone.wav", None),
}


def _av_sources(paths: dict[int, str]) -> str:
    return (
        "<Sources>"
        + "".join(
            f'<AudioSource guid="{_g(500 + n)}" name="S{n}" path="{path}"/>'
            for n, path in paths.items()
        )
        + "</Sources>"
    )


def _media(folder: Path) -> dict[str, tuple[str, str, Path]]:
    """{session title: (original name, sha256, copied file)}."""
    with Project.open(folder, readonly=True) as p:
        out = {}
        for s in p.sessions.all():
            for m in p.sessions.media_for_session(s.id):
                out[s.title] = (m.original_name, m.sha256, folder / m.path)
        return out


def test_media_outside_the_archive_are_found_in_the_folder_the_user_names(
    tmp_path: Path, wav_bytes: bytes
) -> None:
    """Before, a recording named by a relative:// or absolute path was never looked for:
    every such session came without audio. Now the user names a folder; each file is looked
    for there by its name (Windows paths, %-escapes), copied in (never moved, sha256 kept),
    and the report names what was found and what is still missing."""
    import hashlib

    media_dir = tmp_path / "recordings"
    for _path, rel in PATHS.values():
        if rel:
            (media_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            (media_dir / rel).write_bytes(wav_bytes)
    qde = project(_av_sources({n: path for n, (path, _rel) in PATHS.items()}))
    report, folder = import_one(tmp_path, qde, media_dir=media_dir)
    media = _media(folder)
    digest = hashlib.sha256(wav_bytes).hexdigest()
    assert sorted(media) == ["S1", "S2", "S3", "S4"]
    assert {title: (name, sha) for title, (name, sha, _f) in media.items()} == {
        "S1": ("first.wav", digest),
        "S2": ("second one.wav", digest),
        "S3": ("third.wav", digest),
        "S4": ("fourth.wav", digest),
    }
    for _name, _sha, copied in media.values():
        assert copied.is_file() and copied.resolve().is_relative_to(folder.resolve())
    assert all((media_dir / rel).is_file() for _p, rel in PATHS.values() if rel)  # not moved
    assert report.media_files == 4
    assert sorted(Path(f).name for f in report.media_found) == [
        "first.wav", "fourth.wav", "second one.wav", "third.wav"
    ]  # fmt: skip
    assert report.media_missing == ["relative://gone.wav"]
    text = report.describe()
    assert "'second one.wav' and copied in" in text
    assert "'relative://gone.wav' is not inside the archive nor in the media folder" in text


def test_windows_paths_are_reported_as_the_file_writes_them(
    tmp_path: Path, wav_bytes: bytes
) -> None:
    """The report wrote a Windows path with each backslash doubled ('C:\\\\Data\\\\third.wav'),
    not as the exporter's file and the researcher's disk have it."""
    media_dir = tmp_path / "recordings"
    media_dir.mkdir()
    (media_dir / "third.wav").write_bytes(wav_bytes)
    found, gone, text = "C:\\Data\\Almaty\\third.wav", "D:\\Отчёт\\gone.wav", "C:\\x\\a.txt"
    qde = project(
        _av_sources({1: found, 2: gone})[: -len("</Sources>")]
        + f'<TextSource guid="{_g(600)}" name="T" plainTextPath="{text}"/></Sources>'
    )
    report, _folder = import_one(tmp_path, qde, media_dir=media_dir)
    said = report.describe()
    for path in (found, gone, text):
        assert f"'{path}'" in said
    assert "\\\\" not in said
    assert f"nor in the media folder '{media_dir}'" in said


def test_media_are_never_read_outside_the_folder(tmp_path: Path, wav_bytes: bytes) -> None:
    """No ``..``, no symbolic link out of the folder, no absolute path followed as it is."""
    media_dir = tmp_path / "recordings"
    media_dir.mkdir()
    secret = tmp_path / "secret.wav"
    secret.write_bytes(wav_bytes)
    (media_dir / "link.wav").symlink_to(secret)
    paths = {
        1: "relative://../secret.wav",
        2: "relative://x/../../secret.wav",
        3: str(secret),  # an absolute path to a file that exists, outside the folder
        4: "relative://link.wav",
        5: "file://" + str(secret).replace("/", "%2F"),
    }
    report, folder = import_one(tmp_path, project(_av_sources(paths)), media_dir=media_dir)
    assert _media(folder) == {}
    assert len(report.media_missing) == 5 and report.media_found == []
    # and without a folder nothing outside the archive is read at all
    (tmp_path / "none").mkdir()
    _report, other = import_one(tmp_path / "none", project(_av_sources({3: str(secret)})))
    assert _media(other) == {}


def test_a_bad_media_folder_is_refused_in_one_line_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.hardening_support import one_line_error, run_cli
    from tests.interop_support import db_fingerprint

    archive = write(tmp_path / "in.qdpx", project(_av_sources({1: "relative://a.wav"})))
    existing = tmp_path / "existing.fieldscribe"
    Project.create(existing, name="x", coder="me").close()
    before = db_fingerprint(existing)
    for target in (existing, tmp_path / "new.fieldscribe"):
        code, out, err = run_cli(
            capsys, "qdpx", "import", archive, target, "--media-dir", tmp_path / "nope"
        )
        assert code != 0 and out == ""
        assert "nope: no such folder" in one_line_error(err)
    assert db_fingerprint(existing) == before
    assert not (tmp_path / "new.fieldscribe").exists()


def test_cli_media_dir_and_a_second_import_fills_the_missing_recording(
    tmp_path: Path, wav_bytes: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    """``qdpx import FILE DIR --media-dir D``; run again into the same project with the
    folder, a recording that was missing is attached to the session already there (its
    codings and segments untouched, nothing duplicated); then exported inside the archive."""
    from tests.hardening_support import run_cli

    archive = write(tmp_path / "in.qdpx", project(_av_sources({1: "file:///D:/x/a.wav"})))
    folder = tmp_path / "p.fieldscribe"
    code, out, _err = run_cli(capsys, "qdpx", "import", archive, folder)
    assert code == 0 and "is not inside the archive" in out and _media(folder) == {}
    media_dir = tmp_path / "m"
    media_dir.mkdir()
    (media_dir / "A.WAV").write_bytes(wav_bytes)  # another system's case
    code, out, _err = run_cli(
        capsys, "qdpx", "import", archive, folder, "--media-dir", media_dir, "--json"
    )
    assert code == 0
    import json

    data = json.loads(out)
    assert data["media_files"] == 1 and data["sessions"] == 0 and data["media_missing"] == []
    assert list(_media(folder)) == ["S1"]
    from storage.interop import export_qdpx

    with Project.open(folder, readonly=True) as p:
        export_qdpx(p, tmp_path / "out.qdpx")
    again = tmp_path / "again.fieldscribe"
    import_qdpx(tmp_path / "out.qdpx", again, coder="me")
    assert _media(again)["S1"][1] == _media(folder)["S1"][1]  # the same sha256


def test_a_second_import_with_the_media_folder_reads_a_transcript_text_left_out_before(
    tmp_path: Path, wav_bytes: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    """``qdpx import`` again with ``--media-dir`` attached a recording missing the first time
    but not the transcript text that was missing with it: the session stayed without segments.
    Now its lines come in, with their codings, once: a third import duplicates nothing."""
    from tests.hardening_support import run_cli

    sel = _g(9)
    body = (
        f'<Sources><AudioSource guid="{SRC}" name="Talk" path="file:///D:/x/a.wav">'
        f'<Transcript guid="{_g(1)}" plainTextPath="file:///D:/x/talk.txt">'
        f'<SyncPoint guid="{_g(2)}" position="0" timeStamp="0"/>'
        f'<SyncPoint guid="{_g(3)}" position="12" timeStamp="500"/>'
        f'<TranscriptSelection guid="{sel}" fromSyncPoint="{_g(2)}" toSyncPoint="{_g(3)}">'
        f'<Coding guid="{_g(4)}"><CodeRef targetGUID="{_g(5)}"/></Coding>'
        "</TranscriptSelection></Transcript></AudioSource></Sources>"
    )
    codes = f'<Code guid="{_g(5)}" name="Queue" isCodable="true"/>'
    archive = write(tmp_path / "in.qdpx", project(body, codes))
    folder = tmp_path / "p.fieldscribe"
    code, out, _err = run_cli(capsys, "qdpx", "import", archive, folder)
    assert code == 0 and "its text 'file:///D:/x/talk.txt' is not inside the archive" in out
    media_dir = tmp_path / "m"
    media_dir.mkdir()
    (media_dir / "a.wav").write_bytes(wav_bytes)
    (media_dir / "talk.txt").write_text("Анна: Кезек.\nБорис: Ұзын болды.", encoding="utf-8")
    for _ in range(2):
        code, out, _err = run_cli(
            capsys, "qdpx", "import", archive, folder, "--media-dir", media_dir
        )
        assert code == 0, out
        with Project.open(folder, readonly=True) as p:
            segs = p.transcript.segments(SRC)
            assert [(s.speaker, s.text) for s in segs] == [
                ("Анна", "Кезек."),
                ("Борис", "Ұзын болды."),
            ]
            coded = p.retrieval.codings_of_segments([s.id for s in segs])
            assert len(coded) == 1
    assert list(_media(folder)) == ["Talk"]


# ------------------------------------------------------------------ all of it, exported again
def test_what_these_imports_keep_comes_back_from_an_export_valid_against_the_schema(
    tmp_path: Path, wav_bytes: bytes
) -> None:
    """A file with each of the above: export the imported project, check the export against
    the REFI-QDA schema, import it again: the same colours, coded text, memos, journal and
    recording (same sha256)."""
    from lxml import etree

    from storage.interop import export_qdpx
    from tests.interop_support import SCHEMA

    doc = "first\rsecond line\nthird\n"
    a, b = doc.index("st\rsec"), doc.index("third") + 3
    codes = (
        f'<Code guid="{_g(1)}" name="Red" isCodable="true" color="rgb(255, 0, 0)"/>'
        f'<Code guid="{_g(2)}" name="Teal" isCodable="true" color="teal"/>'
    )
    body = (
        f'<Cases><Case guid="{_g(10)}" name="Anna"><NoteRef targetGUID="{_g(20)}"/></Case>'
        "</Cases><Sources>"
        f'<TextSource guid="{_g(30)}" name="notes" plainTextPath="internal://d.txt">'
        f'<PlainTextSelection guid="{_g(31)}" startPosition="{a}" endPosition="{b}">'
        f'<Coding guid="{_g(32)}"><CodeRef targetGUID="{_g(1)}"/></Coding>'
        "</PlainTextSelection></TextSource>"
        f'<AudioSource guid="{_g(40)}" name="talk" path="relative://talk.wav">'
        f'<Transcript guid="{_g(41)}" plainTextPath="internal://t.txt">'
        "<Description>Verbatim, by Aigerim</Description></Transcript></AudioSource>"
        f'</Sources><Notes><Note guid="{_g(20)}" name="Background"><PlainTextContent>From '
        "Taraz</PlainTextContent></Note></Notes>"
    )
    media_dir = tmp_path / "m"
    media_dir.mkdir()
    (media_dir / "talk.wav").write_bytes(wav_bytes)
    files = {"sources/d.txt": doc.encode(), "sources/t.txt": b"I: one\nB: two\n"}
    _report, folder = import_one(tmp_path, project(body, codes), files, media_dir=media_dir)
    out = tmp_path / "again.qdpx"
    with Project.open(folder, readonly=True) as p:
        export_qdpx(p, out, with_media=True)
    with zipfile.ZipFile(out) as zf:
        root = etree.fromstring(zf.read("project.qde"))
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(root), schema.error_log
    again = tmp_path / "again.fieldscribe"
    import_qdpx(out, again, coder="me")

    def kept(where: Path) -> object:
        with Project.open(where, readonly=True) as p:
            titles = {s.id: s.title for s in p.sessions.all()}
            return (
                sorted((c.name, c.colour) for c in p.codebook.codes()),
                sorted(
                    (m.target_type, titles.get(m.target_id or ""), m.title, m.text)
                    for m in p.codebook.memos()
                ),
            )

    assert kept(again) == kept(folder)
    assert kept(folder) == (
        [("Red", "#ff0000"), ("Teal", "#008080")],
        [
            ("journal", None, "Anna: Background", "From Taraz"),
            ("session", "talk", "Transcript description", "Verbatim, by Aigerim"),
        ],
    )
    assert [t for _c, t in _coded_in_order_all(again)] == ["st", "second line", "thi"]
    assert _coded_in_order_all(again) == _coded_in_order_all(folder)
    assert _media(again)["talk"][1] == _media(folder)["talk"][1]


def _coded_in_order_all(folder: Path) -> list[tuple[str, str]]:
    out = []
    with Project.open(folder, readonly=True) as p:
        for s in p.sessions.all():
            segments = p.transcript.segments(s.id)
            order = {g.id: i for i, g in enumerate(segments)}
            by_id = {g.id: g for g in segments}
            mine = [c for c in p.codebook.codings() if c.segment_id in by_id]
            for c in sorted(mine, key=lambda c: order[c.segment_id]):
                text = by_id[c.segment_id].text
                if c.start_cp is not None:
                    text = text[c.start_cp : c.end_cp]
                out.append((p.codebook.get_code(c.code_id).name, text.rstrip("\n")))
    return out


def test_an_export_without_media_is_read_back_with_the_projects_media_folder(
    tmp_path: Path, wav_bytes: bytes
) -> None:
    from storage.interop import export_qdpx

    wav = tmp_path / "talk.wav"
    wav.write_bytes(wav_bytes)
    with Project.create(tmp_path / "src.fieldscribe", name="src", coder="me") as p:
        p.sessions.import_audio(wav, title="talk")
        export_qdpx(p, tmp_path / "bare.qdpx", with_media=False)
    report = import_qdpx(
        tmp_path / "bare.qdpx",
        tmp_path / "back.fieldscribe",
        coder="me",
        media_dir=tmp_path / "src.fieldscribe" / "media",
    )
    assert report.media_files == 1 and report.media_missing == []
    assert (
        _media(tmp_path / "back.fieldscribe")["talk"][1]
        == _media(tmp_path / "src.fieldscribe")["talk"][1]
    )


def test_a_file_in_the_media_folder_that_is_no_audio_is_reported_not_copied(
    tmp_path: Path,
) -> None:
    media_dir = tmp_path / "m"
    media_dir.mkdir()
    (media_dir / "talk.wav").write_bytes(b"not audio at all")
    report, folder = import_one(
        tmp_path, project(_av_sources({1: "relative://talk.wav"})), media_dir=media_dir
    )
    assert _media(folder) == {} and report.media_missing == ["relative://talk.wav"]
    assert "is not decodable audio" in report.describe()
    assert list((folder / "media").iterdir()) == []  # the copy was removed again
    assert (media_dir / "talk.wav").read_bytes() == b"not audio at all"


def test_a_sync_point_at_the_transcripts_very_end_makes_no_empty_segment(tmp_path: Path) -> None:
    """A SyncPoint at the end of a transcript that ends with a line end (where the last turn
    ends) gave an empty segment after it, an empty row in the transcript; now it is that
    turn's end."""
    transcript = "Әлия: Сәлем, бәрі жақсы.\nИван: Да, всё хорошо.\n"
    ivan = transcript.index("Иван")
    body = (
        f'<Sources><AudioSource guid="{SRC}" name="rec" path="internal://none.wav">'
        f'<Transcript guid="{_g(1)}" plainTextPath="internal://t.txt">'
        f'<SyncPoint guid="{_g(2)}" position="0" timeStamp="0"/>'
        f'<SyncPoint guid="{_g(3)}" position="{ivan}" timeStamp="4500"/>'
        f'<SyncPoint guid="{_g(4)}" position="{len(transcript)}" timeStamp="9000"/>'
        f'<TranscriptSelection guid="{_g(5)}" fromSyncPoint="{_g(3).upper()}" '
        f'toSyncPoint="{_g(4)}"><Coding guid="{_g(6)}"><CodeRef targetGUID="{_g(7)}"/></Coding>'
        "</TranscriptSelection></Transcript></AudioSource></Sources>"
    )
    codes = f'<Code guid="{_g(7)}" name="Согласие" isCodable="true"/>'
    _report, folder = import_one(
        tmp_path, project(body, codes), {"sources/t.txt": transcript.encode()}
    )
    with Project.open(folder, readonly=True) as p:
        (session,) = p.sessions.all()
        segments = p.transcript.segments(session.id)
        assert [(g.start_ms, g.end_ms, g.speaker, g.text) for g in segments] == [
            (0, 4500, "Әлия", "Сәлем, бәрі жақсы."),
            (4500, 9000, "Иван", "Да, всё хорошо."),
        ]
    assert [code for code, _text in _coded_in_order(folder)] == ["Согласие"]
