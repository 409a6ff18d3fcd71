"""Words typed back into a segment by hand give a flagged span coding its span back.

A span coding whose words were deleted stays on its segment flagged "⚑ coded words deleted",
its memo quoting the words and their place. Before, typing those words back in the editor (the
lead restoring what a cut took) left it flagged on the whole segment for good. Now the edit
that types them back, as whole words, gives the coding its span on them: on the occurrence
the edit typed, never on the same words the text held already.

Checked against a model: the segment's words, each known by itself (the coded word also stands
elsewhere in the text, uncoded), edited at random (a word deleted, a fresh word typed, the
coded word typed back, or typed glued to other letters: not a whole word); the model says
which word the coding is on, or that it is flagged.
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from storage import Project, SegmentDraft
from storage.core.anchors import TextDiff, is_flagged
from storage.core.typed_back import typed_back

WORD = "клиника"

#: (what, where): delete a word, type a fresh word, type the coded word back, type it glued
EDIT = st.tuples(st.sampled_from(("delete", "fresh", "back", "back", "glued")), st.integers(0, 30))


def _place(words: list[str], k: int) -> tuple[int, int]:
    start = len(" ".join(words[:k])) + (1 if k else 0)
    return start, start + len(words[k])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    coded_second=st.booleans(),
    cut_first=st.booleans(),
    edits=st.lists(EDIT, min_size=1, max_size=12),
)
def test_a_flagged_span_comes_back_where_its_words_are_typed_back(
    coded_second: bool, cut_first: bool, edits: list[tuple[str, int]]
) -> None:
    # the model: the words, each with an identity; the coded one's identity, None when flagged
    words = ["Біз", WORD, "туралы", "сөйледік", WORD, "кеше"]
    ids = list(range(len(words)))
    fresh = iter(range(100, 10_000))
    coded: int | None = 4 if coded_second else 1
    with tempfile.TemporaryDirectory() as tmp:
        p = Project.create(Path(tmp) / "p.fieldscribe", coder="lead")
        session = p.sessions.add_session("Interview")
        (seg,) = p.transcript.add_segments(
            session.id, [SegmentDraft(0, 5000, " ".join(words), "S1")]
        )
        code = p.codebook.ensure_code_path("Services/Health")
        start, end = _place(words, ids.index(coded))
        coding = p.codebook.apply_code(seg.id, code.id, start_cp=start, end_cp=end)
        if cut_first:  # the coded word deleted first, then the edits
            edits = [("delete", 4 if coded_second else 1), *edits]
        for what, at in edits:
            if what == "delete":
                if len(words) < 2:
                    continue
                k = at % len(words)
                rest = words[:k] + words[k + 1 :]
                if any(a == b == WORD for a, b in itertools.pairwise(rest)):
                    continue  # two of the word side by side: which one went is anyone's guess
                del words[k], ids[k]
                if ids.count(coded) == 0:
                    event("the coded word deleted")
                    coded = None
            else:
                k = at % (len(words) + 1)
                n = next(fresh)
                if what == "fresh":
                    word = chr(0x4E00 + 2 * n) + chr(0x4E01 + 2 * n)
                elif what == "glued":
                    word = WORD + chr(0x4E00 + 2 * n)
                else:
                    word = WORD
                    if WORD in words[max(0, k - 1) : k + 1]:
                        continue  # beside the same word: not one place
                words.insert(k, word)
                ids.insert(k, n)
                if what == "back" and coded is None:
                    event("the coded word typed back")
                    coded = n  # typed back as a whole word: the coding is on it again
            p.transcript.update_segment(seg.id, text=" ".join(words))
            text = p.transcript.get_segment(seg.id).text
            assert text == " ".join(words)
            (now,) = p.codebook.codings()
            assert now.id == coding.id
            if coded is None:
                assert now.start_cp is None and is_flagged(now.memo), (text, now)
            else:
                assert (now.start_cp, now.end_cp) == _place(words, ids.index(coded)), (text, now)
                assert not is_flagged(now.memo)
        p.close()


def test_only_words_the_edit_typed_count() -> None:
    """The same words the text held before the edit are other words; a word the edit glued
    to other letters is not them; of two places typed, the one nearest the flag's."""
    diff = TextDiff("a clinics b", "a clinics b clinics")
    assert typed_back(diff, "clinics", 2) == (12, 19)
    assert typed_back(TextDiff("a b", "a bclinics"), "clinics", 2) is None
    assert typed_back(TextDiff("a b", "a clinicsb"), "clinics", 2) is None
    assert typed_back(TextDiff("a b", "a b"), "clinics", 2) is None
    two = TextDiff("x y z", "clinics x y z clinics")
    assert typed_back(two, "clinics", 13) == (14, 21)
    assert typed_back(two, "clinics", 1) == (0, 7)
    phrase = TextDiff("жол бар", "жол өте нашар бар")
    assert typed_back(phrase, "өте нашар", 4) == (4, 13)
