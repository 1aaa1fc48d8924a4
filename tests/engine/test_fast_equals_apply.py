"""The fast methods make exactly the node ``apply`` makes: every op, operand shape and edge value.

``engine.apply`` is the engine's definition of an op; the methods of ``Value`` are
``apply`` written out for one and two operands (``micrograd_edu/_engine/builders.py``).
Here each method -- the one ``Value`` has, and one freshly made by
``builders.fast_method`` (so that the comparison holds whatever
``MICROGRAD_EDU_ENGINE`` says) -- is compared with ``apply`` on the same operands:
data, local_grads, children, op, constants, label, grad, the operands' grads after
``backward()``, or the error's type and message, exactly (NaN, -0.0 and the types
of the numbers included).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_edu._engine import builders
from micrograd_edu._engine.declare import Declared
from micrograd_edu.engine import OPS, Value, apply

UNARY = {
    "__neg__": "neg",
    "exp": "exp",
    "log": "log",
    "sqrt": "sqrt",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "relu": "relu",
    "__abs__": "abs",
    "abs": "abs",
}
"""Value's one-operand methods → their op."""

BINARY = {
    "__add__": ("+", False),
    "__radd__": ("+", False),  # 2 + a is a + 2
    "__sub__": ("-", False),
    "__rsub__": ("-", True),
    "__mul__": ("*", False),
    "__rmul__": ("*", False),
    "__truediv__": ("/", False),
    "__rtruediv__": ("/", True),
    "__pow__": ("**", False),
    "__rpow__": ("**", True),
    "_leaky_relu": ("leaky_relu", False),
}
"""Value's two-operand methods → (their op, whether apply gets the number first)."""

EDGES = [
    0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 2.0**0.5, 1e-300, 5e-324, -5e-324,
    1e300, -1e300, 709.0, 710.0, -745.0, -746.0, math.inf, -math.inf, math.nan,
]  # fmt: skip
"""Zero of both signs, small integers, tiny and subnormal, huge, exp's edges, ±inf, NaN."""

NUMBER_KINDS: dict[str, Callable[[float], Any]] = {
    "float": float,
    "int": lambda x: int(x) if math.isfinite(x) else 2,
    "numpy.float64": np.float64,
    "numpy.float32": np.float32,
    "numpy.int64": lambda x: np.int64(int(x)) if math.isfinite(x) and abs(x) < 2**62 else 7,
    "Fraction": lambda x: Fraction(x) if math.isfinite(x) else Fraction(1, 3),
    "float subclass": type("Real", (float,), {}),
}
"""Every kind of real number an op accepts, made from a float."""

HUGE = 10**400
NOT_NUMBERS = [True, False, np.bool_(True), "2", None, 1 + 2j, [1.0], HUGE]
"""Operands that are no real number (a huge int does not fit in a float)."""


def _fast(attribute: str) -> Callable[..., Any]:
    """The method of ``attribute`` as builders.fast_method makes it, whatever the switch."""
    if attribute in UNARY:
        op = Declared(UNARY[attribute], 1, OPS[UNARY[attribute]])
    else:
        name, number_first = BINARY[attribute]
        op = Declared(name, 2, OPS[name], number_first)
    return builders.fast_method(op)


def _reference(attribute: str) -> Callable[..., Any]:
    """What the method must do, by apply: the operands in the op's order."""
    if attribute in UNARY:
        return lambda self: apply(UNARY[attribute], (self,))
    name, number_first = BINARY[attribute]
    return lambda self, other: apply(name, (other, self) if number_first else (self, other))


def _outcome(call: Callable[..., Any], operands: list[Any]) -> tuple[object, ...]:
    """Everything a node shows, its operands' grads after backward(), or the error."""
    try:
        out = call(*operands)
    except Exception as error:  # the error is what is compared
        return ("raises", type(error), str(error))
    if out is NotImplemented:
        return ("NotImplemented",)
    values = list({id(x): x for x in operands if isinstance(x, Value)}.values())
    node = (
        type(out),
        type(out.data),
        repr(out.data),
        repr(out.local_grads),
        [type(g) for g in out.local_grads],
        out.op,
        repr(out.constants),
        [values.index(child) for child in out.children],
        out.label,
        out.grad,
    )
    out.backward()
    return (*node, repr([v.grad for v in values]), repr(out.grad))


