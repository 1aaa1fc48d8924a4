"""The notebook self-checks on their own: right answers pass, wrong ones explain, stubs say so."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from micrograd_edu import Value, datasets
from micrograd_edu import exercises as ex
from micrograd_edu.exercises import WrongAnswerError


def _stub(*args: Any) -> Any:
    raise NotImplementedError


def _topological(root: Value) -> list[Value]:
    return root.topological_order()


def _neuron(w: list[Value], x: list[float], b: Value) -> Value:
    z = b
    for wi, xi in zip(w, x, strict=True):
        z = z + wi * xi
    return z.tanh()


def _sgd(params: list[Value], lr: float) -> None:
    for p in params:
        p.data -= lr * p.grad


def _mse(preds: list[Value], targets: list[float]) -> Value:
    total = Value(0.0)
    for p, t in zip(preds, targets, strict=True):
        total = total + (p - t) ** 2
    return total / len(preds)


def _torch_loss(sequential: Any, X: np.ndarray, y: np.ndarray) -> Any:
    import torch

    return ((sequential(torch.tensor(X))[:, 0] - torch.tensor(y)) ** 2).mean()


RIGHT: list[tuple[str, Callable[[Any], None], Any]] = [
    ("1.1", ex.check_numerical_slope, lambda f, x, h=1e-6: (f(x + h) - f(x - h)) / (2 * h)),
    ("1.2", ex.check_expression, lambda x: 3 * x**2 - 4 * x + 5),
    ("2.2", ex.check_division_local_grads, lambda a, b: (1 / b, -a / b**2)),
    ("2.3", ex.check_topological_sort, _topological),
    ("3.1", ex.check_neuron_forward, _neuron),
    ("3.2", ex.check_collapse_linear_layers, lambda W1, b1, W2, b2: (W2 @ W1, W2 @ b1 + b2)),
    ("4.1", ex.check_sgd_step, _sgd),
    ("4.2", ex.check_probability_loss, lambda p, y: -(y * p.log() + (1 - y) * (1 - p).log())),
    ("5.1", ex.check_mean_squared_error, _mse),
    ("6.1", ex.check_xor_features, lambda X: datasets.features(X, ["x1*x2"])),
]


@pytest.mark.parametrize(("number", "check", "answer"), RIGHT, ids=[r[0] for r in RIGHT])
def test_right_answers_pass(
    number: str, check: Callable[[Any], None], answer: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    check(answer)
    assert capsys.readouterr().out.startswith("✓ ")


@pytest.mark.parametrize(("number", "check", "answer"), RIGHT, ids=[r[0] for r in RIGHT])
def test_stubs_name_the_exercise(number: str, check: Callable[[Any], None], answer: Any) -> None:
    with pytest.raises(NotImplementedError, match=re.escape(f"Exercise {number} is not done yet")):
        check(_stub)


def test_backprop_by_hand() -> None:
    right = {"L": 1.0, "f": 4.0, "d": -2.0, "c": -2.0, "e": -2.0, "a": 6.0, "b": -4.0}
    ex.check_backprop_by_hand(right)
    with pytest.raises(
        WrongAnswerError, match=re.escape("dL/da: you wrote -6.0, the chain rule gives 6.0")
    ):
        ex.check_backprop_by_hand(dict(right, a=-6.0))
    with pytest.raises(WrongAnswerError, match=re.escape("the dict has no entry for ['b']")):
        ex.check_backprop_by_hand({k: v for k, v in right.items() if k != "b"})


@pytest.mark.parametrize(
    ("check", "wrong", "message"),
    [
        (
            ex.check_numerical_slope,
            lambda f, x, h=1e-6: (f(x + h) - f(x)) / h / 2,
            "for f(x) = x**2 returned",
        ),
        (
            ex.check_expression,
            lambda x: Value(3 * x.data**2 - 4 * x.data + 5),
            "expected 6x − 4 = 14.0: did you build f from x itself",
        ),
        (ex.check_expression, lambda x: 3 * x.data**2, "it must return a Value"),
        (
            ex.check_division_local_grads,
            lambda a, b: (1 / b, a / b**2),
            "your d(a/b)/db is 0.6666666666666666, finite differences give -0.666667",
        ),
        (
            ex.check_topological_sort,
            lambda root: list(reversed(root.topological_order())),
            "comes after",
        ),
        (
            ex.check_neuron_forward,
            lambda w, x, b: Value(
                math.tanh(sum(wi.data * xi for wi, xi in zip(w, x, strict=True)) + b.data)
            ),
            "build the output from the Values w and b",
        ),
        (
            ex.check_collapse_linear_layers,
            lambda W1, b1, W2, b2: (W2 @ W1, b2),
            "Hint: expand W2 (W1 x + b1) + b2",
        ),
        (
            ex.check_sgd_step,
            lambda params, lr: [setattr(p, "data", p.data + lr * p.grad) for p in params] and None,
            "parameter 0 (grad 0.5) became 1.05, expected 0.95",
        ),
        (ex.check_probability_loss, lambda p, y: -(p.log()), "bce(p=0.9, y=0) ="),
        (
            ex.check_mean_squared_error,
            lambda preds, targets: sum(
                ((p - t) ** 2 for p, t in zip(preds, targets, strict=True)), Value(0.0)
            ),
            "the MSE is 4.25, expected 1.4166",
        ),
        (ex.check_xor_features, lambda X: datasets.features(X, ["x1", "x2"]), "accuracy on XOR"),
    ],
)
def test_wrong_answers_explain(check: Callable[[Any], None], wrong: Any, message: str) -> None:
    with pytest.raises(WrongAnswerError, match=re.escape(message)):
        check(wrong)


def test_torch_loss_check(torch: Any, capsys: pytest.CaptureFixture[str]) -> None:
    ex.check_torch_loss(_torch_loss)
    assert capsys.readouterr().out.startswith("✓ ")
    with pytest.raises(NotImplementedError, match=re.escape("Exercise 7.1 is not done yet")):
        ex.check_torch_loss(_stub)
    with pytest.raises(WrongAnswerError, match="PyTorch loss"):
        ex.check_torch_loss(lambda s, X, y: _torch_loss(s, X, y) * 2)
