"""Russian and Kazakh names in the window: long titles in Cyrillic (two bytes a letter) offered as
file names, Kazakh letters in the menus and the window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtWidgets import QFileDialog, QMessageBox

from storage import SegmentDraft
from tests.gui.test_exchange_menu import _consent, _options
from tests.gui.test_team_menu import _action

KAZAKH = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"
LONG_TITLE = (
    "Фокус-топ: Алматы облысы әкімдігінің қызмет көрсету сапасы, ұлттық үлгі, "
    "өңірлік іс-шаралар және һәм ғылыми зерттеу, екінші кезең (қайта тыңдау)"
)


@given(
    st.text(alphabet=st.sampled_from(f"{KAZAKH}абвёЁ xyz.-:"), min_size=100, max_size=400),
    st.sampled_from(["", ".docx", ".qdpx", ".fsbundle.enc"]),
)
def test_a_long_cyrillic_title_gives_a_name_a_file_can_have(title: str, suffix: str) -> None:
    """A session titled in 130 Kazakh letters was offered "TITLE.docx" of 300 bytes and more:
    the export failed with "File name too long" (255 bytes; ".NAME.part" is written first).
    The name offered fits ``MOST_NAME_BYTES`` with whole letters, its ending kept."""
    from gui.fmt import MOST_NAME_BYTES, file_name

    name = file_name(title + suffix)
    assert 0 < len(name.encode()) <= MOST_NAME_BYTES
    assert len(f".{name}.part".encode()) <= 255
    if suffix and title.strip(" .") and "." not in title and ":" not in title:
        assert name.endswith(suffix)
        assert title.startswith(name.removesuffix(suffix))  # a start of it, cut between letters


def test_a_transcript_of_a_long_kazakh_title_is_exported_under_the_name_offered(
    window: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The save dialog's name taken as it was offered (a person presses Save): the file is
    written, not refused as too long."""
    project = window.project
    session = project.sessions.add_session(LONG_TITLE)
    project.transcript.add_segments(
        session.id, [SegmentDraft(0, 900, "Сәлеметсіз бе, қалайсыз?", "S1", language="kk")]
    )
    window.sessions.reload_sessions()
    window.sessions.open_segment_session(session.id)
    idle(window)
    _options(monkeypatch)
    _consent(monkeypatch, QMessageBox.StandardButton.Yes)
    out = tmp_path / "out"
    out.mkdir()
    offered: list[str] = []

    def save(*args: Any, **_k: Any) -> tuple[str, str]:
        offered.append(args[2])
        kinds = args[3].split(";;")
        return str(out / args[2]), next(k for k in kinds if "*.docx" in k)

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save))
    _action(window, "&File", "Export this transcript (txt, docx, srt, vtt, json)…").trigger()
    idle(window)
    assert offered and offered[0].endswith(".docx") and offered[0].startswith("Фокус-топ- ")
    written = list(out.iterdir())
    assert [p.name for p in written] == offered, window.chrome.last_error
    assert written[0].stat().st_size > 0


LONG_CODE = (
    "Мемлекеттік қызметтерге қолжетімділік: ауылдық жерлердегі интернет байланысының сапасы "
    "мен жылдамдығы, әкімдіктің жауаптары және тұрғындардың өтініштері бойынша шешімдер"
)
#: a 1366x768 laptop at 125 %: the screen Qt lays out on is 1093 px wide
LAPTOP_WIDTH = 1093


def test_menus_naming_a_long_kazakh_code_title_or_folder_fit_a_laptop_screen(
    window: Any, idle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A code named in 170 Kazakh letters, pinned to key 1, made the Code menu 1515 px wide (its
    keys past the screen's edge); the codebook's right-click menu, Open recent and Analysis'
    sessions menu named such names whole too. Each item names it cut, every menu fits."""
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QMenu

    from gui.context_menu import context_menu_of, restore
    from gui.menu_keys import readable

    project = window.project
    session = project.sessions.add_session(LONG_TITLE)
    project.transcript.add_segments(session.id, [SegmentDraft(0, 900, "Сәлем", "S1")])
    window.sessions.reload_sessions()
    window.sessions.open_segment_session(session.id)
    idle(window)
    window.editing.add_code(LONG_CODE)
    idle(window)
    code = project.codebook.find_code(LONG_CODE)
    window.editing.pin_code(code.id, 1)
    deep = tmp_path / "Әлеуметтік зерттеулер" / "Қостанай өңірі, 2026 жылғы маусым" / "Топтар"
    window.settings.add_recent(str(deep / "Ұлттық үлгі (қайта тыңдау).fieldscribe"))
    window.codebook.select_code(code.id)
    analysis = window.analysis.show()
    idle(window)

    def opened(menu: QMenu) -> QMenu:
        menu.popup(window.mapToGlobal(QPoint(0, 0)))  # filled as it opens
        menu.hide()
        return menu

    own = context_menu_of(window.codebook.tree)
    assert own is not None
    right_click, before = own.menu()
    menus = {
        "Code": opened(window.chrome.menus["&Code"]),
        "Open recent": opened(window.recent_menu),
        "codebook right-click": right_click,
        "Analysis sessions": opened(analysis.filter_bar.sessions_menu),
    }
    wide = {name: m.sizeHint().width() for name, m in menus.items()}
    assert all(w <= LAPTOP_WIDTH for w in wide.values()), wide
    texts = [readable(a.text()) for m in menus.values() for a in m.actions()]
    assert any(t.startswith("Pinned code 1: Мемлекеттік қызметтерге") for t in texts), texts
    assert any(t.endswith("(қайта тыңдау).fieldscribe") for t in texts), texts  # its end
    restore(before)


#: a Kazakh dictionary's order (Ә after А, Ғ after Г, Қ after К, І after Ы...)
KAZAKH_ORDER = ["Ақпарат", "Әкімдік", "Банк", "Ғылым", "Ёлка", "Кезек", "Қала", "Оқу", "Өтініш",
                "Ұлт", "Үкімет", "Һәм", "ЫРЫС", "Іс-шара", "Яна"]  # fmt: skip


def test_the_codebook_lists_kazakh_names_in_the_alphabets_order(window: Any, idle: Any) -> None:
    """The tree sorted by code point: Әкімдік, Қала, Үкімет... came after Яна, and Іс-шара
    before Ақпарат."""
    project = window.project
    for name in reversed(KAZAKH_ORDER):
        project.codebook.ensure_code_path(name)
    window.editing.reload_codebook()
    idle(window)
    model = window.codebook.model
    shown = [model.code(model.index(r, 0)).name for r in range(model.rowCount())]
    assert shown == KAZAKH_ORDER  # capitals ("ЫРЫС") among the others


@given(st.lists(st.text(alphabet="абвгдежзийклмнопрстуфхцчшщъыьэюяАБВЯ", max_size=6), max_size=8))
def test_russian_names_keep_their_order(names: list[str]) -> None:
    """Russian's alphabet (ё aside) is code point order: names of its letters sort as before."""
    from storage.core.names import name_order

    assert sorted(names, key=lambda n: (name_order(n), n)) == sorted(
        names, key=lambda n: (n.casefold(), n)
    )
