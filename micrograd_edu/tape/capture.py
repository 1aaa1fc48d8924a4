"""Capture: run a function once on Values and record its graph as slots and instructions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .._support import validation
from ..engine import OPS, Value, gc_paused, op_code

if TYPE_CHECKING:
    from .tape import Tape

__all__ = ["Instruction", "Layout", "capture"]


@dataclass(frozen=True)
class Instruction:
    """One operation of a tape: ``slot[out] = op(operands)``.

    >>> Instruction("*", (0,), (None, 2.0), 3).operands()
    ['%0', 2.0]
    """

    op: str
    """The key of its rule in :data:`engine.OPS <micrograd_edu.engine.OPS>`."""
    args: tuple[int, ...]
    """The slots of its Value operands, in the order of the node's children."""
    constants: tuple[float | None, ...]
    """The node's constants: every operand, None where a slot of ``args`` stands
    (``(None, 3.0)`` for ``a + 3``), or ``()`` when every operand is a slot."""
    out: int
    """The slot it writes."""

    def operands(self) -> list[str | float]:
        """Every operand in order: ``"%slot"`` for a slot, the number for a constant."""
        if not self.constants:
            return [f"%{s}" for s in self.args]
        slots = iter(self.args)
        return [f"%{next(slots)}" if c is None else c for c in self.constants]


@dataclass(frozen=True)
class Layout:
    """The slots of a tape: the inputs, then the parameters, then one per operation.

    >>> layout = Layout(n_inputs=2, n_parameters=3, n_ops=4)
    >>> layout.first_op, layout.n_slots, layout.is_parameter(4)
    (5, 9, True)
    """

    n_inputs: int
    n_parameters: int
    n_ops: int

    @property
    def first_parameter(self) -> int:
        """The slot of the first parameter (the inputs come first)."""
        return self.n_inputs

    @property
    def first_op(self) -> int:
        """The slot of the first operation's output."""
        return self.n_inputs + self.n_parameters

    @property
    def n_slots(self) -> int:
        """How many slots in all."""
        return self.n_inputs + self.n_parameters + self.n_ops

    def is_parameter(self, slot: int) -> bool:
        """Whether ``slot`` holds a parameter."""
        return self.n_inputs <= slot < self.first_op


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

    >>> tape = capture(lambda x: x[0] * x[1] + 1, [2.0, 3.0])
    >>> tape.forward([4.0, 5.0])
    21.0
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


def _graph(outputs: list[Value]) -> list[Value]:
    """Every node of the outputs' graphs, each once, children first."""
    order: list[Value] = []
    seen: set[Value] = set()
    for out in outputs:
        for node in out.topological_order():
            if node not in seen:
                seen.add(node)
                order.append(node)
    return order


def _schedule(order: list[Value], leaves: list[Value]) -> list[Value]:
    """The computed nodes by level (1 + their operands' highest, leaves at 0).

    A valid order that puts a layer's neurons next to each other.
    """
    level: dict[Value, int] = dict.fromkeys(leaves, 0)
    computed = []
    for node in order:
        if node.op:
            if op_code(node) not in OPS or len(node.local_grads) != len(node.children):
                raise ValueError(
                    f"capture: cannot record a node with op {node.op!r}: it is not an op of "
                    "the engine's op table (micrograd_edu.engine.OPS)"
                )
            level[node] = 1 + max((level[child] for child in node.children), default=0)
            computed.append(node)
    computed.sort(key=level.__getitem__)  # stable: keeps the DFS order within a level
    return computed


def _record(
    inputs: list[Value], outputs: list[Value], single: bool, known_parameters: list[Value]
) -> Tape:
    """Turn the graph of ``outputs`` into slots and instructions."""
    from .tape import Tape

    order = _graph(outputs)
    input_set = set(inputs)
    if not input_set.intersection(order):
        raise ValueError(
            "capture: the output does not depend on the inputs; fn must compute with "
            "the Values it is given"
        )
    # Parameters: the model's own in its order (if fn is a Module), then any other leaf.
    leaves = [node for node in order if not node.op and node not in input_set]
    used = set(leaves)
    params = list(dict.fromkeys([p for p in known_parameters if p in used] + leaves))
    computed = _schedule(order, [*inputs, *params])
    slot: dict[Value, int] = {node: i for i, node in enumerate([*inputs, *params, *computed])}
    instructions = [
        Instruction(
            op_code(node), tuple(slot[c] for c in node.children), node.constants, slot[node]
        )
        for node in computed
    ]
    return Tape(
        n_inputs=len(inputs),
        parameters=params,
        instructions=instructions,
        outputs=tuple(slot[out] for out in outputs),
        single_output=single,
        labels={slot[node]: node.label for node in [*params, *computed] if node.label},
    )
