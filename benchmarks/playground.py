"""The live Playground's speed: epochs and redraws per second, by driving the app itself.

Each rate is measured by calling the app's own update functions in a loop:
``session.train_epoch()`` (what the Play thread runs) and ``app.refresh()``
(the redraw of the plane, the network and the loss curve), as a browser would
see them, without a browser. Targets are the issue's: default settings (circle,
2 features, hidden 4,2, 250 training points, batch 10) train ≥ 10 epochs/s and
redraw ≥ 5 times/s; 6 hidden layers of 8 neurons train ≥ 2 epochs/s.

:func:`epoch_against_fit` times the session's epoch (one :class:`~micrograd_edu.train.Trainer`
held for the whole run) against the path it replaced, ``fit(..., epochs=1)`` called
every epoch (which checks the data and the optimizer and captures the tape again),
interleaved in the same run: target no slower.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Rate", "classroom_rows", "epoch_against_fit", "playground_rates"]


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
    from micrograd_edu.visualize.live.app import LivePlayground
    from micrograd_edu.visualize.live.session import PlaygroundSession

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


def _fit_per_epoch(session: Any) -> Callable[[], None]:
    """An epoch as the session trained it before it held a Trainer: ``fit(..., epochs=1)``
    on the features of the training points, then the test loss with ``evaluate``."""
    import numpy as np

    from micrograd_edu.train import evaluate, fit

    shuffle = np.random.default_rng(session.settings.seed)

    def epoch() -> None:
        s = session.settings
        fit(
            session.model,
            session.inputs(session.X_train),
            session.y_train,
            loss=str(s.loss),
            optimizer=session.optimizer,
            epochs=1,
            batch_size=s.batch_size,
            l1=s.reg_rate if s.regularization == "l1" else 0.0,
            l2=s.reg_rate if s.regularization == "l2" else 0.0,
            seed=int(shuffle.integers(2**32)),
            progress=False,
        )
        evaluate(session.model, session.inputs(session.X_test), session.y_test, str(s.loss))

    return epoch


def epoch_against_fit(quick: bool = False) -> list[list[str]]:
    """Rows (label, measured, target, met): epochs per second of the session's held
    Trainer and of ``fit`` per epoch, on the default settings and on 6 layers of 8,
    each the median of interleaved runs in this process."""
    from micrograd_edu.visualize.live.session import PlaygroundSession

    seconds, repeats = (0.5, 5) if quick else (1.0, 9)
    rows = []
    for name, hidden in (("default (circle, 4,2)", (4, 2)), ("6 layers of 8", (8,) * 6)):
        held, per_epoch = PlaygroundSession(hidden=hidden), PlaygroundSession(hidden=hidden)
        old_epoch = _fit_per_epoch(per_epoch)
        held.train_epoch()  # warm-up
        old_epoch()
        trainer_rates, fit_rates = [], []
        for _ in range(repeats):
            trainer_rates.append(_rate(held.train_epoch, seconds, repeats=1))
            fit_rates.append(_rate(old_epoch, seconds, repeats=1))
        new, old = statistics.median(trainer_rates), statistics.median(fit_rates)
        rows.append(
            [
                f"live Playground {name}: an epoch, held Trainer ÷ fit per epoch",
                f"{old / new:.2f}× the time ({new:.0f} vs {old:.0f} /s)",
                "≤ 1.00×",
                _met(new >= old),
            ]
        )
    return rows


def _redraw_rate_at(epochs: int, seconds: float) -> float:
    """Redraws per second of the default app whose loss curves hold ``epochs`` epochs."""
    import numpy as np

    from micrograd_edu.visualize.live.app import LivePlayground
    from micrograd_edu.visualize.live.session import PlaygroundSession

    app = LivePlayground(PlaygroundSession())
    losses = np.random.default_rng(0).uniform(0.1, 0.7, epochs)
    for value in losses:  # as if Play had run this long (training each would take hours)
        app.session.train_curve.append(value)
        app.session.test_curve.append(value + 0.05)
    app.session.epoch = epochs
    return _rate(app.refresh, seconds)


def _play_cpu_share(seconds: float) -> float:
    """The share of one core the default app's Play uses (process CPU time / wall time)."""
    from micrograd_edu.visualize.live.app import LivePlayground
    from micrograd_edu.visualize.live.session import PlaygroundSession

    app = LivePlayground(PlaygroundSession())
    cpu, wall = time.process_time(), time.perf_counter()
    app.play()
    try:
        time.sleep(seconds)
    finally:
        app.pause()
    return (time.process_time() - cpu) / (time.perf_counter() - wall)


KERNEL_CELL = (
    "from micrograd_edu.visualize.live import live_playground\napp = live_playground()\napp.step()"
)


def _kernel_memory_mib() -> float:
    """Resident memory of a Jupyter kernel showing the default app (one epoch trained), MiB."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    try:
        client.execute_interactive(KERNEL_CELL, timeout=120)
        process = getattr(manager.provisioner, "process", None)
        if process is None:
            raise RuntimeError("the kernel's process is not known")
        with open(f"/proc/{process.pid}/status") as status:
            line = next(line for line in status if line.startswith("VmRSS:"))
        return int(line.split()[1]) / 1024
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def classroom_rows(quick: bool = False) -> list[list[str]]:
    """Rows (label, measured, target, met) for a class sharing one machine: redraw cost after
    10⁵ epochs against 10³ (the curve is full from 320 on), Play's share of a core, and a
    kernel's memory (Linux)."""
    seconds = 1.0 if quick else 2.0
    early, late = _redraw_rate_at(1_000, seconds), _redraw_rate_at(100_000, seconds)
    share = _play_cpu_share(3.0 if quick else 6.0)
    rows = [
        [
            "live Playground: redraws at 10⁵ epochs (vs 10³)",
            f"{late:.1f} /s ({late / early:.2f}×)",
            "≥ 0.8× at 10³",
            _met(late >= 0.8 * early),
        ],
        ["live Playground: Play's share of one core", f"{share:.0%}", "≤ 50 %", _met(share <= 0.5)],
    ]
    try:
        memory = _kernel_memory_mib()
    except (ImportError, OSError, RuntimeError) as error:
        rows.append(["live Playground: a kernel's memory", f"not measured ({error})", "", ""])
    else:
        rows.append(
            [
                "live Playground: a kernel's memory",
                f"{memory:.0f} MiB",
                "≤ 150 MiB",
                _met(memory <= 150),
            ]
        )
    return rows


def _met(condition: bool) -> str:
    return "✔" if condition else "✘"
