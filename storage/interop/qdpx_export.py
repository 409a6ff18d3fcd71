"""Export a project as a REFI-QDA project (``.qdpx``: ``project.qde`` + ``sources/``): the
archive, written whole or not at all. What ``project.qde`` holds, and how the project maps onto
QDA-XML 1.0, is ``qdpx_build``'s."""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from xml.etree import ElementTree as ET

from storage.core.atomic import staged, staging_name
from storage.core.errors import (
    AudioError,
    DiskFullError,
    InvalidInputError,
    ReadOnlyError,
    is_disk_full,
)
from storage.privacy.audio_swap import refuse_unfinished
from storage.privacy.models import ExportPrivacy
from storage.privacy.view import log_export, private_view

from ._common import QDA_NS, xml_safe_tree
from .qdpx_build import QdeBuilder
from .qdpx_xml import SESSION_VARIABLES, VIDEO_SUFFIXES, span_time

if TYPE_CHECKING:
    from storage.project import Project

__all__ = [
    "SESSION_VARIABLES",
    "VIDEO_SUFFIXES",
    "ExportSummary",
    "export_qdpx",
    "project_xml",
    "span_time",
]

_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


@dataclass
class ExportSummary:
    """What an export wrote."""

    path: Path
    sources: int = 0
    codes: int = 0
    codings: int = 0
    segments: int = 0
    notes: int = 0
    cases: int = 0
    media_files: int = 0
    notes_for_user: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {
            "path": str(self.path),
            "sources": self.sources,
            "codes": self.codes,
            "codings": self.codings,
            "segments": self.segments,
            "notes": self.notes,
            "cases": self.cases,
            "media_files": self.media_files,
            "messages": self.notes_for_user,
        }


def project_xml(project: Project) -> bytes:
    """Return ``project.qde`` for a project (without writing media)."""
    builder = QdeBuilder(project, with_media=False)
    return _serialise(builder.build())


def _serialise(root: ET.Element) -> bytes:
    ET.register_namespace("", QDA_NS)
    xml_safe_tree(root)  # a control character (a PDF's form feed) made a file no tool reads
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def export_qdpx(
    project: Project,
    dest: str | Path,
    *,
    with_media: bool = True,
    privacy: ExportPrivacy | None = None,
) -> ExportSummary:
    """Write the project as a REFI-QDA ``.qdpx`` archive.

    By default every text uses pseudonyms, redacted spans read ``[REDACTED]`` and the copied
    audio is silenced over them; ``privacy`` can also leave out segments without consent, or
    turn the protections off for the lead's own use. Logged in the audit log.

    The archive is written to a temporary file next to ``dest`` and moved into place at the end,
    so a failure never leaves a half-written file.

    Args:
        project: the open project.
        dest: the ``.qdpx`` file to write.
        with_media: copy each session's audio into ``sources/`` (default), or only name it.

    Returns:
        What was written.

    Raises:
        InvalidInputError: ``dest`` is a folder.
        ReadOnlyError: the file cannot be written.
    """
    dest = Path(dest).expanduser()
    if dest.is_dir():
        raise InvalidInputError(f"{dest} is a folder; give a file name ending in .qdpx.")
    if with_media:
        refuse_unfinished(project.store, "a .qdpx with the audio")
    with private_view(project, privacy) as view:
        summary = _write_qdpx(view, dest, with_media)
    log_export(
        project, "qdpx", dest, privacy,
        extra={"segments": summary.segments, "media_files": summary.media_files},
    )  # fmt: skip
    return summary


def _open_media(path: Path, dest: Path) -> BinaryIO:
    try:
        return open(path, "rb")
    except OSError as exc:
        raise AudioError(
            f"{path}: this audio file of the project cannot be read ({exc.strerror or exc}); "
            f"nothing was written to {dest}. Fix its permissions, or export with --no-media."
        ) from exc


def _read_media(src: BinaryIO, path: Path, dest: Path) -> bytes:
    try:
        return src.read(1 << 20)
    except OSError as exc:
        raise AudioError(
            f"{path}: this audio file of the project cannot be read ({exc.strerror or exc}); "
            f"nothing was written to {dest}. Export with --no-media, or restore the file."
        ) from exc


def _write_qdpx(project: Project, dest: Path, with_media: bool) -> ExportSummary:
    builder = QdeBuilder(project, with_media)
    root = builder.build()
    xml = _serialise(root)
    try:
        with staged(dest, chosen=True) as tmp, zipfile.ZipFile(tmp, "w") as zf:
            info = zipfile.ZipInfo("project.qde", _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, xml)
            for name, content in builder.files:
                info = zipfile.ZipInfo(name, _ZIP_TIME)
                if isinstance(content, Path):
                    info.compress_type = zipfile.ZIP_STORED
                    src = _open_media(content, dest)
                    info.file_size = os.fstat(src.fileno()).st_size
                    with src, zf.open(info, "w", force_zip64=True) as out:
                        while block := _read_media(src, content, dest):
                            out.write(block)
                else:
                    info.compress_type = zipfile.ZIP_DEFLATED
                    zf.writestr(info, content)
    except OSError as exc:
        if is_disk_full(exc):
            raise DiskFullError(
                f"{dest}: the disk is full; nothing was written. Free some space."
            ) from exc
        tmp = staging_name(dest)
        if exc.filename is not None and Path(exc.filename) not in (tmp, dest):
            raise ReadOnlyError(
                f"{exc.filename}: cannot read it ({exc.strerror or exc}); {dest} was not written."
            ) from exc
        raise ReadOnlyError(f"{dest}: cannot write the archive ({exc.strerror or exc}).") from exc
    c = builder.counts
    return ExportSummary(
        path=dest,
        sources=c["sources"],
        codes=c["codes"],
        codings=c["codings"],
        segments=c["segments"],
        notes=c["notes"],
        cases=c["cases"],
        media_files=c["media_files"],
        notes_for_user=builder.summary_notes,
    )
