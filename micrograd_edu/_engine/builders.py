"""The Value methods made from the op rules: :func:`micrograd_edu.engine.apply`, written out.

``engine.apply`` is the general case: any number of operands, Values and
numbers. An op method has one or two operands, so the same steps (check the
domain, run the rule on the numbers, keep the Value operands' local
derivatives, make the node) are written out here for each case, without the
loops: this file is the engine's speed, ``engine.py`` its explanation
(:func:`micrograd_edu.engine.make_methods` calls :func:`fast_method` for each rule).
tests/engine/test_fast_equals_apply.py checks every method against ``apply``.

A node keeps its op and constants in one slot, ``_kind``: the pair ``(op,
constants)``, shared by every node of the same kind (:func:`node_kind`). An op
with no number operand makes its pair once, with the method; ``value <op>
number`` looks its pair up by the number in the method's own table.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Sequence
from typing import Any

from .declare import Declared, Rule
from .domains import DOMAIN, OVERFLOW
from .runtime import (
    MATH,
    RENAMED,
    Kind,
    Template,
    left_constant,
    node_kind,
    real_number,
    remember_kind,
    right_constant,
)

__all__ = [
    "LEAF",
    "Node",
    "binary",
    "by_apply",
    "fast_method",
    "make",
    "reflected",
    "shown_as_rule",
    "unary",
]

Check = Callable[[Sequence[float], Template], None] | None

_new = object.__new__
_ONE = {1.0: (1.0,), -1.0: (-1.0,)}  # shared local_grads of one child
_INFINITE = {math.inf, -math.inf}


class Node:
    """What a :class:`~micrograd_edu.engine.Value` keeps of its op: ``op`` and ``constants``.

    Both live in one slot, ``_kind``, as the pair ``(op, constants)`` shared by
    every node of that kind: a node is one pointer smaller than with two slots.

    >>> from micrograd_edu.engine import Value
    >>> a, b = Value(2.0) * 0.5, Value(3.0) * 0.5
    >>> a.op, a.constants, a._kind is b._kind
    ('*', (None, 0.5), True)
    """

    __slots__ = ("_kind",)

    _kind: Kind

    @property
    def op(self) -> str:
        """The name of the op that made this node (``"+"``, ``"tanh"``); ``""`` for a leaf."""
        return self._kind[0]

    @op.setter
    def op(self, op: str) -> None:
        self._kind = (op, self._kind[1])  # set by hand: a pair of its own

    @property
    def constants(self) -> Template:
        """The operands as numbers, None for the Values (``(None, 3.0)`` for ``a + 3``);
        ``()`` if every operand is a Value."""
        return self._kind[1]

    @constants.setter
    def constants(self, constants: Template) -> None:
        self._kind = (self._kind[0], constants)


LEAF = node_kind("", ())
"""The kind of every leaf: no op, no constants."""


def make(
    cls: type[Any],
    name: str,
    rule: Rule,
    check: Check,
    overflow: str | None,
    x: Sequence[float],
    children: tuple[Any, ...],
    constants: Template,
    kind: Kind | None = None,
) -> Any:
    """The node of op ``name`` on the numbers ``x``: check, rule, keep the Values' slopes.

    ``overflow`` is the message of an op that overflows (the engine raises
    instead of giving inf); ``kind`` is ``(name, constants)`` if already made.
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
    out.data, out.grad, out.label, out._kind = data, 0.0, "", kind or node_kind(name, constants)
    out.children, out.local_grads = children, grads
    return out


def unary(name: str, rule: Rule, check: Check, overflow: str | None) -> Callable[[Any], Any]:
    """The method of a one-operand op (``a.tanh()``)."""
    kind = node_kind(name, ())
    if check is not None or overflow is not None:
        return lambda self: make(
            type(self), name, rule, check, overflow, (self.data,), (self,), (), kind
        )

    def method(self: Any) -> Any:
        data, grads = rule(MATH, self.data)
        out = _new(type(self))
        out.data, out.grad, out.label, out._kind = data, 0.0, "", kind
        out.children, out.local_grads = (self,), grads
        return out

    return method


def binary(
    name: str,
    rule: Rule,
    check: Check,
    overflow: str | None,
    rename: Callable[[float], str] | None = None,
) -> Callable[[Any, Any], Any]:
    """The method of a two-operand op (``a * b``, ``a * 2``).

    ``rename(number)`` is the op name of ``value <op> number`` (micrograd's ``**2``).
    """
    pair = node_kind(name, ())  # the kind of value <op> value
    if overflow is not None or rename is not None:

        def general(self: Any, other: Any) -> Any:
            cls = type(self)
            if isinstance(other, cls):
                x = (self.data, other.data)
                return make(cls, name, rule, check, overflow, x, (self, other), (), pair)
            number = other if type(other) is float else real_number(other)
            if number is None:
                return NotImplemented
            op = name if rename is None else rename(number)
            c = right_constant(number)
            return make(cls, op, rule, check, overflow, (self.data, number), (self,), c)

        return general

    if check is None:
        return _fast_binary(name, rule, pair)
    kinds: dict[float, Kind] = {}  # below, check is the op's domain check (never None)

    def method(self: Any, other: Any) -> Any:
        if isinstance(other, type(self)):
            check((self.data, other.data), ())
            data, grads = rule(MATH, self.data, other.data)
            children: tuple[Any, ...] = (self, other)
            kind = pair
        else:
            number = other if type(other) is float else real_number(other)
            if number is None:
                return NotImplemented
            kind = kinds.get(number) or remember_kind(kinds, number, name, right_constant(number))
            check((self.data, number), kind[1])
            data, (grad, _) = rule(MATH, self.data, number)
            children, grads = (self,), _ONE.get(grad) or (grad,)
        out = _new(type(self))
        out.data, out.grad, out.label, out._kind = data, 0.0, "", kind
        out.children, out.local_grads = children, grads
        return out

    return method


