"""A span coding flagged at the lead ("⚑ coded words deleted") gets its span back when a
merge shows a text that holds its words again (found by tests/test_merge_two_coders_model.py:
bob's span on his word, which the lead's text held again from ann's bundle, stayed a flagged
whole-segment coding)."""

from __future__ import annotations

import itertools
import sqlite3
import time
import zipfile
from pathlib import Path

import pytest

from analysis.agreement import compute_agreement
from storage import SCHEMA_VERSION, Project
from storage.core.anchors import is_flagged
from storage.history.undo import UndoScope
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import send, team
from tests.test_bundle_robustness import old_bundle


@pytest.mark.parametrize(
    ("typed_at", "lead_typed_first"), [("end", False), ("start", False), ("end", True)]
)
def test_a_flagged_span_comes_back_on_its_words_from_a_merged_text(
    tmp_path: Path, typed_at: str, lead_typed_first: bool
) -> None:
    """bob codes "clinics"; ann takes it from the lead; the lead cuts the segment short before
    "clinics" (bob's span flagged there) while ann, offline, types a word into the text she
    has, "clinics" in it: her newer text is shown at the lead (a text conflict), and bob's
    coding is on "clinics" there again, unflagged, wherever ann's typing moved it, and
    wherever the lead's text had it when its words went (``lead_typed_first``: the flag
    records another place than ann's text has them)."""
    lead, segs, coders = team(tmp_path, "ann", "bob")
    a, b = coders["ann"], coders["bob"]
    health = b.codebook.find_code("Services/Health")
    assert health is not None
    text = b.transcript.get_segment(segs[0]).text
    start = text.index("clinics")
    coding = b.codebook.apply_code(segs[0], health.id, start_cp=start, end_cp=start + 7)
    send(b, lead, tmp_path)
    send(lead, a, tmp_path)
    if lead_typed_first:
        lead.transcript.update_segment(segs[0], text="Yes: " + text)
    lead.transcript.update_segment(segs[0], text="segment number 0 talks")
    (flagged,) = lead.codebook.codings()
    assert flagged.start_cp is None and is_flagged(flagged.memo)
    time.sleep(0.005)  # versions are millisecond times: ann's edit is the newer one
    ann_text = text + " today" if typed_at == "end" else "Well, " + text
    a.transcript.update_segment(segs[0], text=ann_text)
    send(a, lead, tmp_path)
    shown = lead.transcript.get_segment(segs[0]).text
    assert shown == ann_text  # the newer side of the text conflict
    (back,) = lead.codebook.codings()
    assert back.id == coding.id and back.start_cp is not None, back.memo
    assert shown[back.start_cp : back.end_cp] == "clinics"
    assert not is_flagged(back.memo)
    for p in (lead, a, b):
        p.close()


def test_a_whole_segment_coding_clears_the_flag_of_the_same_coding(tmp_path: Path) -> None:
    """bob's span on "clinics" is flagged at the lead (the lead cut the word). Coding the
    whole segment with the same code clears the flag of his one coding of it there: it kept
    "⚑ coded words deleted" on a segment bob had coded whole on purpose. A whole-segment coding
    of his that arrives while his copy still has the span keeps the flag at the lead: the span
    lives in his copy, and the flag brings it back on its words if the lead keeps a text that
    holds them (the model test found clearing it there lost the span for good)."""
    lead, segs, coders = team(tmp_path, "bob")
    b = coders["bob"]
    health = b.codebook.find_code("Services/Health")
    assert health is not None
    text = b.transcript.get_segment(segs[0]).text
    start = text.index("clinics")
    span = b.codebook.apply_code(
        segs[0], health.id, start_cp=start, end_cp=start + 7, memo="named twice"
    )
    send(b, lead, tmp_path)
    lead.transcript.update_segment(segs[0], text="segment number 0 talks")
    b.codebook.apply_code(segs[0], health.id)  # his span still a span in his copy
    send(b, lead, tmp_path)
    (coding,) = lead.codebook.codings()
    assert coding.id == span.id and is_flagged(coding.memo)
    send(lead, b, tmp_path)  # the lead's text: his span flagged
    (flagged,) = b.codebook.codings()
    assert flagged.id == span.id and is_flagged(flagged.memo)
    again = b.codebook.apply_code(segs[0], health.id)  # on purpose, on the whole segment
    assert (again.id, again.start_cp, again.memo) == (span.id, None, "named twice")
    send(b, lead, tmp_path)
    (coding,) = lead.codebook.codings()
    assert (coding.id, coding.start_cp, coding.memo) == (span.id, None, "named twice")
    for p in (lead, b):
        p.close()


