"""What a researcher reads at 1024x700 and 1366x768 fits: the header over the transcript and
the Sessions list's status are whole, not elided."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QDockWidget

from gui.models.sessions import STATUS_COL
from gui.sessions_view import TITLE_BESIDE_STATUS as TITLE_BESIDE_STATUS_PX
from storage import Project, SegmentDraft

RU = "Ну, в поликлинике очередь большая, записаться невозможно."
KK = "Емханада кезек көп, бірақ дәрігерлер жақсы қарайды."


def focus_group(
    p: Project, speech_wav: Path, russian: str, more: list[SegmentDraft] | None = None
) -> list[Any]:
    """Twelve Russian/Kazakh/English turns of Айгерім (``russian`` every third; ``more`` after
    them) in a new session of ``p`` (languages ru, kk, en), the first six coded; the segments."""
    p.set_languages("ru,kk,en")
    s = p.sessions.import_audio(speech_wav, kind="focus_group", title="Фокус-группа Алматы")
    drafts = [
        SegmentDraft(i * 300, i * 300 + 250, text, speaker="Айгерім", language=lang)
        for i, (text, lang) in enumerate(
            [(russian, "ru"), (KK, "kk"), ("Okay, thank you.", "en")] * 4
        )
    ]
    segs = p.transcript.add_segments(s.id, drafts + (more or []))
    code = p.codebook.ensure_code_path("Услуги/Денсаулық")
    for seg in segs[:6]:
        p.codebook.apply_code(seg.id, code.id)
    return segs


def panels_shown(
    w: Any, qtbot: Any, idle: Any, size: Any, openers: dict[str, Any], settle_ms: int = 100
) -> Iterator[tuple[str, Any]]:
    """Each bottom panel opened (``openers``: its dock's title -> what opens it and gives its
    table) in the default layout of a window of ``size``, once it lists six rows and its dock
    is in sight: its name and table."""
    for name, show in openers.items():
        w.reset_layout()  # the first start at that size lays it out
        w.resize(*size)
        w.layout_keeper.default_sizes()
        qtbot.wait(100)
        table = show()
        idle(w)
        qtbot.waitUntil(lambda t=table: t.model().rowCount() >= 6, timeout=10000)
        qtbot.wait(settle_ms)
        dock = next(d for d in w.findChildren(QDockWidget) if d.windowTitle() == name)
        assert not dock.widget().visibleRegion().isEmpty(), name
        yield name, table


@pytest.fixture
def project(tmp_path: Path, speech_wav: Path) -> Iterator[Project]:
    """A Russian/Kazakh/English focus group, six coded segments, two without transcript."""
    with Project.create(tmp_path / "Almaty.fieldscribe", name="Almaty", coder="aigerim") as p:
        untranscribed = [
            SegmentDraft(3600, 3700, "", language="kk", untranscribed=True),
            SegmentDraft(3700, 3800, "", language="ru", untranscribed=True),
        ]
        focus_group(p, speech_wav, RU, untranscribed)
        yield p


def _window(qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, size: Any) -> Any:
    from gui.main_window import MainWindow

    folder = project.folder
    project.close()
    qsettings.setValue("transcribe_after_import", "false")
    w = MainWindow(transcriber=fake_transcriber, settings=qsettings)
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    assert w.projects.open_project(folder)
    return w


@pytest.fixture
def laptop(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    project: Project,
    idle: Any,
    size: Any,
    monkeypatch: Any,
) -> Any:
    """The window opened on ``project`` at ``size``, its background reads done; the screen is
    a laptop's (opening a panel does not fit the window to the 800x600 test screen)."""
    for module in ("gui.layout", "gui.main_window", "gui.panels"):
        monkeypatch.setattr(f"{module}.fit_to_screen", lambda _w: None)
    w = _window(qtbot, qsettings, fake_transcriber, project, size)
    idle(w)
    return w


def _kept_at(w: Any, size: Any, monkeypatch: Any) -> None:
    """Keep the window at a laptop's ``size``: the test screen (800x600) is smaller, and
    opening a panel fits the window to the screen (``gui.panels.fit_to_screen``), its docks
    then to their minimums."""
    monkeypatch.setattr("gui.panels.fit_to_screen", lambda _w: None)
    w.resize(*size)


def _plain(html_text: str) -> str:
    doc = QTextDocument()
    doc.setHtml(html_text)
    return doc.toPlainText()


#: the Sessions dock's width in the default layout of a 1024x700 and a 1366x768 screen (measured
#: in a walkthrough; the test screen is smaller, so its default layout differs)
LAPTOP = {(1024, 700): 212, (1366, 768): 273}


@pytest.mark.parametrize("size", list(LAPTOP))
def test_transcript_header_and_session_status_fit(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, idle: Any, size: Any
) -> None:
    w = _window(qtbot, qsettings, fake_transcriber, project, size)
    idle(w)
    qtbot.waitUntil(lambda: w.segment_model.rowCount() == 14, timeout=10000)
    idle(w)
    w.resize(*size)  # after opening: the test screen (800x600) is smaller than a laptop's
    w.resizeDocks([w.sessions_dock], [LAPTOP[size]], Qt.Orientation.Horizontal)
    qtbot.wait(100)
    assert w.width() == size[0]
    label = w.transcript_label
    shown = _plain(label.text())
    # the whole header is on screen: title, counts, languages and the speech without text
    assert "Фокус-группа Алматы" in shown, shown
    assert "2 without transcript" in shown, shown
    assert "KK · RU · EN" in shown or "RU · KK · EN" in shown or "EN · KK · RU" in shown, shown
    assert label._html_width(label.text()) <= label.contentsRect().width(), shown
    # what to do about them is in the tooltip
    assert "play" in label.toolTip() and "type" in label.toolTip()

    # the Sessions list shows the status whole
    view = w.sessions_view
    index = w.sessions_model.index(0, STATUS_COL)
    status = index.data()
    assert "6" in status
    need = view.fontMetrics().horizontalAdvance(status) + 2 * view.style().pixelMetric(
        view.style().PixelMetric.PM_FocusFrameHMargin
    )
    assert view.columnWidth(STATUS_COL) >= need, (status, view.columnWidth(STATUS_COL))
    # the title (0) and the status (1) share the list's width: nothing sticks out
    shown_cols = [c for c in range(w.sessions_model.columnCount()) if not view.isColumnHidden(c)]
    assert sum(view.columnWidth(c) for c in shown_cols) <= view.viewport().width()
    assert "6 segments" in index.data(Qt.ItemDataRole.ToolTipRole)  # the long form
    w.close()


