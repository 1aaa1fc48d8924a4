"""The live Playground's speed: epochs and redraws per second, by driving the app itself.

Each rate is measured by calling the app's own update functions in a loop:
``session.train_epoch()`` (what the Play thread runs) and ``app.refresh()``
(the redraw of the plane, the network and the loss curve), as a browser would
see them, without a browser. Targets are the issue's: default settings (circle,
2 features, hidden 4,2, 250 training points, batch 10) train ≥ 10 epochs/s and
redraw ≥ 5 times/s; 6 hidden layers of 8 neurons train ≥ 2 epochs/s.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Rate", "playground_rates"]


@dataclass(frozen=True)
class Rate:
    label: str
    per_second: float
    target: float

    @property
    def met(self) -> bool:
        return self.per_second >= self.target


def _rate(action: Callable[[], object], seconds: float = 2.0, repeats: int = 3) -> float:
    """Median of ``repeats`` measurements of calls per second over ``seconds`` each."""
    action()  # warm-up
    rates = []
    for _ in range(repeats):
        calls = 0
        start = time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            action()
            calls += 1
        rates.append(calls / elapsed)
    return statistics.median(rates)


def playground_rates(quick: bool = False) -> list[Rate]:
    """Measure the four rates (the app is built once per setting, as a student opens it)."""
    from visualize.live.app import LivePlayground
    from visualize.live.session import PlaygroundSession

    seconds = 1.0 if quick else 2.0
    rates = []
    for name, hidden, epoch_target, draw_target in (
        ("default (circle, 4,2)", (4, 2), 10.0, 5.0),
        ("6 layers of 8", (8,) * 6, 2.0, 5.0),
    ):
        app = LivePlayground(PlaygroundSession(hidden=hidden))
        if len(app.session.X_train) != 250:
            raise RuntimeError("the benchmark assumes the Playground's 250 training points")
        rates.append(
            Rate(
                f"live Playground {name}: epochs",
                _rate(app.session.train_epoch, seconds),
                epoch_target,
            )
        )
        rates.append(
            Rate(f"live Playground {name}: redraws", _rate(app.refresh, seconds), draw_target)
        )
    return rates
