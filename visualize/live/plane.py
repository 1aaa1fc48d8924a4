"""The output over the plane: the heat map, the points, a keyboard cursor, a legend, in words too.

:func:`plane_drawing` returns the SVG and its description. In the SVG:

- the points are a listbox (``role="listbox"``, one ``role="option"`` each, named by
  their place and class; the network's answer in their description): one tab stop,
  arrow keys move to the nearest point in that direction, Enter or Space inspects it;
- the cursor (``role="slider"``, ``data-key="cursor"``) is a second tab stop: arrow keys
  move it by 0.5 (with Shift by 0.1), Enter or Space adds a point there (or inspects
  it); its value text names the network's answer under it, read from ``data-answers``;
- each class has its own marker shape (:data:`~micrograd_edu.visualize.palette.SVG_MARKERS`),
  training points are filled and test points hollow, and a legend with a colour bar
  sits below the plane.

The front end (:class:`~micrograd_edu.visualize.live.views.SvgView`) does the keyboard.
"""

from __future__ import annotations

import json

import numpy as np
import numpy.typing as npt

from ..palette import (
    BLUE,
    CLASS_COLORS,
    FOCUS_RING,
    ORANGE,
    PLAYGROUND_CMAP,
    ZERO_GREY,
    svg_marker,
)
from .describe import class_name, describe_regions, escape, point_errors
from .heatmap import RADIUS, classes_data_uri, grid, png_data_uri
from .session import PlaygroundSession

__all__ = ["CURSOR_GRID", "plane_drawing", "plane_svg"]

FloatArray = npt.NDArray[np.float64]
CURSOR_GRID = 25
"""The network's answer is sent for a 25 × 25 grid (every 0.5) for the cursor to read."""
LEGEND = 46
"""Pixels below the plane for the legend."""
MARKER = 3.6


def _to_pixels(points: FloatArray, size: float) -> FloatArray:
    pixels: FloatArray = (points * np.array([1.0, -1.0]) + RADIUS) / (2 * RADIUS) * size
    return pixels


class _Answers:
    """The network's answers for a session, read once under its lock."""

    def __init__(self, session: PlaygroundSession) -> None:
        self.session = session
        self.classes = session.settings.classes
        self.regression = session.settings.problem == "regression"

    def at(self, points: FloatArray) -> FloatArray:
        """Predicted class (classification) or value (regression) at each point."""
        if len(points) == 0:
            return np.empty(0)
        if self.classes > 2:
            answer: FloatArray = self.session.class_probabilities(points).argmax(axis=1)
            return answer.astype(np.float64)
        scores = self.session.output_score(points)
        return scores if self.regression else (scores > 0).astype(np.float64)

    def names(self) -> list[str]:
        if self.regression:
            return [f"a value of about {v:.1f}" for v in np.linspace(-1.0, 1.0, 21)]
        return [class_name(k) for k in range(max(self.classes, 2))]

    def codes(self, answers: FloatArray) -> str:
        """Answers as one character each (an index into :meth:`names`)."""
        if self.regression:
            indices = np.clip(np.round((answers + 1.0) * 10), 0, 20).astype(int)
        else:
            indices = answers.astype(int)
        return "".join(chr(ord("a") + int(i)) for i in indices)


def plane_drawing(
    session: PlaygroundSession,
    size: int = 320,
    resolution: int = 48,
    selected: tuple[float, float] | None = None,
    mode: str = "add a point",
) -> tuple[str, str]:
    """(the SVG, its description in words) of the output over the plane with the points.

    ``selected`` is the inspector's point (ringed); ``mode`` what Enter on the cursor does
    ("add a point" or "inspect a point").
    """
    with session.lock:  # one consistent state: Play trains and clicks add points meanwhile
        answers = _Answers(session)
        image, labels = _image(session, resolution)
        cursor_codes = answers.codes(answers.at(grid(CURSOR_GRID)))
        data = [
            (session.X_train, session.y_train, "training", answers.at(session.X_train)),
            (session.X_test, session.y_test, "test", answers.at(session.X_test)),
        ]
    description = _description(labels, answers, data)
    count = sum(len(X) for X, *_ in data)
    parts = [
        f'<svg class="mg-plane" xmlns="http://www.w3.org/2000/svg" width="{size}" '
        f'height="{size + LEGEND}" viewBox="0 0 {size} {size + LEGEND}" role="group" '
        f'aria-label="Output over the plane (x1 across, x2 up)" data-layout="plane:{count}" '
        f'data-answers="{cursor_codes}" data-answer-names="{escape(json.dumps(answers.names()))}">',
        f'<image data-plane="1" x="0" y="0" width="{size}" height="{size}" aria-hidden="true" '
        f'preserveAspectRatio="none" style="image-rendering: pixelated" href="{image}"/>',
    ]
    parts += _points(data, answers, size, selected)
    if selected is not None:
        (px, py) = _to_pixels(np.array([selected]), size)[0]
        parts.append(
            f'<circle class="mg-selected" cx="{px:.1f}" cy="{py:.1f}" r="8" fill="none" '
            'stroke="black" stroke-width="2" pointer-events="none" aria-hidden="true"/>'
        )
    parts.append(_cursor(size, mode))
    parts.append(_legend(answers, size))
    parts.append("</svg>")
    return "".join(parts), description


