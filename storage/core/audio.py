"""Audio decoding: probing imported files and configuring pydub's ffmpeg.

Probing decodes the whole first audio stream with PyAV (the FFmpeg libraries that ship in the
``av`` wheel faster-whisper depends on), so an empty, truncated or non-audio file is refused at
import time with a message naming the file, not half-way through a transcription. pydub is pointed
at the system ``ffmpeg`` or, where there is none, at the binary that ships in ``imageio-ffmpeg``.
"""

from __future__ import annotations

import hashlib
import shlex
import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from storage.core.errors import AudioError
from storage.core.names import readable_file_name


@dataclass
class AudioInfo:
    """What the decoder found in an audio file (see ``storage.core.audio.probe``)."""

    duration_ms: int
    sample_rate: int
    channels: int
    codec: str
    audio_tracks: int = 1
    """How many audio streams the file holds; only the first is played and transcribed."""


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


SUPPORTED_HINT = "wav, mp3, m4a/aac, ogg/opus, flac, or a video with sound"

# what the import dialog offers first; anything the decoder reads is imported (phones'
# recorders: .m4a, .amr, .3gp/.3ga; messengers' voice notes: .ogg/.oga/.opus; iPhone: .caf)
AUDIO_EXTENSIONS = (
    ".wav", ".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".flac", ".amr", ".3gp", ".3ga",
    ".m4b", ".caf", ".mka", ".wma", ".aif", ".aiff",
    ".mp4", ".mov", ".webm", ".mkv", ".avi", ".wmv",
)  # fmt: skip


@lru_cache(maxsize=1)
def ffmpeg_path() -> str:
    """Return the ffmpeg executable: the system one, or imageio-ffmpeg's bundled binary.

    Raises:
        AudioError: neither is available.
    """
    system = shutil.which("ffmpeg")
    if system:
        return system
    try:
        import imageio_ffmpeg

        exe: str = imageio_ffmpeg.get_ffmpeg_exe()
        return exe
    except (ImportError, RuntimeError) as exc:  # pragma: no cover - broken install
        raise AudioError(
            "No ffmpeg found: install ffmpeg or reinstall FieldScribe (imageio-ffmpeg)."
        ) from exc


def configure_pydub() -> None:
    """Point pydub at our ffmpeg (it otherwise looks only on PATH)."""
    from pydub import AudioSegment

    AudioSegment.converter = ffmpeg_path()


def probe(path: str | Path) -> AudioInfo:
    """Decode an audio or video file's first audio stream and describe it.

    Args:
        path: the file.

    Returns:
        Duration (decoded, in ms), sample rate, channels and codec name.

    Raises:
        AudioError: missing, empty, unreadable, not audio, truncated to nothing, or corrupt.
    """
    import av

    src = Path(path)
    if not src.exists():
        raise AudioError(f"{src}: no such file; check the path (or copy the recording here first).")
    if not src.is_file():
        raise AudioError(f"{src}: not a file (a folder?); choose the recording file itself.")
    if src.stat().st_size == 0:
        raise AudioError(
            f"{src}: the file is empty (0 bytes); the copy may have failed: copy it again from "
            "the recorder."
        )
    try:
        container = av.open(str(src))
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise AudioError(
            f"{src}: not a readable audio or video file ({_reason(exc)}); import the recording "
            f"itself ({SUPPORTED_HINT}), or, if it is one, copy it again: it may be damaged."
        ) from exc
    with container:
        if not container.streams.audio:
            raise AudioError(
                f"{src}: the file has no audio track; import a recording with sound "
                f"({SUPPORTED_HINT})."
            )
        tracks = len(container.streams.audio)
        stream = container.streams.audio[0]
        codec = stream.codec_context.name or "unknown"
        rate = int(stream.codec_context.sample_rate or stream.rate or 0)
        channels = int(stream.codec_context.channels or 0)
        declared_ms = _wav_declared_ms(src) or _declared_ms(container, stream)
        samples = 0
        errors = 0
        try:
            for packet in container.demux(stream):
                try:
                    for frame in packet.decode():
                        samples += frame.samples
                        rate = rate or int(frame.sample_rate)
                        channels = channels or len(frame.layout.channels)
                except av.error.InvalidDataError:
                    errors += 1
                    if errors > 50 and samples == 0:
                        break
        except (av.error.FFmpegError, OSError) as exc:
            if samples == 0:
                raise AudioError(
                    f"{src}: cannot decode the audio ({_reason(exc)}); the file may be damaged: "
                    "copy it again from the recorder."
                ) from exc
    if samples == 0 or rate <= 0:
        raise AudioError(
            f"{src}: no audio could be decoded (the file is truncated, corrupt or not audio); "
            "copy it again from the recorder."
        )
    decoded_ms = round(samples * 1000 / rate)
    if declared_ms and decoded_ms < declared_ms * 0.9 and declared_ms - decoded_ms > 1000:
        raise AudioError(
            f"{src}: the file is truncated (its header says {declared_ms / 1000:.1f} s, "
            f"only {decoded_ms / 1000:.1f} s could be decoded); copy it again from the recorder."
        )
    return AudioInfo(
        duration_ms=decoded_ms,
        sample_rate=rate,
        channels=channels or 1,
        codec=codec,
        audio_tracks=tracks,
    )


def track_note(path: str | Path, info: AudioInfo) -> str | None:
    """What to tell the user about a file with several audio tracks (None for one track).

    FieldScribe plays and transcribes one track, the first (a camera's or a Zoom recording's
    extra tracks, another microphone or language, are not heard).
    """
    if info.audio_tracks <= 1:
        return None
    name = readable_file_name(Path(path).name)
    return (
        f"{name} has {info.audio_tracks} audio tracks; FieldScribe plays and transcribes only "
        f"the first. To transcribe another, extract it (ffmpeg -i {shlex.quote(name)} -map 0:a:1 "
        "-vn track2.wav) and import that file."
    )


def _wav_declared_ms(path: Path) -> int:
    """For a RIFF/WAVE file, the duration its ``data`` chunk header declares (0 if unknown)."""
    import struct

    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return 0
            byte_rate = 0
            while True:
                chunk = fh.read(8)
                if len(chunk) < 8:
                    return 0
                ident, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
                if ident == b"fmt ":
                    fmt = fh.read(size + (size & 1))
                    byte_rate = struct.unpack("<I", fmt[8:12])[0] if len(fmt) >= 12 else 0
                elif ident == b"data":
                    if not byte_rate or size in (0, 0xFFFFFFFF):
                        return 0
                    return int(size * 1000 / byte_rate)
                else:
                    fh.seek(size + (size & 1), 1)
    except OSError:
        return 0


def _declared_ms(container: object, stream: object) -> int:
    """The duration the file's header declares, in ms (0 when unknown)."""
    duration = getattr(stream, "duration", None)
    time_base = getattr(stream, "time_base", None)
    if duration and time_base:
        return int(float(duration * time_base) * 1000)
    total = getattr(container, "duration", None)  # in AV_TIME_BASE (microseconds)
    return int(total / 1000) if total else 0


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return str(text).split(":")[-1].strip() or type(exc).__name__
