"""Recordings in progress, their journals, and recovery after a crash (no Qt here).

A recording in progress lives inside the project folder::

    PROJECT/recordings/<uuid>.wav      PCM written by CrashSafeWavWriter (valid WAV at all times)
    PROJECT/recordings/<uuid>.jsonl    the journal: one JSON object per line, fsynced per line

The journal starts with a ``start`` event (format, device, wall-clock start, title, kind, guide)
and receives ``marker``, ``pause``, ``resume``, ``meta`` and ``stop`` events as they happen.
While the recording runs its journal is held under an OS file lock, so recovery never touches a
recording that is still going on (in this process or another one).

When a recording ends normally, ``finish_recording`` imports it as a session (status
``recorded``) with its markers, checks that the project's copy is byte-identical, removes the
in-progress WAV and archives the journal in ``recordings/done/``. When FieldScribe was killed,
the machine lost power or the disk filled up, ``recover`` finds the unfinished recordings,
repairs each WAV header from the file's real size, imports it as "Recovered recording <date>"
with the journaled markers, and only then moves the WAV and its journal to
``recordings/recovered/``. Recovery asks nothing and deletes nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from storage.core.audio import AudioInfo, sha256_of
from storage.core.errors import AudioError, FieldScribeError, InvalidInputError, ReadOnlyError
from storage.core.ids import new_id, now_iso
from storage.core.lock import try_lock
from storage.core.models import SESSION_KINDS, Session
from storage.recordings.guide import guide_label, load_guide, parse_guide
from storage.recordings.wavfile import (
    BackgroundWavWriter,
    CrashSafeWavWriter,
    read_wav_format,
    repair_wav_header,
)

__all__ = [
    "ActiveRecording",
    "CrashSafeWavWriter",
    "RecordingMarker",
    "RecoveryReport",
    "UnfinishedRecording",
    "find_unfinished",
    "finish_recording",
    "guide_label",
    "import_recording",
    "load_guide",
    "parse_guide",
    "recover",
    "recover_all",
]

if TYPE_CHECKING:
    from storage.project import Project

RECORDINGS_DIR = "recordings"
RECOVERED_DIR = "recovered"
DONE_DIR = "done"
MARKER_SOURCES = ("recording", "guide")


# ---------------------------------------------------------------------------- journal
class Journal:
    """An append-only JSON-lines file; every line is flushed and fsynced as it is written."""

    def __init__(self, path: Path) -> None:
        """Create the journal (it must not exist) and take its lock."""
        self.path = path
        try:
            self._fh: IO[str] = open(path, "x", encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            raise ReadOnlyError(
                f"{path}: cannot create the recording journal ({exc.strerror})."
            ) from exc
        if not try_lock(self._fh):  # pragma: no cover - the file is brand new
            raise ReadOnlyError(f"{path}: the recording journal is locked.")

    def append(self, event: dict[str, Any]) -> None:
        """Write one event and make it durable.

        Raises:
            ReadOnlyError: the write failed (also ``DiskFullError``).
        """
        line = json.dumps(event, ensure_ascii=False, sort_keys=True) + "\n"
        try:
            self._fh.write(line)
            self._fh.flush()
            os.fsync(self._fh.fileno())
        except OSError as exc:
            from storage.recordings.wavfile import _disk_error

            raise _disk_error(self.path, exc, 0) from exc

    def close(self) -> None:
        """Close the file (which releases the lock)."""
        with contextlib.suppress(OSError):
            self._fh.close()


def read_journal(path: Path) -> list[dict[str, Any]]:
    """Read a journal's events, skipping a torn last line or garbage lines."""
    events = []
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    for line in text.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and "type" in event:
            events.append(event)
    return events


def _is_in_progress(journal: Path) -> bool:
    """True when a live recording (any process) holds the journal's lock."""
    try:
        with open(journal, "a", encoding="utf-8") as fh:
            return not try_lock(fh)
    except OSError:
        return False


