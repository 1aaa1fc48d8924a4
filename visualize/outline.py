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

The live Playground's neuron inspector writes its neuron's graph with the same functions
(:mod:`~micrograd_edu.visualize.live.graphtext`): ``node_texts(root, seed=..., step=k)``
gives the backward pass from a gradient dL/d root that arrives from the loss beyond the
graph, as it stands after step ``k`` (:func:`backward_state`), and
``outline_html(..., form="region")`` an open list for a page that has its own show/hide
toggle.

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
from typing import Literal

from micrograd_edu import Value
from micrograd_edu.explain.formulas import grad_formula, node_names, parent_edges, value_formula
from micrograd_edu.explain.optable import draw_label
from micrograd_edu.explain.paths import format_number

__all__ = ["Edge", "NodeText", "backward_state", "node_texts", "outline_html"]

UNKNOWN_BEFORE_BACKWARD = "not known yet: run backward()"
"""The gradient of a graph drawn before ``backward()`` ran."""
UNKNOWN_IN_PASS = "not known yet: no consumer has passed its gradient on"
"""A gradient that the backward pass in progress has not reached."""
PARTIAL_NOTE = " (the part of its gradient that flows through this graph)"
"""Said after an input's gradient when the graph is one piece of a larger one (``seed``
≠ 1): the other paths from that input to the loss add to it there."""

OutlineForm = Literal["details", "region"]


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
    (``×``, ``tanh``, ``× 2``; "" for a leaf), or by its name where the drawing writes
    a formula (``dot``, drawn ``w·x+b``); ``grad`` is None while the gradient is not
    known, and ``grad_formula`` then says why; ``partial``: the gradient is only the part
    that flows through this graph (:data:`PARTIAL_NOTE`).
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
    partial: bool = False

    @property
    def what(self) -> str:
        """Its kind in words: ``input``, ``parameter``, ``computed by ×``."""
        return f"computed by {self.op}" if self.kind == "computed" else self.kind

    @property
    def marks(self) -> str:
        """Where it stands, after its other facts: ``, the output``, ``, the current step``."""
        return (", the output" if self.output else "") + (
            ", the current step" if self.current else ""
        )

    @property
    def facts(self) -> str:
        """Its kind, value and gradient: ``computed by ×, value 1, gradient 0.42``."""
        grad = "not known yet" if self.grad is None else format_number(self.grad)
        note = PARTIAL_NOTE if self.partial else ""
        return f"{self.what}, value {format_number(self.value)}, gradient {grad}{note}{self.marks}"

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


_NAMED_OPS = frozenset({"dot"})
"""Ops whose drawing writes a formula (``dot``: ``w·x+b``): the text names them instead."""


def _op_text(node: Value) -> str:
    if not node.children:
        return ""
    return node.op if node.op in _NAMED_OPS else draw_label(node.op, node.constants)


def backward_state(
    root: Value, seed: float = 1.0, step: int | None = None
) -> tuple[dict[Value, float], set[Value], Value | None]:
    """(gradients known, nodes that have passed theirs on, the current node) after ``step``
    steps of the backward pass from ``root``, whose gradient is ``seed``.

    A step is one computed node, in reverse topological order, passing its gradient to
    its inputs (``child.grad += local × node.grad``): the steps of
    :func:`~micrograd_edu.visualize.backward.backward_steps`. Step 0 is the forward pass
    (the seed alone known, no current node); ``step=None`` runs them all. The Values'
    own ``grad`` fields are left as they are. Raises ValueError for a negative step.

    >>> from micrograd_edu import Value
    >>> x = Value(3.0, label="x")
    >>> y = x * x
    >>> grads, passed, current = backward_state(y, seed=2.0, step=1)
    >>> grads[x], current is y
    (12.0, True)
    """
    if step is not None and step < 0:
        raise ValueError(f"step must be 0 or more (0 is the forward pass), got {step}")
    order = [node for node in reversed(root.topological_order()) if node.children]
    grads: dict[Value, float] = {root: float(seed)}
    passed: set[Value] = set()
    current = None
    for node in order[: len(order) if step is None else step]:
        for child, local in zip(node.children, node.local_grads, strict=True):
            grads[child] = grads.get(child, 0.0) + local * grads.get(node, 0.0)
        passed.add(node)
        current = node
    return grads, passed, current


