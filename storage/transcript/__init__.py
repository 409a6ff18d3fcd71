"""Segments and their editing and search (``project.transcript``), and transcription runs
(``project.transcription``). May import ``storage.core`` only."""
