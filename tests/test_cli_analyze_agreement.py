"""`fieldscribe analyze DIR agreement` is the agreement command's view. The analyze views are
where a new user looked for agreement beside the matrix and co-occurrence (the Analysis window
and Team ▸ Inter-coder agreement sit side by side), and got "invalid choice: 'agreement'"
without a word about `fieldscribe agreement`."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from storage import SegmentDraft
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.hardening_support import run_cli
from tests.teamwork_helpers import team


def test_analyze_agreement_says_what_agreement_says(tmp_path: Path, capsys: Any) -> None:
    lead, segs, coders = team(tmp_path, "aigerim", "bolat")
    for name, p in coders.items():
        code = p.codebook.ensure_code_path("Денсаулық")
        for seg in segs[:2] if name == "aigerim" else segs[1:3]:
            p.codebook.apply_code(seg, code.id)
        export_bundle(p, tmp_path / f"{name}.fsbundle")
        p.close()
    merge_bundles(lead, [tmp_path / "aigerim.fsbundle", tmp_path / "bolat.fsbundle"])
    folder = lead.folder
    lead.close()
    for extra in ([], ["--disagreements"], ["--json"]):
        code, expected, _ = run_cli(capsys, "agreement", folder, *extra)
        assert code == 0
        code, out, err = run_cli(capsys, "analyze", folder, "agreement", *extra)
        assert code == 0, err
        assert out == expected
    # 6 segments, aigerim 0-1, bolat 1-2: 4 of 6 agree, kappa (4/6 - 5/9) / (4/9) = 0.25
    (row,) = [c for c in json.loads(out)["codes"] if c["code_path"] == "Денсаулық"]
    assert row["units"] == 6 and abs(row["kappa"]["value"] - 0.25) < 1e-9


def test_the_agreement_table_is_written_to_a_file_with_the_printed_figures(
    tmp_path: Path, capsys: Any
) -> None:
    """A lead who had measured agreement could take the table away only by copying it off
    the terminal (or parsing --json): `agreement -o FILE` writes it, .csv or .xlsx, with the
    figures as numbers, each coder's coded segments and the reason of an n/a."""
    from openpyxl import load_workbook

    lead, segs, coders = team(tmp_path, "aigerim", "bolat")
    for name, p in coders.items():
        code = p.codebook.ensure_code_path("Денсаулық")
        for seg in segs[:2] if name == "aigerim" else segs[1:3]:
            p.codebook.apply_code(seg, code.id)
        export_bundle(p, tmp_path / f"{name}.fsbundle")
        p.close()
    merge_bundles(lead, [tmp_path / "aigerim.fsbundle", tmp_path / "bolat.fsbundle"])
    folder = lead.folder
    lead.close()
    code, out, err = run_cli(capsys, "agreement", folder, "-o", tmp_path / "a.csv")
    assert code == 0, err
    assert out.startswith(f"Wrote {tmp_path / 'a.csv'}.")
    with open(tmp_path / "a.csv", encoding="utf-8-sig") as fh:
        rows = {r["code"]: r for r in csv.DictReader(fh)}
    row = rows["Денсаулық"]
    assert (row["units"], row["segments coded by aigerim"], row["segments coded by bolat"]) == (
        "6", "2", "2")  # fmt: skip
    assert abs(float(row["cohen_kappa"]) - 0.25) < 1e-9
    assert abs(float(row["percent_agreement"]) - 4 / 6) < 1e-9
    assert abs(float(rows["(all codes)"]["cohen_kappa"]) - 0.25) < 1e-9
    # the lead's "Services/Health" nobody applied: its kappa empty, the reason in notes
    assert rows["Services/Health"]["cohen_kappa"] == ""
    assert "kappa n/a" in rows["Services/Health"]["notes"]
    code, out, err = run_cli(capsys, "analyze", folder, "agreement", "-o", tmp_path / "a.xlsx")
    assert code == 0, err
    sheet = load_workbook(tmp_path / "a.xlsx").active
    assert sheet is not None
    table = [[c.value for c in r] for r in sheet.iter_rows()]
    assert table[0][:4] == ["code", "units", "percent_agreement", "cohen_kappa"]
    (xrow,) = [r for r in table if r[0] == "Денсаулық"]
    assert abs(xrow[3] - 0.25) < 1e-9
    code, out, err = run_cli(capsys, "agreement", folder, "-o", tmp_path / "a.txt")
    assert code == 1 and "written to .csv or .xlsx" in err
    assert not (tmp_path / "a.txt").exists()
    code, out, _ = run_cli(capsys, "audit", folder)
    assert "what=agreement csv" in out and "what=agreement xlsx" in out


def test_disagreements_of_several_sessions_are_listed_under_their_titles(
    tmp_path: Path, capsys: Any
) -> None:
    """`agreement --disagreements` listed "612e1f92  [0:05.500]  Доверие" with nothing saying
    of which of three sessions; and its count (12) read against the panel's "8 of them only on
    which words". Each session's rows now stand under its title, and the count says so."""
    lead, segs, coders = team(tmp_path, "aigerim", "bolat")
    other = lead.sessions.add_session("Интервью 2")
    drafts = [SegmentDraft(5000, 9000, "Жоқ, сенбеймін."), SegmentDraft(9000, 12000, "Иә, рас.")]
    more = [s.id for s in lead.transcript.add_segments(other.id, drafts)]
    code = lead.codebook.find_code("Services/Health")
    assert code is not None
    lead.codebook.apply_code(segs[0], code.id, coder="aigerim")
    lead.codebook.apply_code(segs[1], code.id, coder="aigerim")
    lead.codebook.apply_code(segs[1], code.id, coder="bolat", start_cp=0, end_cp=7)
    lead.codebook.apply_code(more[0], code.id, coder="aigerim")
    lead.codebook.apply_code(more[1], code.id, coder="bolat")
    folder = lead.folder
    for p in (lead, *coders.values()):
        p.close()
    code_, out, err = run_cli(capsys, "agreement", folder, "--disagreements")
    assert code_ == 0, err
    listing = out.split("\n\n", 1)[1].splitlines()
    heading = (
        "4 disagreements (1 of them only on which words: agreement counts that segment as "
        "agreeing):"
    )
    assert listing[0] == heading
    assert [line for line in listing if line.startswith("In ")] == [
        "In Interview 1:",
        "In Интервью 2:",
    ]
    assert listing.index("In Интервью 2:") > max(
        i for i, line in enumerate(listing) if "[0:01.000]" in line
    )
    # one session: no title lines (the listing is of that session)
    code_, out, err = run_cli(
        capsys, "agreement", folder, "--disagreements", "--sessions", other.id
    )
    assert code_ == 0 and "In " not in out and "2 disagreements:" in out
