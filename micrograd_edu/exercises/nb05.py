"""Notebook 5, regression: 5.1 the mean squared error."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

from ..engine import Value
from .compare import diagnose, show
from .core import (
    Exercise,
    Guard,
    answer_and_backpropagate,
    require_value,
    run_check,
    second_call,
)
from .mistakes import WrongAnswerError, exercise

__all__ = ["EXERCISES", "check_mean_squared_error"]


def _probe_mse(case: dict[str, Any], guard: Guard, mean_squared_error: Any) -> dict[str, Any]:
    preds = [Value(p, label=f"ŷ{i}") for i, p in enumerate(case["preds"])]
    described = answer_and_backpropagate(guard, mean_squared_error, preds, list(case["targets"]))
    first = {"out": described, "grads": [p.grad for p in preds]}
    fresh = [Value(p) for p in case["preds"]]  # a second call must give the same
    again = answer_and_backpropagate(guard, mean_squared_error, fresh, list(case["targets"]))
    return {**first, "again": again}


def _judge_mse(case: dict[str, Any], data: Any) -> str:
    targets = case["targets"]
    n = len(targets)
    shown = f"predictions {show(case['preds'])}, targets {show(targets)}"
    data = data if isinstance(data, dict) else {}
    preds = [Value(p, label=f"ŷ{i}") for i, p in enumerate(case["preds"])]
    total = Value(0.0)
    for p, t in zip(preds, targets, strict=True):
        total = total + (p - t) ** 2
    mse = total / n
    value = require_value("5.1", "mean_squared_error", data.get("out"), mse.data)
    diagnose(
        "5.1",
        mse.data,
        value,
        {
            "sum-not-mean": mse.data * n,
            "rmse": math.sqrt(mse.data),
            "n-minus-one": total.data / (n - 1),
        },
        problem="the MSE is wrong",
        problems={"sum-not-mean": f"the result is {n} times the MSE"},
        input=shown,
        tol=1e-12,
        hint="square each error ŷ − y, then average the squares",
        formula="MSE = (1/n) Σ (ŷᵢ − yᵢ)²",
    )
    grads = data.get("grads")
    if isinstance(grads, list) and grads and all(g == 0.0 for g in grads):
        raise WrongAnswerError(
            "5.1",
            "no gradient reaches the predictions: the result does not depend on the Values",
            mistake="float-not-value",
            input=shown,
        )
    mse.backward()
    diagnose(
        "5.1",
        [p.grad for p in preds],
        grads,
        problem="dMSE/dŷ is wrong",
        input=shown,
        entry=lambda path: f"dMSE/dŷ{path[0]}",
        hint="build the MSE from the Values ŷ themselves, with their operators: a term built "
        "from .data carries no gradient",
    )
    again = require_value("5.1", "mean_squared_error, called again,", data.get("again"))
    second_call("5.1", "mean_squared_error", value, again)
    return "MSE = mean of squared errors, and its gradient 2(ŷ − y)/n."


def _hidden_mse(rng: random.Random) -> dict[str, Any]:
    n = rng.randint(3, 6)
    preds = [round(rng.uniform(-2, 2), 2) for _ in range(n)]
    return {"preds": preds, "targets": [round(p + rng.uniform(-1.5, 1.5), 2) for p in preds]}


MSE = Exercise(
    number="5.1",
    what="the mean squared error",
    notebook_case=lambda: {"preds": [0.5, -1.0, 2.0], "targets": [1.0, -1.0, 0.0]},
    hidden_case=_hidden_mse,
    probe=_probe_mse,
    judge=_judge_mse,
    switch=(("micrograd_edu.losses", "mse"), ("micrograd_edu.losses", "mean")),
)


@exercise("5.1")
def check_mean_squared_error(
    mean_squared_error: Callable[[list[Value], list[float]], Value],
) -> None:
    """Exercise 5.1: the mean of (ŷ − y)² over a batch, as a Value."""
    run_check("5.1", mean_squared_error)


EXERCISES = {e.number: e for e in (MSE,)}
