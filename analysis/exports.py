"""Analysis results to files (charts .png/.svg, tables .csv/.xlsx) with the export protections.

Every file goes through the same protections as the other exports (``storage.privacy``):
``export_scope`` turns the ``ExportPrivacy`` options into filters that leave out segments
without the needed consent (``consented_only``) and a label function that pseudonymises every
label (session titles, speaker labels, code names, attribute values); word lists already read
pseudonymised, redacted text (``analysis.words``). Each written file is logged in the audit log
(``log_export``) like any export.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .charts import CHART_SUFFIXES, render, save_figure
from .filters import Filters

if TYPE_CHECKING:
    from analysis.agreement import AgreementReport
    from storage.privacy.models import ExportPrivacy
    from storage.project import Project

TABLE_SUFFIXES = (".csv", ".xlsx")
OUTPUT_SUFFIXES = CHART_SUFFIXES + TABLE_SUFFIXES


def export_scope(
    project: Project, filters: Filters, privacy: ExportPrivacy | None
) -> tuple[Filters, Callable[[str], str]]:
    """Filters leaving out segments without consent, and the label function of an export."""
    from storage.privacy.models import ExportPrivacy

    privacy = privacy or ExportPrivacy()
    pf = project.privacy.privacy_filter(
        pseudonymise=privacy.pseudonymise,
        redact=privacy.redact,
        consented_only=privacy.consented_only,
    )
    if pf.excluded:
        filters = dataclasses.replace(
            filters, exclude_segments=frozenset(filters.exclude_segments | pf.excluded)
        )

    return filters, ExportLabels(project, pf, pseudonymise=privacy.pseudonymise)


class ExportLabels:
    """The label function of an export: ``labels(text)`` pseudonymises any label;
    ``labels.speaker(label)`` writes a speaker label linked to one participant as the
    participant's pseudonym, as the transcript exports do (``PrivateView.speaker_label``)."""

    def __init__(self, project: Project, pf: Any, *, pseudonymise: bool) -> None:
        self._pf = pf
        self._linked: dict[str, set[str]] = {}
        if pseudonymise:
            names = {p.id: p.pseudonym for p in project.sessions.participants()}
            for session in project.sessions.all():
                for sp in project.sessions.session_speakers(session.id):
                    if sp.participant_id in names:
                        self._linked.setdefault(sp.label, set()).add(names[sp.participant_id])

    def __call__(self, text: str) -> str:
        return str(self._pf.label(text) or text)

    def speaker(self, label: str) -> str:
        """A speaker label as exported: the pseudonym of the one participant it is linked to
        (a label linked to different participants in different sessions stays a label)."""
        linked = self._linked.get(label, set())
        return self(next(iter(linked)) if len(linked) == 1 else label)


#: the views whose results carry what participants said: keywords in context quote it, a word
#: list lists their words (a rare one, a village's name, identifies as a quotation does); the
#: other views (code frequencies, the matrix, co-occurrence, timelines) hold counts, times and
#: labels (pseudonymised) only
SAYING_KINDS = ("kwic", "words")


def sessions_quoted(kind: str, data: Any) -> list[str]:
    """The sessions whose participants' words a view's result carries (``SAYING_KINDS``), in
    order, each once; none for a view of counts. An export of them asks about consent to
    export first, as a transcript export does (the workbench's Analysis window, and
    ``analyze ... -o FILE``)."""
    if kind == "kwic":
        return list(dict.fromkeys(line.session_id for line in data))
    if kind == "words":
        return list(data.session_ids)
    return []


def grid_of(kind: str, data: Any, percent: str = "none") -> tuple[list[str], list[list[Any]]]:
    """Header and rows of a view's result for a spreadsheet."""
    if kind in ("matrix", "cooccurrence", "frequencies"):
        header, body = data.grid(percent)
        return header, body
    if kind == "timeline":
        rows = [
            [tl.title, lane.kind, lane.label, bar.start_ms, bar.end_ms, bar.segment_id or ""]
            for tl in data
            for lane in tl.lanes
            for bar in lane.bars
        ]
        return ["session", "lane", "label", "start_ms", "end_ms", "segment_id"], rows
    if kind == "kwic":
        # the session by its title (what a reader knows it by), its id kept beside it
        rows = [
            [k.session_title, k.session_id, k.start_ms, k.speaker or "", k.left, k.keyword,
             k.right]
            for k in data
        ]  # fmt: skip
        return ["session", "session_id", "start_ms", "speaker", "left", "keyword", "right"], rows
    return ["word", "count"], [[w, n] for w, n in data.words]


