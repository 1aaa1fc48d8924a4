"""A computation graph in words: every node with its numbers, its formulas and its edges.

What a screen reader reads instead of the drawing (:func:`~micrograd_edu.visualize.draw_graph`,
the frames of the backward and path players), and what anyone can read below it. It is
built from the graph itself — the Values, their children and local derivatives — with the
formulas of :mod:`micrograd_edu.explain.formulas`, the same texts a hovered node shows,
never from the picture.

:func:`node_texts` describes each node (:class:`NodeText`: its name, kind, op, value,
gradient, the formula of its value and the chain rule of its gradient, its inputs and its
consumers); :func:`outline_html` writes them as an HTML list in the order of the forward
pass, each input and consumer a link to that node's item, so that following an edge is
one keypress. The drawing's nodes take their accessible name (:attr:`NodeText.label`)
and description (:attr:`NodeText.description`) from the same records.

>>> from micrograd_edu import Value
>>> w, x = Value(0.5, label="w"), Value(2.0, label="x")
>>> y = (w * x).tanh()
>>> y.label = "y"
>>> y.backward()
>>> texts = node_texts(y)
>>> [text.label for text in texts]  # doctest: +NORMALIZE_WHITESPACE
['w: input, value 0.5, gradient 0.8399', 'x: input, value 2, gradient 0.21',
 '(w × x): computed by ×, value 1, gradient 0.42',
 'y: computed by tanh, value 0.7616, gradient 1, the output']
>>> print(texts[0].description)
w = 0.5. dy/dw = dy/d(w × x) · d(w × x)/dw = 0.42 · 2 = 0.8399. Inputs: none. Consumers: (w × x).

This module imports only the standard library.
"""

from __future__ import annotations

import html
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from micrograd_edu import Value
from micrograd_edu.explain.formulas import grad_formula, node_names, parent_edges, value_formula
from micrograd_edu.explain.optable import draw_label
from micrograd_edu.explain.paths import format_number

__all__ = ["Edge", "NodeText", "node_texts", "outline_html"]

UNKNOWN_BEFORE_BACKWARD = "not known yet: run backward()"
"""The gradient of a graph drawn before ``backward()`` ran."""
UNKNOWN_IN_PASS = "not known yet: no consumer has passed its gradient on"
"""A gradient that the backward pass in progress has not reached."""


@dataclass(frozen=True)
class Edge:
    """One edge of the graph as seen from a node: the node at its other end and the local
    derivative d consumer / d input on it."""

    key: str
    name: str
    local_grad: float

    def text(self) -> str:
        """``name (local derivative 2)``."""
        return f"{self.name} (local derivative {format_number(self.local_grad)})"


@dataclass(frozen=True)
class NodeText:
    """One node of a computation graph in words.

    ``key`` is the node's id in the drawing (``v3``: its place in the forward order);
    ``kind`` is "input", "parameter" or "computed"; ``op`` the op as the drawing shows it
    (``×``, ``tanh``, ``× 2``; "" for a leaf); ``grad`` is None while the gradient is not
    known, and ``grad_formula`` then says why.
    """

    key: str
    name: str
    kind: str
    op: str
    value: float
    grad: float | None
    value_formula: str
    grad_formula: str
    inputs: tuple[Edge, ...]
    consumers: tuple[Edge, ...]
    output: bool = False
    current: bool = False

    @property
    def facts(self) -> str:
        """Its kind, value and gradient: ``computed by ×, value 1, gradient 0.42``."""
        kind = f"computed by {self.op}" if self.kind == "computed" else self.kind
        grad = "not known yet" if self.grad is None else format_number(self.grad)
        text = f"{kind}, value {format_number(self.value)}, gradient {grad}"
        if self.output:
            text += ", the output"
        if self.current:
            text += ", the current step"
        return text

    @property
    def label(self) -> str:
        """Its accessible name: its name, then :attr:`facts`."""
        return f"{self.name}: {self.facts}"

    @property
    def description(self) -> str:
        """Where its numbers come from, and its edges: what hovering it shows, and more."""
        gradient = self.grad_formula if self.grad is not None else f"Gradient {self.grad_formula}"
        inputs = ", ".join(edge.name for edge in self.inputs) or "none"
        consumers = ", ".join(edge.name for edge in self.consumers) or "none"
        return f"{self.value_formula}. {gradient}. Inputs: {inputs}. Consumers: {consumers}."


