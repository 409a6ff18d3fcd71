"""A test run never reads or writes the person's own folders.

tests/conftest.py points HOME and every XDG folder (and the Hugging Face cache) into one private
folder for the run. Before it did, the suite wrote into the real
``~/.cache/fieldscribe/models/choices.json`` (and the model checks, the waveform peaks...), and a
model the person had installed could change what a test saw.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def where() -> dict[str, object]:
    """Every per-user place FieldScribe reads or writes, as the product computes it."""
    from platformdirs import user_cache_dir, user_config_dir, user_data_dir
    from PySide6.QtCore import QSettings

    from gui.demo import demo_folder
    from gui.waveform import cache_dir as peaks_dir
    from transcribe.model_checksums import fallback_files
    from transcribe.model_hf import hf_hub_cache
    from transcribe.models import model_cache_dir

    return {
        "home": str(Path.home()),
        "models": str(model_cache_dir()),
        "model checks": [str(p) for p in fallback_files("checks.json")],
        "peaks": str(peaks_dir()),
        "demo": str(demo_folder()),
        "hugging face": str(hf_hub_cache()),
        "settings": QSettings("FieldScribe", "FieldScribe").fileName(),
        "platformdirs": [
            user_cache_dir("fieldscribe"),
            user_config_dir("fieldscribe"),
            user_data_dir("fieldscribe"),
        ],
    }


def _paths(where: dict[str, object]) -> list[tuple[str, Path]]:
    out: list[tuple[str, Path]] = []
    for name, value in where.items():
        for one in value if isinstance(value, list) else [value]:
            out.append((name, Path(str(one))))
    return out


def _check(where: dict[str, object], *, also: Path | None = None) -> None:
    """Every place is in the run's private home (or in ``also``, this process's pytest temp
    folder, where a test before may have pointed Qt's settings with ``QSettings.setPath``)."""
    private = Path(os.environ.get("FS_TEST_HOME", "/nonexistent-private-home")).resolve()
    real = [Path(p).resolve() for p in os.environ.get("FS_TEST_REAL_HOME", "").split(os.pathsep)]
    real = [p for p in real if str(p) not in ("", ".", "/")] or [Path("~").expanduser().resolve()]
    for name, path in _paths(where):
        path = path.resolve()
        ours = path.is_relative_to(private) or (also is not None and path.is_relative_to(also))
        assert ours, f"{name}: {path} is outside the run's {private}"
        for own in real:
            assert not path.is_relative_to(own) or own.is_relative_to(private), (
                f"{name}: {path} is in the person's own {own}"
            )


def test_every_per_user_folder_is_the_runs_own(tmp_path_factory: pytest.TempPathFactory) -> None:
    _check(where(), also=tmp_path_factory.getbasetemp().resolve())


def test_a_command_a_test_starts_uses_the_runs_folders_too() -> None:
    """Many tests run ``main.py`` (or a piece of Python) in a subprocess: it inherits them."""
    code = (
        "import json; from tests.test_user_dirs_isolated import where; print(json.dumps(where()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    _check(json.loads(out.stdout.strip().splitlines()[-1]))
