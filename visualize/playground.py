"""The TensorFlow Playground, reproduced: train on its data sets, draw it in its layout.

:func:`train_playground` takes the Playground's settings (data set, noise,
train/test ratio, features, hidden layers, activation, learning rate,
regularisation, batch size) and trains an MLP with micrograd_edu;
:func:`playground_figure` draws the result in the Playground's layout:

    DATA  |  FEATURES → HIDDEN LAYERS → (heat map of every neuron)  |  OUTPUT + loss curves
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from micrograd_edu import datasets, optim
from micrograd_edu._support import validation
from micrograd_edu.nn import ACTIVATIONS, MLP, ActivationName, layer_weights
from micrograd_edu.train import TrainingRun, evaluate, fit

from .alttext import DescribedFigure, describe, set_description, still_text
from .network import draw_weights
from .palette import BLUE, CLASS_COLORS, CLASS_MARKERS, ORANGE, PLAYGROUND_CMAP
from .planes import heat_map, plot_decision_boundary, plot_regression

__all__ = ["PlaygroundSettings", "playground", "playground_figure", "train_playground"]

Regularization = Literal["none", "l1", "l2"]

PLAYGROUND_CLASSIFICATION = ("circle", "xor", "gauss", "spiral")
PLAYGROUND_REGRESSION = ("plane", "multi_gauss")
LOSSES = {"classification": ("bce", "hinge", "cross_entropy"), "regression": ("mse",)}
MULTICLASS = {"blobs": 3}
"""Data sets of more than two classes (a softmax output: ``loss="cross_entropy"``)."""
MAX_HIDDEN_LAYERS = 6
MAX_NEURONS = 8


@dataclass(frozen=True)
class PlaygroundSettings:
    """Every setting of the Playground, checked by :meth:`validated`.

    ``regularization=None`` means ``"none"``. ``loss=None`` picks the
    problem's default: ``"bce"`` (class probabilities) for classification,
    ``"mse"`` for regression, ``"cross_entropy"`` (the only one) for ``blobs``'
    three classes; ``"cross_entropy"`` gives the network one output per class.
    """

    dataset: str = "circle"
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (4, 2)
    activation: str = "tanh"
    lr: float = 0.03
    regularization: str | None = "none"
    reg_rate: float = 0.0
    noise: float = 0.0
    train_ratio: float = 0.5
    batch_size: int = 10
    seed: int = 0
    loss: str | None = None
    n: int = 200

    @property
    def problem(self) -> Literal["classification", "regression"]:
        return "regression" if self.dataset in datasets.REGRESSION else "classification"

    @property
    def classes(self) -> int:
        """Classes of the data set: 3 for ``blobs``, 2 for the others, 0 for regression."""
        if self.problem == "regression":
            return 0
        return MULTICLASS.get(self.dataset, 2)

    def validated(self) -> PlaygroundSettings:
        """These settings checked (Playground ranges) and normalised, or ``ValueError``."""
        names = [*datasets.CLASSIFICATION, *datasets.REGRESSION]
        if self.dataset not in names:
            raise ValueError(f"unknown data set {self.dataset!r}; choose one of {', '.join(names)}")
        if isinstance(self.features, str) or not self.features:
            raise ValueError(f"features must be a non-empty list of names, got {self.features!r}")
        unknown = [name for name in self.features if name not in datasets.FEATURES]
        if unknown:
            raise ValueError(f"unknown feature(s) {unknown}; choose from {list(datasets.FEATURES)}")
        if (
            isinstance(self.hidden, (str, bytes))
            or len(self.hidden) > MAX_HIDDEN_LAYERS
            or any(
                isinstance(width, bool)
                or not isinstance(width, int)
                or not 1 <= width <= MAX_NEURONS
                for width in self.hidden
            )
        ):
            raise ValueError(
                f"the Playground allows up to {MAX_HIDDEN_LAYERS} hidden layers of 1 to "
                f"{MAX_NEURONS} neurons, got {list(self.hidden)}"
            )
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                f"unknown activation {self.activation!r}; choose one of {', '.join(ACTIVATIONS)}"
            )
        regularization = "none" if self.regularization is None else self.regularization
        if regularization not in ("none", "l1", "l2"):
            raise ValueError(
                f"regularization must be 'none', 'l1', 'l2' or None, got {self.regularization!r}"
            )
        try:
            lr = validation.real("lr", self.lr, low=0.00001, high=10.0)
        except ValueError:
            raise ValueError(
                f"lr must be between 0.00001 and 10 (the Playground's range), got {self.lr!r}"
            ) from None
        try:
            train_ratio = validation.real("train_ratio", self.train_ratio, low=0.1, high=0.9)
        except ValueError:
            raise ValueError(
                f"train_ratio must be between 0.1 and 0.9, got {self.train_ratio!r}"
            ) from None
        loss = self._checked_loss()
        return replace(
            self,
            features=tuple(self.features),
            hidden=tuple(int(width) for width in self.hidden),
            regularization=regularization,
            lr=lr,
            reg_rate=validation.real("reg_rate", self.reg_rate, low=0.0, high=10.0),
            noise=validation.real("noise", self.noise, low=0.0, high=0.5),
            train_ratio=train_ratio,
            batch_size=validation.integer("batch_size", self.batch_size, maximum=30),
            seed=validation.integer("seed", self.seed, minimum=0),
            loss=loss,
            n=validation.integer("n", self.n, minimum=10, maximum=2000),
        )

    def _checked_loss(self) -> str:
        """The loss, or the problem's default: ``ValueError`` if it does not fit the data."""
        if self.classes > 2:
            if self.loss not in (None, "cross_entropy"):
                raise ValueError(
                    f"loss {self.loss!r} does not fit the {self.classes} classes of "
                    f"{self.dataset!r}; use 'cross_entropy' (a softmax output)"
                )
            return "cross_entropy"
        loss = self.loss or ("mse" if self.problem == "regression" else "bce")
        if loss not in LOSSES[self.problem]:
            raise ValueError(
                f"loss {loss!r} does not fit a {self.problem} problem; "
                f"choose one of {', '.join(LOSSES[self.problem])}"
            )
        return loss

    def outputs(self) -> int:
        """Output neurons: one logit per class for cross-entropy, else one."""
        return max(self.classes, 2) if self.loss == "cross_entropy" else 1

    def as_call(self, function: str = "live_playground") -> str:
        """The one-line call that recreates these settings."""
        arguments = ", ".join(f"{name}={value!r}" for name, value in asdict(self).items())
        return f"{function}({arguments})"

    def new_model(self) -> MLP:
        """A fresh network for these settings (weights from the seed)."""
        return MLP(
            len(self.features),
            [*self.hidden, self.outputs()],
            activation=self.activation,  # type: ignore[arg-type]
            seed=self.seed,
        )


