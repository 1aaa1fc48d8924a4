"""A computation graph as text a screen reader can walk: each node, its numbers, its edges.

Built from the graph itself (the Values, their children and local derivatives), not
from the drawing, with the formulas of :mod:`micrograd_edu.explain.formulas` — the same
texts the drawing shows when a node is hovered. :func:`graph_outline` writes an HTML
list, one item per node in the order of the forward pass:

- its name, kind (input, parameter, computed) and op, its value and its gradient;
- the formula that gave the value, and the chain rule that gave the gradient;
- its inputs and its consumers, each a link to that node's item (with the edge's
  local derivative), so that following an edge is one keypress.

At step ``k`` of the backward pass (the inspector's slider: step 0 is the forward pass)
only the gradients that have arrived so far are given, as in the drawing.

>>> from micrograd_edu import Value
>>> w, x = Value(0.5, label="w"), Value(2.0, label="x")
>>> y = (w * x).tanh()
>>> y.label = "y"
>>> text = graph_outline(y, seed=1.0, uid="g")
>>> "dy/dw = dy/d(w × x) · d(w × x)/dw" in text, text.count('class="mg-graph-node"')
(True, 4)
"""

from __future__ import annotations

import html
from collections.abc import Collection

from micrograd_edu import Value
from micrograd_edu.engine import op_code
from micrograd_edu.explain.formulas import grad_formula, node_names, parent_edges, value_formula
from micrograd_edu.explain.paths import format_number

__all__ = ["backward_state", "graph_outline"]


def backward_state(
    root: Value, seed: float, step: int | None
) -> tuple[dict[Value, float], set[Value], Value | None]:
    """(gradients known, nodes that have passed theirs on, the current node) after ``step``
    steps of the backward pass from ``root`` (None: all of them)."""
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


def _kind(node: Value, params: Collection[Value]) -> str:
    if node in params:
        return "parameter"
    return "input" if not node.children else f"computed by {op_code(node)}"


_INPUT_NOTE = " (the part of its gradient that flows through this graph)"


def graph_outline(
    root: Value,
    seed: float = 1.0,
    params: Collection[Value] = (),
    step: int | None = None,
    uid: str = "mg-graph",
) -> str:
    """``root``'s graph as an HTML list (see the module); ``seed`` is the gradient arriving
    at ``root`` (1, or dL/d root inside a network), ``params`` are named parameters,
    ``uid`` prefixes the items' ids (unique on the page)."""
    nodes = root.topological_order()
    names = node_names(root)
    grads, passed, current = backward_state(root, seed, step)
    edges = parent_edges(root)
    ids = {node: f"{uid}-{i}" for i, node in enumerate(nodes)}

    def link(node: Value) -> str:
        return f'<a href="#{ids[node]}">{html.escape(names[node])}</a>'

    items = []
    for node in nodes:
        name = html.escape(names[node])
        known = node in grads
        grad = format_number(grads[node]) if known else "not known yet"
        if known:
            rule = grad_formula(node, root, names, grads, passed if step is not None else None)
        else:
            rule = "not known yet: no consumer has passed its gradient on"
        inputs = ", ".join(
            f"{link(child)} (local derivative {format_number(local)})"
            for child, local in zip(node.children, node.local_grads, strict=True)
        )
        consumers = ", ".join(
            f"{link(parent)} (local derivative {format_number(local)})"
            for parent, local in edges[node]
        )
        partial = known and seed != 1.0 and not node.children and node not in params
        note = _INPUT_NOTE if partial else ""
        mark = (
            " (the current step: it passes its gradient to its inputs)" if node is current else ""
        )
        items.append(
            f'<li class="mg-graph-node" id="{ids[node]}" tabindex="-1"><strong>{name}</strong>: '
            f"{html.escape(_kind(node, params))}, value {format_number(node.data)}, "
            f"gradient {html.escape(grad)}{note}{mark}<ul>"
            f"<li>Value: {html.escape(value_formula(node, names))}</li>"
            f"<li>Gradient: {html.escape(rule)}</li>"
            f"<li>Inputs: {inputs or 'none (a leaf)'}</li>"
            f"<li>Consumers: {consumers or 'none (the output)'}</li></ul></li>"
        )
    return (
        f'<div class="mg-graph-text" role="region" aria-label="The graph as text">'
        f"<ol>{''.join(items)}</ol></div>"
    )
