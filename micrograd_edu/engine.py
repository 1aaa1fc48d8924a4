"""The scalar autograd engine: :class:`Value` and the chain rule.

A :class:`Value` wraps one float. Every operation on Values returns a new Value
that remembers its ``children`` (the Values it was computed from) and their
``local_grads`` (d(out)/d(child), computed right away). :meth:`Value.backward`
walks that graph from the output back and applies the chain rule at every node:
``child.grad += local_grad * node.grad``.

Each op is written once, as a **rule** inside :class:`Value`: given its operands
as plain numbers, it returns its value and its local derivatives side by side.
``@operation("tanh")`` registers the rule in the op table :data:`OPS` and turns
it into the method ``Value.tanh``; the tape (:mod:`micrograd_edu.tape`) replays
recorded graphs with the same rules, on NumPy arrays too.

Reading order: the op table and the ops' domains, how an op makes a node
(:func:`apply`), the Value with its ops, then topological order and backward.
This module imports nothing but the standard library.
"""

from __future__ import annotations

import math as _math
from collections.abc import Callable, Iterator, Sequence
from typing import Any, cast

from ._runtime import MATH, ScalarMath, Template, gc_paused, real_number, shared_constants

# fmt: off
__all__ = ["DOMAIN", "MATH", "OPS", "OVERFLOW", "Number", "Rule", "ScalarMath", "Value",
           "ValueLike", "apply", "check_domain", "dot", "gc_paused", "op_code", "operation",
           "real_number", "sum_values"]
# fmt: on

Number = int | float
"""A plain real number (``bool`` excluded)."""

Rule = Callable[..., tuple[Any, tuple[Any, ...]]]
"""``rule(math, *operands) -> (value, local derivatives)``: every operand a number (a
float, or a NumPy array in the tape), one local derivative per operand; ``math``
holds exp, log, tanh... (:data:`MATH` for floats, the tape's NumPy twin)."""

OPS: dict[str, Rule] = {}
"""Every op of the engine: its name → its rule. Filled in by :func:`operation`."""

# ----------------------------------------------------------------------
# Domains: where an op is not defined, it raises before its rule runs. Each
# check sees the operands' numbers x and the node's constants c (None where a
# Value stands, () when all are Values) to name them in its message.
# ----------------------------------------------------------------------
Check = tuple[Callable[[Sequence[float], Template], bool], type[Exception], str]

# fmt: off
DOMAIN: dict[str, list[Check]] = {
    "log": [(lambda x, c: x[0] <= 0.0, ValueError, "log is defined only for x > 0, got x = {0!r}")],
    "sqrt": [(lambda x, c: x[0] < 0.0, ValueError, "sqrt is defined only for x >= 0, got x = {0!r}")
             ],
    "/": [
        (lambda x, c: x[1] == 0.0 and not c, ZeroDivisionError,
         "division by zero in a / b: the divisor Value is {1!r} (a = {0!r})"),
        (lambda x, c: x[1] == 0.0 and c[1] is not None, ZeroDivisionError,
         "division by zero in a / b: the divisor is {1!r}"),
        (lambda x, c: x[1] == 0.0, ZeroDivisionError,
         "division by zero in c / a: the divisor Value is {1!r} (c = {0!r})"),
    ],
    "**": [
        (lambda x, c: x[0] < 0.0 and not (c and c[1] is not None), ValueError,
         "pow: a negative base {0!r} cannot be raised to a Value exponent (the result is "
         "not a real number unless the exponent is an integer; use a number exponent)"),
        (lambda x, c: x[0] < 0.0 and not x[1].is_integer() and x[1] == x[1], ValueError,
         "pow: a negative base {0!r} needs an integer exponent, got {1!r} "
         "(the result would not be a real number)"),
        (lambda x, c: x[0] == 0.0 and x[1] < 0.0, ZeroDivisionError,
         "pow: 0.0 cannot be raised to a negative power ({1!r})"),
    ],
}
"""The ops that are not defined everywhere: op name → (when it fails, error, message)."""

OVERFLOW = {
    "exp": "exp overflow: exp({0!r}) exceeds the largest float (inputs above about 709.78 "
           "overflow)",
    "**": "pow overflow: {0!r} ** {1!r} exceeds the largest float",
}
# fmt: on
"""The messages of the ops that overflow: the engine raises instead of giving inf."""


def check_domain(name: str, x: Sequence[float], constants: Template) -> None:
    """Raise the error of the first check of ``name`` that ``x`` fails (:data:`DOMAIN`).

    >>> check_domain("log", (-1.0,), ())
    Traceback (most recent call last):
    ValueError: log is defined only for x > 0, got x = -1.0
    """
    for fails, error, message in DOMAIN.get(name, ()):
        if fails(x, constants):
            raise error(message.format(*x))


