"""Trainer: fit's numbers a step or an epoch at a time, everything checked and captured once,
the learning rate changed on a running model, new data, a reset, divergence."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest

from micrograd_edu import datasets, losses, steps, train
from micrograd_edu.nn import MLP
from micrograd_edu.optim import SGD, Adam, LinearLR, Optimizer
from micrograd_edu.train import EpochResult, Trainer, TrainingDivergedError, evaluate, fit

# name: (data set, loss, optimizer, options) — each trained by fit and by a Trainer.
CASES: dict[str, tuple[str, str, str, dict[str, Any]]] = {
    "bce, SGD, full batch, graph": ("moons", "bce", "sgd", {"engine": "graph"}),
    "bce, SGD with momentum, mini-batches": ("moons", "bce", "momentum", {"batch_size": 7}),
    "hinge, Adam, L1 proximal, validation": (
        "moons",
        "hinge",
        "adam",
        {"batch_size": 10, "l1": 3e-3, "validation": True},
    ),
    "bce, SGD, L1 subgradient and L2, graph": (
        "moons",
        "bce",
        "sgd",
        {"batch_size": 10, "l1": 1e-3, "l1_step": "subgradient", "l2": 1e-3, "engine": "graph"},
    ),
    "mse, Adam, schedule": ("plane", "mse", "adam", {"batch_size": 16, "scheduler": True}),
    "cross_entropy, SGD, validation, graph": (
        "blobs",
        "cross_entropy",
        "sgd",
        {"batch_size": 12, "validation": True, "engine": "graph"},
    ),
}


def _setup(case: str) -> tuple[MLP, dict[str, Any]]:
    """A fresh model and the keyword arguments that fit and Trainer share for ``case``."""
    data_name, loss, optimizer_name, options = CASES[case]
    options = dict(options)
    if data_name == "blobs":
        X, y = datasets.blobs(n=48, classes=3, seed=0)
        model = MLP(2, [6, 3], seed=3)
    else:
        X, y = datasets.load(data_name, n=48, noise=0.1, seed=0)
        model = MLP(2, [6, 4, 1], activation="tanh", seed=3)
    params = model.parameters()
    optimizer: Optimizer = {
        "sgd": lambda: SGD(params, lr=0.1),
        "momentum": lambda: SGD(params, lr=0.05, momentum=0.9),
        "adam": lambda: Adam(params, lr=0.02),
    }[optimizer_name]()
    if options.pop("validation", False):
        options.update(X_val=X[:16], y_val=y[:16])
    if options.pop("scheduler", False):
        options["scheduler"] = LinearLR(optimizer, 1.0, 0.2, total_iters=4)
    return model, {"X": X, "y": y, "loss": loss, "optimizer": optimizer, "seed": 5, **options}


@pytest.mark.parametrize("case", sorted(CASES))
def test_epochs_equal_fit_with_the_same_seed(case: str) -> None:
    fitted, options = _setup(case)
    history = fit(fitted, epochs=6, progress=False, **options)
    model, options = _setup(case)
    trainer = Trainer(model, **options)
    results = [trainer.epoch() for _ in range(6)]
    assert trainer.history == history  # every number, exactly: the same code does the work
    assert model.state_dict() == fitted.state_dict()
    assert [r.train_loss for r in results] == history.train_loss
    assert [r.val_loss for r in results if r.val_loss is not None] == history.val_loss
    assert (trainer.current_epoch, trainer.global_step) == (6, 6 * trainer.steps_per_epoch)


@pytest.mark.parametrize("case", sorted(CASES))
def test_steps_equal_epochs(case: str) -> None:
    by_epoch, options = _setup(case)
    epochs = Trainer(by_epoch, **options)
    for _ in range(3):
        epochs.epoch()
    by_step, options = _setup(case)
    trainer = Trainer(by_step, **options)
    for _ in range(3 * trainer.steps_per_epoch):
        trainer.step()
    assert trainer.history == epochs.history
    assert by_step.state_dict() == by_epoch.state_dict()


def test_a_step_returns_its_mini_batch_loss_before_the_update() -> None:
    """The batches are fit's: a permutation of the data by a generator seeded with ``seed``."""
    X, y = datasets.moons(n=30, noise=0.1, seed=0)
    model = MLP(2, [5, 1], seed=0)
    trainer = Trainer(model, X, y, batch_size=8, seed=11, l2=0.01)
    order = np.random.default_rng(11).permutation(30)
    assert trainer.steps_per_epoch == 4  # 8 + 8 + 8 + 6
    for start in range(0, 30, 8):
        batch = order[start : start + 8]
        data_loss, _ = evaluate(model, X[batch], y[batch], "bce")
        penalty = 0.01 * sum(p.data**2 for p in model.parameters())
        assert trainer.step() == pytest.approx(data_loss + penalty, rel=1e-12)
    assert trainer.current_epoch == 1 and trainer.history.epochs == 1


