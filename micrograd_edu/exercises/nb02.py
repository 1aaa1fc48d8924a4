"""Notebook 2, backpropagation: 2.1 by hand, 2.2 d(a/b), 2.3 topological order, 2.4 backward,
2.5 the op table (in :mod:`~micrograd_edu.exercises.op_table`).

Standard library only (no NumPy): notebooks 1 and 2 also run in the browser.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from ..engine import Value
from .compare import diagnose, show
from .core import Exercise, Guard, run_check
from .graphs import Spec, build, expression, gradient_suspects, random_graph
from .mistakes import WrongAnswerError, exercise
from .op_table import OP_TABLE, check_op_table, tiny_engine_gradients
from .switch import DERIVATIVE_ROUTES

__all__ = [
    "EXERCISES",
    "check_backprop_by_hand",
    "check_backward",
    "check_division_local_grads",
    "check_op_table",
    "check_topological_sort",
    "tiny_engine_gradients",
]

_VALUE = "micrograd_edu.engine:Value"


def _suspects_by_name(root: Value, nodes: dict[str, Value], names: list[str]) -> dict[str, Any]:
    """:func:`gradient_suspects` keyed by node name instead of position."""
    table = gradient_suspects(root, [nodes[name] for name in names])
    return {code: dict(zip(names, grads, strict=True)) for code, grads in table.items()}


# ------------------------------------------------------------------ 2.1
_BY_HAND: Spec = {
    "leaves": [["a", 2.0], ["b", -3.0], ["c", 10.0], ["f", -2.0]],
    "nodes": [["e", "mul", "a", "b"], ["d", "add", "e", "c"], ["L", "mul", "d", "f"]],
}


def _probe_by_hand(case: Any, guard: Guard, grads: Any) -> Any:
    if isinstance(grads, dict) and any(v is None for v in grads.values()):
        raise NotImplementedError("my_grads still has None")
    return grads


def _judge_by_hand(case: Any, data: Any) -> str:
    nodes, root = build(case["graph"])
    names = ["f", "d", "c", "e", "a", "b"]
    suspects = _suspects_by_name(root, nodes, names)
    if not isinstance(data, dict):
        raise WrongAnswerError(
            "2.1", f"give a dict such as {{'a': ..., 'b': ...}}, got {show(data)}"
        )
    got = {name: data[name] for name in names if name in data}
    diagnose(
        "2.1",
        suspects.pop("expected"),
        got,
        suspects,
        problem="a gradient is not what the chain rule gives",
        entry=lambda name: f"dL/d{name}",
        hint="work back from L: dL/dx = dL/d(the node x feeds) × d(that node)/dx",
    )
    return "every gradient is right, and backward() agrees with your chain rule."


BY_HAND = Exercise(
    number="2.1",
    what="the gradients",
    notebook_case=lambda: {"graph": _BY_HAND},
    # The numbers are printed in the notebook's text: there is no hidden variant
    # of a computation done by hand. The grader judges the notebook's case.
    hidden_case=lambda rng: {"graph": _BY_HAND},
    probe=_probe_by_hand,
    judge=_judge_by_hand,
)


@exercise("2.1")
def check_backprop_by_hand(grads: dict[str, float]) -> None:
    """Exercise 2.1: the gradients of L = (a·b + c)·f at a=2, b=−3, c=10, f=−2, by hand."""
    run_check("2.1", grads)


# ------------------------------------------------------------------ 2.2
def _probe_division(case: Any, guard: Guard, local_grads: Any) -> list[Any]:
    results = []
    for a, b in case["pairs"]:
        with guard():
            results.append(local_grads(a, b))
    return results


def _judge_division(case: Any, data: Any) -> str:
    pairs = case["pairs"]
    if not isinstance(data, list) or len(data) != len(pairs):
        raise WrongAnswerError("2.2", "the probe's answer has the wrong form")
    for (a, b), got in zip(pairs, data, strict=True):
        nodes, root = build({"leaves": [["a", a], ["b", b]], "nodes": [["q", "div", "a", "b"]]})
        suspects = gradient_suspects(root, [nodes["a"], nodes["b"]])
        diagnose(
            "2.2",
            suspects.pop("expected"),
            got,
            suspects,
            problem="the local derivatives of a / b are wrong",
            input=f"a = {a}, b = {b}",
            entry=lambda i: ("d(a/b)/da", "d(a/b)/db")[i],
            hint="a/b = a · b⁻¹: as a function of a, the slope is 1/b; "
            "as a function of b, use the power rule",
        )
    return "the local derivatives of a / b are 1/b and −a/b²."


def _hidden_pairs(rng: random.Random) -> dict[str, Any]:
    pairs = []
    for _ in range(3):
        a = round(rng.uniform(0.5, 3.0) * rng.choice((-1, 1)), 2)
        b = round(rng.uniform(0.5, 3.0) * rng.choice((-1, 1)), 2)
        pairs.append([a, b])
    return {"pairs": pairs}


DIVISION = Exercise(
    number="2.2",
    what="the local derivatives of a / b",
    notebook_case=lambda: {"pairs": [[6.0, 3.0], [-1.5, 0.5], [2.0, -4.0]]},
    hidden_case=_hidden_pairs,
    probe=_probe_division,
    judge=_judge_division,
    switch=((_VALUE, "__truediv__"), (_VALUE, "__rtruediv__"), *DERIVATIVE_ROUTES),
)


@exercise("2.2")
def check_division_local_grads(local_grads: Callable[[float, float], tuple[float, float]]) -> None:
    """Exercise 2.2: ``local_grads(a, b)`` returns (d(a/b)/da, d(a/b)/db)."""
    run_check("2.2", local_grads)


# ------------------------------------------------------------------ 2.3
_TOPO: Spec = {
    "leaves": [["a", 2.0], ["b", -1.0]],
    "nodes": [
        ["c = a·b", "mul", "a", "b"],
        ["d = c + a", "add", "c = a·b", "a"],
        ["t = tanh(d)", "tanh", "d = c + a"],
        ["e = t·c", "mul", "t = tanh(d)", "c = a·b"],
    ],
}


def _probe_topological(case: Any, guard: Guard, topological_sort: Any) -> Any:
    _, root = build(case["graph"])
    with guard():
        order = topological_sort(root)
    if not isinstance(order, list):
        return {"type": type(order).__name__}
    return [
        node.label if isinstance(node, Value) else {"type": type(node).__name__} for node in order
    ]


def _judge_topological(case: Any, data: Any) -> str:
    spec = case["graph"]
    nodes, root = build(spec)
    expected = [node.label for node in root.topological_order()]
    shown = expression(spec)
    if (
        not isinstance(data, list)
        or len(data) != len(expected)
        or not all(isinstance(name, str) for name in data)
        or set(data) != set(expected)
    ):
        raise WrongAnswerError(
            "2.3",
            f"the order must list each of the {len(expected)} nodes exactly once",
            input=shown,
            expected=show(expected),
            got=show(data),
            hint="remember which nodes you already visited",
        )
    position = {name: i for i, name in enumerate(data)}
    for name in data:
        for child in nodes[name].children:
            if position[child.label] > position[name]:
                raise WrongAnswerError(
                    "2.3",
                    f"'{child.label}' comes after '{name}', which was computed from it",
                    mistake="wrong-order",
                    input=shown,
                    got=show(data),
                    hint="append a node only after all of its children",
                )
    return "a valid topological order: every node comes after the nodes it was computed from."


TOPOLOGICAL = Exercise(
    number="2.3",
    what="topological_sort",
    notebook_case=lambda: {"graph": _TOPO},
    hidden_case=lambda rng: {"graph": random_graph(rng, 3, 5)},
    probe=_probe_topological,
    judge=_judge_topological,
    switch=((_VALUE, "topological_order"),),
)


@exercise("2.3")
def check_topological_sort(topological_sort: Callable[[Value], list[Value]]) -> None:
    """Exercise 2.3: every node once, each after all of its children."""
    run_check("2.3", topological_sort)


# ------------------------------------------------------------------ 2.4
def _backward_graphs(x: float, a: float, b: float, w: float) -> list[Spec]:
    """The graphs that tell backward's mistakes apart: a chain, x·x, a + a, a diamond, a·w − a."""
    return [
        {
            "leaves": [["x", x]],
            "nodes": [
                ["t", "tanh", "x"],
                ["s", "scale", "t", 2.0],
                ["u", "shift", "s", 1.0],
                ["out", "exp", "u"],
            ],
        },
        {"leaves": [["x", w]], "nodes": [["out", "mul", "x", "x"]]},
        {"leaves": [["a", a]], "nodes": [["out", "add", "a", "a"]]},
        {
            "leaves": [["a", b]],
            "nodes": [["b", "scale", "a", 2.0], ["c", "exp", "a"], ["out", "mul", "b", "c"]],
        },
        {
            "leaves": [["a", a], ["w", w]],
            "nodes": [["m", "mul", "a", "w"], ["out", "sub", "m", "a"]],
        },
    ]


