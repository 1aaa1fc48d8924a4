"""The course's loss-curve figures: readable log axes, a y-label per panel, and a live
Playground picture that shows something before the first epoch."""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterator

import pytest

pytest.importorskip("matplotlib")

import matplotlib.pyplot as plt

from micrograd_edu import exercises
from micrograd_edu.exercises.symptoms import training_run
from micrograd_edu.visualize.alttext import describe, series_text
from micrograd_edu.visualize.playground import playground_figure, train_playground
from micrograd_edu.visualize.plots import log_y_axis, plot_loss_curves
from micrograd_edu.visualize.symptoms import plot_runs


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def _labels(ax: plt.Axes) -> list[str]:
    """The y tick labels a reader sees (inside the axis's range)."""
    ax.figure.canvas.draw()
    low, high = ax.get_ylim()
    ticks = ax.yaxis.get_major_ticks()
    return [
        t.label1.get_text() for t in ticks if low <= t.get_loc() <= high and t.label1.get_text()
    ]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([0.69, 0.63], ["0.64", "0.66", "0.68"]),  # less than a decade: round labels inside it
        ([0.5, 0.05, 0.005], ["0.01", "0.1"]),  # one label per decade
        ([0.4, 0.025], ["0.05", "0.1", "0.2"]),  # 1, 2, 5 in one or two decades
        ([20.0, 800.0], ["20", "50", "100", "200", "500"]),
    ],
)
def test_a_log_axis_is_labelled_with_short_plain_numbers(
    values: list[float], expected: list[str]
) -> None:
    _, ax = plt.subplots()
    ax.plot(values)
    log_y_axis(ax)
    assert ax.get_yscale() == "log"
    assert _labels(ax) == expected
    assert not [text for text in _labels(ax) if "10^" in text or "\\times" in text]
    assert [t.get_text() for t in ax.get_yticklabels(minor=True) if t.get_text()] == []


def test_the_loss_curves_of_exercise_4_4_stay_inside_their_panels() -> None:
    curves = exercises.loss_curves()
    fig = plot_loss_curves(curves)
    assert [ax.get_title() for ax in fig.axes] == [f"curve {letter}" for letter in curves]
    assert all(ax.get_ylabel() == "loss (log scale)" for ax in fig.axes)
    assert all(ax.get_xlabel() == "epoch" for ax in fig.axes)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [ax.get_tightbbox(renderer) for ax in fig.axes]
    for left, right in itertools.pairwise(boxes):
        assert left.x1 <= right.x0, "a panel's labels reach into the next one"
    first = fig.axes[0]
    assert [line.get_label() for line in first.get_lines()] == ["training", "validation"]
    assert first.get_legend() is not None


def test_the_loss_curves_of_exercise_4_4_say_what_they_show_and_not_by_colour_alone() -> None:
    """Each panel's description is written from its two curves (WCAG 1.1.1), shown as the
    figure's alt text in a notebook; validation is dashed, not told by colour alone (1.4.1)."""
    curves = exercises.loss_curves()
    fig = plot_loss_curves(curves)
    expected = ". ".join(
        f"curve {name}, loss on a log scale over {len(run['train'])} epochs: "
        + series_text("training loss", run["train"], count=False)
        + "; "
        + series_text("validation loss (dashed)", run["validation"], count=False)
        for name, run in curves.items()
    )
    assert describe(fig) == expected + "."
    assert f'alt="{html.escape(expected)}.' in (fig._repr_html_() or "")  # type: ignore[attr-defined]
    for ax in fig.axes:
        training, validation = ax.get_lines()
        assert (training.get_linestyle(), validation.get_linestyle()) == ("-", "--")


def test_plot_loss_curves_refuses_no_runs() -> None:
    with pytest.raises(ValueError, match="give at least one run"):
        plot_loss_curves({})


def test_plot_runs_uses_the_readable_log_axes() -> None:
    fig = plot_runs({"correct": training_run(None, steps=8)}, boundary=False)
    loss_ax, norm_ax, accuracy_ax = fig.axes
    assert loss_ax.get_yscale() == norm_ax.get_yscale() == "log"
    assert accuracy_ax.get_yscale() == "linear"
    assert all(len(text) <= 6 for text in _labels(loss_ax) + _labels(norm_ax))


def test_the_playground_picture_before_training_shows_epoch_0s_losses() -> None:
    """What the live Playground shows where widgets cannot (its network before Play)."""
    pytest.importorskip("ipywidgets")
    from micrograd_edu.visualize.live import live_playground

    fig = live_playground(dataset="xor", features=("x1", "x2"), hidden=()).figure()
    loss_ax = fig.axes[-1]
    assert loss_ax.get_ylabel() == "loss"
    points = [line for line in loss_ax.get_lines() if len(line.get_xdata()) == 1]
    assert [line.get_label() for line in points] == ["training", "test"]
    assert [text.get_text() for text in loss_ax.texts] == ["epoch 0: not trained yet"]
    trained = playground_figure(train_playground(dataset="xor", hidden=(), epochs=3))
    assert [len(line.get_xdata()) for line in trained.axes[-1].get_lines()] == [3, 3]
    assert len(trained.axes[-1].texts) == 0