def test_an_epoch_finishes_the_pass_that_steps_began() -> None:
    fitted, options = _setup("bce, SGD with momentum, mini-batches")
    history = fit(fitted, epochs=2, progress=False, **options)
    model, options = _setup("bce, SGD with momentum, mini-batches")
    trainer = Trainer(model, **options)
    trainer.step()
    trainer.step()
    assert trainer.current_epoch == 0 and trainer.history.epochs == 0
    first = trainer.epoch()
    assert trainer.global_step == trainer.steps_per_epoch == 7  # ⌈48 / 7⌉
    assert first.train_loss == history.train_loss[0]
    assert trainer.epoch().train_accuracy == history.train_accuracy[1]
    assert model.state_dict() == fitted.state_dict()


def test_the_data_and_the_optimizer_are_checked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: dict[str, int] = {"check_data": 0, "check_optimizer": 0}

    def counted(name: str) -> Any:
        real = getattr(steps, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return real(*args, **kwargs)

        return call

    for name in calls:
        monkeypatch.setattr(steps, name, counted(name))
    X, y = datasets.moons(n=40, seed=0)
    trainer = Trainer(MLP(2, [4, 1], seed=0), X, y, batch_size=10, X_val=X[:10], y_val=y[:10])
    assert calls == {"check_data": 2, "check_optimizer": 1}  # training and validation data
    for _ in range(5):
        trainer.epoch()
    trainer.step()
    assert calls == {"check_data": 2, "check_optimizer": 1}
    trainer.use_data(X[:20], y[:20])  # new data is checked, once
    trainer.epoch()
    assert calls == {"check_data": 3, "check_optimizer": 1}


def test_the_tape_is_recorded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    recorded: list[object] = []
    real_capture = train.capture

    def counting_capture(fn: Any, example: Any) -> Any:
        recorded.append(fn)
        return real_capture(fn, example)

    monkeypatch.setattr(train, "capture", counting_capture)
    X, y = datasets.moons(n=40, seed=0)
    model = MLP(2, [4, 1], seed=0)
    trainer = Trainer(model, X, y, batch_size=10)
    assert recorded == [model] and trainer.tape is not None
    for _ in range(4):
        trainer.epoch()
    trainer.step()
    trainer.use_data(X[::2], y[::2])
    trainer.epoch()
    trainer.reset()
    trainer.epoch()
    assert recorded == [model]
    fit(MLP(2, [4, 1], seed=0), X, y, epochs=5, batch_size=10, progress=False)
    assert len(recorded) == 2  # fit's five epochs: one recording


def test_fit_makes_one_trainer_and_runs_its_epochs(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Trainer] = []
    real_init = Trainer.__init__

    def init(self: Trainer, *args: Any, **kwargs: Any) -> None:
        made.append(self)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(Trainer, "__init__", init)
    X, y = datasets.moons(n=20, seed=0)
    history = fit(MLP(2, [3, 1], seed=0), X, y, epochs=4, batch_size=5, progress=False)
    assert len(made) == 1 and made[0].history is history
    assert (made[0].current_epoch, made[0].global_step) == (4, 16)


# ---------------------------------------------------------------- the Playground's needs
def test_a_new_learning_rate_moves_the_running_model_from_the_next_step() -> None:
    X, y = datasets.moons(n=30, seed=0)
    model = MLP(2, [4, 1], seed=0)
    trainer = Trainer(model, X, y, optimizer=SGD(model.parameters(), lr=0.1))
    trainer.epoch()
    assert trainer.lr == 0.1
    trainer.lr = 0.4
    assert trainer.optimizer.lr == 0.4
    before = [p.data for p in model.parameters()]
    trainer.step()  # a full batch: the gradient of this step stays in p.grad
    moved = [b - p.data for b, p in zip(before, model.parameters(), strict=True)]
    assert moved == pytest.approx([0.4 * p.grad for p in model.parameters()], rel=1e-12)
    assert trainer.current_epoch == 2 and len(trainer.history.train_loss) == 2


@pytest.mark.parametrize("rate", [0, -0.1, math.inf, math.nan, "fast", True])
def test_a_bad_learning_rate_is_refused_and_the_rate_kept(rate: object) -> None:
    X, y = datasets.moons(n=10, seed=0)
    trainer = Trainer(MLP(2, [1], seed=0), X, y)
    with pytest.raises(ValueError, match=r"^lr must be"):
        trainer.lr = rate  # type: ignore[assignment]
    assert trainer.lr == 0.1


def test_the_learning_rate_of_a_scheduled_trainer_is_the_schedules() -> None:
    X, y = datasets.moons(n=10, seed=0)
    model = MLP(2, [1], seed=0)
    optimizer = SGD(model.parameters(), lr=1.0)
    trainer = Trainer(model, X, y, optimizer=optimizer, scheduler=LinearLR(optimizer, 0.5))
    with pytest.raises(
        ValueError,
        match=re.escape(
            "the learning rate follows the scheduler (LinearLR); "
            "train without a scheduler to set it by hand"
        ),
    ):
        trainer.lr = 0.3
    assert trainer.lr == 0.5


@pytest.mark.parametrize("case", ["bce, SGD with momentum, mini-batches", "mse, Adam, schedule"])
def test_reset_starts_again_from_where_the_trainer_began(case: str) -> None:
    model, options = _setup(case)
    trainer = Trainer(model, **options)
    start = model.state_dict()
    first = [trainer.epoch() for _ in range(4)]
    weights, history = model.state_dict(), trainer.history
    trainer.reset()
    assert model.state_dict() == start and all(p.grad == 0.0 for p in model.parameters())
    assert (trainer.current_epoch, trainer.global_step, trainer.history.epochs) == (0, 0, 0)
    assert [trainer.epoch() for _ in range(4)] == first  # momentum, moments and schedule reset
    assert model.state_dict() == weights and trainer.history == history


def test_reset_keeps_the_learning_rate_set_by_hand() -> None:
    model, options = _setup("bce, SGD with momentum, mini-batches")
    trainer = Trainer(model, **options)
    trainer.epoch()
    trainer.lr = 0.01
    trainer.reset()
    assert trainer.lr == 0.01 and trainer.optimizer.velocity is None  # type: ignore[attr-defined]


def test_new_data_trains_from_the_next_step_and_keeps_the_rest() -> None:
    X, y = datasets.circle(n=60, seed=0)
    model = MLP(2, [4, 1], seed=0)
    trainer = Trainer(model, X[:40], y[:40], batch_size=10, seed=0)
    trainer.epoch()
    trainer.step()  # an epoch in progress: it starts again on the new data
    optimizer, tape = trainer.optimizer, trainer.tape
    trainer.use_data(X, y, X[40:], y[40:])
    assert trainer.steps_per_epoch == 6
    result = trainer.epoch()
    assert trainer.optimizer is optimizer and trainer.tape is tape
    assert (trainer.current_epoch, trainer.global_step) == (2, 4 + 1 + 6)
    assert (result.train_loss, result.train_accuracy) == evaluate(model, X, y, "bce")
    assert (result.val_loss, result.val_accuracy) == evaluate(model, X[40:], y[40:], "bce")
    assert trainer.history.val_loss == [result.val_loss]  # the first epoch had no validation


def test_bad_new_data_is_refused_and_the_old_data_kept() -> None:
    X, y = datasets.moons(n=20, seed=0)
    trainer = Trainer(MLP(2, [3, 1], seed=0), X, y)
    with pytest.raises(ValueError, match=re.escape("Trainer: X must have shape (n, 2)")):
        trainer.use_data(X[:, :1], y)
    with pytest.raises(ValueError, match=re.escape("Trainer (validation): y must have shape")):
        trainer.use_data(X, y, X, y[:3])
    with pytest.raises(ValueError, match="give both X_val and y_val, or neither"):
        trainer.use_data(X, y, X_val=X)
    assert trainer.X.shape == (20, 2) and trainer.X_val is None
    trainer.epoch()


def test_the_trainers_errors_are_fits_under_its_own_name() -> None:
    X, y = datasets.moons(n=20, seed=0)
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError, match=re.escape("Trainer: the data set is empty")):
        Trainer(model, X[:0], y[:0])
    with pytest.raises(TypeError, match=re.escape("Trainer: X must hold real numbers")):
        Trainer(model, X + 0j, y)
    with pytest.raises(ValueError, match="unknown loss 'l3'"):
        Trainer(model, X, y, "l3")
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        Trainer(model, X, y, batch_size=0)
    with pytest.raises(ValueError, match="13 Value\\(s\\) that are not parameters of this model"):
        Trainer(model, X, y, optimizer=SGD(MLP(2, [3, 1]).parameters(), lr=0.1))
    with pytest.raises(ValueError, match="engine must be 'auto', 'graph' or 'tape'"):
        Trainer(model, X, y, engine="gpu")  # type: ignore[arg-type]


