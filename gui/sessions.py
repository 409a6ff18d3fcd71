"""Showing sessions: the sessions list, a transcript with its audio, playback follow, search.

``SessionsController`` keeps ``AppState.session`` (and emits ``session_changed``), loads the
chosen session's transcript, markers, audio and waveform in the background, jumps to segments and
keeps the transcript, waveform and speaker strips in step with playback. Renaming and deleting
a session are ``SessionEdits``' (``gui.session_edits``, the controller's ``edits``).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QTableView

from gui.app_state import AppState
from gui.chrome import WindowChrome
from gui.fmt import plural
from gui.hints import nothing_open_hints
from gui.models.segments import PLACEHOLDER_COLOUR, PreparedTranscript, prepare_transcript
from gui.models.sessions import StoppedRun, stopped_text, stopped_tip
from gui.project_docks import ProjectDocks
from gui.qtcompat import emit
from gui.select_row import select_row
from gui.session_edits import SessionEdits
from gui.speaker_strip import SpeakerStripController
from gui.tasks import TaskRunner
from gui.views import WorkbenchViews
from gui.waveform import compute_peaks
from storage import AudioError, FieldScribeError, Project
from storage.core.errors import UnfinishedDestroyError
from storage.core.languages import language_name
from storage.core.models import Session


class SessionsController:
    """The sessions list, the shown transcript and its audio, segment jumps and search."""

    def __init__(
        self,
        state: AppState,
        chrome: WindowChrome,
        runner: TaskRunner,
        views: WorkbenchViews,
        docks: ProjectDocks,
        strip: SpeakerStripController,
    ) -> None:
        self.state = state
        self.chrome = chrome
        self.runner = runner
        self.views = views
        self.docks = docks
        self.strip = strip
        self._load_generation = 0
        self._pending_segment: tuple[str, bool] | None = None
        # one read of the shown transcript at a time: a read asked for meanwhile runs after
        # it, so an older read that finishes late never replaces a newer transcript
        self._reading = False
        self._read_again = False
        self._has_media = True
        #: why the open session has no audio loaded, as Play says it: "loading", "missing"
        #: (recorded, not in the project folder), "none" (a transcript imported as text)
        self._no_audio = ""
        self.recording = False  # a recording runs (the Record panel)
        self.paused = False  # that recording is paused
        # what the filters of Search and Retrieval offer now (speakers, languages, the panel)
        self._filters_shown: tuple[list[str], list[str], Any] | None = None
        #: Sessions ▸ Rename session… and Delete session…
        self.edits = SessionEdits(
            state,
            chrome,
            runner,
            views,
            row_read=self._session_row_read,
            deleted=self._forget_deleted,
            restored=self._show_restored,
        )
        v = views
        v.sessions_view.selectionModel().currentRowChanged.connect(
            lambda cur, _p: (
                self.open_session(v.sessions_model.session(cur.row()).id) if cur.isValid() else None
            )
        )
        v.transcript.play_requested.connect(self.play_row)
        v.waveform.seek_requested.connect(v.player.play_from)
        v.player.position_changed.connect(self._position_changed)
        v.player.nothing_to_play.connect(self._nothing_to_play)
        v.search_panel.search_requested.connect(self.run_search)
        v.search_panel.hit_activated.connect(
            lambda sid, seg: self.open_segment(sid, seg, play=True)
        )

    def reset(self) -> None:
        """Forget what was loading and show nothing (the project is closing)."""
        self._new_generation()
        self._pending_segment = None
        v = self.views
        v.player.load(None)
        v.segment_model.clear()
        v.segment_editor.show_segment(None, [])
        v.sessions_model.load([])
        v.waveform.clear()
        self.strip.clear()
        v.transcript_label.setText("")  # nothing of the previous project stays on screen

    def apply_blind_coding(self) -> None:
        """Show only the coder's own codings while blind coding is on."""
        project = self.state.project
        self.views.segment_model.set_visible_coder(
            project.coder if self.state.blind and project else None
        )

    # ------------------------------------------------------------------ sessions
    def reload_sessions(self, *, select_first: bool = False) -> None:
        """Re-read the sessions list (in the background: counts can be slow on big projects)."""
        if self.state.project is None:
            return
        project = self.state.project
        self.runner.submit(
            "Sessions",
            lambda _ctx: _with_stopped_runs(project, project.sessions.all()),
            on_done=lambda result: self._sessions_loaded(result[0], result[1], select_first),
            serial=True,
        )

    def _sessions_loaded(
        self, sessions: list[Session], stopped: dict[str, StoppedRun], select_first: bool
    ) -> None:
        v = self.views
        current = self.state.session.id if self.state.session else None
        v.sessions_model.load(sessions, stopped)
        row = v.sessions_model.row_of(current) if current else -1
        if row < 0 and select_first and v.sessions_model.rowCount():
            row = 0
        if row >= 0:
            v.sessions_view.blockSignals(True)
            select_row(v.sessions_view, row)
            v.sessions_view.blockSignals(False)
            session = v.sessions_model.session(row)
            if current != session.id:
                self.open_session(session.id)
            else:
                self.state.session = session
                if self.docks.session_panel is not None:
                    self.docks.session_panel.show_session(session)
        if self.state.session is None:  # also when sessions arrived (an import): not "none yet"
            self._show_nothing_open()
        self.fill_filters(force=True)

    def recording_changed(self, active: bool) -> None:
        """A recording started or ended: with no session open, the transcript's place says
        so (it said "No sessions yet — import a recording" while one was being recorded)."""
        self.recording = active
        self.paused = False  # a recording starts, and ends, unpaused
        if self.state.session is None and active:
            self._show_nothing_open()
        elif self.state.session is None:  # read again: the new session, once there, opens
            self.reload_sessions()

    def recording_paused(self, paused: bool) -> None:
        """The recording paused or resumed: the transcript's place says which (it said
        "Recording…" while the Record panel said "❚❚ Paused")."""
        self.paused = paused
        if self.state.session is None and self.recording:
            self._show_nothing_open()

    def _show_nothing_open(self) -> None:
        v = self.views
        rows = v.sessions_model.rowCount()
        label, plain = nothing_open_hints(self.recording, rows > 0, self.paused)
        v.transcript_label.setText(label)
        v.segment_editor.setPlaceholderText(plain)

    def fill_filters(self, *, force: bool = False) -> None:
        """Offer the speakers and languages of the sessions as listed in the filters of Search
        and Retrieval; again after a speaker or a segment's language changed (a new speaker
        label could not be filtered on until the project was opened again). Unchanged lists
        are left alone (refilling a filter runs its search again)."""
        sessions = self.views.sessions_model.sessions()
        speakers = sorted({sp for s in sessions for sp in s.speakers})
        languages = self.languages_present(sessions)
        retrieval = self.docks.retrieval
        if not force and (speakers, languages, retrieval) == self._filters_shown:
            return
        self._filters_shown = (speakers, languages, retrieval)
        if retrieval is not None:
            retrieval.set_speakers(speakers)
            retrieval.set_languages(languages)
        self.views.search_panel.set_languages(languages)

    # ------------------------------------------------------------------ rename, delete
    def _forget_deleted(self, session_id: str) -> None:
        """A session was deleted: shown, nothing is shown any more; the list is read again."""
        if self.state.session is not None and self.state.session.id == session_id:
            self._new_generation()
            self.state.session = None
            emit(self.state.session_changed, None)
            v = self.views
            v.player.load(None)
            v.segment_model.clear()
            v.segment_editor.show_segment(None, [])
            v.waveform.clear()
            self.strip.clear()
            v.transcript_label.setText("")
        self.reload_sessions(select_first=True)

    def _show_restored(self, session_id: str) -> None:
        """A deleted session came back: listed again, selected and shown."""
        self.reload_sessions()
        self.open_segment_session(session_id)

    def languages_present(self, sessions: list[Session]) -> list[str]:
        """The project's languages, then any other language a segment is in."""
        project = self.state.project
        codes = list(project.languages) if project is not None else []
        for session in sessions:
            codes += [c for c in session.languages if c not in codes]
        return codes

    def refresh_session_row(self, session_id: str, then: Callable[[], None] | None = None) -> None:
        """Re-read one session's counts (in the background); ``then`` runs once the row shows
        them (or the read failed: the session is gone)."""
        if self.state.project is None:
            if then is not None:
                then()
            return
        project = self.state.project

        def read(result: tuple[list[Session], dict[str, StoppedRun]]) -> None:
            self._session_row_read(result[0][0], result[1])
            if then is not None:
                then()

        self.runner.submit(
            "Session",
            lambda _ctx: _with_stopped_runs(project, [project.sessions.get_session(session_id)]),
            on_done=read,
            on_error=None if then is None else lambda _exc: then(),
            serial=True,
        )

    def _session_row_read(
        self, session: Session, stopped: dict[str, StoppedRun] | None = None
    ) -> None:
        if stopped is None:  # keep what is known of an unfinished transcription
            known = self.views.sessions_model.stopped(session.id)
            stopped = {session.id: known} if known is not None else {}
        self.views.sessions_model.update_session(session, stopped.get(session.id))
        self.fill_filters()
        if self.state.session is not None and self.state.session.id == session.id:
            self.state.session = session  # counts and length are fresh for every view
            self.update_transcript_label()
            if self.docks.session_panel is not None:
                self.docks.session_panel.show_session(session)

    def open_session(self, session_id: str) -> None:
        """Show a session's transcript (loaded in the background)."""
        if self.state.project is None:
            return
        if self.state.session is not None and self.state.session.id == session_id:
            return
        v = self.views
        v.segment_editor.commit()
        # nothing typed from now on may land in the previous session's segment
        v.segment_editor.show_segment(None, [])
        project = self.state.project
        row = v.sessions_model.row_of(session_id)
        session = (
            v.sessions_model.session(row) if row >= 0 else project.sessions.get_session(session_id)
        )
        self.state.session = session
        emit(self.state.session_changed, session)
        if self.docks.session_panel is not None:
            self.docks.session_panel.show_session(session)
        generation = self._new_generation()
        v.transcript_label.setText(f"<b>{html.escape(session.title)}</b> — loading transcript…")
        v.player.load(None)
        self._no_audio = "loading"
        v.waveform.clear()
        self.strip.clear()

        def done(result: tuple[PreparedTranscript, list[Any], Path | None, bool] | None) -> None:
            if generation != self._load_generation or result is None:
                return  # the user moved on, or the load was cancelled
            self._session_loaded(session, *result)

        self._read_transcript("Load transcript", project, session_id, generation, done)

    def open_segment_session(self, session_id: str) -> None:
        """Select a session in the list and show it."""
        row = self.views.sessions_model.row_of(session_id)
        if row >= 0:
            select_row(self.views.sessions_view, row)
        self.open_session(session_id)

    def reopen_session(self, session_id: str) -> None:
        """Load the shown session again (its transcript was still loading when it changed)."""
        self.state.session = None
        self.open_session(session_id)

    def refresh_transcript(self, session_id: str) -> None:
        """Re-read the shown transcript (new segments), keeping the place and the audio."""
        v = self.views
        if self.state.project is None or v.segment_model.session_id != session_id:
            return
        if v.segment_editor.is_dirty() or self._pending_segment is not None:
            return  # never disturb typing; the next refresh will do
        if self._reading:  # after the read under way, which may predate the change
            self._read_again = True
            return
        generation = self._load_generation

        def done(result: tuple[PreparedTranscript, list[Any], Path | None, bool] | None) -> None:
            session = self.state.session
            if generation != self._load_generation or session is None or result is None:
                return
            self._session_loaded(session, *result, refresh=True)

        self._read_transcript(
            "Refresh transcript", self.state.project, session_id, generation, done
        )

    def _new_generation(self) -> int:
        """What was shown or loading is over: its reads deliver nothing any more."""
        self._load_generation += 1
        self._reading = self._read_again = False
        return self._load_generation

    def _read_transcript(
        self,
        name: str,
        project: Project,
        session_id: str,
        generation: int,
        deliver: Callable[[Any], None],
    ) -> None:
        """Read a session's transcript in the background and ``deliver`` it; the reads of one
        shown session run one after another (a refresh asked for meanwhile comes after)."""
        self._reading, self._read_again = True, False

        def ended() -> bool:
            """The read ended: True if it still belongs to the shown session."""
            if generation != self._load_generation:
                return False  # another session's reads have their own turn
            self._reading = False
            return True

        def done(result: Any) -> None:
            if not ended():
                return
            deliver(result)
            if self._read_again:  # (a read started meanwhile would have cleared it)
                self._read_again = False
                self.refresh_transcript(session_id)

        def failed(exc: BaseException) -> None:
            ended()
            self.chrome.show_error(exc)

        self.runner.submit(
            name, _transcript_job(project, session_id), on_done=done, on_error=failed
        )

    def speakers_changed(self, session_id: str) -> None:
        """A session's speakers changed elsewhere: its transcript, row, strip and details follow."""
        self.refresh_transcript(session_id)
        self.refresh_session_row(session_id)
        self.strip.refresh()
        if self.docks.session_panel is not None and self.state.session is not None:
            self.docks.session_panel.show_session(self.state.session)

    def _session_loaded(
        self,
        session: Session,
        prepared: PreparedTranscript,
        markers: list[Any],
        media: Path | None,
        audio_missing: bool = False,
        withheld: str = "",
        *,
        refresh: bool = False,
    ) -> None:
        """Show a session read by ``_transcript_job`` (``audio_missing``: its recording is
        recorded but not in the project folder: a bundle made without it; ``withheld``: why its
        recording is not played, the clear audio of a destroy a kill left unfinished)."""
        assert self.state.project is not None
        v = self.views
        count = prepared.segment_count
        current = v.transcript.currentIndex().row()
        keep = v.segment_model.segment(current).id if refresh and current >= 0 else None
        scroll = v.transcript.verticalScrollBar().value()
        v.segment_model.load(session.id, prepared, codes=v.codebook.model.codes())
        self.apply_blind_coding()
        v.waveform.set_markers(markers)
        self.strip.refresh()
        self._has_media = media is not None
        self._no_audio = withheld or (
            "missing" if audio_missing else "" if media is not None else "none"
        )
        v.waveform.empty_text = (
            "Not played: the destroy of its redacted words is unfinished"
            if withheld
            else "No audio in this project — File ▸ Locate missing audio…"
            if audio_missing
            else "No audio"
        )
        self.update_transcript_label()
        if refresh:
            if count and v.segment_editor.segment is None:
                v.segment_editor.show_segment(None, [])  # not "no segments yet" any more
            if keep is not None and v.segment_model.row_of(keep) >= 0:
                v.transcript.go_to_row(v.segment_model.row_of(keep))
            v.transcript.verticalScrollBar().setValue(scroll)
            return
        if media is not None:
            v.player.load(media)
            v.waveform.loading = True
            v.waveform.update()
            duration = session.duration_ms
            self.runner.submit(
                "Waveform",
                lambda ctx: compute_peaks(media, cancel=ctx.cancel),
                on_done=lambda peaks: (
                    v.waveform.set_peaks(peaks, duration)
                    if self.state.session and self.state.session.id == session.id
                    else None
                ),
                on_error=lambda exc: self.chrome.message(f"Waveform: {exc}", 5000),
            )
        if self._pending_segment is not None:
            seg_id, play = self._pending_segment
            self._pending_segment = None
            self.open_segment(session.id, seg_id, play=play)
        elif count:
            v.transcript.go_to_row(0)
        else:
            v.segment_editor.show_segment(None, [])
            self.show_empty_hint()

    def show_empty_hint(self) -> None:
        """What the segment editor says while the open session has no segments: how to get
        some, or (while it is being transcribed) that they are on their way."""
        session, v = self.state.session, self.views
        if session is None or v.segment_model.rowCount():
            return
        if v.sessions_model.live(session.id) is not None:
            v.segment_editor.setPlaceholderText(
                "Transcribing: the segments appear here as they are recognised, a minute or "
                "two of speech at a time."
            )
        else:
            v.segment_editor.setPlaceholderText(
                "This session has no segments yet: transcribe it (Transcription ▸ Transcribe "
                "session, Ctrl+R) or import a transcript; then select a segment to read, "
                "correct and code it here."
            )

    def update_transcript_label(self) -> None:
        """The header over the transcript: title, segments, languages, a transcription that
        stopped before the end (as the sessions list says it), speech without text."""
        session, model = self.state.session, self.views.segment_model
        if session is None:
            return
        text = f"<b>{html.escape(session.title)}</b> — {plural(model.rowCount(), 'segment')}"
        languages = model.language_counts()
        hint = ""
        if languages:
            text += " — " + " · ".join(code.upper() for code, _n in languages)
            # the line's "EN · KK · RU" named in the tooltip: the codes alone were all it said
            hint = "Languages: " + ", ".join(
                f"{language_name(code)} ({code.upper()}) {plural(n, 'segment')}"
                for code, n in languages
            )
        missing = model.untranscribed_count()
        sessions = self.views.sessions_model
        if session.status == "transcribing" and sessions.live(session.id) is None:
            # a transcription that did not reach the end (the app killed, cancelled): the
            # sessions list said "stopped at 46 %", the header over its transcript nothing
            stopped = sessions.stopped(session.id)
            text += f" — <b>{html.escape(stopped_text(session, stopped))}</b>"
            hint = stopped_tip(session, stopped)
        if missing:
            # short enough for a laptop's line (1024 px): what to do is in the tooltip
            text += (
                f" — <span style='color:{PLACEHOLDER_COLOUR.name()}'><b>"
                f"{missing} without transcript</b></span>"
            )
            hint = (hint + "\n\n" if hint else "") + (
                f"{plural(missing, 'segment')} without transcript (amber rows): voice detection "
                "found speech there but no text; play each and type what was said."
            )
        if not self._has_media:
            text += " — <i>no audio</i>"
            hint = (hint + "\n\n" if hint else "") + (
                "This session's audio is not in the project (a team bundle made without it): "
                "File ▸ Locate missing audio… copies it in from a folder."
            )
        self.views.transcript_label.setText(text, hint)

    def open_segment(self, session_id: str, segment_id: str, *, play: bool = False) -> None:
        """Jump to a segment (opening its session first) and maybe play it."""
        v = self.views
        if self.state.session is None or self.state.session.id != session_id:
            self._pending_segment = (segment_id, play)
            row = v.sessions_model.row_of(session_id)
            if row >= 0:
                select_row(v.sessions_view, row)
            self.open_session(session_id)
            return
        row = v.segment_model.row_of(segment_id)
        if row < 0:
            self._pending_segment = (segment_id, play)  # still loading
            return
        v.transcript.go_to_row(row)
        if play:
            self.play_row(row)

    # ------------------------------------------------------------------ playback sync
    def play_row(self, row: int) -> None:
        """Play from a segment's start."""
        model = self.views.segment_model
        if 0 <= row < model.rowCount():
            self.views.player.play_from(model.segment(row).start_ms)

    def _nothing_to_play(self) -> None:
        """Play (F4, a segment's time, Play current segment) with no audio loaded said
        nothing and did nothing: say why."""
        if self.state.session is None:
            text = "Open a session first: its recording plays here."
        elif self._no_audio == "loading":
            text = "The session is still loading: play it in a moment."
        elif self._no_audio == "missing":
            text = (
                "This session's audio is not in the project: File ▸ Locate missing audio… "
                "copies it in."
            )
        elif self._no_audio not in ("", "none"):  # why it is withheld (``Sessions.media_path``)
            text = self._no_audio
        else:
            text = "This session has no recording (a transcript imported as text): nothing to play."
        self.chrome.message(text, 6000)

    def play_current(self) -> None:
        """Play from the current segment's start."""
        row = self.views.transcript.currentIndex().row()
        if not 0 <= row < self.views.segment_model.rowCount():  # said, not silently ignored
            self.chrome.message("Select the segment to play in the transcript first.", 4000)
            return
        self.play_row(row)

    def _position_changed(self, ms: int) -> None:
        v = self.views
        v.waveform.set_position(ms)
        row = v.segment_model.row_at_time(ms)
        if row != v.segment_model.playing_row:
            v.segment_model.set_playing_row(row)
            if row >= 0:
                seg = v.segment_model.segment(row)
                v.waveform.set_segment((seg.start_ms, seg.end_ms))
                if v.player.is_playing() and v.transcript.state() != QTableView.State.EditingState:
                    v.transcript.go_to_row(row, select=False)
        self.strip.follow_playback(ms)

    # ------------------------------------------------------------------ search
    def run_search(self, query: str) -> None:
        """Search the project's transcripts (in the background)."""
        if self.state.project is None or not query.strip():
            return
        project = self.state.project
        panel = self.views.search_panel
        language = panel.language()
        forms = panel.forms.isChecked()

        def job(_ctx: Any) -> tuple[list[Any], dict[str, list[tuple[str, str]]], list[str], int]:
            hits = project.transcript.search(
                query, limit=HITS_LISTED, language=language, forms=forms
            )
            # nothing in the language chosen: how many the other languages have
            elsewhere = (
                len(project.transcript.search_ids(query, forms=forms))
                if language is not None and not hits
                else 0
            )
            # the best are listed: every segment found is counted and coded by Code hits… (a
            # common word of a focus-group series: 500 listed read "500 segments found" of
            # 4,500, and Code hits… coded those 500 as if they were all)
            found_ids = [hit.segment_id for hit in hits]
            if len(hits) == HITS_LISTED:
                found_ids = project.transcript.search_ids(query, language=language, forms=forms)
            # the words of each hit that exports hide (a coder sees them here too)
            found = {hit.segment_id: hit.text for hit in hits}
            redacted: dict[str, list[tuple[str, str]]] = {}
            for r in project.redactions.all(include_destroyed=False):
                if r.segment_id in found:
                    words = found[r.segment_id][r.start_cp : r.end_cp]
                    redacted.setdefault(r.segment_id, []).append((words, r.placeholder))
            return hits, redacted, found_ids, elsewhere

        self.runner.submit(
            "Search",
            job,
            on_done=lambda result: panel.show_hits(*result),
            on_error=lambda exc: panel.show_message(str(exc)),
            latest="search",
        )


