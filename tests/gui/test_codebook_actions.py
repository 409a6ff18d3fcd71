"""The codebook's actions on "the selected code" are greyed out while no code is selected."""

from __future__ import annotations

from typing import Any

from gui.codebook_view import CodebookPanel
from storage.core.models import Code


def _code(cid: str, name: str, parent: str | None = None) -> Code:
    return Code(cid, parent, name, "#336699", None, "ana", "2026-01-01", "2026-01-01")


def test_code_actions_wait_for_a_selected_code(qtbot: Any) -> None:
    panel = CodebookPanel()
    qtbot.addWidget(panel)
    emitted: list[object] = []
    panel.add_requested.connect(emitted.append)
    panel.delete_requested.connect(emitted.append)
    # an empty codebook: only New code does something
    assert panel.act_new.isEnabled()
    for act in (
        panel.act_sub,
        panel.act_rename,
        panel.act_colour,
        panel.act_describe,
        panel.act_merge,
        panel.act_delete,
        panel.act_memo,
        panel.act_retrieve,
    ):
        assert not act.isEnabled(), act.text()
    panel.model.load([_code("c1", "Доверие"), _code("c2", "Қазақ тілі", "c1")], {})
    assert not panel.act_sub.isEnabled()  # codes, but none selected yet
    panel.select_code("c2")
    assert panel.act_sub.isEnabled() and panel.act_delete.isEnabled()
    panel.act_sub.trigger()
    assert emitted == ["c2"]  # a sub-code of the selected code
    panel.model.load([], {})
    assert not panel.act_delete.isEnabled()  # the selected code went away


def test_a_new_code_is_selected_so_sub_code_applies_to_it(window: Any, idle: Any) -> None:
    """After New code nothing was selected: Sub-code stayed greyed out (before: made another
    top-level code) until the user found and clicked the new code."""
    cb = window.codebook
    window.editing.add_code("Доверие")
    idle(window)
    current = cb.current_code()
    assert current is not None and current.name == "Доверие"
    assert cb.act_sub.isEnabled()
    window.editing.add_code("Қазақ тілі", current.id)
    idle(window)
    child = cb.current_code()
    assert child is not None and child.name == "Қазақ тілі" and child.parent_id == current.id


def test_a_selected_sub_code_does_not_reopen_its_closed_branch(window: Any, idle: Any) -> None:
    """Reading the codebook again re-selected the current code and scrolled to it, which
    opened the branch the user had closed (Collapse all, then any coding)."""
    window.editing.add_code("Доверие")
    idle(window)
    top = window.codebook.current_code()
    assert top is not None
    window.editing.add_code("Қазақ тілі", top.id)
    idle(window)
    assert window.codebook.current_code().name == "Қазақ тілі"  # type: ignore[union-attr]
    window.codebook.act_collapse_all.trigger()
    window.editing.reload_codebook()
    idle(window)
    tree, model = window.codebook.tree, window.codebook.model
    assert not tree.isExpanded(model.index_of(top.id))
    assert window.codebook.current_code().name == "Қазақ тілі"  # type: ignore[union-attr]


def test_a_code_name_with_an_ampersand_reads_whole_in_the_right_click_menu(
    qtbot: Any, monkeypatch: Any
) -> None:
    """Right-click on "Q&A": the menu offered "Code the selection with “QA”" (Qt took the
    "&" for the item's underlined letter)."""
    from PySide6.QtCore import QPoint

    from gui.menu_keys import without_mark
    from tests.gui.modal_guard import answer_menus

    panel = CodebookPanel()
    qtbot.addWidget(panel)
    panel.model.load([_code("c1", "Q&A")], {})
    panel.select_code("c1")
    shown: list[str] = []
    answer_menus(monkeypatch, lambda menu: shown.extend(a.text() for a in menu.actions()))
    panel.tree.customContextMenuRequested.emit(QPoint(5, 5))
    # "&&" is how a menu item shows one "&" (a single "&" marks the item's own letter)
    assert without_mark(shown[0]) == "Code the selection with “Q&&A”"
