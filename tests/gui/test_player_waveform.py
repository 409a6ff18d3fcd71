"""Transcriber keys on the player, waveform peaks (real decode, cached), and bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gui.player import Player
from gui.waveform import BUCKET_MS, WaveformStrip, compute_peaks
from storage import Project


def test_skip_rewind_and_speed(qtbot: Any, speech_wav: Path) -> None:
    player = Player()
    player.load(speech_wav)
    qtbot.waitUntil(lambda: player.duration() > 0, timeout=5000)
    player.skip_ms, player.rewind_ms = 1000, 500
    player.seek(2000)
    player.skip(-1)
    assert player.position() == 1000
    player.skip(1)
    player.skip(1)
    assert player.position() == 3000
    player.skip(-1)
    player.skip(-1)
    player.skip(-1)
    player.skip(-1)
    assert player.position() == 0  # clamped at the start
    player.seek(2500)
    player.toggle()  # resume: rewinds half a second first
    assert player.position() == 2000
    player.pause()
    player.set_speed(1.0)
    player.step_speed(1)
    assert player.speed() == pytest.approx(1.25)
    for _ in range(10):
        player.step_speed(1)
    assert player.speed() == pytest.approx(2.0)
    for _ in range(10):
        player.step_speed(-1)
    assert player.speed() == pytest.approx(0.5)


def test_peaks_are_decoded_and_cached(qtbot: Any, tmp_path: Path, speech_wav: Path) -> None:
    """(qtbot: the QApplication its strip needs, when this test runs first or alone.)"""
    cache = tmp_path / "peaks"
    peaks = compute_peaks(speech_wav, cache=cache)
    assert len(peaks) > 1000 // BUCKET_MS  # more than a second of audio
    assert max(peaks) == pytest.approx(1.0) and min(peaks) >= 0.0
    files = list(cache.iterdir())
    assert len(files) == 1
    again = compute_peaks(speech_wav, cache=cache)
    assert list(again) == list(peaks)
    strip = WaveformStrip()
    strip.set_peaks(peaks)
    strip.resize(600, 64)
    assert strip.grab().width() == 600  # paints without error


def test_import_of_a_non_audio_file_is_refused(
    window: Any, qtbot: Any, idle: Any, tmp_path: Path
) -> None:
    project: Project = window.project
    bad = tmp_path / "notes.mp3"
    bad.write_text("this is not audio")
    before = sorted(p.name for p in project.media_dir.iterdir())
    window.transcription.import_files([bad])
    idle(window)
    assert "notes.mp3" in window.last_error
    assert project.sessions.all() == []
    assert sorted(p.name for p in project.media_dir.iterdir()) == before


def test_bad_edits_are_refused_with_a_message(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path
) -> None:
    project: Project = window.project
    window.transcription.import_files([speech_wav])
    idle(window)
    sid = project.sessions.all()[0].id
    window.transcription.start_transcription(sid)
    idle(window)
    qtbot.waitUntil(lambda: window.segment_model.rowCount() == 4)
    texts = [s.text for s in project.transcript.segments(sid)]
    # split with the cursor at the very start: nothing to split
    window.transcript.go_to_row(0)
    window.segment_editor.moveCursor(window.segment_editor.textCursor().MoveOperation.Start)
    window.editing.split_at_cursor()
    idle(window)
    assert "cursor" in window.statusBar().currentMessage()
    # merge the last segment: there is no next one
    window.transcript.go_to_row(3)
    window.editing.merge_with_next()
    idle(window)
    assert "no next segment" in window.statusBar().currentMessage()
    # an empty search query
    window.search_panel.query.setText("   ")
    window.sessions.run_search("   ")
    window.sessions.run_search("()")
    idle(window)
    assert window.search_panel.results.count() == 0
    # a duplicate code name
    window.editing.add_code("Trust")
    window.editing.add_code("Trust")
    idle(window)
    assert "already exists" in window.last_error
    assert [c.name for c in project.codebook.codes()] == ["Trust"]
    assert [s.text for s in project.transcript.segments(sid)] == texts
    assert window.undo_stack.index() == 1  # the failed duplicate was stepped over
    window.undo_stack.undo()
    idle(window)
    assert project.codebook.codes() == []


def test_an_empty_strip_shows_no_time_scale(qtbot: Any) -> None:
    """A new project's waveform said "No audio" between 0:00 and 0:30, a length nothing had:
    the strip's end times show once there is audio, and go with it."""
    from array import array

    strip = WaveformStrip()
    qtbot.addWidget(strip)
    assert strip.axis_labels() is None
    strip.set_peaks(array("f", [0.5] * 10), 15_200)
    assert strip.axis_labels() == ("0:00", "0:15")
    strip.clear()
    assert strip.axis_labels() is None


def test_the_player_s_media_objects_are_made_by_qt_not_by_python(qtbot: Any) -> None:
    """Qt's audio thread calls virtuals of the output while it holds a lock the main thread's
    ``stop`` waits for; on a Python-made object those calls wait for the GIL, which ``stop``'s
    caller holds: the window froze (gui/player.py). Qt-made objects have no Python shell."""
    from shiboken6 import Shiboken

    player = Player()
    assert not Shiboken.createdByPython(player._player)
    assert not Shiboken.createdByPython(player._output)
    assert player._player.audioOutput() == player._output
    assert player._player.parent() is player  # freed with the player


