"""Status bar messages with long paths keep their advice readable (gui/status_text.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QFont, QFontMetrics

from gui.status_text import fit_status, paths_in

ADVICE = "; nothing was changed. Ask for the bundle to be exported again."
_folder = st.text("abcdefghijklmnopqrstuvwxyzабвгдеқңө-_ 0123456789", min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(
    folders=st.lists(_folder.map(str.strip).filter(bool), min_size=1, max_size=12),
    name=st.from_regex(r"[a-zA-Zа-я0-9_-]{1,20}\.fsbundle", fullmatch=True),
    width=st.integers(380, 1400),
)
def test_a_long_path_is_shortened_and_the_advice_kept(
    qapp: Any, folders: list[str], name: str, width: int
) -> None:
    metrics = QFontMetrics(QFont())
    path = "/" + "/".join(f.replace(" ", "_") for f in folders) + "/" + name
    text = f"{path}: the manifest has no schema version (damaged?){ADVICE}"
    shown = fit_status(text, metrics, width)
    assert metrics.horizontalAdvance(shown) <= width
    if metrics.horizontalAdvance(text) <= width:
        assert shown == text  # what fits is left as it was
    elif metrics.horizontalAdvance(text.replace(path, "…/" + name)) <= width:
        assert shown.endswith(ADVICE)  # the advice whole, at the end
        [short] = paths_in(shown)
        assert short.endswith("/" + name)  # and the file's name
    else:  # too long even so: its start and its end, the whole on hover
        assert shown.endswith("exported again.") and "…" in shown


def test_a_refused_bundle_in_the_status_bar_ends_with_its_advice(window: Any) -> None:
    """At 1024x700 the status bar showed "/home/researcher/Документы/…/coder-a.fsbundle: the
    manifest has no schema version (damaged?); ask fo" and cut off the rest."""
    window.resize(1024, 700)
    deep = Path("/home/researcher/Документы/Проекты/Поликлиника Алматы 2026/bundles/received")
    text = f"{deep / 'coder-a.fsbundle'}: the manifest has no schema version (damaged?){ADVICE}"
    window.chrome.show_error(text)
    bar = window.statusBar()
    assert bar.currentMessage() == text  # the message itself stays whole
    shown = bar.shown_text()  # what the bar draws
    assert shown.endswith(ADVICE) and "/coder-a.fsbundle" in shown, shown
    assert bar.fontMetrics().horizontalAdvance(shown) <= bar.message_rect().width()
    assert bar.message_rect().right() < window.status_label.x()  # left of "Coding as …"
    assert bar.toolTip() == text  # the whole message on hover
    window.chrome.message("Saved.")
    assert bar.shown_text() == "Saved." and bar.toolTip() == ""
    bar.grab().save(str(Path(window.project.folder) / "bar.png"))  # it paints
