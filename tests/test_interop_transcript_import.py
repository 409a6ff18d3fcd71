"""Importing transcripts made elsewhere (noScribe, aTrain, MAXQDA, srt, vtt) into a session."""

# ruff: noqa: E501  (test data: XML and HTML as the tools write it)
from __future__ import annotations

from pathlib import Path

import pytest

from cli import main as cli_main
from storage import InUseError, InvalidInputError, Project
from storage.interop import import_transcript, parse_transcript
from tests.interop_support import db_fingerprint, make_wav

# Shaped like noScribe's HTML output (see noScribe's tests/data/interview.html).
NOSCRIBE_HTML = """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.0//EN" "http://www.w3.org/TR/REC-html40/strict.dtd">
<html ><head ><meta charset="UTF-8" /><meta name="qrichtext" content="1" />
<style type="text/css" >p, li { white-space: pre-wrap; }</style>
<meta name="audio_source" content="./speech.wav" /></head>
<body style="font-family: 'Arial'" > <div class="WordSection1" ><p style="font-weight: 600" >speech</p>
<p ><span style="color: #909090; font-size: 0.8em" >Transcribed with noScribe vers. 0.7<br />Audio file: ./speech.wav</span></p>
<p ><a name="ts_0_900_" >(1 seconds pause) </a></p><p></p>
<p ><a name="ts_900_1800_S01" >S01: <span style="color: #78909C" >[00:00:00]</span> Hello, this is</a><a name="ts_1800_2300_S01" > a short interview.</a><a name="ts_2300_2600_//S02" > //S02: Yes.</a></p>
<p ><a name="ts_2600_3200_S02" >S02: <span style="color: #78909C" >[00:00:02]</span> About public &amp; private services.</a></p>
</div></body></html>
"""

VTT = """WEBVTT speech

NOTE
Transcribed with noScribe vers. 0.7

1
00:00:00.000 --> 00:00:01.500
<v S01>Hello, this is a short interview.

2
00:00:01.500 --> 00:00:03.000
<v S02>About public &amp; services.
"""

SRT = """1
00:00:00,000 --> 00:00:01,500
Hello, this is

2
00:00:01,500 --> 00:00:03,000
Anna: a short interview.
"""

TIMESTAMPED = """Interview 3, recorded in Lyon

[00:00:00] Interviewer: Hello, this is
a short interview.
[00:00:01.5] Anna: About public services. #00:00:02-8#
[00:00:03] Interviewer: Thanks.
"""


@pytest.fixture(scope="module")
def wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_wav(tmp_path_factory.mktemp("audio"))


@pytest.fixture()
def session(tmp_path: Path, wav: Path) -> tuple[Path, str, int]:
    folder = tmp_path / "p.fieldscribe"
    with Project.create(folder, coder="me") as p:
        s = p.sessions.import_audio(wav, title="speech")
        return folder, s.id, s.duration_ms


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_noscribe_html(session, tmp_path: Path) -> None:
    folder, sid, _ = session
    source = _write(tmp_path, "speech.html", NOSCRIBE_HTML)
    with Project.open(folder) as p:
        result = import_transcript(p, sid, source)
        segs = p.transcript.segments(sid)
    assert result.format == "noscribe-html" and result.speakers == ["S01", "S02"]
    # noScribe's pause mark is no speech: the gap before the first turn, counted in the notes
    assert [(s.start_ms, s.end_ms, s.speaker, s.text) for s in segs] == [
        (900, 2600, "S01", "Hello, this is a short interview. //S02: Yes."),
        (2600, 3200, "S02", "About public & private services."),
    ]
    assert any("1 segment holding only a pause mark" in n for n in result.notes)
    assert all(s.origin == "import" for s in segs)


def test_noscribe_pieces_without_their_leading_space_keep_words_apart(
    session, tmp_path: Path
) -> None:
    """A noScribe file edited elsewhere can lose the space each piece starts with: the pieces
    of a turn read "день.Как" (two words glued)."""
    folder, sid, _ = session
    pieces = (
        '<p ><a name="ts_0_1000_S00" >S00: Добрый день.</a>'
        '<a name="ts_1000_2000_S00" >Как дела?</a><a name="ts_2000_2500_S00" > Жақсы.</a></p>'
    )
    source = _write(tmp_path, "edited.html", f"<html><body>{pieces}</body></html>")
    with Project.open(folder) as p:
        import_transcript(p, sid, source)
        segs = p.transcript.segments(sid)
    assert [(s.speaker, s.text) for s in segs] == [("S00", "Добрый день. Как дела? Жақсы.")]


