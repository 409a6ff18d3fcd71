"""The audio of a consented-only export is silent wherever a left-out speaker speaks.

A focus group walk exported a .qdpx with only consented participants: the
participant who refused quotation was silenced over each of their segments, but the quarter of a
second between two of their segments (a pause inside one turn of theirs, held by no segment)
kept their voice. Their turns on the speaker timeline are silenced too now.
"""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

from pydub import AudioSegment

from storage import Project
from storage.core.audio import configure_pydub
from storage.transcript.transcript import SegmentDraft
from tests.hardening_support import fs_here as fs


def _tone(path: Path, seconds: float) -> Path:
    """A steady tone: any stretch of it that is not silenced is loud."""
    subprocess.run(
        ["sox", "-n", "-r", "16000", "-c", "1", str(path), "synth", str(seconds), "sine", "440"],
        check=True,
    )
    return path


def _loudness(audio: AudioSegment, start_ms: int, end_ms: int) -> float:
    return float(audio[start_ms:end_ms].rms)


def test_a_pause_inside_a_left_out_speakers_turn_is_silenced(tmp_path: Path) -> None:
    folder = tmp_path / "FG.fieldscribe"
    with Project.create(folder, name="FG", coder="lead") as p:
        session = p.sessions.import_audio(_tone(tmp_path / "fg.wav", 6), kind="focus_group")
        p.transcript.add_segments(
            session.id,
            [
                SegmentDraft(0, 1500, "Сәлеметсіз бе, бастайық.", speaker="Speaker 1"),
                SegmentDraft(2000, 3000, "Су нашар.", speaker="Speaker 2"),
                SegmentDraft(3400, 4200, "Баға да қымбат.", speaker="Speaker 2"),
                SegmentDraft(4600, 6000, "Рақмет.", speaker="Speaker 1"),
            ],
        )
        # speaker detection's timeline: Speaker 2 speaks from 2.0 to 4.2 s, pause and all
        p.speakers.turns.save(
            session.id,
            [(0, 1500, "Speaker 1"), (2000, 4200, "Speaker 2"), (4600, 6000, "Speaker 1")],
        )
        yes, refuses = p.sessions.add_participant("P01"), p.sessions.add_participant("P02")
        p.sessions.map_speaker(session.id, "Speaker 1", yes.id)
        p.sessions.map_speaker(session.id, "Speaker 2", refuses.id)
        p.consent.set_consent(yes.id, None, recording=True, transcription=True, quotation=True)
        p.consent.set_consent(
            refuses.id, session.id, recording=True, transcription=True, quotation=False
        )
    out = tmp_path / "fg.qdpx"
    fs("qdpx", "export", folder, "-o", out, "--consented-only")
    configure_pydub()
    with zipfile.ZipFile(out) as zf:
        (member,) = [n for n in zf.namelist() if n.endswith(".wav")]
        audio = AudioSegment.from_file(io.BytesIO(zf.read(member)), format="wav")
    assert _loudness(audio, 100, 1400) > 1000  # the consenting speaker is heard
    assert _loudness(audio, 4700, 5900) > 1000
    assert _loudness(audio, 2050, 2950) == 0  # the refusing speaker's segments are silent
    assert _loudness(audio, 3450, 4150) == 0
    assert _loudness(audio, 3050, 3350) == 0  # and so is the pause inside their turn


def _one_refuses_quotation(
    folder: Path,
    label: str,
    agrees: dict[str, str] | None = None,
    refuses: dict[str, str] | None = None,
) -> str:
    """A focus group of two speakers: "Speaker 1" is P01, who agrees to transcription and
    quotation; ``label`` is P02, who refuses quotation (``agrees``/``refuses``: their
    attributes). The session's id."""
    with Project.create(folder, name="FG", coder="lead") as p:
        session = p.sessions.add_session("FG", "focus_group")
        p.transcript.add_segments(
            session.id,
            [
                SegmentDraft(0, 1500, "Сәлеметсіз бе.", speaker="Speaker 1"),
                SegmentDraft(2000, 3000, "Су нашар.", speaker=label),
            ],
        )
        yes = p.sessions.add_participant("P01", agrees)
        no = p.sessions.add_participant("P02", refuses)
        p.sessions.map_speaker(session.id, "Speaker 1", yes.id)
        p.sessions.map_speaker(session.id, label, no.id)
        p.consent.set_consent(yes.id, None, transcription=True, quotation=True)
        p.consent.set_consent(no.id, None, transcription=True, quotation=False)
        return session.id


