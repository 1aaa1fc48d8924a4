"""Heat maps over the plane as small PNG images: NumPy values through the Playground's colours."""

from __future__ import annotations

import base64
import io

import matplotlib.colors
import matplotlib.image
import numpy as np
import numpy.typing as npt

from ..palette import CLASS_COLORS, PLANE_PALING, PLAYGROUND_CMAP

__all__ = ["RADIUS", "classes_data_uri", "grid", "png_data_uri"]

FloatArray = npt.NDArray[np.float64]
RADIUS = 6.0
"""The plane is [−RADIUS, RADIUS]²."""


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
    rgb = PLANE_PALING * (probabilities @ colors) + 1 - PLANE_PALING
    buffer = io.BytesIO()
    matplotlib.image.imsave(buffer, np.clip(rgb, 0.0, 1.0), format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
