"""Session details: a participant's Attributes cell refuses text that is not key=value."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gui.session_panel import (
    AttributeSyntaxError,
    SessionPanel,
    format_attributes,
    parse_attributes,
)
from gui.tasks import TaskRunner
from storage import Project

_key = st.text(st.characters(blacklist_characters="=;\n\r"), min_size=1, max_size=8).filter(
    lambda k: k.strip() == k and k != ""
)
_value = st.text(st.characters(blacklist_characters=";\n\r"), max_size=8).map(str.strip)


@given(st.dictionaries(_key, _value, max_size=4))
def test_format_then_parse_gives_the_attributes_back(attrs: dict[str, str]) -> None:
    assert parse_attributes(format_attributes(attrs)) == attrs


@given(st.text(max_size=30))
def test_parse_refuses_or_keeps_every_part(text: str) -> None:
    """Never a silent drop: either every non-blank part is key=value, or it raises."""
    parts = [p for p in text.replace("\n", ";").split(";") if p.strip()]
    try:
        result = parse_attributes(text)
    except AttributeSyntaxError as exc:
        assert "key=value; key=value" in str(exc) and "\n" not in str(exc)
        assert any("=" not in p or not p.split("=", 1)[0].strip() for p in parts)
        return
    assert all("=" in p and p.split("=", 1)[0].strip() for p in parts)
    assert set(result) == {p.split("=", 1)[0].strip() for p in parts}


def _panel(qtbot: Any, project: Project) -> tuple[SessionPanel, TaskRunner]:
    runner = TaskRunner()
    panel = SessionPanel(project, runner)
    runner.setParent(panel)  # one lifetime: no runner is collected while its threads run
    session = project.sessions.add_session("FG", kind="focus_group")
    panel.show_session(session)
    qtbot.waitUntil(lambda: panel.participants.rowCount() == 1)
    return panel, runner


def _settle(qtbot: Any, runner: TaskRunner) -> None:
    qtbot.waitUntil(lambda: not runner.busy(), timeout=10000)
    qtbot.wait(20)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.sampled_from(
            [
                "age group 50-59, gender m",  # the walkthrough's text: no '='
                "age group=50-59; gender=m",
                "region=north",
                "=x",
                "role=farmer; oops",
                "",
            ]
        ),
        min_size=1,
        max_size=5,
    )
)
def test_cell_edits_follow_a_simple_model(
    qtbot: Any, tmp_path_factory: Any, texts: list[str]
) -> None:
    """Each typed text either replaces the attributes (an empty cell clears them) or is
    refused with a one-line message, the old values kept in the project and in the cell."""
    project = Project.create(
        tmp_path_factory.mktemp("p") / "p.fieldscribe", name="p", coder="coder-a"
    )
    try:
        person = project.sessions.add_participant("Aigerim", {"age group": "30-39"})
        panel, runner = _panel(qtbot, project)
        model = {"age group": "30-39"}
        for text in texts:
            if text == panel.participants.item(0, 1).text():
                continue  # typing what the cell shows changes nothing
            panel.participants.item(0, 1).setText(text)
            _settle(qtbot, runner)
            try:
                model = parse_attributes(text)
                refused = False
            except AttributeSyntaxError:
                refused = True
            [now] = [p for p in project.sessions.participants() if p.id == person.id]
            assert now.attributes == model
            assert panel.participants.item(0, 1).text() == (
                format_attributes(model) if refused else text
            )
            assert panel.attributes_notice.isVisibleTo(panel) == refused
            if refused:
                assert "key=value; key=value" in panel.attributes_notice.text()
        _settle(qtbot, runner)
        panel.close()
        panel.deleteLater()
        qtbot.wait(10)
    finally:
        project.close()


def _in_dock(qtbot, panel):  # type: ignore[no-untyped-def]
    """``panel`` in a scroll area 258 px wide, as the Session details dock holds it, shown."""
    from PySide6.QtWidgets import QFrame, QScrollArea

    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(panel)
    qtbot.addWidget(scroll)
    scroll.resize(258, 620)
    scroll.show()
    qtbot.waitExposed(scroll)
    qtbot.wait(20)
    return scroll


def test_details_fit_a_laptop_dock_without_scrolling_sideways(qtbot: Any, project: Project) -> None:
    """At 1024x700 the Session details dock is 260 px wide: the form fits it, "Save session
    details" whole (the Participants hint on one line made it 400 px and scroll sideways)."""
    from PySide6.QtWidgets import QPushButton

    runner = TaskRunner()
    panel = SessionPanel(project, runner)
    runner.setParent(panel)
    panel.show_session(project.sessions.add_session("Фокус-группа Алматы", kind="focus_group"))
    scroll = _in_dock(qtbot, panel)
    assert panel.minimumSizeHint().width() <= 250
    assert not scroll.horizontalScrollBar().isVisible()
    save = next(b for b in panel.findChildren(QPushButton) if b.text() == "Save session details")
    right = save.mapTo(scroll.viewport(), save.rect().topRight()).x()
    assert right < scroll.viewport().width()
    assert save.width() >= save.minimumSizeHint().width()
    _settle(qtbot, runner)


def test_save_session_details_says_it_saved(window: Any, idle: Any) -> None:
    """Save session details gave no sign at all (a saved place or note shows nowhere)."""
    sid = window.project.sessions.add_session("Интервью 1").id
    window.sessions.reload_sessions()
    window.sessions.open_segment_session(sid)
    idle(window)
    window.docks.session_panel_dock.raise_()
    panel = window.session_panel
    assert panel is not None and panel.session is not None and panel.session.id == sid
    panel.place.setText("Алматы, ЦОН")
    panel.save()
    idle(window)
    assert window.project.sessions.get_session(sid).place == "Алматы, ЦОН"
    assert "Saved the details of “Интервью 1”" in window.statusBar().currentMessage()


def test_a_long_title_reads_from_its_start_in_the_dock(qtbot: Any, project: Project) -> None:
    """The demo's title in the 260 px Session details dock showed its end, "oup: online public
    services": the text was set with the cursor at its end, and the field scrolled to it."""

    runner = TaskRunner()
    panel = SessionPanel(project, runner)
    runner.setParent(panel)
    title = "Focus group: online public services, Almaty community centre"
    session = project.sessions.add_session(title, kind="focus_group")
    project.sessions.update_session(session.id, place="Community centre, Medeu district, Almaty")
    panel.show_session(project.sessions.get_session(session.id))
    _held = _in_dock(qtbot, panel)  # the scroll area is gone with the last reference
    for field in (panel.title, panel.place):
        assert field.fontMetrics().horizontalAdvance(field.text()) > field.width()  # cut
        field.grab()  # painted: the field scrolled to show its cursor
        assert field.cursorRect().left() < field.width() // 4, (field.text(), field.cursorRect())
    _settle(qtbot, runner)
