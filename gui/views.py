"""The workbench's shared widgets: the window builds them, its controllers use them."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QTableView

from gui.codebook_view import CodebookPanel
from gui.header_label import HeaderLabel
from gui.models.segments import SegmentTableModel
from gui.models.sessions import SessionTableModel
from gui.player import Player
from gui.search_panel import SearchPanel
from gui.segment_editor import SegmentEditor
from gui.speaker_timeline import SpeakerTimeline
from gui.transcript_view import TranscriptView
from gui.waveform import WaveformStrip


@dataclass(frozen=True)
class WorkbenchViews:
    """The sessions list, the transcript with its editor, the audio strips, codebook and search."""

    player: Player
    waveform: WaveformStrip
    speaker_strip: SpeakerTimeline
    segment_model: SegmentTableModel
    transcript: TranscriptView
    segment_editor: SegmentEditor
    transcript_label: HeaderLabel
    sessions_model: SessionTableModel
    sessions_view: QTableView
    codebook: CodebookPanel
    search_panel: SearchPanel
