"""The demo project shows coding at work: once the recording is transcribed, each segment has its
turn's speaker (mapped to the participant) and the coder "example" has coded a few words and
segments (``gui.demo.add_demo_examples``). The walkthrough found a demo whose six codes all read
0, with no speakers: a newcomer could not see the margin, retrieval or the matrix do anything."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from gui.demo import EXAMPLE_CODER, add_demo_examples, open_or_create_demo
from storage import Project, SegmentDraft

#: what Whisper base wrote for resources/demo/focus_group_demo.mp3 (with its mishearings)
HEARD = [
    (0, 6000, "Good morning everyone, and thank you for coming to this focused group of "
     "online public services."),
    (6900, 13660, "I used the new government portal last month to renew my passport, and it "
     "was much faster than before."),
    (14800, 21220, "For me the problem is trust, I do not know who can see my personal data "
     "once I upload it."),
    (21860, 27440, "Then the religious internet and slow, so people still go to the service "
     "center and wait and line."),
    (28600, 34800, "Sometimes officials still ask for a small payment to speed things up, even "
     "when the service is online."),
    (35960, 36760, "Thank you."),
    (37160, 41940, "Let us talk about health services next, who has worked on our online."),
    (43000, 49600, "I worked on appointment for my mother through the health portal, and the "
     "reminder my text message was very helpful."),
]  # fmt: skip


def _demo(tmp_path: Path) -> tuple[Project, str]:
    project, created = open_or_create_demo("amina", folder=tmp_path / "Demo.fieldscribe")
    assert created
    return project, project.sessions.all()[0].id


def _write_heard(project: Project, sid: str) -> None:
    project.transcript.add_segments(sid, [SegmentDraft(a, b, text) for a, b, text in HEARD])


def test_examples_name_the_speakers_and_code_words_and_segments(tmp_path: Path) -> None:
    project, sid = _demo(tmp_path)
    _write_heard(project, sid)
    assert add_demo_examples(project, sid) == 9
    segments = project.transcript.segments(sid)
    assert [s.speaker for s in segments] == [
        "Moderator", "Aigerim", "Bakyt", "Chynara", "Daniyar", "Moderator", "Moderator", "Elmira",
    ]  # fmt: skip
    mapped = {s.label: s.participant_id for s in project.sessions.session_speakers(sid)}
    names = {p.id: p.pseudonym for p in project.sessions.participants()}
    assert {label: names[pid] for label, pid in mapped.items() if pid} == {
        n: n for n in ("Moderator", "Aigerim", "Bakyt", "Chynara", "Daniyar", "Elmira")
    }
    paths = {c.id: c.path for c in project.codebook.codes()}
    coded = sorted(
        (
            paths[c.code_id],
            segments.index(next(s for s in segments if s.id == c.segment_id)),
            None
            if c.start_cp is None
            else next(s.text for s in segments if s.id == c.segment_id)[c.start_cp : c.end_cp],
        )
        for c in project.codebook.codings(session_id=sid)
    )
    assert coded == sorted(
        [
            ("Positive experience", 1, "much faster"),
            ("Positive experience", 7, "very helpful"),
            ("Trust and privacy", 2, "trust"),
            ("Trust and privacy", 2, "personal data"),
            ("Access/Connectivity", 3, "internet"),
            ("Access/Service centres", 3, "service center"),
            ("Corruption", 4, None),
            ("Health services", 6, None),
            ("Health services", 7, None),
        ]
    )
    codings = project.codebook.codings(session_id=sid)
    assert {c.coder for c in codings} == {EXAMPLE_CODER}
    assert [c.memo for c in codings if c.memo] == [
        "Informal payments go on even for online services (an example memo)."
    ]
    assert add_demo_examples(project, sid) == 0  # once only
    project.close()


def test_examples_never_touch_the_users_work(tmp_path: Path) -> None:
    project, sid = _demo(tmp_path)
    _write_heard(project, sid)
    first = project.transcript.segments(sid)[0]
    project.transcript.update_segment(first.id, speaker="Айгерім")  # the user named a speaker
    assert add_demo_examples(project, sid) == 0
    assert project.codebook.codings() == []
    assert [s.speaker for s in project.transcript.segments(sid)][:2] == ["Айгерім", None]
    project.close()


def test_the_demo_opened_in_the_window_shows_the_examples(
    qtbot: Any, qsettings: Any, idle: Any
) -> None:
    from gui.main_window import MainWindow

    def transcribe(
        project: Project, session_id: str, *, cancel: threading.Event | None = None, **_: Any
    ) -> None:
        _write_heard(project, session_id)

    w = MainWindow(transcriber=transcribe, settings=qsettings)
    qtbot.addWidget(w)
    w.show()
    w.projects.open_demo()
    idle(w)
    assert w.project is not None
    qtbot.waitUntil(lambda: w.segment_model.rowCount() == len(HEARD), timeout=5000)
    qtbot.waitUntil(lambda: bool(w.segment_model.margin_codes(4)), timeout=5000)
    assert len(w.project.codebook.codings()) == 9
    # the Codebook's counts follow (they read 0 after the examples were written)
    corruption = w.project.codebook.find_code("Corruption")
    assert corruption is not None
    qtbot.waitUntil(lambda: w.codebook.model.frequency(corruption.id) == 1, timeout=5000)
    w.close()
