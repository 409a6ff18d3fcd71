"""Which projects chose which model, so that removing a model a project chose warns first.

A project keeps its model in its own settings (``Project.model``); nothing on this machine
lists the projects. ``models use`` and Project settings record the project's folder in
``choices.json`` beside the models (a models folder that cannot be written: in the user's cache
folder, ``model_checksums.keep_beside``); ``projects_choosing`` reads each recorded project's own
setting again (a project that chose another model since, or was deleted, no longer counts).
Projects that chose a model before this record existed are not known until they choose again.
"""

from __future__ import annotations

from pathlib import Path

from storage import Project
from storage.core.errors import FieldScribeError

from .model_checksums import keep_beside, read_beside
from .models import ModelInfo, model_cache_dir, read_manifest

CHOICES = "choices.json"  # {project folder: {"model": what the project chose}}


def record_choice(project: Path, model: str | None, cache_dir: Path | None = None) -> None:
    """Remember that the project in ``project`` chose ``model`` (None or "": the default, and
    it is forgotten). Best effort: where neither the models folder nor the user's cache or
    config folder can be written, nothing is recorded."""
    root = cache_dir or model_cache_dir()
    records = read_beside(root, CHOICES)
    key = str(project.expanduser().resolve())
    if model and model.strip().lower() != "auto":
        records[key] = {"model": model.strip()}
    elif records.pop(key, None) is None:
        return
    keep_beside(root, CHOICES, records)


def chooses(chosen: str | None, info: ModelInfo) -> bool:
    """True when a project's model setting ``chosen`` names ``info`` (by name, repository or
    folder), as the Models page's ``project_uses``."""
    if not chosen:
        return False
    if chosen == info.name:
        return True
    if info.path is None:
        return False
    if chosen == (read_manifest(info.path) or {}).get("repo"):
        return True
    path = Path(chosen).expanduser()
    return path.is_absolute() and path == info.path


def projects_choosing(info: ModelInfo, cache_dir: Path | None = None) -> list[str]:
    """The folders of the recorded projects whose setting still chooses ``info``."""
    found = []
    for folder, record in read_beside(cache_dir or model_cache_dir(), CHOICES).items():
        if not chooses(record.get("model") if isinstance(record.get("model"), str) else None, info):
            continue
        if not Path(folder).is_dir():
            continue
        try:
            project = Project.open(folder, readonly=True, register_coder=False)
        except (FieldScribeError, OSError):
            continue
        try:
            if chooses(project.model, info):
                found.append(folder)
        finally:
            project.close()
    return found
