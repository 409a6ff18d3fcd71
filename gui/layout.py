"""The workbench layout on laptop screens: default sizes, tabbed docks, per-screen memory.

* The default layout gives the codebook a readable width and the transcript the rest, scaled
  to the window (``default_sizes``).
* A dock opened later (Speakers, Ethics, Agreement, ...) goes in as a tab beside the dock it
  would squeeze (``tab_partner``), and the window never grows past the screen
  (``fit_to_screen``).
* Each tab of the bottom area (Search, Retrieval, ...) has its own height: chosen again, it gets
  it back, not the height of the tab shown before it.
* The arrangement is remembered per screen size (QSettings ``layout/<W>x<H>/...``), so a laptop
  on its own screen and on a big monitor each get theirs back; View ▸ Reset layout restores the
  default.
* Restoring or rearranging the docks replaces the tab bars of their tab groups. Qt retires the
  old bars with ``deleteLater()`` and leaves them shown until the event loop deletes them (never,
  when a script drives the window with ``processEvents``): they painted a stray "Sessions |
  Session details" bar over the restored docks. ``drop_retired_tab_bars`` deletes them at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import shiboken6
from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QListView,
    QMainWindow,
    QTabBar,
    QTableView,
    QWidget,
)

from gui.chrome import bring_to_front
from gui.whole_rows import WholeRows

#: below this, a dock opened beside another in a side area would leave it too short
MIN_SIDE_SPLIT_HEIGHT = 720
#: below this, a dock opened beside another in the bottom area would leave it too narrow
MIN_BOTTOM_SPLIT_WIDTH = 1800
#: what the codebook needs to show code names and their counts (it gets more when there is room)
CODEBOOK_MIN_WIDTH = 200
CODEBOOK_WIDTH = 230
#: the bottom docks (Search, Retrieval) are by default as tall as Search's query row, so an
#: empty search takes none of the transcript's room (``default_bottom``); they grow to
#: ``RESULTS_SHARE`` of the window when results arrive (``make_room``)
RESULTS_SHARE, RESULTS_MIN, RESULTS_MAX = 0.3, 150, 400
#: the bottom panels whose table is the point of opening them (Retrieval, Agreement,
#: Disagreements) open at this share of the window, as far as the transcript keeps
#: ``TRANSCRIPT_ROWS`` one-line rows: at 0.45 of a 1024x700 window it kept three (two whole),
#: at 1366x768 four; their tables scroll (the user can make them taller), the transcript is
#: what is read. Search hits grow the Search dock as far too (with hits at 1024x700 it kept
#: four rows: the coder searching lost the transcript the hits are in). Eight one-line rows
#: (28 px each) keep the 216 px that six rows of the old 36 px kept
TABLE_SHARE, TABLE_MIN, TABLE_MAX = 0.45, 240, 480
TRANSCRIPT_ROWS = 8
#: Agreement and Disagreements are read row by row (a disagreement played, the next one): at
#: 1024x700, with the transcript keeping ``TRANSCRIPT_ROWS``, they showed two rows. They get
#: room for ``PANEL_ROWS`` rows, taken from the transcript as far as it keeps
#: ``TRANSCRIPT_ROWS_LEAST`` (the segment a disagreement plays shows there); on a taller
#: screen the transcript keeps its eight
PANEL_ROWS = 6
TRANSCRIPT_ROWS_LEAST = 5
#: and at least this many of its rows whole as they are: long turns wrapped onto three or
#: four lines (80 px) left it two whole rows of its five one-line rows' 140 px at 1024x700
TRANSCRIPT_WHOLE_LEAST = 3
#: the side panels (Record, Speakers, Ethics) open this wide: what their contents are laid out
#: for at 1024x700 (wrapped tables, short tab labels); the transcript keeps the rest. A panel
#: that needs more opens as wide as it needs, and a tab never narrows the dock it is tabbed
#: with (the codebook's 300 px at 1366x768)
SIDE_PANEL_WIDTH = 290
#: the Sessions list by default: its share of the window, at least and at most. A title
#: (90 px) and its status ("6 coded · 2 no text") read in 212 px; the 260 px it had at
#: 1024x700 left the transcript's Text column about 200 px and its code names "Posi…ence"
SESSIONS_SHARE, SESSIONS_MIN, SESSIONS_MAX = 0.2, 212, 560
#: what a tab of the Sessions list with a form (Session details) needs in front: it gets it
#: when it comes in front, and the list its own width back when the list does
SESSION_FORM_WIDTH = 260
_LAYOUT_VERSION = 1


def clamp(value: float, low: int, high: int) -> int:
    """``value`` kept between ``low`` and ``high``."""
    return int(max(low, min(high, value)))


def screen_key(window: QWidget) -> str:
    """``"1366x768"``: the available size of the window's screen."""
    screen = window.screen()
    if screen is None:
        return "unknown"
    size = screen.availableGeometry().size()
    return f"{size.width()}x{size.height()}"


