"""A project setting (``languages --set``) written with the process killed (SIGKILL) between
its two rows (the value and when it changed, which decides what a merge keeps): neither is
written, so a teammate's bundle cannot win or lose against a half-recorded change; the same
command run again records both."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.crash_support import integrity, rows, run_cli, run_killed_at
from tests.hardening_support import make_project, tone_wav


def _settings(folder: Path) -> dict[str, str]:
    return {
        str(k): str(v)
        for k, v in rows(
            folder, "SELECT key, value FROM project_meta WHERE key LIKE 'languages%' ORDER BY key"
        )
    }


@pytest.mark.parametrize("nth", [1, 2])
def test_languages_killed_between_its_rows_writes_neither(tmp_path: Path, nth: int) -> None:
    folder = tmp_path / "Study.fieldscribe"
    make_project(folder, tone_wav(tmp_path / "tone.wav"))
    before = _settings(folder)
    run_killed_at(
        "storage.project:put_meta", "languages", folder, "--set", "kk,ru", nth=nth, after=True
    )
    assert integrity(folder) == "ok"
    assert _settings(folder) == before
    assert run_cli("languages", folder, "--set", "kk,ru").returncode == 0
    after = _settings(folder)
    assert after["languages"] == "kk,ru"
    assert after["languages:changed"] != before.get("languages:changed")
