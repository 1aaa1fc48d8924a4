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
from .graphs import DERIVATIVE_MISTAKES, build, gradient_suspects, merged_suspects
from .mistakes import WrongAnswerError, exercise, not_done
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


def _entry_problem(ops: dict[Any, Any]) -> dict[str, Any] | None:
    """What is wrong with the table's form (a missing op, an entry not a pair of functions)."""
    missing = [name for name in _OPS if name not in ops]
    if missing:
        return {"missing ops": missing}
    for name in _OPS:
        entry = ops[name]
        if isinstance(entry, (tuple, list)) and None in entry:
            raise not_done(f"OPS[{name!r}] still holds None")
        if not (isinstance(entry, (tuple, list)) and len(entry) == 2 and all(map(callable, entry))):
            return {"bad entry": name}
    return None


def _probe_ops(case: Any, guard: Guard, ops: Any) -> Any:
    if not isinstance(ops, dict):
        return {"type": type(ops).__name__}
    problem = _entry_problem(ops)
    if problem is not None:
        return problem
    table: dict[str, Any] = {}
    for name, points in case["points"].items():
        forward, local = ops[name]
        rows = []
        for args in points:
            with guard(blame=forward):
                value = forward(*args)
            with guard(blame=local):
                rows.append([value, local(*args, value)])
        table[name] = rows
    with guard():
        tiny = _tiny_gradients(ops, case["tiny"])
    return {"ops": table, "tiny": tiny}


def _judge_ops(case: Any, data: Any) -> str:
    if not isinstance(data, dict) or "ops" not in data:
        data = data if isinstance(data, dict) else {}
        if "missing ops" in data:
            missing = ", ".join(repr(name) for name in data["missing ops"])
            raise WrongAnswerError("2.5", f"OPS has no entry for {missing}"[:300])
        if "bad entry" in data:
            raise WrongAnswerError(
                "2.5",
                f"OPS[{data['bad entry']!r}] must be a pair (forward, local) of functions"[:300],
            )
        raise WrongAnswerError("2.5", f"OPS must be a dict, got a {show(data.get('type'))}")
    for name, points in case["points"].items():
        rows = data["ops"].get(name) if isinstance(data["ops"], dict) else None
        if not isinstance(rows, list) or len(rows) != len(points):
            raise WrongAnswerError("2.5", f"the probe's answer for {name} has the wrong form")
        _judge_op(name, points, rows)
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
        entry=lambda path: ("dq/dx", "dq/dy")[path[0]],
    )
    return "all six ops are right; the tiny engine built on your table matches the real one."


def _judge_op(name: str, points: list[list[float]], rows: list[Any]) -> None:
    where = [f"{name}({', '.join(f'{a:g}' for a in args)})" for args in points]
    graphs = [_op_graph(name, args) for args in points]
    pairs = [row if isinstance(row, list) and len(row) == 2 else [row, None] for row in rows]
    diagnose(
        "2.5",
        [out.data for out, _ in graphs],
        [value for value, _ in pairs],
        problem=f"the forward value of {name} is wrong",
        entry=lambda path: where[path[0]],
        hint=_FORWARD_HINTS.get(name),
    )
    tables = []
    for out, inputs in graphs:
        table = gradient_suspects(out, inputs, mistakes=DERIVATIVE_MISTAKES)
        if name == "div":
            table["swapped-pair"] = table["expected"][::-1]
        tables.append(table)
    suspects = merged_suspects(tables)
    locals_ = [local if isinstance(local, list) else [local] for _, local in pairs]
    diagnose(
        "2.5",
        suspects.pop("expected"),
        locals_,
        suspects,
        problem=f"the local derivative of {name} is wrong",
        entry=lambda path: where[path[0]] + (f", d/d{'ab'[path[1]]}" if name == "div" else ""),
        hint="check it with finite differences: nudge the input by a tiny h on each side"
        + ("; local(a, b, out) returns the pair (d/da, d/db)" if name == "div" else ""),
        formula="(f(a + h) − f(a − h)) / (2h)",
    )


_FORWARD_HINTS = {
    "sigmoid": "σ(a) = 1 / (1 + e^(−a)): between 0 and 1, ½ at 0",
    "pow": "forward(a, k) is a to the power k: a ** k",
    "div": "forward(a, b) is a / b",
}


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