def test_a_whole_segment_coding_comes_in_when_its_flagged_twin_goes(tmp_path: Path) -> None:
    """bob's span flagged at the lead; bob codes the segment whole and removes his span, in one
    bundle: his whole-segment coding is at the lead (it was not added while the flagged span
    held its place, and the span's removal then left none, until his next bundle)."""
    lead, segs, coders = team(tmp_path, "bob")
    b = coders["bob"]
    health = b.codebook.find_code("Services/Health")
    assert health is not None
    text = b.transcript.get_segment(segs[0]).text
    start = text.index("clinics")
    span = b.codebook.apply_code(segs[0], health.id, start_cp=start, end_cp=start + 7)
    send(b, lead, tmp_path)
    lead.transcript.update_segment(segs[0], text="segment number 0 talks")
    whole = b.codebook.apply_code(segs[0], health.id)
    b.codebook.remove_coding(span.id)
    send(b, lead, tmp_path)
    assert [(c.id, c.start_cp, c.memo) for c in lead.codebook.codings()] == [(whole.id, None, None)]
    for p in (lead, b):
        p.close()


def _code_points(project: Project, coder: str, texts: dict[str, str]) -> dict[str, set[int]]:
    """The model of a coder's choices: the code points of each segment of the lead's texts
    that the coder's own copy codes (a whole-segment coding: all of them; a span: its word,
    found in the lead's text, or all of them where the lead's text lacks it: flagged)."""
    points: dict[str, set[int]] = {}
    for c in project.codebook.codings(coder=coder):
        text = texts[c.segment_id]
        if c.start_cp is None:
            covered = set(range(len(text)))
        else:
            word = project.transcript.get_segment(c.segment_id).text[c.start_cp : c.end_cp]
            at = text.find(word)
            covered = set(range(len(text))) if at < 0 else set(range(at, at + len(word)))
        points.setdefault(c.segment_id, set()).update(covered)
    return points


def _agreement_is_the_models(lead: Project, ann: Project, bob: Project, segs: list[str]) -> None:
    """The lead's agreement (span overlap, percent agreement, Cohen's kappa: one code, units
    its segments) equals the textbook figures of what ann and bob chose in their own copies."""
    texts = {s: lead.transcript.get_segment(s).text for s in segs}
    a, b = _code_points(ann, "ann", texts), _code_points(bob, "bob", texts)
    inter = sum(len(a.get(s, set()) & b.get(s, set())) for s in texts)
    union = sum(len(a.get(s, set()) | b.get(s, set())) for s in texts)
    va, vb = [int(s in a) for s in texts], [int(s in b) for s in texts]
    n = len(texts)
    po = sum(x == y for x, y in zip(va, vb, strict=True)) / n
    pa, pb = sum(va) / n, sum(vb) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    report = compute_agreement(lead.team.agreement_data())
    assert report.overall.overlap.value == pytest.approx(inter / union)
    assert report.overall.percent.value == pytest.approx(po)
    assert report.overall.kappa.value == pytest.approx((po - pe) / (1 - pe))


