"""A speaker linked to a participant is exported under the participant's pseudonym.

A focus-group walk renamed a detected speaker to the name heard in the recording
("Ерлан"), linked the label to the participant P01 and exported with "Replace real names by
their pseudonyms" on: every transcript, codings sheet and .qdpx still said "Ерлан". Exports
with pseudonyms now write a linked speaker as their participant's pseudonym; an unlinked label
goes through the real-name mapping as before; --no-pseudonyms keeps the labels.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from storage import Project
from storage.transcript.transcript import SegmentDraft
from tests.hardening_support import fs_here as fs

REAL = "Ерлан"


def _blob(path: Path) -> bytes:
    data = path.read_bytes()
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            data += b"".join(zf.read(n) for n in zf.namelist())
    return data


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("spk") / "FG.fieldscribe"
    with Project.create(folder, name="FG", coder="lead") as p:
        session = p.sessions.add_session("Focus group", "focus_group")
        first, second = p.transcript.add_segments(
            session.id,
            [
                SegmentDraft(0, 2000, "Су нашар болды.", speaker="Speaker 1"),
                SegmentDraft(2000, 4000, "Баға қымбат.", speaker="Speaker 2"),
            ],
        )
        p.speakers.rename_speaker(session.id, "Speaker 1", REAL)
        person = p.sessions.add_participant("P01", {"age": "45"})
        p.sessions.map_speaker(session.id, REAL, person.id)
        p.consent.set_consent(person.id, None, recording=True, transcription=True, quotation=True)
        code = p.codebook.ensure_code_path("Water")
        p.codebook.apply_code(first.id, code.id)
        p.codebook.apply_code(second.id, code.id)
        sid = session.id
    return folder, sid


@pytest.mark.parametrize("fmt", ["txt", "srt", "vtt", "docx", "json"])
def test_a_transcript_names_a_linked_speaker_by_pseudonym(
    study: tuple[Path, str], fmt: str
) -> None:
    folder, sid = study
    out = folder.parent / f"t.{fmt}"
    fs("export", folder, "--session", sid, "--format", fmt, "-o", out, "--export-anyway")
    blob = _blob(out)
    assert REAL.encode() not in blob, fmt
    assert b"P01" in blob and b"Speaker 2" in blob, fmt  # the unlinked label is kept
    raw = folder.parent / f"raw.{fmt}"
    fs("export", folder, "--session", sid, "--format", fmt, "-o", raw, "--export-anyway",
       "--no-pseudonyms")  # fmt: skip
    assert REAL.encode() in _blob(raw), fmt  # the lead's own copy keeps the label


@pytest.mark.parametrize("name", ["c.csv", "c.xlsx", "p.qdpx"])
def test_codings_and_qdpx_name_a_linked_speaker_by_pseudonym(
    study: tuple[Path, str], name: str
) -> None:
    folder, _sid = study
    out = folder.parent / name
    if name.endswith(".qdpx"):
        fs("qdpx", "export", folder, "-o", out, "--export-anyway")
    else:
        fs("export-codings", folder, "-o", out, "--export-anyway")
    blob = _blob(out)
    assert REAL.encode() not in blob and b"P01" in blob, name


@pytest.mark.parametrize(
    "args",
    [
        ["matrix", "--columns", "speaker", "-o", "m.csv"],
        ["matrix", "--columns", "speaker", "-o", "m.xlsx"],
        ["timeline", "--session", "Focus group", "-o", "t.csv"],
        ["frequencies", "--kwic", "нашар", "-o", "k.csv"],
    ],
)
def test_analysis_files_name_a_linked_speaker_by_pseudonym(
    study: tuple[Path, str], args: list[str]
) -> None:
    """`analyze ... -o FILE` wrote the matrix's speaker column, the timeline's speaker lane and
    the keyword lines' speaker as "Ерлан" too."""
    folder, _sid = study
    out = folder.parent / args[-1]
    said = fs("analyze", folder, *args[:-1], str(out)).stdout
    blob = _blob(out)
    assert REAL.encode() not in blob and b"P01" in blob, args
    assert b"Speaker 2" in blob or "--kwic" in args, args  # the unlinked label kept
    raw = folder.parent / f"raw-{args[-1]}"
    fs("analyze", folder, *args[:-1], str(raw), "--no-pseudonyms")
    assert REAL.encode() in _blob(raw), args
    assert said
