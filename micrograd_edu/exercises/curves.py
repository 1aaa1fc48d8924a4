"""Loss curves with a known problem, drawn at random (exercise 4.4's practice and hidden runs).

Each run is ``{"train": [...], "validation": [...]}``, one loss per epoch,
shaped like the real runs of :func:`~micrograd_edu.exercises.nb04.loss_curves`:

* "rate too high": the training loss jumps to several times its start;
* "rate too low": smooth, and has barely moved (≤ 2 %) at the end;
* "overfitting": the training loss keeps falling, the validation loss turns up;
* "no zero_grad": fast at first, then the training loss itself turns back up
  and swings.

Standard library only. The key (which cause drew which run) is returned
apart from the curves, so the grader can keep it out of the student's kernel.

>>> curves, key = synthetic_curves(random.Random(1), 4)
>>> sorted(key) == sorted(CURVE_CAUSES)
True
"""

from __future__ import annotations

import math
import random
from typing import Any

__all__ = ["CURVE_CAUSES", "CURVE_SIGNS", "synthetic_curves"]

CURVE_CAUSES = ("rate too high", "rate too low", "overfitting", "no zero_grad")
"""The four diagnoses of exercise 4.4."""

CURVE_SIGNS = {
    "rate too high": "the loss jumps up and down, or grows: each step overshoots",
    "rate too low": "smooth but very slow: the loss has barely moved after many epochs",
    "overfitting": "the training loss keeps falling while the validation loss turns up",
    "no zero_grad": "fast at first, then the training loss itself turns back up and swings, "
    "as old gradients pile up into ever larger steps",
}
"""What each diagnosis looks like on a loss curve (the hint of a wrong diagnosis)."""


def _too_high(rng: random.Random, start: float, epochs: int) -> dict[str, list[float]]:
    train = [start] + [start * math.exp(rng.uniform(-0.4, 2.2)) for _ in range(epochs - 1)]
    train[rng.randint(1, epochs // 2)] = start * rng.uniform(4.0, 12.0)
    validation = [v * rng.uniform(1.0, 1.6) + 0.05 for v in train]
    return {"train": train, "validation": validation}


def _too_low(rng: random.Random, start: float, epochs: int) -> dict[str, list[float]]:
    drop = rng.uniform(0.004, 0.02)
    train = [start * (1 - drop * t / (epochs - 1)) for t in range(epochs)]
    gap = rng.uniform(0.03, 0.1)
    return {"train": train, "validation": [v + gap for v in train]}


def _overfitting(rng: random.Random, start: float, epochs: int) -> dict[str, list[float]]:
    floor, tau = start * rng.uniform(0.35, 0.5), rng.uniform(3.0, 8.0)
    slope = floor * rng.uniform(0.1, 0.3) / epochs
    train = [floor + (start - floor) * math.exp(-t / tau) - slope * t for t in range(epochs)]
    lowest, turn = floor * rng.uniform(1.2, 1.5), rng.randint(epochs // 5, epochs // 3)
    rise = lowest * rng.uniform(0.5, 1.0) / (epochs - turn)
    validation = [
        lowest + (start * 1.05 - lowest) * math.exp(-t / tau) + rise * max(0, t - turn)
        for t in range(epochs)
    ]
    return {"train": train, "validation": validation}


def _no_zero_grad(rng: random.Random, start: float, epochs: int) -> dict[str, list[float]]:
    low, turn = start * rng.uniform(0.45, 0.6), rng.randint(epochs // 4, epochs // 2)
    rise, period = rng.uniform(0.2, 0.35), rng.uniform(4.0, 9.0)
    train = []
    for t in range(epochs):
        if t <= turn:
            train.append(low + (start - low) * (1 - t / turn) ** 2)
        else:
            up = 1 + rise * (t - turn) / (epochs - 1 - turn)
            train.append(low * up * (1 + 0.04 * math.sin(2 * math.pi * (t - turn) / period)))
    validation = [v * 1.1 + 0.1 * max(0, t - turn) / epochs for t, v in enumerate(train)]
    return {"train": train, "validation": validation}


_DRAW = {
    "rate too high": _too_high,
    "rate too low": _too_low,
    "overfitting": _overfitting,
    "no zero_grad": _no_zero_grad,
}


def synthetic_curves(rng: random.Random, n: int) -> tuple[list[dict[str, Any]], list[str]]:
    """``n`` ≥ 4 runs in random order, every cause at least once, and their causes (the key)."""
    causes = list(CURVE_CAUSES) + [rng.choice(CURVE_CAUSES) for _ in range(n - 4)]
    rng.shuffle(causes)
    runs = []
    for cause in causes:
        start, epochs = rng.uniform(0.6, 0.75), rng.randint(30, 80)
        run = _DRAW[cause](rng, start, epochs)
        runs.append({k: [round(v, 6) for v in values] for k, values in run.items()})
    return runs, causes
