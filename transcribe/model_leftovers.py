"""What a FieldScribe killed (SIGKILL, a flat battery) while it imported, reinstalled or removed
a model left in the model cache, cleared by the next one to touch the cache.

None of it is ever offered as a model (hidden names: ``models.installed_models`` skips them),
but each can be gigabytes: an import's half-copied folder (``.staging/import-PID-…``), a model
being removed (``.removing-NAME-PID``), the model a reinstall was replacing
(``.old-NAME-PID``): put back when the reinstall was killed between its two renames (no model
is left under NAME then), else removed. Only leftovers whose process no longer runs are
touched. Also the download an install killed after publishing its model left
(``.staging/OWNER--REPO/COMMIT``, the commit now installed: empty, or the checkpoint a
conversion read); a download of another commit waits there to be resumed. Each sweep says
what it did in one line (``left_behind``).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from pathlib import Path

from storage.core.left_behind import tell
from storage.core.tempdirs import left_by_dead
from storage.core.words import plural

from .model_checksums import forget_checks
from .models import read_manifest

_IMPORT = re.compile(r"^import-(?P<pid>\d+)-\d+$")
_OLD = re.compile(r"^\.old-(?P<name>.+)-(?P<pid>\d+)$")
_REMOVING = re.compile(r"^\.removing-(?P<name>.+)-(?P<pid>\d+)$")


def _dead(pid: str) -> bool:
    return left_by_dead(int(pid))


def _folders(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()]
    except OSError:
        return []


def _tidy_download(root: Path, stage: Path) -> bool:
    """Remove what an install killed after publishing left of its download in ``stage``
    (``.staging/OWNER--REPO``): the folder of the commit now installed under that name (empty,
    or a Transformers checkpoint that was converted: gigabytes), and the stage once empty. A
    download of another commit (an update to resume) stays. True when files were removed."""
    manifest = read_manifest(root / stage.name)
    revision = manifest.get("revision") if manifest is not None else None
    had_files = False
    if isinstance(revision, str) and revision and "/" not in revision:
        for done in (stage / revision, stage / f"{revision}.ctranslate2"):
            if done.is_dir() and not done.is_symlink():
                had_files = had_files or any(done.iterdir())
                shutil.rmtree(done, ignore_errors=True)
    with contextlib.suppress(OSError):
        stage.rmdir()  # only when empty (a partial download waits there to be resumed)
    return had_files


def sweep_model_leftovers(root: Path) -> None:
    """Clear what killed imports, reinstalls and removals left in the model cache ``root``."""
    copies = restored = removed = tidied = 0
    for work in _folders(root / ".staging"):
        found = _IMPORT.match(work.name)
        if found is not None and _dead(found.group("pid")):
            shutil.rmtree(work, ignore_errors=True)
            copies += not work.exists()
        elif found is None:
            tidied += _tidy_download(root, work)
    for entry in _folders(root):
        old, gone = _OLD.match(entry.name), _REMOVING.match(entry.name)
        if old is not None and _dead(old.group("pid")):
            final = root / old.group("name")
            if not final.exists():  # killed between a reinstall's renames: the model comes back
                try:
                    os.replace(entry, final)
                    restored += 1
                    continue
                except OSError:
                    continue
            shutil.rmtree(entry, ignore_errors=True)
        elif gone is not None and _dead(gone.group("pid")):
            shutil.rmtree(entry, ignore_errors=True)
            forget_checks(root / gone.group("name"))
            removed += not entry.exists()
    with contextlib.suppress(OSError):
        (root / ".staging").rmdir()  # only when empty (partial downloads wait there)
    said = [
        f"removed {plural(copies, 'half-copied model import')}" if copies else "",
        f"put back {plural(restored, 'model')} a killed reinstall had moved aside"
        if restored
        else "",
        f"finished removing {plural(removed, 'model')}" if removed else "",
        f"removed the download of {plural(tidied, 'installed model')}" if tidied else "",
    ]
    if any(said):
        tell(f"{root}: {'; '.join(s for s in said if s)} (left by a FieldScribe killed meanwhile).")
