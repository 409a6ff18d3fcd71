"""Coding the transcript: apply codes to segments or words, code search hits, and remove,
re-assign or annotate a segment's codings (undoable)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gui.ask_dialog import AskDialog
from gui.code_actions import pick_code
from gui.edit_scope import EditScope
from gui.fmt import plural
from gui.models.segments import SegmentTableModel
from gui.undo import (
    ApplyCodeCommand,
    CodingMemoCommand,
    ReassignCodingCommand,
    RemoveCodingCommand,
)
from storage.core.models import Code, Coding

if TYPE_CHECKING:
    from gui.link_actions import LinkActions


def codings_with_codes(model: SegmentTableModel, segment_id: str) -> list[tuple[Coding, Code]]:
    """A segment's codings, each with its code (codings of codes not read yet left out)."""
    return [
        (c, code)
        for c in model.codings_for(segment_id)
        if (code := model.code(c.code_id)) is not None
    ]


class CodingActions:
    """Turns the Code menu's and the codebook's coding requests into undoable commands."""

    def __init__(
        self,
        scope: EditScope,
        current_segment: Callable[[], Any],
    ) -> None:
        self.state, self.chrome, self.views = scope.state, scope.chrome, scope.views
        self._push = scope.push
        self.current_segment = current_segment

    def coding_target(self) -> tuple[list[str], tuple[int, int] | None]:
        """What a code applies to: several rows, a selected span, or the current segment."""
        rows = self.views.transcript.selected_segments()
        span = self.views.segment_editor.selection_cp()
        editor_seg = self.views.segment_editor.segment
        if len(rows) <= 1 and span is not None and editor_seg is not None:
            return [editor_seg.id], span
        return [s.id for s in rows], None

    def apply_code(self, code_id: str) -> None:
        """Code the current target with a code (undoable)."""
        if self.state.ctx is None:
            return
        self.views.segment_editor.commit()
        segment_ids, span = self.coding_target()
        if not segment_ids:
            self.chrome.message("Select segments or words to code first.", 4000)
            return
        code = self.views.segment_model.code(code_id)
        name = code.name if code else "code"
        what = "words" if span else plural(len(segment_ids), "segment")
        self._push(
            ApplyCodeCommand(self.state.ctx, code_id, segment_ids, span, f"Code {what}: {name}")
        )

    def code_search_hits_dialog(self, segment_ids: list[str]) -> None:
        """Search and code: ask for a code (the codebook's current one first), code the hits."""
        codes = self.views.codebook.model.codes()
        if not codes:
            self.chrome.message("The codebook is empty: add a code first (Code ▸ New code).", 5000)
            return
        current = self.views.codebook.current_code()
        codes.sort(key=lambda c: current is None or c.id != current.id)
        prompt = f"Code {plural(len(segment_ids), 'segment')} found with:"
        chosen = pick_code(self.chrome.window, codes, "Code search hits", prompt)
        if chosen is not None:
            self.code_search_hits(segment_ids, chosen.id)

    def code_search_hits(self, segment_ids: list[str], code_id: str) -> None:
        """Code whole segments found by a search, in any session (one undoable step)."""
        if self.state.ctx is None or not segment_ids:
            return
        model = self.views.codebook.model
        code = model.code(model.index_of(code_id))
        name = code.name if code else "code"
        label = f"Code {plural(len(segment_ids), 'search hit')}: {name}"
        self._push(
            ApplyCodeCommand(
                self.state.ctx, code_id, list(segment_ids), None, label, say_found=True
            )
        )

    def apply_current_code(self) -> None:
        code = self.views.codebook.current_code()
        if code is None:  # said, not silently ignored
            self.chrome.message(
                "Select a code in the codebook first: the selection is coded with it.", 5000
            )
            return
        self.apply_code(code.id)

    def codes_dropped(self, code_ids: list[str], segment_ids: list[str]) -> None:
        if self.state.ctx is None:
            return
        selected = [s.id for s in self.views.transcript.selected_segments()]
        targets = selected if segment_ids[0] in selected else segment_ids
        for code_id in code_ids:
            self._push(ApplyCodeCommand(self.state.ctx, code_id, targets, None, "Code (drop)"))

    def _pick_coding(self, title: str) -> Coding | None:
        seg = self.current_segment()
        if seg is None:  # said, not silently ignored
            self.chrome.message(f"{title}: select the coded segment in the transcript first.", 5000)
            return None
        items = codings_with_codes(self.views.segment_model, seg.id)
        if not items:
            self.chrome.message("This segment has no codings.", 3000)
            return None
        labels = []
        for coding, code in items:
            where = (
                "" if coding.start_cp is None else f" “{seg.text[coding.start_cp : coding.end_cp]}”"
            )
            labels.append(f"{code.path}{where} · {coding.coder}")
        if len(items) == 1:
            return items[0][0]
        label, ok = AskDialog.ask(self.chrome.window, title, "Coding:", labels[0], items=labels)
        return items[labels.index(label)][0] if ok else None

    def _refused(self, coding: Coding, change: str) -> bool:
        """Say why this coder may not ``change`` another coder's coding (a coding is its
        coder's: ``Codebook.coding_refusal``), in the status bar; True when refused."""
        assert self.state.ctx is not None
        refusal = self.state.ctx.project.codebook.coding_refusal(coding.coder, change)
        if refusal is not None:  # said, not silently ignored; nothing opens
            self.chrome.message(refusal.replace(" Nothing was changed.", ""), 10000)
        return refusal is not None

    def remove_coding_dialog(self) -> None:
        coding = self._pick_coding("Remove a coding")
        if coding is None or self.state.ctx is None or self._refused(coding, "remove"):
            return
        self._push(RemoveCodingCommand(self.state.ctx, coding))

    def reassign_coding_dialog(self) -> None:
        coding = self._pick_coding("Re-assign a coding")
        if coding is None or self.state.ctx is None or self._refused(coding, "re-assign"):
            return
        codes = self.views.codebook.model.codes()
        paths = [c.path for c in codes]
        path, ok = AskDialog.ask(
            self.chrome.window, "Re-assign coding", "New code:", paths[0], items=paths
        )
        if ok:
            self._push(ReassignCodingCommand(self.state.ctx, coding, codes[paths.index(path)].id))

    def link_passage_dialog(self, links: LinkActions) -> None:
        """Link one of the current segment's codings (a passage) to a code, another passage, a
        memo, a participant or the session (``LinkActions.link_passage_dialog``)."""
        coding = self._pick_coding("Link passage to")
        seg = self.current_segment()
        if coding is not None and seg is not None:
            links.link_passage_dialog(coding.id, seg.session_id)

    def coding_memo_dialog(self) -> None:
        coding = self._pick_coding("Coding memo")
        if coding is None or self.state.ctx is None:
            return
        refusal = self.state.ctx.project.codebook.memo_refusal(coding.coder)
        if refusal is not None:  # read it, not write it: said, not silently ignored
            said = f" Its memo: “{coding.memo}”." if coding.memo else " It has no memo."
            self.chrome.message(refusal.replace(" Nothing was changed.", "") + said, 10000)
            return
        text, ok = AskDialog.ask(
            self.chrome.window, "Coding memo", "Memo:", coding.memo or "", multiline=True
        )
        if ok and text != (coding.memo or ""):
            self._push(CodingMemoCommand(self.state.ctx, coding, text))
