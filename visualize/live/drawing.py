"""The live Playground's pictures as SVG text: fast enough to redraw several times a second.

Heat maps are small PNG images (NumPy values through the Playground colour
map), everything else is SVG markup: points, weight lines, loss curves. Clickable
parts carry ``data-*`` attributes that :class:`~micrograd_edu.visualize.live.app.SvgView`
reports back to Python: ``data-plane`` (the input plane, coordinates in
[−6, 6]²) and ``data-neuron="layer,index"``.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable

import matplotlib.colors
import matplotlib.image
import numpy as np
import numpy.typing as npt

from micrograd_edu.nn import layer_weights

from ..plots import BLUE, CLASS_COLORS, ORANGE, PLAYGROUND_CMAP
from .history import LossCurve
from .session import PlaygroundSession

__all__ = ["loss_svg", "network_svg", "plane_svg"]

FloatArray = npt.NDArray[np.float64]
RADIUS = 6.0


def grid(resolution: int) -> FloatArray:
    """``resolution``² points covering [−6, 6]², row 0 at the top (x2 = +6)."""
    xs = np.linspace(-RADIUS, RADIUS, resolution)
    gx, gy = np.meshgrid(xs, xs[::-1])
    points: FloatArray = np.column_stack([gx.ravel(), gy.ravel()])
    return points


def png_data_uri(values: FloatArray, limit: float = 1.0) -> str:
    """A 2-D array as a PNG data URI, orange (−limit) through grey to blue (+limit)."""
    rgba = PLAYGROUND_CMAP(np.clip(values / (limit or 1.0), -1.0, 1.0) * 0.5 + 0.5)
    buffer = io.BytesIO()
    matplotlib.image.imsave(buffer, rgba, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def classes_data_uri(probabilities: FloatArray) -> str:
    """(rows, columns, k) class probabilities as a PNG data URI: the class colours mixed,
    paled towards white (as the Playground's background)."""
    colors = np.array([matplotlib.colors.to_rgb(c) for c in CLASS_COLORS[: probabilities.shape[2]]])
    rgb = 0.45 * (probabilities @ colors) + 0.55
    buffer = io.BytesIO()
    matplotlib.image.imsave(buffer, np.clip(rgb, 0.0, 1.0), format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _to_pixels(points: FloatArray, size: float) -> FloatArray:
    pixels: FloatArray = (points * np.array([1.0, -1.0]) + RADIUS) / (2 * RADIUS) * size
    return pixels


def plane_svg(
    session: PlaygroundSession,
    size: int = 320,
    resolution: int = 48,
    selected: tuple[float, float] | None = None,
) -> str:
    """The output heat map over the plane with the points (training filled, test hollow).

    Three classes (``blobs``): each pixel mixes the class colours by the
    softmax probabilities.
    """
    with session.lock:  # one consistent state: Play trains and clicks add points meanwhile
        if session.settings.classes > 2:
            probabilities = session.class_probabilities(grid(resolution))
            image = classes_data_uri(probabilities.reshape(resolution, resolution, -1))
        else:
            scores = session.output_score(grid(resolution))
            image = png_data_uri(scores.reshape(resolution, resolution))
        regression = session.settings.problem == "regression"
        data = (
            (session.X_train, session.y_train, False),
            (session.X_test, session.y_test, True),
        )
    parts = [
        f'<svg class="mg-plane" xmlns="http://www.w3.org/2000/svg" width="{size}" '
        f'height="{size}" viewBox="0 0 {size} {size}">',
        f'<image data-plane="1" x="0" y="0" width="{size}" height="{size}" '
        f'preserveAspectRatio="none" style="image-rendering: pixelated" href="{image}"/>',
    ]
    for X, y, hollow in data:
        for (px, py), label in zip(_to_pixels(X, size), y, strict=True):
            color = _value_color(label) if regression else CLASS_COLORS[int(label)]
            fill = "white" if hollow else color
            parts.append(
                f'<circle class="mg-point{" mg-test" if hollow else ""}" cx="{px:.1f}" '
                f'cy="{py:.1f}" r="3.2" fill="{fill}" stroke="{color if hollow else "white"}" '
                'stroke-width="1" pointer-events="none"/>'
            )
    if selected is not None:
        (px, py) = _to_pixels(np.array([selected]), size)[0]
        parts.append(
            f'<circle class="mg-selected" cx="{px:.1f}" cy="{py:.1f}" r="7" fill="none" '
            'stroke="black" stroke-width="2" pointer-events="none"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _value_color(value: float) -> str:
    r, g, b, _ = PLAYGROUND_CMAP(float(np.clip(value, -1.0, 1.0)) * 0.5 + 0.5)
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


def network_svg(
    session: PlaygroundSession,
    selected: tuple[int, int] | None = None,
    cell: int = 44,
    resolution: int = 20,
) -> str:
    """Features and neurons as small heat maps, weights as lines (colour: sign, width: size).

    Each neuron is a ``<g data-neuron="layer,index">``: clicking it selects it
    for the inspector. The output neuron is the last column.
    """
    points = grid(resolution)
    with session.lock:
        inputs = session.inputs(points)
        maps = [inputs, *session.layer_outputs(points)]
        weights = [layer_weights(layer)[0] for layer in session.model.layers]
        names = list(session.settings.features)
    columns = len(maps)
    tallest = max(values.shape[1] for values in maps)
    gap_x, gap_y = cell * 2.4, cell * 1.35
    width = int(gap_x * (columns - 1) + cell + 70)
    height = int(gap_y * (tallest - 1) + cell + 40)

    def center(column: int, row: int, count: int) -> tuple[float, float]:
        top = (height - 20 - gap_y * (count - 1)) / 2
        return 60 + gap_x * column + cell / 2, top + gap_y * row + 10

    parts = [
        f'<svg class="mg-network" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">'
    ]
    parts += _weight_lines(weights, center, cell)
    for column, values in enumerate(maps):
        limit = float(np.abs(values).max()) or 1.0
        count = values.shape[1]
        for row in range(count):
            x, y = center(column, row, count)
            image = png_data_uri(values[:, row].reshape(resolution, resolution), limit)
            attributes = ""
            if column > 0:
                attributes = f' data-neuron="{column - 1},{row}" style="cursor: pointer"'
            chosen = selected == (column - 1, row)
            parts.append(
                f'<g class="mg-node"{attributes}><image x="{x - cell / 2:.1f}" '
                f'y="{y - cell / 2:.1f}" width="{cell}" height="{cell}" href="{image}" '
                'preserveAspectRatio="none"/>'
                f'<rect x="{x - cell / 2:.1f}" y="{y - cell / 2:.1f}" width="{cell}" '
                f'height="{cell}" fill="none" stroke="{"#dc2626" if chosen else "#475569"}" '
                f'stroke-width="{3 if chosen else 1}"/></g>'
            )
            if column == 0:
                parts.append(
                    f'<text x="{x - cell / 2 - 4:.1f}" y="{y + 4:.1f}" text-anchor="end" '
                    f'font-size="11" font-family="sans-serif">{html.escape(names[row])}</text>'
                )
    parts.append("</svg>")
    return "".join(parts)


def loss_svg(train: LossCurve, test: LossCurve, width: int = 320, height: int = 90) -> str:
    """Training (blue) and test (orange) loss over the epochs, one x position per bucket.

    A bucket of several epochs is drawn from its highest to its lowest loss
    (then on to the next bucket), so spikes stay visible; the cost depends on
    the number of buckets (at most ``train.limit``), not on the epochs.
    """
    parts = [
        f'<svg class="mg-loss" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">'
        f'<rect width="{width}" height="{height}" fill="white" stroke="#cbd5e1"/>'
    ]
    highs = [b.high for curve in (train, test) for b in curve.buckets if np.isfinite(b.high)]
    top = max(highs, default=0.0) or 1.0
    for curve, color in ((train, BLUE), (test, ORANGE)):
        step = (width - 10) / max(len(curve.buckets) - 1, 1)
        points = []
        for i, bucket in enumerate(curve.buckets):
            ends = (bucket.low,) if bucket.count == 1 else (bucket.high, bucket.low)
            x = 5 + i * step
            points += [
                f"{x:.1f},{height - 5 - (height - 10) * min(v, top) / top:.1f}"
                for v in ends
                if np.isfinite(v)
            ]
        if points:
            parts.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="{color}" '
                'stroke-width="1.5"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _weight_lines(
    weights: list[FloatArray], center: Callable[[int, int, int], tuple[float, float]], cell: int
) -> list[str]:
    """One line per weight between node centres: blue if positive, width by magnitude."""
    largest = max([float(np.abs(W).max()) for W in weights] + [1e-9])
    lines = []
    for column, W in enumerate(weights):
        for j in range(W.shape[0]):
            x1, y1 = center(column + 1, j, W.shape[0])
            for i in range(W.shape[1]):
                x0, y0 = center(column, i, W.shape[1])
                w = W[j, i]
                lines.append(
                    f'<line x1="{x0 + cell / 2:.1f}" y1="{y0:.1f}" x2="{x1 - cell / 2:.1f}" '
                    f'y2="{y1:.1f}" stroke="{BLUE if w > 0 else ORANGE}" stroke-opacity="0.8" '
                    f'stroke-width="{0.4 + 4.0 * abs(w) / largest:.2f}"><title>weight '
                    f"{w:.3f}</title></line>"
                )
    return lines
