"""Codebooks from CSV: ours (``codebook export -o X.csv``), Taguette's, or a spreadsheet's; an
``.xlsx`` (ours, ``codebook export -o X.xlsx``, edited in Excel) is read the same way from its
first sheet.

Columns (the header row decides; names are matched without case, a UTF-8 byte-order mark is
ignored, commas or semicolons separate):

* the code: ``tag`` (ours, Taguette's), else ``path``, else ``name`` (QualCoder-style lists,
  spreadsheets); "Parent/Child" makes a sub-code. Exactly one of them is used: ``tag`` first.
* ``description`` (or ``memo``): the code's description. A code already here keeps its own
  description and takes the file's only when it has none, as in a ``.qdc`` or ``.qdpx`` (the
  report says how many kept theirs and how many were filled).
* ``colour`` (or ``color``): ``#RRGGBB``, the colour of a new code (without one it gets one from
  the palette); a code already here keeps its colour, as in a ``.qdc`` or ``.qdpx`` (the report
  says how many the file gives another).
* ``id`` (or ``guid``): a code of this project with that id is the same code (reused, even when
  renamed elsewhere); otherwise codes match by path, each name in any letter case
  (``storage.core.names.name_key``), the project's spelling kept.
* ``memos``: the code's memos (Code ▸ Memo…), as ``memos_cell`` writes them: one after another,
  a line ``---`` between two, a titled memo's first line ``# Title``. Each one the code does not
  hold yet (the same title and text) is added to it.

Every other column (``level``, ``codings``, ``number of highlights``...) is read over. The import
runs in one transaction: a bad row refuses the file, naming the row, and nothing changes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from storage.codebook.codebook import checked_colour
from storage.core.errors import InvalidInputError, NotFoundError
from storage.core.zipcheck import ZipCaps

from .qdpx_import import ImportReport

if TYPE_CHECKING:
    from storage.project import Project

_T = TypeVar("_T")
_MAX_BYTES = 16 * 1024**2
_CODE_COLUMNS = ("tag", "path", "name")
_ZIP_CAPS = ZipCaps(
    max_members=1000, max_member_bytes=_MAX_BYTES * 8, max_total_bytes=_MAX_BYTES * 16
)


def read_codebook_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV codebook as ``{"path", "description", "colour", "id", "memos"}``
    (nothing written).

    Raises:
        InvalidInputError: not readable as a CSV codebook (the message says why).
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InvalidInputError(f"{path}: cannot read ({exc.strerror or exc}).") from None
    if size > _MAX_BYTES:
        raise InvalidInputError(f"{path}: larger than {_MAX_BYTES} bytes; not a codebook.")
    suffix = path.suffix.lower()
    if suffix == ".docx":
        rows = _docx_rows(path)
    else:
        rows = _xlsx_rows(path) if suffix == ".xlsx" else _csv_rows(path)
    if not rows:
        raise InvalidInputError(f"{path}: empty; a codebook CSV needs a header row.")
    header = [h.strip().lower() for h in rows[0]]
    column = next((c for c in _CODE_COLUMNS if c in header), None)
    if column is None:
        raise InvalidInputError(
            f"{path}: no 'tag', 'path' or 'name' column in the header "
            f"({', '.join(rows[0]) or 'empty'}); nothing was imported."
        )

    def index(*names: str) -> int | None:
        return next((header.index(n) for n in names if n in header), None)

    at = {
        "path": header.index(column),
        "description": index("description", "memo"),
        "colour": index("colour", "color"),
        "id": index("id", "guid"),
        "memos": index("memos"),
    }
    result = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {
            key: (row[i].strip() if i is not None and i < len(row) else "") for key, i in at.items()
        }
        if not values["path"]:
            raise InvalidInputError(
                f"{path}, row {number}: no code in the {column!r} column; nothing was imported."
            )
        if "\n" in values["path"]:
            raise InvalidInputError(f"{path}, row {number}: a code name spans several lines.")
        values["row"] = str(number)
        result.append(values)
    return result


def _csv_rows(path: Path) -> list[list[str]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"{path}: cannot read ({exc.strerror or exc}).") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInputError(f"{path}: not UTF-8 text; save the CSV as UTF-8.") from None
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text.split("\n", 1)[0], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def _docx_rows(path: Path) -> list[list[str]]:
    """Our Word codebook (``codebook export -o X.docx``) as listing rows: its table's "Code"
    column names a code indented four spaces a level under its parent, "Colour",
    "Description" and "Memos" (written as ``memos_cell`` writes them) come with it."""
    from docx import Document

    document = _zip_opened(path, "a usable Word document", lambda p: Document(str(p)))
    for table in document.tables:
        cells = [[c.text for c in row.cells] for row in table.rows]
        if not cells or [h.strip().lower() for h in cells[0][:1]] != ["code"]:
            continue
        header = [h.strip().lower() for h in cells[0]]
        at = {
            name: header.index(name)
            for name in ("colour", "description", "memos")
            if name in header
        }
        rows = [["tag", *at]]
        path_of: list[str] = []  # the path at each depth above the row
        for number, row in enumerate(cells[1:], start=2):
            name = row[0].rstrip()
            if not name.strip():
                continue
            depth = (len(name) - len(name.lstrip(" "))) // 4
            if depth > len(path_of):
                raise InvalidInputError(
                    f"{path}, row {number}: {name.strip()!r} is indented deeper than a sub-code "
                    "of the row above it; nothing was imported."
                )
            path_of[depth:] = [name.strip()]
            rows.append(["/".join(path_of), *(row[i] for i in at.values())])
        return rows
    raise InvalidInputError(
        f"{path}: no codebook table (a first column headed 'Code', as `codebook export -o "
        "X.docx` writes it); nothing was imported."
    )


def _zip_opened(path: Path, what: str, open_file: Callable[[Path], _T]) -> _T:
    """``open_file(path)`` of a document that is a zip (.docx, .xlsx), its sizes checked
    first; any failure is one line: "PATH: not WHAT (why)."."""
    import zipfile

    from storage.core.zipcheck import check_count, check_declared

    def refuse(why: str) -> InvalidInputError:
        return InvalidInputError(f"{path}: not {what} ({why}).")

    try:
        check_count(path, _ZIP_CAPS, refuse)
        with zipfile.ZipFile(path) as archive:
            check_declared(archive.infolist(), _ZIP_CAPS, refuse)
        return open_file(path)
    except InvalidInputError:
        raise
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise refuse(str(exc) or type(exc).__name__) from None


def _xlsx_rows(path: Path) -> list[list[str]]:
    """The cells of the first sheet as text (a zip: its sizes are checked before reading)."""
    import openpyxl

    book = _zip_opened(
        path,
        "a usable spreadsheet",
        lambda p: openpyxl.load_workbook(p, read_only=True, data_only=True),
    )
    try:
        sheet = book.worksheets[0]
        return [
            ["" if v is None else str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
             for v in row]
            for row in sheet.iter_rows(values_only=True)
        ]  # fmt: skip
    finally:
        book.close()


MEMO_BREAK = "\n---\n"


def memos_cell(memos: list[tuple[str | None, str]]) -> str:
    """A code's memos (title, text) in one cell: ``---`` lines between them, a title as the
    first line ``# Title`` (``memos_of_cell`` reads them back)."""
    return MEMO_BREAK.join(f"# {title}\n{text}" if title else text for title, text in memos)


