"""Who coded what, as other tools' files say it: users by GUID, two users of one name,
codings that name no user; agreement measured after the import."""

# ruff: noqa: E501  (test data: XML as the tools write it)
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import cohen_kappa, compute_agreement
from storage import Project
from storage.interop import import_qdpx
from storage.interop.qdpx_import import import_qdpx_into
from tests.interop_support import write_qdpx

CODE = "C0000000-0000-4000-8000-000000000001"
SRC = "D0000000-0000-4000-8000-000000000001"
LINES = ["Сәлеметсіз бе, қалайсыз?", "Жақсы, рахмет.", "Работаю в школе.", "Балаларым бар."]
TEXT = "\r\n".join(LINES) + "\r\n"


def _selections(user: str, lines: list[int], first: int) -> str:
    out = ""
    for n, number in enumerate(lines, first):
        start = sum(len(line) + 2 for line in LINES[:number])
        out += (
            f'<PlainTextSelection guid="{{E0000000-0000-4000-8000-{n:012d}}}" startPosition="{start}" '
            f'endPosition="{start + len(LINES[number])}" creatingUser="{user}">'
            f'<Coding guid="{{F0000000-0000-4000-8000-{n:012d}}}" creatingUser="{user}">'
            f'<CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>'
        )
    return out


def _agreement(folder: Path) -> tuple[list[str], object]:
    with Project.open(folder, readonly=True) as p:
        return p.team.agreement_data().coders, compute_agreement(p.team.agreement_data())


def test_two_users_of_one_name_stay_two_coders(tmp_path: Path) -> None:
    """Two "Administrator"s (NVivo on two computers: one name, two GUIDs) became one coder:
    the second's codings of the same lines were dropped as duplicates and agreement had one
    coder to compare."""
    one, two = "{1A000000-0000-4000-8000-000000000001}", "{1A000000-0000-4000-8000-000000000002}"
    coded_one, coded_two = [0, 1], [0, 1, 3]
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Команда" origin="NVivo 14">
<Users><User guid="{one}" name="Administrator" id="ADM"/><User guid="{two}" name="Administrator" id="ADM"/></Users>
<CodeBook><Codes><Code guid="{CODE}" name="Амандасу" isCodable="true" color="#FF8000"/></Codes></CodeBook>
<Sources><TextSource guid="{SRC}" name="Сұхбат" plainTextPath="internal://{SRC}.txt">
{_selections(one, coded_one, 0)}{_selections(two, coded_two, 10)}</TextSource></Sources></Project>"""
    archive = write_qdpx(
        tmp_path / "nvivo.qdpx", qde, {f"sources/{SRC}.txt": b"\xff\xfe" + TEXT.encode("utf-16-le")}
    )
    report = import_qdpx(archive, tmp_path / "p.fieldscribe", coder="lead")
    assert report.codings == 5
    assert any("'Administrator (2)'" in note for note in report.notes)
    coders, agreement = _agreement(tmp_path / "p.fieldscribe")
    assert coders == ["Administrator", "Administrator (2)"]
    model = cohen_kappa(
        [int(i in coded_one) for i in range(4)], [int(i in coded_two) for i in range(4)]
    )
    assert agreement.overall.kappa.value == model.value == 0.5  # type: ignore[attr-defined]


QUALCODER_TRANSCRIPT = "[00:00:01] Айгүл: Сәлеметсіз бе!\n[00:00:05] Иван: Здравствуйте, начнём.\n"


def _qualcoder(users: list[tuple[str, str]]) -> str:
    """A QualCoder 3.x audio source: its transcript's selections and codings name no user."""
    start = QUALCODER_TRANSCRIPT.index("Здравствуйте")
    listed = "".join(f'<User guid="{g}" name="{n}" />\n' for g, n in users)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns:xsd="http://www.w3.org/2001/XMLSchema" name="qc.qda" origin="QualCoder 3.6" creatingUserGUID="99999999-0000-4000-8000-000000000001" xmlns="urn:QDA-XML:project:1.0">
