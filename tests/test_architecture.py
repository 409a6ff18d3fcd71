"""Layering rules: the domain never imports Qt or the GUI."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ["storage", "transcribe", "analysis"]
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "gui")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _domain_files() -> list[Path]:
    return [p for pkg in DOMAIN if (ROOT / pkg).is_dir() for p in (ROOT / pkg).rglob("*.py")]


@pytest.mark.parametrize("path", _domain_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_module_does_not_import_qt_or_gui(path: Path) -> None:
    bad = [n for n in _imports(path) if n.split(".")[0] in FORBIDDEN]
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}: storage/transcribe must stay Qt-free"


def test_the_scan_sees_the_domain_and_catches_a_violation(tmp_path: Path) -> None:
    assert len(_domain_files()) >= 8
    sample = tmp_path / "bad.py"
    sample.write_text("from PySide6.QtCore import QObject\nimport gui.app\n")
    assert _imports(sample) == ["PySide6.QtCore", "gui.app"]


def test_no_sql_outside_storage() -> None:
    """Widgets and commands call the Project API; SQL lives in storage/ (bench/ may seed data)."""
    offenders = []
    for pkg in ("cli", "gui", "transcribe"):
        for path in (ROOT / pkg).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for keyword in ("INSERT INTO", "DELETE FROM", "UPDATE segments", ".execute("):
                if keyword in text:
                    offenders.append(f"{path.relative_to(ROOT)}: {keyword}")
    assert not offenders, offenders
