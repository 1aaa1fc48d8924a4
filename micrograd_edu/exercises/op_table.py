"""Notebook 2, exercise 2.5: the op table, and the tiny engine built on it.

A student's table gives, for six ops, the forward value and the local
derivative; each is checked against the real engine, then
:func:`tiny_engine_gradients` backpropagates one expression through a tiny
engine made of nothing but that table and a chain-rule loop.

Standard library only (no NumPy): notebooks 1 and 2 also run in the browser.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from ..engine import Value
from .compare import diagnose, show
from .core import Exercise, Guard, run_check
from .graphs import build, gradient_suspects
from .mistakes import WrongAnswerError, exercise
from .switch import DERIVATIVE_ROUTES

__all__ = ["OP_TABLE", "check_op_table", "tiny_engine_gradients"]

_VALUE = "micrograd_edu.engine:Value"

_OPS = ("exp", "log", "tanh", "sigmoid", "div", "pow")


def _op_graph(name: str, args: list[float]) -> tuple[Value, list[Value]]:
    """The engine's node for one op, and the inputs whose derivatives the table gives."""
    if name == "div":
        nodes, out = build(
            {"leaves": [["a", args[0]], ["b", args[1]]], "nodes": [["q", "div", "a", "b"]]}
        )
        return out, [nodes["a"], nodes["b"]]
    a = Value(args[0], label="a")
    out = a ** args[1] if name == "pow" else getattr(a, name)()
    return out, [a]


def _probe_ops(case: Any, guard: Guard, ops: Any) -> Any:
    if not isinstance(ops, dict):
        return {"type": type(ops).__name__}
    missing = [name for name in _OPS if name not in ops]
    if missing:
        return {"missing ops": missing}
    if any(not isinstance(ops[n], (tuple, list)) or None in tuple(ops[n]) for n in _OPS):
        raise NotImplementedError("OPS still has None")
    table: dict[str, Any] = {}
    with guard():
        for name, points in case["points"].items():
            forward, local = ops[name]
            rows = []
            for args in points:
                value = forward(*args)
                rows.append([value, local(*args, value)])
            table[name] = rows
        tiny = _tiny_gradients(ops, case["tiny"])
    return {"ops": table, "tiny": tiny}


def _judge_ops(case: Any, data: Any) -> str:
    if not isinstance(data, dict) or "ops" not in data:
        missing = data.get("missing ops") if isinstance(data, dict) else None
        what = (
            f"has no entry for {show(missing)}" if missing else f"must be a dict, got {show(data)}"
        )
        raise WrongAnswerError("2.5", f"OPS {what}")
    for name, points in case["points"].items():
        rows = data["ops"].get(name) if isinstance(data["ops"], dict) else None
        if not isinstance(rows, list) or len(rows) != len(points):
            raise WrongAnswerError("2.5", f"the probe's answer for {name} has the wrong form")
        for args, row in zip(points, rows, strict=True):
            _judge_op(name, args, row)
    x, y = case["tiny"]
    vx, vy = Value(x), Value(y)
    real = ((vx.tanh() / vy.log()).sigmoid() ** 2) * vx.exp()
    real.backward()
    diagnose(
        "2.5",
        [vx.grad, vy.grad],
        data.get("tiny"),
        problem="the tiny engine's gradients differ from the real engine's",
        input=f"q = sigmoid(tanh(x) / log(y))² · exp(x) at x = {x}, y = {y}",
    )
    return "all six ops are right; the tiny engine built on your table matches the real one."


def _judge_op(name: str, args: list[float], row: Any) -> None:
    where = f"{name}({', '.join(f'{a:g}' for a in args)})"
    out, inputs = _op_graph(name, args)
    value, local = row if isinstance(row, list) and len(row) == 2 else (row, None)
    diagnose("2.5", out.data, value, problem=f"the forward value of {name} is wrong", input=where)
    suspects = gradient_suspects(out, inputs)
    diagnose(
        "2.5",
        suspects.pop("expected"),
        [local] if not isinstance(local, list) else local,
        suspects,
        problem=f"the local derivative of {name} is wrong"
        + (" (give the pair d/da, d/db)" if name == "div" else ""),
        input=where,
        hint="check it with finite differences: (f(a + h) − f(a − h)) / 2h",
    )


