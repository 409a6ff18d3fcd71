"""The Ethics dock's tabs and the recording markers list read whole in the 290 px dock of a
1024x700 screen: nothing scrolls sideways but the five-column consent and audit tables (their
words whole); narrow columns wrap, and a cell's whole text is in its tooltip."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QAbstractItemView, QTableWidget

from gui.fit import CELL_PADDING_PX, MAX_LINES, wrapped
from storage import Project, SegmentDraft
from storage.recordings.recording import RecordingMarker
from tests.gui.test_laptop_fit import _kept_at, _window, project  # noqa: F401  (the fixture)

DOCK_PX = 290  # the Ethics dock's width at 1024x700 (a walkthrough)
#: a side panel tabbed with the codebook shares its width: 290 at 1024x700 (SIDE_PANEL_WIDTH,
#: wider than the codebook's 230), the codebook's 300 at 1366x768
TABBED_PX = {(1024, 700): DOCK_PX, (1366, 768): 300}


def _shot(tmp_path: Path, name: str) -> str:
    return str(Path(os.environ.get("FIELDSCRIBE_SHOTS", tmp_path)) / name)


def _lines(layout: Any, text: str) -> list[str]:
    """The lines a ``QTextLayout`` broke ``text`` into."""
    lines = [layout.lineAt(i) for i in range(layout.lineCount())]
    return [text[line.textStart() : line.textStart() + line.textLength()] for line in lines]


def test_narrow_cells_wrap_at_spaces_and_elide_a_word_too_long(qapp: Any) -> None:
    """Qt's TextWrapAnywhere filled each line to its end and broke whatever word was there;
    then a word too long for its column was broken into runs of a few letters a line (an id
    "01a2|4594|-563|9-77", a path): it is elided on one line now (the tooltip has it whole)."""
    from PySide6.QtGui import QFont, QFontMetrics

    font = QFont()
    metrics = QFontMetrics(font)
    text = "hidden in exports"
    layout, tall = wrapped(text, font, metrics.horizontalAdvance("exports") + 2)
    assert [line.strip() for line in _lines(layout, layout.text())] == ["hidden", "in", "exports"]
    assert tall >= 3 * metrics.height()
    word = "поликлинике"  # alone wider than its column: its start on one line, elided
    layout, _tall = wrapped(f"в {word}", font, metrics.horizontalAdvance(word) // 2)
    lines = [line.strip() for line in _lines(layout, layout.text())]
    assert len(lines) == 2 and lines[0] == "в", lines
    assert lines[1].endswith("…") and word.startswith(lines[1][:-1]) and len(lines[1]) >= 3
    uuid = "participant 01a24594-5639-77ca-8a8b-0c1d2e3f4a5b"
    layout, _tall = wrapped(uuid, font, metrics.horizontalAdvance("participant") + 2)
    lines = [line.strip() for line in _lines(layout, layout.text())]
    assert lines[0] == "participant" and len(lines) == 2, lines
    assert lines[1].endswith("…") and uuid.split()[1].startswith(lines[1][:-1]), lines
    layout, _tall = wrapped("one\ntwo", font, 500)  # a line end stays one
    assert layout.lineCount() == 2


def _sideways(view: QAbstractItemView) -> int:
    """How far the view scrolls sideways (0: it reads whole in its width)."""
    if isinstance(view, QTableWidget):
        header = view.horizontalHeader()
        used = sum(header.sectionSize(c) for c in range(view.columnCount()))
        return max(view.horizontalScrollBar().maximum(), used - view.viewport().width())
    return view.horizontalScrollBar().maximum()


@pytest.mark.parametrize("size", [(1024, 700), (1366, 768)])
def test_ethics_tabs_read_whole_in_the_dock(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    project: Project,  # noqa: F811
    idle: Any,
    tmp_path: Path,
    size: Any,
    monkeypatch: Any,
) -> None:
    """The Redactions tab's "Where" column, the consent records' eight columns and the audit
    log's ids were past the dock's right edge: one had to scroll sideways to read them."""
    (session,) = project.sessions.all()
    segs = project.transcript.segments(session.id)
    project.redactions.redact(segs[0].id, 4, 17, "place")
    project.redactions.redact(segs[1].id, 0, 8, None)
    person = project.sessions.add_participant("Айгерім К.")
    project.consent.set_consent(
        person.id, session.id, recording=True, transcription=True, date="2026-03-02",
        form_ref="forms/aigerim-2026-03-02.pdf",
    )  # fmt: skip
    w = _window(qtbot, qsettings, fake_transcriber, project, size)
    idle(w)
    _kept_at(w, size, monkeypatch)
    panel = w.extra_panels.show_privacy(2)
    dock = w.extra_panels.docks["privacy"]
    qtbot.wait(100)
    idle(w)
    # the width the app opens it at, the codebook's (this test narrowed it to 290 at 1366x768)
    assert abs(dock.width() - TABBED_PX[size]) <= 2, dock.width()  # it was 303 (the form's)
    # every tab shows whole in the bar, none behind scroll arrows (Audit log was), and its
    # tooltip names it in full
    bar = panel.tabBar()
    for i, name in enumerate(["Consent", "Pseudonyms", "Redactions", "Audit log"]):
        assert bar.rect().contains(bar.tabRect(i)), (bar.tabText(i), bar.tabRect(i), bar.width())
        assert bar.tabRect(i).width() >= bar.tabSizeHint(i).width(), bar.tabText(i)  # not elided
        assert panel.tabToolTip(i).startswith(name)
    for i in range(panel.count()):
        panel.setCurrentIndex(i)
        qtbot.wait(50)
        dock.grab().save(_shot(tmp_path, f"ethics_{size[0]}_{i}.png"))
        views = panel.widget(i).findChildren(QAbstractItemView)
        for view in (v for v in views if v.isVisible() and isinstance(v, QTableWidget)):
            for col in range(view.columnCount()):  # "Rejected forms" read "Rejected for…"
                header = view.horizontalHeaderItem(col)
                if header is not None:
                    assert header.toolTip() == header.text(), (panel.tabText(i), header.text())
            if view in (panel.consent.table, panel.audit.table):
                continue  # five columns: they scroll rather than cut their words (below)
            assert _sideways(view) <= 0, (panel.tabText(i), _sideways(view))
    # the columns of short words (who, what) read whole; ids and long places take the rest
    audit = panel.audit.table
    for row in range(audit.rowCount()):
        for col in (1, 2):  # Who, Action: "aigerim", "redact" were cut into "aigeri|m"
            room = audit.columnWidth(col) - CELL_PADDING_PX - 1
            assert audit.fontMetrics().horizontalAdvance(audit.item(row, col).text()) <= room
    # what a narrow column cuts off is in the tooltip: the redaction's place, whole
    table = panel.redactions.table
    where = table.item(0, 3)
    assert where.text().startswith("Фокус-группа Алматы · ")
    assert where.toolTip().startswith(where.text())
    # the words wrap onto a second line rather than leaving the dock, a word too long for
    # its column elided: each redaction's cells are drawn whole

    assert table.rowHeight(0) > table.fontMetrics().lineSpacing() * 1.5
    for row in range(table.rowCount()):
        for col in range(table.columnCount()):
            room = table.columnWidth(col) - CELL_PADDING_PX
            text = table.item(row, col).text()
            layout, tall = wrapped(text, table.font(), room)
            cut = MAX_LINES * table.fontMetrics().lineSpacing()  # the tooltip has it whole
            assert min(tall, cut) <= table.rowHeight(row), (row, col, text)
            # a word is elided only when it alone is wider than the column ("hidden in
            # expo|rts" was broken at the line's end), and never broken
            lines = _lines(layout, layout.text())
            words = text.split()
            for piece in (piece for line in lines for piece in line.split()):
                cut = piece.endswith("…") and any(w.startswith(piece[:-1]) for w in words)
                assert piece in words or cut, (piece, lines, room)
            for word in words:
                if table.fontMetrics().horizontalAdvance(word) <= room:
                    assert any(word in line for line in lines), (word, lines, room)


@pytest.mark.parametrize("size", [(1024, 700), (1366, 768)])
def test_the_ethics_dock_opens_at_its_width_with_nothing_cut(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    project: Project,  # noqa: F811
    idle: Any,
    tmp_path: Path,
    size: Any,
    monkeypatch: Any,
) -> None:
    """Ethics ▸ Consent opened the dock 303 px wide, not the 290 px its tabs are laid out for:
    the consent form's "Purpose [transcription] [Check session]" row needed 303 px. It opens
    ``SIDE_PANEL_WIDTH`` wide ("Check session for [transcription]") with every tab whole, or
    as wide as the codebook it is a tab of (300 px at 1366x768: it does not narrow it)."""
    from PySide6.QtWidgets import QComboBox, QPushButton

    from gui.layout import SIDE_PANEL_WIDTH

    assert SIDE_PANEL_WIDTH == DOCK_PX
    w = _window(qtbot, qsettings, fake_transcriber, project, size)
    idle(w)
    _kept_at(w, size, monkeypatch)
    w.layout_keeper.default_sizes()
    qtbot.wait(100)
    codebook = w.codebook_dock.width()
    panel = w.extra_panels.show_privacy(0)  # as the menu opens it: no resizing by hand
    dock = w.extra_panels.docks["privacy"]
    qtbot.wait(100)
    consent = panel.consent
    consent.purpose.setCurrentText("transcription")  # the longest purpose
    qtbot.wait(50)
    dock.grab().save(_shot(tmp_path, f"ethics_opened_{size[0]}.png"))
    assert codebook == (230 if size == (1024, 700) else 300)  # the default layout's
    assert abs(dock.width() - max(SIDE_PANEL_WIDTH, codebook)) <= 2, dock.width()  # was 303
    assert panel.minimumSizeHint().width() <= panel.width(), panel.minimumSizeHint()
    for i in range(panel.count()):  # each tab's contents fit its width (none cut)
        area = panel.widget(i)
        need = area.widget().minimumSizeHint().width()
        assert need <= area.viewport().width(), (panel.tabText(i), need)
    room = panel.widget(0).viewport()
    for widget in consent.findChildren(QComboBox) + consent.findChildren(QPushButton):
        right = widget.mapTo(room, widget.rect().topRight()).x()
        assert right < room.width(), (widget, right, room.width())
    purpose = consent.purpose
    assert purpose.width() >= purpose.sizeHint().width(), (purpose.width(), purpose.sizeHint())
    w.close()


def test_ids_and_places_are_not_cut_into_pieces_in_the_five_column_tables(
    qtbot: Any,
    project: Project,  # noqa: F811
    tmp_path: Path,
) -> None:
    """At 290 px the consent records' and the audit log's five columns were crushed to a few
    letters each: ids, form paths and place names broke every three or four letters
    ("01a2|4594|-563|9-77", "comm|unity-|centr"). Their columns keep their longest words
    (up to ``SIDEWAYS_LETTERS`` letters, longer ones elided, whole in the tooltip) and the
    table scrolls sideways."""
    from gui.privacy_panel import PrivacyPanel

    (session,) = project.sessions.all()
    project.sessions.update_session(session.id, title="Фокус-группа Алматы, Медеуский район")
    form = "forms/community-centre/aigerim-consent-2026-03-02.pdf"
    for name in ("Айгерім К.", "Бақыт Жұмабекұлы"):
        person = project.sessions.add_participant(name)
        project.consent.set_consent(
            person.id, session.id, recording=True, transcription=True, quotation=False,
            date="2026-03-02", form_ref=form,
        )  # fmt: skip
    panel = PrivacyPanel(project)
    qtbot.addWidget(panel)
    panel.setMinimumSize(0, 0)
    panel.resize(DOCK_PX, 560)
    panel.show()
    qtbot.waitExposed(panel)
    for tab, table in ((0, panel.consent.table), (3, panel.audit.table)):
        panel.setCurrentIndex(tab)
        qtbot.wait(50)
        panel.grab().save(_shot(tmp_path, f"ethics_ids_{tab}.png"))
        assert table.rowCount() >= 2
        metrics = table.fontMetrics()
        cap = metrics.horizontalAdvance("x" * 16)  # gui.fit.SIDEWAYS_LETTERS
        for row in range(table.rowCount()):
            for col in range(table.columnCount()):
                text = table.item(row, col).text()
                room = table.columnWidth(col) - CELL_PADDING_PX
                layout, _tall = wrapped(text, table.font(), room)
                lines = [line.strip() for line in _lines(layout, layout.text())]
                for word in text.split():
                    # whole on one line, or (longer than the cap) its start elided on one
                    if metrics.horizontalAdvance(word) <= cap:
                        assert word in lines or any(word in line.split() for line in lines), (
                            word, lines, room,
                        )  # fmt: skip
                    else:
                        start = [line for line in lines if line.endswith("…")]
                        assert any(word.startswith(line[:-1]) for line in start), (word, lines)
                        assert all(len(line) >= 12 for line in start), (word, lines)
        assert table.item(0, col).toolTip() == table.item(0, col).text()
    # the audit's target: named (the participant's label), one line a row, the id in the
    # tooltip (tests/gui/test_audit_log.py)
    audit = panel.audit.table
    target = next(r for r in range(audit.rowCount()) if audit.item(r, 2).text() == "consent")
    assert audit.item(target, 3).text() in ("Айгерім К.", "Бақыт Жұмабекұлы")
    assert "participant " in audit.item(target, 3).toolTip()


def test_the_audit_log_opens_on_its_newest_entries(
    qtbot: Any,
    project: Project,  # noqa: F811
) -> None:
    """A day at 1024x700: after exports and pseudonyms, Ethics ▸ Audit log showed its four
    oldest entries of seventeen (each four or five lines high in the 290 px dock, "newest
    last"), the one just made out of sight. The newest are now in sight, when the tab opens
    and after Refresh."""

    for n in range(40):  # one line each: fifteen fit the dock now
        project.privacy.set_pseudonym(f"Name{n}", f"P{n:02d}")
    panel = _laptop_ethics(qtbot, project, 560)
    panel.setCurrentIndex(3)
    table = panel.audit.table

    def newest_in_sight() -> bool:
        last = table.rowCount() - 1
        top = table.rowViewportPosition(last)
        return top >= 0 and top + table.rowHeight(last) <= table.viewport().height()

    qtbot.waitUntil(lambda: table.isVisible())
    assert table.rowCount() == 40 and table.rowViewportPosition(0) < 0  # more than fit
    assert newest_in_sight()
    project.privacy.set_pseudonym("Айгүл", "Сәуле")
    table.scrollToTop()
    panel.audit.refresh()
    assert table.rowCount() == 41 and newest_in_sight()


def _laptop_ethics(qtbot: Any, shown: Project, height: int) -> Any:
    """The Ethics panel shown DOCK_PX wide, its minimum lowered as ExtraPanels._dock lowers it
    for a laptop."""
    from gui.privacy_panel import PrivacyPanel

    panel = PrivacyPanel(shown)
    qtbot.addWidget(panel)
    hint = panel.minimumSizeHint()
    panel.setMinimumSize(min(hint.width(), 320), min(hint.height(), 200))
    panel.resize(DOCK_PX, height)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_the_consent_form_fits_the_dock_beside_a_long_session_title(
    qtbot: Any,
    project: Project,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The Session box was as wide as its longest title ("Focus group: online public services":
    239 px), the consent form 341 px in a 316 px tab: the boxes and Check session ran past the
    dock's right edge, cut off. The boxes take the dock's width and elide the title (whole in
    the list and the tooltip)."""
    from PySide6.QtWidgets import QPushButton

    (session,) = project.sessions.all()
    title = "Focus group: online public services, Almaty community centre"
    project.sessions.update_session(session.id, title=title)
    panel = _laptop_ethics(qtbot, project, 560)
    consent = panel.consent
    consent.session.setCurrentIndex(consent.session.findData(session.id))
    qtbot.wait(50)
    panel.grab().save(_shot(tmp_path, "ethics_consent_form.png"))
    assert panel.width() <= DOCK_PX + 20, panel.width()
    room = panel.widget(0).viewport()
    assert consent.minimumSizeHint().width() <= room.width(), consent.minimumSizeHint()
    for widget in [consent.session, consent.participant, *consent.findChildren(QPushButton)]:
        right = widget.mapTo(room, widget.rect().topRight()).x()
        assert right < room.width(), (widget, right, room.width())
    assert consent.session.toolTip() == title
    # under the form, the records table shows two records whole (it showed one, cut): the tab
    # scrolls down to it
    for name in ("Айгерім К.", "Бақыт Жұмабекұлы"):
        person = project.sessions.add_participant(name)
        project.consent.set_consent(person.id, session.id, recording=True, date="2026-03-02")
    consent.refresh()
    panel.resize(DOCK_PX, 480)  # the Ethics dock's tab at 1024x700
    qtbot.wait(50)
    panel.grab().save(_shot(tmp_path, "ethics_consent_records.png"))
    table = consent.table
    assert table.rowCount() == 2
    assert table.viewport().height() >= table.rowHeight(0) + table.rowHeight(1), (
        table.viewport().height(), table.rowHeight(0),
    )  # fmt: skip


def test_recording_markers_wrap_in_the_dock(qtbot: Any, project: Project) -> None:  # noqa: F811
    """A marker with a note ran past the Record dock's edge (the list scrolled sideways)."""
    from gui.record_panel import RecordPanel

    panel = RecordPanel(project)
    qtbot.addWidget(panel)
    panel.resize(DOCK_PX, 600)
    panel.show()
    qtbot.waitExposed(panel)
    note = "the participant from Almaty talks about queues at the polyclinic, then the doctors"
    panel._on_marker(RecordingMarker(83_000, "Q3 Access to services", note))
    panel._on_marker(RecordingMarker(95_000, "marker", ""))
    qtbot.wait(50)
    markers = panel.marker_list
    assert _sideways(markers) == 0
    first = markers.item(0)
    assert first.toolTip() == f"01:23  Q3 Access to services — {note}"
    assert markers.visualItemRect(first).height() > markers.fontMetrics().lineSpacing() * 1.5


def _placeholder_room(edit: Any) -> int:
    """The width a ``QLineEdit`` has for its text (what Qt's own paintEvent gives it)."""
    from PySide6.QtWidgets import QStyle, QStyleOptionFrame

    option = QStyleOptionFrame()
    edit.initStyleOption(option)
    rect = edit.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, edit)
    margins = edit.textMargins()
    return rect.width() - margins.left() - margins.right() - 2 * 2  # Qt's horizontal margin


