"""One training step, end to end, on the network drawing: forward → loss → backward → update.

:func:`micrograd_edu.explain.health.one_step` keeps every number of one SGD step;
here each stage is a picture of the network (an SVG), and :func:`step_player`
plays them one click at a time, like the backward player. Hovering a neuron
shows its computation for the batch's first point (``h = tanh(w·x + b) =
tanh(0.3) = 0.2913``); hovering a connection shows its weight, then its
gradient, then its update ``w − lr·dL/dw = 0.5 − 0.1·0.3 = 0.47``.

In the player the neurons and connections are reached by keyboard too (one tab
stop; ↑ ↓ within a layer or among the connections into one neuron, ← → from a
neuron to its first incoming or outgoing connection and from a connection to
its two neurons) and the focused one's numbers are written below the picture;
each stage is also written as text (:func:`step_text`). Connections are blue
and solid when positive, orange and dashed when negative.

>>> import numpy as np
>>> from micrograd_edu.explain.health import one_step
>>> from micrograd_edu.nn import MLP
>>> model = MLP(2, [2, 1], activation="tanh", seed=0)
>>> trace = one_step(model, np.array([[1.0, 2.0]]), np.array([1.0]), "bce", lr=0.1)
>>> [stage.split(":")[0] for stage in step_captions(trace)]
['Forward', 'Loss', 'Backward', 'Update']
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from micrograd_edu._support.files import write_atomically
from micrograd_edu.explain.health import ParameterUpdate, StepTrace
from micrograd_edu.nn import MLP

from . import interactive
from .backward import player_html
from .palette import NEGATIVE, NEGATIVE_DASH, POSITIVE

__all__ = [
    "STAGES",
    "StepPlayer",
    "save_step_html",
    "step_captions",
    "step_player",
    "step_svg",
    "step_text",
]

STAGES = ("forward", "loss", "backward", "update")
COLUMN, ROW, MARGIN = 170, 64, 40
HIT_WIDTH = 10
"""Width (px) of the see-through line over each connection that takes the pointer: a thin or
dashed connection is still easy to point at."""
STEP_KEYS = (
    "Keyboard: the buttons step through the stages; Tab to the picture: ↑ ↓ the neurons of a "
    "layer (or the connections into one neuron), ← → from a neuron to its connections and "
    "from a connection to its neurons, Page Up and Page Down: the previous and next stage; "
    "Enter: this item in the text version; Escape: leave the picture."
)


def _updates(trace: StepTrace) -> dict[str, ParameterUpdate]:
    return {u.name: u for u in trace.updates}


def _first_point(model: MLP, trace: StepTrace) -> list[list[tuple[float, float]]]:
    """(pre-activation, output) of every neuron for the batch's first point, weights before."""
    updates = _updates(trace)
    values = list(trace.X[0])
    layers = []
    for k, layer in enumerate(model.layers):
        row = []
        for j in range(layer.nout):
            prefix = f"layers.{k}.neurons.{j}"
            w = [updates[f"{prefix}.w.{i}"].before for i in range(layer.nin)]
            z = float(np.dot(w, values)) + updates[f"{prefix}.b"].before
            row.append((z, float(layer.activation.on_array(np.array([z]))[0])))
        layers.append(row)
        values = [a for _, a in row]
    return layers


def _position(k: int, j: int, widths: list[int]) -> tuple[float, float]:
    top = MARGIN + (max(widths) - widths[k]) * ROW / 2
    return MARGIN + k * COLUMN, top + j * ROW


def _edge_text(update: ParameterUpdate, stage: str) -> tuple[str, float]:
    """An edge's hover text and the number its thickness shows, at ``stage``."""
    if stage == "backward":
        return f"w = {update.before:.4g}, dL/dw = {update.grad:.4g}", update.grad
    if stage == "update":
        return update.formula(), update.after - update.before
    return f"w = {update.before:.4g}", update.before


