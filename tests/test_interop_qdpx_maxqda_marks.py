"""A MAXQDA transcript typed as a text source, its time marks opening the lines before the
speaker (``#00:00:01-0# Interviewer: text``): each line gets its time and its speaker, and an
export writes every character back in place, the codings at the file's positions."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Project
from storage.interop import import_qdpx
from storage.interop.qdpx_export import export_qdpx
from tests.interop_support import write_qdpx
from tests.test_interop_fidelity import _exported_sources

SRC = "b1000000-0000-4000-8000-000000000001"
CODE = "a1000000-0000-4000-8000-000000000001"
TEXT = (
    "#00:00:01-0# Interviewer: Hello.\r\n"
    "#00:00:02-5# Әлия: Сәлем, қалайсыз?\r\n"
    "Әлия: Иә.\r\n"
    "#00:00:07-1# Interviewer: Рахмет.\r\n"
)


def qde(selections: list[tuple[int, int]]) -> str:
    body = "".join(
        f'<PlainTextSelection guid="c1000000-0000-4000-8000-{i:012d}" startPosition="{a}" '
        f'endPosition="{b}"><Coding guid="d1000000-0000-4000-8000-{i:012d}">'
        f'<CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>'
        for i, (a, b) in enumerate(selections)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><Project origin="MAXQDA 2020 (Release 20.4.2)" '
        'xmlns="urn:QDA-XML:project:1.0" name="New project"><CodeBook><Codes>'
        f'<Code guid="{CODE}" name="Feeling" isCodable="true"/></Codes></CodeBook><Sources>'
        f'<TextSource plainTextPath="internal://D.txt" guid="{SRC}" name="Video-transcript">'
        f"{body}</TextSource></Sources></Project>"
    )


def span(text: str, fragment: str) -> tuple[int, int]:
    start = text.index(fragment)
    return start, start + len(fragment)


def round_trip(tmp: Path, text: str, selections: list[tuple[int, int]]):  # type: ignore[no-untyped-def]
    archive = write_qdpx(tmp / "m.qdpx", qde(selections), {"sources/D.txt": text.encode()})
    report = import_qdpx(archive, tmp / "m.fieldscribe", coder="me")
    with Project.open(tmp / "m.fieldscribe") as p:
        (session,) = p.sessions.all()
        segments = p.transcript.segments(session.id)
        by_id = {g.id: g for g in segments}
        coded = sorted(
            by_id[c.segment_id].text[c.start_cp : c.end_cp]
            if c.start_cp is not None
            else by_id[c.segment_id].text
            for c in p.codebook.codings()
        )
        export_qdpx(p, tmp / "back.qdpx", with_media=False)
    back, spans = _exported_sources(tmp / "back.qdpx")[SRC]
    return report, segments, coded, back, spans


def test_a_time_mark_before_a_speaker_gives_the_line_its_time_and_speaker(tmp_path: Path) -> None:
    """The label stayed in the text ("#00:00:01-0# Interviewer: Hello.", no speaker), and the
    source was no transcript, so "Әлия: Иә." kept its label in its text too."""
    selections = [
        span(TEXT, "Hello"),
        span(TEXT, "Сәлем"),
        span(TEXT, "#00:00:02-5# Әлия: Сә"),  # over the mark and the label
        span(TEXT, "Иә."),
    ]
    report, segments, coded, back, spans = round_trip(tmp_path, TEXT, selections)
    assert report.codings == 4, report.describe()
    assert [(g.speaker, g.text, g.start_ms) for g in segments] == [
        ("Interviewer", "#00:00:01-0# Hello.", 1000),
        ("Әлия", "#00:00:02-5# Сәлем, қалайсыз?", 2500),
        ("Әлия", "Иә.", 2500),
        ("Interviewer", "#00:00:07-1# Рахмет.\n", 7100),  # the line end after it: blank
    ]
    assert coded == sorted(["Hello", "Сәлем", "#00:00:02-5# Сә", "Иә."])
    assert back == TEXT  # every character in place, CRLF again
    assert sorted(spans) == sorted(selections)  # at the file's positions
    # and FieldScribe's own export reads back the same (its speakers named in its cases)
    import_qdpx(tmp_path / "back.qdpx", tmp_path / "again.fieldscribe", coder="me")
    with Project.open(tmp_path / "again.fieldscribe", readonly=True) as p:
        (session,) = p.sessions.all()
        again = p.transcript.segments(session.id)
    assert [(g.speaker, g.text) for g in again] == [(g.speaker, g.text) for g in segments]


WORDS = st.text(alphabet="абвгдеәғқңөұүһі ,.", min_size=1, max_size=10).filter(
    lambda w: w.strip() == w and w.strip(" ,.") != ""
)
LINE = st.tuples(
    # a mark (its tenths; its seconds the line's number: times rise, as segments are in time order)
    st.none() | st.integers(0, 9),
    st.sampled_from(["Interviewer", "Әлия", "Б"]),
    WORDS,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(LINE, min_size=1, max_size=5), data=st.data())
def test_marked_lines_keep_every_character_and_every_coding_position(
    tmp_path_factory, lines, data
) -> None:
    """Model: the file's text and a selection inside one line's words; the import codes those
    characters, the export writes the same text with the selection at the same positions."""
    text_lines = [
        (f"#00:00:{n:02d}-{mark}# " if mark is not None else "") + f"{name}: {words}"
        for n, (mark, name, words) in enumerate(lines)
    ]
    text = "\n".join(text_lines)
    i = data.draw(st.integers(0, len(lines) - 1))
    words = lines[i][2]
    lo = data.draw(st.integers(0, len(words) - 1))
    hi = data.draw(st.integers(lo + 1, len(words)))
    line_at = sum(len(t) + 1 for t in text_lines[:i]) + len(text_lines[i]) - len(words)
    selection = (line_at + lo, line_at + hi)
    _report, segments, coded, back, spans = round_trip(
        tmp_path_factory.mktemp("marks"), text, [selection]
    )
    assert [g.speaker for g in segments] == [name for _m, name, _w in lines]
    assert back == text
    if (lo, hi) == (0, len(words)) and lines[i][0] is None:
        assert coded == [words]  # the whole segment
    else:
        assert coded == [words[lo:hi]]
        assert spans == [selection]


def test_a_time_mark_going_back_keeps_the_lines_in_their_order(tmp_path: Path) -> None:
    """A line marked earlier than the line above it (a mark typed by hand, a pasted passage)
    moved above it (segments are in time order), so the export wrote the lines in another
    order than the file's; now it starts at the time of the line above, and the report says so."""
    text = "#00:00:05-0# Бірінші жол.\n#00:00:01-0# Второй.\nҮшінші.\n#00:00:01-0# Four."
    selections = [span(text, "Второй"), span(text, "Four")]
    report, segments, coded, back, spans = round_trip(tmp_path, text, selections)
    assert [(g.text, g.start_ms) for g in segments] == [
        ("#00:00:05-0# Бірінші жол.", 5000),
        ("#00:00:01-0# Второй.", 5000),
        ("Үшінші.", 5000),
        ("#00:00:01-0# Four.", 5000),
    ]
    assert back == text and sorted(spans) == sorted(selections)
    assert coded == ["Four", "Второй"]
    (note,) = [n for n in report.notes if "earlier than the line before" in n]
    assert note.startswith("Text source 'Video-transcript': 2 lines have timestamps earlier")
    assert "'#00:00:01-0# Второй.'" in note