@pytest.mark.parametrize("size", [(1024, 700), (1366, 768)])
def test_the_marker_note_placeholder_reads_whole_in_the_record_dock(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    project: Project,  # noqa: F811
    idle: Any,
    tmp_path: Path,
    size: Any,
    monkeypatch: Any,
) -> None:
    """Record ▸ Record a session…: the marker note's placeholder "Marker note (optional), Enter
    or M drops a marker" (299 px) was cut to "Marker note (optional), En…" in the 178 px field
    of a 1024x700 window. It reads whole; the keys are in its tooltip."""
    w = _window(qtbot, qsettings, fake_transcriber, project, size)
    idle(w)
    _kept_at(w, size, monkeypatch)
    w.layout_keeper.default_sizes()
    qtbot.wait(100)
    panel = w.extra_panels.show_recorder()
    qtbot.wait(100)
    w.extra_panels.docks["record"].grab().save(_shot(tmp_path, f"record_{size[0]}.png"))
    edit = panel.note_edit
    text = edit.placeholderText()
    assert "note" in text.lower()
    need = edit.fontMetrics().horizontalAdvance(text)
    assert need <= _placeholder_room(edit), (text, need, _placeholder_room(edit), edit.width())
    assert "Enter" in edit.toolTip() and "M" in edit.toolTip()
    w.close()


