"""Notebook 2, backpropagation: 2.1 by hand, 2.2 d(a/b), 2.3 topological order, 2.4 backward
(in :mod:`~micrograd_edu.exercises.backward_pass`), 2.5 the op table (in
:mod:`~micrograd_edu.exercises.op_table`), 2.6 your own Value (in
:mod:`~micrograd_edu.exercises.value_class`).

Standard library only (no NumPy): notebooks 1 and 2 also run in the browser.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from ..engine import Value
from .backward_pass import BACKWARD, check_backward
from .compare import close, diagnose, form_problem, show
from .core import Exercise, Guard, run_check
from .graphs import (
    DERIVATIVE_MISTAKES,
    Spec,
    build,
    expression,
    gradient_suspects,
    merged_suspects,
    random_graph,
)
from .mistakes import WrongAnswerError, exercise, not_done
from .op_table import OP_TABLE, check_op_table, tiny_engine_gradients
from .switch import DERIVATIVE_ROUTES
from .value_class import VALUE_CLASS, check_value_class

__all__ = [
    "EXERCISES",
    "check_backprop_by_hand",
    "check_backward",
    "check_division_local_grads",
    "check_op_table",
    "check_topological_sort",
    "check_value_class",
    "tiny_engine_gradients",
]

_VALUE = "micrograd_edu.engine:Value"


# ------------------------------------------------------------------ 2.1
_BY_HAND: Spec = {
    "leaves": [["a", 2.0], ["b", -3.0], ["c", 10.0], ["f", -2.0]],
    "nodes": [["e", "mul", "a", "b"], ["d", "add", "e", "c"], ["L", "mul", "d", "f"]],
}
_HAND_ORDER = ("f", "d", "c", "e", "a", "b")
"""The entries of my_grads in the order backpropagation reaches them."""


def _probe_by_hand(case: Any, guard: Guard, grads: Any) -> Any:
    if isinstance(grads, dict):
        for name in ("L", *_HAND_ORDER):
            if name in grads and grads[name] is None:
                raise not_done(f"my_grads[{name!r}] is still None")
    return grads


def _step_of(spec: Spec, name: str) -> tuple[str, str, str | None]:
    """The node ``name`` feeds, that node's op, and its other operand (None for a sum)."""
    for parent, op, *operands in spec["nodes"]:
        if name in operands:
            other = operands[1] if operands[0] == name else operands[0]
            return parent, op, other if op == "mul" else None
    raise KeyError(name)


def _judge_by_hand(case: Any, data: Any) -> str:
    spec = case["graph"]
    nodes, _ = build(spec)
    if not isinstance(data, dict):
        raise WrongAnswerError(
            "2.1", f"my_grads must be a dict such as {{'f': ..., 'd': ...}}, got {show(data)}"
        )
    expected = dict.fromkeys(_HAND_ORDER, 0.0)
    form = form_problem({n: data[n] for n in _HAND_ORDER if n in data}, expected)
    if form is not None:
        raise WrongAnswerError(
            "2.1", f"my_grads{form}" if form.startswith("[") else f"my_grads has {form}"
        )
    if "L" in data and not close(data["L"], 1.0):
        raise WrongAnswerError(
            "2.1", "dL/dL is not 1", got=show(data["L"]), hint="L changes exactly as fast as itself"
        )
    for name in _HAND_ORDER:
        parent, _, other = _step_of(spec, name)
        upstream = 1.0 if parent == "L" else float(data[parent])
        local = nodes[other].data if other else 1.0
        if close(data[name], upstream * local):
            continue  # follows from the student's own value above: the chain rule was applied
        candidates = {
            "sign-error": -upstream * local,
            "own-factor": upstream * nodes[name].data if other else None,
            "missing-chain": local if parent != "L" else None,
        }
        made = [
            code
            for code, value in candidates.items()
            if value is not None and not close(value, upstream * local) and close(data[name], value)
        ]
        raise WrongAnswerError(
            "2.1",
            f"dL/d{name} is not what the chain rule gives",
            mistake=made[0] if made else None,
            input=f"{name} feeds {_node_text(spec, parent)}; "
            + ("dL/dL = 1" if parent == "L" else f"your dL/d{parent} = {upstream:g}"),
            got=f"dL/d{name} = {show(data[name])}",
            hint=f"multiply the gradient that arrived at {parent} by the local derivative of "
            f"{parent} in {name}",
            formula=f"dL/d{name} = dL/d{parent} × d{parent}/d{name}",
        )
    return "every gradient is right, and backward() agrees with your chain rule."


