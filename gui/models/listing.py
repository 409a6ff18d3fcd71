"""Listing the Whisper models without freezing a window (no widgets).

The first listing reads the bundled tiny.en and the packaged base (about 370 MB) against their
checksums, and any model file changed since it was last checked (``model_checksums``). A
window lists at once what is recorded (``list_at_once``: files not checked yet are left unread
and count as fine), says what it checks (``checking_line``), and lists again on a worker
thread (``check_in_background``) to show what the check found. The Models page and Project
settings both do so.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gui.tasks import TaskContext, TaskHandle, TaskRunner
from transcribe.models import ModelInfo


def list_at_once(cache_dir: Path | None = None) -> tuple[list[ModelInfo], tuple[str, int] | None]:
    """The models as last checked (nothing is read), and the first model whose files need
    reading with their size in bytes (None: nothing to read)."""
    from transcribe.model_checksums import CheckLater
    from transcribe.models import list_models

    unread: list[tuple[str, int]] = []

    def later(name: str, size: int) -> None:
        unread.append((name, size))
        raise CheckLater

    models = list_models(cache_dir, later)
    return models, unread[0] if unread else None


def checking_line(name: str, size: int) -> str:
    """What a window says while a model's files are read against their checksums."""
    return f"Checking {name} ({size / 1e6:,.0f} MB) against its checksums…"


def check_in_background(
    runner: TaskRunner,
    cache_dir: Path | None,
    *,
    on_checking: Callable[[str, int], None],
    on_done: Callable[[list[ModelInfo]], None],
    on_error: Callable[[BaseException], None],
) -> TaskHandle:
    """List the models again on a worker thread, reading the files not checked yet;
    ``on_checking(name, bytes)`` is called (on the GUI thread) as each model is read. A
    cancelled handle stops after the file it reads: the rest is read another time."""
    from transcribe.model_checksums import CheckLater
    from transcribe.models import list_models

    def job(ctx: TaskContext) -> list[ModelInfo]:
        def checking(name: str, size: int) -> None:
            if ctx.cancelled:  # the window closes
                raise CheckLater
            ctx.progress((name, size))

        return list_models(cache_dir, checking)

    def progress(value: object) -> None:
        if isinstance(value, tuple) and len(value) == 2:
            on_checking(str(value[0]), int(value[1]))

    return runner.submit(
        "Checking the models", job, on_done=on_done, on_error=on_error, on_progress=progress
    )
