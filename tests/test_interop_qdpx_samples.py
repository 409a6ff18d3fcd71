"""Import of REFI-QDA projects shaped like other tools' output (hand-written samples)."""

# ruff: noqa: E501  (test data: XML and HTML as the tools write it)
from __future__ import annotations

from pathlib import Path

import pytest

from storage import Project
from storage.interop import import_qdpx
from tests.interop_support import make_wav, write_qdpx

U1 = "2b3e6c2a-1111-4a5b-9c0d-000000000001"
U2 = "{2B3E6C2A-1111-4A5B-9C0D-000000000002}"  # braces and upper case, as NVivo writes them
C_ROOT = "a1000000-0000-4000-8000-000000000001"
C_CHILD = "a1000000-0000-4000-8000-000000000002"
C_OTHER = "a1000000-0000-4000-8000-000000000003"
SRC = "b1000000-0000-4000-8000-000000000001"
VAR_AGE = "c1000000-0000-4000-8000-000000000001"
VAR_GENDER = "c1000000-0000-4000-8000-000000000002"
NOTE1 = "d1000000-0000-4000-8000-000000000001"
NOTE2 = "d1000000-0000-4000-8000-000000000002"

INTERVIEW = (
    "I: How do you get to the clinic?\nB: By bus, usually. It takes an hour.\n\nI: Thanks.\n"
)


def _positions(text: str, fragment: str) -> tuple[int, int]:
    start = text.index(fragment)
    return start, start + len(fragment)


def qualcoder_qde() -> str:
    s1, e1 = _positions(INTERVIEW, "By bus, usually.")
    s2, e2 = _positions(INTERVIEW, "B: By bus, usually. It takes an hour.")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 name="qc_project" origin="QualCoder-3.5" creatingUserGUID="{U1}"
 creationDateTime="2024-03-01T10:00:00Z">
<Users><User guid="{U1}" name="default"/><User guid="{U2}" name="jo"/></Users>
<CodeBook><Codes>
<Code guid="{C_ROOT}" name="Transport" isCodable="true" color="#F0A">
 <Description>Getting around</Description>
 <Code guid="{C_CHILD}" name="Bus" isCodable="true" color="#00AA00"/>
</Code>
<Code guid="{C_OTHER}" name="Time" isCodable="true" color="#0000FF"/>
</Codes></CodeBook>
<Variables>
<Variable guid="{VAR_AGE}" name="Age" typeOfVariable="Integer"/>
</Variables>
<Cases>
<Case guid="e1000000-0000-4000-8000-000000000001" name="B">
 <VariableValue><VariableRef targetGUID="{VAR_AGE}"/><IntegerValue>42</IntegerValue></VariableValue>
 <SourceRef targetGUID="{SRC}"/>
</Case>
</Cases>
<Sources>
<TextSource guid="{SRC}" name="interview1.txt" plainTextPath="internal://{SRC}.txt"
 creatingUser="{U1}" creationDateTime="2024-03-01T10:00:00Z">
 <PlainTextSelection guid="f1000000-0000-4000-8000-000000000001" name="By bus"
  startPosition="{s1}" endPosition="{e1}" creatingUser="{U2}" creationDateTime="2024-03-02T10:00:00Z">
  <Description>mode of transport</Description>
  <Coding guid="f2000000-0000-4000-8000-000000000001" creatingUser="{U2}">
   <CodeRef targetGUID="{C_CHILD}"/>
  </Coding>
 </PlainTextSelection>
 <PlainTextSelection guid="f1000000-0000-4000-8000-000000000002" startPosition="{s2}"
  endPosition="{e2}" creatingUser="{U1}">
  <Coding guid="f2000000-0000-4000-8000-000000000002" creatingUser="{U1}">
   <CodeRef targetGUID="{C_OTHER}"/>
  </Coding>
  <NoteRef targetGUID="{NOTE2}"/>
 </PlainTextSelection>
 <NoteRef targetGUID="{NOTE1}"/>
</TextSource>
<PictureSource guid="b1000000-0000-4000-8000-000000000009" name="map.png" path="internal://map.png">
 <PictureSelection guid="f1000000-0000-4000-8000-000000000009" firstX="1" firstY="1" secondX="5" secondY="5">
  <Coding guid="f2000000-0000-4000-8000-000000000009"><CodeRef targetGUID="{C_ROOT}"/></Coding>
 </PictureSelection>