def _node_text(spec: Spec, name: str) -> str:
    for node, op, *operands in spec["nodes"]:
        if node == name:
            return f"{name} = {operands[0]} {'·' if op == 'mul' else '+'} {operands[1]}"
    return name


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
    """Exercise 2.1: the gradients of L = (a·b + c)·f at a=2, b=−3, c=10, f=−2, by hand.

    The first entry (in the order backpropagation reaches them) that does not
    follow from the student's own gradient above it is where the mistake was
    made; it is named when it is a sign error, a product's own factor, or a
    local derivative without the chain. The expected numbers are never shown.
    """
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
    tables = []
    for a, b in pairs:
        nodes, root = build({"leaves": [["a", a], ["b", b]], "nodes": [["q", "div", "a", "b"]]})
        table = gradient_suspects(root, [nodes["a"], nodes["b"]], mistakes=DERIVATIVE_MISTAKES)
        table["swapped-pair"] = table["expected"][::-1]
        tables.append(table)
    suspects = merged_suspects(tables)
    names = ("d(a/b)/da", "d(a/b)/db")
    diagnose(
        "2.2",
        suspects.pop("expected"),
        data,
        suspects,
        problem="the local derivatives of a / b are wrong",
        entry=lambda path: (
            f"{names[path[1]] if len(path) > 1 else 'the pair'} at a = {pairs[path[0]][0]}, "
            f"b = {pairs[path[0]][1]}"
        ),
        hint="a/b = a · b⁻¹: in a, it is a line through 0 with slope b⁻¹; in b, use the power "
        "rule on b⁻¹",
        formula="d(b⁻¹)/db = −b⁻²",
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
        ["out = a·e", "mul", "a", "e = t·c"],
    ],
}
"""The root's first child is a leaf that is also reached deeper down: a depth-first search
that appends a node *before* its children is then not even reversed a topological order."""


def _hidden_topological(rng: random.Random) -> dict[str, Any]:
    """A random graph under a root whose first child is its first leaf (see ``_TOPO``)."""
    spec = random_graph(rng, 3, 5)
    top, first_leaf = spec["nodes"][-1][0], spec["leaves"][0][0]
    spec["nodes"].append(["out", "mul", first_leaf, top])
    return {"graph": spec}


def _labels(order: Any) -> Any:
    if not isinstance(order, (list, tuple)):
        return {"type": "None" if order is None else type(order).__name__}
    return [
        node.label if isinstance(node, Value) else {"type": type(node).__name__} for node in order
    ]


def _probe_topological(case: Any, guard: Guard, topological_sort: Any) -> Any:
    calls = []
    for _ in range(2):  # twice, on two builds of the graph: what a call keeps shows
        _, root = build(case["graph"])
        with guard():
            calls.append(_labels(topological_sort(root)))
    return calls


def _order_problem(spec: Spec, order: Any) -> WrongAnswerError | None:
    """Why ``order`` (node names) is not a topological order of ``spec``'s graph, or None."""
    nodes, root = build(spec)
    names = [node.label for node in root.topological_order()]
    shown = expression(spec)
    if not isinstance(order, list) or not all(isinstance(name, str) for name in order):
        what = order.get("type") if isinstance(order, dict) else None
        kinds = sorted({str(item.get("type")) for item in order if isinstance(item, dict)})
        got = f"a {what}" if what else f"a list of {', '.join(kinds)}" if kinds else show(order)
        return WrongAnswerError(
            "2.3",
            f"topological_sort must return a list of the graph's nodes (Values), got {got}",
            input=shown,
        )
    twice = [name for name in names if order.count(name) > 1]
    if twice:
        return WrongAnswerError(
            "2.3",
            f"'{twice[0]}' appears {order.count(twice[0])} times in the order",
            input=shown,
            hint="a node reached by two paths must be listed once: remember which nodes you "
            "already visited",
        )
    missing = [name for name in names if name not in order]
    if missing:
        return WrongAnswerError(
            "2.3",
            f"the order leaves out {show(missing)}",
            input=shown,
            hint="every node of the graph belongs in the order, the inputs (leaves) too",
        )
    position = {name: i for i, name in enumerate(order)}
    bad = [
        (c.label, n) for n in order for c in nodes[n].children if position[c.label] > position[n]
    ]
    if not bad:
        return None
    # every node before its children: the order is backwards, as the mistake makes it
    reversed_ok = all(position[c.label] > position[n] for n in order for c in nodes[n].children)
    child, name = bad[0]
    return WrongAnswerError(
        "2.3",
        f"'{child}' comes after '{name}', which was computed from it",
        mistake="wrong-order" if reversed_ok else None,
        input=shown,
        hint="append a node only after all of its children",
    )


def _judge_topological(case: Any, data: Any) -> str:
    spec = case["graph"]
    if not isinstance(data, list) or len(data) != 2:
        raise WrongAnswerError("2.3", "the probe's answer has the wrong form")
    problem = _order_problem(spec, data[0])
    if problem is not None:
        raise problem
    again = _order_problem(spec, data[1])
    if again is not None:
        raise WrongAnswerError(
            "2.3",
            "the first call's order is right, the second call's on a new copy of the graph is "
            "not: " + again.problem,
            input=expression(spec),
            got=show(data[1]),
            hint="something from the first call was kept: a visited set or a list outside the "
            "function, or a default argument such as visited=set(); make them inside",
        )
    return "a valid topological order: every node comes after the nodes it was computed from."


TOPOLOGICAL = Exercise(
    number="2.3",
    what="topological_sort",
    notebook_case=lambda: {"graph": _TOPO},
    hidden_case=_hidden_topological,
    probe=_probe_topological,
    judge=_judge_topological,
    switch=((_VALUE, "topological_order"),),
)


@exercise("2.3")
def check_topological_sort(topological_sort: Callable[[Value], list[Value]]) -> None:
    """Exercise 2.3: every node once, each after all of its children; the same on a second call."""
    run_check("2.3", topological_sort)


EXERCISES = {e.number: e for e in (BY_HAND, DIVISION, TOPOLOGICAL, BACKWARD, OP_TABLE, VALUE_CLASS)}
