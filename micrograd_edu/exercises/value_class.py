"""Exercise 2.6, build your own ``Value``: the student's class, run on hidden graphs.

The student writes a class from nothing, in the lecture's style: ``data``,
``grad``, its children, ``+``, ``*`` (a plain number on either side: ``a + 1``,
``2 * a``), ``tanh`` and ``backward()`` over a topological order. Closures
(``out._backward``) and stored local derivatives are both accepted: the check
reads only ``MyValue(number)``, ``.data``, ``.grad``, the operators, ``.tanh()``
and ``.backward()``.

The **probe** builds each graph of the case with the student's class (a number
on each side of ``+`` and ``*``, ``a + a``, ``a * a``, a diamond, a neuron, a
node squared, a chain of 2,000 nodes), calls ``backward()`` on its output and
returns every node's ``data`` and ``grad``, or the error the student's code
raised (its type, message and line). The **judge** builds the same graphs with
the engine's :class:`~micrograd_edu.engine.Value` and compares every number; a
wrong answer is named only when it matches a mistake simulated on the same
graphs (:mod:`~micrograd_edu.exercises.value_mistakes`), or the error that
mistake raises (``2 * a`` without ``__rmul__``, a recursive sort on the chain).

>>> case = VALUE_CLASS.notebook_case()
>>> [spec["name"] for spec in case["graphs"]][:3]
['a + a', 'a * a', 'numbers on both sides']
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from ..engine import Value
from .core import Exercise, Guard, run_check
from .mistakes import WrongAnswerError, exercise
from .switch import DERIVATIVE_ROUTES
from .value_mistakes import (
    FORMS,
    Spec,
    build,
    expanded,
    first_wrong,
    matching_mistake,
    node_expression,
    raised,
    raised_mistake,
    shown_graph,
    shown_value,
    simulations,
)

__all__ = ["EXERCISES", "VALUE_CLASS", "check_value_class"]

NUMBER = "2.6"
CHAIN_LENGTH = 2000
"""Nodes in the deep chain: twice Python's default recursion limit."""

_VALUE = "micrograd_edu.engine:Value"
_SWITCH = (
    *DERIVATIVE_ROUTES,
    (_VALUE, "topological_order"),
    (_VALUE, "__add__"),
    (_VALUE, "__radd__"),
    (_VALUE, "__mul__"),
    (_VALUE, "__rmul__"),
    (_VALUE, "tanh"),
)


# ------------------------------------------------------------------ cases
def _graphs(a: float, b: float, w: float, k: float, x: float) -> list[Spec]:
    """The graphs that tell the mistakes apart (leaf values a, b, w, a number k, a chain's x)."""
    return [
        {"name": "a + a", "leaves": [["a", a]], "nodes": [["out", "add", "a", "a"]]},
        {"name": "a * a", "leaves": [["a", b]], "nodes": [["out", "mul", "a", "a"]]},
        {
            "name": "numbers on both sides",
            "leaves": [["a", a]],
            "nodes": [
                ["b", "mul", k, "a"],
                ["c", "add", "b", 1.0],
                ["d", "add", 0.5, "c"],
                ["out", "mul", "d", k],
            ],
        },
        {
            "name": "a diamond",
            "leaves": [["a", a], ["w", w]],
            "nodes": [
                ["s", "mul", "a", "w"],
                ["p", "tanh", "s"],
                ["q", "add", "s", "a"],
                ["out", "mul", "p", "q"],
            ],
        },
        {
            "name": "a neuron",
            "leaves": [["x1", a], ["w1", w], ["x2", b], ["w2", k], ["b", 0.5]],
            "nodes": [
                ["x1w1", "mul", "x1", "w1"],
                ["x2w2", "mul", "x2", "w2"],
                ["sum", "add", "x1w1", "x2w2"],
                ["n", "add", "sum", "b"],
                ["out", "tanh", "n"],
            ],
        },
        {
            "name": "a node squared",
            "leaves": [["a", b], ["x", w]],
            "nodes": [["m", "mul", "a", "x"], ["t", "tanh", "m"], ["out", "mul", "t", "t"]],
        },
        {"name": f"a chain of {CHAIN_LENGTH:,} nodes", "chain": [x, CHAIN_LENGTH]},
    ]


def _notebook_case() -> dict[str, Any]:
    return {"forms": [1.5, 3.0], "graphs": _graphs(0.7, -1.3, 0.9, 3.0, 0.5)}


