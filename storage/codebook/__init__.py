"""Codes, codings and memos (``project.codebook``) and retrieval of coded segments
(``project.retrieval``). May import ``storage.core`` only."""
