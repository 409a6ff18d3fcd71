"""Other QDA tools' own project files, brought where a REFI-QDA project (.qdpx) is expected: a
QualCoder project (a ``NAME.qda`` folder holding the SQLite database ``data.qda``), NVivo's
``.nvp`` / ``.nvpx``, MAXQDA's ``.mx24`` (and earlier), ATLAS.ti's ``.atlproj``. FieldScribe
reads none of them; each is named with what to do instead (export a .qdpx from that tool)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

_SQLITE = b"SQLite format 3\x00"
_TOOLS = {
    ".nvp": "NVivo",
    ".nvpx": "NVivo",
    ".atlproj": "ATLAS.ti",
    ".atlproj23": "ATLAS.ti",
    ".hpr7": "ATLAS.ti",
    ".mex": "MAXQDA",
    ".qda": "QualCoder",
}
_MAXQDA = re.compile(r"\.mx\d{2}$")


_FIRST_TAG = re.compile(r"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")


def _root_element(start: bytes) -> str | None:
    """The name of the first element of a file that begins like XML (UTF-8 or UTF-16), else
    None."""
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = start.decode("utf-16", errors="ignore")
    elif b"\x00" in start[:64]:
        text = start.decode("utf-16-le" if start[1:2] == b"\x00" else "utf-16-be", errors="ignore")
    else:
        text = start.decode("utf-8", errors="ignore")
    text = text.lstrip("\ufeff \t\r\n")
    if not text.startswith("<"):
        return None
    match = _FIRST_TAG.search(re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", text, flags=re.S))
    return match.group(2) if match else None


def _export_hint(tool: str) -> str:
    return (
        f"export it in {tool} as a REFI-QDA project (.qdpx) and import that file; "
        "nothing was imported."
    )


def not_a_qdpx(path: Path) -> str | None:
    """A one-line message when ``path`` is another tool's own project or a folder, not a
    .qdpx file; None when it may be one (or does not exist: the caller says so)."""
    if path.is_dir():
        if (path / "data.qda").is_file():
            hint = _export_hint("QualCoder")
            return f"{path} is a QualCoder project folder, not a .qdpx file: {hint}"
        if (path / "project.db").is_file():
            return (
                f"{path} is a FieldScribe project folder, not a .qdpx file: open it, or merge "
                "its exported bundle with `fieldscribe bundle merge`; nothing was imported."
            )
        if (path / "project.qde").is_file():
            return (
                f"{path} is an unpacked REFI-QDA project (a folder holding project.qde), not a "
                ".qdpx file: import the .qdpx itself, or zip the folder's contents into one; "
                "nothing was imported."
            )
        return f"{path} is a folder, not a .qdpx file; nothing was imported."
    suffix = path.suffix.lower()
    tool = _TOOLS.get(suffix) or ("MAXQDA" if _MAXQDA.search(suffix) else None)
    try:
        with path.open("rb") as handle:
            start = handle.read(1024)
    except OSError:
        return None
    head = start[: len(_SQLITE)]
    root = None if head.startswith(b"PK") else _root_element(start)
    if root == "CodeBook":
        return (
            f"{path} is a REFI-QDA codebook (.qdc), not a project (.qdpx): import it with "
            "'fieldscribe codebook import' (File ▸ Import a codebook…); nothing was imported."
        )
    if root == "Project":
        return (
            f"{path} is a bare REFI-QDA project file (project.qde), not a .qdpx: import the "
            ".qdpx it came in, or zip it with its 'sources' folder into one; nothing was "
            "imported."
        )
    if head == _SQLITE:
        if path.name.lower() == "data.qda" or tool == "QualCoder":
            hint = _export_hint("QualCoder")
            return f"{path} is a QualCoder project database, not a .qdpx file: {hint}"
        if tool:
            return f"{path} is {tool}'s own project file, not a .qdpx file: {_export_hint(tool)}"
        return (
            f"{path} is an SQLite database, not a REFI-QDA project (.qdpx); nothing was imported."
        )
    if tool and not head.startswith(b"PK\x03\x04"):
        return f"{path} is {tool}'s own project file, not a .qdpx file: {_export_hint(tool)}"
    if head.startswith(b"PK\x03\x04") and not zipfile.is_zipfile(path):
        # a zip's first member, but no end: a copy or a download cut short (it read "not a
        # readable zip archive (File is not a zip file)", as if it were something else)
        return (
            f"{path} is incomplete or damaged: it starts like a REFI-QDA project (.qdpx) but "
            "its end is missing, as when a copy or download stopped early; copy it again or ask "
            "for a new export. Nothing was imported."
        )
    return None
