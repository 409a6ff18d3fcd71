"""Notes on a case travel in team bundles.

FieldScribe keeps a REFI-QDA note on a case as a journal memo tied to the participant by
``exchange_meta.case_notes`` (``project_meta``). Before, a bundle merge took no such tie: the
memos and participants arrived, the tie did not, and the merged project's .qdpx export lost
which note belonged to which case. The merge now takes the bundle's ties (memos and
participants both here), the same in any order.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from storage import Project
from storage.interop import exchange_meta, export_qdpx
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.test_interop_qdpx_left import NS, _cases_qde, _linked, import_one

WANT = {"Moved from Taraz": "Anna", "Call again in May": "Bolat"}


def test_a_coder_s_copy_and_a_merge_keep_the_notes_tied_to_their_cases(tmp_path: Path) -> None:
    _report, lead_folder = import_one(tmp_path, _cases_qde())
    assert _linked(lead_folder) == WANT
    with Project.open(lead_folder) as lead:
        export_bundle(lead, tmp_path / "lead.fsbundle")
    # a coder's copy made from the lead's bundle
    coder = Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "c.fieldscribe", coder="c")
    coder.close()
    assert _linked(tmp_path / "c.fieldscribe") == WANT
    # a plain merge into a project that had none of it (another project: allowed on purpose)
    other = Project.create(tmp_path / "o.fieldscribe", coder="o")
    merge_bundles(other, [tmp_path / "lead.fsbundle"], allow_other_project=True)
    out = tmp_path / "o.qdpx"
    export_qdpx(other, out)
    other.close()
    assert _linked(tmp_path / "o.fieldscribe") == WANT
    with zipfile.ZipFile(out) as zf:
        root = ET.fromstring(zf.read("project.qde"))
    assert len(root.findall(f".//{{{NS}}}Link")) == 2  # each note tied to its case again


def test_two_bundles_that_tie_one_note_differently_give_one_answer_in_any_order(
    tmp_path: Path,
) -> None:
    _report, lead_folder = import_one(tmp_path, _cases_qde())
    with Project.open(lead_folder) as lead:
        export_bundle(lead, tmp_path / "lead.fsbundle")
    results = []
    for order in (("ann", "bob"), ("bob", "ann")):
        copies = {}
        for name in ("ann", "bob"):
            p = Project.from_bundle(
                tmp_path / "lead.fsbundle", tmp_path / f"{name}{order[0]}.fieldscribe", coder=name
            )
            ties = exchange_meta.case_notes(p)
            if name == "bob":  # bob ties every note to the other case
                pids = sorted(set(ties.values()))
                ties = {m: pids[1 - pids.index(pid)] for m, pid in ties.items()}
                with p.transaction():
                    exchange_meta.write(p.store.conn, exchange_meta.CASE_NOTES, ties)
            export_bundle(p, tmp_path / f"{name}{order[0]}.fsbundle")
            copies[name] = p
        target = Project.from_bundle(
            tmp_path / "lead.fsbundle", tmp_path / f"t{order[0]}.fieldscribe", coder="t"
        )
        merge_bundles(target, [tmp_path / f"{n}{order[0]}.fsbundle" for n in order])
        results.append(exchange_meta.case_notes(target))
        for p in (*copies.values(), target):
            p.close()
    assert results[0] == results[1] and len(results[0]) == 2
