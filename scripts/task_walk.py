"""A researcher's whole task through the window's menus, with real speech and the real model.

Usage: xvfb-run -a -s "-screen 0 1366x768x24" python scripts/task_walk.py --screen 1366x768
       [--audio FILE] [--out /tmp/task]

From an empty machine state (own settings, data and cache folders): a new project (ru, kk,
en), a mixed interview imported from File ▸ Import audio… (default: bench's ``mixed-real-kk``
recording, three rounds, about three minutes: real Russian and Kazakh speech with English
turns in other voices) and transcribed by the real model; the transcription cancelled from
Transcription ▸ Cancel transcription and resumed on a cluster (Transcription ▸ Transcribe on
a cluster…, one local worker); a segment played, its text and language corrected and it
re-transcribed; Speakers ▸ Detect speakers…, a speaker renamed and merged; the recording moved
away and found again with File ▸ Locate missing audio…; a code tree, whole segments and a span
coded, a memo, the text edited around the span (does the span still cover its words?);
retrieval by code; search in Cyrillic, Kazakh capitals and one language; every export of the
File menu in every format, the retrieval CSV, the Analysis window's chart and table, each
file read back with its library; a bundle for a coder, merged, agreement; pseudonyms and a
redaction. Every step goes through the menu item a person clicks (``QAction.trigger``) and
the dialogs it opens are filled in; each top-level window that shows is measured against the
screen. Prints OK or PROBLEM per check and saves a PNG per step. Not a test: what a person sees.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.dialog_walk import Walk  # noqa: E402 - after the path


class TaskWalk(Walk):
    """``Walk`` with the real transcriber and the menus clicked by their names."""

    def __init__(self, out: Path, size: tuple[int, int], tmp: Path) -> None:
        super().__init__(out, size, tmp, real_transcriber=True)

    def _unanswered(self) -> None:
        """A consent question of an export: Export anyway (said); others as ``Walk``'s."""
        from PySide6.QtWidgets import QApplication, QMessageBox

        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            anyway = [b for b in box.buttons() if "anyway" in b.text()]
            if anyway:
                print(f"  asked: {box.text().splitlines()[0]!r}; {anyway[0].text()}")
                anyway[0].click()
                return
        super()._unanswered()

    # ------------------------------------------------------------------ menus
    def action(self, path: str) -> Any:
        """The menu item ``"File ▸ Import audio…"`` (submenus too; & ignored)."""
        from PySide6.QtWidgets import QMenu

        names = [p.strip() for p in path.split("▸")]
        menu: Any = None
        for top in self.w.menuBar().actions():
            if top.text().replace("&", "") == names[0]:
                menu = top.menu()
        for name in names[1:]:
            if menu is None:
                break
            menu.aboutToShow.emit()  # menus filled as they open
            found = [a for a in menu.actions() if a.text().replace("&", "") == name]
            if not found:
                raise LookupError(f"no {name!r} in {path}")
            sub = found[0].menu()
            if name == names[-1]:
                return found[0]
            menu = sub if isinstance(sub, QMenu) else None
        raise LookupError(path)

    def trigger(self, path: str) -> None:
        action = self.action(path)
        if not action.isEnabled():
            self.check(False, f"{path} is greyed out")
            return
        print(f"  clicked {path}")
        action.trigger()

    def ask(self, value: str, shot: str = "", then: Any = None) -> None:
        """Answer the next AskDialog (its field or combo) with ``value``, OK."""
        from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit

        def fill(d: Any) -> None:
            combo = d.findChild(QComboBox)
            if combo is not None and combo.isVisible():
                i = next((i for i in range(combo.count()) if value in combo.itemText(i)), -1)
                if i < 0 and combo.isEditable():
                    combo.setEditText(value)
                else:
                    combo.setCurrentIndex(i)
            elif (edit := d.findChild(QPlainTextEdit)) is not None and edit.isVisible():
                edit.setPlainText(value)
            else:
                self.type_into(d.findChild(QLineEdit), value)
            if shot:
                self.shot(shot, d)
            if then is not None:  # the dialog this one leads to
                then()
            self.click(self.button(d, "OK"))

        self.modal(fill, "Ask")

    def next_segment(self) -> None:
        """Ctrl+Down in the segment editor of the active window (the typing is saved)."""
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        self.w.activateWindow()
        self.pump(200)
        editor = self.w.segment_editor
        editor.setFocus()
        self.pump(100)
        QTest.keyClick(editor, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
        self.idle()

    def ok_reports(self, step: str) -> list[str]:
        return self.reports(step)

    def sid(self) -> str:
        return self._sid()

    def segs(self) -> list[Any]:
        return self.w.project.transcript.segments(self.sid())

    # ------------------------------------------------------------------ 1. transcript
    def import_and_transcribe(self, audio: Path) -> None:
        w = self.w
        self.open_answers(audio)
        self.ask("Interview", "import-kind")
        self.trigger("File ▸ Import audio…")
        said: list[str] = []
        began = time.monotonic()
        while time.monotonic() - began < 600:
            self.pump(500)
            text = w.statusBar().currentMessage()
            if text and (not said or said[-1] != text):
                said.append(text)
                print(f"  {time.monotonic() - began:5.1f}s status: {text[:140]}")
            if w.project.sessions.all() and len(self.segs()) >= 4:
                break
        self.shot("transcribing", w)
        self.check(any("%" in s or "min" in s for s in said), f"progress seen: {said[-1:]}")
        n = len(self.segs())
        self.trigger("Transcription ▸ Cancel transcription")
        began = time.monotonic()
        self.until(lambda: not w.runner.busy(), 20)
        if w.runner.busy():  # still saving the batches being decoded: pressed again
            print(f"  still busy after 20 s: {w.statusBar().currentMessage()!r}; pressed again")
            self.trigger("Transcription ▸ Cancel transcription")
        self.idle()
        print(f"  cancelled in {time.monotonic() - began:.0f} s")
        self.ok_reports("cancel")
        kept = self.segs()
        session = w.project.sessions.get_session(self.sid())
        self.check(len(kept) >= n, f"cancelled: {len(kept)} segments kept, {session.status}")
        self.shot("cancelled", w)
        # resumed on a cluster of one local worker (Transcription ▸ Transcribe on a cluster…)
        from gui.cluster_dialog import LOCAL

        def workers(d: Any) -> None:
            self.shot("cluster-workers", d)
            d.setIntValue(1)
            d.accept()

        if session.status == "transcribed":  # nothing left to resume: transcribed again
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.question = staticmethod(  # type: ignore[method-assign]
                lambda *_a, **_k: QMessageBox.StandardButton.Yes
            )
        self.ask(LOCAL, "cluster-where")
        self.modal(workers, "QInputDialog")
        self.trigger("Transcription ▸ Transcribe on a cluster…")
        self.pump(1000)
        self.ok_reports("cluster-asked")
        began = time.monotonic()
        self.idle(900)
        self.ok_reports("cluster")
        after = self.segs()
        session = w.project.sessions.get_session(self.sid())
        firsts = [s.id for s in kept]
        self.check(
            [s.id for s in after[: len(kept)]] == firsts and session.status == "transcribed",
            f"resumed in {time.monotonic() - began:.0f} s: {len(after)} segments, "
            f"{session.status}; the first {len(kept)} kept",
        )
        for s in after:
            print(f"   {s.start_ms / 1000:6.1f} {s.language} {s.speaker} {s.text[:70]!r}")
        self.shot("transcribed", w)

    def play_correct_retranscribe(self) -> None:
        w = self.w
        segs = self.segs()
        row = next((i for i, s in enumerate(segs) if s.language == "kk"), 1)
        w.transcript.go_to_row(row)
        self.pump(200)
        self.trigger("Playback ▸ Play current segment")
        self.pump(1500)
        self.check(w.player.position() > segs[row].start_ms, f"played to {w.player.position()}")
        w.player.pause()
        # the language: Edit ▸ Set language… Kazakh
        self.ask("Kazakh", "set-language")
        self.trigger("Edit ▸ Set language…")
        self.idle()
        got = w.project.transcript.get_segment(segs[row].id)
        self.check(got.language == "kk", f"language now {got.language}")
        # re-transcribed in its language
        self.ask("Kazakh", "retranscribe-in")
        self.trigger("Transcription ▸ Re-transcribe segment in…")
        self.idle(300)
        self.ok_reports("retranscribe")
        again = w.project.transcript.get_segment(segs[row].id)
        print(f"  re-transcribed: {segs[row].text!r} -> {again.text!r} ({again.language})")
        self.shot("retranscribed", w)
        # a word typed in the editor, committed by moving to the next segment
        from PySide6.QtGui import QTextCursor
        from PySide6.QtTest import QTest

        w.transcript.go_to_row(0)
        self.pump(200)
        editor = w.segment_editor
        editor.setFocus()
        cursor = editor.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        editor.setTextCursor(cursor)
        QTest.keyClicks(editor, " (ok)")
        self.next_segment()
        self.idle()
        first = w.project.transcript.get_segment(segs[0].id).text
        self.check(first.endswith(" (ok)"), f"typed: {first[-30:]!r}")
        empty = [i for i, s in enumerate(self.segs()) if not s.text.strip()]
        print(f"  speech without transcript: rows {empty}")
        if empty:
            w.transcript.go_to_row(empty[0])
            self.pump(200)
            editor.setFocus()
            editor.insertPlainText("Сәлеметсіз бе")
            self.next_segment()
            self.idle()
            typed = self.segs()[empty[0]]
            self.check(typed.text == "Сәлеметсіз бе", f"typed into it: {typed.text!r}")

    # ------------------------------------------------------------------ 2. speakers
    def speakers(self) -> None:
        w = self.w

        def count(d: Any) -> None:
            self.click(d.exact)
            d.count.setValue(2)
            self.shot("detect-speakers", d)
            self.click(self.button(d, "OK"))

        self.modal(count, "SpeakerCount")
        self.trigger("Speakers ▸ Detect speakers…")
        began = time.monotonic()
        self.pump(1000)
        self.until(lambda: not w.extra_panels.diarizing, 900)
        self.idle()
        print(f"  detected in {time.monotonic() - began:.0f} s: {w.statusBar().currentMessage()!r}")
        self.ok_reports("detect")
        labels = sorted({s.speaker for s in self.segs() if s.speaker})
        self.check(len(labels) >= 2, f"speakers {labels}")
        self.trigger("Speakers ▸ Speakers of this session")
        self.pump(500)
        panel = w.extra_panels.speaker_panel()
        self.shot("speakers", w)
        if panel is None or not labels:
            self.check(False, f"Speakers panel {panel}, speakers {labels}")
            return
        panel.select_label(labels[0])
        self.ask("Айгерім")
        self.click(panel.rename_button)
        self.idle()
        now = sorted({s.speaker for s in self.segs() if s.speaker})
        self.check("Айгерім" in now, f"renamed: {now}")
        if len(labels) > 1:
            panel.select_label(labels[1])
            self.ask("Айгерім")
            self.click(panel.merge_button)
            self.pump(300)
            self.ok_reports("merge-speaker")
            self.idle()
            now = sorted({s.speaker for s in self.segs() if s.speaker})
            self.check(now == ["Айгерім"], f"merged: {now}")
            print(f"  clicked Edit ▸ {w.act_undo.text()}")
            w.act_undo.trigger()
            self.idle()
            now = sorted({s.speaker for s in self.segs() if s.speaker})
            self.check(len(now) == 2, f"merge undone: {now}")
        self.shot("speakers-edited", w)

    def locate_audio(self) -> None:
        w = self.w
        folder = w.project.folder
        media = [p for p in (folder / "media").iterdir() if p.is_file()]
        sid = self.sid()
        w.projects.close_project()
        self.idle()
        moved = self.tmp / "moved"
        moved.mkdir(exist_ok=True)
        for p in media:
            p.rename(moved / p.name)
        assert w.projects.open_project(folder)
        self.idle()
        self.ok_reports("opened-without-audio")
        w.sessions.open_session(sid)
        self.idle()
        self.shot("audio-missing", w)
        self.open_answers(moved)
        self.trigger("File ▸ Locate missing audio…")
        self.idle()
        said = self.ok_reports("locate")
        back = [p.name for p in (folder / "media").iterdir() if p.is_file()]
        self.check(len(back) == len(media), f"found again: {back}; {said[:1]}")
        self.check(not w.project.missing_audio.missing(), "nothing missing")

    # ------------------------------------------------------------------ 3. coding
    def coding(self) -> Any:
        w = self.w
        self.ask("Услуги")
        self.trigger("Code ▸ New code…")
        self.idle()
        parent = w.project.codebook.find_code("Услуги")
        self.check(parent is not None, "code Услуги made")
        w.editing.add_code("Очереди", parent.id)  # the codebook's right-click ▸ New subcode
        self.idle()
        child = w.project.codebook.find_code("Услуги/Очереди")
        self.check(child is not None, f"child code: {child}")
        w.codebook.tree.expandAll()
        index = w.codebook.model.index_of(child.id)
        w.codebook.tree.setCurrentIndex(index)
        self.pump(200)
        segs = self.segs()
        w.transcript.go_to_row(0)
        self.pump(200)
        self.trigger("Code ▸ Code selection with the current code")
        self.idle()
        whole = [c for c in w.project.codebook.codings() if c.segment_id == segs[0].id]
        self.check(bool(whole), f"whole segment coded: {[(c.start_cp, c.end_cp) for c in whole]}")
        # a span of two words in a Russian segment
        row = next(i for i, s in enumerate(segs)
                   if i > 0 and s.language == "ru" and len(s.text.split()) > 5)  # fmt: skip
        w.transcript.go_to_row(row)
        self.pump(200)
        editor = w.segment_editor
        text = editor.toPlainText()
        words = text.split()
        target = " ".join(words[2:4])
        start = text.index(target)
        editor.select_cp(start, start + len(target))
        self.trigger("Code ▸ Code selection with the current code")
        self.idle()
        span = [c for c in w.project.codebook.codings() if c.segment_id == segs[row].id]
        covered = [text[c.start_cp : c.end_cp] for c in span]
        self.check(covered == [target], f"span covers {covered} (wanted {target!r})")
        self.shot("coded-span", w)
        # a coding memo on it
        memo = "Очередь — главная тема; Қарағанды"
        self.ask(memo, "coding-memo")  # its only coding: no choice asked
        editor.select_cp(start + 1, start + 1)
        self.trigger("Code ▸ Coding memo…")
        self.pump(500)
        self.ok_reports("coding-memo")
        self.pump(800)
        self.ok_reports("coding-memo")
        self.idle()
        memos = [c.memo for c in w.project.codebook.codings() if c.segment_id == segs[row].id]
        print(f"  coding memo: {memos}")
        # the text edited before the span: it still covers its words

        editor.setFocus()
        editor.select_cp(0, 0)
        editor.insertPlainText("Ну, ")
        self.next_segment()
        self.idle()
        new = w.project.transcript.get_segment(segs[row].id).text
        span = [c for c in w.project.codebook.codings() if c.segment_id == segs[row].id]
        covered = [new[c.start_cp : c.end_cp] for c in span]
        self.check(covered == [target], f"after the edit the span covers {covered}")
        # and a word inside the span replaced: the span grows or shrinks with it
        w.transcript.go_to_row(row)
        self.pump(200)
        inside = new.index(target)
        editor.select_cp(inside, inside + len(words[2]))
        editor.setFocus()
        editor.insertPlainText(words[2].upper())
        self.next_segment()
        self.idle()
        new = w.project.transcript.get_segment(segs[row].id).text
        span = [c for c in w.project.codebook.codings() if c.segment_id == segs[row].id]
        covered = [new[c.start_cp : c.end_cp] for c in span]
        want = f"{words[2].upper()} {words[3]}"
        self.check(covered == [want], f"a word inside replaced: covers {covered}")
        # segment memo
        w.transcript.go_to_row(row)
        self.pump(200)
        return child

    def retrieve_search(self, code: Any) -> None:
        from PySide6.QtWidgets import QListView

        w = self.w
        w.docks.retrieve_code(code.id)
        self.idle()
        rows = w.retrieval.table.model().rowCount()
        self.check(rows == 2, f"retrieved {rows} rows for {code.name}")
        self.shot("retrieval", w)
        panel = w.search_panel
        kk_words = [
            x.strip(".,!?")
            for s in self.segs()
            if s.language == "kk"
            for x in s.text.split()
            if set(x.lower()) & set("әғқңөұүһі")
        ]
        ru_word = next(x.strip(".,") for s in self.segs() if s.language == "ru" for x in
                       s.text.split() if len(x) > 6)  # fmt: skip
        for query, lang in ((ru_word, None), (ru_word.upper(), None),
                            (kk_words[0].upper() if kk_words else "ҚАРАЙ", None),
                            (ru_word, "kk"), (ru_word, "ru")):  # fmt: skip
            self.trigger("Edit ▸ Find in project…")
            self.pump(200)
            combo = panel.language_box if hasattr(panel, "language_box") else None
            if combo is not None:
                i = 0 if lang is None else max(0, combo.findData(lang))
                combo.setCurrentIndex(i)
            panel.query.setText(query)
            panel.search_again()
            self.idle()
            hits = panel.findChild(QListView).model().rowCount()
            print(f"  search {query!r} in {lang or 'any'}: {hits} rows")
        self.shot("search", w)

    # ------------------------------------------------------------------ 4. exports
    def exports(self) -> None:
        import docx
        import openpyxl
        from lxml import etree

        from gui.export_options import ExportOptionsDialog

        ExportOptionsDialog.exec = lambda _self: 1  # type: ignore[method-assign,assignment]
        out = self.tmp / "exports"
        out.mkdir(exist_ok=True)
        from PySide6.QtWidgets import QFileDialog

        jobs = [(f"transcript.{f}", "File ▸ Export this transcript (txt, docx, srt, vtt, json)…",
                 f) for f in ("docx", "txt", "srt", "vtt", "json")]  # fmt: skip
        jobs += [
            (f"codings.{f}", "File ▸ Export codings (.xlsx, .csv)…", f) for f in ("xlsx", "csv")
        ]
        jobs += [(f"codebook.{f}", "File ▸ Export the codebook (.qdc, .csv, .xlsx, .docx)…", f)
                 for f in ("qdc", "csv", "xlsx", "docx")]  # fmt: skip
        jobs += [("project.qdpx", "File ▸ Export as REFI-QDA project (.qdpx)…", "qdpx")]
        for name, menu, fmt in jobs:
            path = out / name

            # a person types the name without its ending and picks the kind in the list
            def save(*a: Any, _p: Path = path, _f: str = fmt, **_k: Any) -> tuple[str, str]:
                offered = (a[3] if len(a) > 3 else _k.get("filter", "")).split(";;")
                chosen = next((f for f in offered if f"*.{_f}" in f), offered[0])
                return str(_p.with_suffix("")), chosen

            QFileDialog.getSaveFileName = staticmethod(save)  # type: ignore[method-assign]
            self.trigger(menu)
            self.idle()
            self.pump(300)
            said = self.ok_reports(name)
            size = path.stat().st_size if path.exists() else 0
            self.check(size > 0, f"{name}: {size} bytes; {said[:1]}")
        segs = self.segs()
        words = segs[0].text.split()[0]
        if (out / "transcript.docx").exists():
            paragraphs = "\n".join(
                p.text for p in docx.Document(str(out / "transcript.docx")).paragraphs
            )
            self.check(words in paragraphs, f"docx holds {words!r}")
        if (out / "transcript.srt").exists():
            srt = (out / "transcript.srt").read_text(encoding="utf-8")
            self.check(
                srt.count(" --> ") == len(segs), f"srt {srt.count(' --> ')} cues / {len(segs)}"
            )
        if (out / "transcript.vtt").exists():
            vtt = (out / "transcript.vtt").read_text(encoding="utf-8")
            self.check(vtt.startswith("WEBVTT"), f"vtt {vtt[:20]!r}")
        if (out / "transcript.json").exists():
            import json

            data = json.loads((out / "transcript.json").read_text(encoding="utf-8"))
            print(f"  json keys {list(data)[:8] if isinstance(data, dict) else type(data)}")
        codings = len(self.w.project.codebook.codings())
        if (out / "codings.xlsx").exists():
            sheet = openpyxl.load_workbook(out / "codings.xlsx").active
            self.check(
                sheet.max_row - 1 == codings, f"codings.xlsx {sheet.max_row - 1} / {codings}"
            )
        if (out / "codings.csv").exists():
            with open(out / "codings.csv", encoding="utf-8-sig") as f:
                rows = list(csv.reader(f))
            self.check(len(rows) - 1 == codings, f"codings.csv {len(rows) - 1} / {codings}")
        if (out / "codebook.qdc").exists():
            tree = etree.parse(str(out / "codebook.qdc"))
            names = [e.get("name") for e in tree.iter() if e.tag.endswith("Code")]
            self.check("Очереди" in names, f"qdc codes {names}")
        if (out / "project.qdpx").exists():
            with zipfile.ZipFile(out / "project.qdpx") as z:
                root = etree.fromstring(z.read("project.qde"))
                print(f"  qdpx: {len(z.namelist())} files, root {etree.QName(root).localname}")
        # the retrieval's CSV button
        w = self.w
        code = w.project.codebook.find_code("Услуги/Очереди")
        w.docks.retrieve_code(code.id)
        self.idle()
        target = out / "retrieval.csv"
        QFileDialog.getSaveFileName = staticmethod(  # type: ignore[method-assign]
            lambda *_a, **_k: (str(target.with_suffix("")), "CSV (*.csv)")
        )
        buttons = [
            b for b in w.retrieval.findChildren(type(self.button_type())) if "CSV" in b.text()
        ]
        print(f"  retrieval buttons: {[b.text() for b in buttons]}")
        if buttons:
            self.click(buttons[0])
            self.idle()
            self.pump(300)
            self.ok_reports("retrieval-csv")
        self.check(target.exists(), f"retrieval.csv written: {target.exists()}")
        if target.exists():
            with open(target, encoding="utf-8-sig") as f:
                print(f"  retrieval.csv rows {sum(1 for _ in csv.reader(f)) - 1}")

    def button_type(self) -> Any:
        from PySide6.QtWidgets import QPushButton

        return QPushButton()

    def analysis(self) -> None:
        from PySide6.QtWidgets import QFileDialog, QPushButton

        w = self.w
        self.trigger("View ▸ Analysis…")
        self.pump(1500)
        self.idle()
        win = w.analysis_window if hasattr(w, "analysis_window") else None
        from PySide6.QtWidgets import QApplication

        win = win or next(t for t in QApplication.topLevelWidgets()
                          if type(t).__name__ == "AnalysisWindow" and t.isVisible())  # fmt: skip
        win.resize(min(win.width(), self.size[0]), min(win.height(), self.size[1] - 40))
        self.pump(500)
        self.shot("analysis", win)
        out = self.tmp / "exports"
        for text in ("chart", "table"):
            for fmt in ("png", "svg") if text == "chart" else ("xlsx", "csv"):
                path = out / f"analysis-{text}.{fmt}"
                QFileDialog.getSaveFileName = staticmethod(  # type: ignore[method-assign]
                    lambda *_a, _p=path, _f=fmt, **_k: (str(_p.with_suffix("")), f"x (*.{_f})")
                )
                buttons = [b for b in win.findChildren(QPushButton)
                           if b.isVisible() and b.text() == "Export"]  # fmt: skip
                if not buttons:
                    self.check(False, "no visible Export button in the Analysis window")
                    continue
                menu = buttons[0].menu()
                item = next(a for a in menu.actions() if a.text().lower().startswith(text))
                item.trigger()
                self.idle()
                self.pump(500)
                self.check(path.exists(), f"{path.name}: {path.exists()} ({win.status.text()})")
        win.close()

    def agreement_export(self) -> None:
        """Team ▸ Inter-coder agreement ▸ Export…, a dated name typed, CSV picked."""
        from PySide6.QtWidgets import QFileDialog

        panel = self.w.extra_panels.show_agreement()
        self.idle()
        self.pump(500)
        out = self.tmp / "exports"
        out.mkdir(exist_ok=True)
        typed = out / "agreement 12.05"
        QFileDialog.getSaveFileName = staticmethod(  # type: ignore[method-assign]
            lambda *_a, **_k: (str(typed), "CSV table (*.csv)")
        )
        self.click(panel.export_button)
        self.idle()
        self.pump(500)
        written = sorted(p.name for p in out.iterdir() if p.name.startswith("agreement"))
        self.check(written == ["agreement 12.05.csv"], f"agreement export: {written}")
        if written:
            with open(out / written[0], encoding="utf-8-sig") as f:
                print(f"  {written[0]}: {list(csv.reader(f))[:3]}")
        self.trigger("Team ▸ Disagreements")
        self.idle()
        self.pump(500)
        self.shot("disagreements", self.w)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--screen", default="1366x768")
    parser.add_argument("--audio", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--skip", default="", help="steps to leave out, comma separated")
    parser.add_argument(
        "--project", type=Path, default=None, help="a copy of this transcribed project instead"
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fieldscribe-task-"))
    out = args.out or tmp / "shots"
    out.mkdir(parents=True, exist_ok=True)
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME"):  # an empty machine; the model cache stays
        os.environ[var] = str(tmp / var.lower())
    audio = args.audio
    if audio is None:
        from bench.language_corpus import build

        audio, _turns = build(tmp / "corpus", "mixed-real-kk", rounds=3)
    import gui  # noqa: F401 - before Qt widgets, as the app does

    width, height = (int(v) for v in args.screen.lower().split("x"))
    walk = TaskWalk(out, (width, height), tmp)
    print(f"screen {args.screen}, window {walk.w.width()}x{walk.w.height()}, PNGs in {out}")
    skip = set(args.skip.split(","))
    walk.run(walk.coder_name, "first start: coder name")
    if args.project is None:
        walk.run(walk.new_project, "File ▸ New project")
        walk.run(lambda: walk.import_and_transcribe(audio), "import, transcribe, cancel, resume")
    else:
        import shutil

        folder = tmp / "Field 2026.fieldscribe"
        shutil.copytree(args.project, folder)
        walk.w.projects.open_project(folder)
        walk.idle()
        walk.w.sessions.open_session(walk.sid())
        walk.idle()
    if "edit" not in skip:
        walk.run(walk.play_correct_retranscribe, "play, correct, re-transcribe, type")
    if "speakers" not in skip:
        walk.run(walk.speakers, "Speakers: detect, rename, merge")
    if "locate" not in skip:
        walk.run(walk.locate_audio, "File ▸ Locate missing audio")
    code = walk.w.project.codebook.find_code("Услуги/Очереди")
    if "coding" not in skip:
        code = walk.run(walk.coding, "Code: tree, whole segment, span, memo, edit around")
    if code is not None:
        walk.run(lambda: walk.retrieve_search(code), "retrieval and search")
    walk.run(walk.exports, "every export")
    walk.run(walk.analysis, "View ▸ Analysis: chart and table exports")
    walk.run(walk.pseudonyms, "Ethics ▸ Pseudonyms")
    walk.run(walk.redact, "Ethics ▸ Redact the selected words")
    lead = walk.run(lambda: walk.w.project.folder, "the lead's project")
    walk.run(walk.bundle_round, "Team ▸ Export a bundle / New project from a bundle")
    walk.run(lambda: walk.coder_round(lead), "a coder's bundle merged; agreement")
    walk.run(walk.agreement_export, "Team ▸ Inter-coder agreement ▸ Export…; Disagreements")
    walk.w.runner.cancel_all()
    print(f"windows larger than the screen: {walk.too_big}")
    print(f"{len(walk.problems)} problems")
    for problem in walk.problems:
        print(" -", problem.splitlines()[0] if problem else problem)


if __name__ == "__main__":
    main()
