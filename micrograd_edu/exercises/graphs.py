"""Graphs as plain data, and the gradient mistakes simulated on them (the shared suspects).

A *graph spec* is JSON: ``{"leaves": [[name, value], ...], "nodes": [[name,
op, operand, operand?], ...]}``; the last node is the output. Operands name
earlier leaves or nodes; ``"scale"`` and ``"shift"`` take a number as their
second operand. :func:`build` turns a spec into Values (labelled with the
names), :func:`random_graph` draws one in which a node is reused.

:func:`gradient_suspects` is the one place the catalogue's gradient mistakes
are simulated: it runs a backward pass with each mistake (= for +=, the
order not reversed, no seed, a sign error, 1 − t for 1 − t², the derivative
from the input, d(a/b)/db without its square or its sign, the power rule
without the exponent) on a graph and returns what each leaves in the
gradients asked for. Every check whose answer is a gradient lists them.

>>> spec = {"leaves": [["a", 2.0]], "nodes": [["d", "add", "a", "a"]]}
>>> nodes, out = build(spec)
>>> suspects = gradient_suspects(out, [nodes["a"]])
>>> suspects["expected"], suspects["assign-not-accumulate"], suspects["sign-error"]
([2.0], [1.0], [-2.0])
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from ..engine import Value

__all__ = [
    "DERIVATIVE_MISTAKES",
    "GRAPH_MISTAKES",
    "LOCAL_MISTAKES",
    "build",
    "expression",
    "gradient_suspects",
    "merged_suspects",
    "random_graph",
    "simulated_grads",
]

GRAPH_MISTAKES = (
    "assign-not-accumulate",
    "wrong-order",
    "no-seed",
    "tanh-missing-square",
    "derivative-from-input",
    "division-missing-square",
    "division-missing-sign",
    "power-missing-factor",
    "power-exponent-not-lowered",
    "sign-error",
)
"""The gradient mistakes :func:`gradient_suspects` simulates, in the order they are tried
(the most specific first: with a⁻¹ the power rule without its factor is also a sign error)."""

Spec = dict[str, Any]

_SYMBOLS = {"add": "+", "sub": "−", "mul": "·", "div": "/"}


def _apply(op: str, x: Value, y: Value | float | None) -> Value:
    if op in ("add", "shift"):
        return x + y
    if op == "sub":
        return x - y
    if op in ("mul", "scale"):
        return x * y
    if op == "div":
        return x / y
    if op == "square":
        return x**2
    if op in ("tanh", "exp", "sigmoid"):
        result: Value = getattr(x, op)()
        return result
    raise ValueError(f"unknown op {op!r} in a graph spec")


def build(spec: Spec) -> tuple[dict[str, Value], Value]:
    """The Values of ``spec`` by name, and its output (the last node)."""
    nodes: dict[str, Value] = {name: Value(float(v), label=name) for name, v in spec["leaves"]}
    out = None
    for name, op, *operands in spec["nodes"]:
        x = nodes[operands[0]]
        y = None
        if len(operands) > 1:
            y = operands[1] if op in ("scale", "shift") else nodes[operands[1]]
        out = _apply(op, x, y)
        out.label = name
        nodes[name] = out
    if out is None:
        raise ValueError("a graph spec needs at least one node")
    return nodes, out


def expression(spec: Spec) -> str:
    """The output of ``spec`` written as a formula, e.g. ``tanh(a · b + a) · (a · b)``."""
    text = {name: name for name, _ in spec["leaves"]}
    for name, op, *operands in spec["nodes"]:
        x = text[operands[0]]
        if op in _SYMBOLS:
            text[name] = f"({x} {_SYMBOLS[op]} {text[operands[1]]})"
        elif op == "scale":
            text[name] = f"{operands[1]:g}·{x}"
        elif op == "shift":
            text[name] = f"({x} + {operands[1]:g})"
        elif op == "square":
            text[name] = f"{x}²"
        else:
            text[name] = f"{op}({x})"
    formula: str = text[spec["nodes"][-1][0]]
    return formula[1:-1] if formula.startswith("(") and formula.endswith(")") else formula


def _wrong_local(node: Value, mistake: str) -> tuple[float, ...] | None:
    """The local derivatives ``node`` gets with ``mistake``, or None if it does not apply."""
    op, x, out = node.op, node.children[0].data, node.data
    if op == "tanh" and mistake == "tanh-missing-square":
        return (1.0 - out,)
    if mistake == "derivative-from-input":
        wrong = {"tanh": 1.0 - x * x, "exp": x, "sigmoid": x * (1.0 - x)}
        return (wrong[op],) if op in wrong else None
    if op == "/" and len(node.children) == 2:
        b = node.children[1].data
        if mistake == "division-missing-square":
            return (1.0 / b, -x / b)
        if mistake == "division-missing-sign":
            return (1.0 / b, x / (b * b))
    k = node.constants[1] if len(node.constants) == 2 else None  # x ** k: (None, k)
    if op.startswith("**") and k is not None:
        if mistake == "power-missing-factor":
            return (x ** (k - 1.0),)
        if mistake == "power-exponent-not-lowered":
            return (k * x**k,)
    return None


LOCAL_MISTAKES = {
    "tanh-missing-square",
    "derivative-from-input",
    "division-missing-square",
    "division-missing-sign",
    "power-missing-factor",
    "power-exponent-not-lowered",
}
"""The mistakes made in one op's local derivative (the others are in the backward pass)."""

DERIVATIVE_MISTAKES = (*sorted(LOCAL_MISTAKES), "sign-error")
"""What a student can get wrong writing a local derivative (no seed, no order, no sum)."""


