"""Analyses of a project's codings (inter-coder agreement). Pure Python and numpy; no Qt."""

from .agreement import (
    AgreementReport,
    CodeAgreement,
    Coefficient,
    Disagreement,
    cohen_kappa,
    compute_agreement,
    disagreements,
    krippendorff_alpha_nominal,
    percent_agreement,
)

__all__ = [
    "AgreementReport",
    "CodeAgreement",
    "Coefficient",
    "Disagreement",
    "cohen_kappa",
    "compute_agreement",
    "disagreements",
    "krippendorff_alpha_nominal",
    "percent_agreement",
]
