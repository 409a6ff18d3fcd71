"""Every export file is searched byte by byte: no mapped real name, no redacted text.

Files are made by the real command line (txt, srt, vtt, docx, json, csv, xlsx, qdpx with its
audio, codebooks); zip-based files (docx, xlsx, qdpx) are searched inside every member,
decompressed. The audio copied into the qdpx is checked to be silent over the redacted span.
"""

from __future__ import annotations

import io
import json
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

SPOKEN = "Aigul and Marat met near the old mill in Kyzylorda on Monday"
REAL_NAMES = ["Айгуль", "Айгулем", "Aigul", "Marat"]
REDACTED = ["Kyzylorda", "old mill"]
FORBIDDEN = REAL_NAMES + REDACTED


def _blobs(path: Path) -> dict[str, bytes]:
    """The file's bytes and, for a zip, every member decompressed (nested zips too)."""
    data = path.read_bytes()
    found = {path.name: data}
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for name in zf.namelist():
                found[f"{path.name}!{name}"] = zf.read(name)
    return found


def _leaks(path: Path, words: list[str]) -> list[tuple[str, str]]:
    leaks = []
    for where, blob in _blobs(path).items():
        for word in words:
            for form in {word, word.lower(), word.upper()}:
                for encoded in (form.encode("utf-8"), form.encode("utf-16-le")):
                    if encoded in blob:
                        leaks.append((where, form))
    return leaks


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    base = tmp_path_factory.mktemp("privacy-exports")
    wav = espeak(base / "speech.wav", SPOKEN)
    folder = base / "Ethics.fieldscribe"
    with Project.create(folder, name="Study with Marat", coder="lead") as p:
        session = p.sessions.import_audio(wav, kind="focus_group", title="Interview with Айгуль")
        p.sessions.update_session(
            session.id, place="a village", moderator="Marat", notes="Marat ran it"
        )
        dur = session.duration_ms
        tokens = SPOKEN.split()
        step = dur // len(tokens)
        words = [Word(i * step, (i + 1) * step, " " + t, 0.9) for i, t in enumerate(tokens)]
        first, second, third = p.transcript.add_segments(
            session.id,
            [
                SegmentDraft(0, dur, SPOKEN, speaker="Marat", words=words),
                SegmentDraft(dur, dur + 1000, "Айгуль said Айгулем was proud.", speaker="S1"),
                SegmentDraft(dur + 1000, dur + 2000, "I refuse to be quoted.", speaker="S2"),
            ],
        )
        place = SPOKEN.index("Kyzylorda")
        p.redactions.redact(first.id, place, place + len("Kyzylorda"), "PLACE")
        mill = SPOKEN.index("old mill")
        p.redactions.redact(first.id, mill, mill + len("old mill"))
        p.privacy.set_pseudonym("Айгуль", "P01")
        p.privacy.set_pseudonym("Aigul", "P02")
        p.privacy.set_pseudonym("Marat", "Teacher, Almaty")
        code = p.codebook.ensure_code_path("Places/Meeting points")
        p.codebook.update_code(code.id, description="Where Marat meets people")
        p.codebook.apply_code(first.id, code.id, start_cp=mill, end_cp=place + len("Kyzylorda"))
        p.codebook.apply_code(second.id, code.id, memo="Айгуль again")
        p.codebook.apply_code(third.id, code.id)
        p.codebook.add_memo("segment", first.id, "Marat was nervous; Aigul was not.")
        p.sessions.add_marker(session.id, 500, "Aigul arrives", note="with Marat")
        refuser = p.sessions.add_participant("P09")
        p.sessions.map_speaker(session.id, "S2", refuser.id)
        p.consent.set_consent(
            refuser.id, session.id, recording=True, transcription=True, quotation=False
        )
        span = p.redactions.redaction_audio_span(
            p.transcript.get_segment(first.id), p.redactions.all()[0]
        )
        ids = {"session": session.id, "first": first.id, "third": third.id}
    return {"folder": folder, "ids": ids, "span": span, "base": base}


