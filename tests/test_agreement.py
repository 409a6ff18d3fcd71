"""Inter-coder agreement against independent implementations and textbook cases."""

from __future__ import annotations

import json
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from analysis.agreement import (
    cohen_kappa,
    compute_agreement,
    disagreements,
    krippendorff_alpha_nominal,
    percent_agreement,
)
from cli import main as cli_main
from storage import AgreementData, Project, SegmentDraft

NAN = np.nan


# --------------------------------------------------------------------------- textbook cases
def test_krippendorff_textbook_example() -> None:
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", nominal: 0.743
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
    ]
    result = krippendorff_alpha_nominal(data)
    assert result.value == pytest.approx(0.743, abs=5e-4)
    assert result.value == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    )


def test_cohen_kappa_textbook_example() -> None:
    # 50 items: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no -> po 0.7, pe 0.5, kappa 0.4
    a = [1] * 20 + [1] * 5 + [0] * 10 + [0] * 15
    b = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    assert cohen_kappa(a, b).value == pytest.approx(0.4)
    assert percent_agreement([a, b]).value == pytest.approx(0.7)


def test_coefficients_match_independent_implementations_on_random_data() -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        a = rng.integers(0, 3, 40)
        b = np.where(rng.random(40) < 0.6, a, rng.integers(0, 3, 40))
        assert cohen_kappa(a, b).value == pytest.approx(cohen_kappa_score(a, b))
        data = rng.integers(0, 4, (4, 30)).astype(float)
        data[rng.random((4, 30)) < 0.2] = np.nan
        expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        assert krippendorff_alpha_nominal(data).value == pytest.approx(expected)


def test_degenerate_cases_have_a_value_and_a_reason() -> None:
    same = cohen_kappa([1, 1, 1], [1, 1, 1])
    assert same.value is None and "single category" in same.note
    one = krippendorff_alpha_nominal([[0, 0, 0], [0, 0, 0]])
    assert one.value is None and "same category" in one.note
    lonely = krippendorff_alpha_nominal([[0, 1, 0]])
    assert lonely.value is None and "two coders" in lonely.note
    nothing = percent_agreement([[NAN, 1], [0, NAN]])
    assert nothing.value is None and "two coders" in nothing.note
    assert cohen_kappa([], []).value is None


# --------------------------------------------------------------------------- project level
def _data(
    coders: list[str],
    n_segments: int,
    codings: list[tuple[int, str, str, int | None, int | None]],
    sessions: list[str] | None = None,
) -> AgreementData:
    sessions = sessions or ["s1"] * n_segments
    segments = [(f"g{i}", sessions[i], 10, i * 1000, i * 1000 + 900) for i in range(n_segments)]
    return AgreementData(
        coders=coders,
        segments=segments,
        codings=[(f"g{i}", code, who, a, b) for i, code, who, a, b in codings],
        codes={"c1": "One", "c2": "Two"},
        texts={f"g{i}": "0123456789" for i in range(n_segments)},
        speakers={},
    )


def _dense(data: AgreementData, code: str | None, among: list[str] | None = None) -> np.ndarray:
    """Independent construction of the reliability matrix (coders x units, NaN missing).
    ``code`` None: every code that one of the coders ``among`` (default all) applied."""
    among = among or data.coders
    used = {c for _seg, c, who, _a, _b in data.codings if who in among}
    codes = [code] if code else sorted(c for c in data.codes if c in used)
    seg_session = {s[0]: s[1] for s in data.segments}
    worked = {(who, seg_session[seg]) for seg, _c, who, _a, _b in data.codings}
    applied = {(seg, c, who) for seg, c, who, _a, _b in data.codings}
    rows = []
    for who in data.coders:
        row = []
        for c in codes:
            for seg, session, *_ in data.segments:
                if (who, session) not in worked:
                    row.append(np.nan)
                else:
                    row.append(1.0 if (seg, c, who) in applied else 0.0)
        rows.append(row)
    return np.array(rows)


def test_report_matches_sklearn_and_krippendorff_two_coders() -> None:
    rng = np.random.default_rng(3)
    codings = []
    for i in range(60):
        for code in ("c1", "c2"):
            a = rng.random() < 0.4
            b = a if rng.random() < 0.7 else not a
            if a:
                codings.append((i, code, "ann", None, None))
            if b:
                codings.append((i, code, "ben", None, None))
    data = _data(["ann", "ben"], 60, codings)
    report = compute_agreement(data)
    for entry in [*report.codes, report.overall]:
        matrix = _dense(data, entry.code_id)
        assert entry.kappa.value == pytest.approx(cohen_kappa_score(matrix[0], matrix[1]))
        assert entry.alpha.value == pytest.approx(
            krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
        )
        assert entry.percent.value == pytest.approx(float((matrix[0] == matrix[1]).mean()))
    assert report.overall.units == 120


