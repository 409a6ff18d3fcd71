"""The Analysis window shows the lead real names; the files it writes for others do not.

docs/analysis.md ("Exports") and docs/PRIVACY.md promise that a chart or a table written from
the Analysis window (and by ``analyze ... -o``) has its labels pseudonymised: session titles,
speaker labels (a speaker linked to one participant as the participant's pseudonym),
participant attributes and code names. Checked in the real window over a project whose
stored labels hold real names (mapped, never applied): every column kind of the matrix, the
co-occurrence table, code frequencies per speaker and per session and a timeline, each as csv,
xlsx and PNG (the PNG through the texts its figure draws). The window itself shows the real
names (the premise). Fails if ``gui.analysis.window._export`` wrote the window's own labels.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.analysis_privacy_support import figure_texts, file_text, named_project, real_names


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The texts of every chart written, by file (what the PNG shows)."""
    import analysis.exports as exports

    seen: dict[str, str] = {}
    real_save = exports.save_figure

    def save(fig: Any, dest: Path) -> Any:
        seen[Path(dest).name] = figure_texts(fig)
        return real_save(fig, dest)

    monkeypatch.setattr(exports, "save_figure", save)
    return seen


def _labels(model: Any) -> str:
    from PySide6.QtCore import Qt

    heads = [
        str(model.headerData(i, orientation) or "")
        for orientation, n in (
            (Qt.Orientation.Horizontal, model.columnCount()),
            (Qt.Orientation.Vertical, model.rowCount()),
        )
        for i in range(n)
    ]
    return " ".join(heads)


def test_analysis_window_exports_carry_no_real_name(
    tmp_path: Path,
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    idle: Callable[..., None],
    drawn: dict[str, str],
) -> None:
    from gui.main_window import MainWindow

    project, ids = named_project(tmp_path / "names.fieldscribe")
    qsettings.setValue("transcribe_after_import", "false")
    main = MainWindow(project, transcriber=fake_transcriber, settings=qsettings)
    qtbot.addWidget(main)
    main.show()
    written: list[Path] = []

    def export(tab: Any, name: str) -> None:
        for suffix in (".csv", ".xlsx", ".png"):
            dest = tmp_path / f"{name}{suffix}"
            win.export_to(tab, dest)
            idle(main)
            assert dest.is_file(), (dest, win.status.text())
            text = drawn[dest.name] if suffix == ".png" else file_text(dest)
            assert real_names(text) == [], (dest.name, text)
            written.append(dest)

    try:
        idle(main)
        win = main.analysis.show()
        idle(main)
        matrix = win.matrix
        shown_real = []
        for kind in ("speaker", "participant", "session", "participant.moderator"):
            matrix.columns.setCurrentIndex(matrix.columns.findData(kind))
            idle(main)
            shown_real += real_names(_labels(matrix.model))
            export(matrix, f"matrix-{kind}")
        # the premise: the lead's window shows the real names the files leave out
        assert {"Ерлан", "Айгерим", "Ерлану", "Ерланом"} <= set(shown_real), shown_real
        text = file_text(tmp_path / "matrix-speaker.csv")
        assert "P01" in text and "Сауле" in text  # linked: the participant; else the pseudonym
        assert "Интервью с Данияром" in file_text(tmp_path / "matrix-session.csv")
        assert "Сауле Б." in file_text(tmp_path / "matrix-participant.moderator.csv")
        win.tabs.setCurrentWidget(win.cooccurrence)
        idle(main)
        export(win.cooccurrence, "cooccurrence")
        freq = win.frequencies
        win.tabs.setCurrentWidget(freq)
        for by in ("speaker", "session"):
            freq.by.setCurrentIndex(freq.by.findData(by))
            idle(main)
            export(freq, f"frequencies-{by}")
        header = file_text(tmp_path / "frequencies-speaker.csv").splitlines()[0].split(",")
        assert header[1:] == ["P01", "SPEAKER_03", "Сауле", "total"]  # not the real names' order
        timeline = win.timeline
        win.tabs.setCurrentWidget(timeline)
        timeline.session.setCurrentIndex(timeline.session.findData(ids["session"]))
        idle(main)
        export(timeline, "timeline")
        assert "Данияр" in drawn["timeline.png"] and "P01" in drawn["timeline.png"]
        assert len(written) == 24
    finally:
        main.runner.cancel_all()
        main.close()
        project.close()
