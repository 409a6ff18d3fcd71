"""Teamwork: bundles out, merges in, conflicts, blind coding and agreement data.

``bundle`` writes and opens bundles, ``merge`` and ``merging`` bring them in by the rules,
``project.team`` is the feature object. May import ``storage.core``; a bundle is made safe by
``storage.privacy.bundle`` (the one declared seam)."""
