"""Sums as ONE node: :func:`sum_values` (t₁ + … + tₙ) and :func:`dot` (w·x + b).

A neuron's weighted sum built from binary ops is 2n nodes; as one ``dot`` node
it is a single node in the graph and a single step of the chain rule. Their
rules are registered in the engine's op table (:data:`micrograd_edu.engine.OPS`)
like every other op's.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from .engine import OPS, Value, ValueLike, apply, real_number

__all__ = ["dot", "sum_values"]


def _sum(math: Any, *terms: Any) -> tuple[Any, tuple[Any, ...]]:
    """t₁ + … + tₙ.  d/dtᵢ = 1."""
    return sum(terms, 0.0), (1.0,) * len(terms)


def _dot(math: Any, *operands: Any) -> tuple[Any, tuple[Any, ...]]:
    """w·x + b = w₁x₁ + … + wₙxₙ + b, operands (w₁…wₙ, x₁…xₙ, b).

    d/dwᵢ = xᵢ, d/dxᵢ = wᵢ, d/db = 1."""
    n = len(operands) // 2
    weights, inputs = operands[:n], operands[n : 2 * n]
    return math.dot(weights, inputs) + operands[-1], (*inputs, *weights, 1.0)


OPS["sum"], OPS["dot"] = _sum, _dot  # registered in the engine's op table


def sum_values(terms: Iterable[ValueLike]) -> Value:
    """t₁ + t₂ + … + tₙ as ONE node.  d/dtᵢ = 1 for every Value term.

    The plain numbers are added together (one constant, after the Values).
    Python's ``sum(values)`` gives the same number through n − 1 binary nodes.

    >>> total = sum_values([Value(1.0), 2, Value(3.0)])
    >>> total.data, total.op, total.local_grads
    (6.0, 'sum', (1.0, 1.0))
    """
    values: list[Value] = []
    numbers: list[float] = []
    for term in terms:
        if isinstance(term, Value):
            values.append(term)
            continue
        number = real_number(term)
        if number is None:
            raise TypeError(
                f"sum_values() takes Values and numbers, got {type(term).__name__}: {term!r}"
            )
        numbers.append(number)
    if not numbers:
        return apply("sum", values)
    return apply("sum", [*values, math.fsum(numbers)])


def dot(weights: Sequence[Value], inputs: Sequence[ValueLike], bias: ValueLike = 0.0) -> Value:
    """w·x + b = w₁x₁ + … + wₙxₙ + b as ONE node (a neuron's weighted sum).

    Local derivatives: d/dwᵢ = xᵢ, d/dxᵢ = wᵢ, d/db = 1, kept for the operands
    that are Values; plain-number inputs (a data set's features) are constants.
    Raises ``ValueError`` if ``weights`` and ``inputs`` differ in length.

    >>> w = [Value(2.0), Value(-1.0)]
    >>> out = dot(w, [3.0, 4.0], 0.5)
    >>> out.data, out.local_grads
    (2.5, (3.0, 4.0))
    """
    if len(weights) != len(inputs):
        raise ValueError(f"dot: {len(weights)} weights but {len(inputs)} inputs; they must match")
    for w in weights:
        if not isinstance(w, Value):
            raise TypeError(f"dot: weights must be Values, got {type(w).__name__}: {w!r}")
    if not (isinstance(bias, Value) or real_number(bias) is not None):
        raise TypeError(f"dot: bias must be a Value or a number, got {type(bias).__name__}")
    for x in inputs:
        if not isinstance(x, Value) and real_number(x) is None:
            raise TypeError(f"dot: inputs must be Values or numbers, got {type(x).__name__}: {x!r}")
    return apply("dot", (*weights, *inputs, bias))