def test_sessions_columns_shown_later_have_whole_headers(qtbot: Any) -> None:
    """A column hidden by one fit (no room) and shown by a later one gets its header's width:
    a hidden section's size hint is 0, which showed "Duration" as "urati"."""
    from gui.models.sessions import SessionTableModel
    from gui.sessions_view import SessionsView
    from storage.core.models import Session

    model = SessionTableModel()
    model.load(
        [
            Session("s1", "ru40", "interview", "2026-03-02", None, None, None, "transcribed",
                    "ana", "2026-03-02T10:00:00", "2026-03-02T10:00:00", 40_000, 5, 3)
        ]
    )  # fmt: skip
    view = SessionsView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(120, 200)  # too narrow for anything but title and status
    view.show()
    view.fit_columns()
    assert view.isColumnHidden(4)  # Duration
    for width in (258, 325, 600):  # wider: the other columns come back one by one
        view.resize(width, 200)
        view.fit_columns()
        header = view.horizontalHeader()
        for col in range(model.columnCount()):
            if view.isColumnHidden(col):
                continue
            text = model.headers[col]
            need = header.fontMetrics().horizontalAdvance(text)
            assert view.columnWidth(col) >= need, (width, text, view.columnWidth(col), need)
    assert not view.isColumnHidden(4)


def test_the_counts_give_way_to_the_title_in_the_header(qtbot: Any) -> None:
    """At 1024x700 the header is ~514 px: the counts are shortened first ("2 seg.",
    "1 untranscribed") and the title reads whole (it was "Recording 2026-12-05 23:…" beside
    "— 2 segments — EN · RU — 1 without transcript"); the whole line is on hover."""
    from gui.header_label import HeaderLabel

    label = HeaderLabel()
    qtbot.addWidget(label)
    label.resize(514, 20)
    label.show()
    amber = "<span style='color:#a25f00'><b>{}</b></span>"
    label.setText(
        "<b>Recording 2026-12-05 23:14</b> — 2 segments — EN · RU — "
        + amber.format("1 without transcript")
        + " — <i>no audio</i>"
    )
    shown = _plain(label.text())
    assert shown.startswith("Recording 2026-12-05 23:14 — "), shown
    assert "2 seg." in shown and "1 untranscribed" in shown, shown
    assert label._html_width(label.text()) <= label.contentsRect().width()
    tip = "Recording 2026-12-05 23:14 — 2 segments — EN · RU — 1 without transcript — no audio"
    assert label.toolTip() == tip
    label.resize(900, 20)  # room enough: nothing shortened
    assert _plain(label.text()) == tip
    # a title too long for even the short counts is elided, but keeps 40 % of the line
    label.resize(514, 20)
    label.setText(
        "<b>Фокус-группа Алматы, поликлиника №3, 2 марта 2026 — вторая часть</b> — "
        "17 segments — KK · RU · EN — " + amber.format("12 without transcript")
    )
    shown = _plain(label.text())
    assert shown.startswith("Фокус-группа Алматы, поли") and "…" in shown, shown
    assert shown.endswith("17 seg. — KK·RU·EN — 12 untranscribed"), shown
    title = label.text()[: label.text().index("</b>") + 4]
    assert label._html_width(title) >= label.contentsRect().width() * 0.4 - 10
    assert label._html_width(label.text()) <= label.contentsRect().width()  # none clipped


def test_details_past_the_edge_give_way_whole_with_an_ellipsis(qtbot: Any) -> None:
    """With the title at its floor and the short counts still too long, the line was cut in the
    middle of a word with nothing to say so ("…1 untranscribed — no au"): the details that do
    not fit give way whole, from the last, and " — …" says some are hidden (hover has them)."""
    from gui.header_label import HeaderLabel

    label = HeaderLabel()
    qtbot.addWidget(label)
    label.resize(440, 20)
    label.show()
    amber = "<span style='color:#a25f00'><b>{}</b></span>"
    details = [
        "17 segments",
        "KK · RU · EN",
        amber.format("12 without transcript"),
        "<b>stopped at 41:07 of 58:00</b>",
        "<i>no audio</i>",
    ]
    label.setText(
        "<b>Фокус-группа Алматы, поликлиника №3, 2 марта 2026 — вторая часть</b> — "
        + " — ".join(details)
    )
    shown = _plain(label.text())
    assert label._html_width(label.text()) <= label.contentsRect().width(), shown
    assert shown.endswith(" — …"), shown
    kept = shown.split(" — ")[1:-1]
    whole = ["17 seg.", "KK·RU·EN", "12 untranscribed", "stopped at 41:07 of 58:00", "no audio"]
    assert kept and kept == whole[: len(kept)], shown  # whole details, in order, from the first
    assert label.toolTip().endswith("no audio")
    label.resize(1400, 20)  # room again: every detail back
    assert _plain(label.text()).endswith("stopped at 41:07 of 58:00 — no audio")


