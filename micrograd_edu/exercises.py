"""Self-checks for the course notebooks' exercises, which name the mistake they find.

Each ``check_*`` function takes the student's answer (usually a function),
tests it against the engine or against finite differences, and

* prints a short "✓ ..." line when it is right;
* raises :class:`~micrograd_edu.mistakes.WrongAnswerError` when it is wrong,
  naming the classic mistake it recognises (``= instead of +=``, ``divided by
  h, not 2h``, ...; see :data:`~micrograd_edu.mistakes.CATALOGUE`), with the
  input that showed it, expected and obtained values and a hint that does not
  hand over the solution;
* raises ``NotImplementedError`` naming the exercise when the answer is
  still the ``raise NotImplementedError`` stub of the student notebook.

Mistakes are recognised by *simulating* them: the check computes what each
classic wrong answer would give on the same input and compares. Types are
checked before values, so a float where a Value is needed is named as such
rather than reported as a tiny numerical difference. Importing this module in
Jupyter shows wrong answers without a traceback through the checker.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import numpy as np

from . import losses
from .engine import Value
from .mistakes import WrongAnswerError, exercise, install_feedback
from .nn import MLP
from .symptoms import check_mystery_runs

__all__ = [
    "CURVE_CAUSES",
    "WrongAnswerError",
    "check_backprop_by_hand",
    "check_backward",
    "check_batch_seed",
    "check_circle_features",
    "check_collapse_linear_layers",
    "check_discounted_returns",
    "check_division_local_grads",
    "check_expression",
    "check_loss_diagnosis",
    "check_mean_squared_error",
    "check_mystery_runs",
    "check_neuron_forward",
    "check_numerical_slope",
    "check_op_table",
    "check_policy_gradient_loss",
    "check_policy_gradient_step",
    "check_probability_loss",
    "check_sgd_step",
    "check_topological_sort",
    "check_torch_loss",
    "check_training_loop",
    "loss_curves",
    "tiny_engine_gradients",
]

install_feedback()


def _same(got: object, expected: float, tol: float = 1e-9) -> bool:
    """``got`` is a real number within ``tol`` (relative and absolute) of ``expected``."""
    if isinstance(got, bool) or not isinstance(got, (int, float, np.floating, np.integer)):
        return False
    return math.isclose(float(got), expected, rel_tol=tol, abs_tol=tol)


def _done(message: str) -> None:
    print(f"✓ {message}")


def _require_value(number: str, what: str, got: object) -> Value:
    """Types before values: a float, a list or None where a Value is needed is named as such."""
    if isinstance(got, Value):
        return got
    if isinstance(got, (list, tuple)):
        raise WrongAnswerError(
            number,
            f"{what} returned a {type(got).__name__} of {len(got)} items, not one Value",
            mistake="list-not-tuple",
            hint="combine the items into a single Value (add them up, or average them)",
        )
    if isinstance(got, (int, float, np.floating)):
        raise WrongAnswerError(
            number,
            f"{what} returned the plain number {got!r}, not a Value",
            mistake="float-not-value",
            hint="use the Values' operators and methods (+, *, .log(), ...), not .data or math",
        )
    raise WrongAnswerError(number, f"{what} must return a Value, got {type(got).__name__}")


# ----------------------------------------------------------------- notebook 1
@exercise("1.1")
def check_numerical_slope(
    numerical_slope: Callable[[Callable[[float], float], float], float],
) -> None:
    """Exercise 1.1: ``numerical_slope(f, x)`` estimates f'(x) by a central difference.

    The functions given to the student's code record where they are evaluated,
    so a forward difference (which evaluates f at x itself) is recognised even
    when its number happens to be close.
    """
    cases = [
        ("x**2", lambda x: x**2, 3.0, 6.0),
        ("x**3 - 2x", lambda x: x**3 - 2 * x, -1.0, 1.0),
        ("sin(x)", math.sin, 0.5, math.cos(0.5)),
        ("exp(x)", math.exp, 1.0, math.e),
    ]
    for name, f, x, slope in cases:
        points: list[float] = []

        def recorded(
            t: float, f: Callable[[float], float] = f, points: list[float] = points
        ) -> float:
            points.append(t)
            return f(t)

        got = numerical_slope(recorded, x)
        where = f"numerical_slope(f, {x}) with f(x) = {name}"
        if isinstance(got, bool) or not isinstance(got, (int, float, np.floating)):
            raise WrongAnswerError("1.1", f"{where} returned a {type(got).__name__}, not a number")
        if x in points and len(points) >= 2:
            raise WrongAnswerError(
                "1.1",
                f"{where} evaluated f at x itself",
                mistake="forward-difference",
                input=f"f was evaluated at {sorted(points)}",
                hint="use f(x + h) and f(x - h), symmetric around x",
            )
        if _same(got, 2 * slope, 1e-4):
            raise WrongAnswerError(
                "1.1",
                f"your slope is exactly twice the true one for f(x) = {name}",
                mistake="divided-by-h",
                input=f"x = {x}",
                expected=slope,
                got=float(got),
            )
        if _same(got, -slope, 1e-4):
            raise WrongAnswerError(
                "1.1",
                f"{where} has the wrong sign",
                mistake="sign-error",
                expected=slope,
                got=float(got),
                hint="which of f(x + h) and f(x - h) comes first?",
            )
        if not _same(got, slope, 1e-4):
            raise WrongAnswerError(
                "1.1",
                f"{where} is not the slope there",
                input=f"x = {x}",
                expected=slope,
                got=float(got),
                hint="(the change of f) / (the change of x), over a small step on each side of x",
            )
    _done("numerical_slope matches the true derivatives of x², x³ − 2x, sin and exp.")


@exercise("1.2")
def check_expression(build: Callable[[Value], Value]) -> None:
    """Exercise 1.2: ``build(x)`` returns f(x) = 2x³ − 5x + 1 made of Values."""
    for x in (2.0, -1.5, 0.5):
        v = Value(x, label="x")
        out = _require_value("1.2", f"build(Value({x}))", build(v))
        expected = 2 * x**3 - 5 * x + 1
        if not _same(out.data, expected, 1e-12):
            raise WrongAnswerError(
                "1.2",
                "f(x) has the wrong value",
                input=f"x = {x}",
                expected=expected,
                got=out.data,
                hint="f(x) = 2x³ − 5x + 1",
            )
        out.backward()
        if v.grad == 0.0:
            raise WrongAnswerError(
                "1.2",
                "the result does not depend on the Value x: after backward(), x.grad is 0",
                mistake="float-not-value",
                input=f"x = {x}",
                expected=6 * x**2 - 5,
                got=v.grad,
                hint="build f from x itself, not from x.data",
            )
    _done("f(x) = 2x³ − 5x + 1 has the right values and df/dx = 6x² − 5.")


# ----------------------------------------------------------------- notebook 2
@exercise("2.1")
def check_backprop_by_hand(grads: dict[str, float]) -> None:
    """Exercise 2.1: the gradients of L = (a·b + c)·f at a=2, b=−3, c=10, f=−2, by hand."""
    a, b, c, f = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
    loss = (a * b + c) * f
    loss.backward()
    expected = {"a": a.grad, "b": b.grad, "c": c.grad, "f": f.grad, "e": -2.0, "d": -2.0}
    if not isinstance(grads, dict):
        raise WrongAnswerError(
            "2.1", f"give a dict such as {{'a': ..., 'b': ...}}, got {type(grads).__name__}"
        )
    missing = sorted(set(expected) - set(grads))
    if missing:
        raise WrongAnswerError(
            "2.1", f"the dict has no entry for {missing}: give dL/d{missing[0]} too"
        )
    hints = {
        "f": "L = d·f: what multiplies f?",
        "d": "L = d·f: what multiplies d?",
        "c": "d = e + c: the local derivative of a sum is 1",
        "e": "d = e + c: the local derivative of a sum is 1",
        "a": "e = a·b: dL/da = dL/de · (what multiplies a)",
        "b": "e = a·b: dL/db = dL/de · (what multiplies b)",
    }
    for name in ("f", "d", "c", "e", "a", "b"):
        got = grads[name]
        if _same(got, expected[name]):
            continue
        if _same(got, -expected[name]):
            raise WrongAnswerError(
                "2.1",
                f"dL/d{name} has the wrong sign",
                mistake="sign-error",
                expected=expected[name],
                got=got,
                hint=hints[name],
            )
        raise WrongAnswerError(
            "2.1",
            f"dL/d{name} is not what the chain rule gives",
            expected=expected[name],
            got=got,
            hint=hints[name],
        )
    _done("every gradient is right, and backward() agrees with your chain rule.")


@exercise("2.2")
def check_division_local_grads(local_grads: Callable[[float, float], tuple[float, float]]) -> None:
    """Exercise 2.2: ``local_grads(a, b)`` returns (d(a/b)/da, d(a/b)/db)."""
    for a, b in ((6.0, 3.0), (-1.5, 0.5), (2.0, -4.0)):
        got = local_grads(a, b)
        if not (isinstance(got, (tuple, list)) and len(got) == 2):
            raise WrongAnswerError(
                "2.2", f"local_grads({a}, {b}) must return a pair (d/da, d/db), got {got!r}"
            )
        d_da, d_db = got
        where = f"a = {a}, b = {b}"
        if not _same(d_da, 1 / b):
            raise WrongAnswerError(
                "2.2",
                "d(a/b)/da is wrong",
                input=where,
                expected=1 / b,
                got=d_da,
                hint="a/b = a · (1/b): as a function of a, what is the slope?",
            )
        if _same(d_db, a / b**2):
            raise WrongAnswerError(
                "2.2",
                "d(a/b)/db is wrong",
                mistake="division-missing-sign",
                input=where,
                expected=-a / b**2,
                got=d_db,
            )
        if _same(d_db, -a / b):
            raise WrongAnswerError(
                "2.2",
                "d(a/b)/db is wrong",
                mistake="division-missing-square",
                input=where,
                expected=-a / b**2,
                got=d_db,
            )
        if not _same(d_db, -a / b**2):
            raise WrongAnswerError(
                "2.2",
                "d(a/b)/db is wrong",
                input=where,
                expected=-a / b**2,
                got=d_db,
                hint="a/b = a · b⁻¹, and d(b⁻¹)/db follows the power rule",
            )
    _done("the local derivatives of a / b are 1/b and −a/b².")


def _name(node: Value) -> str:
    return node.label or f"{node.op or 'leaf'} node ({node.data:.4g})"


@exercise("2.3")
def check_topological_sort(topological_sort: Callable[[Value], list[Value]]) -> None:
    """Exercise 2.3: every node once, each after all of its children."""
    a, b = Value(2.0, label="a"), Value(-1.0, label="b")
    c = a * b
    c.label = "c = a·b"
    d = c + a  # a is reached by two paths
    d.label = "d = c + a"
    t = d.tanh()
    t.label = "t = tanh(d)"
    e = t * c
    e.label = "e = t·c"
    order = topological_sort(e)
    expected = e.topological_order()
    if not isinstance(order, list) or set(order) != set(expected) or len(order) != len(expected):
        count = len(order) if isinstance(order, list) else order
        raise WrongAnswerError(
            "2.3",
            f"the order must list each of the {len(expected)} nodes exactly once",
            input="e = tanh(a·b + a) · (a·b)",
            expected=[_name(node) for node in expected],
            got=[_name(node) for node in order] if isinstance(order, list) else count,
            hint="remember which nodes you already visited",
        )
    position = {node: i for i, node in enumerate(order)}
    for node in order:
        for child in node.children:
            if position[child] > position[node]:
                raise WrongAnswerError(
                    "2.3",
                    f"'{_name(child)}' comes after '{_name(node)}', which was computed from it",
                    mistake="wrong-order",
                    input="e = tanh(a·b + a) · (a·b)",
                    got=[_name(n) for n in order],
                    hint="append a node only after all of its children",
                )
    _done("a valid topological order: every node comes after the nodes it was computed from.")


# The graphs that tell backward's mistakes apart, each built fresh for every run.
def _reused_sum() -> tuple[Value, list[Value], str]:
    a = Value(3.0, label="a")
    return a + a, [a], "out = a + a with a = 3"


def _square() -> tuple[Value, list[Value], str]:
    x = Value(-2.0, label="x")
    return x * x, [x], "out = x · x with x = −2"


def _diamond() -> tuple[Value, list[Value], str]:
    a = Value(0.5, label="a")
    b = a * 2.0
    c = a.exp()
    return b * c, [a], "out = (2a) · eᵃ with a = 0.5 (a reaches out by two paths)"


def _chain() -> tuple[Value, list[Value], str]:
    x = Value(0.3, label="x")
    return ((x.tanh() * 2.0) + 1.0).exp(), [x], "out = exp(2·tanh(x) + 1) with x = 0.3"


def _cancel() -> tuple[Value, list[Value], str]:
    a = Value(2.0, label="a")
    w = Value(-1.5, label="w")
    return (a * w) - a, [a, w], "out = a·w − a with a = 2, w = −1.5"


BACKWARD_GRAPHS = (_chain, _square, _reused_sum, _diamond, _cancel)


def _simulated_grads(root: Value, variant: str) -> dict[Value, float]:
    """The leaves' grads that a backward pass with a classic mistake would leave."""
    order = root.topological_order()
    grads = {node: 0.0 for node in order}
    grads[root] = 0.0 if variant == "no-seed" else 1.0
    walk = order if variant == "wrong-order" else list(reversed(order))
    for node in walk:
        for child, local in zip(node.children, node.local_grads, strict=True):
            if variant == "assign-not-accumulate":
                grads[child] = local * grads[node]
            else:
                grads[child] += local * grads[node]
    return grads


