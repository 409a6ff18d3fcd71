"""Files other tools write, built by hand in their real shapes as a new user brings them:
Otter's "Unknown Speaker" in a WebVTT voice, noScribe's pause marks in the wordings its
translations give them, oTranscribe files whose timestamps are typed text."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from storage import InvalidInputError, Project
from storage.interop import import_transcript, parse_transcript
from storage.interop.transcript_import import import_transcript_as_session
from tests.interop_support import audio_session, db_fingerprint, draft_rows, make_wav, put_text


@pytest.fixture(scope="module")
def wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_wav(tmp_path_factory.mktemp("audio"))


@pytest.fixture()
def session(tmp_path: Path, wav: Path) -> tuple[Path, str]:
    return audio_session(tmp_path / "p.fieldscribe", wav)


# -- Otter: "Unknown Speaker" in a WebVTT voice and a SubRip label -------------------------------


def test_otter_unknown_speaker_voice_in_vtt_is_no_speaker(session, tmp_path: Path) -> None:
    """Otter's .vtt sets its "Unknown Speaker" as a voice, ``<v Unknown Speaker>``: it became a
    speaker of that name (its .txt heading did not). It is no one: no speaker, counted."""
    folder, sid = session
    vtt = (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\n<v Unknown Speaker>Hello there.\n\n"
        "2\n00:00:02.000 --> 00:00:03.000\n<v Speaker 1>Fine, thanks.\n\n"
        "3\n00:00:03.000 --> 00:00:04.000\n<v Unknown  Speaker>Good.\n"
    )
    with Project.open(folder) as p:
        result = import_transcript(p, sid, put_text(tmp_path, "otter.vtt", vtt))
        segs = p.transcript.segments(sid)
    assert [(s.speaker, s.text) for s in segs] == [
        (None, "Hello there."),
        ("Speaker 1", "Fine, thanks."),
        (None, "Good."),
    ]
    assert result.speakers == ["Speaker 1"]
    assert any("2 segments by Otter's 'Unknown Speaker'" in n for n in result.notes)
    srt = "1\n00:00:01,000 --> 00:00:02,000\nUnknown Speaker: Да.\n"
    assert draft_rows(put_text(tmp_path, "otter.srt", srt)) == [(1000, 2000, None, "Да.")]


# -- noScribe: pause marks as its translations write them ----------------------------------------

#: noScribe's ``pause_seconds`` / ``pause_minutes`` (trans/noScribe.*.yml), ``{}`` the number
_NOSCRIBE_PAUSES = [
    "({} seconds pause)", "({} minute[s] pause)", "({} Sekunden Pause)", "({} Minute[n] Pause)",
    "({} секунд паузы)", "({} минуты паузы)", "({} segundos de pausa)", "({} minuto[s] pausa)",
    "({} secondes pause)", "({} secondi di pausa)", "({} minuti pausa)", "({}秒休止)",
    "({}分[秒]休止)", "({}秒の休止)", "({}分の休止)", "({} 秒暂停)", "({} 分钟 暂停)",
]  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    mark=st.one_of(
        st.sampled_from(_NOSCRIBE_PAUSES).flatmap(
            lambda t: st.integers(1, 90).map(lambda n: t.format(n))
        ),
        st.integers(1, 9).map(lambda n: "(" + "." * n + ")"),  # under ten seconds: a dot each
    )
)
def test_every_noscribe_pause_wording_is_no_segment(tmp_path: Path, mark: str) -> None:
    """A cue of nothing but a pause mark noScribe writes is no segment, in each wording of its
    translations ("(12 секунд паузы)", "(2 minute[s] pause)", "(.....)" for five seconds):
    only some were known ("(10 секунд пауза)", up to three dots), the others became turns
    nobody spoke. Among a turn's words the mark stays."""
    vtt = (
        "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v S00>Сәлем.\n\n"
        f"00:00:02.000 --> 00:00:12.000\n<v S00>{mark}\n\n"
        f"00:00:12.000 --> 00:00:14.000\n<v S01>Да. {mark} Ну вот.\n"
    )
    parsed = parse_transcript(put_text(tmp_path, "ns.vtt", vtt))
    assert [(d.start_ms, d.speaker, d.text) for d in parsed.drafts] == [
        (0, "S00", "Сәлем."),
        (12000, "S01", f"Да. {mark} Ну вот."),
    ]
    assert any("1 segment holding only a pause mark" in n for n in parsed.notes)


