"""Analysis ▸ Frequencies ▸ Words in the workbench counts pseudonymised text: no real name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.words_privacy_support import named_project, real_names_in


def test_the_word_list_and_its_lines_show_no_real_name(
    tmp_path: Path, qtbot: Any, qsettings: Any, fake_transcriber: Any, idle: Callable[..., None]
) -> None:
    """A report said the Analysis window's word list is counted from text without pseudonyms;
    analysis/words.py says it is pseudonymised, always. In the real window over a transcript
    that holds real names (Russian and Kazakh inflected forms, never replaced), the word list
    of every scope and the keyword lines hold the pseudonyms' forms and no real name. Fails
    if the privacy filter were dropped from the word counts."""
    from gui.main_window import MainWindow

    project = named_project(tmp_path / "names.fieldscribe")
    qsettings.setValue("transcribe_after_import", "false")
    main = MainWindow(project, transcriber=fake_transcriber, settings=qsettings)
    qtbot.addWidget(main)
    main.show()
    try:
        idle(main)
        win = main.analysis.show()
        idle(main)
        tab = win.frequencies
        win.tabs.setCurrentWidget(tab)
        tab.what.setCurrentIndex(1)  # words
        idle(main)
        scopes = 0
        for i in range(tab.source.count()):
            tab.source.setCurrentIndex(i)
            idle(main)
            words = [w for w, _n in tab.result.words]
            assert words and real_names_in(words) == [], (tab.source.itemText(i), words)
            assert {"данияру", "данияром", "даниярдан", "саулеге"} <= set(words)
            scopes += 1
        assert scopes >= 2  # all transcripts, the session
        tab.kwic_word.setText("данияром")
        tab.kwic_word.returnPressed.emit()
        idle(main)
        assert len(tab.kwic.lines) == 1
        (line,) = tab.kwic.lines
        shown = f"{line.speaker} {line.left} {line.keyword} {line.right}"
        assert real_names_in(shown.replace(",", " ").split()) == [], shown
    finally:
        main.runner.cancel_all()
        main.close()
        project.close()
