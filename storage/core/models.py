"""Plain dataclasses that cross layers (storage -> CLI, GUI, transcription)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from storage.core.words import plural

SESSION_KINDS = ("focus_group", "interview", "observation")
SEGMENT_ORIGINS = ("whisper", "manual", "import")
MEMO_TARGETS = ("project", "session", "segment", "code", "coding", "journal")


@dataclass
class Coder:
    """A person who codes; ``name`` is the natural key used in ``created_by``."""

    name: str
    created_at: str


@dataclass
class MediaFile:
    """An audio (or video) file copied into the project's ``media/`` folder."""

    id: str
    session_id: str
    path: str
    original_name: str
    sha256: str
    size_bytes: int
    duration_ms: int
    sample_rate: int
    channels: int
    codec: str
    created_by: str
    created_at: str
    updated_at: str


#: how a transcript writes the numbers said: "words" as said ("двенадцати", "восьми с
#: половиной"; the default), "digits" as Whisper likes to write them ("12", "8,5")
NUMBER_STYLES = ("words", "digits")
#: project settings that travel with bundles (``project_meta``): how the project transcribes.
#: Each has a ``<key>:changed`` time; merging a bundle takes a setting changed there later.
SHARED_SETTINGS = ("languages", "model", "numbers")
CHANGED_SUFFIX = ":changed"
#: ``project_meta`` key of ``{journal memo id: participant id}``: the notes a REFI-QDA file put
#: on a case (``storage.interop.exchange_meta``); bundle merges take it with the memos
CASE_NOTES_KEY = "exchange.case_notes"
#: ``project_meta`` keys of the lists of segments (MAXQDA lines whose speaker label stood after
#: their time mark) and sessions (CRLF line ends) an imported REFI-QDA file wrote its own way
#: (``storage.interop.exchange_meta``); bundle merges take them with the rows
MARKED_LABELS_KEY = "exchange.marked_labels"
CRLF_KEY = "exchange.crlf"
#: ``project_meta`` key of the list of sessions imported from a REFI-QDA ``VideoSource``
#: (``storage.interop.exchange_meta``; exported as videos also without their file); bundle
#: merges take it with the sessions
VIDEO_SESSIONS_KEY = "exchange.video_sessions"
#: ``project_meta`` key of ``{coding id: [begin ms, end ms]}``: the own time range of each coding
#: of a recording's range that is not its segment's (a segment of speech without transcript
#: spanning more, or transcript lines the range covers in part or several of)
#: (``storage.interop.exchange_meta``); bundle merges take it with the codings
TIME_RANGES_KEY = "exchange.time_ranges"
#: ``project_meta`` key of ``{coding id: id of the first of them}``: the codings an import made
#: of one code of a whole source (a REFI-QDA ``Coding`` on the source itself), one a segment
#: (``storage.interop.exchange_meta``); bundle merges take it with the codings
WHOLE_CODINGS_KEY = "exchange.whole_codings"
#: ``project_meta`` key of the SHA-256 of each REFI-QDA project ``Description`` imported
#: (``storage.interop.project_description``: importing it again adds no second memo); bundle
#: merges take the union, so that a coder's copy importing the file again adds none either
DESCRIPTIONS_KEY = "exchange.descriptions"
#: ``project_meta`` key of ``{code id: [its name in the file, the name given here]}``: codes a
#: REFI-QDA import named apart (siblings of one name, or differing in letter case only);
#: exports write the file's name again (``storage.interop.exchange_meta``); bundle merges take it
CODE_NAMES_KEY = "exchange.code_names"
#: ``project_meta`` key of the project's lead (a coder name; absent in projects made before it
#: was recorded), with a ``lead:changed`` time. It travels in bundles: a copy takes it when it
#: has none, or from a bundle of the lead it names (who hands the project over). In a coder's
#: copy (a lead recorded, another coder writing) the lead's removals and decisions are final
#: and only the lead resolves conflicts (``storage.team.teamwork.Team``, docs/TEAMWORK.md)
LEAD_KEY = "lead"

#: how a session's kind reads to people (exports, the workbench)
KIND_LABELS = {"focus_group": "Focus group", "interview": "Interview", "observation": "Observation"}


