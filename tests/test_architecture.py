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


def _classes(pkg: str) -> list[tuple[str, ast.ClassDef]]:
    found = []
    for path in (ROOT / pkg).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        found += [
            (str(path.relative_to(ROOT)), n) for n in ast.walk(tree) if isinstance(n, ast.ClassDef)
        ]
    return found


def test_no_mixins_in_storage_or_gui() -> None:
    """Project and the main window compose feature objects; nothing is assembled from mixins."""
    mixins = [
        f"{path}: {cls.name}"
        for pkg in ("storage", "gui")
        for path, cls in _classes(pkg)
        if cls.name.endswith("Mixin")
        or any(isinstance(b, ast.Name) and b.id.endswith("Mixin") for b in cls.bases)
    ]
    assert not mixins, mixins
    (project,) = [cls for path, cls in _classes("storage") if cls.name == "Project"]
    assert project.bases == []


def test_project_hands_out_feature_objects(tmp_path: Path) -> None:
    from storage import Project

    with Project.create(tmp_path / "p.fieldscribe", coder="a") as project:
        features = {
            name: type(getattr(project, name)).__module__
            for name in (
                "sessions", "transcript", "transcription", "codebook", "retrieval", "speakers",
                "team", "privacy", "redactions", "audit", "recordings", "history",
            )
        }  # fmt: skip
        assert project.sessions is project.sessions  # built once
    for name, module in features.items():
        assert module.startswith("storage.") and module.count(".") == 2, (name, module)


def test_cli_command_table_matches_the_modules() -> None:
    """``cli.COMMANDS`` (which module to import for a command) names every registered command."""
    import argparse
    import importlib
    import pkgutil

    import cli

    registered: dict[str, str] = {}
    for info in pkgutil.iter_modules(cli.__path__):
        if info.name.endswith("_cmds"):
            sub = argparse.ArgumentParser().add_subparsers()
            importlib.import_module(f"cli.{info.name}").register(sub)
            registered.update(dict.fromkeys(sub.choices, info.name))
    assert registered == cli.COMMANDS


def test_a_read_only_command_imports_only_what_it_needs(tmp_path: Path) -> None:
    """``fieldscribe sessions DIR`` loads no numpy, sqlite-utils, cryptography, exchange formats,
    transcription or Qt (its start-up time: bench/startup_bench.py)."""
    import subprocess
    import sys

    from storage import Project

    Project.create(tmp_path / "p.fieldscribe", coder="a").close()
    probe = (
        "import sys, io, contextlib\n"
        "from cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['sessions', {str(tmp_path / 'p.fieldscribe')!r}]) == 0\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    heavy = ("numpy", "sqlite_utils", "cryptography", "storage.interop", "storage.team",
             "storage.privacy.crypto", "transcribe", "analysis", "PySide6", "lxml", "docx",
             "openpyxl", "faster_whisper")  # fmt: skip
    loaded = [m for m in out if m.startswith(heavy)]
    assert not loaded, loaded
    assert "storage.sessions.sessions" in out  # the probe did run the command
