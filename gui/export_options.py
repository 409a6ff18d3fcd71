"""An export's protections (``ExportOptionsDialog``: pseudonyms, redactions, only consented
participants, audio) and what a transcript export with them keeps (``kept_segments``) and why
it left the rest out (``others``); asked by File ▸ exchange (``gui.exchange``) and Retrieval's
Export CSV."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from gui.fmt import fix_consent, plural, verb
from storage import Project
from storage.privacy.models import ExportPrivacy


def kept_segments(
    project: Project, session_id: str, privacy: ExportPrivacy
) -> tuple[int, int, int]:
    """How many of a session's segments an export with ``privacy`` keeps, of how many, and how
    many of those left out have no speaker: an export of consented participants only wrote an
    empty .srt and said "Wrote the transcript"."""
    total = project.transcript.segment_count(session_id)
    if not privacy.consented_only:
        return total, total, 0
    from storage.privacy.view import private_view

    with private_view(project, privacy) as view:
        ids = [s.id for s in project.transcript.segments(session_id)]
        unlabelled = project.consent.unlabelled_left_out(
            privacy.consented_only, ids, session_id=session_id
        )
        return len(view.transcript.segments(session_id)), total, unlabelled


def others(kept: tuple[int, int, int]) -> str:
    """Why the segments a transcript export left out were left out, and what to do:
    "the others' speakers have no consent to export (link them …)"."""
    held, total, unlabelled = kept
    left = total - held
    if unlabelled == left:
        why = "the others have no speaker and not everyone consented"
    elif unlabelled:
        n = left - unlabelled
        why = f"{plural(n, 'other')} {verb(n, 'has', 'have')} a speaker without consent, "
        why += f"{unlabelled} {verb(unlabelled, 'has', 'have')} no speaker"
    else:
        why = "the others' speakers have no consent to export"
    return f"{why} ({fix_consent(unlabelled)})"


class ExportOptionsDialog(QDialog):
    """An export's protections (the CLI's --no-pseudonyms, --no-redactions, --consented-only)."""

    def __init__(
        self, title: str, parent: QWidget | None = None, *, media: bool = False, redact: bool = True
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.pseudonyms = QCheckBox("Replace real names by their pseudonyms", self)
        self.pseudonyms.setChecked(True)
        # exports show a redaction's category ("[PLACE]"), not "[REDACTED]" as this said
        self.redactions = QCheckBox("Keep redacted spans hidden (as [PLACE], [NAME]…)", self)
        self.redactions.setToolTip(
            "Each redacted span is exported as its category in brackets: [PLACE], [NAME], "
            "[REDACTED]…"
        )
        self.redactions.setChecked(True)
        self.redactions.setVisible(redact)
        self.consented = QCheckBox("Leave out participants without consent to export", self)
        self.consented.setToolTip(
            "Only speakers linked to a participant who consented to transcription and "
            "quotation go out; a speaker linked to no participant has no consent and is left "
            "out too (Session details ▸ Link speakers…). Segments without a speaker go out "
            "only when everyone known to be in their session consented."
        )
        self.media = QCheckBox("Include the audio files", self)
        self.media.setChecked(True)
        self.media.setVisible(media)
        note = QLabel(
            "Turning a protection off is for the project lead's own use; every export is "
            "recorded in the audit log.",
            self,
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export…")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for w in (self.pseudonyms, self.redactions, self.consented, self.media, note):
            layout.addWidget(w)
        layout.addWidget(buttons)

    def privacy(self) -> ExportPrivacy:
        """The chosen protections."""
        return ExportPrivacy(
            pseudonymise=self.pseudonyms.isChecked(),
            redact=self.redactions.isChecked(),
            consented_only="export" if self.consented.isChecked() else None,
        )
