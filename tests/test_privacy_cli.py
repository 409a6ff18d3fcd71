"""The privacy commands end to end, as a scripted pipeline runs them (real processes)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from storage import Project
from storage.transcript.transcript import SegmentDraft
from tests.test_cli import fs

TEXT = "Айгуль said that Айгулем and Marat met in Kyzylorda."


def _dump(folder: Path) -> list[str]:
    conn = sqlite3.connect(folder / "project.db")
    try:
        return [line for line in conn.iterdump() if "sqlite_stat" not in line]
    finally:
        conn.close()


@pytest.fixture
def study(tmp_path: Path) -> tuple[Path, str, str, str]:
    folder = tmp_path / "Ethics.fieldscribe"
    with Project.create(folder, coder="lead") as project:
        session = project.sessions.add_session("FG1", "focus_group")
        (seg,) = project.transcript.add_segments(
            session.id, [SegmentDraft(0, 5000, TEXT, speaker="SPEAKER_00")]
        )
        participant = project.sessions.add_participant("P01")
        project.sessions.map_speaker(session.id, "SPEAKER_00", participant.id)
    return folder, session.id, seg.id, participant.id


def test_consent_set_list_check(study: tuple[Path, str, str, str]) -> None:
    folder, session_id, _, participant_id = study
    fs("consent", folder, "--participant", participant_id, "--session", session_id,
       "--recording", "yes", "--transcription", "yes", "--quotation", "no", "--archiving", "no",
       "--date", "2026-03-02", "--form", "F-12")  # fmt: skip
    listed = json.loads(fs("consent", folder, "--list", "--json").stdout)
    assert len(listed) == 1
    assert (listed[0]["quotation"], listed[0]["form_ref"], listed[0]["date"]) == (
        False,
        "F-12",
        "2026-03-02",
    )
    assert "F-12" in fs("consent", folder, "--list").stdout
    ok = fs("consent", folder, "--session", session_id, "--check", "transcription")
    assert "Everyone" in ok.stdout
    bad = fs("consent", folder, "--session", session_id, "--check", "export", "--json", ok=False)
    assert bad.returncode == 2
    assert json.loads(bad.stdout)[0]["refused"] == ["quotation"]


def test_consent_bad_input_clear_message_project_unchanged(
    study: tuple[Path, str, str, str],
) -> None:
    folder, session_id, _, participant_id = study
    before = _dump(folder)
    cases = [
        (["--participant", participant_id, "--session", session_id, "--recording", "maybe"],
         "use yes or no"),
        (["--participant", participant_id, "--session", session_id, "--date", "March 2"],
         "YYYY-MM-DD"),
        (["--participant", "ghost", "--session", session_id, "--recording", "yes"],
         "No participant"),
        (["--recording", "yes"], "Give --participant"),
    ]  # fmt: skip
    for extra, message in cases:
        result = fs("consent", folder, *extra, ok=False)
        assert result.returncode == 1 and message in result.stderr, result.stderr
        assert result.stderr.count("\n") == 1
    assert _dump(folder) == before


def test_pseudonym_review_apply_pipeline(study: tuple[Path, str, str, str]) -> None:
    folder, session_id, _, _ = study
    fs("pseudonym", folder, "--set", "Айгуль=P01", "--set", "Marat=Teacher, Almaty")
    mapping = json.loads(fs("pseudonym", folder, "--list", "--json").stdout)
    assert {m["pseudonym"]: m["real_name"] for m in mapping} == {
        "P01": "Айгуль",
        "Teacher, Almaty": "Marat",
    }
    review = json.loads(fs("pseudonym", folder, "--review", "--json").stdout)
    assert [(c["matched"], c["kind"]) for c in review] == [
        ("Айгуль", "exact"),
        ("Айгулем", "inflected"),
        ("Marat", "exact"),
    ]
    assert "[Айгулем]" in fs("pseudonym", folder, "--review").stdout
    accept = ",".join(c["id"] for c in review if c["matched"] != "Айгулем")
    report = json.loads(fs("pseudonym", folder, "--apply", "--accept", accept, "--json").stdout)
    assert report == {
        "replaced": 2,
        "segments": 1,
        "skipped": 1,
        "deleted_sessions": 0,
        "unsaved_texts": 0,
    }
    segs = json.loads(fs("segments", folder, "--session", session_id, "--json").stdout)
    assert segs[0]["text"] == "P01 said that Айгулем and Teacher, Almaty met in Kyzylorda."
    assert json.loads(fs("pseudonym", folder, "--review", "--json").stdout) == []
    audit = json.loads(fs("audit", folder, "--json").stdout)
    assert [e["action"] for e in audit] == ["pseudonym_set", "pseudonym_set", "pseudonym_apply"]
    assert "Marat" not in json.dumps(audit, ensure_ascii=False)
    # Bad input: clear one-line message, nothing changed.
    before = _dump(folder)
    for args, message in [
        (["--set", "no equals sign"], "REAL NAME=P01"),
        (["--set", "Marat=Marat K."], "contains the real name"),
        (["--apply", "--accept", "cdeadbeef00"], "Unknown candidate id"),
        (["--remove", "Nobody"], "No pseudonym mapping"),
    ]:
        result = fs("pseudonym", folder, *args, ok=False)
        assert result.returncode == 1 and message in result.stderr, result.stderr
    assert _dump(folder) == before


def test_pseudonym_apply_does_what_its_help_says(study: tuple[Path, str, str, str]) -> None:
    """Without --accept, --apply replaces every candidate --review lists (inflected forms too),
    and the help says so rather than "the accepted ones"."""
    folder, session_id, _, _ = study
    help_text = " ".join(fs("pseudonym", "--help").stdout.split())
    assert "accepted ones" not in help_text
    assert "every candidate --review lists (or only --accept's)" in help_text
    fs("pseudonym", folder, "--set", "Айгуль=P01", "--set", "Marat=P02")
    review = json.loads(fs("pseudonym", folder, "--review", "--json").stdout)
    assert len(review) == 3 and any(c["kind"] == "inflected" for c in review)
    report = json.loads(fs("pseudonym", folder, "--apply", "--json").stdout)
    assert report == {
        "replaced": 3,
        "segments": 1,
        "skipped": 0,
        "deleted_sessions": 0,
        "unsaved_texts": 0,
    }
    segs = json.loads(fs("segments", folder, "--session", session_id, "--json").stdout)
    assert "Айгул" not in segs[0]["text"] and "Marat" not in segs[0]["text"]


def test_redact_list_remove_destroy(study: tuple[Path, str, str, str]) -> None:
    folder, session_id, seg_id, _ = study
    start = TEXT.index("Kyzylorda")
    red = json.loads(
        fs(
            "redact",
            folder,
            "--segment",
            seg_id,
            "--span",
            f"{start}:{start + 9}",
            "--category",
            "place",
            "--json",
        ).stdout
    )
    assert red["category"] == "PLACE"
    listed = json.loads(fs("redact", folder, "--list", "--json").stdout)
    assert [r["id"] for r in listed] == [red["id"]]
    before = _dump(folder)
    for args, message in [
        (["--segment", seg_id, "--span", "9:3"], "Invalid span"),
        (["--segment", seg_id, "--span", "abc"], "START:END"),
        (["--segment", "nope", "--span", "0:2"], "No segment"),
        (["--destroy"], "exactly one of"),
        (["--destroy", "--id", "nope"], "No redaction"),
        (["--segment", seg_id, "--span", "0:2", "--category", "bad*cat"], "category"),
    ]:
        result = fs("redact", folder, *args, ok=False)
        assert result.returncode == 1 and message in result.stderr, result.stderr
    assert _dump(folder) == before
    fs("redact", folder, "--remove", red["id"])
    assert json.loads(fs("redact", folder, "--list", "--json").stdout) == []
    # Destroy with a new span at once (no audio in this session: text only).
    out = json.loads(
        fs(
            "redact",
            folder,
            "--destroy",
            "--segment",
            seg_id,
            "--span",
            f"{start}:{start + 9}",
            "--json",
        ).stdout
    )
    assert out["redactions"] == 1 and out["media"] == []
    segs = json.loads(fs("segments", folder, "--session", session_id, "--json").stdout)
    assert segs[0]["text"].endswith("met in [REDACTED].")
    assert json.loads(fs("search", folder, "Kyzylorda", "--json").stdout) == []
    actions = [e["action"] for e in json.loads(fs("audit", folder, "--json").stdout)]
    assert actions == ["redact", "unredact", "redact", "destroy"]
    table = fs("audit", folder).stdout
    assert "destroy" in table and "lead" in table


def test_keys_generate_and_export(study: tuple[Path, str, str, str], tmp_path: Path) -> None:
    folder = study[0]
    gen = json.loads(fs("keys", folder, "generate", "--json").stdout)
    assert Path(gen["private_key"]).stat().st_mode & 0o777 == 0o600
    pub = tmp_path / "lead.pub"
    fs("keys", folder, "export-public", "-o", pub)
    assert pub.read_text().startswith("fieldscribe-x25519-pub1 ")
    assert pub.read_text().strip() == gen["public_key"]
    again = fs("keys", folder, "generate", ok=False)
    assert "never overwritten" in again.stderr
    other = tmp_path / "Other.fieldscribe"
    fs("new", other, "--coder", "b")
    missing = fs("keys", other, "export-public", ok=False)
    assert "keys DIR generate" in missing.stderr


def test_export_while_the_project_is_open_elsewhere_is_not_logged_but_safe(
    study: tuple[Path, str, str, str], tmp_path: Path
) -> None:
    folder, session_id, _, _ = study
    fs("pseudonym", folder, "--set", "Marat=P02")
    out = tmp_path / "t.txt"
    with Project.open(folder):  # holds the write lock, like the running app
        result = fs(
            "export",
            folder,
            "--session",
            session_id,
            "--format",
            "txt",
            "-o",
            out,
            "--export-anyway",
        )
    assert "not recorded in its audit log" in result.stderr
    assert "Marat" not in out.read_text(encoding="utf-8-sig")
    assert "P02" in out.read_text(encoding="utf-8-sig")
    fs("export", folder, "--session", session_id, "--format", "txt", "-o", out, "--export-anyway")
    log = json.loads(fs("audit", folder, "--json", "--action", "export").stdout)
    assert len(log) == 1 and log[0]["details"]["file"] == "t.txt"
