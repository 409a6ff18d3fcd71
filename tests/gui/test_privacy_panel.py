"""The privacy panel, offscreen, on a real project."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from gui.privacy_panel import PrivacyPanel, consent_warning
from gui.select_row import select_row
from storage import Project
from storage.privacy.models import CONSENT_KINDS
from storage.transcript.transcript import SegmentDraft

TEXT = "Айгуль said Айгулем was late, Marat agreed."


def _project(project: Project) -> tuple[str, str, str]:
    session = project.sessions.add_session("FG1", "focus_group")
    (seg,) = project.transcript.add_segments(
        session.id, [SegmentDraft(0, 3000, TEXT, speaker="S1")]
    )
    person = project.sessions.add_participant("P01")
    project.sessions.map_speaker(session.id, "S1", person.id)
    return session.id, seg.id, person.id


def test_consent_tab_records_and_checks(qtbot, project: Project) -> None:  # type: ignore[no-untyped-def]
    session_id, _, person = _project(project)
    panel = PrivacyPanel(project)
    qtbot.addWidget(panel)
    tab = panel.consent
    tab.session.setCurrentIndex(tab.session.findData(session_id))
    tab.purpose.setCurrentText("transcription")
    tab.check.click()
    assert "P01" in tab.status.text() and "recording, transcription" in tab.status.text()
    for kind, answer in (("recording", "yes"), ("transcription", "yes"), ("quotation", "no")):
        tab.answers[kind].setCurrentText(answer)
    tab.date.setText("2026-03-02")
    tab.form_ref.setText("F-12")
    tab.save.click()
    (consent,) = project.consent.consents()
    assert (consent.recording, consent.quotation, consent.form_ref) == (True, False, "F-12")
    assert tab.table.rowCount() == 1  # the four answers in one column (it fits a laptop's dock)
    assert tab.table.item(0, 2).text() == (
        "recording yes, transcription yes, quotation no, archiving ?"
    )
    tab.check.click()
    assert "Everyone consented" in tab.status.text()
    assert consent_warning(project, session_id, "export") is not None
    # A bad date is shown, nothing saved.
    tab.date.setText("March")
    tab.save.click()
    assert "YYYY-MM-DD" in tab.status.text()
    assert project.consent.consents()[0].date == "2026-03-02"
    assert panel.audit.table.rowCount() == 1  # the audit tab followed
    assert person


def test_pseudonym_review_unchecks_inflections_and_applies(qtbot, project: Project) -> None:  # type: ignore[no-untyped-def]
    _, seg_id, _ = _project(project)
    panel = PrivacyPanel(project)
    qtbot.addWidget(panel)
    tab = panel.pseudonyms
    for real, pseudo in (("Айгуль", "P01"), ("Marat", "P02")):
        tab.real.setText(real)
        tab.pseudonym.setText(pseudo)
        tab.add.click()
    assert tab.mapping.rowCount() == 2
    tab.real.setText("Marat")
    tab.pseudonym.setText("Marat K")
    tab.add.click()
    assert "contains the real name" in tab.status.text()
    tab.review.click()
    kinds = [tab.candidates.item(r, 0).text() for r in range(tab.candidates.rowCount())]
    assert kinds == ["exact", "inflected", "exact"]
    states = [tab.candidates.item(r, 0).checkState() for r in range(3)]
    assert states == [Qt.CheckState.Checked, Qt.CheckState.Unchecked, Qt.CheckState.Checked]
    asked: list[str] = []
    tab.confirm = lambda text: asked.append(text) or True
    tab.apply.click()
    assert asked and "Replace 2 of 3 occurrences" in asked[0]
    assert "1 unchecked inflected form (Айгулем) is then remembered as not this person" in asked[0]
    assert project.transcript.get_segment(seg_id).text == "P01 said Айгулем was late, P02 agreed."
    assert "айгулем" in tab.mapping.item(1, 2).text() or "айгулем" in tab.mapping.item(0, 2).text()


def test_a_name_used_only_as_a_speaker_label_is_renamed(qtbot, project: Project) -> None:  # type: ignore[no-untyped-def]
    """A day at 1024x700: a transcript imported with its speakers' real names (Айгүл: …) and
    the mapping Айгүл → Сәуле. Review said "No real name of the mapping occurs in the
    transcripts." (it is the label of two segments) and Replace checked occurrences "Review
    the occurrences first.": the labels could not be renamed from the panel. Review now says
    which labels are real names, and Replace renames them."""
    session = project.sessions.add_session("Сұхбат", "interview")
    project.transcript.add_segments(
        session.id,
        [
            SegmentDraft(0, 3000, "Емханада кезек көп.", speaker="Айгүл"),
            SegmentDraft(3000, 6000, "Рақмет.", speaker="Модератор"),
            SegmentDraft(6000, 9000, "Интернет нашар.", speaker="айгүл"),
        ],
    )
    panel = PrivacyPanel(project)
    qtbot.addWidget(panel)
    tab = panel.pseudonyms
    tab.real.setText("Айгүл")
    tab.pseudonym.setText("Сәуле")
    tab.add.click()
    tab.review.click()
    assert tab.candidates.rowCount() == 0
    said = tab.status.text()
    assert "No real name of the mapping occurs in the transcripts' text" in said, said
    assert "2 speaker labels are one (Айгүл → Сәуле, айгүл → Сәуле)" in said, said
    asked: list[str] = []
    tab.confirm = lambda text: asked.append(text) or True
    tab.apply.click()
    assert asked == ["Rename the speaker labels Айгүл → Сәуле, айгүл → Сәуле in the transcripts?"]
    speakers = [s.speaker for s in project.transcript.segments(session.id)]
    assert speakers == ["Сәуле", "Модератор", "Сәуле"]
    assert tab.status.text() == "Renamed the speaker labels Айгүл → Сәуле, айгүл → Сәуле."
    tab.apply.click()  # nothing left to rename
    assert tab.status.text() == "Review the occurrences first."


def test_pseudonym_review_says_the_inflected_forms_are_unchecked(qtbot, project: Project) -> None:  # type: ignore[no-untyped-def]
    """A walk at 1366x768: the review of Айгуль found Айгуль twice, Айгулю and Айгулем; the
    status said "4 occurrences. Uncheck those that are not this person." while the inflected
    rows, below the fold of the dock, were unchecked; Replace took 2 and remembered the two
    inflected forms as "not this person", so every export kept them. The status and the
    question now name the unchecked forms."""
    session = project.sessions.add_session("FG1", "focus_group")
    text = "Меня зовут Айгуль. Я видела Айгуль вчера, дала Айгулю книгу, гуляла с Айгулем."
    (seg,) = project.transcript.add_segments(session.id, [SegmentDraft(0, 3000, text)])
    panel = PrivacyPanel(project)
    qtbot.addWidget(panel)
    tab = panel.pseudonyms
    tab.real.setText("Айгуль")
    tab.pseudonym.setText("Сауле")
    tab.add.click()
    tab.review.click()
    assert tab.candidates.rowCount() == 4
    status = tab.status.text()
    assert "Inflected forms are unchecked (Айгулю, Айгулем)" in status, status
    assert "Uncheck those" not in status
    asked: list[str] = []
    tab.confirm = lambda text: asked.append(text) is not None  # the user says No
    tab.apply.click()
    assert "Replace 2 of 4 occurrences" in asked[0], asked
    assert "2 unchecked inflected forms (Айгулю, Айгулем) are then remembered" in asked[0]
    assert "they stay in the transcripts and in exports" in asked[0]
    assert project.transcript.get_segment(seg.id).text == text  # No: nothing changed
    # every row checked: no word of unchecked forms
    for r in range(tab.candidates.rowCount()):
        tab.candidates.item(r, 0).setCheckState(Qt.CheckState.Checked)
    tab.confirm = lambda text: asked.append(text) or True
    tab.apply.click()
    assert asked[-1] == (
        "Replace 4 occurrences in the transcripts? The real names are removed from the "
        "transcript text."
    )
    assert "Айгул" not in project.transcript.get_segment(seg.id).text


def test_redaction_tab_destroys_after_confirmation(qtbot, project: Project) -> None:  # type: ignore[no-untyped-def]
    _, seg_id, _ = _project(project)
    red = project.redactions.redact(seg_id, TEXT.index("Marat"), TEXT.index("Marat") + 5, "NAME")
    panel = PrivacyPanel(project)
    qtbot.addWidget(panel)
    tab = panel.redactions
    assert tab.table.rowCount() == 1 and tab.table.item(0, 1).text() == "[NAME]"
    select_row(tab.table, 0)
    tab.confirm = lambda text: False
    tab.destroy_btn.click()
    assert not project.redactions.get_redaction(red.id).destroyed
    tab.confirm = lambda text: True
    tab.destroy_btn.click()
    assert project.redactions.get_redaction(red.id).destroyed
    assert project.transcript.get_segment(seg_id).text.endswith("[NAME] agreed.")
    assert tab.table.item(0, 2).text() == "destroyed"
    assert tab.table.item(0, 0).text() == "(destroyed)"
    select_row(tab.table, 0)
    tab.remove.click()
    assert "destroyed" in tab.status.text()
    actions = [panel.audit.table.item(r, 2).text() for r in range(panel.audit.table.rowCount())]
    assert actions == ["redact", "destroy"]


def test_redactions_list_the_words_they_hide_and_where(qtbot, project: Project) -> None:  # type: ignore[no-untyped-def]
    """The Redactions tab listed a category, a state, a segment's UUID, "29:34" and the
    redaction's UUID: nothing a researcher could tell a redaction by. It shows the words
    hidden and the session and time; the ids are in the tooltip."""
    _, seg_id, _ = _project(project)
    red = project.redactions.redact(seg_id, TEXT.index("Marat"), TEXT.index("Marat") + 5, "NAME")
    panel = PrivacyPanel(project)
    qtbot.addWidget(panel)
    table = panel.redactions.table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers[0] == "Words"
    row = [table.item(0, c).text() for c in range(table.columnCount())]
    assert row == ["Marat", "[NAME]", "hidden in exports", "FG1 · 0:00"], row
    assert not any(red.id in cell or seg_id in cell for cell in row)
    assert red.id in table.item(0, 0).toolTip()


def test_unredact_with_nothing_selected_says_so(qtbot, project: Project) -> None:  # type: ignore[no-untyped-def]
    """Un-redact with no row selected did nothing at all; it says what to do."""
    _, seg_id, _ = _project(project)
    red = project.redactions.redact(seg_id, TEXT.index("Marat"), TEXT.index("Marat") + 5, "NAME")
    panel = PrivacyPanel(project)
    qtbot.addWidget(panel)
    tab = panel.redactions
    tab.remove.click()
    assert "Select the redactions" in tab.status.text()
    assert [r.id for r in project.redactions.all()] == [red.id]
    select_row(tab.table, 0)
    tab.remove.click()
    assert project.redactions.all() == []


#: what the Ethics dock gives its panel, tabbed beside the codebook (measured with the
#: walkthrough at a 1024×700 and a 1366×768 screen; the test screen itself is smaller)
LAPTOP_DOCKS = {"1024x700": (320, 480), "1366x768": (354, 550)}


@pytest.mark.parametrize("screen", sorted(LAPTOP_DOCKS))
def test_pseudonyms_tab_fits_a_laptop_dock(qtbot, project: Project, screen: str) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication, QPushButton

    session = project.sessions.add_session("FG2", "focus_group")
    long_text = (
        "When Айгуль went to the clinic in the district centre they told Marat to come back "
        "next week, and next week Айгулю was told the doctor was away."
    )
    project.transcript.add_segments(session.id, [SegmentDraft(0, 3000, long_text)])
    panel = PrivacyPanel(project)
    qtbot.addWidget(panel)
    width, height = LAPTOP_DOCKS[screen]
    assert panel.minimumSizeHint().width() <= width
    panel.resize(width, height)
    panel.show()
    panel.setCurrentIndex(1)
    tab = panel.pseudonyms
    for real, pseudo in (("Айгуль", "P01"), ("Marat", "P02")):
        tab.real.setText(real)
        tab.pseudonym.setText(pseudo)
        tab.add.click()
    tab.review.click()
    QApplication.processEvents()
    assert tab.candidates.rowCount() >= 3
    for button in tab.findChildren(QPushButton):  # no button text is clipped
        assert button.isVisible() and button.sizeHint().width() <= button.width(), button.text()
    table = tab.candidates
    header = table.horizontalHeader()
    context = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())].index(
        "Context"
    )
    left = header.sectionViewportPosition(context)
    shown = min(header.sectionSize(context), table.viewport().width() - left)
    assert left >= 0 and shown >= 90  # the context is there, not a sliver past the edge
    # a row a line (its words were wrapped a word a line); the current one is read whole under
    # the table, and each row's whole context is in its tooltip
    row = max(range(table.rowCount()), key=lambda r: len(table.item(r, context).text()))
    assert table.rowHeight(row) < table.fontMetrics().height() * 2
    table.setCurrentCell(row, context)
    assert "went to the clinic in the district centre they told" in tab.detail.text()
    assert tab.detail.isVisible() and tab.detail.width() <= width
    assert "next week" in table.item(row, context).toolTip()


def test_saving_consent_without_participants_says_where_to_add_them(
    qtbot, project: Project
) -> None:  # type: ignore[no-untyped-def]
    """Saving consent said "Add a participant first." without naming where (this panel
    has no way to add one)."""
    project.sessions.add_session("FG1", "focus_group")
    panel = PrivacyPanel(project)
    qtbot.addWidget(panel)
    panel.consent.save.click()
    assert "Session details" in panel.consent.status.text()
    assert project.consent.consents() == []


def test_pseudonym_occurrences_say_where_they_are(qtbot, project: Project) -> None:  # type: ignore[no-untyped-def]
    """Walkthrough (real Russian recordings): the same sentence, in an interview and in its
    re-recording, gave two review rows reading alike ("…Арчебальт [Скайлс], проходя мимо…"):
    the reviewer could not tell which one to uncheck. Each row names its session and time."""
    from gui.privacy_panel import PrivacyPanel
    from storage import SegmentDraft

    line = "Со спокойным мужеством Скайлс ожидал всего."
    for title, start in (("Интервью 1", 34000), ("Интервью 2", 26620)):
        session = project.sessions.add_session(title, "interview")
        project.transcript.add_segments(
            session.id, [SegmentDraft(start, start + 5000, line, language="ru")]
        )
    project.privacy.set_pseudonym("Скайлс", "P01")
    panel = PrivacyPanel(project)
    qtbot.addWidget(panel)
    tab = panel.pseudonyms
    tab.load_candidates()
    # under the table (the current row) and in each row's tooltip
    details = []
    for row in range(2):
        tab.candidates.setCurrentCell(row, 1)
        details.append(tab.detail.text())
        assert tab.candidates.item(row, 1).toolTip().startswith(details[-1].split(" · exact")[0])
    details.sort()
    assert details[0].startswith("Интервью 1 · 0:34 · exact: Скайлс → P01\n")
    assert details[1].startswith("Интервью 2 · 0:26 · exact: Скайлс → P01\n")
    assert "Со спокойным мужеством [Скайлс] ожидал всего." in details[0]


def test_the_consent_form_shows_what_is_recorded_for_the_chosen_pair(
    qtbot, project: Project
) -> None:  # type: ignore[no-untyped-def]
    """Choosing a participant and a session in Ethics ▸ Consent left the answers at "not
    recorded" although the table below said "recording yes, transcription yes, quotation no"
    (a focus-group walk): the form now shows the record of that pair, and an
    empty form for a pair with none."""
    session_id, _, person = _project(project)
    other = project.sessions.add_participant("P02")
    project.consent.set_consent(
        person, session_id, recording=True, transcription=True, quotation=False, form_ref="F-7"
    )
    project.consent.set_consent(other.id, None, archiving=True, date="2026-01-05")
    panel = PrivacyPanel(project)
    qtbot.addWidget(panel)
    tab = panel.consent

    def shown() -> tuple[list[str], str, str]:
        answers = [tab.answers[k].currentText() for k in CONSENT_KINDS]
        return answers, tab.date.text(), tab.form_ref.text()

    tab.participant.setCurrentIndex(tab.participant.findData(person))
    tab.session.setCurrentIndex(tab.session.findData(session_id))
    assert shown() == (["yes", "yes", "no", "not recorded"], "", "F-7")
    tab.session.setCurrentIndex(tab.session.findData(None))  # P01 for all sessions: none
    assert shown() == (["not recorded"] * 4, "", "")
    tab.participant.setCurrentIndex(tab.participant.findData(other.id))
    assert shown() == (["not recorded", "not recorded", "not recorded", "yes"], "2026-01-05", "")
    # a change saved stays shown after the panel reads the project again
    tab.answers["quotation"].setCurrentText("no")
    tab.save.click()
    assert shown()[0] == ["not recorded", "not recorded", "no", "yes"]


def test_an_answer_set_back_to_not_recorded_is_saved_so(qtbot, project: Project) -> None:  # type: ignore[no-untyped-def]
    """Saving "not recorded" over a recorded answer kept the old answer (a "no" recorded by
    mistake could not be taken back); it is now not recorded, and logged so."""
    session_id, _, person = _project(project)
    project.consent.set_consent(person, session_id, transcription=True, quotation=False)
    panel = PrivacyPanel(project)
    qtbot.addWidget(panel)
    tab = panel.consent
    tab.participant.setCurrentIndex(tab.participant.findData(person))
    tab.session.setCurrentIndex(tab.session.findData(session_id))
    tab.answers["quotation"].setCurrentText("not recorded")
    tab.save.click()
    (record,) = project.consent.consents(participant_id=person)
    assert record.transcription is True and record.quotation is None
    assert [tab.answers[k].currentText() for k in CONSENT_KINDS][1:3] == ["yes", "not recorded"]