#: the search hits listed, best first (a query's other hits are counted, not listed)
HITS_LISTED = 500


def _with_stopped_runs(
    project: Project, sessions: list[Session]
) -> tuple[list[Session], dict[str, StoppedRun]]:
    """The sessions, with how far each unfinished transcription went (worker side)."""
    stopped: dict[str, StoppedRun] = {}
    for session in sessions:
        if session.status != "transcribing":
            continue
        state = project.transcription.transcription_state(session.id)
        if state is not None and state.total_ms > 0:
            percent = min(100, int(100 * state.done_ms / state.total_ms))
            stopped[session.id] = StoppedRun(state.status, percent)
    return sessions, stopped


def session_redactions(project: Project, session_id: str) -> dict[str, list[tuple[int, int, str]]]:
    """A session's redacted spans whose original is still there, by segment id."""
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for r in project.redactions.all(session_id=session_id, include_destroyed=False):
        spans.setdefault(r.segment_id, []).append((r.start_cp, r.end_cp, r.placeholder))
    return spans


def _transcript_job(project: Project, session_id: str) -> Callable[[Any], Any]:
    """The worker side of loading a transcript: rows, codings, markers, media path."""

    def job(ctx: Any) -> tuple[PreparedTranscript, list[Any], Path | None, bool, str] | None:
        segments = project.retrieval.transcript_columns(session_id, cancel=ctx.cancel)
        if ctx.cancelled:
            return None  # a part of the transcript: never shown
        coder = project.coder if project.team.blind_coding else None  # blind coding
        codings = project.retrieval.coding_columns(session_id, coder=coder)
        prepared = prepare_transcript(segments, codings)
        prepared.memos = project.codebook.segment_memo_labels(session_id, author=coder)
        # here, not on the GUI thread as a row is painted or selected: a small query there
        # waited for the project behind the workers' long reads (0.4 s after a merge)
        prepared.redactions = session_redactions(project, session_id)
        markers = project.sessions.markers(session_id)
        missing, withheld = False, ""
        try:
            media: Path | None = project.sessions.media_path(session_id)
        except UnfinishedDestroyError as exc:  # the clear audio a killed destroy left
            # (the whole line, with the file's path, does not fit a status bar)
            media = None
            withheld = f"Not played: a destroy of its redacted words was cut off; {exc.remedy}."
        except AudioError:  # recorded, but not in the folder (a bundle made without it)
            media, missing = None, True
        except FieldScribeError:
            media = None
        return prepared, markers, media, missing, withheld

    return job
