"""Where a number comes from: a node's formula and a gradient's chain rule, with the numbers.

These are the texts that the pictures show when a number is hovered
(:func:`micrograd_edu.visualize.draw_graph`, the backward player):

>>> from micrograd_edu import Value
>>> w, x, b = Value(0.5, label="w"), Value(2.0, label="x"), Value(0.1, label="b")
>>> z = w * x + b
>>> z.label = "z"
>>> L = z * 0.3
>>> L.label = "L"
>>> L.backward()
>>> names = node_names(L)
>>> value_formula(z, names)
'z = (w × x) + b = 1 + 0.1 = 1.1'
>>> grad_formula(w, L, names)
'dL/dw = dL/d(w × x) · d(w × x)/dw = 0.3 · 2 = 0.6'

This module imports only the standard library.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from ..engine import Value, op_code
from .paths import INFIX_SYMBOLS, format_number, node_names, operand_texts

__all__ = ["grad_formula", "node_names", "parent_edges", "value_formula"]


def _symbolic(node: Value, names: Mapping[Value, str]) -> tuple[str, str]:
    """``node``'s op written with its children's names, and with their numbers."""
    named = operand_texts(node, [names[child] for child in node.children])
    numbered = operand_texts(node, [format_number(child.data) for child in node.children])
    op = op_code(node)
    if op in INFIX_SYMBOLS and len(named) == 2:
        symbol = INFIX_SYMBOLS[op]
        return f"{named[0]} {symbol} {named[1]}", f"{numbered[0]} {symbol} {numbered[1]}"
    if op == "neg":
        return f"−{named[0]}", f"−({numbered[0]})"
    if op == "sum":
        return " + ".join(named), " + ".join(numbered)
    if op == "dot":
        return _dot_terms(node, named), _dot_terms(node, numbered)
    # Any other op (tanh, leaky_relu, an op added to the engine): written as a call.
    return f"{op}({', '.join(named)})", f"{op}({', '.join(numbered)})"


def _dot_terms(node: Value, operands: list[str]) -> str:
    """w·x + b written out (operands w₁…wₙ, x₁…xₙ, b): the pairs, then the bias.

    A bias that is the number 0 is left out, unless nothing else is written.
    """
    n = len(operands) // 2
    terms = [f"{w}·{x}" for w, x in zip(operands[:n], operands[n : 2 * n], strict=True)]
    bias_is_zero = bool(node.constants) and node.constants[-1] == 0.0
    if not bias_is_zero or not terms:
        terms.append(operands[-1])
    return " + ".join(terms)


def value_formula(node: Value, names: Mapping[Value, str]) -> str:
    """How ``node.data`` was computed: the op with names, then numbers, then the result.

    A leaf reads ``x = 2``; ``names`` is :func:`node_names` of the graph.

    >>> from micrograd_edu import Value
    >>> n = Value(0.5, label="n")
    >>> o = n.tanh()
    >>> o.label = "o"
    >>> value_formula(o, node_names(o))
    'o = tanh(n) = tanh(0.5) = 0.4621'
    """
    name = names[node]
    if not node.children:
        return f"{name} = {format_number(node.data)}"
    named, numbered = _symbolic(node, names)
    head = "" if name in (named, f"({named})") else f"{name} = "
    return f"{head}{named} = {numbered} = {format_number(node.data)}"


def parent_edges(root: Value) -> dict[Value, list[tuple[Value, float]]]:
    """For every node of ``root``'s graph, the edges to it: (parent, local derivative).

    A parent that uses the node twice (``x * x``) gives two edges.
    """
    edges: dict[Value, list[tuple[Value, float]]] = {}
    for node in root.topological_order():
        edges.setdefault(node, [])
        for child, local in zip(node.children, node.local_grads, strict=True):
            edges[child].append((node, local))
    return edges


def _wrap(name: str) -> str:
    """A name as it reads after a ``d``: ``w``, ``(a × b)``, ``(x1·w1)``."""
    simple = re.fullmatch(r"\w+", name) or (name.startswith("(") and name.endswith(")"))
    return name if simple else f"({name})"


def _d(top: str, bottom: str) -> str:
    return f"d{_wrap(top)}/d{_wrap(bottom)}"


def grad_formula(
    node: Value,
    root: Value,
    names: Mapping[Value, str],
    grads: Mapping[Value, float] | None = None,
    passed: Collection[Value] | None = None,
    edges: Mapping[Value, list[tuple[Value, float]]] | None = None,
) -> str:
    """The chain rule that gave d root / d node, with the numbers filled in.

    One term per edge from a parent: the parent's gradient times the local
    derivative; a node with several parents (or used twice) gets the sum.
    When the root's gradient is not 1 (a neuron inside a network, whose
    gradient came from the loss), the gradients are written dL/d·.

    Parameters
    ----------
    grads:
        The gradients to use (default: each node's ``grad``, after ``backward()``).
    passed:
        Only the parents in here have passed their gradient on yet (a backward
        pass in progress); default: all of them.
    edges:
        :func:`parent_edges` of ``root``, to share between calls.
    """
    lookup = grads if grads is not None else {n: n.grad for n in root.topological_order()}
    seed = lookup.get(root, 1.0)
    # A root whose gradient is not 1 is inside a larger graph (a neuron in a network):
    # its gradient came from a loss L beyond the drawing, and so do all the others.
    top, name = (names[root] if seed == 1.0 else "L"), names[node]
    if node is root:
        if seed == 1.0:
            return f"{_d(top, top)} = 1 (the seed: where the backward pass starts)"
        return (
            f"{_d(top, name)} = {format_number(seed)} (backpropagated from the loss L "
            "through the rest of the network)"
        )
    terms = [
        (parent, local)
        for parent, local in (edges if edges is not None else parent_edges(root))[node]
        if passed is None or parent in passed
    ]
    if not terms:
        return f"{_d(top, name)} = 0 so far (no parent has passed its gradient on yet)"
    named = " + ".join(f"{_d(top, names[p])} · {_d(names[p], name)}" for p, _ in terms)
    numbered = " + ".join(
        f"{format_number(lookup[p])} · {format_number(local)}" for p, local in terms
    )
    total = sum(lookup[p] * local for p, local in terms)
    return f"{_d(top, name)} = {named} = {numbered} = {format_number(total)}"
