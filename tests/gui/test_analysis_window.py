"""The Analysis window: the numbers of analysis/, computed off the GUI thread, following edits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from analysis.matrix import code_matrix
from analysis.table import Header, Table
from gui.analysis.models import CodeTableModel
from storage import Project
from tests.analysis_support import build_project
from tests.gui.gui_helpers import main_window


@pytest.fixture
def coded(tmp_path: Path) -> Iterator[Project]:
    project = build_project(tmp_path / "a.fieldscribe", seed=4, sessions=3, segments=20)
    yield project
    project.close()


@pytest.fixture
def main(qtbot: Any, coded: Project, qsettings: Any, fake_transcriber: Any) -> Iterator[Any]:
    with main_window(qtbot, qsettings, fake_transcriber, coded) as w:
        yield w


def _open(main: Any, idle: Callable[..., None]) -> Any:
    idle(main)
    win = main.analysis.show()
    assert win is not None and not win.isModal()
    idle(main)
    return win


def test_matrix_tab_shows_the_library_numbers_and_opens_cells(
    main: Any, coded: Project, idle: Callable[..., None], qtbot: Any
) -> None:
    win = _open(main, idle)
    model = win.matrix.model
    expected = code_matrix(coded, "session", "segments")
    assert model.table is not None and model.table.cells == expected.cells
    assert model.rowCount() == len(expected.rows)
    # a non-empty cell lists its segments; a double-click asks to play one
    i, j = next((i, j) for i, r in enumerate(expected.cells) for j, v in enumerate(r) if v)
    index = model.index(i, j)
    win.matrix.view.clicked.emit(index)
    idle(main)
    assert len(win.matrix.hits.hits) == expected.cells[i][j]
    with qtbot.waitSignal(win.matrix.play_segment) as blocker:
        win.matrix.hits_view.doubleClicked.emit(win.matrix.hits.index(0, 0))
    assert blocker.args[1] == win.matrix.hits.hits[0].segment_id
    # percentages and shading
    win.matrix.percent.setCurrentIndex(1)
    assert model.data(index).endswith("%")
    assert model.data(index, Qt.ItemDataRole.BackgroundRole) is not None


def test_a_cells_list_names_the_cell_and_counts_in_words(
    main: Any, coded: Project, idle: Callable[..., None]
) -> None:
    """Walk at 1024x700: a clicked cell's list said only "6 segment(s); double-click one to
    play it." under a matrix of many cells: it names the cell and counts in words."""
    win = _open(main, idle)
    model = win.matrix.model
    expected = code_matrix(coded, "session", "segments")
    i, j = next((i, j) for i, r in enumerate(expected.cells) for j, v in enumerate(r) if v)
    win.matrix.view.clicked.emit(model.index(i, j))
    idle(main)
    row = model.headerData(i, Qt.Orientation.Vertical).strip()
    col = model.headerData(j, Qt.Orientation.Horizontal).strip()
    n = expected.cells[i][j]
    count = "1 segment" if n == 1 else f"{n} segments"
    assert win.matrix.hits_label.text() == f"{row} × {col}: {count}; double-click one to play it."
    i, j = next((i, j) for i, r in enumerate(expected.cells) for j, v in enumerate(r) if not v)
    win.matrix.view.clicked.emit(model.index(i, j))
    idle(main)
    assert win.matrix.hits_label.text().endswith(": no segment in this cell."), (
        win.matrix.hits_label.text()
    )


def test_long_session_titles_keep_a_cells_list_one_line_a_row(
    qtbot: Any, coded: Project, qsettings: Any, fake_transcriber: Any, idle: Callable[..., None]
) -> None:
    """Walk at 1024x700: a long session title wrapped in the cell's list made each row five
    lines tall (one and a half rows in sight); the title is elided, whole on hover, and the
    label naming the cell wraps rather than widen the window."""
    from gui.main_window import MainWindow

    long = ", ".join(["Фокус-группа Алматы", "поликлиника №3", "2 марта 2026", "вторая часть"])
    for s in coded.sessions.all():
        coded.sessions.update_session(s.id, title=f"{s.title} — {long} {long}")
    qsettings.setValue("transcribe_after_import", "false")
    main = MainWindow(coded, transcriber=fake_transcriber, settings=qsettings)
    qtbot.addWidget(main)
    main.show()
    win = _open(main, idle)
    model = win.matrix.model
    expected = code_matrix(coded, "session", "segments")
    i, j = next((i, j) for i, r in enumerate(expected.cells) for j, v in enumerate(r) if v)
    win.matrix.view.clicked.emit(model.index(i, j))
    idle(main)
    view = win.matrix.hits_view
    assert len(win.matrix.hits.hits) == expected.cells[i][j]
    line = view.fontMetrics().height()
    short = [r for r, h in enumerate(win.matrix.hits.hits) if len(h.text) < 40]
    assert short
    assert all(view.rowHeight(r) < 2 * line for r in short), [view.rowHeight(r) for r in short]
    assert win.matrix.hits_label.minimumSizeHint().width() < 400
    main.runner.cancel_all()
    main.close()


def test_code_frequencies_have_the_tab_to_themselves(main: Any, idle: Callable[..., None]) -> None:
    """Walk at 1024x700: with Show ▸ Codes the keyword-in-context pane stood empty under the
    chart (a third of the tab); it shows with word counts only."""
    win = _open(main, idle)
    tab = win.frequencies
    win.tabs.setCurrentWidget(tab)
    idle(main)
    assert tab.what.currentData() == "codes"
    assert tab.chart_scroll.height() > tab.height() * 0.75, (
        tab.chart_scroll.height(),
        tab.height(),
    )
    assert not tab.kwic_pane.isVisible()
    tab.what.setCurrentIndex(1)  # words
    idle(main)
    assert tab.kwic_pane.isVisible() and tab.kwic_word.isVisible()
    # the chart keeps most of the tab (it was two bars high, the lines' table the rest)
    assert tab.chart_scroll.height() > 2 * tab.kwic_pane.height(), (
        tab.chart_scroll.height(),
        tab.kwic_pane.height(),
    )
    tab.what.setCurrentIndex(0)
    idle(main)
    assert not tab.kwic_pane.isVisible()