def node_texts(
    root: Value,
    grads: Mapping[Value, float] | None = None,
    passed: Collection[Value] | None = None,
    params: Collection[Value] = (),
    current: Value | None = None,
    names: Mapping[Value, str] | None = None,
    unknown: str | None = None,
    *,
    seed: float | None = None,
    step: int | None = None,
) -> tuple[NodeText, ...]:
    """Every node of ``root``'s graph in words, in the forward order (inputs first).

    ``grads`` are the gradients known (default: each node's ``grad`` once ``backward()``
    has run, none before); ``passed`` the nodes that have passed their gradient on so far
    (a backward pass in progress: the chain rules count only theirs); ``params`` are
    parameters; ``current`` is the node the player's step is at; ``unknown`` says why a
    missing gradient is missing (default :data:`UNKNOWN_BEFORE_BACKWARD`).

    Or the gradients of a backward pass computed here: ``seed`` is the gradient arriving
    at ``root`` (1, or dL/d root when ``root`` is one neuron inside a network: the
    Playground's inspector), ``step`` how many steps of the pass have run
    (:func:`backward_state`; None: all). Only the gradients arrived so far are known (a
    missing one says :data:`UNKNOWN_IN_PASS`), the current node is the last step's, and
    with ``seed`` ≠ 1 an input's gradient is marked :attr:`NodeText.partial`.

    Raises TypeError if ``root`` is not a Value, ValueError if ``seed`` or ``step`` come
    with ``grads``, ``passed`` or ``current``, or ``step`` is negative.
    """
    if not isinstance(root, Value):
        raise TypeError(f"expected a Value, got {type(root).__name__}")
    nodes = root.topological_order()
    if seed is not None or step is not None:
        if grads is not None or passed is not None or current is not None:
            raise ValueError(
                "node_texts: give the gradients as grads (with passed and current) or as "
                "seed and step, not both"
            )
        known = _computed_pass(root, seed, step, unknown)
    else:
        if grads is None:
            grads = {node: node.grad for node in nodes} if root.grad != 0.0 else {}
        unknown = UNKNOWN_BEFORE_BACKWARD if unknown is None else unknown
        known = _Known(grads, passed, current, unknown, partial=False)
    graph = _Graph(
        root,
        node_names(root) if names is None else names,
        {node: f"v{i}" for i, node in enumerate(nodes)},
        parent_edges(root),
        set(params),
    )
    return tuple(_node_text(node, graph, known) for node in nodes)


@dataclass(frozen=True)
class _Known:
    """What :func:`node_texts` knows of the backward pass: the gradients known, the nodes
    that have passed theirs on (None: all), the current node, why a missing gradient is
    missing, and whether an input's gradient is only the part through this graph."""

    grads: Mapping[Value, float]
    passed: Collection[Value] | None
    current: Value | None
    unknown: str
    partial: bool


@dataclass(frozen=True)
class _Graph:
    """The graph :func:`node_texts` describes: its root, names, drawing keys, each node's
    consumers (with the local derivatives) and its parameters."""

    root: Value
    names: Mapping[Value, str]
    keys: dict[Value, str]
    edges: Mapping[Value, list[tuple[Value, float]]]
    parameters: set[Value]


def _computed_pass(
    root: Value, seed: float | None, step: int | None, unknown: str | None
) -> _Known:
    """The backward pass from ``root`` with gradient ``seed`` (default 1) after ``step``
    steps (None: all of them), as :func:`backward_state` computes it."""
    seed = 1.0 if seed is None else float(seed)
    grads, arrived, current = backward_state(root, seed, step)
    passed = arrived if step is not None else None
    unknown = UNKNOWN_IN_PASS if unknown is None else unknown
    return _Known(grads, passed, current, unknown, partial=seed != 1.0)


