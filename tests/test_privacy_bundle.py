"""A bundle snapshot made safe to share, and encrypted bundle files (no bundle module needed)."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest
from pydub import AudioSegment

from storage import Project
from storage.core.audio import configure_pydub, sha256_of
from storage.core.models import Word
from storage.privacy.bundle import decrypted_copy, export_encrypted, sanitize_snapshot
from storage.privacy.crypto import DecryptionError, generate_identity, is_encrypted
from storage.privacy.models import ExportPrivacy
from storage.transcript.transcript import SegmentDraft
from tests.media import espeak

SPOKEN = "Aigul met Marat in Kyzylorda"
FORBIDDEN = [b"Aigul", b"Marat", b"Kyzylorda", "Айгуль".encode()]


@pytest.fixture
def lead(tmp_path: Path) -> Project:
    wav = espeak(tmp_path / "s.wav", SPOKEN)
    project = Project.create(tmp_path / "Lead.fieldscribe", name="Marat study", coder="lead")
    session = project.sessions.import_audio(wav, title="Interview with Aigul")
    dur = session.duration_ms
    step = dur // 5
    words = [Word(i * step, (i + 1) * step, " " + t, 0.9) for i, t in enumerate(SPOKEN.split())]
    first, second = project.transcript.add_segments(
        session.id,
        [
            SegmentDraft(0, dur, SPOKEN, speaker="Marat", words=words),
            SegmentDraft(dur, dur + 900, "Айгуль refused quotation.", speaker="S2"),
        ],
    )
    place = SPOKEN.index("Kyzylorda")
    project.redactions.redact(first.id, place, place + 9, "PLACE")
    project.privacy.set_pseudonym("Aigul", "P01")
    project.privacy.set_pseudonym("Marat", "P02")
    project.privacy.set_pseudonym("Айгуль", "P03")
    code = project.codebook.ensure_code_path("Meetings")
    project.codebook.apply_code(
        first.id, code.id, start_cp=place, end_cp=place + 9, memo="Marat again"
    )
    project.codebook.apply_code(second.id, code.id)
    project.codebook.add_memo("segment", first.id, "Ask Aigul later")
    person = project.sessions.add_participant("P03")
    project.sessions.map_speaker(session.id, "S2", person.id)
    project.consent.set_consent(person.id, None, transcription=True, quotation=False)
    yield project
    project.close()


def _snapshot(project: Project, dest: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(dest))
    with project.store.mutex:
        project.db.conn.backup(conn)
    return conn


def test_snapshot_loses_real_names_and_redacted_text(lead: Project, tmp_path: Path) -> None:
    snap = tmp_path / "snap.db"
    conn = _snapshot(lead, snap)
    work = tmp_path / "work"
    work.mkdir()
    replaced = sanitize_snapshot(conn, lead, None, work)
    texts = [r[0] for r in conn.execute("SELECT text FROM segments ORDER BY start_ms")]
    assert texts == ["P01 met P02 in [PLACE]", "P03 refused quotation."]
    span = conn.execute(
        "SELECT start_cp, end_cp FROM codings WHERE start_cp IS NOT NULL"
    ).fetchone()
    assert texts[0][span[0] : span[1]] == "[PLACE]"
    assert conn.execute("SELECT count(*) FROM pseudonyms").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 0
    assert conn.execute("SELECT value FROM project_meta WHERE key = 'name'").fetchone()[0] == (
        "P02 study"
    )
    conn.close()
    data = snap.read_bytes()
    assert [w for w in FORBIDDEN if w in data] == []
    # The audio with the place name was replaced by a silenced copy named in the snapshot.
    (rel, path) = next(iter(replaced.media.items()))
    marked = {(t, v.endswith("~safe")) for t, _, v in replaced.versions}
    assert {("segments", True), ("media", True), ("codings", True), ("memos", True)} <= marked
    conn = sqlite3.connect(str(snap))
    row = conn.execute("SELECT path, sha256 FROM media").fetchone()
    conn.close()
    assert row == (rel, sha256_of(path))
    configure_pydub()
    original = AudioSegment.from_file(str(lead.sessions.media_path(lead.sessions.all()[0].id)))
    redacted = AudioSegment.from_file(str(path))
    assert len(redacted) == len(original)
    seg = lead.transcript.segments(lead.sessions.all()[0].id)[0]
    start, end = lead.redactions.redaction_audio_span(seg, lead.redactions.all()[0])
    assert redacted[start + 2 : end - 2].rms == 0 and original[start:end].rms > 50
    # The project itself is untouched.
    assert lead.transcript.get_segment(seg.id).text == SPOKEN
    assert len(lead.privacy.pseudonyms()) == 3


def test_snapshot_consented_only_and_opt_out(lead: Project, tmp_path: Path) -> None:
    conn = _snapshot(lead, tmp_path / "a.db")
    sanitize_snapshot(conn, lead, ExportPrivacy(consented_only="export"), tmp_path)
    # "Marat" is linked to nobody: no consent, left out as P03 who refused quotation
    assert [r[0] for r in conn.execute("SELECT speaker FROM segments")] == []
    conn.close()
    session_id = lead.sessions.all()[0].id
    marat = lead.sessions.add_participant("P04")
    lead.sessions.map_speaker(session_id, "Marat", marat.id)
    lead.consent.set_consent(marat.id, None, transcription=True, quotation=True)
    conn = _snapshot(lead, tmp_path / "a2.db")
    sanitize_snapshot(conn, lead, ExportPrivacy(consented_only="export"), tmp_path)
    assert [r[0] for r in conn.execute("SELECT speaker FROM segments")] == ["P02"]
    assert conn.execute("SELECT count(*) FROM codings").fetchone()[0] == 1
    conn.close()
    conn = _snapshot(lead, tmp_path / "b.db")
    sanitize_snapshot(conn, lead, ExportPrivacy(pseudonymise=False, redact=False), tmp_path)
    assert conn.execute("SELECT text FROM segments ORDER BY start_ms").fetchone()[0] == SPOKEN
    # Even then the mapping itself never travels.
    assert conn.execute("SELECT count(*) FROM pseudonyms").fetchone()[0] == 0
    conn.close()


def _zip_bundle(path: Path, payload: bytes) -> str:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.db", payload)
    return "written"


def test_encrypted_bundle_round_trip_and_refusals(tmp_path: Path) -> None:
    payload = b"Kyzylorda " * 5000
    dest = tmp_path / "team.fsbundle.enc"
    result = export_encrypted(
        lambda p: _zip_bundle(p, payload), dest, passphrase="pw", scrypt_n=1 << 12
    )
    assert result == "written" and is_encrypted(dest)
    assert sorted(p.name for p in tmp_path.iterdir()) == [dest.name]  # no clear copy left
    assert b"Kyzylorda" not in dest.read_bytes() and b"project.db" not in dest.read_bytes()
    with decrypted_copy(dest, passphrase="pw") as plain:
        with zipfile.ZipFile(plain) as zf:
            assert zf.read("project.db") == payload
        kept = plain
    assert not kept.exists()
    with pytest.raises(DecryptionError, match="wrong passphrase"):
        with decrypted_copy(dest, passphrase="nope"):
            pass
    data = bytearray(dest.read_bytes())
    data[-100] ^= 1
    dest.write_bytes(bytes(data))
    with pytest.raises(DecryptionError, match=r"tampered|truncated"):
        with decrypted_copy(dest, passphrase="pw"):
            pass
    key = generate_identity()
    dest2 = tmp_path / "k.enc"
    export_encrypted(lambda p: _zip_bundle(p, payload), dest2, recipients=[key.public_key()])
    with decrypted_copy(dest2, identities=[key]) as plain:
        assert zipfile.is_zipfile(plain)


def test_voice_profile_named_after_a_real_person_travels_under_the_pseudonym(
    lead: Project, tmp_path: Path
) -> None:
    embedding = [0.1 * i for i in range(8)]
    profile = lead.speakers.add_speaker_profile("Marat", embedding, "test-model")
    snap = tmp_path / "snap.db"
    conn = _snapshot(lead, snap)
    work = tmp_path / "work"
    work.mkdir()
    sanitize_snapshot(conn, lead, None, work)
    row = conn.execute("SELECT name, updated_at FROM speaker_profiles").fetchone()
    conn.close()
    assert row[0] == "P02" and row[1].endswith("~safe")
    assert b"Marat" not in snap.read_bytes()
    assert (
        lead.speakers.get_speaker_profile(profile.id).name == "Marat"
    )  # the project keeps the name
