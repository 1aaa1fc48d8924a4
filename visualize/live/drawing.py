"""The live Playground's pictures as SVG text: fast enough to redraw several times a second.

Heat maps are small PNG images (NumPy values through the Playground colour
map), everything else is SVG markup: points, weight lines, loss curves. Clickable
parts carry ``data-*`` attributes that :class:`~micrograd_edu.visualize.live.views.SvgView`
reports back to Python: ``data-plane`` (the input plane, coordinates in
[−6, 6]²), ``data-neuron="layer,index"`` and ``data-weight="layer,neuron,input"``.
Every picture is also written in words (:mod:`~micrograd_edu.visualize.live.describe`),
and its parts that can be chosen are reached by keyboard (``role``, ``tabindex``,
``data-key``; the front end moves the focus). The output over the plane is drawn by
:mod:`~micrograd_edu.visualize.live.plane`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from micrograd_edu.nn import layer_weights

from ..palette import (
    BLUE,
    FOCUS_RING,
    NEGATIVE,
    NEGATIVE_DASH,
    ORANGE,
    POSITIVE,
    TEST_COLOR,
    TEST_DASH,
    TRAIN_COLOR,
    ZERO_GREY,
)
from .describe import describe_losses, describe_map, escape
from .heatmap import RADIUS, grid, png_data_uri
from .history import LossCurve
from .plane import plane_drawing, plane_svg
from .session import PlaygroundSession

__all__ = [
    "RADIUS",
    "grid",
    "loss_svg",
    "network_drawing",
    "network_outline",
    "network_svg",
    "plane_drawing",
    "plane_svg",
]

FloatArray = npt.NDArray[np.float64]
LEGEND = 40
"""Pixels below the network for its legend."""


def network_svg(
    session: PlaygroundSession,
    selected: tuple[int, int] | None = None,
    cell: int = 44,
    resolution: int = 20,
) -> str:
    """The SVG of :func:`network_drawing`."""
    return network_drawing(session, selected, cell, resolution)[0]


def network_drawing(
    session: PlaygroundSession,
    selected: tuple[int, int] | None = None,
    cell: int = 44,
    resolution: int = 20,
) -> tuple[str, str]:
    """(the SVG, the network as an HTML list) of features and neurons as small heat maps,
    weights as lines (colour and dash: sign, width: size).

    Each neuron is a ``<g data-neuron="layer,index" role="button">``: a click or Enter
    selects it for the inspector; each weight a ``<g data-weight="layer,neuron,input"
    role="button">``. Both are reached with the arrow keys (one tab stop). The output
    neuron is the last column; a legend (colour bar, line styles) is drawn below.
    """
    points = grid(resolution)
    with session.lock:
        inputs = session.inputs(points)
        maps = [inputs, *session.layer_outputs(points)]
        weights = [layer_weights(layer) for layer in session.model.layers]
        names = list(session.settings.features)
        titles = {where: title for title, where in session.neuron_names()}
        activation = session.model.hidden_activation
    layout = _Layout.of(maps, cell)

    def input_name(column: int, i: int) -> str:
        return names[i] if column == 0 else titles[(column - 1, i)]

    parts = [
        f'<svg class="mg-network" xmlns="http://www.w3.org/2000/svg" width="{layout.width}" '
        f'height="{layout.height + LEGEND}" viewBox="0 0 {layout.width} '
        f'{layout.height + LEGEND}" role="group" '
        f'aria-label="The network: {escape(_shape_text(names, maps))}" '
        f'data-layout="net:{"-".join(str(values.shape[1]) for values in maps)}">',
        '<g class="mg-network-items" data-roving="columns" role="group" aria-label="Neurons '
        'and weights: arrow keys move between them, Enter opens one in the inspector">',
    ]
    parts += _weight_lines([W for W, _ in weights], layout.center, cell, input_name, titles)
    parts += _heat_maps(maps, layout, resolution, names, titles, activation, selected)
    parts += ["</g>", _network_legend(layout.height, layout.width), "</svg>"]
    return "".join(parts), network_outline(names, maps, weights, titles, activation)


@dataclass(frozen=True)
class _Layout:
    """Where :func:`network_drawing` puts its items: one column per layer (the features
    first), ``cell`` pixels square, the network ``width`` × ``height`` above its legend."""

    cell: int
    width: int
    height: int

    @property
    def gap_x(self) -> float:
        return self.cell * 2.4

    @property
    def gap_y(self) -> float:
        return self.cell * 1.35

    @classmethod
    def of(cls, maps: list[FloatArray], cell: int) -> _Layout:
        """The layout of a network whose layers' outputs are ``maps`` (one column each)."""
        columns = len(maps)
        tallest = max(values.shape[1] for values in maps)
        width = max(int(cell * 2.4 * (columns - 1) + cell + 70), 300)
        height = int(cell * 1.35 * (tallest - 1) + cell + 40)
        return cls(cell, width, height)

    def center(self, column: int, row: int, count: int) -> tuple[float, float]:
        """The centre of item ``row`` of the ``count`` in ``column``, centred vertically."""
        top = (self.height - 20 - self.gap_y * (count - 1)) / 2
        return 60 + self.gap_x * column + self.cell / 2, top + self.gap_y * row + 10


