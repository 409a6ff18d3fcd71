"""FieldScribe's project store: SQLite schema, migrations and the domain API. No Qt here."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from storage.core.errors import (
    AudioError,
    ChangedMeanwhileError,
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
from storage.core.models import (
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
from storage.core.schema import SCHEMA_VERSION
from storage.project import Project

if TYPE_CHECKING:
    from storage.core.audio import AudioInfo
    from storage.history.undo import EditRecord, Snapshot, UndoScope
    from storage.speakers.speakers import SegmentRelabel, SpeakerProfile, SpeakerStat
    from storage.team.conflicts import Conflict, ConflictVersion
    from storage.team.teamwork import AgreementData
    from storage.transcript.transcript import SegmentDraft

# The features' own dataclasses load with their feature, on first use (a read-only command
# imports only what it needs).
_LAZY = {
    "AudioInfo": "storage.core.audio",
    "EditRecord": "storage.history.undo",
    "Snapshot": "storage.history.undo",
    "UndoScope": "storage.history.undo",
    "SegmentRelabel": "storage.speakers.speakers",
    "SpeakerProfile": "storage.speakers.speakers",
    "SpeakerStat": "storage.speakers.speakers",
    "AgreementData": "storage.team.teamwork",
    "Conflict": "storage.team.conflicts",
    "ConflictVersion": "storage.team.conflicts",
    "SegmentDraft": "storage.transcript.transcript",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'storage' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "SCHEMA_VERSION",
    "AgreementData",
    "AudioError",
    "AudioInfo",
    "ChangedMeanwhileError",
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
