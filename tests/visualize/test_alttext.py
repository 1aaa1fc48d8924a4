"""Figures in words: each description says the numbers of the data it was drawn from."""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import matplotlib.pyplot as plt
from PIL import Image

from micrograd_edu import datasets
from micrograd_edu.history import History
from micrograd_edu.nn import MLP, layer_weights, predict_proba
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
from micrograd_edu.visualize.alttext import (
    DescribedFigure,
    describe,
    number,
    series_text,
    set_description,
    share,
)
from micrograd_edu.visualize.plots import _grid


@pytest.fixture(autouse=True)
def _close_figures() -> None:
    yield
    plt.close("all")


def _history() -> History:
    """Training loss falls from 0.69 to 0.05 over 100 epochs; validation loss is lowest at
    epoch 62 (0.09), then rises to 0.14."""
    epochs = np.arange(100)
    train = 0.69 - 0.64 * epochs / 99
    val = np.where(epochs <= 61, 0.7 - (0.7 - 0.09) * epochs / 61, 0.09 + 0.05 * (epochs - 61) / 38)
    return History(train_loss=list(train), val_loss=list(val))


def test_the_loss_curves_are_said_with_their_numbers() -> None:
    history = _history()
    fig = plot_history(history)
    assert fig.description == (
        "Loss over 100 epochs: training loss falls from 0.69 to 0.05; validation loss (dashed) "
        "falls from 0.7 to 0.14, lowest 0.09 at epoch 62, then rises."
    )
    assert int(np.argmin(history.val_loss)) + 1 == 62  # the epoch said is the data's
    assert fig.axes[0].lines[1].get_linestyle() == "--"  # validation dashed, not only orange


def test_accuracy_is_said_in_percent_with_its_best_epoch() -> None:
    history = History(
        train_loss=[0.7, 0.5, 0.4, 0.3],
        train_accuracy=[0.5, 0.7, 0.9, 1.0],
        val_loss=[0.7, 0.6, 0.5, 0.55],
        val_accuracy=[0.5, 0.9, 0.95, 0.8],
    )
    accuracy = describe(plot_history(history).axes[1])
    assert accuracy == (
        "Accuracy over 4 epochs: training rises from 50 % to 100 %; validation (dashed) rises "
        "from 50 % to 80 %, highest 95 % at epoch 3, then falls."
    )


def test_series_in_words() -> None:
    assert series_text("loss", [1.0, 1.001, 0.999], "step") == "loss stays near 1 over 3 steps"
    assert series_text("loss", [0.5, 2.0, float("inf")]) == "loss becomes infinite at epoch 3"
    assert series_text("loss", []) == "loss: no epochs yet"
    assert series_text("return", [1, 5, 3], "episode", "highest", count=False) == (
        "return rises from 1 to 3, highest 5 at episode 2, then falls"
    )
    assert number(0.000341) == "0.000341" and number(1234567.0) == "1.23e+06"
    assert share(99, 100) == "99 %" and share(0, 7) == "0 %" and share(7, 7) == "100 %"


def test_the_decision_boundary_says_its_regions_accuracy_and_wrong_points() -> None:
    X, y = datasets.gauss(n=60, noise=0.3, seed=0)
    model = MLP(2, [3, 1], seed=2)
    text = plot_decision_boundary(model, X, y).description
    predicted = predict_proba(model, X) > 0.5
    right = int((predicted == (y > 0.5)).sum())
    assert f"60 points, {right} right ({share(right, 60)})" in text
    low, high = X.min(axis=0), X.max(axis=0)
    pad = (high - low) * 0.1 + 1e-9
    assert text.startswith(
        f"Decision boundary over x1 from {number(low[0] - pad[0])} to {number(high[0] + pad[0])}"
    )
    shares = re.findall(r"class (\d) \(\w+ \w+\) on (\d+) %", text)
    assert sorted(int(k) for k, _ in shares) == [0, 1]
    assert sum(int(p) for _, p in shares) in (99, 100, 101)  # rounded shares of the plane
    if right < 60:
        wrong = re.search(r"wrong: (.*)\.$", text)
        assert wrong
        counts = re.findall(r"(\d+) (?:in|on|at) the|(\d+) elsewhere", wrong[1])
        assert sum(int(a or b) for a, b in counts) == 60 - right


def test_three_classes_have_three_shapes_and_their_names() -> None:
    X, y = datasets.blobs(n=45, classes=3, seed=0)
    model = MLP(2, [4, 3], seed=0)
    fig = plot_decision_boundary(model, X, y)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["class 0", "class 1", "class 2"]
    markers = {len(c.get_paths()[0].vertices) for c in fig.axes[0].collections[-3:]}
    assert len(markers) == 3
    _, _, grid = _grid(X, 150)  # the plane the figure shades
    shaded = set(np.argmax(predict_proba(model, grid), axis=1).tolist())
    names = {0: "orange circles", 1: "blue squares", 2: "black triangles"}
    for k, name in names.items():
        assert (f"class {k} ({name}) on" in fig.description) == (k in shaded)


