"""A gradient as what it is: a sum over paths of products of local derivatives.

The chain rule says that d root / d leaf is the sum, over every path from
``root`` down to ``leaf`` in the graph, of the product of the local
derivatives along that path. :meth:`Value.backward` computes exactly that sum
without listing the paths (it adds each path's share at the node where paths
meet: ``child.grad += local_grad * node.grad``). :func:`explain_grad` lists
them, so that a student can see why a reused node *adds*.

>>> from micrograd_edu import Value
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> c = a * b + a
>>> c.label = "c"
>>> print(explain_grad(c, a))
dc/da = the sum over 2 paths of the product of the local derivatives on each path
  path 1: c → (a × b) → a    1 × -3 = -3
  path 2: c → a              1 = 1
  dc/da = -3 + 1 = -2

The number of paths can grow exponentially with the depth of a graph (a chain
of n nodes each used twice has 2ⁿ paths), so :func:`explain_grad` counts them
first, without listing them, and refuses with :class:`TooManyPathsError` above
``max_paths``. This module imports only the standard library.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..engine import Value

__all__ = [
    "INFIX_SYMBOLS",
    "GradExplanation",
    "GradPath",
    "TooManyPathsError",
    "count_paths",
    "explain_grad",
    "format_number",
    "node_names",
    "operand_texts",
]

MAX_PATHS = 64
"""The default limit of :func:`explain_grad`: more paths than this are not a derivation
anyone reads."""

INFIX_SYMBOLS = {
    "+": "+",
    "-": "−",
    "*": "×",
    "/": "÷",
    "**": "**",
}
"""The symbol an infix op is written with in a derivation (``a × b``, ``a − b``)."""


class TooManyPathsError(ValueError):
    """The gradient is a sum over more paths than the limit; ``count`` says how many."""

    def __init__(self, message: str, count: int) -> None:
        super().__init__(message)
        self.count = count


@dataclass(frozen=True)
class GradPath:
    """One path from the root down to the leaf.

    ``nodes`` runs from the root to the leaf (``len(nodes) == len(local_grads) + 1``);
    ``local_grads[i]`` is d nodes[i] / d nodes[i + 1] on the edge taken, and
    ``edges[i]`` that edge: the position of nodes[i + 1] among nodes[i]'s
    children (a node used twice by the same op, as in ``a * a``, gives two
    edges and so two paths).
    """

    nodes: tuple[Value, ...]
    local_grads: tuple[float, ...]
    edges: tuple[int, ...] = ()

    @property
    def product(self) -> float:
        """The product of the local derivatives along the path (1 for the empty path)."""
        return math.prod(self.local_grads, start=1.0)


@dataclass(frozen=True)
class GradExplanation:
    """d root / d leaf as its paths; ``str()`` is the derivation, ``gradient`` their sum."""

    root: Value
    leaf: Value
    paths: tuple[GradPath, ...]
    names: dict[Value, str]

    @property
    def gradient(self) -> float:
        """The sum of the paths' products: what ``backward()`` puts in ``leaf.grad``."""
        return sum(path.product for path in self.paths)

    def derivation(self) -> str:
        """The gradient written out, one line per path, then the sum."""
        root, leaf = self.names[self.root], self.names[self.leaf]
        d = f"d{root}/d{leaf}"
        count = len(self.paths)
        lines = [
            f"{d} = the sum over {count} path{'s' if count != 1 else ''} of the product "
            "of the local derivatives on each path"
        ]
        routes = [" → ".join(self.names[node] for node in path.nodes) for path in self.paths]
        width = max(map(len, routes))
        for i, (path, route) in enumerate(zip(self.paths, routes, strict=True), start=1):
            factors = " × ".join(format_number(g) for g in path.local_grads) or "1"
            lines.append(
                f"  path {i}: {route:<{width}}    {factors} = {format_number(path.product)}"
            )
        terms = " + ".join(format_number(path.product) for path in self.paths).replace("+ -", "− ")
        if count > 1:
            lines.append(f"  {d} = {terms} = {format_number(self.gradient)}")
        else:
            lines.append(f"  {d} = {format_number(self.gradient)}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.derivation()

    def _repr_pretty_(self, printer: object, cycle: bool) -> None:
        """IPython shows the derivation, not the dataclass fields."""
        printer.text(self.derivation())  # type: ignore[attr-defined]


def format_number(x: float) -> str:
    """A number as derivations and tooltips show it: four significant digits.

    >>> format_number(0.30000000000000004), format_number(-1.4999999999999996)
    ('0.3', '-1.5')
    """
    return f"{x:.4g}"


def node_names(root: Value) -> dict[Value, str]:
    """A short name for every node of ``root``'s graph, for derivations and tooltips.

    A node's ``label`` if it has one; otherwise its expression in its
    children's names when that stays short (``(a × b)``, ``tanh(n)``), else
    ``v`` and its position in the topological order (``v7``).

    >>> from micrograd_edu import Value
    >>> x = Value(3.0, label="x")
    >>> y = (x * 2).tanh()
    >>> names = node_names(y)
    >>> [names[node] for node in y.topological_order()]
    ['x', '(x × 2)', 'tanh(x × 2)']
    """
    names: dict[Value, str] = {}
    for i, node in enumerate(root.topological_order()):
        name = node.label or _expression(node, names)
        names[node] = name if name and len(name) <= 24 else f"v{i}"
    return names


def operand_texts(node: Value, texts: list[str]) -> list[str]:
    """Every operand of ``node`` in order: ``texts`` for its children, the numbers written out.

    >>> from micrograd_edu import Value
    >>> operand_texts(1 - Value(2.0), ["x"])
    ['1', 'x']
    """
    if not node.constants:
        return texts
    children = iter(texts)
    return [next(children) if c is None else format_number(c) for c in node.constants]


def _expression(node: Value, names: dict[Value, str]) -> str:
    """``node`` as its op applied to its children's names, or "" when it has no short form."""
    args = [names[child] for child in node.children]
    operands = operand_texts(node, args)
    op = "**" if node.op.startswith("**") else node.op
    if op in INFIX_SYMBOLS and len(operands) == 2:
        return f"({operands[0]} {INFIX_SYMBOLS[op]} {operands[1]})"
    if op == "neg":
        return f"(−{args[0]})"
    if len(args) == 1 and op not in INFIX_SYMBOLS and op not in ("sum", "dot"):
        return f"{op}({args[0].strip('()')})"
    return ""


def count_paths(root: Value, leaf: Value) -> int:
    """How many paths lead from ``root`` down to ``leaf``, counted without listing them.

    Dynamic programming over the topological order: the number of paths from
    the root to a node is the sum of those to each of its parents, one per
    edge. Exact (a Python int) even when it is astronomically large.

    >>> from micrograd_edu import Value
    >>> x = Value(1.0)
    >>> y = x
    >>> for _ in range(100):
    ...     y = y * y
    >>> count_paths(y, x) == 2**100
    True
    """
    _check_values(root, leaf)
    paths: dict[Value, int] = {root: 1}
    for node in reversed(root.topological_order()):
        n = paths.get(node, 0)
        if n:
            for child in node.children:
                paths[child] = paths.get(child, 0) + n
    return paths.get(leaf, 0)


def _check_values(root: object, leaf: object) -> None:
    for what, x in (("root", root), ("leaf", leaf)):
        if not isinstance(x, Value):
            raise TypeError(f"explain_grad: {what} must be a Value, got {type(x).__name__}")


def _ancestors_of(leaf: Value, order: list[Value]) -> set[Value]:
    """The nodes of ``order`` from which ``leaf`` can be reached (leaf included)."""
    reaching = {leaf}
    for node in order:  # children come first, so they are settled before their parents
        if any(child in reaching for child in node.children):
            reaching.add(node)
    return reaching


def _list_paths(root: Value, leaf: Value, reaching: set[Value]) -> list[GradPath]:
    """Every path from root to leaf, depth first, following the children's order."""
    found: list[GradPath] = []
    Partial = tuple[tuple[Value, ...], tuple[float, ...], tuple[int, ...]]
    stack: list[Partial] = [((root,), (), ())]
    while stack:
        nodes, grads, taken = stack.pop()
        node = nodes[-1]
        if node is leaf:
            found.append(GradPath(nodes, grads, taken))
            continue
        edges = list(enumerate(zip(node.children, node.local_grads, strict=True)))
        for i, (child, local) in reversed(edges):  # reversed: the first child is popped first
            if child in reaching:
                stack.append(((*nodes, child), (*grads, local), (*taken, i)))
    return found


def explain_grad(root: Value, leaf: Value, max_paths: int = MAX_PATHS) -> GradExplanation:
    """d root / d leaf as the list of its paths and their products.

    Parameters
    ----------
    root:
        The output (the loss, usually).
    leaf:
        Any node of ``root``'s graph (an input, a weight, or an intermediate node).
    max_paths:
        Refuse with :class:`TooManyPathsError` (which carries the ``count``,
        found without listing the paths) when there are more paths than this.

    Returns
    -------
    GradExplanation
        Its ``paths`` (root first, leaf last, each with its local derivatives
        and their ``product``) and their sum, ``gradient``: the number
        ``backward()`` leaves in ``leaf.grad`` (for a leaf whose grad started at 0).

    Raises
    ------
    TypeError
        ``root`` or ``leaf`` is not a Value.
    ValueError
        ``leaf`` is not in ``root``'s graph (no path: root does not depend on it).
    TooManyPathsError
        More than ``max_paths`` paths.

    Examples
    --------
    >>> from micrograd_edu import Value
    >>> x = Value(3.0, label="x")
    >>> y = x * x
    >>> [path.product for path in explain_grad(y, x).paths]  # d(x·x)/dx = x + x
    [3.0, 3.0]
    """
    _check_values(root, leaf)
    if isinstance(max_paths, bool) or not isinstance(max_paths, int) or max_paths < 1:
        raise ValueError(f"explain_grad: max_paths must be a positive int, got {max_paths!r}")
    order = root.topological_order()
    if leaf not in set(order):
        raise ValueError(
            "explain_grad: the leaf is not in the root's graph, so no path joins them: "
            f"the root does not depend on it (leaf = {leaf!r})"
        )
    count = count_paths(root, leaf)
    if count > max_paths:
        raise TooManyPathsError(
            f"explain_grad: there are {count:,} paths from the root to this node, more than "
            f"max_paths={max_paths:,}. backward() adds them up without listing them; explain a "
            "smaller graph, or pass a larger max_paths.",
            count,
        )
    paths = _list_paths(root, leaf, _ancestors_of(leaf, order))
    return GradExplanation(root, leaf, tuple(paths), node_names(root))
