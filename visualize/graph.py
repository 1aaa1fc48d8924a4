"""Draw the computation graph of a :class:`~micrograd_edu.Value` with Graphviz.

Each Value is a record ``label | data | grad``; each operation is a small
circle between its inputs and its output. Inputs are blue, parameters
(weights, biases) amber, computed nodes white, the output has a thick border.

>>> from micrograd_edu import Value
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> graph = draw_graph(a * b + a)
>>> graph.source.count("shape=record")
4
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import graphviz

from micrograd_edu import Value
from micrograd_edu._support.files import write_atomically
from micrograd_edu.explain.formulas import grad_formula, node_names, parent_edges, value_formula
from micrograd_edu.explain.optable import draw_label

from .renderer import render

__all__ = ["ComputationGraph", "GraphTooLargeError", "draw_graph", "fit_to_width", "graph_nodes"]

INPUT_COLOR = "#dbeafe"
PARAMETER_COLOR = "#fde68a"
COMPUTED_COLOR = "#ffffff"
HIGHLIGHT_COLOR = "#fca5a5"
NO_GRAD = "? (run backward)"

GradLookup = Callable[[Value], "float | None"]


class GraphTooLargeError(ValueError):
    """The graph has more nodes than ``max_nodes``: drawing it would hang the notebook."""


class ComputationGraph(graphviz.Digraph):  # type: ignore[misc]
    """A ``graphviz.Digraph`` that renders through :mod:`micrograd_edu.visualize.renderer`.

    It displays inline in Jupyter and renders to SVG/PNG with a system ``dot``
    or with ``graphviz-pure``, without any PATH set-up. The graphs of
    :func:`~micrograd_edu.visualize.backward.backward_steps` also carry a ``caption`` (what
    that step did) and the ``current`` node.
    """

    caption: str = ""
    current: Value | None = None

    def _repr_mimebundle_(
        self,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
        **ignored: Any,
    ) -> dict[str, str]:
        """Inline display: HTML that fits the output area (and the SVG itself).

        Notebook front ends (JupyterLab, Notebook 7, VS Code) prefer the HTML,
        in which the graph shrinks to the width of the output area; an image
        viewer gets the plain SVG at its natural size, like ``.render()``.
        """
        svg = render(self.source, "svg").decode("utf-8")
        bundle = {"text/html": fit_to_width(svg), "image/svg+xml": svg}
        wanted = set(bundle if include is None else include) - set(exclude or ())
        return {mime: data for mime, data in bundle.items() if mime in wanted}

    def pipe(
        self, format: str | None = None, *args: Any, encoding: str | None = None, **kwargs: Any
    ) -> bytes | str:
        """The rendered graph as bytes (or text, given an ``encoding``)."""
        data = render(self.source, format or self.format)
        return data.decode(encoding) if encoding else data

    def render(
        self,
        filename: str | os.PathLike[str] | None = None,
        directory: str | os.PathLike[str] | None = None,
        view: bool = False,
        cleanup: bool = False,
        format: str | None = None,
        *,
        outfile: str | os.PathLike[str] | None = None,
        **ignored: Any,
    ) -> str:
        """Write the picture (and, unless ``cleanup``, the DOT source) atomically.

        ``render("graph", format="svg")`` writes ``graph`` (DOT) and
        ``graph.svg``; ``render(outfile="graph.png")`` writes just the PNG,
        taking the format from the suffix. Returns the picture's path.
        """
        if view:
            raise ValueError("view=True is not supported; open the returned file instead")
        if outfile is not None:
            target = Path(outfile)
            fmt = format or target.suffix.lstrip(".") or self.format
        else:
            fmt = format or self.format
            base = Path(directory or self.directory or ".") / (filename or self.filename or "graph")
            target = base.with_name(f"{base.name}.{fmt}")
            if not cleanup:
                write_atomically(base, self.source.encode("utf-8"))
        write_atomically(target, render(self.source, fmt))
        return str(target)


MIN_SCALE = 0.5
"""Inline graphs shrink to fit the output area down to this fraction of their
natural size; a wider graph keeps that scale and its box scrolls sideways."""

_SVG_WIDTH = re.compile(r'<svg\b[^>]*?\bwidth="([0-9.]+)(pt|px)?"')


def fit_to_width(svg: str, min_scale: float = MIN_SCALE) -> str:
    """An SVG document as an inline HTML block that fits the width of its container.

    The ``<svg>`` keeps its aspect ratio (``height: auto`` with its viewBox)
    and shrinks to the container's width, but not below ``min_scale`` of its
    natural width: a wider graph stays readable and its box scrolls, with a
    visible scrollbar.
    """
    svg = svg[svg.index("<svg") :]  # drop the XML prologue and DOCTYPE
    match = _SVG_WIDTH.search(svg)
    min_width = (
        f"min-width: {float(match.group(1)) * min_scale:.0f}{match.group(2) or 'px'}; "
        if match
        else ""
    )
    style = f'style="max-width: 100%; height: auto; {min_width}display: block"'
    return (
        '<div class="mg-graph" style="max-width: 100%; overflow-x: auto">'
        + svg.replace("<svg", f"<svg {style}", 1)
        + "</div>"
    )


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
    names: dict[Value, str]
    edge_colors: Mapping[tuple[Value, int], str]
    outline: Mapping[Value, str]


def _tooltips(
    root: Value,
    nodes: list[Value],
    names: dict[Value, str],
    grads: Mapping[Value, float],
    passed: Collection[Value] | None,
) -> dict[Value, str]:
    """Each node's hover text: its value's formula, then its gradient's chain rule."""
    edges = parent_edges(root)
    texts = {}
    for node in nodes:
        lines = [value_formula(node, names)]
        if node in grads:
            lines.append(grad_formula(node, root, names, grads, passed, edges))
        texts[node] = "\n".join(lines)
    return texts


