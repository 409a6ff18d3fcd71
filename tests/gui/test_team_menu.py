"""Issue 17: the Team and File menus of the workbench, driven with dialogs answered by the test."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from storage import Project, SegmentDraft


def _seed(project: Project) -> tuple[str, list[str]]:
    """One session of four segments and a code applied to two of them."""
    session = project.sessions.add_session("Interview 1")
    drafts = [
        SegmentDraft(i * 1000, i * 1000 + 900, f"segment {i} about clinics", "S1") for i in range(4)
    ]
    segs = [s.id for s in project.transcript.add_segments(session.id, drafts)]
    code = project.codebook.ensure_code_path("Services/Health")
    for seg in segs[:2]:
        project.codebook.apply_code(seg, code.id)
    return session.id, segs


def _health_retrieved(window: Any, idle: Any) -> Any:
    """The seeded project's retrieval panel showing what is coded Services/Health."""
    project: Project = window.project
    idle(window)  # the window's first codebook read (no codes) has landed before the seeding
    _seed(project)
    code = project.codebook.find_code("Services/Health")
    assert code is not None
    panel = window.retrieval
    panel.reload_filters(project.codebook.codes())
    window.docks.retrieve_code(code.id)
    idle(window)
    return panel


def test_retrieval_export_button_writes_the_csv(
    window: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel = _health_retrieved(window, idle)
    assert panel.model.rowCount() == 2
    out = tmp_path / "retrieved.csv"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "CSV (*.csv)"))
    )
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes)
    )
    from gui.exchange import ExportOptionsDialog

    asked: list[str] = []
    monkeypatch.setattr(  # the protections every export asks, accepted as offered
        ExportOptionsDialog, "exec", lambda self: asked.append(self.windowTitle()) or 1
    )
    panel.export_btn.click()
    idle(window)
    assert asked == ["Export retrieved codings"]
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 3
    assert rows[1][0] == "Services/Health"
    assert "segment 0 about clinics" in rows[1]


