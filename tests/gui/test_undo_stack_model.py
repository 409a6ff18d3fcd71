"""The workbench's undo stack against a model: any run of edits, undos and redos.

The edits are the workbench's own commands (``gui.undo``: text edits, splits, merges,
languages, speakers, coding whole segments and spans, removing and re-assigning codings,
coding memos, new, renamed, merged and deleted codes), each run, undone and redone through
its ``forward``/``backward`` as the ``QUndoStack`` does (without the task runner). The
model is an undo stack of the whole project's states: after an undo the project is exactly
as it was before that edit (every segment, coding, code and memo, ids and creation stamps
included, not only the rows the edit meant to touch), after a redo exactly as after it, and
a new edit after undos drops the edits undone. A command whose scope missed a row it changes
leaves that row behind on undo and fails here.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import gui  # noqa: F401  (Qt set up first)
from gui import undo
from storage import Project, SegmentDraft
from storage.core.errors import FieldScribeError

TEXTS = [
    "Ну, акимат нам не помогает, честно говоря.",
    "Біз ауылда тұрамыз, жол жоқ.",
    "We call it the single window, одно окно.",
    "Ақпарат жоқ, никто не объясняет.",
]
_TABLES = {
    "segments": "id",
    "codings": "id",
    "codes": "id",
    "memos": "id",
}
_SKIP = {"seq", "updated_at"}  # a row written back is a new version: it gets a fresh stamp


def _state(project: Project) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables an edit may touch, but their version stamps."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    for table, key in _TABLES.items():
        columns = [c for c in project.db[table].columns_dict if c not in _SKIP]
        rows = project.db.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {key}")
        out[table] = [tuple(r) for r in rows.fetchall()]
    return out


class _Ctx:
    """What the commands read from their context when run directly (no runner, no stack)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.ids = undo.IdMap()
        self.stack = None


