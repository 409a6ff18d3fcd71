"""The project settings a merge takes from a bundle: how the project transcribes
(``SHARED_SETTINGS``, the newest change wins), the ties of journal memos to participants, the
lists of what an imported REFI-QDA file wrote its own way, what it said of its codings, and,
for a new copy (``new --from-bundle``), the bundle's identity. Part of
``storage.team.merge_rows._Merge``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from storage.core.errors import InvalidInputError
from storage.core.languages import parse_languages
from storage.core.meta import coding_groups_in, put_meta, read_meta, time_ranges_in
from storage.core.models import (
    CASE_NOTES_KEY,
    CHANGED_SUFFIX,
    CODE_NAMES_KEY,
    CRLF_KEY,
    DESCRIPTIONS_KEY,
    MARKED_LABELS_KEY,
    NUMBER_STYLES,
    SHARED_SETTINGS,
    TIME_RANGES_KEY,
    VIDEO_SESSIONS_KEY,
    WHOLE_CODINGS_KEY,
)
from storage.team.lead import adopt_lead

if TYPE_CHECKING:
    from storage.team.merge_rows import _Merge

_DIGEST = re.compile(r"^[0-9a-f]{64}$")
_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:?\d\d)?$")


def _usable_setting(key: str, value: str) -> bool:
    """Whether a project setting a bundle brings can be used here (bundles are untrusted)."""
    if key == "languages":
        try:
            return ",".join(parse_languages(value)) == value
        except InvalidInputError:
            return False
    if key == "numbers":
        return value in NUMBER_STYLES
    # a model: a name, "owner/repo" or "" (the default), not a folder of another machine
    folder = value.startswith(("/", "\\", "~")) or ".." in value or re.match(r"^[A-Za-z]:", value)
    return len(value) <= 200 and value.isprintable() and not folder


class ProjectSettings:
    """Takes the bundle's project settings, for one merge (``storage.team.merge_rows._Merge``)."""

    def __init__(self, merge: _Merge) -> None:
        self._m = merge

    def take_case_notes(self) -> None:
        """The bundle's ties of journal memos to participants (notes a REFI-QDA file put on a
        case, ``CASE_NOTES_KEY``) whose memo and participant are both here. Of two ties of one
        memo, the smaller participant id stays: the same in any order of bundles."""
        theirs, ours = self._json_meta(self._m.b), self._json_meta("main")
        merged = dict(ours)
        for memo_id, pid in sorted(theirs.items()):
            if ours.get(memo_id, pid) < pid:
                continue
            here = self._m.conn.execute(
                "SELECT EXISTS (SELECT 1 FROM main.memos WHERE id = ?) "
                "AND EXISTS (SELECT 1 FROM main.participants WHERE id = ?)",
                (memo_id, pid),
            ).fetchone()[0]
            if here:
                merged[memo_id] = pid
        if merged != ours:
            self.set_meta(CASE_NOTES_KEY, json.dumps(merged, ensure_ascii=False, sort_keys=True))

    def take_exchange_lists(self) -> None:
        """The bundle's lists of what an imported REFI-QDA file wrote its own way, so that the
        merged project exports it as it came: the segments of MAXQDA lines whose speaker label
        stood after their time mark (``MARKED_LABELS_KEY``), the sessions whose text had CRLF
        line ends (``CRLF_KEY``) and those of a video (``VIDEO_SESSIONS_KEY``). The union of
        each list, less ids of no row here: the same in any order of bundles."""
        for key, table in (
            (MARKED_LABELS_KEY, "segments"),
            (CRLF_KEY, "sessions"),
            (VIDEO_SESSIONS_KEY, "sessions"),
        ):
            ours = self._id_list("main", key)
            theirs = self._id_list(self._m.b, key) - ours
            here = {
                i
                for (i,) in self._m.conn.execute(
                    f"SELECT id FROM main.{table} WHERE id IN (SELECT value FROM json_each(?))",
                    (json.dumps(sorted(theirs)),),
                )
            }
            if here:
                self.set_meta(key, json.dumps(sorted(ours | here), ensure_ascii=False))

    def take_descriptions(self) -> None:
        """The REFI-QDA project descriptions the bundle's project imported
        (``DESCRIPTIONS_KEY``, a SHA-256 each), so that importing that file again here (a
        coder's copy, or the lead after a coder imported it) does not add its description
        beside the memo the bundle brought, edited or not. The union: the same in any order."""
        ours = self._id_list("main", DESCRIPTIONS_KEY)
        theirs = {d for d in self._id_list(self._m.b, DESCRIPTIONS_KEY) if _DIGEST.match(d)}
        if theirs - ours:
            self.set_meta(DESCRIPTIONS_KEY, json.dumps(sorted(ours | theirs)))

    def take_code_names(self) -> None:
        """The names of codes an imported REFI-QDA file named apart (``CODE_NAMES_KEY``:
        ``{code id: [the file's name, the name given]}``), so that a coder's copy or the
        merged project exports them as the other tool wrote them (while the code keeps the
        name given). An entry this project has stays as it is; the others are added (one
        entry, from one file, reads the same in every bundle). The file's links are rows of
        ``links`` now (schema 0013), merged like codes."""
        raw = self.meta(self._m.b, CODE_NAMES_KEY)
        try:
            theirs = json.loads(raw) if raw else {}
            ours = json.loads(self.meta("main", CODE_NAMES_KEY) or "{}")
        except ValueError:
            return
        if not isinstance(theirs, dict) or not isinstance(ours, dict):
            return
        new = {k: v for k, v in theirs.items() if k not in ours and isinstance(v, list)}
        if new:
            self.set_meta(
                CODE_NAMES_KEY, json.dumps(ours | new, ensure_ascii=False, sort_keys=True)
            )

    def take_coding_maps(self) -> None:
        """The bundle's facts about codings an imported REFI-QDA file made, so that the merged
        project (or a coder's copy) exports them as they came: each coding's own time range
        where coded ranges of a recording share a segment of speech without transcript
        (``TIME_RANGES_KEY``; else the coding goes out over its segment's whole range), and
        the codings made of one code of a whole source (``WHOLE_CODINGS_KEY``; else they go
        out one per segment). Those of codings here that this project knows nothing of; of
        two values for one coding the smaller stays: the same in any order of bundles."""
        for key, parse in (
            (TIME_RANGES_KEY, time_ranges_in),
            (WHOLE_CODINGS_KEY, coding_groups_in),
        ):
            ours, theirs = (
                self._coding_map("main", key, parse),
                self._coding_map(self._m.b, key, parse),
            )
            theirs = {i: value for i, value in theirs.items() if i not in ours or value < ours[i]}
            here = {
                i
                for (i,) in self._m.conn.execute(
                    "SELECT id FROM main.codings WHERE id IN (SELECT value FROM json_each(?))",
                    (json.dumps(sorted(theirs)),),
                )
            }
            if here:
                merged = ours | {i: theirs[i] for i in here}
                value = {i: list(v) if isinstance(v, tuple) else v for i, v in merged.items()}
                self.set_meta(key, json.dumps(value, ensure_ascii=False, sort_keys=True))

    def _coding_map(self, schema: str, key: str, parse: Callable[[Any], dict[str, Any]]) -> Any:
        """``{coding id: value}`` under ``key`` of this project or the bundle, as ``parse``
        keeps it (empty when missing or unreadable)."""
        raw = self.meta(schema, key)
        try:
            return parse(json.loads(raw) if raw else {})
        except ValueError:
            return {}

    def _id_list(self, schema: str, key: str) -> set[str]:
        """A JSON list of ids in ``project_meta`` (empty when missing or unreadable)."""
        raw = self.meta(schema, key)
        try:
            value = json.loads(raw) if raw else []
        except ValueError:
            return set()
        return {v for v in value if isinstance(v, str)} if isinstance(value, list) else set()

    def _json_meta(self, schema: str) -> dict[str, str]:
        """``CASE_NOTES_KEY`` of this project or the bundle; empty when missing or unreadable."""
        raw = self.meta(schema, CASE_NOTES_KEY)
        try:
            value = json.loads(raw) if raw else {}
        except ValueError:
            return {}
        if not isinstance(value, dict):
            return {}
        return {str(k): str(v) for k, v in value.items() if isinstance(v, str)}

    def take(self, *, adopt: bool = False) -> None:
        """The project's settings (``SHARED_SETTINGS``) changed in the bundle after they
        changed here (``adopt``: whatever they are here): the newest change wins (the lead
        adds a language; coders get it). A value this project could not use (an unknown
        language, a model given as a folder of another machine) is left out."""
        for key in SHARED_SETTINGS:
            stamp = f"{key}{CHANGED_SUFFIX}"
            theirs, mine = self.meta(self._m.b, stamp), self.meta("main", stamp)
            if theirs is not None and not _STAMP.match(theirs):
                theirs = None  # not a time: taken only when starting from the bundle
            value = self.meta(self._m.b, key)
            if value is None or not _usable_setting(key, value):
                continue
            if not adopt and (theirs is None or (mine is not None and mine >= theirs)):
                continue
            if not adopt and value != self.meta("main", key):
                self._m.summary.settings[key] = value
            self.set_meta(key, value)
            if theirs is not None:
                self.set_meta(stamp, theirs)

    def meta(self, schema: str, key: str) -> str | None:
        """One ``project_meta`` value of this project ("main") or of the bundle (``self._m.b``)."""
        return read_meta(self._m.conn, schema, key)

    def set_meta(self, key: str, value: str) -> None:
        """Set one ``project_meta`` value of this project."""
        put_meta(self._m.conn, key, value)

    def adopt(self) -> None:
        """Take the bundle's project id and team settings (for ``new --from-bundle``): blind
        coding, and how the project transcribes (its languages, model and numbers), so that a
        coder's copy transcribes and filters as the lead's does; and the bundle's lead."""
        self.take(adopt=True)
        for key in ("project_id", "blind_coding"):
            value = self.meta(self._m.b, key)
            if value is not None:
                self.set_meta(key, value)
        adopt_lead(self._m.conn, self._m.b)
