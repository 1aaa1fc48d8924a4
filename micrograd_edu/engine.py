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

This module imports nothing but the standard library.
"""

from __future__ import annotations

import gc
import math
import numbers
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

__all__ = ["Number", "Value", "ValueLike", "dot", "gc_paused", "sum_values"]

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

    Examples
    --------
    >>> a = Value(2.0, label="a")
    >>> b = Value(-3.0, label="b")
    >>> c = a * b + a
    >>> c.backward()
    >>> c.data, a.grad, b.grad
    (-4.0, -2.0, 2.0)
    """

    __slots__ = ("children", "data", "grad", "label", "local_grads", "op")

    # NumPy: let our reflected operators handle ``numpy.float64(2.0) * value``
    # instead of NumPy turning the Value into an object array.
    __array_ufunc__ = None

    data: float
    grad: float
    label: str
    op: str
    children: tuple[Value, ...]
    local_grads: tuple[float, ...]

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
    # new node has only the Value operands as children.
    # ------------------------------------------------------------------
    def __add__(self, other: ValueLike) -> Value:
        """a + b.  d/da = 1, d/db = 1."""
        if isinstance(other, Value):
            return _node(self.data + other.data, "+", (self, other), (1.0, 1.0))
        number = _number_or_none(other)
        if number is None:
            return NotImplemented
        return _node(self.data + number, "+", (self,), (1.0,))

    __radd__ = __add__

    def __sub__(self, other: ValueLike) -> Value:
        """a - b.  d/da = 1, d/db = -1."""
        if isinstance(other, Value):
            return _node(self.data - other.data, "-", (self, other), (1.0, -1.0))
        number = _number_or_none(other)
        if number is None:
            return NotImplemented
        return _node(self.data - number, "-", (self,), (1.0,))

    def __rsub__(self, other: Number) -> Value:
        """c - a for a number c.  d/da = -1."""
        number = _number_or_none(other)
        if number is None:
            return NotImplemented
        return _node(number - self.data, "-", (self,), (-1.0,))

    def __mul__(self, other: ValueLike) -> Value:
        """a * b.  d/da = b, d/db = a."""
        if isinstance(other, Value):
            return _node(self.data * other.data, "*", (self, other), (other.data, self.data))
        number = _number_or_none(other)
        if number is None:
            return NotImplemented
        return _node(self.data * number, "*", (self,), (number,))

    __rmul__ = __mul__

    def __truediv__(self, other: ValueLike) -> Value:
        """a / b.  d/da = 1/b, d/db = -a/b²."""
        if isinstance(other, Value):
            b = other.data
            if b == 0.0:
                raise ZeroDivisionError(
                    f"division by zero in a / b: the divisor Value is {b!r} (a = {self.data!r})"
                )
            out = self.data / b
            # −a/b² computed as −(a/b)/b: b·b would underflow to 0 for |b| < 1e-154.
            return _node(out, "/", (self, other), (1.0 / b, -out / b))
        number = _number_or_none(other)
        if number is None:
            return NotImplemented
        if number == 0.0:
            raise ZeroDivisionError(f"division by zero in a / b: the divisor is {number!r}")
        return _node(self.data / number, "/", (self,), (1.0 / number,))

    def __rtruediv__(self, other: Number) -> Value:
        """c / a for a number c.  d/da = -c/a²."""
        number = _number_or_none(other)
        if number is None:
            return NotImplemented
        a = self.data
        if a == 0.0:
            raise ZeroDivisionError(
                f"division by zero in c / a: the divisor Value is {a!r} (c = {number!r})"
            )
        out = number / a
        return _node(out, "/", (self,), (-out / a,))  # −c/a², without underflow

    def __neg__(self) -> Value:
        """-a.  d/da = -1."""
        return _node(-self.data, "neg", (self,), (-1.0,))

    def __pow__(self, exponent: ValueLike) -> Value:
        """a ** k.

        With a number k:        d/da = k · a^(k-1).
        With a Value k (a > 0): d/da = k · a^(k-1),  d/dk = a^k · ln a.
        A negative base needs an integer number exponent (otherwise the
        result is not a real number).
        """
        if isinstance(exponent, Value):
            return _pow_value(self, exponent)
        k = _number_or_none(exponent)
        if k is None:
            return NotImplemented
        a = self.data
        if a < 0.0 and not k.is_integer() and not math.isnan(k):
            raise ValueError(
                f"pow: a negative base {a!r} needs an integer exponent, got {k!r} "
                "(the result would not be a real number)"
            )
        out = _checked_pow(a, k)
        return _node(out, f"**{k:g}", (self,), (_pow_slope(a, k),))

    def __rpow__(self, base: Number) -> Value:
        """c ** a for a number c > 0.  d/da = c^a · ln c."""
        c = _number_or_none(base)
        if c is None:
            return NotImplemented
        if c < 0.0:
            raise ValueError(
                f"pow: a negative base {c!r} cannot be raised to a Value exponent "
                "(use a positive base)"
            )
        out = _checked_pow(c, self.data)
        return _node(out, "pow", (self,), (out * _log_or_zero(c),))

    # ------------------------------------------------------------------
    # Functions of one input
    # ------------------------------------------------------------------
    def exp(self) -> Value:
        """e^a.  d/da = e^a (the output itself)."""
        try:
            out = math.exp(self.data)
        except OverflowError:
            raise OverflowError(
                f"exp overflow: exp({self.data!r}) exceeds the largest float "
                "(inputs above about 709.78 overflow)"
            ) from None
        return _node(out, "exp", (self,), (out,))

    def log(self) -> Value:
        """ln a, for a > 0.  d/da = 1/a."""
        a = self.data
        if a <= 0.0:
            raise ValueError(f"log is defined only for x > 0, got x = {a!r}")
        return _node(math.log(a), "log", (self,), (1.0 / a,))

    def sqrt(self) -> Value:
        """√a, for a ≥ 0.  d/da = 1 / (2√a)  (infinite at a = 0)."""
        a = self.data
        if a < 0.0:
            raise ValueError(f"sqrt is defined only for x >= 0, got x = {a!r}")
        out = math.sqrt(a)
        return _node(out, "sqrt", (self,), (0.5 / out if out else math.inf,))

    def tanh(self) -> Value:
        """tanh a = (e^a − e^−a) / (e^a + e^−a).  d/da = 1 − tanh²a.

        ``math.tanh`` is exact and never overflows, for any finite input.
        """
        t = math.tanh(self.data)
        return _node(t, "tanh", (self,), (1.0 - t * t,))

    def sigmoid(self) -> Value:
        """σ(a) = 1 / (1 + e^−a).  d/da = σ(a) · (1 − σ(a)).

        Computed as 1 / (1 + e^−a) for a ≥ 0 and as e^a / (1 + e^a) for a < 0,
        so that the exponential never overflows.
        """
        a = self.data
        if a >= 0.0:
            s = 1.0 / (1.0 + math.exp(-a))
        else:
            e = math.exp(a)
            s = e / (1.0 + e)
        return _node(s, "sigmoid", (self,), (s * (1.0 - s),))

    def relu(self) -> Value:
        """max(0, a).  d/da = 1 if a > 0 else 0.  NaN stays NaN (value and slope)."""
        a = self.data
        if a > 0.0:
            return _node(a, "relu", (self,), (1.0,))
        if a <= 0.0:
            return _node(0.0, "relu", (self,), (0.0,))
        return _node(a, "relu", (self,), (a,))  # a is NaN: neither > 0 nor <= 0

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
        a = self.data
        if a > 0.0:
            return _node(a, "leaky_relu", (self,), (1.0,))
        if a <= 0.0:
            return _node(s * a, "leaky_relu", (self,), (s,))
        return _node(a, "leaky_relu", (self,), (a,))  # NaN

    def __abs__(self) -> Value:
        """|a|.  d/da = sign(a)  (0 at a = 0, as PyTorch; NaN for NaN)."""
        a = self.data
        sign = 1.0 if a > 0.0 else (-1.0 if a < 0.0 else (0.0 if a == 0.0 else a))
        return _node(abs(a), "abs", (self,), (sign,))

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
# Building nodes
# ----------------------------------------------------------------------
_new_value = object.__new__