<Users>
{listed}</Users>
<CodeBook><Codes><Code guid="{CODE}" name="Сәлем" isCodable="true" color="#F781F3"></Code></Codes></CodeBook>
<Sources>
<AudioSource creatingUser="{users[0][0]}" creationDateTime="2024-05-01T09:00:00Z" path="internal://{SRC}.mp3" guid="{SRC}" name="Жазба.mp3" >
<Transcript plainTextPath="internal://tr.txt" creatingUser="{users[0][0]}" guid="D0000000-0000-4000-8000-000000000002" name="Жазба.mp3.transcribed" >
<SyncPoint guid="E0000000-0000-4000-8000-000000000001" position="0" timeStamp="0" />
<SyncPoint guid="E0000000-0000-4000-8000-000000000002" position="{start}" timeStamp="5000" />
<SyncPoint guid="E0000000-0000-4000-8000-000000000003" position="{start + 12}" timeStamp="6000" />
<TranscriptSelection guid="F0000000-0000-4000-8000-000000000001" name="Жазба.mp3.transcribed" fromSyncPoint="E0000000-0000-4000-8000-000000000002" toSyncPoint="E0000000-0000-4000-8000-000000000003">
<Coding guid="F0000000-0000-4000-8000-000000000002" >
<CodeRef targetGUID="{CODE}" />
</Coding>
</TranscriptSelection>
</Transcript>
</AudioSource>
</Sources>
</Project>"""


def _coders(folder: Path) -> list[str]:
    with Project.open(folder, readonly=True) as p:
        return [c.coder for c in p.codebook.codings()]


def test_codings_that_name_no_user_are_the_files_only_users(tmp_path: Path) -> None:
    """QualCoder writes no user on a transcript's codings: they were the importing coder's,
    one more coder in agreement than the file has (kappa then read n/a, "3 selected")."""
    users = [("5c94bc9e-db8c-4f1d-9cd6-e900c7440860", "Әсел")]
    archive = write_qdpx(
        tmp_path / "qc.qdpx", _qualcoder(users), {"sources/tr.txt": QUALCODER_TRANSCRIPT.encode()}
    )
    report = import_qdpx(archive, tmp_path / "p.fieldscribe", coder="lead")
    assert _coders(tmp_path / "p.fieldscribe") == ["Әсел"]
    assert any("1 coding names no user" in n and "'Әсел'" in n for n in report.notes)


def test_codings_that_name_no_user_among_several_are_reported(tmp_path: Path) -> None:
    """With several users the file does not say whose they are: the importing coder's, and
    the report says so (it said nothing)."""
    users = [
        ("5c94bc9e-db8c-4f1d-9cd6-e900c7440860", "Әсел"),
        ("70daf61c-b6f0-4b5e-8c2f-548fde3ad3d4", "Иван"),
    ]
    archive = write_qdpx(
        tmp_path / "qc.qdpx", _qualcoder(users), {"sources/tr.txt": QUALCODER_TRANSCRIPT.encode()}
    )
    report = import_qdpx(archive, tmp_path / "p.fieldscribe", coder="lead")
    assert _coders(tmp_path / "p.fieldscribe") == ["lead"]
    (note,) = [n for n in report.notes if "no user of the file" in n]
    assert "'lead' (the coder importing the file)" in note


def _export(users: list[tuple[str, str]], selections: str) -> str:
    listed = "".join(f'<User guid="{g}" name="{n}"/>' for g, n in users)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Команда" origin="NVivo 14">
<Users>{listed}</Users>
<CodeBook><Codes><Code guid="{CODE}" name="Амандасу" isCodable="true" color="#FF8000"/></Codes></CodeBook>
<Sources><TextSource guid="{SRC}" name="Сұхбат" plainTextPath="internal://{SRC}.txt">
{selections}</TextSource></Sources></Project>"""


