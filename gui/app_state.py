"""The application state the workbench's panels share: the open project, session and edit context.

Panels and controllers read what is open here and follow it through the signals instead of asking
the window. ``gui.projects.ProjectsController`` opens and closes projects (and emits
``project_opened`` / ``project_closed``); ``gui.sessions.SessionsController`` shows sessions (and
emits ``session_changed``).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from gui.undo import EditContext
from storage import Project
from storage.core.models import Session


class AppState(QObject):
    """What is open: ``project``, ``session``, its ``ctx`` for undoable edits, blind coding."""

    project_opened = Signal(object)  # Project
    project_closed = Signal()
    session_changed = Signal(object)  # Session | None
    #: a session id: show its Session details (the consent question's Link speakers…)
    details_requested = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.session: Session | None = None
        self.ctx: EditContext | None = None  # undoable edits of the open project
        self.blind = False  # blind coding: the transcript shows only the coder's own codings
