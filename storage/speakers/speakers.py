"""Speakers of a session (rename, merge, reassign, bulk relabel) and voice profiles.

Speaker labels live on the segments (``segments.speaker``). A change a person makes to a label
sets ``segments.speaker_edited``, so that an automatic re-run of speaker detection never
silently overwrites hand-made corrections. Voice profiles (``speaker_profiles``) keep a speaker
embedding (float32, little-endian) per enrolled person, never audio.
"""

from __future__ import annotations

import array
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from storage.core.errors import InUseError, InvalidInputError, NotFoundError
from storage.core.ids import new_id, now_iso
from storage.core.store import Store
from storage.core.words import plural, verb
from storage.speakers.turns import SpeakerTurns, check_turns, turn_talk

if TYPE_CHECKING:
    from storage.project import Project


@dataclass
class SpeakerProfile:
    """An enrolled voice: a name (or pseudonym) and a speaker embedding of one model."""

    id: str
    name: str
    participant_id: str | None
    embedding: list[float]
    model: str
    source_session_id: str | None
    source_ms: int
    created_by: str
    created_at: str
    updated_at: str


@dataclass
class SpeakerStat:
    """One speaker label of a session with how much it speaks."""

    label: str
    segment_count: int
    total_ms: int
    first_ms: int
    edited_count: int
    participant_id: str | None = None


@dataclass
class SegmentRelabel:
    """Where to cut one segment and which speaker each part gets (from speaker detection).

    ``cuts`` are ``(at_cp, at_ms)`` positions inside the segment, increasing; ``speakers`` has
    one label per part (``len(cuts) + 1`` entries).
    """

    segment_id: str
    speakers: list[str]
    cuts: list[tuple[int, int]] = field(default_factory=list)


def embedding_to_blob(values: Sequence[float]) -> bytes:
    """Pack floats as little-endian float32 bytes."""
    arr = array.array("f", [float(v) for v in values])
    if sys.byteorder == "big":  # pragma: no cover - big-endian hosts
        arr.byteswap()
    return arr.tobytes()


def blob_to_embedding(blob: bytes) -> list[float]:
    """Unpack little-endian float32 bytes."""
    arr = array.array("f")
    arr.frombytes(bytes(blob))
    if sys.byteorder == "big":  # pragma: no cover - big-endian hosts
        arr.byteswap()
    return arr.tolist()


def _label(value: str, what: str = "A speaker label") -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInputError(f"{what} must not be empty.")
    if len(value) > 200:
        raise InvalidInputError(f"{what} is too long (200 characters at most).")
    return value


