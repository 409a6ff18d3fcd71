"""The command line's exports tell about consent where the workbench asks: a refusal stops the
export before writing, in one line naming who and how to go on (--export-anyway,
--consented-only); consent that is only unknown exports with a one-line note on stderr naming
who, unless acknowledged in the workbench (``project.consent_notes``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Project, SegmentDraft
from tests.hardening_support import one_line_error, run_cli

_QUICK = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}
#: a speaker's consent: not linked to a participant, linked with nothing recorded, with a yes
#: to transcription only, with a yes to both, with a refusal of quotation
_STATES = ["unlinked", "none", "half", "yes", "refused"]


def _project(
    folder: Path, sessions: list[list[str]], nobody: list[bool] | None = None
) -> list[str]:
    """A project whose sessions have one speaker per state (``_STATES``), each coded once;
    ``nobody[n]``: session n also has two coded segments without a speaker."""
    ids = []
    with Project.create(folder, coder="a") as p:
        code = p.codebook.ensure_code_path("Topic")
        for n, states in enumerate(sessions):
            sid = p.sessions.add_session(f"Session {n}").id
            drafts = [
                SegmentDraft(i * 1000, i * 1000 + 900, "Сәлем, бастайық.", f"SPEAKER_{i:02d}")
                for i in range(len(states))
            ]
            if nobody and nobody[n]:
                drafts += [SegmentDraft(9000 + i * 1000, 9900 + i * 1000, "Иә.") for i in (0, 1)]
            for seg in p.transcript.add_segments(sid, drafts):
                p.codebook.apply_code(seg.id, code.id)
            for i, state in enumerate(states):
                if state == "unlinked":
                    continue
                who = p.sessions.add_participant(f"Айгүл {n}.{i}")
                p.sessions.map_speaker(sid, f"SPEAKER_{i:02d}", who.id)
                if state != "none":
                    p.consent.set_consent(
                        who.id,
                        sid,
                        transcription=True,
                        quotation={"half": None, "yes": True, "refused": False}[state],
                    )
            ids.append(sid)
    return ids


def _exports(folder: Path, sid: str) -> list[tuple[str, list[str | Path]]]:
    out = folder.parent
    return [
        ("qdpx", ["qdpx", "export", folder, "-o", out / "o.qdpx"]),
        ("txt", ["export", folder, "--session", sid, "--format", "txt", "-o", out / "o.txt"]),
        ("codings", ["export-codings", folder, "-o", out / "o.csv"]),
    ]


@settings(max_examples=25, **_QUICK)
@given(
    sessions=st.lists(st.lists(st.sampled_from(_STATES), max_size=3), min_size=1, max_size=2),
    acknowledged=st.lists(st.booleans(), min_size=2, max_size=2),
    flag=st.sampled_from([None, "--export-anyway", "--consented-only"]),
    nobody=st.lists(st.booleans(), min_size=2, max_size=2),
)
def test_cli_exports_stop_or_tell_where_the_workbench_would_ask(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    sessions: list[list[str]],
    acknowledged: list[bool],
    flag: str | None,
    nobody: list[bool],
) -> None:
    """CLI exports wrote every participant of unknown or refused consent without a word, and an
    acknowledgement stored by the workbench meant nothing to them. A session nobody is known
    to be in (segments without a speaker, no speaker, no participant) went out without a word
    even where ``consent --check`` called it unknown: the note names it too (past
    --export-anyway: nobody was asked about it), unless acknowledged."""
    folder = tmp_path_factory.mktemp("c") / "p.fieldscribe"
    ids = _project(folder, sessions, nobody)
    # segments without a speaker in a session nobody is known to be in
    unknown_alone = [n and not states for states, n in zip(sessions, nobody, strict=False)]
    with Project.open(folder, coder="a") as p:
        for sid, states, ack, alone in zip(
            ids, sessions, acknowledged, unknown_alone, strict=False
        ):
            if ack and "refused" not in states and {"unlinked", "none", "half"} & set(states):
                p.consent_notes.acknowledge(sid, "export")
            if ack and alone:
                p.consent_notes.acknowledge(sid, "export")
    quiet = [alone and not ack for alone, ack in zip(unknown_alone, acknowledged, strict=False)]
    # the model: a session is asked about when someone refused, or someone's consent is unknown
    # and was not acknowledged; the whole project (qdpx, codings) or the one session (txt)
    asked = [
        "refused" in states or (bool({"unlinked", "none", "half"} & set(states)) and not ack)
        for states, ack in zip(sessions, acknowledged, strict=False)
    ]
    for name, argv in _exports(folder, ids[0]):
        concerned = [0] if name == "txt" else list(range(len(sessions)))
        concerned = [i for i in concerned if asked[i]]
        stop = flag is None and any("refused" in sessions[i] for i in concerned)
        alone = [i for i in ([0] if name == "txt" else range(len(sessions))) if quiet[i]]
        told = not stop and (
            (flag is None and bool(concerned)) or (flag != "--consented-only" and bool(alone))
        )
        written = Path(argv[argv.index("-o") + 1])
        written.unlink(missing_ok=True)
        code, _out, err = run_cli(capsys, *argv, *([flag] if flag else []))
        if stop:
            line = one_line_error(err)
            assert code == 1 and not written.exists(), (name, line)
            assert "refused" in line, line
            assert "--export-anyway" in line and "--consented-only" in line, line
        else:
            assert code == 0 and written.exists(), (name, err)
            notes = [ln for ln in err.splitlines() if ln.startswith("note: consent")]
            assert len(notes) == (1 if told else 0), (name, err)
            if told:
                assert "unknown" in notes[0] and "--consented-only" in notes[0], notes
            for i in range(len(sessions)):
                named = f"“Session {i}”: nobody known to be in it (2 segments" in err
                assert named is (told and i in alone), (name, i, err)


def test_the_note_names_who_is_unknown_and_an_acknowledgement_applies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "p.fieldscribe"
    [sid] = _project(folder, [["unlinked", "none", "yes"]])
    argv = ["qdpx", "export", folder, "-o", tmp_path / "o.qdpx"]
    code, _out, err = run_cli(capsys, *argv)
    assert code == 0 and (tmp_path / "o.qdpx").exists()
    assert "“Session 0”: SPEAKER_00 (not linked to a participant), Айгүл 0.1 (no consent" in err
    assert "Айгүл 0.2" not in err  # consented
    with Project.open(folder, coder="a") as p:  # the workbench's "Don't ask again"
        p.consent_notes.acknowledge(sid, "export")
    code, _out, err = run_cli(capsys, *argv)
    assert code == 0 and "consent" not in err
    with Project.open(folder, coder="a") as p:  # something changes: told again
        p.sessions.map_speaker(sid, "SPEAKER_00", p.sessions.add_participant("Bolat").id)
    code, _out, err = run_cli(capsys, *argv)
    assert code == 0 and "Bolat (no consent" in err


def test_a_refusal_stops_the_export_and_names_who(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "p.fieldscribe"
    [sid] = _project(folder, [["refused", "unlinked"]])
    out = tmp_path / "o.txt"
    argv = ["export", folder, "--session", sid, "--format", "txt", "-o", out]
    code, _out, err = run_cli(capsys, *argv)
    line = one_line_error(err)
    assert code == 1 and not out.exists()
    assert "refused for “Session 0”: Айгүл 0.0 (refused quotation)" in line, line
    assert run_cli(capsys, *argv, "--consented-only")[0] == 0 and out.exists()


def test_the_command_line_acknowledges_as_the_workbench_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The way on the line names: ``consent --acknowledge export`` keeps the unknowns as the
    workbench's "Don't ask again"; a refusal cannot be acknowledged."""
    folder = tmp_path / "p.fieldscribe"
    unknown, refused = _project(folder, [["unlinked", "none"], ["refused"]])
    argv = ["export", folder, "--session", unknown, "--format", "txt", "-o", tmp_path / "o.txt"]
    assert "note: consent to export is unknown" in run_cli(capsys, *argv)[2]
    code, out, _err = run_cli(capsys, "consent", folder, "--session", "Session 0",
                              "--acknowledge", "export")  # fmt: skip
    # it said "left unknown for 2 in ..." (2 what?): it names them as the export's note does
    assert code == 0 and "left unknown for SPEAKER_00, Айгүл 0.1 in “Session 0”" in out, out
    with Project.open(folder, coder="a") as p:
        assert p.consent_notes.is_acknowledged(unknown, "export")
    code, _out, err = run_cli(capsys, *argv)
    assert code == 0 and "consent" not in err
    code, _out, err = run_cli(capsys, "consent", folder, "--session", refused,
                              "--acknowledge", "export")  # fmt: skip
    assert code == 1 and "refused" in one_line_error(err)


