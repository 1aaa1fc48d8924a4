"""Every op of the engine: forward value and gradients against PyTorch and finite differences."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest

from micrograd_edu import Value
from micrograd_edu.engine import MATH, OPS, dot, sum_values
from micrograd_edu.explain.gradcheck import numerical_grad


@dataclass(frozen=True)
class OpCase:
    """An op written once for our engine and once for PyTorch, and points to test it at."""

    name: str
    ours: Callable[..., Any]
    theirs: Callable[..., Any]
    points: tuple[tuple[float, ...], ...]


def _leaky(torch: ModuleType, x: Any, slope: float) -> Any:
    return torch.nn.functional.leaky_relu(x, slope)


CASES = [
    OpCase("add", lambda a, b: a + b, lambda t, a, b: a + b, ((1.5, -2.25), (0.0, 3.0))),
    OpCase("add number", lambda a: a + 2.5, lambda t, a: a + 2.5, ((1.5,), (-3.0,))),
    OpCase("radd number", lambda a: 2.5 + a, lambda t, a: 2.5 + a, ((1.5,),)),
    OpCase("sub", lambda a, b: a - b, lambda t, a, b: a - b, ((1.5, -2.25),)),
    OpCase("sub number", lambda a: a - 4, lambda t, a: a - 4, ((1.5,),)),
    OpCase("rsub number", lambda a: 1 - a, lambda t, a: 1 - a, ((1.5,), (-0.5,))),
    OpCase("mul", lambda a, b: a * b, lambda t, a, b: a * b, ((1.5, -2.25), (0.0, 7.0))),
    OpCase("mul number", lambda a: a * -3.0, lambda t, a: a * -3.0, ((1.5,),)),
    OpCase("rmul number", lambda a: 2 * a, lambda t, a: 2 * a, ((1.5,),)),
    OpCase("div", lambda a, b: a / b, lambda t, a, b: a / b, ((1.5, -2.25), (-3.0, 0.5))),
    OpCase("div number", lambda a: a / 4.0, lambda t, a: a / 4.0, ((1.5,),)),
    OpCase("rdiv number", lambda a: 3 / a, lambda t, a: 3 / a, ((1.5,), (-0.25,))),
    OpCase("neg", lambda a: -a, lambda t, a: -a, ((1.5,),)),
    OpCase("square", lambda a: a**2, lambda t, a: a**2, ((1.5,), (-2.0,))),
    OpCase("cube", lambda a: a**3, lambda t, a: a**3, ((-1.5,),)),
    OpCase("pow half", lambda a: a**0.5, lambda t, a: a**0.5, ((2.25,),)),
    OpCase("pow -1.5", lambda a: a**-1.5, lambda t, a: a**-1.5, ((0.75,),)),
    OpCase("pow -2 negative base", lambda a: a**-2, lambda t, a: a**-2, ((-1.25,),)),
    OpCase("pow value", lambda a, b: a**b, lambda t, a, b: a**b, ((1.7, -0.8), (0.5, 2.5))),
    OpCase("rpow", lambda a: 2**a, lambda t, a: 2**a, ((1.3,), (-2.0,))),
    OpCase("exp", lambda a: a.exp(), lambda t, a: a.exp(), ((0.7,), (-3.0,), (20.0,))),
    OpCase("log", lambda a: a.log(), lambda t, a: a.log(), ((0.7,), (30.0,))),
    OpCase("sqrt", lambda a: a.sqrt(), lambda t, a: a.sqrt(), ((0.7,), (30.0,))),
    OpCase("tanh", lambda a: a.tanh(), lambda t, a: a.tanh(), ((0.7,), (-2.0,), (0.0,))),
    OpCase("sigmoid", lambda a: a.sigmoid(), lambda t, a: a.sigmoid(), ((0.7,), (-4.0,))),
    OpCase("relu", lambda a: a.relu(), lambda t, a: a.relu(), ((0.7,), (-4.0,))),
    OpCase(
        "leaky_relu",
        lambda a: a.leaky_relu(),
        lambda t, a: _leaky(t, a, 0.01),
        ((0.7,), (-4.0,)),
    ),
    OpCase(
        "leaky_relu slope",
        lambda a: a.leaky_relu(0.2),
        lambda t, a: _leaky(t, a, 0.2),
        ((0.7,), (-4.0,)),
    ),
    OpCase("abs", lambda a: abs(a), lambda t, a: abs(a), ((0.7,), (-4.0,))),
    OpCase("abs method", lambda a: a.abs(), lambda t, a: a.abs(), ((-0.7,),)),
    OpCase(
        "dot",
        lambda w1, w2, x1, x2, b: dot([w1, w2], [x1, x2], b),
        lambda t, w1, w2, x1, x2, b: w1 * x1 + w2 * x2 + b,
        ((0.5, -1.5, 2.0, 0.25, 0.1),),
    ),
    OpCase(
        "dot number inputs",
        lambda w1, w2, b: dot([w1, w2], [2.0, -3], b),
        lambda t, w1, w2, b: w1 * 2.0 + w2 * -3 + b,
        ((0.5, -1.5, 0.1),),
    ),
    OpCase(
        "sum_values",
        lambda a, b, c: sum_values([a, b, 2.0, c, a]),
        lambda t, a, b, c: a + b + 2.0 + c + a,
        ((0.5, -1.5, 0.1),),
    ),
    OpCase(
        "python sum",
        lambda a, b, c: sum([a, b, c, b]),
        lambda t, a, b, c: a + b + c + b,
        ((0.5, -1.5, 0.1),),
    ),
]

PARAMS = [
    pytest.param(case, point, id=f"{case.name}-{point}") for case in CASES for point in case.points
]


@pytest.mark.parametrize(("case", "point"), PARAMS)
def test_op_matches_pytorch(torch: ModuleType, case: OpCase, point: tuple[float, ...]) -> None:
    values = [Value(x) for x in point]
    out = case.ours(*values)
    out.backward()

    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point]
    expected = case.theirs(torch, *tensors)
    expected.backward()

    assert out.data == pytest.approx(expected.item(), rel=1e-12, abs=1e-15)
    for value, tensor in zip(values, tensors, strict=True):
        assert value.grad == pytest.approx(tensor.grad.item(), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(("case", "point"), PARAMS)
def test_op_matches_finite_differences(case: OpCase, point: tuple[float, ...]) -> None:
    values = [Value(x) for x in point]
    out = case.ours(*values)
    out.backward()
    expected = numerical_grad(case.ours, point, eps=1e-6)
    for value, slope in zip(values, expected, strict=True):
        assert value.grad == pytest.approx(slope, rel=1e-6, abs=1e-6)


def test_number_operand_makes_no_node() -> None:
    a = Value(3.0)
    for out in (a + 2, 2 + a, a - 2, 2 - a, a * 2, 2 * a, a / 2, 2 / a, a**2, 2**a):
        assert out.children == (a,)
        assert len(out.local_grads) == 1


def test_local_grads_are_stored_at_creation() -> None:
    a, b = Value(3.0), Value(-2.0)
    product = a * b
    assert product.op == "*"
    assert product.children == (a, b)
    assert product.local_grads == (-2.0, 3.0)
    t = a.tanh()
    assert t.local_grads == (pytest.approx(1 - math.tanh(3.0) ** 2, rel=1e-15),)
    assert a.grad == 0.0  # nothing has run backward yet


def test_dot_is_one_node_with_every_child() -> None:
    w = [Value(0.5), Value(-1.0), Value(2.0)]
    x = [Value(1.0), 2.0, Value(-3.0)]
    b = Value(0.25)
    out = dot(w, x, b)
    assert out.op == "dot"
    assert out.data == 0.5 * 1.0 - 1.0 * 2.0 + 2.0 * -3.0 + 0.25
    # The operands are (w₁, w₂, w₃, x₁, x₂, x₃, b); the node keeps the Values in
    # that order, with their slopes, and the number 2.0 in constants.
    assert out.children == (w[0], w[1], w[2], x[0], x[2], b)
    assert out.local_grads == (1.0, 2.0, -3.0, 0.5, 2.0, 1.0)
    assert out.constants == (None, None, None, None, 2.0, None, None)


@pytest.mark.parametrize(
    ("x", "expected_tanh", "expected_sigmoid"),
    [(1000.0, 1.0, 1.0), (-1000.0, -1.0, 0.0), (1e308, 1.0, 1.0), (-1e308, -1.0, 0.0)],
)
def test_tanh_and_sigmoid_are_stable_at_extremes(
    x: float, expected_tanh: float, expected_sigmoid: float
) -> None:
    a = Value(x)
    t = a.tanh()
    s = a.sigmoid()
    (t + s).backward()
    assert t.data == expected_tanh
    assert s.data == expected_sigmoid
    assert a.grad == 0.0


def test_nan_and_inf_propagate() -> None:
    a = Value(math.nan)
    assert math.isnan((a * 2).data)
    assert math.isnan(a.tanh().data)
    b = Value(math.inf)
    assert (b + 1).data == math.inf
    assert b.tanh().data == 1.0
    assert (-b).exp().data == 0.0
    assert math.isnan((b - b).data)


def test_numpy_scalars_work_as_operands_on_either_side() -> None:
    np = pytest.importorskip("numpy")
    a = Value(2.0)
    for out in (a * np.float64(3.0), np.float64(3.0) * a, np.float32(3.0) * a, a * np.int64(3)):
        assert isinstance(out, Value)
        assert out.data == 6.0
        assert out.children == (a,)


def test_every_op_keeps_its_plain_number_operands_in_constants() -> None:
    """A graph can be replayed exactly (micrograd_edu.tape): the numbers are on the nodes."""
    a, b = Value(1.5), Value(-2.0)
    cases = {
        "a + b": (a + b, "+", ()),
        "a + 3": (a + 3, "+", (None, 3.0)),
        "3 + a": (3 + a, "+", (None, 3.0)),
        "a - 0.5": (a - 0.5, "-", (None, 0.5)),
        "1 - a": (1 - a, "-", (1.0, None)),
        "a * 4": (a * 4, "*", (None, 4.0)),
        "a / 8": (a / 8, "/", (None, 8.0)),
        "6 / a": (6 / a, "/", (6.0, None)),
        "a ** 2": (a**2, "**2", (None, 2.0)),
        "a ** 0.1234567891": (a**0.1234567891, "**0.123457", (None, 0.1234567891)),
        "2 ** a": (2**a, "**", (2.0, None)),
        "a ** abs(b)": (a ** abs(b), "**", ()),
        "leaky_relu": (a.leaky_relu(0.2), "leaky_relu", (None, 0.2)),
        "sum_values": (sum_values([a, 1, b, 2.5]), "sum", (None, None, 3.5)),
        "dot, numbers": (dot([a, b], [0.5, 0.25], 1.0), "dot", (None, None, 0.5, 0.25, 1.0)),
        "tanh": (a.tanh(), "tanh", ()),
    }
    for name, (node, op, constants) in cases.items():
        assert (node.op, node.constants) == (op, constants), name
        assert len(node.local_grads) == len(node.children), name
    assert set(OPS) == {
        "+", "-", "*", "/", "neg", "**", "exp", "log", "sqrt",
        "tanh", "sigmoid", "relu", "leaky_relu", "abs", "sum", "dot",
    }  # fmt: skip
    assert Value(3.0).constants == ()


def test_the_op_table_gives_the_methods_numbers() -> None:
    """The Value methods are the table's rules applied to floats: same value, same slopes."""
    a = Value(0.7)
    for op, node in {"tanh": a.tanh(), "sigmoid": a.sigmoid(), "exp": a.exp()}.items():
        assert OPS[op](MATH, 0.7) == (node.data, node.local_grads)
    # A number operand: the rule sees both numbers, the node keeps the Value's slope.
    assert OPS["/"](MATH, 6.0, 0.7) == ((6 / a).data, (1 / 0.7, (6 / a).local_grads[0]))


