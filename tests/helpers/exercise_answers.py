"""Students' answers for the exercise tests: right ones, and each catalogued mistake on purpose.

Each answer is what a student writes in the notebook, under the course's name
(``RIGHT["2.4"] == {"backward": ...}``), so the same answers serve the
notebook checks and the grader's probe (which finds them by name).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from micrograd_edu import Value, datasets, losses, rl
from micrograd_edu.engine import sum_values


def topological(root: Value) -> list[Value]:
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


def backward(
    root: Value,
    accumulate: bool = True,
    reverse: bool = True,
    seed: float = 1.0,
    tanh_local: Callable[[float, float], float] | None = None,
    reset: bool = True,
) -> None:
    """A student's backward; ``tanh_local(x, t)`` replaces tanh's local derivative."""
    order = topological(root)
    for node in order:
        node.grad = 0.0 if reset else node.grad
    root.grad = seed
    for node in reversed(order) if reverse else order:
        locals_ = node.local_grads
        if tanh_local is not None and node.op == "tanh":
            locals_ = (tanh_local(node.children[0].data, node.data),)
        for child, local in zip(node.children, locals_, strict=True):
            if accumulate:
                child.grad += local * node.grad
            else:
                child.grad = local * node.grad


def neuron(w: list[Value], x: list[float], b: Value) -> Value:
    z = b
    for wi, xi in zip(w, x, strict=True):
        z = z + wi * xi
    return z.tanh()


def sgd(params: list[Value], lr: float) -> None:
    for p in params:
        p.data -= lr * p.grad


def mse(preds: list[Value], targets: list[float]) -> Value:
    total = Value(0.0)
    for p, t in zip(preds, targets, strict=True):
        total = total + (p - t) ** 2
    return total / len(preds)


def torch_loss(sequential: Any, X: np.ndarray, y: np.ndarray) -> Any:
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


def ops(**changes: Any) -> dict[str, Any]:
    return {**OPS, **changes}


def sigmoid(z: np.ndarray) -> np.ndarray:
    result: np.ndarray = 1.0 / (1.0 + np.exp(-z))
    return result


def train(
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
        if step_first:  # the step with the previous step's gradients, then zero, backward
            for p in model.parameters():
                p.data += sign * lr * p.grad
            model.zero_grad()
            loss.backward()
            continue
        if zero:
            model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data += sign * lr * p.grad
    return history


def returns(rewards: list[float], gamma: float, current: bool = False) -> list[float]:
    running, out = 0.0, []
    for r in reversed(rewards):
        running = gamma * (r + running) if current else r + gamma * running
        out.append(running)
    return out[::-1]


def leaky_returns(episodes: list[list[float]], gamma: float) -> list[list[float]]:
    running, result = 0.0, []
    for rewards in episodes:
        out = []
        for r in reversed(rewards):
            running = r + gamma * running
            out.append(running)
        result.append(out[::-1])
    return result


def policy_gradient(
    policy: Any, states: Any, actions: Any, advantages: Any, zero: bool = True
) -> list[float]:
    loss = rl.policy_loss(policy, states, actions, advantages)
    if zero:
        policy.model.zero_grad()
    loss.backward()
    return [p.grad for p in policy.parameters()]


def classify_curves(train: list[float], validation: list[float]) -> str:
    start = train[0]
    if max(train) > 2 * start:
        return "rate too high"
    if start - min(train) < 0.05 * start:
        return "rate too low"
    lowest = start
    for loss in train:
        if loss > 1.05 * lowest:
            return "no zero_grad"
        lowest = min(lowest, loss)
    return "overfitting"


MYSTERY_KEY = (
    "sum-not-mean",
    "missing-zero-grad",
    "step-before-backward",
    "update-sign",
    "exploding-lr",
    "missing-target",
)
"""The mistakes of notebook 9's mystery runs A–F (the package stores it nowhere: a test
checks it against the runs' symptoms)."""


def name_mistake(run: Any) -> str:
    """Exercise 9.1: the mistake a training run hides, read from its numbers (the notebook's)."""
    loss, grad_norm, accuracy = run.loss, run.grad_norm, run.accuracy
    if loss[0] > 0.5 * len(run.y) * math.log(2):
        return "sum-not-mean"
    if max(loss) == min(loss):
        return "step-before-backward"
    if accuracy[-1] < 0.65 and loss[-1] < 0.5 * loss[0]:
        return "missing-target"
    if grad_norm[-1] > 1.5 * grad_norm[0] and loss[-1] < loss[0]:
        return "missing-zero-grad"
    if all(later > earlier for earlier, later in itertools.pairwise(loss[:6])):
        return "update-sign"
    return "exploding-lr"