def test_no_blank_disk_line_without_a_microphone(
    qtbot: Any,
    project: Project,  # noqa: F811
    monkeypatch: Any,
) -> None:
    """With no microphone the disk space line was empty but kept its place: a blank gap
    between the clock and the Record buttons. It shows only when it says something."""
    from gui.record_panel import RecordPanel

    panel = RecordPanel(project)
    qtbot.addWidget(panel)
    panel.resize(DOCK_PX, 600)
    panel.show()
    qtbot.waitExposed(panel)
    monkeypatch.setattr(panel, "_current_device", lambda: None)
    panel._update_disk()
    qtbot.wait(20)
    assert panel.disk_label.text() == "" and panel.disk_label.isHidden()
    spacing = panel.scroller.widget().layout().spacing()
    clock = panel.elapsed_label.mapTo(panel, panel.elapsed_label.rect().bottomLeft()).y()
    buttons = panel.record_button.mapTo(panel, panel.record_button.rect().topLeft()).y()
    assert buttons - clock <= spacing + 2, (clock, buttons, spacing)


def test_ethics_tabs_scroll_in_a_short_dock(qtbot: Any, project: Project) -> None:  # noqa: F811
    """The Ethics tab beside a tall bottom panel at 1024x700 is about 300 px high: the consent
    form's eight rows were crushed into each other (combos over their labels). Each row keeps
    its height; the tab scrolls to the rest."""
    from itertools import pairwise

    from PySide6.QtWidgets import QComboBox, QLineEdit

    panel = _laptop_ethics(qtbot, project, 300)
    assert panel.height() == 300
    fields = panel.consent.findChildren(QComboBox) + panel.consent.findChildren(QLineEdit)
    assert len(fields) >= 8
    for field in fields:
        assert field.height() >= field.sizeHint().height(), field
    # one row each, but the date and the form's reference share one (one top)
    tops = sorted({f.mapTo(panel.consent, f.rect().topLeft()).y() for f in fields})
    assert len(tops) == len(fields) - 1
    assert all(b - a >= fields[0].sizeHint().height() for a, b in pairwise(tops))