def simulated_grads(
    root: Value,
    mistake: str | None = None,
    only: str | None = None,
    *,
    start: Mapping[Value, float] | None = None,
    reset: str = "all",
    seed: str = "set",
) -> dict[Value, float]:
    """Every node's grad after a backward pass from ``root`` that makes ``mistake`` (None: none).

    A mistake in a local derivative is made at every node it applies to, or
    with ``only`` (an op name) at that op's nodes only. The Values themselves
    are not touched: the grads are returned in a dict.

    ``start`` gives the grads the nodes hold before the pass (default 0);
    ``reset`` says which the pass sets to 0 first: ``"all"``, ``"computed"``
    (not the leaves, which then accumulate, as ``Value.backward`` does) or
    ``"none"``; ``seed`` says whether the output's grad is set to 1
    (``"set"``) or has 1 added (``"add"``).
    """
    order = root.topological_order()
    grads = {node: float((start or {}).get(node, 0.0)) for node in order}
    for node in order:
        if reset == "all" or (reset == "computed" and node.children):
            grads[node] = 0.0
    if mistake != "no-seed":
        one = -1.0 if mistake == "sign-error" else 1.0
        grads[root] = one if seed == "set" else grads[root] + one
    walk = order if mistake == "wrong-order" else list(reversed(order))
    for node in walk:
        wrong = None
        if mistake in LOCAL_MISTAKES and node.children and only in (None, node.op):
            wrong = _wrong_local(node, mistake)
        locals_ = wrong or node.local_grads
        for child, local in zip(node.children, locals_, strict=True):
            if mistake == "assign-not-accumulate":
                grads[child] = local * grads[node]
            else:
                grads[child] += local * grads[node]
    return grads


def gradient_suspects(
    root: Value,
    wanted: Sequence[Value],
    *,
    n: int | None = None,
    accumulated: bool = False,
    mistakes: Sequence[str] = GRAPH_MISTAKES,
) -> dict[str, list[float]]:
    """What each gradient mistake gives for the grads of ``wanted``; key ``"expected"``: the truth.

    A mistake in a local derivative is simulated at every node it applies to
    (key: its code) and at the nodes of each op alone (key: ``code@op``, e.g.
    ``"derivative-from-input@tanh"``); :func:`~.compare.diagnose` names both
    by the code.

    ``n``: the answer is a mean over n samples, so "sum instead of mean" gives
    n times the gradients. ``accumulated``: the student's own code runs
    backward, so a missing ``zero_grad`` gives twice them (one stale copy).
    ``mistakes``: only these (those the student can make where the answer
    comes from: a local derivative alone cannot lack its seed).
    """
    expected = [simulated_grads(root)[v] for v in wanted]
    result = {"expected": expected}
    ops = sorted({node.op for node in root.topological_order() if node.children})
    for mistake in (m for m in GRAPH_MISTAKES if m in mistakes):
        grads = simulated_grads(root, mistake)
        result[mistake] = [grads[v] for v in wanted]
        if mistake in LOCAL_MISTAKES:  # made at one kind of op only
            for op in ops:
                grads = simulated_grads(root, mistake, only=op)
                result[f"{mistake}@{op}"] = [grads[v] for v in wanted]
    if n is not None and n > 1:
        result["sum-not-mean"] = [g * n for g in expected]
    if accumulated:
        result["missing-zero-grad"] = [2.0 * g for g in expected]
    return result


def merged_suspects(tables: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """Suspect tables of several cases as one: each mistake's answers, case by case.

    A mistake made at one op (``code@op``) changes nothing in a case without
    that op: its answer there is the expected one. A mistake some case does
    not list is left out, so a mistake is named only if it explains every case.

    >>> merged_suspects([{"expected": [1], "a@tanh": [2]}, {"expected": [3], "b": [4]}])
    {'expected': [[1], [3]], 'a@tanh': [[2], [3]]}
    """
    keys: dict[str, None] = {}
    for table in tables:
        keys.update(dict.fromkeys(table))
    merged: dict[str, list[Any]] = {}
    for key in keys:
        values = [table.get(key, table["expected"] if "@" in key else None) for table in tables]
        if all(value is not None for value in values):
            merged[key] = values
    return merged


def random_graph(rng: random.Random, n_leaves: int = 3, n_nodes: int = 5) -> Spec:
    """A random graph spec using every leaf, the first one twice (two paths); values moderate.

    >>> spec = random_graph(random.Random(0))
    >>> len(spec["leaves"]), len(spec["nodes"])
    (3, 5)
    """
    names = "abcdefgh"[:n_leaves]
    leaves = [[name, round(rng.uniform(-2.0, 2.0), 2) or 0.5] for name in names]
    spec: Spec = {"leaves": leaves, "nodes": []}
    available = [names[0]]
    for i in range(max(n_nodes, n_leaves)):
        name = "pqrstuvwxyz"[i]
        first = available[-1]
        if i < n_leaves - 1:  # bring in the next leaf
            op, second = rng.choice(["add", "mul", "sub"]), names[i + 1]
        elif i == n_leaves - 1:  # the first leaf again: a second path
            op, second = rng.choice(["add", "mul"]), names[0]
        else:
            op = rng.choice(["add", "mul", "sub", "tanh", "sigmoid", "scale", "exp"])
            second = rng.choice(available[:-1] or available)
        node: list[Any] = [name, op, first]
        if op == "scale":
            node.append(round(rng.uniform(-2.0, 2.0), 1) or 1.5)
        elif op in ("add", "mul", "sub"):
            node.append(second)
        spec["nodes"].append(node)
        if abs(build(spec)[1].data) > 20.0:  # keep the numbers moderate: squash instead
            node[1:] = ["tanh", first]
        available.append(name)
    return spec