# ---------------------------------------------------------------------------- recording
@dataclass
class RecordingMarker:
    """A marker dropped during a recording, at a position of the recorded audio."""

    time_ms: int
    label: str
    note: str | None = None
    source: str = "recording"


class ActiveRecording:
    """One recording in progress: its WAV writer thread, its journal and its clock.

    The audio position is the length of audio received (paused audio is not received), so
    marker times are positions in the final file. ``feed`` is cheap and never blocks: the file
    is written by a background thread.
    """

    def __init__(
        self,
        folder: str | Path,
        *,
        sample_rate: int,
        channels: int,
        sample_width: int = 2,
        device: str = "",
        title: str | None = None,
        kind: str = "interview",
        guide: list[str] | None = None,
        flush_interval: float = 0.5,
    ) -> None:
        """Create ``recordings/<uuid>.wav`` and its journal in the project folder ``folder``.

        Raises:
            InvalidInputError: unknown session kind.
            ReadOnlyError: the files cannot be created (also ``DiskFullError``).
        """
        if kind not in SESSION_KINDS:
            raise InvalidInputError(
                f"Unknown session kind {kind!r}; use one of: {', '.join(SESSION_KINDS)}."
            )
        self.id = new_id()
        self.folder = Path(folder)
        rec_dir = self.folder / RECORDINGS_DIR
        try:
            rec_dir.mkdir(exist_ok=True)
        except OSError as exc:
            raise ReadOnlyError(f"{rec_dir}: cannot create ({exc.strerror}).") from exc
        self.wav_path = rec_dir / f"{self.id}.wav"
        self.journal_path = rec_dir / f"{self.id}.jsonl"
        self.guide = list(guide or [])
        self.guide_index = -1  # no question asked yet
        self.markers: list[RecordingMarker] = []
        self.paused = False
        self.stopped = False
        self.journal = Journal(self.journal_path)
        try:
            self.journal.append(
                {
                    "type": "start",
                    "id": self.id,
                    "started_at": now_iso(),
                    "local_start": datetime.now().astimezone().isoformat(timespec="seconds"),
                    "sample_rate": sample_rate,
                    "channels": channels,
                    "sample_width": sample_width,
                    "device": device,
                    "title": title,
                    "kind": kind,
                    "guide": self.guide,
                }
            )
            writer = CrashSafeWavWriter(
                self.wav_path, sample_rate, channels, sample_width, flush_interval=flush_interval
            )
        except BaseException:
            self.journal.close()
            raise
        self.writer = BackgroundWavWriter(writer)
        self.byte_rate = writer.byte_rate
        self.block_align = writer.block_align

    # ------------------------------------------------------------------ clock
    @property
    def position_ms(self) -> int:
        """Length of the audio received so far, in ms."""
        return self.writer.bytes_accepted * 1000 // self.byte_rate

    @property
    def error(self) -> FieldScribeError | None:
        """The write error that stopped the recording (disk full...), or None."""
        return self.writer.error

    def free_seconds(self) -> float:
        """Seconds of audio the disk can still take at this recording's byte rate."""
        import shutil

        try:
            free = shutil.disk_usage(self.wav_path.parent).free
        except OSError:
            return 0.0
        return free / self.byte_rate

    # ------------------------------------------------------------------ audio
    def feed(self, data: bytes) -> None:
        """Hand audio to the writer; ignored while paused or after stop."""
        if not self.paused and not self.stopped:
            self.writer.put(data)

    def pause(self) -> None:
        """Stop taking audio until ``resume`` (journaled)."""
        if not self.paused and not self.stopped:
            self.paused = True
            self._journal({"type": "pause", "time_ms": self.position_ms, "at": now_iso()})

    def resume(self) -> None:
        """Take audio again after ``pause`` (journaled)."""
        if self.paused and not self.stopped:
            self.paused = False
            self._journal({"type": "resume", "time_ms": self.position_ms, "at": now_iso()})

    # ------------------------------------------------------------------ markers
    def add_marker(
        self, note: str | None = None, *, label: str | None = None, source: str = "recording"
    ) -> RecordingMarker:
        """Drop a marker at the current position, journaled (fsynced) at once."""
        if source not in MARKER_SOURCES:
            raise InvalidInputError(f"Unknown marker source {source!r}.")
        note = (note or "").strip() or None
        marker = RecordingMarker(
            time_ms=self.position_ms,
            label=label or f"Marker {sum(m.source == 'recording' for m in self.markers) + 1}",
            note=note,
            source=source,
        )
        self.markers.append(marker)
        self._journal(
            {
                "type": "marker",
                "time_ms": marker.time_ms,
                "label": marker.label,
                "note": marker.note,
                "source": marker.source,
                "at": now_iso(),
            }
        )
        return marker

    @property
    def current_question(self) -> str | None:
        """The guide question being discussed, or None before the first / without a guide."""
        if 0 <= self.guide_index < len(self.guide):
            return self.guide[self.guide_index]
        return None

    def next_question(self) -> RecordingMarker | None:
        """Move to the next guide question and stamp a ``guide`` marker with it.

        Returns:
            The marker, or None when the guide is finished (or there is none).
        """
        if self.guide_index + 1 >= len(self.guide):
            self.guide_index = len(self.guide)
            return None
        self.guide_index += 1
        question = self.guide[self.guide_index]
        return self.add_marker(label=guide_label(self.guide_index + 1, question), source="guide")

    def set_metadata(self, **fields: Any) -> None:
        """Journal session metadata (title, kind, date, place, moderator, notes)."""
        self._journal({"type": "meta", **fields})

    # ------------------------------------------------------------------ end
    def stop(self) -> FieldScribeError | None:
        """Write everything received, close the WAV and journal ``stop``.

        Returns:
            The write error that ended the recording (disk full...), or None.
        """
        if self.stopped:
            return self.error
        self.stopped = True
        error = self.writer.close()
        self._journal(
            {
                "type": "stop",
                "time_ms": self.writer.writer.bytes_synced * 1000 // self.byte_rate,
                "at": now_iso(),
                "error": str(error) if error else None,
            }
        )
        return error

    def release(self) -> None:
        """Close the journal (releasing its lock) so the recording can be imported/recovered."""
        self.journal.close()

    def _journal(self, event: dict[str, Any]) -> None:
        # A journal write failing (disk full) must not lose the audio: the WAV keeps going
        # and the error surfaces through the writer soon after.
        with contextlib.suppress(FieldScribeError):
            self.journal.append(event)