@pytest.mark.parametrize("said", ["(10 человек пришли)", "(смеётся)", "(..........)", "(2 км)"])
def test_brackets_that_are_no_pause_mark_stay(tmp_path: Path, said: str) -> None:
    vtt = f"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n{said}\n"
    assert draft_rows(put_text(tmp_path, "x.vtt", vtt)) == [(0, 2000, None, said)]


# -- oTranscribe: timestamps typed as text, and files with none ---------------------------------


def _otr(tmp_path: Path, body: str, name: str = "i.otr", **more: object) -> Path:
    return put_text(tmp_path, name, json.dumps({"text": body, **more}, ensure_ascii=False))


def test_otranscribe_file_with_typed_timestamps_is_read(tmp_path: Path) -> None:
    """An older .otr, or one whose typist typed the times, holds them as text ("[01:23]" or a
    bare "01:23"), not as oTranscribe's timestamp element: the file was 'of unknown format'."""
    typed = (
        "<p>[00:01] Болат: Сәлем бәріңе</p><p>[00:04] Айгүл: Привет всем</p><p>[01:09] Жақсы</p>"
    )
    assert draft_rows(_otr(tmp_path, typed)) == [
        (1000, 4000, "Болат", "Сәлем бәріңе"),
        (4000, 69000, "Айгүл", "Привет всем"),
        (69000, 69000, None, "Жақсы"),
    ]
    bare = "00:02 Anna: Hello.<br>00:05 Boris: Привет.<br>"
    path = _otr(tmp_path, bare, "b.json", media="interview.mp3", **{"media-time": 3.5})
    assert draft_rows(path) == [(2000, 5000, "Anna", "Hello."), (5000, 5000, "Boris", "Привет.")]
    assert parse_transcript(path).format == "otranscribe"


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("<br><br><br>", "holds no text"),
        ("<p><br></p><p>&nbsp;</p>", "holds no text"),
        ("Hello world<br>second line<br>", "has no timestamps"),
    ],
)
def test_otranscribe_file_without_text_or_times_is_refused_in_one_line(
    session, tmp_path: Path, body: str, said: str
) -> None:
    """An .otr of only line breaks, or of text with no time, said 'cannot tell the transcript
    format' and to give --format: it is an oTranscribe file, and the line says what it lacks."""
    folder, sid = session
    before = db_fingerprint(folder)
    with Project.open(folder) as p, pytest.raises(InvalidInputError) as err:
        import_transcript(p, sid, _otr(tmp_path, body, media="i.wav"))
    assert said in str(err.value) and "oTranscribe" in str(err.value)
    assert "\n" not in str(err.value) and "--format" not in str(err.value)
    assert db_fingerprint(folder) == before


def test_json_with_segments_is_no_otranscribe_file(tmp_path: Path) -> None:
    """Whisper's JSON has a ``text`` too: with ``segments`` beside it, it is not taken for
    oTranscribe's (it is refused as JSON that is no FieldScribe export, or read as one)."""
    path = put_text(tmp_path, "w.json", json.dumps({"text": "hi", "segments": [], "media": "x"}))
    with pytest.raises(InvalidInputError) as err:
        parse_transcript(path)
    assert "oTranscribe" not in str(err.value)


# -- SubViewer (.sbv): YouTube Studio's and Google's captions ------------------------------------


def _sbv_clock(ms: int) -> str:
    return f"{ms // 3_600_000}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