class UndoStackModel(RuleBasedStateMachine):
    """Edits, undos and redos; the project always equals the model's state at its index."""

    def __init__(self) -> None:
        super().__init__()
        self.folder: Path | None = None
        self.project: Project | None = None

    @initialize(folder=st.builds(lambda: Path(tempfile.mkdtemp())))
    def start(self, folder: Path) -> None:
        self.folder = folder
        self.project = Project.create(folder / "p.fieldscribe", name="p", coder="coder-a")
        session = self.project.sessions.add_session("Focus group")
        self.sid = session.id
        self.project.transcript.add_segments(
            session.id,
            [
                SegmentDraft(i * 4000, i * 4000 + 3500, text, speaker=f"Speaker {i % 2 + 1}")
                for i, text in enumerate(TEXTS)
            ],
        )
        for name in ("Акимат", "Roads", "Trust"):
            self.project.codebook.add_code(name)
        self.ctx = _Ctx(self.project)
        self.commands: list[Any] = []  # the stack
        self.index = 0  # commands[:index] are done
        self.states = [_state(self.project)]  # states[i]: after the first i commands

    def teardown(self) -> None:
        if self.project is not None:
            self.project.close()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    # ------------------------------------------------------------------ helpers
    def _segments(self) -> list[Any]:
        assert self.project is not None
        return self.project.transcript.segments(self.sid)

    def _codes(self) -> list[Any]:
        assert self.project is not None
        return self.project.codebook.codes()

    def _codings(self) -> list[Any]:
        assert self.project is not None
        return self.project.codebook.codings(session_id=self.sid)

    def _push(self, command: Any) -> None:
        """Run a new command as ``QUndoStack.push`` does: its redo, after the undone ones go."""
        assert self.project is not None
        before = _state(self.project)
        try:
            command.forward(self.project)
        except FieldScribeError:  # refused (say, nothing to split there): nothing changed
            assert _state(self.project) == before
            return
        del self.commands[self.index :]
        del self.states[self.index + 1 :]
        self.commands.append(command)
        self.index += 1
        self.states.append(_state(self.project))

    # ------------------------------------------------------------------ edits
    @rule(pick=st.integers(0, 99), how=st.sampled_from(["append", "cut", "replace", "clear"]))
    def edit_text(self, pick: int, how: str) -> None:
        segs = self._segments()
        seg = segs[pick % len(segs)]
        words = seg.text.split()
        new = {
            "append": f"{seg.text} жоқ",
            "cut": " ".join(words[1:]),
            "replace": "Совсем другой ответ про дороги.",
            "clear": "",
        }[how]
        if new != seg.text:
            self._push(undo.EditTextCommand(self.ctx, seg.id, seg.text, new))

    @rule(pick=st.integers(0, 99), at=st.integers(1, 9))
    def split(self, pick: int, at: int) -> None:
        segs = self._segments()
        seg = segs[pick % len(segs)]
        spaces = [i for i, ch in enumerate(seg.text) if ch == " "]
        if spaces:
            cp = spaces[at % len(spaces)] + 1
            ms = seg.start_ms + (seg.end_ms - seg.start_ms) * cp // max(1, len(seg.text))
            self._push(undo.SplitCommand(self.ctx, seg, cp, ms))

    @rule(pick=st.integers(0, 99))
    def merge(self, pick: int) -> None:
        segs = self._segments()
        if len(segs) > 1:
            i = pick % (len(segs) - 1)
            self._push(undo.MergeCommand(self.ctx, segs[i], segs[i + 1]))

    @rule(pick=st.integers(0, 99), code=st.integers(0, 99), word=st.integers(0, 9))
    def code(self, pick: int, code: int, word: int) -> None:
        segs, codes = self._segments(), self._codes()
        if not codes:
            return
        seg = segs[pick % len(segs)]
        span = None
        starts = [0] + [i + 1 for i, ch in enumerate(seg.text) if ch == " "]
        if word and seg.text:
            start = starts[word % len(starts)]
            end = seg.text.find(" ", start)
            span = (start, len(seg.text) if end < 0 else end)
            if span[0] == span[1]:
                return
        self._push(undo.ApplyCodeCommand(self.ctx, codes[code % len(codes)].id, [seg.id], span))

    @rule(pick=st.integers(0, 99))
    def remove_coding(self, pick: int) -> None:
        codings = self._codings()
        if codings:
            self._push(undo.RemoveCodingCommand(self.ctx, codings[pick % len(codings)]))

    @rule(pick=st.integers(0, 99), memo=st.sampled_from(["", "жол жоқ — важно", "check"]))
    def coding_memo(self, pick: int, memo: str) -> None:
        codings = self._codings()
        if codings:
            self._push(undo.CodingMemoCommand(self.ctx, codings[pick % len(codings)], memo))

    @rule(pick=st.integers(0, 99), code=st.integers(0, 99))
    def reassign(self, pick: int, code: int) -> None:
        codings, codes = self._codings(), self._codes()
        if codings and codes:
            coding = codings[pick % len(codings)]
            self._push(undo.ReassignCodingCommand(self.ctx, coding, codes[code % len(codes)].id))

    @rule(pick=st.integers(0, 99), language=st.sampled_from(["ru", "kk", "en"]))
    def language(self, pick: int, language: str) -> None:
        segs = self._segments()
        self._push(undo.LanguageCommand(self.ctx, [segs[pick % len(segs)].id], language))

    @rule(pick=st.integers(0, 99), label=st.sampled_from([None, "Speaker 1", "Amina"]))
    def speaker(self, pick: int, label: str | None) -> None:
        seg = self._segments()[pick % len(self._segments())]
        self._push(undo.SpeakerCommand(self.ctx, {seg.id: seg.speaker}, label))

    @rule(name=st.sampled_from(["Жол", "Roads", "Corruption"]), parent=st.integers(-1, 99))
    def add_code(self, name: str, parent: int) -> None:
        codes = self._codes()
        parent_id = codes[parent % len(codes)].id if parent >= 0 and codes else None
        self._push(undo.AddCodeCommand(self.ctx, name, parent_id))

    @rule(pick=st.integers(0, 99), name=st.sampled_from(["Әкімдік", "Trust (public)"]))
    def rename_code(self, pick: int, name: str) -> None:
        codes = self._codes()
        if codes:
            code = codes[pick % len(codes)]
            self._push(
                undo.UpdateCodeCommand(
                    self.ctx, code.id, {"name": code.name}, {"name": name}, "Rename code"
                )
            )

    @rule(source=st.integers(0, 99), into=st.integers(0, 99))
    def merge_codes(self, source: int, into: int) -> None:
        codes = self._codes()
        if len(codes) > 1:
            s, t = codes[source % len(codes)], codes[into % len(codes)]
            if s.id != t.id:
                self._push(undo.MergeCodesCommand(self.ctx, s.id, t.id))

    @rule(pick=st.integers(0, 99))
    def delete_code(self, pick: int) -> None:
        codes = self._codes()
        if codes:
            self._push(undo.DeleteCodeCommand(self.ctx, codes[pick % len(codes)].id, force=True))

    # ------------------------------------------------------------------ the stack
    @precondition(lambda self: self.index > 0)
    @rule()
    def undo(self) -> None:
        assert self.project is not None
        self.index -= 1
        self.commands[self.index].backward(self.project)

    @precondition(lambda self: self.index < len(self.commands))
    @rule()
    def redo(self) -> None:
        assert self.project is not None
        self.commands[self.index].forward(self.project)
        self.index += 1

    @invariant()
    def project_is_the_models_state(self) -> None:
        if self.project is not None:
            assert _state(self.project) == self.states[self.index]


UndoStackModel.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_undo_stack_is_a_stack_of_whole_project_states = UndoStackModel.TestCase
