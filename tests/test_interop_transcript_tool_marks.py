"""What other tools write that is no speech or no time, as an outside tester found it in files
of the tools' real shapes: Otter's impossible times ("0:70") and its "Unknown Speaker",
noScribe's pause marks, oTranscribe's paragraphs without a timestamp."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import InvalidInputError, Project
from storage.interop import import_transcript, parse_transcript
from storage.interop.transcript_import import WORDS_PER_SECOND
from tests.interop_support import audio_session, db_fingerprint, draft_rows, make_wav, put_text


@pytest.fixture(scope="module")
def wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_wav(tmp_path_factory.mktemp("audio"))


@pytest.fixture()
def session(tmp_path: Path, wav: Path) -> tuple[Path, str]:
    return audio_session(tmp_path / "p.fieldscribe", wav)


# -- Otter: a time no clock shows ---------------------------------------------------------------


def test_otter_time_past_59_seconds_is_no_time(tmp_path: Path) -> None:
    """Otter's "0:70" (no m:ss) was read as 70 s, silently: the line now keeps its place, its
    time estimated between the lines around it, and the report says so."""
    otter = "Анна  0:05\nЗдравствуйте.\n\nБолат  0:70\nСәлем.\n\nАнна  1:20\nНачнём.\n"
    parsed = parse_transcript(put_text(tmp_path, "otter.txt", otter))
    assert [(d.speaker, d.text) for d in parsed.drafts] == [
        ("Анна", "Здравствуйте."),
        ("Болат", "Сәлем."),
        ("Анна", "Начнём."),
    ]
    first, bad, last = parsed.drafts
    assert first.start_ms == 5000 and last.start_ms == 80000
    assert 5000 < bad.start_ms < 80000 and bad.start_ms != 70000
    assert first.end_ms == bad.start_ms and bad.end_ms == last.start_ms
    assert any("'0:70'" in n and "no clock shows" in n for n in parsed.notes)
    # the same in a bracketed hh:mm:ss stamp, and minutes past 59 after hours
    for stamp in ("00:00:70", "0:75:00"):
        lines = f"[00:00:05] A: one\n[{stamp}] B: two\n[00:01:20] A: three\n"
        bracketed = parse_transcript(put_text(tmp_path, "t.txt", lines))
        assert [d.start_ms for d in bracketed.drafts] == [5000, 42500, 80000]
        assert any(repr(stamp) in n for n in bracketed.notes)
    # minutes alone may pass 59 (Otter and others write 75:30 past the first hour)
    assert draft_rows(put_text(tmp_path, "long.txt", "Анна  75:30\nДа.\n"))[0][0] == 4_530_000


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.booleans(), st.integers(0, 59 * 60 + 59), st.integers(60, 99)), max_size=8
    )
)
def test_lines_with_no_clock_time_keep_their_place(
    tmp_path: Path, lines: list[tuple[bool, int, int]]
) -> None:
    """A model: lines with a real time (in time order) start at it; a line whose seconds pass
    59 starts between the start of the line before and the next real time, never at the time
    its digits add up to, and every line keeps its place."""
    real = iter(sorted(t for bad, t, _ in lines if not bad))
    times = [None if bad else next(real) for bad, _, _ in lines]
    stamps = [
        f"0:{past}" if t is None else f"{t // 60}:{t % 60:02d}"
        for t, (_, _, past) in zip(times, lines, strict=True)
    ]
    text = "".join(f"Speaker {i % 2 + 1}  {s}\nline {i}\n\n" for i, s in enumerate(stamps))
    text += "Speaker 1  99:00\nthe end\n"
    drafts = parse_transcript(put_text(tmp_path, "m.txt", text)).drafts
    assert [d.text for d in drafts] == [f"line {i}" for i in range(len(times))] + ["the end"]
    starts = [d.start_ms for d in drafts]
    for i, t in enumerate(times):
        if t is not None:
            assert starts[i] == t * 1000
        else:
            before = starts[i - 1] if i else 0
            after = next((x * 1000 for x in times[i + 1 :] if x is not None), 99 * 60_000)
            assert before <= starts[i] <= after
            assert starts[i] < after or before == after


# -- Otter: "Unknown Speaker" --------------------------------------------------------------------


def test_otter_unknown_speaker_is_no_speaker(session, tmp_path: Path) -> None:
    """Otter heads a voice it could not place "Unknown Speaker": it became a speaker of that
    name (linked to participants, counted as one person). The segment now has no speaker, as
    any other; "Speaker 1", Otter's label for a voice it did tell apart, stays."""
    folder, sid = session
    otter = (
        "Speaker 1  0:01\nHello.\n\nUnknown Speaker  0:02\nYes.\n\n"
        "Speaker 1  0:03\nGood.\n\nUnknown Speaker  0:04\nMm.\n"
    )
    with Project.open(folder) as p:
        result = import_transcript(p, sid, put_text(tmp_path, "otter.txt", otter))
        segs = p.transcript.segments(sid)
    assert [(s.speaker, s.text) for s in segs] == [
        ("Speaker 1", "Hello."),
        (None, "Yes."),
        ("Speaker 1", "Good."),
        (None, "Mm."),
    ]
    assert result.speakers == ["Speaker 1"]
    assert any("2 segments by Otter's 'Unknown Speaker'" in n for n in result.notes)


# -- noScribe: pause marks -----------------------------------------------------------------------


