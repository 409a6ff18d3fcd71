"""`fieldscribe uncode` and `fieldscribe codes --rename`: a team working from the command line
could code but not take a coding back, nor rename a code (only the workbench could), so a
coder's second thoughts and a codebook's better names needed the GUI or Python."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from storage import Project
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.hardening_support import one_line_error, run_cli
from tests.teamwork_helpers import dump, team


def test_a_coder_takes_back_her_coding_and_the_lead_gets_the_removal(
    tmp_path: Path, capsys: Any
) -> None:
    lead, segs, coders = team(tmp_path, "aigul")
    folder = coders["aigul"].folder
    coders["aigul"].close()
    text = lead.transcript.get_segment(segs[0]).text
    start = text.index("clinics")
    span = f"{start}:{start + len('clinics')}"
    for extra in ([], ["--span", span]):
        code, _, err = run_cli(capsys, "code", folder, "--segment", segs[0], "--code",
                               "Services/Health", *extra)  # fmt: skip
        assert code == 0, err
    code, _, err = run_cli(capsys, "code", folder, "--segment", segs[0], "--code",
                           "Services/Health", "--coder", "bolat")  # fmt: skip
    assert code == 0, err
    with Project.open(folder) as p:
        export_bundle(p, tmp_path / "a1.fsbundle")
    merge_bundles(lead, [tmp_path / "a1.fsbundle"])
    assert len(lead.codebook.codings()) == 3
    # the span only: the whole-segment coding and bolat's stay
    code, out, err = run_cli(capsys, "uncode", folder, "--segment", segs[0][-6:], "--code",
                             "Services/Health", "--span", span)  # fmt: skip
    assert code == 0, err
    assert (
        out == f"Removed aigul's coding of 'Services/Health' from segment {segs[0]} ('clinics').\n"
    )
    # again: nothing left there to remove; says what she does hold
    before = dump(folder)
    code, _, err = run_cli(capsys, "uncode", folder, "--segment", segs[0], "--code",
                           "Services/Health", "--span", span)  # fmt: skip
    assert code == 1
    assert one_line_error(err).endswith(
        f"aigul has no coding of 'Services/Health' on --span {span} of segment {segs[0]}; "
        "aigul's codings of it there: the whole segment."
    )
    for argv in (["--code", "Nothing"], ["--code", "Services/Health", "--span", "x"]):
        code, _, err = run_cli(capsys, "uncode", folder, "--segment", segs[0], *argv)
        assert code == 1 and one_line_error(err)
    assert dump(folder) == before  # refused: nothing changed
    code, out, err = run_cli(capsys, "uncode", folder, "--segment", segs[0], "--code",
                             "Services/Health", "--json")  # fmt: skip
    assert code == 0 and json.loads(out)["removed"] is True
    with Project.open(folder) as p:
        assert [c.coder for c in p.codebook.codings()] == ["bolat"]  # only her own went
        export_bundle(p, tmp_path / "a2.fsbundle")
    merge_bundles(lead, [tmp_path / "a2.fsbundle"])
    assert [c.coder for c in lead.codebook.codings()] == ["bolat"]
    assert lead.team.conflicts() == []
    lead.close()


def test_a_renamed_code_is_one_code_at_the_lead(tmp_path: Path, capsys: Any) -> None:
    lead, segs, coders = team(tmp_path, "aigul", "yerlan")
    for name, p in coders.items():
        health = p.codebook.find_code("Services/Health")
        assert health is not None
        p.codebook.apply_code(segs[0 if name == "aigul" else 1], health.id)
        p.close()
    folder = coders["yerlan"].folder
    code, out, err = run_cli(capsys, "codes", folder, "--rename", "Services/Health", "Денсаулық")
    assert code == 0, err
    assert out == "Renamed 'Services/Health' to 'Services/Денсаулық'.\n"
    before = dump(folder)
    for argv, says in (
        (["Services/Nothing", "X"], "No code 'Services/Nothing'"),
        (["Services/Денсаулық", "a/b"], "Invalid code name"),
        (["Services", "services"], None),  # its own name in another case: allowed, the same
    ):
        code, _, err = run_cli(capsys, "codes", folder, "--rename", *argv)
        if says is None:
            assert code == 0, err
        else:
            assert code == 1 and says in one_line_error(err)
            assert dump(folder) == before
    for name in ("aigul", "yerlan"):
        with Project.open(tmp_path / f"{name}.fieldscribe") as p:
            export_bundle(p, tmp_path / f"{name}.fsbundle")
    merge_bundles(lead, [tmp_path / "aigul.fsbundle", tmp_path / "yerlan.fsbundle"])
    paths = [c.path for c in lead.codebook.codes()]
    assert paths == ["services", "services/Денсаулық"]
    (renamed,) = [c for c in lead.codebook.codes() if c.name == "Денсаулық"]
    assert sorted(c.coder for c in lead.codebook.codings(code_id=renamed.id)) == [
        "aigul", "yerlan"]  # fmt: skip
    lead.close()
