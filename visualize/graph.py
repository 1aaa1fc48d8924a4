"""Draw the computation graph of a :class:`~micrograd_edu.Value` with Graphviz.

Each Value is a record ``label | data | grad``; each operation is a small
circle between its inputs and its output. Colour is never the only cue (the
colours come from :mod:`~micrograd_edu.visualize.palette`): inputs are sky blue
with rounded corners, parameters (weights, biases) orange with a dashed border,
computed nodes white with a plain one; the output has a thick border, a
highlighted node a thick vermillion one.

:func:`draw_graph` returns a :class:`~micrograd_edu.visualize.graphview.ComputationGraph`
(re-exported here, as is :func:`~micrograd_edu.visualize.graphview.fit_to_width`), which
shows itself in a notebook as HTML that a keyboard and a screen reader can use: its nodes
take the focus (Tab, then the arrow keys follow the edges), the focused node's formulas
are written below it, and "The graph as text" lists every node with its op, value,
gradient, formulas, inputs and consumers (:mod:`~micrograd_edu.visualize.outline`).
This module builds the drawing: which node is drawn how.

The options of :func:`draw_graph` (``root`` is the output Value; every other has a default):

- ``rankdir``: ``"LR"`` (left to right, inputs first; the default), ``"TB"`` (top to
  bottom), ``"RL"`` or ``"BT"``.
- ``show_grad``: show the grad field (default True). Until ``backward()`` has run
  (``root.grad == 0``) it reads "? (run backward)" instead of a misleading 0.
- ``show_local_grads``: label each edge into an op with the local derivative
  d(out)/d(input) (default False).
- ``tooltips``: hovering a node shows where its numbers come from (default True): its
  value's formula with the numbers filled in (``z = w × x = 0.5 × 2 = 1``) and, once its
  gradient is known, the chain rule that gave it (one term per parent, summed). Hovering an
  edge shows its local derivative.
- ``highlight``: Values to mark in vermillion: a thick border, their op, and the local
  derivatives on the edges into it.
- ``params``: Values to style as parameters (e.g. ``model.parameters()``).
- ``outline``: nodes to draw with a thick border of the given colour (node → colour).
- ``edge_colors``: edges to draw thick, in a colour, with their local derivative:
  ``(node, i)`` is the edge from ``node.children[i]`` into ``node``
  (:mod:`micrograd_edu.visualize.explain` draws the paths of a gradient with it).
- ``edge_labels``: text written before the local derivative of these edges (keys as in
  ``edge_colors``): the path players write "path 1", so that a path is told apart by more
  than its colour.
- ``grads``: gradients to show instead of ``Value.grad`` (missing ones read "?"):
  :func:`~micrograd_edu.visualize.backward.backward_steps` uses it to show a pass in progress.
- ``passed``: with ``grads``, the nodes that have passed their gradient on so far (the
  gradient tooltips count only their contributions).
- ``max_nodes``: refuse (:class:`GraphTooLargeError`) graphs with more Values than this
  (default 500).

>>> from micrograd_edu import Value
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> graph = draw_graph(a * b + a)
>>> graph.source.count("shape=record"), graph.source.count("shape=Mrecord")
(2, 2)
>>> graph.texts[0].label
'a: input, value 2, gradient not known yet'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

from micrograd_edu import Value
from micrograd_edu.explain.formulas import node_names
from micrograd_edu.explain.optable import draw_label

from .graphview import MIN_SCALE as MIN_SCALE  # re-exported: its home is graphview
from .graphview import ComputationGraph, fit_to_width
from .outline import (
    UNKNOWN_BEFORE_BACKWARD,
    UNKNOWN_IN_PASS,
    NodeText,
    node_texts,
)
from .palette import EDGE_GREY, HIGHLIGHT, NODE_BORDER, NODE_COLORS, NODE_STYLES

__all__ = ["ComputationGraph", "GraphTooLargeError", "draw_graph", "fit_to_width", "graph_nodes"]

INPUT_COLOR = NODE_COLORS["input"]
PARAMETER_COLOR = NODE_COLORS["parameter"]
COMPUTED_COLOR = NODE_COLORS["computed"]
HIGHLIGHT_COLOR = HIGHLIGHT
OP_COLOR = "#475569"
NO_GRAD = "? (run backward)"

GradLookup = Callable[[Value], "float | None"]


class GraphTooLargeError(ValueError):
    """The graph has more nodes than ``max_nodes``: drawing it would hang the notebook."""


def graph_nodes(root: Value) -> list[Value]:
    """Every Value in ``root``'s graph, children before parents."""
    if not isinstance(root, Value):
        raise TypeError(f"expected a Value, got {type(root).__name__}")
    return root.topological_order()


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(text: str) -> str:
    """Escape the characters that structure a Graphviz record label.

    A newline becomes a line break; characters that cannot be written as
    UTF-8 (a lone surrogate) become U+FFFD, the replacement character.
    """
    text = _LONE_SURROGATE.sub("\ufffd", text)
    for char in '\\{}|<>"':
        text = text.replace(char, "\\" + char)
    return text.replace("\r\n", "\n").replace("\n", "\\n")


