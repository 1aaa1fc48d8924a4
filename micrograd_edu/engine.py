"""The scalar autograd engine: :class:`Value` and the chain rule.

A :class:`Value` wraps one float. Every operation on Values returns a new
Value that remembers

* ``children``    -- the Values it was computed from, in order, and
* ``local_grads`` -- the *local derivatives* d(out)/d(child), one per child,
  computed right away, while the inputs are at hand.

So an expression builds a graph. :meth:`Value.backward` then walks that graph
from the output back to the inputs and applies the chain rule at every node::

    child.grad += local_grad * node.grad

That single line is all of backpropagation: each op only has to say how its
output changes when one input changes a little (its local derivative), and
the chain rule multiplies those local slopes along every path.

What each op computes is written once, in the op table :data:`OPS`: for every
op a *rule* that returns its value and its local derivatives, side by side.
The Value methods check their operands and call it; the tape
(:mod:`micrograd_edu.tape`) replays recorded graphs with the same rules.

This module imports nothing but the standard library.
"""

from __future__ import annotations

import gc
import math
import numbers
import operator
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import repeat
from typing import Any

__all__ = [
    "MATH",
    "OPS",
    "Number",
    "Rule",
    "ScalarMath",
    "Value",
    "ValueLike",
    "dot",
    "dot_layout",
    "gc_paused",
    "op_code",
    "sum_values",
]

Number = int | float
"""A plain real number (``bool`` excluded)."""


def _number_or_none(x: object) -> float | None:
    """Return ``x`` as a float if it is a real number, else None.

    Real numbers are ``int``, ``float`` and everything registered as
    :class:`numbers.Real` (``numpy.float64``, ``numpy.float32``, ``numpy.int64``).
    ``bool`` is refused: ``Value(True)`` is almost always a mistake.
    """
    if isinstance(x, float):
        return float(x)
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return None
    return float(x)


