"""The network itself: its diagram (one line per weight) and its activation functions.

Weights are blue and solid when positive, orange and dashed when negative (colour is
never the only cue), thicker for a larger magnitude, as in the TensorFlow Playground.
Each figure describes itself from its data (:mod:`~micrograd_edu.visualize.alttext`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from micrograd_edu import Value
from micrograd_edu.nn import ACTIVATIONS, MLP, layer_weights

from .alttext import activation_text, network_text, set_description
from .figures import new_axes
from .palette import BLUE, NEGATIVE_DASH, ORANGE

__all__ = ["draw_network", "draw_weights", "plot_activation"]

_DASHES = tuple(float(part) for part in NEGATIVE_DASH.split())
"""A negative weight's dash pattern (matplotlib's on/off lengths)."""


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
    fig, axes = new_axes(ax, figsize=(1.8 * len(sizes) + 1, 0.55 * max(sizes) + 1.5))
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
    fig, axes = new_axes(ax, figsize=(4.5, 3.2))
    axes.axhline(0, color="#cbd5e1", linewidth=0.8)
    axes.axvline(0, color="#cbd5e1", linewidth=0.8)
    axes.plot(xs, values, color=BLUE, linewidth=2, label=f"{name}(x)")
    axes.plot(xs, slopes, color=ORANGE, linewidth=2, linestyle="--", label="derivative")
    axes.set_title(name)
    axes.set_xlabel("x")
    axes.legend(loc="upper left", fontsize=8)
    set_description(axes, activation_text(name, xs, np.array(values), np.array(slopes)))
    return fig