def test_nodes_share_one_tuple_per_constant_but_keep_the_sign_of_zero() -> None:
    a = Value(1.5)
    assert (a * 0.5).constants is (a * 0.5).constants
    assert math.copysign(1.0, (a * -0.0).constants[1]) == -1.0
    assert math.copysign(1.0, (a * 0.0).constants[1]) == 1.0
    assert math.isnan((a + math.nan).constants[1])
    assert (a * 2).constants == (None, 2.0)


def test_every_op_path_keeps_its_own_op_and_constants() -> None:
    """Op and constants share one slot per node (an (op, constants) pair shared per kind):
    every way of making a node keeps both, zero's sign included, whatever came before."""
    a = Value(1.5)
    for c in (0.0, -0.0, 2.0, -0.0, 0.0, 2.0):
        power = "**2" if c == 2.0 else "**0"
        nodes = {  # fast, checked, reflected, renamed (**), apply (leaky_relu)
            ("*", (None, c)): a * c,
            ("/", (None, c + 4.0)): a / (c + 4.0),
            ("/", (c, None)): c / a,
            ("-", (c, None)): c - a,
            (power, (None, c)): a**c,
            ("leaky_relu", (None, c)): a.leaky_relu(c),
        }
        for (op, constants), node in nodes.items():
            assert (node.op, repr(node.constants)) == (op, repr(constants))
    assert ((a * a).op, (a * a).constants, (a**a).op, (a**a).constants) == ("*", (), "**", ())
    assert (a.tanh().op, a.log().constants, Value(2.0).op) == ("tanh", (), "")


def test_op_and_constants_can_be_set_one_without_the_other() -> None:
    node = Value(2.0) * 3.0
    node.op = "mystery"
    assert (node.op, node.constants) == ("mystery", (None, 3.0))
    node.constants = (None, 4.0)
    assert (node.op, node.constants) == ("mystery", (None, 4.0))
    assert ((Value(2.0) * 3.0).op, (Value(2.0) * 3.0).constants) == ("*", (None, 3.0))
