"""Word timings a hand edit left behind (before aa16333 they kept Whisper's wording, so a name
typed out of a segment stayed in its ``words``): every path that sends words out of the project
leaves out the words the text no longer says, a project opened for writing drops them once, and
``words_kept_by`` keeps exactly the words the text still says."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage import Project
from storage.core.models import Word
from storage.core.segment_rows import words_kept_by
from storage.privacy.models import ExportPrivacy
from storage.team.bundle_export import export_bundle
from storage.transcript.transcript import SegmentDraft
from tests.hardening_support import run_cli

VOCAB = ["Айгуль", "меня", "Меня", "зовут", "қалай", "әр", "city", "x", "a", "b", "да", "нет"]


def _lcs_length(timed: tuple[str, ...], said: tuple[str, ...]) -> int:
    """The model: how many words at most the two sequences share in order (plain recursion)."""

    @cache
    def best(i: int, j: int) -> int:
        if i == len(timed) or j == len(said):
            return 0
        if timed[i] == said[j]:
            return 1 + best(i + 1, j + 1)
        return max(best(i + 1, j), best(i, j + 1))

    return best(0, 0)


def _is_subsequence(part: list[str], whole: list[str]) -> bool:
    rest = iter(whole)
    return all(any(p == w for w in rest) for p in part)


@settings(max_examples=400, deadline=None)
@given(
    old=st.lists(st.sampled_from(VOCAB), max_size=14),
    new=st.lists(st.sampled_from(VOCAB), max_size=14),
)
def test_the_words_kept_are_exactly_those_the_text_still_says(
    old: list[str], new: list[str]
) -> None:
    """For any text and word list: the kept words are the old objects, in their order, saying
    words of the text in its order (any case), and as many as the two share at most: no word
    the text still says is dropped, none it no longer says is kept. So keeping again keeps
    all (the repair of a project is done once for good)."""
    words = [Word(i * 100, i * 100 + 90, (" " if i else "") + t, None) for i, t in enumerate(old)]
    text = " ".join(new)
    kept = words_kept_by(text, words)
    positions = [next(i for i, w in enumerate(words) if w is k) for k in kept]
    assert positions == sorted(set(positions))  # the old words, each once, in order
    folded = [t.casefold() for t in new]
    assert _is_subsequence([k.text.strip().casefold() for k in kept], folded)
    assert len(kept) == _lcs_length(tuple(t.casefold() for t in old), tuple(folded))
    assert words_kept_by(text, kept) == kept


# ------------------------------------------------------------------ paths out of the project
NAMED = "Меня зовут Айгуль Сериковна."
TYPED_OUT = "Меня зовут [имя]."
WORDS = [
    Word(0, 400, "Меня", 0.9),
    Word(400, 800, " зовут", 0.9),
    Word(800, 1300, " Айгуль", 0.9),
    Word(1300, 2000, " Сериковна.", 0.9),
]


def _edited_the_old_way(project: Project, text: str = TYPED_OUT) -> tuple[str, str]:
    """A session with one segment whose text was edited by a FieldScribe from before word
    timings followed edits (aa16333): text and ``edited`` written, the words left as they were.
    Returns (session id, segment id)."""
    session = project.sessions.add_session("FG", "focus_group")
    (seg,) = project.transcript.add_segments(
        session.id, [SegmentDraft(0, 2000, NAMED, words=list(WORDS))]
    )
    with project.db.conn:
        project.db.conn.execute(
            "UPDATE segments SET text = ?, edited = 1 WHERE id = ?", (text, seg.id)
        )
    assert len(project.transcript.get_segment(seg.id).words) == 4
    return session.id, seg.id


def _bundle_words(bundle: Path, tmp_path: Path) -> list[str]:
    with zipfile.ZipFile(bundle) as zf:
        zf.extract("project.db", tmp_path / "unpacked")
    conn = sqlite3.connect(tmp_path / "unpacked" / "project.db")
    try:
        rows = conn.execute("SELECT words FROM segments WHERE words IS NOT NULL").fetchall()
    finally:
        conn.close()
    return [w[2] for (raw,) in rows for w in json.loads(raw)]


@pytest.mark.parametrize(
    "privacy",
    [None, ExportPrivacy(pseudonymise=False, redact=False)],
    ids=["protected", "unprotected"],
)
def test_a_bundle_carries_no_word_the_text_no_longer_says(
    tmp_path: Path, privacy: ExportPrivacy | None
) -> None:
    """Team bundles (sanitize_snapshot writes the view's words into the snapshot): the typed-
    out name travelled in ``segments.words``, with or without the protections."""
    with Project.create(tmp_path / "p.fieldscribe", coder="dana") as project:
        _edited_the_old_way(project)
        export_bundle(project, tmp_path / "b.fsbundle", privacy=privacy)
        assert len(project.transcript.segments(project.sessions.all()[0].id)[0].words) == 4
    assert _bundle_words(tmp_path / "b.fsbundle", tmp_path) == ["Меня", " зовут"]


def test_a_redacted_bundle_carries_no_word_with_the_real_name(tmp_path: Path) -> None:
    """A redacted, pseudonymised bundle: the name typed out of one segment (its first name
    mapped to a pseudonym, its patronymic not), redacted in another, replaced by a pseudonym in
    a third; no word of the bundle says it (the typed-out patronymic did)."""
    with Project.create(tmp_path / "p.fieldscribe", coder="dana") as project:
        session_id, _typed_out = _edited_the_old_way(project)
        redacted, _mapped = project.transcript.add_segments(
            session_id,
            [
                SegmentDraft(3000, 5000, NAMED, words=[_later(w, 3000) for w in WORDS]),
                SegmentDraft(6000, 8000, "Айгуль пришла.", words=[Word(6000, 7000, "Айгуль", 0.9)]),
            ],
        )
        at = NAMED.index("Айгуль")
        project.redactions.redact(redacted.id, at, at + len("Айгуль Сериковна"), "NAME")
        project.privacy.set_pseudonym("Айгуль", "П01")
        export_bundle(project, tmp_path / "b.fsbundle")
    words = _bundle_words(tmp_path / "b.fsbundle", tmp_path)
    assert not [w for w in words if "Айгуль" in w or "Сериковна" in w], words
    assert "П01" in words  # the pseudonym's word keeps its timing


def _later(word: Word, ms: int) -> Word:
    return Word(word.start_ms + ms, word.end_ms + ms, word.text, word.probability)


def test_segments_json_shows_no_word_the_text_no_longer_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``fieldscribe segments --json`` opens the project read-only (not repaired): it printed
    the segment's old words with the name."""
    with Project.create(tmp_path / "p.fieldscribe", coder="dana") as project:
        session_id, _ = _edited_the_old_way(project)
    code, out, _err = run_cli(
        capsys, "segments", tmp_path / "p.fieldscribe", "--session", session_id, "--json"
    )
    assert code == 0
    (segment,) = json.loads(out)
    assert [w["text"] for w in segment["words"]] == ["Меня", " зовут"]
    assert "Айгуль" not in out