def _node(
    data: float, op: str, children: tuple[Value, ...], local_grads: tuple[float, ...]
) -> Value:
    """Create a computed node. ``data`` is already a float, so no checks."""
    out: Value = _new_value(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out.op = op
    out.children = children
    out.local_grads = local_grads
    return out


def _checked_pow(base: float, exponent: float) -> float:
    """base ** exponent with errors that name the operation."""
    try:
        result: float = base**exponent
    except ZeroDivisionError:
        raise ZeroDivisionError(
            f"pow: 0.0 cannot be raised to a negative power ({exponent!r})"
        ) from None
    except OverflowError:
        raise OverflowError(
            f"pow overflow: {base!r} ** {exponent!r} exceeds the largest float"
        ) from None
    return result


def _pow_slope(a: float, k: float) -> float:
    """d(a^k)/da = k · a^(k−1); infinite where a = 0 and k < 1 (like √a)."""
    if k == 0.0:
        return 0.0
    if a == 0.0 and k < 1.0:
        return math.inf
    try:
        slope: float = k * a ** (k - 1.0)
    except OverflowError:
        return math.copysign(math.inf, k)
    return slope


def _log_or_zero(base: float) -> float:
    """ln(base) for the slope of base^k in k; 0 where base = 0 (as base^k ln base → 0)."""
    return 0.0 if base == 0.0 else math.log(base)  # NaN stays NaN


def _pow_value(base: Value, exponent: Value) -> Value:
    """a ** k with both a Value.  d/da = k · a^(k−1),  d/dk = a^k · ln a."""
    a, k = base.data, exponent.data
    if a < 0.0:
        raise ValueError(
            f"pow: a negative base {a!r} cannot be raised to a Value exponent "
            "(the result is real only for integer exponents; use a number exponent)"
        )
    out = _checked_pow(a, k)
    return _node(out, "pow", (base, exponent), (_pow_slope(a, k), out * _log_or_zero(a)))


# ----------------------------------------------------------------------
# n-ary operations: one node for a whole sum, so that a neuron's weighted sum
# w·x + b is a single node in the graph (and a single step of the chain rule).
# ----------------------------------------------------------------------
def sum_values(terms: Iterable[ValueLike]) -> Value:
    """t₁ + t₂ + … + tₙ as ONE node.  d/dtᵢ = 1 for every Value term.

    Plain numbers are added into the result but are not children.
    Python's ``sum(values)`` gives the same number through n − 1 binary nodes.
    """
    children: list[Value] = []
    total = 0.0
    for term in terms:
        if isinstance(term, Value):
            children.append(term)
            total += term.data
        else:
            number = _number_or_none(term)
            if number is None:
                raise TypeError(
                    f"sum_values() takes Values and numbers, got {type(term).__name__}: {term!r}"
                )
            total += number
    return _node(total, "sum", tuple(children), (1.0,) * len(children))


def dot(weights: Sequence[Value], inputs: Sequence[ValueLike], bias: ValueLike = 0.0) -> Value:
    """w·x + b = w₁x₁ + … + wₙxₙ + b as ONE node.

    Local derivatives: d/dwᵢ = xᵢ, d/dxᵢ = wᵢ (when xᵢ is a Value), d/db = 1.
    Inputs that are plain numbers (the data set's features) are not children.

    Raises ``ValueError`` if ``weights`` and ``inputs`` differ in length.
    """
    if len(weights) != len(inputs):
        raise ValueError(f"dot: {len(weights)} weights but {len(inputs)} inputs; they must match")
    children: list[Value] = list(weights)
    local_grads: list[float] = []
    input_children: list[Value] = []
    input_grads: list[float] = []
    total = 0.0
    for w, x in zip(weights, inputs, strict=True):
        if not isinstance(w, Value):
            raise TypeError(f"dot: weights must be Values, got {type(w).__name__}: {w!r}")
        if isinstance(x, Value):
            x_data = x.data
            input_children.append(x)
            input_grads.append(w.data)
        else:
            number = _number_or_none(x)
            if number is None:
                raise TypeError(
                    f"dot: inputs must be Values or numbers, got {type(x).__name__}: {x!r}"
                )
            x_data = number
        local_grads.append(x_data)
        total += w.data * x_data
    children += input_children
    local_grads += input_grads
    if isinstance(bias, Value):
        total += bias.data
        children.append(bias)
        local_grads.append(1.0)
    else:
        number = _number_or_none(bias)
        if number is None:
            raise TypeError(f"dot: bias must be a Value or a number, got {type(bias).__name__}")
        total += number
    return _node(total, "dot", tuple(children), tuple(local_grads))
