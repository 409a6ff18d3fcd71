"""Notes a transcription run leaves for the user, worded for where they are read.

A note is a ``str`` (the command line's wording, with commands to type) that also carries
``gui``: the same note for the workbench, naming menus instead of commands and flags, which a
workbench user has no terminal for. Code that only prints notes keeps treating them as text.
"""

from __future__ import annotations

import re


class Note(str):
    """A note worded for the command line; ``gui`` is its wording for the workbench."""

    gui: str

    def __new__(cls, cli: str, gui: str | None = None) -> Note:
        note = super().__new__(cls, cli)
        note.gui = cli if gui is None else gui
        return note


def for_gui(note: object) -> str:
    """How the workbench says ``note``: a note's or an error's ``gui`` wording when it has
    one, else the note itself."""
    gui = getattr(note, "gui", None)
    return gui if isinstance(gui, str) else str(note)


def advice_of(note: str) -> str:
    """``note`` without its counts: what it advises. "1 segment in Kazakh was written with the
    small model…" and "3 segments in Kazakh were written…" give the same advice (so do "check
    its text" and "check their text")."""
    text = re.sub(r"\d[\d,.]*", "#", note)
    text = re.sub(r"\bwere\b", "was", text)
    text = re.sub(r"\btheir\b", "its", text)  # "check its text" / "check their text"
    return re.sub(r"(\w{3,}?)s\b", r"\1", text)


#: menu paths the notes name in the workbench
SETTINGS_MODELS = "File ▸ Settings… ▸ Models"
PROJECT_SETTINGS = "File ▸ Project settings"
TRANSCRIBE_AGAIN = "Transcription ▸ Transcribe session; Replace keeps the segments you changed"


#: what a run that found no speech at all says (command line and workbench alike)
NO_SPEECH = "no speech found: voice detection heard nothing to transcribe"