def test_the_names_fields_show_their_placeholders_in_a_short_dock(
    qtbot: Any,
    project: Project,  # noqa: F811
) -> None:
    """In the 290 px Ethics dock, scrolling (a short dock), the Names tab's two fields beside
    "Add mapping" were 74 px: "Pseudonym" showed as "Pseudon…". The button says "Add"."""
    project.privacy.set_pseudonym("Bakyt", "P02")
    panel = _laptop_ethics(qtbot, project, 200)  # the shortest: the tab scrolls (a bar's width)
    panel.setCurrentIndex(1)
    tab = panel.pseudonyms
    tab.load_candidates()  # "No real name of the mapping occurs…" under them
    qtbot.wait(50)
    assert panel.widget(1).verticalScrollBar().isVisible()
    for edit in (tab.real, tab.pseudonym):
        text = edit.placeholderText()
        need = edit.fontMetrics().horizontalAdvance(text)
        assert need <= _placeholder_room(edit), (text, need, _placeholder_room(edit))
    assert "mapping" in tab.add.toolTip()


def test_what_review_and_replace_did_is_read_under_their_buttons_in_a_short_dock(
    qtbot: Any,
    project: Project,  # noqa: F811
) -> None:
    """At 1024x700 the Names tab's status ("N occurrences… uncheck those that are not this
    person") stood at the tab's foot, below the occurrences, cut in half by the dock's edge
    (the tab scrolls). It stands under the buttons, whole, without scrolling."""
    session = project.sessions.add_session("Interview", "interview")
    texts = ["Айгүл сказала: жақсы.", "Сәлеметсіз бе, Айгүл апа.", "Айгүлге рахмет."]
    project.transcript.add_segments(
        session.id, [SegmentDraft(i * 1000, i * 1000 + 900, t) for i, t in enumerate(texts)]
    )
    project.privacy.set_pseudonym("Айгүл", "P02")
    panel = _laptop_ethics(qtbot, project, 300)
    panel.setCurrentIndex(1)
    tab = panel.pseudonyms
    for act in (tab.load_candidates, lambda: tab.add.click()):
        act()
        qtbot.wait(50)
        area = panel.widget(1)
        assert tab.status.text()
        top = tab.status.mapTo(area.viewport(), tab.status.rect().topLeft()).y()
        assert top >= 0 and top + tab.status.height() <= area.viewport().height(), (
            top,
            tab.status.height(),
            area.viewport().height(),
        )
        assert tab.status.height() >= tab.status.heightForWidth(tab.status.width())
        below = tab.review.mapTo(tab, tab.review.rect().bottomLeft()).y()
        assert tab.status.mapTo(tab, tab.status.rect().topLeft()).y() >= below