def _heat_maps(
    maps: list[FloatArray],
    layout: _Layout,
    resolution: int,
    names: list[str],
    titles: dict[tuple[int, int], str],
    activation: str,
    selected: tuple[int, int] | None,
) -> list[str]:
    """One item per feature and neuron: its output over the plane as a small heat map, each
    layer scaled to its largest output; the neurons can be chosen, the features cannot."""
    items = []
    columns, cell = len(maps), layout.cell
    for column, values in enumerate(maps):
        limit = float(np.abs(values).max()) or 1.0
        count = values.shape[1]
        for row in range(count):
            x, y = layout.center(column, row, count)
            heat = values[:, row].reshape(resolution, resolution)
            image = png_data_uri(heat, limit)
            if column == 0:
                items.append(_feature(x, y, cell, image, names[row]))
                continue
            where = (column - 1, row)
            kind = "linear output" if column == columns - 1 else activation
            items.append(
                _neuron(
                    x,
                    y,
                    cell,
                    image,
                    where,
                    titles[where],
                    f"{kind}; output {describe_map(heat)}",
                    selected == where,
                    tabstop=(column, row) == (1, 0),
                    last=column == columns - 1,
                )
            )
    return items


def _shape_text(names: list[str], maps: list[FloatArray]) -> str:
    widths = [values.shape[1] for values in maps[1:]]
    hidden = " → ".join(f"{w} neuron{'s' if w > 1 else ''}" for w in widths[:-1])
    return f"features {', '.join(names)} → {hidden + ' → ' if hidden else ''}output"


def _feature(x: float, y: float, cell: int, image: str, name: str) -> str:
    return (
        f'<g class="mg-feature" aria-hidden="true"><image x="{x - cell / 2:.1f}" '
        f'y="{y - cell / 2:.1f}" width="{cell}" height="{cell}" href="{image}" '
        f'preserveAspectRatio="none"/><rect x="{x - cell / 2:.1f}" y="{y - cell / 2:.1f}" '
        f'width="{cell}" height="{cell}" fill="none" stroke="#475569" stroke-width="1"/>'
        f'<text x="{x - cell / 2 - 4:.1f}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
        f'font-family="sans-serif">{escape(name)}</text></g>'
    )


def _neuron(
    x: float,
    y: float,
    cell: int,
    image: str,
    where: tuple[int, int],
    title: str,
    described: str,
    chosen: bool,
    tabstop: bool,
    last: bool,
) -> str:
    layer, row = where
    left, top = x - cell / 2, y - cell / 2
    right_key = f' data-right="w:{layer + 1},0,{row}"' if not last else ""
    note = f"{title}: {described}. Enter opens it in the inspector"
    return (
        f'<g class="mg-node" data-neuron="{layer},{row}" data-key="n:{layer},{row}" '
        f'role="button" tabindex="{0 if tabstop else -1}" aria-pressed="{str(chosen).lower()}" '
        f'aria-label="{escape(title)}" aria-description="{escape(described)}" '
        f'data-note="{escape(note)}" data-col="{2 * layer + 1}" data-x="{x:.1f}" '
        f'data-y="{y:.1f}" data-left="w:{layer},{row},0"{right_key} style="cursor: pointer">'
        f"<title>{escape(note)}</title>"
        f'<rect class="mg-focus-ring" x="{left - 5:.1f}" y="{top - 5:.1f}" width="{cell + 10}" '
        f'height="{cell + 10}" fill="none" stroke="white" stroke-width="5"/>'
        f'<rect class="mg-focus-ring-inner" x="{left - 5:.1f}" y="{top - 5:.1f}" '
        f'width="{cell + 10}" height="{cell + 10}" fill="none" stroke="{FOCUS_RING}" '
        f'stroke-width="2.5"/><image x="{left:.1f}" y="{top:.1f}" width="{cell}" '
        f'height="{cell}" href="{image}" preserveAspectRatio="none"/>'
        f'<rect x="{left:.1f}" y="{top:.1f}" width="{cell}" height="{cell}" fill="none" '
        f'stroke="{"#dc2626" if chosen else "#475569"}" stroke-width="{3 if chosen else 1}"/></g>'
    )


