"""Issue 17: File menu imports and exports, driven through the menu with dialogs answered here."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from storage import Project, SegmentDraft
from tests.gui.test_team_menu import _action, _answer_files, _app_window


def _seed(project: Project) -> str:
    """A session whose speaker says a real name; a code applied to two segments."""
    session = project.sessions.add_session("Interview 1")
    texts = ["Aigerim said the clinic was far", "the queue was long", "trust is low", "ok"]
    drafts = [SegmentDraft(i * 1000, i * 1000 + 900, t, "S1") for i, t in enumerate(texts)]
    segs = [s.id for s in project.transcript.add_segments(session.id, drafts)]
    code = project.codebook.ensure_code_path("Services/Health")
    for seg in segs[:2]:
        project.codebook.apply_code(seg, code.id)
    project.privacy.set_pseudonym("Aigerim", "P01")
    return session.id


def _options(monkeypatch: pytest.MonkeyPatch, *, consented: bool = False) -> list[str]:
    """Answer the export options dialog (defaults, or consented participants only)."""
    from gui.exchange import ExportOptionsDialog

    titles: list[str] = []

    def exec_(self: Any) -> int:
        titles.append(self.windowTitle())
        self.consented.setChecked(consented)
        return 1

    monkeypatch.setattr(ExportOptionsDialog, "exec", exec_)
    return titles


def _consent(monkeypatch: pytest.MonkeyPatch, answer: Any) -> list[str]:
    asked: list[str] = []

    def question(*a: Any, **_k: Any) -> Any:
        asked.append(a[2])
        return answer

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked


@pytest.fixture
def seeded(window: Any, idle: Any) -> Any:
    sid = _seed(window.project)
    window.sessions.reload_sessions()
    window.sessions.open_segment_session(sid)
    idle(window)
    return window


def test_exports_ask_consent_use_pseudonyms_and_write(
    seeded: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = seeded
    _options(monkeypatch)
    asked = _consent(monkeypatch, QMessageBox.StandardButton.Yes)
    cases = [
        ("Export this transcript (txt, docx, srt, vtt, json)…", "t.txt"),
        ("Export this transcript (txt, docx, srt, vtt, json)…", "t.srt"),
        ("Export this transcript (txt, docx, srt, vtt, json)…", "t.vtt"),
        ("Export this transcript (txt, docx, srt, vtt, json)…", "t.json"),
        ("Export this transcript (txt, docx, srt, vtt, json)…", "t.docx"),
        ("Export codings (.xlsx, .csv)…", "codings.csv"),
        ("Export codings (.xlsx, .csv)…", "codings.xlsx"),
        ("Export as REFI-QDA project (.qdpx)…", "study.qdpx"),
    ]
    for text, name in cases:
        out = tmp_path / name
        _answer_files(monkeypatch, getSaveFileName=out)
        n = len(asked)
        _action(w, "&File", text).trigger()
        idle(w)
        assert out.is_file(), (name, w.last_error)
        assert len(asked) == n + 1 and "S1" in asked[-1]  # S1: consent unknown
        if name.endswith((".txt", ".srt", ".vtt", ".json", ".csv")):
            body = out.read_text(encoding="utf-8-sig")
            assert "Aigerim" not in body, name
            if not name.startswith("codings"):
                assert "P01 said the clinic" in body, name
        if name.endswith(".qdpx"):
            with zipfile.ZipFile(out) as zf:
                assert b"Aigerim" not in zf.read("project.qde")
            # counted in words: it read "1 source(s), 3 segment(s), … 0 media file(s)"
            report = w.exchange.last_report
            assert "(s)" not in report and "1 source," in report, report
    assert "Wrote" in w.exchange.last_report


def test_export_stops_when_consent_is_refused_and_consented_only_skips_the_question(
    seeded: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = seeded
    project: Project = w.project
    sid = project.sessions.all()[0].id
    person = project.sessions.add_participant("P01")
    project.sessions.map_speaker(sid, "S1", person.id)
    project.consent.set_consent(person.id, sid, transcription=True, quotation=False)
    _options(monkeypatch)
    asked = _consent(monkeypatch, QMessageBox.StandardButton.Cancel)
    out = tmp_path / "codings.csv"
    _answer_files(monkeypatch, getSaveFileName=out)
    _action(w, "&File", "Export codings (.xlsx, .csv)…").trigger()
    idle(w)
    assert asked and "quotation" in asked[0]
    assert not out.exists()
    _options(monkeypatch, consented=True)
    asked.clear()
    _action(w, "&File", "Export codings (.xlsx, .csv)…").trigger()
    idle(w)
    assert asked == []  # only consented participants go out: nothing to ask
    with open(out, encoding="utf-8-sig") as fh:
        assert len(list(csv.reader(fh))) == 1  # P01 refused quotation: left out


def test_codebook_export_and_import_through_the_menu(
    seeded: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = seeded
    _options(monkeypatch)
    for name in ("book.qdc", "book.csv"):
        out = tmp_path / name
        _answer_files(monkeypatch, getSaveFileName=out)
        _action(w, "&File", "Export the codebook (.qdc, .csv, .xlsx, .docx)…").trigger()
        idle(w)
        assert out.is_file(), w.last_error
    taguette = tmp_path / "taguette.csv"
    taguette.write_text("tag,description\nEmotions/Fear,Afraid of something\n", encoding="utf-8")
    _answer_files(monkeypatch, getOpenFileName=taguette)
    _action(w, "&File", "Import a codebook (.qdc, .qdpx, .csv, .xlsx, .docx)…").trigger()
    idle(w)
    assert w.last_error == ""
    assert "1 already" not in w.exchange.last_report and "2 new codes" in w.exchange.last_report
    # the workbench shows it without reopening: the codebook panel is reloaded in place
    fear = w.project.codebook.find_code("Emotions/Fear")
    assert fear is not None and fear.description == "Afraid of something"
    idle(w)
    assert w.segment_model.code(fear.id) is not None


def test_qdpx_round_trip_from_the_start_page(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    idle: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from storage.interop.qdpx_export import export_qdpx

    src = Project.create(tmp_path / "src.fieldscribe", coder="lead")
    _seed(src)
    export_qdpx(src, tmp_path / "src.qdpx")
    src.close()
    w = _app_window(qtbot, qsettings, fake_transcriber)
    folder = tmp_path / "imported.fieldscribe"
    _answer_files(monkeypatch, getOpenFileName=tmp_path / "src.qdpx", getSaveFileName=folder)
    w.start_page.import_qdpx.click()
    idle(w)
    assert w.project is not None and w.project.folder == folder, w.last_error
    assert "Imported" in w.exchange.last_report
    assert [s.title for s in w.project.sessions.all()] == ["Interview 1"]
    w.close()


def test_newer_qdpx_is_refused_and_the_project_stays_open(
    seeded: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage.interop.qdpx_export import export_qdpx
    from tests.teamwork_helpers import dump

    w = seeded
    project: Project = w.project
    good = tmp_path / "good.qdpx"
    export_qdpx(project, good)
    newer = tmp_path / "newer.qdpx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(newer, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "project.qde":
                data = data.replace(b"urn:QDA-XML:project:1.0", b"urn:QDA-XML:project:2.0")
            zout.writestr(item, data)
    broken = tmp_path / "broken.qdpx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    before = dump(project.folder)
    for bad, expected in ((newer, "newer REFI-QDA format (QDA-XML 2.0)"), (broken, "broken")):
        w.chrome.last_error = ""
        _answer_files(monkeypatch, getOpenFileName=bad)
        _action(w, "&File", "Import a REFI-QDA project (.qdpx)…").trigger()
        idle(w)
        assert expected in w.last_error
        assert dump(project.folder) == before
        assert w.project is project


def _other_project_exported(path: Path) -> None:
    """Another team's project, one session "Field notes", exported as REFI-QDA to ``path``."""
    from storage.interop.qdpx_export import export_qdpx

    other = Project.create(path.parent / "other.fieldscribe", coder="x")
    session = other.sessions.add_session("Field notes")
    other.transcript.add_segments(session.id, [SegmentDraft(0, 0, "Abstract: long queues")])
    export_qdpx(other, path)
    other.close()


