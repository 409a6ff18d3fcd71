"""Tab walks each dialog's fields in the order they are read (top to bottom, left to right):
a field whose widget was made after the dialog's buttons was reached only after OK and Cancel
(Project settings: languages, OK, Cancel, then the model and the numbers)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from storage import Project


def shown_active(window: QWidget, qtbot: Any) -> None:
    """``window`` shown and made the active window (offscreen too: the platform activates
    it a moment after the request, so wait for it; keys then go where a user's would)."""
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def tab_chain(dialog: QDialog, qtbot: Any) -> list[QWidget]:
    """The widgets Tab reaches from the dialog's first one, once round."""
    shown_active(dialog, qtbot)
    dialog.focusNextChild()
    first = QApplication.focusWidget()
    assert first is not None and dialog.isAncestorOf(first)
    chain = [first]
    for _ in range(60):
        QTest.keyClick(chain[-1], Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        if now is None or now is first:
            break
        if now is not chain[-1]:  # a date's day, month and year take Tab in turn
            chain.append(now)
    return chain


def _rect(dialog: QDialog, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(dialog, widget.rect().topLeft()), widget.size())


def out_of_order(dialog: QDialog, qtbot: Any) -> list[str]:
    """Pairs of fields Tab takes in another order than they are read, from the first
    field: the next one lies lower, or on the same line further right."""
    chain = tab_chain(dialog, qtbot)
    wrong = []
    # from the topmost, leftmost field round: the chain is a circle, read from where it starts
    start = min(
        range(len(chain)),
        key=lambda i: (_rect(dialog, chain[i]).top(), _rect(dialog, chain[i]).left()),
    )
    ordered = chain[start:] + chain[:start]
    for a, b in itertools.pairwise(ordered):
        ra, rb = _rect(dialog, a), _rect(dialog, b)
        same_line = rb.top() < ra.bottom() and ra.top() < rb.bottom()
        if not (rb.top() >= ra.bottom() - 2 or (same_line and rb.left() > ra.left())):
            wrong.append(f"{type(a).__name__} {ra.getRect()} -> {type(b).__name__} {rb.getRect()}")
    return wrong


def _project_settings(_p: Project) -> QDialog:
    from gui.languages import LanguagesDialog

    return LanguagesDialog(["ru"], models=["tiny.en", "base"], model="base", numbers="words")


def _new_project(_p: Project) -> QDialog:
    from gui.onboarding import NewProjectDialog

    return NewProjectDialog("Field", "aigerim")


def _bundle(_p: Project) -> QDialog:
    from gui.team_actions import BundleExportDialog

    return BundleExportDialog()


def _export_options(_p: Project) -> QDialog:
    from gui.export_options import ExportOptionsDialog

    return ExportOptionsDialog("Export", media=True)


def _speakers(_p: Project) -> QDialog:
    from gui.panels import SpeakerCountDialog

    return SpeakerCountDialog(2)


def _lead(p: Project) -> QDialog:
    from gui.team_lead import LeadDialog

    return LeadDialog(p)


def _session(p: Project) -> QDialog:
    from gui.session_details import SessionDetailsDialog

    return SessionDetailsDialog(p.sessions.add_session("Interview"))


def _settings(p: Project) -> QDialog:
    from gui.settings import Settings, SettingsDialog

    return SettingsDialog(Settings(), project=p)


DIALOGS: dict[str, Callable[[Project], QDialog]] = {
    "Project settings": _project_settings,
    "New project": _new_project,
    "Export a bundle": _bundle,
    "Export options": _export_options,
    "Detect speakers": _speakers,
    "Project lead": _lead,
    "Session details": _session,
    "Settings": _settings,
}


@pytest.mark.parametrize("name", sorted(DIALOGS))
def test_tab_goes_through_a_dialog_in_reading_order(
    name: str, project: Project, qtbot: Any, qsettings: Any
) -> None:
    dialog = DIALOGS[name](project)
    qtbot.addWidget(dialog)
    assert out_of_order(dialog, qtbot) == []
    dialog.reject()


def _guide() -> Any:
    from gui.interview_guide import GuideBox

    box = GuideBox()
    return box, box.edit


def _memo_question() -> Any:
    from gui.ask_dialog import AskDialog

    dialog = AskDialog(None, "Describe", "Description:", "", multiline=True)
    return dialog, dialog.memo


@pytest.mark.parametrize("make", [_guide, _memo_question], ids=["interview guide", "memo"])
def test_tab_leaves_a_text_of_several_lines(make: Callable[[], Any], qtbot: Any) -> None:
    """Tab in a guide or a memo typed a tab character and kept the keys there (only
    Ctrl+Tab, which few know, got out): it now goes on to the next field."""
    holder, text = make()
    qtbot.addWidget(holder)
    shown_active(holder, qtbot)
    text.setFocus()
    qtbot.waitUntil(text.hasFocus)
    QTest.keyClicks(text, "Why?")
    QTest.keyClick(text, Qt.Key.Key_Tab)
    assert text.toPlainText() == "Why?" and not text.hasFocus()


def test_a_dialog_whose_tab_order_is_broken_is_found(qtbot: Any) -> None:
    """The check walks the real keys: two fields read top to bottom but set to be tabbed
    bottom first, and a Project settings dialog whose first field Tab reaches after its second,
    are both reported."""
    from PySide6.QtWidgets import QDialogButtonBox, QLineEdit, QVBoxLayout

    dialog = QDialog()
    qtbot.addWidget(dialog)
    top, bottom = QLineEdit(), QLineEdit()
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
    layout = QVBoxLayout(dialog)
    for widget in (top, bottom, buttons):
        layout.addWidget(widget)
    assert out_of_order(dialog, qtbot) == []
    QWidget.setTabOrder(bottom, top)
    QWidget.setTabOrder(top, buttons)
    assert out_of_order(dialog, qtbot) != []
    dialog.reject()

    settings = _project_settings(None)  # type: ignore[arg-type]
    qtbot.addWidget(settings)
    first = tab_chain(settings, qtbot)
    QWidget.setTabOrder(first[1], first[0])  # the first field now comes after the second
    assert out_of_order(settings, qtbot) != []
    settings.reject()
