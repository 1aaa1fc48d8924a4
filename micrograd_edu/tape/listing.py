"""A tape printed as a small program, one operation per line.

The op symbols come from the one op-label table,
:data:`micrograd_edu.explain.optable.OP_LABELS`: the listing writes an op with its text
symbol (``%3 * 2``), the graph drawings of :mod:`micrograd_edu.visualize` with its drawn
one (``× 2``).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..explain.optable import OP_LABELS, OpLabel, draw_label

__all__ = ["OP_LABELS", "OpLabel", "count", "draw_label", "expression", "slot_range"]


def _number(x: float) -> str:
    return f"{x:.4g}"


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