def test_the_occurrences_context_reads_first_in_the_dock(qtbot: Any, project: Project) -> None:  # noqa: F811
    """At 290 px the pseudonym review's Context column (what the reviewer reads to tell whether
    it is this person) was 58 px, a word a line and cut, while Replace and Change took the rest;
    now its words are whole, and a check box's label starts after the box, not under it."""
    from PySide6.QtWidgets import QStyleOptionViewItem

    from gui.fit import WrapDelegate
    from gui.privacy_panel import PrivacyPanel
    from storage import SegmentDraft

    (session,) = project.sessions.all()
    text = "Айгерім сказала, что Айгерімге очередь в поликлинике не нравится."
    project.transcript.add_segments(session.id, [SegmentDraft(4000, 6000, text, language="ru")])
    project.privacy.set_pseudonym("Айгерім", "P01")
    panel = PrivacyPanel(project)
    qtbot.addWidget(panel)
    panel.resize(DOCK_PX - 4, 560)
    panel.show()
    panel.setCurrentIndex(1)
    tab = panel.pseudonyms
    tab.load_candidates()
    qtbot.wait(50)
    table = tab.candidates
    assert table.rowCount() >= 2
    for row in range(table.rowCount()):
        for col in (1,):  # Context: no word broken (it was)
            item = table.item(row, col)
            room = table.columnWidth(col) - CELL_PADDING_PX - 1
            for word in item.text().split():
                assert wrapped(word, table.font(), room)[0].lineCount() == 1, (word, room)
    delegate = table.itemDelegate()
    assert isinstance(delegate, WrapDelegate)
    option = QStyleOptionViewItem()
    option.initFrom(table)
    option.rect = table.visualRect(table.model().index(0, 0))
    delegate.initStyleOption(option, table.model().index(0, 0))
    assert option.features & QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    indicator = table.style().pixelMetric(table.style().PixelMetric.PM_IndicatorWidth)
    assert delegate._text_rect(option).left() >= option.rect.left() + indicator