def plane_svg(
    session: PlaygroundSession,
    size: int = 320,
    resolution: int = 48,
    selected: tuple[float, float] | None = None,
) -> str:
    """The SVG of :func:`plane_drawing`."""
    return plane_drawing(session, size, resolution, selected)[0]


def _image(session: PlaygroundSession, resolution: int) -> tuple[str, npt.NDArray[np.int64]]:
    """The heat map as a PNG data URI, and the predicted class (or sign) on a coarse grid."""
    points = grid(resolution)
    if session.settings.classes > 2:
        probabilities = session.class_probabilities(points)
        image = classes_data_uri(probabilities.reshape(resolution, resolution, -1))
        labels = probabilities.argmax(axis=1)
    else:
        scores = session.output_score(points)
        image = png_data_uri(scores.reshape(resolution, resolution))
        labels = (scores > 0).astype(np.int64)
    coarse = labels.reshape(resolution, resolution)[::2, ::2]  # regions on every other cell
    return image, coarse.astype(np.int64)


def _description(
    labels: npt.NDArray[np.int64],
    answers: _Answers,
    data: list[tuple[FloatArray, FloatArray, str, FloatArray]],
) -> str:
    if answers.regression:
        names = ["negative output (orange)", "positive output (blue)"]
    else:
        names = [f"the network says {class_name(k)}" for k in range(max(answers.classes, 2))]
    regions = describe_regions(labels, names)
    points = "; ".join(
        point_errors(X, y, predicted, kind, answers.regression) for X, y, kind, predicted in data
    )
    return f"{regions[0].upper()}{regions[1:]}. {points[0].upper()}{points[1:]}."


def _points(
    data: list[tuple[FloatArray, FloatArray, str, FloatArray]],
    answers: _Answers,
    size: int,
    selected: tuple[float, float] | None,
) -> list[str]:
    """The points as a listbox of options, each with its marker and focus ring."""
    count = sum(len(X) for X, *_ in data)
    parts = [
        f'<g class="mg-points" role="listbox" data-roving="spatial" aria-label="Points: '
        f"{len(data[0][0])} training (filled), {len(data[1][0])} test (hollow). Arrow keys "
        f'move to the nearest point that way; Enter inspects it">'
        if count
        else '<g class="mg-points" aria-hidden="true">'
    ]
    first = True
    for X, y, kind, predicted in data:
        for i, ((px, py), label, answer, point) in enumerate(
            zip(_to_pixels(X, size), y, predicted, X, strict=True)
        ):
            chosen = selected is not None and (float(point[0]), float(point[1])) == selected
            item = _point(kind, i, (px, py), point, float(label), float(answer), answers)
            parts.append(item.format(tabindex=0 if first else -1, selected=str(chosen).lower()))
            first = False
    parts.append("</g>")
    return parts


