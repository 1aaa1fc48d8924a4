"""Notebook 7, checking against PyTorch: 7.1 the loss in PyTorch, 7.2 a batch's backward seed."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import losses
from ..engine import Value
from ..nn import MLP
from .compare import diagnose, show
from .core import Exercise, Guard, run_check
from .graphs import gradient_suspects
from .mistakes import WrongAnswerError, exercise

__all__ = ["EXERCISES", "check_batch_seed", "check_torch_loss"]


def _batch_case(model_seed: int, data_seed: int, n: int, labels: bool) -> dict[str, Any]:
    X = np.random.default_rng(data_seed).normal(size=(n, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(float) if labels else np.sin(X[:, 0])
    return {"model_seed": model_seed, "X": X.tolist(), "y": y.tolist()}


def _hidden_batch(labels: bool) -> Callable[[random.Random], dict[str, Any]]:
    def draw(rng: random.Random) -> dict[str, Any]:
        return _batch_case(rng.randint(0, 999), rng.getrandbits(32), rng.randint(6, 10), labels)

    return draw


def _model(case: dict[str, Any]) -> MLP:
    return MLP(2, [4, 1], activation="tanh", seed=case["model_seed"])


# ------------------------------------------------------------------ 7.1
def _probe_torch(case: dict[str, Any], guard: Guard, torch_loss: Any) -> Any:
    import torch

    from ..io import to_torch

    sequential = to_torch(_model(case))
    with guard():
        out = torch_loss(sequential, np.array(case["X"]), np.array(case["y"]))
    if not isinstance(out, torch.Tensor) or out.numel() != 1:
        shape = list(out.shape) if isinstance(out, torch.Tensor) else None
        return {"type": type(out).__name__, "shape": shape}
    with guard():
        out.backward()  # type: ignore[no-untyped-call]
    weight = sequential[0].weight.grad
    return {"loss": out.item(), "grad": None if weight is None else weight[0, 0].item()}


def _judge_torch(case: dict[str, Any], data: Any) -> str:
    X, y = np.array(case["X"]), np.array(case["y"])
    n = len(X)
    data = data if isinstance(data, dict) else {}
    if "loss" not in data:
        raise WrongAnswerError(
            "7.1",
            "torch_loss must return a one-element torch tensor (the mean loss)",
            got=show(data.get("shape") or data.get("type")),
        )
    model = _model(case)
    loss = losses.mean(losses.mse, [model(row) for row in X], y.tolist())
    predictions = model.forward_array(X)[:, 0]
    broadcast = float(((predictions[:, None] - y[None, :]) ** 2).mean())
    shown = f"{n} points, sequential(X) of shape ({n}, 1), y of shape ({n},)"
    diagnose(
        "7.1",
        loss.data,
        data["loss"],
        {"broadcast-shapes": broadcast, "sum-not-mean": loss.data * n},
        problem="PyTorch's loss differs from micrograd_edu's",
        problems={
            "broadcast-shapes": "the loss compares every prediction with every target",
            "sum-not-mean": f"the loss is {n} times the mean",
        },
        input=shown,
    )
    first = model.layers[0].neurons[0].w[0]
    suspects = gradient_suspects(loss, [first], n=n)
    diagnose(
        "7.1",
        suspects.pop("expected"),
        [data.get("grad")],
        suspects,
        problem="d loss/d w (first weight) differs",
        input=shown,
    )
    return "PyTorch and micrograd_edu agree on the loss and on every gradient checked."


TORCH_LOSS = Exercise(
    number="7.1",
    what="the loss in PyTorch",
    notebook_case=lambda: _batch_case(3, 0, 8, labels=False),
    hidden_case=_hidden_batch(labels=False),
    probe=_probe_torch,
    judge=_judge_torch,
)


@exercise("7.1")
def check_torch_loss(torch_loss: Callable[[Any, np.ndarray, np.ndarray], Any]) -> None:
    """Exercise 7.1: the MSE of a ``torch.nn.Sequential`` on (X, y), gradients equal to ours."""
    run_check("7.1", torch_loss)


# ------------------------------------------------------------------ 7.2
def _logits(case: dict[str, Any]) -> tuple[MLP, Any, np.ndarray]:
    from ..tape import capture

    model = _model(case)
    tape = capture(model, [0.0, 0.0])
    return model, tape, tape.forward_batch(np.array(case["X"]))[:, 0]


def _probe_seed(case: dict[str, Any], guard: Guard, seed_of: Any) -> Any:
    _, _, z = _logits(case)
    with guard():
        answer = seed_of(z.copy(), np.array(case["y"]))
    if isinstance(answer, Value) or (
        isinstance(answer, (list, tuple)) and any(isinstance(a, Value) for a in answer)
    ):
        return {"Values": True}
    return answer


def _flat(data: Any, n: int) -> Any:
    """An (n, 1) answer as (n,); anything else as it is."""
    if (
        isinstance(data, list)
        and len(data) == n
        and all(isinstance(row, list) and len(row) == 1 for row in data)
    ):
        return [row[0] for row in data]
    return data


def _judge_seed(case: dict[str, Any], data: Any) -> str:
    model, tape, z = _logits(case)
    y = np.array(case["y"])
    n = len(z)
    if isinstance(data, dict) and data.get("Values"):
        raise WrongAnswerError(
            "7.2",
            "the seed must be plain numbers (a NumPy array): the tape computes without Values",
        )
    zs = [Value(float(v), label=f"z{i}") for i, v in enumerate(z)]
    loss = losses.mean(losses.binary_cross_entropy, zs, y.tolist())
    probabilities = 1.0 / (1.0 + np.exp(-z))
    # The seed's own mistake first: on this graph "= for +=" can give the same numbers.
    suspects: dict[str, Any] = {"missing-target": (probabilities / n).tolist()}
    suspects.update(gradient_suspects(loss, zs, n=n))
    expected = suspects.pop("expected")
    diagnose(
        "7.2",
        expected,
        _flat(data, n),
        suspects,
        problem="the seed is not dL/dz of the mean binary cross-entropy",
        problems={
            "sum-not-mean": f"the seed is {n} times too large",
            "sign-error": "the seed has the wrong sign",
            "missing-target": "the seed ignores the labels",
        },
        input=f"{n} logits z = {show(z.tolist())} and their labels y = {show(y.tolist())}",
        entry=lambda i: f"sample {i}",
        hint="d/dz [log(1 + e^z) − y·z] = σ(z) − y, and a mean divides by n",
    )
    model.zero_grad()
    tape.backward(np.array(_flat(data, n), dtype=float))
    replayed = [p.grad for p in model.parameters()]
    model.zero_grad()
    losses.mean(
        losses.binary_cross_entropy, [model(row) for row in case["X"]], y.tolist()
    ).backward()
    diagnose(
        "7.2",
        [p.grad for p in model.parameters()],
        replayed,
        problem="the replayed gradients differ from the engine's",
        tol=1e-8,
    )
    return (
        "from your seed the tape's backward pass gives every gradient of "
        "the engine's loss.backward(), for the whole batch at once."
    )


BATCH_SEED = Exercise(
    number="7.2",
    what="the batch's seed",
    notebook_case=lambda: _batch_case(3, 1, 8, labels=True),
    hidden_case=_hidden_batch(labels=True),
    probe=_probe_seed,
    judge=_judge_seed,
)


@exercise("7.2")
def check_batch_seed(seed_of: Callable[[np.ndarray, np.ndarray], Any]) -> None:
    """Exercise 7.2: the seed of a batched backward pass, dL/dzᵢ of the mean cross-entropy.

    ``seed_of(z, y)`` gets the logits of a batch (shape (n,)) and its 0/1 labels
    and returns dL/dzᵢ for L = mean of the binary cross-entropies: (σ(zᵢ) − yᵢ)/n.
    The check compares it with the engine's gradient and the catalogued
    mistakes', then starts ``tape.backward`` from it and compares every
    parameter's gradient with the engine's ``loss.backward()`` on the batch.
    """
    run_check("7.2", seed_of)


EXERCISES = {e.number: e for e in (TORCH_LOSS, BATCH_SEED)}
