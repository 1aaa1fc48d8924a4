"""Random expression graphs, reused nodes included: gradients equal PyTorch's."""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from micrograd_edu import Value
from micrograd_edu.engine import dot, sum_values

# Each op is written once and applied to both engines: Values and 0-dim tensors
# support the same operators and methods. Ops are chosen to stay finite and
# differentiable for any finite inputs.
UNARY = {
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "neg": lambda x: -x,
    "square": lambda x: x**2,
    "scale": lambda x: 0.5 * x - 1.0,
    "log1p_sq": lambda x: (x * x + 1.0).log(),
    "sqrt1p_sq": lambda x: (x * x + 1.0).sqrt(),
    "exp_tanh": lambda x: x.tanh().exp(),
    "abs_plus": lambda x: abs(x) + 0.5,
}
BINARY = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "safe_div": lambda x, y: x / (y * y + 1.0),
    "pow_pos": lambda x, y: (x * x + 0.5) ** y.tanh(),
}

finite = st.floats(min_value=-2.0, max_value=2.0, allow_nan=False, allow_infinity=False)
step = st.tuples(
    st.sampled_from(sorted(UNARY) + sorted(BINARY)),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=0, max_value=10_000),
)


def build(leaves: list[Any], steps: list[tuple[str, int, int]]) -> tuple[Any, list[Any]]:
    """Apply the steps; operands are picked from every node so far, so nodes get reused.

    Returns the output and every node.
    """
    nodes = list(leaves)
    for name, i, j in steps:
        x, y = nodes[i % len(nodes)], nodes[j % len(nodes)]
        nodes.append(UNARY[name](x) if name in UNARY else BINARY[name](x, y))
    # Sum the last few nodes so the output depends on several branches.
    out = nodes[-1]
    for node in nodes[-4:-1]:
        out = out + node
    return out, nodes


@settings(max_examples=150, deadline=None)
@given(
    data=st.lists(finite, min_size=1, max_size=4),
    steps=st.lists(step, min_size=1, max_size=25),
)
def test_random_graphs_match_pytorch(
    torch: ModuleType, data: list[float], steps: list[tuple[str, int, int]]
) -> None:
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in data]
    expected, reference_nodes = build(tensors, steps)
    # Repeated squaring can leave the float range; such graphs test overflow, not gradients.
    assume(all(abs(node.item()) < 1e100 for node in reference_nodes))
    grads = torch.autograd.grad(expected, tensors, allow_unused=True)

    values = [Value(x) for x in data]
    out, _ = build(values, steps)
    out.backward()

    assert out.data == pytest.approx(expected.item(), rel=1e-9, abs=1e-12)
    for value, grad in zip(values, grads, strict=True):
        reference = 0.0 if grad is None else grad.item()
        assert value.grad == pytest.approx(reference, rel=1e-8, abs=1e-10)


# PyTorch gives |x|, relu and leaky_relu the slope 0 at NaN; ours is NaN (a NaN must
# never turn into a clean 0). Those ops are checked in test_nan_propagates_through_every_op.
step_same_nan_rules = st.tuples(
    st.sampled_from(sorted(set(UNARY) - {"abs_plus"}) + sorted(BINARY)),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=0, max_value=10_000),
)


@settings(max_examples=100, deadline=None)
@given(
    data=st.lists(finite, min_size=1, max_size=4),
    nan_at=st.integers(min_value=0, max_value=3),
    steps=st.lists(step_same_nan_rules, min_size=1, max_size=15),
)
def test_random_graphs_with_a_nan_input_match_pytorch(
    torch: ModuleType, data: list[float], nan_at: int, steps: list[tuple[str, int, int]]
) -> None:
    """NaN flows through every op exactly as through PyTorch's: values and gradients."""
    data = list(data)
    data[nan_at % len(data)] = float("nan")
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in data]
    expected, reference_nodes = build(tensors, steps)
    assume(all(not abs(node.item()) >= 1e100 for node in reference_nodes))
    grads = torch.autograd.grad(expected, tensors, allow_unused=True)

    values = [Value(x) for x in data]
    out, _ = build(values, steps)
    out.backward()

    assert out.data == pytest.approx(expected.item(), rel=1e-9, abs=1e-12, nan_ok=True)
    for value, grad in zip(values, grads, strict=True):
        reference = 0.0 if grad is None else grad.item()
        assert value.grad == pytest.approx(reference, rel=1e-8, abs=1e-10, nan_ok=True)


NAN_OPS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "** Value": lambda a, b: abs(a) ** b,
    "** 3": lambda a, b: a**3,
    "** 0.5": lambda a, b: a**0.5,
    "2 **": lambda a, b: 2.0**a,
    "exp": lambda a, b: a.exp(),
    "log": lambda a, b: a.log(),
    "sqrt": lambda a, b: a.sqrt(),
    "tanh": lambda a, b: a.tanh(),
    "sigmoid": lambda a, b: a.sigmoid(),
    "relu": lambda a, b: a.relu(),
    "leaky_relu": lambda a, b: a.leaky_relu(),
    "abs": lambda a, b: abs(a),
    "neg": lambda a, b: -a,
    "dot": lambda a, b: dot([a, b], [b, 2.0], a),
    "sum": lambda a, b: sum_values([a, b, 1.0]),
}


@pytest.mark.parametrize("name", NAN_OPS)
@pytest.mark.parametrize("nan_in", ["a", "b"])
def test_nan_propagates_through_every_op(name: str, nan_in: str) -> None:
    a = Value(float("nan") if nan_in == "a" else 0.7)
    b = Value(float("nan") if nan_in == "b" else 1.3)
    out = NAN_OPS[name](a, b)
    if any(child is (a if nan_in == "a" else b) for child in out.children):
        assert math.isnan(out.data), f"{name} turned NaN into {out.data}"
        out.backward()
        nan_leaf = a if nan_in == "a" else b
        # The slope in the NaN input is a number where the op is linear in it (d(a·b)/da = b).
        linear = name in (
            {"+", "-", "*", "/", "neg", "sum", "dot"} - ({"/"} if nan_in == "b" else set())
        )
        assert math.isnan(nan_leaf.grad) != linear, f"{name}: d/d(NaN input) = {nan_leaf.grad}"
