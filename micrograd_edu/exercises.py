"""Self-checks for the course notebooks' exercises.

Each ``check_*`` function takes the student's answer (usually a function),
tests it against the engine or against finite differences, and

* prints a short "✓ ..." line when it is right;
* raises :class:`WrongAnswerError` saying which input failed, what was expected
  and what came back, with a hint, when it is wrong;
* raises ``NotImplementedError`` naming the exercise when the answer is
  still the ``raise NotImplementedError`` stub of the student notebook.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from . import losses
from .engine import Value
from .nn import MLP

__all__ = [
    "WrongAnswerError",
    "check_backprop_by_hand",
    "check_collapse_linear_layers",
    "check_division_local_grads",
    "check_expression",
    "check_mean_squared_error",
    "check_neuron_forward",
    "check_numerical_slope",
    "check_probability_loss",
    "check_sgd_step",
    "check_topological_sort",
    "check_torch_loss",
    "check_xor_features",
]

T = TypeVar("T")


class WrongAnswerError(Exception):
    """An exercise's answer is wrong; the message says where and what was expected."""


def _call(exercise: str, function: Callable[..., T], *args: Any) -> T:
    """Call the student's function, turning the notebook stub into a clear message."""
    try:
        return function(*args)
    except NotImplementedError:
        raise NotImplementedError(
            f"Exercise {exercise} is not done yet: replace the `raise NotImplementedError` "
            "line with your code, then run the cell again."
        ) from None


def _close(got: object, expected: float, tol: float) -> bool:
    number = got.data if isinstance(got, Value) else got
    return isinstance(number, (int, float)) and math.isclose(
        float(number), expected, rel_tol=tol, abs_tol=tol
    )


def _done(message: str) -> None:
    print(f"✓ {message}")


# ----------------------------------------------------------------- notebook 1
def check_numerical_slope(
    numerical_slope: Callable[[Callable[[float], float], float], float],
) -> None:
    """Exercise 1.1: ``numerical_slope(f, x)`` estimates f'(x) by a central difference."""
    cases = [
        ("x**2", lambda x: x**2, 3.0, 6.0),
        ("x**3 - 2x", lambda x: x**3 - 2 * x, -1.0, 1.0),
        ("sin(x)", math.sin, 0.5, math.cos(0.5)),
        ("exp(x)", math.exp, 1.0, math.e),
    ]
    for name, f, x, slope in cases:
        got = _call("1.1", numerical_slope, f, x)
        if not _close(got, slope, 1e-4):
            raise WrongAnswerError(
                f"numerical_slope(f, {x}) for f(x) = {name} returned {got!r}; the slope there is "
                f"{slope:.6f}. Hint: (f(x + h) - f(x - h)) / (2 * h) with a small h such as 1e-6."
            )
    _done("numerical_slope matches the true derivatives of x², x³ − 2x, sin and exp.")


def check_expression(build: Callable[[Value], Value]) -> None:
    """Exercise 1.2: ``build(x)`` returns f(x) = 3x² − 4x + 5 made of Values."""
    for x in (3.0, -1.5, 0.0):
        v = Value(x)
        out = _call("1.2", build, v)
        if not isinstance(out, Value):
            raise WrongAnswerError(
                f"build(Value({x})) returned a {type(out).__name__}; it must return a Value, "
                "computed from x with +, - and * so that the engine records the graph."
            )
        expected = 3 * x * x - 4 * x + 5
        if not _close(out.data, expected, 1e-12):
            raise WrongAnswerError(
                f"f({x}) = {out.data!r}, expected 3·{x}² − 4·{x} + 5 = {expected!r}."
            )
        out.backward()
        if not _close(v.grad, 6 * x - 4, 1e-12):
            raise WrongAnswerError(
                f"after backward(), x.grad = {v.grad!r} at x = {x}, "
                f"expected 6x − 4 = {6 * x - 4!r}: "
                "did you build f from x itself (not from x.data)?"
            )
    _done("f(x) = 3x² − 4x + 5 has the right values and df/dx = 6x − 4.")


