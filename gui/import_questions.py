"""What an import from another tool asks before it runs, as the command line's options say it.

- A transcript with frame times (``HH:MM:SS:FF``, Premiere's and Transcriptive's): the rate
  they count at (``import-transcript --fps``), ``FrameRateDialog``.
- A transcript timed by the clock (Zoom's saved captions, ``08:02:33 >> ANNA: …``): the clock
  time the recording began (``import-transcript --starts-at``), ``ClockStartDialog``.
- A REFI-QDA project naming files outside its archive (recordings, the plain texts of text
  sources and transcripts): the folder that holds them (``qdpx import --media-dir``),
  ``ask_outside_folder``, which names each file missing.

A transcript refused says why in the workbench's words (``transcript_refusal``): the command
line's "give --format (...)" names an option the workbench has no field for; so does a refused
``.qdpx`` (``qdpx_refusal``).
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from gui.fmt import plural, verb
from storage import FieldScribeError
from storage.interop.frame_times import FRAME_RATES

#: what each rate is used for, shown beside it (the list is the command line's ``--fps``)
_RATE_USES = {
    "23.976": "film transferred to NTSC video",
    "24": "film, cinema cameras",
    "25": "PAL video: Europe, Kazakhstan, Russia",
    "29.97": "NTSC video: the Americas, Japan; phones",
    "30": "screen recordings, some phones",
    "50": "PAL video at double rate",
    "59.94": "NTSC video at double rate",
    "60": "screen recordings, phones at high rate",
}
UNKNOWN_RATE = "Not known: drop-frame times (HH:MM:SS;FF) at 29.97, others at 30"


class FrameRateDialog(QDialog):
    """The rate a transcript's frame times count at (the CLI's ``--fps``)."""

    def __init__(self, file_name: str, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Frame rate of the transcript")
        text = QLabel(
            f"{file_name} gives {plural(count, 'time')} as frames (HH:MM:SS:FF: hours, minutes, "
            "seconds and a frame of the video it was made from). At how many frames a second "
            "was that video? A wrong rate puts every time off: 25 read as 30 up to 0.16 s early, "
            "29.97 read as 30 3.6 s early after an hour.",
            self,
        )
        text.setWordWrap(True)
        self.rates = QComboBox(self)
        self.rates.addItem(UNKNOWN_RATE, None)
        for rate in FRAME_RATES:
            self.rates.addItem(f"{rate} frames a second ({_RATE_USES.get(rate, '')})", rate)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.rates)
        layout.addWidget(buttons)
        self.setMinimumWidth(min(520, max(360, text.sizeHint().width())))

    def fps(self) -> str | None:
        """The chosen rate as the CLI writes it (``"25"``), None when not known."""
        value = self.rates.currentData()
        return str(value) if value else None


class ClockStartDialog(QDialog):
    """The clock time a recording began, for a transcript timed by the time of day (the CLI's
    ``--starts-at``): prefilled with the file's first time (its first line at the start), the
    start a Zoom recording's file name gives offered beside it. ``keep``: a session without
    audio may keep the file's times (``keep_times()`` then says so)."""

    def __init__(
        self,
        file_name: str,
        first: str,
        offered: tuple[str, str] | None = None,
        keep: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("When did the recording begin?")
        self._keep = False
        text = QLabel(
            f"{file_name} times its lines by the clock (the first at {first}), as Zoom's saved "
            "captions do, not from the start of the recording. At what time of day did the "
            "recording begin? Each time in the file less that one places the line on it.",
            self,
        )
        text.setWordWrap(True)
        self.time = QTimeEdit(self)
        self.time.setDisplayFormat("HH:mm:ss")
        self.time.setTime(QTime.fromString(first, "HH:mm:ss"))
        self.time.setAccessibleName("The clock time the recording began")
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.time)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        if offered is not None:
            clock, words = offered
            hint = QLabel(f"{words[:1].upper()}{words[1:]}.", self)
            hint.setWordWrap(True)
            layout.addWidget(hint)
            use = buttons.addButton(f"Use {clock}", QDialogButtonBox.ButtonRole.ActionRole)
            use.clicked.connect(lambda: self.time.setTime(QTime.fromString(clock, "HH:mm:ss")))
        if keep:
            kept = buttons.addButton(
                "Keep the file's times", QDialogButtonBox.ButtonRole.AcceptRole
            )
            kept.clicked.connect(self._keep_times)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(min(560, max(380, text.sizeHint().width())))

    def _keep_times(self) -> None:
        self._keep = True
        self.accept()

    def keep_times(self) -> bool:
        """Whether the file's own times are kept (no start given)."""
        return self._keep

    def starts_at(self) -> str | None:
        """The start as the CLI's ``--starts-at`` writes it (``08:02:33``); None: the file's
        times kept."""
        return None if self._keep else self.time.time().toString("HH:mm:ss")


