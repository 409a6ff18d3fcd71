"""Word timings follow a hand edit of the text. Before, they kept Whisper's wording: a name a
researcher typed out of a segment ("Меня зовут Айгуль Сериковна." -> "Меня зовут [имя].")
stayed in the segment's word timings, so the JSON export (and every bundle) still held it."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from storage import Project
from storage.core.models import Word
from storage.core.segment_rows import words_kept_by
from storage.interop.transcript_export import export_transcript
from storage.transcript.transcript import SegmentDraft

NAMED = "Меня зовут Айгуль Сериковна."
WORDS = [
    Word(0, 400, "Меня", 0.9),
    Word(400, 800, " зовут", 0.9),
    Word(800, 1300, " Айгуль", 0.9),
    Word(1300, 2000, " Сериковна.", 0.9),
]


def test_a_name_typed_out_of_a_segment_leaves_its_word_timings(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.fieldscribe", coder="dana") as project:
        session = project.sessions.add_session("FG", "focus_group")
        (seg,) = project.transcript.add_segments(
            session.id, [SegmentDraft(0, 2000, NAMED, words=list(WORDS))]
        )
        project.transcript.update_segment(seg.id, text="Меня зовут [имя].")
        assert [w.text for w in project.transcript.get_segment(seg.id).words] == [
            "Меня",
            " зовут",
        ]
        export_transcript(project, session.id, "json", tmp_path / "t.json")
        body = (tmp_path / "t.json").read_text(encoding="utf-8")
        assert "Айгуль" not in body and "Сериковна" not in body
        (exported,) = json.loads(body)["segments"]
        assert [w["start_ms"] for w in exported["words"]] == [0, 400]  # the rest keep theirs
        # an edit that keeps every word (a word typed in) keeps every timing
        project.transcript.update_segment(seg.id, text="Ну, меня зовут [имя].")
        assert len(project.transcript.get_segment(seg.id).words) == 2


def test_a_project_edited_before_words_followed_edits_exports_no_typed_out_name(
    tmp_path: Path,
) -> None:
    """A project whose text was edited by an earlier FieldScribe keeps the old word timings in
    its database; its JSON export leaves out the words the text no longer says."""
    with Project.create(tmp_path / "p.fieldscribe", coder="dana") as project:
        session = project.sessions.add_session("FG", "focus_group")
        (seg,) = project.transcript.add_segments(
            session.id, [SegmentDraft(0, 2000, NAMED, words=list(WORDS))]
        )
        with project.db.conn:  # the edit as an earlier FieldScribe stored it: words untouched
            project.db.conn.execute(
                "UPDATE segments SET text = ?, edited = 1 WHERE id = ?",
                ("Меня зовут [имя].", seg.id),
            )
        assert len(project.transcript.get_segment(seg.id).words) == 4
        export_transcript(project, session.id, "json", tmp_path / "t.json")
        body = (tmp_path / "t.json").read_text(encoding="utf-8")
        assert "Айгуль" not in body and "Сериковна" not in body
        (exported,) = json.loads(body)["segments"]
        assert [w["text"] for w in exported["words"]] == ["Меня", " зовут"]


VOCAB = ["Айгуль", "Меня", "зовут", "қалай", "әр", "city", "hall", "Алматы!", "да", "нет"]


@settings(max_examples=200, deadline=None)
@given(
    old=st.lists(st.sampled_from(VOCAB), max_size=12),
    new=st.lists(st.sampled_from(VOCAB), max_size=12),
)
def test_kept_words_are_words_of_the_new_text_in_order(old: list[str], new: list[str]) -> None:
    """Against a plain model: whatever the edit, every kept timing is a word the new text
    says, in the new text's order, and the kept timings are the old ones (none invented)."""
    words = [Word(i * 100, i * 100 + 90, (" " if i else "") + t, None) for i, t in enumerate(old)]
    kept = words_kept_by(" ".join(new), words)
    assert all(any(w is k for w in words) for k in kept)  # a subset, same objects
    assert [words.index(k) for k in kept] == sorted(words.index(k) for k in kept)
    # a subsequence of the new text's words (case-insensitive)
    said = iter(t.casefold() for t in new)
    assert all(any(k.text.strip().casefold() == t for t in said) for k in kept)
    # text unchanged: all kept; words only added around them: all kept
    assert words_kept_by(" ".join(old), words) == words
    assert words_kept_by(" ".join(["да", *old, "нет"]), words) == words
