"""The speaker timeline strip under the workbench's waveform: shown, aligned, followed, clicked."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QColor, QHelpEvent
from PySide6.QtWidgets import QToolTip

from gui.speaker_timeline import SpeakerTimeline, speaker_colour
from storage import Project, SegmentDraft

# the stored timeline of a detection run: pauses left out, speech no segment holds at 19-19.6 s
TURNS = [
    (300, 4800, "Speaker 1"),
    (5200, 9000, "Speaker 3"),
    (9400, 13500, "Speaker 1"),
    (13900, 18500, "Speaker 2"),
    (19000, 19600, "Speaker 3"),
]
SEGMENTS = [
    SegmentDraft(0, 5000, "Welcome everybody.", speaker="Speaker 1"),
    SegmentDraft(5000, 9200, "Thank you.", speaker="Speaker 3"),
    SegmentDraft(9200, 13700, "Let us begin.", speaker="Speaker 1"),
    SegmentDraft(13700, 18600, "The portal is slow.", speaker="Speaker 2"),
]


def _tone(folder: Path, seconds: int) -> Path:
    path = folder / f"tone{seconds}.wav"
    subprocess.run(
        ["sox", "-n", "-r", "8000", "-c", "1", str(path), "synth", str(seconds), "sine", "300"],
        check=True,
    )
    return path


def _open(window: Any, idle: Any, session_id: str) -> None:
    window.sessions.reload_sessions()
    idle(window)
    window.sessions.open_segment_session(session_id)
    idle(window)


def _turn_point(strip: SpeakerTimeline, turn: tuple[int, int, str]) -> QPoint:
    """The middle of a turn's span, where the strip draws it."""
    lane = strip.lane_rect(strip.lane_of(turn[2]))
    x = strip.x_of((turn[0] + turn[1]) // 2)
    return QPoint(round(x), int(lane.top() + strip.lane_height() // 2))


def _waveform_x(window: Any, ms: int) -> float:
    """Where the waveform draws a time (its own axis: ``visible_range`` over its width)."""
    start, end = window.waveform.visible_range()
    return (ms - start) / (end - start) * window.waveform.width()


def _strip_turns(window: Any) -> list[tuple[int, int, str | None]]:
    return window.speaker_strip.turns


@pytest.fixture
def detected(project: Project, tmp_path: Path) -> str:
    """A 20 s session with audio, four segments and a stored timeline of three speakers."""
    (session,) = project.sessions.import_audio_files([_tone(tmp_path, 20)], kind="focus_group")
    project.transcript.add_segments(session.id, SEGMENTS)
    project.speakers.turns.save(session.id, TURNS)
    return str(session.id)


@pytest.fixture
def unlabelled(project: Project) -> str:
    """A session whose segments carry no speaker."""
    s = project.sessions.add_session("Field notes", kind="observation")
    project.transcript.add_segments(
        s.id, [SegmentDraft(0, 3000, "Rain on the roof."), SegmentDraft(3000, 6000, "(silence)")]
    )
    return str(s.id)


def test_strip_lies_under_the_waveform_and_paints_each_turn_under_its_audio(
    window: Any, idle: Any, qtbot: Any, project: Project, detected: str
) -> None:
    _open(window, idle, detected)
    qtbot.waitUntil(lambda: len(window.waveform._peaks) > 0, timeout=5000)
    strip, waveform = window.speaker_strip, window.waveform
    assert strip.isVisible()
    # the same lanes and colours as the Speakers dock: speakers in order of their first turn
    assert strip.labels == ["Speaker 1", "Speaker 3", "Speaker 2"]
    assert strip.labels == [s.label for s in project.speakers.speaker_stats(detected)]
    # directly under the waveform, same left edge and width, compact
    assert strip.geometry().left() == waveform.geometry().left()
    assert strip.width() == waveform.width()
    assert strip.geometry().top() == waveform.geometry().bottom() + 1
    assert strip.height() <= 48
    # the same time axis: the waveform shows the whole 20 s session, so does the strip
    assert strip.time_range() == waveform.visible_range() == (0, 20000)
    image = strip.grab().toImage()
    for turn in TURNS:
        lane = strip.lane_of(turn[2])
        y = int(strip.lane_rect(lane).center().y())
        for ms in (turn[0] + 150, (turn[0] + turn[1]) // 2, turn[1] - 150):
            x = round(_waveform_x(window, ms))
            assert image.pixelColor(x, y) == speaker_colour(lane), (turn, ms)
        # the span starts and ends where the waveform draws those times, to the pixel
        x0, x1 = _waveform_x(window, turn[0]), _waveform_x(window, turn[1])
        assert image.pixelColor(int(x0) + 1, y) == speaker_colour(lane), turn
        assert image.pixelColor(int(x0) - 1, y) != speaker_colour(lane), turn
        assert image.pixelColor(int(x1) - 1, y) == speaker_colour(lane), turn
        assert image.pixelColor(int(x1) + 2, y) != speaker_colour(lane), turn
    # Speaker 2 talks only at 13.9-18.5 s: nothing of theirs is painted elsewhere
    lane2 = strip.lane_of("Speaker 2")
    y2 = int(strip.lane_rect(lane2).center().y())
    assert image.pixelColor(round(_waveform_x(window, 3000)), y2) != speaker_colour(lane2)


def test_strip_is_hidden_without_speakers_and_appears_when_detection_finishes(
    window: Any, idle: Any, project: Project, unlabelled: str
) -> None:
    _open(window, idle, unlabelled)
    assert window.segment_model.rowCount() == 2
    assert not window.speaker_strip.isVisible()
    assert window.waveform.isVisible()

    seg_ids = [s.id for s in project.transcript.segments(unlabelled)]

    def diarizer(project: Any, session_id: str, **_kw: Any) -> Any:
        from storage.speakers.speakers import SegmentRelabel

        plan = [
            SegmentRelabel(seg_ids[0], ["Speaker 1"]),
            SegmentRelabel(seg_ids[1], ["Speaker 2"]),
        ]
        project.speakers.apply_speaker_labels(
            session_id, plan, turns=[(200, 2800, "Speaker 1"), (3100, 5900, "Speaker 2")]
        )
        return type("Report", (), {"speakers": ["Speaker 1", "Speaker 2"]})()

    window.extra_panels.diarizer = diarizer
    window.extra_panels.detect_speakers(unlabelled)
    idle(window)
    strip = window.speaker_strip
    assert strip.isVisible()
    assert strip.labels == ["Speaker 1", "Speaker 2"]
    assert _strip_turns(window) == [(200, 2800, "Speaker 1"), (3100, 5900, "Speaker 2")]


def test_strip_follows_playback_and_scrolls_with_the_waveform(
    window: Any, idle: Any, project: Project
) -> None:
    # a 90 s session without audio: the waveform shows 30 s around the play head
    s = project.sessions.add_session("Long", kind="interview")
    project.transcript.add_segments(
        s.id,
        [
            SegmentDraft(0, 30000, "Intro.", speaker="Speaker 1"),
            SegmentDraft(30000, 54000, "Story.", speaker="Speaker 2"),
            SegmentDraft(54000, 60000, "Question.", speaker="Speaker 1"),
            SegmentDraft(60000, 90000, "Answer.", speaker="Speaker 2"),
        ],
    )
    _open(window, idle, s.id)
    strip, waveform = window.speaker_strip, window.waveform
    assert strip.isVisible()
    window.player.seek(57000)  # inside "Question."
    assert waveform.visible_range() == (47000, 77000)
    assert strip.time_range() == (47000, 77000)
    assert window.waveform.segment == (54000, 60000)
    image = strip.grab().toImage()
    lane1, lane2 = strip.lane_of("Speaker 1"), strip.lane_of("Speaker 2")
    y1 = int(strip.lane_rect(lane1).center().y())
    y2 = int(strip.lane_rect(lane2).center().y())
    # Speaker 1's turn at 54-60 s lies under the waveform's 54-60 s
    assert image.pixelColor(round(_waveform_x(window, 55000)), y1) == speaker_colour(lane1)
    assert image.pixelColor(round(_waveform_x(window, 50000)), y1) != speaker_colour(lane1)
    assert image.pixelColor(round(_waveform_x(window, 50000)), y2) == speaker_colour(lane2)
    # the play head: red, where the waveform draws its own
    assert image.pixelColor(round(_waveform_x(window, 57000)), y2).red() == 255
    # the playing segment is shaded (where nobody else talks: Speaker 2's lane at 55 s)
    assert image.pixelColor(round(_waveform_x(window, 55500)), y2) == QColor(90, 80, 40)
    assert image.pixelColor(round(_waveform_x(window, 52000)), y1) != QColor(90, 80, 40)


def test_clicking_a_turn_plays_it_and_the_tooltip_names_it(
    window: Any, idle: Any, qtbot: Any, detected: str
) -> None:
    _open(window, idle, detected)
    qtbot.waitUntil(lambda: len(window.waveform._peaks) > 0, timeout=5000)
    strip = window.speaker_strip
    turn = TURNS[3]
    point = _turn_point(strip, turn)
    assert strip.tooltip_at(point) == "Speaker 2 · 0:13.9–0:18.5"
    # lanes are thin: a point just above the lanes still names the turn at that time
    assert strip.tooltip_at(QPoint(point.x(), 0)) == "Speaker 2 · 0:13.9–0:18.5"
    beside = strip.tooltip_at(QPoint(round(strip.x_of(13700)), point.y()))
    assert "one lane per speaker" in beside  # between two turns: what the lanes are
    assert beside.endswith("Lanes from the top: Speaker 1, Speaker 3, Speaker 2.")
    # the real tooltip event shows the same text
    event = QHelpEvent(QEvent.Type.ToolTip, point, strip.mapToGlobal(point))
    strip.event(event)
    assert QToolTip.text() == "Speaker 2 · 0:13.9–0:18.5"
    QToolTip.hideText()

    with qtbot.waitSignal(strip.seek_requested) as sought:
        qtbot.mouseClick(strip, Qt.MouseButton.LeftButton, pos=point)
    assert sought.args == [13900]
    assert window.player.position() == 13900  # the turn is played from its start
    # a click beside every turn goes to the time clicked, like the waveform
    pause = QPoint(round(strip.x_of(9200)), point.y())
    qtbot.mouseClick(strip, Qt.MouseButton.LeftButton, pos=pause)
    assert window.player.position() == pytest.approx(9200, abs=2 * 20000 / strip.width() + 1)


def test_strip_follows_a_rename_in_the_dock_and_an_undone_speaker_edit(
    window: Any, idle: Any, qtbot: Any, project: Project, detected: str
) -> None:
    _open(window, idle, detected)
    panel = window.extra_panels.show_speakers()
    strip = window.speaker_strip
    assert panel.labels() == strip.labels  # one order, one colour per speaker
    window.transcript.go_to_row(1)
    window.segment_editor.insertPlainText("typing ")  # the transcript is not reloaded now...
    assert window.segment_editor.is_dirty()
    assert panel.rename("Speaker 2", "Amina")
    idle(window)
    assert strip.labels == ["Speaker 1", "Speaker 3", "Amina"]  # ...the strip is
    window.segment_editor.commit()
    idle(window)
    assert strip.tooltip_at(_turn_point(strip, (13900, 18500, "Amina"))) == "Amina · 0:13.9–0:18.5"
    assert panel.merge("Speaker 3", "Speaker 1")
    idle(window)
    assert strip.labels == ["Speaker 1", "Amina"]
    assert strip.turns == project.speakers.speaker_turns(detected)

    # a speaker edit in the transcript, undone and redone
    before = strip.turns
    window.editing.set_speaker([window.segment_model.segment(0).id], "Amina")
    idle(window)
    assert strip.turns == project.speakers.speaker_turns(detected) != before
    assert strip.turns[0][2] == "Amina"
    window.undo_stack.undo()
    idle(window)
    assert strip.turns == before
    window.undo_stack.redo()
    idle(window)
    assert strip.turns[0][2] == "Amina"


def test_strip_follows_segment_speakers_when_no_timeline_is_stored(
    window: Any, idle: Any, project: Project, unlabelled: str
) -> None:
    _open(window, idle, unlabelled)
    strip = window.speaker_strip
    assert not strip.isVisible()
    window.editing.set_speaker([window.segment_model.segment(1).id], "Moderator")  # by hand
    idle(window)
    assert strip.isVisible()
    assert strip.turns == [(0, 3000, None), (3000, 6000, "Moderator")]
    assert [label for _r, label in strip.span_rects()] == ["Moderator"]
    # a split changes a timeline made of segments: the strip follows it, and its undo
    window.transcript.go_to_row(1)
    editor = window.segment_editor
    cursor = editor.textCursor()
    cursor.setPosition(len("(sil"))
    editor.setTextCursor(cursor)
    window.editing.split_at_cursor()
    idle(window)
    assert [t[2] for t in strip.turns] == [None, "Moderator", "Moderator"]
    assert strip.turns == project.speakers.speaker_turns(unlabelled)
    window.undo_stack.undo()
    idle(window)
    assert strip.turns == [(0, 3000, None), (3000, 6000, "Moderator")]
    window.undo_stack.undo()
    idle(window)
    assert not strip.isVisible()


def test_strip_switches_with_the_session(
    window: Any, idle: Any, project: Project, detected: str, unlabelled: str
) -> None:
    other = project.sessions.add_session("Interview", kind="interview")
    project.transcript.add_segments(
        other.id,
        [
            SegmentDraft(0, 2000, "Hello.", speaker="Interviewer"),
            SegmentDraft(2000, 5000, "Hi.", speaker="Bo"),
        ],
    )
    _open(window, idle, detected)
    strip = window.speaker_strip
    assert strip.labels == ["Speaker 1", "Speaker 3", "Speaker 2"]
    window.sessions.open_segment_session(other.id)
    idle(window)
    assert strip.isVisible() and strip.labels == ["Interviewer", "Bo"]
    assert strip.turns == [(0, 2000, "Interviewer"), (2000, 5000, "Bo")]
    window.sessions.open_segment_session(unlabelled)
    assert strip.turns == [] and not strip.isVisible()  # at once, not Bo while loading
    idle(window)
    assert not strip.isVisible()
    window.sessions.open_segment_session(detected)
    idle(window)
    assert strip.isVisible() and strip.turns == TURNS
    window.projects.close_project()
    assert strip.turns == [] and strip.isHidden()


def test_ten_speakers_stay_readable_in_a_compact_strip(qtbot: Any) -> None:
    strip = SpeakerTimeline.compact()
    qtbot.addWidget(strip)
    labels = [f"Speaker {n}" for n in range(1, 11)]
    turns = [(n * 1000, n * 1000 + 900, label) for n, label in enumerate(labels)]
    strip.set_turns(turns, labels, 10000)
    strip.resize(500, strip.height())
    assert strip.height() <= 48
    assert strip.lane_height() >= 4
    image = strip.grab().toImage()
    colours = set()
    for turn in turns:
        point = _turn_point(strip, turn)
        colour = image.pixelColor(point)
        assert colour == speaker_colour(strip.lane_of(turn[2]))
        colours.add(colour.name())
    assert len(colours) == 10  # ten speakers, ten colours
    strip.set_turns(turns[:3], labels[:3], 10000)  # few speakers: taller lanes, lower strip
    assert strip.lane_height() == 8 and strip.height() < 30


def test_the_docks_strip_is_the_same_widget_and_follows_playback_too(
    window: Any, idle: Any, qtbot: Any, detected: str
) -> None:
    _open(window, idle, detected)
    panel = window.extra_panels.show_speakers()
    idle(window)
    dock, strip = panel.timeline, window.speaker_strip
    assert type(dock) is type(strip) is SpeakerTimeline  # one painting implementation
    assert dock.labels == strip.labels
    qtbot.waitUntil(lambda: dock.width() > 100, timeout=5000)
    qtbot.mouseClick(dock, Qt.MouseButton.LeftButton, pos=_turn_point(dock, TURNS[1]))
    assert window.player.position() == 5200  # clicking a turn in the dock plays it too
    image = dock.grab().toImage()
    x = round(dock.x_of(5200))
    lane = dock.lane_of("Speaker 2")  # not talking at 5.2 s: the play head shows
    assert image.pixelColor(x, int(dock.lane_rect(lane).center().y())).red() == 255


def test_whole_session_strip_paints_tiny_turns_and_redraws_after_a_resize(qtbot: Any) -> None:
    strip = SpeakerTimeline()  # the dock's kind: the whole session, spans drawn once
    qtbot.addWidget(strip)
    # 3,000 turns of 0.1 s every 0.2 s: each far narrower than a pixel at this width
    turns = [
        (k * 200, k * 200 + 100, "Speaker 1" if k < 1500 else "Speaker 2") for k in range(3000)
    ]
    strip.set_turns(turns, ["Speaker 1", "Speaker 2"], 600_000)
    strip.resize(300, 40)
    image = strip.grab().toImage()
    y1 = int(strip.lane_rect(0).center().y())
    y2 = int(strip.lane_rect(1).center().y())
    inside = [round(strip.x_of(ms)) for ms in (3_000, 150_000, 295_000)]
    assert all(image.pixelColor(x, y1) == speaker_colour(0) for x in inside)
    assert image.pixelColor(round(strip.x_of(450_000)), y1) != speaker_colour(0)
    assert image.pixelColor(round(strip.x_of(450_000)), y2) == speaker_colour(1)
    assert image.pixelColor(round(strip.x_of(150_000)), y2) != speaker_colour(1)
    strip.resize(600, 40)  # wider: drawn again at the new scale
    image = strip.grab().toImage()
    assert image.pixelColor(round(strip.x_of(298_000)), y1) == speaker_colour(0)
    assert image.pixelColor(round(strip.x_of(350_000)), y2) == speaker_colour(1)
    assert image.pixelColor(round(strip.x_of(350_000)), y1) != speaker_colour(0)
