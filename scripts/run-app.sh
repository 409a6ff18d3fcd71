#!/usr/bin/env bash
# One command: set up (if needed) and launch FieldScribe with the demo project.
set -euo pipefail
cd "$(dirname "$0")/.."
# the multilingual model too: projects in Russian, Kazakh or other languages need it
scripts/setup.sh --with-base-model
exec .venv/bin/python main.py "$@"