@exercise("2.4")
def check_backward(backward: Callable[[Value], None]) -> None:
    """Exercise 2.4: ``backward(root)`` fills every node's grad, like ``Value.backward``.

    Checked on a chain, a square x·x, a reused node a + a, a diamond and a − a;
    the classic mistakes (= instead of +=, the order not reversed, no seed, a
    sign error) are simulated on the same graph and named when they match.
    """
    for build in BACKWARD_GRAPHS:
        root, leaves, description = build()
        backward(root)
        if root.grad == 0.0:
            raise WrongAnswerError(
                "2.4",
                "the output's grad is 0 after your backward",
                mistake="no-seed",
                input=description,
                expected="out.grad = 1",
                got=f"out.grad = {root.grad}",
            )
        reference, reference_leaves, _ = build()
        reference.backward()
        got = {leaf.label: leaf.grad for leaf in leaves}
        expected = {leaf.label: leaf.grad for leaf in reference_leaves}
        if all(_same(got[name], expected[name]) for name in expected):
            continue
        shown = ", ".join(f"d out/d{name} = {value:.6g}" for name, value in expected.items())
        yours = ", ".join(f"d out/d{name} = {value:.6g}" for name, value in got.items())
        for variant in ("assign-not-accumulate", "wrong-order"):
            simulated = _simulated_grads(build()[0], variant)
            wrong = {n.label: g for n, g in simulated.items() if not n.children and n.label}
            if all(_same(got[name], wrong[name]) for name in got):
                raise WrongAnswerError(
                    "2.4",
                    "backward gave wrong gradients",
                    mistake=variant,
                    input=description,
                    expected=shown,
                    got=yours,
                )
        if all(_same(got[name], -expected[name]) for name in got):
            raise WrongAnswerError(
                "2.4",
                "backward gave wrong gradients",
                mistake="sign-error",
                input=description,
                expected=shown,
                got=yours,
            )
        raise WrongAnswerError(
            "2.4",
            "backward gave wrong gradients",
            input=description,
            expected=shown,
            got=yours,
            hint="seed the output with 1, then for each node from the output back: "
            "child.grad += local_grad × node.grad",
        )
    _done("your backward() agrees with the engine on a chain, x·x, a + a, a diamond and a·w − a.")


