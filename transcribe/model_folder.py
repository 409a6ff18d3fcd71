"""Checking that a folder holds a usable CTranslate2 Whisper model, before a model is installed
or imported (``transcribe.model_store``, ``transcribe.model_download``): its files, the
vocabulary, ``model.bin``'s header and length, the JSON files, and that CTranslate2 loads it."""

from __future__ import annotations

import json
import struct
from pathlib import Path

from .model_archive import NotAWhisperModelError
from .model_convert import another_model, model_type
from .model_file import cut_short
from .models import REQUIRED_FILES

_SPEC_NAME = b"WhisperSpec"
_VOCABULARY = ("vocabulary.", "shared_vocabulary.")  # CTranslate2's names


def validate_whisper_folder(
    folder: Path,
    *,
    load: bool = True,
    label: str | None = None,
    done: str = "nothing was installed",
) -> bool:
    """Check that a folder holds a usable CTranslate2 Whisper model; return if multilingual.

    Checks the files are there, ``model.bin`` is a CTranslate2 file of a Whisper model
    (its header), ``config.json`` and ``tokenizer.json`` are JSON, and (``load``) that
    CTranslate2 actually loads it.

    ``done`` ends the line for a model of another kind: what came of it (an import says
    "nothing was imported").

    Raises:
        NotAWhisperModelError: with one line saying what is wrong.
    """
    where = label or str(folder)
    if not folder.is_dir():
        raise NotAWhisperModelError(f"{where}: no such folder.")
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    kind = model_type(folder / "config.json") if "model.bin" in missing else None
    if kind is not None and kind != "whisper":  # a BERT model said "no tokenizer.json"
        raise NotAWhisperModelError(another_model(kind, where, done))
    if missing:
        raise NotAWhisperModelError(
            f"{where}: not a CTranslate2 Whisper model (no {', '.join(missing)}); a "
            "faster-whisper model folder holds model.bin, config.json and tokenizer.json (a "
            "Transformers Whisper checkpoint, config.json with model.safetensors or "
            "pytorch_model.bin, is converted here)."
        )
    if not any(p.name.startswith(_VOCABULARY) for p in folder.iterdir()):
        raise NotAWhisperModelError(
            f"{where}: the model's vocabulary (vocabulary.txt or vocabulary.json beside "
            "model.bin) is missing; copy the whole model folder again."
        )
    spec = _model_bin_spec(folder / "model.bin")
    if spec is None:
        raise NotAWhisperModelError(
            f"{where}: model.bin is not a CTranslate2 model file (damaged, or another format)."
        )
    if spec != _SPEC_NAME:
        kind = spec.decode("ascii", "replace")
        raise NotAWhisperModelError(
            f"{where}: model.bin holds a CTranslate2 {kind} model, not a Whisper model."
        )
    cut = cut_short(folder / "model.bin")
    if cut is not None:
        raise NotAWhisperModelError(
            f"{where}: model.bin is cut short (it ends after {cut:,} bytes, inside the data it "
            "announces: a copy that did not finish?); copy the model again from where it came."
        )
    for name in ("config.json", "tokenizer.json"):
        try:
            json.loads((folder / name).read_bytes())
        except (OSError, ValueError) as exc:
            raise NotAWhisperModelError(f"{where}: {name} is damaged ({exc}).") from exc
    multilingual = _multilingual(folder)
    if load:
        _load_check(folder, where)
    return multilingual


def _model_bin_spec(path: Path) -> bytes | None:
    """The model spec name in a CTranslate2 ``model.bin`` header, or None if it is not one."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4 + 2 + 256)
    except OSError:
        return None
    if len(head) < 8:
        return None
    version, length = struct.unpack_from("<IH", head)
    if not 1 <= version <= 64 or not 1 <= length <= 250 or len(head) < 6 + length:
        return None
    name = head[6 : 6 + length].rstrip(b"\0")
    return name if name.isascii() and name.replace(b"_", b"").isalnum() else None


def _multilingual(folder: Path) -> bool:
    from .models import is_multilingual

    return is_multilingual(folder)


def _load_check(folder: Path, where: str) -> None:
    try:
        import ctranslate2

        model = ctranslate2.models.Whisper(
            str(folder), device="cpu", compute_type="int8", intra_threads=1
        )
        del model
    except (RuntimeError, ValueError, OSError) as exc:
        first = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise NotAWhisperModelError(
            f"{where}: CTranslate2 cannot load the model ({first})."
        ) from exc
