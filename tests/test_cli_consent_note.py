"""The note that consent to export is unknown comes after the export is written, never above
a refusal. ``export-codings DIR --output ' '`` (found by test_cli_fuzz) printed "note: consent
to export is unknown for “Interview”: S1 ...; exported all the same." and then "fieldscribe:
error: ...: coded segments are exported to .csv or .xlsx files.": it said exported for an export
refused, and a refusal is one line."""

from __future__ import annotations

from pathlib import Path

from storage import Project
from storage.transcript.transcript import SegmentDraft
from tests.hardening_support import fs_here as fs


def _coded_interview(tmp_path: Path) -> tuple[Path, str]:
    """A coded interview whose speaker is linked to nobody: consent to export unknown."""
    folder = tmp_path / "I.fieldscribe"
    with Project.create(folder, name="I", coder="lead") as p:
        sid = p.sessions.add_session("Interview", "interview").id
        [seg] = p.transcript.add_segments(sid, [SegmentDraft(0, 900, "Су нашар.", speaker="S1")])
        p.codebook.apply_code(seg.id, p.codebook.ensure_code_path("Су").id)
    return folder, sid


def test_a_refused_export_says_one_line_and_no_note(tmp_path: Path) -> None:
    folder, sid = _coded_interview(tmp_path)
    for args in (
        ("export-codings", folder, "--output", tmp_path / "codings.txt"),
        ("export", folder, "--session", sid, "--format", "txt", "-o", tmp_path / "no" / "t.txt"),
    ):
        said = fs(*args, ok=False)
        assert said.returncode == 1, said.stderr
        lines = said.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("fieldscribe: error: "), said.stderr


def test_a_written_export_still_notes_the_unknown_consent(tmp_path: Path) -> None:
    folder, sid = _coded_interview(tmp_path)
    for args in (
        ("export-codings", folder, "--output", tmp_path / "codings.csv"),
        ("export", folder, "--session", sid, "--format", "txt", "-o", tmp_path / "t.txt"),
        ("qdpx", "export", folder, "-o", tmp_path / "p.qdpx"),
    ):
        said = fs(*args)
        assert said.stdout.startswith("Wrote"), said.stdout
        assert said.stderr.startswith("note: consent to export is unknown for “Interview”"), (
            said.stderr
        )


def test_a_session_nobody_is_known_to_be_in_is_noted_once(tmp_path: Path) -> None:
    """An observation never run through speaker detection, nobody linked or with a consent
    record: ``consent --check`` called its consent unknown, yet every export of everyone wrote
    it without a word (nobody is named to ask about). Each export says so once, after writing,
    past --export-anyway too; ``consent --acknowledge`` stops it while it stays so."""
    folder = tmp_path / "O.fieldscribe"
    with Project.create(folder, name="O", coder="lead") as p:
        sid = p.sessions.add_session("Наблюдение", "observation").id
        [seg, _] = p.transcript.add_segments(
            sid, [SegmentDraft(0, 900, "Су нашар."), SegmentDraft(900, 1800, "Иә.")]
        )
        p.codebook.apply_code(seg.id, p.codebook.ensure_code_path("Су").id)
    note = (
        "note: consent to export is unknown for “Наблюдение”: nobody known to be in it "
        "(2 segments without a speaker); exported all the same. --consented-only leaves them out"
    )
    for args in (
        ("export-codings", folder, "--output", tmp_path / "codings.csv"),
        ("export", folder, "--session", sid, "--format", "txt", "-o", tmp_path / "t.txt"),
        ("export", folder, "--session", sid, "--format", "docx", "-o", tmp_path / "t.docx"),
        ("qdpx", "export", folder, "-o", tmp_path / "p.qdpx"),
        ("qdpx", "export", folder, "-o", tmp_path / "p.qdpx", "--export-anyway"),
    ):
        said = fs(*args)
        assert said.stdout.startswith("Wrote"), said.stdout
        assert said.stderr.count("note:") == 1 and said.stderr.startswith(note), said.stderr
    only = fs("export", folder, "--session", sid, "--format", "txt", "-o", tmp_path / "t.txt",
              "--consented-only")  # fmt: skip
    assert only.stderr == "" and "Wrote 0 of 2 segments" in only.stdout
    said = fs("consent", folder, "--session", sid, "--acknowledge", "export")
    assert "Everyone" not in said.stdout and "2 segments without a speaker" in said.stdout
    said = fs("export", folder, "--session", sid, "--format", "txt", "-o", tmp_path / "t.txt")
    assert said.stderr == "", said.stderr
    with Project.open(folder) as p:  # one more segment: no longer what was acknowledged
        p.transcript.add_segments(sid, [SegmentDraft(1800, 2500, "Жоқ.")])
    said = fs("export", folder, "--session", sid, "--format", "txt", "-o", tmp_path / "t.txt")
    assert "(3 segments without a speaker)" in said.stderr, said.stderr


