"""Export coded segments to csv or xlsx, for people who work in spreadsheets.

One row per coding: session, times, speaker, the participant behind the speaker (via the
session's speaker mapping) with their attributes as columns, code path, coder, the coded text
(the span, or the whole segment), the segment text, its language (a Whisper code, empty when
unknown) and the coding memo. ``sheet_per_code``
(xlsx) adds one sheet per code after the "All codings" sheet.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storage.core.errors import InvalidInputError
from storage.privacy.models import ExportPrivacy
from storage.privacy.view import log_export, private_view

from ._common import hms
from ._files import write_atomic

if TYPE_CHECKING:
    from storage.codebook.retrieval import RetrievedCoding
    from storage.project import Project

BASE_COLUMNS = [
    "session", "session_id", "start", "end", "start_ms", "end_ms", "speaker", "participant",
]  # fmt: skip
TAIL_COLUMNS = [
    "code", "coder", "coded_text", "segment_text", "language", "memo", "coding_id", "segment_id",
]  # fmt: skip


def coding_rows(project: Project) -> tuple[list[str], list[dict[str, Any]]]:
    """Return the column names and one dict per coding, in session/time order."""
    sessions = {s.id: s for s in project.sessions.all()}
    codes = {c.id: c for c in project.codebook.codes()}
    participants = {p.id: p for p in project.sessions.participants()}
    attr_names = sorted({k for p in participants.values() for k in p.attributes})
    speaker_map: dict[tuple[str, str], str | None] = {}
    for sid in sessions:
        for sp in project.sessions.session_speakers(sid):
            speaker_map[(sid, sp.label)] = sp.participant_id
    rows = []
    order = {sid: i for i, sid in enumerate(sessions)}
    # blind coding: a blind coder's export holds only their own codings (and memos)
    codings = project.codebook.codings(coder=project.team.blind_coder)
    segments = project.transcript.get_segments(c.segment_id for c in codings)
    for coding in codings:
        seg = segments[coding.segment_id]
        session = sessions[seg.session_id]
        pid = speaker_map.get((seg.session_id, seg.speaker or ""))
        part = participants.get(pid) if pid else None
        if coding.start_cp is not None and coding.end_cp is not None:
            coded = seg.text[coding.start_cp : coding.end_cp]
        else:
            coded = seg.text
        code = codes.get(coding.code_id)
        row: dict[str, Any] = {
            "session": session.title,
            "session_id": session.id,
            "start": hms(seg.start_ms, millis=True),
            "end": hms(seg.end_ms, millis=True),
            "start_ms": seg.start_ms,
            "end_ms": seg.end_ms,
            "speaker": seg.speaker or "",
            "participant": part.pseudonym if part else "",
        }
        for name in attr_names:
            row[f"participant.{name}"] = part.attributes.get(name, "") if part else ""
        row.update(
            {
                "code": code.path if code else coding.code_id,
                "coder": coding.coder,
                "coded_text": coded,
                "segment_text": seg.text,
                "language": seg.language or "",
                "memo": coding.memo or "",
                "coding_id": coding.id,
                "segment_id": seg.id,
            }
        )
        rows.append(row)
    rows.sort(key=lambda r: (order.get(r["session_id"], 0), r["start_ms"], r["code"], r["coder"]))
    columns = BASE_COLUMNS + [f"participant.{n}" for n in attr_names] + TAIL_COLUMNS
    return columns, rows


def _sheet_name(name: str, used: set[str]) -> str:
    clean = re.sub(r"[\[\]:*?/\\]", "-", name).strip("'") or "code"
    base = clean[:31]
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(candidate.lower())
    return candidate


def kept_codings(project: Project, privacy: ExportPrivacy | None = None) -> tuple[int, int]:
    """How many of the project's codings an export with ``privacy`` keeps, and of how many.

    Only ``privacy.consented_only`` leaves codings out (those of segments whose speakers have no
    consent to the purpose); the workbench and ``export-codings`` both say the difference.

    Returns:
        ``(kept, total)``.
    """
    coder = project.team.blind_coder  # blind coding: only the coder's own are exported
    total = len(project.codebook.codings(coder=coder))
    if privacy is None or not privacy.consented_only:
        return total, total
    with private_view(project, privacy) as view:
        return len(view.codebook.codings(coder=coder)), total


def unlabelled_left_out(project: Project, privacy: ExportPrivacy) -> int:
    """How many of the codings an export keeps (``kept_codings``: the blind coder's own under
    blind coding) are left out for being on speech without a speaker
    (``ConsentRecords.unlabelled_left_out``)."""
    codings = project.codebook.codings(coder=project.team.blind_coder)
    ids = [c.segment_id for c in codings]
    return project.consent.unlabelled_left_out(privacy.consented_only, ids)


def export_codings(
    project: Project,
    dest: str | Path,
    *,
    sheet_per_code: bool = False,
    privacy: ExportPrivacy | None = None,
) -> Path:
    """Write every coding to ``dest`` (.csv or .xlsx).

    Texts use pseudonyms and hide redacted spans unless ``privacy`` says otherwise; codings of
    segments without consent are left out with ``privacy.consented_only``. Logged.

    Raises:
        InvalidInputError: unknown suffix, or ``sheet_per_code`` with csv.
        ReadOnlyError: the file cannot be written.
    """
    dest = Path(dest).expanduser()
    fmt = dest.suffix.lower()
    if fmt not in (".csv", ".xlsx"):
        raise InvalidInputError(f"{dest}: coded segments are exported to .csv or .xlsx files.")
    if sheet_per_code and fmt != ".xlsx":
        raise InvalidInputError("--sheet-per-code needs an .xlsx file (csv has one sheet).")
    with private_view(project, privacy) as view:
        columns, rows = coding_rows(view)

    def write_csv(tmp: Path) -> None:
        with open(tmp, "w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)

    def write_xlsx(tmp: Path) -> None:
        write_codings_xlsx(tmp, columns, rows, sheet_per_code=sheet_per_code)

    write_atomic(dest, write_csv if fmt == ".csv" else write_xlsx)
    log_export(project, f"codings {fmt[1:]}", dest, privacy, extra={"codings": len(rows)})
    return dest


def as_exported(
    project: Project, rows: Sequence[RetrievedCoding], privacy: ExportPrivacy | None = None
) -> list[RetrievedCoding]:
    """Retrieved codings as an export shows them: texts, titles, speakers and memos with
    pseudonyms and redactions applied (spans moved with the rewritten text), and without the
    codings of segments ``privacy.consented_only`` leaves out."""
    wanted = {r.coding_id for r in rows}
    with private_view(project, privacy) as view:
        codings = {c.id: c for c in view.codebook.codings() if c.id in wanted}
        segments = view.transcript.get_segments(r.segment_id for r in rows)
        titles = {s.id: s.title for s in view.sessions.all()}
        shown = []
        for r in rows:
            coding, segment = codings.get(r.coding_id), segments.get(r.segment_id)
            if coding is None or segment is None:
                continue
            shown.append(
                dataclasses.replace(
                    r,
                    session_title=titles[r.session_id],
                    speaker=segment.speaker,
                    memo=coding.memo,
                    start_cp=coding.start_cp,
                    end_cp=coding.end_cp,
                    text=segment.text,
                )
            )
    return shown


def export_retrieved(
    project: Project,
    rows: Sequence[RetrievedCoding],
    dest: str | Path,
    *,
    privacy: ExportPrivacy | None = None,
) -> int:
    """Write retrieved codings (a retrieval's rows, as shown) to a UTF-8 CSV with a BOM, as an
    export shows them (``as_exported``: pseudonyms and redactions applied unless ``privacy``
    says otherwise); logged like every export. Returns the rows written."""
    dest = Path(dest).expanduser()
    shown = as_exported(project, rows, privacy)

    def write_csv(tmp: Path) -> None:
        with open(tmp, "w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh)
            writer.writerow(RETRIEVED_COLUMNS)
            for r in shown:
                writer.writerow(
                    [
                        r.code_path, r.session_title, hms(r.start_ms, millis=True),
                        hms(r.end_ms, millis=True), r.start_ms, r.end_ms, r.speaker or "",
                        r.participant or "", r.coder, r.quote, r.text, r.language or "",
                        r.memo or "", r.segment_id, r.coding_id,
                    ]
                )  # fmt: skip

    write_atomic(dest, write_csv)
    log_export(project, "retrieved codings csv", dest, privacy, extra={"codings": len(shown)})
    return len(shown)


RETRIEVED_COLUMNS = (
    "code", "session", "start", "end", "start_ms", "end_ms", "speaker", "participant",
    "coder", "coded_text", "segment_text", "language", "memo", "segment_id", "coding_id",
)  # fmt: skip
WIDE_COLUMNS = ("coded_text", "segment_text", "memo")


def write_codings_xlsx(
    dest: Path, columns: list[str], rows: list[dict[str, Any]], *, sheet_per_code: bool = False
) -> None:
    """Write the rows as an xlsx workbook, streamed (``storage.interop.xlsx_stream``).

    Linear in the number of cells (150,000 codings in seconds; ``bench/export_bench.py``):
    each row is written once and never looked up again. A bold frozen header, wide wrapped text
    columns, and text that starts with "=" stays text, never a formula.
    """
    from .xlsx_stream import Sheet, write_xlsx

    used: set[str] = set()
    wrapped = [c in WIDE_COLUMNS for c in columns]
    widths = [60 if w else 16 for w in wrapped]

    def sheet(title: str, items: list[dict[str, Any]]) -> tuple[Sheet, list[str], Any]:
        values = ([_cell(item[c]) for c in columns] for item in items)
        return Sheet(_sheet_name(title, used), widths, wrapped), columns, values

    sheets = [sheet("All codings", rows)]
    if sheet_per_code:
        by_code: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            by_code.setdefault(r["code"], []).append(r)
        sheets += [sheet(path, by_code[path]) for path in sorted(by_code, key=str.lower)]
    write_xlsx(dest, sheets)


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return _ILLEGAL.sub("", value)  # control characters are not allowed in xlsx
    return value