def _name(k: int, j: int) -> str:
    """Neuron ``j`` of column ``k`` (column 0: the inputs)."""
    return f"input x{j + 1}" if k == 0 else f"layer {k}, neuron {j + 1}"


def _weight_key(k: int, i: int, j: int) -> str:
    return f"w:{k},{i},{j}"


def _neuron_key(k: int, j: int) -> str:
    return f"n:{k},{j}"


def _edges(model: MLP, trace: StepTrace, stage: str, widths: list[int]) -> list[str]:
    updates = _updates(trace)
    texts = {}
    for k, layer in enumerate(model.layers):
        for j in range(layer.nout):
            for i in range(layer.nin):
                name = f"layers.{k}.neurons.{j}.w.{i}"
                texts[(k, i, j, name)] = _edge_text(updates[name], stage)
    largest = max((abs(v) for _, v in texts.values()), default=1.0) or 1.0
    parts = []
    for (k, i, j, name), (text, value) in texts.items():
        (x1, y1), (x2, y2) = _position(k, i, widths), _position(k + 1, j, widths)
        width = 1.0 + 6.0 * abs(value) / largest
        color, dash = (POSITIVE, "") if value >= 0 else (NEGATIVE, NEGATIVE_DASH)
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        attributes = interactive.item_attributes(
            _weight_key(k, i, j),
            f"connection from {_name(k, i)} to {_name(k + 1, j)}: {text}",
            shape="line",
            order=_order(widths, k + 1, j, i),
            left=_neuron_key(k, i),
            right=_neuron_key(k + 1, j),
            up=_weight_key(k, i - 1, j) if i > 0 else "",
            down=_weight_key(k, i + 1, j) if i + 1 < widths[k] else "",
        )
        ends = f'x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"'
        parts.append(  # the hover text on the group; a wide see-through line to point at
            f'<g class="mg-weight mg-item" {attributes}><title>{html.escape(text)}</title>'
            f'<line class="mg-edge" data-param="{name}" {ends} stroke="{color}" '
            f'stroke-width="{width:.2f}" stroke-linecap="round"{dashes}/>'
            f'<line class="mg-edge-hit" {ends} stroke="transparent" stroke-width="{HIT_WIDTH}" '
            'pointer-events="stroke"/></g>'
        )
    return parts


def _order(widths: list[int], k: int, j: int, i: int | None = None) -> int:
    """Items in the forward order: the inputs, then each layer's connections and neurons."""
    before = widths[0]
    for column in range(1, k):
        before += widths[column] * (widths[column - 1] + 1)
    if k == 0:
        return j
    if i is None:
        return before + widths[k - 1] * widths[k] + j
    return before + j * widths[k - 1] + i


def _neuron_text(model: MLP, k: int, j: int, z: float, a: float, trace: StepTrace) -> str:
    bias = _updates(trace)[f"layers.{k}.neurons.{j}.b"]
    name = model.layers[k].activation.name
    if name == "linear":
        return f"z = w·x + b = {a:.4g}  (b = {bias.before:.4g})"
    return f"h = {name}(w·x + b) = {name}({z:.4g}) = {a:.4g}  (b = {bias.before:.4g})"


def _neurons(model: MLP, trace: StepTrace) -> list[list[tuple[str, float]]]:
    """Each neuron's hover text and output for the batch's first point, column by column."""
    values = [[(x, float(x)) for x in trace.X[0]], *_first_point(model, trace)]
    return [
        [
            (
                f"input x{j + 1} = {a:.4g}"
                if k == 0
                else _neuron_text(model, k - 1, j, z, a, trace),
                a,
            )
            for j, (z, a) in enumerate(column)
        ]
        for k, column in enumerate(values)
    ]


def _loss_text(trace: StepTrace, stage: str) -> str:
    after = f" → {trace.loss_after:.4g}" if stage == "update" else ""
    return f"L = {trace.loss:.4g}{after}"