# ----------------------------------------------------------------- notebook 2
def check_backprop_by_hand(grads: dict[str, float]) -> None:
    """Exercise 2.1: the gradients of L = (a·b + c)·f at a=2, b=−3, c=10, f=−2, by hand."""
    a, b, c, f = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
    loss = (a * b + c) * f
    loss.backward()
    expected = {"a": a.grad, "b": b.grad, "c": c.grad, "f": f.grad, "e": -2.0, "d": -2.0}
    if not isinstance(grads, dict):
        raise WrongAnswerError(
            f"give a dict such as {{'a': ..., 'b': ...}}, got {type(grads).__name__}"
        )
    missing = sorted(set(expected) - set(grads))
    if missing:
        raise WrongAnswerError(f"the dict has no entry for {missing}: give dL/d{missing[0]} too.")
    hints = {
        "f": "dL/df = d (the value multiplied by f)",
        "d": "dL/dd = f",
        "c": "d = e + c, so dL/dc = dL/dd · 1",
        "e": "d = e + c, so dL/de = dL/dd · 1",
        "a": "e = a·b, so dL/da = dL/de · b",
        "b": "e = a·b, so dL/db = dL/de · a",
    }
    for name in ("f", "d", "c", "e", "a", "b"):
        if not _close(grads[name], expected[name], 1e-9):
            raise WrongAnswerError(
                f"dL/d{name}: you wrote {grads[name]!r}, the chain rule gives {expected[name]!r}. "
                f"Hint: {hints[name]}."
            )
    _done("every gradient is right, and backward() agrees with your chain rule.")


def check_division_local_grads(local_grads: Callable[[float, float], tuple[float, float]]) -> None:
    """Exercise 2.2: ``local_grads(a, b)`` returns (d(a/b)/da, d(a/b)/db)."""
    for a, b in ((6.0, 3.0), (-1.5, 0.5), (2.0, -4.0)):
        got = _call("2.2", local_grads, a, b)
        if not (isinstance(got, tuple) and len(got) == 2):
            raise WrongAnswerError(
                f"local_grads({a}, {b}) must return a pair (d/da, d/db), got {got!r}"
            )
        h = 1e-6
        finite_differences = (
            ((a + h) / b - (a - h) / b) / (2 * h),
            (a / (b + h) - a / (b - h)) / (2 * h),
        )
        for i, name in enumerate(("d(a/b)/da", "d(a/b)/db")):
            if not _close(got[i], finite_differences[i], 1e-6):
                raise WrongAnswerError(
                    f"at a = {a}, b = {b}: your {name} is {got[i]!r}, finite differences give "
                    f"{finite_differences[i]:.6f}. Hint: a/b = a · b⁻¹."
                )
    _done("the local derivatives of a / b are 1/b and −a/b².")


def check_topological_sort(topological_sort: Callable[[Value], list[Value]]) -> None:
    """Exercise 2.3: every node once, each after all of its children."""
    a, b = Value(2.0, label="a"), Value(-1.0, label="b")
    c = a * b
    d = c + a  # a is reached by two paths
    e = d.tanh() * c
    order = _call("2.3", topological_sort, e)
    expected = e.topological_order()
    if not isinstance(order, list) or set(order) != set(expected) or len(order) != len(expected):
        raise WrongAnswerError(
            f"the order must list each of the {len(expected)} nodes exactly once; "
            f"got {len(order) if isinstance(order, list) else order!r} entries."
        )
    position = {node: i for i, node in enumerate(order)}
    for node in order:
        for child in node.children:
            if position[child] > position[node]:
                raise WrongAnswerError(
                    f"{child!r} comes after {node!r}, which was computed from it: "
                    "append a node only after all of its children."
                )
    _done("a valid topological order: every node comes after the nodes it was computed from.")


