"""Notebook 4, exercise 4.3: the training loop written out, and a learning rate that works.

The check calls the student's ``train(model, X, y, lr, steps)`` **twice** on
the same model, whose parameters arrive with the gradients of an earlier
backward pass (as they do in a notebook): the right loop zeroes them before
each backward, so it is not fooled; a loop that never zeroes, or zeroes only
after the step, is. The weights and the losses of both calls are compared
with the right loop's and with each classic wrong loop's, simulated from the
same start, and a mistake is named only when the student's numbers are that
loop's. Then the right loop with the student's ``learning_rate`` must bring
the loss below :data:`LOSS_TARGET` in 60 steps.
"""

from __future__ import annotations

import functools
import json
import math
import random
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import losses
from ..nn import MLP
from .compare import close, diagnose, is_number, show
from .core import Exercise, Guard, plain, run_check
from .mistakes import WrongAnswerError, exercise, not_done

__all__ = ["LOSS_TARGET", "TRAINING_LOOP", "check_training_loop"]

LOSS_TARGET = 0.085
"""Exercise 4.3: 60 steps with the student's learning rate must bring the loss below this."""

OPTIMIZERS = (
    ("micrograd_edu.optim:SGD", "step"),
    ("micrograd_edu.optim:Adam", "step"),
    ("micrograd_edu.optim:Optimizer", "step"),
)
"""The library's optimizers, switched off where the student writes the step (4.2, 4.3)."""

TRAINING_LOOPS = (
    ("micrograd_edu.train", "fit"),
    ("micrograd_edu.train:Trainer", "step"),
    ("micrograd_edu.train:Trainer", "epoch"),
    ("micrograd_edu.steps", "gradient_step"),
    ("micrograd_edu.exercises.training_loop", "_training_variant"),
)
"""The library's loops: with an Optimizer of one's own (its step written out), each did
zero_grad, backward and step in the right order for the student and passed 4.3; so did the
check's own simulation of the right loop (``_training_variant``)."""

_ORDERS = {
    None: "ZBS",  # zero_grad, backward, step: right
    "missing-zero-grad": "BS",
    "missing-zero-grad@after-the-step": "BSZ",  # the first step uses the gradients left before
    "update-sign": "ZBS",
    "step-before-backward": "SZB",  # each step uses the previous step's gradients
    "sum-not-mean": "ZBS",
}
"""The loops simulated: the order of zero_grad (Z), backward (B) and the step (S) in each step."""


def _training_variant(
    model: MLP, X: np.ndarray, y: np.ndarray, lr: float, steps: int, variant: str | None = None
) -> list[float]:
    """The training loop of exercise 4.3, or one classic mistake of it; returns the losses."""
    params = model.parameters()
    sign = 1.0 if variant == "update-sign" else -1.0
    history = []
    for _ in range(steps):
        loss = losses.mean(losses.mse, [model(row) for row in X], y.tolist())
        if variant == "sum-not-mean":
            loss = loss * float(len(X))
        history.append(loss.data)
        for action in _ORDERS[variant]:
            if action == "Z":
                model.zero_grad()
            elif action == "B":
                loss.backward()
            else:
                for p in params:
                    p.data += sign * lr * p.grad
    return history


def _training_data(seed: int = 4, n: int = 12, a: float = 0.5) -> dict[str, Any]:
    X = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(n, 2))
    return {"X": X.tolist(), "y": (a * X[:, 0] - X[:, 1] ** 2).tolist()}


def _model(case: dict[str, Any]) -> MLP:
    model = MLP(2, [4, 1], activation="tanh", seed=case["model_seed"])
    for p in model.parameters():
        p.grad = case["start"]  # left over from an earlier backward pass
    return model


def _probe_loop(case: dict[str, Any], guard: Guard, train: Any, learning_rate: Any) -> Any:
    if learning_rate is None:
        raise not_done("learning_rate is still None")
    model = _model(case)
    X, y = np.array(case["X"]), np.array(case["y"])
    weights, histories = [], []
    for _ in range(2):  # twice on the same model: training goes on from where it stopped
        with guard():
            history = train(model, X, y, case["lr"], case["steps"])
        histories.append(plain(history))  # now: a later call may change what it returned
        weights.append([p.data for p in model.parameters()])
    return {"weights": weights, "losses": histories, "learning_rate": learning_rate}


def _simulated(case: dict[str, Any], variant: str | None) -> dict[str, list[list[float]]]:
    model = _model(case)
    X, y = np.array(case["X"]), np.array(case["y"])
    weights, histories = [], []
    for _ in range(2):
        histories.append(_training_variant(model, X, y, case["lr"], case["steps"], variant))
        weights.append([p.data for p in model.parameters()])
    return {"weights": weights, "losses": histories}


@functools.lru_cache(maxsize=16)
def _all_runs(case_json: str) -> dict[str, dict[str, list[list[float]]]]:
    """Every loop of :data:`_ORDERS` simulated on a case (cached: a check runs again and again)."""
    case = json.loads(case_json)
    return {variant or "expected": _simulated(case, variant) for variant in _ORDERS}


