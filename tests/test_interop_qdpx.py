"""REFI-QDA export: schema validity, stable GUIDs, media inside, and the FieldScribe round trip."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from cli import main as cli_main
from storage import Project
from storage.interop import export_qdpx, import_qdpx
from tests.interop_support import SCHEMA, build_project, make_wav, project_content


@pytest.fixture(scope="module")
def wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_wav(tmp_path_factory.mktemp("audio"))


@pytest.fixture()
def project(tmp_path: Path, wav: Path) -> tuple[Path, dict[str, str]]:
    folder = tmp_path / "study.fieldscribe"
    return folder, build_project(folder, wav)


def _qde(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read("project.qde")


NS = {"q": "urn:QDA-XML:project:1.0"}


def test_export_is_valid_against_the_refi_schema(project, tmp_path: Path) -> None:
    folder, ids = project
    out = tmp_path / "study.qdpx"
    with Project.open(folder, readonly=True) as p:
        summary = export_qdpx(p, out)
    assert summary.sources == 2 and summary.codings == 4 and summary.media_files == 1
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    doc = etree.fromstring(_qde(out))
    assert schema.validate(doc), schema.error_log
    # nested codebook with colour and description
    trust = doc.find(".//q:Code[@name='Trust']", NS)
    assert trust is not None and trust.get("color") == "#123ABC"
    assert trust.findtext("q:Description", namespaces=NS) == "Trust in institutions"
    assert doc.find(".//q:Code[@name='Public services']/q:Code[@name='Health']", NS) is not None
    # the audio session is an AudioSource whose media and transcript are inside the zip
    audio = doc.find(".//q:AudioSource", NS)
    assert audio is not None and audio.get("guid") == ids["session"]
    names = zipfile.ZipFile(out).namelist()
    assert audio.get("path").startswith("internal://")
    assert "sources/" + audio.get("path").removeprefix("internal://") in names
    transcript = audio.find("q:Transcript", NS)
    text_member = "sources/" + transcript.get("plainTextPath").removeprefix("internal://")
    text = zipfile.ZipFile(out).read(text_member).decode()
    # SPEAKER_00 is linked to the participant Anna: the transcript names her by pseudonym
    assert text.splitlines()[0] == "Anna: Hello, this is a short interview"
    # a sync point at each segment's text start and end, with times
    sync = {
        sp.get("guid"): (int(sp.get("position")), int(sp.get("timeStamp")))
        for sp in transcript.findall("q:SyncPoint", NS)
    }
    assert (len("Anna: "), 0) in sync.values()
    # the span coding covers exactly its words
    span_sel = next(
        sel
        for sel in transcript.findall("q:TranscriptSelection", NS)
        if sel.findtext("q:Description", namespaces=NS) == "key phrase"
    )
    start = sync[span_sel.get("fromSyncPoint")][0]
    end = sync[span_sel.get("toSyncPoint")][0]
    assert text[start:end] == "public services"
    # participants/speakers as cases with variables; memos as notes; the text session
    anna = doc.find(".//q:Case[@name='Anna']", NS)
    assert anna is not None and len(anna.findall("q:VariableValue", NS)) == 2
    assert doc.find(".//q:Case[@name='SPEAKER_01']", NS) is not None
    assert len(doc.findall(".//q:Notes/q:Note", NS)) == 4
    assert doc.find(".//q:TextSource[@name='Field notes']/q:PlainTextSelection", NS) is not None
    assert doc.find(".//q:AudioSelection[@name='Marker: laughter']", NS) is not None


def test_exporting_twice_gives_the_same_guids(project, tmp_path: Path) -> None:
    folder, _ids = project
    with Project.open(folder, readonly=True) as p:
        export_qdpx(p, tmp_path / "a.qdpx")
        export_qdpx(p, tmp_path / "b.qdpx")
    a, b = _qde(tmp_path / "a.qdpx"), _qde(tmp_path / "b.qdpx")
    guids_a = re.findall(rb'(?:guid|GUID)="([^"]+)"', a)
    guids_b = re.findall(rb'(?:guid|GUID)="([^"]+)"', b)
    assert guids_a and guids_a == guids_b
    assert len(set(re.findall(rb' guid="([^"]+)"', a))) == len(re.findall(rb' guid="([^"]+)"', a))
    assert a == b


def test_round_trip_keeps_every_segment_code_and_coding(project, tmp_path: Path) -> None:
    folder, ids = project
    out = tmp_path / "study.qdpx"
    with Project.open(folder, readonly=True) as p:
        export_qdpx(p, out)
    back = tmp_path / "back.fieldscribe"
    report = import_qdpx(out, back, coder="carol")
    assert not report.not_imported, report.not_imported
    before, after = project_content(folder), project_content(back)
    before_obs = before["sessions"].pop("Field notes")
    after_obs = after["sessions"].pop("Field notes")
    # a speaker linked to a participant travels under the participant's pseudonym
    linked = {"SPEAKER_00": "Anna"}
    before["sessions"] = {
        title: [(*row[:2], linked.get(row[2], row[2]), *row[3:]) for row in rows]
        for title, rows in before["sessions"].items()
    }
    assert before["sessions"] == after["sessions"]
    # a session without audio travels as a text source: texts and speakers are kept
    assert [s[2:] for s in before_obs] == [s[2:] for s in after_obs]
    assert before["codes"] == after["codes"]
    assert before["codings"] == after["codings"]
    with Project.open(back, readonly=True) as q:
        session = q.sessions.get_session(ids["session"])  # same id as before
        assert (session.kind, session.place, session.date, session.moderator) == (
            "focus_group", "Lyon", "2024-05-01", "Mia")  # fmt: skip
        assert session.duration_ms > 0 and q.sessions.media_path(session.id).is_file()
        assert all(g.origin == "import" for g in q.transcript.segments(session.id))
        (anna,) = q.sessions.participants()
        assert anna.attributes == {"age": "30-39", "role": "nurse"}
        mapped = {s.label: s.participant_id for s in q.sessions.session_speakers(session.id)}
        assert mapped["Anna"] == anna.id and mapped["SPEAKER_01"] is None
        memos = {(m.target_type, m.text) for m in q.codebook.memos()}
        assert {
            ("code", "Health covers clinics too."), ("segment", "Check this line."),
            ("session", "Noisy room."), ("journal", "Day one went well."),
        } <= memos  # fmt: skip
        (marker,) = q.sessions.markers(session.id)
        assert (marker.time_ms, marker.label, marker.note) == (1200, "laughter", "everyone laughed")


def test_cli_export_and_import(project, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder, _ids = project
    out = tmp_path / "cli.qdpx"
    assert (
        cli_main(["qdpx", "export", str(folder), "-o", str(out), "--json", "--export-anyway"]) == 0
    )
    summary = json.loads(capsys.readouterr().out)
    assert summary["codings"] == 4 and out.is_file()
    assert cli_main(["qdpx", "import", str(out), str(tmp_path / "new"), "--coder", "z"]) == 0
    assert "4 codings" in capsys.readouterr().out
    assert project_content(folder)["codings"] == project_content(tmp_path / "new")["codings"]


def test_import_into_existing_project_merges_codes(project, tmp_path: Path, wav: Path) -> None:
    folder, _ids = project
    out = tmp_path / "study.qdpx"
    with Project.open(folder, readonly=True) as p:
        export_qdpx(p, out, with_media=False)
    other = tmp_path / "other.fieldscribe"
    with Project.create(other, coder="dora") as q:
        q.codebook.ensure_code_path("Trust")
    report = import_qdpx(out, other, coder="dora")
    assert report.codes_reused == 1  # "Trust" matched by path
    assert any("not inside the archive" in n for n in report.not_imported)
    with Project.open(other, readonly=True) as q:
        assert sorted(c.path for c in q.codebook.codes()) == [
            "Public services", "Public services/Health", "Trust"]  # fmt: skip
        assert len(q.codebook.codings()) == 4


def test_a_recording_keeps_its_name_through_export_and_import(tmp_path: Path, wav: Path) -> None:
    # the archive holds the media as <guid>.wav (as REFI-QDA tools write it); the session's
    # name gives the file its name back, not the GUID
    clip = tmp_path / "clip.wav"
    clip.write_bytes(wav.read_bytes())
    folder = tmp_path / "a.fieldscribe"
    with Project.create(folder, coder="alice") as p:
        p.sessions.import_audio(clip, kind="interview")
        p.sessions.import_audio(wav, kind="interview", title="Focus group 1/2", again=True)
        out = tmp_path / "a.qdpx"
        export_qdpx(p, out, with_media=True)
    with zipfile.ZipFile(out) as zf:
        assert all(re.fullmatch(r"sources/[0-9a-f-]{36}\.(wav|txt)", n) for n in zf.namelist()
                   if n.startswith("sources/"))  # fmt: skip
    import_qdpx(out, tmp_path / "b.fieldscribe", coder="bob")
    with Project.open(tmp_path / "b.fieldscribe", readonly=True) as q:
        names = sorted(
            m.original_name for s in q.sessions.all()
            for m in q.sessions.media_for_session(s.id)
        )  # fmt: skip
    assert names == ["Focus group 1_2.wav", "clip.wav"]
