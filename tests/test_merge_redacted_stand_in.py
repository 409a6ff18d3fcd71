"""A redacted word in a bundle: its timed stand-in "[…]" is what the text's "[PLACE]" says.

The lead pseudonymised a segment (a hand edit) and redacted a word in it; bob's copy, made from
the lead's bundle, dropped the stand-in word when it opened (the text never says "[…]"), which
gave the row a new version; the lead took bob's next bundle's row for bob's edit, and the clear
text ("на Земле") became "на [PLACE]" at the lead for good, the redaction now over "[PLACE]".
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from storage import Project
from storage.core.models import Word
from storage.core.segment_rows import REDACTED_WORD, words_kept_by
from storage.transcript.transcript import SegmentDraft
from tests.hardening_support import run_cli, tone_wav

TEXT = "Я знаю, что на Земле выгода важнее всего, подтверждает Ремюс."


def _words(text: str) -> list[Word]:
    return [Word(i * 300, i * 300 + 250, w, 0.9) for i, w in enumerate(text.split())]


def _row(folder: Path, segment_id: str) -> tuple[str, str]:
    conn = sqlite3.connect(folder / "project.db")
    try:
        text, version = conn.execute(
            "SELECT text, updated_at FROM segments WHERE id = ?", (segment_id,)
        ).fetchone()
    finally:
        conn.close()
    return text, version


def test_a_coder_s_bundle_leaves_the_lead_s_redacted_original_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lead = tmp_path / "lead"
    with Project.create(lead, name="Study", coder="ann") as project:
        session = project.sessions.import_audio(tone_wav(tmp_path / "a.wav", 6.0), title="A")
        (segment,) = project.transcript.add_segments(
            session.id, [SegmentDraft(0, 5000, TEXT, words=_words(TEXT), language="ru")]
        )
        other = project.transcript.add_segments(
            session.id, [SegmentDraft(5000, 6000, "другое", language="ru")]
        )[0]
    start = TEXT.index("Земле")
    for argv in (
        ["team", "lead", lead, "ann"],
        ["pseudonym", lead, "--set", "Ремюс=Петров"],
        ["pseudonym", lead, "--apply"],
        ["redact", lead, "--segment", segment.id, "--span", f"{start}:{start + 5}",
         "--category", "PLACE"],
        ["bundle", "export", lead, "-o", tmp_path / "ann.fsbundle"],
        ["new", tmp_path / "bob", "--from-bundle", tmp_path / "ann.fsbundle", "--coder", "bob"],
        ["code", tmp_path / "bob", "--segment", other.id, "--code", "Тема"],
        ["bundle", "export", tmp_path / "bob", "-o", tmp_path / "bob.fsbundle"],
    ):  # fmt: skip
        code, _, err = run_cli(capsys, *argv)
        assert code == 0, (argv, err)
    before = _row(lead, segment.id)
    assert "на Земле выгода" in before[0] and "Петров" in before[0]
    code, _, err = run_cli(capsys, "bundle", "merge", lead, tmp_path / "bob.fsbundle")
    assert code == 0, err
    assert _row(lead, segment.id) == before  # bob never touched it: the lead's text stays
    with Project.open(lead) as project:
        (redaction,) = project.redactions.all()
        assert (redaction.start_cp, redaction.end_cp) == (start, start + 5)
        assert [c.coder for c in project.codebook.codings()] == ["bob"]  # bob's work came


def test_the_stand_in_is_said_by_the_category_and_goes_with_it() -> None:
    words = [*_words("на"), Word(300, 550, REDACTED_WORD, None), Word(600, 850, "выгода", 0.9)]
    for label in ("[PLACE]", "[REDACTED]", "[PLACE],"):
        assert words_kept_by(f"на {label} выгода", words) == words
    # the label typed out of the text: its stand-in goes with it
    assert words_kept_by("на выгода", words) == [words[0], words[2]]


def test_a_copy_that_already_dropped_the_stand_in_changes_nothing_at_the_lead(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A copy opened by a FieldScribe that dropped the stand-in holds the lead's safe row with
    its words repaired ("V~safe~words"): old news for the lead, never the copy's edit."""
    lead = tmp_path / "lead"
    with Project.create(lead, name="Study", coder="ann") as project:
        session = project.sessions.import_audio(tone_wav(tmp_path / "a.wav", 6.0), title="A")
        (segment,) = project.transcript.add_segments(
            session.id, [SegmentDraft(0, 5000, TEXT, words=_words(TEXT), language="ru")]
        )
    start = TEXT.index("Земле")
    bob = tmp_path / "bob"
    for argv in (
        ["team", "lead", lead, "ann"],
        ["pseudonym", lead, "--set", "Ремюс=Петров"],
        ["pseudonym", lead, "--apply"],
        ["redact", lead, "--segment", segment.id, "--span", f"{start}:{start + 5}",
         "--category", "PLACE"],
        ["bundle", "export", lead, "-o", tmp_path / "ann.fsbundle"],
        ["new", bob, "--from-bundle", tmp_path / "ann.fsbundle", "--coder", "bob"],
    ):  # fmt: skip
        code, _, err = run_cli(capsys, *argv)
        assert code == 0, (argv, err)
    # what the copy's opening did before: the stand-in dropped, the version derived
    conn = sqlite3.connect(bob / "project.db")
    with conn:
        raw, version = conn.execute(
            "SELECT words, updated_at FROM segments WHERE id = ?", (segment.id,)
        ).fetchone()
        assert REDACTED_WORD in raw and version.endswith("~safe")
        kept = [w for w in json.loads(raw) if w[2] != REDACTED_WORD]
        conn.execute(
            "UPDATE segments SET words = ?, updated_at = ? WHERE id = ?",
            (json.dumps(kept, ensure_ascii=False), version + "~words", segment.id),
        )
    conn.close()
    code, _, err = run_cli(capsys, "bundle", "export", bob, "-o", tmp_path / "bob.fsbundle")
    assert code == 0, err
    before = _row(lead, segment.id)
    code, _, err = run_cli(capsys, "bundle", "merge", lead, tmp_path / "bob.fsbundle")
    assert code == 0, err
    assert _row(lead, segment.id) == before
    assert "на Земле выгода" in before[0]
