"""The one text-input dialog (gui/ask_dialog.py): a long Russian code name reads whole as it is
typed (``QInputDialog`` was 200 px wide and scrolled it out of sight), a longer one stops at the
screen's edge with the label wrapped, a passphrase is not shown."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QPlainTextEdit

from gui.ask_dialog import LETTERS, AskDialog, letters_px

#: the real one (the tests' guard refuses ``AskDialog.ask`` unless a test answers it)
REAL_ASK = AskDialog.__dict__["ask"]
NAME = "Недоверие к государственным институтам и местной власти"


def _type(edit: QLineEdit, text: str) -> None:
    """Type ``text`` letter by letter (``QTest.keyClicks`` knows ASCII keys only: it aborts on
    Cyrillic)."""
    for letter in text:
        edit.insert(letter)


def _shot(tmp_path: Path, name: str) -> str:
    return str(Path(os.environ.get("FIELDSCRIBE_SHOTS", tmp_path)) / name)


def test_a_long_russian_code_name_reads_whole_as_it_is_typed(
    window: Any, qtbot: Any, idle: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Code ▸ New code…: the name typed stays whole in sight, and the code is made."""
    seen: dict[str, Any] = {}

    def typed(dialog: QDialog) -> int:
        edit = dialog.findChild(QLineEdit)
        assert edit is not None
        dialog.show()
        qtbot.waitExposed(dialog)
        _type(edit, NAME)
        QApplication.processEvents()
        dialog.grab().save(_shot(tmp_path, "new_code_long_name.png"))
        seen.update(
            title=dialog.windowTitle(),
            edit=edit.width(),
            text=edit.fontMetrics().horizontalAdvance(NAME),
            dialog=dialog.frameGeometry().width(),
            screen=dialog.screen().availableGeometry().width(),
            shown=edit.displayText(),
        )
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(AskDialog, "ask", REAL_ASK)
    monkeypatch.setattr(QDialog, "exec", typed)
    window.editing.codes.add_code_dialog(None)
    idle(window)
    assert seen["title"] == "New code" and seen["shown"] == NAME
    # the whole name in the field (QInputDialog's was 178 px for its 391 px)
    assert seen["edit"] >= seen["text"], seen
    assert seen["dialog"] <= seen["screen"], seen
    assert window.project.codebook.find_code(NAME) is not None


def test_it_holds_fifty_letters_and_grows_up_to_the_screen_with_its_label_wrapped(
    qtbot: Any,
) -> None:
    dialog = AskDialog(None, "Rename session", "Session title:")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.edit.width() >= letters_px(dialog.edit.fontMetrics(), LETTERS)
    long_one = " ".join([NAME] * 6)  # a value wider than the screen
    label = "Что участники говорили о доверии к местной власти? " * 5
    wide = AskDialog(None, "Rename session", label, long_one)
    qtbot.addWidget(wide)
    wide.show()
    qtbot.waitExposed(wide)
    screen = wide.screen().availableGeometry()
    assert dialog.width() < wide.width() <= screen.width()
    assert wide.frameGeometry().width() <= screen.width()
    assert wide.label.wordWrap() and wide.label.width() <= wide.width()
    assert wide.value() == long_one


def test_a_choice_and_a_passphrase(qtbot: Any) -> None:
    items = ["Модератор", "Участница 1 (Айгерім)", "Участник 2"]
    choice = AskDialog(None, "Merge speakers", "Give all segments to:", items[1], items=items)
    qtbot.addWidget(choice)
    assert choice.combo is not None and not choice.combo.isEditable()
    assert choice.value() == items[1]
    free = AskDialog(None, "Redact", "Category:", "место", items=["NAME", "PLACE"], editable=True)
    qtbot.addWidget(free)
    assert free.value() == "место"  # typed freely, not one of the items
    secret = AskDialog(None, "Encrypted bundle", "Passphrase of team.fsbundle.enc:", password=True)
    qtbot.addWidget(secret)
    assert secret.edit.echoMode() == QLineEdit.EchoMode.Password
    _type(secret.edit, "сезам")
    assert secret.value() == "сезам" and secret.edit.displayText() != "сезам"


