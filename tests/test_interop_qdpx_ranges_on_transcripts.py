"""A coded time range of a recording that has a transcript: FieldScribe codes the segments it
overlaps, and an export wrote each such coding over its whole segment (a TranscriptSelection),
so the other tool got a longer coding than it sent (800-1600 ms came back as 0-2000 ms). The
coding keeps its own range (``exchange_meta.TIME_RANGES``), in bundles and merges too, and an
export writes it back as one ``AudioSelection`` while it still fits what the coder sees: its
codings code whole segments, every segment the range overlaps and only those. Editing the
words keeps it (the stretch of the recording is the same); a split keeps the coding on the
halves the range overlaps; a merge keeps it; a coding removed from one of its segments,
narrowed to words or given another code, or a segment retimed away from it, and it goes out
as FieldScribe holds it."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from storage import Project
from storage.interop import exchange_meta, export_qdpx, import_qdpx
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.interop_support import make_wav, write_qdpx
from tests.test_interop_qdpx_coded_media import (
    C1,
    C2,
    C3,
    SRC,
    U1,
    U2,
    _partial,
    _range,
    _ranges,
)

NS = {"q": "urn:QDA-XML:project:1.0"}
INSIDE = ("AudioSelection", 300, 700, "Сенім", "Айгүл")  # inside line 1 (0-1000 ms)
ACROSS = ("AudioSelection", 800, 1600, "Деньги", "Дмитрий")  # across lines 1 and 2


def _import(tmp: Path, ranges: bool = True) -> Path:
    wav = make_wav(tmp / "wav", "Hello, this is a short interview about public services.")
    qde = _partial(
        "",
        _range(1, 300, 700, U1, C1) + _range(3, 800, 1600, U2, C2)
        + _range(5, 0, 1000, U1, C3)  # exactly line 1: a coding of it
        if ranges
        else "",
    )  # fmt: skip
    files = {f"sources/{SRC}.wav": wav.read_bytes()}
    report = import_qdpx(write_qdpx(tmp / "in.qdpx", qde, files), tmp / "p", coder="me")
    said = " ".join(report.item_lines)  # each range's own line (the report groups them)
    assert not ranges or any("3 coded time ranges were applied to" in n for n in report.notes)
    assert not ranges or (
        "a coded time range 800-1600 ms was applied to the 2 segments it overlaps, keeping its "
        "own range for exports." in said
    )
    assert (
        not ranges
        or "a coded time range 0-1000 ms was applied to the 1 segment it overlaps." in said
    )
    return tmp / "p"


def _export(folder: Path, out: Path) -> tuple[set[tuple[str, int, int, str, str]], list[str]]:
    """The coded ranges of an export, and the code names of its transcript selections."""
    with Project.open(folder) as p:
        export_qdpx(p, out, with_media=False)
    doc = etree.fromstring(zipfile.ZipFile(out).read("project.qde"))
    codes = {c.get("guid"): c.get("name") for c in doc.iterfind(".//q:Code", NS)}
    on_text = sorted(
        codes[ref.get("targetGUID")]
        for ref in doc.iterfind(".//q:TranscriptSelection/q:Coding/q:CodeRef", NS)
    )
    return _ranges(out), on_text


def _segments(p: Project) -> list[str]:
    (session,) = p.sessions.all()
    return [s.id for s in p.transcript.segments(session.id)]


def _codings(p: Project, code: str) -> list[tuple[int, str]]:
    """(segment index, coding id) of one code's codings."""
    seg_ids = _segments(p)
    code_id = next(c.id for c in p.codebook.codes() if c.path == code)
    return sorted(
        (seg_ids.index(c.segment_id), c.id) for c in p.codebook.codings() if c.code_id == code_id
    )


def test_a_range_on_a_transcript_goes_back_as_it_came(tmp_path: Path) -> None:
    folder = _import(tmp_path)
    with Project.open(folder, readonly=True) as p:
        assert [i for i, _ in _codings(p, "Деньги")] == [0, 1]  # the segments it overlaps
        assert [i for i, _ in _codings(p, "Сенім")] == [0]
    assert _export(folder, tmp_path / "out.qdpx") == ({INSIDE, ACROSS}, ["Тіл"])
    # and read back, the same again (nothing doubled, nothing longer)
    import_qdpx(tmp_path / "out.qdpx", tmp_path / "again", coder="me")
    assert _export(tmp_path / "again", tmp_path / "again.qdpx") == ({INSIDE, ACROSS}, ["Тіл"])


