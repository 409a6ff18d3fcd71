"""File ▸ Import audio… offers first every kind of recording FieldScribe knows, phones' and
messengers' among them (.amr, .3gp, .caf, .oga), before All files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from storage.core.audio import AUDIO_EXTENSIONS


def test_the_import_dialog_offers_every_known_kind_first(
    window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    asked: list[str] = []

    def answer(_parent: Any, _caption: str, _dir: str, filt: str) -> tuple[list[str], str]:
        asked.append(filt)
        return [], ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", answer)
    window.transcription.import_dialog()
    [first, *_rest] = asked[0].split(";;")
    assert all(f"*{ext}" in first.split("(")[1] for ext in AUDIO_EXTENSIONS)
    assert {"*.amr", "*.3gp", "*.caf", "*.oga", "*.m4a"} <= set(first[:-1].split("(")[1].split())


def test_several_files_are_asked_one_kind_for_all_in_so_many_words(
    window: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """The walk: four recordings chosen at once were asked "Kind of session:", as if for one
    (and all four became what was chosen)."""
    from PySide6.QtWidgets import QFileDialog

    from gui.ask_dialog import AskDialog

    asked: list[str] = []
    files = [str(tmp_path / f"{n}.wav") for n in range(4)]
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *_a, **_k: (files, ""))

    def ask(_parent: Any, _title: str, label: str, *_a: Any, **_k: Any) -> tuple[str, bool]:
        asked.append(label)
        return "", False

    monkeypatch.setattr(AskDialog, "ask", staticmethod(ask))
    window.transcription.import_dialog()
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *_a, **_k: (files[:1], ""))
    window.transcription.import_dialog()
    assert asked == ["Kind of the 4 sessions:", "Kind of session:"]


def test_a_focus_groups_transcript_alone_makes_a_focus_group(
    window: Any, qtbot: Any, idle: Any, tmp_path: Any
) -> None:
    """File ▸ Import a transcript as a new session made an "Interview" of a focus group's
    transcript (a moderator and three participants). It makes a focus group, the report says
    so and where to change it, and Session details shows it, changeable."""
    from gui.models.sessions import HEADERS

    srt = tmp_path / "ФГ Аул.srt"
    turns = [("Модератор", "Расскажите."), ("Айгүл", "Емхана жоқ."), ("Ержан", "Да."),
             ("Aigerim", "Same here.")]  # fmt: skip
    srt.write_text(
        "".join(
            f"{i + 1}\n00:00:0{i},000 --> 00:00:0{i},900\n{who}: {text}\n\n"
            for i, (who, text) in enumerate(turns)
        ),
        encoding="utf-8",
    )
    window.exchange.transcripts.import_transcript_session(srt)
    qtbot.waitUntil(lambda: any(s.title == "ФГ Аул" for s in window.project.sessions.all()))
    idle(window)
    (made,) = [s for s in window.project.sessions.all() if s.title == "ФГ Аул"]
    assert made.kind == "focus_group"
    report = window.exchange.last_report
    assert "made a focus group: 4 speakers" in report and "Session details ▸ Kind" in report
    model = window.sessions_model
    row = model.row_of(made.id)
    assert model.index(row, HEADERS.index("Kind")).data() == "Focus group"
    qtbot.waitUntil(lambda: window.state.session is not None and window.state.session.id == made.id)
    window.docks.show_details()
    panel = window.session_panel
    qtbot.waitUntil(lambda: panel.session is not None and panel.session.id == made.id)
    assert panel.kind.currentData() == "focus_group"
    panel.kind.setCurrentIndex(panel.kind.findData("interview"))  # changed there
    panel.save()
    idle(window)
    assert window.project.sessions.get_session(made.id).kind == "interview"


def test_our_own_txt_export_comes_back_as_the_session_it_was(
    window: Any, qtbot: Any, idle: Any, tmp_path: Path
) -> None:
    """File ▸ Import a transcript as a new session of a colleague's FieldScribe .txt: the session
    takes the title and kind its heading names, and the report names that title (it named the
    file's)."""
    txt = tmp_path / "export (1).txt"
    txt.write_text(
        "ФГ, Шымкент\n2026-11-20 | Focus group\nTranscribed with base\n\n"
        "[00:00:01] Модератор: Расскажите.\n[00:00:04] Айгүл: Емхана жоқ.\n",
        encoding="utf-8",
    )
    window.exchange.transcripts.import_transcript_session(txt)
    qtbot.waitUntil(lambda: any(s.title == "ФГ, Шымкент" for s in window.project.sessions.all()))
    idle(window)
    (made,) = [s for s in window.project.sessions.all() if s.title == "ФГ, Шымкент"]
    assert made.kind == "focus_group"
    report = window.exchange.last_report
    assert report.startswith("New session “ФГ, Шымкент” (no audio): 2 segments"), report
    assert "not imported" not in report, report
