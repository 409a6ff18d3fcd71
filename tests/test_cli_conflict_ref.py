"""`fieldscribe conflicts --resolve` takes the start of a conflict's id, as other commands take
the start of a segment's id. In a team round the lead typed the first eight characters of the
id the listing showed and got "No conflict with id 'e6aa008d'." although it was right there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.hardening_support import fingerprint, one_line_error, run_cli
from tests.teamwork_helpers import team


def _two_conflicts(tmp_path: Path) -> tuple[Path, list[str]]:
    lead, segs, coders = team(tmp_path, "ann", "bob")
    for name, p in coders.items():
        for seg in segs[:2]:
            p.transcript.update_segment(seg, text=f"{name} wrote segment {seg[-4:]} anew")
        export_bundle(p, tmp_path / f"{name}.fsbundle")
        p.close()
    merge_bundles(lead, [tmp_path / "ann.fsbundle", tmp_path / "bob.fsbundle"])
    ids = [c.id for c in lead.team.conflicts()]
    folder = lead.folder
    lead.close()
    return folder, ids


def test_resolve_by_the_start_of_the_id(tmp_path: Path, capsys: Any) -> None:
    folder, ids = _two_conflicts(tmp_path)
    assert len(ids) == 2
    code, out, err = run_cli(capsys, "conflicts", folder, "--resolve", ids[0][:8], "--keep", "0")
    assert code == 0, err
    assert out.startswith("Resolved: kept the version of ")
    code, out, _ = run_cli(capsys, "conflicts", folder)
    assert ids[0] not in out and ids[1] in out


def test_a_start_of_no_id_or_too_short_is_refused_with_nothing_changed(
    tmp_path: Path, capsys: Any
) -> None:
    folder, ids = _two_conflicts(tmp_path)
    before = fingerprint(folder)
    code, _, err = run_cli(capsys, "conflicts", folder, "--resolve", "zzzzzzzz", "--keep", "0")
    assert code == 1
    assert "No conflict with id 'zzzzzzzz'" in one_line_error(err)
    code, _, err = run_cli(capsys, "conflicts", folder, "--resolve", ids[0][:3], "--keep", "0")
    assert code == 1 and "4 or more" in one_line_error(err)
    assert fingerprint(folder) == before


def test_the_listing_shows_what_the_versions_differ_in(tmp_path: Path, capsys: Any) -> None:
    """A text conflict listed the unchanged speaker beside each version's text
    ("speaker='Ерлан'; text=…"), as if the speaker were in question too."""
    lead, segs, coders = team(tmp_path, "ann", "bob")
    lead.transcript.update_segment(segs[0], speaker="Ерлан")
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    for name, p in coders.items():
        merge_bundles(p, [tmp_path / "lead2.fsbundle"])
        p.transcript.update_segment(segs[0], text=f"{name} heard it otherwise")
        export_bundle(p, tmp_path / f"{name}.fsbundle")
        p.close()
    merge_bundles(lead, [tmp_path / "ann.fsbundle", tmp_path / "bob.fsbundle"])
    folder = lead.folder
    lead.close()
    code, out, err = run_cli(capsys, "conflicts", folder)
    assert code == 0, err
    versions = [line for line in out.splitlines() if line.startswith("    ")]
    assert any("text='ann heard it otherwise'" in line for line in versions), out
    assert any("text='bob heard it otherwise'" in line for line in versions), out
    assert not any("speaker=" in line for line in versions), out
