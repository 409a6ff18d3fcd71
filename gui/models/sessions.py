"""The sessions table model: kind, date, duration, speakers and a live status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush

from gui.fmt import fmt_ms, fmt_when, plural, them
from gui.models.segments import PLACEHOLDER_COLOUR
from gui.models.table import RowTableModel
from gui.qtcompat import emit
from storage.core.languages import language_name
from storage.core.models import KIND_LABELS, Session

SESSION_ROLE = Qt.ItemDataRole.UserRole + 1
#: the fraction done of a running transcription (status column; None when none runs): the
#: sessions list draws it as a progress bar behind the short status
LIVE_ROLE = Qt.ItemDataRole.UserRole + 2
#: the start of the status that the list must show whole (``status_kept``; status column)
KEPT_ROLE = Qt.ItemDataRole.UserRole + 3
# the status comes second so that progress and ETA stay in sight in a narrow dock
HEADERS = ("Session", "Status", "Kind", "Date", "Duration", "Speakers")
STATUS_COL = HEADERS.index("Status")
#: the Duration of a session without a recording (a transcript imported as text): "0:00" read as
#: a recording of no length
NO_RECORDING = "—"
Index = QModelIndex | QPersistentModelIndex


@dataclass
class LiveStatus:
    """What a running transcription reported last."""

    fraction: float
    eta_s: float | None
    waiting: bool = False  # queued behind other transcriptions: not begun yet
    #: "cancelling" (Cancel pressed: the part being decoded is saved first) or "stopping"
    #: (pressed again); "" while it runs on
    ending: str = ""


@dataclass
class StoppedRun:
    """A transcription that ended before the end of the audio (``transcription_state``)."""

    status: str  # cancelled, failed, running (the app stopped while it ran)
    percent: int  # how much of the audio was transcribed


STOPPED_WORDS = {"cancelled": "cancelled", "failed": "failed", "running": "stopped"}


def stopped_text(session: Session, stopped: StoppedRun | None) -> str:
    """``cancelled at 70 %`` for an unfinished transcription: short, so that the column reads
    it whole in a laptop's dock ("… — resume with Transcribe" was cut to "… — resu…"); the
    tooltip says how to go on."""
    word = STOPPED_WORDS.get(stopped.status, "stopped") if stopped else "stopped"
    at = f" at {stopped.percent} %" if stopped is not None else ""
    return f"{word}{at}"


def stopped_tip(session: Session, stopped: StoppedRun | None) -> str:
    """How to go on after an unfinished transcription (the status column's tooltip)."""
    if stopped is not None and stopped.percent == 0 and not session.segment_count:
        # cancelled before its first batch was written: "0 segments kept ... goes on from
        # where it stopped" while the status bar said that Transcribe starts over
        word = STOPPED_WORDS.get(stopped.status, "stopped")
        return (
            f"Transcription {word} before its first part was saved (nothing kept): "
            "Transcription ▸ Transcribe session starts over."
        )
    return (
        f"Transcription {stopped_text(session, stopped)}"
        f" ({plural(session.segment_count, 'segment')} kept): Transcription ▸ "
        "Transcribe session goes on from where it stopped."
    )


def status_text(
    session: Session, live: LiveStatus | None = None, stopped: StoppedRun | None = None
) -> str:
    """The status a person reads: 42 % · 0:07 left (transcribing: the list draws a progress
    bar behind it), transcribed, N coded (segments), cancelled at 70 % (a run that did not
    reach the end: resumable)."""
    if live is not None and live.waiting:
        return "waiting"  # not "0 %", which read as begun (five imported at once)
    if live is not None:
        pct = int(live.fraction * 100)
        if live.ending:
            # not "22 % · 1:55 left" after Cancel, while the header and the status bar said
            # "cancelling at 22 %": the list read as if the run went on to its end
            return f"{live.ending} at {pct} %"
        # short (m:ss, no "transcribing"): at 1024x700 the column beside a long title has
        # ~125 px; the bar, the tooltip and the status bar say it in words
        if live.eta_s is None:
            eta = ""
        elif live.eta_s < 1:  # not "0:00 left" while it writes the last segments
            eta = "finishing"
        else:
            eta = f"{fmt_ms(round(live.eta_s * 1000))} left"
        return f"{pct} %" + (f" · {eta}" if eta else "")
    if session.status == "transcribing":  # a run began and did not finish
        text = stopped_text(session, stopped)
        if session.coded_segment_count:
            text += f" · {session.coded_segment_count} coded"
        return text
    no_text = f"{session.untranscribed_count} no text" if session.untranscribed_count else ""
    if session.coded_segment_count:
        # short: the column must fit a laptop's narrow dock (the tooltip says it in words)
        return f"{session.coded_segment_count} coded" + (f" · {no_text}" if no_text else "")
    if no_text:
        # what needs the researcher, alone: "transcribed · 2 no text" was cut to
        # "transcribed · …" at 1024x700 (the tooltip says it was transcribed)
        return no_text
    return "transcribed" if session.segment_count else session.status


def status_kept(
    session: Session, live: LiveStatus | None = None, stopped: StoppedRun | None = None
) -> str:
    """The start of the status that the list shows whole: a stopped run's "cancelled at 70 %"
    (its "· 6 coded" may elide), else all of it."""
    status = status_text(session, live, stopped)
    if live is None and session.status == "transcribing":
        return status.split(" · ")[0]
    return status


class SessionTableModel(RowTableModel):
    """Every session of the project."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._sessions: list[Session] = []
        self._live: dict[str, LiveStatus] = {}
        self._stopped: dict[str, StoppedRun] = {}

    def load(self, sessions: list[Session], stopped: dict[str, StoppedRun] | None = None) -> None:
        """Replace the list (with the unfinished transcriptions' state, by session id)."""
        self.beginResetModel()
        self._sessions = list(sessions)
        self._stopped = dict(stopped or {})
        self.endResetModel()

    def stopped(self, session_id: str) -> StoppedRun | None:
        """How far an unfinished transcription of the session went, if known."""
        return self._stopped.get(session_id)

    def session(self, row: int) -> Session:
        """The session in ``row``."""
        return self._sessions[row]

    def sessions(self) -> list[Session]:
        """All sessions shown."""
        return list(self._sessions)

    def row_of(self, session_id: str) -> int:
        """Row of a session id, or -1."""
        return next((i for i, s in enumerate(self._sessions) if s.id == session_id), -1)

    def set_live(self, session_id: str, live: LiveStatus | None) -> None:
        """Show (or stop showing) a running transcription's progress."""
        if live is None:
            self._live.pop(session_id, None)
        else:
            self._live[session_id] = live
        row = self.row_of(session_id)
        if row >= 0:
            idx = self.index(row, STATUS_COL)
            emit(self.dataChanged, idx, idx)

    def live(self, session_id: str) -> LiveStatus | None:
        """The live status of a session, if transcribing."""
        return self._live.get(session_id)

    def update_session(self, session: Session, stopped: StoppedRun | None = None) -> None:
        """Replace one session's row."""
        row = self.row_of(session.id)
        if row >= 0:
            self._sessions[row] = session
            if stopped is None:
                self._stopped.pop(session.id, None)
            else:
                self._stopped[session.id] = stopped
            emit(self.dataChanged, self.index(row, 0), self.index(row, len(HEADERS) - 1))

    headers = HEADERS

    def row_total(self) -> int:
        return len(self._sessions)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        s = self._sessions[index.row()]
        if role == SESSION_ROLE:
            return s
        if role == LIVE_ROLE:
            live = self._live.get(s.id) if index.column() == STATUS_COL else None
            return None if live is None else live.fraction
        if role == KEPT_ROLE:
            if index.column() != STATUS_COL:
                return None
            return status_kept(s, self._live.get(s.id), self._stopped.get(s.id))
        if role == Qt.ItemDataRole.DisplayRole:
            name = HEADERS[index.column()]
            if name == "Session":
                return s.title
            if name == "Kind":
                return KIND_LABELS.get(s.kind, s.kind)
            if name == "Date":
                return s.date or fmt_when(s.created_at)[:10]  # the local date
            if name == "Duration":  # a session of text alone has no recording: no length
                return fmt_ms(s.duration_ms) if s.duration_ms else NO_RECORDING
            if name == "Speakers":
                return str(len(s.speakers)) if s.speakers else ""
            return status_text(s, self._live.get(s.id), self._stopped.get(s.id))
        if role == Qt.ItemDataRole.ToolTipRole:
            speakers = ", ".join(s.speakers) or "no speakers yet"
            tip = f"{s.title}\n{KIND_LABELS.get(s.kind, s.kind)} · {speakers}"
            if index.column() == STATUS_COL:  # the column may show it elided
                status = status_text(s, self._live.get(s.id), self._stopped.get(s.id))
                live = self._live.get(s.id)
                if live is not None and live.waiting:
                    status = "Waiting: transcribed when one of the two running ends"
                elif live is not None and live.ending:
                    kept = (
                        "the part being transcribed is saved first"
                        if live.ending == "cancelling"
                        else "what is written is kept"
                    )
                    status = f"Transcription {status}: {kept}"
                elif live is not None:
                    status = f"Transcribing: {status}"
                elif s.status != "transcribing" and s.segment_count:
                    status = f"Transcribed · {status}"  # the column may say "2 no text" alone
                coded = s.coded_segment_count
                if coded and f"{coded} coded" in status:
                    # the column's short "2 coded" in words, once: the tip read "Transcribed ·
                    # 2 coded (2 segments coded)"
                    status = status.replace(f"{coded} coded", f"{plural(coded, 'segment')} coded")
                elif coded:
                    status += f" ({plural(coded, 'segment')} coded)"
                tip = status + "\n" + tip
            if not s.duration_ms:
                tip += "\nNo recording: a session of text alone"
            if s.languages:
                tip += "\nLanguages: " + ", ".join(
                    f"{language_name(code)} ({code.upper()})" for code in s.languages
                )
            if s.untranscribed_count:
                tip += (
                    f"\n{plural(s.untranscribed_count, 'segment')} of speech without transcript:"
                    f" open the session, play {them(s.untranscribed_count)} and type what was said."
                )
            if s.status == "transcribing" and s.id not in self._live:
                tip += "\n" + stopped_tip(s, self._stopped.get(s.id))
            if s.id in self._live and self._live[s.id].ending == "cancelling":
                tip += "\nRight-click ▸ Cancel transcription again to stop now."
            elif s.id in self._live and not self._live[s.id].ending:
                tip += "\nRight-click ▸ Cancel transcription to stop it (the text so far is kept)."
            return tip
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and index.column() == STATUS_COL
            and s.untranscribed_count
            and s.id not in self._live
        ):
            return QBrush(PLACEHOLDER_COLOUR)  # the transcript's amber for the same speech
        return None
