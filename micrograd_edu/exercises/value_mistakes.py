"""Exercise 2.6's graphs, and its mistakes simulated on them (see :mod:`.value_class`).

A *graph spec* is JSON: ``{"name": ..., "leaves": [[name, value], ...], "nodes":
[[name, op, operand, operand?], ...]}`` with ``op`` one of ``"add"``, ``"mul"``,
``"tanh"`` and each operand a node's name or a plain number, on either side;
the last node is the output. ``{"name": ..., "chain": [x, length]}`` is a chain
of ``length`` nodes from one leaf (:func:`expanded` spells it out). :func:`build`
builds a spec with any class that has the lecture's interface: the student's, or
the engine's :class:`~micrograd_edu.engine.Value`.

:func:`simulations` runs, on the engine's graph, a backward pass with each
mistake of the exercise. Where the result depends on the order the student's
sort happens to give (``=`` keeps the last writer's share; a sort without a
visited set repeats nodes), every order such a sort can give is tried, so an
answer is named only when some order of that mistake gives exactly its numbers.

>>> spec = {"name": "a + a", "leaves": [["a", 2.0]], "nodes": [["out", "add", "a", "a"]]}
>>> found = simulations([spec])
>>> found["expected"], found["assign-not-accumulate"], found["no-seed"]
([[{'a': 2.0, 'out': 1.0}]], [[{'a': 1.0, 'out': 1.0}]], [[{'a': 0.0, 'out': 0.0}]])
"""

from __future__ import annotations

import itertools
import math
import os
import sysconfig
import traceback
from collections.abc import Iterator, Sequence
from typing import Any

from ..engine import Value

__all__ = [
    "FORMS",
    "SIMULATED",
    "Spec",
    "build",
    "expanded",
    "first_wrong",
    "matching_mistake",
    "node_expression",
    "raised",
    "raised_mistake",
    "shown_graph",
    "shown_value",
    "simulations",
]

Spec = dict[str, Any]
Grads = dict[str, float]

FORMS = ("a + k", "a * k", "k + a", "k * a")
"""A number on each side of each operator: ``k + a`` needs ``__radd__``, ``a * k`` a number
wrapped in a Value."""

SIMULATED = (
    "no-seed",
    "closure-wrong-grad",
    "wrong-order",
    "assign-not-accumulate",
    "reused-operand-lost",
    "topological-no-visited",
    "tanh-missing-square",
    "derivative-from-input",
    "product-rule-swapped",
)
"""The gradient mistakes :func:`simulations` runs, in the order they are named."""

FACTOR, SHIFT, TANH_EVERY = 1.0005, 0.001, 400
"""The chain's steps: ``FACTOR * y``, ``y + SHIFT``, ``y * FACTOR``, ``SHIFT + y``, and a tanh
every ``TANH_EVERY`` nodes (the values stay near 1, the gradient near 0.1)."""

MAX_ORDERS = 2000
"""Orders tried per graph for an order-dependent mistake (small graphs have far fewer)."""

_NOT_THE_STUDENTS = tuple(
    os.path.join(os.path.abspath(folder), "")  # a trailing separator: whole folders only
    for folder in {
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))),  # micrograd_edu
        *(sysconfig.get_paths()[key] for key in ("stdlib", "purelib", "platlib")),
    }
)