def test_without_history_each_epoch_still_returns_its_numbers() -> None:
    X, y = datasets.plane(n=30, seed=0)
    model = MLP(2, [4, 1], seed=0)
    trainer = Trainer(model, X, y, "mse", batch_size=10, X_val=X, y_val=y, keep_history=False)
    results = [trainer.epoch() for _ in range(3)]
    assert trainer.history.epochs == 0 and trainer.current_epoch == 3
    assert results[-1] == EpochResult(*evaluate(model, X, y, "mse"), *evaluate(model, X, y, "mse"))
    assert results[-1].train_accuracy is None  # regression: no classes


def test_divergence_restores_the_last_epochs_weights_and_training_can_go_on() -> None:
    X, y = datasets.plane(n=60, seed=0)
    model = MLP(2, [8, 8, 1], seed=0)
    optimizer = SGD(model.parameters(), lr=0.01)
    # seed: the batches' order decides whether lr 1e6 overflows within the epoch (a third
    # of the orders only reach ~1e258); an unseeded order made this test fail at random
    trainer = Trainer(model, X, y, "mse", optimizer, batch_size=10, seed=0)
    trainer.epoch()
    kept = model.state_dict()
    trainer.lr = 1e6
    with pytest.raises(TrainingDivergedError) as caught:
        trainer.epoch()
    assert re.match(
        r"training diverged in epoch 2, step \d: the loss became (inf|nan)\. The weights are "
        r"restored to the end of epoch 1, the last finite ones\. Try a smaller learning rate "
        r"\(lr is 1e\+06\)\.$",
        str(caught.value),
    ), str(caught.value)
    assert caught.value.epoch == 2 and caught.value.history is trainer.history
    assert model.state_dict() == kept  # the end of the last completed epoch
    assert all(p.grad == 0.0 for p in model.parameters())
    assert (trainer.current_epoch, trainer.history.epochs) == (1, 1)
    trainer.lr = 0.01
    assert math.isfinite(trainer.epoch().train_loss)  # a new pass, from the kept weights
    assert trainer.current_epoch == 2


