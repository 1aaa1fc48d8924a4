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
visited set repeats nodes), every order such a sort can give is tried, and
:func:`resolved_suspects` picks, graph by graph, the one the student's numbers
match: an answer is named only when some order of that mistake gives exactly its
numbers on every graph.

>>> spec = {"name": "a + a", "leaves": [["a", 2.0]], "nodes": [["out", "add", "a", "a"]]}
>>> found = simulations([spec])
>>> found["expected"], found["assign-not-accumulate"], found["no-seed"]
([[{'a': 2.0, 'out': 1.0}]], [[{'a': 1.0, 'out': 1.0}]], [[{'a': 0.0, 'out': 0.0}]])
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, MutableMapping, Sequence
from typing import Any

from ..engine import Value
from .compare import close

__all__ = [
    "CHAIN_LENGTH",
    "FORMS",
    "SIMULATED",
    "Spec",
    "build",
    "case_graphs",
    "draw",
    "expanded",
    "form_spec",
    "node_expression",
    "random_graph",
    "resolved_suspects",
    "shown_graph",
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
    "own-factor",
)
"""The gradient mistakes :func:`simulations` runs, in the order they are named."""

CHAIN_LENGTH = 2000
"""Nodes in the deep chain: twice Python's default recursion limit."""

FACTOR, SHIFT, TANH_EVERY = 1.0005, 0.001, 400
"""The chain's steps: ``FACTOR * y``, ``y + SHIFT``, ``y * FACTOR``, ``SHIFT + y``, and a tanh
every ``TANH_EVERY`` nodes (the values stay near 1, the gradient near 0.1)."""

MAX_ORDERS = 2000
"""Orders tried per graph for an order-dependent mistake (small graphs have far fewer)."""


# ------------------------------------------------------------------ graphs
def case_graphs(a: float, b: float, w: float, k: float, x: float) -> list[Spec]:
    """The graphs that tell the mistakes apart (leaf values a, b, w, a number k, a chain's x).

    >>> [spec["name"] for spec in case_graphs(0.7, -1.3, 0.9, 3.0, 0.5)][-2:]
    ['a node squared', 'a chain of 2,000 nodes']
    """
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


def draw(rng: random.Random, low: float = 0.3, high: float = 1.6) -> float:
    """A number of size in [low, high], either sign, two decimals."""
    return round(rng.uniform(low, high) * rng.choice((-1, 1)), 2)


def random_graph(rng: random.Random) -> Spec:
    """A small graph of +, * and tanh in which nodes are reused, with numbers on either side.

    >>> spec = random_graph(random.Random(0))
    >>> spec["name"], 4 <= len(spec["nodes"]) <= 6
    ('a random graph', True)
    """
    leaves = [[name, draw(rng)] for name in ("u", "v", "z")[: rng.randint(2, 3)]]
    names = [name for name, _ in leaves]
    nodes: list[list[Any]] = []
    for index in range(rng.randint(4, 6)):
        name = f"n{index + 1}"
        op = rng.choice(("add", "mul", "mul", "tanh"))
        left = names[-1] if index else rng.choice(names)
        if op == "tanh":
            nodes.append([name, op, left])
        else:
            right: Any = rng.choice(names) if rng.random() < 0.75 else draw(rng, 0.5, 2.0)
            nodes.append([name, op, *((right, left) if rng.random() < 0.5 else (left, right))])
        names.append(name)
    return {"name": "a random graph", "leaves": leaves, "nodes": nodes}


def form_spec(form: str, a: float, k: float, wrapped: bool = False) -> Spec:
    """The one-operation graph of ``form`` (``"a + k"``, ``"k * a"``, ...) for the numbers a, k;
    ``wrapped``: k a leaf node too, as the operation should have made it.

    >>> form_spec("k * a", 1.5, 3.0)["nodes"]
    [['out', 'mul', 3.0, 'a']]
    >>> form_spec("k * a", 1.5, 3.0, wrapped=True)["nodes"]
    [['out', 'mul', 'k', 'a']]
    """
    left, op, right = form.split()
    operand = {"a": "a", "k": "k" if wrapped else k}
    return {
        "name": form.replace("k", f"{k:g}"),
        "leaves": [["a", a], ["k", k]] if wrapped else [["a", a]],
        "nodes": [["out", "add" if op == "+" else "mul", operand[left], operand[right]]],
    }


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


def build(
    cls: Any, spec: Spec, at: MutableMapping[str, str] | None = None
) -> tuple[dict[str, Any], Any]:
    """The nodes of ``spec`` built with ``cls`` (by name), and the output.

    The build stops at the first operation that returns something else than a
    node of the leaves' class (then the output is that object). ``at`` is kept
    up to date with what is being computed (``at["node"]``: a node's name, or
    ``"leaves"``; ``at["class"]``: the leaves' class), so that an error can say
    where it happened.

    >>> nodes, out = build(Value, {"leaves": [["a", 3.0]], "nodes": [["out", "mul", 2.0, "a"]]})
    >>> out.data, nodes["a"].data
    (6.0, 3.0)
    """
    at = {} if at is None else at
    at["node"] = "leaves"
    nodes: dict[str, Any] = {name: cls(value) for name, value in spec["leaves"]}
    kind = type(next(iter(nodes.values())))
    at["class"] = kind.__name__[:60]

    def operand(x: Any) -> Any:
        return nodes[x] if isinstance(x, str) else x

    out: Any = None
    for name, op, *args in spec["nodes"]:
        at["node"] = name
        left = operand(args[0])
        if op == "tanh":
            out = left.tanh()
        elif op == "add":
            out = left + operand(args[1])
        else:
            out = left * operand(args[1])
        nodes[name] = out
        if not isinstance(out, kind):
            break
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


# ------------------------------------------------------------------ simulations
def _local_grads(node: Value, variant: str) -> Sequence[float]:
    if node.op == "tanh" and variant == "tanh-missing-square":
        return (1.0 - node.data,)
    if node.op == "tanh" and variant == "derivative-from-input":
        return (1.0 - node.children[0].data ** 2,)
    if node.op == "*" and variant == "own-factor":
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
    for variant in ("tanh-missing-square", "derivative-from-input", "own-factor"):
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


def resolved_suspects(
    candidates: dict[str, list[list[dict[str, float]]]], got: Sequence[Any], tol: float
) -> dict[str, list[dict[str, float]]]:
    """Each mistake's answer for :func:`~micrograd_edu.exercises.compare.diagnose`: per graph,
    the one of its possible tables that ``got`` matches (within ``tol``), else its first.

    A mistake whose result depends on the order a sort happens to give has several
    tables per graph; the answer is that mistake's when every graph's grads are one of
    them, which is when they equal the resolved answer.

    >>> candidates = {"assign": [[{"a": 1.0}, {"a": 3.0}], [{"a": 5.0}]]}
    >>> resolved_suspects(candidates, [{"a": 3.0}, {"a": 4.0}], 1e-9)
    {'assign': [{'a': 3.0}, {'a': 5.0}]}
    """
    return {
        code: [
            next((option for option in options if close(grads, option, tol)), options[0])
            for options, grads in zip(per_graph, got, strict=True)
        ]
        for code, per_graph in candidates.items()
    }
