"""Bundles: export, start from a bundle, merge rules, refusals of untrusted bundles."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from cli import main as cli_main
from storage import SCHEMA_VERSION, NewerSchemaError, Project, SegmentDraft
from storage.team.bundle import InvalidBundleError
from storage.team.bundle_export import export_bundle
from storage.team.bundle_open import open_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import dump, make_lead, rebuild, team

ROOT = Path(__file__).resolve().parent.parent


def _reopen(project: Project) -> Project:
    folder = project.folder
    project.close()
    return Project.open(folder)


# --------------------------------------------------------------------------- export / new
def test_export_writes_manifest_and_a_plain_sqlite_snapshot(tmp_path: Path) -> None:
    lead, segs = make_lead(tmp_path)
    code = lead.codebook.find_code("Services/Health")
    assert code is not None
    lead.codebook.apply_code(segs[0], code.id)
    info = export_bundle(lead, tmp_path / "lead.fsbundle")
    lead.close()
    with zipfile.ZipFile(tmp_path / "lead.fsbundle") as zf:
        assert sorted(zf.namelist()) == ["manifest.json", "project.db"]
        manifest = json.loads(zf.read("manifest.json"))
        zf.extract("project.db", tmp_path / "unzipped")
    assert manifest == info.manifest
    assert manifest["coder"] == "lead"
    assert manifest["counts"]["segments"] == 6
    assert manifest["counts"]["codings"] == 1
    assert manifest["schema_version"] == SCHEMA_VERSION
    db = tmp_path / "unzipped" / "project.db"
    import hashlib

    assert (
        hashlib.sha256(db.read_bytes()).hexdigest() == manifest["members"]["project.db"]["sha256"]
    )
    conn = sqlite3.connect(db)  # any SQLite tool opens it
    kinds = conn.execute("SELECT type, name FROM sqlite_master").fetchall()
    assert not [k for k in kinds if k[0] in ("trigger", "view")]
    assert "segments_fts" not in {name for _, name in kinds}
    assert conn.execute("SELECT count(*) FROM segments").fetchone()[0] == 6
    conn.close()


def test_a_coders_copy_transcribes_as_the_leads_project_does(tmp_path: Path) -> None:
    """The lead's languages, model and numbers come with the bundle a coder starts from (a
    copy that expected no language identified Kazakh among all of Whisper's languages)."""
    lead, _segs = make_lead(tmp_path)
    lead.set_languages("ru,kk")
    lead.set_model("base")
    lead.set_numbers("digits")
    export_bundle(lead, tmp_path / "lead.fsbundle")
    coder = Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "a.fieldscribe", coder="a")
    assert (coder.languages, coder.model, coder.numbers) == (["ru", "kk"], "base", "digits")
    coder.close()
    lead.close()


