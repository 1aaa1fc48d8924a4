"""The engine's op table as a page (``python -m micrograd_edu.explain.optable`` writes docs/ops.md;
``--check`` only compares, ``--help`` says how), and how each op is written (:data:`OP_LABELS`,
shared by the tape's listing and the graph drawings of :mod:`micrograd_edu.visualize`).
Standard library only.

Every row comes from the op's rule (:data:`micrograd_edu.engine.OPS`): its
docstring says its value and its local derivatives, so each formula has one
home, beside the code that computes it. A test checks that docs/ops.md is what
this module writes.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from .. import engine
from .._support.files import write_atomically

__all__ = ["OP_LABELS", "OpLabel", "draw_label", "markdown", "rows"]

CALLS = {
    "+": "a + b, a + 3, 3 + a",
    "-": "a - b, a - 3, 3 - a",
    "*": "a * b, a * 3, 3 * a",
    "/": "a / b, a / 3, 3 / a",
    "**": "a ** b, a ** 2, 2 ** a",
    "neg": "-a",
    "abs": "abs(a), a.abs()",
    "leaky_relu": "a.leaky_relu(s)",
    "sum": "sum_values([t1, ..., tn])",
    "dot": "dot(w, x, b)",
}
"""How each op is written in Python (the others are methods: ``a.tanh()``)."""


class OpLabel(NamedTuple):
    """How an op is written: in a program listing (ASCII) and in a drawing."""

    text: str
    drawn: str
    infix: bool
    """Written between its operands (``a * b``), not before them (``tanh a``)."""


OP_LABELS: dict[str, OpLabel] = {
    "+": OpLabel("+", "+", infix=True),
    "-": OpLabel("-", "−", infix=True),
    "*": OpLabel("*", "×", infix=True),
    "/": OpLabel("/", "÷", infix=True),
    "**": OpLabel("**", "**", infix=True),
    "neg": OpLabel("-", "−", infix=False),
    "sum": OpLabel("sum", "Σ", infix=False),
    "dot": OpLabel("dot", "w·x+b", infix=False),
}
"""Op name → its labels; an op not listed is written by its name (``tanh``)."""


def _number(x: float) -> str:
    return f"{x:.4g}"


def draw_label(op: str, constants: Sequence[float | None]) -> str:
    """The label of an op's box in a graph drawing: its symbol, with its number if any.

    ``constants`` is the node's (None where a Value operand stands).

    >>> draw_label("*", (None, 2.0)), draw_label("-", (1.0, None)), draw_label("tanh", ())
    ('× 2', '1 −', 'tanh')
    """
    code = "**" if op.startswith("**") else op
    label = OP_LABELS.get(code)
    if label is None:
        return op
    if label.infix and len(constants) == 2:
        a, b = constants
        if b is not None:
            return f"{label.drawn} {_number(b)}" if code != "**" else op
        if a is not None:
            return f"{_number(a)} {label.drawn}"
    return label.drawn


_SPLIT = re.compile(r"\.\s+(?=d/d)")


def rows() -> list[tuple[str, str, str, str]]:
    """One row per op of :data:`~micrograd_edu.engine.OPS`: (op, call, value, local derivatives).

    >>> rows()[0]
    ('+', 'a + b, a + 3, 3 + a', 'a + b', 'd/da = 1, d/db = 1')
    """
    found = []
    for name, rule in engine.OPS.items():
        text = " ".join((rule.__doc__ or "").split())
        parts = _SPLIT.split(text, maxsplit=1)
        value, slopes = (parts[0], parts[1].rstrip(".")) if len(parts) == 2 else (text, "")
        call = CALLS.get(name, f"a.{name}()")
        found.append((name, call, value, slopes))
    return found


def markdown() -> str:
    """The page docs/ops.md."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [
        "# The op table",
        "",
        "Every op of the engine, from its rule in `micrograd_edu/engine.py`: the value",
        "it computes and its local derivatives, one per operand. A number operand (the",
        "3 of `a + 3`) goes to the rule like a Value's number; the node keeps the local",
        "derivatives of its Value operands only.",
        "This page is written by `python -m micrograd_edu.explain.optable`; a test checks it.",
        "",
        "| op | in Python | value | local derivatives |",
        "|---|---|---|---|",
    ]
    for name, call, value, slopes in rows():
        lines.append(f"| `{name}` | `{call}` | {cell(value)} | {cell(slopes)} |")
    domains = ", ".join(f"`{name}`" for name in engine.DOMAIN)
    lines += [
        "",
        f"Ops with a domain check (`engine.DOMAIN`, run before the rule): {domains}.",
        "",
    ]
    return "\n".join(lines)


PROG = "python -m micrograd_edu.explain.optable"
PAGE = Path("docs") / "ops.md"
"""The page's default path, from the repository's root."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Write the engine's op table (Markdown) from the rules' docstrings.",
    )
    parser.add_argument(
        "path", nargs="?", type=Path, default=PAGE, help=f"the page (default: {PAGE})"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit with status 1 if the page is missing or differs",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m micrograd_edu.explain.optable [PATH] [--check]``: write the op table page.

    ``PATH`` defaults to docs/ops.md (run from the repository's root); the page is
    written atomically. With ``--check`` nothing is written: the exit status is 1
    if the page is missing or differs from :func:`markdown`, else 0. An unreadable
    or unwritable ``PATH`` is one line on stderr and status 1.
    """
    args = _parser().parse_args(argv)
    path: Path = args.path
    page = markdown()
    try:
        if args.check:
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current != page:
                state = "is missing" if current is None else "differs from the rules"
                print(f"{PROG}: {path} {state}: run {PROG} {path}", file=sys.stderr)
                return 1
            print(f"{path} is up to date")
            return 0
        write_atomically(path, page.encode("utf-8"))
    except OSError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
