"""A QualCoder .qdpx of a recording with its transcript: QualCoder writes one SyncPoint (position
0, time 0) and keeps the times in the text, as its own timestamps open the lines. The first
line's timestamp and speaker stayed text ("[00:00:00] Interviewer: Tell me.", no speaker), and
under a sync point a stamp such as "{00:00:04}" became part of the speaker's name."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from storage import Project
from storage.interop import import_qdpx
from tests.interop_support import make_wav

A, T, C = (f"{n}1b2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d" for n in "abc")
S0, S1, S2 = (f"{n}0000000-0000-4000-8000-000000000000" for n in "def")
QDE = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="market" origin="QualCoder-3.5">
<CodeBook><Codes><Code guid="{c}" name="trade" isCodable="true" color="#F781F3"/></Codes>
</CodeBook><Sources><AudioSource guid="{a}" name="market.wav" path="internal://{a}.wav">
<Transcript plainTextPath="internal://{t}.txt" guid="{t}" name="market.wav.transcribed">
<SyncPoint guid="{s0}" position="0" timeStamp="0"/>
<SyncPoint guid="{s1}" position="{p}" timeStamp="{ms}"/>
<SyncPoint guid="{s2}" position="{q}" timeStamp="{ms}"/>
<TranscriptSelection guid="{s2}" name="trade" fromSyncPoint="{s1}" toSyncPoint="{s2}">
<Coding guid="{s0}"><CodeRef targetGUID="{c}"/></Coding></TranscriptSelection>
</Transcript></AudioSource></Sources></Project>"""


@pytest.mark.parametrize(
    "stamps",
    [
        ("[00:00:00]", "[00:00:01]", "[00:00:02]"),
        ("{00:00:00}", "{00:00:01}", "{00:00:02}"),
        ("[00.00.00]", "[00.00.01]", "[00.00.02]"),
        ("[00.00]", "[00.01]", "[00.02]"),
        ("#00:00:00.000#", "#00:00:01.000#", "#00:00:02.000#"),
    ],
)
def test_qualcoder_transcript_lines(tmp_path: Path, stamps: tuple[str, str, str]) -> None:
    text = (
        f"{stamps[0]} Interviewer: Tell me.\n{stamps[1]} Seller: Базарда сауда жақсы.\n"
        f"{stamps[2]} Interviewer: Рақмет.\n"
    )
    p = text.index("Базарда")
    archive = tmp_path / "market.qdpx"
    with zipfile.ZipFile(archive, "w") as zf:
        qde = QDE.format(a=A, t=T, c=C, s0=S0, s1=S1, s2=S2, p=p, q=p + 7, ms=1000)
        zf.writestr("project.qde", qde)
        zf.writestr(f"sources/{T}.txt", text.encode())
        zf.write(make_wav(tmp_path / "rec"), f"sources/{A}.wav")
    import_qdpx(archive, tmp_path / "p.fieldscribe", coder="me")
    with Project.open(tmp_path / "p.fieldscribe", readonly=True) as proj:
        (session,) = proj.sessions.all()
        segments = proj.transcript.segments(session.id)
        assert [(s.start_ms, s.speaker, s.text) for s in segments] == [
            (0, "Interviewer", "Tell me."),
            (1000, "Seller", "Базарда сауда жақсы."),
            (2000, "Interviewer", "Рақмет."),
        ]
        (coding,) = proj.codebook.codings()
        assert coding.segment_id == segments[1].id
        assert segments[1].text[coding.start_cp : coding.end_cp] == "Базарда"


def _qualcoder_av(tmp_path: Path, text: str, sync: str, selections: str) -> Path:
    """A QualCoder export of a recording: its sync points and selections as given."""
    codes = "".join(
        f'<Code guid="{c}" name="{name}" isCodable="true"/>'
        for c, name in ((C, "trade"), (S0.replace("d", "e", 1), "feeling"))
    )
    qde = (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
        f'name="market" origin="QualCoder"><CodeBook><Codes>{codes}</Codes></CodeBook><Sources>'
        f'<AudioSource guid="{A}" name="market.wav" path="internal://{A}.wav">'
        f'<Transcript plainTextPath="internal://{T}.txt" guid="{T}" name="market.wav.transcribed">'
        f"{sync}{selections}</Transcript></AudioSource></Sources></Project>"
    )
    archive = tmp_path / "market.qdpx"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("project.qde", qde)
        zf.writestr(f"sources/{T}.txt", text.encode())
        zf.write(make_wav(tmp_path / "rec"), f"sources/{A}.wav")
    return archive


def _sync_point(n: int, position: int, ms: int) -> tuple[str, str]:
    guid = f"{n:08x}-0000-4000-8000-000000000000"
    return guid, f'<SyncPoint guid="{guid}" position="{position}" timeStamp="{ms}"/>'


def _transcript_selection(n: int, frm: str, to: str, code: str) -> str:
    return (
        f'<TranscriptSelection guid="{n:08x}-1111-4000-8000-000000000000" fromSyncPoint="{frm}" '
        f'toSyncPoint="{to}"><Coding guid="{n:08x}-2222-4000-8000-000000000000">'
        f'<CodeRef targetGUID="{code}"/></Coding></TranscriptSelection>'
    )