def _operands(shape: str, x: float, y: float, kind: str = "float") -> Callable[[], list[Any]]:
    """Fresh operands of a shape: ``V`` (one Value), ``VV``, ``VN`` (Value, number), ``same``."""
    number = NUMBER_KINDS[kind]

    def make() -> list[Any]:
        if shape == "V":
            return [Value(x)]
        if shape == "VV":
            return [Value(x), Value(y)]
        if shape == "VN":
            with np.errstate(over="ignore"):  # numpy.float32(1e300) is inf
                return [Value(x), number(y)]
        a = Value(x)
        return [a, a]

    return make


def _mismatches(attribute: str, cases: list[Callable[[], list[Any]]]) -> list[str]:
    """The cases where Value's method or the fast method differs from apply."""
    own, fast, reference = getattr(Value, attribute), _fast(attribute), _reference(attribute)
    found = []
    for make in cases:
        expected = _outcome(reference, make())
        for label, method in (("Value." + attribute, own), ("fast " + attribute, fast)):
            got = _outcome(method, make())
            reflected = attribute in BINARY and BINARY[attribute][1]
            if reflected and isinstance(make()[1], Value):  # only ever called with a number
                expected = ("NotImplemented",)
            if got != expected:
                found.append(f"{label}{tuple(make())}: {got} != apply's {expected}")
    return found


def test_the_tables_name_every_op_method_of_value() -> None:
    methods = {
        name
        for name, attribute in vars(Value).items()
        if getattr(attribute, "__wrapped__", None) in OPS.values()
    }
    assert methods == set(UNARY) | set(BINARY)
    assert {*UNARY.values(), *(op for op, _ in BINARY.values())} == set(OPS) - {"sum", "dot"}


@pytest.mark.parametrize("attribute", sorted(UNARY))
def test_a_one_operand_method_is_apply_on_every_edge_value(attribute: str) -> None:
    cases = [_operands("V", x, 0.0) for x in EDGES]
    assert _mismatches(attribute, cases) == []


@pytest.mark.parametrize("attribute", sorted(BINARY))
def test_a_two_operand_method_is_apply_on_every_pair_of_edge_values(attribute: str) -> None:
    cases = [
        _operands(shape, x, y)
        for shape in ("VV", "VN")
        for x in EDGES
        for y in EDGES
        # zero's sign and NaN first in one order, then in the other: the methods
        # remember one node kind per number, and 0.0 == -0.0
    ] + [_operands(shape, x, y) for shape in ("VN",) for x in EDGES[::-1] for y in EDGES[::-1]]
    cases += [_operands("same", x, x) for x in EDGES]
    assert _mismatches(attribute, cases) == []


@pytest.mark.parametrize("kind", sorted(NUMBER_KINDS))
@pytest.mark.parametrize("attribute", sorted(BINARY))
def test_a_two_operand_method_is_apply_for_every_kind_of_number(attribute: str, kind: str) -> None:
    cases = [_operands("VN", x, y, kind) for x in EDGES for y in EDGES]
    assert _mismatches(attribute, cases) == []


@pytest.mark.parametrize("bad", NOT_NUMBERS, ids=repr)
@pytest.mark.parametrize("attribute", sorted(BINARY))
def test_an_operand_that_is_no_real_number_is_not_implemented(attribute: str, bad: object) -> None:
    """The methods answer NotImplemented (Python then raises its TypeError); apply raises."""
    for method in (getattr(Value, attribute), _fast(attribute)):
        if bad is HUGE:  # float() refuses it, as in apply
            with pytest.raises(OverflowError, match=r"^int too large to convert to float$"):
                method(Value(1.5), bad)
        else:
            assert method(Value(1.5), bad) is NotImplemented
    name = BINARY[attribute][0]
    if bad is HUGE:
        with pytest.raises(OverflowError, match="int too large to convert to float"):
            apply(name, (Value(1.5), bad))  # type: ignore[arg-type]
    else:
        message = f"{name}: operands must be Values or numbers, got {bad!r}"
        with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
            apply(name, (Value(1.5), bad))  # type: ignore[arg-type]


OP_METHODS = sorted(UNARY) + sorted(BINARY)
any_float = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True)


@settings(max_examples=400, deadline=None)
@given(
    attribute=st.sampled_from(OP_METHODS),
    shape=st.sampled_from(["VV", "VN", "same"]),
    kind=st.sampled_from(sorted(NUMBER_KINDS)),
    x=st.one_of(st.sampled_from(EDGES), any_float),
    y=st.one_of(st.sampled_from(EDGES), any_float),
)
def test_random_operands_make_the_same_node_as_apply(
    attribute: str, shape: str, kind: str, x: float, y: float
) -> None:
    make = _operands("V" if attribute in UNARY else shape, x, y, kind)
    assert _mismatches(attribute, [make]) == []
