"""Reading a bundle's members straight from the zip file (deflated or stored): damage is refused.

The database member is inflated from the file in large blocks (ISA-L when installed, else zlib)
instead of through ``zipfile``'s reader, which also skips the zip's CRC-32 (the manifest's sha256
is checked). These are the refusals that path must still make, each leaving the project as it was.
"""

from __future__ import annotations

import hashlib
import json
import uuid
import zipfile
import zlib
from pathlib import Path

import pytest

from storage import Project
from storage.team.bundle import InvalidBundleError
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import dump, team


def _bundle(tmp_path: Path) -> tuple[Path, Path]:
    lead, segs, coders = team(tmp_path, "alice")
    alice = coders["alice"]
    code = alice.codebook.find_code("Services/Health")
    assert code is not None
    for seg in segs:
        alice.codebook.apply_code(seg, code.id)
    export_bundle(alice, tmp_path / "alice.fsbundle")
    alice.close()
    lead.close()
    return lead.folder, tmp_path / "alice.fsbundle"


def _db_info(bundle: Path) -> zipfile.ZipInfo:
    with zipfile.ZipFile(bundle) as zf:
        return zf.getinfo("project.db")


def _data_offset(data: bytes, info: zipfile.ZipInfo) -> int:
    at = info.header_offset
    return (
        at
        + 30
        + int.from_bytes(data[at + 26 : at + 28], "little")
        + (int.from_bytes(data[at + 28 : at + 30], "little"))
    )


def _restate_size(bundle: Path, out: Path, size: int) -> Path:
    """Make the manifest, the local header and the central directory all say ``size`` bytes."""
    with zipfile.ZipFile(bundle) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        db = zf.read("project.db")
        compress = zf.getinfo("project.db").compress_type
    manifest["members"]["project.db"] = {
        "size": size,
        "sha256": hashlib.sha256(db[:size]).hexdigest(),
    }
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        zf.writestr("project.db", db, compress_type=compress)
    _patch_db_headers(out, method=compress, size=size)
    assert _db_info(out).file_size == size
    return out


def _refused(folder: Path, bad: Path, message: str) -> None:
    """Refused in one line naming the bundle and its damaged member, saying that nothing was
    changed (it said "'project.db' is truncated; export it again." or "... is larger than the
    manifest says; refusing.": not that the bundle is damaged, nor that the project is as it
    was), and nothing was."""
    before = dump(folder)
    with Project.open(folder) as p, pytest.raises(InvalidBundleError, match=message) as told:
        merge_bundles(p, [bad])
    said = str(told.value)
    assert said.startswith(f"{bad}: project.db is damaged (") and "\n" not in said, said
    assert "; nothing was changed. Ask for the bundle to be exported again" in said, said
    assert dump(folder) == before


def test_exported_database_is_deflated_and_merges(tmp_path: Path) -> None:
    folder, good = _bundle(tmp_path)
    assert _db_info(good).compress_type == zipfile.ZIP_DEFLATED
    with Project.open(folder) as p:
        (summary,) = merge_bundles(p, [good])
        assert summary.tables["codings"].added == 6


def test_damaged_deflate_stream_is_refused(tmp_path: Path) -> None:
    folder, good = _bundle(tmp_path)
    data = bytearray(good.read_bytes())
    info = _db_info(good)
    start = _data_offset(bytes(data), info)
    for i in range(start + info.compress_size // 3, start + info.compress_size // 3 + 64):
        data[i] ^= 0x5A
    bad = tmp_path / "damaged.fsbundle"
    bad.write_bytes(bytes(data))
    _refused(folder, bad, "damaged|checksum mismatch|truncated")


def _patch_db_headers(path: Path, *, method: int, size: int) -> None:
    """Set the compression method and uncompressed size of ``project.db`` in both headers."""
    data = bytearray(path.read_bytes())
    info = _db_info(path)
    local = info.header_offset
    data[local + 8 : local + 10] = method.to_bytes(2, "little")
    data[local + 22 : local + 26] = size.to_bytes(4, "little")
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_len = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + name_len] == b"project.db":
            data[at + 10 : at + 12] = method.to_bytes(2, "little")
            data[at + 24 : at + 28] = size.to_bytes(4, "little")
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


def test_truncated_deflate_stream_is_refused(tmp_path: Path) -> None:
    folder, good = _bundle(tmp_path)
    with zipfile.ZipFile(good) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        db = zf.read("project.db")
    packer = zlib.compressobj(1, zlib.DEFLATED, -15)
    stream = packer.compress(db) + packer.flush()
    bad = tmp_path / "cut.fsbundle"
    with zipfile.ZipFile(bad, "w") as zf:  # the first half of the stream, declared whole
        zf.writestr("manifest.json", json.dumps(manifest))
        zf.writestr("project.db", stream[: len(stream) // 2])
    _patch_db_headers(bad, method=zipfile.ZIP_DEFLATED, size=len(db))
    assert _db_info(bad).file_size == len(db)
    _refused(folder, bad, "truncated|damaged")


@pytest.mark.parametrize("compress", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_member_larger_than_every_header_says_is_refused(tmp_path: Path, compress: int) -> None:
    folder, good = _bundle(tmp_path)
    with zipfile.ZipFile(good) as zf:
        real = zf.getinfo("project.db").file_size
    src = tmp_path / f"src-{uuid.uuid4()}.fsbundle"
    with zipfile.ZipFile(good) as zf, zipfile.ZipFile(src, "w") as out:
        out.writestr("manifest.json", zf.read("manifest.json"))
        out.writestr("project.db", zf.read("project.db"), compress_type=compress)
    bad = _restate_size(src, tmp_path / "short.fsbundle", real // 2)
    _refused(folder, bad, "more than the .* bytes the manifest lists, so its sha256 checksum")


def test_the_command_line_says_which_member_is_damaged_in_one_line(tmp_path: Path) -> None:
    """``bundle merge`` of a bundle whose project.db was cut: one line that the bundle's
    project.db is damaged, why (the checksum cannot match) and that nothing was changed."""
    from tests.test_bundle_robustness import _refused_by_cli

    folder, good = _bundle(tmp_path)
    with zipfile.ZipFile(good) as zf:
        real = zf.getinfo("project.db").file_size
    bad = _restate_size(good, tmp_path / "short.fsbundle", real // 2)
    err = _refused_by_cli(folder, bad)
    assert err.startswith(f"fieldscribe: error: {bad}: project.db is damaged ("), err
    assert "sha256 checksum cannot match" in err and "nothing was changed" in err, err