@pytest.mark.parametrize("width", [258, 325])  # the Sessions list at 1024x700 and 1366x768
def test_a_running_transcription_reads_whole_beside_a_long_title(qtbot: Any, width: int) -> None:
    """The list's "transcribing 42 %, 0:07 left" was cut to "transcribing 42 …" beside a long
    title (it gets half of the list): it shows "42 % · 0:07 left" above a progress strip, whole."""
    from gui.models.sessions import LIVE_ROLE, LiveStatus, SessionTableModel
    from gui.sessions_view import SessionsView
    from storage.core.models import Session

    model = SessionTableModel()
    title = "Фокус-группа Алматы, поликлиника №3, 2 марта 2026 — вторая часть"
    model.load(
        [
            Session("s1", title, "focus_group", "2026-03-02", None, None, None, "transcribing",
                    "ana", "2026-03-02T10:00:00", "2026-03-02T10:00:00", 40_000, 5, 0)
        ]
    )  # fmt: skip
    view = SessionsView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(width, 200)
    view.show()
    model.set_live("s1", LiveStatus(0.42, 7))
    view.fit_columns()
    index = model.index(0, STATUS_COL)
    status = index.data()
    assert "42 %" in status and "0:07 left" in status, status
    need = view.fontMetrics().horizontalAdvance(status) + 2 * view.style().pixelMetric(
        view.style().PixelMetric.PM_FocusFrameHMargin
    )
    need += 4  # the bar's frame
    assert view.columnWidth(STATUS_COL) >= need, (status, view.columnWidth(STATUS_COL), need)
    assert index.data(LIVE_ROLE) == pytest.approx(0.42)  # drawn as a bar
    assert index.data(Qt.ItemDataRole.ToolTipRole).startswith("Transcribing: 42 %")
    view.grab()  # the bar paints
    model.set_live("s1", None)
    assert index.data(LIVE_ROLE) is None


@pytest.mark.parametrize("size", list(LAPTOP))
def test_transcription_progress_over_the_transcript_reads_whole(
    qtbot: Any, qsettings: Any, project: Project, idle: Any, size: Any, monkeypatch: Any
) -> None:
    """The header over a session being transcribed said "transcribing 42 %; the text appears
    here as it is recognised": beside a long title, at 1024x700, it was cut after "transcri"."""
    from PySide6.QtWidgets import QMessageBox

    from tests.gui.gui_helpers import make_fake_transcriber

    sid = project.sessions.all()[0].id
    project.sessions.update_session(sid, title="Фокус-группа Алматы, поликлиника №3, 2 марта")
    w = _window(qtbot, qsettings, make_fake_transcriber(delay_s=0.5), project, size)
    idle(w)
    qtbot.waitUntil(lambda: w.segment_model.rowCount() == 14, timeout=10000)
    w.resize(*size)
    w.resizeDocks([w.sessions_dock], [LAPTOP[size]], Qt.Orientation.Horizontal)
    qtbot.wait(100)
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    )
    w.transcription.start_transcription(sid, replace=True)
    label = w.transcript_label
    shown = _plain(label.text())
    assert "transcribing 0 %, 0 s so far" in shown, shown
    assert label._html_width(label.text()) <= label.contentsRect().width(), shown
    assert "appears here as it is recognised" in label.toolTip()
    w.transcription.cancel_transcription(sid)
    idle(w)
    w.close()


@pytest.mark.parametrize("size", list(LAPTOP))
def test_code_names_in_the_transcript_margin_read_whole(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, idle: Any, size: Any
) -> None:
    """At 1024x700 the transcript's Codes column was 51 px (its title's width: no room for
    names in a table under 560 px) and read "Денс…" for "Денсаулық": typical code names read
    whole beside their brackets, and the text stays the widest column."""
    from PySide6.QtGui import QFont, QFontMetrics

    from gui.models.segments import COL_CODES, COL_TEXT
    from gui.transcript_delegates import CodeMarginDelegate

    sid = project.sessions.all()[0].id
    other = project.codebook.ensure_code_path("Услуги/Образование")
    for seg in project.transcript.segments(sid)[6:9]:  # a second code, a second bracket
        project.codebook.apply_code(seg.id, other.id)
    w = _window(qtbot, qsettings, fake_transcriber, project, size)
    idle(w)
    qtbot.waitUntil(lambda: w.segment_model.rowCount() == 14, timeout=10000)
    idle(w)
    w.resize(*size)
    w.resizeDocks([w.sessions_dock], [LAPTOP[size]], Qt.Orientation.Horizontal)
    qtbot.wait(100)
    assert w.width() == size[0]
    view, model = w.transcript, w.segment_model
    delegate = view.itemDelegateForColumn(COL_CODES)
    assert isinstance(delegate, CodeMarginDelegate)
    font = QFont(view.font())  # the names' font, as the margin draws them
    font.setPointSizeF(max(6.0, font.pointSizeF() * 0.85))
    metrics = QFontMetrics(font)
    slots = model.code_slots()
    for row, name in ((0, "Денсаулық"), (6, "Образование")):
        view.scrollTo(model.index(row, COL_CODES))
        rect = view.visualRect(model.index(row, COL_CODES))
        in_row = max(slots[code_id] for code_id in model.margin_codes(row)) + 1
        room = delegate.names_right(rect, in_row) - rect.left() - 2  # as paint() elides
        shown = metrics.elidedText(name, Qt.TextElideMode.ElideRight, room)
        assert shown == name, (shown, room, view.columnWidth(COL_CODES))
    widths = [view.columnWidth(c) for c in range(model.columnCount())]
    assert max(widths) == widths[COL_TEXT] > widths[COL_CODES], widths
    w.close()