def test_bundles_and_merges_carry_the_ranges(tmp_path: Path) -> None:
    """The lead's project has the transcript; a coder's copy imports the other tool's file
    of the same recording, its coded ranges; the lead merges the coder's bundle and exports."""
    lead = _import(tmp_path, ranges=False)
    with Project.open(lead) as p:
        export_bundle(p, tmp_path / "lead.fsbundle")
    Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "ann", coder="ann").close()
    _import(tmp_path / "a")
    import_qdpx(tmp_path / "a" / "in.qdpx", tmp_path / "ann", coder="ann")
    with Project.open(tmp_path / "ann") as ann:
        assert len(exchange_meta.time_ranges(ann)) == 3
        export_bundle(ann, tmp_path / "ann.fsbundle")
    assert _export(tmp_path / "ann", tmp_path / "ann.qdpx") == ({INSIDE, ACROSS}, ["Тіл"])
    with Project.open(lead) as p:
        merge_bundles(p, [tmp_path / "ann.fsbundle"])
        assert len(exchange_meta.time_ranges(p)) == 3
    assert _export(lead, tmp_path / "lead.qdpx") == ({INSIDE, ACROSS}, ["Тіл"])
    # a copy made from the lead's bundle now
    with Project.open(lead) as p:
        export_bundle(p, tmp_path / "lead2.fsbundle")
    Project.from_bundle(tmp_path / "lead2.fsbundle", tmp_path / "bo", coder="bo").close()
    assert _export(tmp_path / "bo", tmp_path / "bo.qdpx") == ({INSIDE, ACROSS}, ["Тіл"])


def test_editing_the_words_keeps_the_ranges(tmp_path: Path) -> None:
    folder = _import(tmp_path)
    with Project.open(folder) as p:
        first = _segments(p)[0]
        p.transcript.update_segment(first, text="Сәлеметсіз бе, Анна.")
    assert _export(folder, tmp_path / "o.qdpx") == ({INSIDE, ACROSS}, ["Тіл"])


def test_a_split_keeps_each_coding_on_the_halves_its_range_overlaps(tmp_path: Path) -> None:
    folder = _import(tmp_path)
    with Project.open(folder) as p:
        first = _segments(p)[0]
        # at 500 ms: 300-700 lies on both halves, 800-1600 only on the right one
        p.transcript.split_segment(first, 7, 500)
        assert [i for i, _ in _codings(p, "Сенім")] == [0, 1]
        assert [i for i, _ in _codings(p, "Деньги")] == [1, 2]  # not on 0-500 ms
        assert [i for i, _ in _codings(p, "Тіл")] == [0, 1]  # a whole-segment coding: both
    assert _export(folder, tmp_path / "o.qdpx") == ({INSIDE, ACROSS}, ["Тіл", "Тіл"])


def test_a_split_before_the_range_moves_its_coding_to_the_right_half(tmp_path: Path) -> None:
    folder = _import(tmp_path)
    with Project.open(folder) as p:
        first = _segments(p)[0]
        p.transcript.split_segment(first, 3, 200)  # 300-700 lies wholly after 200 ms
        assert [i for i, _ in _codings(p, "Сенім")] == [1]
    assert _export(folder, tmp_path / "o.qdpx")[0] == {INSIDE, ACROSS}


def test_a_cut_between_speakers_moves_a_ranged_coding_where_its_range_lies(
    tmp_path: Path,
) -> None:
    """A cut between speakers (``move_codings``) gave each whole-segment coding to the longer
    part, a ranged one too: 300-700 ms went to 0-200 ms and went out over it. Now it follows
    its range as the coder's own split does; a coding of no range still goes to the longer
    part, copied to neither."""
    folder = _import(tmp_path)
    with Project.open(folder) as p:
        first = _segments(p)[0]
        assert p.transcript.get_segment(first).text == "Сәлеметсіз бе."
        # "Сәлеметсіз" 0-200 ms, the longer part; "бе." 200-1000 ms holds both ranges' start
        p.transcript.split_segment(first, 11, 200, move_codings=True)
        assert [i for i, _ in _codings(p, "Сенім")] == [1]
        assert [i for i, _ in _codings(p, "Деньги")] == [1, 2]
        assert [i for i, _ in _codings(p, "Тіл")] == [0]
    assert _export(folder, tmp_path / "o.qdpx") == ({INSIDE, ACROSS}, ["Тіл"])


