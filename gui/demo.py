"""The demo project offered on first start: the bundled focus-group recording, transcribed."""

from __future__ import annotations

from pathlib import Path

from storage import Project
from transcribe.models import DEMO_RECORDING

DEMO_AUDIO = DEMO_RECORDING
DEMO_CODES = (
    ("Trust and privacy", "#e6194b"),
    ("Access", "#9a6324"),  # its own colour (the palette's next one is Health services' green)
    ("Access/Connectivity", "#4363d8"),
    ("Access/Service centres", "#42d4f4"),
    ("Corruption", "#f58231"),
    ("Health services", "#3cb44b"),
    ("Positive experience", "#911eb4"),
)
DEMO_PARTICIPANTS = (
    ("Moderator", {"role": "moderator"}),
    ("Aigerim", {"age group": "30-39", "gender": "f", "region": "urban"}),
    ("Bakyt", {"age group": "50-59", "gender": "m", "region": "rural"}),
    ("Chynara", {"age group": "18-29", "gender": "f", "region": "rural"}),
    ("Daniyar", {"age group": "40-49", "gender": "m", "region": "urban"}),
    ("Elmira", {"age group": "60+", "gender": "f", "region": "rural"}),
)


#: the recording's turns: (start in ms, speaker), as in resources/demo/README.md
DEMO_TURNS = (
    (0, "Moderator"),
    (6500, "Aigerim"),
    (14300, "Bakyt"),
    (21500, "Chynara"),
    (28000, "Daniyar"),
    (35400, "Moderator"),
    (42500, "Elmira"),
)
#: the example coder's codings: (code path, words found in a segment, whole segment?, memo)
DEMO_EXAMPLES = (
    ("Positive experience", r"much faster|very helpful", False, None),
    ("Trust and privacy", r"\btrust\b", False, None),
    ("Trust and privacy", r"personal data", False, None),
    ("Access/Connectivity", r"\binternet\b", False, None),
    ("Access/Service centres", r"\bservice cent(?:re|er)\b", False, None),
    (
        "Corruption",
        r"\bpayment\b",
        True,
        "Informal payments go on even for online services (an example memo).",
    ),
    ("Health services", r"\bhealth\b", True, None),
)
EXAMPLE_CODER = "example"


def add_demo_examples(project: Project, session_id: str) -> int:
    """Give the transcribed demo what a newcomer should see at work: speakers (each turn's
    participant, by time), their mapping to the participants, and a few codings (spans and
    whole segments, one with a memo) by the coder "example", so the coding margin, retrieval,
    the matrix and agreement have something to show. Found in the text Whisper wrote, so a
    misheard word leaves its example out. Does nothing once the demo has codings or speakers
    (the user's own work is never touched). Returns the number of codings added."""
    import re

    segments = project.transcript.segments(session_id)
    if not segments or project.codebook.codings(session_id=session_id):
        return 0
    if any(seg.speaker for seg in segments):
        return 0
    participants = {p.pseudonym: p.id for p in project.sessions.participants()}
    for seg in segments:
        middle = (seg.start_ms + seg.end_ms) // 2
        speaker = [name for start, name in DEMO_TURNS if start <= middle][-1]
        project.transcript.update_segment(seg.id, speaker=speaker)
    for _start, name in DEMO_TURNS:
        if name in participants:
            project.sessions.map_speaker(session_id, name, participants[name])
    added = 0
    for path, pattern, whole, memo in DEMO_EXAMPLES:
        code = project.codebook.find_code(path)
        if code is None:
            continue
        for seg in segments:
            found = re.search(pattern, seg.text, re.IGNORECASE)
            if found is None:
                continue
            span = {} if whole else {"start_cp": found.start(), "end_cp": found.end()}
            project.codebook.apply_code(seg.id, code.id, memo=memo, coder=EXAMPLE_CODER, **span)
            added += 1
    return added


def demo_folder() -> Path:
    """Where the demo project lives: ``user_data_dir("fieldscribe")/Demo.fieldscribe``."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("fieldscribe")) / "Demo.fieldscribe"


def open_or_create_demo(coder: str, folder: Path | None = None) -> tuple[Project, bool]:
    """Open the demo project, creating it (audio imported, codebook seeded) if needed.

    It codes as its own coder, kept in it, as every project (``coder``, the Settings name, is
    the one it is created with, or given when it keeps none). Returns the project and whether
    it was just created. Transcription is left to the caller, which runs it in the background.
    """
    folder = folder or demo_folder()
    if (folder / "project.db").is_file():
        project = Project.open(folder)
        try:
            if not project.coders.own:
                project.coders.code_as(coder)
        except BaseException:
            project.close()
            raise
        return project, False
    folder.parent.mkdir(parents=True, exist_ok=True)
    project = Project.create(folder, name="Demo: e-government focus group", coder=coder)
    try:
        session = project.sessions.import_audio(
            DEMO_AUDIO, kind="focus_group", title="Focus group: online public services"
        )
        project.sessions.update_session(session.id, place="Community centre", moderator="Moderator")
        for path, colour in DEMO_CODES:
            project.codebook.ensure_code_path(path, colour=colour)
        for pseudonym, attrs in DEMO_PARTICIPANTS:
            project.sessions.add_participant(pseudonym, attrs)
        project.codebook.add_memo(
            "journal",
            None,
            "Demo project: listen to the focus group, correct the transcript and code it. The "
            "codings of the coder 'example' show how coded words and segments look (the "
            "margin, the Retrieval panel, View ▸ Analysis); yours sit beside them, and "
            "Team ▸ Inter-coder agreement compares the two.",
            title="About this demo",
        )
    except BaseException:
        project.close()
        raise
    return project, True


def demo_session_id(project: Project) -> str | None:
    """The demo's session (the first one)."""
    sessions = project.sessions.all()
    return sessions[0].id if sessions else None
