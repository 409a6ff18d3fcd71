"""`fieldscribe links DIR` lists the links between codes, sessions, passages, memos and
participants in words a person knows (code paths, a session's title, a passage's session,
time and words); `links add` makes one, `links remove` removes one; `--json` for scripts.
Bad input (an unknown code, a link of a code to itself, the same link again, a missing
--name, an unknown link) gets one line and leaves the project exactly as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storage import Project
from tests.hardening_support import fingerprint, run_cli


def _project(folder: Path) -> str:
    with Project.create(folder, coder="ann") as p:
        s = p.sessions.add_session("Фокус-группа Алматы")
        seg = p.transcript.add_segment(s.id, 61_000, 65_000, "Автобус күніне бір рет жүреді.")
        for path in ("Access/Transport", "Денсаулық", "Trust"):
            p.codebook.ensure_code_path(path)
        code = p.codebook.find_code("Access/Transport")
        assert code is not None
        return p.codebook.apply_code(seg.id, code.id, start_cp=0, end_cp=7).id


def test_add_list_and_remove_links(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "p"
    coding = _project(folder)
    code, out, err = run_cli(capsys, "links", folder)
    assert code == 0, err
    assert out.startswith("No links yet")
    code, out, err = run_cli(
        capsys, "links", "add", folder, "--from", "code:Access/Transport", "--to",
        "code:Денсаулық", "--name", "is cause of",
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith("Linked code 'Access/Transport' → is cause of → code 'Денсаулық'")
    code, out, err = run_cli(
        capsys, "links", "add", folder, "--from", f"coding:{coding}", "--to",
        "session:Фокус-группа Алматы", "--name", "said in", "--direction", "none",
        "--memo", "see the map",
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run_cli(capsys, "links", folder)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "LINK"]
    assert lines[-1] == "2 links."
    assert any("code 'Access/Transport' → is cause of → code 'Денсаулық'" in line for line in lines)
    said = next(line for line in lines if "said in" in line)
    assert "passage in 'Фокус-группа Алматы' at 1:01: \"Автобус\" — said in — session" in said
    assert said.endswith("(see the map)")
    code, out, err = run_cli(capsys, "links", folder, "--json")
    assert code == 0, err
    listed = json.loads(out)
    assert [(k["name"], k["direction"]) for k in listed] == [
        ("is cause of", "one-way"),
        ("said in", "none"),
    ]
    assert listed[1]["from"]["kind"] == "coding" and listed[1]["memo"] == "see the map"
    short = said.split()[0]  # the id as the listing shows it
    code, out, err = run_cli(capsys, "links", "remove", folder, short)
    assert code == 0, err
    assert out.startswith("Removed link passage in 'Фокус-группа Алматы'")
    with Project.open(folder) as p:
        assert [k.name for k in p.links.all()] == ["is cause of"]
    code, out, err = run_cli(capsys, "links", "remove", folder, listed[0]["id"], "--json")
    assert code == 0, err
    assert json.loads(out)["removed"]["name"] == "is cause of"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--from", "code:Nope", "--to", "code:Trust", "--name", "x"], "No code 'Nope'"),
        (["--from", "code:Trust", "--to", "code:trust", "--name", "x"], "linked to itself"),
        (
            ["--from", "code:Денсаулық", "--to", "code:Access/Transport", "--name", "is cause of"],
            "already linked as 'is cause of'",
        ),
        (["--from", "code:Trust", "--to", "code:Денсаулық"], "needs --name"),
        (["--from", "Trust", "--to", "code:Денсаулық", "--name", "x"], "write KIND:WHAT"),
        (["--from", "session:Nope", "--to", "code:Trust", "--name", "x"], "No session"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    folder = tmp_path / "p"
    _project(folder)
    code, _out, err = run_cli(
        capsys, "links", "add", folder, "--from", "code:Access/Transport", "--to",
        "code:Денсаулық", "--name", "is cause of",
    )  # fmt: skip
    assert code == 0, err
    before = fingerprint(folder)
    code, _out, err = run_cli(capsys, "links", "add", folder, *args)
    assert code != 0
    assert said in err and len(err.strip().splitlines()) == 1, err
    assert fingerprint(folder) == before


@pytest.mark.parametrize(
    "args",
    [
        ["remove", "{dir}", "0000"],
        ["remove", "{dir}"],
        ["{dir}", "extra"],
        ["{dir}", "--name", "x"],
        ["{dir}", "--direction", "both"],
    ],
)
def test_bad_list_or_remove_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    folder = tmp_path / "p"
    _project(folder)
    before = fingerprint(folder)
    code, _out, err = run_cli(capsys, "links", *[str(folder) if a == "{dir}" else a for a in args])
    assert code != 0 and len(err.strip().splitlines()) == 1, err
    assert fingerprint(folder) == before