def test_retrieval_export_typed_without_csv_writes_a_csv(
    window: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name typed without .csv gets it (it was written bare, a file nothing opens as CSV)."""
    panel = _health_retrieved(window, idle)
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *a, **k: (str(tmp_path / "health"), "CSV (*.csv)")),
    )
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes)
    )
    from gui.exchange import ExportOptionsDialog

    monkeypatch.setattr(ExportOptionsDialog, "exec", lambda self: 1)
    panel.export_btn.click()
    idle(window)
    assert not (tmp_path / "health").exists()
    with open(tmp_path / "health.csv", encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.reader(fh))) == 3


def test_retrieval_shows_a_sub_codes_whole_path(window: Any, idle: Any) -> None:
    """At 1024x700 the Code column showed "Доверие/" (the path wrapped, its second line cut)."""
    project: Project = window.project
    idle(window)  # the window's first codebook read (no codes) has landed before the seeding
    session = project.sessions.add_session("Интервью 1")
    (seg,) = project.transcript.add_segments(
        session.id, [SegmentDraft(0, 900, "Мы не доверяем порталу, кезек ұзын.", "S1")]
    )
    code = project.codebook.ensure_code_path("Доверие/Қазақ тілі/Электронное правительство")
    project.codebook.apply_code(seg.id, code.id)
    window.resize(1024, 700)
    panel = window.retrieval
    panel.reload_filters(project.codebook.codes())
    top = project.codebook.find_code("Доверие")
    assert top is not None
    panel.subcodes.setChecked(True)
    window.docks.retrieve_code(top.id)
    idle(window)
    assert panel.model.rowCount() == 1
    path = panel.model.index(0, 0).data()
    need = panel.table.fontMetrics().horizontalAdvance(path)
    assert panel.table.columnWidth(0) >= need, (panel.table.columnWidth(0), need)
    # the short columns hold what they show (they were 100 px each), the coded text the rest
    table, last = panel.table, panel.model.columnCount() - 1
    header = table.horizontalHeader()
    for col in range(1, last):
        if table.isColumnHidden(col):  # a column no coding listed has (Participant, Lang)
            assert not panel.model.index(0, col).data(), panel.model.headers[col]
            continue
        assert header.fontMetrics().horizontalAdvance(panel.model.headers[col]) <= (
            table.columnWidth(col)
        )
        assert table.columnWidth(col) <= max(100, table.sizeHintForColumn(col))
    assert table.columnWidth(last) >= table.viewport().width() // 3


# ---------------------------------------------------------------------------------- team menu
def _app_window(qtbot: Any, qsettings: Any, fake_transcriber: Any) -> Any:
    from gui.main_window import MainWindow

    qsettings.setValue("transcribe_after_import", "false")
    w = MainWindow(transcriber=fake_transcriber, settings=qsettings)
    qtbot.addWidget(w)
    w.resize(1024, 700)
    w.show()
    return w


def _action(window: Any, menu: str, text: str) -> Any:
    for action in window.chrome.menus[menu].actions():
        if action.text() == text:
            return action
    raise AssertionError(f"no {text!r} in {menu}")


def _merge_key_bundle_through_the_menu(
    window: Any, monkeypatch: pytest.MonkeyPatch, bundle: Path
) -> None:
    """Team ▸ Merge bundles… on a bundle encrypted for this project's key: the passphrase
    asked is left empty."""
    monkeypatch.setattr("gui.ask_dialog.AskDialog.ask", staticmethod(lambda *a, **k: ("", True)))
    _answer_files(monkeypatch, getOpenFileNames=[bundle])
    _action(window, "Te&am", "Merge bundles into this project…").trigger()


def _answer_files(monkeypatch: pytest.MonkeyPatch, **answers: Any) -> None:
    """QFileDialog's static functions answer what the test says (lists are used in turn)."""
    for name, value in answers.items():
        queue = list(value) if isinstance(value, list) and name != "getOpenFileNames" else [value]

        def answer(*_a: Any, _q: list[Any] = queue, _n: str = name, **_k: Any) -> Any:
            item = _q.pop(0) if len(_q) > 1 else _q[0]
            if _n == "getExistingDirectory":
                return str(item)
            if _n == "getOpenFileNames":
                return [str(p) for p in item], ""
            return str(item), ""

        monkeypatch.setattr(QFileDialog, name, staticmethod(answer))


def _export_dialog(monkeypatch: pytest.MonkeyPatch, **choices: Any) -> list[Any]:
    """Answer the Export a bundle dialog (with ``choices`` set on its widgets)."""
    from gui.team_actions import BundleExportDialog

    seen: list[Any] = []

    def exec_(self: Any) -> int:
        seen.append(self)
        if choices.get("passphrase"):
            self.with_passphrase.setChecked(True)
            self.passphrase.setText(choices["passphrase"])
            self.confirm.setText(choices["passphrase"])
        self.with_media.setChecked(bool(choices.get("with_media")))
        self.consented.setChecked(bool(choices.get("consented")))
        return 1 if not self.check() else 0

    monkeypatch.setattr(BundleExportDialog, "exec", exec_)
    return seen


def _code_rows(window: Any, idle: Any, code_path: str, rows: list[int]) -> None:
    window.editing.add_code(code_path)
    idle(window)
    code = window.project.codebook.find_code(code_path)
    assert code is not None
    for row in rows:
        window.transcript.go_to_row(row)
        window.editing.apply_code(code.id)
        idle(window)


def test_lead_two_coders_merge_and_agreement_through_the_gui(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    idle: Any,
    speech_wav: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sklearn.metrics import cohen_kappa_score

    w = _app_window(qtbot, qsettings, fake_transcriber)
    w.settings.coder = "lead"
    lead_dir = tmp_path / "lead.fieldscribe"
    assert w.projects.create_project(lead_dir) is not None
    w.transcription.import_files([speech_wav])
    idle(w)
    sid = w.project.sessions.all()[0].id
    w.transcription.start_transcription(sid)
    idle(w)
    qtbot.waitUntil(lambda: w.segment_model.rowCount() == 4)
    lead_bundle = tmp_path / "lead.fsbundle"
    _export_dialog(monkeypatch)
    _answer_files(monkeypatch, getSaveFileName=lead_bundle)
    _action(w, "Te&am", "Export a bundle…").trigger()
    idle(w)
    assert lead_bundle.is_file(), w.last_error
    assert "Wrote lead.fsbundle" in w.team_actions.last_report
    # counted in words: it read "1 session(s), 4 segment(s), 0 code(s), 0 coding(s)"
    assert "(s)" not in w.team_actions.last_report and "1 session," in w.team_actions.last_report

    coding = {"alice": [0, 1, 2], "bob": [0, 1]}
    bundles = []
    for coder, rows in coding.items():
        w.settings.coder = coder
        folder = tmp_path / f"{coder}.fieldscribe"
        _answer_files(monkeypatch, getOpenFileName=lead_bundle, getSaveFileName=folder)
        _action(w, "&File", "New project from a team bundle…").trigger()
        idle(w)
        assert w.project is not None and w.project.folder == folder, w.last_error
        assert w.project.coder == coder
        w.sessions.open_segment_session(sid)
        idle(w)
        qtbot.waitUntil(lambda: w.segment_model.rowCount() == 4)
        _code_rows(w, idle, "Corruption", rows)
        bundles.append(tmp_path / f"{coder}.fsbundle")
        _answer_files(monkeypatch, getSaveFileName=bundles[-1])
        _action(w, "Te&am", "Export a bundle…").trigger()
        idle(w)
        assert bundles[-1].is_file(), w.last_error

    w.settings.coder = "lead"
    assert w.projects.open_project(lead_dir)
    idle(w)
    _answer_files(monkeypatch, getOpenFileNames=bundles)
    _action(w, "Te&am", "Merge bundles into this project…").trigger()
    idle(w)
    assert w.last_error == ""
    assert "now one code" in w.team_actions.last_report
    # the workbench was refreshed in place: the codebook shows one Corruption
    codes = [c for c in w.project.codebook.codes() if c.path == "Corruption"]
    assert len(codes) == 1
    qtbot.waitUntil(lambda: w.segment_model.code(codes[0].id) is not None)
    panel = _action(w, "Te&am", "Inter-coder agreement")
    panel.trigger()
    idle(w)  # computed on a worker
    widget = w.extra_panels.docks["agreement"].widget()
    model = widget.view.model()
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "Corruption")
    a = [1 if i in coding["alice"] else 0 for i in range(4)]
    b = [1 if i in coding["bob"] else 0 for i in range(4)]
    from PySide6.QtCore import Qt

    kappa = model.index(row, 3).data(Qt.ItemDataRole.UserRole)
    assert abs(kappa - cohen_kappa_score(a, b)) < 1e-9
    w.close()


def test_refused_bundles_say_why_change_nothing_and_keep_the_workbench(
    window: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage.team.bundle_export import export_bundle, export_bundle_file
    from tests.teamwork_helpers import dump, rebuild

    project: Project = window.project
    idle(window)  # the window's first codebook read (no codes) has landed before the seeding
    _seed(project)
    # a coder's real bundle of this project, then spoilt copies of it
    export_bundle(project, tmp_path / "mine.fsbundle")
    coder = Project.from_bundle(tmp_path / "mine.fsbundle", tmp_path / "c.fieldscribe", coder="c")
    code = coder.codebook.ensure_code_path("Trust")
    coder.codebook.apply_code(coder.transcript.segments(coder.sessions.all()[0].id)[3].id, code.id)
    good = tmp_path / "coder.fsbundle"
    export_bundle(coder, good)
    export_bundle_file(coder, tmp_path / "locked.fsbundle.enc", passphrase="right one")
    coder.close()
    other = Project.create(tmp_path / "other.fieldscribe", name="Elsewhere", coder="x")
    other.sessions.add_session("Another study")
    export_bundle(other, tmp_path / "other.fsbundle")
    other.close()
    truncated = tmp_path / "truncated.fsbundle"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    rebuild(
        good,
        tmp_path / "tampered.fsbundle",
        db_change=lambda c: c.execute("UPDATE segments SET text = 'changed'"),
        fix_checksums=False,
    )
    rebuild(
        good,
        tmp_path / "newer.fsbundle",
        db_change=lambda c: c.execute("PRAGMA user_version = 999"),  # a newer FieldScribe's
    )
    before = dump(project.folder)
    cases = {
        "newer.fsbundle": "newer FieldScribe",
        "other.fsbundle": "belongs to another project ('Elsewhere')",
        "truncated.fsbundle": "truncated.fsbundle",
        "tampered.fsbundle": "tampered.fsbundle",
        "locked.fsbundle.enc": "locked.fsbundle.enc",
    }
    monkeypatch.setattr(
        "gui.ask_dialog.AskDialog.ask",
        staticmethod(lambda *a, **k: ("wrong one", True)),
    )
    for name, expected in cases.items():
        window.chrome.last_error = ""
        _answer_files(monkeypatch, getOpenFileNames=[tmp_path / name])
        _action(window, "Te&am", "Merge bundles into this project…").trigger()
        idle(window)
        assert expected in window.last_error, (name, window.last_error)
        assert "--allow-other-project" not in window.last_error
        assert "nothing" in window.last_error.lower()
        assert window.project is project  # the workbench is still open on it
        assert dump(project.folder) == before, name

    # the right passphrase merges it (typed in a field that does not show it)
    def passphrase(*_a: Any, password: bool = False, **_k: Any) -> tuple[str, bool]:
        assert password, "the passphrase was asked in a field that shows it"
        return "right one", True

    monkeypatch.setattr("gui.ask_dialog.AskDialog.ask", staticmethod(passphrase))
    window.chrome.last_error = ""
    _answer_files(monkeypatch, getOpenFileNames=[tmp_path / "locked.fsbundle.enc"])
    _action(window, "Te&am", "Merge bundles into this project…").trigger()
    idle(window)
    assert window.last_error == ""
    assert project.codebook.find_code("Trust") is not None


def test_cancel_stops_before_the_next_bundle(
    window: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from storage.team.bundle_export import export_bundle

    project: Project = window.project
    idle(window)  # the window's first codebook read (no codes) has landed before the seeding
    _seed(project)
    export_bundle(project, tmp_path / "lead.fsbundle")
    paths = []
    for name in ("ann", "ben"):
        coder = Project.from_bundle(
            tmp_path / "lead.fsbundle", tmp_path / f"{name}.fieldscribe", coder=name
        )
        coder.codebook.ensure_code_path(f"Only {name}")
        paths.append(tmp_path / f"{name}.fsbundle")
        export_bundle(coder, paths[-1])
        coder.close()
    gate = threading.Event()
    window.runner.submit("hold the lane", lambda _ctx: gate.wait(10), serial=True)
    handle = window.team_actions.merge_bundles(paths)
    window.team_actions.progress.canceled.emit()  # the dialog's Cancel button
    assert handle.context.cancelled
    gate.set()
    idle(window)
    assert "Cancelled: 2 bundles not merged." in window.team_actions.last_report
    assert project.codebook.find_code("Only ann") is None


def test_encrypted_bundles_from_the_dialog_passphrase_and_teammate_key(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    idle: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gui.team_actions import BundleExportDialog
    from storage.privacy.crypto import is_encrypted, public_key_text
    from storage.team.bundle_export import export_bundle

    lead = Project.create(tmp_path / "lead.fieldscribe", coder="lead")
    _seed(lead)
    export_bundle(lead, tmp_path / "lead.fsbundle")
    lead_key = lead.privacy.generate_identity()  # the lead's team key pair
    (tmp_path / "lead.pub").write_text(public_key_text(lead_key, "lead"))
    lead.close()

    w = _app_window(qtbot, qsettings, fake_transcriber)
    w.settings.coder = "ann"
    _answer_files(
        monkeypatch,
        getOpenFileName=tmp_path / "lead.fsbundle",
        getSaveFileName=tmp_path / "ann.fieldscribe",
    )
    w.start_page.from_bundle.click()  # the start page's "Start from a team bundle…"
    idle(w)
    assert w.project is not None and w.project.coder == "ann", w.last_error
    assert "is the project's lead" not in w.team_actions.last_report
    _code_rows(w, idle, "Only ann", [])
    # with a passphrase (typed twice in the dialog)
    _export_dialog(monkeypatch, passphrase="correct horse")
    _answer_files(monkeypatch, getSaveFileName=tmp_path / "ann.fsbundle.enc")
    _action(w, "Te&am", "Export a bundle…").trigger()
    idle(w)
    assert is_encrypted(tmp_path / "ann.fsbundle.enc"), w.last_error
    assert "encrypted" in w.team_actions.last_report

    # for the lead's public key
    def exec_key(self: Any) -> int:
        self.with_key.setChecked(True)
        self.key_file.setText(str(tmp_path / "lead.pub"))
        return 0 if self.check() else 1

    monkeypatch.setattr(BundleExportDialog, "exec", exec_key)
    _answer_files(monkeypatch, getSaveFileName=tmp_path / "for-lead.fsbundle.enc")
    _action(w, "Te&am", "Export a bundle…").trigger()
    idle(w)
    assert is_encrypted(tmp_path / "for-lead.fsbundle.enc"), w.last_error

    # the lead merges the key-encrypted one with the team key (empty passphrase)
    w.settings.coder = "lead"
    assert w.projects.open_project(tmp_path / "lead.fieldscribe")
    _merge_key_bundle_through_the_menu(w, monkeypatch, tmp_path / "for-lead.fsbundle.enc")
    idle(w)
    assert w.last_error == ""
    assert w.project.codebook.find_code("Only ann") is not None
    w.close()


def test_keep_apart_in_the_team_menu_and_agreement_says_it_pairs_by_path(
    window: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage.team.bundle_export import export_bundle

    project: Project = window.project
    idle(window)  # the window's first codebook read (no codes) has landed before the seeding
    _seed(project)
    export_bundle(project, tmp_path / "lead.fsbundle")
    paths = []
    for name, rows in (("ann", [0, 1]), ("ben", [1])):
        coder = Project.from_bundle(
            tmp_path / "lead.fsbundle", tmp_path / f"{name}.fieldscribe", coder=name
        )
        code = coder.codebook.ensure_code_path("Corruption")
        segs = coder.transcript.segments(coder.sessions.all()[0].id)
        for r in rows:
            coder.codebook.apply_code(segs[r].id, code.id)
        paths.append(tmp_path / f"{name}.fsbundle")
        export_bundle(coder, paths[-1])
        coder.close()
    _action(window, "Te&am", "Keep same-name codes apart when merging").trigger()
    _answer_files(monkeypatch, getOpenFileNames=paths)
    _action(window, "Te&am", "Merge bundles into this project…").trigger()
    idle(window)
    assert "kept apart" in window.team_actions.last_report
    assert len([c for c in project.codebook.codes() if c.path == "Corruption"]) == 2
    _action(window, "Te&am", "Inter-coder agreement").trigger()
    idle(window)  # computed on a worker
    widget = window.extra_panels.docks["agreement"].widget()
    assert "'Corruption'" in widget.notes_label.text()
    assert "pairs them by path" in widget.notes_label.text()
    rows = [
        r for r in range(widget.model.rowCount()) if widget.model.index(r, 0).data() == "Corruption"
    ]
    assert len(rows) == 1


def test_the_merge_report_names_project_settings_taken_from_a_bundle() -> None:
    from gui.merge_report import describe_merge
    from storage.team.merge import MergeSummary

    summary = MergeSummary(bundle="/x/lead.fsbundle", coder="lead")
    summary.settings = {"languages": "ru,kk,en", "model": ""}
    text = describe_merge([summary], asked=1, open_conflicts=0)
    assert (
        "project settings changed there later, now here: languages ru,kk,en; model automatic"
        in text
    )
    assert "project settings" not in describe_merge(
        [MergeSummary(bundle="/x/a.fsbundle", coder="a")], asked=1, open_conflicts=0
    )


@pytest.mark.parametrize(
    ("typed", "passphrase", "written"),
    [
        ("lead-bundle", None, "lead-bundle.fsbundle"),
        ("lead-bundle", "correct horse battery", "lead-bundle.fsbundle.enc"),
        ("kept.fsbundle", None, "kept.fsbundle"),
    ],
)
def test_a_bundle_typed_without_its_suffix_gets_it(
    window: Any,
    idle: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    typed: str,
    passphrase: str | None,
    written: str,
) -> None:
    """A name typed without .fsbundle gets it: else the merge dialog's filter hides the file."""
    _export_dialog(monkeypatch, passphrase=passphrase)
    _answer_files(monkeypatch, getSaveFileName=tmp_path / typed)
    _action(window, "Te&am", "Export a bundle…").trigger()
    idle(window)
    assert (tmp_path / written).is_file(), sorted(p.name for p in tmp_path.iterdir())
    assert typed == written or not (tmp_path / typed).exists()  # no suffix-less file


def test_the_workbench_merge_joins_nfc_and_nfd_codes_and_keeps_spans_on_their_words(
    window: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Team menu's merge shares the fixes of the command line: a code typed in NFC by one
    coder and in NFD by the other is one code with the agreement both meant (not kappa 0), and
    a span coded in the text as it was lands on its words in the lead's edited text."""
    import unicodedata

    from PySide6.QtCore import Qt
    from sklearn.metrics import cohen_kappa_score

    from storage.team.bundle_export import export_bundle

    project: Project = window.project
    _sid, segs = _seed(project)
    for coding in project.codebook.codings():  # only the two coders code: kappa is defined
        project.codebook.remove_coding(coding.id)
    export_bundle(project, tmp_path / "lead.fsbundle")
    path = "Қайғы/ёлка"
    applied = {"ann": [0, 1], "ben": [1, 2]}
    bundles = []
    for name, form in (("ann", "NFC"), ("ben", "NFD")):
        coder = Project.from_bundle(
            tmp_path / "lead.fsbundle", tmp_path / f"{name}.fieldscribe", coder=name
        )
        code = coder.codebook.ensure_code_path(unicodedata.normalize(form, path))
        for r in applied[name]:
            coder.codebook.apply_code(segs[r], code.id)
        if name == "ben":  # "clinics" in segment 3 as it reads before the lead's edit
            text = coder.transcript.get_segment(segs[3]).text
            at = text.index("clinics")
            coder.codebook.apply_code(segs[3], code.id, start_cp=at, end_cp=at + 7)
        bundles.append(tmp_path / f"{name}.fsbundle")
        export_bundle(coder, bundles[-1])
        coder.close()
    project.transcript.update_segment(segs[3], text="and then segment 3 was about the clinics")
    _answer_files(monkeypatch, getOpenFileNames=bundles)
    _action(window, "Te&am", "Merge bundles into this project…").trigger()
    idle(window)
    assert window.last_error == ""
    nfc = unicodedata.normalize("NFC", path)
    (code,) = [c for c in project.codebook.codes() if unicodedata.normalize("NFC", c.path) == nfc]
    text = project.transcript.get_segment(segs[3]).text
    spans = [
        text[c.start_cp : c.end_cp]
        for c in project.codebook.codings()
        if c.segment_id == segs[3] and c.start_cp is not None
    ]
    assert spans == ["clinics"]
    _action(window, "Te&am", "Inter-coder agreement").trigger()
    idle(window)  # computed on a worker
    widget = window.extra_panels.docks["agreement"].widget()
    model = widget.view.model()
    rows = [
        r
        for r in range(model.rowCount())
        if unicodedata.normalize("NFC", model.index(r, 0).data()) == nfc
    ]
    assert len(rows) == 1
    a = [1 if i in applied["ann"] else 0 for i in range(4)]
    b = [1 if i in applied["ben"] or i == 3 else 0 for i in range(4)]
    kappa = model.index(rows[0], 3).data(Qt.ItemDataRole.UserRole)
    assert abs(kappa - cohen_kappa_score(a, b)) < 1e-9


def test_disagreements_hide_the_other_coders_while_blind_coding_is_on(
    window: Any, idle: Any
) -> None:
    """Team ▸ Blind coding hid the other coders' codings in the transcript and the codebook,
    but Team ▸ Disagreements still listed every segment another coder coded, with who applied
    which code and their words."""
    project: Project = window.project
    idle(window)  # the window's first codebook read (no codes) has landed before the seeding
    _sid, segs = _seed(project)  # the project's coder codes segments 0 and 1
    code = project.codebook.ensure_code_path("Services/Health")
    project.codebook.apply_code(segs[2], code.id, coder="other")
    _action(window, "Te&am", "Disagreements").trigger()
    idle(window)  # computed on a worker
    widget = window.extra_panels.docks["disagreements"].widget()
    assert widget.model.rowCount() == 3
    _action(window, "Te&am", "Blind coding (see only my codings)").trigger()
    idle(window)
    assert project.team.blind_coding
    assert widget.model.rowCount() == 0 and widget.items == []
    assert "Blind coding is on" in widget.count_label.text()
    assert not widget.chooser.isEnabled()
    _action(window, "Te&am", "Blind coding (see only my codings)").trigger()
    idle(window)
    assert widget.model.rowCount() == 3 and widget.chooser.isEnabled()


def test_blind_coding_hides_the_other_coders_segment_memos(window: Any, idle: Any) -> None:
    """In a team round the lead turned Team ▸ Blind coding on: the other coders' codings left
    the transcript, but the memo mark stayed beside the segment aigerim had written a memo on
    ("Айгүл: емхана жоқ — ключевой момент"), and Segment memos… read it out: her reading of
    the segment, in sight of a coder who was to code it blind."""
    from gui.memos import MemoDialog

    project: Project = window.project
    idle(window)
    sid, segs = _seed(project)
    mine = project.codebook.add_memo("segment", segs[0], "my note")
    theirs = project.codebook.add_memo("segment", segs[2], "Айгүл: емхана жоқ — ключевой момент")
    with project.transaction() as db:  # written on aigerim's laptop, merged here
        db.conn.execute("UPDATE memos SET created_by = 'aigerim' WHERE id = ?", (theirs.id,))
    window.sessions.reload_sessions()
    window.sessions.open_segment_session(sid)
    idle(window)
    model = window.segment_model
    assert model.memos_of(segs[2]) == ["Айгүл: емхана жоқ — ключевой момент"]
    blind = _action(window, "Te&am", "Blind coding (see only my codings)")
    blind.trigger()
    idle(window)
    assert model.memos_of(segs[2]) == [] and model.memos_of(segs[0]) == ["my note"]
    dialog = MemoDialog(project, window.runner, "segment", segs[2], "Segment", window)
    assert dialog.list.count() == 0
    dialog.close()
    window.sessions.open_segment_session(sid)  # read afresh: still hidden
    idle(window)
    assert model.memos_of(segs[2]) == []
    blind.trigger()
    idle(window)
    assert model.memos_of(segs[2]) == ["Айгүл: емхана жоқ — ключевой момент"]
    assert mine.created_by == project.coder


def test_the_team_key_is_made_and_its_public_half_exported_from_the_team_menu(
    window: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Export a bundle offers "Encrypted for a teammate's public key", but nothing in the
    workbench made a key pair or wrote a public key: a refused key file said "export one with
    `keys DIR export-public`", a command-line step."""
    from gui.team_actions import BundleExportDialog
    from storage.privacy.crypto import load_public_key
    from storage.team.bundle_export import export_bundle, export_bundle_file

    project: Project = window.project
    idle(window)  # the window's first codebook read (no codes) has landed before the seeding
    _seed(project)
    assert not project.privacy.identity_path().is_file()
    _answer_files(monkeypatch, getSaveFileName=tmp_path / "lead")
    _action(window, "Te&am", "Export my public key (for encrypted bundles)…").trigger()
    idle(window)
    assert window.last_error == ""
    public = tmp_path / "lead.pub"
    assert project.privacy.identity_path().is_file()
    assert "team key was made now" in window.team_actions.last_report
    # a coder encrypts for it; the lead merges with an empty passphrase (the team key)
    export_bundle(project, tmp_path / "lead.fsbundle")
    coder = Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "c.fieldscribe", coder="c")
    coder.codebook.ensure_code_path("For the lead")
    export_bundle_file(coder, tmp_path / "c.fsbundle.enc", recipients=[load_public_key(public)])
    coder.close()
    _merge_key_bundle_through_the_menu(window, monkeypatch, tmp_path / "c.fsbundle.enc")
    idle(window)
    assert window.last_error == ""
    assert project.codebook.find_code("For the lead") is not None
    # exported again: the same key, not a new pair
    before = public.read_text()
    _answer_files(monkeypatch, getSaveFileName=public)
    _action(window, "Te&am", "Export my public key (for encrypted bundles)…").trigger()
    idle(window)
    assert public.read_text() == before
    assert "made now" not in window.team_actions.last_report
    # a file that is no key is named in the dialog, with the menu entry that writes one
    junk = tmp_path / "junk.pub"
    junk.write_text("not a key\n")
    dialog = BundleExportDialog()
    dialog.with_key.setChecked(True)
    dialog.key_file.setText(str(junk))
    assert "junk.pub is not a FieldScribe public key" in dialog.check()
    assert "Team ▸ Export my public key…" in dialog.check()
    dialog.deleteLater()


def test_the_merge_report_says_what_a_bundle_added_and_deleted_table_by_table() -> None:
    """A coder who deleted a code took 6 codings of other coders with it at the lead's merge;
    the report read "x.fsbundle (coder x): 1 row(s) added, 1 updated, 0 conflict(s)"."""
    from gui.merge_report import describe_merge
    from storage.team.merge import MergeSummary

    summary = MergeSummary(bundle="/x/x.fsbundle", coder="x")
    summary.table("coders").added = 1
    summary.table("codes").updated = 1
    summary.table("codes").deleted = 1
    summary.table("codings").deleted = 6
    summary.table("codings").added = 8
    summary.table("memos").added = 1
    summary.table("segments").skipped = 7  # old news: not reported
    text = describe_merge([summary], asked=1, open_conflicts=0)
    assert text == (
        "x.fsbundle (coder x): added 1 coder, 8 codings, 1 memo; updated 1 code; "
        "deleted 1 code, 6 codings; 0 conflicts."
    )


def test_project_lead_in_the_team_menu_records_the_lead(
    window: Any, idle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Team ▸ Project lead…: a project made before leads were recorded names none; the dialog
    says so and records the one typed, which the conflicts dialog then shows."""
    from gui.team_lead import LeadDialog
    from gui.teamwork import ConflictDialog

    project: Project = window.project
    idle(window)
    with project.store.tx() as db:  # as made before projects recorded their lead
        db.conn.execute("DELETE FROM project_meta WHERE key IN ('lead', 'lead:changed')")
    seen: list[str] = []

    def answer(self: LeadDialog) -> int:
        seen.append(self.about.text())
        assert not self.take_over.isVisibleTo(self)
        self.name.setText("dana")
        return 1

    monkeypatch.setattr(LeadDialog, "exec", answer)
    _action(window, "Te&am", "Project lead…").trigger()
    idle(window)
    assert "does not record its lead" in seen[0]
    assert project.team.lead == "dana" and not project.team.may_resolve
    dialog = ConflictDialog(project, window)
    assert dialog.lead_label.text().startswith(f"The lead is dana; you code as {project.coder}.")
    assert not dialog.keep_mine.isEnabled()
    dialog.close()


def test_the_merge_report_of_several_bundles_first_says_all_of_them() -> None:
    """The status bar shows a report's first line: after merging coder-a's and coder-b's
    bundles it said only "coder-a.fsbundle (coder coder-a): added …; 0 conflicts."."""
    from gui.merge_report import describe_merge
    from storage.team.merge import MergeSummary

    one = [MergeSummary(bundle="/x/coder-a.fsbundle", coder="coder-a")]
    assert (
        describe_merge(one, asked=1, open_conflicts=0)
        .splitlines()[0]
        .startswith("coder-a.fsbundle (coder coder-a): ")
    )
    two = [*one, MergeSummary(bundle="/x/coder-b.fsbundle", coder="coder-b")]
    lines = describe_merge(two, asked=2, open_conflicts=0).splitlines()
    assert lines[0] == "Merged 2 bundles (coder-a, coder-b): 0 conflicts."
    assert lines[1].startswith("coder-a.fsbundle") and lines[2].startswith("coder-b.fsbundle")


def test_a_bundle_that_brings_nothing_new_says_so() -> None:
    """Merging a bundle again said only "coder-a.fsbundle (coder coder-a): 0 conflicts."."""
    from gui.merge_report import describe_merge
    from storage.team.merge import MergeSummary

    again = [MergeSummary(bundle="/x/coder-a.fsbundle", coder="coder-a")]
    assert describe_merge(again, asked=1, open_conflicts=0) == (
        "coder-a.fsbundle (coder coder-a): nothing new (merged before, or no changes since); "
        "0 conflicts."
    )


def test_the_merge_report_counts_open_conflicts_and_cancelled_bundles_in_words() -> None:
    """It said "1 open conflict(s): …" and "Cancelled: 1 bundle(s) not merged."."""
    from gui.merge_report import describe_merge
    from storage.team.merge import MergeSummary

    one = [MergeSummary(bundle="/x/coder-a.fsbundle", coder="coder-a")]
    for n, words in ((1, "1 open conflict:"), (2, "2 open conflicts:")):
        last = describe_merge(one, asked=1, open_conflicts=n).splitlines()[-1]
        assert last == f"{words} Team ▸ Resolve merge conflicts…"  # no period after "…"
    for asked, words in ((2, "1 bundle"), (3, "2 bundles")):
        last = describe_merge(one, asked=asked, open_conflicts=0).splitlines()[-1]
        assert last == f"Cancelled: {words} not merged."
    assert "open conflict" not in describe_merge(one, asked=1, open_conflicts=0)


def test_a_menu_item_named_at_the_end_of_a_message_takes_no_period_after_its_dots() -> None:
    """Another project's bundle was refused with "…start a project from it with File ▸ New
    project from a team bundle….": four dots where the item's "…" met the sentence's end."""
    from gui.merge_report import refusal
    from storage.team.bundle import OtherProjectBundleError

    exc = OtherProjectBundleError("x", bundle="/x/b.fsbundle", theirs="Басқа", project_id="p")
    text = str(refusal(exc))
    assert "b.fsbundle belongs to another project ('Басқа')" in text
    assert "(File ▸ New project from a team bundle…)." in text and "…." not in text


def test_a_copy_started_under_the_leads_name_says_so(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    idle: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A walk on the lead's laptop: File ▸ New project from a team bundle… started a
    colleague's copy "you code as dana", dana being the lead; the colleague's codings went
    under dana's name (and merged as dana's). The report now says to choose the copy's name
    first."""
    from storage.team.bundle_export import export_bundle

    with Project.create(tmp_path / "lead.fieldscribe", coder="dana") as lead:
        _seed(lead)
        export_bundle(lead, tmp_path / "lead.fsbundle")
    w = _app_window(qtbot, qsettings, fake_transcriber)
    w.settings.coder = "dana"
    _answer_files(
        monkeypatch,
        getOpenFileName=tmp_path / "lead.fsbundle",
        getSaveFileName=tmp_path / "copy.fieldscribe",
    )
    _action(w, "&File", "New project from a team bundle…").trigger()
    idle(w)
    assert w.project is not None and w.project.coder == "dana", w.last_error
    said = w.team_actions.last_report
    assert "dana is the project's lead. If this copy is not dana's" in said, said
    assert "File ▸ Coder name for this project…" in said


@pytest.mark.parametrize("size", [(1024, 700), (1366, 768)])
def test_a_copy_started_from_a_bundle_says_whose_it_is_in_a_laptops_status_bar(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    idle: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
) -> None:
    """At 1024x700 the status bar read "Started Айгерім.fieldscribe from
    for-Айгерім.fsbundle: you code as А…; export your bundle with …": the coder's name, what
    the message is for, was the part shortened. It now comes first, whole."""
    from storage.team.bundle_export import export_bundle

    for module in ("gui.layout", "gui.main_window", "gui.panels"):  # a laptop's screen
        monkeypatch.setattr(f"{module}.fit_to_screen", lambda _w: None)
    with Project.create(tmp_path / "lead.fieldscribe", coder="lead") as lead:
        _seed(lead)
        export_bundle(lead, tmp_path / "for-Айгерім.fsbundle")
    w = _app_window(qtbot, qsettings, fake_transcriber)
    w.settings.coder = "Айгерім"
    _answer_files(
        monkeypatch,
        getOpenFileName=tmp_path / "for-Айгерім.fsbundle",
        getSaveFileName=tmp_path / "Айгерім.fieldscribe",
    )
    _action(w, "&File", "New project from a team bundle…").trigger()
    idle(w)
    assert w.project is not None and w.project.coder == "Айгерім", w.last_error
    w.resize(*size)
    qtbot.waitUntil(lambda: w.statusBar().width() >= size[0] - 10)
    shown = w.statusBar().shown_text()
    assert shown.startswith("You code as Айгерім in "), shown
    assert shown.endswith("export your bundle with Team ▸ Export a bundle… when you are done.")
    assert "started from for-Айгерім.fsbundle" in w.team_actions.last_report


def test_a_bundle_refused_after_others_merged_says_they_did(
    window: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two bundles chosen, the second truncated: the first merged, yet all the workbench said
    was the second's refusal, "... Nothing was changed." """
    from storage.team.bundle_export import export_bundle

    project: Project = window.project
    idle(window)
    _seed(project)
    export_bundle(project, tmp_path / "mine.fsbundle")
    coder = Project.from_bundle(tmp_path / "mine.fsbundle", tmp_path / "c.fieldscribe", coder="c")
    code = coder.codebook.ensure_code_path("Trust")
    coder.codebook.apply_code(coder.transcript.segments(coder.sessions.all()[0].id)[3].id, code.id)
    good = tmp_path / "coder.fsbundle"
    export_bundle(coder, good)
    coder.close()
    truncated = tmp_path / "truncated.fsbundle"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    later = tmp_path / "later.fsbundle"
    later.write_bytes(good.read_bytes())
    window.chrome.last_error = ""
    _answer_files(monkeypatch, getOpenFileNames=[good, truncated, later])
    _action(window, "Te&am", "Merge bundles into this project…").trigger()
    idle(window)
    said = window.last_error
    assert said.startswith("coder.fsbundle (coder c): added"), said
    assert "truncated.fsbundle was not merged, nor the 1 bundle after it: " in said
    assert "is incomplete or damaged" in said and "nothing" not in said.lower()
    assert project.codebook.find_code("Trust") is not None  # the first one did merge


def test_blind_coding_hides_the_other_coders_session_and_code_memos(window: Any, idle: Any) -> None:
    """With Team ▸ Blind coding on, Memos ▸ Session memos… and a code's Memo… still listed
    aigerim's memos ("Айгүл avoids 'емхана'", what she counts as Health): her reading of the
    material, in sight of a coder who was to code it blind. Hidden now; back when it ends."""
    project: Project = window.project
    idle(window)
    sid, _segs = _seed(project)
    code = project.codebook.find_code("Services/Health")
    assert code is not None
    project.codebook.add_memo("session", sid, "my session note")
    theirs = [
        project.codebook.add_memo("session", sid, "Айгүл avoids 'емхана'"),
        project.codebook.add_memo("code", code.id, "Health: any care, even a pharmacy"),
    ]
    with project.transaction() as db:  # written on aigerim's laptop, merged here
        for memo in theirs:
            db.conn.execute("UPDATE memos SET created_by = 'aigerim' WHERE id = ?", (memo.id,))
    window.sessions.reload_sessions()
    window.sessions.open_segment_session(sid)
    idle(window)
    memos = window.editing.memos

    def listed(target: str, target_id: str) -> list[str]:
        dialog = memos.memo_dialog(target, target_id, "Memos")
        assert dialog is not None
        shown = [dialog.list.item(i).text() for i in range(dialog.list.count())]
        dialog.close()
        return shown

    assert len(listed("session", sid)) == 2 and len(listed("code", code.id)) == 1
    blind = _action(window, "Te&am", "Blind coding (see only my codings)")
    blind.trigger()
    idle(window)
    assert [t.split("  ·  ")[0] for t in listed("session", sid)] == ["my session note"]
    assert listed("code", code.id) == []
    blind.trigger()
    idle(window)
    assert len(listed("session", sid)) == 2 and len(listed("code", code.id)) == 1


def test_a_bundle_of_consented_participants_only_from_the_workbench(
    window: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Team ▸ Export a bundle… had no "only consented" choice (bundle export --consented-only
    had): a bundle from the workbench always carried the participant who refused. Ticked, it
    carries nothing of them: not their words, row, attributes nor the memo that names them."""
    import sqlite3
    import zipfile

    from storage import SegmentDraft

    project = window.project
    session = project.sessions.add_session("Фокус-группа")
    project.transcript.add_segments(
        session.id,
        [
            SegmentDraft(0, 900, "Су нашар.", "S1"),
            SegmentDraft(1000, 1900, "Бұзаутерек жабылды.", "S2"),
        ],
    )
    yes, no = (
        project.sessions.add_participant("P01"),
        project.sessions.add_participant("P02", {"ауыл": "Қарабұлақ"}),
    )
    project.sessions.map_speaker(session.id, "S1", yes.id)
    project.sessions.map_speaker(session.id, "S2", no.id)
    project.consent.set_consent(yes.id, None, transcription=True, quotation=True)
    project.consent.set_consent(no.id, None, transcription=True, quotation=False)
    project.codebook.add_memo("project", None, "P02 бас тартты.")
    for consented, name in ((False, "all.fsbundle"), (True, "only.fsbundle")):
        _export_dialog(monkeypatch, consented=consented)
        _answer_files(monkeypatch, getSaveFileName=tmp_path / name)
        _action(window, "Te&am", "Export a bundle…").trigger()
        idle(window)
        with zipfile.ZipFile(tmp_path / name) as zf:
            (tmp_path / f"{name}.db").write_bytes(zf.read("project.db"))
        conn = sqlite3.connect(tmp_path / f"{name}.db")
        try:
            people = {r[0] for r in conn.execute("SELECT pseudonym FROM participants")}
            memos = conn.execute("SELECT count(*) FROM memos").fetchone()[0]
            texts = {r[0] for r in conn.execute("SELECT text FROM segments")}
        finally:
            conn.close()
        assert ("P02" in people) is not consented and memos == (0 if consented else 1)
        assert ("Бұзаутерек жабылды." in texts) is not consented
        raw = (tmp_path / f"{name}.db").read_bytes()
        assert ("Қарабұлақ".encode() in raw) is not consented


def test_the_merge_report_says_what_happened_to_spans_whose_words_are_gone() -> None:
    """The report counted a span kept flagged, or a whole-segment coding waiting for one, as
    a coding added (or said nothing): it now says so, as ``bundle merge`` does."""
    from gui.merge_report import describe_merge
    from storage.team.merge import MergeSummary

    summary = MergeSummary(bundle="/x/bob.fsbundle", coder="bob")
    summary.lost_spans(2, 0)
    summary.held_wholes = 1
    lines = describe_merge([summary], asked=1, open_conflicts=0).splitlines()
    assert lines[1:] == [f"  {line}" for line in summary.span_lines()]
    assert lines[1].startswith("  2 span codings kept on their segments, their words gone")
    assert lines[2].startswith("  1 whole-segment coding waits for its coder's flagged span")