def _rows_room(view: Any) -> float:
    """How many rows of the default height the table's viewport shows."""
    return view.viewport().height() / view.verticalHeader().defaultSectionSize()


def _whole_rows(view: Any) -> int:
    """How many rows the view shows whole (none cut at its bottom edge)."""
    room = view.viewport().height()
    rows = range(view.model().rowCount())
    return sum(1 for r in rows if 0 <= view.rowViewportPosition(r) <= room - view.rowHeight(r))


@pytest.mark.parametrize("size", list(LAPTOP))
def test_team_panels_and_retrieval_leave_the_transcript_rows_to_read(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    project: Project,
    idle: Any,
    size: Any,
    monkeypatch: Any,
) -> None:
    """Agreement, Disagreements and Retrieval opened at 0.45 of the window: the transcript kept
    three rows at 1024x700 (111 px, two whole) and four at 1366x768. Now it keeps eight
    one-line rows (``gui.layout.TRANSCRIPT_ROWS``: 224 px; six rows, 168 px, once a one-line
    row was two lines tall, not 2.6) and each panel's table still shows rows whole (it
    scrolls). Agreement, Disagreements and Retrieval then showed two rows at 1024x700, read one
    by one (a disagreement played, the next; a coded segment read, the next): they get room for
    six (``PANEL_ROWS``), the transcript keeping five one-line rows (``TRANSCRIPT_ROWS_LEAST``)."""
    from gui.layout import PANEL_ROWS, TRANSCRIPT_ROWS_LEAST

    folder = project.folder
    project.close()
    with Project.open(folder, coder="bakyt") as other:  # a second coder, more codes
        (session,) = other.sessions.all()
        segs = other.transcript.segments(session.id)
        for i, path in enumerate(["Услуги/Денсаулық", "Очереди", "Доверие", "Цифровые услуги"]):
            code = other.codebook.ensure_code_path(path)
            for seg in segs[i + 3 : i + 8]:
                other.codebook.apply_code(seg.id, code.id)
    w = _window(qtbot, qsettings, fake_transcriber, Project.open(folder, coder="aigerim"), size)
    idle(w)
    qtbot.waitUntil(lambda: w.segment_model.rowCount() == 14, timeout=10000)
    _kept_at(w, size, monkeypatch)
    transcript = w.transcript
    code = w.project.codebook.find_code("Услуги/Денсаулық")
    openers = {
        "Agreement": lambda: w.extra_panels.show_agreement().view,
        "Disagreements": lambda: w.extra_panels.show_disagreements().table,
        "Retrieval": lambda: (w.docks.retrieve_code(code.id), w.retrieval.table)[1],
    }
    for name, table in panels_shown(w, qtbot, idle, size, openers):
        shown = transcript.viewport().height()
        # read row by row: six rows, or as many as a transcript of five rows leaves (Retrieval
        # kept the transcript eight rows and showed two codings at 1024x700, Agreement and
        # Disagreements two rows, each four at 1366x768)
        row = transcript.verticalHeader().defaultSectionSize()
        assert shown >= TRANSCRIPT_ROWS_LEAST * row - 2, (name, shown)
        least = PANEL_ROWS - 1 if size == (1024, 700) else PANEL_ROWS
        assert _whole_rows(transcript) >= 3, name
        # the panel grew past its query row and shows its rows (the rest a scroll away)
        assert _whole_rows(table) >= least, (name, _whole_rows(table), table.height())
        if name == "Agreement":  # its rows are a line of figures, a line tall (were 30 px)
            line = table.fontMetrics().lineSpacing()
            assert max(table.rowHeight(r) for r in range(6)) <= line + 10, line
    w.close()


@pytest.mark.parametrize("size", list(LAPTOP))
def test_reset_layout_after_a_retrieval_is_the_default_layout(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    project: Project,
    idle: Any,
    size: Any,
    monkeypatch: Any,
) -> None:
    """View ▸ Reset layout after Analysis ▸ Retrieval left the bottom area 140 px tall (the
    Retrieval tab behind Search kept its table's minimum height, a header and a row): the
    Search tab is its query row again and the transcript gets its rows back, as on a fresh
    window; the Retrieval tab keeps its codings and shows them when chosen."""
    w = _window(qtbot, qsettings, fake_transcriber, project, size)
    idle(w)
    qtbot.waitUntil(lambda: w.segment_model.rowCount() == 14, timeout=10000)
    monkeypatch.setattr("gui.layout.fit_to_screen", lambda _w: None)  # Reset layout fits it too
    _kept_at(w, size, monkeypatch)
    w.layout_keeper.default_sizes()  # the first start at that size
    qtbot.wait(100)
    search, transcript = w.search_dock, w.transcript
    fresh = search.height(), transcript.viewport().height()
    code = w.project.codebook.find_code("Услуги/Денсаулық")
    w.docks.retrieve_code(code.id)
    idle(w)
    qtbot.waitUntil(lambda: w.retrieval.model.rowCount() == 6, timeout=10000)
    qtbot.waitUntil(lambda: w.retrieval_dock.height() > fresh[0] + 40)  # it made room
    w.reset_layout()
    qtbot.wait(100)
    assert not search.widget().visibleRegion().isEmpty()
    assert search.height() <= fresh[0], (search.height(), fresh)  # was 140 px
    assert transcript.viewport().height() >= fresh[1], (transcript.viewport().height(), fresh)
    # the codings are still there, a tab away
    w.retrieval_dock.raise_()
    qtbot.waitUntil(lambda: w.retrieval.table.isVisible())
    qtbot.wait(100)
    assert _whole_rows(w.retrieval.table) >= 2
    w.close()


