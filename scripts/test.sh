#!/usr/bin/env bash
# One command: set up (if needed) and run every check: ruff, mypy, the import layers
# (import-linter) and the whole pytest suite (slow real-model and real-audio tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --with-base-model --with-speakers --with-converter --with-test-speech
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
# Bytecode is cached for the tests: with PYTHONDONTWRITEBYTECODE set (as in CI's environment)
# every test process rewrote the asserts of ~470 test modules again, and every command-line run
# a test starts compiled FieldScribe's own modules again: `main.py --help` 1.0 s of CPU
# against 0.36 s cached; tests/test_cli_bad_input.py, test_cli_fuzz.py and test_docs_commands.py
# 14.2 s of CPU (25.6 s wall) against 8.5 s (15.0 s) once cached (one process, a loaded machine).
unset PYTHONDONTWRITEBYTECODE
# That cache is filled while mypy runs (one core; the other stood idle): a collection of the
# suite in the background rewrites and compiles the test modules once. On a fresh clone each of
# the two test processes did it itself at the same time, 22.5 s of CPU each, against 7.7 s each
# with the cache (one process, `pytest --collect-only`; mypy itself 54 s of CPU with no cache).
.venv/bin/python -m pytest -q -p no:cacheprovider --collect-only "$@" >/dev/null 2>&1 &
collected=$!
echo "== ruff"; .venv/bin/ruff check . && .venv/bin/ruff format --check .
echo "== mypy"; .venv/bin/mypy
echo "== import layers"; .venv/bin/lint-imports --no-cache
wait "$collected" || true  # its failures are the test run's to report
echo "== pytest"
# A test that hangs is stopped by pytest-timeout (pyproject.toml), which prints every thread's
# stack between "+++ Timeout +++" lines and ends its process. That stack is the bug report; the
# whole suite then runs once more, and must pass in one piece. A failing test is not retried.
# The tests run in FS_TEST_WORKERS processes (pytest-xdist, default 2: CI's cores), a test
# file to a process (its module fixtures are made once); FS_TEST_WORKERS=0 runs them in this one.
# The files with real-model tests are handed out first (tests/conftest.py orders them), so that
# both processes end on short files together: in xdist's own order (by number of tests) two of
# the longest, tests/test_crash_transcribe.py (3 tests, 104 s) and test_cluster_failures.py (2,
# 71 s), came 239th and 288th of 345 files. The 105 real-model tests alone took 728 s of CPU
# (546 user, 182 system) and 930 s in one process, measured on a 2-core machine others loaded.
# Since then test_crash_transcribe.py's kills run the bundled tiny.en on English speech (its 3
# tests 60.2 s of CPU with base, 33.4 s), and test_cluster_failures.py's clusters one worker
# each (38.6 s, 31.3 s): one process, --durations=0, at a load of 5 to 7 on 2 cores.
workers=${FS_TEST_WORKERS:-2}
parallel=()
if [ "$workers" != 0 ]; then parallel=(-n "$workers" --dist loadfile --no-loadscope-reorder); fi
# The tests' folders (pytest's --basetemp) go on the RAM disk /dev/shm when it is a tmpfs with
# room (6 GiB free): FieldScribe syncs every write it must not lose (SQLite commits, atomic
# file moves), and on a disk each sync waits for it. The product code runs the same, its
# syncs cost nothing there. 166 tests of the team and bundle files, one process, load 4-5:
# 40.3 and 39.4 s of wall on disk, 32.8 and 34.1 s on /dev/shm. FS_TEST_BASETEMP=DIR chooses
# the folder; FS_TEST_BASETEMP= (empty) keeps pytest's own under the temporary folder.
basetemp=()
shm_free=$(df --output=avail -k /dev/shm 2>/dev/null | tail -n 1 | tr -d ' ' || true)
if [ -n "${FS_TEST_BASETEMP-}" ]; then
  basetemp=(--basetemp "$FS_TEST_BASETEMP")
elif [ -z "${FS_TEST_BASETEMP+set}" ] && [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] \
  && [ "${shm_free:-0}" -ge $((6 * 1024 * 1024)) ]; then
  shm_dir=$(mktemp -d /dev/shm/fs-tests.XXXXXX)
  trap 'rm -rf "$shm_dir"' EXIT
  basetemp=(--basetemp "$shm_dir")
fi
log=$(mktemp)
set +e
# The two-process run as a whole is bounded too (40 minutes; on CI's fresh 2-core machine it
# takes 15 to 21, 896 to 1,261 s, and over an hour on a machine other jobs load): a worker that
# dies can leave xdist's controller waiting for it for good (seen once, in a run of the GUI
# tests), which no test's timeout ends.
# Tests marked "alone" measure real time to tens of milliseconds: they run after the others, in
# this process, with the machine to themselves.
# --durations: every run ends with its 40 slowest tests, so where the time goes is in each CI log.
timeout 2400 .venv/bin/python -m pytest -q -p no:cacheprovider --durations=40 "${parallel[@]}" "${basetemp[@]}" -m "not alone" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
# With no arguments only the files that mark a test "alone" are collected again (the whole
# suite's collection is 7.7 s of CPU in this one process; tests/conftest.py refuses a test
# marked alone in a file where `pytest.mark.alone` is not written).
alone=("$@")
if [ $# -eq 0 ]; then mapfile -t alone < <(grep -rlF --include='test_*.py' 'pytest.mark.alone' tests); fi
if [ "$rc" -eq 0 ] && [ ${#alone[@]} -gt 0 ]; then
  .venv/bin/python -m pytest -q -p no:cacheprovider "${basetemp[@]}" -m alone "${alone[@]}" 2>&1 | tee -a "$log"
  rc=${PIPESTATUS[0]}
  if [ "$rc" -eq 5 ]; then rc=0; fi  # none chosen among the tests asked for
fi
set -e
# A hung test ends its worker process: xdist reports the worker "crashed while running" it,
# and the stacks stay in that process. The suite then runs once more in one process, where a
# second hang prints every thread's stack here.
if [ "$rc" -eq 124 ] || { [ "$rc" -ne 0 ] && grep -qE '^\+* Timeout \+*$|crashed while running' "$log"; }; then
  echo "== pytest: a test HUNG or a worker died (named above); the whole suite runs once more, in one process"
  pkill -f 'import sys;exec(eval(sys.stdin.readline()))' || true  # xdist's workers left behind
  rm -f "$log"
  .venv/bin/python -m pytest -q -p no:cacheprovider "${basetemp[@]}" "$@"  # not exec: the EXIT trap empties the RAM disk
  exit $?
fi
rm -f "$log"
exit "$rc"