# The op table of exercise 2.5: name → (forward, local derivative, test points).
_OP_POINTS: dict[str, list[tuple[float, ...]]] = {
    "exp": [(0.7,), (-1.2,)],
    "log": [(0.5,), (3.0,)],
    "tanh": [(0.4,), (-1.1,)],
    "sigmoid": [(0.3,), (-2.0,)],
    "div": [(3.0, -2.0), (-1.0, 0.25)],
    "pow": [(1.5, 3.0), (2.0, 0.5)],
}


def _engine_op(name: str, args: tuple[float, ...]) -> tuple[float, tuple[float, ...]]:
    """The real engine's value and local derivatives for one op (pow: in a only)."""
    values = [Value(x) for x in args]
    if name == "div":
        out = values[0] / values[1]
    elif name == "pow":
        out = values[0] ** args[1]
    else:
        out = getattr(values[0], name)()
    return out.data, out.local_grads


def _op_mistakes(name: str, args: tuple[float, ...], out: float) -> dict[str, object]:
    """What the classic wrong local derivatives of ``name`` would give at ``args``."""
    a = args[0]
    if name == "tanh":
        return {"tanh-missing-square": 1 - out, "derivative-from-input": 1 - a * a}
    if name == "sigmoid":
        return {"derivative-from-input": a * (1 - a)}
    if name == "exp":
        return {"derivative-from-input": a}
    if name == "div":
        b = args[1]
        return {
            "division-missing-sign": (1 / b, a / b**2),
            "division-missing-square": (1 / b, -a / b),
        }
    if name == "pow":
        k = args[1]
        return {"power-missing-factor": a ** (k - 1)}
    return {}


def _as_pair(local: object) -> tuple[float, ...] | None:
    if isinstance(local, (tuple, list)):
        return tuple(float(x) for x in local)
    if isinstance(local, (int, float, np.floating)) and not isinstance(local, bool):
        return (float(local),)
    return None


@exercise("2.5")
def check_op_table(ops: dict[str, tuple[Callable[..., float], Callable[..., Any]]]) -> None:
    """Exercise 2.5: the forward value and local derivative of six ops, in a table.

    ``ops[name] = (forward, local)``: ``forward(a)`` (``forward(a, b)`` for
    ``"div"``, ``forward(a, k)`` for ``"pow"`` with a number k) returns the
    value; ``local(a, out)`` (``local(a, b, out)``, ``local(a, k, out)``)
    returns the local derivative (a pair for ``"div"``). Each op is checked
    against the real engine and finite differences; then the tiny engine of
    :func:`tiny_engine_gradients` backpropagates an expression with your table.
    """
    if not isinstance(ops, dict):
        raise WrongAnswerError("2.5", f"OPS must be a dict, got {type(ops).__name__}")
    missing = [name for name in _OP_POINTS if name not in ops]
    if missing:
        raise WrongAnswerError("2.5", f"OPS has no entry for {missing}")
    unfilled = [name for name in _OP_POINTS if None in tuple(ops[name])]
    if unfilled:
        raise NotImplementedError(f"OPS still has None for {unfilled}")
    for name, points in _OP_POINTS.items():
        forward, local = ops[name]
        for args in points:
            value, engine_local = _engine_op(name, args)
            where = f"{name}{args if len(args) > 1 else f'({args[0]})'}"
            got_value = forward(*args)
            if not _same(got_value, value, 1e-9):
                raise WrongAnswerError(
                    "2.5",
                    f"the forward value of {name} is wrong",
                    input=where,
                    expected=value,
                    got=got_value,
                )
            got_local = _as_pair(local(*args, value))
            if got_local is None:
                raise WrongAnswerError(
                    "2.5",
                    f"the local derivative of {name} must be a number"
                    + (" pair" if name == "div" else ""),
                    input=where,
                )
            if len(got_local) == len(engine_local) and all(
                _same(g, e) for g, e in zip(got_local, engine_local, strict=True)
            ):
                continue
            for code, wrong in _op_mistakes(name, args, value).items():
                wrong_pair = _as_pair(wrong)
                if (
                    wrong_pair is not None
                    and len(wrong_pair) == len(got_local)
                    and all(_same(g, w) for g, w in zip(got_local, wrong_pair, strict=True))
                ):
                    raise WrongAnswerError(
                        "2.5",
                        f"the local derivative of {name} is wrong",
                        mistake=code,
                        input=where,
                        expected=engine_local,
                        got=got_local,
                    )
            raise WrongAnswerError(
                "2.5",
                f"the local derivative of {name} is wrong",
                input=where,
                expected=engine_local,
                got=got_local,
                hint="check it with finite differences: (f(a + h) − f(a − h)) / 2h",
            )
    ours, engines = tiny_engine_gradients(ops)
    if not all(_same(g, e) for g, e in zip(ours, engines, strict=True)):
        raise WrongAnswerError(
            "2.5",
            "the tiny engine's gradients differ from the real engine's",
            expected=engines,
            got=ours,
        )
    _done("all six ops are right; the tiny engine built on your table matches the real one.")


