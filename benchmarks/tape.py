"""The tape's targets (micrograd_edu.tape), each measured against its reference in the same run.

* One training step of MLP(2,[16,16,1]) on 100 moons points (hinge loss + 1e-4·L2,
  full batch, SGD), with the batched tape, against PyTorch's vectorized
  ``nn.Linear`` network (float64, one thread): target faster than PyTorch.
* Replaying the 100,000-op mixed graph on one sample, forward + backward:
  target ≤ 0.6 µs per op; the engine building and backpropagating the same
  graph is measured beside it.
* ``fit`` on the moons to 100 % training accuracy (the test's settings) with
  ``engine="tape"`` against ``engine="graph"``: target at least 10 times faster.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from . import training, workloads
from .timing import median_times, timed

__all__ = ["tape_rows"]

REPLAY_TARGET_US = 0.6


def tape_step() -> Callable[[], None]:
    """One full-batch step with the batched tape: the public API, written out."""
    from micrograd_edu.nn import MLP
    from micrograd_edu.optim import SGD
    from micrograd_edu.tape import capture
    from micrograd_edu.train import OBJECTIVES

    model = MLP(2, [16, 16, 1], seed=0)
    tape = capture(model, [0.0, 0.0])
    optimizer = SGD(model.parameters(), lr=training.STEP_LR)
    hinge = OBJECTIVES["hinge"]
    assert hinge.gradient_array is not None
    gradient = hinge.gradient_array
    X, y = np.array(training.ROWS), training.Y01.astype(np.float64)

    def run() -> None:
        z = tape.forward_batch(X)[:, 0]
        weights = np.array([p.data for p in tape.parameters])
        loss = float(np.mean(hinge.on_array(z, y))) + training.ALPHA * float(weights @ weights)
        assert np.isfinite(loss)
        optimizer.zero_grad()
        tape.backward(gradient(z, y) * (1.0 / len(X)))
        for p, w in zip(tape.parameters, (2.0 * training.ALPHA * weights).tolist(), strict=True):
            p.grad += w
        optimizer.step()

    return run


def torch_linear_step() -> Callable[[], None]:
    """The same step with PyTorch's nn.Linear layers: vectorized, float64, one thread."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(2, 16, dtype=torch.float64),
        torch.nn.ReLU(),
        torch.nn.Linear(16, 16, dtype=torch.float64),
        torch.nn.ReLU(),
        torch.nn.Linear(16, 1, dtype=torch.float64),
    )
    params = list(model.parameters())
    optimizer = torch.optim.SGD(params, lr=training.STEP_LR)
    X = torch.tensor(training.ROWS, dtype=torch.float64)
    targets = torch.tensor(training.TARGETS, dtype=torch.float64)

    def run() -> None:
        scores = model(X)[:, 0]
        loss: Any = torch.relu(1 - targets * scores).mean() + training.ALPHA * sum(
            (p * p).sum() for p in params
        )
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return run


def _replay_and_engine(repeats: int) -> tuple[float, float, int]:
    """µs per op: the tape replaying the mixed graph; the engine building and backpropagating it."""
    from micrograd_edu.tape import capture

    engine = workloads.micrograd_edu_engine()
    tape = capture(lambda x: workloads.mixed_graph(engine, 100_000)[0] * x[0], [1.0])
    ops = len(tape.instructions)

    def replay() -> None:
        tape.forward([1.0])
        tape.backward()

    def build_and_backward() -> None:
        out, _ = workloads.mixed_graph(engine, 100_000)
        out.backward()

    times = median_times({"replay": timed(replay), "engine": timed(build_and_backward)}, repeats)
    replay_us, engine_us = (times[name]["seconds"] * 1e6 / ops for name in ("replay", "engine"))
    return replay_us, engine_us, ops


def _fit_seconds(engine: Literal["graph", "tape"]) -> tuple[float, float]:
    """Seconds and final training accuracy of the moons test's fit (100 epochs)."""
    from micrograd_edu import datasets
    from micrograd_edu.nn import MLP
    from micrograd_edu.optim import SGD
    from micrograd_edu.train import fit

    X, y = datasets.moons(n=100, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], seed=0)
    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    start = time.perf_counter()
    history = fit(
        model,
        X,
        y,
        "hinge",
        optimizer,
        epochs=100,
        l2=1e-4,
        progress=False,
        engine=engine,
    )
    return time.perf_counter() - start, history.train_accuracy[-1]


def tape_rows(quick: bool = False) -> list[list[str]]:
    """The three rows of the targets table: [what, measured, target, met]."""
    repeats = 5 if quick else 15
    times = median_times(
        {"tape": timed(tape_step()), "torch": timed(torch_linear_step())}, repeats * 4
    )
    step = {name: phases["seconds"] for name, phases in times.items()}
    step_ratio = step["tape"] / step["torch"]
    replay_us, engine_us, ops = _replay_and_engine(3 if quick else 5)
    graph_seconds, graph_accuracy = _fit_seconds("graph")
    tape_seconds, tape_accuracy = _fit_seconds("tape")
    fit_ratio = tape_seconds / graph_seconds
    reached = graph_accuracy == 1.0 and tape_accuracy == 1.0
    return [
        [
            "tape: MLP(2,[16,16,1]) step on 100 moons, batched tape ÷ PyTorch nn.Linear",
            f"{step_ratio:.2f}× ({step['tape'] * 1e6:.0f} vs {step['torch'] * 1e6:.0f} µs)",
            "< 1× (≤ 2×)",
            "✔" if step_ratio < 1.0 else ("~" if step_ratio <= 2.0 else "✘"),
        ],
        [
            f"tape: scalar replay of the {ops:,}-op graph, forward + backward",
            f"{replay_us:.2f} µs/op (engine {engine_us:.2f})",
            f"≤ {REPLAY_TARGET_US} µs/op",
            "✔" if replay_us <= REPLAY_TARGET_US else "✘",
        ],
        [
            "tape: moons to 100 % with fit (100 epochs), engine='tape' ÷ 'graph'",
            f"{fit_ratio:.3f}× ({tape_seconds:.2f} vs {graph_seconds:.2f} s)"
            + ("" if reached else " — 100 % NOT reached"),
            "≤ 0.1×",
            "✔" if fit_ratio <= 0.1 and reached else "✘",
        ],
    ]
