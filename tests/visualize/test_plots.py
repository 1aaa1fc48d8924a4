"""Plots: figure structure (axes, artists, titles), not pixels; atomic saving; CLI pictures."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import matplotlib.pyplot as plt
from matplotlib.collections import PathCollection

from micrograd_edu import datasets
from micrograd_edu.cli.train import main as cli_main
from micrograd_edu.nn import MLP
from micrograd_edu.train import fit
from micrograd_edu.visualize import (
    draw_network,
    playground,
    plot_activation,
    plot_decision_boundary,
    plot_history,
    plot_neuron_outputs,
    plot_regression,
    save_figure,
)
from micrograd_edu.visualize.playground import train_playground


@pytest.fixture(autouse=True)
def _close_figures() -> None:
    yield
    plt.close("all")


def test_decision_boundary_two_classes() -> None:
    X, y = datasets.gauss(n=40, seed=0)
    model = MLP(2, [3, 1], seed=0)
    fig = plot_decision_boundary(model, X, y)
    ax = fig.axes[0]
    assert ax.get_title() == "Decision boundary"
    scatter = [c for c in ax.collections if isinstance(c, PathCollection)]
    # one marker shape per class (colour is not the only cue), named in the legend
    assert [len(c.get_offsets()) for c in scatter] == [int((y == 0).sum()), int((y == 1).sum())]
    circle, square = (c.get_paths()[0] for c in scatter)
    assert len(circle.vertices) != len(square.vertices)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]
    assert ax.get_xlabel() == "x1"


def test_decision_boundary_multiclass_and_given_axes() -> None:
    X, y = datasets.blobs(n=30, classes=3, seed=0)
    fig, ax = plt.subplots()
    returned = plot_decision_boundary(MLP(2, [4, 3], seed=0), X, y, ax=ax, title="three classes")
    assert returned is fig
    assert ax.get_title() == "three classes"
    with pytest.raises(ValueError, match=re.escape("y must have shape (30,), got (29,)")):
        plot_decision_boundary(MLP(2, [4, 3], seed=0), X, y[:-1])
    with pytest.raises(TypeError, match=re.escape("expected an MLP, got str")):
        plot_decision_boundary("model", X, y)  # type: ignore[arg-type]


def test_regression_plot_has_a_colorbar() -> None:
    X, y = datasets.plane(n=30, seed=0)
    fig = plot_regression(MLP(2, [1], seed=0), X, y)
    assert len(fig.axes) == 2  # the plot and its colour bar
    assert fig.axes[0].get_title() == "Predicted value"


def test_history_panels() -> None:
    X, y = datasets.xor(n=30, seed=0)
    model = MLP(2, [3, 1], seed=0)
    history = fit(model, X[:20], y[:20], epochs=5, X_val=X[20:], y_val=y[20:], progress=False)
    fig = plot_history(history)
    assert [ax.get_title() for ax in fig.axes] == ["Loss", "Accuracy"]
    assert [len(line.get_xdata()) for line in fig.axes[0].lines] == [5, 5]
    regression = fit(
        MLP(2, [1], seed=0), *datasets.plane(n=10, seed=0), loss="mse", epochs=3, progress=False
    )
    assert [ax.get_title() for ax in plot_history(regression).axes] == ["Loss"]


def test_network_diagram_has_one_line_per_weight() -> None:
    model = MLP(2, [4, 3, 1], seed=0)
    fig = draw_network(model, feature_names=["x1", "x1*x2"])
    ax = fig.axes[0]
    assert len(ax.lines) == 2 * 4 + 4 * 3 + 3 * 1
    colors = {line.get_color() for line in ax.lines}
    assert colors <= {"#0877bd", "#f59322"}
    widths = [line.get_linewidth() for line in ax.lines]
    assert max(widths) > 3.5 and min(widths) >= 0.3
    assert {"x1", "x1*x2", "output"} <= {t.get_text() for t in ax.texts}
    with pytest.raises(ValueError, match=re.escape("3 feature names for a model with 2 inputs")):
        draw_network(model, feature_names=["a", "b", "c"])


def test_neuron_heat_maps() -> None:
    X, _ = datasets.circle(n=20, seed=0)
    fig = plot_neuron_outputs(MLP(2, [5, 3, 1], activation="tanh", seed=0), X, resolution=20)
    images = [ax for ax in fig.axes if ax.images]
    assert len(images) == 5 + 3 + 1
    assert images[0].images[0].get_array().shape == (20, 20)


@pytest.mark.parametrize("name", ["relu", "tanh", "sigmoid", "leaky_relu", "linear"])
def test_activation_plot_uses_the_engine_derivative(name: str) -> None:
    fig = plot_activation(name)
    function, derivative = fig.axes[0].lines[-2:]
    xs = np.asarray(derivative.get_xdata())
    slope = np.asarray(derivative.get_ydata())
    values = np.asarray(function.get_ydata())
    inner = slice(1, -1)
    numeric = np.gradient(values, xs)
    smooth = np.abs(xs[inner]) > 0.05  # away from the kink of relu-like functions
    np.testing.assert_allclose(slope[inner][smooth], numeric[inner][smooth], atol=2e-3)
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        plot_activation("swish")


def test_playground_figure_layout() -> None:
    fig = playground(dataset="xor", hidden=(3,), epochs=3, seed=1)
    titles = [ax.get_title(loc="left") or ax.get_title() for ax in fig.axes]
    assert "DATA (filled: training, hollow: test)" in titles
    assert "FEATURES → HIDDEN LAYERS" in titles
    output = [t for t in titles if t.startswith("OUTPUT")]
    assert len(output) == 1 and re.match(
        r"OUTPUT   test loss \d\.\d{3}   training loss \d\.\d{3}", output[0]
    )
    insets = [inset for ax in fig.axes for inset in ax.child_axes if inset.images]
    assert len(insets) == 2 + 3  # two features, three hidden neurons
    assert "xor, noise 0%, 50% training" in fig._suptitle.get_text()


def test_playground_regression_and_bad_settings() -> None:
    run = train_playground(
        dataset="plane", hidden=(2,), epochs=2, regularization="l2", reg_rate=0.01
    )
    assert run.loss == "mse"
    with pytest.raises(ValueError, match=re.escape("up to 6 hidden layers of 1 to 8 neurons")):
        train_playground(hidden=(9,))
    with pytest.raises(
        ValueError, match=re.escape("regularization must be 'none', 'l1', 'l2' or None")
    ):
        train_playground(regularization="dropout")  # type: ignore[arg-type]
    assert train_playground(regularization=None, epochs=1).history.epochs == 1
    with pytest.raises(ValueError, match=re.escape("lr must be between 0.00001 and 10")):
        train_playground(lr="fast")  # type: ignore[arg-type]


def test_save_figure_is_atomic_and_keeps_normal_permissions(tmp_path: Path) -> None:
    fig = plot_activation("relu")
    path = save_figure(fig, tmp_path / "a" / "relu.png")
    assert path.read_bytes().startswith(b"\x89PNG")
    assert (path.stat().st_mode & 0o777) == 0o666 & ~_umask()
    svg = save_figure(fig, tmp_path / "relu.svg")
    assert b"<svg" in svg.read_bytes()
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a", "relu.png", "relu.svg"]


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_cli_writes_training_pictures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli_main(
        [
            "train",
            "--dataset",
            "moons",
            "--hidden",
            "4",
            "--epochs",
            "3",
            "--out",
            str(tmp_path),
            "--no-progress",
        ]
    )
    printed = capsys.readouterr().out
    for name in ("decision_boundary.png", "loss.png"):
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")
        assert f"picture: {tmp_path / name}" in printed
