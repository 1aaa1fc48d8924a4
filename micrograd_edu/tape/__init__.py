"""Capture a graph once, replay it fast: on one sample, or on a whole batch at once.

Building a graph of :class:`~micrograd_edu.engine.Value` objects costs far
more than the arithmetic in it: every node is a Python object, made again for
every sample and every step, although an MLP's graph has the *same shape*
each time. So frameworks *compile* it: record the operations once, then re-run
the recording on new numbers. That recording is a **tape**::

    tape = capture(model, [0.0, 0.0])     # run the model once on Values, record it
    print(tape)                            # the program: %5 = dot %2·%0 + %3·%1 + %4 ...
    tape.forward([0.5, -1.2])              # one sample: floats, no Value is created
    tape.backward()                        # gradients added into every parameter's .grad
    tape.forward_batch(X)                  # a whole batch: one NumPy row per slot
    tape.backward()                        # gradients summed over the samples

The tape holds *slots* (:class:`Layout`): the inputs, then the parameters
(the Values the graph used that are not inputs: their ``.data`` is read at
every replay), then one slot per operation, in an order where every operation
comes after its operands. Each operation is run by the engine's own rule
(:data:`engine.OPS <micrograd_edu.engine.OPS>`): the same function gives its
value and its local derivatives, on floats for one sample and on NumPy arrays
for a batch.

The package, by purpose: :mod:`~micrograd_edu.tape.capture` (recording),
:mod:`~micrograd_edu.tape.scalar` (one-sample replay),
:mod:`~micrograd_edu.tape.batch` (batched replay),
:mod:`~micrograd_edu.tape.listing` (the printed program and the op labels),
:mod:`~micrograd_edu.tape.tape` (the :class:`Tape` that holds them together).

**A tape is only valid for graphs whose structure does not depend on the
data.** An MLP qualifies: ReLU's two cases live in its local derivative, not
in the graph. Code that branches on ``value.data`` (``if z.data > 0: ...``),
or folds a number computed from the data into a constant (the largest logit
that a stable softmax subtracts), records the branch and the constant of the
*example* inputs, and replays them for every other input.
"""

from __future__ import annotations

from ..explain.optable import OP_LABELS
from .batch import ARRAYS, ArrayMath
from .capture import Instruction, Layout, capture
from .tape import Tape

__all__ = ["ARRAYS", "OP_LABELS", "ArrayMath", "Instruction", "Layout", "Tape", "capture"]
