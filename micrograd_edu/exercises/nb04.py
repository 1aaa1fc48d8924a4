"""Notebook 4, an MLP classifier: 4.1 cross-entropy, 4.2 an SGD step, 4.3 the training loop,
4.4 diagnosing loss curves."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import numpy as np

from .. import losses
from ..engine import Value
from ..nn import MLP
from .compare import diagnose, show
from .core import (
    Exercise,
    Guard,
    answer_and_backpropagate,
    require_value,
    run_check,
)
from .curves import CURVE_CAUSES, CURVE_SIGNS, synthetic_curves
from .graphs import gradient_suspects
from .mistakes import WrongAnswerError, exercise

__all__ = [
    "CURVE_CAUSES",
    "EXERCISES",
    "LOSS_TARGET",
    "check_loss_diagnosis",
    "check_probability_loss",
    "check_sgd_step",
    "check_training_loop",
    "loss_curves",
]

_OPTIMIZERS = (
    ("micrograd_edu.optim:SGD", "step"),
    ("micrograd_edu.optim:Adam", "step"),
    ("micrograd_edu.optim:Optimizer", "step"),
)
_TRAINING_LOOPS = (
    ("micrograd_edu.train", "fit"),
    ("micrograd_edu.train:Trainer", "step"),
    ("micrograd_edu.train:Trainer", "epoch"),
    ("micrograd_edu.steps", "gradient_step"),
)
"""The library's loops: with an Optimizer of one's own (its step written out), each did
zero_grad, backward and step in the right order for the student and passed 4.3."""


# ------------------------------------------------------------------ 4.1
def _bce(p: Value, y: float) -> Value:
    return -(y * p.log() + (1 - y) * (1 - p).log())


def _probe_bce(case: dict[str, Any], guard: Guard, bce: Any) -> list[Any]:
    results = []
    for p_value, y in case["pairs"]:
        p = Value(p_value, label="p")
        described = answer_and_backpropagate(guard, bce, p, y)
        results.append({"out": described, "grad": p.grad})
    return results


def _judge_bce(case: dict[str, Any], data: Any) -> str:
    pairs = case["pairs"]
    if not isinstance(data, list) or len(data) != len(pairs):
        raise WrongAnswerError("4.1", "the probe's answer has the wrong form")
    for (p_value, y), got in zip(pairs, data, strict=True):
        got = got if isinstance(got, dict) else {}
        shown = f"p = {p_value}, y = {y}"
        value = require_value("4.1", f"bce(p={p_value}, y={y})", got.get("out"))
        p = Value(p_value, label="p")
        out = _bce(p, y)
        diagnose(
            "4.1",
            out.data,
            value,
            {"sign-error": -out.data},
            problem="the loss is wrong",
            problems={"sign-error": "the loss is negative"},
            input=shown,
            hint="−log of the probability given to the true class: p if y = 1, 1 − p if y = 0",
        )
        suspects = gradient_suspects(out, [p])
        if got.get("grad") == 0.0:
            suspects = {"float-not-value": [0.0], **suspects}
        diagnose(
            "4.1",
            suspects.pop("expected"),
            [got.get("grad")],
            suspects,
            problem="dL/dp is wrong",
            input=shown,
        )
    return "binary cross-entropy: confident and right costs little, confident and wrong a lot."


def _hidden_bce(rng: random.Random) -> dict[str, Any]:
    return {"pairs": [[round(rng.uniform(0.05, 0.95), 2), y] for y in rng.sample([1, 0, 1, 0], 4)]}


BCE = Exercise(
    number="4.1",
    what="the binary cross-entropy",
    notebook_case=lambda: {"pairs": [[0.9, 1], [0.9, 0], [0.25, 1], [0.5, 0]]},
    hidden_case=_hidden_bce,
    probe=_probe_bce,
    judge=_judge_bce,
    switch=(("micrograd_edu.losses", "binary_cross_entropy"),),
)


@exercise("4.1")
def check_probability_loss(bce: Callable[[Value, float], Value]) -> None:
    """Exercise 4.1: ``bce(p, y)`` = −[y log p + (1 − y) log(1 − p)] for a probability Value p."""
    run_check("4.1", bce)


# ------------------------------------------------------------------ 4.2
def _probe_sgd(case: dict[str, Any], guard: Guard, sgd_step: Any) -> dict[str, Any]:
    params = [Value(d) for d in case["data"]]
    for p, g in zip(params, case["grads"], strict=True):
        p.grad = g
    with guard():
        sgd_step(params, case["lr"])
    return {"data": [p.data for p in params], "grads": [p.grad for p in params]}


def _judge_sgd(case: dict[str, Any], data: Any) -> str:
    start, grads, lr = case["data"], case["grads"], case["lr"]
    data = data if isinstance(data, dict) else {}
    grads_moved = data.get("grads") != grads
    diagnose(
        "4.2",
        [d - lr * g for d, g in zip(start, grads, strict=True)],
        data.get("data"),
        {
            "updated-grad-not-data": start if grads_moved else None,
            "update-sign": [d + lr * g for d, g in zip(start, grads, strict=True)],
        },
        problem="the parameters are not where one step puts them",
        problems={
            "updated-grad-not-data": "the parameters did not move, their gradients did",
            "update-sign": "the parameters moved uphill",
        },
        input=f"params {show(start)} with grads {show(grads)}; lr = {lr:g}",
        hint="each parameter moves by lr × its own gradient",
    )
    return "one step of gradient descent: w ← w − lr·∂L/∂w."


def _hidden_sgd(rng: random.Random) -> dict[str, Any]:
    n = rng.randint(3, 5)
    return {
        "data": [round(rng.uniform(-2, 2), 2) for _ in range(n)],
        "grads": [round(rng.uniform(0.2, 1.5) * rng.choice((-1, 1)), 2) for _ in range(n)],
        "lr": rng.choice([0.05, 0.1, 0.2, 0.5]),
    }


SGD_STEP = Exercise(
    number="4.2",
    what="the SGD step",
    notebook_case=lambda: {"data": [1.0, -2.0, 0.5], "grads": [0.5, -1.0, 0.0], "lr": 0.1},
    hidden_case=_hidden_sgd,
    probe=_probe_sgd,
    judge=_judge_sgd,
    switch=_OPTIMIZERS,
)


@exercise("4.2")
def check_sgd_step(sgd_step: Callable[[Sequence[Value], float], None]) -> None:
    """Exercise 4.2: ``sgd_step(params, lr)`` moves every parameter against its gradient."""
    run_check("4.2", sgd_step)


# ------------------------------------------------------------------ 4.3
LOSS_TARGET = 0.085
"""Exercise 4.3: 60 steps with the student's learning rate must bring the loss below this."""

