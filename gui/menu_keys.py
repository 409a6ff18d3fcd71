"""One underlined letter (a mnemonic) for every item of the menu bar's menus.

Alt+F opened the File menu, but no item in it had a letter of its own: a keyboard user walked
the list with the arrows. Each menu now gives its items their letters as it opens (items come
and go: Open recent, the pinned codes, the docks a project adds, Undo's text), so texts stay as
they are written in the code and a new item needs nothing. A letter an item's text already
marks with ``&`` is kept when no earlier item has it; the others take the first free letter
that starts one of their words, else any free letter or digit of theirs; where letters run
short, an earlier item moves to another of its letters so that every item has one.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QMenu

#: a mnemonic marker: ``&`` before a character other than ``&`` (``&&`` is a literal ``&``)
_MARK = re.compile(r"&(?!&)(.)")


def marked(text: str) -> str:
    """The character ``text`` underlines (lower case), or ""."""
    plain = text.replace("&&", "\0\0")
    found = _MARK.search(plain)
    return found.group(1).lower() if found else ""


def without_mark(text: str) -> str:
    """``text`` without its mnemonic marker (a literal ``&&`` kept)."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&&")


def readable(text: str) -> str:
    """``text`` as a menu shows it: no mnemonic marker, ``&&`` a plain ``&``."""
    return without_mark(text).replace("&&", "&")


def literal(text: str) -> str:
    """A name (a code, a folder, a session title) as an item's text: its ``&`` shown as such,
    not as an underlined letter ("Q&A" read "QA")."""
    return text.replace("&", "&&")


#: the most characters of a name a menu item shows: a code named in 170 Kazakh letters made
#: the Code menu 1515 px wide, three times a 125 % laptop screen's 1093, its keys off screen
MENU_NAME_CHARS = 60


def menu_name(name: str, *, keep_end: bool = False, most: int = MENU_NAME_CHARS) -> str:
    """A name (a code, a session title, a folder) as an item's text: its ``&`` shown as such
    (``literal``), and a long one cut to ``most`` characters with "…": at its end, or in its
    middle with ``keep_end`` (a folder's own name is at its end)."""
    if len(name) > most:
        if keep_end:
            head = (most - 1) // 2
            name = f"{name[:head]}…{name[len(name) - (most - 1 - head) :]}"
        else:
            name = f"{name[: most - 1].rstrip()}…"
    return literal(name)


def _candidates(plain: str) -> list[int]:
    """Positions in ``plain`` (no marker) worth underlining: word starts first, then the rest
    of the letters and digits; none in the key shown after a tab ("Select All\tCtrl+A")."""
    usable = [i for i, ch in enumerate(plain.split("\t", 1)[0]) if ch.isalnum()]
    starts = [i for i in usable if i == 0 or not plain[i - 1].isalnum()]
    return starts + [i for i in usable if i not in starts]


def give_mnemonics(menu: QMenu) -> None:
    """Give each item of ``menu`` a letter no other item of it has (submenus get theirs as
    they open)."""
    used: set[str] = set()
    pending = []
    for action in menu.actions():
        if action.isSeparator() or not action.text():
            continue
        sub = action.menu()
        if isinstance(sub, QMenu):
            keep_mnemonics(sub)
        letter = marked(action.text())
        if letter and letter not in used:
            used.add(letter)
        else:
            pending.append(action)
    # a letter for as many items as can have one: an item whose letters are all taken asks
    # an earlier item to move to another of its letters (a matching by augmenting paths)
    plains = [without_mark(a.text()) for a in pending]
    options = [[p[i].lower() for i in _candidates(p)] for p in plains]
    holder: dict[str, int] = {}

    def seat(item: int, seen: set[str]) -> bool:
        for letter in options[item]:
            if letter in used or letter in seen:
                continue
            seen.add(letter)
            if letter not in holder or seat(holder[letter], seen):
                holder[letter] = item
                return True
        return False

    starts = [sum(1 for i in _candidates(p) if i == 0 or not p[i - 1].isalnum()) for p in plains]
    # what a reader expects first: the item's first letter (Quit's Q), then the first free
    # letter that starts one of its words, then any of its letters
    for tier in ([1] * len(pending), starts, [len(o) for o in options]):
        for item in range(len(pending)):
            if item in holder.values():
                continue
            free = [x for x in options[item][: tier[item]] if x not in used and x not in holder]
            if free:
                holder[free[0]] = item
    seated = set(holder.values())
    for item in range(len(pending)):  # then room made for the items left without one
        if item not in seated:
            seat(item, set())
    chosen = {item: letter for letter, item in holder.items()}
    for item, action in enumerate(pending):
        plain = plains[item]
        got = chosen.get(item)
        at = next((i for i in _candidates(plain) if plain[i].lower() == got), None)
        # no letter left: none rather than a clash
        action.setText(plain if at is None else f"{plain[:at]}&{plain[at:]}")


class _OnShow(QObject):
    """Letters the items of the menu it watches as the menu shows: after every slot of its
    ``aboutToShow`` has filled it or renamed its items (Open recent, the pinned codes)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt's name
        if event.type() == QEvent.Type.Show and isinstance(watched, QMenu):
            give_mnemonics(watched)
        return False


def keep_mnemonics(menu: QMenu) -> None:
    """Give ``menu``'s items (and its submenus') their letters each time it opens."""
    if not menu.property("fs_mnemonics"):
        menu.setProperty("fs_mnemonics", True)
        menu.installEventFilter(_OnShow(menu))
