"""A WAV writer that survives crashes, power loss and a full disk.

``CrashSafeWavWriter`` appends PCM (signed little-endian integers) to a RIFF/WAVE file whose
header is rewritten with the true sizes after every flush, and fsyncs at least every
``flush_interval`` seconds. Whatever happens to the process, the file on disk is a valid WAV
holding everything up to the last flush; ``repair_wav_header`` fixes the header of a file whose
last flush did not get to rewrite it (the audio bytes themselves are never touched).

``BackgroundWavWriter`` runs such a writer in a thread fed by a queue so that the thread that
receives audio from the sound card (the GUI thread in the app) never waits on the disk.
"""

from __future__ import annotations

import contextlib
import errno
import os
import queue
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path

from storage.core.atomic import fsync_folder
from storage.core.errors import DiskFullError, ReadOnlyError

HEADER_BYTES = 44
_MAX_RIFF = 0xFFFFFFFF


def wav_header(sample_rate: int, channels: int, sample_width: int, data_bytes: int) -> bytes:
    """Return a 44-byte canonical PCM WAV header.

    Args:
        sample_rate: frames per second.
        channels: interleaved channels.
        sample_width: bytes per sample (2 for s16le).
        data_bytes: size of the data chunk (clamped to what a RIFF size field can hold).

    Returns:
        The header bytes.
    """
    data_bytes = min(data_bytes, _MAX_RIFF - 36)
    block_align = channels * sample_width
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + data_bytes,
        b"WAVE",
        b"fmt ",
        16,
        1,  # PCM
        channels,
        sample_rate,
        sample_rate * block_align,
        block_align,
        sample_width * 8,
        b"data",
        data_bytes,
    )