class Value:
    """A scalar node of a computation graph.

    Parameters
    ----------
    data:
        The number this node holds. Any real number (``int``, ``float``,
        NumPy scalar); it is stored as a Python ``float``. NaN and infinity are
        allowed and propagate as IEEE 754 says.
    label:
        An optional name shown by ``repr`` and by graph drawings.

    Attributes
    ----------
    data : float
        The value computed in the forward pass.
    grad : float
        d(output)/d(this node), filled in by :meth:`backward`; starts at 0.0.
    label : str
        A name for drawings; settable at any time.
    op : str
        The operation that produced this node (``""`` for a leaf).
    children : tuple[Value, ...]
        The Values this node was computed from, in order.
    local_grads : tuple[float, ...]
        d(this node)/d(child) for each child, in the same order.
    constants : tuple[float, ...]
        The plain numbers the op used besides its children (the ``3`` of
        ``a + 3``), so that the graph can be replayed exactly
        (:mod:`micrograd_edu.tape`); ``()`` for most ops.

    Examples
    --------
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
    constants: tuple[float, ...]

    def __init__(self, data: Number, label: str = "") -> None:
        number = _number_or_none(data)
        if number is None:
            raise TypeError(
                f"Value() needs a real number (int or float), got {type(data).__name__}: {data!r}"
            )
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}: {label!r}")
        self.data = number
        self.grad = 0.0
        self.label = label
        self.op = ""
        self.children = ()
        self.local_grads = ()
        self.constants = ()

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label})"

    # ------------------------------------------------------------------
    # Compatibility with the micrograd lecture code
    # ------------------------------------------------------------------
    @property
    def _prev(self) -> set[Value]:
        """The children as a set, as micrograd names them (``v._prev``)."""
        return set(self.children)

    @property
    def _op(self) -> str:
        """The op name, as micrograd names it (``v._op``)."""
        return self.op

    def _backward(self) -> None:
        """One chain-rule step: pass this node's grad on to its children.

        ``child.grad += d(self)/d(child) * self.grad`` for every child. The
        micrograd lecture calls this by hand on one node at a time;
        :meth:`backward` does the same for every node in topological order.
        """
        grad = self.grad
        for child, local_grad in zip(self.children, self.local_grads, strict=True):
            child.grad += local_grad * grad

    # ------------------------------------------------------------------
    # Arithmetic. A plain-number operand never becomes a graph node: the
    # new node has only the Value operands as children, and keeps the number
    # in ``constants``. The math of every op (its value and its local
    # derivatives) is in the op table, :data:`OPS`, below the class; the
    # methods check their operands and call it.
    # ------------------------------------------------------------------
    def __add__(self, other: ValueLike) -> Value:
        """a + b.  d/da = 1, d/db = 1."""
        if isinstance(other, Value):
            return _make("+", (self, other), (self.data, other.data))
        number = _number_or_none(other)
        if number is None:
            return NotImplemented
        return _make("+", (self,), (self.data,), _constant(number))

    __radd__ = __add__

    def __sub__(self, other: ValueLike) -> Value:
        """a - b.  d/da = 1, d/db = -1."""
        if isinstance(other, Value):
            return _make("-", (self, other), (self.data, other.data))
        number = _number_or_none(other)
        if number is None:
            return NotImplemented
        return _make("-", (self,), (self.data,), _constant(number))

    def __rsub__(self, other: Number) -> Value:
        """c - a for a number c.  d/da = -1."""
        number = _number_or_none(other)
        if number is None:
            return NotImplemented
        return _make("rsub", (self,), (self.data,), _constant(number))

    def __mul__(self, other: ValueLike) -> Value:
        """a * b.  d/da = b, d/db = a."""
        if isinstance(other, Value):
            return _make("*", (self, other), (self.data, other.data))
        number = _number_or_none(other)
        if number is None:
            return NotImplemented
        return _make("*", (self,), (self.data,), _constant(number))

    __rmul__ = __mul__

    def __truediv__(self, other: ValueLike) -> Value:
        """a / b.  d/da = 1/b, d/db = -a/b²."""
        if isinstance(other, Value):
            if other.data == 0.0:
                raise ZeroDivisionError(
                    f"division by zero in a / b: the divisor Value is {other.data!r} "
                    f"(a = {self.data!r})"
                )
            return _make("/", (self, other), (self.data, other.data))
        number = _number_or_none(other)
        if number is None:
            return NotImplemented
        if number == 0.0:
            raise ZeroDivisionError(f"division by zero in a / b: the divisor is {number!r}")
        return _make("/", (self,), (self.data,), _constant(number))

    def __rtruediv__(self, other: Number) -> Value:
        """c / a for a number c.  d/da = -c/a²."""
        number = _number_or_none(other)
        if number is None:
            return NotImplemented
        if self.data == 0.0:
            raise ZeroDivisionError(
                f"division by zero in c / a: the divisor Value is {self.data!r} (c = {number!r})"
            )
        return _make("rdiv", (self,), (self.data,), _constant(number))

    def __neg__(self) -> Value:
        """-a.  d/da = -1."""
        return _make("neg", (self,), (self.data,))

    def __pow__(self, exponent: ValueLike) -> Value:
        """a ** k.

        With a number k:        d/da = k · a^(k-1).
        With a Value k (a ≥ 0): d/da = k · a^(k-1),  d/dk = a^k · ln a.
        A negative base needs an integer number exponent (otherwise the
        result is not a real number).
        """
        a = self.data
        if isinstance(exponent, Value):
            if a < 0.0:
                raise ValueError(
                    f"pow: a negative base {a!r} cannot be raised to a Value exponent "
                    "(the result is real only for integer exponents; use a number exponent)"
                )
            return _make_pow("pow", (self, exponent), (a, exponent.data), ())
        k = _number_or_none(exponent)
        if k is None:
            return NotImplemented
        if a < 0.0 and not k.is_integer() and not math.isnan(k):
            raise ValueError(
                f"pow: a negative base {a!r} needs an integer exponent, got {k!r} "
                "(the result would not be a real number)"
            )
        return _make_pow("**", (self,), (a,), _constant(k))

    def __rpow__(self, base: Number) -> Value:
        """c ** a for a number c ≥ 0.  d/da = c^a · ln c."""
        c = _number_or_none(base)
        if c is None:
            return NotImplemented
        if c < 0.0:
            raise ValueError(
                f"pow: a negative base {c!r} cannot be raised to a Value exponent "
                "(use a positive base)"
            )
        return _make_pow("pow", (self,), (self.data,), _constant(c))

    # ------------------------------------------------------------------
    # Functions of one input
    # ------------------------------------------------------------------
    def exp(self) -> Value:
        """e^a.  d/da = e^a (the output itself)."""
        try:
            return _make("exp", (self,), (self.data,))
        except OverflowError:
            raise OverflowError(
                f"exp overflow: exp({self.data!r}) exceeds the largest float "
                "(inputs above about 709.78 overflow)"
            ) from None

    def log(self) -> Value:
        """ln a, for a > 0.  d/da = 1/a."""
        if self.data <= 0.0:
            raise ValueError(f"log is defined only for x > 0, got x = {self.data!r}")
        return _make("log", (self,), (self.data,))

    def sqrt(self) -> Value:
        """√a, for a ≥ 0.  d/da = 1 / (2√a)  (infinite at a = 0)."""
        if self.data < 0.0:
            raise ValueError(f"sqrt is defined only for x >= 0, got x = {self.data!r}")
        return _make("sqrt", (self,), (self.data,))

    def tanh(self) -> Value:
        """tanh a.  d/da = 1 − tanh²a."""
        return _make("tanh", (self,), (self.data,))

    def sigmoid(self) -> Value:
        """σ(a) = 1 / (1 + e^−a).  d/da = σ(a) · (1 − σ(a))."""
        return _make("sigmoid", (self,), (self.data,))

    def relu(self) -> Value:
        """max(0, a).  d/da = 1 if a > 0 else 0.  NaN stays NaN (value and slope)."""
        return _make("relu", (self,), (self.data,))

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """a if a > 0 else slope · a.  d/da = 1 if a > 0 else slope.

        ``slope`` is a fixed number (a hyperparameter), not a Value.
        """
        s = _number_or_none(slope)
        if s is None:
            raise TypeError(
                f"leaky_relu: slope must be a number (a fixed hyperparameter), "
                f"got {type(slope).__name__}: {slope!r}"
            )
        return _make("leaky_relu", (self,), (self.data,), _constant(s))

    def __abs__(self) -> Value:
        """|a|.  d/da = sign(a)  (0 at a = 0, as PyTorch; NaN for NaN)."""
        return _make("abs", (self,), (self.data,))

    def abs(self) -> Value:
        """|a|, the same as ``abs(value)``."""
        return self.__abs__()

    # ------------------------------------------------------------------
    # Backpropagation
    # ------------------------------------------------------------------
    def topological_order(self) -> list[Value]:
        """Every node this Value depends on, each after all of its children.

        An iterative depth-first search (no recursion, so a chain of a million
        nodes is fine): a node is appended once all of its children have been.
        Walking the list backwards therefore meets every node before any of the
        nodes it was computed from.
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

        Calling ``backward()`` again
            Leaf Values (inputs and parameters) *accumulate*: after two calls
            their grad is twice the gradient, exactly as in PyTorch. That is
            why training loops call ``zero_grad()`` before each backward pass.
            Computed (non-leaf) nodes are reset by step 2, so their grads are
            always those of the latest call.
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