def test_report_matches_krippendorff_with_missing_sessions_and_three_coders() -> None:
    rng = np.random.default_rng(5)
    sessions = ["s1"] * 20 + ["s2"] * 20
    codings = []
    for i in range(40):
        for who in ("ann", "ben", "cat"):
            if who == "cat" and sessions[i] == "s2":
                continue  # cat did not code session 2: her values there are missing
            if rng.random() < 0.5:
                codings.append((i, "c1", who, None, None))
    data = _data(["ann", "ben", "cat"], 40, codings, sessions)
    report = compute_agreement(data)
    (c1,) = [c for c in report.codes if c.code_id == "c1"]
    matrix = _dense(data, "c1")
    assert np.isnan(matrix[2, 20:]).all()
    assert c1.alpha.value == pytest.approx(
        krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    )
    assert c1.percent.value == pytest.approx(percent_agreement(matrix).value)
    assert c1.kappa.value is None and "two coders" in c1.kappa.note
    pair = report.pairwise_kappa["ann / ben"]
    both = _dense(data, None, ["ann", "ben"])
    assert pair.value == pytest.approx(cohen_kappa_score(both[0], both[1]))
    # c2, which nobody applied, adds nothing to "all codes"
    assert report.overall.units == c1.units == 40
    assert report.overall.alpha.value == pytest.approx(c1.alpha.value)


def test_codes_nobody_applied_leave_the_overall_figures_unchanged() -> None:
    """A coder's copy whose codebook holds codes nobody applied reads the same overall kappa
    as the lead's project for the same codings (it read 0.757 against 0.727)."""
    rng = np.random.default_rng(11)
    codings = []
    for i in range(30):
        a = rng.random() < 0.4
        b = a if rng.random() < 0.75 else not a
        codings += [(i, "c1", "ann", None, None)] * a + [(i, "c1", "ben", None, None)] * b
    data = _data(["ann", "ben"], 30, codings)
    lead = compute_agreement(data)
    data.codes.update({"u1": "Unused one", "u2": "Unused two"})
    copy = compute_agreement(data)
    assert (copy.overall.units, copy.overall.kappa.value) == (
        lead.overall.units,
        lead.overall.kappa.value,
    )
    assert copy.overall.percent.value == lead.overall.percent.value
    assert copy.overall.alpha.value == lead.overall.alpha.value
    assert copy.pairwise_kappa == lead.pairwise_kappa
    (c1,) = [c for c in lead.codes if c.code_id == "c1"]
    assert lead.overall.kappa.value == pytest.approx(c1.kappa.value)  # c2 unused too
    unused = [c for c in copy.codes if c.code_id in ("u1", "u2")]
    assert [c.kappa.value for c in unused] == [None, None]  # still listed, each n/a


def test_span_overlap_hand_computed() -> None:
    # segment text of 10 code points: ann codes [0, 5), ben codes [3, 8): 2 shared of 8
    data = _data(["ann", "ben"], 2, [(0, "c1", "ann", 0, 5), (0, "c1", "ben", 3, 8)])
    report = compute_agreement(data)
    (c1,) = [c for c in report.codes if c.code_id == "c1"]
    assert c1.overlap.value == pytest.approx(2 / 8)
    assert "code points" in report.overlap_unit
    # whole-segment coding against a span: 4 of 10 points shared
    data = _data(["ann", "ben"], 1, [(0, "c1", "ann", None, None), (0, "c1", "ben", 2, 6)])
    (c1,) = [c for c in compute_agreement(data).codes if c.code_id == "c1"]
    assert c1.overlap.value == pytest.approx(0.4)
    # no overlap at all
    data = _data(["ann", "ben"], 2, [(0, "c1", "ann", 0, 3), (1, "c1", "ben", 0, 3)])
    (c1,) = [c for c in compute_agreement(data).codes if c.code_id == "c1"]
    assert c1.overlap.value == 0.0


def test_degenerate_project_cases_never_crash() -> None:
    one_coder = compute_agreement(_data(["ann"], 3, [(0, "c1", "ann", None, None)]))
    assert one_coder.overall.alpha.value is None and one_coder.overall.alpha.note
    assert one_coder.notes
    nobody = compute_agreement(_data(["ann", "ben"], 3, []))
    for entry in [*nobody.codes, nobody.overall]:
        for coef in (entry.percent, entry.kappa, entry.alpha, entry.overlap):
            assert coef.value is None or np.isfinite(coef.value)
            assert coef.value is not None or coef.note
    everything = compute_agreement(
        _data(
            ["ann", "ben"], 2, [(i, "c1", w, None, None) for i in range(2) for w in ("ann", "ben")]
        )
    )
    (c1,) = [c for c in everything.codes if c.code_id == "c1"]
    assert c1.percent.value == 1.0 and c1.kappa.value is None and "single" in c1.kappa.note


def test_disagreements_list_segments_where_coders_differ() -> None:
    data = _data(
        ["ann", "ben"],
        3,
        [
            (0, "c1", "ann", None, None),
            (0, "c1", "ben", None, None),
            (1, "c1", "ann", None, None),
            (2, "c2", "ann", 0, 4),
            (2, "c2", "ben", 2, 4),
        ],
    )
    found = disagreements(data)
    assert [(d.segment_id, d.code_id) for d in found] == [("g1", "c1"), ("g2", "c2")]
    assert found[0].applied_by == ["ann"] and found[0].not_applied_by == ["ben"]
    assert found[1].spans == {"ann": [(0, 4)], "ben": [(2, 4)]}


