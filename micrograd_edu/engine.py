"""The scalar autograd engine: :class:`Value` and the chain rule. Read it top to bottom:

1. :class:`Value`: a number that remembers the Values it was computed from
   (``children``) and d(itself)/d(child) (``local_grads``, computed right away). Its
   ops are **rules**: from the operands as plain numbers, the value and the local
   derivatives side by side (``a + b`` runs the rule ``__add__``). :meth:`Value.backward`
   applies the chain rule ``child.grad += local_grad * node.grad`` from the output back.
2. How an op makes a node: :func:`apply`, for any op and any operands.
3. How a rule becomes a method: :func:`make_methods`; the rules go in :data:`OPS`.
4. Sums as one node: :func:`sum_values` and :func:`dot` (a neuron's w·x + b).

Standard library only. ``micrograd_edu._engine`` holds the methods written out for
speed, the ops' domains (:data:`DOMAIN`, :data:`OVERFLOW`) and the float runtime.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from math import fsum
from typing import Any

from ._engine import builders
from ._engine.declare import Declared, Rule, operation, reflected
from ._engine.domains import DOMAIN, OVERFLOW, check_domain
from ._engine.runtime import MATH, RENAMED, ScalarMath, gc_paused, real_number, shared_constants

# fmt: off
__all__ = ["DOMAIN", "ENGINE", "MATH", "OPS", "OVERFLOW", "Number", "Rule", "ScalarMath",
           "Value", "ValueLike", "apply", "check_domain", "dot", "gc_paused", "make_methods",
           "op_code", "operation", "real_number", "reflected", "sum_values"]
# fmt: on

Number = int | float  # a plain real number (bool excluded)


class Value(builders.Node):
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

    # op and constants are kept by Node (_engine/builders.py): one tuple (op, constants)
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
        self.data, self.grad, self.label, self._kind = number, 0.0, label, builders.LEAF
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

    # ── The ops ───────────────────────────────────────────────────────────────
    # Each rule gets its operands as numbers (a, b) and returns its value and its local
    # derivatives (d/da, d/db); `math` holds exp, log, tanh... (for floats; the tape's
    # are NumPy's). @operation("+", arity=2) names the op and its number of operands;
    # after the class, make_methods turns the rule into the method that `a + b` calls
    # (read "How a rule becomes a method" below).
    @operation("+", arity=2)
    def __add__(math: Any, a: Any, b: Any) -> Any:
        """a + b.  d/da = 1, d/db = 1."""
        return a + b, (1.0, 1.0)

    @operation("-", arity=2)
    def __sub__(math: Any, a: Any, b: Any) -> Any:
        """a − b.  d/da = 1, d/db = −1."""
        return a - b, (1.0, -1.0)

    @operation("*", arity=2)
    def __mul__(math: Any, a: Any, b: Any) -> Any:
        """a · b.  d/da = b, d/db = a."""
        return a * b, (b, a)

    @operation("/", arity=2)
    def __truediv__(math: Any, a: Any, b: Any) -> Any:
        """a / b.  d/da = 1/b, d/db = −a/b²  (as −(a/b)/b: b·b underflows for tiny b)."""
        out = a / b
        return out, (1.0 / b, -out / b)

    @operation("**", arity=2)
    def __pow__(math: Any, a: Any, k: Any) -> Any:
        """a ** k.  d/da = k · a^(k−1),  d/dk = a^k · ln a  (0 where a ≤ 0)."""
        out = math.pow(a, k)
        da = math.where(k == 0.0, 0.0, k * math.pow(a, k - 1.0))
        return out, (da, out * math.log(math.maximum(a, 0.0) + (a <= 0.0)))

    __radd__, __rmul__ = __add__, __mul__  # 2 + a is a + 2: one kind of node, not two
    __rsub__ = reflected(__sub__)  # 2 - a: the rule of - with the number first
    __rtruediv__, __rpow__ = reflected(__truediv__), reflected(__pow__)

    @operation("neg", arity=1)
    def __neg__(math: Any, a: Any) -> Any:
        """−a.  d/da = −1."""
        return -a, (-1.0,)

    @operation("exp", arity=1)
    def exp(math: Any, a: Any) -> Any:
        """e^a.  d/da = e^a: the output itself."""
        out = math.exp(a)
        return out, (out,)

    @operation("log", arity=1)
    def log(math: Any, a: Any) -> Any:
        """ln a  (a > 0).  d/da = 1/a."""
        return math.log(a), (1.0 / a,)

    @operation("sqrt", arity=1)
    def sqrt(math: Any, a: Any) -> Any:
        """√a  (a ≥ 0).  d/da = 1 / (2√a), infinite at a = 0."""
        out = math.sqrt(a)
        return out, (math.divide(0.5, out),)

    @operation("tanh", arity=1)
    def tanh(math: Any, a: Any) -> Any:
        """tanh a.  d/da = 1 − tanh²a."""
        t = math.tanh(a)
        return t, (1.0 - t * t,)

    @operation("sigmoid", arity=1)
    def sigmoid(math: Any, a: Any) -> Any:
        """σ(a) = 1 / (1 + e^−a).  d/da = σ(a) · (1 − σ(a))."""
        s = math.sigmoid(a)
        return s, (s * (1.0 - s),)

    @operation("relu", arity=1)
    def relu(math: Any, a: Any) -> Any:
        """max(0, a).  d/da = 1 if a > 0 else 0 (the step function); NaN stays NaN."""
        return math.maximum(a, 0.0), (math.step(a),)

    @operation("abs", arity=1)
    def __abs__(math: Any, a: Any) -> Any:
        """|a|.  d/da = sign(a): 0 at a = 0, as in PyTorch."""
        return math.abs(a), (math.sign(a),)

    abs = __abs__

    @operation("leaky_relu", arity=2)
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

    # ── Backpropagation ───────────────────────────────────────────────────────
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


# ── How an op makes a node ────────────────────────────────────────────────────
def apply(name: str, operands: Sequence[ValueLike]) -> Value:
    """Apply the op ``name`` to ``operands`` (Values and numbers): the general case.

    Every operand goes to the rule as a number, after the op's domain check
    (:data:`DOMAIN`); the node keeps the Values as ``children`` with their local
    derivatives, and the numbers in ``constants`` so that the tape can replay the
    graph (``a ** 2`` is named ``**2``, as in micrograd). ``TypeError`` for an
    operand that is neither a Value nor a real number.

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
    number_last = name in RENAMED and constants and constants[-1] is not None
    op = RENAMED[name](numbers[-1]) if number_last else name
    node: Value = builders.make(Value, op, rule, check, overflow, numbers, children, constants)
    return node


