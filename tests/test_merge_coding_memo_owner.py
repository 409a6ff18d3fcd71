"""A coding's memo is its coder's (as in NVivo, ATLAS.ti and MAXQDA): ann, blind coding off,
sees bob's coding from the lead's bundle and its memo, and may not change it; before, her
change went to the lead as bob's memo rewritten."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.core.errors import InvalidInputError
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import dump, team


def test_another_coders_coding_memo_is_read_only(tmp_path: Path) -> None:
    lead, segs, coders = team(tmp_path, "ann", "bob")
    a, b = coders["ann"], coders["bob"]
    health = b.codebook.find_code("Services/Health")
    assert health is not None
    bobs = b.codebook.apply_code(segs[0], health.id, memo="bob's reading")
    export_bundle(b, tmp_path / "b.fsbundle")
    merge_bundles(lead, [tmp_path / "b.fsbundle"])
    export_bundle(lead, tmp_path / "lead.fsbundle")
    merge_bundles(a, [tmp_path / "lead.fsbundle"])
    assert not a.team.blind_coding
    before = dump(a.folder)
    with pytest.raises(InvalidInputError, match="The memo of bob's coding is bob's: only bob"):
        a.codebook.update_coding(bobs.id, memo="ann's reading")
    assert dump(a.folder) == before
    with pytest.raises(InvalidInputError):  # nor may the lead
        lead.codebook.update_coding(bobs.id, memo="")
    # ann's own coding's memo is hers; bob writes his
    hers = a.codebook.apply_code(segs[1], health.id)
    assert a.codebook.update_coding(hers.id, memo="mine").memo == "mine"
    assert b.codebook.update_coding(bobs.id, memo="bob, later").memo == "bob, later"
    for p in (lead, a, b):
        p.close()
