"""Opening a team bundle: every check before its rows are merged, then its unpacked folder.

``open_bundle`` opens one; ``opened_in_turn`` opens several, unpacking ahead of the one in use.
"""

from __future__ import annotations

import contextlib
import errno
import json
import re
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from typing import Any

from storage.core.errors import DiskFullError, NewerSchemaError
from storage.core.schema import SCHEMA_VERSION
from storage.core.tempdirs import make_private_dir, remove_private_dir
from storage.core.zipcheck import ZipCaps, check_count, check_declared, check_free_space
from storage.team.bundle import (
    BUNDLE_FORMAT,
    BUNDLE_FORMAT_VERSION,
    DB_MEMBER,
    MANIFEST,
    MEDIA_NAME,
    InvalidBundleError,
    OpenedBundle,
    refusal,
    refused,
)
from storage.team.bundle_database import check_database, upgrade_older
from storage.team.bundle_members import damaged, extract_limited
from storage.team.not_a_bundle import not_a_file, not_a_zip, zip_without_manifest

_MAX_MANIFEST = 4 << 20


@contextlib.contextmanager
def open_bundle(path: str | Path) -> Iterator[OpenedBundle]:
    """Check a bundle and unpack it into a private temporary folder (removed afterwards).

    Raises:
        InvalidBundleError: the file is not a valid, untampered FieldScribe bundle.
        NewerSchemaError: the bundle was written by a newer FieldScribe.
    """
    opened = _open_checked(path)
    try:
        yield opened
    finally:
        remove_private_dir(opened.folder, shred=False)


#: Limits on a bundle, checked before anything is unpacked (``storage.core.zipcheck``): the
#: members (the manifest, the database, one per audio file), each one's and their total
#: unpacked size, the compression ratio; and the free space of the temporary folder.
BUNDLE_CAPS = ZipCaps(
    max_members=10_000,
    max_member_bytes=64 << 30,
    max_total_bytes=256 << 30,
    max_ratio=200,
    max_directory_bytes=8 << 20,
)


def _open_checked(path: str | Path, shown: str | Path | None = None) -> OpenedBundle:
    """Unpack and check a bundle; the caller removes ``folder`` (removed here on refusal).

    ``shown``: the file to name in messages and in the audit log (the user's encrypted file
    when ``path`` is its decrypted temporary copy).
    """
    path = Path(path).expanduser()
    name = Path(shown).expanduser() if shown is not None else path
    try:
        return _open_checked_as(path, name)
    except InvalidBundleError as exc:
        if name == path:
            raise
        raise InvalidBundleError(str(exc).replace(str(path), str(name))) from exc
    except NewerSchemaError as exc:
        if name == path:
            raise
        raise NewerSchemaError(str(exc).replace(str(path), str(name))) from exc


def _open_checked_as(path: Path, name: Path) -> OpenedBundle:
    if not path.is_file():
        raise InvalidBundleError(not_a_file(path))

    def refuse(why: str) -> InvalidBundleError:
        return refused(f"{path}: {why}")

    try:
        check_count(path, BUNDLE_CAPS, refuse)
    except OSError as exc:
        raise refused(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    if not zipfile.is_zipfile(path):
        raise InvalidBundleError(not_a_zip(path))
    work = make_private_dir("merge")
    try:
        try:
            with zipfile.ZipFile(path) as zf:
                needed = check_declared(zf.infolist(), BUNDLE_CAPS, refuse)
                check_free_space(work, needed, refuse)
                opened = _unpack(path, zf, work)
        # zlib.error: a member's deflated bytes damaged (the manifest, read through zipfile);
        # NotImplementedError: a damaged compression method in the member list
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            EOFError,
            ValueError,
            zlib.error,
            NotImplementedError,
        ) as exc:
            raise refused(
                f"{path} is damaged ({exc})",
                "Ask for the bundle to be exported again, or copy it again.",
            ) from exc
        except OSError as exc:
            full = exc.errno == errno.ENOSPC
            raise (DiskFullError if full else InvalidBundleError)(
                refusal(
                    f"{path}: could not unpack it into {work.parent} ({exc.strerror or exc})",
                    "Free some space or set TMPDIR to a larger folder." if full else "",
                )
            ) from exc
        if check_database(opened):
            upgrade_older(opened)
        opened.path = name
    except BaseException:
        remove_private_dir(work, shred=False)
        raise
    return opened


#: bundles unpacked ahead of the one being merged (each is a folder on disk until it merges)
UNPACK_AHEAD = 2


@contextlib.contextmanager
def opened_in_turn(
    paths: list[str | Path],
    ahead: Callable[[OpenedBundle], None] | None = None,
    shown: list[str | Path] | None = None,
) -> Iterator[Iterator[OpenedBundle]]:
    """Open bundles one after another, preparing the next ones while the caller uses this one.

    Two worker threads overlap the merge: one unpacks bundles (sha256, inflate, copy), up to
    ``UNPACK_AHEAD`` ahead of the one in use; the other runs ``ahead(opened)`` on each unpacked
    bundle in turn (SQLite, hashlib and the inflater release the GIL). A refusal is raised when
    its bundle's turn comes, so earlier bundles are used exactly as without prefetching. The
    caller owns (and removes) the folder of every bundle it received; every other unpacked
    folder is removed here.
    """
    unpacker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fsbundle-unpack")
    preparer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fsbundle-ahead")
    unpacked: list[Future[OpenedBundle]] = []
    prepared: list[Future[OpenedBundle]] = []
    handed: set[int] = set()

    def prepare(future: Future[OpenedBundle]) -> OpenedBundle:
        opened = future.result()  # this bundle's refusal, if any
        if ahead is not None:
            ahead(opened)
        return opened

    def submit_up_to(last: int) -> None:
        while len(unpacked) <= min(last, len(paths) - 1):
            i = len(unpacked)
            future = unpacker.submit(_open_checked, paths[i], shown[i] if shown else None)
            unpacked.append(future)
            prepared.append(preparer.submit(prepare, future))

    def bundles() -> Iterator[OpenedBundle]:
        for i in range(len(paths)):
            submit_up_to(i + UNPACK_AHEAD)
            opened = prepared[i].result()  # raises this bundle's refusal
            handed.add(i)
            yield opened

    try:
        yield bundles()
    finally:
        for future in [*unpacked, *prepared]:
            future.cancel()  # not started yet: never will
        unpacker.shutdown(wait=True)
        preparer.shutdown(wait=True)
        for i, future in enumerate(unpacked):
            if (
                i not in handed
                and future.done()
                and not future.cancelled()
                and future.exception() is None
            ):
                remove_private_dir(future.result().folder, shred=False)


