"""Writing a file so that it appears whole or not at all."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from pathlib import Path

from storage.core.errors import CancelledError, InvalidInputError
from storage.core.line_lists import append_lines, lists_in, whole_lines
from storage.core.tempdirs import noted_output

# The cancel check of the work running in this thread (``cancellable``): a staged file is not
# moved onto its destination once it says so.
_CANCEL: ContextVar[Callable[[], bool] | None] = ContextVar("fieldscribe_cancel", default=None)


@contextlib.contextmanager
def cancellable(cancelled: Callable[[], bool]) -> Iterator[None]:
    """Within this block, files written through ``staged`` (exports and copies) are dropped,
    and ``CancelledError`` raised, when ``cancelled()`` is true at the moment they would be
    moved into place: a cancelled export leaves the earlier file, or none, as it was.

    Used by the workbench around a job it runs in a worker thread (the check is its Cancel
    button); the command line never needs it (Ctrl+C interrupts before the move as well).
    """
    token = _CANCEL.set(cancelled)
    try:
        yield
    finally:
        _CANCEL.reset(token)


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new entry in ``folder`` durable (a no-op where the system cannot
    open or sync a directory)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_output(dest: Path, *, follow_symlinks: bool = False) -> Path:
    """Return the path to write for an output file the user named, or refuse it.

    A new path or an existing regular file is accepted (the file is then replaced whole). A
    symbolic link is refused unless ``follow_symlinks``; then its target is returned (checked
    the same way). A folder, a FIFO, a device or a socket is always refused: replacing one
    with a regular file is never what was meant.

    Raises:
        InvalidInputError: ``dest`` is not a regular file or a new path.
    """
    dest = Path(dest).expanduser()
    try:
        mode = os.lstat(dest).st_mode
    except FileNotFoundError:
        return dest
    except OSError as exc:
        raise InvalidInputError(f"{dest}: cannot check the output path ({exc.strerror}).") from exc
    if stat.S_ISREG(mode):
        return dest
    if stat.S_ISLNK(mode):
        if not follow_symlinks:
            raise InvalidInputError(
                f"{dest} is a symbolic link; give the real file name, or add --follow-symlinks "
                "to write to where it points. Nothing was written."
            )
        target = Path(os.path.realpath(dest))
        return check_output(target, follow_symlinks=False)
    raise InvalidInputError(
        f"{dest} is {_kind(mode)}, not a regular file; give a new file name. Nothing was written."
    )


def raise_if_cancelled(dest: Path) -> None:
    """Raise ``CancelledError`` when the surrounding ``cancellable`` block was cancelled (call it
    just before a finished file is moved onto ``dest``)."""
    check = _CANCEL.get()
    if check is not None and check():
        raise CancelledError(f"{dest.name}: cancelled; nothing was written.")


@contextlib.contextmanager
def staged(
    dest: Path, *, fsync: bool = False, move: bool = True, chosen: bool = False
) -> Iterator[Path]:
    """Yield a temporary path beside ``dest``; on success move it onto ``dest`` (unless not
    ``move``: the caller renames it later, ``copy_to_staging``).

    ``dest`` must be a new path or a regular file (``check_output``); a symbolic link, a folder,
    a FIFO or a device is refused with ``InvalidInputError`` before anything is written. On any
    exception the temporary file is removed and the exception propagates unchanged, so
    callers keep their own error messages. With ``fsync`` the data is flushed to disk first.

    ``chosen``: ``dest`` is a file the person chose (an export, on a USB stick or a shared
    drive, where nothing of FieldScribe looks later): the temporary file is noted in a private
    folder first (``tempdirs.note_output``), so that one a process killed before the rename
    leaves is removed by the next FieldScribe to start. Every export writes through here.
    """
    check_output(dest)
    tmp = staging_name(dest)
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()  # never write through a link or a pipe left under the temporary name
    with noted_output(tmp) if chosen else contextlib.nullcontext():
        try:
            yield tmp
            if fsync:
                with open(tmp, "rb+") as fh:
                    os.fsync(fh.fileno())
            raise_if_cancelled(dest)
            if move:
                os.replace(tmp, dest)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise


def staging_name(dest: Path) -> Path:
    """The temporary name a file bound for ``dest`` is written under (``.NAME.part`` beside
    it): what ``sweep_staging`` removes, so a copy killed half-way leaves nothing for good."""
    return dest.with_name(f".{dest.name}.part")


def final_name(staged_path: Path) -> Path:
    """The file a ``staging_name`` is bound for (``.NAME.part`` -> ``NAME``)."""
    return staged_path.with_name(staged_path.name.removeprefix(".").removesuffix(".part"))


def is_staging_name(name: str) -> bool:
    """Whether ``name`` is a temporary name of ``staging_name`` (or of a redacted audio file
    being written: ``.NAME.partSUFFIX``, ``storage.privacy.audio``)."""
    return name.startswith(".") and (name.endswith(".part") or ".part." in name)


def sweep_staging(folder: Path) -> int:
    """Remove the temporary files a process killed while writing left in ``folder`` (not in its
    subfolders); returns how many. Only for a folder no other process writes to now (a
    project's ``media/`` under the project's write lock)."""
    removed = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if is_staging_name(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed += 1
    return removed


def copy_to_staging(src: Path, dest: Path) -> Path:
    """Copy ``src`` under ``dest``'s temporary name (fsynced) and return that path; the caller
    renames it onto ``dest`` (``os.replace``) when the rows that name it are committed, so a
    copy killed half-way leaves only a temporary file. Removed on any failure."""
    with staged(dest, fsync=True, move=False) as tmp:
        _copy(src, tmp)
    return tmp


def copy_file(src: Path, dest: Path) -> None:
    """Copy ``src`` to ``dest`` via a temporary file, fsynced, removed on any failure."""
    with staged(dest, fsync=True) as tmp:
        _copy(src, tmp)


def _copy(src: Path, dest: Path) -> None:
    with open(src, "rb") as fin, open(dest, "wb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)


# the list of copies being renamed onto their own names just before a commit (``renaming``)
_RENAMING = re.compile(r"^\.renaming-[0-9a-f]{32}\.list$")


class RenameList:
    """The names of files a process is about to give copies in ``folder`` before the commit of
    the rows that name them, kept in a hidden file there (``.renaming-<uuid>.list``, a name a
    line, each ``add`` appended and fsynced) while the transaction runs (``renaming``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / f".renaming-{uuid.uuid4().hex}.list"
        self.names: list[Path] = []

    def add(self, *names: Path) -> None:
        """List ``names`` before they are written or renamed onto (each a file of ``folder``)."""
        self.names.extend(names)
        self.folder.mkdir(exist_ok=True)
        append_lines(self.path, (n.name for n in names))

    def drop(self) -> None:
        """Remove the list (the rows that name its files are committed)."""
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)

    def forget(self) -> None:
        """Remove the listed files (their rows were rolled back), then the list."""
        for name in self.names:
            with contextlib.suppress(OSError):
                name.unlink(missing_ok=True)
        self.drop()