# ----------------------------------------------------------------- notebook 3
def check_neuron_forward(
    neuron_forward: Callable[[list[Value], list[float], Value], Value],
) -> None:
    """Exercise 3.1: ``neuron_forward(w, x, b)`` = tanh(Σ wᵢxᵢ + b), as Values."""
    w = [Value(0.5), Value(-1.0), Value(2.0)]
    b = Value(0.1)
    x = [1.0, 0.5, -0.25]
    out = _call("3.1", neuron_forward, w, x, b)
    expected = math.tanh(sum(wi.data * xi for wi, xi in zip(w, x, strict=True)) + b.data)
    if not isinstance(out, Value):
        raise WrongAnswerError(f"neuron_forward must return a Value, got {type(out).__name__}")
    if not _close(out.data, expected, 1e-12):
        raise WrongAnswerError(
            f"the output is {out.data!r}, expected tanh(w·x + b) = {expected!r}."
        )
    out.backward()
    slope = 1 - expected**2
    for i, wi in enumerate(w):
        if not _close(wi.grad, slope * x[i], 1e-9):
            raise WrongAnswerError(
                f"d out/d w{i} = {wi.grad!r}, expected (1 − tanh²)·x{i} = {slope * x[i]!r}: "
                "build the output from the Values w and b, not from their .data."
            )
    _done("the neuron computes tanh(w·x + b) and its gradients flow to every weight.")


def check_collapse_linear_layers(
    collapse: Callable[
        [np.ndarray, np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]
    ],
) -> None:
    """Exercise 3.2: two linear layers W2(W1x + b1) + b2 equal one layer Wx + b."""
    rng = np.random.default_rng(0)
    W1, b1 = rng.normal(size=(4, 3)), rng.normal(size=4)
    W2, b2 = rng.normal(size=(2, 4)), rng.normal(size=2)
    result = _call("3.2", collapse, W1, b1, W2, b2)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise WrongAnswerError(f"collapse must return a pair (W, b), got {type(result).__name__}")
    W, b = (np.asarray(part, dtype=float) for part in result)
    if W.shape != (2, 3) or b.shape != (2,):
        raise WrongAnswerError(
            f"W must have shape (2, 3) and b shape (2,), got {W.shape} and {b.shape}"
        )
    x = rng.normal(size=3)
    two_layers = W2 @ (W1 @ x + b1) + b2
    if not np.allclose(W @ x + b, two_layers, atol=1e-9):
        raise WrongAnswerError(
            f"for x = {np.round(x, 3)}, W x + b = {np.round(W @ x + b, 4)} but the two layers give "
            f"{np.round(two_layers, 4)}. Hint: expand W2 (W1 x + b1) + b2."
        )
    _done("two linear layers are one linear layer: W = W2·W1, b = W2·b1 + b2.")


# ----------------------------------------------------------------- notebook 4
def check_sgd_step(sgd_step: Callable[[Sequence[Value], float], None]) -> None:
    """Exercise 4.1: ``sgd_step(params, lr)`` moves every parameter against its gradient."""
    params = [Value(1.0), Value(-2.0), Value(0.5)]
    for p, g in zip(params, (0.5, -1.0, 0.0), strict=True):
        p.grad = g
    result = _call("4.1", sgd_step, params, 0.1)
    expected = [1.0 - 0.1 * 0.5, -2.0 + 0.1 * 1.0, 0.5]
    if result is not None and not isinstance(result, list):
        raise WrongAnswerError("sgd_step should change p.data in place and return nothing")
    for i, (p, want) in enumerate(zip(params, expected, strict=True)):
        if not _close(p.data, want, 1e-12):
            raise WrongAnswerError(
                f"parameter {i} (grad {p.grad}) became {p.data!r}, expected {want!r}: "
                "p.data -= lr * p.grad (downhill: against the gradient)."
            )
    _done("one step of gradient descent: w ← w − lr·∂L/∂w.")


def check_probability_loss(bce: Callable[[Value, float], Value]) -> None:
    """Exercise 4.2: ``bce(p, y)`` = −[y log p + (1 − y) log(1 − p)] for a probability Value p."""
    for p_value, y in ((0.9, 1), (0.9, 0), (0.25, 1), (0.5, 0)):
        p = Value(p_value)
        out = _call("4.2", bce, p, y)
        expected = -(y * math.log(p_value) + (1 - y) * math.log(1 - p_value))
        if not isinstance(out, Value) or not _close(out.data, expected, 1e-9):
            got = out.data if isinstance(out, Value) else out
            raise WrongAnswerError(
                f"bce(p={p_value}, y={y}) = {got!r}, expected {expected:.6f}: "
                "the loss is −log of the probability given to the true class."
            )
        out.backward()
        slope = -y / p_value + (1 - y) / (1 - p_value)
        if not _close(p.grad, slope, 1e-9):
            raise WrongAnswerError(
                f"dL/dp = {p.grad!r} at p={p_value}, y={y}; expected {slope:.6f}."
            )
    _done("binary cross-entropy: confident and right costs little, confident and wrong a lot.")