def step_svg(model: MLP, trace: StepTrace, stage: str) -> str:
    """The network at one stage of the step, as an SVG document (hover for the numbers).

    Connections are as thick as their weight (forward, loss), gradient
    (backward) or change (update); blue and solid positive, orange and dashed
    negative. The picture is an image named after its stage; its neurons and
    connections carry their names and numbers, for the player's keyboard.
    Raises ValueError for an unknown stage.
    """
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; the stages are {', '.join(STAGES)}")
    widths = [model.nin, *model.nouts]
    size = (2 * MARGIN + (len(widths) - 1) * COLUMN, 2 * MARGIN + (max(widths) - 1) * ROW)
    label = f"The network {' → '.join(map(str, widths))} at the {stage} stage" + (
        f": {_loss_text(trace, stage)}" if stage != "forward" else ""
    )
    parts = [
        f'<svg class="mg-step" xmlns="http://www.w3.org/2000/svg" width="{size[0] + 120}" '
        f'height="{size[1]}" font-family="Helvetica, Arial, sans-serif" font-size="11" '
        f'role="img" aria-label="{html.escape(label)}" data-roving="grid">'
    ]
    parts += _edges(model, trace, stage, widths)
    last = len(widths) - 1
    for k, column in enumerate(_neurons(model, trace)):
        for j, (text, a) in enumerate(column):
            x, y = _position(k, j, widths)
            attributes = interactive.item_attributes(
                _neuron_key(k, j),
                f"{_name(k, j)}, {a:.2g}",
                text,
                order=_order(widths, k, j),
                start="1" if (k, j) == (0, 0) else "0",
                up=_neuron_key(k, j - 1) if j > 0 else "",
                down=_neuron_key(k, j + 1) if j + 1 < widths[k] else "",
                left=_weight_key(k - 1, 0, j) if k > 0 else "",
                right=_weight_key(k, j, 0) if k < last else "",
            )
            parts.append(
                f'<g class="mg-neuron mg-item" data-neuron="{k}.{j}" {attributes}>'
                f"<title>{html.escape(text)}</title>"
                f'<circle cx="{x}" cy="{y}" r="15" fill="#f8fafc" stroke="#334155"/>'
                f'<text x="{x}" y="{y + 4}" text-anchor="middle">{a:.2g}</text></g>'
            )
    if stage != "forward":
        x, y = _position(last, 0, widths)
        parts.append(
            f'<text class="mg-loss-value" x="{x + 24}" y="{y + 4}" font-weight="bold">'
            f"{_loss_text(trace, stage)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def step_text(
    model: MLP, trace: StepTrace, stage: str, uid: str = "mg-step", expanded: bool = False
) -> str:
    """The network at one stage in words: an HTML list, layer by layer, of each neuron's
    computation for the first point and the numbers of the connections into it (as the
    picture shows them at ``stage``), inside a ``<details>`` element (open if ``expanded``);
    the items' ids start with ``uid``.

    >>> import numpy as np
    >>> from micrograd_edu.explain.health import one_step
    >>> model = MLP(1, [1], activation="linear", seed=0)
    >>> trace = one_step(model, np.array([[2.0]]), np.array([1.0]), "mse", lr=0.1)
    >>> text = step_text(model, trace, "backward")
    >>> text.count('class="mg-text-item"'), "dL/dw = " in text
    (3, True)
    """
    widths = [model.nin, *model.nouts]
    updates = _updates(trace)
    items = []
    for k, column in enumerate(_neurons(model, trace)):
        entries = []
        for j, (text, _) in enumerate(column):
            inside = ""
            if k > 0:
                inside = "".join(
                    _text_item(
                        uid,
                        _weight_key(k - 1, i, j),
                        f"from {_name(k - 1, i)}: "
                        + _edge_text(updates[f"layers.{k - 1}.neurons.{j}.w.{i}"], stage)[0],
                    )
                    for i in range(widths[k - 1])
                )
                inside = f"<ul>{inside}</ul>"
            entries.append(_text_item(uid, _neuron_key(k, j), f"{_name(k, j)}: {text}", inside))
        head = "Inputs" if k == 0 else f"Layer {k} ({model.layers[k - 1].activation.name})"
        items.append(f"<li>{head}<ul>{''.join(entries)}</ul></li>")
    if stage != "forward":
        items.append(f"<li>Loss: {html.escape(_loss_text(trace, stage))}</li>")
    summary = f"The {stage} stage as text: each neuron for the first point, and its connections"
    return (
        f'<details class="mg-text"{" open" if expanded else ""}>'
        f"<summary>{html.escape(summary)}</summary>"
        f'<ol aria-label="{html.escape(summary)}">{"".join(items)}</ol></details>'
    )


