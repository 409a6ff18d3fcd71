"""Edits of transcript segments: text, split, merge, speaker, language and timestamps (undoable)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtWidgets import QMessageBox

from gui.ask_dialog import AskDialog
from gui.edit_scope import EditScope
from gui.fmt import plural, timestamp_tag
from gui.languages import choose_language
from gui.undo import (
    DeleteSegmentsCommand,
    EditTextCommand,
    LanguageCommand,
    MergeCommand,
    SpeakerCommand,
    SplitCommand,
)
from storage.core.languages import guess_language, language_name, script_said, typed_mismatch
from storage.interop.transcript_parsed import parse_clock


def script_hint(text: str, language: str | None, expected: list[str]) -> str:
    """What to say when typed ``text`` is in another script than its segment's ``language``
    (Russian typed over a segment Whisper took for English kept its "EN" badge, and exports
    and the language filter went on calling it English): how to set the language, and the
    project's language the letters point to, if one (Kazakh typed into a segment marked
    Russian too: ``typed_mismatch``); for a segment with no language (in a project that names
    its languages), that it has none. "" when the letters agree or say nothing."""
    if not language:
        # speech without transcript whose language nobody heard: typed in, it stayed out of
        # every language filter (Search, Retrieval) and went out untagged, and nothing said so
        if not expected or not any(ch.isalpha() for ch in text):
            return ""
        guess = guess_language(text, expected)
        said = f" (is it {language_name(guess)}?)" if guess else ""
        return (
            f"The segment has no language{said}: Edit ▸ Set language… (Ctrl+L) sets it, so "
            "that language's filters in Search and Retrieval find it."
        )
    found = typed_mismatch(text, language, expected)
    if found is None:
        return ""
    script, guess = found
    said = f"The text is {script_said(script)} but the segment is marked {language_name(language)}"
    if guess:
        said += f" (is it {language_name(guess)}?)"
    return said + ": Edit ▸ Set language… (Ctrl+L) changes it."


def split_hint(left: str, right: str, language: str | None, expected: list[str]) -> str:
    """What to say after a segment of ``language`` was split into ``left`` and ``right``
    (the new segment, selected after the split): that a part is in another script than the
    language both parts keep (``typed_mismatch``, as for typed text), the new one first;
    else that it was split."""
    for part, which, how in (
        (right, "the new segment's", "Edit ▸ Set language… (Ctrl+L) changes it"),
        (left, "the first part's", "select it and press Ctrl+L (Edit ▸ Set language…)"),
    ):
        found = typed_mismatch(part, language, expected) if language else None
        if found is not None and language:
            script, guess = found
            said = f" (is it {language_name(guess)}?)" if guess else ""
            return (
                f"Split: {which} text is {script_said(script)} but it is marked "
                f"{language_name(language)}{said}: {how}."
            )
    return "Split into two segments; Edit ▸ Undo (Ctrl+Z) joins them again."


class SegmentEdits:
    """Turns the Edit menu's segment edits into undoable commands (``push``)."""

    def __init__(self, scope: EditScope) -> None:
        self.state, self.chrome, self.views = scope.state, scope.chrome, scope.views
        self._push = scope.push

    def edit_requested(self, segment_id: str, field: str, value: Any) -> None:
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
            seg = self.views.segment_model.segment(row)
            project = self.state.project
            hint = script_hint(text, seg.language, project.languages if project else [])
            if hint:
                self.chrome.message(hint, 10000)

    def edit_current_text(self) -> None:
        index = self.views.transcript.currentIndex()
        if index.isValid():
            self.views.segment_editor.setFocus()
        else:
            self.chrome.message("Select the segment to edit first.", 4000)

    def step_segment(self, delta: int) -> None:
        """Make the next (``delta`` 1) or previous (-1) segment current, from the keyboard; what
        was typed is kept (the editor commits when it changes segment), and the text editor
        keeps the focus when it had it, so a transcriber goes on typing in the next one."""
        view, editor = self.views.transcript, self.views.segment_editor
        rows = self.views.segment_model.rowCount()
        if rows == 0:
            self.chrome.message("This session has no segments yet.", 4000)
            return
        row = view.currentIndex().row()
        target = (0 if delta > 0 else rows - 1) if row < 0 else row + delta
        if not 0 <= target < rows:
            edge = "last" if delta > 0 else "first"
            self.chrome.message(f"This is the session's {edge} segment.", 4000)
            return
        typing = editor.hasFocus()
        view.go_to_row(target)
        if typing:
            editor.setFocus()

    def go_to_time_dialog(self) -> None:
        """Ask for a time (``m:ss``, ``h:mm:ss`` or seconds) and make the segment playing
        then current."""
        model = self.views.segment_model
        if model.rowCount() == 0:
            self.chrome.message("This session has no segments yet.", 4000)
            return
        text, ok = AskDialog.ask(
            self.chrome.window, "Go to time", "Time in the recording (m:ss or h:mm:ss):", ""
        )
        if not ok or not text.strip():
            return
        try:
            ms = parse_clock(text)
        except ValueError:
            self.chrome.message(f"{text.strip()!r} is not a time: write it as 1:05 or 0:01:05.")
            return
        row = max(model.row_at_time(ms), 0)
        self.views.transcript.go_to_row(row)
        self.views.transcript.setFocus()

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
        project = self.state.project
        expected = project.languages if project else []
        # both parts keep the segment's language: split at a switch of language, the part
        # in the other one went on wearing its badge (English marked KK) unsaid, while the
        # status bar still showed the message of the merge before
        self.chrome.message(split_hint(text[:cp], text[cp:], seg.language, expected), 10000)

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

    def delete_selected(self) -> None:
        """Delete the selected segments (asked first when codings or typed text go with them;
        Edit ▸ Undo brings them back)."""
        segments = self.views.transcript.selected_segments()
        if not segments or self.state.ctx is None or self.state.project is None:
            self.chrome.message("Select the segments to delete.", 4000)
            return
        self.views.segment_editor.commit()
        project = self.state.project
        ids = [s.id for s in segments]
        coded = sum(len(project.codebook.codings(segment_id=i)) for i in ids)
        typed = sum(1 for s in segments if s.edited and s.text.strip())
        if coded or typed:
            lost = [plural(coded, "coding")] if coded else []
            lost += [f"{plural(typed, 'text')} corrected by hand"] if typed else []
            answer = QMessageBox.question(
                self.chrome.window,
                "Delete segments?",
                f"Delete {plural(len(ids), 'segment')} with {' and '.join(lost)}? "
                "Edit ▸ Undo (Ctrl+Z) brings them back.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        model = self.views.segment_model
        rows = sorted(model.row_of(i) for i in ids)
        after = rows[-1] + 1
        before = rows[0] - 1
        then = (
            model.segment(after).id
            if after < model.rowCount()
            else model.segment(before).id
            if before >= 0
            else None
        )
        self._push(DeleteSegmentsCommand(self.state.ctx, ids, then))
        self.chrome.message(
            f"Deleted {plural(len(ids), 'segment')}: a new transcription of the session leaves "
            "that speech out; Edit ▸ Undo (Ctrl+Z) brings it back.",
            8000,
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
        name, ok = AskDialog.ask(
            self.chrome.window, "Change speaker", "Speaker:", current, items=items, editable=True
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
            # the badge alone changed: the text Whisper wrote in the wrong language stays
            name = language_name(code)
            self.chrome.message(
                f"Language set to {name}; the text is unchanged. Transcription ▸ Re-transcribe "
                f"segment reads its audio again in {name}.",
                10000,
            )

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