def _symptoms_read_by_the_library(run: Any) -> str | None:
    from micrograd_edu.exercises.symptoms import mistake_shown

    return mistake_shown(run)


def pg_loss(lps: list[Value], advs: list[float], sign: float = -1.0, mean: bool = True) -> Value:
    total = sum_values([lp * a for lp, a in zip(lps, advs, strict=True)]) * sign
    return total / len(lps) if mean else total


RIGHT: dict[str, dict[str, Any]] = {
    "1.1": {"numerical_slope": lambda f, x, h=1e-6: (f(x + h) - f(x - h)) / (2 * h)},
    "1.2": {"build": lambda x: 2 * x**3 - 5 * x + 1},
    "2.1": {"my_grads": {"L": 1.0, "f": 4.0, "d": -2.0, "c": -2.0, "e": -2.0, "a": 6.0, "b": -4.0}},
    "2.2": {"local_grads": lambda a, b: (1 / b, -a / b**2)},
    "2.3": {"topological_sort": topological},
    "2.4": {"backward": backward},
    "2.5": {"OPS": OPS},
    "3.1": {"neuron_forward": neuron},
    "3.2": {"collapse": lambda W1, b1, W2, b2: (W2 @ W1, W2 @ b1 + b2)},
    "4.1": {"bce": lambda p, y: -(y * p.log() + (1 - y) * (1 - p).log())},
    "4.2": {"sgd_step": sgd},
    "4.3": {"train": train, "learning_rate": 0.5},
    "4.4": {"classify_curves": classify_curves},
    "5.1": {"mean_squared_error": mse},
    "6.1": {"circle_features": lambda X: datasets.features(X, ["x1^2", "x2^2"])},
    "7.1": {"torch_loss": torch_loss},
    "7.2": {"bce_seed": lambda z, y: (sigmoid(z) - y) / len(z)},
    "8.1": {"returns_of": lambda eps, g: [returns(r, g) for r in eps]},
    "8.2": {"pg_loss": pg_loss},
    "8.3": {"gradient_of": policy_gradient},
    "9.1": {"name_mistake": name_mistake},
}
"""The right answer of every exercise, by the names the notebook gives them."""


def _by_hand(**changes: float) -> dict[str, float]:
    return {**RIGHT["2.1"]["my_grads"], **changes}


