"""Matplotlib pictures of networks and training, in the TensorFlow Playground's colours.

Orange is negative (class 0), blue is positive (class 1), as in the Playground;
colour is never the only cue: classes have marker shapes, negative weights are
dashed, heat maps have a colour bar, curves a legend. Every function returns its
Figure (a :class:`~micrograd_edu.visualize.alttext.DescribedFigure`) and takes an
``ax`` (or a figure) where that makes sense; none calls ``plt.show()``. Each
figure carries a description of what it shows, written from its data
(:func:`~micrograd_edu.visualize.alttext.describe`): a notebook shows it as the
image's alternative text. Save with :func:`save_figure`, which writes atomically
and keeps the description in the file.
"""

from __future__ import annotations

import contextlib
import io as _bytes_io
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import (
    FixedLocator,
    FuncFormatter,
    LogLocator,
    MaxNLocator,
    NullFormatter,
)

from micrograd_edu import Value
from micrograd_edu.io import write_atomically
from micrograd_edu.nn import ACTIVATIONS, MLP, layer_weights
from micrograd_edu.train import History, predict_proba

from .alttext import (
    DescribedFigure,
    activation_text,
    boundary_text,
    describe,
    extent,
    history_texts,
    map_text,
    network_text,
    plane_text,
    regression_text,
    set_description,
)
from .palette import BLUE as BLUE  # re-exported: other pictures import them from here
from .palette import CLASS_COLORS as _CLASS_COLORS
from .palette import CLASS_MARKERS, NEGATIVE_DASH, PLAYGROUND_CMAP
from .palette import ORANGE as ORANGE

__all__ = [
    "PLAYGROUND_CMAP",
    "draw_network",
    "log_y_axis",
    "plot_activation",
    "plot_decision_boundary",
    "plot_history",
    "plot_loss_curves",
    "plot_neuron_outputs",
    "plot_regression",
    "save_figure",
]

# The colours come from the one palette (colour-blind safe, checked: visualize/palette.py).
CLASS_COLORS = list(_CLASS_COLORS)

_DASHES = tuple(float(part) for part in NEGATIVE_DASH.split())
"""A negative weight's dash pattern (matplotlib's on/off lengths)."""

Transform = Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]]


METADATA_KEY = {"png": "Description", "svg": "Description", "pdf": "Subject"}
"""Where :func:`save_figure` writes a figure's description, by format."""


def save_figure(fig: Figure, path: str | os.PathLike[str], dpi: int = 110) -> Path:
    """Save ``fig`` atomically; the format comes from the suffix (png, svg, pdf).

    A figure with a description (:func:`~micrograd_edu.visualize.alttext.describe`) keeps
    it in the file: a PNG's or SVG's ``Description``, a PDF's ``Subject``.
    """
    target = Path(path)
    fmt = target.suffix.lstrip(".") or "png"
    metadata = {}
    if fmt in METADATA_KEY:
        with contextlib.suppress(ValueError):  # a figure drawn elsewhere: nothing to keep
            metadata[METADATA_KEY[fmt]] = describe(fig)
    buffer = _bytes_io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi, bbox_inches="tight", metadata=metadata or None)
    return write_atomically(target, buffer.getvalue())


def _axes(ax: Axes | None, figsize: tuple[float, float] = (5, 4.5)) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    fig, new_ax = plt.subplots(figsize=figsize, FigureClass=DescribedFigure)
    return fig, new_ax


def _points(
    X: npt.ArrayLike, y: npt.ArrayLike | None = None
) -> tuple[npt.NDArray[np.float64], Any]:
    points = np.asarray(X, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"expected 2-D points of shape (n, 2), got shape {points.shape}")
    if y is None:
        return points, None
    labels = np.asarray(y)
    if labels.shape != (len(points),):
        raise ValueError(f"y must have shape ({len(points)},), got {labels.shape}")
    return points, labels


