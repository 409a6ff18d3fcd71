"""Whisper checkpoints in the Transformers format, converted to CTranslate2 on this machine.

faster-whisper runs CTranslate2 models only, but most community fine-tunes (the Kazakh ones
among them: ``DrishtiSharma/whisper-large-v2-kazakh``, ``akuzdeuov/whisper-base.kk``...) are
published as Transformers checkpoints: ``config.json`` with ``"model_type": "whisper"``, the
weights in ``model.safetensors`` or ``pytorch_model.bin`` (whole or in shards), and the
tokenizer's files. ``fieldscribe models install OWNER/REPO`` and ``models import FOLDER`` convert
such a checkpoint with CTranslate2's own converter (``ctranslate2.converters.
TransformersConverter``, the code behind ``ct2-transformers-converter``), weights stored as
float16 like faster-whisper's own conversions. The converter needs ``transformers`` and
``torch`` (the ``convert`` extra, ``scripts/setup.sh --with-converter``); without them the
install stops before downloading anything, with the command that adds them.

The conversion never runs the checkpoint's own code (``trust_remote_code`` is off) and loads
``pytorch_model.bin`` through ``torch.load(weights_only=True)`` (Transformers' default), so a
checkpoint cannot run code on the researcher's laptop.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from pathlib import Path

from .model_packages import ModelError

# the files of a Transformers Whisper checkpoint that the conversion reads
CHECKPOINT_FILES = frozenset(
    {
        "config.json",
        "generation_config.json",
        "preprocessor_config.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "vocab.json",
        "merges.txt",
        "normalizer.json",
        "added_tokens.json",
        "special_tokens_map.json",
        "model.safetensors",
        "model.safetensors.index.json",
        "pytorch_model.bin",
        "pytorch_model.bin.index.json",
    }
)
_SHARD_RE = re.compile(r"^(model|pytorch_model)-\d{5}-of-\d{5}\.(safetensors|bin)$")
WEIGHTS = ("model.safetensors", "model.safetensors.index.json")
OLD_WEIGHTS = ("pytorch_model.bin", "pytorch_model.bin.index.json")
STORED_AS = "float16"  # how the converted weights are stored (faster-whisper's conversions too)

INSTALL_CONVERTER = (
    "scripts/setup.sh --with-converter (in the FieldScribe folder), or "
    'pip install "fieldscribe[convert]"'
)


class ConverterMissingError(ModelError):
    """The checkpoint needs converting and ``transformers`` or ``torch`` is not installed."""


class ConversionError(ModelError):
    """CTranslate2 could not convert the checkpoint (not a Whisper model, damaged, incomplete)."""


def weights_of(names: set[str]) -> list[str]:
    """The weight files to fetch from ``names``: safetensors when there are any (they hold no
    code), else PyTorch's; ``[]`` when there are none."""
    for whole, index in (WEIGHTS, OLD_WEIGHTS):
        kind = whole.rsplit(".", 1)[-1]
        shards = sorted(n for n in names if _SHARD_RE.fullmatch(n) and n.endswith(kind))
        if index in names and shards:
            return [index, *shards]
        if whole in names:
            return [whole]
    return []


def checkpoint_files(names: set[str]) -> list[str]:
    """What to fetch of a repository that holds a Transformers checkpoint (no training
    leftovers: optimizer states, ``runs/``, ``checkpoint-*/``), or ``[]`` when it holds none."""
    weights = weights_of(names)
    if "config.json" not in names or not weights:
        return []
    rest = sorted(n for n in names if n in CHECKPOINT_FILES and n not in (*WEIGHTS, *OLD_WEIGHTS))
    return [*rest, *weights]


def is_transformers_whisper(folder: Path) -> bool:
    """True when ``folder`` holds a Transformers Whisper checkpoint (and no CTranslate2 model)."""
    if not folder.is_dir() or (folder / "model.bin").exists():
        return False
    names = {p.name for p in folder.iterdir() if p.is_file()}
    if not checkpoint_files(names):
        return False
    return model_type(folder / "config.json") == "whisper"


def model_type(config: Path) -> str | None:
    """The ``model_type`` a Transformers ``config.json`` names, or None if it names none."""
    try:
        data = json.loads(config.read_bytes())
    except (OSError, ValueError):
        return None
    kind = data.get("model_type") if isinstance(data, dict) else None
    return kind if isinstance(kind, str) else None


def not_whisper(config: Path, where: str) -> str | None:
    """Why the checkpoint whose ``config.json`` is ``config`` cannot be converted for
    transcription (it is another kind of model), in one line; None for a Whisper checkpoint."""
    kind = model_type(config)
    if kind == "whisper":
        return None
    return (
        f"{where}: not a Whisper checkpoint (its config.json names {kind or 'no model type'}); "
        "FieldScribe transcribes with Whisper models only, and nothing was added to your models."
    )


def another_model(kind: str, where: str, done: str) -> str:
    """One line: ``where`` holds a model of another kind than Whisper (``kind``, the
    ``model_type`` its ``config.json`` names: a BERT model, a wav2vec2...); ``done`` says what
    happened ("nothing was downloaded")."""
    return (
        f"{where}: not a Whisper model (its config.json names model_type {kind!r}); FieldScribe "
        f"transcribes with Whisper models only; {done}."
    )


