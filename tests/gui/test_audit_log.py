"""Ethics ▸ Audit log reads as a log: one line an entry, its target named, the id at hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from storage import Project, SegmentDraft

DOCK_PX = 290  # the Ethics dock at 1024x700


def test_audit_rows_are_one_line_and_name_their_target(
    qtbot: Any, project: Project, speech_wav: Path, tmp_path: Path
) -> None:
    """In the laptop's dock each entry was two to four lines high (its cells wrapped: 43 to
    57 px a row) and its Target read "segment 01a2504d-57f4-…", an id. Each row is one line
    high whatever its texts; the target is named (the session's title, the segment's time and
    first words, the participant's label); its kind and id are in the cell's tooltip and in
    the entry shown under the table."""
    from gui.privacy_panel import PrivacyPanel
    from gui.select_row import select_row

    s = project.sessions.import_audio(speech_wav, title="Фокус-группа Алматы, Медеуский район")
    text = "Ну, в поликлинике очередь большая, записаться невозможно."
    (seg,) = project.transcript.add_segments(s.id, [SegmentDraft(62_000, 64_000, text, "A")])
    person = project.sessions.add_participant("Айгерім Қасымқызы")
    form = "forms/community-centre/aigerim-consent-2026-03-02-signed-and-scanned.pdf"
    project.consent.set_consent(person.id, s.id, recording=True, form_ref=form)
    project.redactions.redact(seg.id, 4, 17, "place")
    project.privacy.set_pseudonym("Бақыт", "P02")
    panel = PrivacyPanel(project)
    qtbot.addWidget(panel)
    panel.setMinimumSize(0, 0)
    panel.resize(DOCK_PX, 480)
    panel.show()
    panel.setCurrentIndex(3)
    audit = panel.audit
    qtbot.waitUntil(audit.table.isVisible)
    qtbot.wait(50)
    panel.grab().save(str(tmp_path / "audit.png"))
    table = audit.table
    entries = project.audit.entries()
    assert table.rowCount() == len(entries) == 3
    line = table.fontMetrics().lineSpacing()
    for row in range(table.rowCount()):
        assert line <= table.rowHeight(row) < 2 * line, (row, table.rowHeight(row), line)
    targets = {table.item(r, 2).text(): table.item(r, 3) for r in range(table.rowCount())}
    assert targets["consent"].text() == "Айгерім Қасымқызы"
    assert targets["redact"].text().startswith("Фокус-группа Алматы, Медеуский район 1:02 “Ну, ")
    assert "поликлинике" not in targets["redact"].text()  # the hidden words stay hidden
    assert targets["pseudonym_set"].text() == "pseudonym P02"
    for e in entries:
        cell = next(c for r, c in enumerate(targets.values()) if entries[r].id == e.id)
        assert e.target_id not in cell.text()
        assert cell.toolTip().endswith(f"{e.target_type} {e.target_id}"), cell.toolTip()
    redact = next(r for r, e in enumerate(entries) if e.action == "redact")
    select_row(table, redact)
    shown = audit.entry.toPlainText()
    assert "Target: Фокус-группа Алматы, Медеуский район 1:02" in shown, shown
    assert f"Target id: segment {seg.id}" in shown, shown


def test_the_target_is_in_sight_in_the_laptop_dock(qtbot: Any, project: Project) -> None:
    """With one-line rows the When column ("2026-12-07 11:58", 124 px) and Who and Action
    filled the 290 px dock: the Target column began at its edge, a sideways scroll away.
    Today's times read "11:58" (the whole time in the tooltip), and 80 px or more of the
    target are in sight."""
    from gui.fmt import fmt_when
    from gui.privacy_panel import PrivacyPanel

    person = project.sessions.add_participant("Айгерім Қасымқызы")
    (session,) = project.sessions.all() or [
        project.sessions.import_audio(_wav(project), title="Фокус-группа")
    ]
    project.consent.set_consent(person.id, session.id, recording=True)
    panel = PrivacyPanel(project)
    qtbot.addWidget(panel)
    panel.setMinimumSize(0, 0)
    panel.resize(DOCK_PX, 480)
    panel.show()
    panel.setCurrentIndex(3)
    table = panel.audit.table
    qtbot.waitUntil(table.isVisible)
    (entry,) = project.audit.entries()
    when = table.item(0, 0)
    assert when.toolTip() == fmt_when(entry.at) and fmt_when(entry.at).endswith(when.text())
    room = table.viewport().width()
    assert table.columnViewportPosition(3) + 80 <= room, (table.columnViewportPosition(3), room)


def _wav(project: Project) -> Path:
    from tests.media import espeak

    return espeak(project.folder.parent / "s.wav", "hello")
