"""Notebook 3, the neuron: 3.1 a neuron's forward pass, 3.2 two linear layers collapse into one."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import numpy as np

from ..engine import Value
from .code_errors import StudentCodeError, from_record
from .compare import NO_RETURN, diagnose, show
from .core import (
    Exercise,
    Guard,
    answer_and_backpropagate,
    plain,
    require_value,
    run_check,
    second_call,
)
from .mistakes import WrongAnswerError, exercise

__all__ = ["EXERCISES", "check_collapse_linear_layers", "check_neuron_forward"]


# ------------------------------------------------------------------ 3.1
def _neuron_values(case: dict[str, Any]) -> tuple[list[Value], Value]:
    w = [Value(wi, label=f"w{i}") for i, wi in enumerate(case["w"])]
    return w, Value(case["b"], label="b")


def _probe_neuron(case: dict[str, Any], guard: Guard, neuron_forward: Any) -> dict[str, Any]:
    w, b = _neuron_values(case)
    x = list(case["x"])
    given = list(w)
    described = answer_and_backpropagate(guard, neuron_forward, w, x, b)
    changed = [name for name, now, was in (("w", w, given), ("x", x, case["x"])) if now != was]
    first = {"out": described, "grads": [wi.grad for wi in given], "grad_b": b.grad}
    if changed:
        first["changed"] = changed
    w2, b2 = _neuron_values(case)  # fresh Values: a second call must give the same
    again = answer_and_backpropagate(guard, neuron_forward, w2, list(case["x"]), b2)
    return {**first, "again": again}


def _judge_neuron(case: dict[str, Any], data: Any) -> str:
    x = case["x"]
    shown = f"w = {show(case['w'])}, x = {show(x)}, b = {case['b']:g}"
    data = data if isinstance(data, dict) else {}
    value = require_value("3.1", "neuron_forward(w, x, b)", data.get("out"))
    z = sum(wi * xi for wi, xi in zip(case["w"], x, strict=True)) + case["b"]
    hint = "the weighted sum of the inputs plus the bias, then the activation"
    if math.isclose(value, z, rel_tol=1e-12, abs_tol=1e-12):
        hint = "the activation is missing: apply .tanh() to the weighted sum"
    diagnose(
        "3.1",
        math.tanh(z),
        value,
        problem="the output is wrong",
        input=shown,
        tol=1e-12,
        hint=hint,
        formula="out = tanh(w₀x₀ + w₁x₁ + … + b)",
    )
    changed = data.get("changed")
    if isinstance(changed, list) and changed:
        raise WrongAnswerError(
            "3.1",
            f"neuron_forward changed the list {changed[0]} it was given",
            input=shown,
            hint="compute the output from w, x and b without appending to them or changing "
            "their items: the caller still needs its lists as they were",
        )
    grads = data.get("grads")
    if isinstance(grads, list) and grads and all(g == 0.0 for g in grads):
        raise WrongAnswerError(
            "3.1",
            "no gradient reaches the weights: the output does not depend on the Values w",
            mistake="float-not-value",
            input=shown,
        )
    w, b = _neuron_values(case)
    out = b
    for wi, xi in zip(w, x, strict=True):
        out = out + wi * xi
    out.tanh().backward()
    diagnose(
        "3.1",
        [*(wi.grad for wi in w), b.grad],
        [*grads, data.get("grad_b")] if isinstance(grads, list) else grads,
        problem="the gradients of the output are wrong",
        input=shown,
        entry=lambda path: f"d out/d w{path[0]}" if path[0] < len(w) else "d out/d b",
        hint="every weight must enter the graph once, multiplied by its input, and the bias "
        "once; a term built from .data carries no gradient",
    )
    again = require_value("3.1", "neuron_forward(w, x, b), called again,", data.get("again"))
    second_call("3.1", "neuron_forward", value, again)
    return "the neuron computes tanh(w·x + b) and its gradients flow to every weight."


def _hidden_neuron(rng: random.Random) -> dict[str, Any]:
    n = rng.randint(2, 5)

    def u() -> float:
        return round(rng.uniform(-1.5, 1.5), 2)

    return {"w": [u() for _ in range(n)], "x": [u() for _ in range(n)], "b": u()}


NEURON = Exercise(
    number="3.1",
    what="the neuron's forward pass",
    notebook_case=lambda: {"w": [0.5, -1.0, 2.0], "x": [1.0, 0.5, -0.25], "b": 0.1},
    hidden_case=_hidden_neuron,
    probe=_probe_neuron,
    judge=_judge_neuron,
    switch=(("micrograd_edu.engine", "dot"), ("micrograd_edu.nn:Neuron", "__call__")),
)


@exercise("3.1")
def check_neuron_forward(
    neuron_forward: Callable[[list[Value], list[float], Value], Value],
) -> None:
    """Exercise 3.1: ``neuron_forward(w, x, b)`` = tanh(Σ wᵢxᵢ + b), as Values."""
    run_check("3.1", neuron_forward)


# ------------------------------------------------------------------ 3.2
def _layers_case(rng: np.random.Generator, n_in: int, hidden: int, n_out: int) -> dict[str, Any]:
    return {
        "W1": rng.normal(size=(hidden, n_in)).round(3).tolist(),
        "b1": rng.normal(size=hidden).round(3).tolist(),
        "W2": rng.normal(size=(n_out, hidden)).round(3).tolist(),
        "b2": rng.normal(size=n_out).round(3).tolist(),
        "x": rng.normal(size=n_in).round(3).tolist(),
    }


def _hidden_layers(rng: random.Random) -> dict[str, Any]:
    n_in, n_out = rng.choice([(3, 2), (2, 3), (4, 2), (3, 1), (2, 4)])
    hidden = rng.choice([h for h in (3, 4, 5, 6) if h not in (n_in, n_out)])
    return _layers_case(np.random.default_rng(rng.getrandbits(32)), n_in, hidden, n_out)


def _probe_layers(case: dict[str, Any], guard: Guard, collapse: Any) -> Any:
    arrays = [np.array(case[k], dtype=float) for k in ("W1", "b1", "W2", "b2")]
    calls = []
    for _ in range(2):  # the same arrays twice: an input changed in place shows
        try:
            with guard():
                result = collapse(*arrays)
        except StudentCodeError as error:
            if "matmul" not in error.message:  # NumPy's "matmul: Input operand 1 has a mismatch"
                raise
            return {"matmul error": error.record_text()}
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            return {"type": "None" if result is None else type(result).__name__}
        calls.append(plain({"W": result[0], "b": result[1]}))  # now: a later call may change it
    return {**calls[0], "again": calls[1]}


def _as_arrays(data: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    try:
        return np.array(data["W"], dtype=float), np.array(data["b"], dtype=float)
    except (TypeError, ValueError):
        raise WrongAnswerError("3.2", "W and b must be arrays of numbers") from None


def _judge_layers(case: dict[str, Any], data: Any) -> str:
    W1, b1, W2, b2, x = (np.array(case[k], dtype=float) for k in ("W1", "b1", "W2", "b2", "x"))
    (hidden, n_in), n_out = W1.shape, W2.shape[0]
    shapes = (
        f"W1 is {W1.shape}: {n_in} inputs → {hidden}; b1 is ({hidden},); "
        f"W2 is {W2.shape}: {hidden} → {n_out}; b2 is ({n_out},)"
    )
    data = data if isinstance(data, dict) else {}
    if "matmul error" in data:
        raised = from_record("3.2", str(data["matmul error"]))
        where = f" in {raised.line}:  {raised.code}" if raised.line else ""
        raise WrongAnswerError(
            "3.2",
            f"the matrix shapes do not fit together{where}",
            input=shapes,
            got=raised.message,
            hint="A @ B needs A's number of columns = B's number of rows: which product of "
            "W1 and W2 can be computed, and what shape does it have?",
        )
    if "W" not in data:
        got = data.get("type", show(data))
        none = NO_RETURN if got == "None" else ""
        raise WrongAnswerError("3.2", f"collapse must return a pair (W, b), got a {got}{none}")
    W, b = _as_arrays(data)
    if W.shape != (n_out, n_in) or b.shape != (n_out,):
        raise WrongAnswerError(
            "3.2",
            f"the shapes are wrong: the collapsed layer maps {n_in} inputs to {n_out} outputs",
            input=shapes,
            expected=f"W ({n_out}, {n_in}), b ({n_out},)",
            got=f"W {W.shape}, b {b.shape}",
        )
    diagnose(
        "3.2",
        (W2 @ (W1 @ x + b1) + b2).tolist(),
        (W @ x + b).tolist(),
        problem="W x + b differs from the two layers",
        input=f"x = {show(x.tolist())}",
        entry=lambda path: f"output {path[0]}",
        hint="expand W2 (W1 x + b1) + b2 and group what multiplies x, and what does not",
        formula="W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2)",
    )
    again = data.get("again")
    if isinstance(again, dict) and "W" in again:
        again = [array.tolist() for array in _as_arrays(again)]
    second_call("3.2", "collapse", [W.tolist(), b.tolist()], again)
    return "two linear layers are one linear layer: W = W2·W1, b = W2·b1 + b2."


LAYERS = Exercise(
    number="3.2",
    what="the collapsed layer",
    notebook_case=lambda: _layers_case(np.random.default_rng(0), 3, 4, 2),
    hidden_case=_hidden_layers,
    probe=_probe_layers,
    judge=_judge_layers,
)


@exercise("3.2")
def check_collapse_linear_layers(
    collapse: Callable[
        [np.ndarray, np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]
    ],
) -> None:
    """Exercise 3.2: two linear layers W2(W1x + b1) + b2 equal one layer Wx + b."""
    run_check("3.2", collapse)


EXERCISES = {e.number: e for e in (NEURON, LAYERS)}
