"""A project whose lead sees real names (mapped to pseudonyms, never applied) in session titles,
speaker labels, participant attributes and code names: for the analysis exports (CLI, GUI)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from storage import Project, SegmentDraft

#: real name -> pseudonym
MAPPING = {"Ерлан": "Данияр", "Айгерим": "Сауле"}
_STEMS = ("ерлан", "айгерим", "айгерім")


def named_project(folder: Path) -> tuple[Project, dict[str, str]]:
    """The project, open (the caller closes it), and its ids (``session``, ``other``)."""
    p = Project.create(folder, coder="ann")
    for real, pseudonym in MAPPING.items():
        p.privacy.set_pseudonym(real, pseudonym)
    s = p.sessions.add_session("Интервью с Ерланом", kind="interview")
    other = p.sessions.add_session("FG Shymkent", kind="focus_group")
    segs = p.transcript.add_segments(
        s.id,
        [
            SegmentDraft(0, 4000, "Про очередь в акимате.", speaker="Ерлан"),
            SegmentDraft(4000, 8000, "Очередь была долгой.", speaker="Айгерим"),
            SegmentDraft(8000, 9000, "Врач был хороший.", speaker="SPEAKER_03"),
        ],
    )
    segs += p.transcript.add_segments(
        other.id, [SegmentDraft(0, 3000, "Нам никто не помог.", speaker="Айгерим")]
    )
    person = p.sessions.add_participant("P01", {"moderator": "Айгерим Б.", "age": "30-45"})
    p.sessions.map_speaker(s.id, "Ерлан", person.id)
    queue = p.codebook.ensure_code_path("Очередь")
    trust = p.codebook.ensure_code_path("Доверие к Ерлану")
    for seg in segs:
        p.codebook.apply_code(seg.id, queue.id)
    p.codebook.apply_code(segs[0].id, trust.id)
    p.codebook.apply_code(segs[1].id, trust.id)
    return p, {"session": s.id, "other": other.id}


def real_names(text: str) -> list[str]:
    """The words of ``text`` that are (a form of) a real name, either spelling."""
    return [w for w in re.findall(r"\w+", text) if w.casefold().startswith(_STEMS)]


def file_text(path: Path) -> str:
    """What a csv or xlsx holds, as text (an xlsx's XML parts, entities resolved)."""
    if path.suffix == ".xlsx":
        import html

        with zipfile.ZipFile(path) as z:
            return html.unescape(
                "\n".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
            )
    return path.read_text(encoding="utf-8-sig")


def figure_texts(fig: Any) -> str:
    """Every text a matplotlib figure draws (titles, tick labels, legends, annotations)."""
    from matplotlib.text import Text

    return "\n".join(t.get_text() for t in fig.findobj(Text))