def test_an_audio_transcript_with_end_marks_starts_each_line_where_the_one_before_ended(
    tmp_path: Path,
) -> None:
    """A MAXQDA (f4) transcript of a recording marks where each paragraph ends
    (``... #00:00:03-5#``) and has no sync points: the first line got its end, the next ones
    started at a guess from their place in the text (16.6 s for a line the marks put at
    3.5-10.2 s; at 0 s without the recording's length), and ended there too."""
    tr_text = (
        "I: Расскажите о школе. #00:00:03-5#\n\n"
        "B: Школа была хорошая, но её закрыли. #00:00:10-2#\n\n"
        "I: Спасибо. #00:00:14-0#\n"
    )
    qde_text = (
        '<?xml version="1.0" encoding="utf-8"?><Project origin="MAXQDA 2022 (Release 22.7.0)" '
        'xmlns="urn:QDA-XML:project:1.0" name="School"><Sources>'
        f'<AudioSource guid="{SRC}" name="Школа аудио" path="internal://{SRC}.mp3">'
        '<Transcript guid="b1000000-0000-4000-8000-000000000002" name="Школа аудио" '
        'plainTextPath="internal://T.txt"/></AudioSource></Sources></Project>'
    )
    archive = write_qdpx(tmp_path / "m.qdpx", qde_text, {"sources/T.txt": tr_text.encode()})
    import_qdpx(archive, tmp_path / "m.fieldscribe", coder="me")
    with Project.open(tmp_path / "m.fieldscribe") as p:
        (session,) = p.sessions.all()
        got = [(g.speaker, g.start_ms, g.end_ms) for g in p.transcript.segments(session.id)]
    assert got == [("I", 0, 3500), ("B", 3500, 10200), ("I", 10200, 14000)]
