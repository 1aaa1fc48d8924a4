"""Notebook 9 teaches the right lesson: the correct run is clearly the best of the runs it shows.

Each mistaken run is compared with the correct one on what the notebook shows of it,
at the notebook's settings (``training_run(mistake)``, its defaults: the seed used):
the final binary cross-entropy of the trained model (the true loss: the "label left
out" and "sum instead of mean" runs print a loss of their own, which is not it) and
the final training accuracy.
"""

from __future__ import annotations

import itertools
import json
import re
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from micrograd_edu.exercises.symptoms import (
    LEARNING_RATE,
    N_SAMPLES,
    STEPS,
    TOO_HIGH,
    TRAINING_MISTAKES,
    Run,
    training_run,
)

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "09_training_mistakes.ipynb"


def _true_loss(run: Run) -> float:
    logits = run.model.forward_array(run.X)[:, 0]
    return float(np.mean(np.logaddexp(0.0, logits) - run.y * logits))


@cache
def _run(mistake: str | None) -> Run:
    """``training_run(mistake)`` at the notebook's settings (its defaults), once per test run."""
    return training_run(mistake)


def _markdown() -> str:
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")


def test_the_notebook_runs_at_the_default_settings() -> None:
    """What this test measures is what the notebook shows: every run at the defaults."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    source = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
    calls = re.findall(r"training_run\(([^)]*)\)", source)
    assert calls and set(calls) <= {"None", "code", *(f'"{m}"' for m in TRAINING_MISTAKES)}


@pytest.mark.slow
def test_the_correct_run_ends_with_the_lowest_loss_and_the_best_accuracy() -> None:
    """Issue 26: the run without zero_grad once ended better (true loss 0.07 against 0.34)."""
    correct = _run(None)
    best = _true_loss(correct)
    for mistake in TRAINING_MISTAKES:
        run = _run(mistake)
        assert _true_loss(run) > 1.5 * best, mistake  # clearly worse, not a draw
        assert run.accuracy[-1] <= correct.accuracy[-1], mistake


@pytest.mark.slow
def test_the_loss_curves_end_where_the_lesson_says() -> None:
    """What the plots show: where a run's printed loss is the true loss (every run but
    "sum instead of mean" and "the label left out", whose losses are on another scale or
    of another function), its curve ends clearly above the correct run's."""
    correct = _run(None)
    for mistake in set(TRAINING_MISTAKES) - {"sum-not-mean", "missing-target"}:
        assert _run(mistake).loss[-1] > 1.5 * correct.loss[-1], mistake


def test_the_settings_the_notebook_states_are_the_code_s() -> None:
    text = _markdown()
    assert f"on {N_SAMPLES} points of the two moons, **standardised**" in text
    assert f"for {STEPS} steps of full-batch gradient descent" in text
    assert f"and a learning rate of {LEARNING_RATE:g}." in text
    assert f"lr = {TOO_HIGH:g} instead of {LEARNING_RATE:g}" in text
    assert rf"With $\text{{lr}} = {TOO_HIGH:g}$ instead of {LEARNING_RATE:g}," in text


@pytest.mark.slow
def test_what_the_notebook_says_of_the_runs_is_what_they_do() -> None:
    """Every number and claim notebook 9's text makes about the correct run and the run
    without zero_grad, measured on the runs it shows."""
    text = _markdown()
    correct, piled = _run(None), _run("missing-zero-grad")
    assert all(b < a for a, b in itertools.pairwise(correct.loss)), "falls at every step"
    assert f"and falls at every step, to {correct.loss[-1]:.3f};" in text
    assert f"the accuracy climbs, to {correct.accuracy[-1]:.0%}".replace("%", " %") in text
    assert correct.grad_norm[-1] < 0.1 * correct.grad_norm[0]  # "shrinks as the loss flattens"
    growth = piled.grad_norm[-1] / piled.grad_norm[0]
    assert 5 < growth < 6 and "to more than five times where it started, and stays up" in text
    assert min(piled.grad_norm[5:]) > 4 * piled.grad_norm[0]  # it stays up
    lowest = min(piled.loss)
    assert lowest < 0.01 and "passes through a near-perfect fit" in text
    at = piled.loss.index(lowest)  # loss[t] is before step t's update, accuracy[t] after it
    assert piled.accuracy[at - 1] == 1.0 and piled.accuracy[-1] < 1.0  # a perfect fit, left
    assert round(piled.loss[-1] / correct.loss[-1]) == 7
    assert "ends at a loss seven times the correct run's" in text