def test_the_regression_surface_says_its_error() -> None:
    X, y = datasets.plane(n=30, seed=0)
    model = MLP(2, [1], seed=0)
    text = plot_regression(model, X, y).description
    errors = model.forward_array(X)[:, 0] - y
    assert f"mean squared error {number(float(np.mean(errors**2)))}" in text
    assert f"largest error {number(float(np.abs(errors).max()))}" in text


def test_the_network_says_its_weights_by_sign() -> None:
    model = MLP(2, [4, 3, 1], seed=0)
    fig = draw_network(model, feature_names=["x1", "x1*x2"])
    weights = np.concatenate([layer_weights(layer)[0].ravel() for layer in model.layers])
    assert fig.description.startswith(
        f"Network 2 → 4 → 3 → 1 (x1, x1*x2 in): {weights.size} weights, "
        f"{int((weights > 0).sum())} positive (blue, solid) and {int((weights <= 0).sum())} "
        "negative (orange, dashed)"
    )
    largest = weights[np.argmax(np.abs(weights))]
    assert f"the largest, {number(float(largest))}, from " in fig.description
    dashed = [line for line in fig.axes[0].lines if line.get_linestyle() == "--"]
    assert len(dashed) == int((weights <= 0).sum())  # the sign is also a dash style
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["positive weight", "negative weight"]


def test_the_neuron_heat_maps_have_a_colour_bar_and_their_signs_in_words() -> None:
    X, _ = datasets.circle(n=20, seed=0)
    model = MLP(2, [2, 1], activation="relu", seed=0)
    fig = plot_neuron_outputs(model, X, resolution=21)
    bar = fig.axes[-1]
    assert [t.get_text() for t in bar.get_xticklabels()] == ["negative", "0", "positive"]
    outputs = model.layer_outputs_array(np.zeros((1, 2)))  # shapes only
    assert len(outputs) == 2
    first = fig.axes[0].images[0].get_array()
    low, high = float(first.min()), float(first.max())
    assert f"Layer 1: neuron 1 from {number(low)} to {number(high)}" in fig.description


def test_the_activation_says_where_its_derivative_is_largest() -> None:
    text = plot_activation("sigmoid").description
    assert "sigmoid(x) for x from -5 to 5 (solid): from 0.00669 to 0.993" in text
    assert "largest 0.25 at x = 0" in text


def test_the_playground_figure_says_data_network_output_and_losses() -> None:
    fig = playground(dataset="xor", hidden=(3,), epochs=4, seed=1)
    text = fig.description
    assert text.startswith("The Playground: xor, noise 0%, 50% training")
    assert "Data: 100 training points (filled) and 100 test points (hollow)." in text
    assert "Network 2 → 3 → 1 (x1, x2 in): 9 weights" in text
    assert "Loss over 4 epochs: training " in text and "; test (dashed) " in text


def test_notebooks_show_the_description_as_the_images_alt_text() -> None:
    fig = plot_history(_history())
    page = fig._repr_html_()
    assert page is not None and page.startswith(
        '<img class="mg-figure" src="data:image/png;base64,'
    )
    assert f'alt="{html.escape(fig.description)}"' in page
    mine, _ = plt.subplots(FigureClass=DescribedFigure)
    assert mine._repr_html_() is None  # nothing said: the usual image only
    plain, axes = plt.subplots()
    with pytest.raises(ValueError, match="has no description"):
        describe(plain)
    set_description(axes, "a line")
    assert describe(plain) == "a line."
    with pytest.raises(TypeError, match="expected a matplotlib Figure or Axes, got str"):
        describe("figure")  # type: ignore[arg-type]


def test_saved_files_keep_the_description(tmp_path: Path) -> None:
    fig = plot_history(_history())
    png = save_figure(fig, tmp_path / "loss.png")
    assert Image.open(png).text["Description"] == fig.description
    svg = save_figure(fig, tmp_path / "loss.svg").read_text(encoding="utf-8")
    assert html.escape(fig.description, quote=False) in svg
    plain, axes = plt.subplots()
    axes.plot([1, 2])
    assert "Description" not in Image.open(save_figure(plain, tmp_path / "plain.png")).text


@pytest.mark.notebooks
def test_a_notebook_shows_each_figure_once_with_its_alt_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a student's Jupyter: matplotlib's inline backend (make test sets MPLBACKEND=Agg, which
    # the kernel would inherit: then a figure left unreturned is never shown)
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "from micrograd_edu.history import History\n"
            "from micrograd_edu.visualize import plot_history\n"
            "plot_history(History(train_loss=[0.7, 0.5, 0.2]))"
        ),
        nbformat.v4.new_code_cell(
            "fig = plot_history(History(train_loss=[0.7, 0.5, 0.2]))\nprint(fig.description)"
        ),
    ]
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    shown, printed = (cell.outputs for cell in notebook.cells)
    text = "Loss over 3 epochs: training loss falls from 0.7 to 0.2."
    assert [output.output_type for output in shown] == ["execute_result"]  # once, not twice
    assert f'alt="{text}"' in shown[0].data["text/html"]
    assert printed[0].text == text + "\n"
    assert [output.output_type for output in printed[1:]] == ["display_data"]
