"""The codebook alone: REFI-QDA ``.qdc`` export/import, and csv/xlsx/docx listings.

A ``.qdc`` is a QDA-XML ``CodeBook`` (namespace ``urn:QDA-XML:codebook:1.0``) holding the same
nested ``Code`` elements as a project file. Listings carry each code's path, colour, description
and frequencies (codings of the code itself, and with its sub-codes).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from storage.core.errors import InvalidInputError
from storage.core.models import Code
from storage.core.names import name_order
from storage.core.words import plural
from storage.privacy.models import ExportPrivacy
from storage.privacy.view import log_export, private_view

from . import exchange_meta
from ._common import ORIGIN, QDC_NS, xml_safe, xml_safe_tree
from ._files import write_atomic
from .qdpx_import import ImportContext, ImportReport, check_schema_version, read_qde
from .qdpx_import.codes import import_codes
from .qdpx_parse import QProject, child, children, local, parse_codes
from .safe_zip import SafeZip, parse_xml

if TYPE_CHECKING:
    from storage.project import Project

CODEBOOK_FORMATS = ("qdc", "csv", "xlsx", "docx")
_MAX_QDC_BYTES = 64 * 1024**2


@dataclass
class CodeRow:
    """One code of a codebook listing."""

    code: Code
    depth: int
    codings: int
    codings_with_subcodes: int


def codebook_rows(project: Project, rank: dict[str, int] | None = None) -> list[CodeRow]:
    """Return the codebook in tree order with frequencies.

    Siblings sort by name, or, with ``rank`` (``exchange_meta.code_rank``), in an imported
    file's order first.
    """
    rank = rank or {}
    end = len(rank)
    codes = project.codebook.codes()
    freq = project.codebook.code_frequencies(coder=project.team.blind_coder)  # blind: mine
    ids = {c.id for c in codes}
    kids: dict[str | None, list[Code]] = defaultdict(list)
    for code in codes:
        kids[code.parent_id if code.parent_id in ids else None].append(code)

    def total(code: Code) -> int:
        return freq.get(code.id, 0) + sum(total(k) for k in kids.get(code.id, []))

    rows: list[CodeRow] = []

    def walk(parent: str | None, depth: int) -> None:
        for code in sorted(
            kids.get(parent, []), key=lambda c: (rank.get(c.id, end), name_order(c.name))
        ):
            rows.append(CodeRow(code, depth, freq.get(code.id, 0), total(code)))
            walk(code.id, depth + 1)

    walk(None, 0)
    return rows


def _qdc_xml(project: Project) -> bytes:
    ET.register_namespace("", QDC_NS)
    root = ET.Element(f"{{{QDC_NS}}}CodeBook", {"origin": f"{ORIGIN} {project.schema_version}"})
    codes_el = ET.SubElement(root, f"{{{QDC_NS}}}Codes")
    parents: dict[str | None, ET.Element] = {None: codes_el}
    no_colour = exchange_meta.no_colour(project)
    for row in codebook_rows(project, exchange_meta.code_rank(project)):
        code = row.code
        attrs = {"guid": code.id, "name": code.name, "isCodable": "true"}
        if no_colour.get(code.id) != code.colour:  # a code imported without one keeps none
            attrs["color"] = code.colour.upper()
        el = ET.SubElement(
            parents[code.parent_id if code.parent_id in parents else None],
            f"{{{QDC_NS}}}Code",
            attrs,
        )
        if code.description:
            desc = ET.SubElement(el, f"{{{QDC_NS}}}Description")
            desc.text = code.description
        parents[code.id] = el
    xml_safe_tree(root)
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


#: Codebook listing columns (csv, xlsx). ``tag`` is the code's full path ("Parent/Child") and the
#: only one of Taguette's ``tag``/``name``/``path`` columns present (Taguette refuses a file with
#: two of them); ``description`` is the column Taguette reads next. ``id`` comes first so that the
#: byte-order mark spreadsheets need (UTF-8 with BOM) never sticks to ``tag``. The same columns
#: come back in with ``import_codebook`` (``storage.interop.codebook_csv``).
#: ``memos`` (last, so that the columns before it stay where they were) holds the code's memos
#: (``codebook_csv.memos_cell``), which the import adds back.
_HEADERS = [
    "id", "tag", "description", "colour", "level", "codings", "codings_with_subcodes", "memos",
]  # fmt: skip


def _memos(project: Project, code_id: str) -> str:
    from .codebook_csv import memos_cell

    return memos_cell([(m.title, m.text) for m in project.codebook.memos("code", code_id)])


def _table(project: Project) -> list[list[Any]]:
    return [
        [
            r.code.id,
            r.code.path,
            r.code.description or "",
            r.code.colour,
            r.depth + 1,
            r.codings,
            r.codings_with_subcodes,
            _memos(project, r.code.id),
        ]
        for r in codebook_rows(project)
    ]


def export_codebook(
    project: Project, dest: str | Path, *, privacy: ExportPrivacy | None = None
) -> Path:
    """Write the codebook as ``.qdc``, ``.csv``, ``.xlsx`` or ``.docx`` (by the file's suffix).

    Code names and descriptions use pseudonyms unless ``privacy`` says otherwise. Logged.

    Raises:
        InvalidInputError: unknown suffix.
        ReadOnlyError: the file cannot be written.
    """
    dest = Path(dest).expanduser()
    fmt = dest.suffix.lower().lstrip(".")
    if fmt not in CODEBOOK_FORMATS:
        raise InvalidInputError(
            f"{dest}: unknown codebook format {dest.suffix!r}; use one of "
            f"{', '.join('.' + f for f in CODEBOOK_FORMATS)}."
        )
    with private_view(project, privacy) as view:
        _write_codebook(view, dest, fmt)
    log_export(project, f"codebook {fmt}", dest, privacy)
    return dest


def _write_codebook(project: Project, dest: Path, fmt: str) -> None:
    def write(tmp: Path) -> None:
        if fmt == "qdc":
            tmp.write_bytes(_qdc_xml(project))
        elif fmt == "csv":
            with open(tmp, "w", newline="", encoding="utf-8-sig") as fh:
                writer = csv.writer(fh)
                writer.writerow(_HEADERS)
                writer.writerows(_table(project))
        elif fmt == "xlsx":
            _write_xlsx(project, tmp)
        else:
            _write_docx(project, tmp)

    write_atomic(dest, write)


def _write_xlsx(project: Project, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Codebook"
    ws.append(_HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in _table(project):
        ws.append([xml_safe(v) if isinstance(v, str) else v for v in row])
        colour = str(row[3]).lstrip("#").upper()
        ws.cell(ws.max_row, 4).fill = PatternFill("solid", start_color=colour, end_color=colour)
    ws.freeze_panes = "A2"
    for col, width in zip("ABCDEFGH", (38, 40, 60, 10, 6, 9, 12, 60), strict=True):
        ws.column_dimensions[col].width = width
    wb.save(path)


def _write_docx(project: Project, path: Path) -> None:
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    doc.add_heading(xml_safe(f"Codebook: {project.name}"), level=1)
    rows = codebook_rows(project)
    doc.add_paragraph(f"{plural(len(rows), 'code')}.")
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ("Code", "Colour", "Description", "Codings", "Memos"), strict=True
    ):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for r in rows:
        cells = table.add_row().cells
        cells[0].text = xml_safe(("    " * r.depth) + r.code.name)
        cells[1].text = r.code.colour
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:fill"), r.code.colour.lstrip("#").upper())
        cells[1]._tc.get_or_add_tcPr().append(shading)
        cells[2].text = xml_safe(r.code.description or "")
        cells[3].text = (
            f"{r.codings}"
            if r.codings == r.codings_with_subcodes
            else f"{r.codings} ({r.codings_with_subcodes} with sub-codes)"
        )
        cells[4].text = xml_safe(_memos(project, r.code.id))
        for cell in cells:
            for para in cell.paragraphs:
                for run in para.runs:
                    run.font.size = Pt(9)
    doc.save(str(path))


def read_qdc(path: Path) -> QProject:
    """Parse a ``.qdc`` file (nothing is written)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InvalidInputError(f"{path}: cannot read ({exc.strerror or exc}).") from None
    if size > _MAX_QDC_BYTES:
        raise InvalidInputError(f"{path}: the codebook is larger than {_MAX_QDC_BYTES} bytes.")
    return _codebook(path.read_bytes(), path)


def _codebook(data: bytes, path: Path | str) -> QProject:
    """The codebook a ``.qdc``'s bytes hold (``path`` names it in messages)."""
    read_notes: list[str] = []
    root = parse_xml(data, str(path), read_notes)
    # the QDA-XML namespace (any version: ATLAS.ti writes "codebook:0:4", NVivo for Mac
    # "codebook:1:0"), or none at all, as a project file may have
    namespaced = root.tag.startswith("{")
    if local(root.tag) != "CodeBook" or (namespaced and not root.tag.startswith("{urn:QDA-XML:")):
        hint = (
            " It is a REFI-QDA project (a project.qde), not a codebook: import the .qdpx "
            "holding it with 'fieldscribe qdpx import'."
            if local(root.tag) == "Project"
            else ""
        )
        raise InvalidInputError(
            f"{path} is not a REFI-QDA codebook (root element {local(root.tag)!r}"
            + (f" in namespace {root.tag[1:].split('}')[0]!r}" if namespaced else "")
            + f"); nothing was imported.{hint}"
        )
    if namespaced:
        check_schema_version(root.tag, Path(str(path)))
    codes = parse_codes(child(root, "Codes"))
    for code in codes:
        if not code.guid:
            raise InvalidInputError(f"{path}: code {code.name!r} has no guid; nothing imported.")
    sets = child(root, "Sets")  # groups of codes (NVivo, ATLAS.ti's code groups)
    n_sets = len(children(sets, "Set")) if sets is not None else 0
    return QProject(
        name="",
        origin=(root.get("origin") or ""),
        users={},
        codes=codes,
        variables={},
        cases=[],
        sources=[],
        notes={},
        project_notes=[],
        description=None,
        unsupported={"sets": n_sets} if n_sets else {},
        read_notes=read_notes,
    )


def codebook_of_qdpx(path: Path) -> QProject:
    """The codebook (``CodeBook`` of ``project.qde``) of a ``.qdpx`` project: its codes only,
    nothing else of the project (nothing is written).

    Raises:
        InvalidInputError: the archive is unsafe or not a REFI-QDA project, or has no codes.
    """
    try:
        zf, qp = read_qde(path)
    except InvalidInputError:
        # a codebook zipped as a .qdpx (its project.qde a CodeBook): what qdpx import sends
        # here ("It is a codebook: import it with 'fieldscribe codebook import'")
        data = _codebook_member(path)
        if data is None:
            raise
        return _codebook(data, f"{path}: project.qde")
    zf.close()
    if not qp.codes:
        raise InvalidInputError(
            f"{path}: the REFI-QDA project holds no codebook (no codes); nothing was imported."
        )
    return replace(qp, sources=[], cases=[], notes={}, project_notes=[], unsupported={})


def _codebook_member(path: Path) -> bytes | None:
    """The bytes of an archive's ``project.qde`` when it is a ``CodeBook``; else None."""
    try:
        with SafeZip(path) as zf:
            name = zf.find("project.qde")
            data = zf.read(name, _MAX_QDC_BYTES) if name is not None else None
        root = parse_xml(data, str(path)) if data is not None else None
    except InvalidInputError:
        return None
    return data if root is not None and local(root.tag) == "CodeBook" else None


def import_codebook(project: Project, source: str | Path) -> ImportReport:
    """Merge a ``.qdc``, ``.csv`` or ``.xlsx`` codebook, or the codebook of a ``.qdpx``
    project, into the project in one transaction.

    Codes already present (same GUID, or same path) are reused, new ones are added. A ``.csv``
    or ``.xlsx`` is read by ``storage.interop.codebook_csv`` (ours, Taguette's, a spreadsheet's).

    Raises:
        InvalidInputError: the file is not a safe, well-formed REFI-QDA codebook or CSV codebook.
    """
    path = Path(source).expanduser()
    if path.suffix.lower() in (".csv", ".xlsx", ".docx"):
        from .codebook_csv import import_codebook_csv

        return import_codebook_csv(project, path)
    if path.suffix.lower() == ".qdpx":
        qp = codebook_of_qdpx(path)
    elif path.suffix.lower() != ".qdc":
        raise InvalidInputError(
            f"{path}: codebooks are imported from .qdc (REFI-QDA), .qdpx (the codebook of a "
            "REFI-QDA project), .csv, .xlsx or .docx (FieldScribe's Word codebook) files."
        )
    else:
        qp = read_qdc(path)
    importer = ImportContext(project, qp, None, str(path))
    with project.transaction():
        import_codes(importer, qp.codes)
    for what, count in qp.unsupported.items():
        importer.report.notes.append(
            f"{plural(count, what[:-1])} of codes (code groups) not imported: FieldScribe has "
            f"no sets; {'its' if count == 1 else 'their'} codes were imported."
        )
    return importer.report