def _hidden_backward(rng: random.Random) -> dict[str, Any]:
    values = [round(rng.uniform(0.3, 2.5) * rng.choice((-1, 1)), 2) for _ in range(4)]
    return {"graphs": [*_backward_graphs(*values), random_graph(rng, 3, 5)]}


def _probe_backward(case: Any, guard: Guard, backward: Any) -> list[Any]:
    results = []
    for spec in case["graphs"]:
        nodes, root = build(spec)
        with guard():
            backward(root)
        leaves = {name: nodes[name].grad for name, _ in spec["leaves"]}
        results.append({"root": root.grad, "leaves": leaves})
    return results


def _judge_backward(case: Any, data: Any) -> str:
    graphs = case["graphs"]
    if not isinstance(data, list) or len(data) != len(graphs):
        raise WrongAnswerError("2.4", "the probe's answer has the wrong form")
    for spec, got in zip(graphs, data, strict=True):
        nodes, root = build(spec)
        values = ", ".join(f"{name} = {value:g}" for name, value in spec["leaves"])
        shown = f"out = {expression(spec)} with {values}"
        got = got if isinstance(got, dict) else {}
        if got.get("root") == 0.0:
            raise WrongAnswerError(
                "2.4",
                "the output's grad is 0 after your backward",
                mistake="no-seed",
                input=shown,
                expected="out.grad = 1",
                got="out.grad = 0",
            )
        suspects = _suspects_by_name(root, nodes, [name for name, _ in spec["leaves"]])
        diagnose(
            "2.4",
            suspects.pop("expected"),
            got.get("leaves"),
            suspects,
            problem="backward gave wrong gradients",
            input=shown,
            entry=lambda name: f"d out/d{name}",
            hint="seed the output with 1, then for each node from the output back: "
            "child.grad += local_grad × node.grad",
        )
    return "your backward() agrees with the engine on a chain, x·x, a + a, a diamond and a·w − a."


BACKWARD = Exercise(
    number="2.4",
    what="backward",
    notebook_case=lambda: {"graphs": _backward_graphs(0.3, 3.0, 0.5, -2.0)},
    hidden_case=_hidden_backward,
    probe=_probe_backward,
    judge=_judge_backward,
    switch=DERIVATIVE_ROUTES,
)


@exercise("2.4")
def check_backward(backward: Callable[[Value], None]) -> None:
    """Exercise 2.4: ``backward(root)`` fills every node's grad, like ``Value.backward``.

    Checked on a chain, a square x·x, a reused node a + a, a diamond and a·w − a
    (and, when grading, a random graph); the catalogue's gradient mistakes are
    simulated on the same graph and named when they match.
    """
    run_check("2.4", backward)


EXERCISES = {e.number: e for e in (BY_HAND, DIVISION, TOPOLOGICAL, BACKWARD, OP_TABLE)}
