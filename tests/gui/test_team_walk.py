"""A team's whole task in the window at laptop sizes, by its menus, buttons and dialogs: the
lead starts a project, imports a transcript and builds a codebook, two coders start from the
lead's bundle, code and send their bundles back, the lead merges them, reads the agreement,
settles a disagreement and exports what the team coded."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QColorDialog, QDialog, QFileDialog, QMessageBox

from storage import Project
from tests.gui.test_keyboard_task import type_text
from tests.gui.test_researcher_day import menu_entry

YES = QMessageBox.StandardButton.Yes
#: a folder to keep a picture of each step in (none: no pictures)
SHOTS = Path(os.environ["FIELDSCRIBE_SHOTS"]) if os.environ.get("FIELDSCRIBE_SHOTS") else None

SRT = """1
00:00:00,000 --> 00:00:03,000
Модератор: Расскажите, как вы получаете медицинскую помощь?

2
00:00:03,500 --> 00:00:08,000
Әлия: Біздің ауылда емхана жоқ, дәрігер өте алыс.

3
00:00:08,500 --> 00:00:12,000
Ерлан: Мы ездим в город на автобусе, очередь большая.

4
00:00:12,500 --> 00:00:16,000
Әлия: Қазақ тілінде ақпарат аз, бәрі орысша жазылған.

5
00:00:16,500 --> 00:00:20,000
Ерлан: Интернет в селе медленный, портал не открывается.
"""


def shot(widget: Any, name: str) -> None:
    """A picture of ``widget`` in ``SHOTS`` (to look at: FIELDSCRIBE_SHOTS=DIR pytest ...)."""
    if SHOTS is not None:
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()  # the layouts asked for are done, as on a screen
        SHOTS.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(SHOTS / f"{name}.png"))


E, T, NET, Q = "Доступ/Емхана", "Доступ/Тіл", "Интернет", "Кезек"

#: each coder's codings: (segment row, code path, the words coded or None for the whole)
PLANS = {
    "Айгерім": [(1, E, None), (2, E, None), (3, T, "Қазақ тілінде"), (4, NET, None), (2, Q, None)],
    "Болат": [
        (1, E, None),
        (3, T, None),
        (1, T, None),
        (4, NET, "портал не открывается"),
        (2, Q, None),
    ],
}
#: the words each coder then types in front of a segment's text (its span must follow)
EDITS = {"Айгерім": (3, "Иә, "), "Болат": (4, "Ой, ")}


def kappa(a: list[int], b: list[int]) -> float:
    """Cohen's kappa of two coders' 0/1 values, from its definition."""
    n = len(a)
    po = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return (po - pe) / (1 - pe)


def alpha(a: list[int], b: list[int]) -> float:
    """Krippendorff's alpha (nominal) of two coders' 0/1 values, none missing: 1 minus the
    observed disagreement over the expected, from the values' coincidences."""
    n = 2 * len(a)
    ones = sum(a) + sum(b)
    observed = 2 * sum(x != y for x, y in zip(a, b, strict=True))  # o(0,1) + o(1,0)
    return 1 - (n - 1) * observed / (2 * ones * (n - ones))


def no_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The window keeps a laptop's size (not fitted to the 800x600 test screen)."""
    for module in ("gui.layout", "gui.main_window", "gui.panels"):
        monkeypatch.setattr(f"{module}.fit_to_screen", lambda _w: None)


def answer_files(monkeypatch: pytest.MonkeyPatch, **answers: Any) -> None:
    """QFileDialog's getters answered with the paths given (``getOpenFileNames``: a list)."""
    for name, value in answers.items():
        if name == "getOpenFileNames":
            result: Any = ([str(p) for p in value], "")
        else:
            result = (str(value), "")
        monkeypatch.setattr(QFileDialog, name, staticmethod(lambda *_a, _r=result, **_k: _r))


def asked(monkeypatch: pytest.MonkeyPatch, choose: Any) -> None:
    """AskDialog.ask answered by ``choose(label, items)``."""

    def ask(_parent: Any, _title: str, label: str, _text: str = "", *, items: Any = None,
            **_k: Any) -> Any:  # fmt: skip
        return choose(label, items), True

    monkeypatch.setattr("gui.ask_dialog.AskDialog.ask", staticmethod(ask))


def by_words(project: Project) -> set[tuple[str, str, str]]:
    """Each coding as (code path, coder, the words it codes: the whole text or its span)."""
    paths = {c.id: c.path for c in project.codebook.codes()}
    out = set()
    for cd in project.codebook.codings():
        text = project.transcript.get_segment(cd.segment_id).text
        words = text if cd.start_cp is None else text[cd.start_cp : cd.end_cp]
        out.add((paths[cd.code_id], cd.coder, words))
    return out


def qdpx_codings(path: Path) -> set[tuple[str, str, str]]:
    """The codings a .qdpx holds, as (code path, coder, the words of its selection)."""
    import zipfile
    from xml.etree import ElementTree

    ns = {"q": "urn:QDA-XML:project:1.0"}
    with zipfile.ZipFile(path) as z:
        root = ElementTree.fromstring(z.read("project.qde"))
        texts = {n: z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("sources/")}
    users = {u.get("guid"): u.get("name") for u in root.iterfind(".//q:User", ns)}
    paths: dict[str, str] = {}

    def walk(node: Any, prefix: str) -> None:
        for code in node.findall("q:Code", ns):
            paths[code.get("guid")] = prefix + code.get("name")
            walk(code, paths[code.get("guid")] + "/")

    walk(root.find(".//q:Codes", ns), "")
    out = set()
    for source in root.iterfind(".//q:TextSource", ns):
        text = texts["sources/" + source.get("plainTextPath").removeprefix("internal://")]
        for sel in source.iterfind("q:PlainTextSelection", ns):
            words = text[int(sel.get("startPosition")) : int(sel.get("endPosition"))]
            for coding in sel.iterfind("q:Coding", ns):
                code = paths[coding.find("q:CodeRef", ns).get("targetGUID")]
                out.add((code, users[coding.get("creatingUser")], words))
    return out


