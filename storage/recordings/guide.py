"""Interview guides (questions stamped as markers while recording) and marker queries."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from storage.core.errors import InvalidInputError
from storage.core.models import Marker
from storage.core.store import Store

if TYPE_CHECKING:
    from storage.project import Project

_LIST_MARK = re.compile(
    r"^\s*(?:#{1,6}\s+|[-*+•]\s+(?:\[[ xX]\]\s+)?|\(?\d{1,3}[.)]\s+"
    r"|[A-Za-z][.)]\s+|Q\d{1,3}[:.)]\s*)"
)


def parse_guide(text: str) -> list[str]:
    """Return the questions of an interview guide: one per non-empty line.

    Markdown headings, list markers (``-``, ``*``, ``+``, checkboxes) and numbering
    (``1.``, ``2)``, ``(3)``, ``Q4:``) are stripped.

    Args:
        text: the guide as typed or read from a .txt/.md file.

    Returns:
        The questions in order.
    """
    questions = []
    for line in text.splitlines():
        stripped = line.strip()
        previous = None
        while stripped and stripped != previous:
            previous = stripped
            stripped = _LIST_MARK.sub("", stripped, count=1).strip()
        stripped = stripped.strip("*_").strip()
        if any(ch.isalnum() for ch in stripped):  # a bare "-" or "1." is no question
            questions.append(stripped)
    return questions


def load_guide(path: str | Path) -> list[str]:
    """Read an interview guide file (.txt or .md, UTF-8).

    Raises:
        InvalidInputError: the file cannot be read, is not text or holds no question.
    """
    src = Path(path)
    try:
        text = src.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise InvalidInputError(f"{src}: no such guide file.") from exc
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"{src}: not a text file; save the guide as UTF-8 .txt or .md."
        ) from exc
    except OSError as exc:
        raise InvalidInputError(f"{src}: cannot read the guide ({exc.strerror}).") from exc
    questions = parse_guide(text)
    if not questions:
        raise InvalidInputError(f"{src}: the guide holds no question (one per line).")
    return questions


def guide_label(number: int, question: str) -> str:
    """The marker label of guide question ``number`` (1-based), e.g. ``"Q3: Why?"``."""
    return f"Q{number}: {question}"


class Recordings:
    """Queries over the markers dropped while recording (mixed into ``Project``)."""

    def __init__(self, store: Store, project: Project) -> None:
        self._store = store
        self._project = project

    def markers_by_label(self, label: str, *, prefix: bool = False) -> list[Marker]:
        """Return markers across all sessions whose label is ``label`` (or starts with it).

        ``markers_by_label("Q3:", prefix=True)`` finds every answer to guide question 3 in
        every interview.

        Args:
            label: the label, or its beginning with ``prefix=True``.
            prefix: match the beginning of the label.

        Returns:
            The markers, by session then time.
        """
        if prefix:
            escaped = label.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            rows = self._store.rows(
                "SELECT * FROM markers WHERE label LIKE ? ESCAPE '\\' "
                "AND substr(label, 1, ?) = ? ORDER BY session_id, time_ms",
                (escaped + "%", len(label), label),
            )
        else:
            rows = self._store.rows(
                "SELECT * FROM markers WHERE label = ? ORDER BY session_id, time_ms", (label,)
            )
        return [Marker(**dict(r)) for r in rows]

    def guide_answers(self, number: int) -> list[tuple[Marker, int | None]]:
        """Every answer to guide question ``number``: its marker and where the answer ends.

        The answer runs from the question's marker to the next guide marker of the same
        session (None: to the end of the recording).

        Returns:
            (marker, end_ms or None) pairs, by session then time.
        """
        result: list[tuple[Marker, int | None]] = []
        for marker in self.markers_by_label(f"Q{number}:", prefix=True):
            if marker.source != "guide":
                continue
            end = self._store.scalar(
                "SELECT min(time_ms) FROM markers WHERE session_id = ? AND source = 'guide' "
                "AND time_ms > ?",
                (marker.session_id, marker.time_ms),
            )
            result.append((marker, None if end is None else int(end)))
        return result
