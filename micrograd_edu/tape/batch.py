"""Batched replay: a tape run on a whole batch at once with NumPy.

Every slot that needs one gets a *row* of ``V`` (one column per sample); the
instructions are grouped into *kernels* over blocks of rows: a layer's
weighted sums become one ``W @ X`` (:class:`Linear`), a layer's activations
one elementwise call (:class:`Map`), anything else runs alone (:class:`Op`).
Each kernel runs the engine's own rule with :data:`ARRAYS` as its ``math``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..engine import MATH, OPS, Rule
from ..losses import sigmoid_array
from .capture import Instruction, Layout

__all__ = ["ARRAYS", "ArrayMath", "BatchProgram", "BatchRun", "Kernel"]

FloatArray = npt.NDArray[np.float64]


class ArrayMath:
    """The engine's elementary functions (:class:`~micrograd_edu.engine.ScalarMath`) for arrays.

    >>> ArrayMath.sigmoid(np.array([0.0, 1000.0, -1000.0]))
    array([0.5, 1. , 0. ])
    """

    exp = staticmethod(np.exp)
    log = staticmethod(np.log)
    sqrt = staticmethod(np.sqrt)
    tanh = staticmethod(np.tanh)
    abs = staticmethod(np.abs)
    maximum = staticmethod(np.maximum)
    minimum = staticmethod(np.minimum)
    where = staticmethod(np.where)
    sign = staticmethod(np.sign)
    divide = staticmethod(np.divide)
    pow = staticmethod(np.power)  # NaN where a ** k is not a real number, inf for 0 ** −1
    dot = staticmethod(MATH.dot)  # a sum of products; numbers and arrays mix

    sigmoid = staticmethod(sigmoid_array)

    @staticmethod
    def step(a: FloatArray) -> FloatArray:
        """1 where a > 0, 0 where a ≤ 0, NaN where a is NaN."""
        result: FloatArray = np.heaviside(a, 0.0)
        return result


for _name in dir(math):  # NumPy's twin of every other function of `math` (np.sin)
    if not _name.startswith("_") and not hasattr(ArrayMath, _name) and hasattr(np, _name):
        setattr(ArrayMath, _name, staticmethod(getattr(np, _name)))

ARRAYS = ArrayMath()
"""The elementary functions for NumPy arrays, as the batched replay uses them."""


@dataclass
class BatchRun:
    """What one batched forward pass leaves for the backward pass."""

    V: FloatArray
    saved: list[Any]


class Kernel(ABC):
    """Part of the batched program. V holds one row per slot that needs one and one
    column per sample, P the parameters' values; G and param_grads are their gradients."""

    @abstractmethod
    def forward(self, V: FloatArray, P: FloatArray) -> Any:
        """Fill this kernel's rows of V; return what backward needs."""

    @abstractmethod
    def backward(self, G: FloatArray, param_grads: FloatArray, saved: Any) -> None:
        """Add this kernel's share of the chain rule into G and param_grads."""


class Op(Kernel):
    """One instruction, run by its rule on rows of V (any op, any operands)."""

    def __init__(self, ins: Instruction, row: dict[int, int]) -> None:
        self.rule: Rule = OPS[ins.op]
        slots = iter(ins.args)
        template = ins.constants or (None,) * len(ins.args)
        # Each operand: (its row, None), or (None, the constant).
        self.operands = [(row[next(slots)], None) if c is None else (None, c) for c in template]
        self.out = row[ins.out]

    def forward(self, V: FloatArray, P: FloatArray) -> Any:
        numbers = [V[r] if r is not None else c for r, c in self.operands]
        out, local_grads = self.rule(ARRAYS, *numbers)
        V[self.out] = out
        return local_grads

    def backward(self, G: FloatArray, param_grads: FloatArray, saved: Any) -> None:
        g = G[self.out]
        for (r, _), local in zip(self.operands, saved, strict=True):
            if r is not None:
                G[r] += local * g


