"""Matplotlib pictures of networks and training, in the TensorFlow Playground's colours.

Orange is negative (class 0), blue is positive (class 1), as in the Playground.
Every function returns its Figure and takes an ``ax`` (or a figure) where
that makes sense; none calls ``plt.show()``. Save with :func:`save_figure`,
which writes atomically.
"""

from __future__ import annotations

import io as _bytes_io
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap, ListedColormap
from matplotlib.figure import Figure
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

ORANGE = "#f59322"
BLUE = "#0877bd"
PLAYGROUND_CMAP = LinearSegmentedColormap.from_list("playground", [ORANGE, "#e8eaeb", BLUE])
"""Orange (negative / class 0) through light grey to blue (positive / class 1)."""
CLASS_COLORS = [ORANGE, BLUE, "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]

Transform = Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]]


def save_figure(fig: Figure, path: str | os.PathLike[str], dpi: int = 110) -> Path:
    """Save ``fig`` atomically; the format comes from the suffix (png, svg, pdf)."""
    target = Path(path)
    fmt = target.suffix.lstrip(".") or "png"
    buffer = _bytes_io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi, bbox_inches="tight")
    return write_atomically(target, buffer.getvalue())


def _axes(ax: Axes | None, figsize: tuple[float, float] = (5, 4.5)) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    fig, new_ax = plt.subplots(figsize=figsize)
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
    plane takes its predicted class's colour. ``transform`` maps 2-D points
    to the model's inputs (e.g. Playground features).
    """
    points, labels = _points(X, y)
    to_inputs = _check_model(model, transform)
    fig, axes = _axes(ax)
    gx, gy, grid = _grid(points, resolution)
    proba = predict_proba(model, to_inputs(grid))
    if proba.ndim == 1:
        surface = proba.reshape(gx.shape)
        axes.contourf(
            gx, gy, surface, levels=np.linspace(0, 1, 21), cmap=PLAYGROUND_CMAP, alpha=0.8
        )
        axes.contour(gx, gy, surface, levels=[0.5], colors="k", linewidths=1)
        colors = [CLASS_COLORS[int(label)] for label in labels]
    else:
        k = proba.shape[1]
        regions = np.argmax(proba, axis=1).reshape(gx.shape)
        cmap = ListedColormap(CLASS_COLORS[:k])
        axes.contourf(gx, gy, regions, levels=np.arange(k + 1) - 0.5, cmap=cmap, alpha=0.35)
        colors = [CLASS_COLORS[int(label) % len(CLASS_COLORS)] for label in labels]
    axes.scatter(points[:, 0], points[:, 1], c=colors, edgecolors="white", linewidths=0.6, s=28)
    axes.set_xlabel("x1")
    axes.set_ylabel("x2")
    if title:
        axes.set_title(title)
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
    """Shade the plane by the predicted value; points coloured by their true value (same scale)."""
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
    return fig


def plot_history(history: History, axes: Sequence[Axes] | None = None) -> Figure:
    """Loss (and accuracy, for classification) per epoch, training and validation."""
    if not isinstance(history, History):
        raise TypeError(f"expected a History, got {type(history).__name__}")
    if history.epochs == 0:
        raise ValueError("the history is empty: train for at least one epoch")
    panels = 2 if history.train_accuracy else 1
    if axes is None:
        fig, created = plt.subplots(1, panels, figsize=(5 * panels, 3.6), squeeze=False)
        axes = list(created[0])
    elif len(axes) != panels:
        raise ValueError(f"this history needs {panels} axes, got {len(axes)}")
    fig = axes[0].figure  # type: ignore[assignment]
    epochs = np.arange(1, history.epochs + 1)
    axes[0].plot(epochs, history.train_loss, label="training", color=BLUE)
    if history.val_loss:
        axes[0].plot(epochs, history.val_loss, label="validation", color=ORANGE)
    axes[0].set_xlabel("epoch")
    axes[0].set_ylabel("loss")
    axes[0].set_title("Loss")
    axes[0].legend()
    if panels == 2:
        axes[1].plot(epochs, history.train_accuracy, label="training", color=BLUE)
        if history.val_accuracy:
            axes[1].plot(epochs, history.val_accuracy, label="validation", color=ORANGE)
        axes[1].set_xlabel("epoch")
        axes[1].set_ylabel("accuracy")
        axes[1].set_ylim(0, 1.02)
        axes[1].set_title("Accuracy")
        axes[1].legend(loc="lower right")
    fig.tight_layout()
    return fig


def draw_weights(
    ax: Axes,
    positions: Sequence[Sequence[tuple[float, float]]],
    weights: Sequence[npt.NDArray[np.float64]],
) -> None:
    """One line per weight between consecutive columns of neuron ``positions``.

    Blue for a positive weight, orange for a negative one, thicker for a larger
    magnitude (relative to the largest weight drawn).
    """
    largest = max([float(np.abs(W).max()) for W in weights] + [1e-9])
    for column, W in enumerate(weights):
        for j, (x1, y1) in enumerate(positions[column + 1]):
            for i, (x0, y0) in enumerate(positions[column]):
                w = W[j, i]
                ax.plot(
                    [x0, x1],
                    [y0, y1],
                    color=BLUE if w > 0 else ORANGE,
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

    Row i shows layer i (the last row is the output); orange is negative, blue positive.
    """
    points, _ = _points(X)
    to_inputs = _check_model(model, transform)
    gx, _, grid = _grid(points, resolution, margin=0.05)
    layers = model.layer_outputs_array(to_inputs(grid))
    columns = max(model.nouts)
    fig, axes = plt.subplots(
        len(layers), columns, figsize=(1.3 * columns + 0.5, 1.4 * len(layers)), squeeze=False
    )
    for row, outputs in enumerate(layers):
        limit = float(np.abs(outputs).max()) or 1.0
        for column in range(columns):
            ax = axes[row][column]
            if column >= outputs.shape[1]:
                ax.axis("off")
                continue
            heat_map(ax, outputs[:, column].reshape(gx.shape), limit)
            if column == 0:
                name = "output" if row == len(layers) - 1 else f"layer {row + 1}"
                ax.set_ylabel(name, fontsize=8)
    fig.suptitle("What each neuron computes over the input plane", fontsize=10)
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
    return fig


def draw_network(
    model: MLP,
    feature_names: Sequence[str] | None = None,
    ax: Axes | None = None,
    title: str | None = "Network",
) -> Figure:
    """The Playground's network diagram: neurons as circles, one line per weight.

    Lines are blue for positive weights and orange for negative ones, thicker
    for larger magnitudes.
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
    if title:
        axes.set_title(title)
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