class Speakers:
    """Speaker labels of sessions, their timeline (``turns``) and enrolled voice profiles."""

    def __init__(self, store: Store, project: Project) -> None:
        self._store = store
        self._project = project
        self.turns = SpeakerTurns(store, project)

    # ----------------------------------------------------------------- reading
    def speaker_stats(self, session_id: str) -> list[SpeakerStat]:
        """Return the speaker labels used in a session with their talk time, by first turn.

        Talk time is the length of the speaker's segments (each ``end_ms - start_ms``), as a
        researcher counts it over the transcript and as ``analyze matrix --measure talk_ms``
        does (it was the detection's turns, speech no segment holds counted and pauses inside
        a segment not, so a session with a timeline disagreed with both). The first turn comes
        from the session's timeline (``speaker_turns``); a label on the timeline alone is
        listed with no segments and no talk time. Segment counts (and hand-edit counts) come
        from the segments.

        Raises:
            NotFoundError: no such session.
        """
        self._need_session(session_id)
        mapping = {
            r["label"]: r["participant_id"]
            for r in self._store.rows(
                "SELECT label, participant_id FROM session_speakers WHERE session_id = ?",
                (session_id,),
            )
        }
        rows = self._store.rows(
            "SELECT speaker, count(*) AS n, sum(speaker_edited) AS edited, "
            "sum(end_ms - start_ms) AS talk FROM segments "
            "WHERE session_id = ? AND speaker IS NOT NULL GROUP BY speaker",
            (session_id,),
        )
        counts = {r["speaker"]: (int(r["n"]), int(r["edited"] or 0)) for r in rows}
        spoken = {r["speaker"]: int(r["talk"] or 0) for r in rows}
        first_turn = turn_talk(self.speaker_turns(session_id))
        first_seg = {
            r[0]: int(r[1])
            for r in self._store.rows(
                "SELECT speaker, min(start_ms) FROM segments "
                "WHERE session_id = ? AND speaker IS NOT NULL GROUP BY speaker",
                (session_id,),
            )
        }
        stats = [
            SpeakerStat(
                label=label,
                segment_count=counts.get(label, (0, 0))[0],
                total_ms=spoken.get(label, 0),
                first_ms=first_turn[label][1] if label in first_turn else first_seg.get(label, 0),
                edited_count=counts.get(label, (0, 0))[1],
                participant_id=mapping.get(label),
            )
            for label in set(counts) | set(first_turn)
        ]
        return sorted(stats, key=lambda s: (s.first_ms, s.label))

    def speaker_turns(self, session_id: str) -> list[tuple[int, int, str | None]]:
        """Return the session's speaker timeline as ``(start_ms, end_ms, speaker)``, in order.

        The stored timeline of speaker detection when the session has one (speech no segment
        holds included, pauses left out); otherwise one turn per segment (sessions labelled by
        hand, imported, or detected before timelines were stored).
        """
        self._need_session(session_id)
        stored = self.turns.stored(session_id)
        if stored:
            return [(t.start_ms, t.end_ms, t.speaker) for t in stored]
        return [
            (int(r[0]), int(r[1]), r[2])
            for r in self._store.rows(
                "SELECT start_ms, end_ms, speaker FROM segments WHERE session_id = ? "
                "ORDER BY start_ms, seq",
                (session_id,),
            )
        ]

    def speaker_edited_count(self, session_id: str) -> int:
        """How many segments of a session carry a speaker set by hand."""
        return int(
            self._store.scalar(
                "SELECT count(*) FROM segments WHERE session_id = ? AND speaker_edited = 1",
                (session_id,),
            )
        )

    def speaker_edited_ids(self, session_id: str) -> set[str]:
        """The ids of a session's segments whose speaker was set by hand."""
        return {
            r[0]
            for r in self._store.rows(
                "SELECT id FROM segments WHERE session_id = ? AND speaker_edited = 1",
                (session_id,),
            )
        }

    # ----------------------------------------------------------------- hand edits
    def rename_speaker(self, session_id: str, old: str, new: str) -> int:
        """Rename a speaker label in one session; returns the number of segments changed.

        The participant mapping follows the label. Renaming is naming, not a correction of
        who spoke: the segments keep their ``speaker_edited`` flags. Renaming onto a label
        already used in the session is refused: use ``merge_speakers`` for that.

        Raises:
            NotFoundError: no such session or label.
            InvalidInputError: empty new label, or the new label is already in use.
        """
        self._need_session(session_id)
        new = _label(new, "The new speaker name")
        self._need_label(session_id, old)
        if new == old:
            return 0
        if self._label_in_use(session_id, new):
            raise InvalidInputError(
                f"Speaker {new!r} already exists in this session; merge {old!r} into it instead."
            )
        ts = now_iso()
        with self._store.tx() as db:
            conn = db.conn
            n = _relabel_segments(conn, session_id, old, new, ts, by_hand=False)
            self.turns.relabel(conn, session_id, old, new, ts)
            conn.execute(
                "UPDATE session_speakers SET label = ?, updated_at = ? "
                "WHERE session_id = ? AND label = ?",
                (new, ts, session_id, old),
            )
        return int(n)

    def merge_speakers(self, session_id: str, source: str, target: str) -> int:
        """Give every segment of speaker ``source`` to ``target``; returns segments changed.

        ``source``'s participant becomes ``target``'s when ``target`` has none. Two speakers
        linked to different participants are not merged: one person's words would go out under
        the other's name and consent (a participant who refused quotation quoted under one who
        agreed).

        Raises:
            NotFoundError: no such session or source label.
            InvalidInputError: source and target are the same, the target is empty, or they
                are linked to different participants; nothing was changed.
        """
        self._need_session(session_id)
        target = _label(target, "The target speaker")
        self._need_label(session_id, source)
        if source == target:
            raise InvalidInputError(f"Cannot merge speaker {source!r} into itself.")
        self._refuse_two_people(session_id, source, target)
        ts = now_iso()
        with self._store.tx() as db:
            conn = db.conn
            n = _relabel_segments(conn, session_id, source, target, ts)
            self.turns.relabel(conn, session_id, source, target, ts)
            src = conn.execute(
                "SELECT id, participant_id FROM session_speakers "
                "WHERE session_id = ? AND label = ?",
                (session_id, source),
            ).fetchone()
            if src is not None:
                dst = conn.execute(
                    "SELECT id, participant_id FROM session_speakers "
                    "WHERE session_id = ? AND label = ?",
                    (session_id, target),
                ).fetchone()
                if dst is None:
                    conn.execute(
                        "UPDATE session_speakers SET label = ?, updated_at = ? WHERE id = ?",
                        (target, ts, src["id"]),
                    )
                else:
                    if dst["participant_id"] is None and src["participant_id"] is not None:
                        conn.execute(
                            "UPDATE session_speakers SET participant_id = ?, updated_at = ? "
                            "WHERE id = ?",
                            (src["participant_id"], ts, dst["id"]),
                        )
                    conn.execute("DELETE FROM session_speakers WHERE id = ?", (src["id"],))
                    self._store.tombstone("session_speakers", src["id"])
        return int(n)

    def reassign_segments(self, segment_ids: Iterable[str], speaker: str | None) -> int:
        """Set the speaker of a selection of segments by hand (``None`` clears it).

        Raises:
            NotFoundError: an id does not exist (nothing is changed).
            InvalidInputError: an empty selection or an empty label.
        """
        ids = list(dict.fromkeys(segment_ids))
        if not ids:
            raise InvalidInputError("No segments selected; nothing was changed.")
        label = None if speaker is None else _label(speaker)
        marks = ",".join("?" * len(ids))
        found = {
            r[0] for r in self._store.rows(f"SELECT id FROM segments WHERE id IN ({marks})", ids)
        }
        missing = [i for i in ids if i not in found]
        if missing:
            raise NotFoundError(f"No segment with id {missing[0]!r}; nothing was changed.")
        previous = {
            r[0]
            for r in self._store.rows(
                f"SELECT DISTINCT speaker FROM segments WHERE id IN ({marks})", ids
            )
        }
        ts = now_iso()
        with self._store.tx() as db:
            n = db.conn.execute(
                f"UPDATE segments SET speaker = ?, speaker_edited = 1, updated_at = ? "
                f"WHERE id IN ({marks})",
                (label, ts, *ids),
            ).rowcount
            self.turns.follow_segments(db.conn, ids, label, ts, previous=previous)
        return int(n)

    # ----------------------------------------------------------------- automatic labels
    def apply_speaker_labels(
        self,
        session_id: str,
        plan: Sequence[SegmentRelabel],
        *,
        replace: bool = False,
        turns: Iterable[tuple[int, int, str]] | None = None,
    ) -> dict[str, int]:
        """Write automatic speaker labels (with cuts at speaker changes) in one transaction.

        Splitting keeps each part's ``edited`` flag as it was (a cut is not a text edit) and
        each coding goes with one part (a span with the part that holds it, a whole-segment
        coding with the longer part): nothing is copied onto both. Labels written here are
        automatic (``speaker_edited = 0``).

        Args:
            session_id: the session.
            plan: one entry per segment to label; segments not in the plan keep their speaker.
            replace: overwrite speakers that were set by hand; otherwise refuse when any exist.
            turns: the detection's ``(start_ms, end_ms, speaker)`` turns; when given they
                replace the session's stored timeline in the same transaction.

        Returns:
            Counts: ``labelled`` segments and ``split`` segments (cuts made).

        Raises:
            InUseError: hand-made speakers exist and ``replace`` is False.
            NotFoundError: no such session, or a segment of the plan is not in it.
        """
        self._need_session(session_id)
        edited = self.speaker_edited_count(session_id)
        if edited and not replace:
            raise InUseError(
                f"{plural(edited, 'segment')} of session {session_id} "
                f"{verb(edited, 'has its speaker', 'have speakers')} corrected by hand; "
                "nothing was changed. Re-run with --replace to overwrite "
                f"{'it' if edited == 1 else 'them'}."
            )
        ids = {
            r[0]
            for r in self._store.rows("SELECT id FROM segments WHERE session_id = ?", (session_id,))
        }
        for entry in plan:
            if entry.segment_id not in ids:
                raise NotFoundError(
                    f"Segment {entry.segment_id!r} is not in session {session_id}; "
                    "nothing was changed."
                )
            if len(entry.speakers) != len(entry.cuts) + 1:
                raise InvalidInputError("A relabel needs one speaker per part.")
        timeline = None if turns is None else check_turns(turns)
        labelled = split = 0
        split_segment = self._project.transcript.split_segment
        with self._store.tx() as db:
            conn = db.conn
            if replace:
                conn.execute(
                    "UPDATE segments SET speaker_edited = 0 WHERE session_id = ?", (session_id,)
                )
            for entry in plan:
                row = conn.execute(
                    "SELECT edited, text FROM segments WHERE id = ?", (entry.segment_id,)
                ).fetchone()
                edited_flag = int(row["edited"])
                parts = [entry.segment_id]
                current = entry.segment_id
                consumed = 0  # code points removed from the front by earlier cuts
                for at_cp, at_ms in entry.cuts:
                    text = conn.execute(
                        "SELECT text FROM segments WHERE id = ?", (current,)
                    ).fetchone()[0]
                    local = at_cp - consumed
                    if not 0 < local < len(text):
                        parts.append("")  # cut fell outside the text: keep one part
                        continue
                    # a cut between speakers moves each coding to one part, never copies it
                    _left, right = split_segment(current, local, at_ms, move_codings=True)
                    consumed += len(text) - len(right.text)
                    current = right.id
                    parts.append(right.id)
                    split += 1
                ts = now_iso()
                for part_id, speaker in zip(parts, entry.speakers, strict=True):
                    if not part_id:
                        continue
                    conn.execute(
                        "UPDATE segments SET speaker = ?, speaker_edited = 0, edited = ?, "
                        "updated_at = ? WHERE id = ?",
                        (speaker, edited_flag, ts, part_id),
                    )
                    labelled += 1
            if timeline is not None:
                self.turns.save(session_id, timeline)
        return {"labelled": labelled, "split": split}

    # ----------------------------------------------------------------- profiles
    def add_speaker_profile(
        self,
        name: str,
        embedding: Sequence[float],
        model: str,
        *,
        participant_id: str | None = None,
        source_session_id: str | None = None,
        source_ms: int = 0,
    ) -> SpeakerProfile:
        """Store a voice profile (an embedding, never audio).

        Raises:
            InvalidInputError: empty name or model, or an empty or non-finite embedding.
            NotFoundError: the participant does not exist.
        """
        name = _label(name, "A profile name")
        model = _label(model, "The model name")
        values = [float(v) for v in embedding]
        if not values or any(v != v or v in (float("inf"), float("-inf")) for v in values):
            raise InvalidInputError("A voice profile needs a finite, non-empty embedding.")
        if participant_id is not None:
            self._need_participant(participant_id)
        row = {
            "id": new_id(),
            "name": name,
            "participant_id": participant_id,
            "embedding": embedding_to_blob(values),
            "dim": len(values),
            "model": model,
            "source_session_id": source_session_id,
            "source_ms": int(source_ms),
            **self._store.stamp(),
        }
        with self._store.tx() as db:
            db.table("speaker_profiles").insert(row)
        return self.get_speaker_profile(str(row["id"]))

    def get_speaker_profile(self, profile_id: str) -> SpeakerProfile:
        """Return one voice profile or raise ``NotFoundError``."""
        row = self._store.one("SELECT * FROM speaker_profiles WHERE id = ?", (profile_id,))
        if row is None:
            raise NotFoundError(f"No speaker profile with id {profile_id!r}.")
        return _profile(row)

    def speaker_profiles(self, model: str | None = None) -> list[SpeakerProfile]:
        """Return the voice profiles (of one model when given), by name."""
        if model is None:
            rows = self._store.rows("SELECT * FROM speaker_profiles ORDER BY name, created_at")
        else:
            rows = self._store.rows(
                "SELECT * FROM speaker_profiles WHERE model = ? ORDER BY name, created_at",
                (model,),
            )
        return [_profile(r) for r in rows]

    def update_speaker_profile(
        self,
        profile_id: str,
        *,
        name: str | None = None,
        participant_id: str | None = None,
        clear_participant: bool = False,
    ) -> SpeakerProfile:
        """Rename a voice profile and/or link it to a participant."""
        self.get_speaker_profile(profile_id)
        fields: dict[str, Any] = {"updated_at": now_iso()}
        if name is not None:
            fields["name"] = _label(name, "A profile name")
        if clear_participant:
            fields["participant_id"] = None
        elif participant_id is not None:
            self._need_participant(participant_id)
            fields["participant_id"] = participant_id
        with self._store.tx() as db:
            db.table("speaker_profiles").update(profile_id, fields)
        return self.get_speaker_profile(profile_id)

    def delete_speaker_profile(self, profile_id: str) -> None:
        """Delete a voice profile (the deletion travels in bundles)."""
        self.get_speaker_profile(profile_id)
        with self._store.tx() as db:
            db.conn.execute("DELETE FROM speaker_profiles WHERE id = ?", (profile_id,))
            self._store.tombstone("speaker_profiles", profile_id)

    # ----------------------------------------------------------------- helpers
    def _need_session(self, session_id: str) -> None:
        if self._store.one("SELECT 1 FROM sessions WHERE id = ?", (session_id,)) is None:
            raise NotFoundError(f"No session with id {session_id!r}; list them with `sessions`.")

    def _need_participant(self, participant_id: str) -> None:
        if self._store.one("SELECT 1 FROM participants WHERE id = ?", (participant_id,)) is None:
            raise NotFoundError(f"No participant with id {participant_id!r}.")

    def _refuse_two_people(self, session_id: str, source: str, target: str) -> None:
        """Refuse to merge speakers linked to two different participants."""
        rows = self._store.rows(
            "SELECT ss.label, ss.participant_id, p.pseudonym FROM session_speakers ss "
            "JOIN participants p ON p.id = ss.participant_id "
            "WHERE ss.session_id = ? AND ss.label IN (?, ?)",
            (session_id, source, target),
        )
        people = {r["label"]: (r["participant_id"], r["pseudonym"]) for r in rows}
        if len(people) == 2 and people[source][0] != people[target][0]:
            raise InvalidInputError(
                f"Speaker {source!r} is linked to participant {people[source][1]!r} and "
                f"{target!r} to {people[target][1]!r}: merged, one person's words would go out "
                "under the other's name and consent. Link both to the same participant (or "
                "unlink one) first; nothing was changed."
            )

    def _label_in_use(self, session_id: str, label: str) -> bool:
        return (
            any(t.speaker == label for t in self.turns.stored(session_id))
            or self._store.one(
                "SELECT 1 FROM segments WHERE session_id = ? AND speaker = ? LIMIT 1",
                (session_id, label),
            )
            is not None
            or self._store.one(
                "SELECT 1 FROM session_speakers WHERE session_id = ? AND label = ?",
                (session_id, label),
            )
            is not None
        )

    def _need_label(self, session_id: str, label: str) -> None:
        if not self._label_in_use(session_id, label):
            raise NotFoundError(f"No speaker {label!r} in session {session_id}.")


def _profile(row: Any) -> SpeakerProfile:
    return SpeakerProfile(
        id=row["id"],
        name=row["name"],
        participant_id=row["participant_id"],
        embedding=blob_to_embedding(row["embedding"]),
        model=row["model"],
        source_session_id=row["source_session_id"],
        source_ms=int(row["source_ms"]),
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _relabel_segments(
    conn: Any, session_id: str, old: str, new: str, ts: str, *, by_hand: bool = True
) -> int:
    """Give the segments of speaker ``old`` to ``new`` (marked as set by hand when ``by_hand``:
    a merge corrects who spoke, a rename only names them); return how many."""
    edited = "1" if by_hand else "speaker_edited"
    return int(
        conn.execute(
            f"UPDATE segments SET speaker = ?, speaker_edited = {edited}, updated_at = ? "
            "WHERE session_id = ? AND speaker = ?",
            (new, ts, session_id, old),
        ).rowcount
    )