</PictureSource>
</Sources>
<Notes>
<Note guid="{NOTE1}" name="File memo" creatingUser="{U1}"><PlainTextContent>Recorded at home.</PlainTextContent></Note>
<Note guid="{NOTE2}" name="Annotation" creatingUser="{U1}"><PlainTextContent>Long trip!</PlainTextContent></Note>
<Note guid="d1000000-0000-4000-8000-000000000003" name="Journal"><PlainTextContent>Week 1.</PlainTextContent></Note>
</Notes>
<Sets><Set guid="e9000000-0000-4000-8000-000000000001" name="Set 1"><MemberCode targetGUID="{C_ROOT}"/></Set></Sets>
</Project>"""


def test_qualcoder_style_text_source(tmp_path: Path) -> None:
    archive = write_qdpx(
        tmp_path / "qc.qdpx",
        qualcoder_qde(),
        {f"sources/{SRC}.txt": INTERVIEW.encode("utf-8")},
    )
    report = import_qdpx(archive, tmp_path / "qc.fieldscribe", coder="me")
    with Project.open(tmp_path / "qc.fieldscribe", readonly=True) as p:
        (session,) = p.sessions.all()
        assert session.kind == "observation" and session.title == "interview1.txt"
        assert p.sessions.media_for_session(session.id) == []
        segs = p.transcript.segments(session.id)
        # a transcript (every line "NAME: "); blank lines stay with the line before (issue 17)
        assert [(s.speaker, s.text) for s in segs] == [
            ("I", "How do you get to the clinic?"),
            ("B", "By bus, usually. It takes an hour.\n"),
            ("I", "Thanks.\n"),
        ]
        assert all(s.origin == "import" for s in segs)
        codes = {c.path: c for c in p.codebook.codes()}
        assert set(codes) == {"Transport", "Transport/Bus", "Time"}
        assert codes["Transport"].colour == "#ff00aa"
        assert codes["Transport"].description == "Getting around"
        codings = {p.codebook.get_code(c.code_id).path: c for c in p.codebook.codings()}
        bus = codings["Transport/Bus"]
        assert (bus.segment_id, bus.start_cp, bus.end_cp) == (segs[1].id, 0, 16)
        assert bus.coder == "jo" and bus.memo == "mode of transport"
        # the speaker prefix "B: " is not text: the selection is the whole segment
        time = codings["Time"]
        assert (time.segment_id, time.start_cp, time.end_cp, time.coder) == (
            segs[1].id, None, None, "default")  # fmt: skip
        (b,) = p.sessions.participants()
        assert (b.pseudonym, b.attributes) == ("B", {"Age": "42"})
        assert {s.label: s.participant_id for s in p.sessions.session_speakers(session.id)}[
            "B"
        ] == b.id
        memos = {m.text: (m.target_type, m.target_id) for m in p.codebook.memos()}
        assert memos["Recorded at home."] == ("session", session.id)
        # a note on a coded passage is the coding's memo (a memo row on it showed nowhere)
        assert "Long trip!" not in memos
        assert time.memo == "Annotation: Long trip!"
        assert memos["Week 1."] == ("journal", None)
    text = report.describe()
    assert "PictureSource 'map.png'" in text and "(1 coded area not imported)" in text
    assert "1 set of codes ('Set 1': 1 code)" in text  # it read "1 sets"


MAXQDA_TEXT = "Interviewer: Was machen Sie beruflich?\r\nBefragte: Ich bin Pflegerin.\r\n"


def test_maxqda_style_cases_and_variables(tmp_path: Path) -> None:
    s, e = _positions(MAXQDA_TEXT, "Pflegerin")
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="MAXQDA Projekt" origin="MAXQDA 2022">
<Users><User guid="{U1}" name="anna"/></Users>
<CodeBook><Codes><Code guid="{C_ROOT}" name="Beruf" isCodable="true" color="#FF0000"/></Codes></CodeBook>
<Variables>
<Variable guid="{VAR_AGE}" name="Alter" typeOfVariable="Integer"/>
<Variable guid="{VAR_GENDER}" name="Geschlecht" typeOfVariable="Text"/>
</Variables>
<Cases>
<Case guid="{C_OTHER}">
 <VariableValue><VariableRef targetGUID="{VAR_AGE}"/><IntegerValue>51</IntegerValue></VariableValue>
 <VariableValue><VariableRef targetGUID="{VAR_GENDER}"/><TextValue>w</TextValue></VariableValue>
 <SourceRef targetGUID="{SRC}"/>
</Case>
</Cases>
<Sources>
<TextSource guid="{SRC}" name="Interview 07" plainTextPath="internal://{SRC}.txt">
 <PlainTextSelection guid="f1000000-0000-4000-8000-000000000001" startPosition="{s}" endPosition="{e}">
  <Coding guid="f2000000-0000-4000-8000-000000000001" creatingUser="{U1}"><CodeRef targetGUID="{C_ROOT}"/></Coding>
 </PlainTextSelection>
 <VariableValue><VariableRef targetGUID="{VAR_GENDER}"/><TextValue>w</TextValue></VariableValue>
</TextSource>
</Sources>
</Project>"""
    archive = write_qdpx(
        tmp_path / "mx.qdpx", qde, {f"Sources/{SRC}.txt": MAXQDA_TEXT.encode("utf-8-sig")}
    )
    report = import_qdpx(archive, tmp_path / "mx.fieldscribe", coder="me")
    with Project.open(tmp_path / "mx.fieldscribe", readonly=True) as p:
        (session,) = p.sessions.all()
        segs = p.transcript.segments(session.id)
        assert [(g.speaker, g.text) for g in segs] == [  # CRLF kept aside (exchange_meta)
            ("Interviewer", "Was machen Sie beruflich?"), ("Befragte", "Ich bin Pflegerin.\n")]  # fmt: skip
        (coding,) = p.codebook.codings()
        assert coding.segment_id == segs[1].id and coding.coder == "anna"
        assert segs[1].text[coding.start_cp : coding.end_cp] == "Pflegerin"
        # a MAXQDA case without a name and with one source holds that document's variables
        # (MAXQDA and Quirkos write document variables so): no participant
        assert p.sessions.participants() == []
        assert (session.notes or "").splitlines() == ["Geschlecht: w", "Alter: 51"]
    assert any("session notes" in n for n in report.notes)