# ----------------------------------------------------------------------
# CPython's cyclic garbage collector and graphs of Values
# ----------------------------------------------------------------------
_gc_lock = threading.Lock()
_gc_depth = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause CPython's *cyclic* garbage collector inside the ``with`` block.

    Graphs of Values never contain reference cycles (a node points only to
    the nodes it was computed from), so reference counting alone frees them.
    But every node is a tracked object, and while a large graph is being built
    the cyclic collector keeps re-scanning all of them: measured here, about as
    much time as the engine's own work. ``fit`` pauses it for each training
    step and :meth:`Value.backward` for the backward pass. Nested and
    concurrent uses (the live Playground trains in a thread) are counted: the
    collector is enabled again when the last block ends, and only if it was
    enabled when the first began.
    """
    global _gc_depth, _gc_was_enabled
    with _gc_lock:
        if _gc_depth == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0 and _gc_was_enabled:
                gc.enable()


# ----------------------------------------------------------------------
# The op table: for every op, its value and its local derivatives, side by side.
#
# A rule is ``rule(xp, operands, constants) -> (out, local_grads)``:
#   operands  -- the numbers of the Value operands, in the order of the node's
#                children;
#   constants -- the plain numbers the op also used (the 3 of a + 3);
#   xp        -- where the elementary functions (exp, tanh, ...) come from.
# The Value methods call the rules with ``xp = MATH`` on floats. The tape
# (micrograd_edu.tape) replays a recorded graph with the same rules, on floats
# or, with NumPy as ``xp``, on whole arrays of samples at once: written with
# arithmetic operators and ``xp`` functions only, one formula serves both.
# ----------------------------------------------------------------------
class ScalarMath:
    """The elementary functions the op table needs, for Python floats.

    :mod:`micrograd_edu.tape` has the NumPy twin (``ArrayMath``): each
    function here has the NumPy function of the same name as its model.
    """

    exp = staticmethod(math.exp)
    log = staticmethod(math.log)
    sqrt = staticmethod(math.sqrt)
    tanh = staticmethod(math.tanh)
    abs = staticmethod(abs)
    maximum = staticmethod(max)  # max(nan, 0.0) is nan: the first argument wins ties
    minimum = staticmethod(min)

    @staticmethod
    def where(condition: object, if_true: float, if_false: float) -> float:
        """``if_true`` if ``condition`` else ``if_false`` (both already computed)."""
        return if_true if condition else if_false

    @staticmethod
    def sigmoid(a: float) -> float:
        """1 / (1 + e^−a), computed as e^a / (1 + e^a) for a < 0 so nothing overflows."""
        if a >= 0.0:
            return 1.0 / (1.0 + math.exp(-a))
        e = math.exp(a)
        return e / (1.0 + e)

    @staticmethod
    def step(a: float) -> float:
        """The Heaviside step: 1 for a > 0, 0 for a ≤ 0, NaN for NaN."""
        return 1.0 if a > 0.0 else (0.0 if a <= 0.0 else a)

    @staticmethod
    def sign(a: float) -> float:
        """−1, 0 or 1 as a is negative, zero or positive; NaN for NaN."""
        return 1.0 if a > 0.0 else (-1.0 if a < 0.0 else (0.0 if a == 0.0 else a))

    @staticmethod
    def divide(x: float, y: float) -> float:
        """x / y as IEEE 754 says: ±inf for y = 0 (NaN for 0/0), never an exception."""
        if y:
            return x / y
        return math.copysign(math.inf, x) * math.copysign(1.0, y) if x else math.nan

    @staticmethod
    def pow(a: float, k: float) -> float:
        """a ** k as a forward value: an error, never a complex number.

        ZeroDivisionError for 0 to a negative power, ValueError for a negative
        number to a fractional power, OverflowError beyond the largest float.
        """
        if a < 0.0 and not float(k).is_integer():
            raise ValueError(f"math domain error: {a!r} ** {k!r} is not a real number")
        result: float = a**k
        return result

    @staticmethod
    def power(a: float, k: float) -> float:
        """a ** k for local derivatives, as IEEE 754 says: ±inf instead of an exception."""
        try:
            result: float = a**k
        except ZeroDivisionError:  # 0 ** negative
            return math.inf
        except OverflowError:
            odd = float(k).is_integer() and k % 2 == 1
            return math.copysign(math.inf, a) if odd else math.inf
        return result

    @staticmethod
    def dot(weights: Sequence[float], inputs: Sequence[float]) -> float:
        """w₁x₁ + … + wₙxₙ, added left to right."""
        total: float = sum(map(operator.mul, weights, inputs))
        return total


MATH = ScalarMath()
"""The elementary functions for floats, as the Value methods use them."""

Operands = Sequence[Any]
"""The operands' numbers: floats for one sample, NumPy arrays for a batch."""
Rule = Callable[[Any, Operands, tuple[float, ...]], tuple[Any, Operands]]