@settings(max_examples=15, **_QUICK)
@given(states=st.lists(st.sampled_from(_STATES), min_size=1, max_size=4))
def test_export_codings_consented_only_says_how_many_consent_left_out(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    states: list[str],
) -> None:
    """``export-codings --consented-only`` said "Wrote 1 coding(s) to F" and not that two more
    were left out for consent (the workbench says it): each speaker's one coding goes out when
    they are linked and consented to both transcription and quotation (a speaker linked to
    nobody has no consent: the note before an export says --consented-only leaves them out,
    and it kept them)."""
    folder = tmp_path_factory.mktemp("k") / "p.fieldscribe"
    _project(folder, [states])
    out = folder.parent / "o.csv"
    kept = states.count("yes")  # the model of who may go out: linked, and consented
    code, said, _err = run_cli(capsys, "export-codings", folder, "-o", out, "--consented-only")
    assert code == 0
    with open(out, encoding="utf-8-sig") as fh:
        assert sum(1 for _ in fh) - 1 == kept  # what it says is what it wrote
    if kept == len(states):
        assert said.strip() == f"Wrote {kept} coding{'' if kept == 1 else 's'} to {out}.", said
    else:
        total = f"{len(states)} coding{'' if len(states) == 1 else 's'}"
        assert said.startswith(
            f"Wrote {kept} of {total} to {out}: {len(states) - kept} left out, their segments' "
            "speakers have no consent to export"
        ), said
    code, said, _err = run_cli(capsys, "export-codings", folder, "-o", out,
                               "--consented-only", "--json")  # fmt: skip
    assert code == 0 and f'"left_out": {len(states) - kept}' in said, said


