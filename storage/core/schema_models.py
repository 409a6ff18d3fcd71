"""Migration 0010: which model wrote each segment (``segments.model``).

Before, only a session's run recorded its model (``transcription_state.model``): a segment
re-transcribed with another model, or typed by hand, was exported as the session's model's
work. Now each segment records it (``storage.core.model_names``). Segments made by hand
(``origin = 'manual'``) are "typed by hand"; the others stay NULL, "not recorded": whether a
Whisper segment of an older project was re-transcribed with another model is not known, and a
guess would be worse than saying so (exports name the session's model for them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.core.model_names import TYPED_BY_HAND
from storage.core.sql_script import run_script

if TYPE_CHECKING:
    from sqlite_utils import Database

_V10 = f"""
ALTER TABLE segments ADD COLUMN model TEXT;
UPDATE segments SET model = '{TYPED_BY_HAND}' WHERE origin = 'manual';
"""


def segment_model_migration(db: Database) -> None:
    """Migration 0010: ``segments.model``."""
    run_script(db, _V10)
