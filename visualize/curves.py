"""Training in curves: loss and accuracy per epoch, on a logarithmic axis where it helps.

Training is blue and solid, validation orange and dashed, with a legend; each figure
of :func:`plot_history` describes itself from its numbers
(:func:`~micrograd_edu.visualize.alttext.history_texts`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import (
    FixedLocator,
    FuncFormatter,
    LogLocator,
    MaxNLocator,
    NullFormatter,
)

from micrograd_edu.train import History

from .alttext import DescribedFigure, history_texts, series_text, set_description
from .palette import BLUE, ORANGE

__all__ = ["log_y_axis", "plot_history", "plot_loss_curves"]


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
    """One panel per run: its training (blue, solid) and validation (orange, dashed) loss
    per epoch.

    ``curves`` maps a run's name to ``{"train": [...], "validation": [...]}`` (as
    :func:`micrograd_edu.exercises.loss_curves` gives them); each panel has its own
    logarithmic loss axis (:func:`log_y_axis`) and says what its curves do (the figure's
    description, :func:`~micrograd_edu.visualize.alttext.describe`). Raises ValueError for
    no runs.

    >>> fig = plot_loss_curves({"A": {"train": [1.0, 0.5], "validation": [1.1, 0.7]}})
    >>> [ax.get_title() for ax in fig.axes], fig.axes[0].get_ylabel()
    (['curve A'], 'loss (log scale)')
    >>> plt.close(fig)
    """
    if not curves:
        raise ValueError("plot_loss_curves: give at least one run")
    fig, axes = plt.subplots(
        1,
        len(curves),
        figsize=(4 * len(curves), 3.2),
        squeeze=False,
        layout="constrained",
        FigureClass=DescribedFigure,
    )
    for ax, (name, run) in zip(axes[0], curves.items(), strict=True):
        ax.plot(range(1, len(run["train"]) + 1), run["train"], color=BLUE, label="training")
        ax.plot(
            range(1, len(run["validation"]) + 1),
            run["validation"],
            color=ORANGE,
            linestyle="--",
            label="validation",
        )
        log_y_axis(ax)
        ax.set_title(title.format(name))
        set_description(
            ax,
            f"{title.format(name)}, loss on a log scale over {len(run['train'])} epochs: "
            + series_text("training loss", run["train"], count=False)
            + "; "
            + series_text("validation loss (dashed)", run["validation"], count=False),
        )
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss (log scale)")
    axes[0][0].legend()
    return fig
