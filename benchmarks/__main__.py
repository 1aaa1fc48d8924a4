"""``python -m benchmarks``: micrograd_edu against micrograd and PyTorch, in one run.

Every workload runs for each engine in the same process (the deepest-chain
test in subprocesses), interleaved, after a warm-up, several times; the table
shows medians and the ratios micrograd_edu / reference. Only ratios mean
anything: absolute times depend on the machine.

A second table gives the targets: the tape's (:mod:`benchmarks.tape`), the live
Playground's epochs and redraws per second and the reinforcement-learning ones
(:mod:`benchmarks.playground`, :mod:`benchmarks.rl`).

The grader's targets (:mod:`benchmarks.grading`) close the second table of a full
run; ``--grading`` prints them alone.

A class on one machine (:mod:`benchmarks.hub`: epochs per second per user for 1, 8, 10
and 30 simulated users, a hidden Play's CPU, a user's memory) follows the Playground's
rows; ``--hub`` prints it alone.

Options: ``--quick`` (fewer repeats, no full training of micrograd), ``--markdown``,
``--playground`` (only the table of targets: the tape, the live Playground's rates
and the reinforcement-learning training targets), ``--engine`` (only the engine's
time per op against the engine of an earlier commit, :mod:`benchmarks.engine_ops`).
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from . import engine_ops, grading, hub, install, playground, rl, size, tape, training, workloads
from .timing import median_times
from .workloads import Engine

GRAPH_OPS = 100_000
DEPTHS = (100, 200, 500, 1_000, 10_000, 100_000, 1_000_000)
TORCH_MAX_DEPTH = 100_000  # deeper 0-dim chains take minutes in PyTorch


def _graph_run(engine: Engine, n_ops: int) -> Callable[[], dict[str, float]]:
    def run() -> dict[str, float]:
        start = time.perf_counter()
        out, _ = workloads.mixed_graph(engine, n_ops)
        built = time.perf_counter()
        engine.backward(out)
        done = time.perf_counter()
        del out
        gc.collect()
        gc.disable()  # the same graph again with CPython's cyclic garbage collector paused
        try:
            paused_start = time.perf_counter()
            out, _ = workloads.mixed_graph(engine, n_ops)
            engine.backward(out)
            paused = time.perf_counter() - paused_start
        finally:
            gc.enable()
        return {
            "forward": built - start,
            "backward": done - built,
            "total": done - start,
            "total, cyclic GC paused": paused,
        }

    return run


def _traced_bytes(build: Callable[[], Any]) -> tuple[int, Any]:
    """The bytes that ``build()`` leaves allocated (tracemalloc), and what it built."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    built = build()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return after - before, built


def _memory(engine: Engine, n_ops: int) -> dict[str, float]:
    """Bytes per op and per node (its own nodes) of the mixed graph and of a product chain."""
    graph_bytes, (out, _) = _traced_bytes(lambda: workloads.mixed_graph(engine, n_ops))
    chain_bytes, chain = _traced_bytes(lambda: workloads.product_chain(engine, n_ops))
    return {
        "per op": graph_bytes / workloads.mixed_graph_ops(n_ops),
        "per node": graph_bytes / workloads.count_nodes(engine, out),
        "per node, Value × Value chain": chain_bytes / workloads.count_nodes(engine, chain),
    }