@pytest.mark.parametrize("size", list(TABBED_PX))
@pytest.mark.parametrize("key", ["privacy", "speakers"])
def test_a_panel_tabbed_with_the_codebook_shares_its_width(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    project: Project,  # noqa: F811
    idle: Any,
    size: Any,
    key: str,
    monkeypatch: Any,
) -> None:
    """Ethics (or Speakers) opened on a window just made 1366x768 wide opened 290 px wide, as a
    tab of the codebook, and the codebook stayed 290 behind it: a wider window widens the
    codebook only when it is in front. The group shares the codebook's width for the window
    (300 px), and neither tab narrows the other."""
    w = _window(qtbot, qsettings, fake_transcriber, project, size)
    idle(w)
    _kept_at(w, size, monkeypatch)  # wider than the test screen: the codebook is to widen
    open_it = {"privacy": lambda: w.extra_panels.show_privacy(0), "speakers": None}[key]
    (open_it or w.extra_panels.show_speakers)()
    dock = w.extra_panels.docks[key]
    qtbot.wait(100)
    idle(w)
    assert dock in w.tabifiedDockWidgets(w.codebook_dock)
    assert abs(dock.width() - TABBED_PX[size]) <= 2, dock.width()  # 290 at 1366x768
    w.codebook_dock.raise_()
    qtbot.wait(100)
    assert abs(w.codebook_dock.width() - TABBED_PX[size]) <= 2, w.codebook_dock.width()
    dock.raise_()
    qtbot.wait(100)
    assert abs(dock.width() - w.codebook_dock.width()) <= 2  # one width, whichever is in front
    w.close()


