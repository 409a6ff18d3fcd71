"""Long code names ("Экономические трудности семьи (кредиты, долги)") in a laptop's window:
two codes that begin alike stay apart where they are elided (transcript margin) or wrapped
(codebook)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFontMetrics

from gui.codebook_view import CodebookPanel
from gui.transcript_delegates import CodeMarginDelegate
from storage.core.models import Code

CREDIT = "Экономические трудности семьи (кредиты, долги)"
WORK = "Экономические трудности семьи (работа, зарплата)"
AKIMAT = "Доверие к местной власти, недоверие к акимату"
POLICE = "Доверие к местной власти, жалобы на полицию"


def _code(cid: str, name: str, parent: str | None = None) -> Code:
    return Code(cid, parent, name, "#336699", None, "ana", "2026-01-01", "2026-01-01")


def _segment_model(project: Any, session_id: str) -> Any:
    """The transcript table's model of a session, loaded as the window loads it."""
    from gui.models.segments import SegmentTableModel

    model = SegmentTableModel()
    model.load(
        session_id,
        project.retrieval.transcript_segments(session_id),
        project.codebook.codings(session_id=session_id),
        project.codebook.codes(),
    )
    return model


def test_margin_names_that_begin_alike_stay_apart(qtbot: Any) -> None:
    """At 1024x700 the margin has about 55-90 px for names and elided them at the end: both
    economic codes read "Экономи…". Elided in the middle they keep their different ends."""
    from PySide6.QtWidgets import QTableView

    view = QTableView()
    qtbot.addWidget(view)
    metrics = QFontMetrics(CodeMarginDelegate.name_font(view.font()))
    for room in (55, 70, CodeMarginDelegate.NAME_MAX):
        credit = CodeMarginDelegate.shown_name(CREDIT, metrics, room)
        work = CodeMarginDelegate.shown_name(WORK, metrics, room)
        assert credit != work, (room, credit)
        assert credit[:3] == work[:3] == "Эко", (credit, work)  # still the code's start
        assert metrics.horizontalAdvance(credit) <= room
    short = "Жергілікті"
    assert CodeMarginDelegate.shown_name(short, metrics, 200) == short


def test_codebook_siblings_that_begin_alike_stay_apart(qtbot: Any) -> None:
    """In the Codebook dock at 1024x700 (about 230 px) both sub-codes of "Власть" read
    "Доверие к местн…"; elided in the middle they read "Доверие к …акимату" and names of a few
    words were cut mid-word ("Доверие …ударству", "Электр…льство"). Each name now wraps at
    its spaces, its row as tall as its lines: both read whole, and apart."""
    from gui.fit import elide_words, wrapped

    panel = CodebookPanel()
    qtbot.addWidget(panel)
    panel.resize(230, 400)
    panel.show()
    panel.model.load(
        [_code("p", "Власть"), _code("a", AKIMAT, "p"), _code("b", POLICE, "p"),
         _code("c", "Доверие к государственным услугам")],
        {"a": 4, "b": 6},
    )  # fmt: skip
    tree = panel.tree
    tree.expandAll()
    qtbot.wait(50)
    metrics = QFontMetrics(tree.font())
    parent = panel.model.index(0, 0, QModelIndex())
    names = [panel.model.index(row, 0, parent) for row in range(2)]
    names.append(panel.model.index(1, 0, QModelIndex()))
    for index in names:
        name = str(index.data())
        rect = tree.visualRect(index)
        room = rect.width() - tree.iconSize().width() - 12  # the swatch and margins
        assert room < metrics.horizontalAdvance(name), name  # too long for one line here
        assert elide_words(name, tree.font(), room) == name  # no word cut
        _layout, tall = wrapped(name, tree.font(), room)
        assert rect.height() >= tall > metrics.lineSpacing(), (name, rect.height(), tall)
    # the counts column still reads whole beside the names
    counts = sorted(str(panel.model.index(r, 1, parent).data()) for r in range(2))
    assert counts == ["4", "6"]
    assert tree.columnWidth(1) >= metrics.horizontalAdvance("6")
    # a wider dock: the rows take one line again
    panel.resize(600, 400)
    qtbot.wait(50)
    assert tree.visualRect(names[0]).height() < 2 * metrics.lineSpacing()


def test_margin_tooltip_names_each_code_whole_with_its_coder(project: Any) -> None:
    """Where the margin elides a name (or has no room for it), hovering the row lists every
    code on it whole, as its path, with the coder."""
    from gui.models.segments import COL_CODES

    s = project.sessions.add_session("Фокус-группа", "focus_group")
    seg = project.transcript.add_segment(s.id, 0, 900, "Кредиты нас задавили.")
    codes = [
        project.codebook.ensure_code_path(path)
        for path in (CREDIT, WORK, f"Власть/{AKIMAT}", "Жергілікті билікке сенім")
    ]
    for code in codes:
        project.codebook.apply_code(seg.id, code.id)
    project.codebook.apply_code(seg.id, codes[2].id, coder="ben")
    model = _segment_model(project, s.id)
    lines = str(model.index(0, COL_CODES).data(Qt.ItemDataRole.ToolTipRole)).splitlines()
    coder = project.coder
    assert sorted(lines) == sorted(
        [
            f"{CREDIT} · {coder}",
            f"{WORK} · {coder}",
            f"Власть/{AKIMAT} · {coder}",
            f"Власть/{AKIMAT} · ben",
            f"Жергілікті билікке сенім · {coder}",
        ]
    ), lines


def test_a_row_too_short_for_its_codes_names_says_how_many_are_left(project: Any) -> None:
    """A one-line row under four codes had room for one name and left three out unsaid; the
    last line it has now reads "+N more" (the tooltip names them)."""
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtWidgets import QStyleOptionViewItem

    from gui.models.segments import COL_CODES

    s = project.sessions.add_session("Сұхбат", "interview")
    seg = project.transcript.add_segment(s.id, 0, 900, "Иә.")
    for path in (CREDIT, WORK, AKIMAT, "Жергілікті билікке сенім"):
        project.codebook.apply_code(seg.id, project.codebook.ensure_code_path(path).id)
    model = _segment_model(project, s.id)
    delegate = CodeMarginDelegate()
    drawn: list[str] = []

    class Spy(QPainter):
        def drawText(self, *args: Any) -> None:
            drawn.append(str(args[-1]))
            super().drawText(*args)

    image = QImage(200, 200, QImage.Format.Format_ARGB32)
    option = QStyleOptionViewItem()
    height = QFontMetrics(CodeMarginDelegate.name_font(option.font)).height()
    for lines in (1, 2, 4):
        drawn.clear()
        option.rect = image.rect().adjusted(0, 0, 0, -(200 - lines * height - 1))
        painter = Spy(image)
        delegate.paint(painter, option, model.index(0, COL_CODES))
        painter.end()
        assert len(drawn) == lines, (lines, drawn)
        if lines == 1:
            assert drawn == ["4 codes"], drawn
        elif lines < 4:
            assert drawn[-1] == f"+{4 - lines + 1} more", drawn
        else:
            assert not any("more" in d for d in drawn), drawn
    assert CodeMarginDelegate.name_lines(["a", "b", "c"], 0) == []
    assert CodeMarginDelegate.name_lines(["a", "b"], 2) == ["a", "b"]
