"""A coder's span codings arrive anchored in the coder's text; the project may show another.

An outside check found span codings that "slid onto other words after an edit": the coder coded
"clinics" in the transcript as it was; the lead (or another coder) had meanwhile reworded the
segment; the merge inserted the coding at the coder's code points into the lead's text, where
they covered "s about". A span coding that a merge writes must cover the same words in the text
the project shows, or, when those words are gone there, stay on its segment as a whole-segment
coding flagged "coded words deleted", never on other words.

The property tests check against a word-list model written here: the transcript is a list of
distinct words, each edit replaces a window of words, and the position of a word in the shown
text is computed from the word list, not by the code under test.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Project
from storage.core.anchors import is_flagged
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import team

# No two words (these and the fresh ones the tests type) share a letter: a word typed over
# another that shares letters counts as the same word corrected (``TextDiff.map_span``), so
# "w0" typed over with "w1" would keep its coding, which is the anchoring's rule, not a slide.
WORDS = ["al", "bo", "ёлка", "cu", "қыз", "di", "ev", "fn"]


def _span(project: Project, segment_id: str, what: str) -> dict[str, int]:
    text = project.transcript.get_segment(segment_id).text
    start = text.index(what)
    return {"start_cp": start, "end_cp": start + len(what)}


def _coded(project: Project, segment_id: str) -> list[tuple[str, str | None]]:
    """(coder, the words covered) of every coding on a segment; None for a whole-segment one."""
    text = project.transcript.get_segment(segment_id).text
    return sorted(
        (
            (c.coder, None if c.start_cp is None else text[c.start_cp : c.end_cp])
            for c in project.codebook.codings()
            if c.segment_id == segment_id
        ),
        key=lambda pair: (pair[0], pair[1] or ""),
    )


def test_a_span_coded_in_the_old_text_follows_its_words_into_the_lead_s_edit(
    tmp_path: Path,
) -> None:
    lead, segs, coders = team(tmp_path, "ann")
    ann = coders["ann"]
    code = ann.codebook.ensure_code_path("Services/Health")
    ann.codebook.apply_code(segs[1], code.id, **_span(ann, segs[1], "clinics"))
    lead.transcript.update_segment(segs[1], text="so, the segment number 1 talks about clinics")
    export_bundle(ann, tmp_path / "ann.fsbundle")
    merge_bundles(lead, [tmp_path / "ann.fsbundle"])
    assert _coded(lead, segs[1]) == [("ann", "clinics")]
    # merged again: nothing moves twice, nothing changes
    merge_bundles(lead, [tmp_path / "ann.fsbundle"])
    assert _coded(lead, segs[1]) == [("ann", "clinics")]
    assert lead.team.conflicts() == []
    for p in (lead, *coders.values()):
        p.close()


def test_two_coders_who_edited_one_segment_differently_keep_their_words(tmp_path: Path) -> None:
    lead, segs, coders = team(tmp_path, "ann", "bob")
    ann, bob = coders["ann"], coders["bob"]
    ann.transcript.update_segment(segs[1], text="segment number one talks about the clinics")
    code_a = ann.codebook.ensure_code_path("Services/Health")
    ann.codebook.apply_code(segs[1], code_a.id, **_span(ann, segs[1], "clinics"))
    bob.transcript.update_segment(segs[1], text="Segment no. 1 talks a lot about clinics")
    code_b = bob.codebook.ensure_code_path("Services/Health")
    bob.codebook.apply_code(segs[1], code_b.id, **_span(bob, segs[1], "talks"))
    export_bundle(ann, tmp_path / "ann.fsbundle")
    export_bundle(bob, tmp_path / "bob.fsbundle")
    merge_bundles(lead, [tmp_path / "ann.fsbundle", tmp_path / "bob.fsbundle"])
    assert _coded(lead, segs[1]) == [("ann", "clinics"), ("bob", "talks")]
    (conflict,) = lead.team.conflicts()
    shown = lead.transcript.get_segment(segs[1]).text
    # the lead keeps the text not shown: the spans follow their words again
    other = next(i for i, v in enumerate(conflict.versions) if v.values["text"] != shown)
    lead.team.resolve_conflict(conflict.id, keep=other)
    assert lead.transcript.get_segment(segs[1]).text != shown
    assert _coded(lead, segs[1]) == [("ann", "clinics"), ("bob", "talks")]
    for p in (lead, *coders.values()):
        p.close()


def _at(words: list[str], k: int) -> tuple[int, int]:
    """Where word ``k`` of ``words`` lies in ``" ".join(words)`` (the model)."""
    start = len(" ".join(words[:k])) + (1 if k else 0)
    return start, start + len(words[k])


def _ann_codes_word(folder: Path, coded: int) -> tuple[Project, list[str], Project]:
    """The lead's first segment reads ``WORDS``; Ann, starting from the lead's bundle, codes
    word ``coded`` of it and exports ``ann.fsbundle``. The lead, its segments and Ann."""
    lead, segs = team(folder)[:2]
    lead.transcript.update_segment(segs[0], text=" ".join(WORDS))
    export_bundle(lead, folder / "start.fsbundle")
    ann = Project.from_bundle(folder / "start.fsbundle", folder / "a.fieldscribe", coder="ann")
    code = ann.codebook.ensure_code_path("Services/Health")
    start, end = _at(WORDS, coded)
    ann.codebook.apply_code(segs[0], code.id, start_cp=start, end_cp=end)
    export_bundle(ann, folder / "ann.fsbundle")
    return lead, segs, ann


def _edit(words: list[str], at: int, n: int, fresh: list[str]) -> list[str]:
    return words[:at] + fresh + words[at + n :]


EDIT = st.tuples(st.integers(0, 8), st.integers(0, 3))


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    coded=st.integers(0, 7),
    lead_edit=EDIT,
    fresh=st.lists(st.sampled_from(["жер", "шөп", "gh", "tw"]), max_size=3, unique=True),
)
def test_a_coder_s_new_span_lands_on_its_word_in_the_lead_s_edited_text(
    tmp_path: Path, coded: int, lead_edit: tuple[int, int], fresh: list[str]
) -> None:
    """The coder codes word ``coded`` of the start text; the lead replaces another window of
    words; after the merge the coding covers that word exactly where the model puts it."""
    at, n = lead_edit
    if at <= coded < at + n:
        return
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    lead, segs, ann = _ann_codes_word(folder, coded)
    shown = _edit(WORDS, at, n, fresh)
    lead.transcript.update_segment(segs[0], text=" ".join(shown))
    merge_bundles(lead, [folder / "ann.fsbundle"])
    (coding,) = [c for c in lead.codebook.codings() if c.coder == "ann"]
    k = coded if coded < at else coded - n + len(fresh)
    if " ".join(shown) == WORDS[coded]:  # the word is the whole text: a whole-segment coding
        assert coding.start_cp is None
    else:
        assert (coding.start_cp, coding.end_cp) == _at(shown, k)
    lead.close()
    ann.close()


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ann_word=st.integers(0, 7),
    bob_word=st.integers(0, 7),
    ann_edit=EDIT,
    bob_edit=EDIT,
    bob_first=st.booleans(),
)
def test_two_coders_edits_and_spans_any_order(
    tmp_path: Path,
    ann_word: int,
    bob_word: int,
    ann_edit: tuple[int, int],
    bob_edit: tuple[int, int],
    bob_first: bool,
) -> None:
    """Ann and Bob each reword a window of the segment (with words only they use) and code a
    word of their own text. Whichever text the merge shows, each coding covers its word when
    the word is there (exactly where the model puts it), else it is a flagged whole-segment
    coding; never other words."""
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    lead, segs = team(folder)[:2]
    lead.transcript.update_segment(segs[0], text=" ".join(WORDS))
    export_bundle(lead, folder / "start.fsbundle")
    texts: dict[str, list[str]] = {}
    for name, edit, fresh, word in (
        ("ann", ann_edit, ["zx", "qj"], ann_word),
        ("bob", bob_edit, ["gh", "дөш", "пүр"], bob_word),
    ):
        p = Project.from_bundle(
            folder / "start.fsbundle", folder / f"{name}.fieldscribe", coder=name
        )
        words = _edit(WORDS, edit[0], edit[1], fresh[: edit[1] or 1])
        if words != WORDS:
            p.transcript.update_segment(segs[0], text=" ".join(words))
        texts[name] = words
        code = p.codebook.ensure_code_path("Services/Health")
        k = min(word, len(words) - 1)
        if " ".join(words) == words[k]:
            return  # a one-word text: the span would be the whole segment
        start, end = _at(words, k)
        p.codebook.apply_code(segs[0], code.id, start_cp=start, end_cp=end)
        texts[name + ":word"] = [words[k]]
        export_bundle(p, folder / f"{name}.fsbundle")
        p.close()
    order = ["bob", "ann"] if bob_first else ["ann", "bob"]
    merge_bundles(lead, [folder / f"{name}.fsbundle" for name in order])
    text = lead.transcript.get_segment(segs[0]).text
    shown = text.split(" ")
    assert shown in (texts["ann"], texts["bob"])
    for name in ("ann", "bob"):
        (coding,) = [c for c in lead.codebook.codings() if c.coder == name]
        (word,) = texts[name + ":word"]
        if word in shown and shown != texts[name]:
            # the word is there but may have been typed over by the other edit: the coding is
            # on it, or (its words were replaced) a flagged whole-segment coding
            if coding.start_cp is None:
                assert is_flagged(coding.memo)
            else:
                assert (coding.start_cp, coding.end_cp) == _at(shown, shown.index(word))
        elif word in shown:
            assert (coding.start_cp, coding.end_cp) == _at(shown, shown.index(word))
        else:
            assert coding.start_cp is None and is_flagged(coding.memo), (text, word, coding)
    lead.close()


def test_a_span_in_a_segment_the_lead_split_lands_in_the_part_that_holds_its_words(
    tmp_path: Path,
) -> None:
    lead, segs, coders = team(tmp_path, "ann")
    ann = coders["ann"]
    code = ann.codebook.ensure_code_path("Services/Health")
    for word in ("clinics", "number"):
        ann.codebook.apply_code(segs[1], code.id, **_span(ann, segs[1], word))
    text = lead.transcript.get_segment(segs[1]).text
    _left, right = lead.transcript.split_segment(segs[1], text.index("talks"))
    export_bundle(ann, tmp_path / "ann.fsbundle")
    merge_bundles(lead, [tmp_path / "ann.fsbundle"])
    assert _coded(lead, segs[1]) == [("ann", "number")]
    assert _coded(lead, right.id) == [("ann", "clinics")]
    before = _coded(lead, right.id)
    merge_bundles(lead, [tmp_path / "ann.fsbundle"])  # again: nothing moves
    assert _coded(lead, right.id) == before and _coded(lead, segs[1]) == [("ann", "number")]
    for p in (lead, *coders.values()):
        p.close()


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(1, 7), coded=st.integers(0, 7))
def test_spans_follow_their_words_into_the_parts_of_a_split(
    tmp_path: Path, cut: int, coded: int
) -> None:
    """Model: the lead splits the segment before word ``cut``; the coder's span on word
    ``coded`` (coded in the unsplit text) ends up on that word in the part that holds it."""
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    lead, segs, ann = _ann_codes_word(folder, coded)
    ann.close()
    left, right = lead.transcript.split_segment(segs[0], _at(WORDS, cut)[0])
    merge_bundles(lead, [folder / "ann.fsbundle"])
    (coding,) = [c for c in lead.codebook.codings() if c.coder == "ann"]
    part, words, k = (
        (left, WORDS[:cut], coded) if coded < cut else (right, WORDS[cut:], coded - cut)
    )
    assert coding.segment_id == part.id
    # on its word, even when the word is the whole part (words typed into it later stay outside)
    assert (coding.start_cp, coding.end_cp) == _at(words, k)
    lead.close()


def _placed(project: Project, segment_id: str) -> list[tuple[str, int | None, str]]:
    """(coder, start, words) of every coding on a segment; whole-segment: (coder, None, text)."""
    text = project.transcript.get_segment(segment_id).text
    return sorted(
        (
            (c.coder, c.start_cp, text if c.start_cp is None else text[c.start_cp : c.end_cp])
            for c in project.codebook.codings()
            if c.segment_id == segment_id
        ),
        key=lambda t: (t[0], t[1] or -1, t[2]),
    )


def test_codings_of_a_segment_the_lead_merged_into_the_one_before_follow_their_words(
    tmp_path: Path,
) -> None:
    """Segment 3 merged here into segment 2 (deleted here): the coder's span on its "clinics"
    and whole-segment coding land on segment 2, on segment 3's words, not on segment 2's own
    "clinics"; no segment comes back, no conflict; merged again, nothing changes."""
    lead, segs, coders = team(tmp_path, "ann")
    ann = coders["ann"]
    code = ann.codebook.ensure_code_path("Services/Health")
    other = ann.codebook.ensure_code_path("Trust")
    ann.codebook.apply_code(segs[3], code.id, **_span(ann, segs[3], "clinics"))
    ann.codebook.apply_code(segs[3], other.id)
    export_bundle(ann, tmp_path / "ann.fsbundle")
    first = lead.transcript.get_segment(segs[2]).text
    lead.transcript.merge_with_next(segs[2])
    (summary,) = merge_bundles(lead, [tmp_path / "ann.fsbundle"])
    assert summary.conflicts == 0 and lead.team.conflicts() == []
    offset = len(first) + 1
    tail = lead.transcript.get_segment(segs[2]).text[offset:]
    assert tail == "segment number 3 talks about clinics"
    assert _placed(lead, segs[2]) == sorted(
        [("ann", offset, tail), ("ann", offset + tail.index("clinics"), "clinics")],
        key=lambda t: (t[0], t[1] or -1, t[2]),
    )
    assert segs[3] not in {s.id for s in lead.transcript.segments(lead.sessions.all()[0].id)}
    from tests.teamwork_helpers import dump

    before = dump(lead.folder)
    merge_bundles(lead, [tmp_path / "ann.fsbundle"])
    assert dump(lead.folder) == before
    for p in (lead, *coders.values()):
        p.close()


def test_codings_of_a_transcript_transcribed_again_land_on_the_new_segments(
    tmp_path: Path,
) -> None:
    """The lead transcribes the session again (Whisper cut it into pairs of the old segments,
    which were untouched here, so they are replaced); the coder's codings of the old segments
    land on the new segments that hold their words."""
    from storage import SegmentDraft

    lead, segs, coders = team(tmp_path, "ann")
    ann = coders["ann"]
    code = ann.codebook.ensure_code_path("Services/Health")
    ann.codebook.apply_code(segs[1], code.id, **_span(ann, segs[1], "clinics"))
    ann.codebook.apply_code(segs[2], code.id)
    export_bundle(ann, tmp_path / "ann.fsbundle")
    session = lead.sessions.all()[0].id
    lead.transcription.begin_transcription(
        session, model="tiny", language="en", total_ms=6000, from_ms=0
    )
    drafts = [
        SegmentDraft(
            i * 2000,
            i * 2000 + 1900,
            f"segment number {2 * i} talks about clinics segment number {2 * i + 1} talks "
            "about clinics",
            "S1",
        )
        for i in range(3)
    ]
    new, removed = lead.transcription.add_transcribed(
        session, drafts, from_ms=0, done_ms=6000, final=True
    )
    lead.transcription.end_transcription(session, "done")
    assert removed == 6
    merge_bundles(lead, [tmp_path / "ann.fsbundle"])
    assert lead.team.conflicts() == []
    one = "segment number 0 talks about clinics "
    assert _placed(lead, new[0].id) == [("ann", len(one) + len(one) - 1 - 7, "clinics")]
    assert _placed(lead, new[1].id) == [("ann", 0, "segment number 2 talks about clinics")]
    for p in (lead, *coders.values()):
        p.close()


def test_a_merged_segment_whose_code_was_deleted_here_comes_back_as_before(
    tmp_path: Path,
) -> None:
    """The coder's coding of segment 3 (merged here into segment 2) uses a code deleted here:
    nothing is guessed, the bundle is not refused; segment and code come back as conflicts."""
    lead, segs, coders = team(tmp_path, "ann")
    ann = coders["ann"]
    code = ann.codebook.find_code("Services/Health")
    assert code is not None
    ann.codebook.apply_code(segs[3], code.id)
    export_bundle(ann, tmp_path / "ann.fsbundle")
    lead.transcript.merge_with_next(segs[2])
    lead.codebook.delete_code(code.id, force=True)
    merge_bundles(lead, [tmp_path / "ann.fsbundle"])
    kinds = sorted((c.table_name, c.kind) for c in lead.team.conflicts())
    assert kinds == [("codes", "delete"), ("segments", "delete")]
    assert _coded(lead, segs[3]) == [("ann", None)]
    for p in (lead, *coders.values()):
        p.close()


def test_a_whole_segment_coding_of_a_segment_the_lead_split_applies_to_every_part(
    tmp_path: Path,
) -> None:
    """As a split here does: the coder coded the whole utterance, which now is two segments.
    Agreement then compares the coder with a colleague who coded both parts."""
    lead, segs, coders = team(tmp_path, "ann", "bob")
    ann, bob = coders["ann"], coders["bob"]
    code = ann.codebook.ensure_code_path("Services/Health")
    ann.codebook.apply_code(segs[1], code.id)
    export_bundle(ann, tmp_path / "ann.fsbundle")
    text = lead.transcript.get_segment(segs[1]).text
    _left, right = lead.transcript.split_segment(segs[1], text.index("talks"))
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    merge_bundles(bob, [tmp_path / "lead2.fsbundle"])  # Bob codes the split transcript
    bob_code = bob.codebook.ensure_code_path("Services/Health")
    for seg in (segs[1], right.id):
        bob.codebook.apply_code(seg, bob_code.id)
    export_bundle(bob, tmp_path / "bob.fsbundle")
    merge_bundles(lead, [tmp_path / "ann.fsbundle", tmp_path / "bob.fsbundle"])
    assert _coded(lead, segs[1]) == [("ann", None), ("bob", None)]
    assert _coded(lead, right.id) == [("ann", None), ("bob", None)]
    from tests.teamwork_helpers import dump

    before = dump(lead.folder)
    merge_bundles(lead, [tmp_path / "bob.fsbundle", tmp_path / "ann.fsbundle"])
    assert dump(lead.folder) == before
    from analysis.agreement import compute_agreement

    report = compute_agreement(lead.team.agreement_data())
    (row,) = [c for c in report.codes if c.code_path == "Services/Health"]
    assert row.percent.value == 1.0
    for p in (lead, *coders.values()):
        p.close()
