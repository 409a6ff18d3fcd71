"""FieldScribe's project store: SQLite schema, migrations and the domain API. No Qt here."""

from .errors import (
    AudioError,
    FieldScribeError,
    InUseError,
    InvalidInputError,
    NewerSchemaError,
    NotAProjectError,
    NotFoundError,
    ProjectExistsError,
    ProjectLockedError,
    ReadOnlyError,
)
from .models import (
    Code,
    Coder,
    Coding,
    DeletionReport,
    Marker,
    MediaFile,
    Memo,
    Participant,
    SearchHit,
    Segment,
    Session,
    SessionSpeaker,
    Word,
)
from .project import Project
from .schema import SCHEMA_VERSION
from .sessions import AudioInfo
from .speakers import SegmentRelabel, SpeakerProfile, SpeakerStat
from .teamwork import AgreementData, Conflict, ConflictVersion
from .transcript import SegmentDraft
from .undo import EditRecord, Snapshot, UndoScope

__all__ = [
    "SCHEMA_VERSION",
    "AgreementData",
    "AudioError",
    "AudioInfo",
    "Code",
    "Coder",
    "Coding",
    "Conflict",
    "ConflictVersion",
    "DeletionReport",
    "EditRecord",
    "FieldScribeError",
    "InUseError",
    "InvalidInputError",
    "Marker",
    "MediaFile",
    "Memo",
    "NewerSchemaError",
    "NotAProjectError",
    "NotFoundError",
    "Participant",
    "Project",
    "ProjectExistsError",
    "ProjectLockedError",
    "ReadOnlyError",
    "SearchHit",
    "Segment",
    "SegmentDraft",
    "SegmentRelabel",
    "Session",
    "SessionSpeaker",
    "Snapshot",
    "SpeakerProfile",
    "SpeakerStat",
    "UndoScope",
    "Word",
]
