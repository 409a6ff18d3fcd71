"""Full-text search across the project; activating a hit jumps to the segment and plays it."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.chrome import bring_to_front
from gui.fmt import fmt_ms, plural, verb
from gui.keyboard import KeysOf, tab_in_order
from gui.languages import UNKNOWN_LANGUAGE
from gui.qtcompat import emit
from storage.core.languages import language_name
from storage.core.models import SearchHit

HIT_ROLE = Qt.ItemDataRole.UserRole + 1


#: words shown before the first [match] of a hit: a long segment starts with an ellipsis there
LEAD_CHARS = 40


def around_match(marked: str) -> str:
    """A hit's text from a little before its first [match] (at a word's start), so the words
    found are in sight on one line; the whole text is the tooltip."""
    at = marked.find("[")
    if at <= LEAD_CHARS:
        return marked
    space = marked.find(" ", at - LEAD_CHARS, at)  # the first word wholly in the lead
    start = space + 1 if space >= 0 else at - LEAD_CHARS
    return "…" + marked[start:]


class HitList(QListWidget):
    """The hits, a line each, shown whole: the part of the list that would show a line cut in
    half (its lower half missing under the whole ones, at 1366x768 the eleventh hit's top)
    stays blank at the bottom of the frame; the list scrolls for the rest."""

    def fit_rows(self) -> None:
        """Leave blank what would show part of a line (again when lines come in)."""
        inner = self.height() - 2 * self.frameWidth()
        row = self.sizeHintForRow(0) if self.count() else self.fontMetrics().lineSpacing()
        blank = inner % row if row > 0 and inner >= row else 0
        if self.viewportMargins().bottom() != blank:
            self.setViewportMargins(0, 0, 0, blank)

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt's name
        self.fit_rows()
        super().resizeEvent(event)


class SearchPanel(QWidget):
    """A query box and the hits, best first."""

    search_requested = Signal(str)
    hit_activated = Signal(str, str)  # session id, segment id
    results_shown = Signal(int)  # how many hits are listed
    code_hits_requested = Signal(list)  # segment ids: the selected hits, else every hit

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.query = QLineEdit(self)
        self.query.setPlaceholderText(
            'Search all transcripts: words, "a phrase", trust OR data, коррупц* (prefix)…'
        )
        self.query.setClearButtonEnabled(True)
        self.query.returnPressed.connect(lambda: emit(self.search_requested, self.query.text()))
        self.query.textChanged.connect(self._query_edited)
        self.language_box = QComboBox(self)
        self.language_box.setToolTip("Only segments in this language")
        self.set_languages([])
        self.language_box.activated.connect(self._language_changed)
        self.forms = QCheckBox("Word forms", self)
        self.forms.setToolTip(
            "Also find other forms of each word: its stem as a prefix "
            "(коррупция finds коррупции, коррупцию; адамдарға finds адам). "
            "Without it, add * yourself: коррупц*"
        )
        self.forms.toggled.connect(self._forms_toggled)
        self.info = QLabel(self)  # how many found: short, on the query row
        self.message = QLabel(self)  # an error or a hint: a line of its own, wrapped
        self.message.setWordWrap(True)
        self._found: list[str] = []  # every segment the last query found (``show_hits``)
        self.results = HitList(self)
        self.results.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.results.itemActivated.connect(self._activated)
        # a hit is a line: the words found in sight (``around_match``), the end elided, never
        # a sideways scroll (a long segment put its words out of sight, and the bar took a row)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.results.setUniformItemSizes(True)
        # however short the window, three hits show (the transcript gives way to them)
        self.results.setMinimumHeight(
            3 * self.results.fontMetrics().lineSpacing() + 2 * self.results.frameWidth() + 2
        )
        self.code_button = QPushButton("Code hits…", self)
        self.code_button.setToolTip(
            "Code the segments found (the selected ones, else all) with a code of the codebook"
        )
        self.code_button.clicked.connect(self._code_hits)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        top.addWidget(self.query, 1)
        top.addWidget(self.forms)
        top.addWidget(self.language_box)
        # the count and Code hits… share the query row: a row of their own took a hit's
        # room and the transcript's at 1024x700
        top.addWidget(self.info)
        top.addWidget(self.code_button)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.results, 1)
        layout.addStretch(0)
        # Tab as the row reads: the language list was made before Word forms, so Tab went
        # from the query to the list at the far right, then back to the box beside the query
        tab_in_order([self.query, self.forms, self.language_box, self.code_button, self.results])
        # Down from the query goes to the hits (Enter opens one): the query's Enter searched
        # again, and only four Tabs reached the list
        self.query_keys = KeysOf(self.query, {Qt.Key.Key_Down: self.focus_hits})
        # empty, the dock is a query row: no blank list taking the transcript's room
        self.info.hide()
        self.message.hide()
        self.results.hide()
        self.code_button.hide()

    def focus_hits(self) -> None:
        """The keyboard in the hits, on the current one (the first at first), if any."""
        if self.results.isVisible() and self.results.count():
            if self.results.currentRow() < 0:
                self.results.setCurrentRow(0)
            self.results.setFocus(Qt.FocusReason.OtherFocusReason)

    def focus_query(self) -> None:
        """Show the Search dock (in front of Retrieval or whatever shares its place) and put
        the cursor in the query box."""
        widget = self.parentWidget()
        while widget is not None and not isinstance(widget, QDockWidget):
            widget = widget.parentWidget()
        if widget is not None:
            bring_to_front(widget)
        self.query.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.query.selectAll()

    def set_languages(self, codes: list[str]) -> None:
        """Offer "All languages" and each of ``codes`` (the languages present in the project)."""
        current = self.language()
        self.language_box.clear()
        self.language_box.addItem("All languages", None)
        # "": segments whose language nobody knows (speech without transcript no reading was
        # sure of, typed in): the filter that finds them to set one (Edit ▸ Set language…)
        items = [(f"{code.upper()} · {language_name(code)}", code) for code in codes]
        for label, code in items + ([(UNKNOWN_LANGUAGE, "")] if codes else []):
            self.language_box.addItem(label, code)
            if code == current:
                self.language_box.setCurrentIndex(self.language_box.count() - 1)

    def language(self) -> str | None:
        """The language filter: a code, "" for segments of no known language, None for all."""
        value = self.language_box.currentData()
        return None if value is None else str(value)

    def _query_edited(self, text: str) -> None:
        """A query cleared (its ✕ button, or erased) clears the results of the old one."""
        if not text.strip():
            self.results.clear()
            self.info.hide()
            self.message.hide()
            self.results.hide()
            self.code_button.hide()

    def _language_changed(self, _index: int) -> None:
        self.search_again()

    def _forms_toggled(self, _checked: bool) -> None:
        self.search_again()

    def search_again(self) -> None:
        """Run the query shown again (its filters or the transcripts changed)."""
        if self.query.text().strip():
            emit(self.search_requested, self.query.text())

    def show_hits(
        self,
        hits: list[SearchHit],
        redacted: dict[str, list[tuple[str, str]]] | None = None,
        found: list[str] | None = None,
        elsewhere: int = 0,
    ) -> None:
        """Show search results (``redacted``: a segment id -> the words of it that exports
        hide, with what they show instead; such a hit says so, as the transcript marks them;
        ``found``: the ids of every segment the query finds, when only the best ``hits`` are
        listed: Code hits… codes them all; ``elsewhere``: with a language chosen and nothing
        found in it, the segments the query finds in the others)."""
        self.results.clear()
        self._found = list(found or [])
        for hit in hits:
            speaker = f"{hit.speaker}: " if hit.speaker else ""
            lang = f"[{hit.language.upper()}] " if hit.language else ""
            hidden = (redacted or {}).get(hit.segment_id, [])
            note = f" · redacted: {', '.join(p for _w, p in hidden)}" if hidden else ""
            item = QListWidgetItem(
                f"{hit.session_title} · {fmt_ms(hit.start_ms)} · {lang}{speaker}"
                f"{around_match(hit.marked)}{note}"
            )
            item.setData(HIT_ROLE, hit)
            tip = html.escape(hit.text)
            for words, placeholder in hidden:
                tip += html.escape(f"\nRedacted “{words}”: exports show {placeholder}")
            item.setToolTip(tip)
            if hidden:
                item.setBackground(QColor(0, 0, 0, 30))  # the grey of redacted words
            self.results.addItem(item)
        total = max(len(self._found), len(hits))
        if total > len(hits):  # "500 segments found" when the query found 4,500
            self.info.setText(f"{len(hits)} of {plural(total, 'segment')} found")
            self.info.setToolTip(
                f"The best {len(hits)} are listed: a phrase or a language finds fewer. "
                f"Code hits… codes all {total} (or the hits selected in the list)."
            )
        else:
            self.info.setText(f"{plural(len(hits), 'segment')} found" if hits else "Nothing found.")
            self.info.setToolTip("")
        self.info.show()
        self.message.hide()
        if elsewhere and not hits:
            # "Nothing found." alone read as if the words were nowhere in the project
            self.message.setText(
                f"{plural(elsewhere, 'segment')} in other languages "
                f"{verb(elsewhere, 'matches')}: choose All languages to see "
                f"{verb(elsewhere, 'it', 'them')}."
            )
            self.message.show()
        self.results.setVisible(bool(hits))
        self.results.fit_rows()
        self.code_button.setVisible(bool(hits))
        emit(self.results_shown, len(hits))

    def hit_segments(self) -> list[str]:
        """The segment ids of the selected hits, else of every segment found (listed or not)."""
        selected = self.results.selectedItems()
        if not selected and len(self._found) > self.results.count():
            return list(self._found)
        items = selected or [self.results.item(i) for i in range(self.results.count())]
        return [item.data(HIT_ROLE).segment_id for item in items]

    def _code_hits(self) -> None:
        ids = self.hit_segments()
        if ids:
            emit(self.code_hits_requested, ids)

    def show_message(self, text: str) -> None:
        """Show an error or a hint instead of results."""
        self.results.clear()
        self.message.setText(text)
        self.message.show()
        self.info.hide()
        self.results.hide()
        self.code_button.hide()

    def _activated(self, item: QListWidgetItem) -> None:
        hit: SearchHit = item.data(HIT_ROLE)
        emit(self.hit_activated, hit.session_id, hit.segment_id)
