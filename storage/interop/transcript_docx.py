"""Word (.docx) transcripts: the lines of a document's body as the transcript import reads
them (paragraphs with their tracked changes accepted, table rows as ``[time] SPEAKER: text``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from storage.core.errors import InvalidInputError

from .transcript_patterns import MAX_TRANSCRIPT_BYTES, STAMP, is_label
from .transcript_table import rows_as_lines


def docx_lines(path: Path, data: bytes) -> list[str]:
    """The lines of a Word document's body: paragraphs (a line break in one splits it) and
    table rows (their cells joined by spaces, a speaker cell followed by ``:``)."""
    try:
        document = open_docx(data)
    except ValueError as exc:
        why = str(exc)
        raise InvalidInputError(
            f"{path}: {why}" + ("." if why.endswith("refused") else "; nothing was imported.")
        ) from None
    styles = _bold_styles(document)
    lines: list[str] = []
    for item in document.iter_inner_content():
        if hasattr(item, "rows"):
            lines.extend(_table_lines(item))
        else:
            lines.extend(_bold_speaker(item._p, styles).split("\n"))
    return lines


def open_docx(data: bytes) -> Any:
    """A Word document (python-docx's ``Document``) read from its bytes.

    Raises:
        ValueError: it is no Word document that can be read, or too large (one line, why).
    """
    import io
    import zipfile

    from docx import Document

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            size = zf.getinfo("word/document.xml").file_size
    except (KeyError, zipfile.BadZipFile, ValueError) as exc:
        if data.startswith(b"PK\x03\x04") and isinstance(exc, zipfile.BadZipFile):
            # a zip's first member, but no end: cut short (it read "not a Word document ...
            # (File is not a zip file)")
            raise ValueError(
                "the Word document is incomplete or damaged (it starts like one but its end is "
                "missing, as when a copy or download stopped early); copy it again"
            ) from None
        raise ValueError(f"not a Word document (.docx) that can be read ({exc})") from None
    if size > MAX_TRANSCRIPT_BYTES * 4:
        raise ValueError("the Word document is too large; refused")
    try:
        return Document(io.BytesIO(data))
    except (KeyError, zipfile.BadZipFile, ValueError) as exc:
        raise ValueError(f"not a Word document (.docx) that can be read ({exc})") from None
    except Exception as exc:  # python-docx raises lxml and package errors of its own
        raise ValueError(
            f"not a Word document (.docx) that can be read ({type(exc).__name__})"
        ) from None


def docx_paragraphs(data: bytes) -> list[str]:
    """The text of a Word document's paragraphs in order, as a QDA tool derives the plain text
    of a rich text source (REFI-QDA: positions count in it, paragraphs joined by line ends):
    each body paragraph with its tracked changes accepted (a line break in one stays "\\n"),
    and each paragraph of a table's cells (a merged cell once), row by row.

    Raises:
        ValueError: it is no Word document that can be read (``open_docx``).
    """
    document = open_docx(data)
    paragraphs: list[str] = []
    for item in document.iter_inner_content():
        if not hasattr(item, "rows"):
            paragraphs.append(_paragraph_text(item._p))
            continue
        for row in item.rows:
            seen: set[int] = set()
            for cell in row.cells:
                if id(cell._tc) not in seen:
                    seen.add(id(cell._tc))
                    paragraphs += [_paragraph_text(p) for p in cell._tc.findall(_W + "p")]
    return paragraphs


def _bold_styles(document: Any) -> dict[str | None, bool]:
    """Which styles set their text bold, by style id (through the styles they are based on);
    ``None`` stands for the default paragraph style (a paragraph that names none)."""
    own: dict[str, bool | None] = {}
    base: dict[str, str | None] = {}
    for style in document.styles:
        font = getattr(style, "font", None)  # numbering styles have none
        if font is None or not style.style_id:
            continue
        own[style.style_id] = font.bold
        based = getattr(style, "base_style", None)
        base[style.style_id] = based.style_id if based is not None else None
    out: dict[str | None, bool] = {}
    for style_id in own:
        seen: set[str] = set()
        at: str | None = style_id
        while at is not None and at not in seen and own.get(at) is None:
            seen.add(at)
            at = base.get(at)
        out[style_id] = bool(at is not None and own.get(at))
    from docx.enum.style import WD_STYLE_TYPE

    default = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    out[None] = out.get(default.style_id, False) if default is not None else False
    return out


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
#: what a paragraph holds that is not its text now: deleted and moved-away tracked changes,
#: text boxes (paragraphs of their own), field instructions, properties (tab stops)
_NOT_TEXT = frozenset(
    _W + tag for tag in ("del", "moveFrom", "txbxContent", "instrText", "pPr", "rPr")
)


def _paragraph_text(element: Any) -> str:
    """A Word paragraph's text as it reads with its tracked changes accepted: its runs, also
    inside insertions, moves, hyperlinks, fields and content controls (python-docx's
    ``Paragraph.text`` leaves out all but plain runs and hyperlinks); tabs and line breaks."""
    return "".join(text for text, _ in _paragraph_runs(element))


def _style_of(props: Any, tag: str) -> str | None:
    mark = props.find(_W + tag) if props is not None else None
    return mark.get(_W + "val") if mark is not None else None


def _is_bold(run: Any, styles: dict[str | None, bool], paragraph: bool) -> bool:
    """Whether a run is bold: set directly (``<w:b/>``, not ``w:val="0"``), else through its
    character style, else through its paragraph's style (``paragraph``)."""
    props = run.find(_W + "rPr")
    mark = props.find(_W + "b") if props is not None else None
    if mark is not None:
        return mark.get(_W + "val", "true") not in ("0", "false", "off")
    character = _style_of(props, "rStyle")
    if character is not None and styles.get(character):
        return True
    return paragraph


def _paragraph_runs(
    element: Any, styles: dict[str | None, bool] | None = None
) -> list[tuple[str, bool]]:
    """A paragraph's text as pieces, each with whether it is bold (directly, or through its
    character or paragraph style when ``styles`` is given: ``_bold_styles``)."""
    parts: list[tuple[str, bool]] = []
    styles = styles or {}
    paragraph = styles.get(_style_of(element.find(_W + "pPr"), "pStyle"), False)

    def walk(node: Any, bold: bool) -> None:
        for child in node:
            tag = child.tag
            if tag in _NOT_TEXT:
                continue
            if tag == _W + "t":
                parts.append((child.text or "", bold))
            elif tag == _W + "tab":
                parts.append(("\t", bold))
            elif tag in (_W + "br", _W + "cr"):
                parts.append(("\n", bold))
            elif tag == _W + "noBreakHyphen":
                parts.append(("-", bold))
            elif tag == _W + "r":
                walk(child, _is_bold(child, styles, paragraph))
            else:
                walk(child, bold)

    walk(element, False)
    return parts


#: a time at the start of a paragraph (``[00:01:02]``, ``(1:02)``, ``00:01:02``)
_LEAD_STAMP = re.compile(rf"^\s*[\[(]?{STAMP}[\])]?\s*")


def _bold_speaker(element: Any, styles: dict[str | None, bool] | None = None) -> str:
    """A paragraph's text, with ``:`` after a speaker's name set in bold without one, next to
    a time: ``[00:01:02] **Anna**\\ttext`` reads ``[00:01:02] Anna: text``, ``**Anna**
    [00:01:02] text`` reads ``Anna: [00:01:02] text`` (as transcription services and
    researchers typing in Word set names). Other text is left as it is."""
    parts = _paragraph_runs(element, styles)
    text = "".join(t for t, _ in parts)
    bold = [False] * len(text)
    at = 0
    for piece, is_bold in parts:
        if is_bold:
            bold[at : at + len(piece)] = [True] * len(piece)
        at += len(piece)
    first = next((i for i, ch in enumerate(text) if bold[i] and not ch.isspace()), None)
    if first is None:
        return text
    last = first
    while last < len(text) and bold[last] and text[last] != "\n":
        last += 1
    stamp = _LEAD_STAMP.match(text[:last])
    if stamp and not any(ch in stamp.group(0) for ch in "[(") and stamp.group(0).count(":") < 2:
        stamp = None  # a bare "10:30" starts no turn: "10:30 **Важно** это" is text
    head = text[:first]
    if head.strip() and not (stamp and stamp.end() >= len(head.rstrip())):
        return text  # words before the bold ones
    name_start = max(first, stamp.end()) if stamp else first
    name, rest = text[name_start:last].strip(), text[last:]
    if name.endswith(":") or rest.lstrip(" \t").startswith(":") or not is_label(name):
        return text
    rest = rest.lstrip(" \t")
    line_rest = rest.split("\n", 1)[0]
    after = _LEAD_STAMP.match(line_rest)
    if not line_rest.strip() or not (
        stamp or (after and (line_rest.lstrip()[0] in "[(" or after.end() == len(line_rest)))
    ):
        return text  # a name alone on its line, or no time beside it (a bracketed one or
        # one alone after it: "**Anna** 10:30 пришла" is text)
    return f"{text[:name_start]}{name}: {rest}"


def _table_lines(table: Any) -> list[str]:
    """A table's rows as transcript lines (``transcript_table.rows_as_lines``)."""
    rows: list[list[str]] = []
    for row in table.rows:
        seen: set[int] = set()
        cells: list[str] = []
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is listed once per column it spans
                continue
            seen.add(id(cell._tc))
            value = " ".join(_paragraph_text(p) for p in cell._tc.findall(_W + "p"))
            cells.append(re.sub(r"\s+", " ", value).strip())
        rows.append(cells)
    return rows_as_lines(rows)
