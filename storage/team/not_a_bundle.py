"""What a file given as a bundle is when it is none, and what to do: the one line a refusal
says (a zip without a manifest, a file that is no zip, a folder). Used by
``storage.team.bundle_open`` before anything is unpacked.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from storage.team.bundle import refusal

_EXPORT = (
    "Export a bundle from that project with `fieldscribe bundle export` (or Team ▸ Export a "
    "bundle) and merge that."
)


def not_a_file(path: Path) -> str:
    """A path given as a bundle that is no file: missing, or a folder (a project's?)."""
    if path.is_dir():
        what = "a FieldScribe project folder" if (path / "project.db").is_file() else "a folder"
        return refusal(f"{path} is {what}, not a bundle file", _EXPORT)
    return refusal(f"{path}: no such bundle file")


def zip_without_manifest(path: Path, names: list[str], manifest: str) -> str:
    """A zip without ``manifest``: a REFI-QDA project, a zipped project folder, a bundle zipped
    again, or another zip (a document, say)."""
    base = [PurePosixPath(n).name for n in names]
    if any(n.lower().endswith(".qde") for n in base):
        return refusal(
            f"{path} is a REFI-QDA project (.qdpx), not a FieldScribe bundle",
            "Import it with `fieldscribe qdpx import` (File ▸ Import a REFI-QDA project).",
        )
    if "project.db" in base:
        return refusal(f"{path} is a zipped FieldScribe project folder, not a bundle", _EXPORT)
    inner = [n for n, b in zip(names, base, strict=True) if b.lower().endswith(".fsbundle")]
    if inner:
        return refusal(
            f"{path} is a zip holding a bundle ({inner[0]!r}), not a bundle itself",
            "Unzip it and merge the bundle inside.",
        )
    return refusal(f"{path} is not a FieldScribe bundle (a zip file without {manifest})")


def not_a_zip(path: Path) -> str:
    """Why a file that is no zip is no bundle, and what to do: told apart by its first bytes."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError:
        head = b""
    if head.startswith(b"PK\x03\x04"):  # a zip's first member, but no end: cut short
        return refusal(
            f"{path} is incomplete or damaged (it starts like a bundle but its end is missing, "
            "as when a copy or download stopped early)",
            "Copy it again or ask for a new export.",
        )
    if head == b"SQLite format 3\x00":
        return refusal(
            f"{path} is a SQLite database (a project's project.db?), not a bundle", _EXPORT
        )
    return refusal(f"{path} is not a FieldScribe bundle (not a zip file)")
