"""A transcript alone makes a session: text is enough to code.

A new user with a focus group's .srt and no recording (it stayed with the fieldworker) found no
way in: `import-transcript` and File ▸ Import a transcript into this session need a session, and
a session came only from importing audio. `import-transcript --new-session [TITLE]` and File ▸
Import a transcript as a new session make one without audio.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from storage import Project
from tests.hardening_support import fingerprint, one_line_error, run_cli

SRT = (
    "1\n00:00:01,000 --> 00:00:04,000\nМодератор: Расскажите о поликлинике.\n\n"
    "2\n00:00:05,000 --> 00:00:09,000\nАйгүл: Біздің ауылда емхана жоқ.\n"
)


def _project(tmp_path: Path) -> Path:
    folder = tmp_path / "p.fieldscribe"
    with Project.create(folder, coder="lead") as project:
        project.set_languages(["ru", "kk"])
    return folder


def test_new_session_of_a_transcript(tmp_path: Path, capsys: Any) -> None:
    folder = _project(tmp_path)
    srt = tmp_path / "ФГ Аул.srt"
    srt.write_text(SRT, encoding="utf-8")
    code, out, err = run_cli(
        capsys, "import-transcript", folder, srt, "--new-session", "--kind", "focus_group"
    )
    assert code == 0, err
    assert "ФГ Аул  (new session, no audio)" in out and "Imported 2 segments" in out
    with Project.open(folder) as project:
        (session,) = project.sessions.all()
        assert (session.title, session.kind) == ("ФГ Аул", "focus_group")
        segs = project.transcript.segments(session.id)
        assert [(s.speaker, s.text, s.language) for s in segs] == [
            ("Модератор", "Расскажите о поликлинике.", "ru"),
            ("Айгүл", "Біздің ауылда емхана жоқ.", "kk"),
        ]
        code_id = project.codebook.ensure_code_path("Денсаулық").id
        project.codebook.apply_code(segs[1].id, code_id)  # coded like any other
    code, out, _ = run_cli(
        capsys, "import-transcript", folder, srt, "--new-session", "Second", "--json"
    )
    assert code == 0 and json.loads(out)["segments"] == 2
    with Project.open(folder) as project:
        assert sorted(s.title for s in project.sessions.all()) == ["Second", "ФГ Аул"]


def test_a_refused_file_makes_no_session(tmp_path: Path, capsys: Any) -> None:
    folder = _project(tmp_path)
    before = fingerprint(folder)
    empty = tmp_path / "empty.srt"
    empty.write_bytes(b"")
    code, _, err = run_cli(capsys, "import-transcript", folder, empty, "--new-session")
    assert code == 1 and "empty.srt" in one_line_error(err)
    good = tmp_path / "good.srt"
    good.write_text(SRT, encoding="utf-8")
    code, _, err = run_cli(capsys, "import-transcript", folder, good, "--new-session", "--replace")
    assert code == 1 and "--replace is for --session" in one_line_error(err)
    assert fingerprint(folder) == before


GROUP_SRT = SRT + (
    "\n3\n00:00:10,000 --> 00:00:12,000\nЕржан: У нас тоже.\n\n"
    "4\n00:00:13,000 --> 00:00:15,000\nAigerim: Same in town.\n"
)


def test_a_transcript_of_several_speakers_makes_a_focus_group(tmp_path: Path, capsys: Any) -> None:
    """A session made of a transcript alone was an "Interview" whatever it held: a focus group's
    transcript (a moderator and three participants) read as an interview in the Sessions list
    and in every export. Without --kind, three speakers or more make a focus group, fewer an
    interview, and the report says which kind was chosen and how to change it."""
    folder = _project(tmp_path)
    group = tmp_path / "ФГ Аул.srt"
    group.write_text(GROUP_SRT, encoding="utf-8")
    two = tmp_path / "Интервью.srt"
    two.write_text(SRT, encoding="utf-8")
    code, out, err = run_cli(capsys, "import-transcript", folder, group, "--new-session")
    assert code == 0, err
    assert "made a focus group: 4 speakers in the transcript" in out, out
    assert "Session details" in out and "--kind" in out  # how to choose another
    code, out, err = run_cli(capsys, "import-transcript", folder, two, "--new-session")
    assert code == 0, err
    assert "made an interview: 2 speakers in the transcript" in out, out
    bare = tmp_path / "Без имён.srt"  # nobody named: not "0 speakers"
    bare.write_text("1\n00:00:01,000 --> 00:00:04,000\nМы живём в ауле.\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "import-transcript", folder, bare, "--new-session")
    assert code == 0, err
    assert "made an interview: no speaker named (another kind" in out, out
    code, out, err = run_cli(
        capsys, "import-transcript", folder, group, "--new-session", "Asked", "--kind", "interview"
    )
    assert code == 0, err
    assert "made a" not in out  # the kind asked for: nothing chosen, nothing to say
    with Project.open(folder) as project:
        kinds = {s.title: s.kind for s in project.sessions.all()}
    assert kinds == {
        "ФГ Аул": "focus_group",
        "Интервью": "interview",
        "Asked": "interview",
        "Без имён": "interview",
    }


def test_our_own_txt_export_comes_back_with_its_title_and_kind(tmp_path: Path, capsys: Any) -> None:
    """A colleague's FieldScribe .txt (File ▸ Export this transcript) made a session titled
    after the file, an interview by its speakers' count, and the report said "3 lines before
    the first timestamp were not imported: 'ФГ, Шымкент'": its own heading (title, date |
    kind, the model line). The heading is read: the session takes its title and kind."""
    from storage.transcript.transcript import SegmentDraft

    theirs = tmp_path / "theirs.fieldscribe"
    with Project.create(theirs, coder="aigerim") as project:
        session = project.sessions.add_session("ФГ, Шымкент", "focus_group")
        project.sessions.update_session(session.id, date="2026-11-20")
        project.transcript.add_segments(
            session.id,
            [
                SegmentDraft(1000, 4000, "Расскажите о поликлинике.", speaker="Модератор"),
                SegmentDraft(5000, 9000, "Біздің ауылда емхана жоқ.", speaker="Айгүл"),
            ],
        )
        sid = session.id
    exported = tmp_path / "export.txt"
    code, _out, err = run_cli(
        capsys, "export", theirs, "--session", sid, "--format", "txt", "-o", exported,
        "--export-anyway",
    )  # fmt: skip
    assert code == 0, err
    assert exported.read_text(encoding="utf-8-sig").splitlines()[:2] == [
        "ФГ, Шымкент", "2026-11-20 | Focus group"
    ]  # fmt: skip
    folder = _project(tmp_path)
    code, out, err = run_cli(capsys, "import-transcript", folder, exported, "--new-session")
    assert code == 0, err
    assert "not imported" not in out and "made a" not in out, out
    with Project.open(folder) as project:
        (made,) = project.sessions.all()
        assert (made.title, made.kind) == ("ФГ, Шымкент", "focus_group")
        assert [s.text for s in project.transcript.segments(made.id)] == [
            "Расскажите о поликлинике.", "Біздің ауылда емхана жоқ."
        ]  # fmt: skip
    code, out, err = run_cli(  # a title given still wins
        capsys, "import-transcript", folder, exported, "--new-session", "Копия"
    )
    assert code == 0, err
    with Project.open(folder) as project:
        assert sorted(s.title for s in project.sessions.all()) == ["Копия", "ФГ, Шымкент"]


def test_the_file_written_after_new_session_is_the_transcript(tmp_path: Path, capsys: Any) -> None:
    """`import-transcript DIR --new-session FILE`: argparse gave FILE to --new-session as the
    title and stopped with "the following arguments are required: FILE"."""
    folder = _project(tmp_path)
    srt = tmp_path / "Интервью 3.srt"
    srt.write_text(SRT, encoding="utf-8")
    code, out, err = run_cli(capsys, "import-transcript", folder, "--new-session", srt)
    assert code == 0, err
    assert "Интервью 3  (new session, no audio)" in out and "Imported 2 segments" in out
    with Project.open(folder) as project:
        (session,) = project.sessions.all()
        assert session.title == "Интервью 3"
        assert len(project.transcript.segments(session.id)) == 2


def test_a_device_given_after_new_session_is_refused_as_any_input(
    tmp_path: Path, capsys: Any
) -> None:
    """The file taken from --new-session goes through the same check as FILE: a device there
    would be read forever."""
    folder = _project(tmp_path)
    before = fingerprint(folder)
    code, out, err = run_cli(capsys, "import-transcript", folder, "--new-session", "/dev/zero")
    assert code != 0 and out == ""
    assert "/dev/zero" in one_line_error(err)
    assert fingerprint(folder) == before
