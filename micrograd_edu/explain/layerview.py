"""What each layer does to the plane: a grid of the input plane, as each hidden layer maps it.

A hidden layer of k neurons sends every point of the input plane to a point
of k-dimensional space. Drawing where the lines of a grid go shows how the
layer bends (and folds) the plane -- so that, at the last hidden layer, a
straight line (the output neuron) can separate the classes.

Layers of two neurons are drawn directly (their two outputs are the two
axes); one neuron gets a second axis of zeros; wider layers are projected on
their two principal components (PCA by the singular value decomposition of
the centred outputs), and ``explained`` says how much of the spread the
picture keeps.

>>> import numpy as np
>>> from micrograd_edu.nn import MLP
>>> model = MLP(2, [2, 3, 1], activation="tanh", seed=0)
>>> views = layer_views(model, np.zeros((1, 2)), np.zeros(1), lines=3, resolution=5)
>>> [(v.layer, v.width, v.projected) for v in views]
[(0, 2, False), (1, 2, False), (2, 3, True)]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..nn import MLP

__all__ = ["LayerView", "layer_views", "project_2d"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class LayerView:
    """The plane as seen by one layer (``layer`` 0 is the input plane itself).

    ``lines`` are the grid's lines, each an (m, 2) array of points after the
    layer; ``points`` the data points after it, ``labels`` their labels;
    ``explained`` the fraction of the outputs' variance the two drawn axes keep
    (1 when drawn directly).
    """

    layer: int
    width: int
    projected: bool
    explained: float
    lines: list[FloatArray]
    points: FloatArray
    labels: FloatArray


def project_2d(outputs: FloatArray) -> tuple[FloatArray, FloatArray, float]:
    """Two coordinates for k-dimensional points: the outputs themselves when k ≤ 2, else PCA.

    Returns the (n, 2) coordinates, the (2, k) projection (zeros rows for
    missing axes) and the fraction of the variance the two axes keep.
    """
    n, k = outputs.shape
    if k <= 2:
        basis = np.eye(2, k)
        coords = np.zeros((n, 2))
        coords[:, :k] = outputs
        return coords, basis, 1.0
    centred = outputs - outputs.mean(axis=0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    total = float(np.sum(singular**2))
    explained = float(np.sum(singular[:2] ** 2) / total) if total > 0 else 1.0
    return centred @ vt[:2].T, vt[:2], explained


def layer_views(
    model: MLP,
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    to_inputs: Callable[[FloatArray], FloatArray] | None = None,
    extent: float = 6.0,
    lines: int = 13,
    resolution: int = 80,
) -> list[LayerView]:
    """The input plane's grid and the data, through the input and each hidden layer.

    Parameters
    ----------
    X, y:
        The data points, (n, 2) in the plane, and their labels.
    to_inputs:
        Maps (m, 2) points of the plane to the network's inputs (the
        Playground's features); default: the points themselves.
    extent:
        The grid covers [−extent, extent]²: ``lines`` lines in each direction,
        each sampled at ``resolution`` points.

    Raises
    ------
    ValueError
        The points and the labels differ in number, or the grid is too small.
    """
    points = np.asarray(X, dtype=np.float64).reshape(-1, 2) if np.size(X) else np.empty((0, 2))
    labels = np.asarray(y, dtype=np.float64).reshape(-1)
    if len(labels) != len(points):
        raise ValueError(f"{len(points)} points but {len(labels)} labels")
    if lines < 2 or resolution < 2:
        raise ValueError(f"the grid needs lines ≥ 2 and resolution ≥ 2, got {lines}, {resolution}")
    transform = to_inputs or (lambda p: p)
    ticks = np.linspace(-extent, extent, lines)
    along = np.linspace(-extent, extent, resolution)
    grid = [np.column_stack([along, np.full(resolution, t)]) for t in ticks]
    grid += [np.column_stack([np.full(resolution, t), along]) for t in ticks]
    everything = np.concatenate([*grid, points])
    stages = [everything, *model.layer_outputs_array(transform(everything))[:-1]]
    views = []
    for k, outputs in enumerate(stages):
        coords, _, explained = project_2d(outputs)
        split = np.split(coords, np.arange(resolution, len(grid) * resolution + 1, resolution))
        views.append(
            LayerView(
                k, outputs.shape[1], outputs.shape[1] > 2, explained, split[:-1], split[-1], labels
            )
        )
    return views
