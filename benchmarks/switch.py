"""``python -m benchmarks.switch``: what refusing copies costs the write-it-yourself probes.

Every exercise with a ``switch`` is probed on a hidden case with a right answer (the test
suite's), with the trace hook that refuses copies of switched-off code on (as graded) and
off, interleaved, seven times each; the table gives the best time of each and the ratio.
Only the ratios and the milliseconds added mean anything: absolute times depend on the
machine.
"""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["switch_rows"]

ROOT = Path(__file__).resolve().parent.parent


def _probe_seconds(number: str, answers: dict[str, Any], watched: bool) -> float:
    from micrograd_edu.exercises import copies
    from micrograd_edu.exercises.grading import grading_cases
    from micrograd_edu.exercises.probing import probe_one

    enter, leave = copies.Watch.__enter__, copies.Watch.__exit__
    if not watched:
        copies.Watch.__enter__ = lambda self: self  # type: ignore[method-assign]
        copies.Watch.__exit__ = lambda self, *exc: None  # type: ignore[method-assign]
    try:
        case = grading_cases(number, 11)
        gc.collect()
        start = time.perf_counter()
        record = probe_one(number, case, dict(answers))
        seconds = time.perf_counter() - start
    finally:
        copies.Watch.__enter__, copies.Watch.__exit__ = enter, leave  # type: ignore[method-assign]
    if "data" not in record:
        raise RuntimeError(f"exercise {number}: the right answer did not run: {record}")
    return seconds


def switch_rows(repeats: int = 7) -> list[tuple[str, float, float]]:
    """(exercise, best seconds with the hook, best without) for each write-it-yourself one."""
    sys.path.insert(0, str(ROOT / "tests" / "helpers"))
    import exercise_answers  # type: ignore[import-not-found]

    from micrograd_edu.exercises.core import load

    right: dict[str, dict[str, Any]] = exercise_answers.RIGHT
    numbers = [number for number in right if load(number).switch]
    times: dict[str, tuple[list[float], list[float]]] = {n: ([], []) for n in numbers}
    for number in numbers:  # warm-up: imports, the library's source compiled once
        _probe_seconds(number, right[number], True)
    for _ in range(repeats):
        for number in numbers:
            times[number][0].append(_probe_seconds(number, right[number], True))
            times[number][1].append(_probe_seconds(number, right[number], False))
    return [(n, min(times[n][0]), min(times[n][1])) for n in numbers]


def main() -> int:
    """Print the table."""
    print("exercise  with the hook  without  ratio  added")
    for number, on, off in switch_rows():
        print(
            f"{number:8}  {on * 1e3:10.1f} ms  {off * 1e3:5.1f} ms  {on / off:5.2f}  "
            f"{(on - off) * 1e3:+.1f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