def test_ask_answers_what_was_typed_or_cancel(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """``AskDialog.ask``: (text, True) on OK, (…, False) on Cancel, as ``QInputDialog``'s."""

    def answer(keys: str, ok: bool) -> Any:
        def exec_(dialog: QDialog) -> int:
            dialog.show()  # Return presses its default button once shown
            edit = dialog.findChild(QLineEdit)
            _type(edit, keys)
            QTest.keyClick(edit, Qt.Key.Key_Return if ok else Qt.Key.Key_Escape)
            return int(dialog.result())

        return exec_

    monkeypatch.setattr(AskDialog, "ask", REAL_ASK)
    monkeypatch.setattr(QDialog, "exec", answer("Ержан", True))
    assert AskDialog.ask(None, "Add participant", "Pseudonym:") == ("Ержан", True)
    monkeypatch.setattr(QDialog, "exec", answer("P07", False))
    assert AskDialog.ask(None, "Add participant", "Pseudonym:")[1] is False


def test_a_code_description_wraps_in_its_field(
    window: Any, qtbot: Any, idle: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Codebook ▸ Describe: QInputDialog's field of several lines was 256 px wide and did not
    wrap: a Russian description ran on out of sight. It wraps now, about 50 letters a line."""
    text = (
        "Используется, когда участник выражает недоверие к государственным институтам и "
        "местной власти, например к акимату или поликлинике."
    )
    code = window.project.codebook.add_code("Недоверие")
    window.editing.reload_codebook()
    idle(window)
    seen: dict[str, Any] = {}

    def typed(dialog: QDialog) -> int:
        memo = dialog.findChild(QPlainTextEdit)
        assert memo is not None
        dialog.show()
        qtbot.waitExposed(dialog)
        memo.setPlainText(text)
        QApplication.processEvents()
        dialog.grab().save(_shot(tmp_path, "describe_code.png"))
        seen.update(
            title=dialog.windowTitle(),
            sideways=memo.horizontalScrollBar().maximum(),
            width=memo.viewport().width(),
            letters=letters_px(memo.fontMetrics(), LETTERS),
            lines=memo.document().lineCount(),
        )
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(AskDialog, "ask", REAL_ASK)
    monkeypatch.setattr(QDialog, "exec", typed)
    window.editing.codes.describe_dialog(code.id)
    idle(window)
    assert seen["title"] == "Describe code"
    assert seen["sideways"] == 0 and seen["width"] >= seen["letters"] - 20, seen
    qtbot.waitUntil(lambda: window.project.codebook.find_code("Недоверие").description == text)


def test_a_memo_typed_into_goes_on_after_what_it_says(qtbot: Any) -> None:
    """An existing memo is not selected: a key typed adds to it, it does not replace it."""
    memo = AskDialog(None, "Coding memo", "Memo:", "Говорит о взятках.", multiline=True)
    qtbot.addWidget(memo)
    memo.show()
    assert memo.memo is not None
    memo.memo.insertPlainText(" Ещё")
    assert memo.value() == "Говорит о взятках. Ещё"


@pytest.mark.parametrize("how", ["merge", "new project"])
def test_a_bundles_passphrase_is_typed_in_a_field_that_hides_it(
    window: Any, idle: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, how: str
) -> None:
    """Team ▸ Merge bundles… and Start a project from a team bundle… on an encrypted bundle:
    the real dialog, its field in password echo mode (cancelled: nothing happens)."""
    from PySide6.QtWidgets import QFileDialog

    from storage.team.bundle_export import export_bundle_file

    bundle = tmp_path / "Айгерім.fsbundle.enc"
    export_bundle_file(window.project, bundle, passphrase="сезам")
    shown: list[tuple[str, Any]] = []

    def cancel(dialog: QDialog) -> int:
        edit = dialog.findChild(QLineEdit)
        shown.append((dialog.windowTitle(), edit.echoMode() if edit is not None else None))
        return int(QDialog.DialogCode.Rejected)

    monkeypatch.setattr(AskDialog, "ask", REAL_ASK)
    monkeypatch.setattr(QDialog, "exec", cancel)
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", staticmethod(lambda *_a, **_k: ([str(bundle)], ""))
    )
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *_a, **_k: (str(bundle), ""))
    )
    team = window.team_actions
    (team.merge_bundles_dialog if how == "merge" else team.new_from_bundle_dialog)()
    idle(window)
    assert shown == [("Encrypted bundle", QLineEdit.EchoMode.Password)]


def test_ask_takes_the_dialogs_parameters_written_once(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``AskDialog.ask`` repeated ``__init__``'s whole parameter list (an option added to one
    and not the other would be refused, or dropped); it is now made from ``__init__``. Every
    option still reaches the dialog, by position or by name, as the callers give them."""
    import ast
    import inspect

    import gui.ask_dialog

    tree = ast.parse(inspect.getsource(gui.ask_dialog))
    declaring = [
        f.name
        for f in ast.walk(tree)
        if isinstance(f, ast.FunctionDef)
        and {"multiline", "password"} <= {a.arg for a in f.args.kwonlyargs}
    ]
    assert declaring == ["__init__"]
    shown: list[Any] = []

    def accept(dialog: QDialog) -> int:
        shown.append(dialog)
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(AskDialog, "ask", REAL_ASK)
    monkeypatch.setattr(QDialog, "exec", accept)
    items = ["NAME", "PLACE"]
    assert AskDialog.ask(None, "Redact", "Category:", "место", items=items, editable=True) == (
        "место",
        True,
    )
    assert shown[-1].combo is not None and shown[-1].combo.isEditable()
    assert AskDialog.ask(parent=None, title="Bundle", label="Passphrase:", password=True)[1]
    assert shown[-1].edit.echoMode() == QLineEdit.EchoMode.Password
    assert shown[-1].windowTitle() == "Bundle"
    assert AskDialog.ask(None, "Coding memo", "Memo:", "Говорит.", multiline=True) == (
        "Говорит.",
        True,
    )
    with pytest.raises(TypeError):
        AskDialog.ask(None, "Rename", "Title:", colour="red")
