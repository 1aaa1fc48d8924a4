"""The Playground's pictures in words, computed from the network and the data (not the drawing).

What a screen reader reads instead of the pictures, and what everyone can read
below them: the output over the plane (the decision regions' shapes, the
accuracy, where the wrong points are), each neuron's heat map, the network as
layers of neurons with their weights and signs, and the loss curves.

Places on the plane are named by nine zones of [−6, 6]²: "top left", "top",
"top right", "left", "centre", ... (x1 to the right, x2 up).

>>> zone(5.0, 5.0), zone(0.0, -4.0), zone(-3.0, 0.5)
('top right', 'bottom', 'left')
"""

from __future__ import annotations

import html
import math
from collections import Counter, deque

import numpy as np
import numpy.typing as npt

from ..palette import CLASS_NAMES, SVG_MARKERS
from .history import LossCurve

__all__ = [
    "at",
    "class_name",
    "describe_losses",
    "describe_map",
    "describe_regions",
    "point_errors",
    "regions",
    "zone",
    "zones_text",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
RADIUS = 6.0
_THIRD = RADIUS / 3


def zone(x1: float, x2: float) -> str:
    """The zone of the plane that (x1, x2) lies in."""
    column = "left" if x1 < -_THIRD else "right" if x1 > _THIRD else ""
    row = "top" if x2 > _THIRD else "bottom" if x2 < -_THIRD else ""
    return f"{row} {column}".strip() or "centre"


def at(place: str) -> str:
    """A zone with its preposition: "in the centre", "at the top", "on the left", "in the top
    right".

    >>> at("top"), at("left"), at("bottom right")
    ('at the top', 'on the left', 'in the bottom right')
    """
    if place in ("top", "bottom"):
        return f"at the {place}"
    if place in ("left", "right"):
        return f"on the {place}"
    return f"in the {place}"


def zones_text(points: FloatArray) -> str:
    """Where points lie, by zone, most first: "3 in the top right, 1 in the centre".

    >>> zones_text(np.array([[5.0, 5.0], [4.0, 3.0], [0.0, 0.0]]))
    '2 in the top right, 1 in the centre'
    """
    counts = Counter(zone(float(x1), float(x2)) for x1, x2 in points)
    return ", ".join(f"{n} {at(name)}" for name, n in counts.most_common())


def class_name(k: int) -> str:
    """A class as the pictures show it: "class 1 (blue squares)".

    >>> class_name(2)
    'class 2 (black triangles)'
    """
    return f"class {k} ({CLASS_NAMES[k]} {SVG_MARKERS[k % len(SVG_MARKERS)]}s)"


def regions(labels: IntArray) -> list[tuple[int, IntArray]]:
    """The connected regions (4-neighbours) of a grid of class labels: (class, cells' (row,
    column) indices), largest first."""
    rows, columns = labels.shape
    seen = np.zeros(labels.shape, dtype=bool)
    found: list[tuple[int, IntArray]] = []
    for start in zip(*np.nonzero(~seen), strict=True):
        if seen[start]:
            continue
        k = int(labels[start])
        queue, cells = deque([start]), []
        seen[start] = True
        while queue:
            r, c = queue.popleft()
            cells.append((r, c))
            for nr, nc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                inside = 0 <= nr < rows and 0 <= nc < columns
                if inside and not seen[nr, nc] and labels[nr, nc] == k:
                    seen[nr, nc] = True
                    queue.append((nr, nc))
        found.append((k, np.array(cells)))
    return sorted(found, key=lambda region: -len(region[1]))


def _region_text(cells: IntArray, shape: tuple[int, int]) -> str:
    """One region's place: "in the centre, enclosed" or "around the edges"."""
    rows, columns = shape
    top, left = cells.min(axis=0)
    bottom, right = cells.max(axis=0)
    sides = [top == 0, bottom == rows - 1, left == 0, right == columns - 1]
    middle = cells.mean(axis=0)
    x1 = -RADIUS + 2 * RADIUS * (middle[1] + 0.5) / columns
    x2 = RADIUS - 2 * RADIUS * (middle[0] + 0.5) / rows
    where = zone(float(x1), float(x2))
    if not any(sides):
        return f"an island {at(where)}"
    if all(sides):
        return "all around the edges" if where == "centre" else f"mostly {at(where)}"
    return f"{at(where)}, reaching the edge"


def describe_regions(labels: IntArray, names: list[str], small: float = 0.01) -> str:
    """The regions of a grid of predicted classes (row 0 at the top), in words.

    Regions under ``small`` of the plane are counted, not placed.

    >>> grid = np.zeros((9, 9), dtype=np.int64)
    >>> grid[3:6, 3:6] = 1
    >>> print(*describe_regions(grid, ["class 0", "class 1"]).split("; "), sep=";\\n")
    class 0 on 89 % of the plane: all around the edges;
    class 1 on 11 %: an island in the centre
    """
    total = labels.size
    parts: list[str] = []
    found = regions(labels)
    for k in sorted({int(v) for v in np.unique(labels)}, key=lambda k: -(labels == k).sum()):
        mine = [cells for label, cells in found if label == k]
        placed = [
            _region_text(cells, labels.shape) for cells in mine if len(cells) >= small * total
        ]
        tiny = len(mine) - len(placed)
        text = "; ".join(placed[:4])
        if len(placed) > 4:
            text += f"; and {len(placed) - 4} more regions"
        if tiny:
            text += f"{'; ' if text else ''}{tiny} tiny patch{'es' if tiny > 1 else ''}"
        share = round(100 * float((labels == k).sum()) / total)
        head = f"{names[k]} on {share} %" + (" of the plane" if not parts else "")
        parts.append(f"{head}: {text}")
    return "; ".join(parts)


def point_errors(
    X: FloatArray, y: FloatArray, predicted: FloatArray, kind: str, regression: bool
) -> str:
    """How many of these points the network gets right and where the wrong ones are.

    >>> X = np.array([[5.0, 5.0], [0.0, 0.0], [-5.0, 0.0]])
    >>> point_errors(X, np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 0.0]), "training", False)
    'training points: 2 of 3 right (67 %); wrong: 1 in the top right'
    """
    if len(X) == 0:
        return f"no {kind} points"
    if regression:
        errors = np.abs(predicted - y)
        worst = np.argsort(-errors)[:3]
        places = ", ".join(f"({X[i, 0]:.1f}, {X[i, 1]:.1f}) off by {errors[i]:.2f}" for i in worst)
        return (
            f"{kind} points: mean squared error {float(np.mean(errors**2)):.3f}; "
            f"largest errors at {places}"
        )
    wrong = predicted != y
    right = len(X) - int(wrong.sum())
    text = f"{kind} points: {right} of {len(X)} right ({100 * right / len(X):.0f} %)"
    return text + (f"; wrong: {zones_text(X[wrong])}" if wrong.any() else "")


def describe_map(values: FloatArray) -> str:
    """A heat map over the plane (a square grid, row 0 at the top) in words: its range and
    where it is positive or negative.

    >>> grid = np.tile(np.linspace(-1.0, 1.0, 9), (9, 1))  # grows to the right
    >>> print(*describe_map(grid).split("; "), sep=";\\n")
    from -1 to 1;
    positive at the top right, right, bottom right;
    negative at the top left, left, bottom left
    """
    low, high = float(values.min()), float(values.max())
    limit = max(abs(low), abs(high)) or 1.0
    size = values.shape[0]
    thirds = [
        range(0, size // 3),
        range(size // 3, size - size // 3),
        range(size - size // 3, size),
    ]
    rows, columns = ("top", "", "bottom"), ("left", "", "right")
    signs: dict[str, list[str]] = {"positive": [], "negative": []}
    for r, row in enumerate(rows):
        for c, column in enumerate(columns):
            mean = float(values[np.ix_(thirds[r], thirds[c])].mean())
            name = f"{row} {column}".strip() or "centre"
            if mean > 0.2 * limit:
                signs["positive"].append(name)
            elif mean < -0.2 * limit:
                signs["negative"].append(name)
    parts = [f"from {low:.2g} to {high:.2g}"]
    for sign, places in signs.items():
        if places:
            parts.append(f"{sign} at the {', '.join(places)}")
    if not signs["positive"] and not signs["negative"]:
        parts.append("close to 0 everywhere")
    return "; ".join(parts)


def _curve_text(name: str, curve: LossCurve) -> str:
    finite = [b for b in curve.buckets if math.isfinite(b.low)]
    if not finite:
        return f"no {name} loss yet"
    first = next(b.last for b in curve.buckets if math.isfinite(b.last))
    lowest = min(range(len(curve.buckets)), key=lambda i: _low(curve.buckets[i].low))
    epoch = (lowest + 1) * curve.span if curve.span > 1 else lowest + 1
    text = f"{name} loss from {first:.3f} to {curve.last():.3f}"
    return text + f", lowest {curve.buckets[lowest].low:.3f} (epoch {epoch:,})"


def _low(value: float) -> float:
    return value if math.isfinite(value) else math.inf


def describe_losses(train: LossCurve, test: LossCurve) -> str:
    """The loss curves in words.

    >>> train, test = LossCurve(), LossCurve()
    >>> for a, b in [(0.7, 0.72), (0.4, 0.45), (0.2, 0.3), (0.1, 0.35)]:
    ...     train.append(a)
    ...     test.append(b)
    >>> print(*describe_losses(train, test).split("; "), sep=";\\n")
    Loss curves over 4 epochs: training loss from 0.700 to 0.100, lowest 0.100 (epoch 4);
    test loss from 0.720 to 0.350, lowest 0.300 (epoch 3), then rising
    """
    if len(train) == 0:
        return "Loss curves: no epoch trained yet"
    text = (
        f"Loss curves over {len(train):,} epochs: {_curve_text('training', train)}; "
        f"{_curve_text('test', test)}"
    )
    if test.buckets and math.isfinite(test.last()):
        lowest = min(_low(b.low) for b in test.buckets)
        if test.last() > lowest * 1.1 + 1e-12:
            text += ", then rising"
    return text


def escape(text: str) -> str:
    """HTML-escaped text (for the outlines built from these descriptions)."""
    return html.escape(text, quote=True)