def _network_legend(top: float, width: int) -> str:
    """The heat maps' colour bar and the weights' line styles."""
    y = top + 8
    return (
        '<g class="mg-legend" role="img" aria-label="Legend: heat maps from orange (negative) '
        "through grey (0) to blue (positive), each layer scaled to its largest output; "
        'weights: solid blue lines positive, dashed orange lines negative, width by size">'
        f'<defs><linearGradient id="mg-net-bar"><stop offset="0" stop-color="{ORANGE}"/>'
        f'<stop offset="0.5" stop-color="{ZERO_GREY}"/><stop offset="1" stop-color="{BLUE}"/>'
        f'</linearGradient></defs><text x="8" y="{y + 9}" font-size="10">−</text>'
        f'<rect x="18" y="{y}" width="90" height="10" fill="url(#mg-net-bar)" stroke="#475569" '
        f'stroke-width="0.5"/><text x="112" y="{y + 9}" font-size="10">+ output</text>'
        f'<line x1="170" y1="{y + 5}" x2="200" y2="{y + 5}" stroke="{POSITIVE}" '
        f'stroke-width="2"/><text x="204" y="{y + 9}" font-size="10">w &gt; 0</text>'
        f'<line x1="170" y1="{y + 21}" x2="200" y2="{y + 21}" stroke="{NEGATIVE}" '
        f'stroke-width="2" stroke-dasharray="{NEGATIVE_DASH}"/>'
        f'<text x="204" y="{y + 25}" font-size="10">w &lt; 0</text></g>'
    )


def network_outline(
    names: list[str],
    maps: list[FloatArray],
    weights: list[tuple[FloatArray, FloatArray]],
    titles: dict[tuple[int, int], str],
    activation: str,
) -> str:
    """The network as a nested HTML list: layers, their neurons (what each computes over the
    plane), each neuron's weights with their signs and its bias."""
    items = [f"<li>Features: {escape(', '.join(names))}</li>"]
    last = len(weights) - 1
    for k, (W, b) in enumerate(weights):
        sources = names if k == 0 else [titles[(k - 1, i)] for i in range(W.shape[1])]
        kind = "linear" if k == last else activation
        heading = "Output layer" if k == last else f"Layer {k + 1}"
        neurons = []
        for j in range(W.shape[0]):
            terms = ", ".join(
                f"from {escape(source)} {_signed(w)}"
                for source, w in zip(sources, W[j], strict=True)
            )
            described = describe_map(maps[k + 1][:, j].reshape(_side(maps), _side(maps)))
            neurons.append(
                f"<li>{escape(titles[(k, j)])}: output {escape(described)}. Weights {terms}; "
                f"bias {_signed(float(b[j]))}</li>"
            )
        items.append(
            f"<li>{heading} ({W.shape[0]} neuron{'s' if W.shape[0] > 1 else ''}, {kind}):"
            f"<ul>{''.join(neurons)}</ul></li>"
        )
    return f'<ul class="mg-network-text">{"".join(items)}</ul>'


def _side(maps: list[FloatArray]) -> int:
    return round(math.sqrt(maps[0].shape[0]))


def _signed(w: float) -> str:
    """A weight with its sign in words: "+0.53 (positive)"."""
    sign = "positive" if w > 0 else "negative" if w < 0 else "zero"
    return f"{w:+.3g} ({sign})"


