"""One training step, end to end, on the network drawing: forward → loss → backward → update.

:func:`micrograd_edu.explain.health.one_step` keeps every number of one SGD step;
here each stage is a picture of the network (an SVG), and :func:`step_player`
plays them one click at a time, like the backward player. Hovering a neuron
shows its computation for the batch's first point (``h = tanh(w·x + b) =
tanh(0.3) = 0.2913``); hovering a connection shows its weight, then its
gradient, then its update ``w − lr·dL/dw = 0.5 − 0.1·0.3 = 0.47``.

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
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from micrograd_edu._support.files import write_atomically
from micrograd_edu.explain.health import ParameterUpdate, StepTrace
from micrograd_edu.nn import MLP

from .backward import PLAYER_TEMPLATE, script_json

__all__ = ["STAGES", "StepPlayer", "save_step_html", "step_captions", "step_player", "step_svg"]

STAGES = ("forward", "loss", "backward", "update")
COLUMN, ROW, MARGIN = 170, 64, 40


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
        color = "#2563eb" if value >= 0 else "#ea580c"
        parts.append(
            f'<line class="mg-edge" data-param="{name}" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" '
            f'stroke="{color}" stroke-width="{width:.2f}" stroke-linecap="round">'
            f"<title>{html.escape(text)}</title></line>"
        )
    return parts


def _neuron_text(model: MLP, k: int, j: int, z: float, a: float, trace: StepTrace) -> str:
    bias = _updates(trace)[f"layers.{k}.neurons.{j}.b"]
    name = model.layers[k].activation.name
    if name == "linear":
        return f"z = w·x + b = {a:.4g}  (b = {bias.before:.4g})"
    return f"h = {name}(w·x + b) = {name}({z:.4g}) = {a:.4g}  (b = {bias.before:.4g})"


def step_svg(model: MLP, trace: StepTrace, stage: str) -> str:
    """The network at one stage of the step, as an SVG document (hover for the numbers).

    Connections are as thick as their weight (forward, loss), gradient
    (backward) or change (update); blue positive, orange negative.
    Raises ValueError for an unknown stage.
    """
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; the stages are {', '.join(STAGES)}")
    widths = [model.nin, *model.nouts]
    size = (2 * MARGIN + (len(widths) - 1) * COLUMN, 2 * MARGIN + (max(widths) - 1) * ROW)
    parts = [
        f'<svg class="mg-step" xmlns="http://www.w3.org/2000/svg" width="{size[0] + 120}" '
        f'height="{size[1]}" font-family="Helvetica, Arial, sans-serif" font-size="11">'
    ]
    parts += _edges(model, trace, stage, widths)
    values = [[(x, float(x)) for x in trace.X[0]], *_first_point(model, trace)]
    for k, column in enumerate(values):
        for j, (z, a) in enumerate(column):
            x, y = _position(k, j, widths)
            text = (
                f"input x{j + 1} = {a:.4g}"
                if k == 0
                else _neuron_text(model, k - 1, j, z, a, trace)
            )
            parts.append(
                f'<g class="mg-neuron" data-neuron="{k}.{j}"><title>{html.escape(text)}</title>'
                f'<circle cx="{x}" cy="{y}" r="15" fill="#f8fafc" stroke="#334155"/>'
                f'<text x="{x}" y="{y + 4}" text-anchor="middle">{a:.2g}</text></g>'
            )
    if stage != "forward":
        x, y = _position(len(widths) - 1, 0, widths)
        after = f" → {trace.loss_after:.4g}" if stage == "update" else ""
        parts.append(
            f'<text class="mg-loss-value" x="{x + 24}" y="{y + 4}" font-weight="bold">'
            f"L = {trace.loss:.4g}{after}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


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
    """The four stages as an HTML player (buttons, captions); displays itself in Jupyter."""

    svgs: tuple[str, ...]
    captions: tuple[str, ...]

    def html_fragment(self) -> str:
        uid = f"mg-player-{uuid.uuid4().hex[:12]}"
        frames = [
            f'<div class="mg-frame" data-index="{i}" data-stage="{stage}">{svg}</div>'
            for i, (stage, svg) in enumerate(zip(STAGES, self.svgs, strict=True))
        ]
        return PLAYER_TEMPLATE.format(
            uid=uid,
            uid_json=script_json(uid),
            frames="\n  ".join(frames),
            captions=script_json(list(self.captions)),
        )

    def html_page(self, title: str = "One training step, end to end") -> str:
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n</head>\n<body>\n{self.html_fragment()}"
            "</body>\n</html>\n"
        )

    def _repr_html_(self) -> str:
        return self.html_fragment()


def step_player(model: MLP, trace: StepTrace) -> StepPlayer:
    """The step of ``trace`` (made by :func:`~.health.one_step` on ``model``)."""
    return StepPlayer(
        tuple(step_svg(model, trace, stage) for stage in STAGES), tuple(step_captions(trace))
    )


def save_step_html(model: MLP, trace: StepTrace, path: str | os.PathLike[str]) -> Path:
    """Write the step player as one self-contained HTML file, atomically."""
    return write_atomically(path, step_player(model, trace).html_page().encode("utf-8"))
