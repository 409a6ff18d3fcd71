"""A project that expects no particular languages, where Whisper takes Kazakh for Turkish,
Lithuanian or Pashto: the segments get those codes, with Cyrillic text. The summary said to set
the project's languages only when two or more languages were heard; a recording heard wholly as
Turkish said nothing. Now Cyrillic text in a language not written so is named, with the codes
its letters point to, in the command line's and the workbench's wording.

Whisper is faked: it writes ``FakeWhisper.lines`` (text, language), one second each.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

from storage import Project
from storage.transcript.transcript import SegmentDraft
from tests.fake_whisper import FakeWhisperBase, use_fake_whisper
from tests.hardening_support import run_cli, tone_wav
from transcribe import run_notes
from transcribe.batches import ChunkResult
from transcribe.notes import for_gui
from transcribe.runner import transcribe_session

KAZAKH = "Әкімдікте кезек өте көп болды."
RUSSIAN = "Очередь была большая."


class FakeWhisper(FakeWhisperBase):
    lines: ClassVar[list[tuple[str, str]]] = []

    def transcribe_chunks(self, _path: Any, *, start_ms: int = 0, **_k: Any) -> Any:
        drafts = [
            SegmentDraft(i * 1000, i * 1000 + 900, text, language=code)
            for i, (text, code) in enumerate(FakeWhisper.lines)
        ]
        yield ChunkResult(drafts, start_ms, 4000, None, final=True)


@pytest.fixture
def fake_whisper(monkeypatch: pytest.MonkeyPatch) -> type[FakeWhisper]:
    use_fake_whisper(monkeypatch, FakeWhisper)
    return FakeWhisper


@pytest.fixture
def session(tmp_path: Path) -> tuple[Path, str]:
    folder = tmp_path / "P.fieldscribe"
    with Project.create(folder, name="Study", coder="a") as project:
        wav = tone_wav(tmp_path / "fg.wav", seconds=4.0)
        sid = project.sessions.import_audio(wav, title="FG").id
    return folder, sid


def _hint(notes: list[str]) -> str:
    found = [n for n in notes if "expects no particular languages" in n]
    assert len(found) == 1, notes
    return found[0]


def test_kazakh_heard_wholly_as_turkish_is_named(
    session: tuple[Path, str], fake_whisper: type[FakeWhisper]
) -> None:
    """Before: one language heard, nothing said; the segments stayed TR."""
    folder, sid = session
    FakeWhisper.lines = [(KAZAKH, "tr"), (KAZAKH, "tr"), (KAZAKH, "tr")]
    with Project.open(folder) as project:
        summary = transcribe_session(project, sid)
    note = _hint(summary.notes)
    assert "Whisper identified Turkish (3 segments)" in note
    assert "3 segments marked Turkish are written in Cyrillic letters" in note
    assert "likely Kazakh speech" in note
    assert "fieldscribe languages DIR --set kk with the right codes" in note
    assert "--replace" in note
    gui = for_gui(note)
    assert "File ▸ Project settings" in gui and "Transcription ▸ Transcribe session" in gui
    assert "fieldscribe" not in gui and "--" not in gui


def test_kazakh_and_russian_heard_as_two_wrong_languages_beside_english(
    session: tuple[Path, str], fake_whisper: type[FakeWhisper]
) -> None:
    folder, sid = session
    FakeWhisper.lines = [(KAZAKH, "lt"), (RUSSIAN, "ps"), (KAZAKH, "lt"), ("Okay.", "en")]
    with Project.open(folder) as project:
        summary = transcribe_session(project, sid)
    note = _hint(summary.notes)
    assert "3 segments marked Lithuanian or Pashto are written in Cyrillic letters" in note
    assert "likely Kazakh or Russian speech" in note
    assert "--set kk,ru,en " in note  # the letters' languages first, then English


def test_the_right_script_says_only_what_it_said_before(
    session: tuple[Path, str], fake_whisper: type[FakeWhisper]
) -> None:
    folder, sid = session
    FakeWhisper.lines = [(RUSSIAN, "ru"), (RUSSIAN, "ru")]
    with Project.open(folder) as project:
        summary = transcribe_session(project, sid)
        assert not [n for n in summary.notes if "particular languages" in n]
        # a project that lists its languages is not told to set them
        project.set_languages("ru,kk")
        FakeWhisper.lines = [(KAZAKH, "tr")]
        again = transcribe_session(project, sid)
        assert not [n for n in again.notes if "particular languages" in n]
    assert run_notes.languages_hint({"tr": 2}, {"tr": 0}, {}) == []


def test_the_command_line_prints_it_after_the_run(
    session: tuple[Path, str],
    fake_whisper: type[FakeWhisper],
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder, _sid = session
    FakeWhisper.lines = [(KAZAKH, "tr"), (KAZAKH, "tr")]
    code, out, err = run_cli(capsys, "transcribe", folder, "--session", "FG")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("Transcribed 'FG': 2 segments added")
    assert any(
        line.startswith("  Note: The project expects no particular languages")
        and "--set kk" in line
        for line in lines
    ), out
