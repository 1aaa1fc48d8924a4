"""Exercise 4.3 (write the training loop): the library's loops are switched off, the Trainer's
and the shared gradient step included, not only fit and the optimizers' step."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from micrograd_edu import losses, steps
from micrograd_edu.exercises import (
    PROBE_MARKER,
    check_training_loop,
    grading_cases,
    judge,
    probe_cell,
)
from micrograd_edu.exercises.mistakes import WrongAnswerError
from micrograd_edu.nn import MLP
from micrograd_edu.optim import SGD, Optimizer
from micrograd_edu.train import Trainer

Array = np.ndarray


class _Plain(Optimizer):
    """An optimizer whose step is written out: what a student may write for 4.3's update."""

    def step(self) -> None:
        for p in self.params:
            p.data -= self.lr * p.grad


def _with_trainer(model: MLP, X: Array, y: Array, lr: float, n: int) -> list[float]:
    trainer = Trainer(model, X, y, "mse", _Plain(model.parameters(), lr))
    return [trainer.step() for _ in range(n)]  # the full batch's loss before each update


def _with_trainer_epochs(
    model: MLP, X: np.ndarray, y: np.ndarray, lr: float, n: int
) -> list[float]:
    trainer = Trainer(model, X, y, "mse", _Plain(model.parameters(), lr))
    return [trainer.epoch().train_loss for _ in range(n)]


def _with_gradient_step(model: MLP, X: Array, y: Array, lr: float, n: int) -> list[float]:
    optimizer, out = _Plain(model.parameters(), lr), []
    for _ in range(n):
        loss = losses.mean(losses.mse, [model(x) for x in X], list(y))
        steps.gradient_step(optimizer, loss.backward)
        out.append(loss.data)
    return out


def _with_trainer_private_step(model: MLP, X: Array, y: Array, lr: float, n: int) -> list[float]:
    trainer, out = Trainer(model, X, y, "mse", _Plain(model.parameters(), lr)), []
    for _ in range(n):  # around Trainer.step: its inner step, a new pass each time
        out.append(trainer._step())
        trainer._order = None
    return out


def _with_the_checks_loop(model: MLP, X: Array, y: Array, lr: float, n: int) -> list[float]:
    from micrograd_edu.exercises.training_loop import _training_variant

    return _training_variant(model, X, y, lr, n)  # the check's own simulation of the loop


ROUTES: dict[str, tuple[Callable[..., list[float]], str]] = {
    "Trainer.step": (_with_trainer, "Trainer.step"),
    "Trainer.epoch": (_with_trainer_epochs, "Trainer.epoch"),
    "steps.gradient_step": (_with_gradient_step, "steps.gradient_step"),
    "Trainer._step": (_with_trainer_private_step, "steps.gradient_step"),
    "the check's loop": (_with_the_checks_loop, "training_loop._training_variant"),
}


def _grade(answer: dict[str, Any]) -> Any:
    case = grading_cases("4.3", 0)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(probe_cell({"4.3": case}), answer)
    record = json.loads(printed.getvalue()[len(PROBE_MARKER) :])
    return judge("4.3", case, record["4.3"])


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_a_library_loop_is_named_in_grading(route: str) -> None:
    train, shown = ROUTES[route]
    outcome = _grade({"train": train, "learning_rate": 0.5})
    assert (outcome.status, outcome.mistake) == ("wrong", "library-call")
    assert outcome.message == (
        f"exercise 4.3 asks you to write the training loop yourself: `{shown}` is switched off here"
    )


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_a_library_loop_is_named_in_the_notebook(route: str) -> None:
    train, shown = ROUTES[route]
    with pytest.raises(WrongAnswerError, match=f"`{shown}` is switched off here"):
        check_training_loop(train, 0.5)


def test_the_loops_work_again_after_the_check() -> None:
    with pytest.raises(WrongAnswerError):
        check_training_loop(_with_trainer, 0.5)
    X, y = np.array([[0.5, -1.0], [1.0, 2.0]]), np.array([0.2, -0.4])
    model = MLP(2, [1], seed=0)
    assert len(_with_trainer(model, X, y, 0.1, 3)) == 3
    trainer = Trainer(model, X, y, "mse", SGD(model.parameters(), lr=0.1))
    assert trainer.epoch().train_loss > 0


@pytest.mark.parametrize("route", sorted(set(ROUTES) - {"Trainer.epoch"}))
def test_each_route_would_pass_were_it_not_switched_off(
    route: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each route is a real one: with nothing switched off, it passes 4.3 for the student
    (Trainer.epoch returns the loss after its update: switched off all the same)."""
    import dataclasses

    from micrograd_edu.exercises import nb04

    loop = nb04.EXERCISES["4.3"]
    monkeypatch.setitem(nb04.EXERCISES, "4.3", dataclasses.replace(loop, switch=()))
    train, _ = ROUTES[route]
    assert _grade({"train": train, "learning_rate": 0.5}).status == "passed"
