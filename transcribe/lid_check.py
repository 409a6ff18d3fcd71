"""Whether a model's own language identification can be trusted, before it identifies speech.

Every stretch of speech is given its language by the model that transcribes it
(``transcribe.identify``). A community fine-tune trained on one language usually loses that
ability: its training always put the same language token after the start of a transcript, so
it names that language for any speech (a Kazakh fine-tune hears Russian and English as Kazakh,
and then writes them in Kazakh: translated, not what was said).

So a model that is not one of OpenAI's own (imported, converted from a Transformers checkpoint,
installed from a community repository, or a folder) is checked once: it must hear FieldScribe's
English demo recording (``resources/demo``) as English. One that does not identifies nothing;
the multilingual model FieldScribe ships (``base``) identifies the stretches instead, and the
fine-tune still transcribes each in the language found. The result is kept per model file in
the models folder (``identification.json``), so the check runs once per model.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from .model_checksums import read_json_records, write_json_atomic
from .model_store import is_official_name
from .models import DEMO_RECORDING, ModelInfo, model_cache_dir

log = logging.getLogger(__name__)

PROBE = DEMO_RECORDING
PROBE_LANGUAGE = "en"
PROBE_S = 15  # seconds of the probe's speech heard
PROBE_SURE = 0.5  # the probe's language must get at least this share
CACHE = "identification.json"


def trusted(info: ModelInfo) -> bool:
    """True for OpenAI's own models (bundled, packaged, or an official conversion), whose
    identification is Whisper's."""
    source = info.source
    if source.startswith(("bundled", "package")):
        return True
    if "converted" in source:
        return False
    for kind in ("installed (", "huggingface ("):
        if source.startswith(kind):
            return is_official_name(source[len(kind) :].rstrip(")"))
    return False


def heard_probe(model: Any) -> dict[str, float]:
    """The model's language probabilities for the first ``PROBE_S`` seconds of the probe's
    speech (as identification hears a stretch)."""
    from .languages import language_probabilities, speech_probabilities
    from .stream import SAMPLE_RATE, PcmReader

    with PcmReader(PROBE) as reader:
        audio = reader.read(40 * SAMPLE_RATE)
    heard = speech_probabilities(model, audio, PROBE_S)
    if heard is None:  # no speech found: the whole start of the probe
        heard = language_probabilities(model, audio[: PROBE_S * SAMPLE_RATE])
    return heard


def _key(info: ModelInfo) -> str | None:
    if info.path is None:
        return None
    weights = info.path / "model.bin"
    try:
        stat = weights.stat()
    except OSError:
        return None
    return f"{weights.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"


def identifies(info: ModelInfo, model: Any, cache_dir: Path | None = None) -> tuple[bool, str]:
    """Whether ``model`` (loaded from ``info``) identifies languages; and the language it heard
    the English probe as ("" when trusted without hearing it).

    A probe that cannot be read (a damaged install) trusts the model, as before this check.
    """
    if trusted(info) or not PROBE.is_file():
        return True, ""
    key = _key(info)
    store = (cache_dir or model_cache_dir()) / CACHE
    known = read_json_records(store)
    if key is not None and key in known:
        return bool(known[key].get("ok")), str(known[key].get("heard", ""))
    try:
        probs = heard_probe(model)
    except Exception as exc:  # ffmpeg or the model failing: do not block transcription
        log.warning("could not check %s's language identification: %s", info.name, exc)
        return True, ""
    heard = max(probs, key=lambda code: probs[code]) if probs else ""
    ok = probs.get(PROBE_LANGUAGE, 0.0) >= PROBE_SURE
    if key is not None:
        known[key] = {"ok": ok, "heard": heard, "english": round(probs.get("en", 0.0), 3)}
        try:
            store.parent.mkdir(parents=True, exist_ok=True)
            write_json_atomic(store, known)
        except OSError:
            pass
    return ok, heard
