"""The engine's time per op against the engine of a named commit, measured in the same run.

``python -m benchmarks --engine`` (and every full run) times each op -- ``a * b``,
``a + 2``, ``1 - a``, ``a ** 2``, ``a / b``, ``a.tanh()``, ``a.exp()``, ``a.relu()``,
a neuron's ``dot`` of 16 inputs, ``backward()`` on an MLP graph -- on today's
engine and on the engine of :data:`BASELINE`, interleaved, in one process: target
≤ 1.10× per op; the memory per node must not grow at all.

The baseline engine is read from git, ``git show <commit>:<path>``: that commit's
``micrograd_edu/engine.py``, ``sums.py``, ``_engine/`` and ``_support/`` are
written into a temporary package of their own name (its ``__init__`` left empty)
and imported beside ``micrograd_edu``. Nothing of it is committed. Without a git
repository (an unpacked sdist) or without that commit (a shallow clone), the
comparison is skipped with a message that says why.

Times are CPU seconds of this process (``time.process_time``), the median of the
ratios of runs taken side by side: other processes on a loaded machine count
less than in wall-clock time.
"""

from __future__ import annotations

import importlib
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = ["BASELINE", "TARGET", "baseline_engine", "engine_rows", "op_ratios"]

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "19f2fc913124cf73c33908e419241b706d843117"
"""The engine before issue 29 (the op methods made by argument counting, sums.py apart)."""
TARGET = 1.10
ENGINE_PATHS = (
    "micrograd_edu/engine.py",
    "micrograd_edu/sums.py",
    "micrograd_edu/_engine",
    "micrograd_edu/_support",
)

Workload = Callable[[ModuleType, int], Callable[[], object]]


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=False
    )


@contextmanager
def baseline_engine(commit: str = BASELINE, root: Path = ROOT) -> Iterator[ModuleType | str]:
    """The engine module of ``commit``, imported from a temporary package; or, if it
    cannot be had, a message saying why (no git repository, an unknown commit)."""
    if _git(root, "rev-parse", "--git-dir").returncode != 0:
        yield f"skipped: {root} is not a git repository (the baseline is read with git show)"
        return
    listed = _git(root, "ls-tree", "-r", "--name-only", commit, "--", *ENGINE_PATHS)
    if listed.returncode != 0 or not listed.stdout.strip():
        yield f"skipped: commit {commit[:12]} is not in {root} (a shallow clone?)"
        return
    package = f"micrograd_edu_at_{commit[:12]}"
    with tempfile.TemporaryDirectory(prefix="engine-baseline-") as folder:
        for path in listed.stdout.split():
            target = Path(folder, package, Path(path).relative_to("micrograd_edu"))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(
                subprocess.run(
                    ["git", "-C", str(root), "show", f"{commit}:{path}"],
                    capture_output=True,
                    check=True,
                ).stdout
            )
        Path(folder, package, "__init__.py").write_text("", encoding="utf-8")
        sys.path.insert(0, folder)
        try:
            yield importlib.import_module(f"{package}.engine")
        finally:
            sys.path.remove(folder)
            for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
                del sys.modules[name]


def _binary(expression: Callable[[Any, Any], object]) -> Workload:
    def workload(engine: ModuleType, n: int) -> Callable[[], object]:
        a, b, steps = engine.Value(0.75), engine.Value(-1.25), range(n)

        def run() -> None:
            for _ in steps:
                expression(a, b)

        return run

    return workload


