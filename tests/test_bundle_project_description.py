"""A REFI-QDA project's description in team bundles.

The description is a project memo (``project_description.TITLE``), which bundles always carried;
the record that the file's description was imported (``exchange.descriptions``) did not travel.
So a coder's copy, or the lead after merging a coder's bundle, importing the same ``.qdpx``
again (for its missing sources, or another coder's codings) added the description a second
time beside the memo edited since, and the next bundle carried the double to everyone.
"""

from __future__ import annotations

from pathlib import Path

from storage import Project
from storage.interop import import_qdpx
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.test_interop_qdpx_project_description import _partial, _project_memos

EDITED = "Жоба: ауыл денсаулығы, 3 аудан (edited)"


def _edit_description(folder: Path) -> None:
    with Project.open(folder) as p:
        (memo,) = [m for m in p.codebook.memos() if m.target_type == "project"]
        p.codebook.update_memo(memo.id, EDITED)


def test_a_coder_s_copy_importing_the_file_again_adds_no_second_description(
    tmp_path: Path,
) -> None:
    archive = _partial(tmp_path)
    import_qdpx(archive, tmp_path / "lead", coder="lead")
    _edit_description(tmp_path / "lead")
    with Project.open(tmp_path / "lead") as lead:
        export_bundle(lead, tmp_path / "lead.fsbundle")
    Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "ann", coder="ann").close()
    assert _project_memos(tmp_path / "ann") == [("Project description", EDITED)]
    report = import_qdpx(archive, tmp_path / "ann", coder="ann")
    assert report.memos == 0
    assert _project_memos(tmp_path / "ann") == [("Project description", EDITED)]
    with Project.open(tmp_path / "ann") as ann:
        export_bundle(ann, tmp_path / "ann.fsbundle")
    with Project.open(tmp_path / "lead") as lead:
        merge_bundles(lead, [tmp_path / "ann.fsbundle"])
    assert _project_memos(tmp_path / "lead") == [("Project description", EDITED)]


def test_the_lead_importing_a_file_a_coder_imported_adds_no_second_description(
    tmp_path: Path,
) -> None:
    archive = _partial(tmp_path)
    with Project.create(tmp_path / "lead", coder="lead") as lead:
        export_bundle(lead, tmp_path / "lead.fsbundle")
    Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "ann", coder="ann").close()
    import_qdpx(archive, tmp_path / "ann", coder="ann")
    _edit_description(tmp_path / "ann")
    with Project.open(tmp_path / "ann") as ann:
        export_bundle(ann, tmp_path / "ann.fsbundle")
    with Project.open(tmp_path / "lead") as lead:
        merge_bundles(lead, [tmp_path / "ann.fsbundle"])
    assert _project_memos(tmp_path / "lead") == [("Project description", EDITED)]
    import_qdpx(archive, tmp_path / "lead", coder="lead")
    assert _project_memos(tmp_path / "lead") == [("Project description", EDITED)]