def test_atlas_style_audio_source_with_transcript(tmp_path: Path) -> None:
    wav = make_wav(tmp_path / "audio", "One two three four five six seven eight nine ten.")
    transcript = "[00:00:00] Interviewer: Count please.\n[00:00:01] Anna: One two three.\n"
    s1, _ = _positions(transcript, "Count")
    s2, e2 = _positions(transcript, "One two three.")
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="atlas" origin="ATLAS.ti">
<Users><User guid="{U1}" name="lee"/></Users>
<CodeBook><Codes><Code guid="{C_ROOT}" name="Counting" isCodable="true"/></Codes></CodeBook>
<Sources>
<AudioSource guid="{SRC}" name="count.wav" path="internal://rec.wav">
 <Transcript guid="b2000000-0000-4000-8000-000000000001" name="count transcript"
  plainTextPath="internal://tr.txt">
  <SyncPoint guid="90000000-0000-4000-8000-000000000001" position="{s2}" timeStamp="1200"/>
  <SyncPoint guid="90000000-0000-4000-8000-000000000002" position="{e2}" timeStamp="2500"/>
  <TranscriptSelection guid="f1000000-0000-4000-8000-000000000001"
   fromSyncPoint="90000000-0000-4000-8000-000000000001" toSyncPoint="90000000-0000-4000-8000-000000000002">
   <Coding guid="f2000000-0000-4000-8000-000000000001" creatingUser="{U1}"><CodeRef targetGUID="{C_ROOT}"/></Coding>
  </TranscriptSelection>
 </Transcript>
 <AudioSelection guid="f1000000-0000-4000-8000-000000000002" begin="100" end="900" name="intro">
  <Coding guid="f2000000-0000-4000-8000-000000000002" creatingUser="{U1}"><CodeRef targetGUID="{C_ROOT}"/></Coding>
 </AudioSelection>
