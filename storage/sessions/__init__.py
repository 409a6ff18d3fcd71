"""Sessions, their media files, participants, speaker mapping and markers (``project.sessions``).
May import ``storage.core`` only."""
