"""An English-only model with no multilingual model installed to tell the language, and no
language said: it wrote Russian speech as English nobody said ("Thank you very much for
watching, and I'll see you in the next video") and the session read "transcribed". It is now
heard on the recording's first speech before anything is stored, and refused when unsure."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import Project
from tests.media import espeak
from transcribe import run_model
from transcribe.models import ModelError, resolve_model
from transcribe.notes import PROJECT_SETTINGS
from transcribe.runner import transcribe_session

pytestmark = pytest.mark.skipif(
    resolve_model("tiny.en") is None, reason="the bundled tiny.en is missing"
)

RUSSIAN = (
    "Добрый день, меня зовут Айгуль, я работаю учителем в школе уже десять лет, и мне нравится "
    "моя работа."
)
GERMAN = (
    "Guten Tag, wir sprechen heute über die öffentlichen Dienste in unserer Stadt und die Schulen."
)
KAZAKH = "Сәлеметсіз бе, менің атым Айгүл, мен мектепте он жыл мұғалім болып жұмыс істеймін."


@pytest.fixture
def alone(monkeypatch: pytest.MonkeyPatch) -> None:
    from transcribe import models

    monkeypatch.setattr(run_model, "multilingual_model", lambda: None)
    monkeypatch.setattr(models, "multilingual_choice", lambda cache_dir=None: None)


@pytest.mark.parametrize(("voice", "text"), [("ru", RUSSIAN), ("kk", KAZAKH), ("de", GERMAN)])
def test_other_speech_is_refused_and_nothing_is_stored(
    project: Project, tmp_path: Path, alone: None, voice: str, text: str
) -> None:
    session = project.sessions.import_audio(espeak(tmp_path / f"{voice}.wav", text, voice=voice))
    with pytest.raises(ModelError) as refused:
        transcribe_session(project, session.id, model="tiny.en")
    said = str(refused.value)
    assert "tiny.en is English-only" in said and "Nothing was stored" in said
    assert "fieldscribe languages DIR --set en" in said and said.count("\n") == 0
    assert "install a multilingual model" in said
    assert PROJECT_SETTINGS in refused.value.gui and "fieldscribe" not in refused.value.gui
    assert project.transcript.segments(session.id) == []
    assert project.transcription.transcription_state(session.id) is None


def test_english_speech_is_transcribed(project: Project, speech_wav: Path, alone: None) -> None:
    session = project.sessions.import_audio(speech_wav)
    summary = transcribe_session(project, session.id, model="tiny.en")
    assert summary.segments_added >= 1 and summary.model == "tiny.en"


def test_a_project_that_says_english_is_not_asked_again(
    project: Project, tmp_path: Path, alone: None
) -> None:
    """The researcher said the speech is English: tiny.en transcribes what it hears."""
    project.set_languages("en")
    session = project.sessions.import_audio(espeak(tmp_path / "ru.wav", RUSSIAN, voice="ru"))
    transcribe_session(project, session.id, model="tiny.en")
    assert project.transcription.transcription_state(session.id) is not None


def test_repeated_runs_against_a_count() -> None:
    from transcribe.run_model import repeated_runs

    assert repeated_runs("Thank you all for coming this evening.") == 0.0
    assert repeated_runs("thank you very much, " * 4) == 1.0
    # "i don't know" twice among 7 runs of three words
    assert repeated_runs("I don't know what to say, I don't know") == pytest.approx(2 / 7)
    assert repeated_runs("Okay.") == 0.0


def test_the_model_is_loaded_once_for_the_check_and_the_transcription(
    project: Project, speech_wav: Path, alone: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check (``english_alone``) and the transcription use one loaded model: a second
    load would double the wait and, for a large model, the memory (``model_load._load`` keeps
    it; this counts the ``WhisperModel`` loads)."""
    import faster_whisper

    from transcribe import model_load

    loads: list[str] = []
    real = faster_whisper.WhisperModel

    def counting(path: str, **kwargs: object) -> object:
        loads.append(path)
        return real(path, **kwargs)

    monkeypatch.setattr(faster_whisper, "WhisperModel", counting)
    model_load._load.cache_clear()  # a model an earlier test loaded is not counted
    checked: list[bool] = []
    check = run_model.english_alone
    monkeypatch.setattr(
        run_model, "english_alone", lambda *a, **k: checked.append(True) or check(*a, **k)
    )
    session = project.sessions.import_audio(speech_wav)
    transcribe_session(project, session.id, model="tiny.en")
    assert checked == [True]  # the check ran
    assert len(loads) == 1, loads
    model_load._load.cache_clear()  # the counting model is not kept for later tests
