#!/usr/bin/env bash
# One command: set up (if needed) and run every check: ruff, mypy, the import layers
# (import-linter) and the whole pytest suite (slow real-model and real-audio tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --with-base-model --with-speakers
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
echo "== ruff"; .venv/bin/ruff check . && .venv/bin/ruff format --check .
echo "== mypy"; .venv/bin/mypy
echo "== import layers"; .venv/bin/lint-imports --no-cache
echo "== pytest"; .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
