"""A gradient's paths, drawn: one picture per path, a player, and all paths in colour.

:func:`micrograd_edu.explain.explain_grad` writes d root / d leaf as a sum over
the paths from the root to the leaf, each the product of the local derivatives
on its edges. Here each path is drawn on the computation graph, thick and in
its own colour (:data:`~micrograd_edu.visualize.palette.PATH_COLORS`, told apart
under every colour-vision deficiency), with its number and its local derivatives
on its edges ("path 1: ×3"), so that colour is never the only cue.

>>> from micrograd_edu import Value
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> c = a * b + a
>>> c.label = "c"
>>> c.backward()
>>> frames = explain_steps(c, a)
>>> [frame.caption for frame in frames]  # doctest: +NORMALIZE_WHITESPACE
['Path 1 of 2: c → (a × b) → a, product of the local derivatives 1 × -3 = -3',
 'Path 2 of 2: c → a, product of the local derivatives 1 = 1',
 'All 2 paths: dc/da = -3 + 1 = -2, the sum of their products (what backward() computes)']
"""

from __future__ import annotations

import html
import os
from pathlib import Path

from micrograd_edu import Value
from micrograd_edu._support.files import write_atomically
from micrograd_edu.explain import MAX_PATHS, GradExplanation, GradPath, explain_grad

from .backward import MAX_PLAYER_NODES, BackwardPlayer
from .graph import ComputationGraph, draw_graph
from .palette import PATH_COLORS

__all__ = ["PATH_COLORS", "draw_paths", "explain_player", "explain_steps", "save_explain_svg"]

LEAF_OUTLINE = "#111827"
"""The border of the leaf whose gradient is explained."""


def _color(i: int) -> str:
    return PATH_COLORS[i % len(PATH_COLORS)]


def _explanation(
    root: Value | GradExplanation, leaf: Value | None, max_paths: int
) -> GradExplanation:
    if isinstance(root, GradExplanation):
        return root
    if leaf is None:
        raise TypeError("explain: give the leaf as well as the root (or a GradExplanation)")
    return explain_grad(root, leaf, max_paths=max_paths)


def _colored(
    explanation: GradExplanation, paths: list[tuple[int, GradPath]]
) -> tuple[dict[tuple[Value, int], str], dict[tuple[Value, int], str], dict[Value, str]]:
    """The edges of ``paths`` with their colours and numbers (an edge on several: all of
    them), and the nodes' borders."""
    edges: dict[tuple[Value, int], list[int]] = {}
    outline: dict[Value, str] = {}
    for i, path in paths:
        for parent, taken in zip(path.nodes, path.edges, strict=False):
            on = edges.setdefault((parent, taken), [])
            if i not in on:
                on.append(i)
        for node in path.nodes:
            outline.setdefault(node, _color(i))
    outline[explanation.leaf] = LEAF_OUTLINE
    colors = {edge: ":".join(dict.fromkeys(_color(i) for i in on)) for edge, on in edges.items()}
    labels = {
        edge: f"path {on[0] + 1}" if len(on) == 1 else "paths " + ", ".join(str(i + 1) for i in on)
        for edge, on in edges.items()
    }
    return colors, labels, outline


def _draw(
    explanation: GradExplanation, paths: list[tuple[int, GradPath]], max_nodes: int
) -> ComputationGraph:
    edge_colors, edge_labels, outline = _colored(explanation, paths)
    return draw_graph(
        explanation.root,
        max_nodes=max_nodes,
        edge_colors=edge_colors,
        edge_labels=edge_labels,
        outline=outline,
    )


def _route(explanation: GradExplanation, path: GradPath) -> str:
    return " → ".join(explanation.names[node] for node in path.nodes)


def _factors(path: GradPath) -> str:
    return " × ".join(f"{g:.4g}" for g in path.local_grads) or "1"


def explain_steps(
    root: Value | GradExplanation,
    leaf: Value | None = None,
    max_paths: int = MAX_PATHS,
    max_nodes: int = MAX_PLAYER_NODES,
) -> list[ComputationGraph]:
    """One graph per path of d root / d leaf, then one with every path; each has a ``caption``.

    Takes a root and a leaf (as :func:`~micrograd_edu.explain.explain_grad`)
    or an explanation already made. Raises
    :class:`~micrograd_edu.explain.TooManyPathsError` above ``max_paths`` and
    :class:`~micrograd_edu.visualize.graph.GraphTooLargeError` above ``max_nodes``.
    """
    explanation = _explanation(root, leaf, max_paths)
    paths = list(enumerate(explanation.paths))
    frames = []
    for i, path in paths:
        frame = _draw(explanation, [(i, path)], max_nodes)
        frame.caption = (
            f"Path {i + 1} of {len(paths)}: {_route(explanation, path)}, product of the local "
            f"derivatives {_factors(path)} = {path.product:.4g}"
        )
        frames.append(frame)
    total = _draw(explanation, paths, max_nodes)
    last_line = explanation.derivation().splitlines()[-1].strip()
    total.caption = (
        f"All {len(paths)} paths: {last_line}, the sum of their products (what backward() computes)"
    )
    frames.append(total)
    return frames


def explain_player(
    root: Value | GradExplanation,
    leaf: Value | None = None,
    max_paths: int = MAX_PATHS,
    max_nodes: int = MAX_PLAYER_NODES,
) -> BackwardPlayer:
    """The paths of d root / d leaf, one at a time, as an HTML player (shows itself in Jupyter).

    >>> from micrograd_edu import Value
    >>> a = Value(3.0, label="a")
    >>> b = a * a
    >>> b.label = "b"
    >>> explain_player(b, a).title
    'The paths of db/da, one at a time'
    """
    explanation = _explanation(root, leaf, max_paths)
    names = explanation.names
    title = f"The paths of d{names[explanation.root]}/d{names[explanation.leaf]}, one at a time"
    return BackwardPlayer(tuple(explain_steps(explanation, max_nodes=max_nodes)), title=title)


def draw_paths(
    root: Value | GradExplanation,
    leaf: Value | None = None,
    max_paths: int = MAX_PATHS,
    max_nodes: int = 500,
) -> ComputationGraph:
    """Every path of d root / d leaf in its own colour, the derivation written underneath.

    The derivation's lines take their paths' colours, so each product can be
    followed on the graph. An edge on several paths is drawn in all their colours.
    """
    explanation = _explanation(root, leaf, max_paths)
    graph = _draw(explanation, list(enumerate(explanation.paths)), max_nodes)
    lines = explanation.derivation().splitlines()
    rows = [f'<TR><TD ALIGN="LEFT"><B>{html.escape(lines[0])}</B></TD></TR>']
    for i, line in enumerate(lines[1:-1]):
        rows.append(
            f'<TR><TD ALIGN="LEFT"><FONT COLOR="{_color(i)}">{html.escape(line)}</FONT></TD></TR>'
        )
    rows.append(f'<TR><TD ALIGN="LEFT"><B>{html.escape(lines[-1])}</B></TD></TR>')
    graph.attr(
        label='<<TABLE BORDER="0" CELLSPACING="2">' + "".join(rows) + "</TABLE>>",
        labelloc="b",
        labeljust="l",
        fontsize="12",
        fontname="Courier",
    )
    return graph


def save_explain_svg(
    root: Value | GradExplanation, leaf: Value | None, path: str | os.PathLike[str]
) -> Path:
    """Write :func:`draw_paths` as an SVG file, atomically; returns its path."""
    svg = draw_paths(root, leaf).pipe("svg")
    assert isinstance(svg, bytes)
    return write_atomically(path, svg)
