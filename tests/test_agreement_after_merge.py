"""Agreement after a real merge, against a model computed here from what each coder did.

Two coders start from the lead's bundle, each creates the codes on their own (same paths,
Bob's typed in NFD), codes whole segments and spans, and exports a bundle; the lead merges both
(either order). The figures the lead's project reports (percent agreement, Cohen's kappa,
Krippendorff's alpha, span overlap; per code and overall), and ``fieldscribe agreement --json``
prints, must equal the ones computed here from the coders' own choices: sets of segments per
code, and sets of code points per (segment, code), with the textbook formulas, not the code
under test.
"""

from __future__ import annotations

import json
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.agreement import compute_agreement
from cli import main as cli_main
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import team

PATHS = ["Ёлка", "Қайғы/йод"]
N_SEGMENTS = 6
TEXT_LEN = len("segment number 0 talks about clinics")

# one coder's choice for one (segment, code): nothing, the whole segment, or a span
CHOICE = st.one_of(
    st.none(),
    st.just("whole"),
    st.tuples(st.integers(0, TEXT_LEN - 1), st.integers(1, TEXT_LEN)).map(
        lambda t: (min(t[0], t[1] - 1), t[1]) if t[0] < t[1] else (t[1] - 1, t[0] + 1)
    ),
)
CODER = st.lists(
    st.lists(CHOICE, min_size=len(PATHS), max_size=len(PATHS)),
    min_size=N_SEGMENTS,
    max_size=N_SEGMENTS,
).filter(lambda rows: any(c is not None for row in rows for c in row))


def _kappa(pairs: list[tuple[int, int]]) -> float | None:
    n = len(pairs)
    po = sum(a == b for a, b in pairs) / n
    pa = sum(a for a, _ in pairs) / n
    pb = sum(b for _, b in pairs) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return None if pe == 1 else (po - pe) / (1 - pe)


def _alpha(pairs: list[tuple[int, int]]) -> float | None:
    """Krippendorff's alpha (nominal) of two coders who rated every unit 0 or 1: from the
    coincidence counts, alpha = 1 - (n - 1) * disagreeing units / (n0 * n1), n = 2 units."""
    n1 = sum(a + b for a, b in pairs)
    n0 = 2 * len(pairs) - n1
    if n0 == 0 or n1 == 0:
        return None
    return 1 - (2 * len(pairs) - 1) * sum(a != b for a, b in pairs) / (n0 * n1)


def _close(value: float | None, expected: float | None) -> bool:
    if expected is None:
        return value is None
    return value is not None and abs(value - expected) < 1e-9


def _points(choice: object) -> set[int]:
    if choice is None:
        return set()
    if choice == "whole":
        return set(range(TEXT_LEN))
    start, end = choice  # type: ignore[misc]
    return set(range(start, end))


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ann=CODER, bob=CODER, bob_first=st.booleans())
def test_merged_agreement_matches_the_model(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    ann: list[list[object]],
    bob: list[list[object]],
    bob_first: bool,
) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    lead, segs, coders = team(folder, "ann", "bob")
    choices = {"ann": ann, "bob": bob}
    for name, project in coders.items():
        for k, path in enumerate(PATHS):
            typed = unicodedata.normalize("NFD" if name == "bob" else "NFC", path)
            code = project.codebook.ensure_code_path(typed)
            for i, seg in enumerate(segs):
                choice = choices[name][i][k]
                if choice == "whole":
                    project.codebook.apply_code(seg, code.id)
                elif choice is not None:
                    start, end = choice  # type: ignore[misc]
                    project.codebook.apply_code(seg, code.id, start_cp=start, end_cp=end)
        export_bundle(project, folder / f"{name}.fsbundle")
        project.close()
    order = ["bob", "ann"] if bob_first else ["ann", "bob"]
    merge_bundles(lead, [folder / f"{name}.fsbundle" for name in order])
    report = compute_agreement(lead.team.agreement_data())
    rows = {unicodedata.normalize("NFC", c.code_path): c for c in report.codes}
    assert len(rows) == len(report.codes)  # one row per path: the NFD codes were merged
    pooled: list[tuple[int, int]] = []
    inter_all = union_all = 0
    for path in sorted(rows):
        k = PATHS.index(path) if path in PATHS else None
        if k is None:  # the lead's codes and the parents: nobody applied them
            pairs = [(0, 0)] * N_SEGMENTS  # (applying a child does not apply its parent)
            inter = union = 0
        else:
            pairs = [
                (int(ann[i][k] is not None), int(bob[i][k] is not None)) for i in range(N_SEGMENTS)
            ]
            inter = sum(len(_points(ann[i][k]) & _points(bob[i][k])) for i in range(N_SEGMENTS))
            union = sum(len(_points(ann[i][k]) | _points(bob[i][k])) for i in range(N_SEGMENTS))
        row = rows[path]
        assert row.units == N_SEGMENTS
        assert abs(row.percent.value - sum(a == b for a, b in pairs) / N_SEGMENTS) < 1e-9
        expected = _kappa(pairs)
        if expected is None:
            assert row.kappa.value is None and row.kappa.note
        else:
            assert row.kappa.value is not None and abs(row.kappa.value - expected) < 1e-9
        assert _close(row.alpha.value, _alpha(pairs)), (path, row.alpha, pairs)
        if union == 0:
            assert row.overlap.value is None
        else:
            assert row.overlap.value is not None
            assert abs(row.overlap.value - inter / union) < 1e-9
        if any(a or b for a, b in pairs):  # a code nobody applied stays out of "all codes"
            pooled += pairs
        inter_all += inter
        union_all += union
    overall = report.overall
    assert overall.units == len(pooled)
    assert abs(overall.percent.value - sum(a == b for a, b in pooled) / len(pooled)) < 1e-9
    expected = _kappa(pooled)
    assert expected is not None and overall.kappa.value is not None
    assert abs(overall.kappa.value - expected) < 1e-9
    assert _close(overall.alpha.value, _alpha(pooled))
    assert abs(overall.overlap.value - inter_all / union_all) < 1e-9
    lead.close()
    # the command line prints the same figures
    capsys.readouterr()
    assert cli_main(["agreement", str(lead.folder), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    for key in ("percent", "kappa", "alpha", "overlap"):
        assert printed["overall"][key]["value"] == getattr(overall, key).value
    assert sorted(printed["coders"]) == ["ann", "bob"]