def _add(xp: Any, x: Operands, c: tuple[float, ...]) -> tuple[Any, Operands]:
    """a + b, or a + c for a number c.  d/da = 1, d/db = 1."""
    if c:
        return x[0] + c[0], (1.0,)
    return x[0] + x[1], (1.0, 1.0)


def _sub(xp: Any, x: Operands, c: tuple[float, ...]) -> tuple[Any, Operands]:
    """a − b, or a − c for a number c.  d/da = 1, d/db = −1."""
    if c:
        return x[0] - c[0], (1.0,)
    return x[0] - x[1], (1.0, -1.0)


def _rsub(xp: Any, x: Operands, c: tuple[float, ...]) -> tuple[Any, Operands]:
    """c − a for a number c.  d/da = −1."""
    return c[0] - x[0], (-1.0,)


def _mul(xp: Any, x: Operands, c: tuple[float, ...]) -> tuple[Any, Operands]:
    """a · b, or a · c for a number c.  d/da = b, d/db = a."""
    if c:
        return x[0] * c[0], (c[0],)
    a, b = x
    return a * b, (b, a)


def _div(xp: Any, x: Operands, c: tuple[float, ...]) -> tuple[Any, Operands]:
    """a / b, or a / c for a number c.  d/da = 1/b, d/db = −a/b².

    −a/b² is computed as −(a/b)/b: b·b would underflow to 0 for |b| < 1e-154.
    """
    if c:
        return x[0] / c[0], (1.0 / c[0],)
    a, b = x
    out = a / b
    return out, (1.0 / b, -out / b)


