"""How ops are written: the op-label table, and a tape printed as a small program.

:data:`OP_LABELS` is the one table of op symbols: the tape's listing writes an
op with its text symbol (``%3 * 2``), the graph drawings of :mod:`visualize`
with its drawn one (``× 2``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

__all__ = ["OP_LABELS", "OpLabel", "count", "draw_label", "expression", "slot_range"]


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


def expression(op: str, operands: Sequence[str | float]) -> str:
    """The right-hand side of a listing line: ``%3 * 2``, ``relu %5``, ``dot %1·%0 + 1``.

    ``operands`` holds every operand in order: a slot name (``"%3"``) or a number.

    >>> expression("*", ["%3", 2.0]), expression("relu", ["%5"])
    ('%3 * 2', 'relu %5')
    """
    terms = [x if isinstance(x, str) else _number(x) for x in operands]
    label = OP_LABELS.get(op)
    if op == "dot":
        n = len(terms) // 2
        products = [f"{w}·{x}" for w, x in zip(terms[:n], terms[n : 2 * n], strict=True)]
        return "dot " + _shorten([*products, terms[-1]], " + ")
    if op == "leaky_relu":
        return f"leaky_relu {terms[0]} (slope {terms[1]})"
    if label is not None and label.infix and len(terms) == 2:
        return f"{terms[0]} {label.text} {terms[1]}"
    if op == "neg":
        return f"-{terms[0]}"
    if op == "sum":
        return "sum " + _shorten(terms, ", ")
    return f"{op} {', '.join(terms)}"


def _shorten(terms: list[str], sep: str) -> str:
    if len(terms) <= 5:
        return sep.join(terms)
    return f"{sep.join(terms[:3])}{sep}…{sep}{terms[-1]}  ({len(terms)} terms)"


def count(n: int, word: str) -> str:
    """``"1 input"``, ``"3 inputs"``."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def slot_range(start: int, stop: int) -> str:
    """``%2``, ``%2 … %5`` or ``(none)``."""
    if stop - start == 1:
        return f"%{start}"
    return f"%{start} … %{stop - 1}" if stop > start else "(none)"
