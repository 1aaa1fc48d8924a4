"""Figures in words: what each figure the library draws shows, written from its data.

Every matplotlib figure of :mod:`micrograd_edu.visualize` carries a description
— its alternative text — made from the numbers it plots, not from the picture:
"training loss falls from 0.693 to 0.048 over 100 epochs; validation loss is
lowest, 0.09, at epoch 62, then rises to 0.12". Where it shows:

- :func:`describe` returns it (``print(describe(fig))`` in a notebook); a figure
  of the library is a :class:`DescribedFigure`, whose ``description`` it is;
- in a notebook (and in HTML made from one: nbconvert, JupyterLite, Voilà) the
  figure displays as an ``<img>`` whose ``alt`` is the description;
- :func:`~micrograd_edu.visualize.plots.save_figure` writes it into the PNG or SVG
  file (its ``Description``), from where the docs take their alt texts.

A picture drawn on axes of your own (``ax=``) describes those axes: :func:`describe`
of the figure joins its axes' descriptions.

>>> import matplotlib.pyplot as plt
>>> fig, ax = plt.subplots(FigureClass=DescribedFigure)
>>> set_description(ax, series_text("training loss", [0.69, 0.3, 0.05], "epoch"))
>>> fig.description
'training loss falls from 0.69 to 0.05 over 3 epochs.'
>>> plt.close(fig)
"""

from __future__ import annotations

import base64
import html
import io
import math
import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .palette import CLASS_NAMES

__all__ = [
    "MARKER_NAMES",
    "DescribedFigure",
    "activation_text",
    "at",
    "boundary_text",
    "class_text",
    "describe",
    "extent",
    "history_texts",
    "map_text",
    "network_text",
    "number",
    "plane_text",
    "regions_text",
    "regression_text",
    "series_text",
    "set_description",
    "share",
    "still_text",
    "where_text",
    "zone",
]

MARKER_NAMES = (
    "circles",
    "squares",
    "triangles",
    "diamonds",
    "down triangles",
    "pluses",
    "crosses",
    "stars",
)
"""The names of :data:`~micrograd_edu.visualize.palette.CLASS_MARKERS`, class by class."""

_DESCRIPTIONS: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def set_description(target: Figure | Axes, text: str) -> None:
    """Give a figure (or one of its axes) its description."""
    if not isinstance(target, (Figure, Axes)):
        raise TypeError(f"expected a matplotlib Figure or Axes, got {type(target).__name__}")
    _DESCRIPTIONS[target] = " ".join(text.split())


def describe(target: Figure | Axes) -> str:
    """The description of a figure (its own, else its axes' one after the other) or of axes,
    as sentences; ValueError when there is none (a figure the library did not draw)."""
    if not isinstance(target, (Figure, Axes)):
        raise TypeError(f"expected a matplotlib Figure or Axes, got {type(target).__name__}")
    own = _DESCRIPTIONS.get(target)
    parts = [own] if own else []
    if not parts and isinstance(target, Figure):
        parts = [_DESCRIPTIONS[ax] for ax in target.axes if ax in _DESCRIPTIONS]
    if parts:
        return ". ".join(part.rstrip(".") for part in parts) + "."
    raise ValueError("this figure has no description: micrograd_edu.visualize did not draw it")


class DescribedFigure(Figure):
    """The Figure class of the library's figures: it knows its :attr:`description` and, in a
    notebook, displays as an image whose alternative text is that description."""

    @property
    def description(self) -> str:
        """What the figure shows, in words (:func:`describe`)."""
        return describe(self)

    def _repr_html_(self) -> str | None:
        """An ``<img>`` with the description as ``alt`` (inline and Agg canvases only:
        interactive backends keep their own display)."""
        if type(self.canvas).__name__ not in ("FigureCanvasAgg", "FigureCanvasBase"):
            return super()._repr_html_()
        try:
            alt = self.description
        except ValueError:
            return None
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", bbox_inches="tight")
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        _shown_once(self)
        return (
            f'<img class="mg-figure" src="data:image/png;base64,{data}" '
            f'alt="{html.escape(alt)}" style="max-width: 100%">'
        )


def _shown_once(figure: Figure) -> None:
    """In a notebook, a figure returned by a cell is displayed, then displayed again when
    the inline backend shows the figures the cell drew: a screen reader would read its
    description twice. Once displayed, it leaves pyplot's list (as the inline backend
    does at the end of every cell anyway); the Figure itself stays usable."""
    import matplotlib
    import matplotlib.pyplot as plt

    if "inline" in matplotlib.get_backend() and plt.fignum_exists(figure.number):
        plt.close(figure)


