"""Bundles a new user brings that the team has not seen yet: a copy started from a bundle of an
older FieldScribe, bundles whose database has more than ours (a table, a column, an index),
a database damaged on the sender's disk (its checksum in the manifest is of the damaged file),
span codings past their segment's text, and the lead's merged bundle going back to the coders.
Each either merges as the plain bundle does or is refused in one line, the project unchanged.
"""

from __future__ import annotations

import shutil
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from storage import Project
from storage.core.schema import SCHEMA_VERSION
from storage.team.bundle import InvalidBundleError
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import dump, rebuild, team
from tests.test_bundle_robustness import _coded, _refused_by_cli, old_bundle


@pytest.mark.parametrize("n", [1, 3, 5, SCHEMA_VERSION - 1])
def test_a_copy_started_from_an_older_bundle_has_its_codings_and_codes_as_the_newcomer(
    tmp_path: Path, n: int
) -> None:
    lead, _segs, good = _coded(tmp_path)
    lead.close()
    old = old_bundle(good, tmp_path / f"schema{n}.fsbundle", n)
    copy = Project.from_bundle(old, tmp_path / "new.fieldscribe", coder="newbie")
    assert copy.schema_version == SCHEMA_VERSION
    assert sorted(c.coder for c in copy.codebook.codings()) == ["ann"] * 4
    assert (copy.coders.own, copy.team.lead) == ("newbie", "lead")
    copy.close()


_MORE: dict[str, Callable[[sqlite3.Connection], object]] = {
    "extra table": lambda c: c.execute("CREATE TABLE plugin_notes (id TEXT PRIMARY KEY, x TEXT)"),
    "extra coding column": lambda c: c.execute(
        "ALTER TABLE codings ADD COLUMN colour TEXT DEFAULT 'red'"
    ),
    "extra segment column": lambda c: c.execute("ALTER TABLE segments ADD COLUMN mood TEXT"),
    "extra index": lambda c: c.execute("CREATE INDEX codings_memo ON codings(memo)"),
}


@pytest.mark.parametrize("case", sorted(_MORE))
def test_a_bundle_with_more_than_our_schema_merges_as_the_plain_bundle(
    tmp_path: Path, case: str
) -> None:
    lead, _segs, good = _coded(tmp_path)
    lead.close()
    twin = tmp_path / "twin.fieldscribe"
    shutil.copytree(lead.folder, twin)
    more = rebuild(good, tmp_path / "more.fsbundle", db_change=_MORE[case])
    with Project.open(twin) as p:
        merge_bundles(p, [good])
    with Project.open(lead.folder) as p:
        (summary,) = merge_bundles(p, [more])
    assert summary.table("codings").added == 4
    assert dump(lead.folder, ignore_seq=True) == dump(twin, ignore_seq=True)


def _pages(db: Path, object_name: str) -> tuple[list[int], int]:
    """The pages of a table or index of ``db`` (in order), and the page size."""
    conn = sqlite3.connect(db)
    try:
        pages = [
            r[0]
            for r in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = ? ORDER BY pageno", (object_name,)
            )
        ]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat")
    finally:
        conn.close()
    return pages, size


def _damage(object_name: str) -> Callable[[Path], None]:
    """Overwrite the start (the b-tree header) of the first page of ``object_name``."""

    def damage(db: Path) -> None:
        pages, size = _pages(db, object_name)
        page = pages[0]
        data = bytearray(db.read_bytes())
        at = (page - 1) * size
        data[at : at + 100] = bytes(range(100))
        db.write_bytes(bytes(data))

    return damage


@pytest.mark.parametrize(
    "object_name", ["segments", "codes", "codings", "sqlite_autoindex_codings_1", "pseudonyms"]
)
def test_a_bundle_damaged_on_the_senders_disk_is_refused_in_one_line(
    tmp_path: Path, object_name: str
) -> None:
    """The sender's project.db had damaged pages when it was exported: the checksum matches,
    but the database is not whole. Before, a damaged table was refused as 'UNIQUE constraint
    failed: fs_touch_segments.rid' or as rows with an invalid id, and a damaged index or
    privacy table merged without a word."""
    lead, _segs, good = _coded(tmp_path)
    lead.close()
    bad = rebuild(good, tmp_path / "damaged.fsbundle", db_file_change=_damage(object_name))
    err = _refused_by_cli(lead.folder, bad)
    assert "project.db is damaged" in err and "exported again" in err and str(bad) in err


