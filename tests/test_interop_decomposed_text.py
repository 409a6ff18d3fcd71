"""Text written with decomposed letters (NFD, as macOS tools may save it: "ё" as "е" plus a
combining diaeresis) is imported composed (NFC): a REFI-QDA text source, each selection on the
words it covered, and a transcript file (.vtt, .srt, timestamped .txt), its speakers too.

Before, the text was stored decomposed: the spans fitted, but a real name in it ("Серёжа") was
one the pseudonym review, comparing names as typed, never found, so it stayed in every export.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Project
from storage.interop import import_qdpx, import_transcript
from tests.interop_support import make_wav, write_qdpx

CODE, SRC = "ab000000-0000-4000-8000-000000000001", "ab000000-0000-4000-8000-000000000002"


def _qde(spans: list[tuple[int, int]]) -> str:
    sels = "".join(
        f'<PlainTextSelection guid="ac000000-0000-4000-8000-{k:012d}" startPosition="{s}" '
        f'endPosition="{e}"><Coding guid="ad000000-0000-4000-8000-{k:012d}">'
        f'<CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>'
        for k, (s, e) in enumerate(spans)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
        'name="x" origin="MAXQDA 24 (macOS)"><CodeBook><Codes>'
        f'<Code guid="{CODE}" name="Соседи" isCodable="true"/></Codes></CodeBook><Sources>'
        f'<TextSource guid="{SRC}" name="Интервью" plainTextPath="internal://a.txt">{sels}'
        "</TextSource></Sources></Project>"
    )


def _imported(tmp: Path, text: str, spans: list[tuple[int, int]]) -> tuple[list[str], list[str]]:
    """(every segment's text, every coding's text) after importing ``text`` with ``spans``."""
    archive = write_qdpx(tmp / "a.qdpx", _qde(spans), {"a.txt": text.encode()})
    import_qdpx(archive, tmp / "p", coder="me")
    with Project.open(tmp / "p", readonly=True) as p:
        segments = {s.id: s for x in p.sessions.all() for s in p.transcript.segments(x.id)}
        coded = [segments[c.segment_id].text[c.start_cp : c.end_cp] for c in p.codebook.codings()]
    return [s.text for s in segments.values()], coded


def test_a_decomposed_name_is_composed_and_found_by_the_pseudonym_review(tmp_path: Path) -> None:
    said = "Айгүл: Мой сосед Серёжа уехал.\nАйгүл: Ёлку ставят в районе, а Йошкар-Ола далеко."
    text = unicodedata.normalize("NFD", said)
    name = unicodedata.normalize("NFD", "Серёжа уехал")
    yolka = unicodedata.normalize("NFD", "Ёлку ставят")
    spans = [(text.index(w), text.index(w) + len(w)) for w in (name, yolka)]
    texts, coded = _imported(tmp_path, text, spans)
    assert sorted(coded) == ["Ёлку ставят", "Серёжа уехал"]
    assert all(unicodedata.is_normalized("NFC", t) for t in texts), texts
    with Project.open(tmp_path / "p") as p:
        p.privacy.set_pseudonym("Серёжа", "Коля")
        found = [c.matched for c in p.privacy.pseudonym_candidates()]
    assert found == ["Серёжа"]


WORD = st.text(alphabet="ёйЁЙеиaӘәқ", min_size=1, max_size=5)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    words=st.lists(WORD, min_size=2, max_size=12),
    picks=st.lists(st.tuples(st.integers(0, 11), st.integers(1, 3)), min_size=1, max_size=4),
    data=st.data(),
)
def test_each_selection_covers_its_words_composed(
    tmp_path_factory: object, words: list[str], picks: list[tuple[int, int]], data: st.DataObject
) -> None:
    """Words on one or two lines, decomposed; each selection of whole words codes those words,
    composed (an independent model: the selected decomposed text, composed)."""
    seps = [data.draw(st.sampled_from([" ", " ", "\n"])) for _ in words[1:]]
    plain = words[0] + "".join(s + w for s, w in zip(seps, words[1:], strict=True))
    text = unicodedata.normalize("NFD", plain)
    nfd_words = [unicodedata.normalize("NFD", w) for w in words]
    starts, at = [], 0
    for w in nfd_words:
        starts.append(at)
        at += len(w) + 1
    spans, expected = [], []
    for first, count in picks:
        first %= len(words)
        last = min(first + count, len(words)) - 1
        lines = [seps[k] for k in range(first, last)]
        if "\n" in lines:  # one line's words only (a selection over a line break is split)
            continue
        s, e = starts[first], starts[last] + len(nfd_words[last])
        if (s, e) not in spans:  # the same selection twice is one coding
            spans.append((s, e))
            expected.append(unicodedata.normalize("NFC", text[s:e]))
    if not spans:
        return
    tmp = tmp_path_factory.mktemp("nfd")  # type: ignore[attr-defined]
    texts, coded = _imported(tmp, text, spans)
    assert sorted(coded) == sorted(expected)
    assert "\n".join(texts) == unicodedata.normalize("NFC", text)


TRANSCRIPTS = {
    "a.vtt": "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n<v Йосиф>Мой сосед Серёжа уехал.\n",
    "a.srt": "1\n00:00:00,000 --> 00:00:01,000\nЙосиф: Мой сосед Серёжа уехал.\n",
    "a.txt": "[00:00:00] Йосиф: Мой сосед Серёжа уехал.\n",
}


@pytest.mark.parametrize("name", sorted(TRANSCRIPTS))
def test_a_decomposed_transcript_file_is_composed(tmp_path: Path, name: str) -> None:
    wav = make_wav(tmp_path / "audio", "Hello.")
    source = tmp_path / name
    source.write_text(unicodedata.normalize("NFD", TRANSCRIPTS[name]), encoding="utf-8")
    with Project.create(tmp_path / "p", coder="me") as p:
        sid = p.sessions.import_audio(wav, title="speech").id
        import_transcript(p, sid, source)
        (seg,) = p.transcript.segments(sid)
        assert (seg.speaker, seg.text) == ("Йосиф", "Мой сосед Серёжа уехал.")
        p.privacy.set_pseudonym("Серёжа", "Коля")
        assert [c.matched for c in p.privacy.pseudonym_candidates()] == ["Серёжа"]


def test_a_decomposed_audio_transcript_keeps_its_sync_points_on_its_words(tmp_path: Path) -> None:
    """A recording's transcript: sync points count the decomposed text; a selection between
    two of them codes the same words in the composed text."""
    said = "Айгүл: Мой сосед Серёжа уехал в район.\nЙосиф: Ёлку ставят там."
    text = unicodedata.normalize("NFD", said)
    name = unicodedata.normalize("NFD", "Серёжа уехал")
    marks = [0, text.index(name), text.index(name) + len(name), text.index("\n") + 1]
    sync = "".join(
        f'<SyncPoint guid="ae000000-0000-4000-8000-{k:012d}" position="{pos}" '
        f'timeStamp="{k * 1000}"/>'
        for k, pos in enumerate(marks)
    )
    qde = (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
        'name="x" origin="ATLAS.ti Mac"><CodeBook><Codes>'
        f'<Code guid="{CODE}" name="Соседи" isCodable="true"/></Codes></CodeBook><Sources>'
        f'<AudioSource guid="{SRC}" name="Фокус-группа" path="internal://a.wav">'
        '<Transcript guid="ab000000-0000-4000-8000-000000000003" name="t" '
        f'plainTextPath="internal://a.txt">{sync}'
        '<TranscriptSelection guid="ac000000-0000-4000-8000-000000000001" name="Серёжа" '
        'fromSyncPoint="ae000000-0000-4000-8000-000000000001" '
        'toSyncPoint="ae000000-0000-4000-8000-000000000002"><Coding '
        f'guid="ad000000-0000-4000-8000-000000000001"><CodeRef targetGUID="{CODE}"/></Coding>'
        "</TranscriptSelection></Transcript></AudioSource></Sources></Project>"
    )
    wav = make_wav(tmp_path / "audio", "Hello, this is a short interview.").read_bytes()
    archive = write_qdpx(tmp_path / "a.qdpx", qde, {"a.txt": text.encode(), "a.wav": wav})
    import_qdpx(archive, tmp_path / "p", coder="me")
    with Project.open(tmp_path / "p", readonly=True) as p:
        segments = {s.id: s for x in p.sessions.all() for s in p.transcript.segments(x.id)}
        coded = [segments[c.segment_id].text[c.start_cp : c.end_cp] for c in p.codebook.codings()]
        texts = [s.text for s in segments.values()]
    assert coded == ["Серёжа уехал"]
    assert all(unicodedata.is_normalized("NFC", t) for t in texts), texts
