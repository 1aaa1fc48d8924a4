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

The tape holds *slots*: the inputs, then the parameters (the Values the graph
used that are not inputs: their ``.data`` is read at every replay), then one
slot per operation, in an order where every operation comes after its
operands. Each operation is run by the engine's own rule (:data:`engine.OPS
<micrograd_edu.engine.OPS>`): the same function gives its value and its local
derivatives, on floats for one sample and on NumPy arrays for a batch.

On a batch, every slot holds one number per sample; a neuron's weighted sum
becomes a matrix-vector product, and a layer's neurons (weighted sums of the
same inputs) one matrix product ``W @ X``: that is what a tensor library does.

**A tape is only valid for graphs whose structure does not depend on the
data.** An MLP qualifies: ReLU's two cases live in its local derivative, not
in the graph. Code that branches on ``value.data`` (``if z.data > 0: ...``),
or folds a number computed from the data into a constant (the largest logit
that a stable softmax subtracts), records the branch and the constant of the
*example* inputs, and replays them for every other input.
"""

from __future__ import annotations

import operator
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from . import validation
from .engine import MATH, OPS, Rule, Value, dot_layout, gc_paused, op_code

__all__ = ["ARRAYS", "ArrayMath", "Instruction", "Tape", "capture"]

FloatArray = npt.NDArray[np.float64]


class ArrayMath:
    """The engine's elementary functions (:class:`~micrograd_edu.engine.ScalarMath`) for arrays."""

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
    pow = staticmethod(np.power)  # NaN, not an error, where a ** k is not a real number
    power = staticmethod(np.power)
    dot = staticmethod(MATH.dot)  # a sum of products; numbers and arrays mix

    @staticmethod
    def sigmoid(a: FloatArray) -> FloatArray:
        """1 / (1 + e^−a) for a ≥ 0 and e^a / (1 + e^a) for a < 0, elementwise."""
        e = np.exp(-np.abs(a))
        result: FloatArray = np.where(a >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))
        return result

    @staticmethod
    def step(a: FloatArray) -> FloatArray:
        """1 where a > 0, 0 where a ≤ 0, NaN where a is NaN."""
        result: FloatArray = np.heaviside(a, 0.0)
        return result


ARRAYS = ArrayMath()
"""The elementary functions for NumPy arrays, as the batched replay uses them."""


@dataclass(frozen=True)
class Instruction:
    """One operation of a tape: ``slot[out] = op(slot[args...]; constants)``."""

    op: str
    """The key of its rule in :data:`engine.OPS <micrograd_edu.engine.OPS>`."""
    args: tuple[int, ...]
    """The slots of its operands, in the order of the node's children."""
    constants: tuple[float, ...]
    """The plain numbers it uses (the 3 of ``a + 3``)."""
    out: int
    """The slot it writes."""


def capture(fn: Callable[[list[Value]], Any], example_inputs: Any) -> Tape:
    """Run ``fn`` once on Values and record the graph it builds into a :class:`Tape`.

    Every Value the graph uses that is not an input is a **parameter**: the
    tape reads its ``.data`` at each replay and adds its gradient into its
    ``.grad``. If ``fn`` has a ``parameters()`` method (a Module), its
    parameters come first, in that order.

    Parameters
    ----------
    fn:
        Called with a list of input Values (one per example input), it must
        return a Value or a list of Values: a model such as an
        :class:`~micrograd_edu.nn.MLP`, or any function of its inputs.
    example_inputs:
        The numbers to run ``fn`` on (a list or a 1-D array; Values count
        as their ``.data``). Their count is the tape's number of inputs.

    Raises
    ------
    TypeError
        If ``fn`` returns anything else than Values.
    ValueError
        If the output does not depend on the inputs or uses an op that is not
        in the engine's op table.
    """
    numbers = validation.real_array("capture: example_inputs", _unwrap_values(example_inputs))
    if numbers.ndim != 1 or len(numbers) == 0:
        raise ValueError(
            "capture: example_inputs must be a non-empty list of numbers (one sample), "
            f"got an array of shape {numbers.shape}"
        )
    inputs = [Value(x, label=f"x{i}") for i, x in enumerate(numbers.tolist())]
    with gc_paused():
        result = fn(inputs)
    single = isinstance(result, Value)
    outputs = [result] if single else result
    if not isinstance(outputs, (list, tuple)) or not outputs:
        raise TypeError(
            "capture: fn must return a Value or a non-empty list of Values, "
            f"got {type(result).__name__}"
        )
    for i, out in enumerate(outputs):
        if not isinstance(out, Value):
            raise TypeError(
                f"capture: fn must return Values, but output {i} is {type(out).__name__}: "
                f"{out!r} (a plain number cannot be differentiated)"
            )
    model_parameters = getattr(fn, "parameters", None)
    known = model_parameters() if callable(model_parameters) else []
    return _record(inputs, list(outputs), single, [p for p in known if isinstance(p, Value)])


def _unwrap_values(example_inputs: Any) -> Any:
    """A list of numbers for a list (or 1-D object array) that holds Values; else as given."""
    if isinstance(example_inputs, np.ndarray) and example_inputs.dtype != object:
        return example_inputs
    if isinstance(example_inputs, (list, tuple, np.ndarray)) and any(
        isinstance(x, Value) for x in example_inputs
    ):
        return [x.data if isinstance(x, Value) else x for x in example_inputs]
    return example_inputs


def _record(
    inputs: list[Value], outputs: list[Value], single: bool, known_parameters: list[Value]
) -> Tape:
    """Turn the graph of ``outputs`` into slots and instructions."""
    order: list[Value] = []
    seen: set[Value] = set()
    for out in outputs:  # every output's topological order, each node once
        for node in out.topological_order():
            if node not in seen:
                seen.add(node)
                order.append(node)
    input_set = set(inputs)
    if not input_set & seen:
        raise ValueError(
            "capture: the output does not depend on the inputs; fn must compute with "
            "the Values it is given"
        )
    # Parameters: the model's own in its order (if fn is a Module), then any other leaf.
    leaves = [node for node in order if not node.op and node not in input_set]
    used = set(leaves)
    params = list(dict.fromkeys([p for p in known_parameters if p in used] + leaves))
    slot: dict[Value, int] = {node: i for i, node in enumerate([*inputs, *params])}
    # Schedule by level (1 + the highest level among the operands, leaves at 0):
    # a valid order that puts a layer's neurons next to each other.
    level: dict[Value, int] = dict.fromkeys([*inputs, *params], 0)
    computed = []
    for node in order:
        if node.op:
            code = op_code(node)
            if code not in OPS or len(node.local_grads) != len(node.children):
                raise ValueError(
                    f"capture: cannot record a node with op {node.op!r}: it is not an op of "
                    "the engine's op table (micrograd_edu.engine.OPS)"
                )
            level[node] = 1 + max((level[child] for child in node.children), default=0)
            computed.append(node)
    computed.sort(key=level.__getitem__)  # stable: keeps the DFS order within a level
    instructions = []
    for node in computed:
        index = len(slot)
        slot[node] = index
        args = tuple(slot[c] for c in node.children)
        instructions.append(Instruction(op_code(node), args, node.constants, index))
    return Tape(
        n_inputs=len(inputs),
        parameters=params,
        instructions=instructions,
        outputs=tuple(slot[out] for out in outputs),
        single_output=single,
        labels={slot[node]: node.label for node in [*params, *computed] if node.label},
    )


class Tape:
    """A recorded graph that replays on new inputs without creating Values.

    Made by :func:`capture`. ``forward``/``backward`` replay it on one
    sample with floats, ``forward_batch``/``backward`` on many samples with
    NumPy. See the module's documentation for what a tape can record.
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
        self.n_slots = n_inputs + len(parameters) + len(instructions)
        # The scalar program: (rule, operand getter, constants) per instruction.
        self._program = [(OPS[ins.op], _getter(ins.args), ins.constants) for ins in instructions]
        self._args = [ins.args for ins in instructions]
        self._batch = _compile_batch(self)
        self._last: _ScalarRun | _BatchRun | None = None
        self.input_grads: list[float] | FloatArray | None = None
        """The gradient of the outputs in each input, after :meth:`backward`: a list
        for one sample, an array of shape (n, n_inputs) for a batch."""

    # ------------------------------------------------------------------ one sample
    def forward(self, inputs: Any) -> float | list[float]:
        """Replay the graph on one sample: ``n_inputs`` numbers.

        Returns the output (a float, or a list of floats if ``fn`` returned a
        list). Parameters are read from their ``.data`` now.
        """
        x = self._check_sample(inputs)
        values: list[Any] = [*x, *[p.data for p in self.parameters]]
        local_grads: list[Sequence[float]] = []
        append_value, append_grads, xp = values.append, local_grads.append, MATH
        try:
            with gc_paused():  # one small tuple per op, no cycles: see engine.gc_paused
                for rule, get, constants in self._program:
                    out, grads = rule(xp, get(values), constants)
                    append_value(out)
                    append_grads(grads)
        except (ArithmeticError, ValueError) as error:
            ins = self.instructions[len(local_grads)]
            raise type(error)(f"tape: {self._line(ins)} failed on this input: {error}") from None
        self._last = _ScalarRun(values, local_grads)
        outs = [values[i] for i in self.outputs]
        return outs[0] if self.single_output else outs

    # ------------------------------------------------------------------ a batch
    def forward_batch(self, X: npt.ArrayLike) -> FloatArray:
        """Replay the graph on every row of ``X`` (shape (n, n_inputs)) at once.

        Returns the outputs, shape (n, number of outputs). Every slot holds a
        vector over the samples; a layer of neurons is one matrix product.
        Invalid operations (log of a negative number, division by zero) give
        NaN or infinity as in NumPy, without an exception.
        """
        A = validation.real_array("forward_batch: X", X)
        if A.ndim != 2 or A.shape[1] != self.n_inputs or len(A) == 0:
            hint = " (one sample? use forward(), or X.reshape(1, -1))" if A.ndim == 1 else ""
            raise ValueError(
                f"forward_batch: X must have shape (n, {self.n_inputs}) with n >= 1, "
                f"got shape {A.shape}{hint}"
            )
        program = self._batch
        V = np.empty((program.rows, len(A)))
        V[: self.n_inputs] = A.T
        P = np.array([p.data for p in self.parameters], dtype=np.float64)
        V[program.param_rows] = P[program.params_with_rows, None]  # distinct rows: a set
        with np.errstate(all="ignore"):
            saved = [kernel.forward(V, P) for kernel in program.kernels]
        self._last = _BatchRun(V, saved)
        outputs: FloatArray = V[program.output_rows].T.copy()
        return outputs

    # ------------------------------------------------------------------ backward
    def backward(self, seed: Any = None) -> None:
        """Backpropagate through the last replay; add the gradients into the parameters.

        ``seed`` is d(loss)/d(output): by default 1 for every output (and every
        sample). After ``forward``: a number, or one per output. After
        ``forward_batch``: an array of shape (n,) for one output or (n, outputs);
        the parameters then receive the gradient summed over the samples.
        Like ``Value.backward``, gradients *accumulate* in ``.grad``.
        """
        if isinstance(self._last, _ScalarRun):
            self._backward_scalar(self._last, seed)
        elif isinstance(self._last, _BatchRun):
            self._backward_batch(self._last, seed)
        else:
            raise RuntimeError("tape: call forward() or forward_batch() before backward()")

    def _backward_scalar(self, run: _ScalarRun, seed: Any) -> None:
        seeds = self._scalar_seeds(seed)
        grads = [0.0] * self.n_slots
        for out, s in zip(self.outputs, seeds, strict=True):
            grads[out] += s
        first = self.n_inputs + len(self.parameters)
        # The chain rule, from the last operation back: operand.grad += local · out.grad.
        # Ops of one and two operands (nearly all) are written out: a loop costs more.
        for out, args, local in zip(
            range(self.n_slots - 1, first - 1, -1),
            reversed(self._args),
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
        for p, g in zip(self.parameters, grads[self.n_inputs : first], strict=True):
            p.grad += g
        self.input_grads = grads[: self.n_inputs]

    def _backward_batch(self, run: _BatchRun, seed: Any) -> None:
        program = self._batch
        G = np.zeros_like(run.V)
        # A node can be an output more than once (``[y, y]``): its seeds add, so the
        # seeds are scattered with np.add.at (an assignment through repeated indices
        # would keep only the last one).
        np.add.at(G, program.output_rows, self._batch_seeds(seed, run.V.shape[1]).T)
        param_grads = np.zeros(len(self.parameters))
        with np.errstate(all="ignore"):
            for kernel, saved in zip(reversed(program.kernels), reversed(run.saved), strict=True):
                kernel.backward(G, param_grads, saved)
        np.add.at(param_grads, program.params_with_rows, G[program.param_rows].sum(axis=1))
        for p, g in zip(self.parameters, param_grads.tolist(), strict=True):
            p.grad += g
        self.input_grads = G[: self.n_inputs].T.copy()

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
        """
        first_op = self.n_inputs + len(self.parameters)
        lines = [
            f"tape: {_count(self.n_inputs, 'input')}, {_count(len(self.parameters), 'parameter')}, "
            f"{_count(len(self.instructions), 'op')}, {_count(len(self.outputs), 'output')}",
            f"  {_range(0, self.n_inputs)}  inputs",
        ]
        if self.parameters:
            named = [f"%{s} {name}" for s, name in sorted(self.labels.items()) if s < first_op]
            lines.append(
                f"  {_range(self.n_inputs, first_op)}  parameters (read from .data at each replay)"
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
        return f"%{ins.out} = {_expression(ins)}{label}"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _range(start: int, stop: int) -> str:
    if stop - start == 1:
        return f"%{start}"
    return f"%{start} … %{stop - 1}" if stop > start else "(none)"


def _number(x: float) -> str:
    return f"{x:.4g}"


_SYMBOLS = {"+": "+", "-": "-", "*": "*", "/": "/"}


def _expression(ins: Instruction) -> str:
    """The right-hand side of an instruction's line, e.g. ``%3 * 2`` or ``relu %5``."""
    a = [f"%{s}" for s in ins.args]
    c = ins.constants
    if ins.op in _SYMBOLS:
        other = a[1] if len(a) == 2 else _number(c[0])
        return f"{a[0]} {_SYMBOLS[ins.op]} {other}"
    if ins.op == "rsub":
        return f"{_number(c[0])} - {a[0]}"
    if ins.op == "rdiv":
        return f"{_number(c[0])} / {a[0]}"
    if ins.op == "neg":
        return f"-{a[0]}"
    if ins.op == "**":
        return f"{a[0]} ** {_number(c[0])}"
    if ins.op == "pow":
        return f"{_number(c[0])} ** {a[0]}" if c else f"{a[0]} ** {a[1]}"
    if ins.op == "leaky_relu":
        return f"leaky_relu {a[0]} (slope {_number(c[0])})"
    if ins.op == "sum":
        terms = a + ([_number(c[0])] if c else [])
        return "sum " + _shorten(terms, ", ")
    if ins.op == "dot":
        return "dot " + _dot_terms(a, c)
    return f"{ins.op} {', '.join(a)}"


def _dot_terms(a: list[str], c: tuple[float, ...]) -> str:
    k, m, has_bias = dot_layout(len(a), len(c))
    terms = [f"{a[i]}·{a[k + i]}" for i in range(k)]
    terms += [f"{a[2 * k + i]}·{_number(c[1 + i])}" for i in range(m)]
    if has_bias:
        terms.append(a[-1])
    if c[0] or not has_bias:
        terms.append(_number(c[0]))
    return _shorten(terms, " + ")


def _shorten(terms: list[str], sep: str) -> str:
    if len(terms) <= 5:
        return sep.join(terms)
    return f"{sep.join(terms[:3])}{sep}…{sep}{terms[-1]}  ({len(terms)} terms)"


def _getter(args: tuple[int, ...]) -> Callable[[list[Any]], Sequence[Any]]:
    """A fast function that picks the operands ``args`` out of the slot list."""
    if len(args) == 1:
        return operator.itemgetter(slice(args[0], args[0] + 1))  # a list of one operand
    if not args:
        return lambda values: ()
    return operator.itemgetter(*args)


@dataclass
class _ScalarRun:
    values: list[Any]
    local_grads: list[Sequence[float]]


@dataclass
class _BatchRun:
    V: FloatArray
    saved: list[Any]


# ----------------------------------------------------------------------
# The batched program: instructions grouped into kernels that work on whole
# blocks of slots (rows of V, one column per sample).
# ----------------------------------------------------------------------
class _Kernel(ABC):
    """Part of the batched program. V holds one row per slot that needs one and one
    column per sample, P the parameters' values; G and param_grads are their gradients."""

    @abstractmethod
    def forward(self, V: FloatArray, P: FloatArray) -> Any:
        """Fill this kernel's rows of V; return what backward needs."""

    @abstractmethod
    def backward(self, G: FloatArray, param_grads: FloatArray, saved: Any) -> None:
        """Add this kernel's share of the chain rule into G and param_grads."""


class _Op(_Kernel):
    """One instruction, run by its rule on rows of V (any op, any operands)."""

    def __init__(self, ins: Instruction, row: dict[int, int]) -> None:
        self.rule: Rule = OPS[ins.op]
        self.args = tuple(row[a] for a in ins.args)
        self.constants, self.out = ins.constants, row[ins.out]

    def forward(self, V: FloatArray, P: FloatArray) -> Any:
        out, local_grads = self.rule(ARRAYS, tuple(V[a] for a in self.args), self.constants)
        V[self.out] = out
        return local_grads

    def backward(self, G: FloatArray, param_grads: FloatArray, saved: Any) -> None:
        g = G[self.out]
        for arg, local in zip(self.args, saved, strict=True):
            G[arg] += local * g


class _Map(_Kernel):
    """The same one-operand op on a run of consecutive rows (a layer's activations)."""

    def __init__(self, group: list[Instruction], row: dict[int, int]) -> None:
        self.rule: Rule = OPS[group[0].op]
        self.constants = group[0].constants
        src, dst = row[group[0].args[0]], row[group[0].out]
        self.src = slice(src, src + len(group))
        self.dst = slice(dst, dst + len(group))

    def forward(self, V: FloatArray, P: FloatArray) -> Any:
        out, (local,) = self.rule(ARRAYS, (V[self.src],), self.constants)
        V[self.dst] = out
        return local

    def backward(self, G: FloatArray, param_grads: FloatArray, saved: Any) -> None:
        G[self.src] += saved * G[self.dst]


class _Linear(_Kernel):
    """Weighted sums of the same inputs with parameter weights: one ``W @ X + b``.

    For neuron j: out_j = Σᵢ W[j, i] · x_i + b_j. Backward, with g = dL/d out:
    dL/dW = g Xᵀ (summed over the samples by the product), dL/db = Σ_samples g,
    dL/dX = Wᵀ g.
    """

    def __init__(self, group: list[Instruction], row: dict[int, int], first_param: int) -> None:
        k, _, has_bias = dot_layout(len(group[0].args), len(group[0].constants))
        self.inputs = np.array([row[a] for a in group[0].args[k : 2 * k]])
        self.weights = np.array([ins.args[:k] for ins in group]) - first_param
        self.bias = np.array([ins.args[-1] for ins in group]) - first_param if has_bias else None
        self.bias_numbers = np.array([ins.constants[0] for ins in group])
        dst = row[group[0].out]
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


@dataclass
class _BatchProgram:
    """The tape as kernels over the rows of a (rows, samples) array.

    Rows: the inputs, then the parameters that an operation reads as a row
    (most are read only as the weights of a :class:`_Linear`, from the vector
    of parameters), then every operation's output.
    """

    kernels: list[_Kernel]
    rows: int
    param_rows: list[int]
    params_with_rows: list[int]
    output_rows: list[int]


def _compile_batch(tape: Tape) -> _BatchProgram:
    """Group the tape's instructions into kernels, and give the slots that need one a row."""
    first_param, first_op = tape.n_inputs, tape.n_inputs + len(tape.parameters)
    groups = _groups(tape.instructions, first_param, first_op)
    read = set(tape.outputs)
    for linear, group in groups:
        if linear:
            k = dot_layout(len(group[0].args), len(group[0].constants))[0]
            read.update(group[0].args[k : 2 * k])
        else:
            read.update(arg for ins in group for arg in ins.args)
    params_with_rows = sorted(s for s in read if first_param <= s < first_op)
    slots = [*range(tape.n_inputs), *params_with_rows, *range(first_op, tape.n_slots)]
    row = {slot: r for r, slot in enumerate(slots)}
    kernels: list[_Kernel] = []
    for linear, group in groups:
        if linear:
            kernels.append(_Linear(group, row, first_param))
        elif len(group) > 1:
            kernels.append(_Map(group, row))
        else:
            kernels.append(_Op(group[0], row))
    return _BatchProgram(
        kernels,
        len(slots),
        [row[s] for s in params_with_rows],
        [s - first_param for s in params_with_rows],
        [row[s] for s in tape.outputs],
    )


def _groups(
    instructions: list[Instruction], first_param: int, first_op: int
) -> list[tuple[bool, list[Instruction]]]:
    """Runs of instructions that one kernel can do: (is it a linear layer, the run)."""
    groups: list[tuple[bool, list[Instruction]]] = []
    i = 0
    while i < len(instructions):
        ins = instructions[i]
        j = i + 1
        if _is_linear(ins, first_param, first_op):
            while (
                j < len(instructions)
                and _is_linear(instructions[j], first_param, first_op)
                and _same_inputs(instructions[j], ins)
            ):
                j += 1
            groups.append((True, instructions[i:j]))
            i = j
            continue
        if len(ins.args) == 1 and ins.op not in ("dot", "sum"):
            while (
                j < len(instructions)
                and instructions[j].op == ins.op
                and instructions[j].constants == ins.constants
                and instructions[j].args == (ins.args[0] + (j - i),)
                and ins.args[0] + (j - i) < ins.out  # operands computed before the run
            ):
                j += 1
        groups.append((False, instructions[i:j]))
        i = j
    return groups


def _is_linear(ins: Instruction, first_param: int, first_op: int) -> bool:
    """A dot whose weights (and bias, if a Value) are parameters and whose inputs are slots."""
    if ins.op != "dot":
        return False
    k, m, has_bias = dot_layout(len(ins.args), len(ins.constants))
    params = ins.args[:k] + (ins.args[-1:] if has_bias else ())
    return m == 0 and k > 0 and all(first_param <= s < first_op for s in params)


def _same_inputs(ins: Instruction, first: Instruction) -> bool:
    k = dot_layout(len(first.args), len(first.constants))[0]
    return (
        len(ins.args) == len(first.args)
        and ins.args[k : 2 * k] == first.args[k : 2 * k]
        and len(ins.constants) == len(first.constants)
    )
