"""MAXQDA lines whose speaker label stood after their time mark travel in team bundles.

An import keeps which segments were written ``#00:00:01-0# NAME: text`` in
``exchange_meta.marked_labels`` (``project_meta``), so that a .qdpx export writes them as they
came. Before, a bundle merge took no such list: the segments arrived, the list did not, and the
merged project (or a coder's copy made from the lead's bundle) exported every such line
label-first (``Interviewer: #00:00:01-0# Hello.``), and with LF where the file had CRLF
(``exchange.crlf``, the same kind of list). The merge now takes the bundle's lists (segments
and sessions that are here), the same in any order.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Project
from storage.interop import exchange_meta, import_qdpx
from storage.interop.qdpx_export import export_qdpx
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.interop_support import write_qdpx
from tests.test_interop_fidelity import _exported_sources
from tests.test_interop_qdpx_maxqda_marks import SRC, TEXT, qde


def _lead(tmp: Path) -> Path:
    """The lead's project, imported from the MAXQDA file, and its bundle."""
    archive = write_qdpx(tmp / "m.qdpx", qde([]), {"sources/D.txt": TEXT.encode()})
    import_qdpx(archive, tmp / "lead.fieldscribe", coder="lead")
    with Project.open(tmp / "lead.fieldscribe") as lead:
        assert len(exchange_meta.marked_labels(lead)) == 3
        export_bundle(lead, tmp / "lead.fsbundle")
    return tmp / "lead.fsbundle"


def _exported_text(project: Project, out: Path) -> str:
    export_qdpx(project, out, with_media=False)
    return _exported_sources(out)[SRC][0]


def test_a_coder_s_copy_and_a_merge_export_the_marked_lines_as_they_came(tmp_path: Path) -> None:
    bundle = _lead(tmp_path)
    coder = Project.from_bundle(bundle, tmp_path / "c.fieldscribe", coder="c")
    try:
        assert _exported_text(coder, tmp_path / "c.qdpx") == TEXT
    finally:
        coder.close()
    other = Project.create(tmp_path / "o.fieldscribe", coder="o")
    try:
        merge_bundles(other, [bundle], allow_other_project=True)
        # the CRLF line ends travel too (``exchange.crlf``: they came back as LF)
        assert exchange_meta.crlf_sessions(other) == {SRC}
        assert _exported_text(other, tmp_path / "o.qdpx") == TEXT
    finally:
        other.close()


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_the_merged_list_is_the_union_of_the_segments_that_are_here(tmp_path_factory, data) -> None:
    """Model: each coder keeps any subset of the lead's marked segments (plus an id of no
    segment); the merged list is the union of what the target and the bundles hold, less ids
    of no segment here, whatever the order of the bundles."""
    tmp = tmp_path_factory.mktemp("marks")
    bundle = _lead(tmp)
    with Project.open(tmp / "lead.fieldscribe", readonly=True) as lead:
        marked = sorted(exchange_meta.marked_labels(lead))
    kept = {}
    for name in ("ann", "bob", "target"):
        kept[name] = set(data.draw(st.lists(st.sampled_from(marked), unique=True), label=name))
    bundles = []
    for name in ("ann", "bob"):
        p = Project.from_bundle(bundle, tmp / f"{name}.fieldscribe", coder=name)
        with p.transaction():
            value = sorted(kept[name] | {f"gone-{name}"})
            exchange_meta.write(p.store.conn, exchange_meta.MARKED_LABELS, value)
        export_bundle(p, tmp / f"{name}.fsbundle")
        p.close()
        bundles.append(tmp / f"{name}.fsbundle")
    order = data.draw(st.permutations(bundles), label="order")
    target = Project.from_bundle(bundle, tmp / "t.fieldscribe", coder="t")
    try:
        with target.transaction():
            value = sorted(kept["target"])
            exchange_meta.write(target.store.conn, exchange_meta.MARKED_LABELS, value)
        merge_bundles(target, list(order))
        want = kept["ann"] | kept["bob"] | kept["target"]
        assert exchange_meta.marked_labels(target) == want
    finally:
        target.close()
