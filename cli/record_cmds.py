"""Recording commands: ``record`` (headless, Qt Multimedia) and ``recover``.

``record`` reads simple commands on standard input while it records, one per line:
``m [NOTE]`` drops a marker, ``n`` stamps the next guide question, ``p`` pauses, ``r`` resumes,
``q`` stops. Ctrl-C and SIGTERM stop cleanly too.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from storage.core.errors import FieldScribeError
from storage.core.models import SESSION_KINDS, as_dict
from storage.core.words import verb
from storage.recordings.recording import UnfinishedRecording

from .common import add_coder, add_dir, add_json, bounded_float, open_project
from .output import fmt_ms, plural, print_json

MAX_SECONDS = 7 * 24 * 3600  # a week: longer is a typo, not a recording
#: a marker asked for before the microphone's first audio (it would point at speech never
#: captured): none is dropped
NO_AUDIO_YET = "no marker: the microphone has not started yet (nothing is recorded before it)"


def register(sub: Any) -> None:
    """Add this module's subcommands."""
    p = sub.add_parser("record", help="record a session from a microphone (no window)")
    add_dir(p)
    p.add_argument(
        "--seconds",
        type=bounded_float(0, MAX_SECONDS, "positive number of seconds"),
        metavar="N",
        help=f"seconds of audio to record (at most {MAX_SECONDS:,})",
    )
    p.add_argument("--device", metavar="NAME", help="input device id or name (default: default)")
    p.add_argument("--title", help="session title")
    p.add_argument(
        "--kind",
        choices=SESSION_KINDS,
        default="interview",
        help="the kind of session (default: interview)",
    )
    p.add_argument("--guide", type=Path, metavar="FILE", help="interview guide (.txt/.md)")
    p.add_argument("--list-devices", action="store_true", help="list input devices and exit")
    add_coder(p)
    add_json(p)
    p.set_defaults(func=cmd_record)

    p = sub.add_parser("recover", help="restore unfinished recordings (after a crash) as sessions")
    add_dir(p)
    add_coder(p)
    add_json(p)
    p.set_defaults(func=cmd_recover)


def _say(args: argparse.Namespace, text: str) -> None:
    if not args.json:
        print(text, file=sys.stderr, flush=True)


def _quiet_qt() -> None:
    """Keep Qt's and FFmpeg's chatter (plugin and backend notes) off the terminal; warnings
    that matter reach the user through the recorder's own messages."""
    os.environ.setdefault("QT_LOGGING_RULES", "*.debug=false;*.info=false;qt.*.warning=false")
    os.environ.setdefault("QT_FFMPEG_DEBUG", "0")
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(kind: QtMsgType, _context: Any, message: str) -> None:
        if kind in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg) or os.environ.get(
            "FIELDSCRIBE_DEBUG"
        ):
            print(f"qt: {message}", file=sys.stderr)

    qInstallMessageHandler(handler)


