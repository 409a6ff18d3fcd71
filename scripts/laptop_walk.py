"""Walk the workbench on a laptop screen and print what fits: rows in sight, tab labels, dialogs.

Usage: python scripts/laptop_walk.py [--screen 1024x700] [--long] [--out /tmp/walk]

Builds a three-session Russian/Kazakh/English project (twelve segments each, two coders'
codings, so Agreement and Disagreements have rows), opens it in the real main window on an
offscreen screen of that size, and opens each panel from the default layout (View ▸ Reset layout
in between): Retrieval, Disagreements, Agreement, Details, Search, Speakers, Ethics' four tabs,
Record beside the Sessions list, Details of a focus group (the first session given six speakers
and six participants: the form's height, where Add participant ends, buttons cut, at the
layout's width and narrowed to 212 px), the Analysis window's tabs, and the dialogs of the File,
Edit, Code, Memos and Team menus (their ``exec`` shows them, grabs them and cancels). For each it
prints the whole rows in sight (its table's, the transcript's), the tab labels Qt elides, and
for a dialog its size and whether it fits the screen; every view is saved as a PNG to look at.
``--long``: the Russian turns are three sentences (wrapped rows). Not a test: figures to read.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RU = "Ну, в поликлинике очередь большая, записаться невозможно."
RU_LONG = " Мы ждали три часа, потом ушли домой, а на следующий день всё повторилось снова."
KK = "Емханада кезек көп, бірақ дәрігерлер жақсы қарайды."


def _screen(size: str, tmp: Path) -> None:
    """An offscreen screen of ``size`` (Qt's offscreen config file), set before Qt loads."""
    width, height = (int(v) for v in size.lower().split("x"))
    screen = {"name": "laptop", "x": 0, "y": 0, "width": width, "height": height}
    screen.update(logicalDpi=96, logicalBaseDpi=96, dpr=1)
    config = tmp / "screen.json"
    settings = {"synchronousWindowSystemEvents": False, "windowFrameMargins": False}
    config.write_text(json.dumps({**settings, "screens": [screen]}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    for var in ("XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        os.environ[var] = str(tmp / var.lower())


def _project(tmp: Path, long: bool) -> Path:
    from storage import Project, SegmentDraft
    from tests.media import espeak

    folder = tmp / "Almaty.fieldscribe"
    ru = RU + (RU_LONG if long else "")
    titles = ("Фокус-группа Алматы", "Interview Bakyt", "Observation market")
    with Project.create(folder, name="Almaty", coder="aigerim") as p:
        p.set_languages("ru,kk,en")
        for i, title in enumerate(titles):
            wav = espeak(tmp / f"s{i}.wav", f"The village clinic opened a booking service {i}.")
            s = p.sessions.import_audio(wav, kind="focus_group", title=title)
            texts = [(ru, "ru"), (KK, "kk"), ("Okay, thank you.", "en")] * 4
            drafts = [
                SegmentDraft(j * 300, j * 300 + 250, t, speaker="Айгерім", language=lang)
                for j, (t, lang) in enumerate(texts)
            ]
            code = p.codebook.ensure_code_path("Услуги/Денсаулық")
            for seg in p.transcript.add_segments(s.id, drafts)[:6]:
                p.codebook.apply_code(seg.id, code.id)
    with Project.open(folder, coder="bakyt") as other:
        for s in other.sessions.all():
            segs = other.transcript.segments(s.id)
            for i, path in enumerate(["Услуги/Денсаулық", "Очереди", "Доверие", "Цифровые услуги"]):
                code = other.codebook.ensure_code_path(path)
                for seg in segs[i + 3 : i + 8]:
                    other.codebook.apply_code(seg.id, code.id)
    return folder


class Walk:
    """The window, and what it measures."""

    def __init__(self, folder: Path, out: Path, tmp: Path) -> None:
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication

        from gui.main_window import MainWindow
        from tests.gui.gui_helpers import make_fake_transcriber

        self.app = QApplication.instance() or QApplication(sys.argv)
        self.out = out
        settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
        settings.setValue("transcribe_after_import", "false")
        self.w = MainWindow(transcriber=make_fake_transcriber(), settings=settings)
        self.w.show()
        self.w.resize(self.app.primaryScreen().availableGeometry().size())
        assert self.w.projects.open_project(folder)
        self.pump(800)

    def pump(self, ms: int = 300) -> None:
        end = time.monotonic() + ms / 1000
        while time.monotonic() < end or self.w.runner.busy():
            self.app.processEvents()
            time.sleep(0.01)

    @staticmethod
    def whole_rows(view: Any) -> int:
        """Rows of ``view`` shown whole."""
        model, room = view.model(), view.viewport().height()
        if model is None or not view.isVisible():
            return 0
        if hasattr(view, "rowViewportPosition"):
            # by rows, not cells: a table's first column may be hidden (Disagreements' Session)
            rows = range(model.rowCount())
            tops = [(view.rowViewportPosition(r), view.rowHeight(r)) for r in rows]
        else:  # a list (Search's hits): each row's rectangle
            rects = [view.visualRect(model.index(r, 0)) for r in range(model.rowCount())]
            tops = [(rect.top(), rect.height()) for rect in rects]
        return sum(1 for top, tall in tops if top >= 0 and top + tall <= room)

    def elided_tabs(self) -> list[str]:
        """The labels of the shown tab bars that Qt elides ("Ses…")."""
        from PySide6.QtWidgets import QTabBar

        cut = []
        for bar in self.app.allWidgets():
            if isinstance(bar, QTabBar) and bar.isVisible():
                for i in range(bar.count()):
                    if bar.tabRect(i).width() < bar.tabSizeHint(i).width():
                        cut.append(f"{bar.tabText(i)} ({bar.tabRect(i).width()} of "
                                   f"{bar.tabSizeHint(i).width()} px)")  # fmt: skip
        return cut

    def report(self, name: str, table: Any = None, widget: Any = None) -> None:
        self.pump(500)
        w = self.w
        line = f"{name:24} transcript {self.whole_rows(w.transcript):2} rows"
        if table is not None:
            rows = table.model().rowCount() if table.model() is not None else 0
            line += f" | table {self.whole_rows(table):2} of {rows} rows whole"
            if hasattr(table, "rowHeight"):
                heights = sorted({table.rowHeight(r) for r in range(min(rows, 50))})
                needed = max((table.sizeHintForRow(r) for r in range(min(rows, 50))), default=0)
                line += f" (heights {heights} px, tallest needs {needed})"
        line += f" | sessions dock {w.sessions_dock.width()} px"
        cut = self.elided_tabs()
        print(line + (f" | ELIDED TABS: {cut}" if cut else ""))
        (widget or w).grab().save(str(self.out / f"{name}.png"))

    def panels(self) -> None:
        from PySide6.QtWidgets import QListView, QTableView

        w, extra = self.w, self.w.extra_panels
        self.report("workbench")
        code = w.project.codebook.find_code("Услуги/Денсаулық")
        w.docks.retrieve_code(code.id)
        self.report("retrieval", w.retrieval.table)
        for name, show in (
            ("disagreements", lambda: extra.show_disagreements().table),
            ("agreement", lambda: extra.show_agreement().view),
            ("speakers", lambda: extra.show_speakers().findChild(QTableView)),
            ("ethics-consent", lambda: extra.show_privacy(0) and None),
            ("ethics-names", lambda: extra.show_privacy(1) and None),
            ("ethics-redacted", lambda: extra.show_privacy(2) and None),
            ("ethics-audit", lambda: extra.show_privacy(3) and None),
        ):
            w.reset_layout()
            self.pump()
            self.report(name, show())
        w.reset_layout()
        self.pump()
        w.docks.show_details()
        self.report("details")
        scroll = w.docks.session_panel_dock.widget()
        form, room = w.session_panel.height(), scroll.viewport().height()
        print(f"{'':24} details form {form} px in a {room} px dock")
        w.reset_layout()
        self.pump()
        w.search_panel.query.setText("очередь")
        w.search_panel.search_again()
        self.report("search", w.search_panel.findChild(QListView))
        w.reset_layout()
        self.pump()
        extra.show_recorder()
        self.pump(500)
        w.sessions_dock.raise_()  # as Stop brings the list to the front
        self.report("record-then-sessions")
        self.focus_group_details()

    def focus_group_details(self) -> None:
        """Details of a focus group: six speakers, six participants (four linked) with three
        attributes each, in the dock as wide as the layout makes it and narrowed to 212 px."""
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QPushButton

        w, project = self.w, self.w.project
        w.reset_layout()
        self.pump()
        session = w.session
        labels = ("Модератор", "Айгерім", "Бақыт", "Чынара", "Данияр", "Эльмира")
        for i, seg in enumerate(project.transcript.segments(session.id)):
            project.transcript.update_segment(seg.id, speaker=labels[i % 6])
        attributes = {"age group": "30-39", "gender": "f", "village": "Қарасу"}
        for i, label in enumerate(labels):
            person = project.sessions.add_participant(f"P{i + 1:02d}", attributes)
            if i < 4:
                project.sessions.map_speaker(session.id, label, person.id)
        panel, dock = w.session_panel, w.docks.session_panel_dock
        panel.show_session(session)
        w.docks.show_details()
        self.report("details-focus-group")
        scroll = dock.widget()
        for name, width in (("", 0), ("narrowed ", 212)):
            if width:
                w.resizeDocks([dock], [width], Qt.Orientation.Horizontal)
                self.pump()
                dock.grab().save(str(self.out / "details-focus-group-narrowed.png"))
            room = scroll.viewport().height()
            add = next(b for b in panel.findChildren(QPushButton) if b.text() == "Add participant")
            at = add.mapTo(scroll.viewport(), add.rect().bottomLeft()).y()

            def cut(b: Any) -> bool:
                """Its label is cut: narrower than the label it paints, or past the edge."""
                need = getattr(b, "width_for", None)
                shown = getattr(b, "shown_text", b.text)()
                width = need(shown) if need is not None else b.sizeHint().width()
                right = b.mapTo(scroll.viewport(), b.rect().topRight()).x()
                return b.width() < width or right >= scroll.viewport().width()

            buttons = [
                b.text() for b in panel.findChildren(QPushButton) if b.isVisible() and cut(b)
            ]
            sideways = scroll.horizontalScrollBar().maximum()
            print(f"{'':24} {name}details {dock.width()} px: form {panel.height()} px in "
                  f"{room}, Add participant ends at {at} px, sideways scroll {sideways} px, "
                  f"buttons cut {buttons}")  # fmt: skip

    def analysis(self) -> None:
        from PySide6.QtWidgets import QTabWidget

        w = self.w
        for action in w.chrome.menus["&View"].actions():
            if action.text().startswith("Analysis"):
                action.trigger()
        self.pump(1500)
        window = next(t for t in self.app.topLevelWidgets() if "Analysis" in t.windowTitle())
        tabs = window.findChild(QTabWidget)
        for i in range(tabs.count()):
            tabs.setCurrentIndex(i)
            self.report(f"analysis-{tabs.tabText(i).lower()}", widget=window)
        window.close()

    def dialogs(self) -> None:
        """Every dialog the menus open (their exec shows, measures, grabs and cancels them)."""
        from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

        screen = self.app.primaryScreen().availableGeometry()
        seen: list[str] = []
        walk = self

        def exec_(dialog: QDialog, *_a: Any) -> int:
            dialog.show()
            walk.pump(300)
            title = dialog.windowTitle() or type(dialog).__name__
            fits = screen.contains(dialog.frameGeometry())
            print(f"dialog {title!r:42} {dialog.width()}x{dialog.height()} px"
                  f"{'' if fits else '  DOES NOT FIT THE SCREEN'}")  # fmt: skip
            dialog.grab().save(str(walk.out / f"dialog-{len(seen):02d}.png"))
            seen.append(title)
            dialog.reject()
            return 0

        QDialog.exec = exec_  # type: ignore[method-assign]
        for name in ("question", "warning", "information", "critical"):
            setattr(
                QMessageBox, name, staticmethod(lambda *_a, **_k: QMessageBox.StandardButton.Cancel)
            )
        new = str(self.out / "New.fieldscribe")
        skip = re.compile(
            r"Quit|Close project|Delete|demo|Record|Detect|Transcribe|Re-transcribe|Undo|Redo|"
            r"Merge with|Split|Blind|Reset layout|pane|Play|Back|Forward|Slower|Faster|speed"
        )
        for title in ("&File", "&Edit", "&Code", "&Memos", "Te&am"):
            for action in self.w.chrome.menus[title].actions():
                text = action.text().replace("&", "")
                if action.isSeparator() or action.menu() or not action.isEnabled():
                    continue
                if skip.search(text):
                    continue
                answer = new if text.startswith("New project") else ""
                QFileDialog.getSaveFileName = staticmethod(lambda *_a, _p=answer, **_k: (_p, ""))
                QFileDialog.getOpenFileName = staticmethod(lambda *_a, **_k: ("", ""))
                QFileDialog.getOpenFileNames = staticmethod(lambda *_a, **_k: ([], ""))
                QFileDialog.getExistingDirectory = staticmethod(lambda *_a, **_k: "")
                action.trigger()
                self.pump(300)
                for top in self.app.topLevelWidgets():
                    if top is not self.w and top.isVisible() and top.windowTitle() not in seen:
                        exec_(top) if isinstance(top, QDialog) else None
                        if not isinstance(top, QDialog):
                            seen.append(top.windowTitle())
                            top.grab().save(str(self.out / f"window-{len(seen):02d}.png"))
                            print(f"window {top.windowTitle()!r:42} {top.width()}x{top.height()}")
                            top.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--screen", default="1024x700")
    parser.add_argument("--long", action="store_true", help="three-sentence Russian turns")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fieldscribe-walk-"))
    out = args.out or tmp / "shots"
    out.mkdir(parents=True, exist_ok=True)
    _screen(args.screen, tmp)
    import gui  # noqa: F401 - before Qt widgets, as the app does

    folder = _project(tmp, args.long)
    walk = Walk(folder, out, tmp)
    print(f"screen {args.screen}, window {walk.w.width()}x{walk.w.height()}, PNGs in {out}")
    walk.panels()
    walk.analysis()
    walk.dialogs()
    walk.w.runner.cancel_all()


if __name__ == "__main__":
    main()