def number(x: float) -> str:
    """A number in a description: three significant digits.

    >>> number(0.69314718), number(1234.5), number(float("nan"))
    ('0.693', '1.23e+03', 'not a number')
    """
    if math.isnan(x):
        return "not a number"
    if math.isinf(x):
        return "infinite" if x > 0 else "minus infinite"
    return f"{x:.3g}"


def _percent(x: float) -> str:
    return f"{100 * x:.0f} %"


def share(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a percentage that never rounds up to 100 % or down to 0 %.

    >>> share(199, 200), share(150, 200), share(1, 1000)
    ('99.5 %', '75 %', '0.1 %')
    """
    if whole <= 0:
        return "no points"
    value = 100 * part / whole
    text = f"{value:.0f}"
    if (text == "100" and part < whole) or (text == "0" and part > 0):
        text = f"{value:.1f}"
    return f"{text} %"


def series_text(
    name: str,
    values: Sequence[float] | npt.NDArray[np.float64],
    step: str = "epoch",
    best: str = "lowest",
    percent: bool = False,
    count: bool = True,
) -> str:
    """A curve in words: where it starts and ends, and its best point when that is not the end.

    ``best`` is "lowest" (a loss) or "highest" (an accuracy, a return); ``percent`` writes
    the values as percentages; ``count`` says how many steps (leave it out when a heading
    already says it).

    >>> series_text("validation loss", [0.7, 0.3, 0.09, 0.12], "epoch")
    'validation loss falls from 0.7 to 0.12 over 4 epochs, lowest 0.09 at epoch 3, then rises'
    >>> series_text("accuracy", [0.5, 0.5, 0.5], "step", "highest", percent=True)
    'accuracy stays near 50 % over 3 steps'
    """
    data = np.asarray(values, dtype=np.float64)
    if data.size == 0:
        return f"{name}: no {step}s yet"
    show = _percent if percent else number
    steps = f" over {data.size:,} {step}{'s' if data.size != 1 else ''}" if count else ""
    bad = np.flatnonzero(~np.isfinite(data))
    if bad.size:
        return f"{name} becomes {show(float(data[bad[0]]))} at {step} {bad[0] + 1}"
    first, last = float(data[0]), float(data[-1])
    spread = float(data.max() - data.min())
    if spread <= 0.02 * max(abs(first), abs(last), 1e-12):
        return f"{name} stays near {show(first)}{steps}"
    trend = "falls" if last < first else "rises"
    text = f"{name} {trend} from {show(first)} to {show(last)}{steps}"
    index = int(np.argmin(data) if best == "lowest" else np.argmax(data))
    extreme = float(data[index])
    if index not in (0, data.size - 1) and abs(last - extreme) > max(
        0.02 * spread, 0.1 * abs(extreme)
    ):
        after = "rises" if best == "lowest" else "falls"
        text += f", {best} {show(extreme)} at {step} {index + 1}, then {after}"
    return text


ZONES = (
    ("top left", "top", "top right"),
    ("left", "centre", "right"),
    ("bottom left", "bottom", "bottom right"),
)
"""The nine zones of a plane, by thirds of its drawn extent (rows from the top)."""


def at(place: str) -> str:
    """A zone with its preposition.

    >>> at("top"), at("left"), at("bottom right"), at("centre")
    ('at the top', 'on the left', 'in the bottom right', 'in the centre')
    """
    if place in ("top", "bottom"):
        return f"at the {place}"
    if place in ("left", "right"):
        return f"on the {place}"
    return f"in the {place}"


def zone(x: float, y: float, extent: tuple[float, float, float, float]) -> str:
    """The zone of the plane drawn over ``extent`` (x min, x max, y min, y max) that (x, y)
    lies in.

    >>> zone(0.9, 0.9, (0, 1, 0, 1)), zone(0.5, 0.1, (0, 1, 0, 1))
    ('top right', 'bottom')
    """
    x0, x1, y0, y1 = extent
    column = min(2, max(0, int(3 * (x - x0) / ((x1 - x0) or 1.0))))
    row = min(2, max(0, int(3 * (y1 - y) / ((y1 - y0) or 1.0))))
    return ZONES[row][column]


def _grid_zones(values: npt.NDArray[Any]) -> list[tuple[str, npt.NDArray[Any]]]:
    """The cells of a grid (row 0 at the bottom, as ``imshow(origin="lower")`` and meshgrid
    draw it) in the nine zones, in reading order."""
    rows, columns = values.shape
    row_cuts = [0, rows // 3, rows - rows // 3, rows]
    column_cuts = [0, columns // 3, columns - columns // 3, columns]
    found = []
    for r, names in enumerate(ZONES):
        top = 2 - r  # zones' rows run from the top; the grid's from the bottom
        for c, name in enumerate(names):
            cells = values[row_cuts[top] : row_cuts[top + 1], column_cuts[c] : column_cuts[c + 1]]
            found.append((name, cells))
    return found


def class_text(k: int) -> str:
    """A class as the figures draw it.

    >>> class_text(1)
    'class 1 (blue squares)'
    """
    return f"class {k} ({CLASS_NAMES[k % len(CLASS_NAMES)]} {MARKER_NAMES[k % len(MARKER_NAMES)]})"


def regions_text(labels: npt.NDArray[np.int64]) -> str:
    """Which class a grid of predictions (row 0 at the bottom) gives where: each class's share
    of the plane and the zones where it is the majority.

    >>> grid = np.zeros((9, 9), dtype=np.int64)
    >>> grid[6:, :] = 1  # the top third
    >>> regions_text(grid)  # doctest: +NORMALIZE_WHITESPACE
    'class 0 (orange circles) on 67 % of the plane (the left, centre, right, bottom left,
     bottom, bottom right); class 1 (blue squares) on 33 % (the top left, top, top right)'
    """
    zones = _grid_zones(labels)
    majority = {
        name: int(np.bincount(cells.ravel()).argmax()) for name, cells in zones if cells.size
    }
    parts: list[str] = []
    for k in sorted(np.unique(labels), key=lambda k: -int((labels == k).sum())):
        share = _percent(float((labels == k).mean()))
        places = [name for name, winner in majority.items() if winner == k]
        where = f" (the {', '.join(places)})" if places else " (nowhere a majority)"
        plane = "" if parts else " of the plane"
        parts.append(f"{class_text(int(k))} on {share}{plane}{where}")
    return "; ".join(parts)


def map_text(values: npt.NDArray[np.float64]) -> str:
    """A heat map (row 0 at the bottom) in words: its range and where it is clearly positive
    or negative (a zone's mean beyond a fifth of the largest magnitude).

    >>> grid = np.tile(np.linspace(-1.0, 1.0, 9), (9, 1))  # grows to the right
    >>> print(map_text(grid))  # doctest: +NORMALIZE_WHITESPACE
    from -1 to 1, positive on the top right, right, bottom right, negative on the top left,
    left, bottom left
    """
    low, high = float(values.min()), float(values.max())
    limit = max(abs(low), abs(high)) or 1.0
    positive, negative = [], []
    for name, cells in _grid_zones(values):
        mean = float(cells.mean())
        if mean > 0.2 * limit:
            positive.append(name)
        elif mean < -0.2 * limit:
            negative.append(name)
    parts = [f"from {number(low)} to {number(high)}"]
    if positive:
        parts.append(f"positive on the {', '.join(positive)}")
    if negative:
        parts.append(f"negative on the {', '.join(negative)}")
    if not positive and not negative:
        parts.append("close to 0 everywhere")
    return ", ".join(parts)


# ---------------------------------------------------------------- the library's figures

Extent = tuple[float, float, float, float]


def extent(gx: npt.NDArray[np.float64], gy: npt.NDArray[np.float64]) -> Extent:
    """The drawn extent of a mesh grid: (x min, x max, y min, y max)."""
    return float(gx.min()), float(gx.max()), float(gy.min()), float(gy.max())


def plane_text(drawn: Extent) -> str:
    """``x1 from -1 to 2 and x2 from 0 to 1``."""
    x0, x1, y0, y1 = drawn
    return f"x1 from {number(x0)} to {number(x1)} and x2 from {number(y0)} to {number(y1)}"


def where_text(points: npt.NDArray[np.float64], drawn: Extent) -> str:
    """Where points lie, most first (the four zones with the most, then the rest).

    >>> where_text(np.array([[0.5, 0.5], [0.4, 0.6], [0.9, 0.9]]), (0, 1, 0, 1))
    '2 in the centre, 1 in the top right'
    """
    zones = [zone(float(x), float(y), drawn) for x, y in points]
    counts = {name: zones.count(name) for name in dict.fromkeys(zones)}
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    text = ", ".join(f"{n} {at(name)}" for name, n in ranked[:4])
    rest = sum(n for _, n in ranked[4:])
    return text + (f" and {rest} elsewhere" if rest else "")


def boundary_text(
    predicted_grid: npt.NDArray[np.int64],
    drawn: Extent,
    points: npt.NDArray[np.float64],
    classes: npt.NDArray[np.int64],
    predicted: npt.NDArray[np.int64],
) -> str:
    """A decision boundary in words: each class's regions (``predicted_grid``, row 0 at the
    bottom), then how many ``points`` the network gets right and where the wrong ones are."""
    wrong = predicted != classes
    right = len(points) - int(wrong.sum())
    text = (
        f"Decision boundary over {plane_text(drawn)}: the network predicts "
        f"{regions_text(predicted_grid)}. {len(points)} points, {right} right "
        f"({share(right, len(points))})"
    )
    if wrong.any():
        text += f"; wrong: {where_text(points[wrong], drawn)}"
    return text


def regression_text(
    surface: npt.NDArray[np.float64],
    drawn: Extent,
    points: npt.NDArray[np.float64],
    targets: npt.NDArray[Any],
    predicted: npt.NDArray[np.float64],
) -> str:
    """A regression surface in words: its range and sign by zone, the points' errors."""
    errors = predicted - np.asarray(targets, dtype=np.float64)
    worst = int(np.argmax(np.abs(errors)))
    return (
        f"Predicted value over {plane_text(drawn)}: {map_text(surface)}. {len(points)} points "
        f"coloured by their true value on the same scale: mean squared error "
        f"{number(float(np.mean(errors**2)))}, largest error {number(abs(float(errors[worst])))} "
        f"at ({number(float(points[worst, 0]))}, {number(float(points[worst, 1]))})"
    )


