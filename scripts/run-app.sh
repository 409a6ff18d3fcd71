#!/usr/bin/env bash
# One command: set up (if needed) and launch FieldScribe with the demo project.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/python main.py "$@"