def test_a_custom_loss_without_an_array_gradient_trains_with_the_graph() -> None:
    X, y = datasets.moons(n=20, seed=0)
    no_gradient = losses.Loss(
        "my_bce", "binary", losses.binary_cross_entropy, losses.LOSSES["bce"].on_array
    )
    trainer = Trainer(MLP(2, [3, 1], seed=0), X, y, no_gradient, batch_size=5, seed=0)
    assert trainer.tape is None
    model = MLP(2, [3, 1], seed=0)
    history = fit(model, X, y, "bce", epochs=2, batch_size=5, seed=0, progress=False)
    assert [trainer.epoch().train_loss for _ in range(2)] == pytest.approx(
        history.train_loss, rel=1e-9
    )


def test_a_tape_step_needs_the_losss_array_gradient_and_the_tapes_penalties() -> None:
    X, y = datasets.moons(n=8, seed=0)
    model = MLP(2, [3, 1], seed=0)
    tape = train.capture(model, np.zeros(2))
    optimizer = SGD(model.parameters(), lr=0.1)

    def stop(what: str) -> Any:
        raise AssertionError(what)

    no_gradient = losses.Loss(
        "my_bce", "binary", losses.binary_cross_entropy, losses.LOSSES["bce"].on_array
    )
    with_tape = steps.Penalties.of(model, tape, 0.0, 0.0)
    with pytest.raises(ValueError, match=re.escape("loss 'my_bce' has no gradient on arrays")):
        steps.tape_step(tape, no_gradient, X, y, with_tape, optimizer, stop)
    without_tape = steps.Penalties.of(model, None, 0.0, 0.0)
    with pytest.raises(ValueError, match="the penalties were made without the tape"):
        steps.tape_step(tape, losses.LOSSES["bce"], X, y, without_tape, optimizer, stop)
    loss = steps.tape_step(tape, losses.LOSSES["bce"], X, y, with_tape, optimizer, stop)
    assert loss == pytest.approx(evaluate(MLP(2, [3, 1], seed=0), X, y, "bce")[0], rel=1e-12)