_LOOP_MISTAKES = ("missing-zero-grad", "update-sign", "step-before-backward", "sum-not-mean")


def _training_variant(
    model: MLP, X: np.ndarray, y: np.ndarray, lr: float, steps: int, variant: str | None = None
) -> list[float]:
    """The training loop of exercise 4.3, or one classic mistake of it; returns the losses."""
    params = model.parameters()
    history = []
    for _ in range(steps):
        loss = losses.mean(losses.mse, [model(row) for row in X], y.tolist())
        if variant == "sum-not-mean":
            loss = loss * float(len(X))
        history.append(loss.data)
        if variant != "missing-zero-grad":
            model.zero_grad()
        if variant == "step-before-backward":
            for p in params:
                p.data -= lr * p.grad
            loss.backward()
            continue
        loss.backward()
        sign = 1.0 if variant == "update-sign" else -1.0
        for p in params:
            p.data += sign * lr * p.grad
    return history


def _training_data(seed: int = 4, n: int = 12, a: float = 0.5) -> dict[str, Any]:
    X = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(n, 2))
    return {"X": X.tolist(), "y": (a * X[:, 0] - X[:, 1] ** 2).tolist()}


def _probe_loop(case: dict[str, Any], guard: Guard, train: Any, learning_rate: Any) -> Any:
    if learning_rate is None:
        raise NotImplementedError("choose learning_rate")
    model = MLP(2, [4, 1], activation="tanh", seed=case["model_seed"])
    X, y = np.array(case["X"]), np.array(case["y"])
    with guard():
        history = train(model, X, y, case["lr"], case["steps"])
    weights = [p.data for p in model.parameters()]
    return {"losses": history, "weights": weights, "learning_rate": learning_rate}


