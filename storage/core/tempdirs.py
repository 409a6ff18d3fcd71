"""Private temporary folders for clear copies (snapshots, unpacked or decrypted bundles).

Every temporary copy FieldScribe makes of project data lives in a folder made here: under the
system's temporary folder (``TMPDIR``), never next to a file the user chose, mode 0700, named
``fieldscribe-tmp-<what>-<pid>-<random>`` and holding a marker file (``.fieldscribe-owner``)
with the id of the process that made it. ``remove_private_dir`` overwrites the files with zeros
before removing them; callers remove their folder on every exit path (``private_dir`` does it for
them). A process killed meanwhile (SIGKILL, power loss) cannot: ``sweep_stale`` removes every
such folder whose marker names a process that is no longer running, and runs when FieldScribe
starts (the CLI and the desktop app) and before a folder is made.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from storage.core.errors import DiskFullError, ReadOnlyError
from storage.core.left_behind import tell
from storage.core.line_lists import append_lines, whole_lines
from storage.core.words import plural

PREFIX = "fieldscribe-tmp-"
MARKER = ".fieldscribe-owner"
#: in a private folder: the temporary files its process writes elsewhere (``note_output``)
OUTPUTS = ".fieldscribe-outputs"
_PART = re.compile(r"^\..+\.part$")
_NAMED = re.compile(rf"^{PREFIX}[a-z]+-(\d+)-")
_SET_TMPDIR = "Set TMPDIR to a folder you can write to and try again."


def temp_root() -> Path:
    """The folder private folders are made in (``TMPDIR`` or the system default).

    Raises:
        ReadOnlyError: no folder can be written (Python tries ``TMPDIR``, ``TEMP``, ``TMP``,
            ``/tmp``, ``/var/tmp``, ``/usr/tmp`` and the current folder, in turn; its own error
            reached the user as a traceback).
    """
    try:
        return Path(tempfile.gettempdir())
    except FileNotFoundError as exc:
        raise ReadOnlyError(
            f"No temporary folder can be written (TMPDIR {os.environ.get('TMPDIR') or 'unset'}, "
            f"then /tmp, /var/tmp and the current folder); nothing was changed. {_SET_TMPDIR}"
        ) from exc


def make_private_dir(what: str) -> Path:
    """Make a private (0700) temporary folder with an owner marker; the caller removes it.

    Raises:
        DiskFullError / ReadOnlyError: the temporary folder cannot be written.
    """
    sweep_stale()
    root = temp_root()
    try:
        # the pid is in the name too: a process killed before it wrote the marker is known
        folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{what}-{os.getpid()}-", dir=root))
        os.chmod(folder, 0o700)
        fd = os.open(folder / MARKER, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(f"{os.getpid()}\n")
    except OSError as exc:
        full = exc.errno == 28
        raise (DiskFullError if full else ReadOnlyError)(
            f"{root}: cannot make a temporary folder there ({exc.strerror or exc}); nothing was "
            "changed. "
            + ("Free some space there, or set TMPDIR to a larger folder." if full else _SET_TMPDIR)
        ) from exc
    return folder


def note_output(folder: Path, part: Path) -> None:
    """Note in the private ``folder`` that its process writes ``part`` (the hidden ``.NAME.part``
    an export is written under beside the file the person chose, then renamed): a process
    killed before that rename leaves it there, and ``sweep_stale`` removes it with ``folder``."""
    append_lines(folder / OUTPUTS, [str(part.absolute())])


@contextlib.contextmanager
def noted_output(part: Path) -> Iterator[None]:
    """Within this block ``part`` is noted (``note_output``) in a private folder of its own,
    removed with the note when the block ends (by then ``part`` was renamed or removed)."""
    folder = make_private_dir("output")
    try:
        note_output(folder, part)
        yield
    finally:
        remove_private_dir(folder, shred=False)


def _remove_outputs(folder: Path) -> list[Path]:
    """Remove (zeroed first) the temporary files ``note_output`` listed in ``folder``."""
    lines = whole_lines(folder / OUTPUTS) or []
    removed = []
    for line in lines:
        part = Path(line)
        if not part.is_absolute() or not _PART.match(part.name) or part.is_symlink():
            continue
        if part.is_file():
            _shred_file(part)
            with contextlib.suppress(OSError):
                part.unlink()
                removed.append(part)
    return removed


def _shred_file(path: Path) -> None:
    with contextlib.suppress(OSError):
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode):
            return
        if not info.st_mode & stat.S_IWUSR:
            os.chmod(path, 0o600)
        with open(path, "r+b") as fh:
            block = b"\x00" * (1 << 20)
            left = info.st_size
            while left > 0:
                fh.write(block[: min(left, len(block))])
                left -= len(block)
            fh.flush()
            os.fsync(fh.fileno())


def remove_private_dir(folder: Path, *, shred: bool = True) -> None:
    """Overwrite every file of a private folder with zeros (``shred``), then remove it."""
    if shred:
        for dirpath, _dirs, files in os.walk(folder):
            for name in files:
                _shred_file(Path(dirpath) / name)
    shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def private_dir(what: str, *, shred: bool = True) -> Iterator[Path]:
    """A private temporary folder removed (files zeroed first) however the block ends."""
    folder = make_private_dir(what)
    try:
        yield folder
    finally:
        remove_private_dir(folder, shred=shred)


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (one of another user counts as running)."""
    if pid <= 0:
        return True  # not ours to judge
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def left_by_dead(pid: int) -> bool:
    """Whether what process ``pid`` left is an orphan: not this process's, and it runs no more."""
    return pid != os.getpid() and not process_alive(pid)


def sweep_stale(root: Path | None = None) -> list[Path]:
    """Remove the private folders left by FieldScribe processes that died; return them.

    Only folders named like ours, owned by this user, whose process (from the marker, else from
    the name) is gone.
    """
    removed: list[Path] = []
    try:
        root = root or temp_root()
        entries = list(os.scandir(root))
    except (OSError, ReadOnlyError):  # no temporary folder at all: said when one is needed
        return removed
    uid = os.getuid() if hasattr(os, "getuid") else None
    for entry in entries:
        if not entry.name.startswith(PREFIX):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISDIR(info.st_mode) or (uid is not None and info.st_uid != uid):
                continue
        except OSError:
            continue
        try:
            pid = int((Path(entry.path) / MARKER).read_text(encoding="ascii").split()[0])
        except (OSError, ValueError, IndexError):
            named = _NAMED.match(entry.name)  # killed before the marker was written
            if named is None:
                continue
            pid = int(named.group(1))
        if pid == os.getpid() or process_alive(pid):
            continue
        outputs = _remove_outputs(Path(entry.path))
        if outputs:
            tell(
                f"Removed {plural(len(outputs), 'half-written export')} "
                f"({', '.join(str(p) for p in outputs)}) a FieldScribe killed while writing "
                f"{'it' if len(outputs) == 1 else 'them'} left; export again."
            )
        remove_private_dir(Path(entry.path))
        removed.append(Path(entry.path))
    return removed
