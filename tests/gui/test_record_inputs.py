"""The recording panel's input list follows the inputs as they come and go: an unplugged one
leaves it (the selected one replaced by the default, said; a recording from it stopped, its
audio kept), a newly plugged one appears. Qt 6.12 on PulseAudio never reports a removed input
(``gui.input_list``), so these run on the PulseAudio virtual microphone, and the rule itself on
lists made up here."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gui.input_list import Input, follow
from storage import Project
from tests.audio_fixtures import PulseMic, espeak_wav
from tests.gui.test_record_panel import project, settings_home  # noqa: F401 - fixtures

USB = "fs_usb_mic"

inputs = st.lists(
    st.builds(Input, st.sampled_from("abcdef"), st.just("mic"), st.booleans()),
    unique_by=lambda i: i.ident,
)


@given(inputs, st.sampled_from([None, *"abcdefg"]), inputs)
def test_follow_keeps_a_selection_still_there_else_takes_the_default(
    before: list[Input], selected: str | None, now: list[Input]
) -> None:
    followed = follow(before, selected, now)
    ids = [i.ident for i in now]
    defaults = [i.ident for i in now if i.is_default]
    candidates = ([selected] if selected in ids else []) + defaults + ids
    expected = candidates[0] if candidates else None
    assert followed.selected == expected
    lost = [i for i in before if i.ident == selected and selected not in ids]
    assert followed.lost == (lost[0] if lost else None)


def _items(panel) -> list[str]:  # type: ignore[no-untyped-def]
    combo = panel.device_combo
    return [combo.itemData(i) for i in range(combo.count())]


def test_a_selected_input_that_goes_away_gives_way_to_the_default_and_says_so(  # type: ignore[no-untyped-def]
    settings_home: Path,  # noqa: F811
    project: Project,  # noqa: F811
    qtbot,
) -> None:
    """Driven with made-up lists: no sound server needed."""
    from gui.record_panel import RecordPanel

    panel = RecordPanel(project)
    qtbot.addWidget(panel)
    listed = [Input("builtin", "Built-in microphone", True), Input("usb", "USB headset")]
    panel.inputs.listing = lambda: list(listed)  # type: ignore[method-assign]
    panel.refresh_devices()
    assert _items(panel) == ["builtin", "usb"]
    assert panel.select_device("usb")
    messages: list[str] = []
    panel.message.connect(messages.append)
    listed.append(Input("zoom", "Zoom H1n"))  # plugged in: listed, the selection kept
    panel.refresh_devices()
    assert _items(panel) == ["builtin", "usb", "zoom"] and panel.device_combo.currentData() == "usb"
    assert messages == []
    del listed[1]  # the headset unplugged while idle
    panel.refresh_devices()
    assert _items(panel) == ["builtin", "zoom"]
    assert panel.device_combo.currentData() == "builtin"
    said = (
        "The input “USB headset” was unplugged or disabled; recording uses “Built-in microphone”."
    )
    assert panel.status_label.text() == said and messages == [said]
    listed.clear()
    panel.refresh_devices()
    assert _items(panel) == [""] and not panel.record_button.isEnabled()
    assert panel.status_label.text() == (
        "The input “Built-in microphone” was unplugged or disabled; no other input is found: "
        "plug one in."
    )


@pytest.fixture
def usb_mic(pulse_mic: PulseMic) -> Iterator[str]:
    """A second virtual microphone, plugged in for the test (unplugged after it)."""
    module = pulse_mic.pactl(
        "load-module",
        "module-remap-source",
        f"master={pulse_mic.sink}.monitor",
        f"source_name={USB}",
        "source_properties=device.description=USB-microphone",
        "channels=1",
    ).strip()
    try:
        yield module
    finally:
        with contextlib.suppress(RuntimeError):
            pulse_mic.pactl("unload-module", module)


@pytest.mark.audio
def test_the_list_follows_the_virtual_microphones_plugged_and_unplugged(  # type: ignore[no-untyped-def]
    pulse_mic: PulseMic,
    settings_home: Path,  # noqa: F811
    project: Project,  # noqa: F811
    qtbot,
) -> None:
    from gui.record_panel import RecordPanel

    panel = RecordPanel(project)
    qtbot.addWidget(panel)
    assert "fs_mic" in _items(panel) and USB not in _items(panel)
    module = pulse_mic.pactl(
        "load-module",
        "module-remap-source",
        f"master={pulse_mic.sink}.monitor",
        f"source_name={USB}",
        "source_properties=device.description=USB-microphone",
        "channels=1",
    ).strip()
    try:
        qtbot.waitUntil(lambda: USB in _items(panel), timeout=10000)
        assert panel.select_device(USB)
        pulse_mic.pactl("unload-module", module)  # "unplugged"
        qtbot.waitUntil(lambda: USB not in _items(panel), timeout=10000)
    finally:
        with contextlib.suppress(RuntimeError):
            pulse_mic.pactl("unload-module", module)
    assert panel.device_combo.currentData() == "fs_mic" and panel.record_button.isEnabled()
    assert panel.status_label.text().startswith("The input “USB-microphone” was unplugged")


@pytest.mark.audio
@pytest.mark.slow
def test_unplugging_the_input_being_recorded_stops_keeps_the_audio_and_leaves_the_list(  # type: ignore[no-untyped-def]
    pulse_mic: PulseMic,
    settings_home: Path,  # noqa: F811
    project: Project,  # noqa: F811
    qtbot,
    tmp_path: Path,
    usb_mic: str,
) -> None:
    from gui.record_panel import RecordPanel

    speech = espeak_wav(tmp_path / "s.wav", "Tell me how you book an appointment online.")
    panel = RecordPanel(project)
    panel.ask_details = False
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: USB in _items(panel), timeout=10000)
    assert panel.select_device(USB)
    assert panel.start_recording()
    pulse_mic.play(speech)
    try:
        qtbot.waitUntil(lambda: panel.recorder.position_ms > 1000, timeout=15000)
        with qtbot.waitSignal(panel.recording_finished, timeout=30000):
            pulse_mic.pactl("unload-module", usb_mic)
    finally:
        pulse_mic.stop_players()
    text = panel.status_label.text()
    assert "was lost" in text and "recorded so far are kept" in text and "Saved" in text, text
    assert [s.status for s in project.sessions.all()] == ["recorded"]
    assert project.sessions.all()[0].duration_ms > 1000
    qtbot.waitUntil(lambda: USB not in _items(panel))  # the list polls pactl each second
    assert panel.device_combo.currentData() == "fs_mic" and panel.record_button.isEnabled()
    qtbot.waitUntil(lambda: panel.recorder is None)  # saved
    qtbot.wait(1500)  # the list's next look: what was said (lost, kept, saved) stays
    assert panel.status_label.text() == text


def test_pactl_is_asked_only_while_the_panel_is_on_screen(  # type: ignore[no-untyped-def]
    settings_home: Path,  # noqa: F811
    project: Project,  # noqa: F811
    qtbot,
) -> None:
    """The list's pactl poll (a process a second) stops when the Record panel is hidden and
    starts again when it shows; Qt's own signal is followed meanwhile."""
    from gui.record_panel import RecordPanel

    panel = RecordPanel(project)
    qtbot.addWidget(panel)
    panel.inputs._pulse = set()  # as where pactl answers
    panel.show()
    assert panel.inputs._timer.isActive()
    panel.hide()
    assert not panel.inputs._timer.isActive()
    panel.show()
    assert panel.inputs._timer.isActive()
