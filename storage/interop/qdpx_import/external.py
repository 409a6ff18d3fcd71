"""Media (and texts) a ``.qdpx`` names outside its archive, looked for in a folder the user chose.

A project file names its recordings by paths on the exporter's computer: ``relative://a.mp3``
(against the project's ``basePath``), ``file:///C:/Data/a%20b.mp3``, ``C:\\Data\\a.mp3``,
``/Users/ann/a.mp3``. An archive is untrusted input, so such a path is never opened as it is:
only its last part (the file's name) is looked for, and only inside the folder the user named
(``media_dir``); a ``relative://`` path's folders are tried there too. A name with ``..`` or
one that leads out of the folder (a symbolic link pointing elsewhere) is never read.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

from storage.core.errors import InvalidInputError

#: folders are not searched past this many entries (a user may pick a huge folder)
_MAX_ENTRIES = 20_000
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+)://")


def check_media_dir(media_dir: str | Path | None) -> Path | None:
    """The folder the user named to look for media in, made absolute; None when none.

    Args:
        media_dir: the folder (or None).

    Returns:
        The folder, resolved (symbolic links followed once, here, by the user's choice).

    Raises:
        InvalidInputError: it is not an existing folder.
    """
    if media_dir is None:
        return None
    folder = Path(media_dir).expanduser()
    if not folder.is_dir():
        raise InvalidInputError(
            f"{folder}: no such folder (the media folder names where the project's recordings "
            "are); nothing was imported."
        )
    return folder.resolve()


def _parts(path: str, decode: bool = True) -> list[str]:
    """The folders and name a media path gives, ``..`` refused (empty list), %-decoded."""
    match = _SCHEME.match(path)
    rest = path[match.end() :] if match else path
    parts = []
    for part in (unquote(rest) if decode else rest).replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if part == ".." or "\x00" in part:
            return []
        parts.append(part)
    return parts


def file_name(path: str) -> str:
    """The name of the file a source's path gives (``C:\\Data\\talk%201.wav`` is
    ``talk 1.wav``), as the user looks for it; the path itself when it gives none."""
    parts = _parts(path.strip())
    return parts[-1] if parts else path


def _inside(folder: Path, candidate: Path) -> Path | None:
    """``candidate`` as a real path when it is a regular file inside ``folder``, else None."""
    try:
        real = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not real.is_relative_to(folder) or not real.is_file():
        return None
    return real


def _same(a: str, b: str) -> bool:
    """File names equal as a person reads them (case, NFC/NFD as macOS writes them)."""
    return unicodedata.normalize("NFC", a).casefold() == unicodedata.normalize("NFC", b).casefold()


def find_media(folder: Path, path: str) -> Path | None:
    """Find the file inside ``folder`` that a source's ``path`` names.

    Tried in order: a ``relative://`` path's folders and name below ``folder``; the name alone
    in ``folder``; the name in ``folder`` ignoring case and Unicode normalisation.

    Args:
        folder: the user's media folder, resolved (``check_media_dir``).
        path: the path the file gives (``relative://a.wav``, ``file:///C:/x/a%20b.wav``...).

    Returns:
        The real path of a regular file inside ``folder``, or None (also for any path that
        would lead out of it).
    """
    path = path.strip()
    # decoded ("a%20b.mp3" is "a b.mp3"), else as written (a name with a "%" of its own)
    variants = [p for p in (_parts(path), _parts(path, decode=False)) if p]
    if path.lower().startswith("relative://"):
        for parts in variants:
            if len(parts) > 1:
                found = _inside(folder, folder.joinpath(*parts))
                if found is not None:
                    return found
    names = list(dict.fromkeys(parts[-1] for parts in variants))
    for name in names:
        found = _inside(folder, folder / name)
        if found is not None:
            return found
    if not names:
        return None
    try:
        for n, entry in enumerate(folder.iterdir()):
            if n >= _MAX_ENTRIES:
                break
            if any(_same(entry.name, name) for name in names):
                found = _inside(folder, entry)
                if found is not None:
                    return found
    except OSError:
        return None
    return None