def _point(
    kind: str,
    i: int,
    pixel: tuple[float, float],
    point: FloatArray,
    label: float,
    answer: float,
    answers: _Answers,
) -> str:
    """One point's option, with ``{tabindex}`` and ``{selected}`` left to fill."""
    px, py = pixel
    if answers.regression:
        color = _value_color(label)
        k, what = 0, f"value {label:.2f}"
        said = f"the network says {answer:.2f}"
    else:
        k = int(label)
        color, what = CLASS_COLORS[k], class_name(k)
        verdict = "right" if answer == label else "wrong"
        said = f"the network says class {int(answer)}: {verdict}"
    hollow = kind == "test"
    marker = svg_marker(
        k,
        px,
        py,
        MARKER,
        fill="white" if hollow else color,
        stroke=color if hollow else "#1f2937",
        stroke_width="1.8" if hollow else "0.8",
    )
    name = f"{kind} point {i + 1} at ({point[0]:.2f}, {point[1]:.2f}), {what}"
    return (
        f'<g class="mg-point{" mg-test" if hollow else ""}" role="option" tabindex="{{tabindex}}" '
        f'aria-selected="{{selected}}" data-key="{kind}:{i}" data-x="{px:.1f}" data-y="{py:.1f}" '
        f'aria-label="{escape(name)}" aria-description="{escape(said)}" pointer-events="none">'
        f'<circle class="mg-focus-ring" cx="{px:.1f}" cy="{py:.1f}" r="7.5" fill="none" '
        f'stroke="white" stroke-width="5"/><circle class="mg-focus-ring-inner" cx="{px:.1f}" '
        f'cy="{py:.1f}" r="7.5" fill="none" stroke="{FOCUS_RING}" stroke-width="2.5"/>'
        f"{marker}</g>"
    )


def _cursor(size: int, mode: str) -> str:
    """The keyboard's cursor: a crosshair shown while it has the focus, at (0, 0) at first."""
    action = "adds a point there" if mode == "add a point" else "inspects that place"
    half = size / 2
    return (
        f'<g class="mg-cursor" role="slider" tabindex="0" data-key="cursor" data-size="{size}" '
        f'aria-label="Cursor on the plane: arrow keys move it (Shift: finer), Enter {action}" '
        'aria-valuemin="-6" aria-valuemax="6" aria-valuenow="0" aria-valuetext="x1 0, x2 0" '
        f'transform="translate({half:.1f} {half:.1f})">'
        '<circle class="mg-focus-ring" r="9" fill="none" stroke="white" stroke-width="5"/>'
        f'<circle class="mg-focus-ring-inner" r="9" fill="none" stroke="{FOCUS_RING}" '
        'stroke-width="2.5"/><path class="mg-cursor-mark" d="M -14 0 H -4 M 4 0 H 14 M 0 -14 '
        'V -4 M 0 4 V 14" stroke="black" stroke-width="2"/></g>'
    )


def _legend(answers: _Answers, size: int) -> str:
    """Marker shapes per class (filled: training, hollow: test) and the colour bar."""
    top = size + 6
    parts = [f'<g class="mg-legend" role="img" aria-label="{escape(_legend_text(answers))}">']
    parts.append(
        f'<defs><linearGradient id="mg-bar"><stop offset="0" stop-color="{ORANGE}"/>'
        f'<stop offset="0.5" stop-color="{ZERO_GREY}"/><stop offset="1" stop-color="{BLUE}"/>'
        "</linearGradient></defs>"
    )
    if answers.regression or answers.classes == 2:
        left, right = ("−1", "+1") if answers.regression else ("class 0", "class 1")
        parts.append(
            f'<rect x="60" y="{top}" width="{size - 120}" height="10" fill="url(#mg-bar)" '
            f'stroke="#475569" stroke-width="0.5"/><text x="56" y="{top + 9}" '
            f'text-anchor="end" font-size="10">{left}</text><text x="{size - 56}" '
            f'y="{top + 9}" font-size="10">{right}</text>'
        )
    row = top + 28
    if not answers.regression:
        for k in range(max(answers.classes, 2)):
            x = 8 + k * 92
            parts.append(svg_marker(k, x + 4, row - 4, MARKER, fill=CLASS_COLORS[k]))
            parts.append(f'<text x="{x + 11}" y="{row}" font-size="10">class {k}</text>')
    parts.append(
        f'<text x="{size - 4}" y="{row}" font-size="10" text-anchor="end">'
        "filled: training, hollow: test</text></g>"
    )
    return "".join(parts)


def _legend_text(answers: _Answers) -> str:
    if answers.regression:
        return "Legend: colour from orange (−1) through grey (0) to blue (+1)"
    classes = ", ".join(class_name(k) for k in range(max(answers.classes, 2)))
    bar = "; colour bar from class 0 to class 1" if answers.classes == 2 else ""
    return f"Legend: {classes}; filled: training, hollow: test{bar}"


def _value_color(value: float) -> str:
    r, g, b, _ = PLAYGROUND_CMAP(float(np.clip(value, -1.0, 1.0)) * 0.5 + 0.5)
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"