def test_qdpx_into_the_open_project_twice_reuses_and_says_so(
    seeded: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    w = seeded
    _other_project_exported(tmp_path / "other.qdpx")
    _answer_files(monkeypatch, getOpenFileName=tmp_path / "other.qdpx")
    for _ in range(2):
        _action(w, "&File", "Import a REFI-QDA project (.qdpx)…").trigger()
        idle(w)
        assert w.last_error == ""
    assert "imported before" in w.exchange.last_report
    titles = sorted(s.title for s in w.project.sessions.all())
    assert titles == ["Field notes", "Interview 1"]
    idle(w)
    assert w.sessions_model.rowCount() == 2  # the sessions list was refreshed in place


def test_a_qdpx_saved_as_zip_is_offered_and_imported(
    seeded: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export saved (or mailed) as .zip is shown by the import dialog's filter and read."""

    w = seeded
    _other_project_exported(tmp_path / "other.zip")
    filters: list[str] = []

    def answer(*args: Any, **_k: Any) -> tuple[str, str]:
        filters.append(args[3])
        return str(tmp_path / "other.zip"), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(answer))
    _action(w, "&File", "Import a REFI-QDA project (.qdpx)…").trigger()
    idle(w)
    assert w.last_error == ""
    assert "*.zip" in filters[0].split(";;")[0]
    assert "Field notes" in [s.title for s in w.project.sessions.all()]


@pytest.mark.parametrize("earlier", [False, True])
def test_cancel_during_an_export_writes_nothing_and_keeps_an_earlier_file(
    seeded: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, earlier: bool
) -> None:
    """Cancel pressed while the codings are being gathered: the export does not replace (or
    create) the file, and says so."""
    import threading

    import storage.interop.codings_export as codings_export

    w = seeded
    out = tmp_path / "codings.csv"
    if earlier:
        out.write_text("an earlier export\n", encoding="utf-8")
    gate = threading.Event()
    real_rows = codings_export.coding_rows

    def slow_rows(view: Any) -> Any:
        assert gate.wait(10)
        return real_rows(view)

    monkeypatch.setattr(codings_export, "coding_rows", slow_rows)
    _options(monkeypatch)
    _consent(monkeypatch, QMessageBox.StandardButton.Yes)
    _answer_files(monkeypatch, getSaveFileName=out)
    _action(w, "&File", "Export codings (.xlsx, .csv)…").trigger()
    w.exchange.progress.canceled.emit()  # the progress dialog's Cancel
    gate.set()
    idle(w)
    assert w.last_error == ""
    assert "Export cancelled; nothing was written to codings.csv" in w.exchange.last_report
    if earlier:
        assert out.read_text(encoding="utf-8") == "an earlier export\n"
        assert "earlier file is kept" in w.exchange.last_report
    else:
        assert not out.exists()
    assert not list(tmp_path.glob(".codings.csv.part"))
    assert not w.project.audit.entries(action="export")


def test_cancel_during_a_bundle_export_keeps_the_earlier_bundle(
    seeded: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import storage.team.bundle_export as bundle
    from gui.team_actions import BundleExportOptions

    w = seeded
    out = tmp_path / "team.fsbundle"
    out.write_bytes(b"an earlier bundle")
    gate = threading.Event()
    real = bundle.sanitize_snapshot

    def slow(*a: Any, **k: Any) -> Any:
        assert gate.wait(10)
        return real(*a, **k)

    monkeypatch.setattr(bundle, "sanitize_snapshot", slow)
    w.team_actions.export_bundle(out, BundleExportOptions())
    w.team_actions.progress.canceled.emit()
    gate.set()
    idle(w)
    assert w.last_error == ""
    assert "Export cancelled" in w.team_actions.last_report
    assert out.read_bytes() == b"an earlier bundle"


IMPORT_TRANSCRIPT = "Import a transcript into this session (srt, vtt, noScribe html, txt, docx)…"


def test_a_transcript_file_is_imported_into_the_open_session_through_the_menu(
    seeded: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new user found transcripts importable only with `fieldscribe import-transcript`."""
    w = seeded
    project: Project = w.project
    coded = project.sessions.all()[0].id
    empty = project.sessions.add_session("Interview 2").id
    w.sessions.reload_sessions()
    w.sessions.open_segment_session(empty)
    idle(w)
    srt = tmp_path / "noscribe.srt"
    srt.write_text(
        "1\n00:00:01,000 --> 00:00:03,500\nАйгуль: Мы ходили в ЦОН.\n\n"
        "2\n00:00:04,000 --> 00:00:06,000\nБолат: Кезек ұзын болды.\n",
        encoding="utf-8",
    )
    _answer_files(monkeypatch, getOpenFileName=srt)
    _action(w, "&File", IMPORT_TRANSCRIPT).trigger()
    idle(w)
    segs = project.transcript.segments(empty)
    assert [(s.speaker, s.text) for s in segs] == [
        ("Айгуль", "Мы ходили в ЦОН."),
        ("Болат", "Кезек ұзын болды."),
    ]
    assert w.segment_model.rowCount() == 2  # the open transcript shows them
    assert "Imported 2 segments from noscribe.srt" in w.exchange.last_report
    # again: asked before the two segments are replaced; No changes nothing
    asked = _consent(monkeypatch, QMessageBox.StandardButton.No)
    _action(w, "&File", IMPORT_TRANSCRIPT).trigger()
    idle(w)
    assert asked and "already has 2 segments" in asked[0]
    assert [s.id for s in project.transcript.segments(empty)] == [s.id for s in segs]
    _consent(monkeypatch, QMessageBox.StandardButton.Yes)
    srt.write_text("1\n00:00:01,000 --> 00:00:02,000\nОдин.\n", encoding="utf-8")
    _action(w, "&File", IMPORT_TRANSCRIPT).trigger()
    idle(w)
    assert [s.text for s in project.transcript.segments(empty)] == ["Один."]
    # a file that is not a transcript: one clear line, nothing changed
    bad = tmp_path / "notes.txt"
    bad.write_text("just some notes without any times\n", encoding="utf-8")
    _answer_files(monkeypatch, getOpenFileName=bad)
    _action(w, "&File", IMPORT_TRANSCRIPT).trigger()
    idle(w)
    assert w.last_error and "\n" not in w.last_error.strip()
    assert [s.text for s in project.transcript.segments(empty)] == ["Один."]
    # the coded session: replacing is refused, its segments and codings stay
    before = [(s.id, s.text) for s in project.transcript.segments(coded)]
    w.sessions.open_segment_session(coded)
    idle(w)
    _answer_files(monkeypatch, getOpenFileName=srt)
    _action(w, "&File", IMPORT_TRANSCRIPT).trigger()
    idle(w)
    assert "coded segment" in w.last_error
    assert [(s.id, s.text) for s in project.transcript.segments(coded)] == before


def test_a_coded_session_says_at_once_that_its_transcript_cannot_be_replaced(
    seeded: Any, idle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It asked for a file, then "Replace them?", and only after Yes said it refuses: now it
    says so first and asks nothing."""
    from PySide6.QtWidgets import QFileDialog

    w = seeded
    asked: list[str] = []
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: asked.append(a[1]) or ("", ""))
    )
    questions = _consent(monkeypatch, QMessageBox.StandardButton.Yes)
    _action(w, "&File", IMPORT_TRANSCRIPT).trigger()
    idle(w)
    assert asked == [] and questions == []
    assert "2 coded segments" in w.last_error and "nothing was imported" in w.last_error
    assert "\n" not in w.last_error


def test_a_word_transcript_is_imported_through_the_menu(
    seeded: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dialog offered no .docx, the most common form of a transcript from a service."""
    import docx
    from PySide6.QtWidgets import QFileDialog

    w = seeded
    project: Project = w.project
    empty = project.sessions.add_session("Interview 3").id
    w.sessions.reload_sessions()
    w.sessions.open_segment_session(empty)
    idle(w)
    document = docx.Document()
    for text in ["Интервью 3", "[00:00:01] Айгуль: Мы ходили в ЦОН.", "Болат  0:04", "Кезек ұзын."]:
        document.add_paragraph(text)
    path = tmp_path / "service.docx"
    document.save(str(path))
    filters: list[str] = []

    def answer(*args: Any, **_k: Any) -> tuple[str, str]:
        filters.append(args[3])
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(answer))
    _action(w, "&File", IMPORT_TRANSCRIPT).trigger()
    idle(w)
    assert "*.docx" in filters[0]
    assert [(s.start_ms, s.speaker, s.text) for s in project.transcript.segments(empty)] == [
        (1000, "Айгуль", "Мы ходили в ЦОН."),
        (4000, "Болат", "Кезек ұзын."),
    ]
    assert "(docx)" in w.exchange.last_report and "'Интервью 3'" in w.exchange.last_report
    # a Word document without timestamps: one line saying so, nothing changed
    before = [s.id for s in project.transcript.segments(empty)]
    plain = docx.Document()
    plain.add_paragraph("Айгуль: Мы ходили в ЦОН.")
    plain.save(str(path))
    _consent(monkeypatch, QMessageBox.StandardButton.Yes)
    _action(w, "&File", IMPORT_TRANSCRIPT).trigger()
    idle(w)
    assert "no timestamps" in w.last_error and "\n" not in w.last_error.strip()
    assert [s.id for s in project.transcript.segments(empty)] == before


def test_a_transcript_export_says_how_many_segments_consent_left_in(
    seeded: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With "Leave out participants without consent to export" ticked, a session nobody
    consented for went out as an empty .srt and the status bar said "Wrote the transcript": it
    says how many segments the file holds now, and why. Without the option nothing is added."""
    w = seeded
    project: Project = w.project
    sid = project.sessions.all()[0].id
    person = project.sessions.add_participant("P01")  # no consent recorded
    project.sessions.map_speaker(sid, "S1", person.id)
    _options(monkeypatch, consented=True)
    _consent(monkeypatch, QMessageBox.StandardButton.Yes)
    out = tmp_path / "t.srt"
    _answer_files(monkeypatch, getSaveFileName=out)
    _action(w, "&File", "Export this transcript (txt, docx, srt, vtt, json)…").trigger()
    idle(w)
    assert out.read_text(encoding="utf-8").strip() == ""
    report = w.exchange.last_report
    assert "It holds 0 of 4 segments" in report and "Ethics ▸ Consent" in report, report
    assert "link them in Session details" in report, report  # unlinked speakers are left out too
    _options(monkeypatch)
    _action(w, "&File", "Export this transcript (txt, docx, srt, vtt, json)…").trigger()
    idle(w)
    assert "P01 said the clinic" in out.read_text(encoding="utf-8")
    assert w.exchange.last_report.endswith("to t.srt (srt)."), w.exchange.last_report


def test_an_export_says_when_segments_without_a_speaker_were_left_out(
    seeded: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An interview never run through speaker detection, whose participant refused quotation:
    its segments have no speaker and are left out. The report said "the others' speakers have
    no consent" and to link them, though there is no speaker to link: it says they have none
    and how to give them one."""
    w = seeded
    project: Project = w.project
    interview = project.sessions.add_session("Interview 2")
    segs = project.transcript.add_segments(
        interview.id, [SegmentDraft(0, 900, "Су нашар."), SegmentDraft(1000, 1900, "Иә.")]
    )
    project.codebook.apply_code(segs[0].id, project.codebook.ensure_code_path("Water").id)
    person = project.sessions.add_participant("P07")
    project.consent.set_consent(person.id, interview.id, transcription=True, quotation=False)
    w.sessions.reload_sessions()
    w.sessions.open_segment_session(interview.id)
    idle(w)
    _options(monkeypatch, consented=True)
    _consent(monkeypatch, QMessageBox.StandardButton.Yes)
    out = tmp_path / "i.txt"
    _answer_files(monkeypatch, getSaveFileName=out)
    _action(w, "&File", "Export this transcript (txt, docx, srt, vtt, json)…").trigger()
    idle(w)
    assert "нашар" not in out.read_text(encoding="utf-8")
    report = w.exchange.last_report
    assert "It holds 0 of 2 segments: the others have no speaker and not everyone consented " in (
        report
    ), report
    assert "Detect speakers…" in report and "Ethics ▸ Consent" in report, report
    codings = tmp_path / "c.csv"
    _answer_files(monkeypatch, getSaveFileName=codings)
    _action(w, "&File", "Export codings (.xlsx, .csv)…").trigger()
    idle(w)
    assert "нашар" not in codings.read_text(encoding="utf-8-sig")
    report = w.exchange.last_report
    assert "left out" in report and "its segment has no speaker" in report, report
    assert "Edit ▸ Change speaker…" in report, report


def test_a_codings_export_says_how_many_codings_consent_left_out(
    seeded: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With "Leave out participants without consent to export" ticked, the codings export
    said "Wrote the codings to F.xlsx", not that two of three were left out (the .qdpx export
    says its counts): it says how many went out, how many were left out and why."""
    w = seeded
    project: Project = w.project
    sid = project.sessions.all()[0].id
    other = project.sessions.add_session("Interview 2")  # its speaker consented: kept
    [seg] = project.transcript.add_segments(other.id, [SegmentDraft(0, 900, "fine", "S2")])
    agreed = project.sessions.add_participant("P02")
    project.sessions.map_speaker(other.id, "S2", agreed.id)
    project.consent.set_consent(agreed.id, None, transcription=True, quotation=True)
    code = project.codebook.find_code("Services/Health")
    assert code is not None
    project.codebook.apply_code(seg.id, code.id)
    person = project.sessions.add_participant("P01")  # no consent recorded
    project.sessions.map_speaker(sid, "S1", person.id)
    _options(monkeypatch, consented=True)
    for name in ("c.csv", "c.xlsx"):
        out = tmp_path / name
        _answer_files(monkeypatch, getSaveFileName=out)
        _action(w, "&File", "Export codings (.xlsx, .csv)…").trigger()
        idle(w)
        report = w.exchange.last_report
        assert report.startswith(f"Wrote 1 of 3 codings to {name}: 2 left out"), report
        assert "Ethics ▸ Consent" in report
    with open(tmp_path / "c.csv", encoding="utf-8-sig") as fh:
        assert len(list(csv.DictReader(fh))) == 1  # what it says is what it wrote
    _options(monkeypatch)
    _consent(monkeypatch, QMessageBox.StandardButton.Yes)
    _answer_files(monkeypatch, getSaveFileName=tmp_path / "c.csv")
    _action(w, "&File", "Export codings (.xlsx, .csv)…").trigger()
    idle(w)
    assert w.exchange.last_report == "Wrote 3 codings to c.csv.", w.exchange.last_report


def test_a_retrieval_export_says_how_many_codings_consent_left_out(
    seeded: Any, idle: Any, qtbot: Any, tmp_path: Path
) -> None:
    """Retrieval ▸ Export with consented participants only said "Exported 0 rows to
    /the/whole/path" (the path cut off in the status bar, nothing on the rows left out)."""
    from storage.privacy.models import ExportPrivacy

    w = seeded
    project: Project = w.project
    sid = project.sessions.all()[0].id
    code = project.codebook.find_code("Services/Health")
    assert code is not None
    w.editing.reload_codebook()
    idle(w)
    w.docks.retrieve_code(code.id)
    qtbot.waitUntil(lambda: w.retrieval.model.rowCount() == 2, timeout=10000)
    said: list[str] = []
    w.retrieval.status.connect(said.append)
    w.retrieval.export_to(tmp_path / "r.csv")
    idle(w)
    assert said[-1] == "Wrote 2 codings to r.csv."
    person = project.sessions.add_participant("P01")  # no consent recorded
    project.sessions.map_speaker(sid, "S1", person.id)
    w.retrieval.export_to(tmp_path / "r.csv", ExportPrivacy(consented_only="export"))
    idle(w)
    assert said[-1].startswith("Wrote 0 of 2 codings to r.csv: 2 left out"), said
    assert "Ethics ▸ Consent" in said[-1]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("И: Расскажите о работе.\nР: Я медсестра.\n", "none of the formats FieldScribe reads"),
        ('{"segments": 3}', "FieldScribe's transcript export writes"),
    ],
)
def test_a_refused_transcript_speaks_the_workbenchs_words_not_the_command_lines(
    seeded: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, said: str
) -> None:
    """A transcript typed without times: File ▸ Import a transcript said "give --format
    (noscribe-html, vtt, ...)", an option of the command line the workbench has no field for."""
    from PySide6.QtWidgets import QFileDialog

    w = seeded
    project: Project = w.project
    empty = project.sessions.add_session("Interview 4").id
    w.sessions.reload_sessions()
    w.sessions.open_segment_session(empty)
    idle(w)
    path = tmp_path / ("typed.json" if text.startswith("{") else "typed.txt")
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), ""))
    )
    w.chrome.last_error = ""
    _action(w, "&File", IMPORT_TRANSCRIPT).trigger()
    idle(w)
    assert said in w.last_error and "Nothing was imported." in w.last_error, w.last_error
    assert "--format" not in w.last_error and "fieldscribe export" not in w.last_error
    assert project.transcript.segments(empty) == []


