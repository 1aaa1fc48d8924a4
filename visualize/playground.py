"""The TensorFlow Playground, reproduced: train on its data sets, draw it in its layout.

:func:`train_playground` takes the Playground's settings (data set, noise,
train/test ratio, features, hidden layers, activation, learning rate,
regularisation, batch size) and trains an MLP with micrograd_edu;
:func:`playground_figure` draws the result in the Playground's layout:

    DATA  |  FEATURES → HIDDEN LAYERS → (heat map of every neuron)  |  OUTPUT + loss curves
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from micrograd_edu import datasets, optim
from micrograd_edu.nn import MLP, ActivationName, layer_weights
from micrograd_edu.train import TrainingRun, evaluate, fit

from .plots import (
    BLUE,
    CLASS_COLORS,
    ORANGE,
    PLAYGROUND_CMAP,
    draw_weights,
    heat_map,
    plot_decision_boundary,
    plot_regression,
)

__all__ = ["playground", "playground_figure", "train_playground"]

Regularization = Literal["none", "l1", "l2"]


def train_playground(
    dataset: str = "circle",
    features: Sequence[str] = ("x1", "x2"),
    hidden: Sequence[int] = (4, 2),
    activation: ActivationName = "tanh",
    lr: float = 0.03,
    regularization: Regularization = "none",
    reg_rate: float = 0.0,
    noise: float = 0.0,
    train_ratio: float = 0.5,
    batch_size: int = 10,
    epochs: int = 300,
    seed: int = 0,
    n: int = 200,
) -> TrainingRun:
    """Train an MLP on a Playground data set with the Playground's settings (its defaults too).

    Classification sets are trained with a sigmoid output and cross-entropy
    (the course asks for class probabilities), regression sets with MSE.
    """
    if dataset not in datasets.CLASSIFICATION and dataset not in datasets.REGRESSION:
        names = ", ".join([*datasets.CLASSIFICATION, *datasets.REGRESSION])
        raise ValueError(f"unknown data set {dataset!r}; choose one of {names}")
    if regularization not in ("none", "l1", "l2"):
        raise ValueError(f"regularization must be 'none', 'l1' or 'l2', got {regularization!r}")
    if not 0.00001 <= lr <= 10:
        raise ValueError(f"lr must be between 0.00001 and 10 (the Playground's range), got {lr!r}")
    if not 0.1 <= train_ratio <= 0.9:
        raise ValueError(f"train_ratio must be between 0.1 and 0.9, got {train_ratio!r}")
    if len(hidden) > 6 or any(not 1 <= width <= 8 for width in hidden):
        raise ValueError(
            f"the Playground allows up to 6 hidden layers of 1 to 8 neurons, got {list(hidden)}"
        )
    X, y = datasets.load(dataset, n=n, noise=noise, seed=seed)
    X_train, X_test, y_train, y_test = datasets.train_test_split(X, y, train_ratio, seed=seed)
    loss = "mse" if dataset in datasets.REGRESSION else "bce"
    model = MLP(len(features), [*hidden, 1], activation=activation, seed=seed)
    history = fit(
        model,
        datasets.features(X_train, features),
        y_train,
        loss=loss,
        optimizer=optim.SGD(model.parameters(), lr=lr),
        epochs=epochs,
        batch_size=batch_size,
        X_val=datasets.features(X_test, features),
        y_val=y_test,
        l1=reg_rate if regularization == "l1" else 0.0,
        l2=reg_rate if regularization == "l2" else 0.0,
        seed=seed,
        progress=False,
    )
    return TrainingRun(model, history, loss, tuple(features), X_train, y_train, X_test, y_test)


def _heatmap_grid(resolution: int) -> tuple[np.ndarray, np.ndarray]:
    xs = np.linspace(-6, 6, resolution)
    gx, gy = np.meshgrid(xs, xs)
    return gx, np.column_stack([gx.ravel(), gy.ravel()])


def _network_panel(
    fig: Figure, rect: tuple[float, float, float, float], run: TrainingRun, resolution: int = 40
) -> None:
    """Feature and neuron heat maps at the nodes of the network, weights as coloured lines."""
    ax = fig.add_axes(rect)
    ax.axis("off")
    ax.set_title("FEATURES → HIDDEN LAYERS", fontsize=10, loc="left")
    model = run.model
    gx, grid = _heatmap_grid(resolution)
    inputs = run.inputs(grid)
    maps = [inputs, *model.layer_outputs_array(inputs)[:-1]]  # features, then each hidden layer
    sizes = [model.nin, *model.nouts[:-1]]
    tallest = max(sizes)
    positions = [
        [(2.0 * column, (size - 1) / 2 - i) for i in range(size)]
        for column, size in enumerate(sizes)
    ]
    draw_weights(ax, positions, [layer_weights(layer)[0] for layer in model.layers[:-1]])
    ax.set_xlim(-1.0, 2.0 * (len(sizes) - 1) + 1.0)
    ax.set_ylim(-tallest / 2 - 0.2, tallest / 2 + 0.4)
    for column, (layer_positions, values) in enumerate(zip(positions, maps, strict=True)):
        limit = float(np.abs(values).max()) or 1.0
        for i, (x, y) in enumerate(layer_positions):
            inset = ax.inset_axes((x - 0.4, y - 0.4, 0.8, 0.8), transform=ax.transData, zorder=3)
            heat_map(inset, values[:, i].reshape(gx.shape), limit)
            if column == 0:
                inset.set_ylabel(run.features[i], fontsize=8, rotation=0, ha="right", va="center")
        label = "features" if column == 0 else f"{len(layer_positions)} neurons"
        ax.text(2.0 * column, tallest / 2 + 0.15, label, ha="center", fontsize=8)


def playground_figure(run: TrainingRun, title: str | None = None) -> Figure:
    """Draw a trained :class:`~micrograd_edu.train.TrainingRun` in the Playground's layout."""
    fig = plt.figure(figsize=(15, 5.6))
    regression = run.loss == "mse"
    X_all = np.concatenate([run.X_train, run.X_test])

    data_ax = fig.add_axes((0.03, 0.12, 0.2, 0.72))
    data_ax.set_title("DATA (filled: training, hollow: test)", fontsize=10, loc="left")
    if regression:
        for X, y, face in ((run.X_train, run.y_train, None), (run.X_test, run.y_test, "none")):
            data_ax.scatter(
                X[:, 0], X[:, 1], c=y, cmap=PLAYGROUND_CMAP, vmin=-1, vmax=1, s=16, facecolors=face
            )
    else:
        for X, y, hollow in ((run.X_train, run.y_train, False), (run.X_test, run.y_test, True)):
            colors = [CLASS_COLORS[int(label)] for label in y]
            if hollow:
                data_ax.scatter(X[:, 0], X[:, 1], facecolors="none", edgecolors=colors, s=16)
            else:
                data_ax.scatter(X[:, 0], X[:, 1], c=colors, s=16)
    data_ax.set_aspect("equal", adjustable="datalim")

    _network_panel(fig, (0.25, 0.06, 0.42, 0.8), run)

    out_ax = fig.add_axes((0.70, 0.36, 0.27, 0.5))
    train_loss, _ = evaluate(run.model, run.inputs(run.X_train), run.y_train, run.loss)
    test_loss, _ = evaluate(run.model, run.inputs(run.X_test), run.y_test, run.loss)
    output_title = f"OUTPUT   test loss {test_loss:.3f}   training loss {train_loss:.3f}"
    if regression:
        plot_regression(
            run.model,
            X_all,
            np.concatenate([run.y_train, run.y_test]),
            ax=out_ax,
            transform=run.inputs,
            title=output_title,
            resolution=80,
        )
    else:
        plot_decision_boundary(
            run.model,
            X_all,
            np.concatenate([run.y_train, run.y_test]),
            ax=out_ax,
            transform=run.inputs,
            title=output_title,
            resolution=80,
        )
    out_ax.title.set_fontsize(9)

    loss_ax = fig.add_axes((0.72, 0.08, 0.25, 0.18))
    epochs = np.arange(1, run.history.epochs + 1)
    loss_ax.plot(epochs, run.history.train_loss, color=BLUE, label="training")
    loss_ax.plot(epochs, run.history.val_loss, color=ORANGE, label="test")
    loss_ax.set_xlabel("epoch", fontsize=8)
    loss_ax.set_ylabel("loss", fontsize=8)
    loss_ax.tick_params(labelsize=7)
    loss_ax.legend(fontsize=7)
    fig.suptitle(title or f"{run.model!r}", fontsize=11)
    return fig


def playground(
    dataset: str = "circle",
    features: Sequence[str] = ("x1", "x2"),
    hidden: Sequence[int] = (4, 2),
    activation: ActivationName = "tanh",
    lr: float = 0.03,
    regularization: Regularization = "none",
    reg_rate: float = 0.0,
    noise: float = 0.0,
    train_ratio: float = 0.5,
    batch_size: int = 10,
    epochs: int = 300,
    seed: int = 0,
) -> Figure:
    """Train with the Playground's settings and return one Playground-like figure."""
    run = train_playground(
        dataset,
        features,
        hidden,
        activation,
        lr,
        regularization,
        reg_rate,
        noise,
        train_ratio,
        batch_size,
        epochs,
        seed,
    )
    settings = (
        f"{dataset}, noise {noise:.0%}, {train_ratio:.0%} training, "
        f"features {', '.join(features)}, "
        f"hidden {list(hidden)}, {activation}, lr {lr:g}, batch {batch_size}, {epochs} epochs, "
        f"regularization {regularization}" + (f" {reg_rate:g}" if regularization != "none" else "")
    )
    return playground_figure(run, title=settings)
