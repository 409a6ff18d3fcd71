"""Shared fixtures."""

from tests.audio_fixtures import _pulse_before_qt, pulse_mic  # noqa: F401 - virtual microphone
