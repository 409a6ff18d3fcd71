"""Teamwork: bundles out (``bundle``), merges in (``merge``, ``merging``) and their rules,
conflicts, blind coding and agreement data (``project.team``). May import ``storage.core``; a
bundle is made safe by ``storage.privacy.bundle`` (the one declared seam)."""