def _draw(rng: random.Random, low: float = 0.3, high: float = 1.6) -> float:
    return round(rng.uniform(low, high) * rng.choice((-1, 1)), 2)


def _random_graph(rng: random.Random) -> Spec:
    """A small graph of +, * and tanh in which nodes are reused, with numbers on either side."""
    leaves = [[name, _draw(rng)] for name in ("u", "v", "z")[: rng.randint(2, 3)]]
    names = [name for name, _ in leaves]
    nodes: list[list[Any]] = []
    for index in range(rng.randint(4, 6)):
        name = f"n{index + 1}"
        op = rng.choice(("add", "mul", "mul", "tanh"))
        left = names[-1] if index else rng.choice(names)
        if op == "tanh":
            nodes.append([name, op, left])
        else:
            right: Any = rng.choice(names) if rng.random() < 0.75 else _draw(rng, 0.5, 2.0)
            nodes.append([name, op, *((right, left) if rng.random() < 0.5 else (left, right))])
        names.append(name)
    return {"name": "a random graph", "leaves": leaves, "nodes": nodes}


def _hidden_case(rng: random.Random) -> dict[str, Any]:
    a, b, w = _draw(rng), _draw(rng), _draw(rng)
    k = round(rng.uniform(1.5, 4.0), 2)
    graphs = _graphs(a, b, w, k, round(rng.uniform(0.2, 0.8), 2))
    graphs.insert(-1, _random_graph(rng))  # the chain stays last
    return {"forms": [_draw(rng, 0.5, 2.5), round(rng.uniform(1.5, 4.0), 2)], "graphs": graphs}


# ------------------------------------------------------------------ probe
def _number(node: object, attribute: str) -> Any:
    """``node.data`` or ``node.grad`` as a float, or a description of what is there instead."""
    try:
        value = getattr(node, attribute)
    except Exception:  # a property of the student's class that raises
        return {"type": "missing"}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return {"type": type(value).__name__}


def _run(guard: Guard, cls: Any, spec: Spec) -> dict[str, Any]:
    """Build ``spec`` with the student's class, backpropagate, read every node (or the error)."""
    stage, stray = "building", None
    try:
        with guard():
            nodes, root = build(cls, spec)
            kind = cls if isinstance(cls, type) else type(next(iter(nodes.values())))
            stray = next((name for name, node in nodes.items() if not isinstance(node, kind)), None)
            if stray is None:
                stage = "backward"
                root.backward()
    except (WrongAnswerError, NotImplementedError):
        raise
    except Exception as error:  # the student's code: named by the judge when it is a mistake
        return {"raised": raised(error, stage)}
    if stray is not None:
        found = type(nodes[stray]).__name__[:60]
        return {"returned": {"node": stray, "type": found, "class": kind.__name__[:60]}}
    watched = spec.get("watch", list(nodes))
    return {
        "data": {name: _number(nodes[name], "data") for name in watched},
        "grad": {name: _number(nodes[name], "grad") for name in watched},
    }


def _probe(case: Any, guard: Guard, cls: Any) -> Any:
    if not callable(cls):
        return {"kind": type(cls).__name__}
    if isinstance(cls, type) and issubclass(cls, Value):
        return {"subclass": cls.__name__}
    a, k = case["forms"]
    forms = [_run(guard, cls, spec) for spec in (form_spec(form, a, k) for form in FORMS)]
    graphs = [_run(guard, cls, expanded(spec)) for spec in case["graphs"]]
    return {"forms": forms, "graphs": graphs}


def form_spec(form: str, a: float, k: float) -> Spec:
    """The one-node graph of ``form`` (``"a + k"``, ``"k * a"``, ...) for the numbers a and k.

    >>> form_spec("k * a", 1.5, 3.0)["nodes"]
    [['out', 'mul', 3.0, 'a']]
    """
    left, op, right = form.split()
    operand = {"a": "a", "k": k}
    return {
        "name": form.replace("k", f"{k:g}"),
        "leaves": [["a", a]],
        "nodes": [["out", "add" if op == "+" else "mul", operand[left], operand[right]]],
    }


# ------------------------------------------------------------------ judge
def _fail(problem: str, **fields: Any) -> WrongAnswerError:
    return WrongAnswerError(NUMBER, problem, **fields)


