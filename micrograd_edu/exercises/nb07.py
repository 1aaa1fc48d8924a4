"""Notebook 7, checking against PyTorch: 7.1 the loss in PyTorch, 7.2 a batch's backward seed."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import losses
from ..engine import Value
from ..nn import MLP
from .compare import close, diagnose, first_difference, show, shown
from .core import Exercise, Guard, plain, run_check, second_call
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
def _needs_torch() -> WrongAnswerError:
    return WrongAnswerError(
        "7.1",
        "exercise 7.1 needs PyTorch, which is not installed where this kernel runs",
        hint="Linux: pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu;"
        " macOS, Windows: pip install torch==2.13.0; then restart the kernel",
    )


def _probe_torch(case: dict[str, Any], guard: Guard, torch_loss: Any) -> Any:
    try:
        import torch
    except ImportError:
        raise _needs_torch() from None

    from ..io import to_torch

    sequential = to_torch(_model(case))
    X, y = np.array(case["X"]), np.array(case["y"])
    with guard():
        out = torch_loss(sequential, X, y)
    if not isinstance(out, torch.Tensor) or out.numel() != 1:
        shape = list(out.shape) if isinstance(out, torch.Tensor) else None
        return {"type": type(out).__name__, "shape": shape}
    grad = None
    called = sequential[0].weight.grad is not None  # the student's code ran backward() itself
    if out.requires_grad and not called:
        with guard():
            out.backward()  # type: ignore[no-untyped-call]
        weight = sequential[0].weight.grad
        grad = None if weight is None else weight[0, 0].item()
    with guard():
        again = torch_loss(sequential, X, y)
    again_value = again.item() if isinstance(again, torch.Tensor) and again.numel() == 1 else again
    return {
        "loss": out.item(),
        "dtype": str(out.dtype),
        "grad": grad,
        "again": again_value,
        "backward_called": called,
    }


def _float32(number: str, what: str, expected: Any, got: Any, dtype: Any) -> None:
    """Name float32 when only the precision differs (the answer's dtype says float32)."""
    if dtype in ("torch.float32", "float32") and close(got, expected, 1e-5):
        for key in first_difference(got, expected):
            expected, got = expected[key], got[key]
        expected_text, got_text = shown(expected, got)
        raise WrongAnswerError(
            number,
            f"{what} agrees only to about 7 digits: it was computed in float32",
            mistake="float32",
            expected=f"{expected_text} (float64)",
            got=f"{got_text} ({dtype})",
        )


def _require_loss(data: Any) -> dict[str, Any]:
    """The probe's record of a one-element tensor; raises naming what came instead."""
    record: dict[str, Any] = data if isinstance(data, dict) else {}
    if "loss" not in record:
        shape = record.get("shape")
        raise WrongAnswerError(
            "7.1",
            "torch_loss must return a one-element torch tensor (the mean loss), got "
            + (f"a tensor of shape {shape}" if shape else f"a {record.get('type', show(record))}"),
            hint="average the squared errors into one number with .mean(), and keep it a tensor "
            "(no .item(), no NumPy)",
        )
    return record


def _judge_torch(case: dict[str, Any], data: Any) -> str:
    X, y = np.array(case["X"]), np.array(case["y"])
    n = len(X)
    data = _require_loss(data)
    model = _model(case)
    loss = losses.mean(losses.mse, [model(row) for row in X], y.tolist())
    predictions = model.forward_array(X)[:, 0]
    rounded = y.astype(np.float32).astype(float)
    shown_input = f"{n} points, sequential(X) of shape ({n}, 1), y of shape ({n},)"
    _float32("7.1", "the loss", loss.data, data["loss"], data.get("dtype"))
    diagnose(
        "7.1",
        loss.data,
        data["loss"],
        {
            "broadcast-shapes": float(((predictions[:, None] - y[None, :]) ** 2).mean()),
            "sum-not-mean": loss.data * n,
            "rmse": float(np.sqrt(loss.data)),
            "float32": float(((predictions - rounded) ** 2).mean()),
        },
        problem="PyTorch's loss differs from micrograd_edu's",
        problems={
            "broadcast-shapes": "the loss compares every prediction with every target",
            "sum-not-mean": f"the loss is {n} times the mean",
            "float32": "the targets were rounded to float32",
        },
        input=shown_input,
        tol=1e-12,  # float64 throughout agrees to ~1e-15; float32 targets differ at ~1e-9
        hint="the mean over the n points of (prediction − target)², with the predictions "
        "flattened to shape (n,)",
    )
    if data.get("backward_called"):
        raise WrongAnswerError(
            "7.1",
            "torch_loss called backward() itself: the check calls it on the loss you return",
            input=shown_input,
            hint="return the loss without .backward(): PyTorch refuses a second backward() "
            "through the same graph, and gradients of two passes would add up",
        )
    if data.get("grad") is None:
        raise WrongAnswerError(
            "7.1",
            "the loss carries no gradient back to the network",
            input=shown_input,
            hint="keep the computation in torch tensors from sequential(...) to the loss: "
            ".detach(), .item(), .numpy() or torch.tensor(...) of a result cut the graph",
        )
    first = model.layers[0].neurons[0].w[0]
    loss.backward()
    _float32("7.1", "d loss/d w", first.grad, data["grad"], data.get("dtype"))
    diagnose(
        "7.1",
        first.grad,
        data.get("grad"),
        {"sum-not-mean": first.grad * n},
        problem="d loss/d w (the first weight) differs",
        input=shown_input,
    )
    second_call("7.1", "torch_loss", data["loss"], data.get("again"))
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
    z, y = z.copy(), np.array(case["y"])
    answers, dtypes = [], []
    for _ in range(2):  # the same arrays twice: an input changed in place shows
        with guard():
            answer = seed_of(z, y)
        if isinstance(answer, Value) or (
            isinstance(answer, (list, tuple)) and any(isinstance(a, Value) for a in answer)
        ):
            return {"Values": True}
        dtypes.append(getattr(answer, "dtype", None))
        answers.append(plain(answer))  # now: a later call may change what it returned
    dtype = None if dtypes[0] is None else str(dtypes[0])
    return {"seed": answers[0], "dtype": dtype, "again": answers[1]}


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
    data = data if isinstance(data, dict) and "seed" in data else {"seed": data}
    seed = _flat(data["seed"], n)
    zs = [Value(float(v), label=f"z{i}") for i, v in enumerate(z)]
    loss = losses.mean(losses.binary_cross_entropy, zs, y.tolist())
    probabilities = 1.0 / (1.0 + np.exp(-z))
    loss.backward()
    expected = [z.grad for z in zs]
    suspects: dict[str, Any] = {
        "missing-target": (probabilities / n).tolist(),
        "sum-not-mean": [g * n for g in expected],
        "sign-error": [-g for g in expected],
    }
    _float32("7.2", "the seed", expected, seed, data.get("dtype"))
    diagnose(
        "7.2",
        expected,
        seed,
        suspects,
        problem="the seed is not dL/dz of the mean binary cross-entropy",
        problems={
            "sum-not-mean": f"the seed is {n} times too large",
            "sign-error": "the seed has the wrong sign",
            "missing-target": "the seed ignores the labels",
        },
        input=f"{n} logits z = {show(z.tolist())} and their labels y = {show(y.tolist())}",
        entry=lambda path: f"sample {path[0]}",
        hint="differentiate one sample's loss log(1 + e^z) − y·z in z, then remember that a "
        "mean divides by n",
        formula="d/dz log(1 + eᶻ) = σ(z)",
    )
    second_call("7.2", "bce_seed", seed, _flat(data.get("again"), n))
    model.zero_grad()
    tape.backward(np.array(seed, dtype=float))
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
