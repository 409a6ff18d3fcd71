"""Codes coders created on their own, named alike: which are one code after a merge.

Two names are the same code name when they are the same text once Unicode-normalised (NFC),
case-folded and with surrounding spaces dropped: "й" typed as one character (NFC) and as "и"
plus a combining breve (NFD, what macOS file names and some keyboards give) look identical, and
so do "Trust" and "Trust " (an older FieldScribe or another tool kept the space); "Госуслуги"
and "госуслуги" are one name in another case. Such codes merge by default like codes of one
path, and agreement compares them as one code. Names that differ in other letters and one name
under different parents stay apart.

An outside check found kappa 0 for a code both coders applied to the same segments: the lead's
codebook showed "Қайғы/ёлка й" twice (NFC and NFD) and agreement compared them as two codes,
each applied by one coder only. The expected figures are computed here from the applied sets.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.agreement import compute_agreement
from storage import Project
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.teamwork_helpers import rebuild, team

PATH = "Қайғы/ёлка й"  # Kazakh and Russian letters with NFD decompositions (ё, й)


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def _nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


def _kappa(a: set[int], b: set[int], n: int) -> float:
    """Cohen's kappa of two binary codings of ``n`` units (written here, from the definition)."""
    both = len(a & b)
    neither = n - len(a | b)
    po = (both + neither) / n
    pa, pb = len(a) / n, len(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return (po - pe) / (1 - pe)


def _coded_bundles(
    tmp: Path, names: dict[str, str], applied: dict[str, set[int]]
) -> tuple[Project, list[str], list[Path]]:
    lead, segs, coders = team(tmp, *names)
    bundles = []
    for coder, project in coders.items():
        code = project.codebook.ensure_code_path(names[coder])
        for i in applied[coder]:
            project.codebook.apply_code(segs[i], code.id)
        bundles.append(tmp / f"{coder}.fsbundle")
        export_bundle(project, bundles[-1])
        project.close()
    return lead, segs, bundles


def _rows_for(report: object, path: str) -> list[object]:
    return [c for c in report.codes if _nfc(c.code_path) == _nfc(path)]  # type: ignore[attr-defined]


def test_nfc_and_nfd_names_are_one_code_and_agreement_compares_them(tmp_path: Path) -> None:
    applied = {"ann": {0, 1, 2, 3}, "bob": {1, 2, 3, 4}}
    lead, segs, bundles = _coded_bundles(tmp_path, {"ann": _nfc(PATH), "bob": _nfd(PATH)}, applied)
    summaries = merge_bundles(lead, bundles)
    assert summaries[1].same_name_merged
    paths = [_nfc(c.path) for c in lead.codebook.codes()]
    assert paths.count(_nfc(PATH)) == 1 and paths.count("Қайғы") == 1
    report = compute_agreement(lead.team.agreement_data())
    (row,) = _rows_for(report, PATH)
    expected = _kappa(applied["ann"], applied["bob"], len(segs))
    assert row.kappa.value is not None and abs(row.kappa.value - expected) < 1e-9  # type: ignore[attr-defined]
    assert abs(row.percent.value - 4 / 6) < 1e-9  # type: ignore[attr-defined]
    # merged again, and in the other order into a fresh copy: the same codebook
    merge_bundles(lead, bundles)
    assert [_nfc(c.path) for c in lead.codebook.codes()] == paths
    lead.close()


def test_kept_apart_nfc_and_nfd_codes_are_still_paired_by_agreement(tmp_path: Path) -> None:
    applied = {"ann": {0, 1, 2}, "bob": {0, 1, 2}}
    lead, _, bundles = _coded_bundles(tmp_path, {"ann": _nfc(PATH), "bob": _nfd(PATH)}, applied)
    summaries = merge_bundles(lead, bundles, merge_same_name=False)
    assert summaries[1].same_name_codes  # reported, kept apart
    report = compute_agreement(lead.team.agreement_data())
    (row,) = _rows_for(report, PATH)
    assert row.percent.value == 1.0  # type: ignore[attr-defined]
    assert any("share the path" in n for n in report.notes)
    lead.close()


def test_a_name_with_a_trailing_space_from_a_bundle_is_the_same_code(tmp_path: Path) -> None:
    applied = {"ann": {0, 1}, "bob": {0, 1}}
    lead, _, bundles = _coded_bundles(tmp_path, {"ann": "Trust", "bob": "Trust"}, applied)

    def spaced(conn: sqlite3.Connection) -> None:  # as an older FieldScribe stored it
        conn.execute("UPDATE codes SET name = name || '  ' WHERE name = 'Trust'")

    bundles[1] = rebuild(bundles[1], tmp_path / "bob-spaced.fsbundle", db_change=spaced)
    merge_bundles(lead, bundles)
    trust = [c for c in lead.codebook.codes() if c.path.strip() == "Trust"]
    assert len(trust) == 1
    report = compute_agreement(lead.team.agreement_data())
    (row,) = [c for c in report.codes if c.code_path.strip() == "Trust"]
    assert row.percent.value == 1.0
    lead.close()


def test_letter_case_is_one_code_and_parents_keep_codes_apart(tmp_path: Path) -> None:
    """Ann's "Госуслуги" and Bob's "госуслуги" are one code (letter case aside, as the codebook
    and a codebook import match names): merged into the oldest, its spelling kept, and agreement
    compares them as one code. One name under two parents stays two codes."""
    lead, segs, coders = team(tmp_path, "ann", "bob")
    ann, bob = coders["ann"], coders["bob"]
    for project, paths in ((ann, ["Госуслуги", "A/Topic"]), (bob, ["госуслуги", "B/Topic"])):
        for path in paths:
            project.codebook.apply_code(segs[0], project.codebook.ensure_code_path(path).id)
        export_bundle(project, tmp_path / f"{project.coder}.fsbundle")
        project.close()
    summaries = merge_bundles(lead, [tmp_path / "ann.fsbundle", tmp_path / "bob.fsbundle"])
    assert summaries[1].same_name_merged
    paths = sorted(c.path for c in lead.codebook.codes())
    assert {"Госуслуги", "A/Topic", "B/Topic"} <= set(paths) and "госуслуги" not in paths
    assert summaries[1].same_name_codes[0][0] == "Госуслуги"  # said as the codebook spells it
    report = compute_agreement(lead.team.agreement_data())
    (row,) = [c for c in report.codes if c.code_path == "Госуслуги"]
    assert row.percent.value == 1.0  # both coded segment 0, nobody the others
    assert not any("Topic" in n for n in report.notes)
    lead.close()


def test_the_codebook_finds_a_code_whatever_normalisation_is_typed(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "p.fieldscribe", coder="ann")
    code = project.codebook.ensure_code_path(_nfd(PATH))
    assert project.codebook.ensure_code_path(_nfc(PATH)).id == code.id
    found = project.codebook.find_code(_nfc(PATH) + " ")
    assert found is not None and found.id == code.id
    assert [c.path for c in project.codebook.codes()] == [_nfc("Қайғы"), _nfc(PATH)]
    project.close()


NAMES = st.sampled_from(["ёлка", "Қайғы", "йод", "Trust"])
FORMS = st.sampled_from(["nfc", "nfd", "space"])


def _form(name: str, form: str) -> str:
    return {"nfc": _nfc(name), "nfd": _nfd(name), "space": _nfc(name) + " "}[form]


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=NAMES,
    forms=st.tuples(FORMS, FORMS),
    applied=st.tuples(
        st.sets(st.integers(0, 5), min_size=1), st.sets(st.integers(0, 5), min_size=1)
    ),
    bob_first=st.booleans(),
)
def test_agreement_on_one_name_in_any_form_matches_the_model(
    tmp_path_factory: object,
    name: str,
    forms: tuple[str, str],
    applied: tuple[set[int], set[int]],
    bob_first: bool,
) -> None:
    tmp = tmp_path_factory.mktemp("names")  # type: ignore[attr-defined]
    lead, segs, coders = team(tmp, "ann", "bob")
    bundles = {}
    for (coder, project), form, which in zip(coders.items(), forms, applied, strict=True):
        child = project.codebook.ensure_code_path("Services/" + _form(name, form).strip())
        for i in which:
            project.codebook.apply_code(segs[i], child.id)
        bundles[coder] = tmp / f"{coder}.fsbundle"
        export_bundle(project, bundles[coder])
        project.close()
        if form == "space":  # stored with the space, as an older FieldScribe or another tool

            def spaced(conn: sqlite3.Connection, cid: str = child.id) -> None:
                conn.execute("UPDATE codes SET name = name || ' ' WHERE id = ?", (cid,))

            bundles[coder] = rebuild(bundles[coder], tmp / f"{coder}-sp.fsbundle", db_change=spaced)
    order = ["bob", "ann"] if bob_first else ["ann", "bob"]
    merge_bundles(lead, [bundles[c] for c in order])
    same = [c for c in lead.codebook.codes() if _nfc(c.path.strip()) == "Services/" + _nfc(name)]
    assert len(same) == 1
    report = compute_agreement(lead.team.agreement_data())
    rows = [c for c in report.codes if c.code_id == same[0].id]
    a, b = applied
    (row,) = rows
    n = len(segs)
    assert abs(row.percent.value - (n - len(a ^ b)) / n) < 1e-9
    pa, pb = len(a) / n, len(b) / n
    if abs(1 - (pa * pb + (1 - pa) * (1 - pb))) > 1e-12:
        assert row.kappa.value is not None
        assert abs(row.kappa.value - _kappa(a, b, n)) < 1e-9
    else:
        assert row.kappa.value is None and row.kappa.note
    lead.close()
