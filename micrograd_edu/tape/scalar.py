"""Scalar replay: a tape run on one sample with Python floats, no Value created.

Every instruction becomes ``(rule, operands)``: the engine's own rule and a
function that picks its operands' numbers out of the list of slot values
(constants are built into it). Backward walks the instructions from the last
one, ``grads[operand] += local · grads[out]``, as :meth:`Value.backward` does.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..engine import DOMAIN, MATH, OPS, Rule, check_domain, gc_paused
from .capture import Instruction, Layout

__all__ = ["ScalarProgram", "ScalarRun"]

Getter = Callable[[list[Any]], Sequence[Any]]


@dataclass
class ScalarRun:
    """What one forward pass leaves for the backward pass."""

    values: list[Any]
    local_grads: list[Sequence[float]]


class ScalarProgram:
    """A tape's instructions, ready to run on one sample.

    >>> from micrograd_edu.tape import capture
    >>> tape = capture(lambda x: x[0] * 3 - x[0], [1.0])
    >>> program = ScalarProgram(tape.instructions, tape.layout)
    >>> run = program.forward([2.0], str)
    >>> run.values[-1], program.backward(run, {tape.outputs[0]: 1.0})[:1]
    (4.0, [2.0])
    """

    def __init__(self, instructions: list[Instruction], layout: Layout) -> None:
        self.layout = layout
        self.steps = [(_rule(ins), _getter(ins)) for ins in instructions]
        trash = layout.n_slots  # the gradients of constant operands go here, unused
        self.grad_slots = [_grad_slots(ins, trash) for ins in instructions]

    def forward(self, first_values: list[float], describe: Callable[[int], str]) -> ScalarRun:
        """Run every instruction after the inputs' and parameters' numbers ``first_values``.

        An operation that fails raises its error again, with ``describe(i)``
        (the i-th instruction's listing line) in front of its message.
        """
        values: list[Any] = first_values
        local_grads: list[Sequence[float]] = []
        append_value, append_grads, math = values.append, local_grads.append, MATH
        try:
            with gc_paused():  # one small tuple per op, no cycles
                for rule, get in self.steps:
                    out, grads = rule(math, *get(values))
                    append_value(out)
                    append_grads(grads)
        except (ArithmeticError, ValueError) as error:
            where = describe(len(local_grads))
            raise type(error)(f"tape: {where} failed on this input: {error}") from None
        return ScalarRun(values, local_grads)

    def backward(self, run: ScalarRun, seeds: dict[int, float]) -> list[float]:
        """The gradient in every slot, given d(loss)/d(slot) for the outputs (``seeds``)."""
        grads = [0.0] * (self.layout.n_slots + 1)
        for out, s in seeds.items():
            grads[out] += s
        # The chain rule, from the last operation back: operand.grad += local · out.grad.
        # Ops of one and two operands (nearly all) are written out: a loop costs more.
        for out, args, local in zip(
            range(self.layout.n_slots - 1, self.layout.first_op - 1, -1),
            reversed(self.grad_slots),
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
        return grads[: self.layout.n_slots]


def _rule(ins: Instruction) -> Rule:
    """The instruction's rule, after its domain check if the op has one."""
    name, rule, constants = ins.op, OPS[ins.op], ins.constants
    if name not in DOMAIN:
        return rule

    def checked(math: Any, *x: Any) -> tuple[Any, tuple[Any, ...]]:
        check_domain(name, x, constants)
        return rule(math, *x)

    return checked


def _getter(ins: Instruction) -> Getter:
    """A fast function that picks every operand's number: slots from the list, constants."""
    args, constants = ins.args, ins.constants
    if not constants:
        if len(args) == 1:
            return operator.itemgetter(slice(args[0], args[0] + 1))  # a list of one operand
        if not args:
            return lambda values: ()
        return operator.itemgetter(*args)
    if constants == (None, constants[1]) and len(args) == 1:
        i, c = args[0], constants[1]
        return lambda values: (values[i], c)
    if constants == (constants[0], None) and len(args) == 1:
        i, c = args[0], constants[0]
        return lambda values: (c, values[i])

    def get(values: list[Any]) -> tuple[Any, ...]:
        slots = iter(args)
        return tuple([values[next(slots)] if c is None else c for c in constants])

    return get


def _grad_slots(ins: Instruction, trash: int) -> tuple[int, ...]:
    """Where each operand's gradient goes: its slot, or ``trash`` for a constant."""
    if not ins.constants:
        return ins.args
    slots = iter(ins.args)
    return tuple(next(slots) if c is None else trash for c in ins.constants)
