"""Numbers are written as said ("с двенадцати лет"), or as digits when a project asks for it.

Whisper, decoding each piece without earlier text, writes most numbers as digits; in Russian
and Kazakh that loses what was said (the case ending of "двенадцати", the "с половиной" of
"восьми с половиной метров" came out "8 5 метров" on real Russian speech).
"""

from __future__ import annotations

import shutil
import subprocess
import types
from pathlib import Path
from typing import Any, ClassVar

import pytest

from storage import Project
from storage.core.errors import InvalidInputError
from tests.hardening_support import fingerprint, run_cli, tone_wav
from tests.test_transcribe_protect import FakeWhisper
from transcribe import run_model, runner
from transcribe.encoder import digit_tokens
from transcribe.engine import Transcriber
from transcribe.runner import transcribe_session


def test_a_project_writes_numbers_as_said_until_told_otherwise(tmp_path: Path) -> None:
    with Project.create(tmp_path / "P", name="P", coder="a") as project:
        assert project.numbers == "words"
        project.set_numbers("Digits ")
        assert project.numbers == "digits"
        with pytest.raises(InvalidInputError, match="words or digits"):
            project.set_numbers("roman")
        assert project.numbers == "digits"  # unchanged
        project.set_numbers("words")
        assert project.numbers == "words"


def test_the_command_line_shows_and_sets_how_numbers_are_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "P"
    code, out, _ = run_cli(capsys, "new", folder, "--numbers", "digits", "--coder", "a")
    assert code == 0 and "Numbers: written as digits." in out
    code, out, _ = run_cli(capsys, "numbers", folder)
    assert code == 0 and "digits" in out
    code, out, _ = run_cli(capsys, "numbers", folder, "words")
    assert code == 0 and out.startswith("Numbers set: written as said")
    before = fingerprint(folder)
    code, _, err = run_cli(capsys, "numbers", folder, "roman")
    assert code == 2 and "invalid choice" in err
    assert fingerprint(folder) == before
    with Project.open(folder) as project:
        assert project.numbers == "words"


class _Engine(FakeWhisper):
    """Records how the runner built it."""

    built: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        _Engine.built.append(kw)


def test_a_transcription_follows_the_projects_choice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        run_model,
        "resolve_model",
        lambda _spec: types.SimpleNamespace(name="fake", multilingual=True, removable=False),
    )
    monkeypatch.setattr(runner, "check_language", lambda _info, language: language)
    _Engine.built = []
    with Project.create(tmp_path / "P", name="P", coder="a") as project:
        project.set_languages(["ru"])
        session = project.sessions.import_audio(tone_wav(tmp_path / "a.wav", seconds=1.0))
        transcribe_session(project, session.id, engine=_Engine)
        project.set_numbers("digits")
        transcribe_session(project, session.id, engine=_Engine, replace=True)
    assert [kw["numbers"] for kw in _Engine.built] == ["words", "digits"]


@pytest.fixture(scope="module")
def tiny() -> Transcriber:
    return Transcriber("tiny.en", threads=2, device="cpu")


def test_only_text_tokens_with_a_digit_are_suppressed(tiny: Transcriber) -> None:
    tokenizer = tiny.model.hf_tokenizer
    end = tokenizer.token_to_id("<|endoftext|>")
    ids = digit_tokens(tiny.model)
    assert 300 < len(ids) < 2500 and max(ids) < end  # timestamps and languages are not text
    assert all(any(c.isdigit() for c in tokenizer.decode([i])) for i in ids)
    for number in (" 12", " 200", "5"):
        assert set(tokenizer.encode(number, add_special_tokens=False).ids) <= set(ids)
    for word in (" twelve", " двенадцати", " он"):
        assert not set(tokenizer.encode(word, add_special_tokens=False).ids) & set(ids)
    tiny.numbers = "digits"
    assert tiny._suppressed() == [-1]
    tiny.numbers = "words"
    assert tiny._suppressed() == [-1, *ids]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")
def test_real_model_writes_the_numbers_said_in_words(tiny: Transcriber, tmp_path: Path) -> None:
    wav = tmp_path / "n.wav"
    said = "I was twelve years old, and we paid two hundred dollars for the room."
    subprocess.run(["espeak-ng", "-w", str(wav), said], check=True)
    tiny.numbers = "digits"
    as_digits = " ".join(s.text for s in tiny.transcribe(wav, language="en"))
    tiny.numbers = "words"
    as_said = " ".join(s.text for s in tiny.transcribe(wav, language="en"))
    assert "12" in as_digits  # what Whisper writes unless told otherwise
    assert not any(c.isdigit() for c in as_said), as_said
    assert "twelve" in as_said.lower() and "hundred" in as_said.lower()


def test_a_bad_style_on_the_command_line_for_a_new_project_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "new", tmp_path / "Q", "--numbers", "both")
    assert code == 2 and "invalid choice" in err and not (tmp_path / "Q").exists()
