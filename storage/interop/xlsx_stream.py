"""A streaming xlsx writer for big tables: each row is written once, straight to the zip.

openpyxl builds a Python object per cell, even in write-only mode (about 2.3 million cells for
150,000 codings: over a minute on a slow laptop). This writes the SpreadsheetML by hand --
inline strings, three cell styles (normal, bold header, wrapped text), a frozen header row and
column widths -- in time linear in the number of cells. The result opens in Excel, LibreOffice
and openpyxl (the tests read it back with openpyxl).
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

MAX_CELL_CHARS = 32767  # Excel's limit for one cell

NORMAL, BOLD, WRAP = 0, 1, 2

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_STYLES = (
    f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def column_letter(index: int) -> str:
    """The letters of a 1-based column number (1 -> A, 27 -> AA)."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cell(ref: str, value: Any, style: int) -> str:
    s = f' s="{style}"' if style else ""
    if value is None or value == "":
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    text = escape(_NOT_XML.sub("", str(value))[:MAX_CELL_CHARS])
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


class Sheet:
    """One worksheet: its name, column widths, and which columns wrap."""

    def __init__(self, name: str, widths: Sequence[float], wrapped: Sequence[bool]) -> None:
        self.name = name
        self.widths = list(widths)
        self.wrapped = list(wrapped)


def write_xlsx(
    dest: Path, sheets: Iterable[tuple[Sheet, Sequence[str], Iterable[Sequence[Any]]]]
) -> None:
    """Write sheets of (header, rows) to ``dest``; the header is bold and frozen.

    Values are written as numbers (int, finite float), booleans or text (anything else; never
    a formula: text starting with "=" stays text); characters XML cannot hold are dropped and
    a text is cut at Excel's 32,767 characters.
    """
    names: list[str] = []
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=5) as zf:
        for number, (sheet, header, rows) in enumerate(sheets, start=1):
            names.append(sheet.name)
            with zf.open(f"xl/worksheets/sheet{number}.xml", "w") as raw:
                _write_sheet(raw, sheet, header, rows)
        zf.writestr("[Content_Types].xml", _content_types(len(names)))
        zf.writestr(
            "_rels/.rels",
            f'{_HEAD}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        sheets_xml = "".join(
            f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
            for i, name in enumerate(names, start=1)
        )
        zf.writestr(
            "xl/workbook.xml",
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/>'
            f"</bookViews><sheets>{sheets_xml}</sheets></workbook>",
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(names) + 1)
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{_HEAD}<Relationships xmlns="{_PKG_REL}">{rels}<Relationship '
            f'Id="rId{len(names) + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        zf.writestr("xl/styles.xml", _STYLES)


def _content_types(n_sheets: int) -> str:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.worksheet+xml"/>'
        for i in range(1, n_sheets + 1)
    )
    return (
        f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
        f"{overrides}</Types>"
    )


def _write_sheet(
    raw: Any, sheet: Sheet, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    letters = [column_letter(i) for i in range(1, len(header) + 1)]
    styles = [WRAP if w else NORMAL for w in sheet.wrapped]
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
        for i, w in enumerate(sheet.widths, start=1)
    )
    parts = [
        f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetViews>'
        '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft"'
        ' state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        f'</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols>'
        '<sheetData><row r="1">',
        *(_cell(f"{letter}1", name, BOLD) for letter, name in zip(letters, header, strict=True)),
        "</row>",
    ]
    raw.write("".join(parts).encode("utf-8"))
    buffer: list[str] = []
    for number, row in enumerate(rows, start=2):
        cells = "".join(
            _cell(f"{letter}{number}", value, style)
            for letter, value, style in zip(letters, row, styles, strict=True)
        )
        buffer.append(f'<row r="{number}">{cells}</row>')
        if len(buffer) >= 500:
            raw.write("".join(buffer).encode("utf-8", "replace"))
            buffer.clear()
    buffer.append("</sheetData></worksheet>")
    raw.write("".join(buffer).encode("utf-8", "replace"))
