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


def test_a_sync_point_at_the_recordings_end_keeps_the_lines_in_order(tmp_path: Path) -> None:
    """QualCoder times a coding's end sync point by the last timestamp before it in the text,
    and by the recording's end where none comes before it: the line after a coded first line
    started at the recording's end and was shown last, below lines it comes before."""
    text = (
        "Ерлан: Сәлем, бұл сұхбат 🎤 туралы.\nАйгерім: Иә, бәрі жақсы.\n"
        "[00:00:01] Ерлан: Үшінші жол.\n[00:00:02] Айгерім: Төртінші 𝔸 жол.\n"
    )
    a, b = text.index("бұл"), text.index("туралы") + len("туралы")
    c = text.index("Төртінші")
    _zero, zero_xml = _sync_point(1, 0, 0)
    s1, s1_xml = _sync_point(2, a, 0)
    e1, e1_xml = _sync_point(3, b, 3400)  # no timestamp before it: the recording's end
    s2, s2_xml = _sync_point(4, c, 2000)
    e2, e2_xml = _sync_point(5, c + len("Төртінші 𝔸"), 2000)
    feeling = S0.replace("d", "e", 1)
    archive = _qualcoder_av(
        tmp_path,
        text,
        zero_xml + s1_xml + e1_xml + s2_xml + e2_xml,
        _transcript_selection(1, s1, e1, C) + _transcript_selection(2, s2, e2, feeling),
    )
    report = import_qdpx(archive, tmp_path / "p.fieldscribe", coder="me")
    with Project.open(tmp_path / "p.fieldscribe", readonly=True) as proj:
        (session,) = proj.sessions.all()
        segments = proj.transcript.segments(session.id)
        by_id = {g.id: g for g in segments}
        coded = sorted(
            (
                proj.codebook.get_code(c.code_id).name,
                by_id[c.segment_id].text[c.start_cp : c.end_cp],
            )
            for c in proj.codebook.codings()
        )
    assert [(s.speaker, s.text) for s in segments] == [
        ("Ерлан", "Сәлем, бұл сұхбат 🎤 туралы."),
        ("Айгерім", "Иә, бәрі жақсы."),
        ("Ерлан", "Үшінші жол."),
        ("Айгерім", "Төртінші 𝔸 жол."),
    ]
    starts = [s.start_ms for s in segments]
    assert starts == sorted(starts) and starts[0] == 0 and starts[2:] == [1000, 2000]
    assert starts[1] < 1000  # between its neighbours, not at the recording's end
    assert coded == [("feeling", "Төртінші 𝔸"), ("trade", "бұл сұхбат 🎤 туралы")]
    (note,) = [n for n in report.notes if "sync point" in n and "later than" in n]
    assert "'market.wav'" in note


def test_a_line_stamped_before_the_sync_point_above_it_stays_below_it(tmp_path: Path) -> None:
    """A line's own timestamp earlier than the sync point of the line above it: the line was
    shown above that line. It starts where that line starts, and the report says so."""
    text = "Ерлан: Бірінші.\nАйгерім: Екінші 😀 жол.\n[00:00:01] Ерлан: Үшінші жол.\n"
    _zero, zero_xml = _sync_point(1, 0, 0)
    s1, s1_xml = _sync_point(2, text.index("Айгерім"), 2500)
    e1, e1_xml = _sync_point(3, text.index("Екінші") + len("Екінші"), 2600)
    archive = _qualcoder_av(
        tmp_path, text, zero_xml + s1_xml + e1_xml, _transcript_selection(1, s1, e1, C)
    )
    report = import_qdpx(archive, tmp_path / "p.fieldscribe", coder="me")
    with Project.open(tmp_path / "p.fieldscribe", readonly=True) as proj:
        (session,) = proj.sessions.all()
        segments = proj.transcript.segments(session.id)
        (coding,) = proj.codebook.codings()
    assert [(s.start_ms, s.text) for s in segments] == [
        (0, "Бірінші."),
        (2500, "Екінші 😀 жол."),
        (2500, "Үшінші жол."),
    ]
    assert coding.segment_id == segments[1].id
    assert segments[1].text[coding.start_cp : coding.end_cp] == "Екінші"
    (note,) = [n for n in report.notes if "timed earlier than the line before" in n]
    assert "'Үшінші жол.' at 00:00:01" in note
