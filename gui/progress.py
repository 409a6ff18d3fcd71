"""Long work with a progress dialog and a Cancel button, run through ``gui.tasks.TaskRunner``.

The job runs on a worker (never touching widgets) and reports ``(done, total, text)`` with
``ctx.progress``; Cancel sets ``ctx.cancel``, which the job checks between its steps (a bundle,
a file). The dialog closes itself when the job ends, whatever ends it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from gui.tasks import TaskContext, TaskHandle, TaskRunner
from storage.core.atomic import cancellable
from storage.core.errors import CancelledError


def run_with_progress(
    parent: QWidget,
    runner: TaskRunner,
    name: str,
    job: Callable[[TaskContext], Any],
    *,
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    total: int = 0,
    serial: bool = False,
) -> tuple[TaskHandle, QProgressDialog]:
    """Run ``job`` with a window-modal progress dialog (``total`` 0: a busy bar)."""
    dialog = QProgressDialog(f"{name}…", "Cancel", 0, total, parent)
    dialog.setWindowTitle(name)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)  # quick work never flashes a dialog
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setValue(0)

    def progress(value: Any) -> None:
        done, count, text = value
        if count:
            dialog.setMaximum(int(count))
            dialog.setValue(int(done))
        dialog.setLabelText(str(text))

    def finish() -> None:
        dialog.reset()
        dialog.hide()
        dialog.deleteLater()

    def done(result: Any) -> None:
        finish()
        on_done(result)

    def failed(exc: BaseException) -> None:
        finish()
        on_error(exc)

    handle = runner.submit(
        name, job, on_done=done, on_error=failed, on_progress=progress, serial=serial
    )
    dialog.canceled.connect(handle.cancel)
    dialog.canceled.connect(lambda: dialog.setLabelText("Stopping after the current step…"))
    return handle, dialog


def export_job(job: Callable[[TaskContext], Any]) -> Callable[[TaskContext], Any]:
    """``job`` (an export) with the progress dialog's Cancel honoured up to the last moment:
    the finished file is not moved into place once Cancel was pressed (``CancelledError``)."""

    def run(ctx: TaskContext) -> Any:
        with cancellable(ctx.cancel.is_set):
            return job(ctx)

    return run


def export_failed(
    path: Path, report: Callable[[str], None], show_error: Callable[[BaseException], None]
) -> Callable[[BaseException], None]:
    """The error callback of an export job: Cancel is reported (nothing was written to
    ``path``; an earlier file of that name is left as it was), anything else is an error."""

    def failed(exc: BaseException) -> None:
        if isinstance(exc, CancelledError):
            kept = " (the earlier file is kept)" if path.exists() else ""
            report(f"Export cancelled; nothing was written to {path.name}{kept}.")
        else:
            show_error(exc)

    return failed
