"""The vectorised agreement against a brute-force reference on random data, and its loading."""

from __future__ import annotations

import random
from itertools import combinations
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from analysis.agreement import compute_agreement, disagreements, percent_agreement
from storage import AgreementData, Project, SegmentDraft


def _random_data(seed: int) -> AgreementData:
    rng = random.Random(seed)
    n_seg = rng.randint(3, 25)
    sessions = [f"s{rng.randrange(3)}" for _ in range(n_seg)]
    coders = sorted(rng.sample(["ann", "ben", "cat", "dan"], rng.randint(2, 4)))
    segments = [
        (f"g{i}", sessions[i], rng.choice([0, 4, 10, 30]), i * 1000, i * 1000 + 900)
        for i in range(n_seg)
    ]
    codes = {f"c{j}": f"Code {j}" for j in range(rng.randint(1, 3))}
    codings: list[tuple[str, str, str, int | None, int | None]] = []
    for _ in range(rng.randint(0, 70)):
        seg = rng.randrange(n_seg)
        start: int | None = None
        end: int | None = None
        if rng.random() < 0.4:
            start = rng.randint(0, 12)
            end = start + rng.randint(1, 12)
        codings.append((f"g{seg}", rng.choice(list(codes)), rng.choice(coders), start, end))
    codings = list(dict.fromkeys(codings))
    return AgreementData(coders, segments, codings, codes)


def _used(data: AgreementData, among: list[str] | None = None) -> list[str]:
    """The codes pooled as "all codes": those one of the coders ``among`` applied."""
    among = among or data.coders
    return sorted(
        c for c in data.codes if any(c == k and w in among for _s, k, w, *_ in data.codings)
    )


def _dense(data: AgreementData, code: str | None, among: list[str] | None = None) -> np.ndarray:
    session_of = {s[0]: s[1] for s in data.segments}
    worked = {(who, session_of[seg]) for seg, _c, who, _a, _b in data.codings}
    applied = {(seg, c, who) for seg, c, who, _a, _b in data.codings}
    codes = [code] if code else _used(data, among)
    return np.array(
        [
            [
                np.nan if (who, sess) not in worked else float((seg, c, who) in applied)
                for c in codes
                for seg, sess, *_ in data.segments
            ]
            for who in data.coders
        ]
    )


def _points(data: AgreementData, seg: str, code: str, who: str) -> set[int]:
    length = {s[0]: s[2] for s in data.segments}[seg]
    points: set[int] = set()
    for s, c, w, a, b in data.codings:
        if (s, c, w) == (seg, code, who):
            points |= set(range(0, length) if a is None or b is None else range(a, b))
    return points


def _overlap(data: AgreementData, code: str | None) -> tuple[int, int]:
    session_of = {s[0]: s[1] for s in data.segments}
    worked = {(who, session_of[seg]) for seg, _c, who, _a, _b in data.codings}
    inter = union = 0
    for c in [code] if code else _used(data):
        for seg, sess, *_ in data.segments:
            raters = [who for who in data.coders if (who, sess) in worked]
            for a, b in combinations(raters, 2):
                pa, pb = _points(data, seg, c, a), _points(data, seg, c, b)
                inter += len(pa & pb)
                union += len(pa | pb)
    return inter, union


@pytest.mark.parametrize("seed", range(25))
def test_vectorised_report_matches_brute_force(seed: int) -> None:
    data = _random_data(seed)
    report = compute_agreement(data)
    for entry in [*report.codes, report.overall]:
        matrix = _dense(data, entry.code_id)
        rated = ~np.isnan(matrix)
        pairs_rated = rated.sum(axis=0)
        assert entry.units == int((pairs_rated >= 2).sum())
        if entry.units:
            assert entry.percent.value == pytest.approx(percent_agreement(matrix).value)
            values = matrix[rated]
            if len(set(values[pairs_rated[np.nonzero(rated)[1]] >= 2])) > 1:
                assert entry.alpha.value == pytest.approx(
                    krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
                )
        inter, union = _overlap(data, entry.code_id)
        if union:
            assert entry.overlap.value == pytest.approx(inter / union)
        else:
            assert entry.overlap.value is None
        if entry.code_id is not None:
            expected = {
                who: len(
                    {seg for seg, c, w, _a, _b in data.codings if (c, w) == (entry.code_id, who)}
                )
                for who in data.coders
            }
            assert entry.applied == {k: v for k, v in expected.items() if v}
    for a, b in combinations(range(len(data.coders)), 2):
        both = _dense(data, None, [data.coders[a], data.coders[b]])[[a, b]]
        keep = ~np.isnan(both).any(axis=0)
        pair = report.pairwise_kappa[f"{data.coders[a]} / {data.coders[b]}"]
        x, y = both[0, keep], both[1, keep]
        if keep.any() and len(set(x) | set(y)) > 1:
            assert pair.value == pytest.approx(cohen_kappa_score(x, y))