def conversion_note() -> str:
    """How a converted model was made, for its manifest."""
    try:
        import ctranslate2

        version = ctranslate2.__version__
    except ImportError:  # pragma: no cover - ctranslate2 comes with faster-whisper
        version = "?"
    return f"CTranslate2 {version} TransformersConverter, weights stored as {STORED_AS}"


def converter_available() -> bool:
    """True when CTranslate2's Transformers converter can run here (transformers and torch)."""
    return all(importlib.util.find_spec(m) is not None for m in ("transformers", "torch"))


def require_converter(what: str) -> None:
    """Raise ``ConverterMissingError`` (one line naming the fix) when the converter cannot run."""
    if not converter_available():
        raise ConverterMissingError(
            f"{what} is a Transformers checkpoint, not a CTranslate2 model; converting it needs "
            f"transformers and torch: install them with {INSTALL_CONVERTER}, then try again."
        )


def convert_checkpoint(source: Path, target: Path, *, label: str | None = None) -> Path:
    """Convert the Transformers Whisper checkpoint in ``source`` into a new folder ``target``.

    ``source`` is only read. ``target`` gets ``model.bin``, ``config.json``, ``vocabulary.json``
    and ``tokenizer.json``, and ``preprocessor_config.json`` (written from the checkpoint's
    number of mel bins when it has none: large-v3 fine-tunes hear 128 bins, and faster-whisper
    assumes 80 without that file).

    Raises:
        ConverterMissingError: transformers or torch is not installed.
        ConversionError: not a Whisper checkpoint, or the converter failed (one line).
    """
    where = label or str(source)
    require_converter(where)
    problem = not_whisper(source / "config.json", where)
    if problem is not None:
        raise ConversionError(problem)
    work = target.parent / f"{target.name}.tokenizer"
    _quiet_progress()
    try:
        tokenizer_dir = source
        if not (source / "tokenizer.json").is_file():
            tokenizer_dir = _fast_tokenizer(source, work, where)
        _convert(source, target, where)
        (target / "tokenizer.json").write_bytes((tokenizer_dir / "tokenizer.json").read_bytes())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not (target / "preprocessor_config.json").is_file():
        _write_preprocessor(source / "config.json", target / "preprocessor_config.json")
    _complete_languages(target)
    return target


def _quiet_progress() -> None:
    """No progress bars of Transformers' own ("Loading weights: 100%|███…", "Writing model
    shards") on the terminal: they ran between the command's own lines, and in the CLI's --json
    mode too; the Models page and the CLI say what is being done."""
    try:
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    except ImportError:  # require_converter said it before
        pass


def _complete_languages(target: Path) -> None:
    """Give the converted config the ids of the language tokens when the converter found none.

    The converter takes them from the checkpoint's ``generation_config.json`` (``lang_to_id``),
    else from the tokenizer's additional special tokens; checkpoints saved before Transformers
    wrote a generation config (the Whisper fine-tunes of 2022) have neither that it can read, and
    a model without them identifies no language (CTranslate2's ``detect_language`` answers
    nothing). The ids are those of the tokenizer's ``<|xx|>`` tokens for Whisper's languages.
    """
    from storage.core.languages import LANGUAGES

    config_path = target / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    if config.get("lang_ids"):
        return
    tokenizer = json.loads((target / "tokenizer.json").read_text(encoding="utf-8"))
    added = {t.get("content"): t.get("id") for t in tokenizer.get("added_tokens", [])}
    ids = sorted(
        added[f"<|{code}|>"] for code in LANGUAGES if isinstance(added.get(f"<|{code}|>"), int)
    )
    if len(ids) > 1:  # an English-only model has no language tokens: nothing to add
        config["lang_ids"] = ids
        config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")


def _convert(source: Path, target: Path, where: str) -> None:
    copy = [n for n in ("preprocessor_config.json",) if (source / n).is_file()]
    try:
        from ctranslate2.converters import TransformersConverter

        converter = TransformersConverter(
            str(source),
            copy_files=copy,
            load_as_float16=True,
            low_cpu_mem_usage=True,
            trust_remote_code=False,
        )
        converter.convert(str(target), quantization=STORED_AS, force=True)
    except Exception as exc:  # the converter raises whatever transformers or torch raise
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        raise ConversionError(
            f"{where}: cannot convert the checkpoint to CTranslate2 "
            f"({first or type(exc).__name__}); it may be incomplete or damaged."
        ) from exc


def _fast_tokenizer(source: Path, work: Path, where: str) -> Path:
    """Write ``tokenizer.json`` from the checkpoint's ``vocab.json`` and ``merges.txt`` (older
    checkpoints lack it, and faster-whisper would otherwise fetch one from the hub)."""
    try:
        from transformers import WhisperTokenizerFast  # type: ignore[attr-defined]

        WhisperTokenizerFast.from_pretrained(str(source)).save_pretrained(str(work))
    except Exception as exc:  # transformers raises OSError, ValueError, KeyError...
        raise ConversionError(
            f"{where}: the checkpoint has no usable tokenizer (tokenizer.json, or vocab.json "
            "with merges.txt); nothing was added to your models."
        ) from exc
    if not (work / "tokenizer.json").is_file():
        raise ConversionError(f"{where}: could not write the checkpoint's tokenizer.json.")
    return work


def _write_preprocessor(config: Path, out: Path) -> None:
    try:
        bins = int(json.loads(config.read_bytes()).get("num_mel_bins", 80))
    except (OSError, ValueError, TypeError):
        bins = 80
    out.write_text(json.dumps({"feature_size": bins}), encoding="utf-8")
