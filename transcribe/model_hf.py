"""Faster-whisper models in the Hugging Face hub cache (found, never downloaded).

``small`` matches ``models--*--faster-whisper-small``; ``Systran/faster-whisper-small`` matches
that repository. ``transcribe.models`` turns what is found here into ``ModelInfo``.
"""

from __future__ import annotations

import os
from pathlib import Path

#: the files without which a snapshot is not a usable model (``models.REQUIRED_FILES``)
REQUIRED_FILES = ("model.bin", "tokenizer.json", "config.json")


def hf_hub_cache() -> Path:
    """The Hugging Face hub cache folder (``HF_HUB_CACHE``, ``HF_HOME/hub`` or the default)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HUGGINGFACE_HUB_CACHE"):
        return Path(os.environ["HUGGINGFACE_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "huggingface" / "hub"


def _snapshot(repo_dir: Path) -> Path | None:
    """The snapshot of a cached repository that ``refs/main`` names, else the newest one."""
    snapshots = repo_dir / "snapshots"
    if not snapshots.is_dir():
        return None
    ref = repo_dir / "refs" / "main"
    if ref.is_file():
        candidate = snapshots / ref.read_text("utf-8").strip()
        if candidate.is_dir():
            return candidate
    found = sorted((p for p in snapshots.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


def hf_snapshots() -> list[tuple[str, str, Path]]:
    """The faster-whisper models in the cache: (name, repository, snapshot folder); the name
    is the repository's without ``faster-whisper-`` (``small``), else the repository."""
    cache = hf_hub_cache()
    if not cache.is_dir():
        return []
    result = []
    for repo_dir in sorted(cache.glob("models--*")):
        repo = repo_dir.name[len("models--") :].replace("--", "/")
        if "whisper" not in repo.lower():
            continue
        snap = _snapshot(repo_dir)
        if snap is None or not all((snap / n).exists() for n in REQUIRED_FILES):
            continue
        short = repo.split("/")[-1]
        name = short.removeprefix("faster-whisper-")
        result.append((name if name != short else repo, repo, snap))
    return result


def find_in_hf(spec: str) -> Path | None:
    """The snapshot folder a name or repository finds in the cache, or None."""
    cache = hf_hub_cache()
    if "/" in spec:
        candidates = [cache / ("models--" + spec.replace("/", "--"))]
    else:
        candidates = sorted(cache.glob(f"models--*--faster-whisper-{spec}")) + sorted(
            cache.glob(f"models--*--{spec}")
        )
    for repo_dir in candidates:
        snap = _snapshot(repo_dir)
        if snap is not None:
            return snap
    return None


def copied_cache_entry(folder: Path) -> tuple[Path, str] | None:
    """A repository's folder of a Hugging Face cache (``models--owner--repo``, as a colleague
    copies it from ``~/.cache/huggingface/hub``), or one of its snapshots: the snapshot that
    holds the model and the repository's name (``faster-whisper-small``); else None."""
    if folder.parent.name == "snapshots" and folder.parent.parent.name.startswith("models--"):
        repo_dir, snapshot = folder.parent.parent, folder
    elif folder.name.startswith("models--") and (folder / "snapshots").is_dir():
        repo_dir, found = folder, _snapshot(folder)
        if found is None:
            return None
        snapshot = found
    else:
        return None
    return snapshot, repo_dir.name[len("models--") :].split("--")[-1] or "model"
