"""Where an op is not defined or overflows: the engine's errors, raised before the rule runs.

:data:`DOMAIN` maps an op to a check of its operands' numbers; :data:`OVERFLOW` to
the message the engine raises instead of giving ``inf``. Both are used by the
methods, by :func:`micrograd_edu.engine.apply` and by the tape, and are public as
``micrograd_edu.engine.DOMAIN`` and ``micrograd_edu.engine.OVERFLOW``.
This module imports nothing but the standard library.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .runtime import Template

__all__ = ["DOMAIN", "OVERFLOW", "Check", "check_domain"]

Check = Callable[[Sequence[float], Template], None]
"""``check(x, c)``: raises if the numbers ``x`` are outside the op's domain; ``c`` is the
node's constants (None where a Value operand stands), to name the operands."""


def _log(x: Sequence[float], c: Template) -> None:
    if x[0] <= 0.0:
        raise ValueError(f"log is defined only for x > 0, got x = {x[0]!r}")


def _sqrt(x: Sequence[float], c: Template) -> None:
    if x[0] < 0.0:
        raise ValueError(f"sqrt is defined only for x >= 0, got x = {x[0]!r}")


def _divide(x: Sequence[float], c: Template) -> None:
    if x[1] == 0.0:
        a, b = x
        if not c:
            raise ZeroDivisionError(
                f"division by zero in a / b: the divisor Value is {b!r} (a = {a!r})"
            )
        if c[1] is not None:
            raise ZeroDivisionError(f"division by zero in a / b: the divisor is {b!r}")
        raise ZeroDivisionError(
            f"division by zero in c / a: the divisor Value is {b!r} (c = {a!r})"
        )


def _power(x: Sequence[float], c: Template) -> None:
    a, k = x
    if a < 0.0 and not (c and c[1] is not None):
        raise ValueError(
            f"pow: a negative base {a!r} cannot be raised to a Value exponent (the result is "
            "not a real number unless the exponent is an integer; use a number exponent)"
        )
    if a < 0.0 and not k.is_integer() and k == k:
        raise ValueError(
            f"pow: a negative base {a!r} needs an integer exponent, got {k!r} "
            "(the result would not be a real number)"
        )
    if a == 0.0 and k < 0.0:
        raise ZeroDivisionError(f"pow: 0.0 cannot be raised to a negative power ({k!r})")


DOMAIN: dict[str, Check] = {"log": _log, "sqrt": _sqrt, "/": _divide, "**": _power}
"""The ops not defined everywhere: op name → a check of the operands' numbers ``x`` that
raises, given the node's constants ``c`` (None where a Value stands) to name them."""

OVERFLOW = {
    "exp": "exp overflow: exp({0!r}) exceeds the largest float (inputs above about 709.78 "
    "overflow)",
    "**": "pow overflow: {0!r} ** {1!r} exceeds the largest float",
}  # fmt: skip
"""The messages of the ops that overflow: the engine raises instead of giving inf."""


def check_domain(name: str, x: Sequence[float], constants: Template = ()) -> None:
    """Raise the error of op ``name`` if the numbers ``x`` are outside its domain.

    >>> check_domain("log", (-1.0,))
    Traceback (most recent call last):
    ValueError: log is defined only for x > 0, got x = -1.0
    """
    check = DOMAIN.get(name)
    if check is not None:
        check(x, constants)
