"""A project whose stored transcript holds real names (mapped to pseudonyms, never applied):
Russian and Kazakh inflected forms, for the word lists of analysis/ (CLI and GUI)."""

from __future__ import annotations

from pathlib import Path

from storage import Project, SegmentDraft

#: real name -> pseudonym; the text below holds each in several inflected forms
MAPPING = {"Ерлан": "Данияр", "Айгерим": "Сауле"}


def named_project(folder: Path) -> Project:
    """The project, open (the caller closes it)."""
    p = Project.create(folder, coder="ann")
    for real, pseudonym in MAPPING.items():
        p.privacy.set_pseudonym(real, pseudonym)
    s = p.sessions.add_session("FG Shymkent", kind="focus_group")
    p.transcript.add_segments(
        s.id,
        [
            SegmentDraft(0, 1000, "Ерлан сказал Айгерим про очередь в акимате.", speaker="Ерлан"),
            SegmentDraft(
                1000,
                2000,
                "Ерлану и Ерланом довольны, Ерлана нет, у Айгерим очередь.",
                speaker="Айгерим",
                language="ru",
            ),
            SegmentDraft(2000, 3000, "Ерланнан сұрадым, Айгерімге айттым.", language="kk"),
        ],
    )
    return p


def real_names_in(words: list[str]) -> list[str]:
    """The words that are (a form of) a real name: start with its stem, either spelling."""
    stems = ("ерлан", "айгерим", "айгерім")
    return [w for w in words if w.casefold().startswith(stems)]
