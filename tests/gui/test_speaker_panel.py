"""The speaker panel: list, rename, merge, map to participant, timeline spans."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gui.speaker_panel import SpeakerPanel, speaker_colour
from storage import Project, SegmentDraft


@pytest.fixture
def session(project: Project) -> str:
    s = project.sessions.add_session("FG", kind="focus_group")
    project.transcript.add_segments(
        s.id,
        [
            SegmentDraft(0, 2000, "Welcome.", speaker="Speaker 1"),
            SegmentDraft(2000, 3000, "Hi.", speaker="Speaker 2"),
            SegmentDraft(3000, 6000, "Thanks for coming.", speaker="Speaker 1"),
            SegmentDraft(6000, 8000, "Yes.", speaker="Speaker 3"),
            SegmentDraft(8000, 9000, "(noise)"),
        ],
    )
    return s.id


def test_lists_speakers_and_paints_spans(qtbot, project: Project, session: str) -> None:
    panel = SpeakerPanel(project)
    qtbot.addWidget(panel)
    assert panel.labels() == []
    panel.set_session(session)
    assert panel.labels() == ["Speaker 1", "Speaker 2", "Speaker 3"]
    assert panel.table.item(0, 1).text() == "0:05"  # 5 s of talk
    assert "1 segment without speaker" in panel.status.text()  # not "1 segments"
    panel.resize(500, 300)
    panel.show()
    qtbot.waitExposed(panel)
    rects = panel.timeline.span_rects()
    assert [label for _r, label in rects] == ["Speaker 1", "Speaker 2", "Speaker 1", "Speaker 3"]
    first, second = rects[0][0], rects[1][0]
    assert first.right() == pytest.approx(second.left(), abs=1)
    assert second.top() > first.top()  # one lane per speaker
    panel.timeline.grab()  # paints without error


def test_talk_time_is_the_segments_not_the_timeline(qtbot, project: Project, session: str) -> None:
    """With detection's timeline stored, the dock's Talk column said the turns (Speaker 1:
    0:07 here) while its segments hold 5 s, as analyze matrix counts them."""
    project.speakers.turns.save(
        session,
        [(0, 4000, "Speaker 1"), (2000, 3000, "Speaker 2"), (3000, 6000, "Speaker 1"),
         (6000, 8000, "Speaker 3")],
    )  # fmt: skip
    panel = SpeakerPanel(project, session)
    qtbot.addWidget(panel)
    talk = {panel.table.item(r, 0).text(): panel.table.item(r, 1).text() for r in range(3)}
    assert talk == {"Speaker 1": "0:05", "Speaker 2": "0:01", "Speaker 3": "0:02"}


def test_participant_without_participants_says_where_to_add_them(
    qtbot, project: Project, session: str
) -> None:
    """Participant… in a project without participants offered "(no participant)" alone: a
    dead end. It says where participants are added instead (and opens no dialog: an
    unanswered one fails the test)."""
    panel = SpeakerPanel(project, session)
    qtbot.addWidget(panel)
    panel.select_label("Speaker 1")
    panel.map_button.click()
    assert "Session details" in panel.status.text() and "Speaker 1" in panel.status.text()


def test_rename_merge_map(qtbot, project: Project, session: str) -> None:
    panel = SpeakerPanel(project, session)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.speakersChanged):
        assert panel.rename("Speaker 2", "Amina")
    assert panel.labels() == ["Speaker 1", "Amina", "Speaker 3"]
    assert not panel.rename("Speaker 3", "Amina")  # exists: refused, reason shown
    assert "merge" in panel.status.text()
    assert panel.merge("Speaker 3", "Amina")
    assert panel.labels() == ["Speaker 1", "Amina"]
    participant = project.sessions.add_participant("P-07")
    assert panel.map_to_participant("Amina", participant.id)
    assert panel.table.item(1, 3).text() == "P-07"
    # the merge corrected who spoke in one segment; the rename only named a speaker
    assert project.speakers.speaker_edited_count(session) == 1
    ids = [s.id for s in project.transcript.segments(session)]
    assert panel.reassign(ids[-1:], "Amina")
    assert panel.table.item(1, 2).text() == "3"  # Amina now has three segments
    assert "without speaker" not in panel.status.text()
    panel.select_label("Amina")
    assert panel.selected_labels() == ["Amina"] and panel.merge_button.isEnabled()


def test_the_strip_draws_the_stored_timeline(qtbot, project: Project, session: str) -> None:
    # the detection's timeline: pauses left out, speech no segment holds (9.2-9.8 s) drawn
    turns = [(100, 1800, "Speaker 1"), (2100, 2900, "Speaker 2"), (3200, 5600, "Speaker 1"),
             (6000, 7500, "Speaker 3"), (9200, 9800, "Speaker 2")]  # fmt: skip
    project.speakers.turns.save(session, turns)
    panel = SpeakerPanel(project, session)
    qtbot.addWidget(panel)
    panel.resize(500, 300)
    panel.show()
    qtbot.waitExposed(panel)
    rects = panel.timeline.span_rects()
    assert [label for _r, label in rects] == [t[2] for t in turns]
    width = panel.timeline.width() - 2
    duration = 9800  # the last turn ends after the session's (unknown) duration
    first = rects[0][0]
    assert first.left() == pytest.approx(1 + width * 100 / duration, abs=0.5)
    assert first.width() == pytest.approx(width * 1700 / duration, abs=0.5)
    assert panel.table.item(1, 1).text() == "0:01"  # Speaker 2: 0.8 + 0.6 s of talk
    # a hand correction shows at once: the segment 8-9 s gets a turn of its own
    ids = [s.id for s in project.transcript.segments(session)]
    assert panel.reassign(ids[-1:], "Speaker 3")
    assert [label for _r, label in panel.timeline.span_rects()][-2:] == ["Speaker 3", "Speaker 2"]
    image = panel.timeline.grab().toImage()
    x = int(rects[-1][0].center().x())
    lane = panel.timeline.lane_of("Speaker 2")
    y = 2 + lane * panel.timeline.LANE + panel.timeline.LANE // 2
    assert image.pixelColor(x, y) == speaker_colour(lane)  # the turn without segment is painted


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    width=st.integers(230, 700),
    pseudonym=st.text(st.characters(min_codepoint=65, max_codepoint=122), min_size=1, max_size=40),
)
def test_all_four_columns_fit_a_narrow_dock(
    qtbot, project: Project, session: str, width: int, pseudonym: str
) -> None:
    """The walkthrough's dock is 300 px wide at 1366x768 (272 at 1024x700): Speaker, Talk,
    Segments and Participant are all visible, without a horizontal scroll."""
    panel = SpeakerPanel(project, session)
    qtbot.addWidget(panel)
    people = {p.pseudonym: p for p in project.sessions.participants()}
    person = people.get(pseudonym) or project.sessions.add_participant(pseudonym)
    panel.map_to_participant("Speaker 1", person.id)
    panel.resize(width, 400)
    panel.show()
    qtbot.waitExposed(panel)
    table = panel.table
    viewport = table.viewport().width()
    widths = [table.columnWidth(c) for c in range(table.columnCount())]
    assert sum(widths) <= viewport + 1, (widths, viewport)
    assert min(widths) >= 30, widths
    assert widths[0] >= min(80, viewport // 3)  # the speaker's name keeps room
    assert table.horizontalHeader().sectionViewportPosition(3) + widths[3] <= viewport + 1
    panel.close()


def test_no_blank_strip_over_the_table_without_speakers(
    qtbot, project: Project, session: str
) -> None:
    """With no session open, or a session whose segments have no speaker yet, the dock began
    with an empty 14 px strip (the timeline with nothing to draw): a blank line over the
    table. The table is at the top then; the strip shows when there are turns to draw."""
    from tests.gui.test_dock_fit import DOCK_PX

    bare = project.sessions.add_session("Not yet told apart", kind="interview")
    project.transcript.add_segments(bare.id, [SegmentDraft(0, 2000, "Hello.")])
    panel = SpeakerPanel(project)
    qtbot.addWidget(panel)
    panel.resize(DOCK_PX, 450)
    panel.show()
    qtbot.waitExposed(panel)
    top = panel.layout().contentsMargins().top()
    for sid in (None, bare.id):
        panel.set_session(sid)
        qtbot.wait(20)
        assert not panel.timeline.isVisible(), sid
        assert panel.table.geometry().top() == top, (sid, panel.table.geometry())
    panel.set_session(session)
    qtbot.wait(20)
    assert panel.timeline.isVisible()
    assert panel.timeline.geometry().top() == top
    assert panel.table.geometry().top() >= panel.timeline.geometry().bottom()


def test_merging_speakers_linked_to_two_participants_is_refused_with_the_reason(
    qtbot, project: Project, session: str
) -> None:
    panel = SpeakerPanel(project, session)
    qtbot.addWidget(panel)
    first, second = (
        project.sessions.add_participant("P-01"),
        project.sessions.add_participant("P-03"),
    )
    assert panel.map_to_participant("Speaker 2", first.id)
    assert panel.map_to_participant("Speaker 3", second.id)
    assert not panel.merge("Speaker 3", "Speaker 2")
    assert "'P-03'" in panel.status.text() and "nothing was changed" in panel.status.text()
    assert panel.labels() == ["Speaker 1", "Speaker 2", "Speaker 3"]
