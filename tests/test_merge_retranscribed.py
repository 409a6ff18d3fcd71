"""Codings of segments the lead transcribed again, when the new text is not the old one.

A coder coded a word of an old segment; the lead transcribed the session again (new segments,
each holding two old ones) and the new text differs from the old: a word reworded, the coded
word's typo fixed, the coded word typed over, or said twice. Before, any difference in the
segment's text brought the old segment back as a "deleted by one, still used" conflict, even
when the coded word was there, once, unchanged. Now a coding follows its words when they are
in the new segments as they were, once in the old segment's time, or edited into the same word
(the anchoring's rule); otherwise the conflict stays.

The model here tracks each word of the new text: which old segment and word it came from, or
that it was typed; it says where the coded word is, or that it is gone or said twice.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from storage import SegmentDraft
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import team

TYPOS = {"segment": "segmnt", "number": "numbr", "talks": "talk", "about": "abuot",
         "clinics": "clinic"}  # fmt: skip
FRESH = ["жер", "шөп", "қыз", "үй"]  # no letter shared with the old words


def _old_words(i: int) -> list[str]:
    return ["segment", "number", str(i), "talks", "about", "clinics"]


def _at(words: list[str], k: int) -> tuple[int, int]:
    start = len(" ".join(words[:k])) + (1 if k else 0)
    return start, start + len(words[k])


@settings(
    max_examples=14, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    k=st.integers(0, 5),
    j=st.sampled_from([0, 1, 3, 4, 5]),
    mode=st.sampled_from(["reword_other", "typo", "typed_over", "repeated"]),
    other=st.integers(0, 5),
    fresh=st.sampled_from(FRESH),
)
@example(k=1, j=5, mode="typo", other=0, fresh="жер")
@example(k=1, j=5, mode="typo", other=0, fresh="үй")  # seg 0's "clinics" looked nearer in time
@example(k=1, j=5, mode="reword_other", other=0, fresh="үй")
@example(k=3, j=0, mode="repeated", other=0, fresh="жер")
@example(k=2, j=5, mode="reword_other", other=1, fresh="шөп")
def test_a_coding_follows_its_word_into_the_new_transcription_or_is_a_conflict(
    tmp_path: Path, k: int, j: int, mode: str, other: int, fresh: str
) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    lead, segs, coders = team(folder, "ann")
    ann = coders["ann"]
    code = ann.codebook.ensure_code_path("Services/Health")
    start, end = _at(_old_words(k), j)
    ann.codebook.apply_code(segs[k], code.id, start_cp=start, end_cp=end)
    export_bundle(ann, folder / "ann.fsbundle")

    # the model: old segment k's words as the lead's new transcription says them
    words = _old_words(k)
    expected: int | None = j  # the index in ``words`` of the coded word, None when lost
    if other == j or other == 2:
        other = (j + 1) % 6 if (j + 1) % 6 != 2 else (j + 2) % 6
    if mode == "reword_other":
        words[other] = fresh
    elif mode == "typo":
        words[j] = TYPOS[words[j]]
        words[other] = fresh
    elif mode == "typed_over":
        words[j] = fresh
        expected = None
    else:  # repeated: said again a word later (the old text is no longer in the new one)
        words.insert(j + 2 if j < 4 else j - 1, words[j])
        expected = None
    pair = k // 2
    texts = [" ".join(_old_words(2 * pair)), " ".join(_old_words(2 * pair + 1))]
    texts[k % 2] = " ".join(words)
    session = lead.sessions.all()[0].id
    lead.transcription.begin_transcription(
        session, model="tiny", language="en", total_ms=6000, from_ms=0
    )
    drafts = [
        SegmentDraft(
            i * 2000,
            i * 2000 + 1900,
            " ".join(texts) if i == pair else " ".join(_old_words(2 * i) + _old_words(2 * i + 1)),
            "S1",
        )
        for i in range(3)
    ]
    new, _removed = lead.transcription.add_transcribed(
        session, drafts, from_ms=0, done_ms=6000, final=True
    )
    lead.transcription.end_transcription(session, "done")
    merge_bundles(lead, [folder / "ann.fsbundle"])

    (coding,) = [c for c in lead.codebook.codings() if c.coder == "ann"]
    if expected is None:
        kinds = {(c.table_name, c.kind) for c in lead.team.conflicts()}
        assert ("segments", "delete") in kinds
        assert coding.segment_id == segs[k]
    else:
        offset = 0 if k % 2 == 0 else len(texts[0]) + 1
        s, e = _at(words, expected)
        assert lead.team.conflicts() == []
        assert (coding.segment_id, coding.start_cp, coding.end_cp) == (
            new[pair].id,
            offset + s,
            offset + e,
        ), (mode, words)
    for p in (lead, *coders.values()):
        p.close()


def test_a_whole_segment_coding_follows_its_reworded_words(tmp_path: Path) -> None:
    """The coder coded all of old segment 3; the new transcription says one of its words
    differently: the coding covers old segment 3's words in the new segment, reworded one
    included, and nothing of segment 2."""
    lead, segs, coders = team(tmp_path, "ann")
    ann = coders["ann"]
    code = ann.codebook.ensure_code_path("Services/Health")
    ann.codebook.apply_code(segs[3], code.id)
    export_bundle(ann, tmp_path / "ann.fsbundle")
    session = lead.sessions.all()[0].id
    lead.transcription.begin_transcription(
        session, model="tiny", language="en", total_ms=6000, from_ms=0
    )
    first = " ".join(_old_words(2))
    second = "segment number 3 speaks about clinics"
    drafts = [
        SegmentDraft(i * 2000, i * 2000 + 1900, f"{first} {second}" if i == 1 else "x y", "S1")
        for i in range(3)
    ]
    new, _removed = lead.transcription.add_transcribed(
        session, drafts, from_ms=0, done_ms=6000, final=True
    )
    lead.transcription.end_transcription(session, "done")
    merge_bundles(lead, [tmp_path / "ann.fsbundle"])
    assert lead.team.conflicts() == []
    (coding,) = [c for c in lead.codebook.codings() if c.coder == "ann"]
    text = lead.transcript.get_segment(new[1].id).text
    assert coding.segment_id == new[1].id and coding.start_cp is not None
    assert text[coding.start_cp : coding.end_cp] == second
    for p in (lead, *coders.values()):
        p.close()
