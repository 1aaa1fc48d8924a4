"""The backward pass, one node at a time: frames of the graph and an HTML player.

Frame 0 is the forward pass: every value known, no gradient yet except the
output's seed, d out/d out = 1. Each following frame takes the next node in
reverse topological order and applies the chain rule to its children::

    child.grad += local_grad × node.grad

The current node is red and its edges carry their local derivatives. Hovering
a node shows where its numbers come from: its value's formula, and the chain
rule's terms that have reached its gradient so far. The gradients are
computed here, on the side: the Values' own ``grad`` fields are left as they are.
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

from .graph import (
    ComputationGraph,
    GraphTooLargeError,
    _number,
    _op_label,
    draw_graph,
    fit_to_width,
    graph_nodes,
)
from .renderer import render

__all__ = [
    "PLAYER_TEMPLATE",
    "BackwardPlayer",
    "backward_player",
    "backward_steps",
    "save_backward_html",
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
step, so its size grows with the square of the nodes (50 nodes: about 4 MB;
200 nodes: about 60 MB and 15 s to build)."""


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
            f"{len(nodes) ** 2 * 1500 / 1e6:.0f} MB."
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
<div class="mg-player" id="{uid}" style="font-family: Helvetica, Arial, sans-serif">
  <div style="margin: 0.3em 0">
    <button type="button" data-action="first">&#x25C0;&#x25C0; First</button>
    <button type="button" data-action="prev">&#x25C0; Previous</button>
    <button type="button" data-action="play">&#x25B6; Play</button>
    <button type="button" data-action="next">Next &#x25B6;</button>
    <span class="mg-counter" style="margin-left: 1em"></span>
  </div>
  <p class="mg-caption" style="min-height: 2.6em; max-width: 60em"></p>
  {frames}
</div>
<script>
(function () {{
  var root = document.getElementById({uid_json});
  var frames = root.querySelectorAll(".mg-frame");
  var captions = {captions};
  var counter = root.querySelector(".mg-counter");
  var caption = root.querySelector(".mg-caption");
  var playButton = root.querySelector('[data-action="play"]');
  var current = 0, timer = null;
  function show(i) {{
    current = Math.max(0, Math.min(frames.length - 1, i));
    for (var k = 0; k < frames.length; k++) frames[k].style.display = (k === current) ? "" : "none";
    counter.textContent = "Step " + current + " of " + (frames.length - 1);
    caption.textContent = captions[current];
    root.setAttribute("data-frame", String(current));
  }}
  function stop() {{
    if (timer) {{ clearInterval(timer); timer = null; }}
    playButton.innerHTML = "&#x25B6; Play";
  }}
  function play() {{
    if (timer) {{ stop(); return; }}
    if (current === frames.length - 1) show(0);
    playButton.innerHTML = "&#x25A0; Pause";
    timer = setInterval(function () {{
      if (current >= frames.length - 1) {{ stop(); }} else {{ show(current + 1); }}
    }}, 1200);
  }}
  root.addEventListener("click", function (event) {{
    var action = event.target.getAttribute("data-action");
    if (action === "first") {{ stop(); show(0); }}
    if (action === "prev") {{ stop(); show(current - 1); }}
    if (action === "next") {{ stop(); show(current + 1); }}
    if (action === "play") {{ play(); }}
  }});
  show(0);
}})();
</script>
"""


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
    """The frames as a self-contained HTML widget; displays itself in Jupyter."""

    frames: tuple[ComputationGraph, ...]

    def html_fragment(self) -> str:
        """A ``<div>`` with every frame as inline SVG, buttons and a small script."""
        uid = f"mg-player-{uuid.uuid4().hex[:12]}"
        svgs = []
        for i, frame in enumerate(self.frames):
            svg = fit_to_width(render(frame.source, "svg").decode("utf-8"))
            svgs.append(f'<div class="mg-frame" data-index="{i}">{svg}</div>')
        return PLAYER_TEMPLATE.format(
            uid=uid,
            uid_json=script_json(uid),
            frames="\n  ".join(svgs),
            captions=script_json([frame.caption for frame in self.frames]),
        )

    def html_page(self, title: str = "Backpropagation, step by step") -> str:
        """A complete HTML document that works offline in any browser."""
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n</head>\n<body>\n"
            f'<h1 style="font-family: Helvetica, Arial, sans-serif">{html.escape(title)}</h1>\n'
            f"{self.html_fragment()}</body>\n</html>\n"
        )

    def _repr_html_(self) -> str:
        return self.html_fragment()


def backward_player(root: Value, max_nodes: int = MAX_PLAYER_NODES) -> BackwardPlayer:
    """The backward pass of ``root`` as an HTML player (display it in a notebook)."""
    return BackwardPlayer(tuple(backward_steps(root, max_nodes=max_nodes)))


def save_backward_html(
    root: Value, path: str | os.PathLike[str], max_nodes: int = MAX_PLAYER_NODES
) -> Path:
    """Write the backward pass of ``root`` as one self-contained HTML file, atomically."""
    page = backward_player(root, max_nodes=max_nodes).html_page()
    return write_atomically(path, page.encode("utf-8"))
