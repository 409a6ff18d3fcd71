"""Pinned codes: codes pinned to keys 1-9 (quick coding), and the menu items that name them."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog

from gui.edit_scope import EditScope
from gui.menu_keys import menu_name
from gui.settings import Settings


class PinnedCodes:
    """The project's pins (kept in the settings) and the Code menu's "Pinned code n" items."""

    def __init__(
        self,
        scope: EditScope,
        settings: Settings,
        apply_code: Callable[[str], None],
    ) -> None:
        self.state, self.chrome, self.views = scope.state, scope.chrome, scope.views
        self.settings = settings
        self.apply_code = apply_code
        self.actions: list[QAction] = []  # the menu items, once the Code menu is built

    def pinned_codes(self) -> list[str]:
        """Code ids pinned to keys 1-9 ("" for a key with no pin). Only pins code: a digit
        typed by mistake never applies an arbitrary code."""
        if self.state.project is None:
            return []
        pins = self.settings.pins(self.state.project.id)
        known = {c.id for c in self.views.codebook.model.codes()}
        return [p if p in known else "" for p in pins]

    def name_pin_actions(self) -> None:
        """Menu items say which code each key applies: "Pinned code 1: Corruption".

        Run when the Code menu opens and when a pin changes (reading the pins asks the
        project for its id: never while the project is being loaded)."""
        pins = self.pinned_codes()
        for n, action in enumerate(self.actions, start=1):
            code_id = pins[n - 1] if n <= len(pins) else ""
            code = self.views.segment_model.code(code_id) if code_id else None
            if code is not None:
                # a name's "&" is a letter to read, not the item's underlined one; a long
                # name cut (the tooltip and the codebook have it whole)
                action.setText(f"Pinned code {n}: {menu_name(code.name)}")
                action.setToolTip(f"Code the selection with {code.path} (key {n} or Ctrl+{n})")
            else:
                action.setText(f"Pinned code {n}: none (right-click a code ▸ Pin to key…)")

    def quick_code(self, n: int) -> None:
        """Apply the code pinned to key ``n``."""
        pins = self.pinned_codes()
        if 1 <= n <= len(pins) and pins[n - 1]:
            self.apply_code(pins[n - 1])
        else:
            self.chrome.message(
                f"No code pinned to key {n}: right-click a code in the codebook ▸ Pin to key…",
                4000,
            )

    def pin_dialog(self, code_id: str) -> None:
        if self.state.project is None:
            return
        n, ok = QInputDialog.getInt(self.chrome.window, "Pin code", "Key (1-9):", 1, 1, 9)
        if ok:
            self.pin_code(code_id, n)

    def pin_code(self, code_id: str, key: int) -> None:
        """Pin a code to quick key ``key`` (1-9)."""
        assert self.state.project is not None
        pins = (self.settings.pins(self.state.project.id) + [""] * 9)[:9]
        pins = ["" if p == code_id else p for p in pins]
        pins[key - 1] = code_id
        self.settings.set_pins(self.state.project.id, pins)
        self.name_pin_actions()