def _draw_node(graph: ComputationGraph, node: Value, style: _Style) -> None:
    fields = [f"data {_number(node.data)}"]
    if style.show_grad:
        grad = style.grads.get(node)
        fields.append(style.unknown_grad if grad is None else f"grad {_number(grad)}")
    if node.label:
        fields.insert(0, node.label)
    marked = node in style.highlighted
    fill = (
        HIGHLIGHT_COLOR
        if marked
        else PARAMETER_COLOR
        if node in style.parameters
        else INPUT_COLOR
        if not node.children
        else COMPUTED_COLOR
    )
    attributes = {}
    if node in style.tooltips:
        attributes["tooltip"] = _tooltip(style.tooltips[node])
    bold = node is style.root or marked or node in style.outline
    graph.node(
        style.ids[node],
        label="{ " + " | ".join(_escape(field) for field in fields) + " }",
        shape="record",
        style="filled,bold" if bold else "filled",
        fillcolor=fill,
        penwidth="2.5" if bold else "1",
        color=style.outline.get(node, "black"),
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
        color="#dc2626" if marked else "#475569",
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
        attributes = {"label": f"×{_number(local)}" if show else ""}
        if names:
            attributes["tooltip"] = _tooltip(
                f"local derivative d{names[node]}/d{names[child]} = {_number(local)}"
            )
        if color is not None:
            attributes["penwidth"] = "2.5"
            attributes["fontcolor"] = color
        attributes["color"] = color or ("#dc2626" if marked else "#475569")
        graph.edge(style.ids[child], op_id, **attributes)


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
) -> ComputationGraph:
    """Draw ``root`` and every Value it was computed from.

    Parameters
    ----------
    root:
        The output Value.
    rankdir:
        ``"LR"`` (left to right, inputs first) or ``"TB"`` (top to bottom).
    show_grad:
        Show the grad field. Until ``backward()`` has run (``root.grad == 0``)
        it reads "? (run backward)" instead of a misleading 0.
    highlight:
        Values to mark in red.
    max_nodes:
        Refuse (:class:`GraphTooLargeError`) graphs with more Values than this.
    params:
        Values to style as parameters (e.g. ``model.parameters()``).
    show_local_grads:
        Label each edge into an op with the local derivative d(out)/d(input).
    grads:
        Gradients to show instead of ``Value.grad`` (missing ones read "?"):
        :func:`~micrograd_edu.visualize.backward.backward_steps` uses it to show a pass in progress.
    tooltips:
        Hovering a node shows where its numbers come from: its value's formula
        with the numbers filled in (``z = w × x = 0.5 × 2 = 1``) and, once
        its gradient is known, the chain rule that gave it (one term per
        parent, summed). Hovering an edge shows its local derivative.
    passed:
        With ``grads``: the nodes that have passed their gradient on so far
        (the gradient tooltips count only their contributions).
    edge_colors:
        Edges to draw thick, in a colour, with their local derivative:
        ``(node, i)`` is the edge from ``node.children[i]`` into ``node``
        (:mod:`micrograd_edu.visualize.explain` draws the paths of a gradient with it).
    outline:
        Nodes to draw with a thick border of the given colour.
    """
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
    nodes = graph_nodes(root)
    if len(nodes) > max_nodes:
        raise GraphTooLargeError(
            f"this graph has {len(nodes):,} nodes, more than max_nodes={max_nodes:,}: drawing it "
            "would be unreadable and slow. Draw a smaller expression (one neuron's output, say), "
            f"or pass max_nodes={len(nodes)} if you really want it."
        )
    unknown_grad = "grad ?" if grads is not None else NO_GRAD
    if grads is None:
        backward_ran = root.grad != 0.0
        grads = {node: node.grad for node in nodes} if backward_ran else {}
    names = node_names(root) if tooltips else {}
    style = _Style(
        root=root,
        ids={node: f"v{i}" for i, node in enumerate(nodes)},
        grads=grads,
        unknown_grad=unknown_grad,
        show_grad=show_grad,
        show_local_grads=show_local_grads,
        highlighted=set(highlight),
        parameters=set(params),
        tooltips=_tooltips(root, nodes, names, grads, passed) if tooltips else {},
        names=names,
        edge_colors=edge_colors or {},
        outline=outline or {},
    )
    graph = ComputationGraph(
        name="computation_graph",
        format="svg",
        graph_attr={"rankdir": rankdir, "fontname": "Helvetica", "bgcolor": "white"},
        node_attr={"fontname": "Helvetica", "fontsize": "11"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9", "color": "#475569"},
    )
    for node in nodes:
        _draw_node(graph, node, style)
        if node.children:
            _draw_op(graph, node, style)
    return graph
