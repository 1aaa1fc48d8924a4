"""Notebook 4, an MLP classifier: 4.1 cross-entropy, 4.2 an SGD step, 4.3 the training loop
(in :mod:`~micrograd_edu.exercises.training_loop`), 4.4 diagnosing loss curves."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import numpy as np

from .. import losses
from ..engine import Value
from ..nn import MLP
from .compare import NO_RETURN, diagnose, show
from .core import (
    Exercise,
    Guard,
    answer_and_backpropagate,
    require_value,
    run_check,
)
from .curves import CURVE_CAUSES, CURVE_SIGNS, synthetic_curves
from .mistakes import WrongAnswerError, exercise
from .training_loop import LOSS_TARGET, OPTIMIZERS, TRAINING_LOOP, check_training_loop

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
    rows = [got if isinstance(got, dict) else {} for got in data]
    where = [f"bce(p={p}, y={y})" for p, y in pairs]
    values = [require_value("4.1", w, got.get("out")) for w, got in zip(where, rows, strict=True)]
    probabilities = [Value(p, label="p") for p, _ in pairs]
    outs = [_bce(p, y) for p, (_, y) in zip(probabilities, pairs, strict=True)]
    expected = [out.data for out in outs]
    diagnose(
        "4.1",
        expected,
        values,
        {"sign-error": [-v for v in expected]},
        problem="the loss is wrong",
        problems={"sign-error": "the loss is negative"},
        entry=lambda path: where[path[0]],
        hint="the loss is minus the log of the probability the model gives to the true class: "
        "p when y = 1, 1 − p when y = 0",
        formula="L = −[y log p + (1 − y) log(1 − p)]",
    )
    grads = [got.get("grad") for got in rows]
    if all(g == 0.0 for g in grads):
        raise WrongAnswerError(
            "4.1",
            "no gradient reaches p: the loss does not depend on the Value p",
            mistake="float-not-value",
            input=where[0],
        )
    for out in outs:
        out.backward()
    diagnose(
        "4.1",
        [p.grad for p in probabilities],
        grads,
        problem="dL/dp is wrong",
        entry=lambda path: where[path[0]],
        hint="build the loss from p with the Values' operators and .log() only: a term built "
        "from p.data carries no gradient",
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
    moved = []
    for _ in range(2):  # twice with the same gradients: two steps
        with guard():
            sgd_step(params, case["lr"])
        moved.append([p.data for p in params])
    return {"grads": [p.grad for p in params], "first": moved[0], "second": moved[1]}


def _sgd_answer(data: list[float], grads: list[float], lr: float, **how: Any) -> dict[str, Any]:
    """What two calls give: each parameter moved by ``how["sign"]`` · lr · its gradient per call."""
    sign, moves, decay = how.get("sign", -1.0), how.get("moves", True), how.get("decay", 1.0)
    step = [sign * lr * g if moves else 0.0 for g in grads]
    return {
        "grads": [g * decay**2 for g in grads],
        "first": [d + s for d, s in zip(data, step, strict=True)],
        "second": [d + 2 * s for d, s in zip(data, step, strict=True)],
    }


def _judge_sgd(case: dict[str, Any], data: Any) -> str:
    start, grads, lr = case["data"], case["grads"], case["lr"]
    diagnose(
        "4.2",
        _sgd_answer(start, grads, lr),
        data,
        {
            "update-sign": _sgd_answer(start, grads, lr, sign=1.0),
            "updated-grad-not-data": _sgd_answer(start, grads, lr, moves=False, decay=1 - lr),
            "rebinding": _sgd_answer(start, grads, lr, moves=False),
        },
        problem="the parameters are not where two steps put them",
        problems={
            "updated-grad-not-data": "the parameters did not move, their gradients did",
            "update-sign": "the parameters moved uphill",
            "rebinding": "the parameters did not move",
        },
        input=f"params {show(start)} with grads {show(grads)}; lr = {lr:g}; sgd_step runs twice",
        entry=_sgd_entry,
        hint="each parameter moves by lr × its own gradient, against it; the step changes "
        "p.data and leaves p.grad as it is",
        formula="p.data −= lr × p.grad",
    )
    return "one step of gradient descent: w ← w − lr·∂L/∂w."


def _sgd_entry(path: tuple[Any, ...]) -> str:
    what, *index = path
    where = f"parameter {index[0]}" if index else "the parameters"
    if what == "grads":
        return f"p.grad of {where}, which the step must leave as it is"
    return f"{where} after the {what} call"


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
    # the gradient 0 in the middle: a loop that skips the first or the last parameter shows
    notebook_case=lambda: {"data": [1.0, 0.5, -2.0], "grads": [0.5, 0.0, -1.0], "lr": 0.1},
    hidden_case=_hidden_sgd,
    probe=_probe_sgd,
    judge=_judge_sgd,
    switch=OPTIMIZERS,
)


@exercise("4.2")
def check_sgd_step(sgd_step: Callable[[Sequence[Value], float], None]) -> None:
    """Exercise 4.2: ``sgd_step(params, lr)`` moves every parameter against its gradient."""
    run_check("4.2", sgd_step)


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
                f"{name}: {answer if not isinstance(answer, str) else repr(answer)} "
                "is not one of the diagnoses"[:300],
                expected=" / ".join(CURVE_CAUSES),
                got=show(answer) + (NO_RETURN if answer is None else ""),
            )
        if text != cause:
            raise WrongAnswerError(
                "4.4",
                f"{name} is not '{text}'",
                hint=f"'{text}' looks like this: {CURVE_SIGNS[text]}. "
                f"Look again at {name}: which description fits it?",
                formula="compare a few numbers of each curve: its first, lowest, highest and "
                "last training loss, and where the validation loss is lowest",
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