def _rdiv(xp: Any, x: Operands, c: tuple[float, ...]) -> tuple[Any, Operands]:
    """c / a for a number c.  d/da = −c/a², computed as −(c/a)/a."""
    out = c[0] / x[0]
    return out, (-out / x[0],)


def _neg(xp: Any, x: Operands, c: tuple[float, ...]) -> tuple[Any, Operands]:
    """−a.  d/da = −1."""
    return -x[0], (-1.0,)


def _power(xp: Any, x: Operands, c: tuple[float, ...]) -> tuple[Any, Operands]:
    """a ** k for a number k.  d/da = k · a^(k−1)  (0 for k = 0; infinite at a = 0, k < 1)."""
    (a,), (k,) = x, c
    return xp.pow(a, k), (k * xp.power(a, k - 1.0) if k else 0.0,)


def _pow(xp: Any, x: Operands, c: tuple[float, ...]) -> tuple[Any, Operands]:
    """a ** b with both Values (a ≥ 0), or c ** a for a number c ≥ 0.

    d/da = b · a^(b−1),  d/db = a^b · ln a.  Where the base is 0, a^b · ln a is
    taken as its limit 0 (ln 0 is replaced by ln 1 = 0: ``a + (a == 0)``).
    """
    if c:  # c ** a: a is the exponent
        base = c[0]
        out = xp.pow(base, x[0])
        return out, (out * xp.log(base + (base == 0.0)),)
    a, b = x
    out = xp.pow(a, b)
    return out, (xp.where(b == 0.0, 0.0, b * xp.power(a, b - 1.0)), out * xp.log(a + (a == 0.0)))


def _exp(xp: Any, x: Operands, c: tuple[float, ...]) -> tuple[Any, Operands]:
    """e^a.  d/da = e^a: the output itself."""
    out = xp.exp(x[0])
    return out, (out,)


def _log(xp: Any, x: Operands, c: tuple[float, ...]) -> tuple[Any, Operands]:
    """ln a (a > 0).  d/da = 1/a."""
    return xp.log(x[0]), (1.0 / x[0],)


def _sqrt(xp: Any, x: Operands, c: tuple[float, ...]) -> tuple[Any, Operands]:
    """√a (a ≥ 0).  d/da = 1 / (2√a), infinite at a = 0."""
    out = xp.sqrt(x[0])
    return out, (xp.divide(0.5, out),)


def _tanh(xp: Any, x: Operands, c: tuple[float, ...]) -> tuple[Any, Operands]:
    """tanh a = (e^a − e^−a) / (e^a + e^−a).  d/da = 1 − tanh²a."""
    t = xp.tanh(x[0])
    return t, (1.0 - t * t,)


def _sigmoid(xp: Any, x: Operands, c: tuple[float, ...]) -> tuple[Any, Operands]:
    """σ(a) = 1 / (1 + e^−a).  d/da = σ(a) · (1 − σ(a))."""
    s = xp.sigmoid(x[0])
    return s, (s * (1.0 - s),)


def _relu(xp: Any, x: Operands, c: tuple[float, ...]) -> tuple[Any, Operands]:
    """max(0, a).  d/da = 1 if a > 0 else 0 (the step function); NaN stays NaN."""
    return xp.maximum(x[0], 0.0), (xp.step(x[0]),)


def _leaky_relu(xp: Any, x: Operands, c: tuple[float, ...]) -> tuple[Any, Operands]:
    """a if a > 0 else s·a, for a number slope s.  d/da = 1 if a > 0 else s."""
    (a,), (s,) = x, c
    step = xp.step(a)
    return xp.maximum(a, 0.0) + s * xp.minimum(a, 0.0), (step + s * (1.0 - step),)