def _dock_sizes(w: Any) -> dict[str, int]:
    return {
        "sessions": w.sessions_dock.width(),
        "codebook": w.codebook_dock.width(),
        "search": w.search_dock.height(),
        "transcript rows px": w.transcript.viewport().height(),
    }


@pytest.mark.parametrize("size", list(LAPTOP))
def test_a_fresh_window_has_the_layout_reset_layout_gives(
    qtbot: Any,
    idle: Any,
    size: Any,
    laptop: Any,
) -> None:
    """A fresh window on a laptop screen sized its docks with the Retrieval tab still in front
    of Search: the Search area was 88 px tall, and 74 after View ▸ Reset layout. The first start
    is the layout Reset layout gives."""
    w = laptop
    qtbot.waitUntil(lambda: w.segment_model.rowCount() == 14, timeout=10000)
    qtbot.wait(100)
    assert w.size().toTuple() == size
    assert not w.search_panel.visibleRegion().isEmpty()  # Search in front, as after a reset
    fresh = _dock_sizes(w)
    code = w.project.codebook.find_code("Услуги/Денсаулық")
    w.docks.retrieve_code(code.id)
    idle(w)
    qtbot.waitUntil(lambda: w.retrieval.model.rowCount() == 6, timeout=10000)
    w.reset_layout()
    qtbot.wait(100)
    assert _dock_sizes(w) == fresh
    w.close()


def _choose_tab(w: Any, title: str) -> None:
    """Click the bottom area's tab ``title``."""
    from PySide6.QtWidgets import QTabBar

    for bar in w.findChildren(QTabBar):
        tabs = [bar.tabText(i) for i in range(bar.count())]
        if bar.isVisible() and "Search" in tabs and title in tabs:
            bar.setCurrentIndex(tabs.index(title))
            return
    raise AssertionError(f"no tab {title!r} beside Search")


@pytest.mark.parametrize("size", list(LAPTOP))
def test_search_gets_its_own_height_back_after_the_retrieval_tab(
    qtbot: Any,
    idle: Any,
    laptop: Any,
) -> None:
    """The Search area stayed 88 px tall (its query row is 46 at 1024x700) once the Retrieval
    tab, its filter and count rows, had been in front: back on Search it is its own height and
    the transcript gets its rows back; Retrieval, chosen again, has its own height too."""
    w = laptop
    qtbot.waitUntil(lambda: w.segment_model.rowCount() == 14, timeout=10000)
    qtbot.wait(100)
    fresh = _dock_sizes(w)
    _choose_tab(w, "Retrieval")  # nothing retrieved: its filter and count rows
    qtbot.waitUntil(lambda: not w.retrieval.visibleRegion().isEmpty())
    qtbot.wait(100)
    assert w.retrieval_dock.height() > fresh["search"] + 20, (w.retrieval_dock.height(), fresh)
    _choose_tab(w, "Search")
    qtbot.waitUntil(lambda: not w.search_panel.visibleRegion().isEmpty())
    qtbot.wait(100)
    assert _dock_sizes(w) == fresh  # the Search area was 88 px, the transcript 40 px shorter
    # codings retrieved make room for their table; Search is still its query row after them
    code = w.project.codebook.find_code("Услуги/Денсаулық")
    w.docks.retrieve_code(code.id)
    idle(w)
    qtbot.waitUntil(lambda: w.retrieval.model.rowCount() == 6, timeout=10000)
    qtbot.waitUntil(lambda: w.retrieval_dock.height() > fresh["search"] + 100)
    qtbot.wait(100)
    table = w.retrieval_dock.height()
    _choose_tab(w, "Search")
    qtbot.wait(100)
    assert _dock_sizes(w) == fresh
    _choose_tab(w, "Retrieval")
    qtbot.wait(100)
    assert w.retrieval_dock.height() == table
    assert _whole_rows(w.retrieval.table) >= 2
    w.close()


def _blank_under_the_query(w: Any) -> int:
    """The Search panel's height under its query row (and its bottom margin)."""
    panel = w.search_panel
    row = max(panel.query.geometry().bottom(), panel.language_box.geometry().bottom())
    return panel.height() - (row + 1) - panel.layout().contentsMargins().bottom()


@pytest.mark.parametrize("size", list(LAPTOP))
def test_an_empty_search_dock_is_its_query_row_with_nothing_blank(
    qtbot: Any,
    idle: Any,
    laptop: Any,
) -> None:
    """The Search dock was 74 px tall with 28 px blank under its query row (the Retrieval tab
    behind it held its filter and count rows' height, and 12 % of the window was asked): it is
    the query row; a message under it, and the Retrieval tab, show whole."""
    w = laptop
    qtbot.wait(100)
    assert not w.search_panel.visibleRegion().isEmpty()
    assert _blank_under_the_query(w) <= 2, (_blank_under_the_query(w), w.search_dock.height())
    code = w.project.codebook.find_code("Услуги/Денсаулық")
    w.docks.retrieve_code(code.id)
    idle(w)
    qtbot.waitUntil(lambda: w.retrieval.model.rowCount() == 6, timeout=10000)
    w.reset_layout()
    qtbot.wait(100)
    assert _blank_under_the_query(w) <= 2, (_blank_under_the_query(w), w.search_dock.height())
    panel = w.search_panel
    whole = panel.query.visibleRegion().boundingRect()
    assert whole.height() == panel.query.height()  # not cut
    # a message under the row makes room for itself
    panel.show_message("Nothing to search: type words first.")
    qtbot.wait(100)
    message = panel.message
    assert message.visibleRegion().boundingRect().height() == message.height() > 0
    # the Retrieval tab shows its filters, codings, count and export button
    w.retrieval_dock.raise_()
    qtbot.waitUntil(lambda: w.retrieval.table.isVisible())
    qtbot.wait(100)
    for widget in (w.retrieval.code_box, w.retrieval.count, w.retrieval.export_btn):
        assert widget.visibleRegion().boundingRect().height() == widget.height() > 0
    w.close()


