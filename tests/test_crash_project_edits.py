"""Project edits other than transcripts killed (SIGKILL) inside their transaction, after a write
and before the commit: the model choice, speakers (rename, merge, map to a participant) and the
pseudonym table (set, change, remove). Each is all or nothing: the database is row for row as
before, and the same command run again ends as an uninterrupted run does.

(Measured: each already was; the settings' languages are in ``test_crash_settings``, the journal
in ``test_crash_journal``, models in ``test_crash_models``.)
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.crash_support import integrity, run_cli, run_killed_at
from tests.hardening_support import fingerprint, make_project, tone_wav

Args = Callable[[Path, str], list[object]]
RN = "storage.speakers.speakers:_relabel_segments"  # the segments relabelled, not the rest
LOGGED = "storage.privacy.audit:AuditLog.log_event"
META = "storage.project:put_meta"  # a setting's value (1st), then when it changed (2nd)

# name: (set-up commands, the command, the function it is killed after, its nth call)
EDITS: dict[str, tuple[list[Args], Args, str, int]] = {
    "model choice": ([], lambda d, s: ["models", "use", d, "tiny.en"], META, 1),
    "model choice, when": ([], lambda d, s: ["models", "use", d, "tiny.en"], META, 2),
    "speaker rename": ([], lambda d, s: ["speaker", d, "rename", "--session", s, "S1", "A"], RN, 1),
    "speaker merge": ([], lambda d, s: ["speaker", d, "merge", "--session", s, "S1", "S2"], RN, 1),
    "speaker map": (
        [lambda d, s: ["participants", d, "--add", "P1"]],
        lambda d, s: ["speaker", d, "map", "--session", s, "--participant", "P1", "S1"],
        "sqlite_utils.db:Table.insert",  # the label linked: not committed
        1,
    ),
    "pseudonym set": ([], lambda d, s: ["pseudonym", d, "--set", "Anna=P1"], LOGGED, 1),
    "pseudonym change": (
        [lambda d, s: ["pseudonym", d, "--set", "Anna=P1"]],
        lambda d, s: ["pseudonym", d, "--set", "Anna=P7"],
        LOGGED,
        1,
    ),
    "pseudonym remove": (
        [lambda d, s: ["pseudonym", d, "--set", "Anna=P1"]],
        lambda d, s: ["pseudonym", d, "--remove", "P1"],
        LOGGED,
        1,
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    where = tmp_path_factory.mktemp("edits")
    folder = where / "Study.fieldscribe"
    return folder, make_project(folder, tone_wav(where / "tone.wav"))


def _copy(template: tuple[Path, str], where: Path) -> Path:
    folder = where / "Study.fieldscribe"
    shutil.copytree(template[0], folder)
    return folder


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edit_killed_before_its_commit_changes_nothing(
    template: tuple[Path, str], tmp_path: Path, edit: str
) -> None:
    setup, command, target, nth = EDITS[edit]
    session = template[1]
    (tmp_path / "whole").mkdir()
    (tmp_path / "killed").mkdir()
    whole, folder = _copy(template, tmp_path / "whole"), _copy(template, tmp_path / "killed")
    for project in (whole, folder):
        for step in setup:
            done = run_cli(*step(project, session))
            assert done.returncode == 0, done.stderr
    ran = run_cli(*command(whole, session))
    assert ran.returncode == 0, ran.stderr
    before = fingerprint(folder)

    run_killed_at(target, *command(folder, session), nth=nth, after=True)
    assert integrity(folder) == "ok"
    assert fingerprint(folder) == before
    again = run_cli(*command(folder, session))
    assert again.returncode == 0, again.stderr
    assert _rows(folder) == _rows(whole)


def _rows(folder: Path) -> list[str]:
    """The rows, less the times they were written at and the ids made for them."""
    dump, _files = fingerprint(folder)
    stamp = re.compile(r"'\d{4}-\d\d-\d\dT[^']*'|'[0-9a-f]{8}-[0-9a-f-]{27}'")
    return sorted(stamp.sub("'*'", line) for line in dump)