def _number(x: float) -> str:
    return f"{x:.4g}"


def _op_label(node: Value) -> str:
    """The op's symbol, with the plain number it used when there was one (``× 2``)."""
    return draw_label(node.op, node.constants)


def _tooltip(text: str) -> str:
    """A Graphviz tooltip: shown on hover (an SVG ``<a xlink:title>``); ``\\n`` breaks lines."""
    text = _LONE_SURROGATE.sub("\ufffd", text).replace("\\", "\\\\")
    return text.replace("\n", "\\n")


@dataclass(frozen=True)
class _Style:
    """What one drawing shows, shared by the helpers of :func:`draw_graph`."""

    root: Value
    ids: dict[Value, str]
    grads: Mapping[Value, float]
    unknown_grad: str
    show_grad: bool
    show_local_grads: bool
    highlighted: set[Value]
    parameters: set[Value]
    tooltips: dict[Value, str]
    names: Mapping[Value, str]
    edge_colors: Mapping[tuple[Value, int], str]
    edge_labels: Mapping[tuple[Value, int], str]
    outline: Mapping[Value, str]


def _tooltips(nodes: list[Value], texts: tuple[NodeText, ...]) -> dict[Value, str]:
    """Each node's hover text: its value's formula, then (once known) its gradient's chain rule."""
    return {
        node: text.value_formula
        if text.grad is None
        else f"{text.value_formula}\n{text.grad_formula}"
        for node, text in zip(nodes, texts, strict=True)
    }


def _kind(node: Value, style: _Style) -> str:
    if node in style.parameters:
        return "parameter"
    return "computed" if node.children else "input"


def _name_drawn_node(
    graph: ComputationGraph, node: Value, style: _Style, fields: list[str]
) -> None:
    """The node's accessible name: what it shows (its fields), then what it is."""
    text = graph.texts[int(style.ids[node][1:])]
    shown = ", ".join(fields)
    name = shown if node.label else f"{text.name}: {shown}"
    graph.drawn_names[text.key] = f"{name}, {text.what}{text.marks}".replace("\n", " ")


def _draw_node(graph: ComputationGraph, node: Value, style: _Style) -> None:
    fields = [f"data {_number(node.data)}"]
    if style.show_grad:
        grad = style.grads.get(node)
        fields.append(style.unknown_grad if grad is None else f"grad {_number(grad)}")
    if node.label:
        fields.insert(0, node.label)
    kind = _kind(node, style)
    marked = node in style.highlighted
    _name_drawn_node(graph, node, style, fields)
    attributes = {}
    if node in style.tooltips:
        attributes["tooltip"] = _tooltip(style.tooltips[node])
    bold = node is style.root or marked or node in style.outline
    border = NODE_STYLES[kind]  # the cue besides the fill: rounded, dashed or plain
    graph.node(
        style.ids[node],
        label="{ " + " | ".join(_escape(field) for field in fields) + " }",
        shape="Mrecord" if border == "rounded" else "record",
        style=",".join(
            ["filled", *(["dashed"] if border == "dashed" else []), *(["bold"] if bold else [])]
        ),
        fillcolor=NODE_COLORS[kind],
        penwidth="3.5" if marked else "2.5" if bold else "1",
        color=HIGHLIGHT if marked else style.outline.get(node, NODE_BORDER),
        **attributes,
    )


def _draw_op(graph: ComputationGraph, node: Value, style: _Style) -> None:
    marked = node in style.highlighted
    op_id = f"{style.ids[node]}_op"
    graph.node(
        op_id,
        label=_escape(_op_label(node)),
        shape="circle",
        width="0.3",
        fixedsize="false",
        margin="0.02",
        fontsize="10",
        color=HIGHLIGHT if marked else OP_COLOR,
        penwidth="2" if marked else "1",
    )
    into = [style.edge_colors.get((node, i)) for i in range(len(node.children))]
    colors = list(dict.fromkeys(":".join(c for c in into if c).split(":")))
    if colors != [""]:  # an edge into the op is on a coloured path: so is the op's output
        graph.edge(op_id, style.ids[node], color=":".join(colors), penwidth="2.5")
    else:
        graph.edge(op_id, style.ids[node])
    names = style.names
    for i, (child, local) in enumerate(zip(node.children, node.local_grads, strict=True)):
        color = style.edge_colors.get((node, i))
        show = style.show_local_grads or marked or color is not None
        note = style.edge_labels.get((node, i))
        label = f"×{_number(local)}" if show else ""
        attributes = {"label": f"{note}: {label}" if note and label else label}
        if style.tooltips:
            attributes["tooltip"] = _tooltip(
                f"local derivative d{names[node]}/d{names[child]} = {_number(local)}"
            )
        if color is not None:
            attributes["penwidth"] = "2.5"
            attributes["fontcolor"] = color.split(":")[0]
        elif marked:
            attributes["penwidth"] = "2"
        attributes["color"] = color or (HIGHLIGHT if marked else EDGE_GREY)
        graph.edge(style.ids[child], op_id, **attributes)


