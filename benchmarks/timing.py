"""Timing workloads side by side: interleaved, after a warm-up, the median of several runs."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable

__all__ = ["median_times", "timed"]


def median_times(
    runs: dict[str, Callable[[], dict[str, float]]], repeats: int
) -> dict[str, dict[str, float]]:
    """Run each workload ``repeats`` times, interleaved; the median seconds of each phase.

    A run returns the seconds of each of its phases (``timed`` makes one phase of a
    plain function); a full garbage collection precedes every run.
    """
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in runs}
    for run in runs.values():  # warm-up
        run()
    for _ in range(repeats):
        for name, run in runs.items():
            gc.collect()
            for phase, seconds in run().items():
                samples[name].setdefault(phase, []).append(seconds)
    return {
        name: {phase: statistics.median(values) for phase, values in phases.items()}
        for name, phases in samples.items()
    }


def timed(action: Callable[[], object]) -> Callable[[], dict[str, float]]:
    """``action`` as a run of one phase, ``"seconds"``, for :func:`median_times`."""

    def run() -> dict[str, float]:
        start = time.perf_counter()
        action()
        return {"seconds": time.perf_counter() - start}

    return run
