"""Voice profiles travel in bundles (embeddings, never audio) unless left out on purpose."""

from __future__ import annotations

import array
import json
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cli import main as cli_main
from storage import Project
from storage.core.schema import applied_names
from storage.team.bundle import InvalidBundleError
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import dump, make_lead, rebuild

EMBEDDING = [0.25 * i - 1.0 for i in range(16)]


def _lead_with_profile(tmp_path: Path) -> tuple[Project, str]:
    lead, _segs = make_lead(tmp_path, n_segments=2)
    profile = lead.speakers.add_speaker_profile("Voice A", EMBEDDING, "test-model", source_ms=1500)
    return lead, profile.id


def _profile_rows(folder: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(folder / "project.db")
    try:
        return conn.execute(
            "SELECT id, name, embedding, dim, model, source_ms, created_by, created_at, "
            "updated_at FROM speaker_profiles ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


def test_new_project_gets_the_profile_trigger_migration(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.fieldscribe", coder="lead") as p:
        assert "0005_speaker_profiles_travel" in applied_names(p.db)
        triggers = {
            r[0] for r in p.store.rows("SELECT name FROM sqlite_master WHERE type='trigger'")
        }
        assert "speaker_profiles_version_history" in triggers
        assert "memos_version_history" in triggers


def test_profile_travels_with_same_id_and_embedding(tmp_path: Path) -> None:
    lead, pid = _lead_with_profile(tmp_path)
    info = export_bundle(lead, tmp_path / "lead.fsbundle")
    assert info.counts["speaker_profiles"] == 1
    assert info.manifest["voice_profiles"] is True
    with Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "a", coder="alice") as a:
        got = a.speakers.get_speaker_profile(pid)
        assert got.name == "Voice A" and got.model == "test-model" and got.source_ms == 1500
        assert got.embedding == pytest.approx(EMBEDDING)
    assert _profile_rows(tmp_path / "a") == _profile_rows(lead.folder)
    lead.close()


def test_merging_profiles_twice_is_idempotent_and_edits_travel(tmp_path: Path) -> None:
    lead, pid = _lead_with_profile(tmp_path)
    other = Project.create(tmp_path / "other", coder="bob")
    export_bundle(lead, tmp_path / "lead.fsbundle")
    merge_bundles(other, [tmp_path / "lead.fsbundle"], allow_other_project=True)
    other.close()
    before = dump(tmp_path / "other")
    with Project.open(tmp_path / "other") as again:
        summary = merge_bundles(again, [tmp_path / "lead.fsbundle"], allow_other_project=True)
        assert summary[0].tables["speaker_profiles"].added == 0
    assert dump(tmp_path / "other") == before
    # a rename on the lead's side travels as an update; a deletion travels as a tombstone
    lead.speakers.update_speaker_profile(pid, name="Voice B")
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    with Project.open(tmp_path / "other") as p:
        summary = merge_bundles(p, [tmp_path / "lead2.fsbundle"], allow_other_project=True)
        assert summary[0].tables["speaker_profiles"].updated == 1
        assert p.speakers.get_speaker_profile(pid).name == "Voice B"
        assert p.speakers.get_speaker_profile(pid).embedding == pytest.approx(EMBEDDING)
    lead.speakers.delete_speaker_profile(pid)
    export_bundle(lead, tmp_path / "lead3.fsbundle")
    with Project.open(tmp_path / "other") as p:
        merge_bundles(p, [tmp_path / "lead3.fsbundle"], allow_other_project=True)
        assert p.speakers.speaker_profiles() == []
    lead.close()


def test_no_voice_profiles_leaves_them_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lead, pid = _lead_with_profile(tmp_path)
    lead.close()
    d = str(tmp_path)
    assert cli_main(["bundle", "export", f"{d}/lead.fieldscribe", "-o", f"{d}/l.fsbundle",
                     "--no-voice-profiles", "--json"]) == 0  # fmt: skip
    manifest = json.loads(capsys.readouterr().out)["manifest"]
    assert manifest["counts"]["speaker_profiles"] == 0
    assert manifest["voice_profiles"] is False
    blob = array.array("f", EMBEDDING).tobytes()
    assert blob not in (tmp_path / "l.fsbundle").read_bytes()  # not even in a freed page
    with Project.from_bundle(tmp_path / "l.fsbundle", tmp_path / "a", coder="alice") as a:
        assert a.speakers.speaker_profiles() == []
    # the default export does carry it
    assert cli_main(["bundle", "export", f"{d}/lead.fieldscribe", "-o", f"{d}/m.fsbundle"]) == 0
    assert "1 voice profile)" in capsys.readouterr().out
    with Project.from_bundle(tmp_path / "m.fsbundle", tmp_path / "b", coder="bob") as b:
        assert [p.id for p in b.speakers.speaker_profiles()] == [pid]


def _set(sql: str, *params: object) -> Callable[[sqlite3.Connection], None]:
    def change(conn: sqlite3.Connection) -> None:
        conn.execute(sql, params)

    return change


_NAN = array.array("f", [float("nan")] * 16)
if sys.byteorder == "big":  # pragma: no cover
    _NAN.byteswap()

BAD_EMBEDDINGS = {
    "not a multiple of 4": (
        _set("UPDATE speaker_profiles SET embedding = x'000000000000'"),
        "invalid embedding",
    ),
    "length differs from dim": (
        _set("UPDATE speaker_profiles SET dim = 3"),
        "invalid embedding",
    ),
    "too large": (
        _set(
            "UPDATE speaker_profiles SET embedding = zeroblob(4 * 100000), dim = 100000",
        ),
        "invalid embedding",
    ),
    "text instead of bytes": (
        _set("UPDATE speaker_profiles SET embedding = 'hello'"),
        "invalid 'embedding'",
    ),
    "not finite": (
        _set("UPDATE speaker_profiles SET embedding = ?", _NAN.tobytes()),
        "not finite",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_EMBEDDINGS))
def test_malformed_embedding_is_refused_and_changes_nothing(tmp_path: Path, case: str) -> None:
    lead, _pid = _lead_with_profile(tmp_path)
    export_bundle(lead, tmp_path / "good.fsbundle")
    lead.close()
    target = Project.create(tmp_path / "target", coder="bob")
    target.close()
    change, message = BAD_EMBEDDINGS[case]
    bad = rebuild(tmp_path / "good.fsbundle", tmp_path / "bad.fsbundle", db_change=change)
    before = dump(tmp_path / "target")
    with Project.open(tmp_path / "target") as p, pytest.raises(InvalidBundleError, match=message):
        merge_bundles(p, [bad], allow_other_project=True)
    assert dump(tmp_path / "target") == before
    with pytest.raises(InvalidBundleError, match=message):
        Project.from_bundle(bad, tmp_path / "fresh", coder="carl")
    assert not (tmp_path / "fresh").exists()
