"""What every editing collaborator of ``EditingController`` works with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gui.app_state import AppState
from gui.chrome import WindowChrome
from gui.views import WorkbenchViews


@dataclass(frozen=True)
class EditScope:
    """The project state, the window's chrome, the views, and ``push``: runs an undoable
    command on the undo stack (nothing while no project is open)."""

    state: AppState
    chrome: WindowChrome
    views: WorkbenchViews
    push: Callable[[Any], None]