# (mistake code, exercise, the student's objects making that mistake)
MISTAKES: list[tuple[str, str, dict[str, Any]]] = [
    ("assign-not-accumulate", "2.4", {"backward": lambda r: backward(r, accumulate=False)}),
    ("wrong-order", "2.4", {"backward": lambda r: backward(r, reverse=False)}),
    ("wrong-order", "2.3", {"topological_sort": lambda r: topological(r)[::-1]}),
    ("no-seed", "2.4", {"backward": lambda r: backward(r, seed=0.0)}),
    ("sign-error", "2.4", {"backward": lambda r: backward(r, seed=-1.0)}),
    (
        "sign-error",
        "1.1",
        {"numerical_slope": lambda f, x, h=1e-6: (f(x - h) - f(x + h)) / (2 * h)},
    ),
    ("sign-error", "2.1", {"my_grads": _by_hand(a=-6.0)}),
    ("sign-error", "2.2", {"local_grads": lambda a, b: (-1 / b, a / b**2)}),
    ("sign-error", "4.1", {"bce": lambda p, y: y * p.log() + (1 - y) * (1 - p).log()}),
    ("sign-error", "8.2", {"pg_loss": lambda lps, advs: pg_loss(lps, advs, sign=1.0)}),
    (
        "sign-error",
        "8.3",
        {"gradient_of": lambda *a: [-g for g in policy_gradient(*a)]},
    ),
    ("sign-error", "7.2", {"bce_seed": lambda z, y: (y - sigmoid(z)) / len(z)}),
    ("divided-by-h", "1.1", {"numerical_slope": lambda f, x, h=1e-6: (f(x + h) - f(x - h)) / h}),
    ("forward-difference", "1.1", {"numerical_slope": lambda f, x, h=1e-6: (f(x + h) - f(x)) / h}),
    (
        "sum-not-mean",
        "5.1",
        {
            "mean_squared_error": lambda p, t: sum_values(
                [(a - b) ** 2 for a, b in zip(p, t, strict=True)]
            )
        },
    ),
    ("sum-not-mean", "4.3", {"train": lambda *a: train(*a, total=True), "learning_rate": 0.5}),
    ("sum-not-mean", "8.2", {"pg_loss": lambda lps, advs: pg_loss(lps, advs, mean=False)}),
    ("sum-not-mean", "7.2", {"bce_seed": lambda z, y: sigmoid(z) - y}),
    ("tanh-missing-square", "2.5", {"OPS": ops(tanh=(math.tanh, lambda a, out: 1 - out))}),
    (
        "tanh-missing-square",
        "2.4",
        {"backward": lambda r: backward(r, tanh_local=lambda x, t: 1 - t)},
    ),
    ("derivative-from-input", "2.5", {"OPS": ops(exp=(math.exp, lambda a, out: a))}),
    (
        "derivative-from-input",
        "2.4",
        {"backward": lambda r: backward(r, tanh_local=lambda x, t: 1 - x * x)},
    ),
    ("division-missing-square", "2.2", {"local_grads": lambda a, b: (1 / b, -a / b)}),
    ("division-missing-sign", "2.2", {"local_grads": lambda a, b: (1 / b, a / b**2)}),
    (
        "division-missing-sign",
        "2.5",
        {"OPS": ops(div=(OPS["div"][0], lambda a, b, out: (1 / b, a / b**2)))},
    ),
    (
        "power-missing-factor",
        "2.5",
        {"OPS": ops(pow=(OPS["pow"][0], lambda a, k, out: a ** (k - 1)))},
    ),
    ("float-not-value", "1.2", {"build": lambda x: 2 * x.data**3 - 5 * x.data + 1}),
    ("float-not-value", "1.2", {"build": lambda x: Value(2 * x.data**3 - 5 * x.data + 1)}),
    (
        "float-not-value",
        "4.1",
        {"bce": lambda p, y: Value(-(y * math.log(p.data) + (1 - y) * math.log(1 - p.data)))},
    ),
    (
        "float-not-value",
        "5.1",
        {
            "mean_squared_error": lambda p, t: (
                sum((a.data - b) ** 2 for a, b in zip(p, t, strict=True)) / len(p)
            )
        },
    ),
    (
        "float-not-value",
        "3.1",
        {
            "neuron_forward": lambda w, x, b: Value(
                math.tanh(sum(wi.data * xi for wi, xi in zip(w, x, strict=True)) + b.data)
            )
        },
    ),
    (
        "float-not-value",
        "8.2",
        {
            "pg_loss": lambda lps, advs: Value(
                -sum(lp.data * a for lp, a in zip(lps, advs, strict=True)) / len(lps)
            )
        },
    ),
    ("list-not-tuple", "5.1", {"mean_squared_error": lambda p, t: [mse(p, t)]}),
    ("rmse", "5.1", {"mean_squared_error": lambda p, t: mse(p, t) ** 0.5}),
    (
        "n-minus-one",
        "5.1",
        {"mean_squared_error": lambda p, t: mse(p, t) * (len(p) / (len(p) - 1))},
    ),
    ("swapped-pair", "2.2", {"local_grads": lambda a, b: (-a / b**2, 1 / b)}),
    (
        "power-exponent-not-lowered",
        "2.5",
        {"OPS": ops(pow=(OPS["pow"][0], lambda a, k, out: k * a**k))},
    ),
    (
        "rebinding",
        "4.2",
        {"sgd_step": lambda ps, lr: [p - lr * p.grad for p in ps] and None},
    ),
    (
        "advantages-ignored",
        "8.2",
        {"pg_loss": lambda lps, advs: pg_loss(lps, [1.0] * len(advs))},
    ),
    (
        "float32",
        "7.2",
        {"bce_seed": lambda z, y: ((sigmoid(z) - y) / len(z)).astype(np.float32)},
    ),
    ("stale-grads", "2.4", {"backward": lambda r: backward(r, reset=False)}),
    (
        "step-too-large",
        "1.1",
        {"numerical_slope": lambda f, x, h=1.0: (f(x + h) - f(x - h)) / (2 * h)},
    ),
    ("own-factor", "2.1", {"my_grads": _by_hand(a=-4.0)}),
    ("missing-chain", "2.1", {"my_grads": _by_hand(c=1.0)}),
    ("missing-zero-grad", "4.3", {"train": lambda *a: train(*a, zero=False), "learning_rate": 0.5}),
    ("missing-zero-grad", "8.3", {"gradient_of": lambda *a: policy_gradient(*a, zero=False)}),
    ("exploding-lr", "4.3", {"train": train, "learning_rate": 40.0}),
    (
        "updated-grad-not-data",
        "4.2",
        {
            "sgd_step": lambda ps, lr: (
                [setattr(p, "grad", p.grad - lr * p.grad) for p in ps] and None
            )
        },
    ),
    (
        "update-sign",
        "4.2",
        {
            "sgd_step": lambda ps, lr: (
                [setattr(p, "data", p.data + lr * p.grad) for p in ps] and None
            )
        },
    ),
    ("update-sign", "4.3", {"train": lambda *a: train(*a, sign=1.0), "learning_rate": 0.5}),
    (
        "step-before-backward",
        "4.3",
        {"train": lambda *a: train(*a, step_first=True), "learning_rate": 0.5},
    ),
    ("returns-reversed", "8.1", {"returns_of": lambda eps, g: [returns(r, g)[::-1] for r in eps]}),
    (
        "gamma-on-current-reward",
        "8.1",
        {"returns_of": lambda eps, g: [returns(r, g, current=True) for r in eps]},
    ),
    ("running-sum-not-reset", "8.1", {"returns_of": leaky_returns}),
    ("missing-target", "7.2", {"bce_seed": lambda z, y: sigmoid(z) / len(z)}),
    ("library-call", "1.1", {"numerical_slope": lambda f, x: _numerical_grad(f, x)}),
    ("library-call", "2.2", {"local_grads": lambda a, b: _division_by_engine(a, b)}),
    ("library-call", "2.3", {"topological_sort": lambda r: r.topological_order()}),
    ("library-call", "2.4", {"backward": lambda r: r.backward()}),
    ("library-call", "2.5", {"OPS": ops(exp=(lambda a: Value(a).exp().data, lambda a, out: out))}),
    ("library-call", "4.1", {"bce": lambda p, y: losses.binary_cross_entropy(p, y)}),
    ("library-call", "4.2", {"sgd_step": lambda ps, lr: _optimizer_step(ps, lr)}),
    ("library-call", "4.3", {"train": lambda *a: _fit(*a), "learning_rate": 0.5}),
    ("library-call", "5.1", {"mean_squared_error": lambda p, t: losses.mean(losses.mse, p, t)}),
    (
        "library-call",
        "8.1",
        {"returns_of": lambda eps, g: [rl.discounted_returns(r, g) for r in eps]},
    ),
    ("library-call", "9.1", {"name_mistake": _symptoms_read_by_the_library}),
]
"""Every catalogued mistake, made on purpose (broadcast-shapes needs torch: see its own test)."""