@settings(max_examples=15, **_QUICK)
@given(states=st.lists(st.sampled_from(_STATES), min_size=1, max_size=4))
def test_export_consented_only_says_how_many_segments_consent_left_out(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    states: list[str],
) -> None:
    """``export --consented-only`` said "Wrote 1 segment(s) to F" and not that the others were
    left out for consent: now "Wrote 1 of 3 segments to F: 2 left out, ..." as export-codings."""
    folder = tmp_path_factory.mktemp("s") / "p.fieldscribe"
    (sid,) = _project(folder, [states])
    out = folder.parent / "o.txt"
    kept = states.count("yes")  # the model of who may go out: linked, and consented
    argv = ["export", folder, "--session", sid, "--format", "txt", "-o", out, "--consented-only"]
    code, said, _err = run_cli(capsys, *argv)
    assert code == 0
    assert out.read_text(encoding="utf-8").count("Сәлем, бастайық.") == kept  # as it says
    if kept == len(states):
        what = f"{kept} segment{'' if kept == 1 else 's'}"
        assert said.strip() == f"Wrote {what} to {out} (txt).", said
    else:
        total = f"{len(states)} segment{'' if len(states) == 1 else 's'}"
        assert said.startswith(
            f"Wrote {kept} of {total} to {out} (txt): {len(states) - kept} left out, their "
            "segments' speakers have no consent to export (link speakers to participants with "
            f"fieldscribe speaker {folder} map ... and record it with fieldscribe consent "
        ), said
    code, said, _err = run_cli(capsys, *argv, "--json")
    assert code == 0 and f'"left_out": {len(states) - kept}' in said, said