def read_wav_format(path: Path) -> tuple[int, int, int] | None:
    """Return (sample_rate, channels, sample_width) of a canonical WAV header, or None."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEADER_BYTES)
    except OSError:
        return None
    if len(head) < HEADER_BYTES or head[:4] != b"RIFF" or head[8:16] != b"WAVEfmt ":
        return None
    _fmt, channels, rate, _byte_rate, _align, bits = struct.unpack("<HHIIHH", head[20:36])
    if head[36:40] != b"data" or not channels or not rate or bits % 8:
        return None
    return int(rate), int(channels), int(bits // 8)


def repair_wav_header(path: Path, sample_rate: int, channels: int, sample_width: int) -> int:
    """Rewrite a WAV header so that it covers every whole frame present in the file.

    The audio bytes are left exactly as they are (a trailing partial frame stays in the file,
    outside the data chunk). The header is written in place and fsynced.

    Args:
        path: the WAV file written by ``CrashSafeWavWriter``.
        sample_rate: frames per second.
        channels: interleaved channels.
        sample_width: bytes per sample.

    Returns:
        The number of audio bytes the repaired data chunk holds.

    Raises:
        ReadOnlyError: the file cannot be opened for writing.
    """
    block_align = channels * sample_width
    try:
        with open(path, "r+b") as fh:
            size = os.fstat(fh.fileno()).st_size
            data_bytes = max(0, size - HEADER_BYTES) // block_align * block_align
            if size < HEADER_BYTES:
                fh.seek(0, os.SEEK_END)
                fh.write(b"\0" * (HEADER_BYTES - size))
            fh.seek(0)
            fh.write(wav_header(sample_rate, channels, sample_width, data_bytes))
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise ReadOnlyError(f"{path}: cannot repair the recording ({exc.strerror}).") from exc
    return data_bytes


def _disk_error(path: Path, exc: OSError, written_ms: int) -> ReadOnlyError:
    kept = f"{written_ms / 1000:.1f} s of audio are kept in {path}"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFullError(
            f"The disk is full: recording stopped; {kept}. Free some space, then reopen the "
            "project (or run `fieldscribe recover`) to add it as a session."
        )
    return ReadOnlyError(
        f"Writing the recording failed ({exc.strerror or exc}): recording stopped; {kept}."
    )


class CrashSafeWavWriter:
    """Append PCM audio to a WAV file that stays valid on disk at every moment.

    Data is kept in memory for at most ``flush_interval`` seconds, then written, the RIFF and
    data sizes in the header are rewritten, and the file is fsynced. On a write error (disk
    full, device gone) the writer stops accepting data, fixes the header to what reached the
    disk, and raises ``DiskFullError`` / ``ReadOnlyError`` with a message saying what was kept.

    Not thread-safe: use it from one thread (``BackgroundWavWriter`` does).
    """

    def __init__(
        self,
        path: str | Path,
        sample_rate: int,
        channels: int,
        sample_width: int,
        *,
        flush_interval: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Create the file (it must not exist) with an empty, valid WAV header, fsynced.

        Args:
            path: the new WAV file.
            sample_rate: frames per second.
            channels: interleaved channels.
            sample_width: bytes per sample (2 for s16le).
            flush_interval: seconds between flush + fsync (at most 1 is sensible).
            clock: a monotonic clock (tests pass a fake one).

        Raises:
            ReadOnlyError: the file cannot be created (also ``DiskFullError``).
        """
        if sample_rate <= 0 or channels <= 0 or sample_width not in (1, 2, 3, 4):
            raise ValueError("bad audio format")
        self.path = Path(path)
        self.sample_rate = sample_rate
        self.channels = channels
        self.sample_width = sample_width
        self.block_align = channels * sample_width
        self.flush_interval = flush_interval
        self._clock = clock
        self._pending = bytearray()
        self._on_disk = 0  # audio bytes written to the file (past the header)
        self._synced = 0  # audio bytes covered by the header, fsynced
        self._closed = False
        self._failed: ReadOnlyError | None = None
        try:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except OSError as exc:
            raise _disk_error(self.path, exc, 0) from exc
        try:
            self._write_all(wav_header(sample_rate, channels, sample_width, 0))
            os.fsync(self._fd)
            fsync_folder(self.path.parent)
        except OSError as exc:
            os.close(self._fd)
            raise _disk_error(self.path, exc, 0) from exc
        self._last_flush = self._clock()

    # ------------------------------------------------------------------ state
    @property
    def byte_rate(self) -> int:
        """Bytes of audio per second."""
        return self.sample_rate * self.block_align

    @property
    def bytes_written(self) -> int:
        """Audio bytes accepted so far (on disk or pending)."""
        return self._on_disk + len(self._pending)

    @property
    def bytes_synced(self) -> int:
        """Audio bytes that are on disk, fsynced and covered by the header."""
        return self._synced

    @property
    def duration_ms(self) -> int:
        """Duration of the audio accepted so far."""
        return self.bytes_written * 1000 // self.byte_rate

    @property
    def error(self) -> ReadOnlyError | None:
        """The write error that stopped the writer, if any."""
        return self._failed

    # ------------------------------------------------------------------ writing
    def write(self, data: bytes) -> None:
        """Accept audio bytes; flushes when ``flush_interval`` has passed since the last flush.

        Raises:
            DiskFullError: the disk filled up (the audio up to then is kept).
            ReadOnlyError: another write error, or the writer is closed or already failed.
        """
        if self._failed is not None:
            raise self._failed
        if self._closed:
            raise ReadOnlyError(f"{self.path}: the recording is already closed.")
        self._pending += data
        if self._clock() - self._last_flush >= self.flush_interval:
            self.flush()

    def flush(self) -> None:
        """Write pending audio, rewrite the header sizes and fsync the file.

        Raises:
            DiskFullError: the disk filled up (the header then covers what reached the disk).
            ReadOnlyError: another write error.
        """
        if self._failed is not None:
            raise self._failed
        if self._closed:
            return
        self._last_flush = self._clock()
        try:
            if self._pending:
                self._write_all(bytes(self._pending), at=HEADER_BYTES + self._on_disk)
            self._pending.clear()
            whole = self._on_disk // self.block_align * self.block_align
            header = wav_header(self.sample_rate, self.channels, self.sample_width, whole)
            self._pwrite_all(header, 0)
            os.fsync(self._fd)
            self._synced = whole
        except OSError as exc:
            self._fail(exc)

    def close(self) -> None:
        """Flush what is pending and close the file (idempotent).

        Raises:
            DiskFullError: the final flush hit a full disk (the file is still closed and valid).
            ReadOnlyError: another write error.
        """
        if self._closed:
            return
        try:
            if self._failed is None:
                self.flush()
        finally:
            self._closed = True
            with contextlib.suppress(OSError):
                os.close(self._fd)

    # ------------------------------------------------------------------ low level
    def _os_write(self, data: bytes | memoryview, offset: int) -> int:
        """One positioned write; a test double overrides this to simulate a full disk."""
        return os.pwrite(self._fd, data, offset)

    def _write_all(self, data: bytes, at: int | None = None) -> None:
        offset = 0 if at is None else at
        view = memoryview(data)
        while view:
            n = self._os_write(view, offset)
            if n <= 0:  # pragma: no cover - pwrite reports ENOSPC instead
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            offset += n
            view = view[n:]
            if at is not None:
                self._on_disk += n

    def _pwrite_all(self, data: bytes, offset: int) -> None:
        view = memoryview(data)
        while view:
            n = os.pwrite(self._fd, view, offset)
            offset += n
            view = view[n:]

    def _fail(self, exc: OSError) -> None:
        """Stop accepting audio, make the header cover what reached the disk, raise."""
        self._pending.clear()
        with contextlib.suppress(OSError):
            whole = self._on_disk // self.block_align * self.block_align
            self._pwrite_all(
                wav_header(self.sample_rate, self.channels, self.sample_width, whole), 0
            )
            os.fsync(self._fd)
            self._synced = whole
        self._failed = _disk_error(self.path, exc, self._synced * 1000 // self.byte_rate)
        raise self._failed from exc


class BackgroundWavWriter:
    """Run a ``CrashSafeWavWriter`` in a thread fed by a queue.

    ``put`` never blocks and never raises: after a write error the thread stops writing, keeps
    the error in ``error`` (the audio up to then stays on disk) and drops further data.
    ``close`` drains the queue, closes the file and joins the thread.
    """

    def __init__(self, writer: CrashSafeWavWriter) -> None:
        """Start the writer thread."""
        self.writer = writer
        self._queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._error: ReadOnlyError | None = None
        self._accepted = 0
        self._thread = threading.Thread(
            target=self._run, name=f"wav-writer-{writer.path.name}", daemon=True
        )
        self._thread.start()

    @property
    def error(self) -> ReadOnlyError | None:
        """The error that stopped writing, or None."""
        return self._error

    @property
    def bytes_accepted(self) -> int:
        """Bytes handed to ``put`` (the recording's length as the caller sees it)."""
        return self._accepted

    def put(self, data: bytes) -> None:
        """Queue audio bytes for writing (non-blocking)."""
        if data and self._error is None:
            self._accepted += len(data)
            self._queue.put(data)

    def close(self) -> ReadOnlyError | None:
        """Write everything queued, close the file, stop the thread; return the error if any."""
        self._queue.put(None)
        self._thread.join()
        return self._error

    def _run(self) -> None:
        interval = max(0.05, self.writer.flush_interval)
        while True:
            try:
                item = self._queue.get(timeout=interval)
            except queue.Empty:
                item = b""
            try:
                if item is None:
                    self.writer.close()
                    return
                if self._error is None:
                    if item:
                        self.writer.write(item)
                    elif self.writer.bytes_written > self.writer.bytes_synced:
                        self.writer.flush()
            except ReadOnlyError as exc:
                self._error = exc
                with contextlib.suppress(ReadOnlyError):
                    self.writer.close()