def test_noscribe_saved_by_word_keeps_the_text_after_its_empty_anchors(tmp_path: Path) -> None:
    """Word (Save as Web Page) and LibreOffice keep noScribe's anchors as empty bookmarks,
    the text after them: every segment came in empty (all the text lost, the segments marked
    speech without transcript)."""
    html = (
        '<html><head><meta http-equiv=Content-Type content="text/html; charset=utf-8"></head>'
        "<body lang=RU><p class=MsoNormal><b>село</b></p>"
        "<p class=MsoNormal><span style='color:#909090'>Transcribed with noScribe</span></p>"
        '<p class=MsoNormal><a name="ts_0_3400_S00"></a><span lang=KK>S00: <span '
        "style='color:#78909C'>[00:00:00]</span> Сәлеметсіз бе, 😀 ауылда емхана бар ма?</span></p>"
        '<p class=MsoNormal><a name="ts_3500_8100_S01"></a><span>S01: <span style=\'color:'
        "#78909C'>[00:00:03]</span> Жоқ, 𝔸 емхана жабылды.</span>"
        '<a name="ts_8100_9000_S01"></a><span> Аптекаға қырық минут.</span></p></body></html>'
    )
    parsed = parse_transcript(_write(tmp_path, "село.htm", html))
    assert parsed.format == "noscribe-html"
    assert [(d.start_ms, d.end_ms, d.speaker, d.text) for d in parsed.drafts] == [
        (0, 3400, "S00", "Сәлеметсіз бе, 😀 ауылда емхана бар ма?"),
        (3500, 9000, "S01", "Жоқ, 𝔸 емхана жабылды. Аптекаға қырық минут."),
    ]


def test_vtt(session, tmp_path: Path) -> None:
    folder, sid, _ = session
    with Project.open(folder) as p:
        import_transcript(p, sid, _write(tmp_path, "t.vtt", VTT))
        segs = p.transcript.segments(sid)
    assert [(s.start_ms, s.end_ms, s.speaker, s.text) for s in segs] == [
        (0, 1500, "S01", "Hello, this is a short interview."),
        (1500, 3000, "S02", "About public & services."),
    ]


def test_srt(session, tmp_path: Path) -> None:
    folder, sid, _ = session
    with Project.open(folder) as p:
        result = import_transcript(p, sid, _write(tmp_path, "t.srt", SRT))
        segs = p.transcript.segments(sid)
    assert result.format == "srt"
    assert [(s.start_ms, s.speaker, s.text) for s in segs] == [
        (0, None, "Hello, this is"), (1500, "Anna", "a short interview.")]  # fmt: skip


def test_timestamped_txt_aligned_to_audio(session, tmp_path: Path) -> None:
    folder, sid, duration = session
    assert cli_main(["import-transcript", str(folder), "--session", sid,
                     str(_write(tmp_path, "t.txt", TIMESTAMPED))]) == 0  # fmt: skip
    with Project.open(folder, readonly=True) as p:
        segs = p.transcript.segments(sid)
    assert [(s.start_ms, s.end_ms, s.speaker, s.text) for s in segs] == [
        (0, 1500, "Interviewer", "Hello, this is a short interview."),
        (1500, 2800, "Anna", "About public services."),
        (3000, duration, "Interviewer", "Thanks."),  # the last one runs to the end of the audio
    ]


def test_transcript_past_the_audio_is_refused(session, tmp_path: Path) -> None:
    folder, sid, _ = session
    late = _write(tmp_path, "late.txt", "[00:00:00] A: hi\n[00:10:00] B: much later\n")
    before = db_fingerprint(folder)
    with Project.open(folder) as p, pytest.raises(InvalidInputError, match="another recording"):
        import_transcript(p, sid, late)
    assert db_fingerprint(folder) == before


def test_existing_segments_need_replace_and_coded_ones_block_it(session, tmp_path: Path) -> None:
    folder, sid, _ = session
    vtt = _write(tmp_path, "t.vtt", VTT)
    with Project.open(folder) as p:
        import_transcript(p, sid, vtt)
    before = db_fingerprint(folder)
    with Project.open(folder) as p, pytest.raises(InvalidInputError, match="--replace"):
        import_transcript(p, sid, vtt)
    assert db_fingerprint(folder) == before
    with Project.open(folder) as p:
        result = import_transcript(p, sid, _write(tmp_path, "t.srt", SRT), replace=True)
        assert result.replaced == 2 and len(p.transcript.segments(sid)) == 2
        seg = p.transcript.segments(sid)[0]
        p.codebook.apply_code(seg.id, p.codebook.ensure_code_path("X").id)
    before = db_fingerprint(folder)
    with Project.open(folder) as p, pytest.raises(InUseError, match="coded segment"):
        import_transcript(p, sid, vtt, replace=True)
    assert db_fingerprint(folder) == before


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ("", "auto", "empty"),
        ("just some words\nwithout any times\n", "auto", "cannot tell the transcript format"),
        ("WEBVTT\n\nNOTE nothing here\n", "auto", "no timed segments"),
        ("<html><body><p>no anchors</p></body></html>", "noscribe-html", "no timed segments"),
    ],
)
def test_bad_files(session, tmp_path: Path, text: str, fmt: str, message: str) -> None:
    folder, sid, _ = session
    path = _write(tmp_path, "bad.txt", text)
    before = db_fingerprint(folder)
    with pytest.raises(InvalidInputError, match=message) as err:
        parse_transcript(path, fmt)
    assert str(path) in str(err.value)
    with Project.open(folder) as p, pytest.raises(InvalidInputError):
        import_transcript(p, sid, path, fmt=fmt)
    assert db_fingerprint(folder) == before


