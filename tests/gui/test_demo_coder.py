"""Whom the demo project codes as: its own coder, kept in it, whichever way it is opened (the
start page's button, File ▸ Open the demo project, or Recent projects), as every project; and
the name a first start asks for, even when it is given while the demo is still being prepared.

Before, the demo button opened it as the Settings name of that moment: a name typed into the
first start's dialog while the demo was being made left the demo coding as the login name, and
after a change of the Settings name (the status bar saying "… stays coded as Amina") the button
opened it as the new name while Recent projects opened it as the old one.
"""

from __future__ import annotations

import threading
from typing import Any

from gui.settings import Settings, default_coder
from storage import Project, SegmentDraft


def _transcribe(
    project: Project, session_id: str, *, cancel: threading.Event | None = None, **_: Any
) -> None:
    project.transcript.add_segments(
        session_id, [SegmentDraft(0, 5000, "I do not trust the portal with my personal data")]
    )


def _window(qtbot: Any, qsettings: Any) -> Any:
    from gui.main_window import MainWindow

    w = MainWindow(transcriber=_transcribe, settings=qsettings)
    qtbot.addWidget(w)
    w.show()
    return w


def _open_demo(w: Any, idle: Any) -> Project:
    w.projects.open_demo()
    idle(w)
    assert w.project is not None
    return w.project  # type: ignore[no-any-return]


def test_the_name_given_while_the_demo_is_prepared_is_the_demos_coder(
    qtbot: Any, qsettings: Any, idle: Any
) -> None:
    """``fieldscribe --demo`` on a first start: the name dialog and the demo's making run at
    once; the name given before the demo is open is the one its codings carry."""
    w = _window(qtbot, qsettings)
    settings = Settings(qsettings)
    assert not settings.has_coder
    w.projects.open_demo()  # made in the background, as the neutral name of that moment
    settings.coder = "Amina"  # the first start's dialog answered meanwhile
    w.projects.coder_changed("Amina")
    idle(w)
    project = w.project
    assert project is not None and project.coder == "Amina" != default_coder()
    assert (project.coders.own, project.team.lead) == ("Amina", "Amina")
    assert w.projects.coder_label.text() == "Coding as Amina"
    w.close()


def test_the_demo_keeps_its_own_coder_however_it_is_opened(
    qtbot: Any, qsettings: Any, idle: Any
) -> None:
    settings = Settings(qsettings)
    settings.coder = "Amina"
    w = _window(qtbot, qsettings)
    demo = _open_demo(w, idle)
    folder = demo.folder
    assert (demo.coder, demo.coders.own) == ("Amina", "Amina")
    w.projects.close_project()
    settings.coder = "Bob"  # the name new projects get from now on
    for how in ("button", "recent", "button"):
        if how == "button":
            demo = _open_demo(w, idle)
        else:
            assert w.projects.open_project(folder)
            demo = w.project
        assert (demo.coder, demo.coders.own) == ("Amina", "Amina"), how
        assert w.projects.coder_label.text() == "Coding as Amina"
        w.projects.close_project()
    with Project.open(folder) as p:
        assert "Bob" not in {c.name for c in p.coders.all()}
    w.close()