def settings_from(**settings: Any) -> PlaygroundSettings:
    """Keyword settings as validated :class:`PlaygroundSettings` (unknown names refused)."""
    known = PlaygroundSettings.__dataclass_fields__
    unknown = sorted(set(settings) - set(known))
    if unknown:
        raise TypeError(f"unknown setting(s) {unknown}; the settings are {', '.join(known)}")
    for name in ("features", "hidden"):
        if name in settings and not isinstance(settings[name], (str, bytes)):
            settings[name] = tuple(settings[name])
    return PlaygroundSettings(**settings).validated()


def train_playground(
    dataset: str = "circle",
    features: Sequence[str] = ("x1", "x2"),
    hidden: Sequence[int] = (4, 2),
    activation: ActivationName = "tanh",
    lr: float = 0.03,
    regularization: Regularization | None = "none",
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
    The settings are checked by :meth:`PlaygroundSettings.validated`.
    """
    settings = settings_from(
        dataset=dataset,
        features=features,
        hidden=hidden,
        activation=activation,
        lr=lr,
        regularization=regularization,
        reg_rate=reg_rate,
        noise=noise,
        train_ratio=train_ratio,
        batch_size=batch_size,
        seed=seed,
        n=n,
    )
    X_train, X_test, y_train, y_test = playground_data(settings)
    model = settings.new_model()
    history = fit(
        model,
        datasets.features(X_train, settings.features),
        y_train,
        loss=str(settings.loss),
        optimizer=optim.SGD(model.parameters(), lr=settings.lr),
        epochs=epochs,
        batch_size=settings.batch_size,
        X_val=datasets.features(X_test, settings.features),
        y_val=y_test,
        l1=settings.reg_rate if settings.regularization == "l1" else 0.0,
        l2=settings.reg_rate if settings.regularization == "l2" else 0.0,
        seed=settings.seed,
        progress=False,
    )
    return TrainingRun(
        model, history, str(settings.loss), settings.features, X_train, y_train, X_test, y_test
    )


def playground_data(
    settings: PlaygroundSettings,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The data set of ``settings``, split: ``(X_train, X_test, y_train, y_test)``."""
    X, y = datasets.load(settings.dataset, n=settings.n, noise=settings.noise, seed=settings.seed)
    X_train, X_test, y_train, y_test = datasets.train_test_split(
        X, y, settings.train_ratio, seed=settings.seed
    )
    return X_train, X_test, y_train, y_test


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
    _colour_bar(fig, rect)


def _colour_bar(fig: Figure, rect: tuple[float, float, float, float]) -> None:
    """The heat maps' colour scale (colour is not the only cue: the bar names the ends)."""
    left, bottom, width, _ = rect
    bar = fig.add_axes((left + 0.02, bottom, width * 0.3, 0.025))
    bar.imshow(np.linspace(-1, 1, 64)[None, :], aspect="auto", cmap=PLAYGROUND_CMAP)
    bar.set_yticks([])
    bar.set_xticks([0, 31.5, 63], ["negative", "0", "positive"], fontsize=7)
    bar.set_title("neuron output (each layer scaled to its largest)", fontsize=7)


def _class_points(ax: Axes, run: TrainingRun) -> None:
    """The points, one marker shape per class (colour is not the only cue), with a legend."""
    for X, y, hollow in ((run.X_train, run.y_train, False), (run.X_test, run.y_test, True)):
        for k in np.unique(y).astype(int):
            chosen = X[y == k]
            color, marker = CLASS_COLORS[k], CLASS_MARKERS[k % len(CLASS_MARKERS)]
            ax.scatter(
                chosen[:, 0],
                chosen[:, 1],
                marker=marker,
                s=16,
                facecolors="none" if hollow else color,
                edgecolors=color if hollow else "#1f2937",
                linewidths=1.0 if hollow else 0.4,
                label=None if hollow else f"class {k}",
            )
    ax.legend(fontsize=7, loc="upper right", framealpha=0.8)


def _data_panel(fig: Figure, run: TrainingRun) -> None:
    """DATA: the training points filled, the test points hollow."""
    data_ax = fig.add_axes((0.03, 0.12, 0.2, 0.72))
    data_ax.set_title("DATA (filled: training, hollow: test)", fontsize=10, loc="left")
    if run.loss == "mse":
        for X, y, face in ((run.X_train, run.y_train, None), (run.X_test, run.y_test, "none")):
            data_ax.scatter(
                X[:, 0], X[:, 1], c=y, cmap=PLAYGROUND_CMAP, vmin=-1, vmax=1, s=16, facecolors=face
            )
    else:
        _class_points(data_ax, run)
    data_ax.set_aspect("equal", adjustable="datalim")


def _output_panel(fig: Figure, run: TrainingRun, train_loss: float, test_loss: float) -> Axes:
    """OUTPUT: the decision boundary (or the predicted value) over all the points; its axes."""
    out_ax = fig.add_axes((0.70, 0.36, 0.27, 0.5))
    plot = plot_regression if run.loss == "mse" else plot_decision_boundary
    plot(
        run.model,
        np.concatenate([run.X_train, run.X_test]),
        np.concatenate([run.y_train, run.y_test]),
        ax=out_ax,
        transform=run.inputs,
        title=f"OUTPUT   test loss {test_loss:.3f}   training loss {train_loss:.3f}",
        resolution=80,
    )
    out_ax.title.set_fontsize(9)
    return out_ax


def _loss_panel(fig: Figure, run: TrainingRun, train_loss: float, test_loss: float) -> None:
    """The loss curves under the output; before any epoch, epoch 0's losses as two points."""
    loss_ax = fig.add_axes((0.72, 0.08, 0.25, 0.18))
    if run.history.epochs == 0:  # a fresh network (the live app before Play): epoch 0's losses
        loss_ax.plot([0], [train_loss], "o", color=BLUE, label="training")
        loss_ax.plot([0], [test_loss], "o", color=ORANGE, label="test")
        loss_ax.text(
            0.55,
            0.5,
            "epoch 0: not trained yet",
            transform=loss_ax.transAxes,
            ha="center",
            va="center",
            fontsize=8,
            color="#475569",
        )
        loss_ax.set_xlim(-0.5, 10.0)
    else:
        epochs = np.arange(1, run.history.epochs + 1)
        loss_ax.plot(epochs, run.history.train_loss, color=BLUE, label="training")
        loss_ax.plot(epochs, run.history.val_loss, color=ORANGE, label="test", linestyle="--")
    loss_ax.set_xlabel("epoch", fontsize=8)
    loss_ax.set_ylabel("loss", fontsize=8)
    loss_ax.tick_params(labelsize=7)
    loss_ax.legend(fontsize=7)


def playground_figure(run: TrainingRun, title: str | None = None) -> Figure:
    """Draw a trained :class:`~micrograd_edu.train.TrainingRun` in the Playground's layout.

    The figure's description (:func:`~micrograd_edu.visualize.alttext.describe`) says the
    data, the network, the output over the plane and the loss curves in words.
    """
    fig = plt.figure(figsize=(15, 5.6), FigureClass=DescribedFigure)
    _data_panel(fig, run)
    _network_panel(fig, (0.25, 0.06, 0.42, 0.8), run)
    train_loss, _ = evaluate(run.model, run.inputs(run.X_train), run.y_train, run.loss)
    test_loss, _ = evaluate(run.model, run.inputs(run.X_test), run.y_test, run.loss)
    out_ax = _output_panel(fig, run, train_loss, test_loss)
    _loss_panel(fig, run, train_loss, test_loss)
    fig.suptitle(title or f"{run.model!r}", fontsize=11)
    set_description(fig, still_text(run, title or f"{run.model!r}", describe(out_ax)))
    return fig


def playground(
    dataset: str = "circle",
    features: Sequence[str] = ("x1", "x2"),
    hidden: Sequence[int] = (4, 2),
    activation: ActivationName = "tanh",
    lr: float = 0.03,
    regularization: Regularization | None = "none",
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
        f"regularization {regularization or 'none'}"
        + (f" {reg_rate:g}" if regularization not in ("none", None) else "")
    )
    return playground_figure(run, title=settings)