def _judge_loop(case: dict[str, Any], data: Any) -> str:
    X, y, lr, steps = np.array(case["X"]), np.array(case["y"]), case["lr"], case["steps"]
    data = data if isinstance(data, dict) else {}
    runs: dict[str, list[float]] = {}
    for variant in (None, *_LOOP_MISTAKES):
        model = MLP(2, [4, 1], activation="tanh", seed=case["model_seed"])
        _training_variant(model, X, y, lr, steps, variant)
        runs[variant or "expected"] = [p.data for p in model.parameters()]
    shown = f"MLP(2, [4, 1], tanh), {len(X)} points, lr = {lr:g}, {steps} steps"
    history = data.get("losses")
    if not isinstance(history, list) or len(history) != steps:
        raise WrongAnswerError(
            "4.3",
            "train must return the list of the losses, one per step",
            input=shown,
            got=show(history),
        )
    diagnose(
        "4.3",
        runs.pop("expected"),
        data.get("weights"),
        runs,
        problem=f"the weights after {steps} steps are not those of gradient descent",
        input=shown,
        entry=lambda i: f"parameter {i}",
        hint="each step: loss (the mean over all points), zero_grad, backward, update",
    )
    _judge_learning_rate(case, data.get("learning_rate"))
    return "the training loop is right: zero_grad, forward, loss, backward, step."


def _judge_learning_rate(case: dict[str, Any], rate: object) -> None:
    if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not 0.0 < rate < 1e6:
        raise WrongAnswerError("4.3", f"learning_rate must be a positive number, got {show(rate)}")
    data = case["rate_data"]
    model = MLP(2, [4, 1], activation="tanh", seed=1)
    X, y = np.array(data["X"]), np.array(data["y"])
    with np.errstate(all="ignore"):
        try:
            history = _training_variant(model, X, y, float(rate), 60)
        except (OverflowError, ValueError):
            history = [math.nan]
    first, final = history[0], history[-1]
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


def _loop_case(data: dict[str, Any], model_seed: int, lr: float, steps: int) -> dict[str, Any]:
    return {
        **data,
        "model_seed": model_seed,
        "lr": lr,
        "steps": steps,
        "rate_data": _training_data(),
    }


def _hidden_loop(rng: random.Random) -> dict[str, Any]:
    data = _training_data(rng.getrandbits(32), rng.randint(8, 12), round(rng.uniform(-1, 1), 2))
    return _loop_case(data, rng.randint(0, 999), rng.choice([0.05, 0.1, 0.2]), rng.randint(5, 8))


TRAINING_LOOP = Exercise(
    number="4.3",
    what="the training loop",
    notebook_case=lambda: _loop_case(_training_data(), 1, 0.1, 8),
    hidden_case=_hidden_loop,
    probe=_probe_loop,
    judge=_judge_loop,
    switch=(*_OPTIMIZERS, *_TRAINING_LOOPS),
)


@exercise("4.3")
def check_training_loop(
    train: Callable[[MLP, np.ndarray, np.ndarray, float, int], list[float]],
    learning_rate: float | None,
) -> None:
    """Exercise 4.3: ``train(model, X, y, lr, steps)`` — the loop, written out; returns the losses.

    Each step: the mean squared error over all of X, zero the gradients,
    backward, then p.data -= lr · p.grad for every parameter. The check runs it
    and compares the weights with those of the right loop and of each classic
    wrong one (no zero_grad, the update's sign, the step before backward, sum
    instead of mean) from the same start, and names the one it matches. Then
    the right loop with your ``learning_rate`` must bring the loss below
    :data:`LOSS_TARGET` in 60 steps.
    """
    run_check("4.3", train, learning_rate)


# ------------------------------------------------------------------ 4.4
_CURVE_ORDER = {"A": "no zero_grad", "B": "overfitting", "C": "rate too high", "D": "rate too low"}