def _index_astray(db: Path) -> None:
    """Write one coding's id over another's in the codings' unique index only: every page
    stays well formed (``PRAGMA quick_check`` says ok), but a lookup by the first id finds
    nothing and the index holds one id twice."""
    conn = sqlite3.connect(db)
    ids = [r[0] for r in conn.execute("SELECT id FROM codings ORDER BY id")]
    conn.close()
    pages, size = _pages(db, "sqlite_autoindex_codings_1")
    data = bytearray(db.read_bytes())
    lost, twice = ids[1].encode(), ids[0].encode()
    assert len(lost) == len(twice)
    at = next(
        (p - 1) * size + data[(p - 1) * size : p * size].find(lost)
        for p in pages
        if lost in data[(p - 1) * size : p * size]
    )
    data[at : at + len(lost)] = twice
    db.write_bytes(bytes(data))
    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA quick_check").fetchone()[0] == "ok"


def test_a_bundle_whose_index_lost_a_row_is_refused_in_one_line(tmp_path: Path) -> None:
    """A unique index out of step with its table (a damaged or tampered file whose pages are
    each well formed): lookups by id miss a coding and the index holds another twice.
    ``quick_check`` does not compare an index with its table; before, such a bundle merged."""
    lead, _segs, good = _coded(tmp_path)
    lead.close()
    bad = rebuild(good, tmp_path / "astray.fsbundle", db_file_change=_index_astray)
    before = dump(lead.folder)
    err = _refused_by_cli(lead.folder, bad)
    assert "project.db is damaged" in err and "exported again" in err and str(bad) in err
    assert "index" in err
    assert dump(lead.folder) == before


def _spans_past_text(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE codings SET end_cp = 100000 WHERE start_cp IS NOT NULL")


def test_a_span_coding_past_its_segments_text_is_refused(tmp_path: Path) -> None:
    """Such a span marks words nobody said (coding refuses it); before, it merged as it was."""
    lead, _segs, good = _coded(tmp_path)
    lead.close()
    bad = rebuild(good, tmp_path / "past.fsbundle", db_change=_spans_past_text)
    with Project.open(lead.folder) as p, pytest.raises(InvalidBundleError, match="past the text"):
        merge_bundles(p, [bad])
    err = _refused_by_cli(lead.folder, bad)
    assert "1 span coding of the bundle ends past the text of its segment" in err


def _codings(project: Project) -> list[tuple[object, ...]]:
    return sorted(
        (c.id, c.segment_id, c.code_id, c.coder, c.start_cp, c.end_cp)
        for c in project.codebook.codings()
    )


def test_the_leads_merged_bundle_back_to_the_coders_brings_them_together(
    tmp_path: Path,
) -> None:
    """Ann and Bob code; the lead merges both and sends the merged bundle back. Each coder
    then has every coding once; their next bundles, and the lead's again, change nothing."""
    lead, segs, coders = team(tmp_path, "ann", "bob")
    for i, (name, coder) in enumerate(coders.items()):
        code = coder.codebook.ensure_code_path("Services/Health")
        coder.codebook.apply_code(segs[i], code.id)
        coder.codebook.apply_code(segs[3], code.id, start_cp=8, end_cp=14 + i)
        export_bundle(coder, tmp_path / f"{name}1.fsbundle")
    merge_bundles(lead, [tmp_path / "ann1.fsbundle", tmp_path / "bob1.fsbundle"])
    export_bundle(lead, tmp_path / "merged.fsbundle")
    assert len(_codings(lead)) == 4
    for name, coder in coders.items():
        merge_bundles(coder, [tmp_path / "merged.fsbundle"])
        assert _codings(coder) == _codings(lead), name
        once = dump(coder.folder)
        merge_bundles(coder, [tmp_path / "merged.fsbundle"])  # the same bundle twice
        assert dump(coder.folder) == once
        export_bundle(coder, tmp_path / f"{name}2.fsbundle")
    before = dump(lead.folder)
    merge_bundles(lead, [tmp_path / "ann2.fsbundle", tmp_path / "bob2.fsbundle"])
    assert dump(lead.folder) == before
    # the merged bundle as an older FieldScribe would have written it: the same
    old = old_bundle(tmp_path / "merged.fsbundle", tmp_path / "merged-old.fsbundle", 1)
    third = Project.from_bundle(old, tmp_path / "cy.fieldscribe", coder="cy")
    assert _codings(third) == _codings(lead)
    for project in (lead, third, *coders.values()):
        project.close()


def _zip(out: Path, members: dict[str, bytes | Path]) -> Path:
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members.items():
            if isinstance(data, Path):
                zf.write(data, name)
            else:
                zf.writestr(name, data)
    return out


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            "zipped project folder",
            "is a zipped FieldScribe project folder, not a bundle; nothing was changed. Export",
        ),
        (
            "zipped project contents",
            "is a zipped FieldScribe project folder, not a bundle; nothing was changed. Export",
        ),
        ("bundle zipped again", "is a zip holding a bundle ('ann.fsbundle'), not a bundle itself"),
        ("a document", "is not a FieldScribe bundle (a zip file without manifest.json)"),
        (
            "project folder",
            "is a FieldScribe project folder, not a bundle file; nothing was changed. Export",
        ),
        ("other folder", "is a folder, not a bundle file"),
    ],
)
def test_what_a_newcomer_gives_as_a_bundle_is_named_with_what_to_do(
    tmp_path: Path, case: str, expected: str
) -> None:
    """Before, a zipped project folder, a zipped bundle or a document was refused for an
    "unexpected member 'ann.fieldscribe/project.db'" (or 'project.lock', 'ann.fsbundle',
    '[Content_Types].xml'), and a project folder as "no such bundle file"."""
    lead, _segs, good = _coded(tmp_path)
    lead.close()
    ann = tmp_path / "ann.fieldscribe"
    files = {p.relative_to(ann).as_posix(): p for p in ann.rglob("*") if p.is_file()}
    if case == "zipped project folder":
        bad = _zip(tmp_path / "bad.fsbundle", {f"ann.fieldscribe/{n}": p for n, p in files.items()})
    elif case == "zipped project contents":
        bad = _zip(tmp_path / "bad.fsbundle", dict(files))
    elif case == "bundle zipped again":
        bad = _zip(tmp_path / "bad.fsbundle", {"ann.fsbundle": good})
    elif case == "a document":
        bad = _zip(
            tmp_path / "bad.fsbundle", {"[Content_Types].xml": b"<x/>", "word/document.xml": b""}
        )
    elif case == "project folder":
        bad = ann
    else:
        bad = tmp_path / "notes.fsbundle"
        bad.mkdir()
    err = _refused_by_cli(lead.folder, bad)
    assert expected in err and str(bad) in err


