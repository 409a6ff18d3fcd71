"""What the transcript's place says while no session is open: how to get one, or (while a
recording runs) that it becomes one at Stop."""

from __future__ import annotations

EMPTY_PROJECT_HINT = (
    "<b>No sessions yet</b> — import a recording: <i>File ▸ Import audio…</i> (Ctrl+I)"
)
EMPTY_PROJECT_HINT_PLAIN = (
    "This project has no sessions yet: import a recording with File ▸ Import audio… (Ctrl+I) "
    "or record one (Record menu); then transcribe it (Transcription menu)."
)
# the Record panel's check box, named by its own words in the hint below
AUTO_TRANSCRIBE_LABEL = "Transcribe after recording"
# while recording, "No sessions yet — import a recording" read as if the recording went nowhere
RECORDING_HINT = "<b>Recording…</b> — it becomes a session when you press <i>■ Stop</i>"
RECORDING_HINT_PLAIN = (
    "Recording: when you press ■ Stop in the Record panel the recording is saved as a session "
    f"and opens here (and is transcribed, when “{AUTO_TRANSCRIBE_LABEL}” is ticked)."
)
# while paused, "Recording…" contradicted the Record panel's "❚❚ Paused"
PAUSED_HINT = "<b>Recording paused</b> — <i>Resume</i> goes on, <i>■ Stop</i> saves the session"
PAUSED_HINT_PLAIN = (
    "The recording is paused: press Resume in the Record panel to go on recording, or ■ Stop "
    "to save it as a session (it then opens here)."
)
CHOOSE_SESSION_HINT = "Open a session in the Sessions list to read its transcript here."


def nothing_open_hints(
    recording: bool, has_sessions: bool, paused: bool = False
) -> tuple[str, str]:
    """The transcript's heading and the editor's placeholder while no session is open."""
    if recording and paused:
        return PAUSED_HINT, PAUSED_HINT_PLAIN
    if recording:
        return RECORDING_HINT, RECORDING_HINT_PLAIN
    if has_sessions:
        return "", CHOOSE_SESSION_HINT
    return EMPTY_PROJECT_HINT, EMPTY_PROJECT_HINT_PLAIN


def no_recording(title: str) -> str:
    """Why a session of text alone (a transcript imported with no audio) cannot be transcribed,
    nor a segment of it re-transcribed; ``title`` quoted as messages quote it."""
    return (
        f"{title} has no recording (a transcript imported as text): nothing in it can be "
        "transcribed; its text is corrected by typing."
    )
