"""Recordings: crash-safe WAV writing, the recording journal, recovery, interview guides.

``project.recordings``. May import ``storage.core`` only."""
