"""Model files' checksums, and the record of which files were last found to match them.

``verify`` reads every byte of a model; ``list`` must stay fast on a 3 GB model, yet notice a
file changed after install (a copy of the same size from a USB stick with a bad sector). So
each check (at install or import, by ``models verify``, or the first time ``list`` sees a
file) is remembered in ``checks.json`` beside the models, keyed by the file's size, mtime,
ctime and inode: a file is read again only when one of them changed. Writing into a file
changes its mtime and ctime; a user can set the mtime back (``touch -d``) but not the ctime
(POSIX sets it to now on every change), so an edit is caught. A byte flipped by the disk
itself (bit rot, no write through the file system) changes none of them: only ``models
verify`` finds that. (On Windows ``st_ctime`` is the creation time: an edit with the mtime
set back is not caught there.)

The bundled ``tiny.en`` and the packaged ``base`` parts live in the Python environment, not
beside the models: their record is kept in the models folder's ``.package-checks.json``, under
the folder's absolute path (``memo``), so the environment is never written to.

A models folder that cannot be written (a read-only share, a folder an administrator filled)
cannot keep either record: the checks are then remembered in ``model-checks.json`` in the
user's cache folder (else the config folder), under the model folder's absolute path, so a
listing does not read every model again (``fallback_memos``). The other records kept beside
the models (``speeds.json``, ``choices.json``) go the same way: ``keep_beside`` writes them to
``model-speeds.json`` / ``model-choices.json`` there, under the models folder's absolute path.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

CHECKS = "checks.json"  # beside the models: {folder name: {file: {"key": [...], "ok": bool}}}
PACKAGE_CHECKS = ".package-checks.json"  # the same for package folders: {absolute path: ...}
FALLBACK_CHECKS = "model-checks.json"  # where the models folder is read-only: {absolute path: ...}
APP = "fieldscribe"

# The files a faster-whisper model needs (what faster-whisper itself downloads).
MODEL_FILES = ("config.json", "preprocessor_config.json", "model.bin", "tokenizer.json")


class CheckLater(Exception):
    """Raised by a ``checking`` callback: leave the files unread for now. The listing goes on
    with what was recorded (a file never checked counts as fine) so a window can show it at
    once and check in the background."""


def is_model_file(name: str) -> bool:
    """True for the files of a faster-whisper model folder (``vocabulary.*`` included)."""
    return name in MODEL_FILES or name.startswith("vocabulary.")


def read_json_records(path: Path) -> dict[str, dict[str, Any]]:
    """The records a JSON file beside the models keeps by key (``speeds.json``,
    ``identification.json``): its entries that are objects; empty when it is missing or
    unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}


def write_json_atomic(path: Path, data: object) -> None:
    """Write JSON to a temporary file, flush it to disk, then rename it over ``path``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


#: how a manifest records a file's checksum: the sha256 of its bytes, or (small files installed
#: from the hub) its git blob id
CHECKSUMS = ("sha256", "git-sha1")


def checksum_of(path: Path, algorithm: str, progress: Callable[[int], None] | None = None) -> str:
    """The hex checksum of a file: ``sha256`` of its bytes or ``git-sha1`` (its git blob id,
    as the hub announces small files); ``progress`` is called with each block's size."""
    if algorithm == "sha256":
        digest = hashlib.sha256()
    else:
        digest = hashlib.sha1(usedforsecurity=False)
        digest.update(f"blob {path.stat().st_size}\0".encode())
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
            if progress is not None:
                progress(len(block))
    return digest.hexdigest()


def recorded_checksums(manifest: dict[str, object] | None) -> dict[str, tuple[str, str]]:
    """A manifest's files: name -> (algorithm, checksum)."""
    files = (manifest or {}).get("files")
    out: dict[str, tuple[str, str]] = {}
    for name, record in files.items() if isinstance(files, dict) else ():
        if isinstance(record, dict) and is_model_file(str(name)):  # a plain name, no path
            for algorithm in CHECKSUMS:
                if isinstance(record.get(algorithm), str):
                    out[str(name)] = (algorithm, str(record[algorithm]))
                    break
    return out


def file_key(path: Path) -> list[int]:
    """What changes when a file's bytes are written: size, mtime, ctime (and the inode, when the
    file is replaced by a copy)."""
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def _memo_at(folder: Path, memo: Path | None) -> tuple[Path, str]:
    """Where the record of a folder's checks is kept: ``checks.json`` beside it under its name,
    or (a folder outside the models folder) the ``memo`` file under its absolute path."""
    return (folder.parent / CHECKS, folder.name) if memo is None else (memo, str(folder.absolute()))


def fallback_files(name: str) -> list[Path]:
    """The user's own copies of a file that cannot be kept beside the models: in the user's
    cache folder, else the config folder."""
    from platformdirs import user_cache_dir, user_config_dir

    return [Path(d) / name for d in (user_cache_dir(APP), user_config_dir(APP))]


def fallback_memos() -> list[Path]:
    """Where checks are remembered when the models folder cannot be written: the user's cache
    folder, else the config folder (keyed by each model folder's absolute path)."""
    return fallback_files(FALLBACK_CHECKS)


