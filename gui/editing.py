"""Transcript editing, coding and memos: the Edit, Playback, Code and Memos menus and what they do.

``EditingController`` turns the user's edits into undoable commands (``gui.undo``) on the
``AppState``'s edit context and brings the views up to date with each command's ``Outcome``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeySequence, QUndoStack
from PySide6.QtWidgets import QColorDialog, QInputDialog, QMessageBox

from gui.app_state import AppState
from gui.chrome import WindowChrome
from gui.fmt import fmt_ms, plural, timestamp_tag
from gui.languages import choose_language
from gui.memos import MemoDialog
from gui.project_docks import ProjectDocks
from gui.qtcompat import emit
from gui.sessions import SessionsController
from gui.settings import Settings
from gui.speaker_strip import SpeakerStripController
from gui.tasks import TaskRunner
from gui.undo import (
    AddCodeCommand,
    ApplyCodeCommand,
    CodingMemoCommand,
    DeleteCodeCommand,
    EditTextCommand,
    LanguageCommand,
    MergeCodesCommand,
    MergeCommand,
    Outcome,
    ReassignCodingCommand,
    RemoveCodingCommand,
    SpeakerCommand,
    SplitCommand,
    UpdateCodeCommand,
)
from gui.views import WorkbenchViews
from storage.codebook.retrieval import CodingColumns
from storage.core.languages import language_name
from storage.core.models import Code, Coding

if TYPE_CHECKING:
    from gui.speaker_panel import SpeakerPanel  # imported with its dock, when it opens


class EditingController:
    """Edits of the transcript and the codebook, codings, memos; applies edit outcomes."""

    def __init__(
        self,
        state: AppState,
        chrome: WindowChrome,
        runner: TaskRunner,
        undo_stack: QUndoStack,
        settings: Settings,
        views: WorkbenchViews,
        docks: ProjectDocks,
        sessions: SessionsController,
        strip: SpeakerStripController,
        *,
        speaker_panel: Callable[[], SpeakerPanel | None] = lambda: None,
    ) -> None:
        self.state = state
        self.chrome = chrome
        self.runner = runner
        self.undo_stack = undo_stack
        self.settings = settings
        self.views = views
        self.docks = docks
        self.sessions = sessions
        self.strip = strip
        # called after an edit changed codings (the window refreshes the open team panels)
        self.codings_edited: Callable[[], None] | None = None
        # a code just created (name, parent id): selected once the codebook is read again,
        # so that Sub-code, Colour… and coding apply to it
        self._new_code: tuple[str, str | None] | None = None
        self.speaker_panel = speaker_panel  # the Speakers dock's panel, when it is open
        v = views
        v.transcript.current_row_changed.connect(self._current_row_changed)
        v.transcript.quick_code.connect(self.quick_code)
        v.segment_model.edit_requested.connect(self._edit_requested)
        v.segment_model.codes_dropped.connect(self._codes_dropped)
        v.segment_editor.text_committed.connect(lambda sid, old, new: self.edit_text(sid, new, old))
        v.segment_editor.leave_requested.connect(v.transcript.setFocus)
        self._wire_codebook()

    # ------------------------------------------------------------------ menus
    def build_menus(self) -> None:
        """The Edit, Playback, Code and Memos menus."""
        a = self.chrome.add_menu_action
        player = self.views.player
        edit = self.chrome.menu("&Edit")
        undo = self.undo_stack.createUndoAction(self.chrome.window, "Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self.chrome.window, "Redo")
        redo_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
        if not any(k.toString() == "Ctrl+Y" for k in redo_keys):
            redo_keys.append(QKeySequence("Ctrl+Y"))
        redo.setShortcuts(redo_keys)
        edit.addAction(undo)
        edit.addAction(redo)
        self.act_undo, self.act_redo = undo, redo
        edit.addSeparator()
        a("&Edit", "Split segment at cursor", self.split_at_cursor, "Ctrl+Shift+S")
        a("&Edit", "Merge with next segment", self.merge_with_next, "Ctrl+Shift+M")
        a("&Edit", "Change speaker…", self.change_speaker_dialog, "Ctrl+Shift+K")
        self.act_set_language = a("&Edit", "Set language…", self.set_language_dialog, "Ctrl+L")
        self.views.transcript.addAction(self.act_set_language)
        a("&Edit", "Insert timestamp", self.insert_timestamp, "Ctrl+T")
        a("&Edit", "Edit segment text", self.edit_current_text, "Ctrl+E")
        edit.addSeparator()
        find = self.views.search_panel.focus_query
        self.views.search_panel.code_hits_requested.connect(self.code_search_hits_dialog)
        a("&Edit", "Find in project…", find, QKeySequence.StandardKey.Find)

        p = "&Playback"
        play = a(p, "Play / pause", player.toggle, "F4")
        play.setShortcuts([QKeySequence("F4"), QKeySequence("Ctrl+Space")])
        a(p, "Back", lambda: player.skip(-1), "F3")
        a(p, "Forward", lambda: player.skip(1), "F5")
        a(p, "Play current segment", self.sessions.play_current)
        a(p, "Slower", lambda: player.step_speed(-1), "Ctrl+,")
        a(p, "Faster", lambda: player.step_speed(1), "Ctrl+.")
        a(p, "Normal speed", lambda: player.set_speed(1.0), "Ctrl+0")

        c = "&Code"
        a(c, "New code…", lambda: self.add_code_dialog(None))
        a(c, "Code selection with the current code", self.apply_current_code, "Ctrl+Shift+C")
        self.pin_actions = [
            a(c, f"Pinned code {n}", partial(self.quick_code, n), f"Ctrl+{n}") for n in range(1, 10)
        ]
        self.chrome.menu(c).aboutToShow.connect(self.name_pin_actions)
        self.name_pin_actions()
        a(c, "Remove a coding…", self.remove_coding_dialog)
        a(c, "Re-assign a coding…", self.reassign_coding_dialog)
        a(c, "Coding memo…", self.coding_memo_dialog)

        m = "&Memos"
        a(m, "Project journal…", self.journal_dialog, "Ctrl+J")
        a(m, "Session memos…", self._session_memo)
        a(m, "Segment memos…", self._segment_memo)
        a(m, "Code memos…", lambda: self._code_memo(None))

    def _wire_codebook(self) -> None:
        cb = self.views.codebook
        cb.apply_requested.connect(self.apply_code)
        cb.add_requested.connect(self.add_code_dialog)
        cb.recolour_requested.connect(self.recolour_dialog)
        cb.describe_requested.connect(self.describe_dialog)
        cb.merge_requested.connect(self.merge_code_dialog)
        cb.delete_requested.connect(self.delete_code_dialog)
        cb.memo_requested.connect(self._code_memo)
        cb.pin_requested.connect(self.pin_dialog)
        cb.retrieve_requested.connect(self.docks.retrieve_code)
        cb.model.rename_requested.connect(
            lambda cid, name: self._update_code(cid, {"name": name}, f"Rename code → {name}")
        )
        cb.model.move_requested.connect(
            lambda cid, parent: self._update_code(cid, {"parent_id": parent}, "Move code")
        )

    # ------------------------------------------------------------------ helpers
    def _push(self, command: Any) -> None:
        if self.state.ctx is not None:
            self.undo_stack.push(command)

    def _codings_with_codes(self, segment_id: str) -> list[tuple[Coding, Code]]:
        model = self.views.segment_model
        return [
            (c, code)
            for c in model.codings_for(segment_id)
            if (code := model.code(c.code_id)) is not None
        ]

    def _current_row_changed(self, row: int) -> None:
        model, editor = self.views.segment_model, self.views.segment_editor
        if 0 <= row < model.rowCount():
            seg = model.segment(row)
            editor.show_segment(seg, self._codings_with_codes(seg.id))
        else:
            editor.show_segment(None, [])

    def apply_outcome(self, out: Outcome) -> None:
        """Bring the views up to date after an edit ran."""
        model = self.views.segment_model
        for seg in out.changed:
            if seg.session_id == model.session_id:
                model.replace_segment(seg, out.codings.get(seg.id))
        for seg in out.inserted:
            if seg.session_id == model.session_id and model.row_of(seg.id) < 0:
                model.insert_segment(seg, out.codings.get(seg.id))
        for seg_id in out.removed:
            model.remove_segment(seg_id)
        touched = {s.id for s in out.changed} | {s.id for s in out.inserted}
        for seg_id, codings in out.codings.items():
            if seg_id not in touched:
                model.set_codings(seg_id, codings)
        if out.codebook_changed:
            self.reload_codebook()  # the retrieval follows once the codebook is read
        elif (out.changed or out.inserted or out.removed) and self.docks.retrieval is not None:
            self.docks.retrieval.follow_edits()  # the coded words it quotes
        if out.reload_codings:
            self._reload_codings()
        if out.message:
            self.chrome.message(out.message, 5000)
        if (out.codings or out.reload_codings or out.removed) and self.codings_edited is not None:
            self.codings_edited()
        if out.speakers_changed and self.docks.session_panel is not None:
            self.docks.session_panel.show_session(self.state.session)
        if out.participants_changed:  # what follows the form's edits follows their undo too
            emit(self.docks.details_changed, self.state.session.id if self.state.session else "")
        if out.speakers_changed or out.inserted or out.removed:
            # the speaker list and both timeline strips follow the edit (a split or a merge
            # changes the turns of a session whose timeline comes from its segments)
            panel = self.speaker_panel()
            if panel is not None:
                panel.refresh()
            self.strip.refresh()
        if out.select_segment and model.row_of(out.select_segment) >= 0:
            self.views.transcript.go_to_row(model.row_of(out.select_segment))
        self._current_row_changed(self.views.transcript.currentIndex().row())
        if self.state.session is not None:
            self.sessions.refresh_session_row(self.state.session.id)
            self.sessions.update_transcript_label()

    def reload_codebook(self) -> None:
        """Re-read codes and frequencies (in the background, after pending writes)."""
        if self.state.project is None:
            return
        project = self.state.project

        def job(_ctx: Any) -> tuple[list[Code], dict[str, int], bool, Any]:
            codes = project.codebook.codes()
            blind = project.get_meta("blind_coding") == "1"
            if blind:
                freq = dict(
                    Counter(c.code_id for c in project.codebook.codings(coder=project.coder))
                )
            else:
                freq = project.codebook.code_frequencies()
            filters = (project.retrieval.attribute_values(), [c.name for c in project.coders()])
            return codes, freq, blind, filters

        self.runner.submit("Codebook", job, on_done=self._codebook_loaded, serial=True)

    def _codebook_loaded(self, result: tuple[list[Code], dict[str, int], bool, Any]) -> None:
        codes, freq, blind, filters = result
        current = self.views.codebook.current_code()
        self.views.codebook.model.load(codes, freq)
        self.views.codebook.restore_expansion()  # the branches the user closed stay closed
        # the code just created, once a reading holds it (one begun before it was added
        # does not: it is looked for again in the next)
        created = self._new_code
        new = next((c for c in codes if created and (c.name, c.parent_id) == created), None)
        if new is not None:
            self._new_code = None
            self.views.codebook.select_code(new.id)
        elif current is not None:
            self.views.codebook.select_code(current.id, reveal=False)
        self.views.segment_model.set_codes(codes)
        self.state.blind = blind
        self.views.segment_model.set_visible_coder(
            self.state.project.coder if blind and self.state.project else None
        )
        if self.docks.retrieval is not None:
            self.docks.retrieval.reload_filters(codes, *filters)
        self._current_row_changed(self.views.transcript.currentIndex().row())

    def current_segment(self) -> Any:
        row = self.views.transcript.currentIndex().row()
        return (
            self.views.segment_model.segment(row)
            if 0 <= row < self.views.segment_model.rowCount()
            else None
        )

    # ------------------------------------------------------------------ transcript edits
    def _edit_requested(self, segment_id: str, field: str, value: Any) -> None:
        if field == "text":
            self.edit_text(segment_id, str(value))
        elif field == "speaker" and self.state.ctx is not None:
            seg = self.views.segment_model.segment(self.views.segment_model.row_of(segment_id))
            self._push(SpeakerCommand(self.state.ctx, {segment_id: seg.speaker}, value))

    def edit_text(self, segment_id: str, text: str, old: str | None = None) -> None:
        """Replace a segment's text (undoable); ``old`` is the text the edit started from."""
        row = self.views.segment_model.row_of(segment_id)
        if row < 0 or self.state.ctx is None:
            return
        if old is None:
            old = self.views.segment_model.segment(row).text
        if old != text:
            self._push(EditTextCommand(self.state.ctx, segment_id, old, text))

    def edit_current_text(self) -> None:
        index = self.views.transcript.currentIndex()
        if index.isValid():
            self.views.segment_editor.setFocus()
        else:
            self.chrome.message("Select the segment to edit first.", 4000)

    def split_at_cursor(self) -> None:
        """Split the current segment where the text cursor is."""
        seg = self.views.segment_editor.segment
        if seg is None or self.state.ctx is None:
            self.chrome.message("Select the segment to split first.", 4000)
            return
        cp = self.views.segment_editor.cursor_cp()
        self.views.segment_editor.commit()
        text = self.views.segment_editor.toPlainText()
        if not 0 < cp < len(text):
            self.chrome.message("Put the text cursor inside the text to split.", 4000)
            return
        self._push(SplitCommand(self.state.ctx, replace(seg, text=text), cp, None))

    def merge_with_next(self) -> None:
        """Merge the current segment with the next one."""
        row = self.views.transcript.currentIndex().row()
        model = self.views.segment_model
        if self.state.ctx is None or not 0 <= row < model.rowCount() - 1:
            self.chrome.message("There is no next segment to merge with.", 4000)
            return
        self.views.segment_editor.commit()
        seg, nxt = model.segment(row), model.segment(row + 1)
        self._push(MergeCommand(self.state.ctx, seg, nxt))
        kept = seg.language if seg.text.strip() else nxt.language
        lost = nxt.language if seg.text.strip() and nxt.text.strip() else None
        if kept and lost and lost != kept:
            # the next one's words silently took this one's badge: a language filter no
            # longer finds them, and splitting back keeps the badge on both parts
            self.chrome.message(
                f"Merged: the {language_name(lost)} words are now in a segment marked "
                f"{kept.upper()} ({language_name(kept)}). Undo (Ctrl+Z) separates them again; "
                "Set language (Ctrl+L) marks the whole segment.",
                10000,
            )

    def change_speaker_dialog(self) -> None:
        segments = self.views.transcript.selected_segments()
        if not segments or self.state.ctx is None or self.state.project is None:
            self.chrome.message("Select the segments whose speaker to change.", 4000)
            return
        labels = [
            s.label for s in self.state.project.sessions.session_speakers(segments[0].session_id)
        ]
        current = segments[0].speaker or ""
        items = labels if current in labels else [current, *labels]
        name, ok = QInputDialog.getItem(
            self.chrome.window, "Change speaker", "Speaker:", items, items.index(current), True
        )
        if ok:
            self.set_speaker([s.id for s in segments], name.strip() or None)

    def set_language_dialog(self) -> None:
        """Ask for the language of the selected segments (project languages first)."""
        segments = self.views.transcript.selected_segments()
        project = self.state.project
        if not segments or self.state.ctx is None or project is None:
            self.chrome.message("Select the segments whose language to set.", 4000)
            return
        code = choose_language(self.chrome.window, project.languages, segments[0].language)
        if code is not None:
            self.set_language([s.id for s in segments], code)

    def set_language(self, segment_ids: list[str], language: str) -> None:
        """Set the language of segments (undoable)."""
        if self.state.ctx is not None and segment_ids:
            self._push(LanguageCommand(self.state.ctx, segment_ids, language))

    def set_speaker(self, segment_ids: list[str], speaker: str | None) -> None:
        """Set the speaker of segments (undoable)."""
        if self.state.ctx is None:
            return
        model = self.views.segment_model
        old = {sid: model.segment(model.row_of(sid)).speaker for sid in segment_ids}
        self._push(SpeakerCommand(self.state.ctx, old, speaker))

    def insert_timestamp(self) -> None:
        """Insert the play position as [m:ss.t] at the text cursor."""
        if self.views.segment_editor.segment is None:
            self.chrome.message("Select the segment to put the time into first.", 4000)
            return
        editor = self.views.segment_editor
        editor.setFocus()
        cursor = editor.textCursor()
        doc = editor.document()
        start, end = cursor.selectionStart(), cursor.selectionEnd()
        before = str(doc.characterAt(start - 1)) if start > 0 else ""
        after = str(doc.characterAt(end)) if end < doc.characterCount() - 1 else ""
        tag = timestamp_tag(self.views.player.position())
        # keep the tag apart from the words around it: "slow. [0:01.2]", not "slow.[0:01.2]"
        if before and not before.isspace():
            tag = " " + tag
        if after and not after.isspace():
            tag += " "
        editor.insertPlainText(tag)

    # ------------------------------------------------------------------ coding
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
        chosen = self._pick_code(codes, "Code search hits", prompt)
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
        self._push(ApplyCodeCommand(self.state.ctx, code_id, list(segment_ids), None, label))

    def apply_current_code(self) -> None:
        code = self.views.codebook.current_code()
        if code is None:  # said, not silently ignored
            self.chrome.message(
                "Select a code in the codebook first: the selection is coded with it.", 5000
            )
            return
        self.apply_code(code.id)

    def _codes_dropped(self, code_ids: list[str], segment_ids: list[str]) -> None:
        if self.state.ctx is None:
            return
        selected = [s.id for s in self.views.transcript.selected_segments()]
        targets = selected if segment_ids[0] in selected else segment_ids
        for code_id in code_ids:
            self._push(ApplyCodeCommand(self.state.ctx, code_id, targets, None, "Code (drop)"))

    def pinned_codes(self) -> list[str]:
        """Code ids pinned to keys 1-9 ("" for a key with no pin). Only pins code: a digit
        typed by mistake never applies an arbitrary code."""
        if self.state.project is None:
            return []
        pins = self.settings.pins(self.state.project.id)
        known = {c.id for c in self.views.codebook.model.codes()}
        return [p if p in known else "" for p in pins]

    def name_pin_actions(self) -> None:
        """Menu items say which code each key applies: "Pinned code 1: Corruption".

        Run when the Code menu opens and when a pin changes (reading the pins asks the
        project for its id: never while the project is being loaded)."""
        pins = self.pinned_codes()
        for n, action in enumerate(getattr(self, "pin_actions", []), start=1):
            code_id = pins[n - 1] if n <= len(pins) else ""
            code = self.views.segment_model.code(code_id) if code_id else None
            if code is not None:
                action.setText(f"Pinned code {n}: {code.name}")
                action.setToolTip(f"Code the selection with {code.path} (key {n} or Ctrl+{n})")
            else:
                action.setText(f"Pinned code {n}: none (right-click a code ▸ Pin to key…)")

    def quick_code(self, n: int) -> None:
        """Apply the code pinned to key ``n``."""
        pins = self.pinned_codes()
        if 1 <= n <= len(pins) and pins[n - 1]:
            self.apply_code(pins[n - 1])
        else:
            self.chrome.message(
                f"No code pinned to key {n}: right-click a code in the codebook ▸ Pin to key…",
                4000,
            )

    def pin_dialog(self, code_id: str) -> None:
        if self.state.project is None:
            return
        n, ok = QInputDialog.getInt(self.chrome.window, "Pin code", "Key (1-9):", 1, 1, 9)
        if ok:
            self.pin_code(code_id, n)

    def pin_code(self, code_id: str, key: int) -> None:
        """Pin a code to quick key ``key`` (1-9)."""
        assert self.state.project is not None
        pins = (self.settings.pins(self.state.project.id) + [""] * 9)[:9]
        pins = ["" if p == code_id else p for p in pins]
        pins[key - 1] = code_id
        self.settings.set_pins(self.state.project.id, pins)
        self.name_pin_actions()

    def _pick_coding(self, title: str) -> Coding | None:
        seg = self.current_segment()
        if seg is None:
            return None
        items = self._codings_with_codes(seg.id)
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
        label, ok = QInputDialog.getItem(self.chrome.window, title, "Coding:", labels, 0, False)
        return items[labels.index(label)][0] if ok else None

    def remove_coding_dialog(self) -> None:
        coding = self._pick_coding("Remove a coding")
        if coding is not None and self.state.ctx is not None:
            self._push(RemoveCodingCommand(self.state.ctx, coding))

    def reassign_coding_dialog(self) -> None:
        coding = self._pick_coding("Re-assign a coding")
        if coding is None or self.state.ctx is None:
            return
        codes = self.views.codebook.model.codes()
        paths = [c.path for c in codes]
        path, ok = QInputDialog.getItem(
            self.chrome.window, "Re-assign coding", "New code:", paths, 0, False
        )
        if ok:
            self._push(ReassignCodingCommand(self.state.ctx, coding, codes[paths.index(path)].id))

    def coding_memo_dialog(self) -> None:
        coding = self._pick_coding("Coding memo")
        if coding is None or self.state.ctx is None:
            return
        text, ok = QInputDialog.getMultiLineText(
            self.chrome.window, "Coding memo", "Memo:", coding.memo or ""
        )
        if ok and text != (coding.memo or ""):
            self._push(CodingMemoCommand(self.state.ctx, coding, text))

    # ------------------------------------------------------------------ codebook edits
    def add_code_dialog(self, parent_id: str | None) -> None:
        if self.state.ctx is None:
            return
        where = self.views.codebook.model.index_of(parent_id).data() if parent_id else None
        label = f"New code under “{where}”:" if where else "New code:"
        name, ok = QInputDialog.getText(self.chrome.window, "New code", label)
        if ok and name.strip():
            self.add_code(name.strip(), parent_id)

    def add_code(self, name: str, parent_id: str | None = None, colour: str | None = None) -> None:
        """Create a code (undoable)."""
        if self.state.ctx is not None:
            self._new_code = (name, parent_id)
            self._push(AddCodeCommand(self.state.ctx, name, parent_id, colour))

    def _update_code(self, code_id: str, new: dict[str, Any], text: str) -> None:
        if self.state.ctx is None or self.state.project is None:
            return
        code = self.views.codebook.model.code(self.views.codebook.model.index_of(code_id))
        if code is None:
            return
        old = {k: getattr(code, k) for k in new}
        if "description" in old and old["description"] is None:
            old["description"] = ""
        self._push(UpdateCodeCommand(self.state.ctx, code_id, old, new, text))

    def recolour_dialog(self, code_id: str) -> None:
        code = self.views.segment_model.code(code_id)
        colour = QColorDialog.getColor(
            QColor(code.colour if code else "#888888"), self.chrome.window
        )
        if colour.isValid():
            self._update_code(code_id, {"colour": colour.name()}, "Recolour code")

    def describe_dialog(self, code_id: str) -> None:
        code = self.views.segment_model.code(code_id)
        text, ok = QInputDialog.getMultiLineText(
            self.chrome.window,
            "Describe code",
            "Description (when to use this code):",
            (code.description or "") if code else "",
        )
        if ok:
            self._update_code(code_id, {"description": text}, "Describe code")

    def merge_code_dialog(self, code_id: str) -> None:
        if self.state.project is None:
            return
        model = self.views.codebook.model
        source = model.code(model.index_of(code_id))
        if source is None:
            return
        # a code cannot merge into itself or one of its own sub-codes
        codes = [
            c for c in model.codes() if c.id != code_id and not c.path.startswith(source.path + "/")
        ]
        if not codes:
            self.chrome.message(f"There is no other code to merge “{source.name}” into.")
            return
        prompt = f"Merge “{source.path}” (its codings, sub-codes and memos) into:"
        chosen = self._pick_code(codes, "Merge code", prompt)
        if chosen is not None:
            self.merge_codes(code_id, chosen.id)

    def _pick_code(self, codes: list[Any], title: str, prompt: str) -> Any:
        """One of ``codes`` chosen by its path in a list (None: cancelled)."""
        paths = [c.path for c in codes]
        path, ok = QInputDialog.getItem(self.chrome.window, title, prompt, paths, 0, False)
        return codes[paths.index(path)] if ok and path in paths else None

    def merge_codes(self, source_id: str, target_id: str) -> None:
        """Merge one code into another: its codings, sub-codes and memos move (undoable)."""
        if self.state.ctx is not None:
            self._push(MergeCodesCommand(self.state.ctx, source_id, target_id))

    def delete_code_dialog(self, code_id: str) -> None:
        if self.state.project is None:
            return
        model = self.views.codebook.model
        n = model.frequency(code_id, with_subcodes=True)
        code = model.code(model.index_of(code_id))
        name = code.path if code else "this code"
        if n:
            subs = " (with its sub-codes)" if model.rowCount(model.index_of(code_id)) else ""
            answer = QMessageBox.question(
                self.chrome.window,
                "Delete code",
                f"“{name}”{subs} has {plural(n, 'coding')}. Delete the code and its "
                "codings? (Edit ▸ Undo brings them back; merging it into another code keeps "
                "them.)",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.delete_code(code_id, force=bool(n))

    def delete_code(self, code_id: str, *, force: bool = False) -> None:
        """Delete a code with its sub-codes (``force`` when it has codings); undoable."""
        if self.state.ctx is not None:
            self._push(DeleteCodeCommand(self.state.ctx, code_id, force=force))

    def _reload_codings(self) -> None:
        if self.state.project is None or self.views.segment_model.session_id is None:
            return
        project, sid = self.state.project, self.views.segment_model.session_id
        coder = project.coder if self.state.blind else None

        def done(codings: CodingColumns) -> None:
            if self.views.segment_model.session_id == sid:
                self.views.segment_model.reload_codings(codings)
                self._current_row_changed(self.views.transcript.currentIndex().row())

        self.runner.submit(
            "Reload codings",
            lambda _c: project.retrieval.coding_columns(sid, coder=coder),
            on_done=done,
            serial=True,
        )

    # ------------------------------------------------------------------ memos
    def memo_dialog(
        self, target_type: str, target_id: str | None, heading: str
    ) -> MemoDialog | None:
        """Open the memos of a target."""
        if self.state.project is None:
            return None
        project = self.state.project
        on_changed = None
        if target_type == "segment" and target_id is not None:
            segment_id = target_id

            def on_changed() -> None:  # the transcript marks the segment's memos
                labels = project.codebook.segment_memo_labels_of(segment_id)
                self.views.segment_model.set_segment_memos(segment_id, labels)

        dialog = MemoDialog(
            project,
            self.runner,
            target_type,
            target_id,
            heading,
            self.chrome.window,
            on_changed=on_changed,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def journal_dialog(self) -> MemoDialog | None:
        """The project journal."""
        return self.memo_dialog("journal", None, "Project journal")

    def _session_memo(self) -> None:
        if self.state.session is None:
            self.chrome.message("Select a session first: its memos open here.", 5000)
            return
        self.memo_dialog("session", self.state.session.id, f"Memos: {self.state.session.title}")

    def _segment_memo(self) -> None:
        seg = self.current_segment()
        if seg is None:
            self.chrome.message("Select a segment of the transcript first.", 5000)
            return
        self.memo_dialog(
            "segment", seg.id, f"Memos on the segment at {fmt_ms(seg.start_ms, tenths=True)}"
        )

    def _code_memo(self, code_id: str | None) -> None:
        code = (
            self.views.codebook.current_code()
            if code_id is None
            else self.views.segment_model.code(code_id)
        )
        if code is None:
            self.chrome.message("Select a code in the codebook first: its memos open here.", 5000)
            return
        self.memo_dialog("code", code.id, f"Memos on code {code.path}")
