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
from typing import Any

from .model_store import checksums_for
from .models import ModelInfo, read_manifest


def model_identity(info: ModelInfo) -> dict[str, Any]:
    """What identifies ``info``: ``name``, ``source`` ("bundled", "installed", "imported",
    "package (base-model)", "folder", "huggingface"), ``multilingual``; ``repo`` and
    ``revision`` for one installed from the hub; ``converted`` for a Transformers checkpoint
    converted here; ``weights_sha256`` (of ``model.bin``) when a checksum is on record."""
    # "installed (Systran/faster-whisper-small)", "imported, converted": the kind alone (the
    # repository and the conversion have their own keys)
    source = re.split(r"[ ,(]", info.source)[0] if info.removable else info.source
    found: dict[str, Any] = {
        "name": info.name,
        "source": source,
        "multilingual": info.multilingual,
    }
    manifest = (read_manifest(info.path) if info.path is not None else None) or {}
    for key in ("repo", "revision"):
        if isinstance(manifest.get(key), str):
            found[key] = manifest[key]
    if info.converted:
        found["converted"] = True
    try:
        sums = checksums_for(info)
    except (OSError, ValueError):  # a record that cannot be read: the rest still says much
        sums = {}
    weights = sums.get("model.bin")
    if weights is not None and weights[0] == "sha256":
        found["weights_sha256"] = weights[1]
    return found