def test_a_left_out_speaker_is_not_listed_in_the_json_transcript(tmp_path: Path) -> None:
    """The JSON transcript of consented participants only listed the left-out speaker under
    "speakers" and the session's "speakers" (their label, "Бота", and their participant id),
    though their words, codings and timeline were left out."""
    folder = tmp_path / "FG.fieldscribe"
    sid = _one_refuses_quotation(folder, "Бота")
    out = tmp_path / "t.json"
    fs("export", folder, "--session", sid, "--format", "json", "-o", out, "--consented-only")
    text = out.read_text(encoding="utf-8")
    assert "Бота" not in text and "P02" not in text and '"P01"' in text
    bundle = tmp_path / "b.fsbundle"
    fs("bundle", "export", folder, "-o", bundle, "--consented-only")
    with zipfile.ZipFile(bundle) as zf:
        db = zf.read("project.db")
    assert "Бота".encode() not in db  # nor in a team bundle's speakers


def test_a_left_out_participant_has_no_case_in_a_consented_only_qdpx(tmp_path: Path) -> None:
    """The .qdpx of consented participants only held a Case for the participant who refused
    quotation, with their attributes (age, village), though their words were left out."""
    folder = tmp_path / "FG.fieldscribe"
    _one_refuses_quotation(folder, "Speaker 2", {"age": "34"}, {"age": "61", "village": "Қарасу"})
    out = tmp_path / "fg.qdpx"
    fs("qdpx", "export", folder, "-o", out, "--consented-only")
    with zipfile.ZipFile(out) as zf:
        qde = zf.read("project.qde").decode("utf-8")
    assert 'name="P01"' in qde and "Value>34</" in qde
    assert "P02" not in qde and "Қарасу" not in qde and "Value>61</" not in qde
    fs("qdpx", "export", folder, "-o", tmp_path / "all.qdpx", "--export-anyway")  # both
    with zipfile.ZipFile(tmp_path / "all.qdpx") as zf:
        assert 'name="P02"' in zf.read("project.qde").decode("utf-8")


def _second_refuses_recording(
    folder: Path, audio: Path, said: list[SegmentDraft], recording: bool | None = False
) -> None:
    """A session of ``audio`` and two speakers' segments: the first speaker P01 consents to
    everything, the second P03 to transcription and quotation but not to recording (or, with
    ``recording`` None, nobody asked them)."""
    with Project.create(folder, name=folder.stem, coder="lead") as p:
        session = p.sessions.import_audio(audio, kind="focus_group")
        p.transcript.add_segments(session.id, said)
        yes, unheard = p.sessions.add_participant("P01"), p.sessions.add_participant("P03")
        first, second = dict.fromkeys(d.speaker for d in said)
        p.sessions.map_speaker(session.id, str(first), yes.id)
        p.sessions.map_speaker(session.id, str(second), unheard.id)
        p.consent.set_consent(yes.id, None, recording=True, transcription=True, quotation=True)
        p.consent.set_consent(
            unheard.id, None, recording=recording, transcription=True, quotation=True
        )


def _interview_of_two(tmp_path: Path, recording: bool | None = False) -> Path:
    """An interview of 4 s: S1 (P01, consents to everything) then S2 (P03, ``recording``)."""
    folder = tmp_path / "I.fieldscribe"
    said = [
        SegmentDraft(0, 2000, "Сәлем.", speaker="S1"),
        SegmentDraft(2000, 4000, "Өзен тартылды.", speaker="S2"),
    ]
    _second_refuses_recording(folder, _tone(tmp_path / "i.wav", 4), said, recording)
    return folder