# ---------------------------------------------------------------------------- recovery
@dataclass
class UnfinishedRecording:
    """A recording found in ``recordings/`` that was never imported."""

    id: str
    wav_path: Path
    journal_path: Path
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def start(self) -> dict[str, Any]:
        """The journal's start event (empty when the journal is missing or torn)."""
        return next((e for e in self.events if e.get("type") == "start"), {})

    @property
    def stopped(self) -> bool:
        """True when the recording was stopped (but its import did not complete)."""
        return any(e.get("type") == "stop" for e in self.events)

    def metadata(self) -> dict[str, Any]:
        """Title, kind and other session fields: the start event updated by ``meta`` events."""
        meta: dict[str, Any] = {
            "title": self.start.get("title"),
            "kind": self.start.get("kind") or "interview",
        }
        for event in self.events:
            if event.get("type") == "meta":
                meta.update({k: v for k, v in event.items() if k != "type"})
        return meta

    def markers(self) -> list[RecordingMarker]:
        """The markers journaled during the recording."""
        result = []
        for event in self.events:
            if event.get("type") != "marker":
                continue
            source = event.get("source") if event.get("source") in MARKER_SOURCES else "recording"
            result.append(
                RecordingMarker(
                    time_ms=max(0, int(event.get("time_ms") or 0)),
                    label=str(event.get("label") or "Marker"),
                    note=event.get("note"),
                    source=str(source),
                )
            )
        return result

    def audio_ms(self) -> int:
        """About how long the audio recorded so far is (from the WAV's size; 0 if unreadable)."""
        fmt = self.audio_format()
        try:
            size = self.wav_path.stat().st_size
        except OSError:
            return 0
        if fmt is None:
            return 0
        rate, channels, width = fmt
        return max(0, size - 44) * 1000 // (rate * channels * width)

    def audio_format(self) -> tuple[int, int, int] | None:
        """(sample_rate, channels, sample_width) from the journal, else from the WAV header."""
        start = self.start
        try:
            fmt = (int(start["sample_rate"]), int(start["channels"]), int(start["sample_width"]))
        except (KeyError, TypeError, ValueError):
            return read_wav_format(self.wav_path)
        return fmt if all(v > 0 for v in fmt) else read_wav_format(self.wav_path)


