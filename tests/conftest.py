"""Shared fixtures: a fresh project and real speech audio."""

from __future__ import annotations

import os
from pathlib import Path

# Qt widgets are tested without a display (scripts/test.sh sets this too).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test may reach the real Hugging Face hub: its address is a closed local port unless a test
# starts its own server (tests/hub_server.py). Set before huggingface_hub is imported.
os.environ["HF_ENDPOINT"] = "http://127.0.0.1:9"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"

import pytest

from storage import Project
from tests.audio_fixtures import _pulse_before_qt, pulse_mic  # noqa: F401 - virtual microphone
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
