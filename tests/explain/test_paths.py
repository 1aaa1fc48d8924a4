"""explain_grad: the paths' products add up to what backward() computes."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_edu import Value
from micrograd_edu.engine import dot, sum_values
from micrograd_edu.explain import (
    TooManyPathsError,
    count_paths,
    explain_grad,
    node_names,
)

OPS: dict[str, Callable[[Value, Value], Value]] = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "square": lambda x, y: x * x,
    "tanh": lambda x, y: x.tanh(),
    "sigmoid": lambda x, y: x.sigmoid(),
    "scale": lambda x, y: 0.5 * x - 1.0,
    "div": lambda x, y: x / (y * y + 1.0),
    "sum3": lambda x, y: sum_values([x, y, x]),
    "dot": lambda x, y: dot([x, y], [y, 2.0], x),
}

finite = st.floats(min_value=-2.0, max_value=2.0, allow_nan=False, allow_infinity=False)
steps = st.lists(
    st.tuples(
        st.sampled_from(sorted(OPS)),
        st.integers(min_value=0, max_value=1000),
        st.integers(min_value=0, max_value=1000),
    ),
    min_size=1,
    max_size=14,
)


def build(data: list[float], plan: list[tuple[str, int, int]]) -> tuple[Value, list[Value]]:
    """A random graph: each op picks its operands among all nodes so far (nodes get reused)."""
    nodes = [Value(x, label=f"x{i}") for i, x in enumerate(data)]
    for name, i, j in plan:
        nodes.append(OPS[name](nodes[i % len(nodes)], nodes[j % len(nodes)]))
    out = nodes[-1]
    for node in nodes[-3:-1]:
        out = out + node
    return out, nodes


def naive_count(node: Value, leaf: Value) -> int:
    """Paths counted by walking them all (only for small graphs)."""
    if node is leaf:
        return 1
    return sum(naive_count(child, leaf) for child in node.children)


@settings(max_examples=120, deadline=None)
@given(data=st.lists(finite, min_size=1, max_size=3), plan=steps)
def test_paths_add_up_to_backward_on_random_graphs(
    data: list[float], plan: list[tuple[str, int, int]]
) -> None:
    out, nodes = build(data, plan)
    out.backward()
    graph = set(out.topological_order())
    for node in nodes:
        if node not in graph:
            continue
        count = count_paths(out, node)
        if count > 3000:
            with pytest.raises(TooManyPathsError) as raised:
                explain_grad(out, node, max_paths=3000)
            assert raised.value.count == count
            continue
        explanation = explain_grad(out, node, max_paths=3000)
        assert len(explanation.paths) == count
        products = [path.product for path in explanation.paths]
        scale = math.fsum(abs(p) for p in products)
        assert explanation.gradient == pytest.approx(node.grad, rel=1e-9, abs=1e-12 + 1e-9 * scale)
        for path in explanation.paths:
            assert path.nodes[0] is out and path.nodes[-1] is node
            assert len(path.nodes) == len(path.local_grads) + 1
            for parent, child, local, edge in zip(
                path.nodes, path.nodes[1:], path.local_grads, path.edges, strict=False
            ):
                assert parent.children[edge] is child
                assert parent.local_grads[edge] == local


@settings(max_examples=60, deadline=None)
@given(data=st.lists(finite, min_size=1, max_size=3), plan=steps)
def test_count_paths_matches_walking_them(
    data: list[float], plan: list[tuple[str, int, int]]
) -> None:
    out, nodes = build(data, plan[:8])
    for node in nodes:
        if node in set(out.topological_order()):
            assert count_paths(out, node) == naive_count(out, node)


def test_derivation_of_a_reused_input() -> None:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b + a
    c.label = "c"
    c.backward()
    explanation = explain_grad(c, a)
    assert str(explanation) == (
        "dc/da = the sum over 2 paths of the product of the local derivatives on each path\n"
        "  path 1: c → (a × b) → a    1 × -3 = -3\n"
        "  path 2: c → a              1 = 1\n"
        "  dc/da = -3 + 1 = -2"
    )
    assert explanation.gradient == a.grad == -2.0


def test_a_node_used_twice_by_one_op_gives_two_paths() -> None:
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    explanation = explain_grad(y, x)
    assert [path.local_grads for path in explanation.paths] == [(3.0,), (3.0,)]
    assert explanation.gradient == 6.0
    assert str(explanation).splitlines()[-1] == "  dy/dx = 3 + 3 = 6"


def test_negative_terms_are_written_as_subtraction() -> None:
    x = Value(1.0, label="x")
    y = x * -2.0 + x * 5.0
    y.label = "y"
    assert str(explain_grad(y, x)).splitlines()[-1] == "  dy/dx = -2 + 5 = 3"
    z = x * 5.0 + x * -2.0
    z.label = "z"
    assert str(explain_grad(z, x)).splitlines()[-1] == "  dz/dx = 5 − 2 = 3"


def test_the_root_itself_is_one_empty_path() -> None:
    x = Value(3.0, label="x")
    explanation = explain_grad(x, x)
    assert len(explanation.paths) == 1
    assert explanation.paths[0].nodes == (x,)
    assert explanation.gradient == 1.0
    assert str(explanation) == (
        "dx/dx = the sum over 1 path of the product of the local derivatives on each path\n"
        "  path 1: x    1 = 1\n"
        "  dx/dx = 1"
    )


def test_too_many_paths_are_counted_not_listed() -> None:
    x = Value(1.0)
    y = x
    for _ in range(60):
        y = y * y  # each square doubles the paths: 2**60, far too many to list
    with pytest.raises(TooManyPathsError) as raised:
        explain_grad(y, x)
    assert raised.value.count == 2**60
    assert str(raised.value) == (
        "explain_grad: there are 1,152,921,504,606,846,976 paths from the root to this node, "
        "more than max_paths=64. backward() adds them up without listing them; explain a "
        "smaller graph, or pass a larger max_paths."
    )
    assert isinstance(raised.value, ValueError)


def test_a_leaf_outside_the_graph_is_refused() -> None:
    x, other = Value(1.0), Value(2.0, label="w")
    with pytest.raises(ValueError, match="the leaf is not in the root's graph"):
        explain_grad(x * 2.0, other)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_max_paths_must_be_a_positive_int(bad: object) -> None:
    x = Value(1.0)
    with pytest.raises(ValueError, match=r"max_paths must be a positive int, got"):
        explain_grad(x * 2.0, x, max_paths=bad)  # type: ignore[arg-type]


def test_non_values_are_refused() -> None:
    x = Value(1.0)
    with pytest.raises(TypeError, match="explain_grad: leaf must be a Value, got float"):
        explain_grad(x, 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="explain_grad: root must be a Value, got int"):
        count_paths(3, x)  # type: ignore[arg-type]


def test_node_names_use_labels_expressions_and_positions() -> None:
    a, b = Value(2.0, label="a"), Value(-3.0)
    long = (a * b).tanh() + 1.0
    for _ in range(3):
        long = long * a
    names = node_names(long)
    assert [names[node] for node in long.topological_order()] == [
        "a",
        "v1",  # no label, no op: its position
        "(a × v1)",
        "tanh(a × v1)",
        "(tanh(a × v1) + 1)",
        "((tanh(a × v1) + 1) × a)",
        "v6",  # its expression would be longer than 24 characters
        "(v6 × a)",
    ]
