"""Destroying originals for good (text, search index, word timings, audio) and audio redaction."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydub import AudioSegment

from storage import Project
from storage.core.audio import configure_pydub, sha256_of
from storage.core.errors import AudioError, InvalidInputError
from storage.core.models import Word
from storage.privacy.privacy import redact_audio
from storage.transcript.transcript import SegmentDraft
from tests.media import espeak, video_with_audio

TEXT = "We met Zhanargul in Kyzylorda near the regional clinic"
SECRET = "Kyzylorda"


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return espeak(tmp_path_factory.mktemp("destroy") / "speech.wav", TEXT)


def _load(path: Path) -> AudioSegment:
    configure_pydub()
    return AudioSegment.from_file(str(path))


def _project_bytes(folder: Path) -> bytes:
    return b"".join(
        p.read_bytes() for p in folder.iterdir() if p.name.startswith("project.db") and p.is_file()
    )


def _seed(project: Project, audio: Path, *, words: bool) -> tuple[str, str, int]:
    session = project.sessions.import_audio(audio, kind="interview")
    duration = session.duration_ms
    timed = []
    if words:
        # Evenly spread word timings, the way Whisper's would lie over the speech.
        tokens = TEXT.split()
        step = duration // len(tokens)
        timed = [Word(i * step, (i + 1) * step, " " + t, 0.9) for i, t in enumerate(tokens)]
    (seg,) = project.transcript.add_segments(
        session.id, [SegmentDraft(0, duration, TEXT, words=timed)]
    )
    return session.id, seg.id, duration


def test_destroy_removes_text_index_words_and_audio(project: Project, speech: Path) -> None:
    session_id, seg_id, _ = _seed(project, speech, words=True)
    media = project.sessions.media_for_session(session_id)[0]
    old_sha = media.sha256
    media_file = project.folder / media.path
    trash = project.media_dir / ".deleted"
    trash.mkdir()
    (trash / media_file.name).write_bytes(media_file.read_bytes())  # an old copy
    start = TEXT.index(SECRET)
    red = project.redactions.redact(seg_id, start, start + len(SECRET), "PLACE")
    seg = project.transcript.get_segment(seg_id)
    span = project.redactions.redaction_audio_span(seg, red)
    before = _load(media_file)
    assert before[span[0] : span[1]].rms > 50  # there is speech to hide

    report = project.redactions.destroy_redactions([red.id])
    assert (report.redactions, report.segments, report.media) == (1, 1, [media.id])

    seg = project.transcript.get_segment(seg_id)
    assert seg.text == "We met Zhanargul in [PLACE] near the regional clinic"
    assert [w.text for w in seg.words][4] == " [PLACE]"
    assert all(SECRET not in w.text for w in seg.words)
    assert project.transcript.search(SECRET) == []
    assert project.redactions.get_redaction(red.id).destroyed
    # The audio in media/ was rewritten: silent over the span, the rest kept, sha256 updated.
    media = project.sessions.media_for_session(session_id)[0]
    assert media.sha256 != old_sha and media.sha256 == sha256_of(media_file)
    after = _load(media_file)
    assert abs(len(after) - len(before)) < 50
    assert after[span[0] + 2 : span[1] - 2].rms == 0
    assert after[: span[0] - 200].rms > 50
    assert not (trash / media_file.name).exists()
    # The bytes of the database (and its WAL) no longer hold the word.
    assert SECRET.encode() not in _project_bytes(project.folder)
    assert SECRET.lower().encode() not in _project_bytes(project.folder)
    with pytest.raises(InvalidInputError, match="destroyed"):
        project.redactions.remove_redaction(red.id)
    entry = project.audit.entries(action="destroy")[-1]
    assert entry.details["redaction_ids"] == [red.id] and entry.details["silenced_ms"] > 0
    assert SECRET not in str(project.audit.entries())


def test_destroy_without_word_timings_interpolates(project: Project, speech: Path) -> None:
    session_id, seg_id, duration = _seed(project, speech, words=False)
    start = TEXT.index("Zhanargul")
    red = project.redactions.redact(seg_id, start, start + len("Zhanargul"), "NAME")
    seg = project.transcript.get_segment(seg_id)
    span = project.redactions.redaction_audio_span(seg, red)
    assert 0 < span[0] < span[1] < duration
    project.redactions.destroy_redactions(session_id=session_id, mode="beep")
    assert project.transcript.get_segment(seg_id).text.startswith("We met [NAME] in Kyzylorda")
    after = _load(project.sessions.media_path(session_id))
    beep = after[span[0] + 20 : span[1] - 20]
    assert beep.rms > 1000  # a loud steady tone, not speech
    assert abs(beep.dBFS - (-18.0 - 3.0)) < 1.5  # a -18 dBFS peak sine is about -21 dBFS RMS


@pytest.mark.slow
def test_destroy_in_a_video_rewrites_audio_as_flac(
    project: Project, speech: Path, tmp_path: Path
) -> None:
    video = video_with_audio(speech, tmp_path / "fg.webm")
    session_id, seg_id, _ = _seed(project, video, words=False)
    old = project.sessions.media_path(session_id)
    start = TEXT.index(SECRET)
    project.redactions.redact(seg_id, start, start + len(SECRET))
    project.redactions.destroy_redactions()
    new = project.sessions.media_path(session_id)
    assert new.suffix == ".flac" and not old.exists()
    assert project.sessions.media_for_session(session_id)[0].sha256 == sha256_of(new)
    assert project.transcript.get_segment(seg_id).text == TEXT.replace(SECRET, "[REDACTED]")


def test_destroy_with_undecodable_audio_changes_nothing(project: Project, speech: Path) -> None:
    session_id, seg_id, _ = _seed(project, speech, words=False)
    red = project.redactions.redact(seg_id, 0, 2)
    media_file = project.sessions.media_path(session_id)
    media_file.write_bytes(b"RIFF" + b"\x00" * 64)  # damaged after import
    raw = media_file.read_bytes()
    dump = list(project.db.conn.iterdump())
    with pytest.raises(AudioError, match="cannot decode"):
        project.redactions.destroy_redactions([red.id])
    assert list(project.db.conn.iterdump()) == dump
    assert media_file.read_bytes() == raw
    assert sorted(p.name for p in project.media_dir.iterdir()) == [media_file.name]


def test_redact_audio_silence_beep_and_bad_input(speech: Path, tmp_path: Path) -> None:
    original = _load(speech)
    out = redact_audio(speech, tmp_path / "silenced.mp3", [(500, 900), (800, 1200)])
    silenced = _load(out)
    assert silenced[550:1150].rms < 5  # mp3: near silence
    beeped = _load(redact_audio(speech, tmp_path / "beeped.wav", [(500, 1200)], "beep"))
    assert beeped[500:1200].rms > 1000 and beeped[1300:].raw_data == original[1300:].raw_data
    assert beeped.frame_rate == original.frame_rate and beeped.channels == original.channels
    with pytest.raises(InvalidInputError, match="silence or beep"):
        redact_audio(speech, tmp_path / "x.wav", [], "bleep")
    with pytest.raises(InvalidInputError, match="cannot write redacted audio"):
        redact_audio(speech, tmp_path / "x.txt", [])
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"not audio at all")
    with pytest.raises(AudioError, match="cannot decode"):
        redact_audio(junk, tmp_path / "y.wav", [])
    assert not (tmp_path / "x.wav").exists() and not (tmp_path / "y.wav").exists()
