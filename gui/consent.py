"""Asking before sessions whose consent does not cover a use are transcribed or exported."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from storage import FieldScribeError


def confirm_consent(
    parent: QWidget, project: Any, session_ids: Iterable[str], purpose: str, doing: str
) -> bool:
    """Warn when consent does not cover ``purpose``; True when the user goes on (or all is well).

    ``doing`` names the action for the question, e.g. "Transcribe this session".
    """
    from gui.privacy_panel import consent_warning

    warnings: list[str] = []
    for sid in dict.fromkeys(session_ids):
        try:
            text = consent_warning(project, sid, purpose)
        except FieldScribeError as exc:
            text = str(exc)
        if text:
            if len(warnings) < 5:
                title = project.sessions.get_session(sid).title
                warnings.append(f"{title}:\n{text}")
            else:
                warnings.append("… and more sessions.")
                break
    if not warnings:
        return True
    answer = QMessageBox.question(
        parent,
        "Consent",
        "\n\n".join(warnings) + f"\n\n{doing} anyway?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes
