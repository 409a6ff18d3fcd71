"""The codebook's Links list shows the selected code's links both ways; Add link… asks the
other code, the name and the direction and links them, Remove link removes the selected one,
and Edit ▸ Undo/Redo take either back; at 1024x700 the list shows its rows whole and its
buttons in sight. Before, links were kept only for .qdpx exports and not shown anywhere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gui.ask_dialog import AskDialog
from gui.link_actions import DIRECTIONS
from gui.models.links import LinkListModel, seen_from
from storage import Project, SegmentDraft
from tests.gui.test_laptop_panels import _laptop

CODES = ("Очереди", "Доверие", "Услуги/Денсаулық")


@pytest.fixture
def project(tmp_path: Path, speech_wav: Path) -> Iterator[Project]:
    with Project.create(tmp_path / "Almaty.fieldscribe", name="Almaty", coder="aigerim") as p:
        s = p.sessions.import_audio(speech_wav, kind="focus_group", title="Focus group")
        drafts = [SegmentDraft(i * 400, i * 400 + 350, "Очередь большая.") for i in range(8)]
        segs = p.transcript.add_segments(s.id, drafts)
        for seg, path in zip(segs, CODES, strict=False):
            p.codebook.apply_code(seg.id, p.codebook.ensure_code_path(path).id)
        queues, trust = p.codebook.find_code(CODES[0]), p.codebook.find_code(CODES[2])
        assert queues is not None and trust is not None
        p.links.add(("code", queues.id), ("code", trust.id), "is part of")
        yield p


def _rows(w: Any) -> list[str]:
    model = w.codebook.links.model
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())]


def test_the_list_reads_each_link_from_the_selected_code(project: Project) -> None:
    a, b = (project.codebook.find_code(c) for c in CODES[:2])
    assert a is not None and b is not None
    link = project.links.add(("code", a.id), ("code", b.id), "is cause of")
    assert seen_from(link, a.id) == "→ is cause of → Доверие"
    assert seen_from(link, b.id) == "Очереди → is cause of →"
    model = LinkListModel()
    model.load(project.links.all())
    model.show_code(b.id)
    assert model.rowCount() == 1
    model.show_code(None)
    assert model.rowCount() == 0


@pytest.mark.parametrize("size", [(1024, 700), (1366, 768)])
def test_add_undo_redo_and_remove_links_in_the_codebook(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    project: Project,
    size: tuple[int, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w = _laptop(qtbot, qsettings, fake_transcriber, project, size, monkeypatch)
    cb = w.codebook
    code = {c.path: c.id for c in cb.model.codes()}
    assert not cb.act_unlink.isEnabled()
    cb.select_code(code["Очереди"])
    qtbot.waitUntil(lambda: _rows(w) == ["→ is part of → Услуги/Денсаулық"])
    assert cb.links.title.text() == "Links of “Очереди” (1)"
    # fits: the list's rows whole, both buttons inside the panel
    view = cb.links.view
    assert view.visualRect(cb.links.model.index(0, 0)).bottom() <= view.viewport().height()
    for button in cb.links.buttons.buttons:
        assert button.isVisible()
        corner = button.mapTo(cb, button.rect().bottomRight())
        assert cb.rect().contains(corner), (button.text(), corner, cb.size())

    answers = iter(
        ["Доверие", "contradicts", next(k for k, v in DIRECTIONS.items() if v == "both")]
    )
    monkeypatch.setattr(AskDialog, "ask", staticmethod(lambda *_a, **_k: (next(answers), True)))
    cb.act_link.trigger()
    qtbot.waitUntil(lambda: len(_rows(w)) == 2)
    assert "↔ contradicts ↔ Доверие" in _rows(w)
    (made,) = [k for k in w.project.links.all() if k.name == "contradicts"]
    assert made.direction == "Bidirectional"
    w.undo_stack.undo()
    qtbot.waitUntil(lambda: len(_rows(w)) == 1)
    assert [k.name for k in w.project.links.all()] == ["is part of"]
    w.undo_stack.redo()
    qtbot.waitUntil(lambda: len(_rows(w)) == 2)
    assert {k.id for k in w.project.links.all()} >= {made.id}  # back with its id

    cb.select_code(code["Доверие"])  # the other end sees it too
    qtbot.waitUntil(lambda: _rows(w) == ["Очереди ↔ contradicts ↔"])
    view.setCurrentIndex(cb.links.model.index(0, 0))
    assert cb.act_unlink.isEnabled()
    cb.act_unlink.trigger()
    qtbot.waitUntil(lambda: _rows(w) == [])
    assert cb.links.title.text() == "No links of “Доверие”"
    w.undo_stack.undo()
    qtbot.waitUntil(lambda: _rows(w) == ["Очереди ↔ contradicts ↔"])


def test_the_same_link_again_is_refused_in_the_status_bar(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, monkeypatch: Any
) -> None:
    w = _laptop(qtbot, qsettings, fake_transcriber, project, (1024, 700), monkeypatch)
    code = {c.path: c.id for c in w.codebook.model.codes()}
    w.editing.links.add_link(code["Услуги/Денсаулық"], code["Очереди"], "is part of")
    qtbot.waitUntil(lambda: "already linked" in w.statusBar().currentMessage())
    assert [k.name for k in w.project.links.all()] == ["is part of"]


@pytest.mark.parametrize("size", [(1024, 700), (1366, 768)])
def test_a_passage_is_linked_from_the_transcript_and_its_hover_shows_the_link(
    qtbot: Any,
    qsettings: Any,
    fake_transcriber: Any,
    project: Project,
    size: tuple[int, int],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Code ▸ Link passage to… (and the transcript's right-click menu) links the current
    segment's coding to a memo, a participant, another passage or a code; undo takes it back;
    the segment editor's hover lists the passage's links. Before, only codes could be
    linked in the window."""
    memo = project.codebook.add_memo("project", None, "Кезек туралы.", title="Кезек")
    w = _laptop(qtbot, qsettings, fake_transcriber, project, size, monkeypatch)
    assert w.editing.act_link_passage in w.transcript.actions()  # right-click "Link passage to…"
    w.transcript.selectRow(0)
    qtbot.waitUntil(lambda: w.segment_editor.segment is not None)
    (coding,) = w.project.codebook.codings(segment_id=w.segment_editor.segment.id)
    asked: list[list[str]] = []

    def answer(_parent: Any, title: str, label: str, text: str, **kw: Any) -> tuple[str, bool]:
        items = list(kw.get("items") or [])
        asked.append(items)
        if label == "Link the passage to:":
            return next(i for i in items if i.startswith("memo")), True
        if label == "Direction:":
            return next(k for k, v in DIRECTIONS.items() if v == "none"), True
        return "is about", True

    monkeypatch.setattr(AskDialog, "ask", staticmethod(answer))
    w.editing.act_link_passage.trigger()
    qtbot.waitUntil(lambda: len(w.project.links.all()) == 2)
    kinds = {item.split(" ")[0] for item in asked[0]}
    assert kinds == {"code", "passage", "memo", "session"}  # no participants in this project
    (made,) = [k for k in w.project.links.all() if k.name == "is about"]
    assert (made.origin.id, made.target.id, made.direction) == (coding.id, memo.id, "Associative")
    assert w.segment_editor.passage_links(coding.id) == ["Link: — is about — memo 'Кезек'"]
    w.segment_editor.grab().save(str(tmp_path / f"editor-{size[0]}.png"))
    w.undo_stack.undo()
    qtbot.waitUntil(lambda: len(w.project.links.all()) == 1)
    assert w.segment_editor.passage_links(coding.id) == []


def test_a_participant_is_linked_from_code_link_as_the_origin(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, monkeypatch: Any
) -> None:
    """Code ▸ Link… asks both ends, of every kind: "participant 'P3' → voices → code
    'Доверие'" is made with the participant first. Before, the window's pickers (Add link…,
    Link passage to…, Link a memo…) fixed the origin as a code, a passage or a memo: a
    participant or a session could be a link's target only."""
    person = project.sessions.add_participant("P3")
    w = _laptop(qtbot, qsettings, fake_transcriber, project, (1024, 700), monkeypatch)
    asked: list[tuple[str, list[str]]] = []

    def answer(_parent: Any, title: str, label: str, text: str, **kw: Any) -> tuple[str, bool]:
        items = list(kw.get("items") or [])
        asked.append((label, items))
        if label == "Link from:":
            return "participant 'P3'", True
        if label.startswith("Link participant 'P3' to:"):
            return "code 'Доверие'", True
        if label == "Direction:":
            return next(k for k, v in DIRECTIONS.items() if v == "one-way"), True
        return "voices", True

    monkeypatch.setattr(AskDialog, "ask", staticmethod(answer))
    w.editing.act_link_any.trigger()
    qtbot.waitUntil(lambda: len(w.project.links.all()) == 2)
    kinds = {item.split(" ")[0] for item in asked[0][1]}
    assert kinds == {"code", "passage", "participant", "session"}  # no memos in this project
    (made,) = [k for k in w.project.links.all() if k.name == "voices"]
    assert (made.origin.kind, made.origin.id) == ("participant", person.id)
    assert made.describe() == "participant 'P3' → voices → code 'Доверие'"
    assert "participant 'P3'" not in asked[1][1]  # not linked to itself
    w.undo_stack.undo()
    qtbot.waitUntil(lambda: len(w.project.links.all()) == 1)


def test_an_open_memo_window_shows_a_link_made_while_it_is_open(
    qtbot: Any, qsettings: Any, fake_transcriber: Any, project: Project, monkeypatch: Any
) -> None:
    """The journal's window, open, shows its memo's links under the editor and follows
    Memos ▸ Link a memo… (and its undo) at once. Before, the window showed no links: a
    memo linked while its window was open looked unlinked there."""
    memo = project.codebook.add_memo("journal", None, "Кезек туралы.", title="Кезек")
    code = project.codebook.find_code("Доверие")
    assert code is not None
    project.links.add(("code", code.id), ("memo", memo.id), "noted in")
    w = _laptop(qtbot, qsettings, fake_transcriber, project, (1024, 700), monkeypatch)
    dialog = w.editing.memos.journal_dialog()
    assert dialog is not None
    assert dialog.links.text() == "Link: code 'Доверие' → noted in →"

    def answer(_parent: Any, title: str, label: str, text: str, **kw: Any) -> tuple[str, bool]:
        if label == "Memo:":
            return "memo 'Кезек'", True
        if label.startswith("Link memo 'Кезек' to:"):
            return "code 'Очереди'", True
        if label == "Direction:":
            return next(k for k, v in DIRECTIONS.items() if v == "none"), True
        return "is about", True

    monkeypatch.setattr(AskDialog, "ask", staticmethod(answer))
    w.editing.links.link_memo_dialog(None)
    want = "Link: code 'Доверие' → noted in →\nLink: — is about — code 'Очереди'"
    qtbot.waitUntil(lambda: dialog.links.text() == want)
    assert dialog.links.isVisible()
    w.undo_stack.undo()
    qtbot.waitUntil(lambda: dialog.links.text() == "Link: code 'Доверие' → noted in →")
    dialog.close()
