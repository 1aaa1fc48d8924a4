"""``fit`` under bad input and faults: limits, divergence, Ctrl-C, odd numbers."""

from __future__ import annotations

import math
import os
import re
import signal
from typing import TYPE_CHECKING

import numpy as np
import pytest

from micrograd_edu import datasets, optim
from micrograd_edu.nn import MLP
from micrograd_edu.train import TrainingDivergedError, fit

if TYPE_CHECKING:
    pass

NAN = float("nan")


def test_epochs_are_bounded_before_training() -> None:
    with pytest.raises(
        ValueError, match=re.escape("epochs must be at most 1,000,000, got 1,000,000,000")
    ):
        fit(MLP(2, [1]), np.zeros((2, 2)), [0, 1], epochs=10**9, progress=False)


def test_nan_loss_stops_fit_naming_the_epoch_and_keeps_finite_weights() -> None:
    X, y = datasets.plane(n=100, seed=0)
    model = MLP(2, [16, 16, 1], seed=0)
    optimizer = optim.SGD(model.parameters(), lr=10.0, momentum=0.99)
    with pytest.raises(TrainingDivergedError) as caught:
        fit(model, X, y, "mse", optimizer, epochs=30, batch_size=10, progress=False, seed=0)
    error = caught.value
    assert re.match(r"training diverged in epoch \d+", str(error))
    assert f"in epoch {error.epoch}" in str(error)
    assert "Try a smaller learning rate (lr is 10)" in str(error)
    assert error.history.epochs == error.epoch - 1
    assert all(math.isfinite(p.data) for p in model.parameters())
    # the restored weights are those of the last completed epoch: its recorded loss
    if error.history.epochs:
        predictions = model.forward_array(X)[:, 0]
        assert np.mean((predictions - y) ** 2) == pytest.approx(error.history.train_loss[-1])


def test_fit_returns_the_history_so_far_when_interrupted() -> None:
    X, y = datasets.moons(n=40, seed=0)
    model = MLP(2, [4, 1], seed=0)
    calls = 0

    class InterruptingSGD(optim.SGD):
        def step(self) -> None:
            nonlocal calls
            super().step()
            calls += 1
            if calls == 7:
                os.kill(os.getpid(), signal.SIGINT)

    opt = InterruptingSGD(model.parameters(), lr=0.1)
    before = signal.getsignal(signal.SIGINT)
    assert before is signal.default_int_handler  # tests/conftest.py keeps it so between tests
    history = fit(model, X, y, optimizer=opt, epochs=100, batch_size=10, progress=False)
    assert history.interrupted
    assert calls == 7  # stopped right after the step during which Ctrl-C came
    assert history.epochs == 2  # one full epoch of 4 steps, then the unfinished one
    assert signal.getsignal(signal.SIGINT) is before


def test_optimizer_of_another_model_is_refused() -> None:
    X, y = datasets.moons(n=10, seed=0)
    model, other = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=1)
    with pytest.raises(ValueError, match=re.escape("13 Value(s) that are not parameters")):
        fit(model, X, y, optimizer=optim.SGD(other.parameters(), lr=0.1), progress=False)
    # a subset of the model's own parameters (a frozen layer) is fine
    first_layer = model.layers[0].parameters()
    fit(model, X, y, optimizer=optim.SGD(first_layer, lr=0.1), epochs=1, progress=False)


@pytest.mark.parametrize("name", ["l1", "l2"])
@pytest.mark.parametrize("rate", [math.inf, NAN, -1.0, "0.1"])
def test_penalties_must_be_finite_and_non_negative(name: str, rate: object) -> None:
    X, y = datasets.moons(n=10, seed=0)
    with pytest.raises(ValueError, match=re.escape(f"{name} must be")):
        fit(MLP(2, [1]), X, y, progress=False, **{name: rate})  # type: ignore[arg-type]


def test_numpy_scalars_are_numbers_everywhere() -> None:
    X, y = datasets.blobs(n=30, classes=np.int64(3), seed=np.int64(0))  # type: ignore[arg-type]
    model = MLP(np.int64(2), [np.int64(4), np.int64(3)], seed=0)  # type: ignore[arg-type, list-item]
    opt = optim.SGD(model.parameters(), lr=np.float32(0.1), momentum=np.float64(0.5))
    history = fit(
        model,
        X,
        y,
        loss="cross_entropy",
        optimizer=opt,
        epochs=np.int64(2),  # type: ignore[arg-type]
        batch_size=np.int32(10),  # type: ignore[arg-type]
        l2=np.float32(1e-4),  # type: ignore[arg-type]
        progress=False,
    )
    assert history.epochs == 2
    assert opt.lr == pytest.approx(0.1)
    datasets.train_test_split(X, y, train_ratio=np.float64(0.5))


def test_complex_data_is_refused() -> None:
    X, y = datasets.moons(n=10, seed=0)
    with pytest.raises(TypeError, match=re.escape("fit: X must hold real numbers, got complex")):
        fit(MLP(2, [4, 1], seed=0), X + 0j, y, progress=False)