@pytest.mark.parametrize("size", [(1024, 700), (1366, 768)])
def test_thirty_occurrences_are_reviewed_a_row_a_line_with_the_current_one_whole(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    project: Project,  # noqa: F811
    idle: Any,
    tmp_path: Path,
    size: Any,
    monkeypatch: Any,
) -> None:
    """Ethics ▸ Names ▸ Review occurrences of a name said 30 times: the Context column, 100 px
    beside Replace and Change, wrapped a word a line; each row was 113 px high and 3 rows were
    in sight at 1024x700. A row is one line now, its context from a word before the name, and
    the current occurrence is read whole under the table (where, what it becomes, its words)."""
    from gui.pseudonym_tab import CANDIDATE_COLUMNS

    (session,) = project.sessions.all()
    texts = [
        "Айгерім сказала, что очередь в поликлинике не нравится никому из нас.",
        "Мы с Айгерімге ходили к врачу, но нас не приняли без направления.",
        "Айгерім апа, сіз не ойлайсыз, емхана туралы айтыңызшы?",
    ]
    project.transcript.add_segments(
        session.id,
        [SegmentDraft(9000 + i * 3000, 11000 + i * 3000, texts[i % 3]) for i in range(30)],
    )
    project.privacy.set_pseudonym("Айгерім", "P01")
    w = _window(qtbot, qsettings, fake_transcriber, project, size)
    idle(w)
    _kept_at(w, size, monkeypatch)
    panel = w.extra_panels.show_privacy(1)
    tab = panel.pseudonyms
    tab.review.click()
    qtbot.wait(100)
    idle(w)
    w.extra_panels.docks["privacy"].grab().save(_shot(tmp_path, f"occurrences_{size[0]}.png"))
    table = tab.candidates
    assert table.rowCount() == 30
    context = CANDIDATE_COLUMNS.index("Context")
    room = table.viewport().rect()
    line = table.fontMetrics().lineSpacing()
    in_sight = [
        r for r in range(30) if room.contains(table.visualRect(table.model().index(r, context)))
    ]
    assert len(in_sight) >= 6, (len(in_sight), table.rowHeight(0), room.height())
    for row in in_sight:
        assert table.rowHeight(row) < 2 * line, table.rowHeight(row)  # one line, not wrapped
        text = table.item(row, context).text()
        name = text[: text.index("]") + 1]  # the name and the words before it, whole
        assert name.count(" ") <= 3, text
        shown = table.columnWidth(context) - CELL_PADDING_PX
        assert table.fontMetrics().horizontalAdvance(name) <= shown, (text, shown)
    # the current occurrence whole under the table, in sight without scrolling the tab
    table.setCurrentCell(1, context)
    detail = tab.detail.text()
    assert "Фокус-группа Алматы · 0:12" in detail and "Айгерімге → P01" in detail
    assert "Мы с [Айгерімге] ходили к врачу, но нас не приняли без направления." in detail
    area = panel.widget(1)
    bottom = tab.detail.mapTo(area.viewport(), tab.detail.rect().bottomLeft()).y()
    assert tab.detail.isVisible() and bottom <= area.viewport().height(), bottom
    assert tab.detail.height() >= tab.detail.heightForWidth(tab.detail.width())
    w.close()


