"""Notebook 6, the playground: 6.1 features that let one neuron separate the circle."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..nn import MLP
from .compare import NO_RETURN, show
from .core import Exercise, Guard, plain, run_check, second_call
from .mistakes import WrongAnswerError, exercise

__all__ = ["EXERCISES", "check_circle_features"]

MAX_FEATURES = 50
"""More feature columns than this is not a feature map but a lookup table."""


def _probe_features(case: dict[str, Any], guard: Guard, features: Any) -> Any:
    from .. import datasets

    X, _ = datasets.circle(n=case["n"], seed=case["seed"])
    calls = []
    for _ in range(2):  # the same points twice: features must not depend on the call
        with guard():
            answer = features(X.copy())
        calls.append(plain(answer))  # now: a later call may change what it returned
    return {"features": calls[0], "again": calls[1]}


def _judge_features(case: dict[str, Any], data: Any) -> str:
    from .. import datasets, optim
    from ..train import evaluate, fit

    X, y = datasets.circle(n=case["n"], seed=case["seed"])
    data = data if isinstance(data, dict) else {"features": data}
    if data.get("features") is None:
        raise WrongAnswerError("6.1", "features(X) returned None" + NO_RETURN)
    try:
        inputs = np.array(data.get("features"), dtype=float)
    except (TypeError, ValueError):
        got = data.get("features")
        raise WrongAnswerError(
            "6.1",
            "features(X) must be an array of numbers, got "
            + ("None" + NO_RETURN if got is None else show(got)),
        ) from None
    if inputs.ndim != 2 or inputs.shape[0] != len(X) or not 1 <= inputs.shape[1] <= MAX_FEATURES:
        raise WrongAnswerError(
            "6.1",
            f"features(X) must have shape (n, k) with 1 ≤ k ≤ {MAX_FEATURES}: one row per point",
            expected=f"({len(X)}, k)",
            got=str(inputs.shape),
        )
    if not np.isfinite(inputs).all():
        raise WrongAnswerError("6.1", "features(X) has NaN or infinite values")
    spread = inputs.std(axis=0)
    scaled = (inputs - inputs.mean(axis=0)) / np.where(spread > 1e-12, spread, 1.0)
    model = MLP(inputs.shape[1], [1], seed=0)
    optimizer = optim.Adam(model.parameters(), lr=0.05)
    fit(model, scaled, y, optimizer=optimizer, epochs=60, progress=False)
    _, accuracy = evaluate(model, scaled, y, "bce")
    if accuracy is None or accuracy < 0.95:
        raise WrongAnswerError(
            "6.1",
            "one neuron on your features cannot separate the circle",
            expected="≥ 95 % accuracy",
            got=f"{accuracy or 0.0:.0%}",
            hint="one neuron draws a straight line (a flat boundary) in its inputs; the circle's "
            "edge is not straight in x1 and x2: in which features would it be?",
            formula="the circle's edge is where x1² + x2² is constant",
        )
    second_call("6.1", "features", inputs.tolist(), data.get("again"))
    return f"with your features one neuron separates the circle ({accuracy:.0%} accuracy)."


FEATURES = Exercise(
    number="6.1",
    what="the features",
    notebook_case=lambda: {"n": 200, "seed": 1},
    hidden_case=lambda rng: {"n": 200, "seed": rng.randint(2, 10**6)},
    probe=_probe_features,
    judge=_judge_features,
)


@exercise("6.1")
def check_circle_features(features: Callable[[np.ndarray], np.ndarray]) -> None:
    """Exercise 6.1: features with which one neuron (no hidden layer) separates the circle.

    The check scales each feature to mean 0 and spread 1, trains one neuron on
    them and asks for ≥ 95 % accuracy; it calls ``features`` twice on the same
    points and asks for the same features.
    """
    run_check("6.1", features)


EXERCISES = {e.number: e for e in (FEATURES,)}
