"""The model over the input plane: its decision boundary, its predicted value, each neuron.

Orange is negative (class 0), blue is positive (class 1), as in the TensorFlow
Playground; colour is never the only cue: each class has its marker shape, heat maps
have a colour bar. Each figure describes itself from its data
(:mod:`~micrograd_edu.visualize.alttext`): which class is predicted where, how many
points are right and where the wrong ones lie.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.figure import Figure

from micrograd_edu.nn import MLP
from micrograd_edu.train import predict_proba

from .alttext import (
    DescribedFigure,
    boundary_text,
    extent,
    map_text,
    plane_text,
    regression_text,
    set_description,
)
from .figures import new_axes
from .palette import CLASS_COLORS as _CLASS_COLORS
from .palette import CLASS_MARKERS, PLAYGROUND_CMAP

__all__ = [
    "CLASS_COLORS",
    "Transform",
    "heat_map",
    "plot_decision_boundary",
    "plot_neuron_outputs",
    "plot_regression",
    "scatter_classes",
]

# The colours come from the one palette (colour-blind safe, checked: visualize/palette.py).
CLASS_COLORS = list(_CLASS_COLORS)

Transform = Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]]
"""Maps points of the plane, shape (n, 2), to the model's inputs (e.g. Playground features)."""


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
    fig, axes = new_axes(ax)
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
    fig, axes = new_axes(ax)
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