def _hidden_ops(rng: random.Random) -> dict[str, Any]:
    def u(lo: float, hi: float) -> float:
        return round(rng.uniform(lo, hi), 2)

    return {
        "points": {
            "exp": [[u(-2, 2)], [u(-2, 2)]],
            "log": [[u(0.2, 4)], [u(0.2, 4)]],
            "tanh": [[u(-2, 2)], [u(-2, 2)]],
            "sigmoid": [[u(-3, 3)], [u(-3, 3)]],
            "div": [[u(-3, 3), u(0.5, 3)], [u(-3, 3), -u(0.5, 3)]],
            "pow": [
                [u(0.5, 2.5), rng.choice([2.0, 3.0, -2.0])],
                [u(0.5, 2.5), rng.choice([0.5, 1.5])],
            ],
        },
        "tiny": [u(0.2, 1.5), u(1.5, 4.0)],
    }


OP_TABLE = Exercise(
    number="2.5",
    what="the op table",
    notebook_case=lambda: {
        "points": {
            "exp": [[0.7], [-1.2]],
            "log": [[0.5], [3.0]],
            "tanh": [[0.4], [-1.1]],
            "sigmoid": [[0.3], [-2.0]],
            "div": [[3.0, -2.0], [-1.0, 0.25]],
            "pow": [[1.5, 3.0], [2.0, 0.5]],
        },
        "tiny": [0.8, 2.5],
    },
    hidden_case=_hidden_ops,
    probe=_probe_ops,
    judge=_judge_ops,
    switch=(
        *(
            (_VALUE, attribute)
            for attribute in ("exp", "log", "tanh", "sigmoid", "__truediv__", "__rtruediv__")
        ),
        (_VALUE, "__pow__"),
        *DERIVATIVE_ROUTES,
    ),
)


@exercise("2.5")
def check_op_table(ops: dict[str, tuple[Callable[..., float], Callable[..., Any]]]) -> None:
    """Exercise 2.5: the forward value and local derivative of six ops, in a table.

    ``ops[name] = (forward, local)``: ``forward(a)`` (``forward(a, b)`` for
    ``"div"``, ``forward(a, k)`` for ``"pow"`` with a number k) returns the
    value; ``local(a, out)`` (``local(a, b, out)``, ``local(a, k, out)``)
    returns the local derivative (a pair for ``"div"``). Each op is checked
    against the real engine; then the tiny engine of
    :func:`tiny_engine_gradients` backpropagates an expression with your table.
    """
    run_check("2.5", ops)


class _Tiny:
    """A tiny engine: a value, its children, their local derivatives, from an op table."""

    def __init__(
        self, data: float, children: tuple[_Tiny, ...] = (), local: tuple[float, ...] = ()
    ):
        self.data, self.children, self.local, self.grad = data, children, local, 0.0


def _as_tuple(local: object) -> tuple[float, ...]:
    if isinstance(local, (tuple, list)):
        return tuple(float(x) for x in local)
    return (float(local),)  # type: ignore[arg-type]


def _apply(ops: dict[str, Any], name: str, *args: _Tiny | float) -> _Tiny:
    forward, local = ops[name]
    numbers = [a.data if isinstance(a, _Tiny) else a for a in args]
    out = forward(*numbers)
    slopes = _as_tuple(local(*numbers, out))
    tiny_args = [a for a in args if isinstance(a, _Tiny)]
    return _Tiny(out, tuple(tiny_args), slopes[: len(tiny_args)])


def _tiny_gradients(ops: dict[str, Any], at: tuple[float, float] | list[float]) -> list[float]:
    """[dq/dx, dq/dy] of q = sigmoid(tanh(x) / log(y)) ** 2 · exp(x), by the tiny engine."""
    x, y = _Tiny(at[0]), _Tiny(at[1])
    t = _apply(ops, "tanh", x)
    ly = _apply(ops, "log", y)
    s = _apply(ops, "sigmoid", _apply(ops, "div", t, ly))
    sq = _apply(ops, "pow", s, 2.0)
    ex = _apply(ops, "exp", x)
    q = _Tiny(sq.data * ex.data, (sq, ex), (ex.data, sq.data))  # the product, by hand
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
    return [x.grad, y.grad]


def tiny_engine_gradients(
    ops: dict[str, Any], at: tuple[float, float] | list[float] = (0.8, 2.5)
) -> tuple[list[float], list[float]]:
    """Backpropagate q = sigmoid(tanh(x) / log(y)) ** 2 · exp(x) with the op table ``ops``.

    Returns (the tiny engine's [dq/dx, dq/dy], the real engine's) at ``at`` =
    (x, y): a whole engine is nothing but an op table and one chain-rule loop.
    """
    vx, vy = Value(at[0]), Value(at[1])
    real = ((vx.tanh() / vy.log()).sigmoid() ** 2) * vx.exp()
    real.backward()
    return _tiny_gradients(ops, at), [vx.grad, vy.grad]
