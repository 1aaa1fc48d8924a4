"""Notebook 2, exercise 2.4: ``backward(root)`` written by the student.

The check calls the student's ``backward`` **twice** on each graph, every
node's grad starting at a non-zero number, so that a backward pass that
leans on grads being 0 fails: one that never resets the computed nodes'
grads gives wrong gradients ("grads not reset before backward"). Two
behaviours are right: resetting every node's grad (the leaves then hold the
gradient of the last call), or resetting the computed nodes only, as
``Value.backward`` does (the leaves accumulate over calls, as in PyTorch).

Every catalogued gradient mistake is simulated on the same graphs, in both
behaviours, and named only when the student's grads are what it gives.

Standard library only (no NumPy): notebooks 1 and 2 also run in the browser.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from ..engine import Value
from .compare import close, diagnose
from .core import Exercise, Guard, run_check
from .graphs import (
    GRAPH_MISTAKES,
    LOCAL_MISTAKES,
    Spec,
    build,
    expression,
    random_graph,
    simulated_grads,
)
from .mistakes import exercise
from .switch import DERIVATIVE_ROUTES

__all__ = ["BACKWARD", "check_backward"]

_RESETS = ("all", "computed")
"""What a right backward resets first: every node, or the computed nodes only (the engine)."""


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
    return {
        "graphs": [*_backward_graphs(*values), random_graph(rng, 3, 5)],
        "start": round(rng.uniform(0.2, 0.9), 2),
    }


def _read(root: Value, nodes: dict[str, Value], leaves: list[str]) -> dict[str, float]:
    return {"out": root.grad, **{name: nodes[name].grad for name in leaves}}


def _probe_backward(case: Any, guard: Guard, backward: Any) -> list[Any]:
    results = []
    for spec in case["graphs"]:
        nodes, root = build(spec)
        leaves = [name for name, _ in spec["leaves"]]
        for node in nodes.values():
            node.grad = case["start"]  # left over from an earlier pass
        calls = []
        for _ in range(2):
            with guard():
                backward(root)
            calls.append(_read(root, nodes, leaves))
        results.append(calls)
    return results


def _twice(
    root: Value, nodes: dict[str, Value], start: float, mistake: str | None, **how: Any
) -> list[dict[str, float]]:
    """The grads read after two simulated calls of a backward with ``mistake``."""
    leaves = [name for name, node in nodes.items() if not node.children]
    first = simulated_grads(root, mistake, start=dict.fromkeys(nodes.values(), start), **how)
    second = simulated_grads(root, mistake, start=first, **how)
    return [
        {"out": grads[root], **{name: grads[nodes[name]] for name in leaves}}
        for grads in (first, second)
    ]


def _table(spec: Spec, start: float, ops: list[str]) -> dict[str, Any]:
    """The right answers (both behaviours) and every mistake's, on one graph."""
    nodes, root = build(spec)
    table: dict[str, Any] = {}
    for reset in _RESETS:
        table[f"expected@{reset}"] = _twice(root, nodes, start, None, reset=reset)
        for mistake in GRAPH_MISTAKES:
            table[f"{mistake}@{reset}"] = _twice(root, nodes, start, mistake, reset=reset)
            if mistake in LOCAL_MISTAKES:
                for op in ops:
                    table[f"{mistake}@{op}@{reset}"] = _twice(
                        root, nodes, start, mistake, reset=reset, only=op
                    )
    for seed in ("set", "add"):
        table[f"stale-grads@{seed}"] = _twice(root, nodes, start, None, reset="none", seed=seed)
    return table


def _judge_backward(case: Any, data: Any) -> str:
    graphs, start = case["graphs"], float(case.get("start", 0.0))
    ops = sorted(
        {node.op for spec in graphs for node in build(spec)[1].topological_order() if node.children}
    )
    tables = [_table(spec, start, ops) for spec in graphs]
    answers = {key: [table[key] for table in tables] for key in tables[0]}
    right = {reset: answers.pop(f"expected@{reset}") for reset in _RESETS}
    if close(data, right["computed"]):
        return _RIGHT
    if close(data, right["all"]):
        return _RIGHT + _LEAVES_RESET
    first = data[0] if isinstance(data, list) and data else None
    accumulates = isinstance(first, list) and len(first) == 2 and first[0] != first[1]
    expected = right["computed" if accumulates else "all"]  # the behaviour the student chose
    shown = [expression(spec) for spec in graphs]

    def entry(path: tuple[Any, ...]) -> str:
        graph, call, *key = path
        name = "out.grad" if key == ["out"] else f"d out/d{key[0]}" if key else "the grads"
        return f"{name} after call {call + 1} on out = {shown[graph]}"

    diagnose(
        "2.4",
        expected,
        data,
        answers,
        problem="backward gave wrong gradients",
        problems={"stale-grads": "backward added to grads left over from before"},
        input=f"every node's grad is {start:g} before the first call; backward(out) runs twice",
        entry=entry,
        hint="reset the grads, seed the output with 1, then walk the topological order "
        "backwards: each node adds its gradient times the local derivative to each child",
        formula="child.grad += local_grad × node.grad",
    )
    return _RIGHT


_RIGHT = "your backward() agrees with the engine on a chain, x·x, a + a, a diamond and a·w − a."
_LEAVES_RESET = (
    "\n  note:     it also resets the leaves' grads; root.backward() adds into them instead, as "
    'PyTorch does (see the section "Calling backward() twice" below)'
)

BACKWARD = Exercise(
    number="2.4",
    what="backward",
    notebook_case=lambda: {"graphs": _backward_graphs(0.3, 3.0, 0.5, -2.0), "start": 0.4},
    hidden_case=_hidden_backward,
    probe=_probe_backward,
    judge=_judge_backward,
    switch=DERIVATIVE_ROUTES,
)


@exercise("2.4")
def check_backward(backward: Callable[[Value], None]) -> None:
    """Exercise 2.4: ``backward(root)`` fills every node's grad, like ``Value.backward``.

    Checked on a chain, a square x·x, a reused node a + a, a diamond and a·w − a
    (and, when grading, a random graph), each called twice with every grad
    starting at a non-zero number; the catalogue's gradient mistakes are
    simulated on the same graphs and named when they match.
    """
    run_check("2.4", backward)
