"""The MLP workloads: one training step and a full training on moons, per engine.

Each engine is used the way its own documentation shows: micrograd as in its
demo notebook, micrograd_edu with its ``nn``, ``losses`` and ``optim``
modules, PyTorch with the same scalar network written in 0-dim tensors.
Hyper-parameters are micrograd's demo: MLP(2, [16, 16, 1]), 100 moons
points, hinge loss + 1e-4 · L2, full-batch SGD.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from micrograd_edu import datasets

ALPHA = 1e-4
STEP_LR = 0.01  # small, so that repeated timing steps do not diverge
MAX_STEPS = 300

X, Y01 = datasets.moons(n=100, noise=0.1, seed=0)
ROWS: list[list[float]] = X.tolist()
TARGETS: list[float] = (2.0 * Y01 - 1.0).tolist()  # ±1 for the hinge loss


@dataclass(frozen=True)
class FullTraining:
    seconds: float
    steps: int
    accuracy: float


def _demo_lr(step: int) -> float:
    return 1.0 - 0.9 * step / 100 if step < 100 else 0.1


def _accuracy(scores: list[float]) -> float:
    return sum((s > 0) == (t > 0) for s, t in zip(scores, TARGETS, strict=True)) / len(TARGETS)


# ---------------------------------------------------------------- micrograd
def _micrograd_model() -> Any:
    from micrograd.nn import MLP

    random.seed(1337)
    return MLP(2, [16, 16, 1])


def _micrograd_loss(model: Any) -> tuple[Any, list[float]]:
    from micrograd.engine import Value

    inputs = [list(map(Value, row)) for row in ROWS]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(TARGETS, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    return data_loss + reg_loss, [s.data for s in scores]


def _micrograd_update(model: Any, loss: Any, lr: float) -> None:
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad


def micrograd_step() -> Callable[[], dict[str, float]]:
    model = _micrograd_model()

    def run() -> dict[str, float]:
        start = time.perf_counter()
        loss, _ = _micrograd_loss(model)
        _micrograd_update(model, loss, STEP_LR)
        return {"step": time.perf_counter() - start}

    return run


def micrograd_full_training() -> FullTraining:
    model = _micrograd_model()
    start = time.perf_counter()
    for step in range(MAX_STEPS):
        loss, scores = _micrograd_loss(model)
        if _accuracy(scores) == 1.0:
            return FullTraining(time.perf_counter() - start, step, 1.0)
        _micrograd_update(model, loss, _demo_lr(step))
    return FullTraining(time.perf_counter() - start, MAX_STEPS, _accuracy(scores))


# ------------------------------------------------------------ micrograd_edu
def _ours_model() -> Any:
    from micrograd_edu.nn import MLP

    return MLP(2, [16, 16, 1], seed=0)


def _ours_loss(model: Any) -> tuple[Any, list[float]]:
    from micrograd_edu import losses
    from micrograd_edu.engine import sum_values

    scores = [model(row) for row in ROWS]
    data_loss = sum_values(losses.hinge(s, t) for s, t in zip(scores, TARGETS, strict=True))
    total = data_loss * (1.0 / len(scores)) + ALPHA * losses.l2(model.parameters())
    return total, [s.data for s in scores]


def micrograd_edu_step() -> Callable[[], dict[str, float]]:
    from micrograd_edu.optim import SGD

    model = _ours_model()
    optimizer = SGD(model.parameters(), lr=STEP_LR)

    def run() -> dict[str, float]:
        start = time.perf_counter()
        loss, _ = _ours_loss(model)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return {"step": time.perf_counter() - start}

    return run


def micrograd_edu_full_training() -> FullTraining:
    from micrograd_edu.optim import SGD

    model = _ours_model()
    optimizer = SGD(model.parameters(), lr=1.0)
    start = time.perf_counter()
    for step in range(MAX_STEPS):
        loss, scores = _ours_loss(model)
        if _accuracy(scores) == 1.0:
            return FullTraining(time.perf_counter() - start, step, 1.0)
        optimizer.lr = _demo_lr(step)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return FullTraining(time.perf_counter() - start, MAX_STEPS, _accuracy(scores))


# ------------------------------------------------------------------ PyTorch
def torch_scalar_step() -> Callable[[], dict[str, float]]:
    """micrograd's MLP written with 0-dim float64 tensors: the same scalar graph."""
    import torch

    torch.set_num_threads(1)
    rng = random.Random(1337)

    def scalar() -> Any:
        return torch.tensor(rng.uniform(-1, 1), dtype=torch.float64, requires_grad=True)

    sizes = [2, 16, 16, 1]
    layers = [
        [([scalar() for _ in range(nin)], scalar()) for _ in range(nout)]
        for nin, nout in itertools.pairwise(sizes)
    ]
    params = [p for layer in layers for w, b in layer for p in (*w, b)]

    def forward(x: list[Any]) -> Any:
        for i, layer in enumerate(layers):
            outs = [sum((wi * xi for wi, xi in zip(w, x, strict=True)), b) for w, b in layer]
            x = outs if i == len(layers) - 1 else [torch.relu(o) for o in outs]
        return x[0]

    def run() -> dict[str, float]:
        start = time.perf_counter()
        scores = [forward(row) for row in ROWS]
        losses = [torch.relu(1 - yi * si) for yi, si in zip(TARGETS, scores, strict=True)]
        total = sum(losses) * (1.0 / len(losses)) + ALPHA * sum(p * p for p in params)
        for p in params:
            p.grad = None
        total.backward()
        with torch.no_grad():
            for p in params:
                p -= STEP_LR * p.grad
        return {"step": time.perf_counter() - start}

    return run