def history_texts(history: Any) -> list[str]:
    """A :class:`~micrograd_edu.history.History` in words: the loss panel's text, then (for
    classification) the accuracy panel's."""
    epochs = f"{len(history.train_loss):,} epoch{'s' if len(history.train_loss) != 1 else ''}"
    curves = [series_text("training loss", history.train_loss, count=False)]
    if history.val_loss:
        curves.append(series_text("validation loss (dashed)", history.val_loss, count=False))
    texts = [f"Loss over {epochs}: " + "; ".join(curves)]
    if history.train_accuracy:
        curves = [series_text("training", history.train_accuracy, "epoch", "highest", True, False)]
        if history.val_accuracy:
            curves.append(
                series_text(
                    "validation (dashed)", history.val_accuracy, "epoch", "highest", True, False
                )
            )
        texts.append(f"Accuracy over {epochs}: " + "; ".join(curves))
    return texts


def network_text(model: Any, names: Sequence[str]) -> str:
    """A network drawing in words: its shape, its weights by sign, the largest one."""
    from micrograd_edu.nn import layer_weights

    sizes = [model.nin, *model.nouts]
    matrices = [layer_weights(layer)[0] for layer in model.layers]
    weights = np.concatenate([W.ravel() for W in matrices])
    layer, (j, i) = max(
        ((k, np.unravel_index(int(np.argmax(np.abs(W))), W.shape)) for k, W in enumerate(matrices)),
        key=lambda found: abs(float(matrices[found[0]][found[1]])),
    )

    def neuron(column: int, index: int) -> str:
        if column == 0:
            return names[index]
        kind = "output" if column == len(sizes) - 1 else f"hidden {column}"
        return f"{kind} neuron {index + 1}"

    largest = float(matrices[layer][j, i])
    return (
        f"Network {' → '.join(map(str, sizes))} ({', '.join(names)} in): {weights.size} weights, "
        f"{int((weights > 0).sum())} positive (blue, solid) and {int((weights <= 0).sum())} "
        f"negative (orange, dashed), drawn thicker for larger magnitudes; the largest, "
        f"{number(largest)}, from {neuron(layer, int(i))} to {neuron(layer + 1, int(j))}"
    )


