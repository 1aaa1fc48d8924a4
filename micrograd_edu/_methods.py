"""The Value methods made from the op rules: :func:`micrograd_edu.engine.apply`, written out.

``engine.apply`` is the general case: any number of operands, Values and
numbers. An op method has one or two operands, so the same steps (check the
domain, run the rule on the numbers, keep the Value operands' local
derivatives, make the node) are written out here for each case, without the
loops: this file is the engine's speed, ``engine.py`` its explanation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from ._runtime import MATH, Template, left_constant, real_number, right_constant

__all__ = ["binary", "make", "reflected", "unary"]

Rule = Callable[..., tuple[Any, tuple[Any, ...]]]
Check = Callable[[Sequence[float], Template], None] | None

_new = object.__new__
_ONE = {1.0: (1.0,), -1.0: (-1.0,)}  # shared local_grads of one child
_INFINITE = {math.inf, -math.inf}


def make(
    cls: type[Any],
    name: str,
    rule: Rule,
    check: Check,
    overflow: str | None,
    x: Sequence[float],
    children: tuple[Any, ...],
    constants: Template,
) -> Any:
    """The node of op ``name`` on the numbers ``x``: check, rule, keep the Values' slopes.

    ``overflow`` is the message of an op that overflows (the engine raises
    instead of giving inf).
    """
    if check is not None:
        check(x, constants)
    try:
        data, grads = rule(MATH, *x)
    except OverflowError:
        if overflow is None:
            raise
        raise OverflowError(overflow.format(*x)) from None
    if overflow is not None and data in _INFINITE and all(map(math.isfinite, x)):
        raise OverflowError(overflow.format(*x))
    if constants:
        if len(children) == 1:
            grad = grads[constants.index(None)]
            grads = _ONE.get(grad) or (grad,)
        else:
            grads = tuple([g for g, c in zip(grads, constants, strict=True) if c is None])
    out = _new(cls)
    out.data, out.grad, out.label, out.op = data, 0.0, "", name
    out.children, out.local_grads, out.constants = children, grads, constants
    return out


def unary(name: str, rule: Rule, check: Check, overflow: str | None) -> Callable[[Any], Any]:
    """The method of a one-operand op (``a.tanh()``)."""
    if check is not None or overflow is not None:
        return lambda self: make(type(self), name, rule, check, overflow, (self.data,), (self,), ())

    def method(self: Any) -> Any:
        data, grads = rule(MATH, self.data)
        out = _new(type(self))
        out.data, out.grad, out.label, out.op = data, 0.0, "", name
        out.children, out.local_grads, out.constants = (self,), grads, ()
        return out

    return method


def binary(
    name: str,
    rule: Rule,
    check: Check,
    overflow: str | None,
    rename: Callable[[Any, float], None] | None = None,
) -> Callable[[Any, Any], Any]:
    """The method of a two-operand op (``a * b``, ``a * 2``).

    ``rename(node, number)`` renames the node of ``value <op> number``
    (micrograd's ``**2``).
    """
    if overflow is not None or rename is not None:

        def general(self: Any, other: Any) -> Any:
            cls = type(self)
            if isinstance(other, cls):
                x = (self.data, other.data)
                return make(cls, name, rule, check, overflow, x, (self, other), ())
            number = other if type(other) is float else real_number(other)
            if number is None:
                return NotImplemented
            c = right_constant(number)
            out = make(cls, name, rule, check, overflow, (self.data, number), (self,), c)
            if rename is not None:
                rename(out, number)
            return out

        return general

    if check is None:
        return _fast_binary(name, rule)

    def method(self: Any, other: Any) -> Any:
        if isinstance(other, type(self)):
            if check is not None:
                check((self.data, other.data), ())
            data, grads = rule(MATH, self.data, other.data)
            children: tuple[Any, ...] = (self, other)
            constants: Template = ()
        else:
            number = other if type(other) is float else real_number(other)
            if number is None:
                return NotImplemented
            constants = right_constant(number)
            if check is not None:
                check((self.data, number), constants)
            data, (grad, _) = rule(MATH, self.data, number)
            children, grads = (self,), _ONE.get(grad) or (grad,)
        out = _new(type(self))
        out.data, out.grad, out.label, out.op = data, 0.0, "", name
        out.children, out.local_grads, out.constants = children, grads, constants
        return out

    return method


def _fast_binary(name: str, rule: Rule) -> Callable[[Any, Any], Any]:
    def method(self: Any, other: Any) -> Any:
        out = _new(type(self))
        if isinstance(other, type(self)):
            out.data, out.local_grads = rule(MATH, self.data, other.data)
            out.children, out.constants = (self, other), ()
        else:
            number = other if type(other) is float else real_number(other)
            if number is None:
                return NotImplemented
            out.data, (grad, _) = rule(MATH, self.data, number)
            out.children, out.local_grads = (self,), _ONE.get(grad) or (grad,)
            out.constants = right_constant(number)
        out.grad, out.label, out.op = 0.0, "", name
        return out

    return method


def reflected(
    name: str, rule: Rule, check: Check, overflow: str | None
) -> Callable[[Any, Any], Any]:
    """The method of ``number <op> value`` (``1 - a``): the rule with the number first."""

    def method(self: Any, other: Any) -> Any:
        number = other if type(other) is float else real_number(other)
        if number is None:
            return NotImplemented
        c = left_constant(number)
        if overflow is not None:
            return make(type(self), name, rule, check, overflow, (number, self.data), (self,), c)
        if check is not None:
            check((number, self.data), c)
        data, (_, grad) = rule(MATH, number, self.data)
        out = _new(type(self))
        out.data, out.grad, out.label, out.op = data, 0.0, "", name
        out.children, out.local_grads, out.constants = (self,), _ONE.get(grad) or (grad,), c
        return out

    return method