@contextlib.contextmanager
def renaming(
    folder: Path, names: Sequence[Path] = (), *, keep: bool = False
) -> Iterator[RenameList]:
    """Around the renames of staged copies onto ``names`` (files of ``folder``; more can be
    added as they come: ``RenameList.add``) and the commit of the rows that name them: the
    names are listed first in a hidden file there (fsynced), removed once the block ends. A
    process killed before the commit leaves the list, so the next open for writing knows which
    files its own staging made and which of them no row names (``sweep_renamed``); a file it
    never listed is never touched. On an exception the listed files are removed (their rows
    were rolled back). ``keep``: the list stays when the block ends well (the caller drops it
    once the commit that counts is made)."""
    listed = RenameList(folder)
    if names:
        listed.add(*names)
    try:
        yield listed
    except BaseException:
        listed.forget()
        raise
    if not keep:
        listed.drop()


def sweep_renamed(folder: Path, named: Callable[[str], bool]) -> list[str]:
    """Remove the files of ``folder`` that a process killed between renaming its staged copies
    and its commit left with no row naming them (``named(file name)`` is False), only those
    its list names (``renaming``); returns their names. Under the project's write lock."""
    removed: list[str] = []
    for listed in lists_in(folder, _RENAMING):
        for name in whole_lines(listed) or []:
            if not name or Path(name).name != name or named(name):
                continue
            path = folder / name
            if path.is_file() and not path.is_symlink():
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed.append(name)
        with contextlib.suppress(OSError):
            listed.unlink()
    return removed
