"""A coder at 1024x700 and 1366x768 with the side panels open reads code names and the
transcript: the Sessions list is narrow (Session details widens its group while in front), the
margin's code names wrap rather than shrink to "Posi…ence", and the Agreement panel is no taller
than its rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics, QImage, QPainter
from PySide6.QtWidgets import QStyleOptionViewItem

from gui.layout import rows_height
from gui.models.segments import COL_CODES, COL_TEXT
from gui.retrieval import HEADERS
from gui.transcript_delegates import CodeMarginDelegate
from storage import Project, SegmentDraft

#: the demo's codes in use: names of one to three words
NAMES = (
    "Positive experience",
    "Trust and privacy",
    "Service centres",
    "Connectivity",
    "Corruption",
    "Health services",
)
TEXT = "I used the new government portal last month to renew my passport, it was much faster."
SIZES = [(1024, 700), (1366, 768)]


@pytest.fixture
def project(tmp_path: Path, speech_wav: Path) -> Iterator[Project]:
    """Eight segments, six codes (the demo's), each on a segment of its own."""
    with Project.create(tmp_path / "Demo.fieldscribe", name="Demo", coder="amina") as p:
        s = p.sessions.import_audio(speech_wav, kind="focus_group", title="Focus group")
        drafts = [SegmentDraft(i * 400, i * 400 + 350, TEXT, speaker="Aigerim") for i in range(8)]
        segs = p.transcript.add_segments(s.id, drafts)
        for seg, name in zip(segs[1::], NAMES, strict=False):
            p.codebook.apply_code(seg.id, p.codebook.ensure_code_path(name).id)
        yield p


def _laptop(qtbot: Any, qsettings: Any, fake: Any, project: Project, size: Any, mp: Any) -> Any:
    """The window at ``size`` laid out as a first start there lays it out (the test screen is
    800x600: opening a panel would fit the window to it)."""
    from gui.main_window import MainWindow

    for module in ("gui.layout", "gui.main_window", "gui.panels"):
        mp.setattr(f"{module}.fit_to_screen", lambda _w: None)
    folder = project.folder
    project.close()
    qsettings.setValue("transcribe_after_import", "false")
    w = MainWindow(transcriber=fake, settings=qsettings)
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    assert w.projects.open_project(folder)
    qtbot.waitUntil(lambda: w.segment_model.rowCount() == 8, timeout=10000)
    qtbot.waitUntil(lambda: not w.runner.busy(), timeout=10000)
    w.resize(*size)
    w.layout_keeper.default_layout()
    qtbot.wait(100)
    return w


def _drawn_names(view: Any, row: int) -> list[str]:
    """The code names the margin paints on ``row``, a line each."""
    drawn: list[str] = []

    class Spy(QPainter):
        def drawText(self, *args: Any) -> None:
            drawn.append(str(args[-1]))
            super().drawText(*args)

    model = view.model()
    rect = view.visualRect(model.index(row, COL_CODES))
    image = QImage(rect.width(), rect.height(), QImage.Format.Format_ARGB32)
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    option.rect = image.rect()
    painter = Spy(image)
    view.itemDelegateForColumn(COL_CODES).paint(painter, option, model.index(row, COL_CODES))
    painter.end()
    return drawn


@pytest.mark.parametrize("size", SIZES)
def test_code_names_read_and_the_text_keeps_its_room(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, size: Any, monkeypatch: Any
) -> None:
    """At 1024x700 the Sessions list took 260 px, the Text column kept about 200 px and the
    margin's 54 px showed "Posi…ence" and "Tru…acy". Now the list is 212 px, the names read
    whole (wrapped at their spaces), and the text keeps at least 230 px."""
    w = _laptop(qtbot, qsettings, fake_transcriber, project, size, monkeypatch)
    assert w.sessions_dock.width() <= (215 if size == (1024, 700) else 280)
    view = w.transcript
    for row, name in enumerate(NAMES, start=1):
        view.scrollTo(view.model().index(row, COL_CODES))
        lines = _drawn_names(view, row)
        assert not any("…" in line for line in lines), (name, lines, view.columnWidth(COL_CODES))
        assert " ".join(lines) == name, lines
    text = view.columnWidth(COL_TEXT)
    assert text >= (230 if size == (1024, 700) else 370), text
    w.close()


def test_a_name_wraps_at_its_spaces_onto_the_lines_left(qtbot: Any) -> None:
    """The lines a row has are shared: each name one, the rest to names that need more, first
    come first served; a word too long for the room is elided in the middle."""
    from PySide6.QtWidgets import QTableView

    view = QTableView()
    qtbot.addWidget(view)
    metrics = QFontMetrics(CodeMarginDelegate.name_font(view.font()))
    room = max(metrics.horizontalAdvance(w) for w in ("Positive", "experience", "Trust and"))
    blocks = CodeMarginDelegate.name_blocks(list(NAMES[:2]), metrics, room, 4)
    assert blocks == [["Positive", "experience"], ["Trust and", "privacy"]]
    # one line spare: the first name wraps, the second is elided on its line
    one, two = CodeMarginDelegate.name_blocks(list(NAMES[:2]), metrics, room, 3)
    assert one == ["Positive", "experience"] and len(two) == 1 and "…" in two[0]
    # a word wider than the room is elided in the middle, its ends kept
    (long,) = CodeMarginDelegate.name_blocks(["Денсаулықсақтау"], metrics, 40, 2)
    assert long[0][0] == "Д" and long[0].endswith("у") and "…" in long[0]
    assert metrics.horizontalAdvance(long[0]) <= 40
    # more names than lines: as before, the last line says how many are left
    assert CodeMarginDelegate.name_blocks(list(NAMES), metrics, room, 2)[-1] == ["+5 more"]


@pytest.mark.parametrize("size", SIZES)
def test_session_details_gets_its_width_in_front_and_gives_it_back(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, size: Any, monkeypatch: Any
) -> None:
    """The narrow Sessions list shares its dock with Session details, whose form needs 258 px:
    in front it gets them, and the list its own width back when the list comes in front. A
    width the user gave the group stays."""
    w = _laptop(qtbot, qsettings, fake_transcriber, project, size, monkeypatch)
    narrow = w.sessions_dock.width()
    w.docks.show_details()
    qtbot.wait(100)
    details = w.docks.session_panel_dock
    assert details.width() >= 258, details.width()
    assert not details.widget().horizontalScrollBar().isVisible()
    w.sessions_dock.raise_()
    qtbot.wait(100)
    assert w.sessions_dock.width() == narrow
    # the user's width is the user's
    w.resizeDocks([w.sessions_dock], [narrow + 60], Qt.Orientation.Horizontal)
    qtbot.wait(50)
    chosen = w.sessions_dock.width()
    details.raise_()
    qtbot.wait(50)
    w.sessions_dock.raise_()
    qtbot.wait(50)
    assert w.sessions_dock.width() == chosen
    w.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_agreement_panel_is_no_taller_than_its_rows(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, size: Any, monkeypatch: Any
) -> None:
    """Agreement opened at 0.45 of the window (as far as the transcript kept its rows) over a
    table of two rows, blank below them; it opens as tall as its rows now."""
    for name in NAMES[1:]:  # one code: the table's rows are that code's and all codes'
        project.codebook.delete_code(project.codebook.find_code(name).id, force=True)
    sid = project.sessions.all()[0].id
    seg = project.transcript.segments(sid)[1]
    project.codebook.apply_code(seg.id, project.codebook.find_code(NAMES[0]).id, coder="bakyt")
    w = _laptop(qtbot, qsettings, fake_transcriber, project, size, monkeypatch)
    panel = w.extra_panels.show_agreement()
    qtbot.waitUntil(lambda: panel.view.model().rowCount() >= 1, timeout=10000)
    qtbot.wait(200)
    table = panel.view
    assert table.isVisible()
    need = max(rows_height(table), table.minimumSizeHint().height())  # a table's least
    assert table.height() <= need + 4, (table.height(), need)
    w.close()


@pytest.mark.parametrize("size", SIZES)
def test_retrieved_rows_show_their_wrapped_cells_whole(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, size: Any, monkeypatch: Any
) -> None:
    """The demo's "Focus group: online public services" wrapped in the Session column (a fifth
    of the table) and its row, one line tall, showed "services" cut in half; a long quote its
    first line. Each row is as tall as its cells now."""
    sid = project.sessions.all()[0].id
    project.sessions.update_session(sid, title="Focus group: online public services, Almaty")
    seg = project.transcript.segments(sid)[0]
    code = project.codebook.find_code(NAMES[0])
    project.codebook.apply_code(seg.id, code.id)  # the whole segment: a long quote
    w = _laptop(qtbot, qsettings, fake_transcriber, project, size, monkeypatch)
    w.docks.retrieve_code(code.id)
    qtbot.waitUntil(lambda: w.retrieval.model.rowCount() == 2, timeout=10000)
    qtbot.wait(100)
    table = w.retrieval.table
    line = table.fontMetrics().lineSpacing()
    for row in range(2):
        assert table.rowHeight(row) >= table.sizeHintForRow(row), (row, table.rowHeight(row))
    if size == (1024, 700):  # the title wrapped, and its row with it
        assert table.rowHeight(0) > 2 * line
    # a one-line row keeps a margin around its line (resized to contents, it was 18 px)
    assert min(table.rowHeight(r) for r in range(2)) >= line + 8
    # a column made narrower (by the user, or a narrower dock): the rows grow with its cells
    before = table.rowHeight(0)
    table.setColumnWidth(1, 60)
    qtbot.wait(50)
    assert table.rowHeight(0) >= table.sizeHintForRow(0) > before
    w.close()


@pytest.mark.parametrize("size", SIZES)
def test_disagreement_rows_show_their_wrapped_text_whole(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, size: Any, monkeypatch: Any
) -> None:
    """A long turn wrapped in the Disagreements' Text column and its row stayed 30 px tall: at
    1024x700 a four-line turn showed its first two lines, cut mid-sentence. Each row is as tall
    as its cells now, and a one-line row a line and a margin."""
    sid = project.sessions.all()[0].id
    seg = project.transcript.segments(sid)[0]
    project.transcript.update_segment(seg.id, text=" ".join([TEXT] * 5))  # a turn of 450 letters
    project.codebook.apply_code(seg.id, project.codebook.find_code(NAMES[0]).id, coder="bakyt")
    w = _laptop(qtbot, qsettings, fake_transcriber, project, size, monkeypatch)
    panel = w.extra_panels.show_disagreements()
    table = panel.table
    qtbot.waitUntil(lambda: table.model().rowCount() == len(NAMES) + 1, timeout=10000)
    qtbot.wait(100)
    line = table.fontMetrics().lineSpacing()
    long_row = next(
        r for r in range(table.model().rowCount()) if panel.items[r].segment_id == seg.id
    )
    assert table.sizeHintForRow(long_row) > 3 * line  # it wraps onto more than three lines
    for row in range(table.model().rowCount()):
        assert table.rowHeight(row) >= table.sizeHintForRow(row), (row, table.rowHeight(row))
    assert min(table.rowHeight(r) for r in range(table.model().rowCount())) >= line + 8
    # too many rows to measure each: a line each, the text elided, whole in its tooltip
    monkeypatch.setattr(type(panel), "FIT_ROWS_MAX", 2)
    panel.refresh()
    qtbot.waitUntil(lambda: not w.runner.busy(), timeout=10000)
    qtbot.wait(100)
    assert not table.wordWrap()
    text = table.model().index(long_row, 3)
    assert text.data(Qt.ItemDataRole.ToolTipRole) == " ".join([TEXT] * 5)
    w.close()


@pytest.mark.parametrize("size", SIZES)
def test_retrieval_shows_no_row_cut_in_half(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, size: Any, monkeypatch: Any
) -> None:
    """Retrieved rows are as tall as their wrapped quotes, and the table showed the top of one
    more under the whole ones (at 1366x768 10 px of a 28 px row: its words cut through their
    letters), as if that were the last. The rows shown are whole; the table scrolls for the
    others (as Agreement's and Disagreements')."""
    sid = project.sessions.all()[0].id
    code = project.codebook.find_code(NAMES[0])
    for i, seg in enumerate(project.transcript.segments(sid)):
        if i % 2:
            project.transcript.update_segment(seg.id, text=" ".join([TEXT] * 3))
        project.codebook.apply_code(seg.id, code.id)
    w = _laptop(qtbot, qsettings, fake_transcriber, project, size, monkeypatch)
    w.docks.retrieve_code(code.id)
    table = w.retrieval.table
    qtbot.waitUntil(lambda: table.model().rowCount() == 8 and table.isVisible(), timeout=10000)
    qtbot.wait(200)
    room = table.viewport().height()
    shown = [table.visualRect(table.model().index(r, 0)) for r in range(8)]
    shown = [rect for rect in shown if rect.top() < room]
    assert len(shown) >= 2, (len(shown), room)
    assert all(rect.bottom() < room for rect in shown), ([r.getRect() for r in shown], room)
    assert len(shown) < 8  # the others a scroll away
    w.close()


@pytest.mark.parametrize("size", SIZES)
def test_session_details_fits_its_dock_with_add_participant_in_sight(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, size: Any, monkeypatch: Any
) -> None:
    """Details (Session details) of a session with one speaker and no participant yet: both
    tables kept four rows and asked for 192 px, 300 px of them blank, so the form was 734 px
    tall and Add participant lay below the fold of the dock at 1024x700 (534 px) and 1366x768
    (602 px) alike. The tables are as tall as their rows: the form fits, the button in sight;
    a focus group's seven speakers are all in sight in theirs."""
    from PySide6.QtWidgets import QPushButton

    w = _laptop(qtbot, qsettings, fake_transcriber, project, size, monkeypatch)
    w.docks.show_details()
    qtbot.waitUntil(lambda: w.session_panel.speakers.rowCount() == 1, timeout=10000)
    qtbot.wait(100)
    panel, scroll = w.session_panel, w.docks.session_panel_dock.widget()
    add = next(b for b in panel.findChildren(QPushButton) if b.text() == "Add participant")
    bottom = add.mapTo(scroll.viewport(), add.rect().bottomLeft()).y()
    assert bottom <= scroll.viewport().height(), (bottom, scroll.viewport().height())
    assert scroll.verticalScrollBar().maximum() == 0  # nothing to scroll to
    w.close()
    # a focus group: seven speakers, each row in sight in the speakers' table
    with Project.open(project.folder, coder="amina") as p:
        sid = p.sessions.all()[0].id
        for i, seg in enumerate(p.transcript.segments(sid)[:6]):
            p.transcript.update_segment(seg.id, speaker=f"Speaker {i + 1}")
    w = _laptop(qtbot, qsettings, fake_transcriber, Project.open(project.folder), size, monkeypatch)
    w.docks.show_details()
    speakers = w.session_panel.speakers
    qtbot.waitUntil(lambda: speakers.rowCount() == 7, timeout=10000)  # and Aigerim
    qtbot.wait(100)
    assert speakers.verticalScrollBar().maximum() == 0, speakers.height()
    w.close()


@pytest.mark.parametrize("size", SIZES)
def test_retrieval_columns_nobody_filled_leave_the_coded_text_their_room(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, size: Any, monkeypatch: Any
) -> None:
    """A project without participants (or languages) listed an empty Participant column (and
    Lang) in Retrieval: about 80 and 40 px of the coded text's room at 1024x700. They are
    hidden while no coding listed has one, and shown once one does."""
    sid = project.sessions.all()[0].id
    code = project.codebook.find_code(NAMES[0])
    w = _laptop(qtbot, qsettings, fake_transcriber, project, size, monkeypatch)
    w.docks.retrieve_code(code.id)
    table = w.retrieval.table
    qtbot.waitUntil(lambda: table.model().rowCount() == 1 and table.isVisible(), timeout=10000)
    qtbot.wait(100)
    hidden = [h for c, h in enumerate(HEADERS) if table.isColumnHidden(c)]
    assert hidden == ["Participant", "Lang"], hidden
    text = table.columnWidth(len(HEADERS) - 1)
    # a speaker linked to a participant: the column is back, with the name
    person = w.project.sessions.add_participant("P-07", {})
    w.project.sessions.map_speaker(sid, "Aigerim", person.id)
    w.retrieval.refresh()
    qtbot.waitUntil(lambda: not table.isColumnHidden(4), timeout=10000)
    assert table.model().index(0, 4).data() == "P-07"
    assert table.columnWidth(len(HEADERS) - 1) < text  # the text gave it its room
    w.close()


def test_an_added_participant_is_shown_selected(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, monkeypatch: Any
) -> None:
    """At 1024x700 Session details ▸ Add participant seemed to do nothing: the list is below
    the fold of the dock and a seventh participant past its four rows. The new one is selected
    and scrolled into sight, and the status bar says it was added."""
    from PySide6.QtWidgets import QPushButton

    from gui.ask_dialog import AskDialog

    for name in ("Moderator", "Aigerim", "Bakyt", "Chynara", "Daniyar", "Elmira"):
        project.sessions.add_participant(name, {})
    w = _laptop(qtbot, qsettings, fake_transcriber, project, (1024, 700), monkeypatch)
    w.docks.show_details()
    qtbot.wait(100)
    panel = w.session_panel
    scroll = w.docks.session_panel_dock.widget()
    monkeypatch.setattr(AskDialog, "ask", staticmethod(lambda *_a, **_k: ("Ержан", True)))
    add = next(b for b in panel.findChildren(QPushButton) if b.text() == "Add participant")
    scroll.ensureWidgetVisible(add)  # the user scrolled down to the button
    scroll.verticalScrollBar().setValue(0)  # and back up to read the speakers
    add.click()
    table = panel.participants
    qtbot.waitUntil(lambda: table.rowCount() == 7, timeout=10000)
    qtbot.waitUntil(lambda: not w.runner.busy(), timeout=10000)
    qtbot.wait(50)
    row = table.currentRow()
    assert row >= 0 and table.item(row, 0).text() == "Ержан"
    cell = table.visualItemRect(table.item(row, 0))
    assert table.viewport().rect().contains(cell), cell  # in its table's sight
    top = table.viewport().mapTo(scroll.viewport(), cell.topLeft())
    assert top.y() >= 0 and top.y() + cell.height() <= scroll.viewport().height(), top
    assert "Added participant “Ержан”" in w.statusBar().currentMessage()
    w.close()


def test_describing_a_code_says_where_the_description_is(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, monkeypatch: Any
) -> None:
    """Codebook ▸ Describe saved the description and showed nothing (it is only in the code's
    tooltip): the status bar says it was saved and where to read it; undo says it is gone."""
    from gui.ask_dialog import AskDialog

    w = _laptop(qtbot, qsettings, fake_transcriber, project, (1024, 700), monkeypatch)
    code = w.project.codebook.find_code("Corruption")
    text = "Неформальные платежи, взятки"
    monkeypatch.setattr(AskDialog, "ask", staticmethod(lambda *_a, **_k: (text, True)))
    w.editing.codes.describe_dialog(code.id)
    qtbot.waitUntil(lambda: "description" in w.statusBar().currentMessage(), timeout=10000)
    assert "hover the code in the Codebook" in w.statusBar().currentMessage()
    qtbot.waitUntil(lambda: not w.runner.busy(), timeout=10000)
    assert w.project.codebook.find_code("Corruption").description == text
    w.undo_stack.undo()
    qtbot.waitUntil(
        lambda: "Removed the code's description" in w.statusBar().currentMessage(), timeout=10000
    )
    w.close()


def test_session_details_widens_in_a_remembered_layout(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, monkeypatch: Any
) -> None:
    """The next start brings the layout back from the settings: Session details still gets
    its form's width in front (the width the layout gave was known only to the first start)."""
    from gui.main_window import MainWindow

    w = _laptop(qtbot, qsettings, fake_transcriber, project, (1024, 700), monkeypatch)
    folder = w.project.folder
    narrow = w.sessions_dock.width()
    w.close()  # remembers the layout for this screen
    again = MainWindow(transcriber=fake_transcriber, settings=qsettings)
    qtbot.addWidget(again)
    again.resize(1024, 700)
    again.show()
    assert again.projects.open_project(folder)
    qtbot.waitUntil(lambda: not again.runner.busy(), timeout=10000)
    again.resize(1024, 700)  # restoreGeometry kept it on the 800x600 test screen
    qtbot.wait(100)
    assert abs(again.sessions_dock.width() - narrow) <= 8
    again.docks.show_details()
    qtbot.wait(100)
    assert again.docks.session_panel_dock.width() >= 258
    again.sessions_dock.raise_()
    qtbot.wait(100)
    assert abs(again.sessions_dock.width() - narrow) <= 8
    again.close()


def test_code_names_read_beside_a_side_panel(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, monkeypatch: Any
) -> None:
    """At 1024x700 with the Speakers panel open (290 px beside the codebook's 230) the text
    column kept 200 px and left the names 40: "Positive exp…nce". The names get a word's width
    now, the text still 175 px and the widest column."""
    w = _laptop(qtbot, qsettings, fake_transcriber, project, (1024, 700), monkeypatch)
    w.extra_panels.show_speakers()
    qtbot.wait(200)
    view = w.transcript
    for row, name in enumerate(NAMES, start=1):
        view.scrollTo(view.model().index(row, COL_CODES))
        lines = _drawn_names(view, row)
        assert not any("…" in line for line in lines), (name, lines, view.columnWidth(COL_CODES))
        assert " ".join(lines) == name, lines
    widths = [view.columnWidth(c) for c in range(view.model().columnCount())]
    assert widths[COL_TEXT] >= 175 and max(widths) == widths[COL_TEXT], widths
    # a name beside the leftmost bracket has a word's width too (the demo's "Positive
    # experience" sat beside four brackets)
    metrics = QFontMetrics(CodeMarginDelegate.name_font(view.font()))
    assert view.margin.name_width >= metrics.horizontalAdvance("experience"), widths
    w.close()


def test_margin_names_too_narrow_to_read_leave_the_brackets_alone(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, monkeypatch: Any
) -> None:
    """The walk at 1024x700: two coders' Russian and Kazakh codes on one segment with the
    Ethics panel open left the margin 24-30 px for names, drawn as "…", "к", "Д…е", "го…ву"
    (a row grew to four lines of them). A name is drawn with at least four of its letters
    per word, or not at all (the brackets stay, the tooltip names each code)."""
    ru = ("Доверие к государству", "Қызмет сапасы — әкімдік", "Экономика (долги, кредиты)")
    seg = project.transcript.segments(project.sessions.all()[0].id)[0]
    for name in ru:
        project.codebook.apply_code(seg.id, project.codebook.ensure_code_path(name).id)
    w = _laptop(qtbot, qsettings, fake_transcriber, project, (1024, 700), monkeypatch)
    w.extra_panels.show_privacy(1)
    qtbot.wait(200)
    w.transcript.fit_rows()
    view = w.transcript
    for row in range(7):
        view.scrollTo(view.model().index(row, COL_CODES))
        for line in _drawn_names(view, row):
            if line.endswith("more") or line.endswith("codes"):
                continue
            for word in line.split():
                letters = [ch for ch in word if ch.isalpha()]
                assert "…" not in word or len(letters) >= 4, (line, view.margin.name_width)
                assert len(letters) >= 4 or any(word in name.split() for name in (*ru, *NAMES))
    assert view.columnWidth(COL_TEXT) >= 175
    w.close()


def test_the_record_tab_leaves_the_sessions_list_its_width(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, monkeypatch: Any
) -> None:
    """The walk at 1024x700: after a recording (Record is a tab of the Sessions list) the
    list came back in front 301 px wide, the Record panel's minimum, for good (remembered with
    the layout): the transcript 89 px narrower. The list gets its 212 px back; the Record tab
    in front gets the width its controls read whole in, no sideways scroll."""
    w = _laptop(qtbot, qsettings, fake_transcriber, project, (1024, 700), monkeypatch)
    narrow = w.sessions_dock.width()
    assert narrow <= 215
    text = w.transcript.columnWidth(COL_TEXT)
    panel = w.extra_panels.show_recorder()
    qtbot.wait(100)
    record = w.extra_panels.docks["record"]
    assert record.width() > narrow + 40
    assert not panel.scroller.horizontalScrollBar().isVisible()
    w.sessions_dock.raise_()  # as Stop brings the list to the front
    qtbot.wait(300)
    assert w.sessions_dock.width() <= narrow + 2, w.sessions_dock.width()
    assert w.transcript.columnWidth(COL_TEXT) >= text - 2
    record.raise_()
    qtbot.waitUntil(lambda: record.width() >= panel.needed_width(), timeout=3000)
    w.close()


@pytest.mark.parametrize("size", [(800, 600), (1024, 700), (1366, 768)])
def test_every_record_control_is_in_sight_down_to_an_800_px_window(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    project: Project,
    monkeypatch: Any,
    size: Any,
    tmp_path: Path,
) -> None:
    """In an 800 px window the Record dock got 237 px, its controls needed 282 (Record /
    Pause / Stop side by side, the guide's title, the check box): Stop and Marker (M) were cut
    at the edge, behind a sideways scroll bar. Every control is whole inside the dock, with no
    sideways scroll, at 800, 1024 and 1366 px."""
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit

    w = _laptop(qtbot, qsettings, fake_transcriber, project, size, monkeypatch)
    panel = w.extra_panels.show_recorder()
    record = w.extra_panels.docks["record"]
    record.raise_()
    qtbot.wait(300)
    record.grab().save(str(tmp_path / f"record-{size[0]}.png"))
    area = panel.scroller
    assert not area.horizontalScrollBar().isVisible(), (record.width(), panel.needed_width())
    view = area.viewport()
    controls = [
        c
        for kind in (QAbstractButton, QComboBox, QLineEdit)
        for c in panel.findChildren(kind)
        if c.isVisible() and c.window() is w
    ]
    names = {getattr(c, "text", lambda: "")() for c in controls}
    assert {"● Record", "Pause", "■ Stop", "Marker (M)", "Load guide…"} <= names, names
    for c in controls:
        left = c.mapTo(view, c.rect().topLeft()).x()
        right = c.mapTo(view, c.rect().topRight()).x()
        label = getattr(c, "text", lambda: "")() or type(c).__name__
        assert left >= 0 and right < view.width(), (label, left, right, view.width())
        assert c.width() >= min(c.sizeHint().width(), c.minimumSizeHint().width()), label
    # no two controls overlap
    rects = [(c, c.rect().translated(c.mapTo(view, c.rect().topLeft()))) for c in controls]
    for i, (a, ra) in enumerate(rects):
        for b, rb in rects[i + 1 :]:
            if a.isAncestorOf(b) or b.isAncestorOf(a):
                continue
            assert not ra.intersects(rb), (getattr(a, "text", str)(), getattr(b, "text", str)())
    w.close()


def _left_tabs(w: Any) -> list[tuple[str, int, int]]:
    """The Sessions group's tabs: label, width shown, width the whole label needs."""
    from PySide6.QtWidgets import QTabBar

    [bar] = [
        b
        for b in w.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
        if b.isVisible() and "Sessions" in [b.tabText(i) for i in range(b.count())]
    ]
    return [
        (bar.tabText(i), bar.tabRect(i).width(), bar.tabSizeHint(i).width())
        for i in range(bar.count())
    ]


def test_the_sessions_tabs_read_whole_beside_the_record_tab(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, monkeypatch: Any
) -> None:
    """The walk at 1024x700: with Record opened beside Sessions and Session details, the list
    in front (its 212 px) read "Ses… | Session d… | R…", the names whole only in tooltips. The
    details tab reads "Details" (the View menu names it whole) and the three fit the list's
    width; labels that need more (a larger font, a longer name) widen the group to them."""
    w = _laptop(qtbot, qsettings, fake_transcriber, project, (1024, 700), monkeypatch)
    narrow = w.sessions_dock.width()
    w.extra_panels.show_recorder()
    qtbot.wait(100)
    w.sessions_dock.raise_()  # as Stop brings the list to the front
    qtbot.wait(300)
    tabs = _left_tabs(w)
    assert [t[0] for t in tabs] == ["Sessions", "Details", "Record"]
    assert all(shown >= whole for _t, shown, whole in tabs), tabs  # none elided
    assert w.sessions_dock.width() <= narrow + 2  # the transcript keeps its room
    view = [a.text() for a in w.chrome.menus["View"].actions()]
    assert "Session details" in view and "Details" not in view
    # a label longer than the list's width leaves: the group widens to show it whole
    w.session_panel_dock.setWindowTitle("Session details")
    w.extra_panels.docks["record"].raise_()
    qtbot.wait(100)
    w.sessions_dock.raise_()
    qtbot.wait(300)
    tabs = _left_tabs(w)
    assert all(shown >= whole for _t, shown, whole in tabs), tabs
    assert w.sessions_dock.width() >= sum(t[2] for t in tabs) > narrow + 20
    w.close()