_NAMES = ["Anna", "Болат", "Айгүл Б.", None]
_WORDS = ["Hello there.", "Привет всем.", "Сәлеметсіз бе.", "Да, конечно.", "Well, no."]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cues=st.lists(
        st.tuples(
            st.integers(0, 20_000), st.integers(1, 9_000), st.sampled_from(_NAMES),
            st.sampled_from(_WORDS),
        ),
        min_size=1,
        max_size=8,
    ),
    crlf=st.booleans(),
)  # fmt: skip
def test_sbv_captions_are_read_as_their_cues(
    tmp_path: Path, cues: list[tuple[int, int, str | None, str]], crlf: bool
) -> None:
    """A .sbv (``0:00:01.000,0:00:04.000`` over each cue's text) was 'of unknown format'. Each
    block is a segment with its times, the label before the text its speaker, as in .srt."""
    blocks, model, start = [], [], 0
    for gap, length, name, words in cues:
        start += gap
        blocks.append(
            f"{_sbv_clock(start)},{_sbv_clock(start + length)}\n"
            + (f"{name}: {words}" if name else words)
        )
        model.append((start, start + length, name, words))
        start += length
    text = "\n\n".join(blocks) + "\n"
    path = put_text(tmp_path, "captions.sbv", text.replace("\n", "\r\n") if crlf else text)
    parsed = parse_transcript(path)
    assert parsed.format == "sbv"
    assert [(d.start_ms, d.end_ms, d.speaker, d.text) for d in parsed.drafts] == model


def test_sbv_turn_marks_and_content_without_its_name(tmp_path: Path) -> None:
    sbv = (
        "0:00:00.599,0:00:04.160\n>> ALICE: Hi, my name is Alice.\n\n"
        "0:00:04.160,0:00:06.770\n>> Добрый вечер.\n>> Здравствуйте.\n"
    )
    path = put_text(tmp_path, "captions.txt", sbv)  # told by its content
    assert [(d.speaker, d.text) for d in parse_transcript(path).drafts] == [
        ("ALICE", "Hi, my name is Alice."),
        (None, "Добрый вечер."),
        (None, "Здравствуйте."),
    ]


def test_sbv_without_timing_lines_is_refused_in_one_line(session, tmp_path: Path) -> None:
    """(A block whose text is empty is speech without transcript, as an empty .srt cue.)"""
    folder, sid = session
    before = db_fingerprint(folder)
    path = put_text(tmp_path, "notes.sbv", "Hello.\n\n0:00:01.000 - 0:00:02.000\nWorld.\n")
    with Project.open(folder) as p, pytest.raises(InvalidInputError) as err:
        import_transcript(p, sid, path)
    assert "no timed segments found as sbv" in str(err.value) and "\n" not in str(err.value)
    assert db_fingerprint(folder) == before


# -- a spreadsheet's segments saved as CSV ------------------------------------------------------