def test_a_team_bundle_chosen_as_a_qdpx_says_where_the_workbench_merges_it(
    seeded: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A colleague's .fsbundle picked in Import a REFI-QDA project (a bundle is a zip too): it
    said "merge it with `fieldscribe bundle merge` or ... `fieldscribe new DIR --from-bundle`",
    commands of a terminal the researcher never opened."""
    from PySide6.QtWidgets import QFileDialog

    from storage.team.bundle_export import export_bundle

    w = seeded
    project: Project = w.project
    bundle = tmp_path / "colleague.fsbundle"
    export_bundle(project, bundle)
    before = len(project.sessions.all())
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(bundle), ""))
    )
    w.chrome.last_error = ""
    _action(w, "&File", "Import a REFI-QDA project (.qdpx)…").trigger()
    idle(w)
    assert "is a FieldScribe team bundle, not a REFI-QDA project" in w.last_error
    assert "Team ▸ Merge bundles into this project…" in w.last_error
    assert "File ▸ New project from a team bundle…" in w.last_error
    assert "fieldscribe" not in w.last_error.replace("FieldScribe", "")
    assert len(project.sessions.all()) == before


def test_an_unreadable_recording_in_a_qdpx_export_names_the_checkbox_not_an_option() -> None:
    """Export as REFI-QDA project with a recording that cannot be read said "export with
    --no-media"; the workbench's export dialog has a checkbox for it."""
    from gui.import_questions import qdpx_refusal
    from storage.core.errors import AudioError

    said = str(
        qdpx_refusal(
            AudioError(
                "/p/media/a.mp3: this audio file of the project cannot be read (Permission "
                "denied); nothing was written to /x/s.qdpx. Fix its permissions, or export with "
                "--no-media."
            )
        )
    )
    assert said.endswith("or export without “Include the audio files”.") and "--" not in said


def test_the_redaction_option_names_what_the_export_shows(
    seeded: Any, idle: Any, tmp_path: Path
) -> None:
    """The walk: the box read "Keep redacted spans hidden ([REDACTED])" while the exported
    transcript showed "[PLACE]" (a redaction is exported as its category)."""
    from gui.exchange import ExportOptionsDialog

    project = seeded.project
    seg = project.transcript.segments(seeded.state.session.id)[0]
    start = seg.text.index("the clinic")
    project.redactions.redact(seg.id, start, start + len("the clinic"), category="PLACE")
    dialog = ExportOptionsDialog("Export this transcript", seeded)
    out = tmp_path / "t.txt"
    seeded.exchange.export_transcript(out, dialog.privacy())
    idle(seeded)
    shown = out.read_text(encoding="utf-8-sig")
    assert "[PLACE]" in shown and "clinic" not in shown
    assert "[PLACE]" in dialog.redactions.text()
    dialog.deleteLater()


def test_an_export_says_once_that_nobody_is_known_to_be_in_a_session(
    seeded: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An observation nobody is known to be in (no speaker, nobody linked, no consent record)
    went out of every export of everyone without a word: nobody is named to ask about, so the
    consent question is not asked. The report says so once the file is written; with only
    consented participants its segments are left out and the count says it instead."""
    w = seeded
    project: Project = w.project
    observed = project.sessions.add_session("Наблюдение")
    [seg, _] = project.transcript.add_segments(
        observed.id, [SegmentDraft(0, 900, "Су нашар."), SegmentDraft(1000, 1900, "Иә.")]
    )
    project.codebook.apply_code(seg.id, project.codebook.ensure_code_path("Water").id)
    w.sessions.reload_sessions()
    w.sessions.open_segment_session(observed.id)
    idle(w)
    _options(monkeypatch)
    asked = _consent(monkeypatch, QMessageBox.StandardButton.Yes)
    said = " Consent to export is unknown for “Наблюдение”: nobody is known to be in it"
    for menu, name in (
        ("Export this transcript (txt, docx, srt, vtt, json)…", "o.txt"),
        ("Export this transcript (txt, docx, srt, vtt, json)…", "o.docx"),
        ("Export codings (.xlsx, .csv)…", "c.xlsx"),
        ("Export as REFI-QDA project (.qdpx)…", "p.qdpx"),
    ):
        _answer_files(monkeypatch, getSaveFileName=tmp_path / name)
        _action(w, "&File", menu).trigger()
        idle(w)
        report = w.exchange.last_report
        assert (tmp_path / name).is_file()
        assert report.count("Consent to export is unknown") == 1 and said in report, report
    assert "нашар" in (tmp_path / "o.txt").read_text(encoding="utf-8")
    assert not any("Наблюдение" in q for q in asked)  # nobody to ask about beforehand
    _options(monkeypatch, consented=True)
    _answer_files(monkeypatch, getSaveFileName=tmp_path / "only.txt")
    _action(w, "&File", "Export this transcript (txt, docx, srt, vtt, json)…").trigger()
    idle(w)
    report = w.exchange.last_report
    assert "It holds 0 of 2 segments" in report and "unknown for" not in report, report


def _recorded(project: Project, tmp_path: Path) -> str:
    """A session with its audio (4 s of tone) and speaker S1's segments: one whose voice a
    .qdpx with the audio carries."""
    from tests.test_consent_export_audio import _tone

    session = project.sessions.import_audio(_tone(tmp_path / "i.wav", 4), kind="interview")
    drafts = [SegmentDraft(i * 1000, i * 1000 + 900, "Өзен тартылды.", "S1") for i in range(4)]
    project.transcript.add_segments(session.id, drafts)
    return session.id


def _p03_speaks(project: Project, *, recording: bool | None) -> None:
    """P03 is S1 in every session (the seeded one and the recorded one), consenting to
    transcription and quotation, to recording as ``recording`` says."""
    person = project.sessions.add_participant("P03")
    for sid in [s.id for s in project.sessions.all()]:
        project.sessions.map_speaker(sid, "S1", person.id)
    project.consent.set_consent(
        person.id, None, recording=recording, transcription=True, quotation=True
    )


def test_a_qdpx_with_audio_asks_where_someone_refused_recording(
    seeded: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A participant who agreed to transcription and quotation but refused recording was
    heard in a .qdpx with its audio and nobody was asked ("export" needs transcription and
    quotation only). With "Include the audio files" ticked the question names the refusal
    of recording; Cancel writes nothing; without the audio it is not asked."""
    import gui.consent as gc

    w = seeded
    project: Project = w.project
    _recorded(project, tmp_path)  # (the seeded session has no audio: nobody heard there)
    _p03_speaks(project, recording=False)
    asked: list[str] = []
    monkeypatch.setattr(gc, "ask", lambda _p, _t, text, **_k: asked.append(text) or gc.STOP)
    _options(monkeypatch)  # the audio is included by default
    out = tmp_path / "p.qdpx"
    _answer_files(monkeypatch, getSaveFileName=out)
    _action(w, "&File", "Export as REFI-QDA project (.qdpx)…").trigger()
    idle(w)
    assert len(asked) == 1 and "P03 refused recording." in asked[0], asked
    assert not out.exists()
    from gui.exchange import ExportOptionsDialog

    def without_audio(self: Any) -> int:
        self.media.setChecked(False)
        return 1

    monkeypatch.setattr(ExportOptionsDialog, "exec", without_audio)
    _action(w, "&File", "Export as REFI-QDA project (.qdpx)…").trigger()
    idle(w)
    assert len(asked) == 1 and out.is_file()


def test_a_qdpx_with_audio_says_whose_consent_to_recording_is_unknown(
    seeded: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ethics review: a participant never asked about recording (transcription and
    quotation yes) was heard in a .qdpx with its audio without a word. Unknown is not refused,
    so nothing is asked; the report says they are heard. Without the audio it says nothing."""
    import gui.consent as gc

    w = seeded
    project: Project = w.project
    session = project.sessions.get_session(_recorded(project, tmp_path))
    _p03_speaks(project, recording=None)
    asked: list[str] = []
    monkeypatch.setattr(gc, "ask", lambda _p, _t, text, **_k: asked.append(text) or gc.GO)
    _options(monkeypatch)  # the audio is included by default
    out = tmp_path / "p.qdpx"
    _answer_files(monkeypatch, getSaveFileName=out)
    _action(w, "&File", "Export as REFI-QDA project (.qdpx)…").trigger()
    idle(w)
    report = w.exchange.last_report
    assert out.is_file() and not any("recording" in text for text in asked), asked
    assert f"Consent to recording is unknown for 1 speaker in “{session.title}”" in report, report
    from gui.exchange import ExportOptionsDialog

    def without_audio(self: Any) -> int:
        self.media.setChecked(False)
        return 1

    monkeypatch.setattr(ExportOptionsDialog, "exec", without_audio)
    out.unlink()
    _action(w, "&File", "Export as REFI-QDA project (.qdpx)…").trigger()
    idle(w)
    assert out.is_file() and "recording" not in w.exchange.last_report, w.exchange.last_report
