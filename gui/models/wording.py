"""What the model functions advise, in the Models page's words (no widgets).

``transcribe`` speaks to the command line ("remove it with `fieldscribe models remove kk`");
the page has buttons for the same steps, so it names them instead. The command line keeps
its own messages.
"""

from __future__ import annotations

import re
from pathlib import Path

from transcribe.model_download import IMPORT_INSTEAD, REMOVE_FIRST, RUN_AGAIN
from transcribe.models import ModelInfo, read_manifest, repair_advice

_REMOVE_FIRST = re.compile(re.escape(REMOVE_FIRST).replace(re.escape("{name}"), r"[^)]*"))


def window_repair(info: ModelInfo) -> str:
    """What to do about a damaged model, in the page's words: an installed or imported one is
    removed with Remove and installed or imported again; the bundled and packaged ones keep
    their own repair (a package to reinstall, a folder to delete: nothing the page does)."""
    if not info.removable or info.path is None:
        return info.repair or ""
    manifest = read_manifest(info.path) or {}
    origin = manifest.get("from")
    if manifest.get("source") == "installed" and isinstance(manifest.get("repo"), str):
        again = f"install it again with Install… ({manifest['repo']})"
    elif isinstance(origin, str) and Path(origin).exists():
        again = f"import it again with Import… (from {origin}, as {info.name})"
    else:
        again = "import it again with Import…"
    return f"remove it with Remove and {again}"


def in_window(text: str, info: ModelInfo | None = None) -> str:
    """``text`` (a model function's message) with its command-line advice in the page's words;
    ``info``: the model it is about (its repair is said as ``window_repair`` says it)."""
    text = text.replace(IMPORT_INSTEAD, "import the model from a folder or archive (Import…)")
    text = text.replace(RUN_AGAIN, "Install… the same model again to resume")
    text = _REMOVE_FIRST.sub("remove it first (select it and press Remove)", text)
    if info is not None and info.removable and info.path is not None:
        text = text.replace(repair_advice(info.name, info.path), window_repair(info))
    return text


def import_name_problem(name: str, cache_dir: Path | None = None) -> str | None:
    """Why an imported model cannot take ``name`` here (in the window's words), or None."""
    from transcribe.model_store import check_name, import_name_taken, is_official_name
    from transcribe.models import ModelError

    if not name.strip():
        return "The model needs a name."
    try:
        name = check_name(name)
    except ModelError as exc:
        return str(exc)
    if is_official_name(name):
        return f"{name!r} is the name of an official Whisper model."
    taken = import_name_taken(name, cache_dir)
    if taken == name:
        return f"A model named {name!r} is already on this computer."
    if taken is not None:
        return f"{name!r} is too close to the name of the model {taken!r} on this computer."
    return None
