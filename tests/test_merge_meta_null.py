"""A bundle's ``project_meta`` value may be NULL (bundles are untrusted; an older or other
writer): the merge reads it as no value, as the lead reader does, never as the text "None"."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage import Project
from storage.core.meta import read_meta
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import rebuild, team

LATER = "2999-01-01T00:00:00.000Z"


def _nulls(*keys: str):  # type: ignore[no-untyped-def]
    def change(conn: sqlite3.Connection) -> None:
        for key in keys:
            conn.execute(
                "INSERT INTO project_meta (key, value) VALUES (?, NULL) "
                "ON CONFLICT(key) DO UPDATE SET value = NULL",
                (key,),
            )
            conn.execute(
                "INSERT INTO project_meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (f"{key}:changed", LATER),
            )

    return change


@pytest.mark.parametrize("key", ["model", "languages", "numbers"])
def test_a_null_setting_in_a_bundle_is_no_setting(tmp_path: Path, key: str) -> None:
    lead, _segs, coders = team(tmp_path, "ann")
    lead.set_model("base")
    ann = coders["ann"]
    export_bundle(ann, tmp_path / "ann.fsbundle")
    ann.close()
    bad = rebuild(tmp_path / "ann.fsbundle", tmp_path / "null.fsbundle", db_change=_nulls(key))
    before = lead.get_meta(key)
    (summary,) = merge_bundles(lead, [bad])
    assert summary.settings == {}
    assert lead.get_meta(key) == before and lead.get_meta(key) != "None"
    assert lead.model == "base"
    lead.close()


def test_a_copy_from_a_bundle_with_null_settings_takes_none_of_them(tmp_path: Path) -> None:
    lead, _segs = team(tmp_path)[:2]
    lead.close()
    bad = rebuild(
        tmp_path / "lead.fsbundle",
        tmp_path / "null.fsbundle",
        db_change=_nulls("model", "blind_coding", "lead"),
    )
    copy = Project.from_bundle(bad, tmp_path / "copy.fieldscribe", coder="cy")
    meta = copy.metadata()
    assert "None" not in meta.values()
    assert copy.model is None and copy.team.blind_coding is False and copy.team.lead is None
    copy.close()


def test_read_meta_reads_null_and_missing_as_none(tmp_path: Path) -> None:
    lead = team(tmp_path)[0]
    lead.close()
    conn = sqlite3.connect(tmp_path / "lead.fieldscribe" / "project.db")
    conn.execute("INSERT INTO project_meta (key, value) VALUES ('empty', NULL)")
    assert read_meta(conn, "main", "empty") is None
    assert read_meta(conn, "main", "absent") is None
    assert read_meta(conn, "main", "project_id")
    conn.close()