class _Tiny:
    """A tiny engine: a value, its children, their local derivatives, from an op table."""

    def __init__(
        self, data: float, children: tuple[_Tiny, ...] = (), local: tuple[float, ...] = ()
    ):
        self.data, self.children, self.local, self.grad = data, children, local, 0.0


def _apply(ops: dict[str, Any], name: str, *args: _Tiny | float) -> _Tiny:
    forward, local = ops[name]
    numbers = [a.data if isinstance(a, _Tiny) else a for a in args]
    out = forward(*numbers)
    slopes = _as_pair(local(*numbers, out)) or ()
    tiny_args = [a for a in args if isinstance(a, _Tiny)]
    return _Tiny(out, tuple(tiny_args), slopes[: len(tiny_args)])


def tiny_engine_gradients(ops: dict[str, Any]) -> tuple[list[float], list[float]]:
    """Backpropagate q = sigmoid(tanh(x) / log(y)) ** 2 · exp(x) with the op table ``ops``.

    Returns (the tiny engine's [dq/dx, dq/dy], the real engine's): a whole
    engine is nothing but an op table and one chain-rule loop.
    """
    x, y = _Tiny(0.8), _Tiny(2.5)
    t = _apply(ops, "tanh", x)
    ly = _apply(ops, "log", y)
    ratio = _apply(ops, "div", t, ly)
    s = _apply(ops, "sigmoid", ratio)
    sq = _apply(ops, "pow", s, 2.0)
    ex = _apply(ops, "exp", x)
    # the product sq · ex, with its own local derivatives
    q = _Tiny(sq.data * ex.data, (sq, ex), (ex.data, sq.data))
    order: list[_Tiny] = []
    seen: set[int] = set()

    def visit(node: _Tiny) -> None:
        if id(node) not in seen:
            seen.add(id(node))
            for child in node.children:
                visit(child)
            order.append(node)

    visit(q)
    q.grad = 1.0
    for node in reversed(order):
        for child, local in zip(node.children, node.local, strict=True):
            child.grad += local * node.grad
    vx, vy = Value(0.8), Value(2.5)
    real = ((vx.tanh() / vy.log()).sigmoid() ** 2) * vx.exp()
    real.backward()
    return [x.grad, y.grad], [vx.grad, vy.grad]


# ----------------------------------------------------------------- notebook 3
@exercise("3.1")
def check_neuron_forward(
    neuron_forward: Callable[[list[Value], list[float], Value], Value],
) -> None:
    """Exercise 3.1: ``neuron_forward(w, x, b)`` = tanh(Σ wᵢxᵢ + b), as Values."""
    w = [Value(0.5, label="w0"), Value(-1.0, label="w1"), Value(2.0, label="w2")]
    b = Value(0.1, label="b")
    x = [1.0, 0.5, -0.25]
    out = _require_value("3.1", "neuron_forward(w, x, b)", neuron_forward(w, x, b))
    z = sum(wi.data * xi for wi, xi in zip(w, x, strict=True)) + b.data
    expected = math.tanh(z)
    if not _same(out.data, expected, 1e-12):
        hint = "the weighted sum w·x + b, then tanh"
        if _same(out.data, z, 1e-12):
            hint = "the activation is missing: apply .tanh() to the weighted sum"
        raise WrongAnswerError(
            "3.1",
            "the output is wrong",
            input=f"w = [0.5, -1, 2], x = {x}, b = 0.1",
            expected=expected,
            got=out.data,
            hint=hint,
        )
    out.backward()
    slope = 1 - expected**2
    if all(wi.grad == 0.0 for wi in w):
        raise WrongAnswerError(
            "3.1",
            "no gradient reaches the weights: the output does not depend on the Values w",
            mistake="float-not-value",
            hint="build the output from the Values w and b, not from their .data",
        )
    for i, wi in enumerate(w):
        if not _same(wi.grad, slope * x[i]):
            raise WrongAnswerError(
                "3.1",
                f"d out/d w{i} is wrong",
                expected=slope * x[i],
                got=wi.grad,
                hint="every weight must enter the graph once, multiplied by its input",
            )
    _done("the neuron computes tanh(w·x + b) and its gradients flow to every weight.")


@exercise("3.2")
def check_collapse_linear_layers(
    collapse: Callable[
        [np.ndarray, np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]
    ],
) -> None:
    """Exercise 3.2: two linear layers W2(W1x + b1) + b2 equal one layer Wx + b."""
    rng = np.random.default_rng(0)
    W1, b1 = rng.normal(size=(4, 3)), rng.normal(size=4)
    W2, b2 = rng.normal(size=(2, 4)), rng.normal(size=2)
    shapes = "W1 is (4, 3): 3 inputs → 4; b1 is (4,); W2 is (2, 4): 4 → 2; b2 is (2,)"
    try:
        result = collapse(W1, b1, W2, b2)
    except ValueError as error:  # NumPy's "matmul: Input operand 1 has a mismatch ..."
        raise WrongAnswerError(
            "3.2",
            "the matrix shapes do not fit together",
            input=shapes,
            got=f"NumPy: {error}",
            hint="A @ B needs A's number of columns = B's number of rows: which product of "
            "W1 and W2 can be computed, and what shape does it have?",
        ) from None
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise WrongAnswerError(
            "3.2", f"collapse must return a pair (W, b), got {type(result).__name__}"
        )
    W, b = (np.asarray(part, dtype=float) for part in result)
    if W.shape != (2, 3) or b.shape != (2,):
        raise WrongAnswerError(
            "3.2",
            "the shapes are wrong: the collapsed layer maps 3 inputs to 2 outputs",
            input=shapes,
            expected="W (2, 3), b (2,)",
            got=f"W {W.shape}, b {b.shape}",
        )
    x = rng.normal(size=3)
    two_layers = W2 @ (W1 @ x + b1) + b2
    if not np.allclose(W @ x + b, two_layers, atol=1e-9):
        raise WrongAnswerError(
            "3.2",
            "W x + b differs from the two layers",
            input=f"x = {np.round(x, 3)}",
            expected=np.round(two_layers, 4),
            got=np.round(W @ x + b, 4),
            hint="expand W2 (W1 x + b1) + b2 and group what multiplies x",
        )
    _done("two linear layers are one linear layer: W = W2·W1, b = W2·b1 + b2.")


