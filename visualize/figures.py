"""What every matplotlib figure of :mod:`micrograd_edu.visualize` shares: its description.

A figure the library draws is a :class:`~micrograd_edu.visualize.alttext.DescribedFigure`:
it carries a description of what it shows, written from its data
(:func:`~micrograd_edu.visualize.alttext.describe`), which a notebook shows as the image's
alternative text. :func:`new_axes` makes one (or uses the axes given);
:func:`save_figure` writes a figure atomically and keeps the description in the file.
"""

from __future__ import annotations

import contextlib
import io as _bytes_io
import os
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from micrograd_edu.io import write_atomically

from .alttext import DescribedFigure, describe

__all__ = ["METADATA_KEY", "new_axes", "save_figure"]

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


def new_axes(ax: Axes | None, figsize: tuple[float, float] = (5, 4.5)) -> tuple[Figure, Axes]:
    """``ax`` and its figure; without ``ax``, a new described figure of ``figsize`` inches."""
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    fig, new_ax = plt.subplots(figsize=figsize, FigureClass=DescribedFigure)
    return fig, new_ax