def fit_to_screen(window: QWidget) -> None:
    """Keep the window inside its screen's available area (never grows past it), its frame
    (title bar and borders, once the window system has given it one) included: the client
    area alone as tall as the screen put the frame's height of the window below it (the
    status bar of a 1024x700 netbook)."""
    screen = window.screen()
    if screen is None or window.isMaximized() or window.isFullScreen():
        return
    area = screen.availableGeometry()
    frame, inner = window.frameGeometry(), window.geometry()
    extra_w = max(0, frame.width() - inner.width())
    extra_h = max(0, frame.height() - inner.height())
    width = max(1, min(window.width(), area.width() - extra_w))
    height = max(1, min(window.height(), area.height() - extra_h))
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    x = min(max(window.x(), area.left()), area.right() - (width + extra_w) + 1)
    y = min(max(window.y(), area.top()), area.bottom() - (height + extra_h) + 1)
    if (x, y) != (window.x(), window.y()):
        window.move(x, y)


def grow_for(widget: QWidget) -> None:
    """Grow ``widget``'s window (shown, and not ``widget`` itself) by what ``widget`` lacks of
    its size hint, as far as the screen allows (``fit_to_screen``): a row listed after the
    window opened at its size (a model installed, with a long source) was elided, and rows
    added were scrolled to with the screen's room below the window.

    A ``widget`` not shown (a tab behind another) is left alone: its size is not laid out
    (the Models page behind Settings' General tab measured 100x30, and the dialog, 560x460,
    grew to the whole 1024x700 screen as the models were listed); it calls this again when
    shown."""
    window = widget.window()
    hint = widget.sizeHint()
    wide = max(0, hint.width() - widget.width())
    tall = max(0, hint.height() - widget.height())
    if window is widget or not window.isVisible() or not widget.isVisible() or not (wide or tall):
        return
    window.resize(window.width() + wide, window.height() + tall)
    fit_to_screen(window)


def needed_width(dock: QDockWidget) -> int:
    """The width a panel that may be narrower than its controls (the Record panel, a tab of
    the Sessions list) reads whole in; 0 for the others (their minimum holds them)."""
    need = getattr(dock.widget(), "needed_width", None)
    return int(need()) if callable(need) else 0


def open_side_panel(window: QMainWindow, dock: QDockWidget, beside: int = 0) -> None:
    """``dock`` just opened in a side area, as a tab of a dock ``beside`` px wide (0: none):
    it is ``SIDE_PANEL_WIDTH`` wide, or as wide as that dock was (it opened as wide as its
    minimum: the Ethics dock at 303 px), or as its controls need (``needed_width``)."""
    side = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)
    if dock.isFloating() or window.dockWidgetArea(dock) not in side:
        return
    want = max(SIDE_PANEL_WIDTH, beside, needed_width(dock))
    window.resizeDocks([dock], [want], Qt.Orientation.Horizontal)


def drop_retired_tab_bars(window: QMainWindow) -> None:
    """Delete now the tab bars Qt retired from ``window``'s dock layout (``restoreState``,
    ``addDockWidget`` of a tabbed dock): Qt only posts their deletion and leaves them shown, so
    until the event loop gets to it an old bar paints over the docks. The bars in use have no
    deletion pending and are left alone."""
    for bar in window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
        QCoreApplication.sendPostedEvents(bar, QEvent.Type.DeferredDelete)


def tab_bar_height(window: QMainWindow, dock: QDockWidget) -> int:
    """The height of the tab bar under ``dock`` when it is a tab of a group (else 0)."""
    me = shiboken6.getCppPointer(dock)[0]  # Qt keeps each tab's dock as its tab data
    for bar in window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if bar.isVisible() and any(bar.tabData(i) == me for i in range(bar.count())):
            return bar.height()
    return 0


