"""``transcribe`` looks at consent to transcription where the workbench's Transcribe asks
(``gui.consent.confirm_consent``): a refusal stops before anything is transcribed, in one line
naming who and how to go on (``--transcribe-anyway``); consent only unknown transcribes with a
one-line note on stderr, unless acknowledged; a new recording (no speakers yet) is transcribed
without a word, as the workbench does not ask about it. Whisper is faked (consent is under
test, not transcription)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Project, SegmentDraft
from tests.hardening_support import one_line_error, run_cli, tone_wav
from tests.test_disk_full import fake_whisper  # noqa: F401 - fixture

_QUICK = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}
#: a speaker heard in an earlier transcription: not linked to a participant, linked with no
#: consent recorded, consented to recording and transcription, refused transcription
_STATES = ["unlinked", "none", "yes", "refused"]
#: a participant with a consent record for the session but no speaker label: transcription
#: unknown, refused, agreed (None: nobody)
_RECORDED = [None, "unknown", "refused", "yes"]


def _project(folder: Path, speakers: list[str], recorded: str | None) -> str:
    """A project with one recording whose earlier transcript has one speaker per state (none:
    a new recording, never transcribed, no speakers linked: the usual case)."""
    with Project.create(folder, coder="a") as p:
        sid = p.sessions.import_audio(tone_wav(folder.parent / "t.wav", seconds=4.0)).id
        drafts = [
            SegmentDraft(i * 1000, i * 1000 + 900, "Сәлем.", f"SPEAKER_{i:02d}")
            for i in range(len(speakers))
        ]
        p.transcript.add_segments(sid, drafts)
        for i, state in enumerate(speakers):
            if state == "unlinked":
                continue
            who = p.sessions.add_participant(f"Айгүл {i}")
            p.sessions.map_speaker(sid, f"SPEAKER_{i:02d}", who.id)
            if state != "none":
                p.consent.set_consent(who.id, sid, recording=True, transcription=state == "yes")
        if recorded is not None:
            who = p.sessions.add_participant("Bolat")
            answer = {"unknown": None, "refused": False, "yes": True}[recorded]
            p.consent.set_consent(who.id, sid, transcription=answer, recording=True)
    return sid


def _gui_asks(folder: Path, sid: str, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Whether the workbench's Transcribe would ask (its question answered Cancel here)."""
    import gui.consent

    asked: list[str] = []

    def ask(*_a: Any, **_k: Any) -> Any:
        asked.append("asked")
        return gui.consent.STOP

    monkeypatch.setattr(gui.consent, "ask", ask)
    with Project.open(folder, coder="a") as p:
        gui.consent.confirm_consent(None, p, [sid], "transcription", "Transcribe")  # type: ignore[arg-type]
    return bool(asked)


@settings(max_examples=20, **_QUICK)
@given(
    speakers=st.lists(st.sampled_from(_STATES), max_size=3),
    recorded=st.sampled_from(_RECORDED),
    acknowledged=st.booleans(),
    anyway=st.booleans(),
)
def test_transcribe_stops_or_tells_exactly_where_the_workbench_asks(
    fake_whisper: None,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    speakers: list[str],
    recorded: str | None,
    acknowledged: bool,
    anyway: bool,
) -> None:
    """``transcribe`` transcribed a session whose participant refused transcription without a
    word (the workbench asks first)."""
    folder = tmp_path_factory.mktemp("t") / "p.fieldscribe"
    sid = _project(folder, speakers, recorded)
    refused = "refused" in speakers or recorded == "refused"
    unknown = bool({"unlinked", "none"} & set(speakers)) or recorded == "unknown"
    if acknowledged and unknown and not refused:
        with Project.open(folder, coder="a") as p:
            p.consent_notes.acknowledge(sid, "transcription")
    # the model: asked when someone refused, or consent is unknown and not acknowledged; a new
    # recording (no speakers, no consent recorded) is never asked about
    asked = refused or (unknown and not acknowledged)
    assert _gui_asks(folder, sid, monkeypatch) == asked
    argv = ["transcribe", folder, "--session", sid, "--replace"]
    code, _out, err = run_cli(capsys, *argv, *(["--transcribe-anyway"] if anyway else []))
    with Project.open(folder, coder="a", readonly=True) as p:
        state = p.transcription.transcription_state(sid)
    if refused and not anyway:
        line = one_line_error(err)
        assert code == 1 and state is None, line  # nothing transcribed, nothing begun
        assert "consent to transcription is refused" in line and "--transcribe-anyway" in line
        who = ["Айгүл"] * ("refused" in speakers) + ["Bolat"] * (recorded == "refused")
        assert all(name in line for name in who), line
    else:
        assert code == 0 and state is not None and state.status == "done", err
        notes = [ln for ln in err.splitlines() if ln.startswith("note: consent")]
        assert len(notes) == (1 if asked and not refused else 0), err
        if notes:
            assert "unknown" in notes[0] and "--acknowledge transcription" in notes[0], notes


def test_the_refusal_names_who_and_all_stops_before_any_session(
    fake_whisper: None,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "p.fieldscribe"
    sid = _project(folder, ["refused", "unlinked"], None)
    with Project.open(folder, coder="a") as p:  # a new recording beside it: fine on its own
        fresh = p.sessions.import_audio(tone_wav(tmp_path / "u.wav", 4.0, freq=660.0)).id
    code, _out, err = run_cli(capsys, "transcribe", folder, "--all", "--replace")
    line = one_line_error(err)
    assert code == 1
    assert "refused for “t”: Айгүл 0 (refused transcription); nothing was transcribed" in line
    with Project.open(folder, coder="a", readonly=True) as p:
        assert p.transcription.transcription_state(fresh) is None
        assert p.transcription.transcription_state(sid) is None
    code, _out, err = run_cli(capsys, "transcribe", folder, "--session", fresh)
    assert code == 0 and "consent" not in err, err  # the usual new recording: not a word