def _text_item(uid: str, key: str, text: str, inside: str = "") -> str:
    return (
        f'<li class="mg-text-item" id="{uid}-{key.replace(":", "-").replace(",", "-")}" '
        f'data-key="{key}" tabindex="-1">{html.escape(text)}{inside}</li>'
    )


def step_captions(trace: StepTrace) -> list[str]:
    """What each stage does, with the step's numbers."""
    n = len(trace.X)
    lr = trace.updates[0].lr if trace.updates else 0.0
    first = ", ".join(f"{x:.3g}" for x in trace.X[0])
    return [
        f"Forward: the {n} points of the mini-batch go through the network; the first, "
        f"({first}), gives the output {trace.outputs[0]:.4g}. Hover a neuron for its computation.",
        f"Loss: the mean loss over the {n} points is L = {trace.loss:.4g}.",
        "Backward: backpropagation gives every weight its dL/dw; each connection is now as "
        "thick as its gradient. Hover a connection for its numbers.",
        f"Update: every weight moves against its gradient, w ← w − lr·dL/dw with lr = {lr:.4g}; "
        f"the loss on this batch goes from {trace.loss:.4g} to {trace.loss_after:.4g}. "
        "Hover a connection for its update.",
    ]


@dataclass(frozen=True)
class StepPlayer:
    """The four stages as an HTML player (buttons, captions); displays itself in Jupyter.

    ``texts`` are the stages in words (:func:`step_text`), shown under each picture.
    """

    svgs: tuple[str, ...]
    captions: tuple[str, ...]
    texts: tuple[str, ...] = ()

    def html_fragment(self) -> str:
        texts = self.texts or ("",) * len(self.svgs)
        frames = [
            f'<div class="mg-stage" data-stage="{stage}">{svg}</div>{interactive.note_html()}{text}'
            for stage, svg, text in zip(STAGES, self.svgs, texts, strict=True)
        ]
        fragment = player_html(
            frames, self.captions, "One training step, end to end", keys=STEP_KEYS
        )
        for i, stage in enumerate(STAGES):  # the frames say their stage, for scripts and tests
            fragment = fragment.replace(
                f'<div class="mg-frame mg-view" data-index="{i}"',
                f'<div class="mg-frame mg-view" data-index="{i}" data-stage="{stage}"',
                1,
            )
        return fragment

    def html_page(self, title: str = "One training step, end to end") -> str:
        return interactive.page_html(title, self.html_fragment())

    def _repr_html_(self) -> str:
        return self.html_fragment()


def step_player(model: MLP, trace: StepTrace) -> StepPlayer:
    """The step of ``trace`` (made by :func:`~.health.one_step` on ``model``)."""
    return StepPlayer(
        tuple(step_svg(model, trace, stage) for stage in STAGES),
        tuple(step_captions(trace)),
        tuple(step_text(model, trace, stage, f"mg-step-{stage}") for stage in STAGES),
    )


def save_step_html(model: MLP, trace: StepTrace, path: str | os.PathLike[str]) -> Path:
    """Write the step player as one self-contained HTML file, atomically."""
    return write_atomically(path, step_player(model, trace).html_page().encode("utf-8"))