def tabs_width(window: QMainWindow, dock: QDockWidget) -> int:
    """The width the tab bar under ``dock`` needs to show its labels whole (0: not a tab).
    Qt elides them in a narrower bar: the Sessions list's 212 px at 1024x700 with Session
    details and Record beside it read "Ses… | Session d… | R…"."""
    me = shiboken6.getCppPointer(dock)[0]  # Qt keeps each tab's dock as its tab data
    for bar in window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if bar.isVisible() and any(bar.tabData(i) == me for i in range(bar.count())):
            return sum(bar.tabSizeHint(i).width() for i in range(bar.count()))
    return 0


def tab_partner(window: QMainWindow, area: Qt.DockWidgetArea) -> QDockWidget | None:
    """The visible dock of ``area`` that a new dock there would squeeze, if any."""
    docks = [
        d
        for d in window.findChildren(QDockWidget)
        if d.isVisible() and not d.isFloating() and window.dockWidgetArea(d) == area
    ]
    if not docks:
        return None
    partner = max(docks, key=lambda d: d.width() * d.height())
    side = area in (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)
    if side and partner.height() >= MIN_SIDE_SPLIT_HEIGHT:
        return None
    if not side and partner.width() >= MIN_BOTTOM_SPLIT_WIDTH:
        return None
    return partner


def rows_of(dock: QDockWidget) -> QAbstractItemView | None:
    """The shown table or list of ``dock``'s panel (Retrieval's codings, Search's hits)."""
    for kind in (QTableView, QListView):
        view = dock.widget().findChild(kind)
        if view is not None and view.isVisible():
            return view
    return None


def rows_height(view: QAbstractItemView) -> int:
    """The height that shows every row of ``view`` (its header and frame with them)."""
    model = view.model()
    count = model.rowCount() if model is not None else 0
    if isinstance(view, QTableView):
        need = view.verticalHeader().length() + view.horizontalHeader().height()
    else:
        need = sum(view.sizeHintForRow(r) for r in range(min(count, 50)))
    if view.horizontalScrollBar().isVisible():
        need += view.horizontalScrollBar().height()
    return need + 2 * view.frameWidth()


def rows_in_sight_height(view: QTableView, rows: int = TRANSCRIPT_WHOLE_LEAST) -> int:
    """The height of ``rows`` rows of ``view`` from the first in sight, as tall as they are."""
    model = view.model()
    count = model.rowCount() if model is not None else 0
    first = max(0, view.rowAt(0))
    shown = [r for r in range(first, count) if not view.isRowHidden(r)][:rows]
    return sum(view.rowHeight(r) for r in shown)


def _row_height(view: QAbstractItemView) -> int:
    """The height of ``view``'s first row (its default before it has rows)."""
    if isinstance(view, QTableView):
        model = view.model()
        if model is not None and model.rowCount() > 0:
            return max(1, view.rowHeight(0))
        return view.verticalHeader().defaultSectionSize()
    return max(1, view.sizeHintForRow(0))