def test_a_second_coders_export_of_the_same_project_adds_their_codings(tmp_path: Path) -> None:
    """Each coder codes a copy of one NVivo project and exports it; the lead imports both to
    measure agreement. The second file's source was recognised (same GUID) and "kept as it is,
    with its codings": the second coder's codings were dropped, agreement had one coder."""
    anna, bolat = "1A000000-0000-4000-8000-000000000001", "1A000000-0000-4000-8000-000000000002"
    coded_anna, coded_bolat = [0, 1], [0, 1, 3]
    text = {f"sources/{SRC}.txt": b"\xff\xfe" + TEXT.encode("utf-16-le")}
    first = write_qdpx(
        tmp_path / "anna.qdpx", _export([(anna, "Анна")], _selections(anna, coded_anna, 0)), text
    )
    # Bolat's copy began as Anna's: it holds her codings too (the same GUIDs)
    second = write_qdpx(
        tmp_path / "bolat.qdpx",
        _export(
            [(anna, "Анна"), (bolat, "Болат")],
            _selections(anna, coded_anna, 0) + _selections(bolat, coded_bolat, 10),
        ),
        text,
    )
    folder = tmp_path / "p.fieldscribe"
    import_qdpx(first, folder, coder="lead")
    with Project.open(folder) as p:
        report = import_qdpx_into(p, second)
    assert report.codings == 3 and report.segments == 0
    assert any("3 codings of it not in the project yet (by 'Болат')" in n for n in report.notes)
    coders, agreement = _agreement(folder)
    assert coders == ["Анна", "Болат"]
    model = cohen_kappa(
        [int(i in coded_anna) for i in range(4)], [int(i in coded_bolat) for i in range(4)]
    )
    assert agreement.overall.kappa.value == model.value  # type: ignore[attr-defined]
    # again: nothing more; a coding the lead deleted does not come back
    with Project.open(folder) as p:
        gone = next(c for c in p.codebook.codings() if c.coder == "Болат")
        p.codebook.remove_coding(gone.id)
        again = import_qdpx_into(p, second)
        assert again.codings == 0 and len(p.codebook.codings()) == 4


def test_codings_of_a_source_edited_since_are_reported_not_placed(tmp_path: Path) -> None:
    """The session's text was edited after the first import: the second coder's coding of the
    edited line no longer fits it, so it is named in the report and not written."""
    anna, bolat = "1A000000-0000-4000-8000-000000000001", "1A000000-0000-4000-8000-000000000002"
    text = {f"sources/{SRC}.txt": TEXT.encode()}
    first = write_qdpx(
        tmp_path / "a.qdpx", _export([(anna, "Анна")], _selections(anna, [0], 0)), text
    )
    second = write_qdpx(
        tmp_path / "b.qdpx", _export([(bolat, "Болат")], _selections(bolat, [1], 10)), text
    )
    folder = tmp_path / "p.fieldscribe"
    import_qdpx(first, folder, coder="lead")
    with Project.open(folder) as p:
        (session,) = p.sessions.all()
        segment = p.transcript.segments(session.id)[1]
        p.transcript.update_segment(segment.id, text="Жақсы.")
        report = import_qdpx_into(p, second)
        assert [c.coder for c in p.codebook.codings()] == ["Анна"]
    assert report.codings == 0
    assert any(
        "1 coding of it that is not in the project was not imported" in n
        for n in report.not_imported
    )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    edited=st.sets(st.integers(0, len(LINES) - 1), max_size=len(LINES)),
    coded=st.lists(st.integers(0, len(LINES) - 1), min_size=1, max_size=4, unique=True),
)
def test_a_second_coders_codings_of_lines_not_edited_since_are_placed(
    tmp_path_factory: pytest.TempPathFactory, edited: set[int], coded: list[int]
) -> None:
    """One corrected word in the lead's copy, or in the coder's (as a colleague coding in NVivo
    fixes a typo before exporting), dropped every coding of the coder's file: "its segments no
    longer hold the file's text", all or none. Now a coding is placed where its segment still
    holds its line, on the same words, and only those of edited lines are left, and said."""
    tmp_path = tmp_path_factory.mktemp("edited")
    anna, bolat = "1A000000-0000-4000-8000-000000000001", "1A000000-0000-4000-8000-000000000002"
    text = {f"sources/{SRC}.txt": TEXT.encode()}
    first = write_qdpx(tmp_path / "a.qdpx", _export([(anna, "Анна")], ""), text)
    second = write_qdpx(
        tmp_path / "b.qdpx", _export([(bolat, "Болат")], _selections(bolat, coded, 10)), text
    )
    folder = tmp_path / "p.fieldscribe"
    import_qdpx(first, folder, coder="lead")
    with Project.open(folder) as p:
        (session,) = p.sessions.all()
        segments = p.transcript.segments(session.id)
        for i in edited:
            p.transcript.update_segment(segments[i].id, text=f"{LINES[i]} (исправлено)")
        report = import_qdpx_into(p, second)
        by_id = {g.id: g for g in p.transcript.segments(session.id)}
        place = {g.id: i for i, g in enumerate(segments)}
        placed = sorted(
            # (the last segment keeps the file's final line end)
            (place[c.segment_id], by_id[c.segment_id].text.rstrip("\n"))
            for c in p.codebook.codings()
        )
    expected = sorted(i for i in coded if i not in edited)
    assert placed == [(i, LINES[i]) for i in expected]  # the whole line each, as coded
    left = len(coded) - len(expected)
    said = [n for n in report.not_imported if "no longer hold the file's text" in n]
    assert len(said) == (1 if left else 0)
    if left:
        assert f"{left} coding" in said[0]