@pytest.mark.slow
def test_exports_hold_no_real_name_and_no_redacted_text(study: dict[str, object]) -> None:
    folder: Path = study["folder"]  # type: ignore[assignment]
    out: Path = study["base"] / "out"  # type: ignore[operator]
    out.mkdir(exist_ok=True)
    session_id = study["ids"]["session"]  # type: ignore[index]
    files = []
    for fmt in ("txt", "srt", "vtt", "docx", "json"):
        dest = out / f"transcript.{fmt}"
        fs(
            "export",
            folder,
            "--session",
            session_id,
            "--format",
            fmt,
            "-o",
            dest,
            "--export-anyway",
        )
        files.append(dest)
    for name in ("codings.csv", "codings.xlsx"):
        fs("export-codings", folder, "-o", out / name, "--export-anyway")
        files.append(out / name)
    fs("qdpx", "export", folder, "-o", out / "project.qdpx", "--export-anyway")
    files.append(out / "project.qdpx")
    for name in ("codebook.qdc", "codebook.docx"):
        fs("codebook", "export", folder, "-o", out / name)
        files.append(out / name)
    for path in files:
        assert _leaks(path, FORBIDDEN) == [], path
    # The pseudonyms and placeholders are there instead.
    txt = (out / "transcript.txt").read_text(encoding="utf-8-sig")
    assert "Teacher, Almaty: P02 and Teacher, Almaty met near the [REDACTED] in [PLACE]" in txt
    assert "P01 said P01 was proud." in txt
    csv_text = (out / "codings.csv").read_text(encoding="utf-8-sig")
    assert "[REDACTED] in [PLACE]" in csv_text  # the coded span moved with the text
    # The qdpx audio is silent over the redacted place name, and not elsewhere.
    with zipfile.ZipFile(out / "project.qdpx") as zf:
        (member,) = [n for n in zf.namelist() if n.endswith((".wav", ".flac"))]
        configure_pydub()
        audio = AudioSegment.from_file(io.BytesIO(zf.read(member)), format=member[-4:].strip("."))
    start, end = study["span"]  # type: ignore[misc]
    assert audio[start + 2 : end - 2].rms == 0  # (ms slicing may round by one sample)
    assert audio[: max(0, start - 600)].rms > 50
    # Every export was logged, and the log names neither people nor hidden text.
    log = json.loads(fs("audit", folder, "--json", "--action", "export").stdout)
    assert len(log) == len(files)
    assert all(e["details"]["pseudonymised"] and e["details"]["redacted"] for e in log)
    assert not any(w in json.dumps(log, ensure_ascii=False) for w in FORBIDDEN)
    # The project itself still holds the originals.
    with Project.open(folder, readonly=True) as p:
        assert p.transcript.get_segment(study["ids"]["first"]).text == SPOKEN  # type: ignore[index]


@pytest.mark.slow
def test_opt_outs_and_consent_filter(study: dict[str, object]) -> None:
    folder: Path = study["folder"]  # type: ignore[assignment]
    out: Path = study["base"] / "out2"  # type: ignore[operator]
    out.mkdir(exist_ok=True)
    session_id = study["ids"]["session"]  # type: ignore[index]
    # The lead's own copy: real names and redacted text (this proves the searches can fail).
    raw = out / "raw.txt"
    fs("export", folder, "--session", session_id, "--format", "txt", "-o", raw,
       "--no-pseudonyms", "--no-redactions", "--export-anyway")  # fmt: skip
    assert {w for _, w in _leaks(raw, FORBIDDEN)} >= {"Aigul", "Marat", "Kyzylorda", "Айгуль"}
    names_only = out / "names.txt"
    fs("export", folder, "--session", session_id, "--format", "txt", "-o", names_only,
       "--no-pseudonyms", "--export-anyway")  # fmt: skip
    text = names_only.read_text(encoding="utf-8-sig")
    assert "Marat" in text and "[PLACE]" in text and "Kyzylorda" not in text
    # Consent: the participant who refused quotation is left out of transcripts and codings.
    fs("export", folder, "--session", session_id, "--format", "json", "-o", out / "c.json",
       "--consented-only")  # fmt: skip
    data = json.loads((out / "c.json").read_text(encoding="utf-8"))
    assert "I refuse to be quoted." not in {s["text"] for s in data["segments"]}
    assert data["segments"] == []  # Marat and S1 are linked to nobody: no consent, left out
    fs("export-codings", folder, "-o", out / "c.csv", "--consented-only", "quotation")
    assert "I refuse to be quoted." not in (out / "c.csv").read_text(encoding="utf-8-sig")
    full = json.loads(
        fs(
            "export",
            folder,
            "--session",
            session_id,
            "--format",
            "json",
            "-o",
            out / "a.json",
            "--json",
            "--export-anyway",
        ).stdout
    )
    assert full["segments"] == 3
    log = json.loads(fs("audit", folder, "--json", "--action", "export").stdout)
    flags = [(e["details"]["pseudonymised"], e["details"]["redacted"]) for e in log[-5:]]
    assert flags[:2] == [(False, False), (False, True)]
    assert log[-3]["details"]["consented_only"] == "export"
    bad = fs("export", folder, "--session", session_id, "--format", "txt", "-o", out / "x.txt",
             "--consented-only", "publishing", ok=False)  # fmt: skip
    assert "Unknown consent purpose" in bad.stderr and not (out / "x.txt").exists()


def test_the_export_view_fetches_segments_in_bulk_pseudonymised(study: dict[str, object]) -> None:
    """``transcript.get_segments`` through the export view rewrites like ``get_segment`` (a
    method the view did not filter would read the project's real names)."""
    from storage.privacy.view import private_view

    folder: Path = study["folder"]  # type: ignore[assignment]
    ids = study["ids"]  # type: ignore[assignment]
    with Project.open(folder, readonly=True) as p, private_view(p) as view:
        wanted = [ids["first"], ids["third"]]  # type: ignore[index]
        bulk = view.transcript.get_segments(wanted)
        assert bulk == {i: view.transcript.get_segment(i) for i in wanted}
        text = " ".join(seg.text for seg in bulk.values())
        assert "Marat" not in text and "Teacher, Almaty" in text and "[PLACE]" in text
