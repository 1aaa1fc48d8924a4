"""The :class:`Tape`: a recorded graph, replayed on one sample or on a batch."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .._support import validation
from ..engine import Value
from .batch import BatchProgram, BatchRun
from .capture import Instruction, Layout
from .listing import count, expression, slot_range
from .scalar import ScalarProgram, ScalarRun

__all__ = ["Tape"]

FloatArray = npt.NDArray[np.float64]


class Tape:
    """A recorded graph that replays on new inputs without creating Values.

    Made by :func:`~micrograd_edu.tape.capture`. ``forward``/``backward``
    replay it on one sample with floats, ``forward_batch``/``backward`` on
    many samples with NumPy. See :mod:`micrograd_edu.tape` for what a tape
    can record.

    >>> from micrograd_edu.tape import capture
    >>> w = Value(2.0, label="w")
    >>> tape = capture(lambda x: (x[0] * w).tanh(), [0.0])
    >>> tape
    Tape(inputs=1, parameters=1, ops=2, outputs=1)
    """

    def __init__(
        self,
        n_inputs: int,
        parameters: list[Value],
        instructions: list[Instruction],
        outputs: tuple[int, ...],
        single_output: bool,
        labels: dict[int, str],
    ) -> None:
        self.n_inputs = n_inputs
        self.parameters = parameters
        self.instructions = instructions
        self.outputs = outputs
        self.single_output = single_output
        self.labels = labels
        self.layout = Layout(n_inputs, len(parameters), len(instructions))
        self.n_slots = self.layout.n_slots
        self._scalar = ScalarProgram(instructions, self.layout)
        self._batch = BatchProgram(instructions, self.layout, outputs)
        self._last: ScalarRun | BatchRun | None = None
        self.input_grads: list[float] | FloatArray | None = None
        """The gradient of the outputs in each input, after :meth:`backward`: a list
        for one sample, an array of shape (n, n_inputs) for a batch."""

    def forward(self, inputs: Any) -> float | list[float]:
        """Replay the graph on one sample: ``n_inputs`` numbers.

        Returns the output (a float, or a list of floats if ``fn`` returned a
        list). Parameters are read from their ``.data`` now. An operation
        outside its domain (log of a negative number) raises the engine's
        error, naming the operation.

        >>> from micrograd_edu.tape import capture
        >>> capture(lambda x: x[0] * x[0], [1.0]).forward([3.0])
        9.0
        """
        x = self._check_sample(inputs)
        run = self._scalar.forward(
            [*x, *[p.data for p in self.parameters]],
            lambda i: self._line(self.instructions[i]),
        )
        self._last = run
        outs = [self._scalar.value(run, i) for i in self.outputs]
        return outs[0] if self.single_output else outs

    def forward_batch(self, X: npt.ArrayLike) -> FloatArray:
        """Replay the graph on every row of ``X`` (shape (n, n_inputs)) at once.

        Returns the outputs, shape (n, number of outputs). Every slot holds a
        vector over the samples; a layer of neurons is one matrix product.
        Invalid operations (log of a negative number, division by zero) give
        NaN or infinity as in NumPy, without an exception.

        >>> from micrograd_edu.tape import capture
        >>> capture(lambda x: x[0] + x[1], [0.0, 0.0]).forward_batch([[1, 2], [3, 4]])
        array([[3.],
               [7.]])
        """
        A = validation.real_array("forward_batch: X", X)
        if A.ndim != 2 or A.shape[1] != self.n_inputs or len(A) == 0:
            hint = " (one sample? use forward(), or X.reshape(1, -1))" if A.ndim == 1 else ""
            raise ValueError(
                f"forward_batch: X must have shape (n, {self.n_inputs}) with n >= 1, "
                f"got shape {A.shape}{hint}"
            )
        P = np.array([p.data for p in self.parameters], dtype=np.float64)
        run = self._batch.forward(A, P)
        self._last = run
        outputs: FloatArray = run.V[self._batch.output_rows].T.copy()
        return outputs

    def backward(self, seed: Any = None) -> None:
        """Backpropagate through the last replay; add the gradients into the parameters.

        ``seed`` is d(loss)/d(output): by default 1 for every output (and every
        sample). After ``forward``: a number, or one per output. After
        ``forward_batch``: an array of shape (n,) for one output or (n, outputs);
        the parameters then receive the gradient summed over the samples.
        Like ``Value.backward``, gradients *accumulate* in ``.grad``.

        >>> from micrograd_edu.tape import capture
        >>> w = Value(2.0)
        >>> tape = capture(lambda x: x[0] * w, [0.0])
        >>> _ = tape.forward([3.0]); tape.backward(); w.grad, tape.input_grads
        (3.0, [2.0])
        """
        if isinstance(self._last, ScalarRun):
            seeds: dict[int, float] = {}
            for out, s in zip(self.outputs, self._scalar_seeds(seed), strict=True):
                seeds[out] = seeds.get(out, 0.0) + s
            grads = self._scalar.backward(self._last, seeds)
            first, stop = self.layout.first_parameter, self.layout.first_op
            for p, g in zip(self.parameters, grads[first:stop], strict=True):
                p.grad += g
            self.input_grads = grads[: self.n_inputs]
        elif isinstance(self._last, BatchRun):
            seeds_array = self._batch_seeds(seed, self._last.V.shape[1])
            G, param_grads = self._batch.backward(self._last, seeds_array)
            for p, g in zip(self.parameters, param_grads.tolist(), strict=True):
                p.grad += g
            self.input_grads = G[: self.n_inputs].T.copy()
        else:
            raise RuntimeError("tape: call forward() or forward_batch() before backward()")

    # ------------------------------------------------------------------ checks
    def _check_sample(self, inputs: Any) -> list[float]:
        if isinstance(inputs, np.ndarray) and inputs.ndim == 2:
            raise ValueError(
                f"forward: expected one sample of {self.n_inputs} numbers, got an array of "
                f"shape {inputs.shape} (use forward_batch() for many samples)"
            )
        x = validation.real_array("forward: inputs", inputs)
        if x.ndim != 1 or len(x) != self.n_inputs:
            raise ValueError(
                f"forward: this tape has {self.n_inputs} inputs, got "
                f"{len(x) if x.ndim == 1 else f'an array of shape {x.shape}'}"
            )
        values: list[float] = x.tolist()
        return values

    def _scalar_seeds(self, seed: Any) -> list[float]:
        count = len(self.outputs)
        if seed is None:
            return [1.0] * count
        seeds = validation.real_array("backward: seed", seed).reshape(-1)
        if len(seeds) != count:
            raise ValueError(
                f"backward: expected {count} seed(s), one per output, got {len(seeds)}"
            )
        values: list[float] = seeds.tolist()
        return values

    def _batch_seeds(self, seed: Any, n: int) -> FloatArray:
        count = len(self.outputs)
        if seed is None:
            return np.ones((n, count))
        seeds = validation.real_array("backward: seed", seed)
        if seeds.shape == (n,) and count == 1:
            return seeds.reshape(n, 1)
        if seeds.shape != (n, count):
            raise ValueError(
                f"backward: after forward_batch on {n} samples the seed must have shape "
                f"({n}, {count}){f' or ({n},)' if count == 1 else ''}, got {seeds.shape}"
            )
        return seeds

    # ------------------------------------------------------------------ listing
    def __repr__(self) -> str:
        return (
            f"Tape(inputs={self.n_inputs}, parameters={len(self.parameters)}, "
            f"ops={len(self.instructions)}, outputs={len(self.outputs)})"
        )

    def __str__(self) -> str:
        return self.listing()

    def listing(self, max_ops: int | None = 60) -> str:
        """The tape as a small assembly program, one operation per line.

        ``%7 = dot %1·%0 + %2·%3 + %4`` reads "slot 7 is the weighted sum of
        ...". At most ``max_ops`` operations are shown (None for all).

        >>> from micrograd_edu.tape import capture
        >>> print(capture(lambda x: (x[0] * 2).relu(), [1.0]))
        tape: 1 input, 0 parameters, 2 ops, 1 output
          %0  inputs
          %1 = %0 * 2
          %2 = relu %1
          output %2
        """
        first_op = self.layout.first_op
        lines = [
            f"tape: {count(self.n_inputs, 'input')}, {count(len(self.parameters), 'parameter')}, "
            f"{count(len(self.instructions), 'op')}, {count(len(self.outputs), 'output')}",
            f"  {slot_range(0, self.n_inputs)}  inputs",
        ]
        if self.parameters:
            named = [f"%{s} {name}" for s, name in sorted(self.labels.items()) if s < first_op]
            lines.append(
                f"  {slot_range(self.n_inputs, first_op)}  parameters (read from .data at each "
                "replay)"
                + (f": {', '.join(named[:6])}{' …' if len(named) > 6 else ''}" if named else "")
            )
        shown = self.instructions
        if max_ops is not None and len(shown) > max_ops:
            head, tail = shown[: max_ops - max_ops // 4], shown[-(max_ops // 4) :]
            lines += [f"  {self._line(ins)}" for ins in head]
            lines.append(f"  … {len(shown) - len(head) - len(tail)} more ops …")
            lines += [f"  {self._line(ins)}" for ins in tail]
        else:
            lines += [f"  {self._line(ins)}" for ins in shown]
        lines.append(f"  output {', '.join(f'%{s}' for s in self.outputs)}")
        return "\n".join(lines)

    def _line(self, ins: Instruction) -> str:
        label = f"   # {self.labels[ins.out]}" if ins.out in self.labels else ""
        return f"%{ins.out} = {expression(ins.op, ins.operands())}{label}"