def test_the_words_split_the_user_chose_stays_across_codes(
    main: Any, idle: Callable[..., None]
) -> None:
    """Frequencies ▸ Words, the keyword lines' pane dragged to half the tab, then Codes and
    Words again: the pane came back at a quarter (the chart three quarters, as the first
    time), the user's split lost. It comes back as the user left it."""
    win = _open(main, idle)
    tab = win.frequencies
    win.tabs.setCurrentWidget(tab)
    idle(main)
    tab.what.setCurrentIndex(1)  # words
    idle(main)
    total = sum(tab.split.sizes())
    first = tab.split.sizes()
    assert first[0] > 2 * first[1], first  # the chart's three quarters the first time
    tab.split.moveSplitter(total // 2, 1)  # the user drags the handle to the middle
    chosen = tab.split.sizes()
    assert abs(chosen[0] - chosen[1]) <= 16, chosen
    tab.what.setCurrentIndex(0)  # codes: the pane hides
    idle(main)
    assert not tab.kwic_pane.isVisible()
    tab.what.setCurrentIndex(1)  # words again
    idle(main)
    again = tab.split.sizes()
    assert all(abs(a - b) <= 2 for a, b in zip(again, chosen, strict=True)), (again, chosen)


def test_picked_sessions_are_counted_in_words(main: Any, idle: Callable[..., None]) -> None:
    """Walk at 1024x700: the Sessions filter read "2 session(s)" and a matrix the filters
    emptied said "No coding matches the filters (2 session(s); dated 2099-01-01 to …)"."""
    from analysis.filters import Filters

    win = _open(main, idle)
    bar = win.filter_bar
    bar.session_actions[0].setChecked(True)
    assert bar.sessions_button.text() == "1 session"
    bar.session_actions[1].setChecked(True)
    assert bar.sessions_button.text() == "2 sessions"
    bar.date_from.setText("2099-01-01")
    bar.date_from.editingFinished.emit()
    idle(main)
    assert win.matrix.note.text() == (
        "No coding matches the filters (2 sessions; dated 2099-01-01 to …)."
    ), win.matrix.note.text()
    one = Filters(sessions=("s",), codes=("a", "b"), exclude_segments=frozenset({"x"}))
    assert one.describe() == "1 session; 2 codes; 1 segment without consent left out"


def test_an_empty_view_is_not_exported(
    main: Any, idle: Callable[..., None], tmp_path: Path
) -> None:
    """Walk at 1024x700: with filters that match nothing, Export ▸ table wrote a file of
    headers only and said "Wrote …/empty.csv."; it says why there is nothing to export."""
    win = _open(main, idle)
    win.filter_bar.date_from.setText("2099-01-01")
    win.filter_bar.date_from.editingFinished.emit()
    idle(main)
    assert win.matrix.model.rowCount() == 0
    dest = tmp_path / "empty.csv"
    win.export_to(win.matrix, dest)
    idle(main)
    assert not dest.exists()
    assert win.status.text() == (
        "Nothing to export: no coding matches the filters (dated 2099-01-01 to …)."
    ), win.status.text()
    assert "color" in win.status.styleSheet()


def test_other_tabs_compute_and_export(
    main: Any,
    idle: Callable[..., None],
    tmp_path: Path,
    coded: Project,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gui.consent as gc

    asked: list[str] = []  # the word list carries what participants said: asked about
    monkeypatch.setattr(gc, "ask", lambda _p, _t, text, **_k: asked.append(text) or gc.GO)
    win = _open(main, idle)
    for tab in (win.cooccurrence, win.timeline, win.frequencies):
        win.tabs.setCurrentWidget(tab)
        idle(main)
        assert tab.result is not None, tab
    assert not win.timeline.image.pixmap().isNull()
    assert win.frequencies.chart.series()
    win.frequencies.what.setCurrentIndex(1)  # words
    idle(main)
    assert win.frequencies.result.words and win.frequencies.kwic.lines
    for tab, name in (
        (win.frequencies, "w.png"),
        (win.timeline, "t.svg"),
        (win.cooccurrence, "c.xlsx"),
        (win.matrix, "m.csv"),
    ):
        if tab is win.matrix:
            win.tabs.setCurrentWidget(tab)
            idle(main)
        win.export_to(tab, tmp_path / name)
        idle(main)
        assert (tmp_path / name).stat().st_size > 100, win.status.text()
    assert len(asked) == 1  # the words only: the other views hold counts
    assert len(coded.audit.entries(action="export")) >= 4


def test_follows_edits(main: Any, coded: Project, idle: Callable[..., None], qtbot: Any) -> None:
    win = _open(main, idle)
    before = sum(win.matrix.model.table.row_totals())
    session = coded.sessions.all()[0]
    seg = coded.transcript.add_segment(session.id, 999_000, 999_500, "new words", speaker="X")
    code = coded.codebook.ensure_code_path("Fresh").id
    coded.codebook.apply_code(seg.id, code, coder="ann")
    main.extra_panels.codings_changed.emit()
    qtbot.waitUntil(lambda: win.busy() or sum(win.matrix.model.table.row_totals()) != before)
    idle(main)
    assert sum(win.matrix.model.table.row_totals()) == before + 1


def test_empty_project_shows_a_note(
    qtbot: Any, tmp_path: Path, qsettings: Any, fake_transcriber: Any, idle: Callable[..., None]
) -> None:
    from gui.main_window import MainWindow

    with Project.create(tmp_path / "e.fieldscribe", coder="a") as project:
        w = MainWindow(project, transcriber=fake_transcriber, settings=qsettings)
        qtbot.addWidget(w)
        win = _open(w, idle)
        assert "codebook is empty" in win.matrix.note.text()
        for tab in (win.cooccurrence, win.timeline, win.frequencies):
            win.tabs.setCurrentWidget(tab)
            idle(w)
            assert tab.note.text(), tab
        w.runner.cancel_all()
        w.close()


def test_code_table_model_without_a_window() -> None:
    table = Table(
        "matrix",
        "segments",
        [Header("a", "A"), Header("b", "A/B", 1, "a")],
        [Header("s1", "One"), Header("s2", "Two")],
        [[3, 1], [0, 2]],
    )
    model = CodeTableModel()
    model.set_table(table)
    assert (model.rowCount(), model.columnCount()) == (2, 3)
    assert model.data(model.index(0, 2)) == "4"  # the row total
    assert model.headerData(1, Qt.Orientation.Vertical).strip() == "B"
    model.set_options(top=True)
    assert model.rowCount() == 1
    model.set_options(percent="column", top=False)
    assert model.data(model.index(0, 0)) == "100.0%"
    model.set_options(display="symbols")
    assert model.data(model.index(0, 0)) == "●"
    model.set_table(None)
    assert model.rowCount() == 0


def test_export_outcome_stays_visible_and_a_failure_is_shown_in_red(
    main: Any, idle: Callable[..., None], tmp_path: Path
) -> None:
    win = _open(main, idle)
    dest = tmp_path / "m.csv"
    win.export_to(win.matrix, dest)
    idle(main)
    assert dest.exists()
    assert win.status.text() == f"Wrote {dest}."  # not blanked when the task ends
    win.matrix.refresh()  # a later computation does not wipe the outcome either
    idle(main)
    assert win.status.text() == f"Wrote {dest}."
    bad = tmp_path / "no such folder" / "m.csv"
    win.export_to(win.matrix, bad)
    idle(main)
    assert not bad.exists()
    assert win.status.text().startswith("Could not export m.csv:"), win.status.text()
    assert "color" in win.status.styleSheet()


def test_a_long_export_path_is_shortened_in_its_folders_whole_on_hover(
    main: Any, idle: Callable[..., None], tmp_path: Path
) -> None:
    """ "Wrote /full/path." was word-wrapped in a label that a path cannot wrap in: a long path
    was cut at the window's edge (or widened it). It is shortened in its folders, as in the
    main window's status bar: the file name and the full stop stay; the whole line on hover."""
    win = _open(main, idle)
    deep = tmp_path / ("Полевые материалы Алматы 2026 " * 3).strip() / "вторая волна интервью"
    deep.mkdir(parents=True)
    dest = deep / "матрица кодов.csv"
    win.export_to(win.matrix, dest)
    idle(main)
    assert win.status.text() == f"Wrote {dest}."
    width = win.status.contentsRect().width()
    assert win.status.minimumSizeHint().width() == 0  # it never widens the window
    shown = win.status.shown_text()
    assert shown.startswith("Wrote /") and shown.endswith("/матрица кодов.csv."), shown
    assert "…" in shown
    assert win.status.fontMetrics().horizontalAdvance(shown) <= width
    assert win.status.toolTip() == f"Wrote {dest}."


def test_export_dialog_adds_the_filters_suffix(
    main: Any, idle: Callable[..., None], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    from gui.analysis.window import export_path

    assert export_path("/x/m.txt", "CSV table (*.csv)", "table") == Path("/x/m.txt.csv")
    assert export_path("/x/m", "Excel workbook (*.xlsx)", "table") == Path("/x/m.xlsx")
    assert export_path("/x/m.XLSX", "CSV table (*.csv)", "table") == Path("/x/m.XLSX")
    assert export_path("/x/m.csv", "PNG image (*.png)", "chart") == Path("/x/m.csv.png")
    assert export_path("/x/m.svg", "PNG image (*.png)", "chart") == Path("/x/m.svg")
    win = _open(main, idle)
    chosen = (str(tmp_path / "matrix_bad.txt"), "CSV table (*.csv)")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: chosen)
    win.matrix.export_requested.emit("table")
    idle(main)
    written = tmp_path / "matrix_bad.txt.csv"
    assert written.stat().st_size > 10
    assert win.status.text() == f"Wrote {written}."


def test_window_fits_a_small_screen_with_every_tabs_controls(
    main: Any, idle: Callable[..., None]
) -> None:
    win = _open(main, idle)
    area = win.screen().availableGeometry()  # offscreen: 800×600, smaller than 1024×700
    assert win.width() <= area.width() and win.height() <= area.height()
    for tab in (win.matrix, win.cooccurrence, win.timeline, win.frequencies, "words"):
        if tab == "words":
            tab = win.frequencies
            tab.what.setCurrentIndex(1)
        win.tabs.setCurrentWidget(tab)
        idle(main)
        assert win.minimumSizeHint().width() <= area.width(), tab
        button = tab.export_button
        right = button.mapTo(win, button.rect().topRight()).x()
        assert button.isVisible() and right < win.width(), (tab, right, win.width())


def test_frequency_chart_has_whole_number_ticks(main: Any, idle: Callable[..., None]) -> None:
    from PySide6.QtCharts import QValueAxis

    from gui.analysis.frequencies import count_step

    assert [count_step(h) for h in (0, 2, 10, 11, 25, 99, 101, 4000)] == [
        1, 1, 1, 2, 5, 10, 20, 500,
    ]  # fmt: skip
    win = _open(main, idle)
    win.tabs.setCurrentWidget(win.frequencies)
    idle(main)
    shown = [None, (["a", "b", "c"], [("n", [0, 1, 2])]), (["a"], [("x", [3]), ("y", [9])])]
    for bars in shown:  # the project's codes, then counts up to 2 (0.5 steps before), stacked
        if bars:
            win.frequencies._bars(*bars)
        axis = next(a for a in win.frequencies.chart.axes() if isinstance(a, QValueAxis))
        if axis.tickType() == QValueAxis.TickType.TicksDynamic:
            step = axis.tickInterval()
        else:
            step = (axis.max() - axis.min()) / (axis.tickCount() - 1)
        assert step >= 1 and step == int(step), step
        assert axis.min() == 0 and axis.max() == int(axis.max())


def test_thirty_words_get_room_for_their_labels(main: Any, idle: Callable[..., None]) -> None:
    """30 words squeezed into the pane were drawn as "…": the chart is as tall as its bars
    need (26 px each, where Qt draws a label whole) and scrolls."""
    from gui.analysis.frequencies import BAR_ROW_PX

    win = _open(main, idle)
    fr = win.frequencies
    win.tabs.setCurrentWidget(fr)
    idle(main)
    words = [f"word{i}" for i in range(30)]
    fr._bars(words, [("occurrences", list(range(30, 0, -1)))])
    assert BAR_ROW_PX >= 26
    assert fr.chart_view.minimumHeight() >= 30 * BAR_ROW_PX
    assert fr.chart_scroll.widget() is fr.chart_view
    fr._bars(["a", "b"], [("n", [1, 2])])
    assert fr.chart_view.minimumHeight() < 30 * BAR_ROW_PX  # a short chart fits the pane


def test_keywords_in_context_follow_the_text_of_choice(
    main: Any, coded: Project, idle: Callable[..., None]
) -> None:
    from analysis.words import keywords_in_context

    win = _open(main, idle)
    fr = win.frequencies
    win.tabs.setCurrentWidget(fr)
    fr.what.setCurrentIndex(1)  # words
    idle(main)
    word = fr.kwic_word.text()
    everywhere = keywords_in_context(coded, word)
    assert word and [k.segment_id for k in fr.kwic.lines] == [k.segment_id for k in everywhere]
    # a code whose text holds fewer of the word's lines than the whole project
    for i in range(fr.source.count()):
        data = fr.source.itemData(i)
        if data and data[0] == "code":
            narrower = keywords_in_context(coded, word, code_id=data[1])
            if len(narrower) < len(everywhere):
                break
    else:
        pytest.fail("no code narrows the keyword's lines")
    fr.source.setCurrentIndex(i)
    idle(main)
    assert fr.kwic_word.text() == word
    assert [k.segment_id for k in fr.kwic.lines] == [k.segment_id for k in narrower]


def test_an_invalid_date_is_refused_and_the_results_stay(
    main: Any, idle: Callable[..., None]
) -> None:
    win = _open(main, idle)
    bar = win.filter_bar
    before = win.matrix.model.table
    assert before is not None and not before.empty
    bar.date_from.setText("2099-99-99")
    bar.date_from.editingFinished.emit()
    idle(main)
    assert win.matrix.model.table is before  # not recomputed with the bad date
    assert bar.filters().date_from is None
    assert win.status.text() == "2099-99-99 is not a date: write YYYY-MM-DD, e.g. 2024-05-31."
    bar.date_from.setText("20000101")  # a good date (normalised) recomputes, clears the message
    bar.date_from.editingFinished.emit()
    idle(main)
    assert bar.date_from.text() == "2000-01-01" and bar.filters().date_from == "2000-01-01"
    assert win.status.text() == ""
    assert win.matrix.model.table is not before
    # the placeholder is not clipped
    from PySide6.QtGui import QFontMetrics

    edit = bar.date_to
    needed = QFontMetrics(edit.font()).horizontalAdvance(edit.placeholderText())
    assert edit.width() >= needed + 8


def test_menu_buttons_keep_room_for_their_arrow(main: Any, idle: Callable[..., None]) -> None:
    """Sessions and Export were tool buttons whose menu arrow was drawn over the text's last
    letter ("All session⌄s", "Expor⌄t"): each is as wide as its text and the arrow."""
    from PySide6.QtWidgets import QStyle

    win = _open(main, idle)
    buttons = [win.filter_bar.sessions_button] + [
        tab.export_button for tab in (win.matrix, win.cooccurrence, win.timeline, win.frequencies)
    ]
    for button in buttons:
        assert button.menu() is not None
        arrow = button.style().pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator)
        text = button.fontMetrics().horizontalAdvance(button.text())
        assert button.sizeHint().width() >= text + arrow + 8, (button.text(), button.sizeHint())
    win.tabs.setCurrentWidget(win.matrix)
    idle(main)
    for button in (win.filter_bar.sessions_button, win.matrix.export_button):
        assert button.width() >= button.sizeHint().width(), (button.text(), button.width())


def test_matrix_columns_of_sessions_with_a_common_start_stay_apart(qtbot: Any) -> None:
    """Session titles sharing their first words ('… день 1', '… день 2') were cut to the same
    17 letters ('Фокус-группа Алм…') and, clipped again, lost their first letter too."""
    from PySide6.QtGui import QFontMetrics

    from gui.analysis.tabs import MatrixTab

    titles = ["Фокус-группа Алматы, день 1", "Фокус-группа Алматы, день 2"]
    table = Table(
        "matrix",
        "segments",
        [Header("a", "Жұмыс")],
        [Header("s1", titles[0]), Header("s2", titles[1])],
        [[3, 1]],
    )
    tab = MatrixTab(lambda *_a: None, lambda: None)  # type: ignore[arg-type,return-value]
    qtbot.addWidget(tab)
    tab.resize(1000, 600)
    tab.show()
    tab.show_table(table)
    header = tab.view.horizontalHeader()
    metrics = QFontMetrics(header.font())
    shown = []
    for col, title in enumerate(titles):
        label = str(tab.model.headerData(col, Qt.Orientation.Horizontal))
        text = metrics.elidedText(label, header.textElideMode(), tab.view.columnWidth(col) - 8)
        assert text.startswith("Фокус")  # the first letter is not clipped
        assert text.endswith(title[-1])  # the distinguishing end is visible
        shown.append(text)
    assert shown[0] != shown[1]


def test_cooccurrence_total_column_counts_pairs_with_other_codes() -> None:
    codes = [Header("m", "Migration"), Header("j", "Экономика/Жұмыс", 1)]
    model = CodeTableModel()
    model.set_table(Table("cooccurrence", "segment", codes, codes, [[3, 2], [2, 4]]))
    assert model.headerData(2, Qt.Orientation.Horizontal) == "With other codes"
    assert [model.data(model.index(r, 2)) for r in range(2)] == ["2", "2"]


def test_keywords_in_context_name_the_session_of_each_line(
    main: Any, coded: Project, idle: Callable[..., None]
) -> None:
    """With 'All transcripts', lines of different sessions showed only a time and a speaker
    ('0:05 Speaker 1'), the same in every group: nothing said which session a line was from."""
    win = _open(main, idle)
    fr = win.frequencies
    win.tabs.setCurrentWidget(fr)
    fr.what.setCurrentIndex(1)  # words, the text of all transcripts
    idle(main)
    titles = {s.id: s.title for s in coded.sessions.all()}
    lines = fr.kwic.lines
    assert len({k.session_id for k in lines}) > 1
    assert fr.kwic.headerData(0, Qt.Orientation.Horizontal) == "Session"
    shown = [fr.kwic.index(r, 0).data() for r in range(fr.kwic.rowCount())]
    assert shown == [titles[k.session_id] for k in lines]
    assert [fr.kwic.index(r, 4).data() for r in range(2)] == [k.keyword for k in lines[:2]]


def test_matrix_columns_are_named_in_words(qtbot: Any) -> None:
    """The Columns list offered 'session.kind', 'session.moderator', 'participant.age': the
    command line's syntax, not words a researcher reads."""
    from gui.analysis.tabs import MatrixTab

    tab = MatrixTab(lambda *_a: None, lambda: None)  # type: ignore[arg-type,return-value]
    qtbot.addWidget(tab)
    kinds = ["session", "speaker", "participant", "participant.возраст", "session.kind"]
    tab.set_column_choices([*kinds, "session.place", "session.moderator", "session.date", "all"])
    labels = [tab.columns.itemText(i) for i in range(tab.columns.count())]
    assert labels[3:5] == ["Participant: возраст", "Session kind"]
    assert not [label for label in labels if "." in label]
    assert tab.columns.itemData(4) == "session.kind"  # what is computed stays the same


def test_filter_bar_offers_the_sessions_places_and_moderators(tmp_path: Path, qtbot: Any) -> None:
    """Interviews in Алматы and Шымкент could be split into matrix columns but not filtered:
    the Attribute list offered participant attributes and session kinds only."""
    from analysis.filters import facets
    from analysis.matrix import code_matrix
    from gui.analysis.window import FilterBar

    with Project.create(tmp_path / "p.fieldscribe", coder="a") as project:
        code = project.codebook.add_code("Жұмыс")
        for place, moderator in (("Алматы", "Айгүл"), ("Шымкент", None)):
            sid = project.sessions.add_session(place, place=place, moderator=moderator).id
            seg = project.transcript.add_segment(sid, 0, 1000, "Жұмыс таппадым")
            project.codebook.apply_code(seg.id, code.id)
        bar = FilterBar()
        qtbot.addWidget(bar)
        bar.set_facets(facets(project))
        items = [bar.attribute.itemText(i) for i in range(bar.attribute.count())]
        assert {"place = Алматы", "place = Шымкент", "moderator = Айгүл"} <= set(items)
        bar.attribute.setCurrentIndex(items.index("place = Шымкент"))
        table = code_matrix(project, "session", "segments", filters=bar.filters())
        assert [c.label for c in table.columns] == ["Шымкент"] and table.cells == [[1]]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_keywords_in_context_export_from_their_window(
    main: Any,
    coded: Project,
    idle: Callable[..., None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    suffix: str,
) -> None:
    """The keyword-in-context lines could be read but not exported from the window (only the
    command line wrote them): their own button writes them, sessions named by title."""
    import csv
    import zipfile

    from PySide6.QtWidgets import QFileDialog

    win = _open(main, idle)
    fr = win.frequencies
    win.tabs.setCurrentWidget(fr)
    fr.what.setCurrentIndex(1)  # words: the lines of the most frequent word
    idle(main)
    assert fr.kwic_export.isVisible() and fr.kwic.lines
    dest = tmp_path / f"lines{suffix}"
    chosen = "CSV table (*.csv)" if suffix == ".csv" else "Excel workbook (*.xlsx)"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(dest), chosen))
    import gui.consent as gc

    asked: list[str] = []  # nobody's consent is recorded: asked as a transcript export is
    monkeypatch.setattr(gc, "ask", lambda _p, _t, text, **_k: asked.append(text) or gc.GO)
    fr.kwic_export.click()
    idle(main)
    assert len(asked) == 1 and "Consent may not cover export" in asked[0], asked
    assert win.status.text() == f"Wrote {dest}."
    titles = {s.id: s.title for s in coded.sessions.all()}
    expected = [titles[k.session_id] for k in fr.kwic.lines]
    if suffix == ".csv":
        rows = list(csv.reader(dest.open(encoding="utf-8-sig")))
        assert rows[0][:2] == ["session", "session_id"]
        assert [r[0] for r in rows[1:]] == expected
        assert [r[5] for r in rows[1:]] == [k.keyword for k in fr.kwic.lines]
    else:
        with zipfile.ZipFile(dest) as zf:
            sheet = zf.read("xl/worksheets/sheet1.xml").decode()
        assert all(t in sheet for t in expected) and "session_id" in sheet