def test_a_cue_that_ends_before_it_starts_is_imported_with_a_note(project, tmp_path) -> None:
    """It was imported silently as a zero-length segment."""
    from storage.interop.transcript_import import import_transcript

    sid = project.sessions.add_session("S").id
    srt = tmp_path / "t.srt"
    srt.write_text(
        "1\n00:00:01,000 --> 00:00:02,000\nfirst\n\n2\n00:00:09,000 --> 00:00:05,000\nsecond\n",
        encoding="utf-8",
    )
    result = import_transcript(project, sid, srt)
    assert [(s.start_ms, s.end_ms) for s in project.transcript.segments(sid)] == [
        (1000, 2000),
        (9000, 9000),
    ]
    assert any("1 segment ended before it started" in n for n in result.notes)


def test_noscribe_with_timestamps_leaves_the_speaker_label_out_of_the_text(
    session, tmp_path: Path
) -> None:
    """noScribe with its Timestamps option writes each turn as ``S01 [00:00:04]: text`` (the
    time between the name and the colon): the segments read "S01 [00:00:04]: Меня зовут..."
    with the speaker's name and time in their text."""
    folder, sid, _ = session
    turns = (
        '<p ><a name="ts_0_900_S00" >S00 <span style="color: #78909C" >[00:00:00]</span>:'
        " Здравствуйте.</a></p>"
        '<p ><a name="ts_900_1800_S01" >S01 <span style="color: #78909C" >[00:00:00]</span>:'
        ' Меня зовут Айгуль.</a><a name="ts_1800_2600_S01" > Мен Шымкенттенмін.</a></p>'
    )
    source = _write(tmp_path, "stamped.html", f"<html><body>{turns}</body></html>")
    with Project.open(folder) as p:
        import_transcript(p, sid, source)
        segs = p.transcript.segments(sid)
    assert [(s.start_ms, s.speaker, s.text) for s in segs] == [
        (0, "S00", "Здравствуйте."),
        (900, "S01", "Меня зовут Айгуль. Мен Шымкенттенмін."),
    ]


def test_noscribe_timestamps_inside_a_turn_are_not_text(session, tmp_path: Path) -> None:
    """With its Timestamps option noScribe also sets a time inside a long turn of one speaker
    (``<a ...> <span>[00:01:00]</span> text</a>``, every minute or so): it stayed in the
    segment's text ("Мен Шымкенттенмін. [00:01:00] Иә."), searched, coded and exported as if
    said. The anchors time the text; the stamp is markup."""
    folder, sid, _ = session
    turns = (
        '<p ><a name="ts_900_1800_S01" >S01 <span style="color: #78909C" >[00:00:00]</span>:'
        ' Мен Шымкенттенмін.</a><a name="ts_2000_3000_S01" > <span style="color: #78909C"'
        " >[00:00:02]</span> Иә, [смеется] 10:15.</a></p>"
    )
    source = _write(tmp_path, "stamped.html", f"<html><body>{turns}</body></html>")
    with Project.open(folder) as p:
        import_transcript(p, sid, source)
        segs = p.transcript.segments(sid)
    assert [(s.start_ms, s.end_ms, s.speaker, s.text) for s in segs] == [
        (900, 3000, "S01", "Мен Шымкенттенмін. Иә, [смеется] 10:15."),
    ]


def test_the_last_timed_line_without_audio_lasts_as_long_as_its_words(
    project: Project, tmp_path: Path
) -> None:
    """A timestamped text gives no end to its last line; with no audio to end it, it was
    imported with no length (nothing on the timeline, 00:03 --> 00:03 in an .srt). It lasts as
    long as its words take to say (2.5 a second, at least 1 s); with audio it still runs to the
    audio's end (``test_timestamped_txt_aligned_to_audio``)."""
    from storage.interop.transcript_import import import_transcript_as_session

    text = (
        TIMESTAMPED
        + "[00:00:05] Анна: Мен әкімдікке барып, анықтама алу үшін үш сағат кезекте тұрдым.\n"
    )
    sid, result = import_transcript_as_session(project, _write(tmp_path, "t.txt", text))
    segs = project.transcript.segments(sid)
    assert [(s.start_ms, s.end_ms) for s in segs] == [
        (0, 1500), (1500, 2800), (3000, 5000), (5000, 5000 + 4000)  # 10 words: 4 s
    ]  # fmt: skip
    assert any("estimated from its words" in n and "4.0 s" in n for n in result.notes)
    short = _write(tmp_path, "short.txt", TIMESTAMPED)  # "Thanks.": one word, at least 1 s
    sid, _ = import_transcript_as_session(project, short)
    assert [(s.start_ms, s.end_ms) for s in project.transcript.segments(sid)][-1] == (3000, 4000)