# ── How a rule becomes a method ───────────────────────────────────────────────
OPS: dict[str, Rule] = {}
"""Every op of the engine: its name → its rule. Filled in by :func:`make_methods`
(``sum`` and ``dot``, whose rules take any number of operands, below)."""

ENGINE = os.environ.get("MICROGRAD_EDU_ENGINE") or "fast"
"""How the op methods make nodes: ``"fast"`` (default) or ``"apply"`` (:func:`apply` alone)."""
if ENGINE not in ("fast", "apply"):
    raise ValueError(f"MICROGRAD_EDU_ENGINE must be 'fast' or 'apply', got {ENGINE!r}")


def make_methods() -> None:
    """Turn every rule marked ``@operation(name, arity)`` in :class:`Value` into its method.

    In plain words: ``a + b`` calls ``Value.__add__(a, b)``, the method made here from
    the rule of ``+``. It does what :func:`apply` does: the operands' numbers
    (``b.data``, or ``b`` itself if it is a number) go to the rule after the op's
    domain check; the rule's value becomes the new node's ``data``, the Value
    operands its ``children`` with their local derivatives, the numbers its
    ``constants``. A ``reflected`` method (``2 - a``) gives the rule the number first;
    an operand that is no real number gives ``NotImplemented`` (Python's TypeError).
    The methods are :func:`apply` written out for one and two operands, without its
    loops (``_engine/builders.py``: 3–4× faster, tested equal to :func:`apply` for
    every op); with ``MICROGRAD_EDU_ENGINE=apply`` set they call :func:`apply` itself.
    ``help(Value.tanh)`` and ``inspect.getsource`` show the rule (the method's
    ``__wrapped__``; ``help(Value.__rsub__)`` also says that the number comes first).
    Every rule goes in :data:`OPS`, which the tape replays.
    """
    made: dict[Declared, Callable[..., Value]] = {}
    for attribute, op in list(vars(Value).items()):
        if isinstance(op, Declared):
            if OPS.setdefault(op.name, op.rule) is not op.rule:
                raise ValueError(f"operation {op.name!r}: another rule of that name is in OPS")
            if op not in made:
                fast = ENGINE == "fast"
                method = builders.fast_method(op) if fast else builders.by_apply(apply, op)
                made[op] = builders.shown_as_rule(method, op, attribute)
            setattr(Value, attribute, made[op])


make_methods()


# ── Sums as one node ──────────────────────────────────────────────────────────
# A neuron's w·x + b is one `dot` node, not 2n binary nodes. Their rules take any
# number of operands: sum_values and dot are functions that call apply.
def _sum(math: Any, *terms: Any) -> tuple[Any, tuple[Any, ...]]:
    """t₁ + … + tₙ.  d/dtᵢ = 1."""
    return sum(terms, 0.0), (1.0,) * len(terms)


def _dot(math: Any, *operands: Any) -> tuple[Any, tuple[Any, ...]]:
    """w·x + b = w₁x₁ + … + wₙxₙ + b, operands (w₁…wₙ, x₁…xₙ, b).

    d/dwᵢ = xᵢ, d/dxᵢ = wᵢ, d/db = 1."""
    n = len(operands) // 2
    weights, inputs = operands[:n], operands[n : 2 * n]
    return math.dot(weights, inputs) + operands[-1], (*inputs, *weights, 1.0)


OPS["sum"], OPS["dot"] = _sum, _dot


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
        elif (number := real_number(term)) is not None:
            numbers.append(number)
        else:
            raise TypeError(
                f"sum_values() takes Values and numbers, got {type(term).__name__}: {term!r}"
            )
    return apply("sum", [*values, fsum(numbers)] if numbers else values)


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


def op_code(node: Value) -> str:
    """The key of ``node``'s rule in :data:`OPS` (``a ** 2`` is drawn as ``**2``).

    >>> op_code(Value(3.0) ** 2)
    '**'
    """
    return "**" if node.op.startswith("**") else node.op
