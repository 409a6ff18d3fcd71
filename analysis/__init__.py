"""Analyses of a project's codings: inter-coder agreement, and the patterns views (code matrix,
co-occurrence, session timeline, frequencies; docs/analysis.md). Pure Python, SQL and numpy;
no Qt. The pattern views live in their own modules (``analysis.matrix``, ``.cooccurrence``,
``.timeline``, ``.words``) and are imported from there, so agreement users load nothing more."""

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
