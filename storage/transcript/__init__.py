"""Segments (editing, search) and transcription runs.

``project.transcript`` and ``project.transcription``. May import ``storage.core`` only."""