AV_TRANSCRIPT = "Айгүл: Сәлеметсіз бе!\r\nИван: Здравствуйте, начнём.\r\nАйгүл: Жақсы, рахмет.\r\n"


def _av_export(user: tuple[str, str], coded: list[str], first: int, timed: bool = False) -> str:
    """An NVivo audio source whose transcript's selections (of ``coded`` words) are one coder's."""
    guid, name = user
    points = "".join(
        f'<SyncPoint guid="E0000000-0000-4000-8000-00000000000{n}" position="{at}" timeStamp="{n * 3000}"/>'
        for n, at in enumerate([0, AV_TRANSCRIPT.index("Иван"), AV_TRANSCRIPT.rindex("Айгүл")])
    )
    sels = ""
    for n, words in enumerate(coded, first):
        start = AV_TRANSCRIPT.index(words)
        points += (
            f'<SyncPoint guid="E1000000-0000-4000-8000-{n:012d}" position="{start}"/>'
            f'<SyncPoint guid="E2000000-0000-4000-8000-{n:012d}" position="{start + len(words)}"/>'
        )
        sels += (
            f'<TranscriptSelection guid="F0000000-0000-4000-8000-{n:012d}" creatingUser="{guid}" '
            f'fromSyncPoint="E1000000-0000-4000-8000-{n:012d}" toSyncPoint="E2000000-0000-4000-8000-{n:012d}">'
            f'<Coding guid="F1000000-0000-4000-8000-{n:012d}" creatingUser="{guid}"><CodeRef targetGUID="{CODE}"/></Coding></TranscriptSelection>'
        )
    ranges = (
        f'<AudioSelection guid="F2000000-0000-4000-8000-{first:012d}" begin="100" end="200" creatingUser="{guid}">'
        f'<Coding guid="F3000000-0000-4000-8000-{first:012d}" creatingUser="{guid}"><CodeRef targetGUID="{CODE}"/></Coding></AudioSelection>'
        if timed
        else ""
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Команда" origin="NVivo 14">
<Users><User guid="{guid}" name="{name}"/></Users>
<CodeBook><Codes><Code guid="{CODE}" name="Амандасу" isCodable="true"/></Codes></CodeBook>
<Sources><AudioSource guid="{SRC}" name="Жазба" path="internal://a.wav">
<Transcript guid="D1000000-0000-4000-8000-000000000001" plainTextPath="internal://tr.txt">{points}{sels}</Transcript>
{ranges}</AudioSource></Sources></Project>"""


def test_a_second_coders_export_adds_their_codings_of_a_recordings_transcript(
    tmp_path: Path,
) -> None:
    """The same with a recording: a second coder's transcript codings and coded time ranges
    were dropped with the source recognised."""
    anna, bolat = (
        ("1A000000-0000-4000-8000-000000000001", "Анна"),
        ("1A000000-0000-4000-8000-000000000002", "Болат"),
    )
    text = {"sources/tr.txt": AV_TRANSCRIPT.encode("utf-8-sig")}
    first = write_qdpx(
        tmp_path / "a.qdpx", _av_export(anna, ["Сәлеметсіз бе", "Здравствуйте"], 0), text
    )
    second = write_qdpx(
        tmp_path / "b.qdpx",
        _av_export(bolat, ["Сәлеметсіз бе", "Жақсы, рахмет"], 10, timed=True),
        text,
    )
    folder = tmp_path / "p.fieldscribe"
    import_qdpx(first, folder, coder="lead")
    with Project.open(folder) as p:
        report = import_qdpx_into(p, second)
        (session,) = p.sessions.all()
        segments = {g.id: g.text for g in p.transcript.segments(session.id)}
        got = sorted(
            (c.coder, segments[c.segment_id][c.start_cp : c.end_cp]) for c in p.codebook.codings()
        )
    assert report.codings == 3
    assert got == [
        ("Анна", "Здравствуйте"),
        ("Анна", "Сәлеметсіз бе"),
        ("Болат", "Жақсы, рахмет"),
        ("Болат", "Сәлеметсіз бе"),
        ("Болат", "Сәлеметсіз бе!"),  # the time range 100-200 ms: the whole first segment
    ]
    coders, _agreement_report = _agreement(folder)
    assert coders == ["Анна", "Болат"]


def test_a_recordings_second_export_places_the_codings_of_segments_not_edited_since(
    tmp_path: Path,
) -> None:
    """The lead corrected one segment after the first import: the second coder's transcript
    codings of the other segments were dropped with it ("its segments no longer hold the
    file's text"); now only the one of the corrected segment is left, and said; the coded time
    range waits with it (it would land on the corrected segment)."""
    anna, bolat = (
        ("1A000000-0000-4000-8000-000000000001", "Анна"),
        ("1A000000-0000-4000-8000-000000000002", "Болат"),
    )
    text = {"sources/tr.txt": AV_TRANSCRIPT.encode("utf-8-sig")}
    first = write_qdpx(tmp_path / "a.qdpx", _av_export(anna, ["Сәлеметсіз бе"], 0), text)
    second = write_qdpx(
        tmp_path / "b.qdpx",
        _av_export(bolat, ["Здравствуйте", "Жақсы, рахмет"], 10, timed=True),
        text,
    )
    folder = tmp_path / "p.fieldscribe"
    import_qdpx(first, folder, coder="lead")
    with Project.open(folder) as p:
        (session,) = p.sessions.all()
        segment = p.transcript.segments(session.id)[1]
        p.transcript.update_segment(segment.id, text="Здравствуйте, начнём!")
        report = import_qdpx_into(p, second)
        segments = {g.id: g.text for g in p.transcript.segments(session.id)}
        got = sorted(
            (c.coder, segments[c.segment_id][c.start_cp : c.end_cp]) for c in p.codebook.codings()
        )
    assert got == [("Анна", "Сәлеметсіз бе"), ("Болат", "Жақсы, рахмет")]
    (said,) = [n for n in report.not_imported if "no longer hold the file's text" in n]
    assert "some of its segments" in said and "2 codings of it that are not" in said


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    anna_lines=st.sets(st.integers(0, 3)),
    bolat_lines=st.sets(st.integers(0, 3)),
    kept=st.sets(st.integers(0, 3)),
    order=st.booleans(),
)
def test_coders_exports_imported_one_after_another_hold_every_coders_codings(
    tmp_path_factory: pytest.TempPathFactory,
    anna_lines: set[int],
    bolat_lines: set[int],
    kept: set[int],
    order: bool,
) -> None:
    """Against a model (the set of each coder's coded lines): whatever the order of the files,
    and though the second coder's copy holds some of the first's codings (the same GUIDs),
    the project ends with each coder's codings once; importing a file again adds nothing."""
    tmp = tmp_path_factory.mktemp("team")
    anna, bolat = "1A000000-0000-4000-8000-000000000001", "1A000000-0000-4000-8000-000000000002"
    users = [(anna, "Анна"), (bolat, "Болат")]
    text = {f"sources/{SRC}.txt": TEXT.encode("utf-8-sig")}

    def anna_sels(lines: set[int]) -> str:
        return "".join(_selections(anna, [n], n) for n in sorted(lines))

    files = [
        write_qdpx(tmp / "a.qdpx", _export(users, anna_sels(anna_lines)), text),
        write_qdpx(
            tmp / "b.qdpx",
            _export(
                users,
                anna_sels(anna_lines & kept)
                + "".join(_selections(bolat, [n], 10 + n) for n in sorted(bolat_lines)),
            ),
            text,
        ),
    ]
    if order:
        files.reverse()
    folder = tmp / "p.fieldscribe"
    import_qdpx(files[0], folder, coder="lead")
    with Project.open(folder) as p:
        import_qdpx_into(p, files[1])
        assert import_qdpx_into(p, files[0]).codings == 0
        assert import_qdpx_into(p, files[1]).codings == 0
        (session,) = p.sessions.all()
        index = {g.id: i for i, g in enumerate(p.transcript.segments(session.id))}
        got = sorted((c.coder, index[c.segment_id]) for c in p.codebook.codings())
    model_anna = anna_lines | (anna_lines & kept)
    assert got == sorted([("Анна", n) for n in model_anna] + [("Болат", n) for n in bolat_lines])


def test_a_code_renamed_in_the_second_file_is_said_not_silently_kept(tmp_path: Path) -> None:
    """A colleague renamed a code in their copy before exporting: the import reused the code
    by its GUID and kept this project's name without a word ("0 new codes (1 reused)")."""
    anna, bolat = "1A000000-0000-4000-8000-000000000001", "1A000000-0000-4000-8000-000000000002"
    text = {f"sources/{SRC}.txt": TEXT.encode()}
    first = write_qdpx(
        tmp_path / "a.qdpx", _export([(anna, "Анна")], _selections(anna, [0], 0)), text
    )
    renamed = _export([(bolat, "Болат")], _selections(bolat, [0], 10)).replace(
        'name="Амандасу"', 'name="Сәлемдесу"'
    )
    second = write_qdpx(tmp_path / "b.qdpx", renamed, text)
    folder = tmp_path / "p.fieldscribe"
    import_qdpx(first, folder, coder="lead")
    with Project.open(folder) as p:
        report = import_qdpx_into(p, second)
        assert [c.path for c in p.codebook.codes()] == ["Амандасу"]
        assert len(p.codebook.codings()) == 2
    assert report.codes_reused == 1
    assert (
        "Code 'Сәлемдесу' is 'Амандасу' in this project (the same code, by its GUID): its "
        "codings are 'Амандасу''s, and the name here was kept." in report.notes
    )


def test_a_second_exports_coding_without_its_sync_points_is_said(tmp_path: Path) -> None:
    """In a second coder's export of a recording the project already holds, a transcript
    selection naming sync points the file does not have was dropped without a word (the
    first import of such a file said it)."""
    anna, bolat = (
        ("1A000000-0000-4000-8000-000000000001", "Анна"),
        ("1A000000-0000-4000-8000-000000000002", "Болат"),
    )
    text = {"sources/tr.txt": AV_TRANSCRIPT.encode("utf-8-sig")}
    first = write_qdpx(tmp_path / "a.qdpx", _av_export(anna, ["Сәлеметсіз бе"], 0), text)
    broken = _av_export(bolat, ["Жақсы, рахмет"], 10).replace(
        'toSyncPoint="E2000000-0000-4000-8000-000000000010"',
        'toSyncPoint="E9999999-0000-4000-8000-000000000010"',
    )
    second = write_qdpx(tmp_path / "b.qdpx", broken, text)
    folder = tmp_path / "p.fieldscribe"
    import_qdpx(first, folder, coder="lead")
    with Project.open(folder) as p:
        report = import_qdpx_into(p, second)
        assert [c.coder for c in p.codebook.codings()] == ["Анна"]
    (said,) = [n for n in report.not_imported if "sync points" in n]
    assert "a coding ('Амандасу') names sync points the file does not have" in said


def test_codings_naming_users_of_a_file_without_a_user_list_keep_their_coders(
    tmp_path: Path,
) -> None:
    """A file without <Users> whose codings name two users by GUID: every coding went to the
    coder importing the file, as if the lead had coded them all, and agreement had one coder."""
    anna, bolat = "1A000000-0000-4000-8000-000000000001", "2B000000-0000-4000-8000-000000000002"
    qde = _export([], _selections(anna, [0, 1], 0) + _selections(bolat, [1, 2], 10))
    archive = write_qdpx(tmp_path / "n.qdpx", qde, {f"sources/{SRC}.txt": TEXT.encode()})
    report = import_qdpx(archive, tmp_path / "p.fieldscribe", coder="lead")
    with Project.open(tmp_path / "p.fieldscribe", readonly=True) as p:
        coded = sorted((c.coder, c.segment_id) for c in p.codebook.codings())
    assert [c for c, _ in coded] == ["user 1a000000"] * 2 + ["user 2b000000"] * 2
    coders, _report = _agreement(tmp_path / "p.fieldscribe")
    assert coders == ["user 1a000000", "user 2b000000"]
    assert (
        "The file lists no users, but 4 codings name 2 users by GUID: each is a coder here "
        "('user 1a000000', 'user 2b000000'): check the coders before measuring agreement."
    ) in report.notes
