"""Time ranges of a .qdpx that do not fit the recording: past its end, before 0, or ending
before they begin. Each coding is kept on a segment inside the recording (when its length is
known), never of negative length, and the import report says what was changed; a segment of
speech without transcript used to run past the end of the recording (3000-9000 ms of a 3.4 s
recording), where nothing can be played or typed."""

from __future__ import annotations

from pathlib import Path

from storage import Project
from storage.interop import export_qdpx, import_qdpx
from tests.interop_support import make_wav, write_qdpx
from tests.test_interop_qdpx_coded_media import C1, C2, C3, SRC, U1, U2, _g, _head, _range, _ranges


def _qde(extra: str = "", path: str = f"internal://{SRC}.wav") -> str:
    return (
        _head() + f'<Sources><AudioSource guid="{SRC}" name="Ауыл" path="{path}">'
        + _range(1, 3000, 9000, U1, C1)  # past the end
        + _range(3, -500, 800, U1, C2)  # before 0
        + _range(5, 2000, 1500, U2, C3)  # its end before its begin
        + _range(7, 7000, 8000, U2, C1)  # wholly past the end
        + f'<AudioSelection guid="{_g(20)}" name="Кеш" begin="9000" end="9000"/>'
        + extra
        + "</AudioSource></Sources></Project>"
    )  # fmt: skip


def test_ranges_that_do_not_fit_the_recording_are_fitted_and_said(tmp_path: Path) -> None:
    wav = make_wav(tmp_path / "wav", "Hello, this is a short interview about public services.")
    files = {f"sources/{SRC}.wav": wav.read_bytes()}
    report = import_qdpx(write_qdpx(tmp_path / "m.qdpx", _qde(), files), tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p", readonly=True) as p:
        (session,) = p.sessions.all()
        length = p.sessions.media_for_session(session.id)[0].duration_ms
        spans = [(s.start_ms, s.end_ms) for s in p.transcript.segments(session.id)]
        assert len(p.codebook.codings()) == 4  # every coding kept
        assert [m.time_ms for m in p.sessions.markers(session.id)] == [length]
        export_qdpx(p, tmp_path / "back.qdpx")
    assert 3000 < length < 7000
    assert spans == [(0, 800), (1500, 2000), (3000, length), (length, length)]
    said = " ".join(report.notes)
    assert "1 time selection ended before it began (2000–1500 ms)" in said
    assert "1 time selection began before the recording (-500–800 ms) and starts at 0" in said
    assert "1 time selection ran past the end of the recording (3000–9000 ms)" in said
    assert "2 time selections lay wholly past the end of the recording" in said
    assert _ranges(tmp_path / "back.qdpx") == {
        ("AudioSelection", 0, 800, "Деньги", "Айгүл"),
        ("AudioSelection", 1500, 2000, "Тіл", "Дмитрий"),
        ("AudioSelection", 3000, length, "Сенім", "Айгүл"),
        ("AudioSelection", length, length, "Сенім", "Дмитрий"),
    }


def test_without_the_recording_only_what_is_impossible_is_changed(tmp_path: Path) -> None:
    """Its length unknown (the recording is outside the archive), a range past where the
    recording might end is kept as it is; one before 0 or reversed is fitted, and said."""
    qde = _qde(path="absolute:///home/aigul/Ауыл.wav")
    report = import_qdpx(write_qdpx(tmp_path / "m.qdpx", qde), tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p", readonly=True) as p:
        (session,) = p.sessions.all()
        spans = [(s.start_ms, s.end_ms) for s in p.transcript.segments(session.id)]
        assert len(p.codebook.codings()) == 4
        assert [m.time_ms for m in p.sessions.markers(session.id)] == [9000]
    assert spans == [(0, 800), (1500, 2000), (3000, 9000)]  # 7000-8000 shares 3000-9000
    said = " ".join(report.notes)
    assert "ended before it began" in said and "began before the recording" in said
    assert "past the end" not in said


def test_a_second_import_fits_its_new_ranges_too(tmp_path: Path) -> None:
    """A second coder's file of the same recording (codings the project never held) is fitted
    the same way: no segment past the end of the recording."""
    wav = make_wav(tmp_path / "wav", "Hello, this is a short interview about public services.")
    files = {f"sources/{SRC}.wav": wav.read_bytes()}
    import_qdpx(write_qdpx(tmp_path / "m.qdpx", _qde(), files), tmp_path / "p", coder="me")
    more = _qde(_range(40, 8000, 12000, U2, C2) + _range(42, 900, -100, U2, C2))
    report = import_qdpx(write_qdpx(tmp_path / "n.qdpx", more, files), tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p", readonly=True) as p:
        (session,) = p.sessions.all()
        length = p.sessions.media_for_session(session.id)[0].duration_ms
        segments = p.transcript.segments(session.id)
        assert len(p.codebook.codings()) == 6
    assert all(0 <= s.start_ms <= s.end_ms <= length for s in segments)
    assert report.codings == 2
    assert any("wholly past the end" in n and "ended before" in n for n in report.notes)


def test_sync_points_outside_the_recording_are_said(tmp_path: Path) -> None:
    """A transcript's sync points before 0 or past the end of the recording: its lines were
    timed within the recording without a word in the report."""
    from tests.test_interop_qdpx_coded_media import TR

    wav = make_wav(tmp_path / "wav", "Hello, this is a short interview about public services.")
    points = [(0, -1000), (21, 1000), (22, 1000), (41, 99999)]
    sync = "".join(
        f'<SyncPoint guid="{_g(60 + i)}" position="{pos}" timeStamp="{ms}"/>'
        for i, (pos, ms) in enumerate(points)
    )
    qde = (
        _head() + f'<Sources><AudioSource guid="{SRC}" name="Ж" path="internal://{SRC}.wav">'
        f'<Transcript guid="{TR}" name="Ж.txt"><PlainTextContent>'
        f"Ерлан: Сәлеметсіз бе.\nАнна: Здравствуйте.</PlainTextContent>{sync}"
        "</Transcript></AudioSource></Sources></Project>"
    )
    files = {f"sources/{SRC}.wav": wav.read_bytes()}
    report = import_qdpx(write_qdpx(tmp_path / "t.qdpx", qde, files), tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p", readonly=True) as p:
        (session,) = p.sessions.all()
        length = p.sessions.media_for_session(session.id)[0].duration_ms
        spans = [(s.start_ms, s.end_ms) for s in p.transcript.segments(session.id)]
    assert spans == [(0, 1000), (1000, length)]
    assert any(
        "2 sync points lie outside the recording (the first at -1000 ms" in note
        for note in report.notes
    )