@pytest.mark.parametrize("size", list(LAPTOP))
def test_nothing_found_takes_a_line_not_the_transcript_rows(
    qtbot: Any,
    idle: Any,
    laptop: Any,
) -> None:
    """A search in one language that found nothing ("кезек" among the Russian segments) grew
    the Search dock to make room for results (184 px at 1024x700), "Nothing found." over a
    blank 120 px the transcript lost; the line (and the one saying the query's words are in
    segments of other languages) shows whole under the query row, and hits still make room."""
    w = laptop
    qtbot.wait(100)
    panel = w.search_panel
    rows = w.transcript.viewport().height()
    panel.query.setText("кезек")
    panel.language_box.setCurrentIndex(panel.language_box.findData("ru"))
    w.sessions.run_search(panel.query.text())
    idle(w)
    qtbot.wait(100)
    assert panel.info.text() == "Nothing found."
    info, message = panel.info, panel.message
    # and a line under it: the Kazakh segments that say it (found in the other languages)
    assert message.isVisible() and "in other languages" in message.text()
    for line in (info, message):
        assert line.visibleRegion().boundingRect().height() == line.height() > 0  # whole
    blank = (
        panel.height()
        - (max(info.geometry().bottom(), message.geometry().bottom()) + 1)
        - panel.layout().contentsMargins().bottom()
    )
    assert blank <= 2, (blank, w.search_dock.height())
    lines = info.height() + message.height()
    assert w.transcript.viewport().height() >= rows - lines - 12
    # hits make room for themselves (as much as they need: four lines)
    panel.language_box.setCurrentIndex(panel.language_box.findData("kk"))
    w.sessions.run_search(panel.query.text())
    idle(w)
    qtbot.waitUntil(lambda: panel.results.count() == 4)
    results = panel.results
    qtbot.waitUntil(
        lambda: results.visualItemRect(results.item(3)).bottom() < results.viewport().height()
    )
    w.close()


@pytest.mark.parametrize("size", list(LAPTOP))
def test_no_codings_retrieved_takes_no_rows_from_the_transcript(
    qtbot: Any,
    idle: Any,
    laptop: Any,
) -> None:
    """Retrieving a code with no codings for the chosen filters grew the Retrieval dock as for
    a table of codings (the table hidden: "0 coded segments" over a blank area): it stays its
    filter and count rows, the transcript keeps its rows."""
    w = laptop
    code = w.project.codebook.find_code("Услуги/Денсаулық")
    w.retrieval_dock.raise_()  # Analysis ▸ Retrieval: nothing retrieved yet
    qtbot.wait(100)
    dock, panel = w.retrieval_dock, w.retrieval
    before = dock.height()
    rows = w.transcript.viewport().height()
    panel.select_code(code.id, run=False)
    panel.language_box.setCurrentIndex(panel.language_box.findData("en"))
    box = panel.speaker_box
    box.addItem("Нет такого", "Нет такого")  # a speaker with no codings
    box.setCurrentIndex(box.count() - 1)
    panel.refresh()
    idle(w)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0, timeout=10000)
    qtbot.wait(100)
    assert panel.table.isHidden()
    assert dock.height() <= before + 2, (dock.height(), before)
    assert w.transcript.viewport().height() >= rows - 2
    for widget in (panel.code_box, panel.count, panel.export_btn):
        assert widget.visibleRegion().boundingRect().height() == widget.height() > 0
    w.close()


@pytest.mark.parametrize("size", list(LAPTOP))
def test_bottom_docks_give_their_room_back_when_their_results_go(
    qtbot: Any,
    idle: Any,
    laptop: Any,
) -> None:
    """Retrieval grew for its codings and stayed that tall, blank, once they were gone (the
    code deleted); Search likewise after a search that found nothing. Each goes back to its
    rows; a dock the user made taller than results made it stays so."""
    w = laptop
    qtbot.waitUntil(lambda: w.segment_model.rowCount() == 14, timeout=10000)
    qtbot.wait(100)
    fresh = _dock_sizes(w)
    _choose_tab(w, "Retrieval")
    qtbot.waitUntil(lambda: not w.retrieval.visibleRegion().isEmpty())
    qtbot.wait(100)
    rows_only = w.retrieval_dock.height()  # its filter and count rows
    code = w.project.codebook.find_code("Услуги/Денсаулық")
    w.docks.retrieve_code(code.id)
    idle(w)
    qtbot.waitUntil(lambda: w.retrieval.model.rowCount() == 6, timeout=10000)
    qtbot.waitUntil(lambda: w.retrieval_dock.height() > rows_only + 60)
    w.editing.delete_code(code.id, force=True)
    idle(w)
    qtbot.waitUntil(lambda: w.retrieval.model.rowCount() == 0)
    qtbot.waitUntil(lambda: w.retrieval_dock.height() <= rows_only)
    assert w.retrieval.table.isHidden()
    panel = w.retrieval  # nothing blank under its count row
    assert panel.height() - panel.bottom.geometry().bottom() - 1 <= 12
    # back: the codings listed again, then the user makes the dock taller; it stays so
    w.undo_stack.undo()  # Edit ▸ Undo: the code and its codings are back
    idle(w)
    w.docks.retrieve_code(w.project.codebook.find_code("Услуги/Денсаулық").id)
    qtbot.waitUntil(lambda: w.retrieval.model.rowCount() == 6, timeout=10000)
    qtbot.waitUntil(lambda: w.retrieval_dock.height() > rows_only + 60)
    w.resizeDocks([w.retrieval_dock], [w.retrieval_dock.height() + 100], Qt.Orientation.Vertical)
    qtbot.wait(100)
    tall = w.retrieval_dock.height()
    w.editing.delete_code(w.project.codebook.find_code("Услуги/Денсаулық").id, force=True)
    qtbot.waitUntil(lambda: w.retrieval.model.rowCount() == 0)
    qtbot.wait(100)
    assert w.retrieval_dock.height() == tall
    # Search: hits make room, a search that finds nothing gives it back
    w.layout_keeper.default_bottom()
    _choose_tab(w, "Search")
    qtbot.waitUntil(lambda: not w.search_panel.visibleRegion().isEmpty())
    w.sessions.run_search("очередь")
    idle(w)
    qtbot.waitUntil(lambda: w.search_panel.results.count() > 0)
    qtbot.waitUntil(lambda: w.search_dock.height() > fresh["search"] + 60)
    w.sessions.run_search("nothingsaidlikethis")
    idle(w)
    qtbot.waitUntil(lambda: w.search_panel.info.text() == "Nothing found.")
    qtbot.waitUntil(lambda: w.search_dock.height() < fresh["search"] + 40)
    w.close()