@dataclass
class Session:
    """A recorded event: a focus group, an interview or an observation."""

    id: str
    title: str
    kind: str
    date: str | None
    place: str | None
    moderator: str | None
    notes: str | None
    status: str
    created_by: str
    created_at: str
    updated_at: str
    duration_ms: int = 0
    segment_count: int = 0
    coded_segment_count: int = 0
    speakers: list[str] = field(default_factory=list)
    untranscribed_count: int = 0  # segments of speech without transcript
    languages: list[str] = field(default_factory=list)  # languages of its segments, most first


@dataclass
class Participant:
    """A person who took part, known by pseudonym, with free attributes (age group, role...)."""

    id: str
    pseudonym: str
    attributes: dict[str, str]
    created_by: str
    created_at: str
    updated_at: str


@dataclass
class SessionSpeaker:
    """A speaker label of one session, optionally mapped to a participant."""

    id: str
    session_id: str
    label: str
    participant_id: str | None
    created_by: str
    created_at: str
    updated_at: str


@dataclass
class Word:
    """One word with its timing, as Whisper gives it."""

    start_ms: int
    end_ms: int
    text: str
    probability: float | None = None


@dataclass
class Segment:
    """A timed piece of transcript."""

    id: str
    session_id: str
    start_ms: int
    end_ms: int
    speaker: str | None
    text: str
    origin: str
    confidence: float | None
    words: list[Word]
    edited: bool  # a person corrected its text or language, or replaced names in it
    created_by: str
    created_at: str
    updated_at: str
    language: str | None = None  # the language it was transcribed in (a Whisper code)
    untranscribed: bool = False  # speech that gave no text: "speech without transcript"
    #: the model that wrote its text (a name, never a path), ``TYPED_BY_HAND``, or None: not
    #: recorded (imported from a file, or written before schema 0010; ``core.model_names``)
    model: str | None = None


@dataclass
class Marker:
    """A point in time of a session, dropped while recording or later."""

    id: str
    session_id: str
    time_ms: int
    label: str
    note: str | None
    source: str
    created_by: str
    created_at: str
    updated_at: str


@dataclass
class Code:
    """A code of the codebook; ``path`` is the slash-joined names from the root."""

    id: str
    parent_id: str | None
    name: str
    colour: str
    description: str | None
    created_by: str
    created_at: str
    updated_at: str
    path: str = ""


@dataclass
class Coding:
    """A code applied to a segment (or to a code-point span inside it) by one coder."""

    id: str
    segment_id: str
    code_id: str
    coder: str
    start_cp: int | None
    end_cp: int | None
    memo: str | None
    created_by: str
    created_at: str
    updated_at: str


@dataclass
class Memo:
    """A note attached to the project, a session, a segment, a code or a coding."""

    id: str
    target_type: str
    target_id: str | None
    title: str | None
    text: str
    created_by: str
    created_at: str
    updated_at: str


@dataclass
class SearchHit:
    """One full-text search result; ``marked`` has the matching words in ``[...]``."""

    segment_id: str
    session_id: str
    session_title: str
    start_ms: int
    end_ms: int
    speaker: str | None
    text: str
    marked: str
    rank: float
    language: str | None = None  # the segment's language (a Whisper code), None when unknown
    untranscribed: bool = False  # the segment is speech without transcript


@dataclass
class DeletionReport:
    """What a delete removed, per kind of row."""

    target: str
    removed: dict[str, int]

    def describe(self) -> str:
        """Return a one-line human summary ("Deleted code 'Trust' (1 coding)")."""
        parts = [_counted(n, kind) for kind, n in self.removed.items() if n]
        return f"Deleted {self.target}" + (f" ({', '.join(parts)})" if parts else "")


def _counted(n: int, kind: str) -> str:
    """``n`` rows of a kind named in the plural ("codings moved", "speaker mappings"), its
    noun (the first word ending in s) in the singular for one: "1 coding moved"."""
    words = kind.split(" ")
    at = next((i for i, w in enumerate(words) if w.endswith("s")), None)
    if at is None:
        return f"{n} {kind}"
    one = " ".join([*words[:at], words[at][:-1], *words[at + 1 :]])
    return plural(n, one, kind)


def as_dict(obj: Any) -> dict[str, Any]:
    """Return a JSON-friendly dict of a dataclass."""
    from dataclasses import asdict

    result: dict[str, Any] = asdict(obj)
    return result


#: the coder name of a project or an import when nobody has given one: never the operating
#: system's login name, which would travel in every row's ``created_by``, in bundles and in
#: REFI-QDA exports' users without its owner choosing it (researchers of sensitive topics)
UNNAMED_CODER = "coder"
