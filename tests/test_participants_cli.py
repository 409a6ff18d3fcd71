"""``fieldscribe participants``: the README's consent, speaker map and participant-attribute
analysis need participants, which the command line could not make (only the workbench's
Session details ▸ New participant… or a .qdpx's cases): ``consent --participant ID`` had no ID
to give."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main as cli_main
from storage import Project, SegmentDraft
from tests.interop_support import db_fingerprint

NAMES = st.sampled_from(["P01", "P02", "Айгерим-П", "Модератор", "  P01 "])
ATTRS = st.lists(
    st.tuples(st.sampled_from(["age", "role", "жасы"]), st.sampled_from(["34", "moderator", ""])),
    max_size=3,
)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli_main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(adds=st.lists(st.tuples(NAMES, ATTRS), max_size=5))
def test_participants_added_and_listed_as_a_model_says(
    capsys: pytest.CaptureFixture[str], adds: list[tuple[str, list[tuple[str, str]]]]
) -> None:
    """Each --add makes one participant, unless its pseudonym is taken: then one line, exit 1,
    and the project is as it was; the list is the model's."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = str(Path(tmp) / "p.fieldscribe")
        with Project.create(Path(folder), coder="ann"):
            pass
        model: dict[str, dict[str, str]] = {}
        for name, attrs in adds:
            argv = ["participants", folder, "--add", name]
            for key, value in attrs:
                argv += ["--attribute", f"{key}={value}"]
            before = db_fingerprint(Path(folder))
            code, _, err = _run(capsys, *argv)
            if name.strip() in model:
                assert code == 1 and len(err.strip().splitlines()) == 1, err
                assert "already called" in err and db_fingerprint(Path(folder)) == before
            else:
                assert code == 0, err
                model[name.strip()] = dict(attrs)
        code, out, _ = _run(capsys, "participants", folder, "--json")
        assert code == 0
        listed = {p["pseudonym"]: p["attributes"] for p in json.loads(out)}
        assert listed == model


@pytest.mark.parametrize(
    "argv",
    [
        ["--add", "P09", "--attribute", "age"],  # no '='
        ["--add", "P09", "--attribute", "=34"],  # no name
        ["--add", "   "],  # no pseudonym
        ["--attribute", "age=34"],  # an attribute of nobody
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    folder = tmp_path / "p.fieldscribe"
    with Project.create(folder, coder="ann"):
        pass
    before = db_fingerprint(folder)
    code, _, err = _run(capsys, "participants", str(folder), *argv)
    assert code == 1 and err.startswith("fieldscribe: error: ") and err.count("\n") == 1, err
    assert db_fingerprint(folder) == before


def test_a_participant_is_mapped_and_consents_by_pseudonym(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's research-ethics lines from the command line alone: a participant, the
    speaker mapped to them, their consent, and an export that leaves out what they refused."""
    folder = tmp_path / "p.fieldscribe"
    with Project.create(folder, coder="ann") as p:
        session = p.sessions.add_session("FG")
        p.transcript.add_segments(
            session.id,
            [
                SegmentDraft(0, 900, "Hello.", speaker="Speaker 1"),
                SegmentDraft(900, 1800, "Bye.", speaker="Speaker 2"),
            ],
        )
    f = str(folder)
    assert _run(capsys, "participants", f, "--add", "P01", "--attribute", "age=34")[0] == 0
    assert _run(capsys, "autocode", f, "--query", "hello", "--code", "Greeting")[0] == 0
    code, out, err = _run(
        capsys, "speaker", f, "map", "--session", "FG", "Speaker 1", "--participant", "P01"
    )
    assert code == 0, err
    args = ["--recording", "yes", "--transcription", "yes", "--quotation", "no"]
    assert _run(capsys, "consent", f, "--participant", "P01", "--session", "FG", *args)[0] == 0
    # Speaker 2 is P02, who consented (a speaker linked to nobody would be left out too)
    assert _run(capsys, "participants", f, "--add", "P02")[0] == 0
    assert _run(capsys, "speaker", f, "map", "--session", "FG", "Speaker 2",
                "--participant", "P02")[0] == 0  # fmt: skip
    args = ["--recording", "yes", "--transcription", "yes", "--quotation", "yes"]
    assert _run(capsys, "consent", f, "--participant", "P02", "--session", "FG", *args)[0] == 0
    out_file = tmp_path / "t.txt"
    code, out, err = _run(
        capsys, "export", f, "--session", "FG", "--format", "txt", "-o", str(out_file),
        "--consented-only",
    )  # fmt: skip
    assert code == 0, err
    assert "Wrote 1 of 2 segments" in out and "Hello." not in out_file.read_text()
    code, out, _ = _run(capsys, "analyze", f, "matrix", "--columns", "participant.age")
    assert code == 0 and "34" in out, out


def test_speaker_fixes_say_what_they_did_in_sentences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``speaker`` said "mapped 'Speaker 1' to participant 01a2…" (an id where the researcher
    typed a pseudonym) and "renamed 'A' to 'B' in 1 segments", lower case, without a stop, unlike
    every other command."""
    folder = tmp_path / "p.fieldscribe"
    with Project.create(folder, coder="ann") as p:
        session = p.sessions.add_session("FG")
        segs = p.transcript.add_segments(
            session.id,
            [SegmentDraft(i * 900, i * 900 + 800, "Words.", speaker=f"S{i % 2}") for i in range(3)],
        )
    f = str(folder)
    assert _run(capsys, "participants", f, "--add", "P07")[0] == 0
    said = [
        _run(capsys, "speaker", f, *argv)[1]
        for argv in (
            ["rename", "--session", "FG", "S0", "Anna"],
            ["merge", "--session", "FG", "S1", "Anna"],
            ["assign", "--segment", segs[0].id, "--speaker", "Bo"],
            ["map", "--session", "FG", "Anna", "--participant", "P07"],
            ["map", "--session", "FG", "Anna"],
        )
    ]
    with Project.open(folder, readonly=True) as p:
        (person,) = p.sessions.participants()
    assert said == [
        "Renamed 'S0' to 'Anna' in 2 segments.\n",
        "Merged 'S1' into 'Anna' (1 segment).\n",
        "Set speaker 'Bo' on 1 segment.\n",
        f"Mapped 'Anna' to participant 'P07' ({person.id}).\n",
        "Cleared the mapping of 'Anna'.\n",
    ]