def test_timeline_says_which_sessions_it_draws(
    main: Any, coded: Project, idle: Callable[..., None]
) -> None:
    """With three sessions picked in the filter bar the timeline drew all three, but its
    Session box still named one of them ('Group 0'), as if only that one were shown."""
    win = _open(main, idle)
    tl = win.timeline
    win.tabs.setCurrentWidget(tl)
    idle(main)
    assert tl.session.isVisible() and not tl.several.isVisible()
    actions = win.filter_bar.session_actions
    for action in actions:
        action.setChecked(True)
    idle(main)
    titles = [a.text() for a in actions]
    assert len(titles) == 3 and [t.title for t in tl.timelines] == titles
    assert not tl.session.isVisible() and tl.several.isVisible()
    assert tl.several.text().startswith("3 sessions")
    assert tl.several.toolTip().split("\n") == titles
    assert tl.session_label.text() == "Sessions"
    for action in actions[1:]:
        action.setChecked(False)
    idle(main)
    assert tl.session.isVisible() and not tl.several.isVisible()
    assert tl.session_label.text() == "Session"


TRUST = "Доверие к местной власти, недоверие к акимату"  # a name has no "/"
ECONOMY = "Экономические трудности семьи (кредиты, долги)"


def _small_window(tmp_path: Path, qsettings: Any, transcriber: Any, qtbot: Any) -> Any:
    """The workbench, shown, on ``small_project``."""
    from gui.main_window import MainWindow

    qsettings.setValue("transcribe_after_import", "false")
    main = MainWindow(
        small_project(tmp_path / "s.fieldscribe"), transcriber=transcriber, settings=qsettings
    )
    qtbot.addWidget(main)
    main.show()
    return main


