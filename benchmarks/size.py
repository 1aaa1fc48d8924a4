"""``python -m benchmarks.size``: the size targets of the code, measured with :mod:`ast`.

engine.py's lines (target ≤ 400), the modules of ``micrograd_edu/`` and
``visualize/`` over 500 lines, the functions whose body is over 60 lines
(from the first statement after the docstring to the last line), and the
functions over 70 lines in all (from ``def``, decorators aside, to the last
line: signature and docstring included, as the project's before-stop check
counts, ``end_lineno - lineno + 1``). The command
exits with status 1 when a target is missed (the report ends in ✘), so that
``make size`` fails; tests/packaging/test_size.py checks the real tree.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("micrograd_edu", "visualize")
ENGINE_MAX, MODULE_MAX, FUNCTION_MAX = 400, 500, 60
WHOLE_MAX = 70
"""The most lines of a whole function: signature, docstring and body."""


@dataclass(frozen=True)
class Size:
    """What exceeds the targets."""

    engine_lines: int
    long_modules: list[tuple[str, int]]
    long_functions: list[tuple[str, int]]
    long_wholes: list[tuple[str, int]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every target is met (the report's ✔)."""
        return (
            self.engine_lines <= ENGINE_MAX
            and not self.long_modules
            and not self.long_functions
            and not self.long_wholes
        )

    def lines(self) -> list[str]:
        """The report, one line per finding (the first line is the summary)."""
        mark = "✔" if self.ok else "✘"
        head = (
            f"size: engine.py {self.engine_lines} lines (≤ {ENGINE_MAX}); "
            f"{len(self.long_modules)} modules > {MODULE_MAX} lines; "
            f"{len(self.long_functions)} functions > {FUNCTION_MAX} lines; "
            f"{len(self.long_wholes)} functions > {WHOLE_MAX} lines in all " + mark
        )
        return [
            head,
            *[f"  module   {name}: {n} lines" for name, n in self.long_modules],
            *[f"  function {name}: {n} lines" for name, n in self.long_functions],
            *[f"  function {name}: {n} lines in all" for name, n in self.long_wholes],
        ]


def _whole_functions(tree: ast.AST, prefix: str) -> list[tuple[str, int]]:
    """The functions over :data:`WHOLE_MAX` lines from ``def`` to their last line."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > WHOLE_MAX:
                found.append((f"{prefix}:{node.lineno} {node.name}", length))
    return found


def _functions(tree: ast.AST, prefix: str) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if len(body) > 1 and ast.get_docstring(node) is not None:
                body = body[1:]
            length = (node.end_lineno or node.lineno) - body[0].lineno + 1
            if length > FUNCTION_MAX:
                found.append((f"{prefix}:{node.lineno} {node.name}", length))
    return found


def modules(root: Path = ROOT) -> list[Path]:
    """Every module the targets apply to: the ``.py`` files of :data:`PACKAGES` under ``root``."""
    return [path for package in PACKAGES for path in sorted((root / package).rglob("*.py"))]


def module_size(path: Path, root: Path = ROOT) -> tuple[int, list[tuple[str, int]]]:
    """The lines of the module at ``path`` and its functions over the target (name, lines)."""
    text = path.read_text(encoding="utf-8")
    return len(text.splitlines()), _functions(ast.parse(text), path.relative_to(root).as_posix())


def whole_size(path: Path, root: Path = ROOT) -> list[tuple[str, int]]:
    """The functions of the module at ``path`` over :data:`WHOLE_MAX` lines in all (name, lines).

    A function's whole length counts its signature, its docstring and its body
    (``end_lineno - lineno + 1``; decorators aside).
    """
    text = path.read_text(encoding="utf-8")
    return _whole_functions(ast.parse(text), path.relative_to(root).as_posix())


def measure(root: Path = ROOT) -> Size:
    """Measure the packages under ``root``.

    >>> size = measure()
    >>> size.engine_lines <= 400
    True
    """
    long_modules: list[tuple[str, int]] = []
    long_functions: list[tuple[str, int]] = []
    long_wholes: list[tuple[str, int]] = []
    for path in modules(root):
        n, functions = module_size(path, root)
        if n > MODULE_MAX:
            long_modules.append((path.relative_to(root).as_posix(), n))
        long_functions += functions
        long_wholes += whole_size(path, root)
    engine = (root / "micrograd_edu" / "engine.py").read_text(encoding="utf-8")
    return Size(len(engine.splitlines()), long_modules, long_functions, long_wholes)


def main(root: Path = ROOT) -> int:
    """Print the report of the packages under ``root``; exit status 1 if a target is missed."""
    report = measure(root)
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
