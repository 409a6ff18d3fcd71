"""Speaker labels, statistics, voice profiles and the speaker timeline (``project.speakers``).
May import ``storage.core`` only."""