def outside_text(archive_name: str, files: list[tuple[str, str]]) -> str:
    """The question's text: each file outside the archive, named, and what choosing does."""
    shown = [f"• {what}: {name}" for what, name in files[:8]]
    if len(files) > 8:
        shown.append(f"• and {len(files) - 8} more")
    return (
        f"{archive_name} names {plural(len(files), 'file')} that "
        f"{verb(len(files), 'is')} not inside it:\n"
        + "\n".join(shown)
        + "\n\nWithout "
        + ("it" if len(files) == 1 else "them")
        + ", its sessions come in without that recording or text. Choose the folder that "
        "holds them? Only that folder is searched, by file name; the files found are copied "
        "into the project."
    )


def ask_outside_folder(
    parent: QWidget, archive_name: str, files: list[tuple[str, str]]
) -> tuple[bool, Path | None]:
    """Ask for the folder holding the files a ``.qdpx`` names outside its archive: whether to
    import, and the folder chosen (None: import without them)."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Files outside the REFI-QDA project",
        outside_text(archive_name, files),
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    choose = box.addButton("Choose the folder…", QMessageBox.ButtonRole.AcceptRole)
    without = box.addButton("Import without them", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(choose)
    box.exec()
    clicked = box.clickedButton()
    if clicked is without:
        return True, None
    if clicked is not choose:
        return False, None
    directory = QFileDialog.getExistingDirectory(parent, "Folder holding the files")
    return bool(directory), Path(directory) if directory else None


#: the transcript formats File ▸ Import a transcript reads, as the refusals name them
FORMATS = (
    "noScribe HTML, WebVTT, SRT, text with timestamps, FieldScribe JSON, oTranscribe (.otr) or "
    "Word (.docx) with timestamps"
)


def transcript_refusal(exc: BaseException) -> BaseException | str:
    """A refused transcript in the workbench's words: the command line's "give --format (...)"
    names an option the workbench does not have."""
    if not isinstance(exc, FieldScribeError):
        return exc
    text = str(exc)
    text = re.sub(
        r"; give --format \([^)]*\)\.$",
        f": it is none of the formats FieldScribe reads ({FORMATS}). Nothing was imported.",
        text,
    )
    text = text.replace(
        "; check the file or give --format.", "; check the file. Nothing was imported."
    )
    text = text.replace("give --starts-at with the clock time", "give the clock time")
    text = text.replace(" (--starts-at)", "").replace(" (--starts-at ", " (")
    text = re.sub(r": --starts-at (\d\d:\d\d:\d\d) if so\)", r": \1 if so)", text)
    return text.replace(
        "`fieldscribe export --format json` writes", "FieldScribe's transcript export writes"
    )


def qdpx_refusal(exc: BaseException) -> BaseException | str:
    """A refused REFI-QDA import or export in the workbench's words: a team bundle chosen as a
    .qdpx was told to "merge it with `fieldscribe bundle merge`", an unreadable recording to
    "export with --no-media"."""
    if not isinstance(exc, FieldScribeError):
        return exc
    return (
        str(exc)
        .replace(
            "merge it with `fieldscribe bundle merge` or start a project from it with "
            "`fieldscribe new DIR --from-bundle`",
            "merge it with Team ▸ Merge bundles into this project… or start a project from it "
            "with File ▸ New project from a team bundle…",
        )
        .replace("export with --no-media", "export without “Include the audio files”")
        .replace("Export with --no-media", "Export without “Include the audio files”")
    )