def _kind(node: Value, params: Collection[Value]) -> str:
    if node in params:
        return "parameter"
    return "computed" if node.children else "input"


def node_texts(
    root: Value,
    grads: Mapping[Value, float] | None = None,
    passed: Collection[Value] | None = None,
    params: Collection[Value] = (),
    current: Value | None = None,
    names: Mapping[Value, str] | None = None,
    unknown: str = UNKNOWN_BEFORE_BACKWARD,
) -> tuple[NodeText, ...]:
    """Every node of ``root``'s graph in words, in the forward order (inputs first).

    ``grads`` are the gradients known (default: each node's ``grad`` once ``backward()``
    has run, none before); ``passed`` the nodes that have passed their gradient on so far
    (a backward pass in progress: the chain rules count only theirs); ``params`` are
    parameters; ``current`` is the node the player's step is at; ``unknown`` says why a
    missing gradient is missing. Raises TypeError if ``root`` is not a Value.
    """
    if not isinstance(root, Value):
        raise TypeError(f"expected a Value, got {type(root).__name__}")
    nodes = root.topological_order()
    if grads is None:
        grads = {node: node.grad for node in nodes} if root.grad != 0.0 else {}
    names = node_names(root) if names is None else names
    keys = {node: f"v{i}" for i, node in enumerate(nodes)}
    edges = parent_edges(root)
    parameters = set(params)
    texts = []
    for node in nodes:
        known = node in grads
        texts.append(
            NodeText(
                key=keys[node],
                name=names[node],
                kind=_kind(node, parameters),
                op=draw_label(node.op, node.constants) if node.children else "",
                value=node.data,
                grad=grads[node] if known else None,
                value_formula=value_formula(node, names),
                grad_formula=(
                    grad_formula(node, root, names, grads, passed, edges) if known else unknown
                ),
                inputs=tuple(
                    Edge(keys[child], names[child], local)
                    for child, local in zip(node.children, node.local_grads, strict=True)
                ),
                consumers=tuple(
                    Edge(keys[parent], names[parent], local) for parent, local in edges[node]
                ),
                output=node is root,
                current=node is current,
            )
        )
    return tuple(texts)


def _links(edges: tuple[Edge, ...], uid: str, empty: str) -> str:
    return (
        ", ".join(
            f'<a href="#{uid}-{edge.key}" data-key="{edge.key}">{html.escape(edge.name)}</a> '
            f"(local derivative {format_number(edge.local_grad)})"
            for edge in edges
        )
        or empty
    )


def outline_html(texts: tuple[NodeText, ...], uid: str, summary: str | None = None) -> str:
    """The nodes as an HTML list inside a ``<details>`` element (closed; its ``summary`` says
    what it holds): one item per node (id ``{uid}-{key}``, focusable by script) with its
    value's formula, its gradient's chain rule, and its inputs and consumers as links."""
    items = []
    for text in texts:
        items.append(
            f'<li class="mg-graph-node mg-text-item" id="{uid}-{text.key}" data-key="{text.key}" '
            f'tabindex="-1"><strong>{html.escape(text.name)}</strong>: '
            f"{html.escape(text.facts)}"
            f"<ul><li>Value: {html.escape(text.value_formula)}</li>"
            f"<li>Gradient: {html.escape(text.grad_formula)}</li>"
            f"<li>Inputs: {_links(text.inputs, uid, 'none (a leaf)')}</li>"
            f"<li>Consumers: {_links(text.consumers, uid, 'none (the output)')}</li></ul></li>"
        )
    heading = summary or (f"The graph as text: {len(texts)} values, in the order they are computed")
    return (
        f'<details class="mg-text mg-graph-text"><summary>{html.escape(heading)}</summary>'
        f'<ol aria-label="{html.escape(heading)}">{"".join(items)}</ol></details>'
    )
