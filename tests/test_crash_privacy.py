"""``pseudonym --apply`` and ``redact --destroy`` killed (SIGKILL) while they rewrite segments:
the kill point drawn by hypothesis among the segment rewrites (before or after each). No
segment shows half of the change: either no name is replaced or every one; the same command
run again ends as an uninterrupted run does.

(Measured by hand: killed after a delay at six points each, both left the project whole. The
audio side of ``redact --destroy`` killed around its commit: ``test_crash_destroy_audio``.)
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import Project
from storage.transcript.transcript import SegmentDraft
from tests.crash_support import integrity, rows, run_cli, run_killed_at
from tests.hardening_support import tone_wav

REWRITE = "storage.privacy.redaction:Redactions.rewrite_segment"
TEXTS = [
    "Anna said the clinic opened online booking",
    "then Anna and Boris waited an hour",
    "nobody named here",
    "Boris asked Anna about the forms",
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("privacy")
    folder = where / "Study.fieldscribe"
    with Project.create(folder, name="Study", coder="coder-a") as project:
        session = project.sessions.import_audio(tone_wav(where / "tone.wav", seconds=4.0))
        segments = project.transcript.add_segments(
            session.id,
            [SegmentDraft(i * 1000, i * 1000 + 900, text) for i, text in enumerate(TEXTS)],
        )
        project.codebook.apply_code(segments[0].id, project.codebook.ensure_code_path("Access").id)
        for first in (0, 1):  # "Anna" in the first two segments, hidden in exports
            start = TEXTS[first].index("Anna")
            project.redactions.redact(segments[first].id, start, start + 4, "name")
    for pair in ("Anna=P1", "Boris=P2"):
        assert run_cli("pseudonym", folder, "--set", pair).returncode == 0
    return folder


def _texts(folder: Path) -> list[str]:
    return [str(r[0]) for r in rows(folder, "SELECT text FROM segments ORDER BY start_ms")]


@pytest.fixture(scope="module")
def finished(template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """What an uninterrupted run of each command leaves."""
    done = {}
    for name, command in COMMANDS.items():
        folder = tmp_path_factory.mktemp("whole") / "Study.fieldscribe"
        shutil.copytree(template, folder)
        ran = run_cli(*command(folder))
        assert ran.returncode == 0, ran.stderr
        done[name] = _texts(folder)
    return done


COMMANDS = {
    "pseudonym": lambda d: ["pseudonym", d, "--apply"],
    "destroy": lambda d: ["redact", d, "--destroy", "--all"],
}
REWRITES = {"pseudonym": 3, "destroy": 2}  # the segments each one rewrites


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_killed_while_rewriting_segments_changes_all_or_nothing(
    template: Path,
    finished: dict[str, list[str]],
    tmp_path_factory: pytest.TempPathFactory,
    data: st.DataObject,
) -> None:
    name = data.draw(st.sampled_from(sorted(COMMANDS)), label="command")
    nth = data.draw(st.integers(1, REWRITES[name]), label="nth rewrite")
    after = data.draw(st.booleans(), label="after it")
    folder = tmp_path_factory.mktemp("killed") / "Study.fieldscribe"
    shutil.copytree(template, folder)
    before = _texts(folder)

    run_killed_at(REWRITE, *COMMANDS[name](folder), nth=nth, after=after)
    assert integrity(folder) == "ok"
    assert _texts(folder) in (before, finished[name])  # all of it or none, never a part

    again = run_cli(*COMMANDS[name](folder))
    assert again.returncode == 0, again.stderr
    assert _texts(folder) == finished[name]