def small_project(folder: Path) -> Project:
    """Two sessions of Russian and Kazakh segments, long code names, span and whole codings."""
    from storage.transcript.transcript import SegmentDraft

    p = Project.create(folder, coder="lead")
    trust = p.codebook.ensure_code_path(f"Власть/{TRUST}")
    economy = p.codebook.ensure_code_path(ECONOMY)
    texts = [
        "Мы не верим акимату, они ничего не делают для села и только обещают.",
        "Әкімдікке сенім жоқ, бірақ мектеп жөнделді, бұл жақсы болды.",
        "Кредиты взяли на свадьбу, теперь долги по всем банкам, платим до сих пор.",
    ]
    for n in range(2):
        s = p.sessions.add_session(f"Фокус-группа Алматы, день {n + 1}", "focus_group")
        segs = p.transcript.add_segments(
            s.id,
            [
                SegmentDraft(i * 5000, i * 5000 + 4000, t, speaker="Speaker 1")
                for i, t in enumerate(texts)
            ],
        )
        p.codebook.apply_code(segs[0].id, trust.id, start_cp=6, end_cp=19)  # "верим акимату"
        p.codebook.apply_code(segs[1].id, trust.id)  # the whole segment
        p.codebook.apply_code(segs[2].id, economy.id, start_cp=0, end_cp=24)
        p.codebook.apply_code(segs[2].id, trust.id, start_cp=47, end_cp=53, coder="ann")
    return p