</AudioSource>
<VideoSource guid="b1000000-0000-4000-8000-000000000002" name="clip.mp4" path="absolute:///home/x/clip.mp4"/>
</Sources>
</Project>"""
    archive = write_qdpx(
        tmp_path / "atlas.qdpx",
        qde,
        {"sources/rec.wav": wav.read_bytes(), "sources/tr.txt": transcript.encode()},
    )
    report = import_qdpx(archive, tmp_path / "atlas.fieldscribe", coder="me")
    assert s1 > 0
    with Project.open(tmp_path / "atlas.fieldscribe", readonly=True) as p:
        audio = p.sessions.get_session(SRC)
        assert audio.duration_ms > 1000 and p.sessions.media_path(SRC).is_file()
        segs = p.transcript.segments(SRC)
        assert [(g.start_ms, g.speaker, g.text) for g in segs] == [
            (0, "Interviewer", "Count please."), (1200, "Anna", "One two three.")]  # fmt: skip
        assert segs[1].end_ms == 2500 and segs[0].end_ms == 1200
        codings = p.codebook.codings(session_id=SRC)
        assert {(c.segment_id, c.start_cp) for c in codings} == {
            (segs[1].id, None), (segs[0].id, None)}  # fmt: skip
    assert any("clip.mp4" in n and "not inside the archive" in n for n in report.not_imported)
    assert any("time range 100-900" in n for n in report.notes)


@pytest.mark.parametrize("missing", ["code", "sync"])
def test_dangling_references_are_reported(tmp_path: Path, missing: str) -> None:
    code_ref = "a9999999-0000-4000-8000-000000000001" if missing == "code" else C_ROOT
    sync_ref = "99999999-0000-4000-8000-000000000001" if missing == "sync" else (
        "90000000-0000-4000-8000-000000000001")  # fmt: skip
    qde = f"""<Project xmlns="urn:QDA-XML:project:1.0" name="x">
<CodeBook><Codes><Code guid="{C_ROOT}" name="A" isCodable="true"/></Codes></CodeBook>
<Sources><AudioSource guid="{SRC}" name="a" path="internal://none.wav">
<Transcript guid="b2000000-0000-4000-8000-000000000001"><PlainTextContent>Hello.</PlainTextContent>
<SyncPoint guid="90000000-0000-4000-8000-000000000001" position="0" timeStamp="0"/>
<SyncPoint guid="90000000-0000-4000-8000-000000000002" position="6" timeStamp="900"/>
<TranscriptSelection guid="f1000000-0000-4000-8000-000000000001"
 fromSyncPoint="{sync_ref}" toSyncPoint="90000000-0000-4000-8000-000000000002">
<Coding guid="f2000000-0000-4000-8000-000000000001"><CodeRef targetGUID="{code_ref}"/></Coding>
</TranscriptSelection></Transcript></AudioSource></Sources></Project>"""
    report = import_qdpx(write_qdpx(tmp_path / "d.qdpx", qde), tmp_path / "d", coder="me")
    assert report.codings == 0 and report.segments == 1
    # a missing sync point is said by the coding's code, not by the selection's GUID alone
    expected = (
        "not in the codebook"
        if missing == "code"
        else "a coding ('A') names sync points the file does not have"
    )
    assert any(expected in n for n in report.not_imported), report.not_imported


def test_maxqda_marks_opening_lines_give_their_times(tmp_path: Path) -> None:
    """MAXQDA puts a timestamp where the cursor is, often before a line's words
    ("#00:00:01-0# Interviewer: ..."; tenths after the dash): such a line had no time (0 ms)."""
    text = "#00:00:01-0# Interviewer: Hello.\r\n#00:00:02-5# Әлия: Сәлем.\r\nӘлия: Иә.\r\n"
    qde = (
        '<?xml version="1.0" encoding="utf-8"?><Project origin="MAXQDA 2020 (Release 20.4.2)" '
        'xmlns="urn:QDA-XML:project:1.0" name="New project"><Sources><TextSource '
        f'plainTextPath="internal://D.txt" guid="{SRC}" name="Video-transcript"/></Sources></Project>'
    )
    archive = write_qdpx(tmp_path / "m.qdpx", qde, {"sources/D.txt": text.encode("utf-8-sig")})
    import_qdpx(archive, tmp_path / "m.fieldscribe", coder="me")
    with Project.open(tmp_path / "m.fieldscribe", readonly=True) as p:
        (session,) = p.sessions.all()
        segments = p.transcript.segments(session.id)
    assert [(g.start_ms, g.end_ms) for g in segments] == [(1000, 2500), (2500, 2500), (2500, 2500)]
    # the marks stay in the text, the labels after them are the speakers (every character
    # comes back on export: test_interop_qdpx_maxqda_marks)
    assert [(g.speaker, g.text) for g in segments] == [
        ("Interviewer", "#00:00:01-0# Hello."),
        ("Әлия", "#00:00:02-5# Сәлем."),
        ("Әлия", "Иә.\n"),
    ]
