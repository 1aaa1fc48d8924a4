"""The live Playground's session holds one Trainer: fit's numbers, the tape captured once, the
learning rate changed on the running network, new points given to the same trainer."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from micrograd_edu import train
from micrograd_edu.optim import SGD
from micrograd_edu.train import Trainer, fit

pytest.importorskip("matplotlib")

from micrograd_edu.visualize.live.session import PlaygroundSession


def _session(**settings: Any) -> PlaygroundSession:
    return PlaygroundSession(**{"n": 100, **settings})


def _fit_like(session: PlaygroundSession) -> Trainer:
    """A Trainer made from the session's settings and data, as the session makes its own."""
    s = session.settings
    model = s.new_model()
    return Trainer(
        model,
        session.inputs(session.X_train),
        session.y_train,
        str(s.loss),
        SGD(model.parameters(), lr=s.lr),
        s.batch_size,
        session.inputs(session.X_test),
        session.y_test,
        l1=s.reg_rate if s.regularization == "l1" else 0.0,
        l2=s.reg_rate if s.regularization == "l2" else 0.0,
        seed=s.seed,
    )


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"dataset": "xor", "regularization": "l1", "reg_rate": 0.01, "batch_size": 7},
        {"dataset": "blobs", "hidden": (5,), "regularization": "l2", "reg_rate": 0.001},
        {"dataset": "plane", "activation": "relu", "batch_size": 30},
    ],
)
def test_the_sessions_epochs_are_fits_epochs(settings: dict[str, Any]) -> None:
    session = _session(**settings)
    for _ in range(5):
        session.train_epoch()
    reference = _fit_like(session)
    history = fit(
        reference.model,
        reference.X,
        reference.y,
        reference.objective,
        reference.optimizer,
        epochs=5,
        batch_size=reference.batch_size,
        X_val=reference.X_val,
        y_val=reference.y_val,
        l1=reference.l1,
        l2=reference.l2,
        seed=session.settings.seed,
        progress=False,
    )
    assert session.train_loss == history.train_loss
    assert session.test_loss == history.val_loss
    assert session.model.state_dict() == reference.model.state_dict()


def test_one_trainer_and_one_tape_for_all_the_epochs(monkeypatch: pytest.MonkeyPatch) -> None:
    recorded: list[object] = []
    real_capture = train.capture

    def counting_capture(fn: Any, example: Any) -> Any:
        recorded.append(fn)
        return real_capture(fn, example)

    monkeypatch.setattr(train, "capture", counting_capture)
    session = _session()
    assert session.trainer is None  # made at the first epoch
    session.train_epoch()
    trainer = session.trainer
    assert trainer is not None and trainer.model is session.model
    assert trainer.optimizer is session.optimizer and trainer.history.epochs == 0  # no list
    for _ in range(20):
        session.train_epoch()
    assert session.trainer is trainer and trainer.current_epoch == session.epoch == 21
    assert recorded == [session.model]


def test_the_learning_rate_changes_the_next_steps_of_the_same_trainer() -> None:
    session = _session(lr=0.03)
    reference = _fit_like(session)
    for _ in range(3):
        session.train_epoch()
        reference.epoch()
    trainer = session.trainer
    assert session.update(lr=0.3) is False
    reference.lr = 0.3
    for _ in range(3):
        session.train_epoch()
        reference.epoch()
    assert session.trainer is trainer and trainer is not None and trainer.lr == 0.3
    assert session.model.state_dict() == reference.model.state_dict()
    assert session.train_loss == reference.history.train_loss


def test_new_points_go_to_the_same_trainer_without_a_new_tape(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session = _session()
    session.train_epoch()
    trainer = session.trainer
    assert trainer is not None and len(trainer.X) == 50
    recorded: list[object] = []
    monkeypatch.setattr(train, "capture", lambda fn, example: recorded.append(fn))
    session.add_point(1.0, -2.0, 1)
    session.train_epoch()
    assert session.trainer is trainer and len(trainer.X) == 51 and recorded == []
    np.testing.assert_array_equal(trainer.X[-1], session.inputs([[1.0, -2.0]])[0])
    session.regenerate()  # new data, the same network and trainer
    session.train_epoch()
    assert session.trainer is trainer and session.epoch == trainer.current_epoch == 3
    np.testing.assert_array_equal(trainer.X, session.inputs(session.X_train))
    np.testing.assert_array_equal(trainer.X_val, session.inputs(session.X_test))


def test_training_points_without_test_points_give_a_nan_test_loss() -> None:
    session = _session()
    session.clear_points()
    session.add_point(1.0, 1.0, 1)
    session.add_point(-1.0, -1.0, 0)
    session.train_epoch()
    assert session.trainer is not None and session.trainer.X_val is None
    assert math.isfinite(session.train_loss[-1]) and math.isnan(session.test_loss[-1])


def test_a_reset_gives_the_settings_fresh_weights_and_a_new_trainer() -> None:
    session = _session()
    fresh = session.settings.new_model().state_dict()
    session.set_weight(0, 0, 0, 2.5)  # edited by hand before the first epoch
    session.train_epoch()
    old = session.trainer
    assert session.update() is True  # the Reset button
    assert session.trainer is None and session.model.state_dict() == fresh
    session.train_epoch()
    assert session.trainer is not None and session.trainer is not old
    assert session.trainer.current_epoch == session.epoch == 1