def test_playing_to_the_end_then_loading_again_and_closing(qtbot: Any, tmp_path: Path) -> None:
    short = tmp_path / "short.wav"
    import wave

    with wave.open(str(short), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\x10\x00\xf0\xff" * 4800)  # 0.6 s
    player = Player()
    for _ in range(3):
        states: list[bool] = []
        player.playing_changed.connect(states.append)
        player.load(short)
        player.play()
        qtbot.waitUntil(lambda states=states: states[-2:] == [True, False])  # the end of the file
        player.playing_changed.disconnect(states.append)
        player.load(None)
        assert player.duration() == 0 and player.source is None
    player.load(short)
    qtbot.waitUntil(lambda: player.duration() > 0)
    assert player.duration() == pytest.approx(600, abs=50)


def test_without_qt_s_media_player_module_python_made_objects_play(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, speech_wav: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import gui.player as module

    monkeypatch.setattr(module, "_factory", [])
    monkeypatch.setattr(module, "_QML", b"import NoSuchMediaModule\nMediaPlayer {}\n")
    player = Player()
    assert "MediaPlayer could not be made" in caplog.text
    assert player._player.audioOutput() == player._output
    player.load(speech_wav)
    qtbot.waitUntil(lambda: player.duration() > 0)
    player.seek(1000)
    assert player.position() == 1000


def test_play_in_a_session_without_a_recording_says_why_nothing_plays(
    window: Any, qtbot: Any, idle: Any, tmp_path: Path
) -> None:
    """A day at 1024x700: in a transcript imported as text (no audio), Play current segment,
    Play / pause (F4) and a click on a segment's time did nothing and said nothing; the F4
    button looked broken. The status bar now says there is no recording to play."""
    txt = tmp_path / "сұхбат.txt"
    txt.write_text("[00:00:01] Айгүл: Емхана жоқ.\n[00:00:04] Модератор: Рақмет.\n", "utf-8")
    window.exchange.transcripts.import_transcript_session(txt)
    qtbot.waitUntil(lambda: len(window.project.sessions.all()) == 1)
    idle(window)
    sid = window.project.sessions.all()[0].id
    window.sessions.open_segment_session(sid)
    qtbot.waitUntil(lambda: window.segment_model.rowCount() == 2)
    idle(window)
    bar = window.statusBar()
    said = "This session has no recording (a transcript imported as text): nothing to play."
    window.transcript.go_to_row(0)
    for play in (
        window.sessions.play_current,
        window.player.toggle,
        lambda: window.sessions.play_row(1),
    ):
        bar.clearMessage()
        play()
        assert bar.currentMessage() == said
    assert not window.player.is_playing()


def test_play_in_a_session_whose_audio_is_not_in_the_project_says_where_to_get_it(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path
) -> None:
    """A copy made from a bundle without its audio: Play did nothing, silently; it now says
    the audio is not in the project and how to copy it in."""
    window.transcription.import_files([speech_wav])
    idle(window)
    sid = window.project.sessions.all()[0].id
    media = window.project.sessions.media_path(sid)
    media.unlink()
    window.sessions.reopen_session(sid)  # read again: its recording is gone
    qtbot.waitUntil(lambda: "no audio" in window.transcript_label.full_text())
    window.statusBar().clearMessage()
    window.player.toggle()
    assert window.statusBar().currentMessage() == (
        "This session's audio is not in the project: File ▸ Locate missing audio… copies it in."
    )


def test_play_refuses_the_clear_recording_of_an_unfinished_destroy(
    window: Any, qtbot: Any, idle: Any, speech_wav: Path
) -> None:
    """A ``redact --destroy`` whose swap is still to do (a kill after its commit, the project
    then opened where the open could not finish it): the player loaded and played the clear
    recording whose redacted words were destroyed. It now loads nothing and Play says why."""
    import shutil

    from storage.core.destroy_pending import Swap, record

    window.transcription.import_files([speech_wav])
    idle(window)
    project = window.project
    sid = project.sessions.all()[0].id
    media = project.sessions.media_path(sid)
    relative = str(media.relative_to(project.folder))
    staged = media.with_name(f".{media.stem}.redacted{media.suffix}")
    shutil.copyfile(media, staged)  # the silenced copy waiting beside the clear file
    with project.store.tx() as db:
        record(db.conn, [Swap(str(staged.relative_to(project.folder)), relative, relative)])
    window.sessions.reopen_session(sid)
    qtbot.waitUntil(lambda: "no audio" in window.transcript_label.full_text())
    window.statusBar().clearMessage()
    window.player.toggle()
    said = window.statusBar().currentMessage()
    assert said == (
        "Not played: a destroy of its redacted words was cut off; open the project where its "
        "folder can be written to finish the destroy."
    )
    assert window.statusBar().fontMetrics().horizontalAdvance(said) < 1024 - 40
    assert not window.player.is_playing()