def _fast_binary(name: str, rule: Rule, pair: Kind) -> Callable[[Any, Any], Any]:
    kinds: dict[float, Kind] = {}

    def method(self: Any, other: Any) -> Any:
        out = _new(type(self))
        if isinstance(other, type(self)):
            out.data, out.local_grads = rule(MATH, self.data, other.data)
            out.children, out._kind = (self, other), pair
        else:
            number = other if type(other) is float else real_number(other)
            if number is None:
                return NotImplemented
            out.data, (grad, _) = rule(MATH, self.data, number)
            out.children, out.local_grads = (self,), _ONE.get(grad) or (grad,)
            out._kind = kinds.get(number) or remember_kind(
                kinds, number, name, right_constant(number)
            )
        out.grad, out.label = 0.0, ""
        return out

    return method


def reflected(
    name: str, rule: Rule, check: Check, overflow: str | None
) -> Callable[[Any, Any], Any]:
    """The method of ``number <op> value`` (``1 - a``): the rule with the number first."""
    kinds: dict[float, Kind] = {}

    def method(self: Any, other: Any) -> Any:
        number = other if type(other) is float else real_number(other)
        if number is None:
            return NotImplemented
        kind = kinds.get(number) or remember_kind(kinds, number, name, left_constant(number))
        c = kind[1]
        if overflow is not None:
            x = (number, self.data)
            return make(type(self), name, rule, check, overflow, x, (self,), c, kind)
        if check is not None:
            check((number, self.data), c)
        data, (_, grad) = rule(MATH, number, self.data)
        out = _new(type(self))
        out.data, out.grad, out.label, out._kind = data, 0.0, "", kind
        out.children, out.local_grads = (self,), _ONE.get(grad) or (grad,)
        return out

    return method


def fast_method(op: Declared) -> Callable[..., Any]:
    """The fast method of the marked rule ``op``: :func:`unary`, :func:`binary` or
    :func:`reflected`, with the op's domain check and overflow message (:mod:`.domains`)."""
    check, overflow = DOMAIN.get(op.name), OVERFLOW.get(op.name)
    if op.reflected:
        return reflected(op.name, op.rule, check, overflow)
    if op.arity == 1:
        return unary(op.name, op.rule, check, overflow)
    return binary(op.name, op.rule, check, overflow, RENAMED.get(op.name))


def by_apply(apply: Callable[[str, Sequence[Any]], Any], op: Declared) -> Callable[..., Any]:
    """The method of the marked rule ``op`` as ``apply`` alone (``MICROGRAD_EDU_ENGINE=apply``).

    Like the fast methods, it returns ``NotImplemented`` for an operand that is
    neither a node nor a real number (Python then raises its usual ``TypeError``).
    """
    name, number_first = op.name, op.reflected
    if op.arity == 1:
        return lambda self: apply(name, (self,))

    def method(self: Any, other: Any) -> Any:
        node = isinstance(other, type(self)) and not number_first  # 2 - a: other is a number
        if not node and real_number(other) is None:
            return NotImplemented
        return apply(name, (other, self) if number_first else (self, other))

    return method


_SELF = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
_OTHER = inspect.Parameter("other", inspect.Parameter.POSITIONAL_OR_KEYWORD)
_SIGNATURES = {1: inspect.Signature([_SELF]), 2: inspect.Signature([_SELF, _OTHER])}


_SYMBOLS = {"-": "−"}  # how the rules' docstrings write an op (a − b)


def shown_as_rule(method: Callable[..., Any], op: Declared, attribute: str) -> Callable[..., Any]:
    """``method``, shown as the rule it was made from: ``help``, ``inspect.getsource``
    and IPython's ``??`` follow ``__wrapped__`` to the rule; name, qualified name,
    module and docstring are the rule's; the signature is the method's own.

    A reflected method (``number <op> value``) keeps its own name, ``attribute``
    (``__rsub__``, not ``__sub__``), and its docstring says that the number comes
    first, before the rule's: ``2 - a`` is the rule of ``-`` with ``a`` second.
    """
    functools.update_wrapper(method, op.rule)
    method.__signature__ = _SIGNATURES[op.arity]  # type: ignore[attr-defined]
    if op.reflected:
        owner = op.rule.__qualname__.rpartition(".")[0]
        method.__name__ = attribute
        method.__qualname__ = f"{owner}.{attribute}" if owner else attribute
        symbol = _SYMBOLS.get(op.name, op.name)
        method.__doc__ = (
            f"number first: 2 {symbol} a, the rule of {symbol} with the operands swapped."
        )
        if op.rule.__doc__:
            method.__doc__ += f"\n\nThe rule, run on (the number, this Value): {op.rule.__doc__}"
    return method
