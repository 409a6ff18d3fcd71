"""Silencing or beeping spans of audio (pydub over ffmpeg) for redacted exports and destroys."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path

from storage.core.errors import AudioError, InvalidInputError

#: ffmpeg muxer and codec per extension for the formats we can write audio into.
_FORMATS: dict[str, tuple[str, str | None]] = {
    ".wav": ("wav", None),
    ".mp3": ("mp3", "libmp3lame"),
    ".flac": ("flac", None),
    ".ogg": ("ogg", "libvorbis"),
    ".oga": ("ogg", "libvorbis"),
    ".opus": ("opus", "libopus"),
    ".m4a": ("ipod", "aac"),
    ".aac": ("adts", "aac"),
}
REDACT_MODES = ("silence", "beep")
BEEP_HZ = 1000
BEEP_DBFS = -18.0


def writable_suffix(suffix: str) -> str:
    """The extension a redacted copy of a ``suffix`` file gets (video and odd formats: .flac)."""
    return suffix.lower() if suffix.lower() in _FORMATS else ".flac"


def merge_spans(spans_ms: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort and merge overlapping or touching time spans; empty ones are dropped."""
    result: list[tuple[int, int]] = []
    for start, end in sorted((max(0, int(s)), int(e)) for s, e in spans_ms):
        if end <= start:
            continue
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((start, end))
    return result


def redact_audio(
    src: str | Path,
    dest: str | Path,
    spans_ms: Iterable[tuple[int, int]],
    mode: str = "silence",
) -> Path:
    """Write a copy of ``src`` with each time span silenced or replaced by a beep.

    The output format follows ``dest``'s extension (wav, mp3, flac, ogg, opus, m4a, aac); the
    copy keeps the source's sample rate and channels. It is written through a temporary file
    and moved into place, so ``dest`` is either complete or untouched.

    Args:
        src: the audio (or video: its first audio track) to read.
        dest: where to write the redacted audio.
        spans_ms: ``(start_ms, end_ms)`` spans to hide; spans past the end are clipped.
        mode: ``silence`` or ``beep`` (a 1 kHz tone).

    Returns:
        ``dest`` as a Path.

    Raises:
        InvalidInputError: unknown mode or output format.
        AudioError: the source cannot be decoded or the copy cannot be written.
    """
    from pydub import AudioSegment
    from pydub.exceptions import CouldntDecodeError, CouldntEncodeError
    from pydub.generators import Sine

    from storage.core.audio import configure_pydub  # domain-to-domain; no Qt

    if mode not in REDACT_MODES:
        raise InvalidInputError(f"Unknown redaction mode {mode!r}; use silence or beep.")
    src, dest = Path(src), Path(dest)
    fmt = _FORMATS.get(dest.suffix.lower())
    if fmt is None:
        raise InvalidInputError(
            f"{dest}: cannot write redacted audio as {dest.suffix or 'no extension'}; "
            f"use one of {', '.join(sorted(_FORMATS))}."
        )
    configure_pydub()
    try:
        audio = AudioSegment.from_file(str(src))
    except (CouldntDecodeError, OSError, IndexError) as exc:
        raise AudioError(f"{src}: cannot decode the audio to redact it ({exc}).") from exc
    length = len(audio)
    for start, end in merge_spans(spans_ms):
        start, end = min(start, length), min(end, length)
        if end <= start:
            continue
        duration = end - start
        if mode == "silence":
            cover = AudioSegment.silent(duration=duration, frame_rate=audio.frame_rate)
        else:
            cover = Sine(BEEP_HZ, sample_rate=audio.frame_rate).to_audio_segment(
                duration=duration, volume=BEEP_DBFS
            )
        cover = (
            cover.set_channels(audio.channels)
            .set_sample_width(audio.sample_width)
            .set_frame_rate(audio.frame_rate)
        )
        audio = audio[:start] + cover[:duration] + audio[end:]
    tmp = dest.with_name(f".{dest.name}.part{dest.suffix}")
    try:
        params: dict[str, str] = {"format": fmt[0]}
        if fmt[1]:
            params["codec"] = fmt[1]
        audio.export(str(tmp), **params).close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    except (CouldntEncodeError, OSError) as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise AudioError(f"{dest}: could not write the redacted audio ({exc}).") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return dest
