"""Codes, codings and memos; retrieval of coded segments.

``project.codebook`` and ``project.retrieval``. May import ``storage.core`` only."""
