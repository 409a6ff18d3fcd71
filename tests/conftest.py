"""Shared fixtures: a fresh project and real speech audio."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import Project
from tests.media import espeak

SENTENCE = "The village clinic opened a new online booking service for patients last spring."


@pytest.fixture
def project(tmp_path: Path):
    """A new, open project in a temporary folder (coder-a)."""
    with Project.create(tmp_path / "Study.fieldscribe", name="Study", coder="coder-a") as p:
        yield p


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few seconds of espeak-ng speech with known words."""
    return espeak(tmp_path_factory.mktemp("speech") / "speech.wav", SENTENCE)
