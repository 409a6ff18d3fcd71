"""What an imported REFI-QDA project said about itself that FieldScribe's tables do not hold, kept
in ``project_meta`` so that an export gives it back.

* ``exchange.users``: ``{user name: GUID}`` of the file's users (exports keep their GUIDs);
* ``exchange.project``: ``{"created": creationDateTime, "creator": user name}`` of the project,
  kept when the import filled an empty project (exports keep its creation date and creator);
* ``exchange.code_order``: the codes' GUIDs in the file's order (exports keep sibling order;
  codes made in FieldScribe follow, by name);
* ``exchange.no_colour``: ``{code id: colour FieldScribe gave it}`` for codes without a colour
  (exports leave the colour out while it is still that one);
* ``exchange.crlf``: the sessions of text sources whose line breaks were all CRLF (their
  segments hold LF; exports write CRLF again, positions counted in the CRLF text);
* ``exchange.marked_labels``: the segments of text sources whose speaker label stood after
  their leading MAXQDA time mark (``#00:00:01-0# NAME: text``: the segment holds the mark and
  the text, the label is its speaker; exports put the label back after the mark);
* ``exchange.case_notes``: ``{memo id: participant id}`` of notes the file attached to a case
  (FieldScribe keeps no memos on a participant: they are journal memos named after it; exports
  link each to its case again, with a ``Link`` between the note and the case).
* ``exchange.time_ranges``: ``{coding id: [begin ms, end ms]}`` of codings of a recording's
  time range (an ``AudioSelection``/``VideoSelection``) that is not their segment's own: on a
  recording without transcript, overlapping ranges share a segment of speech without
  transcript spanning them all; on a transcript, a range codes each line it overlaps, one
  coding a line: exports write the range once while it still fits (``qdpx_build.own_ranges``;
  split and merge keep it on the segments it overlaps, ``storage.transcript.cuts``).
* ``exchange.whole_codings``: ``{coding id: id of the first of them}`` of the codings made of
  one ``Coding`` on a source itself (a code of the whole document or recording), one on each
  segment of its session: exports write them as one ``Coding`` on the source again while
  they still code every segment of it.
* ``exchange.video_sessions``: the sessions imported from a ``VideoSource`` (exports write a
  ``VideoSource`` for them also where the project lacks the video: an ``AudioSource`` there
  turned the other tool's video into audio).
* ``exchange.descriptions``: a SHA-256 of each project ``Description`` imported
  (``project_description``): importing the file again adds it once only, also after its memo
  was edited or deleted.
* ``exchange.code_names``: ``{code id: [name in the file, name given here]}`` of codes named
  apart on import (two sibling codes of one name, or names differing in letter case only:
  "Trust" and "trust (2)"): exports write the file's name again while the code keeps the
  name it was given.

Each value is JSON; a missing or unreadable value counts as empty.
"""

from __future__ import annotations

import json
from typing import Any

from storage.core.meta import coding_groups_in, put_meta, time_ranges_in
from storage.core.models import (
    CASE_NOTES_KEY,
    CODE_NAMES_KEY,
    CRLF_KEY,
    MARKED_LABELS_KEY,
    TIME_RANGES_KEY,
    VIDEO_SESSIONS_KEY,
    WHOLE_CODINGS_KEY,
)

USERS = "exchange.users"
PROJECT = "exchange.project"
CODE_ORDER = "exchange.code_order"
NO_COLOUR = "exchange.no_colour"
CODE_NAMES = CODE_NAMES_KEY
CRLF = CRLF_KEY
CASE_NOTES = CASE_NOTES_KEY
MARKED_LABELS = MARKED_LABELS_KEY
TIME_RANGES = TIME_RANGES_KEY
WHOLE_CODINGS = WHOLE_CODINGS_KEY
VIDEO_SESSIONS = VIDEO_SESSIONS_KEY


def read(project: Any, key: str) -> Any:
    """The JSON value of ``key`` (None when missing or unreadable)."""
    raw = project.get_meta(key)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def write(conn: Any, key: str, value: Any) -> None:
    """Store ``value`` (JSON) under ``key``, inside the caller's transaction."""
    put_meta(conn, key, json.dumps(value, ensure_ascii=False, sort_keys=True))


def user_guids(project: Any) -> dict[str, str]:
    """``{user name: GUID}`` kept from imports."""
    value = read(project, USERS)
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def code_rank(project: Any) -> dict[str, int]:
    """``{code id: position in the imported file}``."""
    value = read(project, CODE_ORDER)
    return {str(g): i for i, g in enumerate(value)} if isinstance(value, list) else {}


def no_colour(project: Any) -> dict[str, str]:
    """``{code id: the colour FieldScribe gave a code that had none}``."""
    value = read(project, NO_COLOUR)
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def project_origin(project: Any) -> dict[str, str]:
    """``{"created": ..., "creator": ...}`` of the imported project (empty if none)."""
    value = read(project, PROJECT)
    return {str(k): str(v) for k, v in value.items() if v} if isinstance(value, dict) else {}


def crlf_sessions(project: Any) -> set[str]:
    """The sessions whose text source had CRLF line ends."""
    value = read(project, CRLF)
    return {str(v) for v in value} if isinstance(value, list) else set()


def marked_labels(project: Any) -> set[str]:
    """The segments whose speaker label stood after their leading time mark."""
    value = read(project, MARKED_LABELS)
    return {str(v) for v in value} if isinstance(value, list) else set()


def case_notes(project: Any) -> dict[str, str]:
    """``{memo id: participant id}`` of the notes an import found attached to a case."""
    value = read(project, CASE_NOTES)
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def time_ranges(project: Any) -> dict[str, tuple[int, int]]:
    """``{coding id: (begin ms, end ms)}``: the time range each such coding had in the file."""
    return time_ranges_in(read(project, TIME_RANGES))


def whole_codings(project: Any) -> dict[str, str]:
    """``{coding id: id of the first of them}``: the codings made of one code of a whole
    source, one a segment."""
    return coding_groups_in(read(project, WHOLE_CODINGS))


def video_sessions(project: Any) -> set[str]:
    """The sessions imported from a ``VideoSource``."""
    value = read(project, VIDEO_SESSIONS)
    return {str(v) for v in value} if isinstance(value, list) else set()


def code_names(project: Any) -> dict[str, tuple[str, str]]:
    """``{code id: (name in the file, name given here)}`` of codes named apart on import."""
    value = read(project, CODE_NAMES)
    if not isinstance(value, dict):
        return {}
    return {
        str(k): (str(v[0]), str(v[1]))
        for k, v in value.items()
        if isinstance(v, list) and len(v) == 2
    }