def test_the_newest_change_of_a_project_setting_travels_with_bundles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The lead adds English to the project's languages after the coders started: a coder who
    merges the lead's bundle gets it, and the lead does not get back the older value from the
    coder's bundle; a bundle's unusable value (tampered) is left out."""
    lead, _segs, coders = team(tmp_path, "alice")
    alice = coders["alice"]
    alice.set_numbers("digits")  # alice's own change, before the lead's
    lead.set_languages("ru,kk,en")
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    export_bundle(alice, tmp_path / "alice.fsbundle")
    (summary,) = merge_bundles(alice, [tmp_path / "lead2.fsbundle"])
    assert summary.settings == {"languages": "ru,kk,en"}
    assert (alice.languages, alice.numbers) == (["ru", "kk", "en"], "digits")
    (summary,) = merge_bundles(lead, [tmp_path / "alice.fsbundle"])
    assert summary.settings == {"numbers": "digits"}  # newer there; languages newer here
    assert (lead.languages, lead.numbers) == (["ru", "kk", "en"], "digits")
    # merging the same bundle again changes nothing
    (summary,) = merge_bundles(lead, [tmp_path / "alice.fsbundle"])
    assert summary.settings == {}
    # a tampered bundle: an unknown language code, a model folder of another machine
    alice.set_meta("languages", "ru,klingon")
    alice.set_meta("languages:changed", "2999-01-01T00:00:00.000Z")
    alice.set_meta("model", "/home/alice/models/evil")
    alice.set_meta("model:changed", "2999-01-01T00:00:00.000Z")
    export_bundle(alice, tmp_path / "alice2.fsbundle")
    (summary,) = merge_bundles(lead, [tmp_path / "alice2.fsbundle"])
    assert summary.settings == {} and lead.languages == ["ru", "kk", "en"] and lead.model is None
    lead.close()
    alice.close()
    # the command line says what it took
    bob = Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "bob.fieldscribe", coder="b")
    assert bob.languages == []  # the lead set none at first
    bob.close()
    assert (
        cli_main(
            ["bundle", "merge", str(tmp_path / "bob.fieldscribe"), str(tmp_path / "lead2.fsbundle")]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "project settings changed there later, now here: languages ru,kk,en" in out


def test_saving_a_setting_unchanged_does_not_make_it_newer(tmp_path: Path) -> None:
    """Project settings saved without a change (OK in the dialog) must not stamp the
    settings: the lead's later real change of the model still reaches the coder."""
    lead, _segs, coders = team(tmp_path, "alice")
    alice = coders["alice"]
    lead.set_model("small")
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    stamps = {k: alice.get_meta(f"{k}:changed") for k in ("languages", "model", "numbers")}
    alice.set_languages(alice.languages)  # the dialog saves all three as they were
    alice.set_model(alice.model)
    alice.set_model("auto")
    alice.set_numbers(alice.numbers)
    assert {k: alice.get_meta(f"{k}:changed") for k in stamps} == stamps
    (summary,) = merge_bundles(alice, [tmp_path / "lead2.fsbundle"])
    assert summary.settings == {"model": "small"} and alice.model == "small"
    alice.set_numbers("digits")  # a real change is stamped
    assert alice.get_meta("numbers:changed") is not None and alice.numbers == "digits"
    lead.close()
    alice.close()


def test_new_from_bundle_keeps_ids_and_rebuilds_search(tmp_path: Path) -> None:
    lead, segs = make_lead(tmp_path)
    lead.team.set_blind_coding(True)
    export_bundle(lead, tmp_path / "lead.fsbundle")
    coder = Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "a.fieldscribe", coder="a")
    assert coder.id == lead.id
    assert coder.coder == "a" and coder.get_meta("owner") == "a"
    assert [s.id for s in coder.sessions.all()] == [s.id for s in lead.sessions.all()]
    assert [c.id for c in coder.codebook.codes()] == [c.id for c in lead.codebook.codes()]
    session_id = lead.sessions.all()[0].id
    assert [s.text for s in coder.transcript.segments(session_id)] == [
        s.text for s in lead.transcript.segments(session_id)
    ]
    assert {h.segment_id for h in coder.transcript.search("clinics")} == set(segs)
    assert coder.team.blind_coding is True
    coder.close()
    lead.close()


def test_new_from_bundle_with_media(tmp_path: Path) -> None:
    wav = tmp_path / "tone.wav"
    subprocess.run(
        ["sox", "-n", "-r", "16000", "-c", "1", str(wav), "synth", "0.5", "sine", "440"],
        check=True,
    )
    lead = Project.create(tmp_path / "lead.fieldscribe", coder="lead")
    session = lead.sessions.import_audio(wav, title="Tone")
    export_bundle(lead, tmp_path / "with.fsbundle", with_media=True)
    export_bundle(lead, tmp_path / "without.fsbundle")
    with zipfile.ZipFile(tmp_path / "with.fsbundle") as zf:
        assert any(n.startswith("media/") for n in zf.namelist())
    a = Project.from_bundle(tmp_path / "with.fsbundle", tmp_path / "a.fieldscribe", coder="a")
    assert a.sessions.media_path(session.id).read_bytes() == wav.read_bytes()
    b = Project.from_bundle(tmp_path / "without.fsbundle", tmp_path / "b.fieldscribe", coder="b")
    assert b.sessions.media_for_session(session.id)  # the row travels, the audio does not
    assert not (b.folder / b.sessions.media_for_session(session.id)[0].path).exists()
    for p in (a, b, lead):
        p.close()


