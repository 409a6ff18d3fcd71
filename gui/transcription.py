"""Importing audio and transcribing sessions in the background, with progress, ETA and cancel;
re-transcribing one segment is in ``gui.retranscription``."""

from __future__ import annotations

import html
import inspect
import math
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox

from gui.app_state import AppState
from gui.ask_dialog import AskDialog
from gui.chrome import WindowChrome
from gui.consent import confirm_consent
from gui.fmt import fmt_eta, plural, them, verb
from gui.hints import no_recording
from gui.languages import choose_language
from gui.live_progress import LiveEstimate, cancelled_text
from gui.models.sessions import LiveStatus
from gui.qtcompat import emit
from gui.retranscription import SegmentRetranscription
from gui.sessions import SessionsController
from gui.settings import Settings
from gui.tasks import TaskRunner
from gui.views import WorkbenchViews
from storage.core.audio import AUDIO_EXTENSIONS
from storage.core.errors import DuplicateMediaError, FieldScribeError
from storage.core.models import KIND_LABELS
from transcribe.notes import NO_SPEECH, advice_of, for_gui


def default_transcriber() -> Callable[..., Any]:
    """The real transcriber (imported lazily: the GUI works without it)."""
    from transcribe.runner import transcribe_session

    return transcribe_session


def _takes(transcriber: Callable[..., Any], *options: str) -> bool:
    """Whether ``transcriber`` takes these keyword ``options`` (``transcribe_session`` and
    what wraps it; not an older or a test's stand-in)."""
    try:
        params = inspect.signature(transcriber).parameters.values()
    except (TypeError, ValueError):
        return False
    names = {p.name for p in params}
    return set(options) <= names or any(p.kind is p.VAR_KEYWORD for p in params)


