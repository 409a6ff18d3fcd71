"""Two creators racing for one folder: one wins, the other is refused and touches nothing."""

from __future__ import annotations

import multiprocessing
import os
import threading
from pathlib import Path

import pytest

from storage import Project
from storage.core.errors import FieldScribeError, ProjectExistsError


def _create(folder: str, coder: str, start: threading.Barrier | None = None) -> str:
    if start is not None:
        start.wait()
    try:
        with Project.create(folder, coder=coder) as project:
            project.codebook.ensure_code_path(f"Made by/{coder}")
            return f"ok {coder}"
    except ProjectExistsError as exc:
        return f"exists {exc}"
    except FieldScribeError as exc:  # pragma: no cover - reported by the assertion
        return f"error {type(exc).__name__}: {exc}"


def _collect(results: list[str], *args: object) -> None:
    results.append(_create(*args))  # type: ignore[arg-type]


def _check(folder: Path, results: list[str]) -> None:
    winners = [r for r in results if r.startswith("ok ")]
    assert len(winners) == 1, results
    losers = [r for r in results if not r.startswith("ok ")]
    assert all(r.startswith("exists ") and "\n" not in r for r in losers), results
    with Project.open(folder, readonly=True) as project:
        winner = winners[0].removeprefix("ok ")
        assert project.get_meta("owner") == winner
        assert [c.path for c in project.codebook.codes()] == ["Made by", f"Made by/{winner}"]
    names = {p.name for p in folder.iterdir()} - {"project.db-wal", "project.db-shm"}
    assert names == {"media", "project.db", "project.lock"}
    assert [p.name for p in folder.parent.iterdir() if ".creating-" in p.name] == []


@pytest.mark.parametrize("empty_folder_exists", [False, True])
def test_threads_race_to_create(tmp_path: Path, empty_folder_exists: bool) -> None:
    for round_ in range(25):
        folder = tmp_path / f"race{round_}.fieldscribe"
        if empty_folder_exists:
            folder.mkdir()
        start = threading.Barrier(3)
        results: list[str] = []
        threads = [
            threading.Thread(target=_collect, args=(results, str(folder), c, start))
            for c in ("coder-a", "coder-b", "coder-c")
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        _check(folder, results)


def test_processes_race_to_create(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        for round_ in range(15):
            folder = tmp_path / f"race{round_}.fieldscribe"
            results = pool.starmap(_create, [(str(folder), "coder-a"), (str(folder), "coder-b")])
            _check(folder, results)


def test_refused_create_leaves_an_existing_folder_alone(tmp_path: Path) -> None:
    folder = tmp_path / "taken.fieldscribe"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(ProjectExistsError):
        Project.create(folder, coder="coder-a")
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.fieldscribe"]


def test_a_killed_creators_hidden_folder_is_swept_by_the_next_create(tmp_path: Path) -> None:
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    abandoned = tmp_path / f".s.fieldscribe.creating-{dead}-x1y2"
    (abandoned / "media").mkdir(parents=True)
    alive = tmp_path / f".s.fieldscribe.creating-{os.getpid()}-a1b2"  # a creator still running
    alive.mkdir()
    other = tmp_path / ".other.fieldscribe.creating-1-zz"  # another name, its creator (pid 1) runs
    other.mkdir()
    Project.create(tmp_path / "s.fieldscribe", coder="coder-a").close()
    assert not abandoned.exists() and alive.is_dir() and other.is_dir()
