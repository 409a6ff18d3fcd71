"""The control table's rows for the Analysis window, Settings, Project settings, the Record
dock and the team dialogs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gui.menu_keys import readable
from tests.gui.every_control import (
    YES,
    Harness,
    control,
    trigger,
    written,
)


# ---------------------------------------------------------------------- Analysis window
def _analysis_tab(h: Harness, attr: str) -> tuple[Any, Any]:
    trigger(h, "View ▸ Analysis…")
    window = h.window_of("AnalysisWindow")
    tab = getattr(window, attr)
    window.tabs.setCurrentWidget(tab)  # type: ignore[attr-defined]
    h.wait()
    return window, tab


_TABS = {
    "MatrixTab": "matrix",
    "CooccurrenceTab": "cooccurrence",
    "TimelineTab": "timeline",
    "FrequenciesTab": "frequencies",
}


def _analysis_export(h: Harness) -> None:
    cls, what = h.current.split(" ▸ ")[1], h.current.split(" ▸ ")[-1]
    window, _tab = _analysis_tab(h, _TABS[cls])
    if what == "Export":  # the button: its menu of exports
        trigger(h, h.current)
        assert h.dialogs and [readable(a.text()) for a in h.dialogs[-1].actions()] == [
            "Chart (PNG, SVG)…",
            "Table (xlsx, csv)…",
        ]
        return
    chart = what.startswith("Chart")
    path = h.saving_to(f"{cls}.{'png' if chart else 'csv'}")
    trigger(h, h.current)
    h.qtbot.waitUntil(path.is_file)
    h.wait()
    if chart:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        text = path.read_text(encoding="utf-8-sig")
        assert len(text.strip().splitlines()) >= 2, text
    assert window.status.text().startswith("Wrote")  # type: ignore[attr-defined]


for _cls in _TABS:
    control(f"Analysis ▸ {_cls} ▸ Export", effect="its menu: chart or table")(_analysis_export)
    control(
        f"Analysis ▸ {_cls} ▸ Export ▸ Chart (PNG, SVG)…",
        effect="asks a file; writes the tab's chart as a picture",
    )(_analysis_export)
    control(
        f"Analysis ▸ {_cls} ▸ Export ▸ Table (xlsx, csv)…",
        effect="asks a file; writes the tab's table",
    )(_analysis_export)


@control(
    "Analysis ▸ FrequenciesTab ▸ Export lines…",
    effect="asks a file; writes the keyword-in-context lines of the word typed",
)
def _kwic(h: Harness) -> None:
    _window, tab = _analysis_tab(h, "frequencies")
    tab.what.setCurrentIndex(tab.what.findData("words"))
    tab.kwic_word.setText("portal")
    tab.kwic_word.returnPressed.emit()
    h.wait()
    h.qtbot.waitUntil(lambda: len(tab.kwic.lines) == 2)
    path = h.saving_to("kwic.csv")
    h.box_answer = YES  # the lines quote participants: consent is asked, as for a transcript
    trigger(h, h.current)
    h.qtbot.waitUntil(path.is_file)
    h.wait()
    assert path.read_text(encoding="utf-8-sig").count("portal") >= 2


@control("Analysis ▸ FilterBar ▸ All sessions", effect="its menu: the sessions to count, ticked")
def _sessions_filter(h: Harness) -> None:
    _analysis_tab(h, "matrix")
    trigger(h, h.current)
    assert h.dialogs and [readable(a.text()) for a in h.dialogs[-1].actions()] == [
        "Focus group: online public services"
    ]


@control(
    "Analysis ▸ FilterBar ▸ All sessions ▸ Focus group: online public services",
    effect="ticked: the tabs count that session only (the button says how many)",
)
def _session_ticked(h: Harness) -> None:
    window, _tab = _analysis_tab(h, "matrix")
    trigger(h, h.current)
    bar = window.filter_bar  # type: ignore[attr-defined]
    assert bar.filters().sessions == (h.sid,) and bar.sessions_button.text() == "1 session"


# ---------------------------------------------------------------------- Settings
def in_settings(h: Harness, body: Callable[[Any], Any], ok: bool = False) -> None:
    """File ▸ Settings…; ``body(dialog)`` while it is open (its models checked)."""
    ran: list[bool] = []

    def answer(d: Any) -> int:
        h.qtbot.waitUntil(lambda: not d.models.busy())
        h.dialogs.append(d)
        body(d)
        ran.append(True)
        return 1 if ok else 0

    h.dialog_answers["SettingsDialog"] = answer
    trigger(h, "File ▸ Settings…")
    assert ran


def _select_model(h: Harness, page: Any, name: str) -> None:
    page.select(name)
    h.wait()
    assert page.selected() is not None and page.selected().name == name


@control(
    "FieldScribe settings ▸ ModelsPage ▸ Install…",
    effect="offers the models to download, each with its size (small first)",
)
def _install(h: Harness) -> None:
    in_settings(h, lambda _d: trigger(h, h.current))
    assert h.inputs[-1][1] == "Install a Whisper model"
    assert "small (about 486 MB)" in h.inputs[-1][2]  # each with its download size


@control("FieldScribe settings ▸ ModelsPage ▸ Import…", effect="its menu: a folder or an archive")
def _import_menu(h: Harness) -> None:
    in_settings(h, lambda _d: trigger(h, h.current))
    assert [readable(a.text()) for a in h.dialogs[-1].actions()] == [
        "From a folder…",
        "From an archive (.zip, .tar.gz)…",
    ]


def _import_model(h: Harness) -> None:
    empty = h.tmp / "not a model"
    empty.mkdir()
    (h.tmp / "bad.zip").write_bytes(b"not a zip")
    said: list[str] = []

    h.input_answer = lambda _t, _i: "mymodel"  # the name asked for a folder's odd name

    def body(d: Any) -> None:
        h.file_answer = lambda _c, _f: str(empty if "folder" in _c else h.tmp / "bad.zip")
        trigger(h, h.current)
        h.qtbot.waitUntil(lambda: not d.models.busy())
        said.append(d.models.status.text())

    in_settings(h, body)
    assert h.files and said[0], "nothing said"
    assert ("not a model" in said[0] or "bad.zip" in said[0]) and "#b00020" in (
        h.dialogs[-1].models.status.styleSheet()  # type: ignore[attr-defined]
    ), said


control(
    "FieldScribe settings ▸ ModelsPage ▸ Import… ▸ From a folder…",
    effect="asks a folder; imports the model there (one that is not: says so, in red)",
)(_import_model)
control(
    "FieldScribe settings ▸ ModelsPage ▸ Import… ▸ From an archive (.zip, .tar.gz)…",
    effect="asks an archive; imports the model in it (a bad file: says so, in red)",
)(_import_model)


@control("FieldScribe settings ▸ ModelsPage ▸ Remove", effect="asks; Yes deletes the model")
def _remove_model(h: Harness) -> None:
    from transcribe import model_store
    from transcribe.models import bundled_model_path

    tiny = bundled_model_path()
    assert tiny is not None
    source = h.tmp / "usb" / "kk"
    source.mkdir(parents=True)
    for f in tiny.iterdir():
        (source / f.name).write_bytes(f.read_bytes())
    info = model_store.import_model(source, load_check=False)
    assert info.path is not None and info.path.is_dir()
    h.box_answer = YES

    def body(d: Any) -> None:
        _select_model(h, d.models, "kk")
        trigger(h, h.current)
        h.qtbot.waitUntil(lambda: not d.models.busy())

    in_settings(h, body)
    assert h.boxes[-1][1] == "Remove model" and not info.path.exists()


@control(
    "FieldScribe settings ▸ ModelsPage ▸ Verify",
    effect="reads the model's files again and says they match their checksums",
)
def _verify(h: Harness) -> None:
    said: list[str] = []

    def body(d: Any) -> None:
        page = d.models
        name = next(i.name for i in page.table.rows if i.source.startswith("bundled") or True)
        _select_model(h, page, name)
        trigger(h, h.current)
        h.qtbot.waitUntil(lambda: not page.busy())
        said.append(page.status.text())

    in_settings(h, body)
    assert "every file matches the checksum" in said[0], said


@control(
    "FieldScribe settings ▸ ModelsPage ▸ Measure speed",
    "FieldScribe settings ▸ ModelsPage ▸ Cancel",
    effect="transcribes a test recording and says how fast (Cancel, shown meanwhile, stops it)",
)
def _measure(h: Harness) -> None:
    said: list[str] = []

    def body(d: Any) -> None:
        page = d.models
        _select_model(h, page, page.table.rows[0].name)
        trigger(h, "FieldScribe settings ▸ ModelsPage ▸ Measure speed")
        if h.current.endswith("Cancel"):
            h.qtbot.waitUntil(lambda: not page.cancel_button.isHidden())
            trigger(h, h.current)
        h.qtbot.waitUntil(lambda: not page.busy(), timeout=120_000)
        said.append(page.status.text())

    in_settings(h, body)
    if h.current.endswith("Cancel"):
        assert said == ["Speed measurement stopped."]
    else:
        assert "×" in said[0] or "real time" in said[0], said


@control("FieldScribe settings ▸ OK", effect="the settings typed are kept")
def _settings_ok(h: Harness) -> None:
    def body(d: Any) -> None:
        d.coder.setText("Aigerim")
        trigger(h, h.current)

    in_settings(h, body)
    assert h.window.settings.coder == "Aigerim"


@control("FieldScribe settings ▸ Cancel", effect="the settings typed are dropped")
def _settings_cancel(h: Harness) -> None:
    def body(d: Any) -> None:
        d.coder.setText("Aigerim")
        trigger(h, h.current)
        assert d.result() == 0 and not d.isVisible()

    in_settings(h, body)
    assert h.window.settings.coder == "amina"


def _project_settings_button(h: Harness) -> None:
    def answer(d: Any) -> int:
        h.dialogs.append(d)
        d.field.edit.setText("kk, ru")
        trigger(h, h.current)
        return int(d.result())

    h.dialog_answers["LanguagesDialog"] = answer
    trigger(h, "File ▸ Project settings (languages, model)…")
    ok = h.current.endswith("OK")
    assert h.project.languages == (["kk", "ru"] if ok else [])


control("Project settings ▸ OK", effect="the languages typed are kept in the project")(
    _project_settings_button
)
control("Project settings ▸ Cancel", effect="nothing changes")(_project_settings_button)


# ---------------------------------------------------------------------- Record dock
def _recording(h: Harness, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The Record dock with a microphone that has sent 0.7 s of audio, recording."""
    from PySide6.QtCore import QByteArray
    from PySide6.QtMultimedia import QAudioDevice

    from gui.record_panel import RecordPanel
    from gui.recording_engine import Recorder
    from storage.recordings.recording import ActiveRecording

    class Mic:
        pending = b"\0\0" * (16000 * 7 // 10)

        def readAll(self) -> QByteArray:  # Qt's name
            data, self.pending = self.pending, b""
            return QByteArray(data)

    def start(self: Recorder) -> ActiveRecording:
        self.recording = ActiveRecording(
            self.folder, sample_rate=16000, channels=1, sample_width=2, device="test",
            guide=self.guide,
        )  # fmt: skip
        self._io = Mic()  # type: ignore[assignment]
        self.state_changed.emit("recording")
        return self.recording

    monkeypatch.setattr(Recorder, "start", start)
    monkeypatch.setattr(RecordPanel, "_current_device", lambda _self: QAudioDevice())
    trigger(h, "Record ▸ Record a session…")
    panel = h.dock("Record")
    panel.ask_details = False  # type: ignore[attr-defined]
    panel.device_combo.addItem("Test microphone", "test")  # type: ignore[attr-defined]
    panel.device_combo.setCurrentIndex(panel.device_combo.count() - 1)  # type: ignore[attr-defined]
    panel.guide_edit.setPlainText("How do you book?\nAnd then?")  # type: ignore[attr-defined]
    panel._update_buttons()  # type: ignore[attr-defined]
    if not h.current.endswith(("● Record", "Load guide…")):
        trigger(h, "Record ▸ _UpAndDown ▸ ● Record")
        panel.recorder._can_mark()  # type: ignore[attr-defined]  # the audio sent is read
        h.wait()
    return panel


def _record_check(h: Harness) -> None:
    panel = _recording(h, h.monkeypatch)
    what = h.current.split(" ▸ ")[-1]
    if what == "Load guide…":
        guide = h.tmp / "guide.txt"
        guide.write_text("Как вы записываетесь к врачу?\nЧто потом?\n", encoding="utf-8")
        h.file_answer = lambda _c, _f: str(guide)
        trigger(h, h.current)
        assert "Как вы записываетесь к врачу?" in panel.guide_edit.toPlainText()
        return
    if what == "● Record":
        trigger(h, h.current)
        assert panel.is_recording and panel.recorder.recording is not None
    elif what == "Marker (M)":
        panel.note_edit.setText("Aigerim arrives")
        trigger(h, h.current)
        assert [m.note for m in panel.recorder.recording.markers] == ["Aigerim arrives"]
    elif what == "Next question (N)":
        trigger(h, h.current)
        assert panel.question_label.text() == "Q1: How do you book?"
    elif what == "Pause":
        trigger(h, h.current)
        assert panel.recorder.is_paused and panel.pause_button.text() == "Resume"
    elif what == "■ Stop":
        trigger(h, h.current)
        h.qtbot.waitUntil(lambda: len(h.project.sessions.all()) == 2)
        h.qtbot.waitUntil(lambda: not panel.is_recording and panel.recorder is None)
        return
    if panel.recorder is not None and panel.is_recording:
        panel.stop_recording()
        h.qtbot.waitUntil(lambda: panel.recorder is None)


for _what, _effect in (
    ("_UpAndDown ▸ ● Record", "recording starts from the chosen microphone (greyed out: none)"),
    ("_UpAndDown ▸ Pause", "the recording pauses; the button says Resume"),
    ("_UpAndDown ▸ ■ Stop", "the recording stops and is saved as a new session"),
    ("_UpAndDown ▸ Marker (M)", "a marker with the note typed, at the audio heard now"),
    ("GuideBox ▸ Next question (N)", "the guide's next question is stamped and shown"),
    ("GuideBox ▸ Load guide…", "asks a file; its questions fill the interview guide"),
):
    control(f"Record ▸ {_what}", effect=_effect)(_record_check)


# ---------------------------------------------------------------------- team dialogs
def in_dialog(h: Harness, cls: str, menu: str, body: Callable[[Any], Any]) -> None:
    """``menu``'s dialog ``cls``; ``body(dialog)`` while it is open; its result returned."""
    ran: list[bool] = []

    def answer(d: Any) -> int:
        h.dialogs.append(d)
        body(d)
        ran.append(True)
        return int(d.result())

    h.dialog_answers[cls] = answer
    trigger(h, menu)
    assert ran


@control(
    "Export a team bundle ▸ Browse…",
    effect="asks a teammate's public key; its path is filled in and that choice ticked",
)
def _browse_key(h: Harness) -> None:
    key = h.tmp / "bob.pub"
    h.file_answer = lambda _c, _f: str(key)

    def body(d: Any) -> None:
        trigger(h, h.current)
        assert d.key_file.text() == str(key) and d.with_key.isChecked()

    in_dialog(h, "BundleExportDialog", "Team ▸ Export a bundle…", body)


@control(
    "Export a team bundle ▸ Export…",
    effect="a passphrase typed twice differently is refused, said; a plain bundle is written",
)
def _bundle_export_button(h: Harness) -> None:
    path = h.saving_to("plain.fsbundle")

    def body(d: Any) -> None:
        d.with_passphrase.setChecked(True)
        d.passphrase.setText("сезам")
        d.confirm.setText("сезаm")
        trigger(h, h.current)
        assert d.problem.text() == "The two passphrases differ." and not d.result()
        d.plain.setChecked(True)
        trigger(h, h.current)
        assert d.result() == 1

    in_dialog(h, "BundleExportDialog", "Team ▸ Export a bundle…", body)
    written(h, path)


@control("Export a team bundle ▸ Cancel", effect="nothing is written")
def _bundle_cancel(h: Harness) -> None:
    h.saving_to("never.fsbundle")
    in_dialog(h, "BundleExportDialog", "Team ▸ Export a bundle…", lambda _d: trigger(h, h.current))
    h.wait()
    assert not h.files and not (h.tmp / "out" / "never.fsbundle").exists()


@control("Project lead ▸ Record as lead", effect="the name typed is recorded as the lead")
def _record_lead(h: Harness) -> None:
    def body(d: Any) -> None:
        d.name.setText("Dana")
        d.take_over.setChecked(True)
        trigger(h, h.current)

    in_dialog(h, "LeadDialog", "Team ▸ Project lead…", body)
    h.qtbot.waitUntil(lambda: h.project.team.lead == "Dana")


@control("Project lead ▸ Cancel", effect="the lead stays as it was")
def _lead_cancel(h: Harness) -> None:
    before = h.project.team.lead

    def body(d: Any) -> None:
        d.name.setText("Dana")
        trigger(h, h.current)

    in_dialog(h, "LeadDialog", "Team ▸ Project lead…", body)
    h.wait()
    assert h.project.team.lead == before