def _judge_loop(case: dict[str, Any], data: Any) -> str:
    lr, steps = case["lr"], case["steps"]
    data = data if isinstance(data, dict) else {}
    runs = dict(_all_runs(json.dumps(case, sort_keys=True)))
    expected = runs.pop("expected")
    start = [p.data for p in _model(case).parameters()]
    shown = f"MLP(2, [4, 1], tanh), {len(case['X'])} points, lr = {lr:g}, {steps} steps, twice"
    answer = {"weights": data.get("weights"), "losses": data.get("losses")}
    if close(answer["weights"], [start, start]):
        raise WrongAnswerError(
            "4.3",
            f"the weights did not move in {2 * steps} steps",
            input=shown,
            hint="the step ran with zeroed gradients, or never ran: in each step call "
            "zero_grad, then backward, then move every parameter",
            formula="zero_grad(); loss.backward(); p.data −= lr × p.grad",
        )
    _judge_rate_used(case, data.get("learning_rate"), answer, shown)
    diagnose(
        "4.3",
        expected,
        answer,
        runs,
        problem="the training is not gradient descent",
        input=f"{shown}; the parameters' grads are {case['start']:g} before the first call",
        entry=_entry,
        hint="each step: the loss (the mean over all points), zero the gradients, backward, "
        "then move every parameter against its gradient; return this call's losses",
        formula="zero_grad(); loss.backward(); p.data −= lr × p.grad",
    )
    _judge_learning_rate(case, data.get("learning_rate"))
    return "the training loop is right: zero_grad, forward, loss, backward, step."


def _judge_rate_used(case: dict[str, Any], rate: object, answer: Any, shown: str) -> None:
    """Raise if ``answer`` is the right loop run with ``learning_rate`` instead of ``lr``."""
    lr = case["lr"]
    if not is_number(rate) or rate == lr or not 0 < float(rate) < 100:  # type: ignore[arg-type]
        return
    if close(answer, _simulated({**case, "lr": float(rate)}, None)):  # type: ignore[arg-type]
        raise WrongAnswerError(
            "4.3",
            f"train moved the parameters with learning_rate = {rate:g}, not with its argument "
            f"lr = {lr:g}",
            input=shown,
            hint="inside train, step with the parameter lr: the check calls train with rates of "
            "its own",
        )


def _entry(path: tuple[Any, ...]) -> str:
    what, call, *index = path
    if what == "weights":
        return f"parameter {index[0]} after call {call + 1}" if index else f"call {call + 1}"
    if index:
        return f"the loss of step {index[0]} in call {call + 1}"
    return f"the list of losses of call {call + 1}"


def _judge_learning_rate(case: dict[str, Any], rate: object) -> None:
    if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not 0.0 < rate < 1e6:
        got = repr(rate) if isinstance(rate, str) else show(rate)
        raise WrongAnswerError("4.3", f"learning_rate must be a positive number, got {got}"[:300])
    first, final = _rate_run(json.dumps(case["rate_data"], sort_keys=True), float(rate))
    got = f"{first:.4g} → {final:.4g}"
    if not math.isfinite(final) or final > first:
        raise WrongAnswerError(
            "4.3",
            f"with learning_rate = {rate} the loss grows",
            mistake="exploding-lr",
            input="60 steps",
            expected=f"a loss below {LOSS_TARGET}",
            got=got,
        )
    if final >= LOSS_TARGET:
        raise WrongAnswerError(
            "4.3",
            f"with learning_rate = {rate} the loss falls too slowly",
            input="60 steps",
            expected=f"a loss below {LOSS_TARGET}",
            got=got,
            hint="a larger step (but not so large that the loss grows)",
        )


@functools.lru_cache(maxsize=64)
def _rate_run(data_json: str, rate: float) -> tuple[float, float]:
    """The first and last of 60 losses of the right loop with ``rate`` (cached)."""
    data = json.loads(data_json)
    model = MLP(2, [4, 1], activation="tanh", seed=1)
    X, y = np.array(data["X"]), np.array(data["y"])
    with np.errstate(all="ignore"):
        try:
            history = _training_variant(model, X, y, rate, 60)
        except (OverflowError, ValueError):
            history = [math.nan]
    return history[0], history[-1]


def _loop_case(
    data: dict[str, Any], model_seed: int, lr: float, steps: int, start: float
) -> dict[str, Any]:
    return {
        **data,
        "model_seed": model_seed,
        "lr": lr,
        "steps": steps,
        "start": start,
        "rate_data": _training_data(),
    }


def _hidden_loop(rng: random.Random) -> dict[str, Any]:
    data = _training_data(rng.getrandbits(32), rng.randint(8, 12), round(rng.uniform(-1, 1), 2))
    return _loop_case(
        data,
        rng.randint(0, 999),
        rng.choice([0.05, 0.1, 0.2]),
        rng.randint(5, 8),
        round(rng.uniform(0.1, 0.5), 2),
    )


TRAINING_LOOP = Exercise(
    number="4.3",
    what="the training loop",
    notebook_case=lambda: _loop_case(_training_data(), 1, 0.1, 8, 0.3),
    hidden_case=_hidden_loop,
    probe=_probe_loop,
    judge=_judge_loop,
    switch=(*OPTIMIZERS, *TRAINING_LOOPS),
)


@exercise("4.3")
def check_training_loop(
    train: Callable[[MLP, np.ndarray, np.ndarray, float, int], list[float]],
    learning_rate: float | None,
) -> None:
    """Exercise 4.3: ``train(model, X, y, lr, steps)`` — the loop, written out; returns the losses.

    Each step: the mean squared error over all of X, zero the gradients,
    backward, then p.data -= lr · p.grad for every parameter. The check runs it
    twice on a model whose grads are not 0 at the start, and compares the
    weights and losses with those of the right loop and of each classic wrong
    one (no zero_grad, zero_grad after the step, the update's sign, the step
    before backward, sum instead of mean) from the same start, and names the
    one it matches. Then the right loop with your ``learning_rate`` must bring
    the loss below :data:`LOSS_TARGET` in 60 steps.
    """
    run_check("4.3", train, learning_rate)
