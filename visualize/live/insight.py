"""Training health, the layer view and one step, for a live Playground session.

The numbers come from :mod:`micrograd_edu.explain.health` and
:mod:`micrograd_edu.explain.layerview`; here they are taken from a
:class:`~micrograd_edu.visualize.live.session.PlaygroundSession` (its network, its training
points and settings) and drawn with matplotlib. Nothing here changes the
session except :func:`session_one_step` (which takes one SGD step).

:data:`VANISHING_GRADIENTS` is a preset where the numbers matter: a deep
sigmoid network whose first layers stop learning.

>>> from micrograd_edu.visualize.live.session import PlaygroundSession
>>> session = PlaygroundSession(**VANISHING_GRADIENTS)
>>> first, *_, last = session_health(session)
>>> first.grad_norm < 1e-3 * last.grad_norm  # the first layer hardly gets a gradient
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from micrograd_edu import datasets
from micrograd_edu.explain.health import LayerHealth, StepTrace, layer_health, one_step
from micrograd_edu.explain.layerview import LayerView, layer_views

from ..palette import CLASS_COLORS, CLASS_MARKERS
from .session import PlaygroundSession

__all__ = [
    "VANISHING_GRADIENTS",
    "HealthLog",
    "plot_health",
    "plot_layer_views",
    "session_health",
    "session_layer_views",
    "session_one_step",
]

VANISHING_GRADIENTS: dict[str, Any] = {
    "dataset": "circle",
    "hidden": (6, 6, 6, 6, 6),
    "activation": "sigmoid",
    "lr": 0.3,
    "n": 200,
}
"""Five sigmoid layers: each passes back at most a quarter of the gradient (σ' ≤ 1/4),
so the first layer's gradient is about 10⁻⁴ of the last's and it stops learning."""

MAX_SAMPLES = 200
"""At most this many training points for the health numbers (a graph per point)."""


def _training_batch(session: PlaygroundSession, limit: int) -> tuple[Any, Any]:
    X, y = session.X_train[:limit], session.y_train[:limit]
    if len(X) == 0:
        raise ValueError("there are no training points: add some on the plane")
    return session.inputs(X), y


def session_health(session: PlaygroundSession, max_samples: int = MAX_SAMPLES) -> list[LayerHealth]:
    """Each layer's gradient norm and update/weight ratio on the session's training points."""
    with session.lock:
        X, y = _training_batch(session, max_samples)
        return layer_health(session.model, X, y, str(session.settings.loss), session.settings.lr)


@dataclass
class HealthLog:
    """The health numbers epoch by epoch, to draw beside the loss curve."""

    epochs: list[int] = field(default_factory=list)
    layers: list[list[LayerHealth]] = field(default_factory=list)

    def record(self, session: PlaygroundSession) -> list[LayerHealth]:
        """Measure the session now and keep the numbers under its current epoch."""
        health = session_health(session)
        self.epochs.append(session.epoch)
        self.layers.append(health)
        return health

    def grad_norms(self) -> np.ndarray:
        """An (epochs, layers) array of gradient norms."""
        return np.array([[h.grad_norm for h in row] for row in self.layers])

    def update_ratios(self) -> np.ndarray:
        """An (epochs, layers) array of update/weight ratios."""
        return np.array([[h.update_ratio for h in row] for row in self.layers])


def session_layer_views(session: PlaygroundSession) -> list[LayerView]:
    """The plane's grid and the training points through the input and each hidden layer."""
    with session.lock:
        return layer_views(
            session.model,
            session.X_train,
            session.y_train,
            to_inputs=session.inputs,
            extent=datasets.RADIUS,
        )


def session_one_step(
    session: PlaygroundSession, seed: int | None = None, apply: bool = True
) -> StepTrace:
    """One SGD step on one mini-batch of the session's training points, traced (and applied).

    The batch is ``batch_size`` points drawn without replacement (from ``seed``).
    L1/L2 regularization is not part of the traced step. With ``apply=False``
    the weights stay as they are (the trace says what the step would do).
    """
    with session.lock:
        n = len(session.X_train)
        if n == 0:
            raise ValueError("there are no training points: add some on the plane")
        rng = np.random.default_rng(seed)
        batch = rng.choice(n, size=min(session.settings.batch_size, n), replace=False)
        X = session.inputs(session.X_train[batch])
        return one_step(
            session.model,
            X,
            session.y_train[batch],
            str(session.settings.loss),
            session.settings.lr,
            apply=apply,
        )


def plot_health(log: HealthLog, losses: list[float] | None = None) -> Figure:
    """Gradient norm and update/weight ratio of each layer per epoch (log scale), with the loss."""
    if not log.layers:
        raise ValueError("the health log is empty: record() it after some epochs")
    panels = 3 if losses else 2
    fig, axes = plt.subplots(1, panels, figsize=(4.2 * panels, 3.2))
    for values, ax, title in (
        (log.grad_norms(), axes[0], "gradient norm"),
        (log.update_ratios(), axes[1], "update / weight"),
    ):
        for k in range(values.shape[1]):
            ax.plot(log.epochs, values[:, k], label=f"layer {k + 1}")
        ax.set_yscale("log")
        ax.set_title(title)
        ax.set_xlabel("epoch")
    axes[1].axhline(1e-3, color="#94a3b8", linestyle="--", linewidth=0.8)
    axes[0].legend(fontsize=7)
    if losses:
        axes[2].plot(range(1, len(losses) + 1), losses, color="#111827")
        axes[2].set_title("loss")
        axes[2].set_xlabel("epoch")
    fig.tight_layout()
    return fig


def plot_layer_views(views: list[LayerView]) -> Figure:
    """One panel per layer: the grid's lines and the data points, as that layer places them."""
    fig, axes = plt.subplots(1, len(views), figsize=(3.2 * len(views), 3.2), squeeze=False)
    ones = views[0].labels > 0.5
    for ax, view in zip(axes[0], views, strict=True):
        for line in view.lines:
            ax.plot(line[:, 0], line[:, 1], color="#94a3b8", linewidth=0.6)
        if len(view.points):  # a shape per class as well as a colour
            for k, chosen in ((0, ~ones), (1, ones)):
                ax.scatter(
                    view.points[chosen, 0],
                    view.points[chosen, 1],
                    c=CLASS_COLORS[k],
                    marker=CLASS_MARKERS[k],
                    s=10,
                    edgecolors="none",
                )
        name = "input plane" if view.layer == 0 else f"layer {view.layer} ({view.width} neurons)"
        if view.projected:
            name += f"\nPCA, {view.explained:.0%} of the spread"
        ax.set_title(name, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig
