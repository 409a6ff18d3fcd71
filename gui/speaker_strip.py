"""The workbench's speaker timeline strip, directly under the waveform.

``SpeakerStripMixin`` builds the strip (``gui.speaker_timeline.SpeakerTimeline.compact``, on the
waveform's time axis), fills it from ``Project.speaker_stats`` / ``Project.speaker_turns`` in the
background and keeps it current: the window calls ``refresh_speaker_strip()`` when a transcript
(re)loads, after an edit that changes speakers or segments (and its undo/redo), and after the
Speakers dock or speaker detection changed something. The strip is hidden while the open session
has no speaker labels. Playback moves its play head like the waveform's; clicking a turn plays it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

from gui.speaker_timeline import SpeakerTimeline, Turn
from storage.errors import NotFoundError

if TYPE_CHECKING:
    from gui.window_base import WindowBase as _Base
else:
    _Base = object


class SpeakerStripMixin(_Base):
    """The speaker timeline strip of the main window."""

    speaker_strip: SpeakerTimeline
    _strip_generation: int

    def _build_speaker_strip(self, parent: QWidget) -> SpeakerTimeline:
        strip = SpeakerTimeline.compact(parent)
        strip.follow(self.waveform)
        strip.seek_requested.connect(self.player.play_from)
        strip.hide()
        self.speaker_strip = strip
        self._strip_generation = 0
        return strip

    def speaker_timelines(self) -> list[SpeakerTimeline]:
        """The strips showing the open session: the workbench's, and the Speakers dock's."""
        strips = [self.speaker_strip]
        extra = getattr(self, "extra_panels", None)
        panel = extra.speaker_panel() if extra is not None else None
        if panel is not None:
            strips.append(panel.timeline)
        return strips

    def refresh_speaker_strip(self) -> None:
        """Re-read the open session's speakers and turns (in the background) and show them."""
        self._strip_generation += 1
        generation = self._strip_generation
        if self.project is None or self.session is None:
            self.clear_speaker_strip()
            return
        project, session_id = self.project, self.session.id

        def job(_ctx: Any) -> tuple[list[str], list[Turn]]:
            labels = [stat.label for stat in project.speaker_stats(session_id)]
            return labels, project.speaker_turns(session_id)

        def done(result: tuple[list[str], list[Turn]]) -> None:
            if generation == self._strip_generation and self._strip_session() == session_id:
                self._show_speaker_turns(*result)

        def failed(exc: BaseException) -> None:
            if generation != self._strip_generation:
                return
            self.clear_speaker_strip()
            if not isinstance(exc, NotFoundError):  # a session deleted meanwhile: nothing to say
                self.statusBar().showMessage(f"Speaker timeline: {exc}", 5000)

        self.runner.submit("Speaker timeline", job, on_done=done, on_error=failed, serial=True)

    def clear_speaker_strip(self) -> None:
        """Show no speakers (another session is loading, or none is open)."""
        self.speaker_strip.clear()
        self.speaker_strip.hide()
        for strip in self.speaker_timelines():
            strip.set_position(None)
            strip.set_segment(None)

    def _strip_session(self) -> str | None:
        return self.session.id if self.session is not None else None

    def _show_speaker_turns(self, labels: list[str], turns: list[Turn]) -> None:
        strip = self.speaker_strip
        duration = self.session.duration_ms if self.session is not None else 0
        strip.set_turns(turns, labels, duration or 0)
        strip.setVisible(strip.has_speakers())

    def _speaker_strips_follow(self, ms: int) -> None:
        """Every speaker strip shows the waveform's play head and playing segment."""
        span = self.waveform.segment
        for strip in self.speaker_timelines():
            strip.set_position(ms)
            strip.set_segment(span)