def test_a_participant_who_refused_recording_is_not_heard(tmp_path: Path) -> None:
    """The ethics review: a participant who agreed to transcription and quotation but refused
    recording was read (rightly) and heard (wrongly) in a consented-only .qdpx and team bundle
    with audio: "export" needs transcription and quotation, so their voice stayed. Audio is a
    recording: only those who consented to recording are heard."""
    folder = tmp_path / "FG.fieldscribe"
    _second_refuses_recording(
        folder,
        _tone(tmp_path / "fg.wav", 6),
        [
            SegmentDraft(0, 2500, "Сәлеметсіз бе.", speaker="Speaker 1"),
            SegmentDraft(3000, 6000, "Өмірбектің сөзі: өзен тартылды.", speaker="Speaker 2"),
        ],
    )
    configure_pydub()
    out, bundle = tmp_path / "fg.qdpx", tmp_path / "b.fsbundle"
    fs("qdpx", "export", folder, "-o", out, "--consented-only")
    fs("bundle", "export", folder, "-o", bundle, "--consented-only", "--with-media")
    for archive in (out, bundle):
        with zipfile.ZipFile(archive) as zf:
            if archive == out:  # read
                assert any("өзен тартылды".encode() in zf.read(n) for n in zf.namelist())
            (member,) = [n for n in zf.namelist() if n.endswith(".wav")]
            audio = AudioSegment.from_file(io.BytesIO(zf.read(member)), format="wav")
        assert _loudness(audio, 100, 2400) > 1000, archive  # the consenting speaker is heard
        assert _loudness(audio, 3050, 5950) == 0, archive  # the one who refused is not


def test_a_qdpx_with_audio_stops_where_someone_refused_recording(tmp_path: Path) -> None:
    """``qdpx export`` (audio included by default) wrote the voice of a participant who refused
    recording without a word: "export" asks about transcription and quotation only. With the
    audio it stops in one line; --no-media, --consented-only (silenced) or --export-anyway go
    on."""
    folder = _interview_of_two(tmp_path)
    out = tmp_path / "i.qdpx"
    said = fs("qdpx", "export", folder, "-o", out, ok=False)
    assert said.returncode == 1 and not out.exists(), said.stderr
    assert "consent to recording is refused" in said.stderr and "P03" in said.stderr
    assert len(said.stderr.strip().splitlines()) == 1 and "--no-media" in said.stderr
    for flag in ("--no-media", "--consented-only", "--export-anyway"):
        fs("qdpx", "export", folder, "-o", out, flag)
        assert out.is_file(), flag
        out.unlink()


def test_a_qdpx_with_audio_notes_whose_consent_to_recording_is_unknown(tmp_path: Path) -> None:
    """The ethics review: a participant whose consent to recording was never recorded (to
    transcription and quotation it was) was heard in a .qdpx with its audio without a word. The
    export goes on (unknown is not refused) and says so once it is written; without the audio
    there is nothing to say."""
    folder = _interview_of_two(tmp_path, recording=None)
    out = tmp_path / "i.qdpx"
    said = fs("qdpx", "export", folder, "-o", out)
    assert out.is_file()
    assert "Consent to recording is unknown for" in said.stderr and "P03" in said.stderr
    assert "P01" not in said.stderr and "--no-media" in said.stderr
    assert len(said.stderr.strip().splitlines()) == 1, said.stderr
    out.unlink()
    said = fs("qdpx", "export", folder, "-o", out, "--no-media")
    assert out.is_file() and "recording" not in said.stderr, said.stderr


def test_a_refusal_of_recording_stops_nothing_without_a_recording(tmp_path: Path) -> None:
    """A session made of a transcript alone has no audio: a .qdpx "with its audio" carries no
    voice of it, so a refusal of recording there is no reason to stop (it stopped, naming
    --no-media for audio there was none of)."""
    folder = tmp_path / "T.fieldscribe"
    with Project.create(folder, name="T", coder="lead") as p:
        session = p.sessions.add_session("Транскрипт", "interview")
        p.transcript.add_segments(session.id, [SegmentDraft(0, 2000, "Өзен.", speaker="S2")])
        unheard = p.sessions.add_participant("P03")
        p.sessions.map_speaker(session.id, "S2", unheard.id)
        p.consent.set_consent(unheard.id, None, recording=False, transcription=True, quotation=True)
    out = tmp_path / "t.qdpx"
    said = fs("qdpx", "export", folder, "-o", out)
    assert out.is_file() and "recording" not in said.stderr, said.stderr
