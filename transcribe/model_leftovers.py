"""What a FieldScribe killed (SIGKILL, a flat battery) while it imported, reinstalled or removed
a model left in the model cache, cleared by the next one to touch the cache.

None of it is ever offered as a model (hidden names: ``models.installed_models`` skips them),
but each can be gigabytes: an import's half-copied folder (``.staging/import-PID-…``), a model
being removed (``.removing-NAME-PID``), or the model a reinstall was replacing
(``.old-NAME-PID``). That last one is put back when the reinstall was killed between its two
renames (no model is left under NAME then), else removed. Only leftovers whose process no
longer runs are touched; each sweep says what it did in one line (``left_behind``).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from pathlib import Path

from storage.core.left_behind import tell
from storage.core.tempdirs import process_alive
from storage.core.words import plural

from .model_checksums import forget_checks

_IMPORT = re.compile(r"^import-(?P<pid>\d+)-\d+$")
_OLD = re.compile(r"^\.old-(?P<name>.+)-(?P<pid>\d+)$")
_REMOVING = re.compile(r"^\.removing-(?P<name>.+)-(?P<pid>\d+)$")


def _dead(pid: str) -> bool:
    return int(pid) != os.getpid() and not process_alive(int(pid))


def _folders(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()]
    except OSError:
        return []


def sweep_model_leftovers(root: Path) -> None:
    """Clear what killed imports, reinstalls and removals left in the model cache ``root``."""
    copies = restored = removed = 0
    for work in _folders(root / ".staging"):
        found = _IMPORT.match(work.name)
        if found is not None and _dead(found.group("pid")):
            shutil.rmtree(work, ignore_errors=True)
            copies += not work.exists()
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
    ]
    if any(said):
        tell(f"{root}: {'; '.join(s for s in said if s)} (left by a FieldScribe killed meanwhile).")
