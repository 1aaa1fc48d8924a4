"""The neuron inspector's graph as text a screen reader can walk: each node, its numbers, its edges.

A thin layer over :mod:`~micrograd_edu.visualize.outline`, which writes the same text for
:func:`~micrograd_edu.visualize.draw_graph` and the players: built from the graph itself
(the Values, their children and local derivatives), not from the drawing, with the
formulas of :mod:`micrograd_edu.explain.formulas` — the same texts the drawing shows when
a node is hovered. :func:`graph_outline` writes an HTML list, one item per node in the
order of the forward pass:

- its name, kind (input, parameter, computed) and op, its value and its gradient;
- the formula that gave the value, and the chain rule that gave the gradient;
- its inputs and its consumers, each a link to that node's item (with the edge's
  local derivative), so that following an edge is one keypress.

What the inspector adds: the gradient arrives from the loss (``seed`` = dL/d root), its
parameters are named, and at step ``k`` of the backward pass (the inspector's slider:
step 0 is the forward pass) only the gradients that have arrived so far are given, as
in the drawing (:func:`~micrograd_edu.visualize.outline.backward_state`).

>>> from micrograd_edu import Value
>>> w, x = Value(0.5, label="w"), Value(2.0, label="x")
>>> y = (w * x).tanh()
>>> y.label = "y"
>>> text = graph_outline(y, seed=1.0, uid="g")
>>> "dy/dw = dy/d(w × x) · d(w × x)/dw" in text, text.count('class="mg-graph-node"')
(True, 4)
"""

from __future__ import annotations

from collections.abc import Collection

from micrograd_edu import Value

from ..outline import backward_state, node_texts, outline_html

__all__ = ["backward_state", "graph_outline"]


def graph_outline(
    root: Value,
    seed: float = 1.0,
    params: Collection[Value] = (),
    step: int | None = None,
    uid: str = "mg-graph",
) -> str:
    """``root``'s graph as an open HTML list (see the module); ``seed`` is the gradient
    arriving at ``root`` (1, or dL/d root inside a network), ``params`` are named
    parameters, ``step`` the steps of the backward pass run (None: all), ``uid`` prefixes
    the items' ids (unique on the page). Raises ValueError for a negative ``step``."""
    texts = node_texts(root, params=params, seed=seed, step=step)
    return outline_html(texts, uid, form="region")
