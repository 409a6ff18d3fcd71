"""Transcription ▸ Transcribe on a cluster…: ask where (workers on this computer, or a Dask
scheduler's address) and build the transcriber that runs there (docs/cluster.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QInputDialog, QWidget

from gui.ask_dialog import AskDialog

LOCAL = "Worker processes on this computer"
REMOTE = "A Dask scheduler on your network"


def ask_cluster(parent: QWidget) -> dict[str, Any] | None:
    """Ask for the number of local workers or a scheduler's address; None when cancelled."""
    choice, ok = AskDialog.ask(
        parent, "Transcribe on a cluster", "Transcribe with:", LOCAL, items=[LOCAL, REMOTE]
    )
    if not ok:
        return None
    if choice == LOCAL:
        workers, ok = QInputDialog.getInt(
            parent, "Transcribe on a cluster", "Single-threaded workers:", 2, 1, 256
        )
        return {"workers": workers} if ok else None
    address, ok = AskDialog.ask(
        parent,
        "Transcribe on a cluster",
        "Scheduler address (loopback or private network; TLS only from the command line):",
        "tcp://127.0.0.1:8786",
    )
    address = address.strip()
    return {"address": address} if ok and address else None


def check_in_workbench(address: str) -> str:
    """``check_address`` with its refusals in the workbench's words: they named the command
    line's options ("pass --allow-remote …", "--tls-ca-file"), which the dialog has none of.

    Raises:
        ClusterError: the address is refused (nothing was changed)."""
    from transcribe.cluster_address import (
        ClusterError,
        OutsideNetworkError,
        TlsMissingError,
        check_address,
    )

    try:
        return check_address(address)
    except OutsideNetworkError as exc:
        raise ClusterError(
            f"The scheduler {exc.host} is not on this machine or a private network: the "
            "recordings would leave it. Use a scheduler on your own network (a tcp:// address); "
            "one outside it needs TLS, which only the command line sets up (docs/cluster.md). "
            "Nothing was changed."
        ) from exc
    except TlsMissingError as exc:
        raise ClusterError(
            f"{address}: a tls:// scheduler needs TLS certificates, which only the command line "
            "takes (docs/cluster.md); here, use a tcp:// address on this machine or your "
            "private network. Nothing was changed."
        ) from exc


def cluster_transcriber(options: dict[str, Any]) -> Callable[..., Any]:
    """A ``transcribe_session``-like callable that opens the cluster, transcribes on it (this
    process writes the project) and closes it; runs in a background task."""

    def run(project: Any, session_id: str, **kwargs: Any) -> Any:
        from transcribe.cluster import open_cluster
        from transcribe.runner import transcribe_session

        address = options.get("address")
        if address is not None:
            check_in_workbench(address)  # refused before anything starts
        progress = kwargs.pop("progress", None)
        with open_cluster(address, workers=options.get("workers")) as cluster:

            def show(p: Any) -> None:
                # the status bar adds the workers, the audio hours done and the rate
                p.detail = cluster.stats.describe(p.total_ms)
                if progress is not None:
                    progress(p)

            return transcribe_session(
                project, session_id, engine=cluster.engine(), progress=show, **kwargs
            )

    return run
