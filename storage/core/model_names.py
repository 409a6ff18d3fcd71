"""How a transcript names the model that wrote it: a model's name as it may leave the computer
(a folder's name, never its path), and what stands for text a person typed.

``segments.model`` (schema 0010) holds one of these for each segment: the name of the model
that transcribed it (a session's run, or a re-transcription of the one segment), or
``TYPED_BY_HAND``; NULL for a segment imported from a file (the model, if any, is not known)
or written before 0010 (the session's run recorded its model: ``transcription_state.model``).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath, PureWindowsPath

#: ``segments.model`` of text a person typed (a segment typed in, or speech without
#: transcript typed out): no model wrote it
TYPED_BY_HAND = "typed by hand"


def shown_model_name(name: str) -> str:
    """A model's name as it may leave this computer: a model given as a folder
    (``--model /home/aigerim/usb/whisper-kk``) is the folder's name (``whisper-kk``): the
    path says whose computer it was on. Names (``small``, ``owner/repo``) stay as they are."""
    if re.match(r"^([/~.\\]|[A-Za-z]:[/\\])", name):
        folder = PureWindowsPath(name) if "\\" in name else PurePosixPath(name)
        return folder.name or name
    return name


def joined_models(*names: str | None) -> str | None:
    """One ``segments.model`` for text joined from segments of these models (a merge): each
    name once, in order ("base + small"); None when none is known."""
    seen: list[str] = []
    for name in names:
        for part in (name or "").split(" + "):
            if part and part not in seen:
                seen.append(part)
    return " + ".join(seen) or None


def written_by(model: str | None, origin: str, edited: bool = False) -> str | None:
    """Who wrote a segment's text, for the workbench: "Transcribed with small" (", corrected
    by hand" when a person corrected it since), "Typed by hand", "Imported from a file"; None
    for a Whisper segment written before each segment's model was recorded (schema 0010)."""
    if model == TYPED_BY_HAND or (model is None and origin == "manual"):
        return "Typed by hand"
    if model is None:
        return "Imported from a file" if origin == "import" else None
    return f"Transcribed with {model}" + (", corrected by hand" if edited else "")