# ------------------------------------------------------------------ graphs
def expanded(spec: Spec) -> Spec:
    """``spec`` with a chain spelled out as nodes (only some of them watched); others as they are.

    >>> chain = expanded({"name": "chain", "chain": [0.5, 8]})
    >>> chain["nodes"][:4]
    [['n1', 'mul', 1.0005, 'x'], ['n2', 'add', 'n1', 0.001], ['n3', 'mul', 'n2', 1.0005], \
['n4', 'add', 0.001, 'n3']]
    """
    if "chain" not in spec:
        return spec
    x, length = spec["chain"]
    nodes: list[list[Any]] = []
    for i in range(1, int(length) + 1):
        prev = f"n{i - 1}" if i > 1 else "x"
        if i % TANH_EVERY == 0:
            nodes.append([f"n{i}", "tanh", prev])
        else:
            nodes.append(
                [
                    [f"n{i}", "add", SHIFT, prev],
                    [f"n{i}", "mul", FACTOR, prev],
                    [f"n{i}", "add", prev, SHIFT],
                    [f"n{i}", "mul", prev, FACTOR],
                ][i % 4]
            )
    watch = ["x", *(f"n{i}" for i in range(length // 4, length + 1, length // 4))]
    return {
        "name": spec["name"],
        "leaves": [["x", x]],
        "nodes": nodes,
        "watch": watch,
        "deep": True,
    }


def build(cls: Any, spec: Spec) -> tuple[dict[str, Any], Any]:
    """The nodes of ``spec`` built with ``cls`` (by name), and the output.

    >>> nodes, out = build(Value, {"leaves": [["a", 3.0]], "nodes": [["out", "mul", 2.0, "a"]]})
    >>> out.data, nodes["a"].data
    (6.0, 3.0)
    """
    nodes: dict[str, Any] = {name: cls(value) for name, value in spec["leaves"]}

    def operand(x: Any) -> Any:
        return nodes[x] if isinstance(x, str) else x

    out: Any = None
    for name, op, *args in spec["nodes"]:
        left = operand(args[0])
        if op == "tanh":
            out = left.tanh()
        elif op == "add":
            out = left + operand(args[1])
        else:
            out = left * operand(args[1])
        nodes[name] = out
    return nodes, out


def _operand_text(x: Any) -> str:
    return x if isinstance(x, str) else f"{x:g}"


def node_expression(spec: Spec, name: str) -> str:
    """How the node ``name`` of ``spec`` is computed, as Python (a leaf: its name).

    >>> node_expression({"leaves": [["a", 1.0]], "nodes": [["out", "mul", 2.0, "a"]]}, "out")
    '2 * a'
    """
    for node, op, *args in spec.get("nodes", []):
        if node == name:
            if op == "tanh":
                return f"{_operand_text(args[0])}.tanh()"
            symbol = "+" if op == "add" else "*"
            return f"{_operand_text(args[0])} {symbol} {_operand_text(args[1])}"
    return name


def shown_graph(spec: Spec) -> str:
    """The graph as the student would write it, with its leaves' values.

    >>> spec = {"leaves": [["a", 0.5]], "nodes": [["b", "tanh", "a"], ["out", "mul", 2.0, "b"]]}
    >>> shown_graph(spec)
    'b = a.tanh(); out = 2 * b   with a = 0.5'
    """
    if "chain" in spec or spec.get("deep"):
        x = spec["chain"][0] if "chain" in spec else spec["leaves"][0][1]
        return (
            f"{spec['name']}: n1 = {FACTOR:g} * x, n2 = n1 + {SHIFT:g}, n3 = n2 * {FACTOR:g}, "
            f"n4 = {SHIFT:g} + n3, ... (every {TANH_EVERY}th node a tanh)   with x = {x:g}"
        )
    steps = [f"{name} = {node_expression(spec, name)}" for name, *_ in spec["nodes"]]
    leaves = ", ".join(f"{name} = {value:g}" for name, value in spec["leaves"])
    return "; ".join(steps) + f"   with {leaves}"


# ------------------------------------------------------------------ the student's errors
def _student_frame(error: BaseException) -> tuple[str, int] | None:
    """The innermost frame of the traceback in the student's code: (function, line)."""
    found = None
    for frame, line in traceback.walk_tb(error.__traceback__):
        filename = frame.f_code.co_filename
        if filename.startswith("<frozen") or os.path.abspath(filename).startswith(
            _NOT_THE_STUDENTS
        ):
            continue
        found = (getattr(frame.f_code, "co_qualname", frame.f_code.co_name), line)
    return found


def raised(error: BaseException, stage: str) -> dict[str, Any]:
    """An error of the student's code as plain data: type, message, where, and during what.

    >>> def f():
    ...     return 1 / 0
    >>> try:
    ...     f()
    ... except ZeroDivisionError as error:
    ...     record = raised(error, "building")
    >>> record["type"], record["function"], record["stage"]
    ('ZeroDivisionError', 'f', 'building')
    """
    try:
        message = str(error)
    except Exception:  # a __str__ that raises
        message = ""
    where = _student_frame(error)
    return {
        "type": type(error).__name__,
        "message": message[:200],
        "function": where[0] if where else None,
        "line": where[1] if where else None,
        "stage": stage,
    }


def _where(record: dict[str, Any]) -> str:
    function, line = record.get("function"), record.get("line")
    if isinstance(function, str) and isinstance(line, int):
        return f" in {function[:80]} (line {line} of your cell)"
    return ""


def raised_mistake(record: Any, spec: Spec, chain: bool) -> tuple[str | None, str, str | None]:
    """(mistake code or None, problem, hint) for an error the student's code raised on ``spec``.

    The mistake is named only when the error is the one it raises: a RecursionError
    in ``backward()`` on the deep chain; ``a + k`` failing on the plain number;
    ``k * a`` failing with Python's "unsupported operand type(s)".
    """
    record = record if isinstance(record, dict) else {}
    kind, message = str(record.get("type", "an error"))[:60], str(record.get("message", ""))
    building = record.get("stage") != "backward"
    stage = "building the graph" if building else "calling backward()"
    problem = f"your code raised {kind}{_where(record)} while {stage}: {message}".rstrip(": ")
    if kind == "RecursionError" and chain and not building:
        return (
            "recursion-depth",
            f"backward() raised RecursionError on {spec['name']}",
            "a loop over an explicit stack (a list you append to and pop from) visits a deep "
            "graph without nesting calls",
        )
    nodes = spec.get("nodes", [])
    if building and len(nodes) == 1 and len(nodes[0]) == 4:
        expression = node_expression(spec, nodes[0][0])
        if (
            isinstance(nodes[0][2], str)
            and kind == "AttributeError"
            and ("'float' object" in message or "'int' object" in message)
        ):
            return (
                "number-not-wrapped",
                f"{expression} raised {kind}{_where(record)}: {message}",
                "look at what `other` is before reading other.data",
            )
        if not isinstance(nodes[0][2], str) and kind == "TypeError" and "unsupported" in message:
            return (
                "missing-reflected-op",
                f"{expression} raised {kind}: {message}",
                "define __radd__ and __rmul__; a + b = b + a and a·b = b·a, so they can reuse "
                "__add__ and __mul__",
            )
    return None, problem, "read the line of your cell the error names"


# ------------------------------------------------------------------ comparing
def _is_number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _close(got: object, want: float) -> bool:
    return _is_number(got) and math.isclose(float(got), want, rel_tol=1e-6, abs_tol=1e-9)  # type: ignore[arg-type]


def first_wrong(expected: dict[str, float], got: Any) -> tuple[str, float, Any] | None:
    """The first entry of ``got`` that differs from ``expected``: (name, expected, got), or None.

    >>> first_wrong({"a": 1.0, "b": 2.0}, {"a": 1.0, "b": 2.5})
    ('b', 2.0, 2.5)
    """
    got = got if isinstance(got, dict) else {}
    for name, want in expected.items():
        if not _close(got.get(name), want):
            return name, want, got.get(name)
    return None


def shown_value(value: Any) -> str:
    """A number to 6 significant digits; what is there instead of a number, in words.

    >>> shown_value(0.1 + 0.2), shown_value({"type": "NoneType"}), shown_value(None)
    ('0.3', 'None', 'nothing')
    """
    if _is_number(value):
        return f"{value:.6g}"
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        kind = value["type"][:60]
        return "None" if kind == "NoneType" else f"a {kind}, not a number"
    return "nothing"


def matching_mistake(
    candidates: dict[str, list[list[dict[str, float]]]], got: list[Any]
) -> str | None:
    """The first simulated mistake some order of which gives every graph's gradients in ``got``."""
    for code, per_graph in candidates.items():
        if all(
            any(first_wrong(option, grads) is None for option in options)
            for options, grads in zip(per_graph, got, strict=True)
        ):
            return code
    return None


# ------------------------------------------------------------------ simulations
def _local_grads(node: Value, variant: str) -> Sequence[float]:
    if node.op == "tanh" and variant == "tanh-missing-square":
        return (1.0 - node.data,)
    if node.op == "tanh" and variant == "derivative-from-input":
        return (1.0 - node.children[0].data ** 2,)
    if node.op == "*" and variant == "product-rule-swapped":
        return tuple(child.data for child in node.children)
    return node.local_grads


def _backprop(
    order: Sequence[Value], root: Value, variant: str = "", seed: float = 1.0
) -> dict[int, float]:
    """Grads (by node id) of one backward pass visiting ``order`` as given, with ``variant``."""
    grads: dict[int, float] = {id(root): seed}
    for node in order:
        grad = grads.get(id(node), 0.0)
        pairs = list(zip(node.children, _local_grads(node, variant), strict=True))
        if variant == "reused-operand-lost":  # children in a set: a + a has one child
            pairs = list({id(child): (child, local) for child, local in reversed(pairs)}.values())
        for child, local in pairs:
            if variant == "assign-not-accumulate":
                grads[id(child)] = local * grad
            else:
                grads[id(child)] = grads.get(id(child), 0.0) + local * grad
    return grads


def _distinct(node: Value) -> list[Value]:
    """The computed children of ``node``, each once."""
    return list({id(c): c for c in node.children if c.children}.values())


def _parents_first_orders(root: Value) -> Iterator[list[Value]]:
    """Every order of the computed nodes in which each comes after all the nodes using it
    (what reversing any topological sort gives), at most :data:`MAX_ORDERS` of them."""
    computed = [node for node in root.topological_order() if node.children]
    if len(computed) > 12:
        yield computed[::-1]
        return
    users = {id(node): 0 for node in computed}
    for node in computed:
        for child in _distinct(node):
            users[id(child)] += 1
    order: list[Value] = []

    def extend() -> Iterator[list[Value]]:
        if len(order) == len(computed):
            yield list(order)
            return
        for node in computed:
            if users[id(node)] == 0 and all(node is not done for done in order):
                order.append(node)
                for child in _distinct(node):
                    users[id(child)] -= 1
                yield from extend()
                for child in _distinct(node):
                    users[id(child)] += 1
                order.pop()

    yield from itertools.islice(extend(), MAX_ORDERS)


def _children(node: Value, flipped: set[int]) -> tuple[Value, ...]:
    return node.children[::-1] if id(node) in flipped else node.children


def _unvisited_orders(root: Value) -> Iterator[list[Value]]:
    """The reversed post-orders of a depth-first search that keeps no visited set (a node
    reached by k paths is listed k times), for every order of each node's children."""
    computed = [
        node for node in root.topological_order() if len({id(c) for c in node.children}) > 1
    ]
    flips = itertools.product((False, True), repeat=min(len(computed), 10))
    for choice in itertools.islice(flips, MAX_ORDERS):
        flipped = {id(node) for node, flip in zip(computed, choice, strict=False) if flip}
        order: list[Value] = []
        stack = [(root, iter(_children(root, flipped)))]
        while stack and len(order) < 100_000:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                order.append(node)
            else:
                stack.append((child, iter(_children(child, flipped))))
        yield order[::-1]


def _named(
    nodes: dict[str, Value], watched: list[str], grads: dict[int, float]
) -> dict[str, float]:
    return {name: grads.get(id(nodes[name]), 0.0) for name in watched}


def _simulated(spec: Spec) -> dict[str, list[dict[str, float]]]:
    nodes, root = build(Value, spec)
    watched = spec.get("watch", list(nodes))
    reversed_order = root.topological_order()[::-1]
    runs: dict[str, list[dict[int, float]]] = {
        "no-seed": [_backprop(reversed_order, root, seed=0.0)],
        "closure-wrong-grad": [{id(root): 1.0}],
        "wrong-order": [_backprop(reversed_order[::-1], root)],
        "assign-not-accumulate": [
            _backprop(order, root, "assign-not-accumulate") for order in _parents_first_orders(root)
        ],
        "reused-operand-lost": [_backprop(reversed_order, root, "reused-operand-lost")],
        "topological-no-visited": [_backprop(order, root) for order in _unvisited_orders(root)],
    }
    for variant in ("tanh-missing-square", "derivative-from-input", "product-rule-swapped"):
        runs[variant] = [_backprop(reversed_order, root, variant)]
    result = {}
    for code, options in runs.items():
        unique = {tuple(sorted(_named(nodes, watched, g).items())): g for g in options}
        result[code] = [_named(nodes, watched, g) for g in unique.values()]
    root.backward()
    result["expected"] = [{name: nodes[name].grad for name in watched}]
    return result


def simulations(specs: Sequence[Spec]) -> dict[str, list[list[dict[str, float]]]]:
    """``"expected"`` (the engine's ``backward()``) and each mistake of :data:`SIMULATED`: per
    graph, the list of every gradient table (node name → grad) that mistake can give."""
    per_graph = [_simulated(expanded(spec)) for spec in specs]
    return {code: [graph[code] for graph in per_graph] for code in ("expected", *SIMULATED)}
