"""A model in use, across processes: a transcription holds a shared advisory lock
(``fcntl.flock`` ``LOCK_SH``) on a file in the model's folder while it uses the model, and
``models remove`` takes it exclusively without waiting (``LOCK_EX | LOCK_NB``), so a model is not
removed from under the workbench or another command-line run that transcribes with it.

Each user also leaves a small file beside the lock that says what it is doing (read back by the
refusal); the lock is released by the system when its process ends, so a crash leaves no lock,
only a note that names a process no longer running (ignored).

Only the models FieldScribe installed or imported (``ModelInfo.removable``) are locked: the
others live in folders FieldScribe does not remove (a package, the Hugging Face cache).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from storage.core.tempdirs import process_alive

from .models import ModelError, ModelInfo

LOCK = ".in-use.lock"
NOTE_PREFIX = ".in-use-"  # + pid-token: what that user is doing, one line


class ModelInUseError(ModelError):
    """A model cannot be removed: a transcription (in this or another process) uses it."""


def _gone(info: ModelInfo) -> ModelError:
    return ModelError(
        f"{info.name} was removed while this transcription started; install or import it "
        "again, or choose another model."
    )


@contextlib.contextmanager
def using_model(info: ModelInfo, doing: str) -> Iterator[None]:
    """Hold ``info``'s folder shared while the body uses the model; ``doing`` says what for
    (``transcribing 'Interview 3' in Fieldwork``), named by a refused ``models remove``.

    Raises:
        ModelError: the model was removed before the lock was taken.
    """
    if not info.removable or info.path is None:
        yield
        return
    lock = info.path / LOCK
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except FileNotFoundError as exc:  # removed after it was found
        raise _gone(info) from exc
    except OSError:  # a folder that cannot be written: used without the lock
        fd = -1
    if fd < 0:
        yield
        return
    note = info.path / f"{NOTE_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)  # waits only while a removal renames the folder
        try:
            same = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if not same:  # the folder was removed while this waited
            raise _gone(info)
        with contextlib.suppress(OSError):
            note.write_text(doing, encoding="utf-8")
        yield
    finally:
        with contextlib.suppress(OSError):
            note.unlink(missing_ok=True)
        os.close(fd)  # releases the lock


def users(folder: Path) -> list[str]:
    """What the processes that hold ``folder``'s model say they are doing (live ones only)."""
    out: list[str] = []
    for path in sorted(folder.glob(f"{NOTE_PREFIX}*")):
        pid_text = path.name[len(NOTE_PREFIX) :].split("-", 1)[0]
        if not pid_text.isdigit() or not process_alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError, UnicodeDecodeError):
            said = path.read_text(encoding="utf-8").strip().splitlines()
            if said:
                out.append(f"{said[0]} (process {pid_text})")
    return out


@contextlib.contextmanager
def removing(info: ModelInfo) -> Iterator[None]:
    """Hold ``info``'s folder exclusively while the body removes it.

    Raises:
        ModelInUseError: a transcription uses the model (one line naming it; nothing removed).
    """
    assert info.path is not None
    try:
        fd = os.open(info.path / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:  # nobody can hold a lock that cannot be made
        fd = -1
    if fd < 0:
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            who = " and ".join(users(info.path)) or "another FieldScribe window or command"
            raise ModelInUseError(
                f"{info.name} is in use: {who}; nothing was removed. Remove it once that "
                "transcription ends (or cancel it)."
            ) from exc
        yield
    finally:
        os.close(fd)