def test_a_cut_between_speakers_inside_a_range_keeps_its_coding_on_both(tmp_path: Path) -> None:
    folder = _import(tmp_path)
    with Project.open(folder) as p:
        first = _segments(p)[0]
        p.transcript.split_segment(first, 11, 500, move_codings=True)  # inside 300-700 ms
        assert [i for i, _ in _codings(p, "Сенім")] == [0, 1]
        assert [i for i, _ in _codings(p, "Деньги")] == [1, 2]
        assert len(exchange_meta.time_ranges(p)) == 4  # the right part's Сенім has it too
    assert _export(folder, tmp_path / "o.qdpx") == ({INSIDE, ACROSS}, ["Тіл"])


def test_a_merge_keeps_the_ranges(tmp_path: Path) -> None:
    folder = _import(tmp_path)
    with Project.open(folder) as p:
        p.transcript.merge_with_next(_segments(p)[0])
        assert [i for i, _ in _codings(p, "Деньги")] == [0]  # one coding of the merged one
    assert _export(folder, tmp_path / "o.qdpx") == ({INSIDE, ACROSS}, ["Тіл"])


def test_a_range_that_no_longer_fits_goes_out_as_fieldscribe_holds_it(tmp_path: Path) -> None:
    folder = _import(tmp_path)
    with Project.open(folder) as p:
        (_, on_second) = _codings(p, "Деньги")[1]
        p.codebook.remove_coding(on_second)  # the coder took the code off the second line
    assert _export(folder, tmp_path / "a.qdpx") == ({INSIDE}, ["Деньги", "Тіл"])
    folder = _import(tmp_path / "b")
    with Project.open(folder) as p:
        # the second line retimed to start after the range: it no longer overlaps 800-1600,
        # yet it carries the coding, so the range is not what the coder sees
        second = _segments(p)[1]
        p.transcript.update_segment(second, start_ms=1700)
    assert _export(folder, tmp_path / "b.qdpx") == ({INSIDE}, ["Деньги", "Деньги", "Тіл"])


def test_transcribing_the_ranges_keeps_them_while_they_fit(tmp_path: Path) -> None:
    """A recording coded without transcript (MAXQDA): the overlapping ranges share a segment
    of speech without transcript, each coding keeping its range while the segment had no
    text. Transcribed in place (or typed), it went out over the whole segment; the ranges are
    still what was coded. A segment the transcription adds inside a range, without its code,
    and that range goes out as FieldScribe holds it."""
    from storage import SegmentDraft
    from tests.test_interop_qdpx_coded_media import ORIGINAL, _maxqda_media

    wav = make_wav(tmp_path / "wav", "Hello, this is a short interview about public services.")
    qde, files = _maxqda_media(wav.read_bytes())
    import_qdpx(write_qdpx(tmp_path / "m.qdpx", qde, files), tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p") as p:
        (session,) = p.sessions.all()
        shared = p.transcript.segments(session.id)[0]
        assert (shared.start_ms, shared.end_ms) == (200, 2500)
        p.transcript.replace_transcription(
            shared.id, text="Hello, this is a short interview", words=[], confidence=None,
            language="en",
        )  # fmt: skip
    assert _export(tmp_path / "p", tmp_path / "a.qdpx") == (ORIGINAL, [])
    with Project.open(tmp_path / "p") as p:
        p.transcript.add_segments(session.id, [SegmentDraft(1700, 1800, "public")])
    ranges, on_text = _export(tmp_path / "p", tmp_path / "b.qdpx")
    # 1000-2500 now overlaps the segment added at 1700 ms, which lacks its code
    assert ranges == ORIGINAL - {("AudioSelection", 1000, 2500, "Деньги", "Айгүл")}
    assert on_text == ["Деньги"]