class Map(Kernel):
    """The same op with one slot operand on a run of consecutive rows (a layer's activations)."""

    def __init__(self, group: list[Instruction], row: dict[int, int]) -> None:
        first = group[0]
        self.rule: Rule = OPS[first.op]
        self.position = first.constants.index(None) if first.constants else 0
        self.constants = list(first.constants) or [None]
        src, dst = row[first.args[0]], row[first.out]
        self.src = slice(src, src + len(group))
        self.dst = slice(dst, dst + len(group))

    def forward(self, V: FloatArray, P: FloatArray) -> Any:
        operands: list[Any] = list(self.constants)
        operands[self.position] = V[self.src]
        out, local_grads = self.rule(ARRAYS, *operands)
        V[self.dst] = out
        return local_grads[self.position]

    def backward(self, G: FloatArray, param_grads: FloatArray, saved: Any) -> None:
        G[self.src] += saved * G[self.dst]


class Linear(Kernel):
    """Weighted sums of the same inputs with parameter weights: one ``W @ X + b``.

    For neuron j: out_j = Σᵢ W[j, i] · x_i + b_j. Backward, with g = dL/d out:
    dL/dW = g Xᵀ (summed over the samples by the product), dL/db = Σ_samples g,
    dL/dX = Wᵀ g.
    """

    def __init__(self, group: list[Instruction], row: dict[int, int], layout: Layout) -> None:
        first = group[0]
        n = _dot_width(first)
        self.inputs = np.array([row[a] for a in first.args[n : 2 * n]])
        self.weights = np.array([ins.args[:n] for ins in group]) - layout.first_parameter
        has_bias = not first.constants
        self.bias = (
            np.array([ins.args[-1] for ins in group]) - layout.first_parameter if has_bias else None
        )
        self.bias_numbers = np.array([0.0 if has_bias else ins.constants[-1] for ins in group])
        dst = row[first.out]
        self.dst = slice(dst, dst + len(group))
        self.unique_inputs = len(set(self.inputs.tolist())) == len(self.inputs)
        self.unique_weights = len(set(self.weights.ravel().tolist())) == self.weights.size

    def forward(self, V: FloatArray, P: FloatArray) -> Any:
        X = V[self.inputs]
        W = P[self.weights]
        out = W @ X + self.bias_numbers[:, None]
        if self.bias is not None:
            out += P[self.bias][:, None]
        V[self.dst] = out
        return W, X

    def backward(self, G: FloatArray, param_grads: FloatArray, saved: Any) -> None:
        W, X = saved
        g = G[self.dst]
        if self.unique_weights:
            param_grads[self.weights] += g @ X.T
        else:
            np.add.at(param_grads, self.weights, g @ X.T)
        if self.bias is not None:
            np.add.at(param_grads, self.bias, g.sum(axis=1))
        if self.unique_inputs:
            G[self.inputs] += W.T @ g
        else:
            np.add.at(G, self.inputs, W.T @ g)


def _dot_width(ins: Instruction) -> int:
    """n, the number of weights of a dot whose operands are (w₁…wₙ, x₁…xₙ, b)."""
    return len(ins.constants or ins.args) // 2


def _is_linear(ins: Instruction, layout: Layout) -> bool:
    """A dot whose weights (and bias, if a slot) are parameters and whose inputs are slots."""
    if ins.op != "dot":
        return False
    bias_is_number = ins.constants and all(c is None for c in ins.constants[:-1])
    if ins.constants and not bias_is_number:
        return False
    n = _dot_width(ins)
    params = ins.args[:n] + (ins.args[2 * n :] if not ins.constants else ())
    return n > 0 and all(map(layout.is_parameter, params))


def _same_inputs(ins: Instruction, first: Instruction) -> bool:
    n = _dot_width(first)
    return (
        len(ins.args) == len(first.args)
        and ins.args[n : 2 * n] == first.args[n : 2 * n]
        and bool(ins.constants) == bool(first.constants)
    )


