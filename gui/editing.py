"""Transcript editing, coding and memos: the Edit, Playback, Code and Memos menus and what they do.

``EditingController`` turns the user's edits into undoable commands (``gui.undo``) on the
``AppState``'s edit context and brings the views up to date with each command's ``Outcome``.
It hands each kind of edit to a collaborator: ``SegmentEdits`` (text, split, merge, speaker,
language, timestamps), ``CodeActions`` (the codebook), ``CodingActions`` (codings),
``PinnedCodes`` (keys 1-9) and ``MemoActions`` (the Memos menu).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QKeySequence, QUndoStack

from gui.app_state import AppState
from gui.chrome import WindowChrome
from gui.code_actions import CodeActions
from gui.coding_actions import CodingActions, codings_with_codes
from gui.edit_scope import EditScope
from gui.link_actions import LinkActions
from gui.memo_actions import MemoActions
from gui.pinned_codes import PinnedCodes
from gui.project_docks import ProjectDocks
from gui.qtcompat import emit
from gui.segment_edits import SegmentEdits
from gui.sessions import SessionsController
from gui.settings import Settings
from gui.speaker_strip import SpeakerStripController
from gui.tasks import TaskRunner
from gui.undo import Outcome
from gui.views import WorkbenchViews
from storage.codebook.retrieval import CodingColumns
from storage.core.models import Code

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
        self.speaker_panel = speaker_panel  # the Speakers dock's panel, when it is open
        # the collaborators each kind of edit is handed to
        scope = EditScope(state, chrome, views, self._push)
        self.segments = SegmentEdits(scope)
        self.codes = CodeActions(scope)
        self.links = LinkActions(scope)
        self.coding = CodingActions(scope, self.current_segment)
        self.pins = PinnedCodes(scope, settings, self.coding.apply_code)
        self.memos = MemoActions(scope, runner, self.current_segment)
        # the controller's public face (the window, its menus and the tests call these)
        seg, codes, coding, memos = self.segments, self.codes, self.coding, self.memos
        self.edit_text = seg.edit_text
        self.split_at_cursor = seg.split_at_cursor
        self.merge_with_next = seg.merge_with_next
        self.change_speaker_dialog = seg.change_speaker_dialog
        self.set_speaker = seg.set_speaker
        self.set_language = seg.set_language
        self.insert_timestamp = seg.insert_timestamp
        self.add_code = codes.add_code
        self.merge_code_dialog = codes.merge_code_dialog
        self.merge_codes = codes.merge_codes
        self.delete_code_dialog = codes.delete_code_dialog
        self.delete_code = codes.delete_code
        self.apply_code = coding.apply_code
        self.apply_current_code = coding.apply_current_code
        self.code_search_hits = coding.code_search_hits
        self.remove_coding_dialog = coding.remove_coding_dialog
        self.coding_memo_dialog = coding.coding_memo_dialog
        self.pin_code = self.pins.pin_code
        self.memo_dialog = memos.memo_dialog
        self.journal_dialog = memos.journal_dialog
        v = views
        v.transcript.current_row_changed.connect(self._current_row_changed)
        v.transcript.quick_code.connect(self.pins.quick_code)
        v.segment_model.edit_requested.connect(seg.edit_requested)
        v.segment_model.codes_dropped.connect(coding.codes_dropped)
        v.segment_editor.text_committed.connect(lambda sid, old, new: seg.edit_text(sid, new, old))
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
        # the stack undid (redid) before these run: what was undone is now the next redo
        undo.triggered.connect(lambda: self._say_undone("Undid", self.undo_stack.redoText()))
        redo.triggered.connect(lambda: self._say_undone("Redid", self.undo_stack.undoText()))
        edit.addAction(undo)
        edit.addAction(redo)
        self.act_undo, self.act_redo = undo, redo
        edit.addSeparator()
        a("&Edit", "Split segment at cursor", self.segments.split_at_cursor, "Ctrl+Shift+S")
        a("&Edit", "Merge with next segment", self.segments.merge_with_next, "Ctrl+Shift+M")
        self.act_delete_segments = a(
            "&Edit", "Delete segment", self.segments.delete_selected, "Ctrl+Shift+Delete"
        )
        a("&Edit", "Change speaker…", self.segments.change_speaker_dialog, "Ctrl+Shift+K")
        self.act_set_language = a(
            "&Edit", "Set language…", self.segments.set_language_dialog, "Ctrl+L"
        )
        self.views.transcript.addAction(self.act_set_language)
        a("&Edit", "Insert timestamp", self.segments.insert_timestamp, "Ctrl+T")
        a("&Edit", "Edit segment text", self.segments.edit_current_text, "Ctrl+E")
        a("&Edit", "Next segment", lambda: self.segments.step_segment(1), "Ctrl+Down")
        a("&Edit", "Previous segment", lambda: self.segments.step_segment(-1), "Ctrl+Up")
        a("&Edit", "Go to time…", self.segments.go_to_time_dialog, "Ctrl+G")
        edit.addSeparator()
        find = self.views.search_panel.focus_query
        self.views.search_panel.code_hits_requested.connect(self.coding.code_search_hits_dialog)
        a("&Edit", "Find in project…", find, QKeySequence.StandardKey.Find)

        p = "&Playback"
        play = a(p, "Play / pause", player.toggle, "F4")
        play.setShortcuts([QKeySequence("F4"), QKeySequence("Ctrl+Space")])
        a(p, "Back", lambda: player.skip(-1), "F3")
        a(p, "Forward", lambda: player.skip(1), "F5")
        a(p, "Play current segment", self.sessions.play_current, "Ctrl+Shift+Space")
        a(p, "Slower", lambda: player.step_speed(-1), "Ctrl+,")
        a(p, "Faster", lambda: player.step_speed(1), "Ctrl+.")
        a(p, "Normal speed", lambda: player.set_speed(1.0), "Ctrl+0")

        c = "&Code"
        a(c, "New code…", lambda: self.codes.add_code_dialog(None))
        a(c, "Code selection with the current code", self.coding.apply_current_code, "Ctrl+Shift+C")
        self.pin_actions = self.pins.actions = [
            a(c, f"Pinned code {n}", partial(self.pins.quick_code, n), f"Ctrl+{n}")
            for n in range(1, 10)
        ]
        self.chrome.menu(c).aboutToShow.connect(self.pins.name_pin_actions)
        self.pins.name_pin_actions()
        a(c, "Remove a coding…", self.coding.remove_coding_dialog)
        a(c, "Re-assign a coding…", self.coding.reassign_coding_dialog)
        a(c, "Coding memo…", self.coding.coding_memo_dialog)
        # a passage linked to a code, another passage, a memo, a participant (right-click too)
        self.act_link_passage = a(
            c, "Link passage to…", lambda: self.coding.link_passage_dialog(self.links)
        )
        self.views.transcript.addAction(self.act_link_passage)
        # any two ends, of every kind: a participant or a session as the origin too
        self.act_link_any = a(
            c, "Link…", lambda: self.links.link_any_dialog(self.views.segment_model.session_id)
        )

        m = "&Memos"
        a(m, "Project journal…", self.memos.journal_dialog, "Ctrl+J")
        a(m, "Session memos…", self.memos.session_memo)
        a(m, "Segment memos…", self.memos.segment_memo)
        a(m, "Code memos…", lambda: self.memos.code_memo(None))
        # a memo linked to a code, a passage of the session shown, a memo, a participant
        a(
            m,
            "Link a memo…",
            lambda: self.links.link_memo_dialog(self.views.segment_model.session_id),
        )

    def _wire_codebook(self) -> None:
        cb = self.views.codebook
        cb.apply_requested.connect(self.coding.apply_code)
        cb.add_requested.connect(self.codes.add_code_dialog)
        cb.recolour_requested.connect(self.codes.recolour_dialog)
        cb.describe_requested.connect(self.codes.describe_dialog)
        cb.merge_requested.connect(self.codes.merge_code_dialog)
        cb.delete_requested.connect(self.codes.delete_code_dialog)
        cb.memo_requested.connect(self.memos.code_memo)
        cb.pin_requested.connect(self.pins.pin_dialog)
        cb.retrieve_requested.connect(self.docks.retrieve_code)
        cb.link_requested.connect(self.links.add_link_dialog)
        cb.unlink_requested.connect(self.links.remove_link)
        cb.model.rename_requested.connect(
            lambda cid, name: self.codes.update_code(cid, {"name": name}, f"Rename code → {name}")
        )
        cb.model.move_requested.connect(
            lambda cid, parent: self.codes.update_code(cid, {"parent_id": parent}, "Move code")
        )

    # ------------------------------------------------------------------ helpers
    def _say_undone(self, verb: str, what: str) -> None:
        """Say in the status bar what Undo or Redo just did (an edit's own report follows)."""
        if what:
            self.chrome.message(f"{verb}: {what}", 5000)

    def _push(self, command: Any) -> None:
        if self.state.ctx is not None:
            self.undo_stack.push(command)

    def _current_row_changed(self, row: int) -> None:
        model, editor = self.views.segment_model, self.views.segment_editor
        if 0 <= row < model.rowCount():
            seg = model.segment(row)
            editor.show_segment(seg, codings_with_codes(model, seg.id))
        else:
            editor.show_segment(None, [])
            # an empty session keeps saying how to get segments (a codebook read after a
            # transcription ended with none put "Select a segment…" there)
            self.sessions.show_empty_hint()

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
        if out.deleted_session is not None:
            self.sessions.edits.was_deleted(*out.deleted_session)
        if out.restored_session is not None:
            self.sessions.edits.was_restored(out.restored_session)
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
        sid = self.views.segment_model.session_id

        def job(_ctx: Any) -> tuple[list[Code], dict[str, int], bool, Any, Any]:
            links = project.links.all()  # the Links list under the codebook
            codes = project.codebook.codes()
            blind = project.get_meta("blind_coding") == "1"
            # blind coding on or off: the open transcript marks my segment memos, or everyone's
            mine = project.coder if blind else None
            memos = (sid, project.codebook.segment_memo_labels(sid, author=mine)) if sid else None
            freq = project.codebook.code_frequencies(coder=mine)  # blind coding: my codings
            filters = (project.retrieval.attribute_values(), [c.name for c in project.coders.all()])
            return codes, freq, blind, filters, (memos, links)

        self.runner.submit("Codebook", job, on_done=self._codebook_loaded, serial=True)

    def _codebook_loaded(self, result: tuple[list[Code], dict[str, int], bool, Any, Any]) -> None:
        codes, freq, blind, filters, (memos, links) = result
        current = self.views.codebook.current_code()
        self.views.codebook.set_links(links)
        self.memos.links_changed(links)  # an open memo window shows its memo's links
        self.views.codebook.model.load(codes, freq)
        self.views.codebook.restore_expansion()  # the branches the user closed stay closed
        # the code just created, once a reading holds it (one begun before it was added
        # does not: it is looked for again in the next)
        new = self.codes.take_new_code(codes)
        if new is not None:
            self.views.codebook.select_code(new.id)
        elif current is not None:
            self.views.codebook.select_code(current.id, reveal=False)
        self.views.segment_model.set_codes(codes)
        self.state.blind = blind
        if memos is not None and memos[0] == self.views.segment_model.session_id:
            self.views.segment_model.set_memos(memos[1])
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
