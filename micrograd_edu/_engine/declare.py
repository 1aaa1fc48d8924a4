"""The two markers of the rules inside ``Value``: :func:`operation` and :func:`reflected`.

A marker only records what the rule is (its op's name, its number of operands);
:func:`micrograd_edu.engine.make_methods` turns every marked rule into its method,
after the class. For a type checker a marked rule already is that method:
``Value.__add__`` takes ``(self, other)`` and returns a ``Value``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, NamedTuple, TypeVar, cast, overload

__all__ = ["Declared", "Rule", "operation", "reflected"]

Rule = Callable[..., tuple[Any, tuple[Any, ...]]]
N = TypeVar("N")  # the node class: Value


class Declared(NamedTuple):
    """A rule marked inside ``Value``, until ``make_methods`` makes it the method.

    >>> declared = operation("neg", arity=1)(lambda math, a: (-a, (-1.0,)))
    >>> declared.name, declared.arity, declared.reflected
    ('neg', 1, False)
    """

    name: str
    """The op's name: its key in ``engine.OPS`` (``"+"``, ``"tanh"``)."""
    arity: int
    """Its number of operands: 1 (``a.tanh()``) or 2 (``a + b``)."""
    rule: Rule
    reflected: bool = False
    """The method of ``number <op> value`` (``2 - a``): the rule gets the number first."""


@overload
def operation(name: str, arity: Literal[1]) -> Callable[[Rule], Callable[[N], N]]: ...
@overload
def operation(name: str, arity: Literal[2]) -> Callable[[Rule], Callable[[N, Any], N]]: ...
def operation(name: str, arity: int) -> Callable[[Rule], Any]:
    """Mark a rule inside ``Value`` as the op ``name`` with ``arity`` operands (1 or 2).

    Raises ``ValueError`` for another arity (an op of any number of operands, like
    ``sum``, is a function that calls ``engine.apply``, not a method).

    >>> operation("+", arity=3)
    Traceback (most recent call last):
    ValueError: operation '+': arity must be 1 (a.op()) or 2 (a op b), got 3
    """
    if arity not in (1, 2):
        raise ValueError(
            f"operation {name!r}: arity must be 1 (a.op()) or 2 (a op b), got {arity!r}"
        )
    return lambda rule: Declared(name, arity, rule)


def reflected(method: Callable[[N, Any], N]) -> Callable[[N, Any], N]:
    """Mark the method of ``number <op> value`` (``__rsub__``): the same rule, number first.

    >>> sub = operation("-", arity=2)(lambda math, a, b: (a - b, (1.0, -1.0)))
    >>> reflected(sub).reflected
    True
    """
    declared = cast(Declared, method)
    if not isinstance(declared, Declared) or declared.arity != 2:
        raise TypeError(
            f"reflected() takes a rule marked @operation(name, arity=2), got {method!r}"
        )
    return cast(Callable[[N, Any], N], declared._replace(reflected=True))