def _held(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM held_codings").fetchone()[0])
    finally:
        conn.close()


def _made_old(project: Project) -> Path:
    """Close ``project`` and make its database one of schema 0011 (before ``held_codings``),
    as FieldScribe before it left it; its folder."""
    folder = project.folder
    project.close()
    conn = sqlite3.connect(folder / "project.db")
    conn.execute("DROP TABLE held_codings")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0012_held_codings'")
    conn.execute("PRAGMA user_version = 11")
    conn.commit()
    conn.close()
    return folder


@pytest.mark.parametrize(
    ("how", "old"),
    [
        ("merged text", ""),
        ("lead keeps bob's text", ""),
        ("lead types the word back", ""),
        ("merged text", "old bundles"),
        ("merged text", "old lead project"),
    ],
)
def test_a_whole_segment_coding_held_by_its_flagged_twin_comes_in_with_the_span(
    tmp_path: Path, how: str, old: str
) -> None:
    """bob's span on "clinics" is flagged at the lead (the lead cut the word), and his
    whole-segment coding of the same code arrives meanwhile: it cannot be a second coding of
    the segment, code and coder beside the flagged one, so it waits at the lead
    (``held_codings``). When the lead's text holds "clinics" again (ann's newer text merged,
    the lead keeping bob's text in a conflict, or the lead typing the word back), the span
    is back and the whole-segment coding with it, as bob sent it. Before, it was missing
    until bob's next bundle, and agreement in between read bob's "clinics" for his whole
    segment (on it, overlap 7/42 with ann's whole-segment coding instead of 1.0). Bundles
    of schema 0011 and a lead project made before the table (migrated on opening) work the
    same."""
    lead, segs, coders = team(tmp_path, "ann", "bob")
    a, b = coders["ann"], coders["bob"]
    if old == "old lead project":
        lead = Project.open(_made_old(lead))
        assert lead.schema_version == SCHEMA_VERSION
    n = itertools.count()

    def to_lead(p: Project) -> None:
        path = tmp_path / f"{next(n)}.fsbundle"
        export_bundle(p, path)
        if old == "old bundles":
            path = old_bundle(path, tmp_path / f"{next(n)}-old.fsbundle", SCHEMA_VERSION - 1)
        merge_bundles(lead, [path])

    health = b.codebook.find_code("Services/Health")
    assert health is not None
    text = b.transcript.get_segment(segs[0]).text
    start = text.index("clinics")
    a.codebook.apply_code(segs[0], health.id)
    to_lead(a)
    span = b.codebook.apply_code(segs[0], health.id, start_cp=start, end_cp=start + 7)
    b.codebook.apply_code(segs[2], health.id)  # so that kappa is defined
    to_lead(b)
    send(lead, a, tmp_path)
    if how == "lead keeps bob's text":  # bob's own wording, the older side of a text conflict
        b.transcript.update_segment(segs[0], text=text + ", yes")
        time.sleep(0.005)
    lead.transcript.update_segment(segs[0], text="segment number 0 talks")
    _agreement_is_the_models(lead, a, b, segs)  # flagged: the whole segment
    whole = b.codebook.apply_code(segs[0], health.id)
    to_lead(b)
    (flagged,) = lead.codebook.codings(coder="bob", segment_id=segs[0])
    assert flagged.id == span.id and is_flagged(flagged.memo)
    assert _held(lead.folder / "project.db") == 1
    _agreement_is_the_models(lead, a, b, segs)
    export_bundle(lead, tmp_path / "lead2.fsbundle")  # the lead's waiting row stays home
    with zipfile.ZipFile(tmp_path / "lead2.fsbundle") as zf:
        zf.extract("project.db", tmp_path / "lead2")
    assert _held(tmp_path / "lead2" / "project.db") == 0
    if how == "merged text":
        time.sleep(0.005)
        a.transcript.update_segment(segs[0], text=text + " today")
        to_lead(a)
    elif how == "lead keeps bob's text":
        for listed in lead.team.conflicts():  # the text's, and the coding's (moved, flagged)
            conflict = lead.team.get_conflict(listed.id)
            if conflict.status == "open":
                keep = next(i for i, v in enumerate(conflict.versions) if v.author == "bob")
                lead.team.resolve_conflict(conflict.id, keep=keep)
    else:
        lead.transcript.update_segment(segs[0], text="segment number 0 talks about clinics")
    _agreement_is_the_models(lead, a, b, segs)  # the step that read bob's word alone
    shown = lead.transcript.get_segment(segs[0]).text
    at_lead = {c.id: c for c in lead.codebook.codings(coder="bob", segment_id=segs[0])}
    assert set(at_lead) == {span.id, whole.id}
    assert shown[at_lead[span.id].start_cp : at_lead[span.id].end_cp] == "clinics"
    assert not is_flagged(at_lead[span.id].memo)
    (bobs,) = [c for c in b.codebook.codings(segment_id=segs[0]) if c.start_cp is None]
    assert at_lead[whole.id] == bobs  # as bob sent it: its id, memo and version
    assert _held(lead.folder / "project.db") == 0
    to_lead(b)  # bob's next bundle: nothing new
    assert {c.id: c for c in lead.codebook.codings(coder="bob", segment_id=segs[0])} == at_lead
    _agreement_is_the_models(lead, a, b, segs)
    for p in (lead, a, b):
        p.close()


def test_a_span_comes_in_flagged_when_the_whole_segment_coding_that_held_it_goes(
    tmp_path: Path,
) -> None:
    """bob codes a segment whole and sends; the lead cuts "clinics" out of its text; bob codes
    "clinics" and sends: his whole-segment coding of the code holds the span at the lead (one
    per segment, code and coder). bob then removes his whole-segment coding and sends: his
    span, live in his copy, is at the lead, flagged "coded words deleted" (it was missing
    there, and every later bundle of bob's brought it and dropped it again)."""
    lead, segs, coders = team(tmp_path, "bob")
    b = coders["bob"]
    health = b.codebook.find_code("Services/Health")
    assert health is not None
    whole = b.codebook.apply_code(segs[0], health.id)
    send(b, lead, tmp_path)
    lead.transcript.update_segment(segs[0], text="segment number 0 talks")
    text = b.transcript.get_segment(segs[0]).text
    start = text.index("clinics")
    span = b.codebook.apply_code(segs[0], health.id, start_cp=start, end_cp=start + 7)
    send(b, lead, tmp_path)
    assert [(c.id, c.start_cp) for c in lead.codebook.codings()] == [(whole.id, None)]
    b.codebook.remove_coding(whole.id)
    for _again in range(2):  # and the next bundle leaves it as it is
        send(b, lead, tmp_path)
        [coding] = lead.codebook.codings()
        assert (coding.id, coding.coder, coding.start_cp) == (span.id, "bob", None)
        assert is_flagged(coding.memo) and "clinics" in (coding.memo or "")
    for p in (lead, b):
        p.close()


@pytest.mark.parametrize("first", ["codings", "segments"])
def test_a_flagged_span_comes_back_where_the_coders_text_holds_its_words(
    tmp_path: Path, first: str
) -> None:
    """bob types "Yes: " before his coded "clinics" (his span moves to 34-41); the lead, later,
    cuts "clinics" (his span flagged there, the flag recording 29-36). The lead keeps bob's
    versions, of the coding and of the text, in either order: his span is on "clinics" where
    his text has it. Before, it stayed flagged: only the flag's place was checked, and bob's
    text holds other words there."""
    lead, segs, coders = team(tmp_path, "bob")
    b = coders["bob"]
    health = b.codebook.find_code("Services/Health")
    assert health is not None
    text = b.transcript.get_segment(segs[0]).text
    start = text.index("clinics")
    span = b.codebook.apply_code(segs[0], health.id, start_cp=start, end_cp=start + 7)
    send(b, lead, tmp_path)
    b.transcript.update_segment(segs[0], text="Yes: " + text)
    time.sleep(0.005)  # the lead's cut is the newer side of the text conflict
    lead.transcript.update_segment(segs[0], text="segment number 0 talks")
    send(b, lead, tmp_path)
    (flagged,) = lead.codebook.codings()
    assert is_flagged(flagged.memo) and "29-36" in (flagged.memo or "")
    conflicts = [lead.team.get_conflict(c.id) for c in lead.team.conflicts()]
    assert sorted(c.table_name for c in conflicts) == ["codings", "segments"]
    for conflict in sorted(conflicts, key=lambda c: c.table_name != first):
        keep = next(i for i, v in enumerate(conflict.versions) if v.author == "bob")
        lead.team.resolve_conflict(conflict.id, keep=keep)
    shown = lead.transcript.get_segment(segs[0]).text
    assert shown == "Yes: " + text
    (back,) = lead.codebook.codings()
    assert (back.id, back.start_cp, back.end_cp) == (span.id, start + 5, start + 12)
    assert not is_flagged(back.memo)
    for p in (lead, b):
        p.close()


def test_undoing_the_words_typed_back_holds_the_whole_segment_coding_again(tmp_path: Path) -> None:
    """The lead types bob's cut word back (his span back on it, his whole-segment coding in)
    and undoes it: his span is flagged again and his whole-segment coding waits again,
    without a tombstone (a tombstone would delete it in bob's copy: the lead's undo is no
    removal of his); redo brings both back."""
    lead, segs, coders = team(tmp_path, "bob")
    b = coders["bob"]
    health = b.codebook.find_code("Services/Health")
    assert health is not None
    span = b.codebook.apply_code(segs[0], health.id, start_cp=29, end_cp=36)
    send(b, lead, tmp_path)
    text = lead.transcript.get_segment(segs[0]).text
    lead.transcript.update_segment(segs[0], text="segment number 0 talks")
    whole = b.codebook.apply_code(segs[0], health.id)
    send(b, lead, tmp_path)
    before = lead.codebook.codings()
    _, record = lead.history.record_edit(
        UndoScope.of(segments=[segs[0]]),
        lambda: lead.transcript.update_segment(segs[0], text=text),
    )
    after = lead.codebook.codings()
    assert {c.id for c in after} == {span.id, whole.id}
    lead.history.undo_edit(record)
    assert [(c.id, c.start_cp, c.memo) for c in lead.codebook.codings()] == [
        (c.id, c.start_cp, c.memo) for c in before
    ]
    assert _held(lead.folder / "project.db") == 1
    tombstones = sqlite3.connect(lead.folder / "project.db").execute(
        "SELECT count(*) FROM deletions WHERE row_id = ?", (whole.id,)
    )
    assert tombstones.fetchone()[0] == 0
    lead.history.redo_edit(record)
    assert {c.id for c in lead.codebook.codings()} == {span.id, whole.id}
    assert _held(lead.folder / "project.db") == 0
    send(lead, b, tmp_path)
    assert {c.id for c in b.codebook.codings()} == {span.id, whole.id}
    for p in (lead, b):
        p.close()