FORMULA_STARTS = ("=", "+", "-", "@")


def csv_cell(value: Any) -> Any:
    """A cell for a CSV file: a text starting like a formula (= + - @) gets a leading ' so a
    spreadsheet reads it as text; anything else (an empty text too) is written as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_table(dest: Path, header: list[str], body: list[list[Any]], sheet: str) -> Path:
    """Write a header and rows to ``dest`` (.csv or .xlsx) atomically."""
    from storage.core.errors import InvalidInputError
    from storage.interop._files import write_atomic

    fmt = dest.suffix.lower()
    if fmt not in TABLE_SUFFIXES:
        raise InvalidInputError(f"{dest}: tables are written to .csv or .xlsx files.")

    def write_csv(tmp: Path) -> None:
        with open(tmp, "w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            # never a formula: a text starting with = + - @ is quoted as text by a leading '
            writer.writerows([csv_cell(v) for v in row] for row in body)

    def write_xlsx(tmp: Path) -> None:
        from storage.interop.xlsx_stream import Sheet, write_xlsx

        widths = [max(10.0, min(50.0, len(str(h)) + 2.0)) for h in header]
        widths[0] = 40.0
        write_xlsx(tmp, [(Sheet(sheet[:31] or "analysis", widths, [False] * len(header)),
                          header, body)])  # fmt: skip

    return write_atomic(dest, write_csv if fmt == ".csv" else write_xlsx)


def write_result(
    project: Project,
    kind: str,
    data: Any,
    dest: Path,
    *,
    percent: str = "none",
    title: str = "",
    privacy: ExportPrivacy | None = None,
) -> Path:
    """Write an (already pseudonymised) result as a chart or a table, by ``dest``'s suffix,
    and log the export."""
    from storage.core.errors import InvalidInputError
    from storage.privacy.view import log_export

    fmt = dest.suffix.lower()
    if fmt in CHART_SUFFIXES:
        if kind == "kwic":
            raise InvalidInputError("keywords in context are a table: write .csv or .xlsx.")
        save_figure(render(kind, data, percent, title), dest)
    elif fmt in TABLE_SUFFIXES:
        header, body = grid_of(kind, data, percent)
        write_table(dest, header, body, kind)
    else:
        raise InvalidInputError(f"{dest}: write a chart (.png, .svg) or a table (.csv, .xlsx).")
    log_export(project, f"analysis {kind} {fmt[1:]}", dest, privacy)
    return dest


def agreement_grid(
    report: AgreementReport, label: Callable[[str], str] = str
) -> tuple[list[str], list[list[Any]]]:
    """The agreement table as the panel and ``fieldscribe agreement`` show it, one row per
    code and "(all codes)", with each coder's coded segments and the reason of an "n/a";
    for more than two coders, a row per pair with that pair's kappa over all codes. Figures
    are numbers (empty where not defined), not the rounded text."""
    coders = list(report.coders)
    header = [
        "code",
        "units",
        "percent_agreement",
        "cohen_kappa",
        "krippendorff_alpha",
        "span_overlap",
        *(f"segments coded by {c}" for c in coders),
        "notes",
    ]
    body: list[list[Any]] = []
    for row in [*report.codes, report.overall]:
        coefs = (
            ("agreement", row.percent),
            ("kappa", row.kappa),
            ("alpha", row.alpha),
            ("overlap", row.overlap),
        )
        notes = "; ".join(f"{name} n/a: {c.note}" for name, c in coefs if c.value is None)
        path = row.code_path if row.code_id is None else label(row.code_path)
        applied = [row.applied.get(c, 0) if row.code_id else "" for c in coders]
        body.append([path, row.units, *(c.value for _, c in coefs), *applied, notes])
    if len(coders) > 2:
        for pair, kappa in report.pairwise_kappa.items():
            empty = [""] * len(coders)
            note = f"kappa n/a: {kappa.note}" if kappa.value is None else ""
            body.append([f"(all codes) {pair}", "", "", kappa.value, "", "", *empty, note])
    return header, body


def write_agreement(
    project: Project, report: AgreementReport, dest: Path, label: Callable[[str], str] = str
) -> Path:
    """Write the agreement table to ``dest`` (.csv or .xlsx) and log the export."""
    from storage.privacy.view import log_export

    header, body = agreement_grid(report, label)
    write_table(dest, header, body, "agreement")
    log_export(project, f"agreement {dest.suffix.lower()[1:]}", dest, None)
    return dest