# ----------------------------------------------------------------- notebook 4
@exercise("4.1")
def check_probability_loss(bce: Callable[[Value, float], Value]) -> None:
    """Exercise 4.1: ``bce(p, y)`` = −[y log p + (1 − y) log(1 − p)] for a probability Value p."""
    for p_value, y in ((0.9, 1), (0.9, 0), (0.25, 1), (0.5, 0)):
        p = Value(p_value, label="p")
        out = _require_value("4.1", f"bce(p={p_value}, y={y})", bce(p, y))
        expected = -(y * math.log(p_value) + (1 - y) * math.log(1 - p_value))
        if _same(out.data, -expected) and expected != 0:
            raise WrongAnswerError(
                "4.1",
                "the loss is negative",
                mistake="sign-error",
                input=f"p = {p_value}, y = {y}",
                expected=expected,
                got=out.data,
                hint="a loss is −log(probability of the true class): log p is negative",
            )
        if not _same(out.data, expected):
            raise WrongAnswerError(
                "4.1",
                "the loss is wrong",
                input=f"p = {p_value}, y = {y}",
                expected=expected,
                got=out.data,
                hint="−log of the probability given to the true class: p if y = 1, 1 − p if y = 0",
            )
        out.backward()
        slope = -y / p_value + (1 - y) / (1 - p_value)
        if not _same(p.grad, slope):
            raise WrongAnswerError(
                "4.1",
                "dL/dp is wrong",
                mistake="float-not-value" if p.grad == 0 else None,
                input=f"p = {p_value}, y = {y}",
                expected=slope,
                got=p.grad,
            )
    _done("binary cross-entropy: confident and right costs little, confident and wrong a lot.")


@exercise("4.2")
def check_sgd_step(sgd_step: Callable[[Sequence[Value], float], None]) -> None:
    """Exercise 4.2: ``sgd_step(params, lr)`` moves every parameter against its gradient."""
    params = [Value(1.0), Value(-2.0), Value(0.5)]
    grads = (0.5, -1.0, 0.0)
    for p, g in zip(params, grads, strict=True):
        p.grad = g
    sgd_step(params, 0.1)
    expected = [1.0 - 0.1 * 0.5, -2.0 + 0.1 * 1.0, 0.5]
    got = [p.data for p in params]
    if all(_same(g, e) for g, e in zip(got, expected, strict=True)):
        _done("one step of gradient descent: w ← w − lr·∂L/∂w.")
        return
    start = [1.0, -2.0, 0.5]
    shown = "params 1.0, -2.0, 0.5 with grads 0.5, -1.0, 0.0; lr = 0.1"
    if got == start and [p.grad for p in params] != list(grads):
        raise WrongAnswerError(
            "4.2",
            "the parameters did not move, their gradients did",
            mistake="updated-grad-not-data",
            input=shown,
            expected=expected,
            got=got,
        )
    if all(_same(g, s + 0.1 * d) for g, s, d in zip(got, start, grads, strict=True)):
        raise WrongAnswerError(
            "4.2",
            "the parameters moved uphill",
            mistake="update-sign",
            input=shown,
            expected=expected,
            got=got,
        )
    raise WrongAnswerError(
        "4.2",
        "the parameters are not where one step puts them",
        input=shown,
        expected=expected,
        got=got,
        hint="each parameter moves by lr × its own gradient",
    )


def _training_variant(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    lr: float,
    steps: int,
    variant: str | None = None,
) -> list[float]:
    """The training loop of exercise 4.3, or one classic mistake of it; returns the losses."""
    params = model.parameters()
    history = []
    for _ in range(steps):
        loss = losses.mean(losses.mse, [model(row) for row in X], y.tolist())
        if variant == "sum-not-mean":
            loss = loss * float(len(X))
        history.append(loss.data)
        if variant != "missing-zero-grad":
            model.zero_grad()
        if variant == "step-before-backward":
            for p in params:
                p.data -= lr * p.grad
            loss.backward()
            continue
        loss.backward()
        for p in params:
            if variant == "update-sign":
                p.data += lr * p.grad
            else:
                p.data -= lr * p.grad
    return history


def _training_data() -> tuple[np.ndarray, np.ndarray]:
    X = np.random.default_rng(4).uniform(-1.0, 1.0, size=(12, 2))
    return X, 0.5 * X[:, 0] - X[:, 1] ** 2


@exercise("4.3")
def check_training_loop(
    train: Callable[[MLP, np.ndarray, np.ndarray, float, int], list[float]],
    learning_rate: float | None,
) -> None:
    """Exercise 4.3: ``train(model, X, y, lr, steps)`` — the loop, written out; returns the losses.

    Each step: the mean squared error over all of X, zero the gradients,
    backward, then p.data -= lr · p.grad for every parameter. The check runs it
    next to the right loop and to each classic wrong one (no zero_grad, the
    update's sign, the step before backward, sum instead of mean) from the same
    weights, and names the one it matches. Then it trains with your
    ``learning_rate``, which must bring the loss below :data:`LOSS_TARGET` in 60 steps.
    """
    if learning_rate is None:
        raise NotImplementedError("choose learning_rate")
    X, y = _training_data()
    student = MLP(2, [4, 1], activation="tanh", seed=1)
    got_losses = train(student, X, y, 0.1, 8)
    reference = MLP(2, [4, 1], activation="tanh", seed=1)
    expected_losses = _training_variant(reference, X, y, 0.1, 8)
    if not isinstance(got_losses, list) or len(got_losses) != 8:
        raise WrongAnswerError(
            "4.3",
            "train must return the list of the losses, one per step",
            input="8 steps",
            got=got_losses,
        )
    got_weights = [p.data for p in student.parameters()]
    if all(
        _same(g, e)
        for g, e in zip(got_weights, (p.data for p in reference.parameters()), strict=True)
    ):
        _check_learning_rate(train, learning_rate)
        _done("the training loop is right: zero_grad, forward, loss, backward, step.")
        return
    shown = "MLP(2, [4, 1], tanh), 12 points, lr = 0.1, 8 steps"
    for variant in ("missing-zero-grad", "update-sign", "step-before-backward", "sum-not-mean"):
        model = MLP(2, [4, 1], activation="tanh", seed=1)
        variant_losses = _training_variant(model, X, y, 0.1, 8, variant)
        if all(
            _same(g, w)
            for g, w in zip(got_weights, (p.data for p in model.parameters()), strict=True)
        ):
            raise WrongAnswerError(
                "4.3",
                "the weights after 8 steps are not those of gradient descent",
                mistake=variant,
                input=shown,
                expected=f"losses {np.round(expected_losses, 4).tolist()}",
                got=f"losses {np.round(variant_losses, 4).tolist()}",
            )
    raise WrongAnswerError(
        "4.3",
        "the weights after 8 steps are not those of gradient descent",
        input=shown,
        expected=f"losses {np.round(expected_losses, 4).tolist()}",
        got=f"losses {np.round(np.asarray(got_losses, dtype=float), 4).tolist()}",
        hint="each step: loss (the mean over all points), zero_grad, backward, update",
    )