def _neuron(engine: ModuleType, n: int) -> Callable[[], object]:
    rng = random.Random(0)
    weights = [engine.Value(rng.uniform(-1, 1)) for _ in range(16)]
    inputs = [rng.uniform(-1, 1) for _ in range(16)]
    bias, dot, steps = engine.Value(0.1), engine.dot, range(n // 16)

    def run() -> None:
        for _ in steps:
            dot(weights, inputs, bias)

    return run


def mlp_graph(engine: ModuleType, samples: int = 8) -> Any:
    """The loss of an MLP(2, [16, 16, 1]) of ``dot`` and ``tanh`` on ``samples`` points."""
    rng = random.Random(1)

    def layer(nin: int, nout: int) -> list[tuple[list[Any], Any]]:
        return [
            ([engine.Value(rng.uniform(-1, 1)) for _ in range(nin)], engine.Value(0.0))
            for _ in range(nout)
        ]

    layers = [layer(2, 16), layer(16, 16), layer(16, 1)]
    outputs = []
    for _ in range(samples):
        x: list[Any] = [rng.uniform(-2, 2), rng.uniform(-2, 2)]
        for neurons in layers:
            x = [engine.dot(w, x, b).tanh() for w, b in neurons]
        outputs.append((x[0] - 1.0) ** 2)
    return engine.sum_values(outputs)


def _backward(engine: ModuleType, n: int) -> Callable[[], object]:
    loss = mlp_graph(engine)
    nodes = len(loss.topological_order())
    repeats = range(max(1, n // nodes))
    return lambda: [loss.backward() for _ in repeats]


WORKLOADS: dict[str, tuple[Workload, int]] = {
    "a * b": (_binary(lambda a, b: a * b), 1),
    "a + 2": (_binary(lambda a, b: a + 2), 1),
    "1 - a": (_binary(lambda a, b: 1 - a), 1),
    "a ** 2": (_binary(lambda a, b: a**2), 1),
    "a / b": (_binary(lambda a, b: a / b), 1),
    "a.tanh()": (_binary(lambda a, b: a.tanh()), 1),
    "a.exp()": (_binary(lambda a, b: a.exp()), 1),
    "a.relu()": (_binary(lambda a, b: a.relu()), 1),
    "dot(w, x, b), 16 inputs": (_neuron, 16),
    "backward, MLP(2,[16,16,1]) graph": (_backward, 1),
}
"""Each workload: how to make a run of about n ops on an engine, ops per call."""


def _cpu_seconds(run: Callable[[], object]) -> float:
    start = time.process_time()
    run()
    return time.process_time() - start


def op_ratios(
    ours: ModuleType, baseline: ModuleType, n: int, repeats: int
) -> dict[str, tuple[float, float, float]]:
    """Per workload: (our ns per op, the baseline's, the median ratio of side-by-side runs)."""
    found = {}
    for label, (workload, per_call) in WORKLOADS.items():
        runs = [workload(ours, n), workload(baseline, n)]
        for run in runs:  # warm-up
            run()
        times: list[list[float]] = [[], []]
        for i in range(repeats):
            order = (0, 1) if i % 2 == 0 else (1, 0)
            for which in order:
                times[which].append(_cpu_seconds(runs[which]))
        ratio = statistics.median(t / b for t, b in zip(*times, strict=True))
        ops = n if label.startswith("backward") else n - n % per_call
        found[label] = (
            statistics.median(times[0]) / ops * 1e9,
            statistics.median(times[1]) / ops * 1e9,
            ratio,
        )
    return found


def bytes_per_node(engine: ModuleType, n: int = 20_000) -> float:
    """The bytes each node of a chain ``x * y`` keeps (tracemalloc)."""
    x, y = engine.Value(1.0), engine.Value(1.0000001)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(n):
        x = x * y
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return used / n


def engine_rows(
    quick: bool = False, commit: str = BASELINE, root: Path = ROOT, n: int | None = None
) -> list[list[str]]:
    """The table's rows: per op, today's time ÷ the baseline's; memory per node."""
    from micrograd_edu import engine as ours

    with baseline_engine(commit, root) as baseline:
        if isinstance(baseline, str):
            return [[f"engine per op vs {commit[:7]}", baseline, f"≤ {TARGET:.2f}×", "—"]]
        ratios = op_ratios(ours, baseline, n or (5_000 if quick else 40_000), 5 if quick else 11)
        rows = [
            [
                f"{label}: ÷ engine of {commit[:7]}",
                f"{ratio:.3f}× ({ns:.0f} vs {base:.0f} ns/op)",
                f"≤ {TARGET:.2f}×",
                "✔" if ratio <= TARGET else "✘",
            ]
            for label, (ns, base, ratio) in ratios.items()
        ]
        # the first chain built also pays for the interpreter's one-off allocations
        new, old = (min(bytes_per_node(e), bytes_per_node(e)) for e in (ours, baseline))
        rows.append(
            [
                f"memory per node, x * y chain: ÷ engine of {commit[:7]}",
                f"{new / old:.3f}× ({new:.0f} vs {old:.0f} B)",
                "≤ 1.00×",
                "✔" if round(new) <= round(old) else "✘",
            ]
        )
    return rows