@pytest.mark.parametrize("version", [None, "1", 0, True, 2])
def test_a_manifest_without_a_format_version_is_damaged_not_newer(
    tmp_path: Path, version: object
) -> None:
    """Every FieldScribe wrote ``format_version``; before, a manifest without it (or with
    text there) was refused as 'bundle format None, newer than this FieldScribe knows; update
    FieldScribe', sending the user to update for nothing (and ``true`` was taken as 1). A
    newer format still says to update."""
    lead, _segs, good = _coded(tmp_path)
    lead.close()

    def change(manifest: dict[str, object]) -> None:
        if version is None:
            del manifest["format_version"]
        else:
            manifest["format_version"] = version

    bad = rebuild(good, tmp_path / "bad.fsbundle", manifest_change=change)
    err = _refused_by_cli(lead.folder, bad)
    if version == 2 and not isinstance(version, bool):
        assert "uses bundle format 2, newer than this FieldScribe knows (1)" in err
        assert "Update FieldScribe" in err
    else:
        assert "the manifest has no bundle format version" in err and "pdate" not in err


@pytest.mark.parametrize("version", [None, "3", 0, True, False, 1.5])
def test_a_manifest_without_a_whole_schema_version_is_damaged(
    tmp_path: Path, version: object
) -> None:
    """Every FieldScribe writes ``schema_version`` as a whole number from 1. Before, ``true``
    (and ``false``, 0) there were taken as a schema and merged, and a missing or text one was
    refused as 'the manifest has no schema version.' with nothing to do about it. A newer
    schema still says to update (``test_a_manifest_from_a_newer_fieldscribe_is_refused``)."""
    lead, _segs, good = _coded(tmp_path)
    lead.close()

    def change(manifest: dict[str, object]) -> None:
        if version is None:
            del manifest["schema_version"]
        else:
            manifest["schema_version"] = version

    bad = rebuild(good, tmp_path / "bad.fsbundle", manifest_change=change)
    with Project.open(lead.folder) as p, pytest.raises(InvalidBundleError, match="damaged"):
        merge_bundles(p, [bad])
    err = _refused_by_cli(lead.folder, bad)
    assert "the manifest has no schema version (damaged?)" in err and str(bad) in err
    assert "exported again" in err and "update" not in err