_HEADERS = [
    ("start", "end", "speaker", "text"),
    ("Начало", "Конец", "Спикер", "Текст"),
    ("Start (s)", "End (s)", "Speaker", "Content"),
    ("Басы", "Соңы", "Сөйлеуші", "Мәтін"),
]
_CSV_WORDS = ["Итак:", "начнём", "да;", "нет,", '"цитата"', "Hello,", "world.", "12:30", "-"]
_CSV_TEXT = st.lists(
    st.tuples(st.sampled_from(_CSV_WORDS), st.sampled_from([" ", "\n", " ; ", ", "])),
    min_size=1,
    max_size=6,
).map(lambda words: "".join(w + gap for w, gap in words).strip())


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(0, 5_000_000), st.integers(0, 9_000), st.booleans(),
            st.sampled_from(["Интервьюер", "Respondent 2", "Ерлан Б.", ""]), _CSV_TEXT,
        ),
        min_size=1,
        max_size=8,
    ),
    header=st.sampled_from(_HEADERS),
    russian_excel=st.booleans(),
    encoding=st.sampled_from(["utf-8-sig", "utf-8", "cp1251"]),
    order=st.permutations(range(4)),
)  # fmt: skip
def test_csv_of_segments_is_read_as_its_rows(
    tmp_path: Path,
    rows: list[tuple[int, int, bool, str, str]],
    header: tuple[str, str, str, str],
    russian_excel: bool,
    encoding: str,
    order: list[int],
) -> None:
    """A CSV of segments (a header naming start, end, speaker and text in any order, over a
    row each), as a spreadsheet saves it: commas, or semicolons and comma decimals as a
    Russian Excel writes it, in UTF-8 with or without its byte order mark or in
    Windows-1251. It was 'of unknown format'. Each row is a segment with its times, its
    speaker cell as the speaker and its text cell as the text (a colon in it stays text); a
    row without an end ends where the next starts."""
    assume(encoding != "cp1251" or header != _HEADERS[3])  # Kazakh letters: none in it
    sep = ";" if russian_excel else ","

    def seconds(ms: int) -> str:
        return f"{ms / 1000:.3f}".replace(".", "," if russian_excel else ".")

    starts = sorted(r[0] for r in rows)
    model, table = [], []
    for i, (_, length, has_end, speaker, text) in enumerate(rows):
        start = starts[i]
        end = start + length if has_end else None
        cells = [seconds(start), "" if end is None else seconds(end), speaker, text]
        table.append([cells[k] for k in order])
        next_start = starts[i + 1] if i + 1 < len(rows) else start
        end_ms = end if end is not None else max(start, next_start)
        model.append((start, end_ms, speaker or None, " ".join(text.split())))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow([header[k] for k in order])
    writer.writerows(table)
    path = tmp_path / "segments.csv"
    path.write_bytes(out.getvalue().encode(encoding))
    parsed = parse_transcript(path)
    assert parsed.format == "csv"
    assert [(d.start_ms, d.end_ms, d.speaker, d.text) for d in parsed.drafts] == model


def test_csv_language_column_and_unquoted_separator_in_the_text(tmp_path: Path) -> None:
    """A language column gives each segment its language (a code or a name); a last column of
    text whose separator was not quoted keeps all its words."""
    csv_text = (
        "Начало;Конец;Спикер;Язык;Текст\n"
        "0,0;4,5;Интервьюер;ru;Итак: начнём.\n"
        "4,5;9,25;Айгүл;казахский;Сәлеметсіз бе; рахмет.\n"
    )
    parsed = parse_transcript(put_text(tmp_path, "s.csv", csv_text))
    assert [(d.start_ms, d.end_ms, d.speaker, d.language, d.text) for d in parsed.drafts] == [
        (0, 4500, "Интервьюер", "ru", "Итак: начнём."),
        (4500, 9250, "Айгүл", "kk", "Сәлеметсіз бе; рахмет."),
    ]


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("start (ms),text\n1500,hello\nabc,world\n", "row 3 has 'abc' for a time"),
        ("foo,bar\n1,2\n", "not a CSV of segments"),
        ("start;end;text\n;4,5;hello\n", "row 2 has no start time"),
    ],
)
def test_bad_csv_is_refused_in_one_line(session, tmp_path: Path, content: str, said: str) -> None:
    folder, sid = session
    before = db_fingerprint(folder)
    with Project.open(folder) as p, pytest.raises(InvalidInputError) as err:
        import_transcript(p, sid, put_text(tmp_path, "bad.csv", content))
    assert said in str(err.value) and "\n" not in str(err.value)
    assert db_fingerprint(folder) == before


# -- a time span alone, the speaker's name under it, the text below (DaVinci Resolve, Trint) ----