def test_cli_new_from_bundle_export_and_merge(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lead, segs = make_lead(tmp_path)
    lead.close()
    d = str(tmp_path)
    assert cli_main(["bundle", "export", f"{d}/lead.fieldscribe", "-o", f"{d}/l.fsbundle"]) == 0
    assert cli_main(["new", f"{d}/a.fieldscribe", "--from-bundle", f"{d}/l.fsbundle",
                     "--coder", "alice"]) == 0  # fmt: skip
    assert (
        cli_main(["code", f"{d}/a.fieldscribe", "--segment", segs[1], "--code", "Services/Health"])
        == 0
    )
    assert cli_main(["bundle", "export", f"{d}/a.fieldscribe", "-o", f"{d}/a.fsbundle"]) == 0
    capsys.readouterr()
    assert cli_main(["bundle", "merge", f"{d}/lead.fieldscribe", f"{d}/a.fsbundle", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["bundles"][0]["tables"]["codings"]["added"] == 1
    assert out["bundles"][0]["coder"] == "alice"
    with Project.open(tmp_path / "lead.fieldscribe") as project:
        assert [c.coder for c in project.codebook.codings()] == ["alice"]


# --------------------------------------------------------------------------- merge rules
def test_merge_is_idempotent_and_keeps_coders(tmp_path: Path) -> None:
    lead, segs, coders = team(tmp_path, "alice")
    alice = coders["alice"]
    code = alice.codebook.find_code("Services/Health")
    assert code is not None
    alice.codebook.apply_code(segs[0], code.id)
    alice.codebook.apply_code(segs[2], code.id, start_cp=0, end_cp=7)
    alice.transcript.update_segment(segs[3], text="corrected by alice")
    export_bundle(alice, tmp_path / "a.fsbundle")
    (summary,) = merge_bundles(lead, [tmp_path / "a.fsbundle"])
    assert summary.tables["codings"].added == 2
    assert summary.tables["segments"].updated == 1
    assert lead.transcript.get_segment(segs[3]).text == "corrected by alice"
    assert {c.coder for c in lead.codebook.codings()} == {"alice"}
    assert lead.transcript.search("corrected")[0].segment_id == segs[3]
    lead = _reopen(lead)
    before = dump(lead.folder)
    (again,) = merge_bundles(lead, [tmp_path / "a.fsbundle"])
    assert again.conflicts == 0 and again.tables["codings"].added == 0
    lead.close()
    assert dump(lead.folder) == before
    alice.close()


def _scenario(tmp_path: Path) -> tuple[Project, list[str], Path, Path]:
    lead, segs, coders = team(tmp_path, "alice", "bob")
    a, b = coders["alice"], coders["bob"]
    code_a = a.codebook.find_code("Services/Health")
    assert code_a is not None
    a.codebook.apply_code(segs[0], code_a.id)
    a.transcript.update_segment(segs[1], text="alice's version")
    a.transcript.update_segment(segs[2], speaker="Moderator")
    # versions are millisecond timestamps: two coders' edits of one row in the same
    # millisecond would be one version with two authors (the test ran that fast on CI)
    time.sleep(0.005)
    b.codebook.apply_code(segs[0], code_a.id)
    b.transcript.update_segment(segs[1], text="bob's version", speaker="S2")
    extra = b.codebook.add_code("Transport")
    b.codebook.apply_code(segs[4], extra.id)
    b.transcript.delete_segment(segs[5])
    export_bundle(a, tmp_path / "a.fsbundle")
    export_bundle(b, tmp_path / "b.fsbundle")
    a.close()
    b.close()
    return lead, segs, tmp_path / "a.fsbundle", tmp_path / "b.fsbundle"


def test_merge_is_order_independent_and_keeps_both_versions(tmp_path: Path) -> None:
    lead, segs, bundle_a, bundle_b = _scenario(tmp_path)
    lead.close()
    copy = tmp_path / "copy.fieldscribe"
    shutil.copytree(lead.folder, copy)
    with Project.open(lead.folder) as p1:
        merge_bundles(p1, [bundle_a, bundle_b])
        conflicts = p1.team.conflicts()
        assert len(conflicts) == 1
        conflict = conflicts[0]
        assert conflict.row_id == segs[1] and conflict.kind == "edit"
        texts = {v.author: v.values["text"] for v in conflict.versions}
        assert texts == {"alice": "alice's version", "bob": "bob's version"}
        assert p1.transcript.get_segment(segs[2]).speaker == "Moderator"  # one side only: taken
        with pytest.raises(Exception, match="No segment"):
            p1.transcript.get_segment(segs[5])  # deletion travelled
        assert len(p1.codebook.codings()) == 3
    with Project.open(copy) as p2:
        merge_bundles(p2, [bundle_b, bundle_a])
    one, two = dump(lead.folder, ignore_seq=True), dump(copy, ignore_seq=True)
    one.pop("project_meta")
    two.pop("project_meta")
    assert one == two


def test_resolving_a_conflict_sticks_when_bundles_come_again(tmp_path: Path) -> None:
    lead, segs, bundle_a, bundle_b = _scenario(tmp_path)
    merge_bundles(lead, [bundle_a, bundle_b])
    (conflict,) = lead.team.conflicts()
    keep = next(i for i, v in enumerate(conflict.versions) if v.author == "alice")
    resolved = lead.team.resolve_conflict(conflict.id, keep=keep)
    assert resolved.status == "resolved"
    assert lead.transcript.get_segment(segs[1]).text == "alice's version"
    assert lead.transcript.search("alice's")[0].segment_id == segs[1]
    merge_bundles(lead, [bundle_b, bundle_a])
    assert lead.team.conflicts() == []
    assert lead.transcript.get_segment(segs[1]).text == "alice's version"
    lead.close()


def test_resolve_with_edited_text(tmp_path: Path) -> None:
    lead, segs, bundle_a, bundle_b = _scenario(tmp_path)
    merge_bundles(lead, [bundle_a, bundle_b])
    (conflict,) = lead.team.conflicts()
    lead.team.resolve_conflict(conflict.id, values={"text": "agreed text", "speaker": "S1"})
    seg = lead.transcript.get_segment(segs[1])
    assert (seg.text, seg.speaker) == ("agreed text", "S1")
    with pytest.raises(Exception, match="already resolved"):
        lead.team.resolve_conflict(conflict.id, keep=0)
    lead.close()


def test_deleted_code_with_codings_elsewhere_is_a_conflict_in_both_orders(tmp_path: Path) -> None:
    lead, segs, coders = team(tmp_path, "alice", "bob")
    a, b = coders["alice"], coders["bob"]
    code = a.codebook.find_code("Services/Health")
    assert code is not None
    a.codebook.delete_code(code.id)  # alice drops it (and its parent stays)
    b.codebook.apply_code(segs[0], code.id)  # bob used it
    export_bundle(a, tmp_path / "a.fsbundle")
    export_bundle(b, tmp_path / "b.fsbundle")
    a.close()
    b.close()
    lead.close()
    copy = tmp_path / "copy.fieldscribe"
    shutil.copytree(lead.folder, copy)
    for folder, order in ((lead.folder, ("a", "b")), (copy, ("b", "a"))):
        with Project.open(folder) as p:
            merge_bundles(p, [tmp_path / f"{x}.fsbundle" for x in order])
            (conflict,) = p.team.conflicts()
            assert conflict.kind == "delete" and conflict.row_id == code.id
            assert any(v.deleted and v.author == "alice" for v in conflict.versions)
            assert p.codebook.get_code(code.id).path == "Services/Health"
            assert len(p.codebook.codings(code_id=code.id)) == 1
    one, two = dump(lead.folder, ignore_seq=True), dump(copy, ignore_seq=True)
    one.pop("project_meta")
    two.pop("project_meta")
    assert one == two
    with Project.open(lead.folder) as p:
        (conflict,) = p.team.conflicts()
        deleted = next(i for i, v in enumerate(conflict.versions) if v.deleted)
        p.team.resolve_conflict(conflict.id, keep=deleted)
        assert p.codebook.find_code("Services/Health") is None
        assert p.codebook.codings() == []


def test_deleted_code_without_other_codings_is_deleted(tmp_path: Path) -> None:
    lead, _segs, coders = team(tmp_path, "alice")
    a = coders["alice"]
    code = a.codebook.find_code("Services/Health")
    assert code is not None
    a.codebook.delete_code(code.id)
    export_bundle(a, tmp_path / "a.fsbundle")
    (summary,) = merge_bundles(lead, [tmp_path / "a.fsbundle"])
    assert summary.tables["codes"].deleted == 1
    assert lead.codebook.find_code("Services/Health") is None
    assert lead.team.conflicts() == []
    lead.close()
    a.close()


def test_a_segment_deleted_by_a_teammate_but_redacted_here_is_a_conflict(tmp_path: Path) -> None:
    """Redactions never travel: a bundle that deleted a segment redacted here was refused with
    "rows that exist neither in the bundle nor in this project". The deletion is now a conflict
    like one over a coded segment: the segment and its redaction stay until a person decides."""
    lead, segs, coders = team(tmp_path, "alice")
    a = coders["alice"]
    a.transcript.delete_segment(segs[2])
    export_bundle(a, tmp_path / "a.fsbundle")
    a.close()
    hidden = lead.redactions.redact(segs[2], 0, 4)
    (summary,) = merge_bundles(lead, [tmp_path / "a.fsbundle"])
    assert summary.tables["segments"].conflicts == 1
    (conflict,) = lead.team.conflicts()
    assert conflict.kind == "delete" and conflict.row_id == segs[2]
    assert [r.id for r in lead.redactions.all(segment_id=segs[2])] == [hidden.id]
    # keeping the deletion deletes the segment, and its redaction with the words it hid
    deleted = next(i for i, v in enumerate(conflict.versions) if v.deleted)
    lead.team.resolve_conflict(conflict.id, keep=deleted)
    assert segs[2] not in [s.id for s in lead.transcript.segments(lead.sessions.all()[0].id)]
    assert lead.redactions.all(segment_id=segs[2]) == []
    lead.close()


def test_same_name_codes_kept_apart_on_request_then_merged(tmp_path: Path) -> None:
    lead, segs, coders = team(tmp_path, "alice", "bob")
    for name, seg in (("alice", segs[0]), ("bob", segs[1])):
        p = coders[name]
        code = p.codebook.ensure_code_path("Emotions/Trust")
        p.codebook.apply_code(seg, code.id)
        export_bundle(p, tmp_path / f"{name}.fsbundle")
        p.close()
    summaries = merge_bundles(
        lead, [tmp_path / "alice.fsbundle", tmp_path / "bob.fsbundle"], merge_same_name=False
    )
    assert [p for p, _ in summaries[1].same_name_codes] == ["Emotions", "Emotions/Trust"]
    assert len([c for c in lead.codebook.codes() if c.path == "Emotions/Trust"]) == 2
    lead.close()
    with Project.open(tmp_path / "lead.fieldscribe") as p:
        merge_bundles(p, [tmp_path / "bob.fsbundle"], merge_same_name=True)
        trust = [c for c in p.codebook.codes() if c.path == "Emotions/Trust"]
        assert len(trust) == 1
        assert {c.coder for c in p.codebook.codings(code_id=trust[0].id)} == {"alice", "bob"}


def test_other_project_is_refused_unless_asked(tmp_path: Path) -> None:
    lead, _ = make_lead(tmp_path)
    other = Project.create(tmp_path / "other.fieldscribe", coder="x")
    other.sessions.add_session("Elsewhere")
    export_bundle(other, tmp_path / "other.fsbundle")
    other.close()
    lead.close()
    before = dump(lead.folder)
    with (
        Project.open(lead.folder) as p,
        pytest.raises(InvalidBundleError, match=r"another project.*--allow-other-project"),
    ):
        merge_bundles(p, [tmp_path / "other.fsbundle"])
    assert dump(lead.folder) == before
    with Project.open(lead.folder) as p:
        merge_bundles(p, [tmp_path / "other.fsbundle"], allow_other_project=True)
        assert "Elsewhere" in [s.title for s in p.sessions.all()]


def test_since_bundle_carries_only_recent_changes(tmp_path: Path) -> None:
    lead, segs, coders = team(tmp_path, "alice")
    a = coders["alice"]
    code = a.codebook.find_code("Services/Health")
    assert code is not None
    a.codebook.apply_code(segs[0], code.id)
    info = export_bundle(a, tmp_path / "a.fsbundle", since="2000-01-01")
    assert info.counts["codings"] == 1
    info = export_bundle(a, tmp_path / "a2.fsbundle", since="2999-01-01")
    assert info.counts["segments"] == 0 and info.counts["codings"] == 0
    merge_bundles(lead, [tmp_path / "a.fsbundle"])
    assert len(lead.codebook.codings()) == 1
    lead.close()
    a.close()


def test_blind_coding_hides_other_coders(tmp_path: Path) -> None:
    lead, segs = make_lead(tmp_path)
    code = lead.codebook.find_code("Services/Health")
    assert code is not None
    lead.codebook.apply_code(segs[0], code.id, coder="alice")
    lead.codebook.apply_code(segs[0], code.id, coder="bob")
    assert len(lead.team.visible_codings(segment_id=segs[0])) == 2
    lead.team.set_blind_coding(True)
    lead.coders.use("alice")
    assert [c.coder for c in lead.team.visible_codings(segment_id=segs[0])] == ["alice"]
    lead.team.set_blind_coding(False)
    assert len(lead.team.visible_codings()) == 2
    lead.close()


# --------------------------------------------------------------------------- refusals
def _good(tmp_path: Path) -> tuple[Path, Path]:
    lead, segs, coders = team(tmp_path, "alice")
    a = coders["alice"]
    code = a.codebook.find_code("Services/Health")
    assert code is not None
    a.codebook.apply_code(segs[0], code.id)
    export_bundle(a, tmp_path / "good.fsbundle")
    a.close()
    lead.close()
    return lead.folder, tmp_path / "good.fsbundle"


def _link_entry() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("media/link.wav")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


BAD_CASES = {
    "absolute path": (dict(extra=[("/etc/evil", b"x")]), "unsafe member name"),
    "dot-dot": (dict(extra=[("media/../../evil", b"x")]), "unsafe member name"),
    "link": (dict(extra=[(_link_entry(), b"/etc/passwd")]), "is a link"),
    "unlisted": (dict(extra=[("media/extra.wav", b"x")]), "not in the manifest"),
    "size": (
        dict(manifest_change=lambda m: m["members"]["project.db"].update(size=10)),
        r"project.db is damaged .it is \d+ bytes, not the 10 the manifest lists, so its sha256 "
        r"checksum cannot match.; nothing was changed",
    ),
    "checksum": (
        dict(manifest_change=lambda m: m["members"]["project.db"].update(sha256="0" * 64)),
        r"project.db is damaged .it does not match the sha256 checksum the manifest lists.; "
        "nothing was changed",
    ),
    "trigger": (
        dict(
            db_change=lambda c: c.execute(
                "CREATE TRIGGER t AFTER INSERT ON codes BEGIN DELETE FROM codes; END"
            )
        ),
        "has a trigger",
    ),
    "view": (dict(db_change=lambda c: c.execute("CREATE VIEW v AS SELECT 1")), "has a view"),
    "bad type": (
        dict(db_change=lambda c: c.execute("UPDATE segments SET start_ms = 'soon'")),
        "invalid 'start_ms'",
    ),
    "check": (
        dict(db_change=lambda c: c.execute("UPDATE segments SET end_ms = 0, start_ms = 500")),
        "invalid CHECK \\(end_ms >= start_ms\\)",
    ),
    "coding check": (  # codings are checked ahead, in the unpacking thread, then again
        dict(db_change=lambda c: c.execute("UPDATE codings SET start_cp = 5, end_cp = 2")),
        "invalid CHECK \\(\\(start_cp IS NULL",
    ),
    "coding type": (
        dict(db_change=lambda c: c.execute("UPDATE codings SET coder = x'00'")),
        "invalid 'coder'",
    ),
    "dangling": (
        dict(db_change=lambda c: c.execute("UPDATE codings SET segment_id = 'nowhere'")),
        "exist neither in the bundle nor",
    ),
    "other manifest project": (
        dict(manifest_change=lambda m: m.update(project_id="someone-else")),
        "different projects",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_bundles_are_refused_and_change_nothing(tmp_path: Path, case: str) -> None:
    folder, good = _good(tmp_path)
    kwargs, message = BAD_CASES[case]
    bad = rebuild(good, tmp_path / "bad.fsbundle", **kwargs)  # type: ignore[arg-type]
    before = dump(folder)
    with Project.open(folder) as p, pytest.raises(InvalidBundleError, match=message):
        merge_bundles(p, [bad])
    assert dump(folder) == before
    assert not list((folder / "media").iterdir())


def test_bundle_from_the_future_is_refused(tmp_path: Path) -> None:
    folder, good = _good(tmp_path)

    def future(conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('fieldscribe', '0099_future', '2030-01-01')"
        )
        conn.execute("PRAGMA user_version = 99")

    bad = rebuild(good, tmp_path / "future.fsbundle", db_change=future)
    before = dump(folder)
    with Project.open(folder) as p, pytest.raises(NewerSchemaError, match="newer FieldScribe"):
        merge_bundles(p, [bad])
    assert dump(folder) == before


def _as_before_speaker_turns(conn: sqlite3.Connection) -> None:
    """Make an exported bundle look like one from FieldScribe before migration 0006."""
    conn.execute("DROP TABLE speaker_turns")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0006_speaker_turns'")
    conn.execute("PRAGMA user_version = 5")


def test_bundle_from_an_older_version_is_brought_up_to_date(tmp_path: Path) -> None:
    """A coder who has not updated FieldScribe yet: the bundle lacks the newer tables; it merges
    (and starts a project) all the same, with those tables empty."""
    folder, good = _good(tmp_path)
    old = rebuild(good, tmp_path / "old.fsbundle", db_change=_as_before_speaker_turns)
    with Project.open(folder) as p:
        (summary,) = merge_bundles(p, [old])
        assert summary.tables["codings"].added == 1
        assert len(p.codebook.codings(coder="alice")) == 1
    # the bundle file itself is untouched
    with zipfile.ZipFile(old) as zf:
        data = zf.read("project.db")
    copy = tmp_path / "old-copy.db"
    copy.write_bytes(data)
    with sqlite3.connect(copy) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "speaker_turns" not in names
    # unpacked, the copy was made writable to be upgraded, then read-only again
    with open_bundle(old) as opened:
        assert stat.S_IMODE(opened.db_path.stat().st_mode) == 0o400
        with sqlite3.connect(f"{opened.db_path.as_uri()}?mode=ro", uri=True) as conn:
            assert conn.execute("SELECT count(*) FROM speaker_turns").fetchone() == (0,)
    started = Project.from_bundle(old, tmp_path / "bob.fieldscribe", coder="bob")
    with started:
        assert started.speakers.speaker_turns(started.sessions.all()[0].id) == [
            (s.start_ms, s.end_ms, s.speaker)
            for s in started.transcript.segments(started.sessions.all()[0].id)
        ]  # no stored timeline: the one the segments make
        assert len(started.codebook.codings(coder="alice")) == 1


_AS_NOBODY = """
import sys
from pathlib import Path
from storage import Project
from storage.team.merging import merge_bundles
with Project.open(Path(sys.argv[1])) as p:
    (summary,) = merge_bundles(p, [Path(sys.argv[2])])
print(summary.tables["codings"].added)
"""


@pytest.mark.skipif(
    os.name != "posix" or os.getuid() != 0 or shutil.which("setpriv") is None,
    reason="checks file permissions as an ordinary user (needs root to switch user)",
)
def test_an_older_bundle_is_brought_up_to_date_by_an_ordinary_user() -> None:
    """Root ignores file modes: merge as 'nobody', as a coder on a laptop would (the unpacked
    database is read-only until it is upgraded)."""
    work = Path(tempfile.mkdtemp(prefix="fs-nobody-"))
    try:
        work.chmod(0o777)
        folder, good = _good(work)
        old = rebuild(good, work / "old.fsbundle", db_change=_as_before_speaker_turns)
        for item in [work, *work.rglob("*")]:
            item.chmod(0o777 if item.is_dir() else 0o666)
        env = {**os.environ, "HOME": str(work), "TMPDIR": str(work), "PYTHONPATH": str(ROOT)}
        for var in ("XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
            env[var] = str(work / var.lower())
        done = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable,
             "-c", _AS_NOBODY, str(folder), str(old)],
            capture_output=True, text=True, env=env, cwd=work, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.strip() == "1"
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_an_older_bundle_that_cannot_be_brought_up_to_date_is_refused(tmp_path: Path) -> None:
    folder, good = _good(tmp_path)

    def broken(conn: sqlite3.Connection) -> None:
        _as_before_speaker_turns(conn)
        # a table in the way of the migration: it cannot create speaker_turns
        conn.execute("CREATE TABLE speaker_turns (x)")

    bad = rebuild(good, tmp_path / "broken.fsbundle", db_change=broken)
    before = dump(folder)
    with Project.open(folder) as p, pytest.raises(InvalidBundleError, match="older FieldScribe"):
        merge_bundles(p, [bad])
    assert dump(folder) == before


def test_not_a_bundle_and_truncated_bundle(tmp_path: Path) -> None:
    folder, good = _good(tmp_path)
    junk = tmp_path / "junk.fsbundle"
    junk.write_text("hello")
    truncated = tmp_path / "cut.fsbundle"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    before = dump(folder)
    with Project.open(folder) as p:
        with pytest.raises(InvalidBundleError, match="not a FieldScribe bundle"):
            merge_bundles(p, [junk])
        with pytest.raises(InvalidBundleError):
            merge_bundles(p, [truncated])
    assert dump(folder) == before


def test_cli_reports_refusal_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, good = _good(tmp_path)
    bad = rebuild(
        good, tmp_path / "bad.fsbundle", db_change=lambda c: c.execute("CREATE VIEW v AS SELECT 1")
    )
    before = dump(folder)
    assert cli_main(["bundle", "merge", str(folder), str(bad)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("fieldscribe: error:") and "view" in err and "\n" not in err
    assert dump(folder) == before


def test_new_from_bad_bundle_creates_nothing(tmp_path: Path) -> None:
    _folder, good = _good(tmp_path)
    bad = rebuild(good, tmp_path / "bad.fsbundle", manifest_change=lambda m: m.update(format="zip"))
    with pytest.raises(InvalidBundleError):
        Project.from_bundle(bad, tmp_path / "new.fieldscribe", coder="c")
    assert not (tmp_path / "new.fieldscribe").exists()


def test_open_bundle_reads_readonly(tmp_path: Path) -> None:
    _folder, good = _good(tmp_path)
    with open_bundle(good) as opened:
        conn = sqlite3.connect(f"{opened.db_path.as_uri()}?mode=ro", uri=True)
        with pytest.raises(sqlite3.OperationalError):
            conn.execute("DELETE FROM codes")
        conn.close()
        assert opened.coder == "alice"


def test_team_feature_exports_and_merges_like_the_functions(tmp_path: Path) -> None:
    """``project.team.export_bundle`` / ``project.team.merge`` are the bundle functions."""
    with Project.create(tmp_path / "lead.fieldscribe", coder="lead") as lead:
        session = lead.sessions.add_session("Focus group")
        (seg,) = lead.transcript.add_segments(session.id, [_draft("Bribes for small things")])
        info = lead.team.export_bundle(tmp_path / "lead.fsbundle")
        assert info.counts["segments"] == 1
        with Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "b", coder="b") as b:
            code = b.codebook.ensure_code_path("Corruption")
            b.codebook.apply_code(seg.id, code.id)
            b.team.export_bundle(tmp_path / "b.fsbundle")
        (summary,) = lead.team.merge([tmp_path / "b.fsbundle"])
        assert summary.table("codings").added == 1
        assert [(c.coder, c.segment_id) for c in lead.codebook.codings()] == [("b", seg.id)]
        assert lead.audit.entries(action="merge")[0].details["from_coder"] == "b"


def _draft(text: str) -> SegmentDraft:
    return SegmentDraft(0, 2000, text, "S1")
