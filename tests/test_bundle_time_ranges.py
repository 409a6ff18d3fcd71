"""The own time ranges of codings of a recording without transcript travel in team bundles.

A .qdpx import keeps each coding's own range where overlapping coded ranges share one segment
of speech without transcript (``exchange_meta.time_ranges``, ``project_meta``). Bundles took no
such ranges: a coder's copy made from the lead's bundle, or a lead merging a coder's bundle,
exported each such coding over its segment's whole range (200-2500 ms where it came as
200-1500). The merge now takes the bundle's ranges of codings that are here, the coder's new
ones (from a .qdpx the coder imported) too.
"""

from __future__ import annotations

from pathlib import Path

from storage import Project
from storage.interop import exchange_meta, export_qdpx, import_qdpx
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.interop_support import make_wav, write_qdpx
from tests.test_interop_qdpx_coded_media import (
    C1,
    C2,
    ORIGINAL,
    SRC,
    U2,
    _head,
    _maxqda_media,
    _range,
    _ranges,
)


def _lead(tmp: Path) -> tuple[Path, dict[str, bytes]]:
    """The lead's project, imported from a MAXQDA file of a recording coded without
    transcript, and its bundle."""
    wav = make_wav(tmp / "wav", "Hello, this is a short interview about public services.")
    qde, files = _maxqda_media(wav.read_bytes())
    import_qdpx(write_qdpx(tmp / "m.qdpx", qde, files), tmp / "lead", coder="lead")
    with Project.open(tmp / "lead") as lead:
        assert len(exchange_meta.time_ranges(lead)) == 3
        export_bundle(lead, tmp / "lead.fsbundle")
    return tmp / "lead.fsbundle", files


def _more(tmp: Path, name: str, ranges: str, files: dict[str, bytes]) -> Path:
    """A second MAXQDA file of the same recording, more ranges coded by Дмитрий."""
    qde = (
        _head() + f'<Sources><AudioSource guid="{SRC}" name="Ауыл сұхбаты" '
        f'path="internal://{SRC}.wav">{ranges}</AudioSource></Sources></Project>'
    )
    return write_qdpx(tmp / f"{name}.qdpx", qde, files)


def _coder(tmp: Path, bundle: Path, name: str, more: Path | None) -> Path:
    """A coder's copy of the lead's bundle (with ``more`` imported into it) and its bundle."""
    with Project.from_bundle(bundle, tmp / name, coder=name) as copy:
        export_qdpx(copy, tmp / f"{name}.qdpx", with_media=False)
        assert _ranges(tmp / f"{name}.qdpx") == ORIGINAL  # was each segment's whole range
    if more is not None:
        import_qdpx(more, tmp / name, coder=name)
    with Project.open(tmp / name) as copy:
        export_bundle(copy, tmp / f"{name}.fsbundle")
    return tmp / f"{name}.fsbundle"


def _merged_ranges(tmp: Path, bundles: list[Path]) -> set[tuple[str, int, int, str, str]]:
    with Project.open(tmp / "lead") as lead:
        merge_bundles(lead, bundles)
        export_qdpx(lead, tmp / "merged.qdpx", with_media=False)
    return _ranges(tmp / "merged.qdpx")


def test_lead_coder_lead_keeps_each_codings_own_range(tmp_path: Path) -> None:
    bundle, files = _lead(tmp_path)
    # the coder codes 300-1200 inside the lead's segment 200-2500 (its own range kept there)
    more = _more(tmp_path, "more", _range(50, 300, 1200, U2, C2), files)
    back = _coder(tmp_path, bundle, "ann", more)
    assert _merged_ranges(tmp_path, [back]) == ORIGINAL | {
        ("AudioSelection", 300, 1200, "Деньги", "Дмитрий")
    }


def test_a_merge_of_two_coders_keeps_both_coders_new_ranges(tmp_path: Path) -> None:
    bundle, files = _lead(tmp_path)
    ann = _coder(
        tmp_path, bundle, "ann", _more(tmp_path, "a", _range(50, 300, 1200, U2, C2), files)
    )
    bob = _coder(
        tmp_path, bundle, "bob", _more(tmp_path, "b", _range(60, 2850, 3000, U2, C1), files)
    )
    want = ORIGINAL | {
        ("AudioSelection", 300, 1200, "Деньги", "Дмитрий"),
        ("AudioSelection", 2850, 3000, "Сенім", "Дмитрий"),
    }
    assert _merged_ranges(tmp_path, [bob, ann]) == want
    with Project.open(tmp_path / "lead", readonly=True) as lead:
        # the lead's three and the coders' two (a coding over its segment's whole range,
        # 2800-3300, needs none)
        assert len(exchange_meta.time_ranges(lead)) == 5


def test_a_bundles_unusable_ranges_are_left_out(tmp_path: Path) -> None:
    """A bundle is untrusted: a range of no coding here, a negative or reversed range, or a
    value that is no JSON object adds nothing and breaks nothing."""
    bundle, _files = _lead(tmp_path)
    with Project.from_bundle(bundle, tmp_path / "ann", coder="ann") as copy:
        kept = exchange_meta.time_ranges(copy)
        coding = sorted(kept)[0]
        with copy.transaction():
            bad = {"no-such-coding": [1, 2], coding: [5, -1]}
            exchange_meta.write(copy.store.conn, exchange_meta.TIME_RANGES, bad)
        export_bundle(copy, tmp_path / "bad.fsbundle")
        with copy.transaction():
            exchange_meta.write(copy.store.conn, exchange_meta.TIME_RANGES, [1, 2])
        export_bundle(copy, tmp_path / "list.fsbundle")
    with Project.open(tmp_path / "lead") as lead:
        merge_bundles(lead, [tmp_path / "bad.fsbundle", tmp_path / "list.fsbundle"])
        assert exchange_meta.time_ranges(lead) == kept