def _mappable(ins: Instruction, first: Instruction, offset: int) -> bool:
    """Whether ``ins`` continues a run of ``first``'s op on the next rows."""
    return (
        ins.op == first.op
        and ins.constants == first.constants
        and ins.args == (first.args[0] + offset,)
        and first.args[0] + offset < first.out  # operands computed before the run
    )


def groups(instructions: list[Instruction], layout: Layout) -> list[tuple[bool, list[Instruction]]]:
    """Runs of instructions that one kernel can do: (is it a linear layer, the run)."""
    found: list[tuple[bool, list[Instruction]]] = []
    i = 0
    while i < len(instructions):
        ins, j = instructions[i], i + 1
        if _is_linear(ins, layout):
            while (
                j < len(instructions)
                and _is_linear(instructions[j], layout)
                and _same_inputs(instructions[j], ins)
            ):
                j += 1
            found.append((True, instructions[i:j]))
        else:
            if len(ins.args) == 1 and ins.op not in ("dot", "sum"):
                while j < len(instructions) and _mappable(instructions[j], ins, j - i):
                    j += 1
            found.append((False, instructions[i:j]))
        i = j
    return found


class BatchProgram:
    """The tape as kernels over the rows of a (rows, samples) array.

    Rows, in one index space with the tape's slots (``row[slot]``): the
    inputs, then the parameters that an operation reads as a row (most are
    read only as the weights of a :class:`Linear`, from the vector of
    parameters), then every operation's output.
    """

    def __init__(
        self, instructions: list[Instruction], layout: Layout, outputs: tuple[int, ...]
    ) -> None:
        found = groups(instructions, layout)
        read = set(outputs)
        for linear, group in found:
            if linear:
                n = _dot_width(group[0])
                read.update(group[0].args[n : 2 * n])
            else:
                read.update(arg for ins in group for arg in ins.args)
        self.param_slots = sorted(s for s in read if layout.is_parameter(s))
        slots = [
            *range(layout.n_inputs),
            *self.param_slots,
            *range(layout.first_op, layout.n_slots),
        ]
        self.row = {slot: r for r, slot in enumerate(slots)}
        self.layout = layout
        self.kernels: list[Kernel] = [
            Linear(group, self.row, layout)
            if linear
            else (Map(group, self.row) if len(group) > 1 else Op(group[0], self.row))
            for linear, group in found
        ]
        self.output_rows = [self.row[s] for s in outputs]
        self.param_rows = [self.row[s] for s in self.param_slots]
        self.param_index = np.array(self.param_slots, dtype=int) - layout.first_parameter

    def forward(self, X: FloatArray, P: FloatArray) -> BatchRun:
        """Run on the samples ``X`` (shape (n, inputs)) with the parameters ``P``."""
        V = np.empty((len(self.row), len(X)))
        V[: self.layout.n_inputs] = X.T
        V[self.param_rows] = P[self.param_index, None]
        with np.errstate(all="ignore"):
            saved = [kernel.forward(V, P) for kernel in self.kernels]
        return BatchRun(V, saved)

    def backward(self, run: BatchRun, seeds: FloatArray) -> tuple[FloatArray, FloatArray]:
        """(the gradient in every row, in every parameter) given the outputs' ``seeds``."""
        G = np.zeros_like(run.V)
        # A node can be an output more than once (``[y, y]``): its seeds add, so they
        # are scattered with np.add.at (an assignment would keep only the last one).
        np.add.at(G, self.output_rows, seeds.T)
        param_grads = np.zeros(self.layout.n_parameters)
        with np.errstate(all="ignore"):
            for kernel, saved in zip(reversed(self.kernels), reversed(run.saved), strict=True):
                kernel.backward(G, param_grads, saved)
        np.add.at(param_grads, self.param_index, G[self.param_rows].sum(axis=1))
        return G, param_grads