def _one_refused(tmp_path: Path) -> tuple[Path, str]:
    """An interview of P01 (consented) and P02 (refused quotation), both coded "Су"."""
    folder = tmp_path / "I.fieldscribe"
    with Project.create(folder, name="I", coder="lead") as p:
        sid = p.sessions.add_session("Interview", "interview").id
        segs = p.transcript.add_segments(
            sid,
            [
                SegmentDraft(0, 900, "Су нашар екен.", speaker="S1"),
                SegmentDraft(900, 1800, "Су бар, бұзаутерек.", speaker="S2"),
            ],
        )
        code = p.codebook.ensure_code_path("Су")
        for seg in segs:
            p.codebook.apply_code(seg.id, code.id)
        yes, no = p.sessions.add_participant("P01"), p.sessions.add_participant("P02")
        p.sessions.map_speaker(sid, "S1", yes.id)
        p.sessions.map_speaker(sid, "S2", no.id)
        p.consent.set_consent(yes.id, None, transcription=True, quotation=True)
        p.consent.set_consent(no.id, None, transcription=True, quotation=False)
    return folder, sid


def test_keywords_in_context_written_to_a_file_stop_at_a_refusal(tmp_path: Path) -> None:
    """The ethics review: ``analyze DIR frequencies --kwic WORD -o F`` wrote the
    lines of a participant who refused quotation without a word, where ``export`` stops. It
    stops the same way (nothing written), --consented-only leaves them out, --export-anyway
    writes them; on screen (no -o) the lines stay the lead's own view."""
    folder, _ = _one_refused(tmp_path)
    out = tmp_path / "k.csv"
    said = fs("analyze", folder, "frequencies", "--kwic", "су", "-o", out, ok=False)
    assert said.returncode == 1 and not out.exists(), said.stderr
    assert "refused" in said.stderr and "P02" in said.stderr, said.stderr
    fs("analyze", folder, "frequencies", "--kwic", "су", "-o", out, "--consented-only")
    text = out.read_text(encoding="utf-8-sig")
    assert "нашар" in text and "бұзаутерек" not in text
    fs("analyze", folder, "frequencies", "--kwic", "су", "-o", out, "--export-anyway")
    assert "бұзаутерек" in out.read_text(encoding="utf-8-sig")
    assert "бұзаутерек" in fs("analyze", folder, "frequencies", "--kwic", "су").stdout


def test_a_word_list_written_to_a_file_stops_at_a_refusal(tmp_path: Path) -> None:
    """``analyze DIR frequencies --words -o F`` wrote P02's words ("бұзаутерек") though P02
    refused quotation, where --kwic stops: a word list carries what participants said. It stops
    the same way, --consented-only leaves P02's words out, --export-anyway writes them; as a
    chart too (its bars are named by the words)."""
    folder, _ = _one_refused(tmp_path)
    for out in (tmp_path / "w.csv", tmp_path / "w.png"):
        said = fs("analyze", folder, "frequencies", "--words", "-o", out, ok=False)
        assert said.returncode == 1 and not out.exists(), said.stderr
        assert "refused" in said.stderr and "P02" in said.stderr, said.stderr
    out = tmp_path / "w.csv"
    fs("analyze", folder, "frequencies", "--words", "-o", out, "--consented-only")
    text = out.read_text(encoding="utf-8-sig")
    assert "нашар" in text and "бұзаутерек" not in text
    fs("analyze", folder, "frequencies", "--words", "-o", out, "--export-anyway")
    assert "бұзаутерек" in out.read_text(encoding="utf-8-sig")
    assert "бұзаутерек" in fs("analyze", folder, "frequencies", "--words").stdout  # on screen


def test_the_views_of_counts_carry_no_words_and_ask_nothing(tmp_path: Path) -> None:
    """Code frequencies, the code matrix, co-occurrence and the timeline hold counts, times and
    labels only: written past P02's refusal without a question, and no word P01 or P02 said
    is in them."""
    folder, sid = _one_refused(tmp_path)
    said_words = ("нашар", "екен", "бар", "бұзаутерек")
    for view in (
        ("frequencies",),
        ("frequencies", "--by", "participant"),
        ("matrix", "--columns", "all"),
        ("cooccurrence",),
        ("timeline", "--session", sid),
    ):
        out = tmp_path / f"{view[0]}.csv"
        fs("analyze", folder, *view, "-o", out)
        text = out.read_text(encoding="utf-8-sig")
        assert text.strip() and not [w for w in said_words if w in text.lower()], (view, text)
