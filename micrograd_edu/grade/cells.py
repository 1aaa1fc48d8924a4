"""A notebook's code cells read, never run: which cell defines each exercise, which uses which.

The grader probes each exercise right after the last cell that binds one of its names
(:func:`schedule`): a kernel that dies later keeps the exercises checked before. An
exercise whose names no cell binds visibly (``globals()["backward"] = ...``, ``exec``)
is probed after the last cell. This reads the code with :mod:`ast`; IPython's line magics
and shell escapes (``%timeit``, ``!pip``) are read as ``pass``, and a cell that still does
not parse binds nothing.

:func:`uses` says which other exercises an exercise's functions call (through any chain of
the notebook's own functions): a wrong 2.4 whose ``backward`` calls a wrong 2.3's
``topological_sort`` *follows from* 2.3.

>>> cells = ["import math", "def topological_sort(root):\\n    return []",
...          "def backward(root):\\n    for n in topological_sort(root): pass", "x = 1"]
>>> names = {"2.3": ("topological_sort",), "2.4": ("backward",), "9.9": ("missing",)}
>>> schedule(cells, names)
{1: ['2.3'], 2: ['2.4'], 4: ['9.9']}
>>> uses(cells, names)
{'2.4': ['2.3']}
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = ["SKIP_TAG", "bound_names", "code_cells", "schedule", "uses"]

SKIP_TAG = "skip-grading"
"""Cells tagged so are not run when grading (pictures, live apps, long demo trainings)."""

_MAGIC = re.compile(r"^(\s*)(?:%|!).*$", re.MULTILINE)


def code_cells(path: Path) -> list[str]:
    """The code cells to run: every code cell not tagged :data:`SKIP_TAG`, in order.

    ValueError (or OSError) when the file is not a notebook.
    """
    notebook = json.loads(path.read_bytes())
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise ValueError("not a Jupyter notebook (no list of cells)")
    sources = []
    for cell in notebook["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        metadata = cell.get("metadata")
        tags = metadata.get("tags") if isinstance(metadata, dict) else None
        if isinstance(tags, list) and SKIP_TAG in tags:
            continue
        source = cell.get("source", "")
        sources.append(source if isinstance(source, str) else "".join(map(str, source)))
    return sources


def _parse(source: str) -> ast.Module | None:
    if source.lstrip().startswith("%%"):
        return None  # a cell magic: its body is not (only) this kernel's Python
    try:
        return ast.parse(_MAGIC.sub(r"\1pass", source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


_OWN_SCOPE = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class _Top(ast.NodeVisitor):
    """Names bound at module level, and each top-level function's global names it loads."""

    def __init__(self) -> None:
        self.bound: set[str] = set()
        self.calls: dict[str, set[str]] = {}

    def _function(self, name: str, node: ast.AST) -> None:
        self.bound.add(name)
        loads: set[str] = set()
        local = {arg.arg for arg in ast.walk(node) if isinstance(arg, ast.arg)}
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name):
                (loads if isinstance(inner.ctx, ast.Load) else local).add(inner.id)
        self.calls[name] = loads - local - {name}

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function(node.name, node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._function(node.name, node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._function(node.name, node)

    def visit(self, node: ast.AST) -> None:
        """Every node but those with a scope of their own (a lambda, a comprehension)."""
        if not isinstance(node, _OWN_SCOPE):
            super().visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.generic_visit(node)
        if isinstance(node.value, ast.Lambda):  # name = lambda ...: calls like a def
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self._function(target.id, node.value)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store | ast.Del):
            self.bound.add(node.id)

    def visit_alias(self, node: ast.alias) -> None:
        if node.name != "*":
            self.bound.add((node.asname or node.name).split(".")[0])


def _read(source: str) -> _Top:
    top = _Top()
    tree = _parse(source)
    if tree is not None:
        top.visit(tree)
    return top


def bound_names(source: str) -> set[str]:
    """The names a cell binds at module level (defs, classes, assignments, imports, loops).

    >>> sorted(bound_names("import numpy as np\\nfor i in range(3):\\n    y = i\\n%time z = 1"))
    ['i', 'np', 'y']
    """
    return _read(source).bound


def schedule(cells: list[str], names: Mapping[str, Iterable[str]]) -> dict[int, list[str]]:
    """Cell index → the exercises to probe right after it (``len(cells)``: after the last).

    An exercise is probed after the last cell that binds one of its ``names``.
    """
    read = [_read(source).bound for source in cells]
    plan: dict[int, list[str]] = {}
    for number, wanted in names.items():
        wanted = set(wanted)
        after = [index for index, bound in enumerate(read) if bound & wanted]
        plan.setdefault(after[-1] if after else len(cells), []).append(number)
    return dict(sorted(plan.items()))


def uses(cells: list[str], names: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """Exercise → the other exercises whose names its functions reach (in the last definitions).

    Only exercises that reach another are keys; the lists follow ``names``' order.
    """
    calls: dict[str, set[str]] = {}
    for source in cells:
        calls.update(_read(source).calls)  # a later definition replaces an earlier one
    owner = {name: number for number, wanted in names.items() for name in wanted}
    found: dict[str, list[str]] = {}
    for number, wanted in names.items():
        seen: set[str] = set()
        todo = [name for name in wanted if name in calls]
        while todo:
            name = todo.pop()
            for called in calls.get(name, set()) - seen:
                seen.add(called)
                if called in calls:
                    todo.append(called)
        reached = {owner[name] for name in seen if name in owner} - {number}
        if reached:
            found[number] = [other for other in names if other in reached]
    return found