def activation_text(
    name: str,
    xs: npt.NDArray[np.float64],
    values: npt.NDArray[np.float64],
    slopes: npt.NDArray[np.float64],
) -> str:
    """An activation and its derivative in words: their ranges and where the derivative
    is largest and smallest."""
    top, bottom = int(np.argmax(slopes)), int(np.argmin(slopes))
    return (
        f"{name}(x) for x from {number(float(xs[0]))} to {number(float(xs[-1]))} (solid): from "
        f"{number(float(values.min()))} to {number(float(values.max()))}. Its derivative "
        f"(dashed), computed by backward(): largest {number(float(slopes[top]))} at x = "
        f"{number(float(xs[top]))}, smallest {number(float(slopes[bottom]))} at x = "
        f"{number(float(xs[bottom]))}"
    )


def still_text(run: Any, title: str, output: str) -> str:
    """The still Playground figure in words: its settings (``title``), the data, the network,
    the ``output`` panel's description and the loss curves."""
    from micrograd_edu.train import evaluate

    train_loss, _ = evaluate(run.model, run.inputs(run.X_train), run.y_train, run.loss)
    test_loss, _ = evaluate(run.model, run.inputs(run.X_test), run.y_test, run.loss)
    history = run.history
    return (
        f"The Playground: {title}. Data: {len(run.X_train)} training points (filled) and "
        f"{len(run.X_test)} test points (hollow). {network_text(run.model, run.features)}. "
        f"Output, test loss {number(test_loss)}, training loss {number(train_loss)}: "
        f"{output[:1].lower()}{output[1:].rstrip('.')}. Loss over {history.epochs:,} epochs: "
        f"{series_text('training', history.train_loss, count=False)}; "
        f"{series_text('test (dashed)', history.val_loss, count=False)}"
    )