def _judge_broken(spec: Spec, record: dict[str, Any], chain: bool) -> None:
    """The student's code raised, or an operation returned something else than a node:
    say where, and name the mistake when the error is the one that mistake raises."""
    if "returned" in record:
        returned = record["returned"] if isinstance(record["returned"], dict) else {}
        node, kind = str(returned.get("node", "")), str(returned.get("type", "?"))
        cls = str(returned.get("class", "your class"))
        raise _fail(
            f"{node_expression(spec, node)} returned a {kind}, not a {cls}",
            input=shown_graph(spec),
            hint=f"every operation returns a new {cls} (which remembers its children)",
        )
    if "raised" in record:
        mistake, problem, hint = raised_mistake(record["raised"], spec, chain)
        raise _fail(problem, mistake=mistake, input=shown_graph(spec), hint=hint)


def _judge_values(specs: list[Spec], results: list[Any]) -> None:
    """Every node's ``data`` must be the engine's (the forward pass)."""
    for spec, result in zip(specs, results, strict=True):
        nodes, _ = build(Value, spec)
        expected = {name: nodes[name].data for name in spec.get("watch", list(nodes))}
        wrong = first_wrong(expected, result.get("data"))
        if wrong is not None:
            name, want, got = wrong
            raise _fail(
                f"the value of {name} is wrong (the forward pass)",
                input=shown_graph(spec),
                expected=f"{name}.data = {want:.6g}",
                got=f"{name}.data = {shown_value(got)}",
                hint="check the forward formula of the operation that computed it",
            )


def _judge_grads(specs: list[Spec], results: list[Any]) -> None:
    got = [result.get("grad") for result in results]
    candidates = simulations(specs)
    expected = [options[0] for options in candidates.pop("expected")]
    wrong = next(
        (
            (spec, found)
            for spec, want, grads in zip(specs, expected, got, strict=True)
            if (found := first_wrong(want, grads)) is not None
        ),
        None,
    )
    if wrong is None:
        return
    spec, (name, want, value) = wrong
    mistake = matching_mistake(candidates, got)
    raise _fail(
        "backward() gave wrong gradients",
        mistake=mistake,
        input=shown_graph(spec),
        expected=f"{name}.grad = {want:.6g}",
        got=f"{name}.grad = {shown_value(value)}",
        hint=None
        if mistake
        else "seed the output with 1; then, from the output back, each node adds "
        "(its local derivative) × (the output's grad) to each child's grad",
    )


def _judge(case: Any, data: Any) -> str:
    data = data if isinstance(data, dict) else {}
    if "subclass" in data:
        raise _fail(
            f"{str(data['subclass'])[:60]} is built on the library's Value: write the class "
            "from nothing (class MyValue:, no base class)",
            mistake="library-call",
        )
    if "kind" in data:
        raise _fail(f"check_value_class needs the class itself, got a {str(data['kind'])[:60]}")
    a, k = case["forms"]
    specs = [form_spec(form, a, k) for form in FORMS]
    specs += [expanded(spec) for spec in case["graphs"]]
    forms, graphs = data.get("forms"), data.get("graphs")
    results = forms + graphs if isinstance(forms, list) and isinstance(graphs, list) else []
    if len(results) != len(specs):
        raise _fail("the probe's answer has the wrong form")
    results = [r if isinstance(r, dict) else {} for r in results]
    for spec, result in zip(specs, results, strict=True):
        _judge_broken(spec, result, chain=bool(spec.get("deep")))
    _judge_values(specs, results)
    _judge_grads(specs, results)
    return (
        "your Value agrees with the engine on every node: numbers on both sides, a + a, a * a, "
        f"a diamond, a neuron, a node squared and a chain of {CHAIN_LENGTH:,} nodes."
    )


VALUE_CLASS = Exercise(
    number=NUMBER,
    what="the Value class",
    notebook_case=_notebook_case,
    hidden_case=_hidden_case,
    probe=_probe,
    judge=_judge,
    switch=_SWITCH,
)

EXERCISES = {NUMBER: VALUE_CLASS}


@exercise(NUMBER)
def check_value_class(cls: Callable[[float], Any]) -> None:
    """Exercise 2.6: your own ``Value`` class agrees with the engine on hidden graphs.

    ``cls`` is the class itself (``check_value_class(MyValue)``). Every node's
    data and grad is compared with :class:`~micrograd_edu.engine.Value`'s;
    the classic mistakes (``=`` for ``+=``, a number not wrapped, no seed, a
    sort without a visited set, recursion too deep, ...) are named when the
    answer matches them.
    """
    run_check(NUMBER, cls)