def _numerical_grad(f: Callable[[float], float], x: float) -> float:
    from micrograd_edu.explain.gradcheck import numerical_grad

    return numerical_grad(lambda v: f(v.data), [x])[0]


def _division_by_engine(a: float, b: float) -> tuple[float, ...]:
    q = Value(a) / Value(b)
    return q.local_grads


def _optimizer_step(params: list[Value], lr: float) -> None:
    from micrograd_edu import optim

    optim.SGD(params, lr=lr).step()


def _fit(model: Any, X: np.ndarray, y: np.ndarray, lr: float, steps: int) -> list[float]:
    from micrograd_edu import optim
    from micrograd_edu.train import fit

    history = fit(
        model,
        X,
        y,
        loss="mse",
        optimizer=optim.SGD(model.parameters(), lr=lr),
        epochs=steps,
        progress=False,
    )
    return list(history.train_loss)


# Exercise 2.6, your own Value: the classes are its corpus's (tests/exercises/corpus).
def value_class(label: str) -> Any:
    """The ``MyValue`` of 2.6's corpus answer ``label``, defined as in the notebook."""
    from tests.exercises.corpus import PREAMBLES
    from tests.exercises.corpus import value_class as corpus

    item = next(answer for answer in corpus.ANSWERS if answer.label == label)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(PREAMBLES["2"], namespace)
    exec(compile(item.source, f"<cell: {label}>", "exec"), namespace)
    return namespace["MyValue"]


def _value_class_mistakes() -> list[tuple[str, str, dict[str, Any]]]:
    """One corpus answer of 2.6 for each mistake it must be named."""
    from tests.exercises.corpus import value_class as corpus

    first = {}
    for item in corpus.ANSWERS:
        if item.verdict not in ("passed", "not done", "error", "wrong"):
            first.setdefault(item.verdict, item.label)
    return [(code, "2.6", {"MyValue": value_class(label)}) for code, label in first.items()]


RIGHT["2.6"] = {"MyValue": value_class("closures-explicit-stack")}
MISTAKES += _value_class_mistakes()