@pytest.mark.parametrize("size", list(LAPTOP))
def test_searching_leaves_eight_transcript_rows_and_the_hits_in_sight(
    qtbot: Any,
    idle: Any,
    laptop: Any,
) -> None:
    """With search hits listed at 1024x700 the transcript showed about four rows: the Search
    dock took 30 % of the window, its count and Code hits… a row of their own, and a one-line
    segment was 36 px tall. The transcript keeps eight one-line rows
    (``gui.layout.TRANSCRIPT_ROWS``), and the hits, their count and Code hits… show."""
    w = laptop
    qtbot.waitUntil(lambda: w.segment_model.rowCount() == 14, timeout=10000)
    qtbot.wait(100)
    panel = w.search_panel
    panel.focus_query()
    panel.query.setText("thank")
    w.sessions.run_search(panel.query.text())
    idle(w)
    qtbot.waitUntil(lambda: panel.results.count() == 4, timeout=10000)
    qtbot.wait(100)
    view = w.transcript
    one_line = view.rowHeight(2)  # "Okay, thank you.": one line
    assert one_line == view.verticalHeader().defaultSectionSize()
    assert view.viewport().height() >= 8 * one_line, (
        view.viewport().height(),
        one_line,
        w.search_dock.height(),
    )
    # the hits: every one whole (four), the count and the button beside the query
    results = panel.results
    shown = [
        i
        for i in range(results.count())
        if results.visualItemRect(results.item(i)).bottom() < results.viewport().height()
    ]
    assert len(shown) == 4, (shown, results.height())
    for widget in (panel.info, panel.code_button, panel.query):
        assert widget.visibleRegion().boundingRect().size() == widget.size(), widget
    assert panel.info.text() == "4 segments found"
    w.close()


@pytest.mark.parametrize("size", list(LAPTOP))
def test_a_retrieval_of_few_codings_takes_no_more_than_their_rows(
    qtbot: Any,
    idle: Any,
    laptop: Any,
) -> None:
    """Retrieving a code with one coding grew the Retrieval dock as for many (0.45 of the
    window, as far as the transcript kept six rows): 90 px blank under the one row at 1024x700,
    taken from the transcript. It grows as far as its rows need; many still make it taller."""
    w = laptop
    qtbot.waitUntil(lambda: w.segment_model.rowCount() == 14, timeout=10000)
    project = w.project
    one = project.codebook.ensure_code_path("Очереди")
    project.codebook.apply_code(project.transcript.segments(w.state.session.id)[2].id, one.id)
    w.editing.reload_codebook()
    idle(w)
    table = w.retrieval.table

    def blank() -> int:
        rows = table.verticalHeader().length() + table.horizontalHeader().height()
        return table.height() - rows - 2 * table.frameWidth()

    w.docks.retrieve_code(one.id)
    idle(w)
    qtbot.waitUntil(lambda: w.retrieval.model.rowCount() == 1, timeout=10000)
    qtbot.wait(100)
    assert table.isVisible() and _whole_rows(table) == 1
    assert blank() < table.verticalHeader().defaultSectionSize(), (
        blank(),
        w.retrieval_dock.height(),
    )
    few = w.retrieval_dock.height()
    w.docks.retrieve_code(project.codebook.find_code("Услуги/Денсаулық").id)
    idle(w)
    qtbot.waitUntil(lambda: w.retrieval.model.rowCount() == 6, timeout=10000)
    qtbot.wait(100)
    assert w.retrieval_dock.height() > few + 20 and _whole_rows(table) >= 2
    w.close()