def test_agreement_from_a_real_project_and_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Project.create(tmp_path / "p.fieldscribe", coder="lead") as p:
        session = p.sessions.add_session("Focus group")
        segs = p.transcript.add_segments(
            session.id, [SegmentDraft(i * 1000, i * 1000 + 500, f"words {i}") for i in range(8)]
        )
        code = p.codebook.ensure_code_path("Trust")
        for i, seg in enumerate(segs):
            if i < 5:
                p.codebook.apply_code(seg.id, code.id, coder="ann")
            if 2 <= i < 6:
                p.codebook.apply_code(seg.id, code.id, coder="ben")
        data = p.team.agreement_data()
    assert data.coders == ["ann", "ben"] and len(data.segments) == 8
    report = compute_agreement(data)
    a = [1, 1, 1, 1, 1, 0, 0, 0]
    b = [0, 0, 1, 1, 1, 1, 0, 0]
    assert report.overall.kappa.value == pytest.approx(cohen_kappa_score(a, b))
    assert (
        cli_main(["agreement", str(tmp_path / "p.fieldscribe"), "--json", "--disagreements"]) == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["overall"]["kappa"]["value"] == pytest.approx(cohen_kappa_score(a, b))
    assert len(out["disagreements"]) == 3
    assert cli_main(["agreement", str(tmp_path / "p.fieldscribe"), "--coders", "ann,ben"]) == 0
    text = capsys.readouterr().out
    assert "Unit:" in text and "Trust" in text and "(all codes)" in text
    assert "Unit: (segment, code); value = applied" in text  # it read "Unit: unit = (segment…"
    assert cli_main(["agreement", str(tmp_path / "p.fieldscribe"), "--coders", "zoe"]) == 1
    assert "zoe" in capsys.readouterr().err


def test_a_kappa_of_zero_from_a_coder_who_never_applied_the_code_says_why() -> None:
    """coder-b never applied "Доступ", coder-a once in seven segments: κ is 0.000 (as sklearn
    computes it) beside an agreement of 0.857, with nothing saying why; a user read a miscount."""
    a, b = [0, 0, 0, 0, 0, 0, 1], [0] * 7
    kappa = cohen_kappa(a, b)
    assert kappa.value == pytest.approx(cohen_kappa_score(a, b)) and kappa.value == 0
    assert "one coder applied the code to every unit or to none" in kappa.note
    assert "observed 86%" in kappa.note
    data = _data(["ann", "ben"], 7, [(6, "c1", "ann", None, None), (0, "c2", "ben", None, None)])
    report = compute_agreement(data)
    one = next(c for c in report.codes if c.code_path == "One")
    assert one.kappa.value == 0 and "to none" in one.kappa.note
    # a kappa both coders' choices shaped has no such note
    assert cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0]).note == ""
    assert report.overall.kappa.note == ""


def test_cli_disagreement_on_different_words_says_whose_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two coders applied one code to partly overlapping words: `agreement --disagreements`
    listed it as "applied by: ann, ben / not by: -", saying nothing of what they disagreed
    on (the workbench's panel shows each coder's words). Hand count: kappa's unit is
    (segment, code), so both applied = agreement (1.000); the span overlap is 5 / 15."""
    with Project.create(tmp_path / "p.fieldscribe", coder="lead") as p:
        session = p.sessions.add_session("S")
        (seg,) = p.transcript.add_segments(
            session.id, [SegmentDraft(0, 1000, "Первая строка о доверии к власти.")]
        )
        code = p.codebook.ensure_code_path("Trust").id
        p.codebook.apply_code(seg.id, code, start_cp=0, end_cp=10, coder="ann")
        p.codebook.apply_code(seg.id, code, start_cp=5, end_cp=15, coder="ben")
    folder = str(tmp_path / "p.fieldscribe")
    assert cli_main(["agreement", folder, "--coders", "ann,ben", "--disagreements"]) == 0
    out = capsys.readouterr().out
    assert "not by:     -" not in out
    assert "applied by all, to different words:" in out
    assert "ann: “Первая стр”" in out and "ben: “я строка о”" in out
    assert cli_main(["agreement", folder, "--coders", "ann,ben", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)["codes"]
    assert row["percent"]["value"] == 1.0 and row["overlap"]["value"] == pytest.approx(5 / 15)


def test_codes_are_listed_in_the_kazakh_and_russian_alphabets_order() -> None:
    """Codes sorted by code point put Әкімдік, Қала and Үкімет after Яна (the codebook tree
    lists them in the alphabets' order: ``storage.core.names.name_order``)."""
    order = ["Ақпарат", "Әкімдік", "Банк", "Қала", "Үкімет", "Яна"]
    data = _data(["ann", "ben"], 4, [(0, "k1", "ann", None, None), (0, "k1", "ben", None, None)])
    data.codes = {f"k{i}": name for i, name in enumerate(reversed(order))}
    assert [c.code_path for c in compute_agreement(data).codes] == order