def _texts(
    root: Value,
    grads: Mapping[Value, float],
    passed: Collection[Value] | None,
    parameters: set[Value],
    highlighted: list[Value],
    names: Mapping[Value, str],
    given: bool,
) -> tuple[NodeText, ...]:
    """The nodes in words; in a player's step (``passed`` given, one node highlighted) that
    node is the current one; with ``given`` gradients a missing one has not arrived yet."""
    in_pass = passed is not None and len(highlighted) == 1
    return node_texts(
        root,
        grads,
        passed,
        parameters,
        current=highlighted[0] if in_pass else None,
        names=names,
        unknown=UNKNOWN_IN_PASS if given else UNKNOWN_BEFORE_BACKWARD,
    )


def draw_graph(
    root: Value,
    rankdir: str = "LR",
    show_grad: bool = True,
    highlight: Iterable[Value] = (),
    max_nodes: int = 500,
    params: Iterable[Value] = (),
    show_local_grads: bool = False,
    grads: Mapping[Value, float] | None = None,
    tooltips: bool = True,
    passed: Collection[Value] | None = None,
    edge_colors: Mapping[tuple[Value, int], str] | None = None,
    outline: Mapping[Value, str] | None = None,
    edge_labels: Mapping[tuple[Value, int], str] | None = None,
) -> ComputationGraph:
    """Draw ``root`` and every Value it was computed from (the options: the module's docstring).

    Returns a :class:`ComputationGraph` whose ``texts`` are its nodes in words
    (:func:`~micrograd_edu.visualize.outline.node_texts`): its HTML
    (:meth:`ComputationGraph.html_fragment`) names each node with them and lists them as
    "The graph as text". Raises :class:`GraphTooLargeError` for more Values than
    ``max_nodes``, ValueError for a ``rankdir`` other than "LR", "TB", "RL" or "BT".

    >>> from micrograd_edu import Value
    >>> x = Value(3.0, label="x")
    >>> y = x * x
    >>> y.backward()
    >>> graph = draw_graph(y, rankdir="TB", highlight=[x], show_local_grads=True)
    >>> graph.texts[0].label
    'x: input, value 3, gradient 6'
    """
    nodes = _checked_nodes(root, rankdir, max_nodes)
    given = grads is not None
    if grads is None:
        grads = {node: node.grad for node in nodes} if root.grad != 0.0 else {}
    names = node_names(root)
    parameters, highlighted = set(params), list(highlight)
    texts = _texts(root, grads, passed, parameters, highlighted, names, given)
    style = _Style(
        root=root,
        ids={node: f"v{i}" for i, node in enumerate(nodes)},
        grads=grads,
        unknown_grad="grad ?" if given else NO_GRAD,
        show_grad=show_grad,
        show_local_grads=show_local_grads,
        highlighted=set(highlighted),
        parameters=parameters,
        tooltips=_tooltips(nodes, texts) if tooltips else {},
        names=names,
        edge_colors=edge_colors or {},
        edge_labels=edge_labels or {},
        outline=outline or {},
    )
    return _drawing(nodes, style, rankdir, texts)


def _checked_nodes(root: Value, rankdir: str, max_nodes: int) -> list[Value]:
    """``root``'s graph (:func:`graph_nodes`), once ``rankdir`` and its size are checked."""
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
    nodes = graph_nodes(root)
    if len(nodes) > max_nodes:
        raise GraphTooLargeError(
            f"this graph has {len(nodes):,} nodes, more than max_nodes={max_nodes:,}: drawing it "
            "would be unreadable and slow. Draw a smaller expression (one neuron's output, say), "
            f"or pass max_nodes={len(nodes)} if you really want it."
        )
    return nodes


def _drawing(
    nodes: list[Value], style: _Style, rankdir: str, texts: tuple[NodeText, ...]
) -> ComputationGraph:
    """The Graphviz drawing of ``nodes`` (children before parents) as ``style`` says."""
    graph = ComputationGraph(
        name="computation_graph",
        format="svg",
        graph_attr={"rankdir": rankdir, "fontname": "Helvetica", "bgcolor": "white"},
        node_attr={"fontname": "Helvetica", "fontsize": "11"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9", "color": EDGE_GREY},
    )
    graph.texts = texts
    graph.drawn_names = {}
    graph.rankdir = rankdir
    for node in nodes:
        _draw_node(graph, node, style)
        if node.children:
            _draw_op(graph, node, style)
    return graph
