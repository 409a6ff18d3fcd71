"""Which model wrote a transcript, said well enough to tell it from another of the same name.

A model's name alone does not say which weights decoded: an imported model is named after its
folder or archive (``whisper-kk``), and a model removed and imported again under the same name
may be another one. What a transcription records (``transcription_state.options["model"]``,
exported with the transcript) is the name with where the model came from, its repository and
commit when it was installed from the hub, and the sha256 of its weights as recorded when it was
installed, imported or packaged (nothing is read again: the checksums are on record).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .model_store import checksums_for
from .models import ModelInfo, read_manifest


def model_identity(info: ModelInfo) -> dict[str, Any]:
    """What identifies ``info``: ``name``, ``source`` ("bundled", "installed", "imported",
    "package (base-model)", "folder", "huggingface"), ``multilingual``; ``repo`` and
    ``revision`` for one installed from the hub; ``converted`` for a Transformers checkpoint
    converted here; ``weights_sha256`` (of ``model.bin``) when a checksum is on record. What
    ``info`` lacks (an engine's stand-in for a model, as a cluster's or a test's) is left out."""
    name = getattr(info, "name", None)
    found: dict[str, Any] = {"name": name if isinstance(name, str) else str(name)}
    raw = getattr(info, "source", None)
    if isinstance(raw, str):
        # "installed (Systran/faster-whisper-small)", "imported, converted": the kind alone
        # (the repository and the conversion have their own keys)
        found["source"] = re.split(r"[ ,(]", raw)[0] if getattr(info, "removable", False) else raw
    if isinstance(getattr(info, "multilingual", None), bool):
        found["multilingual"] = info.multilingual
    path = getattr(info, "path", None)
    if not isinstance(raw, str) or not isinstance(path, Path):
        return found
    manifest = read_manifest(path) or {}
    for key in ("repo", "revision"):
        if isinstance(manifest.get(key), str):
            found[key] = manifest[key]
    if getattr(info, "converted", False) is True:
        found["converted"] = True
    try:
        sums = checksums_for(info)
    except (OSError, ValueError):  # a record that cannot be read: the rest still says much
        sums = {}
    weights = sums.get("model.bin")
    if weights is not None and weights[0] == "sha256":
        found["weights_sha256"] = weights[1]
    return found
