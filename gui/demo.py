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


def demo_folder() -> Path:
    """Where the demo project lives: ``user_data_dir("fieldscribe")/Demo.fieldscribe``."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("fieldscribe")) / "Demo.fieldscribe"


def open_or_create_demo(coder: str, folder: Path | None = None) -> tuple[Project, bool]:
    """Open the demo project, creating it (audio imported, codebook seeded) if needed.

    Returns the project and whether it was just created. Transcription is left to the caller,
    which runs it in the background.
    """
    folder = folder or demo_folder()
    if (folder / "project.db").is_file():
        return Project.open(folder, coder=coder), False
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
            "Demo project: listen to the focus group, correct the transcript and code it.",
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
