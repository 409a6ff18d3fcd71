"""Shared fixtures."""

from tests.audio_fixtures import pulse_mic  # noqa: F401 - the PulseAudio virtual microphone
