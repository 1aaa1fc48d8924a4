"""The notebook self-checks: right answers pass, stubs say so, every classic mistake is named."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from micrograd_edu import Value, datasets, losses, rl
from micrograd_edu import exercises as ex
from micrograd_edu.engine import sum_values
from micrograd_edu.mistakes import CATALOGUE, RESULTS, WrongAnswerError


def _stub(*args: Any) -> Any:
    raise NotImplementedError


def _topological(root: Value) -> list[Value]:
    order: list[Value] = []
    seen: set[Value] = set()

    def visit(node: Value) -> None:
        if node not in seen:
            seen.add(node)
            for child in node.children:
                visit(child)
            order.append(node)

    visit(root)
    return order


def _backward(
    root: Value, accumulate: bool = True, reverse: bool = True, seed: float = 1.0
) -> None:
    order = _topological(root)
    for node in order:
        node.grad = 0.0
    root.grad = seed
    for node in reversed(order) if reverse else order:
        for child, local in zip(node.children, node.local_grads, strict=True):
            if accumulate:
                child.grad += local * node.grad
            else:
                child.grad = local * node.grad


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


OPS: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "exp": (math.exp, lambda a, out: out),
    "log": (math.log, lambda a, out: 1 / a),
    "tanh": (math.tanh, lambda a, out: 1 - out**2),
    "sigmoid": (lambda a: 1 / (1 + math.exp(-a)), lambda a, out: out * (1 - out)),
    "div": (lambda a, b: a / b, lambda a, b, out: (1 / b, -a / b**2)),
    "pow": (lambda a, k: a**k, lambda a, k, out: k * a ** (k - 1)),
}


def _sigmoid(z: np.ndarray) -> np.ndarray:
    result: np.ndarray = 1.0 / (1.0 + np.exp(-z))
    return result


def _ops(**changes: Any) -> dict[str, Any]:
    return {**OPS, **changes}


def _train(
    model: Any,
    X: np.ndarray,
    y: np.ndarray,
    lr: float,
    steps: int,
    zero: bool = True,
    sign: float = -1.0,
    step_first: bool = False,
    total: bool = False,
) -> list[float]:
    history = []
    for _ in range(steps):
        loss = losses.mean(losses.mse, [model(row) for row in X], y.tolist())
        if total:
            loss = loss * float(len(X))
        history.append(loss.data)
        if zero:
            model.zero_grad()
        if step_first:
            for p in model.parameters():
                p.data += sign * lr * p.grad
            loss.backward()
            continue
        loss.backward()
        for p in model.parameters():
            p.data += sign * lr * p.grad
    return history


def _returns(rewards: list[float], gamma: float, current: bool = False) -> list[float]:
    running, out = 0.0, []
    for r in reversed(rewards):
        running = gamma * (r + running) if current else r + gamma * running
        out.append(running)
    return out[::-1]


def _leaky_returns(episodes: list[list[float]], gamma: float) -> list[list[float]]:
    running, result = 0.0, []
    for rewards in episodes:
        out = []
        for r in reversed(rewards):
            running = r + gamma * running
            out.append(running)
        result.append(out[::-1])
    return result


def _policy_gradient(
    policy: Any, states: Any, actions: Any, advantages: Any, zero: bool = True
) -> list[float]:
    loss = rl.policy_loss(policy, states, actions, advantages)
    if zero:
        policy.model.zero_grad()
    loss.backward()
    return [p.grad for p in policy.parameters()]


def _twice_without_zero(policy: Any, states: Any, actions: Any, advantages: Any) -> list[float]:
    _policy_gradient(policy, states, actions, advantages)
    return _policy_gradient(policy, states, actions, advantages, zero=False)


RIGHT_DIAGNOSIS = {
    "A": "no zero_grad",
    "B": "overfitting",
    "C": "rate too high",
    "D": "rate too low",
}

RIGHT: list[tuple[str, Callable[..., None], tuple[Any, ...]]] = [
    ("1.1", ex.check_numerical_slope, (lambda f, x, h=1e-6: (f(x + h) - f(x - h)) / (2 * h),)),
    ("1.2", ex.check_expression, (lambda x: 2 * x**3 - 5 * x + 1,)),
    ("2.2", ex.check_division_local_grads, (lambda a, b: (1 / b, -a / b**2),)),
    ("2.3", ex.check_topological_sort, (_topological,)),
    ("2.4", ex.check_backward, (_backward,)),
    ("3.1", ex.check_neuron_forward, (_neuron,)),
    ("3.2", ex.check_collapse_linear_layers, (lambda W1, b1, W2, b2: (W2 @ W1, W2 @ b1 + b2),)),
    ("4.1", ex.check_probability_loss, (lambda p, y: -(y * p.log() + (1 - y) * (1 - p).log()),)),
    ("4.2", ex.check_sgd_step, (_sgd,)),
    ("4.3", ex.check_training_loop, (_train, 0.5)),
    ("5.1", ex.check_mean_squared_error, (_mse,)),
    ("6.1", ex.check_circle_features, (lambda X: datasets.features(X, ["x1^2", "x2^2"]),)),
    ("8.1", ex.check_discounted_returns, (lambda eps, g: [_returns(r, g) for r in eps],)),
    (
        "8.2",
        ex.check_policy_gradient_loss,
        (
            lambda lps, advs: (
                -sum_values([lp * a for lp, a in zip(lps, advs, strict=True)]) / len(lps)
            ),
        ),
    ),
    ("8.3", ex.check_policy_gradient_step, (_policy_gradient,)),
]


@pytest.mark.parametrize(("number", "check", "answer"), RIGHT, ids=[r[0] for r in RIGHT])
def test_right_answers_pass(
    number: str,
    check: Callable[..., None],
    answer: tuple[Any, ...],
    capsys: pytest.CaptureFixture[str],
) -> None:
    check(*answer)
    assert capsys.readouterr().out.startswith("✓ ")
    assert RESULTS[number].status == "passed"


def test_op_table_and_diagnosis_pass(capsys: pytest.CaptureFixture[str]) -> None:
    ex.check_op_table(OPS)
    ex.check_loss_diagnosis(RIGHT_DIAGNOSIS)
    ex.check_backprop_by_hand(
        {"L": 1.0, "f": 4.0, "d": -2.0, "c": -2.0, "e": -2.0, "a": 6.0, "b": -4.0}
    )
    assert capsys.readouterr().out.count("✓ ") == 3
    ours, engine = ex.tiny_engine_gradients(OPS)
    assert ours == pytest.approx(engine, rel=1e-12)


@pytest.mark.parametrize(("number", "check", "answer"), RIGHT, ids=[r[0] for r in RIGHT])
def test_stubs_name_the_exercise(
    number: str, check: Callable[..., None], answer: tuple[Any, ...]
) -> None:
    with pytest.raises(NotImplementedError, match=re.escape(f"Exercise {number} is not done yet")):
        check(_stub, *answer[1:])
    assert RESULTS[number].status == "not done"


@pytest.mark.parametrize(
    ("number", "call"),
    [
        ("2.5", lambda: ex.check_op_table(_ops(tanh=(None, None)))),
        ("4.3", lambda: ex.check_training_loop(_train, None)),
        ("4.4", lambda: ex.check_loss_diagnosis(dict.fromkeys("ABCD"))),
    ],
)
def test_unfilled_templates_are_not_done(number: str, call: Callable[[], None]) -> None:
    with pytest.raises(NotImplementedError, match=re.escape(f"Exercise {number} is not done yet")):
        call()


def _square_at_1e3(f: Callable[[float], float], x: float, h: float = 1e-6) -> float:
    return (f(x + h) - f(x - h)) / h


# Every catalogued mistake, made on purpose, with the check that must name it.
MISTAKES: list[tuple[str, str, Callable[[], None]]] = [
    (
        "assign-not-accumulate",
        "2.4",
        lambda: ex.check_backward(lambda r: _backward(r, accumulate=False)),
    ),
    ("wrong-order", "2.4", lambda: ex.check_backward(lambda r: _backward(r, reverse=False))),
    (
        "wrong-order",
        "2.3",
        lambda: ex.check_topological_sort(lambda r: _topological(r)[::-1]),
    ),
    ("no-seed", "2.4", lambda: ex.check_backward(lambda r: _backward(r, seed=0.0))),
    ("library-call", "2.4", lambda: ex.check_backward(lambda r: r.backward())),
    ("sign-error", "2.4", lambda: ex.check_backward(lambda r: _backward(r, seed=-1.0))),
    (
        "sign-error",
        "1.1",
        lambda: ex.check_numerical_slope(lambda f, x, h=1e-6: (f(x - h) - f(x + h)) / (2 * h)),
    ),
    (
        "sign-error",
        "4.1",
        lambda: ex.check_probability_loss(lambda p, y: y * p.log() + (1 - y) * (1 - p).log()),
    ),
    ("divided-by-h", "1.1", lambda: ex.check_numerical_slope(_square_at_1e3)),
    (
        "forward-difference",
        "1.1",
        lambda: ex.check_numerical_slope(lambda f, x, h=1e-6: (f(x + h) - f(x)) / h),
    ),
    (
        "sum-not-mean",
        "5.1",
        lambda: ex.check_mean_squared_error(
            lambda p, t: sum(((a - b) ** 2 for a, b in zip(p, t, strict=True)), Value(0.0))
        ),
    ),
    ("sum-not-mean", "4.3", lambda: ex.check_training_loop(lambda *a: _train(*a, total=True), 0.5)),
    (
        "tanh-missing-square",
        "2.5",
        lambda: ex.check_op_table(_ops(tanh=(math.tanh, lambda a, out: 1 - out))),
    ),
    (
        "derivative-from-input",
        "2.5",
        lambda: ex.check_op_table(_ops(exp=(math.exp, lambda a, out: a))),
    ),
    (
        "derivative-from-input",
        "2.5",
        lambda: ex.check_op_table(_ops(sigmoid=(OPS["sigmoid"][0], lambda a, out: a * (1 - a)))),
    ),
    (
        "division-missing-square",
        "2.2",
        lambda: ex.check_division_local_grads(lambda a, b: (1 / b, -a / b)),
    ),
    (
        "division-missing-sign",
        "2.2",
        lambda: ex.check_division_local_grads(lambda a, b: (1 / b, a / b**2)),
    ),
    (
        "division-missing-sign",
        "2.5",
        lambda: ex.check_op_table(_ops(div=(OPS["div"][0], lambda a, b, out: (1 / b, a / b**2)))),
    ),
    (
        "power-missing-factor",
        "2.5",
        lambda: ex.check_op_table(_ops(pow=(OPS["pow"][0], lambda a, k, out: a ** (k - 1)))),
    ),
    (
        "float-not-value",
        "1.2",
        lambda: ex.check_expression(lambda x: 2 * x.data**3 - 5 * x.data + 1),
    ),
    (
        "float-not-value",
        "1.2",
        lambda: ex.check_expression(lambda x: Value(2 * x.data**3 - 5 * x.data + 1)),
    ),
    (
        "float-not-value",
        "4.1",
        lambda: ex.check_probability_loss(
            lambda p, y: -(y * math.log(p.data) + (1 - y) * math.log(1 - p.data))
        ),
    ),
    (
        "float-not-value",
        "5.1",
        lambda: ex.check_mean_squared_error(
            lambda p, t: sum((a.data - b) ** 2 for a, b in zip(p, t, strict=True)) / 3
        ),
    ),
    (
        "float-not-value",
        "3.1",
        lambda: ex.check_neuron_forward(
            lambda w, x, b: Value(
                math.tanh(sum(wi.data * xi for wi, xi in zip(w, x, strict=True)) + b.data)
            )
        ),
    ),
    (
        "list-not-tuple",
        "5.1",
        lambda: ex.check_mean_squared_error(
            lambda p, t: [(a - b) ** 2 for a, b in zip(p, t, strict=True)]
        ),
    ),
    (
        "missing-zero-grad",
        "4.3",
        lambda: ex.check_training_loop(lambda *a: _train(*a, zero=False), 0.5),
    ),
    ("exploding-lr", "4.3", lambda: ex.check_training_loop(_train, 40.0)),
    (
        "updated-grad-not-data",
        "4.2",
        lambda: ex.check_sgd_step(
            lambda params, lr: [setattr(p, "grad", p.grad - lr * p.grad) for p in params] and None
        ),
    ),
    (
        "update-sign",
        "4.2",
        lambda: ex.check_sgd_step(
            lambda params, lr: [setattr(p, "data", p.data + lr * p.grad) for p in params] and None
        ),
    ),
    ("update-sign", "4.3", lambda: ex.check_training_loop(lambda *a: _train(*a, sign=1.0), 0.5)),
    (
        "step-before-backward",
        "4.3",
        lambda: ex.check_training_loop(lambda *a: _train(*a, step_first=True), 0.5),
    ),
    (
        "returns-reversed",
        "8.1",
        lambda: ex.check_discounted_returns(lambda eps, g: [_returns(r, g)[::-1] for r in eps]),
    ),
    (
        "gamma-on-current-reward",
        "8.1",
        lambda: ex.check_discounted_returns(
            lambda eps, g: [_returns(r, g, current=True) for r in eps]
        ),
    ),
    ("running-sum-not-reset", "8.1", lambda: ex.check_discounted_returns(_leaky_returns)),
    (
        "sign-error",
        "8.2",
        lambda: ex.check_policy_gradient_loss(
            lambda lps, advs: (
                sum_values([lp * a for lp, a in zip(lps, advs, strict=True)]) / len(lps)
            )
        ),
    ),
    (
        "sum-not-mean",
        "8.2",
        lambda: ex.check_policy_gradient_loss(
            lambda lps, advs: -sum_values([lp * a for lp, a in zip(lps, advs, strict=True)])
        ),
    ),
    ("missing-zero-grad", "8.3", lambda: ex.check_policy_gradient_step(_twice_without_zero)),
    ("sum-not-mean", "7.2", lambda: ex.check_batch_seed(lambda z, y: _sigmoid(z) - y)),
    ("sign-error", "7.2", lambda: ex.check_batch_seed(lambda z, y: (y - _sigmoid(z)) / len(z))),
    ("missing-target", "7.2", lambda: ex.check_batch_seed(lambda z, y: _sigmoid(z) / len(z))),
]


def test_batch_seed_check(capsys: pytest.CaptureFixture[str]) -> None:
    ex.check_batch_seed(lambda z, y: (_sigmoid(z) - y) / len(z))
    assert capsys.readouterr().out.startswith("✓ from your seed the tape's backward pass")
    ex.check_batch_seed(lambda z, y: ((_sigmoid(z) - y) / len(z))[:, None])  # (n, 1) is fine
    with pytest.raises(WrongAnswerError, match=re.escape("one number per sample")):
        ex.check_batch_seed(lambda z, y: np.ones(3))
    with pytest.raises(WrongAnswerError, match="plain numbers"):
        ex.check_batch_seed(lambda z, y: [Value(float(v)) for v in z])
    with pytest.raises(WrongAnswerError, match=re.escape("σ(z) − y, and a mean divides by n")):
        ex.check_batch_seed(lambda z, y: (z - y) / len(z))
    with pytest.raises(NotImplementedError, match=re.escape("Exercise 7.2 is not done yet")):
        ex.check_batch_seed(_stub)


@pytest.mark.parametrize(
    ("code", "number", "call"), MISTAKES, ids=[f"{m[1]}-{m[0]}" for m in MISTAKES]
)
def test_each_mistake_is_named(code: str, number: str, call: Callable[[], None]) -> None:
    with pytest.raises(WrongAnswerError) as caught:
        call()
    error = caught.value
    assert error.mistake is not None, str(error)
    assert error.mistake.code == code, str(error)
    assert error.exercise == number
    assert str(error).startswith(f"✗ Exercise {number}: ")
    assert f"mistake:  {CATALOGUE[code].name} — " in str(error)
    assert RESULTS[number].status == "wrong" and RESULTS[number].mistake == code


def test_the_broadcasting_mistake_is_named(torch: Any) -> None:
    def broadcast(sequential: Any, X: np.ndarray, y: np.ndarray) -> Any:
        return ((sequential(torch.tensor(X)) - torch.tensor(y)) ** 2).mean()

    with pytest.raises(WrongAnswerError) as caught:
        ex.check_torch_loss(broadcast)
    assert caught.value.mistake is not None and caught.value.mistake.code == "broadcast-shapes"
    with pytest.raises(WrongAnswerError) as caught:
        ex.check_torch_loss(lambda s, X, y: _torch_loss(s, X, y) * 8)
    assert caught.value.mistake is not None and caught.value.mistake.code == "sum-not-mean"


def test_every_catalogued_mistake_has_a_test() -> None:
    covered = {code for code, _, _ in MISTAKES} | {"broadcast-shapes"}
    assert covered == set(CATALOGUE)


def test_feedback_names_the_input_expected_got_and_hint_without_the_solution() -> None:
    with pytest.raises(WrongAnswerError) as caught:
        ex.check_backward(lambda r: _backward(r, accumulate=False))
    text = str(caught.value)
    assert text.splitlines() == [
        "✗ Exercise 2.4: backward gave wrong gradients",
        "  mistake:  = instead of += — a reused node got only one path's share of the gradient: "
        "gradients from every path must be added up, so use child.grad += ...",
        "  input:    out = x · x with x = -2",
        "  expected: {'x': -4}",
        "  got:      {'x': -2}",
    ]


def test_wrong_answers_that_match_no_mistake_still_explain() -> None:
    with pytest.raises(WrongAnswerError, match=re.escape("the parameters are not where one step")):
        ex.check_sgd_step(lambda params, lr: [setattr(p, "data", 0.0) for p in params] and None)
    with pytest.raises(WrongAnswerError, match="the matrix shapes do not fit together") as caught:
        ex.check_collapse_linear_layers(lambda W1, b1, W2, b2: (W1 @ W2, b1))
    assert "A @ B needs A's number of columns = B's number of rows" in str(caught.value)
    with pytest.raises(WrongAnswerError, match=re.escape("curve C is not 'rate too low'")):
        ex.check_loss_diagnosis(dict(RIGHT_DIAGNOSIS, C="rate too low", D="rate too high"))
    with pytest.raises(WrongAnswerError, match=re.escape("cannot separate the circle")):
        ex.check_circle_features(lambda X: datasets.features(X, ["x1", "x2"]))
    with pytest.raises(WrongAnswerError, match=re.escape("'t = tanh(d)' comes after 'e = t·c'")):
        ex.check_topological_sort(lambda r: _topological(r)[::-1])
    with pytest.raises(WrongAnswerError, match=re.escape("chain rule gives (dL/da)")):
        ex.check_backprop_by_hand({"L": 1, "f": 4, "d": -2, "c": -2, "e": -2, "a": -6, "b": -4})


def test_torch_loss_check(torch: Any, capsys: pytest.CaptureFixture[str]) -> None:
    ex.check_torch_loss(_torch_loss)
    assert capsys.readouterr().out.startswith("✓ ")
    with pytest.raises(NotImplementedError, match=re.escape("Exercise 7.1 is not done yet")):
        ex.check_torch_loss(_stub)


def test_loss_curves_show_their_problems() -> None:
    curves = ex.loss_curves()
    overfit, too_low, too_high, no_zero = curves["B"], curves["D"], curves["C"], curves["A"]
    assert overfit["train"][-1] < overfit["train"][20] and overfit["validation"][-1] > min(
        overfit["validation"]
    )
    assert too_low["train"][0] - too_low["train"][-1] < 0.05
    assert max(too_high["train"]) > 3 * too_high["train"][0]
    lowest = int(np.argmin(no_zero["train"]))
    assert max(no_zero["train"][lowest:]) > 1.1 * no_zero["train"][lowest]  # it turns back up
