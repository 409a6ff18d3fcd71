"""Bundles end to end: no real name or redacted text inside, encryption, team keys, tampering."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from pydub import AudioSegment

from storage import Project
from storage.core.audio import configure_pydub
from storage.core.models import Word
from storage.transcript.transcript import SegmentDraft
from tests.hardening_support import fs_here as fs
from tests.media import espeak
from tests.test_privacy_exports import _leaks

SPOKEN = "Aigul met Marat in Kyzylorda on Monday"
FORBIDDEN = ["Aigul", "Marat", "Kyzylorda", "Айгуль"]


def _dump(folder: Path) -> list[str]:
    conn = sqlite3.connect(folder / "project.db")
    try:
        return [
            line
            for line in conn.iterdump()
            if "sqlite_stat" not in line and "audit_log" not in line
        ]
    finally:
        conn.close()


@pytest.fixture
def lead(tmp_path: Path) -> dict[str, object]:
    wav = espeak(tmp_path / "s.wav", SPOKEN)
    folder = tmp_path / "Lead.fieldscribe"
    with Project.create(folder, name="Study", coder="lead") as p:
        session = p.sessions.import_audio(wav, title="Interview with Aigul")
        dur = session.duration_ms
        step = dur // 7
        words = [Word(i * step, (i + 1) * step, " " + t, 0.9) for i, t in enumerate(SPOKEN.split())]
        (seg,) = p.transcript.add_segments(
            session.id, [SegmentDraft(0, dur, SPOKEN, speaker="Marat", words=words)]
        )
        place = SPOKEN.index("Kyzylorda")
        red = p.redactions.redact(seg.id, place, place + 9, "PLACE")
        p.privacy.set_pseudonym("Aigul", "P01")
        p.privacy.set_pseudonym("Marat", "P02")
        p.codebook.add_memo("segment", seg.id, "Айгуль is Aigul's sister")
        p.privacy.set_pseudonym("Айгуль", "P03")
        span = p.redactions.redaction_audio_span(p.transcript.get_segment(seg.id), red)
    pw = tmp_path / "pw.txt"
    pw.write_text("a long team passphrase\n")
    return {"folder": folder, "span": span, "pw": pw, "tmp": tmp_path, "segment": seg.id}


@pytest.mark.slow
def test_plain_bundle_holds_no_real_name_no_redacted_text_and_silenced_audio(
    lead: dict[str, object],
) -> None:
    folder: Path = lead["folder"]  # type: ignore[assignment]
    out: Path = lead["tmp"] / "team.fsbundle"  # type: ignore[operator]
    fs("bundle", "export", folder, "-o", out, "--with-media")
    assert _leaks(out, FORBIDDEN) == []
    with zipfile.ZipFile(out) as zf:
        (member,) = [n for n in zf.namelist() if n.startswith("media/")]
        configure_pydub()
        audio = AudioSegment.from_file(io.BytesIO(zf.read(member)), format="wav")
        db = zf.read("project.db")
    start, end = lead["span"]  # type: ignore[misc]
    assert audio[start + 2 : end - 2].rms == 0 and audio[: max(1, start - 300)].rms > 50
    snap = lead["tmp"] / "snap.db"  # type: ignore[operator]
    snap.write_bytes(db)
    conn = sqlite3.connect(snap)
    assert (
        conn.execute("SELECT text FROM segments").fetchone()[0]
        == "P01 met P02 in [PLACE] on Monday"
    )
    conn.close()
    # The lead's own copy, when asked for, keeps everything but the mapping.
    raw = lead["tmp"] / "raw.fsbundle"  # type: ignore[operator]
    fs("bundle", "export", folder, "-o", raw, "--no-pseudonyms", "--no-redactions")
    assert {w for _, w in _leaks(raw, FORBIDDEN)} >= {"Aigul", "Marat", "Kyzylorda"}
    log = json.loads(fs("audit", folder, "--json", "--action", "export").stdout)
    assert [e["details"]["what"] for e in log] == ["bundle", "bundle"]
    assert [e["details"]["pseudonymised"] for e in log] == [True, False]


@pytest.mark.slow
def test_encrypted_bundle_passphrase_and_team_key_round_trip(lead: dict[str, object]) -> None:
    folder: Path = lead["folder"]  # type: ignore[assignment]
    tmp: Path = lead["tmp"]  # type: ignore[assignment]
    pw: Path = lead["pw"]  # type: ignore[assignment]
    enc = tmp / "team.fsbundle.enc"
    fs("bundle", "export", folder, "-o", enc, "--encrypt", "--passphrase-file", pw, "--with-media")
    blob = enc.read_bytes()
    assert blob.startswith(b"FSCRYPT")
    assert b"SQLite format 3" not in blob and b"manifest.json" not in blob
    # no clear text at all (not even the pseudonymised transcript). Three bytes such as "P01"
    # turn up in random ciphertext by chance (about once in 16 million positions, in three
    # case forms: a bundle with media failed this test now and then), so whole phrases
    assert _leaks(enc, [*FORBIDDEN, "P01 met", "PLACE", "Monday"]) == []
    assert sorted(p.name for p in tmp.iterdir() if p.name.startswith(".")) == []  # no clear temp
    # A coder starts from it: the wrong passphrase is refused and nothing is created.
    wrong = tmp / "wrong.txt"
    wrong.write_text("not it\n")
    coder = tmp / "Coder.fieldscribe"
    bad = fs(
        "new", coder, "--coder", "bob", "--from-bundle", enc, "--passphrase-file", wrong, ok=False
    )
    assert bad.returncode == 1 and "wrong passphrase" in bad.stderr and not coder.exists()
    missing = fs("new", coder, "--coder", "bob", "--from-bundle", enc, ok=False)
    assert "--passphrase-file" in missing.stderr and not coder.exists()
    fs("new", coder, "--coder", "bob", "--from-bundle", enc, "--passphrase-file", pw)
    segs = json.loads(fs("search", coder, "PLACE", "--json").stdout)
    assert segs[0]["text"] == "P01 met P02 in [PLACE] on Monday"
    # The lead's team key: the coder encrypts for it; the lead merges with the project's key.
    fs("keys", folder, "generate")
    pub = tmp / "lead.pub"
    fs("keys", folder, "export-public", "-o", pub)
    fs("code", coder, "--segment", lead["segment"], "--code", "Meetings")
    back = tmp / "bob.fsbundle.enc"
    fs("bundle", "export", coder, "-o", back, "--encrypt", "--recipient", pub)
    assert _leaks(back, ["Meetings", "bob"]) == []
    # Tampering with one byte is refused and changes nothing.
    before = _dump(folder)
    data = bytearray(back.read_bytes())
    data[len(data) // 2] ^= 0x20
    tampered = tmp / "tampered.enc"
    tampered.write_bytes(bytes(data))
    refused = fs("bundle", "merge", folder, tampered, ok=False)
    assert refused.returncode == 1 and "tampered" in refused.stderr
    assert refused.stderr.count("\n") == 1
    assert _dump(folder) == before
    # A key that is not the lead's is refused clearly.
    other = tmp / "Other.fieldscribe"
    fs("new", other, "--coder", "eve")
    fs("keys", other, "generate")
    key_file = next((other / "keys").iterdir())
    not_for_me = fs("bundle", "merge", folder, back, "--identity", key_file, ok=False)
    assert "not encrypted for this key" in not_for_me.stderr
    assert _dump(folder) == before
    merged = json.loads(fs("bundle", "merge", folder, back, "--json").stdout)
    assert merged["bundles"][0]["tables"]["codings"]["added"] == 1
    # The merge did not overwrite the lead's original text with the coder's redacted copy.
    with Project.open(folder, readonly=True) as p:
        assert p.transcript.get_segment(lead["segment"]).text == SPOKEN  # type: ignore[arg-type]
        actions = [e.action for e in p.audit.entries()]
    assert actions[-1] == "merge" and "encrypt" in actions and "key_generate" in actions


def test_encrypt_options_are_checked(lead: dict[str, object]) -> None:
    folder: Path = lead["folder"]  # type: ignore[assignment]
    tmp: Path = lead["tmp"]  # type: ignore[assignment]
    for args, message in [
        (["--encrypt"], "--passphrase-file FILE or --recipient"),
        (["--passphrase-file", lead["pw"]], "go with --encrypt"),
        (["--encrypt", "--passphrase-file", tmp / "nope.txt"], "cannot read the passphrase"),
        (["--encrypt", "--recipient", lead["pw"]], "not a FieldScribe public key"),
    ]:
        result = fs("bundle", "export", folder, "-o", tmp / "x.enc", *args, ok=False)
        assert result.returncode == 1 and message in result.stderr, result.stderr
        assert not (tmp / "x.enc").exists()
