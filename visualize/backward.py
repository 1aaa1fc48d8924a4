"""The backward pass, one node at a time: frames of the graph and an HTML player.

Frame 0 is the forward pass: every value known, no gradient yet except the
output's seed, d out/d out = 1. Each following frame takes the next node in
reverse topological order and applies the chain rule to its children::

    child.grad += local_grad × node.grad

The current node has a thick vermillion border and its edges carry their
local derivatives. Hovering a node — or reaching it by keyboard — shows where
its numbers come from: its value's formula, and the chain rule's terms that
have reached its gradient so far; each frame also holds the graph as text
(:mod:`~micrograd_edu.visualize.outline`), and the player announces each step
in a polite live region. The gradients are computed here, on the side: the
Values' own ``grad`` fields are left as they are.
"""

from __future__ import annotations

import html
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from micrograd_edu import Value
from micrograd_edu._support import strict_json
from micrograd_edu._support.files import write_atomically

from . import interactive
from .graph import (
    ComputationGraph,
    GraphTooLargeError,
    _number,
    _op_label,
    draw_graph,
    graph_nodes,
)

__all__ = [
    "PLAYER_KEYS",
    "PLAYER_TEMPLATE",
    "BackwardPlayer",
    "backward_player",
    "backward_steps",
    "player_html",
    "save_backward_html",
    "script_json",
]


def _name(node: Value, index: int) -> str:
    return node.label or f"node {index}"


def _frame(
    root: Value,
    grads: dict[Value, float],
    current: Value,
    caption: str,
    max_nodes: int,
    params: tuple[Value, ...],
    passed: set[Value],
) -> ComputationGraph:
    graph = draw_graph(
        root,
        grads=dict(grads),
        max_nodes=max_nodes,
        highlight=[current],
        params=params,
        passed=set(passed),
    )
    graph.caption = caption
    graph.current = current
    return graph


MAX_PLAYER_NODES = 50
"""The default size limit of a backward player: it holds one whole picture per
step (and the graph as text), so its size grows with the square of the nodes (50
nodes: about 5 MB; 200 nodes: about 85 MB)."""


def backward_steps(
    root: Value,
    max_nodes: int = MAX_PLAYER_NODES,
    seed: float = 1.0,
    params: Iterable[Value] = (),
) -> list[ComputationGraph]:
    """The graphs of ``root``'s backward pass, one per step, the forward pass first.

    Each graph has a ``caption`` saying what its step did and the ``current``
    node (None for the first). There is one step per computed node (leaves
    have nothing to pass on), so n nodes of which k are leaves give n − k + 1 graphs.
    A graph of more than ``max_nodes`` nodes raises :class:`GraphTooLargeError`.

    ``seed`` is the gradient that arrives at ``root``: 1 for d root/d root, or
    dL/d root when ``root`` is one neuron inside a network whose loss is L
    (the live Playground's neuron inspector). ``params`` are drawn as parameters.
    """
    parameters = tuple(params)
    nodes = graph_nodes(root)
    if len(nodes) > max_nodes:
        raise GraphTooLargeError(
            f"this graph has {len(nodes):,} nodes, more than max_nodes={max_nodes:,} for a "
            "step-by-step player, which holds one picture per step (its size grows with the "
            "square of the nodes). Play a smaller expression (one neuron), or pass "
            f"max_nodes={len(nodes)} and expect a page of about "
            f"{len(nodes) ** 2 * 2100 / 1e6:.0f} MB."
        )
    index = {node: i for i, node in enumerate(nodes)}
    grads: dict[Value, float] = {root: float(seed)}
    name = _name(root, index[root])
    arrival = (
        "Seed the output: d out / d out = 1."
        if seed == 1.0
        else f"From the loss L, backpropagation brings dL/d{name} = {_number(seed)}."
    )
    first = _frame(
        root,
        grads,
        root,
        f"Forward pass done: {name} = {_number(root.data)}. {arrival}",
        max_nodes,
        parameters,
        set(),
    )
    first.current = None
    steps = [first]
    passed: set[Value] = set()
    for node in reversed(nodes):
        if not node.children:
            continue
        grad = grads.get(node, 0.0)
        updates = []
        for child, local in zip(node.children, node.local_grads, strict=True):
            grads[child] = grads.get(child, 0.0) + local * grad
            updates.append(f"{_name(child, index[child])} += {_number(local)} × {_number(grad)}")
        passed.add(node)
        caption = (
            f"{_name(node, index[node])} ({_op_label(node)}, grad {_number(grad)}) passes its "
            "gradient on: " + "; ".join(updates)
        )
        steps.append(_frame(root, grads, node, caption, max_nodes, parameters, passed))
    return steps