def memos_of_cell(cell: str) -> list[tuple[str | None, str]]:
    """The memos (title, text) of a ``memos`` cell (``memos_cell``); blank ones are skipped."""
    memos: list[tuple[str | None, str]] = []
    for block in cell.replace("\r\n", "\n").split(MEMO_BREAK):
        block = block.strip("\n")
        title: str | None = None
        if block.startswith("# "):
            first, _, block = block.partition("\n")
            title = first[2:].strip() or None
        if block.strip() or title:
            memos.append((title, block))
    return memos


def import_codebook_csv(project: Project, source: str | Path) -> ImportReport:
    """Merge a CSV codebook into the project (one transaction; see the module docstring).

    Raises:
        InvalidInputError: the file or one of its rows is not usable (nothing changed).
    """
    path = Path(source).expanduser()
    rows = read_codebook_csv(path)
    report = ImportReport(source=str(path), project=str(project.folder))
    codebook = project.codebook
    before = len(codebook.codes())
    with project.transaction():
        for values in rows:
            number = values["row"]
            try:
                code = codebook.get_code(values["id"]) if values["id"] else None
            except NotFoundError:
                code = None
            theirs = code.name if code is not None else ""  # by id: its name here
            if code is None:  # by path, in any letter case ("госуслуги" finds "Госуслуги")
                code = codebook.find_code(_clean(values["path"]))
                theirs = _clean(values["path"]).split("/")[-1]
            try:
                if code is None:
                    code = codebook.ensure_code_path(
                        _clean(values["path"]), colour=values["colour"] or None
                    )
                    if values["description"]:
                        codebook.update_code(code.id, description=values["description"])
                else:  # the project's spelling, colour and description stay; an empty
                    # description takes the file's (``ImportReport.code_match``)
                    colour = checked_colour(values["colour"]) if values["colour"] else None
                    fill = report.code_match(
                        theirs,
                        code.name,
                        colour,
                        code.colour,
                        values["description"],
                        code.description,
                    )
                    if fill:
                        codebook.update_code(code.id, description=fill)
                held = {(m.title, m.text) for m in codebook.memos("code", code.id)}
                for title, text in memos_of_cell(values["memos"]):
                    if (title, text) not in held:
                        codebook.add_memo("code", code.id, text, title=title)
                        held.add((title, text))
            except InvalidInputError as exc:
                raise InvalidInputError(
                    f"{path}, row {number}: {exc} Nothing was imported."
                ) from None
        report.codes = len(codebook.codes()) - before  # parents made along a path count too
    report.note_code_matches()
    return report


def _clean(path: str) -> str:
    return "/".join(part.strip() for part in path.split("/"))
