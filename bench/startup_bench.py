"""Start-up time of CLI commands, next to a bare Python start in the same run.

Run: ``python bench/startup_bench.py [RUNS]`` (default 7). Creates a small project in a temporary
folder, then times whole processes (best and median of RUNS): ``python -c pass`` (the peer: what
any Python program pays), ``main.py --help`` (every command module), and the read-only commands
``sessions``, ``segments`` and ``codes`` (scripts call these once per item). Also prints the
heaviest imports of ``sessions`` from ``python -X importtime``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _time(cmd: list[str], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    from storage import Project
    from storage.transcript.transcript import SegmentDraft

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "bench.fieldscribe"
        with Project.create(folder, coder="bench") as project:
            session = project.sessions.add_session("Focus group 1", "focus_group")
            project.transcript.add_segments(
                session.id,
                [SegmentDraft(i * 1000, i * 1000 + 900, f"words {i}", "S1") for i in range(200)],
            )
            project.codebook.ensure_code_path("Trust/Institutions")
        py, main_py = sys.executable, str(ROOT / "main.py")
        rows = [
            ("python -c pass (peer)", [py, "-c", "pass"]),
            ("main.py --help (all commands)", [py, main_py, "--help"]),
            ("main.py sessions DIR", [py, main_py, "sessions", str(folder)]),
            ("main.py segments DIR --session ID",
             [py, main_py, "segments", str(folder), "--session", session.id]),
            ("main.py codes DIR --json", [py, main_py, "codes", str(folder), "--json"]),
        ]  # fmt: skip
        print(f"{'command':<36} {'best':>8} {'median':>8}  ({runs} runs)")
        for label, cmd in rows:
            best, median = _time(cmd, runs)
            print(f"{label:<36} {best * 1000:6.0f} ms {median * 1000:6.0f} ms")
        out = subprocess.run(
            [py, "-X", "importtime", main_py, "sessions", str(folder)],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stderr  # fmt: skip
    lines = [line.split("|") for line in out.splitlines() if line.startswith("import time:")]
    heaviest = sorted(
        ((int(cum), name.rstrip()) for _self, cum, name in lines[1:] if cum.strip().isdigit()),
        reverse=True,
    )[:8]
    print("heaviest imports of `sessions` (cumulative):")
    for micros, name in heaviest:
        print(f"  {micros / 1000:6.1f} ms {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
