"""Scalar replay: a tape run on one sample with Python floats, no Value created.

Every instruction becomes ``(rule, operands)``: the engine's own rule and the
indices of its operands' numbers in one list (the inputs, the parameters, the
constants, then the operations' outputs). Backward walks the instructions from the last
one, ``grads[operand] += local · grads[out]``, as :meth:`Value.backward` does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..engine import DOMAIN, MATH, OPS, Rule, gc_paused
from .capture import Instruction, Layout

__all__ = ["ScalarProgram", "ScalarRun"]


@dataclass
class ScalarRun:
    """What one forward pass leaves for the backward pass."""

    values: list[Any]
    local_grads: list[Sequence[float]]


class ScalarProgram:
    """A tape's instructions, ready to run on one sample.

    Its list of numbers holds the inputs and parameters (the tape's first
    slots), then the constants the operations use, then one number per
    operation, appended as it runs: every operand is an index into that list.

    >>> from micrograd_edu.tape import capture
    >>> tape = capture(lambda x: x[0] * 3 - x[0], [1.0])
    >>> program = ScalarProgram(tape.instructions, tape.layout)
    >>> run = program.forward([2.0], str)
    >>> run.values[-1], program.backward(run, {tape.outputs[0]: 1.0})[:1]
    (4.0, [2.0])
    """

    def __init__(self, instructions: list[Instruction], layout: Layout) -> None:
        self.layout = layout
        self.constants: list[float] = []
        where: dict[str, int] = {}  # a constant's index, by its repr (keeps -0.0 and NaN)
        for c in (c for ins in instructions for c in ins.constants if c is not None):
            if repr(c) not in where:
                where[repr(c)] = layout.first_op + len(self.constants)
                self.constants.append(c)
        self.n_constants = shift = len(self.constants)
        self.steps: list[tuple[Rule, tuple[int, ...]]] = []
        for ins in instructions:
            slots = iter(ins.args)
            operands = []
            for constant in ins.constants or (None,) * len(ins.args):
                if constant is not None:
                    operands.append(where[repr(constant)])
                    continue
                slot = next(slots)
                operands.append(slot + shift if slot >= layout.first_op else slot)
            self.steps.append((_rule(ins), tuple(operands)))

    def forward(self, first_values: list[float], describe: Callable[[int], str]) -> ScalarRun:
        """Run every instruction after the inputs' and parameters' numbers ``first_values``.

        An operation that fails raises its error again, with ``describe(i)``
        (the i-th instruction's listing line) in front of its message.
        """
        values: list[Any] = first_values + self.constants
        local_grads: list[Sequence[float]] = []
        append_value, append_grads, math = values.append, local_grads.append, MATH
        try:
            with gc_paused():  # one small tuple per op, no cycles
                for rule, args in self.steps:
                    if len(args) == 2:
                        out, grads = rule(math, values[args[0]], values[args[1]])
                    elif len(args) == 1:
                        out, grads = rule(math, values[args[0]])
                    else:
                        out, grads = rule(math, *[values[i] for i in args])
                    append_value(out)
                    append_grads(grads)
        except (ArithmeticError, ValueError) as error:
            where = describe(len(local_grads))
            raise type(error)(f"tape: {where} failed on this input: {error}") from None
        return ScalarRun(values, local_grads)

    def value(self, run: ScalarRun, slot: int) -> Any:
        """The number in the tape's ``slot`` after the run."""
        return run.values[slot + self.n_constants if slot >= self.layout.first_op else slot]

    def backward(self, run: ScalarRun, seeds: dict[int, float]) -> list[float]:
        """The gradient in every slot, given d(loss)/d(slot) for the outputs (``seeds``)."""
        shift, first_op = self.n_constants, self.layout.first_op
        grads = [0.0] * (self.layout.n_slots + shift)
        for out, s in seeds.items():
            grads[out + shift if out >= first_op else out] += s
        # The chain rule, from the last operation back: operand.grad += local · out.grad.
        # Ops of one and two operands (nearly all) are written out: a loop costs more.
        for out, (_, args), local in zip(
            range(len(grads) - 1, first_op + shift - 1, -1),
            reversed(self.steps),
            reversed(run.local_grads),
            strict=True,
        ):
            g = grads[out]
            if len(args) == 2:
                a, b = args
                grads[a] += local[0] * g
                grads[b] += local[1] * g
            elif len(args) == 1:
                grads[args[0]] += local[0] * g
            else:
                for arg, slope in zip(args, local, strict=False):  # equal lengths, by the rules
                    grads[arg] += slope * g
        return grads[:first_op] + grads[first_op + shift :]


def _rule(ins: Instruction) -> Rule:
    """The instruction's rule, after its domain check if the op has one."""
    rule, check, constants = OPS[ins.op], DOMAIN.get(ins.op), ins.constants
    if check is None:
        return rule

    if len(constants or ins.args) == 2:  # / and ** (no star-arguments: a replay's hot loop)

        def checked2(math: Any, a: Any, b: Any) -> tuple[Any, tuple[Any, ...]]:
            check((a, b), constants)
            return rule(math, a, b)

        return checked2

    def checked(math: Any, *x: Any) -> tuple[Any, tuple[Any, ...]]:
        check(x, constants)
        return rule(math, *x)

    return checked
