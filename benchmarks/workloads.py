"""The benchmark workloads, each written once for any engine with micrograd's API.

An *engine* here is a small adapter (:class:`Engine`) that makes leaves and
applies ReLU; everything else uses Python operators, which micrograd_edu,
micrograd and 0-dim PyTorch tensors all support.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

OPS_PER_STEP = 10
STEPS_PER_BLOCK = 10


@dataclass(frozen=True)
class Engine:
    """How to make a leaf, apply ReLU and backpropagate in one engine."""

    name: str
    leaf: Callable[[float], Any]
    relu: Callable[[Any], Any]
    backward: Callable[[Any], None]
    data: Callable[[Any], float]
    children: Callable[[Any], Iterable[Any]] = lambda node: ()


def micrograd_edu_engine() -> Engine:
    from micrograd_edu import Value

    return Engine(
        "micrograd_edu", Value, Value.relu, Value.backward, lambda v: v.data, lambda v: v.children
    )


def micrograd_engine() -> Engine:
    from micrograd.engine import Value

    return Engine(
        "micrograd", Value, Value.relu, Value.backward, lambda v: v.data, lambda v: v._prev
    )


def torch_engine() -> Engine:
    import torch

    torch.set_num_threads(1)

    def leaf(x: float) -> Any:
        return torch.tensor(x, dtype=torch.float64, requires_grad=True)

    return Engine("pytorch", leaf, torch.relu, lambda t: t.backward(), lambda t: t.item())


def mixed_graph(engine: Engine, n_ops: int) -> tuple[Any, list[Any]]:
    """A graph of about ``n_ops`` mixed scalar operations (+ − × ÷ ** relu, numbers and nodes).

    It is built as independent blocks of 100 operations whose outputs are
    summed pairwise, so that its depth stays near 110: micrograd's recursive
    topological sort cannot go deeper than about 1,000.
    """
    relu = engine.relu
    blocks = max(1, n_ops // (OPS_PER_STEP * STEPS_PER_BLOCK))
    rng = random.Random(0)
    leaves: list[Any] = []
    outputs = []
    for _ in range(blocks):
        a, b, c = (engine.leaf(rng.uniform(0.5, 1.5)) for _ in range(3))
        leaves += [a, b, c]
        x = a
        for _ in range(STEPS_PER_BLOCK):  # 10 operations per step
            t = x * b + c  # mul, add
            t = relu(t) - x  # relu, sub
            t = t / c  # div
            t = t**2  # pow
            x = t * 0.01 + a  # mul by a number, add
            x = 1.0 - x * 0.5  # mul by a number, rsub: |x| stays below 1
        outputs.append(x)
    while len(outputs) > 1:  # pairwise sum: depth log2(blocks)
        pairs = [outputs[i] + outputs[i + 1] for i in range(0, len(outputs) - 1, 2)]
        outputs = pairs + ([outputs[-1]] if len(outputs) % 2 else [])
    return outputs[0], leaves


def count_nodes(engine: Engine, root: Any) -> int:
    """How many nodes the engine created for the graph of ``root`` (constants included)."""
    seen = {root}
    stack = [root]
    while stack:
        for child in engine.children(stack.pop()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return len(seen)


def product_chain(engine: Engine, length: int) -> Any:
    """x ← x · y, ``length`` times, with y a Value: one binary node per step."""
    x, y = engine.leaf(1.0), engine.leaf(1.0000001)
    for _ in range(length):
        x = x * y
    return x


def mixed_graph_ops(n_ops: int) -> int:
    """The exact number of operations :func:`mixed_graph` performs."""
    blocks = max(1, n_ops // (OPS_PER_STEP * STEPS_PER_BLOCK))
    return blocks * OPS_PER_STEP * STEPS_PER_BLOCK + blocks - 1


def deep_chain(engine: Engine, depth: int) -> float:
    """x ← x · 1.0000001 + 0.0, ``depth`` operations deep, then backward; returns d out/d x₀."""
    x0 = engine.leaf(1.0)
    x = x0
    for _ in range(depth):
        x = x * 1.0000001
    engine.backward(x)
    return float(engine.data(x0.grad) if hasattr(x0.grad, "item") else x0.grad)
