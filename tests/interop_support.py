"""Shared helpers of the interop tests: real audio (espeak-ng) and a small coded project."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import zipfile
from pathlib import Path

from storage import Project, SegmentDraft

SCHEMA = Path(__file__).resolve().parents[1] / "shared" / "refi-qda" / "Project-mrt2019.xsd"
if not SCHEMA.exists():
    SCHEMA = Path("/work/shared/refi-qda/Project-mrt2019.xsd")


def make_wav(
    folder: Path, text: str = "Hello, this is a short interview about public services."
) -> Path:
    """Speak ``text`` into a real wav file with espeak-ng."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "speech.wav"
    subprocess.run(["espeak-ng", "-w", str(path), text], check=True, capture_output=True)
    return path


def put_text(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    """``text`` written to ``folder / name`` in ``encoding`` (a file as another tool left it)."""
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def draft_rows(path: Path) -> list[tuple[int, int, str | None, str]]:
    """The segments a transcript file is read as: (start ms, end ms, speaker, text)."""
    from storage.interop import parse_transcript

    return [(d.start_ms, d.end_ms, d.speaker, d.text) for d in parse_transcript(path).drafts]


def audio_session(folder: Path, wav: Path) -> tuple[Path, str]:
    """A new project at ``folder`` with ``wav`` imported: the folder and the session's id."""
    with Project.create(folder, coder="me") as p:
        return folder, p.sessions.import_audio(wav, title="speech").id


def build_project(folder: Path, wav: Path) -> dict[str, str]:
    """Create a project with an audio session, a text-only session, codes, codings, memos."""
    ids: dict[str, str] = {}
    with Project.create(folder, name="Public services study", coder="alice") as p:
        s = p.sessions.import_audio(wav, kind="focus_group", title="Focus group 1")
        p.sessions.update_session(s.id, place="Lyon", date="2024-05-01", moderator="Mia")
        segs = p.transcript.add_segments(
            s.id,
            [
                SegmentDraft(0, 1400, "Hello, this is a short interview", speaker="SPEAKER_00"),
                SegmentDraft(1400, 2600, "about public services: health.", speaker="SPEAKER_01"),
                SegmentDraft(2600, 3000, "Note: no speaker here", speaker=None),
                SegmentDraft(3000, 3100, "", speaker="SPEAKER_00"),
            ],
        )
        health = p.codebook.ensure_code_path("Public services/Health")
        trust = p.codebook.ensure_code_path("Trust")
        p.codebook.update_code(trust.id, description="Trust in institutions", colour="#123abc")
        p.codebook.apply_code(segs[0].id, health.id)
        p.codebook.apply_code(
            segs[1].id, trust.id, start_cp=6, end_cp=21, memo="key phrase", coder="bob"
        )
        p.codebook.apply_code(segs[1].id, health.id, coder="bob")
        anna = p.sessions.add_participant("Anna", {"age": "30-39", "role": "nurse"})
        p.sessions.map_speaker(s.id, "SPEAKER_00", anna.id)
        p.codebook.add_memo("code", health.id, "Health covers clinics too.", title="Scope")
        p.codebook.add_memo("segment", segs[2].id, "Check this line.")
        p.codebook.add_memo("session", s.id, "Noisy room.")
        p.codebook.add_memo("journal", None, "Day one went well.")
        p.sessions.add_marker(s.id, 1200, "laughter", note="everyone laughed")
        obs = p.sessions.add_session("Field notes", kind="observation")
        notes = p.transcript.add_segments(
            obs.id, [SegmentDraft(0, 0, "Rain all day.", origin="manual"),
                     SegmentDraft(0, 0, "Market closed early.", origin="manual")]
        )  # fmt: skip
        p.codebook.apply_code(notes[1].id, trust.id, start_cp=0, end_cp=6)
        ids.update(session=s.id, observation=obs.id, health=health.id, trust=trust.id)
    return ids


def project_content(folder: Path) -> dict[str, object]:
    """What a round trip must keep: segments, codes and codings by content (not by row ids)."""
    with Project.open(folder, readonly=True) as p:
        sessions = {}
        for s in p.sessions.all():
            sessions[s.title] = [
                (g.start_ms, g.end_ms, g.speaker, g.text) for g in p.transcript.segments(s.id)
            ]
        codes = {c.id: c.path for c in p.codebook.codes()}
        seg_text = {}
        for s in p.sessions.all():
            for g in p.transcript.segments(s.id):
                seg_text[g.id] = (s.title, g.start_ms, g.text)
        codings = sorted(
            (seg_text[c.segment_id], codes[c.code_id], c.coder, c.start_cp, c.end_cp, c.memo)
            for c in p.codebook.codings()
        )
        code_rows = sorted((c.path, c.colour, c.description) for c in p.codebook.codes())
    return {"sessions": sessions, "codes": code_rows, "codings": codings}


def db_fingerprint(folder: Path) -> str:
    """A hash of every row of every table and of the media folder's file names."""
    conn = sqlite3.connect(f"file:{folder / 'project.db'}?mode=ro", uri=True)
    digest = hashlib.sha256()
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'segments_fts%' "
        "ORDER BY name")]  # fmt: skip
    for table in tables:
        for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1"):
            digest.update(repr(row).encode())
    conn.close()
    for path in sorted((folder / "media").rglob("*")):
        digest.update(path.name.encode())
    return digest.hexdigest()


def write_qdpx(path: Path, qde: str | bytes, files: dict[str, bytes] | None = None) -> Path:
    """Write a hand-made .qdpx."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde)
        for name, data in (files or {}).items():
            zf.writestr(name, data)
    return path


def copy_wav(src: Path) -> bytes:
    """Bytes of a real wav file."""
    return src.read_bytes()


__all__ = ["SCHEMA", "build_project", "db_fingerprint", "make_wav", "project_content", "shutil"]