class TranscriptionController(QObject):
    """File > Import audio and the Transcription menu; ``running`` maps session ids to tasks
    (one segment's re-transcription: ``gui.retranscription``)."""

    running_changed = Signal()  # a transcription, or a segment's re-transcription, started or ended
    transcribed = Signal(str)  # a session's transcription ended (done or cancelled): its id

    def __init__(
        self,
        state: AppState,
        chrome: WindowChrome,
        runner: TaskRunner,
        settings: Settings,
        views: WorkbenchViews,
        sessions: SessionsController,
        *,
        transcriber: Callable[..., Any] | None = None,
    ) -> None:
        super().__init__(chrome.window)
        self.state = state
        self.chrome = chrome
        self.runner = runner
        self.settings = settings
        self.views = views
        self.sessions = sessions
        self.transcriber = transcriber  # default: transcribe.runner.transcribe_session
        # default: transcribe.runner.retranscribe_segment (tests put a fake here)
        self.segment_retranscriber: Callable[..., Any] | None = None
        self.running: dict[str, Any] = {}  # session id -> TaskHandle
        self.retranscribing: dict[str, Any] = {}  # segment id -> TaskHandle
        self.retranscription = SegmentRetranscription(self)
        self._last_refresh = 0.0
        # segments reported within 2 s of the last refresh are shown when the 2 s are over (the
        # next report may come a minute of speech later)
        self._late_refresh = QTimer(self)
        self._late_refresh.setSingleShot(True)
        self._late_refresh.timeout.connect(self._refresh_late)
        self._late_sid: str | None = None
        # each running transcription's progress, carried forward between its reports
        self._estimates: dict[str, LiveEstimate] = {}
        self._resumed: dict[str, float] = {}  # how far each run's earlier text went (0: none)
        self._details: dict[str, str] = {}  # on a cluster: workers, hours, rate
        self._stops: dict[str, threading.Event] = {}  # set by a second Cancel: stop at once
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._tick_all)
        self._notes_shown: set[str] = set()  # each note of a summary is shown once in a box
        self.last_notes: list[str] = []

    def retranscribe_current(self, *, ask: bool = False) -> Any:
        """Re-transcribe the current segment (``gui.retranscription``)."""
        return self.retranscription.retranscribe_current(ask=ask)

    def retranscribe_segment(self, segment_id: str, *, language: str | None = None) -> Any:
        """Re-transcribe one segment in the background (``gui.retranscription``)."""
        return self.retranscription.retranscribe_segment(segment_id, language=language)

    def cancel_retranscription(self) -> None:
        """Cancel the segments' re-transcriptions (``gui.retranscription``)."""
        self.retranscription.cancel_retranscription()

    def build_menu(self) -> None:
        """The Transcription menu (its actions also go on the sessions list)."""
        t = "&Transcription"
        a = self.chrome.add_menu_action
        self.act_transcribe = a(
            t, "Transcribe session", lambda: self.start_transcription(None), "Ctrl+R"
        )
        self.act_transcribe_in = a(t, "Transcribe session in…", self.transcribe_in)
        self.act_transcribe_cluster = a(t, "Transcribe on a cluster…", self.transcribe_on_cluster)
        self.act_cancel_transcription = a(
            t, "Cancel transcription", lambda: self.cancel_transcription(None)
        )
        # greyed out while nothing is transcribed (it would do nothing)
        self.running_changed.connect(self._update_cancel_action)
        self._update_cancel_action()
        self.chrome.menu(t).addSeparator()
        self.act_retranscribe = a(t, "Re-transcribe segment", self.retranscribe_current)
        self.act_retranscribe_in = a(
            t, "Re-transcribe segment in…", lambda: self.retranscribe_current(ask=True)
        )
        for action in (self.act_retranscribe, self.act_retranscribe_in):
            self.views.transcript.addAction(action)

    def _update_cancel_action(self) -> None:
        self.act_cancel_transcription.setEnabled(bool(self.running or self.retranscribing))

    def reset(self) -> None:
        """Forget the running transcriptions (the project is closing; they were cancelled)."""
        self.running.clear()
        self.retranscribing.clear()
        emit(self.running_changed)  # the Cancel action and buttons go
        self._estimates.clear()
        self._details.clear()
        self._stops.clear()
        self._tick.stop()
        self._late_refresh.stop()
        self._late_sid = None

    # ------------------------------------------------------------------ import
    def import_dialog(self) -> None:
        """Ask for audio files and their kind of session, then import them."""
        window = self.chrome.window
        files, _ = QFileDialog.getOpenFileNames(
            window,
            "Import audio",
            "",
            f"Audio and video ({' '.join('*' + ext for ext in AUDIO_EXTENSIONS)});;All files (*)",
        )
        if files:
            labels = list(KIND_LABELS.values())
            # one answer for all: four recordings chosen at once were asked "Kind of session:"
            # as if for one, and all four became focus groups
            what = "Kind of session:" if len(files) == 1 else f"Kind of the {len(files)} sessions:"
            label, ok = AskDialog.ask(window, "Import audio", what, labels[0], items=labels)
            if ok:
                kind = next(k for k, v in KIND_LABELS.items() if v == label)
                self.import_files([Path(f) for f in files], kind=kind)

    def import_files(
        self, paths: list[Path], *, kind: str = "interview", again: bool = False
    ) -> Any:
        """Import audio files as sessions (in the background; all or nothing).

        A file already in the project (same content) is not imported twice silently: the user
        is asked, and only a "Yes" imports it once more.
        """
        if self.state.project is None:
            return None
        project = self.state.project
        self.chrome.message(f"Importing {plural(len(paths), 'file')}…")

        def job(_ctx: Any) -> tuple[list[Any], list[str]]:
            from storage.core.audio import probe, track_note

            infos = [probe(path) for path in paths]
            sessions = project.sessions.import_audio_files(
                list(paths), kind=kind, again=again, infos=infos
            )
            # as the command line says it: a file with several audio tracks is heard only
            # through its first
            notes = [track_note(path, info) for path, info in zip(paths, infos, strict=True)]
            return sessions, [note for note in notes if note]

        def done(result: tuple[list[Any], list[str]]) -> None:
            sessions, notes = result
            text = f"Imported {plural(len(sessions), 'session')}."
            if notes:  # the status bar alone is easy to miss: also a box that does not block
                self.last_notes = notes
                self.chrome.report("\n\n".join([text, *notes]))
            else:
                self.chrome.message(text, 5000)
            self.sessions.reload_sessions()
            if sessions:
                self.sessions.open_segment_session(sessions[0].id)
            if self.settings.transcribe_after_import:
                for s in sessions:
                    self.start_transcription(s.id)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, DuplicateMediaError) and not again:
                answer = QMessageBox.question(
                    self.chrome.window,
                    "Import again?",
                    f"{exc}\n\nImport {'the file' if len(paths) == 1 else 'the files'} once more "
                    f"as {'a new session' if len(paths) == 1 else 'new sessions'}?",
                )
                if answer == QMessageBox.StandardButton.Yes:
                    self.import_files(paths, kind=kind, again=True)
                else:
                    self.chrome.message("Nothing was imported: the audio is already here.", 5000)
                return
            if len(paths) > 1 and isinstance(exc, FieldScribeError):
                # all or nothing: say that the good files were not imported either
                self.chrome.show_error(
                    f"{exc} None of the {len(paths)} files was imported: import the others "
                    "again without it."
                )
                return
            self.chrome.show_error(exc)

        return self.runner.submit(
            "Importing audio",
            job,
            on_done=done,
            on_error=failed,
        )

    # ------------------------------------------------------------------ transcription
    def transcribe_in(self) -> Any:
        """Transcribe the current session with one language chosen for the whole recording
        (``--language``): every stretch is decoded in it, none identified."""
        project = self.state.project
        if project is None or self.state.session is None:
            self._no_session()
            return None
        language = choose_language(
            self.chrome.window,
            project.languages,
            None,
            title="Transcribe session in",
            prompt="Transcribe the whole recording in",
        )
        return None if language is None else self.start_transcription(None, language=language)

    def transcribe_on_cluster(self) -> Any:
        """Transcribe the current session on Dask workers (asked for) in the background."""
        if self.state.project is None or self.state.session is None:
            self._no_session()
            return None
        from gui.cluster_dialog import ask_cluster, cluster_transcriber

        options = ask_cluster(self.chrome.window)
        if options is None:
            return None
        return self.start_transcription(None, transcriber=cluster_transcriber(options))

    def _no_session(self) -> None:
        """Transcribe… with no session shown: said, not silently ignored."""
        self.chrome.message(
            "Select the session to transcribe in the Sessions list first (a new project has "
            "none: File ▸ Import audio…).",
            6000,
        )

    def start_transcription(
        self,
        session_id: str | None,
        *,
        replace: bool = False,
        transcriber: Callable[..., Any] | None = None,
        then: Callable[[Any, str], Any] | None = None,
        language: str | None = None,
    ) -> Any:
        """Transcribe a session (the current one by default) in the background (with
        ``transcriber``, e.g. on a cluster, instead of this machine's; in ``language`` when
        given, else each stretch in the language identified); ``then(project, session id)``
        runs in the same background job once it ran to the end (not cancelled)."""
        if self.state.project is None:
            return None
        if session_id is None:
            if self.state.session is None:
                self._no_session()
                return None
            session_id = self.state.session.id
        if session_id in self.running:
            self.chrome.message("This session is already being transcribed.", 4000)
            return self.running[session_id]
        if not self.state.project.sessions.media_for_session(session_id):
            # after the consent question, "Session 01a24fb8-… has no audio." in a box
            self.chrome.show_error(no_recording(self._title(session_id)))
            return None
        editor = self.views.segment_editor
        if editor.is_dirty():
            # typing not saved yet (Ctrl+R takes no focus from the editor) is someone's work:
            # saved first, so that the question counts it and the run keeps it (Yes lost it)
            editor.commit()
            self.runner.after_writes(
                lambda: self.start_transcription(
                    session_id,
                    replace=replace,
                    transcriber=transcriber,
                    then=then,
                    language=language,
                )
            )
            return None
        if not replace:
            again = self._transcribe_again(session_id)
            if again is None:
                return None
            replace = again
        try:
            transcriber = transcriber or self.transcriber or default_transcriber()
        except ImportError:
            self.chrome.show_error("Transcription is not available in this installation.")
            return None
        project = self.state.project
        sid = session_id
        if not confirm_consent(
            self.chrome.window,
            project,
            [sid],
            "transcription",
            "Transcribe",
            show_details=lambda s: emit(self.state.details_requested, s),
        ):
            return None

        # after Cancel the batches being decoded are waited for until they are written (the
        # header reads "cancelling at N %"); a closing project hurries them (``ctx.hurry``)
        waits = _takes(transcriber, "cancel_wait_s", "hurry")
        # a second Cancel stops at once (as a second Ctrl+C does): what is written is kept
        stop = threading.Event()
        stops = _takes(transcriber, "stop")

        def job(ctx: Any) -> Any:
            extra: dict[str, Any] = {"cancel_wait_s": math.inf, "hurry": ctx.hurry} if waits else {}
            if stops:
                extra["stop"] = stop
            if language:
                extra["language"] = language
            summary = transcriber(
                project, sid, replace=replace, progress=ctx.progress, cancel=ctx.cancel, **extra
            )
            if then is not None and not ctx.cancel.is_set():
                then(project, sid)
            return summary

        # a run that goes on after an interrupted one starts where that one's text ends: it
        # read "0 %, 9 s so far" until its first report (the model loading), over "stopped at 46 %"
        stopped = None if replace else self.views.sessions_model.stopped(sid)
        resumed = stopped.percent / 100 if stopped is not None else 0.0
        self._estimates[sid] = LiveEstimate(time.monotonic(), resumed)
        self._resumed[sid] = resumed
        self._show_live(sid)
        self._tick.start()
        if self.state.session is not None and self.state.session.id == sid:
            self.sessions.show_empty_hint()
        # the status bar reads "Transcribing…" beside Cancel ("Transcribe…" read as a menu entry)
        handle = self.runner.submit(
            "Transcribing",
            job,
            on_done=lambda summary: self._transcribed(sid, summary),
            on_error=lambda exc: self._transcription_failed(sid, exc, language),
            on_progress=lambda p: self._transcription_progress(sid, p),
            long=True,
        )
        self.running[sid] = handle
        self._stops[sid] = stop
        emit(self.running_changed)
        return handle

    def _transcribe_again(self, sid: str) -> bool | None:
        """Ask before a session that has a transcript is transcribed again (it took minutes
        and went ahead at once). None: declined; True: go on replacing; False: nothing to ask
        (no transcript yet, or an unfinished transcription that resumes)."""
        project = self.state.project
        assert project is not None
        state = project.transcription.transcription_state(sid)
        if state is not None and state.status != "done":
            return False
        stats = project.transcription.transcript_stats(sid)
        count = stats.untouched + stats.protected  # every segment is one or the other
        if not count:
            return False
        work = ", ".join(stats.kinds())
        kept = (
            f"{plural(stats.protected, 'segment')} holding someone's work ({work}) "
            f"{verb(stats.protected, 'is')} kept; "
            if stats.protected
            else ""
        )
        title = project.sessions.get_session(sid).title
        replaced = f"{kept}the segments Whisper wrote that nobody touched are replaced."
        if stats.labelled:  # detected (or renamed) speakers: carried by time, not lost
            replaced += (
                f" The speaker labels of {plural(stats.labelled, 'replaced segment')} go to the "
                "new segments that lie in them."
            )
        deleted = len(project.transcription.deleted_spans(sid))
        if deleted:  # speech a coder removed (small talk) does not come back
            replaced += f" What {plural(deleted, 'deleted segment')} said is left out."
        answer = QMessageBox.question(
            self.chrome.window,
            "Transcribe again?",
            f"“{title}” already has a transcript ({plural(count, 'segment')}). Transcribe it "
            f"again? {replaced[0].upper()}{replaced[1:]}",  # "again? the segments" read as a typo
        )
        if answer != QMessageBox.StandardButton.Yes:
            self.chrome.message("Nothing was transcribed: the transcript is kept as it was.", 5000)
            return None
        return True

    def cancel_transcription(self, session_id: str | None) -> None:
        """Stop a running transcription (what was transcribed is kept; it can resume); from the
        menu (no ``session_id``) with no session transcribing, a segment's re-transcription."""
        if session_id is None and not self.running and self.retranscribing:
            self.cancel_retranscription()
            return
        sid = session_id or (self.state.session.id if self.state.session else None)
        if sid not in self.running and len(self.running) == 1:
            sid = next(iter(self.running))  # the only one running
        handle = self.running.get(sid) if sid else None
        if handle is None or sid is None:
            return
        stop = self._stops.get(sid)
        if handle.context.cancel.is_set() and stop is not None:
            # pressed again while waiting: stop now, the part being decoded is dropped
            stop.set()
            handle.cancel(hurry=True)  # a transcriber that cannot stop at once: soon
            self.chrome.message("Stopping now: what is written is kept…", 10000)
        else:
            handle.cancel()
            # the batches being decoded are written first, however long they take
            self.chrome.message("Cancelling: saving what is being transcribed…", 10000)
        self._show_live(sid)

    # ------------------------------------------------------------------ one segment
    def _transcription_progress(self, sid: str, progress: Any) -> None:
        estimate = self._estimates.get(sid)
        if estimate is None:
            return
        now = time.monotonic()
        estimate.report(
            float(getattr(progress, "fraction", 0.0)), getattr(progress, "eta_s", None), now
        )
        detail = getattr(progress, "detail", None)
        if detail:
            self._details[sid] = str(detail)
        self._show_live(sid)
        if self.state.session is not None and self.state.session.id == sid:
            # show new segments as they land, at most every 2 s
            rows = self.views.segment_model.rowCount()
            if getattr(progress, "segments", rows) > rows:
                wait = 2.0 - (now - self._last_refresh)
                self._late_sid = sid
                if wait < 0:
                    self._refresh_late()
                elif not self._late_refresh.isActive():
                    self._late_refresh.start(int(wait * 1000) + 1)

    def _refresh_late(self) -> None:
        """Show the segments of the open session's running transcription that landed since
        its last refresh."""
        self._late_refresh.stop()
        sid, self._late_sid = self._late_sid, None
        session = self.state.session
        if sid is not None and sid in self.running and session is not None and session.id == sid:
            self._last_refresh = time.monotonic()
            self.sessions.refresh_transcript(sid)

    def _tick_all(self) -> None:
        """Once a second while transcriptions run: move their progress on."""
        for sid in list(self._estimates):
            self._show_live(sid)

    def _show_live(self, sid: str) -> None:
        """Show a running transcription's progress: in the sessions list and, for the open
        session, over the transcript and in the status bar."""
        estimate = self._estimates.get(sid)
        if estimate is None:
            return
        if self._waiting(sid):
            return
        shown = estimate.at(time.monotonic())
        handle = self.running.get(sid)
        stop = self._stops.get(sid)
        ending = ""
        if handle is not None and stop is not None and stop.is_set():
            ending = "stopping"
        elif handle is not None and handle.context.cancel.is_set():
            ending = "cancelling"
        live = LiveStatus(shown.fraction, shown.eta_s, ending=ending)
        self.views.sessions_model.set_live(sid, live)
        if self.state.session is None or self.state.session.id != sid:
            return
        pct = int(shown.fraction * 100)
        rows = self.views.segment_model.rowCount()
        if shown.eta_s is None:  # no rate yet: the first batch of speech is being decoded
            when = f"{round(shown.elapsed_s)} s so far"
        else:
            when = fmt_eta(shown.eta_s) if shown.eta_s >= 1 else "finishing"
        if ending == "stopping":
            doing = f"stopping now at {pct} %"
            tip = (
                "Cancel pressed again: what is written is kept, the part being transcribed is "
                "not; Transcribe resumes after what is written."
            )
            said = f"Stopping now at {pct} %: what is written is kept…"
        elif ending == "cancelling":
            # after a cancel the parts being decoded are still written, however long they take
            doing = f"cancelling at {pct} %"
            tip = (
                "The part being transcribed is saved first (Cancel again: stop now); "
                "Transcribe resumes after it."
            )
            said = f"Cancelling at {pct} %: saving what is being transcribed…"
        else:
            # short: at 1024x700 the header has ~510 px and the title gives way only down to a
            # quarter of it; what the text does meanwhile is in the tooltip
            doing = f"transcribing {pct} %, {when}"
            tip = "The text appears here as it is recognised."
            detail = self._details.get(sid)
            said = f"Transcribing {pct} %, {when}" + (f" — {detail}" if detail else "")
        self.views.transcript_label.setText(
            f"<b>{html.escape(self.state.session.title)}</b> — {plural(rows, 'segment')} — "
            f"<i>{doing}</i>",
            tip,
        )
        self.chrome.message(said)

    def _transcription_ended(self, sid: str) -> None:
        self.running.pop(sid, None)
        self._estimates.pop(sid, None)
        self._resumed.pop(sid, None)
        self._details.pop(sid, None)
        self._stops.pop(sid, None)
        if not self._estimates:
            self._tick.stop()
        # the list keeps the run's last status ("cancelling at 38 %") until the state after the
        # run is read: cleared at once, it showed the state read before the run ("imported")
        # for as long as that read took on a busy machine
        model = self.views.sessions_model
        last = model.live(sid)

        def read() -> None:
            if model.live(sid) is last:  # not a run of the same session begun since
                model.set_live(sid, None)
                if self.state.session is not None and self.state.session.id == sid:
                    self.sessions.update_transcript_label()  # "cancelled at 38 %" there too

        self.sessions.refresh_session_row(sid, then=read)
        emit(self.running_changed)
        if self.state.session is not None and self.state.session.id == sid:
            self.sessions.update_transcript_label()
            self.sessions.show_empty_hint()

    def _transcribed(self, sid: str, summary: Any) -> None:
        estimate = self._estimates.get(sid)
        shown = int(estimate.at(time.monotonic()).fraction * 100) if estimate else 0
        self._transcription_ended(sid)
        added = getattr(summary, "segments_added", 0)
        if getattr(summary, "cancelled", False):
            # the list showed 36 %, yet nothing is written before the first minute or two of
            # speech is done: "0 segments kept ... resume" hid that the next run starts over
            resumed = getattr(summary, "resumed_from_ms", 0) or 0
            done, total = getattr(summary, "done_ms", 0), getattr(summary, "duration_ms", 0)
            if added and isinstance(done, int) and isinstance(total, int) and total > 0:
                # what is kept, as the Sessions list and the header say it: the screen's
                # figure counted the part being decoded, dropped by a second Cancel ("cancelled
                # at 78 %" here, "cancelled at 56 %" there)
                shown = min(100, int(100 * done / total))
            in_all = getattr(summary, "session_segments", 0)
            in_all = in_all if isinstance(in_all, int) else 0
            self.chrome.message(cancelled_text(shown, added, resumed, in_all), 12000)
        else:
            # named: sessions imported together end one after another, each with its message
            # with which model: an imported one (a Kazakh fine-tune) was used, or gave way
            model = getattr(summary, "model", None)
            with_model = f" with {model}" if isinstance(model, str) and model else ""
            text = f"Transcribed {self._title(sid)}{with_model}: {plural(added, 'segment')}"
            if getattr(summary, "heard_nothing", False):
                text += f" ({NO_SPEECH})"
            heard = summary.by_language() if hasattr(summary, "by_language") else []
            if len(heard) > 1:  # a recording that switches language: how much of each
                text += f" ({', '.join(f'{code.upper()} {n}' for code, n in heard)})"
            elif heard:  # one language: which ("3 segments." named none, so a Kazakh
                # recording heard as Russian was seen only in the badges)
                text += f" ({heard[0][0].upper()})"
            untranscribed = getattr(summary, "untranscribed", 0)
            if untranscribed:
                text += (
                    f", {untranscribed} without transcript (play and type {them(untranscribed)})"
                )
            in_all = getattr(summary, "session_segments", 0)
            if isinstance(in_all, int) and in_all > added + untranscribed:
                # a resumed run wrote only its part ("13 segments" of the session's 40)
                text += f"; the session has {plural(in_all, 'segment')} in all"
            kept = getattr(summary, "segments_kept", 0)
            if kept:  # a transcription again: the header counts them too
                text += f"; {plural(kept, 'segment')} holding your work kept unchanged"
            all_notes = [for_gui(n) for n in getattr(summary, "notes", []) or []]
            self.chrome.message(f"{text}. {' '.join(all_notes)}".strip(), 12000)
            # what the user must know (a model switched, languages to set) also in a box that
            # does not block, once per window: the status bar alone is easy to miss
            # the same advice with other counts ("1 segment in Kazakh…", then "2 segments…"
            # for the next of four sessions imported together) is not boxed again
            fresh = [n for n in all_notes if advice_of(n) not in self._notes_shown]
            if fresh:
                self._notes_shown.update(advice_of(n) for n in fresh)
                self.last_notes = fresh
                self.chrome.report("\n\n".join([f"{text}.", *fresh]))
        self.sessions.reload_sessions()
        if self.state.session is not None and self.state.session.id == sid:
            if self.views.segment_model.session_id == sid:
                self.sessions.refresh_transcript(sid)
            else:
                self.sessions.reopen_session(sid)  # still loading: load it again
        emit(self.transcribed, sid)

    def _waiting(self, sid: str) -> bool:
        """A transcription queued behind others (two run at a time) says so, and its clock
        starts when it does: all five of a batch read "0 %, 2 s so far" alike."""
        handle = self.running.get(sid)
        if handle is None or handle.context.started.is_set() or handle.context.cancel.is_set():
            return False
        self._estimates[sid] = LiveEstimate(time.monotonic(), self._resumed.get(sid, 0.0))
        self.views.sessions_model.set_live(sid, LiveStatus(0.0, None, waiting=True))
        if self.state.session is not None and self.state.session.id == sid:
            self.views.transcript_label.setText(
                f"<b>{html.escape(self.state.session.title)}</b> — <i>waiting</i>",
                "Two transcriptions run at a time: this one begins when one of them ends.",
            )
            self.chrome.message("Waiting: this session is transcribed when another one ends.")
        return True

    def _title(self, sid: str) -> str:
        """“The session's title”, as messages name it (its id once it is gone)."""
        project = self.state.project
        try:
            title = project.sessions.get_session(sid).title if project is not None else sid
        except FieldScribeError:
            title = sid
        return f"“{title}”"

    def _transcription_failed(
        self, sid: str, exc: BaseException, language: str | None = None
    ) -> None:
        self._transcription_ended(sid)
        self.sessions.reload_sessions()
        if type(exc).__name__ == "NeedsReplaceError":
            answer = QMessageBox.question(
                self.chrome.window,
                "Transcribe again?",
                f"{for_gui(exc)}\n\nReplace the existing transcript with a new transcription?",
            )
            if answer == QMessageBox.StandardButton.Yes:
                self.start_transcription(sid, replace=True, language=language)
            else:  # not the last "Transcribing 0 %" left standing
                self.chrome.message(
                    "Nothing was transcribed: the transcript is kept as it was.", 5000
                )
            return
        # a refusal worded for the workbench (menus, not commands) says it so
        self.chrome.show_error(for_gui(exc) if isinstance(getattr(exc, "gui", None), str) else exc)