def _abs(xp: Any, x: Operands, c: tuple[float, ...]) -> tuple[Any, Operands]:
    """|a|.  d/da = sign(a): 0 at a = 0, as in PyTorch."""
    return xp.abs(x[0]), (xp.sign(x[0]),)


def _sum(xp: Any, x: Operands, c: tuple[float, ...]) -> tuple[Any, Operands]:
    """t₁ + … + tₙ (+ the numbers' total c).  d/dtᵢ = 1."""
    total = sum(x)
    return (total + c[0] if c else total), (1.0,) * len(x)


def dot_layout(n_children: int, n_constants: int) -> tuple[int, int, bool]:
    """How a ``dot`` node's children are laid out: ``(k, m, has_bias_value)``.

    The children are the k weights that met Value inputs, those k inputs, the
    m weights that met number inputs, then the bias if it is a Value; the
    constants are the number bias then the m number inputs. So
    n_children = 2k + m + (1 if the bias is a Value).
    """
    m = n_constants - 1
    k2 = n_children - m
    return k2 >> 1, m, bool(k2 & 1)


def _dot(xp: Any, x: Operands, c: tuple[float, ...]) -> tuple[Any, Operands]:
    """w·x + b = w₁x₁ + … + wₙxₙ + b.  d/dwᵢ = xᵢ, d/dxᵢ = wᵢ, d/db = 1."""
    x = tuple(x)
    k, m, has_bias = dot_layout(len(x), len(c))
    weights, inputs = x[:k], x[k : 2 * k]
    local_grads = inputs + weights  # d/dwᵢ = xᵢ, d/dxᵢ = wᵢ
    if m:  # the weights that met number inputs: d/dwᵢ = the number
        weights, inputs = weights + x[2 * k : 2 * k + m], inputs + c[1:]
        local_grads += c[1:]
    out = xp.dot(weights, inputs)
    if has_bias:
        return out + x[-1] + c[0], (*local_grads, 1.0)
    return out + c[0], local_grads


OPS: dict[str, Rule] = {
    "+": _add,
    "-": _sub,
    "rsub": _rsub,
    "*": _mul,
    "/": _div,
    "rdiv": _rdiv,
    "neg": _neg,
    "**": _power,
    "pow": _pow,
    "exp": _exp,
    "log": _log,
    "sqrt": _sqrt,
    "tanh": _tanh,
    "sigmoid": _sigmoid,
    "relu": _relu,
    "leaky_relu": _leaky_relu,
    "abs": _abs,
    "sum": _sum,
    "dot": _dot,
}
"""Every op of the engine: its name → its rule (value and local derivatives)."""


def op_code(node: Value) -> str:
    """The key of ``node``'s rule in :data:`OPS` (``a ** 2`` is shown as ``**2``)."""
    return "**" if node.op.startswith("**") else node.op


# ----------------------------------------------------------------------
# Building nodes
# ----------------------------------------------------------------------
_new_value = object.__new__