@pytest.mark.parametrize("size", list(LAPTOP))
def test_a_few_search_hits_take_their_lines_and_show_the_words_found(
    qtbot: Any,
    idle: Any,
    laptop: Any,
) -> None:
    """Two hits at 1366x768 grew the Search dock to 30 % of the window: 110 px blank under
    them, taken from the transcript; and a hit in a long segment was one line wider than the
    dock, the words found out of sight behind a sideways scroll bar. The dock is as tall as
    its hits; each hit shows the words found (from a little before them), elided at its end."""
    from storage.core.models import SearchHit

    w = laptop
    qtbot.waitUntil(lambda: w.segment_model.rowCount() == 14, timeout=10000)
    panel = w.search_panel
    before = w.transcript.viewport().height()
    w.sessions.run_search("thank")  # four hits
    idle(w)
    qtbot.waitUntil(lambda: panel.results.count() == 4, timeout=10000)
    qtbot.wait(100)
    results = panel.results
    last = results.visualItemRect(results.item(3))
    assert results.viewport().height() - last.bottom() < last.height(), (
        results.viewport().height(),
        last,
    )
    assert w.transcript.viewport().height() >= before - 5 * last.height() - 24
    # a hit deep in a long segment: its words in sight, no sideways scrolling
    long = "Ну, " + "очень долго ждали, " * 8 + "[поликлиника] была закрыта, " * 6
    sid, seg = w.state.session.id, w.segment_model.segment(0).id
    hit = SearchHit(seg, sid, "Фокус-группа", 0, 250, "Айгерім", long, long, 1.0, "ru")
    panel.show_hits([hit, hit])
    qtbot.wait(100)
    item = panel.results.item(0)
    assert "[поликлиника]" in item.text() and "…" in item.text(), item.text()
    shown = panel.results.fontMetrics().horizontalAdvance(item.text().split("[поликлиника]")[0])
    assert shown < panel.results.viewport().width()  # the words found start on screen
    assert not panel.results.horizontalScrollBar().isVisible()
    assert item.toolTip().startswith("Ну, очень долго")  # the whole text
    w.close()


@pytest.mark.parametrize("size", list(LAPTOP))
def test_search_hits_show_no_line_cut_in_half(qtbot: Any, idle: Any, laptop: Any) -> None:
    """Twelve hits in the Search dock, grown as far as the transcript keeps its rows: the
    list showed the top half of one more line under the whole ones (at 1366x768 the eleventh
    hit, 10 of its 14 px), as if that were the last. The lines shown are whole; the list
    scrolls for the others."""
    w = laptop
    qtbot.waitUntil(lambda: w.segment_model.rowCount() == 14, timeout=10000)
    panel = w.search_panel
    panel.query.setText("очередь OR кезек OR thank")
    w.sessions.run_search(panel.query.text())
    idle(w)
    results = panel.results
    qtbot.waitUntil(lambda: results.count() == 12, timeout=10000)
    qtbot.wait(100)
    room = results.viewport().height()
    rects = [results.visualItemRect(results.item(i)) for i in range(results.count())]
    shown = [r for r in rects if r.top() < room]
    assert 3 <= len(shown) < 12, (len(shown), room)  # a few in sight, the rest a scroll away
    assert all(r.bottom() < room for r in shown), ([r.getRect() for r in shown], room)
    w.close()


#: statuses beside a long title: (status, segments, coded, without text, stopped run)
STATUSES = [
    ("transcribed", 14, 0, 2, None),
    ("transcribed", 14, 6, 2, None),
    ("transcribed", 40, 12, 10, None),
    ("transcribing", 9, 6, 0, ("cancelled", 70)),
    ("transcribing", 30, 12, 0, ("running", 100)),
    ("transcribing", 0, 0, 0, ("failed", 0)),
    ("imported", 0, 0, 0, None),
]


@pytest.mark.parametrize("width", [212, 258, 273])  # the Sessions dock at 1024x700, 1366x768
def test_what_each_status_says_first_is_in_sight(qtbot: Any, width: int) -> None:
    """At 1024x700 a transcribed session with speech left without text read "transcribed · …"
    beside "Фокус-групп…": the part that needs the researcher was cut. Each status says what
    matters first and the column shows that much whole (the rest may elide: the tooltip has
    it all)."""
    from gui.models.sessions import SessionTableModel, StoppedRun
    from gui.sessions_view import SessionsView
    from storage.core.models import Session

    title = "Фокус-группа Алматы, поликлиника №3, 2 марта 2026 — вторая часть"
    sessions, stopped = [], {}
    for i, (state, segments, coded, untranscribed, run) in enumerate(STATUSES):
        s = Session(f"s{i}", title, "focus_group", "2026-03-02", None, None, None, state,
                    "ana", "2026-03-02T10:00:00", "2026-03-02T10:00:00", 40_000, segments,
                    coded, untranscribed_count=untranscribed)  # fmt: skip
        sessions.append(s)
        if run is not None:
            stopped[s.id] = StoppedRun(*run)
    model = SessionTableModel()
    model.load(sessions, stopped)
    view = SessionsView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(width, 300)
    view.show()
    view.fit_columns()
    margin = 2 * view.style().pixelMetric(view.style().PixelMetric.PM_FocusFrameHMargin)
    shown = view.columnWidth(STATUS_COL) - margin
    metrics = view.fontMetrics()
    assert view.columnWidth(0) >= TITLE_BESIDE_STATUS_PX  # the title still reads its start
    for row, (_state, _segs, coded, untranscribed, run) in enumerate(STATUSES):
        index = model.index(row, STATUS_COL)
        status, tip = index.data(), index.data(Qt.ItemDataRole.ToolTipRole)
        first = status.split(" · ")[0]
        assert metrics.horizontalAdvance(first) <= shown, (width, status, shown)
        if untranscribed:  # what needs doing, whole, and the tooltip says it in words
            assert f"{untranscribed} no text" in status, status
            assert metrics.horizontalAdvance(status) <= shown, (width, status, shown)
            assert f"{untranscribed} segments of speech without transcript" in tip, tip
        if run is not None:  # the run that did not finish, and how far it went
            assert first.endswith(f"at {run[1]} %"), status
        if coded:
            assert f"{coded} segments coded" in tip or f"{coded} coded" in status, tip
        if not untranscribed and not run and metrics.horizontalAdvance(status) > shown:
            assert status in tip  # elided in the column: the whole on hover