def _grid(
    points: npt.NDArray[np.float64], resolution: int, margin: float = 0.1
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    low, high = points.min(axis=0), points.max(axis=0)
    pad = (high - low) * margin + 1e-9
    xs = np.linspace(low[0] - pad[0], high[0] + pad[0], resolution)
    ys = np.linspace(low[1] - pad[1], high[1] + pad[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    return gx, gy, np.column_stack([gx.ravel(), gy.ravel()])


def _check_model(model: MLP, transform: Transform | None) -> Transform:
    if not isinstance(model, MLP):
        raise TypeError(f"expected an MLP, got {type(model).__name__}")
    return transform if transform is not None else (lambda points: points)


def _classes(labels: npt.NDArray[Any], binary: bool) -> npt.NDArray[np.int64]:
    """Class indices: for two classes, label > 0.5 is class 1 (0/1 and −1/+1 labels alike)."""
    if binary:
        return (np.asarray(labels, dtype=np.float64) > 0.5).astype(np.int64)
    return np.asarray(labels).astype(np.int64)


def scatter_classes(ax: Axes, points: npt.NDArray[np.float64], classes: npt.NDArray[Any]) -> None:
    """The points, one marker shape and colour per class (colour is not the only cue), with
    a legend naming each class."""
    for k in np.unique(classes).astype(int):
        chosen = points[classes == k]
        ax.scatter(
            chosen[:, 0],
            chosen[:, 1],
            c=CLASS_COLORS[k % len(CLASS_COLORS)],
            marker=CLASS_MARKERS[k % len(CLASS_MARKERS)],
            edgecolors="white",
            linewidths=0.6,
            s=28,
            label=f"class {k}",
        )
    ax.legend(fontsize=7, loc="upper right", framealpha=0.8)


def plot_decision_boundary(
    model: MLP,
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    ax: Axes | None = None,
    transform: Transform | None = None,
    resolution: int = 150,
    title: str | None = "Decision boundary",
) -> Figure:
    """Shade the plane by the model's prediction and scatter the points on top.

    Two classes (one output): the probability of class 1, σ(output), from
    orange (0) to blue (1), with the 0.5 contour. k classes: each point of the
    plane takes its predicted class's colour. Each class's points have their
    marker shape (circles, squares, triangles, …). ``transform`` maps 2-D points
    to the model's inputs (e.g. Playground features). The description says
    which class is predicted where, how many points are right and where the
    wrong ones lie.
    """
    points, labels = _points(X, y)
    to_inputs = _check_model(model, transform)
    fig, axes = _axes(ax)
    gx, gy, grid = _grid(points, resolution)
    proba = predict_proba(model, to_inputs(grid))
    at_points = predict_proba(model, to_inputs(points))
    binary = proba.ndim == 1
    if binary:
        surface = proba.reshape(gx.shape)
        axes.contourf(
            gx, gy, surface, levels=np.linspace(0, 1, 21), cmap=PLAYGROUND_CMAP, alpha=0.8
        )
        axes.contour(gx, gy, surface, levels=[0.5], colors="k", linewidths=1)
        regions = (surface > 0.5).astype(np.int64)
        predicted = (at_points > 0.5).astype(np.int64)
    else:
        k = proba.shape[1]
        regions = np.argmax(proba, axis=1).reshape(gx.shape)
        cmap = ListedColormap(CLASS_COLORS[:k])
        axes.contourf(gx, gy, regions, levels=np.arange(k + 1) - 0.5, cmap=cmap, alpha=0.35)
        predicted = np.argmax(at_points, axis=1)
    classes = _classes(labels, binary)
    scatter_classes(axes, points, classes)
    axes.set_xlabel("x1")
    axes.set_ylabel("x2")
    if title:
        axes.set_title(title)
    set_description(axes, boundary_text(regions, extent(gx, gy), points, classes, predicted))
    return fig


def plot_regression(
    model: MLP,
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    ax: Axes | None = None,
    transform: Transform | None = None,
    resolution: int = 150,
    title: str | None = "Predicted value",
) -> Figure:
    """Shade the plane by the predicted value; points coloured by their true value (same scale).

    The description gives the prediction's range and where it is high or low, and the
    points' mean squared error and largest error.
    """
    points, targets = _points(X, y)
    to_inputs = _check_model(model, transform)
    fig, axes = _axes(ax)
    gx, gy, grid = _grid(points, resolution)
    surface = model.forward_array(to_inputs(grid))[:, 0].reshape(gx.shape)
    limit = float(max(np.abs(surface).max(), np.abs(targets).max(), 1e-9))
    filled = axes.contourf(
        gx, gy, surface, levels=21, cmap=PLAYGROUND_CMAP, vmin=-limit, vmax=limit
    )
    axes.scatter(
        points[:, 0],
        points[:, 1],
        c=targets,
        cmap=PLAYGROUND_CMAP,
        vmin=-limit,
        vmax=limit,
        edgecolors="white",
        linewidths=0.6,
        s=28,
    )
    fig.colorbar(filled, ax=axes, label="output")
    axes.set_xlabel("x1")
    axes.set_ylabel("x2")
    if title:
        axes.set_title(title)
    predicted = model.forward_array(to_inputs(points))[:, 0]
    set_description(axes, regression_text(surface, extent(gx, gy), points, targets, predicted))
    return fig


def plot_history(history: History, axes: Sequence[Axes] | None = None) -> Figure:
    """Loss (and accuracy, for classification) per epoch, training and validation.

    Validation curves are dashed. The description says where each curve starts and ends,
    and where validation loss is lowest (or accuracy highest) when that is not the end.
    """
    if not isinstance(history, History):
        raise TypeError(f"expected a History, got {type(history).__name__}")
    if history.epochs == 0:
        raise ValueError("the history is empty: train for at least one epoch")
    panels = 2 if history.train_accuracy else 1
    if axes is None:
        fig, created = plt.subplots(
            1, panels, figsize=(5 * panels, 3.6), squeeze=False, FigureClass=DescribedFigure
        )
        axes = list(created[0])
    elif len(axes) != panels:
        raise ValueError(f"this history needs {panels} axes, got {len(axes)}")
    fig = axes[0].figure  # type: ignore[assignment]
    epochs = np.arange(1, history.epochs + 1)
    axes[0].plot(epochs, history.train_loss, label="training", color=BLUE)
    if history.val_loss:
        axes[0].plot(epochs, history.val_loss, label="validation", color=ORANGE, linestyle="--")
    axes[0].set_xlabel("epoch")
    axes[0].set_ylabel("loss")
    axes[0].set_title("Loss")
    axes[0].legend()
    if panels == 2:
        axes[1].plot(epochs, history.train_accuracy, label="training", color=BLUE)
        if history.val_accuracy:
            axes[1].plot(
                epochs, history.val_accuracy, label="validation", color=ORANGE, linestyle="--"
            )
        axes[1].set_xlabel("epoch")
        axes[1].set_ylabel("accuracy")
        axes[1].set_ylim(0, 1.02)
        axes[1].set_title("Accuracy")
        axes[1].legend(loc="lower right")
    for ax, text in zip(axes, history_texts(history), strict=False):
        set_description(ax, text)
    fig.tight_layout()
    return fig


def draw_weights(
    ax: Axes,
    positions: Sequence[Sequence[tuple[float, float]]],
    weights: Sequence[npt.NDArray[np.float64]],
) -> None:
    """One line per weight between consecutive columns of neuron ``positions``.

    Blue and solid for a positive weight, orange and dashed for a negative one, thicker
    for a larger magnitude (relative to the largest weight drawn).
    """
    dashes = _DASHES
    largest = max([float(np.abs(W).max()) for W in weights] + [1e-9])
    for column, W in enumerate(weights):
        for j, (x1, y1) in enumerate(positions[column + 1]):
            for i, (x0, y0) in enumerate(positions[column]):
                w = W[j, i]
                ax.plot(
                    [x0, x1],
                    [y0, y1],
                    color=BLUE if w > 0 else ORANGE,
                    dashes=() if w > 0 else dashes,
                    alpha=0.85,
                    linewidth=0.3 + 3.5 * abs(w) / largest,
                    zorder=1,
                )


def heat_map(ax: Axes, values: npt.NDArray[np.float64], limit: float) -> None:
    """Show a square grid of values, orange (−limit) to blue (+limit), without ticks."""
    ax.imshow(values, origin="lower", cmap=PLAYGROUND_CMAP, vmin=-limit, vmax=limit)
    ax.set_xticks([])
    ax.set_yticks([])


def plot_neuron_outputs(
    model: MLP,
    X: npt.ArrayLike,
    transform: Transform | None = None,
    resolution: int = 60,
) -> Figure:
    """One small heat map per neuron: its output over the input plane, as the Playground shows.

    Row i shows layer i (the last row is the output); orange is negative, blue positive,
    each row scaled to its largest magnitude (the colour bar). The description gives each
    neuron's range and where on the plane it is positive or negative.
    """
    points, _ = _points(X)
    to_inputs = _check_model(model, transform)
    gx, gy, grid = _grid(points, resolution, margin=0.05)
    layers = model.layer_outputs_array(to_inputs(grid))
    columns = max(model.nouts)
    fig, axes = plt.subplots(
        len(layers),
        columns,
        figsize=(1.3 * columns + 0.5, 1.4 * len(layers) + 0.6),
        squeeze=False,
        FigureClass=DescribedFigure,
    )
    rows = []
    for row, outputs in enumerate(layers):
        limit = float(np.abs(outputs).max()) or 1.0
        name = "output" if row == len(layers) - 1 else f"layer {row + 1}"
        maps = []
        for column in range(columns):
            ax = axes[row][column]
            if column >= outputs.shape[1]:
                ax.axis("off")
                continue
            values = outputs[:, column].reshape(gx.shape)
            heat_map(ax, values, limit)
            maps.append(f"neuron {column + 1} {map_text(values)}")
            if column == 0:
                ax.set_ylabel(name, fontsize=8)
        rows.append(f"{name.capitalize()}: " + "; ".join(maps))
    bar = fig.colorbar(
        ScalarMappable(Normalize(-1.0, 1.0), PLAYGROUND_CMAP),
        ax=axes.ravel().tolist(),
        location="bottom",
        shrink=0.7,
        aspect=30,
        ticks=[-1.0, 0.0, 1.0],
    )
    bar.ax.set_xticklabels(["negative", "0", "positive"], fontsize=7)
    bar.set_label("neuron output (each row scaled to its largest)", fontsize=7)
    fig.suptitle("What each neuron computes over the input plane", fontsize=10)
    set_description(
        fig,
        f"What each neuron computes over {plane_text(extent(gx, gy))}, orange negative, "
        "blue positive. " + ". ".join(rows),
    )
    return fig


def plot_activation(
    name: str, ax: Axes | None = None, x_range: tuple[float, float] = (-5, 5)
) -> Figure:
    """An activation function and its derivative, the derivative computed by ``backward()``."""
    if name not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {name!r}; choose one of {', '.join(map(repr, ACTIVATIONS))}"
        )
    activation = ACTIVATIONS[name]
    xs = np.linspace(*x_range, 401)
    values, slopes = [], []
    for x in xs.tolist():
        v = Value(x)
        out = activation.on_value(v)
        out.backward()
        values.append(out.data)
        slopes.append(v.grad)
    fig, axes = _axes(ax, figsize=(4.5, 3.2))
    axes.axhline(0, color="#cbd5e1", linewidth=0.8)
    axes.axvline(0, color="#cbd5e1", linewidth=0.8)
    axes.plot(xs, values, color=BLUE, linewidth=2, label=f"{name}(x)")
    axes.plot(xs, slopes, color=ORANGE, linewidth=2, linestyle="--", label="derivative")
    axes.set_title(name)
    axes.set_xlabel("x")
    axes.legend(loc="upper left", fontsize=8)
    set_description(axes, activation_text(name, xs, np.array(values), np.array(slopes)))
    return fig


def draw_network(
    model: MLP,
    feature_names: Sequence[str] | None = None,
    ax: Axes | None = None,
    title: str | None = "Network",
) -> Figure:
    """The Playground's network diagram: neurons as circles, one line per weight.

    Lines are blue and solid for positive weights, orange and dashed for negative
    ones (a legend says so), thicker for larger magnitudes. The description counts
    the weights of each sign and names the largest.
    """
    if not isinstance(model, MLP):
        raise TypeError(f"expected an MLP, got {type(model).__name__}")
    if feature_names is not None and len(feature_names) != model.nin:
        raise ValueError(f"{len(feature_names)} feature names for a model with {model.nin} inputs")
    names = (
        list(feature_names)
        if feature_names is not None
        else [f"x{i + 1}" for i in range(model.nin)]
    )
    sizes = [model.nin, *model.nouts]
    fig, axes = _axes(ax, figsize=(1.8 * len(sizes) + 1, 0.55 * max(sizes) + 1.5))
    positions = [
        [(float(column), (size - 1) / 2 - i) for i in range(size)]
        for column, size in enumerate(sizes)
    ]
    draw_weights(axes, positions, [layer_weights(layer)[0] for layer in model.layers])
    for column, layer_positions in enumerate(positions):
        for i, (x, y) in enumerate(layer_positions):
            axes.scatter(
                [x], [y], s=380, color="white", edgecolors="#334155", linewidths=1.2, zorder=2
            )
            if column == 0:
                axes.text(x - 0.18, y, names[i], ha="right", va="center", fontsize=9)
    labels = ["inputs", *[f"hidden {i + 1}" for i in range(len(sizes) - 2)], "output"]
    for column, label in enumerate(labels):
        axes.text(
            column, (max(sizes) - 1) / 2 + 0.9, label, ha="center", fontsize=9, color="#334155"
        )
    axes.set_xlim(-0.9, len(sizes) - 0.5)
    axes.set_ylim(-(max(sizes) - 1) / 2 - 0.8, (max(sizes) - 1) / 2 + 1.4)
    axes.axis("off")
    axes.legend(
        handles=[
            Line2D([], [], color=BLUE, label="positive weight"),
            Line2D([], [], color=ORANGE, dashes=_DASHES, label="negative weight"),
        ],
        loc="lower center",
        fontsize=7,
        ncol=2,
        frameon=False,
    )
    if title:
        axes.set_title(title)
    set_description(axes, network_text(model, names))
    return fig


# ------------------------------------------------------------------ loss curves on a log axis
def _plain_number(value: float, position: object = None) -> str:
    return f"{value:g}"


def log_y_axis(ax: Axes) -> None:
    """Make ``ax``'s y axis logarithmic, labelled with plain numbers (``0.66``, ``1``, ``10``).

    Call it after plotting. matplotlib's own labels (``6.6×10⁻¹`` on every minor tick
    of a curve spanning less than a decade) are wide enough to spill into the next
    panel; here a curve spanning less than a factor of 10 gets three or four round
    labels inside its range, one spanning less than 100 labels at 1, 2 and 5 times
    each power of ten, a wider one a label per decade.

    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0.69, 0.63])
    >>> log_y_axis(ax)
    >>> [tick.get_text() for tick in ax.get_yticklabels()]
    ['0.64', '0.66', '0.68']
    >>> plt.close(fig)
    """
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(_plain_number))
    ax.yaxis.set_minor_formatter(NullFormatter())
    low, high = ax.get_ylim()
    if low > 0 and high < 10 * low:
        ticks = MaxNLocator(nbins=4).tick_values(low, high)
        ax.yaxis.set_major_locator(FixedLocator([t for t in ticks if low <= t <= high]))
    elif low > 0 and high < 100 * low:  # one or two decades: 1, 2, 5 in each
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))