@cache
def loss_curves() -> dict[str, dict[str, list[float]]]:
    """Four training runs, labelled A–D, each with one classic problem (exercise 4.4).

    Each is ``{"train": [...], "validation": [...]}`` per epoch, from real
    training with this library (deterministic: same curves every time).
    """
    from .. import datasets

    X, y = datasets.moons(n=60, noise=0.25, seed=3)
    X_train, X_val, y_train, y_val = datasets.train_test_split(X, y, train_ratio=0.3, seed=3)
    runs: dict[str, dict[str, list[float]]] = {}
    settings = {
        "no zero_grad": ([8], 0.05, 40),
        "overfitting": ([24, 24], 0.3, 120),
        "rate too high": ([8], 12.0, 40),
        "rate too low": ([8], 0.002, 40),
    }
    for letter, cause in _CURVE_ORDER.items():
        hidden, lr, epochs = settings[cause]
        model = MLP(2, [*hidden, 1], activation="tanh", seed=0)
        train_curve, val_curve = [], []
        for _ in range(epochs):
            loss = losses.mean(
                losses.binary_cross_entropy, [model(row) for row in X_train], y_train.tolist()
            )
            if cause != "no zero_grad":
                model.zero_grad()
            loss.backward()
            for p in model.parameters():
                p.data -= lr * p.grad
            train_curve.append(_mean_bce(model, X_train, y_train))
            val_curve.append(_mean_bce(model, X_val, y_val))
        runs[letter] = {"train": train_curve, "validation": val_curve}
    return runs


def _mean_bce(model: MLP, X: np.ndarray, y: np.ndarray) -> float:
    z = model.forward_array(X)[:, 0]
    with np.errstate(over="ignore"):
        return float(np.mean(np.logaddexp(0.0, z) - y * z))


def _curves_case() -> dict[str, Any]:
    real = loss_curves()
    curves, key = synthetic_curves(random.Random(0), 4)
    return {
        "curves": [*(real[letter] for letter in _CURVE_ORDER), *curves],
        "names": [f"curve {letter}" for letter in _CURVE_ORDER]
        + [f"practice curve {i + 1}" for i in range(len(curves))],
        "_key": [*_CURVE_ORDER.values(), *key],
    }


def _hidden_curves(rng: random.Random) -> dict[str, Any]:
    curves, key = synthetic_curves(rng, 6)
    return {"curves": curves, "names": [f"run {i + 1}" for i in range(6)], "_key": key}


def _probe_curves(case: dict[str, Any], guard: Guard, classify_curves: Any) -> list[Any]:
    answers = []
    for run in case["curves"]:
        with guard():
            answers.append(classify_curves(list(run["train"]), list(run["validation"])))
    return answers


def _judge_curves(case: dict[str, Any], data: Any) -> str:
    key, names = case["_key"], case["names"]
    if not isinstance(data, list) or len(data) != len(key):
        raise WrongAnswerError("4.4", "the probe's answer has the wrong form")
    for name, cause, answer in zip(names, key, data, strict=True):
        text = answer.strip().lower() if isinstance(answer, str) else None
        if text not in CURVE_CAUSES:
            raise WrongAnswerError(
                "4.4",
                f"{name}: {answer!r} is not one of the diagnoses"[:300],
                expected=" / ".join(CURVE_CAUSES),
                got=show(answer),
            )
        if text != cause:
            raise WrongAnswerError(
                "4.4",
                f"{name} is not '{text}'",
                hint=f"'{text}' looks like this: {CURVE_SIGNS[text]}. "
                f"Look again at {name}: which description fits it?",
            )
    return f"all {len(key)} runs diagnosed right."


CURVES = Exercise(
    number="4.4",
    what="classify_curves",
    notebook_case=_curves_case,
    hidden_case=_hidden_curves,
    probe=_probe_curves,
    judge=_judge_curves,
)


@exercise("4.4")
def check_loss_diagnosis(classify_curves: Callable[[list[float], list[float]], str]) -> None:
    """Exercise 4.4: ``classify_curves(train, validation)`` names a run's problem.

    It gets one run's per-epoch training and validation losses and returns
    one of :data:`CURVE_CAUSES`. Checked on the four curves A–D of
    :func:`loss_curves` and on practice runs drawn like them; when grading, on
    runs drawn per submission (their answers never reach the notebook).
    """
    run_check("4.4", classify_curves)


EXERCISES = {e.number: e for e in (BCE, SGD_STEP, TRAINING_LOOP, CURVES)}