def db_sha256(folder: Path) -> str:
    """The project database's bytes (and its write-ahead log's), hashed."""
    import hashlib

    digest = hashlib.sha256()
    for name in ("project.db", "project.db-wal"):
        if (folder / name).is_file():
            digest.update((folder / name).read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize("size", [(1024, 700), (1366, 768)])
def test_a_team_s_whole_task_in_the_window(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    idle: Any,
    size: tuple[int, int],
) -> None:
    """The lead makes the project (ru, kk, en), imports a transcript in Russian and Kazakh,
    builds a codebook (a code with sub-codes, a colour) and exports a bundle for each coder;
    each coder starts a project from it, makes a code of their own (the same name), codes
    whole segments and words, writes a memo, types words in front of a segment coded on a
    span and sends a bundle back; the lead merges both (the menu's default choice), reads
    each code's kappa (computed here from the codings), removes a coding to settle a
    disagreement, undoes and redoes it, and exports the codings (CSV, Excel) and a .qdpx,
    which hold what the database holds. A damaged bundle and another project's are refused
    with one message each, the database's bytes unchanged."""
    from gui.exchange import ExportOptionsDialog
    from gui.memos import MemoDialog
    from gui.onboarding import NewProjectDialog
    from gui.team_actions import BundleExportDialog
    from tests.gui.gui_helpers import main_window
    from tests.gui.test_researcher_day import _typed

    tag = f"{size[0]}x{size[1]}"
    source = tmp_path / "Фокус-группа.srt"
    source.write_text(SRT, encoding="utf-8")
    lead_folder = tmp_path / "Емхана.fieldscribe"

    def fill(dialog: NewProjectDialog) -> int:
        dialog.show()
        dialog.coder.setText("lead")
        type_text(dialog.languages.edit, "ru, kk, en")
        dialog.accept()
        return int(dialog.result())

    no_fit(monkeypatch)
    monkeypatch.setattr(NewProjectDialog, "exec", fill)
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *_a, **_k: YES))
    monkeypatch.setattr(QDialog, "exec", lambda _self: 1)  # the import's kind: as offered
    monkeypatch.setattr(BundleExportDialog, "exec", lambda _self: 1)
    monkeypatch.setattr(ExportOptionsDialog, "exec", lambda _self: 1)
    answer_files(monkeypatch, getSaveFileName=lead_folder, getOpenFileName=source)
    with main_window(qtbot, qsettings, fake_transcriber) as w:
        w.resize(*size)
        menu_entry(w, "File", "New project").trigger()
        idle(w)
        lead = w.project
        assert lead is not None and lead.languages == ["ru", "kk", "en"], w.last_error
        w.resize(*size)
        menu_entry(w, "File", "as a new session").trigger()
        idle(w)
        (session,) = lead.sessions.all()
        segs = lead.transcript.segments(session.id)
        assert [s.language for s in segs] == ["ru", "kk", "ru", "kk", "ru"]
        assert segs[1].speaker == "Әлия" and segs[1].text.startswith("Біздің ауылда")
        w.sessions.open_session(session.id)
        idle(w)
        shot(w, f"{tag}-01-lead-imported")
        names = iter(["Доступ", "Емхана", "Тіл", "Интернет"])
        asked(monkeypatch, lambda _l, _i: next(names))
        cb = w.codebook
        cb.act_new.trigger()
        idle(w)
        top = lead.codebook.find_code("Доступ")
        assert top is not None
        for _ in range(2):
            cb.select_code(top.id)
            cb.act_sub.trigger()
            idle(w)
        cb.act_new.trigger()
        idle(w)
        red = QColor("#c0392b")
        monkeypatch.setattr(QColorDialog, "getColor", staticmethod(lambda *_a, **_k: red))
        clinic = lead.codebook.find_code(E)
        assert clinic is not None and clinic.parent_id == top.id
        cb.select_code(clinic.id)
        cb.act_colour.trigger()
        idle(w)
        assert {c.path for c in lead.codebook.codes()} == {"Доступ", E, T, NET}
        assert lead.codebook.find_code(E).colour.lower() == "#c0392b"  # type: ignore[union-attr]
        shot(w, f"{tag}-02-lead-codebook")
        bundles = {}
        for name in PLANS:
            answer_files(monkeypatch, getSaveFileName=tmp_path / f"for-{name}")
            menu_entry(w, "Team", "Export a bundle").trigger()
            idle(w)
            bundles[name] = tmp_path / f"for-{name}.fsbundle"
            assert bundles[name].is_file(), w.statusBar().currentMessage()

    for name, plan in PLANS.items():  # each coder on a laptop of their own
        qsettings.setValue("coder", name)
        with main_window(qtbot, qsettings, fake_transcriber) as c:
            answer_files(
                monkeypatch, getOpenFileName=bundles[name], getSaveFileName=tmp_path / name
            )
            menu_entry(c, "File", "New project from a team bundle").trigger()
            idle(c)
            mine = c.project
            assert mine is not None and mine.coder == name, c.last_error
            c.resize(*size)
            (sess,) = mine.sessions.all()
            c.sessions.open_session(sess.id)
            idle(c)
            asked(monkeypatch, lambda _l, _i: Q)
            c.codebook.act_new.trigger()  # a code of their own: both give it the same name
            idle(c)
            for row, path, words in plan:
                code = mine.codebook.find_code(path)
                assert code is not None
                c.codebook.select_code(code.id)
                c.transcript.go_to_row(row)
                idle(c)
                if words is not None:
                    at = c.segment_editor.toPlainText().index(words)
                    c.segment_editor.select_cp(at, at + len(words))
                menu_entry(c, "Code", "Code selection with the current code").trigger()
                idle(c)
            shot(c, f"{tag}-03-{name}-coded")
            c.transcript.go_to_row(1)
            menu_entry(c, "Memos", "Segment memos").trigger()
            (memo,) = [d for d in c.findChildren(MemoDialog) if d.isVisible()]
            type_text(memo.text, "емхана алыс — далеко")
            memo.save()
            idle(c)
            shot(memo, f"{tag}-04-{name}-memo")
            memo.reject()
            row, typed = EDITS[name]
            c.transcript.go_to_row(row)
            idle(c)
            menu_entry(c, "Edit", "Edit segment text").trigger()
            c.segment_editor.select_cp(0, 0)
            type_text(c.segment_editor, typed)
            QTest.keyClick(c.segment_editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            idle(c)
            assert mine.transcript.segments(sess.id)[row].text.startswith(typed)
            spans = {words for _p, _c, words in by_words(mine)}
            assert {w for _r, _p, w in plan if w} <= spans  # each span on its words still
            (note,) = mine.codebook.memos()
            assert note.text == "емхана алыс — далеко"
            shot(c, f"{tag}-05-{name}-edited")
            answer_files(monkeypatch, getSaveFileName=tmp_path / f"from-{name}")
            menu_entry(c, "Team", "Export a bundle").trigger()
            idle(c)
            assert (tmp_path / f"from-{name}.fsbundle").is_file(), c.statusBar().currentMessage()

    qsettings.setValue("coder", "lead")
    with main_window(qtbot, qsettings, fake_transcriber, Project.open(lead_folder)) as w:
        w.resize(*size)
        lead = w.project
        back = [tmp_path / f"from-{name}.fsbundle" for name in PLANS]
        answer_files(monkeypatch, getOpenFileNames=back)
        menu_entry(w, "Team", "Merge bundles into this project").trigger()  # as it comes
        idle(w)
        assert w.last_error == "" and "Merged 2 bundles" in w.team_actions.last_report
        (sess,) = lead.sessions.all()
        w.sessions.open_session(sess.id)
        idle(w)
        segs = lead.transcript.segments(sess.id)
        expected = {
            (path, name, words or segs[row].text) for name, plan in PLANS.items()
            for row, path, words in plan
        }  # fmt: skip
        assert by_words(lead) == expected  # one Кезек, both spans on their words
        assert len(lead.codebook.memos()) == 2
        panel = w.extra_panels.show_agreement()
        differing = w.extra_panels.show_disagreements()

        def truth() -> dict[str, tuple[float, float]]:
            """Each applied code's kappa and alpha and the pooled ones ("(all codes)"),
            computed here from the database's codings."""
            paths = {c.id: c.path for c in lead.codebook.codes()}
            coded = {(cd.coder, cd.segment_id, paths[cd.code_id]) for cd in lead.codebook.codings()}
            one, two = PLANS
            values = {
                path: (
                    [int((one, s.id, path) in coded) for s in segs],
                    [int((two, s.id, path) in coded) for s in segs],
                )
                for path in {p for _c, _s, p in coded}
            }
            pooled = (
                [x for a, _b in values.values() for x in a],
                [y for _a, b in values.values() for y in b],
            )
            return {
                path: (round(kappa(a, b), 3), round(alpha(a, b), 3))
                for path, (a, b) in {**values, "(all codes)": pooled}.items()
            }

        def shown() -> dict[str, tuple[float, float]]:
            return {
                row[0]: (float(row[3]), float(row[4]))
                for row in panel.shown()[:-1]
                if row[3] not in (None, "n/a")
            }

        def to_discuss() -> int:
            """(segment, code)s the two coders coded differently: one of them only, or
            each on other words (a whole segment against a span)."""
            covers: dict[tuple[str, str], dict[str, tuple[int, int]]] = {}
            for cd in lead.codebook.codings():
                text = lead.transcript.get_segment(cd.segment_id).text
                span = (cd.start_cp or 0, len(text) if cd.end_cp is None else cd.end_cp)
                covers.setdefault((cd.segment_id, cd.code_id), {})[cd.coder] = span
            return sum(len(set(by.values())) > 1 or len(by) == 1 for by in covers.values())

        def agree() -> None:
            want, rows = truth(), to_discuss()
            qtbot.waitUntil(lambda: shown() == want, timeout=5000)
            qtbot.waitUntil(lambda: differing.model.rowCount() == rows, timeout=5000)

        agree()
        assert truth()[T] == (0.545, 0.571) and truth()[Q] == (1.0, 1.0) and to_discuss() == 4
        shot(w, f"{tag}-06-lead-agreement")
        w.transcript.go_to_row(1)  # the lead settles Тіл on the second segment: not Тіл
        idle(w)
        asked(monkeypatch, lambda _l, items: next(i for i in items if T in i and "Болат" in i))
        menu_entry(w, "Code", "Remove a coding").trigger()
        idle(w)
        assert len(lead.codebook.codings()) == 9
        agree()
        assert truth()[T] == (1.0, 1.0) and to_discuss() == 3
        shot(w, f"{tag}-07-lead-settled")
        menu_entry(w, "Edit", "Undo").trigger()
        idle(w)
        assert len(lead.codebook.codings()) == 10
        agree()
        menu_entry(w, "Edit", "Redo").trigger()
        idle(w)
        assert len(lead.codebook.codings()) == 9
        agree()
        import csv

        from openpyxl import load_workbook

        held = by_words(lead)
        for kind in ("csv", "xlsx", "qdpx"):
            offered: list[str] = []
            save = _typed(tmp_path / "merged", kind, offered)
            monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save))
            entry = "Export as REFI-QDA" if kind == "qdpx" else "Export codings"
            menu_entry(w, "File", entry).trigger()
            idle(w)
            assert (tmp_path / f"merged.{kind}").is_file(), w.statusBar().currentMessage()
        with open(tmp_path / "merged.csv", encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert {(r["code"], r["coder"], r["coded_text"]) for r in rows} == held
        assert {r["coding_id"] for r in rows} == {cd.id for cd in lead.codebook.codings()}
        sheet = load_workbook(tmp_path / "merged.xlsx", read_only=True).worksheets[0]
        table = list(sheet.iter_rows(values_only=True))
        col = {name: table[0].index(name) for name in ("code", "coder", "coded_text")}
        got = {(r[col["code"]], r[col["coder"]], r[col["coded_text"]]) for r in table[1:]}
        assert got == held
        assert qdpx_codings(tmp_path / "merged.qdpx") == held

        # refused: a damaged file and another project's bundle, one message each
        damaged = tmp_path / "damaged.fsbundle"
        damaged.write_bytes(back[0].read_bytes()[:500])
        other = Project.create(tmp_path / "other.fieldscribe", name="Басқа", coder="x")
        other.sessions.add_session("Басқа зерттеу")
        from storage.team.bundle_export import export_bundle

        export_bundle(other, tmp_path / "other.fsbundle")
        other.close()
        idle(w)
        before = db_sha256(lead_folder)
        codings = len(lead.codebook.codings())
        for name, says in (("damaged.fsbundle", "damaged"), ("other.fsbundle", "another project")):
            for box in w.findChildren(QMessageBox):
                box.close()
            qtbot.waitUntil(lambda: not [b for b in w.findChildren(QMessageBox) if b.isVisible()])
            w.chrome.last_error = ""
            answer_files(monkeypatch, getOpenFileNames=[tmp_path / name])
            menu_entry(w, "Team", "Merge bundles into this project").trigger()
            idle(w)
            boxes = [b for b in w.findChildren(QMessageBox) if b.isVisible()]
            assert len(boxes) == 1 and boxes[0].text() == w.last_error, w.last_error
            assert name in w.last_error and says in w.last_error, w.last_error
            assert "nothing" in w.last_error.lower() and "…." not in w.last_error, w.last_error
            shot(boxes[0], f"{tag}-08-refused-{name}")
            assert w.project is lead and db_sha256(lead_folder) == before
            assert len(lead.codebook.codings()) == codings