def test_matrix_cell_list_marks_the_coded_words(
    tmp_path: Path, qsettings: Any, fake_transcriber: Any, qtbot: Any, idle: Any
) -> None:
    """A cell's segments showed their whole text alike whether a span or the whole segment
    was coded: nothing said which words the code was applied to."""
    from gui.models.segments import CODINGS_ROLE
    from gui.transcript_delegates import TextDelegate

    main = _small_window(tmp_path, qsettings, fake_transcriber, qtbot)
    try:
        win = _open(main, idle)
        model = win.matrix.model
        row = next(r for r in range(model.rowCount()) if model.table.rows[r].label.endswith(TRUST))
        win.matrix.view.clicked.emit(model.index(row, 0))
        idle(main)
        hits = win.matrix.hits
        assert len(hits.hits) == 3
        view = win.matrix.hits_view
        assert isinstance(view.itemDelegateForColumn(hits.TEXT), TextDelegate)
        marked = {h.text[:12]: hits.coded_words(i) for i, h in enumerate(hits.hits)}
        # the span is marked; the whole-segment coding marks nothing; another code's span and
        # another coder's span of this code: only this code's, by any coder (no coder filter)
        assert marked == {"Мы не верим ": ["верим акимату"], "Әкімдікке се": [],
                          "Кредиты взял": ["банкам"]}  # fmt: skip
        spans = hits.index(0, hits.TEXT).data(CODINGS_ROLE)
        assert [(c.start_cp, c.end_cp, code.name) for c, code in spans] == [(6, 19, TRUST)]
        assert "Coded: “верим акимату”" in hits.index(0, hits.TEXT).data(
            Qt.ItemDataRole.ToolTipRole
        )
        # a coder filter keeps only that coder's spans
        win.filter_bar.coder.setCurrentIndex(win.filter_bar.coder.findData("lead"))
        idle(main)
        win.matrix.view.clicked.emit(model.index(row, 0))
        idle(main)
        assert [hits.coded_words(i) for i in range(len(hits.hits))] == [["верим акимату"], []]
        # co-occurrence: the spans of both codes of the cell (any coder again)
        win.filter_bar.coder.setCurrentIndex(0)
        co = win.cooccurrence
        win.tabs.setCurrentWidget(co)
        idle(main)
        labels = [h.label for h in co.model.table.rows]
        i = next(n for n, label in enumerate(labels) if label.endswith(TRUST))
        j = labels.index(ECONOMY)
        co.view.clicked.emit(co.model.index(i, j))
        idle(main)
        assert [co.hits.coded_words(r) for r in range(len(co.hits.hits))] == [
            ["Кредиты взяли на свадьбу", "банкам"]
        ] * 2
    finally:
        main.runner.cancel_all()
        main.close()  # closes its project


