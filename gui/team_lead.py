"""Team ▸ Project lead…: who leads the open project, and recording (or handing over) the lead.

The lead resolves conflicts; a coder's copy takes the lead's removals and decisions as final
(``storage.team.lead``). A project made before the lead was recorded has none until someone
records it here (or with ``fieldscribe team lead DIR NAME``).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from storage import Project


def lead_text(project: Project) -> str:
    """Who leads the project and what that means for the coder of this copy."""
    lead, me = project.team.lead, project.coder
    if lead is None:
        return (
            "This project does not record its lead, so every coder resolves conflicts in their "
            "own copy, as before. Record the lead here in the lead's project; the lead's next "
            "bundle carries it to every coder."
        )
    if lead == me:
        return (
            f"You ({me}) lead this project: you resolve conflicts, and your bundles carry your "
            "decisions to every coder."
        )
    return (
        f"The lead is {lead}; you code as {me}. Only the lead resolves conflicts: your next "
        f"bundle takes yours to {lead}, whose decisions and removals arrive final with the "
        "lead's bundle."
    )


class LeadDialog(QDialog):
    """Shows the project's lead; records a lead (or hands the project over)."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Project lead")
        self.project = project
        lead = project.team.lead
        self.about = QLabel(lead_text(project), self)
        self.about.setWordWrap(True)
        self.name = QLineEdit(lead or project.coder, self)
        self.take_over = QCheckBox("Take over from a lead who is gone (set it in every copy)", self)
        # a coder's copy names someone else: handing over is the lead's, taking over explicit
        self.take_over.setVisible(lead is not None and lead != project.coder)
        form = QFormLayout()
        form.addRow("Lead", self.name)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Record as lead")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.about)
        layout.addLayout(form)
        layout.addWidget(self.take_over)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def value(self) -> str:
        """The lead's name as typed."""
        return self.name.text().strip()