@pytest.mark.parametrize("seed", range(10))
def test_disagreements_match_brute_force(seed: int) -> None:
    data = _random_data(seed)
    session_of = {s[0]: s[1] for s in data.segments}
    worked = {(who, session_of[seg]) for seg, _c, who, _a, _b in data.codings}
    expected = set()
    for seg, sess, *_ in data.segments:
        raters = [who for who in data.coders if (who, sess) in worked]
        for code in data.codes:
            spans = {who: frozenset(_points(data, seg, code, who)) for who in raters}
            appliers = {who for s, c, who, _a, _b in data.codings if (s, c) == (seg, code)}
            if (
                len(raters) >= 2
                and appliers
                and (appliers != set(raters) or len({spans[w] for w in appliers}) > 1)
            ):
                expected.add((seg, code))
    found = disagreements(data)
    assert {(d.segment_id, d.code_id) for d in found} == expected
    for d in found:
        assert set(d.applied_by) == {
            who for s, c, who, _a, _b in data.codings if (s, c) == (d.segment_id, d.code_id)
        }
        assert set(d.not_applied_by) == {
            who for who in data.coders if (who, session_of[d.segment_id]) in worked
        } - set(d.applied_by)


def test_agreement_data_without_texts_and_with_filters(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.fieldscribe", coder="lead") as p:
        one = p.sessions.add_session("One")
        two = p.sessions.add_session("Two")
        three = p.sessions.add_session("Three (nobody coded it)")
        segs1 = p.transcript.add_segments(
            one.id, [SegmentDraft(i * 1000, i * 1000 + 500, f"a {i}") for i in range(4)]
        )
        segs2 = p.transcript.add_segments(
            two.id, [SegmentDraft(i * 1000, i * 1000 + 500, f"bb {i}") for i in range(3)]
        )
        p.transcript.add_segments(three.id, [SegmentDraft(0, 500, "never coded")])
        trust = p.codebook.ensure_code_path("Trust")
        cost = p.codebook.ensure_code_path("Cost")
        p.codebook.apply_code(segs1[0].id, trust.id, coder="ann")
        p.codebook.apply_code(segs1[1].id, cost.id, coder="ann", start_cp=0, end_cp=1)
        p.codebook.apply_code(segs1[0].id, trust.id, coder="ben")
        p.codebook.apply_code(segs2[2].id, trust.id, coder="ben")
        full = p.team.agreement_data()
        lean = p.team.agreement_data(with_texts=False)
        assert lean.texts == {} and lean.speakers == {}
        assert (lean.coders, lean.segments, lean.codes) == (full.coders, full.segments, full.codes)
        assert sorted(lean.codings) == sorted(full.codings)
        assert full.texts[segs2[0].id] == "bb 0"
        # the session nobody coded is out of scope; segments in time order per session
        assert {s[1] for s in full.segments} == {one.id, two.id}
        assert [s[0] for s in full.segments if s[1] == one.id] == [s.id for s in segs1]
        assert [s[2] for s in full.segments if s[1] == two.id] == [4, 4, 4]
        only_ann = p.team.agreement_data(coders=["ann"])
        assert {s[1] for s in only_ann.segments} == {one.id}
        assert {c[2] for c in only_ann.codings} == {"ann"}
        only_cost = p.team.agreement_data(code_ids=[cost.id])
        assert only_cost.codes == {cost.id: "Cost"}
        assert [c[1:] for c in only_cost.codings] == [(cost.id, "ann", 0, 1)]
        assert {s[1] for s in only_cost.segments} == {one.id, two.id}
        session_two = p.team.agreement_data(session_ids=[two.id])
        assert {s[1] for s in session_two.segments} == {two.id}
        assert session_two.codings == [(segs2[2].id, trust.id, "ben", None, None)]
        report = compute_agreement(lean)
        assert report.coders == ["ann", "ben"]
        (trust_entry,) = [c for c in report.codes if c.code_id == trust.id]
        # session one: both coded it (4 units); session two: only ben did (no pair)
        assert trust_entry.units == 4 and trust_entry.applied == {"ann": 1, "ben": 2}