def test_noscribe_pause_cues_are_no_segments(tmp_path: Path) -> None:
    """noScribe writes a pause as a cue or a turn of its own ("(..)", "(...)", "(10 seconds
    pause)"): each became a segment, a turn nobody spoke. They are left out (the pause is the
    gap) and counted; a pause mark inside a turn's words stays."""
    vtt = (
        "WEBVTT\n\nNOTE\nTranscribed with noScribe vers. 0.7\n\n"
        "1\n00:00:00.000 --> 00:00:02.500\n<v S01>Сәлеметсіз бе. (..) Бастайық.\n\n"
        "2\n00:00:02.500 --> 00:00:04.000\n<v S01>(..)\n\n"
        "3\n00:00:04.000 --> 00:00:05.000\n<v S01>(...)\n\n"
        "4\n00:00:05.000 --> 00:00:15.000\n<v S02>(10 seconds pause)\n\n"
        "5\n00:00:15.000 --> 00:00:16.000\n<v S02>Да.\n"
    )
    parsed = parse_transcript(put_text(tmp_path, "ns.vtt", vtt))
    assert [(d.start_ms, d.end_ms, d.speaker, d.text) for d in parsed.drafts] == [
        (0, 2500, "S01", "Сәлеметсіз бе. (..) Бастайық."),
        (15000, 16000, "S02", "Да."),
    ]
    assert any("3 segments holding only a pause mark" in n for n in parsed.notes)
    html = (
        '<html><body><p><a name="ts_0_900_">(1 seconds pause)</a></p>'
        '<p><a name="ts_900_2000_S01">S01: Hello.</a></p>'
        '<p><a name="ts_2000_12000_S01">S01: (10 seconds pause)</a></p>'
        '<p><a name="ts_12000_13000_S02">S02: Иә.</a></p></body></html>'
    )
    parsed = parse_transcript(put_text(tmp_path, "ns.html", html))
    assert [(d.start_ms, d.end_ms, d.speaker, d.text) for d in parsed.drafts] == [
        (900, 2000, "S01", "Hello."),
        (12000, 13000, "S02", "Иә."),
    ]
    assert any("2 segments holding only a pause mark" in n for n in parsed.notes)


def test_a_file_of_pauses_only_is_refused_in_one_line(session, tmp_path: Path) -> None:
    folder, sid = session
    path = put_text(tmp_path, "p.vtt", "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n(...)\n")
    before = db_fingerprint(folder)
    with Project.open(folder) as p, pytest.raises(InvalidInputError) as err:
        import_transcript(p, sid, path)
    assert "no timed segments" in str(err.value) and "\n" not in str(err.value)
    assert db_fingerprint(folder) == before


# -- oTranscribe: a paragraph without a timestamp ----------------------------------------------

_STAMP = '<span class="timestamp" contenteditable="false" data-timestamp="{}">{}</span>&nbsp;'


def _otr(tmp_path: Path, body: str) -> Path:
    return put_text(tmp_path, "i.otr", json.dumps({"text": body, "media": "i.wav"}))


def test_otranscribe_paragraph_without_timestamp_is_its_own_segment(tmp_path: Path) -> None:
    """oTranscribe sets a timestamp only where the typist asks: a paragraph without one (Enter,
    then typing on) was glued to the turn before it, another speaker's words in it. It is now
    a segment of its own after it, its time estimated from the timestamps around it by the
    words between them, and the report says so."""
    body = (
        f"<p>{_STAMP.format(10.0, '0:00:10')}Анна: Один два три.</p>"
        "<p>Болат: Бес алты жеті сегіз.</p>"
        f"<p>{_STAMP.format(20.0, '0:00:20')}Анна: Конец.<br>Ещё строка.</p>"
        "<div>Болат: Иә.</div>"
    )
    parsed = parse_transcript(_otr(tmp_path, body))
    # 4 words from 10 s ("Анна", "Один", "два", "три"), then 5: 10 s shared 4 to 5
    said = 4 / (4 + 5) * 10_000
    # after the last timestamp: "Анна: Конец. Ещё строка." is 4 words at the speech rate
    tail = 20_000 + 4 / WORDS_PER_SECOND * 1000
    assert [(d.start_ms, d.speaker, d.text) for d in parsed.drafts] == [
        (10_000, "Анна", "Один два три."),
        (10_000 + round(said), "Болат", "Бес алты жеті сегіз."),
        (20_000, "Анна", "Конец. Ещё строка."),
        (round(tail), "Болат", "Иә."),
    ]
    assert any("2 paragraphs with no timestamp" in n and "estimated" in n for n in parsed.notes)
    # text before the first timestamp is still reported, not given a time
    head = _otr(tmp_path, f"<p>Интервью №3</p><p>{_STAMP.format(1.0, '0:00:01')}Анна: Да.</p>")
    parsed = parse_transcript(head)
    assert [(d.start_ms, d.text) for d in parsed.drafts] == [(1000, "Да.")]
    assert any("before the first timestamp" in n for n in parsed.notes)


def test_otranscribe_timestamp_alone_in_its_paragraph_times_the_text_under_it(
    tmp_path: Path,
) -> None:
    """A timestamp set, then Enter, then the words: the paragraph under it is its text (it
    was, and stays so; no estimate)."""
    body = (
        f"<p>{_STAMP.format(3.0, '0:00:03')}</p><p>Анна: Бастайық.</p>"
        f"<p>{_STAMP.format(8.0, '0:00:08')}Болат: Жарайды.</p>"
    )
    parsed = parse_transcript(_otr(tmp_path, body))
    assert [(d.start_ms, d.end_ms, d.speaker, d.text) for d in parsed.drafts] == [
        (3000, 8000, "Анна", "Бастайық."),
        (8000, 8000, "Болат", "Жарайды."),
    ]
    assert not any("no timestamp" in n for n in parsed.notes)