def plot_loss_curves(
    curves: Mapping[str, Mapping[str, Sequence[float]]], title: str = "curve {}"
) -> Figure:
    """One panel per run: its training (blue) and validation (orange) loss per epoch.

    ``curves`` maps a run's name to ``{"train": [...], "validation": [...]}`` (as
    :func:`micrograd_edu.exercises.loss_curves` gives them); each panel has its own
    logarithmic loss axis (:func:`log_y_axis`). Raises ValueError for no runs.

    >>> fig = plot_loss_curves({"A": {"train": [1.0, 0.5], "validation": [1.1, 0.7]}})
    >>> [ax.get_title() for ax in fig.axes], fig.axes[0].get_ylabel()
    (['curve A'], 'loss (log scale)')
    >>> plt.close(fig)
    """
    if not curves:
        raise ValueError("plot_loss_curves: give at least one run")
    fig, axes = plt.subplots(
        1, len(curves), figsize=(4 * len(curves), 3.2), squeeze=False, layout="constrained"
    )
    for ax, (name, run) in zip(axes[0], curves.items(), strict=True):
        ax.plot(range(1, len(run["train"]) + 1), run["train"], color=BLUE, label="training")
        ax.plot(
            range(1, len(run["validation"]) + 1),
            run["validation"],
            color=ORANGE,
            label="validation",
        )
        log_y_axis(ax)
        ax.set_title(title.format(name))
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss (log scale)")
    axes[0][0].legend()
    return fig