class LayoutKeeper(QObject):
    """Default layout, reset, and the layout remembered per screen size."""

    def __init__(
        self,
        window: QMainWindow,
        settings: QSettings,
        *,
        sessions: QDockWidget,
        codebook: QDockWidget,
        search: QDockWidget,
        extra_docks: Callable[[], Sequence[QDockWidget]] = list,
        transcript: QTableView | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.q = settings
        self.sessions, self.codebook, self.search = sessions, codebook, search
        self.extra_docks = extra_docks
        self.transcript = transcript  # what a table panel opened leaves TRANSCRIPT_ROWS rows
        self.active = False  # the workbench is shown
        # each bottom tab's own height, taken as it went behind another (or was closed)
        self._own: dict[QDockWidget, int] = {}
        self._grown: dict[QDockWidget, int] = {}  # dock -> the height results asked for
        self._watched: set[QDockWidget] = set()
        window.installEventFilter(self)
        window.tabifiedDockWidgetActivated.connect(self._tab_chosen)
        self._watch(search)

    # ------------------------------------------------------------------ default
    def default_sizes(self) -> None:
        """Dock sizes for the window's width: a readable codebook, the transcript gets the rest."""
        w, win = self.window.width(), self.window
        self.codebook.widget().setMinimumWidth(CODEBOOK_MIN_WIDTH)
        self.default_bottom()
        win.resizeDocks(
            [self.sessions, self.codebook],
            [self.sessions_width(), clamp(w * 0.22, CODEBOOK_WIDTH, 340)],
            Qt.Orientation.Horizontal,
        )

    def sessions_width(self) -> int:
        """The Sessions list's width for this window."""
        return clamp(self.window.width() * SESSIONS_SHARE, SESSIONS_MIN, SESSIONS_MAX)

    def _left_tab_chosen(self, dock: QDockWidget) -> None:
        """A tab of the Sessions group came in front: Session details gets the width its form
        needs (it scrolled sideways in the list's 212 px at 1024x700), the list its own back.
        A group the user resized keeps the user's width."""
        win = self.window
        # the list's width, or what its tabs' labels need ("Sessions | Session details |
        # Record": 256 px at 1024x700, where the list has 212)
        narrow = max(self.sessions_width(), tabs_width(win, dock))
        wide = max(SESSION_FORM_WIDTH, narrow)
        if dock is self.sessions:
            want = narrow
        elif self.sessions in win.tabifiedDockWidgets(dock):
            want = max(wide, needed_width(dock))  # the Record panel's controls: 301 px
        else:
            return
        # one of the widths the layout gives (this start's, or a remembered layout's; the
        # Record panel's after Stop): any other is the user's
        given = [narrow, wide, SIDE_PANEL_WIDTH, self.sessions_width()]
        given += [needed_width(tab) for tab in (dock, *win.tabifiedDockWidgets(dock))]
        ours = min(abs(dock.width() - width) for width in given) <= 8
        if not self.active or dock.isFloating() or not ours or dock.width() == want:
            return
        win.resizeDocks([dock], [want], Qt.Orientation.Horizontal)

    def default_bottom(self) -> None:
        """The bottom docks (Search, Retrieval) as their query rows: nothing is listed yet."""
        win = self.window
        if self.search.isFloating() or win.dockWidgetArea(self.search) != (
            Qt.DockWidgetArea.BottomDockWidgetArea
        ):
            return
        self._own.clear()  # the tabs start again from this size
        self._grown.clear()
        # its minimum: the title and the query row (a message under it makes room for itself);
        # 12 % of the window (84 px asked at 1024x700) left 12 to 28 px blank under the row.
        # resizeDocks sizes the dock with its tab bar
        want = self.search.minimumSizeHint().height() + tab_bar_height(win, self.search)
        win.resizeDocks([self.search], [want], Qt.Orientation.Vertical)

    def reset(self, tabbed: Sequence[tuple[QDockWidget, QDockWidget]] = ()) -> None:
        """View ▸ Reset layout: core docks back in their places and sizes, alone (a dock the
        user had tabbed with them or split beside them is taken out), panels hidden; each
        ``(partner, dock)`` of ``tabbed`` is shown as a tab behind its partner, as at the first
        start."""
        win = self.window
        for dock in self.extra_docks():
            dock.hide()
        for dock, area in (
            (self.sessions, Qt.DockWidgetArea.LeftDockWidgetArea),
            (self.codebook, Qt.DockWidgetArea.RightDockWidgetArea),
            (self.search, Qt.DockWidgetArea.BottomDockWidgetArea),
        ):
            dock.setFloating(False)
            win.addDockWidget(area, dock)  # out of any tab group or split it was in
            dock.show()
        for partner, dock in tabbed:
            dock.setFloating(False)
            win.tabifyDockWidget(partner, dock)
            dock.show()
        drop_retired_tab_bars(win)
        self.q.remove(f"layout/{screen_key(win)}")
        fit_to_screen(win)
        self.default_layout()

    def default_layout(self) -> None:
        """The default sizes with the default tabs in front (Sessions, Search), as View ▸
        Reset layout and a first start both leave the window.

        The tabs in front first: a tab behind gives up its minimum height (Retrieval hides its
        table), and the docks' minimums are read again before the sizes are set (the layouts
        would do it later, after resizeDocks kept Search 140 px tall). A first start sized its
        docks before the tabs were raised; it now takes this same path."""
        bring_to_front(self.sessions)
        bring_to_front(self.search)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self.default_sizes()

    def make_room(
        self, dock: QDockWidget, *, table: bool = False, fit: bool = False, least: int = 0
    ) -> None:
        """Results arrived in a bottom dock (search hits, retrieved codings) or a bottom panel
        opened (``table``: one whose table is what it shows, Agreement): it grows to show
        several of them, when it is shorter than that (never shrinks what the user made); a
        table panel leaves the transcript ``TRANSCRIPT_ROWS`` rows (its own table scrolls).
        ``fit``: the panel's rows are listed already (Retrieval's codings, Search's hits): the
        dock grows no taller than they need (one coding left 90 px blank under its row at
        1024x700, two hits 110 px at 1366x768, taken from the transcript). ``least``: the
        panel shows at least that many rows where the transcript can give them and keep
        ``TRANSCRIPT_ROWS_LEAST`` (Agreement, Disagreements: ``PANEL_ROWS``)."""
        win = self.window
        if (
            not self.active
            or dock.widget() is None
            or dock.widget().visibleRegion().isEmpty()  # closed, or a tab behind another
            or dock.isFloating()
            or win.dockWidgetArea(dock) != Qt.DockWidgetArea.BottomDockWidgetArea
        ):
            return
        if table:
            want = clamp(win.height() * TABLE_SHARE, TABLE_MIN, TABLE_MAX)
        else:
            want = clamp(win.height() * RESULTS_SHARE, RESULTS_MIN, RESULTS_MAX)
        view = self.transcript
        below = dock.height() + tab_bar_height(win, dock)  # resizeDocks counts its tab bar
        give = 0  # what the transcript can give and keep TRANSCRIPT_ROWS_LEAST rows
        if view is not None and view.isVisible():
            # what the transcript can give and keep its TRANSCRIPT_ROWS
            row = view.verticalHeader().defaultSectionSize()
            spare = max(0, view.viewport().height() - TRANSCRIPT_ROWS * row)
            keep = max(TRANSCRIPT_ROWS_LEAST * row, rows_in_sight_height(view))
            give = max(0, view.viewport().height() - keep)
            want = min(want, below + spare)
        rows_view = rows_of(dock) if fit or least else None
        if least and rows_view is not None:
            holder = rows_view.parentWidget()
            room = holder.height() if isinstance(holder, WholeRows) else rows_view.height()
            chrome = 2 * rows_view.frameWidth()
            if isinstance(rows_view, QTableView):
                chrome += rows_view.horizontalHeader().height()
            need = chrome + least * _row_height(rows_view)
            grown = max(0, want - below)
            short = need - (room + grown)  # after the growth planned above
            if short > 0:
                want = below + max(grown, min(grown + short, give))
        rows_view = rows_view if fit else None
        if rows_view is not None:
            need = rows_height(rows_view)
            holder = rows_view.parentWidget()
            # a table that shows whole rows has the room of its holder (it may be shorter)
            room = holder.height() if isinstance(holder, WholeRows) else rows_view.height()
            grow = max(0, need - room)
            want = min(want, dock.height() + tab_bar_height(win, dock) + grow)
        if dock.height() < want - 8:
            win.resizeDocks([dock], [want], Qt.Orientation.Vertical)
            self._grown[dock] = want

    def give_room_back(self, dock: QDockWidget) -> None:
        """The results a bottom dock grew for are gone (a retrieval that matches nothing, a
        code deleted, a search that finds nothing): it goes back to its rows (Retrieval stayed
        174 px tall and blank at 1024x700, its table hidden). A dock the user made taller than
        results made it stays so."""
        grown = self._grown.pop(dock, 0)
        if (
            not grown
            or not self._in_bottom(dock)
            or dock.widget() is None
            or dock.widget().visibleRegion().isEmpty()  # closed, or a tab behind another
            or dock.height() > grown + 8
        ):
            return
        # the minimum without the rows just hidden (it is worked out when the layout is next
        # laid out); resizeDocks sizes the dock with its tab bar
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        want = dock.minimumSizeHint().height() + tab_bar_height(self.window, dock)
        self.window.resizeDocks([dock], [want], Qt.Orientation.Vertical)

    def _in_bottom(self, dock: QDockWidget) -> bool:
        win = self.window
        return (
            self.active
            and not dock.isFloating()
            and win.dockWidgetArea(dock) == Qt.DockWidgetArea.BottomDockWidgetArea
        )

    def _watch(self, dock: QDockWidget) -> None:
        """Take ``dock``'s height each time it goes behind another tab: until the area is
        laid out again it is the height it had in front."""
        if dock in self._watched:
            return
        self._watched.add(dock)

        def gone(visible: bool) -> None:
            # a window destroyed without being closed hides its docks while its C++ side is
            # already gone ("MainWindow already deleted")
            if not shiboken6.isValid(self.window) or not shiboken6.isValid(dock):
                return
            if not visible and self._in_bottom(dock):
                self._own[dock] = dock.height()

        dock.visibilityChanged.connect(gone)
        dock.destroyed.connect(lambda: self._forget(dock))

    def _forget(self, dock: QDockWidget) -> None:
        self._watched.discard(dock)
        self._own.pop(dock, None)

    def _tab_chosen(self, dock: QDockWidget) -> None:
        """A bottom tab came in front: it gets its own height back. The area kept the height
        of the tab it showed, at least the new tab's minimum: Search, its query row (46 px at
        1024x700), stayed 88 px after the Retrieval tab's filter and count rows."""
        win = self.window
        if not self._in_bottom(dock):
            self._left_tab_chosen(dock)
            return
        for tab in (dock, *win.tabifiedDockWidgets(dock)):
            self._watch(tab)
        own = self._own.get(dock)
        if own is not None and own != dock.height():
            win.resizeDocks([dock], [own + tab_bar_height(win, dock)], Qt.Orientation.Vertical)

    # ------------------------------------------------------------------ memory
    def save(self) -> None:
        """Remember the layout for this screen size."""
        if not self.active:
            return
        key = f"layout/{screen_key(self.window)}"
        self.q.setValue(f"{key}/state", self.window.saveState(_LAYOUT_VERSION))
        self.q.setValue(f"{key}/geometry", self.window.saveGeometry())

    def restore(self) -> bool:
        """Bring back the layout remembered for this screen size (False when there is none)."""
        key = f"layout/{screen_key(self.window)}"
        state = self.q.value(f"{key}/state")
        geometry = self.q.value(f"{key}/geometry")
        if not isinstance(state, QByteArray | bytes):
            return False
        if isinstance(geometry, QByteArray | bytes):
            self.window.restoreGeometry(QByteArray(geometry))
        ok = self.window.restoreState(QByteArray(state), _LAYOUT_VERSION)
        drop_retired_tab_bars(self.window)
        fit_to_screen(self.window)
        if ok:
            # search hits and retrieved codings are not remembered: the bottom docks open
            # empty, as their query rows (results make room again when they come)
            self.default_bottom()
        return bool(ok)

    def shown(self) -> None:
        """The workbench appeared: the remembered layout, or the default one."""
        self.active = True
        fit_to_screen(self.window)
        if not self.restore():
            self.default_layout()

    def hidden(self) -> None:
        """The workbench is going away (start page, closing): remember it first."""
        self.save()
        self.active = False

    # ------------------------------------------------------------------ events
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.window
            and self.active
            and isinstance(event, QResizeEvent)
            and event.size().width() > event.oldSize().width()
        ):
            # a wider window gives the codebook its width back
            QTimer.singleShot(0, self.widen_codebook)
        return False

    def widen_codebook(self, opened: QDockWidget | None = None) -> None:
        """The codebook's width for this window (a wider one, a panel just opened as its tab),
        given to its tab group, which shares one width: with a panel tabbed in front of it
        (Ethics, Speakers) the codebook is hidden, and the group kept the width the panel
        opened at (290 px at 1366x768, where the codebook alone is 300). ``opened``: the panel
        just opened; one elsewhere leaves the codebook as the user made it."""
        codebook, win = self.codebook, self.window
        if not shiboken6.isValid(win) or not shiboken6.isValid(codebook):
            return  # queued by a resize of a window destroyed since
        if not codebook.toggleViewAction().isChecked() or codebook.isFloating():
            return  # closed by the user, or floating: not the window's layout
        group = [codebook, *win.tabifiedDockWidgets(codebook)]
        if opened is not None and opened not in group:
            return
        front = next((d for d in group if d.isVisible()), None)
        if front is None:
            return
        want = clamp(win.width() * 0.22, CODEBOOK_WIDTH, 340)
        if front.width() < want - 8:
            win.resizeDocks([front], [want], Qt.Orientation.Horizontal)