# ----------------------------------------------------------------- notebook 5
def check_mean_squared_error(
    mean_squared_error: Callable[[list[Value], list[float]], Value],
) -> None:
    """Exercise 5.1: the mean of (ŷ − y)² over a batch, as a Value."""
    preds = [Value(0.5), Value(-1.0), Value(2.0)]
    targets = [1.0, -1.0, 0.0]
    out = _call("5.1", mean_squared_error, preds, targets)
    reference_preds = [Value(p.data) for p in preds]
    reference = losses.mean(losses.mse, reference_preds, targets)
    if not isinstance(out, Value) or not _close(out.data, reference.data, 1e-12):
        got = out.data if isinstance(out, Value) else out
        raise WrongAnswerError(
            f"the MSE is {got!r}, expected {reference.data!r} = ((−0.5)² + 0² + 2²) / 3."
        )
    out.backward()
    reference.backward()
    for i, (p, r) in enumerate(zip(preds, reference_preds, strict=True)):
        if not _close(p.grad, r.grad, 1e-12):
            raise WrongAnswerError(f"dMSE/dŷ{i} = {p.grad!r}, expected 2(ŷ − y)/n = {r.grad!r}.")
    _done("MSE = mean of squared errors, and its gradient 2(ŷ − y)/n.")


# ----------------------------------------------------------------- notebook 6
def check_xor_features(features: Callable[[np.ndarray], np.ndarray]) -> None:
    """Exercise 6.1: features that make XOR separable by a network with no hidden layer."""
    from . import datasets, optim
    from .train import evaluate, fit

    X, y = datasets.xor(n=200, seed=1)
    inputs = np.asarray(_call("6.1", features, X), dtype=float)
    if inputs.ndim != 2 or inputs.shape[0] != len(X):
        raise WrongAnswerError(
            f"features(X) must have shape (n, k) with n = {len(X)}, got {inputs.shape}"
        )
    model = MLP(inputs.shape[1], [1], seed=0)
    fit(
        model,
        inputs,
        y,
        optimizer=optim.Adam(model.parameters(), lr=0.05),
        epochs=60,
        progress=False,
    )
    _, accuracy = evaluate(model, inputs, y, "bce")
    if accuracy is None or accuracy < 0.95:
        raise WrongAnswerError(
            f"a single neuron on your features reaches {accuracy:.0%} accuracy on XOR "
            "(95 % needed). "
            "Hint: the class is the sign of x1·x2."
        )
    _done(f"with your features one neuron separates XOR ({accuracy:.0%} accuracy).")


# ----------------------------------------------------------------- notebook 7
def check_torch_loss(torch_loss: Callable[[Any, np.ndarray, np.ndarray], Any]) -> None:
    """Exercise 7.1: the MSE of a ``torch.nn.Sequential`` on (X, y), gradients equal to ours."""
    import torch

    from .io import to_torch

    model = MLP(2, [4, 1], activation="tanh", seed=3)
    X = np.random.default_rng(0).normal(size=(8, 2))
    y = np.sin(X[:, 0])
    reference = losses.mean(losses.mse, [model(row) for row in X], y.tolist())
    reference.backward()
    sequential = to_torch(model)
    out = _call("7.1", torch_loss, sequential, X, y)
    if not isinstance(out, torch.Tensor) or out.numel() != 1:
        raise WrongAnswerError("torch_loss must return a one-element torch tensor (the mean loss)")
    if not _close(out.item(), reference.data, 1e-9):
        raise WrongAnswerError(
            f"PyTorch loss {out.item()!r}, micrograd_edu loss {reference.data!r}"
        )
    out.backward()  # type: ignore[no-untyped-call]
    first = sequential[0].weight.grad[0, 0].item()
    ours = model.layers[0].neurons[0].w[0].grad
    if not _close(first, ours, 1e-9):
        raise WrongAnswerError(
            f"d loss/d w (first weight): PyTorch {first!r}, micrograd_edu {ours!r}"
        )
    _done("PyTorch and micrograd_edu agree on the loss and on every gradient checked.")