def read_beside(root: Path, name: str) -> dict[str, dict[str, Any]]:
    """The records ``name`` (``speeds.json``, ``choices.json``) keeps beside the models in
    ``root``; where ``root`` could not be written when they last changed, the user's copy
    (``keep_beside``)."""
    key = str(root.absolute())
    for place in fallback_files(f"model-{name}"):
        kept = read_json_records(place).get(key)
        if kept is not None:
            return {k: v for k, v in kept.items() if isinstance(v, dict)}
    return read_json_records(root / name)


def keep_beside(root: Path, name: str, records: dict[str, dict[str, Any]]) -> bool:
    """Write ``records`` (all of them) to ``name`` beside the models in ``root``; where that
    folder cannot be written (a read-only share), to ``model-NAME`` in the first of the user's
    cache and config folders that can be, under ``root``'s absolute path (``read_beside``
    reads it first). False when nothing could be written."""
    key = str(root.absolute())
    places = fallback_files(f"model-{name}")
    try:
        root.mkdir(parents=True, exist_ok=True)
        write_json_atomic(root / name, records)
    except OSError:
        for place in places:
            try:
                kept = read_json_records(place)
                kept[key] = records
                place.parent.mkdir(parents=True, exist_ok=True)
                write_json_atomic(place, kept)
            except OSError:
                continue
            return True
        return False
    for place in places:  # written beside the models again: the user's copy is older now
        kept = read_json_records(place)
        if kept.pop(key, None) is not None:
            with contextlib.suppress(OSError):
                if kept:
                    write_json_atomic(place, kept)
                else:
                    place.unlink()
    return True


def _records_of(folder: Path, memo: Path | None) -> list[dict[str, Any]]:
    """What was recorded about a folder's checks: in the models folder, then in the fallbacks."""
    path, key = _memo_at(folder, memo)
    found = [read_json_records(path).get(key, {})]
    absolute = str(folder.absolute())
    found += [read_json_records(p).get(absolute, {}) for p in fallback_memos() if p != path]
    return found


def _write_entry(path: Path, key: str, folder: Path, results: dict[str, bool]) -> None:
    records = read_json_records(path)
    entry = dict(records.get(key, {}))
    for name, ok in results.items():
        with contextlib.suppress(OSError):
            entry[name] = {"key": file_key(folder / name), "ok": ok}
    records[key] = entry
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(path, records)


def remember_checks(folder: Path, results: dict[str, bool], memo: Path | None = None) -> None:
    """Record that the files ``results`` names were just checked (True: they match the
    checksum recorded for them); best effort: where the models folder cannot be written, in
    the first of ``fallback_memos`` that can. ``memo``: the ``checks.json`` of a folder kept
    outside the models folder."""
    path, key = _memo_at(folder, memo)
    places = [(path, key)] + [(p, str(folder.absolute())) for p in fallback_memos() if p != path]
    for place, place_key in places:
        try:
            _write_entry(place, place_key, folder, results)
        except OSError:
            continue
        return


def changed_files(
    folder: Path,
    manifest: dict[str, object] | None,
    checking: Callable[[str, int], None] | None = None,
) -> list[str]:
    """The files of an installed or imported model that differ from the checksums its manifest
    recorded (``files_since_checked``). Missing files are left to the caller
    (``models.model_damage``)."""
    label = str((manifest or {}).get("name", folder.name))
    return files_since_checked(folder, recorded_checksums(manifest), label, checking)


def files_since_checked(
    folder: Path,
    recorded: dict[str, tuple[str, str]],
    label: str,
    checking: Callable[[str, int], None] | None = None,
    memo: Path | None = None,
) -> list[str]:
    """The files of ``recorded`` (name -> (algorithm, checksum)) in ``folder`` that differ from
    their checksum. Only files changed since they were last checked are read (``checking(label,
    bytes to read)`` is called first; raising ``CheckLater``, it leaves them unread); the
    others' last result is reused. Missing files are skipped. ``memo``: the ``checks.json`` of
    a folder kept outside the models folder."""
    recorded = {n: c for n, c in recorded.items() if (folder / n).is_file()}
    known = _records_of(folder, memo)
    results: dict[str, bool] = {}
    stale: list[str] = []
    for name in recorded:
        key = file_key(folder / name)
        fits = [r for k in known if isinstance(r := k.get(name), dict) and r.get("key") == key]
        if fits:
            results[name] = fits[0].get("ok") is True
        else:
            stale.append(name)
    if stale:
        if checking is not None:
            try:
                checking(label, sum((folder / n).stat().st_size for n in stale))
            except CheckLater:
                return sorted(name for name, ok in results.items() if not ok)
        fresh = {}
        for name in stale:
            algorithm, expected = recorded[name]
            fresh[name] = checksum_of(folder / name, algorithm) == expected.lower()
        remember_checks(folder, fresh, memo)
        results.update(fresh)
    return sorted(name for name, ok in results.items() if not ok)


def forget_checks(folder: Path) -> None:
    """Drop what was recorded about a removed model's files (the record goes with the last),
    beside the models and in the fallbacks."""
    places = [(folder.parent / CHECKS, folder.name)]
    places += [(p, str(folder.absolute())) for p in fallback_memos()]
    for path, key in places:
        records = read_json_records(path)
        if records.pop(key, None) is None:
            continue
        with contextlib.suppress(OSError):
            if records:
                write_json_atomic(path, records)
            else:
                path.unlink()