def loss_svg(train: LossCurve, test: LossCurve, width: int = 320, height: int = 90) -> str:
    """Training (blue, solid) and test (orange, dashed) loss over the epochs, one x position per
    bucket, with a legend; its accessible name describes the curves in words.

    A bucket of several epochs is drawn from its highest to its lowest loss
    (then on to the next bucket), so spikes stay visible; the cost depends on
    the number of buckets (at most ``train.limit``), not on the epochs.
    """
    top_margin = 16
    parts = [
        f'<svg class="mg-loss" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height + top_margin}" viewBox="0 0 {width} {height + top_margin}" role="img" '
        f'aria-label="{escape(describe_losses(train, test))}">'
        f'<rect y="{top_margin}" width="{width}" height="{height}" fill="white" stroke="#cbd5e1"/>'
        f'<line x1="6" y1="7" x2="30" y2="7" stroke="{TRAIN_COLOR}" stroke-width="2"/>'
        '<text x="34" y="11" font-size="10">training</text>'
        f'<line x1="92" y1="7" x2="116" y2="7" stroke="{TEST_COLOR}" stroke-width="2" '
        f'stroke-dasharray="{TEST_DASH}"/><text x="120" y="11" font-size="10">test</text>'
    ]
    highs = [b.high for curve in (train, test) for b in curve.buckets if np.isfinite(b.high)]
    top = max(highs, default=0.0) or 1.0
    parts.append(
        f'<text x="{width - 4}" y="11" font-size="10" text-anchor="end">loss, top {top:.3g}</text>'
    )
    for curve, color, dash in ((train, TRAIN_COLOR, ""), (test, TEST_COLOR, TEST_DASH)):
        step = (width - 10) / max(len(curve.buckets) - 1, 1)
        points = []
        for i, bucket in enumerate(curve.buckets):
            ends = (bucket.low,) if bucket.count == 1 else (bucket.high, bucket.low)
            x = 5 + i * step
            points += [
                f"{x:.1f},{top_margin + height - 5 - (height - 10) * min(v, top) / top:.1f}"
                for v in ends
                if np.isfinite(v)
            ]
        if points:
            dashes = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="{color}" '
                f'stroke-width="1.5"{dashes}/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _weight_lines(
    weights: list[FloatArray],
    center: Callable[[int, int, int], tuple[float, float]],
    cell: int,
    input_name: Callable[[int, int], str],
    titles: dict[tuple[int, int], str],
) -> list[str]:
    """One item per weight between node centres: a solid blue line if positive, dashed orange
    if negative, width by magnitude; named by its ends, its value in its description."""
    largest = max([float(np.abs(W).max()) for W in weights] + [1e-9])
    lines = []
    for column, W in enumerate(weights):
        for j in range(W.shape[0]):
            x1, y1 = center(column + 1, j, W.shape[0])
            for i in range(W.shape[1]):
                x0, y0 = center(column, i, W.shape[1])
                w = float(W[j, i])
                line = (
                    f'x1="{x0 + cell / 2:.1f}" y1="{y0:.1f}" x2="{x1 - cell / 2:.1f}" y2="{y1:.1f}"'
                )
                size = 0.4 + 4.0 * abs(w) / largest
                name = f"weight from {input_name(column, i)} to {titles[(column, j)]}"
                sign = "positive, solid blue line" if w > 0 else "negative, dashed orange line"
                value = f"{w:+.3f} ({sign})"
                dash = "" if w > 0 else f' stroke-dasharray="{NEGATIVE_DASH}"'
                ends = f'data-right="n:{column},{j}"' + (
                    f' data-left="n:{column - 1},{i}"' if column else ""
                )
                lines.append(
                    f'<g class="mg-weight" data-weight="{column},{j},{i}" '
                    f'data-key="w:{column},{j},{i}" role="button" tabindex="-1" '
                    f'aria-label="{escape(name)}" aria-description="{escape(value)}" '
                    f'data-note="{escape(f"{name}: {value}. Enter opens it in the inspector")}" '
                    f'data-col="{2 * column}" data-x="{(x0 + x1) / 2:.1f}" '
                    f'data-y="{(y0 + y1) / 2:.1f}" {ends}>'
                    f"<title>{escape(f'{name}: {value}')}</title>"
                    f'<line class="mg-focus-ring" {line} stroke="white" '
                    f'stroke-width="{size + 6:.2f}"/><line class="mg-focus-ring-inner" {line} '
                    f'stroke="{FOCUS_RING}" stroke-width="{size + 3:.2f}"/>'
                    f'<line {line} stroke="{POSITIVE if w > 0 else NEGATIVE}" stroke-opacity="0.8" '
                    f'stroke-width="{size:.2f}"{dash}/></g>'
                )
    return lines
