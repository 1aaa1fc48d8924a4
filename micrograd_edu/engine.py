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

Reading order: the op table and the domains, how an op makes a node (:func:`apply`),
the Value with its ops, topological order and backward. Standard library only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ._engine import builders as _methods
from ._engine.runtime import MATH, ScalarMath, Template, gc_paused, real_number, shared_constants

# fmt: off
__all__ = ["DOMAIN", "MATH", "OPS", "OVERFLOW", "Number", "Rule", "ScalarMath", "Value",
           "ValueLike", "apply", "check_domain", "dot", "gc_paused", "op_code", "operation",
           "real_number", "sum_values"]
# fmt: on

Number = int | float  # a plain real number (bool excluded)

Rule = Callable[..., tuple[Any, tuple[Any, ...]]]
"""``rule(math, *operands) -> (value, local derivatives)``: every operand a number (a
float, or a NumPy array in the tape), one local derivative per operand; ``math``
holds exp, log, tanh... (:data:`MATH` for floats, the tape's NumPy twin)."""

OPS: dict[str, Rule] = {}
"""Every op of the engine: its name → its rule. Filled in by :func:`operation`."""

# Domains: where an op is not defined, it raises before its rule runs. A check gets
# the operands' numbers x and the node's constants c, to name them in its message.
Check = Callable[[Sequence[float], Template], None]


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


# ----------------------------------------------------------------------
# How an op makes a node: the rule runs on the operands' numbers; the node
# keeps the Value operands (children), their local derivatives, and the
# numbers (constants) so that the tape can replay the graph.
# ----------------------------------------------------------------------
def apply(name: str, operands: Sequence[ValueLike]) -> Value:
    """Apply the op ``name`` to ``operands`` (Values and numbers): the general case.

    Every operand goes to the rule as a number; the node keeps the Values as
    ``children`` with their local derivatives, the numbers in ``constants``.

    >>> out = apply("*", [Value(3.0), 2.0])
    >>> out.data, out.local_grads, out.constants
    (6.0, (2.0,), (None, 2.0))
    """
    numbers: list[float] = []
    template: list[float | None] = []
    for x in operands:
        number = x.data if isinstance(x, Value) else real_number(x)
        if number is None:
            raise TypeError(f"{name}: operands must be Values or numbers, got {x!r}")
        numbers.append(number)
        template.append(None if isinstance(x, Value) else number)
    children = tuple([x for x in operands if isinstance(x, Value)])
    constants = shared_constants(tuple(template)) if len(children) < len(numbers) else ()
    rule, check, overflow = OPS[name], DOMAIN.get(name), OVERFLOW.get(name)
    node: Value = _methods.make(Value, name, rule, check, overflow, numbers, children, constants)
    return node


def operation(name: str) -> Callable[[Rule], Callable[..., Value]]:
    """Register a rule as the op ``name`` in :data:`OPS`; return it as a Value method
    (what :func:`apply` does, for one or two operands)."""

    def register(rule: Rule) -> Callable[..., Value]:
        OPS[name] = rule
        check, overflow = DOMAIN.get(name), OVERFLOW.get(name)
        method: Callable[..., Value]
        if rule.__code__.co_argcount == 2:
            method = _methods.unary(name, rule, check, overflow)
        else:
            method = _methods.binary(name, rule, check, overflow, _RENAME.get(name))
        method.__name__, method.__qualname__ = rule.__name__, f"Value.{rule.__name__}"
        method.__doc__ = rule.__doc__
        return method

    return register


def reflected(name: str) -> Callable[[Value, Any], Value]:
    """The method of ``number <op> value`` (``__rsub__`` …): the same rule, number first."""
    return _methods.reflected(name, OPS[name], DOMAIN.get(name), OVERFLOW.get(name))


def _power_name(k: float) -> str:
    """micrograd's name for ``a ** 2``: ``**2``."""
    return _POWER_NAMES.get(k) or f"**{k:g}"


_POWER_NAMES = {float(k): f"**{k}" for k in range(-4, 5)}
_RENAME = {"**": _power_name}


# ----------------------------------------------------------------------
# The Value
# ----------------------------------------------------------------------
class Value(_methods.Node):
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

    # op and constants are kept by Node (_methods.py): one tuple (op, constants)
    # shared by 100,000 nodes `x * 0.5`, instead of two slots in each node.
    __slots__ = ("children", "data", "grad", "label", "local_grads")

    __array_ufunc__ = None  # numpy.float64(2.0) * value: our __rmul__, not an object array

    data: float
    grad: float
    label: str
    children: tuple[Value, ...]
    local_grads: tuple[float, ...]

    def __init__(self, data: Number, label: str = "") -> None:
        number = real_number(data)
        if number is None:
            raise TypeError(
                f"Value() needs a real number (int or float), got {type(data).__name__}: {data!r}"
            )
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}: {label!r}")
        self.data, self.grad, self.label, self._kind = number, 0.0, label, _methods.LEAF
        self.children, self.local_grads = (), ()

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label})"

    # micrograd's names: v._prev, v._op, and one chain-rule step v._backward()
    _prev = property(lambda self: set(self.children))
    _op = property(lambda self: self.op)

    def _backward(self) -> None:
        for child, local_grad in zip(self.children, self.local_grads, strict=True):
            child.grad += local_grad * self.grad

    # ------------------------------------------------------------------
    # The ops. Each rule gets its operands as numbers (a, b) and returns its value
    # and its local derivatives (d/da, d/db); `a + 3` runs the rule of + on (a, 3.0)
    # and the node keeps d/da. `math`: exp, log, tanh... (floats; arrays in the tape).
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
        """a ** k.  d/da = k · a^(k−1),  d/dk = a^k · ln a  (0 where a ≤ 0)."""
        out = math.pow(a, k)
        da = math.where(k == 0.0, 0.0, k * math.pow(a, k - 1.0))
        return out, (da, out * math.log(math.maximum(a, 0.0) + (a <= 0.0)))

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

        An iterative depth-first search (a chain of a million nodes is fine): a
        node is appended once all of its children have been.

        >>> x = Value(2.0, label="x")
        >>> [v.label or v.op for v in (x * x + 1).topological_order()]
        ['x', '*', '+']
        """
        order: list[Value] = []
        visited: set[Value] = {self}
        # Each entry: a node and an iterator over its children not yet looked at.
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

        Order the graph (:meth:`topological_order`), reset the computed nodes'
        grads, seed d self/d self = 1, then walk the order backwards applying the
        chain rule ``child.grad += local_grad * node.grad`` (a node reached by
        several paths gets the sum). Leaves *accumulate* over calls, as in PyTorch.

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