# ----------------------------------------------------------------------
# How an op makes a node: the rule runs on the operands' numbers; the node
# keeps the Value operands (children), their local derivatives, and the
# numbers (constants) so that the tape can replay the graph.
# ----------------------------------------------------------------------
_new_value = object.__new__


def _node(
    name: str, data: Any, children: tuple[Value, ...], local_grads: Any, constants: Template
) -> Value:
    out: Value = _new_value(Value)
    out.data, out.grad, out.label, out.op = data, 0.0, "", name
    out.children, out.local_grads, out.constants = children, local_grads, constants
    return out


def apply(name: str, operands: Sequence[ValueLike]) -> Value:
    """Apply the op ``name`` to ``operands`` (Values and numbers): the general case.

    >>> out = apply("*", [Value(3.0), 2.0])
    >>> out.data, out.local_grads, out.constants
    (6.0, (2.0,), (None, 2.0))
    """
    maybe = [x.data if isinstance(x, Value) else real_number(x) for x in operands]
    if None in maybe:
        bad = operands[maybe.index(None)]
        raise TypeError(f"{name}: operands must be Values or numbers, got {bad!r}")
    numbers = cast(list[float], maybe)
    children = tuple([x for x in operands if isinstance(x, Value)])
    constants: Template = ()
    if len(children) < len(numbers):
        pairs = zip(operands, numbers, strict=True)
        constants = shared_constants(tuple([None if isinstance(x, Value) else n for x, n in pairs]))
    check_domain(name, numbers, constants)
    try:
        data, grads = OPS[name](MATH, *numbers)
    except OverflowError:
        raise OverflowError(OVERFLOW[name].format(*numbers)) from None
    if name in OVERFLOW and abs(data) == _math.inf and all(map(_math.isfinite, numbers)):
        raise OverflowError(OVERFLOW[name].format(*numbers))
    if constants:
        grads = tuple([g for g, c in zip(grads, constants, strict=True) if c is None])
        grads = _ONE.get(grads[0], grads) if len(grads) == 1 else grads
        if name == "**" and constants[1] is not None:  # micrograd's name for a ** 2: "**2"
            name = _POWER_NAMES.get(constants[1]) or f"**{constants[1]:g}"
    return _node(name, data, children, grads, constants)


_POWER_NAMES = {float(k): f"**{k}" for k in range(-4, 5)}


def operation(name: str) -> Callable[[Rule], Callable[..., Value]]:
    """Register a rule as the op ``name`` in :data:`OPS`; return it as a Value method.

    The method runs the rule on its operands' numbers and makes the node
    (:func:`apply`); ops without a domain check take a fast path.
    """

    def register(rule: Rule) -> Callable[..., Value]:
        OPS[name] = rule
        method = _fast_method(name, rule)
        method.__name__, method.__qualname__ = rule.__name__, f"Value.{rule.__name__}"
        method.__doc__ = rule.__doc__
        return method

    return register


def _fast_method(name: str, rule: Rule) -> Callable[..., Any]:
    """:func:`apply` for one Value, or a Value and a Value or a number, in fewer steps."""
    if name in DOMAIN or name in OVERFLOW:
        return lambda self, *other: (
            NotImplemented if other and not _operand(other[0]) else apply(name, (self, *other))
        )
    if rule.__code__.co_argcount == 2:

        def unary(self: Value) -> Value:
            data, grads = rule(MATH, self.data)
            return _node(name, data, (self,), grads, ())

        return unary

    def binary(self: Value, other: Any) -> Any:
        if isinstance(other, Value):
            data, grads = rule(MATH, self.data, other.data)
            return _node(name, data, (self, other), grads, ())
        number = other if type(other) is float else real_number(other)
        if number is None:
            return NotImplemented
        data, (grad, _) = rule(MATH, self.data, number)
        return _node(
            name, data, (self,), _ONE.get(grad) or (grad,), shared_constants((None, number))
        )

    return binary


_ONE = {1.0: (1.0,), -1.0: (-1.0,)}  # a node's local_grads, shared


def _operand(x: object) -> bool:
    return isinstance(x, Value) or real_number(x) is not None


def reflected(name: str) -> Callable[[Value, Any], Value]:
    """The method for ``number <op> value`` (``__rsub__`` …): the same rule, operands swapped."""
    return lambda self, other: NotImplemented if not _operand(other) else apply(name, (other, self))