def cmd_record(args: argparse.Namespace) -> int:
    """Record N seconds headless, then import the recording as a session."""
    from storage.core.errors import InvalidInputError
    from storage.recordings.recording import finish_recording, load_guide

    if not args.list_devices:
        # the cheap checks first: the arguments, the guide, the project; then the microphone
        if args.seconds is None:
            raise InvalidInputError("record needs --seconds N (a positive number of seconds).")
        guide = load_guide(args.guide) if args.guide else None
        project = open_project(args, write=True)
    _quiet_qt()
    from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

    from gui.recording_engine import Recorder, device_id, find_device, input_devices

    app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
    if args.list_devices:
        devices = [
            {"id": device_id(d), "description": d.description(), "default": d.isDefault()}
            for d in input_devices()
        ]
        if args.json:
            print_json(devices)
        else:
            for d in devices:
                print(f"{'*' if d['default'] else ' '} {d['id']}  {d['description']}")
        return 0
    with project:
        device = find_device(args.device)
        recorder = Recorder(project.folder, device, title=args.title, kind=args.kind, guide=guide)
        messages: list[str] = []

        class _Stdin(QObject):
            line = Signal(str)

        stdin = _Stdin()

        def on_line(text: str) -> None:
            command, _, rest = text.strip().partition(" ")
            if command == "m":
                marker = recorder.add_marker(rest or None)
                if marker:
                    _say(args, f"marker {fmt_ms(marker.time_ms)} {marker.label}")
                elif recorder.is_recording and not recorder.has_audio:
                    _say(args, NO_AUDIO_YET)
            elif command == "n":
                marker = recorder.next_question()
                if marker is None and recorder.is_recording and not recorder.has_audio:
                    _say(args, NO_AUDIO_YET)
                else:
                    _say(
                        args, f"{fmt_ms(marker.time_ms)} {marker.label}" if marker else "guide done"
                    )
            elif command == "p":
                recorder.pause()
                _say(args, "paused")
            elif command == "r":
                recorder.resume()
                _say(args, "resumed")
            elif command == "q":
                recorder.stop()

        stdin.line.connect(on_line)

        def read_stdin() -> None:
            # os.read, not sys.stdin: a daemon thread blocked inside sys.stdin's buffer
            # would hold its lock at interpreter shutdown.
            pending = b""
            while True:
                try:
                    chunk = os.read(0, 4096)
                except OSError:
                    return
                if not chunk:
                    return
                pending += chunk
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    stdin.line.emit(line.decode("utf-8", "replace"))

        threading.Thread(target=read_stdin, daemon=True).start()
        recorder.failed.connect(messages.append)
        recorder.failed.connect(lambda m: _say(args, f"warning: {m}"))
        recorder.stopped.connect(lambda _rec: app.quit())
        recorder.started.connect(
            lambda: _say(args, f"recording from {device.description()} (audio arriving)")
        )
        rec = recorder.start()
        _say(args, f"recording to {rec.wav_path}; stop with Ctrl-C or 'q'")
        recorder.limit_ms = round(args.seconds * 1000)
        stop_requested = {"n": 0}

        def on_signal(_signum: int, _frame: Any) -> None:
            stop_requested["n"] += 1
            QTimer.singleShot(0, recorder.stop)

        old_int = signal.signal(signal.SIGINT, on_signal)
        old_term = signal.signal(signal.SIGTERM, on_signal)
        wake = QTimer()
        wake.timeout.connect(lambda: None)  # lets Python run signal handlers
        wake.start(200)
        try:
            if recorder.is_recording:
                app.exec()
        finally:
            wake.stop()
            signal.signal(signal.SIGINT, old_int)
            signal.signal(signal.SIGTERM, old_term)
            recorder.stop()
        try:
            session = finish_recording(project, rec)
        except FieldScribeError as exc:
            raise type(exc)(
                f"{exc} The recording stays in {rec.wav_path}; run `fieldscribe recover "
                f"{args.dir}` once the problem is fixed."
            ) from exc
        if session is None:
            raise InvalidInputError(
                f"No audio arrived from {device.description()}; nothing was recorded."
            )
        markers = project.sessions.markers(session.id)
    result = {
        **as_dict(session),
        "markers": [as_dict(m) for m in markers],
        "warnings": messages,
    }
    if args.json:
        print_json(result)
    else:
        print(
            f"{session.id}  {session.title}  {fmt_ms(session.duration_ms)}  "
            f"{plural(len(markers), 'marker')}"
        )
    return 0


def cmd_recover(args: argparse.Namespace) -> int:
    """Import every unfinished recording of the project."""
    from storage.recordings.recording import recover_all

    with open_project(args, write=True) as project:
        report = recover_all(project)
    if args.json:
        print_json(
            {
                "sessions": [as_dict(s) for s in report.sessions],
                "empty": [str(p) for p in report.empty],
                "failed": report.failed,
            }
        )
    else:
        for s in report.sessions:
            print(f"recovered {s.id}  {s.title}  {fmt_ms(s.duration_ms)}")
        for path in report.empty:
            print(f"empty recording archived: {path}")
        for text in report.failed:
            print(f"could not recover: {text}", file=sys.stderr)
        if not (report.sessions or report.empty or report.failed):
            print("no unfinished recordings")
    return 1 if report.failed else 0


def say_unfinished(unfinished: list[UnfinishedRecording]) -> None:
    """Recordings a crash interrupted wait in recordings/ until restored: ``sessions`` said "No
    sessions yet" over a focus group's audio kept there (the app restores them when it opens
    the project; the command line only on ``recover``)."""
    if not unfinished:
        return
    total = sum(rec.audio_ms() for rec in unfinished)
    print(
        f"{plural(len(unfinished), 'recording')} interrupted (FieldScribe closed while "
        f"recording; {fmt_ms(total)} of audio) {verb(len(unfinished), 'waits')} in "
        "recordings/: `fieldscribe recover DIR` restores each as a session."
    )
