"""Menu entries that would do nothing are greyed out or say why (a walkthrough at 1024x700)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.gui.gui_helpers import make_fake_transcriber


def test_cancel_entries_are_greyed_out_while_nothing_runs(
    window: Any, qtbot: Any, idle: Any
) -> None:
    assert not window.act_cancel_transcription.isEnabled()  # nothing is transcribed
    assert not window.extra_panels.act_cancel_detect.isEnabled()  # no speaker detection runs


def test_cancel_transcription_is_enabled_while_one_runs(
    window: Any, qtbot: Any, idle: Any, speech_wav: Any
) -> None:
    window.transcription.transcriber = make_fake_transcriber(delay_s=0.3)
    window.transcription.import_files([speech_wav])
    idle(window)
    sid = window.project.sessions.all()[0].id
    window.transcription.start_transcription(sid)
    assert window.act_cancel_transcription.isEnabled()
    window.act_cancel_transcription.trigger()
    idle(window)
    assert not window.act_cancel_transcription.isEnabled()


def test_code_with_the_current_code_says_to_choose_a_code(window: Any) -> None:
    assert window.codebook.current_code() is None
    window.editing.apply_current_code()
    assert "Select a code in the codebook" in window.statusBar().currentMessage()


def test_clearing_the_search_query_clears_its_results(qtbot: Any) -> None:
    """The ✕ in the search box emptied the query but left the old results listed."""
    from gui.search_panel import SearchPanel
    from storage.core.models import SearchHit

    panel = SearchPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.query.setText("газеты")
    hit = SearchHit("g", "s", "ru40", 0, 900, None, "газеты", "[газеты]", 1.0, "ru")
    panel.show_hits([hit])
    assert panel.results.count() == 1 and panel.results.isVisible()
    panel.query.clear()  # what the ✕ button does
    assert panel.results.count() == 0
    assert not panel.results.isVisible() and not panel.info.isVisible()


def test_no_to_transcribe_again_leaves_no_transcribing_message(
    window: Any, idle: Any, speech_wav: Any, monkeypatch: Any
) -> None:
    """Answering No to "Transcribe again?" left "Transcribing 0 %, 0 s so far" in the status
    bar, with nothing running."""
    from PySide6.QtWidgets import QMessageBox

    window.transcription.import_files([speech_wav])
    idle(window)
    sid = window.project.sessions.all()[0].id
    window.transcription.start_transcription(sid)
    idle(window)
    asked: list[str] = []
    buttons = QMessageBox.StandardButton

    def question(_parent: Any, title: str, *_a: Any, **_k: Any) -> Any:
        asked.append(title)
        return buttons.Yes if title == "Consent" else buttons.No  # consent: go on

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    window.transcription.start_transcription(sid)
    idle(window)
    assert asked[-1] == "Transcribe again?"
    assert not window.transcription.running
    message = window.statusBar().currentMessage()
    assert "Transcribing" not in message and "transcript is kept" in message


def test_transcribe_again_says_the_speaker_labels_go_to_the_new_segments(
    window: Any, idle: Any, speech_wav: Any, monkeypatch: Any
) -> None:
    """The question said the untouched segments are replaced and nothing of their speakers
    (detected, or renamed by a coder): they went with them. Now they are carried, and the
    question says so."""
    from PySide6.QtWidgets import QMessageBox

    window.transcription.import_files([speech_wav])
    idle(window)
    sid = window.project.sessions.all()[0].id
    window.transcription.start_transcription(sid)  # the fake labels its 4 segments
    idle(window)
    asked: list[str] = []

    def question(_parent: Any, title: str, text: str, *_a: Any, **_k: Any) -> Any:
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    window.transcription.start_transcription(sid)
    idle(window)
    assert (
        "replaced. The speaker labels of 4 replaced segments go to the new segments that lie "
        "in them." in asked[-1]
    )


def test_transcribe_again_says_what_deleted_segments_said_is_left_out(
    window: Any, idle: Any, speech_wav: Any, monkeypatch: Any
) -> None:
    """A segment a coder deleted came back with a new transcription, and the question did not
    say it would. Now its speech is left out (tests/test_transcribe_deleted_speech.py), and
    the question says so."""
    from PySide6.QtWidgets import QMessageBox

    window.transcription.import_files([speech_wav])
    idle(window)
    sid = window.project.sessions.all()[0].id
    window.transcription.start_transcription(sid)
    idle(window)
    window.project.transcript.delete_segment(window.project.transcript.segments(sid)[0].id)
    asked: list[str] = []

    def question(_parent: Any, title: str, text: str, *_a: Any, **_k: Any) -> Any:
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    window.transcription.start_transcription(sid)
    idle(window)
    assert "are replaced." in asked[-1]
    assert asked[-1].endswith(" What 1 deleted segment said is left out.")


def test_transcribing_a_transcribed_session_again_asks_first(
    window: Any, idle: Any, speech_wav: Any, monkeypatch: Any
) -> None:
    """Transcribe session (Ctrl+R) on a session with a transcript went ahead at once, minutes
    of work replacing what Whisper wrote; now it asks, and says what is kept. An unfinished
    transcription resumes without a question."""
    from PySide6.QtWidgets import QMessageBox

    window.transcription.import_files([speech_wav])
    idle(window)
    project = window.project
    sid = project.sessions.all()[0].id
    window.transcription.start_transcription(sid)
    idle(window)
    first_ids = {s.id for s in project.transcript.segments(sid)}
    assert len(first_ids) == 4
    asked: list[tuple[str, str]] = []
    answer = {"Transcribe again?": QMessageBox.StandardButton.No}

    def question(_parent: Any, title: str, text: str, *_a: Any, **_k: Any) -> Any:
        asked.append((title, text))
        return answer.get(title, QMessageBox.StandardButton.Yes)  # consent: go on

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    window.transcription.start_transcription(None)  # what Ctrl+R does on the open session
    idle(window)
    assert [t for t, _ in asked] == ["Transcribe again?"]
    assert "already has a transcript (4 segments)" in asked[0][1]
    assert "holding someone's work" not in asked[0][1]
    # a sentence of its own (recording walk: "Transcribe it again? the segments Whisper ...")
    assert "again? The segments Whisper wrote that nobody touched are replaced." in asked[0][1]
    assert {s.id for s in project.transcript.segments(sid)} == first_ids  # No: nothing ran
    assert "transcript is kept" in window.statusBar().currentMessage()

    # a hand edit: the question says it is kept; Yes transcribes again at once (no second
    # "replace?" question from the run)
    seg = project.transcript.segments(sid)[0]
    project.transcript.update_segment(seg.id, text="Good morning, thank you all for coming.")
    asked.clear()
    answer["Transcribe again?"] = QMessageBox.StandardButton.Yes
    window.transcription.start_transcription(None)
    idle(window)
    titles = [t for t, _ in asked]
    assert titles.count("Transcribe again?") == 1
    assert "1 segment holding someone's work (1 hand-edited" in asked[0][1]
    assert "is kept" in asked[0][1]
    assert "again? 1 segment holding" in asked[0][1]
    again = {s.id for s in project.transcript.segments(sid)}
    assert len(again) == 4 and again != first_ids  # transcribed again (the fake replaces all)

    # an unfinished transcription (cancelled half-way) resumes without a question
    project.transcription.begin_transcription(
        sid, model="fake", language=None, total_ms=3000, from_ms=0
    )
    project.transcription.end_transcription(sid, "cancelled")
    asked.clear()
    window.transcription.start_transcription(None)
    assert "Transcribe again?" not in [t for t, _ in asked]
    idle(window)


@pytest.mark.parametrize(
    ("entry", "said"),
    [
        ("Edit segment text", "Select the segment to edit"),
        ("Split segment at cursor", "Select the segment to split"),
        ("Insert timestamp", "Select the segment to put the time"),
        ("Change speaker…", "Select the segments whose speaker"),
    ],
)
def test_edit_entries_without_a_segment_say_what_to_select(
    window: Any, entry: str, said: str
) -> None:
    """With no segment selected these Edit entries did nothing at all."""
    action = next(a for a in window.chrome.menus["&Edit"].actions() if a.text() == entry)
    assert action.isEnabled()
    action.trigger()
    assert said in window.statusBar().currentMessage()


def test_a_cancelled_transcription_says_it_saves_what_is_being_transcribed(
    window: Any, qtbot: Any, idle: Any, speech_wav: Any
) -> None:
    """After Cancel the parts being decoded are still written (up to 10 s): the header and the
    status bar say "cancelling" meanwhile, not "transcribing 40 %, 12 s left" as if nothing
    had been pressed."""
    window.transcription.transcriber = make_fake_transcriber(delay_s=0.4)
    window.transcription.import_files([speech_wav])
    idle(window)
    sid = window.project.sessions.all()[0].id
    window.sessions.open_session(sid)
    window.transcription.start_transcription(sid)
    label = window.views.transcript_label
    qtbot.waitUntil(lambda: "transcribing" in label.text(), timeout=5000)
    window.act_cancel_transcription.trigger()
    assert "cancelling at" in label.text() and "transcribing" not in label.text()
    assert window.statusBar().currentMessage().startswith("Cancelling")
    idle(window)
    assert not window.transcription.running
