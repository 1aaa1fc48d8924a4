"""The floor plan holds: few top-level modules, folders by role, imports one way, no cycles."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "micrograd_edu"
CORE = {
    "engine",
    "nn",
    "module",
    "architecture",
    "losses",
    "optim",
    "datasets",
    "train",
    "steps",
    "history",
    "io",
}
"""The lecture's core: the modules a student opens, at the package's top level."""


def _modules() -> dict[str, Path]:
    """Every module of micrograd_edu (visualize through its link), by dotted name."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")) + sorted((ROOT / "visualize").rglob("*.py")):
        if "course" in path.parts:
            continue
        rel = path.relative_to(ROOT)
        parts = list(rel.with_suffix("").parts)
        if parts[0] == "visualize":
            parts = ["micrograd_edu", *parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules ``name`` imports at module level (not inside functions)."""
    is_package = path.name == "__init__.py"
    targets = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        wanted: list[str] = []
        if isinstance(node, ast.Import):
            wanted = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = name.split(".") if is_package else name.split(".")[:-1]
            if node.level:
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            wanted = [module] + [f"{module}.{alias.name}" for alias in node.names]
        for target in wanted:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(target + "."):
                targets.add(target)
    return targets


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_level_import_cycle() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_at_most_14_modules_at_the_top_level_and_they_are_the_lecture() -> None:
    top = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    assert len(top) <= 14, sorted(top)
    assert top <= CORE, sorted(top - CORE)


def test_every_folder_says_its_job_in_one_line() -> None:
    for init in [*sorted(PACKAGE.glob("*/__init__.py")), ROOT / "visualize" / "__init__.py"]:
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc, f"{init.relative_to(ROOT)} has no docstring"
        assert len(doc.splitlines()[0]) <= 100, init


@pytest.mark.parametrize(
    ("low", "high"),
    [
        ("micrograd_edu.engine", "micrograd_edu."),  # the engine imports nothing of the project...
        ("micrograd_edu.nn", "micrograd_edu.visualize"),
        ("micrograd_edu.train", "micrograd_edu.visualize"),
        ("micrograd_edu.explain", "micrograd_edu.visualize"),
        ("micrograd_edu.exercises", "micrograd_edu.visualize"),
        ("micrograd_edu.grade", "micrograd_edu.visualize"),
        ("micrograd_edu.rl", "micrograd_edu.visualize"),
        ("micrograd_edu.cli", "micrograd_edu.visualize"),
        ("micrograd_edu.tape", "micrograd_edu.exercises"),
    ],
)
def test_imports_point_one_way(low: str, high: str) -> None:
    graph = _graph()
    allowed = (
        {"micrograd_edu._engine", "micrograd_edu._support"} if low.endswith("engine") else set()
    )
    wrong = sorted(
        f"{name} -> {target}"
        for name, targets in graph.items()
        if name == low or name.startswith(low + ".")
        for target in targets
        if target.startswith(high) and not any(target.startswith(a) for a in allowed)
    )
    assert wrong == []