PLAYER_TEMPLATE = """\
<div class="mg-pictures mg-player" id="{uid}" role="region" aria-label="{label}" \
style="font-family: Helvetica, Arial, sans-serif">{style}
  <div class="mg-controls" role="group" aria-label="Steps" style="margin: 0.3em 0">
    <button type="button" data-action="first">&#x25C0;&#x25C0; First</button>
    <button type="button" data-action="prev">&#x25C0; Previous</button>
    <button type="button" data-action="play" aria-pressed="false">&#x25B6; Play</button>
    <button type="button" data-action="next">Next &#x25B6;</button>
    <button type="button" data-action="last">Last &#x25B6;&#x25B6;</button>
    <span class="mg-counter" style="margin-left: 1em"></span>
  </div>
  <p class="mg-caption" style="min-height: 2.6em; max-width: 60em"></p>
  <p class="mg-status mg-sr-only" role="status" aria-live="polite" aria-atomic="true"></p>
  {frames}
  <p class="mg-keys">{keys}</p>
</div>
<script>
(function () {{
  var captions = {captions};
{js}
  mgPictures(document.getElementById({uid_json}), {options});
}})();
</script>
"""
"""A player: buttons (Play is a toggle: ``aria-pressed``), the step's counter and caption,
a polite live region that announces the step, the frames (one shown at a time; each
picture with its note and text version) and the keys; its script is
:data:`~micrograd_edu.visualize.interactive.PICTURES_JS`."""

PLAYER_KEYS = (
    "Keyboard: the buttons step through; Tab to the picture: arrow keys follow its edges "
    "(← an input, → a consumer, ↑ ↓ the other inputs of the same node), Page Up and Page "
    "Down: the previous and next step; Enter: this value in the text version; Escape: leave "
    "the picture."
)


def player_html(
    views: Iterable[str],
    captions: Iterable[str],
    label: str,
    keys: str = PLAYER_KEYS,
    interval: int = 1200,
    autoplay: bool = False,
    uid: str | None = None,
) -> str:
    """A player of ``views`` (each frame's HTML; frame ``i`` is step ``i``) with their
    ``captions``: what :class:`BackwardPlayer`, the step player and the CartPole player show.

    ``interval`` is the milliseconds between steps while playing; with ``autoplay`` the
    player starts by itself, unless the user prefers reduced motion.
    """
    uid = uid or f"mg-player-{uuid.uuid4().hex[:12]}"
    views = list(views)
    frames = [
        f'<div class="mg-frame mg-view" data-index="{i}" role="group" '
        f'aria-label="Step {i} of {len(views) - 1}">{view}</div>'
        for i, view in enumerate(views)
    ]
    return PLAYER_TEMPLATE.format(
        uid=uid,
        uid_json=script_json(uid),
        label=html.escape(label),
        style=interactive.style(),
        frames="\n  ".join(frames),
        keys=html.escape(keys),
        captions=script_json(list(captions)),
        js=interactive.PICTURES_JS,
        options=f"{{captions: captions, interval: {int(interval)}, "
        f"autoplay: {'true' if autoplay else 'false'}}}",
    )


_SCRIPT_UNSAFE = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def script_json(data: object) -> str:
    """``data`` as JSON that is safe inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` are written as ``\\u`` escapes, so no text (a label
    such as ``</script>`` or ``<!--``) can end or comment out the script, and
    U+2028/U+2029, which old JavaScript engines treat as line ends, are escaped too.
    """
    text = strict_json.dumps(data)
    for char, escaped in _SCRIPT_UNSAFE.items():
        text = text.replace(char, escaped)
    return text


@dataclass(frozen=True)
class BackwardPlayer:
    """The frames as a self-contained HTML widget; displays itself in Jupyter.

    Each frame is the drawing, whose nodes are reached by keyboard, and the graph as
    text (:mod:`~micrograd_edu.visualize.outline`); ``title`` names the player,
    ``interval`` is the milliseconds between steps while playing, and with
    ``autoplay`` it starts by itself unless the user prefers reduced motion.
    """

    frames: tuple[ComputationGraph, ...]
    title: str = "Backpropagation, step by step"
    autoplay: bool = False
    interval: int = 1200

    def html_fragment(self) -> str:
        """A ``<div>`` with every frame as inline SVG and as text, buttons and a small script."""
        uid = f"mg-player-{uuid.uuid4().hex[:12]}"
        views = [frame.view_html(f"{uid}-f{i}") for i, frame in enumerate(self.frames)]
        return player_html(
            views,
            [frame.caption for frame in self.frames],
            self.title,
            interval=self.interval,
            autoplay=self.autoplay,
            uid=uid,
        )

    def html_page(self, title: str | None = None) -> str:
        """A complete HTML document that works offline in any browser."""
        return interactive.page_html(title or self.title, self.html_fragment())

    def _repr_html_(self) -> str:
        return self.html_fragment()


def backward_player(
    root: Value, max_nodes: int = MAX_PLAYER_NODES, autoplay: bool = False
) -> BackwardPlayer:
    """The backward pass of ``root`` as an HTML player (display it in a notebook).

    It waits for Play (or Next) unless ``autoplay``; even then it does not start by itself
    when the user prefers reduced motion.

    >>> from micrograd_edu import Value
    >>> player = backward_player(Value(2.0, label="a") * Value(3.0, label="b"))
    >>> [frame.caption for frame in player.frames]  # doctest: +NORMALIZE_WHITESPACE
    ['Forward pass done: node 2 = 6. Seed the output: d out / d out = 1.',
     'node 2 (×, grad 1) passes its gradient on: a += 3 × 1; b += 2 × 1']
    """
    return BackwardPlayer(tuple(backward_steps(root, max_nodes=max_nodes)), autoplay=autoplay)


def save_backward_html(
    root: Value, path: str | os.PathLike[str], max_nodes: int = MAX_PLAYER_NODES
) -> Path:
    """Write the backward pass of ``root`` as one self-contained HTML file, atomically."""
    page = backward_player(root, max_nodes=max_nodes).html_page()
    return write_atomically(path, page.encode("utf-8"))
