"""The workbench's speaker timeline strip, directly under the waveform.

``SpeakerStripController`` drives the strip (``gui.speaker_timeline.SpeakerTimeline.compact``, on
the waveform's time axis): it fills it from ``Project.speaker_stats`` / ``Project.speaker_turns`` in
the background and keeps it current. ``refresh()`` is called when a transcript (re)loads, after an
edit that changes speakers or segments (and its undo/redo), and after the Speakers dock or speaker
detection changed something. The strip is hidden while the open session has no speaker labels.
Playback moves its play head like the waveform's; clicking a turn plays it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gui.app_state import AppState
from gui.chrome import WindowChrome
from gui.player import Player
from gui.speaker_timeline import SpeakerTimeline, Turn
from gui.tasks import TaskRunner
from gui.waveform import WaveformStrip
from storage.core.errors import NotFoundError


class SpeakerStripController:
    """Fills the speaker strip of the open session and moves every strip's play head."""

    def __init__(
        self,
        state: AppState,
        runner: TaskRunner,
        chrome: WindowChrome,
        strip: SpeakerTimeline,
        waveform: WaveformStrip,
        player: Player,
        *,
        other_timelines: Callable[[], list[SpeakerTimeline]] = list,
    ) -> None:
        self.state = state
        self.runner = runner
        self.chrome = chrome
        self.strip = strip
        self.waveform = waveform
        self.other_timelines = other_timelines  # e.g. the Speakers dock's, when it is open
        self._generation = 0
        strip.follow(waveform)
        strip.seek_requested.connect(player.play_from)
        strip.hide()

    def timelines(self) -> list[SpeakerTimeline]:
        """The strips showing the open session: the workbench's, and the Speakers dock's."""
        return [self.strip, *self.other_timelines()]

    def refresh(self) -> None:
        """Re-read the open session's speakers and turns (in the background) and show them."""
        self._generation += 1
        generation = self._generation
        if self.state.project is None or self.state.session is None:
            self.clear()
            return
        project, session_id = self.state.project, self.state.session.id

        def job(_ctx: Any) -> tuple[list[str], list[Turn]]:
            labels = [stat.label for stat in project.speakers.speaker_stats(session_id)]
            return labels, project.speakers.speaker_turns(session_id)

        def done(result: tuple[list[str], list[Turn]]) -> None:
            if generation == self._generation and self._session_id() == session_id:
                self._show_turns(*result)

        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self.clear()
            if not isinstance(exc, NotFoundError):  # a session deleted meanwhile: nothing to say
                self.chrome.message(f"Speaker timeline: {exc}", 5000)

        self.runner.submit("Speaker timeline", job, on_done=done, on_error=failed, serial=True)

    def clear(self) -> None:
        """Show no speakers (another session is loading, or none is open)."""
        self.strip.clear()
        self.strip.hide()
        for strip in self.timelines():
            strip.set_position(None)
            strip.set_segment(None)

    def _session_id(self) -> str | None:
        return self.state.session.id if self.state.session is not None else None

    def _show_turns(self, labels: list[str], turns: list[Turn]) -> None:
        strip = self.strip
        session = self.state.session
        duration = session.duration_ms if session is not None else 0
        strip.set_turns(turns, labels, duration or 0)
        strip.setVisible(strip.has_speakers())

    def follow_playback(self, ms: int) -> None:
        """Every speaker strip shows the waveform's play head and playing segment."""
        span = self.waveform.segment
        for strip in self.timelines():
            strip.set_position(ms)
            strip.set_segment(span)