def find_unfinished(project_folder: str | Path) -> list[UnfinishedRecording]:
    """List the recordings in ``PROJECT/recordings/`` that were never imported.

    Recordings still in progress (their journal is locked by a live process) are left out.

    Args:
        project_folder: the project folder.

    Returns:
        The unfinished recordings, oldest first.
    """
    rec_dir = Path(project_folder) / RECORDINGS_DIR
    if not rec_dir.is_dir():
        return []
    found = []
    for wav in sorted(rec_dir.glob("*.wav"), key=lambda p: p.stat().st_mtime):
        journal = wav.with_suffix(".jsonl")
        if journal.exists() and _is_in_progress(journal):
            continue
        events = read_journal(journal) if journal.exists() else []
        found.append(UnfinishedRecording(wav.stem, wav, journal, events))
    return found


def _recovered_title(rec: UnfinishedRecording) -> str:
    meta_title = rec.metadata().get("title")
    if rec.stopped and meta_title:
        return str(meta_title)
    when = rec.start.get("local_start")
    try:
        stamp = datetime.fromisoformat(str(when)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        stamp = datetime.fromtimestamp(rec.wav_path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    title = f"Recovered recording {stamp}"
    return f"{title} ({meta_title})" if meta_title else title


def _archive(project: Project, rec: UnfinishedRecording, subdir: str, *, keep_wav: bool) -> bool:
    """Move the journal (and the WAV) to ``recordings/<subdir>/``; False when that failed.

    A failure (disk full, permissions) is not fatal: the session exists, and the next
    ``recover`` finds the recording already imported and archives it then.
    """
    target = project.folder / RECORDINGS_DIR / subdir
    try:
        target.mkdir(exist_ok=True)
        paths = [rec.journal_path] + ([rec.wav_path] if keep_wav else [])
        for path in paths:
            if path.exists():
                os.replace(path, target / path.name)
    except OSError:
        return False
    return True


def import_recording(
    project: Project, rec: UnfinishedRecording, *, recovered: bool
) -> Session | None:
    """Import one finished or unfinished recording as a session with its markers.

    The WAV header is repaired from the file's size, the audio is copied into ``media/``
    (``Project.import_audio``, status ``recorded``) and the journaled markers are added, all in
    one transaction. A recording already in the project (same file name, i.e. recording id,
    and same sha256: a crash hit between import and archiving) is not imported twice.
    Afterwards the journal (and, for a recovered recording, the WAV) goes to
    ``recordings/recovered/``; a normally finished WAV, once its copy in ``media/`` is checked
    byte for byte, is removed.

    Args:
        project: the open project (writable).
        rec: the recording (from ``find_unfinished`` or ``ActiveRecording``).
        recovered: True when the recording did not end normally.

    Returns:
        The new session, or None when the recording holds no audio (its files are archived).

    Raises:
        AudioError: the audio cannot be decoded.
        ReadOnlyError: the project cannot be written (also ``DiskFullError``).
    """
    fmt = rec.audio_format()
    if fmt is None:
        raise AudioError(
            f"{rec.wav_path}: the recording's format is unknown (no journal, damaged header); "
            "it was left in place."
        )
    sample_rate, channels, width = fmt
    data_bytes = repair_wav_header(rec.wav_path, sample_rate, channels, width)
    if data_bytes == 0:
        _archive(project, rec, RECOVERED_DIR, keep_wav=True)
        return None
    info = AudioInfo(
        duration_ms=data_bytes * 1000 // (sample_rate * channels * width),
        sample_rate=sample_rate,
        channels=channels,
        codec=f"pcm_s{width * 8}le" if width > 1 else "pcm_u8",
    )
    digest = sha256_of(rec.wav_path)
    existing = project.store.scalar(
        "SELECT session_id FROM media WHERE sha256 = ? AND original_name = ?",
        (digest, rec.wav_path.name),
    )
    meta = rec.metadata()
    if existing is not None:
        session: Session = project.sessions.get_session(str(existing))
    else:
        title = _recovered_title(rec) if recovered else str(meta.get("title") or "")
        if not title:
            title = _recovered_title(rec).replace("Recovered recording", "Recording", 1)
        kind = meta.get("kind") if meta.get("kind") in SESSION_KINDS else "interview"
        fields = {
            k: meta[k]
            for k in ("date", "place", "moderator", "notes")
            if isinstance(meta.get(k), str) and meta[k]
        }
        if "date" not in fields and rec.start.get("local_start"):
            fields["date"] = str(rec.start["local_start"])[:10]
        with project.transaction():
            session = project.sessions.import_audio(
                rec.wav_path,
                kind=str(kind),
                title=title,
                info=info,
                status="recorded",
                again=True,  # a recording is new even when its audio matches another's
            )
            if fields:
                project.sessions.update_session(session.id, **fields)
            for marker in rec.markers():
                project.sessions.add_marker(
                    session.id,
                    min(marker.time_ms, info.duration_ms),
                    marker.label,
                    note=marker.note,
                    source=marker.source,
                )
        session = project.sessions.get_session(session.id)
    if recovered:
        _archive(project, rec, RECOVERED_DIR, keep_wav=True)
    else:
        copy = project.sessions.media_path(session.id)
        keep = sha256_of(copy) != digest
        archived = _archive(project, rec, RECOVERED_DIR if keep else DONE_DIR, keep_wav=keep)
        if archived and not keep:
            rec.wav_path.unlink(missing_ok=True)
    return session


def finish_recording(project: Project, recording: ActiveRecording) -> Session | None:
    """Stop (if needed) and import a recording that ended normally (or on a write error).

    Returns:
        The new session (None when not a single byte of audio was recorded).

    Raises:
        AudioError, ReadOnlyError: the import failed; the recording stays in ``recordings/``
            and ``recover`` imports it later.
    """
    recording.stop()
    recording.release()
    rec = UnfinishedRecording(
        recording.id,
        recording.wav_path,
        recording.journal_path,
        read_journal(recording.journal_path),
    )
    return import_recording(project, rec, recovered=False)


@dataclass
class RecoveryReport:
    """What ``recover`` did."""

    sessions: list[Session] = field(default_factory=list)
    empty: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def recover_all(project: Project) -> RecoveryReport:
    """Import every unfinished recording of the project; errors are collected, not raised."""
    report = RecoveryReport()
    for rec in find_unfinished(project.folder):
        try:
            session = import_recording(project, rec, recovered=not rec.stopped)
        except FieldScribeError as exc:
            report.failed.append(str(exc))
            continue
        except OSError as exc:
            report.failed.append(f"{rec.wav_path}: {exc.strerror or exc}; it was left in place.")
            continue
        if session is None:
            report.empty.append(rec.wav_path)
        else:
            report.sessions.append(session)
    return report


def recover(project: Project) -> list[Session]:
    """Restore every unfinished recording of the project as a normal session.

    This is what the app calls when it opens a project: it asks nothing and deletes nothing
    (the WAVs and journals end up in ``recordings/recovered/``). Recordings that cannot be
    imported now (disk full...) stay where they are for the next try.

    Args:
        project: the open project (writable).

    Returns:
        The sessions created (or found already imported).
    """
    return recover_all(project).sessions
