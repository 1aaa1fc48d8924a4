"""The fingerprints of training runs: loss, gradient norm, accuracy and boundary, side by side.

One row per run (:class:`micrograd_edu.exercises.symptoms.Run`), so that a run with a
mistake can be read beside the correct one, or a mystery run beside the others. The
figure's description (:func:`~micrograd_edu.visualize.alttext.describe`) says each row
in words, from the same numbers: what a student who cannot see the curves reads.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from micrograd_edu.exercises.symptoms import Run

from .alttext import DescribedFigure, describe, series_text, set_description
from .curves import log_y_axis
from .palette import BLUE, CLASS_COLORS, HIGHLIGHT
from .planes import plot_decision_boundary

__all__ = ["plot_runs"]


def plot_runs(runs: Mapping[str, Run], boundary: bool = True) -> Figure:
    """A grid: one row per run (titled by its key), columns loss, ‖gradient‖, accuracy, boundary.

    Loss and gradient norm are drawn on a log scale: the mistakes change them
    by factors of ten and more. Raises ValueError for no runs.

    In a notebook, assign the figure (``fig = plot_runs(...)``) or end the line with
    ``;``: a Figure left as a cell's last value is shown a second time.
    """
    if not runs:
        raise ValueError("plot_runs: give at least one run")
    columns = 4 if boundary else 3
    fig, axes = plt.subplots(
        len(runs),
        columns,
        figsize=(3.2 * columns, 2.4 * len(runs)),
        squeeze=False,
        FigureClass=DescribedFigure,
    )
    for row, (name, run) in zip(axes, runs.items(), strict=True):
        steps = range(1, len(run.loss) + 1)
        row[0].plot(steps, run.loss, color=BLUE)
        log_y_axis(row[0])
        row[0].set_ylabel(name, fontsize=12, fontweight="bold")
        row[1].plot(steps, run.grad_norm, color=HIGHLIGHT)
        log_y_axis(row[1])
        row[2].plot(steps, run.accuracy, color=CLASS_COLORS[4])
        row[2].set_ylim(0.0, 1.05)
        row[2].axhline(0.5, color="#94a3b8", linewidth=0.8, linestyle="--")
        if boundary:
            with warnings.catch_warnings():  # a network that calls everything one class
                warnings.filterwarnings("ignore", message="No contour levels were found")
                plot_decision_boundary(
                    run.model, run.X, run.y, ax=row[3], title=None, resolution=60
                )
    for ax, title in zip(axes[0], ("loss", "gradient norm", "accuracy", "boundary"), strict=False):
        ax.set_title(title)
    for ax in axes[-1][:3]:
        ax.set_xlabel("step")
    set_description(fig, runs_text(runs, [describe(row[3]) for row in axes] if boundary else []))
    fig.tight_layout()
    return fig


def runs_text(runs: Mapping[str, Run], boundaries: list[str]) -> str:
    """The runs in words, one sentence each: loss, gradient norm and accuracy over the
    steps, then (given) the boundary's description."""
    sentences = []
    for i, (name, run) in enumerate(runs.items()):
        parts = [
            series_text("loss", run.loss, "step"),
            series_text("gradient norm", run.grad_norm, "step", count=False),
            series_text("accuracy", run.accuracy, "step", "highest", percent=True, count=False),
        ]
        text = f"Run {name!r}: " + "; ".join(parts)
        if boundaries:
            text += f". Its {boundaries[i][0].lower()}{boundaries[i][1:].rstrip('.')}"
        sentences.append(text)
    return (
        f"{len(runs)} training run{'s' if len(runs) != 1 else ''}, one row each (loss and "
        "gradient norm on log scales). " + ". ".join(sentences)
    )