LOSS_TARGET = 0.085
"""Exercise 4.3: 60 steps with the student's learning rate must bring the loss below this."""


def _check_learning_rate(train: Callable[..., list[float]], learning_rate: float) -> None:
    X, y = _training_data()
    history = train(MLP(2, [4, 1], activation="tanh", seed=1), X, y, learning_rate, 60)
    final = history[-1] if history else math.nan
    if not math.isfinite(final) or final > history[0]:
        raise WrongAnswerError(
            "4.3",
            f"with learning_rate = {learning_rate} the loss grows",
            mistake="exploding-lr",
            input="60 steps",
            expected=f"a loss below {LOSS_TARGET}",
            got=f"{history[0]:.4g} → {final:.4g}",
        )
    if final >= LOSS_TARGET:
        raise WrongAnswerError(
            "4.3",
            f"with learning_rate = {learning_rate} the loss falls too slowly",
            input="60 steps",
            expected=f"a loss below {LOSS_TARGET}",
            got=f"{history[0]:.4g} → {final:.4g}",
            hint="a larger step (but not so large that the loss grows)",
        )


CURVE_CAUSES = ("rate too high", "rate too low", "overfitting", "no zero_grad")
"""The four diagnoses of exercise 4.4."""

_CURVE_ORDER = {"A": "no zero_grad", "B": "overfitting", "C": "rate too high", "D": "rate too low"}
_CURVE_SIGNS = {
    "rate too high": "the loss jumps up and down, or grows: each step overshoots",
    "rate too low": "smooth but very slow: the loss has barely moved after many epochs",
    "overfitting": "the training loss keeps falling while the validation loss turns up",
    "no zero_grad": "fast at first, then the training loss itself turns back up and swings, "
    "as old gradients pile up into ever larger steps",
}


@cache
def loss_curves() -> dict[str, dict[str, list[float]]]:
    """Four training runs, labelled A–D, each with one classic problem (exercise 4.4).

    Each is ``{"train": [...], "validation": [...]}`` per epoch, from real
    training with this library (deterministic: same curves every time).
    """
    from . import datasets

    X, y = datasets.moons(n=60, noise=0.25, seed=3)
    X_train, X_val, y_train, y_val = datasets.train_test_split(X, y, train_ratio=0.3, seed=3)
    runs: dict[str, dict[str, list[float]]] = {}
    for letter, cause in _CURVE_ORDER.items():
        hidden, lr, epochs = {
            "no zero_grad": ([8], 0.05, 40),
            "overfitting": ([24, 24], 0.3, 120),
            "rate too high": ([8], 12.0, 40),
            "rate too low": ([8], 0.002, 40),
        }[cause]
        model = MLP(2, [*hidden, 1], activation="tanh", seed=0)
        train_curve, val_curve = [], []
        for _ in range(epochs):
            loss = losses.mean(
                losses.binary_cross_entropy, [model(row) for row in X_train], y_train.tolist()
            )
            if cause != "no zero_grad":
                model.zero_grad()
            loss.backward()
            for p in model.parameters():
                p.data -= lr * p.grad
            train_curve.append(_mean_bce(model, X_train, y_train))
            val_curve.append(_mean_bce(model, X_val, y_val))
        runs[letter] = {"train": train_curve, "validation": val_curve}
    return runs


def _mean_bce(model: MLP, X: np.ndarray, y: np.ndarray) -> float:
    z = model.forward_array(X)[:, 0]
    with np.errstate(over="ignore"):
        return float(np.mean(np.logaddexp(0.0, z) - y * z))


@exercise("4.4")
def check_loss_diagnosis(diagnosis: dict[str, str]) -> None:
    """Exercise 4.4: name the problem of each of the four loss curves A–D."""
    if not isinstance(diagnosis, dict) or set(diagnosis) != set(_CURVE_ORDER):
        raise WrongAnswerError(
            "4.4",
            "give a dict with one diagnosis for each of 'A', 'B', 'C', 'D'",
            got=diagnosis,
        )
    if None in diagnosis.values():
        raise NotImplementedError("diagnosis still has None")
    for letter, cause in _CURVE_ORDER.items():
        answer = str(diagnosis[letter]).strip().lower()
        if answer not in CURVE_CAUSES:
            raise WrongAnswerError(
                "4.4",
                f"curve {letter}: {diagnosis[letter]!r} is not one of the diagnoses",
                expected=" / ".join(CURVE_CAUSES),
                got=diagnosis[letter],
            )
        if answer != cause:
            raise WrongAnswerError(
                "4.4",
                f"curve {letter} is not '{answer}'",
                hint=f"'{answer}' looks like this: {_CURVE_SIGNS[answer]}. "
                f"Look again at curve {letter}: which description fits it?",
            )
    _done("all four diagnoses are right.")


# ----------------------------------------------------------------- notebook 5
@exercise("5.1")
def check_mean_squared_error(
    mean_squared_error: Callable[[list[Value], list[float]], Value],
) -> None:
    """Exercise 5.1: the mean of (ŷ − y)² over a batch, as a Value."""
    preds = [Value(0.5, label="ŷ0"), Value(-1.0, label="ŷ1"), Value(2.0, label="ŷ2")]
    targets = [1.0, -1.0, 0.0]
    shown = "predictions [0.5, -1, 2], targets [1, -1, 0]"
    out = _require_value("5.1", "mean_squared_error", mean_squared_error(preds, targets))
    reference_preds = [Value(p.data) for p in preds]
    reference = losses.mean(losses.mse, reference_preds, targets)
    if _same(out.data, reference.data * len(preds)):
        raise WrongAnswerError(
            "5.1",
            "the result is 3 times the MSE",
            mistake="sum-not-mean",
            input=shown,
            expected=reference.data,
            got=out.data,
        )
    if not _same(out.data, reference.data, 1e-12):
        raise WrongAnswerError(
            "5.1",
            "the MSE is wrong",
            input=shown,
            expected=reference.data,
            got=out.data,
            hint="square each error ŷ − y, then average",
        )
    out.backward()
    reference.backward()
    for i, (p, r) in enumerate(zip(preds, reference_preds, strict=True)):
        if not _same(p.grad, r.grad, 1e-12):
            raise WrongAnswerError(
                "5.1",
                f"dMSE/dŷ{i} is wrong",
                mistake="float-not-value" if p.grad == 0 else None,
                input=shown,
                expected=r.grad,
                got=p.grad,
            )
    _done("MSE = mean of squared errors, and its gradient 2(ŷ − y)/n.")