# ----------------------------------------------------------------------
# The Value
# ----------------------------------------------------------------------
class Value:
    """A scalar node of a computation graph: ``Value(data, label="")``.

    ``data`` is any real number (``int``, ``float``, NumPy scalar), stored as a
    float; NaN and infinity propagate as IEEE 754 says. ``label`` names it in
    ``repr`` and drawings. Attributes: ``data``; ``grad`` (d output/d this node,
    filled in by :meth:`backward`); ``label``; ``op`` (``""`` for a leaf);
    ``children`` (the Value operands, in order); ``local_grads`` (d this
    node/d child, one per child); ``constants`` (``()`` if every operand was a
    Value, else every operand with None for the Values: ``(None, 3.0)`` for
    ``a + 3``, so that the tape can replay the graph exactly).

    >>> a = Value(2.0, label="a")
    >>> b = Value(-3.0, label="b")
    >>> c = a * b + a
    >>> c.backward()
    >>> c.data, a.grad, b.grad
    (-4.0, -2.0, 2.0)
    """

    __slots__ = ("children", "constants", "data", "grad", "label", "local_grads", "op")

    # NumPy: let our reflected operators handle ``numpy.float64(2.0) * value``
    # instead of NumPy turning the Value into an object array.
    __array_ufunc__ = None

    data: float
    grad: float
    label: str
    op: str
    children: tuple[Value, ...]
    local_grads: tuple[float, ...]
    constants: Template

    def __init__(self, data: Number, label: str = "") -> None:
        number = real_number(data)
        if number is None:
            raise TypeError(
                f"Value() needs a real number (int or float), got {type(data).__name__}: {data!r}"
            )
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}: {label!r}")
        self.data, self.grad, self.label, self.op = number, 0.0, label, ""
        self.children, self.local_grads, self.constants = (), (), ()

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label})"

    # micrograd's names: v._prev, v._op, and one chain-rule step v._backward()
    @property
    def _prev(self) -> set[Value]:
        return set(self.children)

    @property
    def _op(self) -> str:
        return self.op

    def _backward(self) -> None:
        for child, local_grad in zip(self.children, self.local_grads, strict=True):
            child.grad += local_grad * self.grad

    # ------------------------------------------------------------------
    # The ops. Each rule gets its operands as numbers (a, b) and returns
    # its value and its local derivatives (d/da, d/db). `a + 3` runs the
    # rule of + on (a, 3.0); the node keeps only d/da, the slope in its
    # Value. `math` holds exp, log, tanh... (floats here, arrays in the tape).
    # ------------------------------------------------------------------
    @operation("+")
    def __add__(math: Any, a: Any, b: Any) -> Any:
        """a + b.  d/da = 1, d/db = 1."""
        return a + b, (1.0, 1.0)

    @operation("-")
    def __sub__(math: Any, a: Any, b: Any) -> Any:
        """a − b.  d/da = 1, d/db = −1."""
        return a - b, (1.0, -1.0)

    @operation("*")
    def __mul__(math: Any, a: Any, b: Any) -> Any:
        """a · b.  d/da = b, d/db = a."""
        return a * b, (b, a)

    @operation("/")
    def __truediv__(math: Any, a: Any, b: Any) -> Any:
        """a / b.  d/da = 1/b, d/db = −a/b²  (as −(a/b)/b: b·b underflows for tiny b)."""
        out = a / b
        return out, (1.0 / b, -out / b)

    @operation("**")
    def __pow__(math: Any, a: Any, k: Any) -> Any:
        """a ** k.  d/da = k · a^(k−1),  d/dk = a^k · ln a  (0 where a = 0)."""
        out = math.pow(a, k)
        da = math.where(k == 0.0, 0.0, k * math.pow(a, k - 1.0))
        return out, (da, out * math.log(a + (a == 0.0)))

    __radd__, __rmul__ = __add__, __mul__
    __rsub__, __rtruediv__, __rpow__ = reflected("-"), reflected("/"), reflected("**")

    @operation("neg")
    def __neg__(math: Any, a: Any) -> Any:
        """−a.  d/da = −1."""
        return -a, (-1.0,)

    @operation("exp")
    def exp(math: Any, a: Any) -> Any:
        """e^a.  d/da = e^a: the output itself."""
        out = math.exp(a)
        return out, (out,)

    @operation("log")
    def log(math: Any, a: Any) -> Any:
        """ln a  (a > 0).  d/da = 1/a."""
        return math.log(a), (1.0 / a,)

    @operation("sqrt")
    def sqrt(math: Any, a: Any) -> Any:
        """√a  (a ≥ 0).  d/da = 1 / (2√a), infinite at a = 0."""
        out = math.sqrt(a)
        return out, (math.divide(0.5, out),)

    @operation("tanh")
    def tanh(math: Any, a: Any) -> Any:
        """tanh a.  d/da = 1 − tanh²a."""
        t = math.tanh(a)
        return t, (1.0 - t * t,)

    @operation("sigmoid")
    def sigmoid(math: Any, a: Any) -> Any:
        """σ(a) = 1 / (1 + e^−a).  d/da = σ(a) · (1 − σ(a))."""
        s = math.sigmoid(a)
        return s, (s * (1.0 - s),)

    @operation("relu")
    def relu(math: Any, a: Any) -> Any:
        """max(0, a).  d/da = 1 if a > 0 else 0 (the step function); NaN stays NaN."""
        return math.maximum(a, 0.0), (math.step(a),)

    @operation("abs")
    def __abs__(math: Any, a: Any) -> Any:
        """|a|.  d/da = sign(a): 0 at a = 0, as in PyTorch."""
        return math.abs(a), (math.sign(a),)

    abs = __abs__

    @operation("leaky_relu")
    def _leaky_relu(math: Any, a: Any, s: Any) -> Any:
        """a if a > 0 else s·a.  d/da = 1 if a > 0 else s,  d/ds = min(a, 0)."""
        step = math.step(a)
        low = math.minimum(a, 0.0)
        return math.maximum(a, 0.0) + s * low, (step + s * (1.0 - step), low)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """a if a > 0 else slope · a; ``slope`` is a number (a hyperparameter), not a Value."""
        if real_number(slope) is None:
            raise TypeError(
                f"leaky_relu: slope must be a number (a fixed hyperparameter), "
                f"got {type(slope).__name__}: {slope!r}"
            )
        return apply("leaky_relu", (self, slope))

    # ------------------------------------------------------------------
    # Backpropagation
    # ------------------------------------------------------------------
    def topological_order(self) -> list[Value]:
        """Every node this Value depends on, each after all of its children.

        An iterative depth-first search (no recursion, so a chain of a million
        nodes is fine): a node is appended once all of its children have been.
        Walking the list backwards therefore meets every node before any of the
        nodes it was computed from.

        >>> x = Value(2.0, label="x")
        >>> [v.label or v.op for v in (x * x + 1).topological_order()]
        ['x', '*', '+']
        """
        order: list[Value] = []
        visited: set[Value] = {self}
        # Each stack entry is a node and an iterator over its children not yet
        # looked at; the top of the stack is the node being explored.
        stack: list[tuple[Value, Iterator[Value]]] = [(self, iter(self.children))]
        while stack:
            node, children = stack[-1]
            for child in children:
                if child not in visited:
                    visited.add(child)
                    stack.append((child, iter(child.children)))
                    break  # explore this child first, come back to `node` later
            else:  # every child of `node` is in `order`: node can follow them
                stack.pop()
                order.append(node)
        return order

    def backward(self) -> None:
        """Fill in ``grad`` = d(self)/d(node) for every node of the graph.

        1. Order the graph topologically (:meth:`topological_order`).
        2. Reset the grad of every *computed* node to 0 and add 1 to this
           output's grad (d self / d self = 1).
        3. Walk the order backwards, applying the chain rule at each node:
           ``child.grad += local_grad * node.grad``. A node reached by several
           paths receives the sum of their contributions.

        Leaf Values (inputs, parameters) *accumulate* over calls, as in
        PyTorch: training loops call ``zero_grad()`` before each backward pass.

        >>> x = Value(3.0)
        >>> y = x * x
        >>> y.backward()
        >>> x.grad
        6.0
        """
        with gc_paused():
            order = self.topological_order()
            for node in order:
                if node.children:
                    node.grad = 0.0
            self.grad += 1.0
            for node in reversed(order):
                grad = node.grad
                for child, local_grad in zip(node.children, node.local_grads, strict=True):
                    child.grad += local_grad * grad


ValueLike = Value | int | float
"""Anything an operation accepts as an operand: a Value or a plain number."""


def op_code(node: Value) -> str:
    """The key of ``node``'s rule in :data:`OPS` (``a ** 2`` is drawn as ``**2``).

    >>> op_code(Value(3.0) ** 2)
    '**'
    """
    return "**" if node.op.startswith("**") else node.op


# The n-ary ops, one node for a whole sum (a neuron's w·x + b): micrograd_edu.sums.
from .sums import dot, sum_values  # noqa: E402  (sums builds on Value and apply)