def _unpack(path: Path, zf: zipfile.ZipFile, work: Path) -> OpenedBundle:
    infos = zf.infolist()
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise refused(f"{path}: the bundle lists a member twice")
    if MANIFEST not in names:  # told apart before any member name is judged
        raise InvalidBundleError(zip_without_manifest(path, names, MANIFEST))
    for info in infos:
        _check_member_name(path, info)
    minfo = zf.getinfo(MANIFEST)
    if minfo.file_size > _MAX_MANIFEST:
        raise refused(f"{path}: {MANIFEST} is too large")
    with zf.open(minfo) as fh:
        raw = fh.read(_MAX_MANIFEST + 1)
    if len(raw) > _MAX_MANIFEST:
        raise refused(f"{path}: {MANIFEST} is too large")
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise refused(f"{path}: {MANIFEST} is not valid JSON ({exc})") from exc
    _check_manifest(path, manifest)
    members: dict[str, Any] = manifest["members"]
    for name in names:
        if name != MANIFEST and name not in members:
            raise refused(f"{path}: member {name!r} is not in the manifest")
    if DB_MEMBER not in names:
        raise refused(f"{path}: the bundle has no {DB_MEMBER}")
    opened = OpenedBundle(path=path, manifest=manifest, folder=work, db_path=work / DB_MEMBER)
    (work / "media").mkdir()
    for name, meta in members.items():
        if name not in names:
            if name == DB_MEMBER:
                raise refused(f"{path}: the bundle has no {DB_MEMBER}")
            raise refused(f"{path}: {name!r} is in the manifest but missing")
        info = zf.getinfo(name)
        if info.file_size != meta["size"]:
            raise damaged(
                path,
                name,
                f"it is {info.file_size} bytes, not the {meta['size']} the manifest lists, so "
                "its sha256 checksum cannot match",
            )
        target = work / name
        extract_limited(path, zf, info, target, int(meta["size"]), str(meta["sha256"]))
        if name != DB_MEMBER:
            opened.media[name] = target
    return opened


def _check_member_name(path: Path, info: zipfile.ZipInfo) -> None:
    name = info.filename
    pure = PurePosixPath(name)
    if (
        not name
        or name.startswith(("/", "\\"))
        or "\\" in name
        or re.match(r"^[A-Za-z]:", name)
        or pure.is_absolute()
        or any(part in ("..", "") for part in name.split("/"))
    ):
        raise refused(f"{path}: unsafe member name {name!r}")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise refused(f"{path}: member {name!r} is a link")
    if info.is_dir():
        raise refused(f"{path}: unexpected folder entry {name!r}")
    if name not in (MANIFEST, DB_MEMBER) and not MEDIA_NAME.match(name):
        raise refused(f"{path}: unexpected member {name!r}")


def _check_manifest(path: Path, manifest: Any) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
        raise refused(f"{path} is not a FieldScribe bundle (wrong manifest format)")
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        # every FieldScribe wrote it: a manifest without it is damaged, not from the future
        raise refused(
            f"{path}: the manifest has no bundle format version (damaged?)",
            "Ask for the bundle to be exported again.",
        )
    if version > BUNDLE_FORMAT_VERSION:
        raise refused(
            f"{path} uses bundle format {version!r}, newer than this FieldScribe knows "
            f"({BUNDLE_FORMAT_VERSION})",
            "Update FieldScribe to merge it.",
        )
    members = manifest.get("members")
    if not isinstance(members, dict):
        raise refused(f"{path}: the manifest lists no members")
    for name, meta in members.items():
        if (
            not isinstance(meta, dict)
            or not isinstance(meta.get("size"), int)
            or meta["size"] < 0
            or not isinstance(meta.get("sha256"), str)
            or not re.fullmatch(r"[0-9a-f]{64}", meta["sha256"])
        ):
            raise refused(f"{path}: the manifest entry of {name!r} is invalid")
    for key in ("project_id", "coder"):
        if not isinstance(manifest.get(key), str):
            raise refused(f"{path}: the manifest has no {key}")
    schema = manifest.get("schema_version")
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        # every FieldScribe wrote a whole number from 1 (true is no schema 1): damaged
        raise refused(
            f"{path}: the manifest has no schema version (damaged?)",
            "Ask for the bundle to be exported again.",
        )
    if schema > SCHEMA_VERSION:  # said by the manifest: refused before anything is unpacked
        raise NewerSchemaError(
            refusal(
                f"{path} was written by a newer FieldScribe (schema {schema}, this version "
                f"knows {SCHEMA_VERSION})",
                "Update FieldScribe to merge it.",
            )
        )
