"""What other tools' REFI-QDA exports carry that the import used to drop with a line in its
report: codings of a recording that has no transcript (MAXQDA, ATLAS.ti and QualCoder code
audio and video directly: ``AudioSelection``/``VideoSelection`` with ``Coding``s), codings of a
whole source (a ``Coding`` on the source itself), a note linked to a ``Transcript``, and a
coding whose own user is its ``modifyingUser``."""

from __future__ import annotations

from pathlib import Path

from storage import Project
from storage.interop import import_qdpx
from tests.interop_support import write_qdpx

NS = 'xmlns="urn:QDA-XML:project:1.0"'
U1, U2 = "a1000000-0000-4000-8000-000000000001", "a1000000-0000-4000-8000-000000000002"
C1, C2, C3 = (f"c1000000-0000-4000-8000-00000000000{i}" for i in (1, 2, 3))
SRC, TR, NOTE = (
    "51000000-0000-4000-8000-000000000001",
    "71000000-0000-4000-8000-000000000001",
    "81000000-0000-4000-8000-000000000001",
)


def _g(n: int) -> str:
    return f"e1000000-0000-4000-8000-{n:012d}"


def _head(origin: str = "MAXQDA 24") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><Project {NS} name="Далалық жоба" '
        f'origin="{origin}"><Users><User guid="{U1}" name="Айгүл"/>'
        f'<User guid="{U2}" name="Дмитрий"/></Users><CodeBook><Codes>'
        f'<Code guid="{C1}" name="Сенім" isCodable="true" color="#1f77b4"/>'
        f'<Code guid="{C2}" name="Деньги" isCodable="true" color="#ff7f0e"/>'
        f'<Code guid="{C3}" name="Тіл" isCodable="true" color="#2ca02c"/>'
        "</Codes></CodeBook>"
    )