_LABELS = ["Speaker 1", "Speaker 2", "Спикер 3", "SPEAKER_04", None]
_SAID = ["Hello there, how are you?", "Привет, всё хорошо.", "Да.", "Сәлеметсіз бе, бәріңізге."]


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    paragraphs=st.lists(
        st.tuples(st.sampled_from(_LABELS), st.sampled_from(_SAID), st.integers(1, 20)),
        min_size=1,
        max_size=6,
    ),
    frames=st.booleans(),
    beside=st.booleans(),
)
def test_numbered_label_under_a_time_is_the_speaker_even_once(
    tmp_path: Path, paragraphs: list[tuple[str | None, str, int]], frames: bool, beside: bool
) -> None:
    """DaVinci Resolve writes a time span on a line of its own, the speaker's label on the line
    under it and the text below. A label under a time was a speaker only when it stood so
    twice or spoke elsewhere: a "Speaker 2" who spoke once was text ("Speaker 2 Да."), in
    the language of its letters. A numbered label is a voice's name however often it speaks;
    a paragraph without one has no speaker. So is a numbered label beside a time with the
    text below ("00:00:01 Speaker 1"), which was text too."""

    def clock(seconds: int) -> str:
        return f"00:{seconds // 60:02d}:{seconds % 60:02d}" + (":00" if frames else "")

    blocks, model, at = [], [], 0
    for label, said, length in paragraphs:
        if beside:  # a time and the label on one line, no end: it ends where the next starts
            blocks.append(f"{clock(at)} {label}\n{said}" if label else f"{clock(at)} {said}")
        else:
            span = f"[{clock(at)} - {clock(at + length)}]"
            blocks.append("\n".join([span, *([label] if label else []), said]))
        model.append((at * 1000, (at + length) * 1000, label, said))
        at += length
    path = put_text(tmp_path, "resolve.txt", "\n\n".join(blocks) + "\n")
    parsed = parse_transcript(path, fps="25" if frames else None)
    if beside:  # the last has no end in the file: it ends where it starts until imported
        model[-1] = (*model[-1][:1], model[-1][0], *model[-1][2:])
    assert [(d.start_ms, d.end_ms, d.speaker, d.text) for d in parsed.drafts] == model


# -- Zoom's saved captions: ">> NAME:" opens a turn, the lines after it go on in its voice -------

_ZOOM_NAMES = ["ANNA", "BORIS", "Айгүл", None]
_ZOOM_SAID = ["Hello everyone, welcome.", "Thanks for joining us today.", "Привет всем.", "Иә."]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(
        st.tuples(
            st.sampled_from(["", ">> ", ">>> "]), st.sampled_from(_ZOOM_NAMES),
            st.sampled_from(_ZOOM_SAID), st.integers(1, 9),
        ),
        min_size=1,
        max_size=8,
    ).filter(lambda ls: any(mark for mark, *_ in ls))
)  # fmt: skip
def test_zoom_caption_turns_against_a_model(
    tmp_path: Path, lines: list[tuple[str, str | None, str, int]]
) -> None:
    """Zoom's saved captions (.txt): a clock time, then ">> NAME:" where a new voice speaks
    (">>" alone where it names none); the lines after it are that voice's. The ">>" and the
    name stayed in the text and no line had a speaker. A voice named without ">>" speaks
    too, and goes on the same way."""
    text, model, at, voice = [], [], 0, None
    for mark, name, said, gap in lines:
        at += gap
        label = f"{name}: " if name else ""
        text.append(f"00:{at // 60:02d}:{at % 60:02d} {mark}{label}{said}")
        if mark or name:
            voice = name
        model.append((at * 1000, voice, said))
    parsed = parse_transcript(
        put_text(tmp_path, "meeting_saved_closed_caption.txt", "\n".join(text))
    )
    assert [(d.start_ms, d.speaker, d.text) for d in parsed.drafts] == model


# -- Google Meet: a timestamp every few minutes, the turns between them named, untimed ----------

