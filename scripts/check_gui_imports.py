"""Check the GUI package's shape: no import cycles among gui modules, none imports the window.

Every import counts: at module level, inside functions (lazy) and under ``TYPE_CHECKING``. Only
``gui/app.py`` (the entry point) may import ``gui.main_window``; no class in gui/ may be or derive
from a ``*Mixin``. Usage: ``python scripts/check_gui_imports.py [PACKAGE_DIR]`` (exit status 1 on a
problem).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

WINDOW = "gui.main_window"
ALLOWED_WINDOW_IMPORTERS = {"gui.app", WINDOW}


def module_names(package: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file of the package."""
    names: dict[str, Path] = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that a module imports (anywhere in it)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".") if is_package else name.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for target in targets:
            # "import a.b.c" loads a, a.b and a.b.c: the deepest module of the package counts
            parts = target.split(".")
            for n in range(len(parts), 0, -1):
                candidate = ".".join(parts[:n])
                if candidate in known:
                    if candidate != name:
                        found.add(candidate)
                    break
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def mixin_classes(path: Path) -> list[str]:
    """Classes of a module that derive from something named ``*Mixin``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            bases = [
                b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "") for b in node.bases
            ]
            if any(str(b).endswith("Mixin") for b in [node.name, *bases]):
                names.append(node.name)
    return names


def main(argv: list[str]) -> int:
    package = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1] / "gui"
    known = module_names(package)
    graph = {name: imports_of(name, path, known) for name, path in known.items()}
    problems: list[str] = []
    for component in cycles(graph):
        problems.append("import cycle: " + " <-> ".join(component))
    for name, targets in sorted(graph.items()):
        if WINDOW in targets and name not in ALLOWED_WINDOW_IMPORTERS:
            problems.append(f"{name} imports {WINDOW}")
    for name, path in sorted(known.items()):
        for cls in mixin_classes(path):
            problems.append(f"{name}: class {cls} is a mixin")
    edges = sum(len(t) for t in graph.values())
    print(f"{len(graph)} modules, {edges} imports among them")
    for problem in problems:
        print(problem)
    if not problems:
        print("no import cycles; only gui.app imports gui.main_window; no mixins")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