def _deepest_chain(engine_name: str, max_depth: int) -> int:
    """The deepest chain (of DEPTHS) that builds and backpropagates, each in a fresh process."""
    deepest = 0
    for depth in DEPTHS:
        if depth > max_depth:
            break
        code = (
            "import sys; from benchmarks import workloads as w; "
            f"e = w.{engine_name}_engine(); g = w.deep_chain(e, {depth}); "
            f"assert abs(g - 1.0000001 ** {depth}) < 1e-6 * g; print('ok')"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
        if result.returncode != 0 or "ok" not in result.stdout:
            break
        deepest = depth
    return deepest


def _row(
    label: str, ours: float, refs: dict[str, float | None], unit: str, fmt: str = "{:.3g}"
) -> list[str]:
    cells = [label, fmt.format(ours) + unit]
    for value in refs.values():
        cells.append("—" if value is None else fmt.format(value) + unit)
    for value in refs.values():
        cells.append("—" if not value else f"{ours / value:.3f}")
    return cells


def _print_table(rows: list[list[str]], markdown: bool) -> None:
    header = ["workload", "micrograd_edu", "micrograd", "PyTorch", "÷ micrograd", "÷ PyTorch"]
    table = [header, *rows]
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
        return
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print(
            "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            )
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer repeats; skip micrograd's full training"
    )
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument(
        "--playground", action="store_true", help="only the live Playground's table"
    )
    parser.add_argument("--grading", action="store_true", help="only the grader's targets")
    parser.add_argument(
        "--install", action="store_true", help="only the wheel's and the course site's rows"
    )
    parser.add_argument(
        "--engine", action="store_true", help="only the time per op against an earlier engine"
    )
    parser.add_argument(
        "--baseline", default=engine_ops.BASELINE, help="the commit of that earlier engine"
    )
    parser.add_argument(
        "--hub", action="store_true", help="only a class on one machine: users, hidden Play, memory"
    )
    args = parser.parse_args(argv)
    print("\n".join(size.measure().lines()))
    repeats = 3 if args.quick else 5
    if args.install:
        _print_targets(install.install_rows(), args.markdown)
        return 0
    if args.hub:
        _print_targets(hub.hub_rows(args.quick), args.markdown)
        return 0
    if args.playground:
        _print_playground(args.quick, args.markdown)
        return 0
    if args.grading:
        _print_targets(grading.grading_rows(args.quick), args.markdown)
        return 0
    if args.engine:
        _print_targets(engine_ops.engine_rows(args.quick, args.baseline), args.markdown)
        return 0

    engines = {
        "micrograd_edu": workloads.micrograd_edu_engine(),
        "micrograd": workloads.micrograd_engine(),
        "pytorch": workloads.torch_engine(),
    }
    rows: list[list[str]] = []
    us = 1e6 / workloads.mixed_graph_ops(GRAPH_OPS)

    print(f"[1/5] {GRAPH_OPS:,}-op mixed graph ...", file=sys.stderr)
    graph = median_times({name: _graph_run(e, GRAPH_OPS) for name, e in engines.items()}, repeats)
    for phase in ("forward", "backward", "total", "total, cyclic GC paused"):
        ours, mg, pt = (graph[name][phase] * us for name in engines)
        rows.append(_row(f"graph {phase} (per op)", ours, {"micrograd": mg, "pytorch": pt}, " µs"))

    print("[2/5] memory ...", file=sys.stderr)
    memory = {name: _memory(e, GRAPH_OPS) for name, e in engines.items() if name != "pytorch"}
    for measure in memory["micrograd_edu"]:
        rows.append(
            _row(
                f"memory {measure} (tracemalloc)",
                memory["micrograd_edu"][measure],
                {"micrograd": memory["micrograd"][measure], "pytorch": None},
                " B",
                "{:.0f}",
            )
        )

    print("[3/5] MLP training step ...", file=sys.stderr)
    steps = median_times(
        {
            "micrograd_edu": training.micrograd_edu_step(),
            "micrograd": training.micrograd_step(),
            "pytorch": training.torch_scalar_step(),
        },
        repeats,
    )
    ours, mg, pt = (steps[name]["step"] * 1e3 for name in engines)
    rows.append(
        _row("MLP(2,[16,16,1]) step, 100 moons", ours, {"micrograd": mg, "pytorch": pt}, " ms")
    )

    print("[4/5] full moons training to 100 % ...", file=sys.stderr)
    ours_fit = training.micrograd_edu_full_training()
    mg_fit = None if args.quick else training.micrograd_full_training()
    rows.append(
        _row(
            f"moons to 100 % ({ours_fit.steps} vs {mg_fit.steps if mg_fit else '—'} steps)",
            ours_fit.seconds,
            {"micrograd": mg_fit.seconds if mg_fit else None, "pytorch": None},
            " s",
        )
    )

    print("[5/5] deepest chain ...", file=sys.stderr)
    depth = {
        "micrograd_edu": _deepest_chain("micrograd_edu", DEPTHS[-1]),
        "micrograd": _deepest_chain("micrograd", DEPTHS[-1]),
        "pytorch": _deepest_chain("torch", TORCH_MAX_DEPTH),
    }
    rows.append(
        [
            "deepest chain (forward + backward)",
            f"{depth['micrograd_edu']:,}",
            f"{depth['micrograd']:,}",
            f"≥ {depth['pytorch']:,} (not tried deeper)",
            "",
            "",
        ]
    )
    _print_table(rows, args.markdown)
    print()
    print(f"[+] the engine against {args.baseline[:7]} ...", file=sys.stderr)
    _print_targets(engine_ops.engine_rows(args.quick, args.baseline), args.markdown)
    print()
    _print_playground(args.quick, args.markdown, with_grading=True)
    return 0


def _print_playground(quick: bool, markdown: bool, with_grading: bool = False) -> None:
    print("[+] the tape ...", file=sys.stderr)
    rows = tape.tape_rows(quick)
    print("[+] live Playground ...", file=sys.stderr)
    rates = playground.playground_rates(quick)
    rows += [
        [rate.label, f"{rate.per_second:.1f} /s", f"≥ {rate.target:g} /s", "✔" if rate.met else "✘"]
        for rate in rates
    ]
    print("[+] live Playground: a held Trainer against fit per epoch ...", file=sys.stderr)
    rows += playground.epoch_against_fit(quick)
    print("[+] live Playground in a classroom ...", file=sys.stderr)
    rows += playground.classroom_rows(quick)
    print("[+] a class on one machine (simulated hub users) ...", file=sys.stderr)
    rows += hub.hub_rows(quick)
    print("[+] reinforcement learning ...", file=sys.stderr)
    rows += rl.rl_rows()
    print("[+] the wheel and the course site ...", file=sys.stderr)
    rows += install.install_rows()
    if with_grading:
        print("[+] grading a class ...", file=sys.stderr)
        rows += grading.grading_rows(quick)
    _print_targets(rows, markdown)


def _print_targets(rows: list[list[str]], markdown: bool) -> None:
    header = ["target", "measured", "target", "met"]
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|---|---:|---:|:---:|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
        return
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )


if __name__ == "__main__":
    sys.exit(main())
