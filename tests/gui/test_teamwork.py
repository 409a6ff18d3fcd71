"""Teamwork widgets, offscreen, on real projects merged from real bundles."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sklearn.metrics import cohen_kappa_score

from cli import main as cli_main
from gui.select_row import select_row
from gui.teamwork import (
    AgreementModel,
    AgreementWidget,
    BlindCodingToggle,
    ConflictDialog,
    DisagreementWidget,
)
from storage import Project
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from storage.transcript.transcript import SegmentDraft
from tests.teamwork_helpers import forget_lead, make_lead, team


def _coded(tmp_path: Path) -> tuple[Project, list[str]]:
    lead, segs = make_lead(tmp_path)
    code = lead.codebook.find_code("Services/Health")
    assert code is not None
    for i, seg in enumerate(segs):
        if i < 4:
            lead.codebook.apply_code(seg, code.id, coder="ann")
        if i >= 2:
            lead.codebook.apply_code(seg, code.id, coder="ben")
    return lead, segs


def test_agreement_table_shows_coefficients(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lead, _ = _coded(tmp_path)
    widget = AgreementWidget(lead)
    qtbot.addWidget(widget)
    model = widget.view.model()
    assert isinstance(model, AgreementModel)
    assert model.rowCount() == 3  # Services, Services/Health, (all codes)
    last = model.rowCount() - 1
    assert model.index(last, 0).data() == "(all codes)"
    # over the code applied: the parent nobody applied adds no units (it made -0.5 read 0.25)
    expected = cohen_kappa_score([1, 1, 1, 1, 0, 0], [0, 0, 1, 1, 1, 1])
    kappa = model.index(last, 3).data(Qt.ItemDataRole.UserRole)
    assert abs(kappa - expected) < 1e-9
    # a code nobody used: "n/a" with the reason as tooltip, never "nan"
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "Services")
    assert model.index(row, 4).data() == "n/a"
    assert model.index(row, 4).data(Qt.ItemDataRole.ToolTipRole)
    assert "Unit: (segment, code)… (hover for more)" in widget.unit_label.text()
    assert "unit = " not in widget.unit_label.text()  # it read "Unit: unit = (segment, …"
    # the overall figures stand above the table (a laptop's dock shows a row or two of it)
    assert f"κ {expected:.3f}" in widget.overall_label.text()
    assert "Span overlap" in widget.unit_label.toolTip()
    lead.close()


def test_disagreement_view_lists_differing_segments(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lead, segs = _coded(tmp_path)
    widget = DisagreementWidget(lead)
    qtbot.addWidget(widget)
    assert widget.model.rowCount() == 4  # segments 0, 1 (ann only) and 4, 5 (ben only)
    ids = [widget.model.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(4)]
    assert ids == [segs[0], segs[1], segs[4], segs[5]]
    assert widget.model.index(0, 5).data() == "ann" and widget.model.index(0, 6).data() == "ben"
    # the text a short dock elides (two lines at 1024x700) is whole in its tooltip
    for row, seg in enumerate(ids):
        text = lead.transcript.get_segment(seg).text
        assert text and widget.model.index(row, 3).data(Qt.ItemDataRole.ToolTipRole) == text
    lead.close()


def _merged_text_conflict(tmp_path: Path, *, speakers: bool = False) -> tuple[Project, list[str]]:
    """The lead after merging alice's and bob's bundles: both edited the first segment's text
    (bob's, the newer, is shown); ``speakers``: both also set the second one's speaker."""
    lead, segs, coders = team(tmp_path, "alice", "bob")
    coders["alice"].transcript.update_segment(segs[0], text="alice says")
    time.sleep(0.01)  # bob's version is the newer one: the one shown after the merge
    coders["bob"].transcript.update_segment(segs[0], text="bob says")
    if speakers:
        coders["alice"].transcript.update_segment(segs[1], speaker="A")
        coders["bob"].transcript.update_segment(segs[1], speaker="B")
    for name, p in coders.items():
        export_bundle(p, tmp_path / f"{name}.fsbundle")
        p.close()
    merge_bundles(lead, [tmp_path / "alice.fsbundle", tmp_path / "bob.fsbundle"])
    return lead, segs


def test_conflict_dialog_keep_theirs_and_edit(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lead, segs = _merged_text_conflict(tmp_path, speakers=True)
    lead.team.set_lead("alice")  # the lead hands over to alice, who opens it here
    lead.coders.use("alice")
    dialog = ConflictDialog(lead)
    qtbot.addWidget(dialog)
    assert dialog.list.count() == 2
    assert dialog.versions.rowCount() == 2
    first = dialog.current()
    assert first is not None
    with qtbot.waitSignal(dialog.resolved):
        qtbot.mouseClick(dialog.keep_theirs, Qt.MouseButton.LeftButton)
    resolved = lead.team.get_conflict(first.id)
    assert resolved.status == "resolved" and "bob" in (resolved.resolution or "")
    assert dialog.list.count() == 1
    dialog.edit_text = "agreed"
    second = dialog.current()
    assert second is not None
    qtbot.mouseClick(dialog.edit, Qt.MouseButton.LeftButton)
    assert lead.team.conflicts() == []
    assert not dialog.keep_mine.isEnabled()
    texts = {lead.transcript.get_segment(segs[0]).text, lead.transcript.get_segment(segs[1]).text}
    assert "bob says" in texts or "agreed" in texts
    lead.close()


def test_blind_coding_toggle(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lead, _segs = _coded(tmp_path)
    lead.coders.use("ann")
    toggle = BlindCodingToggle(lead)
    qtbot.addWidget(toggle)
    assert not toggle.box.isChecked()
    with qtbot.waitSignal(toggle.toggled):
        toggle.box.setChecked(True)
    assert lead.team.blind_coding
    assert {c.coder for c in lead.team.visible_codings()} == {"ann"}
    toggle.box.setChecked(False)
    assert {c.coder for c in lead.team.visible_codings()} == {"ann", "ben"}
    lead.close()


def test_keeping_my_version_of_a_conflict_shows_it_and_the_next_edit_keeps_it(
    qtbot, tmp_path: Path, qsettings, fake_transcriber, idle, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The kept text was stored but the workbench showed the other version, and the next
    edit in the editor saved that other version plus the edit."""
    from PySide6.QtWidgets import QMessageBox

    from gui.main_window import MainWindow

    lead, segs, coders = team(tmp_path, "bob")
    lead.transcript.update_segment(segs[0], text="the lead's words")
    time.sleep(0.01)  # versions are timestamps: bob's is the newer one, shown after the merge
    coders["bob"].transcript.update_segment(segs[0], text="bob's words")
    export_bundle(coders["bob"], tmp_path / "bob.fsbundle")
    coders["bob"].close()
    merge_bundles(lead, [tmp_path / "bob.fsbundle"])
    assert lead.transcript.get_segment(segs[0]).text == "bob's words"  # the newer is shown
    folder = lead.folder
    lead.close()
    qsettings.setValue("transcribe_after_import", "false")
    w = MainWindow(transcriber=fake_transcriber, settings=qsettings)
    qtbot.addWidget(w)
    w.show()
    assert w.projects.open_project(folder)
    idle(w)
    w.sessions.open_segment_session(w.project.sessions.all()[0].id)
    idle(w)
    qtbot.waitUntil(lambda: w.segment_model.rowCount() == 6)
    assert w.segment_model.segment(0).text == "bob's words"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    w.project.coders.use("lead")
    dialog = w.extra_panels.show_conflicts()
    assert dialog is not None
    with qtbot.waitSignal(dialog.resolved):
        dialog.keep_mine.click()
    idle(w)
    qtbot.waitUntil(lambda: w.segment_model.segment(0).text == "the lead's words")
    dialog.close()
    w.transcript.go_to_row(0)
    idle(w)
    editor = w.segment_editor
    assert editor.toPlainText() == "the lead's words"
    editor.setFocus()
    cursor = editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    editor.setTextCursor(cursor)
    qtbot.keyClicks(editor, " Really.")
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    idle(w)
    assert w.project.transcript.get_segment(segs[0]).text == "the lead's words Really."
    w.close()


def test_a_coding_conflict_reads_as_code_coder_and_words_not_ids(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The dialog showed coding versions as Python dicts of ids: {'segment_id': '01a2…'}."""
    lead, segs, _coders = team(tmp_path, "bob")
    code = lead.codebook.ensure_code_path("Services/Health")
    lead.codebook.apply_code(segs[1], code.id, start_cp=0, end_cp=7)
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    # the lead's second copy (her laptop): a coding is its coder's, so only she changes it
    bob = Project.from_bundle(
        tmp_path / "lead2.fsbundle", tmp_path / "b2.fieldscribe", coder="lead"
    )
    (coding,) = [c for c in lead.codebook.codings() if c.start_cp is not None]
    lead.codebook.update_coding(coding.id, memo="lead's memo")
    schools = bob.codebook.ensure_code_path("Services/Schools")
    bob.codebook.update_coding(coding.id, code_id=schools.id)
    export_bundle(bob, tmp_path / "bob2.fsbundle")
    merge_bundles(lead, [tmp_path / "bob2.fsbundle"])
    dialog = ConflictDialog(lead)
    qtbot.addWidget(dialog)
    assert dialog.list.count() == 1
    shown = [dialog.versions.item(r, 2).text() for r in range(dialog.versions.rowCount())]
    assert all("“segment”" in t for t in shown), shown
    assert sorted("Services/Health" in t for t in shown) == [False, True], shown
    assert any("Services/Schools" in t for t in shown), shown
    assert "memo: lead's memo" in {t.split("  ")[-1] for t in shown}
    assert not any("_id" in t or "{" in t for t in [*shown, dialog.list.item(0).text()])
    # when each version was written, in this computer's time to the minute (it was the UTC
    # ISO text the project keeps, "2026-12-05T08:31:12.345Z")
    from gui.fmt import fmt_when

    whens = [dialog.versions.item(r, 1).text() for r in range(dialog.versions.rowCount())]
    versions = [v.version for v in lead.team.conflicts()[0].versions]
    assert whens == [fmt_when(v) for v in versions] and all(len(t) == 16 for t in whens), whens
    lead.close()
    bob.close()


def test_disagreements_follow_codings_and_undo_and_play_the_segment(  # type: ignore[no-untyped-def]
    window, qtbot, idle, speech_wav
) -> None:
    """The Disagreements panel kept its first count after a coding that settled one (and its
    undo), and its rows could not be played like Search's and Retrieval's."""
    from tests.gui.gui_helpers import import_and_transcribe

    project = window.project
    sid = import_and_transcribe(window, qtbot, idle, speech_wav)
    window.editing.add_code("Trust")
    idle(window)
    trust = project.codebook.find_code("Trust")
    segments = project.transcript.segments(sid)
    for seg in segments[:2]:
        project.codebook.apply_code(seg.id, trust.id, coder="ben")
    project.codebook.apply_code(segments[3].id, trust.id)  # mine, not ben's
    panel = window.extra_panels.show_disagreements()
    qtbot.waitUntil(lambda: len(panel.items) == 3)  # computed on a worker
    window.transcript.go_to_row(0)
    window.editing.apply_code(trust.id)  # I agree with ben on the first
    idle(window)
    qtbot.waitUntil(lambda: len(panel.items) == 2, timeout=3000)
    window.undo_stack.undo()
    idle(window)
    qtbot.waitUntil(lambda: len(panel.items) == 3, timeout=3000)
    started: list[bool] = []
    window.player.playing_changed.connect(started.append)
    panel.table.setFocus()
    panel.table.setCurrentIndex(panel.model.index(1, 2))
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    idle(window)
    qtbot.waitUntil(lambda: window.transcript.currentIndex().row() == 1, timeout=3000)
    qtbot.waitUntil(lambda: True in started, timeout=5000)


def test_conflict_dialog_without_conflicts_says_so_and_closes(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """With no conflict it showed an empty list, greyed-out buttons and no Close button."""
    from PySide6.QtWidgets import QDialogButtonBox, QLabel

    lead, _segs, coders = team(tmp_path, "alice", "bob")
    for p in coders.values():
        p.close()
    dialog = ConflictDialog(lead)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.list.count() == 0
    texts = [label.text() for label in dialog.findChildren(QLabel) if label.isVisible()]
    assert any("No open merge conflicts" in t for t in texts), texts
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    close = box.button(QDialogButtonBox.StandardButton.Close)
    assert close is not None and close.isVisible()
    close.click()
    assert not dialog.isVisible()
    lead.close()


def test_a_lead_who_coded_too_can_compare_the_two_coders(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The lead coded one segment as an example: a third coder. Cohen's κ read "n/a" for every
    code, the note pointed to the command line ("pairwise_kappa (--json)"), and Disagreements
    listed every segment both coders coded as "not applied by lead"; nothing in the panels let
    the lead compare ann and ben. Compare ▾ chooses the coders."""
    lead, segs = _coded(tmp_path)  # ann codes 0-3, ben 2-5
    code = lead.codebook.find_code("Services/Health")
    assert code is not None
    lead.codebook.apply_code(segs[2], code.id, coder="lead")
    widget = AgreementWidget(lead)
    qtbot.addWidget(widget)
    assert widget.chooser.coders == ["ann", "ben", "lead"]
    assert widget.chooser.text() == "Compare: all 3 coders"
    assert widget.model.index(widget.model.rowCount() - 1, 3).data() == "n/a"
    notes = widget.notes_label.text()
    assert "--json" not in notes and "choose two under Compare" in notes
    # every pair's κ over all codes (both codes' units: Services and Services/Health)
    expected = cohen_kappa_score([1, 1, 1, 1, 0, 0], [0, 0, 1, 1, 1, 1])
    assert f"ann / ben {expected:.3f};" in notes
    lead_action = next(a for a in widget.chooser.menu().actions() if a.data() == "lead")
    lead_action.trigger()  # unticked in the menu
    assert widget.chooser.chosen() == ["ann", "ben"]
    assert widget.chooser.text() == "Compare: ann, ben"
    last = widget.model.rowCount() - 1
    assert abs(widget.model.index(last, 3).data(Qt.ItemDataRole.UserRole) - expected) < 1e-9
    assert f"κ {expected:.3f}" in widget.overall_label.text()
    # the last ticked coder stays ticked: the menu cannot leave nobody to compare
    widget.chooser.choose(["ann"])
    assert [a.isEnabled() for a in widget.chooser.menu().actions()] == [False, True, True]
    widget.refresh()  # a refresh (after a merge) keeps the choice
    assert widget.report is not None and widget.report.coders == ["ann"]

    two = AgreementWidget(_coded(tmp_path / "two")[0])
    qtbot.addWidget(two)
    assert two.chooser.text() == "Compare: ann, ben"  # not "all 2 coders"
    two.project.close()

    disagreeing = DisagreementWidget(lead)
    qtbot.addWidget(disagreeing)
    assert any("lead" in d.not_applied_by for d in disagreeing.items)
    disagreeing.chooser.choose(["ann", "ben"])
    assert [(d.segment_id, d.applied_by) for d in disagreeing.items] == [
        (segs[0], ["ann"]),
        (segs[1], ["ann"]),
        (segs[4], ["ben"]),
        (segs[5], ["ben"]),
    ]
    assert disagreeing.model.rowCount() == 4
    lead.close()


def test_a_disagreement_on_words_shows_each_coders_words(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Both coders applied the code, one to the whole segment and one to two of its words: the
    row read Applied by "ann, ben" and an empty Not applied by, so nothing said what differed."""
    lead, segs = make_lead(tmp_path)
    code = lead.codebook.find_code("Services/Health")
    assert code is not None
    text = lead.transcript.get_segment(segs[0]).text
    start = text.index("about clinics")
    lead.codebook.apply_code(segs[0], code.id, coder="ann")
    lead.codebook.apply_code(
        segs[0], code.id, coder="ben", start_cp=start, end_cp=start + len("about clinics")
    )
    widget = DisagreementWidget(lead)
    qtbot.addWidget(widget)
    assert widget.model.rowCount() == 1
    cell = widget.model.index(0, 5)
    assert cell.data() == "ann: whole segment\nben: “about clinics”"
    assert widget.model.index(0, 6).data() == "(different words)"
    assert cell.data(Qt.ItemDataRole.ToolTipRole) == cell.data()
    lead.close()


def test_a_deleted_code_still_used_names_who_deleted_and_whose_codings_use_it(
    qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """alice deleted a code that bob then used: the conflict read "Code deleted by one, still
    used (alice, lead)" (the code's author and the deleter), never naming bob's coding."""
    lead, segs, coders = team(tmp_path, "alice", "bob")
    alice, bob = coders["alice"], coders["bob"]
    health = alice.codebook.find_code("Services/Health")
    assert health is not None
    alice.codebook.delete_code(health.id, force=True)
    bob.codebook.apply_code(segs[1], health.id)
    for name, p in coders.items():
        export_bundle(p, tmp_path / f"{name}.fsbundle")
        p.close()
    merge_bundles(lead, [tmp_path / "alice.fsbundle", tmp_path / "bob.fsbundle"])
    dialog = ConflictDialog(lead)
    qtbot.addWidget(dialog)
    labels = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert len(labels) == 1, labels
    assert labels[0].startswith("Code deleted by alice, still used by 1 coding of bob\n")
    # a deletion has no text to write: Edit… was pressable (and did nothing) when it opened
    assert not dialog.edit.isEnabled()
    assert dialog.keep_mine.isEnabled()
    lead.close()


def test_a_lead_who_wrote_no_version_is_told_what_the_keep_buttons_keep(
    qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """alice and bob edited one segment; the lead, who wrote neither version, read "Keep mine"
    (which kept bob's, the version shown) and "Keep theirs"."""
    lead, segs = _merged_text_conflict(tmp_path)
    dialog = ConflictDialog(lead)
    qtbot.addWidget(dialog)
    assert dialog.keep_mine.text() == "Keep the version shown (bob)"
    assert dialog.keep_theirs.text() == "Keep the selected version"
    select_row(dialog.versions, 0)  # alice's
    qtbot.mouseClick(dialog.keep_theirs, Qt.MouseButton.LeftButton)
    assert lead.transcript.get_segment(segs[0]).text == "alice says"
    lead.close()


def test_a_coder_whose_version_is_among_them_keeps_mine_or_theirs(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lead, _segs = _merged_text_conflict(tmp_path)
    lead.coders.use("alice")
    dialog = ConflictDialog(lead)
    qtbot.addWidget(dialog)
    assert (dialog.keep_mine.text(), dialog.keep_theirs.text()) == ("Keep mine", "Keep theirs")
    lead.close()


def test_a_shared_code_deleted_by_a_coder_says_whose_codings_would_go(
    qtbot, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    """bob deleted a code that alice and carol used (their codings came in the lead's bundle):
    merging his bundle deleted their codings at the lead. Now it is a conflict that names
    whose codings, and how many, keeping the deletion would delete."""
    lead, segs, coders = team(tmp_path, "alice", "bob", "carol")
    health = lead.codebook.find_code("Services/Health")
    assert health is not None
    coders["alice"].codebook.apply_code(segs[0], health.id)
    coders["alice"].codebook.apply_code(segs[1], health.id)
    coders["carol"].codebook.apply_code(segs[2], health.id)
    for name in ("alice", "carol"):
        export_bundle(coders[name], tmp_path / f"{name}.fsbundle")
    merge_bundles(lead, [tmp_path / "alice.fsbundle", tmp_path / "carol.fsbundle"])
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    bob = coders["bob"]
    merge_bundles(bob, [tmp_path / "lead2.fsbundle"])
    bob.codebook.delete_code(health.id, force=True)
    export_bundle(bob, tmp_path / "bob.fsbundle")
    for p in coders.values():
        p.close()
    merge_bundles(lead, [tmp_path / "bob.fsbundle"])
    dialog = ConflictDialog(lead)
    qtbot.addWidget(dialog)
    assert dialog.list.count() == 1
    label = dialog.list.item(0).text()
    assert label.startswith(
        "Code deleted by bob, still used by 3 codings: 2 of alice, 1 of carol\n"
    )
    # the command line's listing says the same (it read "deleted by one, still used")
    conflict_id = dialog.conflicts[0].id
    lead.close()
    assert cli_main(["conflicts", str(tmp_path / "lead.fieldscribe")]) == 0
    head = "Code deleted by bob, still used by 3 codings: 2 of alice, 1 of carol"
    head = f"{conflict_id}  [open]  {head}"
    assert head in capsys.readouterr().out.splitlines()
    lead = Project.open(tmp_path / "lead.fieldscribe")
    dialog.project = lead
    dialog.refresh()
    losses = "Keeping the deletion deletes 2 codings of alice, 1 coding of carol"
    assert losses in dialog.list.item(0).toolTip()
    cells = [dialog.versions.item(i, 2).text() for i in range(dialog.versions.rowCount())]
    assert any(c.startswith(f"(deleted) {losses}; keeping the row keeps them.") for c in cells)
    if os.environ.get("FS_GRAB"):
        dialog.resize(1000, 420)
        dialog.grab().save(os.environ["FS_GRAB"])
    kept = next(i for i, v in enumerate(dialog.conflicts[0].versions) if not v.deleted)
    dialog._resolve(dialog.conflicts[0], keep=kept)
    assert len(lead.codebook.codings(code_id=health.id)) == 3
    assert dialog.list.count() == 0
    lead.close()


def test_a_removed_coding_conflict_says_whose_and_who_removed_it(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """bob removed alice's coding: the list said "Coding deleted by bob, still used". (Only a
    copy that records no lead lets bob remove alice's coding: a project made before leads were
    recorded, or a FieldScribe before codings were their coders'.)"""
    lead, segs, coders = team(tmp_path, "alice", "bob")
    a, b = coders["alice"], coders["bob"]
    code = a.codebook.find_code("Services/Health")
    assert code is not None
    coding = a.codebook.apply_code(segs[0], code.id)
    export_bundle(a, tmp_path / "a.fsbundle")
    merge_bundles(lead, [tmp_path / "a.fsbundle"])
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    merge_bundles(b, [tmp_path / "lead2.fsbundle"])
    forget_lead(b)
    b.codebook.remove_coding(coding.id)
    export_bundle(b, tmp_path / "b2.fsbundle")
    merge_bundles(lead, [tmp_path / "b2.fsbundle"])
    dialog = ConflictDialog(lead)
    qtbot.addWidget(dialog)
    assert dialog.list.item(0).text().splitlines()[0] == "Coding of alice removed by bob"
    losses = "Keeping the deletion deletes 1 coding of alice; keeping the row keeps it."
    assert losses in dialog.list.item(0).toolTip()
    shown = [dialog.versions.item(r, 2).text() for r in range(dialog.versions.rowCount())]
    assert any("code: Services/Health" in t and "coder: alice" in t for t in shown), shown
    if os.environ.get("FS_SHOT"):
        dialog.grab().save(os.environ["FS_SHOT"])
    for p in (lead, a, b):
        p.close()


def test_recompute_says_it_ran_and_whether_anything_changed(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lead, segs = _coded(tmp_path)
    widget = AgreementWidget(lead)
    qtbot.addWidget(widget)
    assert widget.recomputed_label.text() == ""
    before = widget.shown()
    qtbot.mouseClick(widget.recompute, Qt.MouseButton.LeftButton)
    assert widget.shown() == before  # nothing changed: the table stays as it was ...
    assert "Recomputed at" in widget.recomputed_label.text()  # ... and it says it ran
    assert "no change" in widget.recomputed_label.text()
    code = lead.codebook.find_code("Services/Health")
    assert code is not None
    lead.codebook.apply_code(segs[5], code.id, coder="ann")  # ann now agrees on segment 5
    qtbot.mouseClick(widget.recompute, Qt.MouseButton.LeftButton)
    assert widget.shown() != before
    assert "figures updated" in widget.recomputed_label.text()
    widget.refresh()  # as an edit's refresh does: what Recompute said no longer holds
    assert widget.recomputed_label.text() == ""
    lead.close()


def _cut_row(view: Any) -> int | None:
    """The row cut off at the bottom of ``view``'s viewport, if one is."""
    bottom = view.viewport().height()
    row = view.rowAt(bottom - 1)
    if row < 0:
        return None  # blank under the last row
    return row if view.rowViewportPosition(row) + view.rowHeight(row) > bottom else None


def test_team_tables_show_whole_rows_at_any_height(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lead, _ = _coded(tmp_path)
    agreement, disagreement = AgreementWidget(lead), DisagreementWidget(lead)
    for widget, view in ((agreement, agreement.view), (disagreement, disagreement.table)):
        qtbot.addWidget(widget)
        widget.show()
        seen = set()
        for height in range(120, 320, 7):  # a short laptop dock, and taller
            widget.resize(700, height)
            qtbot.wait(5)
            assert _cut_row(view) is None, (type(widget).__name__, height)
            seen.add(view.rowAt(view.viewport().height() - 1) >= 0)
        assert seen == {True, False}  # some heights hold every row, some scroll for more
    lead.close()


def test_keep_the_selected_version_keeps_the_row_selected_even_the_shown_one(  # type: ignore[no-untyped-def]
    qtbot, tmp_path: Path
) -> None:
    """A lead who selected the version shown (bob's) and pressed "Keep the selected version"
    got alice's; with nothing selected the button kept the first other version. It keeps the
    row selected, and waits for one."""
    lead, segs = _merged_text_conflict(tmp_path)
    dialog = ConflictDialog(lead)
    qtbot.addWidget(dialog)
    assert not dialog.keep_theirs.isEnabled()  # nothing selected yet
    assert dialog.keep_mine.isEnabled()
    conflict = dialog.current()
    assert conflict is not None
    shown = dialog.mine_index(conflict)
    assert conflict.versions[shown].author == "bob"
    select_row(dialog.versions, shown)
    assert dialog.keep_theirs.isEnabled()
    qtbot.mouseClick(dialog.keep_theirs, Qt.MouseButton.LeftButton)
    assert lead.transcript.get_segment(segs[0]).text == "bob says"
    assert "bob" in (lead.team.get_conflict(conflict.id).resolution or "")
    lead.close()


def test_the_disagreement_count_reads_as_words(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """It read "4 disagreement(s) to discuss", and "0 disagreement(s)" when coders agreed."""
    lead, segs = _coded(tmp_path)
    widget = DisagreementWidget(lead)
    qtbot.addWidget(widget)
    assert widget.count_label.text().startswith("4 disagreements to discuss")
    code = lead.codebook.find_code("Services/Health")
    assert code is not None
    for seg in segs[:2]:
        lead.codebook.apply_code(seg, code.id, coder="ben")
    for seg in segs[4:6]:
        lead.codebook.apply_code(seg, code.id, coder="ann")
    widget.refresh()
    assert widget.model.rowCount() == 0
    assert widget.count_label.text() == (
        "No disagreements: ann, ben applied every code to the same segments and words."
    )
    lead.close()


def test_the_windows_team_panels_compute_off_the_gui_thread(  # type: ignore[no-untyped-def]
    window, qtbot, idle, monkeypatch, speech_wav
) -> None:
    """A merged focus-group series (18,000 segments, three coders' 36,000 codings) froze the
    window for 0.5 s opening Agreement and 2 s opening Disagreements, again on every coding
    while they were open and after every merge: the window's panels compute on a worker."""
    import threading

    from storage.team.teamwork import Team
    from tests.gui.gui_helpers import import_and_transcribe

    project = window.project
    sid = import_and_transcribe(window, qtbot, idle, speech_wav)
    segs = [s.id for s in project.transcript.segments(sid)]
    code = project.codebook.add_code("Trust")
    project.codebook.apply_code(segs[0], code.id, coder="ann")
    project.codebook.apply_code(segs[1], code.id, coder="ben")
    threads: list[bool] = []
    shared: list[bool] = []
    real = Team.agreement_data

    def recorded(self: Any, *args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread() is threading.main_thread())
        # over a connection of its own: the long read never holds the window's
        shared.append(self is project.team)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Team, "agreement_data", recorded)
    # the coders to offer and the blind-coding setting too (small reads, but on the GUI
    # thread they waited behind the workers' long ones)
    on_gui: list[str] = []
    for name in ("coding_coders", "blind_coding"):
        real_read = getattr(Team, name)
        if isinstance(real_read, property):
            getter = real_read.fget

            def read(self: Any, getter: Any = getter, name: str = name) -> Any:
                if threading.current_thread() is threading.main_thread():
                    on_gui.append(name)
                return getter(self)

            monkeypatch.setattr(Team, name, property(read))
        else:

            def call(self: Any, *a: Any, real_read: Any = real_read, name: str = name) -> Any:
                if threading.current_thread() is threading.main_thread():
                    on_gui.append(name)
                return real_read(self, *a)

            monkeypatch.setattr(Team, name, call)
    agreement = window.extra_panels.show_agreement()
    disagreement = window.extra_panels.show_disagreements()
    assert agreement.overall_label.text() == "Computing the agreement…"
    assert disagreement.count_label.text() == "Computing the disagreements…"
    assert disagreement.chooser.text() == "Compare"  # its coders come with the figures
    idle(window)
    qtbot.waitUntil(lambda: disagreement.model.rowCount() == 2)
    assert agreement.overall_label.text().startswith("<b>All codes</b>")
    assert disagreement.count_label.text().startswith("2 disagreements to discuss")
    assert threads == [False, False]  # both computed, neither on the GUI thread
    window.extra_panels.codings_edited()  # an edit: both follow it, on the worker again
    qtbot.waitUntil(lambda: len(threads) == 4)
    idle(window)
    assert threads == [False] * 4
    assert on_gui == []
    assert shared == [False] * 4


def test_a_team_panel_closed_while_it_computes_takes_no_late_figures(  # type: ignore[no-untyped-def]
    window, qtbot, idle, monkeypatch
) -> None:
    """The figures computed on a worker may land after the panel is gone (its project
    closed): they are dropped, nothing is written to a deleted widget."""
    import threading

    from storage.team.teamwork import Team

    release = threading.Event()
    real = Team.agreement_data

    def held(self: Any, *args: Any, **kwargs: Any) -> Any:
        release.wait(20)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Team, "agreement_data", held)
    panel = window.extra_panels.show_disagreements()
    assert panel.count_label.text() == "Computing the disagreements…"
    threading.Timer(0.3, release.set).start()  # it ends while the project closes
    window.projects.close_project()
    assert window.extra_panels.docks == {}
    idle(window)  # an exception in the late callback would fail the test here
    qtbot.wait(50)


def test_a_segment_without_a_speaker_reads_none_in_words_not_pythons_none(
    qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Two coders typed the same segment differently, a segment no one named a speaker for
    (as Whisper leaves them): the list and both versions read "speaker: None  text: ...",
    Python's word for nothing."""
    lead = Project.create(tmp_path / "lead.fieldscribe", coder="lead")
    session = lead.sessions.add_session("Interview 1")
    (seg,) = lead.transcript.add_segments(session.id, [SegmentDraft(0, 900, "Мы уехали", None)])
    export_bundle(lead, tmp_path / "lead.fsbundle")
    for name, text in (("alice", "Мы уехали в 2019"), ("bob", "Мы уехали весной")):
        coder = Project.from_bundle(
            tmp_path / "lead.fsbundle", tmp_path / f"{name}.fieldscribe", coder=name
        )
        coder.transcript.update_segment(seg.id, text=text)
        time.sleep(0.01)
        export_bundle(coder, tmp_path / f"{name}.fsbundle")
        coder.close()
    merge_bundles(lead, [tmp_path / "alice.fsbundle", tmp_path / "bob.fsbundle"])
    dialog = ConflictDialog(lead)
    qtbot.addWidget(dialog)
    cells = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    cells += [dialog.versions.item(r, 2).text() for r in range(dialog.versions.rowCount())]
    assert len(cells) == 3
    assert ["speaker: (none)  text: " in c and "None" not in c for c in cells] == [True] * 3, cells
    lead.close()


def test_the_count_says_which_disagreements_are_on_the_words_only(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A team counted "8 disagreements" here and 6 disagreeing segments in Agreement: two were
    the same code on the same segment, on other words, which Agreement counts as agreeing."""
    lead, segs = make_lead(tmp_path)
    code = lead.codebook.find_code("Services/Health")
    assert code is not None
    lead.codebook.apply_code(segs[0], code.id, start_cp=0, end_cp=4, coder="ann")
    lead.codebook.apply_code(segs[0], code.id, start_cp=5, end_cp=9, coder="ben")
    lead.codebook.apply_code(segs[1], code.id, coder="ann")
    widget = DisagreementWidget(lead)
    qtbot.addWidget(widget)
    assert widget.count_label.text() == (
        "2 disagreements to discuss, 1 of them only on which words (Agreement counts that "
        "segment as agreeing); Enter or a double-click plays one"
    )
    lead.close()


def test_the_agreement_panel_exports_the_table_it_shows(  # type: ignore[no-untyped-def]
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Team ▸ Inter-coder agreement had no way to take its table away (a lead copied the
    figures off the screen): Export… writes it as an .xlsx or .csv, the figures shown."""
    import csv

    from PySide6.QtWidgets import QFileDialog

    lead, _ = _coded(tmp_path)
    widget = AgreementWidget(lead)
    qtbot.addWidget(widget)
    assert widget.export_button.isEnabled()
    asked: list[str] = []

    def save(_parent: Any, title: str, name: str, filters: str) -> tuple[str, str]:
        asked.append(f"{title} {name} {filters}")
        return str(tmp_path / "figures"), "CSV table (*.csv)"  # typed without its suffix

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save))
    widget.export_button.click()
    assert asked == [
        "Export the agreement table agreement.xlsx Excel workbook (*.xlsx);;CSV table (*.csv)"
    ]
    with open(tmp_path / "figures.csv", encoding="utf-8-sig") as fh:
        rows = {r["code"]: r for r in csv.DictReader(fh)}
    model = widget.model
    for r in range(model.rowCount()):
        row = rows[model.index(r, 0).data()]
        assert row["units"] == model.index(r, 1).data()
        for column, key in ((2, "percent_agreement"), (3, "cohen_kappa")):
            shown = model.index(r, column).data(Qt.ItemDataRole.UserRole)
            assert (row[key] == "") if shown is None else abs(float(row[key]) - shown) < 1e-9
    assert rows["Services/Health"]["segments coded by ann"] == "4"
    assert widget.recomputed_label.text() == "Wrote figures.csv"


def test_disagreements_of_several_sessions_say_which_session(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A lead reviewing three sessions read "0:05 Респондент" in the Disagreements panel and
    could not tell of which: a Session column shows the title while rows of more than one
    session are listed (hidden for one: it would only repeat the title)."""
    lead, _segs = _coded(tmp_path)
    widget = DisagreementWidget(lead)
    qtbot.addWidget(widget)
    assert widget.model.rowCount() == 4 and widget.table.isColumnHidden(0)
    other = lead.sessions.add_session("Интервью 2")
    drafts = [SegmentDraft(5000, 9000, "Жоқ, сенбеймін."), SegmentDraft(9000, 12000, "Иә.")]
    one, two = lead.transcript.add_segments(other.id, drafts)
    code = lead.codebook.find_code("Services/Health")
    assert code is not None
    lead.codebook.apply_code(one.id, code.id, coder="ann")
    lead.codebook.apply_code(two.id, code.id, coder="ben")  # both coded in it: both compared
    widget.refresh()
    assert widget.model.rowCount() == 6 and not widget.table.isColumnHidden(0)
    assert widget.model.headerData(0, Qt.Orientation.Horizontal) == "Session"
    cells = [(widget.model.index(r, 0).data(), widget.model.index(r, 1).data()) for r in range(6)]
    assert cells[-2:] == [("Интервью 2", "0:05"), ("Интервью 2", "0:09")]
    assert {title for title, _ in cells[:4]} == {"Interview 1"}
    header = widget.table.horizontalHeader()
    assert widget.table.columnWidth(0) >= header.sectionSizeHint(0)  # "Session" whole
    for session in lead.sessions.all():  # titles shorter than the heading: it read "essio"
        lead.sessions.update_session(session.id, title=session.title[-1])
    widget.refresh()
    assert widget.model.index(5, 0).data() == "2"
    assert widget.table.columnWidth(0) >= header.sectionSizeHint(0)
    lead.close()