def test_long_code_names_can_be_read_whole(
    tmp_path: Path, qsettings: Any, fake_transcriber: Any, qtbot: Any, idle: Any
) -> None:
    """Long code names were cut: the frequency bars kept a path's last 40 characters ("ие к
    местной власти, недоверие к акимату"), the timeline's lanes "Власть/Доверие к местной
    влас…" with nothing to show the rest, keyword lines' sessions "Фокус-группа …"."""
    from PySide6.QtCharts import QBarCategoryAxis

    main = _small_window(tmp_path, qsettings, fake_transcriber, qtbot)
    try:
        win = _open(main, idle)
        fr = win.frequencies
        win.tabs.setCurrentWidget(fr)
        idle(main)
        axis = next(a for a in fr.chart.axes() if isinstance(a, QBarCategoryAxis))
        shown = axis.categories()
        path = f"Власть/{TRUST}"
        assert ECONOMY in shown  # 47 characters: whole
        long = next(c for c in shown if c.endswith("акимату"))
        assert long.startswith("Власть/Довер") and "…" in long and len(long) <= 48
        assert sorted(fr.bar_tip(i) for i in range(len(shown))) == sorted([path, ECONOMY])
        # the timeline: hovering a lane (its label too) names it whole
        tl = win.timeline
        win.tabs.setCurrentWidget(tl)
        idle(main)
        _sid, left, _right, top, bottom, *_rest, lanes = tl.boxes[0]
        names = [
            tl.lane_at(int(left) // 2, int(top + (i + 0.5) * (bottom - top) / lanes))
            for i in range(lanes)
        ]
        title = tl.timelines[0].title
        assert names == [f"{lane.label} — {title}" for lane in tl.timelines[0].lanes]
        assert f"{path} — {title}" in names
        assert tl.lane_at(5, int(bottom) + 60) == ""  # below the lanes: no tooltip
        from PySide6.QtCore import QEvent, QPoint
        from PySide6.QtGui import QHelpEvent
        from PySide6.QtWidgets import QApplication, QToolTip

        point = QPoint(int(left) // 2, int(top + 1.5 * (bottom - top) / lanes))
        event = QHelpEvent(QEvent.Type.ToolTip, point, tl.image.mapToGlobal(point))
        QApplication.sendEvent(tl.image, event)
        assert QToolTip.text() == names[1]
        # keyword lines: session titles keep both ends, the whole title in a tooltip
        win.tabs.setCurrentWidget(fr)
        fr.what.setCurrentIndex(1)
        fr.kwic_word.setText("акимату")
        fr.refresh_kwic()
        idle(main)
        view = fr.kwic_view
        assert view.textElideMode() == Qt.TextElideMode.ElideMiddle and not view.wordWrap()
        tips = {fr.kwic.index(r, 0).data(Qt.ItemDataRole.ToolTipRole) for r in range(2)}
        assert tips == {"Фокус-группа Алматы, день 1", "Фокус-группа Алматы, день 2"}
    finally:
        main.runner.cancel_all()
        main.close()  # closes its project


def test_a_closed_window_does_not_hear_later_tasks(
    main: Any, coded: Project, idle: Callable[..., None], qtbot: Any
) -> None:
    """Closing the project deletes the Analysis window, but its lambda stayed connected to the
    runner: every task that finished later (the project opened again) raised "Internal C++
    object (QLabel) already deleted"."""
    from PySide6.QtCore import QCoreApplication, QEvent

    _open(main, idle)
    folder = coded.folder
    main.projects.close_project()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qtbot.wait(10)
    main.projects.open_project(folder)
    idle(main)
    done: list[int] = []
    main.runner.submit("after", lambda _ctx: 1, on_done=done.append)
    qtbot.waitUntil(lambda: done == [1], timeout=5000)
    idle(main)


def test_sessions_menu_stays_open_while_ticking(
    main: Any, idle: Callable[..., None], qtbot: Any
) -> None:
    """Picking several sessions meant reopening the Sessions menu for each: it closed after
    every tick. It stays open now (by mouse and by keyboard); Escape closes it."""
    from PySide6.QtCore import Qt

    win = _open(main, idle)
    bar = win.filter_bar
    menu = bar.sessions_menu
    menu.popup(bar.sessions_button.mapToGlobal(bar.sessions_button.rect().bottomLeft()))
    qtbot.waitUntil(menu.isVisible)
    for action in bar.session_actions[:2]:
        qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())
        assert menu.isVisible()
    assert [a.isChecked() for a in bar.session_actions[:2]] == [True, True]
    assert bar.sessions_button.text() == "2 sessions"
    menu.setActiveAction(bar.session_actions[0])
    qtbot.keyClick(menu, Qt.Key.Key_Space)
    assert menu.isVisible() and not bar.session_actions[0].isChecked()
    assert bar.sessions_button.text() == "1 session"
    qtbot.keyClick(menu, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not menu.isVisible())


def test_a_keyword_found_nowhere_says_why(main: Any, idle: Callable[..., None]) -> None:
    """Walk: keywords in context of a word found nowhere showed an empty table and nothing
    else, where the command line says why (whole words only; WORD* finds its starts)."""
    win = _open(main, idle)
    fr = win.frequencies
    win.tabs.setCurrentWidget(fr)
    fr.what.setCurrentIndex(1)  # words
    idle(main)
    found = fr.kwic_word.text()  # the most frequent word, filled in
    try:
        assert found and fr.kwic.rowCount() and not fr.kwic_note.isVisible()
        fr.kwic_word.setText("ЦОН")
        fr.refresh_kwic()
        idle(main)
        assert fr.kwic.rowCount() == 0
        assert fr.kwic_note.isVisible(), "no word on the empty table"
        assert fr.kwic_note.text() == (
            "'ЦОН' does not occur as a whole word in that text; ЦОН* finds the words that "
            "start with it."
        )
        fr.kwic_word.setText("zzzq*")
        fr.refresh_kwic()
        idle(main)
        assert fr.kwic_note.text() == "No word in that text starts with 'zzzq'."
        fr.kwic_word.setText(found)  # found: the note goes
        fr.refresh_kwic()
        idle(main)
        assert fr.kwic.rowCount() and not fr.kwic_note.isVisible()
        if __import__("os").environ.get("FS_SHOT"):
            fr.kwic_word.setText("ЦОН")
            fr.refresh_kwic()
            idle(main)
            win.resize(1024, 700)
            idle(main)
            win.grab().save(__import__("os").environ["FS_SHOT"])
    finally:
        main.runner.cancel_all()
        main.close()


def test_keywords_in_context_are_not_exported_past_a_refusal_without_asking(
    main: Any,
    coded: Project,
    idle: Callable[..., None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The ethics review: the keyword-in-context lines of a participant who
    refused quotation were exported from the Analysis window without a question (the window
    had no "only consented" option; every other export asks). They are asked about as a
    transcript export is: Cancel writes nothing, Export anyway writes them; "Only consented"
    beside the word (named in the question) leaves their lines out, on screen and in the
    file, and then nothing is asked."""
    from PySide6.QtWidgets import QFileDialog

    import gui.consent as gc

    win = _open(main, idle)
    fr = win.frequencies
    win.tabs.setCurrentWidget(fr)
    fr.what.setCurrentIndex(1)  # words: the lines of the most frequent word
    idle(main)
    assert fr.kwic.lines
    first = fr.kwic.lines[0]
    speaker = coded.transcript.get_segment(first.segment_id).speaker
    assert speaker is not None
    who = coded.sessions.add_participant("P09")
    coded.sessions.map_speaker(first.session_id, speaker, who.id)
    coded.consent.set_consent(who.id, None, transcription=True, quotation=False)
    asked: list[str] = []
    answers = [gc.STOP, gc.GO]
    monkeypatch.setattr(gc, "ask", lambda _p, _t, text, **_k: asked.append(text) or answers.pop(0))
    dest = tmp_path / "lines.csv"
    chosen = "CSV table (*.csv)"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(dest), chosen))
    fr.kwic_export.click()
    idle(main)
    assert len(asked) == 1 and "P09 refused quotation." in asked[0], asked
    assert "Leave out participants" not in asked[0]  # not this window's option
    assert "tick “Only consented” beside the word" in asked[0]  # this one's
    assert not dest.exists()
    fr.kwic_export.click()
    idle(main)
    assert len(asked) == 2 and dest.is_file()
    assert win.status.text() == f"Wrote {dest}."
    every = len(fr.kwic.lines)
    theirs = [
        line
        for line in fr.kwic.lines
        if coded.transcript.get_segment(line.segment_id).speaker == speaker
        and line.session_id == first.session_id
    ]
    agrees = coded.sessions.add_participant("P10")  # everyone else consented
    coded.consent.set_consent(agrees.id, None, transcription=True, quotation=True)
    for sid in {line.session_id for line in fr.kwic.lines}:
        for label in {g.speaker for g in coded.transcript.segments(sid)} - {speaker, None}:
            coded.sessions.map_speaker(sid, str(label), agrees.id)
    fr.kwic_consented.setChecked(True)  # the lines again, without theirs
    idle(main)
    assert fr.kwic.lines and len(fr.kwic.lines) <= every - len(theirs)
    assert all(line.segment_id not in {t.segment_id for t in theirs} for line in fr.kwic.lines)
    dest.unlink()
    fr.kwic_export.click()
    idle(main)
    assert len(asked) == 2 and dest.is_file()  # nothing asked: nobody without consent in it
    assert theirs[0].left + theirs[0].keyword not in dest.read_text(encoding="utf-8-sig")


def test_a_word_list_is_not_exported_past_a_refusal_without_asking(
    main: Any,
    coded: Project,
    idle: Callable[..., None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The word list of the Frequencies tab (what participants said, a word at a time) was
    written past a participant's refusal of quotation without a question, as keywords in
    context were: asked the same way (Cancel writes nothing, Export anyway writes it)."""
    import gui.consent as gc

    win = _open(main, idle)
    fr = win.frequencies
    win.tabs.setCurrentWidget(fr)
    fr.what.setCurrentIndex(1)  # words
    idle(main)
    assert fr.result is not None and fr.result.words
    sid = fr.result.session_ids[0]
    speaker = next(g.speaker for g in coded.transcript.segments(sid) if g.speaker)
    who = coded.sessions.add_participant("P09")
    coded.sessions.map_speaker(sid, speaker, who.id)
    coded.consent.set_consent(who.id, None, transcription=True, quotation=False)
    asked: list[str] = []
    answers = [gc.STOP, gc.GO]
    monkeypatch.setattr(gc, "ask", lambda _p, _t, text, **_k: asked.append(text) or answers.pop(0))
    dest = tmp_path / "words.csv"
    win.export_to(fr, dest)
    idle(main)
    assert len(asked) == 1 and "P09 refused quotation." in asked[0], asked
    assert "tick" not in asked[0]  # no way to leave them out of the word list: none named
    assert not dest.exists()
    win.export_to(fr, dest)
    idle(main)
    assert len(asked) == 2 and dest.is_file()
    assert fr.result.words[0][0] in dest.read_text(encoding="utf-8-sig")


def test_frequencies_split_list_names_columns_as_the_matrix_does(qtbot: Any) -> None:
    """The Frequencies tab offered "Per participant.возраст" and "Per session.kind" where the
    Matrix tab's Columns list says "Participant: возраст" and "Session kind"."""
    from analysis.filters import Filters
    from gui.analysis.frequencies import FrequenciesTab

    tab = FrequenciesTab(lambda *_a: None, Filters)
    qtbot.addWidget(tab)
    tab.set_by_choices(["all", "session", "participant.возраст", "session.kind", "speaker"])
    texts = [tab.by.itemText(i) for i in range(tab.by.count())]
    assert texts == [
        "Overall", "Per session", "Per participant: возраст", "Per session kind", "Per speaker"
    ]  # fmt: skip


def test_top_level_only_counts_each_top_code_with_its_sub_codes(
    main: Any, coded: Project, idle: Callable[..., None]
) -> None:
    """ "Top level only" hid the sub-code rows and left each parent counting its own codings
    alone: "Access" read its few whole-code segments while the segments coded under it (its
    sub-codes') were many more; the export wrote every row. Collapsed, a top code counts its
    sub-codes (roll-up, as the hierarchy collapses), and the export holds the rows shown."""
    win = _open(main, idle)
    tab = win.matrix
    tab.top.setChecked(True)
    idle(main)
    rolled = code_matrix(coded, "session", "segments", rollup=True)
    top = [i for i, h in enumerate(rolled.rows) if h.depth == 0]
    model = tab.model
    assert model.rowCount() == len(top) and tab.rollup.isChecked()
    for r, i in enumerate(top):
        shown = [model.data(model.index(r, c)) or "0" for c in range(len(rolled.columns))]
        assert [int(v) for v in shown] == rolled.cells[i], rolled.rows[i].label
    _kind, table, _percent = tab.export_data("table")
    assert [h.key for h in table.rows] == [rolled.rows[i].key for i in top]
    assert table.cells == [rolled.cells[i] for i in top]
    own = code_matrix(coded, "session", "segments")
    access = next(i for i, h in enumerate(own.rows) if h.label == "Access")
    assert sum(rolled.cells[access]) > sum(own.cells[access])  # the case that was wrong
    tab.top.setChecked(False)  # back: the roll-up as it was before
    idle(main)
    assert not tab.rollup.isChecked() and tab.rollup.isEnabled()


def test_a_late_count_of_codes_does_not_cover_the_words_asked_for_since(
    main: Any, idle: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen on a screenshot of Frequencies at 1024x700: Show said Words, the chart "Code
    frequencies (codings)". The code counts and the word counts ran as two computations of
    different names, and the code counts asked for first, arriving last, drew over the words."""
    import time

    import analysis.matrix

    win = _open(main, idle)
    fr = win.frequencies
    win.tabs.setCurrentWidget(fr)
    counted = analysis.matrix.code_frequencies

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.8)  # the code counts of a big project
        return counted(*args, **kwargs)

    monkeypatch.setattr(analysis.matrix, "code_frequencies", slow)
    fr.refresh()  # codes, slowly
    fr.what.setCurrentIndex(1)  # then Words, at once
    idle(main)
    assert fr.what.currentData() == "words"
    assert fr.chart.title().startswith("Most frequent words"), fr.chart.title()


def test_a_session_title_with_an_ampersand_reads_whole_in_the_sessions_filter(
    main: Any, idle: Callable[..., None]
) -> None:
    """A session "R&D group" was listed as "RD group" in the filter bar's Sessions menu (Qt
    took the "&" for the item's underlined letter)."""
    project = main.project
    first = project.sessions.all()[0]
    project.sessions.update_session(first.id, title="R&D group")
    win = _open(main, idle)
    idle(main)
    texts = [a.text() for a in win.filter_bar.session_actions]
    assert "R&&D group" in texts, texts  # "&&" is how a menu item shows one "&"