def _make(
    op: str,
    children: tuple[Value, ...],
    operands: tuple[float, ...],
    constants: tuple[float, ...] = (),
) -> Value:
    """Apply the rule of ``op`` to the children's numbers and make the node.

    The only place computed nodes are made: ``data`` comes from the rule, a
    float already, so the checks of ``Value.__init__`` are skipped.
    """
    data, local_grads = OPS[op](MATH, operands, constants)
    out: Value = _new_value(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out.op = op
    out.children = children
    out.local_grads = local_grads  # type: ignore[assignment]  # a tuple for tuple operands
    out.constants = constants
    return out


def _make_pow(
    op: str, children: tuple[Value, ...], operands: tuple[float, ...], constants: tuple[float, ...]
) -> Value:
    """:func:`_make` for a power, with errors that name the operation."""
    if op == "**":  # a ** k
        base, exponent = operands[0], constants[0]
    elif constants:  # c ** a
        base, exponent = constants[0], operands[0]
    else:  # a ** b
        base, exponent = operands
    try:
        node = _make(op, children, operands, constants)
    except ZeroDivisionError:
        raise ZeroDivisionError(
            f"pow: 0.0 cannot be raised to a negative power ({exponent!r})"
        ) from None
    except OverflowError:
        raise OverflowError(
            f"pow overflow: {base!r} ** {exponent!r} exceeds the largest float"
        ) from None
    if op == "**":  # micrograd's name for a ** k: "**2"
        k = constants[0]
        node.op = _POWER_NAMES.get(k) or f"**{k:g}"
    return node


_POWER_NAMES = {float(k): f"**{k}" for k in range(-4, 5)}

_CONSTANTS: dict[float, tuple[float]] = {}
_MAX_SHARED_CONSTANTS = 1024


def _constant(number: float) -> tuple[float]:
    """``(number,)``, one shared tuple per distinct number: a node's ``constants``.

    A graph of 100,000 ``x * 0.5`` then keeps one ``(0.5,)`` instead of 100,000.
    Zeros (0.0 and -0.0 are equal keys but differ in sign) and NaN (never equal
    to itself) are not shared; the table is emptied when it is full.
    """
    shared = _CONSTANTS.get(number)
    if shared is not None:
        return shared
    made = (number,)
    if number and number == number:
        if len(_CONSTANTS) >= _MAX_SHARED_CONSTANTS:
            _CONSTANTS.clear()
        _CONSTANTS[number] = made
    return made


# ----------------------------------------------------------------------
# n-ary operations: one node for a whole sum, so that a neuron's weighted sum
# w·x + b is a single node in the graph (and a single step of the chain rule).
# ----------------------------------------------------------------------
def sum_values(terms: Iterable[ValueLike]) -> Value:
    """t₁ + t₂ + … + tₙ as ONE node.  d/dtᵢ = 1 for every Value term.

    Plain numbers are added into the result (as one constant, after the
    Values) but are not children.
    Python's ``sum(values)`` gives the same number through n − 1 binary nodes.
    """
    children: list[Value] = []
    numbers: list[float] = []
    for term in terms:
        if isinstance(term, Value):
            children.append(term)
        else:
            number = _number_or_none(term)
            if number is None:
                raise TypeError(
                    f"sum_values() takes Values and numbers, got {type(term).__name__}: {term!r}"
                )
            numbers.append(number)
    constants = (math.fsum(numbers),) if numbers else ()
    return _make("sum", tuple(children), tuple([c.data for c in children]), constants)


def dot(weights: Sequence[Value], inputs: Sequence[ValueLike], bias: ValueLike = 0.0) -> Value:
    """w·x + b = w₁x₁ + … + wₙxₙ + b as ONE node.

    Local derivatives: d/dwᵢ = xᵢ, d/dxᵢ = wᵢ (when xᵢ is a Value), d/db = 1.
    Inputs that are plain numbers (the data set's features) are not children:
    they are kept in ``constants`` (:func:`dot_layout` gives the order).

    Raises ``ValueError`` if ``weights`` and ``inputs`` differ in length.
    """
    if len(weights) != len(inputs):
        raise ValueError(f"dot: {len(weights)} weights but {len(inputs)} inputs; they must match")
    if not all(map(isinstance, weights, repeat(Value))):
        w = next(w for w in weights if not isinstance(w, Value))
        raise TypeError(f"dot: weights must be Values, got {type(w).__name__}: {w!r}")
    number_inputs: list[float] = []
    if all(map(isinstance, inputs, repeat(Value))):  # a hidden layer: every input is a node
        children: list[Value] = [*weights, *inputs]  # type: ignore[list-item]
    else:  # weights that meet Values first, then those that meet numbers
        value_weights: list[Value] = []
        value_inputs: list[Value] = []
        number_weights: list[Value] = []
        for w, x in zip(weights, inputs, strict=True):
            if isinstance(x, Value):
                value_weights.append(w)
                value_inputs.append(x)
                continue
            number = _number_or_none(x)
            if number is None:
                raise TypeError(
                    f"dot: inputs must be Values or numbers, got {type(x).__name__}: {x!r}"
                )
            number_weights.append(w)
            number_inputs.append(number)
        children = value_weights + value_inputs + number_weights
    if isinstance(bias, Value):
        children.append(bias)
        bias_number = 0.0
    else:
        number = _number_or_none(bias)
        if number is None:
            raise TypeError(f"dot: bias must be a Value or a number, got {type(bias).__name__}")
        bias_number = number
    nodes = tuple(children)
    return _make("dot", nodes, tuple([c.data for c in nodes]), (bias_number, *number_inputs))
