"""A bundle with damaged bytes anywhere (a bad copy, a USB stick) is refused in one line.

Every byte of a small bundle is damaged in turn and the bundle opened: it opens (damage in a
part nothing reads) or is refused with ``InvalidBundleError``, never another error. Before, a
byte damaged inside the manifest's deflated data raised zlib's own error, which the command line
reported as "unexpected failure (error: Error -3 while decompressing data: invalid distance too
far back); please report it", and so did a compression method in the member list that zipfile
does not know.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from storage import Project
from storage.team.bundle import InvalidBundleError
from storage.team.bundle_export import export_bundle
from storage.team.bundle_open import open_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import dump, team
from tests.test_bundle_robustness import _refused_by_cli, fs


def _bundle(tmp_path: Path) -> tuple[Path, Path]:
    lead, segs, coders = team(tmp_path, "alice")
    alice = coders["alice"]
    code = alice.codebook.find_code("Services/Health")
    assert code is not None
    alice.codebook.apply_code(segs[0], code.id)
    export_bundle(alice, tmp_path / "alice.fsbundle")
    alice.close()
    lead.close()
    return lead.folder, tmp_path / "alice.fsbundle"


def _damaged(good: bytes, at: int) -> bytes:
    data = bytearray(good)
    data[at] ^= 0xA5
    return bytes(data)


def _opens(path: Path) -> str:
    """'opens' or 'refused' (an InvalidBundleError); any other error propagates."""
    try:
        with open_bundle(path):
            return "opens"
    except InvalidBundleError as exc:
        assert "\n" not in str(exc)
        # damage the zip reader finds said "export it again." and not that the project is as
        # it was, as the members' checks say it
        if "is damaged" in str(exc):
            assert "nothing was changed" in str(exc), exc
        return "refused"


def test_each_damaged_byte_of_the_manifest_is_refused_as_damage(tmp_path: Path) -> None:
    _, good = _bundle(tmp_path)
    data = good.read_bytes()
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("manifest.json")
    assert info.compress_type == zipfile.ZIP_DEFLATED
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    bad = tmp_path / "bad.fsbundle"
    seen = set()
    for at in range(start, start + info.compress_size):
        bad.write_bytes(_damaged(data, at))
        seen.add(_opens(bad))
    assert "refused" in seen


def test_each_damaged_byte_of_the_member_list_is_refused_as_damage(tmp_path: Path) -> None:
    """The zip's central directory: a member's compression method turned into one zipfile
    does not know raised NotImplementedError ("That compression method is not supported")."""
    _, good = _bundle(tmp_path)
    data = good.read_bytes()
    bad = tmp_path / "bad.fsbundle"
    seen = set()
    for at in range(data.rfind(b"PK\x01\x02", 0, data.rfind(b"PK\x01\x02")), len(data)):
        bad.write_bytes(_damaged(data, at))
        seen.add(_opens(bad))
    assert "refused" in seen


def test_the_cli_refuses_a_damaged_manifest_stream_in_one_line(tmp_path: Path) -> None:
    folder, good = _bundle(tmp_path)
    data = good.read_bytes()
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("manifest.json")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    bad = tmp_path / "bad.fsbundle"
    bad.write_bytes(_damaged(data, start + info.compress_size // 2))
    err = _refused_by_cli(folder, bad)
    assert "damaged" in err and "unexpected failure" not in err, err
    before = dump(folder)
    with Project.open(folder) as p, pytest.raises(InvalidBundleError):
        merge_bundles(p, [bad])
    assert dump(folder) == before


def test_bundles_merged_before_a_damaged_one_are_reported(tmp_path: Path) -> None:
    """`bundle merge DIR good.fsbundle damaged.fsbundle`: the good one merges and stays merged
    (each bundle in a savepoint). Before, the command printed only the damaged one's error,
    so the user read that nothing happened while the first bundle's codings were in."""
    folder, good = _bundle(tmp_path)
    bad = tmp_path / "bad.fsbundle"
    data = good.read_bytes()
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("manifest.json")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    bad.write_bytes(_damaged(data, start + info.compress_size // 2))
    result = fs("bundle", "merge", folder, good, bad)
    err = result.stderr.strip()
    assert result.returncode == 1
    assert len(err.splitlines()) == 1 and "damaged" in err and str(bad) in err, err
    assert f"Merged {good.name}" in result.stdout or f"Merged {good}" in result.stdout, (
        result.stdout
    )
    with Project.open(folder, readonly=True) as p:
        assert [c.coder for c in p.codebook.codings()] == ["alice"]