_MEET_NAMES = ["Anna Smith", "Болат", "Айгүл Сәрсенова"]
_MEET_SAID = ["Hello everyone.", "Привет.", "Let us begin with the agenda now.", "Иә, дұрыс."]


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    blocks=st.lists(
        st.tuples(
            st.integers(1, 400),
            st.lists(
                st.tuples(st.sampled_from(_MEET_NAMES), st.sampled_from(_MEET_SAID)),
                min_size=1, max_size=4,
            ),
        ),
        min_size=1,
        max_size=4,
    )
)  # fmt: skip
def test_meet_turns_between_timestamps_against_a_model(
    tmp_path: Path, blocks: list[tuple[int, list[tuple[str, str]]]]
) -> None:
    """Google Meet's transcript sets a timestamp every few minutes and names each turn
    between them ("Anna Smith: …") with no time of its own: all the turns under a timestamp
    became one segment, the first speaker's. Each turn is a segment with its speaker, its
    start estimated between the timestamps around it by the words said before it (after the
    last one at 2.5 words a second); a name that opens a turn only once stays text."""
    counts = Counter(name for _gap, turns in blocks for name, _said in turns)
    lines, groups, at = ["Transcript", ""], [], 0
    for gap, turns in blocks:
        at += gap
        lines += [f"{at // 3600:02d}:{at // 60 % 60:02d}:{at % 60:02d}", ""]
        segs: list[list[str]] = []
        for n, (name, said) in enumerate(turns):
            lines.append(f"{name}: {said}")
            if n == 0 or counts[name] >= 2:
                segs.append([name, said])
            else:  # said once: the line is what the speaker above said
                segs[-1][1] += f" {name}: {said}"
        groups.append((at * 1000, segs))
    lines += ["", "Meeting ended after 01:00:00 👋"]
    model = []
    for g, (start, segs) in enumerate(groups):
        weights = [max(1, _words(said)) for _name, said in segs]
        for k, (name, said) in enumerate(segs):
            before = sum(weights[:k])
            if g + 1 < len(groups):
                when = start + (groups[g + 1][0] - start) * before // sum(weights)
            else:
                when = start + round(before / 2.5 * 1000)
            model.append((when, name, said))
    parsed = parse_transcript(put_text(tmp_path, "meet.txt", "\n".join(lines)))
    assert [(d.start_ms, d.speaker, d.text) for d in parsed.drafts] == model
    assert any("Meeting ended after" in n for n in parsed.notes)


# -- a time past any recording ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("huge.csv", "start;text\n99999999999999999999;hello\n"),  # overflowed the database
        ("huge.srt", "1\n99999999999:00:00,000 --> 99999999999:00:01,000\nhi\n"),  # was imported
        ("late.csv", "start (ms),end (ms),text\n0,1000,ok\n3600000000,3600001000,late\n"),
    ],
)
def test_a_time_past_any_recording_is_refused_in_one_line(
    session, tmp_path: Path, name: str, content: str
) -> None:
    """A spreadsheet cell of 20 digits failed with 'unexpected failure (OverflowError…)'; a
    subtitle at 99999999999 hours made a session that long. Both are refused in one line,
    as a new session too, and the project is untouched."""
    folder, _sid = session
    path = put_text(tmp_path, name, content)
    before = db_fingerprint(folder)
    with Project.open(folder) as p, pytest.raises(InvalidInputError) as err:
        import_transcript_as_session(p, path)
    assert "past any recording" in str(err.value) and "\n" not in str(err.value)
    assert db_fingerprint(folder) == before


def test_damaged_otr_is_refused_naming_it(session, tmp_path: Path) -> None:
    """A cut .otr (its JSON unfinished) said 'cannot tell the transcript format … give
    --format': it says the oTranscribe file is damaged."""
    folder, sid = session
    before = db_fingerprint(folder)
    path = put_text(tmp_path, "cut.otr", '{"text": "<p>[00:01] Болат: Сәлем')
    with Project.open(folder) as p, pytest.raises(InvalidInputError) as err:
        import_transcript(p, sid, path)
    assert "oTranscribe" in str(err.value) and "damaged" in str(err.value)
    assert "\n" not in str(err.value) and db_fingerprint(folder) == before
