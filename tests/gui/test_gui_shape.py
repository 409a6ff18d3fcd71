"""The GUI package's shape: no import cycles, only the entry point imports the window, no mixins."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_gui_modules_form_no_import_cycle_and_none_imports_the_window() -> None:
    check = ROOT / "scripts" / "check_gui_imports.py"
    result = subprocess.run(
        [sys.executable, str(check), str(ROOT / "gui")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no import cycles" in result.stdout