# ----------------------------------------------------------------- notebook 6
@exercise("6.1")
def check_circle_features(features: Callable[[np.ndarray], np.ndarray]) -> None:
    """Exercise 6.1: features with which one neuron (no hidden layer) separates the circle."""
    from . import datasets, optim
    from .train import evaluate, fit

    X, y = datasets.circle(n=200, seed=1)
    inputs = np.asarray(features(X), dtype=float)
    if inputs.ndim != 2 or inputs.shape[0] != len(X):
        raise WrongAnswerError(
            "6.1",
            "features(X) must have shape (n, k)",
            expected=f"({len(X)}, k)",
            got=inputs.shape,
        )
    model = MLP(inputs.shape[1], [1], seed=0)
    fit(
        model,
        inputs,
        y,
        optimizer=optim.Adam(model.parameters(), lr=0.05),
        epochs=60,
        progress=False,
    )
    _, accuracy = evaluate(model, inputs, y, "bce")
    if accuracy is None or accuracy < 0.95:
        raise WrongAnswerError(
            "6.1",
            "one neuron on your features cannot separate the circle",
            expected="≥ 95 % accuracy",
            got=f"{accuracy:.0%}",
            hint="one neuron draws a straight line in its inputs; the circle's edge is where "
            "x1² + x2² is constant",
        )
    _done(f"with your features one neuron separates the circle ({accuracy:.0%} accuracy).")


# ----------------------------------------------------------------- notebook 7
@exercise("7.1")
def check_torch_loss(torch_loss: Callable[[Any, np.ndarray, np.ndarray], Any]) -> None:
    """Exercise 7.1: the MSE of a ``torch.nn.Sequential`` on (X, y), gradients equal to ours."""
    import torch

    from .io import to_torch

    model = MLP(2, [4, 1], activation="tanh", seed=3)
    X = np.random.default_rng(0).normal(size=(8, 2))
    y = np.sin(X[:, 0])
    reference = losses.mean(losses.mse, [model(row) for row in X], y.tolist())
    reference.backward()
    sequential = to_torch(model)
    out = torch_loss(sequential, X, y)
    if not isinstance(out, torch.Tensor) or out.numel() != 1:
        raise WrongAnswerError(
            "7.1",
            "torch_loss must return a one-element torch tensor (the mean loss)",
            got=type(out).__name__ if not isinstance(out, torch.Tensor) else tuple(out.shape),
        )
    got = out.item()
    with torch.no_grad():
        predictions = sequential(torch.tensor(X))
        broadcast = float(((predictions - torch.tensor(y)) ** 2).mean())
    shown = "8 points, sequential(X) of shape (8, 1), y of shape (8,)"
    if _same(got, broadcast) and not _same(broadcast, reference.data):
        raise WrongAnswerError(
            "7.1",
            "the loss compares every prediction with every target",
            mistake="broadcast-shapes",
            input=shown,
            expected=reference.data,
            got=got,
        )
    if _same(got, reference.data * len(X)):
        raise WrongAnswerError(
            "7.1",
            "the loss is 8 times the mean",
            mistake="sum-not-mean",
            input=shown,
            expected=reference.data,
            got=got,
        )
    if not _same(got, reference.data):
        raise WrongAnswerError(
            "7.1",
            "PyTorch's loss differs from micrograd_edu's",
            input=shown,
            expected=reference.data,
            got=got,
        )
    out.backward()  # type: ignore[no-untyped-call]
    first = sequential[0].weight.grad[0, 0].item()
    ours = model.layers[0].neurons[0].w[0].grad
    if not _same(first, ours):
        raise WrongAnswerError(
            "7.1",
            "d loss/d w (first weight) differs",
            expected=ours,
            got=first,
        )
    _done("PyTorch and micrograd_edu agree on the loss and on every gradient checked.")