def test_the_same_words_coded_twice_keep_both_codings(tmp_path: Path) -> None:
    """QualCoder writes a sync point at each coding's start and end, and, when two codings
    start at one position, the GUIDs of all the sync points there run together in
    ``fromSyncPoint`` (its loop has no break): both codings were dropped as "refers to missing
    sync points"."""
    text = "[00:00] Interviewer: Tell me.\n[00:01] Seller: Базарда сауда жақсы.\n"
    p = text.index("Базарда")
    _zero, zero_xml = _sync_point(1, 0, 0)
    a1, a1_xml = _sync_point(2, p, 1000)
    b1, b1_xml = _sync_point(3, p + 7, 1000)
    a2, a2_xml = _sync_point(4, p, 1000)
    _b2, b2_xml = _sync_point(5, p + 7, 1000)
    feeling = S0.replace("d", "e", 1)
    archive = _qualcoder_av(
        tmp_path,
        text,
        zero_xml + a1_xml + b1_xml + a2_xml + b2_xml,
        _transcript_selection(1, a1 + a2, b1, C) + _transcript_selection(2, a1 + a2, b1, feeling),
    )
    report = import_qdpx(archive, tmp_path / "p.fieldscribe", coder="me")
    assert report.not_imported == []
    with Project.open(tmp_path / "p.fieldscribe", readonly=True) as proj:
        (session,) = proj.sessions.all()
        by_id = {g.id: g for g in proj.transcript.segments(session.id)}
        coded = sorted(
            (
                proj.codebook.get_code(c.code_id).name,
                by_id[c.segment_id].text[c.start_cp : c.end_cp],
            )
            for c in proj.codebook.codings()
        )
    assert coded == [("feeling", "Базарда"), ("trade", "Базарда")]


def test_a_line_coded_inside_its_words_keeps_its_timestamp_and_speaker(tmp_path: Path) -> None:
    """A coding in the middle of what a speaker said puts QualCoder's sync points inside the
    line: its own "[00:01]" and "Айгуль:" stayed in the text, the segment had no speaker,
    and its time was a guess between the sync points around it (0.6 s, not 1 s)."""
    text = (
        "[00:00] Модератор: Расскажите о зиме.\n"
        "[00:01] Айгуль: Зима была очень тяжёлая, мы потеряли скот.\n"
        "[00:02] Ерлан: Біз банктен несие алдық.\n"
    )
    _zero, zero_xml = _sync_point(1, 0, 0)
    points, selections = zero_xml, ""
    for n, (words, ms) in enumerate((("очень тяжёлая", 1000), ("банктен несие", 2000))):
        start = text.index(words)
        frm, frm_xml = _sync_point(10 + 2 * n, start, ms)
        to, to_xml = _sync_point(11 + 2 * n, start + len(words), ms)
        points += frm_xml + to_xml
        selections += _transcript_selection(n, frm, to, C)
    archive = _qualcoder_av(tmp_path, text, points, selections)
    import_qdpx(archive, tmp_path / "p.fieldscribe", coder="me")
    with Project.open(tmp_path / "p.fieldscribe", readonly=True) as proj:
        (session,) = proj.sessions.all()
        segments = proj.transcript.segments(session.id)
        by_id = {g.id: g for g in segments}
        coded = sorted(
            by_id[c.segment_id].text[c.start_cp : c.end_cp] for c in proj.codebook.codings()
        )
    assert [(s.start_ms, s.speaker, s.text) for s in segments] == [
        (0, "Модератор", "Расскажите о зиме."),
        (1000, "Айгуль", "Зима была очень тяжёлая, мы потеряли скот."),
        (2000, "Ерлан", "Біз банктен несие алдық."),
    ]
    assert coded == ["банктен несие", "очень тяжёлая"]


def test_lines_of_another_tool_take_the_language_their_letters_leave(tmp_path: Path) -> None:
    """QualCoder names no language: imported into a project expecting ru, kk and en, each line
    takes what its letters leave among them (as a transcript import does), so the workbench's
    Lang column and the language filter know them; into a project expecting none, none."""
    text = (
        "[00:00:00] Interviewer: Tell me about the market.\n"
        "[00:00:01] Seller: Базарда сауда жақсы.\n"
        "[00:00:02] Interviewer: Хорошо, спасибо.\n"
    )
    archive = _qualcoder_av(tmp_path, text, _sync_point(1, 0, 0)[1], "")
    with Project.create(tmp_path / "p.fieldscribe", name="p", coder="me") as proj:
        proj.set_languages("ru,kk,en")
    import_qdpx(archive, tmp_path / "p.fieldscribe", coder="me")
    import_qdpx(archive, tmp_path / "none.fieldscribe", coder="me")
    for folder, expected in (("p", ["en", "kk", "ru"]), ("none", [None, None, None])):
        with Project.open(tmp_path / f"{folder}.fieldscribe", readonly=True) as proj:
            (session,) = proj.sessions.all()
            assert [s.language for s in proj.transcript.segments(session.id)] == expected