@pytest.mark.parametrize("size", [(1024, 700), (1366, 768)])
def test_the_consent_tab_neither_scrolls_nor_cuts_the_session_title(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    project: Project,  # noqa: F811
    idle: Any,
    tmp_path: Path,
    size: Any,
    monkeypatch: Any,
) -> None:
    """At 1024x700 Ethics ▸ Consent scrolled 28 px to reach its two records, and the Session
    box cut a long title mid-letter ("Focus group: online pub"). The date and the form share a
    row, nothing scrolls; the title ends in "…", whole in the tooltip."""
    (session,) = project.sessions.all()
    title = "Focus group: online public services, Almaty"
    project.sessions.update_session(session.id, title=title)
    for name in ("Айгерім К.", "Бақыт Жұмабекұлы"):
        person = project.sessions.add_participant(name)
        project.consent.set_consent(
            person.id, session.id, recording=True, date="2026-03-02", form_ref="F-12"
        )
    w = _window(qtbot, qsettings, fake_transcriber, project, size)
    idle(w)
    _kept_at(w, size, monkeypatch)
    w.layout_keeper.default_sizes()
    qtbot.wait(100)
    panel = w.extra_panels.show_privacy(0)
    consent = panel.consent
    consent.session.setCurrentIndex(consent.session.findData(session.id))
    qtbot.wait(100)
    w.grab().save(_shot(tmp_path, f"ethics_consent_{size[0]}.png"))
    area = panel.widget(0)
    assert area.verticalScrollBar().maximum() == 0, area.verticalScrollBar().maximum()
    table = consent.table
    assert table.viewport().height() >= table.rowHeight(0) + table.rowHeight(1)
    shown = consent.session.shown_text()
    assert shown.endswith("…") and title.startswith(shown[:-1]), shown
    assert consent.session.toolTip() == title
    for edit in (consent.date, consent.form_ref):  # side by side, their hints still whole
        edit.clear()
        need = edit.fontMetrics().horizontalAdvance(edit.placeholderText())
        assert need <= _placeholder_room(edit), (edit.placeholderText(), _placeholder_room(edit))
    w.close()


def test_an_audit_entry_reads_whole_under_the_log_in_the_dock(
    qtbot: Any,
    project: Project,  # noqa: F811
    tmp_path: Path,
) -> None:
    """In the 290 px dock an audit entry was four or five lines high and its Target and Details
    columns were out of sight to the right (the table scrolls sideways, its words whole: see
    above). The chosen entry (the newest when the tab opens) reads whole under the table, one
    field a line, however long its ids and paths, without widening the dock."""
    (session,) = project.sessions.all()
    form = "forms/community-centre/aigerim-consent-2026-03-02-signed-and-scanned.pdf"
    person = project.sessions.add_participant("Айгерім К.")
    project.consent.set_consent(person.id, session.id, recording=True, form_ref=form)
    project.privacy.set_pseudonym("Бақыт", "P02")
    panel = _laptop_ethics(qtbot, project, 480)
    panel.setCurrentIndex(3)
    audit = panel.audit
    qtbot.waitUntil(audit.table.isVisible)
    qtbot.wait(50)
    panel.grab().save(_shot(tmp_path, "ethics_audit_entry.png"))
    entries = project.audit.entries()
    assert audit.table.rowCount() == len(entries) >= 2
    newest = audit.entry.toPlainText()
    assert "pseudonym" in newest and "P02" in newest, newest
    consent_row = next(i for i, e in enumerate(entries) if e.action == "consent")
    from gui.select_row import select_row

    select_row(audit.table, consent_row)
    shown = audit.entry.toPlainText()
    assert "Target: Айгерім К." in shown and f"Target id: participant {person.id}" in shown, shown
    entry = entries[consent_row]
    for key, value in entry.details.items():
        assert f"{key}: {value}" in shown, (key, shown)
    assert panel.width() <= DOCK_PX + 20 and audit.minimumSizeHint().width() <= panel.width()
    viewport = audit.entry.viewport()
    assert audit.entry.document().size().width() <= viewport.width() + 1
    assert audit.entry.isVisible() and audit.entry.height() >= 4 * audit.fontMetrics().height()