@exercise("7.2")
def check_batch_seed(seed_of: Callable[[np.ndarray, np.ndarray], Any]) -> None:
    """Exercise 7.2: the seed of a batched backward pass, dL/dzᵢ of the mean cross-entropy.

    ``seed_of(z, y)`` gets the logits of a batch (shape (n,)) and its 0/1 labels
    and returns dL/dzᵢ for L = mean of the binary cross-entropies: (σ(zᵢ) − yᵢ)/n.
    The check replays a captured MLP on the batch, starts ``tape.backward`` from
    that seed, and compares every parameter's gradient with the engine's
    ``loss.backward()`` on the same batch.
    """
    from .tape import ArrayMath, capture

    model = MLP(2, [4, 1], activation="tanh", seed=3)
    X = np.random.default_rng(1).normal(size=(8, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.float64)
    tape = capture(model, [0.0, 0.0])
    z = tape.forward_batch(X)[:, 0]
    answer = seed_of(z.copy(), y.copy())
    if isinstance(answer, Value) or (
        isinstance(answer, (list, tuple)) and any(isinstance(a, Value) for a in answer)
    ):
        raise WrongAnswerError(
            "7.2",
            "the seed must be plain numbers (a NumPy array): the tape computes without Values",
            got=type(answer).__name__,
        )
    got = np.asarray(answer, dtype=np.float64)
    if got.shape not in ((8,), (8, 1)):
        raise WrongAnswerError(
            "7.2",
            "the seed must hold one number per sample",
            input="8 samples: z and y of shape (8,)",
            expected="shape (8,)",
            got=f"shape {got.shape}",
        )
    got = got.reshape(8)
    probabilities = ArrayMath.sigmoid(z)
    expected = (probabilities - y) / len(z)
    shown = "8 logits z and their labels y"
    for mistake, wrong, problem in (
        ("sum-not-mean", expected * len(z), "the seed is 8 times too large"),
        ("sign-error", -expected, "the seed has the wrong sign"),
        ("missing-target", probabilities / len(z), "the seed ignores the labels"),
    ):
        if np.allclose(got, wrong, rtol=1e-9, atol=1e-15):
            raise WrongAnswerError(
                "7.2",
                problem,
                mistake=mistake,
                input=shown,
                expected=f"dL/dz₀ = {expected[0]:.6g}",
                got=f"dL/dz₀ = {got[0]:.6g}",
            )
    if not np.allclose(got, expected, rtol=1e-9, atol=1e-15):
        worst = int(np.argmax(np.abs(got - expected)))
        raise WrongAnswerError(
            "7.2",
            "the seed is not dL/dz of the mean binary cross-entropy",
            input=f"{shown}; sample {worst}: z = {z[worst]:.4g}, y = {y[worst]:g}",
            expected=f"{expected[worst]:.6g}",
            got=f"{got[worst]:.6g}",
            hint="d/dz [log(1 + e^z) − y·z] = σ(z) − y, and a mean divides by n",
        )
    model.zero_grad()
    tape.backward(got)
    replayed = [p.grad for p in model.parameters()]
    model.zero_grad()
    losses.mean(losses.binary_cross_entropy, [model(row) for row in X], y.tolist()).backward()
    engine = [p.grad for p in model.parameters()]
    if not np.allclose(replayed, engine, rtol=1e-9, atol=1e-15):
        raise WrongAnswerError("7.2", "the replayed gradients differ from the engine's")
    _done(
        "from your seed the tape's backward pass gives every gradient of "
        "the engine's loss.backward(), for the whole batch at once."
    )


# ----------------------------------------------------------------- notebook 8
_EPISODES = [[0.0, 0.0, 1.0], [1.0, -1.0], [0.5, 0.0, 0.0, 2.0]]


def _returns_variant(
    episodes: list[list[float]], gamma: float, variant: str | None
) -> list[list[float]]:
    """Each episode's returns, or what a classic mistake gives instead."""
    result = []
    running = 0.0
    for rewards in episodes:
        if variant != "running-sum-not-reset":
            running = 0.0
        returns = []
        for reward in reversed(rewards):
            if variant == "gamma-on-current-reward":
                running = gamma * (reward + running)
            else:
                running = reward + gamma * running
            returns.append(running)
        result.append(returns if variant == "returns-reversed" else returns[::-1])
    return result


@exercise("8.1")
def check_discounted_returns(
    returns_of: Callable[[list[list[float]], float], list[list[float]]],
) -> None:
    """Exercise 8.1: ``returns_of(episodes, gamma)``: Gₜ = rₜ + γGₜ₊₁ for every episode."""
    gamma = 0.9
    episodes = [list(rewards) for rewards in _EPISODES]
    got = returns_of(episodes, gamma)
    expected = _returns_variant(_EPISODES, gamma, None)
    shown = f"episodes {_EPISODES}, γ = {gamma}"
    if not isinstance(got, list) or len(got) != len(expected):
        raise WrongAnswerError(
            "8.1",
            "returns_of must return one list of returns per episode",
            input=shown,
            expected=expected,
            got=got,
        )

    def same(answer: list[list[float]], reference: list[list[float]]) -> bool:
        return all(
            isinstance(a, (list, tuple))
            and len(a) == len(r)
            and all(_same(x, y) for x, y in zip(a, r, strict=True))
            for a, r in zip(answer, reference, strict=True)
        )

    if same(got, expected):
        _done("discounted returns: Gₜ = rₜ + γ·Gₜ₊₁, backwards through each episode.")
        return
    for variant in ("returns-reversed", "gamma-on-current-reward", "running-sum-not-reset"):
        if same(got, _returns_variant(_EPISODES, gamma, variant)):
            raise WrongAnswerError(
                "8.1",
                "the returns are wrong",
                mistake=variant,
                input=shown,
                expected=expected,
                got=got,
            )
    raise WrongAnswerError(
        "8.1",
        "the returns are wrong",
        input=shown,
        expected=expected,
        got=got,
        hint="the last step's return is its reward; each earlier one adds γ × the next return",
    )


@exercise("8.2")
def check_policy_gradient_loss(pg_loss: Callable[[list[Value], list[float]], Value]) -> None:
    """Exercise 8.2: L = −mean(log π(aₜ|sₜ) · Âₜ) — its sign makes the good actions more likely."""
    log_probs = [Value(math.log(p), label=f"log π{i}") for i, p in enumerate((0.5, 0.2, 0.9))]
    advantages = [1.0, -0.5, 2.0]
    out = _require_value("8.2", "pg_loss", pg_loss(log_probs, advantages))
    expected = -sum(lp.data * a for lp, a in zip(log_probs, advantages, strict=True)) / 3
    shown = "log π = [log 0.5, log 0.2, log 0.9], advantages [1, −0.5, 2]"
    if _same(out.data, -expected):
        raise WrongAnswerError(
            "8.2",
            "the loss has the wrong sign: minimising it would make the good actions less likely",
            mistake="sign-error",
            input=shown,
            expected=expected,
            got=out.data,
        )
    if _same(out.data, expected * 3):
        raise WrongAnswerError(
            "8.2",
            "the loss is 3 times too large",
            mistake="sum-not-mean",
            input=shown,
            expected=expected,
            got=out.data,
        )
    if not _same(out.data, expected):
        raise WrongAnswerError(
            "8.2",
            "the loss is wrong",
            input=shown,
            expected=expected,
            got=out.data,
            hint="weight each log-probability by its advantage, average, and mind the sign",
        )
    out.backward()
    for lp, a in zip(log_probs, advantages, strict=True):
        if not _same(lp.grad, -a / 3):
            raise WrongAnswerError(
                "8.2",
                f"dL/d({lp.label}) is wrong",
                mistake="float-not-value" if lp.grad == 0 else None,
                expected=-a / 3,
                got=lp.grad,
            )
    _done("the policy-gradient loss: minimising it raises the probability of good actions.")


@exercise("8.3")
def check_policy_gradient_step(
    gradient_of: Callable[[Any, list[Any], list[int], list[float]], list[float]],
) -> None:
    """Exercise 8.3: the policy gradient by backpropagation equals finite differences.

    ``gradient_of(policy, states, actions, advantages)`` returns dL/dθ for every
    parameter θ of ``policy.parameters()``, by building the loss and calling
    ``backward()``; the check compares them with central differences of the loss.
    """
    from .gradcheck import numerical_grad
    from .rl import Policy, policy_loss

    policy = Policy(3, 2, hidden=(3,), seed=5)
    states = [[0.2, -1.0, 0.5], [1.0, 0.3, -0.2], [-0.4, 0.8, 0.1]]
    actions = [0, 1, 1]
    advantages = [1.2, -0.7, 0.3]
    params = policy.parameters()
    for p in params:
        p.grad = 0.0
    got = gradient_of(policy, states, actions, advantages)
    if not isinstance(got, (list, tuple)) or len(got) != len(params):
        raise WrongAnswerError(
            "8.3",
            f"gradient_of must return one number per parameter ({len(params)})",
            got=type(got).__name__ if not isinstance(got, (list, tuple)) else f"{len(got)} numbers",
        )
    start = [p.data for p in params]

    def loss_at(*values: Value) -> float:  # numerical_grad passes the nudged numbers as Values
        for p, v in zip(params, values, strict=True):
            p.data = v.data
        return policy_loss(policy, states, actions, advantages).data

    expected = numerical_grad(loss_at, start)
    for p, v in zip(params, start, strict=True):
        p.data = v
    if all(_same(g, -e, 1e-5) for g, e in zip(got, expected, strict=True)) and any(expected):
        raise WrongAnswerError(
            "8.3",
            "the gradient has the wrong sign",
            mistake="sign-error",
            expected=[round(e, 5) for e in expected[:4]],
            got=[round(float(g), 5) for g in got[:4]],
        )
    for i, (g, e) in enumerate(zip(got, expected, strict=True)):
        if not _same(g, e, 1e-5):
            raise WrongAnswerError(
                "8.3",
                f"dL/dθ{i} differs from finite differences",
                mistake="missing-zero-grad" if _same(g, 2 * e, 1e-5) else None,
                expected=e,
                got=g,
                hint="build the loss with rl.policy_loss, zero the grads, backward, read p.grad",
            )
    _done("backpropagation and finite differences agree on the policy gradient.")
