"""Check gradients numerically, by central differences.

The derivative is the slope of a function at a point. Nudge one input by a
small ``eps`` on each side and measure the change of the output::

    df/dxᵢ ≈ (f(…, xᵢ + eps, …) − f(…, xᵢ − eps, …)) / (2 · eps)

The error of this *central* difference shrinks like eps², much faster than the
one-sided (f(x + eps) − f(x)) / eps. It needs no calculus at all, which makes
it the referee for every gradient that :meth:`Value.backward` computes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..engine import Value, real_number

__all__ = ["GradcheckReport", "GradientRow", "gradcheck", "numerical_grad"]

Function = Callable[..., object]
"""``f(*values)`` returning a :class:`Value` (or a plain number)."""


def _output_number(out: object) -> float:
    if isinstance(out, Value):
        return out.data
    number = real_number(out)
    if number is None:
        raise TypeError(f"f must return a Value or a number, got {type(out).__name__}: {out!r}")
    return number


def _input_numbers(inputs: Sequence[object]) -> list[float]:
    if isinstance(inputs, (str, bytes)) or not isinstance(inputs, Sequence):
        raise TypeError(
            f"inputs must be a sequence of numbers or Values, got {type(inputs).__name__}"
        )
    if len(inputs) == 0:
        raise ValueError("inputs is empty: give at least one point to differentiate at")
    numbers: list[float] = []
    for i, x in enumerate(inputs):
        number = x.data if isinstance(x, Value) else real_number(x)
        if number is None:
            raise TypeError(
                f"inputs[{i}] must be a number or a Value, got {type(x).__name__}: {x!r}"
            )
        numbers.append(number)
    return numbers


def numerical_grad(f: Function, inputs: Sequence[object], eps: float = 1e-6) -> list[float]:
    """Estimate ∂f/∂xᵢ at ``inputs`` by central differences.

    Parameters
    ----------
    f:
        Called as ``f(*values)`` with one fresh :class:`Value` per input; it
        returns a Value (or a number). The same function can therefore be
        differentiated by :meth:`Value.backward` and by this routine.
    inputs:
        The point: numbers or Values (only their ``data`` is used).
    eps:
        The step, > 0.

    Returns
    -------
    list[float]
        One partial derivative per input.

    Examples
    --------
    >>> [round(g, 6) for g in numerical_grad(lambda a, b: a * b + a, [2.0, -3.0])]
    [-2.0, 2.0]
    """
    if not (isinstance(eps, (int, float)) and eps > 0 and math.isfinite(eps)):
        raise ValueError(f"eps must be a finite number > 0, got {eps!r}")
    point = _input_numbers(inputs)

    def f_at(numbers: list[float]) -> float:
        return _output_number(f(*[Value(x) for x in numbers]))

    slopes = []
    for i in range(len(point)):
        up, down = list(point), list(point)
        up[i] += eps
        down[i] -= eps
        slopes.append((f_at(up) - f_at(down)) / (2.0 * eps))
    return slopes


@dataclass(frozen=True)
class GradientRow:
    """One input's gradient, as ``backward()`` and as finite differences give it.

    >>> row = GradientRow(index=0, analytic=2.0, numerical=2.5, ok=False)
    >>> row.abs_error
    0.5
    """

    index: int
    analytic: float
    numerical: float
    ok: bool

    @property
    def abs_error(self) -> float:
        """``|analytic − numerical|``.

        >>> GradientRow(index=0, analytic=1.0, numerical=1.25, ok=False).abs_error
        0.25
        """
        return abs(self.analytic - self.numerical)


@dataclass(frozen=True)
class GradcheckReport:
    """The result of :func:`gradcheck`; true when every gradient matched.

    ``print(report)`` shows a table with one row per input.

    >>> square = lambda x, y: x * x.data + y  # x.data is a number: no gradient flows through it
    >>> report = gradcheck(square, [3.0, 1.0])
    >>> bool(report), [row.index for row in report.mismatches]
    (False, [0])
    >>> print(report)  # doctest: +ELLIPSIS
    gradcheck: 1 of 2 gradients do NOT match (|analytic - numerical| <= ...)
    input      backward()       numerical   abs error
        0               3               6    3.00e+00  <-- mismatch
        1               1               1    ...
    """

    rows: tuple[GradientRow, ...]
    atol: float
    rtol: float

    @property
    def ok(self) -> bool:
        """True when every gradient matched.

        >>> gradcheck(lambda a, b: a * b, [2.0, 3.0]).ok
        True
        """
        return all(row.ok for row in self.rows)

    @property
    def mismatches(self) -> tuple[GradientRow, ...]:
        """The rows whose gradients did not match, in input order.

        >>> gradcheck(lambda a, b: a * b, [2.0, 3.0]).mismatches
        ()
        """
        return tuple(row for row in self.rows if not row.ok)

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        verdict = (
            "all gradients match"
            if self.ok
            else f"{len(self.mismatches)} of {len(self.rows)} gradients do NOT match"
        )
        lines = [
            f"gradcheck: {verdict} "
            f"(|analytic - numerical| <= {self.atol:g} + {self.rtol:g} * |numerical|)",
            f"{'input':>5}  {'backward()':>14}  {'numerical':>14}  {'abs error':>10}",
        ]
        for row in self.rows:
            flag = "" if row.ok else "  <-- mismatch"
            lines.append(
                f"{row.index:>5}  {row.analytic:>14.8g}  {row.numerical:>14.8g}  "
                f"{row.abs_error:>10.2e}{flag}"
            )
        return "\n".join(lines)


def gradcheck(
    f: Function,
    inputs: Sequence[object],
    atol: float = 1e-5,
    rtol: float = 1e-4,
    eps: float = 1e-6,
) -> GradcheckReport:
    """Compare the gradients of ``backward()`` with :func:`numerical_grad`.

    A gradient matches when ``|analytic − numerical| ≤ atol + rtol·|numerical|``
    (the rule of :func:`numpy.isclose`).

    Examples
    --------
    >>> report = gradcheck(lambda x: (x * x).tanh(), [0.5])
    >>> report.ok
    True
    """
    if atol < 0 or rtol < 0:
        raise ValueError(f"atol and rtol must be >= 0, got atol={atol!r}, rtol={rtol!r}")
    point = _input_numbers(inputs)
    values = [Value(x) for x in point]
    out = f(*values)
    if not isinstance(out, Value):
        raise TypeError(f"f must return a Value to be backpropagated, got {type(out).__name__}")
    out.backward()
    numerical = numerical_grad(f, point, eps=eps)
    rows = tuple(
        GradientRow(
            index=i,
            analytic=v.grad,
            numerical=n,
            ok=abs(v.grad - n) <= atol + rtol * abs(n),
        )
        for i, (v, n) in enumerate(zip(values, numerical, strict=True))
    )
    return GradcheckReport(rows=rows, atol=atol, rtol=rtol)