def test_a_codings_own_modifying_user_is_its_coder(tmp_path: Path) -> None:
    """The REFI-QDA samples write a ``Coding`` with its user as ``modifyingUser``; the coding
    went to the selection's creatingUser (another coder), which agreement then counted."""
    text = "Ауылда сенім бар.\nДеньги решают всё."
    qde = (
        _head() + f'<Sources><TextSource guid="{SRC}" name="Сұхбат 1"><PlainTextContent>{text}'
        f'</PlainTextContent><PlainTextSelection guid="{_g(1)}" startPosition="0" '
        f'endPosition="17" creatingUser="{U1}" creationDateTime="2024-03-01T10:00:00Z">'
        f'<Coding guid="{_g(2)}" modifyingUser="{U2}" modifiedDateTime="2024-03-02T11:30:00Z">'
        f'<CodeRef targetGUID="{C1}"/></Coding></PlainTextSelection></TextSource></Sources>'
        "</Project>"
    )
    import_qdpx(write_qdpx(tmp_path / "m.qdpx", qde), tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p", readonly=True) as p:
        (coding,) = p.codebook.codings()
    assert coding.coder == "Дмитрий"
    assert coding.created_at.startswith("2024-03-02T11:30")


def test_a_note_linked_to_a_transcript_is_its_sessions_memo(tmp_path: Path) -> None:
    qde = (
        _head("ATLAS.ti 23")
        + f'<Sources><AudioSource guid="{SRC}" name="Фокус-топ" path="internal://none.wav">'
        f'<Transcript guid="{TR}" name="Фокус-топ.txt"><PlainTextContent>'
        "Ерлан: Сәлеметсіз бе.\nАнна: Здравствуйте.</PlainTextContent></Transcript>"
        f'</AudioSource></Sources><Notes><Note guid="{NOTE}" name="Транскрипция" '
        f'creatingUser="{U1}"><PlainTextContent>Екінші бөлімі естілмейді.</PlainTextContent>'
        f'</Note></Notes><Links><Link guid="{_g(9)}" originGUID="{NOTE}" targetGUID="{TR}"/>'
        "</Links></Project>"
    )
    report = import_qdpx(write_qdpx(tmp_path / "l.qdpx", qde), tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p", readonly=True) as p:
        (session,) = p.sessions.all()
        memos = [(m.target_type, m.target_id, m.text) for m in p.codebook.memos()]
    assert memos == [("session", session.id, "Екінші бөлімі естілмейді.")]
    assert not any("link" in line.lower() for line in report.not_imported)


def _maxqda_media(wav: bytes | None, *, transcript: str = "") -> tuple[str, dict[str, bytes]]:
    """A recording coded in MAXQDA without a transcript, as its export writes it: one
    ``AudioSelection`` per coded range (named by its times), the coder on the selection and
    on its ``Coding``; an uncoded range is a marker."""

    def sel(n: int, begin: int, end: int, user: str, code: str, when: str) -> str:
        return (
            f'<AudioSelection guid="{_g(n)}" name="{begin / 1000:05.2f} – {end / 1000:05.2f}" '
            f'begin="{begin}" end="{end}" creatingUser="{user}" modifyingUser="{user}" '
            f'creationDateTime="{when}" modifiedDateTime="{when}">'
            f'<Coding guid="{_g(n + 100)}" creatingUser="{user}" creationDateTime="{when}">'
            f'<CodeRef targetGUID="{code}"/></Coding></AudioSelection>'
        )

    qde = (
        _head() + f'<Sources><AudioSource guid="{SRC}" name="Ауыл сұхбаты" '
        f'path="internal://{SRC}.wav" creatingUser="{U1}">{transcript}'
        + sel(1, 200, 1500, U1, C1, "2024-03-01T10:00:00Z")
        + sel(2, 200, 1500, U2, C1, "2024-03-01T12:00:00Z")
        + sel(3, 1000, 2500, U1, C2, "2024-03-01T10:05:00Z")
        + sel(4, 2800, 3300, U2, C3, "2024-03-02T09:00:00Z")
        + f'<AudioSelection guid="{_g(5)}" name="Күлкі" begin="2600" end="2600"/>'
        "</AudioSource></Sources></Project>"
    )
    return qde, ({f"sources/{SRC}.wav": wav} if wav is not None else {})


def _ranges(qdpx: Path) -> set[tuple[str, int, int, str, str]]:
    """The coded time ranges of a .qdpx (valid against the REFI-QDA schema): (element, begin,
    end, code name, coder name)."""
    import zipfile

    from lxml import etree

    from tests.interop_support import SCHEMA

    doc = etree.fromstring(zipfile.ZipFile(qdpx).read("project.qde"))
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(doc), schema.error_log
    ns = {"q": "urn:QDA-XML:project:1.0"}
    users = {u.get("guid"): u.get("name") for u in doc.iterfind(".//q:User", ns)}
    codes = {c.get("guid"): c.get("name") for c in doc.iterfind(".//q:Code", ns)}
    found = set()
    for tag in ("AudioSelection", "VideoSelection"):
        for el in doc.iterfind(f".//q:{tag}", ns):
            for coding in el.iterfind("q:Coding", ns):
                code = codes[coding.find("q:CodeRef", ns).get("targetGUID")]
                found.add(
                    (tag, int(el.get("begin")), int(el.get("end")), code,
                     users[coding.get("creatingUser")])
                )  # fmt: skip
    return found


ORIGINAL = {
    ("AudioSelection", 200, 1500, "Сенім", "Айгүл"),
    ("AudioSelection", 200, 1500, "Сенім", "Дмитрий"),
    ("AudioSelection", 1000, 2500, "Деньги", "Айгүл"),
    ("AudioSelection", 2800, 3300, "Тіл", "Дмитрий"),
}


def test_a_recording_coded_without_transcript_keeps_its_codings(tmp_path: Path) -> None:
    """A recording coded in MAXQDA without a transcript lost every coding ("a coded time range
    overlaps no transcript segment"): each coded range is a segment of speech without
    transcript now, overlapping ranges one segment over them all, the codings on it with their
    coders and dates; an export gives each coding's range back, and so does its import."""
    from storage.interop import export_qdpx
    from tests.interop_support import make_wav

    wav = make_wav(tmp_path / "wav", "Hello, this is a short interview about public services.")
    qde, files = _maxqda_media(wav.read_bytes())
    report = import_qdpx(write_qdpx(tmp_path / "m.qdpx", qde, files), tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p", readonly=True) as p:
        (session,) = p.sessions.all()
        segments = p.transcript.segments(session.id)
        assert [(s.start_ms, s.end_ms, s.text, s.untranscribed) for s in segments] == [
            (200, 2500, "", True),  # 200-1500 twice and 1000-2500: one segment over them
            (2800, 3300, "", True),
        ]
        names = {c.id: c.path for c in p.codebook.codes()}
        codings = sorted(
            (segments.index(next(s for s in segments if s.id == c.segment_id)), names[c.code_id],
             c.coder, c.created_at[:16], c.start_cp)
            for c in p.codebook.codings()
        )  # fmt: skip
        assert codings == [
            (0, "Деньги", "Айгүл", "2024-03-01T10:05", None),
            (0, "Сенім", "Айгүл", "2024-03-01T10:00", None),
            (0, "Сенім", "Дмитрий", "2024-03-01T12:00", None),
            (1, "Тіл", "Дмитрий", "2024-03-02T09:00", None),
        ]
        assert [(m.time_ms, m.label) for m in p.sessions.markers(session.id)] == [(2600, "Күлкі")]
        assert p.sessions.media_for_session(session.id)  # to play and type
        export_qdpx(p, tmp_path / "back.qdpx")
    assert report.codings == 4 and report.segments == 2
    assert not any("time range" in line for line in report.not_imported)
    said = " ".join(report.notes)
    assert "4 coded time ranges became 2 segments of speech without transcript" in said
    assert _ranges(tmp_path / "back.qdpx") == ORIGINAL
    # FieldScribe's export read back: the same segments, each coding on its range again
    import_qdpx(tmp_path / "back.qdpx", tmp_path / "again", coder="me")
    with Project.open(tmp_path / "again", readonly=True) as p:
        (session,) = p.sessions.all()
        segments = p.transcript.segments(session.id)
        assert [(s.start_ms, s.end_ms, s.untranscribed) for s in segments] == [
            (200, 2500, True),
            (2800, 3300, True),
        ]
        assert len(p.codebook.codings()) == 4
        export_qdpx(p, tmp_path / "twice.qdpx")
    assert _ranges(tmp_path / "twice.qdpx") == ORIGINAL


def test_qualcoders_video_codings_without_transcript(tmp_path: Path) -> None:
    """QualCoder writes an A/V coding as a ``VideoSelection`` named by its memo, the memo in
    its ``Description``, the user on it and on its ``Coding``, and its video outside the
    archive (``absolute://``, found in the folder the user names): a segment of speech
    without transcript with the coding and its memo, given back as a ``VideoSelection``."""
    from storage.interop import export_qdpx
    from tests.interop_support import make_wav
    from tests.media import video_with_audio

    wav = make_wav(tmp_path / "wav", "Hello, this is a short interview about public services.")
    (tmp_path / "media").mkdir()
    video_with_audio(wav, tmp_path / "media" / "жиын.mp4")
    qde = (
        _head("QualCoder 3.6")
        + f'<Sources><VideoSource creatingUser="{U1}" creationDateTime="2024-05-01T08:00:00Z" '
        f'path="absolute:///home/aigul/Бейне/жиын.mp4" guid="{SRC}" name="жиын.mp4">'
        f'<VideoSelection guid="{_g(1)}" begin="1470" end="2770" '
        f'name="Ол күлді" creatingUser="{U1}" ><Description>Ол күлді</Description>'
        f'<Coding guid="{_g(2)}" creatingUser="{U1}" creationDateTime="2024-05-01T09:10:00Z">'
        f'<CodeRef targetGUID="{C2}"/></Coding></VideoSelection>'
        f'<VideoSelection guid="{_g(3)}" begin="3000" end="3000" name="Marker: Есік"/>'
        "</VideoSource></Sources></Project>"
    )
    import_qdpx(
        write_qdpx(tmp_path / "q.qdpx", qde), tmp_path / "p", coder="me",
        media_dir=tmp_path / "media",
    )  # fmt: skip
    with Project.open(tmp_path / "p", readonly=True) as p:
        (session,) = p.sessions.all()
        (segment,) = p.transcript.segments(session.id)
        (coding,) = p.codebook.codings()
        assert p.sessions.media_for_session(session.id)
        assert [m.label for m in p.sessions.markers(session.id)] == ["Есік"]
        # (a video's marker went out as an AudioSelection, which a VideoSource may not hold:
        # the export did not validate)
        export_qdpx(p, tmp_path / "back.qdpx", with_media=False)
    assert (segment.start_ms, segment.end_ms, segment.untranscribed) == (1470, 2770, True)
    assert (coding.segment_id, coding.coder, coding.memo) == (segment.id, "Айгүл", "Ол күлді")
    assert _ranges(tmp_path / "back.qdpx") == {("VideoSelection", 1470, 2770, "Деньги", "Айгүл")}


def test_codings_of_a_whole_source(tmp_path: Path) -> None:
    """A ``Coding`` on the source itself (a code of the whole document, no selection) was
    reported as having no segment: it codes every segment of the session now; a recording
    with neither transcript nor coded ranges gets one segment of speech without transcript
    over the whole recording to carry it."""
    from tests.interop_support import make_wav

    wav = make_wav(tmp_path / "wav", "Hello, this is a short interview.").read_bytes()
    text = "Сұхбат басталды.\nВ городе нет работы.\nБітті."
    qde = (
        _head("ATLAS.ti 23")
        + f'<Sources><TextSource guid="{SRC}" name="Жазба" creatingUser="{U1}">'
        f"<PlainTextContent>{text}</PlainTextContent>"
        f'<Coding guid="{_g(1)}" creatingUser="{U2}" creationDateTime="2024-04-04T04:04:04Z">'
        f'<CodeRef targetGUID="{C3}"/></Coding></TextSource>'
        f'<AudioSource guid="{TR}" name="Үнтаспа" path="internal://a.wav" creatingUser="{U1}">'
        f'<Coding guid="{_g(2)}"><CodeRef targetGUID="{C1}"/></Coding></AudioSource>'
        "</Sources></Project>"
    )
    files = {"sources/a.wav": wav}
    report = import_qdpx(write_qdpx(tmp_path / "w.qdpx", qde, files), tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p", readonly=True) as p:
        names = {c.id: c.path for c in p.codebook.codes()}
        text_session, audio_session = sorted(p.sessions.all(), key=lambda s: s.title)
        lines = p.transcript.segments(text_session.id)
        (whole,) = p.transcript.segments(audio_session.id)
        by_segment = {
            c.segment_id: (names[c.code_id], c.coder, c.start_cp, c.created_at[:10])
            for c in p.codebook.codings()
        }
        duration = p.sessions.media_for_session(audio_session.id)[0].duration_ms
    assert [s.text for s in lines] == ["Сұхбат басталды.", "В городе нет работы.", "Бітті."]
    assert [by_segment[s.id] for s in lines] == [("Тіл", "Дмитрий", None, "2024-04-04")] * 3
    assert (whole.start_ms, whole.end_ms, whole.untranscribed) == (0, duration, True)
    assert by_segment[whole.id][:3] == ("Сенім", "Айгүл", None)  # the source's user
    assert not any("whole" in line for line in report.not_imported)
    said = " ".join(report.notes)
    assert "coding of the whole document ('Тіл') was applied to every one of its 3" in said


def test_a_second_coders_ranges_join_the_first_ones_segments(tmp_path: Path) -> None:
    """Each coder of a team codes the recording in MAXQDA and exports it; the lead imports
    the files one after the other: the second file's ranges are coded on the segments the
    first made where they overlap them, on new segments elsewhere."""
    from tests.interop_support import make_wav

    wav = make_wav(tmp_path / "wav", "Hello, this is a short interview about public services.")
    qde, files = _maxqda_media(wav.read_bytes())
    import_qdpx(write_qdpx(tmp_path / "a.qdpx", qde, files), tmp_path / "p", coder="me")
    second = (
        _head()
        + f'<Sources><AudioSource guid="{SRC}" name="Ауыл сұхбаты" path="internal://{SRC}.wav">'
        f'<AudioSelection guid="{_g(50)}" begin="300" end="1200" creatingUser="{U2}">'
        f'<Coding guid="{_g(51)}" creatingUser="{U2}"><CodeRef targetGUID="{C2}"/></Coding>'
        f'</AudioSelection><AudioSelection guid="{_g(52)}" begin="2550" end="2700" '
        f'creatingUser="{U2}"><Coding guid="{_g(53)}" creatingUser="{U2}">'
        f'<CodeRef targetGUID="{C3}"/></Coding></AudioSelection></AudioSource></Sources></Project>'
    )
    report = import_qdpx(write_qdpx(tmp_path / "b.qdpx", second, files), tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p", readonly=True) as p:
        (session,) = p.sessions.all()
        segments = p.transcript.segments(session.id)
        names = {c.id: c.path for c in p.codebook.codes()}
        theirs = sorted(
            ((s.start_ms, s.end_ms), names[c.code_id])
            for c in p.codebook.codings(coder="Дмитрий")
            for s in segments
            if s.id == c.segment_id
        )
    assert [(s.start_ms, s.end_ms) for s in segments] == [(200, 2500), (2550, 2700), (2800, 3300)]
    assert theirs == [
        ((200, 2500), "Деньги"), ((200, 2500), "Сенім"), ((2550, 2700), "Тіл"),
        ((2800, 3300), "Тіл"),
    ]  # fmt: skip
    assert report.codings == 2


def test_a_coded_range_without_a_readable_begin_is_named(tmp_path: Path) -> None:
    """A coded range whose ``begin`` is no number has no place: said with its code, no
    segment made at 0 for it."""
    qde = (
        _head() + f'<Sources><AudioSource guid="{SRC}" name="Үзінді" path="internal://none.wav">'
        f'<AudioSelection guid="{_g(1)}" begin="бір" end="1200" creatingUser="{U1}">'
        f'<Coding guid="{_g(2)}" creatingUser="{U1}"><CodeRef targetGUID="{C1}"/></Coding>'
        f'</AudioSelection><AudioSelection guid="{_g(3)}" begin="500" end="900" '
        f'creatingUser="{U1}"><Coding guid="{_g(4)}" creatingUser="{U1}">'
        f'<CodeRef targetGUID="{C2}"/></Coding></AudioSelection></AudioSource></Sources>'
        "</Project>"
    )
    report = import_qdpx(write_qdpx(tmp_path / "b.qdpx", qde), tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p", readonly=True) as p:
        (session,) = p.sessions.all()
        assert [(s.start_ms, s.end_ms) for s in p.transcript.segments(session.id)] == [(500, 900)]
    assert report.codings == 1
    assert any("'Сенім') has no readable begin" in line for line in report.not_imported)


def test_a_second_coders_code_of_the_whole_document_is_added(tmp_path: Path) -> None:
    """The same text source coded as a whole by a second coder, imported after the first
    coder's file: that coding joins every segment (codings of a whole source imported before
    are not added twice)."""

    def qde(user: str, guid: str, code: str) -> str:
        return (
            _head("ATLAS.ti 23")
            + f'<Sources><TextSource guid="{SRC}" name="Жазба"><PlainTextContent>'
            "Бірінші жол.\nВторая строка.</PlainTextContent>"
            f'<Coding guid="{guid}" creatingUser="{user}"><CodeRef targetGUID="{code}"/>'
            "</Coding></TextSource></Sources></Project>"
        )

    import_qdpx(write_qdpx(tmp_path / "a.qdpx", qde(U1, _g(1), C1)), tmp_path / "p", coder="me")
    again = write_qdpx(tmp_path / "a2.qdpx", qde(U1, _g(1), C1))
    assert import_qdpx(again, tmp_path / "p", coder="me").codings == 0
    report = import_qdpx(
        write_qdpx(tmp_path / "b.qdpx", qde(U2, _g(2), C3)), tmp_path / "p", coder="me"
    )
    with Project.open(tmp_path / "p", readonly=True) as p:
        names = {c.id: c.path for c in p.codebook.codes()}
        codings = sorted((names[c.code_id], c.coder) for c in p.codebook.codings())
    assert report.codings == 2
    assert codings == [("Сенім", "Айгүл")] * 2 + [("Тіл", "Дмитрий")] * 2


def _partial(extra: str, coded: str) -> str:
    """A recording transcribed in part (two lines, to 2 s) and coded beyond its lines."""
    sync = "".join(
        f'<SyncPoint guid="{_g(60 + i)}" position="{pos}" timeStamp="{ms}"/>'
        for i, (pos, ms) in enumerate([(0, 0), (21, 1000), (22, 1000), (41, 2000)])
    )
    return (
        _head() + f'<Sources><AudioSource guid="{SRC}" name="Жартылай" path="internal://{SRC}.wav">'
        f'<Transcript guid="{TR}" name="Жартылай.txt"><PlainTextContent>'
        f"Ерлан: Сәлеметсіз бе.\nАнна: Здравствуйте.</PlainTextContent>{sync}{extra}"
        f"</Transcript>{coded}</AudioSource></Sources></Project>"
    )


def _range(n: int, begin: int, end: int, user: str, code: str) -> str:
    return (
        f'<AudioSelection guid="{_g(n)}" begin="{begin}" end="{end}" creatingUser="{user}">'
        f'<Coding guid="{_g(n + 1)}" creatingUser="{user}"><CodeRef targetGUID="{code}"/>'
        "</Coding></AudioSelection>"
    )


def test_ranges_beyond_a_partial_transcript(tmp_path: Path) -> None:
    """A recording transcribed only in part, coded beyond its transcript's lines: those ranges
    were dropped ("overlaps no transcript segment"); they are segments of speech without
    transcript now, and a second coder's file of the same project still finds its lines."""
    from tests.interop_support import make_wav

    wav = make_wav(tmp_path / "wav", "Hello, this is a short interview about public services.")
    files = {f"sources/{SRC}.wav": wav.read_bytes()}
    first = _partial("", _range(1, 500, 800, U1, C1) + _range(3, 2500, 3200, U1, C2))
    report = import_qdpx(write_qdpx(tmp_path / "a.qdpx", first, files), tmp_path / "p", coder="me")
    assert any("1 coded time range beyond the lines of its transcript" in n for n in report.notes)
    second = _partial(
        f'<TranscriptSelection guid="{_g(70)}" fromSyncPoint="{_g(62)}" toSyncPoint="{_g(63)}" '
        f'creatingUser="{U2}"><Coding guid="{_g(71)}" creatingUser="{U2}">'
        f'<CodeRef targetGUID="{C3}"/></Coding></TranscriptSelection>',
        _range(1, 500, 800, U1, C1) + _range(3, 2500, 3200, U1, C2)
        + _range(80, 2600, 3000, U2, C3),
    )  # fmt: skip
    again = import_qdpx(write_qdpx(tmp_path / "b.qdpx", second, files), tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p", readonly=True) as p:
        (session,) = p.sessions.all()
        segments = p.transcript.segments(session.id)
        names = {c.id: c.path for c in p.codebook.codes()}
        codings = sorted(
            (segments.index(next(s for s in segments if s.id == c.segment_id)), names[c.code_id],
             c.coder)
            for c in p.codebook.codings()
        )  # fmt: skip
    assert [(s.start_ms, s.end_ms, s.text) for s in segments] == [
        (0, 1000, "Сәлеметсіз бе."),
        (1000, 2000, "Здравствуйте."),
        (2500, 3200, ""),
    ]
    assert codings == [
        (0, "Сенім", "Айгүл"),
        (1, "Тіл", "Дмитрий"),
        (2, "Деньги", "Айгүл"),
        (2, "Тіл", "Дмитрий"),
    ]
    assert again.codings == 2 and not again.not_imported


def test_coded_ranges_of_a_recording_the_project_lacks_go_out_with_their_times(
    tmp_path: Path,
) -> None:
    """QualCoder's video outside its archive, imported without the folder holding it: the
    session has its segments of speech without transcript but no recording. Its export was a
    text source of empty lines whose empty selections the next import dropped; it is a
    ``VideoSource`` without a file now (it was an ``AudioSource``: the other tool got audio
    back where it had a video), the coded ranges with their times, also from a coder's copy
    made from a bundle."""
    from storage.interop import export_qdpx
    from storage.team.bundle_export import export_bundle

    qde = (
        _head("QualCoder 3.6")
        + f'<Sources><VideoSource path="absolute:///home/aigul/Бейне/жиын.mp4" guid="{SRC}" '
        f'name="жиын.mp4" creatingUser="{U1}">'
        + _range(1, 14706, 17706, U1, C2).replace("Audio", "Video")
        + _range(3, 20000, 21500, U2, C3).replace("Audio", "Video")
        + "</VideoSource></Sources></Project>"
    )
    import_qdpx(write_qdpx(tmp_path / "q.qdpx", qde), tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p", readonly=True) as p:
        summary = export_qdpx(p, tmp_path / "back.qdpx")
        export_bundle(p, tmp_path / "p.fsbundle")
    want = {
        ("VideoSelection", 14706, 17706, "Деньги", "Айгүл"),
        ("VideoSelection", 20000, 21500, "Тіл", "Дмитрий"),
    }
    assert _ranges(tmp_path / "back.qdpx") == want
    assert any("VideoSource without a file" in note for note in summary.notes_for_user)
    with Project.from_bundle(tmp_path / "p.fsbundle", tmp_path / "copy", coder="c") as copy:
        export_qdpx(copy, tmp_path / "copy.qdpx")
    assert _ranges(tmp_path / "copy.qdpx") == want
    import_qdpx(tmp_path / "back.qdpx", tmp_path / "again", coder="me")
    with Project.open(tmp_path / "again", readonly=True) as p:
        (session,) = p.sessions.all()
        segments = p.transcript.segments(session.id)
        assert [(s.start_ms, s.end_ms, s.untranscribed) for s in segments] == [
            (14706, 17706, True),
            (20000, 21500, True),
        ]
        assert len(p.codebook.codings()) == 2
        export_qdpx(p, tmp_path / "twice.qdpx")
    assert _ranges(tmp_path / "twice.qdpx") == want