def _node_text(node: Value, graph: _Graph, known: _Known) -> NodeText:
    """One node in words: its numbers, formulas and edges."""
    names, keys = graph.names, graph.keys
    has_grad, kind = node in known.grads, _kind(node, graph.parameters)
    return NodeText(
        key=keys[node],
        name=names[node],
        kind=kind,
        op=_op_text(node),
        value=node.data,
        grad=known.grads[node] if has_grad else None,
        value_formula=value_formula(node, names),
        grad_formula=(
            grad_formula(node, graph.root, names, known.grads, known.passed, graph.edges)
            if has_grad
            else known.unknown
        ),
        inputs=tuple(
            Edge(keys[child], names[child], local)
            for child, local in zip(node.children, node.local_grads, strict=True)
        ),
        consumers=tuple(
            Edge(keys[parent], names[parent], local) for parent, local in graph.edges[node]
        ),
        output=node is graph.root,
        current=node is known.current,
        partial=known.partial and has_grad and kind == "input",
    )


def _item_id(uid: str, key: str, form: OutlineForm) -> str:
    """A node's item: ``{uid}-v3`` (details, the drawing's key), ``{uid}-3`` (region)."""
    return f"{uid}-{key}" if form == "details" else f"{uid}-{key.removeprefix('v')}"


def _links(edges: tuple[Edge, ...], uid: str, empty: str, form: OutlineForm) -> str:
    hook = form == "details"  # the pictures' script follows an edge by its data-key
    return (
        ", ".join(
            f'<a href="#{_item_id(uid, edge.key, form)}"'
            + (f' data-key="{edge.key}"' if hook else "")
            + f">{html.escape(edge.name)}</a> (local derivative {format_number(edge.local_grad)})"
            for edge in edges
        )
        or empty
    )


def outline_html(
    texts: tuple[NodeText, ...],
    uid: str,
    summary: str | None = None,
    *,
    form: OutlineForm = "details",
) -> str:
    """The nodes as an HTML list: one item per node with its value's formula, its
    gradient's chain rule, and its inputs and consumers as links to their items.

    ``form="details"``: inside a ``<details>`` element (closed; its ``summary`` says what
    it holds), each item (id ``{uid}-{key}``, focusable by script) with the hooks of the
    pictures' script (:mod:`~micrograd_edu.visualize.interactive`). ``form="region"``: an
    open list in a region named "The graph as text" (or ``summary``), for a page with its
    own show/hide toggle (the Playground's inspector); its items are ``{uid}-0``,
    ``{uid}-1``, … in the forward order, linked by plain page links. Raises ValueError
    for another form.
    """
    if form not in ("details", "region"):
        raise ValueError(f"form must be 'details' or 'region', got {form!r}")
    hook = form == "details"
    items = []
    for text in texts:
        items.append(
            f'<li class="mg-graph-node{" mg-text-item" if hook else ""}" '
            f'id="{_item_id(uid, text.key, form)}"'
            + (f' data-key="{text.key}"' if hook else "")
            + f' tabindex="-1"><strong>{html.escape(text.name)}</strong>: '
            f"{html.escape(text.facts)}"
            f"<ul><li>Value: {html.escape(text.value_formula)}</li>"
            f"<li>Gradient: {html.escape(text.grad_formula)}</li>"
            f"<li>Inputs: {_links(text.inputs, uid, 'none (a leaf)', form)}</li>"
            f"<li>Consumers: {_links(text.consumers, uid, 'none (the output)', form)}</li>"
            "</ul></li>"
        )
    if not hook:
        name = html.escape(summary or "The graph as text")
        return (
            f'<div class="mg-graph-text" role="region" aria-label="{name}">'
            f"<ol>{''.join(items)}</ol></div>"
        )
    heading = summary or (f"The graph as text: {len(texts)} values, in the order they are computed")
    return (
        f'<details class="mg-text mg-graph-text"><summary>{html.escape(heading)}</summary>'
        f'<ol aria-label="{html.escape(heading)}">{"".join(items)}</ol></details>'
    )
