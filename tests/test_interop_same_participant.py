"""A second import of another tool's file naming a participant already in the project (the same
name, whatever its letter case) reuses that participant: one "Ерлан Б.", not two, with the
speakers and codings of both files linked to it."""

from __future__ import annotations

import zipfile
from pathlib import Path

from storage import Project
from storage.interop import import_qdpx
from storage.interop.codings_export import coding_rows
from storage.interop.transcript_import import import_transcript_as_session
from tests.interop_support import make_wav

QDE = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="market" origin="QualCoder-3.5">
<CodeBook><Codes><Code guid="{n}c000000-0000-4000-8000-000000000001" name="trade"
 isCodable="true"/></Codes></CodeBook>
<Variables><Variable guid="{n}d000000-0000-4000-8000-000000000001" name="{var}"
 typeOfVariable="Text"/></Variables>
<Cases><Case guid="{n}e000000-0000-4000-8000-000000000001" name="{case}">
<VariableValue><VariableRef targetGUID="{n}d000000-0000-4000-8000-000000000001"/>
<TextValue>{value}</TextValue></VariableValue>
<SourceRef targetGUID="{n}a000000-0000-4000-8000-000000000001"/></Case></Cases>
<Sources><AudioSource guid="{n}a000000-0000-4000-8000-000000000001" name="{title}.wav"
 path="internal://{n}a.wav">
<Transcript plainTextPath="internal://{n}t.txt" guid="{n}b000000-0000-4000-8000-000000000001"
 name="{title}.transcribed">
<SyncPoint guid="{n}f000000-0000-4000-8000-000000000000" position="0" timeStamp="0"/>
<SyncPoint guid="{n}f000000-0000-4000-8000-000000000001" position="{p}" timeStamp="1000"/>
<SyncPoint guid="{n}f000000-0000-4000-8000-000000000002" position="{q}" timeStamp="1000"/>
<TranscriptSelection guid="{n}f000000-0000-4000-8000-000000000003" name="trade"
 fromSyncPoint="{n}f000000-0000-4000-8000-000000000001"
 toSyncPoint="{n}f000000-0000-4000-8000-000000000002">
<Coding guid="{n}f000000-0000-4000-8000-000000000004"><CodeRef
 targetGUID="{n}c000000-0000-4000-8000-000000000001"/></Coding></TranscriptSelection>
</Transcript></AudioSource></Sources></Project>"""


def _archive(tmp_path: Path, n: str, title: str, case: str, var: str, value: str) -> Path:
    """A QualCoder-like export whose GUIDs all start with ``n`` (another file, other GUIDs):
    one recording, its transcript with a line of ``case``'s, coded, and the case."""
    text = f"[00:00:00] Interviewer: Айтыңызшы.\n[00:00:01] {case}: Базарда сауда жақсы.\n"
    p = text.index("Базарда")
    archive = tmp_path / f"{title}.qdpx"
    qde = QDE.format(n=n, title=title, case=case, var=var, value=value, p=p, q=p + 7)
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("project.qde", qde)
        zf.writestr(f"sources/{n}t.txt", text.encode())
        zf.write(make_wav(tmp_path / f"rec-{n}"), f"sources/{n}a.wav")
    return archive


def test_a_case_named_as_a_participant_here_reuses_it(tmp_path: Path) -> None:
    folder = tmp_path / "p.fieldscribe"
    first = _archive(tmp_path, "1", "market", "Ерлан Б.", "Age", "34")
    second = _archive(tmp_path, "2", "bazaar", "ерлан б.", "Region", "Алматы")
    import_qdpx(first, folder, coder="me")
    report = import_qdpx(second, folder, coder="me")
    assert report.participants == 0
    assert any("'Ерлан Б.'" in n and "reused, not added again" in n for n in report.notes)
    with Project.open(folder, readonly=True) as proj:
        (person,) = proj.sessions.participants()
        assert person.pseudonym == "Ерлан Б."  # the project's spelling kept
        assert person.attributes == {"Age": "34", "Region": "Алматы"}  # the one it lacked added
        mapped = {
            (s.title, sp.label): sp.participant_id
            for s in proj.sessions.all()
            for sp in proj.sessions.session_speakers(s.id)
        }
        assert mapped[("market.wav", "Ерлан Б.")] == person.id
        assert mapped[("bazaar.wav", "ерлан б.")] == person.id
        _columns, rows = coding_rows(proj)
        assert sorted((r["session"], r["participant"]) for r in rows) == [
            ("bazaar.wav", "Ерлан Б."),
            ("market.wav", "Ерлан Б."),
        ]


def test_the_same_file_imported_twice_keeps_one_participant(tmp_path: Path) -> None:
    folder = tmp_path / "p.fieldscribe"
    archive = _archive(tmp_path, "1", "market", "Ерлан Б.", "Age", "34")
    import_qdpx(archive, folder, coder="me")
    import_qdpx(archive, folder, coder="me")
    with Project.open(folder, readonly=True) as proj:
        assert [p.pseudonym for p in proj.sessions.participants()] == ["Ерлан Б."]


def test_a_transcript_speaker_named_as_a_participant_is_linked_to_it(tmp_path: Path) -> None:
    """A transcript naming "ерлан б." in a project that knows the participant "Ерлан Б." links
    its speaker to that participant (none added); a numbered diarisation label ("Speaker 1")
    stays this recording's voice even where a participant bears that name."""
    folder = tmp_path / "t.fieldscribe"
    with Project.create(folder, coder="lead") as proj:
        erlan = proj.sessions.add_participant("Ерлан Б.")
        proj.sessions.add_participant("Speaker 1")
    vtt = tmp_path / "bazaar.vtt"
    vtt.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v ерлан б.>Базарда сауда жақсы.\n\n"
        "00:00:04.000 --> 00:00:06.000\n<v Speaker 1>Рақмет.\n",
        encoding="utf-8",
    )
    with Project.open(folder) as proj:
        sid, result = import_transcript_as_session(proj, vtt)
        assert any("'Ерлан Б.'" in n and "none added" in n for n in result.notes)
        assert len(proj.sessions.participants()) == 2
        mapped = {sp.label: sp.participant_id for sp in proj.sessions.session_speakers(sid)}
        assert mapped == {"ерлан б.": erlan.id, "Speaker 1": None}
